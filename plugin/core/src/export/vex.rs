//! The bundle's VEX document: one self-contained CycloneDX 1.6 document for the release
//! (`vex.cdx.json`), with every component a vulnerability names and, per vulnerability,
//! its ratings, aliases and the VEX analysis that applies. Self-contained means it names
//! components by bom-refs of its own, with their purls, rather than by references into
//! the SBOMs, so a reader needs no other file to know what each statement is about. The
//! advisory snapshot it rests on is recorded as properties of its metadata.

use crate::Analysis;
use crate::advisory::assess::Vulnerability;
use crate::stamp::Stamp;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The file name in the bundle.
pub const FILE_NAME: &str = "vex.cdx.json";

/// CycloneDX's rating method for an OSV severity type.
fn method(kind: &str, vector: &str) -> &'static str {
    match kind {
        "CVSS_V4" => "CVSSv4",
        "CVSS_V3" if vector.starts_with("CVSS:3.0/") => "CVSSv3",
        "CVSS_V3" => "CVSSv31",
        "CVSS_V2" => "CVSSv2",
        _ => "other",
    }
}

/// CycloneDX's severity words; databases' words are mapped onto them.
fn severity(rating: &str) -> &'static str {
    match rating {
        "critical" => "critical",
        "high" => "high",
        "medium" | "moderate" => "medium",
        "low" => "low",
        "none" => "none",
        _ => "unknown",
    }
}

/// The CycloneDX analysis state for a statement's status as it was written.
fn state(label: &str) -> &str {
    match label {
        "affected" => "exploitable",
        "fixed" => "resolved",
        "under_investigation" => "in_triage",
        other => other,
    }
}

/// OpenVEX justifications have no CycloneDX equal one for one; they are kept in the
/// detail, and CycloneDX ones are carried over.
const CYCLONEDX_JUSTIFICATIONS: &[&str] = &[
    "code_not_present",
    "code_not_reachable",
    "requires_configuration",
    "requires_dependency",
    "requires_environment",
    "protected_by_compiler",
    "protected_at_runtime",
    "protected_at_perimeter",
    "protected_by_mitigating_control",
];

fn vulnerability(analysis: &Analysis, v: &Vulnerability, bom_ref: &str) -> Value {
    let a = &analysis.vulnerabilities;
    let mut out = json!({
        "bom-ref": format!("{}@{bom_ref}", v.id),
        "id": v.id,
    });
    if !v.aliases.is_empty() {
        out["references"] = Value::Array(
            v.aliases
                .iter()
                .map(|alias| json!({"id": alias, "source": {"name": source_of(alias)}}))
                .collect(),
        );
    }
    if let Some(s) = &v.score {
        let mut rating =
            json!({"severity": severity(&s.rating), "method": method(&s.kind, &s.vector)});
        if !s.vector.is_empty() {
            rating["vector"] = json!(s.vector);
        }
        if let Some(t) = s.tenths {
            rating["score"] = json!(f64::from(t) / 10.0);
        }
        out["ratings"] = json!([rating]);
    }
    if let Some(summary) = &v.summary {
        out["description"] = json!(summary);
    }
    if let Some(url) = &v.url {
        out["advisories"] = json!([{"url": url}]);
    }
    if !v.fixed.is_empty() {
        out["recommendation"] = json!(format!("Fixed in {}.", v.fixed.join(", ")));
    }
    out["affects"] = json!([{"ref": bom_ref}]);
    if let Some(st) = v.statement.map(|i| &a.statements[i]) {
        let mut analysis_out = json!({"state": state(&st.label)});
        let mut detail = Vec::new();
        match &st.justification {
            Some(j) if CYCLONEDX_JUSTIFICATIONS.contains(&j.as_str()) => {
                analysis_out["justification"] = json!(j);
            }
            Some(j) => detail.push(format!("Justification ({}): {j}.", st.format.as_str())),
            None => {}
        }
        if st.format == crate::vex::Format::CycloneDx && !st.response.is_empty() {
            analysis_out["response"] = json!(st.response);
        } else if !st.response.is_empty() {
            detail.push(format!("Action: {}", st.response.join(" ")));
        }
        if let Some(d) = &st.detail {
            detail.push(d.clone());
        }
        if !detail.is_empty() {
            analysis_out["detail"] = json!(detail.join(" "));
        }
        if let Some(u) = st.updated {
            analysis_out["lastUpdated"] = json!(u.to_string());
        }
        out["analysis"] = analysis_out;
        if let Some(due) = st.due(a.max_age) {
            out["properties"] = json!([{"name": crate::vex::REVIEW_BY, "value": due.to_string()}]);
        }
    }
    out
}

/// The database an alias comes from, by its prefix.
fn source_of(id: &str) -> &'static str {
    match id.split('-').next().unwrap_or_default() {
        "CVE" => "NVD",
        "GHSA" => "GitHub",
        "RUSTSEC" => "RustSec",
        "GO" => "Go",
        "PYSEC" => "PyPA",
        _ => "OSV",
    }
}

/// The document, pretty-printed, ending with a newline.
pub fn export(analysis: &Analysis, stamp: &Stamp, title: Option<&str>) -> String {
    let a = &analysis.vulnerabilities;
    let mut refs: BTreeMap<crate::advisory::ComponentId, String> = BTreeMap::new();
    let mut taken = std::collections::HashSet::new();
    let mut components = Vec::new();
    for v in &a.vulnerabilities {
        if refs.contains_key(&v.component) {
            continue;
        }
        let c = v.component.get(&analysis.sboms);
        let wanted = c
            .purl
            .clone()
            .or(c.bom_ref.clone())
            .unwrap_or_else(|| c.label());
        let mut r = wanted.clone();
        let mut n = 1;
        while !taken.insert(r.clone()) {
            n += 1;
            r = format!("{wanted}#{n}");
        }
        let mut comp = json!({"type": c.kind, "bom-ref": r, "name": c.name});
        if let Some(g) = &c.group {
            comp["group"] = json!(g);
        }
        if let Some(v) = &c.version {
            comp["version"] = json!(v);
        }
        if let Some(p) = &c.purl {
            comp["purl"] = json!(p);
        }
        components.push(comp);
        refs.insert(v.component, r);
    }
    let vulnerabilities: Vec<Value> = a
        .vulnerabilities
        .iter()
        .map(|v| vulnerability(analysis, v, &refs[&v.component]))
        .collect();
    let mut properties = Vec::new();
    for s in &a.sources {
        properties.push(json!({"name": "techfile:advisory-source", "value": format!(
            "{} records={} newest-modified={} sha256={}",
            s.path,
            s.records,
            s.newest_modified.map_or("unknown".to_string(), |m| m.to_string()),
            s.sha256
        )}));
    }
    if a.sources.is_empty() {
        properties.push(json!({"name": "techfile:advisory-source", "value": "none: no advisory folder was read"}));
    }
    let mut metadata = json!({
        "tools": {"components": [{"type": "application", "name": "mdbook-techfile", "version": env!("CARGO_PKG_VERSION")}]},
        "component": {
            "type": "application",
            "bom-ref": "technical-file",
            "name": title.unwrap_or("technical file"),
            "version": stamp.version,
        },
        "properties": properties,
    });
    if let Some(t) = stamp.timestamp {
        metadata["timestamp"] = json!(
            crate::stamp::utc(t)
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        );
    }
    let mut doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": metadata,
        "components": components,
        "vulnerabilities": vulnerabilities,
    });
    let body = serde_json::to_string(&doc).unwrap_or_default();
    doc["serialNumber"] = json!(crate::digest::content_uuid(&body));
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
