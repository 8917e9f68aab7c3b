//! `trace.json`: the whole trace of one version as data, for other tools. The schema is
//! `plugin/core/schemas/trace.schema.json` and is documented in the book's reference appendix;
//! `schema-version` changes when a field is removed or changes meaning.

use crate::Analysis;
use crate::catalog::EntryKind;
use crate::diag;
use crate::graph::{Node, TraceGraph};
use crate::model::{Relation, Span};
use crate::stamp::{DateSource, Stamp, sbom_files};
use serde::Serialize;

/// Bumped when a field is removed or changes meaning; added fields keep the version.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Trace<'a> {
    schema_version: u32,
    generator: Generator,
    document: Document<'a>,
    inputs: Vec<Input<'a>>,
    catalog: Vec<CatalogEntry<'a>>,
    items: Vec<Item<'a>>,
    links: Vec<Link<'a>>,
    sboms: Vec<Sbom<'a>>,
    components: Vec<Component<'a>>,
    findings: Vec<serde_json::Value>,
    /// The advisory folders the build matched the SBOMs against (the snapshot the
    /// vulnerabilities pages and `vex.cdx.json` rest on).
    advisory_sources: Vec<AdvisorySource<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AdvisorySource<'a> {
    path: &'a str,
    records: usize,
    newest_modified: Option<String>,
    sha256: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Component<'a> {
    sbom: &'a str,
    bom_ref: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'a str,
    group: Option<&'a str>,
    name: &'a str,
    version: Option<&'a str>,
    supplier: Option<&'a str>,
    licenses: &'a [String],
    purl: Option<&'a str>,
    cpe: Option<&'a str>,
    hashes: Vec<Hash<'a>>,
    depends_on: Vec<&'a str>,
    anchor: &'a str,
    affected_by: Vec<&'a str>,
}

#[derive(Serialize)]
struct Hash<'a> {
    alg: &'a str,
    content: &'a str,
}

/// Every component of every SBOM, with the items that name it in `affects`.
fn components<'a>(sboms: &'a crate::sbom::SbomSet, graph: &TraceGraph<'a>) -> Vec<Component<'a>> {
    let mut out = Vec::new();
    for (s, sbom) in sboms.sboms.iter().enumerate() {
        for (c, comp) in sbom.components.iter().enumerate() {
            let id = crate::sbom::ComponentId {
                sbom: s,
                component: c,
            };
            let mut affected_by: Vec<&str> = sboms
                .affected_by
                .get(&id)
                .map(|items| items.iter().map(|&i| graph.items[i].id.as_str()).collect())
                .unwrap_or_default();
            affected_by.sort_unstable();
            affected_by.dedup();
            out.push(Component {
                sbom: &sbom.path,
                bom_ref: comp.bom_ref.as_deref(),
                kind: &comp.kind,
                group: comp.group.as_deref(),
                name: &comp.name,
                version: comp.version.as_deref(),
                supplier: comp.supplier.as_deref(),
                licenses: &comp.licenses,
                purl: comp.purl.as_deref(),
                cpe: comp.cpe.as_deref(),
                hashes: comp
                    .hashes
                    .iter()
                    .map(|(alg, content)| Hash { alg, content })
                    .collect(),
                depends_on: comp
                    .depends_on
                    .iter()
                    .map(|&d| {
                        let dep = &sbom.components[d];
                        dep.bom_ref.as_deref().unwrap_or(&dep.name)
                    })
                    .chain(comp.depends_on_other.iter().map(String::as_str))
                    .collect(),
                anchor: &comp.anchor,
                affected_by,
            });
        }
    }
    out
}

#[derive(Serialize)]
struct Generator {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Document<'a> {
    title: Option<&'a str>,
    version: &'a str,
    commit: Option<&'a str>,
    modified: bool,
    date: Option<String>,
    timestamp: Option<i64>,
    date_source: &'static str,
}

#[derive(Serialize)]
struct Input<'a> {
    role: &'static str,
    path: &'a str,
    bytes: u64,
    sha256: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct CatalogEntry<'a> {
    id: &'a str,
    kind: &'static str,
    title: &'a str,
    source: &'a str,
    maps_to: &'a [String],
    unverified: bool,
    not_applicable: Option<&'a str>,
    derived_by: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Item<'a> {
    id: &'a str,
    kind: &'static str,
    title: &'a str,
    status: &'static str,
    owner: Option<&'a str>,
    rationale: Option<&'a str>,
    tags: &'a [String],
    version: Option<&'a str>,
    last_reviewed: Option<String>,
    next_review: Option<String>,
    result: Option<&'static str>,
    file: &'a str,
    line: usize,
    practices: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Link<'a> {
    from: &'a str,
    relation: &'static str,
    to: &'a str,
    /// `requirement`, `risk`, `control`, `test`, `catalog`, or null when nothing has the ID.
    to_kind: Option<&'static str>,
    file: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Sbom<'a> {
    path: &'a str,
    bundle_path: String,
    bytes: u64,
    sha256: &'a str,
}

