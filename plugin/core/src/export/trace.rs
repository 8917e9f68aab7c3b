//! `trace.json`: the whole trace of one version as data, for other tools. The schema is
//! `plugin/core/schemas/trace.schema.json` and is documented in the reference manual
//! (`manual/src/reference.md`); `schema-version` changes when a field is removed or changes
//! meaning.

use crate::Analysis;
use crate::catalog::EntryKind;
use crate::diag;
use crate::graph::{Node, TraceGraph};
use crate::model::{Relation, Span};
use crate::stamp::{DateSource, Stamp, sbom_files};
use serde::Serialize;

/// Bumped when a field is removed or changes meaning; added fields keep the version.
pub(crate) const SCHEMA_VERSION: u32 = 1;

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
    sbom_objects: Vec<SbomObject<'a>>,
    threat_model: ThreatModel<'a>,
    findings: Vec<serde_json::Value>,
    reviews: Reviews<'a>,
    /// The advisory folders the build matched the SBOMs against (the snapshot the
    /// vulnerabilities pages and `vex.cdx.json` rest on).
    advisory_sources: Vec<AdvisorySource<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Reviews<'a> {
    fingerprint_profile: u32,
    records: Vec<Record<'a>>,
    links: Vec<ReviewedLink<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Record<'a> {
    path: &'a str,
    reviewer: &'a str,
    git_identity: Option<&'a str>,
    role: &'a str,
    meaning: &'static str,
    date: &'a str,
    comment: Option<&'a str>,
    commit: Option<&'a str>,
    modified: bool,
    covers: Vec<Covered<'a>>,
}

#[derive(Serialize)]
struct Covered<'a> {
    item: &'a str,
    upstream: &'a str,
    fingerprint: String,
}

#[derive(Serialize)]
struct ReviewedLink<'a> {
    from: &'a str,
    to: &'a str,
    /// The stamp in `reviewed-against`, if any.
    stamp: Option<String>,
    /// The upstream item's fingerprint now.
    current: String,
    /// `current`, `pending`, `suspect` or `other-profile`.
    state: &'static str,
    /// For a link suspect because of links above it: those root links.
    roots: Vec<[&'a str; 2]>,
    /// The record that covers the stamp.
    record: Option<&'a str>,
}

fn reviews(analysis: &Analysis) -> Reviews<'_> {
    use crate::review::State;
    let r = &analysis.reviews;
    let items = &analysis.items;
    Reviews {
        fingerprint_profile: r.profile_version,
        records: r
            .records
            .iter()
            .map(|rec| Record {
                path: &rec.path,
                reviewer: &rec.reviewer,
                git_identity: rec.git_identity.as_deref(),
                role: &rec.role,
                meaning: rec.meaning.as_str(),
                date: &rec.date,
                comment: rec.comment.as_deref(),
                commit: rec.commit.as_deref(),
                modified: rec.modified,
                covers: rec
                    .covers
                    .iter()
                    .map(|c| Covered {
                        item: &c.item,
                        upstream: &c.upstream,
                        fingerprint: c.fingerprint.to_string(),
                    })
                    .collect(),
            })
            .collect(),
        links: r
            .links
            .iter()
            .map(|l| ReviewedLink {
                from: &items[l.item].id,
                to: &items[l.upstream].id,
                stamp: l
                    .stamp
                    .map(|s| items[l.item].reviewed_against[s].fingerprint.to_string()),
                current: r.fingerprints[l.upstream].to_string(),
                state: match l.state {
                    State::Current => "current",
                    State::Pending => "pending",
                    State::Suspect { .. } => "suspect",
                    State::OtherProfile(_) => "other-profile",
                },
                roots: match &l.state {
                    State::Suspect { roots } => roots
                        .iter()
                        .map(|&(d, u)| [items[d].id.as_str(), items[u].id.as_str()])
                        .collect(),
                    _ => Vec::new(),
                },
                record: l.record.map(|n| r.records[n].path.as_str()),
            })
            .collect(),
    }
}

/// The threat model: each element with its own fields and what its links imply (the
/// boundaries around it, the boundaries a flow crosses), and STRIDE per element. The links
/// themselves are in `links`.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ThreatModel<'a> {
    assets: Vec<Asset<'a>>,
    actors: Vec<Actor<'a>>,
    processes: Vec<Process<'a>>,
    data_stores: Vec<Store<'a>>,
    interfaces: Vec<Interface<'a>>,
    data_flows: Vec<Flow<'a>>,
    trust_boundaries: Vec<Boundary<'a>>,
    stride: Vec<StrideCell<'a>>,
}

