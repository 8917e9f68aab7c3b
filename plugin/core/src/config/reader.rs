//! Typed reading of configuration values, each failure a finding at the value: the same
//! rules and wording as the item loader (`load/`), under the `config-...` codes.

use super::tree::{Entry, Node, Table, Value};
use crate::diag::{Code, Diagnostic};
use crate::model::Span;

/// Collects the findings of one reading of `[preprocessor.techfile]`.
#[derive(Default)]
pub(crate) struct Reader {
    pub(crate) diags: Vec<Diagnostic>,
}

/// `[preprocessor.techfile]`, or `[preprocessor.techfile.<path>]` for a sub-table.
pub(crate) fn table_name(path: &str) -> String {
    if path.is_empty() {
        "[preprocessor.techfile]".into()
    } else {
        format!("[preprocessor.techfile.{path}]")
    }
}

/// A key's path under `[preprocessor.techfile]`, as messages name it (`risk.matrix`).
pub(crate) fn key_path(table: &str, key: &str) -> String {
    if table.is_empty() {
        key.to_owned()
    } else {
        format!("{table}.{key}")
    }
}

impl Reader {
    /// A key of the table at `table` (a path such as `risk`) that is not in `known`.
    pub(crate) fn unknown_key(&mut self, e: &Entry, table: &str, known: &[&str]) {
        let help = match crate::suggest::closest(&e.key, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "the keys of {} are: {}",
                table_name(table),
                known.join(", ")
            ),
        };
        self.diags.push(
            Diagnostic::new(
                Code::ConfigUnknownKey,
                format!("unknown key `{}` in {}", e.key, table_name(table)),
            )
            .at(e.key_span, "not a known key")
            .help(help),
        );
    }

    pub(crate) fn invalid(
        &mut self,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags.push(
            Diagnostic::new(Code::ConfigInvalidValue, message)
                .at(span, "invalid value")
                .help(help),
        );
    }

    pub(crate) fn missing(
        &mut self,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags.push(
            Diagnostic::new(Code::ConfigMissingKey, message)
                .at(span, "required here")
                .help(help),
        );
    }

    /// `node` (at `path`) is not `expected`; `example` is how it is written, as TOML.
    pub(crate) fn wrong_type(&mut self, path: &str, node: &Node, expected: &str, example: &str) {
        self.diags.push(
            Diagnostic::new(
                Code::ConfigWrongType,
                format!(
                    "`{path}` must be {expected}, found {}",
                    node.value.type_name()
                ),
            )
            .at(node.span, format!("expected {expected}"))
            .help(format!("write it as `{example}`")),
        );
    }

    pub(crate) fn string(&mut self, node: &Node, path: &str, example: &str) -> Option<String> {
        match &node.value {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.wrong_type(path, node, "a string", example);
                None
            }
        }
    }

    /// A string with something in it besides spaces.
    pub(crate) fn text(
        &mut self,
        node: &Node,
        path: &str,
        example: &str,
        what: &str,
    ) -> Option<String> {
        let s = self.string(node, path, example)?;
        if s.trim().is_empty() {
            self.invalid(
                node.span,
                format!("`{path}` is empty"),
                format!("write {what}"),
            );
            return None;
        }
        Some(s)
    }

    pub(crate) fn boolean(&mut self, node: &Node, path: &str, example: &str) -> Option<bool> {
        match node.value {
            Value::Boolean(b) => Some(b),
            _ => {
                self.wrong_type(path, node, "a boolean", example);
                None
            }
        }
    }

    /// A whole number of at least `min`.
    pub(crate) fn count(
        &mut self,
        node: &Node,
        path: &str,
        example: &str,
        min: u64,
    ) -> Option<u64> {
        match node.value {
            Value::Integer(Some(n)) if n >= 0 && n as u64 >= min => Some(n as u64),
            Value::Integer(None) => {
                self.invalid(
                    node.span,
                    format!("`{path}` is larger than a 64-bit number"),
                    format!("write a smaller whole number, such as `{example}`"),
                );
                None
            }
            Value::Integer(Some(_)) => {
                self.invalid(
                    node.span,
                    format!("`{path}` must be at least {min}"),
                    format!("write a whole number from {min}, such as `{example}`"),
                );
                None
            }
            _ => {
                self.wrong_type(path, node, "a whole number", example);
                None
            }
        }
    }

    pub(crate) fn table<'t>(
        &mut self,
        node: &'t Node,
        path: &str,
        example: &str,
    ) -> Option<&'t Table> {
        match &node.value {
            Value::Table(t) => Some(t),
            _ => {
                self.wrong_type(path, node, "a table", example);
                None
            }
        }
    }

    pub(crate) fn array<'t>(
        &mut self,
        node: &'t Node,
        path: &str,
        example: &str,
    ) -> Option<&'t [Node]> {
        match &node.value {
            Value::Array(a) => Some(a),
            _ => {
                self.wrong_type(path, node, "an array", example);
                None
            }
        }
    }

    /// An array of strings with their places; `None` when the value or any element has
    /// another type (each reported), so no rule counts a list that lost elements.
    pub(crate) fn strings(
        &mut self,
        node: &Node,
        path: &str,
        example: &str,
    ) -> Option<Vec<(String, Span)>> {
        let Value::Array(items) = &node.value else {
            self.wrong_type(path, node, "an array of strings", example);
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut whole = true;
        for item in items {
            match &item.value {
                Value::String(s) => out.push((s.clone(), item.span)),
                _ => {
                    self.wrong_type(path, item, "an array of strings", example);
                    whole = false;
                }
            }
        }
        whole.then_some(out)
    }

    /// A word of `words` (the value of `path`), with a suggestion for a typo.
    pub(crate) fn word<T: Copy>(
        &mut self,
        node: &Node,
        path: &str,
        what: &str,
        words: &[(&'static str, T)],
    ) -> Option<T> {
        let example = format!("\"{}\"", words[0].0);
        let w = self.string(node, path, &example)?;
        if let Some((_, v)) = words.iter().find(|(s, _)| *s == w) {
            return Some(*v);
        }
        let names = words.iter().map(|(s, _)| *s);
        let help = match crate::suggest::closest(&w, names.clone()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "use {}",
                names
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.invalid(node.span, format!("unknown {what} `{w}`"), help);
        None
    }
}
