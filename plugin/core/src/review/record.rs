//! Review records: one TOML file per review, written by `mdbook-techfile review` into the
//! review folder (default `reviews/` beside `requirements/`). A record says who reviewed
//! (printed name and git identity), in which role, with which meaning (reviewed or
//! approved), when (RFC 3339, UTC), why (a comment) and exactly which fingerprints: each
//! (item, upstream item, fingerprint) it covers. The stamps in the items must each be
//! backed by a record (21 CFR 11.50 asks for name, date-time and meaning; ISO 13485 4.2.4
//! for the review and approval of changes).

use crate::diag::{Code, Diagnostic};
use crate::load::{Input, InputKind, Reader, add_text};
use crate::model::{FileId, Fingerprint, SourceMap, Span, validate_id};
use toml::de::{DeTable, DeValue};

/// What a reviewer declares by a review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Meaning {
    /// The reviewer checked the item against its upstream items.
    Reviewed,
    /// The reviewer approves the item as it is (the approving function of ISO 13485).
    Approved,
}

impl Meaning {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Meaning::Reviewed => "reviewed",
            Meaning::Approved => "approved",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Meaning> {
        match s {
            "reviewed" => Some(Meaning::Reviewed),
            "approved" => Some(Meaning::Approved),
            _ => None,
        }
    }
}

/// One (item, upstream, fingerprint) a record covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Covered {
    pub(crate) item: String,
    pub(crate) upstream: String,
    pub(crate) fingerprint: Fingerprint,
    pub(crate) span: Span,
}

/// One review record as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub(crate) file: FileId,
    /// Path relative to the folder that holds the book.
    pub(crate) path: String,
    /// The printed name of the reviewer.
    pub(crate) reviewer: String,
    /// `Name <email>` as git knew the reviewer, when it did.
    pub(crate) git_identity: Option<String>,
    pub(crate) role: String,
    pub(crate) meaning: Meaning,
    /// RFC 3339 in UTC, `2026-11-29T10:15:00Z`.
    pub(crate) date: String,
    /// Seconds since 1970-01-01 UTC.
    pub(crate) timestamp: i64,
    pub(crate) comment: Option<String>,
    /// `HEAD` when the review was made.
    pub(crate) commit: Option<String>,
    /// The working tree had changes that were not committed.
    pub(crate) modified: bool,
    pub(crate) covers: Vec<Covered>,
    /// Where the record names its reviewer, for findings about the record as a whole.
    pub(crate) span: Span,
}

impl Record {
    /// The email of the git identity, lower-cased: what independence compares.
    pub(crate) fn email(&self) -> Option<String> {
        email_of(self.git_identity.as_deref()?)
    }

    /// The day of the review, `YYYY-MM-DD`.
    pub(crate) fn day(&self) -> &str {
        &self.date[..10.min(self.date.len())]
    }
}

/// The lower-cased email in `Name <email>`.
pub fn email_of(identity: &str) -> Option<String> {
    let (_, rest) = identity.rsplit_once('<')?;
    let email = rest.strip_suffix('>')?.trim();
    (!email.is_empty()).then(|| email.to_ascii_lowercase())
}

const RECORD_FILE: InputKind = InputKind {
    noun: "review record",
    io_help: "check that the file exists and is readable",
    size_help: "a review record is small; this file is not one (move it out of the review folder)",
    utf8_help: "review records are UTF-8 TOML written by `mdbook-techfile review`; restore the file from git",
};

const KEYS: &[&str] = &[
    "reviewer",
    "git-identity",
    "role",
    "meaning",
    "date",
    "comment",
    "commit",
    "modified",
    "fingerprint-profile",
    "covers",
];
const COVER_KEYS: &[&str] = &["item", "upstream", "fingerprint"];

