//! The copy of mdBook's print view that is printed to PDF: the page style injected, the
//! cover and the table of contents in front, every collapsed `<details>` opened (a PDF
//! cannot expand them), and each preformatted block told its longest line so the page
//! style can scale it to the page instead of wrapping a diagram.
//!
//! mdBook's print view (`print.html`, mdBook 0.5) holds every chapter in one `<main>`,
//! separated by an empty `<div>` with a page break before it. Headings keep the ids they
//! have on the chapter pages and link to themselves, so Chromium writes a named
//! destination for each, which `super::outline` reads back as page numbers.

use crate::render::{cover, html};
use std::collections::BTreeMap;
use std::fmt::Write;

/// What mdBook writes between two chapters of the print view.
const CHAPTER_BREAK: &str = "<div style=\"break-before: page; page-break-before: always;\"></div>";

/// One line of the book's summary, in order: a part title or a chapter that is printed
/// (draft chapters have no page and are left out by the caller).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A part title of SUMMARY.md (a `# Heading` between chapters).
    Part(String),
    /// A numbered or unnumbered chapter.
    Chapter {
        /// The section number mdBook shows (`2.1.`), if numbering is on.
        number: Option<String>,
        /// The chapter's name as SUMMARY.md writes it.
        name: String,
        /// 0 for a top-level chapter, 1 for its sub-chapters, and so on.
        depth: usize,
    },
}

/// A heading of the print view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    pub(crate) level: u8,
    pub(crate) id: String,
    /// The text, tags removed and character references decoded.
    pub(crate) text: String,
    /// Index of the chapter it is in (chapters are counted in print order from 0).
    pub(crate) chapter: usize,
}

/// One entry of the table of contents and the PDF outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// Nesting in the outline: 0 at the top.
    pub(crate) depth: usize,
    pub(crate) title: String,
    /// The id of the heading it leads to.
    pub id: String,
    /// A part title of the summary (printed bold, without its own heading in the text).
    pub(crate) part: bool,
}

/// Decodes the character references mdBook and pulldown-cmark write.
pub(crate) fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let n = if let Some(h) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                        u32::from_str_radix(h, 16).ok()
                    } else {
                        name.strip_prefix('#').and_then(|d| d.parse().ok())
                    };
                    n.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of an HTML fragment: tags removed, references decoded, white space collapsed.
fn text_of(fragment: &str) -> String {
    let mut raw = String::with_capacity(fragment.len());
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => raw.push(c),
            _ => {}
        }
    }
    decode_entities(&raw)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `<main>` element's content range, where the chapters are.
fn main_range(page: &str) -> Option<(usize, usize)> {
    let open = page.find("<main>")? + "<main>".len();
    let close = page.rfind("</main>")?;
    (open <= close).then_some((open, close))
}

/// Every heading with an id in the chapters of the print view, in order.
pub fn headings(page: &str) -> Vec<Heading> {
    let Some((start, end)) = main_range(page) else {
        return Vec::new();
    };
    let main = &page[start..end];
    let breaks: Vec<usize> = main.match_indices(CHAPTER_BREAK).map(|(i, _)| i).collect();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = main[from..].find("<h") {
        let pos = from + at;
        from = pos + 2;
        let level = main.as_bytes().get(pos + 2).copied().unwrap_or(0);
        if !(b'1'..=b'6').contains(&level) {
            continue;
        }
        let tag_end = match main[pos..].find('>') {
            Some(e) => pos + e,
            None => break,
        };
        let tag = &main[pos..tag_end];
        let Some(id) = attribute(tag, "id") else {
            continue;
        };
        let close = format!("</h{}>", level as char);
        let Some(content_end) = main[tag_end..].find(&close).map(|e| tag_end + e) else {
            continue;
        };
        out.push(Heading {
            level: level - b'0',
            id: decode_entities(id),
            text: text_of(&main[tag_end + 1..content_end]),
            chapter: breaks.iter().take_while(|&&b| b < pos).count(),
        });
        from = content_end;
    }
    out
}

