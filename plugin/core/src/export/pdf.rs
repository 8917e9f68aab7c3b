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

/// The print style: A4 pages, the book title at the top, the stamp line and the page
/// number at the bottom of every page (CSS page-margin boxes, which Chromium prints).
pub fn page_style(title: &str, stamp: &Stamp) -> String {
    let box_style = "font-family: sans-serif; font-size: 8pt; color: #555;";
    format!(
        "<style>\n@page {{\n  size: A4;\n  margin: 20mm 16mm 22mm 16mm;\n  @top-center {{ content: {}; {box_style} }}\n  @bottom-left {{ content: {}; {box_style} }}\n  @bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); {box_style} }}\n}}\n</style>\n",
        css_string(title),
        css_string(&stamp.line()),
    )
}

/// `html` with `style` inserted just before `</head>`, so it overrides the theme's print
/// styles. `None` when the page has no head.
pub fn inject_style(html: &str, style: &str) -> Option<String> {
    let at = html.find("</head>")?;
    let mut out = String::with_capacity(html.len() + style.len());
    out.push_str(&html[..at]);
    out.push_str(style);
    out.push_str(&html[at..]);
    Some(out)
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

/// Renumbers the ids Chromium gives the elements of the tagged PDF's structure tree
/// (`(node00000162)`: its DOM node numbers, which shift when the page's scripts create
/// nodes in another order, as they do on a busy machine). The k-th smallest id becomes
/// `node` and k in the same eight digits, so the text keeps its length (the
/// cross-reference offsets stay valid) and its order (the `/IDTree` stays sorted).
/// Returns how many ids were rewritten.
pub fn fix_node_ids(pdf: &mut [u8]) -> usize {
    const KEY: &[u8] = b"(node";
    const DIGITS: usize = 8;
    let mut places = Vec::new();
    let mut from = 0;
    while let Some(pos) = find(&pdf[from..], KEY) {
        let start = from + pos + KEY.len();
        from = start;
        let Some(digits) = pdf.get(start..start + DIGITS) else {
            break;
        };
        if digits.iter().all(u8::is_ascii_digit) && pdf.get(start + DIGITS) == Some(&b')') {
            let n = digits
                .iter()
                .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
            places.push((start, n));
        }
    }
    let mut ids: Vec<u64> = places.iter().map(|&(_, n)| n).collect();
    ids.sort_unstable();
    ids.dedup();
    for &(start, n) in &places {
        let rank = ids.partition_point(|&id| id < n) + 1;
        let text = format!("{rank:0DIGITS$}");
        pdf[start..start + DIGITS].copy_from_slice(text.as_bytes());
    }
    places.len()
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
        let page = inject_style(
            "<html><head><title>x</title></head><body></body></html>",
            &style,
        )
        .unwrap();
        assert!(page.contains("@page"));
        assert!(page.find("@page").unwrap() < page.find("</head>").unwrap());
        assert_eq!(inject_style("<p>no head</p>", &style), None);
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

    #[test]
    fn structure_ids_are_renumbered_in_order_and_in_place() {
        let tree = |a: u32, b: u32, c: u32| {
            format!("<</S /TH /ID (node{a:08})>> <</S /TD /ID (node{b:08})>> <</S /TD /ID (node{c:08})>>\n/IDTree <</Names [(node{a:08}) 1 0 R (node{b:08}) 2 0 R (node{c:08}) 3 0 R]>> (nodeX) (node123)")
                .into_bytes()
        };
        // Two prints whose DOM numbers differ by a shift and by a gap.
        let mut one = tree(162, 163, 200);
        let mut two = tree(161, 170, 171);
        let len = one.len();
        assert_eq!(fix_node_ids(&mut one), 6);
        assert_eq!(fix_node_ids(&mut two), 6);
        assert_eq!(one, two);
        assert_eq!(one.len(), len);
        assert_eq!(
            one,
            tree(1, 2, 3),
            "order kept, short or odd ones left alone"
        );
        let mut none = b"%PDF-1.4 untagged".to_vec();
        assert_eq!(fix_node_ids(&mut none), 0);
    }
}
