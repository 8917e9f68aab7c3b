use super::purl::Purl;
use super::*;
use crate::load::InputError;
use crate::model::{Item, Kind, Spanned, Status};
use std::collections::BTreeMap;

fn parse_text(text: &str) -> (Option<Sbom>, Vec<Diagnostic>, SourceMap) {
    let mut map = SourceMap::new();
    let f = map.add("sboms/a.cdx.json", text);
    let (s, d) = parse(f, text);
    (s, d, map)
}

fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter().map(|d| d.code.as_str()).collect()
}

fn at(d: &Diagnostic, map: &SourceMap) -> (usize, usize) {
    let p = d.primary.as_ref().expect("located");
    map.get(p.span.file).line_col(p.span.start as usize)
}

const GOOD: &str = r#"{
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "version": 2,
  "metadata": {
    "timestamp": "2026-01-31T12:00:00Z",
    "authors": [{"name": "Northwind"}],
    "tools": {"components": [{"type": "application", "name": "syft", "version": "1.0"}]},
    "component": {"type": "firmware", "bom-ref": "fw", "name": "patch-fw", "version": "2.1.0",
      "supplier": {"name": "Northwind"}, "purl": "pkg:generic/northwind/patch-fw@2.1.0"}
  },
  "components": [
    {"type": "operating-system", "bom-ref": "zephyr", "name": "zephyr", "version": "v3.7.0",
     "supplier": {"name": "Zephyr Project"}, "purl": "pkg:github/zephyrproject-rtos/zephyr@v3.7.0",
     "licenses": [{"license": {"id": "Apache-2.0"}}],
     "components": [
       {"type": "library", "bom-ref": "mbedtls", "name": "mbedtls", "version": "3.6.2",
        "supplier": {"name": "Trusted Firmware"}, "purl": "pkg:github/Mbed-TLS/mbedtls@v3.6.2?foo=bar",
        "hashes": [{"alg": "SHA-256", "content": "0000000000000000000000000000000000000000000000000000000000000000"}],
        "licenses": [{"expression": "Apache-2.0 OR GPL-2.0-or-later"}]}
     ]},
    {"type": "library", "name": "blob"}
  ],
  "services": [
    {"bom-ref": "svc-1", "name": "update-server", "version": "4", "provider": {"name": "Northwind"},
     "endpoints": ["https://updates.example"], "authenticated": true, "x-trust-boundary": true}
  ],
  "dependencies": [
    {"ref": "fw", "dependsOn": ["zephyr", "svc-1"]},
    {"ref": "zephyr", "dependsOn": ["mbedtls"]},
    {"ref": "mbedtls", "dependsOn": []}
  ]
}
"#;

#[test]
fn a_valid_sbom_maps_into_the_model() {
    let (s, d, _) = parse_text(GOOD);
    assert!(d.is_empty(), "{d:?}");
    let s = s.unwrap();
    assert_eq!(s.spec_version, "1.6");
    assert_eq!(s.bom_version, 2);
    assert_eq!(s.authors, ["Northwind"]);
    assert_eq!(s.tools, ["syft 1.0"]);
    assert_eq!(s.primary, Some(0));
    let names: Vec<&str> = s.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["patch-fw", "zephyr", "mbedtls", "blob"]);
    let mbedtls = &s.components[2];
    assert_eq!(mbedtls.parent, Some(1));
    assert_eq!(mbedtls.licenses, ["Apache-2.0 OR GPL-2.0-or-later"]);
    assert_eq!(mbedtls.hashes[0].0, "SHA-256");
    assert!(mbedtls.in_graph);
    assert_eq!(
        s.components[0].depends_on,
        [Target::Component(1), Target::Service(0)]
    );
    assert!(s.components[0].depends_on_other.is_empty());
    let svc = &s.services[0];
    assert_eq!(svc.label(), "update-server@4");
    assert_eq!(svc.provider.as_deref(), Some("Northwind"));
    assert_eq!(svc.trust_boundary, Some(true));
    assert_eq!(s.by_ref["svc-1"], Target::Service(0));
    assert_eq!(s.by_ref["mbedtls"], Target::Component(2));
    assert!(!s.components[3].in_graph);
    assert_eq!(s.components[1].label(), "zephyr@v3.7.0");
}

#[test]
fn component_spans_point_at_their_names() {
    let (s, _, map) = parse_text(GOOD);
    let s = s.unwrap();
    let text = map.text(s.file);
    for c in &s.components {
        assert_eq!(&text[c.span.range()], format!("\"{}\"", c.name));
    }
}

