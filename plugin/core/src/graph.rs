//! The traceability graph: catalog entries and items as nodes, trace links as edges.
//!
//! Edges point the way they are written: from the item that declares a link to its
//! target (test -> control -> requirement -> catalog). "Traced by" lists read edges
//! backwards. Links that do not resolve are kept aside for the checks to report.

use crate::catalog::Catalog;
use crate::load::Broken;
use crate::model::{Item, Kind, Relation, Status};
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeSet, HashMap};

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    /// Index into `Catalog::entries()`.
    Catalog(usize),
    /// Index into the item list.
    Item(usize),
}

/// Why an edge exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Edge {
    /// A user-written trace link: the item index and the link's index in `Item::links`.
    Trace {
        relation: Relation,
        item: usize,
        link: usize,
    },
    /// A mapping inside the catalog (`maps-to`).
    Mapping,
}

/// A link that names an ID nobody defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dangling {
    pub(crate) item: usize,
    pub(crate) link: usize,
}

/// The graph itself, owned: nodes, edges and the ID index. It borrows nothing, so an
/// [`crate::Analysis`] can keep it next to the items it was built from; [`TraceGraph`] is
/// the view that joins the two.
#[derive(Debug, Clone, Default)]
pub(crate) struct GraphIndex {
    graph: DiGraph<Node, Edge>,
    catalog_nodes: Vec<NodeIndex>,
    item_nodes: Vec<NodeIndex>,
    /// First definition of each ID (items shadow nothing: a clash with the catalog is a
    /// duplicate and the catalog entry wins).
    by_id: HashMap<Box<str>, Node>,
    /// Whether each item owns its ID (is not a later duplicate), by item index: asked
    /// once per item by nearly every check and generator.
    canonical: Vec<bool>,
    dangling: Vec<Dangling>,
    /// Item files that did not load, with the IDs they declare.
    broken: Vec<Broken>,
}

impl GraphIndex {
    /// Builds the graph of `items` under `catalog`. Links that name no ID are kept in
    /// [`TraceGraph::dangling`] for the checks to report.
    pub(crate) fn build(catalog: &Catalog, items: &[Item]) -> GraphIndex {
        let mut graph = DiGraph::with_capacity(
            catalog.entries().len() + items.len(),
            items.len() * 2 + catalog.entries().len() * 2,
        );
        let mut by_id: HashMap<Box<str>, Node> =
            HashMap::with_capacity(catalog.entries().len() + items.len());
        let catalog_nodes: Vec<NodeIndex> = catalog
            .entries()
            .iter()
            .enumerate()
            .map(|(i, e)| {
                by_id.insert(e.id.as_str().into(), Node::Catalog(i));
                graph.add_node(Node::Catalog(i))
            })
            .collect();
        let item_nodes: Vec<NodeIndex> = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                by_id
                    .entry(item.id.as_str().into())
                    .or_insert(Node::Item(i));
                graph.add_node(Node::Item(i))
            })
            .collect();
        for (i, e) in catalog.entries().iter().enumerate() {
            for t in &e.maps_to {
                if let Some(Node::Catalog(j)) = by_id.get(t.as_str()) {
                    graph.add_edge(catalog_nodes[i], catalog_nodes[*j], Edge::Mapping);
                }
            }
        }
        let canonical = (0..items.len())
            .map(|i| by_id.get(items[i].id.as_str()) == Some(&Node::Item(i)))
            .collect();
        let mut dangling = Vec::new();
        for (i, item) in items.iter().enumerate() {
            for (l, link) in item.links.iter().enumerate() {
                let edge = Edge::Trace {
                    relation: link.relation,
                    item: i,
                    link: l,
                };
                match by_id.get(link.target.as_str()) {
                    Some(Node::Catalog(j)) => {
                        graph.add_edge(item_nodes[i], catalog_nodes[*j], edge);
                    }
                    Some(Node::Item(j)) => {
                        graph.add_edge(item_nodes[i], item_nodes[*j], edge);
                    }
                    None => dangling.push(Dangling { item: i, link: l }),
                }
            }
        }
        GraphIndex {
            graph,
            catalog_nodes,
            item_nodes,
            by_id,
            canonical,
            dangling,
            broken: Vec::new(),
        }
    }

    /// The index with the item files that did not load, so that findings about links to
    /// the IDs they declare can name them.
    pub(crate) fn with_broken(mut self, broken: Vec<Broken>) -> GraphIndex {
        self.broken = broken;
        self
    }

    /// The view over this index and the catalog and items it was built from.
    pub(crate) fn view<'a>(&'a self, catalog: &'a Catalog, items: &'a [Item]) -> TraceGraph<'a> {
        TraceGraph {
            catalog,
            items,
            graph: &self.graph,
            dangling: &self.dangling,
            broken: &self.broken,
            index: self,
        }
    }
}

