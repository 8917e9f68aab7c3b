//! Gathering the inputs of an analysis, once, with one policy, from a [`Tree`]: the disk
//! ([`FsTree`]) or a git revision ([`crate::gittree::GitTree`]). This is the only place that
//! decides which files are inputs; the analysis, the stamp's hashes, the document control
//! page, the bundle and `diff` all work from what it returns, and a revision read from git
//! is gathered exactly like the disk.
//!
//! The policy:
//! - folders are walked recursively, in sorted path order (by path components, so a
//!   folder's files come before its sibling `a.md` when the folder sorts first), the same
//!   order on the disk and in git; symbolic links are followed, to files and to folders
//!   (the files under a linked folder are listed at the link's path), and a link back to a
//!   folder above, one being walked or one above the walked folder, is not followed again
//!   (walkdir's loop check, which `GitTree` reproduces), so such a folder is read once;
//! - a symbolic link that leads out of the repository (or, outside git, out of the folder
//!   that holds the book's folder), or leads nowhere, is listed at its own path and not
//!   read, so it becomes one unreadable input there and the rest of its folder is read: the
//!   disk ([`FsTree::for_book`]) and a commit agree, as a commit cannot hold outside bytes;
//! - a git submodule in an input folder (on the disk a folder with a `.git` entry below the
//!   walked folder or at a path `.gitmodules` registers, initialised or not; in a commit a
//!   gitlink) is another repository: it is not entered and is listed at its own path
//!   whatever its name, in every kind of folder (items, SBOMs, reviews, support tables,
//!   advisories, VEX, evidence), where reading it gives [`crate::tree::SUBMODULE`] on both
//!   trees, so it becomes one unreadable input of that kind; an `exclude` pattern naming it
//!   (as a folder) silences it in an item folder, the other folders have no `exclude` (it
//!   is moved out). `src` and the
//!   theme are walked as mdBook reads them ([`Submodules::AsMdBook`]);
//! - hidden entries (a name starting with `.`: `.git`, editor swap files) are skipped;
//! - item files are the `*.md` files under the `items` folders, but those the `exclude`
//!   patterns name (gitignore syntax, relative to each item folder, after the defaults
//!   `README.md` and `_*.md`: a folder's read-me and templates are not items); SBOMs are the
//!   `*.json` files under the `sboms` folders, or a configured file whatever its name (the
//!   `*.xml` files of those folders are named, unread, for the core to point out); review
//!   records and support tables are the `*.toml` files under the review and support folders;
//!   nothing else in those folders is read, hashed, listed or shipped;
//! - every file under an advisory folder (the `advisories` setting, or
//!   `revalidate --advisories`) is listed, and the core reports those that are not `*.json`
//!   OSV records; VEX sources (the `vex` setting, `revalidate --vex`) are files, or folders
//!   whose `*.json` files are read; VEX documents in the SBOM folders are read as SBOMs.
//!   What the book's configuration names comes from the book's tree (a git revision for
//!   `diff`), what the command line names from the disk;
//! - an item folder that does not exist stops the run with one configuration error at the
//!   path in book.toml (with the closest existing folder), instead of every link and
//!   coverage rule failing after it; so does an `exclude` pattern that is not valid. Both
//!   are checked when the configuration is read ([`item_source_findings`] from
//!   `bookconfig::load_from`), with its other errors;
//! - every file under the evidence folder is evidence: hashed as a stream (it may be a
//!   large report), and read whole only when it is a JUnit report (`*.xml`);
//! - the book is SUMMARY.md's chapters (read with mdBook's parser and loader path rules),
//!   every file under `src` (hidden ones too: mdBook copies them) and the files the
//!   chapters include, followed to the files those include, outside `src` too, as mdBook
//!   reads them;
//! - a file larger than its limit (`max-file-size`, `max-sbom-size`, `max-advisory-size`,
//!   `evidence.max-junit-size`) is reported, not read; its size is checked before reading,
//!   so a huge file costs no memory;
//! - a folder or file that cannot be read becomes an unreadable input, which the analysis
//!   reports as an error: nothing is dropped silently.

use crate::bookconfig::Loaded;
pub use crate::paths::{Names, normalize, relative};
pub use crate::tree::{Entry, Found, FsTree, Submodules, Tree, read_limited};
use anyhow::{Context, Result};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use mdbook_preprocessor::config::Config as BookConfig;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use techfile_core::advisory::{AdvisoryDir, AdvisoryFile};
use techfile_core::config::{Config, DEFAULT_EXCLUDE};
use techfile_core::diag::{Code, Diagnostic};
use techfile_core::evidence::EvidenceFile;
use techfile_core::includes;
use techfile_core::load::{Input, InputError};
use techfile_core::model::Span;
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
    let mut found = tree.files(dir, hidden, None, Submodules::Listed)?;
    // A submodule is kept whatever its name: reading it says why its files are not read.
    found.retain(|f| {
        (hidden || !is_hidden(&f.rel))
            && (f.submodule || ext.is_none_or(|ext| has_ext(&f.rel, ext)))
    });
    found.sort_by(|a, b| a.rel.split('/').cmp(b.rel.split('/')));
    Ok(found)
}

