//! Helpers for the unit tests: a trace made of front-matter snippets, its graph, and the
//! place (`file:line:column`) a span names.

use crate::catalog::Catalog;
use crate::diag::Diagnostic;
use crate::graph::{GraphIndex, TraceGraph};
use crate::load::parse_item;
use crate::model::{Item, SourceMap, Span};

/// Items read from `(id, kind, more front-matter)` snippets, each in its own file
/// `<id>.md` (a second item with one ID gets `<id>-2.md`), and the graph over them.
pub(crate) struct Trace {
    pub(crate) map: SourceMap,
    pub(crate) items: Vec<Item>,
    pub(crate) index: GraphIndex,
}

impl Trace {
    /// Panics when a snippet does not load cleanly: the tests built on it check the graph,
    /// not the loader.
    pub(crate) fn new(specs: &[(&str, &str, &str)]) -> Trace {
        let mut map = SourceMap::new();
        let mut items: Vec<Item> = Vec::new();
        for (id, kind, extra) in specs {
            let text = format!(
                "+++\nid = \"{id}\"\nkind = \"{kind}\"\ntitle = \"{id} title\"\n{extra}\n+++\n"
            );
            let name = if items.iter().any(|i| i.id == *id) {
                format!("{id}-2.md")
            } else {
                format!("{id}.md")
            };
            let file = map.add(name.clone(), text.clone());
            let (item, diags) = parse_item(file, &text);
            assert!(diags.is_empty(), "{id}: {diags:?}");
            let mut item = item.expect("the snippet is an item");
            item.path = format!("requirements/{name}");
            items.push(item);
        }
        let index = GraphIndex::build(Catalog::builtin(), &items);
        Trace { map, items, index }
    }

    pub(crate) fn graph(&self) -> TraceGraph<'_> {
        self.index.view(Catalog::builtin(), &self.items)
    }

    /// The index of the first item with this ID.
    pub(crate) fn at(&self, id: &str) -> usize {
        self.items
            .iter()
            .position(|i| i.id == id)
            .unwrap_or_else(|| panic!("no item {id}"))
    }

    /// `file:line:column` of a span.
    pub(crate) fn place(&self, span: Span) -> String {
        let (line, col) = self.map.get(span.file).line_col(span.start as usize);
        format!("{}:{line}:{col}", self.map.name(span.file))
    }

    /// The text a span covers.
    pub(crate) fn text(&self, span: Span) -> &str {
        &self.map.text(span.file)[span.start as usize..span.end as usize]
    }

    /// `(code, place of the primary label)` of each finding, in order.
    pub(crate) fn findings(&self, diags: &[Diagnostic]) -> Vec<(&'static str, String)> {
        diags
            .iter()
            .map(|d| {
                (
                    d.code.as_str(),
                    d.primary
                        .as_ref()
                        .map_or_else(|| "-".to_string(), |l| self.place(l.span)),
                )
            })
            .collect()
    }
}
