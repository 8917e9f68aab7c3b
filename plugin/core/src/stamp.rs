//! The stamp of a version of the technical file: version, commit, date and the SHA-256 of
//! every input, printed on every page and listed by the document control page.
//!
//! The edge finds the facts (git, `SOURCE_DATE_EPOCH`); the input hashes are computed here
//! from the very bytes the analysis read, so the stamp can never describe other files.

use crate::config::bundle::Revision;
use crate::model::Date;
use jiff::Timestamp;
use std::fmt::Write as _;

/// What an input file is to the technical file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// `book.toml`.
    Config,
    /// `src/SUMMARY.md`.
    Summary,
    /// A chapter SUMMARY.md lists.
    Chapter,
    /// A file under `src` that a chapter includes (`{{#include}}` and its relatives).
    Include,
    /// An item file.
    Item,
    /// A CycloneDX SBOM that passed validation.
    Sbom,
    /// A review record.
    Review,
    /// A VEX document (the `vex` setting, `--vex`, OpenVEX in the SBOM folders).
    Vex,
    /// A file of the evidence folder (test reports, JUnit XML).
    Evidence,
}

impl Role {
    /// The word `trace.json` and the document-control page use (`config`, `item`, `sbom`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Config => "config",
            Role::Summary => "summary",
            Role::Chapter => "chapter",
            Role::Include => "include",
            Role::Item => "item",
            Role::Sbom => "sbom",
            Role::Review => "review",
            Role::Vex => "vex",
            Role::Evidence => "evidence",
        }
    }
}

/// One file the build read, identified by its hash.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct InputFile {
    /// What the file is to the technical file.
    pub role: Role,
    /// Relative to the folder that holds the book, with forward slashes.
    pub path: String,
    pub(crate) bytes: u64,
    /// SHA-256 of the bytes read, 64 lower-case hex digits.
    pub sha256: String,
}

impl InputFile {
    /// The record of one input from the bytes that were read.
    pub(crate) fn of(role: Role, path: &str, bytes: &[u8]) -> InputFile {
        InputFile {
            role,
            path: path.to_string(),
            bytes: bytes.len() as u64,
            sha256: crate::digest::sha256_hex(bytes),
        }
    }
}

/// A configured SBOM folder and whether it exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SbomFolder {
    /// As written in book.toml.
    pub configured: String,
    /// Relative to the folder that holds the book.
    pub path: String,
    /// Whether the folder exists.
    pub found: bool,
}

/// Where the build date comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateSource {
    /// `SOURCE_DATE_EPOCH`, the reproducible-builds convention.
    SourceDateEpoch,
    /// The committer date of `HEAD`.
    Commit,
    /// Neither is available; the wall clock is never used, so the date stays unknown.
    Unknown,
}

impl DateSource {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            DateSource::SourceDateEpoch => "from SOURCE_DATE_EPOCH",
            DateSource::Commit => "date of the commit",
            DateSource::Unknown => "no SOURCE_DATE_EPOCH and no commit",
        }
    }
}

/// The date on the pages, by where it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ShownDate {
    /// The date of this version's entry in the revision history.
    Issued(Date),
    /// The day of `SOURCE_DATE_EPOCH`.
    Built(Date),
    /// The day of the commit.
    Committed(Date),
    Unknown,
}

/// Everything that identifies one build of the technical file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub(crate) version: String,
    /// The full commit hash of `HEAD`, when the book is in a git repository.
    pub(crate) commit: Option<String>,
    /// The work tree differs from `HEAD` (changed or untracked files).
    pub modified: bool,
    /// The build time: `SOURCE_DATE_EPOCH` or the commit's.
    pub timestamp: Option<Timestamp>,
    pub(crate) date_source: DateSource,
    /// Every input file, sorted by role then path.
    pub inputs: Vec<InputFile>,
    pub(crate) sbom_folders: Vec<SbomFolder>,
    pub(crate) revisions: Vec<Revision>,
}

