//! End to end with the real `mdbook` (0.5.x): the preprocessor runs inside `mdbook build`
//! and the HTML is inspected.
//!
//! mdbook must be on PATH (`cargo install --locked mdbook --version 0.5.4`). Set
//! TECHFILE_SKIP_MDBOOK=1 to skip these tests where it cannot be installed.

use crate::common::{Book, files_with_ext, fixture, item_ids, require};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

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

#[test]
fn clean_book_builds_with_mdbook() {
    require!(Mdbook);
    let built = Book::fixture("clean").build().expect_ok();
    let html = built.html();
    let page = |p: &str| built.page(p);

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
    let ids = item_ids(&fixture("clean").join("requirements"));
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

/// The anchor of the row of the component named `name` in the SBOM `key`, as `check`
/// computes it.
fn component_anchor(book: &Path, key: &str, name: &str) -> String {
    let outcome = mdbook_techfile::mdbook::check(book).expect("the book loads");
    let sbom = outcome
        .analysis
        .sboms
        .sboms
        .iter()
        .find(|s| s.key == key)
        .unwrap_or_else(|| panic!("no SBOM {key}"));
    sbom.components
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no component {name} in {key}"))
        .anchor
        .clone()
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
pub(crate) fn link_and_id_problems(
    out_dir: &Path,
    html: &BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
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
    require!(Mdbook);
    // A chapter two folders deep that hosts the tests and links everywhere, and generated
    // pages in a nested folder: every relative link must still land.
    let book = Book::fixture("clean")
        .config("pages-dir = \"trace/generated\"")
        .chapter(
            "design/deep/tests.md",
            "Tests",
            "# Tests\n\n{{#techfile items test}}\n\nSee {{#techfile ref REQ-SM-001}}, {{#techfile ref RSK-001}}, {{#techfile ref CTL-002}}, {{#techfile ref MDCG-SVV}}.\n\n{{#techfile matrix}}\n",
        );
    let built = book.build().expect_ok();
    let html = built.html();
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
    let problems = link_and_id_problems(&built.out, &html);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn sboms_render_with_fingerprints_and_link_both_ways_to_items() {
    require!(Mdbook);
    let built = Book::fixture("clean").build().expect_ok();
    let page = |p: &str| built.page(p);
    let sbom = page("sbom.html");
    // The fingerprint a reader checks their copy against is the file's SHA-256.
    let bytes = std::fs::read(fixture("clean").join("sboms/firmware.cdx.json")).unwrap();
    let sha = mdbook_techfile::core::sbom::sha256_hex(&bytes);
    assert!(sbom.contains(&sha), "fingerprint {sha} shown");
    // A component row links back to the risk that affects it, and the risk links to the row.
    let book_dir = built
        .out
        .parent()
        .expect("book/book is in book/")
        .to_path_buf();
    let anchor = |key: &str, name: &str| component_anchor(&book_dir, key, name);
    let (mcuboot, mbedtls) = (
        anchor("firmware.cdx.json", "mcuboot"),
        anchor("firmware.cdx.json", "mbedtls"),
    );
    let row_start = sbom
        .find(&format!("<tr id=\"{mcuboot}\">"))
        .expect("mcuboot row");
    let row = &sbom[row_start..row_start + sbom[row_start..].find("</tr>").unwrap()];
    assert!(row.contains("href=\"risks.html#rsk-001\""), "{row}");
    assert!(
        row.contains(&format!("href=\"#{mbedtls}\"")),
        "direct dependency link: {row}"
    );
    let risks = page("risks.html");
    assert!(
        risks.contains(&format!("href=\"sbom.html#{mcuboot}\"")),
        "the risk links to the component"
    );
    assert!(risks.contains(&format!("href=\"sbom.html#{mbedtls}\"")));
    // Text from the SBOM is escaped.
    assert!(!sbom.contains("<img src=x"), "raw HTML from an SBOM");
    assert!(sbom.contains("&lt;img src=x onerror=alert(2)&gt;"));
    // An SBOM no chapter places gets a generated page.
    let portal = page("techfile/sbom-portal.html");
    let react = anchor("portal.cdx.json", "react");
    assert!(react.starts_with("sbom-portal-"), "{react}");
    assert!(portal.contains(&format!("id=\"{react}\"")));
    assert!(portal.contains("CycloneDX 1.7"));
}

#[test]
fn builds_are_byte_identical() {
    require!(Mdbook);
    let ha = Book::fixture("clean").build().expect_ok().html();
    let hb = Book::fixture("clean").build().expect_ok().html();
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
    require!(Mdbook);
    let built = Book::fixture("unknown-id").build().expect_failure();
    // Paths are relative to the book folder, where mdBook runs the preprocessor.
    assert!(
        built.has("unknown-id", "../requirements/CTL-1.md:5:24"),
        "{}",
        built.stderr
    );
    assert!(built.findings.iter().all(|f| f.severity == "error"));
    assert!(
        !built.out.join("index.html").exists(),
        "nothing is rendered from a book with errors"
    );
}

#[test]
fn configuration_errors_fail_mdbook_build_at_their_line() {
    require!(Mdbook);
    let built = Book::fixture("config-unknown-key").build().expect_failure();
    // All of them, as findings, at their lines, with the closing count.
    let places: Vec<(&str, &str)> = built
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.place.as_str()))
        .collect();
    assert_eq!(
        places,
        [
            ("config-unknown-key", "book.toml:5:1"),
            ("config-unknown-key", "book.toml:8:1"),
            ("config-unknown-key", "book.toml:11:1"),
            ("config-unknown-key", "book.toml:14:1"),
            ("config-unknown-key", "book.toml:22:1"),
        ],
        "{}",
        built.stderr
    );
    assert!(
        built.stderr.contains("techfile: 5 errors, 0 warnings"),
        "{}",
        built.stderr
    );
    assert!(!built.out.join("index.html").exists());
}

#[test]
fn chapter_findings_point_at_the_same_place_in_build_and_check() {
    require!(Mdbook);
    let built = Book::fixture("unknown-reference").build().expect_failure();
    // The chapter has front-matter; lines are still counted from the top of the file.
    let places: Vec<&str> = built.findings.iter().map(|f| f.place.as_str()).collect();
    for place in [
        "src/chapter.md:6:49",
        "src/chapter.md:8:78",
        "../requirements/RSK-1.md:6:26",
    ] {
        assert!(places.contains(&place), "{place} missing: {places:?}");
    }
}

#[test]
fn warnings_do_not_fail_mdbook_build() {
    require!(Mdbook);
    let built = Book::fixture("link-to-obsolete").build().expect_ok();
    assert!(
        built
            .findings
            .iter()
            .any(|f| f.severity == "warning" && f.code == "link-to-obsolete"),
        "{}",
        built.stderr
    );
    assert!(built.out.join("techfile/requirements.html").is_file());
}

/// `\{{#techfile ...}}` is documented to show the directive text. mdBook's built-in `links`
/// preprocessor treats `\{{#...}}` as its own escape and removes the backslash; the plugin
/// reads the chapter file itself, so the escape works whether it runs before `links`
/// (`before = ["links"]`) or after it (the default order).
#[test]
fn escaped_directive_shows_its_text_in_mdbook_build() {
    require!(Mdbook);
    for before in ["before = [\"links\"]", ""] {
        let book = Book::fixture("clean")
            .config(before)
            .edit("book/src/overview.md", |text| {
                format!("{text}\nWrite \\{{{{#techfile summary}}}} to place the summary.\n")
            });
        let page = book.build().expect_ok().page("overview.html");
        assert!(
            page.contains("<p>Write {{#techfile summary}} to place the summary.</p>"),
            "{before}: the escaped directive is shown as text"
        );
        assert_eq!(
            page.matches("MDCG 2019-16 practices addressed").count(),
            1,
            "{before}: only the real directive places a summary"
        );
    }
}

/// Each item file is its own document: a code fence left open at the end of one item's
/// body must not swallow the items placed after it on the same page. Today CTL-001's
/// open fence turns CTL-002's whole section (heading, anchor, table) into code.
#[test]

fn unclosed_fence_in_an_item_body_stays_inside_that_item() {
    require!(Mdbook);
    let book = Book::fixture("clean").edit("requirements/CTL-001.md", |text| {
        format!("{text}\n```text\nan example whose fence is never closed\n")
    });
    let built = book.build().expect_ok();
    let html = built.html();
    let controls = built.page("techfile/controls.html");
    assert!(controls.contains("id=\"ctl-001\""));
    assert!(
        controls.contains("id=\"ctl-002\""),
        "CTL-002 lost its anchor"
    );
    let problems = link_and_id_problems(&built.out, &html);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// An item ID whose anchor equals a heading id the page already has (the page title
/// "Requirements" gives id="requirements") yields two elements with one id, and links to
/// the item land on the page title. Either `check` reports it or the page keeps ids unique.
#[test]

fn item_anchor_never_collides_with_a_page_heading() {
    require!(Mdbook);
    let book = Book::fixture("clean")
        .file(
            "requirements/REQUIREMENTS.md",
            "+++\nid = \"REQUIREMENTS\"\nkind = \"requirement\"\ntitle = \"Unlucky ID\"\nderives-from = [\"MDCG-SM\"]\n+++\n",
        )
        .edit("requirements/CTL-001.md", |text| {
            text.replace("implements = [", "implements = [\"REQUIREMENTS\", ")
        });
    let built = book.build();
    if !built.success {
        assert!(built.codes().contains(&"duplicate-id"), "{}", built.stderr);
        return;
    }
    let html = files_with_ext(&built.out, ".html");
    let problems = link_and_id_problems(&built.out, &html);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Issues 11.4 and 11.5 in a real build: a hand-written link to a component row lands on
/// that row, an item names a component by a percent-encoded purl without qualifiers and a
/// service by its bom-ref, and versions sort as versions.
#[test]
fn sbom_identities_hold_in_mdbook_build() {
    require!(Mdbook);
    let built = Book::fixture("clean-sbom-identity").build().expect_ok();
    let html = built.html();
    let page = |p: &str| built.page(p);
    let book = built
        .out
        .parent()
        .expect("book/book is in book/")
        .to_path_buf();
    let ryu = component_anchor(&book, "rust.cdx.json", "ryu");
    let chapter = page("chapter.html");
    assert!(
        chapter.contains(&format!("href=\"sbom.html#{ryu}\"")),
        "hand-written link"
    );
    let sbom = page("sbom.html");
    let row = &sbom[sbom.find(&format!("<tr id=\"{ryu}\">")).expect("ryu row")..];
    assert!(
        row.starts_with(&format!("<tr id=\"{ryu}\"><td><strong>ryu</strong>")),
        "{}",
        &row[..200]
    );
    let bsdutils = component_anchor(&book, "os.cdx.json", "bsdutils");
    let controls = page("techfile/controls.html");
    assert!(
        controls.contains(&format!("href=\"../sbom.html#{bsdutils}\"")),
        "CTL-1 links to the bsdutils row"
    );
    assert!(
        controls.contains(">update-api@1</a>"),
        "CTL-1 links to the service"
    );
    let (old, new) = (
        sbom.find(">1.0.9<").unwrap(),
        sbom.find(">1.0.10<").unwrap(),
    );
    assert!(old < new, "itoa 1.0.9 is listed before 1.0.10");
    let problems = link_and_id_problems(&built.out, &html);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Issue 11.3 in a real build: the dangling reference is a located warning, and an error
/// when the book says so.
#[test]
fn unresolved_sbom_references_are_reported_by_mdbook_build() {
    require!(Mdbook);
    let book = Book::fixture("sbom-unresolved-ref");
    let sbom_text = book.read("sboms/app.cdx.json");
    let line = 1 + sbom_text
        .lines()
        .position(|l| l.contains("[3135b]"))
        .unwrap();
    let built = book.build().expect_ok();
    assert!(
        built
            .findings
            .iter()
            .any(|f| f.code == "sbom-unresolved-ref"
                && f.severity == "warning"
                && f.place == format!("../sboms/app.cdx.json:{line}:9")),
        "{}",
        built.stderr
    );
    let html = files_with_ext(&built.out, ".html");
    let sbom = html
        .iter()
        .find(|(p, _)| p.contains("sbom-app"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .expect("the SBOM's generated page");
    assert!(
        sbom.contains("<code>@mui/styled-engine@npm:5.16.6 [3135b]</code>"),
        "the dangling reference is shown as written"
    );
    assert!(
        sbom.contains("<strong>telemetry</strong>"),
        "services have rows"
    );

    let built = book
        .severity("sbom-unresolved-ref = \"deny\"")
        .build()
        .expect_failure();
    assert!(
        built
            .findings
            .iter()
            .any(|f| f.code == "sbom-unresolved-ref" && f.severity == "error"),
        "{}",
        built.stderr
    );
}

/// Item pages name in full what the author wrote and list what is derived by ID with the
/// title as tooltip: a practice a requirement derives from directly is not repeated on
/// the "Practices" line, one reached through another requirement is; links between
/// generated pages of one folder are plain file names.
#[test]
fn item_pages_name_written_links_and_list_derived_ones_by_id() {
    let book = Book::new("")
        .item(
            "REQ-1",
            "requirement",
            "Signed updates",
            &["derives-from = [\"MDCG-SR\"]"],
            "",
        )
        .item(
            "REQ-2",
            "requirement",
            "Key storage",
            &["derives-from = [\"REQ-1\"]"],
            "",
        )
        .item(
            "CTL-1",
            "control",
            "Secure element",
            &["implements = [\"REQ-2\"]"],
            "",
        );
    let (_, pages) = mdbook_techfile::mdbook::render(&book.path("book")).expect("renders");
    let page = |p: &str| {
        pages
            .iter()
            .find(|x| x.path == p)
            .unwrap_or_else(|| panic!("no page {p}"))
            .content
            .clone()
    };
    let requirements = page("techfile/requirements.md");
    let section = |id: &str| {
        let start = requirements
            .find(&format!("{{#{}}}", id.to_lowercase()))
            .unwrap_or_else(|| panic!("no section {id}:\n{requirements}"));
        let rest = &requirements[start..];
        rest[..rest[1..].find("\n## ").map_or(rest.len(), |e| e + 1)].to_string()
    };
    let req1 = section("REQ-1");
    assert!(
        req1.contains("<strong>Derives from:</strong> <a href=\"catalog.html#mdcg-sr\">MDCG-SR</a> Specifying security requirements"),
        "{req1}"
    );
    assert!(!req1.contains("<strong>Practices:</strong>"), "{req1}");
    assert!(!req1.contains("<td>Kind</td>"), "{req1}");
    let req2 = section("REQ-2");
    assert!(
        req2.contains("<strong>Practices:</strong> <a href=\"catalog.html#mdcg-sr\" title=\"Specifying security requirements\">MDCG-SR</a>"),
        "{req2}"
    );
    assert!(
        req2.contains("<strong>Implemented by:</strong> <a href=\"controls.html#ctl-1\" title=\"Secure element\">CTL-1</a>"),
        "{req2}"
    );
    let controls = page("techfile/controls.md");
    assert!(
        controls.contains(
            "<strong>Implements:</strong> <a href=\"requirements.html#req-2\">REQ-2</a> Key storage"
        ),
        "{controls}"
    );
}
