//! The styles of generated content, on screen and in print. Kept inline (a book needs no
//! theme files of its own) and scoped by `techfile-` classes so they touch nothing else.
//!
//! Three rules hold for every generated table:
//! - it is never wider than the content column (on screen) or the page (in print): wide
//!   tables have a fixed layout with column widths from [`colgroup`], and long tokens
//!   (purls, hashes, CVSS vectors) may break anywhere while prose breaks between words;
//! - in print its header repeats on every page it spans and a row is not split unless it
//!   is taller than a page (no landscape pages: Chromium lays a named landscape page out at
//!   the width of the portrait pages and clips it, so wide tables wrap instead);
//! - its colours stay readable in every mdBook theme: text colours come from variables
//!   that the dark themes (`coal`, `navy`, `ayu`) override, and coloured badges carry
//!   their own background.

use std::fmt::Write;

/// The colour variables, shared by [`STYLE`] and the stamp's style (which is on every page).
#[cfg(test)]
pub(crate) const THEME: &str = ":root { --techfile-gap: #b00020; --techfile-ok: #1b5e20; --techfile-muted: #555; }\n\
.coal, .navy, .ayu { --techfile-gap: #ffa8a8; --techfile-ok: #9be29b; --techfile-muted: #b4b4b4; }\n";

/// Styles for generated tables, emitted with every directive that writes one.
pub(crate) const STYLE: &str = concat!(
    "<style>\n",
    ":root { --techfile-gap: #b00020; --techfile-ok: #1b5e20; --techfile-muted: #555; }\n",
    ".coal, .navy, .ayu { --techfile-gap: #ffa8a8; --techfile-ok: #9be29b; --techfile-muted: #b4b4b4; }\n",
    ".techfile-table { max-width: 100%; }\n",
    ".techfile-table td, .techfile-table th { vertical-align: top; padding: 3px 8px; overflow-wrap: break-word; }\n",
    ".techfile-table code, .techfile-token, .techfile-hash { overflow-wrap: anywhere; }\n",
    ".techfile-fixed { table-layout: fixed; width: 100%; }\n",
    ".techfile-fixed td, .techfile-fixed th { padding: 3px 5px; }\n",
    ".techfile-fixed th { font-size: 0.9em; }\n",
    ".techfile-gap { color: var(--techfile-gap); font-weight: bold; }\n",
    ".techfile-ok { color: var(--techfile-ok); }\n",
    ".techfile-open { font-weight: bold; font-style: italic; }\n",
    ".techfile-na { color: var(--techfile-muted); font-style: italic; }\n",
    ".techfile-meta { font-size: 0.9em; }\n",
    ".techfile-meta td:first-child { font-weight: bold; padding-right: 1em; }\n",
    ".techfile-trace { margin: 0.5em 0 1.5em 0; }\n",
    ".techfile-risk-acceptable, .techfile-risk-review, .techfile-risk-unacceptable { color: #1b1b1b; }\n",
    ".techfile-risk-acceptable { background: #c8e6c9; }\n",
    ".techfile-risk-review { background: #ffe9a8; }\n",
    ".techfile-risk-unacceptable { background: #f6b8b8; }\n",
    ".techfile-risk-grid td.techfile-risk-acceptable a, .techfile-risk-grid td.techfile-risk-review a, .techfile-risk-grid td.techfile-risk-unacceptable a { color: #0b3d91; }\n",
    ".techfile-risk-grid td, .techfile-risk-grid th { text-align: center; vertical-align: middle; }\n",
    ".techfile-risk-grid { table-layout: fixed; width: 100%; }\n",
    ".techfile-risk-grid caption, .techfile-cvss-map caption { font-weight: bold; text-align: left; }\n",
    ".techfile-risk-grid, .techfile-cvss-map { margin-bottom: 1em; }\n",
    ".techfile-risk-cell-level { font-size: 0.75em; text-transform: uppercase; }\n",
    ".techfile-risk-count { font-size: 1.4em; font-weight: bold; }\n",
    ".techfile-level { display: inline-block; padding: 0 0.4em; border-radius: 0.3em; font-size: 0.85em; }\n",
    ".techfile-risk-register td, .techfile-sbom-table td, .techfile-practices td, .techfile-checklist td { font-size: 0.9em; }\n",
    "@media print {\n",
    "  .techfile-table { font-size: 0.9em; }\n",
    "  .techfile-table thead { display: table-header-group; }\n",
    "  .techfile-table tr { break-inside: avoid; }\n",
    "  .techfile-risk-grid a { color: #0b3d91 !important; }\n",
    "}\n",
    "</style>\n",
);

/// `<colgroup>` with one column per width, in percent of the table's width. The widths of
/// a fixed-layout table come from here, so wrapping is decided by the author of the view,
/// not by the longest token in a column.
pub(crate) fn colgroup(widths: &[u8]) -> String {
    let mut out = String::from("<colgroup>");
    for w in widths {
        let _ = write!(out, "<col style=\"width: {w}%\">");
    }
    out.push_str("</colgroup>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_theme_variables_are_the_same_everywhere() {
        for line in THEME.lines() {
            assert!(STYLE.contains(line), "{line}");
        }
    }

    #[test]
    fn colgroups_name_every_column() {
        assert_eq!(
            colgroup(&[30, 70]),
            "<colgroup><col style=\"width: 30%\"><col style=\"width: 70%\"></colgroup>"
        );
    }
}
