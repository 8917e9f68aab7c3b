//! Broken links: every link and image of every page of the book, checked against the
//! pages mdBook will write, the ids in them, and the files it copies from `src`. Pure:
//! pages and the list of files come in, findings and the links that leave the book go out.
//!
//! A link is checked the way a browser follows it in the built book: mdBook first turns
//! `x.md` into `x.html` (`scan::fix_link`), then the URL is resolved against the folder
//! of the page it is on. It must land on a page of the book, on one of the extra pages
//! mdBook writes (`index.html`, `print.html`, `toc.html`, `404.html`), or on a file under
//! `src` that mdBook copies (anything but `.md`); a folder works when it has an
//! `index.html`. A `#fragment` on a page must be one of the page's ids ([`scan`]).
//! Links with a scheme (`https:`, `mailto:`, ...) or starting with `//` leave the book and
//! are not fetched; they are returned so the caller can list them.
//!
//! Links the tool generates (tables, trace lists, `{{#techfile ref}}`) all point at the
//! anchor of an item or catalog entry on the page that hosts it, so instead of reading
//! tens of thousands of them back, each such [`Anchor`] is checked once: it is missing
//! only when text above it on its page leaves a code or HTML block open and hides its
//! heading. Everything users wrote is read and checked link by link. Pages are read only
//! when that can find something: when users' text on them could hold a link (`[` or `<`)
//! or hide a heading (a code fence or `<`), or when a link needs their ids.

pub mod html;
pub mod scan;

use crate::diag::{Code, Diagnostic};
use crate::model::{FileId, Span};
use crate::render::Mapped;
use crate::suggest::closest;
use scan::{LinkKind, Scan};
use std::collections::{BTreeSet, HashMap, HashSet};

pub use scan::Markdown;

/// The pages of a book as the link check reads them. The text of a page is asked for
/// only when reading it can find something, so an implementation may render pages lazily,
/// from several threads at once.
pub trait Pages: Sync {
    /// How many pages there are, in book order.
    fn len(&self) -> usize;
    /// Whether there are no pages.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Path relative to `src` as mdBook renders it, with forward slashes (a `README.md`
    /// chapter is already `index.md`, as mdBook's `index` preprocessor renames it).
    fn path(&self, n: usize) -> &str;
    /// The chapter file the page is made from (`None` for a generated page). Text from
    /// other files, such as item bodies, is shown on this page and its links resolve from
    /// here, which findings then say.
    fn file(&self, n: usize) -> Option<FileId>;
    /// False when mdBook may add text this run cannot see (an `{{#include}}` in a chapter
    /// another preprocessor changed), so the page's ids are not all known and fragments
    /// pointing at it are not checked.
    fn ids_known(&self, n: usize) -> bool;
    /// The text users wrote that the page shows (more is fine, less is not): whether the
    /// page can hold a link or hide a heading is decided from it.
    fn user_text(&self, n: usize) -> Vec<&str>;
    /// The final Markdown of the page, mapped back to what users wrote.
    fn content(&self, n: usize) -> &Mapped;
    /// The anchors of the items and catalog entries placed on the page, which generated
    /// links point at.
    fn anchors(&self, n: usize) -> Vec<Anchor>;
    /// The ID of the item whose file a link to `path` (as written, decoded) on a page in
    /// folder `dir` (relative to `src`) names: item files are not pages, and the link the
    /// author meant is `{{#techfile ref ID}}`.
    fn item_file(&self, dir: &str, path: &str) -> Option<ItemFile<'_>> {
        let _ = (dir, path);
        None
    }
}

/// The item a link to a `.md` file outside the pages names (see [`Pages::item_file`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemFile<'a> {
    /// The item's ID.
    pub id: &'a str,
    /// How the link names it.
    pub by: NamedBy<'a>,
}

/// How a link names an item's file (see [`ItemFile`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedBy<'a> {
    /// The link leads to the item's file, or ends with its path.
    Path,
    /// No item file is at the path, but the file name is the item's ID plus `.md`
    /// (`../tests/TST-002.md` for an item in `test/TST-002.md`): the path is wrong too.
    Id,
    /// No item file is at the path, but the file name (given) is that of exactly one item
    /// file, whose ID is another: the path is wrong too.
    FileName(&'a str),
}

