//! Software bills of materials: CycloneDX JSON documents read, validated against the official
//! schemas, mapped into a small model, checked for the NTIA minimum elements, and indexed so
//! items can point at components with `affects`. Pure: the edge reads the files and hands
//! over their bytes ([`crate::load::Input`]), findings come back as diagnostics.
//!
//! Reading goes in stages, each of which can reject the file with one fixed-level code:
//! UTF-8 (`not-utf8`), JSON syntax (`sbom-json-syntax`), `bomFormat` (`sbom-not-cyclonedx`),
//! `specVersion` (`sbom-unsupported-version`), the schema of that version (`sbom-schema`).
//! Only a document that passes all of them becomes an [`Sbom`].

pub mod locate;
pub mod ntia;
pub mod schema;

use crate::diag::{Code, Diagnostic};
use crate::load::{Input, InputKind, add_text};
use crate::model::{FileId, Item, SourceMap, Span, Status};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

/// One component of an SBOM (the primary component of `metadata` included), flattened: nested
/// `components` follow their parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    pub bom_ref: Option<String>,
    /// CycloneDX `type`: `library`, `application`, `firmware`, ...
    pub kind: String,
    pub group: Option<String>,
    pub name: String,
    pub version: Option<String>,
    /// `supplier.name` (or its URL when it has no name).
    pub supplier: Option<String>,
    /// One entry per license choice: an SPDX ID, a license name or an expression.
    pub licenses: Vec<String>,
    pub purl: Option<String>,
    pub cpe: Option<String>,
    /// SWID tag ID, OmniBOR ID or SWHID: the other unique identifiers CycloneDX knows.
    pub other_id: Option<String>,
    /// `(algorithm, hex)` as written.
    pub hashes: Vec<(String, String)>,
    /// Components this one depends on directly (indices into [`Sbom::components`]).
    pub depends_on: Vec<usize>,
    /// `dependsOn` entries that name no component (a service, or a dangling reference).
    pub depends_on_other: Vec<String>,
    /// Whether the component takes part in the dependency graph at all.
    pub in_graph: bool,
    /// The component this one is nested in.
    pub parent: Option<usize>,
    /// Where the component is written (its `name` value when found).
    pub span: Span,
    /// HTML anchor of its row, unique in the book.
    pub anchor: String,
}

impl Component {
    /// `group/name@version`, the way people name a package.
    pub fn label(&self) -> String {
        let mut s = match &self.group {
            Some(g) if !g.is_empty() => format!("{g}/{}", self.name),
            _ => self.name.clone(),
        };
        if let Some(v) = &self.version {
            s.push('@');
            s.push_str(v);
        }
        s
    }
}

/// A CycloneDX document that passed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sbom {
    pub file: FileId,
    /// Path shown in the book, relative to the folder that holds the book.
    pub path: String,
    /// Path relative to the configured SBOM folder (the file name for a configured file):
    /// what `{{#techfile sbom FILE}}` names.
    pub key: String,
    /// HTML anchor of the SBOM, unique in the book; component anchors start with it.
    pub anchor: String,
    pub spec_version: String,
    pub serial_number: Option<String>,
    pub bom_version: u64,
    pub timestamp: Option<String>,
    pub authors: Vec<String>,
    pub tools: Vec<String>,
    /// Index of the primary component (`metadata.component`) in `components`.
    pub primary: Option<usize>,
    pub components: Vec<Component>,
    /// Whether the document has a `dependencies` array.
    pub has_dependencies: bool,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    pub size: usize,
    /// Span of the document's opening brace, for findings about the whole document.
    pub root_span: Span,
    /// Span of `metadata` (or the document when absent).
    pub metadata_span: Span,
}

/// What the edge adds to [`Input`] for an SBOM: the folder-relative key.
#[derive(Debug)]
pub struct SbomInput {
    pub input: Input,
    pub key: String,
}

pub use crate::digest::sha256_hex;

