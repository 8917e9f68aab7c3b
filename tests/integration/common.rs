//! The one harness of the integration tests: fixture books copied into temporary folders
//! ([`Book`]), `check` runs with parsed findings ([`Checked`]), real `mdbook build` runs with
//! the findings they print ([`Built`]), and the tools the end-to-end tests need ([`require!`]).
//!
//! Tests assert codes, places and behaviour; the wording of messages lives in the insta
//! snapshots (`snapshots/` for every fixture, `snapshots/messages/` for [`snapshot_findings`]).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::rc::Rc;

/// The binary under test, built by Cargo for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_mdbook-techfile");

/// The repository root (the sample technical file's `book/`, `requirements/` and `sboms/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the plugin lives in the repository")
        .to_path_buf()
}

/// `tests/fixtures`: one book per diagnostic code, `clean` and `clean-*` (no findings), and
/// folders of data for other tests (those hold no `book/book.toml`).
pub fn fixtures_dir() -> PathBuf {
    repo_root().join("tests/fixtures")
}

/// A fixture in place, for tests that only read it.
pub fn fixture(name: &str) -> PathBuf {
    fixtures_dir().join(name)
}

/// Every fixture book, found by the pattern `tests/fixtures/*/book/book.toml`, sorted.
pub fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .filter_map(|e| {
            let e = e.ok()?;
            e.path()
                .join("book/book.toml")
                .is_file()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

/// `clean` and `clean-*` fixtures must check without findings.
pub fn is_clean_fixture(name: &str) -> bool {
    name == "clean" || name.starts_with("clean-")
}

// ---------------------------------------------------------------------------------------
// Tools the end-to-end tests need

/// Something a test needs from outside the repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// mdBook 0.5 on PATH.
    Mdbook,
    /// Debian's headless Chromium, which prints the PDF.
    Chromium,
    /// poppler-utils' `pdftotext`, which reads the PDF back.
    Pdftotext,
    /// git, for version stamps from a repository.
    Git,
    /// `../shared` next to the repository: the CycloneDX test vectors.
    Shared,
}

impl Need {
    /// The variable that lets a developer skip tests needing this, outside CI.
    fn skip_var(self) -> &'static str {
        match self {
            Need::Mdbook | Need::Git => "TECHFILE_SKIP_MDBOOK",
            Need::Chromium | Need::Pdftotext => "TECHFILE_SKIP_BROWSER",
            Need::Shared => "TECHFILE_SKIP_SHARED",
        }
    }

    fn install(self) -> &'static str {
        match self {
            Need::Mdbook => "cargo install --locked mdbook --version 0.5.4",
            Need::Chromium => "apt-get install chromium",
            Need::Pdftotext => "apt-get install poppler-utils",
            Need::Git => "apt-get install git",
            Need::Shared => "check out the project's shared/ folder next to the repository",
        }
    }

    /// `Err` says what is wrong when the need is not met.
    fn check(self) -> Result<(), String> {
        let tool = match self {
            Need::Shared => {
                let dir = shared_dir();
                return if dir.join("cyclonedx/test-vectors").is_dir() {
                    Ok(())
                } else {
                    Err(format!("{} is missing", dir.display()))
                };
            }
            Need::Mdbook => "mdbook",
            Need::Chromium => "chromium",
            Need::Pdftotext => "pdftotext",
            Need::Git => "git",
        };
        // Only whether it runs matters: `pdftotext --version` exits 1 although it is there.
        let out = Command::new(tool)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{tool} is not on PATH ({e})"))?;
        if self == Need::Mdbook {
            let version = String::from_utf8_lossy(&out.stdout);
            if !version.trim().starts_with("mdbook v0.5.") {
                return Err(format!(
                    "these tests need mdbook 0.5, found `{}`",
                    version.trim()
                ));
            }
        }
        Ok(())
    }
}

/// Whether the tests run in CI (`CI=true`, set by `scripts/test.sh` and `.ci/run`): there a
/// missing tool fails the test, whatever the `TECHFILE_SKIP_*` variables say.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Whether every need is met. A missing one fails the test with the command that installs
/// it; outside CI its `TECHFILE_SKIP_*` variable turns that into a skip with a printed note.
pub fn ready(needs: &[Need]) -> bool {
    let skip_set = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty() && v != "0");
    for &need in needs {
        let problem = need.check().err();
        match decide(need, problem, in_ci(), skip_set(need.skip_var())) {
            Decision::Run => {}
            Decision::Skip(note) => {
                eprintln!("{note}");
                return false;
            }
            Decision::Fail(message) => panic!("{message}"),
        }
    }
    true
}

