//! mdBook's `links` preprocessor, reproduced with provenance: the text of a chapter with
//! `{{#include}}`, `{{#rustdoc_include}}` and `{{#playground}}` expanded, escapes
//! `\{{#...}}` and `{{#title}}` marked for removal, exactly as mdBook 0.5.4 does it
//! (`mdbook-driver`, `builtin_preprocessors/links.rs`), so that `check` and the link check
//! of a build read the text mdBook renders, with every byte mapped to the file it came
//! from and every included piece to the directive that brought it.
//!
//! mdBook's rules:
//! - a helper's path is relative to the folder of the file it is written in (the chapter,
//!   or the included file for nested helpers);
//! - included text is expanded again, at most `MAX_DEPTH` levels deep; at that depth
//!   every helper, escapes included, is dropped without a trace ("Stack depth exceeded");
//! - a helper whose file cannot be read stays in the page as written;
//! - an escape `\{{#...}}` loses its backslash and a `{{#title ...}}` disappears, but only
//!   in text that mdBook expands (escapes in the chapter, and in included text).
//!
//! Pure: the edge hands the files that helpers name (`Included`). A helper that reaches
//! outside `src` is reported (`include-outside-src`), and followed as mdBook follows it
//! when the edge could read the file, so the page is the one mdBook renders and the
//! findings after it keep their places.

pub(crate) mod chapter;
pub(crate) mod lines;
pub(crate) mod syntax;

use crate::diag::{Code, Diagnostic};
use crate::load::InputError;
use crate::model::{FileId, SourceMap, Span};
use crate::render::Mapped;
use crate::render::directive;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use syntax::Helper;

/// How deep mdBook expands helpers in included text (its `MAX_LINK_NESTED_DEPTH`).
pub(crate) const MAX_DEPTH: usize = 10;

/// A chapter whose includes expand to more than this is not expanded further: only an
/// include cycle that multiplies at every level gets there, and it is reported anyway.
const MAX_EXPANDED: usize = 64 << 20;

/// A file under `src` that a helper names, as the analysis holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Included {
    Text(FileId),
    /// Not UTF-8: mdBook cannot read it. The file is in the source map (decoded lossily)
    /// and `at` is its first invalid byte.
    NotUtf8 {
        file: FileId,
        at: usize,
    },
    /// The edge could not read it.
    Failed(InputError),
}

/// The files includes see.
#[derive(Clone, Debug, Default)]
pub(crate) struct Files<'a> {
    /// The files directives name, by path relative to `src` (forward slashes, no `.` or
    /// `..`), and those outside `src` by absolute path (`/` first, no `.` or `..`). A path
    /// under `src` that is not here does not exist, or is not a file.
    pub(crate) read: BTreeMap<String, Included>,
    /// Every file under `src`, for "did you mean" help.
    pub(crate) all: Option<&'a BTreeSet<String>>,
    /// The absolute path of `src`, one entry per folder, so that a path that climbs out
    /// of `src` and back in (`../src/a.md`) is found inside it, as the file system finds
    /// it. Empty when unknown: then every path that climbs out is outside.
    pub(crate) root: Vec<String>,
}

/// Who takes a marked range out of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum By {
    /// mdBook's `links` preprocessor (escape backslashes, `{{#title}}`).
    Links,
    /// The plugin (the backslash of `\{{#techfile`, when mdBook's `links` does not run).
    Plugin,
}

/// A range of the expanded text that is not on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Removal {
    pub(crate) range: Range<usize>,
    pub(crate) by: By,
}

/// A chapter's text with its helpers expanded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Expansion {
    /// The text with included text spliced in; escapes and titles still as written.
    pub(crate) text: Mapped,
    /// What comes out of `text` to make the page, sorted by position.
    pub(crate) removals: Vec<Removal>,
    /// The files (relative to `src`) whose text was read.
    pub(crate) used: BTreeSet<String>,
}

impl Expansion {
    /// The text with every removal applied: what the page shows.
    pub(crate) fn page(&self) -> Mapped {
        self.text.edit(
            self.removals
                .iter()
                .map(|r| (r.range.clone(), Mapped::new())),
        )
    }
}

/// A chapter without mdBook's `links` preprocessor: nothing is expanded, and the plugin
/// removes the backslash of its own escape `\{{#techfile`.
pub(crate) fn plain(text: Mapped) -> Expansion {
    let removals = text
        .text
        .match_indices(directive::ESCAPED)
        .map(|(at, _)| Removal {
            range: at..at + 1,
            by: By::Plugin,
        })
        .collect();
    Expansion {
        text,
        removals,
        used: BTreeSet::new(),
    }
}

