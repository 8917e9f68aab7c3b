//! SBOMs: conformance with the CycloneDX test vectors, hostile files (malformed, truncated,
//! 50 MB, unknown version), the `sbom` command (including the drift check of this tool's own
//! SBOM) and a 5,000-component SBOM rendered through the library.

use crate::common::{Book, Run, command, fixture, repo_root, shared_dir, write};
use mdbook_techfile::core::config::Config;
use mdbook_techfile::core::diag::Diagnostic;
use mdbook_techfile::core::load::Input;
use mdbook_techfile::core::model::SourceMap;
use mdbook_techfile::core::sbom::{self, SbomInput};
use mdbook_techfile::core::{BookInputs, ChapterInput, Mode};
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

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
    /// `sbom-duplicate-ref` findings in valid vectors.
    duplicate_refs: usize,
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
                // The schema cannot say that bom-refs are unique, and two of the
                // specification's own valid vectors (1.5 formulation, 1.7 citations) give
                // two objects one bom-ref. They load; the duplicate is reported, and each
                // reported one must really be written twice.
                let (duplicates, other): (Vec<&&Diagnostic>, Vec<&&Diagnostic>) = errors
                    .iter()
                    .partition(|d| d.code.as_str() == "sbom-duplicate-ref");
                for d in &duplicates {
                    let r = d.message.split('`').nth(1).unwrap_or_default();
                    let written = format!("\"bom-ref\": \"{r}\"");
                    if text.matches(&written).count() < 2 {
                        problems.push(format!("{version}/{name}: `{r}` is not a duplicate"));
                    }
                }
                t.duplicate_refs += duplicates.len();
                if doc.is_some() && other.is_empty() {
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

/// The specification's whole conformance suite, copied into `tests/fixtures/sbom-vectors` so
/// the test never depends on a folder outside the repository; when `../shared` is there, the
/// copy is checked against it.
#[test]
fn cyclonedx_test_vectors_conform() {
    let dir = fixture("sbom-vectors");
    let tally = conformance(&dir);
    let mut counts = Vec::new();
    for v in ["1.4", "1.5", "1.6", "1.7"] {
        let t = &tally[v];
        eprintln!(
            "CycloneDX {v}: {} valid accepted ({} reuse a bom-ref), {} invalid rejected",
            t.valid_accepted, t.duplicate_refs, t.invalid_rejected
        );
        counts.push((v, t.valid_accepted, t.invalid_rejected));
    }
    assert_eq!(
        counts,
        [
            ("1.4", 29, 22),
            ("1.5", 36, 22),
            ("1.6", 45, 25),
            ("1.7", 61, 29)
        ]
    );
    // The copy is the specification's suite as shared with the project, unchanged.
    let shared = shared_dir().join("cyclonedx/test-vectors");
    if shared.is_dir() {
        for v in ["1.4", "1.5", "1.6", "1.7"] {
            for e in fs::read_dir(shared.join(v)).unwrap() {
                let e = e.unwrap();
                let copy = dir.join(v).join(e.file_name());
                assert_eq!(
                    fs::read(e.path()).unwrap(),
                    fs::read(&copy).unwrap_or_default(),
                    "{} differs from or is missing in tests/fixtures/sbom-vectors",
                    e.path().display()
                );
            }
        }
    }
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
fn sbom_book(keys: &str) -> Book {
    Book::new(&format!(
        "{keys}\n[preprocessor.techfile.coverage]\nrequirement = false\ncontrol = false\nrisk = false\ntest = false\npractice = false"
    ))
    .item("REQ-1", "requirement", "R", &[], "")
}

/// Checks a book (human and JSON); returns the exit code and the JSON findings.
fn check_book(book: &Book) -> (Option<i32>, Vec<serde_json::Value>) {
    let human = book.check_human();
    assert!(human.code.is_some(), "the tool crashed: {}", human.stderr);
    assert_eq!(human.stderr, "", "findings go to stdout");
    let json = book.check();
    assert_eq!(json.code, human.code);
    (json.code, json.findings)
}

/// A book whose `sboms/` holds one file; returns the exit code and the JSON findings.
fn check_sbom(name: &str, content: &[u8], keys: &str) -> (Option<i32>, Vec<serde_json::Value>) {
    check_book(&sbom_book(keys).file(&format!("sboms/{name}"), content))
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
        let book = sbom_book(extra);
        fs::create_dir_all(book.path("sboms")).unwrap();
        // A sparse file: 50 MB on paper, next to nothing on disk.
        fs::File::create(book.path("sboms/big.cdx.json"))
            .unwrap()
            .set_len(50 * 1000 * 1000)
            .unwrap();
        book
    };

    // Default limit: refused before reading, with the size and the setting to raise.
    let (code, findings) = check_book(&make(""));
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
    let (code, findings) = check_book(&make("max-sbom-size = 67108864"));
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
    let j = sbom_book("sboms = [\"../no-such-sboms\"]").check();
    assert!(j.codes().contains(&"read-error"), "{}", j.stdout);
    assert!(j.stdout.contains("no-such-sboms"), "{}", j.stdout);

    let j = sbom_book("").check();
    j.expect_code(0);
    assert_eq!(j.stdout, "");
}

#[test]
fn sbom_files_can_be_configured_one_by_one() {
    let book = sbom_book("sboms = [\"../vendor/a.json\"]")
        .file("vendor/a.json", SMALL)
        .file(
            "book/src/chapter.md",
            "# Chapter\n\n{{#techfile sbom a.json}}\n",
        );
    let r = book.check_human();
    r.expect_code(0);
}

fn committed_timestamp(text: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    v["metadata"]["timestamp"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn sbom_command(args: &[&str], epoch: Option<&str>) -> Run {
    let mut cmd = command(&repo_root());
    cmd.arg("sbom").args(args);
    match epoch {
        Some(e) => cmd.env("SOURCE_DATE_EPOCH", e),
        None => cmd.env_remove("SOURCE_DATE_EPOCH"),
    };
    Run::from(cmd.output().expect("binary runs"))
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
        reviews: Vec::new(),
        book: BookInputs {
            chapters: vec![ChapterInput {
                file: Input {
                    name: "book/src/sbom.md".into(),
                    path: "book/src/sbom.md".into(),
                    content: Ok(chapter_text.as_bytes().to_vec()),
                },
                path: "sbom.md".into(),
                source: Some("sbom.md".into()),
                text: None,
            }],
            ..BookInputs::default()
        },
        stamp: None,
        ..Default::default()
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
    let book = sbom_book("").file("sboms/a.cdx.json", SMALL).file(
        "book/src/chapter.md",
        "# Chapter\n\n{{#techfile sbom a.cdx.json}}\n\n{{#techfile sbom sboms/a.cdx.json}}\n",
    );
    let (code, findings) = check_book(&book);
    assert_eq!(code, Some(1));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["code"], "duplicate-host");
    assert_eq!(findings[0]["line"], 5);
    assert_eq!(findings[0]["related"][0]["line"], 3);
}

/// The 1-based line of the first line of `file` that contains `needle`.
fn line_of(file: &Path, needle: &str) -> u64 {
    let text = fs::read_to_string(file).unwrap();
    let i = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in {}", file.display()));
    u64::try_from(i + 1).unwrap()
}

/// Issue 11.3: a `dependsOn` entry that names no bom-ref of its SBOM, and the other kinds
/// of references, are reported where they are written; the level is configurable.
#[test]
fn references_inside_an_sbom_are_reported_where_they_are_written() {
    let book = Book::fixture("sbom-unresolved-ref");
    let sbom = book.path("sboms/app.cdx.json");
    let (code, findings) = check_book(&book);
    assert_eq!(code, Some(0), "warnings by default: {findings:#?}");
    let located: Vec<(String, u64, &str)> = findings
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["severity"].as_str().unwrap(),
            )
        })
        .collect();
    let dangling = line_of(&sbom, "\"@mui/styled-engine@npm:5.16.6 [3135b]\"");
    let vulnerable = line_of(&sbom, "\"ref\": \"react@npm:18.3.1\"");
    assert_eq!(
        located,
        [
            ("sbom-unresolved-ref".to_owned(), dangling, "warning"),
            ("sbom-unresolved-ref".to_owned(), vulnerable, "warning"),
        ]
    );
    assert_eq!(findings[0]["file"], "sboms/app.cdx.json");
    assert_eq!(findings[0]["column"], 9, "the column of the string itself");
    // The BOM-Link into another BOM and the references that resolve (to a service, to a
    // vulnerability, to components) are not reported.
    assert!(
        !findings
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("urn:cdx:")),
        "{findings:#?}"
    );

    let book = book.severity("sbom-unresolved-ref = \"deny\"");
    let (code, findings) = check_book(&book);
    assert_eq!(code, Some(1));
    assert!(findings.iter().all(|f| f["severity"] == "error"));
    let book = book.edit("book/book.toml", |t| t.replace("\"deny\"", "\"allow\""));
    let (code, findings) = check_book(&book);
    assert_eq!((code, findings.len()), (Some(0), 0), "{findings:#?}");
}