#[derive(Serialize)]
struct Asset<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: Option<&'static str>,
    confidentiality: Option<&'static str>,
    integrity: Option<&'static str>,
    availability: Option<&'static str>,
}

#[derive(Serialize)]
struct Actor<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: Option<&'static str>,
    capability: Option<&'a str>,
    inside: Vec<&'a str>,
}

#[derive(Serialize)]
struct Process<'a> {
    id: &'a str,
    technology: Option<&'a str>,
    inside: Vec<&'a str>,
}

#[derive(Serialize)]
struct Store<'a> {
    id: &'a str,
    encryption: Option<&'a str>,
    retention: Option<&'a str>,
    inside: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Interface<'a> {
    id: &'a str,
    element: Option<&'a str>,
    peers: Vec<&'a str>,
    #[serde(rename = "type")]
    kind: Option<&'static str>,
    protocol: Option<&'a str>,
    protocol_version: Option<&'a str>,
    port: Option<&'a str>,
    direction: Option<&'static str>,
    exposure: Option<&'static str>,
    authentication: Option<&'a str>,
    encryption: Option<&'a str>,
    purpose: Option<&'a str>,
}

#[derive(Serialize)]
struct Flow<'a> {
    id: &'a str,
    from: Option<&'a str>,
    to: Option<&'a str>,
    interfaces: Vec<&'a str>,
    assets: Vec<&'a str>,
    crosses: Vec<&'a str>,
}

#[derive(Serialize)]
struct Boundary<'a> {
    id: &'a str,
    contains: Vec<&'a str>,
    inside: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct StrideCell<'a> {
    element: &'a str,
    category: &'static str,
    /// `risks`, `not-applicable` or `gap`.
    coverage: &'static str,
    risks: Vec<&'a str>,
    reason: Option<&'a str>,
}

