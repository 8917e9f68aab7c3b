//! Files -> items. Pure: the caller reads the files and hands over their bytes.

pub mod frontmatter;

use crate::diag::{Code, Diagnostic};
use crate::model::{
    Date, FileId, Item, Kind, Relation, SourceMap, Span, Spanned, Status, TestResult, TraceLink,
    validate_id,
};
use frontmatter::FrontMatter;
use std::collections::BTreeMap;
use toml::de::{DeTable, DeValue};

/// A file as the edge read it.
#[derive(Debug)]
pub struct Input {
    /// Path shown in diagnostics (relative to where the tool runs).
    pub name: String,
    /// Path shown in the book (relative to the folder that holds the book).
    pub path: String,
    pub content: Result<Vec<u8>, InputError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// The OS refused; the text is its message.
    Io(String),
    /// The file is larger than the limit; the number is its size in bytes.
    TooLarge { size: u64, limit: u64 },
}

/// Every front-matter key an item accepts, with the kinds it is allowed on (`None`: all).
const KEYS: &[(&str, Option<Kind>)] = &[
    ("id", None),
    ("kind", None),
    ("title", None),
    ("status", None),
    ("owner", None),
    ("rationale", None),
    ("tags", None),
    ("version", None),
    ("last-reviewed", None),
    ("next-review", None),
    ("result", Some(Kind::Test)),
    ("derives-from", Some(Kind::Requirement)),
    ("implements", Some(Kind::Control)),
    ("mitigates", Some(Kind::Control)),
    ("verifies", Some(Kind::Test)),
    ("affects", None),
];

/// Turns the read files into items. Every file yields either an item or at least one
/// error-level finding, so a broken file can never vanish silently.
pub fn load_items(map: &mut SourceMap, inputs: Vec<Input>) -> (Vec<Item>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut parsable = Vec::with_capacity(inputs.len());
    for input in inputs {
        match add_text(map, input.name, input.content, &ITEM_FILE) {
            Ok(file) => parsable.push((file, input.path)),
            Err(d) => diags.push(d),
        }
    }
    let map = &*map;
    let parse = |part: &[(FileId, String)]| {
        let mut items = Vec::with_capacity(part.len());
        let mut diags = Vec::new();
        for (file, path) in part {
            let (item, mut d) = parse_item(*file, map.text(*file));
            diags.append(&mut d);
            items.extend(item.map(|mut i| {
                i.path = path.clone();
                i
            }));
        }
        (items, diags)
    };
    // Parsing is independent per file, so it is spread over the cores; chunks are joined
    // in input order, which keeps the result identical to a sequential run.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let results: Vec<(Vec<Item>, Vec<Diagnostic>)> = if threads < 2 || parsable.len() < 256 {
        vec![parse(&parsable)]
    } else {
        let chunk = parsable.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = parsable
                .chunks(chunk)
                .map(|part| s.spawn(move || parse(part)))
                .collect();
            // A panic while parsing is a bug; re-raise it rather than drop a chunk of items.
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    let mut items = Vec::with_capacity(parsable.len());
    for (mut i, mut d) in results {
        items.append(&mut i);
        diags.append(&mut d);
    }
    (items, diags)
}

/// How findings about reading a kind of input name it and what they advise.
pub(crate) struct InputKind {
    /// The subject of the messages: "file", "SBOM".
    pub noun: &'static str,
    pub io_help: &'static str,
    pub size_help: &'static str,
    pub utf8_help: &'static str,
}

const ITEM_FILE: InputKind = InputKind {
    noun: "file",
    io_help: "check that the file exists and is readable",
    size_help: "split the item into smaller items, or raise `max-file-size` in [preprocessor.techfile]",
    utf8_help: "save the file as UTF-8 (most editors offer this in 'Save as')",
};

/// Adds a read input's text to the source map. An input that could not be read, or is not
/// UTF-8, still gets a file in the map (empty, or decoded lossily) so the finding about it
/// can point somewhere; the finding is returned instead of the file.
pub(crate) fn add_text(
    map: &mut SourceMap,
    name: String,
    content: Result<Vec<u8>, InputError>,
    kind: &InputKind,
) -> Result<FileId, Diagnostic> {
    let noun = kind.noun;
    match content {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(map.add(name, text)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let file = map.add(name, lossy);
                Err(
                    Diagnostic::new(Code::NotUtf8, format!("{noun} is not valid UTF-8"))
                        .at(Span::new(file, at..at), "first invalid byte here")
                        .help(kind.utf8_help),
                )
            }
        },
        Err(err) => {
            let span = Span::new(map.add(name, String::new()), 0..0);
            Err(match err {
                InputError::Io(msg) => {
                    Diagnostic::new(Code::ReadError, format!("cannot read {noun}: {msg}"))
                        .at(span, format!("this {noun}"))
                        .help(kind.io_help)
                }
                InputError::TooLarge { size, limit } => Diagnostic::new(
                    Code::FileTooLarge,
                    format!("{noun} is {size} bytes, more than the limit of {limit} bytes"),
                )
                .at(span, format!("this {noun}"))
                .help(kind.size_help),
            })
        }
    }
}

