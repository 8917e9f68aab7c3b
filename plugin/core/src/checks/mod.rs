//! Findings about items, their trace and their risk estimates. One module per family of codes; each takes the
//! graph and returns diagnostics, never printing and never failing.

pub(crate) mod coverage;
pub(crate) mod dates;
pub(crate) mod ids;
pub(crate) mod model;
pub(crate) mod release;
pub(crate) mod risk;
pub(crate) mod trace;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::graph::TraceGraph;
use crate::model::Span;

/// Runs every graph check. `config_span` is where the configuration was written; findings
/// about the book as a whole (a practice nobody addresses) point there. Also returns the
/// open work the coverage rules leave to the team (drafts, approved tests not run).
pub(crate) fn run(
    graph: &TraceGraph<'_>,
    config: &Config,
    config_span: Option<Span>,
) -> (Vec<Diagnostic>, Vec<coverage::Open>) {
    // The families read the graph and nothing else, so they run side by side; their
    // findings are joined in this fixed order, as a sequential run gives them.
    let ((ids, trace), (coverage, ((risk, risk_open), (model_findings, model_open)))) = rayon::join(
        || rayon::join(|| ids::check(graph), || trace::check(graph)),
        || {
            rayon::join(
                || coverage::assess(graph, config, config_span),
                || {
                    rayon::join(
                        || risk::assess(graph, &config.risk, config.coverage.draft),
                        || model::check(graph, config),
                    )
                },
            )
        },
    );
    let mut out = ids;
    out.extend(trace);
    out.extend(coverage.findings);
    out.extend(risk);
    out.extend(model_findings);
    let mut open = coverage.open;
    // A draft of the threat model, or a draft risk, with a gap of its own is listed with
    // the gap, not once more as a draft.
    open.retain(|o| o.code.is_some() || !model_open.iter().chain(&risk_open).any(|m| m.id == o.id));
    open.extend(model_open);
    open.extend(risk_open);
    open.sort_by(|a, b| a.id.cmp(&b.id));
    (out, open)
}

/// What the trace still lacks: every coverage gap of the rules in force, whatever level is
/// configured (never dropped, but a warning when its code is not at `deny`, so the gaps
/// view is red only where the build fails), and the open work: what drafts leave, and
/// approved tests not run.
#[derive(Debug, Default)]
pub struct Gaps {
    /// Sorted as findings are.
    pub findings: Vec<Diagnostic>,
    /// Sorted by ID.
    pub open: Vec<coverage::Open>,
}

impl Gaps {
    /// The gaps among `diags` (before levels are applied), and the open work.
    pub(crate) fn of(diags: &[Diagnostic], open: Vec<coverage::Open>) -> Gaps {
        let mut findings: Vec<Diagnostic> =
            diags.iter().filter(|d| is_gap(d.code)).cloned().collect();
        crate::diag::sort(&mut findings);
        Gaps { findings, open }
    }
}

/// Whether a code reports a coverage gap: something the trace still lacks, which
/// `check --gaps` and the gaps view list whatever its configured level.
pub(crate) fn is_gap(code: crate::diag::Code) -> bool {
    use crate::diag::Code;
    code.family() == "coverage" && code != Code::InapplicableEntryTraced
        || matches!(
            code,
            Code::RiskNotVerified
                | Code::StrideGap
                | Code::AssetNotAnalysed
                | Code::InterfaceWithoutFlow
                | Code::CrossingWithoutInterface
                | Code::RiskOutsideModel
        )
}
