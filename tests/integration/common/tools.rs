//! What a test needs from outside the repository, and what happens when it is missing:
//! the test fails, or outside CI a `TECHFILE_SKIP_*` variable turns that into a skip.

use super::repo_root;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Something a test needs from outside the repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// mdBook 0.5 on PATH.
    Mdbook,
    /// Debian's headless Chromium, which prints the PDF.
    Chromium,
    /// poppler-utils' `pdftotext`, which reads the PDF back.
    Pdftotext,
    /// `qpdf`, which reads the PDF's outline as JSON.
    Qpdf,
    /// git, for version stamps from a repository.
    Git,
    /// Graphviz `dot`, which lays out the data-flow diagrams (the sample's and
    /// `clean-threat-model`'s).
    Graphviz,
    /// `../shared` next to the repository: the CycloneDX test vectors.
    Shared,
}

impl Need {
    /// The variable that lets a developer skip tests needing this, outside CI.
    fn skip_var(self) -> &'static str {
        match self {
            Need::Mdbook | Need::Git => "TECHFILE_SKIP_MDBOOK",
            Need::Chromium | Need::Pdftotext | Need::Qpdf => "TECHFILE_SKIP_BROWSER",
            Need::Shared => "TECHFILE_SKIP_SHARED",
            Need::Graphviz => "TECHFILE_SKIP_GRAPHVIZ",
        }
    }

    fn install(self) -> &'static str {
        match self {
            Need::Mdbook => "cargo install --locked mdbook --version 0.5.4",
            Need::Chromium => "apt-get install chromium",
            Need::Pdftotext => "apt-get install poppler-utils",
            Need::Qpdf => "apt-get install qpdf",
            Need::Git => "apt-get install git",
            Need::Graphviz => "apt-get install graphviz",
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
            Need::Qpdf => "qpdf",
            Need::Git => "git",
            Need::Graphviz => "dot",
        };
        // Only whether it runs matters: `pdftotext --version` exits 1 although it is there.
        // `dot` knows only `-V`.
        let out = Command::new(tool)
            .arg(if self == Need::Graphviz {
                "-V"
            } else {
                "--version"
            })
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
