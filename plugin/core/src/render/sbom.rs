//! The page of one SBOM: its identity (with the SHA-256 a reader checks their copy
//! against), a summary (types, licenses, NTIA gaps) and the component table, grouped by
//! component type in collapsible sections so a 5,000-component SBOM stays readable.

use super::site::Site;
use super::{gap, html};
use crate::sbom::{Component, ComponentId, Sbom, ntia};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Groups with more rows than this start collapsed.
const OPEN_UP_TO: usize = 100;

/// Extra styles of SBOM pages (the shared ones come from [`super::STYLE`]).
const STYLE: &str = "<style>\n\
.techfile-hash { word-break: break-all; font-size: 0.85em; }\n\
.techfile-sbom-table td { font-size: 0.9em; }\n\
.techfile-sbom details > summary { cursor: pointer; margin: 0.5em 0; }\n\
.techfile-ntia { margin-top: 1.5em; }\n\
</style>\n";

/// A link to a component row inside a collapsed group does not scroll to it by itself in
/// every browser; this opens the group first. Guarded so two SBOMs on a page add it once.
const SCRIPT: &str = "<script>\n\
(function () {\n\
  if (window.techfileOpenTarget) { return; }\n\
  window.techfileOpenTarget = function () {\n\
    var id = decodeURIComponent(location.hash.slice(1));\n\
    var el = id ? document.getElementById(id) : null;\n\
    if (!el) { return; }\n\
    for (var p = el.parentElement; p; p = p.parentElement) {\n\
      if (p.tagName === 'DETAILS') { p.open = true; }\n\
    }\n\
    el.scrollIntoView();\n\
  };\n\
  window.addEventListener('hashchange', window.techfileOpenTarget);\n\
  document.addEventListener('DOMContentLoaded', window.techfileOpenTarget);\n\
})();\n\
</script>\n";

/// The order component types are listed in; types the list does not know come after, by name.
const TYPE_ORDER: [&str; 13] = [
    "application",
    "framework",
    "library",
    "container",
    "platform",
    "operating-system",
    "device",
    "device-driver",
    "firmware",
    "file",
    "machine-learning-model",
    "data",
    "cryptographic-asset",
];

fn type_rank(kind: &str) -> (usize, &str) {
    (
        TYPE_ORDER
            .iter()
            .position(|t| *t == kind)
            .unwrap_or(TYPE_ORDER.len()),
        kind,
    )
}

/// The hash a reader is most likely to check: the strongest algorithm present.
fn best_hash(c: &Component) -> Option<&(String, String)> {
    const PREFERENCE: [&str; 8] = [
        "SHA-512",
        "SHA3-512",
        "SHA-384",
        "SHA3-384",
        "SHA-256",
        "SHA3-256",
        "BLAKE3",
        "BLAKE2b-512",
    ];
    c.hashes.iter().min_by_key(|(alg, _)| {
        PREFERENCE
            .iter()
            .position(|p| p == alg)
            .unwrap_or(PREFERENCE.len())
    })
}

/// A link to a component row from any page; plain text when its SBOM is not in the book.
pub fn component_link(site: &Site<'_, '_>, from_page: &str, id: ComponentId) -> String {
    let sbom = &site.sboms.sboms[id.sbom];
    let c = sbom.components.get(id.component);
    let Some(c) = c else { return String::new() };
    match site.sbom_pages.get(&id.sbom) {
        // An outline is read for its ids only (see [`Site::outline`]).
        Some(_) if site.outline => format!("<a>{}</a>", html(&c.label())),
        Some(page) => format!(
            "<a href=\"{}\" title=\"{}\">{}</a>",
            html(&super::href(from_page, page, &c.anchor)),
            html(&sbom.key),
            html(&c.label())
        ),
        None => format!("<code>{}</code>", html(&c.label())),
    }
}

/// Everything `{{#techfile sbom FILE}}` places, for the SBOM at `index`.
pub fn sbom_page(site: &Site<'_, '_>, index: usize, page: &str, with_title: bool) -> String {
    let sbom = &site.sboms.sboms[index];
    let mut out = String::with_capacity(2048 + sbom.components.len() * 700);
    if with_title {
        let _ = writeln!(out, "# SBOM: {}\n", super::markdown_inline(&sbom.key));
    }
    out.push_str(super::STYLE);
    out.push_str(STYLE);
    out.push_str(SCRIPT);
    let _ = writeln!(out, "<div class=\"techfile-sbom\" id=\"{}\">", sbom.anchor);
    identity(site, sbom, index, page, &mut out);
    summary(site, sbom, index, page, &mut out);
    components(site, sbom, index, page, &mut out);
    out.push_str("</div>\n");
    out
}

