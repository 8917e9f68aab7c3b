//! `{{#techfile data-flow-diagram}}`: the diagrams a book places, laid out together (in
//! parallel, each distinct diagram once) and drawn as inline SVG; and the findings when a
//! diagram is too large, or the layout engine is missing or fails.

use super::site::Site;
use super::svg;
use super::{gap, href, html};
use crate::config::DiagramConfig;
use crate::diag::{Code, Diagnostic};
use crate::model::Span;
use crate::threat::diagram::{self, Diagram, Scope};
use crate::threat::layout::{self, Layout, LayoutError};
use std::collections::BTreeMap;

/// A diagram directive found while expanding the book.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    /// The page and the directive's byte offset in the page's text, which its HTML is looked
    /// up by.
    pub(crate) key: (String, usize),
    /// The directive, which findings point at.
    pub(crate) span: Span,
    /// The page it is on, which its links are relative to.
    pub(crate) page: String,
    pub(crate) scope: Scope,
}

/// Lays out every requested diagram and draws it; returns the HTML of each by its key, and
/// adds a finding for each diagram that cannot be drawn. Without a layout engine (a run
/// that renders no diagram) each diagram is a note saying so.
pub(crate) fn lay_out(
    site: &Site<'_, '_>,
    requests: Vec<Request>,
    engine: Option<&dyn Layout>,
    config: &DiagramConfig,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<(String, usize), String> {
    let model = site.model();
    let built: Vec<(Request, Diagram)> = requests
        .into_iter()
        .map(|r| {
            let d = diagram::build(model, r.scope);
            (r, d)
        })
        .collect();
    // The diagrams that get a layout: not empty, not too large, each text once.
    let mut wanted: BTreeMap<&str, Option<Result<String, LayoutError>>> = BTreeMap::new();
    if engine.is_some() {
        for (_, d) in &built {
            if !d.nodes.is_empty() && d.size() <= config.max_elements {
                wanted.insert(d.dot.as_str(), None);
                if !d.dot_tb.is_empty() {
                    wanted.insert(d.dot_tb.as_str(), None);
                }
            }
        }
    }
    if let Some(engine) = engine {
        use rayon::prelude::*;
        let texts: Vec<&str> = wanted.keys().copied().collect();
        let results: Vec<Result<String, LayoutError>> =
            texts.par_iter().map(|dot| engine.layout(dot)).collect();
        for (dot, result) in texts.into_iter().zip(results) {
            wanted.insert(dot, Some(result));
        }
    }
    let mut out = BTreeMap::new();
    for (r, d) in &built {
        let caption = caption(site, r.scope);
        let size = format!(
            "{} element{}, {} trust boundar{} and {} data flow{}",
            d.nodes.len(),
            plural(d.nodes.len(), "", "s"),
            d.boundaries.len(),
            plural(d.boundaries.len(), "y", "ies"),
            d.flows.len(),
            plural(d.flows.len(), "", "s")
        );
        let html = if d.nodes.is_empty() {
            empty(&format!(
                "{caption}: the threat model has no actors, processes or data stores to draw yet."
            ))
        } else if d.size() > config.max_elements {
            diags.push(
                Diagnostic::new(
                    Code::DiagramTooLarge,
                    format!(
                        "the data-flow diagram would draw {size}: {} in all, more than `max-elements` ({})",
                        d.size(),
                        config.max_elements
                    ),
                )
                .at(r.span, "this diagram")
                .help("split it: draw one diagram per trust boundary (`{{#techfile data-flow-diagram TB-...}}`) or around an element; or raise `max-elements` in [preprocessor.techfile.diagram]"),
            );
            note(&format!("{caption}: too large to draw ({size})."))
        } else {
            let laid = |dot: &str| wanted.get(dot).cloned().flatten();
            match best(laid(&d.dot), laid(&d.dot_tb)) {
                Some(Ok(json)) => match layout::parse(&json) {
                    Ok(placement) => {
                        let locate = |i: usize| {
                            site.locate(&site.graph.items[i].id)
                                .map(|(p, a)| href(&r.page, p, &a))
                        };
                        // Below half size, 10-point labels print at less than 5 points.
                        let scale = page_scale(&placement);
                        let note = (scale < 0.5).then(|| {
                            format!(
                                "On an A4 page it is drawn at {}% of its size; the diagrams of each trust boundary show its parts at a readable size.",
                                (scale * 100.0).round() as u32
                            )
                        });
                        svg::render(model, d, &placement, &caption, note.as_deref(), &locate)
                    }
                    Err(e) => {
                        diags.push(failed(r.span, &format!("its output cannot be read ({e})")));
                        note(&format!("{caption}: not drawn."))
                    }
                },
                Some(Err(e)) => {
                    diags.push(match e {
                        LayoutError::Missing(why) => Diagnostic::new(
                            Code::DiagramLayoutFailed,
                            format!("the data-flow diagram cannot be laid out: {why}"),
                        )
                        .at(r.span, "this diagram")
                        .help("install Graphviz (Debian: `apt-get install graphviz`), or set `dot` in [preprocessor.techfile.diagram] to the path of the `dot` program"),
                        LayoutError::TimedOut(seconds) => Diagnostic::new(
                            Code::DiagramTooLarge,
                            format!(
                                "laying out the data-flow diagram of {size} took longer than {seconds} s"
                            ),
                        )
                        .at(r.span, "this diagram")
                        .help("split it: draw one diagram per trust boundary (`{{#techfile data-flow-diagram TB-...}}`) or around an element; or raise `timeout` in [preprocessor.techfile.diagram]"),
                        LayoutError::Failed(why) => failed(r.span, &why),
                    });
                    note(&format!("{caption}: not drawn."))
                }
                _ => note(&format!(
                    "{caption}: not drawn in this run (no layout engine)."
                )),
            }
        };
        out.insert(r.key.clone(), html);
    }
    out
}

/// The text area of an A4 page with the margins of the printed book (170 mm x 240 mm), in
/// points: what a diagram is fitted to.
const PAGE: (f64, f64) = (482.0, 680.0);

/// How much a layout must shrink to fit the page (1 when it fits as it is).
pub(crate) fn page_scale(p: &layout::Placement) -> f64 {
    (PAGE.0 / p.width.max(1.0))
        .min(PAGE.1 / p.height.max(1.0))
        .min(1.0)
}

/// Of the two layouts of a diagram (left to right, top to bottom), the one that needs less
/// shrinking to fit the page; left to right on a tie. A failure of either is the result.
fn best(
    lr: Option<Result<String, LayoutError>>,
    tb: Option<Result<String, LayoutError>>,
) -> Option<Result<String, LayoutError>> {
    match (lr, tb) {
        (Some(Ok(a)), Some(Ok(b))) => {
            let scale = |json: &str| layout::parse(json).map_or(0.0, |p| page_scale(&p));
            Some(Ok(if scale(&b) > scale(&a) { b } else { a }))
        }
        (Some(Err(e)), _) | (_, Some(Err(e))) => Some(Err(e)),
        (a, b) => a.or(b),
    }
}

fn failed(span: Span, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::DiagramLayoutFailed,
        format!("Graphviz `dot` failed to lay out the data-flow diagram: {why}"),
    )
    .at(span, "this diagram")
    .help("check the Graphviz installation (`dot -V`); the diagram's text is plain DOT, so a failure is a bug worth reporting with the model that causes it")
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// A diagram that could not be drawn: the reader sees the gap in red.
fn note(text: &str) -> String {
    format!("<p class=\"techfile-dfd-note\">{}</p>\n", gap(text))
}

/// A diagram with nothing to draw yet: said plainly, not as a failure.
fn empty(text: &str) -> String {
    format!(
        "<p class=\"techfile-dfd-note\"><em>{}</em></p>\n",
        html(text)
    )
}

/// What the diagram shows, in words (plain text: it is escaped where it is written).
fn caption(site: &Site<'_, '_>, scope: Scope) -> String {
    let named = |i: usize| {
        let item = &site.graph.items[i];
        format!("{} {}", item.id, item.title)
    };
    match scope {
        Scope::Whole => "Data-flow diagram of the system".into(),
        Scope::Boundary(b) => format!("Data-flow diagram of trust boundary {}", named(b)),
        Scope::Element(e) => format!("Data flows of {}", named(e)),
    }
}
