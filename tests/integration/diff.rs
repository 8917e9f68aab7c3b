//! `mdbook-techfile diff` on scratch git repositories, and the machine formats of `check`
//! (SARIF, GitHub annotations, GitLab Code Quality).
//!
//! Every repository is made in a temporary folder with `git init`, with a fixed author,
//! committer and dates and without the developer's global or system git configuration, so
//! commits (and their hashes) are the same on every machine.

use crate::common::{Book, Run, copy_dir, fixture, git_in, item, require};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `clean` fixture committed on `main` of a scratch repository.
fn clean_repo() -> Book {
    Book::fixture("clean")
        .git_init()
        .commit("base: the clean technical file")
}

/// Replaces the first `from` in a file of the book, which must hold it.
fn replace(book: Book, rel: &str, from: &str, to: &str) -> Book {
    book.edit(rel, |text| {
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        text.replacen(from, to, 1)
    })
}

/// `diff ARGS --book book --today 2026-11-29` in the repository.
fn diff(book: &Book, args: &[&str]) -> Run {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--book", "book", "--today", "2026-11-29"]);
    book.run_in_repo(&all)
}

/// `git status` and every tracked file's bytes: what must not change.
fn state(book: &Book) -> (String, Vec<(PathBuf, Vec<u8>)>) {
    let status = book.git(&["status", "--porcelain", "--untracked-files=all"]);
    let files = book
        .git(&["ls-files"])
        .lines()
        .map(|f| {
            let p = book.path(f);
            let bytes = fs::read(&p).unwrap_or_default();
            (p, bytes)
        })
        .collect();
    (status, files)
}

/// A new requirement that nothing implements: a new error.
fn new_requirement(book: Book) -> Book {
    book.file(
        "requirements/REQ-NEW-001.md",
        item(
            "REQ-NEW-001",
            "requirement",
            "New",
            &["derives-from = [\"MDCG-SM\"]"],
            "",
        ),
    )
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr))
}

fn schema(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("core/schemas")
        .join(name);
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn assert_valid(schema_file: &str, value: &serde_json::Value) {
    let schema = schema(schema_file);
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "breaks {schema_file}:\n{}",
        errors.join("\n")
    );
}

/// The one change of every kind the report knows, on top of the clean file.
fn change_everything(book: Book) -> Book {
    // A field and the body of a requirement.
    let book = replace(
        book,
        "requirements/REQ-SR-001.md",
        "status = \"approved\"",
        "status = \"in-review\"",
    )
    .edit("requirements/REQ-SR-001.md", |text| {
        format!(
            "{}\nThe list is reviewed at every release.\n",
            text.trim_end()
        )
    });
    // A rename, with the old ID in `replaces`; a link to the old ID follows it.
    let ctl = book.read("requirements/CTL-002.md");
    let mut book = book.remove("requirements/CTL-002.md").file(
        "requirements/CTL-AUTH-002.md",
        ctl.replacen(
            "id = \"CTL-002\"",
            "id = \"CTL-AUTH-002\"\nreplaces = \"CTL-002\"",
            1,
        ),
    );
    for name in ["TST-001.md", "TST-002.md"] {
        book = book.edit(&format!("requirements/tests/{name}"), |t| {
            t.replace("\"CTL-002\"", "\"CTL-AUTH-002\"")
        });
    }
    // A new requirement that nothing implements (a new error: it is no draft, whose gap
    // would be open work).
    let book = book.file(
        "requirements/REQ-NEW-001.md",
        item(
            "REQ-NEW-001",
            "requirement",
            "Sessions expire",
            &["status = \"in-review\"", "derives-from = [\"MDCG-SM\"]"],
            "Idle sessions end after 15 minutes.\n",
        ),
    );
    // The risk's residual estimate moves.
    replace(
        book,
        "requirements/RSK-001.md",
        "residual-exploitability = \"improbable\"",
        "residual-exploitability = \"remote\"",
    )
}

/// The SBOM edits: a version bump, a license written in another order with a new
/// supplier, and a removed component (the fixture's hostile one, whose name is HTML).
fn change_sbom(book: Book) -> Book {
    let path = "sboms/firmware.cdx.json";
    let mut v: serde_json::Value = serde_json::from_str(&book.read(path)).unwrap();
    let components = v["components"].as_array_mut().expect("components");
    assert_eq!(components[0]["name"], "mcuboot");
    components[0]["version"] = serde_json::json!("v2.2.0");
    components[0]["purl"] = serde_json::json!("pkg:github/mcu-tools/mcuboot@v2.2.0");
    assert_eq!(components[1]["name"], "mbedtls");
    components[1]["licenses"] =
        serde_json::json!([{"expression": "GPL-2.0-or-later OR Apache-2.0"}]);
    components[1]["supplier"] = serde_json::json!({"name": "Mbed TLS project"});
    components.pop();
    book.file(path, serde_json::to_string_pretty(&v).unwrap())
}

fn redact(text: &str, book: &Book, commits: &[(&str, &str)]) -> String {
    let mut t = text.replace(&book.root().display().to_string(), "<REPO>");
    for (hash, name) in commits {
        t = t.replace(hash, name).replace(&hash[..12], name);
    }
    t.replace(env!("CARGO_PKG_VERSION"), "<VERSION>")
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => "snapshots/diff",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn every_kind_of_change_between_two_commits() {
    require!(Git);
    let book = clean_repo();
    let base = book.head();
    let book = change_sbom(change_everything(book)).commit("head: every kind of change");
    let head = book.head();
    let before = state(&book);

    let md = diff(&book, &["main~1", "main"]);
    let js = diff(&book, &["main~1", "main", "--format", "json"]);
    assert_eq!(
        state(&book),
        before,
        "diff changes no file and no git state"
    );
    // The change adds errors, so the default gate fails it.
    md.expect_code(1);
    js.expect_code(1);
    let report = json(&js);
    assert_valid("diff.schema.json", &report);

    assert_eq!(report["base"]["commit"], base.as_str());
    assert_eq!(report["head"]["commit"], head.as_str());
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&report["items"]["added"]), ["REQ-NEW-001"]);
    assert!(ids(&report["items"]["removed"]).is_empty());
    assert_eq!(report["items"]["renamed"][0]["from"], "CTL-002");
    assert_eq!(report["items"]["renamed"][0]["item"]["id"], "CTL-AUTH-002");
    let changed = &report["items"]["changed"];
    let req = changed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["item"]["id"] == "REQ-SR-001")
        .expect("REQ-SR-001 changed");
    assert_eq!(req["fields"][0]["key"], "status");
    assert_eq!(req["fields"][0]["before"], "\"approved\"");
    assert_eq!(req["fields"][0]["after"], "\"in-review\"");
    assert_eq!(req["body"]["words_added"], 7);
    // The rename moved the tests' links with it: no link changed but the new item's.
    assert_eq!(
        report["links"]["added"],
        serde_json::json!([{"from": "REQ-NEW-001", "relation": "derives-from", "to": "MDCG-SM"}])
    );
    assert_eq!(report["links"]["removed"], serde_json::json!([]));
    assert_eq!(report["risks"][0]["id"], "RSK-001");
    assert_ne!(
        report["risks"][0]["residual"]["before"],
        report["risks"][0]["residual"]["after"]
    );
    let new: Vec<(&str, &str)> = report["findings"]["new"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["subject"].as_str().unwrap()))
        .collect();
    assert!(
        new.contains(&("requirement-not-implemented", "REQ-NEW-001")),
        "{new:?}"
    );
    let sbom = &report["sboms"][0];
    assert_eq!(sbom["sbom"], "firmware.cdx.json");
    assert_eq!(sbom["version_changed"][0]["before"], "v2.1.0");
    assert_eq!(sbom["version_changed"][0]["after"], "v2.2.0");
    assert_eq!(
        sbom["license_changed"],
        serde_json::json!([]),
        "the same expression"
    );
    assert_eq!(sbom["supplier_changed"][0]["after"], "Mbed TLS project");
    assert_eq!(
        sbom["removed"][0]["label"],
        "<img src=x onerror=alert(2)>@1&2"
    );
    // HTML from the SBOM stays text: only inside a code span.
    assert_eq!(
        md.stdout.matches("<img").count(),
        md.stdout
            .matches("`<img src=x onerror=alert(2)>@1&2`")
            .count(),
        "{}",
        md.stdout
    );
    assert_eq!(report["gate"]["failed"], true);

    let commits = [(base.as_str(), "<BASE>"), (head.as_str(), "<HEAD>")];
    snapshot("diff__markdown", &redact(&md.stdout, &book, &commits));
    snapshot("diff__json", &redact(&js.stdout, &book, &commits));
}

