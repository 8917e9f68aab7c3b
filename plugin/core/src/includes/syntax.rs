//! Finding the helpers of mdBook's `links` preprocessor in a text: `{{#include}}`,
//! `{{#rustdoc_include}}`, `{{#playground}}` (and its old name `{{#playpen}}`),
//! `{{#title}}`, and escaped helpers `\{{#...}}`.
//!
//! The rules are those of mdBook 0.5.4 (`mdbook-driver`, `builtin_preprocessors/links.rs`),
//! which matches the text with one regular expression, so this module uses the same
//! expression language (the `regex` crate) to get the same matches:
//!
//! - an escape is a backslash, `{{#`, then anything up to the *last* `}}` on the same line;
//! - a helper is `{{`, optional whitespace, `#`, a name of ASCII letters, digits and `_`,
//!   whitespace, then text without `}` up to `}}` (it may span lines);
//! - matches do not overlap and are taken left to right; a match whose name is not one of
//!   the helpers (such as `{{#techfile ...}}`) is passed over, with everything inside it;
//! - the first word after the name is the path; for `include` and `rustdoc_include` a `:`
//!   after it selects lines (`:5`, `:5:10`, `:5:`, `::10`) or an anchor (`:name`).

use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// The helper expression: an escaped helper, or a helper with its name and its arguments.
static HELPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\\\{\{#.*\}\}|\{\{\s*#([a-zA-Z0-9_]+)\s+([^}]+)\}\}")
        .unwrap_or_else(|e| unreachable!("the helper expression is valid: {e}"))
});

/// Which lines of a file an include takes, as 0-based line indexes: from `start` to
/// `end` (exclusive; `None`: to the last line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Lines {
    pub(crate) start: usize,
    pub(crate) end: Option<usize>,
}

impl Lines {
    pub(crate) const ALL: Lines = Lines {
        start: 0,
        end: None,
    };

    pub(crate) fn contains(&self, line: usize) -> bool {
        line >= self.start && self.end.is_none_or(|e| line < e)
    }
}

/// What part of the file an include takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Select {
    Lines(Lines),
    /// The lines between `ANCHOR: name` and `ANCHOR_END: name`.
    Anchor(String),
}

/// One helper found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Helper<'t> {
    /// `\{{#...}}`: shown without the backslash, never expanded.
    Escaped,
    /// `{{#include path}}` or, with `rustdoc`, `{{#rustdoc_include path}}` (which keeps
    /// the other lines of the file, hidden behind `# `).
    Include {
        path: &'t str,
        select: Select,
        rustdoc: bool,
    },
    /// `{{#playground path attrs...}}`: the whole file in a `rust` code block.
    Playground { path: &'t str, attrs: Vec<&'t str> },
    /// `{{#title ...}}`: sets the page title and leaves nothing in the text.
    Title,
}

impl Helper<'_> {
    /// The file the helper reads, as written.
    pub(crate) fn path(&self) -> Option<&str> {
        match self {
            Helper::Include { path, .. } | Helper::Playground { path, .. } => Some(path),
            Helper::Escaped | Helper::Title => None,
        }
    }
}

/// A helper and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found<'t> {
    pub(crate) range: Range<usize>,
    pub(crate) helper: Helper<'t>,
}

/// Every helper in `text`, in order, as mdBook's `links` preprocessor finds them.
pub(crate) fn find(text: &str) -> Vec<Found<'_>> {
    if !text.contains("{{") {
        return Vec::new();
    }
    HELPER
        .captures_iter(text)
        .filter_map(|cap| {
            let whole = cap.get(0)?;
            let helper = match (cap.get(1), cap.get(2)) {
                (Some(name), Some(rest)) => helper(name.as_str(), rest.as_str())?,
                _ if whole.as_str().starts_with('\\') => Helper::Escaped,
                _ => return None,
            };
            Some(Found {
                range: whole.range(),
                helper,
            })
        })
        .collect()
}

fn helper<'t>(name: &str, rest: &'t str) -> Option<Helper<'t>> {
    if name == "title" {
        return Some(Helper::Title);
    }
    let mut words = rest.split_whitespace();
    let first = words.next()?;
    match name {
        "include" | "rustdoc_include" => {
            let (path, select) = path_and_selection(first);
            Some(Helper::Include {
                path,
                select,
                rustdoc: name == "rustdoc_include",
            })
        }
        "playground" | "playpen" => Some(Helper::Playground {
            path: first,
            attrs: words.collect(),
        }),
        _ => None,
    }
}

