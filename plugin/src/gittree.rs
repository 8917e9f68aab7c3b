//! A git revision as a [`Tree`]: the files of a commit read from git's objects, with no
//! checkout and no worktree, so the working tree and the index are never touched. The
//! commit's file list comes from one `git ls-tree -r -z -l`, the file contents from one
//! `git cat-file --batch` process that lives as long as the tree.

use crate::paths::normalize;
use crate::tree::{Entry, Found, Tree};
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
    /// A symbolic link: its blob holds the target path.
    Link { oid: String },
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
    files: BTreeMap<String, Object>,
    dirs: BTreeSet<String>,
    cat: Mutex<Option<CatFile>>,
}

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

impl GitTree {
    /// The tree of `commit` in `repo`.
    ///
    /// # Errors
    ///
    /// When git cannot list the commit's files.
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
            let object = match (mode, kind) {
                ("120000", "blob") => Object::Link {
                    oid: oid.to_string(),
                },
                (_, "blob") => Object::Blob {
                    oid: oid.to_string(),
                    size: size.parse().unwrap_or(u64::MAX),
                },
                // Submodules are other repositories: not part of this book's inputs.
                _ => continue,
            };
            let mut at = path.as_str();
            while let Some((parent, _)) = at.rsplit_once('/') {
                if !dirs.insert(parent.to_string()) {
                    break;
                }
                at = parent;
            }
            files.insert(path, object);
        }
        Ok(GitTree {
            top: repo.top.clone(),
            files,
            dirs,
            cat: Mutex::new(None),
        })
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

    /// The blob a path names, following symbolic links inside the commit (up to 8).
    fn resolve(&self, rel: &str) -> std::result::Result<(String, u64), InputError> {
        let mut rel = rel.to_string();
        // The target of the link followed last, for the words when it leads nowhere.
        let mut link: Option<String> = None;
        for _ in 0..8 {
            match self.files.get(&rel) {
                Some(Object::Blob { oid, size }) => return Ok((oid.clone(), *size)),
                Some(Object::Link { oid }) => {
                    let target = self
                        .blobs(&[oid])
                        .map_err(|e| InputError::Io(e.to_string()))?
                        .pop()
                        .unwrap_or_default();
                    let target = String::from_utf8_lossy(&target).into_owned();
                    link = Some(target.clone());
                    let parent = Path::new(&rel).parent().unwrap_or(Path::new(""));
                    rel = inside(&self.top, &self.top.join(parent).join(&target)).ok_or_else(
                        || {
                            InputError::Io(format!(
                                "symbolic link to `{target}`, outside the repository"
                            ))
                        },
                    )?;
                }
                None => {
                    return Err(InputError::Io(match &link {
                        Some(target) if !self.dirs.contains(&rel) => {
                            format!("symbolic link to `{target}`, which does not exist")
                        }
                        _ => "no such file in this revision (a symbolic link to a folder or a missing file)".into(),
                    }));
                }
            }
        }
        Err(InputError::Io("too many symbolic links".into()))
    }
}

impl Tree for GitTree {
    fn entry(&self, path: &Path) -> Entry {
        match inside(&self.top, path) {
            Some(rel) if rel.is_empty() || self.dirs.contains(&rel) => Entry::Dir,
            Some(rel) if self.files.contains_key(&rel) => Entry::File,
            _ => Entry::Missing,
        }
    }

    fn folders(&self, dir: &Path) -> Vec<String> {
        let Some(rel) = inside(&self.top, dir) else {
            return Vec::new();
        };
        let prefix = if rel.is_empty() {
            String::new()
        } else {
            format!("{rel}/")
        };
        // `dirs` is sorted, so the folders inside `dir` follow its own entry.
        self.dirs
            .range(prefix.clone()..)
            .take_while(|d| d.starts_with(&prefix))
            .filter_map(|d| {
                let name = &d[prefix.len()..];
                (!name.contains('/') && !name.starts_with('.')).then(|| name.to_string())
            })
            .collect()
    }

    fn files(&self, dir: &Path, hidden: bool, skip: Option<&Path>) -> std::io::Result<Vec<Found>> {
        let Some(rel) = inside(&self.top, dir) else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "outside the repository",
            ));
        };
        if !(rel.is_empty() || self.dirs.contains(&rel)) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such folder in this revision",
            ));
        }
        let skip = skip.and_then(|s| inside(&self.top, s));
        let prefix = if rel.is_empty() {
            String::new()
        } else {
            format!("{rel}/")
        };
        let dir = normalize(dir);
        Ok(self
            .files
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .map(|(p, _)| &p[prefix.len()..])
            .filter(|r| hidden || !r.split('/').any(|part| part.starts_with('.')))
            .filter(|r| {
                skip.as_deref().is_none_or(|s| {
                    let full = format!("{prefix}{r}");
                    !(full == s || full.starts_with(&format!("{s}/")))
                })
            })
            .map(|r| Found {
                path: dir.join(r),
                rel: r.to_string(),
            })
            .collect())
    }

    fn read(&self, files: &[(&Path, u64)]) -> Vec<Result<Vec<u8>, InputError>> {
        let mut out: Vec<Result<Vec<u8>, InputError>> = Vec::with_capacity(files.len());
        let mut wanted: Vec<(usize, String)> = Vec::new();
        for (n, (path, limit)) in files.iter().enumerate() {
            let found = inside(&self.top, path)
                .ok_or_else(|| InputError::Io("outside the repository".into()))
                .and_then(|rel| self.resolve(&rel));
            match found {
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
            .map(|path| {
                inside(&self.top, path)
                    .ok_or_else(|| InputError::Io("outside the repository".into()))
                    .and_then(|rel| self.resolve(&rel))
                    .map(|(oid, _)| oid)
            })
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
