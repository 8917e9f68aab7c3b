//! Integration tests of the `mdbook-techfile` binary.
//!
//! - `codes`: every diagnostic code has a fixture in `tests/fixtures/<code>` that reports it.
//! - `snapshots`: human and JSON output of `check` for every fixture.
//! - `cli`: exit codes, usage errors, output formats and paths.
//! - `severity`: `[preprocessor.techfile.severity]`.
//! - `e2e`: real `mdbook build` (needs mdbook 0.5 on PATH, or TECHFILE_SKIP_MDBOOK=1).
//! - `scale`: large and hostile inputs.
//! - `sbom`: CycloneDX conformance, hostile SBOM files, the `sbom` command, large SBOMs.

mod cli;
mod codes;
mod common;
mod e2e;
mod sbom;
mod scale;
mod severity;
mod snapshots;
