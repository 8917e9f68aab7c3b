//! Trace-link findings: `unknown-id`, `wrong-link-kind`, `duplicate-link`,
//! `link-to-obsolete` and `trace-cycle`.

use crate::diag::{Code, Diagnostic};
use crate::graph::{Edge, Node, TraceGraph};
use crate::load::Broken;
use crate::model::{Item, Relation, Status};
use petgraph::algo::tarjan_scc;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use std::collections::{BTreeSet, HashSet};

pub(crate) fn check(graph: &TraceGraph<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    unknown(graph, &mut out);
    kinds_and_duplicates(graph, &mut out);
    cycles(graph, &mut out);
    out
}

/// Typo suggestions compare against every ID; past this many unknown links (a mass rename,
/// a wrong folder) they would cost more than they help, so later findings go without.
const MAX_SUGGESTIONS: usize = 100;

/// A reference to `id`, which the item file `broken` declares but which did not load: the
/// finding says so, names the file as a second place and suggests no other ID, because the
/// ID is not misspelt.
pub(crate) fn on_broken(d: Diagnostic, id: &str, broken: &Broken) -> Diagnostic {
    d.with_label(
        broken.span(),
        format!("`{id}` is declared here, but this file could not be read"),
    )
    .help(format!(
        "see the error reported in `{}` and fix it first: the reference is checked again once the item loads",
        broken.name
    ))
}

fn unknown(graph: &TraceGraph<'_>, out: &mut Vec<Diagnostic>) {
    for (n, d) in graph.dangling.iter().enumerate() {
        let item = &graph.items[d.item];
        let link = &item.links[d.link];
        // The file that declares the ID failed to load: its own error is the root cause,
        // and a second error here for the same mistake would only send the reader
        // looking for a typo. `note_links_to_broken` counts the link on that error.
        if graph.broken_for(&link.target).is_some() {
            continue;
        }
        let suggestion = if n < MAX_SUGGESTIONS {
            suggest(graph, &link.target)
        } else {
            None
        };
        if let Some(Closest::Broken(id, broken)) = suggestion {
            let d = Diagnostic::new(
                Code::UnknownId,
                format!(
                    "`{}` {} unknown ID `{}`; the closest, `{id}`, could not be read",
                    item.id,
                    link.relation.label(),
                    link.target
                ),
            )
            .at(link.span, "no loaded item or catalog entry has this ID");
            out.push(on_misspelt_broken(d, id, broken));
            continue;
        }
        let help = match (suggestion.map(Closest::id), link.relation) {
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

/// Adds to the error of each item file that did not load a label at the ID it declares,
/// counting the trace links that point at it: they are not reported one by one (see
/// `unknown`), yet the reader learns what else the fix settles. `diags` are the load
/// findings; the first input finding in the file is the one labelled.
pub(crate) fn note_links_to_broken(graph: &TraceGraph<'_>, diags: &mut [Diagnostic]) {
    for broken in graph.broken {
        let mut count = 0;
        let mut from = BTreeSet::new();
        for d in graph.dangling {
            let item = &graph.items[d.item];
            if broken.defines(&item.links[d.link].target) {
                count += 1;
                from.insert(item.id.as_str());
            }
        }
        if count == 0 {
            continue;
        }
        let Some(d) = diags.iter_mut().find(|d| {
            d.code.is_input()
                && d.primary
                    .as_ref()
                    .is_some_and(|l| l.span.file == broken.file)
        }) else {
            continue;
        };
        // A file too broken to show its ID is found by its file name (`Broken::defines`).
        let id = broken
            .id
            .as_ref()
            .map_or("this item".to_string(), |i| format!("`{}`", i.value));
        let (links, they) = if count == 1 {
            ("link points", "it is")
        } else {
            ("links point", "they are")
        };
        let names: Vec<&str> = from.into_iter().collect();
        d.secondary.push(crate::diag::Label {
            span: broken.span(),
            message: format!(
                "{count} trace {links} at {id} (from {}); {they} checked once this file loads",
                names.join(", ")
            ),
        });
    }
}

/// The ID closest to a misspelt one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closest<'a> {
    /// An item or catalog entry that loaded.
    Known(&'a str),
    /// An item file that did not load, and the ID it is for: the misspelling most likely
    /// means it, and suggesting a loaded ID would send the reader away from the root cause.
    Broken(&'a str, &'a Broken),
}

impl<'a> Closest<'a> {
    /// The suggested ID.
    pub(crate) fn id(self) -> &'a str {
        match self {
            Closest::Known(id) | Closest::Broken(id, _) => id,
        }
    }
}

/// A close ID, for typos: among catalog IDs, item IDs and the IDs of item files that did not
/// load (weighed alike, as the `sbom` directive weighs SBOM files that failed). Looks at IDs
/// of similar length only, which keeps this cheap on large books.
pub(crate) fn suggest<'a>(graph: &TraceGraph<'a>, target: &str) -> Option<Closest<'a>> {
    let near = |s: &&str| s.len().abs_diff(target.len()) <= 2;
    let catalog: &'a crate::catalog::Catalog = graph.catalog;
    let items: &'a [Item] = graph.items;
    let broken: &'a [Broken] = graph.broken;
    let candidates = catalog
        .entries()
        .iter()
        .map(|e| e.id.as_str())
        .chain(items.iter().map(|i| i.id.as_str()))
        .chain(broken.iter().map(Broken::id_or_stem))
        .filter(near);
    let id = crate::suggest::closest(target, candidates)?;
    if graph.lookup(id).is_some() {
        return Some(Closest::Known(id));
    }
    broken
        .iter()
        .find(|b| b.id_or_stem() == id)
        .map(|b| Closest::Broken(id, b))
}

