//! The page of one SBOM: its identity (with the SHA-256 a reader checks their copy
//! against), a summary (types, licenses, NTIA gaps) and the component table, grouped by
//! component type in collapsible sections so a 5,000-component SBOM stays readable.

use super::site::Site;
use super::{gap, html};
use crate::sbom::{Component, ObjectId, Sbom, Target, ntia, version};
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

/// A link to the row of an SBOM object (component, service or other) from any page; plain
/// text when its SBOM is not in the book.
pub(crate) fn object_link(site: &Site<'_, '_>, from_page: &str, id: ObjectId) -> String {
    let sbom = site.sboms.sbom(id);
    let label = sbom.label_of(id.target);
    match site.sbom_pages.get(&id.sbom) {
        // An outline is read for its ids only (see [`Site::outline`]).
        Some(_) if site.outline => format!("<a>{}</a>", html(&label)),
        Some(page) => format!(
            "<a href=\"{}\" title=\"{}\">{}</a>",
            html(&super::href(from_page, page, sbom.anchor_of(id.target))),
            html(&sbom.key),
            html(&label)
        ),
        None => format!("<code>{}</code>", html(&label)),
    }
}

/// Everything `{{#techfile sbom FILE}}` places, for the SBOM at `index`.
pub(crate) fn sbom_page(site: &Site<'_, '_>, index: usize, page: &str, with_title: bool) -> String {
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
    if !sbom.services.is_empty() {
        row("Services", sbom.services.len().to_string());
    }
    if !sbom.elements.is_empty() {
        row(
            "Other objects with a bom-ref",
            sbom.elements.len().to_string(),
        );
    }
    if let Some(p) = sbom.primary {
        row(
            "Describes",
            object_link(
                site,
                page,
                ObjectId {
                    sbom: index,
                    target: Target::Component(p),
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
                object_link(
                    site,
                    page,
                    ObjectId {
                        sbom: index,
                        target: Target::Component(ci),
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
        list.sort_by_cached_key(|&i| {
            let c = &comps[i];
            (
                c.name.clone(),
                c.group.clone(),
                c.version.as_deref().map(version::key),
                i,
            )
        });
        open_group(out, kind, list.len(), "component");
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
    services(site, sbom, index, page, out);
    elements(site, sbom, index, page, out);
}

/// Opens the collapsible section of one group of rows.
fn open_group(out: &mut String, title: &str, rows: usize, noun: &str) {
    let open = if rows <= OPEN_UP_TO { " open" } else { "" };
    let _ = writeln!(
        out,
        "<details{open}><summary><strong>{}</strong> ({rows} {noun}{})</summary>",
        html(title),
        if rows == 1 { "" } else { "s" }
    );
}

/// Links to the direct dependencies of a row, then the references that name nothing.
fn dependencies(sbom: &Sbom, on: &[Target], other: &[String]) -> String {
    let mut deps: Vec<String> = on
        .iter()
        .map(|&t| {
            format!(
                "<a href=\"#{}\">{}</a>",
                sbom.anchor_of(t),
                html(&sbom.label_of(t))
            )
        })
        .collect();
    deps.extend(other.iter().map(|o| format!("<code>{}</code>", html(o))));
    deps.join(", ")
}

/// Links to the items whose `affects` names an object.
fn referenced_by(site: &Site<'_, '_>, id: ObjectId, page: &str) -> String {
    site.sboms
        .affected_by
        .get(&id)
        .map(|items| {
            items
                .iter()
                .map(|&i| site.marked(page, &site.graph.items[i].id))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
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
            object_link(
                site,
                page,
                ObjectId {
                    sbom: index,
                    target: Target::Component(p),
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
    let target = Target::Component(ci);
    let _ = writeln!(
        out,
        "<tr id=\"{}\"><td>{name}</td><td>{version}</td><td>{supplier}</td><td>{licenses}</td><td>{id}</td><td>{hash}</td><td>{}</td><td>{}</td></tr>",
        c.anchor,
        dependencies(sbom, &c.depends_on, &c.depends_on_other),
        referenced_by(
            site,
            ObjectId {
                sbom: index,
                target
            },
            page
        )
    );
}

/// The services of the SBOM, in their own group.
fn services(site: &Site<'_, '_>, sbom: &Sbom, index: usize, page: &str, out: &mut String) {
    if sbom.services.is_empty() {
        return;
    }
    let list = &sbom.services;
    let mut order: Vec<usize> = (0..list.len()).collect();
    order.sort_by_cached_key(|&i| {
        let s = &list[i];
        (
            s.name.clone(),
            s.group.clone(),
            s.version.as_deref().map(version::key),
            i,
        )
    });
    open_group(out, "services", order.len(), "service");
    let _ = writeln!(
        out,
        "<table class=\"techfile-table techfile-fixed techfile-sbom-table\">\n{}",
        super::style::colgroup(&[14, 9, 12, 19, 10, 10, 14, 12])
    );
    out.push_str("<thead><tr><th>Service</th><th>Version</th><th>Provider</th><th>Endpoints</th><th>Authenticated</th><th>Crosses a trust boundary</th><th>Direct dependencies</th><th>Referenced by</th></tr></thead>\n<tbody>\n");
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "yes".to_string(),
        Some(false) => "no".to_string(),
        None => gap("not stated"),
    };
    for i in order {
        let s = &list[i];
        let mut name = format!("<strong>{}</strong>", html(&s.name));
        if let Some(g) = &s.group {
            let _ = write!(name, "<br><small>{}</small>", html(g));
        }
        if let Some(p) = s.parent {
            let parent = ObjectId {
                sbom: index,
                target: Target::Service(p),
            };
            let _ = write!(
                name,
                "<br><small>part of {}</small>",
                object_link(site, page, parent)
            );
        }
        let endpoints: Vec<String> = s
            .endpoints
            .iter()
            .map(|e| format!("<code>{}</code>", html(e)))
            .collect();
        let target = Target::Service(i);
        let _ = writeln!(
            out,
            "<tr id=\"{}\"><td>{name}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            s.anchor,
            s.version.as_deref().map_or_else(|| gap("none"), html),
            s.provider.as_deref().map_or_else(|| gap("none"), html),
            endpoints.join("<br>"),
            yes_no(s.authenticated),
            yes_no(s.trust_boundary),
            dependencies(sbom, &s.depends_on, &s.depends_on_other),
            referenced_by(
                site,
                ObjectId {
                    sbom: index,
                    target
                },
                page
            )
        );
    }
    out.push_str("</tbody>\n</table>\n</details>\n\n");
}

/// Every other object with a bom-ref (vulnerabilities, annotations, formulas, ...): what
/// items and references in the SBOM can name.
fn elements(site: &Site<'_, '_>, sbom: &Sbom, index: usize, page: &str, out: &mut String) {
    if sbom.elements.is_empty() {
        return;
    }
    let list = &sbom.elements;
    let mut order: Vec<usize> = (0..list.len()).collect();
    order.sort_by(|&a, &b| {
        (&list[a].kind, &list[a].label, a).cmp(&(&list[b].kind, &list[b].label, b))
    });
    open_group(out, "other objects with a bom-ref", order.len(), "object");
    let _ = writeln!(
        out,
        "<table class=\"techfile-table techfile-fixed techfile-sbom-table\">\n{}",
        super::style::colgroup(&[22, 12, 24, 20, 22])
    );
    out.push_str("<thead><tr><th>Object</th><th>Kind</th><th>bom-ref</th><th>Where</th><th>Referenced by</th></tr></thead>\n<tbody>\n");
    for i in order {
        let e = &list[i];
        let target = Target::Element(i);
        let _ = writeln!(
            out,
            "<tr id=\"{}\"><td><strong>{}</strong></td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
            e.anchor,
            html(&e.label),
            html(&e.kind),
            html(&e.bom_ref),
            html(&crate::sbom::schema::readable_path(&e.pointer)),
            referenced_by(
                site,
                ObjectId {
                    sbom: index,
                    target
                },
                page
            )
        );
    }
    out.push_str("</tbody>\n</table>\n</details>\n\n");
}
