//! Links and anchors against the real `mdbook build` (0.5.x): the ids the plugin accepts on
//! each page are exactly the ids in the HTML mdBook writes for that page, and a broken link
//! fails a build at the place `check` reports it.

use crate::common::{BIN, check_json, fixture, parse_json_lines, run};
use crate::e2e::{build_ok, mdbook_build, mdbook_ready, prepare};
use mdbook_techfile::core::links::{self, Markdown, scan};
use mdbook_techfile::core::render::Mapped;
use mdbook_techfile::gather::src_files as list_src_files;
use mdbook_techfile::mdbook::{RenderedPage, render};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// One start tag of mdBook's output: its name and attributes (values unescaped).
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#92;", "\\")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The start tags of the content mdBook writes between `<main>` and `</main>`. mdBook
/// escapes `<`, `>` and quotes inside attribute values and always quotes them with `"`, so
/// reading its own output needs no general HTML parser; `<style>` contents are skipped.
fn main_tags(page: &str, html: &str) -> Vec<Tag> {
    let start = html
        .find("<main>")
        .unwrap_or_else(|| panic!("{page}: no <main>"));
    let end = html[start..]
        .find("</main>")
        .unwrap_or_else(|| panic!("{page}: no </main>"));
    let main = &html[start + "<main>".len()..start + end];
    let mut tags = Vec::new();
    let mut rest = main;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let gt = rest.find('>').expect("tag closes");
        let inner = &rest[..gt];
        let name_end = inner
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(inner.len());
        let name = inner[..name_end].to_string();
        let mut attrs = Vec::new();
        let mut a = &inner[name_end..];
        loop {
            a = a.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if a.is_empty() {
                break;
            }
            let key_end = a
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(a.len());
            let key = a[..key_end].to_string();
            a = &a[key_end..];
            if let Some(v) = a.strip_prefix("=\"") {
                let close = v.find('"').expect("attribute value closes");
                attrs.push((key, unescape(&v[..close])));
                a = &v[close + 1..];
            } else {
                attrs.push((key, String::new()));
            }
        }
        rest = &rest[gt + 1..];
        if name == "style" {
            let close = rest.find("</style>").expect("style closes");
            rest = &rest[close..];
        }
        tags.push(Tag { name, attrs });
    }
    tags
}

