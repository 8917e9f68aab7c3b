//! Included text (issue 11.1): `check` and the preprocessor expand mdBook's `{{#include}}`
//! and its relatives themselves, and the text they read is the text mdBook renders, byte
//! for byte, whatever the preprocessor order.

use crate::common::{BIN, Book as Fixture, check, fixture, require, run, snapshot_text, write};
use mdbook_preprocessor::PreprocessorContext;
use mdbook_preprocessor::book::{Book, BookItem, Chapter};
use mdbook_preprocessor::config::Config as BookConfig;
use mdbook_techfile::mdbook::{process, render};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// A book that exercises every rule of mdBook's `links` preprocessor. The plugin is
/// configured for the HTML renderer only, so `[output.markdown]` writes exactly what
/// mdBook's own preprocessors made of each chapter. With `broken`, SUMMARY.md also lists
/// the chapters whose includes mdBook cannot make (a cycle, missing and unreadable files).
fn hostile_book(root: &Path, broken: bool) {
    write(
        root,
        "book/book.toml",
        "[book]\ntitle = \"Includes\"\n\n[preprocessor.techfile]\nrenderers = [\"html\"]\n\n[preprocessor.techfile.coverage]\nrequirement = false\ncontrol = false\nrisk = false\ntest = false\npractice = false\n\n[output.markdown]\n",
    );
    write(root, "requirements/.keep", "");
    let broken_chapters = if broken {
        "- [Cycle](cycle.md)\n- [Missing](missing.md)\n"
    } else {
        ""
    };
    write(
        root,
        "book/src/SUMMARY.md",
        format!(
            "# Summary\n\n[Readme](README.md)\n\n- [Edge](edge.md)\n- [Code](code.md)\n- [Deep](deep/ch.md)\n- [Byte order mark](bom.md)\n{broken_chapters}"
        ),
    );
    write(
        root,
        "book/src/README.md",
        "# Readme\n\n{{#include parts/a.md}}\n",
    );
    write(
        root,
        "book/src/edge.md",
        concat!(
            "{{#title Edge cases}}\n",
            "Spaced: {{ #include parts/a.md }}\n",
            "Multi-line: {{#include\n  parts/a.md:2}}\n",
            "Greedy escape: \\{{#include parts/a.md}} and {{#include parts/a.md}} on one line.\n",
            "Lonely escape: \\{{#include parts/a.md\n}}\n",
            "Swallowed: {{#other nothing {{#include parts/a.md}}\n",
            "In code: `{{#include parts/a.md:1}}`\n",
            "Ranges: [{{#include parts/crlf.txt:0}}] [{{#include parts/crlf.txt:3:2}}] [{{#include parts/crlf.txt:2:}}] [{{#include parts/crlf.txt::2}}] [{{#include parts/crlf.txt:99}}] [{{#include parts/crlf.txt:2:x}}] [{{#include parts/crlf.txt::}}] [{{#include parts/crlf.txt:+2}}]\n",
            "Anchors: [{{#include parts/anchors.txt:größe}}] [{{#include parts/anchors.txt:outer}}] [{{#include parts/anchors.txt:none}}]\n",
            "Out and back in: {{#include ../src/parts/a.md:1}}\n",
            "Titles: {{#include parts/title.md}}\n",
        ),
    );
    write(
        root,
        "book/src/parts/a.md",
        "A1 [a](https://example.org/a.md)\nA2 line\n",
    );
    write(root, "book/src/parts/crlf.txt", "c1\r\nc2\r\nc3\r\nc4");
    write(
        root,
        "book/src/parts/anchors.txt",
        "x\n// ANCHOR: outer\no1\nANCHOR: größe\ng1 ANCHOR_END: other\ng2\nANCHOR_END: größe\no2\n// ANCHOR_END: outer\ny\n",
    );
    write(root, "book/src/parts/latin1.txt", b"caf\xe9\n");
    write(
        root,
        "book/src/parts/title.md",
        "{{#title Inner}}after \\{{#x}}",
    );
    write(
        root,
        "book/src/code.md",
        "```rust\n{{#rustdoc_include code/m.rs:2:3}}\n{{#rustdoc_include code/m.rs:body}}\n```\n\n{{#playground code/m.rs editable no_run}}\n{{#playpen code/m.rs}}\n",
    );
    write(
        root,
        "book/src/code/m.rs",
        "use x;\n// ANCHOR: body\nfn main() {}\n// ANCHOR_END: body\n",
    );
    write(
        root,
        "book/src/cycle.md",
        "# Cycle\n\n{{#include loops/a.md}}\n",
    );
    write(
        root,
        "book/src/loops/a.md",
        "a \\{{#esc}} {{#title T}}\n{{#include b.md}}\n",
    );
    write(root, "book/src/loops/b.md", "b\n{{#include a.md}}\n");
    write(
        root,
        "book/src/deep/ch.md",
        "# Deep\n\n{{#include ../parts/nested.md}}\n",
    );
    write(
        root,
        "book/src/parts/nested.md",
        "nested {{#include a.md:1}} and {{#include ../code/m.rs:1}}",
    );
    write(
        root,
        "book/src/missing.md",
        "# Missing\n\n{{#include nothere.md}} stays, \\{{#include nothere.md}} is escaped.\nNot UTF-8: {{#include parts/latin1.txt}}\nA folder: {{#include parts}}\nOutside: {{#include ../notes/n.md}} and {{#include ../notes/none.md}}\n",
    );
    // Outside `src`: mdBook includes it, and its own includes resolve from its folder.
    write(
        root,
        "book/notes/n.md",
        "N1 \\{{#x}} {{#title Not shown}}\n{{#include ../src/parts/a.md:2}} {{#include sub/m.md}}\n",
    );
    write(root, "book/notes/sub/m.md", "M1\n");
    write(
        root,
        "book/src/bom.md",
        b"\xef\xbb\xbf# Bom\r\n\r\n{{#include parts/a.md}}\r\n".as_slice(),
    );
}

