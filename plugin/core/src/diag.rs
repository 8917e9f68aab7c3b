//! The one finding type, its stable codes, and its two renderings (human and JSON).
//!
//! The core never prints: checks return `Vec<Diagnostic>`, and only the edges
//! (the binary and the mdBook glue) decide where the rendered text goes.

use crate::model::{SourceMap, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{self, Files};
use codespan_reporting::term;
use serde::Serialize;
use std::ops::Range;

/// How bad a finding is. `Error` fails the build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Reported; the build still succeeds.
    Warning,
    /// Reported; `mdbook build` and `check` fail.
    Error,
}

impl Severity {
    /// The word used in rendered findings and JSON (`warning`, `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What the user may set a code to in `[preprocessor.techfile.severity]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Report as an error.
    Deny,
    /// Report as a warning.
    Warn,
    /// Do not report (not allowed for fixed codes, see [`Code::is_fixed`]).
    Allow,
}

impl Level {
    pub(crate) const ALL: [Level; 3] = [Level::Deny, Level::Warn, Level::Allow];

    /// The word written in book.toml.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Level::Deny => "deny",
            Level::Warn => "warn",
            Level::Allow => "allow",
        }
    }
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $family:literal, $default:ident, $fixed:literal; )*) => {
        /// Every finding the tool can report. The kebab-case names are a public contract:
        /// users configure them in book.toml and CI scripts match on them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The kebab-case name users write in `[preprocessor.techfile.severity]` and scripts
            /// match on.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The family the code belongs to (one checks module per family).
            pub fn family(self) -> &'static str {
                match self { $(Code::$variant => $family,)* }
            }

            /// The level the code has unless book.toml sets another.
            pub fn default_level(self) -> Level {
                match self { $(Code::$variant => Level::$default,)* }
            }

            /// Codes whose level cannot be lowered: ignoring them would silently drop an
            /// item, a file or a setting, and nothing may be lost without the user seeing it.
            pub fn is_fixed(self) -> bool {
                match self { $(Code::$variant => $fixed,)* }
            }

            /// One-line explanation, used in the book's code reference.
            pub(crate) fn summary(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc),*).trim_ascii(),)* }
            }
        }
    };
}