/// Splits `path:selection` at the first `:`. A first part that is a number starts a line
/// range (1-based as written, 0-based here); an empty one leaves the start open; anything
/// else names an anchor. A second part that is a number ends the range (inclusive as
/// written); one that is not (or empty) leaves the end open; no second part takes one line.
fn path_and_selection(arg: &str) -> (&str, Select) {
    let Some((path, spec)) = arg.split_once(':') else {
        return (arg, Select::Lines(Lines::ALL));
    };
    let mut parts = spec.splitn(3, ':');
    let first = parts.next().unwrap_or_default();
    let start = match first.parse::<usize>() {
        Ok(n) => Some(n.saturating_sub(1)),
        Err(_) if first.is_empty() => None,
        Err(_) => return (path, Select::Anchor(first.to_string())),
    };
    let end = parts.next().map(str::parse::<usize>);
    let lines = match (start, end) {
        (Some(s), Some(Ok(e))) => Lines {
            start: s,
            end: Some(e),
        },
        (Some(s), Some(Err(_))) => Lines {
            start: s,
            end: None,
        },
        (Some(s), None) => Lines {
            start: s,
            end: Some(s + 1),
        },
        (None, Some(Ok(e))) => Lines {
            start: 0,
            end: Some(e),
        },
        (None, _) => Lines::ALL,
    };
    (path, Select::Lines(lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(start: usize, end: Option<usize>) -> Select {
        Select::Lines(Lines { start, end })
    }

    fn selection(arg: &str) -> Select {
        path_and_selection(arg).1
    }

    #[test]
    fn selections_follow_mdbook() {
        assert_eq!(selection("a.rs"), lines(0, None));
        assert_eq!(selection("a.rs:"), lines(0, None));
        assert_eq!(selection("a.rs::"), lines(0, None));
        assert_eq!(selection("a.rs::NaN"), lines(0, None));
        assert_eq!(selection("a.rs:5"), lines(4, Some(5)));
        assert_eq!(selection("a.rs:1"), lines(0, Some(1)));
        assert_eq!(selection("a.rs:0"), lines(0, Some(1)));
        assert_eq!(selection("a.rs:5:"), lines(4, None));
        assert_eq!(selection("a.rs:5:NaN"), lines(4, None));
        assert_eq!(selection("a.rs::5"), lines(0, Some(5)));
        assert_eq!(selection("a.rs:5:10"), lines(4, Some(10)));
        assert_eq!(selection("a.rs:5:10:17:x:"), lines(4, Some(10)));
        assert_eq!(selection("a.rs:-5"), Select::Anchor("-5".into()));
        assert_eq!(
            selection("a.rs:name:ignored"),
            Select::Anchor("name".into())
        );
        assert_eq!(path_and_selection("dir/a.rs:3").0, "dir/a.rs");
    }

    #[test]
    fn finds_helpers_escapes_and_passes_over_others() {
        let t = "A {{#include a.md}} B {{ #rustdoc_include r.rs:2 }} C {{#playground p.rs editable no_run}}\n\
                 \\{{#include e.md}} and {{#techfile summary}} {{#title The title}} {{#include}} {{#playpen q.rs}}";
        let found = find(t);
        let shown: Vec<(&str, &Helper<'_>)> = found
            .iter()
            .map(|f| (&t[f.range.clone()], &f.helper))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "{{#include a.md}}",
                    &Helper::Include {
                        path: "a.md",
                        select: Select::Lines(Lines::ALL),
                        rustdoc: false
                    }
                ),
                (
                    "{{ #rustdoc_include r.rs:2 }}",
                    &Helper::Include {
                        path: "r.rs",
                        select: lines(1, Some(2)),
                        rustdoc: true
                    }
                ),
                (
                    "{{#playground p.rs editable no_run}}",
                    &Helper::Playground {
                        path: "p.rs",
                        attrs: vec!["editable", "no_run"]
                    }
                ),
                // The escape runs to the last `}}` of its line.
                (
                    "\\{{#include e.md}} and {{#techfile summary}} {{#title The title}} {{#include}} {{#playpen q.rs}}",
                    &Helper::Escaped
                ),
            ]
        );
    }

    #[test]
    fn a_helper_swallowed_by_another_match_is_not_found() {
        // `[^}]+` runs over the inner `{{`: the whole text is one unknown helper.
        assert!(find("{{#techfile ref {{#include a.md}}").is_empty());
        // An escape without `}}` on its line is no escape; the helper after it counts.
        let f = find("\\{{#include a.md\n}}");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].range, 1..19);
        assert_eq!(f[0].helper.path(), Some("a.md"));
        // Helpers may span lines.
        assert_eq!(
            find("{{#include\n  b.md\n}}")[0].helper.path(),
            Some("b.md")
        );
        assert!(find("{{#include   }} {{#}} {{}}").is_empty());
    }
}
