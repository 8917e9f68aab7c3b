//! Files -> items. Pure: the caller reads the files and hands over their bytes.

pub(crate) mod broken;
pub mod frontmatter;
mod model;

pub use model::required_keys as model_required_keys;

pub(crate) use broken::Broken;

use crate::cvss::Vector;
use crate::diag::{Code, Diagnostic};
use crate::model::{
    Date, Estimate, EvidenceRef, Exploitability, FileId, Fingerprint, Item, KeySpans, Kind,
    Measure, Property, Relation, ReviewStamp, RiskFields, SourceMap, Span, Spanned, Status, Stride,
    TestResult, TraceLink, validate_id,
};
use crate::suggest::closest;
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
    /// The file's bytes, or why they could not be read.
    pub content: Result<Vec<u8>, InputError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// Why an input file could not be read; the analysis reports it (`read-error`, `file-too-large`)
/// instead of losing the file.
pub enum InputError {
    /// The OS refused; the text is its message.
    Io(String),
    /// A configured item folder cannot be listed; the text says which and why.
    Folder(String),
    /// The file is larger than its limit; it was not read.
    TooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The configured limit in bytes (`max-file-size`, `max-sbom-size`,
        /// `max-advisory-size`).
        limit: u64,
    },
}

/// Every front-matter key an item accepts, with the kinds it is allowed on (empty: all).
const KEYS: &[(&str, &[Kind])] = &[
    ("id", &[]),
    ("kind", &[]),
    ("title", &[]),
    ("status", &[]),
    ("owner", &[]),
    ("rationale", &[]),
    ("tags", &[]),
    ("version", &[]),
    ("last-reviewed", &[]),
    ("next-review", &[]),
    ("result", &[Kind::Test]),
    ("derives-from", &[Kind::Requirement]),
    ("implements", &[Kind::Control, Kind::Procedure]),
    ("document", &[Kind::Procedure]),
    ("mitigates", &[Kind::Control]),
    ("verifies", &[Kind::Test]),
    ("measure", &[Kind::Control]),
    ("asset", &[Kind::Risk]),
    ("property", &[Kind::Risk]),
    ("vector", &[Kind::Risk]),
    ("threat", &[Kind::Risk]),
    ("stride", &[Kind::Risk]),
    ("cve", &[Kind::Risk]),
    ("cwe", &[Kind::Risk]),
    ("exploitability", &[Kind::Risk]),
    ("cvss", &[Kind::Risk]),
    ("severity", &[Kind::Risk]),
    ("residual-exploitability", &[Kind::Risk]),
    ("residual-cvss", &[Kind::Risk]),
    ("residual-severity", &[Kind::Risk]),
    ("safety-impact", &[Kind::Risk]),
    ("safety-reference", &[Kind::Risk]),
    ("benefit-risk", &[Kind::Risk]),
    ("design-infeasible", &[Kind::Risk]),
    (
        "assets",
        &[Kind::Risk, Kind::Process, Kind::DataStore, Kind::DataFlow],
    ),
    ("elements", &[Kind::Risk]),
    ("interfaces", &[Kind::Risk, Kind::DataFlow]),
    ("data-flows", &[Kind::Risk]),
    ("asset-type", &[Kind::Asset]),
    ("confidentiality", &[Kind::Asset]),
    ("integrity", &[Kind::Asset]),
    ("availability", &[Kind::Asset]),
    ("actor-type", &[Kind::Actor]),
    ("capability", &[Kind::Actor]),
    ("technology", &[Kind::Process]),
    ("encryption", &[Kind::DataStore, Kind::Interface]),
    ("retention", &[Kind::DataStore]),
    ("element", &[Kind::Interface]),
    ("peers", &[Kind::Interface]),
    ("interface-type", &[Kind::Interface]),
    ("protocol", &[Kind::Interface]),
    ("protocol-version", &[Kind::Interface]),
    ("port", &[Kind::Interface]),
    ("direction", &[Kind::Interface]),
    ("exposure", &[Kind::Interface]),
    ("authentication", &[Kind::Interface]),
    ("purpose", &[Kind::Interface]),
    ("from", &[Kind::DataFlow]),
    ("to", &[Kind::DataFlow]),
    ("contains", &[Kind::TrustBoundary]),
    (
        "not-applicable",
        &[
            Kind::Actor,
            Kind::Process,
            Kind::DataStore,
            Kind::Interface,
            Kind::DataFlow,
        ],
    ),
    ("affects", &[]),
    ("evidence", &[Kind::Test]),
    ("junit", &[Kind::Test]),
    ("reviewed-against", &[]),
    ("replaces", &[]),
];

/// The key that records what an item was reviewed against.
pub(crate) const REVIEWED_AGAINST: &str = "reviewed-against";

/// Whether `key` is a front-matter key an item of `kind` may use.
pub(crate) fn is_key_of(key: &str, kind: Kind) -> bool {
    keys_for(Some(kind)).any(|k| k == key)
}

/// A front-matter value as JSON, for fingerprints: strings, numbers, booleans, dates (as
/// their TOML text), arrays and tables.
fn json_value(v: &DeValue<'_>) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        DeValue::String(s) => J::String(s.to_string()),
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .map_or_else(|_| J::String(i.to_string()), J::from),
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| J::String(f.as_str().to_string()), J::Number),
        DeValue::Boolean(b) => J::Bool(*b),
        DeValue::Datetime(d) => J::String(d.to_string()),
        DeValue::Array(a) => J::Array(a.iter().map(|x| json_value(x.get_ref())).collect()),
        DeValue::Table(t) => {
            let sorted: BTreeMap<String, J> = t
                .iter()
                .map(|(k, x)| (k.get_ref().to_string(), json_value(x.get_ref())))
                .collect();
            J::Object(sorted.into_iter().collect())
        }
    }
}

/// The keys an item of `kind` may use (all keys when the kind is not known).
fn keys_for(kind: Option<Kind>) -> impl Iterator<Item = &'static str> {
    KEYS.iter()
        .filter(move |(_, only)| kind.is_none_or(|k| only.is_empty() || only.contains(&k)))
        .map(|(k, _)| *k)
}

/// "a risk", "a risk or a control", "a risk, a process or a data store".
fn kinds_phrase(kinds: &[Kind]) -> String {
    let words: Vec<String> = kinds.iter().map(|k| k.with_article()).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// Turns the read files into items. Every file yields either an item or at least one
/// error-level finding, so a broken file can never vanish silently.
pub fn load_items(map: &mut SourceMap, inputs: Vec<Input>) -> (Vec<Item>, Vec<Diagnostic>) {
    let loaded = load(map, inputs);
    (loaded.items, loaded.diags)
}

/// The items read from their files, and what could still be read of the files that did
/// not become items.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    /// The items, in input order.
    pub(crate) items: Vec<Item>,
    /// The files that did not become items, by path, with the ID each declares
    /// when that much could be read.
    pub(crate) broken: Vec<Broken>,
    pub(crate) diags: Vec<Diagnostic>,
}

