//! Security advisories, offline: OSV records read from folders the edge gathered (an
//! osv-scanner offline database unpacked as `DIR/<Ecosystem>/*.json`, RustSec's OSV
//! export, or a plain folder of records), matched against the components of the loaded
//! SBOMs. Nothing here fetches anything: an advisory snapshot is what the folders hold,
//! and [`Source`] records which snapshot a result rests on (path, record count, newest
//! `modified`, and a SHA-256 over the set).
//!
//! - [`osv`] reads one record leniently;
//! - `ecosystem` maps a component's purl onto an OSV ecosystem and package name;
//! - `version` orders versions per ecosystem;
//! - `matching` evaluates one `affected[]` entry for one version;
//! - [`assess`] runs the matching over the SBOMs, merges aliases, applies VEX statements
//!   and makes the findings;
//! - `pipeline` is the step of [`crate::analyse`] that runs all of it.

pub mod assess;
pub(crate) mod ecosystem;
pub(crate) mod matching;
pub mod osv;
pub(crate) mod pipeline;
pub(crate) mod version;

use crate::diag::{Code, Diagnostic};
use crate::lifecycle::advisory::Notice;
use crate::load::{InputError, InputKind, add_text};
use crate::model::{SourceMap, Span};
use jiff::Timestamp;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};

pub(crate) use osv::Record;

/// A component of one of the loaded SBOMs: what advisories and VEX statements are about.
/// (SBOM objects that are not components, services and the like, have no package URL to
/// match, so they never carry a vulnerability.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ComponentId {
    pub(crate) sbom: usize,
    pub(crate) component: usize,
}

impl ComponentId {
    /// The same component as an SBOM object, as `affects` links and SBOM pages name it.
    pub(crate) fn object(self) -> crate::sbom::ObjectId {
        crate::sbom::ObjectId {
            sbom: self.sbom,
            target: crate::sbom::Target::Component(self.component),
        }
    }

    pub(crate) fn get(self, sboms: &crate::sbom::SbomSet) -> &crate::sbom::Component {
        &sboms.sboms[self.sbom].components[self.component]
    }
}

/// One file found in an advisory folder.
#[derive(Debug)]
pub struct AdvisoryFile {
    /// Path relative to the folder, with forward slashes: what the snapshot's digest lists.
    pub rel: String,
    /// Path shown in findings.
    pub name: String,
    /// The file's bytes, or why they could not be read (a file over `max-advisory-size` is refused
    /// unread).
    pub content: Result<Vec<u8>, InputError>,
}

/// One advisory folder as the edge read it.
#[derive(Debug)]
pub struct AdvisoryDir {
    /// The folder as findings name it (relative to where the tool runs).
    pub name: String,
    /// The folder as the book and reports name it (relative to the folder that holds the
    /// book), so the page of a build does not depend on where it ran.
    pub path: String,
    /// Its files (every file, sorted by path, hidden ones left out), or why the folder
    /// could not be listed.
    pub files: Result<Vec<AdvisoryFile>, String>,
}

/// What the report says about one advisory folder: enough to name the snapshot a result
/// rests on and to check that another run used the same one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub(crate) path: String,
    /// Records read (withdrawn ones included).
    pub(crate) records: usize,
    pub(crate) withdrawn: usize,
    /// Files that could not be used (malformed, too large, not JSON).
    pub(crate) rejected: usize,
    /// The newest `modified` time of its records.
    pub(crate) newest_modified: Option<Timestamp>,
    /// SHA-256 of the sorted listing `<sha256 of the file>  <path in the folder>\n` of
    /// every `*.json` file that was read (malformed ones included; those over
    /// `max-advisory-size` or unreadable are left out, as they are `rejected`), so
    /// `sha256sum` can reproduce it (see README).
    pub sha256: String,
    /// The ecosystems the folder covers: its first-level folder names and the ecosystems
    /// its records name (without releases).
    pub(crate) ecosystems: BTreeSet<String>,
}

