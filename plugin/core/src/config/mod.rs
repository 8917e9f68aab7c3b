//! `[preprocessor.techfile]` in book.toml: strict, kebab-case, with defaults. The table is
//! read from book.toml's text with the place of every key and value, so each error is a
//! finding at `book.toml:line:column`, and all of them are reported at once.

use crate::catalog::Catalog;
use crate::diag::{Code, Diagnostic, Level};
use crate::load::{Input, InputKind, add_text};
use crate::model::{FileId, SourceMap, Span};

pub mod bundle;
pub(crate) mod diff;
pub(crate) mod lifecycle;
pub(crate) mod model;
mod reader;
pub(crate) mod review;
pub(crate) mod risk;
mod tree;

pub(crate) use bundle::BundleConfig;
pub(crate) use diff::DiffConfig;
pub(crate) use lifecycle::{EvidenceConfig, ReleaseConfig, RevalidateConfig, SupportConfig};
pub use model::DiagramConfig;
pub(crate) use model::StrideConfig;
use reader::{Reader, key_path};
pub(crate) use review::{FingerprintConfig, ReviewConfig};
pub(crate) use risk::RiskConfig;
use std::collections::BTreeMap;
use std::ops::Range;
pub(crate) use tree::MDBOOK_KEYS;
pub use tree::{EnvOverride, override_path};
use tree::{Node, Table};

/// The preprocessor's configuration. Unknown keys are errors so a typo never silently
/// turns a check off; mdBook's own preprocessor keys are accepted and ignored.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Folders holding item files, relative to the book root.
    pub items: Vec<String>,
    /// Where each of `items` is written (empty for the default), for findings about a
    /// folder that does not exist.
    pub item_spans: Vec<Span>,
    /// Gitignore-style patterns of files in the item folders that are not items, with
    /// where each is written; they apply after [`DEFAULT_EXCLUDE`].
    pub exclude: Vec<(String, Span)>,
    /// Largest item file read, in bytes; larger ones are reported, not read.
    pub max_file_size: u64,
    /// SBOM files or folders (read recursively for `*.json`), relative to the book root.
    /// `None` stands for the default `../sboms`, which may be absent; a folder the user
    /// names must exist.
    pub(crate) sboms: Option<Vec<String>>,
    /// Largest SBOM read, in bytes; larger ones are reported, not read.
    pub max_sbom_size: u64,
    /// Advisory folders (OSV records), relative to the book root: the advisory snapshot
    /// `check` and `mdbook build` match the SBOMs against, and whose RustSec `unmaintained`
    /// records give components the support level "no longer maintained";
    /// `revalidate --advisories` replaces it. Empty: no advisories.
    pub advisories: Vec<String>,
    /// Largest advisory record or VEX document read, in bytes.
    pub max_advisory_size: u64,
    /// VEX documents (OpenVEX or CycloneDX), files or folders read for `*.json`, relative
    /// to the book root, besides those in the SBOM folders.
    pub vex: Vec<String>,
    /// Days after its last update that a VEX statement without a review-by date expires;
    /// `None`: such statements do not expire.
    pub(crate) vex_max_age: Option<u32>,
    /// Add pages for item kinds that no chapter hosts with `{{#techfile items <kind>}}`.
    pub(crate) generate_pages: bool,
    /// Title of the part the generated pages are added under.
    pub pages_title: String,
    /// Folder (inside the book) of generated pages.
    pub pages_dir: String,
    /// Which coverage rules apply.
    pub(crate) coverage: Coverage,
    /// Per-code level: `deny`, `warn` or `allow`.
    pub(crate) severity: BTreeMap<String, Level>,
    /// Catalog entries that do not apply to this device, each with the reason. Coverage
    /// rules skip them and the generated tables show the reason.
    pub(crate) not_applicable: BTreeMap<String, String>,
    /// The scales and the acceptance matrix of the security risk estimate.
    pub(crate) risk: RiskConfig,
    /// `[preprocessor.techfile.stride]`: the STRIDE categories that apply to each type of
    /// threat-model element.
    pub(crate) stride: StrideConfig,
    /// `[preprocessor.techfile.diagram]`: how data-flow diagrams are laid out.
    pub diagram: DiagramConfig,
    /// `[preprocessor.techfile.bundle]`: version stamping and the compliance bundle; off
    /// when absent.
    pub bundle: Option<BundleConfig>,
    /// The byte range in book.toml that opens the table (the `[preprocessor.techfile]`
    /// header, or where it is first named), where findings about the book as a whole
    /// point; `0..0` when book.toml does not name it.
    pub table_range: Range<usize>,
    /// `[preprocessor.techfile.fingerprint]`: the fields each kind's fingerprint covers.
    pub fingerprint: FingerprintConfig,
    /// `[preprocessor.techfile.review]`: review records and independence.
    pub review: ReviewConfig,
    /// `[preprocessor.techfile.diff]`: what fails a change in `mdbook-techfile diff`.
    pub diff: DiffConfig,
    /// `[preprocessor.techfile.support]`: the support tables.
    pub support: SupportConfig,
    /// `[preprocessor.techfile.evidence]`: the evidence folder.
    pub evidence: EvidenceConfig,
    /// `[preprocessor.techfile.revalidate]`: the windows of the date checks.
    pub(crate) revalidate: RevalidateConfig,
    /// `[preprocessor.techfile.release]`: the release check, off when absent.
    pub(crate) release: Option<ReleaseConfig>,

    // mdBook's own keys for every preprocessor.
    pub(crate) command: Option<String>,
    pub(crate) renderers: Option<Vec<String>>,
    pub(crate) before: Option<Vec<String>>,
    pub(crate) after: Option<Vec<String>>,
    pub(crate) optional: Option<bool>,
}

