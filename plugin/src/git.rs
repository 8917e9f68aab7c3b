//! What git knows about the commit a book is built from: the commit, its date, whether the
//! inputs differ from it, and `git describe`. Edge code: it runs `git` in the book root.
//! Nothing here fails a build; a missing repository is reported as a note by the caller.
//!
//! Every call finds the repository from the book's folder alone: the variables with which a
//! surrounding hook or tool points git at another repository, index or object store are
//! removed (see [`REPOSITORY_ENV`]). Outcomes are told apart by exit status, never by git's
//! messages, which are translated.

use jiff::Timestamp;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The facts, each `None` when git could not give it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GitFacts {
    /// Full hash of `HEAD`.
    pub commit: Option<String>,
    /// Committer date of `HEAD`.
    pub commit_time: Option<Timestamp>,
    /// Files under the given paths differ from `HEAD` or are untracked, or a file that was
    /// read is not held by `HEAD` (see [`uncommitted`]).
    pub modified: bool,
    /// The files that were read but that `HEAD` does not hold, as named by the caller.
    pub uncommitted: Vec<std::path::PathBuf>,
    /// The files under the given paths that git is told not to compare with the disk
    /// (see [`unwatched`]).
    pub unwatched: Vec<PathBuf>,
    /// The files under the given paths that `HEAD` holds and the disk does not (deleted,
    /// or the source of a rename), absolute.
    pub deleted: Vec<PathBuf>,
    /// `git describe --tags --always --dirty`, when asked for.
    pub describe: Option<String>,
    /// Why there is no commit (git missing, not a repository, no commit yet).
    pub problem: Option<String>,
    /// Why there is a commit but no date for it.
    pub date_problem: Option<String>,
}

/// The variables that make git use another repository than the one it finds from the
/// working directory: the ones git itself clears before it runs a command in another
/// repository (`git rev-parse --local-env-vars`, git 2.47: the repository, work tree,
/// index, object stores, grafts, replace refs, shallow file, the prefix of an alias, and the
/// `-c` configuration of an enclosing git command), and `GIT_NAMESPACE` (gitnamespaces(7)),
/// which makes refs, `HEAD` included, resolve elsewhere. A pre-commit hook runs with
/// `GIT_DIR` and `GIT_INDEX_FILE` set, for example. `GIT_CEILING_DIRECTORIES` and
/// `GIT_DISCOVERY_ACROSS_FILESYSTEM` stay: they only limit where git looks.
pub const REPOSITORY_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_GRAFT_FILE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_REPLACE_REF_BASE",
    "GIT_SHALLOW_FILE",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
];

/// How a git command failed.
enum Failure {
    /// git could not be started; the text says why.
    NotRun(String),
    /// git ran and exited unsuccessfully; the first line it wrote on stderr, as written
    /// (in the user's language).
    Exit(String),
}

/// A git command in `dir` that finds its repository from `dir` alone and takes no
/// optional locks, so a build never rewrites the repository's index behind the user's
/// back.
pub(crate) fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0");
    for var in REPOSITORY_ENV {
        cmd.env_remove(var);
    }
    // `git replace` makes a commit read as another one's content: a stamp naming commit X
    // would show what replacement Y holds, and another clone would build X's.
    cmd.env("GIT_NO_REPLACE_OBJECTS", "1");
    cmd
}

impl Failure {
    /// The failure as one sentence for a message.
    fn into_message(self) -> String {
        match self {
            Failure::NotRun(why) => why,
            Failure::Exit(said) if said.is_empty() => "git failed".into(),
            Failure::Exit(said) => format!("git failed: {said}"),
        }
    }
}

/// Runs git (see [`command`]) and returns its output, trimmed.
fn git(dir: &Path, args: &[&str]) -> Result<String, Failure> {
    git_raw(dir, args).map(|s| s.trim().to_string())
}

/// Runs git (see [`command`]) and returns its output as written.
fn git_raw(dir: &Path, args: &[&str]) -> Result<String, Failure> {
    finish(command(dir, args).output())
}

/// Runs git (see [`command`]) with `input` on its standard input and returns its output as
/// written. The input is written from a second thread: git answers line by line, and a
/// long answer would fill the pipe while we still wrote.
fn git_stdin(dir: &Path, args: &[&str], input: &str) -> Result<String, Failure> {
    use std::io::Write;
    use std::process::Stdio;
    let child = command(dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return finish(Err(e)),
    };
    let stdin = child.stdin.take();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            if let Some(mut stdin) = stdin {
                // A write error means git stopped reading; its exit status says why.
                let _ = stdin.write_all(input.as_bytes());
            }
        });
        finish(child.wait_with_output())
    })
}

