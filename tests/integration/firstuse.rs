//! First use and everyday writing (issue 17): `init` and a real build of what it writes,
//! the `catalog` command, drafts as open work and `check --gaps`, procedures for process
//! requirements, root causes first (every finding about an unknown name whose file failed
//! points at that failure), `exclude` patterns, links to item files, the stamp's date and
//! uncommitted changes, and `mdbook serve` beside a released bundle.

use crate::common::{Book, Checked, files_with_ext, parse_json_lines, require};
use mdbook_techfile::core::catalog::Catalog;
use mdbook_techfile::core::diag::Code;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// A fixed build date: 2026-11-18 11:06:40 UTC.
const EPOCH: &str = "1795000000";

/// `related` places of a JSON finding, as `file:line`.
fn related(v: &serde_json::Value) -> Vec<String> {
    v["related"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| format!("{}:{}", r["file"].as_str().unwrap_or("?"), r["line"]))
        .collect()
}

#[test]
fn init_writes_a_technical_file_that_builds_clean_with_its_pdf() {
    require!(Mdbook, Chromium, Pdftotext);
    let book = Book::empty();
    let run = book.run(&[
        "init",
        ".",
        "--device",
        "Insulin \"Dose\" <App>",
        "--regulation",
        "mdr",
    ]);
    run.expect_code(0);
    assert!(run.stdout.contains("mdbook serve ./book"), "{}", run.stdout);
    // Every rule passes at once: the examples are drafts, listed as open work.
    let checked = book.check();
    checked.expect_code(0);
    assert!(checked.findings.is_empty(), "{}", checked.stdout);
    let gaps = parse_json_lines(
        &book
            .run(&["check", "book", "--gaps", "--format", "json"])
            .stdout,
    );
    assert!(gaps.iter().any(|g| g["open"] == "REQ-SD-001"), "{gaps:?}");
    assert!(!gaps.iter().any(|g| g.get("gap").is_some()), "{gaps:?}");

    let built = book.mdbook().epoch(EPOCH).run().expect_ok();
    assert!(built.findings.is_empty(), "{}", built.stderr);
    let bundle = built.bundle_dir();
    let pdf = std::fs::read(bundle.join("technical-file-0.1.pdf")).expect("the PDF");
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 10_000);
    // The cover names the device init was given (book.toml's `device`), once: the title
    // init writes names it, so it is not repeated under the title or in the table.
    let cover = Command::new("pdftotext")
        .args(["-f", "1", "-l", "1"])
        .arg(bundle.join("technical-file-0.1.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let cover = String::from_utf8_lossy(&cover.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        cover.contains("Insulin \"Dose\" <App>: cybersecurity technical file"),
        "the title: {cover}"
    );
    assert_eq!(cover.matches("Insulin").count(), 1, "{cover}");
    book.run(&["verify", "book/book/techfile"]).expect_code(0);
    // The device's name is escaped where it lands: a title, Markdown, HTML.
    let index = built.page("index.html");
    assert!(
        index.contains("Insulin &quot;Dose&quot; &lt;App&gt;: cybersecurity technical file")
            || index.contains("Insulin \"Dose\" &lt;App&gt;: cybersecurity technical file"),
        "the title"
    );
    assert!(!index.contains("<App>"));
    // The chapters place what they promise: the checklist of the MDR and the open work.
    let trace = built.page("traceability.html");
    assert!(
        trace.contains("techfile-checklist-mdr-17-4"),
        "the MDR checklist"
    );
    assert!(trace.contains("REQ-SD-001"), "the open work");
    // The support addendum has its place from the start, empty until there is support data.
    assert!(
        built.page("post-market.html").contains("No support data"),
        "the support addendum"
    );
    for (page, example) in [
        ("requirements.html", "REQ-SM-001"),
        ("controls.html", "CTL-AUTH-001"),
        ("controls.html", "PRC-VUL-001"),
        ("risks.html", "RSK-AUTH-001"),
        ("verification.html", "TST-AUTH-001"),
    ] {
        assert!(
            built
                .page(page)
                .contains(&format!("id=\"{}\"", example.to_lowercase())),
            "{example} on {page}"
        );
    }
}

/// The README's flow: init, `git init`, commit everything, build. The build folder (HTML
/// and bundle) is ignored by the `.gitignore` init writes beside book.toml, so a later
/// `git add -A` commits sources only.
#[test]
fn init_ignores_the_build_output_so_a_commit_after_a_build_takes_sources_only() {
    require!(Mdbook);
    let book = Book::empty();
    book.run(&["init", ".", "--device", "Pump"]).expect_code(0);
    assert_eq!(book.read("book/.gitignore").lines().last(), Some("/book/"));
    let book = book.git_init().commit("init");
    let built = book
        .mdbook()
        .env("MDBOOK_PREPROCESSOR__TECHFILE__BUNDLE__PDF", "false")
        .run()
        .expect_ok();
    // The build wrote its output where the .gitignore points, bundle included.
    assert!(built.html_dir().join("index.html").is_file());
    assert!(built.bundle_dir().join("MANIFEST.sha256").is_file());
    assert_eq!(
        book.git(&["status", "--porcelain", "--untracked-files=all"]),
        "",
        "the build left files for git to commit"
    );
    // The rule is anchored: a folder named `book` among the sources is not ignored.
    let book = book.file("book/src/book/note.md", "# Note\n");
    assert_eq!(
        book.git(&["status", "--porcelain", "--untracked-files=all"]),
        "?? book/src/book/note.md"
    );
}

/// A device name with quotes, a backslash, HTML, Markdown emphasis and non-ASCII letters
/// lands literally everywhere init puts it: book.toml stays TOML (its commented example
/// too, uncommented), the book builds clean, and the pages show the name as text.
#[test]
fn init_takes_any_one_line_device_name_literally() {
    require!(Mdbook);
    let name = r#"Dose "Wise" \ <script>alert(1)</script> *bold* _it_ [a](b) für 胰岛素泵"#;
    let book = Book::empty();
    book.run(&["init", ".", "--device", name]).expect_code(0);
    let toml = book.read("book/book.toml");
    let table: toml::Table = toml.parse().expect("book.toml is TOML");
    assert_eq!(
        table["preprocessor"]["techfile"]["bundle"]["device"].as_str(),
        Some(name)
    );
    // The commented not-applicable example, uncommented, is still TOML with the name in it.
    let example = toml
        .lines()
        .find(|l| l.starts_with("# \"MDR-14.1\" = "))
        .expect("the not-applicable example");
    let entry: toml::Table = example[2..].parse().expect("the example is TOML");
    assert_eq!(
        entry["MDR-14.1"].as_str(),
        Some(format!("Why this entry does not apply to {name}").as_str())
    );
    let built = book
        .mdbook()
        .env("MDBOOK_PREPROCESSOR__TECHFILE__BUNDLE__PDF", "false")
        .run()
        .expect_ok();
    assert!(built.findings.is_empty(), "{}", built.stderr);
    // As HTML text: every markup character escaped, no tag or emphasis made of the name.
    let shown = "Dose &quot;Wise&quot; \\ &lt;script&gt;alert(1)&lt;/script&gt; *bold* _it_ [a](b) für 胰岛素泵";
    for page in ["index.html", "requirements.html", "device-description.html"] {
        let html = built.page(page);
        assert!(
            html.contains(shown),
            "{page} does not show the name literally"
        );
        assert!(!html.contains("<script>alert"), "{page}");
        assert!(!html.contains("<em>bold</em>"), "{page}");
    }
}

/// A name with a line break or another control character is refused before anything is
/// written, with the usage-error exit code.
#[test]
fn init_refuses_a_device_name_that_is_not_one_line() {
    for name in ["Pump\nX", "Pump\tX", "Pump\u{1b}[31m"] {
        let book = Book::empty();
        let run = book.run(&["init", ".", "--device", name]);
        run.expect_code(2);
        assert!(
            run.stderr.contains("nothing was written") && run.stderr.contains("one line of text"),
            "{}",
            run.stderr
        );
        assert!(!book.path("book").exists(), "{name:?}: files were written");
    }
}

