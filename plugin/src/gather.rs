//! Gathering the inputs of an analysis, once, with one policy, from a [`Tree`]: the disk
//! ([`FsTree`]) or a git revision ([`crate::gittree::GitTree`]). This is the only place that
//! decides which files are inputs; the analysis, the stamp's hashes, the document control
//! page, the bundle and `diff` all work from what it returns.
//!
//! The policy:
//! - folders are walked recursively, in sorted path order (by path components, so a
//!   folder's files come before its sibling `a.md` when the folder sorts first), the same
//!   order on the disk and in git; on the disk symbolic links are followed and a link back
//!   up the tree is not followed again;
//! - hidden entries (a name starting with `.`: `.git`, editor swap files) are skipped;
//! - item files are the `*.md` files under the `items` folders; SBOMs are the `*.json` files
//!   under the `sboms` folders, or a configured file whatever its name; nothing else in
//!   those folders is read, hashed, listed or shipped;
//! - a file larger than its limit (`max-file-size`, `max-sbom-size`) is reported, not read;
//!   its size is checked before reading, so a huge file costs no memory;
//! - a folder or file that cannot be read becomes an unreadable input, which the analysis
//!   reports as an error: nothing is dropped silently.

pub use crate::paths::{Names, normalize, relative};
pub use crate::tree::{Entry, Found, FsTree, Tree, read_limited};
use anyhow::{Context, Result};
use mdbook_preprocessor::config::Config as BookConfig;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use techfile_core::config::Config;
use techfile_core::load::{Input, InputError};
use techfile_core::model::Date;
use techfile_core::sbom::SbomInput;
use techfile_core::stamp::SbomFolder;
use techfile_core::{BookInputs, ChapterInput, Inputs};

/// What went wrong reading an input, in words.
pub fn input_error_text(e: &InputError) -> String {
    match e {
        InputError::Io(s) | InputError::Folder(s) => s.clone(),
        InputError::TooLarge { size, limit } => {
            format!("{size} bytes, more than the limit of {limit} bytes")
        }
    }
}

/// Whether a path relative to a walked folder passes through a hidden entry.
fn is_hidden(rel: &str) -> bool {
    rel.split('/').any(|part| part.starts_with('.'))
}

/// Every file under `dir` in `tree` whose name ends with `.{ext}` (every file when `ext`
/// is `None`), sorted by path components. Hidden entries are skipped unless `hidden`.
/// `Err` when `dir` or a folder under it cannot be listed.
fn walk(
    tree: &dyn Tree,
    dir: &Path,
    ext: Option<&str>,
    hidden: bool,
) -> std::io::Result<Vec<Found>> {
    let mut found = tree.files(dir, hidden, None)?;
    found.retain(|f| {
        (hidden || !is_hidden(&f.rel))
            && ext.is_none_or(|ext| {
                f.rel
                    .rsplit('/')
                    .next()
                    .and_then(|name| name.rsplit_once('.'))
                    .is_some_and(|(stem, e)| !stem.is_empty() && e == ext)
            })
    });
    found.sort_by(|a, b| a.rel.split('/').cmp(b.rel.split('/')));
    Ok(found)
}

/// Joins a folder's display name and a path inside it. Names are built by joining strings:
/// normalising 100,000 paths one by one costs more than reading the files.
fn join(base: &str, rel: &str) -> String {
    if base == "." {
        rel.to_string()
    } else {
        format!("{base}/{rel}")
    }
}

/// Reads every `*.md` file under the configured item folders, sorted by path within each
/// folder. A folder that cannot be walked becomes one unreadable input.
pub fn items(tree: &dyn Tree, book_root: &Path, config: &Config, names: &Names) -> Vec<Input> {
    let mut out = Vec::new();
    for folder in &config.items {
        let dir = book_root.join(folder);
        let dir_diag = names.diag(&dir);
        let dir_book = names.book(&dir);
        let found = match walk(tree, &dir, Some("md"), false) {
            Ok(found) => found,
            Err(e) => {
                out.push(Input {
                    name: dir_diag,
                    path: dir_book,
                    content: Err(InputError::Folder(format!(
                        "item folder `{folder}` (from [preprocessor.techfile] items) cannot be read: {e}"
                    ))),
                });
                continue;
            }
        };
        let requests: Vec<(&Path, u64)> = found
            .iter()
            .map(|f| (f.path.as_path(), config.max_file_size))
            .collect();
        for (f, content) in found.iter().zip(tree.read(&requests)) {
            out.push(Input {
                name: join(&dir_diag, &f.rel),
                path: join(&dir_book, &f.rel),
                content,
            });
        }
    }
    out
}

