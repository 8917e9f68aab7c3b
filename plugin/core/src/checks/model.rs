//! Findings about the threat model: STRIDE per element (`stride-gap`,
//! `not-applicable-contradicted`), assets and interfaces nobody analyses or uses
//! (`asset-not-analysed`, `interface-without-flow`), data flows and boundaries
//! (`crossing-without-interface`, `flow-interface-mismatch`, `boundary-overlap`), and risks
//! that stay outside the model (`risk-outside-model`). References between elements are
//! trace links, so unknown IDs, wrong kinds and cycles of boundaries are `checks::trace`'s.

use crate::checks::coverage::Open;
use crate::config::Config;
use crate::diag::{Code, Diagnostic};
use crate::graph::TraceGraph;
use crate::model::{Kind, Relation, Status};
use crate::threat::{Cell, Model};

/// The model's findings, and the open work its coverage rules leave to the team. As for
/// the trace (`checks::coverage`), drafts are work in progress unless `coverage.draft` is
/// set: a draft element's gaps, and a gap only draft risks or flows fill, are open work;
/// contradictions (a flow through another element's interface, overlapping boundaries)
/// are findings whatever the status.
pub(crate) fn check(graph: &TraceGraph<'_>, config: &Config) -> (Vec<Diagnostic>, Vec<Open>) {
    let model = Model::new(graph);
    let draft = config.coverage.draft;
    let mut out = Out {
        findings: Vec::new(),
        open: Vec::new(),
        firm: &|i| draft || !graph.items[i].is_declared_draft(),
    };
    stride(&model, config, &mut out);
    let policy = &config.coverage;
    if policy.asset {
        assets(&model, &mut out);
    }
    if policy.interface {
        interfaces(&model, &mut out);
    }
    flows(&model, policy.crossing, &mut out);
    overlaps(&model, &mut out.findings);
    if policy.risk_model && !model.is_empty() {
        risks_outside(&model, &mut out.findings);
    }
    (out.findings, out.open)
}

/// What the rules produce, and which items count (not drafts, unless `coverage.draft`).
struct Out<'f> {
    findings: Vec<Diagnostic>,
    open: Vec<Open>,
    firm: &'f dyn Fn(usize) -> bool,
}

impl Out<'_> {
    /// A gap of element `i`: a finding, or open work when the element is a draft or when
    /// the only items that would close it (`drafts`) are drafts.
    fn gap(
        &mut self,
        model: &Model<'_, '_>,
        i: usize,
        what: String,
        drafts: &[usize],
        d: Diagnostic,
    ) {
        let item = model.item(i);
        let ids: Vec<String> = drafts
            .iter()
            .map(|&j| format!("`{}`", model.item(j).id))
            .collect();
        let what = match ((self.firm)(i), ids.is_empty()) {
            (true, true) => {
                self.findings.push(d);
                return;
            }
            (true, false) => format!("{what} but drafts ({})", ids.join(", ")),
            (false, true) => format!("is a draft, and {what}"),
            (false, false) => format!("is a draft, and {what} but drafts ({})", ids.join(", ")),
        };
        self.open.push(Open {
            id: item.id.clone(),
            span: Some(item.id_span),
            code: Some(d.code),
            what,
        });
    }
}

/// A gap that a file which could not be read would have closed names it, as in
/// `checks::coverage`: the relations are those whose links would have closed it.
fn with_broken(
    model: &Model<'_, '_>,
    mut d: Diagnostic,
    id: &str,
    relations: &[Relation],
) -> Diagnostic {
    let mut files = Vec::new();
    for b in model.graph.broken {
        if let Some(l) = b
            .links
            .iter()
            .find(|l| relations.contains(&l.relation) && l.target == id)
        {
            d = d.with_label(
                l.span,
                format!(
                    "this file names it in `{}`, but could not be read",
                    l.relation.key()
                ),
            );
            files.push(format!("`{}`", b.name));
        }
    }
    if !files.is_empty() {
        d.help = Some(format!(
            "see the error reported in {} and fix it first: the gap may close once it loads",
            files.join(", ")
        ));
    }
    d
}

/// The key a risk names an element of `kind` with.
fn risk_key(kind: Kind) -> &'static str {
    match kind {
        Kind::DataFlow => "data-flows",
        Kind::Interface => "interfaces",
        Kind::Asset => "assets",
        _ => "elements",
    }
}