#[test]
fn init_for_the_ivdr_passes_its_annex_i_coverage() {
    let book = Book::empty();
    book.run(&["init", "ivd", "--regulation", "ivdr"])
        .expect_code(0);
    let toml = book.read("ivd/book/book.toml");
    assert!(toml.contains("\nivdr = true\n"), "{toml}");
    let run = Checked::from(book.run(&["check", "ivd/book", "--format", "json"]));
    run.expect_code(0);
    assert!(run.findings.is_empty(), "{}", run.stdout);
    // The same files every time: init depends on its options only.
    let again = Book::empty();
    again
        .run(&["init", "ivd", "--regulation", "ivdr"])
        .expect_code(0);
    assert_eq!(
        files_with_ext(&book.path("ivd"), ""),
        files_with_ext(&again.path("ivd"), "")
    );
}

#[test]
fn init_never_overwrites_and_names_what_it_would_have_overwritten() {
    let book = Book::empty()
        .file("book/book.toml", "mine\n")
        .file("requirements/README.md", "mine too\n")
        .file(".git/HEAD", "ref: refs/heads/main\n");
    let run = book.run(&["init", "."]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("these files would be overwritten: book/book.toml, requirements/README.md"),
        "{}",
        run.stderr
    );
    assert_eq!(book.read("book/book.toml"), "mine\n");
    assert!(!book.path("book/src").exists(), "nothing else was written");
    // Hidden entries alone (a fresh `git init`) leave the folder empty enough.
    let fresh = Book::empty().file(".git/HEAD", "ref: refs/heads/main\n");
    fresh.run(&["init", "."]).expect_code(0);
    assert!(fresh.path("book/src/SUMMARY.md").is_file());
}

#[test]
fn the_catalog_is_listed_without_a_book() {
    let book = Book::empty();
    let all = parse_json_lines(&book.run(&["catalog", "--format", "json"]).stdout);
    assert_eq!(all.len(), Catalog::builtin().entries().len());
    let one = parse_json_lines(
        &book
            .run(&["catalog", "--grep", "mdr-17.4", "--format", "json"])
            .stdout,
    );
    assert_eq!(one.len(), 1, "{one:?}");
    assert_eq!(one[0]["id"], "MDR-17.4");
    assert_eq!(one[0]["kind"], "mdr");
    assert_eq!(one[0]["maps-to"], serde_json::json!(["IVDR-16.4"]));
    assert_eq!(one[0]["unverified"], false);
    let human = book.run(&["catalog", "--grep", "updates"]);
    human.expect_code(0);
    assert!(human.stdout.contains("MDCG-SUM"), "{}", human.stdout);
    assert!(!human.stdout.contains("MDCG-SR "), "{}", human.stdout);
}

/// The open-work line names the items to finish, by what is open about them, and only
/// counts the catalog entries that drafts alone address: nobody edits `MDCG-DM`.
#[test]
fn the_open_work_line_names_items_not_catalog_entries() {
    let book = Book::fixture("clean").edit("requirements/REQ-DM-001.md", |t| {
        t.replace("status = \"approved\"", "status = \"draft\"")
    });
    let human = book.check_human();
    human.expect_code(0);
    let line = human
        .stdout
        .lines()
        .find(|l| l.starts_with("techfile: open work"))
        .unwrap_or_else(|| panic!("no open-work line in {}", human.stdout));
    assert!(
        line.starts_with(
            "techfile: open work, not failing the build: drafts `REQ-DM-001`; 1 catalog entry addressed only by drafts;"
        ),
        "{line}"
    );
    assert!(!line.contains("MDCG-DM"), "{line}");
    // `--gaps` still lists the entry by its ID, with why it is open.
    let gaps = book.run(&["check", "book", "--gaps"]);
    assert!(gaps.stdout.contains("MDCG-DM"), "{}", gaps.stdout);
}