fn entry_kind(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Practice => "practice",
        EntryKind::Iec62443 => "iec62443",
        EntryKind::Iec81001 => "iec81001",
        EntryKind::Mdr => "mdr",
        EntryKind::Ivdr => "ivdr",
    }
}

/// The trace export as pretty JSON with a final newline. Every list is in a fixed order
/// (catalog order, items by ID then file, links as written), so the text is reproducible.
pub fn export(analysis: &Analysis, stamp: &Stamp, title: Option<&str>) -> String {
    let graph = &analysis.graph();
    let (sboms, findings, map) = (&analysis.sboms, &analysis.findings, &analysis.map);
    let not_applicable = &analysis.config.not_applicable;
    let position = |span: Span| map.get(span.file).line_col(span.start as usize);
    let catalog = graph
        .catalog
        .entries()
        .iter()
        .enumerate()
        .map(|(n, e)| CatalogEntry {
            id: &e.id,
            kind: entry_kind(e.kind),
            title: &e.title,
            source: &e.source,
            maps_to: &e.maps_to,
            unverified: e.unverified,
            not_applicable: not_applicable.get(&e.id).map(String::as_str),
            derived_by: graph
                .traced_by(Node::Catalog(n), Relation::DerivesFrom)
                .into_iter()
                .map(|i| graph.items[i].id.as_str())
                .collect(),
        })
        .collect();

    let mut order: Vec<usize> = (0..graph.items.len()).collect();
    order.sort_by(|a, b| {
        let (x, y) = (&graph.items[*a], &graph.items[*b]);
        (&x.id, &x.path).cmp(&(&y.id, &y.path))
    });
    let mut items = Vec::with_capacity(order.len());
    let mut links = Vec::new();
    for &i in &order {
        let it = &graph.items[i];
        items.push(Item {
            id: &it.id,
            kind: it.kind.as_str(),
            title: &it.title,
            status: it.status.as_str(),
            owner: it.owner.as_deref(),
            rationale: it.rationale.as_deref(),
            tags: &it.tags,
            version: it.version.as_deref(),
            last_reviewed: it.last_reviewed.map(|d| d.to_string()),
            next_review: it.next_review.map(|d| d.to_string()),
            result: it.result.map(|r| r.as_str()),
            file: &it.path,
            line: position(it.id_span).0,
            practices: graph.practices_above(i).into_iter().collect(),
        });
        for l in &it.links {
            let (line, column) = position(l.span);
            links.push(Link {
                from: &it.id,
                relation: l.relation.key(),
                to: &l.target,
                to_kind: graph.lookup(&l.target).map(|n| match graph.node_kind(n) {
                    Some(k) => k.as_str(),
                    None => "catalog",
                }),
                file: &it.path,
                line,
                column,
            });
        }
    }

    let trace = Trace {
        schema_version: SCHEMA_VERSION,
        generator: Generator {
            name: "mdbook-techfile",
            version: env!("CARGO_PKG_VERSION"),
        },
        document: Document {
            title,
            version: &stamp.version,
            commit: stamp.commit.as_deref(),
            modified: stamp.modified,
            date: stamp.date().map(|d| d.to_string()),
            timestamp: stamp.timestamp.map(|t| t.as_second()),
            date_source: match stamp.date_source {
                DateSource::SourceDateEpoch => "source-date-epoch",
                DateSource::Commit => "commit",
                DateSource::Unknown => "unknown",
            },
        },
        inputs: stamp
            .inputs
            .iter()
            .map(|f| Input {
                role: f.role.as_str(),
                path: &f.path,
                bytes: f.bytes,
                sha256: &f.sha256,
            })
            .collect(),
        catalog,
        items,
        links,
        sboms: sbom_files(stamp)
            .into_iter()
            .map(|(f, bundle_path)| Sbom {
                path: &f.path,
                bundle_path,
                bytes: f.bytes,
                sha256: &f.sha256,
            })
            .collect(),
        components: components(sboms, graph),
        findings: findings.iter().map(|d| diag::json_value(d, map)).collect(),
        advisory_sources: analysis
            .vulnerabilities
            .sources
            .iter()
            .map(|s| AdvisorySource {
                path: &s.path,
                records: s.records,
                newest_modified: s.newest_modified.map(|m| m.to_string()),
                sha256: &s.sha256,
            })
            .collect(),
    };
    // Serializing strings, numbers and JSON values cannot fail.
    let mut out = serde_json::to_string_pretty(&trace).unwrap_or_default();
    out.push('\n');
    out
}