/// Parses one item file. Returns `None` when the file is too broken to make an item;
/// then at least one error explains why.
pub fn parse_item(file: FileId, text: &str) -> (Option<Item>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let split = match frontmatter::split(text) {
        FrontMatter::Present(s) => s,
        FrontMatter::Absent => {
            let end = text.find('\n').unwrap_or(text.len());
            diags.push(
                Diagnostic::new(Code::MissingFrontMatter, "item file has no `+++` front-matter")
                    .at(Span::new(file, 0..end), "expected `+++` on the first line")
                    .help("start the file with a `+++` line, the TOML keys `id`, `kind` and `title`, and a closing `+++` line"),
            );
            return (None, diags);
        }
        FrontMatter::Unclosed(open) => {
            diags.push(
                Diagnostic::new(Code::UnclosedFrontMatter, "front-matter is never closed")
                    .at(Span::new(file, open), "opened here")
                    .help("add a line with only `+++` after the last TOML key"),
            );
            return (None, diags);
        }
    };
    let base = split.toml.start;
    let toml_text = &text[split.toml.clone()];
    let header_span = Span::new(file, split.open.start..split.toml.end);
    let table = match DeTable::parse(toml_text) {
        Ok(t) => t.into_inner(),
        Err(e) => {
            let range = e
                .span()
                .map(|r| r.start + base..r.end + base)
                .unwrap_or(split.open.clone());
            diags.push(
                Diagnostic::new(
                    Code::TomlSyntax,
                    format!("front-matter is not valid TOML: {}", first_line(e.message())),
                )
                .at(Span::new(file, range), "here")
                .help("front-matter is TOML: `key = \"text\"`, `key = [\"A\", \"B\"]`, one key per line"),
            );
            return (None, diags);
        }
    };
    let mut r = Reader {
        file,
        base,
        diags,
        header_span,
    };
    let item = r.item(&table, &text[split.body.clone()], split.body.start);
    (item, r.diags)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

type Value<'a> = toml::Spanned<DeValue<'a>>;

struct Reader {
    file: FileId,
    base: usize,
    diags: Vec<Diagnostic>,
    header_span: Span,
}

impl Reader {
    fn span(&self, r: std::ops::Range<usize>) -> Span {
        Span::shifted(self.file, r, self.base)
    }

    fn item(&mut self, table: &DeTable<'_>, body: &str, body_offset: usize) -> Option<Item> {
        let by_key: BTreeMap<&str, (&Value<'_>, Span)> = table
            .iter()
            .map(|(k, v)| (k.get_ref().as_ref(), (v, self.span(k.span()))))
            .collect();

        let kind = self.required_str(&by_key, "kind").and_then(|(s, span)| {
            let kind = Kind::parse(&s);
            if kind.is_none() {
                self.invalid(
                    span,
                    format!("unknown kind `{s}`"),
                    "use one of `requirement`, `risk`, `control`, `test`",
                );
            }
            kind
        });

        for (key, (_, key_span)) in &by_key {
            match KEYS.iter().find(|(k, _)| k == key) {
                None => {
                    let mut d = Diagnostic::new(
                        Code::UnknownKey,
                        format!("unknown front-matter key `{key}`"),
                    )
                    .at(*key_span, "not a known key");
                    d = match closest(key, KEYS.iter().map(|(k, _)| *k)) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d.help(format!(
                            "known keys are: {}",
                            KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                        )),
                    };
                    self.diags.push(d);
                }
                Some((_, Some(only))) if kind.is_some_and(|k| k != *only) => {
                    self.diags.push(
                        Diagnostic::new(
                            Code::MisplacedKey,
                            format!(
                                "`{key}` is not allowed on a {}",
                                kind.map(Kind::as_str).unwrap_or("")
                            ),
                        )
                        .at(*key_span, format!("only a {only} may declare this"))
                        .help(misplaced_help(key)),
                    );
                }
                _ => {}
            }
        }

        let id = self
            .required_str(&by_key, "id")
            .and_then(|(id, span)| match validate_id(&id) {
                Ok(()) => Some((id, span)),
                Err(why) => {
                    self.invalid(
                        span,
                        format!("invalid ID `{id}`"),
                        format!("{why}, for example `REQ-AUTH-001`"),
                    );
                    None
                }
            });
        let title = self.required_str(&by_key, "title").and_then(|(t, span)| {
            if t.trim().is_empty() {
                self.invalid(
                    span,
                    "the title is empty".into(),
                    "give the item a short title",
                );
                None
            } else {
                Some(t)
            }
        });
        let status = self
            .optional_str(&by_key, "status")
            .and_then(|(s, span)| {
                let st = Status::parse(&s);
                if st.is_none() {
                    self.invalid(
                        span,
                        format!("unknown status `{s}`"),
                        "use one of `draft`, `in-review`, `approved`, `obsolete`",
                    );
                }
                st
            })
            .unwrap_or_default();
        let result = self.optional_str(&by_key, "result").and_then(|(s, span)| {
            let r = TestResult::parse(&s);
            if r.is_none() {
                self.invalid(
                    span,
                    format!("unknown test result `{s}`"),
                    "use one of `pass`, `fail`, `not-run`",
                );
            }
            r
        });
        let owner = self.optional_str(&by_key, "owner").map(|(s, _)| s);
        let rationale = self.optional_str(&by_key, "rationale").map(|(s, _)| s);
        let version = self.optional_str(&by_key, "version").map(|(s, _)| s);
        let tags = self
            .string_list(&by_key, "tags")
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let last_reviewed = self.date(&by_key, "last-reviewed");
        let next_review = self.date(&by_key, "next-review");
        if let (Some((a, _)), Some((b, span))) = (last_reviewed, next_review)
            && b < a
        {
            self.invalid(
                span,
                format!("next review {b} is before the last review {a}"),
                "set `next-review` after `last-reviewed`",
            );
        }

        let mut links = Vec::new();
        for relation in Relation::ALL {
            for (target, span) in self.string_list(&by_key, relation.key()) {
                match validate_id(&target) {
                    Ok(()) => links.push(TraceLink {
                        relation,
                        target,
                        span,
                    }),
                    Err(why) => self.invalid(span, format!("invalid ID `{target}`"), why),
                }
            }
        }

        // Components are named by purl or bom-ref, which have no fixed shape; only an empty
        // string is certainly wrong.
        let mut affects = Vec::new();
        for (target, span) in self.string_list(&by_key, "affects") {
            if target.trim().is_empty() {
                self.invalid(
                    span,
                    "empty component reference in `affects`".into(),
                    "write the purl (`pkg:cargo/serde@1.0.228`) or bom-ref of an SBOM component",
                );
            } else {
                affects.push(Spanned {
                    value: target,
                    span,
                });
            }
        }

        let (id, id_span) = id?;
        Some(Item {
            id,
            id_span,
            kind: kind?,
            title: title?,
            status,
            owner,
            rationale,
            tags,
            version,
            last_reviewed: last_reviewed.map(|(d, _)| d),
            next_review: next_review.map(|(d, _)| d),
            result,
            links,
            affects,
            path: String::new(),
            body: body.to_owned(),
            body_offset: u32::try_from(body_offset).unwrap_or(u32::MAX),
            header_span: self.header_span,
        })
    }

    fn invalid(&mut self, span: Span, message: String, help: impl Into<String>) {
        self.diags.push(
            Diagnostic::new(Code::InvalidValue, message)
                .at(span, "invalid value")
                .help(help),
        );
    }

    fn wrong_type(&mut self, key: &str, value: &Value<'_>, expected: &str, example: &str) {
        self.diags.push(
            Diagnostic::new(
                Code::WrongType,
                format!(
                    "`{key}` must be {expected}, found {}",
                    value.get_ref().type_str()
                ),
            )
            .at(self.span(value.span()), format!("expected {expected}"))
            .help(format!("write it as {example}")),
        );
    }

    fn required_str(
        &mut self,
        by_key: &BTreeMap<&str, (&Value<'_>, Span)>,
        key: &str,
    ) -> Option<(String, Span)> {
        if !by_key.contains_key(key) {
            self.diags.push(
                Diagnostic::new(Code::MissingKey, format!("missing required key `{key}`"))
                    .at(self.header_span, format!("`{key}` is not set here"))
                    .help(format!("add `{key} = \"...\"` to the front-matter")),
            );
            return None;
        }
        self.optional_str(by_key, key)
    }

    fn optional_str(
        &mut self,
        by_key: &BTreeMap<&str, (&Value<'_>, Span)>,
        key: &str,
    ) -> Option<(String, Span)> {
        let (value, _) = by_key.get(key)?;
        match value.get_ref() {
            DeValue::String(s) => Some((s.to_string(), self.span(value.span()))),
            _ => {
                self.wrong_type(key, value, "a string", &format!("`{key} = \"...\"`"));
                None
            }
        }
    }

    fn string_list(
        &mut self,
        by_key: &BTreeMap<&str, (&Value<'_>, Span)>,
        key: &str,
    ) -> Vec<(String, Span)> {
        let Some((value, _)) = by_key.get(key) else {
            return Vec::new();
        };
        let example = format!("`{key} = [\"A\", \"B\"]`");
        let DeValue::Array(array) = value.get_ref() else {
            self.wrong_type(key, value, "an array of strings", &example);
            return Vec::new();
        };
        let mut out = Vec::with_capacity(array.len());
        for v in array.iter() {
            match v.get_ref() {
                DeValue::String(s) => out.push((s.to_string(), self.span(v.span()))),
                _ => self.wrong_type(key, v, "an array of strings", &example),
            }
        }
        out
    }

    fn date(
        &mut self,
        by_key: &BTreeMap<&str, (&Value<'_>, Span)>,
        key: &str,
    ) -> Option<(Date, Span)> {
        let (value, _) = by_key.get(key)?;
        let span = self.span(value.span());
        let parsed = match value.get_ref() {
            DeValue::String(s) => Date::parse(s),
            DeValue::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt
                .date
                .and_then(|d| Date::from_parts(d.year.into(), d.month.into(), d.day.into())),
            DeValue::Datetime(_) => {
                self.invalid(
                    span,
                    format!("`{key}` must be a date without a time"),
                    format!("write it as `{key} = 2026-03-01`"),
                );
                return None;
            }
            _ => {
                self.wrong_type(key, value, "a date", &format!("`{key} = 2026-03-01`"));
                return None;
            }
        };
        if parsed.is_none() {
            self.invalid(
                span,
                format!("`{key}` is not a valid date"),
                format!("write a real calendar date as `{key} = 2026-03-01`"),
            );
        }
        parsed.map(|d| (d, span))
    }
}

fn misplaced_help(key: &str) -> String {
    match key {
        "derives-from" => "only requirements derive from catalog entries or other requirements; a control uses `implements`, a test uses `verifies`".into(),
        "implements" | "mitigates" => format!("only controls use `{key}`; a test uses `verifies`, a requirement uses `derives-from`"),
        "verifies" => "only tests use `verifies`; a control uses `implements` or `mitigates`".into(),
        "result" => "only tests have a `result`".into(),
        _ => format!("remove `{key}`"),
    }
}

/// The known word closest to `word` by edit distance, if it is close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.len() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| {
            (
                levenshtein(&word.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<Item>, Vec<Diagnostic>, SourceMap) {
        let mut map = SourceMap::new();
        let f = map.add("a.md", text);
        let (item, diags) = parse_item(f, text);
        (item, diags, map)
    }

    fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
        d.iter().map(|d| d.code.as_str()).collect()
    }

    fn at(d: &Diagnostic, map: &SourceMap) -> (usize, usize) {
        let p = d.primary.as_ref().unwrap();
        map.get(p.span.file).line_col(p.span.start as usize)
    }

    #[test]
    fn parses_a_complete_item() {
        let (item, d, _) = parse(
            "+++\nid = \"CTL-1\"\nkind = \"control\"\ntitle = \"TLS\"\nstatus = \"approved\"\nimplements = [\"REQ-1\", \"REQ-2\"]\nmitigates = [\"RSK-1\"]\nlast-reviewed = 2026-01-10\n+++\nBody text\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let item = item.unwrap();
        assert_eq!(item.id, "CTL-1");
        assert_eq!(item.kind, Kind::Control);
        assert_eq!(item.status, Status::Approved);
        assert_eq!(item.links.len(), 3);
        assert_eq!(item.links[0].target, "REQ-1");
        assert_eq!(item.body, "Body text\n");
        assert_eq!(item.last_reviewed.unwrap().to_string(), "2026-01-10");
    }

    #[test]
    fn link_spans_point_at_the_id_in_the_file() {
        let text =
            "+++\nid = \"T-1\"\nkind = \"test\"\ntitle = \"t\"\nverifies = [\"CTL-9\"]\n+++\n";
        let (item, _, map) = parse(text);
        let link = &item.unwrap().links[0];
        assert_eq!(&text[link.span.range()], "\"CTL-9\"");
        assert_eq!(
            map.get(link.span.file).line_col(link.span.start as usize),
            (5, 13)
        );
    }

    #[test]
    fn bad_toml_is_reported_with_its_line() {
        let (item, d, map) = parse("+++\nid = \"A\"\ntitle = \n+++\n");
        assert!(item.is_none());
        assert_eq!(codes(&d), ["toml-syntax"]);
        assert_eq!(at(&d[0], &map).0, 3);
    }

    #[test]
    fn unclosed_front_matter() {
        let (item, d, _) = parse("+++\nid = \"A\"\n");
        assert!(item.is_none());
        assert_eq!(codes(&d), ["unclosed-front-matter"]);
    }

    #[test]
    fn empty_file_has_no_front_matter() {
        let (item, d, _) = parse("");
        assert!(item.is_none());
        assert_eq!(codes(&d), ["missing-front-matter"]);
    }

    #[test]
    fn empty_front_matter_names_every_missing_key() {
        let (item, d, _) = parse("+++\n+++\n");
        assert!(item.is_none());
        assert_eq!(codes(&d), ["missing-key", "missing-key", "missing-key"]);
    }

    #[test]
    fn unknown_key_suggests_the_closest() {
        let (_, d, map) =
            parse("+++\nid = \"A\"\nkind = \"test\"\ntitle = \"t\"\nverifes = [\"X\"]\n+++\n");
        assert_eq!(codes(&d), ["unknown-key"]);
        assert_eq!(at(&d[0], &map), (5, 1));
        assert_eq!(d[0].help.as_deref(), Some("did you mean `verifies`?"));
    }

    #[test]
    fn wrong_types_are_reported_per_value() {
        let (item, d, map) = parse(
            "+++\nid = 7\nkind = \"test\"\ntitle = \"t\"\nverifies = \"CTL-1\"\ntags = [1]\n+++\n",
        );
        assert!(item.is_none());
        assert_eq!(codes(&d), ["wrong-type", "wrong-type", "wrong-type"]);
        assert_eq!(at(&d[0], &map), (2, 6));
    }

    #[test]
    fn misplaced_trace_key() {
        let (_, d, _) = parse(
            "+++\nid = \"R-1\"\nkind = \"requirement\"\ntitle = \"t\"\nverifies = [\"X\"]\n+++\n",
        );
        assert_eq!(codes(&d), ["misplaced-key"]);
    }

    #[test]
    fn bad_values() {
        let (item, d, _) = parse(
            "+++\nid = \"1-bad\"\nkind = \"widget\"\ntitle = \" \"\nstatus = \"done\"\nlast-reviewed = \"2026-02-30\"\nnext-review = 2026-01-01T10:00:00\n+++\n",
        );
        assert!(item.is_none());
        assert_eq!(
            codes(&d).iter().filter(|c| **c == "invalid-value").count(),
            6,
            "{d:?}"
        );
    }

    #[test]
    fn review_dates_must_be_in_order() {
        let (_, d, _) = parse(
            "+++\nid = \"A\"\nkind = \"risk\"\ntitle = \"t\"\nlast-reviewed = 2026-05-01\nnext-review = \"2026-04-01\"\n+++\n",
        );
        assert_eq!(codes(&d), ["invalid-value"]);
    }

    #[test]
    fn non_utf8_and_unreadable_files_are_reported_not_lost() {
        let mut map = SourceMap::new();
        let (items, d) = load_items(
            &mut map,
            vec![
                Input {
                    name: "bin.md".into(),
                    path: String::new(),
                    content: Ok(vec![b'+', b'+', b'+', b'\n', 0xff, 0xfe]),
                },
                Input {
                    name: "gone.md".into(),
                    path: String::new(),
                    content: Err(InputError::Io("No such file".into())),
                },
                Input {
                    name: "big.md".into(),
                    path: String::new(),
                    content: Err(InputError::TooLarge { size: 9, limit: 1 }),
                },
            ],
        );
        assert!(items.is_empty());
        assert_eq!(codes(&d), ["not-utf8", "read-error", "file-too-large"]);
        assert_eq!(
            map.get(d[0].primary.as_ref().unwrap().span.file)
                .line_col(4),
            (2, 1)
        );
    }

    #[test]
    fn huge_file_parses_without_trouble() {
        let body = "lorem ipsum ".repeat(400_000);
        let text = format!("+++\nid = \"A\"\nkind = \"risk\"\ntitle = \"t\"\n+++\n{body}");
        let (item, d, _) = parse(&text);
        assert!(d.is_empty());
        assert_eq!(item.unwrap().body.len(), body.len());
    }

    #[test]
    fn closest_word() {
        assert_eq!(
            closest("implement", ["implements", "verifies"]),
            Some("implements")
        );
        assert_eq!(closest("zzz", ["implements"]), None);
    }
}
