//! Reviews: the `review` command (byte-for-byte rewrite, records, all or nothing, bad
//! input), suspect links over three levels, `check --explain-suspect` and
//! `independent-review` on scratch git repositories, and the review views.

use crate::common::{Book, command, parse_json_lines, write};
use std::fs;
use std::path::Path;
use std::process::Command;

/// 2026-11-18T11:06:40Z
const EPOCH: &str = "1795000000";

/// Runs the binary in `dir` with git's identity and configuration fixed: no global or
/// system configuration leaks in, and `who` is the author git knows.
fn run_as(dir: &Path, who: Option<(&str, &str)>, args: &[&str]) -> crate::common::Run {
    let mut cmd = command(dir);
    isolate(&mut cmd, dir, who);
    cmd.env("SOURCE_DATE_EPOCH", EPOCH);
    let out = cmd.args(args).output().expect("binary runs");
    crate::common::Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn isolate(cmd: &mut Command, home: &Path, who: Option<(&str, &str)>) {
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", home)
        .env_remove("GIT_DIR")
        .env_remove("EMAIL");
    for v in ["AUTHOR", "COMMITTER"] {
        match who {
            Some((name, email)) => {
                cmd.env(format!("GIT_{v}_NAME"), name)
                    .env(format!("GIT_{v}_EMAIL"), email);
            }
            None => {
                cmd.env_remove(format!("GIT_{v}_NAME"))
                    .env_remove(format!("GIT_{v}_EMAIL"));
            }
        }
    }
}

/// Runs git in `dir` as `who`.
fn git(dir: &Path, who: (&str, &str), args: &[&str]) {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir);
    isolate(&mut cmd, dir, Some(who));
    let out = cmd.args(args).output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const ANN: (&str, &str) = ("Ann Author", "ann@example.com");
const RITA: (&str, &str) = ("Rita Reviewer", "rita@example.com");
const CARL: (&str, &str) = ("Carl Coder", "carl@example.com");

/// REQ-A ← REQ-B (derives from it) ← CTL-1 (implements REQ-B) ← TST-1 (verifies CTL-1):
/// three levels below REQ-A.
fn chain() -> Book {
    Book::new("coverage.practice = false\ncoverage.requirement = false")
        .item(
            "REQ-A",
            "requirement",
            "Authenticate users",
            &["derives-from = [\"MDCG-SM\"]"],
            "Every user is authenticated.\n",
        )
        .item(
            "REQ-B",
            "requirement",
            "Two factors",
            &["derives-from = [\"REQ-A\"]"],
            "Clinicians use two factors.\n",
        )
        .item(
            "CTL-1",
            "control",
            "One-time codes",
            &["implements = [\"REQ-B\"]"],
            "The login asks for a code.\n",
        )
        .item(
            "TST-1",
            "test",
            "Login test",
            &["verifies = [\"CTL-1\"]", "result = \"pass\""],
            "Log in without a code.\n",
        )
}

fn findings(dir: &Path) -> Vec<(String, String)> {
    let run = run_as(dir, None, &["check", "book", "--format", "json"]);
    parse_json_lines(&run.stdout)
        .iter()
        .map(|v| {
            (
                v["code"].as_str().unwrap().to_string(),
                v["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn review(dir: &Path, who: (&str, &str), args: &[&str]) -> crate::common::Run {
    let mut all = vec!["review", "--book", "book", "--role", "Security architect"];
    all.extend_from_slice(args);
    run_as(dir, Some(who), &all)
}

#[test]
fn review_rewrites_only_reviewed_against_and_writes_a_record() {
    let book = chain();
    let root = book.root();
    // Comments, odd spacing, CRLF line endings and a body that looks like front-matter
    // must all survive byte for byte.
    let ctl = "+++\r\n# Reviewed every release\r\nid    = \"CTL-1\"\r\nkind = 'control'   # literal string\r\ntitle = \"One-time codes\"\r\nimplements = [\r\n  \"REQ-B\",\r\n]\r\n+++\r\n+++\r\nThe login asks for a code.   \r\n";
    write(root, "requirements/CTL-1.md", ctl);
    let tst_before = fs::read_to_string(root.join("requirements/TST-1.md")).unwrap();
    let run = review(
        root,
        RITA,
        &[
            "CTL-1",
            "TST-1",
            "--comment",
            "Checked \"codes\"\nand lockout",
            "--meaning",
            "approved",
        ],
    );
    run.expect_code(0);
    let after = fs::read_to_string(root.join("requirements/CTL-1.md")).unwrap();
    let fp_b = fingerprint_in(&after, "REQ-B");
    let cut = ctl.find("]\r\n+++").unwrap() + 3;
    assert_eq!(
        after,
        format!(
            "{}\r\n[reviewed-against]\r\n\"REQ-B\" = \"{fp_b}\"\r\n{}",
            &ctl[..cut],
            &ctl[cut..]
        )
    );
    let tst_after = fs::read_to_string(root.join("requirements/TST-1.md")).unwrap();
    let fp_c = fingerprint_in(&tst_after, "CTL-1");
    assert_eq!(
        tst_after,
        tst_before.replace(
            "+++\nLog",
            &format!("\n[reviewed-against]\n\"CTL-1\" = \"{fp_c}\"\n+++\nLog")
        )
    );
    assert!(
        run.stdout
            .contains(&format!("reviewed CTL-1 against REQ-B ({fp_b})")),
        "{}",
        run.stdout
    );

    let records: Vec<_> = fs::read_dir(root.join("reviews"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(records.len(), 1);
    assert!(
        records[0].ends_with("20261118T110640Z-ctl-1-and-1-more.toml"),
        "{records:?}"
    );
    let record = fs::read_to_string(&records[0]).unwrap();
    assert_eq!(
        record,
        format!(
            "# Review record written by `mdbook-techfile review`. The stamps of the items it covers\n# point at it: keep it with them, and do not edit it.\nreviewer = \"Rita Reviewer\"\ngit-identity = \"Rita Reviewer <rita@example.com>\"\nrole = \"Security architect\"\nmeaning = \"approved\"\ndate = 2026-11-18T11:06:40Z\ncomment = \"\"\"\nChecked \"codes\"\nand lockout\"\"\"\nmodified = false\nfingerprint-profile = 1\n\n[[covers]]\nitem = \"CTL-1\"\nupstream = \"REQ-B\"\nfingerprint = \"{fp_b}\"\n\n[[covers]]\nitem = \"TST-1\"\nupstream = \"CTL-1\"\nfingerprint = \"{fp_c}\"\n"
        )
    );
    // Not a git repository: the record names no commit, and says why.
    assert!(
        run.stderr.contains("the record names no commit"),
        "{}",
        run.stderr
    );
    // The reviewed links are current; the others are pending now that the book keeps
    // reviews.
    let f = findings(root);
    assert_eq!(
        f,
        [(
            "review-pending".to_string(),
            "the link from `REQ-B` to `REQ-A` has not been reviewed".to_string()
        ),]
    );
    // Reviewing again writes a second record and leaves the items as they are.
    review(root, RITA, &["CTL-1"]).expect_code(0);
    assert_eq!(
        fs::read_to_string(root.join("requirements/CTL-1.md")).unwrap(),
        after
    );
    assert_eq!(fs::read_dir(root.join("reviews")).unwrap().count(), 2);
}

fn fingerprint_in(text: &str, upstream: &str) -> String {
    let key = format!("\"{upstream}\" = \"");
    let at = text
        .find(&key)
        .unwrap_or_else(|| panic!("no stamp for {upstream} in {text}"))
        + key.len();
    text[at..at + "sha256:v1:".len() + 64].to_string()
}

#[test]
fn a_change_makes_links_suspect_three_levels_down_and_a_review_clears_them() {
    let book = chain();
    let root = book.root();
    review(root, RITA, &["REQ-B", "CTL-1", "TST-1"]).expect_code(0);
    assert_eq!(findings(root), []);
    // Reflowing REQ-A's body and changing its status are not changes.
    let a = root.join("requirements/REQ-A.md");
    let text = fs::read_to_string(&a).unwrap();
    fs::write(
        &a,
        text.replace(
            "Every user is authenticated.",
            "Every user\nis   authenticated.\n\n",
        )
        .replace("+++\nEvery", "status = \"approved\"\n+++\nEvery"),
    )
    .unwrap();
    assert_eq!(findings(root), []);
    fs::write(&a, text.replace("Every user", "Every clinician")).unwrap();
    let f = findings(root);
    assert_eq!(
        f,
        [
            ("suspect-link".to_string(), "`REQ-B` is suspect, so the review of `CTL-1` against it is too: `REQ-A` changed since `REQ-B` was reviewed against it".to_string()),
            ("suspect-link".to_string(), "`REQ-A` changed since `REQ-B` was reviewed against it".to_string()),
            ("suspect-link".to_string(), "`CTL-1` is suspect, so the review of `TST-1` against it is too: `REQ-A` changed since `REQ-B` was reviewed against it".to_string()),
        ]
    );
    // Suspect links are warnings: the check passes, and names them.
    run_as(root, None, &["check", "book"]).expect_code(0);
    // Reviewing REQ-B against the new REQ-A clears the whole chain: REQ-B itself did not
    // change, so what was reviewed against it still holds.
    let run = review(root, RITA, &["REQ-B"]);
    run.expect_code(0);
    assert_eq!(findings(root), []);
    // `--all-suspect` reviews every item with a suspect link, down the chain.
    fs::write(&a, text.replace("Every user", "Every patient")).unwrap();
    let run = review(root, RITA, &["--all-suspect"]);
    run.expect_code(0);
    for id in ["REQ-B", "CTL-1", "TST-1"] {
        assert!(
            run.stdout.contains(&format!("reviewed {id} against")),
            "{}",
            run.stdout
        );
    }
    assert_eq!(findings(root), []);
    let run = review(root, RITA, &["--all-suspect"]);
    run.expect_code(0);
    assert!(run.stderr.contains("nothing to review"), "{}", run.stderr);
}

#[test]
fn bad_input_gets_a_clear_message_and_changes_nothing() {
    let book = chain();
    let root = book.root();
    let snapshot = || crate::common::files_with_ext(root, ".md");
    let before = snapshot();
    for (args, needle) in [
        (
            vec!["CTL-9"],
            "no item has the ID `CTL-9` (did you mean `CTL-1`?)",
        ),
        (vec!["MDCG-SM"], "`MDCG-SM` is a catalog entry"),
        (vec!["REQ-A"], "`REQ-A` links to no other (live) item"),
    ] {
        let run = review(root, RITA, &args);
        run.expect_code(2);
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
    }
    // No role: a usage error.
    let run = run_as(root, Some(RITA), &["review", "--book", "book", "CTL-1"]);
    run.expect_code(2);
    assert!(run.stderr.contains("--role"), "{}", run.stderr);
    // No name and no git identity.
    let run = run_as(
        root,
        None,
        &["review", "--book", "book", "--role", "R", "CTL-1"],
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("give your name with --by NAME"),
        "{}",
        run.stderr
    );
    // The record cannot be written (the review folder is a file): nothing is written.
    write(root, "reviews", "not a folder");
    review(root, RITA, &["CTL-1", "TST-1"]).expect_code(2);
    // One item cannot be rewritten safely: the other is not written either.
    fs::remove_file(root.join("reviews")).unwrap();
    let dotted = fs::read_to_string(root.join("requirements/TST-1.md"))
        .unwrap()
        .replace(
            "result",
            "reviewed-against.\"CTL-1\" = \"x\"\ntags = []\nreviewed-against.\"X\" = \"y\"\nresult",
        );
    write(root, "requirements/TST-1.md", &dotted);
    let run = review(root, RITA, &["CTL-1", "TST-1"]);
    run.expect_code(2);
    let mut expected = before.clone();
    expected.insert("requirements/TST-1.md".into(), dotted.into_bytes());
    assert_eq!(snapshot(), expected, "a failed review modifies no file");
    assert!(
        !root.join("reviews").exists() || fs::read_dir(root.join("reviews")).unwrap().count() == 0
    );
    // Those stamps are reported where they are written, as bad values.
    let f = findings(root);
    assert!(
        f.iter()
            .any(|(c, m)| c == "invalid-value" && m == "`x` is not a fingerprint"),
        "{f:?}"
    );
    assert!(
        f.iter().any(|(c, m)| c == "invalid-value"
            && m == "`X` in `reviewed-against` is not an ID this item links to"),
        "{f:?}"
    );
    // An input error stops a review before anything is written.
    let run = review(root, RITA, &["CTL-1"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("must be fixed before a review can be recorded"),
        "{}",
        run.stderr
    );
}

/// A scratch repository with the chain committed by Carl.
fn repo() -> Book {
    let book = chain();
    let root = book.root();
    git(root, CARL, &["init", "-q", "-b", "main"]);
    git(root, CARL, &["add", "-A"]);
    git(root, CARL, &["commit", "-q", "-m", "chain"]);
    book
}

#[test]
fn explain_suspect_walks_the_history_to_the_reviewed_version() {
    let book = repo();
    let root = book.root();
    let run = review(root, RITA, &["REQ-B"]);
    run.expect_code(0);
    git(root, RITA, &["add", "-A"]);
    git(root, RITA, &["commit", "-q", "-m", "review REQ-B"]);
    let a = root.join("requirements/REQ-A.md");
    let text = fs::read_to_string(&a).unwrap();
    // A change outside the profile, then a real one: the walk passes the first.
    fs::write(
        &a,
        text.replace("+++\nEvery", "owner = \"Ann\"\n+++\nEvery"),
    )
    .unwrap();
    git(root, ANN, &["commit", "-q", "-am", "owner"]);
    let reviewed = head(root);
    fs::write(
        &a,
        text.replace(
            "title = \"Authenticate users\"",
            "title = \"Authenticate all users\"",
        )
        .replace("Every user is", "Every user and device is"),
    )
    .unwrap();
    git(root, ANN, &["commit", "-q", "-am", "widen"]);
    let run = run_as(
        root,
        None,
        &["check", "book", "--color", "never", "--explain-suspect"],
    );
    run.expect_code(0);
    let out = &run.stdout;
    assert!(
        out.contains(
            "techfile: what changed since the review of 1 suspect link\n\nREQ-B -> REQ-A\n"
        ),
        "{out}"
    );
    // The newest version with the reviewed content is the owner change's.
    assert!(
        out.contains(&format!(
            "  reviewed as requirements/REQ-A.md at commit {} (",
            &reviewed[..12]
        )),
        "{out}"
    );
    assert!(
        out.contains(", Ann Author <ann@example.com>); changed since:\n"),
        "{out}"
    );
    assert!(
        out.contains("  body: Every user {+and device +}is authenticated.\n"),
        "{out}"
    );
    assert!(
        out.contains("  title: Authenticate {+all +}users\n"),
        "{out}"
    );
    // JSON Lines for tools.
    let run = run_as(
        root,
        None,
        &["check", "book", "--format", "json", "--explain-suspect"],
    );
    let lines = parse_json_lines(&run.stdout);
    let s = lines
        .iter()
        .find(|v| v.get("suspect").is_some())
        .expect("a suspect line");
    assert_eq!(s["suspect"]["changes"].as_array().unwrap().len(), 2);
    assert_eq!(s["suspect"]["bound-hit"], false);

    // A stamp no version has: the whole history was searched, and it says so.
    let b = root.join("requirements/REQ-B.md");
    let stamp = fingerprint_in(&fs::read_to_string(&b).unwrap(), "REQ-A");
    let forged = format!("sha256:v1:{}", "0".repeat(64));
    fs::write(&b, fs::read_to_string(&b).unwrap().replace(&stamp, &forged)).unwrap();
    let run = run_as(
        root,
        None,
        &["check", "book", "--color", "never", "--explain-suspect"],
    );
    assert!(run.stdout.contains(&format!("reviewed against {forged}, but no version of requirements/REQ-A.md in its whole history (3 commits) has that fingerprint")), "{}", run.stdout);
}

fn head(root: &Path) -> String {
    let out = Command::new("git")
        .current_dir(root)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn explain_suspect_stops_at_200_commits_and_says_so() {
    let book = repo();
    let root = book.root();
    review(root, RITA, &["REQ-B"]).expect_code(0);
    let b = root.join("requirements/REQ-B.md");
    let stamp = fingerprint_in(&fs::read_to_string(&b).unwrap(), "REQ-A");
    // A stamp from elsewhere, and 201 commits that change REQ-A.
    fs::write(
        &b,
        fs::read_to_string(&b)
            .unwrap()
            .replace(&stamp, &format!("sha256:v1:{}", "1".repeat(64))),
    )
    .unwrap();
    let a = root.join("requirements/REQ-A.md");
    let text = fs::read_to_string(&a).unwrap();
    for n in 0..201 {
        fs::write(&a, format!("{text}\nRevision {n}.\n")).unwrap();
        git(root, ANN, &["commit", "-q", "-am", "edit"]);
    }
    let run = run_as(
        root,
        None,
        &["check", "book", "--color", "never", "--explain-suspect"],
    );
    assert!(
        run.stdout.contains(
            "in the last 200 commits that changed it (the walk stops there) has that fingerprint"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn independent_review_flags_the_last_author_as_reviewer() {
    let book = repo();
    let root = book.root();
    append_book_toml(
        root,
        "[preprocessor.techfile.review]\nindependent-review = true\n",
    );
    git(root, CARL, &["commit", "-q", "-am", "independent reviews"]);
    // Carl wrote CTL-1: he may not review it.
    review(root, CARL, &["CTL-1"]).expect_code(0);
    let f = findings(root);
    let own: Vec<&String> = f
        .iter()
        .filter(|x| x.0 == "review-not-independent")
        .map(|x| &x.1)
        .collect();
    assert_eq!(
        own,
        [
            "Carl Coder reviewed `CTL-1` against `REQ-B`, but is the last author of the reviewed item `CTL-1`"
        ]
    );
    // Rita did not write CTL-1 or REQ-B: independent.
    review(root, RITA, &["CTL-1"]).expect_code(0);
    git(root, RITA, &["add", "-A"]);
    git(root, RITA, &["commit", "-q", "-m", "review CTL-1"]);
    // Committing the stamps made Rita the last committer of CTL-1's file, but not the author
    // of its content: still independent. (Carl's record no longer backs a stamp.)
    assert_eq!(
        findings(root)
            .iter()
            .filter(|f| f.0 == "review-not-independent")
            .count(),
        0
    );
    // Ann changes REQ-B and reviews the control against her own change herself.
    let b = root.join("requirements/REQ-B.md");
    fs::write(
        &b,
        fs::read_to_string(&b)
            .unwrap()
            .replace("two factors", "two factors or a key"),
    )
    .unwrap();
    git(root, ANN, &["commit", "-q", "-am", "keys"]);
    review(root, ANN, &["CTL-1"]).expect_code(0);
    let f = findings(root);
    let own: Vec<&String> = f
        .iter()
        .filter(|x| x.0 == "review-not-independent")
        .map(|x| &x.1)
        .collect();
    assert_eq!(
        own,
        [
            "Ann Author reviewed `CTL-1` against `REQ-B`, but is the last author of the upstream item `REQ-B`"
        ]
    );
    run_as(root, None, &["check", "book"]).expect_code(1);
    // Rita reviewed with Carl's review not yet committed: her record says so; Ann's tree
    // was clean.
    let records: Vec<String> = fs::read_dir(root.join("reviews"))
        .unwrap()
        .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let of = |who: &str| {
        records
            .iter()
            .find(|r| r.contains(&format!("reviewer = \"{who}\"")))
            .unwrap()
    };
    assert!(
        of("Rita Reviewer").contains("modified = true"),
        "{records:?}"
    );
    assert!(
        of("Ann Author").contains("modified = false") && of("Ann Author").contains("commit = \""),
        "{records:?}"
    );
}

#[test]
fn the_views_list_suspects_pending_links_and_records() {
    let book = chain();
    let root = book.root();
    append_book_toml(
        root,
        "[preprocessor.techfile.bundle]\nversion = \"1.0\"\npdf = false\n",
    );
    write(
        root,
        "book/src/SUMMARY.md",
        "# Summary\n\n- [Chapter](chapter.md)\n- [Reviews](reviews.md)\n- [Control](control.md)\n",
    );
    write(
        root,
        "book/src/reviews.md",
        "# Reviews\n\n{{#techfile reviews}}\n",
    );
    write(
        root,
        "book/src/control.md",
        "# Control\n\n{{#techfile document-control}}\n",
    );
    review(root, RITA, &["REQ-B", "CTL-1"]).expect_code(0);
    let a = root.join("requirements/REQ-A.md");
    fs::write(
        &a,
        fs::read_to_string(&a)
            .unwrap()
            .replace("Every user", "Every <clinician>"),
    )
    .unwrap();
    let (_, pages) = mdbook_techfile::mdbook::render(&root.join("book")).unwrap();
    let page = |p: &str| pages.iter().find(|x| x.path == p).unwrap().content.clone();
    let reviews = page("reviews.md");
    assert!(reviews.contains("## Suspect links"), "{reviews}");
    assert!(reviews.contains("<span class=\"techfile-gap\">suspect</span>: <a href=\"techfile/requirements.html#req-a\""), "{reviews}");
    assert!(
        reviews.contains("is suspect: <a href=\"techfile/requirements.html#req-a\""),
        "{reviews}"
    );
    assert!(
        reviews.contains("by Rita Reviewer (Security architect) on 2026-11-18, reviewed"),
        "{reviews}"
    );
    // TST-1 → CTL-1 has no stamp.
    assert!(
        reviews.contains("<tr><td><a href=\"techfile/tests.html#tst-1\""),
        "{reviews}"
    );
    let control = page("control.md");
    assert!(control.contains("## Review records"), "{control}");
    assert!(control.contains("<td>2026-11-18T11:06:40Z</td><td>Rita Reviewer<br><small>Rita Reviewer &lt;rita@example.com&gt;</small></td><td>Security architect</td><td>reviewed</td><td>2 (CTL-1, REQ-B)</td><td><code>reviews/20261118T110640Z-ctl-1-and-1-more.toml</code></td>"), "{control}");
    let controls = page("techfile/controls.md");
    assert!(
        controls.contains("<tr><td>Review</td><td>against <a href=\"requirements.html#req-b\""),
        "{controls}"
    );
    assert!(
        controls.contains("by Rita Reviewer (Security architect) on 2026-11-18, reviewed"),
        "{controls}"
    );
}

/// Appends TOML (more tables) to `book/book.toml` under `root`.
fn append_book_toml(root: &Path, toml: &str) {
    let path = root.join("book/book.toml");
    let text = fs::read_to_string(&path).expect("book.toml");
    fs::write(path, format!("{text}\n{toml}")).expect("write book.toml");
}