/// Reads the SBOMs: every `*.json` under each configured folder (sorted by path), or a
/// configured file. The default folder may be missing (a book without SBOMs); a folder or
/// file the user named must exist, and when it does not, that becomes an unreadable input.
/// Also returns each configured source with whether it exists, for the bundle.
pub fn sboms(
    tree: &dyn Tree,
    book_root: &Path,
    config: &Config,
    names: &Names,
) -> (Vec<SbomInput>, Vec<SbomFolder>) {
    let (sources, required) = config.sbom_sources();
    let mut out = Vec::new();
    let mut folders = Vec::new();
    for source in sources {
        let path = book_root.join(&source);
        let entry = tree.entry(&path);
        folders.push(SbomFolder {
            configured: source.clone(),
            path: names.book(&path),
            found: entry != Entry::Missing,
        });
        if entry == Entry::File {
            let key = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| source.clone());
            let content = tree
                .read(&[(path.as_path(), config.max_sbom_size)])
                .pop()
                .unwrap_or_else(|| Err(InputError::Io("not read".into())));
            out.push(SbomInput {
                input: Input {
                    name: names.diag(&path),
                    path: names.book(&path),
                    content,
                },
                key,
            });
            continue;
        }
        if entry == Entry::Missing && !required {
            continue;
        }
        let found = match walk(tree, &path, Some("json"), false) {
            Ok(found) => found,
            Err(e) => {
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
        };
        let (dir_diag, dir_book) = (names.diag(&path), names.book(&path));
        let requests: Vec<(&Path, u64)> = found
            .iter()
            .map(|f| (f.path.as_path(), config.max_sbom_size))
            .collect();
        let contents = tree.read(&requests);
        for (f, content) in found.into_iter().zip(contents) {
            out.push(SbomInput {
                input: Input {
                    name: join(&dir_diag, &f.rel),
                    path: join(&dir_book, &f.rel),
                    content,
                },
                key: f.rel,
            });
        }
    }
    (out, folders)
}

/// A whole file read for the stamp and for findings (book.toml, SUMMARY.md).
fn whole(tree: &dyn Tree, path: &Path, names: &Names) -> Input {
    Input {
        name: names.diag(path),
        path: names.book(path),
        content: tree.read_whole(path),
    }
}

