//! `mdbook-techfile init`: a new technical file that builds clean at once. The templates are
//! compiled into the binary, so the files depend only on the options: the device's name
//! and the regulation. The example items are drafts, so the fresh book passes every
//! coverage rule while listing everything as open work; the starter requirements derive
//! from every Annex I entry of the regulation and from every MDCG 2019-16 practice.
//!
//! It never overwrites anything: a folder that holds anything but hidden entries (`.git`,
//! a `.gitignore` of its own, which is left as it is) is refused, with the files it would
//! have overwritten. The book's own `.gitignore` (`book/.gitignore`, ignoring mdBook's
//! build folder) is one of its files, so an existing one is named like any other.

use anyhow::{Result, bail};
use std::fs;
use std::path::{Path, PathBuf};
use techfile_core::catalog::{Catalog, EntryKind};

/// The regulation the device falls under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Regulation {
    Mdr,
    Ivdr,
}

impl Regulation {
    fn short(self) -> &'static str {
        match self {
            Regulation::Mdr => "MDR",
            Regulation::Ivdr => "IVDR",
        }
    }

    fn long(self) -> &'static str {
        match self {
            Regulation::Mdr => "Regulation (EU) 2017/745 on medical devices (MDR)",
            Regulation::Ivdr => {
                "Regulation (EU) 2017/746 on in vitro diagnostic medical devices (IVDR)"
            }
        }
    }
}

/// What the new technical file is for.
#[derive(Clone, Debug)]
pub struct Options {
    /// The device's name, as the book names it.
    pub device: String,
    pub regulation: Regulation,
}

macro_rules! templates {
    ($($path:literal),* $(,)?) => {
        /// Every template: its path in the new folder and its text.
        const TEMPLATES: &[(&str, &str)] = &[
            $(($path, include_str!(concat!("../templates/init/", $path))),)*
        ];
    };
}

templates![
    "book/.gitignore",
    "book/book.toml",
    "book/src/SUMMARY.md",
    "book/src/introduction.md",
    "book/src/device-description.md",
    "book/src/risk-management-plan.md",
    "book/src/threat-model.md",
    "book/src/requirements.md",
    "book/src/controls.md",
    "book/src/risks.md",
    "book/src/verification.md",
    "book/src/traceability.md",
    "book/src/sbom.md",
    "book/src/user-information.md",
    "book/src/update-management.md",
    "book/src/post-market.md",
    "book/src/document-control.md",
    "book/src/catalog.md",
    "requirements/README.md",
    "requirements/requirements/REQ-SM-001.md",
    "requirements/requirements/REQ-SR-001.md",
    "requirements/requirements/REQ-SD-001.md",
    "requirements/requirements/REQ-SI-001.md",
    "requirements/requirements/REQ-SVV-001.md",
    "requirements/requirements/REQ-DM-001.md",
    "requirements/requirements/REQ-SUM-001.md",
    "requirements/requirements/REQ-SG-001.md",
    "requirements/controls/CTL-AUTH-001.md",
    "requirements/procedures/PRC-VUL-001.md",
    "requirements/risks/RSK-AUTH-001.md",
    "requirements/tests/TST-AUTH-001.md",
    "sboms/README.md",
];

