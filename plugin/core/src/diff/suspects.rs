//! Suspect and not yet reviewed links, compared by their review state ([`crate::review`]),
//! not by the text of findings: a link is keyed by (downstream ID, upstream ID), the base's
//! IDs read through the renames, so a finding's wording (which names the root changes of a
//! link suspect through others) can change without the link counting as new.
//!
//! A link is *unreviewed* in a version when that version reports it: suspect (the upstream
//! item changed since the review, or a link above is suspect) unless `suspect-link` is
//! allowed, or pending (no stamp) when the book keeps reviews and `review-pending` is not
//! allowed. The change *creates* the links unreviewed in the head and not in the base, and
//! *clears* the ones unreviewed in the base and not in the head.
//!
//! For a link the change made suspect, the base version is usually the one that was
//! reviewed: when the upstream item's fingerprint there equals the stamp, the fields that
//! changed since are listed ([`crate::review::explain`]), as `check --explain-suspect` does
//! after walking the history.

use super::items::{Ids, Renames};
use crate::Analysis;
use crate::diag::{Code, Level};
use crate::fingerprint;
use crate::model::Item;
use crate::review::{LinkReview, State, explain};
use serde::Serialize;
use std::collections::BTreeMap;

/// The finding codes of the links counted here.
pub(crate) const CODES: &[&str] = &["suspect-link", "review-pending"];

/// A profile field of the upstream item that changed since the review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Changed {
    pub(crate) field: String,
    /// The normalised values (lists joined with `, `; `(none)` when absent).
    pub(crate) before: String,
    pub(crate) after: String,
    /// Removed words as `[-...-]`, added ones as `{+...+}` (`git diff --word-diff=plain`).
    pub(crate) word_diff: String,
}

/// One unreviewed link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct SuspectLink {
    /// The downstream item, which declares the link and holds the stamp.
    pub(crate) item: String,
    pub(crate) upstream: String,
    /// `suspect` or `pending`.
    pub(crate) state: &'static str,
    /// For a link suspect through links above it: those root links, (downstream, upstream).
    pub(crate) roots: Vec<[String; 2]>,
    /// For a root suspect link of the head: what changed in the upstream item since the
    /// review, when the base version of the upstream item is the one reviewed; `None` when
    /// the reviewed version is older (`check --explain-suspect` walks the history to it).
    pub(crate) changes: Option<Vec<Changed>>,
    /// Where the stamp (or, for a pending link, the link) is written.
    pub(crate) file: String,
    pub(crate) line: usize,
}

/// A link the change cleared, as the base reported it, and what it is now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Cleared {
    #[serde(flatten)]
    pub(crate) link: SuspectLink,
    /// `current` (reviewed again, or its upstream item is as reviewed again), `removed` (the
    /// link or an item is gone), `other-profile` (stamped under another fingerprint
    /// profile, reported once as `fingerprint-profile-changed`), or `pending` / `suspect`
    /// when the head no longer reports such links (it keeps no reviews, or the code is
    /// allowed).
    pub(crate) now: &'static str,
}

/// A review record the change adds (written by `mdbook-techfile review`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Recorded {
    /// The record's path, relative to the folder that holds the book.
    pub(crate) path: String,
    pub(crate) reviewer: String,
    pub(crate) role: String,
    /// `reviewed` or `approved`.
    pub(crate) meaning: &'static str,
    /// RFC 3339, UTC.
    pub(crate) date: String,
    /// How many links (stamps) it covers.
    pub(crate) links: usize,
}

/// Suspect links the change creates and clears, and the reviews it records.
#[derive(Debug, Default, Serialize)]
pub(crate) struct SuspectChanges {
    /// The finding codes of these links.
    pub(crate) codes: Vec<&'static str>,
    pub(crate) created: Vec<SuspectLink>,
    pub(crate) cleared: Vec<Cleared>,
    /// Unreviewed in both versions.
    pub(crate) still: usize,
    /// Review records in the head that the base does not have, by path.
    pub(crate) recorded: Vec<Recorded>,
}

/// The state word of a link when the version reports it as unreviewed.
fn unreviewed(a: &Analysis, l: &LinkReview) -> Option<&'static str> {
    match l.state {
        State::Suspect { .. } if a.config.level(Code::SuspectLink) != Level::Allow => {
            Some("suspect")
        }
        State::Pending
            if a.reviews.tracked && a.config.level(Code::ReviewPending) != Level::Allow =>
        {
            Some("pending")
        }
        _ => None,
    }
}

fn state_word(s: &State) -> &'static str {
    match s {
        State::Current => "current",
        State::Pending => "pending",
        State::Suspect { .. } => "suspect",
        State::OtherProfile(_) => "other-profile",
    }
}

