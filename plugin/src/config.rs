//! `[preprocessor.techfile]` in book.toml: strict, kebab-case, with defaults.

use crate::diag::{Code, Level};
use crate::risk::Acceptance;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The preprocessor's configuration. Unknown keys are errors so a typo never silently
/// turns a check off; mdBook's own preprocessor keys are accepted and ignored.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// Folders holding item files, relative to the book root.
    pub items: Vec<String>,
    /// Largest item file read, in bytes; larger ones are reported, not read.
    pub max_file_size: u64,
    /// SBOM files or folders (read recursively for `*.json`), relative to the book root.
    /// `None` stands for the default `../sboms`, which may be absent; a folder the user
    /// names must exist.
    pub sboms: Option<Vec<String>>,
    /// Largest SBOM read, in bytes; larger ones are reported, not read.
    pub max_sbom_size: u64,
    /// Add pages for item kinds that no chapter hosts with `{{#techfile items <kind>}}`.
    pub generate_pages: bool,
    /// Title of the part the generated pages are added under.
    pub pages_title: String,
    /// Folder (inside the book) of generated pages.
    pub pages_dir: String,
    /// Which coverage rules apply.
    pub coverage: Coverage,
    /// Per-code level: `deny`, `warn` or `allow`.
    pub severity: BTreeMap<String, Level>,
    /// Catalog entries that do not apply to this device, each with the reason. Coverage
    /// rules skip them and the generated tables show the reason.
    pub not_applicable: BTreeMap<String, String>,
    /// The scales and the acceptance matrix of the security risk estimate.
    pub risk: RiskConfig,
    /// `[preprocessor.techfile.bundle]`: version stamping and the compliance bundle; off
    /// when absent.
    pub bundle: Option<crate::bundle::BundleConfig>,

    // mdBook's own keys for every preprocessor.
    pub command: Option<String>,
    pub renderers: Option<Vec<String>>,
    pub before: Option<Vec<String>>,
    pub after: Option<Vec<String>>,
    pub optional: Option<bool>,
}

/// The coverage policy, one switch per rule.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Coverage {
    /// Every requirement is implemented by a control.
    pub requirement: bool,
    /// Every control is verified by a test.
    pub control: bool,
    /// Every risk is mitigated by a control.
    pub risk: bool,
    /// Every test verifies a control or a requirement.
    pub test: bool,
    /// Every MDCG 2019-16 practice has a requirement tracing to it.
    pub practice: bool,
    /// Every MDR Annex I entry of the catalog has a requirement deriving from it.
    pub mdr: bool,
    /// Every IVDR Annex I entry of the catalog has a requirement deriving from it.
    pub ivdr: bool,
}

impl Default for Coverage {
    fn default() -> Coverage {
        Coverage {
            requirement: true,
            control: true,
            risk: true,
            test: true,
            practice: true,
            // Off by default: a device falls under the MDR or the IVDR, never both, and
            // the book says which by switching one on.
            mdr: false,
            ivdr: false,
        }
    }
}

/// `[preprocessor.techfile.risk]`: the scales risks are estimated on and the matrix that
/// turns an estimate into an acceptance level. The defaults are the five-level scales of
/// ISO 14971 practice and the matrix documented in the book's reference appendix.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct RiskConfig {
    /// Exploitability levels, most likely first.
    pub exploitability: Vec<String>,
    /// Severity levels, least severe first.
    pub severity: Vec<String>,
    /// One row per exploitability level (most likely first), one column per severity level
    /// (least severe first).
    pub matrix: Vec<Vec<Acceptance>>,
    /// The lowest CVSS 3.1 exploitability sub-score of each exploitability level but the
    /// last, most likely first; a score below all of them is the last level. `None`: the
    /// documented defaults, which fit a five-level scale only.
    pub cvss_thresholds: Option<Vec<f64>>,
}

