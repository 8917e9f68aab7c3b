//! A git revision as a [`Tree`]: the files of a commit read from git's objects, with no
//! checkout and no worktree, so the working tree and the index are never touched. The
//! commit's file list comes from one `git ls-tree -r -z -l`, the file contents from one
//! `git cat-file --batch` process that lives as long as the tree.
//!
//! Symbolic links are followed as the disk ([`crate::tree::FsTree`]) follows them, so that
//! `diff` sees the inputs `check` and the build see: every component of a path is resolved
//! through links (at most [`MAX_LINKS`] of them, as the kernel), the files under a link to a
//! folder of the commit are listed at the link's path, a link to a folder above the one
//! being listed is a loop and is not followed (walkdir's rule), and a link that leads out
//! of the repository or nowhere is listed at its own path, where reading it gives the
//! disk's words. A submodule (a gitlink entry) is listed at its own path too, where reading
//! it gives the words the disk gives for a folder with a `.git` entry
//! ([`crate::tree::SUBMODULE`]). The targets of the commit's links are read once, with the
//! file list.

use crate::paths::normalize;
use crate::tree::{Entry, Found, SUBMODULE, Submodules, Tree};
use anyhow::{Result, anyhow, bail};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use techfile_core::load::InputError;

/// The advice for a clone that lacks history.
const FETCH_ADVICE: &str = "fetch the full history and run again: `fetch-depth: 0` in actions/checkout, `GIT_DEPTH: 0` in GitLab CI, or `git fetch --deepen=<N>` (`git fetch --unshallow`) by hand";

/// How a git command failed: git could not be started (the text says why), or it ran and
/// exited unsuccessfully (the first line it wrote on stderr, in the user's language).
enum Failure {
    NotRun(String),
    Exit(String),
}

/// A git command (see [`crate::git::command`]) that never prompts for credentials.
fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut c = crate::git::command(dir, args);
    c.env("GIT_TERMINAL_PROMPT", "0");
    c
}

/// Runs git in `dir` and returns what it printed.
fn run(dir: &Path, args: &[&str]) -> std::result::Result<Vec<u8>, Failure> {
    let out = git_command(dir, args).output().map_err(|e| {
        Failure::NotRun(match e.kind() {
            std::io::ErrorKind::NotFound => "git is not installed".to_string(),
            _ => format!("git could not be run: {e}"),
        })
    })?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(Failure::Exit(
            err.lines().next().unwrap_or("").trim().to_string(),
        ))
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).trim().to_string()
}

/// The git repository around a folder.
#[derive(Clone, Debug)]
pub struct Repo {
    /// The top of the working tree, normalised.
    pub top: PathBuf,
}

impl Repo {
    /// The repository that holds `dir`.
    ///
    /// # Errors
    ///
    /// When git is missing or `dir` is not inside a git working tree.
    pub fn discover(dir: &Path) -> Result<Repo> {
        let dir = normalize(dir);
        if !dir.is_dir() {
            bail!("{} is not a folder", dir.display());
        }
        // Told apart by exit status, not by git's (translated) messages: `--show-toplevel`
        // fails outside a working tree.
        match run(&dir, &["rev-parse", "--show-toplevel"]) {
            Ok(top) => Ok(Repo {
                top: normalize(Path::new(&text(top))),
            }),
            Err(Failure::NotRun(why)) => bail!("{why}: `diff` reads the book's versions with git"),
            Err(Failure::Exit(said)) => bail!(
                "{} is not inside a git repository (git: {said}): `diff` compares git revisions, so run it in the repository that holds the book (`check` works on any folder)",
                dir.display()
            ),
        }
    }

    fn is_shallow(&self) -> bool {
        run(&self.top, &["rev-parse", "--is-shallow-repository"]).is_ok_and(|o| text(o) == "true")
    }