codes! {
    /// book.toml is not valid TOML, so `[preprocessor.techfile]` cannot be read.
    ConfigTomlSyntax = "config-toml-syntax", "config", Deny, true;
    /// `[preprocessor.techfile]` or one of its tables has a key the tool does not know (for `severity`: a name that is not a finding code).
    ConfigUnknownKey = "config-unknown-key", "config", Deny, true;
    /// A configuration value has the wrong TOML type.
    ConfigWrongType = "config-wrong-type", "config", Deny, true;
    /// A configuration key that is required is missing (the bundle's version, a revision's fields).
    ConfigMissingKey = "config-missing-key", "config", Deny, true;
    /// A configuration value has the right type but is not allowed: an unknown word, a path outside the book, a matrix or CVSS thresholds that do not fit the scales, a catalog ID that does not exist, revisions out of order.
    ConfigInvalidValue = "config-invalid-value", "config", Deny, true;
    /// A file could not be read.
    ReadError = "read-error", "load", Deny, true;
    /// A file is not valid UTF-8.
    NotUtf8 = "not-utf8", "load", Deny, true;
    /// A file is larger than its limit (`max-file-size` for items, `max-sbom-size` for SBOMs, `max-advisory-size` for advisory records and VEX documents).
    FileTooLarge = "file-too-large", "load", Deny, true;
    /// An item file has no `+++` front-matter.
    MissingFrontMatter = "missing-front-matter", "load", Deny, true;
    /// The front-matter opens with `+++` but never closes.
    UnclosedFrontMatter = "unclosed-front-matter", "load", Deny, true;
    /// The front-matter is not valid TOML.
    TomlSyntax = "toml-syntax", "load", Deny, true;
    /// The front-matter has a key the tool does not know.
    UnknownKey = "unknown-key", "load", Deny, true;
    /// A front-matter value has the wrong TOML type.
    WrongType = "wrong-type", "load", Deny, true;
    /// A required front-matter key is missing.
    MissingKey = "missing-key", "load", Deny, true;
    /// A front-matter value has the right type but is not allowed (unknown kind, bad date, bad ID).
    InvalidValue = "invalid-value", "load", Deny, true;
    /// A risk estimate rests on a CVSS vector of a version with no exploitability sub-score on the scale (CVSS 2.0, 4.0) and gives no `exploitability` word beside it.
    CvssNotMapped = "cvss-not-mapped", "load", Deny, true;
    /// A trace key is used on an item kind that cannot declare it.
    MisplacedKey = "misplaced-key", "load", Deny, true;
    /// Two items (or an item and a catalog entry) share an ID or an anchor.
    DuplicateId = "duplicate-id", "ids", Deny, true;
    /// A trace link names an ID that neither an item nor the catalog defines.
    UnknownId = "unknown-id", "trace", Deny, false;
    /// A trace link points at an item of a kind the relation does not accept.
    WrongLinkKind = "wrong-link-kind", "trace", Deny, false;
    /// The same target is listed twice under one trace key.
    DuplicateLink = "duplicate-link", "trace", Warn, false;
    /// Trace links form a cycle.
    TraceCycle = "trace-cycle", "trace", Deny, false;
    /// A live item links to an obsolete item.
    LinkToObsolete = "link-to-obsolete", "trace", Warn, false;
    /// A requirement is not implemented by any control.
    RequirementNotImplemented = "requirement-not-implemented", "coverage", Deny, false;
    /// A control is not verified by any test.
    ControlNotVerified = "control-not-verified", "coverage", Deny, false;
    /// A test that counts as evidence records `result = "fail"`: what it verifies is not shown to work.
    TestFailed = "test-failed", "coverage", Deny, false;
    /// A risk is not mitigated by any control.
    RiskNotMitigated = "risk-not-mitigated", "coverage", Deny, false;
    /// An MDCG 2019-16 practice has no requirement tracing to it.
    PracticeNotAddressed = "practice-not-addressed", "coverage", Deny, false;
    /// A test verifies nothing.
    TestVerifiesNothing = "test-verifies-nothing", "coverage", Deny, false;
    /// An MDR or IVDR Annex I entry the coverage policy asks for has no requirement.
    RegulationNotAddressed = "regulation-not-addressed", "coverage", Deny, false;
    /// A catalog entry marked not applicable is traced to by a requirement.
    InapplicableEntryTraced = "inapplicable-entry-traced", "coverage", Warn, false;
    /// A risk's residual level is unacceptable and no `benefit-risk` justification accepts it.
    ResidualRiskUnacceptable = "residual-risk-unacceptable", "risk", Deny, false;
    /// A risk's residual estimate is worse than its estimate before controls.
    ResidualRiskIncreased = "residual-risk-increased", "risk", Deny, false;
    /// No control of a risk is verified: none has a passing test without a failing one.
    RiskNotVerified = "risk-not-verified", "risk", Deny, false;
    /// A risk is controlled by information for safety only, with no reason why secure design or a protective measure is not possible.
    RiskInformationOnly = "risk-information-only", "risk", Warn, false;
    /// A STRIDE category that applies to a threat-model element has no risk naming both the element and the category, and no not-applicable reason on the element.
    StrideGap = "stride-gap", "model", Deny, false;
    /// An asset that no risk names in `assets`.
    AssetNotAnalysed = "asset-not-analysed", "model", Deny, false;
    /// An interface that no data flow passes.
    InterfaceWithoutFlow = "interface-without-flow", "model", Deny, false;
    /// A data flow crosses a trust boundary but passes no interface.
    CrossingWithoutInterface = "crossing-without-interface", "model", Deny, false;
    /// A data flow passes an interface that belongs to neither of its ends.
    FlowInterfaceMismatch = "flow-interface-mismatch", "model", Deny, false;
    /// An element is inside two trust boundaries, neither of which contains the other.
    BoundaryOverlap = "boundary-overlap", "model", Deny, false;
    /// In a book with a threat model, a risk in review or approved names no element of it.
    RiskOutsideModel = "risk-outside-model", "model", Deny, false;
    /// An element gives a not-applicable reason for a STRIDE category that a risk of the element analyses.
    NotApplicableContradicted = "not-applicable-contradicted", "model", Warn, false;
    /// A chapter references an item ID that does not exist.
    UnknownReference = "unknown-reference", "book", Deny, false;
    /// A `{{#techfile ...}}` directive is not understood.
    UnknownDirective = "unknown-directive", "book", Deny, false;
    /// Two chapters claim to host the pages of the same item kind.
    DuplicateHost = "duplicate-host", "book", Deny, false;
    /// An SBOM is not valid JSON: a syntax error, or a truncated file.
    SbomJsonSyntax = "sbom-json-syntax", "sbom", Deny, true;
    /// A file in an SBOM folder is CycloneDX XML (`*.xml`), which is not read: only JSON SBOMs are.
    SbomXmlNotRead = "sbom-xml-not-read", "sbom", Warn, false;
    /// An SBOM is not a CycloneDX document (`bomFormat` is missing or not `CycloneDX`).
    SbomNotCyclonedx = "sbom-not-cyclonedx", "sbom", Deny, true;
    /// An SBOM's `specVersion` is missing or not one of 1.4, 1.5, 1.6 and 1.7.
    SbomUnsupportedVersion = "sbom-unsupported-version", "sbom", Deny, true;
    /// An SBOM does not conform to the official CycloneDX JSON schema of its spec version.
    SbomSchema = "sbom-schema", "sbom", Deny, true;
    /// Two objects of one SBOM (components, services, vulnerabilities, ...) share a `bom-ref`, which the specification forbids.
    SbomDuplicateRef = "sbom-duplicate-ref", "sbom", Deny, true;
    /// A reference inside an SBOM (`dependencies`, `compositions`, a vulnerability's `affects`, an annotation's `subjects`, ...) names a bom-ref that no object of that SBOM carries; BOM-Links to other BOMs are not checked.
    SbomUnresolvedRef = "sbom-unresolved-ref", "sbom", Warn, false;
    /// A component's `purl` in an SBOM is not a valid package URL (malformed, an invalid percent escape, a namespace its type prohibits): no reference can name the component by purl, and tools cannot match it to advisories.
    SbomInvalidPurl = "sbom-invalid-purl", "sbom", Warn, false;
    /// NTIA minimum element: a component names no supplier (`supplier`).
    SbomMissingSupplier = "sbom-missing-supplier", "sbom", Warn, false;
    /// NTIA minimum element: a component has no `version`.
    SbomMissingVersion = "sbom-missing-version", "sbom", Warn, false;
    /// NTIA minimum element: a component has no unique identifier (purl, CPE, SWID, OmniBOR or SWHID).
    SbomMissingIdentifier = "sbom-missing-identifier", "sbom", Warn, false;
    /// NTIA minimum element: a component takes no part in the dependency graph (or the SBOM has none).
    SbomMissingDependencies = "sbom-missing-dependencies", "sbom", Warn, false;
    /// NTIA minimum element: the SBOM names no author (`metadata.authors`, or `metadata.manufacturer` from 1.6).
    SbomMissingAuthor = "sbom-missing-author", "sbom", Warn, false;
    /// NTIA minimum element: the SBOM has no `metadata.timestamp`.
    SbomMissingTimestamp = "sbom-missing-timestamp", "sbom", Warn, false;
    /// An item's `affects` names a purl or bom-ref that no loaded SBOM contains, or is a malformed purl.
    UnknownComponent = "unknown-component", "sbom", Deny, false;
    /// A `{{#techfile sbom FILE}}` directive names a file that is not a loaded SBOM; when the name (or the closest one) is an SBOM file that failed to load, the finding points at that file's error.
    UnknownSbom = "unknown-sbom", "book", Deny, false;
    /// An OSV advisory record cannot be read (not JSON, no `id`, a field of the wrong shape), or a time in it is not RFC 3339; a record that cannot be read is not used.
    AdvisoryMalformed = "advisory-malformed", "advisory", Deny, false;
    /// A file in an advisory folder is not a `*.json` OSV record (an `all.zip` left packed, a README) and is not read.
    AdvisoryFileSkipped = "advisory-file-skipped", "advisory", Warn, false;
    /// An advisory names a component's package, but whether the component's version is affected cannot be decided: a GIT range, an ecosystem without a version order and no complete `versions` list, a version the ecosystem's order cannot parse.
    AdvisoryRangeUnevaluated = "advisory-range-unevaluated", "advisory", Warn, false;
    /// A component that advisories name has no version, so they cannot be evaluated for it.
    ComponentVersionMissing = "component-version-missing", "advisory", Warn, false;
    /// A component cannot be matched against advisories: no purl, a malformed purl, a purl type without an advisory ecosystem, or no advisory folder for its ecosystem.
    ComponentNotChecked = "component-not-checked", "advisory", Warn, false;
    /// A component is affected by a vulnerability that no complete VEX statement settles (`not_affected` with a justification, or `fixed`).
    VulnerableComponent = "vulnerable-component", "advisory", Deny, false;
    /// A component is affected by a vulnerability, and a VEX statement `affected` says what is done about it.
    VulnerabilityAffected = "vulnerability-affected", "advisory", Warn, false;
    /// A component has an informational advisory (RustSec `unmaintained`, `unsound`, `notice`), which is not a vulnerability.
    AdvisoryInformational = "advisory-informational", "advisory", Warn, false;
    /// An item's `affects` names a component with an unsettled vulnerability (or the item is a control or test below such a risk): the risk is to be re-estimated, the control re-checked, the test re-run.
    VulnerabilitySuspect = "vulnerability-suspect", "advisory", Warn, false;
    /// A VEX document or statement cannot be read: not JSON, neither OpenVEX nor CycloneDX, no vulnerability, status or component, an unknown status, a date that is not a date.
    VexMalformed = "vex-malformed", "vex", Deny, false;
    /// A VEX statement lacks what its status requires: `not_affected` a justification, `affected` a response (CycloneDX) or action statement (OpenVEX); it settles nothing.
    VexIncomplete = "vex-incomplete", "vex", Deny, false;
    /// A VEX statement is past its review-by date (`techfile:review-by`, or its last update plus `vex-max-age` days) on the revalidation date.
    VexExpired = "vex-expired", "vex", Deny, false;
    /// A VEX statement names a component that no loaded SBOM contains.
    VexUnknownComponent = "vex-unknown-component", "vex", Deny, false;
    /// A VEX statement names a vulnerability that no loaded advisory names (as id or alias).
    VexUnknownVulnerability = "vex-unknown-vulnerability", "vex", Warn, false;
    /// A data-flow diagram draws more elements and data flows than `max-elements`, or takes longer than the time limit to lay out.
    DiagramTooLarge = "diagram-too-large", "book", Deny, false;
    /// A data-flow diagram could not be laid out: Graphviz `dot` is missing, or failed.
    DiagramLayoutFailed = "diagram-layout-failed", "book", Deny, false;
    /// A link or image leads to no page or file of the book.
    BrokenLink = "broken-link", "links", Deny, false;
    /// A link's `#fragment` names no heading or element of the page it leads to.
    BrokenAnchor = "broken-anchor", "links", Deny, false;
    /// A relative link climbs out of the book's `src` folder, or is an absolute path.
    LinkOutsideBook = "link-outside-book", "links", Deny, false;
    /// An item was reviewed against an upstream item that changed since (its fingerprint differs from the stamp in `reviewed-against`), or against one that is itself suspect.
    SuspectLink = "suspect-link", "review", Warn, false;
    /// A link has no stamp in `reviewed-against`, in a book that keeps reviews (an item carries a stamp, or the review folder holds a record).
    ReviewPending = "review-pending", "review", Warn, false;
    /// A stamp in `reviewed-against` that no review record covers.
    ReviewUnrecorded = "review-unrecorded", "review", Deny, false;
    /// With `independent-review = true`: a review by the last author of the reviewed item or of the upstream item.
    ReviewNotIndependent = "review-not-independent", "review", Deny, false;
    /// Review stamps were made under another fingerprint profile version (reported once for the book).
    FingerprintProfileChanged = "fingerprint-profile-changed", "review", Warn, false;
    /// An SBOM component's support has ended: the end-of-support date (a `cdx:lifecycle:milestone:endOfSupport` or `endOfLife` property, or the support table) is past on the day checked. Only judged with a date (`check --today`).
    ComponentEndOfSupport = "component-end-of-support", "lifecycle", Deny, false;
    /// An SBOM component's support ends within `revalidate.eos-warning-days` of the day checked. Only judged with a date (`check --today`).
    ComponentEosSoon = "component-eos-soon", "lifecycle", Warn, false;
    /// In a book that keeps support data (a support table, or a lifecycle property in an SBOM): no source gives an SBOM component a level of support or an end-of-support date.
    ComponentSupportUnknown = "component-support-unknown", "lifecycle", Warn, false;
    /// A `cdx:lifecycle:milestone:*` property of an SBOM component is not an ISO 8601 date.
    LifecycleDateInvalid = "lifecycle-date-invalid", "lifecycle", Deny, true;
    /// An item's `next-review` date is past on the day checked. Only judged with a date (`check --today`).
    ReviewOverdue = "review-overdue", "dates", Deny, false;
    /// An item's `next-review` date is within `revalidate.review-warning-days` of the day checked. Only judged with a date (`check --today`).
    ReviewDue = "review-due", "dates", Warn, false;
    /// A test's evidence entry names a file that is not in the evidence folder.
    EvidenceMissing = "evidence-missing", "evidence", Deny, false;
    /// A test's evidence path is absolute or climbs out of the evidence folder with `..`.
    EvidenceOutside = "evidence-outside", "evidence", Deny, true;
    /// An evidence file's SHA-256 differs from the one recorded in the test (or none is recorded): the file changed since `mdbook-techfile evidence --update`.
    EvidenceChanged = "evidence-changed", "evidence", Deny, false;
    /// A JUnit XML evidence file cannot be read as JUnit.
    JunitMalformed = "junit-malformed", "evidence", Deny, true;
    /// A test names a JUnit test case (`junit = ["classname::name"]`) that none of its JUnit evidence files holds.
    JunitCaseMissing = "junit-case-missing", "evidence", Deny, false;
    /// A test's hand-written `result` contradicts the outcome of the JUnit test cases it names.
    JunitResultMismatch = "junit-result-mismatch", "evidence", Deny, false;
    /// A product version disagrees with the release (`[preprocessor.techfile.release]`): an SBOM's `metadata.component.version`, or the version a test ran on.
    ReleaseMismatch = "release-mismatch", "release", Deny, false;
    /// An `{{#include}}` (or `{{#rustdoc_include}}`, `{{#playground}}`) names a file that does not exist; mdBook leaves the directive in the page as text.
    IncludeNotFound = "include-not-found", "book", Deny, true;
    /// An `{{#include}}` (or one of its relatives) reads a file outside the book's `src` folder, which the check does not read.
    IncludeOutsideSrc = "include-outside-src", "book", Deny, true;
    /// SUMMARY.md lists a chapter by an absolute path (mdBook cannot load the book) or by a path that climbs out of `src` (mdBook writes its page outside the build folder).
    ChapterOutsideSrc = "chapter-outside-src", "book", Deny, true;
    /// A SUMMARY.md path mdBook does not place as written: a `..` segment (mdBook writes the page where the path leads but computes its way back to the book's root from the path as written, so the page's stylesheets and navigation miss when read from disk, and two spellings of one file become two chapters), or a percent escape other than `%20` (mdBook decodes only `%20`, so its table of contents links to a name browsers decode into another file).
    ChapterPathNotNormal = "chapter-path-not-normal", "book", Deny, false;
    /// Includes form a cycle, or nest more than 10 levels deep, where mdBook stops expanding them and drops the rest.
    IncludeCycle = "include-cycle", "book", Deny, false;
}

