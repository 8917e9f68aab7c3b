//! The link check reads raw HTML with its own small tokenizer (`links::html`), which keeps
//! the byte offset of every attribute value for the findings. mdBook 0.5 tokenizes raw HTML
//! with html5ever (switching to raw text after `<script>` and `<style>`). This test holds
//! the two together: on hand-written hostile input and on generated input, both must see
//! the same start tags with the same ids, `<a name>`s, `href`s, `xlink:href`s and `src`s
//! (character references decoded), and the same text outside `<script>` and `<style>`
//! (heading text makes heading ids).

use html5ever::tendril::ByteTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use std::cell::RefCell;
use techfile_core::links::html::{self, Token as Ours};

/// What the link check reads from a piece of raw HTML.
#[derive(Debug, Default, PartialEq, Eq)]
struct Seen {
    /// Start tags (lower-case names) with the attributes the link check reads, in order.
    tags: Vec<(String, Vec<(String, String)>)>,
    /// Text between tags, decoded, outside `<script>` and `<style>`.
    text: String,
}

/// The attributes the link check reads.
fn wanted(attr: &str) -> bool {
    ["id", "name", "href", "xlink:href", "src"].contains(&attr)
}

fn ours(input: &str) -> Seen {
    let mut seen = Seen::default();
    html::tokenize(input, |t| match t {
        Ours::Start { name, attrs } => seen.tags.push((
            name.to_ascii_lowercase(),
            attrs
                .iter()
                .map(|a| (a.name.to_ascii_lowercase(), a.value().into_owned()))
                .filter(|(k, _)| wanted(k))
                .collect(),
        )),
        Ours::Text(t) => seen.text.push_str(&html::decode_text(t)),
        Ours::End { .. } => {}
    });
    seen
}

