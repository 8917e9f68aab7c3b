//! ARCHITECTURE.md's claims about the code that a test can hold (issue 10): the table
//! "Crates adopted and refused" names every direct dependency of every crate in the
//! repository, so a crate cannot be added without saying where it is used and why.

use crate::common::repo_root;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The dependency tables of a manifest, `[target.'cfg(..)'.*]` ones included.
const KINDS: &[&str] = &["dependencies", "dev-dependencies", "build-dependencies"];

/// The manifests of the workspace members, and of `fuzz/`: a workspace of its own only so
/// that `cargo test --workspace` does not build libFuzzer, but its dependencies ship too.
fn manifests(root: &Path) -> Vec<PathBuf> {
    let text = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let members = doc["workspace"]["members"].as_array().unwrap();
    let mut out: Vec<PathBuf> = members
        .iter()
        .map(|m| root.join(m.as_str().unwrap()).join("Cargo.toml"))
        .collect();
    out.push(root.join("fuzz/Cargo.toml"));
    out
}

/// `(crate name, manifest)` of every direct dependency that comes from a registry (a
/// `path` dependency is one of ours).
fn registry_dependencies(manifest: &Path) -> Vec<(String, PathBuf)> {
    let text = fs::read_to_string(manifest).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let mut tables: Vec<&toml::Table> = KINDS
        .iter()
        .filter_map(|k| doc.get(*k).and_then(|t| t.as_table()))
        .collect();
    if let Some(targets) = doc.get("target").and_then(|t| t.as_table()) {
        for target in targets.values().filter_map(|t| t.as_table()) {
            tables.extend(
                KINDS
                    .iter()
                    .filter_map(|k| target.get(*k).and_then(|t| t.as_table())),
            );
        }
    }
    let mut out = Vec::new();
    for table in tables {
        for (key, spec) in table {
            let spec = spec.as_table();
            if spec.is_some_and(|s| s.contains_key("path")) {
                continue;
            }
            // `name = { package = "real-name" }` renames; the table names the real crate.
            let name = spec
                .and_then(|s| s.get("package"))
                .and_then(|p| p.as_str())
                .unwrap_or(key);
            out.push((name.to_string(), manifest.to_path_buf()));
        }
    }
    out
}

/// Every name in backticks in the "adopted" column of the table under `### Crates adopted
/// and refused`.
fn adopted(architecture: &str) -> BTreeSet<String> {
    let section = architecture
        .split("### Crates adopted and refused")
        .nth(1)
        .expect("ARCHITECTURE.md has the section")
        .split("\n### ")
        .next()
        .unwrap();
    let mut names = BTreeSet::new();
    for row in section.lines().filter(|l| l.starts_with('|')).skip(2) {
        let adopted = row.split('|').nth(2).unwrap_or_default();
        for (i, piece) in adopted.split('`').enumerate() {
            if i % 2 == 1 {
                names.insert(piece.to_string());
            }
        }
    }
    names
}

/// The dependencies of `deps` that `table` does not name, with the manifest of each.
fn missing(deps: &[(String, PathBuf)], table: &BTreeSet<String>) -> Vec<String> {
    let mut out: Vec<String> = deps
        .iter()
        .filter(|(name, _)| !table.contains(name))
        .map(|(name, m)| format!("{name} ({})", m.display()))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn architecture_names_every_direct_dependency() {
    let root = repo_root();
    let deps: Vec<(String, PathBuf)> = manifests(&root)
        .iter()
        .flat_map(|m| registry_dependencies(m))
        .collect();
    // The manifests were read: the core alone has more than twenty.
    assert!(deps.len() > 40, "{deps:?}");
    let table = adopted(&fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap());
    let missing = missing(&deps, &table);
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md, \"Crates adopted and refused\", has no row that adopts: {}\n\
         add one (job, where it is used and why this crate, what was refused and why)",
        missing.join(", ")
    );
}

#[test]
fn a_dependency_without_a_row_is_named() {
    let table = adopted(
        "### Crates adopted and refused\n\n| job | adopted | refused |\n|---|---|---|\n\
         | dates | `jiff` (core) | `chrono`: no |\n\n### Next\n| x | `regex` | |\n",
    );
    assert_eq!(table, BTreeSet::from(["jiff".to_string()]));
    let deps = [
        ("jiff".to_string(), PathBuf::from("a/Cargo.toml")),
        ("regex".to_string(), PathBuf::from("b/Cargo.toml")),
    ];
    assert_eq!(missing(&deps, &table), ["regex (b/Cargo.toml)"]);
}