impl Code {
    /// The code a kebab-case name denotes; `None` for an unknown name.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    /// Whether the code means that an input or a setting could not be read: book.toml,
    /// an item file, an SBOM, a support table, a JUnit report, an SBOM's lifecycle date, an
    /// advisory record, a VEX document. Such findings are the root causes of others (a link
    /// to an item that did not load is unknown, a component whose end-of-support date is
    /// unreadable has unknown support, a vulnerability whose VEX document is unreadable is
    /// not settled), so they are reported first.
    pub fn is_input(self) -> bool {
        matches!(self.family(), "config" | "load")
            || matches!(
                self,
                Code::SbomJsonSyntax
                    | Code::SbomNotCyclonedx
                    | Code::SbomUnsupportedVersion
                    | Code::SbomSchema
                    | Code::JunitMalformed
                    | Code::LifecycleDateInvalid
                    | Code::AdvisoryMalformed
                    | Code::VexMalformed
            )
    }
}

/// A secondary location with its own message ("first defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where the label points.
    pub span: Span,
    pub(crate) message: String,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable kebab-case code of the finding.
    pub code: Code,
    /// The severity after the configured levels were applied.
    pub severity: Severity,
    /// One sentence saying what is wrong, naming the item or file.
    pub message: String,
    /// Where the finding is; `None` only for findings about the run as a whole.
    pub primary: Option<Label>,
    /// Further places that explain the finding ("first defined here").
    pub secondary: Vec<Label>,
    /// How to fix it, in one line.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A finding at its code's default severity (the configured level is applied later).
    pub fn new(code: Code, message: impl Into<String>) -> Diagnostic {
        let severity = match code.default_level() {
            Level::Warn => Severity::Warning,
            _ => Severity::Error,
        };
        Diagnostic {
            code,
            severity,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
        }
    }

    /// Points the finding at `span`, with `label` shown under the underlined text.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.primary = Some(Label {
            span,
            message: label.into(),
        });
        self
    }

    /// [`Diagnostic::at`] when there is a place to point at (generated text may have none).
    pub(crate) fn at_opt(self, span: Option<Span>, label: impl Into<String>) -> Diagnostic {
        match span {
            Some(s) => self.at(s, label),
            None => self,
        }
    }

    pub(crate) fn with_label(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: label.into(),
        });
        self
    }

    /// Adds the help line.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Whether the finding fails the build ([`Severity::Error`]).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn sort_key(&self) -> (bool, Option<(u32, u32, u32)>, Code, &str) {
        (
            !self.code.is_input(),
            self.primary
                .as_ref()
                .map(|l| (l.span.file.0, l.span.start, l.span.end)),
            self.code,
            &self.message,
        )
    }
}

