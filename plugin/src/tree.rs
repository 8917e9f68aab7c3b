//! Where inputs are read from: a tree of files that [`crate::gather`] walks with its one
//! policy. Two trees exist: the file system ([`FsTree`]) and a git revision
//! ([`crate::gittree::GitTree`]), so that a book is gathered the same way from the disk and
//! from any commit. A tree only lists and reads; which files count, in which order, and
//! what is too large is decided by `gather`.

use rayon::prelude::*;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use techfile_core::load::InputError;
use walkdir::WalkDir;

/// What a path is in a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    File,
    Dir,
    Missing,
}

/// One file found under a folder: its path, and its path relative to the folder with
/// forward slashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub rel: String,
    /// A git submodule listed at its own path ([`Submodules::Listed`]): an input whatever
    /// its name, since reading it says why its files are not inputs.
    pub submodule: bool,
}

/// What a walk does with a git submodule below the walked folder: on the disk a folder with
/// a `.git` entry or at a path `.gitmodules` registers (initialised or not), a gitlink entry
/// (mode 160000) in a commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Submodules {
    /// Not entered, and listed at its own path, where reading it gives [`SUBMODULE`]: a
    /// submodule is another repository, so its files are not inputs of this book, and a
    /// commit holds no files of it to read. The rule for the input folders.
    Listed,
    /// As mdBook sees them: entered on the disk, where mdBook copies their files, left out
    /// of a commit, which does not hold them. For `src` and the theme, which mdBook reads.
    AsMdBook,
}

/// Why a git submodule is not read, the same words on the disk and in a commit.
pub const SUBMODULE: &str = "a git submodule (another repository): its files are not inputs of this book; copy them into this repository, or move the submodule out of this folder (in an item folder, `exclude` can name it)";

/// A tree of files. Paths are absolute, as on the disk: a git revision is seen at the
/// place of its repository's working tree.
pub trait Tree: Sync {
    /// What `path` is.
    fn entry(&self, path: &Path) -> Entry;

    /// Every file under `dir`, in any order. Entries whose name starts with `.` below `dir`
    /// may be left out unless `hidden`, and so may the folder `skip`: `gather` filters
    /// again, so this is only a shortcut. A git submodule below `dir` is treated as
    /// `submodules` says. `Err` when `dir` or a folder under it cannot be listed.
    fn files(
        &self,
        dir: &Path,
        hidden: bool,
        skip: Option<&Path>,
        submodules: Submodules,
    ) -> std::io::Result<Vec<Found>>;

    /// Reads files, each unless it is larger than its limit (checked before reading, so a
    /// huge file costs no memory). One result per request, in order.
    fn read(&self, files: &[(&Path, u64)]) -> Vec<Result<Vec<u8>, InputError>>;

    /// The size and SHA-256 (hex) of each file, hashed as a stream so that no file is held
    /// in memory whole (an evidence file may be a large report). One result per request, in
    /// order.
    fn hash(&self, files: &[&Path]) -> Vec<Result<(u64, String), InputError>>;

    /// The names of the folders directly inside `dir`, sorted, hidden ones left out (for
    /// the suggestion when a configured folder does not exist); empty when `dir` is not a
    /// folder.
    fn folders(&self, dir: &Path) -> Vec<String>;

    /// Reads one file whatever its size.
    fn read_whole(&self, path: &Path) -> Result<Vec<u8>, InputError> {
        self.read(&[(path, u64::MAX)])
            .pop()
            .unwrap_or_else(|| Err(InputError::Io("not read".into())))
    }
}

/// The file system, confined to a boundary: a symbolic link that lies inside the boundary
/// but leads out of it is listed at its own path and never read, with the same words a git
/// revision gives (whose blobs cannot hold such a file either), so the disk and git agree
/// on what is an input. Paths named outside the boundary (a command-line `--advisories
/// /elsewhere`, an include by absolute path) are not links escaping it and are read.
#[derive(Clone, Debug, Default)]
pub struct FsTree {
    /// The boundary as written (normalised, for the lexical "is it inside" test) and as
    /// resolved (for comparing resolved targets); `None` reads everything.
    boundary: Option<(PathBuf, PathBuf)>,
    /// Every file read or hashed so far, as named: the stamp asks git whether the commit
    /// holds each one ([`crate::git::uncommitted`]), since a folder's `git status` cannot
    /// see a git-ignored file nor the target of a symbolic link.
    read_log: Arc<Mutex<Vec<PathBuf>>>,
    /// The submodules the repository registers in its `.gitmodules`, resolved: a folder
    /// there is a submodule whether or not it is initialised (a plain `git clone` leaves it
    /// an empty folder with no `.git` entry, while the commit holds its gitlink).
    registered: Arc<Vec<PathBuf>>,
}