/// The trace graph as the checks and generators read it: the catalog, the items and the
/// `GraphIndex` built from them. Cheap to copy.
#[derive(Clone, Copy)]
pub struct TraceGraph<'a> {
    pub(crate) catalog: &'a Catalog,
    /// The items of the analysis, sorted by path; node indices of items point into it.
    pub items: &'a [Item],
    pub(crate) graph: &'a DiGraph<Node, Edge>,
    /// Links that name an ID nobody defines.
    pub(crate) dangling: &'a [Dangling],
    /// Item files that did not load.
    pub(crate) broken: &'a [Broken],
    index: &'a GraphIndex,
}

impl<'a> TraceGraph<'a> {
    /// The item file that did not load and defines `id` (see [`Broken::defines`]), when
    /// no loaded item or catalog entry has it.
    pub(crate) fn broken_for(&self, id: &str) -> Option<&'a Broken> {
        if self.lookup(id).is_some() {
            return None;
        }
        self.broken.iter().find(|b| b.defines(id))
    }

    /// The node of an item or catalog entry with this ID; `None` when neither exists.
    pub fn lookup(&self, id: &str) -> Option<Node> {
        self.index.by_id.get(id).copied()
    }

    /// The item an ID names, if it names an item.
    pub(crate) fn item(&self, id: &str) -> Option<&'a Item> {
        match self.lookup(id)? {
            Node::Item(i) => Some(&self.items[i]),
            Node::Catalog(_) => None,
        }
    }

    /// Whether `index` is the item that owns its ID (not a later duplicate).
    pub(crate) fn is_canonical(&self, index: usize) -> bool {
        self.index.canonical.get(index).copied().unwrap_or(false)
    }

    pub(crate) fn node_index(&self, node: Node) -> NodeIndex {
        match node {
            Node::Catalog(i) => self.index.catalog_nodes[i],
            Node::Item(i) => self.index.item_nodes[i],
        }
    }

    pub(crate) fn node_id(&self, node: Node) -> &'a str {
        match node {
            Node::Catalog(i) => &self.catalog.entries()[i].id,
            Node::Item(i) => &self.items[i].id,
        }
    }

    /// The kind of a node (`None` for catalog entries), as the relations see it.
    pub(crate) fn node_kind(&self, node: Node) -> Option<Kind> {
        match node {
            Node::Catalog(_) => None,
            Node::Item(i) => Some(self.items[i].kind),
        }
    }

    /// Items that link to `node` with `relation`, live ones only, sorted by ID.
    pub(crate) fn traced_by(&self, node: Node, relation: Relation) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .graph
            .edges_directed(self.node_index(node), Direction::Incoming)
            .filter_map(|e| match *e.weight() {
                Edge::Trace {
                    relation: r, item, ..
                } if r == relation && self.items[item].status != Status::Obsolete => Some(item),
                _ => None,
            })
            .collect();
        out.sort_by(|a, b| self.items[*a].id.cmp(&self.items[*b].id));
        out.dedup();
        out
    }

    /// Targets an item links to with `relation`, resolved, in the order written.
    pub(crate) fn targets(&self, item: usize, relation: Relation) -> Vec<Node> {
        self.items[item]
            .links
            .iter()
            .filter(|l| l.relation == relation)
            .filter_map(|l| self.lookup(&l.target))
            .collect()
    }

    /// Catalog entries an item traces up to: through the requirements it derives from
    /// (for a requirement) or the controls and requirements it links to (for controls and
    /// tests). Only written links count; catalog mappings are applied by the callers that
    /// want them. Cycles are tolerated (they are reported elsewhere).
    pub(crate) fn catalog_above(&self, item: usize) -> BTreeSet<&'a str> {
        let mut out = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let mut stack = vec![item];
        while let Some(i) = stack.pop() {
            if !seen.insert(i) {
                continue;
            }
            for l in &self.items[i].links {
                match self.lookup(&l.target) {
                    Some(Node::Catalog(c)) => {
                        out.insert(self.catalog.entries()[c].id.as_str());
                    }
                    Some(Node::Item(j)) if self.items[j].kind == Kind::Requirement => stack.push(j),
                    // Controls and tests lead up to requirements too; the threat model
                    // leads to no catalog entry, so its links are not followed.
                    Some(Node::Item(j))
                        if self.items[i].kind != Kind::Requirement
                            && !self.items[j].kind.is_model() =>
                    {
                        stack.push(j)
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// The MDCG practices an item traces up to, directly or through the catalog's mappings
    /// (a requirement deriving from IEC 81001-5-1 5.7.3 addresses the SVV practice).
    pub(crate) fn practices_above(&self, item: usize) -> BTreeSet<&'a str> {
        self.catalog_above(item)
            .into_iter()
            .flat_map(|id| self.catalog.practices_of(id))
            .collect()
    }

    /// Items of one kind that are live (not obsolete, not a duplicate), sorted by ID.
    pub(crate) fn live_of_kind(&self, kind: Kind) -> Vec<usize> {
        let mut out: Vec<usize> = (0..self.items.len())
            .filter(|&i| {
                let it = &self.items[i];
                it.kind == kind && it.status != Status::Obsolete && self.is_canonical(i)
            })
            .collect();
        out.sort_by(|a, b| self.items[*a].id.cmp(&self.items[*b].id));
        out
    }
}

/// Whether an item counts for coverage and tables: not obsolete, and the item that owns its ID
/// (not a later duplicate).
pub(crate) fn is_live(g: &TraceGraph<'_>, i: usize) -> bool {
    g.items[i].status != Status::Obsolete && g.is_canonical(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::Trace;

    fn ids(t: &Trace, items: Vec<usize>) -> Vec<&str> {
        items.into_iter().map(|i| t.items[i].id.as_str()).collect()
    }

    #[test]
    fn lookup_finds_items_and_catalog_entries_and_the_first_definition_wins() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", ""),
            ("REQ-1", "requirement", ""),
            ("MDCG-SM", "requirement", ""),
            ("CTL-1", "control", "implements = [\"REQ-1\", \"REQ-404\"]"),
        ]);
        let g = t.graph();
        assert_eq!(g.lookup("REQ-1"), Some(Node::Item(0)));
        assert!(g.is_canonical(0));
        assert!(!g.is_canonical(1), "a second REQ-1 is a duplicate");
        // An item cannot take a catalog ID: the entry keeps it.
        let Some(Node::Catalog(c)) = g.lookup("MDCG-SM") else {
            panic!("MDCG-SM is the catalog entry");
        };
        assert_eq!(g.catalog.entries()[c].id, "MDCG-SM");
        assert!(!g.is_canonical(2));
        assert_eq!(g.lookup("req-1"), None, "IDs are compared as written");
        assert_eq!(
            g.item("REQ-1").map(|i| i.path.as_str()),
            Some("requirements/REQ-1.md")
        );
        assert!(g.item("MDCG-SM").is_none());
        assert_eq!(g.node_id(Node::Item(3)), "CTL-1");
        assert_eq!(g.node_kind(Node::Catalog(c)), None);
        assert_eq!(g.node_kind(Node::Item(3)), Some(Kind::Control));
        // The unresolved link is kept for the checks, resolved ones are edges.
        assert_eq!(g.dangling, [Dangling { item: 3, link: 1 }]);
        assert_eq!(
            g.targets(3, Relation::Implements),
            [Node::Item(0)],
            "targets drop what does not resolve"
        );
    }

    #[test]
    fn traced_by_lists_live_items_once_sorted_by_id() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", "derives-from = [\"MDCG-SM\"]"),
            ("CTL-B", "control", "implements = [\"REQ-1\", \"REQ-1\"]"),
            ("CTL-A", "control", "implements = [\"REQ-1\"]"),
            (
                "CTL-OLD",
                "control",
                "implements = [\"REQ-1\"]\nstatus = \"obsolete\"",
            ),
            ("TST-1", "test", "verifies = [\"REQ-1\", \"CTL-A\"]"),
        ]);
        let g = t.graph();
        let req = Node::Item(t.at("REQ-1"));
        assert_eq!(
            ids(&t, g.traced_by(req, Relation::Implements)),
            ["CTL-A", "CTL-B"]
        );
        assert_eq!(ids(&t, g.traced_by(req, Relation::Verifies)), ["TST-1"]);
        assert!(g.traced_by(req, Relation::Mitigates).is_empty());
        let sm = g.lookup("MDCG-SM").unwrap();
        assert_eq!(ids(&t, g.traced_by(sm, Relation::DerivesFrom)), ["REQ-1"]);
        assert_eq!(
            ids(
                &t,
                g.traced_by(Node::Item(t.at("CTL-A")), Relation::Verifies)
            ),
            ["TST-1"]
        );
    }

    #[test]
    fn catalog_above_follows_written_links_up_and_survives_cycles() {
        let t = Trace::new(&[
            (
                "REQ-A",
                "requirement",
                "derives-from = [\"REQ-B\", \"MDCG-SM\"]",
            ),
            (
                "REQ-B",
                "requirement",
                "derives-from = [\"REQ-A\", \"IEC62443-SM-1\"]",
            ),
            ("REQ-C", "requirement", "derives-from = [\"REQ-C\"]"),
            ("REQ-D", "requirement", "derives-from = [\"CTL-1\"]"),
            ("CTL-1", "control", "implements = [\"REQ-A\"]"),
            ("TST-1", "test", "verifies = [\"CTL-1\"]"),
            ("RSK-1", "risk", ""),
            ("CTL-2", "control", "mitigates = [\"RSK-1\"]"),
            ("TST-2", "test", "verifies = [\"TST-2\"]"),
        ]);
        let g = t.graph();
        let above = |id: &str| g.catalog_above(t.at(id)).into_iter().collect::<Vec<_>>();
        // REQ-A and REQ-B refine each other: both reach both entries, and the walk ends.
        assert_eq!(above("REQ-A"), ["IEC62443-SM-1", "MDCG-SM"]);
        assert_eq!(above("REQ-B"), ["IEC62443-SM-1", "MDCG-SM"]);
        // Tests and controls lead up through the requirements they link to.
        assert_eq!(above("CTL-1"), ["IEC62443-SM-1", "MDCG-SM"]);
        assert_eq!(above("TST-1"), ["IEC62443-SM-1", "MDCG-SM"]);
        // A self-loop, a requirement "deriving" from a control, a risk: nothing above.
        assert!(above("REQ-C").is_empty());
        assert!(above("REQ-D").is_empty());
        assert!(above("CTL-2").is_empty());
        assert!(above("TST-2").is_empty());
    }

    #[test]
    fn practices_above_apply_the_catalog_mappings() {
        let t = Trace::new(&[
            (
                "REQ-X",
                "requirement",
                "derives-from = [\"IEC81001-5.1.1\"]",
            ),
            ("REQ-Y", "requirement", "derives-from = [\"MDR-1\"]"),
            (
                "REQ-Z",
                "requirement",
                "derives-from = [\"MDCG-SVV\", \"REQ-X\"]",
            ),
            ("REQ-W", "requirement", "derives-from = [\"REQ-V\"]"),
            (
                "REQ-V",
                "requirement",
                "derives-from = [\"REQ-W\", \"MDCG-DM\"]",
            ),
        ]);
        let g = t.graph();
        let practices = |id: &str| g.practices_above(t.at(id)).into_iter().collect::<Vec<_>>();
        // IEC 81001-5-1 5.1.1 is mapped from IEC 62443-4-1 SM-1 and SM-5, both Security
        // management.
        assert_eq!(practices("REQ-X"), ["MDCG-SM"]);
        // MDR Annex I belongs to no practice.
        assert!(practices("REQ-Y").is_empty());
        assert_eq!(practices("REQ-Z"), ["MDCG-SM", "MDCG-SVV"]);
        assert_eq!(practices("REQ-W"), ["MDCG-DM"]);
    }

    #[test]
    fn live_of_kind_leaves_out_obsolete_items_and_duplicates() {
        let t = Trace::new(&[
            ("REQ-2", "requirement", ""),
            ("REQ-1", "requirement", ""),
            ("REQ-2", "requirement", ""),
            ("REQ-0", "requirement", "status = \"obsolete\""),
            ("REQ-3", "requirement", "status = \"draft\""),
            ("CTL-1", "control", ""),
        ]);
        let g = t.graph();
        let live = g.live_of_kind(Kind::Requirement);
        assert_eq!(ids(&t, live.clone()), ["REQ-1", "REQ-2", "REQ-3"]);
        assert_eq!(live[1], 0, "the first REQ-2, not its duplicate");
        assert_eq!(ids(&t, g.live_of_kind(Kind::Control)), ["CTL-1"]);
        assert!(g.live_of_kind(Kind::Risk).is_empty());
    }
}
