//! Where a CycloneDX document declares bom-refs and where it refers to them.
//!
//! The specification types identities and references in its schema: an object's `bom-ref`
//! is a `refType`, and a field that names another object of the same document is a
//! `refType` (1.4), a `refLinkType` (1.5 on) or a `bomLinkElementType` (a BOM-Link, 1.5
//! on). Rather than a hand-kept list of field paths per version, this module reads those
//! types out of the official schema of the document's version ([`super::schema`]) into a
//! small map of the document's shape, and walks the document along it. A new spec version
//! brings its new reference fields with its schema.
//!
//! One gap in the typing is filled by hand: `compositions` lists bom-refs in `assemblies`
//! (1.4), `dependencies` and `vulnerabilities` as plain strings, which their descriptions
//! define as "the bom-ref identifiers" of what the composition describes.

use super::schema;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// Schema definitions whose strings name another object by its bom-ref.
const REFERENCE_TYPES: [&str; 3] = ["refType", "refLinkType", "bomLinkElementType"];

/// Fields of `compositions` that hold bom-refs as untyped strings (see the module docs).
const UNTYPED_REFERENCES: [&str; 3] = ["assemblies", "dependencies", "vulnerabilities"];

/// The shape of the document where bom-refs can occur: one node per set of schema
/// locations a value can match.
#[derive(Debug, Default)]
pub(crate) struct Map {
    nodes: Vec<Node>,
}

#[derive(Debug, Default)]
struct Node {
    /// What an object here is: the schema definition it follows (`component`, `service`,
    /// `vulnerability`, ...) or, for objects defined in place, the field that holds them.
    kind: &'static str,
    /// Members that can hold a bom-ref or a reference somewhere below, by name.
    members: HashMap<&'static str, usize>,
    /// The node of the elements, for arrays.
    items: Option<usize>,
    /// Strings here are references (or, under the member `bom-ref`, declarations).
    reference: bool,
}

/// What the walk finds, with the path of each find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found<'v> {
    /// An object that carries a bom-ref.
    Declaration {
        bom_ref: &'v str,
        kind: &'static str,
        object: &'v Value,
    },
    /// A string that names an object by its bom-ref (or a BOM-Link).
    Reference(&'v str),
}

/// The path from the document root to a value, kept as a stack during the walk and turned
/// into an RFC 6901 JSON pointer only when a find needs one.
#[derive(Debug, Default)]
pub(crate) struct Path<'v> {
    segments: Vec<Segment<'v>>,
}

#[derive(Debug, Clone, Copy)]
enum Segment<'v> {
    Member(&'v str),
    Index(usize),
}

