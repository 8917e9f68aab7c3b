//! `[preprocessor.techfile.fingerprint]` (which fields of each kind a fingerprint covers) and
//! `[preprocessor.techfile.review]` (where review records are kept, and whether reviews must
//! be independent of the author).

use super::reader::{Reader, key_path};
use super::tree::Table;
use crate::fingerprint::{BODY, EXCLUDED, Profile, default_profile};
use crate::model::{Kind, Span};
use std::collections::BTreeMap;

/// The fingerprint profiles: a version and, per kind, the fields that count.
#[derive(Clone, Debug, PartialEq)]
pub struct FingerprintConfig {
    /// The profile version, written into every fingerprint (`sha256:v1:...`). Version 1 is
    /// the built-in profile set; a changed set needs a new version.
    pub(crate) version: u32,
    /// Field lists by kind name (`requirement = ["title", "body", "derives-from"]`); kinds
    /// not listed keep their built-in list.
    pub(crate) profiles: BTreeMap<String, Vec<String>>,
}

impl Default for FingerprintConfig {
    fn default() -> FingerprintConfig {
        FingerprintConfig {
            version: 1,
            profiles: BTreeMap::new(),
        }
    }
}

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
}

/// Reads `[preprocessor.techfile.fingerprint]`: kinds and fields must exist; status,
/// owner, review dates and stamps cannot count; a changed profile needs a version above 1.
/// `at` is where the table is opened.
pub(super) fn read_fingerprint(r: &mut Reader, t: &Table, at: Span) -> FingerprintConfig {
    let mut c = FingerprintConfig::default();
    let mut version_span = None;
    let mut profiles_span = None;
    for e in &t.entries {
        let path = key_path("fingerprint", &e.key);
        match e.key.as_str() {
            "version" => {
                version_span = Some(e.value.span);
                if let Some(v) = r.count(&e.value, &path, "version = 2", 1) {
                    c.version = u32::try_from(v).unwrap_or(u32::MAX);
                }
            }
            "profiles" => {
                profiles_span = Some(e.key_span);
                if let Some(p) = r.table(
                    &e.value,
                    &path,
                    "[preprocessor.techfile.fingerprint.profiles]",
                ) {
                    c.profiles = profiles(r, p);
                }
            }
            _ => r.unknown_key(e, "fingerprint", &["version", "profiles"]),
        }
    }
    let changed = c.profiles.iter().any(|(k, fields)| {
        let mut a = fields.clone();
        a.sort();
        a.dedup();
        let mut b = Kind::parse(k).map(default_profile).unwrap_or_default();
        b.sort();
        a != b
    });
    if changed && c.version == 1 {
        r.invalid(
            version_span.or(profiles_span).unwrap_or(at),
            "the fingerprint profiles differ from the built-in ones, but the profile version is 1",
            "set `version = 2` (or higher) in [preprocessor.techfile.fingerprint]: fingerprints name their profile version, and stamps made under another version are then reported once as such instead of as suspect links",
        );
    }
    c
}

/// `profiles.<kind> = ["field", ...]`.
fn profiles(r: &mut Reader, t: &Table) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    for e in &t.entries {
        let Some(kind) = Kind::parse(&e.key) else {
            r.unknown_key(e, "fingerprint.profiles", &kinds);
            continue;
        };
        let path = key_path("fingerprint.profiles", &e.key);
        let Some(fields) = r.strings(
            &e.value,
            &path,
            &format!("{} = [\"title\", \"body\"]", e.key),
        ) else {
            continue;
        };
        if fields.is_empty() {
            r.invalid(
                e.value.span,
                format!("`{path}` lists no field"),
                "list at least one field, such as `[\"title\", \"body\"]`",
            );
            continue;
        }
        let mut ok = true;
        for (f, span) in &fields {
            if EXCLUDED.contains(&f.as_str()) {
                r.invalid(
                    *span,
                    format!("`{f}` cannot be fingerprinted"),
                    "identity, status, owner, review dates and stamps say nothing about what an item requires, and changing them must not make links suspect: remove it",
                );
                ok = false;
            } else if f != BODY && !crate::load::is_key_of(f, kind) {
                r.invalid(
                    *span,
                    format!("`{f}` is not a front-matter key of a {kind} (or `body`)"),
                    format!("use `body` or a key a {kind} may have"),
                );
                ok = false;
            }
        }
        if ok {
            out.insert(e.key.clone(), fields.into_iter().map(|(f, _)| f).collect());
        }
    }
    out
}

/// Where review records are kept, and what a review must satisfy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReviewConfig {
    /// The folder of review records, relative to the book root. `None` stands for
    /// [`DEFAULT_REVIEWS`], which may be absent; a folder the user names must exist.
    pub(crate) folder: Option<String>,
    /// A review by the last author of the reviewed item, or of the upstream item it is
    /// reviewed against, is a finding (`review-not-independent`).
    pub independent_review: bool,
}

/// Where review records are kept when `folder` is not set, relative to the book root.
pub(crate) const DEFAULT_REVIEWS: &str = "../reviews";

impl ReviewConfig {
    /// The folder and whether it must exist.
    pub fn folder(&self) -> (&str, bool) {
        match &self.folder {
            Some(f) => (f, true),
            None => (DEFAULT_REVIEWS, false),
        }
    }
}

/// Reads `[preprocessor.techfile.review]`.
pub(super) fn read_review(r: &mut Reader, t: &Table) -> ReviewConfig {
    let mut c = ReviewConfig::default();
    for e in &t.entries {
        let path = key_path("review", &e.key);
        match e.key.as_str() {
            "folder" => {
                c.folder = r.text(
                    &e.value,
                    &path,
                    "folder = \"../reviews\"",
                    "a folder relative to the book root",
                );
            }
            "independent-review" => {
                if let Some(b) = r.boolean(&e.value, &path, "independent-review = true") {
                    c.independent_review = b;
                }
            }
            _ => r.unknown_key(e, "review", &["folder", "independent-review"]),
        }
    }
    c
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
        assert!(
            e[0].help
                .as_deref()
                .unwrap_or_default()
                .contains("set `version = 2`"),
            "{e:?}"
        );
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
                "unknown key `widget`",
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
            ("[fingerprint]\nversion = 0", "at least 1"),
            ("[fingerprint]\nfields = 1", "fields"),
            ("[review]\nfolder = \" \"", "is empty"),
            ("[review]\nindependent = true", "independent"),
        ] {
            let e = Config::from_toml(toml).unwrap_err();
            let text: Vec<String> = e
                .iter()
                .map(|d| format!("{} {}", d.message, d.help.clone().unwrap_or_default()))
                .collect();
            assert!(text.iter().any(|t| t.contains(needle)), "{toml}: {text:?}");
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
