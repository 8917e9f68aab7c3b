//! What git knows about the commit a book is built from: the commit, its date, whether the
//! inputs differ from it, and `git describe`. Edge code: it runs `git` in the book root.
//! Nothing here fails a build; a missing repository is reported as a note by the caller.

use std::path::Path;
use std::process::Command;

/// The facts, each `None` when git could not give it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GitFacts {
    /// Full hash of `HEAD`.
    pub commit: Option<String>,
    /// Committer date of `HEAD`, seconds since 1970-01-01 UTC.
    pub commit_time: Option<i64>,
    /// Files under the given paths differ from `HEAD` or are untracked.
    pub modified: bool,
    /// `git describe --tags --always --dirty`, when asked for.
    pub describe: Option<String>,
    /// Why there is no commit (git missing, not a repository, no commit yet).
    pub problem: Option<String>,
}

/// Variables that point git at another repository, index or work tree than the one the
/// book is in (a git hook sets some of them); they are removed so git finds the
/// repository from the folder it runs in.
const REPOSITORY_VARIABLES: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_SHALLOW_FILE",
    "GIT_GRAFT_FILE",
    "GIT_REPLACE_REF_BASE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
];

/// A git command run in `dir` with a fixed locale, without taking optional locks (so a
/// build never rewrites the repository's index behind the user's back) and without the
/// variables that would point it at another repository.
fn command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("LC_ALL", "C");
    for v in REPOSITORY_VARIABLES {
        cmd.env_remove(v);
    }
    cmd
}

/// Runs git (see [`command`]) and returns its trimmed output.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    git_raw(dir, args).map(|s| s.trim().to_string())
}

/// Runs git (see [`command`]) and returns its output as written.
fn git_raw(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = command(dir)
        .args(args)
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "git is not installed".to_string(),
            _ => format!("git could not be run: {e}"),
        })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
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
        .and_then(|t| t.parse().ok());
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

/// The identity git would write as the author of a commit made now: `Name <email>` (from
/// `user.name` and `user.email`, or `GIT_AUTHOR_NAME` and `GIT_AUTHOR_EMAIL`).
pub fn identity(dir: &Path) -> Option<String> {
    let ident = git(dir, &["var", "GIT_AUTHOR_IDENT"]).ok()?;
    // `Name <email> 1700000000 +0000`: drop the time.
    let end = ident.rfind('>')?;
    Some(ident[..=end].to_string())
}

/// `HEAD`'s full hash, when there is a commit.
pub fn head(dir: &Path) -> Option<String> {
    git(dir, &["rev-parse", "--verify", "HEAD"]).ok()
}

/// The paths under `paths` (relative to `dir`) that differ from `HEAD` or are untracked,
/// as `git status --porcelain` lists them. `Err` when git cannot say.
pub fn changed(dir: &Path, paths: &[String]) -> Result<Vec<String>, String> {
    let mut args: Vec<&str> = vec!["status", "--porcelain", "--untracked-files=all", "--"];
    args.extend(paths.iter().map(String::as_str));
    let out = git_raw(dir, &args)?;
    Ok(out
        .lines()
        .filter_map(|l| l.get(3..))
        .map(str::to_string)
        .collect())
}

/// One version of a file in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub commit: String,
    pub author_name: String,
    pub author_email: String,
    /// Committer date, seconds since 1970-01-01 UTC.
    pub time: i64,
    /// The file's text at this commit (`None` when the commit deleted it or it is not UTF-8).
    pub text: Option<String>,
}

/// A file's history, newest first, following renames: at most `limit` commits that
/// changed it, and whether more remain. `Err` when git cannot read it (not a repository).
pub fn history(dir: &Path, file: &Path, limit: usize) -> Result<(Vec<Version>, bool), String> {
    let file_arg = file.to_string_lossy();
    let n = (limit + 1).to_string();
    // One line per commit: hash, author name, email, time, then the blob of the file in
    // that commit from the raw diff line that follows (`:100644 100644 <old> <new> M`).
    let log = git(
        dir,
        &[
            "log",
            "--follow",
            "--no-abbrev",
            "--raw",
            "--format=%x00%H%x01%an%x01%ae%x01%ct",
            "-n",
            &n,
            "--",
            &file_arg,
        ],
    )?;
    let mut entries = Vec::new();
    for chunk in log.split('\0').filter(|c| !c.trim().is_empty()) {
        let mut lines = chunk.lines();
        let head: Vec<&str> = lines.next().unwrap_or("").split('\u{1}').collect();
        let [commit, name, email, time] = head[..] else {
            continue;
        };
        let blob = lines
            .find(|l| l.starts_with(':'))
            .and_then(|l| l.split_whitespace().nth(3))
            .map(str::to_string);
        entries.push((
            commit.to_string(),
            name.to_string(),
            email.to_string(),
            time.parse().unwrap_or(0),
            blob,
        ));
    }
    let more = entries.len() > limit;
    entries.truncate(limit);
    let blobs: Vec<&str> = entries
        .iter()
        .filter_map(|e| e.4.as_deref())
        .filter(|b| b.bytes().any(|c| c != b'0'))
        .collect();
    let texts = cat_blobs(dir, &blobs)?;
    let versions = entries
        .into_iter()
        .map(|(commit, author_name, author_email, time, blob)| Version {
            text: blob.and_then(|b| texts.get(&b).cloned()),
            commit,
            author_name,
            author_email,
            time,
        })
        .collect();
    Ok((versions, more))
}

/// The text of each blob, read in one `git cat-file --batch` process.
fn cat_blobs(
    dir: &Path,
    blobs: &[&str],
) -> Result<std::collections::BTreeMap<String, String>, String> {
    use std::io::{Read, Write};
    let mut out = std::collections::BTreeMap::new();
    if blobs.is_empty() {
        return Ok(out);
    }
    let mut child = command(dir)
        .args(["cat-file", "--batch"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("git could not be run: {e}"))?;
    let mut input = String::new();
    for b in blobs {
        input.push_str(b);
        input.push('\n');
    }
    // Writing from another thread keeps a large batch from filling both pipes at once.
    let mut stdin = child.stdin.take().ok_or("git cat-file has no stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut bytes = Vec::new();
    child
        .stdout
        .take()
        .ok_or("git cat-file has no stdout")?
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read from git cat-file: {e}"))?;
    let _ = writer.join();
    let _ = child.wait();
    // `<hash> blob <size>\n<content>\n`, or `<hash> missing\n`.
    let mut at = 0;
    while at < bytes.len() {
        let Some(nl) = bytes[at..].iter().position(|&b| b == b'\n') else {
            break;
        };
        let header = String::from_utf8_lossy(&bytes[at..at + nl]).into_owned();
        at += nl + 1;
        let parts: Vec<&str> = header.split(' ').collect();
        if let [hash, _, size] = parts[..]
            && let Ok(size) = size.parse::<usize>()
        {
            let end = (at + size).min(bytes.len());
            if let Ok(text) = String::from_utf8(bytes[at..end].to_vec()) {
                out.insert(hash.to_string(), text);
            }
            at = end + 1;
        }
    }
    Ok(out)
}