/// The HTML file mdBook writes for a page.
fn html_path(page: &str) -> String {
    let stem = page.strip_suffix(".md").unwrap_or(page);
    format!("{stem}.html")
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Builds the book under `root` with mdBook, renders it with the plugin's `check`
/// pipeline, and compares every page: the ids (and `<a name>`s) the plugin computes with
/// `markdown` equal those inside `<main>` of the HTML, counted with repeats, and every
/// link the plugin checks is in the HTML as the plugin predicts it.
///
/// Every link of the full pages, the generated ones included, resolves, but for the
/// findings `broken` (their messages).
fn compare_with_mdbook(root: &Path, markdown: Markdown, broken: &[&str]) -> usize {
    let html = build_ok(root);
    let (_, pages) = render(&root.join("book")).expect("the book renders");
    assert!(!pages.is_empty());

    // Every link resolves, the generated ones included, which a check otherwise trusts
    // (it checks the anchors they point at instead).
    let contents: Vec<Mapped> = pages
        .iter()
        .map(|p| Mapped::generated(p.content.clone(), None))
        .collect();
    let all: Vec<links::Page<'_>> = pages
        .iter()
        .zip(&contents)
        .map(|(p, content)| links::Page {
            path: &p.path,
            content,
            file: None,
            ids_known: true,
        })
        .collect();
    let src = list_src_files(&root.join("book/src"), &root.join("book/book"));
    let options = links::Options {
        markdown,
        generated_links: true,
    };
    let (_, diags) = links::check(&all, &src, options);
    let found: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(found, broken, "broken links in the full pages");
    let mut compared = 0;
    for (n, RenderedPage { path, content }) in pages.iter().enumerate() {
        let s = scan::scan(content, markdown);
        let mut files = vec![html_path(path)];
        if n == 0 {
            // mdBook writes the first page a second time as index.html.
            files.push("index.html".into());
        }
        for file in files {
            let text = String::from_utf8(
                html.get(&file)
                    .unwrap_or_else(|| panic!("{file} not written; pages: {:?}", html.keys()))
                    .clone(),
            )
            .unwrap();
            let tags = main_tags(&file, &text);
            let ids: Vec<String> = tags
                .iter()
                .filter_map(|t| t.attr("id").map(str::to_owned))
                .collect();
            assert_eq!(
                sorted(s.ids.clone()),
                sorted(ids),
                "{path}: the ids the plugin computes differ from those in {file}"
            );
            let names: Vec<String> = tags
                .iter()
                .filter(|t| t.name == "a")
                .filter_map(|t| t.attr("name").map(str::to_owned))
                .collect();
            assert_eq!(sorted(s.names.clone()), sorted(names), "{path}: <a name>");

            // Links: what the plugin predicts mdBook writes is there. mdBook adds links of its
            // own (heading self-links, footnote links and back-links), so the HTML may hold
            // more, but only of those kinds.
            let mut hrefs: BTreeMap<String, usize> = BTreeMap::new();
            for t in &tags {
                let own = t.name == "a" && t.attr("class") == Some("header");
                if let (Some(h), false) = (t.attr("href"), own) {
                    *hrefs.entry(h.to_owned()).or_default() += 1;
                }
                if let Some(src) = t.attr("src") {
                    *hrefs.entry(src.to_owned()).or_default() += 1;
                }
            }
            for link in &s.links {
                let left = hrefs.get_mut(link.href()).unwrap_or_else(|| {
                    panic!(
                        "{path}: link `{}` is not in {file} as `{}`",
                        link.written,
                        link.href()
                    )
                });
                // mdBook writes a zoomable image twice.
                *left = left.saturating_sub(1);
            }
            for (h, left) in hrefs {
                assert!(
                    left == 0
                        || h.starts_with("#footnote-")
                        || h.starts_with("#fr-")
                        || s.links
                            .iter()
                            .any(|l| l.href() == h && l.kind == scan::LinkKind::Image),
                    "{path}: {file} has the link `{h}` the plugin did not see"
                );
            }
            compared += 1;
        }
    }
    compared
}

#[test]
fn anchors_are_exactly_the_ids_mdbook_writes() {
    if !mdbook_ready("anchors_are_exactly_the_ids_mdbook_writes") {
        return;
    }
    for name in ["clean-links", "clean", "clean-includes", "clean-summary"] {
        let tmp = tempfile::tempdir().unwrap();
        prepare(name, tmp.path());
        let pages = compare_with_mdbook(tmp.path(), Markdown::default(), &[]);
        assert!(pages >= 4, "{name}: only {pages} pages compared");
    }
}

#[test]
fn anchors_follow_the_markdown_options_of_book_toml() {
    if !mdbook_ready("anchors_follow_the_markdown_options_of_book_toml") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    prepare("clean-links", tmp.path());
    let toml = tmp.path().join("book/book.toml");
    let mut text = fs::read_to_string(&toml).unwrap();
    // Without smart punctuation and definition lists some ids change, and the links of
    // the fixture that use the old ones break; as warnings they do not stop the build.
    text.push_str("\n[preprocessor.techfile.severity]\nbroken-anchor = \"warn\"\n\n[output.html]\nsmart-punctuation = false\ndefinition-lists = false\nadmonitions = false\n");
    fs::write(&toml, text).unwrap();
    let markdown = Markdown {
        smart_punctuation: false,
        definition_lists: false,
        admonitions: false,
    };
    compare_with_mdbook(
        tmp.path(),
        markdown,
        &[
            "broken anchor `#smart-quotes--and-dashes`",
            "broken anchor `#term`",
        ],
    );
    let findings = parse_json_lines(&check_json(tmp.path()).stdout);
    let anchors: Vec<&str> = findings
        .iter()
        .filter(|v| v["code"] == "broken-anchor")
        .map(|v| v["message"].as_str().unwrap())
        .collect();
    assert!(
        anchors
            .iter()
            .any(|m| m.contains("#smart-quotes--and-dashes"))
            && anchors.iter().any(|m| m.contains("#term")),
        "{anchors:?}"
    );
}

/// The sample technical file in `book/`: a real book, with every generated page.
#[test]
fn anchors_of_the_sample_book_are_the_ids_mdbook_writes() {
    if !mdbook_ready("anchors_of_the_sample_book_are_the_ids_mdbook_writes") {
        return;
    }
    let tmp = crate::sample::sample_copy();
    let toml = fs::read_to_string(tmp.path().join("book/book.toml")).unwrap();
    assert!(!BIN.contains('\''));
    let toml = toml.replacen(
        "command = \"mdbook-techfile\"",
        &format!("command = '{BIN}'"),
        1,
    );
    // The HTML alone: the bundle renderer (and its PDF) is tested in `bundle`, and with a
    // second output mdBook would write the HTML to book/html instead.
    let toml = toml
        .split_once("\n[output.techfile]")
        .map_or(toml.as_str(), |(html, _)| html)
        .to_string();
    fs::write(tmp.path().join("book/book.toml"), toml).unwrap();
    let pages = compare_with_mdbook(tmp.path(), Markdown::default(), &[]);
    assert!(pages > 15, "only {pages} pages compared");
}

/// `mdbook build` fails on a broken link with the same finding, at the same line and
/// column, as `check`.
#[test]
fn broken_links_fail_mdbook_build_where_check_reports_them() {
    if !mdbook_ready("broken_links_fail_mdbook_build_where_check_reports_them") {
        return;
    }
    for name in ["broken-link", "broken-anchor", "link-outside-book"] {
        let tmp = tempfile::tempdir().unwrap();
        prepare(name, tmp.path());
        let out = mdbook_build(tmp.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "{name}: mdbook build must fail\n{stderr}"
        );
        let findings = parse_json_lines(&check_json(&fixture(name)).stdout);
        assert!(!findings.is_empty());
        for v in findings {
            // check runs next to book/, mdBook inside it.
            let file = v["file"].as_str().unwrap();
            let file = file
                .strip_prefix("book/")
                .map_or_else(|| format!("../{file}"), str::to_owned);
            let place = format!("{file}:{}:{}", v["line"], v["column"]);
            let header = format!(
                "error[{}]: {}",
                v["code"].as_str().unwrap(),
                v["message"].as_str().unwrap()
            );
            assert!(
                stderr.contains(&header),
                "{name}: `{header}` missing\n{stderr}"
            );
            assert!(
                stderr.contains(&place),
                "{name}: `{place}` missing\n{stderr}"
            );
        }
        assert!(!tmp.path().join("book/book/index.html").exists());
    }
}

#[test]
fn external_links_are_listed_on_request() {
    let dir = fixture("clean-links");
    let plain = run(&dir, &["check", "book", "--color", "never"]);
    plain.expect_code(0);
    assert!(!plain.stdout.contains("example.org"), "{}", plain.stdout);

    let human = run(
        &dir,
        &["check", "book", "--color", "never", "--external-links"],
    );
    human.expect_code(0);
    assert!(
        human
            .stdout
            .contains("techfile: 6 links to outside the book (not checked)\n"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("  book/src/links.md:3:57: https://example.org/page.md\n"),
        "{}",
        human.stdout
    );

    let json = run(
        &dir,
        &["check", "book", "--format", "json", "--external-links"],
    );
    json.expect_code(0);
    let lines = parse_json_lines(&json.stdout);
    assert_eq!(lines.len(), 6, "{}", json.stdout);
    assert_eq!(lines[2]["external"], "mailto:someone@example.org");
    assert_eq!(lines[2]["file"], "book/src/links.md");
    assert_eq!(lines[2]["line"], 4);
}

/// The first `<tr id="...">` of a page (an SBOM component row).
fn first_row_id(page: &str) -> Option<String> {
    let at = page.find("<tr id=\"")? + "<tr id=\"".len();
    Some(page[at..at + page[at..].find('"')?].to_string())
}

/// SBOM pages are pages like any other: users may link to an SBOM's rows, and a typo in
/// such a link is a broken anchor with a suggestion.
#[test]
fn links_to_sbom_rows_are_checked() {
    let tmp = crate::common::temp_fixture("clean");
    let book = tmp.path().join("book");
    let (outcome, pages) = render(&book).expect("the book renders");
    assert!(
        outcome.analysis.findings.is_empty(),
        "{:?}",
        outcome.analysis.findings
    );
    // One SBOM is hosted by a chapter, the other has a generated page.
    let hosted = pages.iter().find(|p| p.path == "sbom.md").unwrap();
    let generated = pages
        .iter()
        .find(|p| p.path.starts_with("techfile/sbom-"))
        .expect("a generated SBOM page");
    let (hosted_row, generated_row) = (
        first_row_id(&hosted.content).unwrap(),
        first_row_id(&generated.content).unwrap(),
    );
    crate::common::write(
        tmp.path(),
        "book/src/overview.md",
        format!(
            "# Overview\n\n[row](sbom.md#{hosted_row}), [row]({}#{generated_row}), [typo](sbom.md#{hosted_row}x).\n",
            generated.path
        ),
    );
    let findings = parse_json_lines(&check_json(tmp.path()).stdout);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["code"], "broken-anchor");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("#{hosted_row}x")),
        "{findings:?}"
    );
    assert!(
        findings[0]["help"]
            .as_str()
            .unwrap()
            .contains(&format!("sbom.md#{hosted_row}`")),
        "{findings:?}"
    );
}

