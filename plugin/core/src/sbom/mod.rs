//! Software bills of materials: CycloneDX JSON documents read, validated against the official
//! schemas, mapped into a small model, checked for the NTIA minimum elements, and indexed so
//! items can point at components with `affects`. Pure: the edge reads the files and hands
//! over their bytes ([`crate::load::Input`]), findings come back as diagnostics.
//!
//! Reading goes in stages, each of which can reject the file with one fixed-level code:
//! UTF-8 (`not-utf8`), JSON syntax (`sbom-json-syntax`), `bomFormat` (`sbom-not-cyclonedx`),
//! `specVersion` (`sbom-unsupported-version`), the schema of that version (`sbom-schema`).
//! Only a document that passes all of them becomes an [`Sbom`].

mod affects;
pub(crate) mod anchor;
mod build;
pub(crate) mod locate;
pub mod ntia;
pub mod purl;
pub(crate) mod refs;
pub(crate) mod schema;
pub(crate) mod version;

pub(crate) use affects::ObjectId;
pub use affects::{SbomSet, resolve};
pub(crate) use anchor::slug;

use crate::diag::{Code, Diagnostic};
use crate::load::{Input, InputKind, add_text};
use crate::model::{FileId, SourceMap, Span};
use anchor::{Anchors, Identity};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;

/// One component of an SBOM (the primary component of `metadata` included), flattened: nested
/// `components` follow their parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    pub(crate) bom_ref: Option<String>,
    /// CycloneDX `type`: `library`, `application`, `firmware`, ...
    pub(crate) kind: String,
    pub(crate) group: Option<String>,
    /// CycloneDX `name` of the component.
    pub name: String,
    pub(crate) version: Option<String>,
    /// `supplier.name` (or its URL when it has no name).
    pub(crate) supplier: Option<String>,
    /// One entry per license choice: an SPDX ID, a license name or an expression.
    pub(crate) licenses: Vec<String>,
    /// CycloneDX `purl` (package URL) as written, when given.
    pub purl: Option<String>,
    /// The purl parsed into its canonical form, when it is a valid purl.
    pub(crate) parsed_purl: Option<purl::Purl>,
    pub(crate) cpe: Option<String>,
    /// SWID tag ID, OmniBOR ID or SWHID: the other unique identifiers CycloneDX knows.
    pub(crate) other_id: Option<String>,
    /// `(algorithm, hex)` as written.
    pub hashes: Vec<(String, String)>,
    /// What this component depends on directly (components or services of the same SBOM).
    pub(crate) depends_on: Vec<Target>,
    /// `dependsOn` entries that name nothing in this SBOM (a BOM-Link, or a dangling
    /// reference, which is also a finding).
    pub(crate) depends_on_other: Vec<String>,
    /// Whether the component takes part in the dependency graph at all.
    pub(crate) in_graph: bool,
    /// The component this one is nested in.
    pub(crate) parent: Option<usize>,
    /// Where the component is written (its `name` value when found).
    pub(crate) span: Span,
    /// HTML anchor of its row, unique in the book (see `anchor`).
    pub anchor: String,
    /// Its `cdx:lifecycle:milestone:*` properties (CycloneDX property taxonomy), in the
    /// order written: where its support ends.
    pub(crate) milestones: Vec<Milestone>,
}

/// A `cdx:lifecycle:milestone:<name>` property of a component, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Milestone {
    /// What follows `cdx:lifecycle:milestone:` (`endOfSupport`, `endOfLife`, ...).
    pub(crate) name: String,
    pub(crate) value: String,
    /// Where the value is written (the component when it cannot be found).
    pub(crate) span: Span,
}

/// The prefix of the lifecycle milestones of the CycloneDX property taxonomy.
pub(crate) const MILESTONE: &str = "cdx:lifecycle:milestone:";

/// `group/name@version`, the way people name a package.
fn label(group: Option<&str>, name: &str, version: Option<&str>) -> String {
    let mut s = match group {
        Some(g) if !g.is_empty() => format!("{g}/{name}"),
        _ => name.to_owned(),
    };
    if let Some(v) = version {
        s.push('@');
        s.push_str(v);
    }
    s
}

