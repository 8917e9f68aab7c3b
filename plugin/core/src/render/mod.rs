//! Generated Markdown and HTML: item pages, the catalog page, tables, and the expansion of
//! `{{#techfile ...}}` directives in chapters. Pure: text in, text and findings out.

pub(crate) mod control;
pub mod cover;
pub(crate) mod diagram;
pub(crate) mod directive;
pub(crate) mod gaps;
pub(crate) mod mapped;
pub(crate) mod pages;
pub(crate) mod reviews;
pub(crate) mod risk;
pub(crate) mod sbom;
pub(crate) mod site;
pub(crate) mod style;
pub(crate) mod support;
pub(crate) mod svg;
pub(crate) mod tables;
pub(crate) mod threat;
pub(crate) mod vulnerabilities;

pub use mapped::Mapped;
pub(crate) use style::STYLE;

use std::fmt::Write;

/// A gap the reader must see, in red. Coverage tables use it exactly where a check fails
/// the build (see [`crate::checks::coverage::Standing`]); what is only open work is [`open`].
pub(crate) fn gap(text: &str) -> String {
    format!("<span class=\"techfile-gap\">{}</span>", html(text))
}

/// Open work that fails no check (drafts, tests not run): in bold italic, not red, so the
/// tables agree with `check --gaps` (words, not a colour, because the PDF prints in greyscale).
pub(crate) fn open(text: &str) -> String {
    format!("<span class=\"techfile-open\">{}</span>", html(text))
}

/// The mark after a draft item in every generated table and list, whatever the item's
/// kind: words, not a colour, because the PDF prints in greyscale.
pub(crate) fn draft_mark(item: &crate::model::Item) -> &'static str {
    if item.is_declared_draft() {
        " <em class=\"techfile-draft\">(draft)</em>"
    } else {
        ""
    }
}

/// A test's recorded result in words, so that a test not run (`not-run`, or no result)
/// never reads like a pass.
pub(crate) fn result_mark(result: Option<crate::model::TestResult>) -> String {
    use crate::model::TestResult;
    match result {
        Some(TestResult::Pass) => "<span class=\"techfile-ok\">(passed)</span>".into(),
        Some(TestResult::Fail) => gap("(failed)"),
        Some(TestResult::NotRun) | None => {
            "<strong class=\"techfile-not-run\">(not run)</strong>".into()
        }
    }
}

/// The legend of the marks [`draft_mark`] and [`result_mark`] write, under each table that
/// uses them.
pub(crate) const MARKS_LEGEND: &str = "<p class=\"techfile-legend\"><small>Marks: <em>(draft)</em> an item in work (<code>status = \"draft\"</code>), whatever its kind: it counts for no coverage yet. A test's result: <span class=\"techfile-ok\">(passed)</span>, <span class=\"techfile-gap\">(failed)</span>, or <strong>(not run)</strong> when its result is <code>not-run</code> or not recorded: what it verifies is not yet shown to work.</small></p>\n";

/// Escapes text for HTML element content and attribute values alike.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text that may span lines for an HTML table cell. Line breaks become `<br>`:
/// a blank line inside a raw HTML block would end the block in CommonMark and break the
/// table apart.
pub(crate) fn html_lines(text: &str) -> String {
    html(text.trim())
        .replace("\r\n", "\n")
        .replace(['\n', '\r'], "<br>")
}

/// Escapes text for a single line of Markdown: every ASCII punctuation character is
/// backslash-escaped (CommonMark allows it for all of them) so a title can never open a
/// link, emphasis, HTML tag or directive; line breaks become spaces.
pub fn markdown_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The `href` from one page of the book to another page's anchor, both given as paths
/// relative to the book's `src` (`chapter/a.md`). Links point at the `.html` the HTML
/// renderer writes because generated tables are raw HTML, which mdBook does not rewrite.
/// The path is the shortest relative one (`risks.html` between pages of one folder): a
/// large book holds tens of thousands of these links, and mdBook renders each twice.
pub(crate) fn href(from_page: &str, to_page: &str, anchor: &str) -> String {
    if from_page == to_page {
        return format!("#{anchor}");
    }
    let from: Vec<&str> = from_page.split('/').collect();
    let to: Vec<&str> = to_page.split('/').collect();
    let (from_dirs, to_dirs) = (&from[..from.len() - 1], &to[..to.len() - 1]);
    let common = from_dirs
        .iter()
        .zip(to_dirs)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = "../".repeat(from_dirs.len() - common);
    for dir in &to_dirs[common..] {
        out.push_str(dir);
        out.push('/');
    }
    let file = to[to.len() - 1];
    out.push_str(file.strip_suffix(".md").unwrap_or(file));
    out.push_str(".html");
    if !anchor.is_empty() {
        let _ = write!(out, "#{anchor}");
    }
    out
}

/// Demotes ATX headings in an item body by `by` levels so that an item's own headings nest
/// under the item heading instead of competing with the page title.
#[cfg(test)]
pub(crate) fn demote_headings(body: &str, by: usize) -> String {
    let inserts = heading_inserts(body, by);
    if inserts.is_empty() {
        return body.to_owned();
    }
    let mut out = String::with_capacity(body.len() + inserts.len() * by);
    let mut last = 0;
    for (at, n) in inserts {
        out.push_str(&body[last..at]);
        out.push_str(&"#".repeat(n));
        last = at;
    }
    out.push_str(&body[last..]);
    out
}

