//! Identifiers, items, spans and the source map every diagnostic points into.
//!
//! Everything here is plain data: no I/O, no printing. Spans are byte ranges into the
//! original file text (front-matter offsets included), so a diagnostic can always name
//! the exact file, line and column a user typed.

use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// Byte offset of the first byte (0-based, in the file's UTF-8 text).
    pub start: u32,
    pub(crate) end: u32,
}

impl Span {
    /// A span over `range` (byte offsets) of `file`; offsets above `u32::MAX` saturate and an end
    /// before the start is moved to the start.
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span {
            file,
            start: saturating_u32(range.start),
            end: saturating_u32(range.end.max(range.start)),
        }
    }

    /// The byte range within the file's text.
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The same span moved `by` bytes further into the file (front-matter is parsed
    /// from a slice, so its spans must be shifted back to byte offsets in the file).
    pub(crate) fn shifted(file: FileId, range: Range<usize>, by: usize) -> Span {
        Span::new(file, range.start + by..range.end + by)
    }
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One file the tool read: its path as shown to users and its text.
#[derive(Debug)]
pub struct SourceFile {
    /// Path shown in diagnostics, with forward slashes, relative to where the user runs.
    pub name: String,
    /// The file's whole text; spans index into it by byte.
    pub text: String,
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub(crate) fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
        }
    }

    /// Byte offsets at which each line starts (the first is 0); line `n` (1-based) starts at index
    /// `n - 1`.
    pub fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts();
        let line = match starts.binary_search(&offset) {
            Ok(l) => l,
            Err(l) => l - 1,
        };
        let mut start = starts[line];
        // Offsets are produced by our own parsers and always sit on char boundaries,
        // but a defensive walk back keeps a bad offset from panicking in a slice.
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        (line + 1, self.text[start..end].chars().count() + 1)
    }
}

/// Every file a run read, so spans can be turned back into file:line:column.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its ID; names need not be unique.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(saturating_u32(self.files.len()));
        self.files.push(SourceFile::new(name, text));
        id
    }

    /// The file with this ID. Panics on an ID from another map, which is a bug in the caller.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The path shown to users of the file with this ID.
    pub fn name(&self, id: FileId) -> &str {
        &self.get(id).name
    }

    /// The text of the file with this ID.
    pub fn text(&self, id: FileId) -> &str {
        &self.get(id).text
    }

    /// How many files the map holds.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the map holds no file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(saturating_u32(i)), f))
    }

    /// The first file added under `name`, if any.
    pub fn find(&self, name: &str) -> Option<FileId> {
        self.iter().find(|(_, f)| f.name == name).map(|(id, _)| id)
    }
}

/// The kinds of item a user writes: the five of the trace (requirement, risk, control,
/// test, procedure) and the seven of the threat model (see `Kind::is_model`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A security requirement (`requirement`): what the device must do, derived from a catalog
    /// entry or another requirement.
    Requirement,
    /// A security risk (`risk`): a threat exploiting a vulnerability, estimated before and after
    /// controls (ISO 14971, AAMI TIR57).
    Risk,
    /// A risk control measure (`control`) that implements requirements and mitigates risks.
    Control,
    /// A verification activity (`test`) that verifies requirements or controls.
    Test,
    /// A process of the manufacturer (vulnerability handling, secure development, update
    /// delivery) that meets a requirement, kept in a controlled document of the quality
    /// management system. It implements requirements as a control does, but it is not a
    /// risk control measure: it has no `measure` and mitigates no risk.
    Procedure,
    /// What is protected, with the confidentiality, integrity and availability it needs.
    Asset,
    /// An external entity: a person, an organisation, another system or an attacker profile.
    Actor,
    /// A running part of the system (firmware, app, service, portal). Called a process, as
    /// in data-flow diagrams and STRIDE per element, because "component" already means an
    /// SBOM component here.
    Process,
    /// Where data rests: a database, a queue, a flash partition, a file.
    DataStore,
    /// An entry point of an element: a port, a radio link, a debug port, a human-machine
    /// interface.
    Interface,
    /// Data moving from one element to another.
    DataFlow,
    /// A zone whose elements share a level of trust.
    TrustBoundary,
}

impl Kind {
    pub(crate) const ALL: [Kind; 12] = [
        Kind::Requirement,
        Kind::Risk,
        Kind::Control,
        Kind::Test,
        Kind::Procedure,
        Kind::Asset,
        Kind::Actor,
        Kind::Process,
        Kind::DataStore,
        Kind::Interface,
        Kind::DataFlow,
        Kind::TrustBoundary,
    ];

