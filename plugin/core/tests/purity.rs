//! The core crate is pure: its sources use no file system, process, environment, clock,
//! network, console or thread-spawning API, include no Rust (`include!`) and no other file
//! but the vendored schemas and the catalog, its normal dependency tree holds only crates reviewed for I/O (an allow-list), each with
//! only the features reviewed (a second allow-list), and
//! its modules form the layers ARCHITECTURE.md lists. The edge crate (`mdbook-techfile`) does
//! all the I/O.
//!
//! The sources are read as tokens by `proc-macro2`'s tokenizer, the Rust lexer's own rules
//! (comments dropped, string contents kept apart; a file it rejects fails the test), so the
//! words in a doc comment ("nothing here touches std::fs") do not count. Every path is
//! resolved through the names its module binds (`use` trees with `self`, `as` and nested
//! groups, `extern crate .. as`, `mod` declarations, `self::`/`super::`/`crate::`, and the
//! names a `use crate::..::*` glob brings from another module of the crate) before it is
//! checked, so `use std::thread; thread::spawn(..)` is the path `std::thread::spawn`. The
//! layering also counts a crate macro's body as used where the macro is called, and keeps
//! every `impl` in the module of its type (or, for a trait impl, of its trait). The
//! later tests plant forbidden code and dependencies to show every check fails on them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// Paths the core may not name, and why. A path is forbidden when it equals one of these or
/// lies below it (`std::fs::read` below `std::fs`). `core::` and `alloc::` count as `std::`
/// (`core::arch::x86_64::_rdtsc` is `std::arch`).
///
/// `HashMap::new` and `HashSet::new` stay allowed although their `RandomState` is seeded
/// from the operating system: the seed reaches only the iteration order, and the core's
/// output is put in a fixed order before it is written (sorted vectors, `BTreeMap`), which
/// the snapshot tests hold. Naming `RandomState` (or `std::random`) asks for the
/// randomness itself, and is forbidden; so are the methods that reach it unnamed
/// (`STATE_METHODS`: `.hasher()`, `.hash_one(..)`, `.build_hasher()`).
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
    (
        "std::path::absolute",
        "file system (an absolute path from the working directory)",
    ),
    (
        "std::thread",
        "threads (spawning, scopes, sleeping; `available_parallelism` reads the machine)",
    ),
    (
        "std::backtrace",
        "environment (`Backtrace::capture` reads RUST_BACKTRACE)",
    ),
    (
        "std::arch",
        "the machine (CPU intrinsics; `_rdtsc` is a clock)",
    ),
    ("std::random", "randomness from the operating system"),
    (
        "std::hash::RandomState",
        "randomness from the operating system (a seed per value)",
    ),
    (
        "std::collections::hash_map::RandomState",
        "randomness from the operating system (a seed per value)",
    ),
    (
        "std::panic::set_hook",
        "console and process state (the process-wide panic hook)",
    ),
    (
        "std::panic::take_hook",
        "console and process state (the process-wide panic hook)",
    ),
    ("std::io::stdin", "console"),
    ("std::io::stdout", "console"),
    ("std::io::stderr", "console"),
    ("std::io::Stdin", "console"),
    ("std::io::Stdout", "console"),
    ("std::io::Stderr", "console"),
    ("std::io::StdinLock", "console"),
    ("std::io::StdoutLock", "console"),
    ("std::io::StderrLock", "console"),
    ("std::io::_print", "console"),
    ("std::io::_eprint", "console"),
    ("rayon::ThreadPoolBuilder", "thread spawning"),
    ("rayon::ThreadPool", "thread spawning"),
    (
        "rayon_core",
        "thread spawning (use rayon's parallel iterators)",
    ),
    ("jiff::tz::db", "time zone database on disk"),
    (
        "jiff::tz::TimeZone::get",
        "time zone database on disk (a zone looked up by its IANA name)",
    ),
    (
        "jiff::tz::TimeZone::system",
        "environment (the system's time zone)",
    ),
    (
        "jiff::tz::TimeZone::try_system",
        "environment (the system's time zone)",
    ),
    // lopdf's encryption draws its IVs, salts and file keys from `rand::rng()`, which the
    // operating system seeds; building an `EncryptionState` from an `EncryptionVersion` is
    // where the salts are drawn (`Document::encrypt` is in DEPENDENCY_METHODS).
    (
        "lopdf::encryption",
        "randomness from the operating system (lopdf's encryption draws IVs and salts from `rand::rng()`)",
    ),
    (
        "lopdf::EncryptionState",
        "randomness from the operating system (lopdf's encryption draws IVs and salts from `rand::rng()`)",
    ),
    (
        "lopdf::EncryptionVersion",
        "randomness from the operating system (lopdf's encryption draws IVs and salts from `rand::rng()`)",
    ),
    // Behind lopdf's `embed_image` feature today (which the feature pin keeps off); named
    // here so switching the feature on is not the only guard.
    (
        "lopdf::xobject::image",
        "file system (lopdf reading an image from a path)",
    ),
    // similar re-exports `std::time::Instant` (or web-time's) for its diff deadlines.
    (
        "similar::Instant",
        "clock (similar's re-export of `Instant`)",
    ),
    ("File::open", "file system"),
    ("File::create", "file system"),
    (
        "std::io::Error::last_os_error",
        "operating system state (the calling thread's last OS error)",
    ),
    (
        "rayon::current_num_threads",
        "the machine (the number of threads depends on the CPUs)",
    ),
    (
        "rayon::current_thread_index",
        "the machine (which worker thread runs the code)",
    ),
    (
        "rayon::max_num_threads",
        "the machine (the number of threads depends on the CPUs)",
    ),
    // termcolor (through `codespan_reporting::term::termcolor`) writes to the console
    // through these; the core renders into a buffer with `Ansi`/`NoColor` over a `Vec<u8>`.
    ("termcolor::StandardStream", "console"),
    ("termcolor::StandardStreamLock", "console"),
    ("termcolor::BufferedStandardStream", "console"),
    ("termcolor::BufferWriter", "console"),
];

/// Names forbidden as a method on any receiver and as the last segment of any path not in
/// the crate, because the receiver's or the path's type is unknown to the scan: the
/// hashing methods that hand out a map's `RandomState` or hash with it (`.hasher()`,
/// `.hash_one(..)`, `.build_hasher()`: OS-seeded randomness reached without naming
/// `RandomState`, as through `HashMap::new()` or `Default::default()` of a `BuildHasher`),
/// and `last_os_error` (the thread's last OS error). The core has no method of its own by
/// these names; `digest.rs`'s `hasher` is a field, not a call.
const STATE_METHODS: &[(&str, &str)] = &[
    (
        "hasher",
        "randomness from the operating system (a map's `RandomState`)",
    ),
    (
        "hash_one",
        "randomness from the operating system (hashing with a `BuildHasher`)",
    ),
    (
        "build_hasher",
        "randomness from the operating system (a `BuildHasher`'s hasher)",
    ),
    (
        "last_os_error",
        "operating system state (the thread's last OS error)",
    ),
];

/// Methods and associated functions of the core's dependencies that reach the file system,
/// the clock, the time zone database or the operating system's randomness, found by reading
/// each allowed crate's source (ARCHITECTURE.md, "The core's dependencies are read for
/// I/O"). Like `STATE_METHODS`, each name is forbidden as a method on any receiver and as the
/// last segment of any path not in the crate, because the receiver's type is unknown to the
/// scan; the core has no method of its own by these names (its `timeout` is a field).
const DEPENDENCY_METHODS: &[(&str, &str)] = &[
    (
        "extract_stream",
        "file system (lopdf's `Document::extract_stream` writes `<id>.bin` in the working directory)",
    ),
    (
        "encrypt",
        "randomness from the operating system (lopdf's `Document::encrypt` and its crypt \
         filters draw IVs from `rand::rng()`)",
    ),
    (
        "from_file",
        "file system (quick-xml's `Reader::from_file` and `NsReader::from_file` open a path)",
    ),
    (
        "in_tz",
        "time zone database on disk (jiff's `in_tz` looks a zone up by its IANA name)",
    ),
    (
        "timeout",
        "clock (similar's `TextDiffConfig::timeout` turns a duration into a deadline with \
         `Instant::now`, so the diff depends on the machine's speed)",
    ),
];

/// The reason a name is forbidden on any receiver and as the last segment of a foreign
/// path, if it is (`STATE_METHODS` and `DEPENDENCY_METHODS`).
fn method_rule(name: &str) -> Option<&'static str> {
    STATE_METHODS
        .iter()
        .chain(DEPENDENCY_METHODS)
        .find(|(m, _)| *m == name)
        .map(|(_, what)| *what)
}

/// Glob imports that would bring a forbidden name in unnamed (besides any glob of a module
/// that holds a forbidden path, or lies below one).
const FORBIDDEN_GLOBS: &[&str] = &[
    "std",
    "std::time",
    "std::thread",
    "std::io",
    "rayon",
    "jiff",
    "jiff::tz",
    "lopdf",
];

/// Methods of `std::path::Path` (and `PathBuf`, through `Deref`) that read the disk. They are
/// methods, so the receiver's type is unknown here: the names are forbidden on any receiver
/// (the core has no method of its own by these names), and as the last segment of any path
/// that does not start in the crate (`Path::exists` passed as a function). `save` is lopdf's
/// `Document::save`, which writes a file.
const DISK_METHODS: &[&str] = &[
    "exists",
    "try_exists",
    "metadata",
    "symlink_metadata",
    "read_dir",
    "read_link",
    "canonicalize",
    "is_file",
    "is_dir",
    "is_symlink",
    "save",
];

/// Macros the core may not call: printing (stdout is mdBook's protocol) and debugging.
const FORBIDDEN_MACROS: &[&str] = &["print", "println", "eprint", "eprintln", "dbg"];

/// Why a resolved path outside the fixed list is forbidden: every `now` of jiff (the
/// clock), rayon's own threads and scopes (`spawn*`, `scope*`, `in_place_scope*`,
/// `broadcast`), and lopdf's `load*`/`open*` that read a path (`load_mem*` reads bytes).
fn forbidden_rule(segs: &[&str]) -> Option<&'static str> {
    let last = *segs.last()?;
    match segs[0] {
        "jiff" if segs.len() > 1 && matches!(last, "now" | "today") => Some("clock"),
        "rayon" if segs.len() > 1 => {
            let s = segs[1];
            (s.starts_with("spawn")
                || s.starts_with("scope")
                || s.starts_with("in_place_scope")
                || s == "broadcast")
                .then_some("thread spawning")
        }
        "lopdf"
            if segs.len() > 1
                && ((last.starts_with("load") && !last.starts_with("load_mem"))
                    || last.starts_with("open")) =>
        {
            Some("file system (lopdf reading a path; use `load_mem`)")
        }
        _ => None,
    }
}

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

/// Tokens of Rust source with their line numbers, by `proc-macro2`'s tokenizer (the Rust
/// lexer's own rules: raw, byte and C strings, char literals and lifetimes, nested block
/// comments), its groups flattened into their opening and closing brackets. Comments are
/// gone (doc comments come back as `#[doc = ".."]`, whose text is a string); char literals
/// and lifetimes are dropped; numbers come out as identifiers, raw identifiers (`r#fs`)
/// without their `r#`.
///
/// # Errors
///
/// The tokenizer's message and line:column when `src` is not Rust tokens.
fn lex(src: &str) -> Result<Vec<(usize, Tok)>, String> {
    let stream: proc_macro2::TokenStream = src.parse().map_err(|e: proc_macro2::LexError| {
        let at = e.span().start();
        format!("{}:{}: {e}", at.line, at.column + 1)
    })?;
    let mut out = Vec::new();
    flatten(stream, &mut out);
    Ok(out)
}

fn flatten(stream: proc_macro2::TokenStream, out: &mut Vec<(usize, Tok)>) {
    use proc_macro2::{Delimiter, Spacing, TokenTree};
    let mut iter = stream.into_iter().peekable();
    while let Some(tt) = iter.next() {
        let line = tt.span().start().line;
        match tt {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ('(', ')'),
                    Delimiter::Brace => ('{', '}'),
                    Delimiter::Bracket => ('[', ']'),
                    Delimiter::None => {
                        flatten(g.stream(), out);
                        continue;
                    }
                };
                out.push((g.span_open().start().line, Tok::Punct(open)));
                flatten(g.stream(), out);
                out.push((g.span_close().start().line, Tok::Punct(close)));
            }
            TokenTree::Ident(id) => {
                let w = id.to_string();
                let w = w.strip_prefix("r#").map_or(w.clone(), str::to_owned);
                out.push((line, Tok::Ident(w)));
            }
            TokenTree::Punct(p) => match p.as_char() {
                // A lifetime or a label: the quote joined to the identifier after it.
                '\'' if p.spacing() == Spacing::Joint => {
                    iter.next();
                }
                ':' if p.spacing() == Spacing::Joint
                    && matches!(iter.peek(), Some(TokenTree::Punct(n)) if n.as_char() == ':') =>
                {
                    iter.next();
                    out.push((line, Tok::PathSep));
                }
                ch => out.push((line, Tok::Punct(ch))),
            },
            TokenTree::Literal(l) => {
                if let Some(text) = literal_text(&l.to_string()) {
                    out.push((line, text));
                }
            }
        }
    }
}

/// A literal as the scanner sees it: a string's contents (escapes as written), a number as
/// an identifier, nothing for a char or byte literal.
fn literal_text(lit: &str) -> Option<Tok> {
    let body = lit
        .strip_prefix("br")
        .or_else(|| lit.strip_prefix("cr"))
        .map(|b| (b, true))
        .or_else(|| lit.strip_prefix('r').map(|b| (b, true)))
        .or_else(|| {
            lit.strip_prefix('b')
                .or_else(|| lit.strip_prefix('c'))
                .filter(|b| b.starts_with('"'))
                .map(|b| (b, false))
        })
        .or_else(|| lit.starts_with('"').then_some((lit, false)));
    match body {
        Some((b, _)) if b.starts_with('"') || b.starts_with('#') => {
            let hashes = b.len() - b.trim_start_matches('#').len();
            let open = hashes + 1;
            // The closing quote is the last one (a suffix may follow it).
            let close = b.rfind('"').filter(|&c| c >= open)?;
            Some(Tok::Str(b[open..close].to_string()))
        }
        _ if lit.starts_with('\'') || lit.starts_with("b'") => None,
        _ => Some(Tok::Ident(lit.to_string())),
    }
}

// ---------------------------------------------------------------------------------------
// What the crate's sources name

/// A module's path from the crate root: `["crate", "render", "tables"]`.
type ModPath = Vec<String>;

/// What one place in a source file does.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A path as written (`std::fs::read`, `thread::spawn`, the target of a `use`), with
    /// `::` as its first segment when it starts with `::`.
    Path(Vec<String>),
    /// The target of a `use` (`use std::thread;` gives `std::thread`).
    Use(Vec<String>),
    /// A path standing alone as a macro argument (`m!(thread)`, `m!(std::thread)`): the
    /// macro's body may complete it (`$m::spawn(..)`).
    Whole(Vec<String>),
    /// The base of a glob import (`use std::time::*` gives `std::time`).
    Glob(Vec<String>),
    /// A macro call: its path and its first argument when that is a string literal.
    Macro(Vec<String>, Option<String>),
    /// A method call `.name(..)`.
    Method(String),
    /// A `#[path = ".."]` attribute: the layer scan maps files to modules by their names.
    PathAttr,
    /// A path a macro fragment completes (`std::$m::read`, or `$m::spawn` with an empty
    /// prefix): what it names is known only where the macro is called.
    MetaPath(Vec<String>),
    /// A foreign block (`extern "C" { .. }`) or inline assembly: system calls without std.
    Foreign(String),
    /// The self type of an inherent `impl` block (one without `for`), as written: methods
    /// it adds to a type of another module are called with no path naming the block's module.
    InherentImpl(Vec<String>),
    /// A trait impl: the trait and the self type, as written (empty when the self type is
    /// no path: a slice, a tuple, a reference to one), and the paths among the generic
    /// arguments of either (`impl From<Local> for String`, `impl Display for Box<Local>`).
    TraitImpl(Vec<String>, Vec<String>, Vec<Vec<String>>),
    /// Code the scan cannot follow to what it names, and why.
    Opaque(String),
}

#[derive(Debug, Clone)]
struct Event {
    line: usize,
    /// The module the event is in (inline `mod x { .. }` included).
    module: ModPath,
    kind: Kind,
}

/// A name bound in a module: by a `use` (the target as written, resolved in `module`), by
/// `extern crate .. as`, or by a `mod` declaration.
#[derive(Debug, Clone)]
struct Binding {
    module: ModPath,
    target: Vec<String>,
}

/// A `macro_rules!` of the crate: its name, where it is defined, and the paths its
/// transcribers name. Items in a macro body resolve where the macro is called, and a macro
/// reaches every module after its definition (and below), so the layering counts these
/// paths as used by each module that calls the macro.
#[derive(Debug, Clone)]
struct MacroDef {
    name: String,
    module: ModPath,
    paths: Vec<Vec<String>>,
}

/// Every source file of the crate, scanned, with the names each module binds.
#[derive(Debug, Default)]
struct Crate {
    macros: Vec<MacroDef>,
    files: Vec<(PathBuf, Vec<Event>)>,
    bindings: BTreeMap<ModPath, BTreeMap<String, Vec<Binding>>>,
    globs: BTreeMap<ModPath, Vec<Vec<String>>>,
    modules: BTreeSet<ModPath>,
    /// The types and traits each module defines (`struct`, `enum`, `union`, `trait`, `type`).
    defs: BTreeMap<ModPath, BTreeSet<String>>,
    /// For each `mod` declaration (inline or of a file), whether it is for tests only.
    declarations: BTreeMap<ModPath, Vec<bool>>,
    /// Modules every declaration of which is exactly `#[cfg(test)]` (inline or in their
    /// own file): a twin `#[cfg(not(test))] mod x;` makes `x` library code.
    test_modules: BTreeSet<ModPath>,
}

/// The module a file under `src/` holds: `lib.rs` is the crate, `x/mod.rs` and `x.rs` are
/// `crate::x`, `x/y.rs` is `crate::x::y`.
fn file_module(rel: &Path) -> ModPath {
    let mut m = vec!["crate".to_string()];
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| c.as_os_str().to_str().map(str::to_owned))
        .collect();
    for (k, p) in parts.iter().enumerate() {
        let last = k + 1 == parts.len();
        if last && (p == "mod.rs" || (p == "lib.rs" && k == 0)) {
            break;
        }
        m.push(p.strip_suffix(".rs").unwrap_or(p).to_string());
    }
    m
}

fn ident(toks: &[(usize, Tok)], i: usize) -> Option<&str> {
    match toks.get(i).map(|t| &t.1) {
        Some(Tok::Ident(w)) => Some(w),
        _ => None,
    }
}

fn punct(toks: &[(usize, Tok)], i: usize, c: char) -> bool {
    toks.get(i).map(|t| &t.1) == Some(&Tok::Punct(c))
}