/// [`load_items`], keeping the broken files: findings that depend on one of them (a link
/// to the ID it declares) can then say so instead of suggesting another ID.
pub(crate) fn load(map: &mut SourceMap, inputs: Vec<Input>) -> Loaded {
    let mut diags = Vec::new();
    let mut broken = Vec::new();
    let mut parsable = Vec::with_capacity(inputs.len());
    for input in inputs {
        match add_text(map, input.name, input.content, &ITEM_FILE) {
            Ok(file) => parsable.push((file, input.path)),
            Err(d) => {
                // A file that is not UTF-8 is in the map, decoded lossily; its ID may
                // still be legible. An unreadable one is an empty file.
                let file = d.primary.as_ref().map_or(FileId(0), |l| l.span.file);
                broken.push(broken::declared(
                    file,
                    input.path,
                    map.name(file),
                    map.text(file),
                ));
                diags.push(d);
            }
        }
    }
    let map = &*map;
    let parse = |part: &[(FileId, String)]| {
        let mut items = Vec::with_capacity(part.len());
        let mut broken = Vec::new();
        let mut diags = Vec::new();
        for (file, path) in part {
            let text = map.text(*file);
            let (item, mut d) = parse_item(*file, text);
            diags.append(&mut d);
            match item {
                Some(mut i) => {
                    i.path = path.clone();
                    items.push(i);
                }
                None => broken.push(broken::declared(*file, path.clone(), map.name(*file), text)),
            }
        }
        (items, broken, diags)
    };
    // Parsing is independent per file, so it is spread over the cores; chunks are joined
    // in input order, which keeps the result identical to a sequential run.
    use rayon::prelude::*;
    let results: Vec<(Vec<Item>, Vec<Broken>, Vec<Diagnostic>)> =
        parsable.par_chunks(256).map(parse).collect();
    let mut items = Vec::with_capacity(parsable.len());
    for (mut i, mut b, mut d) in results {
        items.append(&mut i);
        broken.append(&mut b);
        diags.append(&mut d);
    }
    broken.sort_by(|a, b| a.path.cmp(&b.path));
    Loaded {
        items,
        broken,
        diags,
    }
}

/// How findings about reading a kind of input name it and what they advise.
pub(crate) struct InputKind {
    /// The subject of the messages: "file", "SBOM".
    pub(crate) noun: &'static str,
    pub(crate) io_help: &'static str,
    pub(crate) size_help: &'static str,
    pub(crate) utf8_help: &'static str,
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
                InputError::Folder(msg) => Diagnostic::new(Code::ReadError, msg)
                    .at(span, "this folder")
                    .help("create the folder, or fix the path in [preprocessor.techfile] (paths are relative to the book root)"),
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

/// Item files without front-matter that the defaults leave out (`README.md`, `_*.md`) were
/// read only because a `!` pattern of `exclude` took them back: their help says so, and
/// points at the pattern, rather than telling the user that such files are left out.
pub(crate) fn taken_back(
    mut diags: Vec<Diagnostic>,
    map: &SourceMap,
    exclude: &[(String, Span)],
) -> Vec<Diagnostic> {
    let negated: Vec<&(String, Span)> =
        exclude.iter().filter(|(p, _)| p.starts_with('!')).collect();
    if negated.is_empty() {
        return diags;
    }
    for d in &mut diags {
        let Some(file) = d.primary.as_ref().map(|l| l.span.file) else {
            continue;
        };
        if d.code != Code::MissingFrontMatter {
            continue;
        }
        let path = map.name(file);
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let by_default = name == "README.md" || name.starts_with('_') && name.ends_with(".md");
        if !by_default {
            continue;
        }
        // Gitignore's rule: the last matching pattern decides. Prefer one that names the
        // file or is a glob; else the last negation.
        let Some((pattern, span)) = negated
            .iter()
            .rev()
            .find(|(p, _)| p.ends_with(name) || p.contains('*'))
            .or(negated.last())
            .map(|(p, s)| (p.as_str(), *s))
        else {
            continue;
        };
        d.help = Some(format!(
            "start the file with a `+++` line, the TOML keys `id`, `kind` and `title`, and a closing `+++` line; `{name}` is left out by default, but `{pattern}` in the `exclude` key of [preprocessor.techfile] takes it back: remove that pattern if the file is no item"
        ));
        d.secondary.push(crate::diag::Label {
            span,
            message: format!("`{name}` is taken back here"),
        });
    }
    diags
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
                    // A note or template beside the items is the usual cause, not a
                    // broken item: say how to leave it out.
                    .help("start the file with a `+++` line, the TOML keys `id`, `kind` and `title`, and a closing `+++` line; a file that is no item is left out when named `README.md` or `_*.md`, or by a pattern in the `exclude` key of [preprocessor.techfile] (gitignore syntax)"),
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
                    format!(
                        "front-matter is not valid TOML: {}",
                        first_line(e.message())
                    ),
                )
                .at(Span::new(file, range), "here")
                .help(toml_help(e.message())),
            );
            return (None, diags);
        }
    };
    let mut r = Reader {
        file,
        base,
        src: toml_text,
        diags,
        header_span,
    };
    let item = r.item(&table, &text[split.body.clone()], split.body.start);
    (item, r.diags)
}

/// The help for a TOML error. A bad date (`2026-02-30`) is a TOML error too, since dates
/// are TOML values; the generic help about keys and quotes would not tell how to fix it.
fn toml_help(message: &str) -> &'static str {
    // toml_datetime words its errors "invalid date, ...", "invalid datetime, ..." and the
    // parser "invalid date-time"; times and offsets follow the same pattern.
    let line = first_line(message);
    if ["invalid date", "invalid time", "invalid offset"]
        .iter()
        .any(|p| line.starts_with(p))
    {
        "write dates as `YYYY-MM-DD` (`2026-02-28`): a month from 01 to 12 and a day that exists in that month (February has 28 days, 29 in leap years); a time, when given, is `HH:MM:SS` after a `T`"
    } else {
        "front-matter is TOML: `key = \"text\"`, `key = [\"A\", \"B\"]`, one key per line"
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

pub(crate) type Value<'a> = toml::Spanned<DeValue<'a>>;

/// Reads typed values out of a TOML table with spans, reporting what is wrong where it is
/// written. Item front-matter uses it, and so do review records.
pub(crate) struct Reader<'t> {
    pub(crate) file: FileId,
    /// Where the TOML text starts in the file.
    pub(crate) base: usize,
    /// The TOML text the spans of values index into.
    pub(crate) src: &'t str,
    pub(crate) diags: Vec<Diagnostic>,
    /// What a finding about the table as a whole points at.
    pub(crate) header_span: Span,
}

pub(crate) type ByKey<'v, 'a> = BTreeMap<&'v str, (&'v Value<'a>, Span)>;