/// Puts findings in a stable order so output never depends on hash order or on which
/// check ran first: the inputs that could not be read first (their findings explain the
/// others), then everything else, each by file, byte offset and code.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Applies the configured level of each code: drops allowed codes, re-grades the rest.
pub(crate) fn apply_levels(
    diags: Vec<Diagnostic>,
    level_of: impl Fn(Code) -> Level,
) -> Vec<Diagnostic> {
    diags
        .into_iter()
        .filter_map(|mut d| {
            let level = if d.code.is_fixed() {
                Level::Deny
            } else {
                level_of(d.code)
            };
            d.severity = match level {
                Level::Allow => return None,
                Level::Warn => Severity::Warning,
                Level::Deny => Severity::Error,
            };
            Some(d)
        })
        .collect()
}

/// Counts of a run's findings, for the closing line.
pub(crate) fn counts(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (errors, diags.len() - errors)
}

/// The closing summary line ("2 errors, 1 warning").
pub fn summary_line(diags: &[Diagnostic]) -> String {
    let (e, w) = counts(diags);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!("{}, {}", plural(e, "error"), plural(w, "warning"))
}

struct CsFiles<'a>(&'a SourceMap);

impl<'a> Files<'a> for CsFiles<'a> {
    type FileId = u32;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: u32) -> Result<&'a str, files::Error> {
        self.check(id)?;
        Ok(&self.0.get(crate::model::FileId(id)).name)
    }

    fn source(&'a self, id: u32) -> Result<&'a str, files::Error> {
        self.check(id)?;
        Ok(&self.0.get(crate::model::FileId(id)).text)
    }

    fn line_index(&'a self, id: u32, byte_index: usize) -> Result<usize, files::Error> {
        self.check(id)?;
        let starts = self.0.get(crate::model::FileId(id)).line_starts();
        Ok(starts
            .binary_search(&byte_index)
            .unwrap_or_else(|next| next - 1))
    }

    fn line_range(&'a self, id: u32, line_index: usize) -> Result<Range<usize>, files::Error> {
        self.check(id)?;
        let file = self.0.get(crate::model::FileId(id));
        let starts = file.line_starts();
        let start = *starts.get(line_index).ok_or(files::Error::LineTooLarge {
            given: line_index,
            max: starts.len() - 1,
        })?;
        let end = starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(file.text.len());
        Ok(start..end)
    }
}

