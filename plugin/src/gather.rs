//! Gathering the inputs of an analysis from disk, once, with one policy. This is the only
//! place that decides which files are inputs; the analysis, the stamp's hashes, the
//! document control page and the bundle all work from what it returns.
//!
//! The policy:
//! - folders are walked recursively (`walkdir`), in sorted path order, following symbolic
//!   links; a link back up the tree is not followed again (each real folder is read once);
//! - hidden entries (a name starting with `.`: `.git`, editor swap files) are skipped;
//! - item files are the `*.md` files under the `items` folders; SBOMs are the `*.json` files
//!   under the `sboms` folders, or a configured file whatever its name; nothing else in
//!   those folders is read, hashed, listed or shipped;
//! - a file larger than its limit (`max-file-size`, `max-sbom-size`) is reported, not read;
//!   its size is checked before reading, so a huge file costs no memory;
//! - a folder or file that cannot be read becomes an unreadable input, which the analysis
//!   reports as an error: nothing is dropped silently.

use crate::bookconfig::Loaded;
pub use crate::paths::{Names, normalize, relative};
use anyhow::{Context, Result};
use mdbook_preprocessor::config::Config as BookConfig;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use techfile_core::config::Config;
use techfile_core::evidence::EvidenceFile;
use techfile_core::includes;
use techfile_core::load::{Input, InputError};
use techfile_core::sbom::SbomInput;
use techfile_core::stamp::SbomFolder;
use techfile_core::{BookInputs, ChapterInput, Inputs};
use walkdir::WalkDir;

/// One file found by a walk: its path and its path relative to the walked folder.
pub(crate) struct Found {
    pub(crate) path: PathBuf,
    pub(crate) rel: String,
}