/// What to do about one need.
#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Run,
    /// Skip, printing the note.
    Skip(String),
    /// Fail with the message.
    Fail(String),
}

/// The policy of [`ready`]: a met need runs; a missing one fails in CI, is skipped outside
/// CI when its variable is set, and fails otherwise.
fn decide(need: Need, problem: Option<String>, ci: bool, skip_set: bool) -> Decision {
    let Some(problem) = problem else {
        return Decision::Run;
    };
    let var = need.skip_var();
    if ci {
        Decision::Fail(format!(
            "{problem}; CI=true, so this fails: {}",
            need.install()
        ))
    } else if skip_set {
        Decision::Skip(format!(
            "note: {problem} and {var} is set: skipping this test"
        ))
    } else {
        Decision::Fail(format!(
            "{problem}: {} (or set {var}=1 to skip the tests that need it)",
            need.install()
        ))
    }
}

/// Returns from the test unless every need is met (see [`ready`]):
/// `require!(Mdbook, Chromium);`.
macro_rules! require {
    ($($need:ident),+ $(,)?) => {
        if !$crate::common::ready(&[$($crate::common::Need::$need),+]) {
            return;
        }
    };
}
pub(crate) use require;

/// The project's shared reference folder, next to the repository.
pub fn shared_dir() -> PathBuf {
    repo_root().join("../shared")
}

// ---------------------------------------------------------------------------------------
// Running the binary

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Run {
    /// Exit code; `None` when the process died from a signal (a crash).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(out: Output) -> Run {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Panics with the whole run when the exit code is not `expected`.
    pub fn expect_code(&self, expected: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(expected),
            "expected exit code {expected}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// A command for the binary with a clean environment: no MDBOOK_* overrides leak in from
/// the developer's shell, and colour is decided by the flags, not by the terminal.
pub fn command(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir).stdin(Stdio::null());
    clean_env(&mut cmd);
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

fn clean_env(cmd: &mut Command) {
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("MDBOOK_") {
            cmd.env_remove(k);
        }
    }
}

/// Runs the binary in `dir` with `args`.
pub fn run(dir: &Path, args: &[&str]) -> Run {
    Run::from(command(dir).args(args).output().expect("binary runs"))
}

/// Runs the binary in `dir` with `args`, feeding `stdin`.
pub fn run_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    use std::io::Write;
    let mut child = command(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin)
        .expect("stdin accepts the input");
    Run::from(child.wait_with_output().expect("binary finishes"))
}

/// `mdbook-techfile check book --color never` in `dir`.
pub fn check_human(dir: &Path) -> Run {
    run(dir, &["check", "book", "--color", "never"])
}

/// `mdbook-techfile check book --format json` in `dir`, with its findings parsed.
pub fn check(dir: &Path) -> Checked {
    Checked::from(run(dir, &["check", "book", "--format", "json"]))
}

/// Parses JSON Lines output, one finding per line.
pub fn parse_json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

/// A JSON `check` run and its findings.
#[derive(Debug)]
pub struct Checked {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// One JSON object per finding, in output order.
    pub findings: Vec<serde_json::Value>,
}

impl Checked {
    pub fn from(run: Run) -> Checked {
        Checked {
            findings: parse_json_lines(&run.stdout),
            code: run.code,
            stdout: run.stdout,
            stderr: run.stderr,
        }
    }