#[test]
fn syntax_errors_point_at_the_position() {
    let text = "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\" \"1.6\"\n}\n";
    let (s, d, map) = parse_text(text);
    assert!(s.is_none());
    assert_eq!(codes(&d), ["sbom-json-syntax"]);
    assert_eq!(at(&d[0], &map), (3, 17));
    assert!(d[0].message.contains("expected `:`"), "{}", d[0].message);
    assert!(!d[0].message.contains("line 3"), "{}", d[0].message);
}

#[test]
fn a_truncated_file_says_so() {
    let cut = &GOOD[..GOOD.len() / 2];
    let (s, d, map) = parse_text(cut);
    assert!(s.is_none());
    assert_eq!(codes(&d), ["sbom-json-syntax"]);
    assert!(d[0].message.contains("truncated"), "{}", d[0].message);
    let (line, _) = at(&d[0], &map);
    assert_eq!(line, cut.lines().count());
}

#[test]
fn a_byte_order_mark_is_tolerated() {
    let text = format!("\u{feff}{GOOD}");
    let (s, d, _) = parse_text(&text);
    assert!(s.is_some() && d.is_empty(), "{d:?}");
    let (_, d, map) = parse_text("\u{feff}{\"a\" 1}");
    let p = d[0].primary.as_ref().unwrap();
    assert_eq!(&map.text(p.span.file)[p.span.range()], "1");
}

#[test]
fn other_formats_and_versions_are_refused() {
    let (_, d, _) = parse_text("[1, 2]");
    assert_eq!(codes(&d), ["sbom-not-cyclonedx"]);
    let (_, d, _) = parse_text("{\"spdxVersion\": \"SPDX-2.3\"}");
    assert_eq!(codes(&d), ["sbom-not-cyclonedx"]);
    assert!(d[0].help.as_deref().unwrap().contains("SPDX"));
    let (_, d, map) = parse_text("{\"bomFormat\": \"CycloneDX\",\n\"specVersion\": \"1.3\"}");
    assert_eq!(codes(&d), ["sbom-unsupported-version"]);
    assert!(d[0].message.contains("`1.3`"));
    assert_eq!(at(&d[0], &map), (2, 16));
    let (_, d, _) = parse_text("{\"bomFormat\": \"CycloneDX\"}");
    assert_eq!(codes(&d), ["sbom-unsupported-version"]);
    let (_, d, _) = parse_text("{\"bomFormat\": \"CycloneDX\", \"specVersion\": 1.6}");
    assert_eq!(codes(&d), ["sbom-unsupported-version"]);
}

#[test]
fn schema_violations_name_the_field_and_point_at_it() {
    let text = GOOD.replace("\"version\": \"3.6.2\"", "\"version\": 3");
    let (s, d, map) = parse_text(&text);
    assert!(s.is_none());
    assert_eq!(codes(&d), ["sbom-schema"]);
    assert!(
        d[0].message
            .contains("`components[0].components[0].version`"),
        "{}",
        d[0].message
    );
    let p = d[0].primary.as_ref().unwrap();
    assert_eq!(&map.text(p.span.file)[p.span.range()], "3");
}

#[test]
fn many_violations_are_capped() {
    let comps: Vec<String> = (0..50)
        .map(|i| format!("{{\"type\": \"nope\", \"name\": \"c{i}\"}}"))
        .collect();
    let text = format!(
        "{{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"components\": [{}]}}",
        comps.join(",")
    );
    let (_, d, _) = parse_text(&text);
    assert_eq!(d.len(), schema::MAX_ERRORS + 1);
    assert!(d.last().unwrap().message.starts_with("30 more"));
}

#[test]
fn duplicate_bom_refs_are_reported() {
    let text = GOOD.replace("\"bom-ref\": \"mbedtls\"", "\"bom-ref\": \"zephyr\"");
    let (s, d, map) = parse_text(&text);
    assert!(s.is_some());
    // The references to `mbedtls` now name nothing.
    assert_eq!(
        codes(&d),
        [
            "sbom-duplicate-ref",
            "sbom-unresolved-ref",
            "sbom-unresolved-ref"
        ]
    );
    let p = d[0].primary.as_ref().unwrap();
    let first = &d[0].secondary[0];
    let text = map.text(p.span.file);
    assert_eq!(&text[p.span.range()], "\"zephyr\"");
    assert_eq!(&text[first.span.range()], "\"zephyr\"");
    assert!(
        first.span.start < p.span.start,
        "the later one is the finding"
    );
}

