//! The command line: exit codes, usage errors, output formats and paths.

use crate::common::{
    Book, check, check_human, fixture, fixture_names, fixtures_dir, is_clean_fixture, run,
    run_with_stdin,
};
use std::path::Path;

#[test]
fn clean_book_exits_0_with_no_findings() {
    let dir = fixture("clean");
    let human = check_human(&dir);
    human.expect_code(0);
    assert_eq!(human.stdout, "techfile: no findings\n");
    assert_eq!(human.stderr, "");
    let json = check(&dir);
    json.expect_code(0);
    assert_eq!(json.stdout, "", "clean JSON output has no lines");
}

#[test]
fn every_error_fixture_exits_1_and_configuration_errors_exit_2() {
    for name in fixture_names() {
        // `clean` and `clean-*` fixtures have no findings.
        if is_clean_fixture(&name) {
            continue;
        }
        let run = check_human(&fixture(&name));
        let has_error = run.stdout.lines().any(|l| l.starts_with("error["));
        let has_warning = run.stdout.lines().any(|l| l.starts_with("warning["));
        let config_error = run.stdout.lines().any(|l| l.starts_with("error[config-"));
        assert!(
            has_error || has_warning,
            "{name}: no findings\n{}",
            run.stdout
        );
        let expected = match (config_error, has_error) {
            (true, _) => 2,
            (false, true) => 1,
            (false, false) => 0,
        };
        assert_eq!(run.code, Some(expected), "{name}\n{}", run.stdout);
        let last = run.stdout.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("techfile: ") && last.contains(" error") && last.contains(" warning"),
            "{name}: the output ends with the summary line, got {last:?}"
        );
    }
}

#[test]
fn check_without_a_book_dir_is_a_usage_error() {
    let r = run(&fixtures_dir(), &["check"]);
    r.expect_code(2);
    assert!(r.stderr.contains("Usage"), "{}", r.stderr);
    assert!(r.stderr.contains("BOOK_DIR"), "{}", r.stderr);
    assert_eq!(r.stdout, "", "usage errors never reach stdout");
}

#[test]
fn unknown_flags_and_values_are_usage_errors() {
    let dir = fixture("clean");
    for args in [
        &["check", "book", "--frobnicate"][..],
        &["check", "book", "--format", "xml"][..],
        &["check", "book", "--color", "sometimes"][..],
        &["frobnicate"][..],
    ] {
        let r = run(&dir, args);
        r.expect_code(2);
        assert!(r.stderr.contains("error:"), "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{args:?}");
    }
}

#[test]
fn help_and_version_exit_0() {
    let dir = fixture("clean");
    let r = run(&dir, &["--help"]);
    r.expect_code(0);
    assert!(r.stdout.contains("check"), "{}", r.stdout);
    let r = run(&dir, &["--version"]);
    r.expect_code(0);
    assert!(r.stdout.contains(env!("CARGO_PKG_VERSION")), "{}", r.stdout);
}

#[test]
fn supports_every_renderer() {
    let dir = fixture("clean");
    run(&dir, &["supports", "html"]).expect_code(0);
    run(&dir, &["supports", "markdown"]).expect_code(0);
    // The renderer name is required.
    run(&dir, &["supports"]).expect_code(2);
}

#[test]
fn folder_without_book_toml_exits_2_with_a_message() {
    let empty = tempfile::tempdir().unwrap();
    let r = run(empty.path(), &["check", "."]);
    r.expect_code(2);
    assert!(r.stderr.contains("has no book.toml"), "{}", r.stderr);
    assert_eq!(r.stdout, "");

    let r = run(empty.path(), &["check", "does-not-exist"]);
    r.expect_code(2);
    assert!(r.stderr.contains("does-not-exist"), "{}", r.stderr);
    assert!(r.stderr.contains("has no book.toml"), "{}", r.stderr);
}

#[test]
fn missing_summary_exits_2_naming_the_file() {
    let book = Book::fixture("clean").remove("book/src/SUMMARY.md");
    let r = book.check_human();
    r.expect_code(2);
    assert!(r.stderr.contains("SUMMARY.md"), "{}", r.stderr);
}

