//! Just enough of an HTML tokenizer to read the raw HTML mdBook copies from Markdown into a
//! page: start tags with their attributes (and where each value is), end tags and text.
//! Comments, doctypes and the contents of `<script>` and `<style>` are skipped, as in the
//! HTML tokenizer mdBook uses (html5ever, switched to raw text after those two tags); a tag
//! cut off by the end of the input is not a tag. The states follow the WHATWG tokenizer
//! (comments closed by `-->`, `--!>`, `<!-->` or `<!--->`; script data with its escaped and
//! double-escaped states), and character references are decoded by `htmlize` with the
//! specification's table and its attribute rule. `tests/html_tokenizer.rs` compares what this
//! reads with html5ever on hostile and generated input.

use std::borrow::Cow;
use std::ops::Range;

/// One attribute of a start tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr<'a> {
    /// As written; compare with `eq_ignore_ascii_case` (HTML names are case-insensitive).
    pub name: &'a str,
    /// The value as written, character references not yet decoded (most values are never
    /// looked at, so decoding waits for [`Attr::value`]).
    pub(crate) raw: &'a str,
    /// Where the value is written in the input (the name when there is no value).
    pub range: Range<usize>,
}

impl<'a> Attr<'a> {
    /// The value with character references decoded (the rules for attribute values).
    pub fn value(&self) -> Cow<'a, str> {
        decode(self.raw)
    }
}

/// What the tokenizer reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a, 'b> {
    /// A start tag (`<a href="...">`, also self-closing).
    Start {
        /// The tag name as written (compare case-insensitively).
        name: &'a str,
        /// Its attributes, in written order.
        attrs: &'b [Attr<'a>],
    },
    /// An end tag (`</a>`).
    End {
        /// The tag name as written.
        name: &'a str,
    },
    /// Character data as written; [`decode_text`] it to read it.
    Text(&'a str),
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Calls `f` with every token of `html`, in order.
pub fn tokenize<'a>(html: &'a str, mut f: impl FnMut(Token<'a, '_>)) {
    let b = html.as_bytes();
    let mut attrs: Vec<Attr<'a>> = Vec::new();
    let mut i = 0;
    let mut text_start = 0;
    let flush = |from: usize, to: usize, f: &mut dyn FnMut(Token<'a, '_>)| {
        if from < to {
            f(Token::Text(&html[from..to]));
        }
    };
    while let Some(off) = html[i..].find('<') {
        let lt = i + off;
        let next = b.get(lt + 1).copied();
        match next {
            Some(b'!') => {
                flush(text_start, lt, &mut f);
                i = skip_markup_declaration(html, lt);
                text_start = i;
            }
            Some(b'?') => {
                flush(text_start, lt, &mut f);
                i = html[lt..].find('>').map_or(html.len(), |p| lt + p + 1);
                text_start = i;
            }
            Some(b'/') => {
                flush(text_start, lt, &mut f);
                match b.get(lt + 2) {
                    Some(c) if c.is_ascii_alphabetic() => {
                        let (name, end) = tag_name(html, lt + 2);
                        // Attributes of end tags mean nothing; skip to the closing `>`.
                        match parse_attrs(html, end, &mut attrs) {
                            Some((after, _)) => {
                                f(Token::End { name });
                                i = after;
                            }
                            None => i = html.len(),
                        }
                    }
                    Some(b'>') => i = lt + 3,
                    // `</` followed by anything else opens a bogus comment.
                    Some(_) => i = html[lt..].find('>').map_or(html.len(), |p| lt + p + 1),
                    // `</` at the end of the input is text.
                    None => {
                        text_start = lt;
                        i = html.len();
                        continue;
                    }
                }
                text_start = i;
            }
            Some(c) if c.is_ascii_alphabetic() => {
                flush(text_start, lt, &mut f);
                let (name, end) = tag_name(html, lt + 1);
                attrs.clear();
                let Some((after, _self_closing)) = parse_attrs(html, end, &mut attrs) else {
                    // Cut off by the end of the input: not a tag.
                    return;
                };
                f(Token::Start {
                    name,
                    attrs: &attrs,
                });
                i = after;
                text_start = i;
                // mdBook's tokenizer reads the contents of these as raw text.
                if name.eq_ignore_ascii_case("script") {
                    i = script_data_end(html, i);
                    text_start = i;
                } else if name.eq_ignore_ascii_case("style") {
                    i = raw_text_end(html, i, "style");
                    text_start = i;
                }
            }
            // A `<` that opens nothing is text.
            _ => i = lt + 1,
        }
    }
    flush(text_start, html.len(), &mut f);
}