    /// The kinds of the threat model.
    pub(crate) const MODEL: [Kind; 7] = [
        Kind::Asset,
        Kind::Actor,
        Kind::Process,
        Kind::DataStore,
        Kind::Interface,
        Kind::DataFlow,
        Kind::TrustBoundary,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Requirement => "requirement",
            Kind::Risk => "risk",
            Kind::Control => "control",
            Kind::Test => "test",
            Kind::Procedure => "procedure",
            Kind::Asset => "asset",
            Kind::Actor => "actor",
            Kind::Process => "process",
            Kind::DataStore => "data-store",
            Kind::Interface => "interface",
            Kind::DataFlow => "data-flow",
            Kind::TrustBoundary => "trust-boundary",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub(crate) fn plural_title(self) -> &'static str {
        match self {
            Kind::Requirement => "Requirements",
            Kind::Risk => "Risks",
            Kind::Control => "Controls",
            Kind::Test => "Tests",
            Kind::Procedure => "Procedures",
            Kind::Asset => "Assets",
            Kind::Actor => "Actors",
            Kind::Process => "Processes",
            Kind::DataStore => "Data stores",
            Kind::Interface => "Interfaces",
            Kind::DataFlow => "Data flows",
            Kind::TrustBoundary => "Trust boundaries",
        }
    }

    /// The kind as a reader names it in a sentence ("data store", "trust boundary").
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Kind::DataStore => "data store",
            Kind::DataFlow => "data flow",
            Kind::TrustBoundary => "trust boundary",
            k => k.as_str(),
        }
    }

    /// "a risk", "an asset", "an interface".
    pub(crate) fn with_article(self) -> String {
        let noun = self.noun();
        let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {noun}")
    }

    /// Whether the kind belongs to the threat model.
    pub(crate) fn is_model(self) -> bool {
        Kind::MODEL.contains(&self)
    }

    /// Whether STRIDE per element applies to the kind: the four element types of a
    /// data-flow diagram (external entity, process, data store, data flow), and interfaces
    /// when the configuration asks for them.
    pub(crate) fn is_stride_element(self) -> bool {
        matches!(
            self,
            Kind::Actor | Kind::Process | Kind::DataStore | Kind::DataFlow | Kind::Interface
        )
    }

    /// Whether the kind is a node of the data-flow diagram: something data flows from or to.
    pub(crate) fn is_node(self) -> bool {
        matches!(self, Kind::Actor | Kind::Process | Kind::DataStore)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The relation a trace key expresses, always from the item that declares it to its target.
/// A key may name several relations (`assets` on a risk, a data store, a data flow or a
/// process): each relation has one source kind, and `Relation::of` finds the one a key
/// means on a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Relation {
    /// requirement -> catalog entry or requirement
    DerivesFrom,
    /// control or procedure -> requirement
    Implements,
    /// control -> risk
    Mitigates,
    /// test -> control, procedure or requirement
    Verifies,
    /// risk -> asset (`assets`)
    RiskAssets,
    /// risk -> actor, process or data store (`elements`)
    RiskElements,
    /// risk -> interface (`interfaces`)
    RiskInterfaces,
    /// risk -> data flow (`data-flows`)
    RiskFlows,
    /// process -> asset it handles (`assets`)
    ProcessAssets,
    /// data store -> asset it holds (`assets`)
    StoreAssets,
    /// data flow -> asset it carries (`assets`)
    FlowAssets,
    /// interface -> the element it belongs to (`element`, one ID)
    InterfaceOf,
    /// interface -> the elements on its other side (`peers`)
    Peers,
    /// data flow -> its source (`from`, one ID)
    FlowFrom,
    /// data flow -> its destination (`to`, one ID)
    FlowTo,
    /// data flow -> the interfaces it passes (`interfaces`)
    FlowInterfaces,
    /// trust boundary -> the elements and boundaries inside it (`contains`)
    Contains,
}

impl Relation {
    /// Every relation, in declaration order.
    pub const ALL: [Relation; 17] = [
        Relation::DerivesFrom,
        Relation::Implements,
        Relation::Mitigates,
        Relation::Verifies,
        Relation::RiskAssets,
        Relation::RiskElements,
        Relation::RiskInterfaces,
        Relation::RiskFlows,
        Relation::ProcessAssets,
        Relation::StoreAssets,
        Relation::FlowAssets,
        Relation::InterfaceOf,
        Relation::Peers,
        Relation::FlowFrom,
        Relation::FlowTo,
        Relation::FlowInterfaces,
        Relation::Contains,
    ];

    /// The relations of the trace proper, from tests up to the catalog.
    pub(crate) const TRACE: [Relation; 4] = [
        Relation::DerivesFrom,
        Relation::Implements,
        Relation::Mitigates,
        Relation::Verifies,
    ];

    /// The relations a risk uses to name the parts of the threat model it analyses.
    pub(crate) const RISK_MODEL: [Relation; 4] = [
        Relation::RiskAssets,
        Relation::RiskElements,
        Relation::RiskInterfaces,
        Relation::RiskFlows,
    ];

