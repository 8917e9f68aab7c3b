//! Where inputs are read from: a tree of files that [`crate::gather`] walks with its one
//! policy. Two trees exist: the file system ([`FsTree`]) and a git revision
//! ([`crate::gittree::GitTree`]), so that a book is gathered the same way from the disk and
//! from any commit. A tree only lists and reads; which files count, in which order, and
//! what is too large is decided by `gather`.

use rayon::prelude::*;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
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
}

/// A tree of files. Paths are absolute, as on the disk: a git revision is seen at the
/// place of its repository's working tree.
pub trait Tree: Sync {
    /// What `path` is.
    fn entry(&self, path: &Path) -> Entry;

    /// Every file under `dir`, in any order. Entries whose name starts with `.` below `dir`
    /// may be left out unless `hidden`, and so may the folder `skip`: `gather` filters
    /// again, so this is only a shortcut. `Err` when `dir` or a folder under it cannot be
    /// listed.
    fn files(&self, dir: &Path, hidden: bool, skip: Option<&Path>) -> std::io::Result<Vec<Found>>;

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

/// The file system.
pub struct FsTree;

impl Tree for FsTree {
    fn entry(&self, path: &Path) -> Entry {
        match fs::metadata(path) {
            Ok(m) if m.is_dir() => Entry::Dir,
            Ok(_) => Entry::File,
            Err(_) => Entry::Missing,
        }
    }

    /// Symbolic links are followed; a link that leads back into a folder already being
    /// walked is skipped (each real folder is read once).
    fn files(&self, dir: &Path, hidden: bool, skip: Option<&Path>) -> std::io::Result<Vec<Found>> {
        let mut out = Vec::new();
        let walker = WalkDir::new(dir)
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| {
                (hidden || e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
                    && skip.is_none_or(|s| e.path() != s)
            });
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                // A loop is the tree pointing at itself: its files are read once already.
                Err(e) if e.loop_ancestor().is_some() => continue,
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
            let path = entry.into_path();
            let rel = path
                .strip_prefix(dir)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| path.to_string_lossy().into_owned());
            out.push(Found { path, rel });
        }
        Ok(out)
    }

    fn read(&self, files: &[(&Path, u64)]) -> Vec<Result<Vec<u8>, InputError>> {
        files
            .par_iter()
            .map(|(path, limit)| read_limited(path, *limit))
            .collect()
    }

    fn folders(&self, dir: &Path) -> Vec<String> {
        let Ok(entries) = fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut out: Vec<String> = entries
            .filter_map(|e| {
                let e = e.ok()?;
                let name = e.file_name().to_string_lossy().into_owned();
                // Symbolic links to folders count, as the walker follows them.
                (!name.starts_with('.') && fs::metadata(e.path()).ok()?.is_dir()).then_some(name)
            })
            .collect();
        out.sort();
        out
    }

    fn hash(&self, files: &[&Path]) -> Vec<Result<(u64, String), InputError>> {
        files.par_iter().map(|path| hash_file(path)).collect()
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
