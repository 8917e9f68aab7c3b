//! Large and hostile inputs: big files around the size limit, a book of thousands of
//! items, and files built to break parsers. None may crash the tool or get lost.

use crate::common::{Book, command, item};
use std::time::{Duration, Instant};

const PRACTICES: [&str; 8] = [
    "MDCG-SM", "MDCG-SR", "MDCG-SD", "MDCG-SI", "MDCG-SVV", "MDCG-DM", "MDCG-SUM", "MDCG-SG",
];

/// A tiny complete trace in which REQ-1 carries a body of `body_len` bytes.
fn book_with_big_requirement(body_len: usize) -> Book {
    let line = "The device shall resist this attack, as described below in detail.\n";
    let body: String = line.repeat(body_len / line.len() + 1)[..body_len].to_owned();
    Book::new("[preprocessor.techfile.coverage]\npractice = false")
        .item("REQ-1", "requirement", "Big requirement", &[], &body)
        .item(
            "CTL-1",
            "control",
            "Control",
            &["implements = [\"REQ-1\"]"],
            "",
        )
        .item("TST-1", "test", "Test", &["verifies = [\"CTL-1\"]"], "")
}

#[test]
fn a_3_mb_item_loads() {
    let book = book_with_big_requirement(3 * 1000 * 1000);
    let size = std::fs::metadata(book.path("requirements/REQ-1.md"))
        .unwrap()
        .len();
    assert!(size > 3_000_000 && size < 4 * 1024 * 1024, "{size}");
    // REQ-1 must load: otherwise CTL-1's link to it would be an unknown ID.
    let r = book.check_human();
    r.expect_code(0);
    assert_eq!(r.stdout, "techfile: no findings\n");
}

#[test]
fn a_5_mb_item_is_reported_as_too_large() {
    let book = book_with_big_requirement(5 * 1024 * 1024);
    let size = std::fs::metadata(book.path("requirements/REQ-1.md"))
        .unwrap()
        .len();
    let r = book.check();
    r.expect_code(1);
    let too_large = r.with_code("file-too-large");
    assert_eq!(too_large.len(), 1, "{}", r.stdout);
    assert_eq!(too_large[0]["file"], "requirements/REQ-1.md");
    let message = too_large[0]["message"].as_str().unwrap();
    assert!(message.contains(&format!("{size} bytes")), "{message}");
    assert!(
        message.contains("4194304"),
        "the default limit is 4 MiB: {message}"
    );
    // The unread item is missing; the link to it is no second error, but the file's
    // error counts it.
    assert!(!r.codes().contains(&"unknown-id"), "{}", r.stdout);
    assert_eq!(
        too_large[0]["related"][0]["message"],
        "1 trace link points at this item (from CTL-1); it is checked once this file loads"
    );
}

#[test]
fn the_size_limit_is_inclusive_and_configurable() {
    let book = book_with_big_requirement(1000);
    let size = std::fs::metadata(book.path("requirements/REQ-1.md"))
        .unwrap()
        .len();
    let base = book.read("book/book.toml");
    let book = book.config(&format!("max-file-size = {size}"));
    book.check_human().expect_code(0);
    let book = book
        .file("book/book.toml", &base)
        .config(&format!("max-file-size = {}", size - 1));
    let r = book.check();
    r.expect_code(1);
    assert!(r.codes().contains(&"file-too-large"));
}

