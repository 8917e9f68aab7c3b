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
    fn unknown_keys_are_rejected() {
        assert!(parse("version = \"1\"\npdff = false").is_err());
    }
}
