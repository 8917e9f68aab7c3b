//! Reviews of trace links: every link from one item to another (a control implementing a
//! requirement, a test verifying a control, ...) is reviewed against the upstream item's
//! fingerprint, which the downstream item records in `reviewed-against`. This module
//! compares those stamps with the fingerprints of today and with the review records:
//!
//! - `suspect-link`: the upstream item changed since the review (its fingerprint differs
//!   from the stamp), or it is itself downstream of such a change: suspicion flows down the
//!   chain (requirement → control → test, risk → control), transitively, and every suspect
//!   link is reported once, naming the root change(s);
//! - `review-pending`: a link without a stamp, once the book keeps reviews (any item carries
//!   a stamp or the review folder holds a record): a new link is never trusted silently;
//! - `review-unrecorded`: a stamp no review record covers;
//! - `fingerprint-profile-changed`: stamps made under another profile version, reported
//!   once for the whole book;
//! - `review-not-independent` ([`independence`]): a reviewer who last changed the item or
//!   the upstream item, when `independent-review = true`.
//!
//! Findings are keyed by (downstream item, upstream item): the pair is in the message and
//! in [`LinkReview`], so two analyses can be compared link by link.

pub mod explain;
pub mod record;
pub mod rewrite;

use crate::diag::{Code, Diagnostic};
use crate::fingerprint::{self, Profile};
use crate::graph::{Node, TraceGraph};
use crate::model::{Fingerprint, Span, Status};
pub use record::Meaning;
pub(crate) use record::Record;
use std::collections::{BTreeMap, BTreeSet};

/// The state of one reviewed (or not yet reviewed) link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// The stamp matches the upstream item's fingerprint, and nothing above is suspect.
    Current,
    /// No stamp for this link.
    Pending,
    /// The upstream item changed since the review (`roots` is empty: this link is a root),
    /// or a link above it is suspect (`roots` names the root links, as (downstream,
    /// upstream) item indices).
    Suspect {
        /// The root links, as (downstream, upstream) indices into the analysis's items.
        roots: Vec<(usize, usize)>,
    },
    /// The stamp was made under another fingerprint profile version.
    OtherProfile(u32),
}

/// One link from a live item to another item, with its review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkReview {
    /// The downstream item (the one that declares the link), by index.
    pub item: usize,
    /// The upstream item, by index.
    pub upstream: usize,
    /// The stamp, by index into the downstream item's `reviewed_against`.
    pub stamp: Option<usize>,
    /// The link's review state.
    pub state: State,
    /// The newest record that covers the stamp, by index into `Reviews::records`.
    pub record: Option<usize>,
}

/// Everything known about the reviews of one version of a technical file.
#[derive(Clone, Debug, Default)]
pub struct Reviews {
    /// The fingerprint profile version in force.
    pub(crate) profile_version: u32,
    /// Every item's own fingerprint under the profile in force, by item index.
    pub(crate) fingerprints: Vec<Fingerprint>,
    /// The review records, oldest first.
    pub(crate) records: Vec<Record>,
    /// Every link from a live item to another live item, sorted by (downstream ID,
    /// upstream ID).
    pub links: Vec<LinkReview>,
    /// Whether the book keeps reviews: some item carries a stamp, or a record exists.
    pub(crate) tracked: bool,
}

impl Reviews {
    /// The links of one downstream item.
    pub(crate) fn of_item(&self, item: usize) -> impl Iterator<Item = &LinkReview> {
        self.links.iter().filter(move |l| l.item == item)
    }

    /// The newest record that covers a stamp of `item`.
    pub(crate) fn last_record(&self, item: usize) -> Option<&Record> {
        self.of_item(item)
            .filter_map(|l| l.record)
            .max_by_key(|&r| (self.records[r].timestamp, r))
            .map(|r| &self.records[r])
    }
}

