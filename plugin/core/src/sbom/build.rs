//! A validated document mapped into the model: components and services flattened in
//! document order, every object that carries a bom-ref indexed, every reference inside the
//! document resolved against that index, and the dependency graph.
//!
//! The JSON is read with `get` rather than derived `Deserialize`: the shapes differ between
//! spec versions (tools, authors, license choices), and the schema has already said the
//! document is well-formed, so nothing here can fail.

use super::purl::Purl;
use super::refs::{self, Found};
use super::{Component, Element, MILESTONE, Milestone, Sbom, Service, Target, locate};
use crate::diag::{Code, Diagnostic};
use crate::model::{FileId, Span};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

/// Per SBOM and code, this many reference findings are located one by one (locating costs
/// a pass over the text); the rest are counted in one closing finding.
pub(crate) const MAX_LOCATED: usize = 20;

/// A BOM-Link names an object in another BOM (`urn:cdx:serial/version#bom-ref`); this
/// document cannot say whether it exists.
pub(crate) fn is_bom_link(reference: &str) -> bool {
    reference.starts_with("urn:cdx:")
}

pub(super) fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
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

/// The address of a JSON value, which identifies it during one mapping.
fn address(v: &Value) -> usize {
    std::ptr::from_ref(v) as usize
}

/// Components and services found so far, with their values and JSON pointers.
struct Flat<'v> {
    components: Vec<Component>,
    services: Vec<Service>,
    /// Value address → what it became, for matching the declarations of [`refs`].
    by_address: HashMap<usize, Target>,
    /// JSON pointer of each component and service, for findings.
    pointers: HashMap<Target, String>,
    values: Vec<(Target, &'v Value)>,
    /// Components whose purl does not parse: where the purl is written, the purl, and why.
    bad_purls: Vec<(Span, String, String)>,
}

/// Maps a validated document into the model; `version` indexes [`super::schema::VERSIONS`].
pub(super) fn build(
    file: FileId,
    text: &str,
    obj: &serde_json::Map<String, Value>,
    doc: &Value,
    (version, spec_version): (usize, String),
    root_span: Span,
    diags: &mut Vec<Diagnostic>,
) -> Sbom {
    let root = locate::root(text).unwrap_or(0..0);
    let metadata = obj.get("metadata");
    let metadata_range = locate::member(text, &root, "metadata");
    let metadata_span = metadata_range
        .clone()
        .map_or(root_span, |r| Span::new(file, r.start..r.start + 1));

    let mut flat = Flat {
        components: Vec::new(),
        services: Vec::new(),
        by_address: HashMap::new(),
        pointers: HashMap::new(),
        values: Vec::new(),
        bad_purls: Vec::new(),
    };
    let mut primary = None;
    if let Some(mc) = metadata.and_then(|m| m.get("component")) {
        let range = metadata_range
            .as_ref()
            .and_then(|r| locate::member(text, r, "component"));
        primary = Some(0);
        component(
            file,
            text,
            mc,
            range,
            None,
            "/metadata/component",
            &mut flat,
        );
    }
    if let Some(Value::Array(list)) = obj.get("components") {
        let ranges = locate::member(text, &root, "components")
            .map(|r| locate::elements(text, &r))
            .unwrap_or_default();
        for (i, c) in list.iter().enumerate() {
            let pointer = format!("/components/{i}");
            component(
                file,
                text,
                c,
                ranges.get(i).cloned(),
                None,
                &pointer,
                &mut flat,
            );
        }
    }
    if let Some(Value::Array(list)) = obj.get("services") {
        for (i, s) in list.iter().enumerate() {
            service(s, None, &format!("/services/{i}"), &mut flat);
        }
    }

    report_bad_purls(&flat.bad_purls, root_span, diags);
    let index = Index::build((file, text, root_span), doc, version, &mut flat, diags);
    let Index {
        by_ref,
        elements,
        unresolved,
    } = index;

    let has_dependencies = obj.get("dependencies").is_some_and(Value::is_array);
    let mut in_graph = vec![false; flat.components.len()];
    let mut edges: Vec<(Target, Vec<Target>, Vec<String>)> = Vec::new();
    for d in obj
        .get("dependencies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let from = d
            .get("ref")
            .and_then(Value::as_str)
            .and_then(|r| by_ref.get(r))
            .copied();
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
                Some(&target) => to.push(target),
                None => other.push(t.to_owned()),
            }
        }
        for t in from.iter().chain(&to) {
            if let Target::Component(c) = t {
                in_graph[*c] = true;
            }
        }
        if let Some(f) = from {
            edges.push((f, to, other));
        }
    }
    let Flat {
        mut components,
        mut services,
        ..
    } = flat;
    for (from, mut to, mut other) in edges {
        let (depends_on, depends_on_other) = match from {
            Target::Component(c) => {
                let c = &mut components[c];
                (&mut c.depends_on, &mut c.depends_on_other)
            }
            Target::Service(s) => {
                let s = &mut services[s];
                (&mut s.depends_on, &mut s.depends_on_other)
            }
            // Only components and services have a place in the dependency graph (the
            // schema says `dependency.ref` "references a component or service").
            Target::Element(_) => continue,
        };
        depends_on.append(&mut to);
        depends_on_other.append(&mut other);
    }
    /// One entry per dependency, in a fixed order, however often `dependencies` names it.
    fn tidy(on: &mut Vec<Target>, other: &mut Vec<String>) {
        on.sort_unstable();
        on.dedup();
        other.sort();
        other.dedup();
    }
    for (c, g) in components.iter_mut().zip(in_graph) {
        c.in_graph = g;
        tidy(&mut c.depends_on, &mut c.depends_on_other);
    }
    for s in &mut services {
        tidy(&mut s.depends_on, &mut s.depends_on_other);
    }

    let mut authors: Vec<String> = metadata
        .and_then(|m| m.get("authors"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(entity_name)
        .collect();
    // From 1.6 on, `metadata.manufacturer` is "the organization that created the BOM".
    if version >= 2
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
        services,
        elements,
        by_ref,
        unresolved,
        has_dependencies,
        sha256: String::new(),
        size: text.len(),
        root_span,
        metadata_span,
    }
}