    /// The front-matter key.
    pub fn key(self) -> &'static str {
        match self {
            Relation::DerivesFrom => "derives-from",
            Relation::Implements => "implements",
            Relation::Mitigates => "mitigates",
            Relation::Verifies => "verifies",
            Relation::RiskAssets
            | Relation::ProcessAssets
            | Relation::StoreAssets
            | Relation::FlowAssets => "assets",
            Relation::RiskElements => "elements",
            Relation::RiskInterfaces | Relation::FlowInterfaces => "interfaces",
            Relation::RiskFlows => "data-flows",
            Relation::InterfaceOf => "element",
            Relation::Peers => "peers",
            Relation::FlowFrom => "from",
            Relation::FlowTo => "to",
            Relation::Contains => "contains",
        }
    }

    /// Keys written as one ID rather than a list.
    pub(crate) fn is_single(self) -> bool {
        matches!(
            self,
            Relation::InterfaceOf | Relation::FlowFrom | Relation::FlowTo
        )
    }

    /// The relation `key` expresses on an item of `kind`, if it is one of its keys.
    pub(crate) fn of(key: &str, kind: Kind) -> Option<Relation> {
        Relation::ALL
            .into_iter()
            .find(|r| r.key() == key && r.is_declared_by(kind))
    }

    /// The item kinds that may declare this relation.
    pub(crate) fn source_kinds(self) -> &'static [Kind] {
        match self {
            Relation::DerivesFrom => &[Kind::Requirement],
            Relation::Implements => &[Kind::Control, Kind::Procedure],
            Relation::Mitigates => &[Kind::Control],
            Relation::Verifies => &[Kind::Test],
            Relation::RiskAssets
            | Relation::RiskElements
            | Relation::RiskInterfaces
            | Relation::RiskFlows => &[Kind::Risk],
            Relation::ProcessAssets => &[Kind::Process],
            Relation::StoreAssets => &[Kind::DataStore],
            Relation::FlowAssets
            | Relation::FlowFrom
            | Relation::FlowTo
            | Relation::FlowInterfaces => &[Kind::DataFlow],
            Relation::InterfaceOf | Relation::Peers => &[Kind::Interface],
            Relation::Contains => &[Kind::TrustBoundary],
        }
    }

    /// Whether an item of `kind` may declare this relation.
    pub(crate) fn is_declared_by(self, kind: Kind) -> bool {
        self.source_kinds().contains(&kind)
    }

    /// Whether a target of this kind is allowed (`None` stands for a catalog entry).
    pub(crate) fn accepts(self, target: Option<Kind>) -> bool {
        let Some(kind) = target else {
            return self == Relation::DerivesFrom;
        };
        match self {
            Relation::DerivesFrom => kind == Kind::Requirement,
            Relation::Implements => kind == Kind::Requirement,
            Relation::Mitigates => kind == Kind::Risk,
            Relation::Verifies => {
                matches!(kind, Kind::Control | Kind::Requirement | Kind::Procedure)
            }
            Relation::RiskAssets
            | Relation::ProcessAssets
            | Relation::StoreAssets
            | Relation::FlowAssets => kind == Kind::Asset,
            Relation::RiskElements
            | Relation::InterfaceOf
            | Relation::Peers
            | Relation::FlowFrom
            | Relation::FlowTo => kind.is_node(),
            Relation::RiskInterfaces | Relation::FlowInterfaces => kind == Kind::Interface,
            Relation::RiskFlows => kind == Kind::DataFlow,
            Relation::Contains => kind.is_node() || kind == Kind::TrustBoundary,
        }
    }

    /// Human description of allowed targets, for help lines.
    pub(crate) fn expected_targets(self) -> &'static str {
        match self {
            Relation::DerivesFrom => "a catalog entry or another requirement",
            Relation::Implements => "a requirement",
            Relation::Mitigates => "a risk",
            Relation::Verifies => "a control, a procedure or a requirement",
            Relation::RiskAssets
            | Relation::ProcessAssets
            | Relation::StoreAssets
            | Relation::FlowAssets => "assets",
            Relation::RiskElements
            | Relation::InterfaceOf
            | Relation::Peers
            | Relation::FlowFrom
            | Relation::FlowTo => "an actor, a process or a data store",
            Relation::RiskInterfaces | Relation::FlowInterfaces => "interfaces",
            Relation::RiskFlows => "data flows",
            Relation::Contains => "actors, processes, data stores and other trust boundaries",
        }
    }

    /// The word used when reading the relation backwards ("traced by" lists).
    pub(crate) fn inverse_label(self) -> &'static str {
        match self {
            Relation::DerivesFrom => "refined by",
            Relation::Implements => "implemented by",
            Relation::Mitigates => "mitigated by",
            Relation::Verifies => "verified by",
            Relation::RiskAssets
            | Relation::RiskElements
            | Relation::RiskInterfaces
            | Relation::RiskFlows => "risks",
            Relation::ProcessAssets => "handled by",
            Relation::StoreAssets => "held in",
            Relation::FlowAssets => "carried by",
            Relation::InterfaceOf => "interfaces",
            Relation::Peers => "uses interfaces",
            Relation::FlowFrom => "data flows out",
            Relation::FlowTo => "data flows in",
            Relation::FlowInterfaces => "data flows",
            Relation::Contains => "inside",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Relation::DerivesFrom => "derives from",
            Relation::Implements => "implements",
            Relation::Mitigates => "mitigates",
            Relation::Verifies => "verifies",
            Relation::RiskAssets => "threatens asset",
            Relation::RiskElements => "threatens element",
            Relation::RiskInterfaces => "threatens interface",
            Relation::RiskFlows => "threatens data flow",
            Relation::ProcessAssets => "handles",
            Relation::StoreAssets => "holds",
            Relation::FlowAssets => "carries",
            Relation::InterfaceOf => "is an interface of",
            Relation::Peers => "connects",
            Relation::FlowFrom => "flows from",
            Relation::FlowTo => "flows to",
            Relation::FlowInterfaces => "passes through",
            Relation::Contains => "contains",
        }
    }
}