#[test]
fn drafts_are_open_work_and_check_gaps_never_fails() {
    let book = Book::fixture("clean")
        .item(
            "REQ-NEW",
            "requirement",
            "New",
            &["status = \"draft\"", "derives-from = [\"MDCG-SM\"]"],
            "",
        )
        .item(
            "REQ-APP",
            "requirement",
            "Approved",
            &["status = \"approved\"", "derives-from = [\"MDCG-SM\"]"],
            "",
        )
        .item(
            "CTL-NEW",
            "control",
            "Unfinished",
            &["status = \"draft\"", "implements = [\"REQ-APP\"]"],
            "",
        );
    let checked = book.check();
    checked.expect_code(0);
    assert!(checked.findings.is_empty(), "{}", checked.stdout);
    let human = book.check_human();
    assert!(
        human
            .stdout
            .contains("open work, not failing the build: drafts `CTL-NEW`, `REQ-NEW`; covered only by drafts `REQ-APP`; `mdbook-techfile check --gaps`"),
        "{}",
        human.stdout
    );
    let gaps = book.run(&["check", "book", "--gaps", "--format", "json"]);
    gaps.expect_code(0);
    let open: Vec<(String, String)> = parse_json_lines(&gaps.stdout)
        .iter()
        .map(|g| {
            (
                g["open"].as_str().unwrap().to_string(),
                g["what"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        open,
        [
            (
                "CTL-NEW".to_string(),
                "is a draft, and is not verified by any test".to_string()
            ),
            (
                "REQ-APP".to_string(),
                "is implemented only by drafts (`CTL-NEW`)".to_string()
            ),
            (
                "REQ-NEW".to_string(),
                "is a draft, and is not implemented by any control or procedure".to_string()
            ),
        ]
    );
    // A release check counts drafts like any other item.
    let strict = book.config("coverage.draft = true").check();
    strict.expect_code(1);
    assert_eq!(
        strict.codes(),
        ["control-not-verified", "requirement-not-implemented"],
        "{}",
        strict.stdout
    );
}

#[test]
fn check_gaps_lists_every_gap_whatever_its_level_and_exits_0() {
    let book = Book::fixture("requirement-not-implemented")
        .severity("requirement-not-implemented = \"allow\"");
    book.check().expect_code(0);
    let human = book.run(&["check", "book", "--gaps"]);
    human.expect_code(0);
    assert!(
        human
            .stdout
            .contains("gap[requirement-not-implemented]: requirements/REQ-2.md:2:6:"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("1 coverage gap, 0 open items"));
    let failing = Book::fixture("requirement-not-implemented");
    failing.check().expect_code(1);
    failing.run(&["check", "book", "--gaps"]).expect_code(0);
}

#[test]
fn check_gaps_lists_approved_tests_not_run_as_open_work() {
    let book = Book::fixture("clean")
        .item(
            "TST-LATER",
            "test",
            "Penetration test of the update server",
            &[
                "status = \"approved\"",
                "verifies = [\"CTL-002\"]",
                "result = \"not-run\"",
            ],
            "",
        )
        .item(
            "TST-DONE",
            "test",
            "Signature check re-run",
            &[
                "status = \"approved\"",
                "verifies = [\"CTL-002\"]",
                "result = \"pass\"",
            ],
            "",
        );
    // Not a finding: the build passes, and says what is open.
    let checked = book.check();
    checked.expect_code(0);
    assert!(checked.findings.is_empty(), "{}", checked.stdout);
    let human = book.check_human();
    assert!(
        human
            .stdout
            .contains("open work, not failing the build: approved tests not run `TST-LATER`;"),
        "{}",
        human.stdout
    );
    let gaps = book.run(&["check", "book", "--gaps"]);
    gaps.expect_code(0);
    // At the written result, the line to change once the test has run.
    assert!(
        gaps.stdout.contains(
            "open: requirements/TST-LATER.md:7:10: `TST-LATER` is approved and has not been run"
        ),
        "{}",
        gaps.stdout
    );
    assert!(!gaps.stdout.contains("TST-DONE"), "{}", gaps.stdout);
    assert!(
        gaps.stdout
            .contains("techfile: 0 coverage gaps, 1 open item (drafts and tests not run)"),
        "{}",
        gaps.stdout
    );
    let json = parse_json_lines(
        &book
            .run(&["check", "book", "--gaps", "--format", "json"])
            .expect_code(0)
            .stdout,
    );
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(json[0]["open"], "TST-LATER");
    assert_eq!(json[0]["rule"], serde_json::Value::Null);
    assert_eq!(
        (&json[0]["file"], &json[0]["line"]),
        (
            &serde_json::json!("requirements/TST-LATER.md"),
            &serde_json::json!(7)
        )
    );
}

/// The clean book with an approved test of `CTL-001` (which mitigates no risk, so
/// `risk-not-verified` stays out of it) that failed (issue 17, F2).
fn book_with_a_failed_test() -> Book {
    Book::fixture("clean").item(
        "TST-FAIL",
        "test",
        "Signature check against a tampered image",
        &[
            "status = \"approved\"",
            "verifies = [\"CTL-001\"]",
            "result = \"fail\"",
        ],
        "",
    )
}

#[test]
fn a_failed_test_fails_the_build_and_is_listed_as_a_gap() {
    let book = book_with_a_failed_test();
    let checked = book.check();
    checked.expect_code(1);
    assert_eq!(checked.codes(), ["test-failed"], "{}", checked.stdout);
    let f = checked.first("test-failed");
    assert_eq!(crate::common::place(f), "requirements/TST-FAIL.md:7:10");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("`CTL-001` is not shown to work"),
        "{f}"
    );
    let gaps = book.run(&["check", "book", "--gaps"]);
    gaps.expect_code(0);
    assert!(
        gaps.stdout.contains("requirements/TST-FAIL.md:7:10")
            && gaps.stdout.contains("techfile: 1 coverage gap"),
        "{}",
        gaps.stdout
    );
    // At `warn` it fails nothing, but `check --gaps` still lists it.
    let warned = book_with_a_failed_test().severity("test-failed = \"warn\"");
    let checked = warned.check();
    checked.expect_code(0);
    assert_eq!(checked.codes(), ["test-failed"], "{}", checked.stdout);
    assert!(
        warned
            .run(&["check", "book", "--gaps"])
            .stdout
            .contains("requirements/TST-FAIL.md:7:10")
    );
}

#[test]
fn the_tables_show_a_failed_test_red_only_where_it_fails_the_build() {
    require!(Mdbook);
    let summary_row = |page: &str, label: &str| -> String {
        let at = page
            .find(label)
            .unwrap_or_else(|| panic!("{label} in {page}"));
        page[at..at + page[at..].find("</tr>").unwrap()].to_string()
    };
    // At `deny` the build fails on it (the red cells are checked in the unit tests of
    // `render/tables.rs`, since a failed build writes no page).
    let built = book_with_a_failed_test().build().expect_failure();
    assert_eq!(built.codes(), ["test-failed"], "{}", built.stderr);
    // At `warn` the build passes, so nothing is red: open work. CTL-001 has a passing and
    // a failed test: not verified.
    let built = book_with_a_failed_test()
        .severity("test-failed = \"warn\"")
        .build()
        .expect_ok();
    let page = built.page("overview.html");
    let controls = summary_row(&page, "Controls verified by a test");
    assert!(controls.contains("<td>1</td><td>2</td>"), "{controls}");
    assert!(controls.contains("techfile-open"), "{controls}");
    assert!(
        page.contains("TST-FAIL</a> <span class=\"techfile-open\">(failed)"),
        "{page}"
    );
    let table = &page[..page.find("techfile-legend").expect("the legend")];
    assert!(!table.contains("class=\"techfile-gap\""), "{table}");
}

#[test]
fn a_rule_set_to_warn_or_allow_shows_no_red_cell() {
    require!(Mdbook);
    for level in ["warn", "allow"] {
        let built = Book::fixture("clean")
            .item(
                "REQ-LONE",
                "requirement",
                "Nobody implements this yet",
                &["status = \"approved\"", "derives-from = [\"MDCG-SM\"]"],
                "",
            )
            .severity(&format!("requirement-not-implemented = \"{level}\""))
            .build()
            .expect_ok();
        let page = built.page("overview.html");
        assert!(
            page.contains("techfile-open\">no control or procedure"),
            "{level}: {page}"
        );
        let tables = page.split("techfile-legend").next().unwrap();
        assert!(
            !tables.contains("class=\"techfile-gap\""),
            "{level}: {tables}"
        );
    }
}

/// A draft risk with placeholder residual estimates (issue 17, F1): open work, which the
/// build does not fail on, until it leaves draft or a release check applies the rules.
#[test]
fn a_draft_risk_with_an_unacceptable_residual_is_open_work() {
    let risk = |status: &str| {
        Book::fixture("clean").item(
            "RSK-NEW",
            "risk",
            "Placeholder estimates",
            &[
                &format!("status = \"{status}\""),
                "asset = \"Firmware\"",
                "threat = \"Not analysed yet\"",
                "safety-impact = false",
                "exploitability = \"remote\"",
                "severity = \"minor\"",
                "residual-exploitability = \"frequent\"",
                "residual-severity = \"catastrophic\"",
            ],
            "",
        )
    };
    let book = risk("draft");
    let checked = book.check();
    checked.expect_code(0);
    assert!(
        !checked
            .codes()
            .iter()
            .any(|c| c.starts_with("residual-risk")),
        "{}",
        checked.stdout
    );
    let gaps = parse_json_lines(
        &book
            .run(&["check", "book", "--gaps", "--format", "json"])
            .expect_code(0)
            .stdout,
    );
    let rules: Vec<&str> = gaps
        .iter()
        .filter(|g| g["open"] == "RSK-NEW")
        .filter_map(|g| g["rule"].as_str())
        .collect();
    assert_eq!(
        rules,
        [
            "risk-not-mitigated",
            "residual-risk-unacceptable",
            "residual-risk-increased"
        ],
        "{gaps:?}"
    );
    // A release check, and the same risk in review, fail on it.
    let released = risk("draft").toml("[preprocessor.techfile.coverage]\ndraft = true");
    assert!(
        released
            .check()
            .codes()
            .contains(&"residual-risk-unacceptable")
    );
    let reviewed = risk("in-review").check();
    reviewed.expect_code(1);
    assert!(reviewed.codes().contains(&"residual-risk-unacceptable"));
}

#[test]
fn threat_model_gaps_follow_the_draft_rule_and_show_in_check_gaps() {
    // The STRIDE gaps of the fixture are coverage gaps: `--gaps` lists them.
    let book = Book::fixture("stride-gap");
    let gaps = parse_json_lines(
        &book
            .run(&["check", "book", "--gaps", "--format", "json"])
            .expect_code(0)
            .stdout,
    );
    let listed: Vec<&str> = gaps.iter().filter_map(|g| g["gap"].as_str()).collect();
    assert_eq!(listed, ["stride-gap", "stride-gap"], "{gaps:?}");
    // A draft risk that analyses the process's last category leaves that gap as open work
    // instead of a failure; the data flow's gaps stay findings.
    let book = book.item(
        "RSK-2",
        "risk",
        "Privilege gained through the update service",
        &[
            "status = \"draft\"",
            "elements = [\"PRC-FW\"]",
            "stride = [\"elevation-of-privilege\"]",
        ],
        "",
    );
    let checked = book.check();
    let places: Vec<String> = checked
        .findings
        .iter()
        .filter(|f| f["code"] == "stride-gap")
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(places, ["requirements/DF-1.md"], "{}", checked.stdout);
    let gaps = parse_json_lines(
        &book
            .run(&["check", "book", "--gaps", "--format", "json"])
            .stdout,
    );
    assert!(
        gaps.iter().any(|g| g["open"] == "PRC-FW"
            && g["rule"] == "stride-gap"
            && g["what"]
                .as_str()
                .is_some_and(|w| w.contains("but drafts (`RSK-2`)"))),
        "{gaps:?}"
    );
}

#[test]
fn the_gaps_view_shows_gaps_and_open_work_in_the_book() {
    require!(Mdbook);
    let book = Book::fixture("clean")
        .item(
            "REQ-NEW",
            "requirement",
            "New",
            &["status = \"draft\"", "derives-from = [\"MDCG-SM\"]"],
            "",
        )
        .chapter("gaps.md", "Gaps", "# Gaps\n\n{{#techfile gaps}}\n");
    let built = book.build().expect_ok();
    let page = built.page("gaps.html");
    assert!(
        page.contains("The coverage rules in force find no gap."),
        "no gap"
    );
    assert!(
        page.contains("techfile/requirements.html#req-new"),
        "{page}"
    );
    assert!(
        page.contains("is a draft, and is not implemented"),
        "{page}"
    );
}

/// The coverage matrix marks every draft the same way whatever its kind, and names each
/// test's result in words, so that a test not run never reads like a pass in a greyscale
/// print; the legend under the matrix explains the marks.
#[test]
fn the_matrix_marks_drafts_of_every_kind_and_tests_not_run() {
    require!(Mdbook);
    let book = Book::fixture("clean")
        .item(
            "REQ-NEW",
            "requirement",
            "New",
            &["status = \"draft\"", "derives-from = [\"MDCG-SM\"]"],
            "",
        )
        .item(
            "TST-DRAFT",
            "test",
            "Drafted",
            &[
                "status = \"draft\"",
                "verifies = [\"CTL-001\"]",
                "result = \"pass\"",
            ],
            "",
        )
        .item(
            "TST-NR",
            "test",
            "Not run yet",
            &[
                "status = \"approved\"",
                "verifies = [\"CTL-001\"]",
                "result = \"not-run\"",
            ],
            "",
        )
        .item(
            "TST-NONE",
            "test",
            "No result",
            &["status = \"approved\"", "verifies = [\"CTL-001\"]"],
            "",
        );
    let built = book.build().expect_ok();
    let page = built.page("overview.html");
    let matrix = &page[page.find("techfile-matrix").expect("the matrix")..];
    let after = |id: &str| -> &str {
        let at = matrix
            .find(&format!(">{id}</a>"))
            .unwrap_or_else(|| panic!("{id} in {matrix}"));
        &matrix[at + id.len() + 5..(at + id.len() + 5 + 120).min(matrix.len())]
    };
    let draft = " <em class=\"techfile-draft\">(draft)</em>";
    // A requirement's link is followed by its title, then the mark.
    assert!(
        after("REQ-NEW").starts_with(&format!(" New{draft}")),
        "{}",
        after("REQ-NEW")
    );
    assert!(
        after("TST-DRAFT").starts_with(&format!(
            "{draft} <span class=\"techfile-ok\">(passed)</span>"
        )),
        "{}",
        after("TST-DRAFT")
    );
    for id in ["TST-NR", "TST-NONE"] {
        assert!(
            after(id).starts_with(" <strong class=\"techfile-not-run\">(not run)</strong>"),
            "{id}: {}",
            after(id)
        );
    }
    assert!(
        after("TST-001").starts_with(" <span class=\"techfile-ok\">(passed)</span>"),
        "{}",
        after("TST-001")
    );
    // An approved item has no mark.
    assert!(!after("CTL-001").starts_with(draft), "{}", after("CTL-001"));
    assert!(matrix.contains("class=\"techfile-legend\""), "{matrix}");
}

#[test]
fn a_procedure_meets_a_process_requirement_and_the_checklist_counts_it() {
    require!(Mdbook);
    let book = Book::fixture("clean")
        .item(
            "REQ-VUL",
            "requirement",
            "Vulnerabilities are handled",
            &[
                "status = \"approved\"",
                "derives-from = [\"MDCG-DM\", \"MDR-8\"]",
            ],
            "",
        )
        .item(
            "PRC-VUL",
            "procedure",
            "Vulnerability handling",
            &[
                "status = \"approved\"",
                "implements = [\"REQ-VUL\"]",
                "document = \"SOP-017 <rev C>\"",
            ],
            "",
        )
        .chapter(
            "checklist.md",
            "Checklist",
            "# Checklist\n\n{{#techfile checklist mdr}}\n",
        );
    book.check().expect_code(0);
    let built = book.build().expect_ok();
    let checklist = built.page("checklist.html");
    let row = checklist
        .split("<tr")
        .find(|r| r.contains("id=\"techfile-checklist-mdr-8\""))
        .expect("the MDR-8 row");
    assert!(row.contains(">met</span>"), "{row}");
    assert!(row.contains("SOP-017 &lt;rev C&gt;"), "{row}");
    // Procedures get a page of their own, only in books that have them.
    assert!(built.page("techfile/procedures.html").contains("PRC-VUL"));
    assert!(
        !Book::fixture("clean")
            .build()
            .expect_ok()
            .html()
            .contains_key("techfile/procedures.html")
    );
    // A procedure is no risk control: it mitigates nothing, and from review on it names
    // its document.
    let wrong = book
        .edit("requirements/PRC-VUL.md", |t| {
            t.replace(
                "document = \"SOP-017 <rev C>\"\n",
                "mitigates = [\"RSK-001\"]\n",
            )
        })
        .check();
    assert_eq!(
        wrong.codes(),
        ["missing-key", "misplaced-key"],
        "{}",
        wrong.stdout
    );
}

/// Every finding about a name that names nothing, when the file that defines the name
/// could not be read: it says so and points at that file, suggests no other name, and
/// comes after the error that explains it. A trace link to such a name is no finding of
/// its own: the file's error is the one mistake, and it counts the links.
#[test]
fn unknown_names_whose_file_failed_point_at_the_failure() {
    // The codes about a name that names nothing. `unknown-key` and `unknown-directive`
    // are about the file they are written in, which no other file defines.
    let about_names = [
        "unknown-id",
        "unknown-reference",
        "unknown-sbom",
        "unknown-component",
    ];
    let others = ["unknown-key", "unknown-directive"];
    for code in Code::ALL
        .iter()
        .filter(|c| c.as_str().starts_with("unknown-"))
    {
        assert!(
            about_names.contains(&code.as_str()) || others.contains(&code.as_str()),
            "{}: a new `unknown-` code; cover it here",
            code.as_str()
        );
    }
    // An impossible date makes REQ-SM-001 fail; the SBOMs fail to parse.
    let book = Book::fixture("clean")
        .edit("requirements/REQ-SM-001.md", |t| {
            t.replace("owner =", "last-reviewed = 2026-02-30\nowner =")
        })
        .edit("sboms/firmware.cdx.json", |t| t.replacen('{', "{ oops", 1))
        .chapter(
            "more.md",
            "More",
            "# More\n\n{{#techfile sbom sboms/firmware.cdx.json}}\n",
        );
    let checked = book.check();
    checked.expect_code(1);
    let v = &checked.findings;
    // Root causes first.
    let first_derived = v
        .iter()
        .position(|f| !["toml-syntax", "sbom-json-syntax"].contains(&f["code"].as_str().unwrap()))
        .unwrap();
    assert_eq!(first_derived, 2, "{}", checked.stdout);
    let mut seen = std::collections::BTreeSet::new();
    for f in &v[first_derived..] {
        let code = f["code"].as_str().unwrap();
        let help = f["help"].as_str().unwrap_or_default();
        assert!(!help.contains("did you mean"), "{code} suggests: {help}");
        if !about_names.contains(&code) {
            continue;
        }
        seen.insert(code);
        let (file, line) = if code == "unknown-sbom" || code == "unknown-component" {
            ("sboms/firmware.cdx.json", None)
        } else {
            ("requirements/REQ-SM-001.md", Some(2))
        };
        assert!(
            help.contains(&format!("see the error reported in `{file}`")),
            "{code}: {help}"
        );
        assert!(
            f["message"].as_str().unwrap().contains("could not be read"),
            "{code}: {}",
            f["message"]
        );
        let places = related(f);
        assert!(
            places
                .iter()
                .any(|p| p.starts_with(file) && line.is_none_or(|l| *p == format!("{file}:{l}"))),
            "{code}: {places:?}"
        );
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        ["unknown-component", "unknown-reference", "unknown-sbom"],
        "{}",
        checked.stdout
    );
    // CTL-001 implements REQ-SM-001: one error for the one mistake, which counts the link.
    assert!(
        checked.stdout.contains("REQ-SM-001") && !checked.codes().contains(&"unknown-id"),
        "{}",
        checked.stdout
    );
    let root = checked.first("toml-syntax");
    let labels: Vec<&str> = root["related"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["message"].as_str())
        .collect();
    assert!(
        labels.contains(&"1 trace link points at `REQ-SM-001` (from CTL-001); it is checked once this file loads"),
        "{root}"
    );
    // The practice REQ-SM-001 addresses is a gap that names the file too.
    let practice = checked.first("practice-not-addressed");
    assert!(
        related(practice).contains(&"requirements/REQ-SM-001.md:8".to_string()),
        "{practice}"
    );
    // The human report puts them in the same order.
    let human = book.check_human().stdout;
    let at = |s: &str| human.find(s).unwrap_or_else(|| panic!("{s} in {human}"));
    assert!(at("error[toml-syntax]") < at("error[unknown-reference]"));
    assert!(at("error[sbom-json-syntax]") < at("error[unknown-sbom]"));
}

/// A misspelt SBOM name whose intended file failed to load: the suggestion weighs every
/// SBOM file found, loaded or not, so the finding points at the failed file's own error
/// and never at another SBOM whose name is merely close.
#[test]
fn a_misspelt_sbom_name_points_at_the_failed_file_it_means() {
    let portal =
        std::fs::read_to_string(crate::common::fixture("clean").join("sboms/portal.cdx.json"))
            .unwrap();
    let book = Book::fixture("clean")
        .edit("sboms/firmware.cdx.json", |t| t.replacen('{', "{ oops", 1))
        // A loaded SBOM whose name is close to the misspelling too, but further than the
        // failed one: the old rule suggested it.
        .file("sboms/firmware-b.cdx.json", portal.replace("urn:uuid:", "urn:uuid:b"))
        .chapter(
            "more.md",
            "More",
            "# More\n\n{{#techfile sbom firmware.cdx.jsn}}\n\n{{#techfile sbom firmware.cdx.json}}\n",
        );
    let checked = book.check();
    let unknown = checked.with_code("unknown-sbom");
    // The fixture's own SBOM chapter places the file too.
    assert_eq!(unknown.len(), 3, "{}", checked.stdout);
    for f in &unknown {
        let help = f["help"].as_str().unwrap_or_default();
        assert!(!help.contains("did you mean"), "{help}");
        assert!(!help.contains("firmware-b"), "{help}");
        assert!(
            help.contains("see the error reported in `sboms/firmware.cdx.json`"),
            "{help}"
        );
        assert!(
            f["message"].as_str().unwrap().contains("could not be read"),
            "{f}"
        );
        assert!(
            related(f)
                .iter()
                .any(|p| p.starts_with("sboms/firmware.cdx.json")),
            "{f}"
        );
    }
    // The misspelt one names the file it probably means.
    let misspelt = unknown
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("firmware.cdx.jsn"))
        .unwrap_or_else(|| panic!("{}", checked.stdout));
    assert!(
        misspelt["help"]
            .as_str()
            .unwrap()
            .starts_with("`firmware.cdx.json` could not be read"),
        "{misspelt}"
    );
    // With the file mended, the same misspelling gets the ordinary suggestion.
    let mended = Book::fixture("clean").chapter(
        "more.md",
        "More",
        "# More\n\n{{#techfile sbom firmware.cdx.jsn}}\n",
    );
    let checked = mended.check();
    assert_eq!(
        checked.first("unknown-sbom")["help"],
        "did you mean `firmware.cdx.json`?",
        "{}",
        checked.stdout
    );
}

#[test]
fn a_misspelt_item_folder_is_one_error_with_the_right_name() {
    let run = Book::fixture("clean")
        .config("items = [\"../requirement\"]")
        .check();
    run.expect_code(2);
    assert_eq!(run.codes(), ["config-invalid-value"], "{}", run.stdout);
    let f = &run.findings[0];
    assert_eq!(f["file"], "book/book.toml");
    assert_eq!(f["line"], 6);
    assert_eq!(
        f["help"].as_str().unwrap().split('?').next(),
        Some("did you mean `../requirements`")
    );
}

#[test]
fn readme_templates_and_excluded_files_are_not_items() {
    let book = Book::fixture("clean")
        .file(
            "requirements/README.md",
            "# The items\n\nOne file per item.\n",
        )
        .file("requirements/tests/_template.md", "+++\nid = \"TST-XXX\"\n")
        .file("requirements/notes/ideas.md", "Ideas, not items.\n");
    let run = book.check();
    assert_eq!(run.codes(), ["missing-front-matter"], "{}", run.stdout);
    assert_eq!(run.findings[0]["file"], "requirements/notes/ideas.md");
    let book = book.config("exclude = [\"notes/\"]");
    let run = book.check();
    run.expect_code(0);
    assert!(run.findings.is_empty(), "{}", run.stdout);
    // `!` takes a default back in, as in .gitignore.
    let run = book
        .edit("book/book.toml", |t| {
            t.replace(
                "exclude = [\"notes/\"]",
                "exclude = [\"notes/\", \"!README.md\"]",
            )
        })
        .check();
    assert_eq!(run.codes(), ["missing-front-matter"], "{}", run.stdout);
    assert_eq!(run.findings[0]["file"], "requirements/README.md");
    // Its help says the pattern took it back, and points at it, rather than that such a
    // file is left out (issue 17).
    let help = run.findings[0]["help"].as_str().unwrap();
    assert!(
        help.contains("`README.md` is left out by default, but `!README.md` in the `exclude` key")
            && help.contains("takes it back"),
        "{help}"
    );
    assert_eq!(related(&run.findings[0]), ["book/book.toml:6"]);
    // A pattern that is not gitignore syntax is a configuration error at the pattern.
    let bad = Book::fixture("clean")
        .config("exclude = [\"{a,b\"]")
        .check();
    bad.expect_code(2);
    assert_eq!(bad.codes(), ["config-invalid-value"]);
    assert_eq!(
        (
            bad.findings[0]["line"].as_u64(),
            bad.findings[0]["column"].as_u64()
        ),
        (Some(6), Some(12))
    );
}

#[test]
fn a_link_to_an_item_file_names_the_ref_directive() {
    let run = Book::fixture("clean")
        .chapter(
            "links.md",
            "Links",
            "# Links\n\nSee [the test](../../requirements/tests/TST-001.md) and [the risk](requirements/RSK-001.md).\n",
        )
        .check();
    assert_eq!(
        run.codes(),
        ["link-outside-book", "broken-link"],
        "{}",
        run.stdout
    );
    assert!(
        run.findings[0]["help"]
            .as_str()
            .unwrap()
            .contains("`{{#techfile ref TST-001}}`"),
        "{}",
        run.stdout
    );
    assert!(
        run.findings[1]["help"]
            .as_str()
            .unwrap()
            .contains("`{{#techfile ref RSK-001}}`"),
        "{}",
        run.stdout
    );
}

/// A link to an item's file is matched against the item files themselves, resolved from
/// the page, whatever the item folders are called and however deep: two differently named
/// folders, a nested one, a path with `./` and `..` inside, and two folders of one name at
/// different depths, which only the resolved path tells apart.
#[test]
fn a_link_to_an_item_file_is_matched_by_the_resolved_path() {
    use crate::common::item;
    let run = Book::fixture("clean")
        .config("items = [\"../requirements\", \"../verification\", \"requirements\"]")
        .file(
            "verification/unit/TST-3.md",
            item(
                "TST-3",
                "test",
                "Unit",
                &["verifies = [\"CTL-001\"]", "result = \"pass\""],
                "",
            ),
        )
        .file(
            "requirements/network.md",
            item(
                "REQ-OUT",
                "requirement",
                "Outer",
                &["status = \"draft\""],
                "",
            ),
        )
        .file(
            "book/requirements/network.md",
            item(
                "REQ-IN",
                "requirement",
                "Inner",
                &["status = \"draft\""],
                "",
            ),
        )
        .chapter(
            "part/links.md",
            "Links",
            "# Links\n\n\
             [a](../../../verification/unit/TST-3.md)\n\n\
             [b](../../../verification/./unit/../unit/TST-3.md)\n\n\
             [c](../../../requirements/network.md)\n\n\
             [d](../../requirements/network.md)\n\n\
             [e](../../../requirements/tests/TST-001.md)\n",
        )
        .check();
    let links = codes_and_helps(&run.findings, "book/src/part/links.md");
    assert_eq!(links.len(), 5, "{}", run.stdout);
    for ((code, help), id) in links
        .iter()
        .zip(["TST-3", "TST-3", "REQ-OUT", "REQ-IN", "TST-001"])
    {
        assert_eq!(code, "link-outside-book", "{}", run.stdout);
        assert!(
            help.contains(&format!("`{{{{#techfile ref {id}}}}}`")),
            "{id}: {help}"
        );
    }
}

/// The code and help of each finding in `file`, in report order.
fn codes_and_helps(findings: &[serde_json::Value], file: &str) -> Vec<(String, String)> {
    findings
        .iter()
        .filter(|f| f["file"] == file)
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["help"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// git with a fixed identity and date, in `dir`; what it printed.
fn git(dir: &Path, args: &[&str]) -> String {
    git_with_input(dir, args, "")
}

/// [`git`] with `input` on its standard input.
fn git_with_input(dir: &Path, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env("GIT_AUTHOR_DATE", "2026-03-04T05:06:07Z")
        .env("GIT_COMMITTER_DATE", "2026-03-04T05:06:07Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("git runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write to git");
    let out = child.wait_with_output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_signed_commit_dates_the_pages_where_git_shows_signatures() {
    require!(Mdbook, Git);
    // No SOURCE_DATE_EPOCH and no revision entry: the commit alone dates the pages.
    let book = Book::fixture("clean").bundle("pdf = false");
    let root = book.root();
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    let tree = git(root, &["write-tree"]);
    // A commit with an SSH signature, in a repository that shows signatures in its log
    // (`log.showSignature`, common where commits are signed): git then prints the
    // signature check before any format. Nothing here needs ssh-keygen: git reports
    // the signature as unverifiable on its own.
    let commit = format!(
        "tree {tree}\nauthor Test <test@example.invalid> 1772600767 +0000\ncommitter Test <test@example.invalid> 1772600767 +0000\ngpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n -----END SSH SIGNATURE-----\n\nIssue 1.0\n"
    );
    let id = git_with_input(
        root,
        &["hash-object", "-t", "commit", "-w", "--stdin"],
        &commit,
    );
    git(root, &["update-ref", "HEAD", &id]);
    git(root, &["config", "log.showSignature", "true"]);
    let built = book.build().expect_ok();
    let index = built.page("index.html");
    assert!(
        index.contains(&format!("commit {}", &id[..12])),
        "the commit is known"
    );
    assert!(
        index.contains("\u{b7} 2026-03-04</div>"),
        "the date of the commit, not `date unknown`: {}",
        built.stderr
    );
    assert!(!built.stderr.contains("date unknown"), "{}", built.stderr);
}

#[test]
fn the_stamp_date_says_where_it_comes_from_and_uncommitted_changes_warn() {
    require!(Mdbook, Git);
    let book = Book::fixture("clean").bundle(
        "pdf = false\n\n[[preprocessor.techfile.bundle.revision]]\nversion = \"2.3\"\ndate = 2026-02-27\nauthor = \"A\"\ndescription = \"Issue\"",
    );
    let root = book.root();
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(
        root,
        &[
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "-m",
            "Issue 2.3",
        ],
    );
    let built = book.build().expect_ok();
    // The version's entry in the revision history gives the date on every page.
    let index = built.page("index.html");
    assert!(
        index.contains("\u{b7} issued 2026-02-27</div>"),
        "the stamp"
    );
    assert!(!built.stderr.contains("warning"), "{}", built.stderr);
    let control_date = "2026-02-27 (the issue date of version 2.3 in the revision history); built 2026-03-04 (date of the commit)";
    let book = book.chapter(
        "control.md",
        "Control",
        "# Control\n\n{{#techfile document-control}}\n",
    );
    let built = book.build().expect_ok();
    assert!(
        built.page("control.html").contains(control_date),
        "the document control page"
    );
    assert!(
        built
            .stderr
            .contains("techfile: warning: the bundle is built from changes that are not committed"),
        "{}",
        built.stderr
    );
    assert!(built.page("index.html").contains("(modified)"));
    // Without the version in the history, SOURCE_DATE_EPOCH is a build date, and says so.
    let book = book.edit("book/book.toml", |t| {
        t.replace("version = \"2.3\"\ndate", "version = \"2.2\"\ndate")
    });
    let index = book
        .mdbook()
        .epoch(EPOCH)
        .run()
        .expect_ok()
        .page("index.html");
    assert!(index.contains("\u{b7} built 2026-11-18</div>"), "the stamp");
    // require-clean refuses a bundle of uncommitted changes.
    let refused = book
        .edit("book/book.toml", |t| {
            t.replace("pdf = false", "pdf = false\nrequire-clean = true")
        })
        .build();
    assert!(!refused.success, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("require-clean is set"),
        "{}",
        refused.stderr
    );
}

#[test]
fn mdbook_serve_shows_findings_in_the_book_and_leaves_the_bundle_alone() {
    require!(Mdbook);
    let book = Book::fixture("clean").bundle("pdf = false");
    let bundle = book.build().expect_ok().bundle_dir();
    let before = files_with_ext(&bundle, "");
    let manifest = book.read("book/book/techfile/MANIFEST.sha256");
    // A mistake made while serving: `mdbook build` would fail on it.
    let book = book.edit("book/src/intro.md", |t| format!("{t}\n[x](nowhere.md)\n"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let served = book.mdbook().serve(port);
    let wait = Duration::from_secs(120);
    let intro = served.get("intro.html", wait);
    let findings = served.get("techfile/findings.html", wait);
    let log = served.stop();
    let intro = intro.unwrap_or_else(|| panic!("no page served\n{log}"));
    assert!(
        intro.contains("class=\"techfile-findings\""),
        "no banner\n{log}"
    );
    assert!(
        intro.contains("error[broken-link]"),
        "the page's own finding"
    );
    assert!(
        findings.is_some_and(|f| f.contains("error[broken-link]")),
        "the findings page\n{log}"
    );
    assert!(
        log.contains("`mdbook serve` does not write the bundle"),
        "{log}"
    );
    assert_eq!(book.read("book/book/techfile/MANIFEST.sha256"), manifest);
    assert_eq!(files_with_ext(&bundle, ""), before, "the bundle changed");
    book.run(&["verify", "book/book/techfile"]).expect_code(0);
}
/// The lines of a human report that carry places and wording: headers, locations, helps.
fn finding_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| {
            l.starts_with("error[")
                || l.starts_with("warning[")
                || l.trim_start().starts_with("┌─ ")
                || l.trim_start().starts_with("= help:")
        })
        .map(|l| l.trim().to_string())
        .collect()
}

/// Paths in findings have one base per run. `check` run in the book root and `mdbook build`
/// (mdBook runs the preprocessor in the book root) print the same findings at the same
/// places, and the build names its base once, first. The mixed case: a help naming the
/// file that failed to load gave it relative to the folder above the book while the
/// location was relative to the book root.
#[test]
fn check_in_the_book_root_and_mdbook_build_print_the_same_places() {
    require!(Mdbook);
    let book = Book::fixture("clean")
        .edit("requirements/REQ-SM-001.md", |t| {
            t.replace("owner =", "last-reviewed = 2026-02-30\nowner =")
        })
        .edit("sboms/firmware.cdx.json", |t| t.replacen('{', "{ oops", 1));
    let root = book.path("book");
    let checked = crate::common::run(&root, &["check", ".", "--color", "never"]);
    checked.expect_code(1);
    let built = book.build().expect_failure();
    let from_check = finding_lines(&checked.stdout);
    assert!(
        from_check
            .iter()
            .any(|l| l.contains("see the error reported in")),
        "{}",
        checked.stdout
    );
    assert_eq!(from_check, finding_lines(&built.stderr), "{}", built.stderr);
    // Every file a help names is where the location's base says: the book root.
    for line in &from_check {
        if let Some(rest) = line.split("see the error reported in `").nth(1) {
            let file = rest.split('`').next().unwrap();
            assert!(file.starts_with("../"), "{line}");
            assert!(root.join(file).is_file(), "{line}");
        }
    }
    // The build names its base, before the first finding, as an absolute path.
    let base = built
        .stderr
        .lines()
        .position(|l| l.starts_with("techfile: paths below are relative to the book root /"))
        .unwrap_or_else(|| panic!("no base line in {}", built.stderr));
    let first = built
        .stderr
        .lines()
        .position(|l| l.starts_with("error["))
        .unwrap();
    assert!(base < first, "{}", built.stderr);
    let named = built.stderr.lines().nth(base).unwrap()
        ["techfile: paths below are relative to the book root ".len()..]
        .split(" (")
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        std::fs::canonicalize(&named).ok(),
        std::fs::canonicalize(&root).ok(),
        "{named}"
    );
    // `check` from the folder above keeps one base too: its own folder.
    let above = book.check_human();
    for line in finding_lines(&above.stdout) {
        assert!(!line.contains("../"), "{line}");
    }
    // A build without findings prints no base line.
    let clean = Book::fixture("clean").build().expect_ok();
    assert!(!clean.stderr.contains("paths below"), "{}", clean.stderr);
}

/// git failing in a repository that is there (a broken `HEAD`, or a checkout git refuses as
/// "dubious ownership" because another user owns it) is told apart from a book outside git
/// by the `.git` entry, not by git's words: the note names the repository and quotes git.
/// The pages then say `commit unknown` and `date unknown`, as the README describes.
#[test]
fn git_failing_in_a_repository_is_not_called_no_repository() {
    require!(Mdbook, Git);
    let book = Book::fixture("clean")
        .bundle("pdf = false")
        .git_init()
        .commit("Issue 2.3");
    let root = std::fs::canonicalize(book.root()).unwrap();
    let build = |b: &Book| {
        b.mdbook()
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("LC_ALL", "C")
            .run()
            .expect_ok()
    };
    let expect_refused = |built: &crate::common::Built| {
        let stderr = &built.stderr;
        assert!(
            stderr.contains(&format!(
                "git could not read the repository at {} (git: ",
                root.display()
            )),
            "{stderr}"
        );
        assert!(!stderr.contains("not in a git repository"), "{stderr}");
        assert!(
            stderr.contains("so pages say `commit unknown`")
                && stderr.contains("so pages say `date unknown`"),
            "{stderr}"
        );
        let index = built.page("index.html");
        assert!(
            index.contains("commit unknown") && index.contains("date unknown"),
            "the stamp"
        );
    };
    // The same book, readable: the commit and its date.
    let fine = build(&book);
    assert!(!fine.stderr.contains("commit unknown"), "{}", fine.stderr);

    let head = book.path(".git/HEAD");
    let good_head = std::fs::read_to_string(&head).unwrap();
    std::fs::write(&head, "not a ref\n").unwrap();
    expect_refused(&build(&book));
    std::fs::write(&head, good_head).unwrap();

    // A real refusal needs a checkout owned by another user: possible as root (CI runs as
    // root). Elsewhere the broken HEAD above is the failure tested.
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if is_root {
        let chowned = Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(&root)
            .status()
            .expect("chown runs");
        assert!(chowned.success());
        let built = build(&book);
        expect_refused(&built);
        // git's own line, quoted as data (its language is fixed here by LC_ALL=C).
        assert!(
            built.stderr.contains("dubious ownership"),
            "{}",
            built.stderr
        );
    } else {
        eprintln!("not root: the `safe.directory` refusal is not reproduced, only a broken HEAD");
    }
}

/// A fresh `init` book in `mybook/` with broken inputs of every kind a finding can name:
/// an item whose front-matter is not TOML (REQ-APP-001), one without a closing `+++`,
/// an SBOM that is not JSON, and the references to them, spelt right and misspelt (issue 17,
/// F1 and F2).
fn book_with_broken_inputs() -> Book {
    use crate::common::item;
    let book = Book::empty();
    book.run(&["init", "mybook", "--device", "Pump"])
        .expect_code(0);
    let firmware =
        std::fs::read_to_string(crate::common::fixture("clean").join("sboms/firmware.cdx.json"))
            .unwrap();
    book.file(
        "mybook/requirements/mine/REQ-APP-001.md",
        item(
            "REQ-APP-001",
            "requirement",
            "One",
            &["last-reviewed = 2026-02-30", "derives-from = [\"MDCG-SD\"]"],
            "",
        ),
    )
    .file(
        "mybook/requirements/mine/REQ-APP-002.md",
        item(
            "REQ-APP-002",
            "requirement",
            "Two",
            &["derives-from = [\"MDCG-SD\"]"],
            "",
        ),
    )
    .file(
        "mybook/requirements/mine/CTL-APP-001.md",
        item(
            "CTL-APP-001",
            "control",
            "Links",
            &[
                "status = \"draft\"",
                "implements = [\"REQ-APP-01\", \"REQ-APP-001\"]",
            ],
            "",
        ),
    )
    .file(
        "mybook/requirements/mine/RSK-APP-001.md",
        item(
            "RSK-APP-001",
            "risk",
            "Risk",
            &["status = \"draft\"", "affects = [\"mbedtls\"]"],
            "",
        ),
    )
    .file(
        "mybook/requirements/mine/CTL-APP-002.md",
        "+++\nid = \"CTL-APP-002\"\nkind = \"control\"\n",
    )
    .file(
        "mybook/sboms/app.cdx.json",
        firmware.replacen('{', "{ oops", 1),
    )
    .edit("mybook/book/src/requirements.md", |t| {
        t + "\n{{#techfile ref REQ-APP-001}}\n\n{{#techfile ref REQ-APP-01}}\n\n\
             {{#techfile sbom app.cdx.jsn}}\n\n{{#techfile sbom app.cdx.json}}\n\n\
             {{#techfile ref CTL-APP-002}}\n"
    })
}

/// The lines of a human report that are the tool's words, not quoted source: snippet lines
/// (`12 │ text`) quote the user's file and are left out.
fn own_words(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| {
            l.split_once('│')
                .is_none_or(|(gutter, _)| gutter.trim().parse::<u32>().is_err())
        })
        .filter(|l| !l.starts_with("techfile: "))
        .collect()
}

/// Every path a human report's findings name: the locations (`┌─ path:line:column`) and
/// each quoted token in a message, label, help or note that is a path to a file (has a
/// folder and a file extension).
fn named_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in own_words(text) {
        if let Some(at) = line.trim_start().strip_prefix("┌─ ") {
            let file = at.rsplitn(3, ':').last().unwrap_or(at);
            out.push(file.to_string());
        }
        for (n, token) in line.split('`').enumerate() {
            let file_name = token.rsplit('/').next().unwrap_or(token);
            let is_path = n % 2 == 1
                && token.contains('/')
                && !token.contains(char::is_whitespace)
                && !token.contains(['{', ':', '*', '#'])
                && file_name.rsplit_once('.').is_some_and(|(stem, ext)| {
                    !stem.is_empty()
                        && !ext.is_empty()
                        && ext.chars().all(|c| c.is_ascii_alphanumeric())
                });
            if is_path {
                out.push(token.to_string());
            }
        }
    }
    out
}

/// Every path in a finding (message, labels, help, notes) has the base of its location:
/// `check mybook/book` from the folder above names files from there, `mdbook build` from
/// the book root. Before, messages and some helps named files relative to the folder that
/// holds the book whatever the run's base (issue 17, F1).
#[test]
fn every_path_in_a_finding_resolves_from_the_base_of_its_run() {
    require!(Mdbook);
    let book = book_with_broken_inputs();
    let parent = book.root().to_path_buf();
    let checked = crate::common::run(&parent, &["check", "mybook/book", "--color", "never"]);
    checked.expect_code(1);
    let root = book.path("mybook/book");
    let mut cmd = Command::new("mdbook");
    cmd.arg("build")
        .current_dir(&root)
        .env("MDBOOK_PREPROCESSOR__TECHFILE__COMMAND", crate::common::BIN)
        .env("GIT_CEILING_DIRECTORIES", &parent)
        .env_remove("SOURCE_DATE_EPOCH");
    let built = cmd.output().expect("mdbook runs");
    assert!(!built.status.success());
    let built = String::from_utf8_lossy(&built.stderr).into_owned();
    for (run, text, base) in [
        ("check", &checked.stdout, &parent),
        ("build", &built, &root),
    ] {
        // The broken inputs of every kind are there, each with its findings.
        for code in [
            "toml-syntax",
            "unclosed-front-matter",
            "sbom-json-syntax",
            "unknown-reference",
            "unknown-sbom",
            "unknown-component",
            "unknown-id",
        ] {
            assert!(
                text.contains(&format!("[{code}]")),
                "{run}: no {code} in {text}"
            );
        }
        let paths = named_paths(text);
        for broken in ["REQ-APP-001.md", "CTL-APP-002.md", "app.cdx.json"] {
            // In locations, and in words too (a message or a help names the file).
            let named = paths.iter().filter(|p| p.ends_with(broken)).count();
            assert!(named >= 3, "{run}: {broken} named {named} times in {text}");
        }
        for path in &paths {
            assert!(
                base.join(path).is_file(),
                "{run}: `{path}` is not a file from {}:\n{text}",
                base.display()
            );
        }
    }
}

/// A misspelt ID whose closest is an item that failed to load (REQ-APP-001) gets no
/// suggestion of a loaded item that is merely close too (REQ-APP-002): the finding says the
/// closest could not be read and points at its error, in a trace link and a `ref` directive
/// alike (issue 17, F2).
#[test]
fn a_misspelt_id_whose_item_failed_points_at_the_failure() {
    let book = book_with_broken_inputs();
    let checked = crate::common::check(&book.path("mybook"));
    checked.expect_code(1);
    let misspelt: Vec<_> = checked
        .findings
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains("`REQ-APP-01`"))
        .collect();
    let mut codes: Vec<&str> = misspelt
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        ["unknown-id", "unknown-reference"],
        "{}",
        checked.stdout
    );
    for f in misspelt {
        let help = f["help"].as_str().unwrap();
        assert!(!help.contains("REQ-APP-002"), "{help}");
        assert!(
            help.contains("`requirements/mine/REQ-APP-001.md`, which could not be read"),
            "{help}"
        );
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains("the closest, `REQ-APP-001`, could not be read"),
            "{f}"
        );
        assert!(
            related(f).contains(&"requirements/mine/REQ-APP-001.md:2".to_string()),
            "{f}"
        );
    }
}