/// The sink mdBook's tokenizer uses: raw text after `<script>` and `<style>`.
#[derive(Default)]
struct Sink {
    seen: RefCell<Seen>,
    raw: RefCell<bool>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                match tag.kind {
                    TagKind::StartTag => {
                        self.seen.borrow_mut().tags.push((
                            name.clone(),
                            tag.attrs
                                .iter()
                                .map(|a| {
                                    let key = match &a.name.prefix {
                                        Some(p) => format!("{p}:{}", a.name.local),
                                        None => a.name.local.to_string(),
                                    };
                                    (key, a.value.to_string())
                                })
                                .filter(|(k, _)| wanted(k))
                                .collect(),
                        ));
                        if name == "script" {
                            *self.raw.borrow_mut() = true;
                            return TokenSinkResult::RawData(RawKind::ScriptData);
                        }
                        if name == "style" {
                            *self.raw.borrow_mut() = true;
                            return TokenSinkResult::RawData(RawKind::Rawtext);
                        }
                    }
                    TagKind::EndTag => *self.raw.borrow_mut() = false,
                }
            }
            Token::CharacterTokens(t) if !*self.raw.borrow() => {
                self.seen.borrow_mut().text.push_str(&t);
            }
            Token::NullCharacterToken if !*self.raw.borrow() => {
                self.seen.borrow_mut().text.push('\0');
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn html5ever(input: &str) -> Seen {
    let tendril: ByteTendril = input.as_bytes().into();
    let queue = BufferQueue::default();
    queue.push_back(
        tendril
            .try_reinterpret::<html5ever::tendril::fmt::UTF8>()
            .unwrap(),
    );
    let tok = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let _ = tok.feed(&queue);
    tok.end();
    tok.sink.seen.take()
}

fn disagreement(input: &str) -> Option<String> {
    let (a, b) = (ours(input), html5ever(input));
    (a != b).then(|| format!("input: {input:?}\n  ours:      {a:?}\n  html5ever: {b:?}"))
}

const HOSTILE: &[&str] = &[
    // Quoting styles, unquoted values, spaces around `=`, upper case.
    "<A HREF=\"x.md#a\" ID='b' data-x=c disabled class = \"d\">text</A>",
    "<a href=x.md#y id=z>",
    "<a href = 'q.md' id\t=\n\"w\">",
    "<IMG SRC=pic.png><Img Src='b.png'>",
    // Unquoted values with characters that are errors but kept.
    "<a href=a\"b id=c'd>",
    "<a href=a=b id=`x`>",
    // Duplicate attributes: the first wins.
    "<a id=\"one\" id=\"two\" href=\"1\" HREF=\"2\">",
    // Character references, named, numeric, without semicolons, in attributes and text.
    "<a href=\"a.html?x=1&amp;y=2&#35;z\" id=\"caf&eacute;\">caf&eacute; &amp; &lt;b&gt;</a>",
    "<a href=\"?a=1&ltb=2&copy=3\" id=\"&copy\">&copy 2026 &ampx &lt3</a>",
    "<a id=\"&#x41;&#66;&#0;&#x110000;&#xD800;&#128;&#150;\">&#x41;&#66&#128;</a>",
    "<a id=\"&notit; &notin; &not\">&notit; &notin;</a>",
    "<a id=\"x&\" href=\"&#\">& &# &#x &;</a>",
    "<a id=\"&NotANamedEntity;\">&Aacute;&aacute&AMP;&amp</a>",
    // Comments, including the odd ways they close.
    "<!-- <a id=\"no\"> --><p id=\"yes\">",
    "<!--><a id=\"after-empty-comment\">",
    "<!---><a id=\"after-short-comment\">",
    "<!-- x --!><a id=\"after-bang-close\">",
    "<!-- a -- b --><a id=\"dashes-inside\">",
    "<!-- never closed <a id=\"hidden\">",
    // CDATA outside foreign content, doctypes, processing instructions, bogus comments.
    "<![CDATA[<a id=\"x\">]]><a id=\"after\">",
    "<!DOCTYPE html><a id=\"d\">",
    "<?xml version=\"1.0\"?><a id=\"pi\">",
    "</ x><a id=\"bogus\"></3><a id=\"bogus2\">",
    "<!x><a id=\"bang\">",
    // Raw text: script and style, with look-alike end tags.
    "<script>var s = '<a id=\"no\">';</script><p id=\"yes\">",
    "<SCRIPT>x</ScRiPt ><a id=\"after-script\">",
    "<style>a{}</style id=\"x\"><a id=\"after-style\">",
    "<script>a</scripty></script><a id=\"after-scripty\">",
    "<script><!--<script></script><a id=\"in-double-escape\"></script><a id=\"out\">",
    "<script><!-- a --></script><a id=\"after-escaped\">",
    "<script><!--</script><a id=\"after-escaped-close\">",
    "<style><!--</style><a id=\"after-style-comment\">",
    "<script>never closed <a id=\"hidden\">",
    // Unterminated and odd tags.
    "<p id=\"yes\"><a id=\"cut",
    "<a id=\"x\" href=\"y\"",
    "<a id=x",
    "text < 3 and <3 and a<b",
    "<a/id=\"slash\"><br/><img src=\"a.png\"/>",
    "<a id=\"x\"/ href=\"y\">",
    "<=a id=\"eq\"><a =id=\"eq2\">",
    "<a\nid\n=\n\"lines\"\n>",
    "</a id=\"end-tag-attr\"><a id=\"real\">",
    "<a id=\"é ü\" href=\"ünï.md\">ünïcödé</a>",
    "<textarea><a id=\"not-raw-for-mdbook\"></textarea>",
    "<title><a id=\"t\"></title>",
    "<svg><a xlink:href=\"#x\" id=\"svg-a\"/></svg>",
];

#[test]
fn hostile_html_reads_as_html5ever_reads_it() {
    let problems: Vec<String> = HOSTILE.iter().filter_map(|h| disagreement(h)).collect();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

/// Generated HTML: fragments glued at random, so quotes, comments and raw text open in one
/// fragment and close (or not) in another.
fn generated(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "<a",
        "<A",
        "<img",
        "<p",
        "<h2",
        "<span",
        "<script>",
        "<style>",
        "</script>",
        "</style>",
        "</a>",
        "</p>",
        " id=",
        " ID=",
        " href=",
        " src=",
        " name=",
        " xlink:href=",
        "\"x\"",
        "'y'",
        "z",
        "\"a b\"",
        "'",
        "\"",
        ">",
        "/>",
        "/",
        " ",
        "\n",
        "=",
        "<!--",
        "-->",
        "--!>",
        "<!---->",
        "<![CDATA[",
        "]]>",
        "<!DOCTYPE html>",
        "<?",
        "</",
        "<",
        "&amp;",
        "&lt;",
        "&gt",
        "&quot;",
        "&copy;",
        "&copy",
        "&eacute;",
        "&#65;",
        "&#x42;",
        "&#128;",
        "&",
        "&#",
        ";",
        "text",
        "é",
        "#frag",
        "page.md",
        "?q=1&b=2",
        "\t",
        "`",
        "<br>",
        "<!x>",
        "</ x>",
        "<SCRIPT>",
        "</ScRiPt>",
        "<title>",
        "</title>",
        "<textarea>",
    ];
    let n = 1 + rng.next() % 14;
    (0..n).map(|_| rng.pick(PIECES)).collect()
}

#[test]
fn generated_html_reads_as_html5ever_reads_it() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut problems = Vec::new();
    for _ in 0..20_000 {
        let input = generated(&mut rng);
        if let Some(p) = disagreement(&input) {
            problems.push(p);
            if problems.len() == 10 {
                break;
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The comparison itself can fail: html5ever and a tokenizer that ignored comments would
/// disagree.
#[test]
fn the_comparison_sees_a_difference() {
    let input = "<!-- <a id=\"no\"> -->";
    let mut naive = ours("<a id=\"no\">");
    assert_ne!(naive, html5ever(input));
    naive.tags.clear();
    assert_eq!(naive, html5ever(input));
}
