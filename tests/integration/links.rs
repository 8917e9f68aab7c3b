//! Links and anchors against the real `mdbook build` (0.5.x): the ids the plugin accepts on
//! each page are exactly the ids in the HTML mdBook writes for that page, and a broken link
//! fails a build at the place `check` reports it.

use crate::common::{Book, fixture, require, run};
use mdbook_techfile::core::links::{self, Markdown, scan};
use mdbook_techfile::core::render::Mapped;
use mdbook_techfile::gather::src_files as list_src_files;
use mdbook_techfile::mdbook::{RenderedPage, render};
use std::collections::BTreeMap;

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

/// Builds the book with mdBook, renders it with the plugin's `check`
/// pipeline, and compares every page: the ids (and `<a name>`s) the plugin computes with
/// `markdown` equal those inside `<main>` of the HTML, counted with repeats, and every
/// link the plugin checks is in the HTML as the plugin predicts it.
///
/// Every link of the full pages, the generated ones included, resolves, but for the
/// findings `broken` (their messages).
fn compare_with_mdbook(book: &Book, markdown: Markdown, broken: &[&str]) -> usize {
    let html = book.build().expect_ok().html();
    let root = book.root();
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
    let src = list_src_files(
        &mdbook_techfile::tree::FsTree::default(),
        &root.join("book/src"),
        &root.join("book/book"),
    );
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
    require!(Mdbook);
    for name in ["clean-links", "clean", "clean-includes", "clean-summary"] {
        let pages = compare_with_mdbook(&Book::fixture(name), Markdown::default(), &[]);
        assert!(pages >= 4, "{name}: only {pages} pages compared");
    }
}

#[test]
fn anchors_follow_the_markdown_options_of_book_toml() {
    require!(Mdbook);
    // Without smart punctuation and definition lists some ids change, and the links of
    // the fixture that use the old ones break; as warnings they do not stop the build.
    let book = Book::fixture("clean-links")
        .severity("broken-anchor = \"warn\"")
        .toml("[output.html]\nsmart-punctuation = false\ndefinition-lists = false\nadmonitions = false\n");
    let markdown = Markdown {
        smart_punctuation: false,
        definition_lists: false,
        admonitions: false,
    };
    compare_with_mdbook(
        &book,
        markdown,
        &[
            "broken anchor `#smart-quotes--and-dashes`",
            "broken anchor `#term`",
        ],
    );
    let checked = book.check();
    let anchors: Vec<&str> = checked
        .with_code("broken-anchor")
        .into_iter()
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
    require!(Mdbook, Graphviz);
    // The HTML alone: the bundle renderer (and its PDF) is tested in `bundle`.
    let book = Book::sample().edit("book/book.toml", |toml| {
        toml.split_once("\n[output.techfile]")
            .map_or(toml.as_str(), |(html, _)| html)
            .to_string()
    });
    let pages = compare_with_mdbook(&book, Markdown::default(), &[]);
    assert!(pages > 15, "only {pages} pages compared");
}

/// `mdbook build` fails on a broken link with the same finding, at the same line and
/// column, as `check`.
#[test]
fn broken_links_fail_mdbook_build_where_check_reports_them() {
    require!(Mdbook);
    for name in ["broken-link", "broken-anchor", "link-outside-book"] {
        let built = Book::fixture(name).build().expect_failure();
        let checked = crate::common::check(&fixture(name));
        assert!(!checked.findings.is_empty());
        for v in &checked.findings {
            // check runs next to book/, mdBook inside it.
            let file = v["file"].as_str().unwrap();
            let file = file
                .strip_prefix("book/")
                .map_or_else(|| format!("../{file}"), str::to_owned);
            let place = format!("{file}:{}:{}", v["line"], v["column"]);
            let code = v["code"].as_str().unwrap();
            assert!(
                built.findings.iter().any(|f| f.severity == "error"
                    && f.code == code
                    && f.message == v["message"]
                    && f.place == place),
                "{name}: error[{code}] at `{place}` missing\n{}",
                built.stderr
            );
        }
        assert!(!built.out.join("index.html").exists());
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

    let json = crate::common::Checked::from(run(
        &dir,
        &["check", "book", "--format", "json", "--external-links"],
    ));
    json.expect_code(0);
    let lines = &json.findings;
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
    let book = Book::fixture("clean");
    let (outcome, pages) = render(&book.path("book")).expect("the book renders");
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
    let book = book.file(
        "book/src/overview.md",
        format!(
            "# Overview\n\n[row](sbom.md#{hosted_row}), [row]({}#{generated_row}), [typo](sbom.md#{hosted_row}x).\n",
            generated.path
        ),
    );
    let findings = book.check().findings;
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
    let book = Book::fixture("clean").file(
        "book/src/sbom.md",
        "# Software bill of materials\n\n<!-- a comment never closed\n\n{{#techfile sbom firmware.cdx.json}}\n",
    );
    let findings = book.check().findings;
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
    let book = Book::fixture("clean-summary")
        .remove("book/src/appendix one.md")
        .edit("book/src/links.md", |text| {
            format!("{text}- [l](<appendix one.md#appendix>)\n")
        });
    let run = book.check();
    assert_eq!(
        run.stdout, "",
        "the created chapter has the heading `Appendix`"
    );
    assert!(
        !book.path("book/src/appendix one.md").exists(),
        "check writes nothing"
    );

    let book = book.toml("[build]\ncreate-missing = false\n");
    let findings = book.check().findings;
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["code"], "read-error");
    assert_eq!(findings[0]["file"], "book/src/appendix one.md");
    require!(Mdbook);
    let built = book.build();
    assert!(!built.success, "mdBook refuses the book too");
}

