//! Snapshots of `check` output for every fixture book, human (`--color never`) and JSON
//! Lines. The fixtures are found on disk (every `tests/fixtures/*/book/book.toml`), so a new
//! fixture is snapshotted without being listed anywhere. The binary runs inside the fixture
//! folder with the argument `book`, so every path in the output is relative and stable
//! (`requirements/x.md`, `book/book.toml`).
//!
//! Update after an intended change with
//! `INSTA_UPDATE=always cargo test -p mdbook-techfile --test integration snapshots`,
//! then read the changed `.snap` files before committing them.

use crate::common::{
    Run, check_args, check_human, fixture, fixture_names, fixture_names_runnable, revalidate, run,
    today_of,
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

/// The fixture of a time-dependent finding: its Markdown and JSON revalidation reports on
/// the fixture's date.
fn snapshot_revalidation(name: &str, today: &str) {
    let dir = fixture(name);
    let markdown = revalidate(&dir, today, "markdown");
    let json = revalidate(&dir, today, "json");
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

fn snapshot_fixture(name: &str) {
    let dir = fixture(name);
    if let Some(today) = today_of(&dir) {
        snapshot_revalidation(name, &today);
    }
    let human = check_human(&dir);
    let json_args = check_args(&dir, &["--format", "json"]);
    let json = run(
        &dir,
        &json_args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    // A fixture of a finding that depends on the date is checked on its fixed day.
    let today = today_of(&dir).map_or(String::new(), |t| format!(" --today {t}"));
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
            report(&format!("mdbook-techfile check book --color never{today}"), &human)
        );
        insta::assert_snapshot!(
            format!("{name}__json"),
            report(&format!("mdbook-techfile check book --format json{today}"), &json)
        );
    });
}

/// Every fixture book against its two snapshots. All fixtures are compared before the test
/// fails, and the failure names each fixture whose output changed.
#[test]
fn every_fixture_matches_its_snapshots() {
    let names = fixture_names_runnable();
    assert!(names.len() > 40, "only {} fixtures found", names.len());
    let failed: Vec<String> = names
        .iter()
        .filter(|name| std::panic::catch_unwind(|| snapshot_fixture(name)).is_err())
        .cloned()
        .collect();
    assert!(
        failed.is_empty(),
        "output differs from the snapshots of: {failed:?} (see the diffs above)"
    );
}

#[test]
fn no_snapshot_is_orphaned() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/integration/snapshots");
    let fixtures = fixture_names();
    let entries = std::fs::read_dir(&dir).expect("the snapshot folder exists");
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
            fixtures.iter().any(|f| f == fixture),
            "snapshot {name} belongs to no fixture; delete it"
        );
    }
}