/// A lower-case slug for anchors: ASCII letters and digits, runs of anything else as one `-`.
pub fn slug(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max));
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= max {
            break;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The SBOMs that loaded, and the keys of those that did not (their errors are reported;
/// the keys keep a directive that names them from adding a second, misleading error).
#[derive(Debug, Default)]
pub struct Loaded {
    pub sboms: Vec<Sbom>,
    pub failed: Vec<String>,
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
                diags.push(d);
                failed.push(key);
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
            failed.push(key);
            continue;
        };
        sbom.path = input.path;
        sbom.sha256 = sha256;
        sbom.size = size;
        sbom.anchor = unique(&mut anchors, format!("sbom-{}", slug(stem(&key), 40)));
        let mut local = HashSet::new();
        for c in &mut sbom.components {
            let id = c
                .bom_ref
                .as_deref()
                .or(c.purl.as_deref())
                .map(str::to_owned)
                .unwrap_or_else(|| c.label());
            let s = slug(&id, 48);
            let s = if s.is_empty() { "component".into() } else { s };
            c.anchor = unique(&mut local, format!("{}-{s}", sbom.anchor));
        }
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

/// `wanted`, or `wanted-2`, `wanted-3`, ... whichever is still free.
fn unique(taken: &mut HashSet<String>, wanted: String) -> String {
    if taken.insert(wanted.clone()) {
        return wanted;
    }
    for n in 2.. {
        let candidate = format!("{wanted}-{n}");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
    }
    unreachable!("the counter is unbounded")
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

    let sbom = build(
        file,
        text,
        obj,
        (version_index, spec_version),
        root_span,
        &mut diags,
    );
    (Some(sbom), diags)
}

fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Names of `organizationalEntity` / `organizationalContact` objects.
fn entity_name(v: &Value) -> Option<String> {
    str_of(v, "name")
        .or_else(|| str_of(v, "email"))
        .map(str::to_owned)
        .or_else(|| {
            v.get("url")
                .and_then(Value::as_array)
                .and_then(|a| a.iter().find_map(Value::as_str))
                .map(str::to_owned)
        })
}

/// Maps a validated document into the model. The JSON is read with `get` rather than derived
/// `Deserialize`: the shapes differ between spec versions (tools, authors, license choices),
/// and the schema has already said the document is well-formed, so nothing here can fail.
fn build(
    file: FileId,
    text: &str,
    obj: &serde_json::Map<String, Value>,
    (version_index, spec_version): (usize, String),
    root_span: Span,
    diags: &mut Vec<Diagnostic>,
) -> Sbom {
    let root = locate::root(text).unwrap_or(0..0);
    let metadata = obj.get("metadata");
    let metadata_range = locate::member(text, &root, "metadata");
    let metadata_span = metadata_range
        .clone()
        .map_or(root_span, |r| Span::new(file, r.start..r.start + 1));

    let mut components = Vec::new();
    let mut primary = None;
    if let Some(mc) = metadata.and_then(|m| m.get("component")) {
        let range = metadata_range
            .as_ref()
            .and_then(|r| locate::member(text, r, "component"));
        primary = Some(0);
        walk(file, text, mc, range, None, &mut components);
    }
    if let Some(Value::Array(list)) = obj.get("components") {
        let ranges = locate::member(text, &root, "components")
            .map(|r| locate::elements(text, &r))
            .unwrap_or_default();
        for (i, c) in list.iter().enumerate() {
            walk(file, text, c, ranges.get(i).cloned(), None, &mut components);
        }
    }

    let mut by_ref: HashMap<&str, usize> = HashMap::with_capacity(components.len());
    let mut first_span: HashMap<&str, Span> = HashMap::new();
    for (i, c) in components.iter().enumerate() {
        if let Some(r) = c.bom_ref.as_deref() {
            if let Some(first) = first_span.get(r) {
                diags.push(
                    Diagnostic::new(
                        Code::SbomDuplicateRef,
                        format!("bom-ref `{r}` is used by two components"),
                    )
                    .at(c.span, "second component with this bom-ref")
                    .with_label(*first, "first used here")
                    .help("a bom-ref identifies one component within the SBOM; give each component its own"),
                );
                continue;
            }
            first_span.insert(r, c.span);
            by_ref.insert(r, i);
        }
    }

    let mut depends: Vec<(usize, Vec<usize>, Vec<String>)> = Vec::new();
    let mut in_graph = vec![false; components.len()];
    let has_dependencies = obj.get("dependencies").is_some_and(Value::is_array);
    if let Some(Value::Array(deps)) = obj.get("dependencies") {
        for d in deps {
            let from = d
                .get("ref")
                .and_then(Value::as_str)
                .and_then(|r| by_ref.get(r));
            if let Some(&f) = from {
                in_graph[f] = true;
            }
            let mut to = Vec::new();
            let mut other = Vec::new();
            for t in d
                .get("dependsOn")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                match by_ref.get(t) {
                    Some(&j) => {
                        in_graph[j] = true;
                        to.push(j);
                    }
                    None => other.push(t.to_owned()),
                }
            }
            if let Some(&f) = from {
                depends.push((f, to, other));
            }
        }
    }
    // The lookup maps borrow the components' bom-refs; release them before the components
    // are updated.
    drop(by_ref);
    drop(first_span);
    for (f, mut to, mut other) in depends {
        let c = &mut components[f];
        c.depends_on.append(&mut to);
        c.depends_on_other.append(&mut other);
    }
    for (c, g) in components.iter_mut().zip(in_graph) {
        c.in_graph = g;
        c.depends_on.sort_unstable();
        c.depends_on.dedup();
        c.depends_on_other.sort();
        c.depends_on_other.dedup();
    }

    let mut authors: Vec<String> = metadata
        .and_then(|m| m.get("authors"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(entity_name)
        .collect();
    // From 1.6 on, `metadata.manufacturer` is "the organization that created the BOM".
    if version_index >= 2
        && let Some(m) = metadata
            .and_then(|m| m.get("manufacturer"))
            .and_then(entity_name)
    {
        authors.push(m);
    }
    let tools = metadata
        .and_then(|m| m.get("tools"))
        .map_or_else(Vec::new, tool_names);

    Sbom {
        file,
        path: String::new(),
        key: String::new(),
        anchor: String::new(),
        serial_number: obj
            .get("serialNumber")
            .and_then(Value::as_str)
            .map(str::to_owned),
        bom_version: obj.get("version").and_then(Value::as_u64).unwrap_or(1),
        timestamp: metadata
            .and_then(|m| str_of(m, "timestamp"))
            .map(str::to_owned),
        spec_version,
        authors,
        tools,
        primary,
        components,
        has_dependencies,
        sha256: String::new(),
        size: text.len(),
        root_span,
        metadata_span,
    }
}

/// `tools` is a list of `{vendor, name, version}` up to 1.4 and `{components, services}`
/// from 1.5 on (the old form stays allowed).
fn tool_names(tools: &Value) -> Vec<String> {
    let describe = |t: &Value| {
        let name = str_of(t, "name")?;
        Some(match str_of(t, "version") {
            Some(v) => format!("{name} {v}"),
            None => name.to_owned(),
        })
    };
    match tools {
        Value::Array(list) => list.iter().filter_map(describe).collect(),
        Value::Object(o) => ["components", "services"]
            .iter()
            .filter_map(|k| o.get(*k).and_then(Value::as_array))
            .flatten()
            .filter_map(describe)
            .collect(),
        _ => Vec::new(),
    }
}

/// Adds a component and its nested components, depth first, pairing each with its place in
/// the text (`range`, when the locator found it).
fn walk(
    file: FileId,
    text: &str,
    v: &Value,
    range: Option<Range<usize>>,
    parent: Option<usize>,
    out: &mut Vec<Component>,
) {
    let span = range
        .as_ref()
        .map(|r| locate::member(text, r, "name").unwrap_or(r.start..r.start + 1))
        .map_or(Span::new(file, 0..0), |r| Span::new(file, r));
    let licenses = v
        .get("licenses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| {
            str_of(l, "expression").map(str::to_owned).or_else(|| {
                let lic = l.get("license")?;
                str_of(lic, "id")
                    .or_else(|| str_of(lic, "name"))
                    .map(str::to_owned)
            })
        })
        .collect();
    let hashes = v
        .get("hashes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|h| {
            Some((
                str_of(h, "alg")?.to_owned(),
                str_of(h, "content")?.to_owned(),
            ))
        })
        .collect();
    let supplier = v.get("supplier").and_then(entity_name);
    let other_id = v
        .get("swid")
        .and_then(|s| str_of(s, "tagId"))
        .map(str::to_owned)
        .or_else(|| {
            ["omniborId", "swhid"].iter().find_map(|k| {
                v.get(*k)
                    .and_then(Value::as_array)
                    .and_then(|a| a.iter().find_map(Value::as_str))
                    .map(str::to_owned)
            })
        });
    let index = out.len();
    out.push(Component {
        bom_ref: v.get("bom-ref").and_then(Value::as_str).map(str::to_owned),
        kind: str_of(v, "type").unwrap_or("library").to_owned(),
        group: str_of(v, "group").map(str::to_owned),
        name: str_of(v, "name").unwrap_or("(unnamed)").to_owned(),
        version: str_of(v, "version").map(str::to_owned),
        supplier,
        licenses,
        purl: str_of(v, "purl").map(str::to_owned),
        cpe: str_of(v, "cpe").map(str::to_owned),
        other_id,
        hashes,
        depends_on: Vec::new(),
        depends_on_other: Vec::new(),
        in_graph: false,
        parent,
        span,
        anchor: String::new(),
    });
    if let Some(Value::Array(children)) = v.get("components") {
        let ranges = range
            .as_ref()
            .and_then(|r| locate::member(text, r, "components"))
            .map(|r| locate::elements(text, &r))
            .unwrap_or_default();
        for (i, c) in children.iter().enumerate() {
            walk(file, text, c, ranges.get(i).cloned(), Some(index), out);
        }
    }
}

/// A component in one of the loaded SBOMs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ComponentId {
    pub sbom: usize,
    pub component: usize,
}

