//! `[preprocessor.techfile.fingerprint]` (which fields of each kind a fingerprint covers) and
//! `[preprocessor.techfile.review]` (where review records are kept, and whether reviews must
//! be independent of the author).

use crate::fingerprint::{BODY, EXCLUDED, Profile, default_profile};
use crate::model::Kind;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The fingerprint profiles: a version and, per kind, the fields that count.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct FingerprintConfig {
    /// The profile version, written into every fingerprint (`sha256:v1:...`). Version 1 is
    /// the built-in profile set; a changed set needs a new version.
    pub version: u32,
    /// Field lists by kind name (`requirement = ["title", "body", "derives-from"]`); kinds
    /// not listed keep their built-in list.
    pub profiles: BTreeMap<String, Vec<String>>,
}

impl Default for FingerprintConfig {
    fn default() -> FingerprintConfig {
        FingerprintConfig {
            version: 1,
            profiles: BTreeMap::new(),
        }
    }
}

const TABLE: &str = "[preprocessor.techfile.fingerprint]";

impl FingerprintConfig {
    /// The profiles in force.
    pub fn profile(&self) -> Profile {
        let mut p = Profile {
            version: self.version,
            ..Profile::default()
        };
        for (kind, fields) in &self.profiles {
            if let Some(k) = Kind::parse(kind) {
                p.fields.insert(k, fields.clone());
            }
        }
        p
    }

    /// Kinds and fields must exist; status, owner, review dates and stamps cannot count;
    /// a changed profile needs a version above 1.
    ///
    /// # Errors
    /// The first problem, as a sentence that names the table and the key.
    pub fn validate(&self) -> Result<(), String> {
        if self.version == 0 {
            return Err(format!("{TABLE} version: profile versions start at 1"));
        }
        for (kind_name, fields) in &self.profiles {
            let Some(kind) = Kind::parse(kind_name) else {
                return Err(format!(
                    "{TABLE} profiles: unknown kind `{kind_name}`; use {}",
                    Kind::ALL
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            if fields.is_empty() {
                return Err(format!(
                    "{TABLE} profiles.{kind_name}: list at least one field"
                ));
            }
            for f in fields {
                if EXCLUDED.contains(&f.as_str()) {
                    return Err(format!(
                        "{TABLE} profiles.{kind_name}: `{f}` cannot be fingerprinted: identity, status, owner, review dates and stamps say nothing about what an item requires, and changing them must not make links suspect"
                    ));
                }
                if f != BODY && !crate::load::is_key_of(f, kind) {
                    return Err(format!(
                        "{TABLE} profiles.{kind_name}: `{f}` is not a front-matter key of a {kind} (or `body`)"
                    ));
                }
            }
        }
        let changed = self.profiles.iter().any(|(k, fields)| {
            let mut a = fields.clone();
            a.sort();
            a.dedup();
            let mut b = Kind::parse(k).map(default_profile).unwrap_or_default();
            b.sort();
            a != b
        });
        if changed && self.version == 1 {
            return Err(format!(
                "{TABLE}: the profiles differ from the built-in ones, so set `version = 2` (or higher): fingerprints name their profile version, and stamps made under another version are then reported once as such instead of as suspect links"
            ));
        }
        Ok(())
    }
}

/// Where review records are kept, and what a review must satisfy.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct ReviewConfig {
    /// The folder of review records, relative to the book root. `None` stands for
    /// [`DEFAULT_REVIEWS`], which may be absent; a folder the user names must exist.
    pub folder: Option<String>,
    /// A review by the last author of the reviewed item, or of the upstream item it is
    /// reviewed against, is a finding (`review-not-independent`).
    pub independent_review: bool,
}

/// Where review records are kept when `folder` is not set, relative to the book root.
pub const DEFAULT_REVIEWS: &str = "../reviews";

impl ReviewConfig {
    /// The folder and whether it must exist.
    pub fn folder(&self) -> (&str, bool) {
        match &self.folder {
            Some(f) => (f, true),
            None => (DEFAULT_REVIEWS, false),
        }
    }

    /// # Errors
    /// When `folder` is empty.
    pub fn validate(&self) -> Result<(), String> {
        if self.folder.as_ref().is_some_and(|f| f.trim().is_empty()) {
            return Err(
                "[preprocessor.techfile.review] folder: name a folder relative to the book root"
                    .into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::model::Kind;

    #[test]
    fn profiles_are_validated() {
        let c = Config::from_toml("").unwrap();
        assert_eq!(c.fingerprint.profile().version, 1);
        let e = Config::from_toml("[fingerprint.profiles]\nrequirement = [\"title\"]").unwrap_err();
        assert!(e.contains("set `version = 2`"), "{e}");
        let c = Config::from_toml("[fingerprint]\nversion = 2\n[fingerprint.profiles]\nrequirement = [\"title\"]\nrisk = [\"asset\", \"body\"]").unwrap();
        let p = c.fingerprint.profile();
        assert_eq!(p.fields_of(Kind::Requirement), ["title"]);
        assert_eq!(p.fields_of(Kind::Risk), ["asset", "body"]);
        assert_eq!(p.fields_of(Kind::Control).len(), 5);
        // Restating the built-in list in another order is no change.
        assert!(
            Config::from_toml("[fingerprint.profiles]\ntest = [\"verifies\", \"body\", \"title\"]")
                .is_ok()
        );
        for (toml, needle) in [
            (
                "[fingerprint.profiles]\nwidget = [\"title\"]",
                "unknown kind `widget`",
            ),
            (
                "[fingerprint]\nversion = 2\n[fingerprint.profiles]\ncontrol = [\"status\"]",
                "cannot be fingerprinted",
            ),
            (
                "[fingerprint]\nversion = 2\n[fingerprint.profiles]\ncontrol = [\"asset\"]",
                "not a front-matter key of a control",
            ),
            (
                "[fingerprint]\nversion = 2\n[fingerprint.profiles]\ncontrol = []",
                "at least one field",
            ),
            ("[fingerprint]\nversion = 0", "start at 1"),
            ("[fingerprint]\nfields = 1", "fields"),
            ("[review]\nfolder = \" \"", "folder"),
            ("[review]\nindependent = true", "independent"),
        ] {
            let e = Config::from_toml(toml).unwrap_err();
            assert!(e.contains(needle), "{toml}: {e}");
        }
    }

    #[test]
    fn the_review_folder_defaults_to_an_optional_one() {
        let c = Config::default();
        assert_eq!(c.review.folder(), ("../reviews", false));
        let c = Config::from_toml("[review]\nfolder = \"../records\"\nindependent-review = true")
            .unwrap();
        assert_eq!(c.review.folder(), ("../records", true));
        assert!(c.review.independent_review);
    }
}
