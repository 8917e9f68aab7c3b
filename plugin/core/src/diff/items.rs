//! Items, their fields and bodies, trace links and risk estimates, compared by ID.

use super::words::{self, BodyDiff};
use crate::Analysis;
use crate::load::frontmatter::{self, FrontMatter};
use crate::model::{Item, Kind};
use crate::risk;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// An item as the report names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ItemRef {
    pub(crate) id: String,
    pub(crate) kind: &'static str,
    pub(crate) title: String,
    /// The item file, as the analysis names it.
    pub(crate) file: String,
    /// Line of the item's `id`.
    pub(crate) line: usize,
}

/// One front-matter key whose value changed (`None`: the key is absent on that side).
/// Values are written as TOML values (`"approved"`, `["REQ-1", "REQ-2"]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct FieldChange {
    pub(crate) key: String,
    pub(crate) before: Option<String>,
    pub(crate) after: Option<String>,
}

/// An item in both versions whose front-matter or body changed.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ItemChange {
    pub(crate) item: ItemRef,
    pub(crate) fields: Vec<FieldChange>,
    /// The body's words that changed; `None` when only whitespace or nothing changed.
    pub(crate) body: Option<BodyDiff>,
}

/// An item whose ID changed: the head item names the old ID in `replaces`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Renamed {
    pub(crate) from: String,
    pub(crate) item: ItemRef,
    pub(crate) fields: Vec<FieldChange>,
    pub(crate) body: Option<BodyDiff>,
}

#[derive(Debug, Default, Serialize)]
pub(crate) struct ItemChanges {
    pub(crate) added: Vec<ItemRef>,
    pub(crate) removed: Vec<ItemRef>,
    pub(crate) renamed: Vec<Renamed>,
    pub(crate) changed: Vec<ItemChange>,
}

impl ItemChanges {
    pub(crate) fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.renamed.is_empty()
            && self.changed.is_empty()
    }
}

/// A trace link: `from` declares `relation` (its front-matter key) naming `to`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) struct Link {
    pub(crate) from: String,
    pub(crate) relation: &'static str,
    pub(crate) to: String,
}

#[derive(Debug, Default, Serialize)]
pub(crate) struct LinkChanges {
    pub(crate) added: Vec<Link>,
    pub(crate) removed: Vec<Link>,
}

/// Where an estimate falls: the cell's words and its acceptance level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Placed {
    pub(crate) cell: String,
    pub(crate) level: &'static str,
}

/// One estimate before and after the change (`None`: no complete estimate on that side).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Moved {
    pub(crate) before: Option<Placed>,
    pub(crate) after: Option<Placed>,
}

/// A risk whose initial or residual estimate moved to another cell or level.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct RiskChange {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) initial: Moved,
    pub(crate) residual: Moved,
}

/// Old ID → new ID, for renamed items.
pub(crate) type Renames = BTreeMap<String, String>;

/// The canonical items of one version by ID.
pub(crate) type Ids<'a> = BTreeMap<&'a str, &'a Item>;

/// The canonical items of an analysis by ID (duplicates are the `duplicate-id` finding's
/// business; the first one counts here as everywhere). Made once per version: every
/// comparison of items reads it.
pub(crate) fn by_id(a: &Analysis) -> Ids<'_> {
    let g = a.graph();
    a.items
        .iter()
        .enumerate()
        .filter(|(i, _)| g.is_canonical(*i))
        .map(|(_, it)| (it.id.as_str(), it))
        .collect()
}

fn item_ref(a: &Analysis, it: &Item) -> ItemRef {
    let file = a.map.get(it.file());
    ItemRef {
        id: it.id.clone(),
        kind: it.kind.as_str(),
        title: it.title.clone(),
        file: file.name.clone(),
        line: file.line_col(it.id_span.start as usize).0,
    }
}

/// The front-matter of an item as key → TOML value text, without `id` and `replaces`
/// (identity, reported as the rename itself) and `reviewed-against` (review stamps: the
/// links they review are reported as suspect links cleared, with the review record).
fn fields(a: &Analysis, it: &Item) -> BTreeMap<String, String> {
    let text = &a.map.get(it.file()).text;
    let FrontMatter::Present(split) = frontmatter::split(text) else {
        return BTreeMap::new();
    };
    // The loader read this TOML already; a table it accepted parses here too.
    let table: toml::Table = toml::from_str(&text[split.toml]).unwrap_or_default();
    table
        .into_iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "id" | "replaces" | crate::load::REVIEWED_AGAINST
            )
        })
        .map(|(k, v)| (k, v.to_string()))
        .collect()
}

fn field_changes(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<FieldChange> {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| FieldChange {
            key: k.clone(),
            before: before.get(k).cloned(),
            after: after.get(k).cloned(),
        })
        .collect()
}

