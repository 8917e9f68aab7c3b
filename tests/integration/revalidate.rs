//! `mdbook-techfile revalidate`: advisories matched offline, VEX statements, the date,
//! the reports and their schema, exit codes, bad inputs, and the scheduled job's script.

use crate::common::{Book, fixture, revalidate, run, run_env, write};
use std::fs;
use std::path::Path;

const TODAY: &str = "2026-11-29";

fn json(run: &crate::common::Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

fn schema_errors(report: &serde_json::Value) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("core/schemas/revalidate.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator
        .iter_errors(report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// The vulnerability entries of a report as (component name@version, id, settled).
fn vulns(report: &serde_json::Value) -> Vec<(String, String, bool)> {
    report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                format!(
                    "{}@{}",
                    v["component"]["name"].as_str().unwrap(),
                    v["component"]["version"].as_str().unwrap_or("")
                ),
                v["id"].as_str().unwrap().to_owned(),
                v["settled"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_matching_rule_holds_on_the_fixture_set() {
    let r = revalidate(&fixture("vulnerable-component"), TODAY, "json");
    r.expect_code(1);
    let report = json(&r);
    assert!(
        schema_errors(&report).is_empty(),
        "{:?}",
        schema_errors(&report)
    );
    let found = vulns(&report);
    let has = |c: &str, id: &str| found.iter().any(|(x, y, _)| x == c && y == id);
    // Boundary at the fixed version: 1.2.2 affected, 1.2.3 not.
    assert!(has("fixcrate@1.2.2", "TEST-RUSTSEC-0001"));
    assert!(!found.iter().any(|(c, _, _)| c == "fixcrate@1.2.3"));
    // Two release lines, last_affected inclusive; between the lines not affected.
    assert!(has("lines@2.1.0", "TEST-CARGO-0002"));
    assert!(!found.iter().any(|(c, _, _)| c == "lines@1.9.0"));
    // limit: below it affected, at it not.
    assert!(has("limited@2.9.0", "TEST-CARGO-0003"));
    assert!(!found.iter().any(|(c, _, _)| c == "limited@3.0.0"));
    // Withdrawn records are ignored.
    assert!(
        !found
            .iter()
            .any(|(c, _, _)| c.starts_with("withdrawn-crate"))
    );
    // npm scope and pre-release order; PyPI name normalisation and PEP 440 order; Maven
    // through versions[]; the Go module path; Debian's order with a tilde.
    assert!(has("@scope/pkg@1.0.0-rc.1", "TEST-NPM-0001"));
    assert!(has("foo-bar@1.0", "TEST-PYPI-0001"));
    assert!(has("org.example/lib@1.1.0", "TEST-MVN-0001"));
    assert!(has("mod@v1.8.0", "TEST-GO-0001"));
    assert!(has("libssl3@3.0.14-1~deb12u2", "TEST-DEB-0001"));
    // Two records with a shared alias are one vulnerability per component.
    let multi: Vec<_> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["component"]["name"] == "multi-js")
        .collect();
    assert_eq!(multi.len(), 1);
    assert_eq!(multi[0]["id"], "TEST-MULTI-0001");
    assert_eq!(
        multi[0]["aliases"],
        serde_json::json!(["CVE-2026-90002", "TEST-MULTI-0002"])
    );
    // Settled by CycloneDX VEX through an alias, and by OpenVEX.
    assert_eq!(multi[0]["settled"], true);
    assert_eq!(multi[0]["vex"]["justification"], "code_not_reachable");
    assert!(found.contains(&("foo-bar@1.0".into(), "TEST-PYPI-0001".into(), true)));
    // CVSS 4.0, 3.1 and none.
    let severity = |name: &str| {
        report["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["component"]["name"] == name)
            .map(|v| v["severity"].clone())
            .unwrap()
    };
    assert_eq!(severity("cvss4-crate")["type"], "CVSS_V4");
    assert_eq!(severity("cvss4-crate")["score"], "9.3");
    assert_eq!(severity("cvss3-crate")["score"], "9.8");
    assert_eq!(severity("cvss3-crate")["rating"], "critical");
    assert_eq!(severity("nosev-crate"), serde_json::Value::Null);
    // What cannot be decided is said.
    let c = codes(&report);
    for code in [
        "advisory-range-unevaluated",
        "component-version-missing",
        "component-not-checked",
        "advisory-informational",
        "vulnerability-affected",
        "vulnerability-suspect",
        "vex-expired",
    ] {
        assert!(c.contains(&code.to_owned()), "{code} missing from {c:?}");
    }
    let unevaluated: Vec<_> = report["unevaluated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["advisory"].as_str().unwrap())
        .collect();
    assert_eq!(unevaluated, ["TEST-CARGO-0005", "TEST-GIT-0001"]);
    // The malformed purl and the purl type without ecosystem are listed with their reason.
    let not_checked = report["not-checked"].to_string();
    assert!(not_checked.contains("missing scheme"), "{not_checked}");
    assert!(not_checked.contains("`generic`"), "{not_checked}");
    // The source is described for evidence.
    let source = &report["advisory-sources"][0];
    assert_eq!(source["records"], 21);
    assert_eq!(source["withdrawn"], 1);
    assert_eq!(source["newest-modified"], "2026-10-01T00:00:00Z");
}

#[test]
fn the_snapshot_digest_is_sha256sum_of_the_listing() {
    let r = revalidate(&fixture("vulnerable-component"), TODAY, "json");
    let digest = json(&r)["advisory-sources"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    // Recomputed here with sha2, from the files, as README's shell recipe does.
    use sha2::{Digest, Sha256};
    let root = fixture("advisories/osv");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    let mut lines: Vec<(String, String)> = files
        .iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, hex::encode(Sha256::digest(fs::read(p).unwrap())))
        })
        .collect();
    lines.sort();
    let listing: String = lines.iter().map(|(r, h)| format!("{h}  {r}\n")).collect();
    assert_eq!(digest, hex::encode(Sha256::digest(listing.as_bytes())));
}

#[test]
fn reports_are_deterministic_and_name_the_date() {
    let dir = fixture("vulnerable-component");
    let a = revalidate(&dir, TODAY, "json");
    let b = revalidate(&dir, TODAY, "json");
    assert_eq!(a.stdout, b.stdout);
    assert!(
        a.stderr.contains("on 2026-11-29 (from --today)"),
        "{}",
        a.stderr
    );
    let md = revalidate(&dir, TODAY, "markdown");
    assert!(
        md.stdout.contains("**Date:** 2026-11-29 (from --today)"),
        "{}",
        md.stdout
    );
    // The expired statement is shown as such on this date, not on an earlier one.
    assert!(md.stdout.contains("2026-06-01 (expired)"));
    let earlier = revalidate(&dir, "2026-05-01", "json");
    assert!(!codes(&json(&earlier)).contains(&"vex-expired".to_owned()));
}

#[test]
fn the_date_comes_from_source_date_epoch_else_the_clock() {
    let dir = fixture("clean-advisories");
    let args = ["revalidate", "book", "--format", "json"];
    // 2026-11-26T00:00:00Z
    let r = run_env(&dir, &args, &[("SOURCE_DATE_EPOCH", Some("1795651200"))]);
    r.expect_code(0);
    let report = json(&r);
    assert_eq!(report["today"], "2026-11-26");
    assert_eq!(report["today-source"], "source-date-epoch");
    let r = run_env(&dir, &args, &[("SOURCE_DATE_EPOCH", None)]);
    assert_eq!(json(&r)["today-source"], "clock");
    assert!(r.stderr.contains("(from the clock (UTC))"), "{}", r.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let dir = fixture("clean-advisories");
    for args in [
        vec!["revalidate", "book", "--today", "29.11.2026"],
        vec!["revalidate", "book", "--today", "2026-02-30"],
        vec!["revalidate", "book", "--advisories", "no-such-folder"],
        vec!["revalidate", "book", "--vex", "no-such-file.json"],
        vec!["revalidate", "book", "--format", "yaml"],
    ] {
        let r = run(&dir, &args);
        r.expect_code(2);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
    }
    let r = run(
        &dir,
        &["revalidate", "book", "--advisories", "no-such-folder"],
    );
    assert!(
        r.stderr.contains("no-such-folder: no such folder"),
        "{}",
        r.stderr
    );
}

#[test]
fn advisories_on_the_command_line_replace_the_configured_ones() {
    let dir = fixture("clean-advisories");
    revalidate(&dir, TODAY, "json").expect_code(0);
    let bad = fixture("advisories/bad/malformed");
    let r = revalidate_json(&dir, bad.to_str().unwrap(), &[]);
    r.expect_code(1);
    let report = json(&r);
    assert_eq!(report["advisory-sources"].as_array().unwrap().len(), 1);
    assert!(codes(&report).contains(&"advisory-malformed".to_owned()));
    // The records of the configured folder are not read: fixcrate is no longer matched.
    assert!(report["vulnerabilities"].as_array().unwrap().is_empty());
}

#[test]
fn a_huge_record_and_other_files_are_findings_naming_the_file() {
    let tmp = Book::fixture("clean-advisories");
    let adv = tmp.root().join("adv");
    write(&adv, "crates.io/README.md", "not a record\n");
    // 50 MB: refused by its size before it is read (max-advisory-size is 4 MiB).
    let big = adv.join("crates.io/TEST-HUGE-0001.json");
    let f = fs::File::create(&big).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap();
    write(
        &adv,
        "crates.io/TEST-BROKEN.json",
        "{\"id\": \"X\", \"affected\": [",
    );
    let r = revalidate_json(tmp.root(), "adv", &[]);
    r.expect_code(1);
    let report = json(&r);
    let findings = report["findings"].as_array().unwrap();
    let at = |code: &str| {
        findings
            .iter()
            .find(|f| f["code"] == code)
            .unwrap_or_else(|| panic!("{code}: {findings:?}"))["file"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(at("file-too-large"), "adv/crates.io/TEST-HUGE-0001.json");
    assert_eq!(at("advisory-file-skipped"), "adv/crates.io/README.md");
    assert_eq!(at("advisory-malformed"), "adv/crates.io/TEST-BROKEN.json");
    assert_eq!(report["advisory-sources"][0]["rejected"], 3);
    assert!(schema_errors(&report).is_empty());
}

#[test]
fn a_configured_advisory_folder_that_is_missing_is_a_read_error() {
    let tmp = Book::fixture("clean-advisories").edit("book/book.toml", |t| {
        t.replace("\"../advisories\"", "\"../gone\"")
    });
    let r = run(tmp.root(), &["check", "book", "--format", "json"]);
    r.expect_code(1);
    assert!(r.stdout.contains("\"code\":\"read-error\""), "{}", r.stdout);
    assert!(r.stdout.contains("advisory folder `gone`"), "{}", r.stdout);
}

#[test]
fn sarif_and_github_outputs_carry_the_findings() {
    let dir = fixture("vulnerable-component");
    let sarif = revalidate(&dir, TODAY, "sarif");
    sarif.expect_code(1);
    let log = json(&sarif);
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "vulnerable-component")
    );
    let gh = revalidate(&dir, TODAY, "github");
    gh.expect_code(1);
    assert!(
        gh.stdout
            .lines()
            .any(|l| l.starts_with("::error file=sboms/app.cdx.json,")),
        "{}",
        gh.stdout
    );
}

#[test]
fn the_book_shows_the_vulnerabilities_and_the_snapshot() {
    let dir = fixture("vulnerable-component");
    let (outcome, pages) = mdbook_techfile::mdbook::render(&dir.join("book")).unwrap();
    let page = &pages
        .iter()
        .find(|p| p.path == "chapter.md")
        .unwrap()
        .content;
    let source = &outcome.analysis.vulnerabilities.sources[0];
    assert!(page.contains(&source.sha256), "the view names its snapshot");
    assert!(page.contains("TEST-RUSTSEC-0001"));
    assert!(page.contains("code_not_reachable"));
    assert!(page.contains("vulnerable_code_not_in_execute_path"));
    assert!(page.contains("9.3 critical"));
    // Text from advisories is escaped: no raw tag from a summary reaches the page.
    assert!(!page.contains("<script"), "no script in the view");
    // Without advisories the view says so.
    let tmp = Book::fixture("clean-advisories").edit("book/book.toml", |t| {
        t.replace("advisories = [\"../advisories\"]", "")
    });
    let (_, pages) = mdbook_techfile::mdbook::render(&tmp.root().join("book")).unwrap();
    assert!(pages[0].content.contains("No advisory snapshot was read"));
}

/// A stand-in for the `gh` CLI: logs its arguments, and answers `issue list` with the
/// number in `STUB_ISSUE` (none when unset).
const GH_STUB: &str = r#"#!/usr/bin/env bash
echo "$*" >> "$STUB_LOG"
if [ "$1 $2" = "issue list" ]; then
    echo "${STUB_ISSUE:-}"
fi
"#;

fn script(
    dir: &Path,
    fixture_name: &str,
    extra_env: &[(&str, &str)],
) -> (crate::common::Run, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    crate::common::copy_dir(&fixture(fixture_name), &dir.join("fx"));
    let stub = dir.join("gh");
    fs::write(&stub, GH_STUB).unwrap();
    fs::set_permissions(&stub, fs::Permissions::from_mode(0o755)).unwrap();
    let osv = fixture("advisories/osv");
    let out = std::process::Command::new("bash")
        .arg(repo.join("scripts/revalidate.sh"))
        .args(["book", osv.to_str().unwrap(), "../out", "--today", TODAY])
        .current_dir(dir.join("fx"))
        .env("TECHFILE_BIN", crate::common::BIN)
        .env("GH", &stub)
        .env("STUB_LOG", dir.join("gh.log"))
        .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
        .env("TECHFILE_ISSUE", "1")
        .env_remove("GITHUB_ACTIONS")
        .envs(extra_env.iter().copied())
        .output()
        .unwrap();
    (crate::common::Run::from(out), dir.join("out"))
}

#[test]
fn the_scheduled_jobs_script_reports_and_opens_or_updates_one_issue() {
    let tmp = tempfile::tempdir().unwrap();
    let (r, out) = script(tmp.path(), "vulnerable-component", &[]);
    r.expect_code(1);
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["today"], TODAY);
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.starts_with("# Revalidation of book"), "{md}");
    let summary = fs::read_to_string(tmp.path().join("summary.md")).unwrap();
    assert_eq!(summary, md, "the job summary is the Markdown report");
    let log = fs::read_to_string(tmp.path().join("gh.log")).unwrap();
    assert!(log.contains("label create techfile-revalidation"), "{log}");
    assert!(
        log.contains("issue list --label techfile-revalidation --state open"),
        "{log}"
    );
    assert!(log.contains("issue create --title techfile revalidation: findings in book --label techfile-revalidation"), "{log}");
    let body = fs::read_to_string(out.join("issue.md")).unwrap();
    assert!(
        body.contains("on 2026-11-29 found 10 errors and 12 warnings"),
        "{body}"
    );
    assert!(r.stderr.contains("opened an issue"), "{}", r.stderr);

    // The next run finds the open issue and updates it instead of opening another.
    let again = tempfile::tempdir().unwrap();
    let (r, _) = script(again.path(), "vulnerable-component", &[("STUB_ISSUE", "7")]);
    r.expect_code(1);
    let log = fs::read_to_string(again.path().join("gh.log")).unwrap();
    assert!(log.contains("issue edit 7 --title"), "{log}");
    assert!(!log.contains("issue create"), "{log}");

    // A clean run opens nothing.
    let clean = tempfile::tempdir().unwrap();
    let (r, out) = script(clean.path(), "clean-advisories", &[]);
    r.expect_code(0);
    assert!(out.join("report.md").is_file());
    assert!(!clean.path().join("gh.log").exists());
}

#[test]
fn the_ecosystems_to_download_come_from_the_sboms() {
    let r = run(
        &fixture("vulnerable-component"),
        &["revalidate", "book", "--ecosystems"],
    );
    r.expect_code(0);
    assert_eq!(
        r.stdout, "Debian\nGo\nMaven\nPyPI\ncrates.io\nnpm\n",
        "one line per ecosystem of a purl; the malformed and generic purls have none"
    );
}

/// `revalidate book` in `dir` on [`TODAY`] with a JSON report, the advisories from
/// `advisories` and `extra_args` after them.
fn revalidate_json(dir: &Path, advisories: &str, extra_args: &[&str]) -> crate::common::Run {
    let mut args = vec![
        "revalidate",
        "book",
        "--today",
        TODAY,
        "--format",
        "json",
        "--advisories",
        advisories,
    ];
    args.extend_from_slice(extra_args);
    run(dir, &args)
}

/// A temporary copy of a fixture whose advisory folder is given on the command line.
fn revalidate_copy(dir: &Path, extra_args: &[&str]) -> serde_json::Value {
    let osv = fixture("advisories/osv");
    let r = revalidate_json(dir, osv.to_str().unwrap(), extra_args);
    assert!(matches!(r.code, Some(0 | 1)), "{}", r.stderr);
    json(&r)
}

fn suspects(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "vulnerability-suspect")
        .map(|f| f["file"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_risk_that_names_the_vulnerability_is_not_suspect_nor_its_controls() {
    let tmp = Book::fixture("vulnerable-component");
    assert_eq!(
        suspects(&revalidate_copy(tmp.root(), &[])),
        [
            "requirements/CTL-1.md",
            "requirements/RSK-1.md",
            "requirements/TST-1.md"
        ]
    );
    // Named by an alias of the advisory: the risk has been estimated with it.
    let risk = tmp.root().join("requirements/RSK-1.md");
    let text = fs::read_to_string(&risk).unwrap().replace(
        "status = \"draft\"\n",
        "status = \"draft\"\ncve = [\"CVE-2026-90001\"]\n",
    );
    fs::write(&risk, text).unwrap();
    let report = revalidate_copy(tmp.root(), &[]);
    assert!(suspects(&report).is_empty(), "{:?}", suspects(&report));
    assert!(codes(&report).contains(&"vulnerable-component".to_owned()));
}

#[test]
fn vex_max_age_expires_statements_without_a_review_by_date() {
    let tmp = Book::fixture("vulnerable-component");
    let expired = |report: &serde_json::Value| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "vex-expired")
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect()
    };
    // Default 365 days: only the statement with its own review-by date has expired.
    let report = revalidate_copy(tmp.root(), &[]);
    assert_eq!(expired(&report).len(), 1, "{:?}", expired(&report));
    // 10 days: the OpenVEX statement of 2026-11-01 and the CycloneDX one updated on
    // 2026-11-15 are due too; the one updated on 2026-11-01 with a review-by date keeps it.
    let tmp = tmp.config("vex-max-age = 10");
    let report = revalidate_copy(tmp.root(), &[]);
    let messages = expired(&report);
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`TEST-PYPI-0001` was due for review on 2026-11-11")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`TEST-GO-0001` was due for review on 2026-11-25")),
        "{messages:?}"
    );
}

