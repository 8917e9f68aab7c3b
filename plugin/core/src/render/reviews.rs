//! The review views: `{{#techfile reviews}}` (suspect links, reviews pending, the last
//! review of each item), the review line of an item page and the record table of the
//! document control page.

use super::site::Site;
use super::{STYLE, gap, html};
use crate::review::{LinkReview, Record, Reviews, State};
use std::fmt::Write;

/// "by Jane Doe (Security architect) on 2026-11-29, reviewed".
fn by(record: &Record) -> String {
    format!(
        "by {} ({}) on {}, {}",
        html(&record.reviewer),
        html(&record.role),
        html(record.day()),
        record.meaning.as_str()
    )
}

/// Why a suspect link is suspect, with links to the items named.
fn why(site: &Site<'_, '_>, page: &str, l: &LinkReview) -> String {
    let items = site.graph.items;
    match &l.state {
        State::Suspect { roots } if roots.is_empty() => format!(
            "{} changed since the review",
            site.link(page, &items[l.upstream].id)
        ),
        State::Suspect { roots } => {
            let causes: Vec<String> = roots
                .iter()
                .map(|&(d, u)| {
                    format!(
                        "{} changed since {} was reviewed against it",
                        site.link(page, &items[u].id),
                        site.link(page, &items[d].id)
                    )
                })
                .collect();
            format!(
                "{} is suspect: {}",
                site.link(page, &items[l.upstream].id),
                causes.join("; ")
            )
        }
        State::OtherProfile(v) => format!("stamped under fingerprint profile v{v}"),
        State::Current | State::Pending => String::new(),
    }
}

