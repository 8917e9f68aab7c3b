//! Just enough of an HTML tokenizer to read the raw HTML mdBook copies from Markdown into a
//! page: start tags with their attributes (and where each value is), end tags and text.
//! Comments, doctypes and the contents of `<script>` and `<style>` are skipped, as in the
//! HTML tokenizer mdBook uses; a tag cut off by the end of the input is not a tag.

use std::borrow::Cow;
use std::ops::Range;

/// One attribute of a start tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr<'a> {
    /// As written; compare with `eq_ignore_ascii_case` (HTML names are case-insensitive).
    pub name: &'a str,
    /// The value as written, character references not yet decoded (most values are never
    /// looked at, so decoding waits for [`Attr::value`]).
    pub raw: &'a str,
    /// Where the value is written in the input (the name when there is no value).
    pub range: Range<usize>,
}

impl<'a> Attr<'a> {
    /// The value with character references decoded.
    pub fn value(&self) -> Cow<'a, str> {
        decode(self.raw)
    }
}

/// What the tokenizer reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a, 'b> {
    Start {
        name: &'a str,
        attrs: &'b [Attr<'a>],
    },
    End {
        name: &'a str,
    },
    /// Character data as written; [`decode`] it to read it.
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
                    None => i = html.len(),
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
                if name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style") {
                    i = raw_text_end(html, i, name);
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

/// Reads attributes up to the `>` that closes the tag. Returns the offset after it and
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
        return body.find("-->").map_or(html.len(), |p| lt + 4 + p + 3);
    }
    rest.find('>').map_or(html.len(), |p| lt + p + 1)
}

/// The end of the raw text after `<script>` or `<style>`: the start of its end tag.
fn raw_text_end(html: &str, from: usize, name: &str) -> usize {
    let b = html.as_bytes();
    let mut i = from;
    while let Some(p) = html[i..].find("</") {
        let at = i + p;
        let end = at + 2 + name.len();
        if end <= b.len()
            && html.is_char_boundary(end)
            && html[at + 2..end].eq_ignore_ascii_case(name)
            && b.get(end)
                .is_none_or(|&c| is_space(c) || c == b'/' || c == b'>')
        {
            return at;
        }
        i = at + 2;
    }
    html.len()
}

/// Decodes character references: numeric ones, and the named ones that appear in URLs
/// and ids in practice. Others are left as written.
pub fn decode(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        match reference(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character a reference at the start of `s` stands for, and its length.
fn reference(s: &str) -> Option<(char, usize)> {
    let body = &s[1..];
    if let Some(num) = body.strip_prefix('#') {
        let (digits, radix, skip) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 3),
            None => (num, 10, 2),
        };
        let len = digits
            .bytes()
            .take_while(|b| (*b as char).is_digit(radix))
            .count();
        if len == 0 {
            return None;
        }
        let n = u32::from_str_radix(&digits[..len], radix).unwrap_or(0xFFFD);
        let c = char::from_u32(n)
            .filter(|&c| c != '\0')
            .unwrap_or('\u{FFFD}');
        let semi = usize::from(digits[len..].starts_with(';'));
        return Some((c, skip + len + semi));
    }
    const NAMED: &[(&str, char)] = &[
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("nbsp", '\u{a0}'),
    ];
    for (name, c) in NAMED {
        if let Some(after) = body.strip_prefix(name) {
            if after.starts_with(';') {
                return Some((*c, name.len() + 2));
            }
            // Without the `;` only the legacy names decode, and not before `=` or an
            // alphanumeric (so `?a=1&ltb=2` keeps its text).
            if *name != "apos"
                && !after
                    .bytes()
                    .next()
                    .is_some_and(|b| b == b'=' || b.is_ascii_alphanumeric())
            {
                return Some((*c, name.len() + 1));
            }
        }
    }
    None
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
    }

    #[test]
    fn text_between_tags_is_reported() {
        let mut text = String::new();
        tokenize("<span>A &amp; B</span> c <3", |t| {
            if let Token::Text(s) = t {
                text.push_str(&decode(s));
            }
        });
        assert_eq!(text, "A & B c <3");
    }
}