/// Reads the review records. Every file yields a record or at least one error-level
/// finding; records are sorted by date, then path.
pub(crate) fn load_records(
    map: &mut SourceMap,
    inputs: Vec<Input>,
) -> (Vec<Record>, Vec<Diagnostic>) {
    let mut records = Vec::new();
    let mut diags = Vec::new();
    for input in inputs {
        let path = input.path.clone();
        match add_text(map, input.name, input.content, &RECORD_FILE) {
            Ok(file) => {
                let (record, d) = parse(file, map.text(file), path);
                records.extend(record);
                diags.extend(d);
            }
            Err(d) => diags.push(d),
        }
    }
    records.sort_by(|a: &Record, b: &Record| (a.timestamp, &a.path).cmp(&(b.timestamp, &b.path)));
    (records, diags)
}

/// Parses one record file.
pub fn parse(file: FileId, text: &str, path: String) -> (Option<Record>, Vec<Diagnostic>) {
    let whole = Span::new(file, 0..text.find('\n').unwrap_or(text.len()));
    let table = match DeTable::parse(text) {
        Ok(t) => t.into_inner(),
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            let d = Diagnostic::new(
                Code::TomlSyntax,
                format!(
                    "review record is not valid TOML: {}",
                    e.message().lines().next().unwrap_or("").trim()
                ),
            )
            .at(Span::new(file, range), "here")
            .help("review records are written by `mdbook-techfile review`; restore the file from git rather than editing it");
            return (None, vec![d]);
        }
    };
    let mut r = Reader {
        file,
        base: 0,
        src: text,
        diags: Vec::new(),
        header_span: whole,
    };
    let by_key = r.by_key(&table);
    unknown_keys(&mut r, &by_key, KEYS, "a review record");
    let required = |r: &mut Reader<'_>, key: &str, what: &str| {
        if !by_key.contains_key(key) {
            r.diags.push(
                Diagnostic::new(Code::MissingKey, format!("review record lacks `{key}`"))
                    .at(whole, format!("`{key}` is not set in this record"))
                    .help(format!("a record names {what}; restore the record from git, or review again with `mdbook-techfile review`")),
            );
            return None;
        }
        r.line(&by_key, key, what)
    };
    let reviewer = required(&mut r, "reviewer", "its reviewer");
    let role = required(&mut r, "role", "the reviewer's role");
    let meaning = required(&mut r, "meaning", "its meaning").and_then(|(m, span)| {
        let parsed = Meaning::parse(&m);
        if parsed.is_none() {
            r.invalid(
                span,
                format!("unknown meaning `{m}`"),
                "use `reviewed` or `approved`",
            );
        }
        parsed
    });
    let date = date(&mut r, &by_key, whole);
    let git_identity = r
        .line(&by_key, "git-identity", "`Name <email>`")
        .map(|(s, _)| s);
    let comment = r.text(&by_key, "comment", "the comment").map(|s| s.value);
    let commit = r.line(&by_key, "commit", "the commit").map(|(s, _)| s);
    let modified = r.boolean(&by_key, "modified").is_some_and(|b| b.value);
    if let Some((v, _)) = by_key.get("fingerprint-profile")
        && !matches!(v.get_ref(), DeValue::Integer(_))
    {
        r.wrong_type(
            "fingerprint-profile",
            v,
            "an integer",
            "`fingerprint-profile = 1`",
        );
    }
    let covers = covers(&mut r, &by_key, whole);
    let (Some((reviewer, span)), Some((role, _)), Some(meaning), Some((date, timestamp))) =
        (reviewer, role, meaning, date)
    else {
        return (None, r.diags);
    };
    let record = Record {
        file,
        path,
        reviewer,
        git_identity,
        role,
        meaning,
        date,
        timestamp,
        comment,
        commit,
        modified,
        covers,
        span,
    };
    (Some(record), r.diags)
}