/// The scheduled job covers the lifecycle too: ends of support are listed and counted, and
/// review dates and evidence are counted, in both reports; the JSON keeps to its schema.
#[test]
fn revalidation_reports_ends_of_support_reviews_and_evidence() {
    let ended =
        json(revalidate(&fixture("component-end-of-support"), TODAY, "json").expect_code(1));
    assert!(
        schema_errors(&ended).is_empty(),
        "{:?}",
        schema_errors(&ended)
    );
    assert_eq!(ended["summary"]["support-ended"], 1);
    assert_eq!(ended["summary"]["support-ending"], 0);
    let support = ended["support"].as_array().unwrap();
    assert_eq!(support.len(), 1, "{support:?}");
    assert_eq!(support[0]["component"]["name"], "openssl");
    assert_eq!(support[0]["state"], "ended");
    assert_eq!(support[0]["end-of-support"], "2023-09-11");
    assert_eq!(support[0]["days"], -1175);
    assert!(codes(&ended).contains(&"component-end-of-support".to_string()));

    let soon = json(&revalidate(&fixture("component-eos-soon"), TODAY, "json"));
    assert!(
        schema_errors(&soon).is_empty(),
        "{:?}",
        schema_errors(&soon)
    );
    let support = soon["support"].as_array().unwrap();
    assert!(!support.is_empty() && support.iter().all(|s| s["state"] == "ending"));
    assert!(support.iter().all(|s| s["days"].as_i64().unwrap() >= 0));
    assert_eq!(soon["summary"]["support-ending"], support.len());
    let markdown = revalidate(&fixture("component-eos-soon"), TODAY, "markdown").stdout;
    assert!(
        markdown.contains("## Support ended or ending"),
        "{markdown}"
    );
    assert!(markdown.contains("ending within"), "{markdown}");

    let overdue = json(&revalidate(&fixture("review-overdue"), TODAY, "json"));
    assert_eq!(overdue["summary"]["reviews-overdue"], 1);
    assert_eq!(overdue["support"], serde_json::json!([]));
    let due = json(&revalidate(&fixture("review-due"), TODAY, "json"));
    assert_eq!(due["summary"]["reviews-due"], 1);

    // Evidence does not depend on the date, and revalidation reports it all the same.
    let evidence = json(&revalidate(&fixture("evidence-changed"), TODAY, "json"));
    assert!(evidence["summary"]["evidence-findings"].as_u64().unwrap() >= 1);
    assert!(codes(&evidence).contains(&"evidence-changed".to_string()));
}

