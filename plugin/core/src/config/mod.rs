//! `[preprocessor.techfile]` in book.toml: strict, kebab-case, with defaults.

use crate::diag::{Code, Level};
use serde::Deserialize;

pub mod bundle;
pub mod model;
pub mod risk;

pub use bundle::BundleConfig;
pub use model::{DiagramConfig, StrideConfig};
pub use risk::RiskConfig;
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
    /// The STRIDE categories that apply to each type of threat-model element.
    pub stride: StrideConfig,
    /// How data-flow diagrams are laid out.
    pub diagram: DiagramConfig,
    /// `[preprocessor.techfile.bundle]`: version stamping and the compliance bundle; off
    /// when absent.
    pub bundle: Option<BundleConfig>,

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
    /// Every STRIDE category that applies to a threat-model element has a risk naming both,
    /// or a not-applicable reason on the element.
    pub stride: bool,
    /// Every asset is named by a risk.
    pub asset: bool,
    /// Every interface carries a data flow.
    pub interface: bool,
    /// Every data flow that crosses a trust boundary passes an interface.
    pub crossing: bool,
    /// In a book with a threat model, every risk in review or approved names an element of it.
    pub risk_model: bool,
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
            stride: true,
            asset: true,
            interface: true,
            crossing: true,
            risk_model: true,
        }
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
            stride: StrideConfig::default(),
            diagram: DiagramConfig::default(),
            bundle: None,
            command: None,
            renderers: None,
            before: None,
            after: None,
            optional: None,
        }
    }
}

/// The byte range in book.toml that names `[preprocessor.techfile]`, for findings about the
/// book as a whole. The table may be written as a header, as dotted keys or inline; the
/// first place that names it counts, else the start of the file.
pub fn table_range(book_toml: &str) -> std::ops::Range<usize> {
    [
        "[preprocessor.techfile]",
        "[preprocessor.techfile",
        "preprocessor.techfile",
        "techfile",
    ]
    .iter()
    .find_map(|pat| book_toml.find(pat).map(|at| at..at + pat.len()))
    .unwrap_or(0..0)
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
        self.diagram.validate()?;
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
    fn stride_and_diagram_tables_have_defaults_and_are_validated() {
        use crate::model::{Kind, Stride};
        let c = Config::from_toml("").unwrap();
        assert_eq!(
            c.stride.categories(Kind::Actor),
            [Stride::Spoofing, Stride::Repudiation]
        );
        assert_eq!(c.stride.categories(Kind::Process).len(), 6);
        assert!(c.stride.categories(Kind::Interface).is_empty());
        assert!(c.coverage.stride && c.coverage.risk_model);
        let c = Config::from_toml(
            "[stride]\ninterface = [\"tampering\", \"spoofing\"]\n[diagram]\ntimeout = 0.5\nmax-elements = 10\n",
        )
        .unwrap();
        assert_eq!(
            c.stride.categories(Kind::Interface),
            [Stride::Spoofing, Stride::Tampering]
        );
        assert_eq!(c.diagram.timeout_ms(), 500);
        let e = Config::from_toml("[stride]\nactor = [\"spoofng\"]").unwrap_err();
        assert!(e.contains("unknown STRIDE category `spoofng`"), "{e}");
        let e = Config::from_toml("[stride]\nactor = [\"spoofing\", \"spoofing\"]").unwrap_err();
        assert!(e.contains("listed twice"), "{e}");
        let e = Config::from_toml("[diagram]\ntimeout = 0").unwrap_err();
        assert!(e.contains("timeout"), "{e}");
        let e = Config::from_toml("[diagram]\nmax-elements = 0").unwrap_err();
        assert!(e.contains("max-elements"), "{e}");
        assert!(Config::from_toml("[diagram]\nlayout = \"x\"").is_err());
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