/// Issue 11 (SUMMARY.md paths): a chapter listed with `.`, `..` or a doubled slash is the
/// page mdBook writes where the path leads. With the finding about the `..` allowed, the
/// plugin's pages are the HTML files mdBook writes, with mdBook's ids and links, and every
/// link to and from the deep chapter resolves (no false `broken-link`); `./` and `//` are
/// covered by `clean-summary` above.
#[test]
fn a_chapter_listed_with_dot_segments_is_the_page_mdbook_writes() {
    let book =
        Book::fixture("chapter-path-not-normal").severity("chapter-path-not-normal = \"allow\"");
    let run = book.check();
    assert_eq!(run.stdout, "", "only the allowed finding");
    run.expect_code(0);
    require!(Mdbook);
    let pages = compare_with_mdbook(&book, Markdown::default(), &[]);
    assert!(pages >= 4, "only {pages} pages compared");
    // Why the finding exists: mdBook counts the folders of the path as written (three)
    // for the way back to the root of the book, where the page is two deep, so the
    // stylesheets it links lie outside the HTML folder when the book is read from disk.
    let built = book.build().expect_ok();
    let page = built.page("design/detail/deep.html");
    let sheet = page
        .split("href=\"")
        .skip(1)
        .filter_map(|h| h.split('"').next())
        .find(|h| h.ends_with(".css") && h.contains("css/chrome"))
        .expect("mdBook links its stylesheet")
        .to_string();
    assert!(sheet.starts_with("../../../css/"), "{sheet}");
    let from = built.html_dir().join("design/detail");
    assert!(
        !from.join(&sheet).exists(),
        "{sheet} resolves outside the HTML folder"
    );
    assert!(from.join(sheet.replacen("../", "", 1)).exists());
    // The print page keys chapters by the path as written: links to the chapter there are
    // left as links to its file instead of jumping to it within the print page.
    let print = built.page("print.html");
    assert!(
        print.contains("href=\"design/detail/deep.html\""),
        "{print}"
    );
    assert!(
        print.contains("href=\"design/detail/deep.html#interfaces\""),
        "{print}"
    );
}

/// The other paths mdBook cannot place: an absolute path (mdBook stops with a panic) and
/// a path out of `src` (mdBook writes the page outside its output folder). `check` reports
/// each at its SUMMARY.md line, and `mdbook build` fails on both.
#[test]
fn chapters_outside_src_are_findings_where_mdbook_fails() {
    let outside = Book::fixture("chapter-outside-src");
    let checked = outside.check();
    checked.expect_code(1);
    assert_eq!(checked.codes(), ["chapter-outside-src"]);
    let notes = outside.path("book/release-notes.md");
    let absolute = Book::fixture("chapter-outside-src").edit("book/src/SUMMARY.md", |text| {
        text.replace(
            "../release-notes.md",
            &notes.display().to_string().replace(' ', "%20"),
        )
    });
    let checked = absolute.check();
    checked.expect_code(1);
    let f = checked.first("chapter-outside-src");
    assert_eq!(
        (f["file"].as_str(), f["line"].as_u64(), f["column"].as_u64()),
        (Some("book/src/SUMMARY.md"), Some(4), Some(19))
    );
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("by an absolute path"),
        "{f}"
    );
    assert_eq!(checked.findings.len(), 1, "{:?}", checked.findings);
    require!(Mdbook);
    let built = absolute.build().expect_failure();
    assert!(
        built.stderr.contains("Chapters are always inside a book"),
        "{}",
        built.stderr
    );
    let built = outside.build().expect_failure();
    assert!(
        built.has("chapter-outside-src", "src/SUMMARY.md:4:19"),
        "{}",
        built.stderr
    );
    assert!(
        !outside.path("book/release-notes.html").exists(),
        "the failed build wrote nothing outside"
    );
}

/// `%20` is the only escape mdBook decodes in SUMMARY.md: `a%2Db.md` is the file of that
/// name, which links reach as `a%252Db.md`, while the table of contents mdBook writes links
/// to `a%2Db.html`, which a browser decodes into `a-b.html`. `check` and the build report
/// the entry; with the finding allowed, the plugin's pages are the files mdBook writes.
#[test]
fn a_percent_escape_in_summary_is_the_file_of_that_name() {
    let book = Book::fixture("clean-summary")
        .edit("book/src/SUMMARY.md", |t| {
            t.replace(
                "- [Links](links.md)\n",
                "- [Links](links.md)\n- [Escaped](esc%2Dpage.md)\n",
            )
        })
        .file("book/src/esc%2Dpage.md", "# Escaped\n\n[back](links.md)\n")
        .edit("book/src/links.md", |t| {
            format!("{t}- [n](esc%252Dpage.md#escaped)\n")
        });
    let checked = book.check();
    assert_eq!(checked.codes(), ["chapter-path-not-normal"]);
    let f = checked.first("chapter-path-not-normal");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("whose `%2D` mdBook does not decode"),
        "{f}"
    );
    require!(Mdbook);
    let built = book.build().expect_failure();
    assert_eq!(built.codes(), ["chapter-path-not-normal"]);
    assert!(
        built.has(
            "chapter-path-not-normal",
            &format!("src/SUMMARY.md:{}:{}", f["line"], f["column"])
        ),
        "{}",
        built.stderr
    );
    let book = book.severity("chapter-path-not-normal = \"allow\"");
    compare_with_mdbook(&book, Markdown::default(), &[]);
    let built = book.build().expect_ok();
    let toc = String::from_utf8(built.html()["toc.html"].clone()).unwrap();
    assert!(toc.contains("href=\"esc%2Dpage.html\""), "{toc}");
    assert!(built.html_dir().join("esc%2Dpage.html").is_file());
    assert!(!built.html_dir().join("esc-page.html").exists());
}