/// A threat-model element that runs the component (a process whose `affects` names it) is
/// suspect too: its threats are to be looked at again.
#[test]
fn a_process_that_runs_a_vulnerable_component_is_suspect() {
    let tmp = Book::fixture("vulnerable-component");
    write(
        tmp.root(),
        "requirements/PRC-1.md",
        "+++\nid = \"PRC-1\"\nkind = \"process\"\ntitle = \"Firmware\"\nstatus = \"draft\"\naffects = [\"pkg:cargo/fixcrate@1.2.2\"]\n+++\nRuns fixcrate.\n",
    );
    let report = revalidate_copy(tmp.root(), &[]);
    assert!(
        suspects(&report).contains(&"requirements/PRC-1.md".to_owned()),
        "{:?}",
        suspects(&report)
    );
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "vulnerability-suspect" && f["file"] == "requirements/PRC-1.md")
        .unwrap();
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .starts_with("process `PRC-1` affects `fixcrate@1.2.2`"),
        "{finding}"
    );
    assert!(finding["help"].as_str().unwrap().contains("threat model"));
}

/// An OSV record for npm `name`, every version affected.
fn npm_record(id: &str, name: &str) -> String {
    serde_json::json!({
        "schema_version": "1.7.3",
        "id": id,
        "modified": "2026-10-01T00:00:00Z",
        "summary": "synthetic",
        "affected": [{
            "package": {"ecosystem": "npm", "name": name},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]
        }]
    })
    .to_string()
}