/// The table cells of a page that are red gaps.
fn red_cells(page: &str) -> Vec<&str> {
    page.split("<td")
        .skip(1)
        .map(|c| c.split("</td>").next().unwrap_or(c))
        .filter(|c| c.contains("techfile-gap"))
        .collect()
}

/// The generated tables agree with the checks: red exactly where a check fails the build.
/// A fresh `init` book passes every check (its examples are drafts), so its traceability
/// chapter (summary, matrix, practices, Annex I checklist) has no red cell, only open work;
/// an approved requirement with no control is red there and fails `check` (issue 17, F4).
#[test]
fn the_tables_show_a_gap_exactly_where_a_check_fails() {
    require!(Mdbook);
    let book = Book::empty();
    book.run(&["init", ".", "--device", "Pump"]).expect_code(0);
    // The bundle renderer is not what this is about; it prints with Chromium.
    let book = book.edit("book/book.toml", |t| {
        t.replace(
            "[output.techfile]\ncommand = \"mdbook-techfile render\"",
            "",
        )
    });
    book.check().expect_code(0);
    let built = book.build().expect_ok();
    let page = built.page("traceability.html");
    assert_eq!(red_cells(&page), Vec::<&str>::new());
    assert!(page.contains("techfile-open"), "open work is shown");
    // A real gap: an approved requirement of a practice, with no control.
    let book = book.item(
        "REQ-GAP-001",
        "requirement",
        "Real gap",
        &["status = \"approved\"", "derives-from = [\"MDCG-SD\"]"],
        "",
    );
    let checked = book.check();
    checked.expect_code(1);
    assert_eq!(
        checked.codes(),
        ["requirement-not-implemented"],
        "{}",
        checked.stdout
    );
    let built = book.build().expect_failure();
    assert!(built.codes().contains(&"requirement-not-implemented"));
    // At `warn` the build goes on, and since no check fails it, nothing is red: the tables
    // show open work that names the requirement (issue 17, F3).
    let book = book.severity("requirement-not-implemented = \"warn\"");
    let built = book.build().expect_ok();
    assert_eq!(built.codes(), ["requirement-not-implemented"]);
    let page = built.page("traceability.html");
    assert_eq!(red_cells(&page), Vec::<&str>::new());
    assert!(
        page.contains("techfile-open\">open: REQ-GAP-001 has no control or procedure"),
        "the MDCG-SD practice: {page}"
    );
    assert!(
        page.contains("techfile-open\">no control or procedure"),
        "the matrix row of REQ-GAP-001: {page}"
    );
}

