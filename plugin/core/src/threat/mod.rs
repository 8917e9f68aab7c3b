//! The threat model as the checks and the views read it: the live elements of each kind,
//! which trust boundaries hold which elements, the boundaries each data flow crosses, and
//! STRIDE per element (which categories apply, and which risk or reason covers each).
//!
//! Every reference between elements is a trace link of the graph; this module only derives
//! what the links imply. Obsolete and duplicate items take no part.

pub(crate) mod diagram;
pub mod dragon;
pub mod layout;

use crate::config::StrideConfig;
use crate::graph::{Node, TraceGraph};
use crate::model::{ActorType, Item, Kind, Relation, Stride};
use std::collections::{BTreeSet, HashMap};

/// The live elements of the threat model and what their links imply. Items are indices into
/// the graph's item list; every list is sorted by ID.
pub(crate) struct Model<'g, 'a> {
    pub(crate) graph: &'g TraceGraph<'a>,
    /// Live elements of each kind of [`Kind::MODEL`], by kind.
    by_kind: HashMap<Kind, Vec<usize>>,
    /// For each live element or boundary, the live trust boundaries it is inside, directly or
    /// through nested boundaries, sorted by ID.
    inside: HashMap<usize, Vec<usize>>,
}

impl<'g, 'a> Model<'g, 'a> {
    pub(crate) fn new(graph: &'g TraceGraph<'a>) -> Model<'g, 'a> {
        let by_kind: HashMap<Kind, Vec<usize>> = Kind::MODEL
            .iter()
            .map(|&k| (k, graph.live_of_kind(k)))
            .collect();
        let mut model = Model {
            graph,
            by_kind,
            inside: HashMap::new(),
        };
        model.inside = model.compute_inside();
        model
    }

    /// Live elements of one kind, sorted by ID.
    pub(crate) fn of_kind(&self, kind: Kind) -> &[usize] {
        self.by_kind.get(&kind).map_or(&[], Vec::as_slice)
    }