/// An SBOM of npm components given as (bom-ref and name, purl), version 1.0.0.
fn npm_sbom(components: &[(&str, &str)]) -> String {
    let comps: Vec<_> = components
        .iter()
        .map(|(name, purl)| {
            serde_json::json!({
                "type": "library", "bom-ref": name, "name": name, "version": "1.0.0",
                "supplier": {"name": "Fixture Supplier"}, "purl": purl
            })
        })
        .collect();
    let deps: Vec<_> = components
        .iter()
        .map(|(name, _)| serde_json::json!({"ref": name, "dependsOn": []}))
        .collect();
    let mut all_deps = vec![serde_json::json!({
        "ref": "app",
        "dependsOn": components.iter().map(|(n, _)| *n).collect::<Vec<_>>()
    })];
    all_deps.extend(deps);
    serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "serialNumber": "urn:uuid:0f6c2e1a-7b3d-4c59-8e2f-1a2b3c4d5e6f", "version": 1,
        "metadata": {
            "timestamp": "2026-11-01T00:00:00Z", "authors": [{"name": "Fixture Author"}],
            "component": {"type": "application", "bom-ref": "app", "name": "demo-app",
                "version": "1.0.0", "supplier": {"name": "Demo Medical"},
                "purl": "pkg:generic/demo/demo-app@1.0.0"}
        },
        "components": comps,
        "dependencies": all_deps
    })
    .to_string()
}

