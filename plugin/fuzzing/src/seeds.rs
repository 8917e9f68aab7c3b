//! Seed inputs taken from the repository: the fixture books, the sample technical file and
//! the shared CycloneDX test vectors. A fuzzer that starts from real files reaches deep
//! code in minutes instead of hours; the tests run every target over the same seeds.

use std::fs;
use std::path::{Path, PathBuf};

/// What a target's seeds are made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seed {
    /// Item files.
    Items,
    /// Item files of threat models: elements, flows, boundaries, assets, and the risks
    /// that name them.
    ThreatItems,
    /// The `cvss` and `residual-cvss` values of item files, and one vector per version.
    Cvss,
    /// Every `pkg:` string of the SBOMs and items.
    Purls,
    /// Chapters, behind the option byte of the `html` target.
    Html,
    /// book.toml files.
    BookToml,
    /// Review records.
    Reviews,
    /// SBOM files.
    Sboms,
    /// Chapters.
    Chapters,
    /// Chapters that include files, and include trees made up for the target.
    Includes,
    /// JUnit XML reports of the evidence folders.
    Junit,
    /// Support tables.
    Support,
    /// OSV records: the advisory fixtures, the base book's, and variants made up for the
    /// target.
    Advisories,
    /// VEX documents (OpenVEX, and CycloneDX documents with analyses) of the fixtures, the
    /// sample and the SBOM test vectors, and the base book's.
    Vex,
    /// OWASP Threat Dragon models.
    Dragon,
}

/// Vectors of the versions the fixtures do not all use.
const VECTORS: &[&str] = &[
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H/E:P/RL:O/RC:C",
    "CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:C/C:L/I:L/A:L",
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P",
    "AV:N/AC:L/Au:N/C:P/I:P/A:P",
];

/// Include trees for the `includes` target: a chapter, then the files `a.md`,
/// `ch/b.md`, `ch/sub/c.rs`, `d.md`, `ch/e.txt`, separated by NUL bytes.
const INCLUDE_TREES: &[&str] = &[
    "# Intro\n\n{{#include ../a.md}}\n\n{{#include b.md:2:3}}\n\n{{#rustdoc_include sub/c.rs:main}}\n\\{{#include e.txt}}\n{{#title T}}\n\0## A\n\nSee [b](ch/b.md#b).\n{{#include ch/b.md}}\n\0# B\nline 2\nline 3\n{{#include ../d.md}}\n\0// ANCHOR: main\nfn main() {}\n// ANCHOR_END: main\n\0{{#include a.md}}\n{{#techfile ref REQ-1}}\n\0text\n",
    "{{#include e.txt::2}}\n{{#playground sub/c.rs editable}}\n{{#include ../d.md}}\0\0\0fn x() {}\0{{#include d.md}}\0a\nb\nc\n",
];

/// The seeds of one kind found under `root` (the repository) and `shared` (the folder of
/// the CycloneDX test vectors, when present): `(name, bytes)`, sorted by name.
pub fn collect(seed: Seed, root: &Path, shared: Option<&Path>) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for dir in [
        "tests/fixtures",
        "tests/threat-dragon",
        "requirements",
        "book",
        "reviews",
        "sboms",
        "support",
        "evidence",
        "vex",
    ] {
        walk(&root.join(dir), &mut files);
    }
    if let Some(shared) = shared {
        walk(shared, &mut files);
    }
    files.sort();
    let rel = |p: &Path| {
        p.strip_prefix(root)
            .or_else(|_| shared.map_or(Err(()), |s| p.strip_prefix(s).map_err(|_| ())))
            .map_or_else(|_| p.display().to_string(), |r| r.display().to_string())
            .replace('\\', "/")
    };
    let mut out = Vec::new();
    for path in files {
        let name = rel(&path);
        // A file of the shared vectors, not one of the repository that happens to sit
        // outside `tests/` (a VEX or advisory JSON is no SBOM).
        let from_shared = !path.starts_with(root) && shared.is_some_and(|s| path.starts_with(s));
        let is_item = name.ends_with(".md") && name.contains("requirements/");
        let is_chapter =
            name.ends_with(".md") && name.contains("book/src/") && !name.ends_with("SUMMARY.md");
        // The repository vendors the CycloneDX test vectors (tests/fixtures/sbom-vectors), so
        // SBOM seeds never depend on a folder outside it; `shared` may add a newer copy.
        let is_sbom = name.ends_with(".json")
            && (name.contains("sboms/")
                || name.starts_with("tests/fixtures/sbom-vectors/")
                || from_shared);
        let wanted = match seed {
            Seed::Items | Seed::Cvss | Seed::ThreatItems => is_item,
            Seed::Purls => is_item || is_sbom,
            Seed::Html | Seed::Chapters | Seed::Includes => is_chapter,
            Seed::BookToml => name.ends_with("book.toml"),
            Seed::Reviews => name.ends_with(".toml") && name.contains("reviews/"),
            Seed::Sboms => is_sbom,
            Seed::Junit => name.ends_with(".xml") && name.contains("evidence/"),
            Seed::Support => {
                name.ends_with(".toml")
                    && (name.starts_with("support/") || name.contains("/support/"))
            }
            Seed::Advisories => name.ends_with(".json") && name.contains("advisories/"),
            Seed::Vex => {
                name.ends_with(".json")
                    && (is_sbom || name.contains("vex") || name.starts_with("tests/fixtures/"))
            }
            Seed::Dragon => name.starts_with("tests/threat-dragon/"),
        };
        if !wanted {
            continue;
        }
        let Ok(bytes) = fs::read(&path) else { continue };
        match seed {
            Seed::Cvss => {
                for v in quoted_after(&bytes, &["cvss = \"", "residual-cvss = \""]) {
                    out.push((format!("{name}:{v}"), v.into_bytes()));
                }
            }
            Seed::Purls => {
                let purls = quoted_after(&bytes, &["\"pkg:"]);
                // Purls one per line, a few per seed: the target resolves them together.
                for (i, group) in purls.chunks(4).enumerate() {
                    let text: String = group.iter().map(|p| format!("pkg:{p}\n")).collect();
                    out.push((format!("{name}#{i}"), text.into_bytes()));
                }
            }
            Seed::Html => {
                let mut b = vec![7];
                b.extend_from_slice(&bytes);
                out.push((name, b));
            }
            Seed::Includes if !bytes.windows(3).any(|w| w == b"{{#") => {}
            Seed::ThreatItems if !is_threat_item(&bytes) => {}
            Seed::Vex if !is_vex(&bytes) => {}
            _ => out.push((name, bytes)),
        }
    }
    match seed {
        Seed::Cvss => out.extend(
            VECTORS
                .iter()
                .map(|v| ((*v).to_string(), v.as_bytes().to_vec())),
        ),
        Seed::Includes => out.extend(
            INCLUDE_TREES
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("include-tree-{i}"), t.as_bytes().to_vec())),
        ),
        Seed::Dragon => out.push(("dragon-small".into(), DRAGON.as_bytes().to_vec())),
        Seed::Vex => out.extend(
            [crate::book::OPENVEX, CYCLONEDX_VEX]
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("vex-{i}"), t.as_bytes().to_vec())),
        ),
        Seed::Advisories => out.extend(
            [crate::book::OSV, OSV_WITHDRAWN]
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("osv-{i}"), t.as_bytes().to_vec())),
        ),
        _ => {}
    }
    out.sort();
    out.dedup_by(|a, b| a.1 == b.1);
    out
}