/// Every row anchor of the SBOMs of a book, by SBOM key and label.
fn row_anchors(book: &Path) -> BTreeMap<(String, String), String> {
    let outcome = mdbook_techfile::mdbook::check(book).expect("the book loads");
    let mut out = BTreeMap::new();
    for s in &outcome.analysis.sboms.sboms {
        for c in &s.components {
            out.insert((s.key.clone(), c.label()), c.anchor.clone());
        }
        for v in &s.services {
            out.insert(
                (s.key.clone(), format!("service {}", v.label())),
                v.anchor.clone(),
            );
        }
        for e in &s.elements {
            out.insert(
                (s.key.clone(), format!("{} {}", e.kind, e.label)),
                e.anchor.clone(),
            );
        }
    }
    out
}

/// Issue 11.4: with cargo-cyclonedx bom-refs, adding a crate moved a hand-written link to
/// ryu onto another crate's row. Anchors now come from each component's identity.
#[test]
fn row_anchors_stay_put_when_components_come_and_go() {
    let fixture = Book::fixture("clean-sbom-identity");
    let book = fixture.path("book");
    let before = row_anchors(&book);
    let unique: HashSet<&String> = before.values().collect();
    assert_eq!(
        unique.len(),
        before.len(),
        "anchors are unique: {before:#?}"
    );
    let ryu = &before[&("rust.cdx.json".to_owned(), "ryu@1.0.18".to_owned())];
    let chapter = fs::read_to_string(book.join("src/chapter.md")).unwrap();
    assert!(
        chapter.contains(&format!("sbom.md#{ryu}")),
        "the fixture's hand-written link points at ryu's row"
    );

    // Crates added in front (one whose slug equals another's, one other version) and one
    // removed, the way a dependency update changes a generated SBOM.
    let path = fixture.path("sboms/rust.cdx.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let reg = "registry+https://github.com/rust-lang/crates.io-index#";
    let components = doc["components"].as_array_mut().unwrap();
    components.retain(|c| c["version"] != "1.0.9");
    for (name, version) in [
        ("aho-corasick", "1.1.3"),
        ("serde-json", "1.0.140"),
        ("ryu", "1.0.20"),
    ] {
        components.insert(
            0,
            serde_json::json!({"type": "library", "bom-ref": format!("{reg}{name}@{version}"),
                "supplier": {"name": "crates.io"}, "name": name, "version": version,
                "purl": format!("pkg:cargo/{name}@{version}")}),
        );
    }
    let deps = doc["dependencies"].as_array_mut().unwrap();
    deps.retain(|d| !d["ref"].as_str().unwrap().ends_with("itoa@1.0.9"));
    for (name, version) in [
        ("aho-corasick", "1.1.3"),
        ("serde-json", "1.0.140"),
        ("ryu", "1.0.20"),
    ] {
        deps.push(serde_json::json!({"ref": format!("{reg}{name}@{version}"), "dependsOn": []}));
    }
    fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();

    let after = row_anchors(&book);
    let mut kept = 0;
    for (key, anchor) in &before {
        if let Some(now) = after.get(key) {
            assert_eq!(now, anchor, "{key:?} moved");
            kept += 1;
        }
    }
    assert_eq!(kept, before.len() - 1, "only itoa@1.0.9 left");
    let unique: HashSet<&String> = after.values().collect();
    assert_eq!(unique.len(), after.len(), "anchors are unique: {after:#?}");
    // The hand-written link still resolves, to the same crate.
    let (code, findings) = check_book(&fixture);
    assert_eq!((code, findings.len()), (Some(0), 0), "{findings:#?}");
}

/// Issue 11.5 and 10.5: purls match as purls, and versions sort as versions, in what
/// `check` renders.
#[test]
fn purls_match_as_purls_and_versions_sort_as_versions() {
    let fixture = Book::fixture("clean-sbom-identity");
    let book = fixture.path("book");
    let (outcome, pages) = mdbook_techfile::mdbook::render(&book).expect("the book renders");
    assert!(
        outcome.analysis.findings.is_empty(),
        "{:?}",
        outcome.analysis.findings
    );
    let sboms = &outcome.analysis.sboms;
    let ctl = outcome
        .analysis
        .items
        .iter()
        .position(|i| i.id == "CTL-1")
        .unwrap();
    let named: Vec<String> = sboms.affects[ctl]
        .iter()
        .map(|id| sboms.sbom(*id).label_of(id.target))
        .collect();
    assert_eq!(
        named,
        [
            "bsdutils@1:2.36.1-8+deb11u1",
            "ryu@1.0.18",
            "update-api@1",
            "libsmartcols1@2.36.1-8+deb11u1",
            "JSONStream@1.3.5"
        ],
        "the percent-encoded purl without qualifiers names bsdutils; a service is named by its bom-ref; `?arch=amd64` is one of libsmartcols1's qualifiers; JSONStream keeps its case, and its empty subpath is none"
    );

    let page = &pages.iter().find(|p| p.path == "sbom.md").unwrap().content;
    let anchors = row_anchors(&book);
    let at = |label: &str| {
        let anchor = &anchors[&("rust.cdx.json".to_owned(), label.to_owned())];
        page.find(&format!("<tr id=\"{anchor}\""))
            .unwrap_or_else(|| panic!("no row for {label}"))
    };
    assert!(
        at("itoa@1.0.9") < at("itoa@1.0.10"),
        "1.0.9 sorts before 1.0.10"
    );
    // Services and other objects with a bom-ref have rows of their own.
    let service = &anchors[&("os.cdx.json".to_owned(), "service update-api@1".to_owned())];
    let row = &page[page.find(&format!("<tr id=\"{service}\"")).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("https://updates.example/v1"), "{row}");
    assert!(
        row.contains("CTL-1"),
        "the item that affects the service: {row}"
    );
    let vex = &anchors[&(
        "os.cdx.json".to_owned(),
        "vulnerability CVE-2024-28085".to_owned(),
    )];
    assert!(
        page.contains(&format!("<tr id=\"{vex}\"")),
        "the vulnerability has a row"
    );
}
