//! Integration tests of the `mdbook-techfile` binary, on one harness (`common`): fixture
//! books copied into temporary folders and changed with a builder, `check` with parsed
//! findings, real `mdbook build` runs with the findings they print, and `require!` for the
//! tools a test needs. Without a tool the test fails; outside CI (`CI` unset) the
//! `TECHFILE_SKIP_MDBOOK`, `TECHFILE_SKIP_BROWSER`, `TECHFILE_SKIP_GRAPHVIZ` and
//! `TECHFILE_SKIP_SHARED` variables turn that into a skip with a printed note. `scripts/test.sh` and `.ci/run` set `CI=true`.
//!
//! - `agreement`: `check` and a real `mdbook build` report the same findings for every
//!   fixture.
//! - `architecture`: ARCHITECTURE.md names every direct dependency in its crates table.
//! - `codes`: every diagnostic code has a fixture in `tests/fixtures/<code>` that reports it.
//! - `snapshots`: human and JSON output of `check` for every fixture book found on disk.
//! - `cli`: exit codes, usage errors, output formats and paths.
//! - `severity`: `[preprocessor.techfile.severity]`.
//! - `e2e`: real `mdbook build` (needs mdbook 0.5 on PATH).
//! - `links`: the anchors the plugin accepts are the ids in mdBook's HTML; broken links
//!   fail builds; the external-links report.
//! - `scale`: large and hostile inputs.
//! - `bundle`: the compliance bundle (stamps, PDF, trace.json, manifest, verify, rebuilds).
//! - `pdf`: the sample's PDF (outline, cover, contents, register columns, margins) and
//!   HTML (table widths at 1,280 and 800 px, colours in every theme), read with qpdf,
//!   poppler-utils and headless Chromium.
//! - `edge_cases`: line endings, hidden files, folder layouts, ID clashes.
//! - `firstuse`: `init` and a build of what it writes, the `catalog` command, drafts and
//!   `check --gaps`, procedures, root causes first, `exclude`, links to item files, the
//!   stamp's date and uncommitted changes, `mdbook serve` beside a released bundle.
//! - `lifecycle`: support lifecycle, review dates, test evidence (`evidence --update`, a
//!   50 MB file) and release consistency; the support addendum and evidence in the bundle.
//! - `includes`: included text is read as mdBook includes it, in either preprocessor order.
//! - `risk`: the security risk views in a real build, custom scales, the sample file.
//! - `revalidate`: advisories, VEX, the date, the reports, the scheduled job's script.
//! - `review`: the `review` command, suspect links, `--explain-suspect` and independent
//!   reviews on scratch git repositories, the review views.
//! - `sbom`: CycloneDX conformance, hostile SBOM files, the `sbom` command, large SBOMs.
//! - `diff`: `diff` on scratch git repositories, SARIF / GitHub / GitLab output, the CI script.
//! - `threat`: the threat model: views and diagrams in a real build, trace.json, bad input,
//!   layout failures, the Threat Dragon import.
//!
//! Tests marked `#[ignore = "bug: ..."]` state behaviour the plugin does not have yet;
//! run them with `cargo test -p mdbook-techfile --test integration -- --ignored`.

mod agreement;
mod architecture;
mod bundle;
mod cli;
mod codes;
mod common;
mod diff;
mod e2e;
mod edge_cases;
mod firstuse;
mod includes;
mod lifecycle;
mod links;
mod pdf;
mod revalidate;
mod review;
mod risk;
mod sample;
mod sbom;
mod scale;
mod severity;
mod snapshots;
mod threat;