/// Life-cycle state of an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Status {
    #[default]
    /// Being written: open work, not a finding, unless `coverage.draft` is set.
    Draft,
    /// Written and submitted for review (`in-review`).
    InReview,
    /// Approved: held to every rule of the trace.
    Approved,
    /// Withdrawn: kept for the record; links to it are findings (`link-to-obsolete`).
    Obsolete,
}

impl Status {
    pub(crate) const ALL: [Status; 4] = [
        Status::Draft,
        Status::InReview,
        Status::Approved,
        Status::Obsolete,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in-review",
            Status::Approved => "approved",
            Status::Obsolete => "obsolete",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Outcome of the last run of a test item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) enum TestResult {
    #[default]
    NotRun,
    Pass,
    Fail,
}

impl TestResult {
    pub(crate) const ALL: [TestResult; 3] =
        [TestResult::NotRun, TestResult::Pass, TestResult::Fail];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TestResult::NotRun => "not-run",
            TestResult::Pass => "pass",
            TestResult::Fail => "fail",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<TestResult> {
        TestResult::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A calendar date as written in front-matter and revision histories (`2026-03-01`), in
/// the years 1 to 9999 that `YYYY-MM-DD` can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(jiff::civil::Date);

impl Date {
    /// Parses exactly `YYYY-MM-DD` and rejects impossible days (Feb 30, month 13, ...).
    /// jiff alone also reads ISO 8601's other forms (`20260301`, `+002026-03-01`, a date
    /// with a time), which a front-matter date is not.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        s.parse().ok().and_then(Date::new)
    }

    /// A date from its parts, if the day exists.
    pub(crate) fn from_parts(year: u32, month: u32, day: u32) -> Option<Date> {
        let date = jiff::civil::Date::new(
            i16::try_from(year).ok()?,
            i8::try_from(month).ok()?,
            i8::try_from(day).ok()?,
        );
        date.ok().and_then(Date::new)
    }

    /// The date, if `YYYY-MM-DD` can write its year.
    pub fn new(date: jiff::civil::Date) -> Option<Date> {
        (1..=9999).contains(&date.year()).then_some(Date(date))
    }

    /// The jiff date, for arithmetic.
    pub(crate) fn civil(self) -> jiff::civil::Date {
        self.0
    }
}

impl fmt::Display for Date {
    /// `YYYY-MM-DD`: jiff writes years 1 to 9999 with four digits and no sign.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An enum of fixed front-matter words, with the list of words (for help lines) and
/// parsing. Written once here so every word list parses and prints the same way.
macro_rules! words {
    ($(#[$m:meta])* $vis:vis $name:ident { $($(#[$vm:meta])* $variant:ident = $word:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name {
            $($(#[$vm])* $variant,)*
        }

        impl $name {
            pub(crate) const ALL: &'static [$name] = &[$($name::$variant),*];

            /// Every word, in order, for help lines and suggestions.
            // Generated for every list; a crate-private list may not need it.
            #[allow(dead_code)]
            pub const WORDS: &'static [&'static str] = &[$($word),*];

            pub(crate) fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word,)* }
            }

            pub(crate) fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

words! {
    /// The security property a risk threatens.
    pub(crate) Property {
        Confidentiality = "confidentiality",
        Integrity = "integrity",
        Availability = "availability",
    }
}

words! {
    /// The STRIDE category of a threat.
    pub Stride {
        /// Pretending to be someone or something else (threatens authenticity).
        Spoofing = "spoofing",
        /// Changing data or code without authorisation (threatens integrity).
        Tampering = "tampering",
        /// Denying an action for want of proof (threatens non-repudiation).
        Repudiation = "repudiation",
        /// Exposing information to someone not authorised to see it (threatens
        /// confidentiality).
        InformationDisclosure = "information-disclosure",
        /// Making a service unavailable or degraded (threatens availability).
        DenialOfService = "denial-of-service",
        /// Gaining capabilities without authorisation (threatens authorisation).
        ElevationOfPrivilege = "elevation-of-privilege",
    }
}

impl Stride {
    /// The letter of the category in "STRIDE".
    pub(crate) fn letter(self) -> char {
        match self {
            Stride::Spoofing => 'S',
            Stride::Tampering => 'T',
            Stride::Repudiation => 'R',
            Stride::InformationDisclosure => 'I',
            Stride::DenialOfService => 'D',
            Stride::ElevationOfPrivilege => 'E',
        }
    }

    /// The category as a heading names it.
    pub(crate) fn title(self) -> &'static str {
        match self {
            Stride::Spoofing => "Spoofing",
            Stride::Tampering => "Tampering",
            Stride::Repudiation => "Repudiation",
            Stride::InformationDisclosure => "Information disclosure",
            Stride::DenialOfService => "Denial of service",
            Stride::ElevationOfPrivilege => "Elevation of privilege",
        }
    }
}

words! {
    /// The type of a control, in the order of preference of MDCG 2019-16 section 3.3 (and
    /// ISO 14971 7.1): the variants sort from most to least effective.
    pub(crate) Measure {
        /// Inherently secure design.
        Design = "design",
        /// Protective measure in the device or its manufacturing.
        Protection = "protection",
        /// Information for safety (security), such as warnings in the IFU.
        Information = "information",
    }
}

impl Measure {
    /// How the register names the type.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Measure::Design => "secure design",
            Measure::Protection => "protective measure",
            Measure::Information => "information for safety",
        }
    }
}

/// How likely a threat is to be exploited, as written: a word of the configured
/// exploitability scale, or a CVSS 3.x vector whose exploitability sub-score is mapped onto
/// that scale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Exploitability {
    Word(String),
    /// Always a CVSS 3.0 or 3.1 vector: the loader takes no other version as an estimate.
    Cvss(crate::cvss::Vector),
}