/// The help for a link to an item's file.
fn item_file_help(item: ItemFile<'_>) -> String {
    let id = item.id;
    let directive = format!("`{{{{#techfile ref {id}}}}}`");
    let wrong = "no item file is at this path (the folder is wrong)";
    match item.by {
        NamedBy::Path => format!(
            "`{id}` is an item: its file is not a page of the book, but the item is shown where the book places it; link to it with {directive}"
        ),
        NamedBy::Id => format!(
            "{wrong}, but the file name is the ID of the item `{id}`, whose file is not a page of the book; the item is shown where the book places it, so link to it with {directive}"
        ),
        NamedBy::FileName(name) => format!(
            "{wrong}, but `{name}` is the file of the item `{id}`, which is not a page of the book; the item is shown where the book places it, so link to it with {directive}"
        ),
    }
}

/// One page already rendered; a `Vec` of them is [`Pages`].
#[derive(Clone, Copy, Debug)]
pub struct Page<'a> {
    /// Path relative to `src` as mdBook renders it, with forward slashes (a `README.md`
    /// chapter is already `index.md`, as mdBook's `index` preprocessor renames it).
    pub path: &'a str,
    /// The final Markdown, mapped back to what the user wrote.
    pub content: &'a Mapped,
    /// The chapter file the page is made from (`None` for a generated page). Text from
    /// other files, such as item bodies, is shown on this page, and its links resolve
    /// from here, which findings then say.
    pub file: Option<FileId>,
    /// False when mdBook may add text this run cannot see, so the page's ids are not all
    /// known and fragments pointing at it are not checked.
    pub ids_known: bool,
}

impl Pages for Vec<Page<'_>> {
    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn path(&self, n: usize) -> &str {
        self[n].path
    }

    fn file(&self, n: usize) -> Option<FileId> {
        self[n].file
    }

    fn ids_known(&self, n: usize) -> bool {
        self[n].ids_known
    }

    fn user_text(&self, n: usize) -> Vec<&str> {
        self[n].content.copied().collect()
    }

    fn content(&self, n: usize) -> &Mapped {
        self[n].content
    }

    fn anchors(&self, _: usize) -> Vec<Anchor> {
        Vec::new()
    }
}

/// The anchor of an item or catalog entry on the page that hosts it: what generated
/// links point at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub(crate) anchor: String,
    pub(crate) id: String,
    /// Where the ID is defined (`None` for catalog entries), or the directive that placed
    /// an SBOM.
    pub(crate) span: Option<Span>,
    /// The anchor is a heading's id (an item or catalog entry); else an HTML element's
    /// (an SBOM or one of its component rows).
    pub(crate) heading: bool,
}

/// How to check.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// How mdBook renders Markdown (`[output.html]` settings that change heading ids).
    pub markdown: Markdown,
    /// Read every generated link too, instead of checking each [`Anchor`] once (slower;
    /// tests use it to show that generated links resolve).
    pub generated_links: bool,
}

/// A link that leaves the book, for the optional report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct External {
    /// The destination as written (`https://...`, `mailto:...`).
    pub url: String,
    /// Where the link is written; `None` when it is in generated text.
    pub span: Option<Span>,
}

/// What a link's URL reaches in the built book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Page(usize),
    /// A file that exists but whose ids are not checked (an image, `print.html`, ...).
    File,
    External,
    Outside(Outside),
    Missing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outside {
    /// `/x`: where it leads depends on where the book is served.
    Absolute,
    /// `../` past `src`: nothing outside `src` is copied into the book.
    AboveSrc,
}

/// Files the HTML renderer writes besides the pages (their ids are not checked).
const RENDERER_FILES: &[&str] = &["print.html", "toc.html", "404.html"];

/// At most this many broken links get a "did you mean" help line: the search costs time,
/// and a book with thousands of broken links has a bigger problem than typos.
const SUGGESTIONS: usize = 100;

