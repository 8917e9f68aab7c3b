//! Reading the inputs from disk. This is edge code: the binary and the mdBook glue call it,
//! the pure core never does.

use crate::book::Chapter;
use crate::config::Config;
use crate::load::{Input, InputError};
use crate::model::{SourceMap, Span};
use crate::sbom::SbomInput;
use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Makes `path` absolute (against the current directory) and removes `.` and `..`
/// lexically, so that paths can be compared and shown without touching the disk.
pub fn normalize(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `base`, with forward slashes (both made absolute first).
pub fn relative(path: &Path, base: &Path) -> String {
    let path = normalize(path);
    let base = normalize(base);
    let p: Vec<Component<'_>> = path.components().collect();
    let b: Vec<Component<'_>> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".into(); b.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// How paths are shown: to the user running the tool, and to the reader of the book.
pub struct Names {
    /// Base for diagnostics (the current directory).
    pub cwd: PathBuf,
    /// Base for paths printed in the book (the folder holding the book).
    pub project: PathBuf,
}

impl Names {
    pub fn for_book(book_root: &Path) -> Names {
        let root = normalize(book_root);
        Names {
            cwd: normalize(Path::new(".")),
            project: root.parent().map(Path::to_path_buf).unwrap_or(root),
        }
    }

    pub fn diag(&self, p: &Path) -> String {
        relative(p, &self.cwd)
    }

    pub fn book(&self, p: &Path) -> String {
        relative(p, &self.project)
    }
}

/// Reads every `.md` file under the configured item folders, sorted by path so that the
/// order never depends on the file system. A missing folder becomes an unreadable input,
/// which the loader reports, rather than a silently empty book.
pub fn read_items(book_root: &Path, config: &Config, names: &Names) -> Vec<Input> {
    let mut out = Vec::new();
    for folder in &config.items {
        let dir = book_root.join(folder);
        let dir_diag = names.diag(&dir);
        let dir_book = names.book(&dir);
        let mut found = Vec::new();
        let mut visited = std::collections::HashSet::new();
        if let Err(e) = walk(&dir, "md", &mut found, &mut visited) {
            out.push(Input {
                name: dir_diag,
                path: dir_book,
                content: Err(InputError::Folder(format!(
                    "item folder `{folder}` (from [preprocessor.techfile] items) cannot be read: {e}"
                ))),
            });
            continue;
        }
        found.sort();
        // Names are built by joining strings: normalising 100,000 paths one by one costs
        // more than reading the files.
        let join = |base: &str, rel: &str| {
            if base == "." {
                rel.to_string()
            } else {
                format!("{base}/{rel}")
            }
        };
        let contents = read_all(&found, config.max_file_size);
        for (path, content) in found.iter().zip(contents) {
            let rel = path
                .strip_prefix(&dir)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| path.to_string_lossy().into_owned());
            out.push(Input {
                name: join(&dir_diag, &rel),
                path: join(&dir_book, &rel),
                content,
            });
        }
    }
    out
}

/// Reads files on every core; the result keeps the input order.
fn read_all(paths: &[PathBuf], limit: u64) -> Vec<Result<Vec<u8>, InputError>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads < 2 || paths.len() < 64 {
        return paths.iter().map(|p| read_limited(p, limit)).collect();
    }
    let chunk = paths.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|p| read_limited(p, limit))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            // A panic in a reader is a bug; re-raise it rather than lose files.
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