/// Every record of every folder, indexed by package.
#[derive(Debug, Default)]
pub struct Database {
    /// The advisory folders read, in configured order, with the snapshot facts of each (path,
    /// record count, newest `modified`, SHA-256 of the file listing).
    pub sources: Vec<Source>,
    pub(crate) records: Vec<Record>,
    /// The source of each record (index into `sources`).
    pub(crate) record_source: Vec<usize>,
    /// The file of each record, as findings name it.
    pub(crate) record_file: Vec<String>,
    /// RustSec `unmaintained` advisories, for the support lifecycle (whatever the version:
    /// such an advisory is about the package).
    pub(crate) notices: Vec<Notice>,
    /// (ecosystem without release, normalised name) → (record, affected entry).
    index: HashMap<(String, String), Vec<(usize, usize)>>,
    /// Every id and alias → the records that carry it.
    ids: HashMap<String, Vec<usize>>,
}

impl Database {
    /// Whether any advisory folder was given: without one, nothing is matched and no
    /// component is reported as unchecked.
    pub(crate) fn is_active(&self) -> bool {
        !self.sources.is_empty()
    }

    /// The (record, entry) pairs that name `name` (normalised) in ecosystem `base`.
    pub(crate) fn candidates(&self, base: &str, name: &str) -> &[(usize, usize)] {
        self.index
            .get(&(base.to_owned(), name.to_owned()))
            .map_or(&[], Vec::as_slice)
    }

