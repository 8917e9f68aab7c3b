//! The security risk views: the risk register, the risk matrix before and after controls,
//! the hand-over to the safety risk file, and the configured acceptance criteria.
//!
//! Everything a user wrote is escaped with [`html`]; levels and scale words come from the
//! configuration, which is escaped too because book.toml is user input as well.

use super::site::Site;
use super::style::colgroup;
use super::{STYLE, gap, html, html_lines};
use crate::config::RiskConfig;
use crate::config::risk::Acceptance;
use crate::cvss::tenths;
use crate::graph::is_live;
use crate::graph::{Node, TraceGraph};
use crate::model::{Estimate, Exploitability, Item, Kind, Relation, RiskFields};
use crate::risk::{self, Cell};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Which estimate a view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    Initial,
    Residual,
}

impl Stage {
    pub(crate) fn parse(s: &str) -> Option<Stage> {
        match s {
            "initial" => Some(Stage::Initial),
            "residual" => Some(Stage::Residual),
            _ => None,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Stage::Initial => "Before controls",
            Stage::Residual => "After controls",
        }
    }

    fn of(self, fields: &RiskFields) -> &Estimate {
        match self {
            Stage::Initial => &fields.initial,
            Stage::Residual => &fields.residual,
        }
    }
}

/// Live risks (not obsolete, not duplicates), sorted by ID, with their fields.
fn risks<'a>(g: &TraceGraph<'a>) -> Vec<(usize, &'a Item, &'a RiskFields)> {
    let mut out: Vec<(usize, &Item, &RiskFields)> = g
        .items
        .iter()
        .enumerate()
        .filter(|(i, it)| it.kind == Kind::Risk && is_live(g, *i))
        .filter_map(|(i, it)| Some((i, it, it.risk.as_deref()?)))
        .collect();
    out.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    out
}

/// A coloured label with the level's name, so the level does not rely on colour alone.
pub(crate) fn badge(level: Acceptance) -> String {
    format!(
        "<span class=\"techfile-level {}\">{}</span>",
        level.class(),
        level.as_str()
    )
}

/// "probable / serious" and the level badge, or what is missing. A CVSS vector is shown
/// with its sub-score, so the reader can follow the mapping.
pub(crate) fn estimate(config: &RiskConfig, est: &Estimate) -> String {
    if est.exploitability.is_none() && est.severity.is_none() && est.cited.is_none() {
        return gap("not estimated");
    }
    let rated = risk::rate(config, est);
    let mut out = String::new();
    match est.exploitability.as_ref().map(|e| &e.value) {
        Some(Exploitability::Word(w)) if rated.row.is_some() => out.push_str(&html(w)),
        Some(Exploitability::Word(w)) => out.push_str(&gap(&format!("unknown level {w}"))),
        Some(Exploitability::Cvss(_)) => {
            let row = rated.row.and_then(|r| config.exploitability.get(r));
            out.push_str(&html(row.map_or("?", String::as_str)));
        }
        None => out.push_str(&gap("exploitability not estimated")),
    }
    out.push_str(" / ");
    match (&est.severity, rated.col) {
        (Some(s), Some(_)) => out.push_str(&html(&s.value)),
        (Some(s), None) => out.push_str(&gap(&format!("unknown level {}", s.value))),
        (None, _) => out.push_str(&gap("severity not estimated")),
    }
    if let Some(cell) = rated.cell() {
        let _ = write!(out, "<br>{}", badge(risk::level(config, cell)));
    }
    if let (Some(Exploitability::Cvss(c)), Some(t)) = (
        est.exploitability.as_ref().map(|e| &e.value),
        rated.cvss_tenths,
    ) {
        let _ = write!(
            out,
            "<br><small>CVSS exploitability {}: <code>{}</code></small>",
            tenths(t),
            html(&c.to_string())
        );
    }
    // A vector the scale cannot map is still shown: it is the evidence the word was judged from.
    if let Some(v) = &est.cited {
        let _ = write!(
            out,
            "<br><small>cited CVSS {} vector, not mapped: <code>{}</code></small>",
            v.value.version().as_str(),
            html(&v.value.to_string())
        );
    }
    out
}

fn external_link(url: &str, text: &str) -> String {
    format!("<a href=\"{}\">{}</a>", html(url), html(text))
}

