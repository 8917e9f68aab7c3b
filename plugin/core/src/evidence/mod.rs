//! Test evidence: the files under the evidence folder (test reports, pen-test reports,
//! JUnit XML) that test items name in `evidence = [{ path, sha256 }]`, checked against the
//! hashes the items record, and the results of the JUnit test cases items name in `junit`.
//!
//! The edge walks the evidence folder and hashes every file as a stream (an evidence file
//! may be a large PDF); it hands over the bytes only of the files a JUnit reader needs
//! (`*.xml`, up to `evidence.max-junit-size`). Every file of the folder is listed in the
//! document control and shipped in the bundle.

pub mod junit;
pub mod rewrite;

use crate::diag::{Code, Diagnostic};
use crate::load::InputError;
use crate::model::{Item, Kind, SourceMap, Span, TestResult};
use crate::stamp::{InputFile, Role};
use std::collections::BTreeMap;

/// A file of the evidence folder as the edge found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceFile {
    /// Path shown in findings.
    pub name: String,
    /// Relative to the folder that holds the book.
    pub path: String,
    /// Relative to the evidence folder, with forward slashes: what `path` in an entry names.
    pub rel: String,
    /// Size in bytes and SHA-256 (lower-case hex), hashed as the file was read; `Err` when it could not be
    /// read (or, with `rel` empty, when the folder itself could not be).
    pub digest: Result<(u64, String), InputError>,
    /// The bytes, for JUnit reports (`*.xml`); `None` for the other files.
    pub content: Option<Result<Vec<u8>, InputError>>,
}

impl EvidenceFile {
    /// A file read whole: its digest computed from its bytes.
    pub fn from_bytes(name: &str, path: &str, rel: &str, bytes: Vec<u8>) -> EvidenceFile {
        let digest = (bytes.len() as u64, crate::digest::sha256_hex(&bytes));
        let xml = is_xml(rel);
        EvidenceFile {
            name: name.to_owned(),
            path: path.to_owned(),
            rel: rel.to_owned(),
            digest: Ok(digest),
            content: xml.then_some(Ok(bytes)),
        }
    }
}

/// Whether the edge hands over a file's bytes: JUnit reports are XML.
pub fn is_xml(rel: &str) -> bool {
    rel.rsplit('.')
        .next()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
}

/// The outcome of a test's JUnit cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JunitOutcome {
    pub(crate) result: TestResult,
    /// Each case the test names, with its outcome and the report it was found in.
    pub(crate) cases: Vec<(String, junit::Outcome, String)>,
    /// The versions the suites of those cases ran on (the release's JUnit property), with
    /// the evidence entry of the report.
    pub(crate) versions: Vec<(String, Span)>,
}

/// The evidence of a technical file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    /// Every readable file of the evidence folder, sorted by path: what the stamp lists
    /// and the bundle ships (`evidence/<rel>`).
    pub files: Vec<(String, InputFile)>,
    /// Per test item (index into the items) with `junit`: what the reports say.
    pub(crate) junit: BTreeMap<usize, JunitOutcome>,
}

