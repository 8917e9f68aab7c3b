//! Recording evidence hashes in an item file (`mdbook-techfile evidence --update`): only
//! the `sha256` values of `evidence` entries change, every other byte stays as it was. A
//! value is replaced where it is written; an entry without one gets it after its `path`.
//! The new text is parsed again and must give the same item with the new hashes, or
//! nothing is written.

use crate::load::frontmatter::{self, FrontMatter};
use crate::load::parse_item;
use crate::model::FileId;
use toml::de::{DeTable, DeValue};

/// The file text with the `sha256` of each evidence entry whose path is a key of `hashes`
/// set to its value. Entries of other paths are left as they are.
///
/// # Errors
/// When the file has no readable front-matter or item, or the rewritten text would not
/// read back as the same item with exactly these hashes.
pub fn rewrite_hashes(
    text: &str,
    hashes: &std::collections::BTreeMap<String, String>,
) -> Result<String, String> {
    let FrontMatter::Present(split) = frontmatter::split(text) else {
        return Err("the file has no closed `+++` front-matter".into());
    };
    let base = split.toml.start;
    let toml = &text[split.toml.clone()];
    let table = DeTable::parse(toml)
        .map_err(|e| format!("the front-matter is not valid TOML: {}", e.message()))?
        .into_inner();
    let newline = if text[..base].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let Some((_, value)) = table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == "evidence")
    else {
        return Err("the item has no `evidence`".into());
    };
    let DeValue::Array(entries) = value.get_ref() else {
        return Err("`evidence` is not an array of tables".into());
    };
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for entry in entries.iter() {
        let DeValue::Table(t) = entry.get_ref() else {
            continue;
        };
        let field = |name: &str| {
            t.iter()
                .find(|(k, _)| k.get_ref().as_ref() == name)
                .map(|(_, v)| v)
        };
        let Some(path) = field("path") else { continue };
        let DeValue::String(p) = path.get_ref() else {
            continue;
        };
        let Some(hash) = hashes.get(p.as_ref()) else {
            continue;
        };
        let quoted = format!("\"{hash}\"");
        match field("sha256") {
            Some(v) => edits.push((v.span(), quoted)),
            None => {
                let end = path.span().end;
                let inline = toml[entry.span()].starts_with('{');
                if inline {
                    edits.push((end..end, format!(", sha256 = {quoted}")));
                } else {
                    let line_end = toml[end..].find('\n').map_or(toml.len(), |i| end + i);
                    let line_end = if toml[..line_end].ends_with('\r') {
                        line_end - 1
                    } else {
                        line_end
                    };
                    edits.push((line_end..line_end, format!("{newline}sha256 = {quoted}")));
                }
            }
        }
    }
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out_toml = toml.to_string();
    for (range, new) in edits {
        out_toml.replace_range(range, &new);
    }
    let new = format!("{}{}{}", &text[..base], out_toml, &text[split.toml.end..]);
    verify(text, &new, hashes)?;
    Ok(new)
}

/// The new text must read back as the old item, the hashes of the named paths aside.
fn verify(
    old: &str,
    new: &str,
    hashes: &std::collections::BTreeMap<String, String>,
) -> Result<(), String> {
    let (Some(a), _) = parse_item(FileId(0), old) else {
        return Err("the item does not parse; fix the findings `check` reports first".into());
    };
    let (Some(b), diags) = parse_item(FileId(0), new) else {
        return Err("the rewritten file would not parse; nothing was written".into());
    };
    if let Some(d) = diags.first() {
        return Err(format!(
            "the rewritten file would have a finding ({}); nothing was written",
            d.message
        ));
    }
    let strip = |fields: &std::collections::BTreeMap<String, serde_json::Value>| {
        let mut f = fields.clone();
        f.remove("evidence");
        f
    };
    let paths = |i: &crate::model::Item| -> Vec<String> {
        i.evidence.iter().map(|e| e.path.value.clone()).collect()
    };
    let hashes_ok = b.evidence.iter().all(|e| match hashes.get(&e.path.value) {
        Some(h) => e.sha256.as_ref().is_some_and(|s| &s.value == h),
        None => true,
    });
    if strip(&a.fields) != strip(&b.fields)
        || a.body != b.body
        || paths(&a) != paths(&b)
        || !hashes_ok
    {
        return Err("`evidence` is written in a form this tool cannot rewrite safely; write each entry as `{ path = \"...\", sha256 = \"...\" }`".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const TEST: &str = "+++\nid = \"TST-1\"   # stays\nkind = \"test\"\ntitle = \"T\"\nverifies = [\"CTL-1\"]\nevidence = [\n  { path = \"a.xml\", sha256 = \"00\" },   # old\n  { path = \"b.md\" },\n  { path = \"c.pdf\", sha256 = \"ff\" },\n]\n+++\nBody\n";

    fn hex(c: char) -> String {
        c.to_string().repeat(64)
    }

    #[test]
    fn replaces_and_inserts_hashes_and_keeps_every_other_byte() {
        // The old values are not SHA-256s: the item still parses (with findings), and the
        // update mends the two it is asked for.
        let hashes = BTreeMap::from([
            ("a.xml".to_string(), hex('a')),
            ("b.md".to_string(), hex('b')),
        ]);
        let err = rewrite_hashes(TEST, &hashes).unwrap_err();
        assert!(err.contains("finding"), "{err}");
        let text = TEST.replace("\"ff\"", &format!("\"{}\"", hex('c')));
        let out = rewrite_hashes(&text, &hashes).unwrap();
        assert_eq!(
            out,
            text.replace("sha256 = \"00\"", &format!("sha256 = \"{}\"", hex('a')))
                .replace(
                    "\"b.md\" }",
                    &format!("\"b.md\", sha256 = \"{}\" }}", hex('b'))
                )
        );
        // A fixed point.
        assert_eq!(rewrite_hashes(&out, &hashes).unwrap(), out);
    }

    #[test]
    fn array_of_tables_and_crlf() {
        let text = "+++\r\nid = \"TST-1\"\r\nkind = \"test\"\r\ntitle = \"T\"\r\n\r\n[[evidence]]\r\npath = \"a.xml\"\r\n+++\r\n";
        let out = rewrite_hashes(text, &BTreeMap::from([("a.xml".to_string(), hex('d'))])).unwrap();
        assert_eq!(
            out,
            text.replace(
                "path = \"a.xml\"\r\n",
                &format!("path = \"a.xml\"\r\nsha256 = \"{}\"\r\n", hex('d'))
            )
        );
        assert!(
            rewrite_hashes(
                "+++\nid = \"A\"\nkind = \"test\"\ntitle = \"t\"\n+++\n",
                &BTreeMap::new()
            )
            .is_err()
        );
    }
}
