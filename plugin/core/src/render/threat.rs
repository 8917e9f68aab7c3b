//! The threat-model views: the STRIDE matrix, the interface table MDCG 2019-16 section 4.3
//! asks manufacturers to give users (network ports and other interfaces), and the tables of
//! assets, data stores, data flows and trust boundaries; and the rows and trace lists that
//! element pages add.
//!
//! Everything a user wrote is escaped with [`html`]. Links to items go through
//! [`Site::link`], so they are checked through the anchors of the items they point at.

use super::site::Site;
use super::{STYLE, gap, html, html_lines};
use crate::model::{Kind, ModelFields, Relation, Stride};
use crate::threat::{Cell, Model};
use std::fmt::Write;

/// Styles of the threat-model views, added after [`STYLE`].
pub(crate) const THREAT_STYLE: &str = "<style>\n\
.techfile-stride td, .techfile-stride th { text-align: center; vertical-align: middle; }\n\
.techfile-stride td:first-child, .techfile-stride th:first-child { text-align: left; }\n\
.techfile-stride .techfile-na-reason { font-size: 0.8em; text-align: left; }\n\
.techfile-stride td.techfile-inapplicable { color: #999; }\n\
.techfile-id { white-space: nowrap; }\n\
.techfile-fixed .techfile-id { white-space: normal; overflow-wrap: anywhere; }\n\
.techfile-fixed .techfile-key { white-space: nowrap; overflow-wrap: normal; }\n\
.techfile-threat { font-size: 0.85em; }\n\
.techfile-threat td, .techfile-threat th { padding: 3px 6px; overflow-wrap: break-word; }\n\
.techfile-threat th { overflow-wrap: normal; hyphens: auto; }\n\
.techfile-interfaces { table-layout: fixed; width: 100%; }\n\
@media print { .techfile-threat { font-size: 0.7em; } .techfile-threat td, .techfile-threat th { padding: 2px 4px; } }\n\
.techfile-dfd { margin: 1em 0; }\n\
.techfile-dfd svg a:hover rect, .techfile-dfd svg a:hover ellipse { stroke-width: 2; }\n\
.techfile-dfd figcaption { font-size: 0.85em; }\n\
</style>\n";

fn styles() -> String {
    format!("{STYLE}{THREAT_STYLE}")
}

/// The ID a row is about, whole on one line in every layout: readers (and `pdftotext`)
/// find an interface by its ID, which a break after one of its hyphens would split.
fn key_link(site: &Site<'_, '_>, page: &str, i: usize) -> String {
    classed_link(site, page, i, "techfile-id techfile-key")
}

/// A link to an item that does not break across lines (IDs contain hyphens), except in a
/// fixed-layout table's narrow columns, where it may.
fn id_link(site: &Site<'_, '_>, page: &str, i: usize) -> String {
    classed_link(site, page, i, "techfile-id")
}

fn classed_link(site: &Site<'_, '_>, page: &str, i: usize, class: &str) -> String {
    format!(
        "<span class=\"{class}\">{}</span>",
        site.marked(page, &site.graph.items[i].id)
    )
}