/// One estimate of a risk (before or after controls), each part with where it was
/// written. The words are checked against the configured scales by `checks::risk`,
/// because the loader does not know the configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Estimate {
    pub(crate) exploitability: Option<Spanned<Exploitability>>,
    pub(crate) severity: Option<Spanned<String>>,
    /// A CVSS vector of a version with no exploitability sub-score on the scale (2.0,
    /// 4.0), cited from an advisory; the exploitability word beside it carries the estimate.
    pub(crate) cited: Option<Spanned<crate::cvss::Vector>>,
}

/// What a risk item says beyond the common keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RiskFields {
    pub(crate) asset: Option<String>,
    pub(crate) properties: Vec<Property>,
    /// The interface or attack vector.
    pub(crate) vector: Option<String>,
    /// The threat scenario in one sentence.
    pub(crate) threat: Option<String>,
    pub(crate) stride: Vec<Stride>,
    pub(crate) cve: Vec<String>,
    pub(crate) cwe: Vec<String>,
    /// Before controls.
    pub(crate) initial: Estimate,
    /// After controls.
    pub(crate) residual: Estimate,
    pub(crate) safety_impact: Option<Spanned<bool>>,
    /// Where the safety risk file (ISO 14971) takes the risk over, e.g. a hazard ID.
    pub(crate) safety_reference: Option<Spanned<String>>,
    /// Why the medical benefit outweighs the residual risk.
    pub(crate) benefit_risk: Option<Spanned<String>>,
    /// Why no design or protective control is possible, when only information controls it.
    pub(crate) design_infeasible: Option<Spanned<String>>,
}

words! {
    /// The kind of an asset.
    pub AssetType {
        /// Information: health data, personal data, settings in transit.
        Data = "data",
        /// A function the device performs (acquisition, analysis, notification).
        Function = "function",
        /// Cryptographic keys and certificates.
        KeyMaterial = "key-material",
        /// Passwords, tokens, session cookies.
        Credential = "credential",
        /// Firmware, software and their build chain.
        Software = "software",
        /// Settings that change what the device does.
        Configuration = "configuration",
        /// Audit and security logs.
        Log = "log",
    }
}

words! {
    /// How much of one security property an asset needs (its confidentiality, integrity or
    /// availability requirement), from none to high.
    pub Need {
        /// `none`: the asset does not need the property.
        NotNeeded = "none",
        /// `low`: the lowest need; what each level means is the manufacturer's to define.
        Low = "low",
        /// `medium`: above `low`.
        Medium = "medium",
        /// `high`: the highest need.
        High = "high",
    }
}

