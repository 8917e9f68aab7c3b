//! The coverage matrix and the summary table.

use super::site::Site;
use super::style::colgroup;
use super::{gap, html, open, percent};
use crate::catalog::EntryKind;
use crate::checks::coverage;
use crate::checks::coverage::Standing;
use crate::graph::is_live;
use crate::graph::{Node, TraceGraph};
use crate::model::{Kind, Relation, TestResult};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Tests that verify a control or the requirement itself, sorted by ID, without repeats.
fn tests_for(g: &TraceGraph<'_>, requirement: usize, controls: &[usize]) -> Vec<usize> {
    let mut set: BTreeSet<(&str, usize)> = BTreeSet::new();
    for &n in std::iter::once(&requirement).chain(controls) {
        for t in g.traced_by(Node::Item(n), Relation::Verifies) {
            set.insert((&g.items[t].id, t));
        }
    }
    set.into_iter().map(|(_, t)| t).collect()
}

/// Practice -> requirement -> controls -> tests, one row per requirement, gaps in red.
pub(crate) fn matrix(site: &Site<'_, '_>, page: &str) -> String {
    let g = site.graph;
    // Which practices each live requirement traces to, computed once for the whole table.
    let mut by_practice: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut untraced = Vec::new();
    let mut reqs: Vec<usize> = (0..g.items.len())
        .filter(|&i| g.items[i].kind == Kind::Requirement && is_live(g, i))
        .collect();
    reqs.sort_by(|a, b| g.items[*a].id.cmp(&g.items[*b].id));
    for &r in &reqs {
        let practices = g.practices_above(r);
        if practices.is_empty() {
            untraced.push(r);
        }
        for p in practices {
            by_practice.entry(p).or_default().push(r);
        }
    }
    let mut out = String::from(super::STYLE);
    out.push_str("<table class=\"techfile-table techfile-fixed techfile-matrix\">\n");
    out.push_str(&colgroup(&[26, 30, 22, 22]));
    out.push_str("\n<thead><tr><th>Practice</th><th>Requirement</th><th>Controls and procedures</th><th>Tests</th></tr></thead>\n<tbody>\n");
    let mut groups: Vec<(String, &[usize])> = g
        .catalog
        .of_kind(EntryKind::Practice)
        .map(|p| {
            (
                site.link_with_title(page, &p.id),
                by_practice
                    .get(p.id.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or(&[]),
            )
        })
        .collect();
    if !untraced.is_empty() {
        // No rule asks a requirement to trace to a practice: open, not a gap.
        groups.push((open("not traced to a practice"), &untraced));
    }
    // Red exactly where a coverage check fails (`practice-not-addressed`,
    // `requirement-not-implemented`, `control-not-verified`); what drafts leave undone is open.
    let policy = &site.coverage;
    let firm = |i: usize| coverage::counts(g, policy.draft, i);
    let mark = |failing: bool, text: &str| if failing { gap(text) } else { open(text) };
    let unverified = |c: usize| {
        firm(c)
            && policy.control
            && g.items[c].kind != Kind::Procedure
            && g.traced_by(Node::Item(c), Relation::Verifies).is_empty()
    };
    for (practice, reqs) in groups {
        if reqs.is_empty() {
            let _ = writeln!(
                out,
                "<tr><td>{practice}</td><td>{}</td><td></td><td></td></tr>",
                mark(policy.practice, "no requirement")
            );
            continue;
        }
        for (n, &r) in reqs.iter().enumerate() {
            let controls = g.traced_by(Node::Item(r), Relation::Implements);
            let tests = tests_for(g, r, &controls);
            let controls_cell = if controls.is_empty() {
                mark(firm(r) && policy.requirement, "no control or procedure")
            } else {
                controls
                    .iter()
                    .map(|&c| {
                        let link = site.marked(page, &g.items[c].id);
                        // A procedure is evidence by its controlled document, not by a test.
                        if g.items[c].kind == Kind::Procedure {
                            return format!("{link} <em>(procedure)</em>");
                        }
                        if !g.traced_by(Node::Item(c), Relation::Verifies).is_empty() {
                            link
                        } else {
                            format!("{link} {}", mark(unverified(c), "(unverified)"))
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("<br>")
            };
            let tests_cell = if tests.is_empty() {
                mark(controls.iter().any(|&c| unverified(c)), "no test")
            } else {
                tests
                    .iter()
                    .map(|&t| site.test_with_result(page, t))
                    .collect::<Vec<_>>()
                    .join("<br>")
            };
            let practice_cell = if n == 0 {
                format!("<td rowspan=\"{}\">{practice}</td>", reqs.len())
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "<tr>{practice_cell}<td>{}</td><td>{controls_cell}</td><td>{tests_cell}</td></tr>",
                site.marked_with_title(page, &g.items[r].id)
            );
        }
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str(super::MARKS_LEGEND);
    out
}

/// Counts per kind and status, and coverage percentages.
pub(crate) fn summary(site: &Site<'_, '_>) -> String {
    let g = site.graph;
    let live: Vec<usize> = (0..g.items.len()).filter(|&i| is_live(g, i)).collect();
    let of_kind = |k: Kind| live.iter().copied().filter(move |&i| g.items[i].kind == k);
    // The coverage checks' rule: drafts count only under `coverage.draft`, and a control
    // is verified by a test that has run, so the percentages agree with the findings, the
    // open work and the practices table.
    let counts = |j: usize| coverage::counts(g, site.coverage.draft, j);
    let covered = |k: Kind, r: Relation| {
        of_kind(k)
            .filter(|&i| match r {
                Relation::Verifies => coverage::verified(g, site.coverage.draft, i),
                _ => g.traced_by(Node::Item(i), r).into_iter().any(counts),
            })
            .count()
    };
    let mut out = String::from(super::STYLE);
    out.push_str("<table class=\"techfile-table techfile-summary\">\n<thead><tr><th>Kind</th><th>Items</th><th>Draft</th><th>In review</th><th>Approved</th><th>Obsolete</th></tr></thead>\n<tbody>\n");
    // The threat-model kinds are counted once a book has a model, so books without one keep
    // their four rows.
    let has_model = g.items.iter().any(|i| i.kind.is_model());
    for k in Kind::ALL.into_iter().filter(|k| has_model || !k.is_model()) {
        let all: Vec<usize> = (0..g.items.len())
            .filter(|&i| g.items[i].kind == k && g.is_canonical(i))
            .collect();
        // Procedures are new to most books: their row is shown when there are some.
        if k == Kind::Procedure && all.is_empty() {
            continue;
        }
        let by = |s: crate::model::Status| all.iter().filter(|&&i| g.items[i].status == s).count();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            k.plural_title(),
            all.len(),
            by(crate::model::Status::Draft),
            by(crate::model::Status::InReview),
            by(crate::model::Status::Approved),
            by(crate::model::Status::Obsolete)
        );
    }
    out.push_str("</tbody>\n</table>\n\n");

    let practices: Vec<&str> = g
        .catalog
        .of_kind(EntryKind::Practice)
        .map(|p| p.id.as_str())
        .collect();
    let addressed: BTreeSet<&str> = of_kind(Kind::Requirement)
        .filter(|&r| counts(r))
        .flat_map(|r| g.practices_above(r))
        .collect();
    // Drafts are not evidence yet, as in every other row: neither side counts them.
    let tests: Vec<usize> = of_kind(Kind::Test).filter(|&t| counts(t)).collect();
    let passing = tests
        .iter()
        .filter(|&&t| g.items[t].result == Some(TestResult::Pass))
        .count();
    // A percentage is red only where a coverage check fails (an item that counts, with
    // nothing at all linking to it, under a rule in force); short of that it is open work.
    let policy = &site.coverage;
    let failing = |k: Kind, r: Relation, enforced: bool| {
        enforced && of_kind(k).any(|i| counts(i) && g.traced_by(Node::Item(i), r).is_empty())
    };
    // A failed test that counts is a `test-failed` finding where it fails the build.
    let failed = policy.test_failed
        && tests
            .iter()
            .any(|&t| g.items[t].result == Some(TestResult::Fail));
    let with_requirement: BTreeSet<&str> = of_kind(Kind::Requirement)
        .flat_map(|r| g.practices_above(r))
        .collect();
    let rows = [
        (
            "Requirements implemented by a control or procedure",
            covered(Kind::Requirement, Relation::Implements),
            of_kind(Kind::Requirement).count(),
            failing(Kind::Requirement, Relation::Implements, policy.requirement),
        ),
        (
            "Controls verified by a test",
            covered(Kind::Control, Relation::Verifies),
            of_kind(Kind::Control).count(),
            failing(Kind::Control, Relation::Verifies, policy.control) || failed,
        ),
        (
            "Risks mitigated by a control",
            covered(Kind::Risk, Relation::Mitigates),
            of_kind(Kind::Risk).count(),
            failing(Kind::Risk, Relation::Mitigates, policy.risk),
        ),
        ("Tests passing", passing, tests.len(), failed),
        (
            "MDCG 2019-16 practices addressed",
            practices.iter().filter(|p| addressed.contains(*p)).count(),
            practices.len(),
            policy.practice
                && practices.iter().any(|p| {
                    !with_requirement.contains(*p) && !site.not_applicable.contains_key(*p)
                }),
        ),
    ];
    out.push_str("<table class=\"techfile-table techfile-coverage\">\n<thead><tr><th>Coverage</th><th>Covered</th><th>Total</th><th>Percent</th></tr></thead>\n<tbody>\n");
    for (label, part, whole, failing) in rows {
        let pct = percent(part, whole);
        let pct = match (part < whole, failing) {
            (true, true) => gap(&pct),
            (true, false) => open(&pct),
            (false, _) => pct,
        };
        let _ = writeln!(
            out,
            "<tr><td>{label}</td><td>{part}</td><td>{whole}</td><td>{pct}</td></tr>"
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The reference of every diagnostic code, generated from the code list itself so the
/// documentation cannot drift from the tool.
pub(crate) fn codes() -> String {
    use crate::diag::Code;
    let mut out = String::from(
        "<table class=\"techfile-table techfile-fixed techfile-codes\">\n<colgroup><col style=\"width: 28%\"><col style=\"width: 11%\"><col style=\"width: 13%\"><col style=\"width: 48%\"></colgroup>\n<thead><tr><th>Code</th><th>Family</th><th>Default</th><th>Meaning</th></tr></thead>\n<tbody>\n",
    );
    for code in Code::ALL {
        let level = code.default_level().as_str();
        let level = if code.is_fixed() {
            format!("{level} (fixed)")
        } else {
            level.to_string()
        };
        let _ = writeln!(
            out,
            "<tr id=\"code-{}\"><td><code>{}</code></td><td>{}</td><td>{level}</td><td>{}</td></tr>",
            code.as_str(),
            code.as_str(),
            code.family(),
            html(code.summary())
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// What stands below a set of requirements as evidence that they are met, each list sorted
/// by ID without repeats: the controls and the procedures that implement them, and the tests
/// that verify the requirements, the controls or the procedures. Items that say
/// `status = "draft"` are not evidence yet; they are listed apart.
struct Evidence {
    controls: Vec<usize>,
    procedures: Vec<usize>,
    tests: Vec<usize>,
    drafts: Vec<usize>,
}

impl Evidence {
    /// Procedures that count as met evidence: approved, and naming their document.
    fn approved_procedures(&self, g: &TraceGraph<'_>) -> usize {
        self.procedures
            .iter()
            .filter(|&&p| {
                g.items[p].status == crate::model::Status::Approved && g.items[p].document.is_some()
            })
            .count()
    }
}

fn below(g: &TraceGraph<'_>, reqs: &[usize]) -> Evidence {
    let mut implementers: BTreeSet<(&str, usize)> = BTreeSet::new();
    let mut tests: BTreeSet<(&str, usize)> = BTreeSet::new();
    let mut drafts: BTreeSet<(&str, usize)> = BTreeSet::new();
    for &r in reqs {
        let by = g.traced_by(Node::Item(r), Relation::Implements);
        let (firm, draft): (Vec<usize>, Vec<usize>) = by
            .into_iter()
            .partition(|&c| !g.items[c].is_declared_draft());
        for t in tests_for(g, r, &firm) {
            if g.items[t].is_declared_draft() {
                drafts.insert((&g.items[t].id, t));
            } else {
                tests.insert((&g.items[t].id, t));
            }
        }
        implementers.extend(firm.into_iter().map(|c| (g.items[c].id.as_str(), c)));
        drafts.extend(draft.into_iter().map(|c| (g.items[c].id.as_str(), c)));
    }
    let (procedures, controls): (Vec<usize>, Vec<usize>) = implementers
        .into_iter()
        .map(|(_, c)| c)
        .partition(|&c| g.items[c].kind == Kind::Procedure);
    Evidence {
        controls,
        procedures,
        tests: tests.into_iter().map(|(_, t)| t).collect(),
        drafts: drafts.into_iter().map(|(_, d)| d).collect(),
    }
}

fn id_list(site: &Site<'_, '_>, page: &str, ids: &[usize]) -> String {
    let g = site.graph;
    ids.iter()
        .map(|&i| match g.items[i].kind {
            Kind::Test => site.test_with_result(page, i),
            _ => site.marked(page, &g.items[i].id),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each MDCG 2019-16 practice with its IEC 62443-4-1 and IEC 81001-5-1 references, the
/// requirements, controls and tests under it, and the gaps.
pub(crate) fn practices(site: &Site<'_, '_>, page: &str) -> String {
    let g = site.graph;
    let c = g.catalog;
    let reqs = g.live_of_kind(Kind::Requirement);
    let mut by_practice: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &r in &reqs {
        for p in g.practices_above(r) {
            by_practice.entry(p).or_default().push(r);
        }
    }
    let mut out = String::from(super::STYLE);
    let _ = writeln!(
        out,
        "<table class=\"techfile-table techfile-fixed techfile-practices\">\n{}",
        colgroup(&[15, 12, 11, 17, 17, 17, 11])
    );
    out.push_str("<thead><tr><th>Practice</th><th>IEC 62443-4-1</th><th>IEC 81001-5-1</th><th>Requirements</th><th>Controls and procedures</th><th>Tests</th><th>Status</th></tr></thead>\n<tbody>\n");
    for p in c.of_kind(EntryKind::Practice) {
        let iec62443: Vec<&str> = c
            .mapped_from(&p.id)
            .iter()
            .map(String::as_str)
            .filter(|id| c.get(id).is_some_and(|e| e.kind == EntryKind::Iec62443))
            .collect();
        let mut iec81001: BTreeSet<&str> = BTreeSet::new();
        for r in &iec62443 {
            if let Some(e) = c.get(r) {
                iec81001.extend(
                    e.maps_to
                        .iter()
                        .map(String::as_str)
                        .filter(|t| c.get(t).is_some_and(|e| e.kind == EntryKind::Iec81001)),
                );
            }
        }
        let rs = by_practice
            .get(p.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let evidence = below(g, rs);
        let mut implementers = evidence.controls.clone();
        implementers.extend(&evidence.procedures);
        let tests = &evidence.tests;
        let standing = coverage::entry_standing(g, &site.coverage, site.coverage.practice, rs);
        let applies = !site.not_applicable.contains_key(&p.id);
        // An empty cell is red only in a row a check fails on.
        let cell = |ids: &[usize], what: &str| {
            if ids.is_empty() && applies && standing == Standing::Gap {
                gap(&format!("no {what}"))
            } else if ids.is_empty() {
                open(&format!("no {what}"))
            } else {
                format!(
                    "<strong>{}</strong>: {}",
                    ids.len(),
                    id_list(site, page, ids)
                )
            }
        };
        let status = if let Some(reason) = site.not_applicable.get(&p.id) {
            format!("Not applicable: {}", html(reason))
        } else {
            match standing {
                Standing::Gap if rs.is_empty() => gap("gap: no requirement"),
                Standing::Gap => gap(&cause_or(
                    site,
                    rs,
                    standing,
                    "not implemented or not verified",
                )),
                Standing::Open => open(&cause_or(
                    site,
                    rs,
                    standing,
                    &open_reason(g, site, rs, &evidence),
                )),
                Standing::Covered => "<span class=\"techfile-ok\">covered</span>".to_string(),
            }
        };
        let refs = |ids: &[&str]| {
            ids.iter()
                .map(|id| site.link(page, id))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            out,
            "<tr id=\"techfile-practice-{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{status}</td></tr>",
            crate::model::anchor(&p.id),
            site.link_with_title(page, &p.id),
            refs(&iec62443),
            refs(&iec81001.into_iter().collect::<Vec<_>>()),
            cell(rs, "requirement"),
            cell(&implementers, "control or procedure"),
            cell(tests, "test"),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str(super::MARKS_LEGEND);
    out
}

/// The Annex I conformity checklist for one regulation: each entry, whether it applies
/// (with the reason when not), the requirements and evidence that meet it, and a status.
pub(crate) fn checklist(site: &Site<'_, '_>, page: &str, regulation: EntryKind) -> String {
    let g = site.graph;
    let c = g.catalog;
    let mut by_entry: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for r in g.live_of_kind(Kind::Requirement) {
        for id in g.catalog_above(r) {
            by_entry.entry(id).or_default().push(r);
        }
    }
    let other = match regulation {
        EntryKind::Ivdr => "MDR",
        _ => "IVDR",
    };
    let mut out = String::from(super::STYLE);
    let _ = writeln!(
        out,
        "<table class=\"techfile-table techfile-fixed techfile-checklist\">\n{}\n<thead><tr><th>Annex I</th><th>Requirement of the regulation</th><th>{other}</th><th>Applicable</th><th>Met by</th><th>Evidence</th><th>Status</th></tr></thead>\n<tbody>",
        colgroup(&[8, 24, 8, 12, 14, 22, 12])
    );
    for e in c.of_kind(regulation) {
        // Equivalent entries of the other regulation, in both directions of the mapping.
        let equivalents: Vec<&str> = e
            .maps_to
            .iter()
            .chain(c.mapped_from(&e.id))
            .map(String::as_str)
            .filter(|t| {
                c.get(t)
                    .is_some_and(|x| matches!(x.kind, EntryKind::Mdr | EntryKind::Ivdr))
            })
            .collect();
        let reqs = by_entry
            .get(e.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let evidence = below(g, reqs);
        let mut title = html(&e.title);
        if e.unverified {
            title.push_str(" <em>(unverified)</em>");
        }
        let equiv = equivalents
            .iter()
            .map(|id| site.link(page, id))
            .collect::<Vec<_>>()
            .join(", ");
        let (applicable, met, evidence_cell, status) =
            if let Some(reason) = site.not_applicable.get(&e.id) {
                (
                    format!("No: {}", html(reason)),
                    String::new(),
                    String::new(),
                    "<span class=\"techfile-na\">not applicable</span>".to_string(),
                )
            } else {
                (
                    "Yes".to_string(),
                    id_list(site, page, reqs),
                    evidence_text(site, page, &evidence),
                    checklist_status(site, regulation, reqs, &evidence),
                )
            };
        let _ = writeln!(
            out,
            "<tr id=\"techfile-checklist-{}\"><td>{}</td><td>{title}</td><td>{equiv}</td><td>{applicable}</td><td>{met}</td><td>{evidence_cell}</td><td>{status}</td></tr>",
            crate::model::anchor(&e.id),
            site.link(page, &e.id),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str(super::MARKS_LEGEND);
    out
}

/// The status of an Annex I entry that applies, by the coverage rule
/// ([`coverage::entry_standing`]): red only where a check fails the build. Met only through
/// evidence that fits: a control when the tests in the chain verify it and all passed; a
/// procedure when it is approved and names its controlled document; a draft never counts.
fn checklist_status(
    site: &Site<'_, '_>,
    regulation: EntryKind,
    reqs: &[usize],
    e: &Evidence,
) -> String {
    let g = site.graph;
    let required = match regulation {
        EntryKind::Mdr => site.coverage.mdr,
        EntryKind::Ivdr => site.coverage.ivdr,
        _ => false,
    };
    match coverage::entry_standing(g, &site.coverage, required, reqs) {
        Standing::Gap if reqs.is_empty() => gap("gap: no requirement"),
        s @ Standing::Gap => gap(&cause_or(
            site,
            reqs,
            s,
            "no verified control or approved procedure",
        )),
        s @ Standing::Open => open(&cause_or(site, reqs, s, &open_reason(g, site, reqs, e))),
        Standing::Covered => "<span class=\"techfile-ok\">met</span>".to_string(),
    }
}

/// The status text of a row at `standing` (a gap or open work) that names its cause: the
/// requirements that count and stand there, each with what it lacks ("gap: REQ-1 has no
/// control or procedure"), two at most and how many more. A row over several requirements
/// takes the worst, so without the names a reader would look for the cause in the evidence
/// of the others. `fallback` when no requirement that counts stands there (only drafts).
fn cause_or(site: &Site<'_, '_>, reqs: &[usize], standing: Standing, fallback: &str) -> String {
    let g = site.graph;
    let word = if standing == Standing::Gap {
        "gap"
    } else {
        "open"
    };
    let mut causes: Vec<String> = Vec::new();
    for &r in reqs {
        if !coverage::counts(g, site.coverage.draft, r) {
            continue;
        }
        if let (s, Some(cause)) = coverage::requirement_cause(g, &site.coverage, r)
            && s == standing
            && !causes.contains(&cause)
        {
            causes.push(cause);
        }
    }
    let fallback = fallback.strip_prefix("open: ").unwrap_or(fallback);
    match causes.len() {
        0 => format!("{word}: {fallback}"),
        1 | 2 => format!("{word}: {}", causes.join("; ")),
        n => format!("{word}: {}; and {} more", causes[..2].join("; "), n - 2),
    }
}

/// Why a row that fails no check is not yet covered, for its status cell: the first of
/// no requirement, only drafts, tests not passed, procedures not approved, and rules off.
fn open_reason(g: &TraceGraph<'_>, site: &Site<'_, '_>, reqs: &[usize], e: &Evidence) -> String {
    let firm = |i: usize| coverage::counts(g, site.coverage.draft, i);
    let not_passed = e
        .tests
        .iter()
        .filter(|&&t| g.items[t].result != Some(TestResult::Pass))
        .count();
    let unapproved = e.procedures.len() - e.approved_procedures(g);
    if reqs.is_empty() {
        "open: no requirement".into()
    } else if !reqs.iter().any(|&r| firm(r)) {
        "open: only drafts address it".into()
    } else if e.controls.is_empty() && e.procedures.is_empty()
        || !e.controls.is_empty() && e.tests.is_empty()
    {
        "open: only drafts implement or verify it".into()
    } else if not_passed > 0 {
        format!("open: {not_passed} test(s) not passed")
    } else if unapproved > 0 {
        format!("open: {unapproved} procedure(s) not approved with a document")
    } else {
        "open: not yet verified".into()
    }
}

/// The evidence column of the checklist: the controls, procedures (with their documents)
/// and tests, and the drafts that do not count yet.
fn evidence_text(site: &Site<'_, '_>, page: &str, e: &Evidence) -> String {
    let g = site.graph;
    let mut parts = Vec::new();
    if !e.controls.is_empty() && !e.tests.is_empty() {
        parts.push(format!(
            "{} control(s): {}",
            e.controls.len(),
            id_list(site, page, &e.controls)
        ));
    }
    if !e.procedures.is_empty() {
        let listed: Vec<String> = e
            .procedures
            .iter()
            .map(|&p| match &g.items[p].document {
                Some(d) => format!("{} ({})", site.marked(page, &g.items[p].id), html(&d.value)),
                None => site.marked(page, &g.items[p].id),
            })
            .collect();
        parts.push(format!(
            "{} procedure(s): {}",
            e.procedures.len(),
            listed.join(", ")
        ));
    }
    if !e.tests.is_empty() {
        parts.push(format!(
            "{} test(s): {}",
            e.tests.len(),
            id_list(site, page, &e.tests)
        ));
    }
    if !e.drafts.is_empty() {
        parts.push(format!(
            "not counted, drafts: {}",
            id_list(site, page, &e.drafts)
        ));
    }
    parts.join("<br>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::config::RiskConfig;
    use crate::render::site::Host;
    use crate::testkit::Trace;

    /// Renders with `view` on a site whose items and catalog have generated pages under
    /// `techfile/`, with these catalog entries marked not applicable.
    fn with_site(
        t: &Trace,
        not_applicable: &[(&str, &str)],
        view: impl Fn(&Site<'_, '_>) -> String,
    ) -> String {
        with_policy(t, not_applicable, &Default::default(), view)
    }

    /// As [`with_site`], under this coverage policy.
    fn with_policy(
        t: &Trace,
        not_applicable: &[(&str, &str)],
        coverage: &crate::config::Coverage,
        view: impl Fn(&Site<'_, '_>) -> String,
    ) -> String {
        let graph = t.graph();
        let risk = RiskConfig::default();
        let not_applicable: BTreeMap<String, String> = not_applicable
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let sboms = crate::sbom::SbomSet::default();
        let reviews = crate::review::Reviews::default();
        let vulns = crate::advisory::assess::Assessment::default();
        let stride = crate::config::StrideConfig::default();
        let site = Site {
            graph: &graph,
            reviews: &reviews,
            vulnerabilities: &vulns,
            gaps: &Default::default(),
            support: &crate::lifecycle::Support::default(),
            risk: &risk,
            not_applicable: &not_applicable,
            coverage: coverage.clone(),
            stamp: None,
            sboms: &sboms,
            sbom_pages: Default::default(),
            pages: Host::ALL
                .iter()
                .map(|h| (*h, format!("techfile/{}.md", h.file_stem())))
                .collect(),
            outline: false,
            stride: &stride,
            threat: Default::default(),
        };
        view(&site)
    }

    /// The rows of a table's body.
    fn rows(table: &str) -> Vec<&str> {
        let body = &table[table.find("<tbody>").expect("a body")..];
        body.split("<tr")
            .skip(1)
            .map(|r| &r[..r.find("</tr>").expect("row closes")])
            .collect()
    }

    fn trace() -> Trace {
        Trace::new(&[
            (
                "REQ-1",
                "requirement",
                "derives-from = [\"MDCG-SM\", \"MDR-1\"]",
            ),
            (
                "REQ-2",
                "requirement",
                "derives-from = [\"MDCG-SM\"]\nstatus = \"in-review\"",
            ),
            ("REQ-3", "requirement", "status = \"draft\""),
            (
                "REQ-4",
                "requirement",
                "derives-from = [\"IEC62443-SVV-1\", \"MDR-2\"]",
            ),
            (
                "REQ-OLD",
                "requirement",
                "derives-from = [\"MDCG-SUM\"]\nstatus = \"obsolete\"",
            ),
            ("CTL-1", "control", "implements = [\"REQ-1\"]"),
            ("CTL-2", "control", "implements = [\"REQ-3\"]"),
            ("CTL-4", "control", "implements = [\"REQ-4\"]"),
            ("TST-1", "test", "verifies = [\"CTL-1\"]\nresult = \"pass\""),
            ("TST-2", "test", "verifies = [\"REQ-3\"]\nresult = \"fail\""),
            (
                "TST-4",
                "test",
                "verifies = [\"CTL-4\"]\nresult = \"not-run\"",
            ),
            (
                "RSK-1",
                "risk",
                "status = \"approved\"\nasset = \"a\"\nthreat = \"t\"\nsafety-impact = false\nexploitability = \"remote\"\nseverity = \"minor\"\nresidual-exploitability = \"remote\"\nresidual-severity = \"minor\"",
            ),
            ("CTL-R", "control", "mitigates = [\"RSK-1\"]"),
        ])
    }

    #[test]
    fn the_matrix_has_a_row_per_live_requirement_under_each_practice() {
        let t = trace();
        let m = with_site(&t, &[], |s| matrix(s, "chapters/overview.md"));
        let rows = rows(&m);
        let practices = Catalog::builtin().of_kind(EntryKind::Practice).count();
        // Security management holds two requirements in one cell spanning both rows; SVV
        // one (through IEC 62443-4-1); the other practices one gap row each; REQ-3 traces to
        // no practice and gets a group of its own. The obsolete REQ-OLD is left out.
        assert_eq!(rows.len(), practices + 1 + 1, "{m}");
        let row = |id: &str| {
            *rows
                .iter()
                .find(|r| {
                    r.contains(&format!("#{}\"", id.to_lowercase()))
                        && r.contains(&format!(">{id}</a> "))
                })
                .unwrap_or_else(|| panic!("no row for {id}"))
        };
        assert!(
            row("REQ-1").contains("<td rowspan=\"2\">"),
            "{}",
            row("REQ-1")
        );
        assert!(row("REQ-1").contains("MDCG-SM"));
        assert!(!row("REQ-2").contains("rowspan"));
        // Links leave the chapter's folder for the generated pages.
        assert!(row("REQ-1").contains("href=\"../techfile/requirements.html#req-1\""));
        assert!(row("REQ-1").contains("href=\"../techfile/controls.html#ctl-1\""));
        assert!(row("REQ-1").contains("../techfile/tests.html#tst-1\" title=\"TST-1 title\">TST-1</a> <span class=\"techfile-ok\">(passed)</span>"));
        assert!(
            row("REQ-2").contains("no control or procedure") && row("REQ-2").contains("no test")
        );
        let untraced = row("REQ-3");
        assert!(untraced.contains("not traced to a practice"));
        assert!(untraced.contains("CTL-2</a> <span class=\"techfile-gap\">(unverified)</span>"));
        assert!(untraced.contains("TST-2</a> <span class=\"techfile-gap\">(failed)</span>"));
        assert!(row("REQ-4").contains("MDCG-SVV"));
        assert!(!m.contains("REQ-OLD"));
        let gaps = rows.iter().filter(|r| r.contains("no requirement")).count();
        assert_eq!(gaps, practices - 2);
    }

    /// Every draft is marked the same way whatever its kind, and a test not run never
    /// reads like a pass: in words, for a greyscale print, with the legend under the table.
    #[test]
    fn the_matrix_marks_every_draft_and_names_every_result() {
        let t = Trace::new(&[
            (
                "REQ-D",
                "requirement",
                "derives-from = [\"MDCG-SM\"]\nstatus = \"draft\"",
            ),
            (
                "REQ-A",
                "requirement",
                "derives-from = [\"MDCG-SM\"]\nstatus = \"approved\"",
            ),
            (
                "CTL-D",
                "control",
                "implements = [\"REQ-D\"]\nstatus = \"draft\"",
            ),
            (
                "CTL-A",
                "control",
                "implements = [\"REQ-A\"]\nstatus = \"approved\"",
            ),
            (
                "TST-D",
                "test",
                "verifies = [\"CTL-D\"]\nresult = \"pass\"\nstatus = \"draft\"",
            ),
            (
                "TST-NR",
                "test",
                "verifies = [\"CTL-A\"]\nresult = \"not-run\"\nstatus = \"approved\"",
            ),
            (
                "TST-NONE",
                "test",
                "verifies = [\"CTL-A\"]\nstatus = \"approved\"",
            ),
            (
                "TST-P",
                "test",
                "verifies = [\"CTL-A\"]\nresult = \"pass\"\nstatus = \"approved\"",
            ),
            (
                "TST-F",
                "test",
                "verifies = [\"CTL-A\"]\nresult = \"fail\"\nstatus = \"approved\"",
            ),
        ]);
        // The practices table lists only what counts as evidence, so no draft.
        let p = with_site(&t, &[], |s| practices(s, "m.md"));
        assert!(
            p.contains(">TST-NR</a> <strong class=\"techfile-not-run\">(not run)</strong>"),
            "{p}"
        );
        assert!(
            p.contains(">TST-P</a> <span class=\"techfile-ok\">(passed)</span>"),
            "{p}"
        );
        assert!(p.contains("techfile-legend"), "{p}");
        {
            let m = with_site(&t, &[], |s| matrix(s, "m.md"));
            let after = |id: &str| {
                let at = m
                    .find(&format!(">{id}</a>"))
                    .unwrap_or_else(|| panic!("{id} in {m}"));
                let rest = &m[at + id.len() + 5..];
                rest[..rest.len().min(120)].to_string()
            };
            let draft = "<em class=\"techfile-draft\">(draft)</em>";
            for id in ["REQ-D", "CTL-D", "TST-D"] {
                assert!(after(id).contains(draft), "{id}: {}", after(id));
            }
            for id in ["REQ-A", "CTL-A", "TST-NR", "TST-P"] {
                assert!(
                    !after(id).starts_with(&format!(" {draft}")),
                    "{id}: {}",
                    after(id)
                );
            }
            assert!(
                after("TST-NR")
                    .starts_with(" <strong class=\"techfile-not-run\">(not run)</strong>")
            );
            assert!(
                after("TST-NONE")
                    .starts_with(" <strong class=\"techfile-not-run\">(not run)</strong>")
            );
            assert!(after("TST-P").starts_with(" <span class=\"techfile-ok\">(passed)</span>"));
            assert!(after("TST-F").starts_with(" <span class=\"techfile-gap\">(failed)</span>"));
            // A draft test shows its mark and its result alike.
            assert!(after("TST-D").starts_with(&format!(
                " {draft} <span class=\"techfile-ok\">(passed)</span>"
            )));
            assert!(
                m.contains("techfile-legend") && m.contains("(not run)</strong> when"),
                "{m}"
            );
        }
    }

    #[test]
    fn the_summary_counts_kinds_statuses_and_coverage() {
        let t = trace();
        let s = with_site(&t, &[], summary);
        let cells = |label: &str| -> Vec<String> {
            let row = rows(&s)
                .into_iter()
                .find(|r| r.contains(&format!("<td>{label}</td>")))
                .unwrap_or_else(|| panic!("no row {label}"));
            row.split("<td>")
                .skip(2)
                .map(|c| c.trim_end_matches("</td>").to_string())
                .collect()
        };
        // Items, draft (the default), in review, approved, obsolete.
        assert_eq!(cells("Requirements"), ["5", "3", "1", "0", "1"]);
        assert_eq!(cells("Controls"), ["4", "4", "0", "0", "0"]);
        assert_eq!(cells("Risks"), ["1", "0", "0", "1", "0"]);
        assert_eq!(cells("Tests"), ["3", "3", "0", "0", "0"]);
        // Covered, total, percent (gaps in red).
        assert_eq!(
            cells("Requirements implemented by a control or procedure"),
            ["3", "4", "<span class=\"techfile-gap\">75.0%</span>"]
        );
        // CTL-4's only test has not run: it is open work, not verification.
        assert_eq!(
            cells("Controls verified by a test"),
            ["1", "4", "<span class=\"techfile-gap\">25.0%</span>"]
        );
        assert_eq!(cells("Risks mitigated by a control"), ["1", "1", "100.0%"]);
        // TST-2 failed and counts: `test-failed` fails the build, so the row is red.
        assert_eq!(
            cells("Tests passing"),
            ["1", "3", "<span class=\"techfile-gap\">33.3%</span>"]
        );
        let practices = Catalog::builtin().of_kind(EntryKind::Practice).count();
        assert_eq!(
            cells("MDCG 2019-16 practices addressed")[..2],
            ["2".to_string(), practices.to_string()]
        );
    }

    /// Links from drafts are open work, not coverage, in the summary as in the checks.
    #[test]
    fn the_summary_does_not_count_drafts_as_coverage() {
        let t = Trace::new(&[
            (
                "REQ-D",
                "requirement",
                "derives-from = [\"MDCG-SM\"]\nstatus = \"draft\"",
            ),
            ("REQ-1", "requirement", ""),
            (
                "CTL-D",
                "control",
                "implements = [\"REQ-1\"]\nmitigates = [\"RSK-1\"]\nstatus = \"draft\"",
            ),
            ("CTL-1", "control", ""),
            (
                "TST-D",
                "test",
                "verifies = [\"CTL-1\"]\nresult = \"pass\"\nstatus = \"draft\"",
            ),
            (
                "RSK-1",
                "risk",
                "asset = \"a\"\nthreat = \"t\"\nsafety-impact = false\nexploitability = \"remote\"\nseverity = \"minor\"\nresidual-exploitability = \"remote\"\nresidual-severity = \"minor\"",
            ),
        ]);
        let s = with_site(&t, &[], summary);
        let covered = |label: &str| -> String {
            let row = rows(&s)
                .into_iter()
                .find(|r| r.contains(&format!("<td>{label}</td>")))
                .unwrap_or_else(|| panic!("no row {label}"));
            row.split("<td>")
                .nth(2)
                .unwrap()
                .trim_end_matches("</td>")
                .to_string()
        };
        assert_eq!(
            covered("Requirements implemented by a control or procedure"),
            "0"
        );
        assert_eq!(covered("Controls verified by a test"), "0");
        assert_eq!(covered("Risks mitigated by a control"), "0");
        assert_eq!(covered("MDCG 2019-16 practices addressed"), "0");
        // A draft test that says it passed is not evidence yet (issue 17), and the total
        // leaves it out by the same rule, so the row reads 0 of 0, not 0 of 1.
        assert_eq!(covered("Tests passing"), "0");
        let tests_row = rows(&s)
            .into_iter()
            .find(|r| r.contains("<td>Tests passing</td>"))
            .unwrap();
        assert!(tests_row.contains("<td>0</td><td>0</td>"), "{tests_row}");
    }

    #[test]
    fn practices_show_their_references_evidence_and_status() {
        let t = trace();
        let p = with_site(&t, &[("MDCG-DM", "No <field> issues")], |s| {
            practices(s, "x.md")
        });
        let rows = rows(&p);
        assert_eq!(
            rows.len(),
            Catalog::builtin().of_kind(EntryKind::Practice).count()
        );
        let row = |id: &str| {
            *rows
                .iter()
                .find(|r| {
                    r.starts_with(&format!(" id=\"techfile-practice-{}\"", id.to_lowercase()))
                })
                .unwrap_or_else(|| panic!("no row {id}"))
        };
        let sm = row("MDCG-SM");
        assert!(
            sm.contains("IEC62443-SM-1") && sm.contains("IEC81001-5.1.1"),
            "{sm}"
        );
        assert!(
            sm.contains("<strong>2</strong>: "),
            "two requirements: {sm}"
        );
        // REQ-1 is covered, but REQ-2, approved too, has no control: a real gap, which
        // `requirement-not-implemented` reports, and the status names it, not the evidence
        // of REQ-1 shown beside it (issue 17).
        assert!(
            sm.ends_with(
                "<td><span class=\"techfile-gap\">gap: REQ-2 has no control or procedure</span></td>"
            ),
            "{sm}"
        );
        // SVV's requirement has a control whose only test has not run: open, as in the
        // checklist, not covered; SUM only has an obsolete requirement.
        let svv = row("MDCG-SVV");
        assert!(
            svv.ends_with("<td><span class=\"techfile-open\">open: TST-4 has not run</span></td>"),
            "{svv}"
        );
        assert!(row("MDCG-SUM").contains("gap: no requirement"));
        assert!(row("MDCG-DM").contains("Not applicable: No &lt;field&gt; issues"));
        assert!(row("MDCG-SR").contains("gap: no requirement"));
    }

    #[test]
    fn the_checklist_has_a_row_per_annex_i_entry_with_its_status() {
        let t = trace();
        let c = with_site(&t, &[("MDR-3", "No <software>")], |s| {
            checklist(s, "x.md", EntryKind::Mdr)
        });
        let rows = rows(&c);
        assert_eq!(
            rows.len(),
            Catalog::builtin().of_kind(EntryKind::Mdr).count()
        );
        assert!(c.contains("<th>IVDR</th>"), "the other regulation's column");
        let row = |id: &str| {
            *rows
                .iter()
                .find(|r| {
                    r.starts_with(&format!(" id=\"techfile-checklist-{}\"", id.to_lowercase()))
                })
                .unwrap_or_else(|| panic!("no row {id}"))
        };
        let mdr1 = row("MDR-1");
        assert!(mdr1.contains("#ivdr-1\""), "the IVDR equivalent: {mdr1}");
        assert!(mdr1.contains("<td>Yes</td>"));
        assert!(mdr1.contains("1 control(s)") && mdr1.contains("1 test(s)"));
        assert!(
            mdr1.ends_with("<span class=\"techfile-ok\">met</span></td>"),
            "{mdr1}"
        );
        assert!(
            row("MDR-2").contains("open: TST-4 has not run"),
            "TST-4 has not run"
        );
        assert!(row("MDR-3").contains("No: No &lt;software&gt;"));
        assert!(row("MDR-3").contains("not applicable"));
        // No rule asks for MDR entries unless `coverage.mdr` is on: open, not a gap.
        assert!(row("MDR-4").contains("techfile-open\">open: no requirement"));
        let policy = crate::config::Coverage {
            mdr: true,
            ..Default::default()
        };
        let required = with_policy(&t, &[], &policy, |s| checklist(s, "x.md", EntryKind::Mdr));
        let mdr4 = super::tests::rows(&required)
            .into_iter()
            .find(|r| r.starts_with(" id=\"techfile-checklist-mdr-4\""))
            .unwrap();
        assert!(
            mdr4.contains("techfile-gap\">gap: no requirement"),
            "{mdr4}"
        );

        let ivdr = with_site(&t, &[], |s| checklist(s, "x.md", EntryKind::Ivdr));
        assert!(ivdr.contains("<th>MDR</th>"));
        assert_eq!(
            super::tests::rows(&ivdr).len(),
            Catalog::builtin().of_kind(EntryKind::Ivdr).count()
        );
    }

    #[test]
    fn outlines_keep_the_rows_without_the_targets() {
        let t = trace();
        let full = with_site(&t, &[], |s| matrix(s, "x.md"));
        let graph = t.graph();
        let risk = RiskConfig::default();
        let na = BTreeMap::new();
        let sboms = crate::sbom::SbomSet::default();
        let reviews = crate::review::Reviews::default();
        let vulns = crate::advisory::assess::Assessment::default();
        let outline = matrix(
            &Site {
                graph: &graph,
                reviews: &reviews,
                vulnerabilities: &vulns,
                gaps: &Default::default(),
                support: &crate::lifecycle::Support::default(),
                risk: &risk,
                not_applicable: &na,
                coverage: Default::default(),
                stamp: None,
                sboms: &sboms,
                sbom_pages: Default::default(),
                pages: BTreeMap::new(),
                outline: true,
                stride: &Default::default(),
                threat: Default::default(),
            },
            "x.md",
        );
        assert_eq!(rows(&outline).len(), rows(&full).len());
        assert!(!outline.contains("href="));
        assert!(outline.contains("<a>REQ-1</a>"));
    }

    #[test]
    fn red_only_where_the_configured_severity_fails_the_build() {
        let t = Trace::new(&[
            (
                "REQ-1",
                "requirement",
                "derives-from = [\"MDCG-SM\", \"MDR-1\"]\nstatus = \"approved\"",
            ),
            (
                "REQ-2",
                "requirement",
                "derives-from = [\"MDCG-SM\", \"MDR-1\"]\nstatus = \"approved\"",
            ),
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
        let render = |severity: &str| {
            let policy = crate::config::Config::from_toml(&format!("[severity]\n{severity}"))
                .unwrap()
                .failing_coverage();
            [
                with_policy(&t, &[], &policy, summary),
                with_policy(&t, &[], &policy, |s| matrix(s, "x.md")),
                with_policy(&t, &[], &policy, |s| practices(s, "x.md")),
                with_policy(&t, &[], &policy, |s| checklist(s, "x.md", EntryKind::Mdr)),
            ]
        };
        let [summary, matrix, practices, checklist] = render("");
        assert!(summary.contains("techfile-gap"), "{summary}");
        assert!(
            matrix.contains("techfile-gap\">no control or procedure"),
            "{matrix}"
        );
        assert!(matrix.contains("techfile-gap\">(failed)"), "{matrix}");
        // The worst cause is named: REQ-1 has no control (both are gaps, REQ-1 first).
        assert!(
            practices
                .contains("techfile-gap\">gap: REQ-1 has no control or procedure; TST-2 failed"),
            "{practices}"
        );
        for level in ["warn", "allow"] {
            let [summary, matrix, practices, checklist] = render(&format!(
                "requirement-not-implemented = \"{level}\"\ntest-failed = \"{level}\"\npractice-not-addressed = \"{level}\""
            ));
            for view in [&summary, &matrix, &practices, &checklist] {
                // The legend under the tables shows each mark once, in its colour.
                let table = view.split("techfile-legend").next().unwrap();
                assert!(
                    !table.contains("class=\"techfile-gap\""),
                    "{level}: {table}"
                );
            }
            assert!(
                matrix.contains("techfile-open\">no control or procedure"),
                "{matrix}"
            );
            assert!(matrix.contains("techfile-open\">(failed)"), "{matrix}");
            assert!(
                checklist.contains(
                    "techfile-open\">open: REQ-1 has no control or procedure; TST-2 failed"
                ),
                "{checklist}"
            );
        }
        // `coverage.mdr` is off, but the requirements' own rules are in force.
        assert!(
            checklist
                .contains("techfile-gap\">gap: REQ-1 has no control or procedure; TST-2 failed"),
            "{checklist}"
        );
    }

    #[test]
    fn the_checklist_counts_only_evidence_that_fits() {
        let t = Trace::new(&[
            ("REQ-A", "requirement", "derives-from = [\"MDR-8\"]"),
            (
                "PRC-A",
                "procedure",
                "implements = [\"REQ-A\"]\nstatus = \"approved\"\ndocument = \"SOP-017 <rev C>\"",
            ),
            ("REQ-B", "requirement", "derives-from = [\"MDR-17.1\"]"),
            (
                "PRC-B",
                "procedure",
                "implements = [\"REQ-B\"]\nstatus = \"in-review\"\ndocument = \"SOP-018\"",
            ),
            ("REQ-C", "requirement", "derives-from = [\"MDR-17.2\"]"),
            (
                "CTL-C",
                "control",
                "implements = [\"REQ-C\"]\nstatus = \"draft\"",
            ),
            ("TST-C", "test", "verifies = [\"CTL-C\"]\nresult = \"pass\""),
        ]);
        let c = with_site(&t, &[], |s| checklist(s, "x.md", EntryKind::Mdr));
        let row = |id: &str| {
            rows(&c)
                .into_iter()
                .find(|r| {
                    r.starts_with(&format!(
                        " id=\"techfile-checklist-{}\"",
                        crate::model::anchor(id)
                    ))
                })
                .unwrap_or_else(|| panic!("no row {id}"))
                .to_string()
        };
        // An approved procedure with its document meets a process requirement, with no test.
        let a = row("MDR-8");
        assert!(
            a.ends_with("<span class=\"techfile-ok\">met</span></td>"),
            "{a}"
        );
        assert!(
            a.contains("1 procedure(s)") && a.contains("(SOP-017 &lt;rev C&gt;)"),
            "{a}"
        );
        // One still in review does not.
        assert!(row("MDR-17.1").contains("open: PRC-B is not approved with its document"));
        // A draft control with a passing test is not evidence yet.
        let c17 = row("MDR-17.2");
        assert!(
            c17.contains("open: REQ-C is implemented only by drafts"),
            "{c17}"
        );
        assert!(
            c17.contains("not counted, drafts:") && c17.contains("CTL-C"),
            "{c17}"
        );
    }
}