fn links(site: &Site<'_, '_>, page: &str, items: &[usize]) -> String {
    if items.is_empty() {
        return "<em>none</em>".into();
    }
    items
        .iter()
        .map(|&i| id_link(site, page, i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A risk's link coloured with the acceptance level of its residual estimate, so the matrix
/// shows at a glance where risk remains.
fn risk_badge(site: &Site<'_, '_>, page: &str, r: usize) -> String {
    let item = &site.graph.items[r];
    let link = site.marked(page, &item.id);
    let cell = item
        .risk
        .as_ref()
        .and_then(|f| crate::risk::rate(site.risk, &f.residual).cell());
    match cell {
        Some(cell) => {
            let level = crate::risk::level(site.risk, cell);
            format!(
                "<span class=\"techfile-level techfile-id {}\" title=\"residual: {}\">{link}</span>",
                level.class(),
                level.as_str()
            )
        }
        None => format!("<span class=\"techfile-id\">{link}</span>"),
    }
}

/// `{{#techfile stride}}`: every element against the six STRIDE categories. A cell lists the
/// risks that name the element and the category (coloured by residual level), or the reason
/// why the category does not apply; a gap is red; a category that does not apply to the
/// element's type is a dash.
pub(crate) fn stride(site: &Site<'_, '_>, page: &str) -> String {
    let model = site.model();
    let elements = model.stride_elements();
    let mut out = styles();
    if elements.is_empty() {
        out.push_str("<p><em>The threat model has no actors, processes, data stores, interfaces or data flows yet.</em></p>\n");
        return out;
    }
    out.push_str("<table class=\"techfile-table techfile-threat techfile-stride\">\n<thead><tr><th>Element</th>");
    for c in Stride::ALL {
        let _ = write!(out, "<th title=\"{}\">{}</th>", c.title(), c.letter());
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let (mut risks, mut reasons, mut gaps) = (0, 0, 0);
    let mut kind = None;
    for i in elements {
        let item = model.item(i);
        if kind != Some(item.kind) {
            kind = Some(item.kind);
            let _ = writeln!(
                out,
                "<tr><th colspan=\"7\">{}</th></tr>",
                item.kind.plural_title()
            );
        }
        let _ = write!(
            out,
            "<tr><td>{}<br><small>{}</small></td>",
            id_link(site, page, i),
            html(&item.title)
        );
        for &c in Stride::ALL {
            match model.cell(site.stride, i, c) {
                Cell::Inapplicable => {
                    let _ = write!(
                        out,
                        "<td class=\"techfile-inapplicable\" title=\"{} does not apply to {}\">&#8212;</td>",
                        c.title(),
                        item.kind.with_article()
                    );
                }
                Cell::Risks(list) => {
                    risks += 1;
                    let cells: Vec<String> =
                        list.iter().map(|&r| risk_badge(site, page, r)).collect();
                    let _ = write!(out, "<td>{}</td>", cells.join("<br>"));
                }
                Cell::NotApplicable(reason) => {
                    reasons += 1;
                    let _ = write!(
                        out,
                        "<td class=\"techfile-na-reason\"><span class=\"techfile-na\">N/A:</span> {}</td>",
                        html_lines(reason)
                    );
                }
                Cell::Gap => {
                    gaps += 1;
                    let _ = write!(out, "<td>{}</td>", gap("no risk"));
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    let total = risks + reasons + gaps;
    let _ = writeln!(
        out,
        "<p class=\"techfile-stride-totals\">{total} applicable pairs of element and category: {risks} analysed in risks, {reasons} not applicable with a reason, {}.</p>",
        if gaps == 0 {
            "no gaps".to_string()
        } else {
            gap(&format!("{gaps} without either"))
        }
    );
    out
}

/// The risks that name `items`, and the controls of those risks.
fn risks_and_controls(
    site: &Site<'_, '_>,
    page: &str,
    model: &Model<'_, '_>,
    items: &[usize],
) -> String {
    let mut risks: Vec<usize> = items.iter().flat_map(|&i| model.risks_of(i)).collect();
    model.sort(&mut risks);
    if risks.is_empty() {
        return gap("no risk");
    }
    let mut controls: Vec<usize> = risks
        .iter()
        .flat_map(|&r| model.sources(r, Relation::Mitigates))
        .collect();
    model.sort(&mut controls);
    let risks: Vec<String> = risks.iter().map(|&r| risk_badge(site, page, r)).collect();
    format!(
        "{}<br><small>controls: {}</small>",
        risks.join(", "),
        links(site, page, &controls)
    )
}

fn fields<'a>(model: &Model<'_, 'a>, i: usize) -> Option<&'a ModelFields> {
    model.item(i).model.as_deref()
}

fn or_dash(v: Option<&str>) -> String {
    v.map_or_else(|| "&#8212;".to_string(), html)
}

/// `{{#techfile interfaces}}`: every interface with what MDCG 2019-16 section 4.3 asks the
/// manufacturer to tell users and IT departments (network ports and other interfaces):
/// protocol and version, port, direction, exposure, authentication and encryption, the data
/// it carries, and the risks and controls on it. Sorted by element, then ID.
pub(crate) fn interfaces(site: &Site<'_, '_>, page: &str) -> String {
    let model = site.model();
    let mut list: Vec<usize> = model.of_kind(Kind::Interface).to_vec();
    let owner = |i: usize| {
        model
            .target(i, Relation::InterfaceOf)
            .map(|o| model.item(o).id.as_str())
            .unwrap_or_default()
    };
    list.sort_by(|a, b| (owner(*a), &model.item(*a).id).cmp(&(owner(*b), &model.item(*b).id)));
    let mut out = styles();
    out.push_str("<table class=\"techfile-table techfile-fixed techfile-threat techfile-interfaces\">\n<colgroup><col style=\"width: 20%\"><col style=\"width: 13%\"><col style=\"width: 13%\"><col style=\"width: 10%\"><col style=\"width: 15%\"><col style=\"width: 14%\"><col style=\"width: 15%\"></colgroup>\n<thead><tr><th>Interface</th><th>Element and peers</th><th>Protocol, version, port</th><th>Direction, exposure</th><th>Authentication, encryption</th><th>Data</th><th>Risks and controls</th></tr></thead>\n<tbody>\n");
    if list.is_empty() {
        out.push_str("<tr><td colspan=\"7\"><em>No interface items.</em></td></tr>\n");
    }
    for i in list {
        let item = model.item(i);
        let f = fields(model, i);
        let get = |g: fn(&ModelFields) -> Option<&String>| f.and_then(g).map(String::as_str);
        let mut name = format!("{}<br>{}", key_link(site, page, i), html(&item.title));
        if let Some(t) = f.and_then(|f| f.interface_type) {
            let _ = write!(name, "<br><small>{}</small>", t.as_str());
        }
        if let Some(p) = get(|f| f.purpose.as_ref()) {
            let _ = write!(name, "<br><small>{}</small>", html(p));
        }
        let element = match model.target(i, Relation::InterfaceOf) {
            Some(o) => id_link(site, page, o),
            None => gap("no element"),
        };
        let peers = model.targets(i, Relation::Peers);
        let element = if peers.is_empty() {
            element
        } else {
            format!(
                "{element}<br><small>peers: {}</small>",
                links(site, page, &peers)
            )
        };
        let protocol = format!(
            "{}<br>{}<br>{}",
            or_dash(get(|f| f.protocol.as_ref())),
            or_dash(get(|f| f.protocol_version.as_ref())),
            or_dash(get(|f| f.port.as_ref()))
        );
        let direction = format!(
            "{}<br>{}",
            or_dash(f.and_then(|f| f.direction).map(|d| d.as_str())),
            or_dash(f.and_then(|f| f.exposure).map(|e| e.as_str()))
        );
        let security = format!(
            "{}<br>{}",
            or_dash(get(|f| f.authentication.as_ref())),
            or_dash(get(|f| f.encryption.as_ref()))
        );
        let flows = model.sources(i, Relation::FlowInterfaces);
        let mut assets: Vec<usize> = flows
            .iter()
            .flat_map(|&fl| model.targets(fl, Relation::FlowAssets))
            .collect();
        model.sort(&mut assets);
        let data = if flows.is_empty() {
            gap("no data flow")
        } else {
            format!(
                "{}<br><small>flows: {}</small>",
                links(site, page, &assets),
                links(site, page, &flows)
            )
        };
        let mut analysed = vec![i];
        analysed.extend(&flows);
        let _ = writeln!(
            out,
            "<tr><td>{name}</td><td>{element}</td><td>{protocol}</td><td>{direction}</td><td>{security}</td><td>{data}</td><td>{}</td></tr>",
            risks_and_controls(site, page, model, &analysed)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// `{{#techfile assets}}`: every asset with its type and the confidentiality, integrity and
/// availability it needs, where it lives and moves, and the risks to it.
pub(crate) fn assets(site: &Site<'_, '_>, page: &str) -> String {
    let model = site.model();
    let mut out = styles();
    out.push_str("<table class=\"techfile-table techfile-threat techfile-assets\">\n<thead><tr><th>Asset</th><th>Type</th><th>C</th><th>I</th><th>A</th><th>Where</th><th>Risks and controls</th></tr></thead>\n<tbody>\n");
    let list = model.of_kind(Kind::Asset);
    if list.is_empty() {
        out.push_str("<tr><td colspan=\"7\"><em>No asset items.</em></td></tr>\n");
    }
    for &a in list {
        let item = model.item(a);
        let f = fields(model, a);
        let need = |g: fn(&ModelFields) -> Option<crate::model::Need>| {
            or_dash(f.and_then(g).map(|n| n.as_str()))
        };
        let mut place = Vec::new();
        for (label, relation) in [
            ("held in", Relation::StoreAssets),
            ("handled by", Relation::ProcessAssets),
            ("carried by", Relation::FlowAssets),
        ] {
            let by = model.sources(a, relation);
            if !by.is_empty() {
                place.push(format!("{label} {}", links(site, page, &by)));
            }
        }
        let _ = writeln!(
            out,
            "<tr><td>{}<br>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            id_link(site, page, a),
            html(&item.title),
            or_dash(f.and_then(|f| f.asset_type).map(|t| t.as_str())),
            need(|f| f.confidentiality),
            need(|f| f.integrity),
            need(|f| f.availability),
            if place.is_empty() {
                "<em>not placed</em>".to_string()
            } else {
                place.join("<br>")
            },
            risks_and_controls(site, page, model, &[a])
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// `{{#techfile data-stores}}`: every data store with the assets it holds, its encryption
/// at rest and retention, the trust boundaries around it, and its risks.
pub(crate) fn data_stores(site: &Site<'_, '_>, page: &str) -> String {
    let model = site.model();
    let mut out = styles();
    out.push_str("<table class=\"techfile-table techfile-threat techfile-data-stores\">\n<thead><tr><th>Data store</th><th>Assets held</th><th>Encryption at rest</th><th>Retention</th><th>Inside</th><th>Risks and controls</th></tr></thead>\n<tbody>\n");
    let list = model.of_kind(Kind::DataStore);
    if list.is_empty() {
        out.push_str("<tr><td colspan=\"6\"><em>No data-store items.</em></td></tr>\n");
    }
    for &s in list {
        let item = model.item(s);
        let f = fields(model, s);
        let _ = writeln!(
            out,
            "<tr><td>{}<br>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            id_link(site, page, s),
            html(&item.title),
            links(site, page, &model.targets(s, Relation::StoreAssets)),
            or_dash(f.and_then(|f| f.encryption.as_deref())),
            or_dash(f.and_then(|f| f.retention.as_deref())),
            links(site, page, model.boundaries_of(s)),
            risks_and_controls(site, page, model, &[s])
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// `{{#techfile data-flows}}`: every data flow with its ends, interfaces, assets, the trust
/// boundaries it crosses, and its risks.
pub(crate) fn data_flows(site: &Site<'_, '_>, page: &str) -> String {
    let model = site.model();
    let mut out = styles();
    out.push_str("<table class=\"techfile-table techfile-fixed techfile-threat techfile-data-flows\">\n<colgroup><col style=\"width: 19%\"><col style=\"width: 21%\"><col style=\"width: 16%\"><col style=\"width: 16%\"><col style=\"width: 12%\"><col style=\"width: 16%\"></colgroup>\n<thead><tr><th>Data flow</th><th>From and to</th><th>Interfaces</th><th>Assets</th><th>Crosses</th><th>Risks and controls</th></tr></thead>\n<tbody>\n");
    let list = model.of_kind(Kind::DataFlow);
    if list.is_empty() {
        out.push_str("<tr><td colspan=\"6\"><em>No data-flow items.</em></td></tr>\n");
    }
    for &f in list {
        let item = model.item(f);
        let end = |r: Relation| match model.target(f, r) {
            Some(e) => id_link(site, page, e),
            None => gap("none"),
        };
        let crossed = model.crossings(f);
        let interfaces = model.targets(f, Relation::FlowInterfaces);
        let _ = writeln!(
            out,
            "<tr><td>{}<br>{}</td><td>{} &#8594; {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            id_link(site, page, f),
            html(&item.title),
            end(Relation::FlowFrom),
            end(Relation::FlowTo),
            if interfaces.is_empty() && !crossed.is_empty() {
                gap("none")
            } else {
                links(site, page, &interfaces)
            },
            links(site, page, &model.targets(f, Relation::FlowAssets)),
            links(site, page, &crossed),
            risks_and_controls(site, page, model, &[f])
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// `{{#techfile trust-boundaries}}`: every trust boundary with what it contains and the data
/// flows that cross it.
pub(crate) fn trust_boundaries(site: &Site<'_, '_>, page: &str) -> String {
    let model = site.model();
    let mut out = styles();
    out.push_str("<table class=\"techfile-table techfile-threat techfile-trust-boundaries\">\n<thead><tr><th>Trust boundary</th><th>Contains</th><th>Crossed by</th></tr></thead>\n<tbody>\n");
    let list = model.of_kind(Kind::TrustBoundary);
    if list.is_empty() {
        out.push_str("<tr><td colspan=\"3\"><em>No trust-boundary items.</em></td></tr>\n");
    }
    for &b in list {
        let item = model.item(b);
        let crossing: Vec<usize> = model
            .of_kind(Kind::DataFlow)
            .iter()
            .copied()
            .filter(|&f| model.crossings(f).contains(&b))
            .collect();
        let _ = writeln!(
            out,
            "<tr><td>{}<br>{}</td><td>{}</td><td>{}</td></tr>",
            id_link(site, page, b),
            html(&item.title),
            links(site, page, &model.targets(b, Relation::Contains)),
            links(site, page, &crossing)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The rows an element adds to its item page.
pub(crate) fn item_rows(model: &Model<'_, '_>, i: usize) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    let Some(f) = fields(model, i) else {
        return rows;
    };
    let mut text = |k: &'static str, v: Option<&str>| {
        if let Some(v) = v {
            rows.push((k, html(v)));
        }
    };
    text("Asset type", f.asset_type.map(|t| t.as_str()));
    text("Confidentiality", f.confidentiality.map(|n| n.as_str()));
    text("Integrity", f.integrity.map(|n| n.as_str()));
    text("Availability", f.availability.map(|n| n.as_str()));
    text("Actor type", f.actor_type.map(|t| t.as_str()));
    text("Capability", f.capability.as_deref());
    text("Technology", f.technology.as_deref());
    text("Interface type", f.interface_type.map(|t| t.as_str()));
    text("Protocol", f.protocol.as_deref());
    text("Protocol version", f.protocol_version.as_deref());
    text("Port", f.port.as_deref());
    text("Direction", f.direction.map(|d| d.as_str()));
    text("Exposure", f.exposure.map(|e| e.as_str()));
    text("Authentication", f.authentication.as_deref());
    let encryption = match model.item(i).kind {
        Kind::DataStore => "Encryption at rest",
        _ => "Encryption",
    };
    text(encryption, f.encryption.as_deref());
    text("Retention", f.retention.as_deref());
    text("Purpose", f.purpose.as_deref());
    for (category, reason) in &f.not_applicable {
        rows.push((
            "Not applicable",
            format!("{}: {}", category.title(), html_lines(&reason.value)),
        ));
    }
    rows
}

/// The trace lines an element's page adds below the generic ones: the trust boundaries it
/// is inside, the boundaries a flow crosses, and the controls that protect it (those of its
/// risks).
pub(crate) fn trace_lines(site: &Site<'_, '_>, page: &str, i: usize) -> String {
    let model = site.model();
    let item = model.item(i);
    let mut out = String::new();
    let ids = |v: &[usize]| -> Vec<&str> { v.iter().map(|&j| model.item(j).id.as_str()).collect() };
    // A threat model has few boundaries, named for what they separate: their titles are
    // worth the words. The controls are derived and may be many, so IDs with tooltips, as
    // in the other derived lists.
    if item.kind.is_node() || item.kind == Kind::TrustBoundary {
        let inside = model.boundaries_of(i);
        if !inside.is_empty() {
            out.push_str(&site.links_line(page, "Inside trust boundaries", &ids(inside), true));
        }
    }
    if item.kind == Kind::DataFlow {
        out.push_str(&site.links_line(page, "Crosses", &ids(&model.crossings(i)), true));
    }
    if item.kind != Kind::TrustBoundary {
        out.push_str(&site.links_line(
            page,
            "Controls (through its risks)",
            &ids(&model.controls_of(i)),
            false,
        ));
    }
    out
}