fn tag_name(html: &str, from: usize) -> (&str, usize) {
    let b = html.as_bytes();
    let mut end = from;
    while end < b.len() && !is_space(b[end]) && b[end] != b'/' && b[end] != b'>' {
        end += 1;
    }
    (&html[from..end], end)
}

/// Reads attributes up to the `>` that closes the tag. Returns the byte offset after it and
/// whether the tag was self-closing, or `None` when the input ends first.
fn parse_attrs<'a>(
    html: &'a str,
    mut i: usize,
    attrs: &mut Vec<Attr<'a>>,
) -> Option<(usize, bool)> {
    let b = html.as_bytes();
    loop {
        while i < b.len() && (is_space(b[i]) || b[i] == b'/') {
            if b[i] == b'/' && b.get(i + 1) == Some(&b'>') {
                return Some((i + 2, true));
            }
            i += 1;
        }
        match b.get(i) {
            None => return None,
            Some(b'>') => return Some((i + 1, false)),
            _ => {}
        }
        // An attribute name; a leading `=` belongs to it.
        let name_start = i;
        i += 1;
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name = &html[name_start..i];
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        let (raw, range) = if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            match b.get(i) {
                None => return None,
                Some(&q @ (b'"' | b'\'')) => {
                    let start = i + 1;
                    let end = start + html[start..].find(q as char)?;
                    i = end + 1;
                    (&html[start..end], start..end)
                }
                Some(b'>') => ("", i..i),
                Some(_) => {
                    let start = i;
                    while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                        i += 1;
                    }
                    (&html[start..i], start..i)
                }
            }
        } else {
            ("", name_start..name_start + name.len())
        };
        // The first of two attributes with the same name wins.
        if !attrs.iter().any(|a| a.name.eq_ignore_ascii_case(name)) {
            attrs.push(Attr { name, raw, range });
        }
    }
}

/// Skips `<!-- ... -->`, `<!DOCTYPE ...>`, `<![CDATA[...]]>` and other `<!...>`.
fn skip_markup_declaration(html: &str, lt: usize) -> usize {
    let rest = &html[lt..];
    if let Some(body) = rest.strip_prefix("<!--") {
        // `<!-->` and `<!--->` close at once.
        if body.starts_with('>') {
            return lt + 5;
        }
        if body.starts_with("->") {
            return lt + 6;
        }
        // `--!>` closes a comment as `-->` does.
        let close = [
            body.find("-->").map(|p| p + 3),
            body.find("--!>").map(|p| p + 4),
        ]
        .into_iter()
        .flatten()
        .min();
        return close.map_or(html.len(), |end| lt + 4 + end);
    }
    rest.find('>').map_or(html.len(), |p| lt + p + 1)
}

/// Whether `html[at..]` starts an end tag named `name`: `</name` (any case) followed by
/// white space, `/`, `>` or the end of the input.
fn is_end_tag(html: &str, at: usize, name: &str) -> bool {
    let b = html.as_bytes();
    let end = at + 2 + name.len();
    b.get(at..at + 2) == Some(b"</")
        && end <= b.len()
        && b[at + 2..end].eq_ignore_ascii_case(name.as_bytes())
        && b.get(end)
            .is_none_or(|&c| is_space(c) || c == b'/' || c == b'>')
}