#[test]
fn check_reads_the_text_mdbook_renders() {
    require!(Mdbook);
    let fixture = Fixture::empty();
    hostile_book(fixture.root(), true);
    let book = fixture.path("book");
    let built = fixture.build().expect_ok();
    let (outcome, pages) = render(&book).expect("the book renders");
    let chapters: BTreeMap<&str, &str> = pages
        .iter()
        .map(|p| (p.path.as_str(), p.content.as_str()))
        .collect();
    let mut compared = 0;
    for (path, mdbook) in crate::common::files_with_ext(&book.join("book"), ".md") {
        let ours = chapters
            .get(path.as_str())
            .unwrap_or_else(|| panic!("mdBook wrote {path}, which the plugin has no page for"));
        assert_eq!(
            *ours,
            String::from_utf8(mdbook).unwrap(),
            "{path}: the plugin's text differs from mdBook's"
        );
        compared += 1;
    }
    assert_eq!(compared, 7, "{:?}", chapters.keys());
    // What mdBook could not include (and says so in its log) is reported.
    let codes: Vec<&str> = outcome
        .analysis
        .findings
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    // A file that cannot be read comes first: it is the root cause of what follows.
    assert_eq!(
        codes,
        [
            "not-utf8",
            // In `book/notes/n.md`, which sorts before `book/src/`.
            "include-outside-src",
            "include-cycle",
            "include-not-found",
            "include-not-found",
            "include-outside-src",
            "include-outside-src"
        ],
        "{:?}",
        outcome.analysis.findings
    );
    let stderr = &built.stderr;
    for logged in [
        "Stack depth exceeded in cycle.md",
        "parts/latin1.txt",
        "nothere.md",
    ] {
        assert!(stderr.contains(logged), "mdBook logs {logged}: {stderr}");
    }
}

/// The reported instance: a snippet's broken link is reported in the snippet at its own
/// line, with the chapter line that includes it; the chapter's own link after the
/// include keeps its line.
#[test]
fn findings_in_included_text_name_the_snippet_and_the_chapter_line() {
    let findings = check(&fixture("broken-link")).findings;
    let annex = findings
        .iter()
        .find(|v| v["message"] == "broken link `annex.md`")
        .expect("the snippet's broken link is reported");
    assert_eq!(annex["file"], "book/src/shared/disclaimer.md");
    assert_eq!(
        (annex["line"].as_u64(), annex["column"].as_u64()),
        (Some(5), Some(36))
    );
    let related = &annex["related"][0];
    assert_eq!(related["file"], "book/src/intro.md");
    assert_eq!(related["line"], 5);
    assert_eq!(related["message"], "included here");
    let own = findings
        .iter()
        .find(|v| v["message"] == "broken anchor `#nope` in link `changes.md#nope`")
        .expect("the chapter's own link is reported");
    assert_eq!(own["file"], "book/src/intro.md");
    assert_eq!(
        (own["line"].as_u64(), own["column"].as_u64()),
        (Some(7), Some(17))
    );
    assert_eq!(own["related"], serde_json::json!([]));
}