/// What users wrote on a page could hold a link (`[` or `<`), and could leave a block open
/// that hides the headings after it: a fenced code block, or an HTML block of the kinds a
/// blank line does not end (`<`).
fn could(pages: &dyn Pages, n: usize) -> (bool, bool) {
    let (mut link, mut hide) = (false, false);
    // One pass over the bytes: item bodies of a large book are megabytes.
    for t in pages.user_text(n) {
        let b = t.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            match c {
                b'<' => return (true, true),
                b'[' => link = true,
                b'`' | b'~' if b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c) => hide = true,
                _ => continue,
            }
            if link && hide {
                return (true, true);
            }
        }
    }
    (link, hide)
}

/// Checks every link of every page, and the anchors generated links point at. `files`
/// holds every file under `src` (paths relative to it, forward slashes). Returns the links
/// that leave the book, in page order, and a finding for each broken link or missing
/// anchor.
pub fn check(
    pages: &dyn Pages,
    files: &BTreeSet<String>,
    options: Options,
) -> (Vec<External>, Vec<Diagnostic>) {
    let mut book = Book::new(pages, files);
    let could: Vec<(bool, bool)> = (0..pages.len()).map(|n| could(pages, n)).collect();
    // First the pages whose own links need checking...
    let linking: Vec<usize> = (0..pages.len())
        .filter(|&n| options.generated_links || could[n].0)
        .collect();
    book.scan(&linking, options);
    // ...then the pages whose ids are needed: those linked with a fragment, and those
    // where users' text may hide a generated anchor.
    let fragments = book.fragment_links(&linking);
    let mut wanted: BTreeSet<usize> = fragments.iter().map(|(p, _)| *p).collect();
    let anchors: Vec<(usize, Vec<Anchor>)> = (0..pages.len())
        .filter(|&n| could[n].1)
        .map(|n| (n, pages.anchors(n)))
        .filter(|(_, a)| !a.is_empty())
        .collect();
    wanted.extend(anchors.iter().map(|(n, _)| *n));
    let more: Vec<usize> = wanted
        .into_iter()
        .filter(|&p| book.scans[p].is_none())
        .collect();
    book.scan(&more, options);
    // A broken anchor's help names the page that has the id, if any: read them all.
    if fragments.iter().any(|(p, f)| !book.has_id(*p, f)) {
        let rest: Vec<usize> = (0..pages.len())
            .filter(|&p| book.scans[p].is_none())
            .collect();
        book.scan(&rest, options);
    }

    let mut external = Vec::new();
    let mut diags = Vec::new();
    let mut suggestions = 0;
    for &n in &linking {
        book.check_page(n, &mut external, &mut diags, &mut suggestions);
    }
    for (p, list) in &anchors {
        for a in list {
            if !book.has_id(*p, &a.anchor) {
                diags.push(
                    Diagnostic::new(
                        Code::BrokenAnchor,
                        format!(
                            "the anchor `#{}` of `{}` is missing from `{}`",
                            a.anchor,
                            a.id,
                            pages.path(*p)
                        ),
                    )
                    .at_opt(a.span, if a.heading {
                        "its heading is hidden, so every generated link to it is broken"
                    } else {
                        "its table is hidden, so every generated link to it is broken"
                    })
                    .help(if a.heading {
                        "text above the heading on that page (the body of an item before it, or the chapter's own text) leaves a code block or an HTML block open, which swallows the heading: close it"
                    } else {
                        "text above the table on that page (the chapter's own text, or the body of an item before it) leaves a code block or an HTML block open, which swallows the table: close it"
                    }),
                );
            }
        }
    }
    (external, diags)
}

/// Scans the pages on every core: the pages of a large book are megabytes of Markdown.
fn scan_all(pages: &dyn Pages, which: &[usize], options: Options) -> Vec<(usize, Scan)> {
    let scan_one = |i: usize| {
        let content = pages.content(i);
        let trusted =
            |r: std::ops::Range<usize>| !options.generated_links && content.is_generated(r);
        (
            i,
            scan::scan_with(&content.text, options.markdown, &trusted),
        )
    };
    // Generated pages, the biggest, come last in the book, so they are started first;
    // rayon then balances the rest (one big page does not leave a core idle).
    use rayon::prelude::*;
    let mut done: Vec<(usize, Scan)> = which.par_iter().rev().map(|&i| scan_one(i)).collect();
    done.reverse();
    done
}

