//! Support lifecycle, review dates, test evidence and release consistency, end to end:
//! `evidence --update`, large evidence files, `check --today`, the support addendum and
//! the evidence in the document control and the bundle.

use crate::common::{Book, require, sha2_hex};
use std::fs;

/// The day every date-dependent test here is judged on.
const TODAY: &str = "2026-11-29";

#[test]
fn evidence_update_records_hashes_and_changes_nothing_else() {
    let book = Book::fixture("evidence-changed");
    let before = book.read("requirements/TST-1.md");
    book.check().expect_code(1);
    let run = book.run(&["evidence", "--update", "TST-1", "--book", "book"]);
    run.expect_code(0);
    let after = book.read("requirements/TST-1.md");
    let report = sha2_hex(&fs::read(book.path("evidence/reports/lockout.md")).unwrap());
    let junit = sha2_hex(&fs::read(book.path("evidence/junit/app.xml")).unwrap());
    assert!(
        run.stdout
            .contains(&format!("TST-1: reports/lockout.md sha256 {report}")),
        "{}",
        run.stdout
    );
    // Only the two values changed: the stale one replaced, the missing one added.
    let old_hash = before
        .split("sha256 = \"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let expected = before.replace(&old_hash, &report).replace(
        "{ path = \"junit/app.xml\" }",
        &format!("{{ path = \"junit/app.xml\", sha256 = \"{junit}\" }}"),
    );
    assert_eq!(after, expected);
    let checked = book.check();
    assert!(checked.findings.is_empty(), "{}", checked.stdout);
    // A second update is a fixed point.
    book.run(&["evidence", "--update", "TST-1", "--book", "book"])
        .expect_code(0);
    assert_eq!(book.read("requirements/TST-1.md"), after);
}

