//! Which elements a data-flow diagram shows, and the diagram as DOT text for the layout
//! engine. The same model and scope always give the same text, byte for byte.

use super::Model;
use crate::model::{Kind, Relation};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

/// What a diagram shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Scope {
    /// Every actor (but attacker profiles), process, data store, data flow and boundary.
    Whole,
    /// What is inside one trust boundary, and the elements outside that exchange data
    /// with it (drawn as context).
    Boundary(usize),
    /// One element and the elements it exchanges data with (drawn as context).
    Element(usize),
}

/// A diagram ready for layout: its DOT text, flowing left to right and top to bottom (the
/// one that fits an A4 page better is drawn), and what each name in it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Diagram {
    /// Flowing left to right.
    pub(crate) dot: String,
    /// The same diagram flowing top to bottom; empty for a large diagram, which is laid
    /// out one way only.
    pub(crate) dot_tb: String,
    /// Node `n{k}` is element `nodes[k].0`; `nodes[k].1` is true for context elements.
    pub(crate) nodes: Vec<(usize, bool)>,
    /// Cluster `cluster_{k}` is trust boundary `boundaries[k]`.
    pub(crate) boundaries: Vec<usize>,
    /// Edge `f{k}` is data flow `flows[k]`.
    pub(crate) flows: Vec<usize>,
    /// Each node's label lines, as laid out (the title wrapped, then the ID).
    pub(crate) labels: Vec<Vec<String>>,
    /// Each cluster's label lines.
    pub(crate) boundary_labels: Vec<Vec<String>>,
}

impl Diagram {
    /// How many things the diagram draws: elements, trust boundaries and data flows.
    pub(crate) fn size(&self) -> usize {
        self.nodes.len() + self.boundaries.len() + self.flows.len()
    }
}

/// The font the layout measures text in and the SVG draws it with. Graphviz knows the
/// metrics of Helvetica without any font installed, so the layout does not depend on the
/// fonts of the machine.
pub(crate) const FONT: &str = "Helvetica";
pub(crate) const FONT_SIZE: f64 = 10.0;
/// Characters per line of a wrapped title: narrow labels keep the ranks of a left-to-right
/// diagram narrow, which matters most on an A4 page.
const WRAP: usize = 16;
/// Lines of a wrapped title at most; longer titles end with an ellipsis.
const MAX_LINES: usize = 3;
/// Past this many elements, boundaries and flows a diagram is laid out for speed.
const LARGE: usize = 120;

