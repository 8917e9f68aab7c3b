//! `[preprocessor.techfile.bundle]`: the version of the technical file, its revision history,
//! where SBOMs are, and how the bundle (PDF, trace export, manifest) is written.

use crate::model::Date;
use serde::{Deserialize, Deserializer};

/// Where the version printed on every page comes from.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum VersionFrom {
    /// `git describe --tags --always --dirty`, run in the book root.
    Git,
}

/// The bundle's configuration. Its presence switches version stamping on.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct BundleConfig {
    /// The version of the technical file, as given to the notified body.
    pub version: Option<String>,
    /// Take the version from somewhere else instead (only `git`).
    pub version_from: Option<VersionFrom>,
    /// Fail when the book is not in a git repository, instead of stamping `commit unknown`.
    pub require_commit: bool,
    /// Write `technical-file-<version>.pdf` with headless Chromium.
    pub pdf: bool,
    /// The browser to print with; by default `chromium` or `chromium-browser` on PATH.
    pub browser: Option<String>,
    /// Seconds the browser may take to print before the build fails.
    pub pdf_timeout: u64,
    /// The revision history, oldest first.
    pub revision: Vec<Revision>,
    /// The medical device the file documents, on the cover.
    pub device: Option<String>,
    /// The legal manufacturer of the device, on the cover.
    pub manufacturer: Option<String>,
    /// The document's identifier in the manufacturer's document management system.
    pub document_id: Option<String>,
    /// The title on the cover; the edge fills in the book's title when it is not set.
    pub document_title: Option<String>,
    /// The approval block: one row per role that signs this version, in order.
    pub approval: Vec<Approval>,
}

impl Default for BundleConfig {
    fn default() -> BundleConfig {
        BundleConfig {
            version: None,
            version_from: None,
            require_commit: false,
            pdf: true,
            browser: None,
            pdf_timeout: 600,
            revision: Vec::new(),
            device: None,
            manufacturer: None,
            document_id: None,
            document_title: None,
            approval: Vec::new(),
        }
    }
}

/// One row of the revision history.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Revision {
    pub version: String,
    /// `YYYY-MM-DD`, written as a TOML date or a string; checked by `validate`.
    #[serde(deserialize_with = "date_text")]
    pub date: String,
    pub author: String,
    pub description: String,
}

impl Revision {
    pub fn date(&self) -> Option<Date> {
        Date::parse(&self.date)
    }
}

/// One row of the approval block. The signature field is always left blank for the wet or
/// electronic signature; name and date may be left blank to be filled in by hand.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Approval {
    pub role: String,
    #[serde(default)]
    pub name: Option<String>,
    /// `YYYY-MM-DD`, written as a TOML date or a string; checked by `validate`.
    #[serde(default, deserialize_with = "optional_date_text")]
    pub date: Option<String>,
}

fn optional_date_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    date_text(d).map(Some)
}

/// Accepts `date = 2026-11-28` (a TOML date) as well as `date = "2026-11-28"`: authors
/// write both, and the revision history should not care.
fn date_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Toml(toml::value::Datetime),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::Text(s) => s,
        Raw::Toml(t) => t.to_string(),
    })
}

const TABLE: &str = "[preprocessor.techfile.bundle]";

/// Cover texts are single lines: a line break would not survive the cover's layout.
fn one_line(v: &str) -> Result<(), String> {
    if v.trim().is_empty() {
        Err("cannot be empty".into())
    } else if v.contains(['\n', '\r']) {
        Err("must be one line".into())
    } else {
        Ok(())
    }
}

/// Versions end up in file names (`technical-file-<version>.pdf`) and in CSS strings, so
/// they keep to characters that are safe in both.
pub fn validate_version(v: &str) -> Result<(), String> {
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "version `{v}` is not usable: start with a letter or digit, then use only letters, digits, `.`, `-`, `_` and `+` (at most 64 characters)"
        ))
    }
}

