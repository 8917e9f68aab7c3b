//! OSV records (schema 1.7), read leniently with types of our own. Minor and patch
//! versions of the schema only add fields ("a client that knows 1.2.0 can process 1.3.0
//! by ignoring unexpected fields"), so unknown fields are ignored, and the ecosystem is
//! a string: a record of an ecosystem this tool has never heard of still reads (the `osv`
//! crate's closed ecosystem enum would fail it, and with it a whole directory). A record
//! whose known fields have the wrong shape is malformed: it is reported with the
//! parser's line and column, and the others are read on.

use jiff::Timestamp;
use serde::{Deserialize, Deserializer};

/// `null` where a list is expected reads as an empty list: some exporters write it.
fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
struct RawRecord {
    id: String,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default, deserialize_with = "list")]
    aliases: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default, deserialize_with = "list")]
    severity: Vec<RawSeverity>,
    #[serde(default, deserialize_with = "list")]
    affected: Vec<RawAffected>,
    #[serde(default, deserialize_with = "list")]
    references: Vec<RawReference>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default, deserialize_with = "list")]
    severity: Vec<RawSeverity>,
    #[serde(default, deserialize_with = "list")]
    ranges: Vec<RawRange>,
    #[serde(default, deserialize_with = "list")]
    versions: Vec<String>,
    #[serde(default)]
    ecosystem_specific: Option<serde_json::Value>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawPackage {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default, deserialize_with = "list")]
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
struct RawEvent {
    #[serde(default)]
    introduced: Option<String>,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    last_affected: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

#[derive(Deserialize)]
struct RawReference {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// One OSV record, reduced to what matching and reports use.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub(crate) id: String,
    pub(crate) aliases: Vec<String>,
    pub(crate) summary: Option<String>,
    /// `modified`, when it is an RFC 3339 time.
    pub(crate) modified: Option<Timestamp>,
    /// The record is withdrawn: it is kept for the report but never matched.
    pub(crate) withdrawn: bool,
    /// `severity[]` of the record: (`CVSS_V3`, vector), ...
    pub(crate) severity: Vec<(String, String)>,
    /// A severity word some databases give instead of a vector (GitHub's
    /// `database_specific.severity`: `LOW` ... `CRITICAL`).
    pub(crate) severity_word: Option<String>,
    pub(crate) affected: Vec<Affected>,
    /// The advisory's own page (`ADVISORY`), else its first `WEB` reference.
    pub(crate) url: Option<String>,
}

/// One `affected[]` entry.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Affected {
    pub(crate) ecosystem: String,
    pub(crate) name: String,
    pub(crate) versions: Vec<String>,
    pub(crate) ranges: Vec<Range>,
    /// Per-package `severity[]`, which takes precedence over the record's.
    pub(crate) severity: Vec<(String, String)>,
    /// RustSec's `informational` kind (`unmaintained`, `unsound`, `notice`): an advisory
    /// that is not a vulnerability.
    pub(crate) informational: Option<String>,
}