/// The book as links see it.
struct Book<'a> {
    pages: &'a dyn Pages,
    /// What was read of each page, once it was needed.
    scans: Vec<Option<Scan>>,
    /// Ids and `<a name>`s of each page read.
    ids: Vec<HashSet<String>>,
    /// Page of each HTML path (`dir/page.html`), `index.html` included.
    html: HashMap<String, usize>,
    files: &'a BTreeSet<String>,
    /// Folders that hold a file or a page.
    dirs: HashSet<String>,
}

impl<'a> Book<'a> {
    fn new(pages: &'a dyn Pages, files: &'a BTreeSet<String>) -> Book<'a> {
        let mut html: HashMap<String, usize> = HashMap::new();
        for n in 0..pages.len() {
            html.entry(html_path(pages.path(n))).or_insert(n);
        }
        // mdBook also writes the first page as `index.html`, unless a page is `index.md`.
        if !pages.is_empty() {
            html.entry("index.html".into()).or_insert(0);
        }
        let mut dirs = HashSet::new();
        for path in files
            .iter()
            .map(String::as_str)
            .chain((0..pages.len()).map(|n| pages.path(n)))
        {
            let mut d = parent(path);
            while !d.is_empty() && dirs.insert(d.to_string()) {
                d = parent(d);
            }
        }
        Book {
            pages,
            scans: vec![None; pages.len()],
            ids: vec![HashSet::new(); pages.len()],
            html,
            files,
            dirs,
        }
    }

    /// Reads the pages `which`.
    fn scan(&mut self, which: &[usize], options: Options) {
        for (n, mut s) in scan_all(self.pages, which, options) {
            let mut ids: HashSet<String> = std::mem::take(&mut s.ids).into_iter().collect();
            ids.extend(std::mem::take(&mut s.names));
            self.ids[n] = ids;
            self.scans[n] = Some(s);
        }
    }

    /// The page and fragment of every link with a fragment on the pages `which`.
    fn fragment_links(&self, which: &[usize]) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for &n in which {
            let Some(s) = &self.scans[n] else { continue };
            let dir = parent(self.pages.path(n));
            for link in &s.links {
                let (path, fragment) = split_url(link.href());
                if let (Some(f), Target::Page(p)) = (fragment, self.resolve(n, dir, path))
                    && !f.is_empty()
                {
                    out.push((p, f.to_string()));
                }
            }
        }
        out
    }

    /// Checks the links of page `n`, which has been read.
    fn check_page(
        &self,
        n: usize,
        external: &mut Vec<External>,
        diags: &mut Vec<Diagnostic>,
        suggestions: &mut usize,
    ) {
        let pages = self.pages;
        let Some(s) = &self.scans[n] else { return };
        let path = pages.path(n);
        let dir = parent(path);
        let content = pages.content(n);
        let file = pages.file(n);
        // Generated tables link to the same few pages thousands of times.
        let mut targets: HashMap<&str, Target> = HashMap::new();
        for link in &s.links {
            let span = content.span_of(link.range.clone());
            // Text copied from elsewhere (an item body) is read from this page's folder.
            let shown_here = match span {
                Some(sp) if Some(sp.file) != file => {
                    format!(" (this text is shown on `{path}`)")
                }
                _ => String::new(),
            };
            let href = link.href();
            let (path, fragment) = split_url(href);
            let target = *targets
                .entry(path)
                .or_insert_with(|| self.resolve(n, dir, path));
            let mut suggest = || {
                *suggestions += 1;
                *suggestions <= SUGGESTIONS
            };
            let finding = match target {
                Target::External => {
                    if !href.starts_with("data:") {
                        external.push(External {
                            url: href.to_string(),
                            span,
                        });
                    }
                    continue;
                }
                Target::File => continue,
                Target::Page(p) => match fragment {
                    Some(f) if !self.has_id(p, f) => {
                        let help = if suggest() {
                            self.anchor_help(n, p, &link.written, f)
                        } else {
                            None
                        };
                        let label = if p == n {
                            format!("no heading or element on this page has this id{shown_here}")
                        } else {
                            format!("no heading or element on `{}` has this id", pages.path(p))
                        };
                        let message = if link.written.starts_with('#') {
                            format!("broken anchor `#{f}`")
                        } else {
                            format!("broken anchor `#{f}` in link `{}`", link.written)
                        };
                        Diagnostic::new(Code::BrokenAnchor, message)
                            .at_opt(span, label)
                            .help(help.unwrap_or_else(|| {
                                "link to a heading of that page: its id is the heading text in lower case, with `-` for spaces and punctuation dropped, or the `{#id}` written after it".into()
                            }))
                    }
                    _ => continue,
                },
                Target::Outside(why) => {
                    // As written: mdBook has turned `.md` into `.html` in `href`.
                    let item = pages.item_file(dir, &percent_decode(split_url(&link.written).0));
                    // The path leaves src, so whether a file is there is not known here; a
                    // link whose file name names an item still means the item.
                    let (label, help) = match why {
                        Outside::Absolute => (
                            "an absolute path: where it leads depends on where the book is served",
                            "use a path relative to this page, or a full URL",
                        ),
                        Outside::AboveSrc => (
                            "this path leaves the book's src folder, which is all the built book holds",
                            "copy the file into src and link to the copy, or link to it with a full URL",
                        ),
                    };
                    Diagnostic::new(
                        Code::LinkOutsideBook,
                        format!("link `{}` leaves the book", link.written),
                    )
                    .at_opt(span, format!("{label}{shown_here}"))
                    .help(item.map_or_else(|| help.to_string(), item_file_help))
                }
                Target::Missing => {
                    let wanted = self.wanted(dir, &link.written);
                    let help =
                        match pages.item_file(dir, &percent_decode(split_url(&link.written).0)) {
                            Some(id) => Some(item_file_help(id)),
                            None if suggest() => self.missing_help(dir, &wanted),
                            None => None,
                        };
                    let what = match link.kind {
                        LinkKind::Image => "image",
                        LinkKind::Link => "link",
                    };
                    Diagnostic::new(
                        Code::BrokenLink,
                        format!("broken {what} `{}`", link.written),
                    )
                    .at_opt(
                        span,
                        format!("`{wanted}` is not a page or file of the book{shown_here}"),
                    )
                    .help(help.unwrap_or_else(|| {
                        "link to a chapter listed in SUMMARY.md (as `chapter.md`), or to a file under src".into()
                    }))
                }
            };
            // A reference-style link's destination is written in its definition.
            let defined = link.defined_at.clone().and_then(|r| content.span_of(r));
            let mut finding = match defined {
                Some(d) if Some(d) != span => {
                    finding.with_label(d, "the destination is written here")
                }
                _ => finding,
            };
            // Text an `{{#include}}` brought in names the chapter line that includes it.
            if let Some(via) = content.included_at(link.range.start).first() {
                finding = finding.with_label(*via, "included here");
            }
            diags.push(finding);
        }
    }

    fn has_id(&self, page: usize, fragment: &str) -> bool {
        if fragment.is_empty() || !self.pages.ids_known(page) {
            return true;
        }
        let ids = &self.ids[page];
        // Browsers try the fragment as written, then percent-decoded; `#top` always
        // reaches the top of the page.
        ids.contains(fragment)
            || ids.contains(&percent_decode(fragment))
            || fragment.eq_ignore_ascii_case("top")
    }

    /// What the URL `path` (no query or fragment) on the page `from`, in folder `dir`,
    /// reaches.
    fn resolve(&self, from: usize, dir: &str, path: &str) -> Target {
        if path.starts_with("//") || has_scheme(path) {
            return Target::External;
        }
        if path.is_empty() {
            return Target::Page(from);
        }
        if path.starts_with('/') {
            return Target::Outside(Outside::Absolute);
        }
        let Some((joined, is_dir)) = join(dir, &percent_decode(path)) else {
            return Target::Outside(Outside::AboveSrc);
        };
        if is_dir {
            return self.folder(&joined);
        }
        if let Some(&p) = self.html.get(&joined) {
            return Target::Page(p);
        }
        if RENDERER_FILES.contains(&joined.as_str())
            || (self.files.contains(&joined) && !joined.ends_with(".md"))
        {
            return Target::File;
        }
        if self.dirs.contains(&joined) {
            return self.folder(&joined);
        }
        Target::Missing
    }

    /// A folder link reaches the folder's `index.html`.
    fn folder(&self, dir: &str) -> Target {
        let index = if dir.is_empty() {
            "index.html".to_string()
        } else {
            format!("{dir}/index.html")
        };
        match self.html.get(&index) {
            Some(&p) => Target::Page(p),
            None if self.files.contains(&index) => Target::File,
            None => Target::Missing,
        }
    }

    /// The path (relative to `src`) the author meant, for messages: the link as written
    /// (`.md`, not the `.html` mdBook makes of it), resolved against the page's folder.
    fn wanted(&self, dir: &str, written: &str) -> String {
        let (path, _) = split_url(written);
        match join(dir, &percent_decode(path)) {
            Some((p, true)) if p.is_empty() => "./".into(),
            Some((p, true)) => format!("{p}/"),
            Some((p, false)) => p,
            None => path.to_string(),
        }
    }

    fn missing_help(&self, dir: &str, wanted: &str) -> Option<String> {
        let name = wanted.rsplit('/').next().unwrap_or(wanted);
        let folder = parent(wanted);
        let in_folder = |f: &str| {
            if folder.is_empty() {
                f.to_string()
            } else {
                format!("{folder}/{f}")
            }
        };
        if name.eq_ignore_ascii_case("readme.md")
            && self.html.contains_key(&in_folder("index.html"))
        {
            return Some(format!(
                "mdBook renders `{name}` as `index.html`, so the link must name it `{}`",
                relative(dir, &in_folder("index.md"))
            ));
        }
        if wanted.ends_with(".md") && self.files.contains(wanted) {
            return Some(format!(
                "`{wanted}` exists but is not listed in SUMMARY.md, so mdBook renders no page for it: add it to SUMMARY.md"
            ));
        }
        if wanted.ends_with('/') {
            return Some(
                "the folder has no `index.md` chapter (or `index.html` file) to show; link to a page in it"
                    .into(),
            );
        }
        // Links written as `.html` get suggestions in that form.
        let html = wanted.ends_with(".html");
        let pages = (0..self.pages.len()).map(|n| {
            let p = self.pages.path(n);
            if html { html_path(p) } else { p.to_string() }
        });
        let candidates: Vec<String> = pages
            .chain(self.files.iter().filter(|f| !f.ends_with(".md")).cloned())
            .collect();
        // The right name in another folder: the link is relative to the wrong place.
        let same_name = candidates
            .iter()
            .find(|c| c.rsplit('/').next() == Some(name) && c.as_str() != wanted);
        let suggestion = same_name
            .map(String::as_str)
            .or_else(|| closest(wanted, candidates.iter().map(String::as_str)));
        suggestion.map(|c| format!("did you mean `{}`?", relative(dir, c)))
    }

    /// Help for a fragment missing on page `to`: the closest id there, or the page that
    /// has it.
    fn anchor_help(&self, from: usize, to: usize, written: &str, fragment: &str) -> Option<String> {
        let (base, _) = written.split_once('#').unwrap_or((written, ""));
        let ids = &self.ids[to];
        let decoded = percent_decode(fragment);
        if let Some(id) = closest(&decoded, ids.iter().map(String::as_str)) {
            return Some(format!("did you mean `{base}#{id}`?"));
        }
        let mut elsewhere = self
            .ids
            .iter()
            .enumerate()
            .filter(|(n, set)| *n != to && (set.contains(fragment) || set.contains(&decoded)));
        let (n, _) = elsewhere.next()?;
        let target = self.pages.path(n);
        let link = if n == from {
            format!("#{fragment}")
        } else {
            format!(
                "{}#{fragment}",
                relative(parent(self.pages.path(from)), target)
            )
        };
        Some(format!(
            "`#{fragment}` is on `{target}`: did you mean `{link}`?"
        ))
    }
}

