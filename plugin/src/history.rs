//! What git history says about reviews: what changed in an upstream item since the version
//! a stamp names (`check --explain-suspect`), and who last changed an item's normative
//! content (`independent-review`). Edge code: it runs git; the comparisons are the core's.
//!
//! A file's history is walked newest first, following renames, for at most
//! [`HISTORY_LIMIT`] commits; every version is parsed by the same loader and fingerprinted
//! under the profile in force.

use crate::git::{self, Version};
use std::collections::BTreeMap;
use std::path::Path;
use techfile_core::Analysis;
use techfile_core::fingerprint::{self, Profile};
use techfile_core::load::parse_item;
use techfile_core::model::{FileId, Fingerprint, Item};
use techfile_core::review::explain::{self, FieldChange};
use techfile_core::review::{Author, State, independence};

/// How many commits of a file's history are read at most.
pub const HISTORY_LIMIT: usize = 200;

/// The history of the file an item was read from (its display name is a path relative to
/// the current folder), run in that file's folder.
fn file_history(analysis: &Analysis, item: &Item) -> Result<(Vec<Version>, bool), String> {
    let path = Path::new(analysis.map.name(item.file()));
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().map(Path::new).unwrap_or(path);
    git::history(dir, name, HISTORY_LIMIT)
}

/// The item a version of a file holds, if it parses.
fn parse(text: &str) -> Option<Item> {
    parse_item(FileId(0), text).0
}

fn fingerprint_of(text: Option<&str>, profile: &Profile) -> Option<Fingerprint> {
    text.and_then(parse).map(|i| fingerprint::of(&i, profile))
}

/// The explanation of one suspect link.
#[derive(Debug)]
pub struct Explanation {
    pub item: String,
    pub upstream: String,
    /// The upstream item's file, as findings name it.
    pub file: String,
    pub stamp: String,
    /// For a link suspect through links above it: those root links, (item, upstream).
    pub roots: Vec<(String, String)>,
    /// The version the stamp names, when the walk found it.
    pub reviewed: Option<Version>,
    /// The profile fields that changed since that version.
    pub changes: Vec<FieldChange>,
    /// Commits read.
    pub searched: usize,
    /// The walk stopped at [`HISTORY_LIMIT`] with older commits left.
    pub bound_hit: bool,
    /// Why the history could not be read.
    pub problem: Option<String>,
}

/// Explains every suspect link: for a root (the upstream item changed), the version of the
/// upstream file whose fingerprint equals the stamp and the fields changed since; for a
/// link suspect through others, its roots.
pub fn explain(analysis: &Analysis) -> Vec<Explanation> {
    let profile = analysis.config.fingerprint.profile();
    let items = &analysis.items;
    let mut histories: BTreeMap<usize, Result<(Vec<Version>, bool), String>> = BTreeMap::new();
    let mut out = Vec::new();
    for l in &analysis.reviews.links {
        let State::Suspect { roots } = &l.state else {
            continue;
        };
        let (d, u) = (&items[l.item], &items[l.upstream]);
        let stamp = l.stamp.map(|s| &d.reviewed_against[s].fingerprint);
        let mut e = Explanation {
            item: d.id.clone(),
            upstream: u.id.clone(),
            file: analysis.map.name(u.file()).to_string(),
            stamp: stamp.map(|s| s.to_string()).unwrap_or_default(),
            roots: roots
                .iter()
                .map(|&(a, b)| (items[a].id.clone(), items[b].id.clone()))
                .collect(),
            reviewed: None,
            changes: Vec::new(),
            searched: 0,
            bound_hit: false,
            problem: None,
        };
        if roots.is_empty()
            && let Some(stamp) = stamp
        {
            match histories
                .entry(l.upstream)
                .or_insert_with(|| file_history(analysis, u))
            {
                Err(problem) => e.problem = Some(problem.clone()),
                Ok((versions, more)) => {
                    e.searched = versions.len();
                    e.bound_hit = *more;
                    let found = versions.iter().find_map(|v| {
                        let old = parse(v.text.as_deref()?)?;
                        (fingerprint::of(&old, &profile) == *stamp).then(|| (v.clone(), old))
                    });
                    if let Some((v, old)) = found {
                        e.changes = explain::changes(&old, u, &profile);
                        e.reviewed = Some(v);
                    }
                }
            }
        }
        out.push(e);
    }
    out
}