/// Whether the file name at the end of `rel` ends with `.{ext}` after a non-empty stem.
fn has_ext(rel: &str, ext: &str) -> bool {
    rel.rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .is_some_and(|(stem, e)| !stem.is_empty() && e == ext)
}

/// Reads the files found, each unless it is larger than `limit`, in order.
fn read_found(tree: &dyn Tree, found: &[Found], limit: u64) -> Vec<Result<Vec<u8>, InputError>> {
    let requests: Vec<(&Path, u64)> = found.iter().map(|f| (f.path.as_path(), limit)).collect();
    tree.read(&requests)
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
        // The patterns were checked with the configuration; one that fails now excludes
        // nothing rather than dropping files silently.
        let excluded =
            exclude_matcher(&dir, &config.exclude).unwrap_or_else(|_| Gitignore::empty());
        let found: Vec<Found> = found
            .into_iter()
            // Matched by the path inside the item folder: a git tree's paths and the
            // folder as configured (`../requirements`) need not share a spelling.
            .filter(|f| {
                // A submodule is a folder: `sub/` names it as `sub` does.
                !excluded
                    .matched_path_or_any_parents(Path::new(&f.rel), f.submodule)
                    .is_ignore()
            })
            .collect();
        for (f, content) in found
            .iter()
            .zip(read_found(tree, &found, config.max_file_size))
        {
            out.push(Input {
                name: join(&dir_diag, &f.rel),
                path: join(&dir_book, &f.rel),
                content,
            });
        }
    }
    out
}

/// The `exclude` patterns of an item folder, after the defaults ([`DEFAULT_EXCLUDE`]), as
/// a gitignore matcher rooted at `dir`.
///
/// # Errors
///
/// Each pattern that is not valid gitignore syntax, with where it is written and why.
pub fn exclude_matcher(
    dir: &Path,
    patterns: &[(String, Span)],
) -> Result<Gitignore, Vec<(Span, String)>> {
    let mut builder = GitignoreBuilder::new(dir);
    for p in DEFAULT_EXCLUDE {
        // The defaults are fixed, valid patterns.
        let _ = builder.add_line(None, p);
    }
    let mut bad = Vec::new();
    for (p, span) in patterns {
        if let Err(e) = builder.add_line(None, p) {
            bad.push((*span, e.to_string()));
        }
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    builder.build().map_err(|e| {
        patterns
            .iter()
            .map(|(_, span)| (*span, e.to_string()))
            .take(1)
            .collect()
    })
}

/// The findings about the item sources, checked before anything is read: every item folder
/// exists and every `exclude` pattern is valid. A misspelt folder would otherwise make every
/// link to the items in it unknown and every coverage rule fail, burying the one real
/// mistake. Each finding is at the folder or pattern in book.toml (or at `table`, the
/// `[preprocessor.techfile]` table, for the default folder). With `partial` (the
/// configuration has other findings, and a key with a finding kept its default) the default
/// item folder is not checked: it may stand for an `items` value that was not valid.
pub fn item_source_findings(
    tree: &dyn Tree,
    root: &Path,
    config: &Config,
    table: Option<Span>,
    partial: bool,
) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    let written_only = partial && config.item_spans.is_empty();
    for (n, folder) in config.items.iter().enumerate() {
        let path = root.join(folder);
        if written_only || tree.entry(&path) == Entry::Dir {
            continue;
        }
        let written = config.item_spans.get(n).copied();
        let (message, label) = match written {
            Some(_) => (
                format!("item folder `{folder}` does not exist"),
                "no folder at this path, relative to the book root",
            ),
            None => (
                format!("item folder `{folder}` (the default of `items`) does not exist"),
                "the items are read from `../requirements` unless `items` says otherwise",
            ),
        };
        let help = match closest_folder(tree, &path) {
            Some(near) => {
                let fixed = match folder.rsplit_once('/') {
                    Some((parent, _)) => format!("{parent}/{near}"),
                    None => near,
                };
                format!("did you mean `{fixed}`? Paths in `items` are relative to the folder that holds book.toml")
            }
            None => "create the folder, or fix the path in `items` of [preprocessor.techfile] (paths are relative to the folder that holds book.toml)".into(),
        };
        let d = Diagnostic::new(Code::ConfigInvalidValue, message).help(help);
        findings.push(match written.or(table) {
            Some(span) => d.at(span, label),
            None => d,
        });
    }
    let dir = root.join(config.items.first().map_or("", String::as_str));
    if let Err(bad) = exclude_matcher(&dir, &config.exclude) {
        for (span, why) in bad {
            findings.push(
                Diagnostic::new(
                    Code::ConfigInvalidValue,
                    format!("an `exclude` pattern is not valid: {why}"),
                )
                .at(span, "not a gitignore pattern")
                .help("write patterns as in .gitignore: `notes/`, `*.tmpl.md`, `drafts/**/*.md`, `!keep.md`"),
            );
        }
    }
    techfile_core::diag::sort(&mut findings);
    findings
}

