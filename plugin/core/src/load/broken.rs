//! What can still be read of an item file that did not become an item: the ID it declares
//! and the trace links it writes. Findings that depend on such a file (a link to its ID, a
//! requirement it would have implemented) then name the file that failed instead of
//! guessing at a typo.
//!
//! When the front-matter is valid TOML (the item failed on a missing title, say) the table
//! is read; otherwise each line is read on its own, the way the keys are almost always
//! written (`id = "REQ-1"`, `implements = ["REQ-1", "REQ-2"]` on one line). A line that does
//! not have that shape is skipped: this never reports anything itself.

use super::frontmatter::{self, FrontMatter};
use crate::model::{FileId, Kind, Relation, Span, Spanned, TraceLink, validate_id};
use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// An item file that could not be turned into an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Broken {
    /// The file in the source map (empty when it could not be read at all).
    pub(crate) file: FileId,
    /// Path shown to readers, relative to the folder that holds the book.
    pub(crate) path: String,
    /// Its name in findings (the source map's): messages that name the file use it, so
    /// every path in a finding has the location's base.
    pub(crate) name: String,
    /// The ID the file declares, where it is written; `None` when it cannot be read.
    pub(crate) id: Option<Spanned<String>>,
    /// The trace links the file writes, as far as they can be read.
    pub(crate) links: Vec<TraceLink>,
}

impl Broken {
    /// Whether this file is where `id` is defined: it declares the ID, or (when its ID
    /// cannot be read) its file name is the ID, as item files are usually named.
    pub(crate) fn defines(&self, id: &str) -> bool {
        match &self.id {
            Some(declared) => declared.value == id,
            None => {
                let name = self.path.rsplit('/').next().unwrap_or(&self.path);
                name.strip_suffix(".md")
                    .is_some_and(|stem| stem.eq_ignore_ascii_case(id))
            }
        }
    }

    /// The ID this file is for: the one it declares, else (when that cannot be read) its
    /// file name without `.md`, as [`Broken::defines`] matches it.
    pub(crate) fn id_or_stem(&self) -> &str {
        match &self.id {
            Some(declared) => &declared.value,
            None => {
                let name = self.path.rsplit('/').next().unwrap_or(&self.path);
                name.strip_suffix(".md").unwrap_or(name)
            }
        }
    }

    /// Where a finding about this file points: its ID, else the start of the file.
    pub(crate) fn span(&self) -> Span {
        self.id
            .as_ref()
            .map_or(Span::new(self.file, 0..0), |i| i.span)
    }
}

/// What `text` (file `file`, named `name` in findings) declares, read as far as possible.
pub(crate) fn declared(file: FileId, path: String, name: &str, text: &str) -> Broken {
    let mut broken = Broken {
        file,
        path,
        name: name.to_string(),
        id: None,
        links: Vec::new(),
    };
    let region = match frontmatter::split(text) {
        FrontMatter::Present(s) => {
            if let Ok(table) = DeTable::parse(&text[s.toml.clone()]) {
                let kind = from_table(&mut broken, table.get_ref(), s.toml.start);
                return of_kind(broken, kind);
            }
            s.toml
        }
        FrontMatter::Unclosed(open) => open.end..text.len(),
        FrontMatter::Absent => return broken,
    };
    let kind = from_lines(&mut broken, text, region);
    of_kind(broken, kind)
}

/// One key may mean a relation per kind (`interfaces` on a risk or on a data flow): links
/// are read with the first relation of their key, and given the one of the file's kind
/// when that can be read.
fn of_kind(mut broken: Broken, kind: Option<Kind>) -> Broken {
    if let Some(kind) = kind {
        for l in &mut broken.links {
            if let Some(r) = Relation::of(l.relation.key(), kind) {
                l.relation = r;
            }
        }
    }
    broken
}