/// What the edge finds out about a version: everything in a [`Stamp`] but the input
/// hashes, which the analysis computes from the bytes it read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StampFacts {
    /// The version being built (`[preprocessor.techfile.bundle] version`, or from git with
    /// `version-from`).
    pub version: String,
    /// The full commit hash of `HEAD`, when the book is in a git repository with a commit.
    pub commit: Option<String>,
    /// The work tree differs from `HEAD` (changed or untracked files).
    pub modified: bool,
    /// The build time (UTC): `SOURCE_DATE_EPOCH`, else the commit's; `None` when neither exists.
    pub timestamp: Option<Timestamp>,
    /// Where `timestamp` came from.
    pub date_source: DateSource,
    /// The configured SBOM folders and whether each exists.
    pub sbom_folders: Vec<SbomFolder>,
    /// The revision history of `[[preprocessor.techfile.bundle.revision]]`, oldest first.
    pub revisions: Vec<Revision>,
}

impl StampFacts {
    /// The stamp, with `inputs` (sorted by role then path) as its input list.
    pub(crate) fn into_stamp(self, inputs: Vec<InputFile>) -> Stamp {
        Stamp {
            version: self.version,
            commit: self.commit,
            modified: self.modified,
            timestamp: self.timestamp,
            date_source: self.date_source,
            inputs,
            sbom_folders: self.sbom_folders,
            revisions: self.revisions,
        }
    }
}

impl ShownDate {
    /// The day itself, whatever its source.
    pub(crate) fn day(self) -> Option<Date> {
        match self {
            ShownDate::Issued(d) | ShownDate::Built(d) | ShownDate::Committed(d) => Some(d),
            ShownDate::Unknown => None,
        }
    }
}

impl Stamp {
    /// The first 12 hex digits of the commit, or `unknown`.
    pub fn short_commit(&self) -> &str {
        match &self.commit {
            Some(c) => &c[..c.len().min(12)],
            None => "unknown",
        }
    }

    /// The UTC calendar day of the build time.
    pub(crate) fn date(&self) -> Option<Date> {
        self.timestamp.and_then(|t| Date::new(utc(t).date()))
    }

    /// The revision history's entry for this version (the last, if it is listed twice).
    pub(crate) fn revision(&self) -> Option<&Revision> {
        self.revisions
            .iter()
            .rev()
            .find(|r| r.version == self.version)
    }

    /// The date the pages show, and where it comes from. A version listed in the revision
    /// history carries its issue date, so the pages and the history never disagree; else
    /// the build date (`SOURCE_DATE_EPOCH` or the commit's).
    pub(crate) fn shown_date(&self) -> ShownDate {
        if let Some(d) = self.revision().and_then(Revision::date) {
            return ShownDate::Issued(d);
        }
        match (self.date(), self.date_source) {
            (Some(d), DateSource::SourceDateEpoch) => ShownDate::Built(d),
            (Some(d), _) => ShownDate::Committed(d),
            (None, _) => ShownDate::Unknown,
        }
    }

    /// `Version 1.0 · commit 0123456789ab · 2026-11-28`, the line every page carries. The
    /// date is the commit's; any other says where it comes from (`issued 2026-11-27` from
    /// the revision history, `built 2026-11-28` from `SOURCE_DATE_EPOCH`).
    pub(crate) fn line(&self) -> String {
        let modified = if self.modified { " (modified)" } else { "" };
        format!(
            "Version {} \u{b7} commit {}{modified} \u{b7} {}",
            self.version,
            self.short_commit(),
            self.date_text()
        )
    }

    /// The date the pages show, with where it comes from unless it is the commit's
    /// (`issued 2026-11-27`, `built 2026-11-28`, `2026-11-28`, `date unknown`): the stamp
    /// line and the cover say it alike.
    pub(crate) fn date_text(&self) -> String {
        match self.shown_date() {
            ShownDate::Issued(d) => format!("issued {d}"),
            ShownDate::Built(d) => format!("built {d}"),
            ShownDate::Committed(d) => d.to_string(),
            ShownDate::Unknown => "date unknown".to_string(),
        }
    }