impl Component {
    /// `group/name@version`, the way people name a package.
    pub fn label(&self) -> String {
        label(self.group.as_deref(), &self.name, self.version.as_deref())
    }

    /// What the component's anchor is derived from: its purl without qualifiers, else its
    /// bom-ref, else its label.
    pub(crate) fn identity(&self) -> Identity {
        match (&self.parsed_purl, &self.purl, &self.bom_ref) {
            (Some(p), _, _) => Identity::Purl(p.identity()),
            (None, Some(raw), _) => Identity::RawPurl(raw.clone()),
            (None, None, Some(r)) => Identity::BomRef(r.clone()),
            (None, None, None) => Identity::Label(self.label()),
        }
    }
}

/// A service of an SBOM (`services`, nested services after their parent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub(crate) bom_ref: Option<String>,
    pub(crate) group: Option<String>,
    pub(crate) name: String,
    pub(crate) version: Option<String>,
    /// `provider.name` (or its URL).
    pub(crate) provider: Option<String>,
    pub(crate) endpoints: Vec<String>,
    pub(crate) authenticated: Option<bool>,
    /// `x-trust-boundary`: whether calling the service crosses a trust boundary.
    pub(crate) trust_boundary: Option<bool>,
    pub(crate) depends_on: Vec<Target>,
    pub(crate) depends_on_other: Vec<String>,
    /// The service this one is nested in.
    pub(crate) parent: Option<usize>,
    /// HTML anchor of the service's row on the SBOM page, unique in the book.
    pub anchor: String,
}

impl Service {
    /// The service as the tables name it: `group/name@version`, the parts it has.
    pub fn label(&self) -> String {
        label(self.group.as_deref(), &self.name, self.version.as_deref())
    }

    fn identity(&self) -> Identity {
        match &self.bom_ref {
            Some(r) => Identity::BomRef(r.clone()),
            None => Identity::Label(self.label()),
        }
    }
}

/// Any other object of an SBOM that carries a bom-ref: a vulnerability, an annotation, a
/// formula, a standard's requirement, an organisation, a tool, ...
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    pub(crate) bom_ref: String,
    /// The CycloneDX definition the object follows (`vulnerability`, `formula`, ...) or,
    /// for objects defined in place, the field that holds them (`claims`).
    pub kind: String,
    /// Its `name`, `id`, `title` or `identifier` (with the version), else the bom-ref.
    pub label: String,
    /// JSON pointer of the object in the document.
    pub(crate) pointer: String,
    /// HTML anchor of the object's row on the SBOM page, unique in the book.
    pub anchor: String,
}

/// What a bom-ref names within one SBOM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// An index into [`Sbom::components`].
    Component(usize),
    /// An index into [`Sbom::services`].
    Service(usize),
    /// An index into [`Sbom::elements`].
    Element(usize),
}

/// A CycloneDX document that passed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sbom {
    /// The document's text in the source map.
    pub file: FileId,
    /// Path shown in the book, relative to the folder that holds the book.
    pub path: String,
    /// Path relative to the configured SBOM folder (the file name for a configured file):
    /// what `{{#techfile sbom FILE}}` names.
    pub key: String,
    /// HTML anchor of the SBOM, unique in the book; component anchors start with it.
    pub(crate) anchor: String,
    pub(crate) spec_version: String,
    pub(crate) serial_number: Option<String>,
    pub(crate) bom_version: u64,
    pub(crate) timestamp: Option<String>,
    pub(crate) authors: Vec<String>,
    pub(crate) tools: Vec<String>,
    /// Index of the primary component (`metadata.component`) in `components`.
    pub(crate) primary: Option<usize>,
    /// Every component (`metadata.component` first, then `components[]` depth first, nested ones
    /// after their parent).
    pub components: Vec<Component>,
    /// Every service (`services[]`), flattened depth first as components are.
    pub services: Vec<Service>,
    /// The other objects with a bom-ref, in the order the schema map walks them.
    pub elements: Vec<Element>,
    /// Every bom-ref of the document and what carries it (the first, when two objects do).
    pub(crate) by_ref: HashMap<String, Target>,
    /// References inside the document that name no bom-ref of it (BOM-Links excepted).
    pub(crate) unresolved: BTreeSet<String>,
    /// Whether the document has a `dependencies` array.
    pub(crate) has_dependencies: bool,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub(crate) sha256: String,
    pub(crate) size: usize,
    /// Span of the document's opening brace, for findings about the whole document.
    pub(crate) root_span: Span,
    /// Span of `metadata` (or the document when absent).
    pub(crate) metadata_span: Span,
}

