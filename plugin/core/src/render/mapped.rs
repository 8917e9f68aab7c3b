//! Generated Markdown that remembers where each part of it came from.
//!
//! A chapter after expansion is the user's text with generated tables spliced in, and a
//! page of items is generated text with the users' item bodies spliced in. A finding in
//! that final text (a broken link) must still name the file, line and column the user
//! wrote, so every piece of the text carries its origin. Text that mdBook's
//! `{{#include}}` brought into a chapter also remembers the directive that brought it,
//! so a finding in it can name the chapter line too.

use crate::model::{FileId, Span};
use std::ops::Range;

/// Where a piece of generated text comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Copied byte for byte from a file, starting at this byte offset.
    Copied { file: FileId, offset: usize },
    /// Written by the tool. Findings point at the span that asked for it (the directive,
    /// or the item a generated section shows), or nowhere when nothing did.
    Generated(Option<Span>),
}

/// Text and the origin of each of its byte ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapped {
    /// The text, Markdown for mdBook.
    pub text: String,
    /// Pieces in text order: where each starts in `text`, and its origin. A piece ends
    /// where the next one starts.
    pieces: Vec<(usize, Origin)>,
    /// Ranges of `text` that an include directive brought in, with the directive's span.
    /// Nested includes give nested ranges; a range is recorded after the ranges inside it.
    included: Vec<(Range<usize>, Span)>,
}

impl Mapped {
    pub(crate) fn new() -> Mapped {
        Mapped::default()
    }

    /// Text the tool wrote, blamed on `blame`.
    pub fn generated(text: impl Into<String>, blame: Option<Span>) -> Mapped {
        let mut m = Mapped::new();
        m.push_generated(&text.into(), blame);
        m
    }

    /// Appends `text`, which is `file`'s text from byte `offset` on.
    pub(crate) fn push_copied(&mut self, text: &str, file: FileId, offset: usize) {
        if text.is_empty() {
            return;
        }
        let continues = matches!(
            self.pieces.last(),
            Some((at, Origin::Copied { file: f, offset: o }))
                if *f == file && o + (self.text.len() - at) == offset
        );
        if !continues {
            self.pieces
                .push((self.text.len(), Origin::Copied { file, offset }));
        }
        self.text.push_str(text);
    }

    /// Appends text the tool wrote.
    pub(crate) fn push_generated(&mut self, text: &str, blame: Option<Span>) {
        if text.is_empty() {
            return;
        }
        if !matches!(self.pieces.last(), Some((_, Origin::Generated(b))) if *b == blame) {
            self.pieces
                .push((self.text.len(), Origin::Generated(blame)));
        }
        self.text.push_str(text);
    }

    /// Appends another mapped text, keeping its origins.
    pub(crate) fn append(&mut self, other: &Mapped) {
        self.append_range(other, 0..other.text.len());
    }

    /// Appends `range` of another mapped text, keeping its origins and the includes that
    /// overlap it (cut to the range). The range must fall on character boundaries.
    pub(crate) fn append_range(&mut self, other: &Mapped, range: Range<usize>) {
        if range.start >= range.end {
            return;
        }
        let base = self.text.len();
        let first = other
            .pieces
            .partition_point(|(at, _)| *at <= range.start)
            .saturating_sub(1);
        for (n, (at, origin)) in other.pieces.iter().enumerate().skip(first) {
            let end = other.pieces.get(n + 1).map_or(other.text.len(), |p| p.0);
            let (from, to) = ((*at).max(range.start), end.min(range.end));
            if from >= to {
                if *at >= range.end {
                    break;
                }
                continue;
            }
            let piece = &other.text[from..to];
            match *origin {
                Origin::Copied { file, offset } => {
                    self.push_copied(piece, file, offset + (from - at))
                }
                Origin::Generated(blame) => self.push_generated(piece, blame),
            }
        }
        for (r, directive) in &other.included {
            let (from, to) = (r.start.max(range.start), r.end.min(range.end));
            if from < to {
                let shift = |x: usize| base + x - range.start;
                self.included.push((shift(from)..shift(to), *directive));
            }
        }
    }

    /// Records that the text from `start` to the end was brought in by the include
    /// directive at `directive`.
    pub(crate) fn mark_included(&mut self, start: usize, directive: Span) {
        if start < self.text.len() {
            self.included.push((start..self.text.len(), directive));
        }
    }

