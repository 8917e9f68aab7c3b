use super::*;
use crate::load::InputError;
use crate::model::{Kind, Spanned};

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
    assert_eq!(s.components[0].depends_on, [1]);
    assert_eq!(s.components[0].depends_on_other, ["svc-1"]);
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
    let (s, d, _) = parse_text(&text);
    assert!(s.is_some());
    assert_eq!(codes(&d), ["sbom-duplicate-ref"]);
    assert_eq!(d[0].secondary.len(), 1);
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
        path: String::new(),
        body: String::new(),
        body_offset: 0,
        header_span: Span::new(f, 0..1),
    }
}

fn loaded(map: &mut SourceMap) -> Loaded {
    let (sboms, d) = load_sboms(
        map,
        vec![
            SbomInput {
                input: Input {
                    name: "sboms/fw.cdx.json".into(),
                    path: "sboms/fw.cdx.json".into(),
                    content: Ok(GOOD.as_bytes().to_vec()),
                },
                key: "fw.cdx.json".into(),
            },
            SbomInput {
                input: Input {
                    name: "sboms/other/fw.json".into(),
                    path: "sboms/other/fw.json".into(),
                    content: Ok(GOOD.as_bytes().to_vec()),
                },
                key: "other/fw.json".into(),
            },
            SbomInput {
                input: Input {
                    name: "sboms/big.json".into(),
                    path: "sboms/big.json".into(),
                    content: Err(InputError::TooLarge { size: 9, limit: 1 }),
                },
                key: "big.json".into(),
            },
        ],
    );
    assert_eq!(codes(&d), ["file-too-large"]);
    assert_eq!(sboms.failed, ["big.json"]);
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
    assert_eq!(
        anchors,
        [
            "sbom-fw-fw",
            "sbom-fw-zephyr",
            "sbom-fw-mbedtls",
            "sbom-fw-blob"
        ]
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
    let (set, d) = resolve(sboms, &items, |_| true);
    assert_eq!(codes(&d), ["duplicate-link", "unknown-component"]);
    // Both SBOMs hold the same components, so each reference finds two.
    assert_eq!(set.affects[0].len(), 4);
    assert_eq!(set.affects[1].len(), 2);
    let zephyr = ComponentId {
        sbom: 0,
        component: 1,
    };
    assert_eq!(set.affected_by[&zephyr], [0, 1]);
    assert_eq!(set.find("fw.cdx.json"), Some(0));
    assert_eq!(set.find("sboms/other/fw.json"), Some(1));
    assert_eq!(set.find("fw.json"), Some(1));
    assert_eq!(set.find("nope.json"), None);
    assert!(set.is_failed("big.json"));
    assert!(d[1].help.as_deref().unwrap().contains("`big.json`"));
}

#[test]
fn slugs_are_html_safe() {
    assert_eq!(
        slug("pkg:npm/@angular/core@17.0.0", 60),
        "pkg-npm-angular-core-17-0-0"
    );
    assert_eq!(slug("--", 60), "");
    assert_eq!(slug(&"a".repeat(100), 10).len(), 10);
}