/// Expands the helpers of a chapter as mdBook's `links` preprocessor does. `path` is the
/// chapter's file relative to `src`; `files` holds what helpers may read. Findings: a
/// helper that leaves `src` (`include-outside-src`), names no file (`include-not-found`)
/// or a file that cannot be read (`read-error`, `not-utf8`, `file-too-large`), and
/// helpers dropped at mdBook's depth limit (`include-cycle`).
pub(crate) fn expand(
    map: &SourceMap,
    text: Mapped,
    path: &str,
    files: &Files<'_>,
) -> (Expansion, Vec<Diagnostic>) {
    let mut x = Expander {
        map,
        files,
        diags: Vec::new(),
        reported: BTreeSet::new(),
        used: BTreeSet::new(),
        out: Mapped::new(),
        removals: Vec::new(),
        chain: vec![(path.to_string(), None)],
    };
    x.run(&text, parent(path), 0);
    let expansion = Expansion {
        text: x.out,
        removals: x.removals,
        used: x.used,
    };
    (expansion, x.diags)
}

/// Whether mdBook's `links` preprocessor may still add text to `text`: it holds one of
/// the directives that include files. For a chapter whose text the plugin did not expand
/// itself (another preprocessor changed it), so that its ids are not all known.
pub(crate) fn may_add_text(text: &str) -> bool {
    syntax::find(text).iter().any(|f| f.helper.path().is_some())
}

/// The files the directives written in `text` name, when `text` is the file `path`
/// (relative to `src`, whose absolute path is `root`, or absolute outside it): what the
/// edge reads for `expand`, each keyed as in `Files::read`. Directives in lines an
/// include leaves out are listed too; reading one file too many costs nothing.
pub fn targets(text: &str, path: &str, root: &[String]) -> Vec<String> {
    let dir = parent(path);
    syntax::find(text)
        .iter()
        .filter_map(|f| match locate(root, dir, f.helper.path()?)? {
            Target::Inside(p) | Target::Outside(p) => Some(p),
        })
        .collect()
}

/// Where a directive's path leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A file under `src`, relative to it.
    Inside(String),
    /// A file outside `src`, by absolute path (`/` first).
    Outside(String),
}

/// `path` (as written in a directive) resolved against the folder `dir` (relative to
/// `src`, whose absolute path is `root`, or absolute when the directive is in a file
/// outside `src`), `.` and `..` removed. `None` when it leads out of `src` and `root` is
/// not known, so the place cannot be named.
pub(crate) fn locate(root: &[String], dir: &str, path: &str) -> Option<Target> {
    let absolute = path.starts_with('/');
    if (absolute || dir.starts_with('/')) && root.is_empty() {
        return None;
    }
    let mut parts: Vec<&str> = if absolute || dir.starts_with('/') {
        Vec::new()
    } else {
        root.iter().map(String::as_str).collect()
    };
    // The folder of a chapter listed as `a/b/../b/x.md` is resolved like the path.
    let dir = if absolute { "" } else { dir };
    for seg in dir.split('/').chain(path.split('/')) {
        match seg {
            "" | "." => {}
            // `..` at the top of the file system stays there, as in the file system.
            ".." => {
                if parts.pop().is_none() && root.is_empty() {
                    return None;
                }
            }
            s => parts.push(s),
        }
    }
    let inside = parts.len() > root.len() && parts.iter().zip(root).all(|(a, b)| a == b);
    if inside {
        Some(Target::Inside(parts[root.len()..].join("/")))
    } else if root.is_empty() || parts.is_empty() {
        None
    } else {
        Some(Target::Outside(format!("/{}", parts.join("/"))))
    }
}

/// `path` (as written in a directive) resolved against the folder `dir`, when it leads to
/// a file under `src` (see [`locate`]).
#[cfg(test)]
pub(crate) fn resolve(root: &[String], dir: &str, path: &str) -> Option<String> {
    match locate(root, dir, path)? {
        Target::Inside(p) => Some(p),
        Target::Outside(_) => None,
    }
}

/// How a findings names a file a directive reads: relative to `src`, `../` first for a
/// file outside it (`root` is the absolute path of `src`).
fn shown(root: &[String], file: &str) -> String {
    let Some(abs) = file.strip_prefix('/') else {
        return file.to_string();
    };
    let parts: Vec<&str> = abs.split('/').collect();
    let common = parts
        .iter()
        .zip(root)
        .take_while(|(a, b)| **a == b.as_str())
        .count();
    format!(
        "{}{}",
        "../".repeat(root.len() - common),
        parts[common..].join("/")
    )
}

