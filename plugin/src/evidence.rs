//! `mdbook-techfile evidence --update ID...`: records the current SHA-256 of every evidence
//! file of the named tests in their `evidence` entries. Only the `sha256` values change in
//! each item file; the files are written all or nothing (each new file beside its target
//! first, then moved over it, the ones already moved put back if a move fails).

use anyhow::{Context, Result, anyhow, bail};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use techfile_core::evidence::rewrite::rewrite_hashes;
use techfile_core::model::Kind;

/// What was recorded: (item, evidence path, SHA-256), and the files rewritten.
pub struct Updated {
    pub recorded: Vec<(String, String, String)>,
    pub files: Vec<PathBuf>,
}

/// Records the evidence hashes of the tests `ids` of the book at `book_root`.
///
/// # Errors
/// When an ID names no test, an entry names a file that is not in the evidence folder (or
/// leads out of it), an item file cannot be rewritten safely, or writing fails; nothing is
/// written then.
pub fn update(book_root: &Path, ids: &[String]) -> Result<Updated> {
    let outcome = crate::mdbook::check(book_root)?;
    let analysis = &outcome.analysis;
    let files: BTreeMap<&str, &str> = analysis
        .evidence
        .files
        .iter()
        .map(|(rel, f)| (rel.as_str(), f.sha256.as_str()))
        .collect();
    let mut recorded = Vec::new();
    let mut writes: Vec<(PathBuf, String, String)> = Vec::new();
    for id in ids {
        let item = analysis
            .items
            .iter()
            .find(|i| &i.id == id)
            .ok_or_else(|| anyhow!("no item has the ID `{id}`"))?;
        if item.kind != Kind::Test {
            bail!("{id} is a {}; only tests carry evidence", item.kind);
        }
        if item.evidence.is_empty() {
            bail!(
                "{id} lists no evidence: add `evidence = [{{ path = \"...\" }}]` to its front-matter first (paths relative to the evidence folder)"
            );
        }
        let mut hashes = BTreeMap::new();
        for e in &item.evidence {
            let rel = e.path.value.as_str();
            let key = rel.strip_prefix("./").unwrap_or(rel);
            let sha = files.get(key).ok_or_else(|| {
                anyhow!(
                    "{id}: evidence file `{rel}` is not in the evidence folder ({}); nothing was written",
                    analysis.config.evidence.folder().0
                )
            })?;
            hashes.insert(rel.to_string(), sha.to_string());
            recorded.push((id.clone(), rel.to_string(), sha.to_string()));
        }
        let file = item.file();
        let old = analysis.map.text(file);
        let new = rewrite_hashes(old, &hashes)
            .map_err(|e| anyhow!("{}: {e}", analysis.map.name(file)))?;
        writes.push((PathBuf::from(analysis.map.name(file)), old.to_string(), new));
    }
    write_all(&writes)?;
    Ok(Updated {
        recorded,
        files: writes.into_iter().map(|(p, _, _)| p).collect(),
    })
}

/// Writes every file or none.
fn write_all(files: &[(PathBuf, String, String)]) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, old, new) in files {
        if old == new {
            continue;
        }
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut t = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write beside {}", path.display()))?;
        t.write_all(new.as_bytes())
            .and_then(|()| t.as_file().sync_all())
            .with_context(|| format!("cannot write beside {}", path.display()))?;
        if let Ok(meta) = fs::metadata(path) {
            let _ = fs::set_permissions(t.path(), meta.permissions());
        }
        staged.push((path, old, t));
    }
    for (path, old, _) in &staged {
        let now = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        if now != old.as_bytes() {
            bail!(
                "{} changed while the hashes were computed; nothing was written, run the update again",
                path.display()
            );
        }
    }
    let mut done: Vec<(&PathBuf, &String)> = Vec::new();
    for (path, old, t) in staged {
        if let Err(e) = t.persist(path) {
            for (p, bytes) in done {
                let _ = fs::write(p, bytes);
            }
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
