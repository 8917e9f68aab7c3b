//! The tables of the checks that follow a released device: `[preprocessor.techfile.support]`
//! (where the support tables are), `[preprocessor.techfile.evidence]` (where test evidence
//! is), `[preprocessor.techfile.revalidate]` (how far ahead dates warn) and
//! `[preprocessor.techfile.release]` (which product versions the technical file assesses).

use super::reader::{Reader, key_path};
use super::tree::Table;
use crate::model::Span;
use std::collections::BTreeMap;

/// Where the support tables are read from when `support.folder` is not set, relative to
/// the book root.
pub(crate) const DEFAULT_SUPPORT: &str = "../support";

/// Where the evidence files are read from when `evidence.folder` is not set, relative to
/// the book root.
pub(crate) const DEFAULT_EVIDENCE: &str = "../evidence";

/// `[preprocessor.techfile.support]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SupportConfig {
    /// The folder of support tables (`*.toml`); `None` stands for [`DEFAULT_SUPPORT`],
    /// which may be absent; a folder the user names must exist.
    pub(crate) folder: Option<String>,
}

impl SupportConfig {
    /// The folder and whether it must exist.
    pub fn folder(&self) -> (&str, bool) {
        match &self.folder {
            Some(f) => (f, true),
            None => (DEFAULT_SUPPORT, false),
        }
    }
}

/// `[preprocessor.techfile.evidence]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceConfig {
    /// The evidence folder; `None` stands for [`DEFAULT_EVIDENCE`], which may be absent.
    pub(crate) folder: Option<String>,
    /// Largest JUnit XML file parsed, in bytes. Other evidence files are hashed as a
    /// stream and have no limit.
    pub max_junit_size: u64,
}

impl Default for EvidenceConfig {
    fn default() -> EvidenceConfig {
        EvidenceConfig {
            folder: None,
            // A JUnit report of tens of thousands of cases is a few megabytes.
            max_junit_size: 32 * 1024 * 1024,
        }
    }
}

impl EvidenceConfig {
    /// The folder and whether it must exist.
    pub fn folder(&self) -> (&str, bool) {
        match &self.folder {
            Some(f) => (f, true),
            None => (DEFAULT_EVIDENCE, false),
        }
    }
}

/// `[preprocessor.techfile.revalidate]`: the windows of the checks that depend on the date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RevalidateConfig {
    /// An end of support within this many days is `component-eos-soon`.
    pub(crate) eos_warning_days: u32,
    /// A `next-review` within this many days is `review-due`.
    pub(crate) review_warning_days: u32,
}

impl Default for RevalidateConfig {
    fn default() -> RevalidateConfig {
        RevalidateConfig {
            // A quarter: enough to plan a component update or a justification.
            eos_warning_days: 90,
            // A month: enough to schedule a review meeting.
            review_warning_days: 30,
        }
    }
}

/// A version pattern as written: `*` stands for any run of characters and `{version}`
/// for the version of the technical file (`bundle.version`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pattern {
    pub(crate) text: String,
    pub(crate) span: Span,
}

impl Pattern {
    /// Whether `version` matches, with `{version}` standing for `release`.
    pub(crate) fn matches(&self, version: &str, release: &str) -> bool {
        glob(&self.text.replace("{version}", release), version)
    }

    /// The pattern with `{version}` filled in, for messages.
    pub(crate) fn resolved(&self, release: &str) -> String {
        self.text.replace("{version}", release)
    }
}

/// `*` matches any run of characters; everything else itself.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// `[preprocessor.techfile.release]`: its presence switches the release check on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReleaseConfig {
    /// The product version every SBOM declares (`metadata.component.version`) unless
    /// `sboms` names the SBOM; default `{version}`.
    pub(crate) sbom: Pattern,
    /// Per SBOM (its key, as `{{#techfile sbom FILE}}` names it), the pattern of its
    /// product version.
    pub(crate) sboms: BTreeMap<String, Pattern>,
    /// The versions a test may have run on (its `version`, or its JUnit file's property);
    /// default `["{version}"]`.
    pub(crate) tests: Vec<Pattern>,
    /// The JUnit property (`<property name="..." value="...">` of a test suite) that
    /// holds the version the suite ran on.
    pub(crate) junit_property: String,
    /// Where the table is opened.
    pub(crate) span: Span,
}

