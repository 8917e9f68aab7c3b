//! Snapshots of `check` output for every fixture, human (`--color never`) and JSON Lines.
//! The binary runs inside the fixture folder with the argument `book`, so every path in
//! the output is relative and stable (`requirements/x.md`, `book/book.toml`).
//!
//! Update after an intended change with
//! `INSTA_UPDATE=always cargo test -p mdbook-techfile --test integration snapshots`,
//! then read the changed `.snap` files before committing them.

use crate::common::{
    Run, check_human, check_json, fixture, fixture_names, revalidate, revalidate_today,
};

/// The operating system's text for "folder not found", which the read-error fixture
/// quotes; replaced by a fixed token so the snapshot does not depend on the platform.
fn os_not_found() -> String {
    std::fs::read_dir(fixture("read-error").join("no-such-folder"))
        .expect_err("the read-error fixture's missing folder must stay missing")
        .to_string()
}

fn normalize(text: &str) -> String {
    text.replace(&os_not_found(), "<OS: folder not found>")
}

fn report(command: &str, run: &Run) -> String {
    format!(
        "$ {command}\nexit code: {}\n--- stdout\n{}--- stderr\n{}",
        run.code
            .map_or("none (killed)".to_string(), |c| c.to_string()),
        normalize(&run.stdout),
        normalize(&run.stderr)
    )
}

/// The tool's version, which reports name, replaced so snapshots survive a release.
fn without_version(text: &str) -> String {
    text.replace(
        &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"version\": \"<version>\"",
    )
    .replace(
        &format!("mdbook-techfile {}", env!("CARGO_PKG_VERSION")),
        "mdbook-techfile <version>",
    )
}

fn snapshot_fixture(name: &str) {
    let dir = fixture(name);
    if let Some(today) = revalidate_today(&dir) {
        // The fixture of a time-dependent finding: its reports on the fixed date.
        let markdown = revalidate(&dir, &today, "markdown");
        let json = revalidate(&dir, &today, "json");
        assert_eq!(markdown.code, json.code, "{name}: both formats exit alike");
        insta::with_settings!({
            snapshot_path => "snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => format!("tests/fixtures/{name}"),
        }, {
            insta::assert_snapshot!(
                format!("{name}__revalidate_markdown"),
                without_version(&report(&format!("mdbook-techfile revalidate book --today {today}"), &markdown))
            );
            insta::assert_snapshot!(
                format!("{name}__revalidate_json"),
                without_version(&report(&format!("mdbook-techfile revalidate book --today {today} --format json"), &json))
            );
        });
    }
    let human = check_human(&dir);
    let json = check_json(&dir);
    // Findings go to stdout; stderr is for failures of the tool itself.
    assert_eq!(human.stderr, "", "{name}: unexpected stderr");
    assert_eq!(json.stderr, "", "{name}: unexpected stderr");
    assert_eq!(human.code, json.code, "{name}: both formats exit alike");
    insta::with_settings!({
        snapshot_path => "snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!("tests/fixtures/{name}"),
    }, {
        insta::assert_snapshot!(
            format!("{name}__human"),
            report("mdbook-techfile check book --color never", &human)
        );
        insta::assert_snapshot!(
            format!("{name}__json"),
            report("mdbook-techfile check book --format json", &json)
        );
    });
}

macro_rules! snapshot_tests {
    ($($test:ident => $fixture:literal,)*) => {
        $(
            #[test]
            fn $test() {
                snapshot_fixture($fixture);
            }
        )*

        /// Fixtures that have a snapshot test above.
        const SNAPSHOTTED: &[&str] = &[$($fixture),*];
    };
}