#[test]
fn ntia_gaps_are_found_per_component_and_document() {
    let (s, _, _) = parse_text(GOOD);
    let d = ntia::check(&[s.unwrap()]);
    // `blob` has no supplier, version, identifier or place in the graph.
    assert_eq!(
        codes(&d),
        [
            "sbom-missing-supplier",
            "sbom-missing-version",
            "sbom-missing-identifier",
            "sbom-missing-dependencies"
        ]
    );
    assert!(d.iter().all(|d| d.message.contains("`blob`")), "{d:?}");

    let bare = r#"{"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1,
      "components": [{"type": "library", "name": "x", "version": "1", "purl": "pkg:npm/x@1", "supplier": {"name": "X"}}]}"#;
    let (s, _, _) = parse_text(bare);
    let d = ntia::check(&[s.unwrap()]);
    assert_eq!(
        codes(&d),
        [
            "sbom-missing-author",
            "sbom-missing-timestamp",
            "sbom-missing-dependencies"
        ]
    );
}

#[test]
fn ntia_findings_are_capped_per_code() {
    let comps: Vec<String> = (0..30)
        .map(|i| format!("{{\"type\": \"library\", \"name\": \"c{i}\", \"version\": \"1\", \"purl\": \"pkg:npm/c{i}@1\", \"bom-ref\": \"c{i}\"}}"))
        .collect();
    let deps: Vec<String> = (0..30).map(|i| format!("{{\"ref\": \"c{i}\"}}")).collect();
    let text = format!(
        "{{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"metadata\": {{\"timestamp\": \"2026-01-01T00:00:00Z\", \"authors\": [{{\"name\": \"A\"}}]}}, \"components\": [{}], \"dependencies\": [{}]}}",
        comps.join(","),
        deps.join(",")
    );
    let (s, d, _) = parse_text(&text);
    assert!(d.is_empty(), "{d:?}");
    let d = ntia::check(&[s.unwrap()]);
    assert_eq!(d.len(), ntia::MAX_PER_CODE + 1);
    assert!(d.iter().all(|d| d.code == Code::SbomMissingSupplier));
    assert!(d.last().unwrap().message.starts_with("10 more"));
}

fn item(id: &str, affects: &[&str], map: &mut SourceMap) -> Item {
    let f = map.add(format!("{id}.md"), "x");
    Item {
        id: id.into(),
        id_span: Span::new(f, 0..1),
        kind: Kind::Risk,
        title: "t".into(),
        status: Status::Approved,
        owner: None,
        rationale: None,
        tags: Vec::new(),
        version: None,
        last_reviewed: None,
        next_review: None,
        result: None,
        measure: None,
        document: None,
        risk: None,
        model: None,
        links: Vec::new(),
        affects: affects
            .iter()
            .map(|a| Spanned {
                value: (*a).to_string(),
                span: Span::new(f, 0..1),
            })
            .collect(),
        replaces: None,
        path: String::new(),
        body: String::new(),
        body_offset: 0,
        fields: Default::default(),
        reviewed_against: Vec::new(),
        spans: Default::default(),
        evidence: Vec::new(),
        junit: Vec::new(),
        header_span: Span::new(f, 0..1),
    }
}

/// An SBOM file in `sboms/` under its key, with the given content.
fn sbom_input(key: &str, content: Result<Vec<u8>, InputError>) -> SbomInput {
    SbomInput {
        input: Input {
            name: format!("sboms/{key}"),
            path: format!("sboms/{key}"),
            content,
        },
        key: key.into(),
    }
}

/// `sboms/big.json`, which failed to load: too large.
fn too_large() -> SbomInput {
    sbom_input("big.json", Err(InputError::TooLarge { size: 9, limit: 1 }))
}

fn loaded(map: &mut SourceMap) -> Loaded {
    let (sboms, d) = load_sboms(
        map,
        vec![
            sbom_input("fw.cdx.json", Ok(GOOD.as_bytes().to_vec())),
            sbom_input("other/fw.json", Ok(GOOD.as_bytes().to_vec())),
            too_large(),
        ],
    );
    assert_eq!(codes(&d), ["file-too-large"]);
    let failed: Vec<&str> = sboms.failed.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(failed, ["big.json"]);
    sboms
}

