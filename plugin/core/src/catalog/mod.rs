//! The built-in regulatory catalog: MDCG 2019-16 practices, IEC 62443-4-1 requirements,
//! IEC 81001-5-1 clauses and the cybersecurity-relevant MDR / IVDR Annex I entries.
//!
//! The entries live in `catalog.toml` beside this file so that reviewing a change to the
//! regulatory content means reading data, not code.

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

const DATA: &str = include_str!("catalog.toml");

/// The family a catalog entry belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// One of the eight secure-development practices of MDCG 2019-16 rev.1 section 3.1.
    Practice,
    /// A practice of IEC 62443-4-1 (secure product development life cycle).
    Iec62443,
    /// A clause of IEC 81001-5-1 (health software security activities).
    Iec81001,
    /// A general safety and performance requirement of MDR 2017/745 Annex I.
    Mdr,
    /// A general safety and performance requirement of IVDR 2017/746 Annex I.
    Ivdr,
}

impl EntryKind {
    /// The word written in `catalog.toml` and `trace.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Practice => "practice",
            EntryKind::Iec62443 => "iec62443",
            EntryKind::Iec81001 => "iec81001",
            EntryKind::Mdr => "mdr",
            EntryKind::Ivdr => "ivdr",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            EntryKind::Practice => "MDCG 2019-16 practice",
            EntryKind::Iec62443 => "IEC 62443-4-1 requirement",
            EntryKind::Iec81001 => "IEC 81001-5-1 clause",
            EntryKind::Mdr => "MDR Annex I requirement",
            EntryKind::Ivdr => "IVDR Annex I requirement",
        }
    }
}

/// One catalog entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Entry {
    /// The ID items name in `derives-from` (`MDCG-SM`, `IEC81001-5.1.1`, `MDR-1`).
    pub id: String,
    /// The document family the entry belongs to.
    pub kind: EntryKind,
    /// The clause or practice title, as shown in the book.
    pub title: String,
    /// Where the entry comes from: document, revision and section (`MDCG 2019-16 rev.1 section
    /// 3.1`).
    pub source: String,
    #[serde(default)]
    /// IDs this entry maps to (practice or requirement to clause, MDR to IVDR); the reverse
    /// direction is computed.
    pub maps_to: Vec<String>,
    #[serde(default)]
    /// The entry has not yet been checked against the primary text (its number or wording may
    /// change).
    pub unverified: bool,
    #[serde(default)]
    /// A remark shown with the entry (an informative annex, an unverified section number).
    pub note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    entry: Vec<Entry>,
}

impl Entry {
    /// Whether `word` occurs in the entry's ID, kind, title, source or note, ignoring case.
    pub fn mentions(&self, word: &str) -> bool {
        let word = word.to_lowercase();
        [
            self.id.as_str(),
            self.kind.as_str(),
            self.kind.label(),
            &self.title,
            &self.source,
            self.note.as_deref().unwrap_or(""),
        ]
        .iter()
        .any(|f| f.to_lowercase().contains(&word))
    }
}

/// The whole catalog with its mappings indexed both ways.
#[derive(Debug)]
pub struct Catalog {
    entries: Vec<Entry>,
    index: BTreeMap<String, usize>,
    mapped_from: BTreeMap<String, Vec<String>>,
    practices_of: BTreeMap<String, BTreeSet<String>>,
}