/// Builds the diagram of `scope`.
pub(crate) fn build(model: &Model<'_, '_>, scope: Scope) -> Diagram {
    let is_node = |i: usize| model.item(i).kind.is_node() && !model.is_attacker(i);
    let all_nodes: Vec<usize> = [Kind::Actor, Kind::Process, Kind::DataStore]
        .iter()
        .flat_map(|&k| model.of_kind(k).iter().copied())
        .filter(|&i| is_node(i))
        .collect();
    let focus: BTreeSet<usize> = match scope {
        Scope::Whole => all_nodes.iter().copied().collect(),
        Scope::Boundary(b) => all_nodes
            .iter()
            .copied()
            .filter(|&n| model.boundaries_of(n).contains(&b))
            .collect(),
        Scope::Element(e) => [e].into_iter().filter(|&e| is_node(e)).collect(),
    };
    // Flows between drawn elements, at least one end in focus; their other ends join as
    // context.
    let mut flows = Vec::new();
    let mut context = BTreeSet::new();
    for &f in model.of_kind(Kind::DataFlow) {
        let (Some(a), Some(b)) = (
            model.target(f, Relation::FlowFrom),
            model.target(f, Relation::FlowTo),
        ) else {
            continue;
        };
        if !is_node(a) || !is_node(b) || !(focus.contains(&a) || focus.contains(&b)) {
            continue;
        }
        flows.push(f);
        for end in [a, b] {
            if !focus.contains(&end) {
                context.insert(end);
            }
        }
    }
    // Kind order (actors, processes, stores), then ID: the order nodes are written in,
    // which is what makes the layout the same every time.
    let nodes: Vec<(usize, bool)> = all_nodes
        .iter()
        .copied()
        .filter(|n| focus.contains(n) || context.contains(n))
        .map(|n| (n, context.contains(&n)))
        .collect();
    // The boundaries around the elements in focus. Context elements stay outside them all:
    // where they sit is their own diagram's business, and their boundaries would only
    // crowd this one.
    let mut boundaries: Vec<usize> = nodes
        .iter()
        .filter(|&&(_, context)| !context)
        .flat_map(|&(n, _)| model.boundaries_of(n).iter().copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    model.sort(&mut boundaries);

    let labels: Vec<Vec<String>> = nodes
        .iter()
        .map(|&(n, _)| {
            let item = model.item(n);
            let mut lines = wrap(&item.title);
            lines.push(item.id.clone());
            lines
        })
        .collect();
    let boundary_labels: Vec<Vec<String>> = boundaries
        .iter()
        .map(|&b| {
            let item = model.item(b);
            vec![format!("{} ({})", item.title, item.id)]
        })
        .collect();

    // A diagram this large is an overview that no page shows at a readable size; it is laid
    // out for speed: straight edges, few crossing-reduction and positioning passes, and flow
    // IDs placed after the layout instead of as nodes of their own. `newrank` ranks across
    // clusters in one pass, without which dot gives up on some models with many boundaries.
    let large = nodes.len() + boundaries.len() + flows.len() > LARGE;
    let mut dot = String::new();
    dot.push_str("digraph dfd {\n");
    let _ = writeln!(
        dot,
        "  graph [rankdir=LR, newrank=true, nodesep=0.3, ranksep=0.4, pad=0.1, fontname=\"{FONT}\", fontsize={FONT_SIZE}, labeljust=l{}];",
        if large {
            ", splines=line, nslimit=1, mclimit=0.1"
        } else {
            ""
        }
    );
    let _ = writeln!(
        dot,
        "  node [fontname=\"{FONT}\", fontsize={FONT_SIZE}, margin=\"0.1,0.05\"];"
    );
    let _ = writeln!(dot, "  edge [fontname=\"{FONT}\", fontsize={FONT_SIZE}];");
    // Each node and cluster goes into its innermost drawn boundary; the rest at the top.
    let node_at: HashMap<usize, usize> = nodes
        .iter()
        .enumerate()
        .map(|(k, &(n, _))| (n, k))
        .collect();
    let boundary_at: HashMap<usize, usize> = boundaries
        .iter()
        .enumerate()
        .map(|(k, &b)| (b, k))
        .collect();
    let node_index = |i: usize| node_at.get(&i).copied();
    let boundary_index = |i: usize| boundary_at.get(&i).copied();
    let parent = |i: usize| {
        if node_index(i).is_some_and(|k| nodes[k].1) {
            return None;
        }
        model.innermost(i).and_then(boundary_index)
    };
    let write_node = |dot: &mut String, k: usize, depth: usize| {
        let (n, _) = nodes[k];
        let shape = match model.item(n).kind {
            Kind::Process => "ellipse",
            _ => "box",
        };
        let _ = writeln!(
            dot,
            "{}n{k} [shape={shape}, label=\"{}\"];",
            "  ".repeat(depth),
            dot_text(&labels[k].join("\n"))
        );
    };
    fn write_cluster(
        dot: &mut String,
        k: usize,
        depth: usize,
        children: &dyn Fn(usize) -> (Vec<usize>, Vec<usize>),
        write_node: &dyn Fn(&mut String, usize, usize),
        label: &dyn Fn(usize) -> String,
    ) {
        let pad = "  ".repeat(depth);
        let _ = writeln!(dot, "{pad}subgraph cluster_{k} {{");
        let _ = writeln!(dot, "{pad}  label=\"{}\";", dot_text(&label(k)));
        let (clusters, members) = children(k);
        for c in clusters {
            write_cluster(dot, c, depth + 1, children, write_node, label);
        }
        for m in members {
            write_node(dot, m, depth + 1);
        }
        let _ = writeln!(dot, "{pad}}}");
    }
    let children_of = |parent_cluster: Option<usize>| -> (Vec<usize>, Vec<usize>) {
        let clusters = (0..boundaries.len())
            .filter(|&c| parent(boundaries[c]) == parent_cluster)
            .collect();
        let members = (0..nodes.len())
            .filter(|&k| parent(nodes[k].0) == parent_cluster)
            .collect();
        (clusters, members)
    };
    let (top_clusters, top_nodes) = children_of(None);
    let children = |k: usize| children_of(Some(k));
    let label = |k: usize| boundary_labels[k].join("\n");
    for c in top_clusters {
        write_cluster(&mut dot, c, 1, &children, &write_node, &label);
    }
    for k in top_nodes {
        write_node(&mut dot, k, 1);
    }
    for (k, &f) in flows.iter().enumerate() {
        let (Some(a), Some(b)) = (
            model.target(f, Relation::FlowFrom).and_then(&node_index),
            model.target(f, Relation::FlowTo).and_then(&node_index),
        ) else {
            continue;
        };
        let _ = writeln!(
            dot,
            "  n{a} -> n{b} [id=\"f{k}\", {}label=\"{}\"];",
            if large { "x" } else { "" },
            dot_text(&model.item(f).id)
        );
    }
    dot.push_str("}\n");
    // A large diagram is laid out once: it is scaled down whichever way it flows.
    let dot_tb = if large {
        String::new()
    } else {
        dot.replacen("rankdir=LR", "rankdir=TB", 1)
    };
    Diagram {
        dot,
        dot_tb,
        nodes,
        boundaries,
        flows,
        labels,
        boundary_labels,
    }
}

/// A title cut into lines of about [`WRAP`] characters at spaces, at most [`MAX_LINES`].
pub(crate) fn wrap(title: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in title.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > WRAP {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > MAX_LINES {
        lines.truncate(MAX_LINES);
        if let Some(last) = lines.last_mut() {
            last.push('\u{2026}');
        }
    }
    lines
}

/// Text for a quoted DOT string: quotes and backslashes escaped (a backslash would start a
/// Graphviz escape such as `\N`), line breaks as `\n`.
fn dot_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_wrap_at_spaces_and_stop_after_three_lines() {
        assert_eq!(wrap("Patch firmware"), ["Patch firmware"]);
        assert_eq!(
            wrap("Arrhythmia analysis and notification service in the cloud back end"),
            ["Arrhythmia", "analysis and", "notification\u{2026}"]
        );
        assert_eq!(
            wrap("Supercalifragilisticexpialidocious x"),
            ["Supercalifragilisticexpialidocious", "x"]
        );
        assert!(wrap("").is_empty());
    }

    #[test]
    fn dot_strings_cannot_break_out() {
        assert_eq!(dot_text("a\"b\\N\nc"), "a\\\"b\\\\N\\nc");
    }
}