/// The bom-refs of one document and the references that name none of them.
struct Index {
    by_ref: HashMap<String, Target>,
    elements: Vec<Element>,
    unresolved: BTreeSet<String>,
}

impl Index {
    /// Indexes components and services first, in document order, so that with a duplicate
    /// bom-ref they keep it; then every other declaration the schema map finds. Reports
    /// duplicate bom-refs and references that name no bom-ref of the document.
    fn build(
        (file, text, root_span): (FileId, &str, Span),
        doc: &Value,
        version: usize,
        flat: &mut Flat<'_>,
        diags: &mut Vec<Diagnostic>,
    ) -> Index {
        let mut by_ref: HashMap<String, Target> = HashMap::new();
        let mut pointer_of: HashMap<Target, String> = std::mem::take(&mut flat.pointers);
        let mut duplicates: Vec<(String, String, String)> = Vec::new();
        for (target, v) in &flat.values {
            let Some(r) = v
                .get("bom-ref")
                .and_then(Value::as_str)
                .filter(|r| !r.is_empty())
            else {
                continue;
            };
            match by_ref.get(r) {
                Some(first) => duplicates.push((
                    r.to_owned(),
                    format!("{}/bom-ref", pointer_of[first]),
                    format!("{}/bom-ref", pointer_of[target]),
                )),
                None => {
                    by_ref.insert(r.to_owned(), *target);
                }
            }
        }

        let map = refs::map(version);
        let mut elements = Vec::new();
        map.walk(doc, &mut |found, path| {
            let Found::Declaration {
                bom_ref,
                kind,
                object,
            } = found
            else {
                return;
            };
            if flat.by_address.contains_key(&address(object)) {
                return;
            }
            let pointer = path.pointer();
            let object_pointer = pointer
                .strip_suffix("/bom-ref")
                .unwrap_or(&pointer)
                .to_owned();
            match by_ref.get(bom_ref) {
                Some(first) => {
                    let first = format!("{}/bom-ref", pointer_of[first]);
                    duplicates.push((bom_ref.to_owned(), first, pointer));
                }
                None => {
                    let target = Target::Element(elements.len());
                    by_ref.insert(bom_ref.to_owned(), target);
                    pointer_of.insert(target, object_pointer.clone());
                    elements.push(element(bom_ref, kind, object, object_pointer));
                }
            }
        });
        report_duplicates((file, text, root_span), &duplicates, diags);

        let mut unresolved_at: Vec<(String, &str)> = Vec::new();
        let mut unresolved = BTreeSet::new();
        let mut count = 0usize;
        map.walk(doc, &mut |found, path| {
            let Found::Reference(r) = found else { return };
            if by_ref.contains_key(r) || is_bom_link(r) {
                return;
            }
            count += 1;
            unresolved.insert(r.to_owned());
            if unresolved_at.len() < MAX_LOCATED {
                unresolved_at.push((path.pointer(), r));
            }
        });
        report_unresolved((file, text, root_span), &unresolved_at, count, diags);
        Index {
            by_ref,
            elements,
            unresolved,
        }
    }
}

