//! Scratch git repositories: a [`Book`]'s folder made a repository, commits with a fixed
//! author, committer and date, and git kept from the developer's configuration, so commits
//! (and their hashes) are the same on every machine.

use super::book::Book;
use super::run::{Run, command};
use std::path::Path;
use std::process::Command;

/// The author and committer of every commit.
pub const AUTHOR: (&str, &str) = ("Test Author", "author@example.com");

/// Keeps a command's git away from the developer's global and system configuration and from
/// any repository above `root`, with [`AUTHOR`] as the identity and a fixed date.
pub fn isolate_git(cmd: &mut Command, root: &Path) {
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CEILING_DIRECTORIES", root.parent().unwrap_or(root))
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    for who in ["AUTHOR", "COMMITTER"] {
        cmd.env(format!("GIT_{who}_NAME"), AUTHOR.0)
            .env(format!("GIT_{who}_EMAIL"), AUTHOR.1)
            .env(format!("GIT_{who}_DATE"), "2026-11-01T12:00:00Z");
    }
}

/// Runs git in `dir` (isolated, see [`isolate_git`]) and returns its output, trimmed;
/// panics with git's error when it fails.
pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir).args(args);
    isolate_git(&mut cmd, dir);
    let out = cmd.output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Book {
    /// Makes the book's folder a git repository with the branch `main`.
    pub fn git_init(self) -> Book {
        self.git(&["init", "-q", "-b", "main"]);
        self
    }

    /// Commits every file (added, changed or removed).
    pub fn commit(self, message: &str) -> Book {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self
    }

    /// Runs git in the book's folder; see [`git_in`].
    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.root(), args)
    }

    /// Adds a git submodule at `at` (relative to the book's folder): a new repository holding
    /// `files` (path, contents), committed once on `main`. The book's index gets the gitlink
    /// and `.gitmodules`; nothing is committed in the book. The returned folder holds the
    /// submodule's origin and must outlive any `git submodule` command the test runs later.
    pub fn add_submodule(&self, at: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
        let origin = tempfile::tempdir().expect("temp dir");
        let repo = origin.path().join("sub");
        for (path, contents) in files {
            crate::common::write(&repo, path, contents);
        }
        git_in(&repo, &["init", "-q", "-b", "main"]);
        git_in(&repo, &["add", "-A"]);
        git_in(&repo, &["commit", "-q", "-m", "elsewhere"]);
        self.git(&[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            &repo.to_string_lossy(),
            at,
        ]);
        origin
    }

    /// The full hash of `HEAD`.
    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    /// The binary run next to `book/` with `args`, its git isolated as the repository's.
    pub fn run_in_repo(&self, args: &[&str]) -> Run {
        let mut cmd = command(self.root());
        isolate_git(&mut cmd, self.root());
        Run::from(cmd.args(args).output().expect("binary runs"))
    }
}