snapshot_tests! {
    clean => "clean",
    clean_links => "clean-links",
    clean_cvss => "clean-cvss",
    config_toml_syntax => "config-toml-syntax",
    config_unknown_key => "config-unknown-key",
    config_wrong_type => "config-wrong-type",
    config_missing_key => "config-missing-key",
    config_invalid_value => "config-invalid-value",
    read_error => "read-error",
    not_utf8 => "not-utf8",
    file_too_large => "file-too-large",
    missing_front_matter => "missing-front-matter",
    unclosed_front_matter => "unclosed-front-matter",
    toml_syntax => "toml-syntax",
    unknown_key => "unknown-key",
    wrong_type => "wrong-type",
    missing_key => "missing-key",
    invalid_value => "invalid-value",
    cvss_not_mapped => "cvss-not-mapped",
    misplaced_key => "misplaced-key",
    duplicate_id => "duplicate-id",
    unknown_id => "unknown-id",
    wrong_link_kind => "wrong-link-kind",
    duplicate_link => "duplicate-link",
    trace_cycle => "trace-cycle",
    link_to_obsolete => "link-to-obsolete",
    requirement_not_implemented => "requirement-not-implemented",
    control_not_verified => "control-not-verified",
    risk_not_mitigated => "risk-not-mitigated",
    practice_not_addressed => "practice-not-addressed",
    test_verifies_nothing => "test-verifies-nothing",
    regulation_not_addressed => "regulation-not-addressed",
    inapplicable_entry_traced => "inapplicable-entry-traced",
    residual_risk_unacceptable => "residual-risk-unacceptable",
    residual_risk_increased => "residual-risk-increased",
    risk_not_verified => "risk-not-verified",
    risk_information_only => "risk-information-only",
    unknown_reference => "unknown-reference",
    unknown_directive => "unknown-directive",
    duplicate_host => "duplicate-host",
    sbom_json_syntax => "sbom-json-syntax",
    sbom_not_cyclonedx => "sbom-not-cyclonedx",
    sbom_unsupported_version => "sbom-unsupported-version",
    sbom_schema => "sbom-schema",
    sbom_duplicate_ref => "sbom-duplicate-ref",
    sbom_missing_supplier => "sbom-missing-supplier",
    sbom_missing_version => "sbom-missing-version",
    sbom_missing_identifier => "sbom-missing-identifier",
    sbom_missing_dependencies => "sbom-missing-dependencies",
    sbom_missing_author => "sbom-missing-author",
    sbom_missing_timestamp => "sbom-missing-timestamp",
    unknown_component => "unknown-component",
    unknown_sbom => "unknown-sbom",
    broken_link => "broken-link",
    broken_anchor => "broken-anchor",
    link_outside_book => "link-outside-book",
    advisory_malformed => "advisory-malformed",
    advisory_file_skipped => "advisory-file-skipped",
    advisory_range_unevaluated => "advisory-range-unevaluated",
    component_version_missing => "component-version-missing",
    component_not_checked => "component-not-checked",
    vulnerable_component => "vulnerable-component",
    vulnerability_affected => "vulnerability-affected",
    advisory_informational => "advisory-informational",
    vulnerability_suspect => "vulnerability-suspect",
    vex_malformed => "vex-malformed",
    vex_incomplete => "vex-incomplete",
    vex_expired => "vex-expired",
    vex_unknown_component => "vex-unknown-component",
    vex_unknown_vulnerability => "vex-unknown-vulnerability",
    clean_advisories => "clean-advisories",
}

#[test]
fn every_fixture_has_a_snapshot_test() {
    let mut listed: Vec<&str> = SNAPSHOTTED.to_vec();
    listed.sort_unstable();
    assert_eq!(
        fixture_names(),
        listed,
        "add the new fixture to `snapshot_tests!` in tests/integration/snapshots.rs"
    );
}

#[test]
fn no_snapshot_is_orphaned() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/integration/snapshots");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for e in entries {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".snap") else {
            continue;
        };
        let fixture = [
            "__revalidate_markdown",
            "__revalidate_json",
            "__human",
            "__json",
        ]
        .iter()
        .find_map(|s| stem.strip_suffix(s))
        .unwrap_or(stem);
        assert!(
            SNAPSHOTTED.contains(&fixture),
            "snapshot {name} belongs to no fixture; delete it"
        );
    }
}