fn stride(model: &Model<'_, '_>, config: &Config, out: &mut Out<'_>) {
    for i in model.stride_elements() {
        let item = model.item(i);
        let applies = config.stride.categories(item.kind);
        if let Some(fields) = &item.model {
            for (category, reason) in &fields.not_applicable {
                if !applies.contains(category) {
                    let list: Vec<&str> = applies.iter().map(|c| c.as_str()).collect();
                    out.findings.push(
                        Diagnostic::new(
                            Code::InvalidValue,
                            format!(
                                "`not-applicable` gives a reason for {}, which STRIDE per element does not apply to {}",
                                category.as_str(),
                                item.kind.with_article()
                            ),
                        )
                        .at(reason.span, "invalid value")
                        .help(if list.is_empty() {
                            format!(
                                "no category applies to {} ([preprocessor.techfile.stride]); remove `not-applicable`",
                                item.kind.with_article()
                            )
                        } else {
                            format!(
                                "the categories of {} are {} ([preprocessor.techfile.stride]); remove this entry",
                                item.kind.with_article(),
                                list.join(", ")
                            )
                        }),
                    );
                }
            }
        }
        let mut gaps = Vec::new();
        // Categories only draft risks analyse, with those risks.
        let mut by_drafts: Vec<usize> = Vec::new();
        for &category in applies {
            match model.cell(&config.stride, i, category) {
                Cell::Gap => gaps.push(category),
                Cell::Risks(risks) if !risks.iter().any(|&r| (out.firm)(r)) => {
                    // Only drafts analyse it: open, unless the element says why it does
                    // not apply (the contradiction is judged once the risks count).
                    let reason = item.model.as_ref().and_then(|m| m.not_applicable(category));
                    if reason.is_none() {
                        gaps.push(category);
                        by_drafts.extend(risks);
                    }
                }
                Cell::Risks(risks) => {
                    if let Some(reason) =
                        item.model.as_ref().and_then(|m| m.not_applicable(category))
                    {
                        let ids: Vec<String> = risks
                            .iter()
                            .map(|&r| format!("`{}`", model.item(r).id))
                            .collect();
                        out.findings.push(
                            Diagnostic::new(
                                Code::NotApplicableContradicted,
                                format!(
                                    "`{}` says {} does not apply, but {} analyses it",
                                    item.id,
                                    category.as_str(),
                                    ids.join(", ")
                                ),
                            )
                            .at(reason.span, "the reason given here")
                            .help("remove the not-applicable reason, or take the category out of the risk's `stride`"),
                        );
                    }
                }
                Cell::Inapplicable | Cell::NotApplicable(_) => {}
            }
        }
        if config.coverage.stride && !gaps.is_empty() {
            let words: Vec<&str> = gaps.iter().map(|c| c.as_str()).collect();
            model.sort(&mut by_drafts);
            let d = with_broken(
                model,
                Diagnostic::new(
                    Code::StrideGap,
                    format!(
                        "{} `{}` has no risk for {}",
                        item.kind.noun(),
                        item.id,
                        words.join(", ")
                    ),
                )
                .at(item.id_span, format!("{} defined here", item.kind.noun()))
                .help(format!(
                    "name it in a risk with `{} = [\"{}\"]` and the category in `stride`, or say why the threat cannot happen: `not-applicable = {{ {} = \"...\" }}`",
                    risk_key(item.kind),
                    item.id,
                    words[0]
                )),
                &item.id,
                &Relation::RISK_MODEL,
            );
            let what = format!("has no risk for {}", words.join(", "));
            out.gap(model, i, what, &by_drafts, d);
        }
    }
}

fn assets(model: &Model<'_, '_>, out: &mut Out<'_>) {
    for &a in model.of_kind(Kind::Asset) {
        let risks = model.sources(a, Relation::RiskAssets);
        if !risks.iter().any(|&r| (out.firm)(r)) {
            let item = model.item(a);
            let d = with_broken(
                model,
                Diagnostic::new(
                    Code::AssetNotAnalysed,
                    format!("asset `{}` is named by no risk", item.id),
                )
                .at(item.id_span, "asset defined here")
                .help(format!(
                    "add `assets = [\"{}\"]` to the risks that threaten it; an asset no threat reaches still needs a risk that says so",
                    item.id
                )),
                &item.id,
                &[Relation::RiskAssets],
            );
            out.gap(model, a, "is named by no risk".into(), &risks, d);
        }
    }
}

fn interfaces(model: &Model<'_, '_>, out: &mut Out<'_>) {
    for &f in model.of_kind(Kind::Interface) {
        let flows = model.sources(f, Relation::FlowInterfaces);
        if !flows.iter().any(|&j| (out.firm)(j)) {
            let item = model.item(f);
            let d = with_broken(
                model,
                Diagnostic::new(
                    Code::InterfaceWithoutFlow,
                    format!("interface `{}` carries no data flow", item.id),
                )
                .at(item.id_span, "interface defined here")
                .help(format!(
                    "add `interfaces = [\"{}\"]` to the data flows that pass it; an interface that carries nothing (a disabled debug port) still has the flow an attacker would use",
                    item.id
                )),
                &item.id,
                &[Relation::FlowInterfaces],
            );
            out.gap(model, f, "carries no data flow".into(), &flows, d);
        }
    }
}

