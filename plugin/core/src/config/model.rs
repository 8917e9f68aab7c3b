//! `[preprocessor.techfile.stride]` (which STRIDE categories apply to each element type)
//! and `[preprocessor.techfile.diagram]` (how data-flow diagrams are laid out).

use crate::model::{Kind, Stride};
use serde::{Deserialize, Deserializer};

/// STRIDE per element: the categories each type of element is analysed for. The defaults
/// are the classic table of Microsoft's SDL threat modelling (Shostack, *Threat Modeling*,
/// 2014, chapter 3): external entities S and R, processes all six, data stores T, R, I, D,
/// data flows T, I, D. Interfaces are not a type of that table and get none unless
/// configured.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct StrideConfig {
    #[serde(deserialize_with = "categories")]
    pub actor: Vec<Stride>,
    #[serde(deserialize_with = "categories")]
    pub process: Vec<Stride>,
    #[serde(deserialize_with = "categories")]
    pub data_store: Vec<Stride>,
    #[serde(deserialize_with = "categories")]
    pub data_flow: Vec<Stride>,
    #[serde(deserialize_with = "categories")]
    pub interface: Vec<Stride>,
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
    pub fn categories(&self, kind: Kind) -> &[Stride] {
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

/// A list of STRIDE words, each once, kept in STRIDE order.
fn categories<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Stride>, D::Error> {
    let words = Vec::<String>::deserialize(d)?;
    let mut out = Vec::new();
    for w in words {
        let Some(c) = Stride::parse(&w) else {
            return Err(serde::de::Error::custom(format!(
                "unknown STRIDE category `{w}`: use {}",
                Stride::WORDS.join(", ")
            )));
        };
        if out.contains(&c) {
            return Err(serde::de::Error::custom(format!("`{w}` is listed twice")));
        }
        out.push(c);
    }
    out.sort();
    Ok(out)
}

/// How data-flow diagrams are laid out: Graphviz `dot`, run by the edge with a time limit.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct DiagramConfig {
    /// The Graphviz `dot` program: a name looked up on PATH, or a path.
    pub dot: String,
    /// Seconds one diagram may take to lay out before it is reported as too large.
    pub timeout: f64,
    /// Most elements (actors, processes, data stores, trust boundaries) and data flows one
    /// diagram draws; past it the diagram is not readable on an A4 page and is reported.
    pub max_elements: usize,
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
    pub fn validate(&self) -> Result<(), String> {
        if self.dot.trim().is_empty() {
            return Err("[preprocessor.techfile.diagram] dot: name the Graphviz dot program (default `dot`)".into());
        }
        if !(self.timeout > 0.0 && self.timeout <= 3600.0) {
            return Err(format!(
                "[preprocessor.techfile.diagram] timeout: {} is not a number of seconds between 0 and 3600",
                self.timeout
            ));
        }
        if self.max_elements == 0 {
            return Err(
                "[preprocessor.techfile.diagram] max-elements: allow at least one element".into(),
            );
        }
        Ok(())
    }

    /// The time limit in milliseconds.
    pub fn timeout_ms(&self) -> u64 {
        (self.timeout * 1000.0).round() as u64
    }
}
