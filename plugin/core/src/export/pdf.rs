//! The PDF's page furniture and its dates: the `@page` style that puts the version on
//! every printed page, and the build date in the form a PDF writes dates.

use crate::stamp::{Stamp, utc};
use jiff::Timestamp;
use std::fmt::Write;

/// Text as a CSS string literal. Everything but plain ASCII letters, digits and a few
/// harmless marks becomes a hex escape, so no title can close the string, the rule or the
/// `<style>` element. CSS swallows one whitespace after a hex escape, so each escape ends
/// with a space of its own and the text's own spaces survive.
pub(crate) fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || " .,:;-_+()#/".contains(c) {
            out.push(c);
        } else {
            let _ = write!(out, "\\{:x} ", u32::from(c));
        }
    }
    out.push('"');
    out
}

/// How the printed book differs from the screen, beyond the page boxes: mdBook's layout
/// made printable (no scroll boxes, no clipped columns), a text size for paper, diagrams
/// scaled instead of wrapped, and the table of contents' layout.
const PRINT_STYLE: &str = concat!(
    // 9 px to the rem: body text 10.8 pt, tables 9.7 pt, the size of a printed standard.
    ":root { font-size: 56.25%; }\n",
    // mdBook's content column scrolls (`overflow-y: auto`), which clips whatever is wider
    // than the page and prints a scroll bar; on paper everything flows.
    "#mdbook-content, .content, .page, .table-wrapper, pre, pre > code { overflow: visible !important; }\n",
    ".content main { max-width: none !important; }\n",
    "::-webkit-scrollbar { display: none; }\n",
    "pre > .buttons, .techfile-stamp { display: none !important; }\n",
    "table { max-width: 100%; }\n",
    "main table td, main table th { overflow-wrap: break-word; }\n",
    "main table code { overflow-wrap: anywhere; }\n",
    "thead { display: table-header-group; }\n",
    "tr { break-inside: avoid; }\n",
    // A preformatted block keeps its lines: its font shrinks until the longest line
    // (`--techfile-cols`, measured by the print copy) fits, down to 5.5 pt; past that it
    // wraps rather than losing characters. Source Code Pro advances 0.6 em per character.
    "pre { container-type: inline-size; white-space: pre-wrap; overflow-wrap: anywhere; break-inside: auto; }\n",
    "pre > code { white-space: pre-wrap; font-size: max(5.5pt, min(0.875em, calc((100cqw - 2.2rem) / (var(--techfile-cols, 1) * 0.6)))); }\n",
    "svg, img { max-width: 100%; height: auto; }\n",
    "details > summary { list-style: none; font-weight: bold; }\n",
    "details > summary::-webkit-details-marker { display: none; }\n",
    ".techfile-toc { break-after: page; }\n",
    ".techfile-toc-title { font-size: 2em; font-weight: bold; margin: 0 0 0.8em 0; }\n",
    ".techfile-toc ol { list-style: none; padding: 0; margin: 0; }\n",
    ".techfile-toc li { margin: 0; line-height: 1.45; }\n",
    ".techfile-toc a { display: flex; align-items: baseline; color: inherit !important; }\n",
    ".techfile-toc-text { flex: 0 1 auto; }\n",
    ".techfile-toc-dots { flex: 1 1 0; border-bottom: 1px dotted #999; margin: 0 0.4em; min-width: 1em; }\n",
    ".techfile-toc-page { flex: 0 0 2.6em; text-align: right; font-variant-numeric: tabular-nums; }\n",
    // One indent step per level, in rem: an `em` step would shrink with the smaller type
    // of the deeper levels and leave the levels unevenly apart.
    ".techfile-toc-0 { margin-top: 0.5em !important; font-weight: bold; }\n",
    ".techfile-toc-1 { padding-left: 2rem; }\n",
    ".techfile-toc-2 { padding-left: 4rem; font-size: 0.9em; }\n",
    ".techfile-toc-3 { padding-left: 6rem; font-size: 0.9em; }\n",
    ".techfile-toc-part { margin-top: 0.9em !important; text-transform: uppercase; letter-spacing: 0.04em; }\n",
);

