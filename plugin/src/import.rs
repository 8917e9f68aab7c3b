//! `mdbook-techfile import-threat-dragon`: writes the item files converted from an OWASP
//! Threat Dragon model ([`techfile_core::threat::dragon`]) into a folder. Existing files are
//! never overwritten: when any file to be written exists, nothing is written.

use anyhow::{Context, Result, bail};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Largest model read, in bytes: models with embedded thumbnails are a few megabytes.
const MAX_MODEL_SIZE: u64 = 64 * 1024 * 1024;

/// What an import wrote.
#[derive(Debug)]
pub struct Report {
    /// The files written, in order.
    pub written: Vec<PathBuf>,
    /// What was left out or needs attention.
    pub notes: Vec<String>,
}

/// Converts the Threat Dragon model `model` into item files under `out`.
///
/// # Errors
///
/// When the model cannot be read or converted, when a file to be written already exists
/// (then nothing is written), or when writing fails.
pub fn threat_dragon(model: &Path, out: &Path) -> Result<Report> {
    let size = fs::metadata(model)
        .with_context(|| format!("cannot read {}", model.display()))?
        .len();
    if size > MAX_MODEL_SIZE {
        bail!(
            "{} is {size} bytes, more than the {MAX_MODEL_SIZE} bytes an import reads",
            model.display()
        );
    }
    let text =
        fs::read_to_string(model).with_context(|| format!("cannot read {}", model.display()))?;
    let imported = techfile_core::threat::dragon::import(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", model.display()))?;
    let targets: Vec<(PathBuf, &str)> = imported
        .files
        .iter()
        .map(|(rel, content)| (out.join(rel), content.as_str()))
        .collect();
    let existing: Vec<String> = targets
        .iter()
        .filter(|(p, _)| p.exists())
        .map(|(p, _)| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        bail!(
            "{} of the files to write already exist{}, so nothing was written: an import never overwrites; choose another --out folder or move them away",
            existing.len(),
            match existing.as_slice() {
                [one] => format!(" ({one})"),
                many => format!(" (first: {})", many[0]),
            }
        );
    }
    let mut written = Vec::new();
    for (path, content) in targets {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        // `create_new` keeps the promise even if a file appeared since the check above.
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        f.write_all(content.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(Report {
        written,
        notes: imported.notes,
    })
}