    /// Panics with the whole run when the exit code is not `expected`.
    pub fn expect_code(&self, expected: i32) -> &Checked {
        assert_eq!(
            self.code,
            Some(expected),
            "expected exit code {expected}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// The codes of the findings, in output order.
    pub fn codes(&self) -> Vec<&str> {
        self.findings
            .iter()
            .map(|v| v["code"].as_str().expect("code is a string"))
            .collect()
    }

    /// The findings with this code.
    pub fn with_code(&self, code: &str) -> Vec<&serde_json::Value> {
        self.findings.iter().filter(|v| v["code"] == code).collect()
    }

    /// The first finding with this code; panics with the output when there is none.
    pub fn first(&self, code: &str) -> &serde_json::Value {
        self.findings
            .iter()
            .find(|v| v["code"] == code)
            .unwrap_or_else(|| panic!("no {code} in\n{}", self.stdout))
    }
}

/// `file:line:column` of a JSON finding (or of a related place).
pub fn place(v: &serde_json::Value) -> String {
    format!(
        "{}:{}:{}",
        v["file"].as_str().unwrap_or("?"),
        v["line"],
        v["column"]
    )
}

/// Snapshots the wording of findings (`code place: message`, then help, label and related
/// messages) as `snapshots/messages/<name>.snap`, so tests assert codes and places and the
/// text lives in one reviewed file.
pub fn snapshot_findings(name: &str, findings: &[serde_json::Value]) {
    let mut text = String::new();
    for v in findings {
        text.push_str(&format!(
            "{}[{}] {}: {}\n",
            v["severity"].as_str().unwrap_or("?"),
            v["code"].as_str().unwrap_or("?"),
            place(v),
            v["message"].as_str().unwrap_or("?")
        ));
        for key in ["label", "help"] {
            if let Some(s) = v[key].as_str() {
                text.push_str(&format!("  {key}: {s}\n"));
            }
        }
        for r in v["related"].as_array().into_iter().flatten() {
            text.push_str(&format!(
                "  related {}: {}\n",
                place(r),
                r["message"].as_str().unwrap_or("")
            ));
        }
    }
    snapshot_text(name, &text);
}

/// Snapshots `text` as `snapshots/messages/<name>.snap`.
pub fn snapshot_text(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => "snapshots/messages",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

// ---------------------------------------------------------------------------------------
// Books

/// A book in a temporary folder, laid out as the fixtures are: `book/book.toml`,
/// `book/src/`, `requirements/`, `sboms/`. The builder methods take and return the book, so
/// a test writes `Book::fixture("clean").config("pages-dir = \"x\"").file(...)`, and changes
/// it later the same way (`let book = book.file(...)`).
pub struct Book {
    /// Shared with the [`Built`] results, so a build's output outlives a book made for it
    /// in one expression (`Book::fixture("clean").build()`).
    dir: Rc<tempfile::TempDir>,
}

impl Book {
    /// An empty folder.
    pub fn empty() -> Book {
        Book {
            dir: Rc::new(tempfile::tempdir().expect("temp dir")),
        }
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Book {
        let book = Book::empty();
        let src = fixture(name);
        assert!(src.is_dir(), "no fixture {}", src.display());
        copy_dir(&src, book.root());
        book
    }

    /// A one-chapter book without items: `book/book.toml` with `techfile_toml` as the body
    /// of `[preprocessor.techfile]`, and `src/SUMMARY.md` with `chapter.md`.
    pub fn new(techfile_toml: &str) -> Book {
        Book::empty()
            .file(
                "book/book.toml",
                format!(
                    "[book]\ntitle = \"Test book\"\n\n[preprocessor.techfile]\n{techfile_toml}\n"
                ),
            )
            .file(
                "book/src/SUMMARY.md",
                "# Summary\n\n- [Chapter](chapter.md)\n",
            )
            .file("book/src/chapter.md", "# Chapter\n")
    }

    /// A copy of the sample technical file: `book/` (without its output), `requirements/`
    /// and `sboms/`, laid out as in the repository.
    pub fn sample() -> Book {
        let book = Book::empty();
        for dir in ["book/src", "requirements", "sboms"] {
            let src = repo_root().join(dir);
            if src.is_dir() {
                copy_dir(&src, &book.path(dir));
            }
        }
        fs::copy(
            repo_root().join("book/book.toml"),
            book.path("book/book.toml"),
        )
        .expect("copy the sample's book.toml");
        book
    }

    /// The folder that holds `book/`.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the book's folder.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// Writes `content` to `rel`, creating folders.
    pub fn file(self, rel: &str, content: impl AsRef<[u8]>) -> Book {
        write(self.root(), rel, content);
        self
    }

    /// Writes `requirements/<id>.md` with front-matter made by [`item`].
    pub fn item(self, id: &str, kind: &str, title: &str, extra: &[&str], body: &str) -> Book {
        let rel = format!("requirements/{id}.md");
        self.file(&rel, item(id, kind, title, extra, body))
    }

    /// Adds a line at the top of `[preprocessor.techfile]`.
    pub fn config(self, line: &str) -> Book {
        self.edit("book/book.toml", |text| {
            assert!(
                text.contains("[preprocessor.techfile]\n"),
                "book.toml has no [preprocessor.techfile] table"
            );
            text.replacen(
                "[preprocessor.techfile]\n",
                &format!("[preprocessor.techfile]\n{line}\n"),
                1,
            )
        })
    }

    /// Appends TOML (more tables) to `book/book.toml`.
    pub fn toml(self, toml: &str) -> Book {
        self.edit("book/book.toml", |text| format!("{text}\n{toml}"))
    }

    /// Appends `[preprocessor.techfile.severity]` with these lines.
    pub fn severity(self, table: &str) -> Book {
        self.toml(&format!("[preprocessor.techfile.severity]\n{table}\n"))
    }

    /// Configures the compliance bundle (version 2.3) with `extra` keys under
    /// `[preprocessor.techfile.bundle]`, and both outputs as a book handed to a notified body
    /// has them.
    pub fn bundle(self, extra: &str) -> Book {
        self.toml(&format!(
            "[preprocessor.techfile.bundle]\nversion = \"2.3\"\n{extra}\n\n[output.html]\n\n[output.techfile]\ncommand = \"mdbook-techfile render\"\n"
        ))
    }

    /// Writes a chapter at `book/src/<rel>` and lists it at the end of SUMMARY.md.
    pub fn chapter(self, rel: &str, title: &str, text: &str) -> Book {
        self.file(&format!("book/src/{rel}"), text)
            .edit("book/src/SUMMARY.md", |s| {
                format!("{s}- [{title}]({rel})\n")
            })
    }

    /// Rewrites a text file.
    pub fn edit(self, rel: &str, f: impl FnOnce(String) -> String) -> Book {
        let text = self.read(rel);
        let new = f(text);
        write(self.root(), rel, new);
        self
    }

    /// Deletes a file.
    pub fn remove(self, rel: &str) -> Book {
        fs::remove_file(self.path(rel)).unwrap_or_else(|e| panic!("remove {rel}: {e}"));
        self
    }

    /// A text file of the book.
    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// The binary run next to `book/` with `args`.
    pub fn run(&self, args: &[&str]) -> Run {
        run(self.root(), args)
    }

    /// `check book --format json`.
    pub fn check(&self) -> Checked {
        check(self.root())
    }

    /// `check book --color never`.
    pub fn check_human(&self) -> Run {
        check_human(self.root())
    }

    /// An `mdbook build` of this book to configure; see [`Mdbook`].
    pub fn mdbook(&self) -> Mdbook<'_> {
        Mdbook {
            book: self,
            envs: Vec::new(),
            path: None,
        }
    }

    /// `mdbook build` with the binary under test; see [`Mdbook`].
    pub fn build(&self) -> Built {
        self.mdbook().run()
    }
}

/// One `mdbook build` of a [`Book`] in `book/`, with the binary under test as the
/// preprocessor (and as the bundle renderer when the book has `[output.techfile]`), a clean
/// environment (no `MDBOOK_*` or `SOURCE_DATE_EPOCH` from the shell) and git kept from
/// looking above the temporary folder.
pub struct Mdbook<'b> {
    book: &'b Book,
    envs: Vec<(String, String)>,
    path: Option<OsString>,
}

impl Mdbook<'_> {
    /// Adds an environment variable.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// Sets `SOURCE_DATE_EPOCH`.
    pub fn epoch(self, epoch: &str) -> Self {
        self.env("SOURCE_DATE_EPOCH", epoch)
    }

    /// Runs with a PATH holding only an empty folder: no browser, no git.
    pub fn without_tools(mut self) -> Self {
        let dir = self.book.path("empty-path");
        fs::create_dir_all(&dir).expect("create the empty PATH folder");
        self.path = Some(dir.into_os_string());
        self
    }

    pub fn run(self) -> Built {
        let root = self.book.root();
        let toml = self.book.read("book/book.toml");
        // Resolved here, since the run may replace PATH.
        let mut cmd = Command::new(find_on_path("mdbook"));
        cmd.arg("build")
            .current_dir(root.join("book"))
            .stdin(Stdio::null());
        clean_env(&mut cmd);
        cmd.env_remove("SOURCE_DATE_EPOCH")
            .env("MDBOOK_PREPROCESSOR__TECHFILE__COMMAND", BIN)
            // Temporary folders are not in a repository; make sure git never looks above them.
            .env("GIT_CEILING_DIRECTORIES", root.parent().unwrap_or(root));
        // Only books that have the bundle renderer get it: the variable alone would add it.
        if toml.contains("[output.techfile]") {
            cmd.env(
                "MDBOOK_OUTPUT__TECHFILE__COMMAND",
                format!("'{BIN}' render"),
            );
        }
        if let Some(p) = self.path {
            cmd.env("PATH", p);
        }
        cmd.envs(self.envs);
        let out = cmd.output().expect("mdbook runs");
        Built::new(out, root.join("book/book"), Rc::clone(&self.book.dir))
    }
}

fn find_on_path(tool: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{tool} is not on PATH"))
}

/// A finding `mdbook build` printed (the preprocessor's human output on stderr).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildFinding {
    /// `error` or `warning`.
    pub severity: String,
    pub code: String,
    pub message: String,
    /// `file:line:column`, relative to `book/` where mdBook runs the preprocessor.
    pub place: String,
}

