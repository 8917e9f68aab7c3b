//! The advisories against the SBOMs: which component is affected by which vulnerability,
//! what the VEX statements say about it, and what that means for the trace.
//!
//! - A component whose purl maps onto an ecosystem some advisory folder covers is
//!   matched against every record naming its package; one that cannot be matched is
//!   listed and reported (`component-not-checked`, `component-version-missing`), as is a
//!   range that cannot be evaluated (`advisory-range-unevaluated`): nothing passes
//!   silently.
//! - Records that share an id or alias (RUSTSEC ↔ CVE ↔ GHSA) are one vulnerability.
//! - A vulnerability is settled for a component by a complete VEX statement `not_affected`
//!   (with its justification) or `fixed`; it is then listed, not reported. `affected` with
//!   a response is reported as acknowledged (`vulnerability-affected`); anything else is a
//!   `vulnerable-component`.
//! - An unsettled vulnerability makes every live item whose `affects` names the component
//!   suspect (`vulnerability-suspect`, one finding per item and vulnerability): a risk is
//!   to be re-estimated (unless its `cve` already names the vulnerability), the controls
//!   that mitigate it and the tests that verify those controls re-checked.

use super::ComponentId;
use super::ecosystem::{self, Unmatchable};
use super::matching::{self, Verdict};
use super::{Database, Source};
use crate::diag::{Code, Diagnostic};
use crate::graph::{Node, TraceGraph};
use crate::model::{Date, Kind, Relation, SourceMap, Span, Status as ItemStatus};
use crate::sbom::SbomSet;
use crate::sbom::purl::Purl;
use crate::vex::{Statement, Statements, Subject};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The CVSS score of a vulnerability, from the advisory's `severity[]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Score {
    /// `CVSS_V4`, `CVSS_V3`, `CVSS_V2`.
    pub(crate) kind: String,
    pub(crate) vector: String,
    /// The base score in tenths, when the vector could be scored.
    pub(crate) tenths: Option<u32>,
    /// `low` ... `critical`, or the database's own word when there is no vector.
    pub(crate) rating: String,
}

/// One vulnerability of one component.
#[derive(Clone, Debug, PartialEq)]
pub struct Vulnerability {
    pub(crate) component: ComponentId,
    /// The name shown first: the smallest id of the matching records.
    pub id: String,
    /// Every other id and alias, sorted.
    pub(crate) aliases: Vec<String>,
    /// The matching records (indices into [`Database::records`]).
    pub(crate) records: Vec<usize>,
    pub(crate) summary: Option<String>,
    pub(crate) score: Option<Score>,
    /// Versions the advisories say the problem is fixed in.
    pub(crate) fixed: Vec<String>,
    /// Why the component's version matches.
    pub(crate) how: String,
    /// RustSec's informational kind (`unmaintained`, `unsound`, `notice`): not a
    /// vulnerability, reported as `advisory-informational`.
    pub(crate) informational: Option<String>,
    pub(crate) url: Option<String>,
    /// The VEX statement that applies (index into [`Assessment::statements`]).
    pub(crate) statement: Option<usize>,
}

impl Vulnerability {
    /// Every name: the id and the aliases.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// A range that could not be evaluated for a component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unevaluated {
    pub(crate) component: ComponentId,
    pub(crate) record: usize,
    pub(crate) reason: String,
}

/// Everything the advisories and VEX statements say about the loaded SBOMs.
#[derive(Debug, Default)]
pub struct Assessment {
    /// The advisory folders read (empty: no advisories were given).
    pub sources: Vec<Source>,
    /// Records read in all folders.
    pub records: usize,
    /// Every (component, advisory) match, in report order (by SBOM, component, then advisory ID).
    pub vulnerabilities: Vec<Vulnerability>,
    pub(crate) unevaluated: Vec<Unevaluated>,
    /// Components that could not be matched, with the reason.
    pub(crate) not_checked: Vec<(ComponentId, String)>,
    /// Components matched against advisories.
    pub(crate) checked: usize,
    /// Every VEX statement read (CycloneDX `vulnerabilities[].analysis` and OpenVEX
    /// `statements[]`), settled or not, for the report.
    pub statements: Vec<Statement>,
    /// The components each statement names (same index as `statements`).
    pub(crate) statement_components: Vec<Vec<ComponentId>>,
    /// The date expiry was judged against (`revalidate --today`), if any.
    pub(crate) today: Option<Date>,
    /// `vex-max-age`, for showing each statement's due date.
    pub(crate) max_age: Option<u32>,
    /// The id of every record, for reports (same index as the database's records).
    pub(crate) record_ids: Vec<String>,
    /// RustSec `unmaintained` advisories of the folders: a source of the level of support
    /// ([`crate::lifecycle`]).
    pub notices: Vec<crate::lifecycle::advisory::Notice>,
}

