//! What git knows about the commit a book is built from: the commit, its date, whether the
//! inputs differ from it, and `git describe`. Edge code: it runs `git` in the book root.
//! Nothing here fails a build; a missing repository is reported as a note by the caller.

use jiff::Timestamp;
use std::path::Path;
use std::process::Command;

/// The facts, each `None` when git could not give it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GitFacts {
    /// Full hash of `HEAD`.
    pub commit: Option<String>,
    /// Committer date of `HEAD`.
    pub commit_time: Option<Timestamp>,
    /// Files under the given paths differ from `HEAD` or are untracked.
    pub modified: bool,
    /// `git describe --tags --always --dirty`, when asked for.
    pub describe: Option<String>,
    /// Why there is no commit (git missing, not a repository, no commit yet).
    pub problem: Option<String>,
}

/// Runs git with a fixed locale and without taking optional locks, so a build never
/// rewrites the repository's index behind the user's back.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "git is not installed".to_string(),
            _ => format!("git could not be run: {e}"),
        })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().next().unwrap_or("").trim();
        Err(if first.contains("not a git repository") {
            "the book is not in a git repository".to_string()
        } else if first.contains("ambiguous argument 'HEAD'") || first.contains("unknown revision")
        {
            "the git repository has no commit yet".to_string()
        } else {
            format!("`git {}` failed: {first}", args.join(" "))
        })
    }
}

/// Gathers the facts in `book_root`. `inputs` are the paths (relative to the book root) whose
/// changes make the build "modified"; `exclude` are paths under them to ignore (the build
/// output, which is often not git-ignored).
pub fn facts(book_root: &Path, inputs: &[String], exclude: &[String], describe: bool) -> GitFacts {
    let commit = match git(book_root, &["rev-parse", "--verify", "HEAD"]) {
        Ok(c) if !c.is_empty() && c.bytes().all(|b| b.is_ascii_hexdigit()) => c,
        Ok(other) => {
            return GitFacts {
                problem: Some(format!("`git rev-parse HEAD` printed `{other}`")),
                ..GitFacts::default()
            };
        }
        Err(problem) => {
            return GitFacts {
                problem: Some(problem),
                ..GitFacts::default()
            };
        }
    };
    let commit_time = git(book_root, &["log", "-1", "--format=%ct", "HEAD"])
        .ok()
        .and_then(|t| t.parse().ok())
        .and_then(|seconds| Timestamp::from_second(seconds).ok());
    let mut args: Vec<String> = vec![
        "status".into(),
        "--porcelain".into(),
        "--untracked-files=all".into(),
        "--".into(),
    ];
    args.extend(inputs.iter().cloned());
    args.extend(exclude.iter().map(|e| format!(":(exclude){e}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // When status fails (an input folder outside the repository), the build cannot claim
    // to match the commit.
    let modified = git(book_root, &args).map_or(true, |s| !s.is_empty());
    let describe = describe
        .then(|| git(book_root, &["describe", "--tags", "--always", "--dirty"]).ok())
        .flatten();
    GitFacts {
        commit: Some(commit),
        commit_time,
        modified,
        describe,
        problem: None,
    }
}