words! {
    /// Who or what an actor is.
    pub ActorType {
        /// A person who uses the device: patient, clinician.
        User = "user",
        /// A person or organisation who runs it: clinic administrator, hospital IT, the manufacturer's operations.
        Operator = "operator",
        /// Another system: an identity provider, a push service, an app store.
        System = "system",
        /// An attacker profile: the source of threats, not a part of the system.
        Attacker = "attacker",
    }
}

words! {
    /// What an interface is made of.
    pub InterfaceType {
        /// A network port or connection (IP).
        Network = "network",
        /// A radio link (Bluetooth, NFC, Wi-Fi direct).
        Radio = "radio",
        /// A wired port: USB, serial, debug, charger contacts.
        Wired = "wired",
        /// A human-machine interface: screen, button, LED, web user interface.
        Hmi = "hmi",
        /// A software interface inside a platform: inter-process calls, the OS push service, files.
        Software = "software",
    }
}

words! {
    /// Which way connections go, seen from the element the interface belongs to.
    pub Direction {
        /// Others connect to the element.
        Inbound = "inbound",
        /// The element connects to others.
        Outbound = "outbound",
        /// Both ways.
        Both = "both",
    }
}

words! {
    /// How far away an attacker can reach an interface from, in the terms of the CVSS
    /// attack vector.
    pub Exposure {
        /// From anywhere on the network, across routers (CVSS `AV:N`).
        Network = "network",
        /// From the same local network or radio range (CVSS `AV:A`).
        Adjacent = "adjacent",
        /// With local access or a user's help on the device (CVSS `AV:L`).
        Local = "local",
        /// With physical access to the device (CVSS `AV:P`).
        Physical = "physical",
    }
}

/// What a threat-model element says beyond the common keys and its references (which are
/// trace links). One struct for the seven kinds: each key is read only on the kinds the
/// loader allows it on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ModelFields {
    /// Asset: its kind.
    pub(crate) asset_type: Option<AssetType>,
    /// Asset: the confidentiality, integrity and availability it needs.
    pub(crate) confidentiality: Option<Need>,
    pub(crate) integrity: Option<Need>,
    pub(crate) availability: Option<Need>,
    /// Actor: who or what it is.
    pub(crate) actor_type: Option<ActorType>,
    /// Actor: what an attacker profile can do, in one line.
    pub(crate) capability: Option<String>,
    /// Process: what it runs on, in one line.
    pub(crate) technology: Option<String>,
    /// Data store: encryption at rest; interface: encryption in transit. One line each.
    pub(crate) encryption: Option<String>,
    /// Data store: how long data are kept.
    pub(crate) retention: Option<String>,
    /// Interface: what it is made of.
    pub(crate) interface_type: Option<InterfaceType>,
    pub(crate) protocol: Option<String>,
    pub(crate) protocol_version: Option<String>,
    /// Interface: the port ("TCP 443", "GATT service 0xFE59").
    pub(crate) port: Option<String>,
    pub(crate) direction: Option<Direction>,
    pub(crate) exposure: Option<Exposure>,
    /// Interface: how the other side is authenticated, in one line.
    pub(crate) authentication: Option<String>,
    /// Interface: what it is used for, in one line.
    pub(crate) purpose: Option<String>,
    /// STRIDE categories that do not apply to this element, each with the reason, in
    /// STRIDE order.
    pub(crate) not_applicable: Vec<(Stride, Spanned<String>)>,
}

impl ModelFields {
    /// The reason a STRIDE category does not apply to the element, if one is recorded.
    pub(crate) fn not_applicable(&self, category: Stride) -> Option<&Spanned<String>> {
        self.not_applicable
            .iter()
            .find(|(c, _)| *c == category)
            .map(|(_, r)| r)
    }
}

/// A reference from one item to another ID, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TraceLink {
    pub(crate) relation: Relation,
    pub(crate) target: String,
    pub(crate) span: Span,
}

/// A text value with the span of where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value as read.
    pub value: T,
    pub(crate) span: Span,
}

/// A fingerprint as written: `sha256:v1:` and 64 lower-case hex digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint {
    /// The profile version it was computed under.
    pub version: u32,
    /// The SHA-256, 64 lower-case hex digits.
    pub hex: String,
}

