//! Coverage findings under the configured policy: requirements implemented, controls
//! verified, risks mitigated, tests verifying something, practices addressed.

use crate::catalog::EntryKind;
use crate::config::Config;
use crate::diag::{Code, Diagnostic};
use crate::graph::{Node, TraceGraph};
use crate::model::{Kind, Relation, Span, Status};
use std::collections::{BTreeMap, BTreeSet};

/// Something the coverage rules do not fail on but the team has still to do: a draft
/// item, a gap that only a draft fills, or a catalog entry only drafts address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Open {
    /// The item or catalog entry the work is about.
    pub id: String,
    /// Where the item's ID is written (`None` for a catalog entry).
    pub span: Option<Span>,
    /// The rule that would report the gap, if there is one.
    pub code: Option<Code>,
    /// What is open, as a sentence after the ID ("is a draft; it is not implemented by
    /// any control or procedure").
    pub what: String,
}

/// The findings of the coverage rules and the open work they leave to the team.
#[derive(Debug, Default)]
pub(crate) struct Assessed {
    pub(crate) findings: Vec<Diagnostic>,
    /// Sorted by ID.
    pub(crate) open: Vec<Open>,
}

/// The coverage findings (see [`assess`]).
#[cfg(test)]
pub(crate) fn check(
    graph: &TraceGraph<'_>,
    config: &Config,
    config_span: Option<Span>,
) -> Vec<Diagnostic> {
    assess(graph, config, config_span).findings
}