/// A withdrawn OSV record with several affected packages, one without a purl.
const OSV_WITHDRAWN: &str = r#"{"id": "RUSTSEC-2026-0002", "withdrawn": "2026-02-01T00:00:00Z",
 "affected": [{"package": {"ecosystem": "crates.io", "name": "serde"}},
  {"package": {"ecosystem": "Maven", "name": "org.example:lib", "purl": "pkg:maven/org.example/lib"},
   "database_specific": {"informational": "unmaintained"}}]}"#;

/// A standalone CycloneDX VEX document on the base book's record: one statement that
/// names the component by purl, with a review-by date, one by a bom-ref of its own.
const CYCLONEDX_VEX: &str = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
 "components": [{"type": "library", "name": "serde", "version": "1.0.200", "bom-ref": "s",
  "purl": "pkg:cargo/serde@1.0.200"}],
 "vulnerabilities": [
  {"id": "RUSTSEC-2026-0001", "affects": [{"ref": "pkg:cargo/serde@1.0.200"}],
   "analysis": {"state": "exploitable", "response": ["update"], "lastUpdated": "2026-01-01T00:00:00Z"},
   "properties": [{"name": "techfile:review-by", "value": "2026-03-01"}]},
  {"id": "CVE-2026-0001", "affects": [{"ref": "s"}],
   "analysis": {"state": "not_affected", "justification": "code_not_reachable"}}]}"#;

/// A Threat Dragon 2 model with two elements, a flow across a boundary and a threat.
const DRAGON: &str = r#"{"summary": {"title": "Small"}, "detail": {"diagrams": [{"title": "D", "cells": [
 {"id": "a", "shape": "actor", "position": {"x": 0, "y": 0}, "size": {"width": 10, "height": 10},
  "data": {"type": "tm.Actor", "name": "User <1>", "threats": [{"title": "Spoof", "type": "Spoofing",
   "status": "Open", "severity": "High", "description": "d", "mitigation": "m"}]}},
 {"id": "p", "shape": "process", "position": {"x": 50, "y": 0}, "size": {"width": 10, "height": 10},
  "data": {"type": "tm.Process", "name": "App", "outOfScope": true, "reasonOutOfScope": "r"}},
 {"id": "b", "shape": "trust-boundary-box", "position": {"x": 40, "y": -5}, "size": {"width": 30, "height": 30},
  "data": {"type": "tm.BoundaryBox", "name": "Phone"}},
 {"id": "f", "shape": "flow", "source": {"cell": "a"}, "target": {"cell": "p"},
  "data": {"type": "tm.Flow", "name": "Taps", "protocol": "HTTPS", "isEncrypted": true}}]}]}}"#;

/// Whether a JSON file holds VEX statements: an OpenVEX document, or a CycloneDX one with
/// an `analysis`.
fn is_vex(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.contains("openvex.dev/ns")
        || (text.contains("\"vulnerabilities\"") && text.contains("\"analysis\""))
}

/// Whether an item file belongs to a threat model.
fn is_threat_item(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    [
        "kind = \"actor\"",
        "kind = \"process\"",
        "kind = \"data-store\"",
        "kind = \"interface\"",
        "kind = \"data-flow\"",
        "kind = \"trust-boundary\"",
        "kind = \"asset\"",
        "elements = [",
    ]
    .iter()
    .any(|k| text.contains(k))
}

/// The text between each of the `openers` and the next `"`.
fn quoted_after(bytes: &[u8], openers: &[&str]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    for opener in openers {
        for (at, _) in text.match_indices(opener) {
            let rest = &text[at + opener.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_string());
            }
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if e.file_name().to_string_lossy().starts_with('.') || path.ends_with("book/book") {
            continue;
        }
        match e.file_type() {
            Ok(t) if t.is_dir() => walk(&path, out),
            Ok(t) if t.is_file() => out.push(path),
            _ => {}
        }
    }
}