#[test]
fn invalid_configuration_exits_2_naming_the_problem() {
    for (toml, needle) in [
        (
            "[preprocessor.techfile.coverage]\nrequirment = false\n",
            "error[config-unknown-key]: unknown key `requirment` in [preprocessor.techfile.coverage]",
        ),
        (
            "[preprocessor.techfile.coverage]\ncontrol = \"yes\"\n",
            "error[config-wrong-type]: `coverage.control` must be a boolean, found a string",
        ),
    ] {
        let r = Book::fixture("clean").toml(toml).check_human();
        r.expect_code(2);
        assert!(r.stdout.contains(needle), "{toml}: {}", r.stdout);
        assert_eq!(r.stderr, "", "{toml}");
    }
    // Keys of [preprocessor.techfile] itself, written into the existing table.
    for (line, needle) in [
        ("itemz = [\"../requirements\"]", "unknown key `itemz`"),
        ("items = []", "`items` lists no folder"),
        (
            "pages-dir = \"../outside\"",
            "is not a folder inside the book",
        ),
        (
            "max-file-size = \"big\"",
            "`max-file-size` must be a whole number",
        ),
    ] {
        let r = Book::fixture("clean").config(line).check_human();
        r.expect_code(2);
        assert!(r.stdout.contains(needle), "{line}: {}", r.stdout);
        // The finding names the line the key is on: the one after the table header.
        assert!(
            r.stdout.contains("book/book.toml:6:"),
            "{line}: {}",
            r.stdout
        );
    }
}