/// The folder of a path relative to `src` (`""` at the top).
fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |p| &path[..p])
}

/// How a directive in folder `dir` names `target` (both relative to `src`).
fn relative(dir: &str, target: &str) -> String {
    let from: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let to: Vec<&str> = target.split('/').collect();
    let common = from
        .iter()
        .zip(&to)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to.len().saturating_sub(1));
    let mut out = "../".repeat(from.len() - common);
    out.push_str(&to[common..].join("/"));
    out
}

struct Expander<'a> {
    map: &'a SourceMap,
    files: &'a Files<'a>,
    diags: Vec<Diagnostic>,
    /// (code, primary span) of the findings made: text included many times (a cycle)
    /// holds the same helper many times, and it is reported once.
    reported: BTreeSet<(Code, Option<Span>)>,
    used: BTreeSet<String>,
    out: Mapped,
    removals: Vec<Removal>,
    /// The files being expanded, the chapter first, each with the helper that included it.
    chain: Vec<(String, Option<Span>)>,
}

impl Expander<'_> {
    fn run(&mut self, input: &Mapped, dir: &str, depth: usize) {
        let mut done = 0;
        for found in syntax::find(&input.text) {
            let range = found.range.clone();
            let span = input.span_of(range.clone());
            let path = match &found.helper {
                Helper::Escaped | Helper::Title => {
                    self.out.append_range(input, done..range.start);
                    done = range.end;
                    if depth >= MAX_DEPTH {
                        self.too_deep(span);
                        continue;
                    }
                    let at = self.out.text.len();
                    self.out.append_range(input, range.clone());
                    let end = match found.helper {
                        Helper::Escaped => at + 1,
                        _ => self.out.text.len(),
                    };
                    self.removals.push(Removal {
                        range: at..end,
                        by: By::Links,
                    });
                    continue;
                }
                Helper::Include { path, .. } | Helper::Playground { path, .. } => *path,
            };
            // A helper that cannot be read stays in the page as written.
            let Some((file, file_id)) = self.read(dir, path, span) else {
                continue;
            };
            if self.out.text.len() > MAX_EXPANDED {
                self.report(
                    Diagnostic::new(
                        Code::IncludeCycle,
                        format!(
                            "the includes of this chapter expand to more than {} MiB",
                            MAX_EXPANDED >> 20
                        ),
                    ),
                    span,
                    "not expanded",
                    "an include cycle multiplies the text at every level: remove the include that closes it",
                    self.chain.len(),
                );
                continue;
            }
            let text = self.map.text(file_id);
            let content = match &found.helper {
                Helper::Include {
                    select,
                    rustdoc: false,
                    ..
                } => lines::include(file_id, text, select, span),
                Helper::Include { select, .. } => {
                    lines::rustdoc_include(file_id, text, select, span)
                }
                Helper::Playground { attrs, .. } => lines::playground(file_id, text, attrs, span),
                Helper::Escaped | Helper::Title => Mapped::new(),
            };
            self.out.append_range(input, done..range.start);
            done = range.end;
            if depth >= MAX_DEPTH {
                self.too_deep(span);
                continue;
            }
            let start = self.out.text.len();
            let file_dir = parent(&file).to_string();
            self.chain.push((file, span));
            self.run(&content, &file_dir, depth + 1);
            self.chain.pop();
            if let Some(s) = span {
                self.out.mark_included(start, s);
            }
        }
        self.out.append_range(input, done..input.text.len());
    }

    /// The file a directive reads, when it can be read; else a finding.
    fn read(&mut self, dir: &str, path: &str, span: Option<Span>) -> Option<(String, FileId)> {
        let depth = self.chain.len();
        let outside = |x: &mut Self| {
            x.report(
                Diagnostic::new(
                    Code::IncludeOutsideSrc,
                    format!("`{path}` is outside the book's src folder"),
                ),
                span,
                "this directive reads a file outside `src`",
                "mdBook includes it, and the check reads it as mdBook does, but it is no file of the book: `mdbook serve` does not rebuild when it changes, and a copy of the book (or of its src folder) loses it; move the file under src and include it from there (paths are relative to the folder of the file the directive is in)",
                depth,
            );
        };
        let file = match locate(&self.files.root, dir, path) {
            Some(Target::Inside(file)) => file,
            Some(Target::Outside(file)) => {
                outside(self);
                // Followed as mdBook follows it; a file that cannot be read stays a
                // directive in the page, as mdBook leaves it.
                return match self.files.read.get(&file) {
                    Some(Included::Text(id)) => {
                        self.used.insert(file.clone());
                        Some((file, *id))
                    }
                    _ => None,
                };
            }
            None => {
                outside(self);
                return None;
            }
        };
        let (failure, label) = match self.files.read.get(&file) {
            Some(Included::Text(id)) => {
                self.used.insert(file.clone());
                return Some((file, *id));
            }
            None => {
                let near = self
                    .files
                    .all
                    .and_then(|all| crate::suggest::closest(&file, all.iter().map(String::as_str)));
                let help = match near {
                    // From a file outside `src`, the way back in is long: name the file.
                    Some(near) if dir.starts_with('/') => format!(
                        "did you mean `{near}` under src? mdBook leaves the directive in the page as text"
                    ),
                    Some(near) => format!(
                        "did you mean `{}`? mdBook leaves the directive in the page as text",
                        relative(dir, near)
                    ),
                    None => format!(
                        "mdBook leaves the directive in the page as text; fix the path: it is relative to the folder of the file the directive is in (`{}`)",
                        if dir.is_empty() { "src".to_string() } else { format!("src/{dir}") }
                    ),
                };
                (
                    Diagnostic::new(
                        Code::IncludeNotFound,
                        format!("included file `{file}` does not exist"),
                    )
                    .help(help),
                    "no such file under src",
                )
            }
            Some(Included::NotUtf8 { file: id, at }) => (
                Diagnostic::new(Code::NotUtf8, format!("included file `{file}` is not valid UTF-8"))
                    .with_label(Span::new(*id, *at..*at), "first invalid byte here")
                    .help("save the file as UTF-8: mdBook cannot read it and leaves the directive in the page as text"),
                "this file cannot be read",
            ),
            Some(Included::Failed(InputError::TooLarge { size, limit })) => (
                Diagnostic::new(
                    Code::FileTooLarge,
                    format!("included file `{file}` is {size} bytes, more than the limit of {limit} bytes"),
                )
                .help("include a part of it (`:from:to` lines or `:anchor`), or raise `max-file-size` in [preprocessor.techfile]"),
                "this file is not read",
            ),
            Some(Included::Failed(InputError::Io(msg) | InputError::Folder(msg))) => (
                Diagnostic::new(Code::ReadError, format!("cannot read included file `{file}`: {msg}"))
                    .help("check that the file is readable: mdBook leaves the directive in the page as text"),
                "this file cannot be read",
            ),
        };
        self.report(failure, span, label, "", depth);
        None
    }

    /// A directive dropped at mdBook's depth limit: an include cycle, or very deep nesting.
    fn too_deep(&mut self, span: Option<Span>) {
        // The first file that comes back closes a cycle.
        let cycle = (1..self.chain.len()).find_map(|i| {
            let first = self.chain[..i]
                .iter()
                .position(|(p, _)| *p == self.chain[i].0)?;
            Some((first, i))
        });
        let (d, primary, depth) = match cycle {
            Some((first, i)) => {
                let names: Vec<String> = self.chain[first..=i]
                    .iter()
                    .map(|(p, _)| format!("`{}`", shown(&self.files.root, p)))
                    .collect();
                (
                    Diagnostic::new(
                        Code::IncludeCycle,
                        format!("includes form a cycle: {}", names.join(" includes ")),
                    ),
                    self.chain[i].1,
                    i,
                )
            }
            None => (
                Diagnostic::new(
                    Code::IncludeCycle,
                    format!("includes nest more than {MAX_DEPTH} levels deep"),
                ),
                span,
                self.chain.len(),
            ),
        };
        self.report(
            d,
            primary,
            "mdBook stops expanding here",
            &format!("mdBook expands included text {MAX_DEPTH} levels deep and drops every directive below (\"Stack depth exceeded\"): remove the include that closes the cycle"),
            depth,
        );
    }

    /// Adds a finding at `span` with the includes that brought its text in (the first
    /// `depth` entries of the chain), once per code and place.
    fn report(&mut self, d: Diagnostic, span: Option<Span>, label: &str, help: &str, depth: usize) {
        if !self.reported.insert((d.code, span)) {
            return;
        }
        let mut d = d.at_opt(span, label);
        if d.help.is_none() && !help.is_empty() {
            d = d.help(help);
        }
        // Labels already attached (an invalid byte) stay after the primary place.
        let own = std::mem::take(&mut d.secondary);
        for (path, via) in self.chain[1..depth.min(self.chain.len())].iter() {
            if let Some(via) = via {
                let path = shown(&self.files.root, path);
                d = d.with_label(*via, format!("`{path}` is included here"));
            }
        }
        d.secondary.extend(own);
        self.diags.push(d);
    }
}

#[cfg(test)]
mod tests;
