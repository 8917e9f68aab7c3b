//! Writing stamps into an item file: only `reviewed-against` changes, every other byte of
//! the file stays as it was. The old entry (an inline table or a `[reviewed-against]`
//! table) is cut out and a fresh `[reviewed-against]` table is written at the end of the
//! front-matter, in the file's line-ending style; then the new text is parsed again and
//! must give the same item with the new stamps, or nothing is written.

use crate::load::frontmatter::{self, FrontMatter};
use crate::load::{REVIEWED_AGAINST, parse_item};
use crate::model::{FileId, Fingerprint};
use toml::de::DeTable;

/// The file text with `reviewed-against` set to `stamps` (upstream ID, fingerprint), in
/// the order given.
///
/// # Errors
/// When the file has no readable front-matter, when the item does not parse, or when the
/// rewritten text would not read back as the same item with exactly these stamps (for
/// example `reviewed-against` written as dotted keys).
pub fn rewrite_stamps(text: &str, stamps: &[(String, Fingerprint)]) -> Result<String, String> {
    let FrontMatter::Present(split) = frontmatter::split(text) else {
        return Err("the file has no closed `+++` front-matter".into());
    };
    let toml = &text[split.toml.clone()];
    let table = DeTable::parse(toml)
        .map_err(|e| format!("the front-matter is not valid TOML: {}", e.message()))?
        .into_inner();
    let newline = if text[..split.toml.start].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    // The byte range (within the TOML) of the old entry, whole lines.
    let old = table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == REVIEWED_AGAINST)
        .map(|(k, v)| {
            let value = v.span();
            let start = line_start(toml, k.span().start.min(value.start));
            let end = if toml[value.clone()].starts_with('[') {
                // A table runs to the next header or the end of the front-matter.
                next_header(toml, line_end(toml, value.end))
            } else {
                line_end(toml, value.end)
            };
            start..end
        });
    let mut out_toml = String::with_capacity(toml.len() + 100 * stamps.len());
    match &old {
        Some(r) => {
            out_toml.push_str(&toml[..r.start]);
            out_toml.push_str(&toml[r.end..]);
        }
        None => out_toml.push_str(toml),
    }
    if !stamps.is_empty() {
        if !out_toml.is_empty() && !out_toml.ends_with('\n') {
            out_toml.push_str(newline);
        }
        if !out_toml.is_empty() && !out_toml.ends_with(&format!("{newline}{newline}")) {
            out_toml.push_str(newline);
        }
        out_toml.push_str(&format!("[{REVIEWED_AGAINST}]{newline}"));
        for (id, fp) in stamps {
            // IDs are letters, digits, `-`, `.` and `_`, fingerprints plain ASCII: quoted
            // as they are, both are valid TOML.
            out_toml.push_str(&format!("\"{id}\" = \"{fp}\"{newline}"));
        }
    }
    let new = format!(
        "{}{}{}",
        &text[..split.toml.start],
        out_toml,
        &text[split.toml.end..]
    );
    verify(text, &new, stamps)?;
    Ok(new)
}

/// The new text must read back as the old item, with the new stamps.
fn verify(old: &str, new: &str, stamps: &[(String, Fingerprint)]) -> Result<(), String> {
    let (Some(a), _) = parse_item(FileId(0), old) else {
        return Err("the item does not parse; fix the findings `check` reports first".into());
    };
    let (b, diags) = parse_item(FileId(0), new);
    let Some(b) = b else {
        return Err(format!(
            "the rewritten file would not parse ({}); nothing was written",
            diags.first().map_or("", |d| d.message.as_str())
        ));
    };
    let got: Vec<(String, Fingerprint)> = b
        .reviewed_against
        .iter()
        .map(|s| (s.upstream.clone(), s.fingerprint.clone()))
        .collect();
    if a.fields != b.fields || a.body != b.body || got != stamps {
        return Err(format!(
            "`{REVIEWED_AGAINST}` is written in a form this tool cannot rewrite safely (dotted keys?); write it as a `[{REVIEWED_AGAINST}]` table at the end of the front-matter"
        ));
    }
    Ok(())
}