#[test]
fn anchors_and_fingerprints_are_set_per_file() {
    let mut map = SourceMap::new();
    let sboms = loaded(&mut map).sboms;
    assert_eq!(sboms.len(), 2);
    assert_eq!(sboms[0].anchor, "sbom-fw");
    assert_eq!(sboms[1].anchor, "sbom-fw-2");
    assert_eq!(sboms[0].sha256, sha256_hex(GOOD.as_bytes()));
    assert_eq!(sboms[0].size, GOOD.len());
    let anchors: Vec<&str> = sboms[0]
        .components
        .iter()
        .map(|c| c.anchor.as_str())
        .collect();
    // Purls are identities with punctuation, so their readable slug carries a hash; the
    // name of a component without purl or bom-ref is its own slug.
    for (anchor, readable) in anchors.iter().zip([
        "sbom-fw-generic-northwind-patch-fw-2-1-0-",
        "sbom-fw-github-zephyrproject-rtos-zephyr-v3-7-0-",
        "sbom-fw-github-mbed-tls-mbedtls-v3-6-2-",
    ]) {
        let hash = anchor
            .strip_prefix(readable)
            .unwrap_or_else(|| panic!("{anchor}"));
        assert!(
            hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
            "{anchor}"
        );
    }
    assert_eq!(anchors[3], "sbom-fw-blob");
    assert_eq!(sboms[0].services[0].anchor, "sbom-fw-svc-1");
    // The same components in the second SBOM differ only in the SBOM's anchor.
    assert_eq!(
        sboms[1].components[1].anchor.strip_prefix("sbom-fw-2"),
        sboms[0].components[1].anchor.strip_prefix("sbom-fw")
    );
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn affects_resolve_by_purl_and_bom_ref() {
    let mut map = SourceMap::new();
    let sboms = loaded(&mut map);
    let items = vec![
        item(
            "RSK-1",
            &[
                "pkg:github/Mbed-TLS/mbedtls@v3.6.2",
                "zephyr",
                "zephyr",
                "pkg:npm/left-pad@1.0.0",
            ],
            &mut map,
        ),
        item(
            "RSK-2",
            &["pkg:github/zephyrproject-rtos/zephyr@v3.7.0"],
            &mut map,
        ),
    ];
    let (set, d) = resolve(sboms, &items, |_| true, &map);
    assert_eq!(codes(&d), ["duplicate-link", "unknown-component"]);
    // Both SBOMs hold the same components, so each reference finds two.
    assert_eq!(set.affects[0].len(), 4);
    assert_eq!(set.affects[1].len(), 2);
    let zephyr = ObjectId {
        sbom: 0,
        target: Target::Component(1),
    };
    assert_eq!(set.affected_by[&zephyr], [0, 1]);
    assert_eq!(set.find("fw.cdx.json"), Some(0));
    assert_eq!(set.find("sboms/other/fw.json"), Some(1));
    assert_eq!(set.find("fw.json"), Some(1));
    assert_eq!(set.find("nope.json"), None);
    assert!(set.is_failed("big.json"));
    // Named as the finding about it is placed (its source-map name), not by its key
    // inside the SBOM folder, another base.
    assert!(d[1].help.as_deref().unwrap().contains("`sboms/big.json`"));
}

/// When every SBOM failed to load, an unknown component's help points at those files'
/// errors; it does not tell the author to add SBOMs, which are there.
#[test]
fn with_every_sbom_failed_the_help_points_at_the_failures() {
    let mut map = SourceMap::new();
    let (sboms, d) = load_sboms(&mut map, vec![too_large()]);
    assert_eq!(codes(&d), ["file-too-large"]);
    let items = vec![item(
        "RSK-1",
        &["pkg:npm/left-pad@1.3.0", "zephyr"],
        &mut map,
    )];
    let (_, d) = resolve(sboms, &items, |_| true, &map);
    assert_eq!(codes(&d), ["unknown-component", "unknown-component"]);
    for f in &d {
        let help = f.help.as_deref().unwrap();
        assert!(
            help.starts_with("no SBOM could be read") && help.contains("`sboms/big.json`"),
            "{help}"
        );
        assert!(!help.contains("put CycloneDX JSON files"), "{help}");
    }
    // With none found at all, the advice is to add them.
    let (sboms, _) = load_sboms(&mut map, Vec::new());
    let (_, d) = resolve(sboms, &items, |_| true, &map);
    let help = d[0].help.as_deref().unwrap();
    assert!(
        help.starts_with("no SBOM is loaded: put CycloneDX JSON files"),
        "{help}"
    );
}

/// The reported instance (issue 11.3): a dependency on a bom-ref no component carries.
const MUI: &str = r#"{
  "bomFormat": "CycloneDX",
  "specVersion": "1.5",
  "version": 1,
  "components": [
    {"type": "library", "bom-ref": "@mui/material@npm:5.16.6", "name": "material", "group": "@mui", "version": "5.16.6"},
    {"type": "library", "bom-ref": "react@npm:18.2.0", "name": "react", "version": "18.2.0"}
  ],
  "services": [{"bom-ref": "api", "name": "api"}],
  "vulnerabilities": [{"bom-ref": "vuln-1", "id": "CVE-2024-0001", "affects": [{"ref": "api"}, {"ref": "react@npm:18.2.0"}]}],
  "compositions": [{"aggregate": "complete", "assemblies": ["urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#x"], "vulnerabilities": ["vuln-1"]}],
  "dependencies": [
    {"ref": "@mui/material@npm:5.16.6", "dependsOn": ["react@npm:18.2.0", "@mui/styled-engine@npm:5.16.6 [3135b]"]}
  ]
}"#;