/// The coverage policy, one switch per rule.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Coverage {
    /// Every requirement is implemented by a control.
    pub(crate) requirement: bool,
    /// Every control is verified by a test.
    pub(crate) control: bool,
    /// Every risk is mitigated by a control.
    pub(crate) risk: bool,
    /// Every test verifies a control or a requirement.
    pub(crate) test: bool,
    /// Every MDCG 2019-16 practice has a requirement tracing to it.
    pub(crate) practice: bool,
    /// Every MDR Annex I entry of the catalog has a requirement deriving from it.
    pub(crate) mdr: bool,
    /// Every IVDR Annex I entry of the catalog has a requirement deriving from it.
    pub(crate) ivdr: bool,
    /// The rules apply to items marked `status = "draft"` too, and links from them count.
    /// Off by default: a draft is work in progress, listed as open work instead of failing
    /// the build; a release check switches this on.
    pub(crate) draft: bool,
    /// Every STRIDE category that applies to a threat-model element has a risk naming both,
    /// or a not-applicable reason on the element.
    pub(crate) stride: bool,
    /// Every asset is named by a risk.
    pub(crate) asset: bool,
    /// Every interface carries a data flow.
    pub(crate) interface: bool,
    /// Every data flow that crosses a trust boundary passes an interface.
    pub(crate) crossing: bool,
    /// In a book with a threat model, every risk in review or approved names an element of it.
    pub(crate) risk_model: bool,
    /// A test that counts and failed is a gap (`test-failed`). Not a `[coverage]` key: the
    /// rule is always checked, and only [`Config::failing_coverage`] switches it off, where
    /// the severity of `test-failed` keeps it from failing the build.
    pub(crate) test_failed: bool,
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
            draft: false,
            stride: true,
            asset: true,
            interface: true,
            crossing: true,
            risk_model: true,
            test_failed: true,
        }
    }
}

/// Days a VEX statement stays valid after its last update unless it says otherwise: a
/// yearly review, the usual cadence of post-market surveillance plans.
pub(crate) const DEFAULT_VEX_MAX_AGE: u32 = 365;

/// Where SBOMs are read from when `sboms` is not set, relative to the book root.
pub(crate) const DEFAULT_SBOMS: &str = "../sboms";

/// Files in the item folders that are never items, whatever `exclude` says before a `!`
/// pattern takes one back: a folder's `README.md`, and templates named `_*.md`.
pub const DEFAULT_EXCLUDE: [&str; 2] = ["README.md", "_*.md"];

impl Default for Config {
    fn default() -> Config {
        Config {
            items: vec!["../requirements".into()],
            item_spans: Vec::new(),
            exclude: Vec::new(),
            max_file_size: 4 * 1024 * 1024,
            sboms: None,
            // A 5,000-component SBOM is about 5 MB; 32 MiB leaves room for large container
            // images while keeping the memory of a parsed document bounded.
            max_sbom_size: 32 * 1024 * 1024,
            advisories: Vec::new(),
            // OSV records are a few kilobytes; the largest (kernel CVEs with every
            // affected version listed) stay well under a megabyte.
            max_advisory_size: 4 * 1024 * 1024,
            vex: Vec::new(),
            vex_max_age: Some(DEFAULT_VEX_MAX_AGE),
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
            table_range: 0..0,
            fingerprint: FingerprintConfig::default(),
            review: ReviewConfig::default(),
            diff: DiffConfig::default(),
            support: SupportConfig::default(),
            evidence: EvidenceConfig::default(),
            revalidate: RevalidateConfig::default(),
            release: None,
            command: None,
            renderers: None,
            before: None,
            after: None,
            optional: None,
        }
    }
}

/// The keys of `[preprocessor.techfile]` besides mdBook's own ([`MDBOOK_KEYS`]).
const KEYS: &[&str] = &[
    "items",
    "exclude",
    "max-file-size",
    "sboms",
    "max-sbom-size",
    "advisories",
    "max-advisory-size",
    "vex",
    "vex-max-age",
    "generate-pages",
    "pages-title",
    "pages-dir",
    "coverage",
    "severity",
    "not-applicable",
    "risk",
    "stride",
    "diagram",
    "bundle",
    "fingerprint",
    "review",
    "diff",
    "support",
    "evidence",
    "revalidate",
    "release",
];

const COVERAGE_KEYS: &[&str] = &[
    "requirement",
    "control",
    "risk",
    "test",
    "practice",
    "mdr",
    "ivdr",
    "draft",
    "stride",
    "asset",
    "interface",
    "crossing",
    "risk-model",
];

/// How findings about reading book.toml itself advise.
const BOOK_TOML: InputKind = InputKind {
    noun: "file",
    io_help: "check that book.toml exists and is readable",
    size_help: "",
    utf8_help: "save book.toml as UTF-8 (most editors offer this in 'Save as')",
};

/// [`read`] for book.toml as the edge read it: adds its text to `map` first.
///
/// # Errors
///
/// As [`read`], and a `read-error` or `not-utf8` finding when book.toml could not be read
/// as text.
pub fn read_book_toml(
    map: &mut SourceMap,
    book_toml: &Input,
    overrides: &[EnvOverride],
) -> Result<Config, Vec<Diagnostic>> {
    let file = add_text(
        map,
        book_toml.name.clone(),
        book_toml.content.clone(),
        &BOOK_TOML,
    )
    .map_err(|d| vec![d])?;
    read(map, file, overrides)
}

/// [`read_book_toml`] that keeps what it could read: the configuration as far as it is
/// valid (a key with a finding keeps its default) beside every finding, so the edge can
/// check what the valid keys name (the item folders, the `exclude` patterns) in the same
/// round and report every configuration error at once. `None` when there is no table to
/// read (book.toml unreadable, not TOML, or `[preprocessor.techfile]` not a table).
pub fn read_book_toml_partial(
    map: &mut SourceMap,
    book_toml: &Input,
    overrides: &[EnvOverride],
) -> (Option<Config>, Vec<Diagnostic>) {
    let file = match add_text(
        map,
        book_toml.name.clone(),
        book_toml.content.clone(),
        &BOOK_TOML,
    ) {
        Ok(file) => file,
        Err(d) => return (None, vec![d]),
    };
    read_partial(map, file, overrides)
}

/// Reads `[preprocessor.techfile]` from book.toml, file `file` of `map`, with the
/// `MDBOOK_...` environment variables that override its keys laid over the text, in the
/// given order (see [`override_path`]). Values from the environment point into an
/// `ENVIRONMENT` file added to `map`. A book.toml without the table gives the defaults.
///
/// # Errors
///
/// Every problem of the table and its sub-tables, each a `config-...` finding (see
/// [`Code`]) at the key or value concerned, with a help line: unknown keys, wrong types,
/// missing and invalid values, and the rules that tie values together. A TOML syntax
/// error of book.toml is reported alone (`config-toml-syntax`): nothing after it can be
/// trusted.
pub fn read(
    map: &mut SourceMap,
    file: FileId,
    overrides: &[EnvOverride],
) -> Result<Config, Vec<Diagnostic>> {
    match read_partial(map, file, overrides) {
        (Some(c), diags) if diags.is_empty() => Ok(c),
        (_, diags) => Err(diags),
    }
}