/// The name of the existing folder next to `path` closest to its name, for a typo.
fn closest_folder(tree: &dyn Tree, path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let siblings = tree.folders(path.parent()?);
    techfile_core::suggest::closest(&name, siblings.iter().map(String::as_str)).map(str::to_owned)
}

/// Reads the SBOMs: every `*.json` under each configured folder (sorted by path), or a
/// configured file. The default folder may be missing (a book without SBOMs); a folder or
/// file the user named must exist, and when it does not, that becomes an unreadable input.
/// Also returns each configured source with whether it exists, for the bundle, and the
/// `*.xml` files of the folders (CycloneDX XML, not read: the analysis points them out).
pub fn sboms(
    tree: &dyn Tree,
    book_root: &Path,
    config: &Config,
    names: &Names,
) -> (Vec<SbomInput>, Vec<SbomFolder>, Vec<String>) {
    let (sources, required) = config.sbom_sources();
    let mut out = Vec::new();
    let mut folders = Vec::new();
    let mut xml = Vec::new();
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
            out.push(SbomInput {
                input: Input {
                    name: names.diag(&path),
                    path: names.book(&path),
                    content: tree
                        .read(&[(path.as_path(), config.max_sbom_size)])
                        .pop()
                        .unwrap_or_else(|| Err(InputError::Io("not read".into()))),
                },
                key,
            });
            continue;
        }
        if entry == Entry::Missing && !required {
            continue;
        }
        // One walk for both: the XML files are only named.
        let found = match walk(tree, &path, None, false) {
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
        xml.extend(
            found
                .iter()
                .filter(|f| !f.submodule && has_ext(&f.rel, "xml"))
                .map(|f| join(&dir_diag, &f.rel)),
        );
        // A submodule stays whatever its name: reading it says why its files are not SBOMs.
        let found: Vec<Found> = found
            .into_iter()
            .filter(|f| f.submodule || has_ext(&f.rel, "json"))
            .collect();
        let contents = read_found(tree, &found, config.max_sbom_size);
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
    (out, folders, xml)
}

/// Reads the review records: every `*.toml` under the review folder, sorted by path. The
/// default folder may be missing (a book that keeps no reviews yet); a folder the user named
/// must exist, and when it does not, that becomes an unreadable input.
pub fn reviews(tree: &dyn Tree, book_root: &Path, config: &Config, names: &Names) -> Vec<Input> {
    let (folder, required) = config.review.folder();
    let dir = book_root.join(folder);
    if tree.entry(&dir) == Entry::Missing && !required {
        return Vec::new();
    }
    let (dir_diag, dir_book) = (names.diag(&dir), names.book(&dir));
    match walk(tree, &dir, Some("toml"), false) {
        // A record is a few hundred bytes; the item limit bounds a stray file.
        Ok(found) => found
            .iter()
            .zip(read_found(tree, &found, config.max_file_size))
            .map(|(f, content)| Input {
                name: join(&dir_diag, &f.rel),
                path: join(&dir_book, &f.rel),
                content,
            })
            .collect(),
        Err(e) => vec![Input {
            name: dir_diag,
            path: dir_book,
            content: Err(InputError::Folder(format!(
                "review folder `{folder}` (from [preprocessor.techfile.review] folder) cannot be read: {e}"
            ))),
        }],
    }
}

/// Every `*.{ext}` file under a folder of the book's configuration, sorted by path; the
/// default folder may be absent, a configured one must exist. `what` names the setting
/// in the finding about a folder that cannot be read.
fn folder_files(
    tree: &dyn Tree,
    book_root: &Path,
    (folder, required): (&str, bool),
    (ext, limit): (&str, u64),
    what: &str,
    names: &Names,
) -> Vec<Input> {
    let dir = book_root.join(folder);
    if tree.entry(&dir) == Entry::Missing && !required {
        return Vec::new();
    }
    let (dir_diag, dir_book) = (names.diag(&dir), names.book(&dir));
    match walk(tree, &dir, Some(ext), false) {
        Ok(found) => found
            .iter()
            .zip(read_found(tree, &found, limit))
            .map(|(f, content)| Input {
                name: join(&dir_diag, &f.rel),
                path: join(&dir_book, &f.rel),
                content,
            })
            .collect(),
        Err(e) => vec![Input {
            name: dir_diag,
            path: dir_book,
            content: Err(InputError::Folder(format!(
                "folder `{folder}` (from {what}) cannot be read: {e}"
            ))),
        }],
    }
}