    /// One SHA-256 (64 lower-case hex digits) over what the pages say of the build (version,
    /// commit, `modified`, timestamp in seconds and its source) and every input's role,
    /// path and SHA-256, in the stamp's order: equal exactly when two analyses read the
    /// same bytes from the same files and stamp them alike. The preprocessor hands it to
    /// the renderer, which compares it with its own analysis (mdBook runs them as two
    /// processes that each read the disk and ask git): a file edited, or a commit made,
    /// between the two would otherwise give HTML and `trace.json` of different builds.
    pub fn build_digest(&self) -> String {
        let mut text = String::new();
        // Lengths first, as for paths below: a version may hold any character.
        let _ = writeln!(
            text,
            "version {}:{}\ncommit {}\nmodified {}\ntimestamp {}\ndate-source {}",
            self.version.len(),
            self.version,
            self.commit.as_deref().unwrap_or("-"),
            self.modified,
            self.timestamp
                .map_or_else(|| "-".to_string(), |t| t.as_second().to_string()),
            self.date_source.describe(),
        );
        for f in &self.inputs {
            // The path's length in bytes first: a path may hold any character, so no
            // separator alone keeps two different lists from writing the same text.
            let _ = writeln!(
                text,
                "{} {}:{} {}",
                f.role.as_str(),
                f.path.len(),
                f.path,
                f.sha256
            );
        }
        crate::digest::sha256_hex(text.as_bytes())
    }

    /// The PDF's file name.
    pub fn pdf_name(&self) -> String {
        format!("technical-file-{}.pdf", self.version)
    }
}

/// The UTC date and time of a timestamp: no time zone or locale can creep in.
pub fn utc(timestamp: Timestamp) -> jiff::civil::DateTime {
    jiff::tz::Offset::UTC.to_datetime(timestamp)
}

