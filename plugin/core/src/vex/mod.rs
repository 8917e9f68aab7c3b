//! VEX statements: what the manufacturer says about a vulnerability in a component
//! (not affected and why, affected and what is done, fixed, under investigation). Two
//! formats are read:
//!
//! - CycloneDX `vulnerabilities[]` with an `analysis`, in any loaded SBOM (a standalone
//!   VEX BOM in the SBOM folders is such an SBOM) or in a file of the `vex` setting;
//! - OpenVEX 0.2.0 documents, in the SBOM folders or the `vex` setting.
//!
//! A statement is keyed by its vulnerability (its id and aliases) and the components it
//! names: a bom-ref (in its own document first, then in any SBOM; a BOM-Link
//! `urn:cdx:<serial>/<version>#<bom-ref>` through the serial number) or a purl (with its
//! version, or without one for every version).
//!
//! **Review-by.** Every statement may expire. CycloneDX: the vulnerability's property
//! `techfile:review-by` (`YYYY-MM-DD`); else `analysis.lastUpdated` (or `firstIssued`)
//! plus `vex-max-age` days. OpenVEX has no place for a date to come: its statement's
//! `last_updated` (else `timestamp`, else the document's) plus `vex-max-age` days.

mod cyclonedx;
mod openvex;

pub(crate) use cyclonedx::REVIEW_BY;

use crate::diag::{Code, Diagnostic};
use crate::model::{Date, FileId, SourceMap, Span};
use jiff::Timestamp;

/// The status of a statement, on OpenVEX's (and CISA's minimum) scale; the label the
/// document used is kept in [`Statement::label`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Status {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::NotAffected => "not_affected",
            Status::Affected => "affected",
            Status::Fixed => "fixed",
            Status::UnderInvestigation => "under_investigation",
        }
    }

    /// Whether the statement settles the vulnerability for the component: it is then
    /// listed with the statement, not reported.
    pub(crate) fn settles(self) -> bool {
        matches!(self, Status::NotAffected | Status::Fixed)
    }
}

/// The document format a statement came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    CycloneDx,
    OpenVex,
}

impl Format {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Format::CycloneDx => "CycloneDX",
            Format::OpenVex => "OpenVEX",
        }
    }
}

/// A component a statement names, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Subject {
    /// A bom-ref, or a BOM-Link. `versions`: the CycloneDX `affects[].versions[].version`
    /// the statement is limited to (empty: every version).
    Ref {
        reference: String,
        versions: Vec<String>,
    },
    /// A purl.
    Purl(String),
}

impl Subject {
    pub(crate) fn text(&self) -> &str {
        match self {
            Subject::Ref { reference, .. } => reference,
            Subject::Purl(p) => p,
        }
    }
}

/// One statement about one vulnerability and the components it names.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub(crate) format: Format,
    pub(crate) file: FileId,
    /// JSON pointer of the statement in its file (`/vulnerabilities/2`, `/statements/0`).
    pub(crate) pointer: String,
    /// The SBOM the statement is in, when it is in one (its own bom-refs come first).
    pub(crate) sbom: Option<usize>,
    pub(crate) vulnerability: String,
    pub(crate) aliases: Vec<String>,
    pub(crate) status: Status,
    /// The status as the document writes it (`false_positive`, `exploitable`, ...).
    pub(crate) label: String,
    pub(crate) justification: Option<String>,
    /// CycloneDX `analysis.detail`; OpenVEX `impact_statement` or `status_notes`.
    pub(crate) detail: Option<String>,
    /// CycloneDX `analysis.response[]`; OpenVEX `action_statement`.
    pub(crate) response: Vec<String>,
    pub(crate) subjects: Vec<Subject>,
    /// The explicit review-by date, when the document gives one.
    pub(crate) review_by: Option<Date>,
    /// When the statement was last updated, for `vex-max-age`.
    pub(crate) updated: Option<Timestamp>,
    /// Whether the statement has what its status requires (a justification for
    /// `not_affected`, a response for `affected`); an incomplete one is reported and
    /// settles nothing.
    pub(crate) complete: bool,
}

impl Statement {
    /// Every name of the vulnerability: its id and aliases.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.vulnerability.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// The date after which the statement must be reviewed: the explicit one, else its
    /// last update plus `max_age` days.
    pub(crate) fn due(&self, max_age: Option<u32>) -> Option<Date> {
        if self.review_by.is_some() {
            return self.review_by;
        }
        let updated = self.updated?;
        let days = max_age?;
        let day = crate::stamp::utc(updated).date();
        let due = day
            .checked_add(jiff::Span::new().days(i64::from(days)))
            .ok()?;
        Date::new(due)
    }

    /// The span of the statement (or of one of its members) in its file.
    pub(crate) fn span(&self, map: &SourceMap, member: &str) -> Span {
        let text = map.text(self.file);
        let pointer = if member.is_empty() {
            self.pointer.clone()
        } else {
            format!("{}/{member}", self.pointer)
        };
        let range = crate::sbom::locate::pointer(text, &pointer).unwrap_or(0..0);
        Span::new(self.file, range)
    }
}

