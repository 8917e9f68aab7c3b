//! The one harness of the integration tests: fixture books copied into temporary folders
//! and changed with builder calls (`book.rs`: `Book`, and `Built`, a real `mdbook build` with
//! the findings it printed), the binary's runs with parsed findings (`run.rs`: `Checked`),
//! books made scratch git repositories (`git.rs`: `.git_init()`, `.commit(..)`), and what a
//! test needs from outside (`tools.rs`: `require!`). This file finds the fixtures and holds
//! the file and snapshot helpers.
//!
//! Tests assert codes, places and behaviour; the wording of messages lives in the insta
//! snapshots (`snapshots/` for every fixture, `snapshots/messages/` for [`snapshot_findings`]).

mod book;
mod git;
mod run;
mod tools;

pub use book::{Book, Built};
pub use git::{git_in, isolate_git};
pub use run::{
    BIN, Checked, Run, check, check_args, check_human, command, fixture_findings, parse_json_lines,
    revalidate, run, run_env, run_with_stdin, today_of,
};
pub(crate) use tools::require;
pub use tools::{Need, ready, shared_dir};

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The repository root (the sample technical file's `book/`, `requirements/` and `sboms/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the plugin lives in the repository")
        .to_path_buf()
}

/// `tests/fixtures`: one book per diagnostic code, `clean` and `clean-*` (no findings), and
/// folders of data for other tests (those hold no `book/book.toml`).
pub fn fixtures_dir() -> PathBuf {
    repo_root().join("tests/fixtures")
}

/// A fixture in place, for tests that only read it.
pub fn fixture(name: &str) -> PathBuf {
    fixtures_dir().join(name)
}

/// Every fixture book, found by the pattern `tests/fixtures/*/book/book.toml`, sorted.
pub fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .filter_map(|e| {
            let e = e.ok()?;
            e.path()
                .join("book/book.toml")
                .is_file()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

/// Whether checking the fixture lays out a data-flow diagram, which needs Graphviz: a
/// chapter places one, and book.toml names no `dot` of its own (a stand-in or a missing
/// program, whose failure is the fixture's point).
pub fn lays_out_diagrams(name: &str) -> bool {
    let book = fixture(name).join("book");
    let places = files_with_ext(&book.join("src"), ".md")
        .values()
        .any(|b| String::from_utf8_lossy(b).contains("{{#techfile data-flow-diagram"));
    let own_dot = fs::read_to_string(book.join("book.toml"))
        .is_ok_and(|t| t.lines().any(|l| l.trim_start().starts_with("dot =")));
    places && !own_dot
}

/// [`fixture_names`], without those that lay out diagrams when Graphviz is missing and a
/// skip is allowed (see [`ready`]; in CI a missing Graphviz fails the test).
pub fn fixture_names_runnable() -> Vec<String> {
    let names = fixture_names();
    let graphviz = !names.iter().any(|n| lays_out_diagrams(n)) || ready(&[Need::Graphviz]);
    names
        .into_iter()
        .filter(|n| graphviz || !lays_out_diagrams(n))
        .collect()
}

/// `clean` and `clean-*` fixtures must check without findings.
pub fn is_clean_fixture(name: &str) -> bool {
    name == "clean" || name.starts_with("clean-")
}

/// Copies a folder tree.
pub fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).expect("create destination");
    for entry in fs::read_dir(src).expect("read source folder") {
        let entry = entry.expect("read entry");
        let to = dst.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            fs::copy(entry.path(), &to).expect("copy file");
        }
    }
}

/// Writes `content` to `root/rel`, creating folders.
pub fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("file has a parent")).expect("create folders");
    fs::write(path, content).expect("write file");
}

/// The front-matter of an item file, for tests that build books on the fly.
pub fn item(id: &str, kind: &str, title: &str, extra: &[&str], body: &str) -> String {
    let mut s = format!("+++\nid = \"{id}\"\nkind = \"{kind}\"\ntitle = \"{title}\"\n");
    for line in extra {
        s.push_str(line);
        s.push('\n');
    }
    s.push_str("+++\n");
    s.push_str(body);
    s
}

/// Every file under `root` whose name ends with `ext`, keyed by its path relative to
/// `root` (forward slashes), with its bytes.
pub fn files_with_ext(root: &Path, ext: &str) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, ext: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).expect("read folder") {
            let entry = entry.expect("read entry");
            let path = entry.path();
            if entry.file_type().expect("file type").is_dir() {
                walk(base, &path, ext, out);
            } else if path.to_string_lossy().ends_with(ext) {
                let rel = path
                    .strip_prefix(base)
                    .expect("under base")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, fs::read(&path).expect("read file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, ext, &mut out);
    out
}

/// The IDs of the items under `dir`, read from their front-matter, sorted.
pub fn item_ids(dir: &Path) -> Vec<String> {
    let mut ids: Vec<String> = files_with_ext(dir, ".md")
        .values()
        .filter_map(|bytes| {
            String::from_utf8_lossy(bytes).lines().find_map(|l| {
                l.strip_prefix("id = \"")?
                    .strip_suffix('"')
                    .map(str::to_owned)
            })
        })
        .collect();
    ids.sort();
    ids
}

/// SHA-256 with the `sha2` crate directly, not the code under test.
pub fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `file:line:column` of a JSON finding (or of a related place).
pub fn place(v: &serde_json::Value) -> String {
    format!(
        "{}:{}:{}",
        v["file"].as_str().unwrap_or("?"),
        v["line"],
        v["column"]
    )
}

/// Snapshots the wording of findings (`code place: message`, then help, label and related
/// messages) as `snapshots/messages/<name>.snap`, so tests assert codes and places and the
/// text lives in one reviewed file.
pub fn snapshot_findings(name: &str, findings: &[serde_json::Value]) {
    let mut text = String::new();
    for v in findings {
        text.push_str(&format!(
            "{}[{}] {}: {}\n",
            v["severity"].as_str().unwrap_or("?"),
            v["code"].as_str().unwrap_or("?"),
            place(v),
            v["message"].as_str().unwrap_or("?")
        ));
        for key in ["label", "help"] {
            if let Some(s) = v[key].as_str() {
                text.push_str(&format!("  {key}: {s}\n"));
            }
        }
        for r in v["related"].as_array().into_iter().flatten() {
            text.push_str(&format!(
                "  related {}: {}\n",
                place(r),
                r["message"].as_str().unwrap_or("")
            ));
        }
    }
    snapshot_text(name, &text);
}

/// Snapshots `text` as `snapshots/messages/<name>.snap`.
pub fn snapshot_text(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => "snapshots/messages",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_that_lay_out_diagrams_are_known() {
        let names = fixture_names();
        assert!(lays_out_diagrams("clean-threat-model"));
        // Its `dot` is a program that does not exist: the finding needs no Graphviz.
        assert!(!lays_out_diagrams("diagram-layout-failed"));
        assert!(!lays_out_diagrams("clean"));
        assert!(names.iter().filter(|n| lays_out_diagrams(n)).count() >= 1);
    }

    #[test]
    fn fixture_books_are_found_by_their_book_toml() {
        let names = fixture_names();
        assert!(names.contains(&"clean".to_string()), "{names:?}");
        // Data folders hold no book.
        assert!(!names.contains(&"sbom-vectors".to_string()), "{names:?}");
    }
}