/// Items added, removed, renamed and changed, each list sorted by ID; and the renames.
pub(crate) fn compare(
    base: Option<&Analysis>,
    head: &Analysis,
    old: &Ids<'_>,
    new: &Ids<'_>,
) -> (ItemChanges, Renames) {
    let mut out = ItemChanges::default();
    let mut renames = Renames::new();
    for (&id, &it) in new {
        if let Some(&was) = old.get(id) {
            let (fields, body) = changes(base, was, head, it);
            if !fields.is_empty() || body.is_some() {
                out.changed.push(ItemChange {
                    item: item_ref(head, it),
                    fields,
                    body,
                });
            }
            continue;
        }
        // A rename counts when the old ID existed and is gone now; otherwise the new item
        // is simply added (and a stale `replaces` is harmless).
        let replaced = it
            .replaces
            .as_ref()
            .map(|r| r.value.as_str())
            .filter(|r| !new.contains_key(r) && !renames.contains_key(*r))
            .and_then(|r| old.get(r).map(|&was| (r, was)));
        match replaced {
            Some((from, was)) => {
                let (fields, body) = changes(base, was, head, it);
                renames.insert(from.to_string(), id.to_string());
                out.renamed.push(Renamed {
                    from: from.to_string(),
                    item: item_ref(head, it),
                    fields,
                    body,
                });
            }
            None => out.added.push(item_ref(head, it)),
        }
    }
    if let Some(base) = base {
        for (&id, &it) in old {
            if !new.contains_key(id) && !renames.contains_key(id) {
                out.removed.push(item_ref(base, it));
            }
        }
    }
    (out, renames)
}

fn changes(
    base: Option<&Analysis>,
    was: &Item,
    head: &Analysis,
    it: &Item,
) -> (Vec<FieldChange>, Option<BodyDiff>) {
    // Most items of a change are untouched: the same file text needs no parsing.
    if base.is_some_and(|b| b.map.text(was.file()) == head.map.text(it.file())) {
        return (Vec::new(), None);
    }
    let before = base.map(|b| fields(b, was)).unwrap_or_default();
    let fields = field_changes(&before, &fields(head, it));
    (fields, words::diff(&was.body, &it.body))
}

fn link_set(items: &Ids<'_>, renames: &Renames) -> BTreeSet<Link> {
    let name = |id: &str| renames.get(id).cloned().unwrap_or_else(|| id.to_string());
    items
        .values()
        .flat_map(|it| {
            it.links.iter().map(|l| Link {
                from: name(&it.id),
                relation: l.relation.key(),
                to: name(&l.target),
            })
        })
        .collect()
}

/// Trace links added and removed. The base's links are read with renamed IDs replaced by
/// their new ones, so a rename alone changes no link.
pub(crate) fn links(old: &Ids<'_>, new: &Ids<'_>, renames: &Renames) -> LinkChanges {
    let old = link_set(old, renames);
    let new = link_set(new, &Renames::new());
    LinkChanges {
        added: new.difference(&old).cloned().collect(),
        removed: old.difference(&new).cloned().collect(),
    }
}

fn placed(a: &Analysis, estimate: &crate::model::Estimate) -> Option<Placed> {
    let cell = risk::rate(&a.config.risk, estimate).cell()?;
    Some(Placed {
        cell: risk::cell_words(&a.config.risk, cell),
        level: risk::level(&a.config.risk, cell).as_str(),
    })
}

fn estimates(a: &Analysis, it: &Item) -> (Option<Placed>, Option<Placed>) {
    match &it.risk {
        Some(r) => (placed(a, &r.initial), placed(a, &r.residual)),
        None => (None, None),
    }
}

/// Risks whose initial or residual cell or acceptance level moved, new risks with an
/// estimate and removed ones, sorted by (head) ID.
pub(crate) fn risks(
    base: Option<&Analysis>,
    head: &Analysis,
    old: &Ids<'_>,
    new: &Ids<'_>,
    renames: &Renames,
) -> Vec<RiskChange> {
    let back: BTreeMap<&str, &str> = renames
        .iter()
        .map(|(o, n)| (n.as_str(), o.as_str()))
        .collect();
    let mut out = Vec::new();
    for (&id, &it) in new.iter().filter(|(_, it)| it.kind == Kind::Risk) {
        let old_id = back.get(id).copied().unwrap_or(id);
        let (b0, b1) = match (base, old.get(old_id)) {
            (Some(b), Some(was)) => estimates(b, was),
            _ => (None, None),
        };
        let (a0, a1) = estimates(head, it);
        if (b0.clone(), b1.clone()) != (a0.clone(), a1.clone()) {
            out.push(RiskChange {
                id: id.to_string(),
                title: it.title.clone(),
                initial: Moved {
                    before: b0,
                    after: a0,
                },
                residual: Moved {
                    before: b1,
                    after: a1,
                },
            });
        }
    }
    if let Some(b) = base {
        for (&id, &was) in old.iter().filter(|(_, it)| it.kind == Kind::Risk) {
            if new.contains_key(id) || renames.contains_key(id) {
                continue;
            }
            let (b0, b1) = estimates(b, was);
            if b0.is_some() || b1.is_some() {
                out.push(RiskChange {
                    id: id.to_string(),
                    title: was.title.clone(),
                    initial: Moved {
                        before: b0,
                        after: None,
                    },
                    residual: Moved {
                        before: b1,
                        after: None,
                    },
                });
            }
        }
        out.sort_by(|x, y| x.id.cmp(&y.id));
    }
    out
}