fn unknown_keys(
    r: &mut Reader<'_>,
    by_key: &crate::load::ByKey<'_, '_>,
    known: &[&str],
    what: &str,
) {
    for (key, (_, span)) in by_key {
        if !known.contains(key) {
            let help = match crate::suggest::closest(key, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the keys of {what} are: {}", known.join(", ")),
            };
            r.diags.push(
                Diagnostic::new(Code::UnknownKey, format!("unknown key `{key}` in {what}"))
                    .at(*span, "not a known key")
                    .help(help),
            );
        }
    }
}

/// `date`: an offset date-time, normalised to UTC.
fn date(
    r: &mut Reader<'_>,
    by_key: &crate::load::ByKey<'_, '_>,
    whole: Span,
) -> Option<(String, i64)> {
    let Some((value, _)) = by_key.get("date") else {
        r.diags.push(
            Diagnostic::new(Code::MissingKey, "review record lacks `date`")
                .at(whole, "`date` is not set in this record")
                .help("a record says when the review was made, as `date = 2026-11-29T10:15:00Z`"),
        );
        return None;
    };
    let span = r.span(value.span());
    let text = match value.get_ref() {
        DeValue::Datetime(d) => d.to_string(),
        DeValue::String(s) => s.to_string(),
        _ => {
            r.wrong_type(
                "date",
                value,
                "a date-time",
                "`date = 2026-11-29T10:15:00Z`",
            );
            return None;
        }
    };
    match text.parse::<jiff::Timestamp>() {
        Ok(t) => Some((t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(), t.as_second())),
        Err(_) => {
            r.invalid(
                span,
                format!("`{text}` is not a date-time with a time zone"),
                "write an RFC 3339 date-time in UTC, for example `date = 2026-11-29T10:15:00Z`",
            );
            None
        }
    }
}