/// Pages that include text have all their ids: a link to a heading that only an include
/// brings is checked like any other, and a typo in it is found.
#[test]
fn anchors_from_included_text_are_checked() {
    let findings = Fixture::fixture("clean-includes")
        .edit("book/src/code.md", |text| {
            text.replace("overview.md#nested-heading", "overview.md#nested-headin")
        })
        .check()
        .findings;
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["code"], "broken-anchor");
    assert_eq!(
        findings[0]["help"],
        "did you mean `overview.md#nested-heading`?"
    );
}

/// The hard cases, built by mdBook alone and with the plugin after or before mdBook's
/// `links`: every chapter comes out the same. Before `links`, the plugin hands back its
/// expansion with escapes and titles left for `links`, which must then make exactly the
/// text mdBook alone makes.
#[test]
fn hard_cases_come_out_the_same_in_either_order() {
    require!(Mdbook);
    let build = |plugin: Option<&str>| {
        let fixture = Fixture::empty();
        hostile_book(fixture.root(), false);
        let fixture = match plugin {
            // The plugin runs for the HTML renderer only: `[output.markdown]` shows what
            // mdBook alone makes of the chapters.
            None => fixture,
            Some(order) => {
                assert!(!BIN.contains('\''));
                let table = format!("command = '{BIN}'\n{order}");
                fixture.edit("book/book.toml", |text| {
                    text.replacen("renderers = [\"html\"]\n", &table, 1)
                })
            }
        };
        let built = fixture.build();
        let stderr = built.stderr.clone();
        assert!(built.success, "{plugin:?}: {stderr}");
        assert!(!stderr.contains("techfile: note"), "{stderr}");
        let (generated, chapters): (BTreeMap<String, Vec<u8>>, BTreeMap<String, Vec<u8>>) =
            crate::common::files_with_ext(&built.out, ".md")
                .into_iter()
                .partition(|(p, _)| p.starts_with("techfile/"));
        assert_eq!(chapters.len(), 5, "{:?}", chapters.keys());
        // The plugin ran when it was asked to: it adds the catalog page.
        assert_eq!(
            generated.contains_key("techfile/catalog.md"),
            plugin.is_some()
        );
        chapters
    };
    let alone = build(None);
    assert_eq!(build(Some("")), alone, "the plugin after mdBook's links");
    assert_eq!(
        build(Some("before = [\"links\"]\n")),
        alone,
        "the plugin before mdBook's links"
    );
}

/// The fixture built with mdBook, with the plugin before or after mdBook's `links`: the
/// Markdown and the HTML are the same, and both are what `check` read.
#[test]
fn the_preprocessor_order_does_not_matter() {
    require!(Mdbook);
    let build = |before: bool| {
        let mut fixture = Fixture::fixture("clean-includes");
        if before {
            fixture = fixture.config("before = [\"links\"]");
        }
        let fixture = fixture.toml("[output.html]\n\n[output.markdown]\n");
        let built = fixture.build();
        assert!(built.success, "{}", built.stderr);
        assert!(!built.stderr.contains("techfile: note"), "{}", built.stderr);
        let files = crate::common::files_with_ext(&built.out, "");
        (fixture, files)
    };
    let (after_book, after) = build(false);
    let (_before_book, before) = build(true);
    let pages = |files: &BTreeMap<String, Vec<u8>>, ext: &str| -> BTreeMap<String, Vec<u8>> {
        files
            .iter()
            .filter(|(p, _)| p.ends_with(ext) && !p.contains("searchindex"))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect()
    };
    assert_eq!(pages(&after, ".md"), pages(&before, ".md"));
    assert_eq!(pages(&after, ".html"), pages(&before, ".html"));
    let (_, rendered) = render(&after_book.path("book")).unwrap();
    for page in rendered {
        let written = &after[&format!("markdown/{}", page.path)];
        assert_eq!(page.content.as_bytes(), written.as_slice(), "{}", page.path);
    }
    // The escape of the plugin's own directive works in either order.
    let escapes = String::from_utf8(after["html/escapes.html"].clone()).unwrap();
    assert!(escapes.contains("{{#techfile summary}}"), "{escapes}");
    assert!(
        escapes.contains("<title>Escapes, shown as text"),
        "{escapes}"
    );
}

