//! ARCHITECTURE.md's claims about the code that a test can hold (issue 10): the table
//! "Crates adopted and refused" names every direct dependency of every crate in the
//! repository at the start of a row's "adopted" cell, so a crate cannot be added without
//! saying where it is used and why.

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

/// The crates the table under `### Crates adopted and refused` adopts. Each row's "adopted"
/// cell (the second) starts with the crates it adopts, each in backticks and spelled like a
/// crate (`jiff`, `mdbook-core`, `pep440_rs`), optionally followed by a remark in
/// parentheses, and separated by `,`, `and` or `+`; the first word that is none of these
/// ends the list, and the prose after it names no crate (`our own LCS; \`similar\` was
/// tried and dropped` adopts nothing). A cell that starts with prose adopts nothing.
fn adopted(architecture: &str) -> BTreeSet<String> {
    let section = architecture
        .split("### Crates adopted and refused")
        .nth(1)
        .expect("ARCHITECTURE.md has the section")
        .split("\n### ")
        .next()
        .unwrap();
    let rows = section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'));
    // The header row and the `|---|` row.
    rows.skip(2)
        .flat_map(|row| leading_crates(row.split('|').nth(2).unwrap_or_default()))
        .collect()
}

/// The crates a cell starts with: `` `a` (remark), `b` and `c` + `d` `` gives a, b, c, d.
fn leading_crates(cell: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = cell.trim_start();
    while let Some(after) = rest.strip_prefix('`') {
        let Some(end) = after.find('`') else { break };
        let name = &after[..end];
        let crate_like = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !crate_like {
            break;
        }
        names.push(name.to_string());
        rest = after[end + 1..].trim_start();
        // A remark in parentheses, which may hold parentheses of its own.
        if rest.starts_with('(') {
            let mut depth = 0usize;
            let mut close = None;
            for (i, ch) in rest.char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            close = Some(i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let Some(close) = close else { break };
            rest = rest[close + 1..].trim_start();
        }
        let mut next = rest;
        if let Some(r) = next.strip_prefix(',').or_else(|| next.strip_prefix('+')) {
            next = r.trim_start();
        }
        if let Some(r) = next.strip_prefix("and ") {
            next = r.trim_start();
        }
        if next.len() == rest.len() || !next.starts_with('`') {
            break;
        }
        rest = next;
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

/// A row that names a crate in the adopted cell's prose after the list adopts nothing:
/// before, any backticked word of the cell counted.
#[test]
fn a_crate_named_after_the_leading_list_is_not_adopted() {
    let md = "### Crates adopted and refused\n\n| job | adopted | refused |\n|---|---|---|\n\
        | word diff in `diff` | our own LCS; `similar` was tried and dropped | — |\n\
        | dates | `jiff` (core: civil (calendar) dates), `time` and `semver` + `hex`; own `x` for `regex` | — |\n\
        | versions | `pep440_rs`, own natural order, `spdx` | — |\n\
        | registries | `ignore`'s matcher, not `glob` | — |\n";
    let table = adopted(md);
    assert_eq!(
        table,
        ["hex", "ignore", "jiff", "pep440_rs", "semver", "time"]
            .into_iter()
            .map(String::from)
            .collect::<BTreeSet<_>>()
    );
    let deps = [("similar".to_string(), PathBuf::from("core/Cargo.toml"))];
    assert_eq!(missing(&deps, &table), ["similar (core/Cargo.toml)"]);
}
