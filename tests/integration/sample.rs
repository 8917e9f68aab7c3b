//! The sample technical file in `book/` is the product's own acceptance test: it checks
//! clean, every test item is load-bearing, and its regulatory tables work in a browser.

use crate::common::{Book, repo_root, require, run};
use mdbook_techfile::core::catalog::{Catalog, EntryKind};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn front_matter(path: &Path) -> toml::Table {
    let text = fs::read_to_string(path).unwrap();
    let toml = text.split("+++").nth(1).unwrap_or_default();
    toml.parse().unwrap()
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            markdown_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
}

#[test]
fn the_sample_technical_file_checks_clean_without_warnings() {
    require!(Graphviz);
    let r = run(&repo_root(), &["check", "book", "--format", "json"]);
    assert_eq!(
        r.stdout, "",
        "findings in the sample technical file:\n{}",
        r.stdout
    );
    r.expect_code(0);
}

#[test]
fn the_sample_meets_the_minimum_content() {
    let mut files = Vec::new();
    markdown_files(&repo_root().join("requirements"), &mut files);
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for f in &files {
        let fm = front_matter(f);
        *kinds
            .entry(fm["kind"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert!(kinds["requirement"] >= 40, "{kinds:?}");
    assert!(kinds["risk"] >= 15, "{kinds:?}");
    assert!(kinds["control"] >= 30, "{kinds:?}");
    assert!(kinds["test"] >= 40, "{kinds:?}");
}

/// Deleting any one test file leaves some control unverified, and the check names it.
#[test]
fn deleting_any_test_file_fails_and_names_the_control_left_unverified() {
    require!(Graphviz);
    let book = Book::sample();
    let mut files = Vec::new();
    markdown_files(&book.path("requirements"), &mut files);
    files.sort();
    let tests: Vec<(PathBuf, Vec<String>)> = files
        .into_iter()
        .filter_map(|f| {
            let fm = front_matter(&f);
            (fm["kind"].as_str() == Some("test")).then(|| {
                let verifies = fm
                    .get("verifies")
                    .and_then(|v| v.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                (f, verifies)
            })
        })
        .collect();
    assert!(tests.len() >= 40);
    let mut problems = Vec::new();
    for (file, verifies) in &tests {
        let aside = file.with_extension("aside");
        fs::rename(file, &aside).unwrap();
        let r = book.check();
        fs::rename(&aside, file).unwrap();
        let named: Vec<&str> = r
            .with_code("control-not-verified")
            .into_iter()
            .filter_map(|v| v["message"].as_str())
            .collect();
        let names_own_control = named
            .iter()
            .any(|m| verifies.iter().any(|c| m.contains(&format!("`{c}`"))));
        if r.code != Some(1) || !names_own_control {
            problems.push(format!(
                "{}: exit {:?}, codes {:?}",
                file.display(),
                r.code,
                r.codes()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "deleting these test files does not fail the build:\n{}",
        problems.join("\n")
    );
}

/// The same with the real `mdbook build`, for one test file.
#[test]
fn mdbook_build_fails_when_a_test_file_is_deleted() {
    require!(Mdbook, Graphviz);
    let book = Book::sample();
    let mut files = Vec::new();
    markdown_files(&book.path("requirements/tests"), &mut files);
    files.sort();
    let victim = &files[0];
    let verifies = front_matter(victim)["verifies"].as_array().unwrap().clone();
    fs::remove_file(victim).unwrap();
    let built = book.build().expect_failure();
    let unverified: Vec<&str> = built
        .findings
        .iter()
        .filter(|f| f.severity == "error" && f.code == "control-not-verified")
        .map(|f| f.message.as_str())
        .collect();
    assert!(!unverified.is_empty(), "{}", built.stderr);
    assert!(
        verifies
            .iter()
            .filter_map(|v| v.as_str())
            .any(|c| unverified.iter().any(|m| m.contains(&format!("`{c}`")))),
        "{}",
        built.stderr
    );
}

/// The page as headless Chromium sees it after loading (scripts run, DOM serialised).
fn browser_dom(page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!(" {attr}=\"");
    html.match_indices(&pat)
        .filter_map(|(i, _)| {
            let rest = &html[i + pat.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// Opens the traceability chapter in headless Chromium and checks what an auditor sees:
/// the checklist has one row per MDR Annex I entry, the practice table one per practice,
/// and every link on the page lands on an existing page and element.
#[test]
fn regulatory_tables_render_in_a_browser_with_working_links() {
    require!(Mdbook, Chromium, Graphviz);
    // The HTML and the bundle without its PDF, which `bundle.rs` tests.
    let built = Book::sample()
        .mdbook()
        .env("MDBOOK_PREPROCESSOR__TECHFILE__BUNDLE__PDF", "false")
        .run()
        .expect_ok();
    let page = built.html_dir().join("traceability.html");
    let dom = browser_dom(&page);
    let main = &dom[dom.find("<main").expect("page has a <main>")..];

    let catalog = Catalog::builtin();
    let rows = |prefix: &str| {
        attr_values(main, "id")
            .iter()
            .filter(|id| id.starts_with(prefix))
            .count()
    };
    assert_eq!(
        rows("techfile-checklist-"),
        catalog.of_kind(EntryKind::Mdr).count()
    );
    assert_eq!(
        rows("techfile-practice-"),
        catalog.of_kind(EntryKind::Practice).count()
    );
    assert!(
        main.contains("not applicable"),
        "the checklist shows the not-applicable entries"
    );

    let mut ids_of: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    let mut missing = Vec::new();
    let links = attr_values(main, "href");
    assert!(links.len() > 100, "the tables are full of links");
    for href in links {
        if href.contains("://") || href.starts_with("mailto:") {
            continue;
        }
        let (file, frag) = href.split_once('#').unwrap_or((href, ""));
        let target = if file.is_empty() {
            page.clone()
        } else {
            page.parent().unwrap().join(file)
        };
        if !target.is_file() {
            missing.push(format!("{href}: no such page"));
            continue;
        }
        if frag.is_empty() {
            continue;
        }
        let ids = ids_of.entry(target.clone()).or_insert_with(|| {
            let html = fs::read_to_string(&target).unwrap();
            attr_values(&html, "id")
                .into_iter()
                .map(String::from)
                .collect()
        });
        if !ids.iter().any(|id| id == frag) {
            missing.push(format!("{href}: no element with id {frag}"));
        }
    }
    assert!(
        missing.is_empty(),
        "broken links on the traceability page:\n{}",
        missing.join("\n")
    );
}