/// The default CVSS thresholds in tenths: frequent from 3.5 (in practice only 3.9, a
/// network attack with low complexity, no privileges and no user action), probable from
/// 2.5, occasional from 1.5, remote from 0.7, improbable below.
const DEFAULT_CVSS_THRESHOLDS: [u32; 4] = [35, 25, 15, 7];

impl Default for RiskConfig {
    fn default() -> RiskConfig {
        use Acceptance::{Acceptable as A, Review as R, Unacceptable as U};
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        RiskConfig {
            exploitability: words(&["frequent", "probable", "occasional", "remote", "improbable"]),
            severity: words(&["negligible", "minor", "serious", "critical", "catastrophic"]),
            // Monotone: never more acceptable as severity or likelihood grows. Review is the
            // band where a risk may stay only with a documented justification.
            matrix: vec![
                vec![R, U, U, U, U],
                vec![A, R, U, U, U],
                vec![A, R, R, U, U],
                vec![A, A, R, R, U],
                vec![A, A, A, R, R],
            ],
            cvss_thresholds: None,
        }
    }
}

impl RiskConfig {
    /// The CVSS thresholds in force, in tenths (validated: one per level but the last).
    pub fn cvss_thresholds_tenths(&self) -> Vec<u32> {
        match &self.cvss_thresholds {
            // Validation guarantees one decimal at most and a range of 0.1 to 3.9.
            Some(t) => t.iter().map(|v| (v * 10.0).round() as u32).collect(),
            None => DEFAULT_CVSS_THRESHOLDS.to_vec(),
        }
    }