/// The index past the bracket that closes the one opening at `i` (`[`, `(` or `{`).
fn past_close(toks: &[(usize, Tok)], mut i: usize) -> usize {
    let mut depth = 0usize;
    while let Some((_, t)) = toks.get(i) {
        match t {
            Tok::Punct('[' | '(' | '{') => depth += 1,
            Tok::Punct(']' | ')' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// The index past the `>` that closes the `<` at `i` (`->` inside does not close it).
fn past_angle(toks: &[(usize, Tok)], mut i: usize) -> usize {
    let mut depth = 0usize;
    while let Some((_, t)) = toks.get(i) {
        match t {
            Tok::Punct('<') => depth += 1,
            Tok::Punct('>') if !(i > 0 && punct(toks, i - 1, '-')) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            Tok::Punct(';' | '{' | '}') => return i,
            _ => {}
        }
        i += 1;
    }
    i
}

/// Reads `a::b::<T>::c` from `toks[*i]` on into `segs`, generic arguments left out.
fn read_path(toks: &[(usize, Tok)], i: &mut usize, segs: &mut Vec<String>) {
    while let Some(Tok::Ident(w)) = toks.get(*i).map(|t| &t.1) {
        segs.push(w.clone());
        *i += 1;
        if toks.get(*i).map(|t| &t.1) != Some(&Tok::PathSep) {
            break;
        }
        if punct(toks, *i + 1, '<') {
            // A turbofish: `Vec::<u8>::new` is `Vec::new`.
            let past = past_angle(toks, *i + 1);
            if toks.get(past).map(|t| &t.1) == Some(&Tok::PathSep)
                && ident(toks, past + 1).is_some()
            {
                *i = past + 1;
                continue;
            }
            *i = past;
            break;
        }
        if ident(toks, *i + 1).is_some() {
            *i += 1;
        } else {
            break;
        }
    }
}

/// `<T>::a::b` or `<T as Trait>::a` at `i`: the path `T::a::b`, the trait's path, and the
/// index past them.
fn qualified_path(toks: &[(usize, Tok)], i: usize) -> Option<(Vec<String>, Vec<String>, usize)> {
    let mut j = i + 1;
    let mut ty = Vec::new();
    if toks.get(j).map(|t| &t.1) == Some(&Tok::PathSep) {
        j += 1;
    }
    read_path(toks, &mut j, &mut ty);
    if ty.is_empty() {
        return None;
    }
    if punct(toks, j, '<') {
        j = past_angle(toks, j);
    }
    let mut as_trait = Vec::new();
    if ident(toks, j) == Some("as") {
        j += 1;
        if toks.get(j).map(|t| &t.1) == Some(&Tok::PathSep) {
            j += 1;
        }
        read_path(toks, &mut j, &mut as_trait);
        if punct(toks, j, '<') {
            j = past_angle(toks, j);
        }
    }
    if !(punct(toks, j, '>') && toks.get(j + 1).map(|t| &t.1) == Some(&Tok::PathSep)) {
        return None;
    }
    j += 2;
    let mut rest = Vec::new();
    read_path(toks, &mut j, &mut rest);
    if rest.is_empty() {
        return None;
    }
    ty.extend(rest);
    Some((ty, as_trait, j))
}

/// The index of the bracket that opens the one closing at `i` (`]`, `)` or `}`).
fn open_before(toks: &[(usize, Tok)], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        match toks.get(i).map(|t| &t.1) {
            Some(Tok::Punct(']' | ')' | '}')) => depth += 1,
            Some(Tok::Punct('[' | '(' | '{')) => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i = i.checked_sub(1)?;
    }
}

/// Whether the `mod` at `i` is declared for tests only: among the outer attributes before it
/// (and its visibility), exactly one `cfg`, and that one exactly `#[cfg(test)]`, and no
/// `cfg_attr` (which could add or undo a `cfg`). `#[cfg(not(test))]`, `#[cfg(any(test, ..))]`
/// or a second `cfg` compile the module into the library too, so it is scanned.
fn declared_for_tests_only(toks: &[(usize, Tok)], i: usize) -> bool {
    let mut j = i;
    if j > 0 && punct(toks, j - 1, ')') {
        if let Some(open) = open_before(toks, j - 1)
            && open > 0
            && ident(toks, open - 1) == Some("pub")
        {
            j = open - 1;
        }
    } else if j > 0 && ident(toks, j - 1) == Some("pub") {
        j -= 1;
    }
    let (mut cfgs, mut exact) = (0, 0);
    while j >= 2 && punct(toks, j - 1, ']') {
        let Some(open) = open_before(toks, j - 1) else {
            break;
        };
        if open == 0 || !punct(toks, open - 1, '#') {
            break;
        }
        let mut k = open + 1;
        let mut name = Vec::new();
        if toks.get(k).map(|t| &t.1) == Some(&Tok::PathSep) {
            name.push("::".to_string());
            k += 1;
        }
        read_path(toks, &mut k, &mut name);
        match name.last().map(String::as_str) {
            Some("cfg_attr") => return false,
            Some("cfg") => {
                cfgs += 1;
                let plain_test = name.len() == 1
                    && k + 3 == j - 1
                    && punct(toks, k, '(')
                    && ident(toks, k + 1) == Some("test")
                    && punct(toks, k + 2, ')');
                exact += usize::from(plain_test);
            }
            _ => {}
        }
        j = open - 1;
    }
    cfgs == 1 && exact == 1
}

/// Whether the attribute starting at `i` (`#[..]` or `#![..]`) sets a module's file:
/// `path = ..` at any depth, so `#[cfg_attr(any(), path = "x.rs")]` counts as well.
fn path_attribute(toks: &[(usize, Tok)], i: usize) -> bool {
    let open = if punct(toks, i + 1, '!') {
        i + 2
    } else {
        i + 1
    };
    if !punct(toks, open, '[') {
        return false;
    }
    let end = past_close(toks, open);
    (open + 1..end).any(|k| {
        ident(toks, k) == Some("path") && punct(toks, k + 1, '=') && !punct(toks, k + 2, '=')
    })
}

impl Crate {
    fn new(files: &[(PathBuf, String)]) -> Crate {
        let src_dir = core_dir().join("src");
        let mut c = Crate::default();
        for (file, src) in files {
            let rel = file.strip_prefix(&src_dir).unwrap_or(file);
            let toks = match lex(src) {
                Ok(t) => t,
                Err(e) => panic!(
                    "{}:{e}: the purity scan cannot read this file as Rust tokens",
                    file.display()
                ),
            };
            let events = c.scan(file_module(rel), &toks);
            c.files.push((file.clone(), events));
        }
        c.test_modules = c
            .declarations
            .iter()
            .filter(|(_, decls)| decls.iter().all(|&t| t))
            .map(|(m, _)| m.clone())
            .collect();
        c
    }

    fn bind(&mut self, module: &ModPath, name: &str, target: Vec<String>) {
        if name == "_" {
            return;
        }
        self.bindings
            .entry(module.clone())
            .or_default()
            .entry(name.to_string())
            .or_default()
            .push(Binding {
                module: module.clone(),
                target,
            });
    }

    fn scan(&mut self, file_module: ModPath, toks: &[(usize, Tok)]) -> Vec<Event> {
        let mut out = Vec::new();
        for k in 1..=file_module.len() {
            self.modules.insert(file_module[..k].to_vec());
        }
        // Inline modules open here: (name, brace depth outside it).
        let mut inline: Vec<(String, usize)> = Vec::new();
        let mut depth = 0usize;
        let module_of = |inline: &[(String, usize)]| {
            let mut m = file_module.clone();
            m.extend(inline.iter().map(|(n, _)| n.clone()));
            m
        };
        // Where the arguments of each macro call open now end.
        let mut macro_ends: Vec<usize> = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            while macro_ends.last().is_some_and(|&end| i >= end) {
                macro_ends.pop();
            }
            let line = toks[i].0;
            let module = module_of(&inline);
            let prev_dot = i > 0 && punct(toks, i - 1, '.');
            if punct(toks, i, '#') {
                out.extend(attribute_events(toks, i, line, &module));
            }
            if ident(toks, i) == Some("macro_rules") && punct(toks, i + 1, '!') && !prev_dot {
                if let Some(name) = ident(toks, i + 2) {
                    let open = i + 3;
                    let end = past_close(toks, open);
                    let (paths, opaque) = macro_body(toks, open + 1, end.saturating_sub(1));
                    self.macros.push(MacroDef {
                        name: name.to_owned(),
                        module: module.clone(),
                        paths,
                    });
                    for (l, what) in opaque {
                        out.push(Event {
                            line: l,
                            module: module.clone(),
                            kind: Kind::Opaque(what),
                        });
                    }
                }
                i += 1;
                continue;
            }
            match &toks[i].1 {
                Tok::Punct('{') => {
                    depth += 1;
                    i += 1;
                }
                Tok::Punct('}') => {
                    depth = depth.saturating_sub(1);
                    if inline.last().is_some_and(|(_, d)| *d == depth) {
                        inline.pop();
                    }
                    i += 1;
                }
                Tok::Punct('#') if path_attribute(toks, i) => {
                    out.push(Event {
                        line,
                        module,
                        kind: Kind::PathAttr,
                    });
                    i += 1;
                }
                Tok::Ident(w) if w == "mod" && !prev_dot => {
                    let Some(name) = ident(toks, i + 1).map(str::to_owned) else {
                        i += 1;
                        continue;
                    };
                    let mut child = module.clone();
                    child.push(name.clone());
                    self.modules.insert(child.clone());
                    self.declarations
                        .entry(child.clone())
                        .or_default()
                        .push(declared_for_tests_only(toks, i));
                    self.bind(&module, &name, child);
                    if punct(toks, i + 2, '{') {
                        inline.push((name, depth));
                    }
                    i += 2;
                }
                Tok::Ident(w) if w == "use" && !prev_dot => {
                    i += 1;
                    let mut leaves = Vec::new();
                    use_tree(toks, &mut i, Vec::new(), &mut leaves);
                    for leaf in leaves {
                        match leaf {
                            UseLeaf::Glob(base) => {
                                self.globs
                                    .entry(module.clone())
                                    .or_default()
                                    .push(base.clone());
                                out.push(Event {
                                    line,
                                    module: module.clone(),
                                    kind: Kind::Glob(base),
                                });
                            }
                            UseLeaf::Name(target, name) => {
                                self.bind(&module, &name, target.clone());
                                out.push(Event {
                                    line,
                                    module: module.clone(),
                                    kind: Kind::Use(target),
                                });
                            }
                        }
                    }
                }
                Tok::Ident(w)
                    if w == "extern" && ident(toks, i + 1) == Some("crate") && !prev_dot =>
                {
                    if let Some(krate) = ident(toks, i + 2).map(str::to_owned) {
                        let name = if ident(toks, i + 3) == Some("as") {
                            ident(toks, i + 4).unwrap_or(&krate).to_string()
                        } else {
                            krate.clone()
                        };
                        let target = vec!["::".to_string(), krate];
                        self.bind(&module, &name, target.clone());
                        out.push(Event {
                            line,
                            module,
                            kind: Kind::Path(target),
                        });
                    }
                    i += 3;
                }
                Tok::Ident(w) if prev_dot => {
                    if punct(toks, i + 1, '(')
                        || toks.get(i + 1).map(|t| &t.1) == Some(&Tok::PathSep)
                    {
                        out.push(Event {
                            line,
                            module,
                            kind: Kind::Method(w.clone()),
                        });
                    }
                    i += 1;
                }
                Tok::Punct('$')
                    if ident(toks, i + 1).is_some_and(|w| w != "crate")
                        && toks.get(i + 2).map(|t| &t.1) == Some(&Tok::PathSep) =>
                {
                    out.push(Event {
                        line,
                        module,
                        kind: Kind::MetaPath(Vec::new()),
                    });
                    i += 2;
                }
                Tok::Punct('<') => {
                    // `<T>::item`, `<T as Trait>::item`: the item is T's.
                    match qualified_path(toks, i) {
                        Some((ty, as_trait, end)) => {
                            for segs in [ty, as_trait] {
                                if segs.len() > 1 {
                                    out.push(Event {
                                        line,
                                        module: module.clone(),
                                        kind: Kind::Path(segs),
                                    });
                                }
                            }
                            i = end;
                        }
                        None => i += 1,
                    }
                }
                Tok::Ident(w)
                    if w == "extern"
                        && !prev_dot
                        && (punct(toks, i + 1, '{')
                            || (matches!(toks.get(i + 1).map(|t| &t.1), Some(Tok::Str(_)))
                                && punct(toks, i + 2, '{'))) =>
                {
                    out.push(Event {
                        line,
                        module,
                        kind: Kind::Foreign("a foreign block `extern { .. }`".into()),
                    });
                    i += 1;
                }
                Tok::Ident(w) if w == "impl" && !prev_dot && item_start(toks, i) => {
                    if let Some(segs) = inherent_self_type(toks, i) {
                        out.push(Event {
                            line,
                            module,
                            kind: Kind::InherentImpl(segs),
                        });
                    } else if let Some((tr, ty, args)) = trait_impl(toks, i) {
                        out.push(Event {
                            line,
                            module,
                            kind: Kind::TraitImpl(tr, ty, args),
                        });
                    }
                    i += 1;
                }
                Tok::Ident(w)
                    if matches!(w.as_str(), "struct" | "enum" | "union" | "trait")
                        && !prev_dot
                        && ident(toks, i + 1).is_some() =>
                {
                    let name = ident(toks, i + 1).unwrap_or_default().to_string();
                    self.defs.entry(module).or_default().insert(name);
                    i += 1;
                }
                Tok::Ident(w) if w == "type" && !prev_dot && ident(toks, i + 1).is_some() => {
                    // `type T = jiff::Timestamp;` binds `T` like a `use`.
                    let name = ident(toks, i + 1).unwrap_or_default().to_string();
                    self.defs
                        .entry(module.clone())
                        .or_default()
                        .insert(name.clone());
                    let mut j = i + 2;
                    if punct(toks, j, '<') {
                        j = past_angle(toks, j);
                    }
                    if punct(toks, j, '=') {
                        j += 1;
                        let mut segs = Vec::new();
                        if toks.get(j).map(|t| &t.1) == Some(&Tok::PathSep) {
                            segs.push("::".to_string());
                            j += 1;
                        }
                        read_path(toks, &mut j, &mut segs);
                        if segs.iter().any(|s| s != "::") {
                            self.bind(&module, &name, segs);
                        }
                    }
                    i += 2;
                }
                Tok::Ident(_) | Tok::PathSep => {
                    let mut segs: Vec<String> = Vec::new();
                    if toks[i].1 == Tok::PathSep {
                        segs.push("::".into());
                        i += 1;
                    }
                    read_path(toks, &mut i, &mut segs);
                    if toks.get(i).map(|t| &t.1) == Some(&Tok::PathSep)
                        && punct(toks, i + 1, '$')
                        && ident(toks, i + 2) != Some("crate")
                    {
                        out.push(Event {
                            line,
                            module: module.clone(),
                            kind: Kind::MetaPath(segs.clone()),
                        });
                    }
                    // `name!(..)`, `std::println!{..}`: a macro call, not `a != b`.
                    let is_macro = punct(toks, i, '!')
                        && (punct(toks, i + 1, '(')
                            || punct(toks, i + 1, '[')
                            || punct(toks, i + 1, '{'));
                    if is_macro {
                        let arg = match toks.get(i + 2).map(|t| &t.1) {
                            Some(Tok::Str(s)) => Some(s.clone()),
                            _ => None,
                        };
                        out.push(Event {
                            line,
                            module,
                            kind: Kind::Macro(segs, arg),
                        });
                        macro_ends.push(past_close(toks, i + 1));
                        i += 1;
                    } else {
                        let alone = [',', ')', ']', '}', ';'].iter().any(|&p| punct(toks, i, p));
                        if !macro_ends.is_empty() && alone && segs.iter().any(|s| s != "::") {
                            out.push(Event {
                                line,
                                module: module.clone(),
                                kind: Kind::Whole(segs.clone()),
                            });
                        }
                        if segs.len() > 1 {
                            out.push(Event {
                                line,
                                module,
                                kind: Kind::Path(segs),
                            });
                        }
                    }
                }
                _ => i += 1,
            }
        }
        out
    }
}

/// Whether the token at `i` starts an item (after another item, a block's brace or an
/// attribute), so an `impl` there opens a block rather than an `impl Trait` type.
fn item_start(toks: &[(usize, Tok)], i: usize) -> bool {
    i == 0
        || matches!(toks[i - 1].1, Tok::Punct('}' | '{' | ';' | ']'))
        || matches!(ident(toks, i - 1), Some("unsafe" | "default"))
}

/// The self type of the `impl` block at `i` when it is inherent (no `for`), generic
/// arguments left out: `impl<T> crate::model::Wrap<T> {` gives `crate::model::Wrap`.
fn inherent_self_type(toks: &[(usize, Tok)], i: usize) -> Option<Vec<String>> {
    let mut j = i + 1;
    if punct(toks, j, '<') {
        j = past_angle(toks, j);
    }
    // `impl !Send for X` is a trait impl.
    if punct(toks, j, '!') {
        return None;
    }
    while matches!(ident(toks, j), Some("dyn" | "const" | "mut")) || punct(toks, j, '&') {
        j += 1;
    }
    let mut segs = Vec::new();
    if toks.get(j).map(|t| &t.1) == Some(&Tok::PathSep) {
        segs.push("::".to_string());
        j += 1;
    }
    read_path(toks, &mut j, &mut segs);
    if segs.iter().all(|s| s == "::") {
        return None;
    }
    if punct(toks, j, '<') {
        j = past_angle(toks, j);
    }
    (ident(toks, j) != Some("for")).then_some(segs)
}

/// The events of the attribute at `i` (`#[..]` or `#![..]`) that its tokens alone do not
/// show: `#[macro_use]` and `#[macro_export]`, which carry a macro past the modules the
/// layering sees it reach, and the paths in its string literals, which serde and other
/// derives call as code (`#[serde(default = "std::process::id")]`, `with = ".."`,
/// `deserialize_with`, `bound = "T: ..")`). Every string is read as Rust tokens and each
/// path in it is checked; a doc comment's text (`#[doc = ".."]`) is prose and is left out.
fn attribute_events(toks: &[(usize, Tok)], i: usize, line: usize, module: &ModPath) -> Vec<Event> {
    let open = if punct(toks, i + 1, '!') {
        i + 2
    } else {
        i + 1
    };
    if !punct(toks, open, '[') {
        return Vec::new();
    }
    let end = past_close(toks, open);
    let mut out = Vec::new();
    match ident(toks, open + 1) {
        Some("doc") => return out,
        Some(m @ ("macro_use" | "macro_export")) => out.push(Event {
            line,
            module: module.clone(),
            kind: Kind::Opaque(format!(
                "`#[{m}]`: it carries a macro, and the paths of its body, into modules the \
                 layering does not see it reach; call a macro only below its definition"
            )),
        }),
        _ => {}
    }
    for (l, tok) in &toks[open..end] {
        let Tok::Str(text) = tok else { continue };
        let Ok(inner) = lex(text) else { continue };
        let mut k = 0;
        while k < inner.len() {
            if matches!(inner[k].1, Tok::Ident(_) | Tok::PathSep) {
                let mut segs = Vec::new();
                if inner[k].1 == Tok::PathSep {
                    segs.push("::".to_string());
                    k += 1;
                }
                read_path(&inner, &mut k, &mut segs);
                if segs.iter().any(|s| s != "::") {
                    out.push(Event {
                        line: *l,
                        module: module.clone(),
                        kind: Kind::Path(segs),
                    });
                }
                if k < inner.len() && !matches!(inner[k].1, Tok::Ident(_) | Tok::PathSep) {
                    k += 1;
                }
            } else {
                k += 1;
            }
        }
    }
    out
}

/// The paths a `macro_rules!` body (tokens `from..to`) names in its transcribers, and the
/// places whose path only the caller completes. A path may not start with a fragment
/// (`$a::$b::read_to_string` called as `m!(std fs)`), nor follow or be joined by a
/// repetition (`$($t)::*::read`), since no token of the body or of the call shows the path
/// whole; a fragment the body itself defines as an item (`enum $name { .. }` then
/// `$name::$variant`, as `words!` in `model.rs` does) names that item, so it is allowed.
fn macro_body(
    toks: &[(usize, Tok)],
    from: usize,
    to: usize,
) -> (Vec<Vec<String>>, Vec<(usize, String)>) {
    let mut paths = Vec::new();
    let mut opaque = Vec::new();
    let mut j = from;
    while j < to {
        // An arm: matcher, `=>`, transcriber, and `;` between arms.
        if !matches!(toks[j].1, Tok::Punct('(' | '[' | '{')) {
            j += 1;
            continue;
        }
        let matcher_end = past_close(toks, j);
        let mut t = matcher_end;
        while t < to && !matches!(toks[t].1, Tok::Punct('(' | '[' | '{')) {
            t += 1;
        }
        if t >= to {
            break;
        }
        let body_end = past_close(toks, t);
        let body = &toks[t + 1..body_end.saturating_sub(1)];
        let defined: BTreeSet<&str> = (0..body.len())
            .filter(|&k| {
                matches!(
                    ident(body, k),
                    Some(
                        "enum"
                            | "struct"
                            | "union"
                            | "trait"
                            | "mod"
                            | "type"
                            | "fn"
                            | "const"
                            | "static"
                    )
                ) && punct(body, k + 1, '$')
            })
            .filter_map(|k| ident(body, k + 2))
            .collect();
        let sep = |k: usize| body.get(k).map(|t| &t.1) == Some(&Tok::PathSep);
        let mut k = 0;
        while k < body.len() {
            let l = body[k].0;
            if punct(body, k, '$') {
                match ident(body, k + 1) {
                    Some(frag) if frag != "crate" && sep(k + 2) && !defined.contains(frag) => {
                        opaque.push((
                            l,
                            format!(
                                "a path that starts with the macro fragment `${frag}` (`${frag}::..`) \
                                 names what the caller passes, which no path of the body or the call \
                                 shows whole; name the path in the body"
                            ),
                        ));
                    }
                    _ if punct(body, k + 1, '(') => {
                        let close = past_close(body, k + 1);
                        let kleene = |k: usize| {
                            matches!(body.get(k).map(|t| &t.1), Some(Tok::Punct('*' | '+' | '?')))
                        };
                        // `$($t)::*` (joined by `::`) or `$($t)*::read` (a path after it).
                        if (sep(close) && kleene(close + 1)) || (kleene(close) && sep(close + 1)) {
                            opaque.push((
                                l,
                                "a macro repetition joined by or followed by `::` (`$($t)::*`, \
                                 `$(..)*::x`) builds a path from the caller's tokens; name the \
                                 path in the body"
                                    .to_string(),
                            ));
                        }
                    }
                    _ => {}
                }
                k += 1;
                continue;
            }
            if matches!(body[k].1, Tok::Ident(_) | Tok::PathSep) {
                let mut segs = Vec::new();
                if body[k].1 == Tok::PathSep {
                    segs.push("::".to_string());
                    k += 1;
                }
                read_path(body, &mut k, &mut segs);
                if segs.iter().any(|s| s != "::") {
                    paths.push(segs);
                }
                if k < body.len() && !matches!(body[k].1, Tok::Ident(_) | Tok::PathSep) {
                    k += 1;
                }
            } else {
                k += 1;
            }
        }
        j = body_end;
    }
    (paths, opaque)
}

/// The paths between `from` and `to` (a generic argument list).
fn paths_in(toks: &[(usize, Tok)], from: usize, to: usize) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut k = from;
    while k < to {
        if matches!(toks[k].1, Tok::Ident(_) | Tok::PathSep) {
            let mut segs = Vec::new();
            if toks[k].1 == Tok::PathSep {
                segs.push("::".to_string());
                k += 1;
            }
            let before = k;
            read_path(toks, &mut k, &mut segs);
            if segs.iter().any(|s| s != "::") {
                out.push(segs);
            }
            if k == before {
                k += 1;
            }
        } else {
            k += 1;
        }
    }
    out
}

/// The trait and the self type of the trait `impl` at `i` (`impl<T> Trait<T> for Type<T>`),
/// generic arguments left out, and the paths among those arguments; the self type is empty
/// when it is no path (`[T]`, `(A, B)`).
#[allow(clippy::type_complexity)]
fn trait_impl(
    toks: &[(usize, Tok)],
    i: usize,
) -> Option<(Vec<String>, Vec<String>, Vec<Vec<String>>)> {
    let mut j = i + 1;
    if punct(toks, j, '<') {
        j = past_angle(toks, j);
    }
    while punct(toks, j, '!') || matches!(ident(toks, j), Some("const" | "unsafe")) {
        j += 1;
    }
    let mut tr = Vec::new();
    if toks.get(j).map(|t| &t.1) == Some(&Tok::PathSep) {
        tr.push("::".to_string());
        j += 1;
    }
    read_path(toks, &mut j, &mut tr);
    let mut args = Vec::new();
    if punct(toks, j, '<') {
        let end = past_angle(toks, j);
        args.extend(paths_in(toks, j + 1, end));
        j = end;
    }
    if ident(toks, j) != Some("for") || tr.iter().all(|s| s == "::") {
        return None;
    }
    j += 1;
    while matches!(ident(toks, j), Some("dyn" | "mut")) || punct(toks, j, '&') {
        j += 1;
    }
    let mut ty = Vec::new();
    if toks.get(j).map(|t| &t.1) == Some(&Tok::PathSep) {
        ty.push("::".to_string());
        j += 1;
    }
    read_path(toks, &mut j, &mut ty);
    if ty.iter().all(|s| s == "::") {
        ty.clear();
    }
    if punct(toks, j, '<') {
        args.extend(paths_in(toks, j + 1, past_angle(toks, j)));
    }
    Some((tr, ty, args))
}

/// One leaf of a `use` tree: a name bound to a path, or a glob of a base path.
enum UseLeaf {
    Name(Vec<String>, String),
    Glob(Vec<String>),
}

/// Reads one `use` tree from `toks[*i]` on, up to the `;` (or the `,`/`}` closing a nested
/// tree), pushing every leaf under `prefix`.
fn use_tree(toks: &[(usize, Tok)], i: &mut usize, prefix: Vec<String>, out: &mut Vec<UseLeaf>) {
    let mut path = prefix;
    let mut alias: Option<String> = None;
    let mut glob = false;
    let mut grouped = false;
    while let Some((_, t)) = toks.get(*i) {
        match t {
            Tok::Ident(w) if w == "as" => {
                alias = ident(toks, *i + 1).map(str::to_owned);
                *i += 2;
            }
            Tok::Ident(w) => {
                // `use std::fs::{self}` names `std::fs` itself.
                if w != "self" || path.is_empty() {
                    path.push(w.clone());
                }
                *i += 1;
            }
            Tok::PathSep => {
                if path.is_empty() {
                    path.push("::".into());
                }
                *i += 1;
            }
            Tok::Punct('*') => {
                glob = true;
                *i += 1;
            }
            Tok::Punct('{') => {
                grouped = true;
                *i += 1;
                loop {
                    if punct(toks, *i, '}') {
                        *i += 1;
                        break;
                    }
                    use_tree(toks, i, path.clone(), out);
                    if punct(toks, *i, ',') {
                        *i += 1;
                    } else {
                        if punct(toks, *i, '}') {
                            *i += 1;
                        }
                        break;
                    }
                }
            }
            Tok::Punct(',' | '}') => break,
            Tok::Punct(';') => {
                *i += 1;
                break;
            }
            _ => *i += 1,
        }
    }
    if grouped {
        return;
    }
    if glob {
        out.push(UseLeaf::Glob(path));
    } else if let Some(last) = path.last().filter(|l| *l != "::") {
        let name = alias.unwrap_or_else(|| last.clone());
        out.push(UseLeaf::Name(path, name));
    }
}

// ---------------------------------------------------------------------------------------
// Resolving a path through the names its module binds

/// How deep one resolution may recurse (a `use` of a `use` of ...); past it the path is
/// taken as written.
const MAX_DEPTH: usize = 12;

impl Crate {
    /// Every path `segs`, written in `module`, can stand for: `crate::..` for the crate's
    /// own items, `std::..`/`rayon::..` (without a leading `::`) for the others. A name bound
    /// more than once in a module (a `use` inside a function and another at the top) gives
    /// all its targets.
    fn resolve(&self, module: &ModPath, segs: &[String]) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = self
            .resolve_at(module, segs, 0)
            .into_iter()
            .map(|p| {
                let mut p = p;
                if matches!(p.first().map(String::as_str), Some("core" | "alloc")) {
                    p[0] = "std".into();
                }
                p
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn resolve_at(&self, module: &ModPath, segs: &[String], depth: usize) -> Vec<Vec<String>> {
        let Some(first) = segs.first() else {
            return vec![];
        };
        if depth > MAX_DEPTH {
            return vec![segs.to_vec()];
        }
        let rest = &segs[1..];
        match first.as_str() {
            "::" => vec![rest.to_vec()],
            "crate" => self.resolve_abs(segs, depth),
            "self" | "super" => {
                let mut m = module.clone();
                let mut k = 0;
                while let Some(s) = segs.get(k) {
                    match s.as_str() {
                        "super" if m.len() > 1 => {
                            m.pop();
                        }
                        "self" | "super" => {}
                        _ => break,
                    }
                    k += 1;
                }
                m.extend(segs[k..].iter().cloned());
                self.resolve_abs(&m, depth)
            }
            name => {
                let bound = self.bound(module, name, depth);
                if bound.is_empty() {
                    return vec![segs.to_vec()];
                }
                let mut out = Vec::new();
                for b in bound {
                    for mut t in self.resolve_at(&b.module, &b.target, depth + 1) {
                        t.extend(rest.iter().cloned());
                        out.extend(self.resolve_abs(&t, depth + 1));
                    }
                }
                out
            }
        }
    }

    /// The bindings of `name` in `module`, its own and those a `use` glob of another module
    /// of the crate brings in (`use super::*`).
    fn bound(&self, module: &ModPath, name: &str, depth: usize) -> Vec<Binding> {
        let mut out: Vec<Binding> = self
            .bindings
            .get(module)
            .and_then(|b| b.get(name))
            .cloned()
            .unwrap_or_default();
        if depth > MAX_DEPTH {
            return out;
        }
        for base in self.globs.get(module).into_iter().flatten() {
            for g in self.resolve_at(module, base, depth + 1) {
                if g.first().is_some_and(|s| s == "crate") && &g != module {
                    out.extend(self.bound(&g, name, depth + 1));
                }
            }
        }
        out
    }

    /// A `crate::..` path with every segment that a module of the crate binds by `use`
    /// replaced by what it names (`crate::render::Item` is `crate::model::Item` when
    /// render has `use crate::model::Item`). Other paths come back as they are.
    fn resolve_abs(&self, segs: &[String], depth: usize) -> Vec<Vec<String>> {
        if segs.first().is_none_or(|s| s != "crate") || depth > MAX_DEPTH {
            return vec![segs.to_vec()];
        }
        for k in 1..segs.len() {
            let module = &segs[..k];
            if !self.modules.contains(module) {
                break;
            }
            let name = &segs[k];
            let mut child = module.to_vec();
            child.push(name.clone());
            if self.modules.contains(&child) {
                continue;
            }
            let bound = self.bound(&module.to_vec(), name, depth + 1);
            if bound.is_empty() {
                break;
            }
            let mut out = Vec::new();
            for b in bound {
                for mut t in self.resolve_at(&b.module, &b.target, depth + 1) {
                    t.extend(segs[k + 1..].iter().cloned());
                    out.extend(self.resolve_abs(&t, depth + 1));
                }
            }
            return out;
        }
        vec![segs.to_vec()]
    }
}

// ---------------------------------------------------------------------------------------
// Purity

fn joined(segs: &[String]) -> String {
    match segs.split_first() {
        Some((first, rest)) if first == "::" => format!("::{}", joined(rest)),
        _ => segs
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("::"),
    }
}

/// Whether `path` is `base` or below it.
fn under(path: &str, base: &str) -> bool {
    path == base || path.starts_with(&format!("{base}::"))
}

/// Why the resolved path `segs` is forbidden, if it is.
fn forbidden_path(segs: &[String]) -> Option<&'static str> {
    let first = segs.first()?.as_str();
    if matches!(first, "crate" | "self" | "super" | "Self") {
        return None;
    }
    // A forbidden path counts wherever it stands in a longer one, so a re-export reaches it
    // too (`codespan_reporting::term::termcolor::StandardStream::stdout`).
    for tail in tails(segs) {
        for (forbidden, what) in FORBIDDEN_PATHS {
            if under(&tail, forbidden) {
                return Some(what);
            }
        }
    }
    let strs: Vec<&str> = segs.iter().map(String::as_str).collect();
    if segs.len() > 1
        && let Some(what) = method_rule(strs[strs.len() - 1])
    {
        return Some(what);
    }
    if let Some(what) = forbidden_rule(&strs) {
        return Some(what);
    }
    if segs.len() > 1 && DISK_METHODS.contains(&strs[strs.len() - 1]) {
        return Some("file system (a method of std::path::Path that reads the disk)");
    }
    None
}

/// The path and each shorter path that ends it, segment-aligned, `::` dropped:
/// `a::b::c`, `b::c`, `c`.
fn tails(segs: &[String]) -> Vec<String> {
    let segs: Vec<String> = segs.iter().filter(|s| *s != "::").cloned().collect();
    (0..segs.len()).map(|k| joined(&segs[k..])).collect()
}

/// Whether a glob of `base` can bring a forbidden name in unnamed (a glob of a re-export
/// too: `codespan_reporting::term::termcolor::*`).
fn forbidden_glob(base: &str) -> bool {
    let segs: Vec<String> = base.split("::").map(str::to_owned).collect();
    FORBIDDEN_GLOBS.contains(&base)
        || tails(&segs).iter().any(|tail| {
            FORBIDDEN_PATHS
                .iter()
                .any(|(f, _)| under(f, tail) || under(tail, f))
        })
}

/// Whether a macro's body could complete the resolved name `segs` into a forbidden path: a
/// module with forbidden APIs, or an item of a crate with forbidden associated functions
/// (`jiff::Timestamp` + `::now`).
fn completable(segs: &[String]) -> bool {
    if segs.len() > 1
        && tails(segs).iter().skip(1).any(|t| {
            FORBIDDEN_PATHS
                .iter()
                .any(|(f, _)| f.starts_with(&format!("{t}::")))
        })
    {
        return true;
    }
    let path = joined(segs);
    FORBIDDEN_GLOBS.contains(&path.as_str())
        || FORBIDDEN_PATHS
            .iter()
            .any(|(f, _)| f.starts_with(&format!("{path}::")))
        || matches!(
            segs.first().map(String::as_str),
            Some("jiff" | "lopdf" | "rayon" | "rayon_core")
        )
        || FORBIDDEN_PATHS
            .iter()
            .any(|(f, _)| f.starts_with(&format!("{}::", joined(segs))))
        || (segs.first().is_some_and(|f| f == "std")
            && segs.last().is_some_and(|l| l == "Path" || l == "PathBuf"))
}

/// The problems in the crate's sources: `file:line: what`.
fn problems(c: &Crate) -> Vec<String> {
    let mut out = Vec::new();
    let bound_names: BTreeSet<&str> = c
        .bindings
        .values()
        .flat_map(|b| b.keys().map(String::as_str))
        .collect();
    for (file, events) in &c.files {
        let name = file.display();
        for e in events {
            let line = e.line;
            let shown = |written: &[String], resolved: &[String]| {
                if written == resolved {
                    format!("`{}`", joined(written))
                } else {
                    format!("`{}` (that is `{}`)", joined(written), joined(resolved))
                }
            };
            match &e.kind {
                Kind::Use(segs) => {
                    for r in c.resolve(&e.module, segs) {
                        if let Some(what) = forbidden_path(&r) {
                            out.push(format!("{name}:{line}: {} ({what})", shown(segs, &r)));
                        }
                    }
                }
                Kind::Whole(segs) => {
                    if segs.len() == 1 && !bound_names.contains(segs[0].as_str()) {
                        continue;
                    }
                    for r in c.resolve(&e.module, segs) {
                        if r.len() > 1 && completable(&r) {
                            out.push(format!(
                                "{name}:{line}: {} is a macro argument the macro's body may \
                                 complete into a forbidden API (`$m::spawn`); name the item itself",
                                shown(segs, &r)
                            ));
                        }
                    }
                }
                Kind::Path(segs) => {
                    // `<Path>::exists` reads as `::exists` once the type is gone.
                    if segs.len() > 1
                        && segs[0] == "::"
                        && DISK_METHODS.contains(&segs[segs.len() - 1].as_str())
                    {
                        out.push(format!("{name}:{line}: `{}` (file system)", joined(segs)));
                    }
                    for r in c.resolve(&e.module, segs) {
                        if let Some(what) = forbidden_path(&r) {
                            out.push(format!("{name}:{line}: {} ({what})", shown(segs, &r)));
                        }
                    }
                }
                Kind::Glob(base) => {
                    for r in c.resolve(&e.module, base) {
                        if forbidden_glob(&joined(&r)) {
                            out.push(format!(
                                "{name}:{line}: glob import of {} can bring in a forbidden API",
                                shown(base, &r)
                            ));
                        }
                    }
                }
                Kind::Method(m) => {
                    if let Some(what) = method_rule(m) {
                        out.push(format!(
                            "{name}:{line}: `.{m}(..)` ({what}; the receiver's type is not known \
                             here, so the name is forbidden on any receiver)"
                        ));
                    }
                    if DISK_METHODS.contains(&m.as_str()) {
                        let owner = if m == "save" {
                            "lopdf's `Document::save` writes a file"
                        } else {
                            "std::path::Path's method of that name reads the disk"
                        };
                        out.push(format!(
                            "{name}:{line}: `.{m}(..)` (file system: {owner}; the receiver's type is \
                             not known here, so the name is forbidden on any receiver)"
                        ));
                    }
                }
                Kind::MetaPath(prefix) => {
                    // `$m::spawn` is checked where the macro is called (`Whole`).
                    let resolved = if prefix.is_empty() {
                        Vec::new()
                    } else {
                        c.resolve(&e.module, prefix)
                    };
                    for r in resolved {
                        let opaque = match r.first().map(String::as_str) {
                            None => false,
                            Some("crate") => r.len() == 1,
                            Some(first) => {
                                matches!(first, "std" | "jiff" | "rayon" | "rayon_core" | "lopdf")
                            }
                        };
                        if opaque {
                            out.push(format!(
                                "{name}:{line}: a path completed by a macro fragment (`{}::$..`) \
                                 cannot be checked; name the item in the macro's body",
                                joined(&r)
                            ));
                        }
                    }
                }
                Kind::Foreign(what) => {
                    out.push(format!("{name}:{line}: {what} (system calls without std)"))
                }
                // Where an `impl` may stand is a layering question (`impl_problems`).
                Kind::InherentImpl(_) | Kind::TraitImpl(..) => {}
                Kind::Opaque(what) => out.push(format!("{name}:{line}: {what}")),
                Kind::PathAttr => out.push(format!(
                    "{name}:{line}: `#[path = ..]`: the checks map files to modules by their names"
                )),
                Kind::Macro(segs, arg) => {
                    for r in c.resolve(&e.module, segs) {
                        let m = r.last().map_or("", String::as_str);
                        if matches!(m, "asm" | "global_asm" | "naked_asm") {
                            out.push(format!(
                                "{name}:{line}: macro {} (inline assembly: system calls without std)",
                                shown(segs, &r)
                            ));
                        }
                        if m.starts_with("is_") && m.ends_with("_feature_detected") {
                            out.push(format!(
                                "{name}:{line}: macro {} (the machine: which CPU features the \
                                 build machine or the user's has)",
                                shown(segs, &r)
                            ));
                        }
                        if FORBIDDEN_MACROS.contains(&m) {
                            out.push(format!(
                                "{name}:{line}: macro {} (console)",
                                shown(segs, &r)
                            ));
                        }
                        match m {
                            // Rust brought in by `include!` would be code this scan never
                            // read, whatever file it names.
                            "include" => out.push(format!(
                                "{name}:{line}: macro {} (`include!` compiles in Rust the scan \
                                 does not read; only `include_str!`/`include_bytes!` of the \
                                 vendored files are allowed)",
                                shown(segs, &r)
                            )),
                            "include_str" | "include_bytes"
                                if !include_allowed(file, arg.as_deref()) =>
                            {
                                out.push(format!(
                                    "{name}:{line}: `{m}!({arg:?})`: only the vendored schemas and the catalog are compiled in"
                                ));
                            }
                            // Cargo's package facts are fixed at build time; anything else
                            // would make the output depend on the build machine.
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
        }
    }
    out
}

/// `include_str!` and friends may read the vendored schemas (`plugin/core/schemas/`) and the
/// catalog data (`src/catalog/catalog.toml`), nothing else: not an absolute path, not a
/// relative one that leaves the crate's folder (checked on the words, before any symbolic
/// link is followed, and again on the file it reaches).
fn include_allowed(file: &Path, arg: Option<&str>) -> bool {
    let Some(arg) = arg else { return false };
    let Some(dir) = file.parent() else {
        return false;
    };
    let arg = Path::new(arg);
    if arg.is_absolute() || arg.components().any(|c| matches!(c, Component::Prefix(_))) {
        return false;
    }
    let core = core_dir();
    let mut lexical = dir.to_path_buf();
    for comp in arg.components() {
        match comp {
            Component::ParentDir => {
                lexical.pop();
            }
            Component::Normal(p) => lexical.push(p),
            _ => {}
        }
        if !lexical.starts_with(&core) {
            return false;
        }
    }
    let Ok(target) = dir.join(arg).canonicalize() else {
        return false;
    };
    let core = core.canonicalize().expect("the core crate's folder");
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

/// The core's sources, read once per test.
fn core_crate() -> Crate {
    let mut files = Vec::new();
    rust_files(&core_dir().join("src"), &mut files);
    files.sort();
    assert!(files.len() > 30, "only {} source files found", files.len());
    let sources: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|f| {
            let src = std::fs::read_to_string(&f).expect("read a source file");
            (f, src)
        })
        .collect();
    Crate::new(&sources)
}

#[test]
fn core_sources_use_no_io_clock_environment_or_threads() {
    let c = core_crate();
    let all = problems(&c);
    assert!(
        all.is_empty(),
        "the core crate must stay pure (move this to the edge crate, plugin/src):\n{}",
        all.join("\n")
    );
    // The scan did see the allowed includes (the schemas and the catalog), and resolves
    // the names the sources bind.
    let includes = c
        .files
        .iter()
        .flat_map(|(_, e)| e)
        .filter(|e| matches!(&e.kind, Kind::Macro(m, _) if m.last().is_some_and(|l| l == "include_str")))
        .count();
    assert!(includes >= 8, "{includes} include_str! found");
    // A build script runs on the build machine and could hand the core anything through
    // `env!` or generated files.
    let manifest =
        std::fs::read_to_string(core_dir().join("Cargo.toml")).expect("read the core's manifest");
    assert!(
        !core_dir().join("build.rs").exists()
            && !manifest
                .lines()
                .any(|l| l.trim_start().starts_with("build")),
        "techfile-core has no build script"
    );
    let render = vec!["crate".to_string(), "render".to_string()];
    assert!(c.bindings.get(&render).is_some_and(|b| b.len() > 5));
}

// ---------------------------------------------------------------------------------------
// Dependencies

/// Every crate of the core's normal dependency tree (`cargo tree -p techfile-core -e normal
/// --target all`), each reviewed for I/O. The direct dependencies say why the core needs
/// them and that they do no I/O for it; the transitive ones are listed plainly (their parents'
/// review covers them). A crate not here fails the test: review it for file system,
/// process, environment, clock, network, console and thread use before adding it.
const ALLOWED_CRATES: &[(&str, &str)] = &[
    ("techfile-core", "the crate itself"),
    (
        "codespan-reporting",
        "renders findings to a string or a writer the edge hands in",
    ),
    ("cvss", "parses and scores CVSS vectors; pure"),
    ("debversion", "Debian version order; pure"),
    ("hex", "hex encoding of digests; pure"),
    ("htmlize", "HTML escaping and unescaping; pure"),
    (
        "jiff",
        "dates and timestamps from values; `now` and the system time zone are forbidden above",
    ),
    (
        "jsonschema",
        "validates SBOMs against the vendored schemas; built without its resolvers that fetch",
    ),
    ("junit-parser", "reads JUnit XML from bytes the edge read"),
    (
        "lopdf",
        "PDF post-processing from bytes (`load_mem`); its path-reading `load`/`save` are forbidden above",
    ),
    ("packageurl", "package URLs; pure"),
    ("pep440_rs", "PEP 440 version order; pure"),
    ("percent-encoding", "URL percent-encoding; pure"),
    ("petgraph", "the trace graph; pure"),
    ("pulldown-cmark", "Markdown parsing; pure"),
    (
        "pulldown-cmark-escape",
        "HTML escaping into a writer handed in",
    ),
    (
        "rayon",
        "parallel iterators over the items; its own spawning and scopes are forbidden above",
    ),
    ("regex", "regular expressions; pure"),
    ("rpm-version", "RPM version order; pure"),
    ("semver", "SemVer order; pure"),
    ("serde", "(de)serialisation traits; pure"),
    ("serde_json", "JSON from and to strings; pure"),
    ("sha2", "SHA-256 of bytes; pure"),
    ("similar", "word-level diffs; pure"),
    ("spdx", "SPDX license expressions; pure"),
    ("strsim", "string similarity for suggestions; pure"),
    ("toml", "TOML from and to strings; pure"),
    // Transitive.
    ("adler2", ""),
    ("aes", ""),
    ("ahash", ""),
    ("aho-corasick", ""),
    ("alloc-no-stdlib", ""),
    ("alloc-stdlib", ""),
    ("allocator-api2", ""),
    ("bit-set", ""),
    ("bit-vec", ""),
    ("bitflags", ""),
    ("block-buffer", ""),
    ("block-padding", ""),
    ("borrow-or-share", ""),
    // Switched on in the core by features other members ask for (the workspace resolve):
    // byte strings for `similar` and `globset`, HTML escaping for `pulldown-cmark`'s `html`,
    // flate2's pure-Rust zlib. None opens a file, reads the environment or spawns.
    (
        "bstr",
        "byte strings; its `io` helpers read only a reader handed in",
    ),
    ("brotli-decompressor", ""),
    ("bumpalo", ""),
    ("bytecount", ""),
    ("cbc", ""),
    ("cfg-if", ""),
    ("chacha20", ""),
    ("chrono", ""),
    ("cipher", ""),
    ("const-oid", ""),
    ("core_detect", ""),
    ("cpubits", ""),
    ("cpufeatures", ""),
    ("crc32fast", ""),
    ("crossbeam-deque", ""),
    ("crossbeam-epoch", ""),
    ("crossbeam-utils", ""),
    ("crypto-common", ""),
    ("data-encoding", ""),
    ("digest", ""),
    ("ecb", ""),
    ("either", ""),
    ("email_address", ""),
    ("encoding_rs", ""),
    ("equivalent", ""),
    ("fancy-regex", ""),
    ("fixedbitset", ""),
    ("flate2", ""),
    ("fluent-uri", ""),
    ("foldhash", ""),
    ("fraction", ""),
    ("getrandom", ""),
    ("hashbrown", ""),
    ("heck", ""),
    ("hybrid-array", ""),
    ("indexmap", ""),
    ("inout", ""),
    ("itoa", ""),
    ("jiff-core", ""),
    ("jiff-static", ""),
    ("js-sys", ""),
    ("jsonschema-regex", ""),
    ("jsonschema-value", ""),
    ("lazy-regex", ""),
    ("lazy-regex-proc_macros", ""),
    ("libc", ""),
    ("lock_api", ""),
    ("log", ""),
    ("md-5", ""),
    ("memchr", ""),
    ("micromap", ""),
    ("miniz_oxide", ""),
    ("multiversion_no_op", ""),
    ("nom", ""),
    ("num", ""),
    ("num-bigint", ""),
    ("num-cmp", ""),
    ("num-complex", ""),
    ("num-integer", ""),
    ("num-iter", ""),
    ("num-rational", ""),
    ("num-traits", ""),
    ("once_cell", ""),
    ("outref", ""),
    ("parking_lot", ""),
    ("parking_lot_core", ""),
    ("pastey", ""),
    ("phf", ""),
    ("phf_shared", ""),
    ("portable-atomic", ""),
    ("portable-atomic-util", ""),
    ("proc-macro2", ""),
    ("quick-xml", ""),
    ("quote", ""),
    ("r-efi", ""),
    ("rand", ""),
    ("rand_core", ""),
    ("rangemap", ""),
    ("rayon-core", ""),
    ("redox_syscall", ""),
    ("ref-cast", ""),
    ("ref-cast-impl", ""),
    ("referencing", ""),
    ("regex-automata", ""),
    ("regex-syntax", ""),
    ("scopeguard", ""),
    ("serde_core", ""),
    ("serde_derive", ""),
    ("serde_spanned", ""),
    ("simd-adler32", ""),
    ("simdutf8", ""),
    ("siphasher", ""),
    ("smallvec", ""),
    ("stringprep", ""),
    ("strum", ""),
    ("strum_macros", ""),
    ("syn", ""),
    ("termcolor", ""),
    ("thiserror", ""),
    ("thiserror-impl", ""),
    ("tinyvec", ""),
    ("toml_datetime", ""),
    ("toml_parser", ""),
    ("toml_writer", ""),
    ("typenum", ""),
    ("unicase", ""),
    ("unicode-bidi", ""),
    ("unicode-general-category", ""),
    ("unicode-ident", ""),
    ("unicode-normalization", ""),
    ("unicode-properties", ""),
    ("unicode-width", ""),
    ("unscanny", ""),
    ("uuid-simd", ""),
    ("vsimd", ""),
    ("wasip2", ""),
    ("wasm-bindgen", ""),
    ("wasm-bindgen-macro", ""),
    ("wasm-bindgen-macro-support", ""),
    ("wasm-bindgen-shared", ""),
    ("weezl", ""),
    ("winapi-util", ""),
    ("windows-link", ""),
    ("windows-sys", ""),
    ("winnow", ""),
    ("wit-bindgen", ""),
    ("zerocopy", ""),
    ("zlib-rs", "deflate in Rust; CPU feature detection only"),
    ("zerocopy-derive", ""),
    ("zmij", ""),
];

/// The features the workspace resolve switches on for each crate of the core's normal tree,
/// as reviewed: generated once from `cargo metadata`'s `resolve.nodes[].features` (the union
/// over the versions of a name), sorted; a crate with no features has no row. A feature can
/// add I/O with no new crate (jiff's `tzdb-zoneinfo` reads `/usr/share/zoneinfo`,
/// jsonschema's `resolve-file` reads `file://` references, lopdf's `chrono-clock` reads the
/// clock), and any member of the workspace, a dev-dependency of the edge included, switches
/// it on for the core too, since features are unified. A feature not here fails the test.
const ALLOWED_FEATURES: &[(&str, &[&str])] = &[
    (
        "ahash",
        &["default", "getrandom", "runtime-rng", "serde", "std"],
    ),
    ("aho-corasick", &["default", "perf-literal", "std"]),
    ("allocator-api2", &["alloc"]),
    ("bit-set", &["std"]),
    ("bit-vec", &["std"]),
    ("bitflags", &["std"]),
    ("borrow-or-share", &["alloc"]),
    ("brotli-decompressor", &["alloc-stdlib", "default", "std"]),
    ("bstr", &["alloc", "std"]),
    ("bumpalo", &["default"]),
    ("bytecount", &["runtime-dispatch-simd"]),
    ("cbc", &["block-padding", "default"]),
    ("chacha20", &["rng"]),
    ("chrono", &["alloc"]),
    ("cipher", &["block-padding"]),
    ("codespan-reporting", &["default", "std", "termcolor"]),
    ("core_detect", &["default"]),
    ("crc32fast", &["std"]),
    ("crossbeam-deque", &["default", "std"]),
    ("crossbeam-epoch", &["alloc", "std"]),
    ("crossbeam-utils", &["default", "std"]),
    ("cvss", &["std", "v2", "v3", "v4"]),
    ("data-encoding", &["alloc", "default", "std"]),
    ("debversion", &["default"]),
    ("digest", &["alloc", "block-api", "default", "oid"]),
    ("ecb", &["block-padding", "default"]),
    (
        "email_address",
        &["alloc", "default", "serde", "serde_support", "std"],
    ),
    ("encoding_rs", &["alloc", "default"]),
    (
        "fancy-regex",
        &["default", "perf", "std", "unicode", "variable-lookbehinds"],
    ),
    (
        "flate2",
        &[
            "any_impl",
            "default",
            "miniz_oxide",
            "runtime_detection",
            "rust_backend",
        ],
    ),
    (
        "fluent-uri",
        &["alloc", "default", "impl-error", "serde", "std"],
    ),
    ("fraction", &["num-bigint", "with-bigint"]),
    ("getrandom", &["std", "sys_rng", "wasm_js"]),
    (
        "hashbrown",
        &[
            "allocator-api2",
            "default",
            "default-hasher",
            "equivalent",
            "inline-more",
            "raw-entry",
        ],
    ),
    ("hex", &["alloc", "default", "std"]),
    (
        "htmlize",
        &["_unescape_either", "default", "entities", "unescape"],
    ),
    ("indexmap", &["default", "std"]),
    ("inout", &["block-padding"]),
    ("jiff", &["alloc", "std"]),
    ("jiff-core", &["alloc", "default", "std", "tz-fat"]),
    ("jiff-static", &["default"]),
    ("jsonschema-value", &["default", "serde_json"]),
    ("junit-parser", &["properties_as_vector"]),
    ("lazy-regex", &["default", "regex"]),
    ("libc", &["default", "extra_traits", "std"]),
    ("lock_api", &["atomic_usize", "default"]),
    ("log", &["alloc", "std"]),
    ("md-5", &["alloc", "default", "oid"]),
    ("memchr", &["alloc", "default", "std"]),
    ("micromap", &["default"]),
    (
        "miniz_oxide",
        &["default", "simd", "simd-adler32", "with-alloc"],
    ),
    ("nom", &["alloc", "default", "std"]),
    ("num", &["num-bigint", "std"]),
    ("num-bigint", &["default", "std"]),
    ("num-complex", &["std"]),
    ("num-integer", &["i128", "std"]),
    ("num-iter", &["i128", "std"]),
    ("num-rational", &["num-bigint", "num-bigint-std", "std"]),
    ("num-traits", &["default", "i128", "std"]),
    ("once_cell", &["alloc", "default", "race", "std"]),
    ("packageurl", &["default"]),
    ("parking_lot", &["default"]),
    ("percent-encoding", &["alloc", "default", "std"]),
    ("petgraph", &["graphmap", "stable_graph"]),
    ("phf", &["default", "std"]),
    ("phf_shared", &["default", "std"]),
    ("portable-atomic", &["require-cas"]),
    ("portable-atomic-util", &["alloc"]),
    ("proc-macro2", &["default", "proc-macro", "span-locations"]),
    ("pulldown-cmark", &["html", "pulldown-cmark-escape"]),
    ("quick-xml", &["default", "escape-html"]),
    ("quote", &["default", "proc-macro"]),
    (
        "rand",
        &[
            "alloc",
            "default",
            "std",
            "std_rng",
            "sys_rng",
            "thread_rng",
        ],
    ),
    ("redox_syscall", &["default", "userspace"]),
    ("referencing", &["default"]),
    (
        "regex",
        &[
            "default",
            "perf",
            "perf-backtrack",
            "perf-cache",
            "perf-dfa",
            "perf-inline",
            "perf-literal",
            "perf-onepass",
            "std",
            "unicode",
            "unicode-age",
            "unicode-bool",
            "unicode-case",
            "unicode-gencat",
            "unicode-perl",
            "unicode-script",
            "unicode-segment",
        ],
    ),
    (
        "regex-automata",
        &[
            "alloc",
            "dfa-onepass",
            "dfa-search",
            "hybrid",
            "meta",
            "nfa",
            "nfa-backtrack",
            "nfa-pikevm",
            "nfa-thompson",
            "perf",
            "perf-inline",
            "perf-literal",
            "perf-literal-multisubstring",
            "perf-literal-substring",
            "std",
            "syntax",
            "unicode",
            "unicode-age",
            "unicode-bool",
            "unicode-case",
            "unicode-gencat",
            "unicode-perl",
            "unicode-script",
            "unicode-segment",
            "unicode-word-boundary",
        ],
    ),
    (
        "regex-syntax",
        &[
            "default",
            "std",
            "unicode",
            "unicode-age",
            "unicode-bool",
            "unicode-case",
            "unicode-gencat",
            "unicode-perl",
            "unicode-script",
            "unicode-segment",
        ],
    ),
    ("rpm-version", &["default"]),
    ("semver", &["default", "serde", "std"]),
    (
        "serde",
        &["alloc", "default", "derive", "serde_derive", "std"],
    ),
    ("serde_core", &["alloc", "default", "result", "std"]),
    ("serde_derive", &["default"]),
    (
        "serde_json",
        &["default", "float_roundtrip", "std", "unbounded_depth"],
    ),
    ("serde_spanned", &["alloc", "serde", "std"]),
    ("sha2", &["alloc", "default", "oid"]),
    ("simdutf8", &["aarch64_neon", "public_imp"]),
    ("similar", &["default", "std", "text"]),
    ("siphasher", &["default", "std"]),
    ("spdx", &["default"]),
    ("strum", &["default", "derive", "std", "strum_macros"]),
    (
        "syn",
        &[
            "clone-impls",
            "default",
            "derive",
            "extra-traits",
            "full",
            "parsing",
            "printing",
            "proc-macro",
            "visit",
            "visit-mut",
        ],
    ),
    ("thiserror", &["default", "std"]),
    ("tinyvec", &["alloc", "default"]),
    ("toml", &["default", "display", "parse", "serde", "std"]),
    ("toml_datetime", &["alloc", "serde", "std"]),
    ("toml_parser", &["alloc", "std"]),
    ("toml_writer", &["alloc", "std"]),
    ("typenum", &["const-generics"]),
    ("unicode-bidi", &["default", "hardcoded-data", "std"]),
    ("unicode-normalization", &["default", "std"]),
    (
        "unicode-properties",
        &["default", "emoji", "general-category"],
    ),
    ("unicode-width", &["cjk", "default"]),
    ("uuid-simd", &["alloc", "detect", "std"]),
    ("vsimd", &["alloc", "detect", "std"]),
    ("weezl", &["alloc", "default", "std"]),
    (
        "windows-sys",
        &[
            "Win32",
            "Win32_Foundation",
            "Win32_Networking",
            "Win32_Networking_WinSock",
            "Win32_Storage",
            "Win32_Storage_FileSystem",
            "Win32_System",
            "Win32_System_Console",
            "Win32_System_Diagnostics",
            "Win32_System_Diagnostics_Debug",
            "Win32_System_SystemInformation",
            "Win32_UI",
            "Win32_UI_Input",
            "Win32_UI_Input_KeyboardAndMouse",
            "default",
        ],
    ),
    ("zerocopy", &["simd"]),
    ("zlib-rs", &["rust-allocator", "std"]),
];

/// Crates that belong to the edge, with their own message. A name ending in `*` is a prefix.
const EDGE_CRATES: &[&str] = &["mdbook*", "clap*", "cargo_metadata"];

/// The one source a package of the core's tree may come from. A path, git or other
/// registry source could hold any code under an allowed name (`hex = { path = .. }`, or a
/// `[patch.crates-io]`), which the allow-list, reviewed by name and crates.io release, never saw.
const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// The core's normal dependency graph as `cargo metadata` resolved it for the whole
/// workspace: each package reached from `techfile-core` by normal edges (not dev, not build),
/// with its source (`None` for a path package) and whether the core depends on it directly.
#[derive(Debug)]
struct Reached {
    name: String,
    source: Option<String>,
    direct: bool,
    /// The features the workspace resolve switches on for it.
    features: Vec<String>,
}

/// Walks `cargo metadata --format-version 1` output from the workspace member
/// `techfile-core`. `resolve` is the workspace's resolve, so a feature of the core that
/// another member switches on (`features = ["walk"]` in the binary's manifest) has its
/// optional dependency here, where `cargo tree -p techfile-core` alone left it out.
///
/// # Errors
///
/// A message when the JSON lacks the fields read here or has no `techfile-core` member.
fn core_graph(meta: &serde_json::Value) -> Result<Vec<Reached>, String> {
    let packages: BTreeMap<&str, &serde_json::Value> = meta["packages"]
        .as_array()
        .ok_or("no `packages`")?
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?, p)))
        .collect();
    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .ok_or("no `workspace_members`")?
        .iter()
        .filter_map(|m| m.as_str())
        .collect();
    let root = members
        .iter()
        .copied()
        .find(|id| {
            packages
                .get(id)
                .is_some_and(|p| p["name"] == "techfile-core")
        })
        .ok_or("no workspace member `techfile-core`")?;
    let nodes: BTreeMap<&str, &serde_json::Value> = meta["resolve"]["nodes"]
        .as_array()
        .ok_or("no `resolve.nodes` (was --no-deps given?)")?
        .iter()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    // A normal edge has a dep kind `null` (a platform-specific one too: every target counts).
    let normal_deps = |id: &str| -> Result<Vec<String>, String> {
        let node = nodes.get(id).ok_or(format!("no resolve node for {id}"))?;
        Ok(node["deps"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| {
                d["dep_kinds"]
                    .as_array()
                    .is_some_and(|ks| ks.iter().any(|k| k["kind"].is_null()))
            })
            .filter_map(|d| d["pkg"].as_str().map(str::to_owned))
            .collect())
    };
    let direct: BTreeSet<String> = normal_deps(root)?.into_iter().collect();
    let mut seen = BTreeSet::from([root.to_owned()]);
    let mut stack = vec![root.to_owned()];
    let mut out = Vec::new();
    while let Some(id) = stack.pop() {
        let pkg = packages
            .get(id.as_str())
            .ok_or(format!("no package {id}"))?;
        let features = nodes
            .get(id.as_str())
            .and_then(|n| n["features"].as_array())
            .ok_or(format!("no `features` in the resolve node of {id}"))?
            .iter()
            .filter_map(|f| f.as_str().map(str::to_owned))
            .collect();
        out.push(Reached {
            name: pkg["name"].as_str().unwrap_or_default().to_owned(),
            source: pkg["source"].as_str().map(str::to_owned),
            direct: direct.contains(&id),
            features,
        });
        for dep in normal_deps(&id)? {
            if seen.insert(dep.clone()) {
                stack.push(dep);
            }
        }
    }
    out.sort_by(|a, b| (&a.name, &a.source).cmp(&(&b.name, &b.source)));
    Ok(out)
}

/// What is wrong with the core's dependency graph: an edge crate, a crate nobody reviewed
/// for I/O, a package from anywhere but crates.io (the core itself excepted), or a direct
/// dependency without a reason on the allow-list.
fn dependency_problems(graph: &[Reached]) -> Vec<String> {
    let mut out = Vec::new();
    for r in graph {
        let name = &r.name;
        if name == "techfile-core" && r.source.is_none() && !r.direct {
            continue;
        }
        let edge = EDGE_CRATES.iter().any(|f| match f.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == *f,
        });
        let allowed = ALLOWED_CRATES.iter().find(|(a, _)| a == name);
        if edge {
            out.push(format!(
                "`{name}` belongs to the edge crate (mdBook, the command line and cargo are the \
                 edge's business); the core takes what it needs as values in `Inputs`"
            ));
        } else if allowed.is_none() {
            out.push(format!(
                "`{name}` is new in the core's dependency tree: review it for file system, process, \
                 environment, clock, network, console and thread use, then add it to ALLOWED_CRATES \
                 in plugin/core/tests/purity.rs (with a reason if it is a direct dependency)"
            ));
        } else if r.direct && allowed.is_some_and(|(_, why)| why.is_empty()) {
            out.push(format!(
                "`{name}` is a direct dependency of techfile-core: give it a reason in ALLOWED_CRATES"
            ));
        }
        if r.source.as_deref() != Some(CRATES_IO) {
            out.push(format!(
                "`{name}` comes from {}, not crates.io: the allow-list reviewed the crates.io \
                 release of each name, and a path, git or other registry package (a local crate, \
                 a `[patch]`) can be any code under that name",
                r.source.as_deref().unwrap_or("a path (source null)")
            ));
        }
    }
    out
}

/// Each feature the resolve switches on for a crate of the core's tree that
/// `ALLOWED_FEATURES` does not list for it, as `crate`/`feature` with what to do. The core
/// itself has no features (`manifest_problems`).
fn feature_problems(graph: &[Reached]) -> Vec<String> {
    let mut out = Vec::new();
    for r in graph {
        let allowed = ALLOWED_FEATURES
            .iter()
            .find(|(name, _)| *name == r.name)
            .map_or(&[][..], |(_, fs)| *fs);
        for f in &r.features {
            if !allowed.contains(&f.as_str()) {
                out.push(format!(
                    "`{}` has feature `{f}` switched on (by some member of the workspace, dev \
                     dependencies included: features are unified), which nobody reviewed: read \
                     what `{f}` compiles in for file system, process, environment, clock, \
                     network, console and thread use, then add it to ALLOWED_FEATURES in \
                     plugin/core/tests/purity.rs, or turn it off",
                    r.name
                ));
            }
        }
    }
    out
}

/// What the core's own manifest may not declare: `[features]` or an `optional` dependency.
/// Another member can switch a feature on, and the code it brings in is the core's then,
/// though the core's tree without that member shows none of it; the core has no features.
fn manifest_problems(manifest: &str) -> Vec<String> {
    let doc: toml::Table = toml::from_str(manifest).expect("the manifest is TOML");
    let mut out = Vec::new();
    if doc.contains_key("features") {
        out.push(
            "[features]: the core has no features, since another crate of the workspace could \
             switch one on and add code or dependencies that the core's own tree never shows"
                .to_owned(),
        );
    }
    let mut tables: Vec<(String, &toml::Table)> = Vec::new();
    for key in ["dependencies", "build-dependencies", "dev-dependencies"] {
        tables.extend(
            doc.get(key)
                .and_then(toml::Value::as_table)
                .map(|t| (key.to_owned(), t)),
        );
    }
    for (cfg, target) in doc
        .get("target")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|t| t.iter())
    {
        for key in ["dependencies", "build-dependencies", "dev-dependencies"] {
            tables.extend(
                target
                    .get(key)
                    .and_then(toml::Value::as_table)
                    .map(|t| (format!("target.{cfg}.{key}"), t)),
            );
        }
    }
    for (table, deps) in tables {
        for (name, spec) in deps {
            let optional = spec
                .as_table()
                .and_then(|s| s.get("optional"))
                .and_then(toml::Value::as_bool)
                .unwrap_or(false);
            if optional {
                out.push(format!(
                    "[{table}] {name} is optional: another crate of the workspace could switch it \
                     on through a feature, adding it to the core unseen; make it a plain dependency \
                     (reviewed on the allow-list) or move its use to the edge"
                ));
            }
        }
    }
    out
}

/// `cargo metadata` of the whole workspace, lock file as is, no network.
fn cargo_metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        // Not `--offline`: the resolve lists every platform's packages, and a build on this
        // host never downloads the others; cargo fetches them from the registry if missing.
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(core_dir())
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo metadata failed: {stderr}");
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

#[test]
fn core_normal_dependencies_are_all_reviewed() {
    let graph = core_graph(&cargo_metadata()).expect("cargo metadata has the core's graph");
    // The graph is real: the core and its own dependencies, direct and transitive, are in it.
    let names: BTreeSet<&str> = graph.iter().map(|r| r.name.as_str()).collect();
    for expected in [
        "techfile-core",
        "pulldown-cmark",
        "jsonschema",
        "serde_json",
        "rayon-core",
    ] {
        assert!(
            names.contains(expected),
            "{expected} missing from {names:?}"
        );
    }
    // Dev-dependencies are not followed.
    for dev in ["insta", "html5ever"] {
        assert!(!names.contains(dev), "{dev} is a dev-dependency: {names:?}");
    }
    assert!(graph.iter().filter(|r| r.direct).count() > 10, "{graph:?}");
    let bad = dependency_problems(&graph);
    assert!(
        bad.is_empty(),
        "techfile-core's dependencies:\n{}",
        bad.join("\n")
    );
    // The resolve's features are read: the core's own choices show up.
    let features_of = |name: &str| {
        graph
            .iter()
            .filter(|r| r.name == name)
            .flat_map(|r| r.features.iter().map(String::as_str))
            .collect::<BTreeSet<&str>>()
    };
    assert!(features_of("cvss").contains("v4"), "{graph:?}");
    assert!(features_of("petgraph").contains("graphmap"), "{graph:?}");
    let bad = feature_problems(&graph);
    assert!(
        bad.is_empty(),
        "features of techfile-core's dependencies:\n{}",
        bad.join("\n")
    );
    let manifest =
        std::fs::read_to_string(core_dir().join("Cargo.toml")).expect("read the core's manifest");
    let indirect = indirect_dependencies(&manifest);
    assert!(
        indirect.is_empty(),
        "plugin/core/Cargo.toml: {indirect:?} name a crate other than by its own name"
    );
    let declared = manifest_problems(&manifest);
    assert!(
        declared.is_empty(),
        "plugin/core/Cargo.toml:\n{}",
        declared.join("\n")
    );
}

/// Normal and build dependencies of a manifest that a source file would name other than by
/// the package's name: renamed (`r = { package = "rayon" }`, which would let `r::spawn` pass
/// the source scan, which knows crates by their names) or taken from the workspace (where a
/// rename would not show here).
fn indirect_dependencies(manifest: &str) -> Vec<String> {
    let doc: toml::Table = toml::from_str(manifest).expect("the manifest is TOML");
    let mut tables: Vec<&toml::Table> = Vec::new();
    for key in ["dependencies", "build-dependencies"] {
        tables.extend(doc.get(key).and_then(toml::Value::as_table));
    }
    for target in doc
        .get("target")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|t| t.values())
    {
        for key in ["dependencies", "build-dependencies"] {
            tables.extend(target.get(key).and_then(toml::Value::as_table));
        }
    }
    let mut out: Vec<String> = tables
        .into_iter()
        .flat_map(|t| t.iter())
        .filter(|(_, spec)| {
            spec.as_table()
                .is_some_and(|s| s.contains_key("package") || s.contains_key("workspace"))
        })
        .map(|(name, _)| name.clone())
        .collect();
    out.sort();
    out
}

#[test]
fn renamed_and_workspace_dependencies_are_found() {
    let manifest = "[package]\nname = \"x\"\nedition.workspace = true\n\
        [dependencies]\nserde = \"1\"\nr = { package = \"rayon\", version = \"1\" }\nw.workspace = true\n\
        [target.'cfg(unix)'.dependencies]\nn = { package = \"nix\", version = \"0.30\" }\n\
        [dev-dependencies]\ni = { package = \"insta\", version = \"1\" }\n";
    assert_eq!(indirect_dependencies(manifest), ["n", "r", "w"]);
    assert!(indirect_dependencies("[dependencies]\npackageurl = \"0.7\"\n").is_empty());
}

/// `cargo metadata` JSON for a crafted workspace: `packages` as (name, source), the first
/// being `techfile-core` (a workspace member, like `mdbook-techfile`), and the resolved
/// `edges` as (from, to, kind: `None` normal, `Some("dev")`, `Some("build")`).
fn crafted_metadata(
    packages: &[(&str, Option<&str>)],
    edges: &[(&str, &str, Option<&str>)],
) -> serde_json::Value {
    let id = |name: &str| {
        let (n, src) = packages.iter().find(|(n, _)| *n == name).expect("declared");
        format!("{}#{n}@1.0.0", src.unwrap_or("path+file:///x/plugin"))
    };
    let pkgs: Vec<serde_json::Value> = packages
        .iter()
        .map(|(n, src)| serde_json::json!({ "id": id(n), "name": n, "source": src }))
        .collect();
    let nodes: Vec<serde_json::Value> = packages
        .iter()
        .map(|(n, _)| {
            let deps: Vec<serde_json::Value> = edges
                .iter()
                .filter(|(from, _, _)| from == n)
                .map(|(_, to, kind)| {
                    serde_json::json!({
                        "name": to.replace('-', "_"),
                        "pkg": id(to),
                        "dep_kinds": [{ "kind": kind, "target": null }],
                    })
                })
                .collect();
            serde_json::json!({ "id": id(n), "deps": deps, "features": [] })
        })
        .collect();
    let members: Vec<String> = ["techfile-core", "mdbook-techfile"]
        .iter()
        .filter(|m| packages.iter().any(|(n, _)| n == *m))
        .map(|m| id(m))
        .collect();
    serde_json::json!({
        "packages": pkgs,
        "workspace_members": members,
        "resolve": { "nodes": nodes, "root": null },
    })
}

#[test]
fn planted_dependencies_are_found() {
    let io = Some(CRATES_IO);
    let meta = crafted_metadata(
        &[
            ("techfile-core", None),
            ("mdbook-techfile", None),
            ("serde", io),
            ("mdbook-preprocessor", io),
            ("clap", io),
            ("clap_derive", io),
            ("cargo_metadata", io),
            ("walkdir", io),
            ("nix", io),
            ("same-file", io),
            ("tempfile", io),
            ("insta", io),
            ("cc", io),
            ("rayon-core", io),
        ],
        &[
            ("techfile-core", "serde", None),
            ("techfile-core", "mdbook-preprocessor", None),
            ("techfile-core", "clap", None),
            ("clap", "clap_derive", None),
            ("serde", "cargo_metadata", None),
            // An optional dependency the binary switched on: the workspace resolve has it.
            ("techfile-core", "walkdir", None),
            ("walkdir", "same-file", None),
            ("techfile-core", "nix", None),
            ("nix", "serde", None),
            // Dev and build edges are not followed (and the binary's own edges neither).
            ("techfile-core", "insta", Some("dev")),
            ("insta", "tempfile", None),
            ("serde", "cc", Some("build")),
            ("mdbook-techfile", "tempfile", None),
            ("mdbook-techfile", "techfile-core", None),
            // An allowed transitive crate without a reason is fine.
            ("serde", "rayon-core", None),
        ],
    );
    let graph = core_graph(&meta).expect("the crafted metadata is read");
    let bad = dependency_problems(&graph);
    let named = |n: &str| {
        bad.iter()
            .filter(|p| p.starts_with(&format!("`{n}`")))
            .count()
    };
    for edge in [
        "mdbook-preprocessor",
        "clap",
        "clap_derive",
        "cargo_metadata",
    ] {
        assert_eq!(named(edge), 1, "{edge}: {bad:?}");
        assert!(
            bad.iter()
                .any(|p| p.starts_with(&format!("`{edge}` belongs to the edge")))
        );
    }
    for new in ["walkdir", "nix", "same-file"] {
        assert!(
            bad.iter()
                .any(|p| p.starts_with(&format!("`{new}` is new")) && p.contains("ALLOWED_CRATES")),
            "{new}: {bad:?}"
        );
    }
    for unseen in ["insta", "tempfile", "cc", "mdbook-techfile"] {
        assert_eq!(named(unseen), 0, "{unseen}: {bad:?}");
    }
    assert_eq!(bad.len(), 7, "{bad:?}");

    // An allowed name from a path (a vendored `hex` whose `encode` writes a file), from git
    // or from another registry (a `[patch.crates-io]` or a mirror) fails, naming the source.
    let meta = crafted_metadata(
        &[
            ("techfile-core", None),
            ("hex", None),
            (
                "sha2",
                Some("git+https://example.com/sha2?branch=x#0123abcd"),
            ),
            ("serde", Some("sparse+https://registry.example.com/index/")),
            ("regex", io),
        ],
        &[
            ("techfile-core", "hex", None),
            ("techfile-core", "regex", None),
            ("regex", "sha2", None),
            ("sha2", "serde", None),
        ],
    );
    let bad = dependency_problems(&core_graph(&meta).expect("read"));
    for (name, source) in [
        ("hex", "a path (source null)"),
        ("sha2", "git+https://example.com/sha2"),
        ("serde", "sparse+https://registry.example.com/index/"),
    ] {
        assert!(
            bad.iter()
                .any(|p| p.starts_with(&format!("`{name}` comes from {source}"))
                    && p.contains("not crates.io")),
            "{name}: {bad:?}"
        );
    }
    assert_eq!(bad.len(), 3, "{bad:?}");

    // A direct dependency on the allow-list must say why it is there.
    let meta = crafted_metadata(
        &[("techfile-core", None), ("rayon-core", io)],
        &[("techfile-core", "rayon-core", None)],
    );
    let bad = dependency_problems(&core_graph(&meta).expect("read"));
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].contains("give it a reason"), "{bad:?}");

    // The core is found among the members, not by the first package of its name.
    let meta = crafted_metadata(&[("techfile-core", None)], &[]);
    assert!(dependency_problems(&core_graph(&meta).expect("read")).is_empty());
    assert!(core_graph(&serde_json::json!({ "packages": [] })).is_err());
}