fn revalidate_npm(components: &[(&str, &str)]) -> serde_json::Value {
    let tmp = Book::fixture("clean-advisories").file("sboms/app.cdx.json", npm_sbom(components));
    write(
        tmp.root(),
        "adv/npm/R-LOWER.json",
        npm_record("R-LOWER", "jsonstream"),
    );
    write(
        tmp.root(),
        "adv/npm/R-UPPER.json",
        npm_record("R-UPPER", "JSONStream"),
    );
    write(
        tmp.root(),
        "adv/npm/R-SCOPE.json",
        npm_record("R-SCOPE", "@Scope/Pkg"),
    );
    let r = revalidate_json(tmp.root(), "adv", &[]);
    assert!(matches!(r.code, Some(0 | 1)), "{}", r.stderr);
    json(&r)
}

/// npm scopes and names are case sensitive (purl-spec issue 871), in both directions: a
/// record for `jsonstream` names neither `JSONStream` nor the other way round.
#[test]
fn npm_names_match_advisories_with_their_case() {
    let report = revalidate_npm(&[
        ("upper", "pkg:npm/JSONStream@1.0.0"),
        ("lower", "pkg:npm/jsonstream@1.0.0"),
        ("scope-lower", "pkg:npm/%40scope/pkg@1.0.0"),
        ("scope-upper", "pkg:npm/%40Scope/Pkg@1.0.0"),
    ]);
    let mut found: Vec<(String, String)> = vulns(&report)
        .into_iter()
        .map(|(c, id, _)| (c, id))
        .collect();
    found.sort();
    let want = [
        ("lower@1.0.0", "R-LOWER"),
        ("scope-upper@1.0.0", "R-SCOPE"),
        ("upper@1.0.0", "R-UPPER"),
    ];
    assert_eq!(
        found,
        want.map(|(c, id)| (c.to_owned(), id.to_owned())),
        "{report:#}"
    );
    assert_eq!(report["summary"]["checked"], 4, "{:#}", report["summary"]);
}