fn identity(site: &Site<'_, '_>, sbom: &Sbom, index: usize, page: &str, out: &mut String) {
    out.push_str("<table class=\"techfile-meta\">\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(out, "<tr><td>{k}</td><td>{v}</td></tr>");
    };
    row("File", format!("<code>{}</code>", html(&sbom.path)));
    row(
        "SHA-256",
        format!("<code class=\"techfile-hash\">{}</code>", sbom.sha256),
    );
    row("Size", format!("{} bytes", sbom.size));
    row(
        "Format",
        format!("CycloneDX {} (JSON)", html(&sbom.spec_version)),
    );
    if let Some(s) = &sbom.serial_number {
        row("Serial number", format!("<code>{}</code>", html(s)));
    }
    row("BOM version", sbom.bom_version.to_string());
    row(
        "Timestamp",
        sbom.timestamp
            .as_deref()
            .map_or_else(|| gap("not stated"), html),
    );
    row(
        "Authors",
        if sbom.authors.is_empty() {
            gap("not stated")
        } else {
            html(&sbom.authors.join(", "))
        },
    );
    if !sbom.tools.is_empty() {
        row("Tools", html(&sbom.tools.join(", ")));
    }
    if let Some(p) = sbom.primary {
        row(
            "Describes",
            component_link(
                site,
                page,
                ComponentId {
                    sbom: index,
                    component: p,
                },
            ),
        );
    }
    out.push_str("</table>\n\n");
    let _ = writeln!(
        out,
        "<p class=\"techfile-meta\">To check that a copy of <code>{}</code> is this SBOM, compute its SHA-256 (<code>sha256sum</code>, <code>shasum -a 256</code> or <code>Get-FileHash</code>) and compare it with the value above.</p>\n",
        html(sbom.key.rsplit('/').next().unwrap_or(&sbom.key))
    );
}

fn summary(site: &Site<'_, '_>, sbom: &Sbom, index: usize, page: &str, out: &mut String) {
    let mut by_type: BTreeMap<(usize, &str), usize> = BTreeMap::new();
    let mut by_license: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &sbom.components {
        *by_type.entry(type_rank(&c.kind)).or_default() += 1;
        if c.licenses.is_empty() {
            *by_license.entry("").or_default() += 1;
        }
        for l in &c.licenses {
            *by_license.entry(l).or_default() += 1;
        }
    }
    out.push_str("<table class=\"techfile-table techfile-sbom-summary\">\n<thead><tr><th>Component type</th><th>Components</th></tr></thead>\n<tbody>\n");
    for ((_, kind), n) in &by_type {
        let _ = writeln!(out, "<tr><td>{}</td><td>{n}</td></tr>", html(kind));
    }
    let _ = writeln!(
        out,
        "<tr><td><strong>Total</strong></td><td><strong>{}</strong></td></tr>\n</tbody>\n</table>\n",
        sbom.components.len()
    );

    // Most used licenses first; ties by name, so the order is stable.
    let mut licenses: Vec<(&str, usize)> = by_license.into_iter().collect();
    licenses.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let open = if licenses.len() <= 15 { " open" } else { "" };
    let _ = writeln!(
        out,
        "<details{open}><summary><strong>Licenses</strong> ({} distinct)</summary>",
        licenses.len()
    );
    out.push_str("<table class=\"techfile-table techfile-sbom-licenses\">\n<thead><tr><th>License</th><th>Components</th></tr></thead>\n<tbody>\n");
    for (l, n) in &licenses {
        let name = if l.is_empty() {
            gap("none stated")
        } else {
            html(l)
        };
        let _ = writeln!(out, "<tr><td>{name}</td><td>{n}</td></tr>");
    }
    out.push_str("</tbody>\n</table>\n</details>\n\n");

    // NTIA minimum elements: one row per element, then the components with a gap.
    out.push_str("<table class=\"techfile-table techfile-ntia\">\n<thead><tr><th>NTIA minimum element</th><th>Gaps</th></tr></thead>\n<tbody>\n");
    let doc_row = |label: &str, ok: bool| {
        format!(
            "<tr><td>{label}</td><td>{}</td></tr>\n",
            if ok {
                "<span class=\"techfile-ok\">present</span>".to_string()
            } else {
                gap("missing")
            }
        )
    };
    out.push_str(&doc_row("Author of SBOM data", !sbom.authors.is_empty()));
    out.push_str(&doc_row("Timestamp", sbom.timestamp.is_some()));
    let mut with_gaps: Vec<(usize, Vec<&str>)> = Vec::new();
    let mut counts = [0usize; ntia::COMPONENT_ELEMENTS.len()];
    for (ci, c) in sbom.components.iter().enumerate() {
        let mut missing = Vec::new();
        for (k, (code, element)) in ntia::COMPONENT_ELEMENTS.iter().enumerate() {
            if ntia::lacks(*code, c, sbom.has_dependencies) {
                counts[k] += 1;
                missing.push(*element);
            }
        }
        if !missing.is_empty() {
            with_gaps.push((ci, missing));
        }
    }
    let total = sbom.components.len();
    for (k, (_, element)) in ntia::COMPONENT_ELEMENTS.iter().enumerate() {
        let n = counts[k];
        let cell = if n == 0 {
            format!("<span class=\"techfile-ok\">none of {total} components</span>")
        } else {
            gap(&format!("{n} of {total} components"))
        };
        let mut label = element.to_string();
        label[..1].make_ascii_uppercase();
        let _ = writeln!(out, "<tr><td>{}</td><td>{cell}</td></tr>", html(&label));
    }
    out.push_str("</tbody>\n</table>\n\n");
    if !with_gaps.is_empty() {
        let open = if with_gaps.len() <= 20 { " open" } else { "" };
        let _ = writeln!(
            out,
            "<details{open}><summary><strong>Components with NTIA gaps</strong> ({})</summary>",
            with_gaps.len()
        );
        out.push_str("<table class=\"techfile-table\">\n<thead><tr><th>Component</th><th>Missing</th></tr></thead>\n<tbody>\n");
        for (ci, missing) in with_gaps {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td></tr>",
                component_link(
                    site,
                    page,
                    ComponentId {
                        sbom: index,
                        component: ci
                    }
                ),
                html(&missing.join(", "))
            );
        }
        out.push_str("</tbody>\n</table>\n</details>\n\n");
    }
}

