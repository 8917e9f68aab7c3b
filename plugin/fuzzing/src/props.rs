//! The properties every target checks besides "no panic". Each panics with a message that
//! names what broke, so libFuzzer keeps the input and a regression test shows why.

use pulldown_cmark::{Event, Parser};
use techfile_core::Analysis;
use techfile_core::diag::{self, Diagnostic};
use techfile_core::links::{self, html};
use techfile_core::model::{SourceMap, Span};

/// Every place a finding names lies inside the file it names: a known file, a range
/// within its text on character boundaries, so `file:line:column` exists. The findings
/// are then rendered both ways users see them, which would also fail on a bad place.
pub fn places(map: &SourceMap, diags: &[Diagnostic]) {
    for d in diags {
        for label in d.primary.iter().chain(&d.secondary) {
            span(map, label.span, d);
        }
    }
    let _ = diag::render_human(diags, map, false);
    let _ = diag::render_json(diags, map);
}

fn span(map: &SourceMap, span: Span, d: &Diagnostic) {
    assert!(
        (span.file.0 as usize) < map.len(),
        "{} `{}` names file {} of {}",
        d.code.as_str(),
        d.message,
        span.file.0,
        map.len()
    );
    let file = map.get(span.file);
    let r = span.range();
    assert!(
        r.start <= r.end
            && r.end <= file.text.len()
            && file.text.is_char_boundary(r.start)
            && file.text.is_char_boundary(r.end),
        "{} `{}` points at {r:?} of {} ({} bytes)",
        d.code.as_str(),
        d.message,
        file.name,
        file.text.len()
    );
    let (line, column) = file.line_col(r.start);
    assert!(line >= 1 && line <= file.line_starts().len() && column >= 1);
}

/// What an analysis produced, as text: findings, notes, every chapter and generated page.
/// Two runs on the same input must give the same fingerprint.
pub fn fingerprint(a: &Analysis) -> String {
    let mut out = diag::render_json(&a.findings, &a.map);
    for n in &a.notes {
        out.push_str(n);
        out.push('\n');
    }
    for c in &a.output.chapters {
        out.push_str(&c.text);
    }
    for p in &a.output.generated {
        out.push_str(&p.path);
        out.push_str(&p.title);
        out.push_str(&p.content.text);
    }
    for e in &a.output.external {
        out.push_str(&format!("{e:?}"));
    }
    out
}

/// Asserts that two fingerprints of one input are equal, showing where they part.
pub fn same(first: &str, second: &str, what: &str) {
    if first != second {
        let at = first
            .bytes()
            .zip(second.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(first.len().min(second.len()));
        let from = floor(first, at.saturating_sub(80));
        panic!(
            "{what}: two runs on the same input differ at byte {at}:\n first: {:?}\nsecond: {:?}",
            &first[from..floor(first, at + 80)],
            &second[floor(second, from)..floor(second, at + 80)]
        );
    }
}

fn floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Tags the generators write into pages. Anything else in the raw HTML of a page whose
/// users wrote no HTML came from user text that was not escaped.
const TAGS: &[&str] = &[
    "a", "br", "caption", "code", "col", "colgroup", "details", "div", "em", "li", "ol", "p",
    "span", "strong", "style", "summary", "table", "tbody", "td", "th", "thead", "tr", "ul", "sup",
    "small", "abbr", "dl", "dt", "dd", "section", "time", "kbd", "pre", "script", "i", "b",
];
const ATTRS: &[&str] = &[
    "href", "id", "class", "title", "colspan", "rowspan", "scope", "open", "style", "datetime",
];

/// No user text reaches the HTML of a page unescaped. `pages` is Markdown whose users
/// wrote no raw HTML (the caller makes sure); `user` is every string users wrote in
/// places that are not Markdown (front-matter values, configuration). Checks that the raw
/// HTML mdBook would copy holds only the tags and attributes the generators write, no
/// `javascript:`-like link, and no user string with markup in it as written.
pub fn no_raw_user_html(pages: &[&str], user: &[String], md: links::Markdown) {
    let markup: Vec<&str> = user
        .iter()
        .flat_map(|s| s.lines())
        .map(str::trim)
        .filter(|l| l.len() > 1 && has_markup(l))
        .collect();
    for page in pages {
        let mut raw = String::new();
        for event in Parser::new_ext(page, md.parser_options()) {
            if let Event::Html(h) | Event::InlineHtml(h) = event {
                raw.push_str(&h);
            }
        }
        for m in &markup {
            assert!(
                !raw.contains(m),
                "user text {m:?} is in the page's raw HTML unescaped"
            );
        }
        html::tokenize(&raw, |t| {
            if let html::Token::Start { name, attrs } = t {
                let name = name.to_ascii_lowercase();
                assert!(
                    TAGS.contains(&name.as_str()),
                    "a `<{name}>` the generators never write is in a page"
                );
                for a in attrs {
                    let attr = a.name.to_ascii_lowercase();
                    assert!(
                        ATTRS.contains(&attr.as_str()),
                        "attribute `{attr}` on `<{name}>`, which the generators never write"
                    );
                    if attr == "href" {
                        let v = a.value().to_ascii_lowercase();
                        let scheme = v.split(['/', '#', '?']).next().unwrap_or_default();
                        assert!(
                            !scheme.contains(':')
                                || scheme == "https:"
                                || scheme == "http:"
                                || scheme == "mailto:",
                            "a link to `{v}` in generated HTML"
                        );
                    }
                }
            }
        });
    }
}

/// Whether text would be markup if copied into HTML as it is.
fn has_markup(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'/' | b'!' | b'?')))
}
