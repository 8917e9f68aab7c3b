//! Generated Markdown that remembers where each part of it came from.
//!
//! A chapter after expansion is the user's text with generated tables spliced in, and a
//! page of items is generated text with the users' item bodies spliced in. A finding in
//! that final text (a broken link) must still name the file, line and column the user
//! wrote, so every piece of the text carries its origin.

use crate::model::{FileId, Span};
use std::ops::Range;

/// Where a piece of generated text comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Copied byte for byte from a file, starting at this byte offset.
    Copied { file: FileId, offset: usize },
    /// Written by the tool. Findings point at the span that asked for it (the directive,
    /// or the item a generated section shows), or nowhere when nothing did.
    Generated(Option<Span>),
}

/// Text and the origin of each of its byte ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapped {
    pub text: String,
    /// Pieces in text order: where each starts in `text`, and its origin. A piece ends
    /// where the next one starts.
    pieces: Vec<(usize, Origin)>,
}

impl Mapped {
    pub fn new() -> Mapped {
        Mapped::default()
    }

    /// Text the tool wrote, blamed on `blame`.
    pub fn generated(text: impl Into<String>, blame: Option<Span>) -> Mapped {
        let mut m = Mapped::new();
        m.push_generated(&text.into(), blame);
        m
    }

    /// Appends `text`, which is `file`'s text from byte `offset` on.
    pub fn push_copied(&mut self, text: &str, file: FileId, offset: usize) {
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
    pub fn push_generated(&mut self, text: &str, blame: Option<Span>) {
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
    pub fn append(&mut self, other: &Mapped) {
        for (n, (at, origin)) in other.pieces.iter().enumerate() {
            let end = other.pieces.get(n + 1).map_or(other.text.len(), |p| p.0);
            let piece = &other.text[*at..end];
            match *origin {
                Origin::Copied { file, offset } => self.push_copied(piece, file, offset),
                Origin::Generated(blame) => self.push_generated(piece, blame),
            }
        }
    }

    /// The span in a source file of `range` of the text: the same bytes when they were
    /// copied (cut at the end of the piece that holds the start), the blamed span when
    /// they were generated.
    pub fn span_of(&self, range: Range<usize>) -> Option<Span> {
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
    pub fn is_generated(&self, range: Range<usize>) -> bool {
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

    /// The pieces of the text copied from files, in order.
    pub fn copied(&self) -> impl Iterator<Item = &str> {
        self.pieces
            .iter()
            .enumerate()
            .filter_map(|(n, (at, origin))| {
                let end = self.pieces.get(n + 1).map_or(self.text.len(), |p| p.0);
                matches!(origin, Origin::Copied { .. }).then(|| &self.text[*at..end])
            })
    }

    /// `src` (the text of `file` from byte `offset` on) with edits applied: each edit
    /// replaces a range of `src` with mapped text. Edits are sorted and do not overlap;
    /// an empty range inserts, an empty replacement deletes.
    pub fn splice(
        src: &str,
        file: FileId,
        offset: usize,
        edits: impl IntoIterator<Item = (Range<usize>, Mapped)>,
    ) -> Mapped {
        let mut out = Mapped::new();
        out.text.reserve(src.len());
        let mut last = 0;
        for (range, replacement) in edits {
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
}