/// One finding per component purl that does not parse (the first [`MAX_LOCATED`] of an
/// SBOM, then one that counts the rest).
fn report_bad_purls(bad: &[(Span, String, String)], root_span: Span, diags: &mut Vec<Diagnostic>) {
    for (span, purl, why) in bad.iter().take(MAX_LOCATED) {
        diags.push(
            Diagnostic::new(
                Code::SbomInvalidPurl,
                format!("component purl `{purl}` is not a valid package URL: {why}"),
            )
            .at(*span, "not a purl")
            .help("correct the purl as the purl specification defines it (`pkg:type/namespace/name@version?qualifiers#subpath`, every part percent-encoded), or regenerate the SBOM; until then items can name this component only by its bom-ref"),
        );
    }
    if bad.len() > MAX_LOCATED {
        let rest = bad.len() - MAX_LOCATED;
        diags.push(
            Diagnostic::new(
                Code::SbomInvalidPurl,
                format!("{rest} more component purls of this SBOM are not valid package URLs"),
            )
            .at(root_span, "this SBOM")
            .help("regenerate the SBOM, or correct the purls the first findings show"),
        );
    }
}

fn located(file: FileId, text: &str, pointer: &str) -> Span {
    let range = locate::pointer(text, pointer).unwrap_or(0..0);
    Span::new(file, range)
}

/// One finding per bom-ref used twice (the first [`MAX_LOCATED`] located, the rest
/// counted), at the later of the two in the file.
fn report_duplicates(
    (file, text, root_span): (FileId, &str, Span),
    duplicates: &[(String, String, String)],
    diags: &mut Vec<Diagnostic>,
) {
    for (r, first, second) in duplicates.iter().take(MAX_LOCATED) {
        let (mut a, mut b) = (located(file, text, first), located(file, text, second));
        if b.start < a.start {
            std::mem::swap(&mut a, &mut b);
        }
        diags.push(
            Diagnostic::new(
                Code::SbomDuplicateRef,
                format!("bom-ref `{r}` is carried by two objects of this SBOM"),
            )
            .at(b, "second object with this bom-ref")
            .with_label(a, "first used here")
            .help("a bom-ref identifies one object (component, service, vulnerability, ...) within the SBOM; give each its own"),
        );
    }
    if duplicates.len() > MAX_LOCATED {
        let rest = duplicates.len() - MAX_LOCATED;
        diags.push(
            Diagnostic::new(
                Code::SbomDuplicateRef,
                format!("{rest} more bom-refs of this SBOM are carried by two objects"),
            )
            .at(root_span, "this SBOM")
            .help("regenerate the SBOM with a tool that gives every object its own bom-ref"),
        );
    }
}

fn report_unresolved(
    (file, text, root_span): (FileId, &str, Span),
    at: &[(String, &str)],
    count: usize,
    diags: &mut Vec<Diagnostic>,
) {
    for (pointer, r) in at {
        diags.push(
            Diagnostic::new(
                Code::SbomUnresolvedRef,
                format!(
                    "`{}` names bom-ref `{r}`, which no object of this SBOM carries",
                    super::schema::readable_path(pointer)
                ),
            )
            .at(located(file, text, pointer), "no component, service or other object has this bom-ref")
            .help("correct the reference or add the object it names; an object of another BOM is named by a BOM-Link (`urn:cdx:<serial>/<version>#<bom-ref>`), which is not checked"),
        );
    }
    if count > at.len() {
        let rest = count - at.len();
        diags.push(
            Diagnostic::new(
                Code::SbomUnresolvedRef,
                format!(
                    "{rest} more references of this SBOM name a bom-ref that no object carries"
                ),
            )
            .at(root_span, "this SBOM")
            .help("regenerate the SBOM, or correct the references the first findings show"),
        );
    }
}

