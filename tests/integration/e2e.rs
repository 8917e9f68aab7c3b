//! End to end with the real `mdbook` (0.5.x): the preprocessor runs inside `mdbook build`
//! and the HTML is inspected.
//!
//! mdbook must be on PATH (`cargo install --locked mdbook --version 0.5.4`). Set
//! TECHFILE_SKIP_MDBOOK=1 to skip these tests where it cannot be installed.

use crate::common::{BIN, copy_dir, files_with_ext, fixture, write};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const INSTALL: &str = "install mdbook 0.5.4 with `cargo install --locked mdbook --version 0.5.4` (or set TECHFILE_SKIP_MDBOOK=1 to skip the end-to-end tests)";

/// Whether the end-to-end tests run. Panics when mdbook is missing or not 0.5, unless
/// TECHFILE_SKIP_MDBOOK=1.
pub(crate) fn mdbook_ready(test: &str) -> bool {
    if std::env::var("TECHFILE_SKIP_MDBOOK").is_ok_and(|v| v == "1") {
        eprintln!("note: {test} skipped because TECHFILE_SKIP_MDBOOK=1");
        return false;
    }
    match Command::new("mdbook").arg("--version").output() {
        Ok(out) if out.status.success() => {
            let version = String::from_utf8_lossy(&out.stdout);
            assert!(
                version.trim().starts_with("mdbook v0.5."),
                "these tests need mdbook 0.5, found `{}`: {INSTALL}",
                version.trim()
            );
            true
        }
        Ok(out) => panic!(
            "`mdbook --version` failed ({}): {INSTALL}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!("mdbook is not on PATH ({e}): {INSTALL}"),
    }
}

/// Copies a fixture to `dest` and points its `[preprocessor.techfile]` at the binary
/// under test.
pub(crate) fn prepare(fixture_name: &str, dest: &Path) {
    copy_dir(&fixture(fixture_name), dest);
    let toml = dest.join("book/book.toml");
    let text = fs::read_to_string(&toml).unwrap();
    assert!(
        text.contains("[preprocessor.techfile]\n"),
        "{fixture_name}: no techfile table"
    );
    // A TOML literal string: no escapes, so any path without `'` works.
    assert!(!BIN.contains('\''));
    let text = text.replacen(
        "[preprocessor.techfile]\n",
        &format!("[preprocessor.techfile]\ncommand = '{BIN}'\n"),
        1,
    );
    fs::write(&toml, text).unwrap();
}

pub(crate) fn mdbook_build(root: &Path) -> Output {
    let mut cmd = Command::new("mdbook");
    cmd.arg("build").current_dir(root.join("book"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("MDBOOK_") {
            cmd.env_remove(k);
        }
    }
    cmd.output().expect("mdbook runs")
}

pub(crate) fn build_ok(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let out = mdbook_build(root);
    assert!(
        out.status.success(),
        "mdbook build failed\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let html = files_with_ext(&root.join("book/book"), ".html");
    assert!(!html.is_empty(), "no HTML written");
    html
}

/// The HTML with every `<code ...>...</code>` element removed (inline code and code
/// blocks), where directive text may legitimately appear.
fn without_code(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<code") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("</code>") else {
            rest = "";
            break;
        };
        rest = &rest[start + end + "</code>".len()..];
    }
    out.push_str(rest);
    out
}

/// The IDs of the items in a fixture, read from their front-matter.
fn item_ids(fixture_name: &str) -> Vec<String> {
    let mut ids: Vec<String> = files_with_ext(&fixture(fixture_name).join("requirements"), ".md")
        .values()
        .filter_map(|bytes| {
            let text = String::from_utf8_lossy(bytes);
            text.lines().find_map(|l| {
                l.strip_prefix("id = \"")?
                    .strip_suffix('"')
                    .map(str::to_owned)
            })
        })
        .collect();
    ids.sort();
    ids
}

/// One built page as text; a missing page fails the test with the list of pages.
fn page_text(html: &BTreeMap<String, Vec<u8>>, p: &str) -> String {
    String::from_utf8(
        html.get(p)
            .unwrap_or_else(|| panic!("{p} missing; pages: {:?}", html.keys()))
            .clone(),
    )
    .unwrap()
}

#[test]
fn clean_book_builds_with_mdbook() {
    if !mdbook_ready("clean_book_builds_with_mdbook") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    prepare("clean", tmp.path());
    let html = build_ok(tmp.path());
    let page = |p: &str| page_text(&html, p);

    // Generated pages for the kinds no chapter hosts; risks are hosted by risks.md.
    for p in [
        "techfile/requirements.html",
        "techfile/controls.html",
        "techfile/tests.html",
        "techfile/catalog.html",
        "risks.html",
        "overview.html",
        "intro.html",
    ] {
        assert!(
            html.contains_key(p),
            "{p} missing; pages: {:?}",
            html.keys()
        );
    }
    assert!(
        !html.contains_key("techfile/risks.html"),
        "risks are hosted by a chapter, so no risks page is generated"
    );

    // Every item has an anchor, on the page of its kind.
    let ids = item_ids("clean");
    assert_eq!(ids.len(), 13, "{ids:?}");
    for id in &ids {
        let anchor = format!("id=\"{}\"", id.to_lowercase());
        let expected_page = match &id[..3] {
            "REQ" => "techfile/requirements.html",
            "CTL" => "techfile/controls.html",
            "TST" => "techfile/tests.html",
            "RSK" => "risks.html",
            other => panic!("unexpected prefix {other}"),
        };
        assert!(
            page(expected_page).contains(&anchor),
            "{anchor} missing on {expected_page}"
        );
    }
    // Catalog entries have anchors on the catalog page.
    assert!(page("techfile/catalog.html").contains("id=\"mdcg-sm\""));
    assert!(page("techfile/catalog.html").contains("id=\"iec62443-sr-1\""));

    // References in chapters became links to the right page and anchor.
    let overview = page("overview.html");
    assert!(
        overview.contains("href=\"techfile/requirements.html#req-sm-001\""),
        "ref REQ-SM-001 is a link"
    );
    assert!(
        overview.contains("href=\"techfile/catalog.html#mdcg-sm\""),
        "ref MDCG-SM is a link"
    );
    // The summary and the matrix were placed.
    assert!(overview.contains("techfile-matrix"), "matrix placed");
    assert!(
        overview.contains("MDCG 2019-16 practices addressed"),
        "summary placed"
    );

    // A chapter's front-matter never reaches the reader.
    for (p, bytes) in &html {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("FRONTMATTER-MARKER-MUST-NOT-SHOW"),
            "front-matter visible in {p}"
        );
        assert!(!text.contains("+++"), "front-matter fence visible in {p}");
    }

    // Directives are expanded everywhere except inside code, where they stay as written.
    for (p, bytes) in &html {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !without_code(&text).contains("{{#techfile"),
            "unexpanded directive outside code in {p}"
        );
    }
    assert!(
        overview.contains("<code>{{#techfile matrix}}</code>"),
        "inline code kept"
    );
    assert!(
        overview.contains("{{#techfile summary}}\n</code>"),
        "code block kept"
    );

    // A hostile title is escaped wherever it appears, never raw.
    let mut seen_escaped = false;
    for (p, bytes) in &html {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("<script>alert(1)"), "raw script tag in {p}");
        seen_escaped |= text.contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    }
    assert!(seen_escaped, "the escaped title appears");
    assert!(
        page("techfile/requirements.html")
            .contains("Hardening guide &lt;script&gt;alert(1)&lt;/script&gt;")
    );

    // Item pages show where each item comes from, relative to the project.
    assert!(page("techfile/requirements.html").contains("requirements/REQ-SG-001.md"));
    assert!(page("techfile/tests.html").contains("requirements/tests/TST-002.md"));
}