/// Where [`demote_headings`] inserts `#` characters, and how many: at the start of every
/// ATX heading outside code, never past level 6.
pub(crate) fn heading_inserts(body: &str, by: usize) -> Vec<(usize, usize)> {
    use pulldown_cmark::{Event, Parser, Tag};
    // An ATX heading's `#` starts its line or follows indentation or a container marker;
    // without such a `#` (a link's `#fragment` is not one) the body needs no parsing.
    let b = body.as_bytes();
    let possible = body
        .match_indices('#')
        .any(|(i, _)| i == 0 || matches!(b[i - 1], b'\n' | b' ' | b'\t' | b'>'));
    if !possible {
        return Vec::new();
    }
    let mut inserts = Vec::new();
    for (event, range) in Parser::new(body).into_offset_iter() {
        if let Event::Start(Tag::Heading { .. }) = event
            && body[range.start..].starts_with('#')
        {
            let level = body[range.start..]
                .bytes()
                .take_while(|&b| b == b'#')
                .count();
            let n = (6 - level.min(6)).min(by);
            if n > 0 {
                inserts.push((range.start, n));
            }
        }
    }
    inserts
}

/// The fence that closes a code block left open at the end of `body`, if any. An item body
/// is pasted into a page between other items; an unclosed fence would turn everything after
/// it, the following items included, into code.
pub(crate) fn unclosed_fence(body: &str) -> Option<String> {
    let mut open: Option<(u8, usize)> = None;
    for line in body.lines() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent > 3 {
            continue;
        }
        let t = &line[indent..];
        let Some(c) = t.bytes().next().filter(|c| *c == b'`' || *c == b'~') else {
            continue;
        };
        let n = t.bytes().take_while(|b| *b == c).count();
        if n < 3 {
            continue;
        }
        match open {
            None => {
                // A backtick fence's info string may not contain backticks (CommonMark).
                if c == b'~' || !t[n..].contains('`') {
                    open = Some((c, n));
                }
            }
            Some((oc, on)) if oc == c && n >= on && t[n..].trim().is_empty() => open = None,
            Some(_) => {}
        }
    }
    open.map(|(c, n)| String::from_utf8(vec![c; n]).unwrap_or_default())
}

/// `part` as a percentage of `whole` with one decimal, computed in integers so the text is
/// the same on every machine.
pub(crate) fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "n/a".into();
    }
    let tenths = (part * 1000 + whole / 2) / whole;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_everything_that_matters() {
        assert_eq!(html("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
    }

    #[test]
    fn multi_line_text_keeps_table_cells_whole() {
        assert_eq!(html_lines("a <b>\n\nc\r\n"), "a &lt;b&gt;<br><br>c");
    }

    #[test]
    fn markdown_escape_neutralises_syntax() {
        assert_eq!(
            markdown_inline("*a* [b](c) <i>"),
            "\\*a\\* \\[b\\]\\(c\\) \\<i\\>"
        );
        assert_eq!(markdown_inline("a\nb"), "a b");
    }

    #[test]
    fn hrefs_are_relative() {
        assert_eq!(
            href("a.md", "techfile/requirements.md", "req-1"),
            "techfile/requirements.html#req-1"
        );
        assert_eq!(
            href("x/y/a.md", "techfile/risks.md", "r"),
            "../../techfile/risks.html#r"
        );
        assert_eq!(href("techfile/risks.md", "techfile/risks.md", "r"), "#r");
        assert_eq!(
            href("techfile/tests.md", "techfile/risks.md", "r"),
            "risks.html#r"
        );
        assert_eq!(href("a/b/c.md", "a/d/e.md", ""), "../d/e.html");
        assert_eq!(
            href("techfile/tests.md", "intro.md", "x"),
            "../intro.html#x"
        );
    }

    #[test]
    fn headings_are_demoted_but_code_is_not() {
        let body = "# A\ntext\n```\n# not a heading\n```\n###### deep\n";
        let out = demote_headings(body, 2);
        assert!(out.starts_with("### A\n"), "{out}");
        assert!(out.contains("\n# not a heading\n"), "{out}");
        assert!(out.contains("###### deep"), "{out}");
    }

    #[test]
    fn unclosed_fences_are_found() {
        assert_eq!(unclosed_fence("text\n```rust\ncode\n"), Some("```".into()));
        assert_eq!(unclosed_fence("~~~~\ncode\n~~~\n"), Some("~~~~".into()));
        assert_eq!(unclosed_fence("```\ncode\n```\n"), None);
        assert_eq!(unclosed_fence("````\n```\n````\n"), None);
        assert_eq!(unclosed_fence("    ```\nindented code\n"), None);
        assert_eq!(unclosed_fence("no code"), None);
    }

    #[test]
    fn percentages_round_half_up() {
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(2, 3), "66.7%");
        assert_eq!(percent(0, 0), "n/a");
        assert_eq!(percent(5, 5), "100.0%");
    }
}
