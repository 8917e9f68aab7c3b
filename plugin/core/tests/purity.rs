//! The core crate is pure: its sources use no file system, process, environment, clock,
//! network, console or thread-spawning API, include no file but the vendored schemas and the
//! catalog, and its normal dependency tree holds no mdBook crate, command-line parser or
//! cargo driver. The edge crate (`mdbook-techfile`) does all of that.
//!
//! The sources are read as tokens (comments dropped, string contents kept apart), so the
//! words in a doc comment ("nothing here touches std::fs") do not count, and `use` trees
//! are expanded (`use std::{fs, io}` is the path `std::fs`). The last tests plant forbidden
//! code and dependencies to show both checks fail on them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Paths the core may not name, and why. A path is forbidden when it equals one of these or
/// lies below it (`std::fs::read` below `std::fs`).
const FORBIDDEN_PATHS: &[(&str, &str)] = &[
    ("std::fs", "file system"),
    (
        "std::os",
        "operating system (file descriptors, paths of the OS)",
    ),
    ("std::process", "processes"),
    ("std::env", "environment"),
    ("std::net", "network"),
    ("std::time::SystemTime", "clock"),
    ("std::time::Instant", "clock"),
    ("std::time::UNIX_EPOCH", "clock"),
    ("std::thread::spawn", "thread spawning"),
    ("std::thread::scope", "thread spawning"),
    ("std::thread::Builder", "thread spawning"),
    ("std::thread::sleep", "clock"),
    ("std::io::stdin", "console"),
    ("std::io::stdout", "console"),
    ("std::io::stderr", "console"),
    ("rayon::spawn", "thread spawning"),
    ("rayon::scope", "thread spawning"),
    ("rayon::ThreadPoolBuilder", "thread spawning"),
    ("File::open", "file system"),
    ("File::create", "file system"),
];

/// Glob imports that would bring a forbidden name in unnamed.
const FORBIDDEN_GLOBS: &[&str] = &["std", "std::time", "std::thread", "std::io", "rayon"];

/// Macros the core may not call: printing (stdout is mdBook's protocol) and debugging.
const FORBIDDEN_MACROS: &[&str] = &["print", "println", "eprint", "eprintln", "dbg"];

/// Crates the core may not depend on (as a normal dependency, directly or not): they belong
/// to the edge. A name ending in `*` is a prefix.
const FORBIDDEN_CRATES: &[&str] = &["mdbook*", "clap*", "cargo_metadata", "walkdir", "tempfile"];

fn core_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------------------
// A small Rust lexer: enough to tell code from comments and string literals.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    /// `::`
    PathSep,
    /// A string literal's contents (escapes left as written).
    Str(String),
    Punct(char),
}

/// Tokens of Rust source with their line numbers. Comments (nested block comments too) are
/// dropped; char literals and lifetimes are dropped; numbers come out as identifiers.
fn lex(src: &str) -> Vec<(usize, Tok)> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let at = |i: usize, s: &str| {
        s.chars()
            .enumerate()
            .all(|(k, ch)| c.get(i + k) == Some(&ch))
    };
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if at(i, "//") {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if at(i, "/*") {
            let mut depth = 0;
            while i < c.len() {
                if at(i, "/*") {
                    depth += 1;
                    i += 2;
                } else if at(i, "*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(c[i] == '\n');
                    i += 1;
                }
            }
        } else if let Some((len, hashes)) = raw_string_start(&c, i) {
            let start_line = line;
            i += len;
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let mut text = String::new();
            while i < c.len() && !at(i, &close) {
                line += usize::from(c[i] == '\n');
                text.push(c[i]);
                i += 1;
            }
            i += close.chars().count();
            out.push((start_line, Tok::Str(text)));
        } else if ch == '"' || (ch == 'b' && c.get(i + 1) == Some(&'"')) {
            let start_line = line;
            i += if ch == 'b' { 2 } else { 1 };
            let mut text = String::new();
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' && i + 1 < c.len() {
                    text.push(c[i]);
                    i += 1;
                }
                line += usize::from(c[i] == '\n');
                text.push(c[i]);
                i += 1;
            }
            i += 1;
            out.push((start_line, Tok::Str(text)));
        } else if ch == '\'' {
            // A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a): both are dropped.
            if c.get(i + 1) == Some(&'\\') {
                // Past the quote, the backslash and the escaped character.
                i += 3;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
            }
        } else if ch.is_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            // `r#ident` is the identifier itself.
            let word = word.strip_prefix("r#").unwrap_or(&word).to_string();
            out.push((line, Tok::Ident(word)));
        } else if at(i, "::") {
            out.push((line, Tok::PathSep));
            i += 2;
        } else {
            out.push((line, Tok::Punct(ch)));
            i += 1;
        }
    }
    out
}

