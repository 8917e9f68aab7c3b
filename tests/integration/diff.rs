//! `mdbook-techfile diff` on scratch git repositories, and the machine formats of `check`
//! (SARIF, GitHub annotations, GitLab Code Quality).
//!
//! Every repository is made in a temporary folder with `git init`, with a fixed author,
//! committer and dates and without the developer's global or system git configuration, so
//! commits (and their hashes) are the same on every machine.

use crate::common::{Run, copy_dir, fixture, item, run, write};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch repository.
struct Repo {
    dir: tempfile::TempDir,
}

fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Test Committer")
        .env("GIT_COMMITTER_EMAIL", "committer@example.com")
        .env("GIT_AUTHOR_DATE", "2026-11-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-01T12:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Repo {
    /// A repository holding the `clean` fixture, committed on `main`.
    fn clean() -> Repo {
        let repo = Repo::empty();
        copy_dir(&fixture("clean"), repo.path());
        repo.commit("base: the clean technical file");
        repo
    }

    fn empty() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        git_in(dir.path(), &["init", "-q", "-b", "main"]);
        Repo { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }

    fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    fn write(&self, rel: &str, text: &str) {
        write(self.path(), rel, text);
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path().join(rel)).expect("file exists")
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    fn remove(&self, rel: &str) {
        fs::remove_file(self.path().join(rel)).expect("file exists");
    }

    fn diff(&self, args: &[&str]) -> Run {
        let mut all = vec!["diff"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--book", "book", "--today", "2026-11-29"]);
        run(self.path(), &all)
    }

    /// `git status` and every tracked file's bytes: what must not change.
    fn state(&self) -> (String, Vec<(PathBuf, Vec<u8>)>) {
        let status = self.git(&["status", "--porcelain", "--untracked-files=all"]);
        let files = self
            .git(&["ls-files"])
            .lines()
            .map(|f| {
                let p = self.path().join(f);
                let bytes = fs::read(&p).unwrap_or_default();
                (p, bytes)
            })
            .collect();
        (status, files)
    }
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

/// The one change of every kind the report knows, committed on top of the clean file.
fn change_everything(repo: &Repo) {
    // A field and the body of a requirement.
    repo.edit(
        "requirements/REQ-SR-001.md",
        "status = \"approved\"",
        "status = \"in-review\"",
    );
    let text = repo.read("requirements/REQ-SR-001.md");
    repo.write(
        "requirements/REQ-SR-001.md",
        &format!(
            "{}\nThe list is reviewed at every release.\n",
            text.trim_end()
        ),
    );
    // A rename, with the old ID in `replaces`; a link to the old ID follows it.
    let ctl = repo.read("requirements/CTL-002.md");
    repo.remove("requirements/CTL-002.md");
    repo.write(
        "requirements/CTL-AUTH-002.md",
        &ctl.replacen(
            "id = \"CTL-002\"",
            "id = \"CTL-AUTH-002\"\nreplaces = \"CTL-002\"",
            1,
        ),
    );
    for f in fs::read_dir(repo.path().join("requirements/tests")).unwrap() {
        let p = f.unwrap().path();
        let t = fs::read_to_string(&p).unwrap();
        fs::write(&p, t.replace("\"CTL-002\"", "\"CTL-AUTH-002\"")).unwrap();
    }
    // A new requirement that nothing implements (a new error), and a removed one whose
    // control now implements an unknown ID (another new error).
    repo.write(
        "requirements/REQ-NEW-001.md",
        &item(
            "REQ-NEW-001",
            "requirement",
            "Sessions expire",
            &["status = \"draft\"", "derives-from = [\"MDCG-SM\"]"],
            "Idle sessions end after 15 minutes.\n",
        ),
    );
    // The risk's residual estimate moves.
    let risk = repo.read("requirements/RSK-001.md");
    let moved = if risk.contains("residual-exploitability = \"improbable\"") {
        risk.replacen(
            "residual-exploitability = \"improbable\"",
            "residual-exploitability = \"remote\"",
            1,
        )
    } else {
        risk.replacen(
            "residual-exploitability = \"",
            "residual-exploitability = \"improbable\" # was \"",
            1,
        )
    };
    repo.write("requirements/RSK-001.md", &moved);
}

/// The SBOM edits: a version bump, a license written in another order with a new
/// supplier, and a removed component (the fixture's hostile one, whose name is HTML).
fn change_sbom(repo: &Repo) {
    let path = "sboms/firmware.cdx.json";
    let mut v: serde_json::Value = serde_json::from_str(&repo.read(path)).unwrap();
    let components = v["components"].as_array_mut().expect("components");
    assert_eq!(components[0]["name"], "mcuboot");
    components[0]["version"] = serde_json::json!("v2.2.0");
    components[0]["purl"] = serde_json::json!("pkg:github/mcu-tools/mcuboot@v2.2.0");
    assert_eq!(components[1]["name"], "mbedtls");
    components[1]["licenses"] =
        serde_json::json!([{"expression": "GPL-2.0-or-later OR Apache-2.0"}]);
    components[1]["supplier"] = serde_json::json!({"name": "Mbed TLS project"});
    components.pop();
    repo.write(path, &serde_json::to_string_pretty(&v).unwrap());
}

fn redact(text: &str, repo: &Repo, commits: &[(&str, &str)]) -> String {
    let mut t = text.replace(&repo.path().display().to_string(), "<REPO>");
    for (hash, name) in commits {
        t = t.replace(hash, name).replace(&hash[..12], name);
    }
    t.replace(env!("CARGO_PKG_VERSION"), "<VERSION>")
}

#[test]
fn every_kind_of_change_between_two_commits() {
    let repo = Repo::clean();
    let base = repo.git(&["rev-parse", "HEAD"]);
    change_everything(&repo);
    change_sbom(&repo);
    let head = repo.commit("head: every kind of change");
    let before = repo.state();

    let md = repo.diff(&["main~1", "main"]);
    let js = repo.diff(&["main~1", "main", "--format", "json"]);
    assert_eq!(
        repo.state(),
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
    insta::with_settings!({
        snapshot_path => "snapshots/diff",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("diff__markdown", redact(&md.stdout, &repo, &commits));
        insta::assert_snapshot!("diff__json", redact(&js.stdout, &repo, &commits));
    });
}

#[test]
fn the_working_tree_is_the_default_head_and_stays_untouched() {
    let repo = Repo::clean();
    repo.edit(
        "requirements/REQ-SR-001.md",
        "status = \"approved\"",
        "status = \"draft\"",
    );
    let before = repo.state();
    let r = repo.diff(&["main", "--format", "json"]);
    r.expect_code(0);
    assert_eq!(repo.state(), before);
    let report = json(&r);
    assert_eq!(report["head"]["revision"], "working tree");
    assert_eq!(report["head"]["commit"], serde_json::Value::Null);
    assert_eq!(report["items"]["changed"][0]["item"]["id"], "REQ-SR-001");
    assert_eq!(
        report["items"]["changed"][0]["item"]["file"],
        "requirements/REQ-SR-001.md"
    );
    // Nothing changed at all: an empty report, exit 0.
    let repo = Repo::clean();
    let r = repo.diff(&["main"]);
    r.expect_code(0);
    assert!(r.stdout.contains("No change to items"), "{}", r.stdout);
}

#[test]
fn a_pull_request_is_compared_with_the_merge_base() {
    let repo = Repo::clean();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.edit(
        "requirements/REQ-SR-001.md",
        "status = \"approved\"",
        "status = \"draft\"",
    );
    repo.commit("feature: a change");
    repo.git(&["checkout", "-q", "main"]);
    repo.edit(
        "requirements/REQ-SM-001.md",
        "status = \"approved\"",
        "status = \"draft\"",
    );
    repo.commit("main moves on");
    let changed = |r: &Run| -> Vec<String> {
        json(r)["items"]["changed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["item"]["id"].as_str().unwrap().to_string())
            .collect()
    };
    // Against main itself, main's own change shows as undone by the feature.
    let plain = repo.diff(&["main", "feature", "--format", "json"]);
    assert_eq!(changed(&plain), ["REQ-SM-001", "REQ-SR-001"]);
    let pr = repo.diff(&["main", "feature", "--merge-base", "--format", "json"]);
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
    let repo = Repo::clean();
    repo.write(
        "requirements/REQ-NEW-001.md",
        &item(
            "REQ-NEW-001",
            "requirement",
            "New",
            &["derives-from = [\"MDCG-SM\"]"],
            "",
        ),
    );
    repo.diff(&["main"]).expect_code(1);
    let r = repo.diff(&["main", "--fail-on", "none"]);
    r.expect_code(0);
    assert!(
        r.stdout.contains("**Gate: passed** (fails on: nothing)"),
        "{}",
        r.stdout
    );
    repo.diff(&["main", "--fail-on", "new-suspect-links"])
        .expect_code(0);
    let bad = repo.diff(&["main", "--fail-on", "new-typos"]);
    bad.expect_code(2);
    assert!(
        bad.stderr.contains("unknown rule `new-typos`"),
        "{}",
        bad.stderr
    );

    // book.toml of the base decides when no flag does.
    let repo = Repo::clean();
    let toml = repo.read("book/book.toml");
    repo.write(
        "book/book.toml",
        &format!("{toml}\n[preprocessor.techfile.diff]\nfail-on = [\"new-warnings\"]\n"),
    );
    repo.commit("a gate on warnings only");
    repo.write(
        "requirements/REQ-NEW-001.md",
        &item(
            "REQ-NEW-001",
            "requirement",
            "New",
            &["derives-from = [\"MDCG-SM\"]"],
            "",
        ),
    );
    let r = repo.diff(&["main", "--format", "json"]);
    r.expect_code(0);
    assert_eq!(
        json(&r)["gate"]["rules"],
        serde_json::json!(["new-warnings"])
    );
    // Errors that were there before the change do not fail it.
    let repo = Repo::clean();
    repo.write(
        "requirements/REQ-NEW-001.md",
        &item(
            "REQ-NEW-001",
            "requirement",
            "New",
            &["derives-from = [\"MDCG-SM\"]"],
            "",
        ),
    );
    repo.commit("an error on main");
    repo.diff(&["main"]).expect_code(0);
    repo.diff(&["main", "--fail-on", "errors"]).expect_code(1);
}

#[test]
fn github_annotations_name_the_new_findings_only() {
    let repo = Repo::clean();
    repo.write(
        "requirements/REQ-NEW-001.md",
        &item(
            "REQ-NEW-001",
            "requirement",
            "New",
            &["derives-from = [\"MDCG-SM\"]"],
            "",
        ),
    );
    let r = repo.diff(&["main", "--format", "github"]);
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
    let repo = Repo::empty();
    repo.write("README.md", "nothing yet\n");
    repo.commit("before the technical file");
    copy_dir(&fixture("clean"), repo.path());
    let r = repo.diff(&["main", "--format", "json"]);
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
    let md = repo.diff(&["main"]);
    assert!(
        md.stdout.contains("The book does not exist at `main`"),
        "{}",
        md.stdout
    );
}

#[test]
fn an_invalid_base_configuration_is_reported_and_the_head_still_analysed() {
    let repo = Repo::clean();
    let good = repo.read("book/book.toml");
    repo.write("book/book.toml", &format!("{good}\nno-such-key = true\n"));
    repo.commit("a broken configuration");
    repo.write("book/book.toml", &good);
    let r = repo.diff(&["main", "--format", "json"]);
    let report = json(&r);
    assert_eq!(report["base"]["state"], "invalid");
    assert!(
        report["base"]["problem"]
            .as_str()
            .unwrap()
            .contains("no-such-key"),
        "{report}"
    );
    assert_eq!(report["head"]["state"], "analysed");
    assert!(!report["items"]["added"].as_array().unwrap().is_empty());
    let md = repo.diff(&["main"]);
    assert!(md.stdout.contains("could not be analysed"), "{}", md.stdout);
}

#[test]
fn bad_revisions_and_places_are_usage_errors() {
    let repo = Repo::clean();
    let r = repo.diff(&["no-such-branch"]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("unknown revision `no-such-branch`"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    let r = repo.diff(&["--", "-x"]);
    assert_eq!(r.code, Some(2), "{r:?}");

    let plain = tempfile::tempdir().unwrap();
    copy_dir(&fixture("clean"), plain.path());
    let r = run(plain.path(), &["diff", "main", "--book", "book"]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("is not inside a git repository"),
        "{}",
        r.stderr
    );

    let r = run(
        repo.path(),
        &["diff", "main", "--book", "book", "--today", "29.11.2026"],
    );
    r.expect_code(2);
    assert!(r.stderr.contains("write YYYY-MM-DD"), "{}", r.stderr);

    let r = run(repo.path(), &["diff", "main", "--book", "nowhere"]);
    r.expect_code(2);
    assert!(r.stderr.contains("no book.toml"), "{}", r.stderr);
}

#[test]
fn a_shallow_clone_says_to_fetch_the_history() {
    let repo = Repo::clean();
    repo.edit(
        "requirements/REQ-SR-001.md",
        "status = \"approved\"",
        "status = \"draft\"",
    );
    repo.commit("second");
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    git_in(clone.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let c = clone.path().join("c");
    let r = run(&c, &["diff", "HEAD~1", "--book", "book"]);
    r.expect_code(2);
    assert!(r.stderr.contains("shallow"), "{}", r.stderr);
    assert!(r.stderr.contains("fetch-depth: 0"), "{}", r.stderr);
    assert!(r.stderr.contains("git fetch --deepen"), "{}", r.stderr);
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
    let repo = Repo::clean();
    repo.write(
        "requirements/REQ-NEW-001.md",
        &item(
            "REQ-NEW-001",
            "requirement",
            "New",
            &["derives-from = [\"MDCG-SM\", \"NOPE-1\"]"],
            "",
        ),
    );
    let r = run(repo.path(), &["check", "book", "--format", "sarif"]);
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
    let text = repo.read("requirements/REQ-NEW-001.md");
    repo.write(
        "requirements/REQ-NEW-001.md",
        &text.replacen("+++\n", "+++\n# moved\n\n", 1),
    );
    let moved: serde_json::Value =
        serde_json::from_str(&run(repo.path(), &["check", "book", "--format", "sarif"]).stdout)
            .unwrap();
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
    let repo = Repo::clean();
    repo.write(
        "requirements/REQ-NEW-001.md",
        &item(
            "REQ-NEW-001",
            "requirement",
            "New",
            &["derives-from = [\"MDCG-SM\", \"NOPE-1\"]"],
            "",
        ),
    );
    let gh = run(repo.path(), &["check", "book", "--format", "github"]);
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

    let gl = run(repo.path(), &["check", "book", "--format", "gitlab"]);
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
fn the_ci_script_runs_on_a_scratch_repository() {
    let repo = Repo::clean();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        "requirements/REQ-NEW-001.md",
        &item(
            "REQ-NEW-001",
            "requirement",
            "New",
            &["derives-from = [\"MDCG-SM\"]"],
            "",
        ),
    );
    repo.commit("feature: a requirement without a control");
    let out = tempfile::tempdir().unwrap();
    let summary = out.path().join("summary.md");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/techfile-pr.sh");
    let bin_dir = Path::new(crate::common::BIN).parent().unwrap();
    let result = Command::new("bash")
        .arg(&script)
        .current_dir(repo.path())
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
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
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

/// The inputs of a gathering, as comparable values.
type Gathered = (
    Vec<(String, String, Result<Vec<u8>, String>)>,
    Vec<(String, String, Result<Vec<u8>, String>)>,
    Vec<(String, String, bool)>,
    std::collections::BTreeSet<String>,
);

fn gathered(tree: &dyn mdbook_techfile::tree::Tree, root: &Path) -> Gathered {
    use mdbook_techfile::gather::{Chapters, Names, gather_tree, input_error_text};
    let book = root.join("book");
    let book_config = mdbook_techfile::mdbook::book_config(&book).unwrap();
    let config = mdbook_techfile::bookconfig::config_from(&book_config).unwrap();
    let names = Names {
        cwd: root.to_path_buf(),
        project: root.to_path_buf(),
    };
    let (inputs, _) = gather_tree(
        tree,
        &book,
        &book_config,
        config,
        &names,
        Chapters::FromSummary,
        None,
    )
    .unwrap();
    let file = |i: &mdbook_techfile::core::load::Input| {
        (
            i.name.clone(),
            i.path.clone(),
            i.content.clone().map_err(|e| input_error_text(&e)),
        )
    };
    (
        inputs.items.iter().map(file).collect(),
        inputs.sboms.iter().map(|s| file(&s.input)).collect(),
        inputs
            .book
            .chapters
            .iter()
            .map(|c| (c.file.name.clone(), c.path.clone(), c.complete))
            .collect(),
        inputs.book.src_files.clone(),
    )
}

#[test]
fn the_disk_and_a_commit_are_gathered_with_one_policy() {
    let repo = Repo::clean();
    let req = |id: &str| {
        item(
            id,
            "requirement",
            "R",
            &["derives-from = [\"MDCG-SM\"]"],
            "",
        )
    };
    // Sorting by path components: `a/` holds files that sort before `a.md` on the disk.
    repo.write("requirements/a.md", &req("REQ-A"));
    repo.write("requirements/a/z.md", &req("REQ-AZ"));
    repo.write("requirements/a-b.md", &req("REQ-AB"));
    repo.write("requirements/.hidden/REQ-H.md", &req("REQ-H"));
    repo.write("requirements/notes.txt", "not an item\n");
    repo.write("requirements/.md", "a hidden file with no name\n");
    repo.write("sboms/.cache/x.json", "{}");
    repo.write("sboms/nested/README.md", "not an SBOM\n");
    repo.write("book/src/images/.keep", "");
    repo.write("book/src/images/logo.svg", "<svg/>");
    // Larger than max-file-size: refused by size, on both sides, before reading.
    repo.write("requirements/big.md", &"x".repeat(4 * 1024 * 1024 + 1));
    let commit = repo.commit("policy edge cases");
    let root = fs::canonicalize(repo.path()).unwrap();
    let disk = gathered(&mdbook_techfile::tree::FsTree, &root);
    let git_repo = mdbook_techfile::gittree::Repo::discover(&root).unwrap();
    let tree = mdbook_techfile::gittree::GitTree::at(&git_repo, &commit).unwrap();
    let git = gathered(&tree, &root);
    assert_eq!(disk, git);
    let names: Vec<&str> = disk.0.iter().map(|i| i.1.as_str()).collect();
    let a = names
        .iter()
        .position(|n| *n == "requirements/a.md")
        .unwrap();
    let az = names
        .iter()
        .position(|n| *n == "requirements/a/z.md")
        .unwrap();
    let ab = names
        .iter()
        .position(|n| *n == "requirements/a-b.md")
        .unwrap();
    assert!(az < ab && ab < a, "{names:?}");
    assert!(
        !names
            .iter()
            .any(|n| n.contains(".hidden") || n.ends_with(".txt"))
    );
    assert!(
        matches!(&disk.0.iter().find(|i| i.1 == "requirements/big.md").unwrap().2, Err(e) if e.contains("more than the limit"))
    );
    assert!(
        disk.3.contains("images/.keep"),
        "mdBook copies hidden files under src"
    );
}