/// Compares every stamp with today's fingerprints and with the records.
pub(crate) fn check(
    graph: &TraceGraph<'_>,
    profile: &Profile,
    records: Vec<Record>,
    config_span: Option<Span>,
) -> (Reviews, Vec<Diagnostic>) {
    let items = graph.items;
    // Each item is hashed on its own, so the work is spread over the cores; `collect`
    // keeps item order.
    let fingerprints: Vec<Fingerprint> = {
        use rayon::prelude::*;
        let fields = profile.sorted_fields();
        items
            .par_iter()
            .map(|i| fingerprint::of_with(i, profile.version, fields.of(i.kind)))
            .collect()
    };
    let mut diags = Vec::new();
    let live = |i: usize| items[i].status != Status::Obsolete && graph.is_canonical(i);
    let covered: BTreeMap<(&str, &str, &Fingerprint), usize> = records
        .iter()
        .enumerate()
        .flat_map(|(r, rec)| {
            rec.covers
                .iter()
                .map(move |c| ((c.item.as_str(), c.upstream.as_str(), &c.fingerprint), r))
        })
        .collect();
    let tracked = !records.is_empty() || items.iter().any(|i| !i.reviewed_against.is_empty());

    let mut links = Vec::new();
    let mut other_profile: Vec<Span> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if !graph.is_canonical(i) {
            continue;
        }
        for s in &item.reviewed_against {
            if matches!(graph.lookup(&s.upstream), Some(Node::Catalog(_))) {
                diags.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("`{}` is a catalog entry, which is not reviewed against", s.upstream),
                    )
                    .at(s.key_span, "a catalog entry")
                    .help("the built-in catalog changes only with the tool; stamps name items (requirements, risks, controls); remove this one"),
                );
            }
        }
        if !live(i) {
            continue;
        }
        let mut seen = BTreeSet::new();
        for l in &item.links {
            let Some(Node::Item(j)) = graph.lookup(&l.target) else {
                continue;
            };
            if j == i || !live(j) || !seen.insert(j) {
                continue;
            }
            let stamp = item
                .reviewed_against
                .iter()
                .position(|s| s.upstream == l.target);
            let (state, record) = match stamp.map(|s| &item.reviewed_against[s]) {
                None => {
                    if tracked {
                        diags.push(
                            Diagnostic::new(
                                Code::ReviewPending,
                                format!("the link from `{}` to `{}` has not been reviewed", item.id, l.target),
                            )
                            .at(l.span, "no stamp in `reviewed-against` for this link")
                            .help(format!("review {} against {}, then record it with `mdbook-techfile review {}`", item.id, l.target, item.id)),
                        );
                    }
                    (State::Pending, None)
                }
                Some(s) => {
                    let record = covered
                        .get(&(item.id.as_str(), l.target.as_str(), &s.fingerprint))
                        .copied();
                    if record.is_none() {
                        diags.push(
                            Diagnostic::new(
                                Code::ReviewUnrecorded,
                                format!("no review record covers the stamp of `{}` for `{}`", item.id, l.target),
                            )
                            .at(s.span, "no record in the review folder names this fingerprint")
                            .help(format!("stamps are written by `mdbook-techfile review`, together with the record that says who reviewed, when and why; restore the record from git, or review again with `mdbook-techfile review {}`", item.id)),
                        );
                    }
                    let state = if s.fingerprint.version != profile.version {
                        other_profile.push(s.span);
                        State::OtherProfile(s.fingerprint.version)
                    } else if s.fingerprint != fingerprints[j] {
                        State::Suspect { roots: Vec::new() }
                    } else {
                        State::Current
                    };
                    (state, record)
                }
            };
            links.push(LinkReview {
                item: i,
                upstream: j,
                stamp,
                state,
                record,
            });
        }
    }
    links.sort_by(|a, b| {
        (&items[a.item].id, &items[a.upstream].id).cmp(&(&items[b.item].id, &items[b.upstream].id))
    });
    propagate(&mut links);
    for l in &links {
        if let State::Suspect { roots } = &l.state {
            diags.push(suspect_finding(graph, l, roots));
        }
    }
    if let Some(first) = other_profile.first() {
        let n = other_profile.len();
        let versions: BTreeSet<u32> = links
            .iter()
            .filter_map(|l| match l.state {
                State::OtherProfile(v) => Some(v),
                _ => None,
            })
            .collect();
        let versions: Vec<String> = versions.iter().map(|v| format!("v{v}")).collect();
        diags.push(
            Diagnostic::new(
                Code::FingerprintProfileChanged,
                format!(
                    "{n} review stamp{} {} made under fingerprint profile {}, but the book now uses v{}",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "was" } else { "were" },
                    versions.join(", "),
                    profile.version
                ),
            )
            .at(config_span.unwrap_or(*first), "the fingerprint profile in force")
            .help("every fingerprint changed because the profile changed, not because the items did: review the items again (`mdbook-techfile review --all-suspect` restamps every link concerned)"),
        );
    }
    let reviews = Reviews {
        profile_version: profile.version,
        fingerprints,
        records,
        links,
        tracked,
    };
    (reviews, diags)
}

/// Marks every link whose upstream item has a suspect link of its own as suspect, down the
/// chain, collecting the root links each one comes from.
fn propagate(links: &mut [LinkReview]) {
    let mut below: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (n, l) in links.iter().enumerate() {
        below.entry(l.upstream).or_default().push(n);
    }
    // (item in question, root) pairs still to pass down.
    let mut work: Vec<(usize, (usize, usize))> = links
        .iter()
        .filter(|l| matches!(&l.state, State::Suspect { roots } if roots.is_empty()))
        .map(|l| (l.item, (l.item, l.upstream)))
        .collect();
    let mut passed: BTreeSet<(usize, (usize, usize))> = BTreeSet::new();
    while let Some((item, root)) = work.pop() {
        if !passed.insert((item, root)) {
            continue;
        }
        for &n in below.get(&item).map(Vec::as_slice).unwrap_or_default() {
            let l = &mut links[n];
            match &mut l.state {
                State::Current => l.state = State::Suspect { roots: vec![root] },
                State::Suspect { roots } if !roots.is_empty() => {
                    if roots.contains(&root) {
                        continue;
                    }
                    roots.push(root);
                    roots.sort_unstable();
                }
                // A root passes its own roots down already; pending and other-profile links
                // are reported as such.
                _ => continue,
            }
            work.push((l.item, root));
        }
    }
}

