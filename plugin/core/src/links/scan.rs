//! What mdBook 0.5 makes of one page of Markdown: the ids its HTML will hold and the links
//! it will write.
//!
//! This follows mdBook's HTML renderer (mdbook-html 0.5: the Markdown tree builder and its
//! `add_header_links`), not a guess:
//!
//! - every Markdown heading and, with definition lists on, every `<dt>` gets an id. An
//!   explicit `{#id}` (or `{id=...}`) attribute is used as written and is not entered in
//!   the set of ids in use; otherwise the id is made from the element's text, lower-cased,
//!   alphanumerics, `_` and `-` kept, whitespace turned into `-`, everything else dropped,
//!   and `-1`, `-2`, ... appended when that id was already made on the page;
//! - the text of a heading includes inline code and text inside inline HTML, and the
//!   number of a footnote reference, but not the alt text of an image;
//! - footnote references get `fr-NAME-N` and used footnote definitions `footnote-NAME`;
//!   a definition nobody references is dropped, and so is everything in it, but headings
//!   in it still use up their ids (mdBook numbers every heading it ever built);
//! - raw HTML keeps its own `id` attributes (and `<a name>`), and its headings get none;
//! - `.md` in the link of a Markdown link or image, or of a raw `<a href>`, becomes
//!   `.html` (the text after the last `.md` is dropped, except a `#fragment`).

use super::html::{self, Token};
use pulldown_cmark::{Event, LinkType, Tag, TagEnd};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// The `[output.html]` settings of book.toml that change how Markdown is parsed, and so the
/// ids of a page. All are on by default, as in mdBook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Markdown {
    /// `smart-punctuation`: quotes and dashes change, which changes heading ids.
    pub smart_punctuation: bool,
    /// `definition-lists`: `<dt>` terms get ids.
    pub definition_lists: bool,
    /// `admonitions`: `> [!NOTE]` blocks.
    pub admonitions: bool,
}

impl Default for Markdown {
    fn default() -> Markdown {
        Markdown {
            smart_punctuation: true,
            definition_lists: true,
            admonitions: true,
        }
    }
}

/// What kind of element a link is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// A Markdown link, or a raw `<a href>`.
    Link,
    /// A Markdown image, or a raw `src` attribute.
    Image,
}

/// One link of a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The destination as the author wrote it (escapes and references resolved).
    pub written: String,
    /// The URL mdBook writes instead, when it changes it (`.md` turned into `.html`).
    pub(crate) fixed: Option<String>,
    /// Where the destination is in the page text (the whole link when it is not visible
    /// there, as in a reference-style link).
    pub range: Range<usize>,
    /// For a reference-style link, where its definition writes the destination.
    pub defined_at: Option<Range<usize>>,
    /// Whether the destination is a link or an image source.
    pub kind: LinkKind,
}

impl Link {
    /// The URL in the HTML mdBook writes.
    pub fn href(&self) -> &str {
        self.fixed.as_deref().unwrap_or(&self.written)
    }
}

/// The ids and links of one page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// Every `id` in the page's HTML, in order (duplicates kept).
    pub ids: Vec<String>,
    /// `name` attributes of `<a>` elements, which fragments also reach.
    pub names: Vec<String>,
    /// Every link of the page, in text order.
    pub links: Vec<Link>,
}

/// mdBook's id for a heading with this text.
pub(crate) fn id_from_text(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c)
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// `id`, or `id-1`, `id-2`, ... : the first not yet in `used`, which then holds it.
pub(crate) fn unique_id(id: String, used: &mut HashSet<String>) -> String {
    if !used.contains(&id) {
        used.insert(id.clone());
        return id;
    }
    let mut n: u32 = 1;
    loop {
        let candidate = format!("{id}-{n}");
        if !used.contains(&candidate) {
            used.insert(candidate.clone());
            return candidate;
        }
        n += 1;
    }
}

/// What mdBook's link fixing makes of a destination: a local `x.md` becomes `x.html`.
pub(crate) fn fix_link(link: &str) -> Cow<'_, str> {
    if link.starts_with('#') || has_lowercase_scheme(link) {
        return Cow::Borrowed(link);
    }
    // mdBook matches `(.*)\.md(#.*)?` anywhere in the link: the greedy `.*` takes the last
    // `.md`, and whatever follows it is dropped unless it is a fragment.
    match link.rfind(".md") {
        Some(at) => {
            let after = &link[at + 3..];
            let fragment = if after.starts_with('#') {
                after.split('\n').next().unwrap_or_default()
            } else {
                ""
            };
            Cow::Owned(format!("{}.html{fragment}", &link[..at]))
        }
        None => Cow::Borrowed(link),
    }
}

