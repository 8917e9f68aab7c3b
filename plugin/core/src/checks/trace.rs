//! Trace-link findings: `unknown-id`, `wrong-link-kind`, `duplicate-link`,
//! `link-to-obsolete` and `trace-cycle`.

use crate::diag::{Code, Diagnostic};
use crate::graph::{Edge, Node, TraceGraph};
use crate::model::{Item, Relation, Status};
use petgraph::algo::tarjan_scc;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use std::collections::{BTreeSet, HashSet};

pub fn check(graph: &TraceGraph<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    unknown(graph, &mut out);
    kinds_and_duplicates(graph, &mut out);
    cycles(graph, &mut out);
    out
}

/// Typo suggestions compare against every ID; past this many unknown links (a mass rename,
/// a wrong folder) they would cost more than they help, so later findings go without.
const MAX_SUGGESTIONS: usize = 100;

fn unknown(graph: &TraceGraph<'_>, out: &mut Vec<Diagnostic>) {
    for (n, d) in graph.dangling.iter().enumerate() {
        let item = &graph.items[d.item];
        let link = &item.links[d.link];
        let suggestion = if n < MAX_SUGGESTIONS {
            suggest(graph, &link.target)
        } else {
            None
        };
        let help = match (suggestion, link.relation) {
            (Some(s), _) => format!("did you mean `{s}`? Otherwise create an item with this ID or remove the link"),
            (None, Relation::DerivesFrom) => "create an item with this ID, use a built-in catalog ID (see the catalog page), or remove the link".into(),
            (None, r) => format!("`{}` takes {}: create the item with this ID, or remove the link", r.key(), r.expected_targets()),
        };
        out.push(
            Diagnostic::new(
                Code::UnknownId,
                format!(
                    "`{}` {} unknown ID `{}`",
                    item.id,
                    link.relation.label(),
                    link.target
                ),
            )
            .at(link.span, "no item or catalog entry has this ID")
            .help(help),
        );
    }
}

/// A close existing ID, for typos. Looks at catalog IDs and item IDs of similar length only,
/// which keeps this cheap on large books.
pub(crate) fn suggest<'a>(graph: &'a TraceGraph<'_>, target: &str) -> Option<&'a str> {
    let near = |s: &&str| s.len().abs_diff(target.len()) <= 2;
    let candidates = graph
        .catalog
        .entries()
        .iter()
        .map(|e| e.id.as_str())
        .chain(graph.items.iter().map(|i| i.id.as_str()))
        .filter(near);
    crate::load::closest(target, candidates)
}

fn kinds_and_duplicates(graph: &TraceGraph<'_>, out: &mut Vec<Diagnostic>) {
    for (i, item) in graph.items.iter().enumerate() {
        let mut seen: HashSet<(crate::model::Relation, &str)> = HashSet::new();
        for link in &item.links {
            if !seen.insert((link.relation, link.target.as_str())) {
                out.push(
                    Diagnostic::new(
                        Code::DuplicateLink,
                        format!(
                            "`{}` is listed twice under `{}`",
                            link.target,
                            link.relation.key()
                        ),
                    )
                    .at(link.span, "listed again here")
                    .help("remove the repeated ID"),
                );
                continue;
            }
            // Only the item's own relation keys are checked; a misplaced key was already
            // reported while loading.
            if link.relation.source_kind() != item.kind {
                continue;
            }
            let Some(node) = graph.lookup(&link.target) else {
                continue;
            };
            let target_kind = graph.node_kind(node);
            if !link.relation.accepts(target_kind) {
                let what = match node {
                    Node::Catalog(c) => graph.catalog.entries()[c].kind.label().to_string(),
                    Node::Item(j) => graph.items[j].kind.with_article(),
                };
                out.push(
                    Diagnostic::new(
                        Code::WrongLinkKind,
                        format!(
                            "{} cannot `{}` {what}",
                            item.kind.with_article(),
                            link.relation.key()
                        ),
                    )
                    .at(link.span, format!("`{}` is {what}", link.target))
                    .help(wrong_kind_help(item, link.relation, target_kind)),
                );
                continue;
            }
            if let Node::Item(j) = node {
                let target = &graph.items[j];
                if target.status == Status::Obsolete && item.status != Status::Obsolete {
                    out.push(
                        Diagnostic::new(
                            Code::LinkToObsolete,
                            format!("`{}` links to obsolete item `{}`", item.id, target.id),
                        )
                        .at(link.span, "this item is obsolete")
                        .with_label(target.id_span, "marked obsolete here")
                        .help("link to the item that replaces it, or mark this item obsolete too"),
                    );
                }
            }
            let _ = i;
        }
    }
}

