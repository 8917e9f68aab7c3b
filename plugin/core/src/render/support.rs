//! `{{#techfile support}}`: the support addendum the FDA asks for beside an SBOM: every
//! component with its level of support and its end of support, and where each value
//! comes from (premarket cybersecurity guidance, section V.A.4(b)).

use super::sbom::object_link;
use super::site::Site;
use super::{STYLE, html};
use crate::lifecycle::{EndOfSupport, Sourced};
use std::fmt::Write;

/// The addendum table, for a chapter.
pub(crate) fn support(site: &Site<'_, '_>, page: &str) -> String {
    let support = site.support;
    let mut out = String::from(STYLE);
    // Dates are judged on the day given to the check, else on the date this version's
    // pages carry (its issue date when the revision history lists it), never the clock:
    // the page must not change with the day it is built, nor disagree with its stamp.
    let as_of = support
        .today
        .or_else(|| site.stamp.and_then(|s| s.shown_date().day()));
    let total = support.components.len();
    let level = support
        .components
        .iter()
        .filter(|c| c.level.is_some())
        .count();
    let end = support
        .components
        .iter()
        .filter(|c| c.end.is_some())
        .count();
    let unknown = support
        .components
        .iter()
        .filter(|c| c.level.is_none() && c.end.is_none())
        .count();
    if total == 0 {
        out.push_str("<p class=\"techfile-na\">No support data: no support table under <code>support/</code> and no <code>cdx:lifecycle:milestone</code> property in the SBOMs.</p>\n");
        return out;
    }
    let _ = writeln!(
        out,
        "<p>{total} components of the SBOMs (the products themselves excepted): {level} with a level of support, {end} with an end of support, {unknown} with neither{}.</p>",
        match as_of {
            Some(d) => format!("; dates are judged on {d}"),
            None => String::new(),
        }
    );
    out.push_str("<p>Levels: <em>actively maintained</em> (SPDX 3 <code>support</code>), <em>limited support</em> (<code>limitedSupport</code>), <em>no longer maintained</em> and <em>abandoned</em> (<code>noSupport</code>).</p>\n");
    // Fixed widths, so purls and long component names wrap inside the content column.
    let _ = writeln!(
        out,
        "<table class=\"techfile-table techfile-fixed techfile-support\">\n{}",
        super::style::colgroup(&[26, 18, 16, 14, 26])
    );
    out.push_str("<thead><tr><th>Component</th><th>SBOM</th><th>Level of support</th><th>End of support</th><th>Source</th></tr></thead>\n<tbody>\n");
    for c in &support.components {
        let sbom = site.sboms.sbom(c.id);
        let level_cell = match &c.level {
            Some(Sourced { value, .. }) => html(value.label()),
            None => "<span class=\"techfile-gap\">not stated</span>".into(),
        };
        let end_cell = match &c.end {
            Some(Sourced {
                value: EndOfSupport::Date(d),
                ..
            }) => match as_of {
                Some(day) if *d < day => format!("{d} <span class=\"techfile-gap\">(ended)</span>"),
                _ => d.to_string(),
            },
            Some(Sourced {
                value: EndOfSupport::NoneAnnounced,
                ..
            }) => "none announced".into(),
            None => "<span class=\"techfile-gap\">not stated</span>".into(),
        };
        let mut sources: Vec<String> = Vec::new();
        if let Some(l) = &c.level {
            sources.push(format!("level: {}", html(&l.source.describe())));
        }
        if let Some(e) = &c.end {
            sources.push(format!("end: {}", html(&e.source.describe())));
        }
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{level_cell}</td><td>{end_cell}</td><td>{}</td></tr>",
            object_link(site, page, c.id),
            html(&sbom.key),
            sources.join("<br>")
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}
