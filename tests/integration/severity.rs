//! `[preprocessor.techfile.severity]`: lowering, raising and hiding codes, and the
//! codes that cannot be lowered.

use crate::common::{Book, snapshot_text};
use mdbook_techfile::core::diag::Code;

fn with_severity(fixture: &str, table: &str) -> Book {
    Book::fixture(fixture).severity(table)
}

#[test]
fn warn_turns_an_error_into_a_passing_warning() {
    let dir = with_severity("control-not-verified", "control-not-verified = \"warn\"");
    let r = dir.check_human();
    r.expect_code(0);
    assert!(
        r.stdout.contains("warning[control-not-verified]"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("error["), "{}", r.stdout);
    assert!(
        r.stdout.ends_with("techfile: 0 errors, 1 warning\n"),
        "{}",
        r.stdout
    );
    let j = dir.check();
    j.expect_code(0);
    let v = &j.findings;
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["severity"], "warning");
}

#[test]
fn allow_hides_the_finding() {
    let dir = with_severity("control-not-verified", "control-not-verified = \"allow\"");
    let r = dir.check_human();
    r.expect_code(0);
    assert_eq!(r.stdout, "techfile: no findings\n");
    assert_eq!(dir.check().stdout, "");
}

#[test]
fn allow_hides_only_the_named_code() {
    let dir = with_severity("wrong-type", "control-not-verified = \"allow\"");
    let r = dir.check();
    r.expect_code(1);
    assert!(r.codes().contains(&"wrong-type"));
}

#[test]
fn deny_turns_a_warning_into_an_error() {
    let dir = with_severity("duplicate-link", "duplicate-link = \"deny\"");
    let r = dir.check_human();
    r.expect_code(1);
    assert!(r.stdout.contains("error[duplicate-link]"), "{}", r.stdout);
    assert!(!r.stdout.contains("warning["), "{}", r.stdout);
}

#[test]
fn practice_gaps_can_be_downgraded() {
    let dir = with_severity(
        "practice-not-addressed",
        "practice-not-addressed = \"warn\"",
    );
    let r = dir.check();
    r.expect_code(0);
    let v = &r.findings;
    assert!(!v.is_empty());
    assert!(
        v.iter()
            .all(|f| f["severity"] == "warning" && f["code"] == "practice-not-addressed")
    );
}

#[test]
fn unknown_code_name_exits_2_naming_it() {
    let dir = with_severity("control-not-verified", "control-not-verifed = \"warn\"");
    let r = dir.check_human();
    r.expect_code(2);
    // A configuration finding, printed like the others (on stdout), at the key in book.toml.
    assert!(r.stdout.contains("[config-unknown-key]"), "{}", r.stdout);
    assert!(r.stdout.contains("`control-not-verifed`"), "{}", r.stdout);
    assert!(r.stdout.contains("book/book.toml:"), "{}", r.stdout);
    assert!(
        r.stdout.contains("`control-not-verified`"),
        "the suggestion: {}",
        r.stdout
    );
    snapshot_text("severity_unknown_code", &r.stdout);
    assert_eq!(r.stderr, "");

    let dir = with_severity("clean", "no-such-code = \"allow\"");
    let r = dir.check();
    r.expect_code(2);
    assert_eq!(r.codes(), ["config-unknown-key"], "{}", r.stdout);
    assert!(r.stdout.contains("no-such-code"), "{}", r.stdout);
}

#[test]
fn unknown_level_exits_2() {
    let dir = with_severity("clean", "unknown-id = \"sometimes\"");
    let r = dir.check_human();
    r.expect_code(2);
    assert!(r.stdout.contains("[config-invalid-value]"), "{}", r.stdout);
    assert!(r.stdout.contains("`sometimes`"), "{}", r.stdout);
    assert!(r.stdout.contains("`deny`, `warn`, `allow`"), "{}", r.stdout);
}

#[test]
fn toml_syntax_cannot_be_allowed() {
    let dir = with_severity("toml-syntax", "toml-syntax = \"allow\"");
    let r = dir.check_human();
    r.expect_code(2);
    assert!(r.stdout.contains("`toml-syntax`"), "{}", r.stdout);
    snapshot_text("severity_fixed_code", &r.stdout);
    assert_eq!(r.stderr, "");
}

#[test]
fn no_fixed_code_can_be_lowered_but_all_can_be_denied() {
    for code in Code::ALL.iter().filter(|c| c.is_fixed()) {
        for level in ["warn", "allow"] {
            let dir = with_severity("clean", &format!("{} = \"{level}\"", code.as_str()));
            let r = dir.check_human();
            assert_eq!(r.code, Some(2), "{} = {level}: {}", code.as_str(), r.stdout);
            assert!(
                r.stdout
                    .contains(&format!("`{}` is always an error", code.as_str())),
                "{}",
                r.stdout
            );
        }
    }
    // `deny` is always accepted, fixed or not.
    let all: String = Code::ALL
        .iter()
        .map(|c| format!("{} = \"deny\"\n", c.as_str()))
        .collect();
    let dir = with_severity("clean", &all);
    dir.check_human().expect_code(0);
}

#[test]
fn every_configurable_code_accepts_every_level() {
    let configurable: Vec<&Code> = Code::ALL.iter().filter(|c| !c.is_fixed()).collect();
    assert!(!configurable.is_empty());
    for level in ["warn", "allow"] {
        let table: String = configurable
            .iter()
            .map(|c| format!("{} = \"{level}\"\n", c.as_str()))
            .collect();
        // With every configurable code lowered, a fixture holding only such findings passes.
        let dir = with_severity("unknown-directive", &table);
        let r = dir.check_human();
        r.expect_code(0);
        if level == "allow" {
            assert_eq!(r.stdout, "techfile: no findings\n");
        } else {
            assert!(
                r.stdout.contains("warning[unknown-directive]"),
                "{}",
                r.stdout
            );
        }
    }
}

#[test]
fn ntia_gaps_are_warnings_that_a_book_can_deny_or_allow() {
    let dir = with_severity("sbom-missing-supplier", "sbom-missing-supplier = \"deny\"");
    let r = dir.check_human();
    r.expect_code(1);
    assert!(
        r.stdout.contains("error[sbom-missing-supplier]"),
        "{}",
        r.stdout
    );

    let dir = with_severity("sbom-missing-supplier", "sbom-missing-supplier = \"allow\"");
    let r = dir.check_human();
    r.expect_code(0);
    assert_eq!(r.stdout, "techfile: no findings\n");
}