impl Assessment {
    /// Whether advisories were read at all.
    pub(crate) fn is_active(&self) -> bool {
        !self.sources.is_empty()
    }

    /// Whether a vulnerability is settled by its statement (listed, not reported).
    pub(crate) fn is_settled(&self, v: &Vulnerability) -> bool {
        v.statement
            .map(|s| &self.statements[s])
            .is_some_and(|s| s.complete && s.status.settles())
    }
}

/// What [`assess`] needs besides the database and the SBOMs.
pub(crate) struct Context<'a> {
    pub(crate) map: &'a SourceMap,
    pub(crate) graph: &'a TraceGraph<'a>,
    pub(crate) today: Option<Date>,
    pub(crate) max_age: Option<u32>,
}

fn purl_base(purl: &str) -> &str {
    &purl[..purl.find(['?', '#']).unwrap_or(purl.len())]
}

/// Finds the components each statement names; reports those it names that no SBOM has.
fn resolve_statements(
    ctx: &Context<'_>,
    sboms: &SbomSet,
    vex: &Statements,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Vec<ComponentId>> {
    let mut by_ref: HashMap<&str, Vec<ComponentId>> = HashMap::new();
    // Components by package (`type/namespace/name`, canonical), with their parsed purls.
    let mut by_package: HashMap<&str, Vec<(ComponentId, &Purl)>> = HashMap::new();
    for (s, sbom) in sboms.sboms.iter().enumerate() {
        for (c, comp) in sbom.components.iter().enumerate() {
            let id = ComponentId {
                sbom: s,
                component: c,
            };
            if let Some(r) = comp.bom_ref.as_deref() {
                by_ref.entry(r).or_default().push(id);
            }
            if let Some(p) = &comp.parsed_purl {
                by_package.entry(p.package()).or_default().push((id, p));
            }
        }
    }
    // A purl with a version names that version (compared as purls, see `sbom::purl`); one
    // without names every version of the package.
    let by_purl = |purl: &str| -> Vec<ComponentId> {
        let Ok(wanted) = Purl::parse(purl) else {
            return Vec::new();
        };
        by_package
            .get(wanted.package())
            .into_iter()
            .flatten()
            .filter(|(_, p)| wanted.version().is_none() || wanted.names(p))
            .map(|(id, _)| *id)
            .collect()
    };
    let mut out = Vec::with_capacity(vex.statements.len());
    for st in &vex.statements {
        let mut found: Vec<ComponentId> = Vec::new();
        for subject in &st.subjects {
            let hits: Vec<ComponentId> = match subject {
                Subject::Purl(p) => by_purl(p),
                Subject::Ref {
                    reference,
                    versions,
                } => {
                    let mut hits = resolve_ref(reference, st, sboms, &by_ref);
                    if hits.is_empty() && reference.starts_with("pkg:") {
                        hits = by_purl(reference);
                    }
                    if hits.is_empty()
                        && let Some((_, _, p)) = vex
                            .local_purls
                            .iter()
                            .find(|(f, r, _)| *f == st.file && r == reference)
                    {
                        hits = by_purl(p);
                    }
                    if !versions.is_empty() {
                        hits.retain(|id| {
                            let c = id.get(sboms);
                            c.version.as_ref().is_some_and(|v| versions.contains(v))
                        });
                    }
                    hits
                }
            };
            if hits.is_empty() {
                let member = match st.format {
                    crate::vex::Format::CycloneDx => "affects",
                    crate::vex::Format::OpenVex => "products",
                };
                diags.push(
                    Diagnostic::new(
                        Code::VexUnknownComponent,
                        format!(
                            "VEX statement on `{}` names `{}`, which no loaded SBOM contains",
                            st.vulnerability,
                            subject.text()
                        ),
                    )
                    .at(st.span(ctx.map, member), "no component matches")
                    .help("name a component by its bom-ref or purl (with the version it has in the SBOM), or add the component to its SBOM; a statement limited to versions must list the SBOM's version"),
                );
            }
            for h in hits {
                if !found.contains(&h) {
                    found.push(h);
                }
            }
        }
        out.push(found);
    }
    out
}

/// A bom-ref or BOM-Link: in the statement's own SBOM first, then in any SBOM.
fn resolve_ref(
    reference: &str,
    st: &Statement,
    sboms: &SbomSet,
    by_ref: &HashMap<&str, Vec<ComponentId>>,
) -> Vec<ComponentId> {
    if let Some(rest) = reference.strip_prefix("urn:cdx:") {
        // urn:cdx:<serial UUID>/<version>#<bom-ref>
        let Some((bom, fragment)) = rest.split_once('#') else {
            return Vec::new();
        };
        let serial = format!("urn:uuid:{}", bom.split('/').next().unwrap_or_default());
        let r = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        return by_ref
            .get(r.as_ref())
            .into_iter()
            .flatten()
            .filter(|id| sboms.sboms[id.sbom].serial_number.as_deref() == Some(serial.as_str()))
            .copied()
            .collect();
    }
    let all = by_ref.get(reference).cloned().unwrap_or_default();
    match st.sbom {
        Some(own) if all.iter().any(|id| id.sbom == own) => {
            all.into_iter().filter(|id| id.sbom == own).collect()
        }
        _ => all,
    }
}

/// The best score of a record for one of its entries: CVSS 4.0, then 3.x, then 2.0, from
/// the entry's own `severity[]`, then the record's; else the database's word.
fn score(db: &Database, record: usize, entry: usize) -> Option<Score> {
    let r = &db.records[record];
    let lists = [&r.affected[entry].severity, &r.severity];
    for kind in ["CVSS_V4", "CVSS_V3", "CVSS_V2"] {
        for list in lists {
            for (k, vector) in list.iter() {
                if k != kind {
                    continue;
                }
                let parsed = crate::cvss::Vector::parse(vector.trim()).ok();
                return Some(Score {
                    kind: k.clone(),
                    vector: vector.clone(),
                    tenths: parsed.as_ref().map(crate::cvss::Vector::base_score_tenths),
                    rating: parsed.map_or("unscored".into(), |p| p.rating().to_owned()),
                });
            }
        }
    }
    r.severity_word.as_ref().map(|w| Score {
        kind: "database".into(),
        vector: String::new(),
        tenths: None,
        rating: w.to_ascii_lowercase(),
    })
}

/// Groups record indices that share an id or alias.
fn groups(db: &Database, records: &[usize]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..records.len()).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut i = i;
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (k, &r) in records.iter().enumerate() {
        let rec = &db.records[r];
        for name in std::iter::once(&rec.id).chain(&rec.aliases) {
            match owner.get(name.as_str()) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, j), find(&mut parent, k));
                    parent[a] = b;
                }
                None => {
                    owner.insert(name, k);
                }
            }
        }
    }
    let mut out: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (k, &r) in records.iter().enumerate() {
        let root = find(&mut parent, k);
        out.entry(root).or_default().push(r);
    }
    out.into_values().collect()
}