impl Sbom {
    /// The anchor of the row of `target`.
    pub(crate) fn anchor_of(&self, target: Target) -> &str {
        match target {
            Target::Component(i) => &self.components[i].anchor,
            Target::Service(i) => &self.services[i].anchor,
            Target::Element(i) => &self.elements[i].anchor,
        }
    }

    /// How `target` is named in tables and findings.
    pub fn label_of(&self, target: Target) -> String {
        match target {
            Target::Component(i) => self.components[i].label(),
            Target::Service(i) => self.services[i].label(),
            Target::Element(i) => self.elements[i].label.clone(),
        }
    }

    /// The bom-ref of `target`, if it has one.
    pub(crate) fn bom_ref_of(&self, target: Target) -> Option<&str> {
        match target {
            Target::Component(i) => self.components[i].bom_ref.as_deref(),
            Target::Service(i) => self.services[i].bom_ref.as_deref(),
            Target::Element(i) => Some(&self.elements[i].bom_ref),
        }
    }

    /// Gives every row its anchor under the SBOM's anchor (see [`anchor`]).
    fn set_anchors(&mut self) {
        let mut anchors = Anchors::new(&self.anchor);
        for c in &mut self.components {
            c.anchor = anchors.next(&c.identity(), "component");
        }
        for s in &mut self.services {
            s.anchor = anchors.next(&s.identity(), "service");
        }
        for e in &mut self.elements {
            e.anchor = anchors.next(&Identity::BomRef(e.bom_ref.clone()), &e.kind);
        }
    }
}

/// What the edge adds to [`Input`] for an SBOM: the folder-relative key.
#[derive(Debug)]
pub struct SbomInput {
    /// The file as read.
    pub input: Input,
    /// Path relative to the configured SBOM folder with forward slashes (the file name for a
    /// configured file): what `{{#techfile sbom FILE}}` names.
    pub key: String,
}

pub use crate::digest::sha256_hex;

/// The SBOMs that loaded, and those that did not (their errors are reported; findings
/// that depend on them name them instead of suggesting another file or component).
#[derive(Debug, Default)]
pub struct Loaded {
    /// The SBOMs that passed every stage, sorted by path.
    pub sboms: Vec<Sbom>,
    /// The SBOMs that did not, so that directives naming them add no second finding.
    pub failed: Vec<Failed>,
}

/// An SBOM that could not be read or did not validate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failed {
    /// The key a directive names it by (its path inside its folder).
    pub(crate) key: String,
    /// Path relative to the folder that holds the book.
    pub(crate) path: String,
    /// Its name in findings (the source map's), so that a message naming it uses the
    /// same base as the finding's location.
    pub(crate) name: String,
    /// The file in the source map: its text when it could be read, else empty.
    pub(crate) file: FileId,
}

impl Failed {
    /// Whether a directive argument names this SBOM, as [`affects::SbomSet::find`] would
    /// name a loaded one: by key, path or file name.
    pub(crate) fn is_named(&self, name: &str) -> bool {
        self.key == name || self.path == name || self.key.rsplit('/').next() == Some(name)
    }
}

/// One `sbom-xml-not-read` finding at each file named (a file in an SBOM folder that is
/// CycloneDX XML): the file is not read, so the finding is at its start.
pub fn xml_not_read(map: &mut SourceMap, names: Vec<String>) -> Vec<Diagnostic> {
    names
        .into_iter()
        .map(|name| {
            let span = Span::new(map.add(name, String::new()), 0..0);
            Diagnostic::new(
                Code::SbomXmlNotRead,
                "CycloneDX XML is not read: only JSON SBOMs (`*.json`) are",
            )
            .at(span, "this file is not read")
            .help("convert it to JSON (`cyclonedx convert --input-file bom.xml --output-file bom.cdx.json --output-format json`) and keep the JSON in the SBOM folder")
        })
        .collect()
}

