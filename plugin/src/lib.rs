//! mdbook-techfile: builds the cybersecurity part of an EU MDR / IVDR technical file from
//! Markdown items, with a traceability graph and strict checks.
//!
//! Data flows one way: files -> items ([`load`]) -> graph ([`graph`]) -> findings
//! ([`checks`]) -> generated Markdown ([`render`], [`book`]) -> mdBook ([`mdbook`]).
//! Everything up to the generated Markdown is pure; only [`files`], [`mdbook`] and the
//! binary touch the file system or the terminal.

#![deny(clippy::print_stderr, clippy::print_stdout)]

pub mod book;
pub mod bundle;
pub mod bundler;
pub mod catalog;
pub mod checks;
pub mod chromium;
pub mod config;
pub mod cvss;
pub mod diag;
pub mod digest;
pub mod files;
pub mod git;
pub mod graph;
pub mod load;
pub mod mdbook;
pub mod model;
pub mod render;
pub mod risk;
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
    /// Version, commit, date and input hashes, when `[preprocessor.techfile.bundle]` is set:
    /// every page is stamped with it and `{{#techfile document-control}}` shows it.
    pub stamp: Option<bundle::Stamp>,
}

/// Loads the items, builds the graph, runs every check and expands the book. Findings come
/// back graded by the configured levels, allowed ones removed, in a stable order.
pub fn run(
    config: &Config,
    map: &mut SourceMap,
    inputs: Inputs,
    render: bool,
) -> (book::Output, Vec<Diagnostic>) {
    let (output, diags, ()) = pipeline(config, map, inputs, render, |_, _, _, _| ());
    (output, diags)
}

/// The checks of [`run`] without rendering; `inspect` then sees the trace graph and the
/// graded findings (the bundle's trace export is made this way).
pub fn analyse<R>(
    config: &Config,
    map: &mut SourceMap,
    inputs: Inputs,
    inspect: impl FnOnce(&TraceGraph<'_>, &sbom::SbomSet, &[Diagnostic], &SourceMap) -> R,
) -> (Vec<Diagnostic>, R) {
    let (_, diags, r) = pipeline(config, map, inputs, false, inspect);
    (diags, r)
}

fn pipeline<R>(
    config: &Config,
    map: &mut SourceMap,
    inputs: Inputs,
    render: bool,
    inspect: impl FnOnce(&TraceGraph<'_>, &sbom::SbomSet, &[Diagnostic], &SourceMap) -> R,
) -> (book::Output, Vec<Diagnostic>, R) {
    let (items, mut diags) = load::load_items(map, inputs.items);
    let (sboms, sbom_diags) = sbom::load_sboms(map, inputs.sboms);
    diags.extend(sbom_diags);
    diags.extend(sbom::ntia::check(&sboms.sboms));
    let graph = TraceGraph::build(Catalog::builtin(), &items);
    diags.extend(checks::run(&graph, config, inputs.config_span));
    let (sboms, affects_diags) = sbom::resolve(sboms, &items, |i| graph.is_canonical(i));
    diags.extend(affects_diags);
    let stamp = inputs.stamp.as_ref();
    let (mut output, book_diags) =
        book::expand(&graph, &sboms, map, &inputs.chapters, config, stamp, render);
    diags.extend(book_diags);
    let mut diags = diag::apply_levels(diags, |c| config.level(c));
    diag::sort(&mut diags);
    if let (true, Some(stamp)) = (render, stamp) {
        bundle::stamp_pages(&mut output, stamp);
    }
    let inspected = inspect(&graph, &sboms, &diags, map);
    (output, diags, inspected)
}