/// The OSV ecosystems (without releases) of every component whose purl maps onto one,
/// sorted: the advisory databases a revalidation needs.
pub fn ecosystems(sboms: &SbomSet) -> BTreeSet<&'static str> {
    sboms
        .sboms
        .iter()
        .flat_map(|s| &s.components)
        .filter_map(|c| c.purl.as_deref())
        .filter_map(|p| ecosystem::package(p).ok())
        .map(|p| p.ecosystem)
        .collect()
}

/// Runs the advisories against every component and applies the VEX statements.
pub(crate) fn assess(
    ctx: &Context<'_>,
    db: &Database,
    sboms: &SbomSet,
    vex: Statements,
) -> (Assessment, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let statement_components = resolve_statements(ctx, sboms, &vex, &mut diags);
    let mut a = Assessment {
        sources: db.sources.clone(),
        records: db.records.len(),
        today: ctx.today,
        max_age: ctx.max_age,
        record_ids: db.records.iter().map(|r| r.id.clone()).collect(),
        notices: db.notices.clone(),
        ..Assessment::default()
    };
    if db.is_active() {
        match_components(db, sboms, &mut a, &mut diags);
    }
    // Statements apply by (vulnerability name, component).
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, st) in vex.statements.iter().enumerate() {
        for n in st.names() {
            by_name.entry(n).or_default().push(i);
        }
    }
    for v in &mut a.vulnerabilities {
        let mut candidates: Vec<usize> = v
            .names()
            .flat_map(|n| by_name.get(n).into_iter().flatten().copied())
            .filter(|&i| statement_components[i].contains(&v.component))
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        // A complete statement wins over an incomplete one, a newer over an older, and the
        // first read over a later one of the same time.
        v.statement = candidates.into_iter().min_by_key(|&i| {
            let s = &vex.statements[i];
            (!s.complete, std::cmp::Reverse(s.updated), i)
        });
    }
    a.statements = vex.statements;
    a.statement_components = statement_components;
    statement_findings(ctx, db, &a, &mut diags);
    vulnerability_findings(ctx, db, sboms, &a, &mut diags);
    (a, diags)
}

