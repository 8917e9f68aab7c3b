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

mod cli;
mod codes;
mod common;
mod e2e;
mod links;
mod scale;
mod severity;
mod snapshots;