/// The explanations as text for people.
pub fn explain_text(explanations: &[Explanation]) -> String {
    let mut out = String::new();
    let n = explanations.len();
    out.push_str(&format!(
        "techfile: what changed since the review of {n} suspect link{}\n",
        if n == 1 { "" } else { "s" }
    ));
    for e in explanations {
        out.push_str(&format!("\n{} -> {}\n", e.item, e.upstream));
        if !e.roots.is_empty() {
            let roots: Vec<String> = e.roots.iter().map(|(a, b)| format!("{a} -> {b}")).collect();
            out.push_str(&format!(
                "  suspect because {} is: see {}\n",
                e.upstream,
                roots.join(", ")
            ));
            continue;
        }
        if let Some(p) = &e.problem {
            out.push_str(&format!(
                "  the history of {} cannot be read: {p}\n",
                e.file
            ));
            continue;
        }
        let Some(v) = &e.reviewed else {
            let scope = if e.bound_hit {
                format!("the last {HISTORY_LIMIT} commits that changed it (the walk stops there)")
            } else {
                format!("its whole history ({} commits)", e.searched)
            };
            out.push_str(&format!(
                "  reviewed against {}, but no version of {} in {scope} has that fingerprint: the stamp comes from another branch, a rewritten history or a changed profile\n",
                e.stamp, e.file
            ));
            continue;
        };
        let date = jiff::Timestamp::from_second(v.time)
            .map(|t| t.strftime("%Y-%m-%d").to_string())
            .unwrap_or_default();
        out.push_str(&format!(
            "  reviewed as {} at commit {} ({date}, {} <{}>); changed since:\n",
            e.file,
            &v.commit[..v.commit.len().min(12)],
            v.author_name,
            v.author_email
        ));
        if e.changes.is_empty() {
            out.push_str(
                "  (no field differs: the profile in force differs from the one of the review)\n",
            );
        }
        for c in &e.changes {
            let diff = c.word_diff();
            if !diff.contains('\n') {
                out.push_str(&format!("  {}: {diff}\n", c.field));
                continue;
            }
            // A long text: only its changed lines, the others elided.
            out.push_str(&format!("  {}:\n", c.field));
            let mut elided = false;
            for line in diff.lines() {
                if line.contains("[-") || line.contains("{+") {
                    out.push_str(&format!("    {line}\n"));
                    elided = false;
                } else if !elided {
                    out.push_str("    ...\n");
                    elided = true;
                }
            }
        }
    }
    out
}

/// The explanations as JSON Lines: `{"suspect": {...}}` per link.
pub fn explain_json(explanations: &[Explanation]) -> String {
    let mut out = String::new();
    for e in explanations {
        let v = serde_json::json!({ "suspect": {
            "item": e.item,
            "upstream": e.upstream,
            "file": e.file,
            "stamp": e.stamp,
            "roots": e.roots.iter().map(|(a, b)| [a, b]).collect::<Vec<_>>(),
            "reviewed-commit": e.reviewed.as_ref().map(|v| &v.commit),
            "searched": e.searched,
            "bound-hit": e.bound_hit,
            "problem": e.problem,
            "changes": e.changes.iter().map(|c| serde_json::json!({
                "field": c.field, "old": c.old, "new": c.new, "word-diff": c.word_diff(),
            })).collect::<Vec<_>>(),
        }});
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}

/// Who last changed the normative content (the fingerprint) of an item: uncommitted changes
/// are the current git user's; else the author of the newest commit after which the
/// fingerprint stayed as it is now.
fn content_author(analysis: &Analysis, item: &Item, me: Option<&str>) -> Option<Author> {
    let profile = analysis.config.fingerprint.profile();
    let now = fingerprint::of(item, &profile);
    let (versions, _) = file_history(analysis, item).ok()?;
    let fps: Vec<Option<Fingerprint>> = versions
        .iter()
        .map(|v| fingerprint_of(v.text.as_deref(), &profile))
        .collect();
    if fps.first().is_none_or(|f| f.as_ref() != Some(&now)) {
        let me = me?;
        let name = me.rsplit_once(" <").map_or(me, |(n, _)| n);
        return Some(Author {
            name: name.to_string(),
            email: techfile_core::review::record::email_of(me)?,
            commit: None,
        });
    }
    let k = fps
        .iter()
        .position(|f| f.as_ref() != Some(&now))
        .map_or(versions.len() - 1, |k| k - 1);
    let v = &versions[k];
    Some(Author {
        name: v.author_name.clone(),
        email: v.author_email.to_ascii_lowercase(),
        commit: Some(v.commit.clone()),
    })
}

/// With `independent-review = true`, adds a finding for every recorded review whose
/// reviewer last changed the reviewed item or the upstream item. Only the items of recorded
/// stamps are looked up in git.
pub fn check_independence(analysis: &mut Analysis, book_root: &Path) {
    if !analysis.config.review.independent_review {
        return;
    }
    let me = git::identity(book_root);
    let mut wanted: Vec<usize> = analysis
        .reviews
        .links
        .iter()
        .filter(|l| l.record.is_some())
        .flat_map(|l| [l.item, l.upstream])
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let authors: BTreeMap<String, Author> = wanted
        .into_iter()
        .filter_map(|i| {
            let item = &analysis.items[i];
            content_author(analysis, item, me.as_deref()).map(|a| (item.path.clone(), a))
        })
        .collect();
    let diags = independence(&analysis.graph(), &analysis.reviews, &authors);
    analysis.add_findings(diags);
}
