//! `{{#techfile vulnerabilities}}`: per component, the vulnerabilities the advisory
//! snapshot names, with their aliases, severity, VEX status and justification or
//! response, the versions that fix them and the items whose `affects` names the
//! component. The view says which advisory snapshot it reflects, and on which date VEX
//! expiry was judged, because both change what it shows.

use super::site::Site;
use super::{STYLE, html};
use crate::advisory::assess::{Assessment, Vulnerability};
use std::fmt::Write;

/// Seven columns with CVSS vectors, purls and advisory ids: smaller text. The widths are
/// fixed (see [`super::style`]), and a token longer than its column breaks anywhere (prose
/// still breaks between words), so the table stays inside the content column.
const VULN_STYLE: &str = "<style>\n\
.techfile-vulns td { font-size: 0.85em; overflow-wrap: anywhere; }\n\
</style>\n";

/// Component, vulnerability, severity, VEX status, justification, fixed in, linked items.
const VULN_COLUMNS: [u8; 7] = [15, 19, 14, 11, 20, 9, 12];

fn status_cell(a: &Assessment, v: &Vulnerability) -> (String, String) {
    let Some(st) = v.statement.map(|s| &a.statements[s]) else {
        return (
            "<span class=\"techfile-gap\">no VEX statement</span>".into(),
            String::new(),
        );
    };
    let mut status = html(st.status.as_str());
    if st.label != st.status.as_str() {
        let _ = write!(status, " (<code>{}</code>)", html(&st.label));
    }
    if !st.complete {
        status.push_str(" <span class=\"techfile-gap\">incomplete</span>");
    }
    let mut why = Vec::new();
    if let Some(j) = &st.justification {
        why.push(format!("<code>{}</code>", html(j)));
    }
    if !st.response.is_empty() {
        why.push(html(&st.response.join(", ")));
    }
    if let Some(d) = &st.detail {
        why.push(html(d));
    }
    if let Some(due) = st.due(a.max_age) {
        let expired = a.today.is_some_and(|t| due < t);
        why.push(if expired {
            format!("<span class=\"techfile-gap\">review was due {due}</span>")
        } else {
            format!("review by {due}")
        });
    }
    (status, why.join("<br>"))
}

/// The snapshot the view reflects: one line per advisory folder.
fn snapshot(a: &Assessment) -> String {
    let mut out = String::new();
    if !a.is_active() {
        out.push_str("<p class=\"techfile-meta\"><span class=\"techfile-gap\">No advisory snapshot was read</span>: no component was checked against advisories. Set <code>advisories</code> in [preprocessor.techfile] to the folders of a recorded snapshot, or run <code>mdbook-techfile revalidate</code>.</p>\n");
        return out;
    }
    out.push_str("<table class=\"techfile-table techfile-meta techfile-vuln-snapshot\">\n<thead><tr><th>Advisory folder</th><th>Records</th><th>Newest modified</th><th>SHA-256 of the set</th></tr></thead>\n<tbody>\n");
    for s in &a.sources {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"techfile-hash\"><code>{}</code></td></tr>",
            html(&s.path),
            s.records,
            s.newest_modified
                .map_or("unknown".to_string(), |m| m.to_string()),
            html(&s.sha256)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// Everything the directive places.
pub(crate) fn render(site: &Site<'_, '_>, page: &str) -> String {
    let a = site.vulnerabilities;
    let sboms = site.sboms;
    let mut out = String::with_capacity(4096);
    out.push_str(STYLE);
    out.push_str(VULN_STYLE);
    out.push_str("<div class=\"techfile-vulnerabilities\">\n\n");
    out.push_str(&snapshot(a));
    let open = a
        .vulnerabilities
        .iter()
        .filter(|v| !a.is_settled(v) && v.informational.is_none())
        .count();
    let informational = a
        .vulnerabilities
        .iter()
        .filter(|v| !a.is_settled(v) && v.informational.is_some())
        .count();
    let settled = a.vulnerabilities.iter().filter(|v| a.is_settled(v)).count();
    let _ = writeln!(
        out,
        "<p>{} components checked against {} advisory records, {} not checked. Vulnerabilities: {} settled by a VEX statement, {}. Informational advisories: {}.{}</p>",
        a.checked,
        a.records,
        a.not_checked.len(),
        settled,
        if open == 0 {
            "none open".to_string()
        } else {
            format!("<span class=\"techfile-gap\">{open} open</span>")
        },
        informational,
        match a.today {
            Some(t) => format!(" VEX review dates judged on {t}."),
            None => String::new(),
        }
    );
    if !a.vulnerabilities.is_empty() {
        let _ = writeln!(
            out,
            "<table class=\"techfile-table techfile-fixed techfile-vulns\">\n{}",
            super::style::colgroup(&VULN_COLUMNS)
        );
        out.push_str("<thead><tr><th>Component</th><th>Vulnerability</th><th>Severity</th><th>VEX status</th><th>Justification, response, review</th><th>Fixed in</th><th>Linked items</th></tr></thead>\n<tbody>\n");
        for v in &a.vulnerabilities {
            let component = crate::render::sbom::object_link(site, page, v.component.object());
            let id = match &v.url {
                Some(u) if u.starts_with("https://") => {
                    format!("<a href=\"{}\">{}</a>", html(u), html(&v.id))
                }
                _ => html(&v.id),
            };
            let mut title = id;
            if !v.aliases.is_empty() {
                let _ = write!(title, "<br><em>also {}</em>", html(&v.aliases.join(", ")));
            }
            if let Some(s) = &v.summary {
                let _ = write!(title, "<br>{}", html(s));
            }
            if let Some(kind) = &v.informational {
                let _ = write!(title, "<br><em>informational: {}</em>", html(kind));
            }
            let severity = match &v.score {
                Some(s) => match s.tenths {
                    Some(t) => format!(
                        "{} {}<br><code>{}</code>",
                        crate::cvss::tenths(t),
                        html(&s.rating),
                        html(&s.vector)
                    ),
                    None if !s.vector.is_empty() => {
                        format!("{}<br><code>{}</code>", html(&s.rating), html(&s.vector))
                    }
                    None => html(&s.rating),
                },
                None => "<em>not given</em>".into(),
            };
            let (status, why) = status_cell(a, v);
            let items: Vec<String> = sboms
                .affected_by
                .get(&v.component.object())
                .into_iter()
                .flatten()
                .map(|&i| site.marked_with_title(page, &site.graph.items[i].id))
                .collect();
            let _ = writeln!(
                out,
                "<tr><td>{component}</td><td>{title}</td><td>{severity}</td><td>{status}</td><td>{why}</td><td>{}</td><td>{}</td></tr>",
                html(&v.fixed.join(", ")),
                if items.is_empty() {
                    "<span class=\"techfile-gap\">none</span>".to_string()
                } else {
                    items.join("<br>")
                }
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !a.unevaluated.is_empty() {
        out.push_str("<p><strong>Advisories that could not be evaluated:</strong></p>\n<ul>\n");
        for u in &a.unevaluated {
            let _ = writeln!(
                out,
                "<li>{} and <code>{}</code>: {}</li>",
                crate::render::sbom::object_link(site, page, u.component.object()),
                html(&a.record_ids[u.record]),
                html(&u.reason)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("\n</div>\n");
    out
}