/// The kind of a range: how its event versions are ordered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RangeKind {
    Semver,
    Ecosystem,
    Git,
    Other(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Range {
    pub(crate) kind: RangeKind,
    pub(crate) events: Vec<Event>,
}

/// A record that could not be read: the message, and the 1-based line and column the
/// parser stopped at (0 when it has none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    pub(crate) message: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// Problems of a readable record that do not stop it from being used (an unparsable
/// date), each with the field it is about.
pub(crate) type Warnings = Vec<(String, &'static str)>;

fn severities(raw: Vec<RawSeverity>) -> Vec<(String, String)> {
    raw.into_iter().map(|s| (s.kind, s.score)).collect()
}

fn is_timestamp(t: &str) -> bool {
    t.parse::<Timestamp>().is_ok()
}

/// Reads one record.
///
/// # Errors
///
/// The text is not JSON, not an object, lacks `id` or a package's `ecosystem` or `name`,
/// or a known field has the wrong type.
pub fn parse(bytes: &[u8]) -> Result<(Record, Warnings), Malformed> {
    let raw: RawRecord = serde_json::from_slice(bytes).map_err(|e| Malformed {
        message: e.to_string(),
        line: e.line(),
        column: e.column(),
    })?;
    if raw.id.trim().is_empty() {
        return Err(Malformed {
            message: "the record's `id` is empty".into(),
            line: 0,
            column: 0,
        });
    }
    let mut warnings = Vec::new();
    let modified = match raw.modified.as_deref() {
        None => {
            warnings.push((
                "the record has no `modified` time, which the OSV schema requires".into(),
                "modified",
            ));
            None
        }
        Some(m) => match m.parse::<Timestamp>() {
            Ok(t) => Some(t),
            Err(_) => {
                warnings.push((
                    format!("`modified` is `{m}`, not an RFC 3339 time"),
                    "modified",
                ));
                None
            }
        },
    };
    for (field, value) in [("published", &raw.published), ("withdrawn", &raw.withdrawn)] {
        if let Some(v) = value
            && !is_timestamp(v)
        {
            warnings.push((format!("`{field}` is `{v}`, not an RFC 3339 time"), field));
        }
    }
    let severity_word = raw
        .database_specific
        .as_ref()
        .and_then(|d| d.get("severity"))
        .and_then(|s| s.as_str())
        .map(str::to_owned);
    let mut affected = Vec::with_capacity(raw.affected.len());
    for a in raw.affected {
        // An entry without a package names commits of a repository only (GIT ranges);
        // it cannot match a component by name.
        let Some(package) = a.package else { continue };
        // RustSec's export writes it in the entry's `database_specific`; other exporters
        // have been seen to put it in `ecosystem_specific` or on the record.
        let informational = [
            &a.database_specific,
            &a.ecosystem_specific,
            &raw.database_specific,
        ]
        .into_iter()
        .find_map(|d| d.as_ref()?.get("informational")?.as_str())
        .map(str::to_owned);
        affected.push(Affected {
            ecosystem: package.ecosystem,
            name: package.name,
            versions: a.versions,
            severity: severities(a.severity),
            informational,
            ranges: a
                .ranges
                .into_iter()
                .map(|r| Range {
                    kind: match r.kind.as_str() {
                        "SEMVER" => RangeKind::Semver,
                        "ECOSYSTEM" => RangeKind::Ecosystem,
                        "GIT" => RangeKind::Git,
                        _ => RangeKind::Other(r.kind),
                    },
                    events: r
                        .events
                        .into_iter()
                        .filter_map(|e| {
                            e.introduced
                                .map(Event::Introduced)
                                .or(e.fixed.map(Event::Fixed))
                                .or(e.last_affected.map(Event::LastAffected))
                                .or(e.limit.map(Event::Limit))
                        })
                        .collect(),
                })
                .collect(),
        });
    }
    let url_of = |kind: &str| {
        raw.references
            .iter()
            .find(|r| r.kind.as_deref() == Some(kind))
            .and_then(|r| r.url.clone())
    };
    let url = url_of("ADVISORY").or_else(|| url_of("WEB"));
    Ok((
        Record {
            id: raw.id,
            aliases: raw.aliases,
            summary: raw.summary.filter(|s| !s.trim().is_empty()),
            modified,
            withdrawn: raw.withdrawn.is_some(),
            severity: severities(raw.severity),
            severity_word,
            affected,
            url,
        },
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ecosystems_and_fields_read() {
        let text = br#"{"schema_version":"1.7.5","id":"X-1","modified":"2026-01-02T03:04:05Z",
            "aliases":null,"future_field":{"a":1},
            "affected":[{"package":{"ecosystem":"FreeBSD:ports","name":"curl"},
              "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"8.1"}]}],
              "ecosystem_specific":{"anything":[1,2]}}],
            "references":[{"type":"WEB","url":"https://w.example"},{"type":"ADVISORY","url":"https://a.example"}]}"#;
        let (r, w) = parse(text).unwrap();
        assert!(w.is_empty());
        assert_eq!(r.affected[0].ecosystem, "FreeBSD:ports");
        assert_eq!(
            r.affected[0].ranges[0].events,
            [Event::Introduced("0".into()), Event::Fixed("8.1".into())]
        );
        assert_eq!(r.url.as_deref(), Some("https://a.example"));
        assert!(!r.withdrawn);
    }

    #[test]
    fn malformed_records_say_where() {
        let e = parse(b"{\"id\": \"X\",\n \"affected\": 3}").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("invalid type"), "{}", e.message);
        assert!(parse(b"not json").is_err());
        assert!(
            parse(br#"{"modified":"2026-01-01T00:00:00Z"}"#)
                .unwrap_err()
                .message
                .contains("missing field `id`")
        );
    }

    #[test]
    fn bad_dates_are_warnings_and_withdrawn_is_kept() {
        let (r, w) =
            parse(br#"{"id":"X","modified":"yesterday","withdrawn":"2026-02-30"}"#).unwrap();
        assert!(r.withdrawn);
        assert_eq!(r.modified, None);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].1, "modified");
        assert_eq!(w[1].1, "withdrawn");
    }

    #[test]
    fn the_informational_kind_is_found_where_exporters_put_it() {
        let kind = |text: &str| {
            let (r, _) = parse(text.as_bytes()).unwrap();
            r.affected
                .iter()
                .map(|a| a.informational.clone())
                .collect::<Vec<_>>()
        };
        let pkg = r#""package":{"ecosystem":"crates.io","name":"a"}"#;
        // RustSec's export: the entry's `database_specific`, which wins over the others.
        assert_eq!(
            kind(&format!(
                r#"{{"id":"R","affected":[{{{pkg},"database_specific":{{"informational":"unsound"}},"ecosystem_specific":{{"informational":"notice"}}}},{{{pkg}}}]}}"#
            )),
            [Some("unsound".into()), None]
        );
        assert_eq!(
            kind(&format!(
                r#"{{"id":"R","affected":[{{{pkg},"ecosystem_specific":{{"informational":"unmaintained"}}}}]}}"#
            )),
            [Some("unmaintained".into())]
        );
        // On the record: every entry.
        assert_eq!(
            kind(&format!(
                r#"{{"id":"R","database_specific":{{"informational":"unmaintained"}},"affected":[{{{pkg}}},{{{pkg}}}]}}"#
            )),
            [Some("unmaintained".into()), Some("unmaintained".into())]
        );
    }
}