/// The coverage rules under the configured policy. Drafts (items that say
/// `status = "draft"`) are work in progress: unless `coverage.draft` is set, a draft's own
/// gaps and a gap that only drafts fill are open work, not findings, and links from drafts
/// do not count as coverage.
pub(crate) fn assess(
    graph: &TraceGraph<'_>,
    config: &Config,
    config_span: Option<Span>,
) -> Assessed {
    let policy = &config.coverage;
    let firm = |i: usize| counts(graph, policy.draft, i);
    let mut out = Assessed::default();
    for (i, item) in graph.items.iter().enumerate() {
        if item.status == Status::Obsolete || !graph.is_canonical(i) {
            continue;
        }
        let open_draft = !firm(i);
        let node = Node::Item(i);
        let rule = match item.kind {
            Kind::Requirement if policy.requirement => Some((
                Relation::Implements,
                Code::RequirementNotImplemented,
                "is not implemented by any control or procedure",
                format!(
                    "add `implements = [\"{}\"]` to the control or procedure that meets it",
                    item.id
                ),
            )),
            Kind::Control if policy.control => Some((
                Relation::Verifies,
                Code::ControlNotVerified,
                "is not verified by any test",
                format!(
                    "add `verifies = [\"{}\"]` to a test item that checks this control",
                    item.id
                ),
            )),
            Kind::Risk if policy.risk => Some((
                Relation::Mitigates,
                Code::RiskNotMitigated,
                "is not mitigated by any control",
                format!(
                    "add `mitigates = [\"{}\"]` to the control that reduces it",
                    item.id
                ),
            )),
            _ => None,
        };
        let mut gap: Option<(Code, &str, String, Relation)> = None;
        let mut only_drafts: Vec<&str> = Vec::new();
        if let Some((relation, code, what, help)) = rule {
            let by = graph.traced_by(node, relation);
            if !by.iter().any(|&j| firm(j)) {
                only_drafts = by.iter().map(|&j| graph.items[j].id.as_str()).collect();
                gap = Some((code, what, help, relation));
            }
        } else if item.kind == Kind::Test
            && policy.test
            && item.links_of(Relation::Verifies).next().is_none()
        {
            gap = Some((Code::TestVerifiesNothing, "verifies nothing", "add `verifies = [\"CTL-...\"]` naming the controls or requirements this test checks".to_string(), Relation::Verifies));
        }
        let verdict = failed(graph, i, open_draft);
        let open = |code: Option<Code>, what: String| Open {
            id: item.id.clone(),
            span: Some(item.id_span),
            code,
            what,
        };
        match gap {
            Some((code, what, _, _)) if open_draft => {
                let mut what = format!("is a draft, and {what}");
                if !only_drafts.is_empty() {
                    what.push_str(&format!(" (only drafts: {})", backticked(&only_drafts)));
                }
                out.open.push(open(Some(code), what));
            }
            Some((code, _, _, relation)) if !only_drafts.is_empty() => {
                out.open.push(open(
                    Some(code),
                    format!(
                        "is {} drafts ({})",
                        relation.inverse_label().replace(" by", " only by"),
                        backticked(&only_drafts)
                    ),
                ));
            }
            Some((code, what, help, relation)) => {
                let d = Diagnostic::new(code, format!("{} `{}` {what}", item.kind, item.id))
                    .at(item.id_span, format!("{} defined here", item.kind))
                    .help(help);
                out.findings.push(with_broken(graph, d, &item.id, relation));
            }
            // A draft that failed is listed once, with its failure (below).
            None if open_draft && verdict.is_none() => {
                out.open.push(open(None, "is a draft".into()))
            }
            None => {}
        }
        if let Some(verdict) = verdict {
            match verdict {
                Ok(d) => out.findings.push(d),
                Err(what) => out.open.push(Open {
                    span: Some(item.spans.result.unwrap_or(item.id_span)),
                    ..open(Some(Code::TestFailed), what)
                }),
            }
        }
        if let Some(what) = not_run(item) {
            // Where the result is written, when it is: that is the line to change once
            // the test has run.
            out.open.push(Open {
                span: Some(item.spans.result.unwrap_or(item.id_span)),
                ..open(None, what)
            });
        }
    }
    if policy.practice {
        practices(graph, config, config_span, &firm, &mut out);
    }
    regulations(graph, config, config_span, &firm, &mut out);
    out.open.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Whether item `i`, linking to another, counts as that item's coverage: a draft does only
/// when `coverage.draft` is set (`drafts_count`). The one rule of the coverage checks, the
/// open work and the summary table, so that they never disagree.
pub(crate) fn counts(graph: &TraceGraph<'_>, drafts_count: bool, i: usize) -> bool {
    drafts_count || !graph.items[i].is_declared_draft()
}

/// Whether item `i` (a control or a requirement) is shown to work by its tests: tests that
/// count ([`counts`]) verify it, and every one of them passed. A failed test shows that it
/// does not work (`test-failed`), and a test not run shows nothing yet: both leave the item
/// unverified, as [`requirement_standing`] does.
pub(crate) fn verified(graph: &TraceGraph<'_>, drafts_count: bool, i: usize) -> bool {
    use crate::model::TestResult;
    let tests: Vec<usize> = graph
        .traced_by(Node::Item(i), Relation::Verifies)
        .into_iter()
        .filter(|&t| counts(graph, drafts_count, t))
        .collect();
    !tests.is_empty()
        && tests
            .iter()
            .all(|&t| graph.items[t].result == Some(TestResult::Pass))
}

/// Where a requirement, or a row of a generated table, stands under the coverage rules.
/// Ordered from best to worst, so that a row over several requirements takes the worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Standing {
    /// Implemented, and every control shown to work: verified by tests that all passed, or
    /// an approved procedure with its document.
    Covered,
    /// Not yet shown, but no rule fails on it: drafts, a gap only drafts fill, a test not
    /// run or not passed, a procedure not approved, or a rule switched off. Open work.
    Open,
    /// A coverage rule in force reports it, and the build fails on it.
    Gap,
}

/// The standing of requirement `r` by the rules of [`assess`], so that the generated
/// tables show a gap exactly where a check reports one: a requirement that is a draft is
/// open work; one with no implementer that counts is a gap (`requirement-not-implemented`)
/// unless drafts implement it; a control that counts with no test that counts is a gap
/// (`control-not-verified`) unless drafts verify it; a failed test that counts is a gap
/// (`test-failed`); tests that have not run, and procedures not approved with their
/// document, are open. A rule counts as in force when `policy` has it on (the tables pass
/// [`crate::config::Config::failing_coverage`], which switches off a rule not at `deny`).
pub(crate) fn requirement_standing(
    graph: &TraceGraph<'_>,
    policy: &crate::config::Coverage,
    r: usize,
) -> Standing {
    requirement_cause(graph, policy, r).0
}