/// Reads every SBOM. Each input yields an [`Sbom`] or at least one error, so a broken SBOM
/// can never vanish from the file silently.
pub fn load_sboms(map: &mut SourceMap, inputs: Vec<SbomInput>) -> (Loaded, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut sboms = Vec::new();
    let mut failed = Vec::new();
    let mut anchors: HashSet<String> = HashSet::new();
    for SbomInput { input, key } in inputs {
        let file = match add_text(map, input.name, input.content, &SBOM_FILE) {
            Ok(file) => file,
            Err(d) => {
                let file = d.primary.as_ref().map_or(FileId(0), |l| l.span.file);
                diags.push(d);
                failed.push(Failed {
                    key,
                    path: input.path,
                    name: map.name(file).to_string(),
                    file,
                });
                continue;
            }
        };
        // The text is the file's bytes unchanged (it decoded as UTF-8), so its hash is the
        // file's fingerprint.
        let sha256 = sha256_hex(map.text(file).as_bytes());
        let size = map.text(file).len();
        let (sbom, mut d) = parse(file, map.text(file));
        diags.append(&mut d);
        let Some(mut sbom) = sbom else {
            failed.push(Failed {
                key,
                path: input.path,
                name: map.name(file).to_string(),
                file,
            });
            continue;
        };
        sbom.path = input.path;
        sbom.sha256 = sha256;
        sbom.size = size;
        sbom.anchor = anchor::unique(&mut anchors, format!("sbom-{}", slug(stem(&key), 40)));
        sbom.set_anchors();
        sbom.key = key;
        sboms.push(sbom);
    }
    (Loaded { sboms, failed }, diags)
}

/// The file name without the SBOM suffixes people use (`.cdx.json`, `.bom.json`, `.json`).
fn stem(key: &str) -> &str {
    let name = key.rsplit('/').next().unwrap_or(key);
    [".cdx.json", ".bom.json", ".json"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name)
}

const SBOM_FILE: InputKind = InputKind {
    noun: "SBOM",
    io_help: "check that the file exists and is readable, or fix `sboms` in [preprocessor.techfile]",
    size_help: "raise `max-sbom-size` in [preprocessor.techfile] if the file is genuine, or split the SBOM by product part",
    utf8_help: "JSON documents are UTF-8; regenerate the SBOM or re-save it as UTF-8",
};

/// Byte offset of a 1-based line and column (serde_json counts columns in bytes).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let mut at = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The message of a serde_json error without its " at line X column Y" tail, which the
/// diagnostic's location already shows.
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn one_char(text: &str, at: usize) -> Range<usize> {
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    at..end
}

