//! `mdbook-techfile review`: stamps the reviewed items with today's fingerprints of what
//! they link to and appends a review record. Edge code: it finds the reviewer and the time
//! (git, `SOURCE_DATE_EPOCH`, the clock), and writes the files all or nothing: every new
//! file is written beside its target first, then moved over it; if a move fails, the files
//! already moved are restored and the record removed.

use crate::gather::Names;
use crate::git;
use anyhow::{Context, Result, anyhow, bail};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use techfile_core::review::Meaning;
use techfile_core::signoff::{self, Reviewer};

/// What the reviewer asked for.
pub struct Request {
    pub ids: Vec<String>,
    pub all_suspect: bool,
    pub by: Option<String>,
    pub role: String,
    pub meaning: Meaning,
    pub comment: Option<String>,
}

/// What was written.
pub struct Done {
    /// The record, or `None` when there was nothing to review.
    pub record: Option<PathBuf>,
    /// (item, upstream, fingerprint) stamped.
    pub covers: Vec<(String, String, String)>,
    /// The item files rewritten.
    pub files: Vec<PathBuf>,
    pub notes: Vec<String>,
}

/// The review time: `SOURCE_DATE_EPOCH` when set (reproducible tests), else the clock.
fn now() -> Result<String> {
    let t = match crate::facts::source_date_epoch()? {
        Some(t) => t,
        None => jiff::Timestamp::now(),
    };
    Ok(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// Reviews the items of the book at `book_root`.
pub fn review(book_root: &Path, request: &Request) -> Result<Done> {
    // The same loading and checks as `check`.
    let crate::mdbook::Outcome {
        analysis,
        mut notes,
        ..
    } = crate::mdbook::check(book_root)?;
    let names = Names::for_book(book_root);
    let folder = analysis.config.review.folder().0.to_string();
    let record_dir = book_root.join(&folder);
    let unread = analysis
        .findings
        .iter()
        .filter(|d| d.code.is_fixed())
        .count();
    if unread > 0 {
        bail!(
            "{unread} input error{} (unreadable or invalid files) must be fixed before a review can be recorded; `mdbook-techfile check {}` lists them",
            if unread == 1 { "" } else { "s" },
            book_root.display()
        );
    }
    let targets =
        signoff::select(&analysis, &request.ids, request.all_suspect).map_err(|e| anyhow!(e))?;
    if targets.is_empty() {
        notes.push("nothing to review: no link is suspect".into());
        return Ok(Done {
            record: None,
            covers: Vec::new(),
            files: Vec::new(),
            notes,
        });
    }

    let identity = git::identity(book_root);
    let name = match (&request.by, &identity) {
        (Some(by), _) => by.clone(),
        (None, Some(id)) => id
            .rsplit_once(" <")
            .map_or(id.as_str(), |(n, _)| n)
            .to_string(),
        (None, None) => bail!(
            "who reviews? git has no identity here (user.name, user.email): give your name with --by NAME"
        ),
    };
    let scope: Vec<String> = analysis
        .config
        .items
        .iter()
        .cloned()
        .chain([folder.clone()])
        .collect();
    let (commit, modified) = match git::changed(book_root, &scope) {
        Ok(changed) => {
            if !changed.is_empty() {
                notes.push(format!(
                    "the working tree has {} uncommitted change{} under the items or reviews (for example {}): the review is recorded with `modified = true`; commit the reviewed items, the stamps and the record together",
                    changed.len(),
                    if changed.len() == 1 { "" } else { "s" },
                    changed[0]
                ));
            }
            (git::head_commit(book_root), !changed.is_empty())
        }
        Err(problem) => {
            notes.push(format!("{problem}: the record names no commit"));
            (None, false)
        }
    };
    let reviewer = Reviewer {
        name,
        identity,
        role: request.role.clone(),
        meaning: request.meaning,
        comment: request.comment.clone(),
        date: now()?,
        commit,
        modified,
    };
    let plan = signoff::plan(&analysis, &targets, &reviewer).map_err(|e| anyhow!(e))?;
    notes.extend(plan.notes.iter().cloned());

    // Files by their path on disk: findings name them relative to the current folder.
    let writes: Vec<(PathBuf, &[u8], String)> = plan
        .files
        .iter()
        .map(|(file, text)| {
            let path = PathBuf::from(analysis.map.name(*file));
            (path, analysis.map.text(*file).as_bytes(), text.clone())
        })
        .collect();
    fs::create_dir_all(&record_dir)
        .with_context(|| format!("cannot create the review folder {}", record_dir.display()))?;
    let record_path = unused(&record_dir, &plan.record_name);
    write_all(&writes, &record_path, &plan.record)?;
    Ok(Done {
        record: Some(PathBuf::from(names.diag(&record_path))),
        covers: plan
            .covers
            .iter()
            .map(|(i, u, f)| (i.clone(), u.clone(), f.to_string()))
            .collect(),
        files: writes.into_iter().map(|(p, _, _)| p).collect(),
        notes,
    })
}

/// `name` in `dir`, or `name-2`, `name-3`, ... when taken: records are never overwritten.
fn unused(dir: &Path, name: &str) -> PathBuf {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, "toml"));
    let mut path = dir.join(name);
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}.{ext}"));
        n += 1;
    }
    path
}

/// Writes the items and the record all or nothing.
fn write_all(items: &[(PathBuf, &[u8], String)], record: &Path, record_text: &str) -> Result<()> {
    let temp = |target: &Path, text: &str| -> Result<tempfile::NamedTempFile> {
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut t = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write beside {}", target.display()))?;
        t.write_all(text.as_bytes())
            .and_then(|()| t.as_file().sync_all())
            .with_context(|| format!("cannot write beside {}", target.display()))?;
        Ok(t)
    };
    // Every new file first; an error here leaves nothing behind (temporary files are
    // removed when dropped).
    let mut staged = Vec::with_capacity(items.len());
    for (path, old, text) in items {
        let t = temp(path, text)?;
        // Keep the permissions of the file it replaces.
        if let Ok(meta) = fs::metadata(path) {
            let _ = fs::set_permissions(t.path(), meta.permissions());
        }
        staged.push((path, *old, t));
    }
    let record_temp = temp(record, record_text)?;
    // A file edited since it was read would lose that edit.
    for (path, old, _) in &staged {
        let now = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        if now != *old {
            bail!(
                "{} changed while the review was prepared; nothing was written, run the review again",
                path.display()
            );
        }
    }
    record_temp
        .persist_noclobber(record)
        .map_err(|e| anyhow!("cannot write {}: {}", record.display(), e.error))?;
    let mut done: Vec<(&PathBuf, &[u8])> = Vec::new();
    for (path, old, t) in staged {
        if let Err(e) = t.persist(path) {
            // Put back what was already replaced, and take the record away again.
            for (p, bytes) in done {
                let _ = fs::write(p, bytes);
            }
            let _ = fs::remove_file(record);
            bail!(
                "cannot replace {}: {}; the files written so far were restored, nothing changed",
                path.display(),
                e.error
            );
        }
        done.push((path, old));
    }
    Ok(())
}