/// `r"`, `r#"`, `br##"` ...: the length of the opening and the number of `#`.
fn raw_string_start(c: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if c.get(j) == Some(&'b') {
        j += 1;
    }
    if c.get(j) != Some(&'r') {
        return None;
    }
    // Not the tail of an identifier such as `bar"`.
    if i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while c.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (c.get(j) == Some(&'"')).then_some((j + 1 - i, hashes))
}

// ---------------------------------------------------------------------------------------
// What a source file uses

/// One use of a path or macro, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Use {
    /// A path as written (`std::fs::read`), or one leaf of a `use` tree (`std::fs`, or
    /// `std::time::*` for a glob).
    Path(String),
    /// A macro call: its name and its first argument when that is a string literal.
    Macro(String, Option<String>),
}

fn uses(src: &str) -> Vec<(usize, Use)> {
    let toks = lex(src);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i].1 {
            Tok::Ident(w) if w == "use" => {
                i += 1;
                use_tree(&toks, &mut i, String::new(), &mut out);
            }
            Tok::Ident(name) if toks.get(i + 1).map(|t| &t.1) == Some(&Tok::Punct('!')) => {
                let arg = match (toks.get(i + 2).map(|t| &t.1), toks.get(i + 3).map(|t| &t.1)) {
                    (Some(Tok::Punct('(' | '[' | '{')), Some(Tok::Str(s))) => Some(s.clone()),
                    _ => None,
                };
                out.push((toks[i].0, Use::Macro(name.clone(), arg)));
                i += 2;
            }
            Tok::Ident(_) | Tok::PathSep => {
                let line = toks[i].0;
                let mut path = String::new();
                while let Some((_, t)) = toks.get(i) {
                    match t {
                        Tok::Ident(w) if path.is_empty() || path.ends_with("::") => {
                            path.push_str(w)
                        }
                        Tok::PathSep => path.push_str("::"),
                        _ => break,
                    }
                    i += 1;
                }
                let path = path.trim_start_matches("::").trim_end_matches("::");
                if path.contains("::") {
                    out.push((line, Use::Path(path.to_string())));
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// Reads one `use` tree from `toks[*i]` on, up to the `;` (or the `,`/`}` closing a
/// nested tree), pushing every leaf under `prefix`.
fn use_tree(toks: &[(usize, Tok)], i: &mut usize, prefix: String, out: &mut Vec<(usize, Use)>) {
    let mut path = prefix;
    while let Some((_, t)) = toks.get(*i) {
        match t {
            Tok::Ident(w) if w == "as" => {
                // `use a::b as c`: the leaf is `a::b`; skip the alias.
                *i += 2;
            }
            Tok::Ident(w) => {
                if w == "self" {
                    // `use std::fs::{self}` names `std::fs` itself.
                } else {
                    if !path.is_empty() && !path.ends_with("::") {
                        path.push_str("::");
                    }
                    path.push_str(w);
                }
                *i += 1;
            }
            Tok::PathSep => {
                path.push_str("::");
                *i += 1;
            }
            Tok::Punct('*') => {
                path.push('*');
                *i += 1;
            }
            Tok::Punct('{') => {
                *i += 1;
                loop {
                    use_tree(toks, i, path.clone(), out);
                    match toks.get(*i).map(|t| &t.1) {
                        Some(Tok::Punct(',')) => *i += 1,
                        Some(Tok::Punct('}')) => {
                            *i += 1;
                            break;
                        }
                        _ => break,
                    }
                    if toks.get(*i).map(|t| &t.1) == Some(&Tok::Punct('}')) {
                        *i += 1;
                        break;
                    }
                }
                path.clear();
            }
            Tok::Punct(',' | '}') => break,
            Tok::Punct(';') => {
                *i += 1;
                break;
            }
            _ => {
                *i += 1;
            }
        }
    }
    let leaf = path.trim_start_matches("::").trim_end_matches("::");
    if !leaf.is_empty() {
        let line = toks.get(i.saturating_sub(1)).map_or(0, |t| t.0);
        out.push((line, Use::Path(leaf.to_string())));
    }
}

/// Whether `path` is `base` or below it.
fn under(path: &str, base: &str) -> bool {
    path == base || path.starts_with(&format!("{base}::"))
}

/// The problems in one source file. `file` is where it lives, for resolving `include_*!`.
fn problems(file: &Path, src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let name = file.display();
    for (line, u) in uses(src) {
        match u {
            Use::Path(path) => {
                let path = path
                    .strip_prefix("core::")
                    .map_or(path.clone(), |p| format!("std::{p}"));
                if let Some(glob) = path.strip_suffix("::*") {
                    if FORBIDDEN_GLOBS.contains(&glob)
                        || FORBIDDEN_PATHS.iter().any(|(f, _)| under(glob, f))
                    {
                        out.push(format!(
                            "{name}:{line}: glob import `{path}` can bring in a forbidden API"
                        ));
                    }
                    continue;
                }
                for (forbidden, what) in FORBIDDEN_PATHS {
                    if under(&path, forbidden) || path.ends_with(&format!("::{forbidden}")) {
                        out.push(format!("{name}:{line}: `{path}` ({what})"));
                    }
                }
            }
            Use::Macro(m, arg) => {
                if FORBIDDEN_MACROS.contains(&m.as_str()) {
                    out.push(format!("{name}:{line}: `{m}!` (console)"));
                }
                match m.as_str() {
                    "include_str" | "include_bytes" | "include"
                        if !include_allowed(file, arg.as_deref()) =>
                    {
                        out.push(format!(
                            "{name}:{line}: `{m}!({arg:?})`: only the vendored schemas and the catalog are compiled in"
                        ));
                    }
                    // Cargo's package facts are fixed at build time; anything else would make
                    // the output depend on the build machine.
                    "env" | "option_env"
                        if !arg.as_deref().is_some_and(|a| a.starts_with("CARGO_PKG_")) =>
                    {
                        out.push(format!("{name}:{line}: `{m}!({arg:?})` (environment)"));
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// `include_str!` and friends may read the vendored schemas (`plugin/core/schemas/`) and the
/// catalog data (`src/catalog/catalog.toml`), nothing else.
fn include_allowed(file: &Path, arg: Option<&str>) -> bool {
    let Some(arg) = arg else { return false };
    let Some(dir) = file.parent() else {
        return false;
    };
    let Ok(target) = dir.join(arg).canonicalize() else {
        return false;
    };
    let core = core_dir().canonicalize().expect("the core crate's folder");
    target.starts_with(core.join("schemas")) || target == core.join("src/catalog/catalog.toml")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read a source folder") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn core_sources_use_no_io_clock_environment_or_threads() {
    let mut files = Vec::new();
    rust_files(&core_dir().join("src"), &mut files);
    files.sort();
    assert!(files.len() > 30, "only {} source files found", files.len());
    let mut all = Vec::new();
    let mut includes = 0;
    for f in &files {
        let src = std::fs::read_to_string(f).expect("read a source file");
        includes += uses(&src)
            .iter()
            .filter(|(_, u)| matches!(u, Use::Macro(m, _) if m == "include_str"))
            .count();
        all.extend(problems(f, &src));
    }
    assert!(
        all.is_empty(),
        "the core crate must stay pure (move this to the edge crate, plugin/src):\n{}",
        all.join("\n")
    );
    // The scan did see the allowed includes (the schemas and the catalog).
    assert!(includes >= 8, "{includes} include_str! found");
}

// ---------------------------------------------------------------------------------------
// Dependencies

/// The crate names in `cargo tree --prefix none` output that are forbidden.
fn forbidden_crates(tree: &str) -> Vec<String> {
    let mut found: Vec<String> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| {
            FORBIDDEN_CRATES.iter().any(|f| match f.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => name == f,
            })
        })
        .map(str::to_owned)
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn core_normal_dependencies_hold_no_edge_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "--package",
            "techfile-core",
            "--edges",
            "normal",
            "--target",
            "all",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(core_dir())
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo tree failed: {stderr}");
    let tree = String::from_utf8(out.stdout).expect("cargo tree prints UTF-8");
    // The tree is real: the core and its own dependencies are in it.
    for expected in [
        "techfile-core",
        "pulldown-cmark",
        "jsonschema",
        "serde_json",
    ] {
        assert!(
            tree.lines().any(|l| l.starts_with(&format!("{expected} "))),
            "{expected} missing from\n{tree}"
        );
    }
    let bad = forbidden_crates(&tree);
    assert!(
        bad.is_empty(),
        "techfile-core depends on {bad:?}; that belongs to the edge crate"
    );
}

// ---------------------------------------------------------------------------------------
// The checks fail on planted code and dependencies.

fn planted(src: &str) -> Vec<String> {
    problems(&core_dir().join("src/planted.rs"), src)
}

#[test]
fn planted_io_is_found() {
    let cases = [
        "use std::fs;",
        "use std::{fs, io};",
        "use std::{collections::BTreeMap, process::Command};",
        "use ::std::env::var;",
        "fn f() { let _ = std::fs::read(\"x\"); }",
        "fn f() { let _ = core::time::Duration::ZERO; std::process::exit(1) }",
        "use std::time::{Duration, Instant};",
        "fn f() { let t = std::time::SystemTime::now(); }",
        "fn f() { std::thread::spawn(|| ()); }",
        "fn f() { std::thread::scope(|s| ()); }",
        "use std::thread::*;",
        "use std::net::TcpStream;",
        "fn f() { let f = File::open(\"a\"); }",
        "fn f() { rayon::spawn(|| ()); }",
        "fn f() { println!(\"hi\"); }",
        "fn f() { eprintln!(\"hi\"); }",
        "fn f() { dbg!(1); }",
        "const S: &str = include_str!(\"/etc/passwd\");",
        "const S: &str = include_str!(\"lib.rs\");",
        "const V: &str = env!(\"HOME\");",
        "fn f() { let _ = option_env!(\"PATH\"); }",
        "use std::io::{self, stdout};",
        "use std::env as environment;",
    ];
    for src in cases {
        assert!(!planted(src).is_empty(), "not caught: {src}");
    }
}

#[test]
fn comments_strings_and_allowed_code_are_not_findings() {
    let clean = r##"
        //! Nothing here touches std::fs or std::process; see `std::env` in the edge.
        /* A block comment naming std::thread::spawn /* nested std::net */ */
        use std::collections::{BTreeMap, HashSet};
        use std::time::Duration;
        use std::io::{self, Write};
        use std::sync::OnceLock;
        use rayon::prelude::*;
        const HELP: &str = "read it with std::fs::read_to_string";
        const RAW: &str = r#"println!("not a call") std::env::var"#;
        fn f<'a>(x: &'a str) -> char { let _ = env!("CARGO_PKG_VERSION"); 'x' }
        const SCHEMA: &str = include_str!("../schemas/spdx.schema.json");
    "##;
    assert_eq!(planted(clean), Vec::<String>::new());
    assert_eq!(
        problems(
            &core_dir().join("src/catalog/mod.rs"),
            "const DATA: &str = include_str!(\"catalog.toml\");"
        ),
        Vec::<String>::new()
    );
}

#[test]
fn planted_dependencies_are_found() {
    let tree = "techfile-core v0.1.0 (/x/plugin/core)\nserde v1.0.0\nmdbook-preprocessor v0.5.4\nclap v4.5.0\nclap_derive v4.5.0\ncargo_metadata v0.23.0\nwalkdir v2.5.0\nserde v1.0.0 (*)\n";
    assert_eq!(
        forbidden_crates(tree),
        [
            "cargo_metadata",
            "clap",
            "clap_derive",
            "mdbook-preprocessor",
            "walkdir"
        ]
    );
    assert!(forbidden_crates("techfile-core v0.1.0\nserde_json v1.0.0\n").is_empty());
}
