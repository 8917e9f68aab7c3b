//! mdbook-techfile: builds the cybersecurity part of an EU MDR / IVDR technical file from
//! Markdown items, with a traceability graph and strict checks.
//!
//! Data flows one way: files -> items ([`load`]) -> graph ([`graph`]) -> findings
//! ([`checks`]) -> generated Markdown ([`render`], [`book`]) -> mdBook ([`mdbook`]).
//! Everything up to the generated Markdown is pure; only [`files`], [`mdbook`] and the
//! binary touch the file system or the terminal.

#![deny(clippy::print_stderr, clippy::print_stdout)]

pub mod book;
pub mod catalog;
pub mod checks;
pub mod config;
pub mod diag;
pub mod files;
pub mod graph;
pub mod load;
pub mod mdbook;
pub mod model;
pub mod render;
pub mod sbom;

use crate::book::Chapter;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::graph::TraceGraph;
use crate::load::Input;
use crate::model::{SourceMap, Span};

/// Everything a run needs, already read from disk.
pub struct Inputs {
    pub items: Vec<Input>,
    pub sboms: Vec<sbom::SbomInput>,
    pub chapters: Vec<Chapter>,
    /// Where `[preprocessor.techfile]` is written, for findings about the book as a whole.
    pub config_span: Option<Span>,
}

/// Loads the items, builds the graph, runs every check and expands the book. Findings come
/// back graded by the configured levels, allowed ones removed, in a stable order.
pub fn run(
    config: &Config,
    map: &mut SourceMap,
    inputs: Inputs,
    render: bool,
) -> (book::Output, Vec<Diagnostic>) {
    let (items, mut diags) = load::load_items(map, inputs.items);
    let (sboms, sbom_diags) = sbom::load_sboms(map, inputs.sboms);
    diags.extend(sbom_diags);
    diags.extend(sbom::ntia::check(&sboms.sboms));
    let graph = TraceGraph::build(Catalog::builtin(), &items);
    diags.extend(checks::run(&graph, config, inputs.config_span));
    let (sboms, affects_diags) = sbom::resolve(sboms, &items, |i| graph.is_canonical(i));
    diags.extend(affects_diags);
    let (output, book_diags) = book::expand(&graph, &sboms, map, &inputs.chapters, config, render);
    diags.extend(book_diags);
    let mut diags = diag::apply_levels(diags, |c| config.level(c));
    diag::sort(&mut diags);
    (output, diags)
}
