//! `check` and a real `mdbook build` agree (issue 11 part 3): for every fixture book they
//! report the same findings, compared by code, severity, message, file, line and column
//! (issue 10 part 3: the severity too, so a finding that is a warning on one side and an
//! error on the other is caught). `check` prints JSON Lines; the preprocessor inside
//! `mdbook build` prints the human form on stderr, which is read back here (the header line,
//! `error[code]: message`, and the first location line of each finding). A message of several
//! lines is compared by its first line, the one the header carries.

use crate::common::{Book, Checked, fixture, fixture_names_runnable, require, run, today_of};
use mdbook_techfile::gather::normalize;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Fixtures whose findings only one side can produce, with the reason.
const ONE_SIDED: &[(&str, &str)] = &[
    (
        "config-toml-syntax",
        "mdBook itself refuses a book.toml that is not TOML, before any preprocessor runs",
    ),
    (
        "review-not-independent",
        "the finding needs the git history of the fixture's files; the copy mdBook builds is outside the repository",
    ),
];

/// One finding: code, severity (`error` or `warning`), the message's first line, and
/// absolute file, line, column (no place for findings about the run).
type Finding = (String, String, String, Option<(PathBuf, u64, u64)>);

/// `check` as a build runs: without `--today`, so the findings that depend on the date
/// (which a build never reports) are left out on both sides.
fn from_check(dir: &Path) -> Vec<Finding> {
    let run = Checked::from(run(dir, &["check", "book", "--format", "json"]));
    let mut out: Vec<Finding> = run
        .findings
        .iter()
        .map(|v| {
            let place = v["file"].as_str().map(|f| {
                (
                    normalize(&dir.join(f)),
                    v["line"].as_u64().unwrap(),
                    v["column"].as_u64().unwrap(),
                )
            });
            let message = v["message"].as_str().unwrap().lines().next().unwrap_or("");
            (
                v["code"].as_str().unwrap().to_string(),
                v["severity"].as_str().unwrap().to_string(),
                without_parent_steps(message),
                place,
            )
        })
        .collect();
    out.sort();
    out
}

/// `file:line:col` of a location line: `┌─ f:1:2` (the place ends the line) or the
/// compact `--> f:1:2: label` (the first `:line:col:` ends the file name).
fn location(line: &str, base: &Path) -> Option<(PathBuf, u64, u64)> {
    let line = line.trim_start();
    let (rest, boxed) = match line.strip_prefix("┌─ ") {
        Some(r) => (r, true),
        None => (line.strip_prefix("--> ")?, false),
    };
    // `:digits:digits` at byte `at`, and where it ends.
    let numbers = |at: usize| -> Option<(u64, u64, usize)> {
        let tail = rest[at..].strip_prefix(':')?;
        let (l, tail) = tail.split_once(':')?;
        let digits = tail
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (l, c) = (l.parse().ok()?, tail[..digits].parse().ok()?);
        Some((l, c, rest.len() - tail.len() + digits))
    };
    let colons: Vec<usize> = rest.match_indices(':').map(|(i, _)| i).collect();
    let found = if boxed {
        colons
            .iter()
            .rev()
            .find_map(|&i| numbers(i).filter(|n| n.2 == rest.len()).map(|n| (i, n)))
    } else {
        colons.iter().find_map(|&i| {
            numbers(i)
                .filter(|n| rest[n.2..].is_empty() || rest[n.2..].starts_with(':'))
                .map(|n| (i, n))
        })
    };
    let (at, (l, c, _)) = found?;
    Some((normalize(&base.join(&rest[..at])), l, c))
}

/// A message without its `../` steps. Paths that the tool shows are relative to the
/// working folder, which for `mdbook build` is the book folder, one below the fixture
/// folder `check` runs in, so the same file is `../evidence/x` in one and `evidence/x` in
/// the other; paths as the user wrote them (links) are shown unchanged by both. Dropping the
/// steps on both sides keeps every other word of the message compared.
fn without_parent_steps(message: &str) -> String {
    message.replace("../", "")
}