    /// The include directives that brought in the byte at `at`, the outermost (the one
    /// in the chapter) first; empty for text that was not included.
    pub(crate) fn included_at(&self, at: usize) -> Vec<Span> {
        let mut out: Vec<(&Range<usize>, Span)> = self
            .included
            .iter()
            .filter(|(r, _)| r.contains(&at))
            .map(|(r, s)| (r, *s))
            .collect();
        out.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
        out.into_iter().map(|(_, s)| s).collect()
    }

    /// This text with edits applied: each edit replaces a range of it with mapped text.
    /// Edits are sorted by position; one that overlaps the edit before it is skipped.
    pub(crate) fn edit(&self, edits: impl IntoIterator<Item = (Range<usize>, Mapped)>) -> Mapped {
        let mut out = Mapped::new();
        out.text.reserve(self.text.len());
        let mut last = 0;
        for (range, replacement) in edits {
            if range.start < last || range.end > self.text.len() {
                continue;
            }
            out.append_range(self, last..range.start);
            out.append(&replacement);
            last = range.end;
        }
        out.append_range(self, last..self.text.len());
        out
    }

    /// The span in a source file of `range` of the text: the same bytes when they were
    /// copied (cut at the end of the piece that holds the start), the blamed span when
    /// they were generated.
    pub(crate) fn span_of(&self, range: Range<usize>) -> Option<Span> {
        let n = self
            .pieces
            .partition_point(|(at, _)| *at <= range.start)
            .checked_sub(1)?;
        let (at, origin) = self.pieces[n];
        let end = self.pieces.get(n + 1).map_or(self.text.len(), |p| p.0);
        match origin {
            Origin::Copied { file, offset } => Some(Span::new(
                file,
                offset + range.start - at..offset + range.end.min(end) - at,
            )),
            Origin::Generated(blame) => blame,
        }
    }

    /// Whether every byte of `range` was written by the tool.
    pub(crate) fn is_generated(&self, range: Range<usize>) -> bool {
        let first = self
            .pieces
            .partition_point(|(start, _)| *start <= range.start);
        let Some(first) = first.checked_sub(1) else {
            return false;
        };
        for (n, (_, origin)) in self.pieces.iter().enumerate().skip(first) {
            if !matches!(origin, Origin::Generated(_)) {
                return false;
            }
            let end = self.pieces.get(n + 1).map_or(self.text.len(), |p| p.0);
            if end >= range.end {
                return true;
            }
        }
        false
    }

    /// Whether any of the text is copied from `file` or blamed on a place in it.
    pub(crate) fn shows(&self, file: FileId) -> bool {
        self.pieces.iter().any(|(_, origin)| match origin {
            Origin::Copied { file: f, .. } => *f == file,
            Origin::Generated(Some(span)) => span.file == file,
            Origin::Generated(None) => false,
        })
    }

    /// The pieces of the text copied from files, in order.
    pub(crate) fn copied(&self) -> impl Iterator<Item = &str> {
        self.pieces
            .iter()
            .enumerate()
            .filter_map(|(n, (at, origin))| {
                let end = self.pieces.get(n + 1).map_or(self.text.len(), |p| p.0);
                matches!(origin, Origin::Copied { .. }).then(|| &self.text[*at..end])
            })
    }