/// `^[a-z][a-z0-9+.-]*:`, the scheme test of mdBook's link fixing (lower case only).
fn has_lowercase_scheme(link: &str) -> bool {
    let b = link.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_lowercase) {
        return false;
    }
    for &c in &b[1..] {
        match c {
            b':' => return true,
            c if c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || matches!(c, b'+' | b'.' | b'-') => {}
            _ => return false,
        }
    }
    false
}

impl Markdown {
    /// The pulldown-cmark options mdBook 0.5.4's HTML renderer parses with for these
    /// settings (`mdbook_markdown::new_cmark_parser`). Written here rather than taken from
    /// that crate because the core depends on no mdBook crate; the edge crate's tests hold
    /// the two against each other on every combination of settings.
    pub fn parser_options(self) -> pulldown_cmark::Options {
        use pulldown_cmark::Options;
        let mut opts = Options::ENABLE_TABLES
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_HEADING_ATTRIBUTES;
        if self.smart_punctuation {
            opts |= Options::ENABLE_SMART_PUNCTUATION;
        }
        if self.definition_lists {
            opts |= Options::ENABLE_DEFINITION_LIST;
        }
        if self.admonitions {
            opts |= Options::ENABLE_GFM;
        }
        opts
    }
}

/// A heading or `<dt>` being read.
struct Titled {
    explicit: Option<String>,
    text: String,
}

/// An id, name or link, and the footnote definition it is written in (it disappears with
/// the definition when nothing references it).
struct Found<T> {
    value: T,
    footnote: Option<String>,
}

struct Scanner<'k> {
    trusted: &'k dyn Fn(Range<usize>) -> bool,
    used: HashSet<String>,
    ids: Vec<Found<String>>,
    names: Vec<Found<String>>,
    links: Vec<Found<Link>>,
    titled: Option<Titled>,
    /// Footnote name -> (number shown, references so far).
    numbers: HashMap<String, (usize, u32)>,
    defined: HashSet<String>,
    footnote: Option<String>,
    /// An HTML block being collected: its text, and (byte offset in it, byte offset in the page) for
    /// each piece, since a block inside a list or quote is not one slice of the page.
    html_block: Option<(String, Vec<(usize, usize)>)>,
}

/// The ids and links mdBook 0.5 produces for `text`.
pub fn scan(text: &str, md: Markdown) -> Scan {
    scan_with(text, md, &|_| false)
}