fn flows(model: &Model<'_, '_>, crossing: bool, out: &mut Out<'_>) {
    for &f in model.of_kind(Kind::DataFlow) {
        let item = model.item(f);
        let ends = [
            model.target(f, Relation::FlowFrom),
            model.target(f, Relation::FlowTo),
        ];
        for link in item.links_of(Relation::FlowInterfaces) {
            let Some(interface) = model
                .graph
                .item(&link.target)
                .filter(|t| t.kind == Kind::Interface)
            else {
                continue;
            };
            let Some(owner) = interface.single(Relation::InterfaceOf) else {
                continue;
            };
            let end_ids: Vec<&str> = ends
                .iter()
                .flatten()
                .map(|&e| model.item(e).id.as_str())
                .collect();
            if end_ids.len() == 2 && !end_ids.contains(&owner) {
                out.findings.push(
                    Diagnostic::new(
                        Code::FlowInterfaceMismatch,
                        format!(
                            "data flow `{}` passes interface `{}` of `{owner}`, which is neither its source `{}` nor its destination `{}`",
                            item.id, interface.id, end_ids[0], end_ids[1]
                        ),
                    )
                    .at(link.span, "an interface of another element")
                    .with_label(interface.id_span, format!("`{}` belongs to `{owner}`", interface.id))
                    .help(format!(
                        "name an interface of `{}` or `{}`, or correct the interface's `element`",
                        end_ids[0], end_ids[1]
                    )),
                );
            }
        }
        if !crossing || item.links_of(Relation::FlowInterfaces).next().is_some() {
            continue;
        }
        let crossed = model.crossings(f);
        if crossed.is_empty() {
            continue;
        }
        let ids: Vec<String> = crossed
            .iter()
            .map(|&b| format!("`{}`", model.item(b).id))
            .collect();
        let d = Diagnostic::new(
            Code::CrossingWithoutInterface,
            format!(
                "data flow `{}` crosses trust boundary {} but passes no interface",
                item.id,
                ids.join(", ")
            ),
        )
        .at(item.id_span, "data flow defined here")
        .help("name the entry points it passes with `interfaces = [\"IF-...\"]`: a flow that crosses a trust boundary enters an element through an interface, which the threat model must describe");
        let what = format!(
            "crosses trust boundary {} but passes no interface",
            ids.join(", ")
        );
        out.gap(model, f, what, &[], d);
    }
}

fn overlaps(model: &Model<'_, '_>, out: &mut Vec<Diagnostic>) {
    let boundaries = model.of_kind(Kind::TrustBoundary);
    let members = [
        Kind::Actor,
        Kind::Process,
        Kind::DataStore,
        Kind::TrustBoundary,
    ];
    for &m in members.iter().flat_map(|&k| model.of_kind(k)) {
        let id = &model.item(m).id;
        // The boundaries that name `m` in `contains`, with where they do.
        let direct: Vec<(usize, crate::model::Span)> = boundaries
            .iter()
            .filter(|&&b| b != m)
            .filter_map(|&b| {
                model
                    .item(b)
                    .links_of(Relation::Contains)
                    .find(|l| &l.target == id)
                    .map(|l| (b, l.span))
            })
            .collect();
        'pairs: for (n, &(x, x_span)) in direct.iter().enumerate() {
            for &(y, y_span) in &direct[n + 1..] {
                if model.nests(x, y) || model.nests(y, x) {
                    continue;
                }
                let (xi, yi) = (model.item(x), model.item(y));
                out.push(
                    Diagnostic::new(
                        Code::BoundaryOverlap,
                        format!(
                            "`{id}` is inside trust boundaries `{}` and `{}`, and neither contains the other",
                            xi.id, yi.id
                        ),
                    )
                    .at(y_span, format!("`{}` contains it here", yi.id))
                    .with_label(x_span, format!("`{}` contains it here", xi.id))
                    .help(format!(
                        "trust boundaries nest like zones: put `{}` inside `{}` (or the reverse) with `contains`, or keep `{id}` in one of them",
                        yi.id, xi.id
                    )),
                );
                break 'pairs;
            }
        }
    }
}

fn risks_outside(model: &Model<'_, '_>, out: &mut Vec<Diagnostic>) {
    for r in model.graph.live_of_kind(Kind::Risk) {
        let item = model.item(r);
        if !matches!(item.status, Status::InReview | Status::Approved) {
            continue;
        }
        if Relation::RISK_MODEL
            .iter()
            .any(|&rel| item.links_of(rel).next().is_some())
        {
            continue;
        }
        out.push(
            Diagnostic::new(
                Code::RiskOutsideModel,
                format!(
                    "risk `{}` names no element of the threat model",
                    item.id
                ),
            )
            .at(item.id_span, "risk defined here")
            .help("name what it threatens with `assets = [\"AST-...\"]` and where with `elements`, `interfaces` or `data-flows`; or keep the risk a draft while the analysis is in progress (`coverage.risk-model` in [preprocessor.techfile] turns this rule off)"),
        );
    }
}
