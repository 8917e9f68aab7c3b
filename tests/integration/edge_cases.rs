//! Inputs at the edges of the rules: line endings, byte-order marks, hidden and non-Markdown
//! files, nested folders, IDs that clash only by anchor, and folder layouts.

use crate::common::Book;

/// A trace that checks clean, for tests that then add one oddity.
fn clean_trace() -> Book {
    Book::new("[preprocessor.techfile.coverage]\npractice = false")
        .item("REQ-1", "requirement", "R", &[], "")
        .item("CTL-1", "control", "C", &["implements = [\"REQ-1\"]"], "")
        .item("TST-1", "test", "T", &["verifies = [\"CTL-1\"]"], "")
}

#[test]
fn crlf_and_bom_keep_exact_positions() {
    let book = clean_trace().file(
        "requirements/CTL-2.md",
        "\u{feff}+++\r\nid = \"CTL-2\"\r\nkind = \"control\"\r\ntitle = \"Windows file\"\r\nimplements = [\"REQ-1\", \"REQ-9\"]\r\n+++\r\nBody\r\n",
    )
    .file(
        "book/src/chapter.md",
        "+++\r\ntitle = \"Chapter\"\r\n+++\r\n# Chapter\r\n\r\nSee {{#techfile ref REQ-7}}.\r\n",
    );
    let r = book.check();
    r.expect_code(1);
    let at = |code: &str| {
        let f = r.first(code);
        (
            f["file"].as_str().unwrap().to_owned(),
            f["line"].as_u64().unwrap(),
            f["column"].as_u64().unwrap(),
            f["end_column"].as_u64().unwrap(),
        )
    };
    assert_eq!(
        at("unknown-id"),
        ("requirements/CTL-2.md".into(), 5, 24, 31)
    );
    assert_eq!(
        at("unknown-reference"),
        ("book/src/chapter.md".into(), 6, 21, 26)
    );
    assert_eq!(
        at("control-not-verified"),
        ("requirements/CTL-2.md".into(), 2, 6, 13)
    );
}

#[test]
fn hidden_and_non_markdown_files_are_not_items() {
    // Each would be an error if it were read as an item.
    let book = clean_trace()
        .file("requirements/.draft.md", "not an item")
        .file("requirements/.git/HEAD.md", "not an item")
        .file("requirements/notes.txt", "not an item")
        .file("requirements/README", "not an item")
        .file("requirements/image.png", [0x89u8, b'P', b'N', b'G', 0xff]);
    let r = book.check_human();
    r.expect_code(0);
    assert_eq!(r.stdout, "techfile: no findings\n");
}

#[test]
fn items_are_found_in_nested_folders_and_several_roots() {
    use crate::common::item;
    let book = Book::new(
        "items = [\"../requirements\", \"../more-items\"]\n[preprocessor.techfile.coverage]\npractice = false",
    )
    .file(
        "requirements/a/b/c/REQ-1.md",
        item("REQ-1", "requirement", "R", &[], ""),
    )
    .file(
        "more-items/CTL-1.md",
        item("CTL-1", "control", "C", &["implements = [\"REQ-1\"]"], ""),
    )
    .file(
        "more-items/deeper/TST-1.md",
        item(
            "TST-1",
            "test",
            "T",
            &["verifies = [\"CTL-1\", \"REQ-9\"]"],
            "",
        ),
    );
    let r = book.check();
    r.expect_code(1);
    // Only the broken link: every item was found wherever it lives.
    assert_eq!(r.codes(), ["unknown-id"], "{}", r.stdout);
    assert_eq!(r.findings[0]["file"], "more-items/deeper/TST-1.md");
}

#[test]
fn a_chapter_missing_on_disk_is_an_empty_chapter() {
    let book = Book::fixture("clean").edit("book/src/SUMMARY.md", |s| {
        format!("{s}- [Later](later.md)\n- [Draft]()\n")
    });
    book.check_human().expect_code(0);
}

#[test]
fn every_broken_file_is_reported_once() {
    // Several broken files next to each other: each is named, none hides another.
    let book = clean_trace()
        .file("requirements/x1.md", "no front-matter\n")
        .file("requirements/x2.md", "+++\nid = \"X2\"\n")
        .file("requirements/x3.md", "+++\nid = \"X3\n+++\n")
        .file("requirements/x4.md", b"+++\nid = \"X\xff\"\n+++\n");
    let r = book.check();
    r.expect_code(1);
    let by_file: Vec<(String, String)> = r
        .findings
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        by_file,
        [
            ("requirements/x1.md", "missing-front-matter"),
            ("requirements/x2.md", "unclosed-front-matter"),
            ("requirements/x3.md", "toml-syntax"),
            ("requirements/x4.md", "not-utf8"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

/// The doc of `duplicate-id` says "two items (or an item and a catalog entry) share an ID
/// or an anchor". An item `mdcg-sm` gets the anchor `#mdcg-sm`, which is the anchor of
/// the catalog entry MDCG-SM; hosted on one page, the HTML has two elements with that id.
#[test]

fn item_sharing_an_anchor_with_a_catalog_entry_is_a_duplicate() {
    let book = clean_trace()
        .file(
            "requirements/twin.md",
            crate::common::item(
                "mdcg-sm",
                "requirement",
                "Lower-case twin of a catalog ID",
                &[],
                "",
            ),
        )
        .item(
            "CTL-1",
            "control",
            "C",
            &["implements = [\"REQ-1\", \"mdcg-sm\"]"],
            "",
        );
    let r = book.check();
    let dup = r.with_code("duplicate-id");
    assert_eq!(dup.len(), 1, "{}", r.stdout);
    assert_eq!(dup[0]["file"], "requirements/twin.md");
    r.expect_code(1);
}

/// A symbolic link back to a folder being walked (`requirements/loop -> .`) makes the walk
/// descend until the OS refuses (about 40 levels), loading every item 40 times and
/// reporting hundreds of duplicate IDs. Each file should be read once.
#[cfg(unix)]
#[test]

fn symlink_loop_in_the_item_folder_reads_each_file_once() {
    let book = clean_trace();
    std::os::unix::fs::symlink(".", book.path("requirements/loop")).unwrap();
    let r = book.check();
    assert!(
        r.findings.len() <= 1,
        "expected at most one finding about the loop, got {}: {:?}",
        r.findings.len(),
        r.codes().iter().take(5).collect::<Vec<_>>()
    );
}