/// Sets the resolved features of `name`'s node in crafted metadata.
fn set_features(meta: &mut serde_json::Value, name: &str, features: &[&str]) {
    let ids: Vec<String> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["name"] == name)
        .filter_map(|p| p["id"].as_str().map(str::to_owned))
        .collect();
    for node in meta["resolve"]["nodes"].as_array_mut().expect("nodes") {
        if node["id"]
            .as_str()
            .is_some_and(|id| ids.iter().any(|i| i == id))
        {
            node["features"] = serde_json::json!(features);
        }
    }
}

/// A feature of an allowed crate that another member switches on (jsonschema's
/// `resolve-file` through the edge's dev-dependency, jiff's `tzdb-zoneinfo`) is found, named
/// with its crate; the reviewed ones, and a feature of a crate outside the core's tree, are not.
#[test]
fn planted_features_of_allowed_crates_are_found() {
    let io = Some(CRATES_IO);
    let mut meta = crafted_metadata(
        &[
            ("techfile-core", None),
            ("mdbook-techfile", None),
            ("jsonschema", io),
            ("jiff", io),
            ("serde", io),
            ("hex", io),
            ("tempfile", io),
        ],
        &[
            ("techfile-core", "jsonschema", None),
            ("techfile-core", "jiff", None),
            ("techfile-core", "hex", None),
            ("jsonschema", "serde", None),
            ("mdbook-techfile", "techfile-core", None),
            ("mdbook-techfile", "jsonschema", Some("dev")),
            ("mdbook-techfile", "tempfile", None),
        ],
    );
    set_features(&mut meta, "jsonschema", &["resolve-file"]);
    set_features(
        &mut meta,
        "jiff",
        &["alloc", "std", "tz-system", "tzdb-zoneinfo"],
    );
    set_features(&mut meta, "serde", &["derive", "std"]);
    // A crate with no row may have no feature at all.
    set_features(&mut meta, "hex", &["alloc", "default", "std", "serde"]);
    // Outside the core's tree: not the core's business.
    set_features(&mut meta, "tempfile", &["nightly"]);
    let graph = core_graph(&meta).expect("the crafted metadata is read");
    let bad = feature_problems(&graph);
    for (name, feature) in [
        ("jsonschema", "resolve-file"),
        ("jiff", "tz-system"),
        ("jiff", "tzdb-zoneinfo"),
        ("hex", "serde"),
    ] {
        assert!(
            bad.iter().any(
                |p| p.starts_with(&format!("`{name}` has feature `{feature}`"))
                    && p.contains("ALLOWED_FEATURES")
                    && p.contains("file system")
            ),
            "{name}/{feature}: {bad:?}"
        );
    }
    assert_eq!(bad.len(), 4, "{bad:?}");
    // A resolve node without `features` is an error, not an empty set.
    let mut meta = crafted_metadata(&[("techfile-core", None)], &[]);
    meta["resolve"]["nodes"][0]
        .as_object_mut()
        .expect("node")
        .remove("features");
    assert!(core_graph(&meta).is_err());
}