impl Reader<'_> {
    pub(crate) fn span(&self, r: std::ops::Range<usize>) -> Span {
        Span::shifted(self.file, r, self.base)
    }

    /// The values of a table by key, with the span of each key.
    pub(crate) fn by_key<'v, 'a>(&self, table: &'v DeTable<'a>) -> ByKey<'v, 'a> {
        table
            .iter()
            .map(|(k, v)| (k.get_ref().as_ref(), (v, self.span(k.span()))))
            .collect()
    }

    fn item(&mut self, table: &DeTable<'_>, body: &str, body_offset: usize) -> Option<Item> {
        let by_key = self.by_key(table);

        let kind = self.required_str(&by_key, "kind").and_then(|(s, span)| {
            let kind = Kind::parse(&s);
            if kind.is_none() {
                let help = match closest(&s, Kind::ALL.iter().map(|k| k.as_str())) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => format!(
                        "use one of {}",
                        Kind::ALL
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                self.invalid(span, format!("unknown kind `{s}`"), help);
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
                        // The full list has grown long with the risk keys; the keys of the
                        // item's own kind are the ones the author can use here.
                        None => d.help(match kind {
                            Some(k) => format!(
                                "the keys of a {k} are: {}",
                                keys_for(kind).collect::<Vec<_>>().join(", ")
                            ),
                            None => format!(
                                "known keys are: {}",
                                keys_for(None).collect::<Vec<_>>().join(", ")
                            ),
                        }),
                    };
                    self.diags.push(d);
                }
                Some((_, only)) if !only.is_empty() && kind.is_some_and(|k| !only.contains(&k)) => {
                    self.diags.push(
                        Diagnostic::new(
                            Code::MisplacedKey,
                            format!(
                                "`{key}` is not allowed on {}",
                                kind.map(Kind::with_article).unwrap_or_default()
                            ),
                        )
                        .at(
                            *key_span,
                            format!("only {} may declare this", kinds_phrase(only)),
                        )
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
        let status_read = self.optional_str(&by_key, "status");
        let status_span = status_read
            .as_ref()
            .map_or(self.header_span, |(_, span)| *span);
        let status = status_read
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
        let mut spans = KeySpans::default();
        let result = self.optional_str(&by_key, "result").and_then(|(s, span)| {
            spans.result = Some(span);
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
        let version = self.optional_str(&by_key, "version").map(|(s, span)| {
            spans.version = Some(span);
            s
        });
        let tags = self
            .string_list(&by_key, "tags")
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let last_reviewed = self.date(&by_key, "last-reviewed");
        let next_review = self.date(&by_key, "next-review");
        spans.next_review = next_review.map(|(_, span)| span);
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
        let mut keys_read: Vec<&str> = Vec::new();
        for key in Relation::ALL.map(Relation::key) {
            if keys_read.contains(&key) {
                continue;
            }
            keys_read.push(key);
            let relation = kind.and_then(|k| Relation::of(key, k));
            let single = Relation::ALL
                .iter()
                .any(|r| r.key() == key && r.is_single());
            let values = if single {
                self.optional_str(&by_key, key).into_iter().collect()
            } else {
                self.string_list(&by_key, key)
            };
            // A key on the wrong kind was reported above; following its links too would
            // only add findings about a line the user must delete anyway.
            let Some(relation) = relation else { continue };
            for (target, span) in values {
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

        let measure = if kind == Some(Kind::Control) {
            self.optional_str(&by_key, "measure")
                .and_then(|(s, span)| match Measure::parse(&s) {
                    Some(value) => Some(Spanned { value, span }),
                    None => {
                        self.invalid(
                            span,
                            format!("unknown measure `{s}`"),
                            "use `design` (inherently secure design), `protection` (protective measure) or `information` (information for safety), the order of MDCG 2019-16 section 3.3",
                        );
                        None
                    }
                })
        } else {
            None
        };
        let document = if kind == Some(Kind::Procedure) {
            let document = self
                .line(
                    &by_key,
                    "document",
                    "the controlled document that holds the procedure",
                )
                .map(|(value, span)| Spanned { value, span });
            // The document is the evidence an auditor asks for: from review on, it is named.
            if document.is_none()
                && !by_key.contains_key("document")
                && matches!(status, Status::InReview | Status::Approved)
            {
                self.diags.push(
                    Diagnostic::new(
                        Code::MissingKey,
                        "a procedure in review or approved names no `document`",
                    )
                    .at(status_span, "this status requires the document")
                    .help("name the controlled document of the quality management system that holds the procedure, for example `document = \"SOP-017 Vulnerability handling, revision C\"`; keep `status = \"draft\"` while it is being written"),
                );
            }
            document
        } else {
            None
        };
        let risk = if kind == Some(Kind::Risk) {
            Some(Box::new(self.risk_fields(&by_key, status, status_span)))
        } else {
            None
        };
        let model = match (kind, &id) {
            (Some(k), Some((own_id, _))) if k.is_model() => Some(Box::new(self.model_fields(
                &by_key,
                k,
                own_id,
                &links,
                status,
                status_span,
            ))),
            _ => None,
        };
        // A boundary that contains itself was reported above; kept, the link would also be
        // a cycle of one in the graph and be reported twice.
        if let Some((own_id, _)) = &id {
            links.retain(|l| !(l.relation == Relation::Contains && &l.target == own_id));
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

        // A rename keeps the item's history: `diff` pairs the old ID with the new one.
        let replaces = self
            .optional_str(&by_key, "replaces")
            .and_then(|(old, span)| match validate_id(&old) {
                Ok(()) => Some(Spanned { value: old, span }),
                Err(why) => {
                    self.invalid(
                        span,
                        format!("invalid ID `{old}` in `replaces`"),
                        format!("{why}; name the ID this item had before it was renamed"),
                    );
                    None
                }
            });

        let (evidence, junit) = if kind == Some(Kind::Test) {
            spans.junit = by_key.get("junit").map(|(_, span)| *span);
            let junit = self
                .non_empty_list(&by_key, "junit")
                .into_iter()
                .map(|(value, span)| Spanned { value, span })
                .collect();
            (self.evidence(&by_key), junit)
        } else {
            (Vec::new(), Vec::new())
        };

        let reviewed_against = self.reviewed_against(&by_key, &links);
        let fields = by_key
            .iter()
            .filter(|(k, _)| **k != REVIEWED_AGAINST)
            .map(|(k, (v, _))| (k.to_string(), json_value(v.get_ref())))
            .collect();

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
            measure,
            document,
            risk,
            model,
            links,
            affects,
            replaces,
            path: String::new(),
            body: body.to_owned(),
            body_offset: u32::try_from(body_offset).unwrap_or(u32::MAX),
            header_span: self.header_span,
            fields,
            reviewed_against,
            spans,
            evidence,
            junit,
        })
    }

    /// `evidence = [{ path = "...", sha256 = "..." }]`: each entry a table with a path and,
    /// once recorded, the file's SHA-256. Where the path leads is checked against the
    /// evidence folder later (`crate::evidence`); here only the shape.
    fn evidence(&mut self, by_key: &ByKey<'_, '_>) -> Vec<EvidenceRef> {
        const EXAMPLE: &str = "`evidence = [{ path = \"junit/auth.xml\", sha256 = \"...\" }]`";
        let Some((value, _)) = by_key.get("evidence") else {
            return Vec::new();
        };
        let DeValue::Array(entries) = value.get_ref() else {
            self.wrong_type("evidence", value, "an array of tables", EXAMPLE);
            return Vec::new();
        };
        let mut out = Vec::new();
        for entry in entries.iter() {
            let DeValue::Table(table) = entry.get_ref() else {
                self.wrong_type("evidence", entry, "an array of tables", EXAMPLE);
                continue;
            };
            let span = self.span(entry.span());
            let fields = self.by_key(table);
            for (key, (_, key_span)) in &fields {
                if !matches!(*key, "path" | "sha256") {
                    let help = match closest(key, ["path", "sha256"]) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "an evidence entry has `path` and `sha256`".into(),
                    };
                    self.diags.push(
                        Diagnostic::new(
                            Code::UnknownKey,
                            format!("unknown key `{key}` in an evidence entry"),
                        )
                        .at(*key_span, "not a known key")
                        .help(help),
                    );
                }
            }
            let Some((path, path_span)) = self.optional_str(&fields, "path") else {
                if !fields.contains_key("path") {
                    self.diags.push(
                        Diagnostic::new(Code::MissingKey, "evidence entry lacks `path`")
                            .at(span, "no `path` here")
                            .help("name the file, relative to the evidence folder: `{ path = \"reports/pentest-2026.pdf\" }`"),
                    );
                }
                continue;
            };
            if path.trim().is_empty() {
                self.invalid(
                    path_span,
                    "the evidence path is empty".into(),
                    "name a file relative to the evidence folder",
                );
                continue;
            }
            let sha256 = self.optional_str(&fields, "sha256").and_then(|(hex, span)| {
                if hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                    Some(Spanned { value: hex, span })
                } else {
                    self.invalid(
                        span,
                        format!("`{hex}` is not a SHA-256"),
                        "a SHA-256 is 64 lower-case hex digits; `mdbook-techfile evidence --update ID` records it",
                    );
                    None
                }
            });
            out.push(EvidenceRef {
                path: Spanned {
                    value: path,
                    span: path_span,
                },
                sha256,
                span,
            });
        }
        out
    }

    /// `reviewed-against = { "REQ-1" = "sha256:v1:..." }`: each key an ID this item links
    /// to, each value a fingerprint. Anything else is reported where it is written.
    fn reviewed_against(
        &mut self,
        by_key: &ByKey<'_, '_>,
        links: &[TraceLink],
    ) -> Vec<ReviewStamp> {
        let Some((value, _)) = by_key.get(REVIEWED_AGAINST) else {
            return Vec::new();
        };
        let example = "`reviewed-against = { \"REQ-1\" = \"sha256:v1:...\" }`";
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(REVIEWED_AGAINST, value, "a table", example);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, v) in table.iter() {
            let upstream: &str = key.get_ref().as_ref();
            let key_span = self.span(key.span());
            if !links.iter().any(|l| l.target == upstream) {
                let linked: Vec<String> = links.iter().map(|l| format!("`{}`", l.target)).collect();
                let help = if linked.is_empty() {
                    "this item links to nothing; a stamp names an item this item links to (`mdbook-techfile review ID` writes them)".to_string()
                } else {
                    format!(
                        "this item links to {}; remove the stamp, or run `mdbook-techfile review ID`, which rewrites the stamps from the links (keys written after `[reviewed-against]` belong to it: put other keys above it)",
                        linked.join(", ")
                    )
                };
                self.invalid(
                    key_span,
                    format!("`{upstream}` in `reviewed-against` is not an ID this item links to"),
                    help,
                );
                continue;
            }
            let DeValue::String(text) = v.get_ref() else {
                self.wrong_type(REVIEWED_AGAINST, v, "a fingerprint string", example);
                continue;
            };
            let span = self.span(v.span());
            match Fingerprint::parse(text) {
                Ok(fingerprint) => out.push(ReviewStamp {
                    upstream: upstream.to_string(),
                    key_span,
                    fingerprint,
                    span,
                }),
                Err(why) => self.invalid(
                    span,
                    format!("`{text}` is not a fingerprint"),
                    format!("{why}; `mdbook-techfile review ID` writes the fingerprints, do not edit them by hand"),
                ),
            }
        }
        out
    }

    /// The keys of a risk item. Every value is checked here except the scale words, which
    /// depend on the configuration and are checked by `checks::risk`.
    fn risk_fields(
        &mut self,
        by_key: &ByKey<'_, '_>,
        status: Status,
        status_span: Span,
    ) -> RiskFields {
        let asset = self.line(by_key, "asset", "the asset at risk");
        let vector = self.line(by_key, "vector", "the interface or attack vector");
        let threat = self.line(by_key, "threat", "the threat scenario in one sentence");
        let properties = self.word_list(by_key, "property", Property::parse, Property::WORDS);
        let stride = self.word_list(by_key, "stride", Stride::parse, Stride::WORDS);
        let cve = self.reference_list(by_key, "cve", valid_cve, "`CVE-2024-12345`");
        let cwe = self.reference_list(by_key, "cwe", valid_cwe, "`CWE-79`");
        let initial = self.estimate(by_key, "exploitability", "cvss", "severity");
        let residual = self.estimate(
            by_key,
            "residual-exploitability",
            "residual-cvss",
            "residual-severity",
        );
        let safety_impact = self.boolean(by_key, "safety-impact");
        let safety_reference = self
            .line(
                by_key,
                "safety-reference",
                "the hazard or item ID in the safety risk file",
            )
            .map(|(value, span)| Spanned { value, span });
        let benefit_risk = self.text(by_key, "benefit-risk", "the benefit-risk justification");
        let design_infeasible = self.text(
            by_key,
            "design-infeasible",
            "why no design or protective control is possible",
        );

        match (&safety_impact, &safety_reference) {
            (Some(Spanned { value: true, span }), None) => self.diags.push(
                Diagnostic::new(
                    Code::MissingKey,
                    "missing key `safety-reference`: the risk has a safety impact",
                )
                .at(*span, "safety impact declared here")
                .help("name where the safety risk file (ISO 14971) takes the risk over, for example `safety-reference = \"SRMF-HAZ-012\"`"),
            ),
            (Some(Spanned { value: false, .. }) | None, Some(r)) => self.invalid(
                r.span,
                "`safety-reference` is given but `safety-impact` is not true".into(),
                "set `safety-impact = true` if the risk can lead to harm, or remove the reference",
            ),
            _ => {}
        }

        // A draft is an analysis in progress; from review on, an auditor expects the whole
        // estimate. Obsolete risks count for nothing and are left as they were.
        if matches!(status, Status::InReview | Status::Approved) {
            let has = |k: &str| by_key.contains_key(k);
            let mut missing = Vec::new();
            for (present, name) in [
                (has("asset") || has("assets"), "`asset` (or `assets`)"),
                (has("threat"), "`threat`"),
                (
                    has("exploitability") || has("cvss"),
                    "`exploitability` (or `cvss`)",
                ),
                (has("severity"), "`severity`"),
                (
                    has("residual-exploitability") || has("residual-cvss"),
                    "`residual-exploitability` (or `residual-cvss`)",
                ),
                (has("residual-severity"), "`residual-severity`"),
                (has("safety-impact"), "`safety-impact`"),
            ] {
                if !present {
                    missing.push(name);
                }
            }
            if !missing.is_empty() {
                let s = if missing.len() == 1 { "" } else { "s" };
                self.diags.push(
                    Diagnostic::new(
                        Code::MissingKey,
                        format!(
                            "{} lacks the required key{s} {}",
                            if status == Status::Approved {
                                "an approved risk"
                            } else {
                                "a risk in review"
                            },
                            missing.join(", ")
                        ),
                    )
                    // The status is what makes the keys required, so the finding
                    // points at it.
                    .at(status_span, "this status requires the whole estimate")
                    .help("a risk in review or approved names its asset (as text, or asset items in `assets`) and threat, its exploitability and severity before and after controls (words of the scales in [preprocessor.techfile.risk]) and whether it has a safety impact; keep `status = \"draft\"` while the analysis is in progress"),
                );
            }
        }

        RiskFields {
            asset: asset.map(|(s, _)| s),
            properties,
            vector: vector.map(|(s, _)| s),
            threat: threat.map(|(s, _)| s),
            stride,
            cve,
            cwe,
            initial,
            residual,
            safety_impact,
            safety_reference,
            benefit_risk,
            design_infeasible,
        }
    }

    /// One estimate: an exploitability word or a CVSS 3.x vector (not both), and a
    /// severity. A vector of another version cannot choose a level, so it needs the word
    /// beside it and is kept as a citation.
    fn estimate(
        &mut self,
        by_key: &ByKey<'_, '_>,
        word_key: &str,
        cvss_key: &str,
        severity_key: &str,
    ) -> Estimate {
        let word = self
            .line(by_key, word_key, "a level of the exploitability scale")
            .map(|(value, span)| Spanned {
                value: Exploitability::Word(value),
                span,
            });
        let vector = self.cvss(by_key, cvss_key);
        let (exploitability, cited) = match (word, vector) {
            (word, Some(v)) if v.value.exploitability_tenths().is_none() => {
                if word.is_none() {
                    self.diags.push(not_mapped(&v, word_key, cvss_key));
                }
                (word, Some(v))
            }
            (Some(word), Some(v)) => {
                self.invalid(
                    v.span,
                    format!("`{word_key}` and `{cvss_key}` are both given"),
                    format!("give one of them: a CVSS {} vector is mapped onto the exploitability scale, so `{word_key}` would contradict or repeat it", v.value.version().as_str()),
                );
                (Some(word), None)
            }
            (None, Some(v)) => (
                Some(Spanned {
                    value: Exploitability::Cvss(v.value),
                    span: v.span,
                }),
                None,
            ),
            (word, None) => (word, None),
        };
        let severity = self
            .line(by_key, severity_key, "a level of the severity scale")
            .map(|(value, span)| Spanned { value, span });
        Estimate {
            exploitability,
            severity,
            cited,
        }
    }

    fn cvss(&mut self, by_key: &ByKey<'_, '_>, key: &str) -> Option<Spanned<Vector>> {
        let (value, _) = by_key.get(key)?;
        let (text, span) = self.optional_str(by_key, key)?;
        match Vector::parse(&text) {
            Ok(c) => Some(Spanned { value: c, span }),
            Err(e) => {
                // Point at the bad metric when the string is written plainly (no escapes,
                // one line), which is how vectors are written; else at the whole value.
                let r = value.span();
                let raw = self.src.get(r.clone()).unwrap_or_default();
                let plain = raw.len() == text.len() + 2 && raw.get(1..raw.len() - 1) == Some(&text);
                let at = if plain {
                    self.span(r.start + 1 + e.range.start..r.start + 1 + e.range.end)
                } else {
                    span
                };
                self.invalid(at, format!("invalid CVSS vector: {}", e.message), e.help);
                None
            }
        }
    }

    /// A one-line, non-empty string: a table cell in the register.
    pub(crate) fn line(
        &mut self,
        by_key: &ByKey<'_, '_>,
        key: &str,
        what: &str,
    ) -> Option<(String, Span)> {
        let Spanned { value, span } = self.text(by_key, key, what)?;
        if value.contains(['\n', '\r']) {
            self.invalid(
                span,
                format!("`{key}` spans several lines"),
                format!("write {what} on one line; details go in the body"),
            );
            return None;
        }
        Some((value, span))
    }

    /// A non-empty string that may span lines (a justification).
    pub(crate) fn text(
        &mut self,
        by_key: &ByKey<'_, '_>,
        key: &str,
        what: &str,
    ) -> Option<Spanned<String>> {
        let (value, span) = self.optional_str(by_key, key)?;
        if value.trim().is_empty() {
            self.invalid(
                span,
                format!("`{key}` is empty"),
                format!("write {what}, or remove the key"),
            );
            return None;
        }
        Some(Spanned { value, span })
    }

    pub(crate) fn boolean(&mut self, by_key: &ByKey<'_, '_>, key: &str) -> Option<Spanned<bool>> {
        let (value, _) = by_key.get(key)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(Spanned {
                value: *b,
                span: self.span(value.span()),
            }),
            _ => {
                self.wrong_type(
                    key,
                    value,
                    "a boolean",
                    &format!("`{key} = true` or `{key} = false`"),
                );
                None
            }
        }
    }

    /// An array of words from a fixed list, each at most once and at least one.
    fn word_list<T: PartialEq>(
        &mut self,
        by_key: &ByKey<'_, '_>,
        key: &str,
        parse: fn(&str) -> Option<T>,
        words: &[&str],
    ) -> Vec<T> {
        let mut out = Vec::new();
        for (w, span) in self.non_empty_list(by_key, key) {
            match parse(&w) {
                Some(v) if out.contains(&v) => self.invalid(
                    span,
                    format!("`{w}` is listed twice under `{key}`"),
                    "remove the repeated word",
                ),
                Some(v) => out.push(v),
                None => {
                    let help = match closest(&w, words.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!(
                            "use {}",
                            words
                                .iter()
                                .map(|w| format!("`{w}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    self.invalid(span, format!("unknown {key} `{w}`"), help);
                }
            }
        }
        out
    }

    /// An array of external IDs (CVE, CWE), each checked for its form and listed once.
    fn reference_list(
        &mut self,
        by_key: &ByKey<'_, '_>,
        key: &str,
        valid: fn(&str) -> bool,
        example: &str,
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (id, span) in self.non_empty_list(by_key, key) {
            if !valid(&id) {
                let upper = id.to_ascii_uppercase();
                let help = if valid(&upper) {
                    format!("write it in upper case: `{upper}`")
                } else {
                    format!("write it as {example}")
                };
                self.invalid(
                    span,
                    format!("`{id}` is not a valid {} ID", key.to_ascii_uppercase()),
                    help,
                );
            } else if out.contains(&id) {
                self.invalid(
                    span,
                    format!("`{id}` is listed twice under `{key}`"),
                    "remove the repeated ID",
                );
            } else {
                out.push(id);
            }
        }
        out
    }

    /// A string array that, when present, holds at least one value.
    fn non_empty_list(&mut self, by_key: &ByKey<'_, '_>, key: &str) -> Vec<(String, Span)> {
        let list = self.string_list(by_key, key);
        if let Some((value, _)) = by_key.get(key)
            && matches!(value.get_ref(), DeValue::Array(a) if a.is_empty())
        {
            self.invalid(
                self.span(value.span()),
                format!("`{key}` is an empty list"),
                "list at least one value, or remove the key",
            );
        }
        list
    }

    pub(crate) fn invalid(&mut self, span: Span, message: String, help: impl Into<String>) {
        self.diags.push(
            Diagnostic::new(Code::InvalidValue, message)
                .at(span, "invalid value")
                .help(help),
        );
    }

    pub(crate) fn wrong_type(
        &mut self,
        key: &str,
        value: &Value<'_>,
        expected: &str,
        example: &str,
    ) {
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

    fn required_str(&mut self, by_key: &ByKey<'_, '_>, key: &str) -> Option<(String, Span)> {
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

    pub(crate) fn optional_str(
        &mut self,
        by_key: &ByKey<'_, '_>,
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

    pub(crate) fn string_list(&mut self, by_key: &ByKey<'_, '_>, key: &str) -> Vec<(String, Span)> {
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

    pub(crate) fn date(&mut self, by_key: &ByKey<'_, '_>, key: &str) -> Option<(Date, Span)> {
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

/// `CVE-YYYY-NNNN` with a year from 1999 (the first CVE year) and four or more digits.
fn valid_cve(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, number)) = rest.split_once('-') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(year)
        && year.len() == 4
        && year >= "1999"
        && digits(number)
        && (4..=19).contains(&number.len())
}

/// `CWE-N` with a positive number without leading zeros.
fn valid_cwe(id: &str) -> bool {
    id.strip_prefix("CWE-").is_some_and(|n| {
        !n.is_empty()
            && n.len() <= 7
            && !n.starts_with('0')
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

fn misplaced_help(key: &str) -> String {
    let on = |k: Kind| {
        KEYS.iter()
            .any(|(name, only)| *name == key && only.len() == 1 && only[0] == k)
    };
    match key {
        "measure" => "only controls have a `measure`".into(),
        "elements" | "data-flows" => format!(
            "only risks name the threat-model elements they analyse with `{key}`"
        ),
        _ if on(Kind::Risk) => format!(
            "only risks carry `{key}`; describe the threat in a risk item and link its control to it with `mitigates`"
        ),
        "derives-from" => "only requirements derive from catalog entries or other requirements; a control uses `implements`, a test uses `verifies`".into(),
        "implements" => "only controls and procedures use `implements`; a test uses `verifies`, a requirement uses `derives-from`".into(),
        "mitigates" => "only controls use `mitigates`; a test uses `verifies`, a requirement uses `derives-from`".into(),
        "document" => "only procedures name the controlled `document` that holds them".into(),
        "verifies" => "only tests use `verifies`; a control uses `implements` or `mitigates`".into(),
        "result" => "only tests have a `result`".into(),
        "evidence" | "junit" => format!("only tests carry `{key}`: the evidence of a test run"),
        "assets" => "risks, processes, data stores and data flows name assets; an asset is described by `asset-type`, `confidentiality`, `integrity` and `availability`".into(),
        "encryption" => "`encryption` is encryption at rest on a data store, or in transit on an interface".into(),
        "not-applicable" => "STRIDE categories are judged on actors, processes, data stores, interfaces and data flows; assets and trust boundaries have none".into(),
        _ => match KEYS.iter().find(|(name, _)| *name == key) {
            Some((_, only)) if !only.is_empty() => format!(
                "`{key}` belongs on {}; remove it here",
                kinds_phrase(only)
            ),
            _ => format!("remove `{key}`"),
        },
    }
}

/// A vector that cannot choose an exploitability level, with nothing else to choose it.
fn not_mapped(v: &Spanned<Vector>, word_key: &str, cvss_key: &str) -> Diagnostic {
    let version = v.value.version().as_str();
    let why = match v.value.version() {
        crate::cvss::Version::V2_0 => {
            "its exploitability sub-score is on another scale (0 to 10) than the CVSS 3.x sub-score the thresholds describe"
        }
        _ => "CVSS 4.0 defines no exploitability sub-score",
    };
    Diagnostic::new(
        Code::CvssNotMapped,
        format!("a CVSS {version} vector cannot choose the exploitability level: {why}"),
    )
    .at(v.span, "no exploitability level from this vector")
    .help(format!(
        "judge the level from the vector and write it beside it: `{word_key} = \"<a level of the exploitability scale>\"` (the vector stays, cited in the register); or give a CVSS 3.1 vector in `{cvss_key}`"
    ))
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
    fn an_impossible_date_gets_help_about_dates() {
        for date in [
            "2026-02-30",
            "2026-13-01",
            "2026-04-31",
            "2026-01-01T25:00:00",
        ] {
            let (item, d, _) = parse(&format!("+++\nid = \"A\"\nlast-reviewed = {date}\n+++\n"));
            assert!(item.is_none());
            assert_eq!(codes(&d), ["toml-syntax"]);
            let help = d[0].help.as_deref().unwrap();
            assert!(
                help.contains("`YYYY-MM-DD`"),
                "{date}: {} / {help}",
                d[0].message
            );
        }
        // Other TOML errors keep the help about keys and quotes.
        let (_, d, _) = parse("+++\nid = \"A\"\ntitle = \n+++\n");
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .starts_with("front-matter is TOML")
        );
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
        // A Markdown note among the items is the usual cause: the help says how to
        // exclude it, by the defaults and by the key's exact name.
        let help = d[0].help.as_deref().unwrap();
        for part in ["`README.md`", "`_*.md`", "`exclude` key"] {
            assert!(help.contains(part), "{part}: {help}");
        }
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

    const RISK_HEAD: &str = "+++\nid = \"RSK-1\"\nkind = \"risk\"\ntitle = \"t\"\n";

    #[test]
    fn parses_a_complete_risk() {
        let text = format!(
            "{RISK_HEAD}status = \"approved\"\nasset = \"Patient ECG data\"\nproperty = [\"confidentiality\", \"integrity\"]\nvector = \"BLE\"\nthreat = \"An attacker sniffs pairing.\"\nstride = [\"information-disclosure\"]\ncve = [\"CVE-2024-12345\"]\ncwe = [\"CWE-319\"]\ncvss = \"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N\"\nseverity = \"serious\"\nresidual-exploitability = \"improbable\"\nresidual-severity = \"minor\"\nsafety-impact = true\nsafety-reference = \"SRMF-HAZ-012\"\nbenefit-risk = \"\"\"\nThe board weighed it.\n\"\"\"\n+++\n"
        );
        let (item, d, _) = parse(&text);
        assert!(d.is_empty(), "{d:?}");
        let r = item.unwrap().risk.unwrap();
        assert_eq!(r.asset.as_deref(), Some("Patient ECG data"));
        assert_eq!(
            r.properties,
            [Property::Confidentiality, Property::Integrity]
        );
        assert_eq!(r.stride, [Stride::InformationDisclosure]);
        assert_eq!(r.cve, ["CVE-2024-12345"]);
        assert_eq!(r.cwe, ["CWE-319"]);
        assert!(matches!(
            r.initial.exploitability.unwrap().value,
            Exploitability::Cvss(_)
        ));
        assert_eq!(r.initial.severity.unwrap().value, "serious");
        assert!(matches!(
            r.residual.exploitability.unwrap().value,
            Exploitability::Word(ref w) if w == "improbable"
        ));
        assert!(r.safety_impact.unwrap().value);
        assert_eq!(r.safety_reference.unwrap().value, "SRMF-HAZ-012");
        assert_eq!(r.benefit_risk.unwrap().value, "The board weighed it.\n");
    }

    #[test]
    fn risks_in_review_or_approved_need_their_estimates() {
        let (item, d, map) = parse(&format!(
            "{RISK_HEAD}status = \"approved\"\nasset = \"a\"\nseverity = \"minor\"\n+++\n"
        ));
        assert!(item.is_some(), "the item is kept, with the error");
        assert_eq!(codes(&d), ["missing-key"]);
        assert_eq!(
            d[0].message,
            "an approved risk lacks the required keys `threat`, `exploitability` (or `cvss`), `residual-exploitability` (or `residual-cvss`), `residual-severity`, `safety-impact`"
        );
        assert_eq!(at(&d[0], &map), (5, 10));
        let (_, d, _) = parse(&format!(
            "{RISK_HEAD}status = \"in-review\"\nasset = \"a\"\nthreat = \"t\"\ncvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"\nseverity = \"minor\"\nresidual-exploitability = \"remote\"\nresidual-severity = \"minor\"\n+++\n"
        ));
        assert_eq!(codes(&d), ["missing-key"]);
        assert_eq!(
            d[0].message,
            "a risk in review lacks the required key `safety-impact`"
        );
        // Drafts and obsolete risks may be incomplete.
        for status in ["draft", "obsolete"] {
            let (_, d, _) = parse(&format!("{RISK_HEAD}status = \"{status}\"\n+++\n"));
            assert!(d.is_empty(), "{status}: {d:?}");
        }
    }

    #[test]
    fn bad_risk_values_are_reported_where_written() {
        let text = format!(
            "{RISK_HEAD}property = [\"confidentiality\", \"integrty\", \"confidentiality\"]\nstride = []\ncve = [\"cve-2024-1234\", \"CVE-24-1\"]\ncwe = [\"CWE-079\", \"CWE-79\", \"CWE-79\"]\nthreat = \"\"\"\none\ntwo\"\"\"\nasset = \" \"\nsafety-impact = \"yes\"\n+++\n"
        );
        let (item, d, map) = parse(&text);
        assert!(item.is_some());
        let found: Vec<(&str, String, (usize, usize))> = d
            .iter()
            .map(|d| (d.code.as_str(), d.message.clone(), at(d, &map)))
            .collect();
        let expect = [
            ("invalid-value", "`asset` is empty", (12, 9)),
            ("invalid-value", "`threat` spans several lines", (9, 10)),
            ("invalid-value", "unknown property `integrty`", (5, 32)),
            (
                "invalid-value",
                "`confidentiality` is listed twice under `property`",
                (5, 44),
            ),
            ("invalid-value", "`stride` is an empty list", (6, 10)),
            (
                "invalid-value",
                "`cve-2024-1234` is not a valid CVE ID",
                (7, 8),
            ),
            ("invalid-value", "`CVE-24-1` is not a valid CVE ID", (7, 25)),
            ("invalid-value", "`CWE-079` is not a valid CWE ID", (8, 8)),
            (
                "invalid-value",
                "`CWE-79` is listed twice under `cwe`",
                (8, 29),
            ),
            (
                "wrong-type",
                "`safety-impact` must be a boolean, found string",
                (13, 17),
            ),
        ];
        for (code, message, pos) in expect {
            assert!(
                found
                    .iter()
                    .any(|(c, m, p)| *c == code && m == message && *p == pos),
                "missing {code} {message} at {pos:?} in {found:#?}"
            );
        }
        assert_eq!(found.len(), expect.len(), "{found:#?}");
        let help = |m: &str| {
            d.iter()
                .find(|d| d.message == m)
                .unwrap()
                .help
                .clone()
                .unwrap()
        };
        assert_eq!(
            help("unknown property `integrty`"),
            "did you mean `integrity`?"
        );
        assert_eq!(
            help("`cve-2024-1234` is not a valid CVE ID"),
            "write it in upper case: `CVE-2024-1234`"
        );
    }

    #[test]
    fn cvss_errors_point_at_the_bad_metric() {
        let text = format!(
            "{RISK_HEAD}cvss = \"CVSS:3.1/AV:N/AC:L/PR:X/UI:N/S:U/C:H/I:H/A:H\"\nresidual-cvss = 'CVSS:3.1/AV:N'\nexploitability = \"remote\"\n+++\n"
        );
        let (_, d, map) = parse(&text);
        let found: Vec<(&str, &str, (usize, usize))> = d
            .iter()
            .map(|d| (d.code.as_str(), d.message.as_str(), at(d, &map)))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "invalid-value",
                    "invalid CVSS vector: `PR:X`: `X` is not a value of Privileges Required (PR)",
                    (5, 31)
                ),
                (
                    "invalid-value",
                    "invalid CVSS vector: missing base metrics AC (Attack Complexity), PR (Privileges Required), UI (User Interaction), S (Scope), C (Confidentiality Impact), I (Integrity Impact), A (Availability Impact)",
                    (6, 18)
                ),
            ]
        );
        assert_eq!(
            d[0].help.as_deref(),
            Some("Privileges Required (PR) takes N, L or H")
        );
        // A lower-case value, an unknown metric, a trailing slash and a duplicate: each at
        // the part of the vector that is wrong.
        for (vector, column, part) in [
            ("CVSS:3.1/AV:N/AC:l/PR:N/UI:N/S:U/C:H/I:H/A:H", 26, "l"),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:N",
                54,
                "XX",
            ),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", 53, "/"),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L",
                54,
                "A:L",
            ),
            // The crate names the base metric for a bad modified one; the error is at `Z`.
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H/MAV:Z",
                58,
                "Z",
            ),
        ] {
            let text = format!("{RISK_HEAD}cvss = \"{vector}\"\n+++\n");
            let (_, d, map) = parse(&text);
            assert_eq!(codes(&d), ["invalid-value"], "{vector}");
            assert_eq!(at(&d[0], &map), (5, column), "{vector}: {}", d[0].message);
            let span = &d[0].primary.as_ref().unwrap().span;
            assert_eq!(&text[span.start as usize..span.end as usize], part);
        }
        // Both an exploitability word and a vector: one of them must go.
        let text = format!(
            "{RISK_HEAD}exploitability = \"remote\"\ncvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"\n+++\n"
        );
        let (item, d, map) = parse(&text);
        assert_eq!(codes(&d), ["invalid-value"]);
        assert_eq!(d[0].message, "`exploitability` and `cvss` are both given");
        assert_eq!(at(&d[0], &map), (6, 8));
        assert!(matches!(
            item.unwrap()
                .risk
                .unwrap()
                .initial
                .exploitability
                .unwrap()
                .value,
            Exploitability::Word(_)
        ));
    }

    #[test]
    fn advisory_vectors_of_every_version_are_read() {
        // CVSS 3.1 with temporal metrics, as advisories publish it: it sets the level.
        let (item, d, _) = parse(&format!(
            "{RISK_HEAD}cvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H/E:P/RL:O/RC:C\"\n+++\n"
        ));
        assert!(d.is_empty(), "{d:?}");
        let initial = item.unwrap().risk.unwrap().initial;
        assert!(matches!(
            initial.exploitability.unwrap().value,
            Exploitability::Cvss(_)
        ));
        assert_eq!(initial.cited, None);

        // CVSS 4.0 alone cannot set the level: a finding at the vector says what to write.
        let v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A";
        let (item, d, map) = parse(&format!("{RISK_HEAD}residual-cvss = \"{v4}\"\n+++\n"));
        assert_eq!(codes(&d), ["cvss-not-mapped"]);
        assert_eq!(at(&d[0], &map), (5, 17));
        assert_eq!(
            d[0].message,
            "a CVSS 4.0 vector cannot choose the exploitability level: CVSS 4.0 defines no exploitability sub-score"
        );
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .contains("`residual-exploitability = \"<a level of the exploitability scale>\"`"),
            "{:?}",
            d[0].help
        );
        let residual = item.unwrap().risk.unwrap().residual;
        assert_eq!(residual.exploitability, None);
        assert_eq!(residual.cited.unwrap().value.to_string(), v4);

        // With a word beside it, the vector is cited and the word is the estimate.
        let (item, d, _) = parse(&format!(
            "{RISK_HEAD}exploitability = \"remote\"\ncvss = \"{v4}\"\n+++\n"
        ));
        assert!(d.is_empty(), "{d:?}");
        let initial = item.unwrap().risk.unwrap().initial;
        assert!(matches!(
            initial.exploitability.unwrap().value,
            Exploitability::Word(ref w) if w == "remote"
        ));
        assert_eq!(initial.cited.unwrap().value.to_string(), v4);

        // CVSS 2.0: its sub-score is on another scale.
        let (_, d, _) = parse(&format!(
            "{RISK_HEAD}cvss = \"AV:N/AC:L/Au:N/C:P/I:P/A:P\"\n+++\n"
        ));
        assert_eq!(codes(&d), ["cvss-not-mapped"]);
        assert!(d[0].message.contains("another scale"), "{}", d[0].message);
    }

    #[test]
    fn safety_impact_and_reference_go_together() {
        let (_, d, map) = parse(&format!("{RISK_HEAD}safety-impact = true\n+++\n"));
        assert_eq!(codes(&d), ["missing-key"]);
        assert_eq!(at(&d[0], &map), (5, 17));
        let (_, d, _) = parse(&format!(
            "{RISK_HEAD}safety-impact = false\nsafety-reference = \"HAZ-1\"\n+++\n"
        ));
        assert_eq!(codes(&d), ["invalid-value"]);
        let (_, d, _) = parse(&format!("{RISK_HEAD}safety-reference = \"HAZ-1\"\n+++\n"));
        assert_eq!(codes(&d), ["invalid-value"]);
    }

    #[test]
    fn controls_have_a_measure_and_risk_keys_stay_on_risks() {
        let (item, d, _) = parse(
            "+++\nid = \"CTL-1\"\nkind = \"control\"\ntitle = \"t\"\nmeasure = \"protection\"\n+++\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(item.unwrap().measure.unwrap().value, Measure::Protection);
        let (_, d, _) = parse(
            "+++\nid = \"CTL-1\"\nkind = \"control\"\ntitle = \"t\"\nmeasure = \"training\"\nseverity = \"high\"\n+++\n",
        );
        assert_eq!(codes(&d), ["misplaced-key", "invalid-value"]);
        assert_eq!(
            d[0].help.as_deref(),
            Some(
                "only risks carry `severity`; describe the threat in a risk item and link its control to it with `mitigates`"
            )
        );
        let (_, d, _) = parse(&format!("{RISK_HEAD}measure = \"design\"\n+++\n"));
        assert_eq!(codes(&d), ["misplaced-key"]);
    }

    #[test]
    fn unknown_key_help_lists_the_keys_of_the_kind() {
        let (_, d, _) = parse("+++\nid = \"A\"\nkind = \"test\"\ntitle = \"t\"\nzzzzzz = 1\n+++\n");
        assert_eq!(
            d[0].help.as_deref(),
            Some(
                "the keys of a test are: id, kind, title, status, owner, rationale, tags, version, last-reviewed, next-review, result, verifies, affects, evidence, junit, reviewed-against, replaces"
            )
        );
    }

    #[test]
    fn cve_and_cwe_forms() {
        assert!(valid_cve("CVE-1999-0001"));
        assert!(valid_cve("CVE-2024-1234567"));
        assert!(!valid_cve("CVE-1998-0001"));
        assert!(!valid_cve("CVE-2024-123"));
        assert!(!valid_cve("CVE-2024-12a4"));
        assert!(!valid_cve("CVE-2024"));
        assert!(valid_cwe("CWE-1"));
        assert!(valid_cwe("CWE-1395"));
        assert!(!valid_cwe("CWE-0"));
        assert!(!valid_cwe("CWE-"));
        assert!(!valid_cwe("CWE-12x"));
    }
}