fn components(site: &Site<'_, '_>, sbom: &Sbom, index: usize, page: &str, out: &mut String) {
    let mut groups: BTreeMap<(usize, &str), Vec<usize>> = BTreeMap::new();
    for (i, c) in sbom.components.iter().enumerate() {
        groups.entry(type_rank(&c.kind)).or_default().push(i);
    }
    let comps = &sbom.components;
    for ((_, kind), mut list) in groups {
        list.sort_by(|a, b| {
            let (x, y) = (&comps[*a], &comps[*b]);
            (&x.name, &x.group, &x.version, a).cmp(&(&y.name, &y.group, &y.version, b))
        });
        let open = if list.len() <= OPEN_UP_TO {
            " open"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<details{open}><summary><strong>{}</strong> ({} component{})</summary>",
            html(kind),
            list.len(),
            if list.len() == 1 { "" } else { "s" }
        );
        let _ = writeln!(
            out,
            "<table class=\"techfile-table techfile-fixed techfile-sbom-table\">\n{}",
            super::style::colgroup(&[12, 9, 11, 10, 19, 13, 14, 12])
        );
        out.push_str("<thead><tr><th>Component</th><th>Version</th><th>Supplier</th><th>Licenses</th><th>purl</th><th>Hash</th><th>Direct dependencies</th><th>Referenced by</th></tr></thead>\n<tbody>\n");
        for ci in list {
            row(site, sbom, index, ci, page, out);
        }
        out.push_str("</tbody>\n</table>\n</details>\n\n");
    }
}

fn row(site: &Site<'_, '_>, sbom: &Sbom, index: usize, ci: usize, page: &str, out: &mut String) {
    let c = &sbom.components[ci];
    let mut name = format!("<strong>{}</strong>", html(&c.name));
    if let Some(g) = &c.group {
        let _ = write!(name, "<br><small>{}</small>", html(g));
    }
    if sbom.primary == Some(ci) {
        name.push_str("<br><small>(primary component)</small>");
    }
    if let Some(p) = c.parent {
        let _ = write!(
            name,
            "<br><small>part of {}</small>",
            component_link(
                site,
                page,
                ComponentId {
                    sbom: index,
                    component: p
                }
            )
        );
    }
    let version = c.version.as_deref().map_or_else(|| gap("none"), html);
    let supplier = c.supplier.as_deref().map_or_else(|| gap("none"), html);
    let licenses = if c.licenses.is_empty() {
        String::new()
    } else {
        html(&c.licenses.join(", "))
    };
    let id = match (&c.purl, &c.cpe, &c.other_id) {
        (Some(p), _, _) => format!("<code>{}</code>", html(p)),
        (None, Some(cpe), _) => format!("<code>{}</code>", html(cpe)),
        (None, None, Some(o)) => format!("<code>{}</code>", html(o)),
        _ => gap("none"),
    };
    let hash = best_hash(c).map_or_else(String::new, |(alg, hex)| {
        format!(
            "{}: <code class=\"techfile-hash\">{}</code>",
            html(alg),
            html(hex)
        )
    });
    let mut deps: Vec<String> = c
        .depends_on
        .iter()
        .map(|&d| {
            format!(
                "<a href=\"#{}\">{}</a>",
                sbom.components[d].anchor,
                html(&sbom.components[d].label())
            )
        })
        .collect();
    deps.extend(
        c.depends_on_other
            .iter()
            .map(|o| format!("<code>{}</code>", html(o))),
    );
    let referenced: Vec<String> = site
        .sboms
        .affected_by
        .get(&ComponentId {
            sbom: index,
            component: ci,
        })
        .map(|items| {
            items
                .iter()
                .map(|&i| site.link(page, &site.graph.items[i].id))
                .collect()
        })
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<tr id=\"{}\"><td>{name}</td><td>{version}</td><td>{supplier}</td><td>{licenses}</td><td>{id}</td><td>{hash}</td><td>{}</td><td>{}</td></tr>",
        c.anchor,
        deps.join(", "),
        referenced.join(", ")
    );
}