impl Path<'_> {
    /// The JSON pointer of the current value (`/dependencies/3/dependsOn/1`).
    pub(crate) fn pointer(&self) -> String {
        let mut out = String::new();
        for s in &self.segments {
            out.push('/');
            match s {
                Segment::Member(m) => out.push_str(&m.replace('~', "~0").replace('/', "~1")),
                Segment::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }
}

/// The map of one spec version (an index into [`schema::VERSIONS`]), built on first use.
/// A schema that cannot be read gives an empty map (and the validator reports it).
pub(crate) fn map(version: usize) -> &'static Map {
    static CELLS: [OnceLock<Map>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    CELLS[version].get_or_init(|| {
        schema::document(version)
            .map(Map::build)
            .unwrap_or_default()
    })
}

impl Map {
    fn build(schema: &'static Value) -> Map {
        let mut builder = Builder {
            schema,
            memo: HashMap::new(),
            nodes: Vec::new(),
        };
        builder.node(&[schema], "bom", false);
        let mut map = Map {
            nodes: builder.nodes,
        };
        map.prune();
        map
    }

    /// Drops members and items under which nothing can be declared or referenced, so the
    /// walk skips hashes, licenses texts and the like.
    fn prune(&mut self) {
        let mut relevant: Vec<bool> = self.nodes.iter().map(|n| n.reference).collect();
        // The shape is recursive (components hold components), so relevance is a fixpoint.
        loop {
            let mut changed = false;
            for (i, n) in self.nodes.iter().enumerate() {
                if relevant[i] {
                    continue;
                }
                if n.members
                    .values()
                    .chain(n.items.iter())
                    .any(|&c| relevant[c])
                {
                    relevant[i] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for n in &mut self.nodes {
            n.members.retain(|_, c| relevant[*c]);
            n.items = n.items.filter(|&c| relevant[c]);
        }
    }

    /// Walks a document of this map's version and reports every declaration and reference
    /// to `found`, in a fixed order (object members by name, array elements in order).
    pub(crate) fn walk<'v>(&self, doc: &'v Value, found: &mut impl FnMut(Found<'v>, &Path<'v>)) {
        if self.nodes.is_empty() {
            return;
        }
        let mut path = Path::default();
        self.visit(0, doc, &mut path, found);
    }

    fn visit<'v>(
        &self,
        at: usize,
        value: &'v Value,
        path: &mut Path<'v>,
        found: &mut impl FnMut(Found<'v>, &Path<'v>),
    ) {
        let node = &self.nodes[at];
        match value {
            Value::Object(members) => {
                for (key, v) in members {
                    let Some(&child) = node.members.get(key.as_str()) else {
                        continue;
                    };
                    path.segments.push(Segment::Member(key));
                    if key == "bom-ref" {
                        if let Some(r) = v.as_str().filter(|r| !r.is_empty()) {
                            let declaration = Found::Declaration {
                                bom_ref: r,
                                kind: node.kind,
                                object: value,
                            };
                            found(declaration, path);
                        }
                    } else {
                        self.visit(child, v, path, found);
                    }
                    path.segments.pop();
                }
            }
            Value::Array(list) => {
                if let Some(child) = node.items {
                    for (i, v) in list.iter().enumerate() {
                        path.segments.push(Segment::Index(i));
                        self.visit(child, v, path, found);
                        path.segments.pop();
                    }
                }
            }
            Value::String(s) if node.reference => found(Found::Reference(s), path),
            _ => {}
        }
    }
}

struct Builder {
    schema: &'static Value,
    /// Node of each set of schema locations (by address), so recursive definitions end.
    memo: HashMap<(Vec<usize>, bool), usize>,
    nodes: Vec<Node>,
}

/// What a set of schema locations says once `$ref`, `allOf`, `anyOf` and `oneOf` are
/// followed: the locations themselves, the first definition named, whether one of them is
/// a reference type, and whether one of them is a string of another kind.
#[derive(Default)]
struct Expanded {
    locations: Vec<&'static Value>,
    definition: Option<&'static str>,
    reference: bool,
    /// A string that may also be something else than a reference: an external reference's
    /// `url` is an IRI or a BOM-Link, a data flow's `source` a URL or a BOM-Link. Such a
    /// string is not a reference (and its BOM-Links would not be checked anyway).
    plain: bool,
}

impl Builder {
    fn expand(&self, at: &'static Value, out: &mut Expanded) {
        if out.locations.iter().any(|l| std::ptr::eq(*l, at)) {
            return;
        }
        out.locations.push(at);
        if let Some(name) = at
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/definitions/"))
        {
            if REFERENCE_TYPES.contains(&name) {
                // A reference type is a string; nothing inside it needs following.
                out.reference = true;
                return;
            }
            if out.definition.is_none() {
                out.definition = Some(name);
            }
            if let Some(target) = self.schema.get("definitions").and_then(|d| d.get(name)) {
                self.expand(target, out);
            }
        }
        let string = |t: &Value| t.as_str() == Some("string");
        match at.get("type") {
            Some(t) if string(t) => out.plain = true,
            Some(Value::Array(ts)) if ts.iter().any(string) => out.plain = true,
            _ => {}
        }
        // Other `$ref`s lead into the SPDX, JSF and cryptography helper schemas, which
        // declare and reference no bom-refs.
        for combinator in ["allOf", "anyOf", "oneOf"] {
            for sub in at
                .get(combinator)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.expand(sub, out);
            }
        }
    }

    /// The node of the values matching any of `roots`; `hint` names objects defined in
    /// place, `untyped` marks the hand-filled gap of the module docs.
    fn node(&mut self, roots: &[&'static Value], hint: &'static str, untyped: bool) -> usize {
        let mut e = Expanded::default();
        for r in roots {
            self.expand(r, &mut e);
        }
        let mut key: Vec<usize> = e
            .locations
            .iter()
            .map(|l| std::ptr::from_ref::<Value>(l) as usize)
            .collect();
        key.sort_unstable();
        if let Some(&id) = self.memo.get(&(key.clone(), untyped)) {
            return id;
        }
        let id = self.nodes.len();
        let kind = e.definition.unwrap_or(hint);
        self.nodes.push(Node {
            kind,
            reference: (e.reference && !e.plain) || untyped,
            ..Node::default()
        });
        self.memo.insert((key, untyped), id);

        let mut members: BTreeMap<&'static str, Vec<&'static Value>> = BTreeMap::new();
        let mut items: Vec<&'static Value> = Vec::new();
        for l in &e.locations {
            if let Some(Value::Object(props)) = l.get("properties") {
                for (name, sub) in props {
                    members.entry(name.as_str()).or_default().push(sub);
                }
            }
            match l.get("items") {
                Some(Value::Array(list)) => items.extend(list),
                Some(v @ Value::Object(_)) => items.push(v),
                _ => {}
            }
        }
        let mut children = HashMap::with_capacity(members.len());
        for (name, subs) in members {
            let untyped = kind == "compositions" && UNTYPED_REFERENCES.contains(&name);
            let child = if untyped {
                // The member is the array; its elements are the references.
                let array = self.node(&subs, name, false);
                let element_roots: Vec<&'static Value> =
                    subs.iter().filter_map(|s| s.get("items")).collect();
                let element = self.node(&element_roots, name, true);
                self.nodes[array].items = Some(element);
                array
            } else {
                self.node(&subs, name, false)
            };
            children.insert(name, child);
        }
        let items = (!items.is_empty()).then(|| self.node(&items, kind, false));
        let node = &mut self.nodes[id];
        node.members = children;
        if node.items.is_none() {
            node.items = items;
        }
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every find of a document, as `(pointer, what)`.
    fn finds(version: &str, doc: &Value) -> Vec<(String, String)> {
        let v = schema::version_index(version).unwrap();
        let mut out = Vec::new();
        map(v).walk(doc, &mut |f, path: &Path<'_>| {
            let what = match f {
                Found::Declaration { bom_ref, kind, .. } => format!("{kind} {bom_ref}"),
                Found::Reference(r) => format!("-> {r}"),
            };
            out.push((path.pointer(), what));
        });
        out.sort();
        out
    }

    #[test]
    fn the_typed_references_of_1_4_are_found() {
        let doc = json!({
            "metadata": {"component": {"type": "application", "name": "app", "bom-ref": "app"}},
            "components": [{"type": "library", "name": "a", "bom-ref": "a",
                            "hashes": [{"alg": "SHA-256", "content": "00"}],
                            "components": [{"type": "library", "name": "b", "bom-ref": "b"}]}],
            "services": [{"name": "api", "bom-ref": "svc", "services": [{"name": "inner", "bom-ref": "svc-2"}]}],
            "dependencies": [{"ref": "app", "dependsOn": ["a", "svc"]}],
            "compositions": [{"aggregate": "complete", "assemblies": ["a"], "dependencies": ["app"]}],
            "vulnerabilities": [{"bom-ref": "v1", "id": "CVE-2024-1", "affects": [{"ref": "b"}]}]
        });
        let got = finds("1.4", &doc);
        let expected: Vec<(String, String)> = [
            ("/components/0/bom-ref", "component a"),
            ("/components/0/components/0/bom-ref", "component b"),
            ("/compositions/0/assemblies/0", "-> a"),
            ("/compositions/0/dependencies/0", "-> app"),
            ("/dependencies/0/dependsOn/0", "-> a"),
            ("/dependencies/0/dependsOn/1", "-> svc"),
            ("/dependencies/0/ref", "-> app"),
            ("/metadata/component/bom-ref", "component app"),
            ("/services/0/bom-ref", "service svc"),
            ("/services/0/services/0/bom-ref", "service svc-2"),
            ("/vulnerabilities/0/affects/0/ref", "-> b"),
            ("/vulnerabilities/0/bom-ref", "vulnerability v1"),
        ]
        .iter()
        .map(|(p, w)| ((*p).to_string(), (*w).to_string()))
        .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn later_versions_add_their_own_reference_fields() {
        let doc = json!({
            "metadata": {"tools": {"components": [{"type": "application", "name": "syft", "bom-ref": "tool"}]},
                         "authors": [{"name": "A", "bom-ref": "author"}]},
            "dependencies": [{"ref": "x", "dependsOn": ["y"], "provides": ["std"]}],
            "compositions": [{"bom-ref": "comp", "vulnerabilities": ["v"]}],
            "annotations": [{"bom-ref": "note", "subjects": ["x", "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#y"],
                             "annotator": {"organization": {"name": "O"}}, "timestamp": "2026-01-01T00:00:00Z", "text": "t"}],
            "formulation": [{"bom-ref": "f", "workflows": [{"bom-ref": "wf", "uid": "1",
                             "resourceReferences": [{"ref": "x"}]}]}],
            "definitions": {"standards": [{"bom-ref": "std", "requirements": [{"bom-ref": "req-1"}],
                            "levels": [{"bom-ref": "l1", "requirements": ["req-1"]}]}]},
            "declarations": {"claims": [{"bom-ref": "claim", "target": "x", "evidence": ["ev"]}]}
        });
        let got = finds("1.6", &doc);
        let has = |p: &str, w: &str| got.iter().any(|(gp, gw)| gp == p && gw == w);
        for (p, w) in [
            ("/metadata/tools/components/0/bom-ref", "component tool"),
            (
                "/metadata/authors/0/bom-ref",
                "organizationalContact author",
            ),
            ("/dependencies/0/provides/0", "-> std"),
            ("/compositions/0/vulnerabilities/0", "-> v"),
            ("/annotations/0/subjects/0", "-> x"),
            (
                "/annotations/0/subjects/1",
                "-> urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#y",
            ),
            ("/formulation/0/bom-ref", "formula f"),
            ("/formulation/0/workflows/0/bom-ref", "workflow wf"),
            (
                "/formulation/0/workflows/0/resourceReferences/0/ref",
                "-> x",
            ),
            (
                "/definitions/standards/0/requirements/0/bom-ref",
                "requirements req-1",
            ),
            (
                "/definitions/standards/0/levels/0/requirements/0",
                "-> req-1",
            ),
            ("/declarations/claims/0/target", "-> x"),
            ("/declarations/claims/0/evidence/0", "-> ev"),
        ] {
            assert!(has(p, w), "{p} {w} not found in {got:#?}");
        }
        // `provides` is new in 1.6: in a 1.5 document the schema has no such field.
        let got = finds("1.5", &doc);
        assert!(!got.iter().any(|(p, _)| p.contains("provides")), "{got:?}");
    }

    #[test]
    fn values_that_are_not_references_are_skipped() {
        let doc = json!({
            "components": [{"type": "library", "name": "dependsOn", "version": "ref",
                            "properties": [{"name": "bom-ref", "value": "x"}],
                            "externalReferences": [{"type": "bom", "url": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1"}]}],
            "metadata": {"timestamp": "2026-01-01T00:00:00Z"}
        });
        for v in schema::VERSIONS {
            assert_eq!(finds(v, &doc), Vec::<(String, String)>::new(), "{v}");
        }
    }

    #[test]
    fn pointers_escape_member_names() {
        let mut path = Path::default();
        path.segments.push(Segment::Member("a/b~c"));
        path.segments.push(Segment::Index(3));
        assert_eq!(path.pointer(), "/a~1b~0c/3");
    }

    #[test]
    fn every_version_has_a_map() {
        for (i, v) in schema::VERSIONS.iter().enumerate() {
            assert!(map(i).nodes.len() > 10, "{v}");
        }
    }
}