    /// The commit a revision names (a branch, tag, `HEAD~2`, a hash).
    ///
    /// # Errors
    ///
    /// When the revision names no commit; in a shallow clone the message says to fetch
    /// the full history.
    pub fn resolve(&self, rev: &str) -> Result<String> {
        if rev.starts_with('-') {
            bail!("`{rev}` is not a revision");
        }
        let spec = format!("{rev}^{{commit}}");
        match run(
            &self.top,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &spec,
            ],
        ) {
            Ok(c) => Ok(text(c)),
            Err(_) if self.is_shallow() => bail!(
                "revision `{rev}` is not in this clone, which is shallow (it has only part of the history): {FETCH_ADVICE}"
            ),
            Err(_) => bail!(
                "unknown revision `{rev}`: name a branch, tag or commit of this repository (for a remote branch, `git fetch origin <branch>` first and name it `origin/<branch>`)"
            ),
        }
    }

    /// The best common ancestor of two commits: what a pull request is compared with.
    ///
    /// # Errors
    ///
    /// When they have none, or the clone is too shallow to find it.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<String> {
        match run(&self.top, &["merge-base", a, b]) {
            Ok(c) if !text(c.clone()).is_empty() => Ok(text(c)),
            _ if self.is_shallow() => bail!(
                "the common ancestor of the two revisions is not in this clone, which is shallow: {FETCH_ADVICE}"
            ),
            _ => bail!("the two revisions have no common ancestor"),
        }
    }
}

/// What an entry of the commit's tree is.
#[derive(Clone, Debug)]
enum Object {
    /// A file: its blob and size.
    Blob { oid: String, size: u64 },
    /// A symbolic link and the path it holds, read when the tree is listed: resolving a
    /// path may pass through several links, and a walk through every one of them.
    Link { target: String },
    /// A submodule: a gitlink to a commit of another repository, whose files the commit
    /// does not hold.
    Submodule,
}

/// A `git cat-file --batch` process.
struct CatFile {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Drop for CatFile {
    fn drop(&mut self) {
        // Closing stdin ends the process; wait so it leaves no zombie.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl CatFile {
    fn start(top: &Path) -> std::io::Result<CatFile> {
        let mut child = git_command(top, &["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| std::io::Error::other("no stdin"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout"))?;
        Ok(CatFile {
            child,
            stdin,
            stdout: BufReader::with_capacity(1 << 16, stdout),
        })
    }

    /// Each blob in order, handed to `each` as a reader of exactly its bytes with its size.
    /// Requests are written from a second thread while answers are read, so neither pipe
    /// fills up and blocks the other.
    fn each_blob<T>(
        &mut self,
        oids: &[&str],
        mut each: impl FnMut(&mut dyn Read, u64) -> std::io::Result<T>,
    ) -> std::io::Result<Vec<T>> {
        let CatFile { stdin, stdout, .. } = self;
        std::thread::scope(|s| {
            let writer = s.spawn(move || -> std::io::Result<()> {
                let mut w = std::io::BufWriter::new(stdin);
                for oid in oids {
                    w.write_all(oid.as_bytes())?;
                    w.write_all(b"\n")?;
                }
                w.flush()
            });
            let mut out = Vec::with_capacity(oids.len());
            let mut header = String::new();
            for _ in oids {
                header.clear();
                stdout.read_line(&mut header)?;
                // `<oid> blob <size>`, or `<oid> missing`.
                let size: u64 = header
                    .trim_end()
                    .rsplit(' ')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| {
                        std::io::Error::other(format!("git cat-file: {}", header.trim()))
                    })?;
                let mut blob = (&mut *stdout).take(size);
                let value = each(&mut blob, size)?;
                // Whatever `each` left unread, and the newline after the blob.
                std::io::copy(&mut blob, &mut std::io::sink())?;
                let mut newline = [0u8; 1];
                stdout.read_exact(&mut newline)?;
                out.push(value);
            }
            writer
                .join()
                .map_err(|_| std::io::Error::other("the git writer thread failed"))??;
            Ok(out)
        })
    }

    /// The contents of the blobs, in order.
    fn blobs(&mut self, oids: &[&str]) -> std::io::Result<Vec<Vec<u8>>> {
        self.each_blob(oids, |r, size| {
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            r.read_to_end(&mut bytes)?;
            Ok(bytes)
        })
    }

    /// The size and SHA-256 of the blobs, in order, hashed as they stream by: an evidence
    /// file may be far larger than anything else a book holds.
    fn hashes(&mut self, oids: &[&str]) -> std::io::Result<Vec<(u64, String)>> {
        self.each_blob(oids, |r, _| {
            let mut hasher = techfile_core::digest::Sha256Stream::default();
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = r.read(&mut buf)?;
                if n == 0 {
                    return Ok(hasher.finish());
                }
                hasher.update(&buf[..n]);
            }
        })
    }
}

