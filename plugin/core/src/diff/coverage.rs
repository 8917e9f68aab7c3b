//! Coverage before and after: per item kind (the rows of the summary table), per MDCG
//! 2019-16 practice and per MDR / IVDR Annex I entry of the catalog.

use crate::Analysis;
use crate::catalog::EntryKind;
use crate::checks::coverage;
use crate::graph::Node;
use crate::model::{Kind, Relation, TestResult};
use serde::Serialize;
use std::collections::BTreeMap;

/// A ratio: `covered` of `total`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Ratio {
    pub(crate) covered: usize,
    pub(crate) total: usize,
}

/// One row of the summary's coverage table before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct KindRow {
    /// `requirements-implemented`, `controls-verified`, `risks-mitigated`,
    /// `tests-passing`, `practices-addressed`.
    pub(crate) key: &'static str,
    pub(crate) label: &'static str,
    pub(crate) before: Option<Ratio>,
    pub(crate) after: Ratio,
}

/// Whether a catalog entry is met: the live requirements tracing to it, or the reason it
/// does not apply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct EntryState {
    /// `addressed`, `gap` or `not-applicable`.
    pub(crate) status: &'static str,
    pub(crate) requirements: usize,
}

/// A catalog entry (practice or Annex I entry) before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct EntryRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) before: Option<EntryState>,
    pub(crate) after: EntryState,
}

impl EntryRow {
    pub(crate) fn changed(&self) -> bool {
        self.before.as_ref() != Some(&self.after)
    }
}

#[derive(Debug, Default, Serialize)]
pub(crate) struct Coverage {
    pub(crate) kinds: Vec<KindRow>,
    /// The practices whose state changed.
    pub(crate) practices: Vec<EntryRow>,
    /// The MDR and IVDR Annex I entries whose state changed.
    pub(crate) annex: Vec<EntryRow>,
}

impl Coverage {
    pub(crate) fn changed(&self) -> bool {
        self.kinds.iter().any(|k| k.before != Some(k.after))
            || !self.practices.is_empty()
            || !self.annex.is_empty()
    }
}

const ROWS: [(&str, &str); 5] = [
    (
        "requirements-implemented",
        "Requirements implemented by a control",
    ),
    ("controls-verified", "Controls verified by a test"),
    ("risks-mitigated", "Risks mitigated by a control"),
    ("tests-passing", "Tests passing"),
    ("practices-addressed", "MDCG 2019-16 practices addressed"),
];

fn kind_ratios(a: &Analysis) -> [Ratio; 5] {
    let g = a.graph();
    let covered = |k: Kind, r: Relation| {
        let live = g.live_of_kind(k);
        Ratio {
            covered: live
                .iter()
                .filter(|&&i| {
                    // The summary table's rule, so a diff reports the numbers the book shows.
                    let drafts = a.config.coverage.draft;
                    match r {
                        Relation::Verifies => coverage::verified(&g, drafts, i),
                        _ => g
                            .traced_by(Node::Item(i), r)
                            .into_iter()
                            .any(|j| coverage::counts(&g, drafts, j)),
                    }
                })
                .count(),
            total: live.len(),
        }
    };
    let tests = g.live_of_kind(Kind::Test);
    let practices = entries(a, EntryKind::Practice);
    [
        covered(Kind::Requirement, Relation::Implements),
        covered(Kind::Control, Relation::Verifies),
        covered(Kind::Risk, Relation::Mitigates),
        Ratio {
            covered: tests
                .iter()
                .filter(|&&t| g.items[t].result == Some(TestResult::Pass))
                .count(),
            total: tests.len(),
        },
        Ratio {
            covered: practices
                .values()
                .filter(|(_, s)| s.status == "addressed")
                .count(),
            total: practices.len(),
        },
    ]
}

/// The state of every catalog entry of `kind`, by ID.
fn entries(a: &Analysis, kind: EntryKind) -> BTreeMap<String, (String, EntryState)> {
    let g = a.graph();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    // A draft requirement addresses nothing yet, as in the coverage checks.
    for r in g.live_of_kind(Kind::Requirement) {
        if !coverage::counts(&g, a.config.coverage.draft, r) {
            continue;
        }
        let above = if kind == EntryKind::Practice {
            g.practices_above(r)
        } else {
            g.catalog_above(r)
        };
        for id in above {
            *count.entry(id).or_insert(0) += 1;
        }
    }
    a.catalog
        .of_kind(kind)
        .map(|e| {
            let requirements = count.get(e.id.as_str()).copied().unwrap_or(0);
            let status = if a.config.not_applicable.contains_key(&e.id) {
                "not-applicable"
            } else if requirements > 0 {
                "addressed"
            } else {
                "gap"
            };
            (
                e.id.clone(),
                (
                    e.title.clone(),
                    EntryState {
                        status,
                        requirements,
                    },
                ),
            )
        })
        .collect()
}

fn changed_entries(base: Option<&Analysis>, head: &Analysis, kinds: &[EntryKind]) -> Vec<EntryRow> {
    let mut out = Vec::new();
    for &kind in kinds {
        let mut before = base.map(|b| entries(b, kind)).unwrap_or_default();
        for (id, (title, after)) in entries(head, kind) {
            let row = EntryRow {
                before: before.remove(&id).map(|(_, s)| s),
                id,
                title,
                after,
            };
            if row.changed() {
                out.push(row);
            }
        }
    }
    out
}

/// Coverage of both versions; practices and Annex I entries only where they changed.
pub(crate) fn compare(base: Option<&Analysis>, head: &Analysis) -> Coverage {
    let before = base.map(kind_ratios);
    let after = kind_ratios(head);
    Coverage {
        kinds: ROWS
            .iter()
            .enumerate()
            .map(|(n, (key, label))| KindRow {
                key,
                label,
                before: before.map(|b| b[n]),
                after: after[n],
            })
            .collect(),
        practices: changed_entries(base, head, &[EntryKind::Practice]),
        annex: changed_entries(base, head, &[EntryKind::Mdr, EntryKind::Ivdr]),
    }
}