/// The value of a double-quoted attribute of a start tag.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let needle = format!(" {name}=\"");
    let at = tag.find(&needle)? + needle.len();
    let len = tag[at..].find('"')?;
    Some(&tag[at..at + len])
}

/// The outline of the book: part titles, chapters (with their numbers) and the level-1 and
/// level-2 headings inside each chapter as its sections. When the print view does not
/// have one block per chapter (a layout this tool does not know), the headings alone
/// make the outline: level 1 as chapters, level 2 as sections.
pub fn marks(entries: &[Entry], headings: &[Heading]) -> Vec<Mark> {
    let chapters = entries
        .iter()
        .filter(|e| matches!(e, Entry::Chapter { .. }))
        .count();
    let blocks = headings.last().map_or(0, |h| h.chapter + 1);
    let mut out = Vec::new();
    if chapters == 0 || blocks > chapters {
        for h in headings.iter().filter(|h| h.level <= 2) {
            out.push(Mark {
                depth: usize::from(h.level - 1),
                title: h.text.clone(),
                id: h.id.clone(),
                part: false,
            });
        }
        return out;
    }
    let mut pending_part: Option<String> = None;
    let mut in_part = false;
    let mut chapter = 0;
    for e in entries {
        match e {
            Entry::Part(title) => {
                pending_part = Some(title.clone());
                in_part = true;
            }
            Entry::Chapter {
                number,
                name,
                depth,
            } => {
                let inside: Vec<&Heading> =
                    headings.iter().filter(|h| h.chapter == chapter).collect();
                chapter += 1;
                let Some(first) = inside.first() else {
                    continue;
                };
                if let Some(part) = pending_part.take() {
                    out.push(Mark {
                        depth: 0,
                        title: part,
                        id: first.id.clone(),
                        part: true,
                    });
                }
                let depth = depth + usize::from(in_part);
                let title = match number {
                    Some(n) => format!("{n} {name}"),
                    None => name.clone(),
                };
                out.push(Mark {
                    depth,
                    title,
                    id: first.id.clone(),
                    part: false,
                });
                for h in inside.iter().skip(1).filter(|h| h.level <= 2) {
                    out.push(Mark {
                        depth: depth + 1,
                        title: h.text.clone(),
                        id: h.id.clone(),
                        part: false,
                    });
                }
            }
        }
    }
    out
}

/// The id of the table of contents' own heading-like title (not a heading: the outline is
/// ours, and the contents need no entry in themselves).
pub(crate) const TOC_CLASS: &str = "techfile-toc";

/// Chapters with more sections than this list only themselves in the printed contents
/// (a chapter of sixty requirements would fill pages); the outline still lists them all.
pub(crate) const TOC_SECTIONS: usize = 15;

/// The printed table of contents. Without page numbers (the first print), each number's
/// box is still there with its fixed width, so the contents take exactly the same room in
/// both prints and no page moves when the numbers are filled in.
pub fn toc(marks: &[Mark], pages: Option<&BTreeMap<String, u32>>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<nav class=\"{TOC_CLASS}\">\n<p class=\"techfile-toc-title\">Contents</p>\n<ol>"
    );
    let mut skip_below: Option<usize> = None;
    for (i, m) in marks.iter().enumerate() {
        if let Some(d) = skip_below {
            if m.depth > d {
                continue;
            }
            skip_below = None;
        }
        if !m.part {
            let sections = marks[i + 1..]
                .iter()
                .take_while(|n| n.depth > m.depth)
                .count();
            if sections > TOC_SECTIONS {
                skip_below = Some(m.depth);
            }
        }
        let page = pages
            .and_then(|p| p.get(&m.id))
            .map(u32::to_string)
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<li class=\"techfile-toc-{}{}\"><a href=\"#{}\"><span class=\"techfile-toc-text\">{}</span><span class=\"techfile-toc-dots\"></span><span class=\"techfile-toc-page\">{page}</span></a></li>",
            m.depth.min(3),
            if m.part { " techfile-toc-part" } else { "" },
            html(&m.id),
            html(&m.title),
        );
    }
    out.push_str("</ol>\n</nav>\n");
    out
}

