//! Release consistency: the product versions the technical file speaks of must be the
//! release it assesses. Each SBOM's product (`metadata.component.version`) must match its
//! pattern in `[preprocessor.techfile.release]`, and each test's version (its `version`,
//! or the version property of its JUnit suites) one of the `tests` patterns; `{version}`
//! stands for the bundle's version.

use crate::config::ReleaseConfig;
use crate::diag::{Code, Diagnostic};
use crate::evidence::Evidence;
use crate::model::{Item, Kind, SourceMap, Span, Status};
use crate::sbom::{SbomSet, locate};

/// Every disagreement with the release `version`.
pub(crate) fn check(
    release: &ReleaseConfig,
    version: &str,
    sboms: &SbomSet,
    map: &SourceMap,
    items: &[Item],
    evidence: &Evidence,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for sbom in &sboms.sboms {
        let pattern = release.sbom_pattern(&sbom.key);
        let expected = pattern.resolved(version);
        let Some(primary) = sbom.primary.map(|p| &sbom.components[p]) else {
            out.push(
                Diagnostic::new(
                    Code::ReleaseMismatch,
                    format!("SBOM `{}` names no product (`metadata.component`), so its version cannot be compared with the release", sbom.key),
                )
                .at(sbom.metadata_span, "no `metadata.component`")
                .with_label(pattern.span, format!("the release expects `{expected}`"))
                .help("regenerate the SBOM with the product as `metadata.component`, including its `version`"),
            );
            continue;
        };
        let text = map.text(sbom.file);
        let at = locate::pointer(text, "/metadata/component/version")
            .map_or(primary.span, |r| Span::new(sbom.file, r));
        match &primary.version {
            Some(v) if pattern.matches(v, version) => {}
            Some(v) => out.push(
                Diagnostic::new(
                    Code::ReleaseMismatch,
                    format!(
                        "SBOM `{}` is of {} {v}, not of the release assessed ({expected})",
                        sbom.key, primary.name
                    ),
                )
                .at(at, "this product version")
                .with_label(pattern.span, format!("the release expects `{expected}`"))
                .help(format!("ship the SBOM of the release assessed, or correct the release: `sboms.\"{}\"` (or `sbom`) in [preprocessor.techfile.release]", sbom.key)),
            ),
            None => out.push(
                Diagnostic::new(
                    Code::ReleaseMismatch,
                    format!("SBOM `{}` does not say which version of {} it describes", sbom.key, primary.name),
                )
                .at(at, "no `version`")
                .with_label(pattern.span, format!("the release expects `{expected}`"))
                .help("regenerate the SBOM with `metadata.component.version` set"),
            ),
        }
    }
    let allowed: Vec<String> = release
        .tests
        .iter()
        .map(|p| format!("`{}`", p.resolved(version)))
        .collect();
    let fits = |v: &str| release.tests.iter().any(|p| p.matches(v, version));
    let mismatch = |what: String, at: Span| {
        Diagnostic::new(Code::ReleaseMismatch, what)
            .at(at, "this version")
            .with_label(release.tests[0].span, format!("the release allows {}", allowed.join(", ")))
            .help("run the test on the release assessed and record it, or add the version to `tests` in [preprocessor.techfile.release] if that build is part of the release")
    };
    for (index, item) in items.iter().enumerate() {
        if item.kind != Kind::Test || item.status == Status::Obsolete {
            continue;
        }
        if let (Some(v), Some(span)) = (&item.version, item.spans.version)
            && !fits(v)
        {
            out.push(mismatch(
                format!(
                    "test {} ran on version {v}, which is not the release assessed",
                    item.id
                ),
                span,
            ));
        }
        for (v, span) in evidence
            .junit
            .get(&index)
            .map(|j| j.versions.as_slice())
            .unwrap_or_default()
        {
            if !fits(v) {
                out.push(mismatch(
                    format!("the JUnit report of test {} ran on version {v} (property `{}`), which is not the release assessed", item.id, release.junit_property),
                    *span,
                ));
            }
        }
    }
    out
}