/// The threat model of the graph, every list sorted by ID.
fn threat_model<'a>(
    graph: &TraceGraph<'a>,
    config: &crate::config::StrideConfig,
) -> ThreatModel<'a> {
    use crate::model::{Kind, Stride};
    use crate::threat::{Cell, Model};
    let model = Model::new(graph);
    let items = graph.items;
    let id = |i: usize| items[i].id.as_str();
    let ids = |v: &[usize]| v.iter().map(|&i| items[i].id.as_str()).collect::<Vec<_>>();
    let fields = |i: usize| items[i].model.as_deref();
    let of = |k: Kind| model.of_kind(k).iter().copied();
    ThreatModel {
        assets: of(Kind::Asset)
            .map(|i| {
                let f = fields(i);
                Asset {
                    id: id(i),
                    kind: f.and_then(|f| f.asset_type).map(|t| t.as_str()),
                    confidentiality: f.and_then(|f| f.confidentiality).map(|n| n.as_str()),
                    integrity: f.and_then(|f| f.integrity).map(|n| n.as_str()),
                    availability: f.and_then(|f| f.availability).map(|n| n.as_str()),
                }
            })
            .collect(),
        actors: of(Kind::Actor)
            .map(|i| Actor {
                id: id(i),
                kind: fields(i).and_then(|f| f.actor_type).map(|t| t.as_str()),
                capability: fields(i).and_then(|f| f.capability.as_deref()),
                inside: ids(model.boundaries_of(i)),
            })
            .collect(),
        processes: of(Kind::Process)
            .map(|i| Process {
                id: id(i),
                technology: fields(i).and_then(|f| f.technology.as_deref()),
                inside: ids(model.boundaries_of(i)),
            })
            .collect(),
        data_stores: of(Kind::DataStore)
            .map(|i| Store {
                id: id(i),
                encryption: fields(i).and_then(|f| f.encryption.as_deref()),
                retention: fields(i).and_then(|f| f.retention.as_deref()),
                inside: ids(model.boundaries_of(i)),
            })
            .collect(),
        interfaces: of(Kind::Interface)
            .map(|i| {
                let f = fields(i);
                let text = |g: fn(&crate::model::ModelFields) -> &Option<String>| {
                    f.and_then(|f| g(f).as_deref())
                };
                Interface {
                    id: id(i),
                    element: items[i].single(Relation::InterfaceOf),
                    peers: items[i]
                        .links_of(Relation::Peers)
                        .map(|l| l.target.as_str())
                        .collect(),
                    kind: f.and_then(|f| f.interface_type).map(|t| t.as_str()),
                    protocol: text(|f| &f.protocol),
                    protocol_version: text(|f| &f.protocol_version),
                    port: text(|f| &f.port),
                    direction: f.and_then(|f| f.direction).map(|d| d.as_str()),
                    exposure: f.and_then(|f| f.exposure).map(|e| e.as_str()),
                    authentication: text(|f| &f.authentication),
                    encryption: text(|f| &f.encryption),
                    purpose: text(|f| &f.purpose),
                }
            })
            .collect(),
        data_flows: of(Kind::DataFlow)
            .map(|i| Flow {
                id: id(i),
                from: items[i].single(Relation::FlowFrom),
                to: items[i].single(Relation::FlowTo),
                interfaces: items[i]
                    .links_of(Relation::FlowInterfaces)
                    .map(|l| l.target.as_str())
                    .collect(),
                assets: items[i]
                    .links_of(Relation::FlowAssets)
                    .map(|l| l.target.as_str())
                    .collect(),
                crosses: ids(&model.crossings(i)),
            })
            .collect(),
        trust_boundaries: of(Kind::TrustBoundary)
            .map(|i| Boundary {
                id: id(i),
                contains: items[i]
                    .links_of(Relation::Contains)
                    .map(|l| l.target.as_str())
                    .collect(),
                inside: ids(model.boundaries_of(i)),
            })
            .collect(),
        stride: model
            .stride_elements()
            .into_iter()
            .flat_map(|i| {
                let model = &model;
                Stride::ALL.iter().filter_map(move |&c| {
                    let (coverage, risks, reason) = match model.cell(config, i, c) {
                        Cell::Inapplicable => return None,
                        Cell::Risks(r) => ("risks", r, None),
                        Cell::NotApplicable(why) => ("not-applicable", Vec::new(), Some(why)),
                        Cell::Gap => ("gap", Vec::new(), None),
                    };
                    Some(StrideCell {
                        element: id(i),
                        category: c.as_str(),
                        coverage,
                        risks: risks.iter().map(|&r| items[r].id.as_str()).collect(),
                        reason,
                    })
                })
            })
            .collect(),
    }
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

/// The IDs of the items whose `affects` names an object, sorted.
fn affected_by<'a>(
    sboms: &crate::sbom::SbomSet,
    graph: &TraceGraph<'a>,
    id: crate::sbom::ObjectId,
) -> Vec<&'a str> {
    let mut ids: Vec<&str> = sboms
        .affected_by
        .get(&id)
        .map(|items| items.iter().map(|&i| graph.items[i].id.as_str()).collect())
        .unwrap_or_default();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Direct dependencies by bom-ref (every object the graph resolved to has one), then the
/// references that name nothing in the SBOM.
fn depends_on<'a>(
    sbom: &'a crate::sbom::Sbom,
    on: &[crate::sbom::Target],
    other: &'a [String],
) -> Vec<&'a str> {
    on.iter()
        .filter_map(|&t| sbom.bom_ref_of(t))
        .chain(other.iter().map(String::as_str))
        .collect()
}

/// Every component of every SBOM, with the items that name it in `affects`.
fn components<'a>(sboms: &'a crate::sbom::SbomSet, graph: &TraceGraph<'a>) -> Vec<Component<'a>> {
    let mut out = Vec::new();
    for (s, sbom) in sboms.sboms.iter().enumerate() {
        for (c, comp) in sbom.components.iter().enumerate() {
            let id = crate::sbom::ObjectId {
                sbom: s,
                target: crate::sbom::Target::Component(c),
            };
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
                depends_on: depends_on(sbom, &comp.depends_on, &comp.depends_on_other),
                anchor: &comp.anchor,
                affected_by: affected_by(sboms, graph, id),
            });
        }
    }
    out
}

/// A service or other object of an SBOM that carries a bom-ref.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct SbomObject<'a> {
    sbom: &'a str,
    bom_ref: Option<&'a str>,
    kind: &'a str,
    name: String,
    /// Where the object is in the document; none for services, which are a list of their own.
    location: Option<String>,
    depends_on: Vec<&'a str>,
    anchor: &'a str,
    affected_by: Vec<&'a str>,
}