/// The files of one commit.
pub struct GitTree {
    top: PathBuf,
    /// Every file and symbolic link, by path relative to `top` with `/`.
    files: BTreeMap<String, Object>,
    /// Every folder that holds a file or link (git has no empty folders).
    dirs: BTreeSet<String>,
    cat: Mutex<Option<CatFile>>,
}

/// At most this many symbolic links are followed to resolve one path, as Linux's
/// `MAXSYMLINKS` (beyond it the disk says `ELOOP`): a chain of links that long is a loop.
const MAX_LINKS: usize = 40;

/// `path` relative to `top` with `/`, `.` and `..` resolved; `None` outside of it.
fn inside(top: &Path, path: &Path) -> Option<String> {
    let rel = normalize(path);
    let rel = rel.strip_prefix(top).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    Some(parts.join("/"))
}

/// `name` inside the folder `dir` (`""` is the top).
fn child(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// What a path leads to once its links are followed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    /// A folder of the commit, by its own path.
    Dir(String),
    File {
        oid: String,
        size: u64,
    },
    /// A submodule: neither a folder of this commit nor a file.
    Submodule,
}

/// Why a path leads to nothing in the commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unresolved {
    /// A link on the way leads out of the repository.
    Outside,
    /// Nothing is there (or a file stands where a folder is needed).
    Missing,
    /// More than [`MAX_LINKS`] links: a loop of links.
    TooMany,
}

/// What a path of the tree names: resolved, or why not in the terms the disk uses.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Named {
    Node(Node),
    /// The last component is a link that cannot be followed, with the path it holds.
    Broken {
        target: String,
        why: Unresolved,
    },
    /// A folder above the last component leads out of the repository.
    ParentOutside,
    Missing,
}

impl GitTree {
    /// The tree of `commit` in `repo`.
    ///
    /// # Errors
    ///
    /// When git cannot list the commit's files or read its symbolic links.
    pub fn at(repo: &Repo, commit: &str) -> Result<GitTree> {
        let out = run(
            &repo.top,
            &["ls-tree", "-r", "-z", "-l", "--full-tree", commit],
        )
        .map_err(|e| match e {
            Failure::NotRun(why) | Failure::Exit(why) => {
                anyhow!("cannot list the files of {commit}: {why}")
            }
        })?;
        let mut files = BTreeMap::new();
        let mut dirs = BTreeSet::new();
        let mut links: Vec<(String, String)> = Vec::new();
        for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            // `<mode> SP <type> SP <object> SP+ <size> TAB <path>`
            let Some(tab) = record.iter().position(|&b| b == b'\t') else {
                continue;
            };
            let meta = String::from_utf8_lossy(&record[..tab]);
            let path = String::from_utf8_lossy(&record[tab + 1..]).into_owned();
            let mut parts = meta.split_whitespace();
            let (Some(mode), Some(kind), Some(oid), Some(size)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            match (mode, kind) {
                ("120000", "blob") => links.push((path.clone(), oid.to_string())),
                (_, "blob") => {
                    files.insert(
                        path.clone(),
                        Object::Blob {
                            oid: oid.to_string(),
                            size: size.parse().unwrap_or(u64::MAX),
                        },
                    );
                }
                // A submodule is another repository: listed, its files never read.
                ("160000", "commit") => {
                    files.insert(path.clone(), Object::Submodule);
                }
                _ => continue,
            }
            let mut at = path.as_str();
            while let Some((parent, _)) = at.rsplit_once('/') {
                if !dirs.insert(parent.to_string()) {
                    break;
                }
                at = parent;
            }
        }
        let mut tree = GitTree {
            top: repo.top.clone(),
            files,
            dirs,
            cat: Mutex::new(None),
        };
        let oids: Vec<&str> = links.iter().map(|(_, oid)| oid.as_str()).collect();
        let targets = tree
            .blobs(&oids)
            .map_err(|e| anyhow!("cannot read the symbolic links of {commit}: {e}"))?;
        for ((path, _), target) in links.iter().zip(targets) {
            let target = String::from_utf8_lossy(&target).into_owned();
            tree.files.insert(path.clone(), Object::Link { target });
        }
        Ok(tree)
    }