impl Catalog {
    /// The built-in catalog, parsed once. Its validity is guarded by the tests below, so
    /// failing here would be a build defect, not a user error.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(DATA).unwrap_or_else(|e| panic!("built-in catalog is invalid: {e}"))
        })
    }

    /// Parses catalog data; every mapping target must exist.
    pub(crate) fn parse(data: &str) -> Result<Catalog, String> {
        let file: File = toml::from_str(data).map_err(|e| e.to_string())?;
        let mut index = BTreeMap::new();
        for (i, e) in file.entry.iter().enumerate() {
            if index.insert(e.id.clone(), i).is_some() {
                return Err(format!("duplicate catalog id {}", e.id));
            }
        }
        let mut mapped_from: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in &file.entry {
            for t in &e.maps_to {
                if !index.contains_key(t) {
                    return Err(format!("{} maps to unknown id {t}", e.id));
                }
                mapped_from.entry(t.clone()).or_default().push(e.id.clone());
            }
        }
        let mut practices_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for e in &file.entry {
            match e.kind {
                EntryKind::Practice => {
                    practices_of
                        .entry(e.id.clone())
                        .or_default()
                        .insert(e.id.clone());
                }
                EntryKind::Iec62443 => {
                    let practices: Vec<&String> = e
                        .maps_to
                        .iter()
                        .filter(|t| file.entry[index[*t]].kind == EntryKind::Practice)
                        .collect();
                    // A 62443 requirement belongs to its practice, and so do the 81001
                    // clauses it maps to: tracing to the clause addresses the practice.
                    for t in std::iter::once(&e.id).chain(e.maps_to.iter()) {
                        let set = practices_of.entry(t.clone()).or_default();
                        set.extend(practices.iter().map(|p| (*p).clone()));
                    }
                }
                _ => {}
            }
        }
        practices_of.retain(|_, v| !v.is_empty());
        Ok(Catalog {
            entries: file.entry,
            index,
            mapped_from,
            practices_of,
        })
    }

    /// Every entry, in the order of `catalog.toml`.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry with this ID; `None` when the catalog has none (IDs are case-sensitive).
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.index.get(id).map(|&i| &self.entries[i])
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// The entries of one family, in the order of `catalog.toml`.
    pub fn of_kind(&self, kind: EntryKind) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.kind == kind)
    }

    /// Entries that map to `id` (the reverse of `maps-to`).
    pub(crate) fn mapped_from(&self, id: &str) -> &[String] {
        self.mapped_from.get(id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The MDCG practices an entry belongs to (a practice belongs to itself).
    pub(crate) fn practices_of(&self, id: &str) -> impl Iterator<Item = &str> {
        self.practices_of
            .get(id)
            .into_iter()
            .flat_map(|s| s.iter().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::validate_id;

    #[test]
    fn builtin_catalog_is_valid_and_complete() {
        let c = Catalog::builtin();
        let count = |k| c.of_kind(k).count();
        assert_eq!(count(EntryKind::Practice), 8);
        assert_eq!(count(EntryKind::Iec62443), 47);
        assert_eq!(count(EntryKind::Mdr), 15);
        assert_eq!(count(EntryKind::Ivdr), 14);
        assert_eq!(count(EntryKind::Iec81001), 57);
        for e in c.entries() {
            assert!(validate_id(&e.id).is_ok(), "{}", e.id);
            assert!(!e.title.trim().is_empty(), "{}", e.id);
        }
        for id in [
            "MDCG-SM",
            "MDCG-SR",
            "MDCG-SD",
            "MDCG-SI",
            "MDCG-SVV",
            "MDCG-DM",
            "MDCG-SUM",
            "MDCG-SG",
            "IEC62443-SVV-3",
            "IEC81001-5.7.4",
            "MDR-17.2",
            "MDR-14.2d",
            "MDR-23.4ab",
            "IVDR-16.4",
        ] {
            assert!(c.contains(id), "{id} missing");
        }
    }

    #[test]
    fn every_62443_requirement_belongs_to_exactly_one_practice() {
        let c = Catalog::builtin();
        for e in c.of_kind(EntryKind::Iec62443) {
            let p: Vec<_> = c.practices_of(&e.id).collect();
            assert_eq!(p.len(), 1, "{}: {p:?}", e.id);
        }
        assert_eq!(
            c.practices_of("IEC81001-5.7.3").collect::<Vec<_>>(),
            ["MDCG-SVV"]
        );
        assert!(
            c.mapped_from("MDCG-SVV")
                .contains(&"IEC62443-SVV-3".to_string())
        );
    }

    #[test]
    fn unverified_flags_are_kept() {
        let c = Catalog::builtin();
        assert!(c.get("IVDR-13.1").unwrap().unverified);
        assert!(!c.get("MDR-17.2").unwrap().unverified);
    }

    #[test]
    fn parse_rejects_dangling_mappings_and_duplicates() {
        let dangling = "[[entry]]\nid='A'\nkind='mdr'\ntitle='t'\nsource='s'\nmaps-to=['B']\n";
        assert!(
            Catalog::parse(dangling)
                .unwrap_err()
                .contains("unknown id B")
        );
        let dup = "[[entry]]\nid='A'\nkind='mdr'\ntitle='t'\nsource='s'\n[[entry]]\nid='A'\nkind='mdr'\ntitle='t'\nsource='s'\n";
        assert!(Catalog::parse(dup).unwrap_err().contains("duplicate"));
    }
}
