//! Helpers shared by the integration tests: running the binary, finding fixtures, building
//! throw-away books.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test, built by Cargo for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_mdbook-techfile");

/// `tests/fixtures`: one folder per diagnostic code, plus `clean` and `clean-*` (no findings).
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

pub fn fixture(name: &str) -> PathBuf {
    fixtures_dir().join(name)
}

/// Folders under `tests/fixtures` that hold data for other tests rather than a book.
pub const DATA_FOLDERS: &[&str] = &["sbom-vectors", "advisories"];

/// Every fixture folder name (books only, not [`DATA_FOLDERS`]), sorted.
pub fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .filter_map(|e| {
            let e = e.ok()?;
            e.file_type()
                .ok()?
                .is_dir()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .filter(|n| !DATA_FOLDERS.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Run {
    /// Exit code; `None` when the process died from a signal (a crash).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The result of a finished process.
    pub fn from_output(out: Output) -> Run {
        Run::from(out)
    }

    fn from(out: Output) -> Run {
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
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("MDBOOK_") {
            cmd.env_remove(k);
        }
    }
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

/// Runs the binary in `dir` with `args`.
pub fn run(dir: &Path, args: &[&str]) -> Run {
    Run::from(command(dir).args(args).output().expect("binary runs"))
}

/// Runs the binary in `dir` with `args`, with environment variables set (`Some`) or
/// removed (`None`).
pub fn run_env(dir: &Path, args: &[&str], env: &[(&str, Option<&str>)]) -> Run {
    let mut cmd = command(dir);
    cmd.args(args);
    for (k, v) in env {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    Run::from(cmd.output().expect("binary runs"))
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

/// `mdbook-techfile check book --format json` in `dir`.
pub fn check_json(dir: &Path) -> Run {
    run(dir, &["check", "book", "--format", "json"])
}

/// The date a fixture's findings depend on: fixtures of time-dependent codes hold a file
/// `revalidate-today` with it, and are checked with `revalidate --today` instead of `check`.
pub fn revalidate_today(dir: &Path) -> Option<String> {
    fs::read_to_string(dir.join("revalidate-today"))
        .ok()
        .map(|t| t.trim().to_owned())
}

/// `mdbook-techfile revalidate book --today DATE --format FORMAT` in `dir`.
pub fn revalidate(dir: &Path, today: &str, format: &str) -> Run {
    run(
        dir,
        &["revalidate", "book", "--today", today, "--format", format],
    )
}

/// The findings of a fixture as JSON objects, and the run: `check --format json`, or for
/// a time-dependent fixture the `findings` of `revalidate --format json`.
pub fn fixture_findings(dir: &Path) -> (Vec<serde_json::Value>, Run) {
    match revalidate_today(dir) {
        Some(today) => {
            let run = revalidate(dir, &today, "json");
            let report: serde_json::Value = serde_json::from_str(&run.stdout)
                .unwrap_or_else(|e| panic!("not a JSON report ({e}): {}", run.stdout));
            let findings = report["findings"].as_array().cloned().unwrap_or_default();
            (findings, run)
        }
        None => {
            let run = check_json(dir);
            (parse_json_lines(&run.stdout), run)
        }
    }
}

/// Parses JSON Lines output, one finding per line.
pub fn parse_json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

/// The codes of the findings in JSON Lines output, in output order.
pub fn codes_of(stdout: &str) -> Vec<String> {
    parse_json_lines(stdout)
        .iter()
        .map(|v| v["code"].as_str().expect("code is a string").to_owned())
        .collect()
}

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

/// A fixture copied into a fresh temporary folder, so a test may change it.
pub fn temp_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture(name), dir.path());
    dir
}

/// Writes `content` to `root/rel`, creating folders.
pub fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("file has a parent")).expect("create folders");
    fs::write(path, content).expect("write file");
}

/// Appends TOML to `book/book.toml` under `root`.
pub fn append_book_toml(root: &Path, toml: &str) {
    let path = root.join("book/book.toml");
    let mut text = fs::read_to_string(&path).expect("book.toml");
    text.push('\n');
    text.push_str(toml);
    fs::write(path, text).expect("write book.toml");
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

/// A minimal book skeleton (no items) under `root`: `book/book.toml` with the given
/// `[preprocessor.techfile]` body, and a one-chapter `src`.
pub fn skeleton(root: &Path, techfile_toml: &str) {
    write(
        root,
        "book/book.toml",
        format!("[book]\ntitle = \"Test book\"\n\n[preprocessor.techfile]\n{techfile_toml}\n"),
    );
    write(
        root,
        "book/src/SUMMARY.md",
        "# Summary\n\n- [Chapter](chapter.md)\n",
    );
    write(root, "book/src/chapter.md", "# Chapter\n");
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

/// Whether a tool the test needs is on PATH. A missing tool fails the test with the command
/// that installs it, unless the given variable asks to skip.
pub fn tool_available(tool: &str, skip_var: &str, install: &str) -> bool {
    // Only whether it runs matters: `pdftotext --version` exits 1 although it is there.
    if Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
    {
        return true;
    }
    if std::env::var_os(skip_var).is_some() {
        eprintln!("note: {tool} not found and {skip_var} is set: skipping");
        return false;
    }
    panic!("{tool} is not on PATH: install it ({install}) or set {skip_var}=1 to skip");
}