/// 2,000 items with a complete trace, spread over nested folders.
#[test]
fn a_2000_item_book_checks_clean() {
    let mut book = Book::new("").file(
        "book/src/chapter.md",
        "# Chapter\n\n{{#techfile summary}}\n\n{{#techfile matrix}}\n\nSee {{#techfile ref REQ-0001}}.\n",
    );
    let n = 500;
    for i in 1..=n {
        let folder = i / 100;
        let practice = PRACTICES[i % PRACTICES.len()];
        // Every fifth requirement refines the previous one as well (requirement chains).
        let mut derives = format!("derives-from = [\"{practice}\"");
        if i % 5 == 0 {
            derives.push_str(&format!(", \"REQ-{:04}\"", i - 1));
        }
        derives.push(']');
        book = book.file(
            &format!("requirements/req/{folder}/REQ-{i:04}.md"),
            item(
                &format!("REQ-{i:04}"),
                "requirement",
                &format!("Requirement {i}"),
                &[&derives],
                "Text.\n",
            ),
        );
        book = book.file(
            &format!("requirements/risk/{folder}/RSK-{i:04}.md"),
            item(
                &format!("RSK-{i:04}"),
                "risk",
                &format!("Risk {i}"),
                &[],
                "Text.\n",
            ),
        );
        book = book.file(
            &format!("requirements/ctl/{folder}/CTL-{i:04}.md"),
            item(
                &format!("CTL-{i:04}"),
                "control",
                &format!("Control {i}"),
                &[
                    &format!("implements = [\"REQ-{i:04}\"]"),
                    &format!("mitigates = [\"RSK-{i:04}\"]"),
                ],
                "Text.\n",
            ),
        );
        book = book.file(
            &format!("requirements/tst/{folder}/TST-{i:04}.md"),
            item(
                &format!("TST-{i:04}"),
                "test",
                &format!("Test {i}"),
                &[&format!("verifies = [\"CTL-{i:04}\"]"), "result = \"pass\""],
                "Text.\n",
            ),
        );
    }
    let start = Instant::now();
    let r = book.check_human();
    let took = start.elapsed();
    r.expect_code(0);
    assert_eq!(r.stdout, "techfile: no findings\n");
    // Generous: a debug build takes well under a second; this catches quadratic blow-ups.
    assert!(took < Duration::from_secs(20), "check took {took:?}");

    // One broken link among 2,000 items is found and named.
    let book = book.file(
        "requirements/tst/2/TST-0250.md",
        item(
            "TST-0250",
            "test",
            "Test 250",
            &["verifies = [\"CTL-9999\"]"],
            "",
        ),
    );
    let r = book.check();
    r.expect_code(1);
    assert_eq!(
        r.codes(),
        ["control-not-verified", "unknown-id"],
        "{}",
        r.stdout
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f["file"] == "requirements/tst/2/TST-0250.md")
    );
}