/// [`scan`], without the links in the ranges `trusted` accepts (text written by the tool,
/// whose links are checked another way). Raw HTML in such ranges is only searched for
/// `id="..."`, the one way the tool writes ids in HTML.
pub(crate) fn scan_with(text: &str, md: Markdown, trusted: &dyn Fn(Range<usize>) -> bool) -> Scan {
    let mut s = Scanner::new(trusted);
    // The parser mdBook's HTML renderer uses, with the same options.
    let mut events = pulldown_cmark::Parser::new_ext(text, md.parser_options()).into_offset_iter();
    while let Some((event, range)) = events.next() {
        match event {
            Event::Start(Tag::Heading { id, attrs, .. }) => {
                // mdBook copies the attributes first and the `#id` last, so `#id` wins.
                let mut explicit = None;
                for (k, v) in &attrs {
                    if k.as_ref() == "id" {
                        explicit = Some(v.as_deref().unwrap_or_default().to_string());
                    }
                }
                if let Some(id) = id {
                    explicit = Some(id.to_string());
                }
                s.titled = Some(Titled {
                    explicit,
                    text: String::new(),
                });
            }
            Event::Start(Tag::DefinitionListTitle) => {
                s.titled = Some(Titled {
                    explicit: None,
                    text: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_) | TagEnd::DefinitionListTitle) => {
                if let Some(t) = s.titled.take() {
                    let id = match t.explicit {
                        Some(id) => id,
                        None => unique_id(id_from_text(&t.text), &mut s.used),
                    };
                    s.push_id(id);
                }
            }
            Event::Html(t) | Event::Text(t) if s.html_block.is_some() => {
                if let Some((buf, pieces)) = &mut s.html_block {
                    pieces.push((buf.len(), range.start));
                    buf.push_str(&t);
                }
            }
            Event::Text(t) | Event::Code(t) => s.title_text(&t),
            Event::SoftBreak => s.title_text("\n"),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                id,
                ..
            }) => {
                let fixed = if link_type == LinkType::Email {
                    Some(format!("mailto:{dest_url}"))
                } else {
                    owned(fix_link(&dest_url))
                };
                let at = dest_range(text, range, &dest_url);
                let def = definition(text, events.reference_definitions(), &id, &dest_url);
                s.push_link(dest_url.into_string(), fixed, at, def, LinkKind::Link);
            }
            Event::Start(Tag::Image { dest_url, id, .. }) => {
                let fixed = owned(fix_link(&dest_url));
                let at = dest_range(text, range, &dest_url);
                let def = definition(text, events.reference_definitions(), &id, &dest_url);
                s.push_link(dest_url.into_string(), fixed, at, def, LinkKind::Image);
                // mdBook reads everything up to the end of the image as alt text: nothing
                // in it is rendered as an element, and none of it is heading text.
                skip_to_end(&mut events);
            }
            Event::Start(Tag::FootnoteDefinition(name)) => {
                if !s.defined.insert(name.to_string()) {
                    // mdBook keeps the first definition and drops the rest unread.
                    skip_to_end(&mut events);
                } else {
                    s.footnote = Some(name.to_string());
                }
            }
            Event::End(TagEnd::FootnoteDefinition) => s.footnote = None,
            Event::FootnoteReference(name) => {
                let next = s.numbers.len() + 1;
                let entry = s.numbers.entry(name.to_string()).or_insert((next, 0));
                entry.1 += 1;
                let (number, count) = *entry;
                s.push_id(format!("fr-{name}-{count}"));
                s.title_text(&number.to_string());
            }
            Event::Start(Tag::HtmlBlock) => {
                // The start of a block carries the range of the whole block.
                if (s.trusted)(range.clone()) {
                    s.generated_ids(&text[range]);
                    skip_to_end(&mut events);
                } else {
                    s.html_block = Some((String::new(), Vec::new()));
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some((buf, pieces)) = s.html_block.take() {
                    s.html(&buf, |at| {
                        let n = pieces.partition_point(|p| p.0 <= at).saturating_sub(1);
                        pieces.get(n).map_or(at, |p| p.1 + (at - p.0))
                    });
                }
            }
            Event::InlineHtml(t) => {
                if (s.trusted)(range.clone()) {
                    s.generated_ids(&t);
                } else {
                    let start = range.start;
                    s.html(&t, |at| start + at);
                }
            }
            _ => {}
        }
    }
    let referenced = |f: &Option<String>| f.as_ref().is_none_or(|n| s.numbers.contains_key(n));
    // Used definitions end the page, in the order of their numbers.
    let mut used: Vec<(usize, &String)> = s
        .defined
        .iter()
        .filter_map(|name| Some((s.numbers.get(name)?.0, name)))
        .collect();
    used.sort();
    let footnote_ids: Vec<String> = used
        .into_iter()
        .map(|(_, name)| format!("footnote-{name}"))
        .collect();
    for id in footnote_ids {
        s.ids.push(Found {
            value: id,
            footnote: None,
        });
    }
    let keep = |v: Vec<Found<String>>| {
        v.into_iter()
            .filter(|f| referenced(&f.footnote))
            .map(|f| f.value)
            .collect()
    };
    Scan {
        ids: keep(std::mem::take(&mut s.ids)),
        names: keep(std::mem::take(&mut s.names)),
        links: std::mem::take(&mut s.links)
            .into_iter()
            .filter(|f| referenced(&f.footnote))
            .map(|f| f.value)
            .collect(),
    }
}

/// The changed link, if [`fix_link`] changed it.
fn owned(link: Cow<'_, str>) -> Option<String> {
    match link {
        Cow::Borrowed(_) => None,
        Cow::Owned(s) => Some(s),
    }
}

/// Consumes events up to the end of the element just started.
fn skip_to_end<'a>(events: &mut impl Iterator<Item = (Event<'a>, Range<usize>)>) {
    let mut depth = 0usize;
    for (event, _) in events.by_ref() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 0 => return,
            Event::End(_) => depth -= 1,
            _ => {}
        }
    }
}