/// The loaded SBOMs and the `affects` links between items and their components.
#[derive(Debug, Default)]
pub struct SbomSet {
    pub sboms: Vec<Sbom>,
    /// Keys of the SBOMs that could not be read.
    pub failed: Vec<String>,
    /// Per item (same index as the item list): the components each `affects` entry resolved
    /// to, in the order written, without repeats.
    pub affects: Vec<Vec<ComponentId>>,
    /// Per component: the live items that affect it, sorted by ID.
    pub affected_by: BTreeMap<ComponentId, Vec<usize>>,
}

impl SbomSet {
    pub fn component(&self, id: ComponentId) -> &Component {
        &self.sboms[id.sbom].components[id.component]
    }

    /// Whether a directive argument names an SBOM that could not be read.
    pub fn is_failed(&self, name: &str) -> bool {
        self.failed
            .iter()
            .any(|k| k == name || k.rsplit('/').next() == Some(name))
    }

    /// The SBOM a directive argument names: its key, its path in the book, or its file name
    /// when only one SBOM has that name.
    pub fn find(&self, name: &str) -> Option<usize> {
        if let Some(i) = self
            .sboms
            .iter()
            .position(|s| s.key == name || s.path == name)
        {
            return Some(i);
        }
        let mut by_file = self
            .sboms
            .iter()
            .enumerate()
            .filter(|(_, s)| s.key.rsplit('/').next() == Some(name));
        match (by_file.next(), by_file.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    }
}

/// The purl without qualifiers (`?...`) and subpath (`#...`), so that a reference written as
/// `pkg:npm/lodash@4.17.21` finds a component whose purl carries qualifiers.
fn purl_base(purl: &str) -> &str {
    let end = purl.find(['?', '#']).unwrap_or(purl.len());
    &purl[..end]
}

/// Resolves every item's `affects` against the loaded SBOMs. A reference is a purl (exact, or
/// equal without qualifiers and subpath) or a bom-ref; it may match components in several
/// SBOMs. A reference that matches nothing is an `unknown-component`.
pub fn resolve(
    loaded: Loaded,
    items: &[Item],
    canonical: impl Fn(usize) -> bool,
) -> (SbomSet, Vec<Diagnostic>) {
    let Loaded { sboms, failed } = loaded;
    let mut diags = Vec::new();
    let mut by_key: HashMap<&str, Vec<ComponentId>> = HashMap::new();
    for (s, sbom) in sboms.iter().enumerate() {
        for (c, comp) in sbom.components.iter().enumerate() {
            let id = ComponentId {
                sbom: s,
                component: c,
            };
            let mut keys: Vec<&str> = Vec::with_capacity(3);
            keys.extend(comp.bom_ref.as_deref());
            if let Some(p) = comp.purl.as_deref() {
                keys.push(p);
                keys.push(purl_base(p));
            }
            keys.sort_unstable();
            keys.dedup();
            for k in keys {
                by_key.entry(k).or_default().push(id);
            }
        }
    }
    let mut affects = Vec::with_capacity(items.len());
    let mut affected_by: BTreeMap<ComponentId, Vec<usize>> = BTreeMap::new();
    let mut suggestions = 0usize;
    for (i, item) in items.iter().enumerate() {
        let mut found: Vec<ComponentId> = Vec::new();
        let mut seen = HashSet::new();
        for r in &item.affects {
            if !seen.insert(r.value.as_str()) {
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateLink,
                        format!("`{}` is listed twice under `affects`", r.value),
                    )
                    .at(r.span, "listed again here")
                    .help("remove the repeated entry"),
                );
                continue;
            }
            let key = r.value.as_str();
            let mut hits: Vec<ComponentId> = by_key.get(key).cloned().unwrap_or_default();
            if hits.is_empty() && key.starts_with("pkg:") {
                hits = by_key.get(purl_base(key)).cloned().unwrap_or_default();
            }
            if hits.is_empty() {
                suggestions += 1;
                let suggestion = if suggestions <= 100 {
                    let near = by_key
                        .keys()
                        .copied()
                        .filter(|k| k.len().abs_diff(key.len()) <= 3);
                    crate::load::closest(key, near)
                } else {
                    None
                };
                let mut help = match (suggestion, sboms.is_empty()) {
                    (_, true) => "no SBOM is loaded: put CycloneDX JSON files in the folders of `sboms` in [preprocessor.techfile] (default `../sboms`)".to_string(),
                    (Some(s), _) => format!("did you mean `{s}`? Otherwise add the component to an SBOM or fix the reference"),
                    (None, _) => "write the purl or bom-ref of a component in one of the loaded SBOMs, or add the component to its SBOM".to_string(),
                };
                if !failed.is_empty() {
                    help.push_str(&format!(
                        " (not searched, because they could not be read: {})",
                        failed
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                diags.push(
                    Diagnostic::new(
                        Code::UnknownComponent,
                        format!("`{}` affects unknown component `{key}`", item.id),
                    )
                    .at(r.span, "no SBOM has a component with this purl or bom-ref")
                    .help(help),
                );
                continue;
            }
            for h in hits {
                if !found.contains(&h) {
                    found.push(h);
                }
            }
        }
        if item.status != Status::Obsolete && canonical(i) {
            for h in &found {
                affected_by.entry(*h).or_default().push(i);
            }
        }
        affects.push(found);
    }
    for list in affected_by.values_mut() {
        list.sort_by(|a, b| items[*a].id.cmp(&items[*b].id));
        list.dedup();
    }
    (
        SbomSet {
            sboms,
            failed,
            affects,
            affected_by,
        },
        diags,
    )
}

#[cfg(test)]
mod tests;