fn match_components(
    db: &Database,
    sboms: &SbomSet,
    a: &mut Assessment,
    diags: &mut Vec<Diagnostic>,
) {
    for (s, sbom) in sboms.sboms.iter().enumerate() {
        for (c, comp) in sbom.components.iter().enumerate() {
            let id = ComponentId {
                sbom: s,
                component: c,
            };
            let Some(purl) = comp.purl.as_deref() else {
                a.not_checked.push((id, "it has no purl".into()));
                continue;
            };
            let package = match ecosystem::package(purl) {
                Ok(p) => p,
                Err(e) => {
                    let reason = match e {
                        Unmatchable::BadPurl(why) => {
                            format!("its purl `{purl}` is malformed: {why}")
                        }
                        Unmatchable::NoEcosystem(t) => {
                            format!("no advisory ecosystem is known for purls of type `{t}`")
                        }
                    };
                    a.not_checked.push((id, reason));
                    continue;
                }
            };
            if !db.covers(package.ecosystem) {
                a.not_checked.push((
                    id,
                    format!(
                        "no advisory folder covers the {} ecosystem",
                        package.ecosystem
                    ),
                ));
                continue;
            }
            a.checked += 1;
            let candidates: Vec<(usize, usize)> = db
                .candidates(package.ecosystem, &package.name)
                .iter()
                .copied()
                .filter(|(r, e)| {
                    ecosystem::covers(&db.records[*r].affected[*e].ecosystem, &package)
                })
                .collect();
            if candidates.is_empty() {
                continue;
            }
            let Some(version) = comp.version.clone().or(package.version.clone()) else {
                let n: BTreeSet<usize> = candidates.iter().map(|(r, _)| *r).collect();
                diags.push(
                    Diagnostic::new(
                        Code::ComponentVersionMissing,
                        format!(
                            "`{}` has no version, so {} advisor{} for it cannot be evaluated",
                            comp.label(),
                            n.len(),
                            if n.len() == 1 { "y" } else { "ies" }
                        ),
                    )
                    .at(comp.span, "no version")
                    .help("give the component its `version` (and the purl its `@version`) in the SBOM, so the advisories for it can be matched"),
                );
                continue;
            };
            let order = ecosystem::order(package.ecosystem);
            // Per record: affected (with how and the entry), else the reasons it could not
            // be decided.
            let mut hits: BTreeMap<usize, (String, usize)> = BTreeMap::new();
            let mut open: BTreeMap<usize, String> = BTreeMap::new();
            for (r, e) in candidates {
                match matching::evaluate(&db.records[r].affected[e], &version, order) {
                    Verdict::Affected { how } => {
                        hits.entry(r).or_insert((how, e));
                    }
                    Verdict::Unevaluated { reason } => {
                        open.entry(r).or_insert(reason);
                    }
                    Verdict::NotAffected => {}
                }
            }
            for (r, reason) in open {
                if !hits.contains_key(&r) {
                    a.unevaluated.push(Unevaluated {
                        component: id,
                        record: r,
                        reason,
                    });
                }
            }
            let records: Vec<usize> = hits.keys().copied().collect();
            for group in groups(db, &records) {
                let mut names: BTreeSet<String> = BTreeSet::new();
                for &r in &group {
                    names.insert(db.records[r].id.clone());
                    names.extend(db.records[r].aliases.iter().cloned());
                }
                let primary = group
                    .iter()
                    .map(|&r| db.records[r].id.clone())
                    .min()
                    .unwrap_or_default();
                names.remove(&primary);
                let first = group
                    .iter()
                    .copied()
                    .find(|&r| db.records[r].id == primary)
                    .unwrap_or(group[0]);
                let (how, entry) = hits[&first].clone();
                let mut fixed: Vec<String> = group
                    .iter()
                    .flat_map(|&r| {
                        let (_, e) = &hits[&r];
                        matching::fixed_versions(&db.records[r].affected[*e])
                    })
                    .collect();
                fixed.sort();
                fixed.dedup();
                let best = group
                    .iter()
                    .filter_map(|&r| score(db, r, hits[&r].1))
                    .max_by_key(|s| (s.tenths, s.kind.clone()));
                let informational = group
                    .iter()
                    .all(|&r| db.records[r].affected[hits[&r].1].informational.is_some())
                    .then(|| db.records[first].affected[entry].informational.clone())
                    .flatten();
                a.vulnerabilities.push(Vulnerability {
                    component: id,
                    id: primary,
                    aliases: names.into_iter().collect(),
                    records: group.clone(),
                    summary: group.iter().find_map(|&r| db.records[r].summary.clone()),
                    score: best,
                    fixed,
                    how,
                    informational,
                    url: db.records[first].url.clone(),
                    statement: None,
                });
            }
        }
    }
    a.vulnerabilities
        .sort_by(|x, y| (x.component, &x.id).cmp(&(y.component, &y.id)));
    let mut per_sbom: BTreeMap<usize, usize> = BTreeMap::new();
    for (id, reason) in &a.not_checked {
        // The SBOM's own product (`metadata.component`) is what the technical file is
        // about, not a supplier's package: it is listed in the report, not reported.
        if sboms.sboms[id.sbom].primary == Some(id.component) {
            continue;
        }
        let n = per_sbom.entry(id.sbom).or_default();
        *n += 1;
        if *n > MAX_NOT_CHECKED {
            continue;
        }
        let comp = id.get(sboms);
        diags.push(
            Diagnostic::new(
                Code::ComponentNotChecked,
                format!("`{}` is not checked against advisories: {reason}", comp.label()),
            )
            .at(comp.span, "not checked")
            .help("give the component a purl of a package ecosystem (`pkg:cargo/...`, `pkg:npm/...`, ...) and the advisory folder of that ecosystem with --advisories or `advisories`"),
        );
    }
    for (&s, &n) in &per_sbom {
        if n > MAX_NOT_CHECKED {
            let sbom = &sboms.sboms[s];
            diags.push(
                Diagnostic::new(
                    Code::ComponentNotChecked,
                    format!("{} more components of `{}` are not checked against advisories (the report lists them)", n - MAX_NOT_CHECKED, sbom.key),
                )
                .at(sbom.root_span, "this SBOM")
                .help("give the components purls of package ecosystems, and the advisory folders of those ecosystems"),
            );
        }
    }
}

