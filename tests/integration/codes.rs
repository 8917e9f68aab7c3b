//! Every diagnostic code has a fixture folder named after it, and checking that fixture
//! reports the code. A new code without a fixture fails here.

use crate::common::{
    check, fixture, fixture_findings, fixture_names, fixture_names_runnable, is_clean_fixture,
};
use mdbook_techfile::core::diag::{Code, Level};

#[test]
fn every_code_has_a_fixture_that_reports_it() {
    let mut problems = Vec::new();
    for code in Code::ALL {
        let name = code.as_str();
        let dir = fixture(name);
        if !dir.join("book/book.toml").is_file() {
            problems.push(format!(
                "{name}: no fixture: create tests/fixtures/{name}/book/book.toml (and items) that trigger it"
            ));
            continue;
        }
        let run = fixture_findings(&dir);
        let own = run.with_code(name);
        if own.is_empty() {
            problems.push(format!(
                "{name}: `check` on tests/fixtures/{name} does not report it; it reports {:?}",
                run.codes()
            ));
            continue;
        }
        // The finding comes at the code's default level, and the exit code follows it.
        let expected_severity = match code.default_level() {
            Level::Warn => "warning",
            _ => "error",
        };
        for v in &own {
            if v["severity"] != expected_severity {
                problems.push(format!(
                    "{name}: reported as {} instead of its default {expected_severity}",
                    v["severity"]
                ));
            }
        }
        let any_error = run.findings.iter().any(|v| v["severity"] == "error");
        // A configuration error is a usage error: the check never reached the book.
        let config = code.family() == "config";
        let expected_exit = match (config, any_error) {
            (true, _) => 2,
            (false, true) => 1,
            (false, false) => 0,
        };
        if run.code != Some(expected_exit) {
            problems.push(format!(
                "{name}: exit code {:?}, expected {expected_exit}; stderr: {}",
                run.code, run.stderr
            ));
        }
        if code.default_level() == Level::Deny && !matches!(run.code, Some(1 | 2)) {
            problems.push(format!("{name}: an error-level code must fail the check"));
        }
        if config
            && let Some(other) = run.findings.iter().find(|v| {
                !v["code"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("config-")
            })
        {
            problems.push(format!(
                "{name}: a configuration error stops the check, yet it reports {other}"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_fixture_is_named_after_a_code_or_is_clean() {
    let stray: Vec<String> = fixture_names()
        .into_iter()
        .filter(|n| !is_clean_fixture(n) && Code::parse(n).is_none())
        .collect();
    assert!(
        stray.is_empty(),
        "fixture folders that name no diagnostic code (renamed or removed code?): {stray:?}"
    );
}

/// A folder under tests/fixtures is a book (it has `book/book.toml`) or data another test
/// reads; a folder that is neither is a fixture someone forgot to finish.
#[test]
fn every_fixture_folder_is_a_book_or_known_data() {
    const DATA: &[&str] = &["sbom-vectors", "advisories"];
    let books = fixture_names();
    let mut stray = Vec::new();
    for e in std::fs::read_dir(crate::common::fixtures_dir()).expect("tests/fixtures") {
        let e = e.expect("entry");
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_dir() && !books.contains(&name) && !DATA.contains(&name.as_str()) {
            stray.push(name);
        }
    }
    assert!(
        stray.is_empty(),
        "folders without book/book.toml: {stray:?}"
    );
}

/// The warning-level fixtures hold nothing but warnings, so they show that warnings alone
/// never fail a check.
#[test]
fn warning_fixtures_pass_the_check() {
    for code in Code::ALL
        .iter()
        .filter(|c| c.default_level() == Level::Warn)
    {
        let run = fixture_findings(&fixture(code.as_str()));
        assert!(!run.findings.is_empty(), "{}: no findings", code.as_str());
        assert!(
            run.findings.iter().all(|v| v["severity"] == "warning"),
            "{}: {:?}",
            code.as_str(),
            run.findings
        );
        run.expect_code(0);
    }
}

#[test]
fn clean_fixtures_have_no_findings() {
    let names: Vec<String> = fixture_names_runnable()
        .into_iter()
        .filter(|n| is_clean_fixture(n))
        .collect();
    assert!(names.len() >= 2, "{names:?}");
    for name in names {
        let run = check(&fixture(&name));
        assert_eq!(run.stdout, "", "{name}: findings in a clean fixture");
        run.expect_code(0);
    }
}
