//! `duplicate-id`: every ID (and the anchor derived from it) names one thing only.

use crate::diag::{Code, Diagnostic};
use crate::graph::{Node, TraceGraph};
use crate::model::anchor;
use std::collections::HashMap;

pub(crate) fn check(graph: &TraceGraph<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Anchors are compared, not raw IDs: `REQ-1` and `req-1` (or `REQ.1`) would land on
    // the same HTML anchor and one of them would become unreachable.
    let mut first: HashMap<String, usize> = HashMap::with_capacity(graph.items.len());
    let catalog_anchors: HashMap<String, &str> = graph
        .catalog
        .entries()
        .iter()
        .map(|e| (anchor(&e.id), e.id.as_str()))
        .collect();
    for (i, item) in graph.items.iter().enumerate() {
        if let Some(Node::Catalog(c)) = graph.lookup(&item.id) {
            let entry = &graph.catalog.entries()[c];
            out.push(
                Diagnostic::new(Code::DuplicateId, format!("`{}` is already a built-in catalog entry", item.id))
                    .at(item.id_span, "this ID is taken")
                    .help(format!(
                        "`{}` is the {} \"{}\"; give this item its own ID and trace to the entry with `derives-from`",
                        entry.id,
                        entry.kind.label(),
                        entry.title
                    )),
            );
            continue;
        }
        let own = anchor(&item.id);
        if let Some(entry) = catalog_anchors.get(&own) {
            out.push(
                Diagnostic::new(
                    Code::DuplicateId,
                    format!("ID `{}` clashes with the built-in catalog entry `{entry}`: both give the anchor `#{own}`", item.id),
                )
                .at(item.id_span, "this ID is taken")
                .help("give this item its own ID; IDs must be unique, ignoring case, catalog included"),
            );
            continue;
        }
        match first.entry(own) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(i);
            }
            std::collections::hash_map::Entry::Occupied(o) => {
                let prev = &graph.items[*o.get()];
                let message = if prev.id == item.id {
                    format!("duplicate ID `{}`", item.id)
                } else {
                    format!(
                        "ID `{}` clashes with `{}`: both give the anchor `#{}`",
                        item.id,
                        prev.id,
                        o.key()
                    )
                };
                out.push(
                    Diagnostic::new(Code::DuplicateId, message)
                        .at(item.id_span, "defined again here")
                        .with_label(prev.id_span, "first defined here")
                        .help("give one of the items a new ID; IDs must be unique, ignoring case"),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::Trace;

    #[test]
    fn every_id_and_anchor_names_one_thing() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", ""),
            ("REQ-2", "requirement", ""),
            ("REQ-1", "requirement", ""),
            ("req-2", "requirement", ""),
            ("REQ.2", "requirement", ""),
            ("MDCG-SM", "requirement", ""),
            ("mdcg-svv", "requirement", ""),
        ]);
        let d = check(&t.graph());
        // One finding per later item, at its ID; none for the first of each anchor.
        assert_eq!(
            t.findings(&d),
            [
                ("duplicate-id", "REQ-1-2.md:2:6".to_string()),
                ("duplicate-id", "req-2.md:2:6".to_string()),
                ("duplicate-id", "REQ.2.md:2:6".to_string()),
                ("duplicate-id", "MDCG-SM.md:2:6".to_string()),
                ("duplicate-id", "mdcg-svv.md:2:6".to_string()),
            ]
        );
        // A clash between items points back at the first definition; one with the catalog
        // has nothing in the book to point at.
        let first = |n: usize| {
            d[n].secondary
                .iter()
                .map(|l| t.place(l.span))
                .collect::<Vec<_>>()
        };
        assert_eq!(first(0), ["REQ-1.md:2:6"]);
        assert_eq!(first(1), ["REQ-2.md:2:6"]);
        assert_eq!(first(2), ["REQ-2.md:2:6"]);
        assert!(first(3).is_empty() && first(4).is_empty());
        // Same ID, same anchor and catalog clashes are told apart.
        assert!(
            d[0].message.contains("duplicate ID `REQ-1`"),
            "{}",
            d[0].message
        );
        assert!(d[1].message.contains("#req-2"), "{}", d[1].message);
        assert!(d[3].message.contains("catalog"), "{}", d[3].message);
        assert!(d[4].message.contains("`MDCG-SVV`"), "{}", d[4].message);
        assert!(d.iter().all(|f| f.help.is_some()));
    }

    #[test]
    fn distinct_ids_are_clean() {
        let t = Trace::new(&[
            ("REQ-1", "requirement", ""),
            ("REQ-10", "requirement", ""),
            ("CTL-1", "control", ""),
            ("MDCG-SM-1", "requirement", ""),
        ]);
        assert!(check(&t.graph()).is_empty());
    }
}
