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
pub mod links;
pub mod load;
pub mod mdbook;
pub mod model;
pub mod render;
pub mod risk;
pub mod sbom;

use crate::book::Chapter;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::diag::{Code, Diagnostic, Level};
use crate::graph::TraceGraph;
use crate::load::Input;
use crate::model::{FileId, SourceMap, Span};
use crate::render::Mapped;
use std::collections::BTreeSet;
use std::sync::OnceLock;

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
    /// Every file under the book's `src` folder (relative paths, forward slashes), which
    /// links to images and other files may reach.
    pub src_files: BTreeSet<String>,
    /// The `[output.html]` settings that change how mdBook makes heading ids.
    pub markdown: links::Markdown,
}

/// Loads the items and SBOMs, builds the graph, runs every check, expands the book and
/// checks its links. Findings come back graded by the configured levels, allowed ones
/// removed, in a stable order. Without `render` the output holds no pages, only the links
/// that leave the book: the link check then renders just the pages it must read, as
/// outlines.
pub fn run(
    config: &Config,
    map: &mut SourceMap,
    inputs: Inputs,
    render: bool,
) -> (book::Output, Vec<Diagnostic>) {
    let (output, diags, ()) = pipeline(config, map, inputs, render, |_, _, _, _| ());
    (output, diags)
}

/// The checks of [`run`] without rendering; `inspect` then sees the trace graph, the SBOMs
/// and the graded findings (the bundle's trace export is made this way).
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
    let map_ref: &SourceMap = map;
    // Without `render` no page is handed out, so the pages the link check reads may be
    // outlines, which are much faster to make.
    let (expanded, book_diags) = book::expand(
        &graph,
        &sboms,
        map_ref,
        &inputs.chapters,
        config,
        stamp,
        !render,
    );
    diags.extend(book_diags);
    let pages = BookPages {
        expanded: &expanded,
        rendered: (0..expanded.page_count())
            .map(|n| {
                if render {
                    OnceLock::from(expanded.render(n))
                } else {
                    OnceLock::new()
                }
            })
            .collect(),
    };
    let check_links = [Code::BrokenLink, Code::BrokenAnchor, Code::LinkOutsideBook]
        .iter()
        .any(|&c| config.level(c) != Level::Allow);
    let mut external = Vec::new();
    if check_links {
        let options = links::Options {
            markdown: inputs.markdown,
            generated_links: false,
        };
        let (ext, link_diags) = links::check(&pages, &inputs.src_files, options);
        external = ext;
        diags.extend(link_diags);
    }
    let mut output = if render {
        let rendered = pages
            .rendered
            .into_iter()
            .map(|cell| cell.into_inner().unwrap_or_default())
            .collect();
        expanded.output(rendered)
    } else {
        book::Output::default()
    };
    output.external = external;
    let mut diags = diag::apply_levels(diags, |c| config.level(c));
    diag::sort(&mut diags);
    // The stamp is added after the link check: it holds no link, and no page's ids change.
    if let (true, Some(stamp)) = (render, stamp) {
        bundle::stamp_pages(&mut output, stamp);
    }
    let inspected = inspect(&graph, &sboms, &diags, map_ref);
    (output, diags, inspected)
}

/// The pages of the expanded book for the link check, each rendered the first time it is
/// read (all of them up front when the book is built anyway).
struct BookPages<'e, 'g, 'a> {
    expanded: &'e book::Expanded<'g, 'a>,
    rendered: Vec<OnceLock<Mapped>>,
}

impl links::Pages for BookPages<'_, '_, '_> {
    fn len(&self) -> usize {
        self.rendered.len()
    }

    fn path(&self, n: usize) -> &str {
        self.expanded.path(n)
    }

    fn file(&self, n: usize) -> Option<FileId> {
        self.expanded.chapter(n).map(|c| c.file)
    }

    fn ids_known(&self, n: usize) -> bool {
        self.expanded.chapter(n).is_none_or(|c| c.complete)
    }

    fn user_text(&self, n: usize) -> Vec<&str> {
        self.expanded.user_text(n)
    }

    fn content(&self, n: usize) -> &Mapped {
        self.rendered[n].get_or_init(|| self.expanded.render(n))
    }

    fn anchors(&self, n: usize) -> Vec<links::Anchor> {
        self.expanded.anchors(n)
    }
}