/// git's output, or why it failed: not run, or its first line of error.
fn finish(out: std::io::Result<std::process::Output>) -> Result<String, Failure> {
    let out = out.map_err(|e| {
        Failure::NotRun(match e.kind() {
            std::io::ErrorKind::NotFound => "git is not installed".to_string(),
            _ => format!("git could not be run: {e}"),
        })
    })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(Failure::Exit(
            err.lines().next().unwrap_or_default().trim().to_string(),
        ))
    }
}

/// The folder holding the `.git` entry (a folder, or the file of a linked work tree or
/// submodule) that git would find first from `dir`, looking no higher than
/// `GIT_CEILING_DIRECTORIES` allows (git(1): it does not move up into a listed folder).
/// Only its presence is read, not its contents: what it says is for git to judge.
/// `ceilings` is the variable's value (folders separated as in `PATH`).
fn repository_entry(dir: &Path, ceilings: Option<&std::ffi::OsStr>) -> Option<std::path::PathBuf> {
    let start = std::fs::canonicalize(dir).ok()?;
    let ceilings: Vec<std::path::PathBuf> = ceilings
        .map(|v| {
            std::env::split_paths(v)
                .filter(|p| p.is_absolute())
                .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
                .collect()
        })
        .unwrap_or_default();
    let mut at = start.as_path();
    loop {
        if std::fs::symlink_metadata(at.join(".git")).is_ok() {
            return Some(at.to_path_buf());
        }
        let parent = at.parent()?;
        if ceilings.iter().any(|c| c == parent) {
            return None;
        }
        at = parent;
    }
}

/// The full hash of `HEAD`, or why there is no commit to stamp.
fn head(book_root: &Path) -> Result<String, String> {
    // Exit 0 here means git found a repository it can use from the book's folder.
    match git(book_root, &["rev-parse", "--git-dir"]) {
        Ok(_) => {}
        Err(Failure::NotRun(why)) => return Err(why),
        // git's words cannot tell "no repository" from a refusal (`safe.directory`) or a
        // broken one: they are translated. Whether a `.git` is there can be told.
        Err(Failure::Exit(said)) => {
            let ceilings = std::env::var_os("GIT_CEILING_DIRECTORIES");
            return Err(
                match (
                    repository_entry(book_root, ceilings.as_deref()),
                    said.is_empty(),
                ) {
                    (Some(at), true) => format!(
                        "git could not read the repository at {} (it exited with an error and said nothing)",
                        at.display()
                    ),
                    (Some(at), false) => format!(
                        "git could not read the repository at {} (git: {said})",
                        at.display()
                    ),
                    (None, true) => "the book is not in a git repository".into(),
                    (None, false) => format!("the book is not in a git repository (git: {said})"),
                },
            );
        }
    }
    // `--verify -q` exits 1 without a word when HEAD names no commit: a repository
    // without a commit yet (an unborn branch).
    match git(book_root, &["rev-parse", "--verify", "-q", "HEAD^{commit}"]) {
        Ok(c) if !c.is_empty() && c.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(c),
        Ok(other) => Err(format!("`git rev-parse HEAD` printed `{other}`")),
        Err(Failure::NotRun(why)) => Err(why),
        Err(Failure::Exit(_)) => Err("the git repository has no commit yet".into()),
    }
}