/// The allow-list of features is sorted and has no duplicate, so a diff of it reads as
/// what was added; each row names a crate on ALLOWED_CRATES and lists at least one feature.
#[test]
fn the_feature_allow_list_is_sorted_and_names_allowed_crates() {
    for pair in ALLOWED_FEATURES.windows(2) {
        assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
    }
    for (name, features) in ALLOWED_FEATURES {
        assert!(
            ALLOWED_CRATES.iter().any(|(c, _)| c == name),
            "{name} is not on ALLOWED_CRATES"
        );
        assert!(!features.is_empty(), "{name} has an empty row");
        for pair in features.windows(2) {
            assert!(pair[0] < pair[1], "{name}: {} before {}", pair[0], pair[1]);
        }
    }
}

/// The manifest of the first evasion: an optional dependency behind a feature that the
/// binary's manifest switches on.
#[test]
fn planted_features_and_optional_dependencies_are_found() {
    let manifest = "[package]\nname = \"techfile-core\"\n\
        [dependencies]\nserde = \"1\"\nwalkdir = { version = \"2\", optional = true }\n\
        [target.'cfg(unix)'.dependencies]\nnix = { version = \"0.30\", optional = true }\n\
        [features]\nwalk = [\"dep:walkdir\"]\n";
    let bad = manifest_problems(manifest);
    assert_eq!(bad.len(), 3, "{bad:?}");
    assert!(bad[0].starts_with("[features]"), "{bad:?}");
    assert!(
        bad.iter()
            .any(|p| p.starts_with("[dependencies] walkdir is optional"))
    );
    assert!(
        bad.iter()
            .any(|p| p.starts_with("[target.cfg(unix).dependencies] nix is optional"))
    );
    assert!(
        manifest_problems("[dependencies]\nserde = { version = \"1\", optional = false }\n")
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------
// Layers

/// The layers of the core, from the bottom, as ARCHITECTURE.md ("Layers of the core") lists
/// them; `lib` is the crate root (`lib.rs`). A module may use modules of its own layer (when
/// they form no cycle) and of the layers below, never above.
const LAYERS: &[(&str, &[&str])] = &[
    ("primitives", &["suggest", "digest", "cvss"]),
    ("model", &["model", "diag", "fingerprint"]),
    ("catalog and items", &["catalog", "load"]),
    ("configuration and SBOMs", &["config", "sbom", "stamp"]),
    ("the graph", &["graph", "risk", "threat"]),
    (
        "judgement",
        &[
            "lifecycle",
            "evidence",
            "vex",
            "advisory",
            "checks",
            "review",
        ],
    ),
    ("generated text", &["render"]),
    (
        "the book",
        &["summary", "includes", "book", "links", "serve"],
    ),
    ("the pipeline", &["lib"]),
    (
        "consumers",
        &["export", "report", "revalidate", "diff", "signoff"],
    ),
];

/// Uses of a higher layer that exist today and are known: (file under `src/`, the path as
/// resolved). Each must still be there (the test fails on a stale entry); a new one fails.
/// None today: keep it that way by moving code up rather than listing it here.
const KNOWN_UPWARD: &[(&str, &str)] = &[];

/// The layer (1-based) of a top-level module.
fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, ms)| ms.contains(&module))
        .map(|k| k + 1)
}