#[test]
fn the_working_tree_is_the_default_head_and_stays_untouched() {
    require!(Git);
    let book = replace(
        clean_repo(),
        "requirements/REQ-SR-001.md",
        "status = \"approved\"",
        "status = \"draft\"",
    );
    let before = state(&book);
    let r = diff(&book, &["main", "--format", "json"]);
    r.expect_code(0);
    assert_eq!(state(&book), before);
    let report = json(&r);
    assert_eq!(report["head"]["revision"], "working tree");
    assert_eq!(report["head"]["commit"], serde_json::Value::Null);
    assert_eq!(report["items"]["changed"][0]["item"]["id"], "REQ-SR-001");
    assert_eq!(
        report["items"]["changed"][0]["item"]["file"],
        "requirements/REQ-SR-001.md"
    );
    // Nothing changed at all: an empty report, exit 0.
    let r = diff(&clean_repo(), &["main"]);
    r.expect_code(0);
    assert!(r.stdout.contains("No change to items"), "{}", r.stdout);
}

#[test]
fn a_pull_request_is_compared_with_the_merge_base() {
    require!(Git);
    let book = clean_repo();
    book.git(&["checkout", "-q", "-b", "feature"]);
    let book = replace(
        book,
        "requirements/REQ-SR-001.md",
        "status = \"approved\"",
        "status = \"draft\"",
    )
    .commit("feature: a change");
    book.git(&["checkout", "-q", "main"]);
    let book = replace(
        book,
        "requirements/REQ-SM-001.md",
        "status = \"approved\"",
        "status = \"draft\"",
    )
    .commit("main moves on");
    let changed = |r: &Run| -> Vec<String> {
        json(r)["items"]["changed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["item"]["id"].as_str().unwrap().to_string())
            .collect()
    };
    // Against main itself, main's own change shows as undone by the feature.
    let plain = diff(&book, &["main", "feature", "--format", "json"]);
    assert_eq!(changed(&plain), ["REQ-SM-001", "REQ-SR-001"]);
    let pr = diff(
        &book,
        &["main", "feature", "--merge-base", "--format", "json"],
    );
    pr.expect_code(0);
    assert_eq!(changed(&pr), ["REQ-SR-001"]);
    assert!(
        json(&pr)["base"]["revision"]
            .as_str()
            .unwrap()
            .starts_with("merge base of main and feature")
    );
}

#[test]
fn the_gate_is_configurable() {
    require!(Git);
    let book = new_requirement(clean_repo());
    diff(&book, &["main"]).expect_code(1);
    let r = diff(&book, &["main", "--fail-on", "none"]);
    r.expect_code(0);
    assert!(
        r.stdout.contains("**Gate: passed** (fails on: nothing)"),
        "{}",
        r.stdout
    );
    diff(&book, &["main", "--fail-on", "new-suspect-links"]).expect_code(0);
    let bad = diff(&book, &["main", "--fail-on", "new-typos"]);
    bad.expect_code(2);
    assert!(
        bad.stderr.contains("unknown rule `new-typos`"),
        "{}",
        bad.stderr
    );

    // book.toml of the base decides when no flag does, and the change cannot loosen it.
    let book = clean_repo()
        .toml("[preprocessor.techfile.diff]\nfail-on = [\"new-warnings\"]\n")
        .commit("a gate on warnings only");
    let book = new_requirement(book).edit("book/book.toml", |t| {
        t.replace("fail-on = [\"new-warnings\"]", "fail-on = []")
    });
    let r = diff(&book, &["main", "--format", "json"]);
    r.expect_code(0);
    assert_eq!(
        json(&r)["gate"]["rules"],
        serde_json::json!(["new-warnings"])
    );
    // Errors that were there before the change do not fail it.
    let book = new_requirement(clean_repo()).commit("an error on main");
    diff(&book, &["main"]).expect_code(0);
    diff(&book, &["main", "--fail-on", "errors"]).expect_code(1);
}

#[test]
fn a_gate_setting_with_a_typo_is_a_finding_of_the_head() {
    require!(Git);
    let book = clean_repo().toml("[preprocessor.techfile.diff]\nfail-on = [\"new-eror\"]\n");
    let r = diff(&book, &["main"]);
    r.expect_code(2);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("error[config-invalid-value]: unknown gate rule `new-eror`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("book/book.toml:8:12"), "{}", r.stderr);
    assert!(
        r.stderr.contains("did you mean `new-errors`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn github_annotations_name_the_new_findings_only() {
    require!(Git);
    let book = new_requirement(clean_repo());
    let r = diff(&book, &["main", "--format", "github"]);
    r.expect_code(1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with(
            "::error file=requirements/REQ-NEW-001.md,line=2,endLine=2,col=6,endColumn=19,title=techfile requirement-not-implemented::"
        ),
        "{}",
        r.stdout
    );
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("::notice title=techfile gate::1 error introduced")
    );
    assert_eq!(lines.len(), 2, "{}", r.stdout);
}

#[test]
fn a_book_missing_at_the_base_is_all_new() {
    require!(Git);
    let book = Book::empty()
        .git_init()
        .file("README.md", "nothing yet\n")
        .commit("before the technical file");
    copy_dir(&fixture("clean"), book.root());
    let r = diff(&book, &["main", "--format", "json"]);
    r.expect_code(0);
    let report = json(&r);
    assert_valid("diff.schema.json", &report);
    assert_eq!(report["base"]["state"], "absent");
    assert_eq!(report["items"]["removed"], serde_json::json!([]));
    assert!(report["items"]["added"].as_array().unwrap().len() >= 10);
    assert!(
        report["sboms"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["state"] == "added")
    );
    let md = diff(&book, &["main"]);
    assert!(
        md.stdout.contains("The book does not exist at `main`"),
        "{}",
        md.stdout
    );
}

#[test]
fn an_invalid_base_configuration_is_reported_and_the_head_still_analysed() {
    require!(Git);
    let book = clean_repo();
    let good = book.read("book/book.toml");
    let book = book
        .config("no-such-key = true")
        .commit("a broken configuration")
        .file("book/book.toml", &good);
    let r = diff(&book, &["main", "--format", "json"]);
    let report = json(&r);
    assert_eq!(report["base"]["state"], "invalid");
    // The finding at its place in the base's book.toml.
    assert_eq!(
        report["base"]["problem"],
        "book/book.toml:6:1: error[config-unknown-key]: unknown key `no-such-key` in [preprocessor.techfile]"
    );
    assert_eq!(report["head"]["state"], "analysed");
    assert!(!report["items"]["added"].as_array().unwrap().is_empty());
    // In Markdown, escaped for Markdown only: the names as code, nothing doubled.
    let md = diff(&book, &["main"]);
    assert!(
        md.stdout.contains(
            "> The book at `main` could not be analysed: book/book.toml:6:1: error[config-unknown-key]: unknown key `no-such-key` in [preprocessor.techfile]\n"
        ),
        "{}",
        md.stdout
    );
}

#[test]
fn a_book_toml_mdbook_rejects_is_named_at_its_place() {
    require!(Git);
    // At the base: reported in the comparison, at its line and column; the head is still
    // analysed.
    let book = clean_repo();
    let good = book.read("book/book.toml");
    let book = replace(
        book,
        "book/book.toml",
        "title = \"Clean technical file\"",
        "title = 3",
    )
    .commit("a title mdBook cannot read")
    .file("book/book.toml", &good);
    let r = diff(&book, &["main", "--format", "json"]);
    let report = json(&r);
    assert_eq!(report["base"]["state"], "invalid");
    assert_eq!(
        report["base"]["problem"],
        "book/book.toml:2:9: mdBook cannot read this configuration: invalid type: integer `3`, expected a string"
    );
    assert_eq!(report["head"]["state"], "analysed");
    let md = diff(&book, &["main"]);
    assert!(
        md.stdout.contains(
            "could not be analysed: book/book.toml:2:9: mdBook cannot read this configuration: invalid type: integer `3`, expected a string\n"
        ),
        "{}",
        md.stdout
    );
    // At the head: no comparison can be made, a usage error (exit 2) with no report, on
    // stdout or in --json-output, and the message names the place.
    let book = replace(
        book,
        "book/book.toml",
        "title = \"Clean technical file\"",
        "title = 3",
    );
    let r = diff(&book, &["main", "--json-output", "report.json"]);
    r.expect_code(2);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr.contains(
            "book/book.toml:2:9: mdBook cannot read this configuration: invalid type: integer `3`, expected a string"
        ),
        "{}",
        r.stderr
    );
    assert!(!book.path("report.json").exists());
    // `check` names it alike.
    let checked = book.check_human();
    checked.expect_code(2);
    assert!(
        checked
            .stderr
            .contains("book/book.toml:2:9: mdBook cannot read this configuration"),
        "{}",
        checked.stderr
    );
}

#[test]
fn bad_revisions_and_places_are_usage_errors() {
    require!(Git);
    let book = clean_repo();
    let r = diff(&book, &["no-such-branch"]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("unknown revision `no-such-branch`"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    let r = diff(&book, &["--", "-x"]);
    assert_eq!(r.code, Some(2), "{r:?}");

    let plain = Book::fixture("clean");
    let r = plain.run_in_repo(&["diff", "main", "--book", "book"]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("is not inside a git repository"),
        "{}",
        r.stderr
    );

    let r = book.run_in_repo(&["diff", "main", "--book", "book", "--today", "29.11.2026"]);
    r.expect_code(2);
    assert!(r.stderr.contains("write YYYY-MM-DD"), "{}", r.stderr);

    let r = book.run_in_repo(&["diff", "main", "--book", "nowhere"]);
    r.expect_code(2);
    assert!(r.stderr.contains("no book.toml"), "{}", r.stderr);
}

#[test]
fn a_shallow_clone_says_to_fetch_the_history() {
    require!(Git);
    let book = replace(
        clean_repo(),
        "requirements/REQ-SR-001.md",
        "status = \"approved\"",
        "status = \"draft\"",
    )
    .commit("second");
    let clone = Book::empty();
    let url = format!("file://{}", book.root().display());
    git_in(clone.root(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let mut cmd = crate::common::command(&clone.path("c"));
    crate::common::isolate_git(&mut cmd, clone.root());
    let r = Run::from(
        cmd.args(["diff", "HEAD~1", "--book", "book"])
            .output()
            .expect("binary runs"),
    );
    r.expect_code(2);
    assert!(r.stderr.contains("shallow"), "{}", r.stderr);
    assert!(r.stderr.contains("fetch-depth: 0"), "{}", r.stderr);
    assert!(r.stderr.contains("git fetch --deepen"), "{}", r.stderr);
}

/// REQ-A ← CTL-1 ← TST-1 on `main`, both links reviewed by the security architect.
fn reviewed_chain() -> Book {
    let book = Book::new("coverage.practice = false")
        .item(
            "REQ-A",
            "requirement",
            "Authenticate users",
            &["derives-from = [\"MDCG-SM\"]"],
            "Every user is authenticated.\n",
        )
        .item(
            "CTL-1",
            "control",
            "One-time codes",
            &["implements = [\"REQ-A\"]"],
            "The login asks for a code.\n",
        )
        .item(
            "TST-1",
            "test",
            "Login test",
            &["verifies = [\"CTL-1\"]", "result = \"pass\""],
            "Log in without a code.\n",
        )
        .git_init()
        .commit("the chain");
    review(&book, &["CTL-1", "TST-1"]).expect_code(0);
    book.commit("review of the chain")
}

/// `mdbook-techfile review IDS` by the security architect, at a fixed time.
fn review(book: &Book, ids: &[&str]) -> Run {
    let mut args = vec!["review", "--book", "book", "--role", "Security architect"];
    args.extend_from_slice(ids);
    let mut cmd = crate::common::command(book.root());
    crate::common::isolate_git(&mut cmd, book.root());
    cmd.env("SOURCE_DATE_EPOCH", "1795000000");
    Run::from(cmd.args(&args).output().expect("binary runs"))
}

#[test]
fn a_pull_request_makes_links_suspect_and_the_review_clears_them() {
    require!(Git);
    // The author changes the requirement on a branch.
    let book = reviewed_chain();
    book.git(&["checkout", "-q", "-b", "feature"]);
    let book = replace(
        book,
        "requirements/REQ-A.md",
        "Every user is authenticated.",
        "Every user and every device is authenticated.",
    )
    .commit("authenticate devices too");

    // CI: both links below the requirement are suspect now, and the gate says so.
    let md = diff(&book, &["main", "feature", "--merge-base"]);
    md.expect_code(1);
    let js = diff(
        &book,
        &["main", "feature", "--merge-base", "--format", "json"],
    );
    js.expect_code(1);
    let report = json(&js);
    assert_valid("diff.schema.json", &report);
    let created = report["suspect_links"]["created"].as_array().unwrap();
    let links: Vec<(&str, &str)> = created
        .iter()
        .map(|l| (l["item"].as_str().unwrap(), l["upstream"].as_str().unwrap()))
        .collect();
    assert_eq!(links, [("CTL-1", "REQ-A"), ("TST-1", "CTL-1")]);
    // The root says what changed since the review; the link below names its root.
    assert_eq!(created[0]["changes"][0]["field"], "body");
    assert_eq!(
        created[0]["changes"][0]["word_diff"],
        "Every user {+and every device +}is authenticated."
    );
    assert_eq!(created[1]["roots"], serde_json::json!([["CTL-1", "REQ-A"]]));
    assert_eq!(
        report["gate"]["reasons"],
        serde_json::json!([
            "2 new suspect or unreviewed links left unreviewed (record the review with `mdbook-techfile review`)"
        ])
    );
    let base = book.git(&["rev-parse", "main"]);
    let head = book.head();
    let commits = [(base.as_str(), "<BASE>"), (head.as_str(), "<HEAD>")];
    snapshot("diff__suspects", &redact(&md.stdout, &book, &commits));

    // The reviewer reviews the items below the change on the branch.
    review(&book, &["--all-suspect"]).expect_code(0);
    let book = book.commit("review after the change");
    let r = diff(
        &book,
        &["main", "feature", "--merge-base", "--format", "json"],
    );
    r.expect_code(0);
    let report = json(&r);
    assert_eq!(report["suspect_links"]["created"], serde_json::json!([]));
    let recorded = report["suspect_links"]["recorded"].as_array().unwrap();
    assert_eq!(recorded.len(), 1, "{report}");
    assert_eq!(recorded[0]["reviewer"], "Test Author");
    assert_eq!(recorded[0]["links"], 2);
    // Seen from the commit before the review, the review cleared both links.
    let r = diff(&book, &["feature~1", "feature", "--format", "json"]);
    r.expect_code(0);
    let cleared: Vec<(String, String)> = json(&r)["suspect_links"]["cleared"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["item"].as_str().unwrap().to_string(),
                c["now"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        cleared,
        [
            ("CTL-1".to_string(), "current".to_string()),
            ("TST-1".to_string(), "current".to_string())
        ]
    );
}

#[test]
fn a_new_link_in_a_reviewed_book_is_pending_until_reviewed() {
    require!(Git);
    let book = reviewed_chain().item(
        "CTL-2",
        "control",
        "Passkeys",
        &["implements = [\"REQ-A\"]"],
        "",
    );
    let r = diff(&book, &["main", "--format", "json"]);
    r.expect_code(1);
    let report = json(&r);
    assert_eq!(
        report["suspect_links"]["created"][0]["state"], "pending",
        "{report}"
    );
    assert_eq!(report["suspect_links"]["created"][0]["item"], "CTL-2");
    assert!(
        report["gate"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r
                .as_str()
                .unwrap()
                .starts_with("1 new suspect or unreviewed link")),
        "{report}"
    );
    // Once reviewed, the new link is no longer left to review.
    review(&book, &["CTL-2"]).expect_code(0);
    let r = diff(
        &book,
        &["main", "--fail-on", "new-suspect-links", "--format", "json"],
    );
    r.expect_code(0);
    assert_eq!(json(&r)["suspect_links"]["created"], serde_json::json!([]));
}

/// Finds the findings' fingerprints in a SARIF log.
fn fingerprints(sarif: &serde_json::Value) -> Vec<(String, String)> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["techfileKey/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn check_writes_valid_sarif_with_fingerprints_that_survive_moved_lines() {
    let book = Book::fixture("clean").file(
        "requirements/REQ-NEW-001.md",
        item(
            "REQ-NEW-001",
            "requirement",
            "New",
            &["derives-from = [\"MDCG-SM\", \"NOPE-1\"]"],
            "",
        ),
    );
    let r = book.run(&["check", "book", "--format", "sarif"]);
    r.expect_code(1);
    let sarif: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_valid("sarif-schema-2.1.0.json", &sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let unknown = results
        .iter()
        .find(|r| r["ruleId"] == "unknown-id")
        .expect("the unknown ID is a result");
    let loc = &unknown["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "requirements/REQ-NEW-001.md"
    );
    assert_eq!(loc["region"]["startLine"], 5);
    let first = fingerprints(&sarif);

    // Lines added above every finding move them, but no fingerprint changes.
    let book = book.edit("requirements/REQ-NEW-001.md", |text| {
        text.replacen("+++\n", "+++\n# moved\n\n", 1)
    });
    let moved: serde_json::Value =
        serde_json::from_str(&book.run(&["check", "book", "--format", "sarif"]).stdout).unwrap();
    assert_eq!(fingerprints(&moved), first);
    let unknown = moved["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "unknown-id")
        .unwrap();
    assert_eq!(
        unknown["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );
    let unique: std::collections::BTreeSet<&String> = first.iter().map(|(_, f)| f).collect();
    assert_eq!(unique.len(), first.len(), "fingerprints are unique");
}

#[test]
fn check_writes_github_annotations_and_gitlab_code_quality() {
    let book = Book::fixture("clean").file(
        "requirements/REQ-NEW-001.md",
        item(
            "REQ-NEW-001",
            "requirement",
            "New",
            &["derives-from = [\"MDCG-SM\", \"NOPE-1\"]"],
            "",
        ),
    );
    let gh = book.run(&["check", "book", "--format", "github"]);
    gh.expect_code(1);
    assert!(
        gh.stdout
            .lines()
            .all(|l| l.starts_with("::error ") || l.starts_with("::warning ")),
        "{}",
        gh.stdout
    );
    assert!(
        gh.stdout
            .contains("file=requirements/REQ-NEW-001.md,line=5,"),
        "{}",
        gh.stdout
    );

    let gl = book.run(&["check", "book", "--format", "gitlab"]);
    gl.expect_code(1);
    let report: serde_json::Value = serde_json::from_str(&gl.stdout).unwrap();
    let entries = report.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{report}");
    for e in entries {
        assert_eq!(e["severity"], "critical");
        assert_eq!(e["location"]["path"], "requirements/REQ-NEW-001.md");
        assert!(e["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert_eq!(e["fingerprint"].as_str().unwrap().len(), 64);
    }
}

#[test]
fn machine_formats_of_check_keep_other_output_off_stdout() {
    // A configuration error is no SARIF document: stdout stays empty, stderr says why.
    let r = Book::fixture("clean")
        .config("itemz = []")
        .run(&["check", "book", "--format", "sarif"]);
    r.expect_code(2);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(r.stderr.contains("config-unknown-key"), "{}", r.stderr);
    // The list of external links goes to stderr, so stdout stays one SARIF document.
    let r = Book::fixture("clean").run(&["check", "book", "--format", "sarif", "--external-links"]);
    r.expect_code(0);
    let sarif: serde_json::Value = serde_json::from_str(&r.stdout).expect("stdout is SARIF");
    assert_valid("sarif-schema-2.1.0.json", &sarif);
    assert!(r.stderr.contains("to outside the book"), "{}", r.stderr);
}

#[test]
fn the_ci_script_runs_on_a_scratch_repository() {
    require!(Git);
    let book = clean_repo();
    book.git(&["checkout", "-q", "-b", "feature"]);
    let book = new_requirement(book).commit("feature: a requirement without a control");
    let out = tempfile::tempdir().unwrap();
    let summary = out.path().join("summary.md");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/techfile-pr.sh");
    let bin_dir = Path::new(crate::common::BIN).parent().unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(&script).current_dir(book.root());
    crate::common::isolate_git(&mut cmd, book.root());
    let result = cmd
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("TECHFILE_BASE", "main")
        .env("TECHFILE_BOOK", "book")
        .env("TECHFILE_OUT", out.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(
        result.status.code(),
        Some(1),
        "the gate fails the change\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("::error file=requirements/REQ-NEW-001.md"),
        "{stdout}"
    );
    let md = fs::read_to_string(&summary).expect("the job summary is written");
    assert!(md.contains("**Gate: failed.**"), "{md}");
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.path().join("techfile-diff.json")).unwrap())
            .unwrap();
    assert_valid("diff.schema.json", &report);
    assert_eq!(report["items"]["added"][0]["id"], "REQ-NEW-001");
}

/// One gathered input, as comparable values: display name, book path, bytes or error.
type File = (String, String, Result<Vec<u8>, String>);

/// One evidence file, as a comparable value: display name, book path, path in the evidence
/// folder, size and SHA-256 or error, bytes (JUnit reports) or error.
type EvidenceFile = (
    String,
    String,
    String,
    Result<(u64, String), String>,
    Option<Result<Vec<u8>, String>>,
);

/// The inputs of a gathering, as comparable values.
#[derive(Debug, PartialEq)]
struct Gathered {
    items: Vec<File>,
    sboms: Vec<File>,
    reviews: Vec<File>,
    support: Vec<File>,
    /// Each advisory folder's book path and its files (every file: the core reports those
    /// that are not records), or why it cannot be listed.
    advisories: Vec<(String, Result<Vec<File>, String>)>,
    vex: Vec<File>,
    evidence: Vec<EvidenceFile>,
    /// Name, path, source and given text of each chapter.
    chapters: Vec<(String, String, Option<String>, Option<String>)>,
    src_files: std::collections::BTreeSet<String>,
    included: Vec<(String, File)>,
}

/// The inputs of the book under `root` (resolved) gathered from the disk and from `commit`,
/// which must be identical: the disk's.
fn gathered_alike(root: &Path, commit: &str) -> Gathered {
    let repo = mdbook_techfile::gittree::Repo::discover(root).unwrap();
    let git = gathered(
        &mdbook_techfile::gittree::GitTree::at(&repo, commit).unwrap(),
        root,
    );
    let disk = gathered(
        &mdbook_techfile::tree::FsTree::for_book(&root.join("book")),
        root,
    );
    assert_eq!(disk, git);
    disk
}

fn gathered(tree: &dyn mdbook_techfile::tree::Tree, root: &Path) -> Gathered {
    use mdbook_techfile::gather::{Chapters, Names, gather_tree, input_error_text};
    let book = root.join("book");
    let names = Names {
        cwd: root.to_path_buf(),
        project: root.to_path_buf(),
    };
    let loaded = mdbook_techfile::bookconfig::load_from(tree, &book, &names).unwrap();
    let book_config = mdbook_techfile::bookconfig::book_config(&loaded.book_toml).unwrap();
    let (inputs, _, _) = gather_tree(
        tree,
        &book,
        &book_config,
        loaded,
        &names,
        Chapters::FromSummary,
    )
    .unwrap();
    let file = |i: &mdbook_techfile::core::load::Input| {
        (
            i.name.clone(),
            i.path.clone(),
            i.content.clone().map_err(|e| input_error_text(&e)),
        )
    };
    Gathered {
        items: inputs.items.iter().map(file).collect(),
        sboms: inputs.sboms.iter().map(|s| file(&s.input)).collect(),
        reviews: inputs.reviews.iter().map(file).collect(),
        support: inputs.support.iter().map(file).collect(),
        advisories: inputs
            .advisories
            .iter()
            .map(|d| {
                let files = d.files.as_ref().map(|files| {
                    files
                        .iter()
                        .map(|f| {
                            (
                                f.name.clone(),
                                f.rel.clone(),
                                f.content.clone().map_err(|e| input_error_text(&e)),
                            )
                        })
                        .collect()
                });
                (d.path.clone(), files.map_err(Clone::clone))
            })
            .collect(),
        vex: inputs.vex.iter().map(file).collect(),
        evidence: inputs
            .evidence
            .iter()
            .map(|e| {
                (
                    e.name.clone(),
                    e.path.clone(),
                    e.rel.clone(),
                    e.digest.clone().map_err(|e| input_error_text(&e)),
                    e.content
                        .clone()
                        .map(|c| c.map_err(|e| input_error_text(&e))),
                )
            })
            .collect(),
        chapters: inputs
            .book
            .chapters
            .iter()
            .map(|c| {
                (
                    c.file.name.clone(),
                    c.path.clone(),
                    c.source.clone(),
                    c.text.clone(),
                )
            })
            .collect(),
        src_files: inputs.book.src_files.clone(),
        included: inputs
            .book
            .included
            .iter()
            .map(|(k, v)| (k.clone(), file(v)))
            .collect(),
    }
}

#[test]
fn the_disk_and_a_commit_are_gathered_with_one_policy() {
    require!(Git);
    let req = |id: &str| {
        item(
            id,
            "requirement",
            "R",
            &["derives-from = [\"MDCG-SM\"]"],
            "",
        )
    };
    let book = clean_repo()
        // Sorting by path components: `a/` holds files that sort before `a.md`.
        .file("requirements/a.md", req("REQ-A"))
        .file("requirements/a/z.md", req("REQ-AZ"))
        .file("requirements/a-b.md", req("REQ-AB"))
        .file("requirements/.hidden/REQ-H.md", req("REQ-H"))
        .file("requirements/notes.txt", "not an item\n")
        // Not items, by the default exclusions and an `exclude` pattern.
        .file("requirements/README.md", "# About these items\n")
        .file("requirements/_template.md", req("REQ-TEMPLATE"))
        .config("exclude = [\"scratch/\"]")
        .file("requirements/scratch/REQ-S.md", req("REQ-S"))
        .file("requirements/.md", "a hidden file with no name\n")
        .file("sboms/.cache/x.json", "{}")
        .file("sboms/nested/README.md", "not an SBOM\n")
        .file("book/src/images/.keep", "")
        .file("book/src/images/logo.svg", "<svg/>")
        // Review records: `*.toml` under `reviews`, hidden ones left out.
        .file("reviews/20261101T120000Z-x.toml", "reviewer = \"X\"\n")
        .file("reviews/.draft.toml", "reviewer = \"Y\"\n")
        // Includes, followed to the files they include; one names a file that is not there.
        .file(
            "book/src/intro.md",
            "# Intro\n\n{{#include shared/a.md}}\n\n{{#include shared/missing.md}}\n",
        )
        .file("book/src/shared/a.md", "A, then {{#include b.md:2}}\n")
        .file("book/src/shared/b.md", "line 1\nline 2\n")
        // A chapter SUMMARY.md lists that does not exist: mdBook creates it.
        .edit("book/src/SUMMARY.md", |s| {
            format!("{s}- [Later](later.md)\n")
        })
        // Larger than max-file-size: refused by size, on both sides, before reading.
        .file("requirements/big.md", "x".repeat(4 * 1024 * 1024 + 1))
        // Support tables: `*.toml`, hidden ones left out. Advisory folders: every file but
        // hidden ones (the core reports what is not a record). VEX folders: `*.json`.
        .config("advisories = [\"../advisories\"]\nvex = [\"../vex\"]")
        .file("support/vendor.toml", "[[component]]\n")
        .file("support/.draft.toml", "[[component]]\n")
        .file("support/notes.md", "not a table\n")
        .file("advisories/RUSTSEC-2026-0001.json", "{}")
        .file("advisories/README.md", "not a record\n")
        .file("advisories/.cache/x.json", "{}")
        .file("vex/psirt.openvex.json", "{}")
        .file("vex/notes.md", "not a document\n")
        .file("vex/.old.json", "{}")
        // Evidence: every file but hidden ones, hashed; JUnit reports read whole up to
        // their limit, a larger one hashed but not read.
        .toml("[preprocessor.techfile.evidence]\nmax-junit-size = 100\n")
        .file("evidence/junit/app.xml", "<testsuites/>\n")
        .file(
            "evidence/junit/huge.xml",
            format!("<testsuites>{}</testsuites>\n", " ".repeat(200)),
        )
        .file("evidence/reports/r.pdf", vec![0u8, 1, 2, 255])
        .file("evidence/.scratch.md", "hidden\n")
        .commit("policy edge cases");
    let commit = book.head();
    let root = fs::canonicalize(book.root()).unwrap();
    let disk = gathered_alike(&root, &commit);
    let names: Vec<&str> = disk.items.iter().map(|i| i.1.as_str()).collect();
    let at = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert!(
        at("requirements/a/z.md") < at("requirements/a-b.md")
            && at("requirements/a-b.md") < at("requirements/a.md"),
        "{names:?}"
    );
    assert!(
        !names
            .iter()
            .any(|n| n.contains(".hidden") || n.ends_with(".txt"))
    );
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with("README.md") || n.contains("_template") || n.contains("scratch/")),
        "{names:?}"
    );
    assert!(
        matches!(&disk.items.iter().find(|i| i.1 == "requirements/big.md").unwrap().2, Err(e) if e.contains("more than the limit"))
    );
    let records: Vec<&str> = disk.reviews.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(records, ["reviews/20261101T120000Z-x.toml"]);
    let later = disk
        .chapters
        .iter()
        .find(|c| c.1 == "later.md")
        .expect("listed");
    assert_eq!(
        later.3.as_deref(),
        Some("# Later\n"),
        "made up as mdBook would"
    );
    let included: Vec<&str> = disk.included.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(included, ["shared/a.md", "shared/b.md"]);
    assert!(
        disk.src_files.contains("images/.keep"),
        "mdBook copies hidden files under src"
    );
    let paths = |files: &[File]| files.iter().map(|f| f.1.clone()).collect::<Vec<_>>();
    assert_eq!(paths(&disk.support), ["support/vendor.toml"]);
    let advisories: Vec<(&str, Vec<&str>)> = disk
        .advisories
        .iter()
        .map(|(dir, files)| {
            (
                dir.as_str(),
                files
                    .as_ref()
                    .unwrap()
                    .iter()
                    .map(|f| f.1.as_str())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        advisories,
        [("advisories", vec!["README.md", "RUSTSEC-2026-0001.json"])]
    );
    assert_eq!(paths(&disk.vex), ["vex/psirt.openvex.json"]);
    let evidence: Vec<(&str, bool)> = disk
        .evidence
        .iter()
        .map(|e| (e.2.as_str(), matches!(e.4, Some(Ok(_)))))
        .collect();
    assert_eq!(
        evidence,
        [
            ("junit/app.xml", true),
            ("junit/huge.xml", false),
            ("reports/r.pdf", false)
        ]
    );
    let huge = &disk.evidence[1];
    assert!(
        matches!(&huge.4, Some(Err(e)) if e.contains("more than the limit")),
        "{huge:?}"
    );
    assert_eq!(
        huge.3.as_ref().unwrap().0,
        226,
        "a report too large to read is still hashed"
    );
    assert_eq!(
        disk.evidence[2].3,
        Ok((
            4,
            mdbook_techfile::core::digest::sha256_hex(&[0u8, 1, 2, 255])
        ))
    );
}

#[test]
fn the_date_checks_judge_both_versions_on_one_day() {
    require!(Git);
    let book = Book::fixture("clean-lifecycle")
        .git_init()
        .commit("base: a released device");
    // The change ends OpenSSL's support earlier and edits a test report after its hash
    // was recorded.
    let book = replace(
        book,
        "support/crates.toml",
        "end-of-support = 2028-09-07",
        "end-of-support = 2026-06-30",
    )
    .edit("evidence/reports/lockout.md", |t| format!("{t}Re-run.\n"));
    let new_codes = |day: &str| {
        let run = book.run_in_repo(&[
            "diff", "main", "--book", "book", "--format", "json", "--today", day,
        ]);
        let report = json(&run);
        assert_valid("diff.schema.json", &report);
        assert_eq!(report["today"], day);
        let codes = |list: &str| {
            let mut c: Vec<String> = report["findings"][list]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["code"].as_str().unwrap().to_string())
                .collect();
            c.sort();
            c
        };
        (codes("new"), codes("unchanged"))
    };
    // Between the two ends of support, the change makes the component's support end.
    assert_eq!(
        new_codes("2026-11-29"),
        (
            vec![
                "component-end-of-support".to_string(),
                "evidence-changed".to_string()
            ],
            vec![]
        )
    );
    // Before both, no date finding; after both, the base version is past its end of
    // support too on that day (as is Zephyr's, from its SBOM), so the finding is not the
    // change's.
    assert_eq!(
        new_codes("2026-01-01"),
        (vec!["evidence-changed".to_string()], vec![])
    );
    assert_eq!(
        new_codes("2028-10-01"),
        (
            vec!["evidence-changed".to_string()],
            vec!["component-end-of-support".to_string(); 2]
        )
    );
    // `check` judges no date unless it is given one: a build never depends on the day.
    let checked = crate::common::Checked::from(book.run(&["check", "book", "--format", "json"]));
    assert_eq!(checked.codes(), ["evidence-changed"]);
}

#[test]
fn threat_model_links_are_compared_like_trace_links() {
    require!(Git);
    let book = Book::fixture("clean-threat-model")
        .git_init()
        .commit("base: a threat model");
    let book = replace(book, "requirements/RSK-1.md", ", \"ACT-RADIO\"]", "]");
    let book = replace(
        book,
        "requirements/DF-1.md",
        "assets = [\"AST-ECG\"]",
        "assets = [\"AST-ECG\", \"AST-KEY\"]",
    );
    let run = diff(&book, &["main", "--format", "json", "--fail-on", "none"]);
    run.expect_code(0);
    let report = json(&run);
    assert_valid("diff.schema.json", &report);
    let links = |list: &str| -> Vec<(String, String, String)> {
        report["links"][list]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let s = |k: &str| l[k].as_str().unwrap().to_string();
                (s("from"), s("relation"), s("to"))
            })
            .collect()
    };
    let link = |f: &str, r: &str, t: &str| (f.to_string(), r.to_string(), t.to_string());
    assert_eq!(links("added"), [link("DF-1", "assets", "AST-KEY")]);
    assert_eq!(links("removed"), [link("RSK-1", "elements", "ACT-RADIO")]);
    // Every relation the model knows is a value the schema allows.
    let schema = schema("diff.schema.json");
    let allowed: Vec<&str> = schema["$defs"]["link"]["properties"]["relation"]["enum"]
        .as_array()
        .expect("the schema lists the relations")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for r in mdbook_techfile::core::model::Relation::ALL {
        assert!(
            allowed.contains(&r.key()),
            "{} is not in the schema",
            r.key()
        );
    }
}

#[test]
fn a_misspelt_item_folder_in_a_revision_is_one_configuration_error() {
    require!(Git);
    let book = clean_repo()
        .edit("book/book.toml", |t| {
            t.replace(
                "[preprocessor.techfile]\n",
                "[preprocessor.techfile]\nitems = [\"../requirement\"]\n",
            )
        })
        .commit("a typo in items");
    let commit = book.head();
    let root = fs::canonicalize(book.root()).unwrap();
    let git_repo = mdbook_techfile::gittree::Repo::discover(&root).unwrap();
    let tree = mdbook_techfile::gittree::GitTree::at(&git_repo, &commit).unwrap();
    let names = mdbook_techfile::gather::Names {
        cwd: root.clone(),
        project: root.clone(),
    };
    let book_dir = root.join("book");
    // The folders are checked with the keys, when the configuration is read.
    let err = match mdbook_techfile::bookconfig::load_from(&tree, &book_dir, &names) {
        Ok(_) => panic!("a missing item folder is a configuration error"),
        Err(e) => e,
    };
    let errors = err
        .downcast_ref::<mdbook_techfile::bookconfig::ConfigErrors>()
        .expect("configuration errors");
    assert_eq!(errors.findings.len(), 1);
    let help = errors.findings[0].help.as_deref().unwrap_or("");
    // The closest folder comes from the revision's own tree.
    assert!(help.contains("did you mean `../requirements`?"), "{help}");
}

#[test]
fn each_revision_is_judged_with_its_own_advisory_snapshot_and_vex_statements() {
    require!(Git);
    let statements = fs::read(fixture("vulnerable-component").join("sboms/app.openvex.json"))
        .expect("the fixture's OpenVEX document");
    // The base has the advisory snapshot in the book and no statement on foo-bar.
    let book = Book::fixture("vulnerable-component")
        .remove("sboms/app.openvex.json")
        .git_init()
        .commit("base: foo-bar is vulnerable");
    let base = book.head();
    // The head settles it with a statement of the `vex` setting's folder.
    let book = book
        .config("vex = [\"../vex\"]")
        .file("vex/psirt.openvex.json", &statements)
        .commit("head: the PSIRT's statement");
    let head = book.head();
    // The revisions are read from git: what the working tree holds does not count.
    let book = book
        .remove("vex/psirt.openvex.json")
        .remove("advisories/PyPI/TEST-PYPI-0001.json");
    let run = book.run_in_repo(&["diff", &base, &head, "--book", "book", "--format", "json"]);
    let report = json(&run);
    assert_valid("diff.schema.json", &report);
    let about = |list: &str| -> Vec<(String, String)> {
        report["findings"][list]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .filter(|(_, m)| m.contains("TEST-PYPI-0001"))
            .collect()
    };
    let fixed = about("fixed");
    assert!(
        fixed.iter().any(|(c, _)| c == "vulnerable-component"),
        "{fixed:?}\n{}",
        run.stdout
    );
    assert!(about("new").is_empty(), "{:?}", about("new"));
    assert!(
        about("unchanged")
            .iter()
            .all(|(c, _)| c != "vulnerable-component"),
        "{:?}",
        about("unchanged")
    );
}

/// Symbolic links in the input folders, read with one policy from the disk and from a
/// commit: a link that leads out of the repository (its bytes are in no commit) and a link
/// that leads nowhere are each one `read-error` at the link, their content unread, and the
/// rest of the folder is still read; a link inside the repository is followed.
#[test]
fn links_to_folders_are_followed_in_a_commit_as_on_the_disk() {
    require!(Git);
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("REQ-OUT.md"), "OUTSIDE-SECRET\n").unwrap();
    let book = clean_repo();
    let write = |rel: &str, text: &str| {
        let p = book.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    let sum = fs::read_to_string(book.path("requirements/REQ-SUM-001.md")).unwrap();
    assert!(sum.contains("id = \"REQ-SUM-001\""));
    write(
        "shared/more/REQ-SUM-006.md",
        &sum.replace("id = \"REQ-SUM-001\"", "id = \"REQ-SUM-006\""),
    );
    write(
        "shared/chain/REQ-SUM-007.md",
        &sum.replace("id = \"REQ-SUM-001\"", "id = \"REQ-SUM-007\""),
    );
    let sbom = fs::read_to_string(book.path("sboms/firmware.cdx.json")).unwrap();
    let mut sbom: serde_json::Value = serde_json::from_str(&sbom).unwrap();
    sbom["serialNumber"] = serde_json::json!("urn:uuid:6f1d2c3b-0000-4000-8000-00000000f002");
    sbom["metadata"]["component"]["name"] = serde_json::json!("second-firmware");
    write(
        "sharedsb/fw2.cdx.json",
        &serde_json::to_string_pretty(&sbom).unwrap(),
    );
    let link = |target: &Path, at: &str| symlink(target, book.path(at)).unwrap();
    // An item folder, an SBOM folder, a chain of two links, a loop back up to the item
    // folder being walked, a folder out of the repository and a folder that is not there.
    link(Path::new("../shared/more"), "requirements/more");
    link(Path::new("../sharedsb"), "sboms/linked");
    link(Path::new("chain"), "shared/hop");
    link(Path::new("../shared/hop"), "requirements/chain");
    link(Path::new("../../requirements"), "shared/more/loop");
    link(outside.path(), "requirements/outside-folder.md");
    link(
        Path::new("../shared/nothing"),
        "requirements/gone-folder.md",
    );
    let book = book.commit("folder links");

    let root = fs::canonicalize(book.root()).unwrap();
    let disk = gathered_alike(&root, &book.head());

    let read = |files: &[File], path: &str| {
        files
            .iter()
            .find(|f| f.1 == path)
            .unwrap_or_else(|| panic!("{path} is not gathered: {files:?}"))
            .2
            .clone()
            .map(|b| String::from_utf8(b).unwrap())
    };
    for (path, id) in [
        ("requirements/more/REQ-SUM-006.md", "REQ-SUM-006"),
        ("requirements/chain/REQ-SUM-007.md", "REQ-SUM-007"),
    ] {
        let text = read(&disk.items, path).unwrap();
        assert!(text.contains(&format!("id = \"{id}\"")), "{path}");
    }
    // The loop is not followed: each item once.
    assert!(
        !disk.items.iter().any(|f| f.1.contains("loop")),
        "{:?}",
        disk.items
    );
    assert!(
        read(&disk.sboms, "sboms/linked/fw2.cdx.json")
            .unwrap()
            .contains("second-firmware")
    );
    assert_eq!(
        read(&disk.items, "requirements/outside-folder.md"),
        Err(format!(
            "symbolic link to `{}`, outside the repository",
            outside.path().display()
        ))
    );
    assert_eq!(
        read(&disk.items, "requirements/gone-folder.md"),
        Err("symbolic link to `../shared/nothing`, which does not exist".into())
    );

    // The gate sees what the build reads: the items and the SBOM behind the links.
    let r = diff(&book, &["HEAD~1", "HEAD", "--format", "json"]);
    assert!(!r.stdout.contains("OUTSIDE-SECRET"), "{}", r.stdout);
    let report = json(&r);
    assert_valid("diff.schema.json", &report);
    let mut added: Vec<&str> = report["items"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    added.sort_unstable();
    assert_eq!(added, ["REQ-SUM-006", "REQ-SUM-007"]);
    let linked = report["sboms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sbom"].as_str().unwrap().ends_with("fw2.cdx.json"))
        .unwrap_or_else(|| panic!("no linked SBOM: {}", report["sboms"]));
    assert_eq!(linked["state"], "added");
    let components: Vec<&str> = linked["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    // The SBOM's own component and the components it lists.
    let names: Vec<&str> = std::iter::once(&sbom["metadata"]["component"])
        .chain(sbom["components"].as_array().unwrap())
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(components.len(), names.len(), "{components:?}");
    for name in names {
        assert!(
            components.iter().any(|c| c.starts_with(name)),
            "{name}: {components:?}"
        );
    }
}

/// A git submodule in an input folder is another repository: on the disk (a folder with a
/// `.git` entry) and in a commit (a gitlink) it is not entered and is one `read-error` at
/// its own path, so `check` and `diff` see the same inputs; `exclude` naming it silences it.
#[test]
fn a_submodule_is_one_unread_input_on_the_disk_as_in_a_commit() {
    require!(Git);
    use mdbook_techfile::tree::SUBMODULE;
    let book = clean_repo();
    let sum = fs::read_to_string(book.path("requirements/REQ-SUM-001.md")).unwrap();
    let item = sum.replace("id = \"REQ-SUM-001\"", "id = \"REQ-S-001\"");
    let (book, _sub) = with_submodule(book, "requirements/sub", &[("REQ-S-001.md", &item)]);
    assert!(book.path("requirements/sub/REQ-S-001.md").is_file());

    let root = fs::canonicalize(book.root()).unwrap();
    let both = |book: &Book| gathered_alike(&root, &book.head());
    let disk = both(&book);
    let sub: Vec<&File> = disk
        .items
        .iter()
        .filter(|f| f.1.starts_with("requirements/sub"))
        .collect();
    assert_eq!(sub.len(), 1, "{:?}", disk.items);
    assert_eq!(sub[0].1, "requirements/sub");
    assert_eq!(sub[0].2, Err(SUBMODULE.to_string()));
    assert!(SUBMODULE.contains("git submodule") && SUBMODULE.contains("`exclude`"));

    // `check` reads the disk, `diff` the commits: the same one finding at the same path.
    let checked = book.check();
    checked.expect_code(1);
    let place = |f: &serde_json::Value| {
        (
            f["code"].as_str().unwrap_or("").to_string(),
            f["file"].as_str().unwrap_or("").to_string(),
            f["message"].as_str().unwrap_or("").to_string(),
        )
    };
    let from_check: Vec<_> = checked.findings.iter().map(place).collect();
    assert_eq!(from_check.len(), 1, "{}", checked.stdout);
    assert_eq!(from_check[0].0, "read-error");
    assert!(
        from_check[0].1.ends_with("requirements/sub"),
        "{from_check:?}"
    );
    assert!(from_check[0].2.contains("git submodule"), "{from_check:?}");
    let r = diff(&book, &["HEAD~1", "HEAD", "--format", "json"]);
    let report = json(&r);
    let from_diff: Vec<_> = report["findings"]["new"]
        .as_array()
        .expect("new findings")
        .iter()
        .map(place)
        .collect();
    assert_eq!(from_diff, from_check);
    assert!(!r.stdout.contains("REQ-S-001"), "{}", r.stdout);

    // Named in `exclude` (a folder pattern), it is no input of either.
    let book = book
        .config("exclude = [\"sub/\"]")
        .commit("exclude the submodule");
    let disk = both(&book);
    assert!(
        !disk.items.iter().any(|f| f.1.contains("sub")),
        "{:?}",
        disk.items
    );
    book.check().expect_code(0);
    let r = diff(&book, &["HEAD~2", "HEAD", "--format", "json"]);
    let report = json(&r);
    assert_eq!(
        report["findings"]["new"],
        serde_json::json!([]),
        "{}",
        r.stdout
    );
    assert_eq!(
        report["items"]["added"],
        serde_json::json!([]),
        "{}",
        r.stdout
    );
}

/// Every input of a gathering that could not be read, as (display name, why), in order.
fn unread(g: &Gathered) -> Vec<(String, String)> {
    let files = g
        .items
        .iter()
        .chain(&g.sboms)
        .chain(&g.reviews)
        .chain(&g.support)
        .chain(&g.vex)
        .chain(
            g.advisories
                .iter()
                .flat_map(|(_, files)| files.iter().flatten()),
        );
    files
        .filter_map(|f| f.2.as_ref().err().map(|e| (f.0.clone(), e.clone())))
        .chain(
            g.evidence
                .iter()
                .filter_map(|e| e.3.as_ref().err().map(|why| (e.0.clone(), why.clone()))),
        )
        .collect()
}

/// The book with a submodule (another repository holding `files`) added at `at`, committed
/// on top of `book`; see [`Book::add_submodule`].
fn with_submodule(book: Book, at: &str, files: &[(&str, &str)]) -> (Book, tempfile::TempDir) {
    let origin = book.add_submodule(at, files);
    let book = book.commit(&format!("a submodule at {at}"));
    assert!(
        book.git(&["ls-tree", "HEAD", at])
            .starts_with("160000 commit ")
    );
    (book, origin)
}

/// The submodule at `at` is the one unreadable input, with [`SUBMODULE`]'s words, on the
/// disk as in the commit; `check` (the disk) and `diff HEAD~1 HEAD` (the commits) report
/// the same one `read-error` there.
fn one_unread_submodule(book: &Book, at: &str) {
    use mdbook_techfile::tree::SUBMODULE;
    let root = fs::canonicalize(book.root()).unwrap();
    let disk = gathered_alike(&root, &book.head());
    assert_eq!(unread(&disk), vec![(at.to_string(), SUBMODULE.to_string())]);

    let read_errors = |findings: &[serde_json::Value]| -> Vec<(String, String)> {
        findings
            .iter()
            .filter(|f| f["code"] == "read-error")
            .map(|f| {
                (
                    f["file"].as_str().unwrap_or("").to_string(),
                    f["message"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let checked = book.check();
    checked.expect_code(1);
    let from_check = read_errors(&checked.findings);
    assert_eq!(from_check.len(), 1, "{}", checked.stdout);
    assert!(from_check[0].0.ends_with(at), "{from_check:?}");
    assert!(from_check[0].1.contains("git submodule"), "{from_check:?}");
    let report = json(&diff(book, &["HEAD~1", "HEAD", "--format", "json"]));
    let new = report["findings"]["new"].as_array().expect("new findings");
    assert_eq!(read_errors(new), from_check);
}

/// Whatever the folder's kind and whatever the submodule's name, it is kept as one
/// unreadable input: an SBOM folder keeps it though it is no `*.json`, an advisory folder
/// reports it unread rather than "not a record", an evidence folder reports it though no
/// test names it.
#[test]
fn a_submodule_in_an_sbom_advisory_or_evidence_folder_is_one_unread_input() {
    require!(Git);
    let (book, _sub) = with_submodule(clean_repo(), "sboms/vendor", &[("x.cdx.json", "{}\n")]);
    one_unread_submodule(&book, "sboms/vendor");

    let base = clean_repo()
        .config("advisories = [\"../advisories\"]")
        .file("advisories/.keep", "")
        .commit("an advisory folder");
    let (book, _sub) = with_submodule(base, "advisories/xsub", &[("GHSA-x.json", "{}\n")]);
    one_unread_submodule(&book, "advisories/xsub");

    let base = clean_repo()
        .file("evidence/report.txt", "passed\n")
        .commit("an evidence folder");
    let (book, _sub) = with_submodule(base, "evidence/xsub", &[("report.xml", "{}\n")]);
    one_unread_submodule(&book, "evidence/xsub");
}

/// A plain `git clone` (as CI checks out) leaves a submodule an empty folder with no `.git`
/// entry: it is still the submodule `.gitmodules` registers, one unreadable input on the
/// disk as in the commit's gitlink, not an empty folder that holds nothing.
#[test]
fn an_uninitialised_submodule_is_one_unread_input_on_the_disk_as_in_a_commit() {
    require!(Git);
    let (book, _sub) = with_submodule(
        clean_repo(),
        "requirements/sub",
        &[("REQ-S-001.md", "{}\n")],
    );
    book.git(&["submodule", "deinit", "-q", "-f", "requirements/sub"]);
    let folder = book.path("requirements/sub");
    assert!(folder.is_dir() && fs::read_dir(&folder).unwrap().next().is_none());
    one_unread_submodule(&book, "requirements/sub");
}

#[test]
fn links_out_of_the_repository_are_refused_on_the_disk_as_in_git() {
    require!(Git);
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let sbom = fs::read(fixture("clean").join("sboms/firmware.cdx.json")).unwrap();
    fs::write(outside.path().join("outside.cdx.json"), &sbom).unwrap();
    fs::write(
        outside.path().join("secret.txt"),
        "OUTSIDE-SECRET first line\n",
    )
    .unwrap();
    fs::create_dir(outside.path().join("folder")).unwrap();
    fs::write(outside.path().join("folder/REQ-OUT.md"), "OUTSIDE-SECRET\n").unwrap();
    let book = clean_repo();
    // The clean book's SBOM is reachable only through a link inside the repository.
    fs::create_dir(book.path("vendor")).unwrap();
    fs::rename(
        book.path("sboms/firmware.cdx.json"),
        book.path("vendor/firmware.cdx.json"),
    )
    .unwrap();
    let link = |target: &Path, at: &str| symlink(target, book.path(at)).unwrap();
    link(
        Path::new("../vendor/firmware.cdx.json"),
        "sboms/firmware.cdx.json",
    );
    link(
        &outside.path().join("outside.cdx.json"),
        "sboms/linked-outside.json",
    );
    link(&outside.path().join("secret.txt"), "sboms/secret.json");
    link(Path::new("/nonexistent/x.json"), "sboms/dangling.json");
    link(Path::new("gone.json"), "sboms/gone-inside.json");
    link(Path::new("/nonexistent/x.md"), "requirements/dangling.md");
    link(&outside.path().join("folder"), "requirements/outside.md");
    let book = book.commit("links");

    let root = fs::canonicalize(book.root()).unwrap();
    let disk = gathered_alike(&root, &book.head());
    let refused: Vec<(&str, &str)> = disk
        .sboms
        .iter()
        .chain(&disk.items)
        .filter_map(|f| Some((f.1.as_str(), f.2.as_ref().err()?.as_str())))
        .collect();
    let outside_of = |name: &str| {
        format!(
            "symbolic link to `{}`, outside the repository",
            outside.path().join(name).display()
        )
    };
    assert_eq!(
        refused,
        [
            (
                "sboms/dangling.json",
                "symbolic link to `/nonexistent/x.json`, outside the repository".to_string()
            ),
            (
                "sboms/gone-inside.json",
                "symbolic link to `gone.json`, which does not exist".into()
            ),
            ("sboms/linked-outside.json", outside_of("outside.cdx.json")),
            ("sboms/secret.json", outside_of("secret.txt")),
            (
                "requirements/dangling.md",
                "symbolic link to `/nonexistent/x.md`, outside the repository".into()
            ),
            ("requirements/outside.md", outside_of("folder")),
        ]
        .iter()
        .map(|(a, b)| (*a, b.as_str()))
        .collect::<Vec<_>>()
    );
    assert!(
        disk.sboms
            .iter()
            .any(|f| f.1 == "sboms/firmware.cdx.json" && f.2.is_ok())
    );

    // The commands: `check` reads the disk, `diff` the commits; both report each link.
    let checked = book.check();
    checked.expect_code(1);
    // Nothing else: the SBOM behind the link inside the repository is read and analysed.
    assert_eq!(checked.findings.len(), refused.len(), "{}", checked.stdout);
    let at: Vec<String> = checked
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["file"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(
        !checked.stdout.contains("OUTSIDE-SECRET"),
        "{}",
        checked.stdout
    );
    for (path, _) in &refused {
        assert!(
            at.iter()
                .any(|a| a.starts_with("read-error") && a.ends_with(path)),
            "{path}: {at:?}"
        );
    }
    let r = diff(&book, &["HEAD~1", "HEAD", "--format", "json"]);
    assert!(!r.stdout.contains("OUTSIDE-SECRET"), "{}", r.stdout);
    let place = |f: &serde_json::Value| {
        (
            f["code"].as_str().unwrap_or("").to_string(),
            f["file"].as_str().unwrap_or("").to_string(),
            f["message"].as_str().unwrap_or("").to_string(),
        )
    };
    let from_diff: Vec<_> = json(&r)["findings"]["new"]
        .as_array()
        .expect("new findings")
        .iter()
        .map(place)
        .collect();
    let from_check: Vec<_> = checked.findings.iter().map(place).collect();
    assert_eq!(from_diff, from_check);
}