/// The support tables: every `*.toml` under the support folder.
pub fn support(tree: &dyn Tree, book_root: &Path, config: &Config, names: &Names) -> Vec<Input> {
    folder_files(
        tree,
        book_root,
        config.support.folder(),
        ("toml", config.max_file_size),
        "[preprocessor.techfile.support] folder",
        names,
    )
}

/// Reads advisory folders of OSV records, each already resolved to a path in `tree`: the
/// `advisories` setting's folders from the book's tree, `revalidate --advisories` folders
/// (outside the book) from the disk. Every file of a folder is listed, not only `*.json`:
/// the core reports the others (an archive not unpacked, a stray file) instead of the
/// snapshot silently holding fewer records. Each file is refused unread above `limit`
/// (`max-advisory-size`). `origin` says in findings where the folder was named.
pub fn advisory_dirs(
    tree: &dyn Tree,
    dirs: &[PathBuf],
    origin: &str,
    limit: u64,
    names: &Names,
) -> Vec<AdvisoryDir> {
    dirs.iter()
        .map(|dir| {
            let (name, path) = (names.diag(dir), names.book(dir));
            let files = listed(tree, dir, None)
                .map_err(|e| format!("advisory folder `{name}` ({origin}) cannot be read: {e}"))
                .map(|found| {
                    let contents = read_found(tree, &found, limit);
                    found
                        .into_iter()
                        .zip(contents)
                        .map(|(f, content)| AdvisoryFile {
                            name: join(&name, &f.rel),
                            rel: f.rel,
                            content,
                        })
                        .collect()
                });
            AdvisoryDir { name, path, files }
        })
        .collect()
}

/// Reads VEX sources, each a file or a folder whose `*.json` files are read: the `vex`
/// setting's from the book's tree (so `diff` sees each revision's statements),
/// `revalidate --vex` files from the disk. Each is refused unread above `limit`.
pub fn vex_documents(
    tree: &dyn Tree,
    sources: &[PathBuf],
    origin: &str,
    limit: u64,
    names: &Names,
) -> Vec<Input> {
    let mut out = Vec::new();
    for source in sources {
        let (name, path) = (names.diag(source), names.book(source));
        if tree.entry(source) != Entry::Dir {
            out.push(Input {
                name,
                path,
                content: tree
                    .read(&[(source.as_path(), limit)])
                    .pop()
                    .unwrap_or_else(|| Err(InputError::Io("not read".into()))),
            });
            continue;
        }
        match listed(tree, source, Some("json")) {
            Ok(found) => {
                let contents = read_found(tree, &found, limit);
                out.extend(found.into_iter().zip(contents).map(|(f, content)| Input {
                    name: join(&name, &f.rel),
                    path: join(&path, &f.rel),
                    content,
                }));
            }
            Err(e) => out.push(Input {
                content: Err(InputError::Folder(format!(
                    "VEX folder `{name}` ({origin}) cannot be read: {e}"
                ))),
                name,
                path,
            }),
        }
    }
    out
}

/// [`walk`] of a folder that must exist, with why not in words.
fn listed(tree: &dyn Tree, dir: &Path, ext: Option<&str>) -> Result<Vec<Found>, String> {
    match tree.entry(dir) {
        Entry::Dir => walk(tree, dir, ext, false).map_err(|e| e.to_string()),
        Entry::File => Err("it is not a folder".into()),
        Entry::Missing => Err("no such folder".into()),
    }
}

