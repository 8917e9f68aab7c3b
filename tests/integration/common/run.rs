//! Running the binary under test: `check` in both formats, other commands, stdin.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The binary under test, built by Cargo for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_mdbook-techfile");

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

pub(super) fn clean_env(cmd: &mut Command) {
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

/// The day a fixture of a finding that depends on the date is checked on: the date in
/// its `revalidate-today` file (every test of such a finding runs on that fixed day, with
/// `check --today` or `revalidate --today`).
pub fn today_of(dir: &Path) -> Option<String> {
    std::fs::read_to_string(dir.join("revalidate-today"))
        .ok()
        .map(|t| t.trim().to_owned())
}

/// `check book` with `args`, and `--today DATE` when `dir` has a `revalidate-today` file.
pub fn check_args(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = ["check", "book"]
        .iter()
        .chain(args)
        .map(|s| s.to_string())
        .collect();
    if let Some(today) = today_of(dir) {
        out.extend(["--today".to_string(), today]);
    }
    out
}

fn run_owned(dir: &Path, args: &[String]) -> Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(dir, &args)
}

/// `mdbook-techfile check book --color never` in `dir` (with `--today`, see [`check_args`]).
pub fn check_human(dir: &Path) -> Run {
    run_owned(dir, &check_args(dir, &["--color", "never"]))
}

/// `mdbook-techfile check book --format json` in `dir` (with `--today`, see
/// [`check_args`]), with its findings parsed.
pub fn check(dir: &Path) -> Checked {
    Checked::from(run_owned(dir, &check_args(dir, &["--format", "json"])))
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

/// `mdbook-techfile revalidate book --today DATE --format FORMAT` in `dir`.
pub fn revalidate(dir: &Path, today: &str, format: &str) -> Run {
    run(
        dir,
        &["revalidate", "book", "--today", today, "--format", format],
    )
}

/// The findings of a fixture: `check --format json`, or for a fixture with a
/// `revalidate-today` file the `findings` of `revalidate --format json` on that day, so
/// every time-dependent code is shown to be reported by the scheduled revalidation.
pub fn fixture_findings(dir: &Path) -> Checked {
    let Some(today) = today_of(dir) else {
        return check(dir);
    };
    let run = revalidate(dir, &today, "json");
    let report: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}): {}", run.stdout));
    Checked {
        findings: report["findings"].as_array().cloned().unwrap_or_default(),
        code: run.code,
        stdout: run.stdout,
        stderr: run.stderr,
    }
}