impl FsTree {
    /// The tree of the book at `book_root`: confined to the git working tree that holds it
    /// (the nearest folder above with a `.git` entry, found without running git), or when
    /// the book is in no repository to the folder that holds the book's folder, the
    /// project folder that `../requirements` and `../sboms` are relative to.
    pub fn for_book(book_root: &Path) -> FsTree {
        let root = crate::paths::normalize(book_root);
        let top = root
            .ancestors()
            .find(|a| a.join(".git").exists())
            .or_else(|| root.parent())
            .unwrap_or(&root)
            .to_path_buf();
        let resolved = fs::canonicalize(&top).unwrap_or_else(|_| top.clone());
        let registered = registered_submodules(&top)
            .into_iter()
            .map(|rel| resolved.join(rel))
            .collect();
        FsTree {
            boundary: Some((top, resolved)),
            read_log: Arc::default(),
            registered: Arc::new(registered),
        }
    }

    /// The files read or hashed through this tree so far, sorted, each once.
    pub fn files_read(&self) -> Vec<PathBuf> {
        let mut out = self
            .read_log
            .lock()
            .map(|log| log.clone())
            .unwrap_or_default();
        out.sort();
        out.dedup();
        out
    }

    /// Adds the paths whose results are `Ok` to the read log.
    fn log<T, E>(&self, paths: impl Iterator<Item = PathBuf>, results: &[Result<T, E>]) {
        if let Ok(mut log) = self.read_log.lock() {
            log.extend(
                paths
                    .zip(results)
                    .filter(|(_, r)| r.is_ok())
                    .map(|(p, _)| p),
            );
        }
    }

    /// Why `path` is not read: a symbolic link inside the boundary whose target is outside
    /// it, or that leads nowhere. Only the last component is looked at (one `lstat`): the
    /// folders above a walked file were vetted by [`Tree::files`].
    fn refused(&self, path: &Path) -> Option<String> {
        let (top, resolved) = self.boundary.as_ref()?;
        let meta = fs::symlink_metadata(path).ok()?;
        if !meta.file_type().is_symlink() {
            return None;
        }
        self.escapes(top, resolved, path)
    }

    /// Whether the link at `path` leads out of the boundary or nowhere, in words.
    fn escapes(&self, top: &Path, resolved: &Path, path: &Path) -> Option<String> {
        let written = crate::paths::normalize(path);
        if !written.starts_with(top) {
            return None;
        }
        let target = fs::read_link(path)
            .map(|t| t.to_string_lossy().into_owned())
            .unwrap_or_default();
        match fs::canonicalize(path) {
            Ok(real) if real.starts_with(resolved) => None,
            Ok(_) => Some(outside(&target)),
            Err(_) => {
                // A dangling link: outside when its target is, as git sees it.
                let lexical =
                    crate::paths::normalize(&path.parent().unwrap_or(Path::new("/")).join(&target));
                Some(if lexical.starts_with(top) {
                    format!("symbolic link to `{target}`, which does not exist")
                } else {
                    outside(&target)
                })
            }
        }
    }

    /// `e`, or when `path` is a git submodule (a folder, so reading it failed) the words
    /// for one. Asked only after a failure: the files that read cost no more `stat`s.
    fn failed(&self, path: &Path, e: InputError) -> InputError {
        if self.other_repo(path) {
            InputError::Io(SUBMODULE.into())
        } else {
            e
        }
    }