    /// `src` (the text of `file` from byte `offset` on) with edits applied: each edit
    /// replaces a range of `src` with mapped text. Edits are sorted by position; an empty
    /// range inserts, an empty replacement deletes, and an edit that overlaps the one
    /// before it is skipped.
    pub(crate) fn splice(
        src: &str,
        file: FileId,
        offset: usize,
        edits: impl IntoIterator<Item = (Range<usize>, Mapped)>,
    ) -> Mapped {
        let mut out = Mapped::new();
        out.text.reserve(src.len());
        let mut last = 0;
        for (range, replacement) in edits {
            if range.start < last || range.end > src.len() {
                continue;
            }
            out.push_copied(&src[last..range.start], file, offset + last);
            out.append(&replacement);
            last = range.end;
        }
        out.push_copied(&src[last..], file, offset + last);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copied_text_maps_byte_for_byte_and_generated_text_to_its_blame() {
        let f = FileId(3);
        let directive = Span::new(f, 100..120);
        let src = "See {{x}} and [a](b.md).";
        let edits = vec![(
            4..9,
            Mapped::generated("<a href=\"c.html\">c</a>", Some(directive)),
        )];
        let m = Mapped::splice(src, f, 10, edits);
        assert_eq!(m.text, "See <a href=\"c.html\">c</a> and [a](b.md).");
        let at = m.text.find("b.md").unwrap();
        assert_eq!(m.span_of(at..at + 4), Some(Span::new(f, 10 + 18..10 + 22)));
        let at = m.text.find("c.html").unwrap();
        assert_eq!(m.span_of(at..at + 6), Some(directive));
        assert_eq!(m.span_of(0..3), Some(Span::new(f, 10..13)));
    }

    #[test]
    fn deletions_keep_later_offsets_right() {
        let f = FileId(0);
        // Removing the backslash of an escape shifts the output, not the source.
        let m = Mapped::splice("a\\{b [x](y.md)", f, 0, vec![(1..2, Mapped::new())]);
        assert_eq!(m.text, "a{b [x](y.md)");
        let at = m.text.find("y.md").unwrap();
        assert_eq!(m.span_of(at..at + 4), Some(Span::new(f, 9..13)));
    }

    #[test]
    fn appending_merges_adjacent_pieces() {
        let f = FileId(1);
        let mut m = Mapped::new();
        m.push_copied("ab", f, 0);
        m.push_copied("cd", f, 2);
        m.push_generated("x", None);
        m.push_generated("y", None);
        assert_eq!(m.pieces.len(), 2);
        let mut n = Mapped::generated("z", None);
        n.append(&m);
        assert_eq!(n.text, "zabcdxy");
        assert_eq!(n.span_of(1..3), Some(Span::new(f, 0..2)));
        assert_eq!(n.span_of(5..6), None);
        assert!(n.is_generated(0..1) && !n.is_generated(1..2) && n.is_generated(5..7));
        assert!(!n.is_generated(0..2) && !n.is_generated(4..6));
        assert_eq!(n.copied().collect::<Vec<_>>(), ["abcd"]);
    }

    #[test]
    fn included_text_remembers_its_directives_through_edits() {
        let (chapter, snippet, inner) = (FileId(0), FileId(1), FileId(2));
        let mut m = Mapped::new();
        m.push_copied("Intro ", chapter, 0);
        let outer_at = m.text.len();
        m.push_copied("snip ", snippet, 0);
        let inner_at = m.text.len();
        m.push_copied("deep", inner, 0);
        m.mark_included(inner_at, Span::new(snippet, 5..20));
        m.push_copied(" end", snippet, 20);
        m.mark_included(outer_at, Span::new(chapter, 6..30));
        m.push_copied(" after", chapter, 30);
        assert_eq!(m.text, "Intro snip deep end after");
        let deep = m.text.find("deep").unwrap();
        assert_eq!(
            m.included_at(deep),
            [Span::new(chapter, 6..30), Span::new(snippet, 5..20)]
        );
        assert_eq!(m.included_at(0), []);
        assert_eq!(m.included_at(m.text.find("after").unwrap()), []);

        // Replacing "Intro " by a longer text and deleting "snip " moves everything.
        let edited = m.edit([
            (0..6, Mapped::generated("Introduction: ", None)),
            (outer_at..outer_at + 5, Mapped::new()),
        ]);
        assert_eq!(edited.text, "Introduction: deep end after");
        let deep = edited.text.find("deep").unwrap();
        assert_eq!(edited.span_of(deep..deep + 4), Some(Span::new(inner, 0..4)));
        assert_eq!(edited.included_at(deep).len(), 2);
        let end = edited.text.find("end").unwrap();
        assert_eq!(
            edited.span_of(end..end + 3),
            Some(Span::new(snippet, 21..24))
        );
        assert_eq!(edited.included_at(end), [Span::new(chapter, 6..30)]);
        assert_eq!(edited.included_at(0), []);

        // A slice keeps what it covers, cut to its range.
        let mut part = Mapped::new();
        part.append_range(&m, deep_in(&m)..m.text.len());
        assert_eq!(part.text, "ep end after");
        assert_eq!(part.span_of(0..2), Some(Span::new(inner, 2..4)));
        assert_eq!(part.included_at(0).len(), 2);
        assert_eq!(part.included_at(part.text.find("after").unwrap()), []);
    }

    fn deep_in(m: &Mapped) -> usize {
        m.text.find("deep").unwrap() + 2
    }

    #[test]
    fn overlapping_edits_are_skipped_not_panicking() {
        let f = FileId(0);
        let m = Mapped::splice(
            "abcdef",
            f,
            0,
            vec![(1..3, Mapped::new()), (2..4, Mapped::new())],
        );
        assert_eq!(m.text, "adef");
        let n = m.edit([(0..2, Mapped::new()), (1..9, Mapped::new())]);
        assert_eq!(n.text, "ef");
    }
}