/// Every `id="..."` in a page, in order.
fn ids_in(html: &str) -> Vec<&str> {
    html.match_indices(" id=\"")
        .filter_map(|(at, m)| {
            let rest = &html[at + m.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// Problems with the HTML of a build: a page with two elements of the same id, or a
/// relative link to a file or anchor that does not exist.
fn link_and_id_problems(out_dir: &Path, html: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let texts: BTreeMap<&str, &str> = html
        .iter()
        .map(|(p, b)| (p.as_str(), std::str::from_utf8(b).expect("HTML is UTF-8")))
        .collect();
    for (page, text) in &texts {
        let mut seen = BTreeSet::new();
        for id in ids_in(text) {
            if !seen.insert(id) {
                problems.push(format!("{page}: two elements have id=\"{id}\""));
            }
        }
        ids.insert(page, seen);
    }
    for (page, text) in &texts {
        for (at, m) in text.match_indices("href=\"") {
            let rest = &text[at + m.len()..];
            let Some(end) = rest.find('"') else { continue };
            let href = rest[..end].replace("&amp;", "&");
            if href.starts_with('/') || href.split_once(':').is_some_and(|(s, _)| !s.contains('/'))
            {
                continue; // absolute URL (https:, mailto:, javascript:, or site-root `/`)
            }
            let (path, anchor) = href.split_once('#').unwrap_or((href.as_str(), ""));
            let target = if path.is_empty() {
                page.to_string()
            } else {
                let mut parts: Vec<&str> = page.split('/').collect();
                parts.pop();
                for c in path.split('/') {
                    match c {
                        "." | "" => {}
                        ".." => {
                            if parts.pop().is_none() {
                                problems.push(format!("{page}: {href} leaves the book"));
                            }
                        }
                        c => parts.push(c),
                    }
                }
                parts.join("/")
            };
            let exists = texts.contains_key(target.as_str()) || out_dir.join(&target).is_file();
            if !exists {
                problems.push(format!("{page}: {href}: no file {target}"));
            } else if !anchor.is_empty()
                && let Some(page_ids) = ids.get(target.as_str())
                && !page_ids.contains(anchor)
            {
                problems.push(format!("{page}: {href}: {target} has no id=\"{anchor}\""));
            }
        }
    }
    problems
}

#[test]
fn clean_build_has_working_links_and_unique_ids() {
    if !mdbook_ready("clean_build_has_working_links_and_unique_ids") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    prepare("clean", tmp.path());
    // A chapter two folders deep that hosts the tests and links everywhere, and generated
    // pages in a nested folder: every relative link must still land.
    let toml = tmp.path().join("book/book.toml");
    let text = fs::read_to_string(&toml).unwrap().replace(
        "[preprocessor.techfile]\n",
        "[preprocessor.techfile]\npages-dir = \"trace/generated\"\n",
    );
    fs::write(&toml, text).unwrap();
    write(
        tmp.path(),
        "book/src/design/deep/tests.md",
        "# Tests\n\n{{#techfile items test}}\n\nSee {{#techfile ref REQ-SM-001}}, {{#techfile ref RSK-001}}, {{#techfile ref CTL-002}}, {{#techfile ref MDCG-SVV}}.\n\n{{#techfile matrix}}\n",
    );
    let summary = tmp.path().join("book/src/SUMMARY.md");
    let mut s = fs::read_to_string(&summary).unwrap();
    s.push_str("- [Tests](design/deep/tests.md)\n");
    fs::write(&summary, s).unwrap();

    let html = build_ok(tmp.path());
    for p in [
        "trace/generated/requirements.html",
        "trace/generated/controls.html",
        "trace/generated/catalog.html",
        "design/deep/tests.html",
    ] {
        assert!(
            html.contains_key(p),
            "{p} missing; pages: {:?}",
            html.keys()
        );
    }
    assert!(
        !html.contains_key("trace/generated/tests.html"),
        "tests are hosted by a chapter"
    );
    let deep = String::from_utf8_lossy(&html["design/deep/tests.html"]).into_owned();
    assert!(deep.contains("href=\"../../trace/generated/requirements.html#req-sm-001\""));
    assert!(deep.contains("id=\"tst-001\""));
    let problems = link_and_id_problems(&tmp.path().join("book/book"), &html);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn sboms_render_with_fingerprints_and_link_both_ways_to_items() {
    if !mdbook_ready("sboms_render_with_fingerprints_and_link_both_ways_to_items") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    prepare("clean", tmp.path());
    let html = build_ok(tmp.path());
    let page = |p: &str| page_text(&html, p);
    let sbom = page("sbom.html");
    // The fingerprint a reader checks their copy against is the file's SHA-256.
    let bytes = fs::read(fixture("clean").join("sboms/firmware.cdx.json")).unwrap();
    let sha = mdbook_techfile::core::sbom::sha256_hex(&bytes);
    assert!(sbom.contains(&sha), "fingerprint {sha} shown");
    // A component row links back to the risk that affects it, and the risk links to the row.
    let row_start = sbom
        .find("<tr id=\"sbom-firmware-mcuboot\">")
        .expect("mcuboot row");
    let row = &sbom[row_start..row_start + sbom[row_start..].find("</tr>").unwrap()];
    assert!(row.contains("href=\"risks.html#rsk-001\""), "{row}");
    assert!(
        row.contains("href=\"#sbom-firmware-mbedtls\""),
        "direct dependency link: {row}"
    );
    let risks = page("risks.html");
    assert!(
        risks.contains("href=\"sbom.html#sbom-firmware-mcuboot\""),
        "the risk links to the component"
    );
    assert!(risks.contains("href=\"sbom.html#sbom-firmware-mbedtls\""));
    // Text from the SBOM is escaped.
    assert!(!sbom.contains("<img src=x"), "raw HTML from an SBOM");
    assert!(sbom.contains("&lt;img src=x onerror=alert(2)&gt;"));
    // An SBOM no chapter places gets a generated page.
    let portal = page("techfile/sbom-portal.html");
    assert!(portal.contains("id=\"sbom-portal-react\""));
    assert!(portal.contains("CycloneDX 1.7"));
}

#[test]
fn builds_are_byte_identical() {
    if !mdbook_ready("builds_are_byte_identical") {
        return;
    }
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    prepare("clean", a.path());
    prepare("clean", b.path());
    let ha = build_ok(a.path());
    let hb = build_ok(b.path());
    assert_eq!(
        ha.keys().collect::<Vec<_>>(),
        hb.keys().collect::<Vec<_>>(),
        "same pages"
    );
    for (p, bytes) in &ha {
        assert!(bytes == &hb[p], "{p} differs between two builds");
    }
}

#[test]
fn book_with_errors_fails_mdbook_build() {
    if !mdbook_ready("book_with_errors_fails_mdbook_build") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    prepare("unknown-id", tmp.path());
    let out = mdbook_build(tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "mdbook build must fail\n{stderr}");
    assert!(stderr.contains("error[unknown-id]"), "{stderr}");
    // Paths are relative to the book folder, where mdBook runs the preprocessor.
    assert!(stderr.contains("../requirements/CTL-1.md:5:24"), "{stderr}");
    assert!(
        !tmp.path().join("book/book/index.html").exists(),
        "nothing is rendered from a book with errors"
    );
}

#[test]
fn configuration_errors_fail_mdbook_build_at_their_line() {
    if !mdbook_ready("configuration_errors_fail_mdbook_build_at_their_line") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    prepare("config-unknown-key", tmp.path());
    let out = mdbook_build(tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "mdbook build must fail\n{stderr}");
    // All of them, as findings, at their lines (shifted by the `command` line `prepare`
    // added), with the closing count.
    for expected in [
        "error[config-unknown-key]: unknown key `item` in [preprocessor.techfile]",
        "book.toml:6:1",
        "help: did you mean `items`?",
        "book.toml:9:1",
        "book.toml:12:1",
        "unknown key `signatur` in [preprocessor.techfile.bundle.approval]",
        "book.toml:20:1",
        "techfile: 4 errors, 0 warnings",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    assert!(!tmp.path().join("book/book/index.html").exists());
}

#[test]
fn chapter_findings_point_at_the_same_place_in_build_and_check() {
    if !mdbook_ready("chapter_findings_point_at_the_same_place_in_build_and_check") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    prepare("unknown-reference", tmp.path());
    let out = mdbook_build(tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    // The chapter has front-matter; lines are still counted from the top of the file.
    assert!(stderr.contains("src/chapter.md:6:49"), "{stderr}");
    assert!(stderr.contains("src/chapter.md:8:78"), "{stderr}");
    assert!(stderr.contains("../requirements/RSK-1.md:6:26"), "{stderr}");
}

#[test]
fn warnings_do_not_fail_mdbook_build() {
    if !mdbook_ready("warnings_do_not_fail_mdbook_build") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    prepare("link-to-obsolete", tmp.path());
    let out = mdbook_build(tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("warning[link-to-obsolete]"), "{stderr}");
    assert!(
        tmp.path()
            .join("book/book/techfile/requirements.html")
            .is_file()
    );
}

/// `\{{#techfile ...}}` is documented to show the directive text. mdBook's built-in `links`
/// preprocessor treats `\{{#...}}` as its own escape and removes the backslash, so techfile
/// must run before it: the documented configuration says `before = ["links"]`.
#[test]
fn escaped_directive_shows_its_text_in_mdbook_build() {
    if !mdbook_ready("escaped_directive_shows_its_text_in_mdbook_build") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    prepare("clean", tmp.path());
    let toml = tmp.path().join("book/book.toml");
    let config = fs::read_to_string(&toml).unwrap();
    fs::write(
        &toml,
        config.replacen(
            "[preprocessor.techfile]\n",
            "[preprocessor.techfile]\nbefore = [\"links\"]\n",
            1,
        ),
    )
    .unwrap();
    let overview = tmp.path().join("book/src/overview.md");
    let mut text = fs::read_to_string(&overview).unwrap();
    text.push_str("\nWrite \\{{#techfile summary}} to place the summary.\n");
    fs::write(&overview, text).unwrap();
    let html = build_ok(tmp.path());
    let page = String::from_utf8_lossy(&html["overview.html"]).into_owned();
    assert!(
        page.contains("<p>Write {{#techfile summary}} to place the summary.</p>"),
        "the escaped directive is shown as text"
    );
    assert_eq!(
        page.matches("MDCG 2019-16 practices addressed").count(),
        1,
        "only the real directive places a summary"
    );
}

/// Each item file is its own document: a code fence left open at the end of one item's
/// body must not swallow the items placed after it on the same page. Today CTL-001's
/// open fence turns CTL-002's whole section (heading, anchor, table) into code.
#[test]

fn unclosed_fence_in_an_item_body_stays_inside_that_item() {
    if !mdbook_ready("unclosed_fence_in_an_item_body_stays_inside_that_item") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    prepare("clean", tmp.path());
    let ctl = tmp.path().join("requirements/CTL-001.md");
    let mut text = fs::read_to_string(&ctl).unwrap();
    text.push_str("\n```text\nan example whose fence is never closed\n");
    fs::write(&ctl, text).unwrap();
    let html = build_ok(tmp.path());
    let controls = String::from_utf8_lossy(&html["techfile/controls.html"]).into_owned();
    assert!(controls.contains("id=\"ctl-001\""));
    assert!(
        controls.contains("id=\"ctl-002\""),
        "CTL-002 lost its anchor"
    );
    let problems = link_and_id_problems(&tmp.path().join("book/book"), &html);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// An item ID whose anchor equals a heading id the page already has (the page title
/// "Requirements" gives id="requirements") yields two elements with one id, and links to
/// the item land on the page title. Either `check` reports it or the page keeps ids unique.
#[test]

fn item_anchor_never_collides_with_a_page_heading() {
    if !mdbook_ready("item_anchor_never_collides_with_a_page_heading") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    prepare("clean", tmp.path());
    write(
        tmp.path(),
        "requirements/REQUIREMENTS.md",
        "+++\nid = \"REQUIREMENTS\"\nkind = \"requirement\"\ntitle = \"Unlucky ID\"\nderives-from = [\"MDCG-SM\"]\n+++\n",
    );
    let ctl = tmp.path().join("requirements/CTL-001.md");
    let text = fs::read_to_string(&ctl)
        .unwrap()
        .replace("implements = [", "implements = [\"REQUIREMENTS\", ");
    fs::write(&ctl, text).unwrap();
    let out = mdbook_build(tmp.path());
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("duplicate-id"), "{stderr}");
        return;
    }
    let html = files_with_ext(&tmp.path().join("book/book"), ".html");
    let problems = link_and_id_problems(&tmp.path().join("book/book"), &html);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