/// Parses and validates one SBOM file. `None` when it cannot be used; then at least one
/// error says why.
pub fn parse(file: FileId, text: &str) -> (Option<Sbom>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    // Editors on Windows may start a file with a byte order mark, which JSON does not allow
    // but which means nothing; skip it so it does not turn into a syntax error.
    let bom_len = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let value: Value = match serde_json::from_str(&text[bom_len..]) {
        Ok(v) => v,
        Err(e) => {
            let at = offset_of(
                text,
                e.line(),
                e.column() + usize::from(e.line() == 1) * bom_len,
            );
            let (message, help) = if e.classify() == serde_json::error::Category::Eof {
                (
                    "SBOM ends in the middle of the JSON document (is the file truncated?)"
                        .to_string(),
                    "regenerate or download the SBOM again; a complete document ends with `}`",
                )
            } else {
                (
                    format!("SBOM is not valid JSON: {}", json_message(&e)),
                    "fix the JSON at this position, or regenerate the SBOM with its tool",
                )
            };
            diags.push(
                Diagnostic::new(Code::SbomJsonSyntax, message)
                    .at(Span::new(file, one_char(text, at)), "here")
                    .help(help),
            );
            return (None, diags);
        }
    };
    let root = locate::root(text).unwrap_or(0..0);
    let root_span = Span::new(file, one_char(text, root.start));
    let span_of = |pointer: &str| -> Span {
        locate::pointer(text, pointer).map_or(root_span, |r| Span::new(file, r))
    };

    let Some(obj) = value.as_object() else {
        diags.push(
            Diagnostic::new(Code::SbomNotCyclonedx, "SBOM is not a JSON object")
                .at(root_span, "expected `{` here")
                .help("a CycloneDX document is an object with `bomFormat`, `specVersion` and `components`"),
        );
        return (None, diags);
    };
    match obj.get("bomFormat") {
        Some(Value::String(s)) if s == "CycloneDX" => {}
        other => {
            let (message, span) = match other {
                None => ("SBOM has no `bomFormat`".to_string(), root_span),
                Some(v) => (
                    format!("`bomFormat` is {v}, not \"CycloneDX\""),
                    span_of("/bomFormat"),
                ),
            };
            let help = if obj.contains_key("spdxVersion") {
                "this looks like an SPDX document; only CycloneDX JSON is read: convert it (for example with cyclonedx-cli) or ask the supplier for CycloneDX"
            } else {
                "only CycloneDX JSON is read; a CycloneDX document says `\"bomFormat\": \"CycloneDX\"`"
            };
            diags.push(
                Diagnostic::new(Code::SbomNotCyclonedx, message)
                    .at(span, "not a CycloneDX document")
                    .help(help),
            );
            return (None, diags);
        }
    }
    let supported = schema::VERSIONS.join(", ");
    let (version_index, spec_version) = match obj.get("specVersion") {
        Some(Value::String(s)) => {
            match schema::version_index(s) {
                Some(i) => (i, s.clone()),
                None => {
                    diags.push(
                    Diagnostic::new(
                        Code::SbomUnsupportedVersion,
                        format!("CycloneDX spec version `{s}` is not supported"),
                    )
                    .at(span_of("/specVersion"), "unsupported version")
                    .help(format!("supported versions are {supported}; regenerate the SBOM for one of them")),
                );
                    return (None, diags);
                }
            }
        }
        Some(other) => {
            diags.push(
                Diagnostic::new(
                    Code::SbomUnsupportedVersion,
                    format!("`specVersion` must be a string such as \"1.6\", found {other}"),
                )
                .at(span_of("/specVersion"), "not a version string")
                .help(format!("supported versions are {supported}")),
            );
            return (None, diags);
        }
        None => {
            diags.push(
                Diagnostic::new(Code::SbomUnsupportedVersion, "SBOM has no `specVersion`")
                    .at(root_span, "the spec version is not stated")
                    .help(format!(
                        "add `\"specVersion\": \"1.6\"` (supported versions are {supported})"
                    )),
            );
            return (None, diags);
        }
    };

    match schema::validate(version_index, &value) {
        Ok((violations, total)) => {
            for v in &violations {
                let place = match schema::readable_path(&v.pointer) {
                    p if p.is_empty() => "at the top level".to_string(),
                    p => format!("at `{p}`"),
                };
                diags.push(
                    Diagnostic::new(
                        Code::SbomSchema,
                        format!(
                            "SBOM does not conform to CycloneDX {spec_version} {place}: {}",
                            v.message
                        ),
                    )
                    .at(span_of(&v.pointer), "violates the schema")
                    .help(format!("fix the value so it matches the CycloneDX {spec_version} schema, or regenerate the SBOM")),
                );
            }
            if total > violations.len() {
                diags.push(
                    Diagnostic::new(
                        Code::SbomSchema,
                        format!(
                            "{} more schema violations in this SBOM are not shown",
                            total - violations.len()
                        ),
                    )
                    .at(root_span, "this SBOM")
                    .help("fix the ones above and check again"),
                );
            }
            if total > 0 {
                return (None, diags);
            }
        }
        Err(e) => {
            // The vendored schemas compile in a unit test, so this is a bug; still, the
            // SBOM must not pass unchecked.
            diags.push(
                Diagnostic::new(
                    Code::SbomSchema,
                    format!("the CycloneDX {spec_version} schema cannot be compiled: {e}"),
                )
                .at(root_span, "not validated"),
            );
            return (None, diags);
        }
    }

    let sbom = build::build(
        file,
        text,
        obj,
        &value,
        (version_index, spec_version),
        root_span,
        &mut diags,
    );
    (Some(sbom), diags)
}

#[cfg(test)]
mod tests;