/// Items link to the rows of the components they affect: when text above an SBOM leaves
/// a block open and hides it, those links are reported once per anchor, at the directive.
#[test]
fn a_hidden_sbom_breaks_the_links_to_its_rows() {
    let tmp = crate::common::temp_fixture("clean");
    crate::common::write(
        tmp.path(),
        "book/src/sbom.md",
        "# Software bill of materials\n\n<!-- a comment never closed\n\n{{#techfile sbom firmware.cdx.json}}\n",
    );
    let findings = parse_json_lines(&check_json(tmp.path()).stdout);
    assert!(!findings.is_empty());
    let messages: Vec<&str> = findings
        .iter()
        .map(|v| {
            assert_eq!(v["code"], "broken-anchor", "{findings:?}");
            assert_eq!(v["file"], "book/src/sbom.md", "{findings:?}");
            assert_eq!(v["line"], 5, "{findings:?}");
            v["message"].as_str().unwrap()
        })
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("of `SBOM firmware.cdx.json` is missing from `sbom.md`")),
        "{messages:?}"
    );
    // RSK-001 affects two components of this SBOM.
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.contains("in SBOM firmware.cdx.json` is missing"))
            .count(),
        2,
        "{messages:?}"
    );
}

/// Issue 11.2 beyond the instance: SUMMARY.md is read as mdBook reads it. A chapter file
/// that does not exist is read as the `# Title` mdBook creates (so links to its heading
/// work); with `create-missing = false` mdBook refuses the book, and `check` reports it.
#[test]
fn missing_chapter_files_are_read_as_mdbook_creates_them() {
    let tmp = crate::common::temp_fixture("clean-summary");
    let src = tmp.path().join("book/src");
    fs::remove_file(src.join("appendix one.md")).unwrap();
    let links = src.join("links.md");
    let mut text = fs::read_to_string(&links).unwrap();
    text.push_str("- [l](<appendix one.md#appendix>)\n");
    fs::write(&links, text).unwrap();
    let run = check_json(tmp.path());
    assert_eq!(
        run.stdout, "",
        "the created chapter has the heading `Appendix`"
    );
    assert!(
        !src.join("appendix one.md").exists(),
        "check writes nothing"
    );

    crate::common::append_book_toml(tmp.path(), "[build]\ncreate-missing = false\n");
    let findings = parse_json_lines(&check_json(tmp.path()).stdout);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["code"], "read-error");
    assert_eq!(findings[0]["file"], "book/src/appendix one.md");
    if mdbook_ready("missing_chapter_files_are_read_as_mdbook_creates_them") {
        let build = tempfile::tempdir().unwrap();
        prepare("clean-summary", build.path());
        fs::remove_file(build.path().join("book/src/appendix one.md")).unwrap();
        crate::common::append_book_toml(build.path(), "[build]\ncreate-missing = false\n");
        let out = mdbook_build(build.path());
        assert!(!out.status.success(), "mdBook refuses the book too");
    }
}