#[test]
fn evidence_update_writes_nothing_when_a_file_is_missing() {
    let book = Book::fixture("evidence-missing");
    let before = book.read("requirements/TST-1.md");
    let run = book.run(&["evidence", "--update", "TST-1", "--book", "book"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("reports/lockout-2026.pdf"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(book.read("requirements/TST-1.md"), before);
    // Not a test, and not an item at all.
    let run = book.run(&["evidence", "--update", "CTL-1", "--book", "book"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("only tests carry evidence"),
        "{}",
        run.stderr
    );
    book.run(&["evidence", "--update", "NOPE-1", "--book", "book"])
        .expect_code(2);
}

#[test]
fn a_50_mb_evidence_file_is_hashed_as_a_stream() {
    // A pen-test report with screenshots: larger than every read limit of the tool.
    let bytes: Vec<u8> = (0..50 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let sha = sha2_hex(&bytes);
    let book = Book::fixture("evidence-missing").file("evidence/reports/lockout-2026.pdf", &bytes);
    drop(bytes);
    // The entry records another file's hash.
    let checked = book.check();
    assert_eq!(checked.codes(), ["evidence-changed"], "{}", checked.stdout);
    assert!(
        checked.findings[0]["label"]
            .as_str()
            .unwrap()
            .contains(&sha)
    );
    book.run(&["evidence", "--update", "TST-1", "--book", "book"])
        .expect_code(0);
    assert!(book.read("requirements/TST-1.md").contains(&sha));
    let checked = book.check();
    assert!(checked.findings.is_empty(), "{}", checked.stdout);
}

#[test]
fn dates_are_judged_only_on_the_day_given() {
    let book = Book::fixture("component-end-of-support");
    // Without a day, nothing depends on the date.
    let plain = crate::common::Checked::from(book.run(&["check", "book", "--format", "json"]));
    assert!(plain.findings.is_empty(), "{}", plain.stdout);
    let on = |day: &str| {
        crate::common::Checked::from(
            book.run(&["check", "book", "--format", "json", "--today", day]),
        )
    };
    assert_eq!(on(TODAY).codes(), ["component-end-of-support"]);
    // Before the end of support, within the window: soon; long before: nothing.
    assert_eq!(on("2023-08-01").codes(), ["component-eos-soon"]);
    assert!(on("2020-01-01").findings.is_empty());
    let bad = book.run(&["check", "book", "--today", "29.11.2026"]);
    bad.expect_code(2);
    assert!(bad.stderr.contains("YYYY-MM-DD"), "{}", bad.stderr);
    // The window is configurable.
    let book = Book::fixture("review-due")
        .toml("[preprocessor.techfile.revalidate]\nreview-warning-days = 7\n");
    let run = crate::common::Checked::from(
        book.run(&["check", "book", "--format", "json", "--today", TODAY]),
    );
    assert!(run.findings.is_empty(), "{}", run.stdout);
}

#[test]
fn junit_results_feed_the_trace() {
    // The failing case makes the test fail, so the risk is no longer verified, and the
    // failure is a finding of its own at the test's ID (its result comes from JUnit).
    let book = Book::fixture("clean-lifecycle").edit("requirements/TST-1.md", |t| {
        t.replace(
            "\"auth.Login::rejects_expired_token\"]",
            "\"auth.Login::rejects_expired_token\", \"auth.Login::second_factor_required\"]",
        )
    });
    let checked = book.check();
    let mut codes = checked.codes();
    codes.sort_unstable();
    assert_eq!(
        codes,
        ["risk-not-verified", "test-failed"],
        "{}",
        checked.stdout
    );
    let failed = checked.first("test-failed");
    assert_eq!(crate::common::place(failed), "requirements/TST-1.md:2:6");
    assert_eq!(failed["label"], "its JUnit cases failed");
}

#[test]
fn the_support_addendum_and_the_evidence_reach_the_page_and_the_bundle() {
    require!(Mdbook);
    let book = Book::fixture("clean-lifecycle")
        .edit("book/book.toml", |t| {
            t.replace("version = \"1.0\"\n", "version = \"1.0\"\npdf = false\n")
        })
        .toml("[[preprocessor.techfile.bundle.revision]]\nversion = \"1.0\"\ndate = 2026-11-27\nauthor = \"PSO\"\ndescription = \"First issue\"\n")
        .toml("[output.html]\n\n[output.techfile]\ncommand = \"mdbook-techfile render\"\n")
        .chapter(
            "control.md",
            "Document control",
            "# Document control\n\n{{#techfile document-control}}\n",
        )
        .file("evidence/reports/<b>odd name</b>.txt", "x");
    let built = book.mdbook().epoch("1795000000").run().expect_ok();
    let page = built.page("chapter.html");
    // Every component but the products, with its level, end and sources.
    assert!(page.contains("3 components of the SBOMs"), "{page}");
    // Without --today, ends are judged on the date the pages carry: the issue date of the
    // version (the build date, 2026-11-18, would disagree with the stamp).
    assert!(page.contains("dates are judged on 2026-11-27"), "{page}");
    assert!(page.contains("issued 2026-11-27"), "{page}");
    assert!(page.contains("limited support"), "{page}");
    // The support table's contract date wins over the SBOM property.
    assert!(page.contains("2028-09-07"), "{page}");
    assert!(!page.contains("2026-09-07"), "{page}");
    assert!(
        page.contains("Extended support contract ESC-2026-114"),
        "{page}"
    );
    assert!(page.contains("none announced"), "{page}");
    // Zephyr's end comes from its property (the table gives only the level).
    assert!(page.contains("2027-07-31"), "{page}");
    assert!(
        page.contains("SBOM property cdx:lifecycle:milestone:endOfSupport"),
        "{page}"
    );
    let control = built.page("control.html");
    assert!(control.contains("evidence/junit/app.xml"), "{control}");
    assert!(
        control.contains("&lt;b&gt;odd name&lt;/b&gt;.txt"),
        "{control}"
    );
    assert!(!control.contains("<b>odd name</b>"), "{control}");
    let junit = sha2_hex(&fs::read(book.path("evidence/junit/app.xml")).unwrap());
    assert!(control.contains(&junit), "{control}");
    // Shipped in the bundle, listed in the manifest, and the bundle verifies.
    let bundle = built.bundle_dir();
    assert_eq!(
        fs::read(bundle.join("evidence/junit/app.xml")).unwrap(),
        fs::read(book.path("evidence/junit/app.xml")).unwrap()
    );
    let manifest = fs::read_to_string(bundle.join("MANIFEST.sha256")).unwrap();
    assert!(
        manifest.contains(&format!("{junit}  evidence/junit/app.xml")),
        "{manifest}"
    );
    assert!(
        manifest.contains("evidence/reports/lockout.md"),
        "{manifest}"
    );
    book.run(&["verify", bundle.to_str().unwrap()])
        .expect_code(0);
    let trace = fs::read_to_string(bundle.join("trace.json")).unwrap();
    assert!(
        trace.contains("\"evidence\""),
        "the trace lists the evidence inputs"
    );
}