/// `s` as a TOML string, quotes included, escaped by the `toml` crate's writer.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The first character that would break the device's name out of its line in a TOML
/// comment, a TOML string or a Markdown paragraph: a control character (line feed,
/// carriage return, tab, NUL ...) or a Unicode line or paragraph separator.
fn line_breaking(s: &str) -> Option<char> {
    s.chars()
        .find(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
}

/// The Annex I entry of `regulation` equivalent to the MDR entry `id` (itself for the
/// MDR), if there is one.
fn annex_entry(id: &str, regulation: Regulation) -> Option<String> {
    match regulation {
        Regulation::Mdr => Some(id.to_string()),
        Regulation::Ivdr => {
            let catalog = Catalog::builtin();
            catalog
                .get(id)?
                .maps_to
                .iter()
                .find_map(|t| (catalog.get(t)?.kind == EntryKind::Ivdr).then(|| t.clone()))
        }
    }
}

/// A `derives-from = [...]` line with its MDR entries named for the regulation; an entry
/// with no equivalent is dropped.
fn derives_for(line: &str, regulation: Regulation) -> String {
    let Some(list) = line
        .strip_prefix("derives-from = [")
        .and_then(|l| l.strip_suffix(']'))
    else {
        return line.to_string();
    };
    let ids: Vec<String> = list
        .split(',')
        .map(|s| s.trim().trim_matches('"'))
        .filter_map(|id| {
            if id.starts_with("MDR-") {
                annex_entry(id, regulation)
            } else {
                Some(id.to_string())
            }
        })
        .map(|id| format!("\"{id}\""))
        .collect();
    format!("derives-from = [{}]", ids.join(", "))
}

/// The files of a new technical file, by path relative to its folder, in a fixed order.
pub fn files(options: &Options) -> Vec<(&'static str, String)> {
    let device = options.device.trim();
    let reg = options.regulation;
    let na_example = annex_entry("MDR-14.1", reg).unwrap_or_default();
    TEMPLATES
        .iter()
        .map(|(path, text)| {
            let text = text
                .replace(
                    "@TITLE_TOML@",
                    &toml_string(&format!("{device}: cybersecurity technical file")),
                )
                .replace("@DEVICE_TOML@", &toml_string(device))
                .replace(
                    "@NA_REASON_TOML@",
                    &toml_string(&format!("Why this entry does not apply to {device}")),
                )
                .replace("@DEVICE_COMMENT@", device)
                .replace("@DEVICE@", &techfile_core::render::markdown_inline(device))
                .replace("@REGULATION_LONG@", reg.long())
                .replace("@REGULATION@", reg.short())
                .replace("@regulation@", &reg.short().to_lowercase())
                .replace("@NA_EXAMPLE@", &na_example);
            let text = if path.starts_with("requirements/") {
                text.lines()
                    .map(|l| derives_for(l, reg))
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n"
            } else {
                text
            };
            (*path, text)
        })
        .collect()
}

/// What `init` wrote.
#[derive(Debug)]
pub struct Written {
    pub dir: PathBuf,
    pub files: Vec<&'static str>,
}

/// The entries of `dir` that are not hidden, sorted; none when it does not exist.
fn visible_entries(dir: &Path) -> Result<Vec<String>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    if !dir.is_dir() {
        bail!("{} exists and is not a folder", dir.display());
    }
    let mut out: Vec<String> = fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    out.sort();
    Ok(out)
}