/// Reads the table; returns the kind it declares, if it is one.
fn from_table(broken: &mut Broken, table: &DeTable<'_>, base: usize) -> Option<Kind> {
    let file = broken.file;
    let span = |r: Range<usize>| Span::shifted(file, r, base);
    let mut kind = None;
    for (key, value) in table.iter() {
        let key: &str = key.get_ref().as_ref();
        match (key, value.get_ref()) {
            ("kind", DeValue::String(s)) => kind = Kind::parse(s),
            ("id", DeValue::String(s)) if validate_id(s).is_ok() => {
                broken.id = Some(Spanned {
                    value: s.to_string(),
                    span: span(value.span()),
                });
            }
            (key, DeValue::Array(a)) => {
                let Some(relation) = Relation::ALL.into_iter().find(|r| r.key() == key) else {
                    continue;
                };
                for v in a.iter() {
                    if let DeValue::String(s) = v.get_ref()
                        && validate_id(s).is_ok()
                    {
                        broken.links.push(TraceLink {
                            relation,
                            target: s.to_string(),
                            span: span(v.span()),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    kind
}

/// Reads line by line; returns the kind the file declares, if it is one.
fn from_lines(broken: &mut Broken, text: &str, region: Range<usize>) -> Option<Kind> {
    let mut kind = None;
    let mut at = region.start;
    for line in text[region.clone()].split_inclusive('\n') {
        let start = at;
        at += line.len();
        let Some((key, value_at)) = key_of(line) else {
            continue;
        };
        let value = &line[value_at..];
        let offset = start + value_at;
        if key == "id" {
            if broken.id.is_none()
                && let Some((s, r)) = quoted(value)
                && validate_id(s).is_ok()
            {
                broken.id = Some(Spanned {
                    value: s.to_string(),
                    span: Span::new(broken.file, r.start - 1 + offset..r.end + 1 + offset),
                });
            }
            continue;
        }
        if key == "kind" {
            kind = kind.or_else(|| quoted(value).and_then(|(s, _)| Kind::parse(s)));
            continue;
        }
        let Some(relation) = Relation::ALL.into_iter().find(|r| r.key() == key) else {
            continue;
        };
        let Some(inner) = value.strip_prefix('[') else {
            continue;
        };
        let mut rest = inner;
        let mut pos = offset + 1;
        while let Some((s, r)) = quoted(rest) {
            if validate_id(s).is_ok() {
                broken.links.push(TraceLink {
                    relation,
                    target: s.to_string(),
                    span: Span::new(broken.file, r.start - 1 + pos..r.end + 1 + pos),
                });
            }
            let after = r.end + 1;
            pos += after;
            rest = &rest[after..];
            rest = match rest.trim_start().strip_prefix(',') {
                Some(more) => {
                    pos += rest.len() - more.len();
                    more
                }
                None => break,
            };
        }
    }
    kind
}

/// `key = ...` at the start of a line: the key and where the value starts.
fn key_of(line: &str) -> Option<(&str, usize)> {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let end = trimmed.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))?;
    let key = &trimmed[..end];
    let after = trimmed[end..].trim_start().strip_prefix('=')?;
    let value = after.trim_start();
    Some((key, indent + trimmed.len() - value.len()))
}

/// A quoted string at the start of `s` (after spaces), without escapes: its text and the
/// range of the text inside `s`, without the quotes (spans, like the loader's, take them).
fn quoted(s: &str) -> Option<(&str, Range<usize>)> {
    let lead = s.len() - s.trim_start().len();
    let rest = &s[lead..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let body = &rest[1..];
    let end = body.find(quote)?;
    let text = &body[..end];
    (!text.contains('\\')).then(|| (text, lead + 1..lead + 1 + end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceMap;

    fn read(text: &str) -> (Broken, SourceMap) {
        let mut map = SourceMap::new();
        let f = map.add("a.md", text);
        (declared(f, "reqs/a.md".into(), "a.md", text), map)
    }

    #[test]
    fn the_id_and_links_of_a_file_that_is_not_toml_are_read_line_by_line() {
        let text = "+++\nid = \"REQ-INT-001\"\nkind = \"requirement\"\nlast-reviewed = 2026-02-30\nderives-from = [\"MDCG-SR\", 'REQ-2' , \"bad id\"]\n+++\nBody\n";
        let (b, map) = read(text);
        let id = b.id.clone().unwrap();
        assert_eq!(id.value, "REQ-INT-001");
        assert_eq!(&map.text(id.span.file)[id.span.range()], "\"REQ-INT-001\"");
        let links: Vec<(&str, &str)> = b
            .links
            .iter()
            .map(|l| (l.target.as_str(), &text[l.span.range()]))
            .collect();
        assert_eq!(links, [("MDCG-SR", "\"MDCG-SR\""), ("REQ-2", "'REQ-2'")]);
        assert!(b.defines("REQ-INT-001"));
        assert!(!b.defines("REQ-INT-002"));
    }

    #[test]
    fn valid_toml_is_read_as_a_table() {
        let text =
            "+++\nid = \"CTL-1\"\nkind = \"control\"\nimplements = [\n  \"REQ-1\",\n]\n+++\n";
        let (b, _) = read(text);
        assert_eq!(b.id.unwrap().value, "CTL-1");
        assert_eq!(b.links.len(), 1);
        assert_eq!(&text[b.links[0].span.range()], "\"REQ-1\"");
    }

    #[test]
    fn a_key_of_several_kinds_takes_the_relation_of_the_files_kind() {
        // `interfaces` is a risk's (the interfaces it threatens) and a data flow's (the
        // interfaces it passes); the date below keeps the table from parsing.
        let flow = "+++\nid = \"DF-1\"\nkind = \"data-flow\"\nretention = 2026-02-30\ninterfaces = [\"IF-1\"]\n+++\n";
        let (b, _) = read(flow);
        assert_eq!(b.links[0].relation, Relation::FlowInterfaces);
        let risk = "+++\ninterfaces = [\"IF-1\"]\nkind = \"risk\"\n+++\n";
        let (b, _) = read(risk);
        assert_eq!(b.links[0].relation, Relation::RiskInterfaces);
        // Valid TOML with the kind read from the table.
        let (b, _) =
            read("+++\nid = \"DF-2\"\nkind = \"data-flow\"\ninterfaces = [\"IF-1\"]\n+++\n");
        assert_eq!(b.links[0].relation, Relation::FlowInterfaces);
    }

    #[test]
    fn an_unreadable_id_falls_back_to_the_file_name() {
        let (b, _) = read("no front-matter\n");
        assert_eq!(b.id, None);
        assert!(b.defines("A"));
        let (b, _) = read("+++\nid = \"1 not an id\"\n");
        assert_eq!(b.id, None);
        assert_eq!(b.span().range(), 0..0);
    }
}