/// Checks every test's evidence entries against the files, reads the JUnit cases tests
/// name, and gives a test without a hand-written `result` the result of its cases.
pub(crate) fn resolve(
    map: &mut SourceMap,
    items: &mut [Item],
    inputs: Vec<EvidenceFile>,
    junit_property: &str,
) -> (Evidence, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut evidence = Evidence::default();
    let mut by_rel: BTreeMap<&str, &EvidenceFile> = BTreeMap::new();
    // A test naming an unreadable file reports it there; one no test names is reported at
    // the file, so that nothing in the folder is lost silently (a git submodule, a file the
    // OS refuses).
    let named: std::collections::BTreeSet<String> = items
        .iter()
        .filter(|i| i.kind == Kind::Test)
        .flat_map(|i| &i.evidence)
        .map(|e| {
            let rel = e.path.value.as_str();
            rel.strip_prefix("./").unwrap_or(rel).to_owned()
        })
        .collect();
    for f in &inputs {
        match (&f.digest, f.rel.is_empty()) {
            (Err(e), true) => {
                let span = Span::new(map.add(f.name.clone(), String::new()), 0..0);
                diags.push(
                    Diagnostic::new(Code::ReadError, describe(e))
                        .at(span, "this folder")
                        .help("create the folder, or fix `folder` in [preprocessor.techfile.evidence] (relative to the book root)"),
                );
            }
            (Ok((bytes, sha256)), false) => {
                evidence.files.push((
                    f.rel.clone(),
                    InputFile {
                        role: Role::Evidence,
                        path: f.path.clone(),
                        bytes: *bytes,
                        sha256: sha256.clone(),
                    },
                ));
                by_rel.insert(&f.rel, f);
            }
            (Err(e), false) => {
                if !named.contains(&f.rel) {
                    let span = Span::new(map.add(f.name.clone(), String::new()), 0..0);
                    diags.push(
                        Diagnostic::new(
                            Code::ReadError,
                            format!("cannot read evidence file {}: {}", f.name, describe(e)),
                        )
                        .at(span, "this file")
                        .help("make the file readable, or move it out of the evidence folder"),
                    );
                }
                by_rel.insert(&f.rel, f);
            }
            (Ok(_), true) => {}
        }
    }
    // Reports are parsed once, however many tests name them.
    let mut reports: BTreeMap<String, Result<Vec<junit::Case>, String>> = BTreeMap::new();
    for item in items
        .iter()
        .filter(|i| i.kind == Kind::Test && !i.junit.is_empty())
    {
        for entry in &item.evidence {
            let rel = entry.path.value.as_str();
            let rel = rel.strip_prefix("./").unwrap_or(rel);
            if outside(rel) || !is_xml(rel) || reports.contains_key(rel) {
                continue;
            }
            if let Some(file) = by_rel.get(rel) {
                let parsed = match &file.content {
                    Some(Ok(bytes)) => junit::parse(bytes),
                    Some(Err(e)) => Err(describe(e)),
                    None => Err("the file was not read".into()),
                };
                reports.insert(rel.to_owned(), parsed);
            }
        }
    }
    for (index, item) in items.iter_mut().enumerate() {
        if item.kind != Kind::Test {
            continue;
        }
        let mut cases: Vec<(&junit::Case, Span, String)> = Vec::new();
        let mut usable = true;
        for entry in &item.evidence {
            let rel = entry.path.value.as_str();
            if outside(rel) {
                diags.push(
                    Diagnostic::new(
                        Code::EvidenceOutside,
                        format!("evidence path `{rel}` leads out of the evidence folder"),
                    )
                    .at(entry.path.span, "not inside the evidence folder")
                    .help("evidence paths are relative to the evidence folder (default `evidence/` beside `requirements/`), without `..` or a leading `/`: copy the file into the folder and name it from there"),
                );
                usable = false;
                continue;
            }
            let rel = rel.strip_prefix("./").unwrap_or(rel);
            let Some(file) = by_rel.get(rel) else {
                let known: Vec<&str> = by_rel.keys().copied().collect();
                let help = match crate::suggest::closest(rel, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "put the file in the evidence folder (`evidence.folder` in book.toml, default `../evidence`) or fix the path; paths are relative to that folder".into(),
                };
                diags.push(
                    Diagnostic::new(
                        Code::EvidenceMissing,
                        format!("evidence file `{rel}` is not in the evidence folder"),
                    )
                    .at(entry.path.span, "no such file")
                    .help(help),
                );
                usable = false;
                continue;
            };
            let sha256 = match &file.digest {
                Ok((_, sha256)) => sha256,
                Err(e) => {
                    diags.push(
                        Diagnostic::new(
                            Code::ReadError,
                            format!("cannot read evidence file {}: {}", file.name, describe(e)),
                        )
                        .at(entry.path.span, "this file")
                        .help("check that the file is readable"),
                    );
                    usable = false;
                    continue;
                }
            };
            match &entry.sha256 {
                Some(recorded) if recorded.value == *sha256 => {}
                Some(recorded) => diags.push(
                    Diagnostic::new(
                        Code::EvidenceChanged,
                        format!("evidence file {} changed since its hash was recorded", file.name),
                    )
                    .at(recorded.span, format!("the file's SHA-256 is now {sha256}"))
                    .help(format!("check that the new file is the evidence of this test, then record it with `mdbook-techfile evidence --update {}`", item.id)),
                ),
                None => diags.push(
                    Diagnostic::new(
                        Code::EvidenceChanged,
                        format!("no SHA-256 is recorded for evidence file {}", file.name),
                    )
                    .at(entry.span, "no `sha256` in this entry")
                    .help(format!("record it with `mdbook-techfile evidence --update {}`", item.id)),
                ),
            }
            if item.junit.is_empty() || !is_xml(rel) {
                continue;
            }
            let Some(parsed) = reports.get(rel) else {
                continue;
            };
            match parsed {
                Ok(list) => cases.extend(list.iter().map(|c| (c, entry.path.span, rel.to_owned()))),
                Err(why) => {
                    let code = match &file.content {
                        Some(Err(InputError::TooLarge { .. })) => Code::FileTooLarge,
                        _ => Code::JunitMalformed,
                    };
                    let help = if code == Code::FileTooLarge {
                        "raise `max-junit-size` in [preprocessor.techfile.evidence], or split the report"
                    } else {
                        "name a JUnit XML report (`<testsuites>` or `<testsuite>` with `<testcase>` elements), or regenerate it with the test runner"
                    };
                    diags.push(
                        Diagnostic::new(
                            code,
                            format!(
                                "evidence file {} cannot be read as a JUnit report: {why}",
                                file.name
                            ),
                        )
                        .at(entry.path.span, "this report")
                        .help(help),
                    );
                    usable = false;
                }
            }
        }
        if item.junit.is_empty() {
            continue;
        }
        let mut outcome = JunitOutcome {
            result: TestResult::NotRun,
            cases: Vec::new(),
            versions: Vec::new(),
        };
        let mut found_all = usable;
        for name in &item.junit {
            let hits: Vec<&(&junit::Case, Span, String)> = cases
                .iter()
                .filter(|(c, _, _)| c.name == name.value)
                .collect();
            if hits.is_empty() {
                found_all = false;
                if !usable {
                    continue;
                }
                let names: Vec<&str> = cases.iter().map(|(c, _, _)| c.name.as_str()).collect();
                let help = if names.is_empty() {
                    "list the JUnit report among the test's `evidence` (an `.xml` file of the evidence folder)".to_string()
                } else {
                    match crate::suggest::closest(&name.value, names.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`? cases are named `classname::name` from the report's `testcase` elements"),
                        None => "cases are named `classname::name` from the `testcase` elements of the test's JUnit evidence".to_string(),
                    }
                };
                diags.push(
                    Diagnostic::new(
                        Code::JunitCaseMissing,
                        format!(
                            "JUnit test case `{}` is in none of the test's reports",
                            name.value
                        ),
                    )
                    .at(name.span, "no such test case")
                    .help(help),
                );
                continue;
            }
            for (case, span, rel) in hits {
                outcome
                    .cases
                    .push((case.name.clone(), case.outcome, rel.clone()));
                for (k, v) in &case.properties {
                    if k == junit_property && !outcome.versions.iter().any(|(x, _)| x == v) {
                        outcome.versions.push((v.clone(), *span));
                    }
                }
            }
        }
        outcome.result = junit::result(outcome.cases.iter().map(|c| c.1));
        if found_all {
            match (item.result, item.spans.result) {
                (Some(written), Some(span)) if written != outcome.result => {
                    let worst = outcome
                        .cases
                        .iter()
                        .max_by_key(|c| c.1)
                        .map(|c| format!("`{}` {}", c.0, c.1.as_str()))
                        .unwrap_or_default();
                    let mut d = Diagnostic::new(
                        Code::JunitResultMismatch,
                        format!(
                            "`result = \"{}\"` contradicts the JUnit report: {worst}",
                            written.as_str()
                        ),
                    )
                    .at(span, format!("the report says `{}`", outcome.result.as_str()))
                    .help("remove `result` to take it from the report, or correct it; a test's result must be what its evidence shows");
                    if let Some(j) = item.spans.junit {
                        d = d.with_label(j, "the cases named here");
                    }
                    diags.push(d);
                }
                (None, _) => item.result = Some(outcome.result),
                _ => {}
            }
        }
        evidence.junit.insert(index, outcome);
    }
    evidence.files.sort();
    (evidence, diags)
}

/// An absolute path, or one that steps out with `..`.
fn outside(rel: &str) -> bool {
    let b = rel.as_bytes();
    rel.starts_with(['/', '\\'])
        || (b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic())
        || rel.split(['/', '\\']).any(|p| p == "..")
}

fn describe(e: &InputError) -> String {
    match e {
        InputError::Io(m) | InputError::Folder(m) => m.clone(),
        InputError::TooLarge { size, limit } => {
            format!("the file is {size} bytes, more than the limit of {limit} bytes")
        }
    }
}

#[cfg(test)]
mod tests;
