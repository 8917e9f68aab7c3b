//! The gaps view, `{{#techfile gaps}}`: every coverage gap the rules in force find (whatever
//! level is configured for it) and the open work (what drafts leave, approved tests not
//! run), so a team sees what is still to do without lowering severities or reading a
//! build log.

use super::site::Site;
use super::{STYLE, html};
use std::fmt::Write;

/// A message with its `` `ID` `` code spans turned into links when the ID is placed in
/// the book, and into `<code>` otherwise.
pub(crate) fn linked(site: &Site<'_, '_>, page: &str, message: &str) -> String {
    let mut out = String::new();
    for (n, part) in message.split('`').enumerate() {
        if n % 2 == 0 {
            out.push_str(&html(part));
        } else if site.locate(part).is_some() {
            out.push_str(&site.link(page, part));
        } else {
            let _ = write!(out, "<code>{}</code>", html(part));
        }
    }
    out
}

/// The content of `{{#techfile gaps}}`.
pub(crate) fn gaps(site: &Site<'_, '_>, page: &str) -> String {
    let g = site.gaps;
    let mut out = String::from(STYLE);
    out.push_str("\n## Coverage gaps\n\n");
    if g.findings.is_empty() {
        out.push_str("<p>The coverage rules in force find no gap.</p>\n");
    } else {
        out.push_str("<table class=\"techfile-table techfile-gaps\">\n<thead><tr><th>Rule</th><th>Gap</th><th>How to close it</th></tr></thead>\n<tbody>\n");
        for d in &g.findings {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td><span class=\"techfile-{}\">{}</span></td><td>{}</td></tr>",
                d.code.as_str(),
                // Red only where it fails the build; at `warn` or `allow` it is open work.
                if d.is_error() { "gap" } else { "open" },
                linked(site, page, &d.message),
                d.help
                    .as_deref()
                    .map_or_else(String::new, |h| linked(site, page, h))
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("\n## Open work\n\n<p>Items marked <code>status = \"draft\"</code> are work in progress: the coverage rules do not fail on them, nor on a gap that only drafts fill, and list them here instead. Approved tests that have not been run (no result, or <code>result = \"not-run\"</code>) are listed too: what they verify is not yet shown to work.</p>\n\n");
    if g.open.is_empty() {
        out.push_str("<p>No draft is open and every approved test has run.</p>\n");
    } else {
        out.push_str("<table class=\"techfile-table techfile-open\">\n<thead><tr><th>Item</th><th>Open</th><th>Rule</th></tr></thead>\n<tbody>\n");
        for o in &g.open {
            let id = if site.locate(&o.id).is_some() {
                site.link(page, &o.id)
            } else {
                format!("<code>{}</code>", html(&o.id))
            };
            let _ = writeln!(
                out,
                "<tr><td>{id}</td><td>{}</td><td>{}</td></tr>",
                linked(site, page, &o.what),
                o.code
                    .map_or_else(String::new, |c| format!("<code>{}</code>", c.as_str()))
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out
}