/// A malformed purl is not checked against advisories, names its reason, and is not
/// counted as checked.
#[test]
fn a_malformed_purl_is_not_checked() {
    let report = revalidate_npm(&[
        ("lower", "pkg:npm/jsonstream@1.0.0"),
        ("bad", "pkg:npm/%zz@1.0.0"),
    ]);
    assert_eq!(report["summary"]["checked"], 1, "{:#}", report["summary"]);
    // The other one not checked is the application's own `pkg:generic` purl.
    assert_eq!(
        report["summary"]["not-checked"], 2,
        "{:#}",
        report["summary"]
    );
    let not_checked = report["not-checked"].to_string();
    assert!(not_checked.contains("is malformed"), "{not_checked}");
    assert!(not_checked.contains("`%zz`"), "{not_checked}");
    let c = codes(&report);
    assert!(c.contains(&"component-not-checked".to_owned()), "{c:?}");
    assert!(c.contains(&"sbom-invalid-purl".to_owned()), "{c:?}");
}

/// The shell recipe of README's revalidation section, as written there.
fn readme_recipe() -> String {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    let start = readme
        .find("```sh\ncd DIR && find . -type f -name '*.json'")
        .expect("README gives the recipe for an advisory folder's SHA-256");
    let body = &readme[start + "```sh\n".len()..];
    let recipe = body[..body.find("```").unwrap()].replace("cd DIR && ", "");
    let manual = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../manual/src/reference.md"),
    )
    .unwrap();
    assert!(
        manual.contains(&format!("cd FOLDER && {recipe}")),
        "the manual gives README's recipe"
    );
    recipe
}

