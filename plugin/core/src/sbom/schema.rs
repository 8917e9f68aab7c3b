//! Validation against the official CycloneDX JSON schemas, compiled into the binary.
//!
//! Every supported spec version is checked by the schema the CycloneDX project publishes for
//! it (see `plugin/schemas/README.md`), so "valid" means exactly what the specification says
//! and a new spec version is a new schema file, not new code. The schemas reference three
//! helper schemas by relative URL; they are registered under the URLs the BOM schemas
//! resolve them to, and the validator runs offline, so nothing is ever fetched.

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Registry, Resource, ValidationError, Validator};
use serde_json::Value;
use std::sync::OnceLock;

/// The spec versions this tool reads, oldest first.
pub(crate) const VERSIONS: [&str; 4] = ["1.4", "1.5", "1.6", "1.7"];

const BOM_SCHEMAS: [&str; 4] = [
    include_str!("../../schemas/bom-1.4.schema.json"),
    include_str!("../../schemas/bom-1.5.schema.json"),
    include_str!("../../schemas/bom-1.6.schema.json"),
    include_str!("../../schemas/bom-1.7.schema.json"),
];

/// Helper schemas, with the URL a BOM schema's relative `$ref` resolves to.
const HELPERS: [(&str, &str); 3] = [
    (
        "http://cyclonedx.org/schema/spdx.schema.json",
        include_str!("../../schemas/spdx.schema.json"),
    ),
    (
        "http://cyclonedx.org/schema/jsf-0.82.schema.json",
        include_str!("../../schemas/jsf-0.82.schema.json"),
    ),
    (
        "http://cyclonedx.org/schema/cryptography-defs.schema.json",
        include_str!("../../schemas/cryptography-defs.schema.json"),
    ),
];

/// At most this many schema errors are reported per file: the first ones locate the
/// problem, and a file with thousands of broken entries is fixed by regenerating it.
pub(crate) const MAX_ERRORS: usize = 20;

/// One schema violation: where (a JSON pointer) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    pub(crate) pointer: String,
    pub(crate) message: String,
}

/// The compiled validator of one spec version, built on first use: compiling a schema
/// takes a few milliseconds, and most books use one or two versions.
fn validator(index: usize) -> &'static Result<Validator, String> {
    static CELLS: [OnceLock<Result<Validator, String>>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    CELLS[index].get_or_init(|| build(document(index)?))
}

/// The parsed schema of one spec version (an index into [`VERSIONS`]), shared by the
/// validator and the reference map ([`super::refs`]).
///
/// # Errors
///
/// The vendored text is not JSON (which a unit test rules out).
pub(crate) fn document(index: usize) -> Result<&'static Value, String> {
    static CELLS: [OnceLock<Result<Value, String>>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    CELLS[index]
        .get_or_init(|| serde_json::from_str(BOM_SCHEMAS[index]).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

fn build(schema: &Value) -> Result<Validator, String> {
    let parse = |text: &str| serde_json::from_str::<Value>(text).map_err(|e| e.to_string());
    let mut helpers = Vec::with_capacity(HELPERS.len());
    for (url, text) in HELPERS {
        helpers.push((url, Resource::from_contents(parse(text)?)));
    }
    let registry = Registry::new()
        .extend(helpers)
        .and_then(|b| b.prepare())
        .map_err(|e| e.to_string())?;
    jsonschema::options()
        .offline()
        .with_registry(&registry)
        // Draft 7 treats `format` as an annotation unless asked; CycloneDX relies on it for
        // timestamps, e-mail addresses and IRIs.
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| e.to_string())
}

/// Index into [`VERSIONS`] of a `specVersion` string.
pub(crate) fn version_index(spec_version: &str) -> Option<usize> {
    VERSIONS.iter().position(|v| *v == spec_version)
}

/// Validates a document against the schema of its spec version (an index into
/// [`VERSIONS`]). Returns at most [`MAX_ERRORS`] violations and the total count.
pub(crate) fn validate(version: usize, doc: &Value) -> Result<(Vec<Violation>, usize), String> {
    let validator = validator(version).as_ref().map_err(Clone::clone)?;
    let mut out = Vec::new();
    let mut total = 0;
    for error in validator.iter_errors(doc) {
        total += 1;
        if out.len() < MAX_ERRORS {
            out.push(explain(&error));
        }
    }
    Ok((out, total))
}

/// The violation to show for an error. "Matches none of the allowed forms" (`anyOf`,
/// `oneOf`) names no field, so the explanation goes down into the alternatives and reports
/// the ones that got furthest into the value: an alternative that failed on the type is a
/// different form, one that failed deep inside is the form the author meant.
fn explain(error: &ValidationError<'_>) -> Violation {
    let context = match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context
        }
        _ => {
            return Violation {
                pointer: error.instance_path().to_string(),
                message: describe(error),
            };
        }
    };
    let depth = |e: &ValidationError<'_>| e.instance_path().as_str().matches('/').count();
    let deepest = context.iter().flatten().map(depth).max();
    let Some(deepest) = deepest else {
        return Violation {
            pointer: error.instance_path().to_string(),
            message: describe(error),
        };
    };
    let mut found: Vec<Violation> = Vec::new();
    for e in context.iter().flatten().filter(|e| depth(e) == deepest) {
        let v = explain(e);
        if !found.contains(&v) {
            found.push(v);
        }
    }
    let pointer = found[0].pointer.clone();
    if found.iter().all(|v| v.pointer == pointer) && found.len() <= 3 {
        let messages: Vec<String> = found.into_iter().map(|v| v.message).collect();
        Violation {
            pointer,
            message: messages.join("; or "),
        }
    } else {
        found.swap_remove(0)
    }
}