impl ReleaseConfig {
    /// The pattern of the SBOM with key `key`.
    pub(crate) fn sbom_pattern(&self, key: &str) -> &Pattern {
        self.sboms.get(key).unwrap_or(&self.sbom)
    }
}

const SUPPORT_KEYS: &[&str] = &["folder"];
const EVIDENCE_KEYS: &[&str] = &["folder", "max-junit-size"];
const REVALIDATE_KEYS: &[&str] = &["eos-warning-days", "review-warning-days"];
const RELEASE_KEYS: &[&str] = &["sbom", "sboms", "tests", "junit-property"];

fn folder(r: &mut Reader, t: &Table, table: &str, example: &str) -> Option<String> {
    let e = t.get("folder")?;
    r.text(
        &e.value,
        &key_path(table, "folder"),
        example,
        "a folder relative to the book root",
    )
}

/// Reads `[preprocessor.techfile.support]`.
pub(super) fn read_support(r: &mut Reader, t: &Table) -> SupportConfig {
    for e in &t.entries {
        if !SUPPORT_KEYS.contains(&e.key.as_str()) {
            r.unknown_key(e, "support", SUPPORT_KEYS);
        }
    }
    SupportConfig {
        folder: folder(r, t, "support", "folder = \"../support\""),
    }
}

/// Reads `[preprocessor.techfile.evidence]`.
pub(super) fn read_evidence(r: &mut Reader, t: &Table) -> EvidenceConfig {
    let mut c = EvidenceConfig {
        folder: folder(r, t, "evidence", "folder = \"../evidence\""),
        ..EvidenceConfig::default()
    };
    for e in &t.entries {
        match e.key.as_str() {
            "folder" => {}
            "max-junit-size" => {
                if let Some(n) = r.count(
                    &e.value,
                    "evidence.max-junit-size",
                    "max-junit-size = 33554432",
                    1,
                ) {
                    c.max_junit_size = n;
                }
            }
            _ => r.unknown_key(e, "evidence", EVIDENCE_KEYS),
        }
    }
    c
}

/// Reads `[preprocessor.techfile.revalidate]`.
pub(super) fn read_revalidate(r: &mut Reader, t: &Table) -> RevalidateConfig {
    let mut c = RevalidateConfig::default();
    for e in &t.entries {
        let slot = match e.key.as_str() {
            "eos-warning-days" => &mut c.eos_warning_days,
            "review-warning-days" => &mut c.review_warning_days,
            _ => {
                r.unknown_key(e, "revalidate", REVALIDATE_KEYS);
                continue;
            }
        };
        let path = key_path("revalidate", &e.key);
        if let Some(n) = r.count(&e.value, &path, &format!("{} = 90", e.key), 0) {
            *slot = u32::try_from(n).unwrap_or(u32::MAX);
        }
    }
    c
}

fn pattern(r: &mut Reader, node: &super::tree::Node, path: &str, example: &str) -> Option<Pattern> {
    let text = r.text(
        node,
        path,
        example,
        "a version, or a pattern with `*` (any characters) and `{version}` (the bundle's version)",
    )?;
    Some(Pattern {
        text,
        span: node.span,
    })
}