fn line_start(s: &str, at: usize) -> usize {
    s[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The byte offset after the line break that ends the line holding `at` (or the end).
fn line_end(s: &str, at: usize) -> usize {
    s[at..].find('\n').map_or(s.len(), |i| at + i + 1)
}

/// The start of the next line that opens a table (`[`), or the end.
fn next_header(s: &str, from: usize) -> usize {
    let mut at = from;
    while at < s.len() {
        if s[at..].trim_start_matches([' ', '\t']).starts_with('[') {
            return at;
        }
        at = line_end(s, at);
    }
    s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(c: char) -> Fingerprint {
        Fingerprint::parse(&format!("sha256:v1:{}", c.to_string().repeat(64))).unwrap()
    }

    const CTL: &str = "+++\n# A comment that stays\nid = \"CTL-1\"\nkind   = \"control\"   # aligned\ntitle = \"T\"\nimplements = [\"REQ-1\", \"IEC81001-5.7.4\"]\nmitigates = [\"RSK-1\"]\n+++\nBody with +++ and [brackets]\n";

    #[test]
    fn adds_a_table_and_keeps_every_other_byte() {
        let stamps = vec![
            ("REQ-1".to_string(), fp('a')),
            ("RSK-1".to_string(), fp('b')),
        ];
        let out = rewrite_stamps(CTL, &stamps).unwrap();
        let (head, tail) = CTL.split_at(CTL.find("+++\nBody").unwrap());
        assert!(out.starts_with(head), "{out}");
        assert!(out.ends_with(tail), "{out}");
        assert_eq!(
            &out[head.len()..out.len() - tail.len()],
            format!(
                "\n[reviewed-against]\n\"REQ-1\" = \"{}\"\n\"RSK-1\" = \"{}\"\n",
                fp('a'),
                fp('b')
            )
        );
        // Rewriting again replaces the table, and restamping with the same values is a
        // fixed point.
        let again = rewrite_stamps(&out, &stamps).unwrap();
        assert_eq!(again, out);
        let other = rewrite_stamps(&out, &[("REQ-1".to_string(), fp('c'))]).unwrap();
        assert!(other.contains(&fp('c').to_string()) && !other.contains(&fp('b').to_string()));
        assert!(other.starts_with(head) && other.ends_with(tail));
    }

    #[test]
    fn replaces_an_inline_table_and_keeps_crlf() {
        let text = CTL
            .replace(
                "mitigates = [\"RSK-1\"]\n",
                "reviewed-against = { \"REQ-1\" = \"x\" }\nmitigates = [\"RSK-1\"]\n",
            )
            .replace('\n', "\r\n");
        // The stamp above is not valid, but the item still parses: the rewrite mends it.
        let out = rewrite_stamps(&text, &[("REQ-1".to_string(), fp('d'))]).unwrap();
        assert_eq!(
            out,
            CTL.replace(
                "mitigates = [\"RSK-1\"]\n",
                &format!(
                    "mitigates = [\"RSK-1\"]\n\n[reviewed-against]\n\"REQ-1\" = \"{}\"\n",
                    fp('d')
                )
            )
            .replace('\n', "\r\n")
        );
        assert!(!out.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn refuses_what_it_cannot_rewrite_safely() {
        let dotted = CTL.replace("mitigates", "reviewed-against.\"REQ-1\" = \"x\"\ntags = []\nreviewed-against.\"RSK-1\" = \"y\"\nmitigates");
        let e = rewrite_stamps(&dotted, &[("REQ-1".to_string(), fp('a'))]).unwrap_err();
        assert!(e.contains("nothing was written"), "{e}");
        assert!(rewrite_stamps("no front-matter", &[]).is_err());
    }
}