    /// Runs `f` on the tree's `git cat-file --batch` process, started on first use.
    fn with_cat<T: Default>(
        &self,
        oids: &[&str],
        f: impl FnOnce(&mut CatFile) -> std::io::Result<T>,
    ) -> std::io::Result<T> {
        if oids.is_empty() {
            return Ok(T::default());
        }
        let mut cat = self
            .cat
            .lock()
            .map_err(|_| std::io::Error::other("git cat-file is unusable after a failure"))?;
        if cat.is_none() {
            *cat = Some(CatFile::start(&self.top)?);
        }
        let result = cat.as_mut().map(f);
        match result {
            Some(Ok(v)) => Ok(v),
            Some(Err(e)) => {
                // The stream is out of step after an error: start afresh next time.
                *cat = None;
                Err(e)
            }
            None => Err(std::io::Error::other("git cat-file did not start")),
        }
    }

    fn blobs(&self, oids: &[&str]) -> std::io::Result<Vec<Vec<u8>>> {
        self.with_cat(oids, |c| c.blobs(oids))
    }

    /// Follows `path` (relative, or absolute as a link may hold) from the folder `base`
    /// through every link on it, as the kernel resolves a path: `..` after a link climbs
    /// from where the link led, not from where it stands. `links` counts the links
    /// followed so far.
    fn lookup(&self, base: &str, path: &str, links: &mut usize) -> Result<Node, Unresolved> {
        let mut at: Vec<String> = Vec::new();
        let mut pending: Vec<String> = Vec::new();
        self.start(base, path, &mut at, &mut pending)?;
        while let Some(name) = pending.pop() {
            match name.as_str() {
                "" | "." => continue,
                ".." => {
                    if at.pop().is_none() {
                        // Above the top: only a path that comes back in stays inside.
                        let rest: PathBuf = pending.iter().rev().collect();
                        let back = self.top.join("..").join(rest);
                        pending.clear();
                        self.start("", &back.to_string_lossy(), &mut at, &mut pending)?;
                    }
                    continue;
                }
                _ => {}
            }
            let here = at.join("/");
            let path = child(&here, &name);
            if self.dirs.contains(&path) {
                at.push(name);
                continue;
            }
            match self.files.get(&path) {
                Some(Object::Blob { oid, size })
                    if pending.iter().all(|p| p.is_empty() || p == ".") =>
                {
                    return Ok(Node::File {
                        oid: oid.clone(),
                        size: *size,
                    });
                }
                Some(Object::Link { target }) => {
                    *links += 1;
                    if *links > MAX_LINKS {
                        return Err(Unresolved::TooMany);
                    }
                    self.start(&here, target, &mut at, &mut pending)?;
                }
                Some(Object::Submodule) if pending.iter().all(|p| p.is_empty() || p == ".") => {
                    return Ok(Node::Submodule);
                }
                _ => return Err(Unresolved::Missing),
            }
        }
        Ok(Node::Dir(at.join("/")))
    }

    /// Sets `at` to where `path` starts (`base`, or the top for an absolute path inside the
    /// repository) and puts its components before the `pending` ones (a stack, next last).
    fn start(
        &self,
        base: &str,
        path: &str,
        at: &mut Vec<String>,
        pending: &mut Vec<String>,
    ) -> Result<(), Unresolved> {
        let (from, path) = if Path::new(path).is_absolute() {
            (
                String::new(),
                inside(&self.top, Path::new(path)).ok_or(Unresolved::Outside)?,
            )
        } else {
            (base.to_string(), path.to_string())
        };
        *at = from
            .split('/')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        pending.extend(path.rsplit('/').map(str::to_string));
        Ok(())
    }

    /// What the path `rel` (relative to the top, normalised) names. Its folders are
    /// resolved through links; a link as its last component is followed, and when that
    /// fails the link itself is what the path names, as the disk lists it.
    fn named(&self, rel: &str) -> Named {
        if rel.is_empty() {
            return Named::Node(Node::Dir(String::new()));
        }
        let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let parent = match self.lookup("", parent, &mut 0) {
            Ok(Node::Dir(p)) => p,
            Err(Unresolved::Outside) => return Named::ParentOutside,
            _ => return Named::Missing,
        };
        let path = child(&parent, name);
        if self.dirs.contains(&path) {
            return Named::Node(Node::Dir(path));
        }
        match self.files.get(&path) {
            Some(Object::Blob { oid, size }) => Named::Node(Node::File {
                oid: oid.clone(),
                size: *size,
            }),
            Some(Object::Submodule) => Named::Node(Node::Submodule),
            Some(Object::Link { target }) => match self.lookup(&parent, target, &mut 1) {
                Ok(node) => Named::Node(node),
                Err(why) => Named::Broken {
                    target: target.clone(),
                    why,
                },
            },
            None => Named::Missing,
        }
    }