fn wrong_kind_help(
    item: &Item,
    relation: crate::model::Relation,
    target: Option<crate::model::Kind>,
) -> String {
    use crate::model::Kind;
    match (relation, target) {
        (Relation::Verifies, Some(Kind::Risk)) => "tests verify controls or requirements; verify the control that mitigates this risk instead".into(),
        (Relation::Implements, Some(Kind::Risk)) => "use `mitigates` for risks; `implements` takes requirements".into(),
        (Relation::Mitigates, Some(Kind::Requirement)) => "use `implements` for requirements; `mitigates` takes risks".into(),
        (Relation::RiskElements, Some(Kind::Asset)) => "name assets with `assets`; `elements` takes actors, processes and data stores".into(),
        (Relation::RiskElements, Some(Kind::Interface)) => "name interfaces with `interfaces`; `elements` takes actors, processes and data stores".into(),
        (Relation::RiskElements, Some(Kind::DataFlow)) => "name data flows with `data-flows`; `elements` takes actors, processes and data stores".into(),
        (r, Some(Kind::Asset)) if r != Relation::RiskElements && item.kind == Kind::Risk => "name assets with `assets`".into(),
        _ => format!("`{}` on a {} takes {}", relation.key(), item.kind, relation.expected_targets()),
    }
}

fn cycles(graph: &TraceGraph<'_>, out: &mut Vec<Diagnostic>) {
    for scc in tarjan_scc(&graph.graph) {
        let members: BTreeSet<NodeIndex> = scc.iter().copied().collect();
        let self_loop = scc.len() == 1 && graph.graph.find_edge(scc[0], scc[0]).is_some();
        if scc.len() < 2 && !self_loop {
            continue;
        }
        // Start from the smallest ID so the report does not depend on traversal order.
        let Some(&start) = scc.iter().min_by_key(|n| graph.node_id(graph.graph[**n])) else {
            continue;
        };
        let path = cycle_path(graph, start, &members);
        let ids: Vec<&str> = path
            .iter()
            .map(|&(n, _)| graph.node_id(graph.graph[n]))
            .chain(std::iter::once(graph.node_id(graph.graph[start])))
            .collect();
        let mut spans = path.iter().filter_map(|&(_, e)| match e {
            Some(Edge::Trace { item, link, .. }) => Some(graph.items[item].links[link].span),
            _ => None,
        });
        let Some(first) = spans.next() else { continue };
        let mut d = Diagnostic::new(
            Code::TraceCycle,
            format!("trace links form a cycle: {}", ids.join(" -> ")),
        )
        .at(first, "this link starts the cycle");
        for s in spans {
            d = d.with_label(s, "and continues here");
        }
        let boundaries = path.iter().all(|&(_, e)| {
            matches!(
                e,
                Some(Edge::Trace {
                    relation: Relation::Contains,
                    ..
                })
            )
        });
        out.push(d.help(if boundaries {
            "trust boundaries nest: a boundary cannot contain a boundary that contains it; remove one `contains` entry of the cycle"
        } else {
            "trace links go one way (test -> control -> requirement -> catalog); remove one link of the cycle"
        }));
    }
}

/// A path from `start` back to itself inside one strongly connected component, each step
/// with the edge taken. Follows the smallest next ID, so the result is deterministic.
fn cycle_path(
    graph: &TraceGraph<'_>,
    start: NodeIndex,
    members: &BTreeSet<NodeIndex>,
) -> Vec<(NodeIndex, Option<Edge>)> {
    // Breadth-first search for the shortest way back to `start`.
    let mut prev: std::collections::HashMap<NodeIndex, (NodeIndex, Edge)> = Default::default();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut found: Option<(NodeIndex, Edge)> = None;
    'search: while let Some(n) = queue.pop_front() {
        let mut edges: Vec<_> = graph
            .graph
            .edges(n)
            .filter(|e| members.contains(&e.target()))
            .collect();
        edges.sort_by_key(|e| graph.node_id(graph.graph[e.target()]));
        for e in edges {
            if e.target() == start {
                found = Some((n, *e.weight()));
                break 'search;
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = prev.entry(e.target()) {
                slot.insert((n, *e.weight()));
                queue.push_back(e.target());
            }
        }
    }
    let Some((last, closing)) = found else {
        return vec![(start, None)];
    };
    // Walk back from `last` to `start`, collecting (node, edge leaving node).
    let mut steps = vec![(last, Some(closing))];
    let mut cur = last;
    while cur != start {
        let Some(&(p, e)) = prev.get(&cur) else { break };
        steps.push((p, Some(e)));
        cur = p;
    }
    steps.reverse();
    steps
}