/// Every file under `dir` whose name ends with `.{ext}` (every file when `ext` is `None`),
/// sorted by path. Hidden entries are skipped unless `hidden`. Symbolic links are followed;
/// a link that leads back into a folder already being walked is skipped. `Err` when `dir`
/// or a folder under it cannot be read.
pub(crate) fn walk(dir: &Path, ext: Option<&str>, hidden: bool) -> std::io::Result<Vec<Found>> {
    let mut out = Vec::new();
    let walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            hidden || e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
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
        if let Some(ext) = ext
            && path.extension().is_none_or(|e| e != ext)
        {
            continue;
        }
        let rel = path
            .strip_prefix(dir)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|_| path.to_string_lossy().into_owned());
        out.push(Found { path, rel });
    }
    Ok(out)
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
pub fn items(book_root: &Path, config: &Config, names: &Names) -> Vec<Input> {
    let mut out = Vec::new();
    for folder in &config.items {
        let dir = book_root.join(folder);
        let dir_diag = names.diag(&dir);
        let dir_book = names.book(&dir);
        let found = match walk(&dir, Some("md"), false) {
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
        let contents: Vec<_> = found
            .par_iter()
            .map(|f| read_limited(&f.path, config.max_file_size))
            .collect();
        for (f, content) in found.iter().zip(contents) {
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
    book_root: &Path,
    config: &Config,
    names: &Names,
) -> (Vec<SbomInput>, Vec<SbomFolder>) {
    let (sources, required) = config.sbom_sources();
    let mut out = Vec::new();
    let mut folders = Vec::new();
    for source in sources {
        let path = book_root.join(&source);
        folders.push(SbomFolder {
            configured: source.clone(),
            path: names.book(&path),
            found: path.exists(),
        });
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
        let found = match walk(&path, Some("json"), false) {
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
        let contents: Vec<_> = found
            .par_iter()
            .map(|f| read_limited(&f.path, config.max_sbom_size))
            .collect();
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

/// Reads the review records: every `*.toml` under the review folder, sorted by path. The
/// default folder may be missing (a book that keeps no reviews yet); a folder the user named
/// must exist, and when it does not, that becomes an unreadable input.
pub fn reviews(book_root: &Path, config: &Config, names: &Names) -> Vec<Input> {
    let (folder, required) = config.review.folder();
    let dir = book_root.join(folder);
    if !dir.exists() && !required {
        return Vec::new();
    }
    let (dir_diag, dir_book) = (names.diag(&dir), names.book(&dir));
    match walk(&dir, Some("toml"), false) {
        Ok(found) => found
            .iter()
            .map(|f| Input {
                name: join(&dir_diag, &f.rel),
                path: join(&dir_book, &f.rel),
                // A record is a few hundred bytes; the item limit bounds a stray file.
                content: read_limited(&f.path, config.max_file_size),
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
    book_root: &Path,
    (folder, required): (&str, bool),
    ext: &str,
    limit: u64,
    what: &str,
    names: &Names,
) -> Vec<Input> {
    let dir = book_root.join(folder);
    if !dir.exists() && !required {
        return Vec::new();
    }
    let (dir_diag, dir_book) = (names.diag(&dir), names.book(&dir));
    match walk(&dir, Some(ext), false) {
        Ok(found) => {
            let contents: Vec<_> = found
                .par_iter()
                .map(|f| read_limited(&f.path, limit))
                .collect();
            found
                .iter()
                .zip(contents)
                .map(|(f, content)| Input {
                    name: join(&dir_diag, &f.rel),
                    path: join(&dir_book, &f.rel),
                    content,
                })
                .collect()
        }
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
pub fn support(book_root: &Path, config: &Config, names: &Names) -> Vec<Input> {
    folder_files(
        book_root,
        config.support.folder(),
        "toml",
        config.max_file_size,
        "[preprocessor.techfile.support] folder",
        names,
    )
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

/// The evidence files: every file under the evidence folder, hashed as a stream (an
/// evidence file may be a large report); JUnit reports (`*.xml`) are read whole, up to
/// `evidence.max-junit-size`, for the core to parse.
pub fn evidence(book_root: &Path, config: &Config, names: &Names) -> Vec<EvidenceFile> {
    let (folder, required) = config.evidence.folder();
    let dir = book_root.join(folder);
    if !dir.exists() && !required {
        return Vec::new();
    }
    let (dir_diag, dir_book) = (names.diag(&dir), names.book(&dir));
    let found = match walk(&dir, None, false) {
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
    found
        .par_iter()
        .map(|f| {
            let name = join(&dir_diag, &f.rel);
            let path = join(&dir_book, &f.rel);
            if techfile_core::evidence::is_xml(&f.rel) {
                match read_limited(&f.path, config.evidence.max_junit_size) {
                    Ok(bytes) => return EvidenceFile::from_bytes(&name, &path, &f.rel, bytes),
                    Err(e @ InputError::TooLarge { .. }) => {
                        return EvidenceFile {
                            digest: hash_file(&f.path),
                            content: Some(Err(e)),
                            name,
                            path,
                            rel: f.rel.clone(),
                        };
                    }
                    Err(e) => {
                        return EvidenceFile {
                            digest: Err(e.clone()),
                            content: Some(Err(e)),
                            name,
                            path,
                            rel: f.rel.clone(),
                        };
                    }
                }
            }
            EvidenceFile {
                digest: hash_file(&f.path),
                content: None,
                name,
                path,
                rel: f.rel.clone(),
            }
        })
        .collect()
}

/// A whole file read for the stamp and for findings (book.toml, SUMMARY.md).
fn whole(path: &Path, names: &Names) -> Input {
    Input {
        name: names.diag(path),
        path: names.book(path),
        content: fs::read(path).map_err(|e| InputError::Io(e.to_string())),
    }
}

/// A chapter SUMMARY.md lists, as mdBook loads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryChapter {
    /// The link text: mdBook titles a chapter file it creates with it.
    pub name: String,
    /// The file relative to `src`, with forward slashes, named as mdBook names the
    /// chapter: `./a.md` and `a/./b.md` are `a.md` and `a/b.md`, and `%20` in the link
    /// is a space.
    pub path: String,
}

/// The chapters SUMMARY.md lists, in reading order (prefix, numbered and suffix chapters,
/// nested ones after their parent), read with mdBook's own parser (`mdbook-summary`).
/// Draft chapters (no file), separators and part titles are not chapters. Each path is
/// made as mdBook's loader makes it: the link joined to `src`, then `src` stripped again.
pub fn summary_chapters(src: &Path, names: &Names) -> Result<Vec<SummaryChapter>> {
    let summary_path = src.join("SUMMARY.md");
    let summary_text = fs::read_to_string(&summary_path)
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
                let location = if loc.is_absolute() {
                    loc.clone()
                } else {
                    src.join(loc)
                };
                let path = location.strip_prefix(src).with_context(|| {
                    format!(
                        "{} lists `{}`, which is outside {}: mdBook cannot load it",
                        names.diag(&summary_path),
                        loc.display(),
                        names.diag(src)
                    )
                })?;
                chapters.push(SummaryChapter {
                    name: link.name.clone(),
                    path: crate::paths::slash_path(path),
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
    book_root: &Path,
    book_config: &BookConfig,
    book_toml: Input,
    names: &Names,
    chapters: Chapters,
    include_limit: u64,
) -> Result<BookInputs> {
    let src = book_root.join(&book_config.book.src);
    let chapters: Vec<ChapterInput> = match chapters {
        Chapters::FromSummary => summary_chapters(&src, names)?
            .into_iter()
            .map(|ch| {
                let path = src.join(&ch.path);
                let file = whole(&path, names);
                // With `create-missing` (the default) mdBook writes a missing chapter file
                // holding its title; `check` reads that text without writing the file.
                let text =
                    (file.content.is_err() && book_config.build.create_missing && !path.exists())
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
                    Some(s) => whole(&src.join(s), names),
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
    let src_files = src_files(&src, &book_root.join(&book_config.build.build_dir));
    let links = crate::bookconfig::builtin_runs(book_config, "links");
    let src_root: Vec<String> = normalize(&src)
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let included = if links {
        included_files(&src, &src_root, &src_files, &chapters, include_limit, names)
    } else {
        BTreeMap::new()
    };
    Ok(BookInputs {
        book_toml: Some(book_toml),
        summary: Some(whole(&src.join("SUMMARY.md"), names)),
        chapters,
        src_files,
        markdown: crate::bookconfig::markdown_options(book_config),
        links,
        src_root,
        included,
        layout: None,
    })
}

/// Reads the files under `src` that the chapters' `{{#include}}` helpers name, then the
/// files those name, and so on: every file the expansion may need, keyed by its path
/// relative to `src`. A helper naming no file under `src` (or a path outside it) reads
/// nothing; the analysis reports it. Files above `limit` bytes are refused unread.
fn included_files(
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
        wanted.retain(|p| files.contains(p) && !out.contains_key(p));
        let read: Vec<(String, Input)> = wanted
            .par_iter()
            .map(|p| {
                let path = src.join(p);
                let input = Input {
                    name: names.diag(&path),
                    path: names.book(&path),
                    content: read_limited(&path, limit),
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
pub fn src_files(src: &Path, skip: &Path) -> BTreeSet<String> {
    let src = normalize(src);
    let skip = normalize(skip);
    WalkDir::new(&src)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.path() != skip)
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            e.path()
                .strip_prefix(&src)
                .ok()
                .map(|r| r.to_string_lossy().replace('\\', "/"))
        })
        .collect()
}

/// Gathers every input of the book at `root` (chapters from `chapters`) and, when
/// `[preprocessor.techfile.bundle]` is set, the stamp's facts. Returns the notes too (the
/// configuration's first). The date is not among them: the checks that depend on it run
/// only when a command sets [`Inputs::today`].
pub fn gather_inputs(
    root: &Path,
    book_config: &BookConfig,
    loaded: Loaded,
    names: &Names,
    chapters: Chapters,
) -> Result<(Inputs, Vec<String>)> {
    let Loaded {
        config,
        book_toml,
        mut notes,
    } = loaded;
    let items = items(root, &config, names);
    let (sboms, sbom_folders) = sboms(root, &config, names);
    let reviews = reviews(root, &config, names);
    let mut book = book(
        root,
        book_config,
        book_toml,
        names,
        chapters,
        config.max_file_size,
    )?;
    book.layout = Some(std::sync::Arc::new(crate::graphviz::Graphviz::new(
        &config.diagram,
    )));
    let stamp = match &config.bundle {
        Some(bundle) => {
            let (facts, stamp_notes) =
                crate::facts::stamp_facts(root, book_config, &config, bundle, sbom_folders)?;
            notes.extend(stamp_notes);
            Some(facts)
        }
        None => None,
    };
    let advisories = crate::advisories::advisory_dirs(
        &config
            .advisories
            .iter()
            .map(|a| root.join(a))
            .collect::<Vec<_>>(),
        "from [preprocessor.techfile] advisories",
        config.max_advisory_size,
        names,
    );
    let vex = crate::advisories::vex_documents(
        &config.vex.iter().map(|v| root.join(v)).collect::<Vec<_>>(),
        "from [preprocessor.techfile] vex",
        config.max_advisory_size,
        names,
    );
    let inputs = Inputs {
        support: support(root, &config, names),
        evidence: evidence(root, &config, names),
        today: None,
        config,
        items,
        sboms,
        reviews,
        book,
        stamp,
        advisories,
        vex,
    };
    Ok((inputs, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let got: Vec<(String, String)> = summary_chapters(&src, &names)
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
        let err = summary_chapters(&src, &names).unwrap_err();
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
            rel(walk(dir.path(), Some("md"), false).unwrap()),
            ["a/z.md", "b.md"]
        );
        assert_eq!(
            rel(walk(dir.path(), Some("json"), false).unwrap()),
            ["c.json"]
        );
        assert_eq!(walk(dir.path(), None, true).unwrap().len(), 6);
        assert!(walk(&dir.path().join("none"), Some("md"), false).is_err());
    }
}