/// CVE and CWE IDs as links to their public records.
fn cve_links(ids: &[String]) -> String {
    ids.iter()
        .map(|id| external_link(&format!("https://www.cve.org/CVERecord?id={id}"), id))
        .collect::<Vec<_>>()
        .join(", ")
}

fn cwe_links(ids: &[String]) -> String {
    ids.iter()
        .map(|id| {
            let n = id.trim_start_matches("CWE-");
            external_link(
                &format!("https://cwe.mitre.org/data/definitions/{n}.html"),
                id,
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The description rows of a risk: label and HTML value, only those that are set.
pub(crate) fn description(fields: &RiskFields) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    if let Some(a) = &fields.asset {
        rows.push(("Asset", html(a)));
    }
    if !fields.properties.is_empty() {
        let p: Vec<&str> = fields.properties.iter().map(|p| p.as_str()).collect();
        rows.push(("Property at risk", html(&p.join(", "))));
    }
    if let Some(v) = &fields.vector {
        rows.push(("Vector", html(v)));
    }
    if let Some(t) = &fields.threat {
        rows.push(("Threat", html(t)));
    }
    if !fields.stride.is_empty() {
        let s: Vec<&str> = fields.stride.iter().map(|s| s.as_str()).collect();
        rows.push(("STRIDE", html(&s.join(", "))));
    }
    if !fields.cve.is_empty() {
        rows.push(("CVE", cve_links(&fields.cve)));
    }
    if !fields.cwe.is_empty() {
        rows.push(("CWE", cwe_links(&fields.cwe)));
    }
    rows
}

/// "yes: SRMF-HAZ-012", "no", or a gap when the risk has not been assessed for it.
pub(crate) fn safety(fields: &RiskFields) -> String {
    match (&fields.safety_impact, &fields.safety_reference) {
        (Some(s), Some(r)) if s.value => format!("yes: {}", html(&r.value)),
        (Some(s), None) if s.value => gap("yes, no safety reference"),
        (Some(_), _) => "no".into(),
        (None, _) => gap("not assessed"),
    }
}

/// The controls of a risk with their type and how each is verified.
fn controls_cell(site: &Site<'_, '_>, page: &str, risk: usize) -> String {
    let g = site.graph;
    let controls = g.traced_by(Node::Item(risk), Relation::Mitigates);
    if controls.is_empty() {
        return gap("no control");
    }
    let mut lines = Vec::new();
    for c in controls {
        let control = &g.items[c];
        let kind = match &control.measure {
            Some(m) => html(m.value.label()),
            None => "<em>type not stated</em>".into(),
        };
        let tests = g.traced_by(Node::Item(c), Relation::Verifies);
        let verification = if tests.is_empty() {
            gap("no test")
        } else {
            tests
                .iter()
                .map(|&t| site.test_with_result(page, t))
                .collect::<Vec<_>>()
                .join(", ")
        };
        lines.push(format!(
            "{} <small>({kind})</small><br><small>verified by {verification}</small>",
            site.marked(page, &control.id)
        ));
    }
    lines.join("<br>\n")
}

/// The register: one row per live risk, sorted by ID.
pub(crate) fn register(site: &Site<'_, '_>, page: &str) -> String {
    let config = site.risk;
    let mut out = String::from(STYLE);
    let _ = writeln!(
        out,
        "<table class=\"techfile-table techfile-fixed techfile-risk-register\">\n{}",
        colgroup(&[14, 24, 13, 21, 13, 15])
    );
    out.push_str("<thead><tr><th>Risk</th><th>Asset and threat</th><th>Before controls</th><th>Controls and verification</th><th>After controls</th><th>Safety and acceptance</th></tr></thead>\n<tbody>\n");
    let all = risks(site.graph);
    if all.is_empty() {
        out.push_str("<tr><td colspan=\"6\"><em>No risk items.</em></td></tr>\n");
    }
    for (i, item, fields) in all {
        let mut risk_cell = site.marked_with_title(page, &item.id);
        // A draft has its mark; other states short of approved are named.
        if item.status != crate::model::Status::Approved && !item.is_declared_draft() {
            let _ = write!(
                risk_cell,
                "<br><small>{}</small>",
                html(item.status.as_str())
            );
        }
        let mut described = description(fields);
        // The threat-model elements the risk names, linked: where in the system it is.
        for (label, relation) in [
            ("Assets", Relation::RiskAssets),
            ("Elements", Relation::RiskElements),
            ("Interfaces", Relation::RiskInterfaces),
            ("Data flows", Relation::RiskFlows),
        ] {
            let ids: Vec<String> = item
                .links_of(relation)
                .map(|l| site.marked(page, &l.target))
                .collect();
            if !ids.is_empty() {
                described.push((label, ids.join(", ")));
            }
        }
        let threat_cell = if described.is_empty() {
            "<em>not described</em>".to_string()
        } else {
            described
                .iter()
                .map(|(k, v)| format!("<strong>{k}:</strong> {v}"))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let mut acceptance = vec![format!(
            "<strong>Safety impact:</strong> {}",
            safety(fields)
        )];
        if let Some(b) = &fields.benefit_risk {
            acceptance.push(format!(
                "<strong>Benefit-risk:</strong> {}",
                html_lines(&b.value)
            ));
        }
        if let Some(d) = &fields.design_infeasible {
            acceptance.push(format!(
                "<strong>Design control not possible:</strong> {}",
                html_lines(&d.value)
            ));
        }
        let _ = writeln!(
            out,
            "<tr><td>{risk_cell}</td><td>{threat_cell}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            estimate(config, &fields.initial),
            controls_cell(site, page, i),
            estimate(config, &fields.residual),
            acceptance.join("<br>")
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str(super::MARKS_LEGEND);
    out
}

/// The acceptance matrix as a coloured grid, each cell with its level and what `fill`
/// puts in it. Rows are exploitability (most likely at the top), columns severity.
fn grid(
    config: &RiskConfig,
    caption: &str,
    mut fill: impl FnMut(Cell) -> String,
    row_note: impl Fn(usize) -> String,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<table class=\"techfile-table techfile-risk-grid\">\n<caption>{}</caption>",
        html(caption)
    );
    out.push_str("<thead><tr><th>Exploitability \\ Severity</th>");
    for s in &config.severity {
        let _ = write!(out, "<th>{}</th>", html(s));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (row, e) in config.exploitability.iter().enumerate() {
        let _ = write!(out, "<tr><th>{}{}</th>", html(e), row_note(row));
        for (col, s) in config.severity.iter().enumerate() {
            let cell = Cell { row, col };
            let level = risk::level(config, cell);
            let _ = write!(
                out,
                "<td class=\"{}\" title=\"{} / {}: {}\"><span class=\"techfile-risk-cell-level\">{}</span>{}</td>",
                level.class(),
                html(e),
                html(s),
                level.as_str(),
                level.as_str(),
                fill(cell)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The matrix before or after controls: how many live risks fall in each cell, with links.
pub(crate) fn matrix(site: &Site<'_, '_>, page: &str, stage: Stage) -> String {
    let config = site.risk;
    let mut placed: BTreeMap<Cell, Vec<&str>> = BTreeMap::new();
    let mut unplaced = Vec::new();
    let all = risks(site.graph);
    for (_, item, fields) in &all {
        match risk::rate(config, stage.of(fields)).cell() {
            Some(cell) => placed.entry(cell).or_default().push(&item.id),
            None => unplaced.push(item.id.as_str()),
        }
    }
    let mut by_level: BTreeMap<Acceptance, usize> = BTreeMap::new();
    for (cell, ids) in &placed {
        *by_level.entry(risk::level(config, *cell)).or_default() += ids.len();
    }
    let n = all.len();
    let caption = format!(
        "{}: {n} risk{}",
        stage.title(),
        if n == 1 { "" } else { "s" }
    );
    let mut out = String::from(STYLE);
    out.push_str(&grid(
        config,
        &caption,
        |cell| match placed.get(&cell) {
            Some(ids) => format!(
                "<br><span class=\"techfile-risk-count\">{}</span><br>{}",
                ids.len(),
                ids.iter()
                    .map(|id| site.marked(page, id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => String::new(),
        },
        |_| String::new(),
    ));
    let totals: Vec<String> = Acceptance::ALL
        .iter()
        .map(|l| format!("{} {}", badge(*l), by_level.get(l).copied().unwrap_or(0)))
        .collect();
    let _ = writeln!(
        out,
        "<p class=\"techfile-risk-totals\">{}</p>",
        totals.join(" &nbsp; ")
    );
    if !unplaced.is_empty() {
        let _ = writeln!(
            out,
            "<p>{} {}</p>",
            gap(&format!("Not estimated {}:", stage.title().to_lowercase())),
            unplaced
                .iter()
                .map(|id| site.marked(page, id))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out
}

/// Security risks with a safety impact, for the safety risk file (ISO 14971), and the
/// risks whose safety impact has not been assessed yet.
pub(crate) fn handover(site: &Site<'_, '_>, page: &str) -> String {
    let config = site.risk;
    let all = risks(site.graph);
    let mut out = String::from(STYLE);
    let handed: Vec<_> = all
        .iter()
        .filter(|(_, _, f)| f.safety_impact.as_ref().is_some_and(|s| s.value))
        .collect();
    if handed.is_empty() {
        out.push_str("<p><em>No security risk has a safety impact.</em></p>\n");
    } else {
        let _ = writeln!(
            out,
            "<table class=\"techfile-table techfile-fixed techfile-safety-handover\">\n{}",
            colgroup(&[30, 16, 20, 20, 14])
        );
        out.push_str("<thead><tr><th>Security risk</th><th>Safety risk file</th><th>Before controls</th><th>After controls</th><th>Status</th></tr></thead>\n<tbody>\n");
        for (_, item, fields) in handed {
            let reference = match &fields.safety_reference {
                Some(r) => html(&r.value),
                None => gap("no reference"),
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{reference}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                site.marked_with_title(page, &item.id),
                estimate(config, &fields.initial),
                estimate(config, &fields.residual),
                html(item.status.as_str())
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    let unassessed: Vec<String> = all
        .iter()
        .filter(|(_, _, f)| f.safety_impact.is_none())
        .map(|(_, item, _)| site.marked(page, &item.id))
        .collect();
    if !unassessed.is_empty() {
        let _ = writeln!(
            out,
            "<p>{} {}</p>",
            gap("Safety impact not assessed yet:"),
            unassessed.join(", ")
        );
    }
    out
}

/// The CVSS sub-score range of each exploitability level, as text ("2.5 to 3.4").
fn cvss_range(config: &RiskConfig, row: usize) -> String {
    let t = config.cvss_thresholds_tenths();
    let low = t.get(row).copied().unwrap_or(1);
    let high = if row == 0 {
        39
    } else {
        t.get(row - 1).map_or(39, |&h| h.saturating_sub(1))
    };
    if low > high {
        return "none".into();
    }
    format!("{} to {}", tenths(low), tenths(high))
}

/// The configured acceptance criteria: the matrix (without risks) and the CVSS mapping.
pub(crate) fn criteria(config: &RiskConfig) -> String {
    let mut out = String::from(STYLE);
    out.push_str(&grid(
        config,
        "Acceptance matrix",
        |_| String::new(),
        |_| String::new(),
    ));
    out.push_str("<table class=\"techfile-table techfile-cvss-map\">\n<caption>CVSS 3.x exploitability sub-score to exploitability level</caption>\n<thead><tr><th>Exploitability</th><th>CVSS exploitability sub-score</th></tr></thead>\n<tbody>\n");
    for (row, e) in config.exploitability.iter().enumerate() {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td></tr>",
            html(e),
            cvss_range(config, row)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The rows a risk adds to its item page: description, estimates, safety, justifications.
pub(crate) fn item_rows(config: &RiskConfig, fields: &RiskFields) -> Vec<(&'static str, String)> {
    let mut rows = description(fields);
    rows.push(("Before controls", estimate(config, &fields.initial)));
    rows.push(("After controls", estimate(config, &fields.residual)));
    rows.push(("Safety impact", safety(fields)));
    if let Some(b) = &fields.benefit_risk {
        rows.push(("Benefit-risk", html_lines(&b.value)));
    }
    if let Some(d) = &fields.design_infeasible {
        rows.push(("Design control not possible", html_lines(&d.value)));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::load::parse_item;
    use crate::model::SourceMap;
    use crate::render::site::Host;

    fn items(specs: &[(&str, &str, &str)]) -> Vec<Item> {
        let mut map = SourceMap::new();
        specs
            .iter()
            .filter_map(|(id, kind, extra)| {
                let text =
                    format!("+++\nid = \"{id}\"\nkind = \"{kind}\"\ntitle = \"t\"\n{extra}\n+++\n");
                let f = map.add(format!("{id}.md"), text.clone());
                let (item, d) = parse_item(f, &text);
                assert!(d.is_empty(), "{d:?}");
                item
            })
            .collect()
    }

    /// Renders with `view` on a site whose risks live on `risks.md`.
    fn with_site(specs: &[(&str, &str, &str)], view: impl Fn(&Site<'_, '_>) -> String) -> String {
        let items = items(specs);
        let index = crate::graph::GraphIndex::build(Catalog::builtin(), &items);
        let graph = index.view(Catalog::builtin(), &items);
        let config = RiskConfig::default();
        let not_applicable = Default::default();
        let sboms = crate::sbom::SbomSet::default();
        let vulns = crate::advisory::assess::Assessment::default();
        let stride = crate::config::StrideConfig::default();
        let reviews = crate::review::Reviews::default();
        let site = Site {
            graph: &graph,
            reviews: &reviews,
            gaps: &Default::default(),
            support: &crate::lifecycle::Support::default(),
            risk: &config,
            not_applicable: &not_applicable,
            coverage: Default::default(),
            stamp: None,
            sboms: &sboms,
            vulnerabilities: &vulns,
            sbom_pages: Default::default(),
            pages: [(Host::Items(Kind::Risk), "risks.md".to_string())].into(),
            outline: false,
            stride: &stride,
            threat: Default::default(),
        };
        view(&site)
    }

    fn est(lines: &str) -> Estimate {
        let text = format!("+++\nid = \"R\"\nkind = \"risk\"\ntitle = \"t\"\n{lines}\n+++\n");
        let mut map = SourceMap::new();
        let f = map.add("r.md", text.clone());
        parse_item(f, &text).0.unwrap().risk.unwrap().initial
    }

    #[test]
    fn estimates_show_words_level_and_cvss() {
        let c = RiskConfig::default();
        assert_eq!(
            estimate(
                &c,
                &est("exploitability = \"probable\"\nseverity = \"serious\"")
            ),
            "probable / serious<br><span class=\"techfile-level techfile-risk-unacceptable\">unacceptable</span>"
        );
        assert_eq!(
            estimate(
                &c,
                &est(
                    "cvss = \"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N\"\nseverity = \"minor\""
                )
            ),
            "remote / minor<br><span class=\"techfile-level techfile-risk-acceptable\">acceptable</span><br><small>CVSS exploitability 0.9: <code>CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N</code></small>"
        );
        // A CVSS 4.0 vector is cited beside the word it was judged into.
        assert_eq!(
            estimate(
                &c,
                &est(
                    "exploitability = \"occasional\"\ncvss = \"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A\"\nseverity = \"minor\""
                )
            ),
            "occasional / minor<br><span class=\"techfile-level techfile-risk-review\">review</span><br><small>cited CVSS 4.0 vector, not mapped: <code>CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A</code></small>"
        );
        // Alone, it is shown though no level comes from it.
        assert_eq!(
            estimate(&c, &est("cvss = \"AV:N/AC:L/Au:N/C:P/I:P/A:P\"")),
            "<span class=\"techfile-gap\">exploitability not estimated</span> / <span class=\"techfile-gap\">severity not estimated</span><br><small>cited CVSS 2.0 vector, not mapped: <code>AV:N/AC:L/Au:N/C:P/I:P/A:P</code></small>"
        );
        assert_eq!(
            estimate(&c, &est("")),
            "<span class=\"techfile-gap\">not estimated</span>"
        );
        assert_eq!(
            estimate(&c, &est("exploitability = \"remote\"")),
            "remote / <span class=\"techfile-gap\">severity not estimated</span>"
        );
        assert_eq!(
            estimate(&c, &est("exploitability = \"<b>\"\nseverity = \"minor\"")),
            "<span class=\"techfile-gap\">unknown level &lt;b&gt;</span> / minor"
        );
    }

    #[test]
    fn cvss_ranges_cover_the_whole_sub_score() {
        let c = RiskConfig::default();
        let ranges: Vec<String> = (0..5).map(|r| cvss_range(&c, r)).collect();
        assert_eq!(
            ranges,
            [
                "3.5 to 3.9",
                "2.5 to 3.4",
                "1.5 to 2.4",
                "0.7 to 1.4",
                "0.1 to 0.6"
            ]
        );
    }

    const RISK: &str = "exploitability = \"probable\"\nseverity = \"serious\"\nresidual-exploitability = \"remote\"\nresidual-severity = \"serious\"";

    #[test]
    fn the_matrix_counts_and_links_the_risks_of_each_cell() {
        let specs = [
            ("RSK-2", "risk", RISK),
            ("RSK-1", "risk", RISK),
            ("RSK-3", "risk", ""),
            (
                "RSK-4",
                "risk",
                "status = \"obsolete\"\nexploitability = \"frequent\"\nseverity = \"minor\"",
            ),
        ];
        let out = with_site(&specs, |s| matrix(s, "views.md", Stage::Initial));
        assert!(out.contains("<caption>Before controls: 3 risks</caption>"));
        let at = out
            .find("title=\"probable / serious: unacceptable\"")
            .unwrap();
        let cell = &out[at..at + out[at..].find("</td>").unwrap()];
        assert!(
            cell.contains("<span class=\"techfile-risk-count\">2</span>"),
            "{cell}"
        );
        // Sorted by ID, linked to the risks page.
        let one = cell.find("risks.html#rsk-1").unwrap();
        let two = cell.find("risks.html#rsk-2").unwrap();
        assert!(one < two, "{cell}");
        assert!(out.contains("Not estimated before controls:"));
        assert!(out.contains("risks.html#rsk-3"));
        assert!(!out.contains("rsk-4"), "obsolete risks are not counted");
        assert!(out.contains("unacceptable</span> 2</p>"), "{out}");
        let residual = with_site(&specs, |s| matrix(s, "views.md", Stage::Residual));
        assert!(residual.contains("<caption>After controls: 3 risks</caption>"));
        assert!(residual.contains("review</span> 2 &nbsp;"));
    }

    #[test]
    fn the_register_escapes_what_users_wrote() {
        let risk = format!(
            "{RISK}\nasset = \"<img src=x onerror=alert(1)>\"\nthreat = \"a & b\"\nsafety-impact = true\nsafety-reference = \"\\\"H\\\"\"\ndesign-infeasible = \"<i>no</i>\""
        );
        let out = with_site(&[("RSK-1", "risk", &risk)], |s| register(s, "views.md"));
        assert!(out.contains("<strong>Asset:</strong> &lt;img src=x onerror=alert(1)&gt;"));
        assert!(out.contains("<strong>Threat:</strong> a &amp; b"));
        assert!(out.contains("yes: &quot;H&quot;"));
        assert!(out.contains("&lt;i&gt;no&lt;/i&gt;"));
        assert!(out.contains(&gap("no control")));
        assert!(!out.contains("<img"));
    }

    #[test]
    fn the_handover_lists_risks_with_a_safety_impact() {
        let none = with_site(&[("RSK-1", "risk", "safety-impact = false")], |s| {
            handover(s, "v.md")
        });
        assert!(none.contains("No security risk has a safety impact."));
        assert!(!none.contains("not assessed"));
        let some = with_site(
            &[
                (
                    "RSK-1",
                    "risk",
                    "safety-impact = true\nsafety-reference = \"HAZ-1\"",
                ),
                ("RSK-2", "risk", ""),
            ],
            |s| handover(s, "v.md"),
        );
        assert!(some.contains("<td>HAZ-1</td>"));
        assert!(some.contains("Safety impact not assessed yet:"));
        assert!(some.contains("risks.html#rsk-2"));
    }

    #[test]
    fn the_criteria_show_every_cell_of_the_configured_matrix() {
        let out = criteria(&RiskConfig::default());
        assert_eq!(out.matches("<td class=\"techfile-risk-").count(), 25);
        assert!(out.contains("<tr><td>remote</td><td>0.7 to 1.4</td></tr>"));
    }
}
