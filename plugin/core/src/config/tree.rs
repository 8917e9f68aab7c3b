//! The spanned tree `[preprocessor.techfile]` is read from: book.toml as written (toml's
//! `DeTable` keeps the byte range of every key and value), with mdBook's `MDBOOK_...`
//! environment overrides laid over it. The tree is owned, rather than read from `DeTable`
//! in place, so a value from the environment can point into a file of its own (the
//! `environment` pseudo-file) and the readers carry no lifetimes.

use crate::diag::{Code, Diagnostic};
use crate::model::{FileId, SourceMap, Span};
use toml::de::{DeTable, DeValue};

/// A value and the place it was written.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) span: Span,
    pub(crate) value: Value,
}

#[derive(Clone, Debug)]
pub(crate) enum Value {
    String(String),
    /// `None`: a number outside the 64-bit range TOML allows.
    Integer(Option<i64>),
    Float(f64),
    Boolean(bool),
    Datetime(toml::value::Datetime),
    Array(Vec<Node>),
    Table(Table),
}

impl Value {
    /// The type as findings name it ("found a string").
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date-time",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// A table's entries in the order the parser gives them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    pub(crate) entries: Vec<Entry>,
}

#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) key: String,
    pub(crate) key_span: Span,
    pub(crate) value: Node,
}

impl Table {
    pub(crate) fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// Replaces the entry at `key`, or adds it.
    fn set(&mut self, key: &str, key_span: Span, value: Node) {
        match self.entries.iter_mut().find(|e| e.key == key) {
            Some(e) => {
                e.key_span = key_span;
                e.value = value;
            }
            None => self.entries.push(Entry {
                key: key.to_owned(),
                key_span,
                value,
            }),
        }
    }
}

/// The tree of a parsed TOML document of `file`.
pub(crate) fn from_document(file: FileId, table: &DeTable<'_>) -> Table {
    Table {
        entries: table
            .iter()
            .map(|(k, v)| Entry {
                key: k.get_ref().to_string(),
                key_span: Span::new(file, k.span()),
                value: node(file, v),
            })
            .collect(),
    }
}

fn node(file: FileId, v: &toml::Spanned<DeValue<'_>>) -> Node {
    let value = match v.get_ref() {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => Value::Integer(i64::from_str_radix(i.as_str(), i.radix()).ok()),
        DeValue::Float(f) => Value::Float(f.as_str().parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Boolean(*b),
        DeValue::Datetime(d) => Value::Datetime(*d),
        DeValue::Array(a) => Value::Array(a.iter().map(|v| node(file, v)).collect()),
        DeValue::Table(t) => Value::Table(from_document(file, t)),
    };
    Node {
        span: Span::new(file, v.span()),
        value,
    }
}

/// An `MDBOOK_...` environment variable that reaches into `[preprocessor.techfile]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvOverride {
    /// The variable's name as the environment holds it (`MDBOOK_PREPROCESSOR__TECHFILE__ITEMS`).
    pub name: String,
    /// The variable's value as set; read as JSON (mdBook's rule), else taken as a string.
    pub value: String,
}

/// mdBook's own keys of every preprocessor table; mdBook reads them, the tool only accepts
/// them.
pub(crate) const MDBOOK_KEYS: &[&str] = &["command", "renderers", "before", "after", "optional"];

/// The key an `MDBOOK_...` variable sets, as a path from the top of book.toml, when it
/// reaches into `[preprocessor.techfile]` (the whole `preprocessor` table, the techfile
/// table, or a key in it other than mdBook's own). mdBook's rule (`Config::update_from_env`):
/// drop `MDBOOK_`, lower-case, `__` separates keys, `_` becomes `-`.
pub fn override_path(name: &str) -> Option<Vec<String>> {
    let key = name
        .strip_prefix("MDBOOK_")?
        .to_lowercase()
        .replace("__", ".")
        .replace('_', "-");
    let path: Vec<String> = key.split('.').map(str::to_owned).collect();
    let ours = match path.as_slice() {
        [p] => p == "preprocessor",
        [p, t] => p == "preprocessor" && t == "techfile",
        [p, t, key, ..] => {
            p == "preprocessor" && t == "techfile" && !MDBOOK_KEYS.contains(&key.as_str())
        }
        [] => false,
    };
    ours.then_some(path)
}

/// The name of the pseudo-file that holds the overrides, one `NAME=VALUE` line each, so
/// findings about a value from the environment point at the variable.
pub(crate) const ENVIRONMENT: &str = "environment";

/// Lays `overrides` over `root` (the whole of book.toml), in the given order, the way
/// mdBook's `Config::set` does: the value replaces what is at its key, and a missing or
/// non-table parent becomes a table. A value is parsed as JSON, else taken as a string,
/// as mdBook does. Adds the [`ENVIRONMENT`] file to `map`; a value no TOML can hold (JSON
/// `null`) is a finding instead.
pub(crate) fn apply_overrides(
    map: &mut SourceMap,
    root: &mut Table,
    overrides: &[EnvOverride],
) -> Vec<Diagnostic> {
    let mut text = String::new();
    let mut places = Vec::with_capacity(overrides.len());
    for o in overrides {
        let start = text.len();
        text.push_str(&o.name);
        text.push('=');
        let value_start = text.len();
        text.push_str(&o.value);
        places.push((start..start + o.name.len(), value_start..text.len()));
        text.push('\n');
    }
    let file = map.add(ENVIRONMENT, text);
    let mut diags = Vec::new();
    for (o, (name_range, value_range)) in overrides.iter().zip(places) {
        let Some(path) = override_path(&o.name) else {
            continue;
        };
        let span = Span::new(file, value_range);
        let parsed = serde_json::from_str(&o.value)
            .unwrap_or_else(|_| serde_json::Value::String(o.value.clone()));
        match from_json(&parsed, span) {
            Some(value) => insert(root, &path, Span::new(file, name_range), value),
            None => diags.push(
                Diagnostic::new(
                    Code::ConfigInvalidValue,
                    format!("`{}` holds a JSON `null`, which TOML cannot hold", o.name),
                )
                .at(span, "no TOML value")
                .help(
                    "give the value as JSON (`false`, `[\"a\"]`, `\"text\"`) or unset the variable",
                ),
            ),
        }
    }
    diags
}

