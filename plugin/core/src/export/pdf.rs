//! The PDF's page furniture and its reproducibility: the `@page` style that puts the
//! version on every printed page, and the rewrite of the dates Chromium stamps into the
//! PDF from the wall clock.

use crate::stamp::{Stamp, utc};
use jiff::Timestamp;
use std::fmt::Write;

/// Text as a CSS string literal. Everything but plain ASCII letters, digits and a few
/// harmless marks becomes a hex escape, so no title can close the string, the rule or the
/// `<style>` element. CSS swallows one whitespace after a hex escape, so each escape ends
/// with a space of its own and the text's own spaces survive.
pub fn css_string(text: &str) -> String {
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
    ".techfile-toc-0 { margin-top: 0.5em !important; font-weight: bold; }\n",
    ".techfile-toc-1 { padding-left: 1.5em; }\n",
    ".techfile-toc-2 { padding-left: 3em; font-size: 0.9em; }\n",
    ".techfile-toc-3 { padding-left: 4.5em; font-size: 0.9em; }\n",
    ".techfile-toc-part { margin-top: 0.9em !important; text-transform: uppercase; letter-spacing: 0.04em; }\n",
);

/// The print style: A4 pages, the book title at the top,
/// the stamp line and "Page X of Y" at the bottom of every page (CSS page-margin boxes,
/// which Chromium prints), and [`PRINT_STYLE`].
pub fn page_style(title: &str, stamp: &Stamp) -> String {
    let box_style = "font-family: sans-serif; font-size: 8pt; color: #555;";
    format!(
        "<style>\n@page {{\n  size: A4;\n  margin: 20mm 16mm 22mm 16mm;\n  @top-center {{ content: {}; {box_style} }}\n  @bottom-left {{ content: {}; {box_style} }}\n  @bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); {box_style} }}\n}}\n{PRINT_STYLE}</style>\n",
        css_string(title),
        css_string(&stamp.line()),
    )
}

/// Rewrites `/CreationDate` and `/ModDate` (`(D:YYYYMMDDHHmmSS+HH'mm')`) to `timestamp`
/// in UTC. The new text has exactly the length of the old, so the cross-reference table's
/// byte offsets stay valid. Returns how many dates were rewritten (none for a year a PDF
/// date cannot write).
pub fn fix_dates(pdf: &mut [u8], timestamp: Timestamp) -> usize {
    let time = utc(timestamp);
    if !(0..=9999).contains(&time.year()) {
        return 0;
    }
    let digits = time.strftime("%Y%m%d%H%M%S").to_string();
    let mut count = 0;
    for key in [&b"/CreationDate (D:"[..], &b"/ModDate (D:"[..]] {
        let mut from = 0;
        while let Some(pos) = find(&pdf[from..], key) {
            let start = from + pos + key.len();
            from = start;
            let Some(rest) = pdf.get(start..) else { break };
            if rest.len() < 15 || !rest[..14].iter().all(u8::is_ascii_digit) {
                continue;
            }
            pdf[start..start + 14].copy_from_slice(digits.as_bytes());
            // A `+HH'mm'` offset becomes UTC's; `Z` already is UTC.
            let tz = &mut pdf[start + 14..];
            if tz.len() >= 7
                && matches!(tz[0], b'+' | b'-')
                && tz[1..3].iter().all(u8::is_ascii_digit)
                && tz[3] == b'\''
                && tz[4..6].iter().all(u8::is_ascii_digit)
                && tz[6] == b'\''
            {
                tz[..7].copy_from_slice(b"+00'00'");
            }
            count += 1;
        }
    }
    count
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
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
        assert!(!style.contains("<file>"));
        assert!(style.contains("overflow: visible !important"));
    }

    #[test]
    fn dates_are_rewritten_in_place() {
        let original = b"%PDF-1.4\n1 0 obj\n<</Producer (Skia/PDF m156)\n/CreationDate (D:20261128050459+01'00')\n/ModDate (D:20261128050459Z)>>\nendobj\n".to_vec();
        let mut pdf = original.clone();
        // 2024-02-29 01:01:01 UTC
        assert_eq!(
            fix_dates(&mut pdf, Timestamp::from_second(1_709_168_461).unwrap()),
            2
        );
        assert_eq!(pdf.len(), original.len());
        let text = String::from_utf8(pdf).unwrap();
        assert!(
            text.contains("/CreationDate (D:20240229010101+00'00')"),
            "{text}"
        );
        assert!(text.contains("/ModDate (D:20240229010101Z)"), "{text}");
        // Years before 1000 keep four digits, so the length still holds.
        let mut pdf = original.clone();
        let early = jiff::tz::Offset::UTC
            .to_timestamp(jiff::civil::date(999, 3, 1).at(4, 5, 6, 0))
            .unwrap();
        assert_eq!(fix_dates(&mut pdf, early), 2);
        assert_eq!(pdf.len(), original.len());
        assert!(
            String::from_utf8(pdf)
                .unwrap()
                .contains("/ModDate (D:09990301040506Z)")
        );
        let mut none = b"%PDF-1.4 no dates".to_vec();
        assert_eq!(fix_dates(&mut none, Timestamp::UNIX_EPOCH), 0);
    }
}
