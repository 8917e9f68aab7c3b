//! `[preprocessor.techfile.stride]` (which STRIDE categories apply to each element type)
//! and `[preprocessor.techfile.diagram]` (how data-flow diagrams are laid out).

use super::reader::{Reader, key_path};
use super::tree::{Table, Value};
use crate::model::{Kind, Stride};

/// STRIDE per element: the categories each type of element is analysed for. The defaults
/// are the classic table of Microsoft's SDL threat modelling (Shostack, *Threat Modeling*,
/// 2014, chapter 3): external entities S and R, processes all six, data stores T, R, I, D,
/// data flows T, I, D. Interfaces are not a type of that table and get none unless
/// configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StrideConfig {
    pub(crate) actor: Vec<Stride>,
    pub(crate) process: Vec<Stride>,
    pub(crate) data_store: Vec<Stride>,
    pub(crate) data_flow: Vec<Stride>,
    pub(crate) interface: Vec<Stride>,
}

impl Default for StrideConfig {
    fn default() -> StrideConfig {
        use Stride::*;
        StrideConfig {
            actor: vec![Spoofing, Repudiation],
            process: Stride::ALL.to_vec(),
            data_store: vec![
                Tampering,
                Repudiation,
                InformationDisclosure,
                DenialOfService,
            ],
            data_flow: vec![Tampering, InformationDisclosure, DenialOfService],
            interface: Vec::new(),
        }
    }
}

impl StrideConfig {
    /// The categories that apply to an element of `kind`, in STRIDE order (none for kinds
    /// STRIDE per element does not cover).
    pub(crate) fn categories(&self, kind: Kind) -> &[Stride] {
        match kind {
            Kind::Actor => &self.actor,
            Kind::Process => &self.process,
            Kind::DataStore => &self.data_store,
            Kind::DataFlow => &self.data_flow,
            Kind::Interface => &self.interface,
            _ => &[],
        }
    }
}

/// The element types of `[preprocessor.techfile.stride]`, as its keys name them.
const STRIDE_KEYS: &[&str] = &["actor", "process", "data-store", "data-flow", "interface"];

/// Reads `[preprocessor.techfile.stride]`: each key an element type, each value a list of
/// STRIDE words, each once. Types not listed keep their default categories.
pub(super) fn read_stride(r: &mut Reader, t: &Table) -> StrideConfig {
    let mut c = StrideConfig::default();
    let words: Vec<(&'static str, Stride)> = Stride::ALL.iter().map(|s| (s.as_str(), *s)).collect();
    for e in &t.entries {
        let Some(slot) = (match e.key.as_str() {
            "actor" => Some(&mut c.actor),
            "process" => Some(&mut c.process),
            "data-store" => Some(&mut c.data_store),
            "data-flow" => Some(&mut c.data_flow),
            "interface" => Some(&mut c.interface),
            _ => None,
        }) else {
            r.unknown_key(e, "stride", STRIDE_KEYS);
            continue;
        };
        let path = key_path("stride", &e.key);
        let example = format!("{} = [\"spoofing\", \"tampering\"]", e.key);
        let Value::Array(list) = &e.value.value else {
            r.wrong_type(&path, &e.value, "an array of STRIDE categories", &example);
            continue;
        };
        let mut out: Vec<Stride> = Vec::with_capacity(list.len());
        let mut whole = true;
        for node in list {
            if !matches!(node.value, Value::String(_)) {
                r.wrong_type(&path, node, "an array of STRIDE categories", &example);
                whole = false;
                continue;
            }
            let Some(category) = r.word(node, &path, "STRIDE category", &words) else {
                whole = false;
                continue;
            };
            if out.contains(&category) {
                r.invalid(
                    node.span,
                    format!("`{}` is listed twice in `{path}`", category.as_str()),
                    "list each category once",
                );
                whole = false;
                continue;
            }
            out.push(category);
        }
        if whole {
            out.sort();
            *slot = out;
        }
    }
    c
}

/// How data-flow diagrams are laid out: Graphviz `dot`, run by the edge with a time limit.
#[derive(Clone, Debug, PartialEq)]
pub struct DiagramConfig {
    /// The Graphviz `dot` program: a name looked up on PATH, or a path.
    pub dot: String,
    /// Seconds one diagram may take to lay out before it is reported as too large.
    pub(crate) timeout: f64,
    /// Most elements (actors, processes, data stores, trust boundaries) and data flows one
    /// diagram draws; past it the diagram is not readable on an A4 page and is reported.
    pub(crate) max_elements: usize,
}

impl Default for DiagramConfig {
    fn default() -> DiagramConfig {
        DiagramConfig {
            dot: "dot".into(),
            timeout: 30.0,
            max_elements: 150,
        }
    }
}

impl DiagramConfig {
    /// The time limit in milliseconds.
    pub fn timeout_ms(&self) -> u64 {
        (self.timeout * 1000.0).round() as u64
    }
}

/// The longest time limit a diagram may be given, in seconds: an hour is already far past
/// any layout a reader could use.
const MAX_TIMEOUT: f64 = 3600.0;

const DIAGRAM_KEYS: &[&str] = &["dot", "timeout", "max-elements"];

/// Reads `[preprocessor.techfile.diagram]`.
pub(super) fn read_diagram(r: &mut Reader, t: &Table) -> DiagramConfig {
    let mut c = DiagramConfig::default();
    for e in &t.entries {
        let path = key_path("diagram", &e.key);
        let v = &e.value;
        match e.key.as_str() {
            "dot" => {
                if let Some(dot) = r.text(
                    v,
                    &path,
                    "dot = \"/usr/bin/dot\"",
                    "the Graphviz `dot` program, a name on PATH or a path (default `dot`)",
                ) {
                    c.dot = dot;
                }
            }
            "timeout" => {
                let seconds = match v.value {
                    Value::Float(f) => Some(f),
                    Value::Integer(Some(i)) => Some(i as f64),
                    _ => {
                        r.wrong_type(&path, v, "a number of seconds", "timeout = 30");
                        None
                    }
                };
                match seconds {
                    Some(s) if s > 0.0 && s <= MAX_TIMEOUT => c.timeout = s,
                    Some(s) => r.invalid(
                        v.span,
                        format!(
                            "`{path}` must be more than 0 and at most {MAX_TIMEOUT} seconds, found {s}"
                        ),
                        "give each diagram a time limit in seconds, such as `timeout = 30`",
                    ),
                    None => {}
                }
            }
            "max-elements" => {
                if let Some(n) = r.count(v, &path, "max-elements = 150", 1) {
                    c.max_elements = usize::try_from(n).unwrap_or(usize::MAX);
                }
            }
            _ => r.unknown_key(e, "diagram", DIAGRAM_KEYS),
        }
    }
    c
}