/// The evidence files: every file under the evidence folder, hashed as a stream (an
/// evidence file may be a large report); JUnit reports (`*.xml`) are read whole, up to
/// `evidence.max-junit-size`, for the core to parse.
pub fn evidence(
    tree: &dyn Tree,
    book_root: &Path,
    config: &Config,
    names: &Names,
) -> Vec<EvidenceFile> {
    let (folder, required) = config.evidence.folder();
    let dir = book_root.join(folder);
    if tree.entry(&dir) == Entry::Missing && !required {
        return Vec::new();
    }
    let (dir_diag, dir_book) = (names.diag(&dir), names.book(&dir));
    let found = match walk(tree, &dir, None, false) {
        Ok(found) => found,
        Err(e) => {
            return vec![EvidenceFile {
                name: dir_diag,
                path: dir_book,
                rel: String::new(),
                digest: Err(InputError::Folder(format!(
                    "evidence folder `{folder}` (from [preprocessor.techfile.evidence] folder) cannot be read: {e}"
                ))),
                content: None,
            }];
        }
    };
    let is_xml = |f: &Found| techfile_core::evidence::is_xml(&f.rel);
    // JUnit reports are read whole in one batch; everything else, and a report too large
    // to parse, is only hashed.
    let reports: Vec<Found> = found.iter().filter(|f| is_xml(f)).cloned().collect();
    let mut read = read_found(tree, &reports, config.evidence.max_junit_size).into_iter();
    let mut read_by_file: Vec<Option<Result<Vec<u8>, InputError>>> = found
        .iter()
        .map(|f| if is_xml(f) { read.next() } else { None })
        .collect();
    let to_hash: Vec<&Path> = found
        .iter()
        .zip(&read_by_file)
        .filter(|(_, r)| matches!(r, None | Some(Err(InputError::TooLarge { .. }))))
        .map(|(f, _)| f.path.as_path())
        .collect();
    let mut hashed = tree.hash(&to_hash).into_iter();
    found
        .iter()
        .zip(read_by_file.iter_mut())
        .map(|(f, read)| {
            let name = join(&dir_diag, &f.rel);
            let path = join(&dir_book, &f.rel);
            let not_hashed = || Err(InputError::Io("not hashed".into()));
            match read.take() {
                Some(Ok(bytes)) => EvidenceFile::from_bytes(&name, &path, &f.rel, bytes),
                Some(Err(e @ InputError::TooLarge { .. })) => EvidenceFile {
                    digest: hashed.next().unwrap_or_else(not_hashed),
                    content: Some(Err(e)),
                    name,
                    path,
                    rel: f.rel.clone(),
                },
                Some(Err(e)) => EvidenceFile {
                    digest: Err(e.clone()),
                    content: Some(Err(e)),
                    name,
                    path,
                    rel: f.rel.clone(),
                },
                None => EvidenceFile {
                    digest: hashed.next().unwrap_or_else(not_hashed),
                    content: None,
                    name,
                    path,
                    rel: f.rel.clone(),
                },
            }
        })
        .collect()
}

/// A whole file read for the stamp and for findings (book.toml, SUMMARY.md).
fn whole(tree: &dyn Tree, path: &Path, names: &Names) -> Input {
    Input {
        name: names.diag(path),
        path: names.book(path),
        content: tree.read_whole(path),
    }
}

/// A chapter SUMMARY.md lists, as mdBook loads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryChapter {
    /// The link text: mdBook titles a chapter file it creates with it.
    pub name: String,
    /// The file relative to `src`, with forward slashes, named as mdBook names the
    /// chapter: `./a.md` and `a//b.md` are `a.md` and `a/b.md`, `%20` in the link is a
    /// space, and `..` stays (`a/b/../c.md`); an absolute path stays absolute. Where the
    /// page ends up, and what is wrong with such paths, is the analysis's to say
    /// ([`techfile_core::summary`]).
    pub path: String,
}

/// The chapters SUMMARY.md lists, in reading order (prefix, numbered and suffix chapters,
/// nested ones after their parent), read with mdBook's own parser (`mdbook-summary`).
/// Draft chapters (no file), separators and part titles are not chapters. Each path is
/// made as mdBook's loader makes it: the link joined to `src`, then `src` stripped again.
pub fn summary_chapters(tree: &dyn Tree, src: &Path, names: &Names) -> Result<Vec<SummaryChapter>> {
    let summary_path = src.join("SUMMARY.md");
    let bytes = tree
        .read_whole(&summary_path)
        .map_err(|e| anyhow::anyhow!(input_error_text(&e)))
        .with_context(|| format!("cannot read {}", names.diag(&summary_path)))?;
    let summary_text = String::from_utf8(bytes)
        .with_context(|| format!("cannot read {}", names.diag(&summary_path)))?;
    let summary = mdbook_summary::parse_summary(&summary_text)
        .with_context(|| format!("cannot parse {}", names.diag(&summary_path)))?;
    let mut chapters = Vec::new();
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
                let path = match src.join(loc).strip_prefix(src) {
                    Ok(rel) => crate::paths::slash_path(rel),
                    // Only an absolute path is not under `src` once joined to it.
                    Err(_) => loc.to_string_lossy().replace('\\', "/"),
                };
                chapters.push(SummaryChapter {
                    name: link.name.clone(),
                    path,
                });
            }
            stack.extend(link.nested_items.iter().rev());
        }
    }
    Ok(chapters)
}

/// A chapter mdBook handed to the preprocessor: where it is on disk and its text now.
pub struct GivenChapter {
    /// The file, relative to `src` (`Chapter::source_path`), when there is one.
    pub source: Option<PathBuf>,
    /// Path relative to `src` as mdBook renders it.
    pub path: String,
    pub text: String,
}