/// The longest line of a preformatted block, in characters (a character reference counts
/// as the one character it stands for).
fn longest_line(block: &str) -> usize {
    let mut longest = 0;
    let mut n = 0;
    let mut in_tag = false;
    let mut in_ref = false;
    for c in block.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            '\n' => {
                longest = longest.max(n);
                n = 0;
            }
            '&' => {
                in_ref = true;
                n += 1;
            }
            ';' if in_ref => in_ref = false,
            _ if in_ref => {}
            _ => n += 1,
        }
    }
    longest.max(n)
}

/// Every `<pre>` gets `--techfile-cols`, the length of its longest line, which the page
/// style turns into a font size that fits the line on the page.
fn measure_pre(page: &str) -> String {
    let mut out = String::with_capacity(page.len() + 4096);
    let mut from = 0;
    while let Some(at) = page[from..].find("<pre") {
        let start = from + at;
        let after = page.as_bytes().get(start + 4).copied();
        let Some(tag_end) = page[start..].find('>').map(|e| start + e) else {
            break;
        };
        if !matches!(after, Some(b'>' | b' ')) {
            out.push_str(&page[from..=tag_end]);
            from = tag_end + 1;
            continue;
        }
        let close = page[tag_end..]
            .find("</pre>")
            .map_or(page.len(), |e| tag_end + e);
        let cols = longest_line(&page[tag_end + 1..close]);
        let tag = &page[start..tag_end];
        out.push_str(&page[from..start]);
        match tag.find(" style=\"") {
            Some(s) => {
                let s = start + s + " style=\"".len();
                out.push_str(&page[start..s]);
                let _ = write!(out, "--techfile-cols: {cols}; ");
                out.push_str(&page[s..tag_end]);
            }
            None => {
                out.push_str(tag);
                let _ = write!(out, " style=\"--techfile-cols: {cols}\"");
            }
        }
        from = tag_end;
    }
    out.push_str(&page[from..]);
    out
}

/// Opens every `<details>`: on paper nothing can be expanded.
fn open_details(page: &str) -> String {
    let mut out = String::with_capacity(page.len() + 1024);
    let mut from = 0;
    while let Some(at) = page[from..].find("<details") {
        let start = from + at;
        let Some(end) = page[start..].find('>').map(|e| start + e) else {
            break;
        };
        let tag = &page[start..end];
        out.push_str(&page[from..end]);
        let next = tag.as_bytes().get(8).copied();
        if matches!(next, None | Some(b' ')) && !tag.split_whitespace().any(|a| a == "open") {
            out.push_str(" open");
        }
        from = end;
    }
    out.push_str(&page[from..]);
    out
}

