//! The step of [`crate::analyse`] that depends on the world: the advisory folders and the
//! VEX documents (in the SBOMs and besides them) are read, and every component assessed,
//! on the date of a revalidation when there is one.

use super::AdvisoryDir;
use super::assess::{self, Assessment, Context};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::graph::TraceGraph;
use crate::load::{Input, InputKind, add_text};
use crate::model::{Date, SourceMap};
use crate::sbom::SbomSet;
use crate::vex::{self, Statements};

/// The inputs of the checks that depend on advisories, VEX documents and the date.
#[derive(Debug, Default)]
pub(crate) struct VulnInputs {
    pub(crate) advisories: Vec<AdvisoryDir>,
    pub(crate) vex: Vec<Input>,
    pub(crate) today: Option<Date>,
}

const VEX_FILE: InputKind = InputKind {
    noun: "VEX document",
    io_help: "check that the file exists and is readable, or fix `vex` in [preprocessor.techfile] or --vex",
    size_help: "raise `max-advisory-size` in [preprocessor.techfile], or split the VEX document",
    utf8_help: "VEX documents are UTF-8 JSON; re-save the file as UTF-8",
};

/// Reads the advisories and the VEX statements (in the SBOMs and in `vex` documents) and
/// assesses every component.
pub(crate) fn run(
    map: &mut SourceMap,
    graph: &TraceGraph<'_>,
    sboms: &SbomSet,
    config: &Config,
    inputs: VulnInputs,
) -> (Assessment, Vec<Diagnostic>) {
    let (db, mut diags) = super::load(map, inputs.advisories);
    let mut statements = Statements::default();
    for (i, s) in sboms.sboms.iter().enumerate() {
        diags.extend(vex::from_sbom(map, s.file, i, &mut statements));
    }
    for input in inputs.vex {
        match add_text(map, input.name, input.content, &VEX_FILE) {
            Ok(file) => diags.extend(vex::from_document(map, file, &mut statements)),
            Err(d) => diags.push(d),
        }
    }
    let ctx = Context {
        map,
        graph,
        today: inputs.today,
        max_age: config.vex_max_age,
    };
    let (assessment, more) = assess::assess(&ctx, &db, sboms, statements);
    diags.extend(more);
    (assessment, diags)
}