impl Fingerprint {
    /// Parses the written form; `Err` says what is wrong, for a help line.
    ///
    /// # Errors
    /// When the text is not `sha256:v<N>:<64 lower-case hex digits>` with N ≥ 1.
    pub fn parse(s: &str) -> Result<Fingerprint, &'static str> {
        let rest = s
            .strip_prefix("sha256:v")
            .ok_or("a fingerprint starts with `sha256:v` and the profile version")?;
        let (version, hex) = rest
            .split_once(':')
            .ok_or("the profile version is followed by `:` and the hex digits")?;
        let version = match version.parse::<u32>() {
            Ok(v) if v >= 1 && version.bytes().all(|b| b.is_ascii_digit()) => v,
            _ => return Err("the profile version is a whole number from 1"),
        };
        if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err("a SHA-256 is 64 lower-case hex digits");
        }
        Ok(Fingerprint {
            version,
            hex: hex.to_string(),
        })
    }

    /// The first 12 hex digits, for tables.
    pub(crate) fn short(&self) -> String {
        format!("sha256:v{}:{}", self.version, &self.hex[..12])
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:v{}:{}", self.version, self.hex)
    }
}

/// One entry of `reviewed-against`: the upstream item a downstream item was reviewed against
/// and that item's fingerprint at the time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewStamp {
    /// The ID of the upstream item (the key in `reviewed-against`).
    pub upstream: String,
    /// Where the upstream ID is written (the key).
    pub(crate) key_span: Span,
    /// The upstream item's fingerprint when the review was done.
    pub fingerprint: Fingerprint,
    /// Where the fingerprint is written (the value).
    pub(crate) span: Span,
}

/// One item (a requirement, risk, control, test or threat-model element), as read from its
/// Markdown file.
#[derive(Clone, Debug)]
pub struct Item {
    /// The item's ID, as written in `id` (unique across the technical file).
    pub id: String,
    pub(crate) id_span: Span,
    /// The item's kind (`kind`).
    pub kind: Kind,
    pub(crate) title: String,
    /// The item's life-cycle state (`status`, `draft` when not written).
    pub status: Status,
    pub(crate) owner: Option<String>,
    pub(crate) rationale: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) version: Option<String>,
    pub(crate) last_reviewed: Option<Date>,
    pub(crate) next_review: Option<Date>,
    /// Only meaningful on tests.
    pub(crate) result: Option<TestResult>,
    /// Only meaningful on controls: the type of measure.
    pub(crate) measure: Option<Spanned<Measure>>,
    /// Only on procedures: the controlled document that holds the procedure
    /// (`"SOP-017 Vulnerability handling, revision C"`).
    pub(crate) document: Option<Spanned<String>>,
    /// Only present on risks.
    pub(crate) risk: Option<Box<RiskFields>>,
    /// Only present on the kinds of the threat model.
    pub(crate) model: Option<Box<ModelFields>>,
    pub(crate) links: Vec<TraceLink>,
    /// SBOM components the item concerns (a risk that affects a library, a control that
    /// hardens it), each a purl or a bom-ref as written.
    pub(crate) affects: Vec<Spanned<String>>,
    /// The ID this item had before it was renamed (`replaces = "OLD-ID"`), so a comparison
    /// of two versions reports a rename instead of a removal and an addition.
    pub(crate) replaces: Option<Spanned<String>>,
    /// Path shown to readers of the book, relative to the folder that holds the book.
    pub path: String,
    /// The Markdown after the front-matter.
    pub(crate) body: String,
    /// Where the body starts in the file, so findings inside it point at the right line.
    pub body_offset: u32,
    /// Span of the whole front-matter block, used when a finding concerns the item as a whole.
    pub(crate) header_span: Span,
    /// Every front-matter key as written (but `reviewed-against`), as JSON values: what
    /// fingerprints are computed from, whatever key a profile names.
    pub(crate) fields: std::collections::BTreeMap<String, serde_json::Value>,
    /// `reviewed-against`: the upstream items this item was reviewed against, in the
    /// order written.
    pub reviewed_against: Vec<ReviewStamp>,
    /// Where `result`, `version` and `next-review` are written, for findings about them.
    pub(crate) spans: KeySpans,
    /// Only on tests: `evidence`, the files that show the test was run, in the order written.
    pub evidence: Vec<EvidenceRef>,
    /// Only on tests: `junit`, the JUnit test cases (`classname::name`) the result comes from.
    pub(crate) junit: Vec<Spanned<String>>,
}

/// Where some front-matter values are written (`None`: the key is absent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct KeySpans {
    pub(crate) result: Option<Span>,
    pub(crate) version: Option<Span>,
    pub(crate) next_review: Option<Span>,
    /// The `junit` key.
    pub(crate) junit: Option<Span>,
}

/// One entry of a test's `evidence`: a file under the evidence folder and the SHA-256 it
/// had when the test was recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceRef {
    /// Relative to the evidence folder, with forward slashes, as written.
    pub path: Spanned<String>,
    /// 64 lower-case hex digits; `None` when the entry records no hash yet.
    pub(crate) sha256: Option<Spanned<String>>,
    /// The whole entry (the inline table).
    pub(crate) span: Span,
}

impl Item {
    /// The item file in the analysis's [`SourceMap`].
    pub fn file(&self) -> FileId {
        self.id_span.file
    }

