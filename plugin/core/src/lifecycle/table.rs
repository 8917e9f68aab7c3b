//! Support tables: TOML files under `support/` in which the manufacturer states, per
//! component (matched by purl), the level of support and the end of support, with where
//! the values come from.
//!
//! ```toml
//! [[component]]
//! purl = "pkg:deb/debian/openssl"     # every version; `@3.0.15` for one; `pkg:cargo/*` for a type
//! versions = "3.0.*"                  # optional: the component's version must match (`*`: any characters)
//! level = "active"                    # active | limited | unmaintained | abandoned
//! end-of-support = 2026-09-07         # a date, or "none" when no end is announced
//! source = "https://openssl-library.org/policies/releasestrat/"
//! ```

use super::{EndOfSupport, Level};
use crate::diag::{Code, Diagnostic};
use crate::load::{Input, InputKind, Reader, add_text};
use crate::model::{Date, FileId, SourceMap, Span, Spanned};
use crate::sbom::purl::Purl;
use toml::de::{DeTable, DeValue};

/// Which components an entry covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Selector {
    /// `pkg:type/*` or `pkg:type/namespace/*`: every package under this prefix of the
    /// canonical package (`type/` or `type/namespace/`).
    Prefix(String),
    /// A package, every version (or those `versions` matches).
    Package(Purl),
    /// One version of a package.
    Version(Purl),
}

/// One `[[component]]` of a support table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub(crate) selector: Selector,
    /// The `purl` as written, for the addendum's source column.
    pub(crate) purl: String,
    pub(crate) versions: Option<String>,
    pub(crate) level: Option<Spanned<Level>>,
    pub(crate) end: Option<Spanned<EndOfSupport>>,
    /// Where the values come from, as written (a policy URL, a contract number).
    pub(crate) source: Option<String>,
    /// The table file, relative to the folder that holds the book.
    pub(crate) path: String,
    /// The whole entry.
    pub(crate) span: Span,
}

impl Entry {
    /// How closely the entry names the component: `None` when it does not cover it, else
    /// higher for more specific entries (one version, a version pattern, a package, a type).
    pub(crate) fn rank(&self, purl: &Purl, version: Option<&str>) -> Option<u8> {
        let covered = match &self.selector {
            Selector::Prefix(p) => purl.package().starts_with(p.as_str()).then_some(0),
            Selector::Package(p) => (p.package() == purl.package()).then_some(1),
            Selector::Version(p) => {
                (p.package() == purl.package() && p.version() == purl.version()).then_some(3)
            }
        }?;
        match &self.versions {
            None => Some(covered),
            Some(pattern) => {
                let v = version.or(purl.version())?;
                crate::config::lifecycle::glob(pattern, v).then_some(covered.max(2))
            }
        }
    }
}

const KEYS: &[&str] = &["purl", "versions", "level", "end-of-support", "source"];

const TABLE_FILE: InputKind = InputKind {
    noun: "file",
    io_help: "check that the support table exists and is readable",
    size_help: "split the support table into several files",
    utf8_help: "save the support table as UTF-8 (most editors offer this in 'Save as')",
};

/// Reads every support table. Each file yields its entries or at least one finding.
pub(crate) fn load(map: &mut SourceMap, inputs: Vec<Input>) -> (Vec<Entry>, Vec<Diagnostic>) {
    let mut entries = Vec::new();
    let mut diags = Vec::new();
    for input in inputs {
        let path = input.path.clone();
        match add_text(map, input.name, input.content, &TABLE_FILE) {
            Ok(file) => {
                let (e, d) = parse(file, map.text(file), &path);
                entries.extend(e);
                diags.extend(d);
            }
            Err(d) => diags.push(d),
        }
    }
    (entries, diags)
}