/// Reads `[preprocessor.techfile.release]`; `at` is where the table is opened.
pub(super) fn read_release(r: &mut Reader, t: &Table, at: Span) -> ReleaseConfig {
    let mut c = ReleaseConfig {
        sbom: Pattern {
            text: "{version}".into(),
            span: at,
        },
        sboms: BTreeMap::new(),
        tests: vec![Pattern {
            text: "{version}".into(),
            span: at,
        }],
        junit_property: "version".into(),
        span: at,
    };
    for e in &t.entries {
        let path = key_path("release", &e.key);
        match e.key.as_str() {
            "sbom" => {
                if let Some(p) = pattern(r, &e.value, &path, "sbom = \"{version}\"") {
                    c.sbom = p;
                }
            }
            "sboms" => {
                if let Some(table) =
                    r.table(&e.value, &path, "[preprocessor.techfile.release.sboms]")
                {
                    for s in &table.entries {
                        let p = key_path("release.sboms", &format!("\"{}\"", s.key));
                        if let Some(pat) =
                            pattern(r, &s.value, &p, &format!("\"{}\" = \"2.1.*\"", s.key))
                        {
                            c.sboms.insert(s.key.clone(), pat);
                        }
                    }
                }
            }
            "tests" => {
                if let Some(list) = r.strings(&e.value, &path, "tests = [\"{version}\"]") {
                    if list.is_empty() {
                        r.invalid(
                            e.value.span,
                            "`release.tests` lists no version",
                            "list the versions tests may have run on, such as `[\"{version}\"]`",
                        );
                    } else {
                        c.tests = list
                            .into_iter()
                            .map(|(text, span)| Pattern { text, span })
                            .collect();
                    }
                }
            }
            "junit-property" => {
                if let Some(s) = r.text(
                    &e.value,
                    &path,
                    "junit-property = \"version\"",
                    "the name of the JUnit property that holds the version",
                ) {
                    c.junit_property = s;
                }
            }
            _ => r.unknown_key(e, "release", RELEASE_KEYS),
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn globs_match_any_run_of_characters() {
        assert!(glob("2.1.*", "2.1.0"));
        assert!(glob("2.1.*", "2.1."));
        assert!(!glob("2.1.*", "2.10"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "abc"));
        assert!(glob("a*b*c", "a-b-b-c"));
        assert!(!glob("a*b*c", "acb"));
        assert!(!glob("ab*ba", "aba"));
        assert!(glob("1.0", "1.0"));
        assert!(!glob("1.0", "1.0.1"));
        let p = Pattern {
            text: "{version}.*".into(),
            span: Span::new(crate::model::FileId(0), 0..0),
        };
        assert!(p.matches("1.0.3", "1.0"));
        assert!(!p.matches("1.1.3", "1.0"));
    }

    #[test]
    fn tables_are_read_with_defaults() {
        let c = Config::default();
        assert_eq!(c.support.folder(), ("../support", false));
        assert_eq!(c.evidence.folder(), ("../evidence", false));
        assert_eq!(c.revalidate.eos_warning_days, 90);
        assert!(c.release.is_none());
        let c = Config::from_toml(
            "[bundle]\nversion = \"1.0\"\n[support]\nfolder = \"../s\"\n[evidence]\nfolder = \"../e\"\nmax-junit-size = 10\n[revalidate]\neos-warning-days = 30\nreview-warning-days = 7\n[release]\nsbom = \"{version}.*\"\ntests = [\"1.0\", \"2.*\"]\njunit-property = \"product.version\"\n[release.sboms]\n\"fw.cdx.json\" = \"2.1.0\"\n",
        )
        .unwrap();
        assert_eq!(c.support.folder(), ("../s", true));
        assert_eq!(c.evidence.folder(), ("../e", true));
        assert_eq!(c.evidence.max_junit_size, 10);
        assert_eq!(c.revalidate.eos_warning_days, 30);
        assert_eq!(c.revalidate.review_warning_days, 7);
        let rel = c.release.unwrap();
        assert_eq!(rel.sbom_pattern("fw.cdx.json").text, "2.1.0");
        assert_eq!(rel.sbom_pattern("app.cdx.json").text, "{version}.*");
        assert_eq!(rel.tests.len(), 2);
        assert_eq!(rel.junit_property, "product.version");
    }

    #[test]
    fn bad_values_are_findings() {
        for (toml, needle) in [
            ("[support]\nfolders = \"x\"", "unknown key `folders`"),
            ("[evidence]\nmax-junit-size = 0", "at least 1"),
            ("[revalidate]\neos-warning-days = \"90\"", "whole number"),
            (
                "[bundle]\nversion = \"1\"\n[release]\ntests = []",
                "lists no version",
            ),
            (
                "[bundle]\nversion = \"1\"\n[release]\nsbom = \"\"",
                "is empty",
            ),
            ("[release]\n", "needs the version of the technical file"),
        ] {
            let e = Config::from_toml(toml).unwrap_err();
            let text: Vec<String> = e
                .iter()
                .map(|d| format!("{} {}", d.message, d.help.clone().unwrap_or_default()))
                .collect();
            assert!(text.iter().any(|t| t.contains(needle)), "{toml}: {text:?}");
        }
    }
}