/// The chapter files SUMMARY.md lists, relative to `src`, in reading order.
pub fn chapter_locations(tree: &dyn Tree, src: &Path, names: &Names) -> Result<Vec<PathBuf>> {
    let summary_path = src.join("SUMMARY.md");
    let bytes = tree
        .read_whole(&summary_path)
        .map_err(|e| anyhow::anyhow!(input_error_text(&e)))
        .with_context(|| format!("cannot read {}", names.diag(&summary_path)))?;
    let summary_text = String::from_utf8(bytes)
        .with_context(|| format!("cannot read {}", names.diag(&summary_path)))?;
    let summary = mdbook_summary::parse_summary(&summary_text)
        .with_context(|| format!("cannot parse {}", names.diag(&summary_path)))?;
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

/// A chapter mdBook handed to the preprocessor: where it is on disk and its text now.
pub struct GivenChapter {
    /// The file, relative to `src` (`Chapter::source_path`), when there is one.
    pub source: Option<PathBuf>,
    /// Path relative to `src` as mdBook renders it.
    pub path: String,
    pub text: String,
}

/// Where the chapters come from: SUMMARY.md and the tree (`check`, the bundle renderer,
/// `diff`), or mdBook's book (the preprocessor).
pub enum Chapters {
    FromSummary,
    Given(Vec<GivenChapter>),
}

/// The book around the items: book.toml, SUMMARY.md, the chapters, the files under `src`
/// and the Markdown options.
pub fn book(
    tree: &dyn Tree,
    book_root: &Path,
    book_config: &BookConfig,
    names: &Names,
    chapters: Chapters,
) -> Result<BookInputs> {
    let src = book_root.join(&book_config.book.src);
    let chapters = match chapters {
        Chapters::FromSummary => chapter_locations(tree, &src, names)?
            .into_iter()
            .map(|loc| {
                let path = src.join(&loc);
                let file = whole(tree, &path, names);
                // mdBook creates missing chapters itself; an absent file is an empty chapter.
                let complete = file.content.as_ref().map_or(true, |b| {
                    !techfile_core::links::adds_text_later(&String::from_utf8_lossy(b))
                });
                ChapterInput {
                    file,
                    path: crate::bookconfig::rendered_path(
                        &loc.to_string_lossy().replace('\\', "/"),
                        book_config,
                    ),
                    text: None,
                    complete,
                }
            })
            .collect(),
        Chapters::Given(given) => given
            .into_iter()
            .map(|g| {
                let file = match &g.source {
                    Some(s) => whole(tree, &src.join(s), names),
                    // A chapter mdBook made up has no file; findings still name its place.
                    None => {
                        let p = src.join(&g.path);
                        Input {
                            name: names.diag(&p),
                            path: names.book(&p),
                            content: Err(InputError::Io("no file".into())),
                        }
                    }
                };
                ChapterInput {
                    file,
                    path: g.path,
                    text: Some(g.text),
                    // mdBook's own preprocessors ran before this one: the text is final.
                    complete: true,
                }
            })
            .collect(),
    };
    Ok(BookInputs {
        book_toml: Some(whole(tree, &book_root.join("book.toml"), names)),
        summary: Some(whole(tree, &src.join("SUMMARY.md"), names)),
        chapters,
        src_files: src_files(tree, &src, &book_root.join(&book_config.build.build_dir)),
        markdown: crate::bookconfig::markdown_options(book_config),
    })
}

/// Every file under the book's `src` folder, relative to it with forward slashes: what
/// links to images and other files may reach (mdBook copies them all but `.md` files).
/// `skip` is mdBook's build folder, which mdBook leaves out when it lies inside `src`.
/// Hidden files count here: mdBook copies them too. An unreadable folder adds nothing;
/// links into it are then reported as broken.
pub fn src_files(tree: &dyn Tree, src: &Path, skip: &Path) -> BTreeSet<String> {
    let src = normalize(src);
    let skip = normalize(skip);
    let skip_rel = skip
        .strip_prefix(&src)
        .ok()
        .map(|r| r.to_string_lossy().replace('\\', "/"))
        .filter(|r| !r.is_empty());
    tree.files(&src, true, Some(&skip))
        .unwrap_or_default()
        .into_iter()
        .map(|f| f.rel)
        .filter(|rel| {
            skip_rel
                .as_deref()
                .is_none_or(|s| !(rel == s || rel.starts_with(&format!("{s}/"))))
        })
        .collect()
}

/// Gathers every input of the book at `root` in `tree` (chapters from `chapters`), for an
/// analysis as of `today`, without the stamp's facts.
pub fn gather_tree(
    tree: &dyn Tree,
    root: &Path,
    book_config: &BookConfig,
    config: Config,
    names: &Names,
    chapters: Chapters,
    today: Option<Date>,
) -> Result<(Inputs, Vec<SbomFolder>)> {
    let items = items(tree, root, &config, names);
    let (sboms, sbom_folders) = sboms(tree, root, &config, names);
    let book = book(tree, root, book_config, names, chapters)?;
    let inputs = Inputs {
        config,
        items,
        sboms,
        book,
        stamp: None,
        today,
    };
    Ok((inputs, sbom_folders))
}

/// Gathers every input of the book at `root` on the disk (chapters from `chapters`) and,
/// when `[preprocessor.techfile.bundle]` is set, the stamp's facts. Returns the notes too.
pub fn gather_inputs(
    root: &Path,
    book_config: &BookConfig,
    config: Config,
    names: &Names,
    chapters: Chapters,
) -> Result<(Inputs, Vec<String>)> {
    let today = crate::facts::today()?;
    let (mut inputs, sbom_folders) =
        gather_tree(&FsTree, root, book_config, config, names, chapters, today)?;
    let (stamp, notes) = match &inputs.config.bundle {
        Some(bundle) => {
            let (facts, notes) =
                crate::facts::stamp_facts(root, book_config, &inputs.config, bundle, sbom_folders)?;
            (Some(facts), notes)
        }
        None => (None, Vec::new()),
    };
    inputs.stamp = stamp;
    Ok((inputs, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

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

    #[test]
    fn walks_are_sorted_skip_hidden_entries_and_filter_by_extension() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "b.md",
            "a/z.md",
            "a/y.txt",
            ".hidden/x.md",
            "a/.swp.md",
            "c.json",
        ] {
            let p = dir.path().join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "x").unwrap();
        }
        let rel = |found: Vec<Found>| found.into_iter().map(|f| f.rel).collect::<Vec<_>>();
        assert_eq!(
            rel(walk(&FsTree, dir.path(), Some("md"), false).unwrap()),
            ["a/z.md", "b.md"]
        );
        assert_eq!(
            rel(walk(&FsTree, dir.path(), Some("json"), false).unwrap()),
            ["c.json"]
        );
        assert_eq!(walk(&FsTree, dir.path(), None, true).unwrap().len(), 6);
        assert!(walk(&FsTree, &dir.path().join("none"), Some("md"), false).is_err());
    }
}
