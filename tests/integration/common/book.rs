//! Books in temporary folders, changed with builder calls, checked and built with mdBook.

use super::run::{BIN, Checked, Run, check, check_human, clean_env, run};
use super::{copy_dir, files_with_ext, fixture, item, repo_root, write};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

/// A book in a temporary folder, laid out as the fixtures are: `book/book.toml`,
/// `book/src/`, `requirements/`, `sboms/`. The builder methods take and return the book, so
/// a test writes `Book::fixture("clean").config("pages-dir = \"x\"").file(...)`, and changes
/// it later the same way (`let book = book.file(...)`).
pub struct Book {
    /// Shared with the [`Built`] results (an `Arc`, so books build on threads at once), so a
    /// build's output outlives a book made for it
    /// in one expression (`Book::fixture("clean").build()`).
    dir: Arc<tempfile::TempDir>,
}

impl Book {
    /// An empty folder.
    pub fn empty() -> Book {
        Book {
            dir: Arc::new(tempfile::tempdir().expect("temp dir")),
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

    /// A copy of the sample technical file: `book/` (without its output), `requirements/`,
    /// `sboms/`, `reviews/`, `vex/`, its advisory snapshot, `support/` and `evidence/`, laid
    /// out as in the repository.
    pub fn sample() -> Book {
        let book = Book::empty();
        for dir in [
            "book/src",
            "requirements",
            "sboms",
            "reviews",
            "vex",
            "tests/fixtures/advisories/osv",
            "support",
            "evidence",
        ] {
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

    /// Runs with `dir` first on PATH (a stand-in for a tool).
    pub fn prepend_path(mut self, dir: &Path) -> Self {
        let mut paths = vec![dir.to_path_buf()];
        paths.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        self.path = Some(std::env::join_paths(paths).expect("a PATH"));
        self
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
        let mut cmd = self.command(&["build"]);
        let out = cmd.output().expect("mdbook runs");
        Built::new(out, root.join("book/book"), Arc::clone(&self.book.dir))
    }

    /// `mdbook serve` on `127.0.0.1:<port>`, with the environment of [`Mdbook::run`]. The
    /// server runs until the returned [`Served`] is stopped or dropped.
    pub fn serve(self, port: u16) -> Served {
        let port_text = port.to_string();
        let mut cmd = self.command(&["serve", "-n", "127.0.0.1", "-p", &port_text]);
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("mdbook serve starts");
        Served { child, port }
    }

    /// `mdbook <args>` in `book/`, with the binary under test as preprocessor and renderer.
    fn command(&self, args: &[&str]) -> Command {
        let root = self.book.root();
        let toml = self.book.read("book/book.toml");
        // Resolved here, since the run may replace PATH.
        let mut cmd = Command::new(find_on_path("mdbook"));
        cmd.args(args)
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
        if let Some(p) = &self.path {
            cmd.env("PATH", p);
        }
        cmd.envs(self.envs.iter().map(|(k, v)| (k, v)));
        cmd
    }
}

/// A running `mdbook serve` (see [`Mdbook::serve`]), stopped when dropped.
pub struct Served {
    child: std::process::Child,
    port: u16,
}

impl Served {
    /// The body of `GET /<path>` once the server answers it with 200 OK, waiting up to
    /// `timeout` for the first build; `None` when it never does.
    pub fn get(&self, path: &str, timeout: std::time::Duration) -> Option<String> {
        use std::io::{Read, Write};
        let started = std::time::Instant::now();
        while started.elapsed() < timeout {
            if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                let request =
                    format!("GET /{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
                let mut response = Vec::new();
                if s.write_all(request.as_bytes()).is_ok() && s.read_to_end(&mut response).is_ok() {
                    let text = String::from_utf8_lossy(&response).into_owned();
                    if let Some((head, body)) = text.split_once("\r\n\r\n")
                        && head.starts_with("HTTP/1.1 200")
                    {
                        return Some(body.to_string());
                    }
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        None
    }

    /// Stops the server (the process this harness started) and returns what it logged.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let mut log = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut err, &mut log);
        }
        let _ = self.child.wait();
        log
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
    _book: Arc<tempfile::TempDir>,
}

impl Built {
    fn new(out: Output, dir: PathBuf, book: Arc<tempfile::TempDir>) -> Built {
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
}