    /// Whether the book has a threat model: at least one live element of any model kind.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_kind.values().all(Vec::is_empty)
    }

    pub(crate) fn item(&self, i: usize) -> &'a Item {
        &self.graph.items[i]
    }

    fn is_live(&self, i: usize) -> bool {
        crate::graph::is_live(self.graph, i)
    }

    /// The live item a link of `i` with `relation` leads to, for single-valued keys.
    pub(crate) fn target(&self, i: usize, relation: Relation) -> Option<usize> {
        self.targets(i, relation).into_iter().next()
    }

    /// The live items the links of `i` with `relation` lead to, in the order written.
    pub(crate) fn targets(&self, i: usize, relation: Relation) -> Vec<usize> {
        self.graph
            .targets(i, relation)
            .into_iter()
            .filter_map(|n| match n {
                Node::Item(j) if self.is_live(j) && relation.accepts(Some(self.item(j).kind)) => {
                    Some(j)
                }
                _ => None,
            })
            .collect()
    }

    /// Live items linking to `i` with `relation`, sorted by ID.
    pub(crate) fn sources(&self, i: usize, relation: Relation) -> Vec<usize> {
        self.graph
            .traced_by(Node::Item(i), relation)
            .into_iter()
            .filter(|&j| self.graph.is_canonical(j))
            .collect()
    }

    /// Live risks that name `i` (as an asset, element, interface or data flow), sorted by ID.
    pub(crate) fn risks_of(&self, i: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Relation::RISK_MODEL
            .iter()
            .flat_map(|&r| self.sources(i, r))
            .collect();
        self.sort(&mut out);
        out
    }

    /// Live controls that mitigate a risk of `i`, sorted by ID.
    pub(crate) fn controls_of(&self, i: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .risks_of(i)
            .into_iter()
            .flat_map(|r| self.sources(r, Relation::Mitigates))
            .collect();
        self.sort(&mut out);
        out
    }

    /// Sorts item indices by ID and drops repeats.
    pub(crate) fn sort(&self, v: &mut Vec<usize>) {
        v.sort_by(|a, b| self.item(*a).id.cmp(&self.item(*b).id));
        v.dedup();
    }

    /// Whether an actor is an attacker profile: a source of threats, not an element of the
    /// system, so it is neither drawn nor analysed with STRIDE.
    pub(crate) fn is_attacker(&self, i: usize) -> bool {
        self.item(i)
            .model
            .as_ref()
            .is_some_and(|m| m.actor_type == Some(ActorType::Attacker))
    }

    /// The elements STRIDE per element is applied to: actors (not attackers), processes,
    /// data stores, data flows and interfaces, in that order, each kind sorted by ID.
    pub(crate) fn stride_elements(&self) -> Vec<usize> {
        [
            Kind::Actor,
            Kind::Process,
            Kind::DataStore,
            Kind::DataFlow,
            Kind::Interface,
        ]
        .iter()
        .flat_map(|&k| self.of_kind(k).iter().copied())
        .filter(|&i| !self.is_attacker(i))
        .collect()
    }

    /// What covers one STRIDE category of one element.
    pub(crate) fn cell(&self, config: &StrideConfig, i: usize, category: Stride) -> Cell<'a> {
        let item = self.item(i);
        if !config.categories(item.kind).contains(&category) || self.is_attacker(i) {
            return Cell::Inapplicable;
        }
        let risks: Vec<usize> = self
            .risks_of(i)
            .into_iter()
            .filter(|&r| {
                self.item(r)
                    .risk
                    .as_ref()
                    .is_some_and(|f| f.stride.contains(&category))
            })
            .collect();
        let reason = item
            .model
            .as_ref()
            .and_then(|m| m.not_applicable(category))
            .map(|r| r.value.as_str());
        match (risks.is_empty(), reason) {
            (false, _) => Cell::Risks(risks),
            (true, Some(r)) => Cell::NotApplicable(r),
            (true, None) => Cell::Gap,
        }
    }

    /// The live trust boundaries `i` is inside, directly or through nesting, sorted by ID.
    pub(crate) fn boundaries_of(&self, i: usize) -> &[usize] {
        self.inside.get(&i).map_or(&[], Vec::as_slice)
    }

    /// The trust boundaries a data flow crosses: those that hold one of its ends but not the
    /// other, sorted by ID. Empty when an end is missing.
    pub(crate) fn crossings(&self, flow: usize) -> Vec<usize> {
        let (Some(from), Some(to)) = (
            self.target(flow, Relation::FlowFrom),
            self.target(flow, Relation::FlowTo),
        ) else {
            return Vec::new();
        };
        let a: BTreeSet<usize> = self.boundaries_of(from).iter().copied().collect();
        let b: BTreeSet<usize> = self.boundaries_of(to).iter().copied().collect();
        let mut out: Vec<usize> = a.symmetric_difference(&b).copied().collect();
        self.sort(&mut out);
        out
    }

    /// Whether boundary `outer` holds boundary `inner`, directly or through nesting.
    pub(crate) fn nests(&self, outer: usize, inner: usize) -> bool {
        self.boundaries_of(inner).contains(&outer)
    }

    /// The boundary `i` is drawn in: of the boundaries holding it, the innermost (the one
    /// inside the most others; the first by ID when boundaries overlap, which is reported).
    pub(crate) fn innermost(&self, i: usize) -> Option<usize> {
        self.boundaries_of(i).iter().copied().max_by(|a, b| {
            self.boundaries_of(*a)
                .len()
                .cmp(&self.boundaries_of(*b).len())
                .then_with(|| self.item(*b).id.cmp(&self.item(*a).id))
        })
    }

    /// Every live element or boundary with the boundaries it is inside. Boundaries are
    /// followed upwards through `contains`; a cycle (reported as `trace-cycle`) stops the
    /// walk instead of looping.
    fn compute_inside(&self) -> HashMap<usize, Vec<usize>> {
        let mut parents: HashMap<usize, Vec<usize>> = HashMap::new();
        for &b in self.of_kind(Kind::TrustBoundary) {
            for member in self.targets(b, Relation::Contains) {
                if member != b {
                    parents.entry(member).or_default().push(b);
                }
            }
        }
        let mut out = HashMap::new();
        for &member in parents.keys() {
            let mut seen: BTreeSet<usize> = BTreeSet::new();
            let mut stack: Vec<usize> = parents[&member].clone();
            while let Some(b) = stack.pop() {
                if b == member || !seen.insert(b) {
                    continue;
                }
                if let Some(up) = parents.get(&b) {
                    stack.extend(up.iter().copied());
                }
            }
            let mut list: Vec<usize> = seen.into_iter().collect();
            self.sort(&mut list);
            out.insert(member, list);
        }
        out
    }
}

/// One cell of the STRIDE matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cell<'a> {
    /// The category does not apply to the element's type.
    Inapplicable,
    /// Live risks that name the element and the category, sorted by ID.
    Risks(Vec<usize>),
    /// No risk, but the element says why the category does not apply.
    NotApplicable(&'a str),
    /// No risk and no reason.
    Gap,
}

#[cfg(test)]
mod tests;