/// What `mdbook build` did.
#[derive(Debug)]
pub struct Built {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
    /// The findings in stderr, in order.
    pub findings: Vec<BuildFinding>,
    /// `book/book`, mdBook's output folder.
    pub out: PathBuf,
    _book: Rc<tempfile::TempDir>,
}

impl Built {
    fn new(out: Output, dir: PathBuf, book: Rc<tempfile::TempDir>) -> Built {
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        Built {
            success: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            findings: build_findings(&stderr),
            stderr,
            out: dir,
            _book: book,
        }
    }

    /// Panics with mdBook's output unless the build succeeded.
    pub fn expect_ok(self) -> Built {
        assert!(
            self.success,
            "mdbook build failed\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panics with mdBook's output unless the build failed.
    pub fn expect_failure(self) -> Built {
        assert!(
            !self.success,
            "mdbook build must fail\n--- stderr\n{}",
            self.stderr
        );
        self
    }

    /// The codes of the findings, in order.
    pub fn codes(&self) -> Vec<&str> {
        self.findings.iter().map(|f| f.code.as_str()).collect()
    }

    /// Whether a finding with this code is at this place.
    pub fn has(&self, code: &str, place: &str) -> bool {
        self.findings
            .iter()
            .any(|f| f.code == code && f.place == place)
    }

    /// Where the HTML renderer wrote: `book/book`, or `book/book/html` when the book has
    /// a second output.
    pub fn html_dir(&self) -> PathBuf {
        let nested = self.out.join("html");
        if nested.join("index.html").is_file() {
            nested
        } else {
            self.out.clone()
        }
    }

    /// Every HTML page by its path relative to [`Built::html_dir`].
    pub fn html(&self) -> BTreeMap<String, Vec<u8>> {
        let html = files_with_ext(&self.html_dir(), ".html");
        assert!(!html.is_empty(), "no HTML written");
        html
    }

    /// One page as text; a missing page fails the test with the list of pages.
    pub fn page(&self, rel: &str) -> String {
        fs::read_to_string(self.html_dir().join(rel)).unwrap_or_else(|e| {
            panic!(
                "{rel}: {e}; pages: {:?}",
                files_with_ext(&self.html_dir(), ".html").keys()
            )
        })
    }

    /// The compliance bundle, `book/book/techfile`.
    pub fn bundle_dir(&self) -> PathBuf {
        self.out.join("techfile")
    }
}

/// Reads the findings of the human format out of mdBook's stderr: a header
/// `error[code]: message` followed by a line `┌─ file:line:col`.
fn build_findings(stderr: &str) -> Vec<BuildFinding> {
    let mut out = Vec::new();
    let mut lines = stderr.lines().peekable();
    while let Some(line) = lines.next() {
        let Some((severity, rest)) = line
            .strip_prefix("error[")
            .map(|r| ("error", r))
            .or_else(|| line.strip_prefix("warning[").map(|r| ("warning", r)))
        else {
            continue;
        };
        let Some((code, message)) = rest.split_once("]: ") else {
            continue;
        };
        let place = lines
            .peek()
            .and_then(|l| l.trim_start().strip_prefix("┌─ "))
            .map(|p| p.trim().to_string())
            .unwrap_or_default();
        out.push(BuildFinding {
            severity: severity.into(),
            code: code.into(),
            message: message.into(),
            place,
        });
    }
    out
}

// ---------------------------------------------------------------------------------------
// Files

/// Copies a folder tree.
pub fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).expect("create destination");
    for entry in fs::read_dir(src).expect("read source folder") {
        let entry = entry.expect("read entry");
        let to = dst.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            fs::copy(entry.path(), &to).expect("copy file");
        }
    }
}