/// The content of `{{#techfile reviews}}`.
pub(crate) fn reviews(site: &Site<'_, '_>, page: &str) -> String {
    let r: &Reviews = site.reviews;
    let items = site.graph.items;
    let mut out = String::from(STYLE);
    let _ = writeln!(
        out,
        "\nEvery link from one item to another is reviewed against the upstream item's fingerprint (fingerprint profile v{}), which the downstream item records in <code>reviewed-against</code>. A link is suspect when the upstream item changed since, or when it is itself suspect.\n",
        r.profile_version
    );
    let row = |l: &LinkReview, third: String| {
        let last = l
            .record
            .map_or_else(|| "<em>no record</em>".to_string(), |n| by(&r.records[n]));
        format!(
            "<tr><td>{}</td><td>{}</td><td>{third}</td><td>{last}</td></tr>\n",
            site.link(page, &items[l.item].id),
            site.link(page, &items[l.upstream].id)
        )
    };
    out.push_str("\n## Suspect links\n\n");
    let suspect: Vec<&LinkReview> = r
        .links
        .iter()
        .filter(|l| matches!(l.state, State::Suspect { .. } | State::OtherProfile(_)))
        .collect();
    if suspect.is_empty() {
        out.push_str("<p>No link is suspect.</p>\n");
    } else {
        out.push_str("<table class=\"techfile-table techfile-suspects\">\n<thead><tr><th>Item</th><th>Reviewed against</th><th>Why it is suspect</th><th>Last reviewed</th></tr></thead>\n<tbody>\n");
        for l in suspect {
            out.push_str(&row(l, gap("suspect") + ": " + &why(site, page, l)));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("\n## Reviews pending\n\n");
    let pending: Vec<&LinkReview> = r
        .links
        .iter()
        .filter(|l| l.state == State::Pending)
        .collect();
    if pending.is_empty() {
        out.push_str("<p>Every link is reviewed.</p>\n");
    } else {
        if !r.tracked {
            out.push_str("<p>No review is recorded yet: every link below waits for its first review (<code>mdbook-techfile review ID</code>).</p>\n");
        }
        out.push_str("<table class=\"techfile-table techfile-pending\">\n<thead><tr><th>Item</th><th>Links to, not reviewed</th></tr></thead>\n<tbody>\n");
        let mut n = 0;
        while n < pending.len() {
            let item = pending[n].item;
            let mut ups = Vec::new();
            while n < pending.len() && pending[n].item == item {
                ups.push(site.link(page, &items[pending[n].upstream].id));
                n += 1;
            }
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td></tr>",
                site.link(page, &items[item].id),
                ups.join(", ")
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("\n## Last review of each item\n\n");
    let mut reviewed: Vec<usize> = r
        .links
        .iter()
        .filter(|l| l.record.is_some())
        .map(|l| l.item)
        .collect();
    reviewed.dedup();
    if reviewed.is_empty() {
        out.push_str("<p>No item has a recorded review.</p>\n");
    } else {
        out.push_str("<table class=\"techfile-table techfile-last-reviews\">\n<thead><tr><th>Item</th><th>Last review</th><th>Against</th><th>Record</th></tr></thead>\n<tbody>\n");
        for i in reviewed {
            let Some(last) = r.last_record(i) else {
                continue;
            };
            let against: Vec<String> = r
                .of_item(i)
                .filter(|l| l.record.is_some_and(|n| r.records[n].path == last.path))
                .map(|l| site.link(page, &items[l.upstream].id))
                .collect();
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                site.link(page, &items[i].id),
                by(last),
                against.join(", "),
                html(&last.path)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out
}

/// The "Review" cell of an item page: each upstream item with the review it had, or why it
/// is suspect or pending. `None` when the item links to no other item, or the book keeps
/// no reviews and the item has none.
pub(crate) fn item_review(site: &Site<'_, '_>, page: &str, item: usize) -> Option<String> {
    let r = site.reviews;
    let items = site.graph.items;
    // Nothing is shown then, so nothing is formatted (this runs for every item).
    if !r.tracked && items[item].reviewed_against.is_empty() {
        return None;
    }
    let lines: Vec<String> = r
        .of_item(item)
        .map(|l| {
            let up = site.link(page, &items[l.upstream].id);
            let stamp = l
                .stamp
                .map(|s| {
                    format!(
                        " (<code>{}</code>)",
                        html(&items[item].reviewed_against[s].fingerprint.short())
                    )
                })
                .unwrap_or_default();
            let record = l.record.map(|n| by(&r.records[n]));
            match &l.state {
                State::Pending => format!("against {up}: {}", gap("not reviewed yet")),
                State::Current => format!(
                    "against {up}{stamp} {}",
                    record.unwrap_or_else(|| gap("with no review record"))
                ),
                _ => format!(
                    "against {up}{stamp} {}: {}, {}",
                    record.unwrap_or_else(|| gap("with no review record")),
                    gap("suspect"),
                    why(site, page, l)
                ),
            }
        })
        .collect();
    (!lines.is_empty() && (r.tracked || !items[item].reviewed_against.is_empty()))
        .then(|| lines.join("<br>"))
}

/// The review records, for the document control page.
pub(crate) fn records_table(records: &[Record]) -> String {
    if records.is_empty() {
        return "<p class=\"techfile-na\">No review is recorded: <code>mdbook-techfile review ID</code> records one.</p>\n".into();
    }
    let mut out = String::from(
        "<table class=\"techfile-table techfile-records\">\n<thead><tr><th>Date (UTC)</th><th>Reviewer</th><th>Role</th><th>Meaning</th><th>Links covered</th><th>Record</th></tr></thead>\n<tbody>\n",
    );
    for rec in records {
        let mut items: Vec<&str> = rec.covers.iter().map(|c| c.item.as_str()).collect();
        items.dedup();
        let identity = rec
            .git_identity
            .as_ref()
            .map(|i| format!("<br><small>{}</small>", html(i)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}{identity}</td><td>{}</td><td>{}</td><td>{} ({})</td><td><code>{}</code></td></tr>",
            html(&rec.date),
            html(&rec.reviewer),
            html(&rec.role),
            rec.meaning.as_str(),
            rec.covers.len(),
            html(&items.join(", ")),
            html(&rec.path)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}
