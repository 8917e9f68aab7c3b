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

/// The crates the table under `### Crates adopted and refused` adopts: in each row's
/// "adopted" cell (the second), the names in backticks outside parentheses that are
/// spelled like a crate (`jiff`, `mdbook-core`, `pep440_rs`). Prose, the job and refused
/// cells, and remarks in parentheses (`(core: \`includes/syntax.rs\` ..)`) name no crate;
/// neither do file names or commands (`cdp.rs`, `cargo tree`).
fn adopted(architecture: &str) -> BTreeSet<String> {
    let section = architecture
        .split("### Crates adopted and refused")
        .nth(1)
        .expect("ARCHITECTURE.md has the section")
        .split("\n### ")
        .next()
        .unwrap();
    let mut names = BTreeSet::new();
    let rows = section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'));
    // The header row and the `|---|` row.
    for row in rows.skip(2) {
        let cell = row.split('|').nth(2).unwrap_or_default();
        let mut plain = String::new();
        let mut depth = 0usize;
        for ch in cell.chars() {
            match ch {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ if depth == 0 => plain.push(ch),
                _ => {}
            }
        }
        for (i, piece) in plain.split('`').enumerate() {
            let crate_like = !piece.is_empty()
                && piece
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if i % 2 == 1 && crate_like {
                names.insert(piece.to_string());
            }
        }
    }
    names
}

/// The crates `table` adopts that no manifest depends on: a row must name a real
/// dependency (a refused crate goes in the "refused" cell, a tool in plain words).
fn not_dependencies(deps: &[(String, PathBuf)], table: &BTreeSet<String>) -> Vec<String> {
    let deps: BTreeSet<&str> = deps.iter().map(|(n, _)| n.as_str()).collect();
    table
        .iter()
        .filter(|n| !deps.contains(n.as_str()))
        .cloned()
        .collect()
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
    assert!(table.len() > 40, "{table:?}");
    let strays = not_dependencies(&deps, &table);
    assert!(
        strays.is_empty(),
        "ARCHITECTURE.md, \"Crates adopted and refused\", adopts crates no manifest depends on: {}\n\
         move a refused crate to the \"refused\" cell and write a tool's name without backticks",
        strays.join(", ")
    );
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

/// A crate named only in prose, in the job or refused cell, or in a remark in parentheses
/// has no row: before, any backticked word of the adopted cell counted.
#[test]
fn a_crate_named_only_in_prose_has_no_row() {
    let md = "### Crates adopted and refused\n\n\
        The rule: `regex` is mentioned here in prose.\n\n\
        | job | adopted | refused |\n|---|---|---|\n\
        | dates | `jiff` (core; like `regex`, a maintained crate) | `chrono`: no |\n\
        | `regex` matching | own code over `src/scan.rs` | `regex`: too big |\n\n\
        Later prose names `regex` again.\n\n### Next\n| x | `regex` | |\n";
    let table = adopted(md);
    assert_eq!(table, BTreeSet::from(["jiff".to_string()]));
    let deps = [
        ("jiff".to_string(), PathBuf::from("a/Cargo.toml")),
        ("regex".to_string(), PathBuf::from("b/Cargo.toml")),
    ];
    assert_eq!(missing(&deps, &table), ["regex (b/Cargo.toml)"]);
    // A row adopting a crate no manifest depends on is named too.
    let stray = adopted(
        "### Crates adopted and refused\n\n| job | adopted | refused |\n|---|---|---|\n\
         | dates | `jiff`, `time` | — |\n",
    );
    assert_eq!(not_dependencies(&deps, &stray), ["time"]);
}
