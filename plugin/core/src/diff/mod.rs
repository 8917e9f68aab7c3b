//! What a change does to a technical file: two analyses (a base and a head version, such
//! as the target branch of a pull request and the pull request) compared by stable keys,
//! never by line numbers: items by ID (a `replaces` key pairs a renamed item with its old
//! ID), trace links by (from, relation, to), SBOM components by identity, findings by
//! (code, subject, target) (see [`crate::report`]), reviewed links by (downstream, upstream)
//! and their review state (`suspects`).
//!
//! Pure: the edge reads both versions (from git objects or the disk) and analyses them with
//! the same day; [`compare`] returns a [`Diff`], [`gate`] decides whether it fails the
//! pull request, and [`markdown`] and the JSON serialisation present it.

pub(crate) mod coverage;
pub mod gate;
pub(crate) mod items;
pub mod markdown;
pub mod report;
pub(crate) mod sbom;
pub(crate) mod suspects;
pub(crate) mod words;

use crate::Analysis;
use crate::report::{Finding, findings as stable_findings};
use serde::Serialize;
use std::collections::BTreeMap;

/// The version of the JSON report (`schemas/diff.schema.json`). A change that removes or
/// renames a field raises it; added fields do not.
pub(crate) const JSON_VERSION: u32 = 1;

/// Everything that changed between two versions.
#[derive(Debug, Default, Serialize)]
pub struct Diff {
    pub(crate) items: items::ItemChanges,
    pub(crate) links: items::LinkChanges,
    pub(crate) coverage: coverage::Coverage,
    pub(crate) risks: Vec<items::RiskChange>,
    /// Findings new in the head, gone since the base, and kept, matched by their stable keys.
    pub findings: FindingChanges,
    pub(crate) sboms: Vec<sbom::SbomChange>,
    pub(crate) suspect_links: suspects::SuspectChanges,
}

/// Findings matched by their stable key.
#[derive(Debug, Default, Serialize)]
pub struct FindingChanges {
    /// In the head version only: what the change introduces.
    pub new: Vec<Finding>,
    /// In the base version only: what the change fixes.
    pub(crate) fixed: Vec<Finding>,
    /// In both (as the head version reports them).
    pub(crate) unchanged: Vec<Finding>,
}

impl Diff {
    /// Whether nothing the report lists changed (findings still present do not count).
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
            && self.links.added.is_empty()
            && self.links.removed.is_empty()
            && !self.coverage.changed()
            && self.risks.is_empty()
            && self.findings.new.is_empty()
            && self.findings.fixed.is_empty()
            && self.sboms.is_empty()
            && self.suspect_links.created.is_empty()
            && self.suspect_links.cleared.is_empty()
            && self.suspect_links.recorded.is_empty()
    }
}

/// Compares `base` (absent when the book did not exist there, or could not be read) with
/// `head`. Both analyses must have been made with the same day ([`Inputs::today`](crate::Inputs::today)) so
/// that only the files differ.
pub fn compare(base: Option<&Analysis>, head: &Analysis) -> Diff {
    // Findings (a digest each) and coverage do not depend on the items' comparison: they are
    // worked out beside it.
    let ((items, links, risks, suspect_links), (findings, (coverage, sboms))) = rayon::join(
        || {
            let old = base.map(items::by_id).unwrap_or_default();
            let new = items::by_id(head);
            let (items, renames) = items::compare(base, head, &old, &new);
            let links = items::links(&old, &new, &renames);
            let risks = items::risks(base, head, &old, &new, &renames);
            let suspect_links = suspects::compare(base, head, &old, &renames);
            (items, links, risks, suspect_links)
        },
        || {
            let (base_findings, head_findings) = rayon::join(
                || base.map(stable_findings).unwrap_or_default(),
                || stable_findings(head),
            );
            (
                match_findings(base_findings, head_findings),
                (coverage::compare(base, head), sbom::compare(base, head)),
            )
        },
    );
    Diff {
        items,
        links,
        coverage,
        risks,
        findings,
        sboms,
        suspect_links,
    }
}

/// Pairs findings by key. Several findings may share a key (the same unknown ID twice in
/// one item); they pair in order, and the surplus on one side is new or fixed.
fn match_findings(base: Vec<Finding>, head: Vec<Finding>) -> FindingChanges {
    let mut pool: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for f in &base {
        let (c, s, t) = f.key();
        *pool
            .entry((c.to_string(), s.to_string(), t.to_string()))
            .or_insert(0) += 1;
    }
    let mut out = FindingChanges::default();
    for f in head {
        let (c, s, t) = f.key();
        match pool.get_mut(&(c.to_string(), s.to_string(), t.to_string())) {
            Some(n) if *n > 0 => {
                *n -= 1;
                out.unchanged.push(f);
            }
            _ => out.new.push(f),
        }
    }
    // What is left in the pool was fixed; walk the base in order to keep its order.
    for f in base.into_iter().rev() {
        let (c, s, t) = f.key();
        if let Some(n) = pool.get_mut(&(c.to_string(), s.to_string(), t.to_string()))
            && *n > 0
        {
            *n -= 1;
            out.fixed.push(f);
        }
    }
    out.fixed.reverse();
    out
}

#[cfg(test)]
mod tests;