/// The end of the raw text after `<style>`: the start of its end tag.
fn raw_text_end(html: &str, from: usize, name: &str) -> usize {
    let mut i = from;
    while let Some(p) = html[i..].find("</") {
        let at = i + p;
        if is_end_tag(html, at, name) {
            return at;
        }
        i = at + 2;
    }
    html.len()
}

/// The end of the script data after `<script>`: the start of the `</script>` that closes
/// it. Inside `<!--` ... `-->` a `<script>` starts a double-escaped part in which
/// `</script>` does not close the script, only the double escape (the WHATWG tokenizer's
/// script data states, which html5ever implements).
fn script_data_end(html: &str, from: usize) -> usize {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Data,
        /// Inside `<!--`; `dashes` counts the `-` just read, `>` after two ends it.
        Escaped {
            dashes: u8,
        },
        DoubleEscaped {
            dashes: u8,
        },
    }
    let b = html.as_bytes();
    let letters = |at: usize| {
        let mut end = at;
        while end < b.len() && b[end].is_ascii_alphabetic() {
            end += 1;
        }
        end
    };
    let delimits = |at: usize| {
        b.get(at)
            .is_none_or(|&c| is_space(c) || c == b'/' || c == b'>')
    };
    let mut state = State::Data;
    let mut i = from;
    while i < b.len() {
        let c = b[i];
        match state {
            State::Data => {
                if is_end_tag(html, i, "script") {
                    return i;
                }
                if b[i..].starts_with(b"<!--") {
                    // `<!--` leaves its two dashes counted: `<!-->` closes at once.
                    state = State::Escaped { dashes: 2 };
                    i += 4;
                    continue;
                }
            }
            State::Escaped { dashes } => {
                if c == b'-' {
                    state = State::Escaped {
                        dashes: dashes.saturating_add(1),
                    };
                } else if c == b'<' {
                    state = State::Escaped { dashes: 0 };
                    if is_end_tag(html, i, "script") {
                        return i;
                    }
                    let end = letters(i + 1);
                    if end > i + 1 && delimits(end) {
                        if b[i + 1..end].eq_ignore_ascii_case(b"script") {
                            state = State::DoubleEscaped { dashes: 0 };
                        }
                        i = end;
                        continue;
                    }
                } else if c == b'>' && dashes >= 2 {
                    state = State::Data;
                } else {
                    state = State::Escaped { dashes: 0 };
                }
            }
            State::DoubleEscaped { dashes } => {
                if c == b'-' {
                    state = State::DoubleEscaped {
                        dashes: dashes.saturating_add(1),
                    };
                } else if c == b'<' {
                    state = State::DoubleEscaped { dashes: 0 };
                    if b.get(i + 1) == Some(&b'/') {
                        let end = letters(i + 2);
                        if end > i + 2 && delimits(end) {
                            if b[i + 2..end].eq_ignore_ascii_case(b"script") {
                                state = State::Escaped { dashes: 0 };
                            }
                            i = end;
                            continue;
                        }
                    }
                } else if c == b'>' && dashes >= 2 {
                    state = State::Data;
                } else {
                    state = State::DoubleEscaped { dashes: 0 };
                }
            }
        }
        i += 1;
    }
    html.len()
}

/// Decodes the character references of an attribute value, by the HTML specification's
/// rules for attributes (a legacy reference without `;` before `=` or an alphanumeric
/// stays as written, so `?a=1&copy=2` keeps its text).
pub(crate) fn decode(value: &str) -> Cow<'_, str> {
    if !value.contains('&') {
        return Cow::Borrowed(value);
    }
    htmlize::unescape_in(value, htmlize::Context::Attribute)
}

