//! Findings about items, their trace and their risk estimates. One module per family of codes; each takes the
//! graph and returns diagnostics, never printing and never failing.

pub mod coverage;
pub mod dates;
pub mod ids;
pub mod model;
pub mod release;
pub mod risk;
pub mod trace;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::graph::TraceGraph;
use crate::model::Span;

/// Runs every graph check. `config_span` is where the configuration was written; findings
/// about the book as a whole (a practice nobody addresses) point there.
pub fn run(graph: &TraceGraph<'_>, config: &Config, config_span: Option<Span>) -> Vec<Diagnostic> {
    let mut out = ids::check(graph);
    out.extend(trace::check(graph));
    out.extend(coverage::check(graph, config, config_span));
    out.extend(risk::check(graph, &config.risk));
    out.extend(model::check(graph, config));
    out
}
