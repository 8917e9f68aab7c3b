use super::*;
use crate::model::SourceMap;

fn read(text: &str) -> (Statements, Vec<Diagnostic>, SourceMap) {
    let mut map = SourceMap::new();
    let file = map.add("vex.json", text);
    let mut out = Statements::default();
    let diags = from_document(&map, file, &mut out);
    (out, diags, map)
}

fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn openvex_statements_read_with_subcomponents_aliases_and_times() {
    let (out, diags, _) = read(
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","author":"a",
        "timestamp":"2026-01-01T00:00:00Z","version":1,
        "statements":[
          {"vulnerability":{"name":"CVE-2026-1","aliases":["GHSA-aaaa-bbbb-cccc"]},
           "products":[{"@id":"pkg:cargo/app@1.0.0","subcomponents":[{"@id":"pkg:cargo/tokio@1.0.0"}]}],
           "status":"not_affected","justification":"vulnerable_code_not_in_execute_path",
           "last_updated":"2026-06-01T00:00:00Z"},
          {"vulnerability":{"name":"CVE-2026-2"},"products":[{"@id":"pkg:npm/x@1"}],"status":"affected"}
        ]}"#,
    );
    assert_eq!(codes(&diags), ["vex-incomplete"]);
    let s = &out.statements[0];
    assert_eq!(s.status, Status::NotAffected);
    assert!(s.complete);
    assert_eq!(s.subjects, [Subject::Purl("pkg:cargo/tokio@1.0.0".into())]);
    assert_eq!(s.aliases, ["GHSA-aaaa-bbbb-cccc"]);
    assert_eq!(s.due(Some(30)).unwrap().to_string(), "2026-07-01");
    let t = &out.statements[1];
    assert!(!t.complete, "affected needs an action statement");
    assert_eq!(
        t.updated.unwrap().to_string(),
        "2026-01-01T00:00:00Z",
        "document time cascades"
    );
}

#[test]
fn cyclonedx_analyses_read_with_review_by_and_states() {
    let (out, diags, map) = read(
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
        "components":[{"type":"library","bom-ref":"t","name":"tokio","purl":"pkg:cargo/tokio@1.0.0"}],
        "vulnerabilities":[
          {"id":"CVE-2026-1","references":[{"id":"RUSTSEC-2026-0001","source":{"name":"RustSec"}}],
           "analysis":{"state":"not_affected","justification":"code_not_reachable","lastUpdated":"2026-01-01T00:00:00Z"},
           "affects":[{"ref":"t"}],
           "properties":[{"name":"techfile:review-by","value":"2026-03-01"}]},
          {"id":"CVE-2026-2","analysis":{"state":"not_affected"},"affects":[{"ref":"t"}]},
          {"id":"CVE-2026-3","analysis":{"state":"maybe"},"affects":[{"ref":"t"}]},
          {"id":"CVE-2026-4","affects":[{"ref":"t"}]},
          {"id":"CVE-2026-5","analysis":{"state":"resolved"},"affects":[{"ref":"t"}],
           "properties":[{"name":"techfile:review-by","value":"next year"}]}
        ]}"#,
    );
    assert_eq!(
        codes(&diags),
        ["vex-incomplete", "vex-malformed", "vex-malformed"]
    );
    assert_eq!(
        out.statements.len(),
        3,
        "the listing without analysis and the bad state are not statements"
    );
    let s = &out.statements[0];
    assert_eq!(s.aliases, ["RUSTSEC-2026-0001"]);
    assert_eq!(
        s.due(Some(365)).unwrap().to_string(),
        "2026-03-01",
        "review-by wins"
    );
    assert_eq!(
        out.local_purls,
        [(s.file, "t".into(), "pkg:cargo/tokio@1.0.0".into())]
    );
    let span = s.span(&map, "properties");
    assert!(map.text(span.file)[span.range()].contains("techfile:review-by"));
    assert_eq!(out.statements[2].status, Status::Fixed);
}

#[test]
fn other_documents_are_malformed() {
    let (_, diags, _) = read("{\"spdxVersion\": \"SPDX-2.3\"}");
    assert_eq!(codes(&diags), ["vex-malformed"]);
    let (_, diags, _) = read("{\n  oops");
    assert_eq!(codes(&diags), ["vex-malformed"]);
    assert!(looks_like_openvex(
        br#"{"@context": "https://openvex.dev/ns/v0.2.0"}"#
    ));
    assert!(!looks_like_openvex(br#"{"bomFormat": "CycloneDX"}"#));
}

#[test]
fn spans_never_split_a_character() {
    let (_, diags, map) = read("{\"é\": ü}");
    let span = diags[0].primary.as_ref().unwrap().span;
    assert_eq!(&map.text(span.file)[span.range()], "ü");
    let (_, diags, map) = read("«not json»");
    let span = diags[0].primary.as_ref().unwrap().span;
    assert!(map.text(span.file).is_char_boundary(span.end as usize));
}
