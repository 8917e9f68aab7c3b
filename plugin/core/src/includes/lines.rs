//! Taking lines out of an included file the way mdBook 0.5.4 does
//! (`builtin_preprocessors/links/take_lines.rs`), keeping where each byte came from.
//!
//! mdBook splits the file with `str::lines` (so `\r\n` and the last line's newline are
//! dropped) and joins what it keeps with `\n`:
//!
//! - a line range keeps those lines;
//! - an anchor keeps the lines after the first line holding `ANCHOR: name` up to the
//!   first line holding `ANCHOR_END: name`, leaving out every line inside that holds any
//!   other `ANCHOR:` or `ANCHOR_END:`;
//! - `rustdoc_include` keeps every line, writing `# ` before those outside the range or
//!   anchor (rustdoc hides them) and leaving out the anchor lines themselves.

#[cfg(test)]
use super::syntax::Lines;
use super::syntax::Select;
use crate::model::{FileId, Span};
use crate::render::Mapped;
use regex::Regex;
use std::sync::LazyLock;

static ANCHOR_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"ANCHOR:\s*(?P<name>[\w_-]+)")
        .unwrap_or_else(|e| unreachable!("the anchor expression is valid: {e}"))
});
static ANCHOR_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"ANCHOR_END:\s*(?P<name>[\w_-]+)")
        .unwrap_or_else(|e| unreachable!("the anchor expression is valid: {e}"))
});

/// One line as `str::lines` yields it, with where it starts in the file and where the
/// `\n` that ends it is (if one does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Line<'t> {
    start: usize,
    text: &'t str,
    newline: Option<usize>,
}

/// The lines of `text`, split exactly as `str::lines` splits them.
fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for chunk in text.split_inclusive('\n') {
        let line = match chunk.strip_suffix('\n') {
            Some(l) => l.strip_suffix('\r').unwrap_or(l),
            None => chunk,
        };
        let newline = chunk.ends_with('\n').then(|| start + chunk.len() - 1);
        out.push(Line {
            start,
            text: line,
            newline,
        });
        start += chunk.len();
    }
    out
}

/// Whether `line` holds the start (or, with `end`, the end) of the anchor `name`: only the
/// first marker of the line counts, as in mdBook.
fn marks(line: &str, end: bool, name: &str) -> bool {
    let re = if end { &ANCHOR_END } else { &ANCHOR_START };
    re.captures(line).is_some_and(|c| &c["name"] == name)
}

fn any_mark(line: &str, end: bool) -> bool {
    let re = if end { &ANCHOR_END } else { &ANCHOR_START };
    re.is_match(line)
}

