//! GitLab Code Quality reports (`artifacts:reports:codequality`): a JSON array of
//! `{description, check_name, fingerprint, severity, location: {path, lines: {begin}}}`.
//! GitLab compares the report of a merge request with its target branch's by fingerprint,
//! so fingerprints come from the stable key, never from line numbers.

use super::Finding;
use crate::diag::Severity;
use serde_json::{Value, json};

/// The report for `findings`. Findings about the run as a whole are placed on `whole`
/// (book.toml), since GitLab needs a path for every entry.
pub fn render(findings: &[&Finding], whole: &str) -> String {
    let entries: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut description = f.message.clone();
            if let Some(h) = &f.help {
                description.push_str(" (help: ");
                description.push_str(h);
                description.push(')');
            }
            json!({
                "description": description,
                "check_name": f.code,
                "fingerprint": f.fingerprint,
                // Errors fail the build; GitLab's scale runs info, minor, major, critical, blocker.
                "severity": match f.severity {
                    Severity::Error => "critical",
                    Severity::Warning => "minor",
                },
                "location": {
                    "path": f.file.as_deref().unwrap_or(whole),
                    "lines": { "begin": f.line.unwrap_or(1) },
                },
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&entries).unwrap_or_default();
    text.push('\n');
    text
}
