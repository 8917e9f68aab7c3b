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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::model::SourceMap;
    use crate::testkit::Trace;

    fn config(toml: &str) -> Config {
        Config::from_toml(toml).expect("a valid configuration")
    }

    const NO_PRACTICES: &str = "[coverage]\npractice = false";

    #[test]
    fn each_kind_needs_its_link_below() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", ""),
            ("REQ-2", "requirement", ""),
            ("REQ-1", "requirement", ""),
            ("REQ-OLD", "requirement", "status = \"obsolete\""),
            ("RSK-1", "risk", ""),
            ("RSK-2", "risk", ""),
            (
                "CTL-1",
                "control",
                "implements = [\"REQ-2\"]\nmitigates = [\"RSK-2\"]",
            ),
            ("CTL-2", "control", "implements = [\"REQ-2\"]"),
            ("TST-1", "test", "verifies = [\"CTL-2\"]"),
            ("TST-2", "test", ""),
        ]);
        let d = check(&t.graph(), &config(NO_PRACTICES), None);
        // At each item's ID; nothing for the duplicate REQ-1 or the obsolete requirement.
        assert_eq!(
            t.findings(&d),
            [
                ("requirement-not-implemented", "REQ-1.md:2:6".to_string()),
                ("risk-not-mitigated", "RSK-1.md:2:6".to_string()),
                ("control-not-verified", "CTL-1.md:2:6".to_string()),
                ("test-verifies-nothing", "TST-2.md:2:6".to_string()),
            ]
        );
        // A link from an obsolete item does not count.
        let t = Trace::new(&[
            ("REQ-1", "requirement", ""),
            (
                "CTL-1",
                "control",
                "implements = [\"REQ-1\"]\nstatus = \"obsolete\"",
            ),
        ]);
        let d = check(&t.graph(), &config(NO_PRACTICES), None);
        assert_eq!(
            t.findings(&d),
            [("requirement-not-implemented", "REQ-1.md:2:6".to_string())]
        );
    }

    #[test]
    fn the_policy_turns_each_rule_off() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", ""),
            ("RSK-1", "risk", ""),
            ("CTL-1", "control", ""),
            ("TST-1", "test", ""),
        ]);
        let off = config(
            "[coverage]\nrequirement = false\ncontrol = false\nrisk = false\ntest = false\npractice = false",
        );
        assert!(check(&t.graph(), &off, None).is_empty());
        let only_tests = config(
            "[coverage]\nrequirement = false\ncontrol = false\nrisk = false\npractice = false",
        );
        let d = check(&t.graph(), &only_tests, None);
        assert_eq!(
            t.findings(&d),
            [("test-verifies-nothing", "TST-1.md:2:6".to_string())]
        );
    }

    #[test]
    fn practices_without_a_requirement_point_at_the_configuration() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", "derives-from = [\"MDCG-SM\"]"),
            // Through IEC 62443-4-1: SVV-1 belongs to the verification practice.
            (
                "REQ-2",
                "requirement",
                "derives-from = [\"IEC62443-SVV-1\"]",
            ),
            // Obsolete requirements address nothing.
            (
                "REQ-3",
                "requirement",
                "derives-from = [\"MDCG-SI\"]\nstatus = \"obsolete\"",
            ),
            (
                "CTL-1",
                "control",
                "implements = [\"REQ-1\", \"REQ-2\", \"REQ-3\"]",
            ),
            ("TST-1", "test", "verifies = [\"CTL-1\"]"),
        ]);
        let cfg = config("[not-applicable]\n\"MDCG-DM\" = \"no field issues\"");
        let mut map = SourceMap::new();
        let file = map.add("book/book.toml", "[preprocessor.techfile]\n");
        let span = Span::new(file, 0..23);
        let d = check(&t.graph(), &cfg, Some(span));
        let gaps: Vec<&str> = d
            .iter()
            .map(|d| {
                assert_eq!(d.code, Code::PracticeNotAddressed);
                assert_eq!(d.primary.as_ref().map(|l| l.span), Some(span));
                d.message.split('`').nth(1).unwrap()
            })
            .collect();
        assert_eq!(
            gaps,
            ["MDCG-SR", "MDCG-SD", "MDCG-SI", "MDCG-SUM", "MDCG-SG"]
        );
        // Without a place for the configuration, the finding has none.
        let d = check(&t.graph(), &cfg, None);
        assert_eq!(d.len(), 5);
        assert!(d.iter().all(|d| d.primary.is_none()));
    }

    #[test]
    fn annex_i_entries_need_a_requirement_or_a_reason() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", "derives-from = [\"MDR-1\"]"),
            ("REQ-2", "requirement", "derives-from = [\"MDR-3\"]"),
            ("REQ-4", "requirement", "derives-from = [\"REQ-2\"]"),
            (
                "CTL-1",
                "control",
                "implements = [\"REQ-1\", \"REQ-2\", \"REQ-4\"]",
            ),
            ("TST-1", "test", "verifies = [\"CTL-1\"]"),
        ]);
        let cfg = config(
            "[coverage]\npractice = false\nmdr = true\n\n[not-applicable]\n\"MDR-2\" = \"no\"\n\"MDR-3\" = \"no\"",
        );
        let d = check(&t.graph(), &cfg, None);
        let mdr = Catalog::builtin().of_kind(EntryKind::Mdr).count();
        let (traced, gaps): (Vec<&Diagnostic>, Vec<&Diagnostic>) = d
            .iter()
            .partition(|d| d.code == Code::InapplicableEntryTraced);
        // MDR-1 is met, MDR-2 and MDR-3 do not apply; no IVDR entry is asked for.
        assert_eq!(gaps.len(), mdr - 3);
        assert!(
            gaps.iter()
                .all(|d| d.code == Code::RegulationNotAddressed && d.message.contains("`MDR-"))
        );
        assert!(!gaps.iter().any(|d| d.message.contains("`MDR-1`")
            || d.message.contains("`MDR-2`")
            || d.message.contains("`MDR-3`")));
        // MDR-3 is marked not applicable but traced: reported at the link that names it.
        assert_eq!(
            t.findings(&traced.into_iter().cloned().collect::<Vec<_>>()),
            [("inapplicable-entry-traced", "REQ-2.md:5:17".to_string())]
        );
    }
}