/// The top-level modules of the crate (`render` for `crate::render::tables`), without the
/// test-only ones; `lib` stands for the crate root.
fn top_modules(c: &Crate) -> BTreeSet<String> {
    c.modules
        .iter()
        .filter(|m| m.len() == 2 && !c.test_modules.contains(*m))
        .map(|m| m[1].clone())
        .chain(std::iter::once("lib".to_string()))
        .collect()
}

fn in_test(c: &Crate, module: &ModPath) -> bool {
    (1..=module.len()).any(|k| c.test_modules.contains(&module[..k]))
}

/// One use of another top-level module: where, and the path as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Site {
    file: PathBuf,
    line: usize,
    path: String,
}

/// Which top-level module uses which, with the first place each edge is seen. Test modules
/// (`#[cfg(test)] mod ..`, inline or in their own file) may reach any layer to build their
/// inputs and are left out; code after them is not. `known` lists uses left out on purpose
/// (file under `src/`, resolved path); each one met is put in `met`.
fn module_edges_except(
    c: &Crate,
    known: &[(&str, &str)],
    met: &mut BTreeSet<(String, String)>,
) -> BTreeMap<String, BTreeMap<String, Site>> {
    let src_dir = core_dir().join("src");
    let mut edges: BTreeMap<String, BTreeMap<String, Site>> = BTreeMap::new();
    for (file, events) in &c.files {
        let rel = file
            .strip_prefix(&src_dir)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        for e in events {
            if in_test(c, &e.module) {
                continue;
            }
            let from = e.module.get(1).cloned().unwrap_or_else(|| "lib".into());
            let targets = edges.entry(from.clone()).or_default();
            let segs = match &e.kind {
                Kind::Path(s)
                | Kind::Use(s)
                | Kind::Glob(s)
                | Kind::Macro(s, _)
                | Kind::Whole(s) => s,
                // The self type of an `impl` is also a `Path` event; `impl_problems` checks
                // the block's place.
                Kind::Method(_)
                | Kind::PathAttr
                | Kind::MetaPath(_)
                | Kind::Foreign(_)
                | Kind::Opaque(_)
                | Kind::TraitImpl(..)
                | Kind::InherentImpl(_) => continue,
            };
            let mut uses: Vec<(String, Vec<String>)> = c
                .resolve(&e.module, segs)
                .into_iter()
                .map(|r| (joined(segs), r))
                .collect();
            // A crate macro's body runs where it is called: its paths, resolved there and
            // where it is defined (`$crate::..`), are the caller's uses.
            if let Kind::Macro(..) = &e.kind {
                let name = segs.last().map_or("", String::as_str);
                for def in c.macros.iter().filter(|d| d.name == name) {
                    for p in &def.paths {
                        for r in c
                            .resolve(&e.module, p)
                            .into_iter()
                            .chain(c.resolve(&def.module, p))
                        {
                            uses.push((format!("{name}!(..), whose body names {}", joined(p)), r));
                        }
                    }
                }
            }
            for (written, r) in uses {
                // `crate` alone is a visibility (`pub(crate)`), not a use.
                if r.first().is_none_or(|s| s != "crate") || r.len() < 2 {
                    continue;
                }
                let to = match r.get(1) {
                    Some(m) if c.modules.contains(&r[..2]) => m.clone(),
                    _ => "lib".to_string(),
                };
                if to == from
                    || c.test_modules
                        .contains(&vec!["crate".to_string(), to.clone()])
                {
                    continue;
                }
                let resolved = joined(&r);
                if known.iter().any(|(f, p)| *f == rel && *p == resolved) {
                    met.insert((rel.clone(), resolved));
                    continue;
                }
                targets.entry(to).or_insert_with(|| Site {
                    file: file.clone(),
                    line: e.line,
                    path: written,
                });
            }
        }
    }
    edges
}