/// [`requirement_standing`] with the cause of the worst standing, as a phrase for a table's
/// status cell ("REQ-1 has no control or procedure"); `None` when covered.
pub(crate) fn requirement_cause(
    graph: &TraceGraph<'_>,
    policy: &crate::config::Coverage,
    r: usize,
) -> (Standing, Option<String>) {
    use crate::model::TestResult;
    let firm = |i: usize| counts(graph, policy.draft, i);
    let id = |i: usize| graph.items[i].id.as_str();
    if !firm(r) {
        return (Standing::Open, Some(format!("{} is a draft", id(r))));
    }
    // A rule switched off reports nothing: what it would say is still not shown.
    let missing = |enforced: bool, drafts: bool| {
        if enforced && !drafts {
            Standing::Gap
        } else {
            Standing::Open
        }
    };
    let by = graph.traced_by(Node::Item(r), Relation::Implements);
    let (implementers, drafts): (Vec<usize>, Vec<usize>) = by.into_iter().partition(|&c| firm(c));
    if implementers.is_empty() {
        let cause = if drafts.is_empty() {
            format!("{} has no control or procedure", id(r))
        } else {
            format!("{} is implemented only by drafts", id(r))
        };
        return (missing(policy.requirement, !drafts.is_empty()), Some(cause));
    }
    // Every cause short of covered; the first at the worst standing is named.
    let mut causes: Vec<(Standing, String)> = Vec::new();
    // A failed test that counts is a `test-failed` finding: red where it fails the build.
    let not_passed = |t: usize| match graph.items[t].result {
        Some(TestResult::Pass) => None,
        Some(TestResult::Fail) if policy.test_failed => {
            Some((Standing::Gap, format!("{} failed", id(t))))
        }
        Some(TestResult::Fail) => Some((Standing::Open, format!("{} failed", id(t)))),
        _ => Some((Standing::Open, format!("{} has not run", id(t)))),
    };
    for t in graph.traced_by(Node::Item(r), Relation::Verifies) {
        if firm(t) {
            causes.extend(not_passed(t));
        }
    }
    for c in implementers {
        let item = &graph.items[c];
        if item.kind == Kind::Procedure {
            if item.status != Status::Approved || item.document.is_none() {
                causes.push((
                    Standing::Open,
                    format!("{} is not approved with its document", id(c)),
                ));
            }
            continue;
        }
        let (tests, drafts): (Vec<usize>, Vec<usize>) = graph
            .traced_by(Node::Item(c), Relation::Verifies)
            .into_iter()
            .partition(|&t| firm(t));
        if tests.is_empty() {
            let cause = if drafts.is_empty() {
                format!("{} has no test", id(c))
            } else {
                format!("{} is verified only by drafts", id(c))
            };
            causes.push((missing(policy.control, !drafts.is_empty()), cause));
        }
        causes.extend(tests.into_iter().filter_map(not_passed));
    }
    let worst = causes.iter().map(|c| c.0).max();
    match causes.into_iter().find(|c| Some(c.0) == worst) {
        Some((standing, cause)) => (standing, Some(cause)),
        None => (Standing::Covered, None),
    }
}

/// The standing of a catalog entry (a practice, an Annex I entry) that the live
/// requirements `reqs` derive from: a gap when none does and `required` (the rule that asks
/// for the entry is in force), open when only drafts do, else the worst standing of the
/// requirements that count. Drafts beside requirements that count do not lower it.
pub(crate) fn entry_standing(
    graph: &TraceGraph<'_>,
    policy: &crate::config::Coverage,
    required: bool,
    reqs: &[usize],
) -> Standing {
    let firm: Vec<usize> = reqs
        .iter()
        .copied()
        .filter(|&r| counts(graph, policy.draft, r))
        .collect();
    if reqs.is_empty() && required {
        return Standing::Gap;
    }
    if firm.is_empty() {
        return Standing::Open;
    }
    firm.into_iter()
        .map(|r| requirement_standing(graph, policy, r))
        .max()
        .unwrap_or(Standing::Covered)
}

/// What is open about an approved test that has not been run: its result is `not-run`
/// (written, or taken from skipped JUnit cases) or not recorded at all. Nothing fails on
/// it (`risk-not-verified` judges the risks it would verify), but until it has run, what
/// it verifies is not shown to work, so it is open verification work.
fn not_run(item: &crate::model::Item) -> Option<String> {
    use crate::model::TestResult;
    if item.kind != Kind::Test || item.status != Status::Approved {
        return None;
    }
    match item.result {
        Some(TestResult::Pass | TestResult::Fail) => None,
        Some(TestResult::NotRun) if item.spans.result.is_some() => {
            Some("is approved and has not been run (`result = \"not-run\"`)".into())
        }
        Some(TestResult::NotRun) => {
            Some("is approved and has not been run (its JUnit cases were skipped)".into())
        }
        None => Some("is approved and records no result: run it and write `result`".into()),
    }
}

