//! Integration tests of the `mdbook-techfile` binary.
//!
//! - `codes`: every diagnostic code has a fixture in `tests/fixtures/<code>` that reports it.
//! - `snapshots`: human and JSON output of `check` for every fixture.
//! - `cli`: exit codes, usage errors, output formats and paths.
//! - `severity`: `[preprocessor.techfile.severity]`.
//! - `e2e`: real `mdbook build` (needs mdbook 0.5 on PATH, or TECHFILE_SKIP_MDBOOK=1).
//! - `links`: the anchors the plugin accepts are the ids in mdBook's HTML; broken links
//!   fail builds; the external-links report.
//! - `scale`: large and hostile inputs.
//! - `bundle`: the compliance bundle (stamps, PDF, trace.json, manifest, verify, rebuilds).
//! - `edge_cases`: line endings, hidden files, folder layouts, ID clashes.
//! - `risk`: the security risk views in a real build, custom scales, the sample file.
//! - `revalidate`: advisories, VEX, the date, the reports, the scheduled job's script.
//! - `sbom`: CycloneDX conformance, hostile SBOM files, the `sbom` command, large SBOMs.
//!
//! Tests marked `#[ignore = "bug: ..."]` state behaviour the plugin does not have yet;
//! run them with `cargo test -p mdbook-techfile --test integration -- --ignored`.

mod bundle;
mod cli;
mod codes;
mod common;
mod e2e;
mod edge_cases;
mod links;
mod revalidate;
mod risk;
mod sample;
mod sbom;
mod scale;
mod severity;
mod snapshots;