/// Where the chapters come from: SUMMARY.md and the disk (`check`, the bundle renderer),
/// or mdBook's book (the preprocessor).
pub enum Chapters {
    FromSummary,
    Given(Vec<GivenChapter>),
}

/// The book around the items: book.toml (already read with the configuration), SUMMARY.md,
/// the chapters, the files under `src`, the files the chapters include, and the Markdown
/// options. Included files above `include_limit` bytes are refused unread.
pub fn book(
    tree: &dyn Tree,
    book_root: &Path,
    book_config: &BookConfig,
    book_toml: Input,
    names: &Names,
    chapters: Chapters,
    include_limit: u64,
) -> Result<BookInputs> {
    let src = book_root.join(&book_config.book.src);
    let chapters: Vec<ChapterInput> = match chapters {
        Chapters::FromSummary => summary_chapters(tree, &src, names)?
            .into_iter()
            .map(|ch| {
                let path = src.join(&ch.path);
                // mdBook stops at an absolute path (the analysis reports it): not read.
                let file = if Path::new(&ch.path).is_absolute() {
                    Input {
                        name: names.diag(&path),
                        path: names.book(&path),
                        content: Err(InputError::Io("an absolute path".into())),
                    }
                } else {
                    whole(tree, &path, names)
                };
                // With `create-missing` (the default) mdBook writes a missing chapter file
                // holding its title; `check` reads that text without writing the file.
                let text = (file.content.is_err()
                    && book_config.build.create_missing
                    && tree.entry(&path) == Entry::Missing)
                    .then(|| format!("# {}\n", mdbook_core::utils::escape_html(&ch.name)));
                ChapterInput {
                    file,
                    path: crate::bookconfig::rendered_path(&ch.path, book_config),
                    source: Some(ch.path),
                    text,
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
                    source: g.source.as_deref().map(crate::paths::slash_path),
                    text: Some(g.text),
                }
            })
            .collect(),
    };
    let src_files = src_files(tree, &src, &book_root.join(&book_config.build.build_dir));
    let links = crate::bookconfig::builtin_runs(book_config, "links");
    let src_root: Vec<String> = normalize(&src)
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let included = if links {
        included_files(
            tree,
            &src,
            &src_root,
            &src_files,
            &chapters,
            include_limit,
            names,
        )
    } else {
        BTreeMap::new()
    };
    Ok(BookInputs {
        book_toml: Some(book_toml),
        summary: Some(whole(tree, &src.join("SUMMARY.md"), names)),
        chapters,
        src_files,
        markdown: crate::bookconfig::markdown_options(book_config),
        links,
        src_root,
        included,
        layout: None,
    })
}