/// What a test that records `result = "fail"` means: a `test-failed` finding (`Ok`) when the
/// test counts, naming what it verifies, since that is not shown to work; open work (`Err`,
/// the sentence) when it is a draft, whose result is not evidence yet.
fn failed(graph: &TraceGraph<'_>, t: usize, draft: bool) -> Option<Result<Diagnostic, String>> {
    let item = &graph.items[t];
    if item.kind != Kind::Test || item.result != Some(crate::model::TestResult::Fail) {
        return None;
    }
    let targets: Vec<&str> = item
        .links_of(Relation::Verifies)
        .map(|l| l.target.as_str())
        .collect();
    if draft {
        return Some(Err(
            "is a draft, and its recorded result is a failure".into()
        ));
    }
    let message = match targets.as_slice() {
        [] => format!("test `{}` failed", item.id),
        [one] => format!("test `{}` failed: `{one}` is not shown to work", item.id),
        many => format!(
            "test `{}` failed: {} are not shown to work",
            item.id,
            backticked(many)
        ),
    };
    let (span, label) = match item.spans.result {
        Some(span) => (span, "the recorded result"),
        None => (item.id_span, "its JUnit cases failed"),
    };
    Some(Ok(Diagnostic::new(Code::TestFailed, message)
        .at(span, label)
        .help("fix what the test found (or the test, if it is wrong), run it again and record the new result")))
}

/// IDs as a list of code spans: `` `A`, `B` ``.
fn backticked(ids: &[&str]) -> String {
    ids.iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A gap that an item file which did not load may fill (it links to the item with the
/// missing relation): the finding names that file, whose error is the thing to fix.
fn with_broken(
    graph: &TraceGraph<'_>,
    mut d: Diagnostic,
    id: &str,
    relation: Relation,
) -> Diagnostic {
    let mut files = Vec::new();
    for b in graph.broken {
        if let Some(l) = b
            .links
            .iter()
            .find(|l| l.relation == relation && l.target == id)
        {
            d = d.with_label(
                l.span,
                format!("this file {} it, but could not be read", relation.label()),
            );
            files.push(format!("`{}`", b.name));
        }
    }
    if !files.is_empty() {
        d.help = Some(format!(
            "see the error reported in {} and fix it first: the gap may close once it loads",
            files.join(", ")
        ));
    }
    d
}

/// Catalog entries some live requirement derives from, directly or through the
/// requirements it refines, with the first requirement (by ID) that does; drafts only
/// when no other requirement does.
fn traced_entries<'a>(
    graph: &TraceGraph<'a>,
    firm: &dyn Fn(usize) -> bool,
) -> BTreeMap<&'a str, usize> {
    let mut out: BTreeMap<&str, usize> = BTreeMap::new();
    for r in graph.live_of_kind(Kind::Requirement) {
        for id in graph.catalog_above(r) {
            match out.get(id) {
                Some(&first) if firm(first) || !firm(r) => {}
                _ => {
                    out.insert(id, r);
                }
            }
        }
    }
    out
}

fn regulations(
    graph: &TraceGraph<'_>,
    config: &Config,
    config_span: Option<Span>,
    firm: &dyn Fn(usize) -> bool,
    out: &mut Assessed,
) {
    let traced = traced_entries(graph, firm);
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
                out.findings.push(
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
            (Some(&r), false) if wanted(e.kind) && !firm(r) => out.open.push(Open {
                id: e.id.clone(),
                span: None,
                code: Some(Code::RegulationNotAddressed),
                what: only_drafts(
                    graph
                        .live_of_kind(Kind::Requirement)
                        .into_iter()
                        .filter(|&d| !firm(d) && graph.catalog_above(d).contains(e.id.as_str()))
                        .map(|d| graph.items[d].id.as_str()),
                ),
            }),
            (None, false) if wanted(e.kind) => {
                let d = catalog_gap(
                    Code::RegulationNotAddressed,
                    format!(
                        "{} `{}` ({}) has no requirement",
                        e.kind.label(),
                        e.id,
                        e.title
                    ),
                    format!(
                        "add a requirement with `derives-from = [\"{}\"]`, or mark it not applicable with a reason in [preprocessor.techfile.not-applicable]",
                        e.id
                    ),
                    config_span,
                    "the coverage policy configured here requires every Annex I entry",
                );
                out.findings
                    .push(with_broken_derivation(graph, d, |t| t == e.id));
            }
            _ => {}
        }
    }
}

