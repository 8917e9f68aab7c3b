//! Coverage findings under the configured policy: requirements implemented, controls
//! verified, risks mitigated, tests verifying something, practices addressed.

use crate::catalog::EntryKind;
use crate::config::Config;
use crate::diag::{Code, Diagnostic};
use crate::graph::{Node, TraceGraph};
use crate::model::{Kind, Relation, Span, Status};
use std::collections::{BTreeMap, BTreeSet};

pub fn check(
    graph: &TraceGraph<'_>,
    config: &Config,
    config_span: Option<Span>,
) -> Vec<Diagnostic> {
    let policy = &config.coverage;
    let mut out = Vec::new();
    for (i, item) in graph.items.iter().enumerate() {
        if item.status == Status::Obsolete || !graph.is_canonical(i) {
            continue;
        }
        let node = Node::Item(i);
        let missing = match item.kind {
            Kind::Requirement if policy.requirement => graph
                .traced_by(node, Relation::Implements)
                .is_empty()
                .then_some((Code::RequirementNotImplemented, "is not implemented by any control", format!("add `implements = [\"{}\"]` to the control that meets it", item.id))),
            Kind::Control if policy.control => graph
                .traced_by(node, Relation::Verifies)
                .is_empty()
                .then_some((Code::ControlNotVerified, "is not verified by any test", format!("add `verifies = [\"{}\"]` to a test item that checks this control", item.id))),
            Kind::Risk if policy.risk => graph
                .traced_by(node, Relation::Mitigates)
                .is_empty()
                .then_some((Code::RiskNotMitigated, "is not mitigated by any control", format!("add `mitigates = [\"{}\"]` to the control that reduces it", item.id))),
            Kind::Test if policy.test => item
                .links_of(Relation::Verifies)
                .next()
                .is_none()
                .then_some((Code::TestVerifiesNothing, "verifies nothing", "add `verifies = [\"CTL-...\"]` naming the controls or requirements this test checks".to_string())),
            _ => None,
        };
        if let Some((code, what, help)) = missing {
            out.push(
                Diagnostic::new(code, format!("{} `{}` {what}", item.kind, item.id))
                    .at(item.id_span, format!("{} defined here", item.kind))
                    .help(help),
            );
        }
    }
    if policy.practice {
        practices(graph, config, config_span, &mut out);
    }
    regulations(graph, config, config_span, &mut out);
    out
}

/// Catalog entries some live requirement derives from, directly or through the
/// requirements it refines, with the first requirement (by ID) that does.
fn traced_entries<'a>(graph: &TraceGraph<'a>) -> BTreeMap<&'a str, usize> {
    let mut out = BTreeMap::new();
    for r in graph.live_of_kind(Kind::Requirement) {
        for id in graph.catalog_above(r) {
            out.entry(id).or_insert(r);
        }
    }
    out
}

fn regulations(
    graph: &TraceGraph<'_>,
    config: &Config,
    config_span: Option<Span>,
    out: &mut Vec<Diagnostic>,
) {
    let traced = traced_entries(graph);
    let wanted = |k: EntryKind| match k {
        EntryKind::Mdr => config.coverage.mdr,
        EntryKind::Ivdr => config.coverage.ivdr,
        _ => false,
    };
    for e in graph.catalog.entries() {
        let na = config.not_applicable.contains_key(&e.id);
        match (traced.get(e.id.as_str()), na) {
            (Some(&r), true) => {
                let req = &graph.items[r];
                // Point at the link itself when the requirement names the entry directly.
                let span = req
                    .links
                    .iter()
                    .find(|l| l.target == e.id)
                    .map_or(req.id_span, |l| l.span);
                out.push(
                    Diagnostic::new(
                        Code::InapplicableEntryTraced,
                        format!("`{}` is marked not applicable, but `{}` derives from it", e.id, req.id),
                    )
                    .at(span, "this requirement traces to it")
                    .help(format!(
                        "remove `{}` from [preprocessor.techfile.not-applicable], or stop deriving from it",
                        e.id
                    )),
                );
            }
            (None, false) if wanted(e.kind) => out.push(catalog_gap(
                Code::RegulationNotAddressed,
                format!("{} `{}` ({}) has no requirement", e.kind.label(), e.id, e.title),
                format!(
                    "add a requirement with `derives-from = [\"{}\"]`, or mark it not applicable with a reason in [preprocessor.techfile.not-applicable]",
                    e.id
                ),
                config_span,
                "the coverage policy configured here requires every Annex I entry",
            )),
            _ => {}
        }
    }
}

/// A catalog entry nobody addresses. The gap has no line of its own, so it points at the
/// configuration whose coverage policy asks for the entry.
fn catalog_gap(
    code: Code,
    message: String,
    help: String,
    config_span: Option<Span>,
    label: &str,
) -> Diagnostic {
    let d = Diagnostic::new(code, message).help(help);
    match config_span {
        Some(span) => d.at(span, label),
        None => d,
    }
}

fn practices(
    graph: &TraceGraph<'_>,
    config: &Config,
    config_span: Option<Span>,
    out: &mut Vec<Diagnostic>,
) {
    let addressed: BTreeSet<&str> = graph
        .live_of_kind(Kind::Requirement)
        .into_iter()
        .flat_map(|i| graph.practices_above(i))
        .collect();
    for p in graph.catalog.of_kind(EntryKind::Practice) {
        if addressed.contains(p.id.as_str()) || config.not_applicable.contains_key(&p.id) {
            continue;
        }
        out.push(catalog_gap(
            Code::PracticeNotAddressed,
            format!("MDCG 2019-16 practice `{}` ({}) has no requirement", p.id, p.title),
            format!(
                "add a requirement with `derives-from = [\"{}\"]` (or one of its IEC 62443-4-1 / IEC 81001-5-1 entries), or mark it not applicable with a reason in [preprocessor.techfile.not-applicable]",
                p.id
            ),
            config_span,
            "the coverage policy configured here requires every practice",
        ));
    }
}