/// Every service, then every other object with a bom-ref, of every SBOM.
fn sbom_objects<'a>(
    sboms: &'a crate::sbom::SbomSet,
    graph: &TraceGraph<'a>,
) -> Vec<SbomObject<'a>> {
    use crate::sbom::{ObjectId, Target};
    let mut out = Vec::new();
    for (s, sbom) in sboms.sboms.iter().enumerate() {
        for (i, svc) in sbom.services.iter().enumerate() {
            let target = Target::Service(i);
            out.push(SbomObject {
                sbom: &sbom.path,
                bom_ref: svc.bom_ref.as_deref(),
                kind: "service",
                name: svc.label(),
                location: None,
                depends_on: depends_on(sbom, &svc.depends_on, &svc.depends_on_other),
                anchor: &svc.anchor,
                affected_by: affected_by(sboms, graph, ObjectId { sbom: s, target }),
            });
        }
        for (i, e) in sbom.elements.iter().enumerate() {
            let target = Target::Element(i);
            out.push(SbomObject {
                sbom: &sbom.path,
                bom_ref: Some(&e.bom_ref),
                kind: &e.kind,
                name: e.label.clone(),
                location: Some(crate::sbom::schema::readable_path(&e.pointer)),
                depends_on: Vec::new(),
                anchor: &e.anchor,
                affected_by: affected_by(sboms, graph, ObjectId { sbom: s, target }),
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
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<&'a str>,
    file: &'a str,
    line: usize,
    practices: Vec<&'a str>,
    /// The item's own fingerprint under the profile in force.
    fingerprint: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Link<'a> {
    from: &'a str,
    relation: &'static str,
    to: &'a str,
    /// The kind of the item (`requirement`, `risk`, ..., `trust-boundary`), `catalog`, or
    /// null when nothing has the ID.
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
            document: it.document.as_ref().map(|d| d.value.as_str()),
            file: &it.path,
            line: position(it.id_span).0,
            practices: graph.practices_above(i).into_iter().collect(),
            fingerprint: analysis.reviews.fingerprints[i].to_string(),
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
        sbom_objects: sbom_objects(sboms, graph),
        threat_model: threat_model(graph, &analysis.config.stride),
        findings: findings.iter().map(|d| diag::json_value(d, map)).collect(),
        reviews: reviews(analysis),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::load::Input;
    use crate::sbom::SbomInput;
    use crate::stamp::{SbomFolder, StampFacts};
    use crate::{BookInputs, Inputs, Mode};
    use serde_json::Value;

    fn input(path: &str, text: &str) -> Input {
        Input {
            name: path.into(),
            path: path.into(),
            content: Ok(text.as_bytes().to_vec()),
        }
    }

    fn item(id: &str, kind: &str, extra: &str) -> String {
        format!(
            "+++\nid = \"{id}\"\nkind = \"{kind}\"\ntitle = \"{id} title\"\n{extra}\n+++\nBody.\n"
        )
    }

    const SBOM: &str = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
"metadata": {"timestamp": "2026-01-01T00:00:00Z", "authors": [{"name": "A"}]},
"components": [
 {"type": "library", "bom-ref": "zlib", "name": "zlib", "version": "1.3", "supplier": {"name": "Z"}, "purl": "pkg:generic/zlib@1.3", "hashes": [{"alg": "SHA-256", "content": "0000000000000000000000000000000000000000000000000000000000000000"}]},
 {"type": "library", "bom-ref": "app", "name": "app", "version": "2", "supplier": {"name": "Z"}, "purl": "pkg:generic/app@2"}
],
"dependencies": [{"ref": "app", "dependsOn": ["zlib"]}, {"ref": "zlib"}]}
"#;

    /// The item files, sorted by path as the edge hands them over; their IDs are in
    /// another order, which the export must not follow.
    fn files() -> Vec<Input> {
        vec![
            input(
                "requirements/a/TST-1.md",
                &item("TST-1", "test", "verifies = [\"CTL-1\"]\nresult = \"pass\""),
            ),
            input(
                "requirements/b/REQ-2.md",
                &item(
                    "REQ-2",
                    "requirement",
                    "derives-from = [\"REQ-1\", \"MDR-1\"]\nstatus = \"approved\"",
                ),
            ),
            input(
                "requirements/c/REQ-1.md",
                &item(
                    "REQ-1",
                    "requirement",
                    "derives-from = [\"MDCG-SM\"]\ntags = [\"auth\"]",
                ),
            ),
            input(
                "requirements/d/CTL-1.md",
                &item("CTL-1", "control", "implements = [\"REQ-1\", \"REQ-404\"]"),
            ),
            input(
                "requirements/e/RSK-1.md",
                &item("RSK-1", "risk", "affects = [\"pkg:generic/zlib@1.3\"]"),
            ),
        ]
    }

    fn analyse(items: Vec<Input>) -> (crate::Analysis, String) {
        let config = Config::from_toml("[not-applicable]\n\"MDR-2\" = \"No <IVD> use\"").unwrap();
        let inputs = Inputs {
            config,
            items,
            reviews: Vec::new(),
            sbom_xml: Vec::new(),
            sboms: vec![SbomInput {
                input: input("sboms/vendor/lib.cdx.json", SBOM),
                key: "vendor/lib.cdx.json".into(),
            }],
            book: BookInputs {
                book_toml: Some(input(
                    "book/book.toml",
                    "[book]\ntitle = \"T\"\n\n[preprocessor.techfile]\n",
                )),
                ..BookInputs::default()
            },
            today: None,
            stamp: Some(StampFacts {
                version: "2.3".into(),
                commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
                modified: true,
                timestamp: Some(jiff::Timestamp::from_second(1_795_000_000).unwrap()),
                date_source: DateSource::SourceDateEpoch,
                sbom_folders: vec![SbomFolder {
                    configured: "../sboms".into(),
                    path: "sboms".into(),
                    found: true,
                }],
                revisions: Vec::new(),
            }),
            ..Inputs::default()
        };
        let analysis = crate::analyse(inputs, Mode::Check);
        let stamp = analysis.stamp.clone().expect("a stamp");
        let text = export(&analysis, &stamp, Some("Title <with> markup"));
        (analysis, text)
    }

    fn strs<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x[key].as_str().unwrap_or("null"))
            .collect()
    }

    #[test]
    fn the_export_follows_its_schema_in_a_fixed_shape() {
        let (_, text) = analyse(files());
        assert!(text.ends_with("}\n"));
        let v: Value = serde_json::from_str(&text).unwrap();
        let schema: Value =
            serde_json::from_str(include_str!("../../schemas/trace.schema.json")).unwrap();
        let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        // The top-level fields come in the documented order.
        let keys: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("  \"")?.split_once("\":").map(|(k, _)| k))
            .collect();
        assert_eq!(
            keys,
            [
                "schema-version",
                "generator",
                "document",
                "inputs",
                "catalog",
                "items",
                "links",
                "sboms",
                "components",
                "sbom-objects",
                "threat-model",
                "findings",
                "reviews",
                "advisory-sources",
            ]
        );
        assert_eq!(v["schema-version"], SCHEMA_VERSION);
        let doc = &v["document"];
        assert_eq!(doc["title"], "Title <with> markup", "data, not HTML");
        assert_eq!(doc["version"], "2.3");
        assert_eq!(doc["modified"], true);
        assert_eq!(doc["date"], "2026-11-18");
        assert_eq!(doc["timestamp"], 1_795_000_000);
        assert_eq!(doc["date-source"], "source-date-epoch");
    }

    #[test]
    fn items_links_and_the_catalog_are_complete_and_ordered() {
        let (analysis, text) = analyse(files());
        let v: Value = serde_json::from_str(&text).unwrap();
        // Items by ID, whatever order the files came in, with file and line.
        assert_eq!(
            strs(&v["items"], "id"),
            ["CTL-1", "REQ-1", "REQ-2", "RSK-1", "TST-1"]
        );
        let req1 = &v["items"][1];
        assert_eq!(req1["file"], "requirements/c/REQ-1.md");
        assert_eq!(req1["line"], 2);
        assert_eq!(req1["status"], "draft");
        assert_eq!(req1["tags"], serde_json::json!(["auth"]));
        assert_eq!(req1["practices"], serde_json::json!(["MDCG-SM"]));
        assert_eq!(v["items"][4]["result"], "pass");
        // Links as written, item by item, each with the kind of its target.
        let links: Vec<(&str, &str, &str, &str)> = v["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["from"].as_str().unwrap(),
                    l["relation"].as_str().unwrap(),
                    l["to"].as_str().unwrap(),
                    l["to-kind"].as_str().unwrap_or("null"),
                )
            })
            .collect();
        assert_eq!(
            links,
            [
                ("CTL-1", "implements", "REQ-1", "requirement"),
                ("CTL-1", "implements", "REQ-404", "null"),
                ("REQ-1", "derives-from", "MDCG-SM", "catalog"),
                ("REQ-2", "derives-from", "REQ-1", "requirement"),
                ("REQ-2", "derives-from", "MDR-1", "catalog"),
                ("TST-1", "verifies", "CTL-1", "control"),
            ]
        );
        let l = &v["links"][1];
        assert_eq!(
            (l["file"].as_str(), l["line"].as_u64(), l["column"].as_u64()),
            (Some("requirements/d/CTL-1.md"), Some(5), Some(24))
        );
        // The whole catalog in its order, with what derives from each entry.
        let catalog = v["catalog"].as_array().unwrap();
        assert_eq!(catalog.len(), analysis.catalog.entries().len());
        assert_eq!(
            strs(&v["catalog"], "id")[0],
            analysis.catalog.entries()[0].id
        );
        let entry = |id: &str| catalog.iter().find(|e| e["id"] == id).unwrap();
        assert_eq!(entry("MDCG-SM")["derived-by"], serde_json::json!(["REQ-1"]));
        assert_eq!(entry("MDCG-SM")["kind"], "practice");
        assert_eq!(entry("MDR-1")["derived-by"], serde_json::json!(["REQ-2"]));
        assert_eq!(entry("MDR-2")["not-applicable"], "No <IVD> use");
        assert_eq!(entry("MDR-1")["not-applicable"], Value::Null);
        // Findings are exported as the JSON of `check`.
        let unknown: Vec<&Value> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "unknown-id")
            .collect();
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0]["file"], "requirements/d/CTL-1.md");
        assert_eq!(
            v["findings"].as_array().unwrap().len(),
            analysis.findings.len()
        );
    }

    #[test]
    fn sboms_inputs_and_components_are_exported() {
        let (_, text) = analyse(files());
        let v: Value = serde_json::from_str(&text).unwrap();
        let roles: Vec<(&str, &str)> = v["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["role"].as_str().unwrap(), i["path"].as_str().unwrap()))
            .collect();
        assert_eq!(roles[0], ("config", "book/book.toml"));
        assert_eq!(roles.iter().filter(|(r, _)| *r == "item").count(), 5);
        assert_eq!(roles.last(), Some(&("sbom", "sboms/vendor/lib.cdx.json")));
        let sbom = &v["sboms"][0];
        assert_eq!(sbom["path"], "sboms/vendor/lib.cdx.json");
        assert_eq!(sbom["bundle-path"], "sboms/vendor/lib.cdx.json");
        assert_eq!(sbom["sha256"], crate::digest::sha256_hex(SBOM.as_bytes()));
        assert_eq!(sbom["bytes"], SBOM.len());
        let components = v["components"].as_array().unwrap();
        assert_eq!(strs(&v["components"], "name"), ["zlib", "app"]);
        assert_eq!(components[0]["affected-by"], serde_json::json!(["RSK-1"]));
        assert_eq!(components[0]["hashes"][0]["alg"], "SHA-256");
        assert_eq!(components[1]["depends-on"], serde_json::json!(["zlib"]));
        assert_eq!(components[1]["affected-by"], serde_json::json!([]));
        assert!(
            components
                .iter()
                .all(|c| c["sbom"] == "sboms/vendor/lib.cdx.json")
        );
    }

    #[test]
    fn the_export_is_the_same_text_for_the_same_trace() {
        let (_, first) = analyse(files());
        let (_, again) = analyse(files());
        assert_eq!(first, again);
        // A change to one item does change it.
        let mut changed = files();
        changed[2] = input(
            "requirements/c/REQ-1.md",
            &item("REQ-1", "requirement", "derives-from = [\"MDCG-SR\"]"),
        );
        let (_, different) = analyse(changed);
        assert_ne!(first, different);
    }
}