/// `name`, `id` (vulnerabilities), `title` or `identifier`, with `version` when stated;
/// the bom-ref when the object has none of them.
fn element(bom_ref: &str, kind: &str, object: &Value, pointer: String) -> Element {
    let name = ["name", "id", "title", "identifier", "text"]
        .iter()
        .find_map(|k| str_of(object, k));
    let label = match (name, str_of(object, "version")) {
        (Some(n), Some(v)) => format!("{n}@{v}"),
        (Some(n), None) => n.to_owned(),
        (None, _) => bom_ref.to_owned(),
    };
    Element {
        bom_ref: bom_ref.to_owned(),
        kind: kind.to_owned(),
        label: label.chars().take(200).collect(),
        pointer,
        anchor: String::new(),
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
fn component<'v>(
    file: FileId,
    text: &str,
    v: &'v Value,
    range: Option<Range<usize>>,
    parent: Option<usize>,
    pointer: &str,
    out: &mut Flat<'v>,
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
    let milestones = milestones(file, text, v, range.as_ref(), span);
    let purl = str_of(v, "purl");
    let parsed_purl = match purl.map(Purl::parse) {
        Some(Ok(p)) => Some(p),
        Some(Err(why)) => {
            let at = range
                .as_ref()
                .and_then(|r| locate::member(text, r, "purl"))
                .map_or(span, |r| Span::new(file, r));
            out.bad_purls
                .push((at, purl.unwrap_or_default().to_owned(), why));
            None
        }
        None => None,
    };
    let index = out.components.len();
    let target = Target::Component(index);
    out.by_address.insert(address(v), target);
    out.pointers.insert(target, pointer.to_owned());
    out.values.push((target, v));
    out.components.push(Component {
        bom_ref: v.get("bom-ref").and_then(Value::as_str).map(str::to_owned),
        kind: str_of(v, "type").unwrap_or("library").to_owned(),
        group: str_of(v, "group").map(str::to_owned),
        name: str_of(v, "name").unwrap_or("(unnamed)").to_owned(),
        version: str_of(v, "version").map(str::to_owned),
        supplier,
        licenses,
        purl: purl.map(str::to_owned),
        parsed_purl,
        cpe: str_of(v, "cpe").map(str::to_owned),
        other_id,
        hashes,
        depends_on: Vec::new(),
        depends_on_other: Vec::new(),
        in_graph: false,
        parent,
        span,
        anchor: String::new(),
        milestones,
    });
    if let Some(Value::Array(children)) = v.get("components") {
        let ranges = range
            .as_ref()
            .and_then(|r| locate::member(text, r, "components"))
            .map(|r| locate::elements(text, &r))
            .unwrap_or_default();
        for (i, c) in children.iter().enumerate() {
            let child = format!("{pointer}/components/{i}");
            component(
                file,
                text,
                c,
                ranges.get(i).cloned(),
                Some(index),
                &child,
                out,
            );
        }
    }
}

/// Adds a service and its nested services, depth first.
fn service<'v>(v: &'v Value, parent: Option<usize>, pointer: &str, out: &mut Flat<'v>) {
    let index = out.services.len();
    let target = Target::Service(index);
    out.by_address.insert(address(v), target);
    out.pointers.insert(target, pointer.to_owned());
    out.values.push((target, v));
    let flag = |k: &str| v.get(k).and_then(Value::as_bool);
    out.services.push(Service {
        bom_ref: v.get("bom-ref").and_then(Value::as_str).map(str::to_owned),
        group: str_of(v, "group").map(str::to_owned),
        name: str_of(v, "name").unwrap_or("(unnamed)").to_owned(),
        version: str_of(v, "version").map(str::to_owned),
        provider: v.get("provider").and_then(entity_name),
        endpoints: v
            .get("endpoints")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        authenticated: flag("authenticated"),
        trust_boundary: flag("x-trust-boundary"),
        depends_on: Vec::new(),
        depends_on_other: Vec::new(),
        parent,
        anchor: String::new(),
    });
    if let Some(Value::Array(children)) = v.get("services") {
        for (i, s) in children.iter().enumerate() {
            service(s, Some(index), &format!("{pointer}/services/{i}"), out);
        }
    }
}

/// The `cdx:lifecycle:milestone:*` properties of a component, each with the place of its
/// value, found inside the component's own text so locating costs no pass over the file.
fn milestones(
    file: FileId,
    text: &str,
    v: &Value,
    range: Option<&Range<usize>>,
    fallback: Span,
) -> Vec<Milestone> {
    let Some(Value::Array(props)) = v.get("properties") else {
        return Vec::new();
    };
    if !props.iter().any(|p| {
        p.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.starts_with(MILESTONE))
    }) {
        return Vec::new();
    }
    let ranges = range
        .and_then(|r| locate::member(text, r, "properties"))
        .map(|r| locate::elements(text, &r))
        .unwrap_or_default();
    props
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let name = p.get("name")?.as_str()?.strip_prefix(MILESTONE)?;
            let value = p.get("value").and_then(Value::as_str).unwrap_or_default();
            let span = ranges
                .get(i)
                .and_then(|r| locate::member(text, r, "value").or_else(|| Some(r.clone())))
                .map_or(fallback, |r| Span::new(file, r));
            Some(Milestone {
                name: name.to_owned(),
                value: value.to_owned(),
                span,
            })
        })
        .collect()
}