/// Where the definition of a reference-style link (label `id`) writes its destination.
fn definition(
    text: &str,
    defs: &pulldown_cmark::RefDefs<'_>,
    id: &str,
    dest: &str,
) -> Option<Range<usize>> {
    if id.is_empty() {
        return None;
    }
    let span = defs.get(id)?.span.clone();
    let src = text.get(span.clone())?;
    // The destination follows the label's `]:`.
    let after = src.find("]:")? + 2;
    let p = after + src[after..].find(dest).filter(|_| !dest.is_empty())?;
    Some(span.start + p..span.start + p + dest.len())
}

/// Where a link's destination is written inside the link's source range.
fn dest_range(text: &str, link: Range<usize>, dest: &str) -> Range<usize> {
    let src = &text[link.clone()];
    if dest.is_empty() {
        return link;
    }
    let found = src
        .find(&format!("]({dest}"))
        .map(|p| p + 2)
        .or_else(|| src.find(&format!("](<{dest}>")).map(|p| p + 3))
        .or_else(|| src.rfind(dest));
    match found {
        Some(p) => link.start + p..link.start + p + dest.len(),
        None => link,
    }
}

impl<'k> Scanner<'k> {
    fn new(trusted: &'k dyn Fn(Range<usize>) -> bool) -> Scanner<'k> {
        Scanner {
            trusted,
            used: HashSet::new(),
            ids: Vec::new(),
            names: Vec::new(),
            links: Vec::new(),
            titled: None,
            numbers: HashMap::new(),
            defined: HashSet::new(),
            footnote: None,
            html_block: None,
        }
    }

    fn title_text(&mut self, text: &str) {
        if let Some(t) = &mut self.titled {
            t.text.push_str(text);
        }
    }

    fn push_id(&mut self, id: String) {
        self.ids.push(Found {
            value: id,
            footnote: self.footnote.clone(),
        });
    }

    fn push_link(
        &mut self,
        written: String,
        fixed: Option<String>,
        range: Range<usize>,
        defined_at: Option<Range<usize>>,
        kind: LinkKind,
    ) {
        if (self.trusted)(range.clone()) {
            return;
        }
        self.links.push(Found {
            value: Link {
                written,
                fixed,
                range,
                defined_at,
                kind,
            },
            footnote: self.footnote.clone(),
        });
    }

    /// The ids of HTML the tool wrote: it writes them as ` id="..."` only, and escapes
    /// quotes in every attribute value, so a search finds exactly them.
    fn generated_ids(&mut self, html: &str) {
        for (at, _) in html.match_indices(" id=\"") {
            let value = &html[at + 5..];
            if let Some(end) = value.find('"') {
                self.push_id(html::decode(&value[..end]).into_owned());
            }
        }
    }

    /// Raw HTML: its ids, `<a name>`s and links; `at` turns a byte offset in `html` into a
    /// byte offset in the page.
    fn html(&mut self, html: &str, at: impl Fn(usize) -> usize) {
        html::tokenize(html, |t| match t {
            Token::Start { name, attrs } => {
                let is_a = name.eq_ignore_ascii_case("a");
                for a in attrs {
                    let attr = a.name;
                    if attr.eq_ignore_ascii_case("id") {
                        self.push_id(a.value().into_owned());
                    } else if is_a && attr.eq_ignore_ascii_case("name") {
                        self.names.push(Found {
                            value: a.value().into_owned(),
                            footnote: self.footnote.clone(),
                        });
                    } else if attr.eq_ignore_ascii_case("href")
                        || attr.eq_ignore_ascii_case("xlink:href")
                        || attr.eq_ignore_ascii_case("src")
                    {
                        let value = a.value().into_owned();
                        // mdBook fixes `.md` links of `<a>` elements only.
                        let fixed = if is_a { owned(fix_link(&value)) } else { None };
                        let kind = if attr.eq_ignore_ascii_case("src") {
                            LinkKind::Image
                        } else {
                            LinkKind::Link
                        };
                        let range = at(a.range.start)..at(a.range.end);
                        self.push_link(value, fixed, range, None, kind);
                    }
                }
            }
            // Text between tags matters only as heading text.
            Token::Text(t) => {
                if self.titled.is_some() {
                    self.title_text(&html::decode_text(t));
                }
            }
            Token::End { .. } => {}
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(md: &str) -> Vec<String> {
        scan(md, Markdown::default()).ids
    }

    #[test]
    fn ids_follow_mdbook() {
        // The cases mdBook's own tests use for its id function.
        assert_eq!(
            id_from_text("`--passes`: add more rustdoc passes"),
            "--passes-add-more-rustdoc-passes"
        );
        assert_eq!(
            id_from_text("Method-call 🐙 expressions \u{1f47c}"),
            "method-call--expressions-"
        );
        assert_eq!(id_from_text("中文標題 CJK title"), "中文標題-cjk-title");
        assert_eq!(id_from_text("Über"), "über");
        assert_eq!(id_from_text("  _-_12345 "), "_-_12345");
    }

    #[test]
    fn explicit_ids_are_not_counted_as_used() {
        let md =
            "# Foo\n\n## Foo {#foo}\n\n## Foo\n\n## Foo {#foo-1}\n\n## Foo\n\n## Bar {id=baz}\n";
        assert_eq!(ids(md), ["foo", "foo", "foo-1", "foo-1", "foo-2", "baz"]);
    }

    #[test]
    fn heading_text_includes_code_html_text_and_footnote_numbers_not_alt_text() {
        let md = "## `code` <span id=\"in\">Span</span> -- \"q\"\n\n## Img ![alt](x.png) here\n\n## Note[^n]\n\n[^n]: text\n";
        assert_eq!(
            ids(md),
            [
                "in",
                "code-span--q",
                "img--here",
                "fr-n-1",
                "note1",
                "footnote-n"
            ]
        );
    }

    #[test]
    fn smart_punctuation_changes_ids() {
        let plain = Markdown {
            smart_punctuation: false,
            ..Markdown::default()
        };
        assert_eq!(scan("# A -- B\n", plain).ids, ["a----b"]);
        assert_eq!(ids("# A -- B\n"), ["a--b"]);
    }

    #[test]
    fn definition_terms_and_raw_html_ids() {
        let md =
            "Term\n: def\n\n<div id=\"d\"><a name=\"n\" href=\"a.md#x\">x</a><h2>Raw</h2></div>\n";
        let s = scan(md, Markdown::default());
        assert_eq!(s.ids, ["term", "d"]);
        assert_eq!(s.names, ["n"]);
        assert_eq!(s.links[0].href(), "a.html#x");
        assert_eq!(&md[s.links[0].range.clone()], "a.md#x");
    }

    #[test]
    fn unused_footnotes_vanish_but_use_up_heading_ids() {
        let md = "# A\n\n[^u]: unused\n\n    # A\n\n    [in](gone.md)\n\nText[^n].\n\n[^n]: used\n\n# A\n";
        let s = scan(md, Markdown::default());
        assert_eq!(s.ids, ["a", "fr-n-1", "a-2", "footnote-n"]);
        assert!(s.links.is_empty());
    }

    #[test]
    fn links_are_fixed_like_mdbook_does() {
        assert_eq!(fix_link("a.md"), "a.html");
        assert_eq!(fix_link("dir/a.md#Frag"), "dir/a.html#Frag");
        assert_eq!(fix_link("a.md?q=1"), "a.html");
        assert_eq!(fix_link("a.mdx"), "a.html");
        assert_eq!(fix_link("#a.md"), "#a.md");
        assert_eq!(fix_link("https://x.org/a.md"), "https://x.org/a.md");
        assert_eq!(fix_link("HTTPS://x.org/a.md"), "HTTPS://x.org/a.html");
        assert_eq!(fix_link("pic.png"), "pic.png");
    }

    #[test]
    fn link_ranges_point_at_the_destination() {
        let md = "See [the b.md page](b.md \"b.md\"), ![i](<p q.png>) and [r].\n\n[r]: c.md\n";
        let s = scan(md, Markdown::default());
        let seen: Vec<&str> = s.links.iter().map(|l| &md[l.range.clone()]).collect();
        assert_eq!(seen, ["b.md", "p q.png", "[r]"]);
        assert_eq!(s.links[2].href(), "c.html");
        assert_eq!(&md[s.links[2].defined_at.clone().unwrap()], "c.md");
        assert_eq!(s.links[0].defined_at, None);
    }
}