/// The findings the preprocessor printed while mdBook built `book` (a copy of the fixture
/// `dir`), with files mapped from the copy back to the fixture.
fn from_build(book: &Book, dir: &Path) -> (Vec<Finding>, String) {
    let root = book.root();
    let stderr = book.build().stderr;
    let base = root.join("book");
    let root = normalize(root);
    let lines: Vec<&str> = stderr.lines().collect();
    let mut found = Vec::new();
    for (n, l) in lines.iter().enumerate() {
        let Some((severity, header)) = [("error", "error["), ("warning", "warning[")]
            .into_iter()
            .find_map(|(s, p)| l.strip_prefix(p).map(|h| (s, h)))
        else {
            continue;
        };
        let (code, message) = header.split_once("]: ").unwrap_or((header, ""));
        let code = code.trim_end_matches(']').to_string();
        // The first location after the header, before the next finding.
        let place = lines[n + 1..]
            .iter()
            .take_while(|l| !l.starts_with("error[") && !l.starts_with("warning["))
            .find_map(|l| location(l, &base))
            .map(|(file, line, col)| {
                let file = match file.strip_prefix(&root) {
                    Ok(rel) => dir.join(rel),
                    Err(_) => file,
                };
                (normalize(&file), line, col)
            });
        found.push((
            code,
            severity.to_string(),
            without_parent_steps(message),
            place,
        ));
    }
    found.sort();
    (found, stderr)
}

#[test]
fn check_and_mdbook_build_report_the_same_findings_for_every_fixture() {
    require!(Mdbook);
    let names = fixture_names_runnable();
    assert!(names.len() > 50, "{names:?}");
    let results: Vec<(String, usize, Option<String>)> = names
        .par_iter()
        .filter(|n| !ONE_SIDED.iter().any(|(f, _)| f == n))
        .map(|name| {
            let dir = normalize(&fixture(name));
            let book = Book::fixture(name);
            let checked = from_check(&dir);
            let (built, stderr) = from_build(&book, &dir);
            let problem = (checked != built).then(|| {
                format!(
                    "{name}:\n  check:        {checked:?}\n  mdbook build: {built:?}\n--- mdbook build stderr\n{stderr}"
                )
            });
            (name.clone(), checked.len(), problem)
        })
        .collect();
    let problems: Vec<&str> = results.iter().filter_map(|r| r.2.as_deref()).collect();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    // The comparison read findings on both sides: every fixture but the clean ones has some
    // (a fixture of a finding that depends on the date may have none but on its day).
    for (name, count, _) in &results {
        if *count == 0 && today_of(&fixture(name)).is_some() {
            continue;
        }
        let clean = name == "clean" || name.starts_with("clean-");
        assert_eq!(*count == 0, clean, "{name}: {count} findings");
    }
    for (name, why) in ONE_SIDED {
        assert!(!why.is_empty() && fixture(name).is_dir(), "{name}");
    }
}

#[test]
fn locations_are_read_in_both_forms() {
    let base = Path::new("/b");
    assert_eq!(
        location("  ┌─ src/a b.md:12:3", base),
        Some((PathBuf::from("/b/src/a b.md"), 12, 3))
    );
    assert_eq!(
        location("  --> ../req/x.md:2:9: first invalid byte here: 3:4", base),
        Some((PathBuf::from("/req/x.md"), 2, 9))
    );
    assert_eq!(location("  = help: x", base), None);
}

#[test]
fn messages_are_compared_without_parent_steps() {
    assert_eq!(
        without_parent_steps("evidence file ../evidence/a.md changed; see `../../x`"),
        "evidence file evidence/a.md changed; see `x`"
    );
    assert_eq!(
        without_parent_steps("item `REQ-1` is a draft"),
        "item `REQ-1` is a draft"
    );
}