/// Another preprocessor changed a chapter in a way the plugin cannot reproduce: the text
/// is checked as handed over, and a note says so.
#[test]
fn a_chapter_another_preprocessor_changed_is_checked_as_handed_over() {
    let fixture = Fixture::fixture("clean-includes");
    let root = fixture.path("book");
    let config = BookConfig::from_disk(root.join("book.toml")).unwrap();
    let ctx = PreprocessorContext::new(root.clone(), config, "html".into());
    let chapter = |name: &str, path: &str, content: String| {
        BookItem::Chapter(Chapter::new(name, content, path, Vec::new()))
    };
    let src = |p: &str| fs::read_to_string(root.join("src").join(p)).unwrap();
    let overview = src("overview.md").replace(
        "{{#include shared/intro.md:3:4}}",
        "Changed by another preprocessor: [gone](nowhere.md).",
    );
    let mut book = Book::new();
    book.push_item(chapter("Overview", "overview.md", overview));
    book.push_item(chapter("Code", "code.md", src("code.md")));
    book.push_item(chapter(
        "Requirements",
        "guide/items.md",
        src("guide/items.md"),
    ));
    book.push_item(chapter("Escapes", "escapes.md", src("escapes.md")));
    let outcome = process(&ctx, book).unwrap();
    assert_eq!(outcome.notes.len(), 1, "{:?}", outcome.notes);
    assert!(
        // Relative to the book root, as every path of a preprocessor run.
        outcome.notes[0].starts_with("src/overview.md: the text mdBook handed over"),
        "{:?}",
        outcome.notes
    );
    let findings: Vec<(&str, &str)> = outcome
        .analysis
        .findings
        .iter()
        .map(|d| (d.code.as_str(), d.message.as_str()))
        .collect();
    assert!(
        findings.contains(&("broken-link", "broken link `nowhere.md`")),
        "{findings:?}"
    );
}

/// The findings as `check` prints them in the book's folder, or as the preprocessor prints
/// them inside `mdbook build` (where mdBook runs it in that folder): from the first finding
/// to the closing count.
fn findings_text(out: &str) -> String {
    let start = out
        .find("error[")
        .into_iter()
        .chain(out.find("warning["))
        .min()
        .unwrap_or(out.len());
    let rest = &out[start..];
    let end = rest.find("techfile: ").map_or(rest.len(), |e| {
        e + rest[e..].find('\n').map_or(rest.len() - e, |n| n + 1)
    });
    rest[..end].to_string()
}

/// Issue 11: a chapter that includes a file outside `src` and other files. mdBook includes
/// the outside file too, and so does the plugin, so `mdbook build` checks the chapter it
/// was handed with every byte's place known, with the plugin after mdBook's `links` and
/// before it: the findings are the ones `check` prints, word for word and place for place
/// (the included file's line first, the chapter's line second), and no chapter is "checked
/// as handed over".
#[test]
fn an_include_outside_src_keeps_every_other_finding_in_place_in_every_order() {
    require!(Mdbook);
    let checked = run(
        &fixture("include-outside-src").join("book"),
        &["check", ".", "--color", "never"],
    );
    let expected = findings_text(&checked.stdout);
    assert!(
        expected.contains("┌─ src/shared/known-issues.md:3:41")
            && expected.contains("┌─ src/release-notes.md:9:1")
            && expected.contains("┌─ src/release-notes.md:11:26"),
        "{expected}"
    );
    snapshot_text("include-outside-src-check-and-build", &expected);
    for order in ["", "before = [\"links\"]"] {
        let mut book = Fixture::fixture("include-outside-src");
        if !order.is_empty() {
            book = book.config(order);
        }
        let built = book.build().expect_failure();
        assert!(!built.stderr.contains("techfile: note"), "{}", built.stderr);
        assert_eq!(
            findings_text(&built.stderr),
            expected,
            "{order:?}\n--- stderr\n{}",
            built.stderr
        );
    }
}

/// mdBook's `links` can be turned off: then nothing is included, by mdBook or the plugin.
#[test]
fn without_mdbooks_links_nothing_is_included() {
    let run = Fixture::fixture("include-not-found")
        .toml("[build]\nuse-default-preprocessors = false\n")
        .check();
    assert_eq!(run.stdout, "", "no include is read, so none is missing");
    run.expect_code(0);
}

/// Included files are inputs of the technical file: the stamp hashes them.
#[test]
fn included_files_are_hashed_as_inputs() {
    let fixture = Fixture::fixture("clean-includes")
        .toml("[preprocessor.techfile.bundle]\nversion = \"1.0\"\n");
    let (outcome, _) = render(&fixture.path("book")).unwrap();
    let stamp = outcome.analysis.stamp.as_ref().expect("a stamp");
    let included: Vec<&str> = stamp
        .inputs
        .iter()
        .filter(|f| f.role.as_str() == "include")
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        included,
        [
            "book/src/code/main.rs",
            "book/src/code/version.txt",
            "book/src/shared/intro.md",
            "book/src/shared/requirements.md",
            "book/src/shared/sub/nested.md"
        ]
    );
}
