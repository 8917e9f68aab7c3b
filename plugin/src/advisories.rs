//! Gathering advisory folders and VEX documents from disk, with the policy of
//! [`crate::gather`]: walked recursively in sorted path order, hidden entries skipped,
//! symbolic links followed once, every file checked against its size limit before it is
//! read. An advisory folder lists every file (the core reports the ones that are not
//! `*.json` records); a VEX source is a file, or a folder of `*.json` documents. Nothing
//! is ever fetched: `revalidate` and the scheduled job download advisory databases in a
//! step of their own.

use crate::gather::{Names, read_limited, walk};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use techfile_core::advisory::{AdvisoryDir, AdvisoryFile};
use techfile_core::load::{Input, InputError};

/// Every file under `dir` (relative paths with `/`), with [`crate::gather`]'s walk: sorted
/// by path, hidden entries below `dir` skipped. `Err` when `dir` or a folder under it
/// cannot be listed.
fn files(dir: &Path, ext: Option<&str>) -> Result<Vec<(PathBuf, String)>, String> {
    if !dir.is_dir() {
        return Err(if dir.exists() {
            "it is not a folder".into()
        } else {
            "no such folder".into()
        });
    }
    walk(dir, ext, false)
        .map(|found| found.into_iter().map(|f| (f.path, f.rel)).collect())
        .map_err(|e| e.to_string())
}

fn join(base: &str, rel: &str) -> String {
    if base == "." {
        rel.to_owned()
    } else {
        format!("{base}/{rel}")
    }
}

/// Reads advisory folders (each already resolved to a path); `origin` says in findings
/// where the folder was named.
pub fn advisory_dirs(
    dirs: &[PathBuf],
    origin: &str,
    limit: u64,
    names: &Names,
) -> Vec<AdvisoryDir> {
    dirs.iter()
        .map(|dir| {
            let name = names.diag(dir);
            let path = names.book(dir);
            let files = files(dir, None)
                .map_err(|e| format!("advisory folder `{name}` ({origin}) cannot be read: {e}"))
                .map(|found| {
                    let contents: Vec<_> = found
                        .par_iter()
                        .map(|(p, _)| read_limited(p, limit))
                        .collect();
                    found
                        .into_iter()
                        .zip(contents)
                        .map(|((_, rel), content)| AdvisoryFile {
                            name: join(&name, &rel),
                            rel,
                            content,
                        })
                        .collect()
                });
            AdvisoryDir { name, path, files }
        })
        .collect()
}

/// Reads VEX sources: each a file, or a folder whose `*.json` files are read.
pub fn vex_documents(sources: &[PathBuf], origin: &str, limit: u64, names: &Names) -> Vec<Input> {
    let mut out = Vec::new();
    for source in sources {
        let name = names.diag(source);
        if source.is_dir() {
            match files(source, Some("json")) {
                Ok(found) => {
                    for (p, rel) in found {
                        out.push(Input {
                            name: join(&name, &rel),
                            path: names.book(&p),
                            content: read_limited(&p, limit),
                        });
                    }
                }
                Err(e) => out.push(Input {
                    name: name.clone(),
                    path: names.book(source),
                    content: Err(InputError::Folder(format!(
                        "VEX folder `{name}` ({origin}) cannot be read: {e}"
                    ))),
                }),
            }
            continue;
        }
        out.push(Input {
            name,
            path: names.book(source),
            content: read_limited(source, limit),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

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
        let read = advisory_dirs(&[dir.path().to_path_buf()], "--advisories", 1024, &names);
        let rels: Vec<_> = read[0]
            .files
            .as_ref()
            .unwrap()
            .iter()
            .map(|f| f.rel.as_str())
            .collect();
        assert_eq!(rels, ["PyPI/all.zip", "npm/a.json", "npm/b.json"]);
        let missing = advisory_dirs(&[dir.path().join("none")], "--advisories", 1024, &names);
        assert!(
            missing[0]
                .files
                .as_ref()
                .unwrap_err()
                .contains("no such folder")
        );
    }
}