impl BundleConfig {
    pub fn validate(&self) -> Result<(), String> {
        match (&self.version, self.version_from) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "{TABLE}: set either `version` or `version-from`, not both"
                ));
            }
            (None, None) => {
                return Err(format!(
                    "{TABLE}: set the version of the technical file: `version = \"1.0\"`, or `version-from = \"git\"` to use `git describe`"
                ));
            }
            (Some(v), None) => validate_version(v).map_err(|e| format!("{TABLE}: {e}"))?,
            (None, Some(_)) => {}
        }
        if self.pdf_timeout == 0 {
            return Err(format!("{TABLE} pdf-timeout: give at least one second"));
        }
        let mut previous: Option<Date> = None;
        for (n, r) in self.revision.iter().enumerate() {
            let at = format!("{TABLE} revision {} (`{}`)", n + 1, r.version);
            for (key, value) in [
                ("version", &r.version),
                ("author", &r.author),
                ("description", &r.description),
            ] {
                if value.trim().is_empty() {
                    return Err(format!("{at}: `{key}` cannot be empty"));
                }
            }
            let date = r.date().ok_or_else(|| {
                format!(
                    "{at}: date `{}` is not a calendar date; write YYYY-MM-DD",
                    r.date
                )
            })?;
            if previous.is_some_and(|p| date < p) {
                return Err(format!(
                    "{at}: dated {date}, before the revision above it; list revisions oldest first"
                ));
            }
            previous = Some(date);
        }
        for (key, value) in [
            ("device", &self.device),
            ("manufacturer", &self.manufacturer),
            ("document-id", &self.document_id),
            ("document-title", &self.document_title),
        ] {
            if let Some(v) = value {
                one_line(v).map_err(|e| format!("{TABLE} {key}: {e}"))?;
            }
        }
        for (n, a) in self.approval.iter().enumerate() {
            let at = format!("{TABLE} approval {}", n + 1);
            one_line(&a.role).map_err(|e| format!("{at}: `role` {e}"))?;
            if let Some(name) = &a.name {
                one_line(name).map_err(|e| format!("{at} (`{}`): `name` {e}", a.role))?;
            }
            if let Some(date) = &a.date
                && Date::parse(date).is_none()
            {
                return Err(format!(
                    "{at} (`{}`): date `{date}` is not a calendar date; write YYYY-MM-DD, or leave `date` out to sign by hand",
                    a.role
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<BundleConfig, String> {
        let c: BundleConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        c.validate()?;
        Ok(c)
    }

    #[test]
    fn a_version_is_required_once() {
        assert!(parse("").unwrap_err().contains("set the version"));
        assert!(
            parse("version = \"1\"\nversion-from = \"git\"")
                .unwrap_err()
                .contains("not both")
        );
        assert_eq!(
            parse("version-from = \"git\"").unwrap().version_from,
            Some(VersionFrom::Git)
        );
        assert!(parse("version-from = \"svn\"").is_err());
        let c = parse("version = \"1.0\"").unwrap();
        assert!(c.pdf);
    }

    #[test]
    fn versions_are_safe_for_file_names() {
        for ok in ["1.0", "v2.1.0-rc.1", "1.0+build_7", "049dcbf-dirty"] {
            assert!(validate_version(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1.0/evil", "../1", "-1", "1 0", "\"1\"", "é"] {
            assert!(validate_version(bad).is_err(), "{bad:?}");
        }
        assert!(
            parse("version = \"a/b\"")
                .unwrap_err()
                .contains("not usable")
        );
    }

    #[test]
    fn revision_dates_may_be_toml_dates_or_strings_and_are_validated() {
        let c = parse(
            "version = \"1.1\"\n[[revision]]\nversion = \"1.0\"\ndate = 2026-01-15\nauthor = \"A\"\ndescription = \"First\"\n[[revision]]\nversion = \"1.1\"\ndate = \"2026-03-01\"\nauthor = \"B\"\ndescription = \"Second\"\n",
        )
        .unwrap();
        assert_eq!(c.revision[0].date, "2026-01-15");
        assert_eq!(
            c.revision[1].date().map(|d| d.to_string()).unwrap(),
            "2026-03-01"
        );

        let bad = |date: &str| {
            parse(&format!(
                "version = \"1\"\n[[revision]]\nversion = \"1\"\ndate = {date}\nauthor = \"A\"\ndescription = \"D\"\n"
            ))
            .unwrap_err()
        };
        assert!(bad("\"2026-02-30\"").contains("not a calendar date"));
        assert!(bad("2026-01-01T10:00:00").contains("not a calendar date"));
        assert!(
            parse("version = \"1\"\n[[revision]]\nversion = \"1\"\ndate = 2026-01-01\nauthor = \" \"\ndescription = \"D\"\n")
                .unwrap_err()
                .contains("`author` cannot be empty")
        );
        assert!(
            parse("version = \"1\"\n[[revision]]\nversion = \"2\"\ndate = 2026-02-01\nauthor = \"A\"\ndescription = \"D\"\n[[revision]]\nversion = \"1\"\ndate = 2026-01-01\nauthor = \"A\"\ndescription = \"D\"\n")
                .unwrap_err()
                .contains("oldest first")
        );
        assert!(
            parse("version = \"1\"\n[[revision]]\nversion = \"1\"\ndate = 2026-01-01\nauthor = \"A\"\n")
                .is_err()
        );
    }

    #[test]
    fn the_cover_and_approval_keys_are_strict() {
        let c = parse(
            "version = \"1\"\ndevice = \"Pump\"\nmanufacturer = \"ACME\"\ndocument-id = \"TF-1\"\n[[approval]]\nrole = \"Author\"\nname = \"A. B.\"\ndate = 2026-01-02\n[[approval]]\nrole = \"Release\"\n",
        )
        .unwrap();
        assert_eq!(c.device.as_deref(), Some("Pump"));
        assert_eq!(c.approval[0].date.as_deref(), Some("2026-01-02"));
        assert_eq!(c.approval[1].name, None);
        assert!(
            parse("version = \"1\"\n[[approval]]\nname = \"A\"\n").is_err(),
            "a role is required"
        );
        assert!(parse("version = \"1\"\n[[approval]]\nrole = \"A\"\nsignature = \"x\"\n").is_err());
        assert!(
            parse("version = \"1\"\n[[approval]]\nrole = \"A\"\ndate = \"2026-13-01\"\n")
                .unwrap_err()
                .contains("approval 1 (`A`): date `2026-13-01` is not a calendar date")
        );
        assert!(
            parse("version = \"1\"\ndevice = \" \"")
                .unwrap_err()
                .contains("device: cannot be empty")
        );
        assert!(
            parse("version = \"1\"\nmanufacturer = \"a\\nb\"")
                .unwrap_err()
                .contains("manufacturer: must be one line")
        );
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(parse("version = \"1\"\npdff = false").is_err());
    }
}