/// A JSON value as a node whose every part points at the whole value: JSON in an
/// environment variable is short, and the variable is what the user must change.
fn from_json(v: &serde_json::Value, span: Span) -> Option<Node> {
    use serde_json::Value as J;
    let value = match v {
        J::Null => return None,
        J::Bool(b) => Value::Boolean(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(Some(i)),
            None if n.is_u64() => Value::Integer(None),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => Value::String(s.clone()),
        J::Array(a) => Value::Array(
            a.iter()
                .map(|v| from_json(v, span))
                .collect::<Option<Vec<_>>>()?,
        ),
        J::Object(o) => Value::Table(Table {
            entries: o
                .iter()
                .map(|(k, v)| {
                    Some(Entry {
                        key: k.clone(),
                        key_span: span,
                        value: from_json(v, span)?,
                    })
                })
                .collect::<Option<Vec<_>>>()?,
        }),
    };
    Some(Node { span, value })
}

fn insert(table: &mut Table, path: &[String], key_span: Span, value: Node) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        table.set(first, key_span, value);
        return;
    }
    let is_table = matches!(
        table.get(first).map(|e| &e.value.value),
        Some(Value::Table(_))
    );
    if !is_table {
        let empty = Node {
            span: value.span,
            value: Value::Table(Table::default()),
        };
        table.set(first, key_span, empty);
    }
    if let Some(Entry {
        value: Node {
            value: Value::Table(inner),
            ..
        },
        ..
    }) = table.entries.iter_mut().find(|e| e.key == *first)
    {
        insert(inner, rest, key_span, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_paths_follow_mdbooks_rule_and_leave_mdbooks_keys_alone() {
        let p = |n: &str| override_path(n).map(|p| p.join("."));
        assert_eq!(
            p("MDBOOK_PREPROCESSOR__TECHFILE__BUNDLE__PDF").as_deref(),
            Some("preprocessor.techfile.bundle.pdf")
        );
        assert_eq!(
            p("MDBOOK_PREPROCESSOR__TECHFILE__MAX_FILE_SIZE").as_deref(),
            Some("preprocessor.techfile.max-file-size")
        );
        assert_eq!(
            p("MDBOOK_PREPROCESSOR__TECHFILE").as_deref(),
            Some("preprocessor.techfile")
        );
        assert_eq!(p("MDBOOK_PREPROCESSOR").as_deref(), Some("preprocessor"));
        for other in [
            "MDBOOK_PREPROCESSOR__TECHFILE__COMMAND",
            "MDBOOK_PREPROCESSOR__TECHFILE__BEFORE",
            "MDBOOK_PREPROCESSOR__LINKS__BEFORE",
            "MDBOOK_OUTPUT__HTML__LIVE_RELOAD_ENDPOINT",
            "MDBOOK_BOOK__TITLE",
            "PREPROCESSOR__TECHFILE__ITEMS",
        ] {
            assert_eq!(p(other), None, "{other}");
        }
    }

    #[test]
    fn overrides_replace_values_and_create_tables_as_mdbook_does() {
        let text = "[preprocessor.techfile]\nitems = [\"a\"]\nrisk = 3\n";
        let mut map = SourceMap::new();
        let file = map.add("book.toml", text);
        let mut root = from_document(file, DeTable::parse(text).unwrap().get_ref());
        let env = |name: &str, value: &str| EnvOverride {
            name: name.into(),
            value: value.into(),
        };
        let diags = apply_overrides(
            &mut map,
            &mut root,
            &[
                env("MDBOOK_PREPROCESSOR__TECHFILE__ITEMS", "[\"b\", \"c\"]"),
                env("MDBOOK_PREPROCESSOR__TECHFILE__RISK__SEVERITY", "low"),
                env("MDBOOK_PREPROCESSOR__TECHFILE__BUNDLE__PDF", "false"),
                env("MDBOOK_PREPROCESSOR__TECHFILE__PAGES_TITLE", "null"),
            ],
        );
        assert_eq!(diags.len(), 1, "{diags:?}");
        let env_file = map.get(diags[0].primary.as_ref().unwrap().span.file);
        assert_eq!(env_file.name, ENVIRONMENT);
        let Value::Table(pre) = &root.get("preprocessor").unwrap().value.value else {
            panic!()
        };
        let Value::Table(t) = &pre.get("techfile").unwrap().value.value else {
            panic!()
        };
        let items = t.get("items").unwrap();
        assert!(matches!(&items.value.value, Value::Array(a) if a.len() == 2));
        // The value points at the variable's value in the environment file.
        let span = items.value.span;
        assert_eq!(&map.text(span.file)[span.range()], "[\"b\", \"c\"]");
        // `risk = 3` was no table; the override made it one, as mdBook does.
        let Value::Table(risk) = &t.get("risk").unwrap().value.value else {
            panic!()
        };
        assert!(
            matches!(&risk.get("severity").unwrap().value.value, Value::String(s) if s == "low")
        );
        let Value::Table(bundle) = &t.get("bundle").unwrap().value.value else {
            panic!()
        };
        assert!(matches!(
            bundle.get("pdf").unwrap().value.value,
            Value::Boolean(false)
        ));
    }
}