impl CsFiles<'_> {
    fn check(&self, id: u32) -> Result<(), files::Error> {
        if (id as usize) < self.0.len() {
            Ok(())
        } else {
            Err(files::Error::FileMissing)
        }
    }
}

fn to_codespan(d: &Diagnostic, map: &SourceMap) -> cs::Diagnostic<u32> {
    let clamp = |span: Span| {
        let len = map.text(span.file).len();
        let start = (span.start as usize).min(len);
        start..(span.end as usize).clamp(start, len)
    };
    let mut labels = Vec::new();
    if let Some(p) = &d.primary {
        labels.push(cs::Label::primary(p.span.file.0, clamp(p.span)).with_message(&p.message));
    }
    for s in &d.secondary {
        labels.push(cs::Label::secondary(s.span.file.0, clamp(s.span)).with_message(&s.message));
    }
    let base = match d.severity {
        Severity::Error => cs::Diagnostic::error(),
        Severity::Warning => cs::Diagnostic::warning(),
    };
    let mut out = base
        .with_code(d.code.as_str())
        .with_message(&d.message)
        .with_labels(labels);
    if let Some(h) = &d.help {
        out = out.with_notes(vec![format!("help: {h}")]);
    }
    out
}

/// Renders findings the way a compiler does: `error[code]: message`, `--> file:line:col`,
/// the source line with a caret label, and the help line. `color` adds ANSI colours.
pub fn render_human(diags: &[Diagnostic], map: &SourceMap, color: bool) -> String {
    let config = term::Config::default();
    let files = CsFiles(map);
    let mut out = String::new();
    for d in diags {
        // Quoting a very long source line under every finding on it would make the report
        // grow with (findings x line length); such lines get the compact form instead.
        if touches_long_line(d, map) || in_empty_file(d, map) {
            out.push_str(&render_compact(d, map));
            continue;
        }
        let cs = to_codespan(d, map);
        let mut buf: Vec<u8> = Vec::new();
        let result = if color {
            let mut w = term::termcolor::Ansi::new(&mut buf);
            term::emit_to_write_style(&mut w, &config, &files, &cs)
        } else {
            let mut w = term::termcolor::NoColor::new(&mut buf);
            term::emit_to_write_style(&mut w, &config, &files, &cs)
        };
        if result.is_err() {
            // A span outside its file is a bug in a check, but the finding must still reach
            // the user, so fall back to the plain one-line form.
            out.push_str(&render_plain(d, map));
            out.push('\n');
            continue;
        }
        out.push_str(&String::from_utf8_lossy(&buf));
    }
    out
}