#[test]
fn a_reference_to_a_missing_bom_ref_is_located() {
    let (s, d, map) = parse_text(MUI);
    let s = s.expect("the SBOM still loads");
    assert_eq!(codes(&d), ["sbom-unresolved-ref"], "{d:#?}");
    assert!(!d[0].is_error(), "a warning by default");
    let p = d[0].primary.as_ref().unwrap();
    assert_eq!(
        &map.text(p.span.file)[p.span.range()],
        "\"@mui/styled-engine@npm:5.16.6 [3135b]\""
    );
    assert_eq!(at(&d[0], &map), (13, 75));
    assert!(
        d[0].message.contains("`dependencies[0].dependsOn[1]`"),
        "{}",
        d[0].message
    );
    // The resolved part of the graph is kept; the dangling one is shown as written.
    let material = &s.components[0];
    assert_eq!(material.depends_on, [Target::Component(1)]);
    assert_eq!(
        material.depends_on_other,
        ["@mui/styled-engine@npm:5.16.6 [3135b]"]
    );
    assert!(
        s.unresolved
            .contains("@mui/styled-engine@npm:5.16.6 [3135b]")
    );
    // Services and vulnerabilities are indexed like components.
    assert_eq!(s.by_ref["api"], Target::Service(0));
    let Target::Element(v) = s.by_ref["vuln-1"] else {
        panic!("{:?}", s.by_ref)
    };
    assert_eq!(s.elements[v].kind, "vulnerability");
    assert_eq!(s.elements[v].label, "CVE-2024-0001");
    assert_eq!(s.elements[v].pointer, "/vulnerabilities/0");
}

#[test]
fn every_kind_of_reference_is_checked() {
    let broken = [
        (
            "\"ref\": \"api\"",
            "\"ref\": \"apj\"",
            "vulnerabilities[0].affects[0].ref",
        ),
        (
            "\"vulnerabilities\": [\"vuln-1\"]",
            "\"vulnerabilities\": [\"vuln-2\"]",
            "compositions[0].vulnerabilities[0]",
        ),
        (
            "{\"ref\": \"@mui/material@npm:5.16.6\"",
            "{\"ref\": \"@mui/material\"",
            "dependencies[0].ref",
        ),
    ];
    for (from, to, path) in broken {
        assert!(MUI.contains(from), "{from}");
        let (_, d, _) = parse_text(&MUI.replace(from, to));
        let found: Vec<&str> = d
            .iter()
            .filter(|d| d.message.contains(&format!("`{path}`")))
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(found, ["sbom-unresolved-ref"], "{path}: {d:#?}");
    }
}

#[test]
fn a_bom_ref_shared_by_objects_of_any_kind_is_a_duplicate() {
    let text = MUI.replace("\"bom-ref\": \"vuln-1\"", "\"bom-ref\": \"api\"");
    let (s, d, map) = parse_text(&text);
    assert!(s.is_some());
    let dup: Vec<&Diagnostic> = d
        .iter()
        .filter(|d| d.code == Code::SbomDuplicateRef)
        .collect();
    assert_eq!(dup.len(), 1, "{d:#?}");
    assert!(dup[0].is_error());
    assert_eq!(
        at(dup[0], &map).0,
        10,
        "the vulnerability, written after the service"
    );
    let first = dup[0].secondary[0].span;
    assert_eq!(map.get(first.file).line_col(first.start as usize).0, 9);
}

#[test]
fn many_unresolved_references_are_counted() {
    let deps: Vec<String> = (0..30).map(|i| format!("\"gone-{i}\"")).collect();
    let text = MUI.replace(
        "\"react@npm:18.2.0\", \"@mui/styled-engine@npm:5.16.6 [3135b]\"",
        &deps.join(", "),
    );
    let (_, d, _) = parse_text(&text);
    assert_eq!(d.len(), build::MAX_LOCATED + 1, "{d:#?}");
    assert!(d.iter().all(|d| d.code == Code::SbomUnresolvedRef));
    assert!(d.last().unwrap().message.starts_with("10 more"));
}