/// Most components of one SBOM reported as not checked one by one; the rest are counted.
const MAX_NOT_CHECKED: usize = 20;

/// Expired and dangling statements.
fn statement_findings(
    ctx: &Context<'_>,
    db: &Database,
    a: &Assessment,
    diags: &mut Vec<Diagnostic>,
) {
    for st in &a.statements {
        if db.is_active() && !st.names().any(|n| db.knows(n)) {
            diags.push(
                Diagnostic::new(
                    Code::VexUnknownVulnerability,
                    format!(
                        "VEX statement on `{}`, which no loaded advisory names",
                        st.vulnerability
                    ),
                )
                .at(st.span(ctx.map, ""), "this statement")
                .help("check the vulnerability's id (and list its aliases), or give the advisory folder of its ecosystem with --advisories; a statement on a withdrawn advisory can be removed"),
            );
        }
        let (Some(today), Some(due)) = (ctx.today, st.due(ctx.max_age)) else {
            continue;
        };
        if due < today {
            let (member, how) = match (st.review_by.is_some(), st.format) {
                (true, _) => (
                    "properties",
                    format!("its `{}` date", crate::vex::REVIEW_BY),
                ),
                (false, crate::vex::Format::CycloneDx) => (
                    "analysis",
                    "its last update plus `vex-max-age` days".to_owned(),
                ),
                (false, crate::vex::Format::OpenVex) => {
                    ("", "its last update plus `vex-max-age` days".to_owned())
                }
            };
            diags.push(
                Diagnostic::new(
                    Code::VexExpired,
                    format!(
                        "VEX statement `{}` on `{}` was due for review on {due} ({how}); today is {today}",
                        st.label, st.vulnerability
                    ),
                )
                .at(st.span(ctx.map, member), "expired")
                .help("review the statement against the current advisory and the product, then update its date (or its status)"),
            );
        }
    }
}