    /// Whether `dir` holds a `.git` entry (git writes a file there for a submodule, a
    /// folder for a repository cloned in place; either is another repository) and is not
    /// the repository the boundary is (a link up to it).
    fn other_repo(&self, dir: &Path) -> bool {
        let nested = holds_git(dir)
            && self.boundary.as_ref().is_none_or(|(_, resolved)| {
                fs::canonicalize(dir).is_ok_and(|real| real != *resolved)
            });
        nested
            || (!self.registered.is_empty()
                && fs::metadata(dir).is_ok_and(|m| m.is_dir())
                && fs::canonicalize(dir).is_ok_and(|real| self.registered.contains(&real)))
    }

    /// [`FsTree::escapes`] for a path whose components may be links too (a walked folder).
    fn folder_refused(&self, dir: &Path) -> Option<String> {
        let (top, resolved) = self.boundary.as_ref()?;
        let written = crate::paths::normalize(dir);
        if !written.starts_with(top) {
            return None;
        }
        match fs::canonicalize(dir) {
            Ok(real) if !real.starts_with(resolved) => Some(format!(
                "{} leads outside the repository (through a symbolic link), so it is not read",
                dir.display()
            )),
            _ => None,
        }
    }
}

/// The paths (relative to `top`, with `/`) of the submodules `top/.gitmodules` registers,
/// read by git itself, whose configuration syntax (quoting, includes, continuation lines)
/// is its own. Empty when there is no `.gitmodules`, or when git cannot be run or fails: a
/// book is then gathered without git as before (nested repositories are still found by
/// their `.git` entry), and `diff`, which needs git, sees the gitlinks in the commit.
fn registered_submodules(top: &Path) -> Vec<String> {
    if !top.join(".gitmodules").is_file() {
        return Vec::new();
    }
    let out = crate::git::command(
        top,
        &[
            "config",
            "--file",
            ".gitmodules",
            "--null",
            "--get-regexp",
            r"^submodule\..*\.path$",
        ],
    )
    .output();
    let Ok(out) = out else {
        return Vec::new();
    };
    if !out.status.success() {
        return Vec::new();
    }
    // With `--null` each entry is `key\nvalue\0`, so a path may hold any character.
    out.stdout
        .split(|b| *b == 0)
        .filter_map(|entry| {
            let text = std::str::from_utf8(entry).ok()?;
            let (_, path) = text.split_once('\n')?;
            let path = path.trim_end_matches('/');
            (!path.is_empty()).then(|| path.to_owned())
        })
        .collect()
}

/// Whether `dir` is a folder with a `.git` entry: the working tree of another repository.
/// A `.git` that is a link counts too, as git follows it.
fn holds_git(dir: &Path) -> bool {
    fs::metadata(dir).is_ok_and(|m| m.is_dir()) && fs::symlink_metadata(dir.join(".git")).is_ok()
}

/// The words for a link out of the boundary, the same as a git revision's.
fn outside(target: &str) -> String {
    format!("symbolic link to `{target}`, outside the repository")
}

impl Tree for FsTree {
    fn entry(&self, path: &Path) -> Entry {
        match fs::metadata(path) {
            Ok(m) if m.is_dir() => Entry::Dir,
            Ok(_) => Entry::File,
            Err(_) => Entry::Missing,
        }
    }