/// Parses one support table.
pub fn parse(file: FileId, text: &str, path: &str) -> (Vec<Entry>, Vec<Diagnostic>) {
    let whole = Span::new(file, 0..text.find('\n').unwrap_or(text.len()));
    let table = match DeTable::parse(text) {
        Ok(t) => t.into_inner(),
        Err(e) => {
            let d = Diagnostic::new(
                Code::TomlSyntax,
                format!(
                    "support table is not valid TOML: {}",
                    e.message().lines().next().unwrap_or("").trim()
                ),
            )
            .at(Span::new(file, e.span().unwrap_or(0..0)), "here")
            .help("a support table holds `[[component]]` tables with `purl`, `level`, `end-of-support` and `source`");
            return (Vec::new(), vec![d]);
        }
    };
    let mut r = Reader {
        file,
        base: 0,
        src: text,
        diags: Vec::new(),
        header_span: whole,
    };
    let mut out = Vec::new();
    for (key, value) in table.iter() {
        let key_span = r.span(key.span());
        if key.get_ref().as_ref() != "component" {
            r.diags.push(
                Diagnostic::new(
                    Code::UnknownKey,
                    format!("unknown key `{}` in a support table", key.get_ref()),
                )
                .at(key_span, "not a known key")
                .help("a support table holds only `[[component]]` tables"),
            );
            continue;
        }
        let DeValue::Array(list) = value.get_ref() else {
            r.wrong_type(
                "component",
                value,
                "an array of tables",
                "`[[component]]` tables",
            );
            continue;
        };
        for item in list.iter() {
            let DeValue::Table(t) = item.get_ref() else {
                r.wrong_type("component", item, "a table", "`[[component]]` tables");
                continue;
            };
            let span = r.span(item.span());
            if let Some(e) = entry(&mut r, t, span, path) {
                out.push(e);
            }
        }
    }
    (out, r.diags)
}