/// Joins kept lines with `\n`, each `\n` mapped to the one ending the line before it in
/// the file; a `hidden` line gets `# ` in front, blamed on the directive.
fn join(file: FileId, kept: &[(bool, Line<'_>)], blame: Option<Span>) -> Mapped {
    let mut out = Mapped::new();
    for (n, (hidden, line)) in kept.iter().enumerate() {
        if n > 0 {
            match kept[n - 1].1.newline {
                Some(at) => out.push_copied("\n", file, at),
                None => out.push_generated("\n", blame),
            }
        }
        if *hidden {
            out.push_generated("# ", blame);
        }
        out.push_copied(line.text, file, line.start);
    }
    out
}

/// What `{{#include}}` takes from `text` (the whole of `file`).
pub(crate) fn include(file: FileId, text: &str, select: &Select, blame: Option<Span>) -> Mapped {
    let all = lines(text);
    let kept: Vec<(bool, Line<'_>)> = match select {
        Select::Lines(range) => all
            .into_iter()
            .enumerate()
            .filter(|(n, _)| range.contains(*n))
            .map(|(_, l)| (false, l))
            .collect(),
        Select::Anchor(name) => {
            let mut kept = Vec::new();
            let mut inside = false;
            for l in all {
                if !inside {
                    inside = marks(l.text, false, name);
                    continue;
                }
                match ANCHOR_END.captures(l.text) {
                    Some(c) if &c["name"] == name.as_str() => break,
                    Some(_) => {}
                    None if any_mark(l.text, false) => {}
                    None => kept.push((false, l)),
                }
            }
            kept
        }
    };
    join(file, &kept, blame)
}

/// What `{{#rustdoc_include}}` takes from `text`: every line, those outside the selection
/// behind `# `.
pub(crate) fn rustdoc_include(
    file: FileId,
    text: &str,
    select: &Select,
    blame: Option<Span>,
) -> Mapped {
    let all = lines(text);
    let kept: Vec<(bool, Line<'_>)> = match select {
        Select::Lines(range) => all
            .into_iter()
            .enumerate()
            .map(|(n, l)| (!range.contains(n), l))
            .collect(),
        Select::Anchor(name) => {
            let mut kept = Vec::new();
            let mut inside = false;
            for l in all {
                if inside {
                    match ANCHOR_END.captures(l.text) {
                        Some(c) => inside = &c["name"] != name.as_str(),
                        None if any_mark(l.text, false) => {}
                        None => kept.push((false, l)),
                    }
                } else if let Some(c) = ANCHOR_START.captures(l.text) {
                    inside = &c["name"] == name.as_str();
                } else if !any_mark(l.text, true) {
                    kept.push((true, l));
                }
            }
            kept
        }
    };
    join(file, &kept, blame)
}

/// What `{{#playground}}` makes of `text`: the whole file in a `rust` code block, with the
/// attributes after `rust,`.
pub(crate) fn playground(file: FileId, text: &str, attrs: &[&str], blame: Option<Span>) -> Mapped {
    let info = if attrs.is_empty() {
        "rust".to_string()
    } else {
        format!("rust,{}", attrs.join(","))
    };
    let mut out = Mapped::generated(format!("```{info}\n"), blame);
    out.push_copied(text, file, 0);
    if !text.ends_with('\n') {
        out.push_generated("\n", blame);
    }
    out.push_generated("```\n", blame);
    out
}

/// Lines for tests: the whole text of one line range.
#[cfg(test)]
pub(crate) fn range(start: usize, end: Option<usize>) -> Select {
    Select::Lines(Lines { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: FileId = FileId(7);

    #[test]
    fn lines_split_like_str_lines() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\r\nb\r\n",
            "a\rb\n\r",
            "a\n\nb",
            "x\r",
            "\r\n\r\n",
            "é\nü\r\n",
        ] {
            let ours: Vec<&str> = lines(text).iter().map(|l| l.text).collect();
            let std: Vec<&str> = text.lines().collect();
            assert_eq!(ours, std, "{text:?}");
            for l in lines(text) {
                assert_eq!(&text[l.start..l.start + l.text.len()], l.text);
                if let Some(n) = l.newline {
                    assert_eq!(&text[n..=n], "\n");
                }
            }
        }
    }

    fn take(text: &str, select: Select) -> String {
        include(F, text, &select, None).text
    }

    fn take_rustdoc(text: &str, select: Select) -> String {
        rustdoc_include(F, text, &select, None).text
    }

    #[test]
    fn line_ranges() {
        let s = "one\ntwo\r\nthree\nfour\nfive\n";
        assert_eq!(take(s, range(1, Some(3))), "two\nthree");
        assert_eq!(take(s, range(3, None)), "four\nfive");
        assert_eq!(take(s, range(0, Some(2))), "one\ntwo");
        assert_eq!(take(s, range(0, None)), "one\ntwo\nthree\nfour\nfive");
        assert_eq!(take(s, range(4, Some(3))), "");
        assert_eq!(take(s, range(0, Some(100))), "one\ntwo\nthree\nfour\nfive");
        assert_eq!(take(s, range(9, None)), "");
    }

    #[test]
    fn anchors() {
        let a = |s: &str, name: &str| take(s, Select::Anchor(name.into()));
        assert_eq!(a("a\nb\nc", "x"), "");
        assert_eq!(a("a\nANCHOR_END: x\nb", "x"), "");
        assert_eq!(a("a\n// ANCHOR: x\nb\nc", "x"), "b\nc");
        assert_eq!(a("a\nANCHOR: x\nb\nANCHOR_END: x\nc", "x"), "b");
        // Marker lines of other anchors inside are left out; the first start counts.
        let s = "a\nANCHOR:  outer\nb\nANCHOR: x\nc\nANCHOR_END: x\nd\nANCHOR_END:outer\ne";
        assert_eq!(a(s, "outer"), "b\nc\nd");
        assert_eq!(a(s, "x"), "c");
        // `\w` is Unicode; a name is compared whole.
        assert_eq!(a("ANCHOR: größe\nx\nANCHOR_END: größe", "größe"), "x");
        assert_eq!(a("ANCHOR: xy\nx\nANCHOR_END: xy", "x"), "");
    }

    #[test]
    fn rustdoc_hides_the_rest() {
        let s = "one\ntwo\nthree\nfour";
        assert_eq!(
            take_rustdoc(s, range(1, Some(3))),
            "# one\ntwo\nthree\n# four"
        );
        assert_eq!(take_rustdoc(s, range(0, None)), s);
        assert_eq!(
            take_rustdoc(s, range(5, Some(3))),
            "# one\n# two\n# three\n# four"
        );
        assert_eq!(take_rustdoc("", range(0, None)), "");
        assert_eq!(take_rustdoc("\n", range(2, None)), "# ");
        let s = "a\nANCHOR: x\nb\nANCHOR: y\nc\nANCHOR_END: x\nd\nANCHOR_END: y";
        assert_eq!(
            take_rustdoc(s, Select::Anchor("x".into())),
            "# a\nb\nc\n# d"
        );
    }

    #[test]
    fn taken_text_maps_back_to_the_file() {
        let s = "zero\r\none [x](y.md)\ntwo\n";
        let m = include(F, s, &range(1, None), None);
        assert_eq!(m.text, "one [x](y.md)\ntwo");
        let at = m.text.find("y.md").unwrap();
        assert_eq!(m.span_of(at..at + 4), Some(Span::new(F, 14..18)));
        let at = m.text.find("two").unwrap();
        assert_eq!(m.span_of(at..at + 3), Some(Span::new(F, 20..23)));
        let blame = Span::new(FileId(1), 3..9);
        let m = rustdoc_include(F, s, &range(1, Some(2)), Some(blame));
        assert_eq!(m.text, "# zero\none [x](y.md)\n# two");
        assert_eq!(m.span_of(0..2), Some(blame));
        assert_eq!(m.span_of(2..6), Some(Span::new(F, 0..4)));
    }

    #[test]
    fn playground_wraps_the_file() {
        assert_eq!(
            playground(F, "fn main() {}", &[], None).text,
            "```rust\nfn main() {}\n```\n"
        );
        assert_eq!(
            playground(F, "x\n", &["editable", "no_run"], None).text,
            "```rust,editable,no_run\nx\n```\n"
        );
    }
}
