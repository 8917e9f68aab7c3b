//! CycloneDX `vulnerabilities[]` entries with an `analysis` as VEX statements.

use super::{Format, Statement, Statements, Status, Subject, malformed, str_at};
use crate::diag::{Code, Diagnostic};
use crate::model::{FileId, SourceMap, Span};
use serde_json::Value;

/// The property that carries a statement's review-by date.
pub(crate) const REVIEW_BY: &str = "techfile:review-by";

fn status(state: &str) -> Option<Status> {
    Some(match state {
        "not_affected" | "false_positive" => Status::NotAffected,
        "exploitable" => Status::Affected,
        "resolved" | "resolved_with_pedigree" => Status::Fixed,
        "in_triage" => Status::UnderInvestigation,
        _ => return None,
    })
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

pub(super) fn read(
    map: &SourceMap,
    file: FileId,
    sbom: Option<usize>,
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
    if sbom.is_none() {
        for c in doc
            .get("components")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(r), Some(p)) = (str_at(c, "bom-ref"), str_at(c, "purl")) {
                out.local_purls.push((file, r.to_owned(), p.to_owned()));
            }
        }
    }
    let Some(list) = doc.get("vulnerabilities").and_then(Value::as_array) else {
        return diags;
    };
    for (i, v) in list.iter().enumerate() {
        let pointer = format!("/vulnerabilities/{i}");
        // A vulnerability without an analysis is a scanner's listing, not a statement.
        let Some(analysis) = v.get("analysis") else {
            continue;
        };
        let Some(id) = str_at(v, "id") else {
            diags.push(malformed(
                at(&pointer),
                "VEX statement names no vulnerability (`id`)".into(),
                "give the vulnerability's `id`, such as `CVE-2026-1234` or `GHSA-xxxx-xxxx-xxxx`",
            ));
            continue;
        };
        let Some(label) = str_at(analysis, "state") else {
            diags.push(malformed(at(&format!("{pointer}/analysis")), format!("VEX statement on `{id}` has an `analysis` without `state`"), "set `analysis.state` to `not_affected`, `exploitable`, `resolved`, `false_positive` or `in_triage`"));
            continue;
        };
        let Some(status) = status(label) else {
            diags.push(malformed(at(&format!("{pointer}/analysis/state")), format!("VEX statement on `{id}` has the unknown state `{label}`"), "use `not_affected`, `false_positive`, `exploitable`, `resolved`, `resolved_with_pedigree` or `in_triage`"));
            continue;
        };
        let mut subjects = Vec::new();
        for a in v
            .get("affects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(r) = str_at(a, "ref") else { continue };
            let versions = a
                .get("versions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|x| str_at(x, "version").map(str::to_owned))
                .collect();
            subjects.push(Subject::Ref {
                reference: r.to_owned(),
                versions,
            });
        }
        if subjects.is_empty() {
            diags.push(malformed(
                at(&pointer),
                format!("VEX statement on `{id}` names no component (`affects[].ref`)"),
                "list the components the analysis is about in `affects`, each by its bom-ref",
            ));
            continue;
        }
        let mut review_by = None;
        for (p, prop) in v
            .get("properties")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if str_at(prop, "name") != Some(REVIEW_BY) {
                continue;
            }
            let value = str_at(prop, "value").unwrap_or_default();
            match crate::model::Date::parse(value) {
                Some(d) => review_by = Some(d),
                None => diags.push(
                    Diagnostic::new(Code::VexMalformed, format!("`{REVIEW_BY}` of the VEX statement on `{id}` is `{value}`, not a date"))
                        .at(at(&format!("{pointer}/properties/{p}/value")), "not YYYY-MM-DD")
                        .help("write the review-by date as YYYY-MM-DD, such as `2027-06-30`; until then the statement does not expire by it"),
                ),
            }
        }
        let mut updated = None;
        for key in ["lastUpdated", "firstIssued"] {
            if let Some(t) = str_at(analysis, key) {
                match t.parse::<jiff::Timestamp>() {
                    Ok(t) if updated.is_none() => updated = Some(t),
                    Ok(_) => {}
                    Err(_) => diags.push(
                        Diagnostic::new(Code::VexMalformed, format!("`analysis.{key}` of the VEX statement on `{id}` is `{t}`, not a date and time"))
                            .at(at(&format!("{pointer}/analysis/{key}")), "not RFC 3339")
                            .help("write it as an RFC 3339 time, such as `2026-11-01T00:00:00Z`"),
                    ),
                }
            }
        }
        let justification = str_at(analysis, "justification").map(str::to_owned);
        let detail = str_at(analysis, "detail").map(str::to_owned);
        let response = strings(analysis.get("response"));
        let complete = match status {
            Status::NotAffected => {
                label == "false_positive" || justification.is_some() || detail.is_some()
            }
            Status::Affected => !response.is_empty(),
            _ => true,
        };
        diags.extend(super::incomplete(
            complete,
            status,
            format!("VEX statement `{label}` on `{id}`"),
            at(&format!("{pointer}/analysis/state")),
            [
                (
                    "no justification",
                    "give `analysis.justification` (`code_not_present`, `code_not_reachable`, `requires_configuration`, `requires_dependency`, `requires_environment`, `protected_by_compiler`, `protected_at_runtime`, `protected_at_perimeter`, `protected_by_mitigating_control`) or explain in `analysis.detail`",
                ),
                (
                    "no response",
                    "say what is done in `analysis.response` (`can_not_fix`, `will_not_fix`, `update`, `rollback`, `workaround_available`)",
                ),
            ],
        ));
        let aliases = v
            .get("references")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| str_at(r, "id").map(str::to_owned))
            .collect();
        out.statements.push(Statement {
            format: Format::CycloneDx,
            file,
            pointer,
            sbom,
            vulnerability: id.to_owned(),
            aliases,
            status,
            label: label.to_owned(),
            justification,
            detail,
            response,
            subjects,
            review_by,
            updated,
            complete,
        });
    }
    diags
}