    pub(crate) fn links_of(&self, relation: Relation) -> impl Iterator<Item = &TraceLink> {
        self.links.iter().filter(move |l| l.relation == relation)
    }

    /// Whether the item says `status = "draft"`: work in progress, which the coverage
    /// rules list as open work. An item that states no status shows as a draft but is
    /// checked like any other, so forgetting the key never hides a gap.
    pub fn is_declared_draft(&self) -> bool {
        self.status == Status::Draft && self.fields.contains_key("status")
    }

    /// The target of a relation written as one ID (`from`, `to`, `element`).
    pub(crate) fn single(&self, relation: Relation) -> Option<&str> {
        self.links_of(relation).next().map(|l| l.target.as_str())
    }
}

/// The HTML anchor of an ID. Anchors are lower-case because mdBook lower-cases the ids it
/// derives from headings, and one scheme for both avoids surprises in hand-written links.
pub(crate) fn anchor(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Rules for IDs: an ASCII letter first, then letters, digits and `-`, `.`, `_`, never two
/// separators in a row and none at the end. Returns the reason when invalid.
pub(crate) fn validate_id(id: &str) -> Result<(), &'static str> {
    let bytes = id.as_bytes();
    if bytes.is_empty() {
        return Err("an ID cannot be empty");
    }
    if bytes.len() > 64 {
        return Err("an ID is at most 64 characters long");
    }
    if !bytes[0].is_ascii_alphabetic() {
        return Err("an ID starts with an ASCII letter");
    }
    let sep = |c: u8| matches!(c, b'-' | b'.' | b'_');
    for w in bytes.windows(2) {
        if sep(w[0]) && sep(w[1]) {
            return Err("an ID never has two separators in a row");
        }
    }
    if sep(bytes[bytes.len() - 1]) {
        return Err("an ID does not end with a separator");
    }
    if !bytes.iter().all(|&c| c.is_ascii_alphanumeric() || sep(c)) {
        return Err("an ID holds only ASCII letters, digits, '-', '.' and '_'");
    }
    Ok(())
}

/// The end of the character at `at` (or `at` at the end of the text), so a span never
/// splits a character.
pub(crate) fn one_char_end(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let f = SourceFile::new("a.md", "ab\néé x\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // "éé " is 5 bytes; the 'x' is the 4th character.
        assert_eq!(f.line_col(8), (2, 4));
        assert_eq!(f.line_col(999), (3, 1));
    }

    #[test]
    fn dates_reject_impossible_days() {
        assert_eq!(
            Date::parse("2024-02-29").map(|d| d.to_string()),
            Some("2024-02-29".into())
        );
        assert_eq!(Date::from_parts(2024, 2, 29), Date::parse("2024-02-29"));
        assert_eq!(Date::from_parts(2023, 2, 29), None);
        assert_eq!(Date::from_parts(70_000, 1, 1), None);
        assert_eq!(Date::parse("0001-01-01").unwrap().to_string(), "0001-01-01");
        assert_eq!(Date::parse("0000-01-01"), None);
        // Other ISO 8601 forms are not front-matter dates.
        assert_eq!(Date::parse("20240229"), None);
        assert_eq!(Date::parse("+002024-02-29"), None);
        assert_eq!(Date::parse("2024-02-29T10:00"), None);
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2023-13-01"), None);
        assert_eq!(Date::parse("2023-1-01"), None);
        assert_eq!(Date::parse("20x3-01-01"), None);
        assert_eq!(Date::parse("2023-04-31"), None);
    }

    #[test]
    fn ids_are_validated() {
        assert!(validate_id("REQ-AUTH-001").is_ok());
        assert!(validate_id("IEC81001-5.7.4").is_ok());
        assert!(validate_id("MDR-14.2d").is_ok());
        assert!(validate_id("").is_err());
        assert!(validate_id("1REQ").is_err());
        assert!(validate_id("REQ--1").is_err());
        assert!(validate_id("REQ-").is_err());
        assert!(validate_id("REQ 1").is_err());
        assert!(validate_id("RÉQ-1").is_err());
    }

    #[test]
    fn relations_accept_only_their_target_kinds() {
        assert!(Relation::Verifies.accepts(Some(Kind::Control)));
        assert!(!Relation::Verifies.accepts(Some(Kind::Risk)));
        assert!(!Relation::Verifies.accepts(None));
        assert!(Relation::DerivesFrom.accepts(None));
        assert!(!Relation::Mitigates.accepts(Some(Kind::Requirement)));
    }

    #[test]
    fn anchors_are_lower_case_and_html_safe() {
        assert_eq!(anchor("REQ-AUTH-001"), "req-auth-001");
        assert_eq!(anchor("IEC81001-5.7.4"), "iec81001-5-7-4");
    }
}