/// README's recipe gives the tool's SHA-256 of a folder with a record over
/// `max-advisory-size`, a malformed record, a hidden file and a file that is not JSON: the
/// hash covers the files read, so the oversized record is left out of both.
#[test]
fn the_readme_recipe_gives_the_folders_sha256_with_files_left_unread() {
    let tmp = Book::fixture("clean-advisories");
    let adv = tmp.root().join("adv");
    crate::common::copy_dir(&fixture("clean-advisories/advisories"), &adv);
    write(
        &adv,
        "crates.io/TEST-BROKEN.json",
        "{\"id\": \"X\", \"affected\": [",
    );
    write(&adv, ".git/x.json", "{}");
    write(&adv, "README.md", "not a record\n");
    // One byte over the default limit of 4194304, and one at it, which is read.
    let big = fs::File::create(adv.join("crates.io/TEST-HUGE-0001.json")).unwrap();
    big.set_len(4_194_305).unwrap();
    let at = fs::File::create(adv.join("crates.io/TEST-AT-LIMIT.json")).unwrap();
    at.set_len(4_194_304).unwrap();
    let r = revalidate_json(tmp.root(), "adv", &[]);
    let report = json(&r);
    let source = &report["advisory-sources"][0];
    assert_eq!(source["rejected"], 4, "{source:#}");
    let out = std::process::Command::new("bash")
        .args(["-c", &readme_recipe()])
        .current_dir(&adv)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recomputed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        recomputed.split_whitespace().next(),
        source["sha256"].as_str(),
        "README's recipe and the tool disagree"
    );
}