/// [`read`], keeping the configuration read so far beside the findings (sorted).
fn read_partial(
    map: &mut SourceMap,
    file: FileId,
    overrides: &[EnvOverride],
) -> (Option<Config>, Vec<Diagnostic>) {
    // Only the first syntax error: after it the parser guesses, and its further errors
    // are mostly echoes of the first.
    let document = match toml::de::DeTable::parse(map.text(file)) {
        Ok(d) => d,
        Err(e) => return (None, vec![syntax_error(file, &e)]),
    };
    let mut root = tree::from_document(file, document.get_ref());
    let mut r = Reader::default();
    if !overrides.is_empty() {
        r.diags = tree::apply_overrides(map, &mut root, overrides);
    }
    let techfile = match root.get("preprocessor").map(|e| &e.value) {
        None => None,
        Some(node) => r
            .table(node, "preprocessor", "[preprocessor.techfile]")
            .and_then(|t| t.get("techfile")),
    };
    let config = match techfile {
        None => Some(Config::default()),
        Some(entry) => r
            .table(
                &entry.value,
                "preprocessor.techfile",
                "[preprocessor.techfile]",
            )
            .map(|t| {
                let mut c = read_table(&mut r, t);
                // A `[preprocessor.techfile]` header is the value's span; an implicit
                // table's is the key's.
                if entry.value.span.file == file {
                    c.table_range = entry.value.span.range();
                }
                c
            }),
    };
    let config = config.map(|mut c| {
        if let Some(b) = &mut c.bundle
            && b.document_title.is_none()
        {
            b.document_title = book_title(&root);
        }
        c
    });
    let mut diags = r.diags;
    crate::diag::sort(&mut diags);
    (config, diags)
}