/// The SBOM inputs with their place in the bundle: `sboms/` followed by the path inside
/// their configured folder.
pub fn sbom_files(stamp: &Stamp) -> Vec<(&InputFile, String)> {
    stamp
        .inputs
        .iter()
        .filter(|f| f.role == Role::Sbom)
        .map(|f| {
            let inside = stamp
                .sbom_folders
                .iter()
                .find_map(|d| f.path.strip_prefix(&format!("{}/", d.path)))
                .unwrap_or_else(|| f.path.rsplit('/').next().unwrap_or(&f.path));
            (f, format!("sboms/{inside}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp() -> Stamp {
        Stamp {
            version: "1.0".into(),
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            modified: false,
            timestamp: Some(Timestamp::from_second(1_795_000_000).unwrap()),
            date_source: DateSource::SourceDateEpoch,
            inputs: Vec::new(),
            sbom_folders: Vec::new(),
            revisions: Vec::new(),
        }
    }

    #[test]
    fn sha256_matches_the_standard_vectors() {
        use crate::digest::sha256_hex;
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn timestamps_become_utc_dates() {
        let d = |t: i64| {
            let mut s = stamp();
            s.timestamp = Some(Timestamp::from_second(t).unwrap());
            s.date().map(|d| d.to_string())
        };
        assert_eq!(d(0).as_deref(), Some("1970-01-01"));
        assert_eq!(d(86_399).as_deref(), Some("1970-01-01"));
        assert_eq!(d(951_782_400).as_deref(), Some("2000-02-29"));
        assert_eq!(d(1_709_164_800 + 3_661).as_deref(), Some("2024-02-29"));
        assert_eq!(d(4_107_542_400).as_deref(), Some("2100-03-01"));
        assert_eq!(d(-1).as_deref(), Some("1969-12-31"));
        // Years `YYYY-MM-DD` cannot write give no date rather than a wrong one.
        assert_eq!(d(-62_135_596_801), None);
    }

    #[test]
    fn the_stamp_line_names_version_commit_and_date() {
        let mut s = stamp();
        // SOURCE_DATE_EPOCH is a build date, and says so; a commit's date is plain.
        assert_eq!(
            s.line(),
            "Version 1.0 \u{b7} commit 0123456789ab \u{b7} built 2026-11-18"
        );
        s.date_source = DateSource::Commit;
        assert_eq!(
            s.line(),
            "Version 1.0 \u{b7} commit 0123456789ab \u{b7} 2026-11-18"
        );
        // The revision history's entry for the version gives the issue date.
        let revision = |version: &str, date: &str| Revision {
            version: version.into(),
            date: date.into(),
            author: "a".into(),
            description: "d".into(),
        };
        s.revisions = vec![revision("0.9", "2026-10-01"), revision("1.0", "2026-11-02")];
        assert_eq!(
            s.line(),
            "Version 1.0 \u{b7} commit 0123456789ab \u{b7} issued 2026-11-02"
        );
        s.revisions.pop();
        assert_eq!(s.shown_date(), ShownDate::Committed(s.date().unwrap()));
        s.commit = None;
        s.timestamp = None;
        s.modified = true;
        assert_eq!(
            s.line(),
            "Version 1.0 \u{b7} commit unknown (modified) \u{b7} date unknown"
        );
        assert_eq!(s.pdf_name(), "technical-file-1.0.pdf");
    }

    #[test]
    fn the_build_digest_changes_with_any_input_and_what_the_pages_say() {
        let file = |path: &str, sha: &str| InputFile {
            role: Role::Item,
            path: path.into(),
            bytes: 1,
            sha256: sha.into(),
        };
        let mut a = stamp();
        a.inputs = vec![file("requirements/a.md", &"1".repeat(64))];
        let digest = a.build_digest();
        assert_eq!(digest.len(), 64);
        assert_eq!(a.clone().build_digest(), digest);
        let mut other = a.clone();
        other.version = "2.0".into();
        assert_ne!(other.build_digest(), digest);
        let mut other = a.clone();
        other.modified = !a.modified;
        assert_ne!(other.build_digest(), digest);
        let mut other = a.clone();
        other.commit = Some("f".repeat(40));
        assert_ne!(other.build_digest(), digest);
        let mut other = a.clone();
        other.timestamp = Some(Timestamp::from_second(1).unwrap());
        assert_ne!(other.build_digest(), digest);
        let mut changed = a.clone();
        changed.inputs[0].sha256 = "2".repeat(64);
        assert_ne!(changed.build_digest(), digest);
        let mut moved = a.clone();
        moved.inputs[0].path = "requirements/b.md".into();
        assert_ne!(moved.build_digest(), digest);
        let mut added = a.clone();
        added
            .inputs
            .push(file("requirements/b.md", &"1".repeat(64)));
        assert_ne!(added.build_digest(), digest);
    }

    #[test]
    fn sboms_keep_their_path_inside_their_folder() {
        let mut s = stamp();
        let file = |role, path: &str| InputFile {
            role,
            path: path.into(),
            bytes: 1,
            sha256: String::new(),
        };
        s.inputs = vec![
            file(Role::Item, "requirements/a.md"),
            file(Role::Sbom, "sboms/app/bom.cdx.json"),
            file(Role::Sbom, "../shared/fw.spdx.json"),
        ];
        s.sbom_folders = vec![
            SbomFolder {
                configured: "../sboms".into(),
                path: "sboms".into(),
                found: true,
            },
            SbomFolder {
                configured: "../../shared".into(),
                path: "../shared".into(),
                found: true,
            },
        ];
        let paths: Vec<String> = sbom_files(&s).into_iter().map(|(_, p)| p).collect();
        assert_eq!(paths, ["sboms/app/bom.cdx.json", "sboms/fw.spdx.json"]);
    }
}
