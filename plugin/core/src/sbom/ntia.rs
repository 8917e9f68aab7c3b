//! The NTIA minimum elements of an SBOM ("The Minimum Elements For a Software Bill of
//! Materials", NTIA 2021), checked per component and per document.
//!
//! | element | CycloneDX field | code |
//! |---|---|---|
//! | supplier name | `component.supplier` (name or URL) | `sbom-missing-supplier` |
//! | component name | `component.name` | required by the schema |
//! | version | `component.version` | `sbom-missing-version` |
//! | other unique identifiers | `purl`, `cpe`, `swid.tagId`, `omniborId`, `swhid` | `sbom-missing-identifier` |
//! | dependency relationship | the component appears in `dependencies` | `sbom-missing-dependencies` |
//! | author of SBOM data | `metadata.authors` (or `metadata.manufacturer` from 1.6) | `sbom-missing-author` |
//! | timestamp | `metadata.timestamp` | `sbom-missing-timestamp` |
//!
//! The codes default to `warn`; a book sets them to `deny` or `allow` with the usual
//! `severity` table.

use super::{Component, Sbom};
use crate::diag::{Code, Diagnostic};

/// Per SBOM and code, this many components are reported one by one; the rest are counted in
/// one closing finding. The SBOM's page in the book lists every gap.
pub const MAX_PER_CODE: usize = 20;

/// The component-level elements, in the order the book lists them.
pub const COMPONENT_ELEMENTS: [(Code, &str); 4] = [
    (Code::SbomMissingSupplier, "supplier"),
    (Code::SbomMissingVersion, "version"),
    (Code::SbomMissingIdentifier, "unique identifier"),
    (Code::SbomMissingDependencies, "dependency relationship"),
];

/// Whether a component lacks the element of `code`. `has_graph`: the SBOM has a
/// `dependencies` array at all.
pub fn lacks(code: Code, c: &Component, has_graph: bool) -> bool {
    match code {
        Code::SbomMissingSupplier => c.supplier.is_none(),
        Code::SbomMissingVersion => c.version.is_none(),
        Code::SbomMissingIdentifier => c.purl.is_none() && c.cpe.is_none() && c.other_id.is_none(),
        Code::SbomMissingDependencies => !has_graph || !c.in_graph,
        _ => false,
    }
}

fn help(code: Code) -> &'static str {
    match code {
        Code::SbomMissingSupplier => {
            "name who supplies the component: `\"supplier\": {\"name\": \"...\"}`"
        }
        Code::SbomMissingVersion => "state the component's version: `\"version\": \"1.2.3\"`",
        Code::SbomMissingIdentifier => {
            "add a package URL (`\"purl\": \"pkg:...\"`) or a CPE, so the component can be matched against vulnerability databases"
        }
        Code::SbomMissingDependencies => {
            "give the component a `bom-ref` and list it in `dependencies` (a component without dependencies gets an entry with an empty `dependsOn`)"
        }
        _ => "",
    }
}

/// Every NTIA finding of the loaded SBOMs.
pub fn check(sboms: &[Sbom]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for sbom in sboms {
        if sbom.authors.is_empty() {
            out.push(
                Diagnostic::new(Code::SbomMissingAuthor, "SBOM names no author")
                    .at(sbom.metadata_span, "no `authors` in the metadata")
                    .help("say who created the SBOM data: `\"metadata\": {\"authors\": [{\"name\": \"...\"}]}`"),
            );
        }
        if sbom.timestamp.is_none() {
            out.push(
                Diagnostic::new(Code::SbomMissingTimestamp, "SBOM has no timestamp")
                    .at(sbom.metadata_span, "no `timestamp` in the metadata")
                    .help("record when the SBOM data were assembled: `\"metadata\": {\"timestamp\": \"2026-01-31T12:00:00Z\"}`"),
            );
        }
        if !sbom.has_dependencies && !sbom.components.is_empty() {
            out.push(
                Diagnostic::new(
                    Code::SbomMissingDependencies,
                    format!(
                        "SBOM has no dependency graph: none of its {} components has a dependency relationship",
                        sbom.components.len()
                    ),
                )
                .at(sbom.root_span, "no `dependencies` in this SBOM")
                .help(help(Code::SbomMissingDependencies)),
            );
        }
        for (code, element) in COMPONENT_ELEMENTS {
            if code == Code::SbomMissingDependencies && !sbom.has_dependencies {
                continue;
            }
            let mut missing = sbom
                .components
                .iter()
                .filter(|c| lacks(code, c, sbom.has_dependencies));
            for c in missing.by_ref().take(MAX_PER_CODE) {
                out.push(
                    Diagnostic::new(code, format!("component `{}` has no {element}", c.label()))
                        .at(c.span, format!("no {element}"))
                        .help(help(code)),
                );
            }
            let rest = missing.count();
            if rest > 0 {
                out.push(
                    Diagnostic::new(
                        code,
                        format!("{rest} more components of this SBOM have no {element}"),
                    )
                    .at(sbom.root_span, "this SBOM")
                    .help("the SBOM's page in the book lists every component with a gap"),
                );
            }
        }
    }
    out
}