/// Files built to break a parser: every one is reported, none crashes the tool.
#[test]
fn hostile_files_are_reported_not_crashed_on() {
    let mut book = Book::new("[preprocessor.techfile.coverage]\npractice = false");
    let deep_array = format!(
        "+++\nid = \"X-1\"\nkind = \"risk\"\ntitle = \"t\"\ntags = {}{}\n+++\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let deep_table = format!(
        "+++\nid = \"X-2\"\nkind = \"risk\"\ntitle = \"t\"\nowner = {}1{}\n+++\n",
        "{a = ".repeat(50_000),
        "}".repeat(50_000)
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("deep-array.md", deep_array.into_bytes(), "toml-syntax"),
        ("deep-table.md", deep_table.into_bytes(), "toml-syntax"),
        (
            "fences.md",
            "+++\n".repeat(10_000).into_bytes(),
            "missing-key",
        ),
        (
            "nul.md",
            b"\0\0+++\nid = \"X\"\n+++\n".to_vec(),
            "missing-front-matter",
        ),
        (
            "one-long-line.md",
            vec![b'x'; 1_000_000],
            "missing-front-matter",
        ),
        ("empty.md", Vec::new(), "missing-front-matter"),
        ("only-open.md", b"+++".to_vec(), "unclosed-front-matter"),
        (
            "binary.md",
            (0u8..=255).cycle().take(100_000).collect(),
            "not-utf8",
        ),
        (
            "truncated-utf8.md",
            b"+++\nid = \"X-3\"\ntitle = \"\xe2\x82".to_vec(),
            "not-utf8",
        ),
        (
            "many-keys.md",
            format!(
                "+++\nid = \"X-4\"\nkind = \"risk\"\ntitle = \"t\"\n{}+++\n",
                (0..2_000)
                    .map(|i| format!("k{i} = {i}\n"))
                    .collect::<String>()
            )
            .into_bytes(),
            "unknown-key",
        ),
        (
            "huge-list.md",
            format!(
                "+++\nid = \"X-5\"\nkind = \"test\"\ntitle = \"t\"\nverifies = [{}]\n+++\n",
                (0..300)
                    .map(|i| format!("\"NOPE-{i}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
            .into_bytes(),
            "unknown-id",
        ),
    ];
    for (name, bytes, _) in &cases {
        book = book.file(&format!("requirements/{name}"), bytes);
    }
    let start = Instant::now();
    let r = book.check();
    let took = start.elapsed();
    assert_eq!(
        r.code,
        Some(1),
        "exit code (None or 101 means a crash)\n{}",
        r.stderr
    );
    assert_eq!(r.stderr, "");
    assert!(took < Duration::from_secs(20), "check took {took:?}");
    let v = &r.findings;
    for (name, _, code) in &cases {
        let file = format!("requirements/{name}");
        assert!(
            v.iter()
                .any(|f| f["file"] == file.as_str() && f["code"] == *code),
            "{file}: expected {code}, got {:?}",
            v.iter()
                .filter(|f| f["file"] == file.as_str())
                .map(|f| f["code"].as_str().unwrap())
                .collect::<Vec<_>>()
        );
    }
    // The human rendering of the same findings works too (long lines, binary text).
    let h = book.check_human();
    assert_eq!(h.code, Some(1));
    assert!(h.stdout.contains("error[not-utf8]"));
}

/// Runs `check book --color never` in `dir`, killing it after `limit`. Returns whether it
/// finished in time, and its exit code.
fn human_check_within(dir: &std::path::Path, limit: Duration) -> (bool, Option<i32>) {
    let mut child = command(dir)
        .args(["check", "book", "--color", "never"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("binary runs");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return (true, status.code());
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return (false, None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One front-matter line listing 20,000 unknown IDs (240 KB) gives 20,000 findings. Quoting
/// the whole source line under every finding would make the human output about 5 GB (it
/// once ran for many minutes); long lines must be rendered compactly instead.
#[test]
fn many_findings_on_one_long_line_render_quickly() {
    let ids: Vec<String> = (0..20_000).map(|i| format!("\"NOPE-{i}\"")).collect();
    let book = Book::new("[preprocessor.techfile.coverage]\npractice = false").item(
        "TST-1",
        "test",
        "t",
        &[&format!("verifies = [{}]", ids.join(", "))],
        "",
    );
    let start = Instant::now();
    let json = book.check();
    json.expect_code(1);
    assert_eq!(json.findings.len(), 20_000);
    assert!(start.elapsed() < Duration::from_secs(10));
    let (finished, code) = human_check_within(book.root(), Duration::from_secs(20));
    assert!(
        finished,
        "human output of 20,000 findings did not finish in 20 s"
    );
    assert_eq!(code, Some(1));
}

/// Files are read and parsed in parallel; findings must still come out in one order,
/// the same on every run, sorted by file and position.
#[test]
fn findings_from_many_files_come_in_a_stable_order() {
    let mut book = Book::new("[preprocessor.techfile.coverage]\npractice = false");
    for i in 0..600 {
        let (name, text) = match i % 4 {
            0 => (
                format!("a/RSK-{i:04}.md"),
                item(&format!("RSK-{i:04}"), "risk", "r", &[], ""),
            ),
            1 => (format!("b/bad-{i:04}.md"), format!("+++\nid = \"X{i}\"\n")),
            2 => (
                format!("c/TST-{i:04}.md"),
                item(
                    &format!("TST-{i:04}"),
                    "test",
                    "t",
                    &[&format!("verifies = [\"CTL-{i}\"]")],
                    "",
                ),
            ),
            _ => (
                format!("d/odd-{i:04}.md"),
                format!("+++\nid = \"Y{i}\"\nkind = \"risk\"\ntitle = \"t\"\ncolour = 1\n+++\n"),
            ),
        };
        book = book.file(&format!("requirements/{name}"), text);
    }
    let first = book.check();
    first.expect_code(1);
    let v = &first.findings;
    // a: risk-not-mitigated; b: unclosed-front-matter; c: unknown-id;
    // d: unknown-key and risk-not-mitigated.
    assert_eq!(v.len(), 150 * 5, "{}", first.stdout);
    // Files that could not be read (b, d) come first, then the rest; each part is sorted
    // by path, since files are numbered in path order.
    let input = |f: &serde_json::Value| {
        ["unclosed-front-matter", "unknown-key"].contains(&f["code"].as_str().unwrap())
    };
    fn files<'a>(part: &[&'a serde_json::Value]) -> Vec<&'a str> {
        part.iter().map(|f| f["file"].as_str().unwrap()).collect()
    }
    let (inputs, derived): (Vec<&serde_json::Value>, Vec<&serde_json::Value>) =
        v.iter().partition(|f| input(f));
    assert_eq!(inputs.len(), 300);
    assert!(v[..300].iter().all(input), "input errors first");
    for part in [files(&inputs), files(&derived)] {
        let mut sorted = part.clone();
        sorted.sort_unstable();
        assert_eq!(part, sorted);
    }
    for _ in 0..3 {
        assert_eq!(book.check().stdout, first.stdout);
    }
}