fn place(a: &Analysis, item: &Item, l: &LinkReview, upstream: &str) -> (String, usize) {
    let span = match l.stamp {
        Some(s) => item.reviewed_against[s].span,
        None => item
            .links
            .iter()
            .find(|x| x.target == upstream)
            .map_or(item.id_span, |x| x.span),
    };
    let file = a.map.get(span.file);
    (file.name.clone(), file.line_col(span.start as usize).0)
}

/// Every link of a version by (downstream ID, upstream ID), IDs renamed by `rename`.
fn links<'a>(
    a: &'a Analysis,
    rename: &dyn Fn(&str) -> String,
) -> BTreeMap<(String, String), &'a LinkReview> {
    a.reviews
        .links
        .iter()
        .map(|l| {
            let key = (rename(&a.items[l.item].id), rename(&a.items[l.upstream].id));
            (key, l)
        })
        .collect()
}

fn describe(a: &Analysis, l: &LinkReview, state: &'static str) -> SuspectLink {
    let (item, upstream) = (&a.items[l.item], &a.items[l.upstream]);
    let roots = match &l.state {
        State::Suspect { roots } => roots
            .iter()
            .map(|&(d, u)| [a.items[d].id.clone(), a.items[u].id.clone()])
            .collect(),
        _ => Vec::new(),
    };
    let (file, line) = place(a, item, l, &upstream.id);
    SuspectLink {
        item: item.id.clone(),
        upstream: upstream.id.clone(),
        state,
        roots,
        changes: None,
        file,
        line,
    }
}

/// What changed in the upstream item of a head link since its review, when the base holds
/// the reviewed version (the stamp is the base item's fingerprint under the head's profile).
fn since_review(
    head: &Analysis,
    l: &LinkReview,
    base_upstream: Option<&Item>,
) -> Option<Vec<Changed>> {
    let stamp = &head.items[l.item].reviewed_against[l.stamp?].fingerprint;
    let was = base_upstream?;
    let profile = head.config.fingerprint.profile();
    if fingerprint::of(was, &profile) != *stamp {
        return None;
    }
    Some(
        explain::changes(was, &head.items[l.upstream], &profile)
            .into_iter()
            .map(|c| Changed {
                word_diff: c.word_diff(),
                field: c.field,
                before: c.old,
                after: c.new,
            })
            .collect(),
    )
}

/// Compares the unreviewed links of both versions; `old` holds the base's items by ID.
pub(crate) fn compare(
    base: Option<&Analysis>,
    head: &Analysis,
    old_items: &Ids<'_>,
    renames: &Renames,
) -> SuspectChanges {
    let renamed = |id: &str| renames.get(id).cloned().unwrap_or_else(|| id.to_string());
    let same = |id: &str| id.to_string();
    let old = base.map(|b| links(b, &renamed)).unwrap_or_default();
    let new = links(head, &same);
    // The base's items by their head ID, for the reviewed version of an upstream item.
    let base_items: BTreeMap<String, &Item> = old_items
        .iter()
        .map(|(id, it)| (renamed(id), *it))
        .collect();
    let mut out = SuspectChanges {
        codes: CODES.to_vec(),
        ..SuspectChanges::default()
    };
    for (key, l) in &new {
        let Some(state) = unreviewed(head, l) else {
            continue;
        };
        let before = base.zip(old.get(key)).and_then(|(b, w)| unreviewed(b, w));
        if before.is_some() {
            out.still += 1;
            continue;
        }
        let mut link = describe(head, l, state);
        if matches!(&l.state, State::Suspect { roots } if roots.is_empty()) {
            link.changes = since_review(head, l, base_items.get(&key.1).copied());
        }
        out.created.push(link);
    }
    let old_records: std::collections::BTreeSet<&str> = base
        .map(|b| b.reviews.records.iter().map(|r| r.path.as_str()).collect())
        .unwrap_or_default();
    out.recorded = head
        .reviews
        .records
        .iter()
        .filter(|r| !old_records.contains(r.path.as_str()))
        .map(|r| Recorded {
            path: r.path.clone(),
            reviewer: r.reviewer.clone(),
            role: r.role.clone(),
            meaning: r.meaning.as_str(),
            date: r.date.clone(),
            links: r.covers.len(),
        })
        .collect();
    if let Some(b) = base {
        for (key, l) in &old {
            let Some(state) = unreviewed(b, l) else {
                continue;
            };
            let now = match new.get(key) {
                None => "removed",
                Some(n) if unreviewed(head, n).is_some() => continue,
                Some(n) => state_word(&n.state),
            };
            out.cleared.push(Cleared {
                link: describe(b, l, state),
                now,
            });
        }
    }
    out
}
