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

#[cfg(test)]
mod tests {
    use techfile_core::load::{Input, load_items};
    use techfile_core::model::SourceMap;
    use techfile_core::threat::dragon;

    #[test]
    fn threat_dragon_models_become_draft_items() {
        // The core compiles in no test data (see its purity test): the model is read here.
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/threat-dragon/insulin-pump.json");
        let json = std::fs::read_to_string(&path).expect("the test model");
        let json = json.as_str();
        let out = dragon::import(json).unwrap();
        let paths: Vec<&str> = out.files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "actors/ACT-PATIENT.md",
                "processes/PRC-PUMP-FIRMWARE.md",
                "data-stores/DS-DOSE-LOG.md",
                "processes/PRC-PHONE-APP.md",
                "data-stores/DS-CLOUD-BACKUP.md",
                "data-flows/DF-DOSE-COMMAND.md",
                "interfaces/IF-PUMP-FIRMWARE-BLE.md",
                "data-flows/DF-BUTTON-PRESS.md",
                "data-flows/DF-WRITE-LOG.md",
                "trust-boundaries/TB-PUMP-ENCLOSURE.md",
                "trust-boundaries/TB-PHONE.md",
                "risks/RSK-TD-001.md",
                "risks/RSK-TD-002.md",
                "risks/RSK-TD-003.md",
                "risks/RSK-TD-004.md",
                "risks/RSK-TD-005.md",
            ]
        );
        let file = |p: &str| &out.files.iter().find(|(q, _)| q == p).unwrap().1;
        let firmware = file("processes/PRC-PUMP-FIRMWARE.md");
        assert!(firmware.contains("title = \"Pump firmware\""), "{firmware}");
        assert!(
            firmware.contains(
                "not-applicable = { elevation-of-privilege = \"The firmware has one privilege level"
            ),
            "{firmware}"
        );
        assert!(
            firmware.contains("Doses insulin \"as commanded\"."),
            "{firmware}"
        );
        let boundary = file("trust-boundaries/TB-PUMP-ENCLOSURE.md");
        assert!(
            boundary.contains("contains = [\"PRC-PUMP-FIRMWARE\", \"DS-DOSE-LOG\"]"),
            "{boundary}"
        );
        let interface = file("interfaces/IF-PUMP-FIRMWARE-BLE.md");
        assert!(
            interface.contains("element = \"PRC-PUMP-FIRMWARE\""),
            "{interface}"
        );
        assert!(
            interface.contains("peers = [\"PRC-PHONE-APP\"]"),
            "{interface}"
        );
        let flow = file("data-flows/DF-DOSE-COMMAND.md");
        assert!(
            flow.contains("interfaces = [\"IF-PUMP-FIRMWARE-BLE\"]"),
            "{flow}"
        );
        let backup = file("data-stores/DS-CLOUD-BACKUP.md");
        assert!(
            backup.contains("tampering = \"out of scope in Threat Dragon: Run by the phone vendor"),
            "{backup}"
        );
        let risk = file("risks/RSK-TD-002.md");
        assert!(
            risk.contains("elements = [\"PRC-PUMP-FIRMWARE\"]"),
            "{risk}"
        );
        assert!(risk.contains("stride = [\"tampering\"]"), "{risk}");
        assert!(risk.contains("status = \"draft\""), "{risk}");
        assert!(file("risks/RSK-TD-005.md").contains("data-flows = [\"DF-DOSE-COMMAND\"]"));
        // Every file is an item the loader accepts as it is.
        let mut map = SourceMap::new();
        let inputs = out
            .files
            .iter()
            .map(|(p, c)| Input {
                name: p.clone(),
                path: p.clone(),
                content: Ok(c.clone().into_bytes()),
            })
            .collect();
        let (items, diags) = load_items(&mut map, inputs);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(items.len(), out.files.len());
        let notes = out.notes.join("\n");
        assert!(notes.contains("Loose end"), "{notes}");
        assert!(notes.contains("Linkability"), "{notes}");
        assert!(notes.contains("TB-PHONE is a line"), "{notes}");
        // The same model always gives the same files.
        assert_eq!(dragon::import(json).unwrap(), out);
    }
}