/// The span of the `affects` entry of item `i` that names component `c`.
fn affects_span(ctx: &Context<'_>, sboms: &SbomSet, i: usize, c: ComponentId) -> Span {
    let item = &ctx.graph.items[i];
    let comp = c.get(sboms);
    item.affects
        .iter()
        .find(|r| {
            let v = r.value.as_str();
            comp.bom_ref.as_deref() == Some(v)
                || comp
                    .purl
                    .as_deref()
                    .is_some_and(|p| p == v || purl_base(p) == purl_base(v))
        })
        .map_or(item.header_span, |r| r.span)
}

fn link_span(ctx: &Context<'_>, i: usize, relation: Relation, target: &str) -> Span {
    let item = &ctx.graph.items[i];
    item.links_of(relation)
        .find(|l| l.target == target)
        .map_or(item.header_span, |l| l.span)
}

fn vulnerability_findings(
    ctx: &Context<'_>,
    db: &Database,
    sboms: &SbomSet,
    a: &Assessment,
    diags: &mut Vec<Diagnostic>,
) {
    for u in &a.unevaluated {
        let comp = u.component.get(sboms);
        let id = &db.records[u.record].id;
        diags.push(
            Diagnostic::new(
                Code::AdvisoryRangeUnevaluated,
                format!("advisory `{id}` names `{}`, but cannot be evaluated for it: {}", comp.label(), u.reason),
            )
            .at(comp.span, "not known whether affected")
            .help(format!("read the advisory ({}) and record the outcome as a VEX statement on `{id}` for this component", db.record_file[u.record])),
        );
    }
    let graph = ctx.graph;
    let mut suspects: BTreeSet<(usize, String)> = BTreeSet::new();
    for v in &a.vulnerabilities {
        let comp = v.component.get(sboms);
        let sbom = &sboms.sboms[v.component.sbom];
        let also = if v.aliases.is_empty() {
            String::new()
        } else {
            format!(
                " (also {})",
                v.aliases
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let summary = v
            .summary
            .as_deref()
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        let severity = v
            .score
            .as_ref()
            .map(|s| match s.tenths {
                Some(t) => format!(" [{} {}]", crate::cvss::tenths(t), s.rating),
                None => format!(" [{}]", s.rating),
            })
            .unwrap_or_default();
        let fixed = if v.fixed.is_empty() {
            "no fixed version is known".to_owned()
        } else {
            format!("fixed in {}", v.fixed.join(", "))
        };
        if a.is_settled(v) {
            continue;
        }
        if let Some(kind) = &v.informational {
            diags.push(
                Diagnostic::new(Code::AdvisoryInformational, format!("`{}` has an informational advisory `{}` ({kind}){summary}", comp.label(), v.id))
                    .at(comp.span, kind.clone())
                    .help(format!("not a vulnerability, but a sign to act on ({fixed}); record the decision as a VEX statement, or replace the component")),
            );
            continue;
        }
        let statement = v.statement.map(|s| &a.statements[s]);
        match statement {
            Some(st) if st.complete && st.status == crate::vex::Status::Affected => {
                diags.push(
                    Diagnostic::new(Code::VulnerabilityAffected, format!("`{}` in `{}` is affected by `{}`{also}{severity}{summary}; the VEX statement says: {}", comp.label(), sbom.key, v.id, st.response.join(", ")))
                        .at(comp.span, "known to be affected")
                        .help(format!("{fixed}; carry out the response, then record `fixed` or `not_affected`")),
                );
            }
            _ => {
                let why = match statement {
                    Some(st) if !st.complete => {
                        format!(" (its VEX statement `{}` is incomplete)", st.label)
                    }
                    Some(st) => format!(" (VEX: `{}`)", st.label),
                    None => String::new(),
                };
                diags.push(
                    Diagnostic::new(Code::VulnerableComponent, format!("`{}` in `{}` is affected by `{}`{also}{severity}{summary}{why}", comp.label(), sbom.key, v.id))
                        .at(comp.span, v.how.clone())
                        .help(format!("{fixed}: update the component, or record a VEX statement (`not_affected` with a justification, `affected` with a response) for `{}` on this component", v.id)),
                );
            }
        }
        // The trace: items that affect the component, and below a risk its controls and
        // their tests.
        let direct = sboms
            .affected_by
            .get(&v.component.object())
            .cloned()
            .unwrap_or_default();
        for i in direct {
            let item = &graph.items[i];
            if item.status == ItemStatus::Obsolete {
                continue;
            }
            let known = item
                .risk
                .as_ref()
                .is_some_and(|r| r.cve.iter().any(|c| v.names().any(|n| n == c)));
            if known {
                continue;
            }
            let (what, todo) = match item.kind {
                Kind::Risk => (
                    "risk",
                    "re-estimate the risk with this vulnerability (and name it in `cve`)",
                ),
                Kind::Control => ("control", "re-check that the control still holds"),
                Kind::Test => ("test", "re-run the test against the affected component"),
                Kind::Requirement => ("requirement", "re-check that the requirement is still met"),
                // A threat-model element that runs or holds the component: its threats
                // (STRIDE) and the risks that name it are to be looked at again.
                k => (
                    k.noun(),
                    "re-check the threats of this element of the threat model, and the risks that name it",
                ),
            };
            if suspects.insert((i, v.id.clone())) {
                diags.push(
                    Diagnostic::new(Code::VulnerabilitySuspect, format!("{what} `{}` affects `{}`, which is affected by `{}`{also}", item.id, comp.label(), v.id))
                        .at(affects_span(ctx, sboms, i, v.component), "names the vulnerable component")
                        .help(format!("{todo}; the finding goes when the vulnerability is settled by a VEX statement or the component is updated")),
                );
            }
            if item.kind != Kind::Risk {
                continue;
            }
            for c in graph.traced_by(Node::Item(i), Relation::Mitigates) {
                if graph.items[c].status != ItemStatus::Obsolete
                    && suspects.insert((c, v.id.clone()))
                {
                    diags.push(
                        Diagnostic::new(Code::VulnerabilitySuspect, format!("control `{}` mitigates risk `{}`, whose component `{}` is affected by `{}`", graph.items[c].id, item.id, comp.label(), v.id))
                            .at(link_span(ctx, c, Relation::Mitigates, &item.id), "mitigates the suspect risk")
                            .help("re-check that the control still mitigates the risk with this vulnerability"),
                    );
                }
                for t in graph.traced_by(Node::Item(c), Relation::Verifies) {
                    if graph.items[t].status != ItemStatus::Obsolete
                        && suspects.insert((t, v.id.clone()))
                    {
                        diags.push(
                            Diagnostic::new(Code::VulnerabilitySuspect, format!("test `{}` verifies control `{}` of risk `{}`, whose component `{}` is affected by `{}`", graph.items[t].id, graph.items[c].id, item.id, comp.label(), v.id))
                                .at(link_span(ctx, t, Relation::Verifies, &graph.items[c].id), "verifies a suspect control")
                                .help("re-run the test against the affected component"),
                        );
                    }
                }
            }
        }
    }
}