/// `[[covers]]`: at least one (item, upstream, fingerprint).
fn covers(r: &mut Reader<'_>, by_key: &crate::load::ByKey<'_, '_>, whole: Span) -> Vec<Covered> {
    let example = "`[[covers]]` tables with `item`, `upstream` and `fingerprint`";
    let Some((value, _)) = by_key.get("covers") else {
        r.diags.push(
            Diagnostic::new(Code::MissingKey, "review record lacks `covers`")
                .at(whole, "`covers` is not set in this record")
                .help(format!("a record lists what was reviewed, as {example}")),
        );
        return Vec::new();
    };
    let DeValue::Array(entries) = value.get_ref() else {
        r.wrong_type("covers", value, "an array of tables", example);
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.iter() {
        let DeValue::Table(t) = entry.get_ref() else {
            r.wrong_type("covers", entry, "an array of tables", example);
            continue;
        };
        let entry_span = r.span(entry.span());
        let keys = r.by_key(t);
        unknown_keys(r, &keys, COVER_KEYS, "a `covers` entry");
        let id = |r: &mut Reader<'_>, key: &str| -> Option<String> {
            let Some((v, span)) = r.optional_str(&keys, key) else {
                if !keys.contains_key(key) {
                    r.diags.push(
                        Diagnostic::new(Code::MissingKey, format!("`covers` entry lacks `{key}`"))
                            .at(entry_span, format!("`{key}` is not set here"))
                            .help("each entry names the `item`, the `upstream` item and the `fingerprint` reviewed"),
                    );
                }
                return None;
            };
            match validate_id(&v) {
                Ok(()) => Some(v),
                Err(why) => {
                    r.invalid(span, format!("invalid ID `{v}`"), why);
                    None
                }
            }
        };
        let item = id(r, "item");
        let upstream = id(r, "upstream");
        let fingerprint = match r.optional_str(&keys, "fingerprint") {
            Some((f, span)) => match Fingerprint::parse(&f) {
                Ok(fp) => Some((fp, span)),
                Err(why) => {
                    r.invalid(span, format!("`{f}` is not a fingerprint"), why);
                    None
                }
            },
            None => {
                if !keys.contains_key("fingerprint") {
                    r.diags.push(
                        Diagnostic::new(Code::MissingKey, "`covers` entry lacks `fingerprint`")
                            .at(entry_span, "`fingerprint` is not set here")
                            .help("each entry names the `item`, the `upstream` item and the `fingerprint` reviewed"),
                    );
                }
                None
            }
        };
        if let (Some(item), Some(upstream), Some((fingerprint, span))) =
            (item, upstream, fingerprint)
        {
            out.push(Covered {
                item,
                upstream,
                fingerprint,
                span,
            });
        }
    }
    if out.is_empty() && entries.iter().next().is_none() {
        r.invalid(
            r.span(value.span()),
            "`covers` is empty".into(),
            "a record covers at least one (item, upstream, fingerprint)",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "reviewer = \"Jane Doe\"\ngit-identity = \"Jane Doe <Jane@Example.com>\"\nrole = \"Security architect\"\nmeaning = \"approved\"\ndate = 2026-11-29T11:15:00+01:00\ncomment = \"\"\"\nChecked the new lockout rule.\n\"\"\"\ncommit = \"0123456789abcdef0123456789abcdef01234567\"\nmodified = true\nfingerprint-profile = 1\n\n[[covers]]\nitem = \"CTL-1\"\nupstream = \"REQ-1\"\nfingerprint = \"sha256:v1:0000000000000000000000000000000000000000000000000000000000000000\"\n";

    fn read(text: &str) -> (Option<Record>, Vec<String>, SourceMap) {
        let mut map = SourceMap::new();
        let f = map.add("reviews/r.toml", text);
        let (r, d) = parse(f, text, "reviews/r.toml".into());
        let codes = d
            .iter()
            .map(|d| {
                let (l, c) = map
                    .get(f)
                    .line_col(d.primary.as_ref().unwrap().span.start as usize);
                format!("{}@{l}:{c}", d.code.as_str())
            })
            .collect();
        (r, codes, map)
    }

    #[test]
    fn a_record_is_read_and_its_date_normalised_to_utc() {
        let (r, d, _) = read(GOOD);
        assert!(d.is_empty(), "{d:?}");
        let r = r.unwrap();
        assert_eq!(r.date, "2026-11-29T10:15:00Z");
        assert_eq!(r.day(), "2026-11-29");
        assert_eq!(r.meaning, Meaning::Approved);
        assert_eq!(r.email().as_deref(), Some("jane@example.com"));
        assert!(r.modified);
        assert_eq!(r.covers.len(), 1);
        assert_eq!(r.covers[0].upstream, "REQ-1");
        assert_eq!(
            r.comment.as_deref(),
            Some("Checked the new lockout rule.\n")
        );
    }

    #[test]
    fn bad_records_are_reported_where_written() {
        let (r, d, _) = read(
            "reviewer = \"J\"\nrole = \"R\"\nmeaning = \"looked\"\ndate = 2026-11-29\nextra = 1\n[[covers]]\nitem = \"1X\"\nupstream = \"REQ-1\"\nfingerprint = \"sha256:v1:00\"\n",
        );
        assert!(r.is_none());
        assert_eq!(
            d,
            [
                "unknown-key@5:1",
                "invalid-value@3:11",
                "invalid-value@4:8",
                "invalid-value@7:8",
                "invalid-value@9:15"
            ]
        );
        let (_, d, _) = read("reviewer = \"J\"\n");
        assert_eq!(
            d,
            [
                "missing-key@1:1",
                "missing-key@1:1",
                "missing-key@1:1",
                "missing-key@1:1"
            ]
        );
        let (_, d, _) = read("reviewer = \n");
        assert_eq!(d, ["toml-syntax@1:12"]);
        let (_, d, _) = read(
            &GOOD
                .replace("item = \"CTL-1\"\n", "")
                .replace("modified = true", "modified = \"yes\""),
        );
        assert_eq!(d, ["wrong-type@10:12", "missing-key@13:1"]);
        let (_, d, _) = read(&GOOD.replace("[[covers]]", "[[covers]]\nwho = 1"));
        assert_eq!(d, ["unknown-key@14:1"]);
    }
}