/// The practices table uses the coverage rule of the checks and the checklist: a practice
/// whose chain ends in an approved test not run is open, not covered (issue 17, F3).
#[test]
fn a_practice_whose_test_has_not_run_is_open_not_covered() {
    require!(Mdbook);
    let book = Book::fixture("clean")
        .item(
            "REQ-NR",
            "requirement",
            "Not run",
            &["status = \"approved\"", "derives-from = [\"MDCG-SUM\"]"],
            "",
        )
        .item(
            "CTL-NR",
            "control",
            "Control",
            &["status = \"approved\"", "implements = [\"REQ-NR\"]"],
            "",
        )
        .item(
            "TST-NR",
            "test",
            "Test",
            &[
                "status = \"approved\"",
                "verifies = [\"CTL-NR\"]",
                "result = \"not-run\"",
            ],
            "",
        )
        .chapter(
            "p.md",
            "Practices",
            "# Practices\n\n{{#techfile practices}}\n",
        );
    let built = book.build().expect_ok();
    let page = built.page("p.html");
    let row = page
        .split("<tr id=\"techfile-practice-mdcg-sum\">")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .unwrap_or_else(|| panic!("no MDCG-SUM row in {page}"));
    assert!(!row.contains("covered"), "{row}");
    assert!(
        row.contains("<span class=\"techfile-open\">open: TST-NR has not run</span>"),
        "{row}"
    );
}