fn entry(r: &mut Reader<'_>, t: &DeTable<'_>, span: Span, path: &str) -> Option<Entry> {
    let by_key = r.by_key(t);
    for (key, (_, key_span)) in &by_key {
        if !KEYS.contains(key) {
            let help = match crate::suggest::closest(key, KEYS.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the keys of a support entry are: {}", KEYS.join(", ")),
            };
            r.diags.push(
                Diagnostic::new(
                    Code::UnknownKey,
                    format!("unknown key `{key}` in a support entry"),
                )
                .at(*key_span, "not a known key")
                .help(help),
            );
        }
    }
    let Some((purl, purl_span)) = r.optional_str(&by_key, "purl") else {
        if !by_key.contains_key("purl") {
            r.diags.push(
                Diagnostic::new(Code::MissingKey, "support entry lacks `purl`")
                    .at(span, "no `purl` in this entry")
                    .help("name the component by its purl: `purl = \"pkg:deb/debian/openssl\"` (every version), `@3.0.15` for one version, or `pkg:cargo/*` for every package of a type"),
            );
        }
        return None;
    };
    let selector = match selector(&purl) {
        Ok(s) => s,
        Err(why) => {
            r.invalid(
                purl_span,
                format!("`{purl}` is not a purl: {why}"),
                "write a purl such as `pkg:deb/debian/openssl`, or `pkg:cargo/*` for every package of a type",
            );
            return None;
        }
    };
    let versions = r
        .line(&by_key, "versions", "a version pattern such as `3.0.*`")
        .map(|(v, _)| v);
    let level = r
        .line(&by_key, "level", "the level of support")
        .and_then(|(w, span)| match Level::parse(&w) {
            Some(value) => Some(Spanned { value, span }),
            None => {
                let help = match crate::suggest::closest(&w, Level::WORDS.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "use one of {}",
                        Level::WORDS
                            .iter()
                            .map(|w| format!("`{w}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                r.invalid(span, format!("unknown level of support `{w}`"), help);
                None
            }
        });
    let end = end_of_support(r, &by_key);
    let source = r
        .text(&by_key, "source", "where the values come from")
        .map(|s| s.value);
    if level.is_none()
        && end.is_none()
        && !r.diags.iter().any(|d| {
            d.primary
                .as_ref()
                .is_some_and(|p| p.span.start >= span.start && p.span.end <= span.end)
        })
    {
        r.diags.push(
            Diagnostic::new(Code::MissingKey, "support entry states neither `level` nor `end-of-support`")
                .at(span, "nothing stated here")
                .help("add `level = \"active\"` (active, limited, unmaintained, abandoned) and `end-of-support = 2027-12-31` (or \"none\")"),
        );
        return None;
    }
    Some(Entry {
        selector,
        purl,
        versions,
        level,
        end,
        source,
        path: path.to_owned(),
        span,
    })
}

/// `end-of-support`: a date (TOML date or `"YYYY-MM-DD"`), or `"none"`.
fn end_of_support(
    r: &mut Reader<'_>,
    by_key: &crate::load::ByKey<'_, '_>,
) -> Option<Spanned<EndOfSupport>> {
    let (value, _) = by_key.get("end-of-support")?;
    if let DeValue::String(s) = value.get_ref()
        && s.as_ref() == "none"
    {
        return Some(Spanned {
            value: EndOfSupport::NoneAnnounced,
            span: r.span(value.span()),
        });
    }
    r.date(by_key, "end-of-support")
        .map(|(d, span): (Date, Span)| Spanned {
            value: EndOfSupport::Date(d),
            span,
        })
}

/// The selector a `purl` value stands for.
fn selector(purl: &str) -> Result<Selector, String> {
    if let Some(prefix) = purl.strip_suffix("/*") {
        let rest = prefix
            .strip_prefix("pkg:")
            .ok_or("a purl starts with `pkg:`")?;
        if rest.is_empty() || rest.split('/').count() > 2 || rest.contains(['@', '?', '#']) {
            return Err("a wildcard is `pkg:type/*` or `pkg:type/namespace/*`".into());
        }
        let (ty, ns) = rest.split_once('/').unwrap_or((rest, ""));
        // Compared with `Purl::package`, which has no `pkg:`.
        let mut p = format!("{}/", ty.to_ascii_lowercase());
        if !ns.is_empty() {
            p.push_str(ns);
            p.push('/');
        }
        return Ok(Selector::Prefix(p));
    }
    let parsed = Purl::parse(purl)?;
    Ok(if parsed.version().is_some() {
        Selector::Version(parsed)
    } else {
        Selector::Package(parsed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (Vec<Entry>, Vec<Diagnostic>, SourceMap) {
        let mut map = SourceMap::new();
        let f = map.add("support/t.toml", text);
        let (e, d) = parse(f, text, "support/t.toml");
        (e, d, map)
    }

    #[test]
    fn entries_are_read_and_ranked() {
        let (e, d, _) = parse_text(
            "[[component]]\npurl = \"pkg:cargo/*\"\nlevel = \"active\"\nend-of-support = \"none\"\nsource = \"policy\"\n\n[[component]]\npurl = \"pkg:cargo/serde\"\nversions = \"1.*\"\nend-of-support = 2027-01-31\n\n[[component]]\npurl = \"pkg:cargo/serde@1.0.1\"\nlevel = \"limited\"\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(e.len(), 3);
        let serde = Purl::parse("pkg:cargo/serde@1.0.1").unwrap();
        let other = Purl::parse("pkg:cargo/rand@0.9.0").unwrap();
        let npm = Purl::parse("pkg:npm/serde@1.0.1").unwrap();
        assert_eq!(e[0].rank(&serde, None), Some(0));
        assert_eq!(e[1].rank(&serde, None), Some(2));
        assert_eq!(e[2].rank(&serde, None), Some(3));
        assert_eq!(e[1].rank(&other, None), None);
        assert_eq!(e[0].rank(&npm, None), None);
        assert_eq!(
            e[1].rank(&Purl::parse("pkg:cargo/serde@2.0.0").unwrap(), None),
            None
        );
        assert_eq!(e[0].level.as_ref().unwrap().value, Level::Active);
        assert_eq!(
            e[1].end.as_ref().unwrap().value,
            EndOfSupport::Date(Date::parse("2027-01-31").unwrap())
        );
    }

    #[test]
    fn bad_entries_are_findings_at_their_place() {
        let (e, d, map) = parse_text(
            "[[component]]\npurl = \"pkg:cargo/a\"\nend-of-support = \"2026-02-30\"\nlevel = \"actve\"\nlevle = 1\n\n[[component]]\npurl = \"not a purl\"\n\n[[component]]\nlevel = \"active\"\n",
        );
        assert!(e.is_empty(), "{e:?}");
        let got: Vec<(String, (usize, usize))> = d
            .iter()
            .map(|d| {
                let p = d.primary.as_ref().unwrap();
                (
                    d.code.as_str().to_string(),
                    map.get(p.span.file).line_col(p.span.start as usize),
                )
            })
            .collect();
        assert!(got.contains(&("invalid-value".into(), (3, 18))), "{got:?}");
        assert!(got.contains(&("invalid-value".into(), (4, 9))), "{got:?}");
        assert!(got.contains(&("unknown-key".into(), (5, 1))), "{got:?}");
        assert!(got.contains(&("invalid-value".into(), (8, 8))), "{got:?}");
        assert!(got.iter().any(|(c, _)| c == "missing-key"), "{got:?}");
        assert!(
            d.iter()
                .any(|d| d.help.as_deref() == Some("did you mean `limited`?")
                    || d.help.as_deref() == Some("did you mean `active`?")),
            "{d:?}"
        );
        let (_, d, _) = parse_text("[[component]\n");
        assert_eq!(d[0].code, Code::TomlSyntax);
    }
}