/// Source lines longer than this are not quoted in human output.
const MAX_QUOTED_LINE: usize = 500;

fn touches_long_line(d: &Diagnostic, map: &SourceMap) -> bool {
    d.primary.iter().chain(&d.secondary).any(|l| {
        let file = map.get(l.span.file);
        let starts = file.line_starts();
        let at = (l.span.start as usize).min(file.text.len());
        let line = starts.partition_point(|&s| s <= at) - 1;
        let end = starts.get(line + 1).copied().unwrap_or(file.text.len());
        end - starts[line] > MAX_QUOTED_LINE
    })
}

/// A file that could not be read has no text to quote.
fn in_empty_file(d: &Diagnostic, map: &SourceMap) -> bool {
    d.primary
        .as_ref()
        .is_some_and(|l| map.text(l.span.file).is_empty())
}

/// The finding without the quoted source: location, message, labels and help.
fn render_compact(d: &Diagnostic, map: &SourceMap) -> String {
    let mut out = format!(
        "{}[{}]: {}\n",
        d.severity.as_str(),
        d.code.as_str(),
        d.message
    );
    let mut label = |l: &Label| {
        let file = map.get(l.span.file);
        let (line, col) = file.line_col(l.span.start as usize);
        out.push_str(&format!(
            "  --> {}:{line}:{col}: {}\n",
            file.name, l.message
        ));
    };
    d.primary.iter().chain(&d.secondary).for_each(&mut label);
    if let Some(h) = &d.help {
        out.push_str(&format!("  = help: {h}\n"));
    }
    out.push('\n');
    out
}