    /// Whether some record carries `id` as its id or an alias.
    pub(crate) fn knows(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    /// Whether some folder covers the ecosystem (without release).
    pub(crate) fn covers(&self, base: &str) -> bool {
        self.sources.iter().any(|s| s.ecosystems.contains(base))
    }
}

const ADVISORY_FILE: InputKind = InputKind {
    noun: "advisory record",
    io_help: "check that the file is readable, or download the advisory database again",
    size_help: "raise `max-advisory-size` in [preprocessor.techfile] if the record is genuine; OSV records are rarely larger than a few hundred kilobytes",
    utf8_help: "OSV records are UTF-8 JSON; download the advisory database again",
};

/// Most files a folder reports as skipped one by one; the rest are counted.
const MAX_SKIPPED_LISTED: usize = 20;

struct Parsed {
    file: usize,
    sha256: String,
    result: Result<(Record, osv::Warnings), osv::Malformed>,
}

/// Reads every folder: each `*.json` file as one OSV record (in parallel), the digest of
/// each folder, and the index. Files that are not `*.json` are reported as skipped; a
/// record that cannot be read is reported at the place its parser stopped, and the others
/// are read on.
pub fn load(map: &mut SourceMap, dirs: Vec<AdvisoryDir>) -> (Database, Vec<Diagnostic>) {
    let mut db = Database::default();
    let mut diags = Vec::new();
    for dir in dirs {
        let mut source = Source {
            path: dir.path.clone(),
            records: 0,
            withdrawn: 0,
            rejected: 0,
            newest_modified: None,
            sha256: String::new(),
            ecosystems: BTreeSet::new(),
        };
        let files = match dir.files {
            Ok(files) => files,
            Err(e) => {
                if let Err(d) = add_text(
                    map,
                    dir.name.clone(),
                    Err(InputError::Folder(e)),
                    &ADVISORY_FILE,
                ) {
                    diags.push(d.help("download the advisory database into the folder, or fix the path given with --advisories or `advisories` in [preprocessor.techfile]"));
                }
                source.sha256 = crate::digest::sha256_hex(b"");
                db.sources.push(source);
                continue;
            }
        };
        let mut skipped = 0usize;
        let mut json = Vec::new();
        let mut others = Vec::new();
        for f in files {
            if let Some((first, _)) = f.rel.split_once('/') {
                source.ecosystems.insert(first.to_owned());
            }
            // A file the edge could not read at all (a git submodule, a file the OS
            // refuses) is reported as unreadable whatever its name: what it is cannot be
            // told. One over the size limit is still judged by its name, so an archive left
            // packed gets the help to unpack it.
            if f.rel.ends_with(".json") || matches!(f.content, Err(InputError::Io(_))) {
                json.push(f);
            } else {
                others.push(f);
            }
        }
        for f in &others {
            skipped += 1;
            if skipped > MAX_SKIPPED_LISTED {
                continue;
            }
            let span = Span::new(map.add(f.name.clone(), String::new()), 0..0);
            let help = if f.rel.ends_with(".zip") {
                "advisory databases are read unpacked: `unzip all.zip -d <folder>/<Ecosystem>/` and remove the archive"
            } else {
                "only `*.json` OSV records are read; move other files out of the advisory folder"
            };
            diags.push(
                Diagnostic::new(
                    Code::AdvisoryFileSkipped,
                    format!("`{}` is not a `*.json` OSV record and is not read", f.rel),
                )
                .at(span, "this file")
                .help(help),
            );
        }
        if skipped > MAX_SKIPPED_LISTED {
            let span = Span::new(map.add(dir.name.clone(), String::new()), 0..0);
            diags.push(
                Diagnostic::new(
                    Code::AdvisoryFileSkipped,
                    format!(
                        "{} more files in this folder are not `*.json` OSV records and are not read",
                        skipped - MAX_SKIPPED_LISTED
                    ),
                )
                .at(span, "this folder")
                .help("only `*.json` OSV records are read; move other files out of the advisory folder"),
            );
        }
        source.rejected += skipped;
        let parsed: Vec<Parsed> = json
            .par_iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let bytes = f.content.as_ref().ok()?;
                Some(Parsed {
                    file: i,
                    sha256: crate::digest::sha256_hex(bytes),
                    result: osv::parse(bytes),
                })
            })
            .collect();
        let mut hashes: Vec<Option<String>> = vec![None; json.len()];
        let mut results: Vec<Option<Result<(Record, osv::Warnings), osv::Malformed>>> =
            (0..json.len()).map(|_| None).collect();
        for p in parsed {
            hashes[p.file] = Some(p.sha256);
            results[p.file] = Some(p.result);
        }
        // (path in the folder, SHA-256) of every record read, sorted by path below.
        let mut listing: Vec<(String, String)> = Vec::with_capacity(json.len());
        for (i, f) in json.into_iter().enumerate() {
            let AdvisoryFile { rel, name, content } = f;
            let result = match content {
                Err(e) => {
                    if let Err(d) = add_text(map, name, Err(e), &ADVISORY_FILE) {
                        diags.push(d);
                    }
                    source.rejected += 1;
                    continue;
                }
                Ok(bytes) => {
                    listing.push((rel.clone(), hashes[i].take().unwrap_or_default()));
                    (results[i].take(), bytes)
                }
            };
            match result {
                (Some(Ok((record, warnings))), bytes) => {
                    if !warnings.is_empty() {
                        let file = add_lossy(map, &name, &bytes);
                        for (message, field) in warnings {
                            let range =
                                crate::sbom::locate::pointer(map.text(file), &format!("/{field}"))
                                    .unwrap_or(0..0);
                            diags.push(
                                Diagnostic::new(Code::AdvisoryMalformed, format!("advisory `{}`: {message}", record.id))
                                    .at(Span::new(file, range), "not an RFC 3339 time")
                                    .help("OSV times are RFC 3339 in UTC, such as `2026-01-31T12:00:00Z`; the record is used without this time"),
                            );
                        }
                    }
                    source.records += 1;
                    if record.withdrawn {
                        source.withdrawn += 1;
                    }
                    if let Some(m) = record.modified
                        && source.newest_modified.is_none_or(|n| m > n)
                    {
                        source.newest_modified = Some(m);
                    }
                    for a in &record.affected {
                        source
                            .ecosystems
                            .insert(ecosystem::split(&a.ecosystem).0.to_owned());
                        if a.informational.is_some() {
                            db.notices.extend(Notice::from_informational(
                                &record.id,
                                &a.ecosystem,
                                &a.name,
                                a.informational.as_deref(),
                                record.withdrawn,
                                &match source.path.as_str() {
                                    "." => rel.clone(),
                                    dir => format!("{}/{rel}", dir.trim_end_matches('/')),
                                },
                            ));
                        }
                    }
                    db.records.push(record);
                    db.record_source.push(db.sources.len());
                    db.record_file.push(name);
                }
                (Some(Err(m)), bytes) => {
                    source.rejected += 1;
                    let file = add_lossy(map, &name, &bytes);
                    let at = offset(map.text(file), m.line, m.column);
                    let end = one_char_end(map.text(file), at);
                    diags.push(
                        Diagnostic::new(
                            Code::AdvisoryMalformed,
                            format!("advisory record cannot be read: {}", strip_position(&m.message)),
                        )
                        .at(Span::new(file, at..end), "here")
                        .help("an OSV record is a JSON object with `id`, `modified` and `affected[]` of `{package: {ecosystem, name}, ranges, versions}`; this record is not used, so fix or remove it"),
                    );
                }
                (None, _) => {}
            }
        }
        // Sorted by the whole path, byte by byte, as `LC_ALL=C sort` sorts the lines of
        // `sha256sum`: the walk's order (each folder's names in turn) differs from it when a
        // name is a prefix of another, as `a/x` and `a-b/x`.
        listing.sort_unstable();
        let text: String = listing
            .iter()
            .map(|(rel, hash)| format!("{hash}  {rel}\n"))
            .collect();
        source.sha256 = crate::digest::sha256_hex(text.as_bytes());
        db.sources.push(source);
    }
    for (r, record) in db.records.iter().enumerate() {
        for id in std::iter::once(&record.id).chain(&record.aliases) {
            db.ids.entry(id.clone()).or_default().push(r);
        }
        if record.withdrawn {
            continue;
        }
        for (e, a) in record.affected.iter().enumerate() {
            let base = ecosystem::split(&a.ecosystem).0;
            db.index
                .entry((base.to_owned(), ecosystem::normalise(base, &a.name)))
                .or_default()
                .push((r, e));
        }
    }
    (db, diags)
}

