//! Findings for machines that track them across versions: code scanning (SARIF), GitHub
//! workflow annotations and GitLab Code Quality reports, for `check` and `diff` alike.
//!
//! A finding's place (file, line, column) moves whenever a line is added above it, so it
//! cannot tell two versions' findings apart. Each finding here also carries a stable key:
//! its code, its *subject* (the ID of the item whose file it is in, else that file) and its
//! *target* (the names it quotes in backticks, such as the ID a link names, else the text it
//! points at). The key never holds a line number; its SHA-256 is the fingerprint.

pub mod github;
pub mod gitlab;
pub mod sarif;

use crate::Analysis;
use crate::diag::{Code, Diagnostic, Severity};
use crate::model::FileId;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A finding resolved to names and positions, with its stable key. It owns its text, so
/// findings of two analyses can be compared after either is gone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The finding code (`unknown-id`).
    pub(crate) code: String,
    /// `error` or `warning`, as graded by the configuration.
    pub(crate) severity: Severity,
    pub(crate) message: String,
    /// The ID of the item whose file holds the finding, else the file's name, else empty
    /// (a finding about the run as a whole).
    pub(crate) subject: String,
    /// What the finding is about inside its subject: the names its message quotes, else
    /// the text it points at (whitespace collapsed, at most 120 characters).
    pub(crate) target: String,
    /// Lower-case hex SHA-256 of the key (code, subject, target, and the occurrence number
    /// when one subject has several findings with the same code and target).
    pub(crate) fingerprint: String,
    /// File name as the analysis names it (relative to where the tool runs).
    pub(crate) file: Option<String>,
    /// 1-based line and column of the start, and of the end, of the primary place.
    pub(crate) line: Option<usize>,
    pub(crate) column: Option<usize>,
    pub(crate) end_line: Option<usize>,
    pub(crate) end_column: Option<usize>,
    pub(crate) help: Option<String>,
}

impl Finding {
    /// The key findings are matched by between two versions (no line numbers).
    pub(crate) fn key(&self) -> (&str, &str, &str) {
        (&self.code, &self.subject, &self.target)
    }

    pub(crate) fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column: ` when the finding has a place.
    pub(crate) fn place(&self) -> String {
        match (&self.file, self.line, self.column) {
            (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}"),
            (Some(f), _, _) => f.clone(),
            _ => String::new(),
        }
    }
}

/// Longest target text kept from the source when the message quotes no name.
const MAX_TARGET: usize = 120;

/// The names a message quotes in backticks, joined by spaces, without `subject` (which the
/// key holds already). Messages quote IDs, keys, values and component names this way,
/// never positions or counts. `None` when the message quotes nothing.
fn quoted(message: &str, subject: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut rest = message;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else { break };
        parts.push(&after[..close]);
        rest = &after[close + 1..];
    }
    if parts.is_empty() {
        return None;
    }
    parts.retain(|p| *p != subject);
    Some(parts.join(" "))
}

/// The part of a message that names what the finding is about. A link that is suspect
/// through links above it lists those root changes after a colon: they explain the finding,
/// and they change when another root appears, so they are not part of its key.
fn naming_part(d: &Diagnostic) -> &str {
    match d.code {
        Code::SuspectLink => d.message.split_once(": ").map_or(&d.message, |(a, _)| a),
        _ => &d.message,
    }
}

fn collapse(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    joined.chars().take(MAX_TARGET).collect()
}

/// Every finding of an analysis with its stable key, in the analysis's order.
pub fn findings(analysis: &Analysis) -> Vec<Finding> {
    let graph = analysis.graph();
    let mut subject_of: HashMap<FileId, &str> = HashMap::new();
    for (i, item) in analysis.items.iter().enumerate() {
        if graph.is_canonical(i) {
            subject_of.entry(item.file()).or_insert(&item.id);
        }
    }
    let mut seen: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    analysis
        .findings
        .iter()
        .map(|d| {
            let mut f = resolve(d, analysis, &subject_of);
            let n = seen
                .entry((f.code.clone(), f.subject.clone(), f.target.clone()))
                .or_insert(0);
            *n += 1;
            let occurrence = if *n > 1 { n.to_string() } else { String::new() };
            f.fingerprint = crate::digest::sha256_hex(
                format!("{}\0{}\0{}\0{occurrence}", f.code, f.subject, f.target).as_bytes(),
            );
            f
        })
        .collect()
}

fn resolve(d: &Diagnostic, analysis: &Analysis, subject_of: &HashMap<FileId, &str>) -> Finding {
    let map = &analysis.map;
    let primary = d.primary.as_ref().map(|p| {
        let file = map.get(p.span.file);
        let (line, column) = file.line_col(p.span.start as usize);
        let (end_line, end_column) = file.line_col(p.span.end as usize);
        let text = file
            .text
            .get(p.span.start as usize..p.span.end as usize)
            .unwrap_or("");
        (
            p.span.file,
            file.name.clone(),
            line,
            column,
            end_line,
            end_column,
            text,
        )
    });
    let subject = primary
        .as_ref()
        .map(|p| {
            subject_of
                .get(&p.0)
                .map_or_else(|| p.1.clone(), |id| (*id).to_string())
        })
        .unwrap_or_default();
    let target = quoted(naming_part(d), &subject)
        .unwrap_or_else(|| primary.as_ref().map(|p| collapse(p.6)).unwrap_or_default());
    Finding {
        code: d.code.as_str().to_string(),
        severity: d.severity,
        message: d.message.clone(),
        subject,
        target,
        fingerprint: String::new(),
        file: primary.as_ref().map(|p| p.1.clone()),
        line: primary.as_ref().map(|p| p.2),
        column: primary.as_ref().map(|p| p.3),
        end_line: primary.as_ref().map(|p| p.4),
        end_column: primary.as_ref().map(|p| p.5),
        help: d.help.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_names_are_the_target() {
        let q = |m: &str| quoted(m, "S");
        assert_eq!(
            q("reference to unknown ID `REQ-9`").as_deref(),
            Some("REQ-9")
        );
        assert_eq!(
            q("`A` changed since `B` was reviewed against it").as_deref(),
            Some("A B")
        );
        assert_eq!(q("control `S` is not verified").as_deref(), Some(""));
        assert_eq!(q("no backticks at all"), None);
        assert_eq!(q("unclosed `tick"), None);
    }

    #[test]
    fn long_targets_are_collapsed_and_cut() {
        assert_eq!(collapse("a\n   b\tc"), "a b c");
        assert_eq!(collapse(&"x".repeat(500)).len(), MAX_TARGET);
    }
}