/// "is addressed only by the draft(s) ..." naming every draft that addresses a catalog
/// entry, in ID order, so the open-work line does not hide the second one.
fn only_drafts<'a>(drafts: impl Iterator<Item = &'a str>) -> String {
    let mut ids: Vec<&str> = drafts.collect();
    ids.sort_unstable();
    ids.dedup();
    let list = ids
        .iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let noun = if ids.len() == 1 { "draft" } else { "drafts" };
    format!("is addressed only by the {noun} {list}")
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
    firm: &dyn Fn(usize) -> bool,
    out: &mut Assessed,
) {
    let mut addressed: BTreeSet<&str> = BTreeSet::new();
    let mut by_drafts: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for i in graph.live_of_kind(Kind::Requirement) {
        for p in graph.practices_above(i) {
            if firm(i) {
                addressed.insert(p);
            } else {
                by_drafts
                    .entry(p)
                    .or_default()
                    .push(graph.items[i].id.as_str());
            }
        }
    }
    for p in graph.catalog.of_kind(EntryKind::Practice) {
        if addressed.contains(p.id.as_str()) || config.not_applicable.contains_key(&p.id) {
            continue;
        }
        if let Some(drafts) = by_drafts.get(p.id.as_str()) {
            out.open.push(Open {
                id: p.id.clone(),
                span: None,
                code: Some(Code::PracticeNotAddressed),
                what: only_drafts(drafts.iter().copied()),
            });
            continue;
        }
        let d = catalog_gap(
            Code::PracticeNotAddressed,
            format!(
                "MDCG 2019-16 practice `{}` ({}) has no requirement",
                p.id, p.title
            ),
            format!(
                "add a requirement with `derives-from = [\"{}\"]` (or one of its IEC 62443-4-1 / IEC 81001-5-1 entries), or mark it not applicable with a reason in [preprocessor.techfile.not-applicable]",
                p.id
            ),
            config_span,
            "the coverage policy configured here requires every practice",
        );
        out.findings.push(with_broken_derivation(graph, d, |t| {
            t == p.id || graph.catalog.practices_of(t).any(|q| q == p.id)
        }));
    }
}