/// Writes a new technical file into `dir` (created when missing).
///
/// # Errors
///
/// When `dir` holds anything but hidden entries: nothing is written, and the message names
/// the files that already exist (or, when none would be overwritten, what the folder
/// holds). Also when a folder or file cannot be created.
pub fn init(dir: &Path, options: &Options) -> Result<Written> {
    if let Some(c) = line_breaking(&options.device) {
        bail!(
            "the device's name holds the control or line-break character U+{:04X}, so nothing was written; give it as one line of text, such as --device \"Insulin dose app\"",
            u32::from(c)
        );
    }
    if options.device.trim().is_empty() {
        bail!(
            "the device's name is empty, so nothing was written; give it as one line of text, such as --device \"Insulin dose app\""
        );
    }
    let files = files(options);
    let present = visible_entries(dir)?;
    if !present.is_empty() {
        let clashes: Vec<&str> = files
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| dir.join(p).exists())
            .collect();
        let what = if clashes.is_empty() {
            format!("it holds {}", present.join(", "))
        } else {
            format!("these files would be overwritten: {}", clashes.join(", "))
        };
        bail!(
            "{} is not empty, so nothing was written ({what}); run `mdbook-techfile init` with a new or empty folder, such as `mdbook-techfile init techfile`",
            dir.display()
        );
    }
    for (path, text) in &files {
        let to = dir.join(path);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", parent.display()))?;
        }
        // `create_new`: a file that appeared since the check is never overwritten.
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&to)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", to.display()))?;
    }
    Ok(Written {
        dir: dir.to_path_buf(),
        files: files.into_iter().map(|(p, _)| p).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(device: &str, regulation: Regulation) -> Options {
        Options {
            device: device.into(),
            regulation,
        }
    }

    /// Names that break a hand-written TOML string or Markdown line: quotes, backslashes,
    /// markup, a Unicode name.
    const AWKWARD: &[&str] = &[
        "Dose \"Wise\"",
        "C:\\pump\\ \"x\" \\",
        "<script>alert('x')</script> *bold* _it_ [a](b) `c` #1 | 2",
        "Dosisrechner für Ärzte 胰岛素泵 ✓",
        "it's \"\"\" ''' \\u0041",
    ];

    #[test]
    fn the_device_name_is_valid_toml_in_every_string_and_commented_example() {
        for name in AWKWARD {
            let files = files(&options(name, Regulation::Mdr));
            let toml = &files
                .iter()
                .find(|(p, _)| *p == "book/book.toml")
                .unwrap()
                .1;
            let parsed: toml::Table = toml.parse().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                parsed["book"]["title"].as_str(),
                Some(format!("{name}: cybersecurity technical file").as_str())
            );
            let bundle = &parsed["preprocessor"]["techfile"]["bundle"];
            assert_eq!(bundle["device"].as_str(), Some(*name));
            // The not-applicable example, uncommented as a user would, is TOML too.
            let uncommented = toml
                .replace(
                    "# [preprocessor.techfile.not-applicable]\n# ",
                    "[preprocessor.techfile.not-applicable]\n",
                )
                .parse::<toml::Table>()
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                uncommented["preprocessor"]["techfile"]["not-applicable"]["MDR-14.1"].as_str(),
                Some(format!("Why this entry does not apply to {name}").as_str())
            );
            // The first comment names the device as given: one line, so still a comment.
            assert!(toml.starts_with(&format!(
                "# The cybersecurity part of the technical file of {name},"
            )));
            assert!(
                !files.iter().any(|(_, t)| t.contains('@')),
                "a placeholder is left"
            );
        }
    }

    #[test]
    fn the_device_name_is_escaped_for_markdown() {
        let files = files(&options("Dose \"Pro\" <3> \\ [app] *b*", Regulation::Mdr));
        let text = |p: &str| &files.iter().find(|(f, _)| *f == p).unwrap().1;
        let intro = text("book/src/introduction.md");
        assert!(
            intro.contains(r#"**Dose \"Pro\" \<3\> \\ \[app\] \*b\***"#),
            "{intro}"
        );
    }

    #[test]
    fn a_name_that_breaks_its_line_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "Pump\nrm -rf",
            "Pump\r",
            "Tab\there",
            "Pump\u{2028}2",
            "NUL\0",
            "  ",
        ] {
            let err = init(dir.path(), &options(name, Regulation::Mdr))
                .unwrap_err()
                .to_string();
            assert!(err.contains("nothing was written"), "{name:?}: {err}");
            assert!(err.contains("--device \"Insulin dose app\""), "{err}");
        }
        let err = init(dir.path(), &options("Pump\n", Regulation::Mdr)).unwrap_err();
        assert!(err.to_string().contains("U+000A"), "{err}");
        assert_eq!(visible_entries(dir.path()).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn the_starter_requirements_derive_from_every_annex_i_entry_and_practice() {
        let catalog = Catalog::builtin();
        for (regulation, kind) in [
            (Regulation::Mdr, EntryKind::Mdr),
            (Regulation::Ivdr, EntryKind::Ivdr),
        ] {
            let files = files(&options("D", regulation));
            let derived: String = files
                .iter()
                .filter(|(p, _)| p.starts_with("requirements/requirements/"))
                .map(|(_, t)| t.as_str())
                .collect();
            for e in catalog
                .of_kind(kind)
                .chain(catalog.of_kind(EntryKind::Practice))
            {
                assert!(
                    derived.contains(&format!("\"{}\"", e.id)),
                    "{} is not derived",
                    e.id
                );
            }
            let other = if regulation == Regulation::Mdr {
                "\"IVDR-"
            } else {
                "\"MDR-"
            };
            assert!(!derived.contains(other));
            let toml = &files
                .iter()
                .find(|(p, _)| *p == "book/book.toml")
                .unwrap()
                .1;
            assert!(toml.contains(&format!("\n{} = true\n", regulation.short().to_lowercase())));
        }
    }

    #[test]
    fn a_folder_with_files_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join(".git")).unwrap();
        let written = init(dir.path(), &options("D", Regulation::Mdr)).unwrap();
        assert_eq!(written.files.len(), TEMPLATES.len());
        // A second run names the files it would overwrite and changes nothing.
        fs::write(dir.path().join("book/book.toml"), "mine").unwrap();
        let err = init(dir.path(), &options("D", Regulation::Mdr))
            .unwrap_err()
            .to_string();
        assert!(err.contains("book/book.toml, book/src/SUMMARY.md"), "{err}");
        assert_eq!(
            fs::read_to_string(dir.path().join("book/book.toml")).unwrap(),
            "mine"
        );
        // A folder with other files: refused, naming what it holds.
        let other = tempfile::tempdir().unwrap();
        fs::write(other.path().join("notes.txt"), "x").unwrap();
        let err = init(other.path(), &options("D", Regulation::Mdr))
            .unwrap_err()
            .to_string();
        assert!(err.contains("it holds notes.txt"), "{err}");
        assert_eq!(visible_entries(other.path()).unwrap(), ["notes.txt"]);
    }
}