/// A short rendering of a value for messages: scalars as JSON (one over 60 characters cut to its first 40 and an ellipsis); anything
/// else by its kind, because an SBOM object can be megabytes long.
fn short(value: &Value) -> String {
    let text = match value {
        Value::Object(_) => return "the object".into(),
        Value::Array(_) => return "the array".into(),
        other => other.to_string(),
    };
    if text.chars().count() <= 60 {
        format!("`{text}`")
    } else {
        let cut: String = text.chars().take(40).collect();
        format!("`{cut}…`")
    }
}

/// The validator's message, without dumping large values or long enum lists.
fn describe(error: &ValidationError<'_>) -> String {
    let instance = short(error.instance());
    match error.kind() {
        ValidationErrorKind::Enum { options } => {
            let options: Vec<&str> = options
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if options.len() <= 10 {
                let list: Vec<String> = options.iter().map(|o| format!("`{o}`")).collect();
                format!("{instance} is not one of {}", list.join(", "))
            } else {
                let hint = error
                    .instance()
                    .as_str()
                    .and_then(|s| crate::suggest::closest(s, options.iter().copied()))
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                format!(
                    "{instance} is not one of the {} allowed values{hint}",
                    options.len()
                )
            }
        }
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            format!("{instance} matches none of the forms the schema allows here")
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            format!(
                "{instance} matches more than one of the forms the schema allows here, but must match exactly one"
            )
        }
        ValidationErrorKind::UniqueItems => format!("{instance} lists the same entry twice"),
        // CycloneDX uses `not: {required: [...]}` to forbid fields in some contexts (a
        // `versionRange` outside an external component, for instance).
        ValidationErrorKind::Not { schema } => {
            let forbidden: Vec<String> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(|k| format!("`{k}`"))
                        .collect()
                })
                .unwrap_or_default();
            match forbidden.as_slice() {
                [] => format!("{instance} has a form the schema forbids here"),
                [one] => format!("{one} is not allowed here"),
                many => format!("{} are not allowed together here", many.join(" and ")),
            }
        }
        _ => error.masked_with(instance).to_string(),
    }
}

/// A JSON pointer as a path a reader recognises: `/components/1/hashes/0` becomes
/// `components[1].hashes[0]`; the root is the empty string.
pub(crate) fn readable_path(pointer: &str) -> String {
    let mut out = String::new();
    for raw in pointer.split('/').skip(1) {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push('[');
            out.push_str(&seg);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_vendored_schema_compiles_offline() {
        for (i, v) in VERSIONS.iter().enumerate() {
            assert!(
                validator(i).is_ok(),
                "{v}: {:?}",
                validator(i).as_ref().err()
            );
        }
    }

    #[test]
    fn violations_name_the_field() {
        let doc = json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": [{"type": "library", "name": "a", "hashes": [{"alg": "SHA-256", "content": "zz"}]}]
        });
        let (v, total) = validate(2, &doc).unwrap();
        assert_eq!(total, 1, "{v:?}");
        assert_eq!(v[0].pointer, "/components/0/hashes/0/content");
        assert_eq!(
            readable_path(&v[0].pointer),
            "components[0].hashes[0].content"
        );
    }

    #[test]
    fn long_enums_are_summarised_with_a_suggestion() {
        let doc = json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": [{"type": "library", "name": "a", "licenses": [{"license": {"id": "Apache-2"}}]}]
        });
        let (v, _) = validate(2, &doc).unwrap();
        assert!(
            v.iter()
                .any(|v| v.message.contains("did you mean `Apache-2.0`?")),
            "{v:?}"
        );
        assert!(v.iter().all(|v| v.message.len() < 300), "{v:?}");
    }

    #[test]
    fn formats_are_checked() {
        let doc = json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "metadata": {"timestamp": "yesterday"}
        });
        let (v, _) = validate(1, &doc).unwrap();
        assert_eq!(v[0].pointer, "/metadata/timestamp");
    }
}
