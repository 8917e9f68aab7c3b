//! RustSec `unmaintained` advisories as a source of the level of support: a crate whose
//! advisory says `informational = "unmaintained"` is "no longer maintained" (FDA's own
//! wording), whatever version the SBOM holds, since the advisory is about the crate.
//!
//! [`Notice::from_informational`] is the interface for an advisory reader: it takes what
//! one affected package of an OSV record says. [`notices`] is a small reader of OSV JSON
//! (`affected[].ecosystem_specific.informational`, or `database_specific.informational`
//! of the record) for books whose advisory folders are not read elsewhere.

use crate::sbom::purl::Purl;
use serde_json::Value;

/// An advisory that a package is no longer maintained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The advisory's ID (`RUSTSEC-2024-0388`).
    pub id: String,
    /// The OSV ecosystem (`crates.io`).
    pub ecosystem: String,
    pub package: String,
    /// The record's file, relative to the folder that holds the book.
    pub path: String,
}

impl Notice {
    /// A notice from one affected package of an advisory record: `Some` when its
    /// informational kind is `unmaintained` and the record is not withdrawn.
    pub fn from_informational(
        id: &str,
        ecosystem: &str,
        package: &str,
        informational: Option<&str>,
        withdrawn: bool,
        path: &str,
    ) -> Option<Notice> {
        (informational == Some("unmaintained") && !withdrawn).then(|| Notice {
            id: id.to_owned(),
            ecosystem: ecosystem.to_owned(),
            package: package.to_owned(),
            path: path.to_owned(),
        })
    }

    /// Whether the notice is about the package of `purl`. RustSec covers crates.io only;
    /// crate names compare without case and with `-` and `_` alike, as crates.io does.
    pub fn covers(&self, purl: &Purl) -> bool {
        let norm = |s: &str| s.to_ascii_lowercase().replace('_', "-");
        self.ecosystem == "crates.io"
            && purl.kind() == "cargo"
            && norm(purl.name()) == norm(&self.package)
    }
}

/// The unmaintained notices of one OSV record.
///
/// # Errors
/// When the record has no string `id` (it is then not an OSV record).
pub fn notices(record: &Value, path: &str) -> Result<Vec<Notice>, &'static str> {
    let id = record
        .get("id")
        .and_then(Value::as_str)
        .ok_or("an OSV record has a string `id`")?;
    let withdrawn = record.get("withdrawn").is_some_and(|w| !w.is_null());
    let record_kind = record
        .get("database_specific")
        .and_then(|d| d.get("informational"))
        .and_then(Value::as_str);
    Ok(record
        .get("affected")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| {
            let package = a.get("package")?;
            let kind = a
                .get("ecosystem_specific")
                .and_then(|e| e.get("informational"))
                .and_then(Value::as_str)
                .or(record_kind);
            Notice::from_informational(
                id,
                package.get("ecosystem")?.as_str()?,
                package.get("name")?.as_str()?,
                kind,
                withdrawn,
                path,
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmaintained_records_become_notices() {
        let record = serde_json::json!({
            "id": "RUSTSEC-2024-0001",
            "affected": [
                {"package": {"ecosystem": "crates.io", "name": "old_crate"},
                 "ecosystem_specific": {"informational": "unmaintained"}},
                {"package": {"ecosystem": "crates.io", "name": "unsound"},
                 "ecosystem_specific": {"informational": "unsound"}}
            ]
        });
        let n = notices(&record, "adv/x.json").unwrap();
        assert_eq!(n.len(), 1);
        assert!(n[0].covers(&Purl::parse("pkg:cargo/old-crate@1.0.0").unwrap()));
        assert!(!n[0].covers(&Purl::parse("pkg:npm/old-crate@1.0.0").unwrap()));
        let mut withdrawn = record.clone();
        withdrawn["withdrawn"] = "2025-01-01T00:00:00Z".into();
        assert!(notices(&withdrawn, "x").unwrap().is_empty());
        let by_record = serde_json::json!({
            "id": "RUSTSEC-2024-0002",
            "database_specific": {"informational": "unmaintained"},
            "affected": [{"package": {"ecosystem": "crates.io", "name": "a"}}]
        });
        assert_eq!(notices(&by_record, "x").unwrap().len(), 1);
        assert!(notices(&serde_json::json!({"affected": []}), "x").is_err());
    }
}
