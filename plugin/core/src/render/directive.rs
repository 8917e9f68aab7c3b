//! Finding `{{#techfile ...}}` directives in Markdown, outside code.

use std::ops::Range;

/// One directive as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Directive {
    /// The whole `{{#techfile ...}}` text.
    pub(crate) range: Range<usize>,
    /// The words after `#techfile`, each with its range.
    pub(crate) args: Vec<(String, Range<usize>)>,
    /// False when the closing `}}` is missing; the range then covers only `{{#techfile`.
    pub(crate) closed: bool,
}

const OPEN: &str = "{{#techfile";

/// A directive written with a backslash in front, which is shown as text.
pub(crate) const ESCAPED: &str = "\\{{#techfile";

/// Every directive in `text`, in order. Directives inside code spans and code blocks are
/// left alone so that documentation can show them, and so is `\{{#techfile ...}}`
/// (the escape is removed when the text is expanded).
pub(crate) fn find(text: &str) -> Vec<Directive> {
    if !text.contains(OPEN) {
        return Vec::new();
    }
    let code = code_ranges(text);
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = text[from..].find(OPEN) {
        let start = from + pos;
        from = start + OPEN.len();
        if code.iter().any(|r| r.contains(&start)) || is_escaped(text, start) {
            continue;
        }
        let after = &text[from..];
        // `{{#techfileX}}` is some other directive, not ours.
        if !after.starts_with([' ', '\t', '}']) {
            continue;
        }
        let close = after.find("}}").filter(|&c| !after[..c].contains("{{"));
        let Some(close) = close else {
            out.push(Directive {
                range: start..from,
                args: Vec::new(),
                closed: false,
            });
            continue;
        };
        let inner = &after[..close];
        let mut args = Vec::new();
        let mut offset = from;
        for word in inner.split_whitespace() {
            let at = offset + text[offset..].find(word).unwrap_or(0);
            args.push((word.to_owned(), at..at + word.len()));
            offset = at + word.len();
        }
        let end = from + close + 2;
        out.push(Directive {
            range: start..end,
            args,
            closed: true,
        });
        from = end;
    }
    out
}

fn is_escaped(text: &str, at: usize) -> bool {
    at > 0 && text.as_bytes()[at - 1] == b'\\'
}

fn code_ranges(text: &str) -> Vec<Range<usize>> {
    use pulldown_cmark::{Event, Parser, Tag};
    let mut out = Vec::new();
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Code(_) => out.push(range),
            Event::Start(Tag::CodeBlock(_)) => out.push(range),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_directives_with_argument_ranges() {
        let t = "See {{#techfile ref REQ-1}} and\n\n{{#techfile matrix}}\n";
        let d = find(t);
        assert_eq!(d.len(), 2);
        assert_eq!(&t[d[0].range.clone()], "{{#techfile ref REQ-1}}");
        assert_eq!(d[0].args[1].0, "REQ-1");
        assert_eq!(&t[d[0].args[1].1.clone()], "REQ-1");
        assert_eq!(d[1].args[0].0, "matrix");
    }

    #[test]
    fn skips_code_and_escapes() {
        let t = "`{{#techfile ref A}}`\n\n```\n{{#techfile matrix}}\n```\n\\{{#techfile summary}}\n{{#techfileish}}\n";
        assert!(find(t).is_empty());
    }

    #[test]
    fn unclosed_directive_is_reported() {
        let d = find("{{#techfile ref A\n\n{{#techfile summary}}");
        assert_eq!(d.len(), 2);
        assert!(!d[0].closed);
        assert!(d[1].closed);
    }
}
