//! RustSec `unmaintained` advisories as a source of the level of support: a crate whose
//! advisory says `informational = "unmaintained"` is "no longer maintained" (FDA's own
//! wording), whatever version the SBOM holds, since the advisory is about the crate.
//!
//! The advisory folders are read once, by [`crate::advisory`]; its reader turns each
//! affected package of a record into a notice with [`Notice::from_informational`].

use crate::sbom::purl::Purl;

/// An advisory that a package is no longer maintained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The advisory's ID (`RUSTSEC-2024-0388`).
    pub(crate) id: String,
    /// The OSV ecosystem (`crates.io`).
    pub(crate) ecosystem: String,
    pub(crate) package: String,
    /// The record's file, relative to the folder that holds the book.
    pub(crate) path: String,
}

impl Notice {
    /// A notice from one affected package of an advisory record: `Some` when its
    /// informational kind is `unmaintained` and the record is not withdrawn.
    pub(crate) fn from_informational(
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
    pub(crate) fn covers(&self, purl: &Purl) -> bool {
        let norm = |s: &str| s.to_ascii_lowercase().replace('_', "-");
        self.ecosystem == "crates.io"
            && purl.kind() == "cargo"
            && norm(purl.name()) == norm(&self.package)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_live_unmaintained_advisories_are_notices() {
        let n = Notice::from_informational(
            "RUSTSEC-2024-0001",
            "crates.io",
            "old_crate",
            Some("unmaintained"),
            false,
            "adv/x.json",
        )
        .unwrap();
        assert!(n.covers(&Purl::parse("pkg:cargo/old-crate@1.0.0").unwrap()));
        assert!(!n.covers(&Purl::parse("pkg:npm/old-crate@1.0.0").unwrap()));
        let notice = |kind, withdrawn| {
            Notice::from_informational("X", "crates.io", "a", kind, withdrawn, "x")
        };
        assert!(notice(Some("unsound"), false).is_none());
        assert!(notice(None, false).is_none());
        assert!(notice(Some("unmaintained"), true).is_none());
    }
}