/// Every statement read, and the serial numbers of the documents they came from.
#[derive(Debug, Default)]
pub struct Statements {
    /// Every statement read, document by document in the order given, each in written order.
    pub statements: Vec<Statement>,
    /// Bom-refs of components listed in standalone CycloneDX VEX documents, with their
    /// purls, so a statement can name a component by a bom-ref of its own document.
    pub(crate) local_purls: Vec<(FileId, String, String)>,
}

/// How a document names things to check: a string value at a pointer, in the JSON value.
pub(crate) fn str_at<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Reads the statements of an SBOM's `vulnerabilities[]` (file `file` of `map`, SBOM
/// number `sbom`). The SBOM passed schema validation, so the shapes are right; what is
/// checked here is what VEX needs on top.
pub(crate) fn from_sbom(
    map: &SourceMap,
    file: FileId,
    sbom: usize,
    out: &mut Statements,
) -> Vec<Diagnostic> {
    let text = map.text(file);
    if !text.contains("\"vulnerabilities\"") {
        return Vec::new();
    }
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text.trim_start_matches('\u{feff}'))
    else {
        return Vec::new();
    };
    cyclonedx::read(map, file, Some(sbom), &value, out)
}

/// Reads a VEX document given by the `vex` setting, `--vex`, or found in an SBOM folder
/// (OpenVEX): OpenVEX, or a CycloneDX document's `vulnerabilities[]`.
pub fn from_document(map: &SourceMap, file: FileId, out: &mut Statements) -> Vec<Diagnostic> {
    let text = map.text(file);
    let span = |r: std::ops::Range<usize>| Span::new(file, r);
    let value: serde_json::Value = match serde_json::from_str(text.trim_start_matches('\u{feff}')) {
        Ok(v) => v,
        Err(e) => {
            let at = line_col_offset(text, e.line(), e.column());
            return vec![
                Diagnostic::new(
                    Code::VexMalformed,
                    format!("VEX document is not valid JSON: {}", e.to_string().rsplit_once(" at line ").map_or(e.to_string(), |(m, _)| m.to_owned())),
                )
                .at(span(at..crate::model::one_char_end(text, at)), "here")
                .help("fix the JSON, or regenerate the document with its tool (vexctl, cyclonedx-cli)"),
            ];
        }
    };
    if is_openvex(&value) {
        return openvex::read(map, file, &value, out);
    }
    if value.get("bomFormat").and_then(serde_json::Value::as_str) == Some("CycloneDX") {
        return cyclonedx::read(map, file, None, &value, out);
    }
    vec![
        Diagnostic::new(
            Code::VexMalformed,
            "VEX document is neither OpenVEX nor CycloneDX",
        )
        .at(span(0..crate::model::one_char_end(text, 0)), "this document")
        .help("an OpenVEX document has `\"@context\": \"https://openvex.dev/ns/v0.2.0\"`; a CycloneDX VEX document has `\"bomFormat\": \"CycloneDX\"` and `vulnerabilities[]` with `analysis`"),
    ]
}

/// Whether a JSON document is OpenVEX (its `@context` is an openvex.dev namespace).
pub(crate) fn is_openvex(value: &serde_json::Value) -> bool {
    value
        .get("@context")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|c| c.starts_with("https://openvex.dev/ns"))
}

/// Whether the bytes of a file in an SBOM folder are an OpenVEX document rather than an
/// SBOM: checked on the text, before the SBOM reader would reject it as not CycloneDX.
pub(crate) fn looks_like_openvex(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    text.contains("\"@context\"") && text.contains("openvex.dev/ns")
}

/// Byte offset of a 1-based line and column.
fn line_col_offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut at = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A finding about a statement that cannot be used.
pub(crate) fn malformed(span: Span, message: String, help: &str) -> Diagnostic {
    Diagnostic::new(Code::VexMalformed, message)
        .at(span, "this statement")
        .help(help)
}

/// The `vex-incomplete` finding, when `status` needs more than the statement says: a
/// justification for `not_affected`, a response for `affected` (CycloneDX 1.6
/// `analysis.justification`/`response`; OpenVEX 0.2.0 `justification`/`action_statement`).
/// `lacks` is, per format, what is missing and the help that names its fields: for
/// `not_affected` first, then for `affected`.
pub(crate) fn incomplete(
    complete: bool,
    status: Status,
    statement: String,
    span: Span,
    lacks: [(&str, &str); 2],
) -> Option<Diagnostic> {
    if complete {
        return None;
    }
    let (what, help) = if status == Status::NotAffected {
        lacks[0]
    } else {
        lacks[1]
    };
    Some(
        Diagnostic::new(
            Code::VexIncomplete,
            format!("{statement} has {what}, so it settles nothing"),
        )
        .at(span, "this statement")
        .help(help),
    )
}

#[cfg(test)]
mod tests;