/// Reads the files that the chapters' `{{#include}}` helpers name, then the files those
/// name, and so on: every file the expansion may need, keyed by its path relative to
/// `src`, or by its absolute path when it is outside `src` (mdBook reads those too; the
/// analysis reports them). A helper naming no file under `src` reads nothing; the
/// analysis reports it. Files above `limit` bytes are refused unread.
fn included_files(
    tree: &dyn Tree,
    src: &Path,
    root: &[String],
    files: &BTreeSet<String>,
    chapters: &[ChapterInput],
    limit: u64,
    names: &Names,
) -> BTreeMap<String, Input> {
    let text_of = |input: &Input| -> Option<String> {
        let bytes = input.content.as_ref().ok()?;
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        std::str::from_utf8(bytes).ok().map(str::to_owned)
    };
    let mut wanted: Vec<String> = chapters
        .iter()
        .filter_map(|c| {
            Some(includes::targets(
                &text_of(&c.file)?,
                c.source.as_deref()?,
                root,
            ))
        })
        .flatten()
        .collect();
    let mut out: BTreeMap<String, Input> = BTreeMap::new();
    while !wanted.is_empty() {
        wanted.sort();
        wanted.dedup();
        // A file outside `src` (an absolute path) is read as mdBook reads it, whatever
        // is there; one under `src` only when it is a file.
        wanted.retain(|p| (p.starts_with('/') || files.contains(p)) && !out.contains_key(p));
        let paths: Vec<PathBuf> = wanted.iter().map(|p| src.join(p)).collect();
        let requests: Vec<(&Path, u64)> = paths.iter().map(|p| (p.as_path(), limit)).collect();
        let read: Vec<(String, Input)> = wanted
            .iter()
            .zip(&paths)
            .zip(tree.read(&requests))
            .map(|((p, path), content)| {
                let input = Input {
                    name: names.diag(path),
                    path: names.book(path),
                    content,
                };
                (p.clone(), input)
            })
            .collect();
        wanted = read
            .iter()
            .filter_map(|(p, input)| Some(includes::targets(&text_of(input)?, p, root)))
            .flatten()
            .collect();
        out.extend(read);
    }
    out
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
    tree.files(&src, true, Some(&skip), Submodules::AsMdBook)
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

/// Gathers every input of the book at `root` in `tree` (chapters from `chapters`), without
/// the stamp's facts and without a layout engine for diagrams. The date is not among them:
/// the checks that depend on it run only when a command sets [`Inputs::today`]. Returns the
/// SBOM sources too, for a stamp.
///
/// # Errors
///
/// When SUMMARY.md cannot be read or parsed (mdBook could not build the book either).
pub fn gather_tree(
    tree: &dyn Tree,
    root: &Path,
    book_config: &BookConfig,
    loaded: Loaded,
    names: &Names,
    chapters: Chapters,
) -> Result<(Inputs, Vec<SbomFolder>, Vec<String>)> {
    // The item sources were checked with the configuration (`bookconfig::load_from`).
    let Loaded {
        config,
        book_toml,
        notes,
        ..
    } = loaded;
    let items = items(tree, root, &config, names);
    let (sboms, sbom_folders, sbom_xml) = sboms(tree, root, &config, names);
    let reviews = reviews(tree, root, &config, names);
    let book = book(
        tree,
        root,
        book_config,
        book_toml,
        names,
        chapters,
        config.max_file_size,
    )?;
    let in_book =
        |paths: &[String]| -> Vec<PathBuf> { paths.iter().map(|p| root.join(p)).collect() };
    let inputs = Inputs {
        support: support(tree, root, &config, names),
        advisories: advisory_dirs(
            tree,
            &in_book(&config.advisories),
            "from [preprocessor.techfile] advisories",
            config.max_advisory_size,
            names,
        ),
        vex: vex_documents(
            tree,
            &in_book(&config.vex),
            "from [preprocessor.techfile] vex",
            config.max_advisory_size,
            names,
        ),
        evidence: evidence(tree, root, &config, names),
        today: None,
        config,
        items,
        sboms,
        sbom_xml,
        reviews,
        book,
        stamp: None,
    };
    Ok((inputs, sbom_folders, notes))
}

/// Gathers every input of the book at `root` on the disk (chapters from `chapters`), with
/// Graphviz to lay out the data-flow diagrams and, when `[preprocessor.techfile.bundle]` is
/// set, the stamp's facts. Returns the notes too (the configuration's first). As in
/// [`gather_tree`], [`Inputs::today`] is left unset: a build never depends on the day it
/// runs, and `check --today` and `revalidate` set it.
///
/// # Errors
///
/// As [`gather_tree`]; and when the stamp's facts cannot be had (`SOURCE_DATE_EPOCH` is
/// not a date, `require-commit` outside a repository).
pub fn gather_inputs(
    root: &Path,
    book_config: &BookConfig,
    loaded: Loaded,
    names: &Names,
    chapters: Chapters,
) -> Result<(Inputs, Vec<String>)> {
    let tree = FsTree::for_book(root);
    let (mut inputs, sbom_folders, mut notes) =
        gather_tree(&tree, root, book_config, loaded, names, chapters)?;
    inputs.book.layout = Some(std::sync::Arc::new(crate::graphviz::Graphviz::new(
        &inputs.config.diagram,
    )));
    if let Some(bundle) = &inputs.config.bundle {
        let (facts, stamp_notes) = crate::facts::stamp_facts(
            root,
            book_config,
            &inputs.config,
            bundle,
            sbom_folders,
            &shipped_files(&tree, root, book_config, &inputs),
            names,
        )?;
        notes.extend(stamp_notes);
        inputs.stamp = Some(facts);
    }
    Ok((inputs, notes))
}

/// Every file whose bytes reach the pages or the bundle: the inputs the gathering read or
/// hashed, every file under `src` (mdBook copies them all, images and attachments too, hidden
/// ones included), and the HTML theme's files with `additional-css` and `additional-js`
/// (they shape every page), though no check reads those. The stamp asks git whether `HEAD`
/// holds each one.
fn shipped_files(
    tree: &FsTree,
    root: &Path,
    book_config: &BookConfig,
    inputs: &Inputs,
) -> Vec<PathBuf> {
    let mut out = tree.files_read();
    // Read with the configuration, before this tree existed.
    out.push(root.join("book.toml"));
    let src = root.join(&book_config.book.src);
    out.extend(inputs.book.src_files.iter().map(|rel| src.join(rel)));
    let theme = book_config
        .get::<PathBuf>("output.html.theme")
        .ok()
        .flatten()
        .unwrap_or_else(|| PathBuf::from("theme"));
    if let Ok(files) = tree.files(&root.join(theme), true, None, Submodules::AsMdBook) {
        out.extend(files.into_iter().map(|f| f.path));
    }
    for key in ["output.html.additional-css", "output.html.additional-js"] {
        let listed = book_config.get::<Vec<PathBuf>>(key).ok().flatten();
        out.extend(listed.into_iter().flatten().map(|p| root.join(p)));
    }
    // A submodule's `.git` file is git's bookkeeping, in no commit of either repository.
    out.retain(|p| p.file_name().is_none_or(|n| n != ".git"));
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn summary_chapters_are_named_as_mdbook_names_them() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        fs::create_dir_all(&src).unwrap();
        fs::write(
            src.join("SUMMARY.md"),
            "# Summary\n\n[Intro](./README.md)\n\n# Part\n\n- [Spaced](./test%20protocol.md)\n- [Draft]()\n- [Dotted](a/./b.md)\n  - [Angle](<a/c d.md>)\n\n---\n\n- [Up](x/../y.md)\n\n[Suffix](z.md)\n",
        )
        .unwrap();
        let names = Names::for_book(dir.path());
        let got: Vec<(String, String)> = summary_chapters(&FsTree::default(), &src, &names)
            .unwrap()
            .into_iter()
            .map(|c| (c.name, c.path))
            .collect();
        let want = [
            ("Intro", "README.md"),
            ("Spaced", "test protocol.md"),
            ("Dotted", "a/b.md"),
            ("Angle", "a/c d.md"),
            ("Up", "x/../y.md"),
            ("Suffix", "z.md"),
        ];
        assert_eq!(
            got,
            want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec()
        );
        // mdBook refuses a SUMMARY.md that lists a file twice, and so does `check`.
        fs::write(src.join("SUMMARY.md"), "- [A](a.md)\n- [B](a.md)\n").unwrap();
        let err = summary_chapters(&FsTree::default(), &src, &names).unwrap_err();
        assert!(format!("{err:#}").contains("Duplicate file"), "{err:#}");
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
            rel(walk(&FsTree::default(), dir.path(), Some("md"), false).unwrap()),
            ["a/z.md", "b.md"]
        );
        assert_eq!(
            rel(walk(&FsTree::default(), dir.path(), Some("json"), false).unwrap()),
            ["c.json"]
        );
        assert_eq!(
            walk(&FsTree::default(), dir.path(), None, true)
                .unwrap()
                .len(),
            6
        );
        assert!(
            walk(
                &FsTree::default(),
                &dir.path().join("none"),
                Some("md"),
                false
            )
            .is_err()
        );
    }

    #[test]
    fn advisory_folders_list_every_file_sorted_without_hidden_ones() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "npm/b.json",
            "npm/a.json",
            "PyPI/all.zip",
            ".git/x.json",
            "npm/.swp",
        ] {
            let p = dir.path().join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "{}").unwrap();
        }
        let names = Names::for_book(&dir.path().join("book"));
        let read = advisory_dirs(
            &FsTree::default(),
            &[dir.path().to_path_buf()],
            "--advisories",
            1024,
            &names,
        );
        let rels: Vec<_> = read[0]
            .files
            .as_ref()
            .unwrap()
            .iter()
            .map(|f| f.rel.as_str())
            .collect();
        assert_eq!(rels, ["PyPI/all.zip", "npm/a.json", "npm/b.json"]);
        let small = advisory_dirs(
            &FsTree::default(),
            &[dir.path().to_path_buf()],
            "x",
            1,
            &names,
        );
        assert!(
            small[0]
                .files
                .as_ref()
                .unwrap()
                .iter()
                .all(|f| matches!(f.content, Err(InputError::TooLarge { .. })))
        );
        let missing = advisory_dirs(
            &FsTree::default(),
            &[dir.path().join("none")],
            "--advisories",
            1024,
            &names,
        );
        assert!(
            missing[0]
                .files
                .as_ref()
                .unwrap_err()
                .contains("no such folder")
        );
        let file = advisory_dirs(
            &FsTree::default(),
            &[dir.path().join("npm/a.json")],
            "x",
            1024,
            &names,
        );
        assert!(file[0].files.as_ref().unwrap_err().contains("not a folder"));
    }

    #[test]
    fn vex_sources_are_files_or_folders_of_json_documents() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "vex/b.json",
            "vex/a.json",
            "vex/notes.txt",
            "vex/.old.json",
            "one.json",
        ] {
            let p = dir.path().join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "{}").unwrap();
        }
        let names = Names::for_book(&dir.path().join("book"));
        let read = vex_documents(
            &FsTree::default(),
            &[
                dir.path().join("vex"),
                dir.path().join("one.json"),
                dir.path().join("none.json"),
            ],
            "--vex",
            1024,
            &names,
        );
        let got: Vec<(&str, bool)> = read
            .iter()
            .map(|i| (i.path.as_str(), i.content.is_ok()))
            .collect();
        assert_eq!(
            got,
            [
                ("vex/a.json", true),
                ("vex/b.json", true),
                ("one.json", true),
                ("none.json", false)
            ]
        );
    }
}