/// A component list in the shape cargo-cyclonedx writes: bom-refs that share a long
/// prefix, and purls.
fn cargo_sbom(crates: &[(&str, &str)]) -> String {
    let comps: Vec<String> = crates
        .iter()
        .map(|(n, v)| {
            format!(
                r#"{{"type": "library", "bom-ref": "registry+https://github.com/rust-lang/crates.io-index#{n}@{v}", "name": "{n}", "version": "{v}", "purl": "pkg:cargo/{n}@{v}"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{}]}}"#,
        comps.join(",")
    )
}

fn anchors_of(text: &str) -> BTreeMap<String, String> {
    let mut map = SourceMap::new();
    let (loaded, d) = load_sboms(
        &mut map,
        vec![sbom_input("app.cdx.json", Ok(text.as_bytes().to_vec()))],
    );
    assert!(d.is_empty(), "{d:?}");
    let sbom = &loaded.sboms[0];
    let mut out = BTreeMap::new();
    for c in &sbom.components {
        out.insert(c.label(), c.anchor.clone());
    }
    for s in &sbom.services {
        out.insert(format!("service {}", s.label()), s.anchor.clone());
    }
    out
}

/// Issue 11.4: adding a crate moved a hand-written link onto another crate's row.
#[test]
fn anchors_do_not_move_when_other_components_come_and_go() {
    let base = [
        ("ryu", "1.0.18"),
        ("itoa", "1.0.11"),
        ("serde", "1.0.228"),
        ("serde_json", "1.0.140"),
    ];
    let before = anchors_of(&cargo_sbom(&base));
    let unique: HashSet<&String> = before.values().collect();
    assert_eq!(unique.len(), before.len(), "{before:?}");
    assert!(
        before["ryu@1.0.18"].starts_with("sbom-app-cargo-ryu-1-0-18-"),
        "{before:?}"
    );

    // Added in front, with slugs that collide with existing ones, and another version.
    let mut more = vec![
        ("aaa", "1"),
        ("serde-json", "1.0.140"),
        ("ryu", "1.0.19"),
        ("serde.json", "1.0.140"),
    ];
    more.extend(base);
    let after = anchors_of(&cargo_sbom(&more));
    for (label, anchor) in &before {
        assert_eq!(&after[label], anchor, "{label} moved");
    }
    let unique: HashSet<&String> = after.values().collect();
    assert_eq!(unique.len(), after.len(), "{after:?}");

    // Removed: every other component keeps its anchor.
    let fewer = [base[1], base[3]];
    let after = anchors_of(&cargo_sbom(&fewer));
    for (label, anchor) in &after {
        assert_eq!(&before[label], anchor, "{label} moved");
    }

    // Components without purl or bom-ref, and services, are anchored by name and version.
    let doc = |names: &[&str]| {
        let comps: Vec<String> = names
            .iter()
            .map(|n| format!(r#"{{"type": "library", "name": "{n}", "version": "1.0"}}"#))
            .collect();
        let svcs: Vec<String> = names
            .iter()
            .map(|n| format!(r#"{{"name": "{n}"}}"#))
            .collect();
        format!(
            r#"{{"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1, "components": [{}], "services": [{}]}}"#,
            comps.join(","),
            svcs.join(",")
        )
    };
    let before = anchors_of(&doc(&["left-pad", "left.pad"]));
    let after = anchors_of(&doc(&["Left-Pad", "left.pad", "x", "left-pad"]));
    for (label, anchor) in &before {
        assert_eq!(&after[label], anchor, "{label} moved");
    }
    assert_eq!(before["service left-pad"], "sbom-app-left-pad");
}

fn one_sbom(map: &mut SourceMap, text: &str) -> Loaded {
    let (loaded, d) = load_sboms(
        map,
        vec![sbom_input("os.cdx.json", Ok(text.as_bytes().to_vec()))],
    );
    assert!(d.iter().all(|d| !d.is_error()), "{d:?}");
    loaded
}

/// Debian packages as syft writes them, and two crates.
const OS: &str = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "components": [
    {"type": "library", "bom-ref": "a1", "name": "bsdutils", "version": "1:2.36.1-8+deb11u1",
     "purl": "pkg:deb/debian/bsdutils@1:2.36.1-8+deb11u1?distro=debian-11.4"},
    {"type": "library", "bom-ref": "a2", "name": "libsmartcols1", "version": "2.36.1-8+deb11u1",
     "purl": "pkg:deb/debian/libsmartcols1@2.36.1-8+deb11u1?arch=amd64&distro=debian-11.4"},
    {"type": "library", "bom-ref": "a3", "name": "bsdutils", "version": "1:2.38.1-5",
     "purl": "pkg:deb/debian/bsdutils@1:2.38.1-5?distro=debian-12"},
    {"type": "library", "bom-ref": "a4", "name": "Django", "version": "4.2",
     "purl": "pkg:pypi/django@4.2"},
    {"type": "library", "bom-ref": "a5", "name": "Flask_Login", "version": "0.6.3",
     "purl": "pkg:pypi/flask-login@0.6.3"},
    {"type": "library", "bom-ref": "a6", "name": "JSONStream", "version": "1.3.5",
     "purl": "pkg:npm/JSONStream@1.3.5"},
    {"type": "library", "bom-ref": "a7", "name": "left-pad", "version": "1.3.0",
     "purl": "pkg:npm/left-pad@1.3.0#"}
  ],
  "services": [{"bom-ref": "svc-telemetry", "name": "telemetry"}],
  "vulnerabilities": [{"bom-ref": "vex-1", "id": "CVE-2024-28085"}]
}"#;

/// Resolves one item's `affects` against [`OS`]: the objects found, and the findings.
fn affects(entries: &[&str]) -> (Vec<ObjectId>, Vec<Diagnostic>, SbomSet) {
    let mut map = SourceMap::new();
    let loaded = one_sbom(&mut map, OS);
    let items = vec![item("RSK-1", entries, &mut map)];
    let (set, d) = resolve(loaded, &items, |_| true, &map);
    (set.affects[0].clone(), d, set)
}

fn component(i: usize) -> ObjectId {
    ObjectId {
        sbom: 0,
        target: Target::Component(i),
    }
}

/// Issue 11.5: the percent-encoded purl of a component written with qualifiers.
#[test]
fn purls_are_compared_in_canonical_form() {
    let (found, d, _) = affects(&["pkg:deb/debian/bsdutils@1%3A2.36.1-8%2Bdeb11u1"]);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(found, [component(0)]);
    let (found, d, _) = affects(&[
        "pkg:pypi/Django@4.2",
        "pkg:pypi/flask_login@0.6.3",
        "pkg:deb/debian/libsmartcols1@2.36.1-8%2Bdeb11u1?distro=debian-11.4&arch=amd64",
    ]);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(found, [component(3), component(4), component(1)]);
    // Qualifiers the reference writes must match.
    let (found, d, _) = affects(&["pkg:deb/debian/bsdutils@1:2.36.1-8+deb11u1?distro=debian-12"]);
    assert!(found.is_empty());
    assert_eq!(codes(&d), ["unknown-component"]);
    // ... each of them, but not all of the component's: the reference's are a subset.
    let (found, d, _) = affects(&[
        "pkg:deb/debian/libsmartcols1@2.36.1-8+deb11u1?arch=amd64",
        "pkg:deb/debian/bsdutils@1:2.38.1-5?distro=debian-12&arch=amd64",
    ]);
    assert_eq!(found, [component(1)]);
    assert_eq!(codes(&d), ["unknown-component"]);
    // An empty subpath is none, in the reference and in the component.
    let (found, d, _) = affects(&["pkg:npm/left-pad@1.3.0", "pkg:npm/left-pad@1.3.0#/"]);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(found, [component(6)]);
}

/// npm names keep their case (purl-spec issue 871): a reference in another case names
/// nothing, and the suggestion is the package in its own case, with the reason.
#[test]
fn a_purl_in_the_wrong_case_is_suggested_in_the_right_one() {
    let (found, d, _) = affects(&["pkg:npm/JSONStream@1.3.5"]);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(found, [component(5)]);
    let (found, d, _) = affects(&["pkg:npm/jsonstream@1.3.5"]);
    assert!(found.is_empty());
    assert_eq!(
        d[0].help.as_deref(),
        Some(
            "did you mean `pkg:npm/JSONStream@1.3.5`? Names of `npm` packages are case sensitive in the purl specification, so a purl in another case names another package"
        )
    );
    // A type whose names are not case sensitive folds them instead.
    let (found, d, _) = affects(&["pkg:deb/Debian/BSDUtils@1:2.38.1-5"]);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(found, [component(2)]);
}

/// A component purl that does not parse is reported where it is written, with the reason;
/// a purl with an empty subpath is valid.
#[test]
fn component_purls_that_do_not_parse_are_located() {
    let text = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "components": [
    {"type": "library", "name": "ok", "version": "1", "purl": "pkg:npm/ok@1#"},
    {"type": "library", "name": "foo", "version": "1.0",
     "purl": "pkg:npm/foo@1.0%zz",
     "components": [{"type": "library", "name": "x", "purl": "pkg:cargo/ns/x@1"}]}
  ]
}"#;
    let (sbom, d, map) = parse_text(text);
    let sbom = sbom.expect("an invalid purl does not stop the SBOM from loading");
    assert_eq!(codes(&d), ["sbom-invalid-purl", "sbom-invalid-purl"]);
    let place = |needle: &str| {
        let at = text.find(needle).unwrap();
        map.get(sbom.file).line_col(at)
    };
    assert_eq!(at(&d[0], &map), place("\"pkg:npm/foo@1.0%zz\""));
    assert!(d[0].message.contains("`pkg:npm/foo@1.0%zz` is not a valid package URL: `%zz` is not a percent-encoded character"), "{}", d[0].message);
    assert_eq!(at(&d[1], &map), place("\"pkg:cargo/ns/x@1\""));
    assert!(
        d[1].message.contains("no namespace allowed"),
        "{}",
        d[1].message
    );
    assert_eq!(
        sbom.components[0].parsed_purl.as_ref().map(Purl::canonical),
        Some("pkg:npm/ok@1")
    );
    assert!(sbom.components[1].parsed_purl.is_none());
    // Many are counted after the first ones.
    let many: Vec<String> = (0..25)
        .map(|i| format!(r#"{{"type": "library", "name": "c{i}", "purl": "pkg:npm/c{i}@%"}}"#))
        .collect();
    let text = format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [{}]}}"#,
        many.join(",")
    );
    let (_, d, _) = parse_text(&text);
    assert_eq!(d.len(), build::MAX_LOCATED + 1, "{d:#?}");
    assert!(
        d.last()
            .unwrap()
            .message
            .starts_with("5 more component purls")
    );
}

#[test]
fn suggestions_prefer_the_same_package() {
    // Another version of bsdutils beats libsmartcols1, whose purl is closer as text.
    let (_, d, _) = affects(&["pkg:deb/debian/bsdutils@1:2.36.1-8"]);
    assert_eq!(codes(&d), ["unknown-component"]);
    let help = d[0].help.as_deref().unwrap();
    assert!(
        help.contains(
            "did you mean `pkg:deb/debian/bsdutils@1:2.36.1-8+deb11u1?distro=debian-11.4`"
        ),
        "{help}"
    );
    // The nearest version above the one written, else the highest.
    let (_, d, _) = affects(&["pkg:deb/debian/bsdutils@1:2.37"]);
    assert!(
        d[0].help
            .as_deref()
            .unwrap()
            .contains("bsdutils@1:2.38.1-5"),
        "{:?}",
        d[0].help
    );
    let (_, d, _) = affects(&["pkg:deb/debian/bsdutils@1:3"]);
    assert!(
        d[0].help
            .as_deref()
            .unwrap()
            .contains("bsdutils@1:2.38.1-5"),
        "{:?}",
        d[0].help
    );
    // No such package: the closest name of the same type.
    let (_, d, _) = affects(&["pkg:deb/debian/bsdutil@1:2.36.1-8+deb11u1"]);
    assert!(
        d[0].help
            .as_deref()
            .unwrap()
            .contains("`pkg:deb/debian/bsdutils@"),
        "{:?}",
        d[0].help
    );
    assert!(
        d[0].primary
            .as_ref()
            .unwrap()
            .message
            .contains("no loaded SBOM has a component with this purl")
    );
}

#[test]
fn a_malformed_purl_is_reported_with_the_reason() {
    let (found, d, _) = affects(&["pkg:deb/", "pkg:pypi/a/b@1"]);
    assert!(found.is_empty());
    assert_eq!(codes(&d), ["unknown-component", "unknown-component"]);
    assert!(
        d[0].message
            .contains("not a valid package URL: missing name"),
        "{}",
        d[0].message
    );
    assert!(
        d[1].message.contains("no namespace allowed"),
        "{}",
        d[1].message
    );
    // A bom-ref that happens to look like a broken purl is still a bom-ref.
    let text = OS.replace("\"bom-ref\": \"a1\"", "\"bom-ref\": \"pkg:deb/\"");
    let mut map = SourceMap::new();
    let loaded = one_sbom(&mut map, &text);
    let items = vec![item("RSK-1", &["pkg:deb/"], &mut map)];
    let (set, d) = resolve(loaded, &items, |_| true, &map);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(set.affects[0], [component(0)]);
}

#[test]
fn any_object_with_a_bom_ref_can_be_affected() {
    let (found, d, set) = affects(&["svc-telemetry", "vex-1"]);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(found[0].target, Target::Service(0));
    let Target::Element(e) = found[1].target else {
        panic!("{found:?}")
    };
    assert_eq!(set.sboms[0].elements[e].label, "CVE-2024-28085");
    assert_eq!(set.affected_by[&found[0]], [0]);
    let (_, d, _) = affects(&["svc-telemetri"]);
    assert_eq!(
        d[0].primary.as_ref().unwrap().message,
        "no loaded SBOM has an object with this bom-ref"
    );
    assert!(
        d[0].help
            .as_deref()
            .unwrap()
            .contains("did you mean `svc-telemetry`")
    );
}