/// A catalog entry nobody addresses, which a requirement file that did not load derives
/// from (`derives`: whether a target addresses the entry): the finding names that file.
fn with_broken_derivation(
    graph: &TraceGraph<'_>,
    mut d: Diagnostic,
    derives: impl Fn(&str) -> bool,
) -> Diagnostic {
    let mut files = Vec::new();
    for b in graph.broken {
        if let Some(l) = b
            .links
            .iter()
            .find(|l| l.relation == Relation::DerivesFrom && derives(&l.target))
        {
            d = d.with_label(l.span, "this file derives from it, but could not be read");
            files.push(format!("`{}`", b.name));
        }
    }
    if !files.is_empty() {
        d.help = Some(format!(
            "see the error reported in {} and fix it first: the gap may close once it loads",
            files.join(", ")
        ));
    }
    d
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

    #[test]
    fn drafts_are_open_work_and_their_links_do_not_count() {
        let t = Trace::new(&[
            // A draft without a control, and an approved requirement only a draft
            // control implements.
            ("REQ-1", "requirement", "status = \"draft\""),
            ("REQ-2", "requirement", "status = \"approved\""),
            (
                "CTL-1",
                "control",
                "implements = [\"REQ-2\"]\nstatus = \"draft\"",
            ),
            ("TST-1", "test", "verifies = [\"CTL-1\"]"),
            // No status written: checked like any other item, never hidden.
            ("REQ-3", "requirement", ""),
        ]);
        let a = assess(&t.graph(), &config(NO_PRACTICES), None);
        assert_eq!(
            t.findings(&a.findings),
            [("requirement-not-implemented", "REQ-3.md:2:6".to_string())]
        );
        let open: Vec<(&str, Option<Code>, &str)> = a
            .open
            .iter()
            .map(|o| (o.id.as_str(), o.code, o.what.as_str()))
            .collect();
        assert_eq!(
            open,
            [
                ("CTL-1", None, "is a draft"),
                (
                    "REQ-1",
                    Some(Code::RequirementNotImplemented),
                    "is a draft, and is not implemented by any control or procedure"
                ),
                (
                    "REQ-2",
                    Some(Code::RequirementNotImplemented),
                    "is implemented only by drafts (`CTL-1`)"
                ),
            ]
        );
        // A release check applies the rules to drafts too: the draft's gap fails, and
        // the draft control's link counts.
        let strict = assess(
            &t.graph(),
            &config("[coverage]\npractice = false\ndraft = true"),
            None,
        );
        assert!(strict.open.is_empty());
        assert_eq!(
            t.findings(&strict.findings),
            [
                ("requirement-not-implemented", "REQ-1.md:2:6".to_string()),
                ("requirement-not-implemented", "REQ-3.md:2:6".to_string()),
            ]
        );
    }

    #[test]
    fn approved_tests_not_run_are_open_work() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", ""),
            ("CTL-1", "control", "implements = [\"REQ-1\"]"),
            (
                "TST-RUN",
                "test",
                "verifies = [\"CTL-1\"]\nstatus = \"approved\"\nresult = \"pass\"",
            ),
            (
                "TST-FAIL",
                "test",
                "verifies = [\"CTL-1\"]\nstatus = \"approved\"\nresult = \"fail\"",
            ),
            (
                "TST-LATER",
                "test",
                "verifies = [\"CTL-1\"]\nstatus = \"approved\"\nresult = \"not-run\"",
            ),
            (
                "TST-NONE",
                "test",
                "verifies = [\"CTL-1\"]\nstatus = \"approved\"",
            ),
            // Not approved yet, or retired: not the open work of a release.
            (
                "TST-REVIEW",
                "test",
                "verifies = [\"CTL-1\"]\nstatus = \"in-review\"\nresult = \"not-run\"",
            ),
            (
                "TST-OLD",
                "test",
                "verifies = [\"CTL-1\"]\nstatus = \"obsolete\"\nresult = \"not-run\"",
            ),
        ]);
        let a = assess(&t.graph(), &config(NO_PRACTICES), None);
        // The failed test is a finding of its own (see `a_failed_test_is_a_finding`).
        assert_eq!(
            t.findings(&a.findings),
            [("test-failed", "TST-FAIL.md:7:10".to_string())]
        );
        let open: Vec<(&str, Option<Code>, String)> = a
            .open
            .iter()
            .map(|o| (o.id.as_str(), o.code, t.place(o.span.unwrap())))
            .collect();
        // At the written `result`, the line to change once the test has run; at the ID
        // when none is written.
        assert_eq!(
            open,
            [
                ("TST-LATER", None, "TST-LATER.md:7:10".to_string()),
                ("TST-NONE", None, "TST-NONE.md:2:6".to_string()),
            ]
        );
        assert!(a.open[0].what.contains("has not been run"), "{:?}", a.open);
        assert!(a.open[1].what.contains("records no result"), "{:?}", a.open);
    }

    #[test]
    fn a_failed_test_is_a_finding() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", "status = \"approved\""),
            (
                "CTL-1",
                "control",
                "implements = [\"REQ-1\"]\nstatus = \"approved\"",
            ),
            (
                "TST-1",
                "test",
                "verifies = [\"CTL-1\"]\nstatus = \"approved\"\nresult = \"fail\"",
            ),
            // A draft's failure is open work, not evidence.
            (
                "TST-D",
                "test",
                "verifies = [\"CTL-1\"]\nstatus = \"draft\"\nresult = \"fail\"",
            ),
        ]);
        let g = t.graph();
        let a = assess(&g, &config(NO_PRACTICES), None);
        // At the `result` line, naming the control that is not shown to work.
        assert_eq!(
            t.findings(&a.findings),
            [("test-failed", "TST-1.md:7:10".to_string())]
        );
        assert_eq!(
            a.findings[0].message,
            "test `TST-1` failed: `CTL-1` is not shown to work"
        );
        assert!(a.findings[0].is_error());
        let open: Vec<(&str, Option<Code>)> =
            a.open.iter().map(|o| (o.id.as_str(), o.code)).collect();
        assert_eq!(open, [("TST-D", Some(Code::TestFailed))]);
        // The control is not verified, and the requirement stands as a gap, named.
        let policy = config(NO_PRACTICES).coverage;
        assert!(!verified(&g, false, 1));
        assert_eq!(
            requirement_cause(&g, &policy, 0),
            (Standing::Gap, Some("TST-1 failed".to_string()))
        );
        // A release check counts the draft too.
        let strict = assess(
            &g,
            &config("[coverage]\npractice = false\ndraft = true"),
            None,
        );
        assert_eq!(strict.findings.len(), 2, "{:?}", strict.findings);
    }

    #[test]
    fn a_rule_not_at_deny_is_no_gap_in_the_tables() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", "status = \"approved\""),
            ("REQ-2", "requirement", "status = \"approved\""),
            (
                "CTL-2",
                "control",
                "implements = [\"REQ-2\"]\nstatus = \"approved\"",
            ),
            (
                "TST-2",
                "test",
                "verifies = [\"CTL-2\"]\nstatus = \"approved\"\nresult = \"fail\"",
            ),
        ]);
        let g = t.graph();
        let standing =
            |toml: &str, r: usize| requirement_standing(&g, &config(toml).failing_coverage(), r);
        assert_eq!(standing(NO_PRACTICES, 0), Standing::Gap);
        assert_eq!(standing(NO_PRACTICES, 1), Standing::Gap);
        for level in ["warn", "allow"] {
            let toml = format!(
                "{NO_PRACTICES}\n[severity]\nrequirement-not-implemented = \"{level}\"\ntest-failed = \"{level}\""
            );
            assert_eq!(standing(&toml, 0), Standing::Open, "{level}");
            assert_eq!(standing(&toml, 1), Standing::Open, "{level}");
        }
    }

    #[test]
    fn practices_addressed_only_by_drafts_are_open_work() {
        let t = Trace::new(&[(
            "REQ-1",
            "requirement",
            "derives-from = [\"MDCG-SM\"]\nstatus = \"draft\"",
        )]);
        let a = assess(&t.graph(), &config(""), None);
        assert!(
            !a.findings.iter().any(|d| d.message.contains("`MDCG-SM`")),
            "{:?}",
            a.findings
        );
        assert!(
            a.open
                .iter()
                .any(|o| o.id == "MDCG-SM" && o.what.contains("draft `REQ-1`"))
        );
    }

    #[test]
    fn every_draft_addressing_an_entry_is_named() {
        // Two drafts under one practice and one Annex I entry: the open work names both.
        let t = Trace::new(&[
            (
                "REQ-2",
                "requirement",
                "derives-from = [\"MDCG-SM\", \"MDR-18.8\"]\nstatus = \"draft\"",
            ),
            (
                "REQ-1",
                "requirement",
                "derives-from = [\"MDCG-SM\", \"MDR-18.8\"]\nstatus = \"draft\"",
            ),
        ]);
        let a = assess(&t.graph(), &config("[coverage]\nmdr = true"), None);
        for entry in ["MDCG-SM", "MDR-18.8"] {
            let open = a.open.iter().find(|o| o.id == entry).expect(entry);
            assert_eq!(
                open.what, "is addressed only by the drafts `REQ-1`, `REQ-2`",
                "{entry}"
            );
        }
    }

    #[test]
    fn a_procedure_implements_a_process_requirement() {
        let t = Trace::new(&[
            ("REQ-VUL", "requirement", ""),
            (
                "PRC-VUL",
                "procedure",
                "implements = [\"REQ-VUL\"]\ndocument = \"SOP-017 rev. C\"",
            ),
        ]);
        let d = check(&t.graph(), &config(NO_PRACTICES), None);
        // Met by the procedure, and a procedure needs no test.
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn a_gap_names_the_broken_file_that_would_close_it() {
        let t = Trace::new(&[("REQ-1", "requirement", "")]);
        let mut map = SourceMap::new();
        let text =
            "+++\nid = \"CTL-1\"\nimplements = [\"REQ-1\"]\nlast-reviewed = 2026-02-30\n+++\n";
        let file = map.add("CTL-1.md", text);
        let broken = crate::load::broken::declared(
            file,
            "requirements/CTL-1.md".into(),
            "requirements/CTL-1.md",
            text,
        );
        let index =
            crate::graph::GraphIndex::build(Catalog::builtin(), &t.items).with_broken(vec![broken]);
        let g = index.view(Catalog::builtin(), &t.items);
        let d = check(&g, &config(NO_PRACTICES), None);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::RequirementNotImplemented);
        let label = &d[0].secondary[0];
        assert_eq!(label.span.file, file);
        assert_eq!(&text[label.span.range()], "\"REQ-1\"");
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .contains("`requirements/CTL-1.md`"),
            "{:?}",
            d[0].help
        );
    }
}