fn walk(
    dir: &Path,
    ext: &str,
    out: &mut Vec<PathBuf>,
    visited: &mut std::collections::HashSet<PathBuf>,
) -> std::io::Result<()> {
    // Symbolic links may point back up the tree; each real folder is read once.
    if !visited.insert(fs::canonicalize(dir)?) {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        // Hidden entries (.git, editor swap files) are never items.
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() || (kind.is_symlink() && path.is_dir()) {
            walk(&path, ext, out, visited)?;
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads the SBOMs: every `*.json` under each configured folder (sorted by path), or a
/// configured file. The default folder may be missing (a book without SBOMs); a folder or
/// file the user named must exist, and when it does not, that becomes an unreadable input
/// which the loader reports.
pub fn read_sboms(book_root: &Path, config: &Config, names: &Names) -> Vec<SbomInput> {
    let (sources, required) = config.sbom_sources();
    let mut out = Vec::new();
    for source in sources {
        let path = book_root.join(&source);
        if path.is_file() {
            let key = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| source.clone());
            out.push(SbomInput {
                input: Input {
                    name: names.diag(&path),
                    path: names.book(&path),
                    content: read_limited(&path, config.max_sbom_size),
                },
                key,
            });
            continue;
        }
        if !path.exists() && !required {
            continue;
        }
        let mut found = Vec::new();
        if let Err(e) = walk(
            &path,
            "json",
            &mut found,
            &mut std::collections::HashSet::new(),
        ) {
            out.push(SbomInput {
                input: Input {
                    name: names.diag(&path),
                    path: names.book(&path),
                    content: Err(InputError::Io(format!(
                        "SBOM source `{source}` (from [preprocessor.techfile] sboms) cannot be read: {e}"
                    ))),
                },
                key: source,
            });
            continue;
        }
        found.sort();
        for file in found {
            let key = file
                .strip_prefix(&path)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| file.to_string_lossy().into_owned());
            out.push(SbomInput {
                input: Input {
                    name: names.diag(&file),
                    path: names.book(&file),
                    content: read_limited(&file, config.max_sbom_size),
                },
                key,
            });
        }
    }
    out
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
    let mut bytes = Vec::with_capacity(size as usize);
    // `take` guards against a file that grows while it is read.
    file.take(limit + 1)
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

/// Finds the `[preprocessor.techfile]` header in book.toml and adds book.toml to the map,
/// so whole-book findings can point at the configuration.
pub fn config_span(map: &mut SourceMap, book_toml: &Path, names: &Names) -> Option<Span> {
    let text = fs::read_to_string(book_toml).ok()?;
    // The table may be written as a header, as dotted keys or inline; point at the first
    // place that names it, else at the start of the file.
    let range = [
        "[preprocessor.techfile]",
        "[preprocessor.techfile",
        "preprocessor.techfile",
        "techfile",
    ]
    .iter()
    .find_map(|pat| text.find(pat).map(|at| at..at + pat.len()))
    .unwrap_or(0..0);
    let file = map.add(names.diag(book_toml), text);
    Some(Span::new(file, range))
}

/// Reads the chapters listed in SUMMARY.md (for `check`, which runs without mdBook).
pub fn read_chapters(
    src: &Path,
    map: &mut SourceMap,
    names: &Names,
) -> Result<Vec<Chapter>, String> {
    let locations = chapter_locations(src, names)?;
    let mut chapters = Vec::new();
    for loc in locations {
        let path = src.join(&loc);
        // mdBook creates missing chapters itself; an absent file is an empty chapter here.
        let text = match fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(_) => String::new(),
        };
        let complete = !crate::links::adds_text_later(&text);
        let file = map.add(names.diag(&path), text);
        chapters.push(Chapter {
            file,
            path: loc.to_string_lossy().replace('\\', "/"),
            complete,
        });
    }
    Ok(chapters)
}

/// The chapter files SUMMARY.md lists, relative to `src`, in reading order.
pub fn chapter_locations(src: &Path, names: &Names) -> Result<Vec<PathBuf>, String> {
    let summary_path = src.join("SUMMARY.md");
    let summary_text = fs::read_to_string(&summary_path)
        .map_err(|e| format!("cannot read {}: {e}", names.diag(&summary_path)))?;
    let summary = mdbook_summary::parse_summary(&summary_text)
        .map_err(|e| format!("cannot parse {}: {e:#}", names.diag(&summary_path)))?;
    let mut locations = Vec::new();
    let mut stack: Vec<&mdbook_summary::SummaryItem> = summary
        .prefix_chapters
        .iter()
        .chain(&summary.numbered_chapters)
        .chain(&summary.suffix_chapters)
        .rev()
        .collect();
    while let Some(item) = stack.pop() {
        if let mdbook_summary::SummaryItem::Link(link) = item {
            if let Some(loc) = &link.location {
                locations.push(loc.clone());
            }
            stack.extend(link.nested_items.iter().rev());
        }
    }
    Ok(locations)
}

/// Every file under the book's `src` folder, relative to it with forward slashes: what
/// links to images and other files may reach (mdBook copies them all but `.md` files).
/// `skip` is mdBook's build folder, which mdBook leaves out when it lies inside `src`.
/// An unreadable folder adds nothing; links into it are then reported as broken.
pub fn list_src_files(src: &Path, skip: &Path) -> BTreeSet<String> {
    fn walk(dir: &Path, rel: &str, skip: &Path, depth: usize, out: &mut BTreeSet<String>) {
        // A symbolic link loop would otherwise recurse until the stack overflows.
        if depth > 64 || dir == skip {
            return;
        }
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            // Like mdBook, follow symbolic links.
            match fs::metadata(&path) {
                Ok(m) if m.is_dir() => walk(&path, &rel, skip, depth + 1, out),
                Ok(m) if m.is_file() => {
                    out.insert(rel);
                }
                _ => {}
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(&normalize(src), "", &normalize(skip), 0, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_walk_up_and_down() {
        assert_eq!(relative(Path::new("/a/b/c.md"), Path::new("/a")), "b/c.md");
        assert_eq!(
            relative(Path::new("/a/req/x.md"), Path::new("/a/book")),
            "../req/x.md"
        );
        assert_eq!(
            relative(Path::new("/a/book/../req/x.md"), Path::new("/a")),
            "req/x.md"
        );
    }

    #[test]
    fn large_files_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.md");
        fs::write(&p, vec![b'a'; 2048]).unwrap();
        assert_eq!(
            read_limited(&p, 1024),
            Err(InputError::TooLarge {
                size: 2048,
                limit: 1024
            })
        );
        assert_eq!(read_limited(&p, 4096).unwrap().len(), 2048);
        assert!(matches!(
            read_limited(&dir.path().join("none.md"), 10),
            Err(InputError::Io(_))
        ));
    }
}
