//! What `mdbook-techfile review` writes (the sign-off of items under review), decided without touching the disk: the items to
//! review, their new `reviewed-against` (the fingerprints of today of every item they link
//! to), the rewritten item files and the text of the review record.

use crate::Analysis;
use crate::model::{FileId, Fingerprint, anchor};
use crate::review::record::{self, Meaning};
use crate::review::{Reviews, State};

/// Who reviews, and the facts of the review the edge found (time, commit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reviewer {
    /// The printed name.
    pub name: String,
    /// `Name <email>` from git, when git knows it.
    pub identity: Option<String>,
    /// The reviewer's role (`security lead`, `verification lead`), as given.
    pub role: String,
    /// What the signature means: reviewed or approved (21 CFR 11.50 asks for it).
    pub meaning: Meaning,
    /// A free-text comment recorded with the review.
    pub comment: Option<String>,
    /// RFC 3339 in UTC, `2026-11-29T10:15:00Z`.
    pub date: String,
    /// `HEAD`, when the book is in a git repository with a commit.
    pub commit: Option<String>,
    /// The working tree had changes that were not committed.
    pub modified: bool,
}

/// The files to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Each reviewed item's file and its new text.
    pub files: Vec<(FileId, String)>,
    /// (item, upstream, fingerprint), as the record lists them.
    pub covers: Vec<(String, String, Fingerprint)>,
    /// The record's text.
    pub record: String,
    /// The record's file name: `<date>-<first item>[-and-N-more].toml`.
    pub record_name: String,
    /// Things to tell the reviewer (upstream items that are themselves suspect).
    pub notes: Vec<String>,
}

/// The items to review: the IDs given, and with `all_suspect` every item with a suspect
/// link or a stamp of another profile version; sorted by ID, each once.
///
/// # Errors
/// An ID that names no item (with the closest one), or a catalog entry.
pub fn select(
    analysis: &Analysis,
    ids: &[String],
    all_suspect: bool,
) -> Result<Vec<usize>, String> {
    let graph = analysis.graph();
    let mut out = Vec::new();
    for id in ids {
        match graph.lookup(id) {
            Some(crate::graph::Node::Item(i)) => out.push(i),
            Some(crate::graph::Node::Catalog(_)) => {
                return Err(format!(
                    "`{id}` is a catalog entry: name the item that was reviewed (a control, a test, a requirement that derives from another)"
                ));
            }
            None => {
                use crate::checks::trace::Closest;
                let hint = match crate::checks::trace::suggest(&graph, id) {
                    Some(Closest::Known(s)) => format!(" (did you mean `{s}`?)"),
                    Some(Closest::Broken(s, broken)) => format!(
                        " (the closest, `{s}`, is in `{}`, which could not be read: fix the error `check` reports there first)",
                        broken.name
                    ),
                    None => String::new(),
                };
                return Err(format!("no item has the ID `{id}`{hint}"));
            }
        }
    }
    if all_suspect {
        out.extend(
            analysis
                .reviews
                .links
                .iter()
                .filter(|l| matches!(l.state, State::Suspect { .. } | State::OtherProfile(_)))
                .map(|l| l.item),
        );
    }
    out.sort_by(|a, b| analysis.items[*a].id.cmp(&analysis.items[*b].id));
    out.dedup();
    Ok(out)
}

/// The new stamps of each item, the rewritten files and the record.
///
/// # Errors
/// An item that links to no other item (nothing to review it against), or a file that
/// cannot be rewritten safely.
pub fn plan(analysis: &Analysis, targets: &[usize], who: &Reviewer) -> Result<Plan, String> {
    let reviews: &Reviews = &analysis.reviews;
    let items = &analysis.items;
    let mut files = Vec::new();
    let mut covers = Vec::new();
    let mut notes = Vec::new();
    for &i in targets {
        let item = &items[i];
        let stamps: Vec<(String, Fingerprint)> = reviews
            .of_item(i)
            .map(|l| {
                (
                    items[l.upstream].id.clone(),
                    reviews.fingerprints[l.upstream].clone(),
                )
            })
            .collect();
        if stamps.is_empty() {
            return Err(format!(
                "`{}` links to no other (live) item, so there is nothing to review it against",
                item.id
            ));
        }
        for l in reviews.of_item(i) {
            let above_suspect = reviews
                .of_item(l.upstream)
                .any(|u| matches!(u.state, State::Suspect { .. }));
            if above_suspect {
                notes.push(format!(
                    "`{}` is itself suspect: the link from `{}` stays suspect until `{}` is reviewed",
                    items[l.upstream].id, item.id, items[l.upstream].id
                ));
            }
        }
        let text = analysis.map.text(item.file());
        let new = crate::review::rewrite::rewrite_stamps(text, &stamps)
            .map_err(|e| format!("{}: {e}", analysis.map.name(item.file())))?;
        for (u, f) in &stamps {
            covers.push((item.id.clone(), u.clone(), f.clone()));
        }
        files.push((item.file(), new));
    }
    let record = record_text(who, &covers, reviews.profile_version);
    // The record is read back by the same reader as every record: the tool never writes
    // one it would reject (a role spanning lines, say).
    let mut map = crate::model::SourceMap::new();
    let f = map.add("record", record.clone());
    let (parsed, diags) = record::parse(f, &record, String::new());
    if parsed.is_none() || diags.iter().any(|d| d.is_error()) {
        return Err(format!(
            "the review record would not be valid: {}",
            diags.first().map_or("", |d| d.message.as_str())
        ));
    }
    let compact: String = who
        .date
        .chars()
        .filter(|c| *c != '-' && *c != ':')
        .collect();
    let first = targets
        .first()
        .map_or(String::new(), |&i| anchor(&items[i].id));
    let more = match targets.len() {
        0 | 1 => String::new(),
        n => format!("-and-{}-more", n - 1),
    };
    notes.sort();
    notes.dedup();
    Ok(Plan {
        files,
        covers,
        record,
        record_name: format!("{compact}-{first}{more}.toml"),
        notes,
    })
}

/// A TOML string literal.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The text of a review record.
pub(crate) fn record_text(
    who: &Reviewer,
    covers: &[(String, String, Fingerprint)],
    profile: u32,
) -> String {
    let mut out = String::from(
        "# Review record written by `mdbook-techfile review`. The stamps of the items it covers\n# point at it: keep it with them, and do not edit it.\n",
    );
    out.push_str(&format!("reviewer = {}\n", quoted(&who.name)));
    if let Some(i) = &who.identity {
        out.push_str(&format!("git-identity = {}\n", quoted(i)));
    }
    out.push_str(&format!("role = {}\n", quoted(&who.role)));
    out.push_str(&format!("meaning = \"{}\"\n", who.meaning.as_str()));
    out.push_str(&format!("date = {}\n", who.date));
    if let Some(c) = &who.comment {
        out.push_str(&format!("comment = {}\n", quoted(c)));
    }
    if let Some(c) = &who.commit {
        out.push_str(&format!("commit = {}\n", quoted(c)));
    }
    out.push_str(&format!("modified = {}\n", who.modified));
    out.push_str(&format!("fingerprint-profile = {profile}\n"));
    for (item, upstream, fp) in covers {
        out.push_str(&format!(
            "\n[[covers]]\nitem = \"{item}\"\nupstream = \"{upstream}\"\nfingerprint = \"{fp}\"\n"
        ));
    }
    out
}