    /// Checks the scales and the matrix: non-empty, unique words without spaces, a matrix
    /// of the scales' size that never gets more acceptable as a risk gets worse, and CVSS
    /// thresholds that fit the exploitability scale.
    pub fn validate(&self) -> Result<(), String> {
        const T: &str = "[preprocessor.techfile.risk]";
        for (name, scale) in [
            ("exploitability", &self.exploitability),
            ("severity", &self.severity),
        ] {
            if scale.is_empty() {
                return Err(format!("{T} {name}: list at least one level"));
            }
            for (n, w) in scale.iter().enumerate() {
                if w.is_empty() || w.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(format!(
                        "{T} {name}: `{w}` is not a usable level word; use one word without spaces, such as `very-likely`"
                    ));
                }
                if scale[..n].contains(w) {
                    return Err(format!("{T} {name}: `{w}` is listed twice"));
                }
            }
        }
        let (rows, cols) = (self.exploitability.len(), self.severity.len());
        if self.matrix.len() != rows {
            return Err(format!(
                "{T} matrix: {} rows, but the exploitability scale has {rows} levels; write one row per exploitability level, most likely first",
                self.matrix.len()
            ));
        }
        for (r, row) in self.matrix.iter().enumerate() {
            if row.len() != cols {
                return Err(format!(
                    "{T} matrix: the row of `{}` has {} cells, but the severity scale has {cols} levels; write one cell per severity level, least severe first",
                    self.exploitability[r],
                    row.len()
                ));
            }
        }
        // A matrix that gets more acceptable as a risk gets worse is almost always written
        // transposed or with a scale reversed; it would accept risks silently.
        for r in 0..rows {
            for c in 0..cols {
                let here = self.matrix[r][c];
                if c + 1 < cols && self.matrix[r][c + 1] < here {
                    return Err(format!(
                        "{T} matrix: `{} / {}` is {} but the more severe `{} / {}` is {}; a matrix never gets more acceptable as severity grows (are the scales in the documented order?)",
                        self.exploitability[r],
                        self.severity[c],
                        here.as_str(),
                        self.exploitability[r],
                        self.severity[c + 1],
                        self.matrix[r][c + 1].as_str()
                    ));
                }
                if r + 1 < rows && self.matrix[r + 1][c] > here {
                    return Err(format!(
                        "{T} matrix: `{} / {}` is {} but the less likely `{} / {}` is {}; a matrix never gets more acceptable as exploitability grows (are the scales in the documented order?)",
                        self.exploitability[r],
                        self.severity[c],
                        here.as_str(),
                        self.exploitability[r + 1],
                        self.severity[c],
                        self.matrix[r + 1][c].as_str()
                    ));
                }
            }
        }
        match &self.cvss_thresholds {
            None if rows != DEFAULT_CVSS_THRESHOLDS.len() + 1 => {
                return Err(format!(
                    "{T} cvss-thresholds: the default CVSS thresholds fit a five-level exploitability scale; with {rows} levels, set {} thresholds, most likely level first",
                    rows - 1
                ));
            }
            None => {}
            Some(t) => {
                if t.len() + 1 != rows {
                    return Err(format!(
                        "{T} cvss-thresholds: {} values, but the exploitability scale has {rows} levels; give the lowest CVSS exploitability sub-score of each level but the last ({} values)",
                        t.len(),
                        rows - 1
                    ));
                }
                for (n, v) in t.iter().enumerate() {
                    let tenths = v * 10.0;
                    if !(1.0..=39.0).contains(&tenths) || (tenths - tenths.round()).abs() > 1e-6 {
                        return Err(format!(
                            "{T} cvss-thresholds: {v} is not a CVSS exploitability sub-score; use values from 0.1 to 3.9 with one decimal"
                        ));
                    }
                    if n > 0 && t[n - 1] <= *v {
                        return Err(format!(
                            "{T} cvss-thresholds: the values must fall from the most likely level to the least likely ({} then {v})",
                            t[n - 1]
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
/// Where SBOMs are read from when `sboms` is not set, relative to the book root.
pub const DEFAULT_SBOMS: &str = "../sboms";

impl Default for Config {
    fn default() -> Config {
        Config {
            items: vec!["../requirements".into()],
            max_file_size: 4 * 1024 * 1024,
            sboms: None,
            // A 5,000-component SBOM is about 5 MB; 32 MiB leaves room for large container
            // images while keeping the memory of a parsed document bounded.
            max_sbom_size: 32 * 1024 * 1024,
            generate_pages: true,
            pages_title: "Traceability".into(),
            pages_dir: "techfile".into(),
            coverage: Coverage::default(),
            severity: BTreeMap::new(),
            not_applicable: BTreeMap::new(),
            risk: RiskConfig::default(),
            bundle: None,
            command: None,
            renderers: None,
            before: None,
            after: None,
            optional: None,
        }
    }
}

impl Config {
    /// Parses the `[preprocessor.techfile]` table (as TOML text) and validates it.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what serde cannot: that severity names real codes, and that fixed codes are
    /// not lowered.
    pub fn validate(&self) -> Result<(), String> {
        for (name, level) in &self.severity {
            let code = Code::parse(name).ok_or_else(|| {
                let suggestion = crate::load::closest(name, Code::ALL.iter().map(|c| c.as_str()))
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                format!("[preprocessor.techfile.severity]: unknown code `{name}`{suggestion}")
            })?;
            if code.is_fixed() && *level != Level::Deny {
                return Err(format!(
                    "[preprocessor.techfile.severity]: `{name}` is always an error (it means an input could not be read), so it cannot be set to {}",
                    if *level == Level::Warn {
                        "warn"
                    } else {
                        "allow"
                    }
                ));
            }
        }
        let catalog = crate::catalog::Catalog::builtin();
        for (id, reason) in &self.not_applicable {
            if !catalog.contains(id) {
                let suggestion =
                    crate::load::closest(id, catalog.entries().iter().map(|e| e.id.as_str()))
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                return Err(format!(
                    "[preprocessor.techfile.not-applicable]: `{id}` is not a catalog ID{suggestion}"
                ));
            }
            if reason.trim().is_empty() {
                return Err(format!(
                    "[preprocessor.techfile.not-applicable]: `{id}` needs a reason: say why it does not apply"
                ));
            }
        }
        if let Some(bundle) = &self.bundle {
            bundle.validate()?;
        }
        if let Some(sboms) = &self.sboms
            && sboms.iter().any(|s| s.trim().is_empty())
        {
            return Err("[preprocessor.techfile] sboms: an entry is empty; name a folder or file relative to the book root".into());
        }
        if self.items.is_empty() {
            return Err("[preprocessor.techfile] items: list at least one folder".into());
        }
        if self.pages_dir.is_empty()
            || self.pages_dir.contains("..")
            || self.pages_dir.starts_with('/')
        {
            return Err("[preprocessor.techfile] pages-dir: use a relative folder inside the book's src, without `..`".into());
        }
        self.risk.validate()?;
        Ok(())
    }

    /// The SBOM sources and whether they must exist (only the default may be absent).
    pub fn sbom_sources(&self) -> (Vec<String>, bool) {
        match &self.sboms {
            Some(list) => (list.clone(), true),
            None => (vec![DEFAULT_SBOMS.to_string()], false),
        }
    }

    /// The level in force for a code.
    pub fn level(&self, code: Code) -> Level {
        self.severity
            .get(code.as_str())
            .copied()
            .unwrap_or(code.default_level())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_to_an_empty_table() {
        assert_eq!(Config::from_toml("").unwrap(), Config::default());
    }

    #[test]
    fn mdbook_keys_are_accepted() {
        let c = Config::from_toml(
            "command = \"mdbook-techfile\"\nbefore = [\"links\"]\nrenderers = [\"html\"]\noptional = false\n",
        )
        .unwrap();
        assert_eq!(c.command.as_deref(), Some("mdbook-techfile"));
    }

    #[test]
    fn unknown_keys_and_types_are_rejected() {
        let e = Config::from_toml("itemz = []").unwrap_err();
        assert!(e.contains("itemz"), "{e}");
        let e = Config::from_toml("[coverage]\ncontrol = \"yes\"").unwrap_err();
        assert!(e.contains("control") || e.contains("bool"), "{e}");
    }

    #[test]
    fn not_applicable_names_catalog_entries_with_a_reason() {
        let c =
            Config::from_toml("[not-applicable]\n\"MDR-14.1\" = \"Stand-alone device\"").unwrap();
        assert_eq!(c.not_applicable["MDR-14.1"], "Stand-alone device");
        let e = Config::from_toml("[not-applicable]\n\"MDR-14.9\" = \"x\"").unwrap_err();
        assert!(e.contains("not a catalog ID"), "{e}");
        let e = Config::from_toml("[not-applicable]\n\"MDR-14.1\" = \" \"").unwrap_err();
        assert!(e.contains("needs a reason"), "{e}");
    }

    #[test]
    fn risk_defaults_are_valid_and_documented_sizes() {
        let c = Config::from_toml("").unwrap();
        assert_eq!(c.risk.exploitability.len(), 5);
        assert_eq!(c.risk.severity.len(), 5);
        assert_eq!(c.risk.cvss_thresholds_tenths(), [35, 25, 15, 7]);
    }

    #[test]
    fn risk_scales_and_matrix_are_validated() {
        let err = |t: &str| Config::from_toml(t).unwrap_err();
        let three = "[risk]\nexploitability = [\"likely\", \"possible\", \"rare\"]\nseverity = [\"low\", \"high\"]\n";
        // A three-level scale needs its own matrix and thresholds.
        let e = err(three);
        assert!(
            e.contains("matrix: 5 rows, but the exploitability scale has 3 levels"),
            "{e}"
        );
        let ok = format!(
            "{three}matrix = [[\"review\", \"unacceptable\"], [\"acceptable\", \"review\"], [\"acceptable\", \"acceptable\"]]\ncvss-thresholds = [3.0, 1.5]\n"
        );
        let c = Config::from_toml(&ok).unwrap();
        assert_eq!(c.risk.cvss_thresholds_tenths(), [30, 15]);
        let e = err(&ok.replace("cvss-thresholds = [3.0, 1.5]\n", ""));
        assert!(e.contains("set 2 thresholds"), "{e}");
        let e = err(&ok.replace("[3.0, 1.5]", "[1.5, 3.0]"));
        assert!(e.contains("must fall"), "{e}");
        let e = err(&ok.replace("[3.0, 1.5]", "[3.0, 1.55]"));
        assert!(e.contains("one decimal"), "{e}");
        let e = err(&ok.replace("[3.0, 1.5]", "[3.0]"));
        assert!(e.contains("1 values"), "{e}");
        let e = err(&ok.replace("[3.0, 1.5]", "[4.5, 1.5]"));
        assert!(e.contains("0.1 to 3.9"), "{e}");
        // A ragged row.
        let e = err(&ok.replace("[\"acceptable\", \"review\"]", "[\"acceptable\"]"));
        assert!(e.contains("the row of `possible` has 1 cells"), "{e}");
        // Unknown level word: serde names the allowed ones.
        let e = err(&ok.replace("\"review\", \"unacceptable\"", "\"review\", \"bad\""));
        assert!(e.contains("unacceptable"), "{e}");
        // A transposed matrix gets more acceptable as risks get worse.
        let e = err(&ok.replace(
            "[[\"review\", \"unacceptable\"], [\"acceptable\", \"review\"], [\"acceptable\", \"acceptable\"]]",
            "[[\"acceptable\", \"acceptable\"], [\"acceptable\", \"review\"], [\"review\", \"unacceptable\"]]",
        ));
        assert!(
            e.contains("never gets more acceptable as exploitability grows"),
            "{e}"
        );
        let e = err(&ok.replace(
            "[\"review\", \"unacceptable\"]",
            "[\"unacceptable\", \"review\"]",
        ));
        assert!(
            e.contains("never gets more acceptable as severity grows"),
            "{e}"
        );
        // Words.
        let e = err("[risk]\nseverity = [\"a\", \"b\", \"a\", \"c\", \"d\"]");
        assert!(e.contains("`a` is listed twice"), "{e}");
        let e = err("[risk]\nseverity = [\"very bad\", \"b\", \"c\", \"d\", \"e\"]");
        assert!(e.contains("without spaces"), "{e}");
        let e = err("[risk]\nseverity = []");
        assert!(e.contains("at least one level"), "{e}");
        let e = err("[risk]\nlevels = 3");
        assert!(e.contains("levels"), "{e}");
    }

    #[test]
    fn the_bundle_table_is_optional_and_validated() {
        assert_eq!(Config::from_toml("").unwrap().bundle, None);
        let c = Config::from_toml("[bundle]\nversion = \"1.0\"\npdf = false").unwrap();
        assert!(!c.bundle.unwrap().pdf);
        let e = Config::from_toml("[bundle]\npdf = false").unwrap_err();
        assert!(e.contains("[preprocessor.techfile.bundle]"), "{e}");
    }

    #[test]
    fn sbom_sources_default_to_an_optional_folder() {
        let c = Config::default();
        assert_eq!(c.sbom_sources(), (vec!["../sboms".to_string()], false));
        let c = Config::from_toml("sboms = [\"../boms\", \"x.json\"]\nmax-sbom-size = 10").unwrap();
        assert!(c.sbom_sources().1);
        assert_eq!(c.max_sbom_size, 10);
        assert!(Config::from_toml("sboms = [\" \"]").is_err());
        assert!(Config::from_toml("sbom = []").is_err());
    }

    #[test]
    fn severity_names_real_codes_and_respects_fixed_ones() {
        let c = Config::from_toml("[severity]\ncontrol-not-verified = \"warn\"").unwrap();
        assert_eq!(c.level(Code::ControlNotVerified), Level::Warn);
        assert_eq!(c.level(Code::RiskNotMitigated), Level::Deny);
        let e = Config::from_toml("[severity]\ncontrol-not-verifed = \"warn\"").unwrap_err();
        assert!(e.contains("did you mean `control-not-verified`"), "{e}");
        let e = Config::from_toml("[severity]\ntoml-syntax = \"allow\"").unwrap_err();
        assert!(e.contains("always an error"), "{e}");
        assert!(Config::from_toml("[severity]\nunknown-id = \"sometimes\"").is_err());
    }
}