/// One line per finding: `file:line:col: error[code]: message`.
pub(crate) fn render_plain(d: &Diagnostic, map: &SourceMap) -> String {
    let loc = match &d.primary {
        Some(p) => {
            let file = map.get(p.span.file);
            let (line, col) = file.line_col(p.span.start as usize);
            format!("{}:{line}:{col}: ", file.name)
        }
        None => String::new(),
    };
    format!(
        "{loc}{}[{}]: {}",
        d.severity.as_str(),
        d.code.as_str(),
        d.message
    )
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    label: Option<&'a str>,
    help: Option<&'a str>,
    related: Vec<JsonLabel<'a>>,
}

fn json_label<'a>(l: &'a Label, map: &'a SourceMap) -> JsonLabel<'a> {
    let file = map.get(l.span.file);
    let (line, column) = file.line_col(l.span.start as usize);
    let (end_line, end_column) = file.line_col(l.span.end as usize);
    JsonLabel {
        file: &file.name,
        line,
        column,
        end_line,
        end_column,
        message: &l.message,
    }
}

fn json_diagnostic<'a>(d: &'a Diagnostic, map: &'a SourceMap) -> JsonDiagnostic<'a> {
    let primary = d.primary.as_ref().map(|p| json_label(p, map));
    JsonDiagnostic {
        code: d.code.as_str(),
        severity: d.severity.as_str(),
        message: &d.message,
        file: primary.as_ref().map(|p| p.file),
        line: primary.as_ref().map(|p| p.line),
        column: primary.as_ref().map(|p| p.column),
        end_line: primary.as_ref().map(|p| p.end_line),
        end_column: primary.as_ref().map(|p| p.end_column),
        label: primary.as_ref().map(|p| p.message),
        help: d.help.as_deref(),
        related: d.secondary.iter().map(|l| json_label(l, map)).collect(),
    }
}