/// Gathers the facts in `book_root`. `inputs` are the paths (relative to the book root) whose
/// changes make the build "modified"; `exclude` are paths under them to ignore (the build
/// output, which is often not git-ignored). `read` are the files the build read: each one
/// that `HEAD` does not hold makes the build "modified" too.
pub fn facts(
    book_root: &Path,
    inputs: &[String],
    exclude: &[String],
    read: &[PathBuf],
    describe: bool,
) -> GitFacts {
    let commit = match head(book_root) {
        Ok(c) => c,
        Err(problem) => {
            return GitFacts {
                problem: Some(problem),
                ..GitFacts::default()
            };
        }
    };
    // `--no-show-signature`: with `log.showSignature` set (common where commits are
    // signed), git writes the signature check ("No signature", "Good signature from ...")
    // above the format, and the date of a signed commit would be lost.
    let commit_time = match git(
        book_root,
        &["log", "-1", "--no-show-signature", "--format=%ct", "HEAD"],
    ) {
        Ok(t) => t
            .parse()
            .ok()
            .and_then(|seconds| Timestamp::from_second(seconds).ok())
            .ok_or_else(|| {
                let said = t.split_whitespace().collect::<Vec<_>>().join(" ");
                format!("`git log` printed `{said}` for its date")
            }),
        Err(e) => Err(e.into_message()),
    };
    let (commit_time, date_problem) = match commit_time {
        Ok(t) => (Some(t), None),
        Err(why) => (None, Some(why)),
    };
    // A folder outside the repository (a default `../sboms` of a book at the repository's
    // top) is no pathspec git accepts; what is read from there is judged by `uncommitted`.
    let top = toplevel(book_root);
    let inputs = match &top {
        Ok(top) => inside_repository(book_root, top, inputs),
        Err(_) => inputs.to_vec(),
    };
    // Files on the disk are judged byte for byte by `uncommitted`, so of what `git status`
    // lists only the files `HEAD` holds and the disk no longer does are left to find here
    // (an untracked or edited file the build does not read, such as an excluded note or an
    // editor's backup, changes nothing the build shows). A deleted file cannot tell
    // whether it would have been an input, so every one under the input folders counts.
    let mut args: Vec<String> = vec![
        "status".into(),
        "--porcelain=v1".into(),
        "-z".into(),
        "--untracked-files=no".into(),
        "--".into(),
    ];
    args.extend(inputs.iter().cloned());
    args.extend(exclude.iter().map(|e| format!(":(exclude){e}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (mut modified, deleted) = match (git_raw(book_root, &args), &top) {
        (Ok(status), Ok(top)) => (false, deleted_paths(&status, top)),
        // When git cannot say, the build cannot claim to match the commit.
        _ => (true, Vec::new()),
    };
    let top = top.as_deref().unwrap_or(book_root);
    let uncommitted = match uncommitted(top, read) {
        Ok(files) => files,
        Err(_) => {
            modified = true;
            Vec::new()
        }
    };
    let unwatched = match unwatched(book_root, top, &inputs) {
        Ok(files) => files,
        Err(_) => {
            modified = true;
            Vec::new()
        }
    };
    modified |= !uncommitted.is_empty() || !unwatched.is_empty() || !deleted.is_empty();
    let describe = describe
        .then(|| git(book_root, &["describe", "--tags", "--always", "--dirty"]).ok())
        .flatten();
    GitFacts {
        commit: Some(commit),
        commit_time,
        modified,
        uncommitted,
        unwatched,
        deleted,
        describe,
        problem: None,
        date_problem,
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
pub fn head_commit(dir: &Path) -> Option<String> {
    head(dir).ok()
}

/// The paths under `paths` (relative to `dir`) that differ from `HEAD` or are untracked,
/// as `git status --porcelain` lists them. `Err` when git cannot say.
pub fn changed(dir: &Path, paths: &[String]) -> Result<Vec<String>, String> {
    let mut args: Vec<&str> = vec!["status", "--porcelain", "--untracked-files=all", "--"];
    args.extend(paths.iter().map(String::as_str));
    let out = git_raw(dir, &args).map_err(Failure::into_message)?;
    Ok(out
        .lines()
        .filter_map(|l| l.get(3..))
        .map(str::to_string)
        .collect())
}

/// The files among `read` whose bytes `HEAD` of the repository at `top` does not hold: outside it, not
/// in `HEAD`'s tree (new, or git-ignored), or with other content there. Each path is
/// resolved first, so a symbolic link is judged by the file it leads to: a committed link
/// to an ignored file is not committed content. The content is compared by git's own blob
/// id of the bytes as they are (`git hash-object --no-filters`, against `git ls-tree
/// HEAD`), not by what `git status` reports: status leaves out ignored files,
/// reports a link rather than its target, and trusts the index, where
/// `update-index --assume-unchanged` or `--skip-worktree` hide a change. Any of these would
/// let a build claim a commit that `diff` or a rebuild reads other bytes from. Filters and
/// line-ending conversion count as changes too (`ident`, a clean filter, CRLF on the disk
/// for LF in the commit): the bundle's hashes are of the bytes on the disk, which a
/// checkout elsewhere would not give. A file inside a submodule is judged the same way in
/// the submodule's repository, whose checked-out commit must be the one `HEAD` records and
/// whose index may not hide a file either. Returns the
/// paths as given, in the order given.
///
/// # Errors
///
/// When git cannot say (git missing or failing).
pub fn uncommitted(top: &Path, read: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    if read.is_empty() {
        return Ok(Vec::new());
    }
    // `None`: outside the repository, gone since it was read, or a name that one line of
    // `--stdin-paths` cannot carry; none of those is committed content.
    let inside: Vec<Option<String>> = read
        .par_iter()
        .map(|p| {
            let real = std::fs::canonicalize(p).ok()?;
            let rel = real.strip_prefix(top).ok()?.to_str()?.replace('\\', "/");
            (!rel.is_empty() && !rel.contains('\n')).then_some(rel)
        })
        .collect();
    let paths: Vec<&str> = inside.iter().flatten().map(String::as_str).collect();
    if paths.is_empty() {
        return Ok(read.to_vec());
    }
    let committed = head_blobs(top, &paths)?;
    let mut stdin = paths.join("\n");
    stdin.push('\n');
    let hashed = git_stdin(
        top,
        &["hash-object", "--no-filters", "--stdin-paths"],
        &stdin,
    )
    .map_err(Failure::into_message)?;
    let hashed: Vec<&str> = hashed.lines().collect();
    if hashed.len() != paths.len() {
        return Err(format!(
            "`git hash-object` gave {} ids for {} files",
            hashed.len(),
            paths.len()
        ));
    }
    // A file inside a submodule is judged by the submodule's own repository, whose
    // checked-out commit must be the one `HEAD` records: the enclosing `git status` says
    // nothing of an ignored file there, of `ignore = all` in .gitmodules, or of the
    // submodule's own index flags.
    let mut submodules: BTreeMap<&str, (&str, Vec<&str>)> = BTreeMap::new();
    for p in &paths {
        if let Some(Committed::InSubmodule { path, commit }) = committed.get(*p) {
            submodules
                .entry(path.as_str())
                .or_insert((commit.as_str(), Vec::new()))
                .1
                .push(p);
        }
    }
    let mut held_in_submodule: BTreeSet<&str> = BTreeSet::new();
    for (sub, (commit, files)) in &submodules {
        let sub_top = top.join(sub);
        let checked_out = git(&sub_top, &["rev-parse", "HEAD"]).ok();
        if checked_out.as_deref() != Some(*commit) {
            continue;
        }
        let absolute: Vec<PathBuf> = files.iter().map(|f| top.join(f)).collect();
        let changed = uncommitted(&sub_top, &absolute)?;
        if !unwatched(&sub_top, &sub_top, &[".".to_string()])?.is_empty() {
            continue;
        }
        held_in_submodule.extend(
            files
                .iter()
                .zip(&absolute)
                .filter(|(_, a)| !changed.contains(a))
                .map(|(f, _)| *f),
        );
    }
    let same: BTreeSet<&str> = paths
        .iter()
        .zip(&hashed)
        .filter(|(p, id)| match committed.get(**p) {
            Some(Committed::Blob(c)) => c == *id,
            Some(Committed::InSubmodule { .. }) => held_in_submodule.contains(**p),
            None => false,
        })
        .map(|(p, _)| *p)
        .collect();
    Ok(read
        .iter()
        .zip(&inside)
        .filter(|(_, rel)| rel.as_deref().is_none_or(|r| !same.contains(r)))
        .map(|(p, _)| p.clone())
        .collect())
}

/// The files `git status --porcelain=v1 -z` says are gone from the disk or the index
/// (`D` in either column, and the source of a rename or copy), as absolute paths under `top`.
fn deleted_paths(status: &str, top: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut fields = status.split('\0').filter(|f| !f.is_empty());
    while let Some(record) = fields.next() {
        let xy = record.get(..2).unwrap_or("");
        let path = record.get(3..).unwrap_or("");
        if xy.contains('D') {
            out.push(top.join(path));
        }
        if xy.contains('R') || xy.contains('C') {
            // The next field is the source, which the disk no longer holds under that name
            // (a copy's source is still there, but one field is read either way).
            if let Some(from) = fields.next()
                && xy.contains('R')
            {
                out.push(top.join(from));
            }
        }
    }
    out
}

/// What `HEAD` holds at a path.
enum Committed {
    /// A file, by its blob id.
    Blob(String),
    /// A path inside a submodule, whose files are another repository's: the submodule's
    /// path and the commit `HEAD` records for it.
    InSubmodule { path: String, commit: String },
}

/// What `HEAD` holds under the folders of `paths` (relative to the repository's top
/// `top`), by path; each path inside a submodule is listed as such.
fn head_blobs(top: &Path, paths: &[&str]) -> Result<BTreeMap<String, Committed>, String> {
    let mut folders: BTreeSet<&str> = paths
        .iter()
        .map(|rel| rel.rsplit_once('/').map_or("", |(d, _)| d))
        .collect();
    // A folder inside another listed one adds nothing; and a very long list could pass the
    // limit of a command line, where the whole tree does the same job.
    let all: Vec<&str> = folders.iter().copied().collect();
    folders.retain(|f| {
        !all.iter()
            .any(|o| o != f && (o.is_empty() || f.starts_with(&format!("{o}/"))))
    });
    let mut args = vec!["ls-tree", "-r", "-z", "--full-tree", "HEAD", "--"];
    if folders.len() <= 256 && !folders.contains("") {
        args.extend(folders.iter().copied());
    }
    let mut listed = git_raw(top, &args).map_err(Failure::into_message)?;
    // A folder inside a submodule lists nothing above: the entries of its ancestors
    // themselves (no `-r`) show the submodule it lies in.
    let ancestors: BTreeSet<&str> = folders
        .iter()
        .flat_map(|f| f.match_indices('/').map(|(i, _)| &f[..i]).chain([*f]))
        .filter(|a| !a.is_empty())
        .collect();
    if !ancestors.is_empty() && ancestors.len() <= 1024 {
        let mut args = vec!["ls-tree", "-z", "--full-tree", "HEAD", "--"];
        args.extend(ancestors.iter().copied());
        listed.push_str(&git_raw(top, &args).map_err(Failure::into_message)?);
    }
    // `<mode> SP <type> SP <object> TAB <path>`, NUL-terminated; a submodule is a `commit`.
    let mut out = BTreeMap::new();
    let mut submodules = Vec::new();
    for entry in listed.split('\0') {
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut meta = meta.split(' ');
        match (meta.next(), meta.next(), meta.next()) {
            (Some(_), Some("blob"), Some(id)) => {
                out.insert(path.to_string(), Committed::Blob(id.to_string()));
            }
            (Some(_), Some("commit"), Some(id)) => submodules.push((path.to_string(), id)),
            _ => {}
        }
    }
    for path in paths {
        let within = submodules.iter().find(|(s, _)| {
            path.strip_prefix(s.as_str())
                .is_some_and(|r| r.starts_with('/'))
        });
        if let Some((sub, commit)) = within {
            out.insert(
                (*path).to_string(),
                Committed::InSubmodule {
                    path: sub.clone(),
                    commit: commit.to_string(),
                },
            );
        }
    }
    Ok(out)
}

/// The files under `pathspecs` (relative to `dir`) whose index entry tells git not to
/// compare them with the disk: `git update-index --assume-unchanged` (a lower-case tag of
/// `git ls-files -v`) or `--skip-worktree` (`S`, which sparse checkout sets too). git status
/// says nothing about them: such a file may be changed or gone on the disk while the build
/// claims the commit. Absolute paths, under the repository's top `top`.
///
/// # Errors
///
/// When git cannot say.
pub fn unwatched(dir: &Path, top: &Path, pathspecs: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut args = vec!["ls-files", "-v", "-z", "--full-name", "--"];
    args.extend(pathspecs.iter().map(String::as_str));
    let listed = git_raw(dir, &args).map_err(Failure::into_message)?;
    Ok(listed
        .split('\0')
        .filter_map(|entry| {
            let (tag, path) = entry.split_once(' ')?;
            (tag == "S" || tag.chars().all(|c| c.is_ascii_lowercase())).then(|| top.join(path))
        })
        .collect())
}

/// The top of the repository that holds `dir`, resolved through links. Asked once per
/// build: every check below compares resolved paths with it.
fn toplevel(dir: &Path) -> Result<PathBuf, String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"]).map_err(Failure::into_message)?;
    std::fs::canonicalize(&top).map_err(|e| format!("{top}: {e}"))
}

/// The paths of `paths` (relative to `dir`) that lie inside the repository whose top is
/// `top`, as given.
fn inside_repository(dir: &Path, top: &Path, paths: &[String]) -> Vec<String> {
    let base = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    paths
        .iter()
        .filter(|p| {
            let at = crate::paths::normalize(&base.join(p));
            // An existing folder is compared by where it really is (it may be a link).
            std::fs::canonicalize(&at).unwrap_or(at).starts_with(top)
        })
        .cloned()
        .collect()
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
    let log = git_raw(
        dir,
        &[
            "log",
            "--no-show-signature",
            "--follow",
            "--no-abbrev",
            "--raw",
            "--format=%x00%H%x01%an%x01%ae%x01%ct",
            "-n",
            &n,
            "--",
            &file_arg,
        ],
    )
    .map_err(Failure::into_message)?;
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
    let mut child = command(dir, &["cat-file", "--batch"])
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Only what the disk lost counts: deletions in either column and a rename's source;
    /// an edit, an addition or a copy's source does not.
    #[test]
    fn deleted_paths_are_deletions_and_rename_sources() {
        let status = " D gone.md\0D  staged.md\0 M edited.md\0A  new.md\0R  to.md\0from.md\0C  copy.md\0orig.md\0";
        let got = deleted_paths(status, Path::new("/r"));
        let want: Vec<PathBuf> = ["/r/gone.md", "/r/staged.md", "/r/from.md"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(got, want);
    }

    /// The `.git` entry is found in the folder or above it, a file (linked work tree) as
    /// well as a folder, and never in or above a ceiling folder.
    #[test]
    fn the_repository_entry_is_found_up_to_the_ceiling() {
        let tmp = tempfile::tempdir().unwrap();
        let top = std::fs::canonicalize(tmp.path()).unwrap();
        let book = top.join("repo/docs/book");
        std::fs::create_dir_all(&book).unwrap();
        assert_eq!(
            repository_entry(&book, Some(top.parent().unwrap().as_os_str())),
            None
        );
        std::fs::create_dir(top.join("repo/.git")).unwrap();
        let ceiling_above = top.as_os_str();
        assert_eq!(
            repository_entry(&book, Some(ceiling_above)),
            Some(top.join("repo"))
        );
        // A ceiling at the repository's folder hides it, as it hides it from git.
        let ceiling_at = top.join("repo");
        assert_eq!(repository_entry(&book, Some(ceiling_at.as_os_str())), None);
        // A `.git` file (a linked work tree or a submodule) counts too, the nearest first.
        std::fs::write(top.join("repo/docs/.git"), "gitdir: elsewhere\n").unwrap();
        assert_eq!(
            repository_entry(&book, Some(ceiling_above)),
            Some(top.join("repo/docs"))
        );
        // In the folder itself, even when it is listed as a ceiling.
        std::fs::create_dir(book.join(".git")).unwrap();
        assert_eq!(
            repository_entry(&book, Some(book.as_os_str())),
            Some(book.clone())
        );
    }

    /// git's own list of repository-local variables (which grows with new git versions)
    /// is covered. Needs git, like the stamp.
    #[test]
    fn every_variable_git_treats_as_repository_local_is_removed() {
        let out = Command::new("git")
            .args(["rev-parse", "--local-env-vars"])
            .output()
            .expect("git is installed (apt-get install git)");
        assert!(out.status.success());
        let listed = String::from_utf8(out.stdout).unwrap();
        let missing: Vec<&str> = listed
            .lines()
            .map(str::trim)
            .filter(|v| !v.is_empty() && !REPOSITORY_ENV.contains(v))
            .collect();
        assert!(missing.is_empty(), "add to REPOSITORY_ENV: {missing:?}");
        let cmd = command(Path::new("."), &["status"]);
        let set: BTreeMap<String, Option<String>> = cmd
            .get_envs()
            .map(|(k, v)| {
                let v = v.map(|v| v.to_string_lossy().into_owned());
                (k.to_string_lossy().into_owned(), v)
            })
            .collect();
        for var in REPOSITORY_ENV {
            // Replacement objects are switched off outright rather than left to the user.
            let want = (*var == "GIT_NO_REPLACE_OBJECTS").then(|| "1".to_string());
            assert_eq!(set.get(*var), Some(&want), "{var}");
        }
    }
}