/// The HTML file mdBook writes for a chapter: its path with the extension replaced.
fn html_path(path: &str) -> String {
    let name_start = path.rfind('/').map_or(0, |p| p + 1);
    let stem_end = match path[name_start..].rfind('.') {
        Some(0) | None => path.len(),
        Some(p) => name_start + p,
    };
    format!("{}.html", &path[..stem_end])
}

/// The folder of a path relative to `src` (`""` at the top).
fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |p| &path[..p])
}

/// Splits `path?query#fragment` into the path and the fragment.
fn split_url(url: &str) -> (&str, Option<&str>) {
    let (before, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let path = before.split_once('?').map_or(before, |(p, _)| p);
    (path, fragment)
}

/// A URL scheme (`https:`, `mailto:`, `C:`), in any case, as a browser reads it.
fn has_scheme(url: &str) -> bool {
    let b = url.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    for &c in &b[1..] {
        match c {
            b':' => return true,
            c if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-') => {}
            _ => return false,
        }
    }
    false
}

/// `%xx` escapes decoded as UTF-8 (invalid sequences replaced, a `%` without two hex
/// digits kept), as a browser does before asking for a file or looking up an id.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// `path` resolved against the folder `dir` (both relative to `src`), with `.` and `..`
/// removed. Returns the path and whether it names a folder (a trailing `/`, `.` or `..`),
/// or `None` when it climbs out of `src`.
fn join(dir: &str, path: &str) -> Option<(String, bool)> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let mut is_dir = false;
    for seg in path.split('/') {
        is_dir = false;
        match seg {
            "" | "." => is_dir = true,
            ".." => {
                parts.pop()?;
                is_dir = true;
            }
            s => parts.push(s),
        }
    }
    Some((parts.join("/"), is_dir))
}