/// One JSON object per finding, one per line (JSON Lines).
pub fn render_json(diags: &[Diagnostic], map: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        // Serializing plain strings and integers cannot fail.
        out.push_str(&serde_json::to_string(&json_diagnostic(d, map)).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// A finding as the same JSON object `render_json` prints, for embedding in other JSON
/// (the bundle's trace export).
pub(crate) fn json_value(d: &Diagnostic, map: &SourceMap) -> serde_json::Value {
    serde_json::to_value(json_diagnostic(d, map)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FileId;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_kebab_case_and_documented() {
        let mut seen = HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {}", c.as_str());
            assert!(
                c.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{} is not kebab-case",
                c.as_str()
            );
            assert!(!c.summary().is_empty());
            assert_eq!(Code::parse(c.as_str()), Some(*c));
        }
    }

    #[test]
    fn allowed_codes_are_dropped_but_fixed_codes_stay_errors() {
        let f = FileId(0);
        let span = Span::new(f, 0..1);
        let diags = vec![
            Diagnostic::new(Code::ControlNotVerified, "a").at(span, "x"),
            Diagnostic::new(Code::TomlSyntax, "b").at(span, "x"),
        ];
        let out = apply_levels(diags, |_| Level::Allow);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, Code::TomlSyntax);
        assert!(out[0].is_error());
    }

    #[test]
    fn long_lines_are_not_quoted() {
        let mut map = SourceMap::new();
        let line = format!("ids = [{}]", "\"X\", ".repeat(400));
        let f = map.add("a.md", format!("+++\n{line}\n+++\n"));
        let d = Diagnostic::new(Code::UnknownId, "unknown")
            .at(Span::new(f, 12..15), "here")
            .help("fix it");
        let text = render_human(&[d], &map, false);
        assert!(text.len() < 400, "{text}");
        assert!(text.starts_with("error[unknown-id]: unknown\n"), "{text}");
        assert!(text.contains("--> a.md:2:9: here"), "{text}");
        assert!(text.contains("help: fix it"), "{text}");
    }

    #[test]
    fn json_has_file_line_column() {
        let mut map = SourceMap::new();
        let f = map.add("req/a.md", "+++\nid = 1\n+++\n");
        let d = Diagnostic::new(Code::WrongType, "bad")
            .at(Span::new(f, 9..10), "here")
            .help("fix");
        let line = render_json(&[d], &map);
        let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        assert_eq!(v["code"], "wrong-type");
        assert_eq!(v["file"], "req/a.md");
        assert_eq!(v["line"], 2);
        assert_eq!(v["column"], 6);
        assert_eq!(v["help"], "fix");
    }

    #[test]
    fn human_rendering_names_code_location_and_help() {
        let mut map = SourceMap::new();
        let f = map.add("req/a.md", "+++\nid = 1\n+++\n");
        let d = Diagnostic::new(Code::WrongType, "bad")
            .at(Span::new(f, 9..10), "here")
            .help("fix it");
        let text = render_human(&[d], &map, false);
        assert!(text.contains("error[wrong-type]: bad"), "{text}");
        assert!(text.contains("req/a.md:2:6"), "{text}");
        assert!(text.contains("help: fix it"), "{text}");
    }
}