/// A finding about the misspelt ID `target` whose closest ID is declared by the item file
/// `broken`, which did not load: it points at that file and suggests no loaded ID.
pub(crate) fn on_misspelt_broken(d: Diagnostic, closest: &str, broken: &Broken) -> Diagnostic {
    d.with_label(
        broken.span(),
        format!("`{closest}` is declared here, but this file could not be read"),
    )
    .help(format!(
        "the closest ID, `{closest}`, is in `{}`, which could not be read: see the error reported there and fix it first; if `{closest}` is the item meant here, write it",
        broken.name
    ))
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
            if !link.relation.is_declared_by(item.kind) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::Trace;

    #[test]
    fn unknown_ids_are_reported_at_the_link_with_a_close_id() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", ""),
            ("CTL-1", "control", "implements = [\"REQ-1\", \"REQ-l\"]"),
            ("TST-1", "test", "verifies = [\"ZZZ-UNRELATED-404\"]"),
        ]);
        let g = t.graph();
        let d = check(&g);
        assert_eq!(
            t.findings(&d),
            [
                ("unknown-id", "CTL-1.md:5:24".to_string()),
                ("unknown-id", "TST-1.md:5:13".to_string()),
            ]
        );
        assert_eq!(t.text(d[0].primary.as_ref().unwrap().span), "\"REQ-l\"");
        assert!(d[0].help.as_ref().unwrap().contains("`REQ-1`"));
        assert_eq!(suggest(&g, "REQ-l").map(Closest::id), Some("REQ-1"));
        assert_eq!(
            suggest(&g, "MDCG-SVW").map(Closest::id),
            Some("MDCG-SVV"),
            "catalog IDs too"
        );
        assert_eq!(suggest(&g, "ZZZ-UNRELATED-404"), None);
    }

    /// A misspelt ID whose closest is declared by an item file that did not load: the
    /// finding points at that file and suggests no loaded ID, though one is close too.
    #[test]
    fn a_misspelt_id_closest_to_a_file_that_did_not_load_points_there() {
        let mut t = Trace::new(&[
            ("REQ-APP-002", "requirement", ""),
            ("CTL-1", "control", "implements = [\"REQ-APP-01\"]"),
        ]);
        let text =
            "+++\nid = \"REQ-APP-001\"\nkind = \"requirement\"\nlast-reviewed = 2026-02-30\n+++\n";
        let file = t.map.add("../requirements/REQ-APP-001.md", text);
        let broken = crate::load::broken::declared(
            file,
            "requirements/REQ-APP-001.md".into(),
            "../requirements/REQ-APP-001.md",
            text,
        );
        t.index = std::mem::replace(
            &mut t.index,
            crate::graph::GraphIndex::build(crate::catalog::Catalog::builtin(), &[]),
        )
        .with_broken(vec![broken]);
        let g = t.graph();
        assert!(
            matches!(
                suggest(&g, "REQ-APP-01"),
                Some(Closest::Broken("REQ-APP-001", _))
            ),
            "{:?}",
            suggest(&g, "REQ-APP-01").map(Closest::id)
        );
        assert_eq!(
            suggest(&g, "REQ-APP-02").map(Closest::id),
            Some("REQ-APP-002")
        );
        let d = check(&g);
        assert_eq!(d.len(), 1, "{d:?}");
        let help = d[0].help.as_deref().unwrap();
        assert!(!help.contains("REQ-APP-002"), "{help}");
        assert!(help.contains("`../requirements/REQ-APP-001.md`"), "{help}");
        assert!(
            d[0].message.contains("could not be read"),
            "{}",
            d[0].message
        );
        assert_eq!(
            t.place(d[0].secondary[0].span),
            "../requirements/REQ-APP-001.md:2:6"
        );
    }

    #[test]
    fn suggestions_stop_after_a_hundred_unknown_ids() {
        let targets: Vec<String> = (0..MAX_SUGGESTIONS + 1)
            .map(|n| format!("\"REQ-1{}\"", char::from(b'a' + (n % 26) as u8)))
            .collect();
        let links = format!("verifies = [{}]", targets.join(", "));
        let t = Trace::new(&[("REQ-1", "requirement", ""), ("TST-1", "test", &links)]);
        let d: Vec<Diagnostic> = check(&t.graph())
            .into_iter()
            .filter(|d| d.code == Code::UnknownId)
            .collect();
        assert_eq!(d.len(), MAX_SUGGESTIONS + 1);
        let suggests = |d: &Diagnostic| d.help.as_ref().unwrap().contains("`REQ-1`");
        assert!(d[..MAX_SUGGESTIONS].iter().all(suggests));
        assert!(!suggests(&d[MAX_SUGGESTIONS]));
    }

    #[test]
    fn links_to_the_wrong_kind_are_named_with_the_right_relation() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", ""),
            ("RSK-1", "risk", ""),
            ("TST-1", "test", "verifies = [\"RSK-1\", \"REQ-1\"]"),
            (
                "CTL-1",
                "control",
                "implements = [\"RSK-1\"]\nmitigates = [\"REQ-1\"]",
            ),
            ("CTL-2", "control", "implements = [\"MDCG-SM\"]"),
            (
                "REQ-2",
                "requirement",
                "derives-from = [\"CTL-2\", \"REQ-1\", \"MDCG-SM\"]",
            ),
        ]);
        let d = check(&t.graph());
        assert_eq!(
            t.findings(&d),
            [
                ("wrong-link-kind", "TST-1.md:5:13".to_string()),
                ("wrong-link-kind", "CTL-1.md:5:15".to_string()),
                ("wrong-link-kind", "CTL-1.md:6:14".to_string()),
                ("wrong-link-kind", "CTL-2.md:5:15".to_string()),
                ("wrong-link-kind", "REQ-2.md:5:17".to_string()),
            ]
        );
        // The help names the relation that fits, or what the key takes.
        let help = |n: usize| d[n].help.clone().unwrap();
        assert!(help(0).contains("verify the control"), "{}", help(0));
        assert!(help(1).contains("`mitigates`"), "{}", help(1));
        assert!(help(2).contains("`implements`"), "{}", help(2));
        assert!(help(3).contains("a requirement"), "{}", help(3));
        assert!(
            help(4).contains("a catalog entry or another requirement"),
            "{}",
            help(4)
        );
    }

    #[test]
    fn repeated_links_and_links_to_obsolete_items() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", ""),
            ("REQ-OLD", "requirement", "status = \"obsolete\""),
            (
                "CTL-1",
                "control",
                "implements = [\"REQ-1\", \"REQ-OLD\", \"REQ-1\"]",
            ),
            (
                "CTL-OLD",
                "control",
                "status = \"obsolete\"\nimplements = [\"REQ-OLD\"]",
            ),
        ]);
        let d = check(&t.graph());
        assert_eq!(
            t.findings(&d),
            [
                ("link-to-obsolete", "CTL-1.md:5:24".to_string()),
                ("duplicate-link", "CTL-1.md:5:35".to_string()),
            ],
            "an obsolete item may link to an obsolete item"
        );
        let marked = d[0]
            .secondary
            .iter()
            .map(|l| t.place(l.span))
            .collect::<Vec<_>>();
        assert_eq!(
            marked,
            ["REQ-OLD.md:2:6"],
            "where the target is marked obsolete"
        );
    }

    #[test]
    fn each_cycle_is_reported_once_from_its_smallest_id() {
        let specs = [
            ("REQ-C", "requirement", "derives-from = [\"REQ-A\"]"),
            ("REQ-B", "requirement", "derives-from = [\"REQ-C\"]"),
            (
                "REQ-A",
                "requirement",
                "derives-from = [\"REQ-B\", \"MDCG-SM\"]",
            ),
            ("REQ-S", "requirement", "derives-from = [\"REQ-S\"]"),
            ("REQ-X", "requirement", "derives-from = [\"REQ-A\"]"),
        ];
        let t = Trace::new(&specs);
        let d: Vec<Diagnostic> = check(&t.graph());
        let mut messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        messages.sort_unstable();
        assert_eq!(
            messages,
            [
                "trace links form a cycle: REQ-A -> REQ-B -> REQ-C -> REQ-A",
                "trace links form a cycle: REQ-S -> REQ-S",
            ]
        );
        assert!(d.iter().all(|d| d.code == Code::TraceCycle));
        let three = d.iter().find(|d| d.message.contains("REQ-B")).unwrap();
        // The first link of the cycle is the primary place, the others follow it.
        assert_eq!(
            t.place(three.primary.as_ref().unwrap().span),
            "REQ-A.md:5:17"
        );
        let rest: Vec<String> = three.secondary.iter().map(|l| t.place(l.span)).collect();
        assert_eq!(rest, ["REQ-B.md:5:17", "REQ-C.md:5:17"]);

        // The same items in another order give the same report.
        let mut reversed = specs;
        reversed.reverse();
        let t2 = Trace::new(&reversed);
        let mut again: Vec<String> = check(&t2.graph()).into_iter().map(|d| d.message).collect();
        again.sort_unstable();
        assert_eq!(again, messages);
    }

    #[test]
    fn a_clean_chain_has_no_trace_findings() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", "derives-from = [\"MDCG-SM\"]"),
            ("RSK-1", "risk", ""),
            (
                "CTL-1",
                "control",
                "implements = [\"REQ-1\"]\nmitigates = [\"RSK-1\"]",
            ),
            ("TST-1", "test", "verifies = [\"CTL-1\", \"REQ-1\"]"),
        ]);
        assert!(check(&t.graph()).is_empty());
    }
}