/// A link from a page in folder `dir` to `target` (both relative to `src`).
fn relative(dir: &str, target: &str) -> String {
    let from: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let to: Vec<&str> = target.split('/').collect();
    let common = from
        .iter()
        .zip(&to)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to.len().saturating_sub(1));
    let mut out = "../".repeat(from.len() - common);
    out.push_str(&to[common..].join("/"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_text(text: &str) -> Mapped {
        let mut m = Mapped::new();
        m.push_copied(text, FileId(0), 0);
        m
    }

    fn run(pages: &[(&str, &str)], files: &[&str]) -> (Vec<External>, Vec<Diagnostic>) {
        let texts: Vec<Mapped> = pages.iter().map(|(_, t)| page_text(t)).collect();
        let pages: Vec<Page<'_>> = pages
            .iter()
            .zip(&texts)
            .map(|((path, _), content)| Page {
                path,
                content,
                file: Some(FileId(0)),
                ids_known: true,
            })
            .collect();
        let files: BTreeSet<String> = files.iter().map(|s| s.to_string()).collect();
        check(&pages, &files, Options::default())
    }

    fn codes(diags: &[Diagnostic]) -> Vec<(&'static str, String)> {
        diags
            .iter()
            .map(|d| (d.code.as_str(), d.message.clone()))
            .collect()
    }

    #[test]
    fn valid_links_of_every_kind_pass() {
        let intro = "# Intro\n\n## Part two\n\
            [a](a.md) [a](a.html) [b](sub/b.md#deep) [self](#part-two) [top](#top) [q](a.md?x=1#a-heading)\n\
            ![img](img/p%20q.png) [dir](sub/) [dir2](sub) [idx](index.html) [print](print.html)\n\
            [web](https://example.org/x.md) [mail](mailto:a@b.c) [proto](//cdn.example.org/x)\n\
            <a href=\"sub/b.md#deep\">raw</a> <img src=\"img/p q.png\"> [enc](#%C3%BCber)\n\n## Über\n";
        let (ext, diags) = run(
            &[
                ("intro.md", intro),
                ("a.md", "# A heading\n"),
                ("sub/b.md", "# Deep\n[up](../a.md#a-heading) [idx](./)\n"),
                ("sub/index.md", "# Index\n"),
            ],
            &["img/p q.png"],
        );
        assert!(diags.is_empty(), "{:?}", codes(&diags));
        let urls: Vec<&str> = ext.iter().map(|e| e.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://example.org/x.md",
                "mailto:a@b.c",
                "//cdn.example.org/x"
            ]
        );
    }

    #[test]
    fn broken_links_anchors_and_escapes_are_reported() {
        let (_, diags) = run(
            &[
                ("index.md", "# Home\n"),
                (
                    "ch/a.md",
                    "# A\n[x](b.md) [y](../index.md#hom) [z](../../out.md) [w](/abs.md) [i](missing.png) [s](#nope) [r](../README.md) [n](notlisted.md)\n",
                ),
            ],
            &["ch/notlisted.md"],
        );
        let got = codes(&diags);
        let names: Vec<&str> = got.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            names,
            [
                "broken-link",
                "broken-anchor",
                "link-outside-book",
                "link-outside-book",
                "broken-link",
                "broken-anchor",
                "broken-link",
                "broken-link"
            ],
            "{got:?}"
        );
        assert_eq!(
            diags[1].help.as_deref(),
            Some("did you mean `../index.md#home`?")
        );
        assert!(
            diags[6].help.as_deref().unwrap().contains("`../index.md`"),
            "{:?}",
            diags[6].help
        );
        assert!(
            diags[7]
                .help
                .as_deref()
                .unwrap()
                .contains("not listed in SUMMARY.md")
        );
    }

    #[test]
    fn fragments_found_on_another_page_are_suggested() {
        let (_, diags) = run(
            &[
                ("a.md", "# A\n[x](#req-sm-001)\n"),
                (
                    "techfile/requirements.md",
                    "## REQ-SM-001: T {#req-sm-001}\n",
                ),
            ],
            &[],
        );
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].help.as_deref(),
            Some(
                "`#req-sm-001` is on `techfile/requirements.md`: did you mean `techfile/requirements.md#req-sm-001`?"
            )
        );
    }

    #[test]
    fn fragments_into_pages_with_unseen_text_are_not_checked() {
        let texts = [
            page_text("# A\n[x](b.md#from-an-include) [y](c.md)\n"),
            page_text("# B\n"),
        ];
        let pages: Vec<Page<'_>> = ["a.md", "b.md"]
            .iter()
            .zip(&texts)
            .enumerate()
            .map(|(n, (path, content))| Page {
                path,
                content,
                file: Some(FileId(0)),
                ids_known: n == 0,
            })
            .collect();
        let (_, diags) = check(&pages, &BTreeSet::new(), Options::default());
        assert_eq!(
            codes(&diags),
            [("broken-link", "broken link `c.md`".to_string())]
        );
    }

    #[test]
    fn paths_resolve_like_a_browser() {
        assert_eq!(join("a/b", "../c.html"), Some(("a/c.html".into(), false)));
        assert_eq!(join("a", "./"), Some(("a".into(), true)));
        assert_eq!(join("", "../x"), None);
        assert_eq!(split_url("a.html?x=1#f"), ("a.html", Some("f")));
        assert_eq!(percent_decode("p%20q%C3%BC%zz"), "p qü%zz");
        // Invalid UTF-8 is replaced, a lone or truncated `%` kept.
        assert_eq!(percent_decode("a%FFb%2"), "a\u{fffd}b%2");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(relative("a/b", "a/c.md"), "../c.md");
        assert_eq!(relative("", "a/c.md"), "a/c.md");
        assert_eq!(relative("a", "a/c.md"), "c.md");
        assert_eq!(html_path("dir/x.md"), "dir/x.html");
        assert_eq!(html_path("dir.v1/x"), "dir.v1/x.html");
        assert!(has_scheme("HTTPS://x") && has_scheme("mailto:x") && !has_scheme("a/b:c"));
    }
}