/// Decodes the character references of text between tags.
pub fn decode_text(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    htmlize::unescape_in(text, htmlize::Context::General)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut out = Vec::new();
        tokenize(html, |t| {
            if let Token::Start { name, attrs } = t {
                out.push((
                    name.to_ascii_lowercase(),
                    attrs
                        .iter()
                        .map(|a| (a.name.to_ascii_lowercase(), a.value().into_owned()))
                        .collect(),
                ));
            }
        });
        out
    }

    #[test]
    fn reads_attributes_in_every_quoting_style() {
        let t = starts("<A HREF=\"x.md#a\" id='b' data-x=c disabled class = \"d\">text</a>");
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].0, "a");
        let attrs: Vec<(&str, &str)> = t[0]
            .1
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            attrs,
            [
                ("href", "x.md#a"),
                ("id", "b"),
                ("data-x", "c"),
                ("disabled", ""),
                ("class", "d")
            ]
        );
    }

    #[test]
    fn value_ranges_point_into_the_input() {
        let html = "<img src=\"pic.png\" alt=x>";
        let mut ranges = Vec::new();
        tokenize(html, |t| {
            if let Token::Start { attrs, .. } = t {
                ranges.extend(attrs.iter().map(|a| html[a.range.clone()].to_string()));
            }
        });
        assert_eq!(ranges, ["pic.png", "x"]);
    }

    #[test]
    fn skips_comments_scripts_and_cut_off_tags() {
        let t = starts(
            "<!-- <a id=\"no\"> --><script>var s = '<a id=\"no2\">';</script><p id=\"yes\"><a id=\"cut",
        );
        let names: Vec<&str> = t.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["script", "p"]);
    }

    #[test]
    fn first_duplicate_attribute_wins_and_references_decode() {
        let t = starts("<a id=\"one\" id=\"two\" href=\"a.html?x=1&amp;y=2&#35;z\">");
        assert_eq!(t[0].1[0], ("id".to_string(), "one".to_string()));
        assert_eq!(t[0].1[1].1, "a.html?x=1&y=2#z");
        assert_eq!(decode("&ltb=1 &lt; &#x41;&#66"), "&ltb=1 < AB");
        assert_eq!(
            decode("caf&eacute; &#128; &notin; &copy=1"),
            "caf\u{e9} \u{20ac} \u{2209} &copy=1"
        );
    }

    #[test]
    fn comments_close_as_in_the_specification() {
        let names =
            |html: &str| -> Vec<String> { starts(html).into_iter().map(|(n, _)| n).collect() };
        assert_eq!(names("<!-- a --!><p>"), ["p"]);
        assert_eq!(names("<!--><p>"), ["p"]);
        assert_eq!(names("<!---><p>"), ["p"]);
        assert_eq!(names("<!-- a -- b --><p>"), ["p"]);
        assert!(names("<!-- never closed <p>").is_empty());
    }

    #[test]
    fn script_data_has_escaped_and_double_escaped_parts() {
        let ids = |html: &str| -> Vec<String> {
            starts(html)
                .into_iter()
                .flat_map(|(_, attrs)| attrs.into_iter().map(|(_, v)| v))
                .collect()
        };
        // Inside `<!-- <script>`, `</script>` only ends the double escape.
        assert_eq!(
            ids("<script><!--<script></script><a id=\"in\"></script><a id=\"out\">"),
            ["out"]
        );
        // Without the inner `<script>`, the first `</script>` ends the script.
        assert_eq!(ids("<script><!--</script><a id=\"after\">"), ["after"]);
        assert_eq!(
            ids("<script><!-- x --></script><a id=\"after\">"),
            ["after"]
        );
        // `-->` ends the double escape, and with it the escape.
        assert_eq!(
            ids("<script><!--<script>--></script><a id=\"after\">"),
            ["after"]
        );
        // Style is raw text without escapes.
        assert_eq!(ids("<style><!--</style><a id=\"after\">"), ["after"]);
    }

    #[test]
    fn text_between_tags_is_reported() {
        let mut text = String::new();
        tokenize("<span>A &amp; B</span> c <3 &copy2026 </", |t| {
            if let Token::Text(s) = t {
                text.push_str(&decode_text(s));
            }
        });
        assert_eq!(text, "A & B c <3 \u{a9}2026 </");
    }
}
