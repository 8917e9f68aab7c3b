//! Finding the `+++` TOML front-matter at the top of a Markdown file.

use std::ops::Range;

/// Where the parts of a file with front-matter are, as byte ranges into the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The opening `+++` line (without its line break).
    pub(crate) open: Range<usize>,
    /// The TOML between the fences.
    pub toml: Range<usize>,
    /// Everything after the closing fence's line.
    pub(crate) body: Range<usize>,
}

/// What the top of a file looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrontMatter {
    /// The file does not start with a `+++` line.
    Absent,
    /// It opens with `+++` and never closes; the range is the opening fence.
    Unclosed(Range<usize>),
    /// A complete `+++` block.
    Present(Split),
}

fn is_fence(line: &str) -> bool {
    line.trim_end_matches(['\r', ' ', '\t']) == "+++"
}

/// Splits `text` into front-matter and body. A UTF-8 byte-order mark before the fence is
/// tolerated because some Windows editors add one silently.
pub fn split(text: &str) -> FrontMatter {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = LineIter { text, pos: start };
    let Some(first) = lines.next() else {
        return FrontMatter::Absent;
    };
    if !is_fence(&text[first.clone()]) {
        return FrontMatter::Absent;
    }
    let open = first.start..first.start + text[first.clone()].trim_end().len();
    let toml_start = lines.pos;
    for line in lines.by_ref() {
        if is_fence(&text[line.clone()]) {
            return FrontMatter::Present(Split {
                open,
                toml: toml_start..line.start,
                body: lines_end(text, line.end)..text.len(),
            });
        }
    }
    FrontMatter::Unclosed(open)
}

/// The byte offset after the line break that ends at `end` (if any).
fn lines_end(text: &str, end: usize) -> usize {
    if text[end..].starts_with('\n') {
        end + 1
    } else {
        end
    }
}

/// Yields the byte range of each line without its `\n`.
struct LineIter<'a> {
    text: &'a str,
    pos: usize,
}

impl Iterator for LineIter<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        if self.pos >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.pos..];
        let len = rest.find('\n').unwrap_or(rest.len());
        let range = self.pos..self.pos + len;
        self.pos += len + usize::from(len < rest.len());
        Some(range)
    }
}

/// Removes front-matter from a chapter, keeping the body. mdBook 0.5 would otherwise
/// render the fences as a rule and the TOML as a heading. Unclosed front-matter is left
/// alone: cutting the whole chapter away would lose text.
pub(crate) fn strip(text: &str) -> Option<&str> {
    match split(text) {
        FrontMatter::Present(s) => Some(&text[s.body]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body() {
        let t = "+++\nid = \"A\"\n+++\n# Body\n";
        let FrontMatter::Present(s) = split(t) else {
            panic!("expected front-matter")
        };
        assert_eq!(&t[s.toml], "id = \"A\"\n");
        assert_eq!(&t[s.body], "# Body\n");
        assert_eq!(&t[s.open], "+++");
    }

    #[test]
    fn handles_crlf_and_bom() {
        let t = "\u{feff}+++\r\nid = \"A\"\r\n+++\r\nbody";
        let FrontMatter::Present(s) = split(t) else {
            panic!("expected front-matter")
        };
        assert_eq!(&t[s.toml], "id = \"A\"\r\n");
        assert_eq!(&t[s.body], "body");
    }

    #[test]
    fn unclosed_and_absent() {
        assert_eq!(split("+++\nid = 1\n"), FrontMatter::Unclosed(0..3));
        assert_eq!(split(""), FrontMatter::Absent);
        assert_eq!(split("# Title\n+++\n"), FrontMatter::Absent);
        assert_eq!(split("++++\n+++\n"), FrontMatter::Absent);
    }

    #[test]
    fn empty_front_matter_at_end_of_file() {
        let FrontMatter::Present(s) = split("+++\n+++") else {
            panic!("expected front-matter")
        };
        assert!(s.toml.is_empty());
        assert!(s.body.is_empty());
    }

    #[test]
    fn strip_keeps_unclosed_text() {
        assert_eq!(strip("+++\ntitle = 'x'\n+++\nHello"), Some("Hello"));
        assert_eq!(strip("+++\nnot closed"), None);
        assert_eq!(strip("plain"), None);
    }
}