/// Removes the covers placed in chapters (the PDF has its own at the front).
fn without_covers(page: &str) -> String {
    let open = format!("<section class=\"{}\">", cover::CLASS);
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    while let Some(at) = rest.find(&open) {
        out.push_str(&rest[..at]);
        match rest[at..].find("</section>") {
            Some(e) => rest = &rest[at + e + "</section>".len()..],
            None => {
                rest = &rest[at..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// mdBook's print view calls `window.print()` 100 ms after it loads, for a reader who
/// opened it in a browser. Headless, that starts a print of its own beside ours: its work
/// races ours, which shifts the numbers Chromium gives structure elements (two prints of
/// one page then differ), and the page stays "already being printed" for every later
/// request. The print copy turns the call into nothing, before any script of the page runs.
pub(crate) const NO_PRINT_DIALOG: &str = "<script>window.print = function () {};</script>\n";

/// A script for the loaded print copy that writes `pages` (page number by heading id) into
/// the contents' number boxes: the second print shows them without loading the page
/// again. A heading with no number gets an empty box, as in the first print.
pub fn toc_numbers_script(pages: &BTreeMap<String, u32>) -> String {
    // JSON is a JavaScript literal, and serde_json escapes every id into it safely.
    let map = serde_json::to_string(pages).unwrap_or_else(|_| "{}".into());
    format!(
        "(() => {{ const pages = {map}; let n = 0; for (const a of document.querySelectorAll('nav.{TOC_CLASS} a')) {{ const box = a.querySelector('.techfile-toc-page'); const id = a.getAttribute('href').slice(1); box.textContent = Object.hasOwn(pages, id) ? String(pages[id]) : ''; n += 1; }} return n; }})()"
    )
}

/// The page that is printed: `style` at the end of the head, `front` (cover and contents)
/// at the start of the chapters, covers in chapters removed, details opened and
/// preformatted blocks measured.
///
/// # Errors
///
/// When the page is not mdBook's print view: no `</head>` or no `<main>` element.
pub fn print_copy(page: &str, style: &str, front: &str) -> Result<String, String> {
    let head = page
        .find("</head>")
        .ok_or("the print view has no </head>: is it mdBook's print.html?")?;
    let (main, _) = main_range(page)
        .ok_or("the print view has no <main> element: is it mdBook 0.5's print.html?")?;
    let mut out =
        String::with_capacity(page.len() + style.len() + front.len() + NO_PRINT_DIALOG.len());
    out.push_str(&page[..head]);
    out.push_str(NO_PRINT_DIALOG);
    out.push_str(style);
    out.push_str(&page[head..main]);
    out.push('\n');
    out.push_str(front);
    out.push_str(&without_covers(&page[main..]));
    Ok(measure_pre(&open_details(&out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = concat!(
        "<html><head><title>B</title></head><body><nav><h1 id=\"menu\">not a chapter</h1></nav><main>\n",
        "<h1 id=\"intro\"><a class=\"header\" href=\"#intro\">Intro &amp; scope</a></h1>\n",
        "<section class=\"techfile-cover\">\n<p>cover</p>\n</section>\n",
        "<h2 id=\"purpose\"><a class=\"header\" href=\"#purpose\">Purpose\nof <code>it</code></a></h2>\n",
        "<div style=\"break-before: page; page-break-before: always;\"></div>\n",
        "<h1 id=\"risks\"><a class=\"header\" href=\"#risks\">Risks</a></h1>\n",
        "<h3 id=\"deep\">Deep</h3>\n<h2 id=\"register\">Register</h2>\n",
        "<details><summary>s</summary></details><details open><summary>o</summary></details>\n",
        "<pre><code>ab\n&lt;&lt;x&gt;&gt;&gt;\n</code></pre>\n<pre style=\"color: red\">a</pre><prefix>\n",
        "<div style=\"break-before: page; page-break-before: always;\"></div>\n",
        "<h1 id=\"annex\">Annex</h1>\n",
        "</main></body></html>"
    );

    #[test]
    fn headings_carry_their_chapter_and_plain_text() {
        let h = headings(PAGE);
        let got: Vec<(u8, &str, &str, usize)> = h
            .iter()
            .map(|h| (h.level, h.id.as_str(), h.text.as_str(), h.chapter))
            .collect();
        assert_eq!(
            got,
            [
                (1, "intro", "Intro & scope", 0),
                (2, "purpose", "Purpose of it", 0),
                (1, "risks", "Risks", 1),
                (3, "deep", "Deep", 1),
                (2, "register", "Register", 1),
                (1, "annex", "Annex", 2),
            ]
        );
    }

    #[test]
    fn marks_follow_parts_chapters_and_sections() {
        let entries = [
            Entry::Chapter {
                number: None,
                name: "Introduction".into(),
                depth: 0,
            },
            Entry::Part("Risk management".into()),
            Entry::Chapter {
                number: Some("1.".into()),
                name: "Security risks".into(),
                depth: 0,
            },
            Entry::Chapter {
                number: Some("1.1.".into()),
                name: "Annex".into(),
                depth: 1,
            },
        ];
        let m = marks(&entries, &headings(PAGE));
        let got: Vec<(usize, &str, &str, bool)> = m
            .iter()
            .map(|m| (m.depth, m.title.as_str(), m.id.as_str(), m.part))
            .collect();
        assert_eq!(
            got,
            [
                (0, "Introduction", "intro", false),
                (1, "Purpose of it", "purpose", false),
                (0, "Risk management", "risks", true),
                (1, "1. Security risks", "risks", false),
                (2, "Register", "register", false),
                (2, "1.1. Annex", "annex", false),
            ]
        );
        // A print view with more blocks than chapters falls back to the headings.
        let fallback = marks(&entries[..1], &headings(PAGE));
        assert_eq!(fallback.len(), 5);
        assert_eq!(fallback[2].title, "Risks");
    }

    #[test]
    fn the_contents_take_the_same_room_with_and_without_numbers() {
        let m = marks(&[], &headings(PAGE));
        let blank = toc(&m, None);
        let pages: BTreeMap<String, u32> = [("intro".to_string(), 3), ("risks".into(), 12)].into();
        let numbered = toc(&m, Some(&pages));
        assert!(blank.contains("<span class=\"techfile-toc-page\"></span>"));
        assert!(numbered.contains(
            "<a href=\"#intro\"><span class=\"techfile-toc-text\">Intro &amp; scope</span><span class=\"techfile-toc-dots\"></span><span class=\"techfile-toc-page\">3</span></a>"
        ));
        assert_eq!(blank.lines().count(), numbered.lines().count());

        let many: Vec<Mark> = std::iter::once(Mark {
            depth: 0,
            title: "Requirements".into(),
            id: "reqs".into(),
            part: false,
        })
        .chain((0..=TOC_SECTIONS).map(|n| Mark {
            depth: 1,
            title: format!("REQ-{n}"),
            id: format!("req-{n}"),
            part: false,
        }))
        .chain(std::iter::once(Mark {
            depth: 0,
            title: "Next".into(),
            id: "next".into(),
            part: false,
        }))
        .collect();
        let listed = toc(&many, None);
        assert!(listed.contains("#reqs") && listed.contains("#next"));
        assert!(
            !listed.contains("#req-0"),
            "a long chapter lists only itself"
        );
    }

    #[test]
    fn the_print_copy_has_front_matter_open_details_and_measured_blocks() {
        let out = print_copy(PAGE, "<style>x</style>", "<nav>FRONT</nav>").unwrap();
        assert!(out.contains("<style>x</style></head>"));
        assert!(
            out.find(NO_PRINT_DIALOG) < out.find("<body>"),
            "window.print is disabled before the page's scripts"
        );
        assert!(out.contains("<main>\n<nav>FRONT</nav>\n<h1 id=\"intro\">"));
        assert!(
            !out.contains("<p>cover</p>"),
            "the chapter's cover is not printed twice"
        );
        assert!(out.contains("<details open><summary>s"));
        assert!(!out.contains("open open"));
        assert!(
            out.contains("<pre style=\"--techfile-cols: 6\"><code>"),
            "{out}"
        );
        assert!(out.contains("<pre style=\"--techfile-cols: 1; color: red\">"));
        assert!(out.contains("<prefix>"), "only pre elements are measured");
        assert!(print_copy("<p>no head</p>", "", "").is_err());
        assert!(print_copy("<head></head><body></body>", "", "").is_err());
    }

    #[test]
    fn references_are_decoded() {
        assert_eq!(
            decode_entities("a &amp;&lt;&#39;&#x41;&bogus; &"),
            "a &<'A&bogus; &"
        );
    }

    #[test]
    fn the_numbers_script_carries_every_id_as_json() {
        let pages = BTreeMap::from([("risks".to_string(), 12), ("a'b\"c".to_string(), 3)]);
        let script = toc_numbers_script(&pages);
        assert!(
            script.contains(r#"const pages = {"a'b\"c":3,"risks":12};"#),
            "{script}"
        );
        assert!(script.contains("nav.techfile-toc a"));
    }
}