    /// Symbolic links are followed; a link that leads back into a folder already being
    /// walked is skipped (each real folder is read once). A link to a folder outside the
    /// boundary is not entered and a link that leads nowhere is not an error of the whole
    /// folder: both are listed at their own path, where reading them says why not. So is a
    /// git submodule (a folder below `dir` with a `.git` entry or registered in
    /// `.gitmodules`, or a link to one) when
    /// `submodules` is [`Submodules::Listed`].
    fn files(
        &self,
        dir: &Path,
        hidden: bool,
        skip: Option<&Path>,
        submodules: Submodules,
    ) -> std::io::Result<Vec<Found>> {
        if let Some(why) = self.folder_refused(dir) {
            return Err(std::io::Error::other(why));
        }
        let listed = submodules == Submodules::Listed;
        let mut out = Vec::new();
        let mut refused: Vec<PathBuf> = Vec::new();
        let mut dangling: Vec<PathBuf> = Vec::new();
        let mut other_repos: Vec<PathBuf> = Vec::new();
        let walker = WalkDir::new(dir)
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| {
                let keep =
                    (hidden || e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
                        && skip.is_none_or(|s| e.path() != s);
                if keep
                    && e.depth() > 0
                    && e.path_is_symlink()
                    && e.file_type().is_dir()
                    && self.refused(e.path()).is_some()
                {
                    refused.push(e.path().to_path_buf());
                    return false;
                }
                if keep
                    && listed
                    && e.depth() > 0
                    && e.file_type().is_dir()
                    && self.other_repo(e.path())
                {
                    other_repos.push(e.path().to_path_buf());
                    return false;
                }
                keep
            });
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                // A loop is the tree pointing at itself: its files are read once already.
                Err(e) if e.loop_ancestor().is_some() => continue,
                // A link that leads nowhere is one bad file, not a bad folder.
                Err(e)
                    if e.depth() > 0
                        && e.path().is_some_and(|p| {
                            fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
                        }) =>
                {
                    if let Some(p) = e.path() {
                        dangling.push(p.to_path_buf());
                    }
                    continue;
                }
                Err(e) => {
                    let path = e.path().map(Path::to_path_buf);
                    let io = e
                        .into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("cannot walk the folder"));
                    return Err(match path {
                        Some(p) if p != dir => {
                            std::io::Error::new(io.kind(), format!("{}: {io}", p.display()))
                        }
                        _ => io,
                    });
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            out.push((entry.into_path(), false));
        }
        let marked = refused
            .into_iter()
            .chain(dangling)
            .map(|p| (p, false))
            .chain(other_repos.into_iter().map(|p| (p, true)));
        out.extend(marked);
        Ok(out
            .into_iter()
            .map(|(path, submodule)| {
                let rel = path
                    .strip_prefix(dir)
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_else(|_| path.to_string_lossy().into_owned());
                Found {
                    path,
                    rel,
                    submodule,
                }
            })
            .collect())
    }

    fn read(&self, files: &[(&Path, u64)]) -> Vec<Result<Vec<u8>, InputError>> {
        let out: Vec<_> = files
            .par_iter()
            .map(|(path, limit)| match self.refused(path) {
                Some(why) => Err(InputError::Io(why)),
                None => read_limited(path, *limit).map_err(|e| self.failed(path, e)),
            })
            .collect();
        self.log(files.iter().map(|(p, _)| p.to_path_buf()), &out);
        out
    }

    fn folders(&self, dir: &Path) -> Vec<String> {
        let Ok(entries) = fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut out: Vec<String> = entries
            .filter_map(|e| {
                let e = e.ok()?;
                let name = e.file_name().to_string_lossy().into_owned();
                // Symbolic links to folders count, as the walker follows them; submodules
                // do not, as a commit has no folder there.
                (!name.starts_with('.')
                    && fs::metadata(e.path()).ok()?.is_dir()
                    && !self.other_repo(&e.path()))
                .then_some(name)
            })
            .collect();
        out.sort();
        out
    }

    fn hash(&self, files: &[&Path]) -> Vec<Result<(u64, String), InputError>> {
        let out: Vec<_> = files
            .par_iter()
            .map(|path| match self.refused(path) {
                Some(why) => Err(InputError::Io(why)),
                None => hash_file(path).map_err(|e| self.failed(path, e)),
            })
            .collect();
        self.log(files.iter().map(|p| p.to_path_buf()), &out);
        out
    }
}

/// Hashes a file as a stream, without holding it in memory.
fn hash_file(path: &Path) -> Result<(u64, String), InputError> {
    let mut file = fs::File::open(path).map_err(|e| InputError::Io(e.to_string()))?;
    let mut hasher = techfile_core::digest::Sha256Stream::default();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| InputError::Io(e.to_string()))?;
        if n == 0 {
            return Ok(hasher.finish());
        }
        hasher.update(&buf[..n]);
    }
}

/// Reads a file unless it is larger than `limit`; the size is checked before reading so a
/// huge file costs no memory.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    let file = fs::File::open(path).map_err(|e| InputError::Io(e.to_string()))?;
    let size = file
        .metadata()
        .map_err(|e| InputError::Io(e.to_string()))?
        .len();
    if size > limit {
        return Err(InputError::TooLarge { size, limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // `take` guards against a file that grows while it is read.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::Io(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}
