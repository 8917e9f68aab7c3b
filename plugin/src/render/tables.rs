//! The coverage matrix and the summary table.

use super::pages::{Site, is_live};
use super::{html, percent};
use crate::catalog::EntryKind;
use crate::graph::{Node, TraceGraph};
use crate::model::{Kind, Relation, TestResult};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

pub(crate) fn gap(text: &str) -> String {
    format!("<span class=\"techfile-gap\">{}</span>", html(text))
}

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
pub fn matrix(site: &Site<'_, '_>, page: &str) -> String {
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
    out.push_str("<table class=\"techfile-table techfile-matrix\">\n<thead><tr><th>Practice</th><th>Requirement</th><th>Controls</th><th>Tests</th></tr></thead>\n<tbody>\n");
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
        groups.push((gap("not traced to a practice"), &untraced));
    }
    for (practice, reqs) in groups {
        if reqs.is_empty() {
            let _ = writeln!(
                out,
                "<tr><td>{practice}</td><td>{}</td><td></td><td></td></tr>",
                gap("no requirement")
            );
            continue;
        }
        for (n, &r) in reqs.iter().enumerate() {
            let controls = g.traced_by(Node::Item(r), Relation::Implements);
            let tests = tests_for(g, r, &controls);
            let controls_cell = if controls.is_empty() {
                gap("no control")
            } else {
                controls
                    .iter()
                    .map(|&c| {
                        let verified = !g.traced_by(Node::Item(c), Relation::Verifies).is_empty();
                        let link = site.link(page, &g.items[c].id);
                        if verified {
                            link
                        } else {
                            format!("{link} {}", gap("(unverified)"))
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("<br>")
            };
            let tests_cell = if tests.is_empty() {
                gap("no test")
            } else {
                tests
                    .iter()
                    .map(|&t| {
                        let link = site.link(page, &g.items[t].id);
                        match g.items[t].result {
                            Some(TestResult::Fail) => format!("{link} {}", gap("(fail)")),
                            Some(TestResult::Pass) => {
                                format!("{link} <span class=\"techfile-ok\">(pass)</span>")
                            }
                            _ => link,
                        }
                    })
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
                site.link_with_title(page, &g.items[r].id)
            );
        }
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// Counts per kind and status, and coverage percentages.
pub fn summary(site: &Site<'_, '_>) -> String {
    let g = site.graph;
    let live: Vec<usize> = (0..g.items.len()).filter(|&i| is_live(g, i)).collect();
    let of_kind = |k: Kind| live.iter().copied().filter(move |&i| g.items[i].kind == k);
    let covered = |k: Kind, r: Relation| {
        of_kind(k)
            .filter(|&i| !g.traced_by(Node::Item(i), r).is_empty())
            .count()
    };
    let mut out = String::from(super::STYLE);
    out.push_str("<table class=\"techfile-table techfile-summary\">\n<thead><tr><th>Kind</th><th>Items</th><th>Draft</th><th>In review</th><th>Approved</th><th>Obsolete</th></tr></thead>\n<tbody>\n");
    for k in Kind::ALL {
        let all: Vec<usize> = (0..g.items.len())
            .filter(|&i| g.items[i].kind == k && g.is_canonical(i))
            .collect();
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
        .flat_map(|r| g.practices_above(r))
        .collect();
    let tests: Vec<usize> = of_kind(Kind::Test).collect();
    let passing = tests
        .iter()
        .filter(|&&t| g.items[t].result == Some(TestResult::Pass))
        .count();
    let rows = [
        (
            "Requirements implemented by a control",
            covered(Kind::Requirement, Relation::Implements),
            of_kind(Kind::Requirement).count(),
        ),
        (
            "Controls verified by a test",
            covered(Kind::Control, Relation::Verifies),
            of_kind(Kind::Control).count(),
        ),
        (
            "Risks mitigated by a control",
            covered(Kind::Risk, Relation::Mitigates),
            of_kind(Kind::Risk).count(),
        ),
        ("Tests passing", passing, tests.len()),
        (
            "MDCG 2019-16 practices addressed",
            practices.iter().filter(|p| addressed.contains(*p)).count(),
            practices.len(),
        ),
    ];
    out.push_str("<table class=\"techfile-table techfile-coverage\">\n<thead><tr><th>Coverage</th><th>Covered</th><th>Total</th><th>Percent</th></tr></thead>\n<tbody>\n");
    for (label, part, whole) in rows {
        let pct = percent(part, whole);
        let pct = if part < whole { gap(&pct) } else { pct };
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
pub fn codes() -> String {
    use crate::diag::{Code, Level};
    let mut out = String::from(
        "<table class=\"techfile-table techfile-codes\">\n<thead><tr><th>Code</th><th>Family</th><th>Default</th><th>Meaning</th></tr></thead>\n<tbody>\n",
    );
    for code in Code::ALL {
        let level = match code.default_level() {
            Level::Deny => "deny",
            Level::Warn => "warn",
            Level::Allow => "allow",
        };
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
