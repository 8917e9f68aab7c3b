//! SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), the format GitHub code
//! scanning and other dashboards read. Each result carries a `partialFingerprints` entry
//! derived from the finding's stable key, so a dashboard follows a finding across commits
//! even when lines move. Validated against the official schema in the tests.

use super::Finding;
use crate::diag::{Code, Level, Severity};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

/// The key under `partialFingerprints`: our own, versioned, so a change of the key's
/// recipe shows as new fingerprints instead of silently matching the wrong findings.
pub(crate) const FINGERPRINT_KEY: &str = "techfileKey/v1";

/// The schema URI of SARIF 2.1.0 (errata 01), as the specification publishes it.
pub(crate) const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Characters kept as they are in a relative URI path: RFC 3986 unreserved and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A SARIF log with one run of `tool_version`: every code as a rule, every finding as a
/// result at its file (a relative URI, as the tool names it), line and column.
pub fn render(findings: &[Finding], tool_version: &str) -> String {
    render_with(findings, tool_version, None)
}

/// [`render`], with `properties` as the run's property bag (`runs[0].properties`, SARIF
/// 2.1.0 §3.8): what the results depend on besides the files, such as the day a
/// revalidation judged on and the advisory sources it read.
pub fn render_with(findings: &[Finding], tool_version: &str, properties: Option<Value>) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": { "text": c.summary() },
                "defaultConfiguration": {
                    "level": match c.default_level() {
                        Level::Deny => "error",
                        Level::Warn => "warning",
                        Level::Allow => "none",
                    }
                },
                "properties": { "family": c.family(), "fixed": c.is_fixed() },
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut text = f.message.clone();
            if let Some(h) = &f.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let mut result = json!({
                "ruleId": f.code,
                "level": level(f.severity),
                "message": { "text": text },
                "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint },
                "properties": { "subject": f.subject, "target": f.target },
            });
            if let Some(i) = Code::ALL.iter().position(|c| c.as_str() == f.code) {
                result["ruleIndex"] = json!(i);
            }
            if let Some(file) = &f.file {
                let mut region = serde_json::Map::new();
                for (key, value) in [
                    ("startLine", f.line),
                    ("startColumn", f.column),
                    ("endLine", f.end_line),
                    ("endColumn", f.end_column),
                ] {
                    if let Some(v) = value {
                        region.insert(key.into(), json!(v));
                    }
                }
                let mut physical = json!({
                    "artifactLocation": { "uri": utf8_percent_encode(file, PATH).to_string() },
                });
                if !region.is_empty() {
                    physical["region"] = Value::Object(region);
                }
                result["locations"] = json!([{ "physicalLocation": physical }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "mdbook-techfile",
                    "version": tool_version,
                    "informationUri": "https://rust-lang.github.io/mdBook/",
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut log = log;
    if let Some(p) = properties {
        log["runs"][0]["properties"] = p;
    }
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}
