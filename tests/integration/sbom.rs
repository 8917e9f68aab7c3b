//! SBOMs: conformance with the CycloneDX test vectors, hostile files (malformed, truncated,
//! 50 MB, unknown version), the `sbom` command (including the drift check of this tool's own
//! SBOM) and a 5,000-component SBOM rendered through the library.

use crate::common::{
    check_human, check_json, codes_of, command, fixture, item, parse_json_lines, skeleton, write,
};
use mdbook_techfile::core::config::Config;
use mdbook_techfile::core::load::Input;
use mdbook_techfile::core::model::SourceMap;
use mdbook_techfile::core::sbom::{self, SbomInput};
use mdbook_techfile::core::{BookInputs, ChapterInput, Mode};
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the plugin lives in the repository")
        .to_path_buf()
}

/// Whether a rejection names the field at fault: a path (`at `components[0].type``), one of
/// the top-level keys checked before the schema, or a quoted property at the top level.
fn names_a_field(message: &str) -> bool {
    message.contains(" at `")
        || message.contains("`bomFormat`")
        || message.contains("`specVersion`")
        || (message.contains("at the top level") && message.contains('"'))
}

#[derive(Default, Debug)]
struct Tally {
    valid_accepted: usize,
    invalid_rejected: usize,
}

/// Checks every `valid-*.json` and `invalid-*.json` under `dir/<version>/`.
fn conformance(dir: &Path) -> BTreeMap<String, Tally> {
    let mut problems = Vec::new();
    let mut tally: BTreeMap<String, Tally> = BTreeMap::new();
    let mut versions: Vec<PathBuf> = fs::read_dir(dir)
        .expect("vector folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    versions.sort();
    for vdir in versions {
        let version = vdir.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<PathBuf> = fs::read_dir(&vdir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        let t = tally.entry(version.clone()).or_default();
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = fs::read_to_string(&path).unwrap();
            let mut map = SourceMap::new();
            let file = map.add(name.clone(), text.clone());
            let (doc, diags) = sbom::parse(file, &text);
            let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
            if name.starts_with("valid-") {
                if doc.is_some() && errors.is_empty() {
                    t.valid_accepted += 1;
                } else {
                    problems.push(format!("{version}/{name}: rejected: {diags:?}"));
                }
            } else if name.starts_with("invalid-") {
                match errors.first() {
                    None => problems.push(format!("{version}/{name}: accepted")),
                    Some(e) if !names_a_field(&e.message) => problems.push(format!(
                        "{version}/{name}: the message names no field: {}",
                        e.message
                    )),
                    Some(_) => t.invalid_rejected += 1,
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    tally
}

#[test]
fn shared_cyclonedx_test_vectors_conform() {
    let dir = repo_root().join("../shared/cyclonedx/test-vectors");
    if !dir.is_dir() {
        eprintln!(
            "note: {} is absent; only the copied vectors in tests/fixtures/sbom-vectors were checked",
            dir.display()
        );
        return;
    }
    let tally = conformance(&dir);
    for v in ["1.4", "1.5", "1.6", "1.7"] {
        let t = &tally[v];
        eprintln!(
            "CycloneDX {v}: {} valid accepted, {} invalid rejected",
            t.valid_accepted, t.invalid_rejected
        );
        assert!(t.valid_accepted > 0 && t.invalid_rejected > 0, "{v}: {t:?}");
    }
}

#[test]
fn copied_cyclonedx_test_vectors_conform() {
    let tally = conformance(&fixture("sbom-vectors"));
    assert_eq!(
        tally.keys().collect::<Vec<_>>(),
        ["1.4", "1.5", "1.6", "1.7"]
    );
    assert!(
        tally
            .values()
            .all(|t| t.valid_accepted >= 3 && t.invalid_rejected >= 4)
    );
}

const SMALL: &str = r#"{
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "version": 1,
  "metadata": {"timestamp": "2026-01-01T00:00:00Z", "authors": [{"name": "A"}]},
  "components": [
    {"type": "library", "bom-ref": "a", "name": "a", "version": "1", "supplier": {"name": "S"}, "purl": "pkg:npm/a@1"}
  ],
  "dependencies": [{"ref": "a", "dependsOn": []}]
}
"#;

/// A skeleton book with one item; `keys` go into `[preprocessor.techfile]`.
fn sbom_book(keys: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    skeleton(
        tmp.path(),
        &format!(
            "{keys}\n[preprocessor.techfile.coverage]\nrequirement = false\ncontrol = false\nrisk = false\ntest = false\npractice = false"
        ),
    );
    write(
        tmp.path(),
        "requirements/REQ-1.md",
        item("REQ-1", "requirement", "R", &[], ""),
    );
    tmp
}

/// Checks a book (human and JSON); returns the exit code and the JSON findings.
fn check_book(dir: &Path) -> (Option<i32>, Vec<serde_json::Value>) {
    let human = check_human(dir);
    assert!(human.code.is_some(), "the tool crashed: {}", human.stderr);
    assert_eq!(human.stderr, "", "findings go to stdout");
    let json = check_json(dir);
    assert_eq!(json.code, human.code);
    (json.code, parse_json_lines(&json.stdout))
}

/// A book whose `sboms/` holds one file; returns the exit code and the JSON findings.
fn check_sbom(name: &str, content: &[u8], keys: &str) -> (Option<i32>, Vec<serde_json::Value>) {
    let tmp = sbom_book(keys);
    write(tmp.path(), &format!("sboms/{name}"), content);
    check_book(tmp.path())
}

fn only_finding(findings: &[serde_json::Value], code: &str, file: &str) -> serde_json::Value {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = findings[0].clone();
    assert_eq!(f["code"], code, "{f:#}");
    assert_eq!(f["file"], file, "the finding names the file: {f:#}");
    assert_eq!(f["severity"], "error");
    f
}

#[test]
fn a_clean_sbom_loads_without_findings() {
    let (code, findings) = check_sbom("a.cdx.json", SMALL.as_bytes(), "");
    assert_eq!(code, Some(0), "{findings:#?}");
    assert!(findings.is_empty());
}

#[test]
fn a_malformed_sbom_is_a_located_syntax_error() {
    let text = SMALL.replace("\"version\": 1,", "\"version\": 1");
    let (code, findings) = check_sbom("a.cdx.json", text.as_bytes(), "");
    assert_eq!(code, Some(1));
    let f = only_finding(&findings, "sbom-json-syntax", "sboms/a.cdx.json");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(5), Some(3))
    );
}

#[test]
fn a_truncated_sbom_says_it_is_truncated() {
    let text = &SMALL[..SMALL.len() - 60];
    let (code, findings) = check_sbom("a.cdx.json", text.as_bytes(), "");
    assert_eq!(code, Some(1));
    let f = only_finding(&findings, "sbom-json-syntax", "sboms/a.cdx.json");
    assert!(
        f["message"].as_str().unwrap().contains("truncated"),
        "{f:#}"
    );
}

#[test]
fn an_unknown_spec_version_is_named() {
    let text = SMALL.replace("\"1.6\"", "\"2.0\"");
    let (code, findings) = check_sbom("a.cdx.json", text.as_bytes(), "");
    assert_eq!(code, Some(1));
    let f = only_finding(&findings, "sbom-unsupported-version", "sboms/a.cdx.json");
    assert!(f["message"].as_str().unwrap().contains("`2.0`"), "{f:#}");
    assert_eq!(f["line"], 3);
}

#[test]
fn a_non_utf8_sbom_is_reported() {
    let mut bytes = SMALL.as_bytes().to_vec();
    bytes[40] = 0xff;
    let (code, findings) = check_sbom("a.cdx.json", &bytes, "");
    assert_eq!(code, Some(1));
    only_finding(&findings, "not-utf8", "sboms/a.cdx.json");
}

#[test]
fn a_50_mb_sbom_is_refused_by_size_and_never_crashes_the_tool() {
    let make = |extra: &str| {
        let tmp = sbom_book(extra);
        fs::create_dir_all(tmp.path().join("sboms")).unwrap();
        // A sparse file: 50 MB on paper, next to nothing on disk.
        fs::File::create(tmp.path().join("sboms/big.cdx.json"))
            .unwrap()
            .set_len(50 * 1000 * 1000)
            .unwrap();
        tmp
    };

    // Default limit: refused before reading, with the size and the setting to raise.
    let (code, findings) = check_book(make("").path());
    assert_eq!(code, Some(1));
    let f = only_finding(&findings, "file-too-large", "sboms/big.cdx.json");
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("50000000 bytes"), "{message}");
    assert!(
        f["help"].as_str().unwrap().contains("max-sbom-size"),
        "{f:#}"
    );

    // With the limit raised the file is read, and its content (all NUL bytes) is a syntax
    // error at the first byte, not a crash.
    let (code, findings) = check_book(make("max-sbom-size = 67108864").path());
    assert_eq!(code, Some(1));
    let f = only_finding(&findings, "sbom-json-syntax", "sboms/big.cdx.json");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn an_empty_sbom_is_an_error() {
    let (code, findings) = check_sbom("empty.json", b"", "");
    assert_eq!(code, Some(1));
    only_finding(&findings, "sbom-json-syntax", "sboms/empty.json");
}

#[test]
fn a_missing_configured_sbom_folder_is_an_error_but_the_default_may_be_absent() {
    let tmp = sbom_book("sboms = [\"../no-such-sboms\"]");
    let j = check_json(tmp.path());
    assert!(
        codes_of(&j.stdout).contains(&"read-error".to_string()),
        "{}",
        j.stdout
    );
    assert!(j.stdout.contains("no-such-sboms"), "{}", j.stdout);

    let tmp = sbom_book("");
    let j = check_json(tmp.path());
    j.expect_code(0);
    assert_eq!(j.stdout, "");
}

#[test]
fn sbom_files_can_be_configured_one_by_one() {
    let tmp = sbom_book("sboms = [\"../vendor/a.json\"]");
    write(tmp.path(), "vendor/a.json", SMALL);
    write(
        tmp.path(),
        "book/src/chapter.md",
        "# Chapter\n\n{{#techfile sbom a.json}}\n",
    );
    let r = check_human(tmp.path());
    r.expect_code(0);
}

fn committed_timestamp(text: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    v["metadata"]["timestamp"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn sbom_command(args: &[&str], epoch: Option<&str>) -> crate::common::Run {
    let mut cmd = command(&repo_root());
    cmd.arg("sbom").args(args);
    match epoch {
        Some(e) => cmd.env("SOURCE_DATE_EPOCH", e),
        None => cmd.env_remove("SOURCE_DATE_EPOCH"),
    };
    let out = cmd.output().expect("binary runs");
    crate::common::Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The committed SBOM of this tool is what the generator makes of the committed Cargo.lock
/// (this is the drift check CI runs with scripts/sbom.sh --check).
#[test]
fn the_committed_sbom_of_this_tool_is_current() {
    let path = repo_root().join("sboms/mdbook-techfile.cdx.json");
    let committed = fs::read_to_string(&path).expect("sboms/mdbook-techfile.cdx.json exists");
    let ts = committed_timestamp(&committed);
    assert!(!ts.is_empty(), "the committed SBOM has a timestamp");
    let r = sbom_command(&["--manifest-path", "Cargo.toml", "--timestamp", &ts], None);
    r.expect_code(0);
    assert!(
        r.stdout == committed,
        "sboms/mdbook-techfile.cdx.json is stale: regenerate it with scripts/sbom.sh and commit it"
    );
}

#[test]
fn the_sbom_timestamp_comes_from_source_date_epoch_read_at_the_edge() {
    let r = sbom_command(&["--manifest-path", "Cargo.toml"], Some("1767225599"));
    r.expect_code(0);
    assert_eq!(committed_timestamp(&r.stdout), "2025-12-31T23:59:59Z");
    let r = sbom_command(&["--manifest-path", "Cargo.toml"], Some("99999999999999"));
    assert_ne!(r.code, Some(0));
    assert!(
        r.stderr
            .contains("SOURCE_DATE_EPOCH `99999999999999` is out of range"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_generated_sbom_is_valid_complete_and_deterministic() {
    let a = sbom_command(&["--manifest-path", "Cargo.toml"], None);
    a.expect_code(0);
    let b = sbom_command(&["--manifest-path", "Cargo.toml"], None);
    assert_eq!(a.stdout, b.stdout, "two runs give the same bytes");
    let v: serde_json::Value = serde_json::from_str(&a.stdout).unwrap();
    assert!(
        v["metadata"].get("timestamp").is_none(),
        "no clock time without SOURCE_DATE_EPOCH"
    );

    let mut map = SourceMap::new();
    let file = map.add("gen.json", a.stdout.clone());
    let (doc, diags) = sbom::parse(file, &a.stdout);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.unwrap();
    let ntia: Vec<_> = sbom::ntia::check(std::slice::from_ref(&doc))
        .into_iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(
        ntia,
        ["sbom-missing-timestamp"],
        "only the clock is missing"
    );
    let names: HashSet<&str> = doc.components.iter().map(|c| c.name.as_str()).collect();
    for dep in ["serde", "serde_json", "jsonschema", "toml", "clap", "sha2"] {
        assert!(names.contains(dep), "{dep} is a component");
    }
    assert!(
        !names.contains("insta"),
        "the dev-dependency insta is not shipped"
    );
    let serde = doc.components.iter().find(|c| c.name == "serde").unwrap();
    assert_eq!(serde.hashes[0].0, "SHA-256");
    assert_eq!(serde.hashes[0].1.len(), 64);
    assert!(
        serde
            .purl
            .as_deref()
            .unwrap()
            .starts_with("pkg:cargo/serde@")
    );
    assert!(
        !a.stdout.contains(&*repo_root().to_string_lossy()),
        "no absolute paths"
    );

    let c = sbom_command(&["--manifest-path", "Cargo.toml"], Some("86400"));
    c.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&c.stdout).unwrap();
    assert_eq!(v["metadata"]["timestamp"], "1970-01-02T00:00:00Z");
    assert_ne!(
        v["serialNumber"],
        serde_json::from_str::<serde_json::Value>(&a.stdout).unwrap()["serialNumber"]
    );
}

#[test]
fn the_sbom_command_reports_bad_input_without_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x.json");
    let r = sbom_command(
        &[
            "--manifest-path",
            "Cargo.toml",
            "--timestamp",
            "yesterday",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    r.expect_code(2);
    assert!(r.stderr.contains("metadata.timestamp"), "{}", r.stderr);
    assert!(!out.exists());
    let r = sbom_command(&["--manifest-path", "no/such/Cargo.toml"], None);
    r.expect_code(2);
    assert!(r.stderr.contains("cargo metadata"), "{}", r.stderr);
}

#[test]
fn path_dependencies_and_workspaces_with_several_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n",
    );
    for (name, deps) in [("a", "b = { path = \"../b\" }\n"), ("b", "")] {
        write(
            root,
            &format!("{name}/Cargo.toml"),
            format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT/Apache-2.0\"\nauthors = [\"Ann <ann@example.org>\"]\n\n[dependencies]\n{deps}"
            ),
        );
        write(root, &format!("{name}/src/lib.rs"), "");
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["generate-lockfile", "--offline"])
        .current_dir(root)
        .status()
        .unwrap();
    assert!(status.success());
    let manifest = root.join("Cargo.toml");
    let m = manifest.to_str().unwrap();

    let r = sbom_command(&["--manifest-path", m], None);
    r.expect_code(2);
    assert!(r.stderr.contains("several packages (a, b)"), "{}", r.stderr);

    let r = sbom_command(&["--manifest-path", m, "--package", "a"], None);
    r.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["metadata"]["component"]["name"], "a");
    assert_eq!(v["metadata"]["component"]["type"], "library");
    let b = &v["components"][0];
    assert_eq!(b["purl"], "pkg:cargo/b@0.1.0?download_url=file://b");
    assert_eq!(b["licenses"][0]["expression"], "MIT OR Apache-2.0");
    assert_eq!(b["supplier"]["name"], "Ann");
    assert_eq!(b["authors"][0]["email"], "ann@example.org");
    assert!(b.get("hashes").is_none(), "path packages have no checksum");
    assert_eq!(
        v["dependencies"],
        serde_json::json!([
            {"ref": "pkg:cargo/a@0.1.0?download_url=file://a", "dependsOn": ["pkg:cargo/b@0.1.0?download_url=file://b"]},
            {"ref": "pkg:cargo/b@0.1.0?download_url=file://b", "dependsOn": []}
        ])
    );
}

/// A CycloneDX 1.6 SBOM with `n` components in a chain of dependencies, NTIA-complete.
pub fn large_sbom(n: usize) -> String {
    let mut components = Vec::with_capacity(n);
    let mut deps = Vec::with_capacity(n);
    for i in 0..n {
        let kind = ["library", "framework", "application", "file"][i % 4];
        components.push(format!(
            r#"{{"type": "{kind}", "bom-ref": "pkg:npm/pkg-{i}@1.{i}.0", "supplier": {{"name": "Vendor {v}"}}, "name": "pkg-{i}", "version": "1.{i}.0", "licenses": [{{"license": {{"id": "{lic}"}}}}], "purl": "pkg:npm/pkg-{i}@1.{i}.0", "hashes": [{{"alg": "SHA-256", "content": "{i:064x}"}}]}}"#,
            v = i % 97,
            lic = ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC"][i % 4],
        ));
        let next: Vec<String> = [i + 1, i + 7]
            .iter()
            .filter(|&&j| j < n)
            .map(|j| format!("\"pkg:npm/pkg-{j}@1.{j}.0\""))
            .collect();
        deps.push(format!(
            r#"{{"ref": "pkg:npm/pkg-{i}@1.{i}.0", "dependsOn": [{}]}}"#,
            next.join(", ")
        ));
    }
    format!(
        "{{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"version\": 1,\n\"metadata\": {{\"timestamp\": \"2026-01-01T00:00:00Z\", \"authors\": [{{\"name\": \"Bench\"}}]}},\n\"components\": [\n{}\n],\n\"dependencies\": [\n{}\n]}}\n",
        components.join(",\n"),
        deps.join(",\n")
    )
}

/// Correctness on 5,000 components; the time target (under a second) is measured by
/// bench/sbom.sh on a release build.
#[test]
fn a_5000_component_sbom_renders_every_row_with_working_links() {
    let json = large_sbom(5000);
    let chapter_text = "# SBOM\n\n{{#techfile sbom big.cdx.json}}\n";
    let config = Config::from_toml(
        "[coverage]\nrequirement = false\ncontrol = false\nrisk = false\ntest = false\npractice = false",
    )
    .unwrap();
    let inputs = mdbook_techfile::core::Inputs {
        config,
        items: Vec::<Input>::new(),
        sboms: vec![SbomInput {
            input: Input {
                name: "sboms/big.cdx.json".into(),
                path: "sboms/big.cdx.json".into(),
                content: Ok(json.into_bytes()),
            },
            key: "big.cdx.json".into(),
        }],
        book: BookInputs {
            chapters: vec![ChapterInput {
                file: Input {
                    name: "book/src/sbom.md".into(),
                    path: "book/src/sbom.md".into(),
                    content: Ok(chapter_text.as_bytes().to_vec()),
                },
                path: "sbom.md".into(),
                text: None,
                complete: true,
            }],
            ..BookInputs::default()
        },
        stamp: None,
        advisories: Vec::new(),
        vex: Vec::new(),
        today: None,
    };
    let analysis = mdbook_techfile::core::analyse(inputs, Mode::Build);
    let (output, diags) = (&analysis.output, &analysis.findings);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(
        !output.generated.iter().any(|p| p.path.contains("sbom")),
        "the chapter hosts the SBOM, so no page is generated for it"
    );
    let page = &output.chapters[0].text;
    let ids: Vec<&str> = page
        .match_indices("<tr id=\"")
        .map(|(i, m)| {
            let rest = &page[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert_eq!(ids.len(), 5000);
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), 5000, "anchors are unique");
    let mut links = 0;
    for (i, m) in page.match_indices("href=\"#") {
        let rest = &page[i + m.len()..];
        let target = &rest[..rest.find('"').unwrap()];
        assert!(unique.contains(target), "dangling link #{target}");
        links += 1;
    }
    assert_eq!(links, 4999 + 4993, "one link per direct dependency");
    // Large groups start collapsed, and the summary counts by type and license.
    assert!(page.contains("<details><summary><strong>library</strong> (1250 components)"));
    assert!(page.contains("<tr><td>MIT</td><td>1250</td></tr>"));
    assert!(
        page.contains("<tr><td><strong>Total</strong></td><td><strong>5000</strong></td></tr>")
    );
}

#[test]
fn an_sbom_is_placed_once() {
    let tmp = sbom_book("");
    write(tmp.path(), "sboms/a.cdx.json", SMALL);
    write(
        tmp.path(),
        "book/src/chapter.md",
        "# Chapter\n\n{{#techfile sbom a.cdx.json}}\n\n{{#techfile sbom sboms/a.cdx.json}}\n",
    );
    let (code, findings) = check_book(tmp.path());
    assert_eq!(code, Some(1));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["code"], "duplicate-host");
    assert_eq!(findings[0]["line"], 5);
    assert_eq!(findings[0]["related"][0]["line"], 3);
}