/// The SARIF log and the GitHub annotations say on which day and against which advisory
/// sources they judged, with the JSON report's values.
#[test]
fn sarif_and_github_outputs_name_the_day_and_the_sources() {
    let dir = fixture("vulnerable-component");
    let report = json(&revalidate(&dir, TODAY, "json"));
    let source = &report["advisory-sources"][0];
    let log = json(&revalidate(&dir, TODAY, "sarif"));
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("core/schemas/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    assert!(validator.is_valid(&log), "the log breaks SARIF 2.1.0");
    let props = &log["runs"][0]["properties"];
    assert_eq!(props["today"], TODAY, "{props:#}");
    assert_eq!(props["todaySource"], "argument");
    let sources = props["advisorySources"].as_array().unwrap();
    assert_eq!(sources.len(), 1, "{props:#}");
    assert_eq!(sources[0]["path"], source["path"]);
    assert_eq!(sources[0]["records"], source["records"]);
    assert_eq!(sources[0]["newestModified"], source["newest-modified"]);
    assert_eq!(sources[0]["sha256"], source["sha256"]);
    let gh = revalidate(&dir, TODAY, "github");
    let notices: Vec<&str> = gh
        .stdout
        .lines()
        .filter(|l| l.starts_with("::notice title=techfile revalidation::"))
        .collect();
    assert_eq!(notices.len(), 1, "{}", gh.stdout);
    let notice = notices[0];
    for part in [
        format!("Revalidated on {TODAY} (from --today)"),
        format!("`{}`", source["path"].as_str().unwrap()),
        format!("{} records", source["records"]),
        format!(
            "newest modified {}",
            source["newest-modified"].as_str().unwrap()
        ),
        format!("SHA-256 {}", source["sha256"].as_str().unwrap()),
    ] {
        assert!(notice.contains(&part), "{part} missing from {notice}");
    }
}