fn module_edges(c: &Crate) -> BTreeMap<String, BTreeMap<String, Site>> {
    module_edges_except(c, &[], &mut BTreeSet::new())
}

/// Every edge from a lower layer up to a higher one, and every module in no layer.
fn layer_problems(edges: &BTreeMap<String, BTreeMap<String, Site>>) -> Vec<String> {
    let mut out = Vec::new();
    let name = |l: usize| format!("layer {l}, {}", LAYERS[l - 1].0);
    for (from, targets) in edges {
        let Some(lf) = layer_of(from) else {
            out.push(format!("module `{from}` is in no layer of LAYERS"));
            continue;
        };
        for (to, site) in targets {
            let Some(lt) = layer_of(to) else {
                out.push(format!("module `{to}` is in no layer of LAYERS"));
                continue;
            };
            if lt > lf {
                out.push(format!(
                    "{}:{}: `{from}` ({}) uses `{}` of `{to}` ({}), a higher layer",
                    site.file.display(),
                    site.line,
                    name(lf),
                    site.path,
                    name(lt)
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// One cycle among the modules, as the list of modules around it, if there is any.
fn find_cycle(edges: &BTreeMap<String, BTreeMap<String, Site>>) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeMap<String, Site>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(m) {
            Some(2) => return None,
            Some(1) => {
                let at = stack.iter().position(|s| s == m).unwrap_or(0);
                let mut cycle = stack[at..].to_vec();
                cycle.push(m.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(m.to_string(), 1);
        stack.push(m.to_string());
        for to in edges.get(m).into_iter().flat_map(BTreeMap::keys) {
            if let Some(c) = visit(to, edges, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    edges
        .keys()
        .find_map(|m| visit(m, edges, &mut state, &mut Vec::new()))
}

/// Everything wrong with the crate's layering: upward edges, modules in no layer, a cycle.
fn layering(c: &Crate) -> Vec<String> {
    layering_except(c, &[])
}

/// The top-level module a module or resolved `crate::` path belongs to; `lib` for the root.
fn top_module(c: &Crate, path: &[String]) -> String {
    match path.get(1) {
        Some(m) if c.modules.contains(&path[..2]) => m.clone(),
        _ => "lib".to_string(),
    }
}

impl Crate {
    /// The module of the crate whose definition of `name` a glob (`use crate::model::*`)
    /// brings into `module`, when `module` does not define `name` itself.
    fn glob_definer(&self, module: &ModPath, name: &str) -> Option<ModPath> {
        if self.defs.get(module).is_some_and(|d| d.contains(name)) {
            return None;
        }
        self.globs
            .get(module)
            .into_iter()
            .flatten()
            .flat_map(|base| self.resolve_at(module, base, 0))
            .find(|g| {
                g.first().is_some_and(|s| s == "crate")
                    && self.defs.get(g).is_some_and(|d| d.contains(name))
            })
    }
}

/// The top-level modules of the crate that define the type or trait `segs` names in
/// `module` (resolved through `use`, aliases and `use crate::..::*` globs; a name the module
/// defines itself is its own), with the path; empty for a name from another crate or a
/// generic parameter ("outside").
fn owners(c: &Crate, module: &ModPath, segs: &[String]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for r in c.resolve(module, segs) {
        if r.first().is_some_and(|s| s == "crate") && r.len() >= 2 {
            out.insert((top_module(c, &r), joined(&r)));
        } else if let [name] = r.as_slice() {
            if let Some(mut m) = c.glob_definer(module, name) {
                m.push(name.clone());
                out.insert((top_module(c, &m), joined(&m)));
            } else if c.defs.get(module).is_some_and(|d| d.contains(name)) {
                let mut m = module.clone();
                m.push(name.clone());
                out.insert((top_module(c, module), joined(&m)));
            }
        }
    }
    out
}

/// Every `impl` block outside test code that stands where it lets a lower module run a
/// higher one's code with no path naming it. An inherent `impl` (no `for`) must stand in
/// the top-level module that defines its self type: `impl crate::model::Item { fn draw(..) }`
/// in `render` lets `model` call `item.draw()`. A trait impl must stand in the top-level
/// module that defines the trait or the one that defines the self type (a module-level
/// orphan rule; a trait or type of another crate, or a generic parameter, is "outside"):
/// `impl crate::model::Drawn for crate::model::Span` in `render` lets `model` call
/// `span.drawn()` just the same. An outside trait for an outside type compiles only when a
/// crate type is among the arguments (`impl From<Local> for String`, `impl Display for
/// Box<Local>`): then the impl belongs with one of those types; the compiler's own orphan
/// rule keeps the rest out.
fn impl_problems(c: &Crate) -> Vec<String> {
    let mut out = Vec::new();
    for (file, events) in &c.files {
        for e in events {
            if in_test(c, &e.module) {
                continue;
            }
            let here = top_module(c, &e.module);
            match &e.kind {
                Kind::InherentImpl(segs) => {
                    let found = owners(c, &e.module, segs);
                    for (owner, path) in found.into_iter().filter(|(o, _)| *o != here) {
                        out.push(format!(
                            "{}:{}: inherent `impl {}` (that is `{path}`, a type of `{owner}`) in \
                             `{here}`: `{owner}` could call its methods with no path naming `{here}`; \
                             define them in `{owner}`, or make them a trait that `{here}` implements",
                            file.display(),
                            e.line,
                            joined(segs)
                        ));
                    }
                }
                Kind::TraitImpl(tr, ty, args) => {
                    let of_trait = owners(c, &e.module, tr);
                    let mut of_type = if ty.is_empty() {
                        BTreeSet::new()
                    } else {
                        owners(c, &e.module, ty)
                    };
                    // An outside trait for an outside type compiles when a crate type is
                    // among the arguments (`impl From<Local> for String`, `Box<Local>`):
                    // that type's module is where it belongs then.
                    if of_trait.is_empty() && of_type.is_empty() {
                        of_type = args.iter().flat_map(|a| owners(c, &e.module, a)).collect();
                    }
                    if of_trait.is_empty() && of_type.is_empty() {
                        continue;
                    }
                    if of_trait.iter().chain(&of_type).any(|(o, _)| *o == here) {
                        continue;
                    }
                    let named: Vec<String> = of_trait
                        .iter()
                        .chain(&of_type)
                        .map(|(o, p)| format!("`{p}` of `{o}`"))
                        .collect();
                    out.push(format!(
                        "{}:{}: `impl {} for {}` in `{here}`, which defines neither the trait nor \
                         the type ({}): code there could run `{here}`'s code with no path naming \
                         it; move the impl to the module that defines the trait or the type",
                        file.display(),
                        e.line,
                        joined(tr),
                        if ty.is_empty() {
                            "..".to_string()
                        } else {
                            joined(ty)
                        },
                        named.join(", ")
                    ));
                }
                _ => {}
            }
        }
    }
    out
}

/// `layering`, with the uses in `known` left out; an entry of `known` that no longer
/// matches is a problem too.
fn layering_except(c: &Crate, known: &[(&str, &str)]) -> Vec<String> {
    let mut met = BTreeSet::new();
    let edges = module_edges_except(c, known, &mut met);
    let mut out = layer_problems(&edges);
    out.extend(impl_problems(c));
    for (f, p) in known {
        if !met.contains(&(f.to_string(), p.to_string())) {
            out.push(format!(
                "KNOWN_UPWARD lists `{p}` in src/{f}, which is no longer there: remove the entry"
            ));
        }
    }
    if let Some(cycle) = find_cycle(&edges) {
        let sites: Vec<String> = cycle
            .windows(2)
            .filter_map(|w| edges.get(&w[0])?.get(&w[1]))
            .map(|s| format!("{}:{} `{}`", s.file.display(), s.line, s.path))
            .collect();
        out.push(format!(
            "this cycle goes back up: {} ({})",
            cycle.join(" -> "),
            sites.join(", ")
        ));
    }
    out
}

#[test]
fn core_modules_follow_the_layers() {
    let c = core_crate();
    let edges = module_edges(&c);
    assert!(edges.len() > 20, "only {} modules found", edges.len());
    for (from, to) in [("render", "model"), ("lib", "render"), ("export", "lib")] {
        assert!(
            edges.get(from).is_some_and(|t| t.contains_key(to)),
            "the scan must see {from}'s use of {to}: {edges:?}"
        );
    }
    // The scan sees the core's inherent `impl` blocks (each checked by `impl_problems`).
    let impls = c
        .files
        .iter()
        .flat_map(|(_, e)| e)
        .filter(|e| matches!(e.kind, Kind::InherentImpl(_)))
        .count();
    assert!(impls > 20, "only {impls} inherent impl blocks found");
    let bad = layering_except(&c, KNOWN_UPWARD);
    assert!(
        bad.is_empty(),
        "the core's modules must follow the layers (ARCHITECTURE.md, \"Layers of the core\"); \
         move the shared type or function down to the lowest module that needs it:\n{}",
        bad.join("\n")
    );
}

#[test]
fn every_core_module_is_in_exactly_one_layer() {
    let c = core_crate();
    assert!(
        c.test_modules
            .contains(&vec!["crate".to_string(), "testkit".to_string()]),
        "testkit is test-only"
    );
    let listed: Vec<&str> = LAYERS
        .iter()
        .flat_map(|(_, ms)| ms.iter().copied())
        .collect();
    let unique: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(
        listed.len(),
        unique.len(),
        "a module is in two layers: {listed:?}"
    );
    let modules = top_modules(&c);
    let modules: BTreeSet<&str> = modules.iter().map(String::as_str).collect();
    assert_eq!(
        modules, unique,
        "the modules of plugin/core/src and LAYERS differ"
    );
}

/// The layer table of ARCHITECTURE.md's "Layers of the core": each row's modules, in order.
/// `lib.rs` is the crate root, `lib`; words in parentheses are remarks.
fn doc_layers(markdown: &str) -> Vec<(String, Vec<String>)> {
    let Some(start) = markdown.find("## Layers of the core") else {
        return vec![];
    };
    let section = &markdown[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |e| e + 3);
    let mut out = Vec::new();
    for line in section[..end].lines() {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        let [layer, modules, ..] = cells.as_slice() else {
            continue;
        };
        let Some((number, name)) = layer.split_once(". ") else {
            continue;
        };
        if number.parse::<usize>().is_err() {
            continue;
        }
        let mut plain = String::new();
        let mut depth = 0usize;
        for ch in modules.chars() {
            match ch {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ if depth == 0 => plain.push(ch),
                _ => {}
            }
        }
        let names = plain
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|m| m.strip_suffix(".rs").unwrap_or(m).to_string())
            .collect();
        out.push((name.trim().to_string(), names));
    }
    out
}

fn test_layers() -> Vec<(String, Vec<String>)> {
    LAYERS
        .iter()
        .map(|(n, ms)| (n.to_string(), ms.iter().map(|m| m.to_string()).collect()))
        .collect()
}

#[test]
fn architecture_md_lists_the_same_layers() {
    let md = std::fs::read_to_string(core_dir().join("../../ARCHITECTURE.md"))
        .expect("read ARCHITECTURE.md");
    let doc = doc_layers(&md);
    assert_eq!(doc.len(), 10, "{doc:?}");
    assert_eq!(
        doc,
        test_layers(),
        "ARCHITECTURE.md's \"Layers of the core\" and LAYERS in plugin/core/tests/purity.rs differ"
    );
}

#[test]
fn a_drifted_layer_table_is_found() {
    let md = std::fs::read_to_string(core_dir().join("../../ARCHITECTURE.md"))
        .expect("read ARCHITECTURE.md");
    let moved = md.replace("| `render` |", "| `render`, `serve` |");
    assert_ne!(moved, md, "the planted change must apply");
    assert_ne!(doc_layers(&moved), test_layers());
    let renamed = md.replace("| 7. generated text |", "| 7. generated pages |");
    assert_ne!(renamed, md);
    assert_ne!(doc_layers(&renamed), test_layers());
}

// ---------------------------------------------------------------------------------------
// The checks fail on planted code.

/// A crate of planted files, named relative to `src/`.
fn krate(files: &[(&str, &str)]) -> Crate {
    let src = core_dir().join("src");
    let files: Vec<(PathBuf, String)> = files
        .iter()
        .map(|(p, s)| (src.join(p), s.to_string()))
        .collect();
    Crate::new(&files)
}

fn planted(src: &str) -> Vec<String> {
    problems(&krate(&[("planted.rs", src)]))
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
        "fn f() { let _ = std::thread::Builder::new(); }",
        "fn f() { rayon::scope(|s| ()); }",
        "use rayon::ThreadPoolBuilder as B; fn f() { B::new().build(); }",
        "const S: &str = include_str!(\"../schemas/../../../README.md\");",
        "const S: &str = include_str!(\"../../mdbook.rs\");",
        "const S: &str = include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/x\"));",
    ];
    for src in cases {
        assert!(!planted(src).is_empty(), "not caught: {src}");
    }
}

/// Each of these passed the scan that recorded only a `use`'s leaf and matched fixed names.
#[test]
fn planted_evasions_are_found() {
    let cases = [
        // A bare module bound by `use`, then a path through it.
        "use std::thread; fn f() { thread::spawn(|| ()); }",
        "use std::time; fn f() { let _ = time::SystemTime::now(); }",
        "use std::io; fn f() { let _ = io::stdout(); }",
        "use std::{self as s}; fn f() { s::thread::sleep(d) }",
        "use std as s; fn f() { let _ = s::fs::read(\"x\"); }",
        "extern crate std as s; fn f() { s::process::exit(0) }",
        "use std::{io::{self as i, Write}}; fn f() { i::stderr(); }",
        "use core::time as t; use t::Instant as I; fn f() { I::now(); }",
        "mod inner { pub use std::thread as t; } fn f() { inner::t::spawn(|| ()); }",
        "mod inner { pub use std::thread as t; } use self::inner::t as g; fn f() { g::spawn(|| ()); }",
        "mod inner { pub use std::thread as t; } use crate::planted::inner; fn f() { inner::t::sleep(d) }",
        // Paths that read the disk, on any receiver or as a function.
        "fn f(p: &Path) -> bool { p.exists() }",
        "fn f(p: &Path) -> bool { p.try_exists().is_ok() }",
        "fn f(p: &Path) { let _ = p.metadata(); }",
        "fn f(p: &Path) { let _ = p.symlink_metadata(); }",
        "fn f(p: &Path) { let _ = p.read_dir(); }",
        "fn f(p: &Path) { let _ = p.read_link(); }",
        "fn f(p: PathBuf) { let _ = p.canonicalize(); }",
        "fn f(p: &Path) -> bool { p.is_file() || p.is_dir() }",
        "fn f(p: &Path) -> bool { p.is_symlink() }",
        "fn f(ps: Vec<PathBuf>) { ps.iter().filter(|p| Path::exists(p)); }",
        "fn f(ps: Vec<PathBuf>) { ps.iter().filter(|p| std::path::Path::is_dir(p)); }",
        // Clocks of jiff.
        "fn f() { let _ = jiff::Timestamp::now(); }",
        "use jiff::Zoned; fn f() { let _ = Zoned::now(); }",
        "use jiff::civil; fn f() { let _ = civil::DateTime::now(); }",
        "fn f() { let _ = jiff::tz::TimeZone::system(); }",
        "use jiff::*;",
        // lopdf reading or writing a path.
        "fn f() { let _ = lopdf::Document::load(\"a.pdf\"); }",
        "use lopdf::Document; fn f() { let _ = Document::load_filtered(\"a.pdf\", g); }",
        "use lopdf::Document as D; fn f() { let _ = D::load_with_password(\"a.pdf\", \"\"); }",
        "fn f(mut d: lopdf::Document) { d.save(\"a.pdf\").ok(); }",
        // Rayon's own threads.
        "fn f() { rayon::spawn_fifo(|| ()); }",
        "fn f() { rayon::scope_fifo(|s| ()); }",
        "use rayon::in_place_scope; fn f() { in_place_scope(|s| ()); }",
        "fn f() { rayon::broadcast(|c| ()); }",
        "fn f() { rayon::spawn_broadcast(|c| ()); }",
        "use rayon as r; fn f() { r::spawn(|| ()); }",
        // Printing, qualified or renamed.
        "fn f() { std::println!(\"hi\"); }",
        "fn f() { ::std::print!(\"hi\"); }",
        "fn f() { core::eprintln!(\"hi\"); }",
        "fn f() { std::dbg!(1); }",
        "use std::println as say; fn f() { say!(\"hi\"); }",
        "use std::io::_print; fn f() { }",
        // Includes of anything but the vendored files, however spelled.
        "const S: &str = std::include_str!(\"/etc/passwd\");",
        "const S: &[u8] = core::include_bytes!(\"../../../Cargo.toml\");",
        "use std::include_str as inc; const S: &str = inc!(\"/etc/hosts\");",
        // Files the layer scan cannot place.
        "#[path = \"/tmp/x.rs\"] mod x;",
        // Raw identifiers.
        "fn f() { let _ = std::r#fs::read(\"x\"); }",
        "use std::r#thread; fn f() { r#thread::spawn(|| ()); }",
        // Type aliases, qualified paths and turbofish.
        "type T = jiff::Timestamp; fn f() { let _ = T::now(); }",
        "type D<'a> = lopdf::Document; fn f() { let _ = D::load(\"a.pdf\"); }",
        "fn f() { let _ = <jiff::Timestamp>::now(); }",
        "use jiff::Zoned; fn f() { let _ = <Zoned as Clone>::now(); }",
        "fn f(p: &Path) { let _ = <Path>::exists(p); }",
        "use std::thread; fn f() { thread::spawn::<_, ()>(|| ()); }",
        // Paths a macro fragment completes, and system calls without std.
        "macro_rules! m { ($x:ident) => { std::$x::read(\"p\") } } fn f() { m!(fs); }",
        "macro_rules! m { ($x:ident) => { $x::spawn(|| ()) } } use std::thread; fn f() { m!(thread); }",
        "macro_rules! m { ($($x:ident)::*) => { $($x)::*::spawn(|| ()) } } fn f() { m!(std::thread); }",
        "macro_rules! m { ($x:ident) => { $x::now() } } use jiff::Timestamp as T; fn f() { m!(T); }",
        "unsafe extern \"C\" { fn open(p: *const u8, f: i32) -> i32; }",
        "extern { fn write(fd: i32, b: *const u8, n: usize) -> isize; }",
        "fn f() { unsafe { core::arch::asm!(\"syscall\") } }",
    ];
    for src in cases {
        assert!(!planted(src).is_empty(), "not caught: {src}");
    }
}

/// A `use super::*` brings the parent's own bindings into a child module in another file.
#[test]
fn bindings_brought_by_a_glob_of_a_crate_module_are_followed() {
    let c = krate(&[
        ("planted/mod.rs", "mod child; use std::time;"),
        (
            "planted/child.rs",
            "use super::*; fn f() { time::Instant::now(); }",
        ),
    ]);
    let found = problems(&c);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains(
            "planted/child.rs:1: `time::Instant::now` (that is `std::time::Instant::now`)"
        )
    );
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
        use jiff::{Timestamp, civil::Date};
        use lopdf::Document;
        const HELP: &str = "read it with std::fs::read_to_string";
        const RAW: &str = r#"println!("not a call") std::env::var"#;
        fn f<'a>(x: &'a str) -> char { let _ = env!("CARGO_PKG_VERSION"); 'x' }
        const SCHEMA: &str = include_str!("../schemas/spdx.schema.json");
        macro_rules! codes { ($($v:ident),*) => { &[$(Code::$v),*] } }
        macro_rules! here { () => { $crate::model::Span::default() } }
        type Pair = (u8, u8);
        fn g(pdf: &[u8], t: &str) -> bool {
            let _ = Vec::<u8>::new();
            let _ = <String as Default>::default();
            let _: Pair = (1, 2);
            let _ = 1 < 2 && 3 > 2;
            let _ = Document::load_mem(pdf);
            let _ = std::collections::HashMap::<u8, u8>::new();
            let _ = Timestamp::from_second(0);
            let _ = Date::new(2026, 1, 1);
            let exists = t.len() > 1;
            let _ = io::sink().write_all(b"");
            let _ = rayon::join(|| 1, || 2);
            exists && t != "x"
        }
    "##;
    assert_eq!(planted(clean), Vec::<String>::new());
    assert_eq!(
        problems(&krate(&[(
            "catalog/mod.rs",
            "const DATA: &str = include_str!(\"catalog.toml\");"
        )])),
        Vec::<String>::new()
    );
}

#[test]
fn a_planted_cycle_is_found() {
    let c = krate(&[
        (
            "lib.rs",
            "mod model; mod diag; mod render; #[cfg(test)] mod testkit;",
        ),
        ("model.rs", "use crate::diag::Code;"),
        ("diag.rs", "fn f() { crate::model::x(); }"),
        ("render.rs", "use crate::{model::Item, testkit::T};"),
        ("testkit.rs", "use crate::render::x;"),
    ]);
    let edges = module_edges(&c);
    assert_eq!(
        find_cycle(&edges),
        Some(vec!["diag".into(), "model".into(), "diag".into()])
    );
    let bad = layering(&c);
    assert!(
        bad.iter()
            .any(|p| p.contains("diag -> model -> diag") && p.contains("diag.rs:1")),
        "{bad:?}"
    );
    // Layer 2 to layer 2 is allowed when acyclic; the test kit may use any layer.
    let layered = krate(&[
        (
            "lib.rs",
            "mod model; mod diag; mod render; #[cfg(test)] mod testkit;",
        ),
        ("model.rs", "use crate::diag::Code;"),
        (
            "render.rs",
            "use crate::model::Item; use crate::testkit::T;",
        ),
        ("testkit.rs", "use crate::render::x;"),
    ]);
    assert_eq!(layering(&layered), Vec::<String>::new());
}

/// Each of these names a higher layer from `model` (layer 2) and passed the old scan, which
/// cut the file at its first test module, skipped every `tests.rs`, read only `crate::`
/// paths, and only looked for cycles.
#[test]
fn planted_upward_edges_are_found() {
    let cases: &[&[(&str, &str)]] = &[
        // No cycle at all, only an edge up.
        &[("model.rs", "use crate::render::gap;")],
        // Code after the unit tests.
        &[(
            "model.rs",
            "#[cfg(test)]\nmod tests { use crate::render::x; }\nfn f() { crate::render::gap(\"\"); }",
        )],
        &[(
            "model.rs",
            "#[cfg(test)]\n#[allow(unused)]\npub(crate) mod tests { fn t() { crate::render::x(); } }\nuse crate::render::gap;",
        )],
        // `super::` and `self::` resolved against the module.
        &[(
            "model/span.rs",
            "fn f() { super::super::render::gap(\"\"); }",
        )],
        &[(
            "model/mod.rs",
            "mod span; fn f() { self::super::render::gap(\"\"); }",
        )],
        // Aliases of the crate and of modules.
        &[(
            "model.rs",
            "use crate as c; fn f() { c::render::gap(\"\"); }",
        )],
        &[(
            "model.rs",
            "use crate::{render as r}; fn f() { r::gap(\"\"); }",
        )],
        &[("model.rs", "use super::*; fn f() { render::gap(\"\"); }")],
        // A `tests.rs` that is no test module.
        &[
            ("model/mod.rs", "pub mod tests;"),
            ("model/tests.rs", "pub fn f() { crate::render::gap(\"\"); }"),
        ],
        // A re-export seen through the module that makes it.
        &[
            ("model.rs", "fn f() { crate::diag::gap(\"\"); }"),
            ("diag.rs", "pub use crate::render::gap;"),
        ],
    ];
    for files in cases {
        let mut all = vec![("lib.rs", "mod model; mod diag; mod render;")];
        all.extend(files.iter().copied());
        all.push(("render.rs", "pub fn gap(s: &str) {}"));
        let bad = layering(&krate(&all));
        assert!(
            bad.iter()
                .any(|p| p.contains("`model` (layer 2, model) uses")
                    && p.contains("`render` (layer 7, generated text), a higher layer")),
            "not caught: {files:?}: {bad:?}"
        );
    }
    // A test module in its own file, declared `#[cfg(test)]`, may reach any layer.
    let tests_ok = krate(&[
        ("lib.rs", "mod model; mod render;"),
        ("model/mod.rs", "#[cfg(test)]\nmod tests;"),
        ("model/tests.rs", "use crate::render::gap;"),
        ("render.rs", "use crate::model::Item;"),
    ]);
    assert_eq!(layering(&tests_ok), Vec::<String>::new());
    // A known upward use is left out by its file and path only, and a stale one is found.
    let known = krate(&[
        ("lib.rs", "mod model; mod render;"),
        (
            "model.rs",
            "use crate::render::gap;\nfn f() { crate::render::other(); }",
        ),
        ("render.rs", ""),
    ]);
    let bad = layering_except(&known, &[("model.rs", "crate::render::gap")]);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(
        bad[0].contains("model.rs:2: `model` (layer 2, model) uses `crate::render::other`"),
        "{bad:?}"
    );
    let stale = layering_except(&known, &[("model.rs", "crate::render::gone")]);
    assert!(
        stale.iter().any(|p| p.contains("no longer there")),
        "{stale:?}"
    );
    // A module in no layer.
    let stray = krate(&[
        ("lib.rs", "mod stray;"),
        ("stray.rs", "use crate::model::x;"),
    ]);
    assert!(
        layering(&stray)
            .iter()
            .any(|p| p.contains("`stray` is in no layer"))
    );
}

/// Code after literals that a hand-written lexer misread (a raw C string closed at its
/// first quote) was hidden inside a string that never ended; the Rust lexer's own rules
/// keep every case here in step, so the forbidden call after the literal is seen.
#[test]
fn code_after_tricky_literals_and_comments_is_seen() {
    let read = "fn f() { let _ = std::fs::read(\"x\"); }";
    let openers = [
        r####"const C: &CStr = cr#"say "hi" "#;"####,
        r####"const C: &CStr = cr"\";"####,
        r####"const C: &CStr = cr##"a "# b"##;"####,
        r####"const C: &CStr = c"\"\\";"####,
        r####"const B: &[u8] = br#"a"b"#;"####,
        r####"const B: &[u8] = b"\"";"####,
        r####"const Q: u8 = b'"'; const R: u8 = b'\''; const S: u8 = b'\\';"####,
        r####"const Q: char = '"'; const R: char = '\''; const S: char = '\u{22}';"####,
        r####"fn g<'a>(x: &'a str) -> char { 'l: loop { break 'l '"'; } }"####,
        r####"fn g<'a, 'b: 'a>(x: &'a str, y: &'b str) -> [char; 2] { ['\\', '\x22'] }"####,
        r####"/* outer /* inner " */ still a comment */"####,
        r####"/** a doc comment with a " quote */"####,
        r####"const S: &str = "a\
              \" continued";"####,
    ];
    let mut missed = Vec::new();
    for opener in openers {
        let src = format!("{opener}\n{read}");
        let found = planted(&src);
        let line = opener.lines().count() + 1;
        if !found
            .iter()
            .any(|p| p.contains(&format!(":{line}: `std::fs::read`")))
        {
            missed.push(format!("{opener} => {found:?}"));
        }
    }
    assert!(missed.is_empty(), "not caught:\n{}", missed.join("\n"));
    // What the literals hold stays text: no finding for a path inside them.
    assert_eq!(
        planted(r####"const C: &CStr = cr#"std::fs::read("x") "quoted""#;"####),
        Vec::<String>::new()
    );
}

/// APIs of the same classes that the first list missed: the working directory, the
/// environment through backtraces, the CPU's clock, the machine's threads, OS randomness,
/// the process-wide panic hook and the console's handles.
#[test]
fn planted_apis_missed_before_are_found() {
    let cases = [
        "fn f() { let _ = std::path::absolute(\"x\"); }",
        "use std::path; fn f() { let _ = path::absolute(\"x\"); }",
        "use std::path::absolute as abs; fn f() { let _ = abs(\"x\"); }",
        "fn f() { let _ = std::backtrace::Backtrace::capture(); }",
        "use std::backtrace::Backtrace; fn f() { let _ = Backtrace::force_capture(); }",
        "fn f() -> u64 { unsafe { core::arch::x86_64::_rdtsc() } }",
        "use ::core::arch::x86_64 as cpu; fn f() -> u64 { unsafe { cpu::_rdtsc() } }",
        "fn f() { let _ = std::thread::available_parallelism(); }",
        "use std::thread; fn f() { let _ = thread::available_parallelism(); }",
        "fn f() { let _ = std::thread::current().id(); }",
        "fn f() { std::thread::yield_now(); }",
        "fn f() { let _ = std::hash::RandomState::new(); }",
        "use std::collections::hash_map::RandomState; fn f() { let _ = RandomState::new(); }",
        "fn f() { std::panic::set_hook(Box::new(|_| ())); }",
        "fn f() { let _ = std::panic::take_hook(); }",
        "fn f(out: std::io::Stdout) {}",
        "use std::io::StderrLock;",
    ];
    let missed: Vec<&str> = cases
        .into_iter()
        .filter(|src| planted(src).is_empty())
        .collect();
    assert!(missed.is_empty(), "not caught: {missed:#?}");
}

/// The file system, clock, time zone and randomness APIs found by reading the allowed
/// crates' sources (issue 10): each way of reaching them is caught, and the core's own
/// look-alikes (a `timeout` field, `load_mem`, a fixed `TimeZone`) are not.
#[test]
fn planted_dependency_io_is_found() {
    let cases = [
        // lopdf's `extract_stream` writes `<id>.bin` in the working directory.
        "fn f(d: &lopdf::Document) { let _ = d.extract_stream((1, 0), true); }",
        "use lopdf::Document; fn f(d: &Document) { let _ = Document::extract_stream(d, (1, 0), false); }",
        // lopdf's encryption draws from the operating system's randomness.
        "fn f<D, S>(d: &mut D, s: &S) { let _ = d.encrypt(s); }",
        "use lopdf::{EncryptionState, EncryptionVersion};",
        "use lopdf as pdf; fn f(v: pdf::EncryptionVersion) { let _ = pdf::EncryptionState::try_from(v); }",
        "fn f() { let _ = lopdf::encryption::Permissions::all(); }",
        "fn f() { let _ = lopdf::xobject::image(\"logo.png\"); }",
        // quick-xml opens a path.
        "fn f() { let _ = quick_xml::Reader::from_file(\"report.xml\"); }",
        // jiff looks a zone up in the time zone database.
        "fn f(t: jiff::Timestamp) { let _ = t.in_tz(\"Europe/Berlin\"); }",
        "use jiff::civil::Date; fn f(d: Date) { let _ = Date::in_tz(d, \"UTC\"); }",
        "use jiff::tz::TimeZone; fn f() { let _ = TimeZone::get(\"Europe/Berlin\"); }",
        "use jiff::tz; fn f() { let _ = tz::TimeZone::get(\"UTC\"); }",
        "fn f() { let _ = jiff::tz::TimeZone::system(); }",
        "use jiff::tz::TimeZone as Tz; fn f() { let _ = Tz::try_system(); }",
        // similar's diff deadline reads the clock.
        "fn f(a: &str, b: &str) { let _ = similar::TextDiff::configure().timeout(D).diff_words(a, b); }",
        "fn f() { let _ = similar::Instant::now(); }",
        "use similar::Instant as I; fn f() { let _ = I::now(); }",
        "use similar::*;",
    ];
    let missed: Vec<&str> = cases
        .into_iter()
        .filter(|src| planted(src).is_empty())
        .collect();
    assert!(missed.is_empty(), "not caught: {missed:#?}");
    let found = planted("fn f(d: &lopdf::Document) { let _ = d.extract_stream((1, 0), true); }");
    assert!(
        found.len() == 1
            && found[0].contains("`.extract_stream(..)`")
            && found[0].contains("<id>.bin"),
        "{found:?}"
    );
    let found = planted("use jiff::tz::TimeZone; fn f() { let _ = TimeZone::get(\"UTC\"); }");
    assert!(
        found
            .iter()
            .any(|p| p.contains("jiff::tz::TimeZone::get") && p.contains("time zone database")),
        "{found:?}"
    );
    let clean = r#"
        use jiff::tz::TimeZone;
        use lopdf::Document;
        use similar::TextDiff;
        struct Diagram { timeout: f64 }
        fn f(d: &Diagram, pdf: &[u8], a: &str, b: &str) -> f64 {
            let _ = Document::load_mem(pdf);
            let _ = TimeZone::UTC;
            let _ = TimeZone::fixed(jiff::tz::offset(1));
            let _ = TextDiff::from_words(a, b);
            d.timeout
        }
    "#;
    assert_eq!(planted(clean), Vec::<String>::new());
}

/// Methods added to a lower module's type from a higher module are an upward call with no
/// path: `model` calls `item.draw()`, defined in `render`.
#[test]
fn planted_inherent_impls_in_another_module_are_found() {
    let model = "pub struct Item; pub struct Wrap<T>(T); pub trait Draw {}";
    let cases = [
        "impl crate::model::Item { pub fn draw(&self) {} }",
        "use crate::model::Item; impl Item { pub fn draw(&self) {} }",
        "use crate::model as m; impl m::Item { pub fn draw(&self) {} }",
        "use crate::model::{self, Item as Shown}; impl Shown {}",
        "use crate::model::*; impl Item { pub fn draw(&self) {} }",
        "type I = crate::model::Item; impl I { pub fn draw(&self) {} }",
        "impl<T: Clone> crate::model::Wrap<T> { pub fn draw(&self) {} }",
        "#[allow(unused)]\nimpl super::model::Item { fn draw(&self) {} }",
        "mod inner { impl crate::model::Item { pub fn draw(&self) {} } }",
        "impl crate::Root { pub fn draw(&self) {} }",
        "#[cfg(not(test))]\nmod tests { impl crate::model::Item { fn draw(&self) {} } }",
    ];
    let mut missed = Vec::new();
    for case in cases {
        let c = krate(&[
            ("lib.rs", "mod model; mod render; pub struct Root;"),
            ("model.rs", model),
            ("render.rs", case),
        ]);
        let bad = layering(&c);
        if !bad.iter().any(|p| {
            p.contains("render.rs:") && p.contains("inherent `impl ") && p.contains("in `render`")
        }) {
            missed.push(format!("{case} => {bad:?}"));
        }
    }
    assert!(missed.is_empty(), "not caught:\n{}", missed.join("\n"));
    // `impl Trait` types, the module's own types and test modules stay allowed (trait
    // impls have their own rule: `planted_trait_impls_in_a_third_module_are_found`).
    let allowed = [
        "fn f() -> impl crate::model::Draw { crate::model::Item }",
        "fn g(x: impl crate::model::Draw) {}",
        "pub struct Page; impl Page { fn draw(&self) {} }",
        "mod part { pub struct Cell; } impl part::Cell {} impl self::part::Cell {}",
        "#[cfg(test)]\nmod tests { impl crate::model::Item { fn draw(&self) {} } }",
    ];
    for case in allowed {
        let c = krate(&[
            ("lib.rs", "mod model; mod render; pub struct Root;"),
            ("model.rs", model),
            ("render.rs", case),
        ]);
        assert_eq!(layering(&c), Vec::<String>::new(), "{case}");
    }
    // A block in a submodule of the type's own top-level module is fine.
    let own = krate(&[
        ("lib.rs", "mod render;"),
        ("render/mod.rs", "mod svg; pub struct Page;"),
        ("render/svg.rs", "impl super::Page { fn draw(&self) {} }"),
    ]);
    assert_eq!(layering(&own), Vec::<String>::new());
}

/// A module is left out as test-only when every declaration of it is exactly
/// `#[cfg(test)]`; a twin declared otherwise compiles the same code into the library.
#[test]
fn planted_test_module_twins_are_scanned() {
    let gap = "pub fn f() { crate::render::gap(\"\"); }";
    let cases: &[&[(&str, &str)]] = &[
        &[
            (
                "model/mod.rs",
                "#[cfg(test)]\nmod tests;\n#[cfg(not(test))]\nmod tests;",
            ),
            ("model/tests.rs", gap),
        ],
        &[
            (
                "model/mod.rs",
                "#[cfg(test)]\npub mod tests;\n#[cfg(not(test))]\npub(crate) mod tests;",
            ),
            ("model/tests.rs", gap),
        ],
        &[
            ("model/mod.rs", "#[cfg(any(test, not(test)))]\nmod tests;"),
            ("model/tests.rs", gap),
        ],
        &[
            (
                "model/mod.rs",
                "#[cfg(test)]\n#[cfg_attr(not(test), cfg(all()))]\nmod tests;",
            ),
            ("model/tests.rs", gap),
        ],
        &[(
            "model.rs",
            "#[cfg(test)]\nmod tests { }\n#[cfg(not(test))]\nmod tests { pub fn f() { crate::render::gap(\"\"); } }",
        )],
    ];
    for files in cases {
        let mut all = vec![("lib.rs", "mod model; mod render;")];
        all.extend(files.iter().copied());
        all.push(("render.rs", "pub fn gap(s: &str) {}"));
        let bad = layering(&krate(&all));
        assert!(
            bad.iter()
                .any(|p| p.contains("`model` (layer 2, model) uses")),
            "not caught: {files:?}: {bad:?}"
        );
    }
    // The test kit is exempt from the layers only when declared `#[cfg(test)]` alone.
    for decl in [
        "#[cfg(test)] mod testkit; #[cfg(not(test))] mod testkit;",
        "#[cfg(any(test, feature = \"kit\"))] mod testkit;",
        "#[cfg_attr(test, allow(unused))] mod testkit;",
    ] {
        let lib = format!("mod model; mod render; {decl}");
        let c = krate(&[
            ("lib.rs", lib.as_str()),
            ("model.rs", ""),
            ("render.rs", ""),
            ("testkit.rs", "use crate::render::x;"),
        ]);
        assert!(
            layering(&c)
                .iter()
                .any(|p| p.contains("`testkit` is in no layer")),
            "not caught: {decl}"
        );
    }
    let kit = krate(&[
        (
            "lib.rs",
            "mod model; mod render;\n#[cfg(test)]\n#[allow(unused)]\npub mod testkit;",
        ),
        ("model.rs", "#[cfg(test)]\npub(crate) mod tests;"),
        ("model/tests.rs", "use crate::render::x;"),
        ("render.rs", ""),
        ("testkit.rs", "use crate::render::x;"),
    ]);
    assert_eq!(layering(&kit), Vec::<String>::new());
}

/// `#[path]` maps a module to a file the scan would read under another module's name, or
/// not at all; `cfg_attr` can set it too.
#[test]
fn planted_path_attributes_are_found() {
    let cases = [
        "#[path = \"/tmp/x.rs\"] mod x;",
        "#[cfg_attr(not(test), path = \"../../schemas/x.rs\")] mod x;",
        "#[cfg_attr(all(), path = \"elsewhere.rs\")]\npub(crate) mod x;",
        "#[cfg_attr(unix, allow(unused), path = \"x.rs\")] mod x;",
        "#[cfg_attr(any(unix, windows), cfg_attr(all(), path = \"x.rs\"))] mod x;",
        "#[allow(unused)]\n#[cfg_attr(test, path = \"x.rs\")] mod x;",
        "mod outer { #![cfg_attr(all(), path = \"x\")] mod inner; }",
    ];
    let missed: Vec<&str> = cases
        .into_iter()
        .filter(|src| !planted(src).iter().any(|p| p.contains("`#[path = ..]`")))
        .collect();
    assert!(missed.is_empty(), "not caught: {missed:#?}");
    assert_eq!(
        planted("#[cfg_attr(test, derive(Debug))] struct S { path: u8 }"),
        Vec::<String>::new()
    );
}

/// `include!` compiles in Rust that the scan never reads, even from the vendored folder
/// (the names are real files there, which `include_str!` may read).
#[test]
fn planted_include_of_rust_is_found() {
    let cases = [
        "include!(\"../schemas/diff.schema.json\");",
        "fn f() -> u8 { include!(\"../schemas/jsf-0.82.schema.json\") }",
        "const X: u8 = core::include!(\"../schemas/jsf-0.82.schema.json\");",
        "const X: u8 = std::include!(\"../schemas/jsf-0.82.schema.json\");",
        "const X: u8 = ::core::include!(concat!(\"../schemas/\", \"value.rs\"));",
        "use std::include as inc; inc!(\"../schemas/diff.schema.json\");",
        "macro_rules! pull { () => { include!(\"../schemas/diff.schema.json\"); } } pull!();",
    ];
    let missed: Vec<&str> = cases
        .into_iter()
        .filter(|src| !planted(src).iter().any(|p| p.contains("`include!`")))
        .collect();
    assert!(missed.is_empty(), "not caught: {missed:#?}");
}

/// A file the Rust lexer rejects fails the scan by its name rather than being skipped.
#[test]
fn a_file_that_is_not_rust_tokens_fails_by_name() {
    let caught = std::panic::catch_unwind(|| {
        krate(&[("unreadable.rs", "fn f() { let s = \"never closed; }")])
    });
    let message = caught
        .err()
        .and_then(|p| p.downcast::<String>().ok())
        .expect("the scan must fail on a file it cannot tokenize");
    assert!(
        message.contains("unreadable.rs:1:") && message.contains("cannot read this file"),
        "{message}"
    );
}

/// The third round of evasions of the source scan: a path made only of macro fragments, a
/// path in an attribute's string that a derive calls, the console through a dependency's
/// re-export of termcolor, and the machine's or the OS's state (threads, CPU features, the
/// last OS error, the OS-seeded hasher reached without naming `RandomState`).
#[test]
fn planted_third_round_evasions_are_found() {
    let cases = [
        // (a) A path made only of fragments, or joined by a repetition.
        "macro_rules! m { ($a:ident $b:ident) => { $a::$b::read_to_string(\"x\") }; }\n\
         fn f() { let _ = m!(std fs); }",
        "macro_rules! m { ($p:path) => { $p::read(\"x\") }; }\nfn f() { m!(something); }",
        "macro_rules! m { ($($t:tt)*) => { $($t)::*::read_to_string(\"x\") }; }\n\
         fn f() { m!(std fs); }",
        "macro_rules! m { ($($t:ident)*) => { $(::$t)*::read_to_string(\"x\") }; }\n\
         fn f() { m!(std fs); }",
        // (b) Paths inside attribute strings.
        "#[derive(serde::Deserialize)] struct S { #[serde(default = \"std::process::id\")] a: u32 }",
        "#[derive(serde::Serialize)] struct S { #[serde(with = \"::std::fs\")] a: u32 }",
        "#[derive(serde::Serialize)] struct S { #[serde(serialize_with = \"std::env::var\")] a: u32 }",
        "#[derive(serde::Deserialize)] struct S { #[serde(deserialize_with = \"jiff::Timestamp::now\")] a: u32 }",
        "#[derive(serde::Deserialize)] struct S<T> { #[serde(bound = \"T: From<std::process::Child>\")] a: T }",
        "#[cfg_attr(all(), getter = \"std::time::Instant::now\")] struct S;",
        // (c) The console through codespan-reporting's re-export of termcolor.
        "fn f() { let _ = codespan_reporting::term::termcolor::StandardStream::stdout(\
         codespan_reporting::term::termcolor::ColorChoice::Never); }",
        "use codespan_reporting::term::termcolor; fn f() { let _ = termcolor::BufferWriter::stderr(termcolor::ColorChoice::Never); }",
        "use codespan_reporting::term::termcolor::StandardStream as S; fn f() { let _ = S::stderr(c); }",
        "use codespan_reporting::term::termcolor::*;",
        "use codespan_reporting::term; fn f() { let _ = term::termcolor::BufferedStandardStream::stdout(c); }",
        "fn f() { let _ = termcolor::StandardStream::stdout(c).lock(); }",
        // (d) The machine's and the operating system's state.
        "fn f() -> usize { rayon::current_num_threads() }",
        "use rayon::current_thread_index as idx; fn f() { let _ = idx(); }",
        "fn f() -> bool { is_x86_feature_detected!(\"avx2\") }",
        "fn f() -> bool { std::arch::is_aarch64_feature_detected!(\"neon\") }",
        "fn f() -> bool { is_riscv_feature_detected!(\"v\") }",
        "fn f() { let _ = std::io::Error::last_os_error(); }",
        "use std::io; fn f() { let _ = io::Error::last_os_error(); }",
        "type E = std::io::Error; fn f() { let _ = E::last_os_error(); }",
        "fn f() -> u64 { std::collections::HashMap::<u8, u8>::new().hasher().hash_one(1) }",
        "fn f<S: std::hash::BuildHasher + Default>() -> u64 { S::default().hash_one(1) }",
        "fn f(m: &std::collections::HashSet<u8>) { let _ = m.hasher().build_hasher(); }",
        "fn f<B: std::hash::BuildHasher>() { let _ = <B as std::hash::BuildHasher>::hash_one; }",
    ];
    let missed: Vec<&str> = cases
        .into_iter()
        .filter(|src| planted(src).is_empty())
        .collect();
    assert!(missed.is_empty(), "not caught: {missed:#?}");
    // What the core really has stays allowed: `words!`-style bodies whose fragment paths
    // start at an item the macro defines, `codes!`-style `Code::$variant`, a `hasher`
    // field, termcolor's in-memory writers, and serde attributes naming local functions.
    let allowed = [
        "macro_rules! words { ($name:ident { $($v:ident = $w:literal,)* }) => {\n\
             enum $name { $($v,)* }\n\
             impl $name { const ALL: &'static [$name] = &[$($name::$v),*]; }\n\
         }; }",
        "macro_rules! codes { ($($v:ident = $n:literal;)*) => {\n\
             pub enum Code { $($v,)* }\n\
             impl Code { fn as_str(self) -> &'static str { match self { $(Code::$v => $n,)* } } }\n\
         }; }",
        "struct D { hasher: sha2::Sha256 } impl D { fn f(&mut self) { self.hasher.update(b\"x\"); } }",
        "use codespan_reporting::term; fn f(buf: &mut Vec<u8>) { let _ = term::termcolor::NoColor::new(buf); let _ = term::termcolor::Ansi::new(buf); }",
        "fn list() {}\n#[derive(serde::Deserialize)] struct S { #[serde(deserialize_with = \"list\", rename = \"type\", skip_serializing_if = \"Option::is_none\", rename_all = \"kebab-case\")] a: u32 }",
        "/// Calls std::fs::read_to_string and std::process::id.\nfn f() {}",
    ];
    for src in allowed {
        assert_eq!(planted(src), Vec::<String>::new(), "{src}");
    }
}

/// A module-level orphan rule: a trait impl stands in the module of the trait or of the
/// type, or `model` runs `render`'s code through `span.drawn()` with no path naming it.
/// Each of these passed when trait impls were allowed anywhere.
#[test]
fn planted_trait_impls_in_a_third_module_are_found() {
    let model = "pub struct Span; pub struct Wrap<T>(T); pub trait Drawn { fn drawn(&self) {} }";
    let cases = [
        "impl crate::model::Drawn for crate::model::Span {}",
        "use crate::model::{Drawn, Span}; impl Drawn for Span {}",
        "use crate::model::*; impl Drawn for Span {}",
        "use crate::model as m; impl<T> m::Drawn for m::Wrap<T> {}",
        "type S = crate::model::Span; impl crate::model::Drawn for S {}",
        "impl crate::model::Drawn for &crate::model::Span {}",
        "impl<T: Clone> crate::model::Drawn for T {}",
        "impl crate::model::Drawn for [u8] {}",
        "impl crate::model::Drawn for (u8, u8) {}",
        "use std::fmt; impl fmt::Display for crate::model::Span { fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { Ok(()) } }",
        "impl Default for crate::model::Span { fn default() -> Self { todo!() } }",
        "mod inner { impl crate::model::Drawn for crate::model::Span {} }",
        "impl From<crate::model::Span> for String { fn from(_: crate::model::Span) -> String { String::new() } }",
        "use crate::model::Span; impl std::fmt::Display for Box<Span> { fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result { Ok(()) } }",
    ];
    let mut missed = Vec::new();
    for case in cases {
        let c = krate(&[
            ("lib.rs", "mod model; mod render;"),
            ("model.rs", model),
            ("render.rs", case),
        ]);
        let bad = layering(&c);
        if !bad
            .iter()
            .any(|p| p.contains("render.rs:") && p.contains("in `render`, which defines neither"))
        {
            missed.push(format!("{case} => {bad:?}"));
        }
    }
    assert!(missed.is_empty(), "not caught:\n{}", missed.join("\n"));
    // The trait's module or the type's module may hold the impl; so may a submodule of
    // either, and for an outside trait and type, the module of a crate type among the
    // arguments.
    let allowed = [
        (
            "render.rs",
            "pub struct Page; impl crate::model::Drawn for Page {}",
        ),
        (
            "render.rs",
            "pub struct Page; impl std::fmt::Display for Page { fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result { Ok(()) } }",
        ),
        (
            "render.rs",
            "pub trait Paint {} impl Paint for crate::model::Span {} impl<T> Paint for Vec<T> {}",
        ),
        (
            "render.rs",
            "pub struct Page; impl From<Page> for String { fn from(_: Page) -> String { String::new() } }",
        ),
        (
            "render.rs",
            "mod part { pub struct Cell; } impl crate::model::Drawn for part::Cell {}",
        ),
        (
            "render.rs",
            "#[cfg(test)]\nmod tests { impl crate::model::Drawn for crate::model::Span {} }",
        ),
        ("render.rs", "pub struct Page; impl !Send for Page {}"),
    ];
    for (file, case) in allowed {
        let c = krate(&[
            ("lib.rs", "mod model; mod render;"),
            ("model.rs", model),
            (file, case),
        ]);
        assert_eq!(layering(&c), Vec::<String>::new(), "{case}");
    }
    let own = krate(&[
        ("lib.rs", "mod model;"),
        ("model/mod.rs", "mod span; pub trait Drawn {}"),
        (
            "model/span.rs",
            "pub struct Span; impl super::Drawn for Span {}",
        ),
    ]);
    assert_eq!(layering(&own), Vec::<String>::new());
}

/// A `macro_rules!` defined in a high module reaches a low one through `#[macro_use]`, or
/// through textual scope when `lib.rs` defines it before its `mod` lines; its body runs
/// where it is called, so `model` calling `up_call!()` uses `diff`.
#[test]
fn planted_macros_that_carry_a_higher_layer_down_are_found() {
    let model = "pub fn f() { up_call!(); }";
    let crates = [
        vec![
            ("lib.rs", "#[macro_use]\npub mod diff;\nmod model;"),
            (
                "diff/mod.rs",
                "pub fn up_target() {}\nmacro_rules! up_call { () => { crate::diff::up_target() } }",
            ),
            ("model.rs", model),
        ],
        vec![
            (
                "lib.rs",
                "macro_rules! up_call { () => { $crate::diff::up_target() } }\npub mod diff;\nmod model;",
            ),
            ("diff/mod.rs", "pub fn up_target() {}"),
            ("model.rs", model),
        ],
        vec![
            (
                "lib.rs",
                "macro_rules! up_call { () => { diff::up_target() } }\npub mod diff;\nmod model;",
            ),
            ("diff/mod.rs", "pub fn up_target() {}"),
            ("model.rs", model),
        ],
    ];
    for files in crates {
        let c = krate(&files);
        let bad = layering(&c);
        assert!(
            bad.iter()
                .any(|p| p.contains("model") && p.contains("diff") && p.contains("up_call!")),
            "{files:?}: {bad:?}"
        );
    }
    // `#[macro_use]` and `#[macro_export]` are refused by the source scan as such.
    let c = krate(&[
        ("lib.rs", "#[macro_use]\npub mod diff;"),
        (
            "diff/mod.rs",
            "#[macro_export]\nmacro_rules! m { () => {} }",
        ),
    ]);
    let bad = problems(&c);
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad.iter().all(|p| p.contains("carries a macro")), "{bad:?}");
    // A macro called in its own module, or from above, is no upward use.
    let c = krate(&[
        ("lib.rs", "mod model;\nmod diff;"),
        (
            "model.rs",
            "macro_rules! low { () => { crate::model::g() } }\npub fn g() {}\npub fn f() { low!(); }",
        ),
        ("diff/mod.rs", "pub fn h() { crate::model::f(); }"),
    ]);
    assert_eq!(layering(&c), Vec::<String>::new());
}
