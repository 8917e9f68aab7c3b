//! OpenVEX 0.2.0 documents.

use super::{Format, Statement, Statements, Status, Subject, malformed, str_at};
use crate::diag::{Code, Diagnostic};
use crate::model::{FileId, SourceMap, Span};
use jiff::Timestamp;
use serde_json::Value;

fn status(word: &str) -> Option<Status> {
    Some(match word {
        "not_affected" => Status::NotAffected,
        "affected" => Status::Affected,
        "fixed" => Status::Fixed,
        "under_investigation" => Status::UnderInvestigation,
        _ => return None,
    })
}

/// A product or subcomponent: its `@id` (a purl or another IRI), else its purl identifier.
fn subject(v: &Value) -> Option<Subject> {
    let id = match v {
        Value::String(s) => Some(s.as_str()),
        _ => str_at(v, "@id").or_else(|| v.get("identifiers").and_then(|i| str_at(i, "purl"))),
    }?;
    Some(if id.starts_with("pkg:") {
        Subject::Purl(id.to_owned())
    } else {
        Subject::Ref {
            reference: id.to_owned(),
            versions: Vec::new(),
        }
    })
}

pub(super) fn read(
    map: &SourceMap,
    file: FileId,
    doc: &Value,
    out: &mut Statements,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let text = map.text(file);
    let at = |pointer: &str| {
        Span::new(
            file,
            crate::sbom::locate::pointer(text, pointer).unwrap_or(0..0),
        )
    };
    let time = |v: &Value, key: &str, pointer: &str, diags: &mut Vec<Diagnostic>| {
        let t = str_at(v, key)?;
        match t.parse::<Timestamp>() {
            Ok(t) => Some(t),
            Err(_) => {
                diags.push(
                    Diagnostic::new(
                        Code::VexMalformed,
                        format!("`{key}` is `{t}`, not a date and time"),
                    )
                    .at(at(&format!("{pointer}/{key}")), "not RFC 3339")
                    .help("OpenVEX times are RFC 3339, such as `2026-11-01T00:00:00Z`"),
                );
                None
            }
        }
    };
    let doc_time =
        time(doc, "last_updated", "", &mut diags).or(time(doc, "timestamp", "", &mut diags));
    let Some(list) = doc.get("statements").and_then(Value::as_array) else {
        diags.push(malformed(
            at(""),
            "OpenVEX document has no `statements`".into(),
            "an OpenVEX document lists its statements in `statements[]`",
        ));
        return diags;
    };
    for (i, s) in list.iter().enumerate() {
        let pointer = format!("/statements/{i}");
        let vuln = s.get("vulnerability");
        let name = match vuln {
            Some(Value::String(n)) => Some(n.trim()),
            Some(v) => str_at(v, "name"),
            None => None,
        }
        .filter(|n| !n.is_empty());
        let Some(name) = name else {
            diags.push(malformed(
                at(&pointer),
                "OpenVEX statement names no vulnerability".into(),
                "give `vulnerability.name`, such as `CVE-2026-1234`",
            ));
            continue;
        };
        let label = str_at(s, "status").unwrap_or_default();
        let Some(status) = status(label) else {
            diags.push(malformed(
                at(&format!("{pointer}/status")),
                format!("OpenVEX statement on `{name}` has the status `{label}`"),
                "use `not_affected`, `affected`, `fixed` or `under_investigation`",
            ));
            continue;
        };
        let mut subjects = Vec::new();
        for p in s
            .get("products")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let subs: Vec<Subject> = p
                .get("subcomponents")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(subject)
                .collect();
            if subs.is_empty() {
                subjects.extend(subject(p));
            } else {
                subjects.extend(subs);
            }
        }
        if subjects.is_empty() {
            diags.push(malformed(at(&pointer), format!("OpenVEX statement on `{name}` names no product"), "list the components in `products[]` (with `subcomponents` for the vulnerable part), each by its purl"));
            continue;
        }
        let justification = str_at(s, "justification").map(str::to_owned);
        let impact = str_at(s, "impact_statement").map(str::to_owned);
        let action = str_at(s, "action_statement").map(str::to_owned);
        let complete = match status {
            Status::NotAffected => justification.is_some() || impact.is_some(),
            Status::Affected => action.is_some(),
            _ => true,
        };
        diags.extend(super::incomplete(
            complete,
            status,
            format!("OpenVEX statement `{label}` on `{name}`"),
            at(&format!("{pointer}/status")),
            [
                (
                    "no justification",
                    "OpenVEX requires `justification` (`component_not_present`, `vulnerable_code_not_present`, `vulnerable_code_not_in_execute_path`, `vulnerable_code_cannot_be_controlled_by_adversary`, `inline_mitigations_already_exist`) or an `impact_statement` for `not_affected`",
                ),
                (
                    "no action statement",
                    "OpenVEX requires an `action_statement` for `affected`: what users should do",
                ),
            ],
        ));
        let aliases = vuln
            .and_then(|v| v.get("aliases"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let updated = time(s, "last_updated", &pointer, &mut diags)
            .or(time(s, "timestamp", &pointer, &mut diags))
            .or(doc_time);
        out.statements.push(Statement {
            format: Format::OpenVex,
            file,
            pointer,
            sbom: None,
            vulnerability: name.to_owned(),
            aliases,
            status,
            label: label.to_owned(),
            justification,
            detail: impact.or(str_at(s, "status_notes").map(str::to_owned)),
            response: action.into_iter().collect(),
            subjects,
            review_by: None,
            updated,
            complete,
        });
    }
    diags
}