/// Every error of the configuration at once, each at its line, in both formats; the
/// findings are the same whichever format prints them.
#[test]
fn every_configuration_error_is_reported_at_once() {
    let book = Book::fixture("clean").toml(
        "pages-title = 3\n\n[preprocessor.techfile.coverage]\nrequirment = false\n\n[preprocessor.techfile.bundle]\npdf = \"no\"\n",
    );
    let human = book.check_human();
    human.expect_code(2);
    assert!(
        human.stdout.ends_with("techfile: 4 errors, 0 warnings\n"),
        "{}",
        human.stdout
    );
    let json = book.check();
    json.expect_code(2);
    let places: Vec<(String, u64, u64)> = json
        .findings
        .iter()
        .map(|v| {
            assert_eq!(v["file"], "book/book.toml");
            (
                v["code"].as_str().unwrap().to_owned(),
                v["line"].as_u64().unwrap(),
                v["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            ("config-wrong-type".to_string(), 7, 15),
            ("config-unknown-key".to_string(), 10, 1),
            ("config-missing-key".to_string(), 12, 1),
            ("config-wrong-type".to_string(), 13, 7),
        ]
    );
}

/// The folders and patterns the configuration names are checked in the same round as its
/// keys: a misspelt item folder and an invalid `exclude` pattern are reported beside an
/// unknown key, a wrong type and a bad date, in one run.
#[test]
fn folder_and_pattern_errors_come_with_the_other_configuration_errors() {
    let book = Book::fixture("clean")
        .config("items = [\"../requirments\"]\nexclude = [\"[z-a]\"]\npages-title = 3\ncolour = true")
        .toml("[preprocessor.techfile.bundle]\nversion = \"1.0\"\n\n[[preprocessor.techfile.bundle.approval]]\nrole = \"Author\"\ndate = \"30.11.2026\"\n");
    let json = book.check();
    json.expect_code(2);
    let found: Vec<(String, String)> = json
        .findings
        .iter()
        .map(|v| {
            assert_eq!(v["file"], "book/book.toml");
            let line = v["line"].as_u64().unwrap() as usize;
            let text = book.read("book/book.toml");
            (
                v["code"].as_str().unwrap().to_owned(),
                text.lines().nth(line - 1).unwrap().to_owned(),
            )
        })
        .collect();
    let want = [
        ("config-invalid-value", "items = [\"../requirments\"]"),
        ("config-invalid-value", "exclude = [\"[z-a]\"]"),
        ("config-wrong-type", "pages-title = 3"),
        ("config-unknown-key", "colour = true"),
        ("config-invalid-value", "date = \"30.11.2026\""),
    ];
    assert_eq!(
        found,
        want.map(|(c, l)| (c.to_string(), l.to_string())).to_vec(),
        "{}",
        json.stdout
    );
    let folder = &json.findings[0];
    assert!(
        folder["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `../requirements`?"),
        "{folder}"
    );

    // With an `items` value that is not valid, the default folder is not checked as if it
    // had been written: the one finding is about the value.
    let book = Book::fixture("clean").config("items = \"../requirments\"");
    let json = book.check();
    json.expect_code(2);
    assert_eq!(json.codes(), ["config-wrong-type"], "{}", json.stdout);
}

/// mdBook's `MDBOOK_...` overrides of the tool's keys apply; a bad value is reported at the
/// variable, and mdBook's own keys are left to mdBook.
#[test]
fn environment_overrides_are_applied_and_named_in_findings() {
    let dir = fixture("clean");
    let r = crate::common::command(&dir)
        .args(["check", "book", "--color", "never"])
        .env("MDBOOK_PREPROCESSOR__TECHFILE__COVERAGE__CONTROL", "yes")
        .env("MDBOOK_PREPROCESSOR__TECHFILE__COMMAND", "anything")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    let stdout = String::from_utf8(r.stdout).unwrap();
    assert!(
        stdout.contains(
            "error[config-wrong-type]: `coverage.control` must be a boolean, found a string"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("┌─ environment:1:50"), "{stdout}");
    assert!(
        stdout.contains("MDBOOK_PREPROCESSOR__TECHFILE__COVERAGE__CONTROL=yes"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("techfile: 1 error, 0 warnings\n"),
        "{stdout}"
    );

    // A valid override changes the check and is noted.
    let r = crate::common::command(&fixture("control-not-verified"))
        .args(["check", "book", "--color", "never"])
        .env("MDBOOK_PREPROCESSOR__TECHFILE__COVERAGE__CONTROL", "false")
        .output()
        .unwrap();
    let stdout = String::from_utf8(r.stdout).unwrap();
    assert_eq!(r.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.starts_with("techfile: note: the environment variable MDBOOK_PREPROCESSOR__TECHFILE__COVERAGE__CONTROL overrides `coverage.control` of [preprocessor.techfile] in book.toml\n"),
        "{stdout}"
    );
}

/// A book.toml that is not TOML is one finding at the error, not mdBook's message.
#[test]
fn a_book_toml_syntax_error_is_a_finding() {
    let r = Book::fixture("clean")
        .toml("[preprocessor.techfile.risk\n")
        .check();
    r.expect_code(2);
    let v = &r.findings;
    assert_eq!(v.len(), 1, "{}", r.stdout);
    assert_eq!(v[0]["code"], "config-toml-syntax");
    assert_eq!(v[0]["line"], 7);
}

#[test]
fn preprocessor_mode_rejects_garbage_on_stdin() {
    let r = run_with_stdin(&fixture("clean"), &[], b"this is not JSON");
    r.expect_code(2);
    assert_eq!(r.stdout, "", "stdout belongs to the mdBook protocol");
    assert!(
        r.stderr.contains("check"),
        "the message points at `check`: {}",
        r.stderr
    );
}

#[test]
fn json_lines_have_the_documented_keys() {
    for name in fixture_names() {
        let r = check(&fixture(&name));
        for v in &r.findings {
            for key in ["code", "severity", "message", "file", "line", "column"] {
                assert!(v.get(key).is_some(), "{name}: `{key}` missing in {v}");
            }
            assert!(
                v["code"].is_string() && v["message"].is_string(),
                "{name}: {v}"
            );
            assert!(
                v["severity"] == "error" || v["severity"] == "warning",
                "{name}: {v}"
            );
            // Every fixture finding has a location.
            assert!(v["file"].is_string(), "{name}: {v}");
            assert!(v["line"].as_u64().is_some_and(|n| n >= 1), "{name}: {v}");
            assert!(v["column"].as_u64().is_some_and(|n| n >= 1), "{name}: {v}");
        }
    }
}

/// The character at a 1-based line and column, if that position exists in the file
/// (one past the end of a line is allowed: it stands for the line break).
fn position_exists(text: &str, line: u64, column: u64) -> bool {
    let Some(l) = text.split('\n').nth(line as usize - 1) else {
        return false;
    };
    column as usize <= l.chars().count() + 1
}

/// Every location in the JSON output names a real file (relative to where the tool ran)
/// and a line and column inside it; the human output shows the same `file:line:col`.
#[test]
fn locations_point_into_real_files_and_agree_between_formats() {
    for name in fixture_names() {
        let dir = fixture(&name);
        let json = check(&dir);
        let human = check_human(&dir);
        for v in &json.findings {
            let file = v["file"].as_str().unwrap();
            let (line, col) = (v["line"].as_u64().unwrap(), v["column"].as_u64().unwrap());
            let header = format!(
                "{}[{}]: {}",
                v["severity"].as_str().unwrap(),
                v["code"].as_str().unwrap(),
                v["message"].as_str().unwrap()
            );
            assert!(
                human.stdout.contains(&header),
                "{name}: human output lacks {header}"
            );
            assert!(
                human.stdout.contains(&format!("{file}:{line}:{col}")),
                "{name}: human output lacks {file}:{line}:{col}"
            );
            if name == "read-error" && v["code"] == "read-error" {
                continue; // the point of that finding is that the folder does not exist
            }
            let path = dir.join(file);
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {file}: {e}"));
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                position_exists(&text, line, col),
                "{name}: {file}:{line}:{col} is outside the file"
            );
            if let (Some(el), Some(ec)) = (v["end_line"].as_u64(), v["end_column"].as_u64()) {
                assert!(
                    (el, ec) >= (line, col),
                    "{name}: span ends before it starts: {v}"
                );
                assert!(
                    position_exists(&text, el, ec),
                    "{name}: {file}:{el}:{ec} is outside the file"
                );
            }
            for rel in v["related"].as_array().into_iter().flatten() {
                let rf = rel["file"].as_str().unwrap();
                let rt = std::fs::read_to_string(dir.join(rf)).unwrap();
                let (rl, rc) = (
                    rel["line"].as_u64().unwrap(),
                    rel["column"].as_u64().unwrap(),
                );
                assert!(
                    position_exists(&rt, rl, rc),
                    "{name}: related {rf}:{rl}:{rc}"
                );
                // A related place in the primary's file is quoted under the same header, with
                // its line number in the gutter instead of a `file:line:col` of its own.
                let shown = if rf == file {
                    human.stdout.contains(&format!("\n{rl} │"))
                        || human.stdout.contains(&format!(" {rl} │"))
                } else {
                    human.stdout.contains(&format!("{rf}:{rl}:{rc}"))
                };
                assert!(shown, "{name}: {rf}:{rl}:{rc}");
            }
        }
    }
}

/// Spans of trace-link findings cover exactly the quoted ID in the file.
#[test]
fn link_spans_cover_the_quoted_id() {
    let dir = fixture("unknown-id");
    let r = check(&dir);
    assert_eq!(r.findings.len(), 3, "{}", r.stdout);
    for v in &r.findings {
        let text = std::fs::read_to_string(dir.join(v["file"].as_str().unwrap())).unwrap();
        let line = text
            .lines()
            .nth(v["line"].as_u64().unwrap() as usize - 1)
            .unwrap();
        let chars: Vec<char> = line.chars().collect();
        let (c0, c1) = (
            v["column"].as_u64().unwrap() as usize - 1,
            v["end_column"].as_u64().unwrap() as usize - 1,
        );
        let covered: String = chars[c0..c1].iter().collect();
        let message = v["message"].as_str().unwrap();
        let id = covered.trim_matches('"');
        assert!(
            covered.starts_with('"') && covered.ends_with('"'),
            "{covered}"
        );
        assert!(
            message.ends_with(&format!("unknown ID `{id}`")),
            "{message} vs {covered}"
        );
    }
}

#[test]
fn paths_are_relative_to_where_the_tool_runs() {
    // From the fixtures folder, the same findings name `unknown-id/requirements/...`.
    let r = crate::common::Checked::from(run(
        &fixtures_dir(),
        &["check", "unknown-id/book", "--format", "json"],
    ));
    r.expect_code(1);
    let files: Vec<String> = r
        .findings
        .iter()
        .map(|v| v["file"].as_str().unwrap().to_owned())
        .collect();
    assert!(!files.is_empty());
    for f in &files {
        assert!(f.starts_with("unknown-id/requirements/"), "{f}");
    }
    // From inside the book folder, items are one level up.
    let r = crate::common::Checked::from(run(
        &fixture("unknown-id").join("book"),
        &["check", ".", "--format", "json"],
    ));
    r.expect_code(1);
    for v in &r.findings {
        assert!(
            v["file"].as_str().unwrap().starts_with("../requirements/"),
            "{v}"
        );
    }
    // An absolute book path works the same way.
    let abs = fixture("unknown-id").join("book").canonicalize().unwrap();
    let r = run(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["check", abs.to_str().unwrap()],
    );
    r.expect_code(1);
    assert!(r.stdout.contains("error[unknown-id]"), "{}", r.stdout);
}

#[test]
fn colour_is_opt_in() {
    let dir = fixture("unknown-id");
    let never = check_human(&dir);
    assert!(
        !never.stdout.contains('\u{1b}'),
        "--color never has no escapes"
    );
    let always = run(&dir, &["check", "book", "--color", "always"]);
    always.expect_code(1);
    assert!(
        always.stdout.contains("\u{1b}["),
        "--color always has ANSI escapes"
    );
    // `auto` with stdout piped (not a terminal) means no colour.
    let auto = run(&dir, &["check", "book"]);
    assert_eq!(auto.stdout, never.stdout);
    // JSON never carries colour.
    let json = run(
        &dir,
        &["check", "book", "--format", "json", "--color", "always"],
    );
    assert!(!json.stdout.contains('\u{1b}'));
}

#[test]
fn output_is_identical_across_runs() {
    for name in ["duplicate-id", "trace-cycle", "practice-not-addressed"] {
        let a = check(&fixture(name));
        let b = check(&fixture(name));
        assert_eq!(a.stdout, b.stdout, "{name}");
    }
}