/// The print style: A4 pages, the book title at the top,
/// the stamp line and "Page X of Y" at the bottom of every page (CSS page-margin boxes,
/// which Chromium prints), and `PRINT_STYLE`. The first page is the cover, which states
/// the title, version, date and commit itself: there the title and the stamp line are
/// left out, so the cover says each once.
pub fn page_style(title: &str, stamp: &Stamp) -> String {
    let box_style = "font-family: sans-serif; font-size: 8pt; color: #555;";
    format!(
        "<style>\n@page {{\n  size: A4;\n  margin: 20mm 16mm 22mm 16mm;\n  @top-center {{ content: {}; {box_style} }}\n  @bottom-left {{ content: {}; {box_style} }}\n  @bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); {box_style} }}\n}}\n@page :first {{\n  @top-center {{ content: none; }}\n  @bottom-left {{ content: none; }}\n}}\n{PRINT_STYLE}</style>\n",
        css_string(title),
        css_string(&stamp.line()),
    )
}

/// A PDF date (ISO 32000-1, 7.9.4) for `timestamp` in UTC: `D:YYYYMMDDHHmmSS+00'00'`.
/// `None` for a year a PDF date cannot write (it has four digits).
pub(crate) fn pdf_date(timestamp: Timestamp) -> Option<String> {
    let time = utc(timestamp);
    (0..=9999)
        .contains(&time.year())
        .then(|| format!("D:{}+00'00'", time.strftime("%Y%m%d%H%M%S")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stamp::DateSource;

    #[test]
    fn css_strings_cannot_break_out() {
        assert_eq!(css_string("v1.0 (a)"), "\"v1.0 (a)\"");
        assert_eq!(css_string("a\"b\\c"), "\"a\\22 b\\5c c\"");
        assert_eq!(css_string("</style>"), "\"\\3c /style\\3e \"");
        assert_eq!(css_string("1 \u{b7} 2"), "\"1 \\b7  2\"");
    }

    #[test]
    fn the_page_style_carries_the_stamp() {
        let stamp = Stamp {
            version: "2.0".into(),
            commit: None,
            modified: false,
            timestamp: None,
            date_source: DateSource::Unknown,
            inputs: Vec::new(),
            sbom_folders: Vec::new(),
            revisions: Vec::new(),
        };
        let style = page_style("Tech <file>", &stamp);
        assert!(style.contains("@bottom-left { content: \"Version 2.0 \\b7  commit unknown"));
        assert!(style.contains("counter(pages)"));
        // The cover states the title and the stamp's facts: its page repeats neither.
        assert!(
            style.contains("@page :first {\n  @top-center { content: none; }\n  @bottom-left { content: none; }\n}"),
            "{style}"
        );
        assert!(!style.contains("<file>"));
        assert!(style.contains("overflow: visible !important"));
    }

    #[test]
    fn pdf_dates_are_utc_with_four_digit_years() {
        // 2024-02-29 01:01:01 UTC
        assert_eq!(
            pdf_date(Timestamp::from_second(1_709_168_461).unwrap()).as_deref(),
            Some("D:20240229010101+00'00'")
        );
        let early = jiff::tz::Offset::UTC
            .to_timestamp(jiff::civil::date(999, 3, 1).at(4, 5, 6, 0))
            .unwrap();
        assert_eq!(pdf_date(early).as_deref(), Some("D:09990301040506+00'00'"));
        let before_year_zero = jiff::tz::Offset::UTC
            .to_timestamp(jiff::civil::date(-1, 1, 1).at(0, 0, 0, 0))
            .unwrap();
        assert_eq!(pdf_date(before_year_zero), None);
    }
}