/// The file's text in the map, for findings about it (decoded lossily: a record that is
/// not UTF-8 is malformed anyway).
fn add_lossy(map: &mut SourceMap, name: &str, bytes: &[u8]) -> crate::model::FileId {
    map.add(name.to_owned(), String::from_utf8_lossy(bytes).into_owned())
}

use crate::model::one_char_end;

/// serde_json's message without its " at line X column Y" tail, which the location shows.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

/// Byte offset of a 1-based line and column (0 for none).
fn offset(text: &str, line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let start = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum::<usize>();
    let mut at = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str, text: &str) -> AdvisoryFile {
        AdvisoryFile {
            rel: rel.into(),
            name: format!("adv/{rel}"),
            content: Ok(text.as_bytes().to_vec()),
        }
    }

    const REC: &str = r#"{"id":"TEST-1","modified":"2026-03-01T00:00:00Z","aliases":["CVE-2026-1"],
        "affected":[{"package":{"ecosystem":"PyPI","name":"Foo_Bar"},"versions":["1.0"]}]}"#;

    #[test]
    fn folders_are_read_digested_and_indexed() {
        let mut map = SourceMap::new();
        let dirs = vec![AdvisoryDir {
            name: "adv".into(),
            path: "adv".into(),
            files: Ok(vec![
                file("PyPI/TEST-1.json", REC),
                file("PyPI/all.zip", "PK"),
                file("npm/bad.json", "{\"id\": 1}"),
            ]),
        }];
        let (db, diags) = load(&mut map, dirs);
        let codes: Vec<_> = diags.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["advisory-file-skipped", "advisory-malformed"]);
        assert!(diags[0].help.as_deref().unwrap().contains("unzip"));
        let s = &db.sources[0];
        assert_eq!((s.records, s.rejected), (1, 2));
        assert_eq!(
            s.ecosystems.iter().map(String::as_str).collect::<Vec<_>>(),
            ["PyPI", "npm"]
        );
        assert_eq!(
            s.newest_modified.unwrap().to_string(),
            "2026-03-01T00:00:00Z"
        );
        let listing = format!(
            "{}  PyPI/TEST-1.json\n{}  npm/bad.json\n",
            crate::digest::sha256_hex(REC.as_bytes()),
            crate::digest::sha256_hex(b"{\"id\": 1}")
        );
        assert_eq!(s.sha256, crate::digest::sha256_hex(listing.as_bytes()));
        assert_eq!(db.candidates("PyPI", "foo-bar"), &[(0, 0)]);
        assert!(db.knows("CVE-2026-1") && db.knows("TEST-1") && !db.knows("TEST-2"));
        assert!(db.covers("npm") && !db.covers("Go"));
    }

    #[test]
    fn the_digest_sorts_whole_paths_as_sort_does() {
        let mut map = SourceMap::new();
        // The walk lists `a/` before `a-b/` (name by name); `LC_ALL=C sort` does not.
        let dirs = vec![AdvisoryDir {
            name: "adv".into(),
            path: "adv".into(),
            files: Ok(vec![file("a/x.json", REC), file("a-b/x.json", REC)]),
        }];
        let (db, _) = load(&mut map, dirs);
        let h = crate::digest::sha256_hex(REC.as_bytes());
        let listing = format!("{h}  a-b/x.json\n{h}  a/x.json\n");
        assert_eq!(
            db.sources[0].sha256,
            crate::digest::sha256_hex(listing.as_bytes())
        );
    }

    #[test]
    fn unmaintained_records_become_notices_for_the_support_lifecycle() {
        let unmaintained = |id: &str, withdrawn: &str| {
            format!(
                r#"{{"id":"{id}","modified":"2026-03-01T00:00:00Z"{withdrawn},"affected":[
                {{"package":{{"ecosystem":"crates.io","name":"old_crate"}},
                  "database_specific":{{"informational":"unmaintained"}}}},
                {{"package":{{"ecosystem":"crates.io","name":"shaky"}},
                  "database_specific":{{"informational":"unsound"}}}}]}}"#
            )
        };
        let mut map = SourceMap::new();
        let dirs = vec![AdvisoryDir {
            name: "../osv".into(),
            path: "../osv/".into(),
            files: Ok(vec![
                file("crates.io/R-1.json", &unmaintained("R-1", "")),
                file(
                    "crates.io/R-2.json",
                    &unmaintained("R-2", r#","withdrawn":"2026-04-01T00:00:00Z""#),
                ),
                file("PyPI/TEST-1.json", REC),
            ]),
        }];
        let (db, diags) = load(&mut map, dirs);
        assert!(diags.is_empty(), "{diags:?}");
        // One notice: the unsound entry and the withdrawn record give none.
        assert_eq!(
            db.notices,
            [Notice {
                id: "R-1".into(),
                ecosystem: "crates.io".into(),
                package: "old_crate".into(),
                path: "../osv/crates.io/R-1.json".into(),
            }]
        );
    }

    #[test]
    fn a_missing_folder_is_a_read_error() {
        let mut map = SourceMap::new();
        let (db, diags) = load(
            &mut map,
            vec![AdvisoryDir {
                name: "nowhere".into(),
                path: "nowhere".into(),
                files: Err("advisory folder `nowhere` cannot be read: not found".into()),
            }],
        );
        assert_eq!(diags[0].code, Code::ReadError);
        assert_eq!(db.sources[0].records, 0);
    }
}