/// A link to an item's file with the wrong folder (`../tests/TST-010.md` for an item in
/// `test/`): no item file is at that path, but its file name is an item's ID, or the file
/// name of exactly one item file, so the help names `{{#techfile ref ID}}` and says the path
/// is wrong, rather than "copy the file into src" (issue 17, F5).
#[test]
fn a_link_to_an_item_file_in_the_wrong_folder_names_the_item_and_the_wrong_path() {
    use crate::common::item;
    let run = Book::fixture("clean")
        .file(
            "requirements/test/TST-010.md",
            item(
                "TST-010",
                "test",
                "Second",
                &["verifies = [\"CTL-001\"]", "result = \"pass\""],
                "",
            ),
        )
        .file(
            "requirements/misc/network.md",
            item("REQ-NET", "requirement", "Net", &["status = \"draft\""], ""),
        )
        .chapter(
            "links.md",
            "Links",
            "# Links\n\n\
             [a](../../requirements/tests/TST-010.md)\n\n\
             [b](tests/TST-010.md)\n\n\
             [c](../../requirements/other/network.md)\n\n\
             [d](../../requirements/tests/TST-999.md)\n\n\
             [e](../../requirements/tests/TST-010.html)\n",
        )
        .check();
    let links = codes_and_helps(&run.findings, "book/src/links.md");
    assert_eq!(links.len(), 5, "{}", run.stdout);
    let expected = [
        ("link-outside-book", Some("TST-010")),
        ("broken-link", Some("TST-010")),
        ("link-outside-book", Some("REQ-NET")),
        ("link-outside-book", None),
        // Written with `.html`, as to the page the file would make: the item all the same.
        ("link-outside-book", Some("TST-010")),
    ];
    // Each says how the link names the item, in one sentence (issue 17).
    assert!(
        links[0].1.starts_with("no item file is at this path (the folder is wrong), but the file name is the ID of the item `TST-010`, whose file is not a page of the book;"),
        "{}",
        links[0].1
    );
    assert!(
        links[2].1.starts_with("no item file is at this path (the folder is wrong), but `network.md` is the file of the item `REQ-NET`, which is not a page of the book;"),
        "{}",
        links[2].1
    );
    for (_, help) in &links {
        assert!(!help.contains("item: `"), "{help}");
    }
    for ((code, help), (want_code, id)) in links.iter().zip(expected) {
        assert_eq!(code, want_code, "{}", run.stdout);
        match id {
            Some(id) => {
                assert!(
                    help.contains(&format!("`{{{{#techfile ref {id}}}}}`")),
                    "{id}: {help}"
                );
                assert!(help.starts_with("no item file is at this path"), "{help}");
            }
            // No item has that ID or file name: the ordinary help.
            None => assert!(help.contains("copy the file into src"), "{help}"),
        }
    }
}