    /// The blob a path names, following symbolic links inside the commit, or why there is
    /// none in the words the disk ([`crate::tree::FsTree`]) uses.
    fn resolve(&self, path: &Path) -> std::result::Result<(String, u64), InputError> {
        let rel = inside(&self.top, path)
            .ok_or_else(|| InputError::Io("outside the repository".into()))?;
        match self.named(&rel) {
            Named::Node(Node::File { oid, size }) => Ok((oid, size)),
            Named::Node(Node::Dir(_)) => Err(InputError::Io("a folder, not a file".into())),
            Named::Node(Node::Submodule) => Err(InputError::Io(SUBMODULE.into())),
            Named::Missing => Err(InputError::Io("no such file in this revision".into())),
            Named::ParentOutside => Err(InputError::Io(
                "a folder on its path is a symbolic link outside the repository".into(),
            )),
            Named::Broken {
                target,
                why: Unresolved::Outside,
            } => Err(InputError::Io(outside(&target))),
            // As the disk decides for a link that leads nowhere: by where its target is
            // written to be, next to the link as it is named.
            Named::Broken { target, .. } => {
                let lexical = normalize(&path.parent().unwrap_or(Path::new("/")).join(&target));
                Err(InputError::Io(if lexical.starts_with(&self.top) {
                    format!("symbolic link to `{target}`, which does not exist")
                } else {
                    outside(&target)
                }))
            }
        }
    }

    /// Lists the files under the folder `real` into `out`, at `listed` (the path the walk
    /// reached it by, relative to `root`, ending in `/` unless empty). `above` holds the
    /// folders above `real`, by their own paths (those above the walk's root too): a link
    /// to one of them is a loop and is not followed, as walkdir does on the disk.
    fn walk(&self, real: &str, listed: &str, above: &mut Vec<String>, walk: &Walk<'_>) {
        let prefix = if real.is_empty() {
            String::new()
        } else {
            format!("{real}/")
        };
        for (path, object) in self
            .files
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
        {
            let rel = &path[prefix.len()..];
            if !walk.hidden && rel.split('/').any(|part| part.starts_with('.')) {
                continue;
            }
            let shown = format!("{listed}{rel}");
            let at = walk.root.join(&shown);
            if walk.skip.is_some_and(|s| at.starts_with(s)) {
                continue;
            }
            let submodule = match object {
                Object::Submodule => true,
                Object::Link { target } => {
                    let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
                    matches!(self.lookup(parent, target, &mut 1), Ok(Node::Submodule))
                }
                Object::Blob { .. } => false,
            };
            if submodule && walk.submodules != Submodules::Listed {
                // The disk enters it for mdBook; the commit has nothing there to list.
                continue;
            }
            if let Object::Link { target } = object {
                let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
                if let Ok(Node::Dir(to)) = self.lookup(parent, target, &mut 1) {
                    let ancestor = to == real
                        || (path.starts_with(&format!("{to}/"))
                            && (real.is_empty() || to.starts_with(&prefix)));
                    if ancestor || above.contains(&to) {
                        continue;
                    }
                    let depth = above.len();
                    above.push(real.to_string());
                    let mut folder = real.to_string();
                    for part in rel.split('/').take(rel.split('/').count() - 1) {
                        folder = child(&folder, part);
                        above.push(folder.clone());
                    }
                    self.walk(&to, &format!("{shown}/"), above, walk);
                    above.truncate(depth);
                    continue;
                }
            }
            // A file, a link to one, a submodule, or a link that cannot be followed: listed
            // at its own path, where reading it says why not.
            walk.out.borrow_mut().push(Found {
                path: at,
                rel: shown,
                submodule,
            });
        }
    }
}