/// `[book] title`, which the cover shows when `bundle.document-title` is not set. mdBook
/// checks its own table; a title that is not a string is simply not used here.
fn book_title(root: &Table) -> Option<String> {
    let book = root.get("book")?;
    let tree::Value::Table(t) = &book.value.value else {
        return None;
    };
    match &t.get("title")?.value.value {
        tree::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn syntax_error(file: FileId, e: &toml::de::Error) -> Diagnostic {
    Diagnostic::new(
        Code::ConfigTomlSyntax,
        format!(
            "book.toml is not valid TOML: {}",
            e.message().lines().next().unwrap_or_default().trim()
        ),
    )
    .at(Span::new(file, e.span().unwrap_or(0..0)), "here")
    .help("book.toml is TOML: `key = \"text\"`, `key = [\"A\", \"B\"]`, tables as `[preprocessor.techfile]`")
}

/// The findings in a stable order, or the configuration when there are none.
fn finish(config: Option<Config>, r: Reader) -> Result<Config, Vec<Diagnostic>> {
    let mut diags = r.diags;
    match config {
        Some(c) if diags.is_empty() => Ok(c),
        _ => {
            crate::diag::sort(&mut diags);
            Err(diags)
        }
    }
}

impl Config {
    /// Reads the body of `[preprocessor.techfile]` given alone, as if it were the whole
    /// file: for tests and tools that build a configuration from text.
    ///
    /// # Errors
    ///
    /// As [`read`]; the spans of the findings are byte ranges of `text`.
    pub fn from_toml(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let mut map = SourceMap::new();
        let file = map.add("[preprocessor.techfile]", text);
        let table = match toml::de::DeTable::parse(text) {
            Ok(t) => tree::from_document(file, t.get_ref()),
            Err(e) => return Err(vec![syntax_error(file, &e)]),
        };
        let mut r = Reader::default();
        let c = read_table(&mut r, &table);
        finish(Some(c), r)
    }

    /// The SBOM sources and whether they must exist (only the default may be absent).
    pub fn sbom_sources(&self) -> (Vec<String>, bool) {
        match &self.sboms {
            Some(list) => (list.clone(), true),
            None => (vec![DEFAULT_SBOMS.to_string()], false),
        }
    }

    /// The coverage policy as the generated tables apply it: a rule fails the build only
    /// when its finding is an error at the configured severity, so a rule whose code is set
    /// to `warn` or `allow` is switched off here, and the tables show what it would report
    /// as open work, never as a red gap.
    pub(crate) fn failing_coverage(&self) -> Coverage {
        let c = &self.coverage;
        let fails = |on: bool, code: Code| on && self.level(code) == Level::Deny;
        Coverage {
            requirement: fails(c.requirement, Code::RequirementNotImplemented),
            control: fails(c.control, Code::ControlNotVerified),
            risk: fails(c.risk, Code::RiskNotMitigated),
            test: fails(c.test, Code::TestVerifiesNothing),
            practice: fails(c.practice, Code::PracticeNotAddressed),
            mdr: fails(c.mdr, Code::RegulationNotAddressed),
            ivdr: fails(c.ivdr, Code::RegulationNotAddressed),
            test_failed: fails(c.test_failed, Code::TestFailed),
            ..c.clone()
        }
    }

    /// The level in force for a code.
    pub(crate) fn level(&self, code: Code) -> Level {
        self.severity
            .get(code.as_str())
            .copied()
            .unwrap_or(code.default_level())
    }
}

/// The keys of `[preprocessor.techfile]` itself.
fn read_table(r: &mut Reader, t: &Table) -> Config {
    let mut c = Config::default();
    for e in &t.entries {
        let v = &e.value;
        let key = e.key.as_str();
        match key {
            "items" => {
                if let Some(list) = folders(r, v, key, "[\"../requirements\"]", "item folder") {
                    if list.is_empty() {
                        r.invalid(
                            v.span,
                            "`items` lists no folder",
                            "list at least one folder of item files, relative to the book root: `items = [\"../requirements\"]`",
                        );
                    }
                    c.item_spans = match &v.value {
                        tree::Value::Array(a) => a.iter().map(|n| n.span).collect(),
                        _ => Vec::new(),
                    };
                    c.items = list;
                }
            }
            "exclude" => {
                if let Some(list) = r.strings(v, key, "exclude = [\"drafts/\", \"*.tmpl.md\"]") {
                    for (p, span) in &list {
                        if p.trim().is_empty() {
                            r.invalid(
                                *span,
                                "an entry of `exclude` is empty",
                                "write a gitignore-style pattern, such as `notes/` or `*.tmpl.md`",
                            );
                        }
                    }
                    c.exclude = list;
                }
            }
            "sboms" => c.sboms = folders(r, v, key, "[\"../sboms\"]", "SBOM folder or file"),
            "max-file-size" => {
                c.max_file_size = r
                    .count(v, key, "max-file-size = 4194304", 0)
                    .unwrap_or(c.max_file_size);
            }
            "max-sbom-size" => {
                c.max_sbom_size = r
                    .count(v, key, "max-sbom-size = 33554432", 0)
                    .unwrap_or(c.max_sbom_size);
            }
            "advisories" => {
                if let Some(list) = folders(r, v, key, "[\"../advisories\"]", "advisory folder") {
                    c.advisories = list;
                }
            }
            "vex" => {
                if let Some(list) = folders(r, v, key, "[\"../vex\"]", "VEX file or folder") {
                    c.vex = list;
                }
            }
            "max-advisory-size" => {
                c.max_advisory_size = r
                    .count(v, key, "max-advisory-size = 4194304", 0)
                    .unwrap_or(c.max_advisory_size);
            }
            "vex-max-age" => {
                if let Some(days) = r.count(v, key, "vex-max-age = 365", 0) {
                    // 0 switches the expiry by age off; a count is at most u64.
                    c.vex_max_age = (days > 0).then(|| u32::try_from(days).unwrap_or(u32::MAX));
                }
            }
            "generate-pages" => {
                c.generate_pages = r.boolean(v, key, "generate-pages = true").unwrap_or(true);
            }
            "pages-title" => {
                if let Some(s) = r.string(v, key, "pages-title = \"Traceability\"") {
                    c.pages_title = s;
                }
            }
            "pages-dir" => {
                if let Some(s) = r.string(v, key, "pages-dir = \"techfile\"") {
                    if s.is_empty() || s.contains("..") || s.starts_with('/') {
                        r.invalid(
                            v.span,
                            format!("`pages-dir = \"{s}\"` is not a folder inside the book"),
                            "use a relative folder inside the book's src, without `..`, such as `techfile`",
                        );
                    }
                    c.pages_dir = s;
                }
            }
            "coverage" => {
                if let Some(t) = r.table(v, key, "[preprocessor.techfile.coverage]") {
                    c.coverage = coverage(r, t);
                }
            }
            "severity" => {
                if let Some(t) = r.table(v, key, "[preprocessor.techfile.severity]") {
                    c.severity = severity(r, t);
                }
            }
            "not-applicable" => {
                if let Some(t) = r.table(v, key, "[preprocessor.techfile.not-applicable]") {
                    c.not_applicable = not_applicable(r, t);
                }
            }
            "risk" => {
                if let Some(t) = r.table(v, key, "[preprocessor.techfile.risk]") {
                    c.risk = risk::read(r, t);
                }
            }
            "stride" => {
                if let Some(t) = r.table(v, key, "[preprocessor.techfile.stride]") {
                    c.stride = model::read_stride(r, t);
                }
            }
            "diagram" => {
                if let Some(t) = r.table(v, key, "[preprocessor.techfile.diagram]") {
                    c.diagram = model::read_diagram(r, t);
                }
            }
            "bundle" => {
                if let Some(t) = r.table(v, key, "[preprocessor.techfile.bundle]") {
                    c.bundle = Some(bundle::read(r, t, v.span));
                }
            }
            "fingerprint" => {
                if let Some(t) = r.table(v, key, "[preprocessor.techfile.fingerprint]") {
                    c.fingerprint = review::read_fingerprint(r, t, v.span);
                }
            }
            "review" => {
                if let Some(t) = r.table(v, key, "[preprocessor.techfile.review]") {
                    c.review = review::read_review(r, t);
                }
            }
            "diff" => {
                if let Some(t) = r.table(v, key, "[preprocessor.techfile.diff]") {
                    c.diff = diff::read(r, t);
                }
            }
            "support" => {
                if let Some(t) = r.table(v, key, "[preprocessor.techfile.support]") {
                    c.support = lifecycle::read_support(r, t);
                }
            }
            "evidence" => {
                if let Some(t) = r.table(v, key, "[preprocessor.techfile.evidence]") {
                    c.evidence = lifecycle::read_evidence(r, t);
                }
            }
            "revalidate" => {
                if let Some(t) = r.table(v, key, "[preprocessor.techfile.revalidate]") {
                    c.revalidate = lifecycle::read_revalidate(r, t);
                }
            }
            "release" => {
                if let Some(t) = r.table(v, key, "[preprocessor.techfile.release]") {
                    c.release = Some(lifecycle::read_release(r, t, v.span));
                }
            }
            "command" => c.command = r.string(v, key, "command = \"mdbook-techfile\""),
            "renderers" | "before" | "after" => {
                let list = r
                    .strings(v, key, &format!("{key} = [\"links\"]"))
                    .map(|l| l.into_iter().map(|(s, _)| s).collect());
                match key {
                    "renderers" => c.renderers = list,
                    "before" => c.before = list,
                    _ => c.after = list,
                }
            }
            "optional" => c.optional = r.boolean(v, key, "optional = false"),
            _ => {
                let known: Vec<&str> = KEYS.iter().chain(MDBOOK_KEYS).copied().collect();
                r.unknown_key(e, "", &known);
            }
        }
    }
    // `{version}` in the release patterns is the bundle's version.
    if let (Some(release), None) = (&c.release, &c.bundle) {
        r.missing(
            release.span,
            "[preprocessor.techfile.release] needs the version of the technical file",
            "add [preprocessor.techfile.bundle] with `version = \"1.0\"` (or `version-from = \"git\"`): the release check compares the SBOMs and tests with it",
        );
    }
    c
}

/// A list of paths relative to the book root, none of them empty.
fn folders(r: &mut Reader, v: &Node, key: &str, example: &str, what: &str) -> Option<Vec<String>> {
    let list = r.strings(v, key, &format!("{key} = {example}"))?;
    let mut ok = true;
    for (path, span) in &list {
        if path.trim().is_empty() {
            r.invalid(
                *span,
                format!("an entry of `{key}` is empty"),
                format!("name an {what} relative to the book root"),
            );
            ok = false;
        }
    }
    ok.then(|| list.into_iter().map(|(s, _)| s).collect())
}

fn coverage(r: &mut Reader, t: &Table) -> Coverage {
    let mut c = Coverage::default();
    for e in &t.entries {
        let Some(slot) = (match e.key.as_str() {
            "requirement" => Some(&mut c.requirement),
            "control" => Some(&mut c.control),
            "risk" => Some(&mut c.risk),
            "test" => Some(&mut c.test),
            "practice" => Some(&mut c.practice),
            "mdr" => Some(&mut c.mdr),
            "ivdr" => Some(&mut c.ivdr),
            "draft" => Some(&mut c.draft),
            "stride" => Some(&mut c.stride),
            "asset" => Some(&mut c.asset),
            "interface" => Some(&mut c.interface),
            "crossing" => Some(&mut c.crossing),
            "risk-model" => Some(&mut c.risk_model),
            _ => None,
        }) else {
            r.unknown_key(e, "coverage", COVERAGE_KEYS);
            continue;
        };
        let path = key_path("coverage", &e.key);
        if let Some(b) = r.boolean(&e.value, &path, &format!("{} = false", e.key)) {
            *slot = b;
        }
    }
    c
}

/// `severity.<code> = "deny" | "warn" | "allow"`; the keys are finding codes.
fn severity(r: &mut Reader, t: &Table) -> BTreeMap<String, Level> {
    let mut out = BTreeMap::new();
    let levels: Vec<(&str, Level)> = Level::ALL.iter().map(|l| (l.as_str(), *l)).collect();
    for e in &t.entries {
        let Some(code) = Code::parse(&e.key) else {
            let help = match crate::suggest::closest(&e.key, Code::ALL.iter().map(|c| c.as_str())) {
                Some(s) => format!("did you mean `{s}`?"),
                None => {
                    "the finding codes are listed in the reference (`{{#techfile codes}}`)".into()
                }
            };
            r.diags.push(
                Diagnostic::new(
                    Code::ConfigUnknownKey,
                    format!("`{}` is not a finding code", e.key),
                )
                .at(e.key_span, "no such code")
                .help(help),
            );
            continue;
        };
        let path = key_path("severity", &e.key);
        let Some(level) = r.word(&e.value, &path, "level", &levels) else {
            continue;
        };
        if code.is_fixed() && level != Level::Deny {
            let why = if code.family() == "config" {
                "it means a setting could not be read"
            } else {
                "it means an input could not be read"
            };
            r.invalid(
                e.value.span,
                format!(
                    "`{}` is always an error ({why}), so it cannot be set to `{}`",
                    e.key,
                    level.as_str()
                ),
                format!("remove `{} = \"{}\"`", e.key, level.as_str()),
            );
            continue;
        }
        out.insert(e.key.clone(), level);
    }
    out
}

/// `not-applicable.<catalog ID> = "reason"`.
fn not_applicable(r: &mut Reader, t: &Table) -> BTreeMap<String, String> {
    let catalog = Catalog::builtin();
    let mut out = BTreeMap::new();
    for e in &t.entries {
        let path = key_path("not-applicable", &format!("\"{}\"", e.key));
        let reason = r.text(
            &e.value,
            &path,
            &format!("\"{}\" = \"Stand-alone software: no ...\"", e.key),
            "why the entry does not apply to this device",
        );
        if !catalog.contains(&e.key) {
            let help = match crate::suggest::closest(&e.key, catalog.entries().iter().map(|e| e.id.as_str())) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "name an entry of the built-in catalog (`{{#techfile catalog}}` lists them), such as `MDR-17.4`".into(),
            };
            r.invalid(e.key_span, format!("`{}` is not a catalog ID", e.key), help);
            continue;
        }
        if let Some(reason) = reason {
            out.insert(e.key.clone(), reason);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each finding as (code, message, the text it points at).
    fn errs(text: &str) -> Vec<(&'static str, String, String)> {
        let diags = Config::from_toml(text).expect_err("the configuration is rejected");
        diags
            .iter()
            .map(|d| {
                let span = d.primary.as_ref().expect("every finding has a place").span;
                (
                    d.code.as_str(),
                    d.message.clone(),
                    text[span.range()].to_owned(),
                )
            })
            .collect()
    }

    /// The one finding of `text`.
    fn err(text: &str) -> (&'static str, String, String) {
        let mut all = errs(text);
        assert_eq!(all.len(), 1, "{all:#?}");
        all.remove(0)
    }

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
        assert_eq!(c.before, Some(vec!["links".to_string()]));
        let (code, message, at) = err("before = \"links\"");
        assert_eq!(code, "config-wrong-type");
        assert!(
            message.contains("`before` must be an array of strings"),
            "{message}"
        );
        assert_eq!(at, "\"links\"");
    }

    #[test]
    fn unknown_keys_and_types_are_rejected_together() {
        let all = errs("itemz = []\n[coverage]\ncontrol = \"yes\"\nrequirment = false\n");
        assert_eq!(
            all,
            [
                (
                    "config-unknown-key",
                    "unknown key `itemz` in [preprocessor.techfile]".to_string(),
                    "itemz".to_string()
                ),
                (
                    "config-wrong-type",
                    "`coverage.control` must be a boolean, found a string".to_string(),
                    "\"yes\"".to_string()
                ),
                (
                    "config-unknown-key",
                    "unknown key `requirment` in [preprocessor.techfile.coverage]".to_string(),
                    "requirment".to_string()
                ),
            ]
        );
        let d = Config::from_toml("itemz = []").unwrap_err();
        assert_eq!(d[0].help.as_deref(), Some("did you mean `items`?"));
        let d = Config::from_toml("[coverage]\nzzz = true").unwrap_err();
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .contains("requirement, control, risk"),
            "{:?}",
            d[0].help
        );
        let (code, _, at) = err("coverage = 1");
        assert_eq!((code, at.as_str()), ("config-wrong-type", "1"));
    }

    #[test]
    fn not_applicable_names_catalog_entries_with_a_reason() {
        let c =
            Config::from_toml("[not-applicable]\n\"MDR-14.1\" = \"Stand-alone device\"").unwrap();
        assert_eq!(c.not_applicable["MDR-14.1"], "Stand-alone device");
        let text = "[not-applicable]\n\"MDR-14.9\" = \"x\"\n\"MDR-14.1\" = \" \"\n";
        let all = errs(text);
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(all[0].0, "config-invalid-value");
        assert_eq!(all[0].1, "`MDR-14.9` is not a catalog ID");
        assert_eq!(all[0].2, "\"MDR-14.9\"");
        assert_eq!(all[1].1, "`not-applicable.\"MDR-14.1\"` is empty");
        assert_eq!(all[1].2, "\" \"");
        let d = Config::from_toml(text).unwrap_err();
        assert_eq!(d[0].help.as_deref(), Some("did you mean `MDR-14.1`?"));
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
        let three = "[risk]\nexploitability = [\"likely\", \"possible\", \"rare\"]\nseverity = [\"low\", \"high\"]\n";
        // A three-level scale needs its own matrix and thresholds: both are reported, at
        // the scale that does not fit the defaults.
        let all = errs(three);
        let messages: Vec<&str> = all.iter().map(|(_, m, _)| m.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`risk.exploitability` has 3 levels, but the default matrix is 5 × 5",
                "the default CVSS thresholds fit five exploitability levels, but `risk.exploitability` has 3",
                "`risk.severity` has 2 levels, but the default matrix is 5 × 5",
            ]
        );
        assert_eq!(all[0].2, "[\"likely\", \"possible\", \"rare\"]");
        let ok = format!(
            "{three}matrix = [[\"review\", \"unacceptable\"], [\"acceptable\", \"review\"], [\"acceptable\", \"acceptable\"]]\ncvss-thresholds = [3.0, 1.5]\n"
        );
        let c = Config::from_toml(&ok).unwrap();
        assert_eq!(c.risk.cvss_thresholds_tenths(), [30, 15]);
        let e = err(&ok.replace("cvss-thresholds = [3.0, 1.5]\n", ""));
        assert!(e.2.contains("likely"), "points at the scale: {e:?}");
        assert!(e.1.contains("default CVSS thresholds"), "{e:?}");
        let e = err(&ok.replace("[3.0, 1.5]", "[1.5, 3.0]"));
        assert!(e.1.contains("must fall"), "{e:?}");
        assert_eq!(e.2, "3.0");
        let e = err(&ok.replace("[3.0, 1.5]", "[3.0, 1.55]"));
        assert!(
            e.1.contains("1.55 is not a CVSS exploitability sub-score"),
            "{e:?}"
        );
        assert_eq!(e.2, "1.55");
        let e = err(&ok.replace("[3.0, 1.5]", "[3.0]"));
        assert!(e.1.contains("has 1 values"), "{e:?}");
        assert_eq!(e.2, "[3.0]");
        let e = err(&ok.replace("[3.0, 1.5]", "[4.5, 1.5]"));
        assert_eq!(e.2, "4.5");
        let e = err(&ok.replace("[3.0, 1.5]", "[3.0, \"1.5\"]"));
        assert_eq!((e.0, e.2.as_str()), ("config-wrong-type", "\"1.5\""));
        // A ragged row.
        let e = err(&ok.replace("[\"acceptable\", \"review\"]", "[\"acceptable\"]"));
        assert!(e.1.contains("the row of `possible` has 1 cells"), "{e:?}");
        assert_eq!(e.2, "[\"acceptable\"]");
        let e = err(&ok.replace("matrix = [[\"review\", \"unacceptable\"], ", "matrix = ["));
        assert!(
            e.1.contains("`risk.matrix` has 2 rows, but the exploitability scale has 3 levels"),
            "{e:?}"
        );
        // An unknown level word, with a suggestion.
        let text = ok.replace(
            "\"review\", \"unacceptable\"",
            "\"review\", \"unaceptable\"",
        );
        let e = err(&text);
        assert_eq!(e.1, "unknown acceptance level `unaceptable`");
        assert_eq!(
            Config::from_toml(&text).unwrap_err()[0].help.as_deref(),
            Some("did you mean `unacceptable`?")
        );
        // A transposed matrix gets more acceptable as risks get worse: every such cell is
        // reported, pointing at it.
        let transposed = ok.replace(
            "[[\"review\", \"unacceptable\"], [\"acceptable\", \"review\"], [\"acceptable\", \"acceptable\"]]",
            "[[\"acceptable\", \"acceptable\"], [\"acceptable\", \"review\"], [\"review\", \"unacceptable\"]]",
        );
        let all = errs(&transposed);
        assert_eq!(all.len(), 3, "{all:#?}");
        assert!(
            all.iter().all(|(_, m, _)| m.contains("the less likely")),
            "{all:#?}"
        );
        let d = Config::from_toml(&transposed).unwrap_err();
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .contains("never gets more acceptable as exploitability grows")
        );
        let e = err(&ok.replace(
            "[\"review\", \"unacceptable\"]",
            "[\"unacceptable\", \"review\"]",
        ));
        assert_eq!(
            e.1,
            "`likely / high` is review but the less severe `likely / low` is unacceptable"
        );
        assert_eq!(e.2, "\"review\"");
        // Words.
        let e = err("[risk]\nseverity = [\"a\", \"b\", \"a\", \"c\", \"d\"]");
        assert_eq!(e.1, "`a` is listed twice in `risk.severity`");
        assert_eq!(e.2, "\"a\"");
        let e = err("[risk]\nseverity = [\"very bad\", \"b\", \"c\", \"d\", \"e\"]");
        assert!(e.1.contains("not a usable level word"), "{e:?}");
        let e = err("[risk]\nseverity = []");
        assert!(e.1.contains("lists no level"), "{e:?}");
        let e = err("[risk]\nlevels = 3");
        assert_eq!((e.0, e.2.as_str()), ("config-unknown-key", "levels"));
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
        assert_eq!(c.diagram, DiagramConfig::default());
        let c = Config::from_toml(
            "[coverage]\nstride = false\nrisk-model = false\n[stride]\ninterface = [\"tampering\", \"spoofing\"]\nactor = []\n[diagram]\ntimeout = 0.5\nmax-elements = 10\ndot = \"/opt/gv/dot\"\n",
        )
        .unwrap();
        assert!(!c.coverage.stride && !c.coverage.risk_model && c.coverage.asset);
        assert_eq!(
            c.stride.categories(Kind::Interface),
            [Stride::Spoofing, Stride::Tampering],
            "kept in STRIDE order"
        );
        assert!(c.stride.categories(Kind::Actor).is_empty());
        assert_eq!(
            c.stride.categories(Kind::DataFlow).len(),
            3,
            "unlisted types keep theirs"
        );
        assert_eq!(c.diagram.timeout_ms(), 500);
        assert_eq!(c.diagram.max_elements, 10);
        assert_eq!(c.diagram.dot, "/opt/gv/dot");
        assert_eq!(
            Config::from_toml("[diagram]\ntimeout = 2")
                .unwrap()
                .diagram
                .timeout_ms(),
            2000
        );
        // Each error at its value, with a suggestion where one fits.
        let e = err("[stride]\nactor = [\"spoofing\", \"spoofng\"]");
        assert_eq!(
            (e.0, e.1.as_str(), e.2.as_str()),
            (
                "config-invalid-value",
                "unknown STRIDE category `spoofng`",
                "\"spoofng\""
            )
        );
        let d = Config::from_toml("[stride]\nactor = [\"spoofng\"]").unwrap_err();
        assert_eq!(d[0].help.as_deref(), Some("did you mean `spoofing`?"));
        let e = err("[stride]\nactor = [\"spoofing\", \"repudiation\", \"spoofing\"]");
        assert_eq!(e.1, "`spoofing` is listed twice in `stride.actor`");
        assert_eq!(e.2, "\"spoofing\"");
        let text = "[stride]\nactor = [\"spoofing\", \"repudiation\", \"spoofing\"]";
        let span = Config::from_toml(text).unwrap_err()[0]
            .primary
            .as_ref()
            .unwrap()
            .span;
        assert_eq!(
            span.start as usize,
            text.rfind("\"spoofing\"").unwrap(),
            "the second one"
        );
        let e = err("[stride]\nactor = \"spoofing\"");
        assert_eq!((e.0, e.2.as_str()), ("config-wrong-type", "\"spoofing\""));
        assert_eq!(
            e.1,
            "`stride.actor` must be an array of STRIDE categories, found a string"
        );
        let e = err("[stride]\nactor = [1]");
        assert_eq!(e.0, "config-wrong-type");
        assert!(e.1.contains("an array of STRIDE categories"), "{e:?}");
        assert_eq!(e.2, "1");
        let e = err("[stride]\ndatastore = []");
        assert_eq!((e.0, e.2.as_str()), ("config-unknown-key", "datastore"));
        let d = Config::from_toml("[stride]\ndatastore = []").unwrap_err();
        assert_eq!(d[0].help.as_deref(), Some("did you mean `data-store`?"));
        let e = err("[diagram]\ntimeout = 0");
        assert_eq!((e.0, e.2.as_str()), ("config-invalid-value", "0"));
        assert_eq!(
            e.1,
            "`diagram.timeout` must be more than 0 and at most 3600 seconds, found 0"
        );
        let e = err("[diagram]\ntimeout = 3600.5");
        assert_eq!(e.0, "config-invalid-value");
        let e = err("[diagram]\ntimeout = \"30s\"");
        assert_eq!((e.0, e.2.as_str()), ("config-wrong-type", "\"30s\""));
        let e = err("[diagram]\nmax-elements = 0");
        assert_eq!((e.0, e.2.as_str()), ("config-invalid-value", "0"));
        assert!(
            e.1.contains("`diagram.max-elements` must be at least 1"),
            "{e:?}"
        );
        let e = err("[diagram]\ndot = \" \"");
        assert_eq!(
            (e.0, e.1.as_str()),
            ("config-invalid-value", "`diagram.dot` is empty")
        );
        let e = err("[diagram]\nlayout = \"x\"");
        assert_eq!((e.0, e.2.as_str()), ("config-unknown-key", "layout"));
        let e = err("[coverage]\nrisk_model = true");
        assert_eq!(e.0, "config-unknown-key");
        let d = Config::from_toml("[coverage]\nrisk_model = true").unwrap_err();
        assert_eq!(d[0].help.as_deref(), Some("did you mean `risk-model`?"));
        let e = err("stride = 1");
        assert_eq!((e.0, e.2.as_str()), ("config-wrong-type", "1"));
        // Several at once, in the order written.
        let all = errs("[stride]\nprocess = [\"x\"]\n[diagram]\nmax-elements = -1\n");
        assert_eq!(all.len(), 2, "{all:#?}");
    }

    #[test]
    fn the_bundle_table_is_optional_and_validated() {
        assert_eq!(Config::from_toml("").unwrap().bundle, None);
        let c = Config::from_toml("[bundle]\nversion = \"1.0\"\npdf = false").unwrap();
        assert!(!c.bundle.unwrap().pdf);
        let e = err("[bundle]\npdf = false");
        assert_eq!(e.0, "config-missing-key");
        assert!(
            e.1.contains("[preprocessor.techfile.bundle] sets no version"),
            "{e:?}"
        );
        assert_eq!(e.2, "[bundle]", "points at the table's header");
    }

    #[test]
    fn advisory_and_vex_settings_are_read_and_checked() {
        let c = Config::default();
        assert!(c.advisories.is_empty() && c.vex.is_empty());
        assert_eq!(c.vex_max_age, Some(DEFAULT_VEX_MAX_AGE));
        let c = Config::from_toml(
            "advisories = [\"../osv\"]\nvex = [\"../vex\", \"a.json\"]\nmax-advisory-size = 99\nvex-max-age = 30",
        )
        .unwrap();
        assert_eq!(c.advisories, ["../osv"]);
        assert_eq!(c.vex, ["../vex", "a.json"]);
        assert_eq!((c.max_advisory_size, c.vex_max_age), (99, Some(30)));
        assert_eq!(
            Config::from_toml("vex-max-age = 0").unwrap().vex_max_age,
            None
        );
        let e = err("advisory = []");
        assert_eq!(e.0, "config-unknown-key");
        assert!(e.1.contains("advisory"));
        assert_eq!(err("advisories = \"../osv\"").0, "config-wrong-type");
        assert_eq!(err("vex = [\"\"]").0, "config-invalid-value");
        assert_eq!(err("vex-max-age = -1").0, "config-invalid-value");
    }

    #[test]
    fn sbom_sources_default_to_an_optional_folder() {
        let c = Config::default();
        assert_eq!(c.sbom_sources(), (vec!["../sboms".to_string()], false));
        let c = Config::from_toml("sboms = [\"../boms\", \"x.json\"]\nmax-sbom-size = 10").unwrap();
        assert!(c.sbom_sources().1);
        assert_eq!(c.max_sbom_size, 10);
        let e = err("sboms = [\"a\", \" \"]");
        assert_eq!((e.0, e.2.as_str()), ("config-invalid-value", "\" \""));
        let e = err("sbom = []");
        assert_eq!(e.0, "config-unknown-key");
        let e = err("max-sbom-size = -1");
        assert_eq!((e.0, e.2.as_str()), ("config-invalid-value", "-1"));
        let e = err("max-sbom-size = 1.5");
        assert_eq!(e.0, "config-wrong-type");
    }

    #[test]
    fn items_and_pages_dir_stay_inside_the_book() {
        let e = err("items = []");
        assert_eq!((e.0, e.2.as_str()), ("config-invalid-value", "[]"));
        for bad in ["../outside", "/abs", ""] {
            let e = err(&format!("pages-dir = \"{bad}\""));
            assert_eq!(e.0, "config-invalid-value", "{bad}");
        }
    }

    #[test]
    fn severity_names_real_codes_and_respects_fixed_ones() {
        let c = Config::from_toml("[severity]\ncontrol-not-verified = \"warn\"").unwrap();
        assert_eq!(c.level(Code::ControlNotVerified), Level::Warn);
        assert_eq!(c.level(Code::RiskNotMitigated), Level::Deny);
        let text = "[severity]\ncontrol-not-verifed = \"warn\"\ntoml-syntax = \"allow\"\nunknown-id = \"sometimes\"\nconfig-unknown-key = \"warn\"\n";
        let all = errs(text);
        assert_eq!(all.len(), 4, "{all:#?}");
        assert_eq!(all[0].0, "config-unknown-key");
        assert_eq!(all[0].2, "control-not-verifed");
        assert!(
            all[1].1.contains("`toml-syntax` is always an error"),
            "{all:?}"
        );
        assert_eq!(all[1].2, "\"allow\"");
        assert_eq!(all[2].1, "unknown level `sometimes`");
        assert!(all[3].1.contains("a setting could not be read"), "{all:?}");
        let d = Config::from_toml(text).unwrap_err();
        assert_eq!(
            d[0].help.as_deref(),
            Some("did you mean `control-not-verified`?")
        );
    }

    fn read_book(text: &str, env: &[(&str, &str)]) -> (Result<Config, Vec<Diagnostic>>, SourceMap) {
        let mut map = SourceMap::new();
        let file = map.add("book/book.toml", text);
        let overrides: Vec<EnvOverride> = env
            .iter()
            .map(|(name, value)| EnvOverride {
                name: (*name).into(),
                value: (*value).into(),
            })
            .collect();
        (read(&mut map, file, &overrides), map)
    }

    #[test]
    fn book_toml_findings_have_line_and_column() {
        let text = "[book]\ntitle = \"T\"\n\n[preprocessor.techfile]\nitemz = [\"a\"]\n\n[preprocessor.techfile.bundle]\nversion = \"1\"\npdf = \"no\"\n";
        let (result, map) = read_book(text, &[]);
        let d = result.unwrap_err();
        let places: Vec<(&str, (usize, usize))> = d
            .iter()
            .map(|d| {
                let span = d.primary.as_ref().unwrap().span;
                (
                    d.code.as_str(),
                    map.get(span.file).line_col(span.start as usize),
                )
            })
            .collect();
        assert_eq!(
            places,
            [
                ("config-unknown-key", (5, 1)),
                ("config-wrong-type", (9, 7))
            ]
        );
        // Without the table: the defaults; with it, the place of its name.
        let (c, _) = read_book("[book]\ntitle = \"T\"\n", &[]);
        assert_eq!(c.unwrap(), Config::default());
        let (c, _) = read_book(
            text.replace("itemz", "items")
                .replace("\"no\"", "false")
                .as_str(),
            &[],
        );
        let c = c.unwrap();
        assert_eq!(&text[c.table_range.clone()], "[preprocessor.techfile]");
        // A syntax error is reported alone, where it is.
        let (result, map) = read_book(
            "[book]\ntitle = \"T\n[preprocessor.techfile]\nitemz = 1\n",
            &[],
        );
        let d = result.unwrap_err();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, Code::ConfigTomlSyntax);
        let span = d[0].primary.as_ref().unwrap().span;
        assert_eq!(map.get(span.file).line_col(span.start as usize).0, 2);
        // `preprocessor` must be a table to hold ours.
        let (result, _) = read_book("preprocessor = 1\n", &[]);
        assert_eq!(result.unwrap_err()[0].code, Code::ConfigWrongType);
    }

    #[test]
    fn the_cover_title_defaults_to_the_book_title() {
        let bundle = |text: &str| read_book(text, &[]).0.unwrap().bundle.unwrap();
        let tables = "[preprocessor.techfile.bundle]\nversion = \"1\"\n";
        assert_eq!(
            bundle(&format!("[book]\ntitle = \"Pump file\"\n{tables}")).document_title,
            Some("Pump file".into())
        );
        assert_eq!(
            bundle(&format!(
                "[book]\ntitle = \"Pump file\"\n{tables}document-title = \"Own\"\n"
            ))
            .document_title,
            Some("Own".into())
        );
        assert_eq!(bundle(tables).document_title, None);
    }

    #[test]
    fn environment_overrides_apply_and_their_findings_name_the_variable() {
        let text = "[preprocessor.techfile.bundle]\nversion = \"1\"\n";
        let (c, _) = read_book(
            text,
            &[("MDBOOK_PREPROCESSOR__TECHFILE__BUNDLE__PDF", "false")],
        );
        assert!(!c.unwrap().bundle.unwrap().pdf);
        // mdBook reads the value as JSON: `1.0` is a number, not the string a version is.
        let (result, map) = read_book(
            text,
            &[
                ("MDBOOK_PREPROCESSOR__TECHFILE__BUNDLE__VERSION", "1.0"),
                ("MDBOOK_PREPROCESSOR__TECHFILE__COMMAND", "anything"),
            ],
        );
        let d = result.unwrap_err();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, Code::ConfigWrongType);
        let span = d[0].primary.as_ref().unwrap().span;
        let file = map.get(span.file);
        assert_eq!(file.name, tree::ENVIRONMENT);
        assert_eq!(&file.text[span.range()], "1.0");
        assert!(
            file.text
                .starts_with("MDBOOK_PREPROCESSOR__TECHFILE__BUNDLE__VERSION=1.0\n")
        );
    }
}