fn suspect_finding(graph: &TraceGraph<'_>, l: &LinkReview, roots: &[(usize, usize)]) -> Diagnostic {
    let items = graph.items;
    let (d, u) = (&items[l.item], &items[l.upstream]);
    let stamp = &d.reviewed_against[l.stamp.unwrap_or_default()];
    if roots.is_empty() {
        return Diagnostic::new(
            Code::SuspectLink,
            format!("`{}` changed since `{}` was reviewed against it", u.id, d.id),
        )
        .at(stamp.span, "reviewed against this fingerprint")
        .with_label(u.id_span, "this item's fingerprint is now another")
        .help(format!(
            "check {} against the current {} (`mdbook-techfile check --explain-suspect` shows what changed), then record the review with `mdbook-techfile review {}`",
            d.id, u.id, d.id
        ));
    }
    let causes: Vec<String> = roots
        .iter()
        .take(3)
        .map(|&(rd, ru)| {
            format!(
                "`{}` changed since `{}` was reviewed against it",
                items[ru].id, items[rd].id
            )
        })
        .collect();
    let more = roots.len().saturating_sub(3);
    let more = if more > 0 {
        format!(" (and {more} more)")
    } else {
        String::new()
    };
    let first = &items[roots[0].0].id;
    Diagnostic::new(
        Code::SuspectLink,
        format!(
            "`{}` is suspect, so the review of `{}` against it is too: {}{more}",
            u.id,
            d.id,
            causes.join("; ")
        ),
    )
    .at(stamp.span, "reviewed against this fingerprint")
    .help(format!(
        "review {first} first; if {} stays as it is, this link is clear again, and if {} changes, review {} against it with `mdbook-techfile review {}`",
        u.id, u.id, d.id, d.id
    ))
}

/// Who last changed an item file's normative content, as the edge found it in git.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    /// The author's name as git records it.
    pub name: String,
    /// Lower-cased.
    pub email: String,
    /// The commit of the change, or `None` for changes not committed yet (not part of the
    /// finding's text, so that it stays the same when history is rewritten).
    pub commit: Option<String>,
}

/// `review-not-independent`: a recorded review whose reviewer last changed the reviewed item
/// or the upstream item it was reviewed against. `authors` is keyed by item path (as in
/// [`crate::model::Item::path`]); items without an author are not judged.
pub fn independence(
    graph: &TraceGraph<'_>,
    reviews: &Reviews,
    authors: &BTreeMap<String, Author>,
) -> Vec<Diagnostic> {
    let items = graph.items;
    let mut out = Vec::new();
    for l in &reviews.links {
        let (Some(newest), Some(s)) = (l.record, l.stamp) else {
            continue;
        };
        let (d, u) = (&items[l.item], &items[l.upstream]);
        let stamp = &d.reviewed_against[s];
        // Every record of this very stamp: one independent reviewer is enough.
        let covering: Vec<&Record> = reviews
            .records
            .iter()
            .filter(|r| {
                r.covers.iter().any(|c| {
                    c.item == d.id && c.upstream == u.id && c.fingerprint == stamp.fingerprint
                })
            })
            .collect();
        // The author of the reviewed item, or else of the upstream item, a record's reviewer is.
        let authored = |record: &Record| {
            let same = |a: &Author| match record.email() {
                Some(e) => e == a.email,
                None => record.reviewer.eq_ignore_ascii_case(&a.name),
            };
            [("the reviewed item", d), ("the upstream item", u)]
                .into_iter()
                .find(|(_, item)| authors.get(&item.path).is_some_and(same))
        };
        if covering.iter().any(|r| authored(r).is_none()) {
            continue;
        }
        let record = &reviews.records[newest];
        let Some((who, item)) = authored(record) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                Code::ReviewNotIndependent,
                format!(
                    "{} reviewed `{}` against `{}`, but is the last author of {who} `{}`",
                    record.reviewer, d.id, u.id, item.id
                ),
            )
            .at(stamp.span, "this review")
            .with_label(record.span, "recorded here")
            .help(format!(
                "`independent-review = true` asks for a reviewer other than the author: ask a colleague to run `mdbook-techfile review {}`",
                d.id
            )),
        );
    }
    out
}

#[cfg(test)]
mod tests;