/// The words for a link out of the repository, the same as the disk's.
fn outside(target: &str) -> String {
    format!("symbolic link to `{target}`, outside the repository")
}

/// What one [`Tree::files`] call walks with.
struct Walk<'a> {
    root: &'a Path,
    hidden: bool,
    skip: Option<&'a Path>,
    submodules: Submodules,
    out: std::cell::RefCell<Vec<Found>>,
}

impl Tree for GitTree {
    /// A folder or a link to one is `Dir`, a file or a link to one `File`; a link that
    /// leads out of the repository is `File` (the commit cannot tell what it leads to), so
    /// reading it says why not; a link that leads nowhere is `Missing`, as on the disk. A
    /// submodule is `File`, so reading it says why not (the disk sees its checkout as a folder).
    fn entry(&self, path: &Path) -> Entry {
        let Some(rel) = inside(&self.top, path) else {
            return Entry::Missing;
        };
        match self.named(&rel) {
            Named::Node(Node::Dir(_)) => Entry::Dir,
            Named::Node(Node::File { .. } | Node::Submodule)
            | Named::Broken {
                why: Unresolved::Outside,
                ..
            } => Entry::File,
            _ => Entry::Missing,
        }
    }

    fn folders(&self, dir: &Path) -> Vec<String> {
        let Some(rel) = inside(&self.top, dir) else {
            return Vec::new();
        };
        let Named::Node(Node::Dir(real)) = self.named(&rel) else {
            return Vec::new();
        };
        let prefix = if real.is_empty() {
            String::new()
        } else {
            format!("{real}/")
        };
        // Folders, and links to folders (the walk follows them), directly inside.
        let mut out: Vec<String> = self
            .dirs
            .range(prefix.clone()..)
            .take_while(|d| d.starts_with(&prefix))
            .filter_map(|d| {
                let name = &d[prefix.len()..];
                (!name.contains('/')).then(|| name.to_string())
            })
            .chain(
                self.files
                    .range(prefix.clone()..)
                    .take_while(|(p, _)| p.starts_with(&prefix))
                    .filter_map(|(p, o)| {
                        let name = &p[prefix.len()..];
                        let Object::Link { target } = o else {
                            return None;
                        };
                        (!name.contains('/')
                            && matches!(self.lookup(&real, target, &mut 1), Ok(Node::Dir(_))))
                        .then(|| name.to_string())
                    }),
            )
            .filter(|name| !name.starts_with('.'))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Symbolic links are followed as on the disk ([`crate::tree::FsTree::files`]): the
    /// files under a link to a folder of the commit are listed at the link's path, a link
    /// back to a folder being walked is not followed again, and a link that leads out of
    /// the repository or nowhere is listed at its own path, and so is a submodule (or a
    /// link to one) with [`Submodules::Listed`]. Hidden names and `skip` apply to the
    /// paths as listed.
    fn files(
        &self,
        dir: &Path,
        hidden: bool,
        skip: Option<&Path>,
        submodules: Submodules,
    ) -> std::io::Result<Vec<Found>> {
        let Some(rel) = inside(&self.top, dir) else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "outside the repository",
            ));
        };
        let real = match self.named(&rel) {
            Named::Node(Node::Dir(real)) => real,
            Named::ParentOutside
            | Named::Broken {
                why: Unresolved::Outside,
                ..
            } => {
                return Err(std::io::Error::other(format!(
                    "{} leads outside the repository (through a symbolic link), so it is not read",
                    dir.display()
                )));
            }
            _ => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such folder in this revision",
                ));
            }
        };
        let root = normalize(dir);
        let skip = skip.map(normalize);
        let walk = Walk {
            root: &root,
            hidden,
            skip: skip.as_deref(),
            submodules,
            out: std::cell::RefCell::default(),
        };
        // The folders above the walked one count as being walked (walkdir seeds its loop
        // check with them): a link up to one of them would read the walked folder again.
        let mut above: Vec<String> = std::iter::once(String::new())
            .chain(real.match_indices('/').map(|(n, _)| real[..n].to_string()))
            .filter(|a| *a != real)
            .collect();
        self.walk(&real, "", &mut above, &walk);
        Ok(walk.out.into_inner())
    }

    fn read(&self, files: &[(&Path, u64)]) -> Vec<Result<Vec<u8>, InputError>> {
        let mut out: Vec<Result<Vec<u8>, InputError>> = Vec::with_capacity(files.len());
        let mut wanted: Vec<(usize, String)> = Vec::new();
        for (n, (path, limit)) in files.iter().enumerate() {
            match self.resolve(path) {
                Ok((_, size)) if size > *limit => out.push(Err(InputError::TooLarge {
                    size,
                    limit: *limit,
                })),
                Ok((oid, _)) => {
                    wanted.push((n, oid));
                    out.push(Ok(Vec::new()));
                }
                Err(e) => out.push(Err(e)),
            }
        }
        let oids: Vec<&str> = wanted.iter().map(|(_, o)| o.as_str()).collect();
        match self.blobs(&oids) {
            Ok(blobs) => {
                for ((n, _), bytes) in wanted.iter().zip(blobs) {
                    out[*n] = Ok(bytes);
                }
            }
            Err(e) => {
                for (n, _) in &wanted {
                    out[*n] = Err(InputError::Io(format!("git cat-file failed: {e}")));
                }
            }
        }
        out
    }

    fn hash(&self, files: &[&Path]) -> Vec<Result<(u64, String), InputError>> {
        let found: Vec<Result<String, InputError>> = files
            .iter()
            .map(|path| self.resolve(path).map(|(oid, _)| oid))
            .collect();
        let oids: Vec<&str> = found
            .iter()
            .filter_map(|f| f.as_ref().ok().map(String::as_str))
            .collect();
        let mut hashed = match self.with_cat(&oids, |c| c.hashes(&oids)) {
            Ok(h) => h.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => oids
                .iter()
                .map(|_| Err(InputError::Io(format!("git cat-file failed: {e}"))))
                .collect(),
        }
        .into_iter();
        found
            .into_iter()
            .map(|f| match f {
                Ok(_) => hashed
                    .next()
                    .unwrap_or_else(|| Err(InputError::Io("not read".into()))),
                Err(e) => Err(e),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A commit at `top` from paths: a file, or a link holding its target (`{top}` in it
    /// stands for `top`).
    fn tree_at(top: &Path, entries: &[(&str, Option<&str>)]) -> GitTree {
        let mut files = BTreeMap::new();
        let mut dirs = BTreeSet::new();
        for (n, (path, link)) in entries.iter().enumerate() {
            let object = match link {
                Some(target) => Object::Link {
                    target: target.replace("{top}", &top.to_string_lossy()),
                },
                None => Object::Blob {
                    oid: format!("oid{n}"),
                    size: 1,
                },
            };
            files.insert((*path).to_string(), object);
            let mut at = *path;
            while let Some((parent, _)) = at.rsplit_once('/') {
                dirs.insert(parent.to_string());
                at = parent;
            }
        }
        GitTree {
            top: top.to_path_buf(),
            files,
            dirs,
            cat: Mutex::new(None),
        }
    }

    fn tree(entries: &[(&str, Option<&str>)]) -> GitTree {
        tree_at(Path::new("/repo"), entries)
    }

    fn listed(t: &dyn Tree, dir: &Path) -> Vec<String> {
        let mut out: Vec<String> = t
            .files(dir, false, None, Submodules::Listed)
            .unwrap()
            .into_iter()
            .map(|f| f.rel)
            .collect();
        out.sort();
        out
    }

    const SHARED: &[(&str, Option<&str>)] = &[
        ("shared/more/REQ-6.md", None),
        ("shared/more/.draft.md", None),
        ("req/REQ-1.md", None),
        ("req/more", Some("../shared/more")),
        ("req/chain", Some("more")),
        ("req/abs", Some("{top}/shared")),
        ("req/up", Some("..")),
        ("req/self", Some(".")),
        ("req/out", Some("../../elsewhere")),
        ("req/gone", Some("../nothing")),
        ("req/loop-a", Some("loop-b")),
        ("req/loop-b", Some("loop-a")),
        ("sboms", Some("shared")),
    ];

    fn shared() -> GitTree {
        tree(SHARED)
    }

    #[test]
    fn the_commit_lists_what_the_disk_lists() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let top = std::fs::canonicalize(dir.path()).unwrap().join("repo");
        // The boundary of the disk is the folder with a `.git` entry.
        std::fs::create_dir_all(top.join(".git")).unwrap();
        for (path, link) in SHARED {
            let at = top.join(path);
            std::fs::create_dir_all(at.parent().unwrap()).unwrap();
            match link {
                Some(target) => {
                    symlink(target.replace("{top}", &top.to_string_lossy()), &at).unwrap();
                }
                None => std::fs::write(&at, "x").unwrap(),
            }
        }
        let git = tree_at(&top, SHARED);
        let disk = crate::tree::FsTree::for_book(&top.join("req"));
        for folder in ["req", "sboms", "req/chain", "req/up", ""] {
            let at = top.join(folder);
            assert_eq!(listed(&git, &at), listed(&disk, &at), "{folder}");
            assert_eq!(git.folders(&at), disk.folders(&at), "{folder}");
            let every = |t: &dyn Tree| {
                let mut all: Vec<(PathBuf, String)> = t
                    .files(&at, true, Some(&top.join("req/chain")), Submodules::Listed)
                    .unwrap()
                    .into_iter()
                    .map(|f| (f.path, f.rel))
                    .collect();
                all.sort();
                all
            };
            assert_eq!(every(&git), every(&disk), "{folder}, hidden and skip");
        }
    }

    #[test]
    fn a_link_to_a_folder_lists_its_files_at_the_link() {
        let t = shared();
        assert_eq!(
            listed(&t, Path::new("/repo/req")),
            [
                "REQ-1.md",
                "abs/more/REQ-6.md",
                "chain/REQ-6.md",
                "gone",
                "loop-a",
                "loop-b",
                "more/REQ-6.md",
                // `up` (the top, above the walked folder) and `self` are loops: not
                // followed, not listed.
                "out",
            ]
        );
    }

    #[test]
    fn a_path_resolves_through_every_link_on_it() {
        let t = shared();
        let at = |p: &str| Path::new("/repo").join(p);
        assert_eq!(t.entry(&at("req/more/REQ-6.md")), Entry::File);
        assert_eq!(t.entry(&at("req/chain")), Entry::Dir);
        assert_eq!(t.entry(&at("sboms/more")), Entry::Dir);
        assert_eq!(t.entry(&at("req/up/req/more/REQ-6.md")), Entry::File);
        assert_eq!(t.entry(&at("req/gone")), Entry::Missing);
        assert_eq!(t.entry(&at("req/out")), Entry::File);
        assert_eq!(t.entry(&at("req/REQ-1.md/x")), Entry::Missing);
        assert_eq!(
            t.folders(&at("req")),
            ["abs", "chain", "more", "self", "up"]
        );
        let blob = |p: &str| t.resolve(&at(p)).map(|(oid, _)| oid);
        assert_eq!(blob("req/chain/REQ-6.md"), blob("shared/more/REQ-6.md"));
        assert_eq!(
            blob("sboms/more/../more/REQ-6.md"),
            blob("shared/more/REQ-6.md")
        );
        let words = |p: &str| match t.resolve(&at(p)) {
            Err(InputError::Io(w)) => w,
            other => panic!("{p}: {other:?}"),
        };
        assert_eq!(
            words("req/out"),
            "symbolic link to `../../elsewhere`, outside the repository"
        );
        assert_eq!(
            words("req/gone"),
            "symbolic link to `../nothing`, which does not exist"
        );
        assert_eq!(
            words("req/loop-a"),
            "symbolic link to `loop-b`, which does not exist"
        );
        assert_eq!(words("req/more"), "a folder, not a file");
        assert!(
            t.files(&at("req/out"), false, None, Submodules::Listed)
                .unwrap_err()
                .to_string()
                .contains("leads outside the repository")
        );
    }

    #[test]
    fn hidden_names_and_skip_apply_to_the_paths_as_listed() {
        let t = shared();
        let found = t
            .files(
                Path::new("/repo/req"),
                true,
                Some(Path::new("/repo/req/more")),
                Submodules::Listed,
            )
            .unwrap();
        let mut rels: Vec<&str> = found.iter().map(|f| f.rel.as_str()).collect();
        rels.sort_unstable();
        // The same folder through another link is another path: not skipped.
        assert!(rels.contains(&"chain/.draft.md"), "{rels:?}");
        assert!(!rels.iter().any(|r| r.starts_with("more/")), "{rels:?}");
    }
}