/// Writes `content` to `root/rel`, creating folders.
pub fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("file has a parent")).expect("create folders");
    fs::write(path, content).expect("write file");
}

/// The front-matter of an item file, for tests that build books on the fly.
pub fn item(id: &str, kind: &str, title: &str, extra: &[&str], body: &str) -> String {
    let mut s = format!("+++\nid = \"{id}\"\nkind = \"{kind}\"\ntitle = \"{title}\"\n");
    for line in extra {
        s.push_str(line);
        s.push('\n');
    }
    s.push_str("+++\n");
    s.push_str(body);
    s
}

/// Every file under `root` whose name ends with `ext`, keyed by its path relative to
/// `root` (forward slashes), with its bytes.
pub fn files_with_ext(root: &Path, ext: &str) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, ext: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).expect("read folder") {
            let entry = entry.expect("read entry");
            let path = entry.path();
            if entry.file_type().expect("file type").is_dir() {
                walk(base, &path, ext, out);
            } else if path.to_string_lossy().ends_with(ext) {
                let rel = path
                    .strip_prefix(base)
                    .expect("under base")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, fs::read(&path).expect("read file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, ext, &mut out);
    out
}

/// The IDs of the items under `dir`, read from their front-matter, sorted.
pub fn item_ids(dir: &Path) -> Vec<String> {
    let mut ids: Vec<String> = files_with_ext(dir, ".md")
        .values()
        .filter_map(|bytes| {
            String::from_utf8_lossy(bytes).lines().find_map(|l| {
                l.strip_prefix("id = \"")?
                    .strip_suffix('"')
                    .map(str::to_owned)
            })
        })
        .collect();
    ids.sort();
    ids
}

/// SHA-256 with the `sha2` crate directly, not the code under test.
pub fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_findings_are_read_from_the_human_format() {
        let stderr = "INFO Book building has started\nerror[unknown-id]: `CTL-1` implements unknown ID `REQ-2`\n  ┌─ ../requirements/CTL-1.md:5:24\n  │\nwarning[link-to-obsolete]: x\n   ┌─ src/a.md:10:1\nERROR The \"techfile\" preprocessor exited unsuccessfully\n";
        let f = build_findings(stderr);
        assert_eq!(
            f,
            [
                BuildFinding {
                    severity: "error".into(),
                    code: "unknown-id".into(),
                    message: "`CTL-1` implements unknown ID `REQ-2`".into(),
                    place: "../requirements/CTL-1.md:5:24".into(),
                },
                BuildFinding {
                    severity: "warning".into(),
                    code: "link-to-obsolete".into(),
                    message: "x".into(),
                    place: "src/a.md:10:1".into(),
                },
            ]
        );
    }

    #[test]
    fn a_missing_tool_fails_in_ci_even_when_a_skip_is_asked_for() {
        let missing = || Some("mdbook is not on PATH".to_string());
        for skip in [false, true] {
            assert!(
                matches!(decide(Need::Mdbook, missing(), true, skip), Decision::Fail(m) if m.contains("CI=true")),
                "skip variable set: {skip}"
            );
        }
        assert!(matches!(
            decide(Need::Chromium, missing(), false, true),
            Decision::Skip(n) if n.contains("TECHFILE_SKIP_BROWSER")
        ));
        assert!(matches!(
            decide(Need::Shared, missing(), false, false),
            Decision::Fail(m) if m.contains("TECHFILE_SKIP_SHARED=1")
        ));
        for ci in [false, true] {
            assert_eq!(decide(Need::Pdftotext, None, ci, true), Decision::Run);
        }
    }

    #[test]
    fn fixture_books_are_found_by_their_book_toml() {
        let names = fixture_names();
        assert!(names.contains(&"clean".to_string()), "{names:?}");
        // Data folders hold no book.
        assert!(!names.contains(&"sbom-vectors".to_string()), "{names:?}");
    }
}
