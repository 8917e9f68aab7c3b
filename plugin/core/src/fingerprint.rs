//! Fingerprints of items: SHA-256 over a canonical encoding of an item's normative fields,
//! chosen per kind by a profile, written `sha256:v<profile version>:<64 hex digits>`.
//!
//! A downstream item records the fingerprint of each upstream item it was reviewed against
//! (`reviewed-against`); when the upstream's fingerprint changes, the link is suspect. So a
//! fingerprint must change with what an item *says* and with nothing else:
//!
//! - only the fields of the kind's profile count (status, owner, review dates and the stamps
//!   themselves never do; see `EXCLUDED`);
//! - the encoding is canonical JSON: an object with sorted keys
//!   `{"fields": {...}, "kind": "...", "profile": N}`, every profile field present (`null`
//!   when absent), strings JSON-escaped, so no two different items encode alike (plain
//!   concatenation would hash `("ab", "c")` and `("a", "bc")` the same);
//! - lists are compared as sets (sorted), so reordering `implements` is not a change;
//! - text is normalised by `normalize_text`, so line endings, trailing blanks, blank-line
//!   runs and reflowing a paragraph are not changes;
//! - the profile version is part of the hashed text and of the written form, so a changed
//!   profile is recognised as such instead of making every link suspect.

pub(crate) use crate::model::Fingerprint;
use crate::model::{Item, Kind, Relation};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Front-matter keys no profile may name: they describe the item's identity, life cycle or
/// reviews, not what it requires, so changing them must never make a link suspect.
pub(crate) const EXCLUDED: &[&str] = &[
    "id",
    "replaces",
    "kind",
    "status",
    "owner",
    "last-reviewed",
    "next-review",
    "reviewed-against",
];

/// The pseudo-field that stands for the Markdown body after the front-matter.
pub(crate) const BODY: &str = "body";

/// The built-in profiles (profile version 1), one row per kind. A kind without a row (a kind
/// added later) fingerprints its title, its body and its trace keys, see [`default_profile`].
///
/// The elements of the threat model count what they are and what they are connected to (an
/// interface's protocol, exposure and authentication; a flow's ends and interfaces; a
/// boundary's members), not their `not-applicable` reasons: those are the outcome of the
/// STRIDE analysis, which the coverage check judges, and no item is reviewed against them.
/// A risk counts the model elements it names as it counts its free-text `asset` and `vector`.
pub(crate) const PROFILES: &[(Kind, &[&str])] = &[
    (Kind::Requirement, &["title", BODY, "derives-from"]),
    (
        Kind::Risk,
        &[
            "asset",
            "assets",
            "elements",
            "interfaces",
            "data-flows",
            "threat",
            "vector",
            "exploitability",
            "cvss",
            "severity",
            "residual-exploitability",
            "residual-cvss",
            "residual-severity",
            "safety-impact",
            "safety-reference",
        ],
    ),
    (
        Kind::Control,
        &["title", BODY, "implements", "mitigates", "measure"],
    ),
    (Kind::Test, &["title", BODY, "verifies"]),
    (Kind::Procedure, &["title", BODY, "implements", "document"]),
    (
        Kind::Asset,
        &[
            "title",
            BODY,
            "asset-type",
            "confidentiality",
            "integrity",
            "availability",
        ],
    ),
    (Kind::Actor, &["title", BODY, "actor-type", "capability"]),
    (Kind::Process, &["title", BODY, "technology", "assets"]),
    (
        Kind::DataStore,
        &["title", BODY, "assets", "encryption", "retention"],
    ),
    (
        Kind::Interface,
        &[
            "title",
            BODY,
            "element",
            "peers",
            "interface-type",
            "protocol",
            "protocol-version",
            "port",
            "direction",
            "exposure",
            "authentication",
            "encryption",
            "purpose",
        ],
    ),
    (
        Kind::DataFlow,
        &["title", BODY, "from", "to", "interfaces", "assets"],
    ),
    (Kind::TrustBoundary, &["title", BODY, "contains"]),
];

/// The built-in field list of a kind.
pub(crate) fn default_profile(kind: Kind) -> Vec<String> {
    match PROFILES.iter().find(|(k, _)| *k == kind) {
        Some((_, fields)) => fields.iter().map(|f| f.to_string()).collect(),
        None => ["title", BODY]
            .into_iter()
            .map(str::to_string)
            .chain(
                Relation::ALL
                    .iter()
                    .filter(|r| r.is_declared_by(kind))
                    .map(|r| r.key().to_string()),
            )
            .collect(),
    }
}

/// The profiles in force: a version and the field list of every kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub(crate) version: u32,
    pub(crate) fields: BTreeMap<Kind, Vec<String>>,
}

impl Default for Profile {
    fn default() -> Profile {
        Profile {
            version: 1,
            fields: Kind::ALL.iter().map(|&k| (k, default_profile(k))).collect(),
        }
    }
}

impl Profile {
    /// The fields of one kind, sorted (the order of the canonical encoding).
    pub(crate) fn fields_of(&self, kind: Kind) -> Vec<String> {
        let mut f = self
            .fields
            .get(&kind)
            .cloned()
            .unwrap_or_else(|| default_profile(kind));
        f.sort();
        f.dedup();
        f
    }

    /// [`Profile::fields_of`] for every kind at once, for hashing many items.
    pub(crate) fn sorted_fields(&self) -> SortedFields {
        SortedFields(Kind::ALL.iter().map(|&k| self.fields_of(k)).collect())
    }
}

/// The sorted field list of every kind under one profile ([`Profile::sorted_fields`]).
#[derive(Clone, Debug)]
pub(crate) struct SortedFields(Vec<Vec<String>>);

impl SortedFields {
    /// The fields of one kind, sorted.
    pub(crate) fn of(&self, kind: Kind) -> &[String] {
        Kind::ALL
            .iter()
            .position(|&k| k == kind)
            .and_then(|n| self.0.get(n))
            .map_or(&[], Vec::as_slice)
    }
}

/// The value of one profile field of an item, normalised: what the fingerprint hashes, and
/// what `--explain-suspect` compares field by field.
pub(crate) fn field_value(item: &Item, field: &str) -> serde_json::Value {
    if field == BODY {
        return serde_json::Value::String(normalize_text(&item.body));
    }
    item.fields
        .get(field)
        .map_or(serde_json::Value::Null, canonical)
}

/// Strings normalised, lists sorted (they are sets), tables with sorted keys.
fn canonical(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(normalize_text(s)),
        Value::Array(a) => {
            let mut items: Vec<(String, Value)> = a
                .iter()
                .map(|x| {
                    let c = canonical(x);
                    (c.to_string(), c)
                })
                .collect();
            items.sort_by(|x, y| x.0.cmp(&y.0));
            Value::Array(items.into_iter().map(|(_, c)| c).collect())
        }
        Value::Object(o) => {
            // Built through a BTreeMap, so the keys are sorted whatever map type serde_json
            // is compiled with.
            let sorted: BTreeMap<&String, Value> =
                o.iter().map(|(k, x)| (k, canonical(x))).collect();
            Value::Object(sorted.into_iter().map(|(k, x)| (k.clone(), x)).collect())
        }
        other => other.clone(),
    }
}

/// The canonical text that is hashed: JSON with sorted keys and no spaces.
#[cfg(test)]
pub(crate) fn canonical_text(item: &Item, profile: &Profile) -> String {
    let bytes = canonical_bytes(item, profile.version, &profile.fields_of(item.kind));
    // serde_json writes UTF-8.
    String::from_utf8_lossy(&bytes).into_owned()
}

/// [`canonical_text`] with the kind's fields already sorted and deduplicated.
///
/// The text is `{"fields":{...},"kind":"...","profile":N}`, written directly: the keys
/// are the sorted fields, so it is what serializing a sorted map gives, without building
/// one per item. Keys and values go through serde_json, which escapes them; objects are
/// built in sorted key order (`canonical`), so they serialize sorted whether or not
/// serde_json keeps insertion order.
fn canonical_bytes(item: &Item, version: u32, fields: &[String]) -> Vec<u8> {
    let mut out = Vec::with_capacity(item.body.len() + 256);
    out.extend_from_slice(b"{\"fields\":{");
    for (n, f) in fields.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        // Serializing strings and JSON values into a `Vec` cannot fail.
        let _ = serde_json::to_writer(&mut out, f.as_str());
        out.push(b':');
        let _ = serde_json::to_writer(&mut out, &field_value(item, f));
    }
    out.extend_from_slice(b"},\"kind\":");
    let _ = serde_json::to_writer(&mut out, item.kind.as_str());
    out.extend_from_slice(format!(",\"profile\":{version}}}").as_bytes());
    out
}

/// The fingerprint of an item under `profile`.
pub fn of(item: &Item, profile: &Profile) -> Fingerprint {
    of_with(item, profile.version, &profile.fields_of(item.kind))
}

/// [`of`] with the kind's fields already sorted ([`Profile::sorted_fields`]), for hashing
/// every item of a book without sorting the same list for each.
pub(crate) fn of_with(item: &Item, version: u32, fields: &[String]) -> Fingerprint {
    let digest = Sha256::digest(canonical_bytes(item, version, fields));
    let mut hex = String::with_capacity(64);
    for b in digest.iter() {
        hex.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    Fingerprint { version, hex }
}

/// Normalises text so that only words and structure count:
///
/// 1. `\r\n` and `\r` become `\n`; trailing spaces and tabs of every line are removed.
/// 2. Fenced code blocks (a line starting, after at most three spaces, with three or more
///    backticks or tildes, up to the closing fence) are kept line by line as written:
///    whitespace is their content.
/// 3. Outside fences, blank lines separate blocks; runs of blank lines count as one, and
///    blank lines at the start and the end are dropped.
/// 4. A block whose first line is indented by four spaces (or a tab) is kept line by line
///    as written (an indented code block, or a paragraph nested in a list item).
/// 5. In any other block, a line that starts a Markdown element (after its indentation: a
///    list marker `-`, `*`, `+` or `1.`/`1)` followed by a space, `#`, `>`, `|`, `<`, or a
///    line of only `=`, `-`, `*`, `_`) starts a new line of the result, with its
///    indentation; every other line continues the line before it: "reflowing a paragraph"
///    is moving line breaks between words, and is not a change. Within a line, runs of
///    spaces and tabs after the indentation become one space.
///
/// So rewrapping a paragraph or a list item, changing line endings or adding blank lines
/// keeps the fingerprint; changing a word, a list's structure, a heading or a code block
/// does not. Unicode is compared as written (no normalisation form is applied).
pub(crate) fn normalize_text(text: &str) -> String {
    let text: std::borrow::Cow<'_, str> = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        text.into()
    };
    // Written straight into one string, block by block: this runs over the body of every
    // item of a book, and a list of blocks, each a list of lines of words, cost most of a
    // fingerprint.
    let mut out = Blocks::default();
    let mut current: Vec<&str> = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for line in text.split('\n').map(|l| l.trim_end_matches([' ', '\t'])) {
        if let Some((ch, len)) = fence {
            out.text.push('\n');
            out.text.push_str(line);
            if fence_of(line).is_some_and(|(c, l)| c == ch && l >= len)
                && line.trim_start().trim_start_matches(ch).trim().is_empty()
            {
                fence = None;
            }
            continue;
        }
        if let Some(f) = fence_of(line) {
            out.reflow(&current);
            current.clear();
            fence = Some(f);
            // A fenced block is kept line by line as written, from its opening line on.
            out.start();
            out.text.push_str(line);
            continue;
        }
        if line.is_empty() {
            out.reflow(&current);
            current.clear();
        } else {
            current.push(line);
        }
    }
    out.reflow(&current);
    out.text
}

/// The normalised text being written: blocks separated by one blank line.
#[derive(Default)]
struct Blocks {
    text: String,
    any: bool,
}

impl Blocks {
    /// Starts a block.
    fn start(&mut self) {
        if self.any {
            self.text.push_str("\n\n");
        }
        self.any = true;
    }

    /// Appends one block outside a fence, reflowed as [`normalize_text`] describes;
    /// nothing for no lines.
    fn reflow(&mut self, lines: &[&str]) {
        let Some(first) = lines.first() else {
            return;
        };
        self.start();
        let first = indentation(first);
        if first.starts_with('\t') || first.len() >= 4 {
            for (n, line) in lines.iter().enumerate() {
                if n > 0 {
                    self.text.push('\n');
                }
                self.text.push_str(line);
            }
            return;
        }
        for (n, line) in lines.iter().enumerate() {
            if n == 0 || starts_element(line.trim_start()) {
                if n > 0 {
                    self.text.push('\n');
                }
                self.text.push_str(indentation(line));
            } else {
                self.text.push(' ');
            }
            let mut words = line.split([' ', '\t']).filter(|w| !w.is_empty());
            if let Some(w) = words.next() {
                self.text.push_str(w);
            }
            for w in words {
                self.text.push(' ');
                self.text.push_str(w);
            }
        }
    }
}

/// The fence character and length of a line that opens or closes a fenced code block.
fn fence_of(line: &str) -> Option<(char, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let ch = rest.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let len = rest.len() - rest.trim_start_matches(ch).len();
    (len >= 3).then_some((ch, len))
}

fn indentation(line: &str) -> &str {
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Whether a line (without its indentation) starts a Markdown element of its own.
fn starts_element(line: &str) -> bool {
    let b = line.as_bytes();
    let marker_then_space = |n: usize| b.len() == n || matches!(b.get(n), Some(b' ' | b'\t'));
    if matches!(b.first(), Some(b'-' | b'*' | b'+')) && marker_then_space(1) {
        return true;
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if (1..=9).contains(&digits)
        && matches!(b.get(digits), Some(b'.' | b')'))
        && marker_then_space(digits + 1)
    {
        return true;
    }
    if matches!(b.first(), Some(b'#' | b'>' | b'|' | b'<')) {
        return true;
    }
    // Setext underlines and thematic breaks.
    !line.is_empty()
        && line
            .bytes()
            .all(|c| matches!(c, b'=' | b'-' | b'*' | b'_' | b' ' | b'\t'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_item;
    use crate::model::{FileId, Item};

    fn item(text: &str) -> Item {
        let (item, d) = parse_item(FileId(0), text);
        assert!(d.is_empty(), "{d:?}");
        item.unwrap()
    }

    fn fp(text: &str) -> String {
        of(&item(text), &Profile::default()).to_string()
    }

    /// The normalisation as first written (a list of blocks, each reflowed on its own):
    /// the oracle for the single-pass [`normalize_text`], whose output every stamp users
    /// hold depends on.
    fn normalize_as_first_written(text: &str) -> String {
        fn reflow(lines: &[&str]) -> String {
            let first = indentation(lines[0]);
            if first.starts_with('\t') || first.len() >= 4 {
                return lines.join("\n");
            }
            let mut out: Vec<String> = Vec::new();
            for line in lines {
                let indent = indentation(line);
                let words: Vec<&str> = line.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
                let joined = words.join(" ");
                match out.last_mut() {
                    Some(last) if !starts_element(line.trim_start()) => {
                        last.push(' ');
                        last.push_str(&joined);
                    }
                    _ => out.push(format!("{indent}{joined}")),
                }
            }
            out.join("\n")
        }
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let mut blocks: Vec<String> = Vec::new();
        let mut current: Vec<&str> = Vec::new();
        let mut fence: Option<(char, usize)> = None;
        let mut fenced: Vec<&str> = Vec::new();
        for line in text.split('\n').map(|l| l.trim_end_matches([' ', '\t'])) {
            if let Some((ch, len)) = fence {
                fenced.push(line);
                if fence_of(line).is_some_and(|(c, l)| c == ch && l >= len)
                    && line.trim_start().trim_start_matches(ch).trim().is_empty()
                {
                    blocks.push(fenced.join("\n"));
                    fenced.clear();
                    fence = None;
                }
                continue;
            }
            if let Some(f) = fence_of(line) {
                if !current.is_empty() {
                    blocks.push(reflow(&current));
                    current.clear();
                }
                fence = Some(f);
                fenced.push(line);
                continue;
            }
            if line.is_empty() {
                if !current.is_empty() {
                    blocks.push(reflow(&current));
                    current.clear();
                }
            } else {
                current.push(line);
            }
        }
        if !current.is_empty() {
            blocks.push(reflow(&current));
        }
        if !fenced.is_empty() {
            blocks.push(fenced.join("\n"));
        }
        blocks.join("\n\n")
    }

    #[test]
    fn normalisation_is_the_same_as_first_written_on_mixed_markdown() {
        // Lines of every kind the rules tell apart, joined in many orders with the line
        // endings, blank runs and trailing blanks they must absorb.
        const PARTS: &[&str] = &[
            "plain words  here",
            "\tindented by a tab",
            "    four spaces",
            "  two spaces",
            "- item",
            "* star",
            "+ plus",
            "12. numbered",
            "3) paren",
            "1.no space",
            "# head",
            "> quote",
            "| a | b |",
            "<div>",
            "===",
            "---",
            "***",
            "_ _ _",
            "```",
            "```rust",
            "~~~",
            "````",
            "  ```",
            "    ```",
            "``` not closing",
            "~~~~ ",
            "",
            "",
            "   ",
            "\t",
            "word\tand\t\ttabs",
            "trailing  \t",
            "é ünïcode\u{a0}nbsp",
            "-",
            "1.",
            "x",
            "\r",
            "a\r\nb",
            "#",
            "<",
            "|",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..4000 {
            let n = (next() % 12) as usize;
            let mut text = String::new();
            for _ in 0..n {
                text.push_str(PARTS[(next() % PARTS.len() as u64) as usize]);
                text.push_str(["\n", "\r\n", "\n\n", "\r"][(next() % 4) as usize]);
            }
            assert_eq!(
                normalize_text(&text),
                normalize_as_first_written(&text),
                "{text:?}"
            );
        }
    }

    const REQ: &str = "+++\nid = \"REQ-1\"\nkind = \"requirement\"\ntitle = \"Two factors\"\nstatus = \"approved\"\nowner = \"Ann\"\nderives-from = [\"MDCG-SR\", \"MDR-17.4\"]\n+++\nThe portal shall require\na second factor.\n\n- at login\n- at re-authentication\n";

    #[test]
    fn the_written_form_round_trips_and_bad_forms_are_explained() {
        let f = fp(REQ);
        assert!(f.starts_with("sha256:v1:"), "{f}");
        assert_eq!(f.len(), "sha256:v1:".len() + 64);
        assert_eq!(Fingerprint::parse(&f).unwrap().to_string(), f);
        for bad in [
            "sha1:v1:00",
            "sha256:1:00",
            "sha256:v0:".to_string().as_str(),
            "sha256:vx:00",
            "sha256:v1:ABC",
            &format!("sha256:v1:{}", "A".repeat(64)),
            &format!("sha256:v1:{}", "a".repeat(63)),
            &format!("sha256:v+1:{}", "a".repeat(64)),
        ] {
            assert!(Fingerprint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_known_item_has_a_known_fingerprint() {
        // Pinned: a change here changes every stamp users hold, which must never happen
        // within a profile version.
        assert_eq!(
            canonical_text(&item(REQ), &Profile::default()),
            r#"{"fields":{"body":"The portal shall require a second factor.\n\n- at login\n- at re-authentication","derives-from":["MDCG-SR","MDR-17.4"],"title":"Two factors"},"kind":"requirement","profile":1}"#
        );
        assert_eq!(
            fp(REQ),
            "sha256:v1:".to_string()
                + &crate::digest::sha256_hex(
                    canonical_text(&item(REQ), &Profile::default()).as_bytes()
                )
        );
    }

    #[test]
    fn line_endings_trailing_blanks_blank_runs_and_reflowing_keep_the_fingerprint() {
        let base = fp(REQ);
        let crlf = REQ.replace('\n', "\r\n");
        assert_eq!(fp(&crlf), base, "CRLF");
        assert_eq!(normalize_text("a\rb\r\n\r\nc"), normalize_text("a\nb\n\nc"));
        assert_eq!(
            fp(&REQ.replace("require\na second", "require a\nsecond")),
            base,
            "reflowed"
        );
        assert_eq!(
            fp(&REQ.replace("require\na second", "require   \t a second")),
            base,
            "spaces"
        );
        assert_eq!(
            fp(&REQ.replace("factor.\n\n- at", "factor.   \n\n\n\n- at")),
            base,
            "blank run and trailing blanks"
        );
        assert_eq!(fp(&format!("{REQ}\n\n\n")), base, "trailing blank lines");
        // Reordering a list key is not a change, nor is anything outside the profile.
        assert_eq!(
            fp(&REQ.replace("[\"MDCG-SR\", \"MDR-17.4\"]", "[\"MDR-17.4\", \"MDCG-SR\"]")),
            base
        );
        for excluded in [
            ("status = \"approved\"", "status = \"draft\""),
            ("owner = \"Ann\"", "owner = \"Bob\""),
            (
                "owner = \"Ann\"",
                "owner = \"Ann\"\nlast-reviewed = 2026-01-01\nnext-review = 2027-01-01\ntags = [\"x\"]\nversion = \"2\"",
            ),
        ] {
            assert_eq!(
                fp(&REQ.replace(excluded.0, excluded.1)),
                base,
                "{excluded:?}"
            );
        }
    }

    #[test]
    fn every_profile_field_and_structure_changes_the_fingerprint() {
        let base = fp(REQ);
        for (from, to) in [
            ("Two factors", "Two  factors!"),
            ("a second factor", "a third factor"),
            ("\"MDR-17.4\"]", "\"MDR-17.2\"]"),
            (
                "- at re-authentication",
                "- at re-authentication\n- at logout",
            ),
            // A list item joined onto the line before is a structural change.
            ("\n- at re-authentication", " - at re-authentication"),
            ("The portal", "# The portal"),
        ] {
            assert_ne!(fp(&REQ.replace(from, to)), base, "{from} -> {to}");
        }
        // Each field of the control and risk profiles counts.
        let ctl = "+++\nid = \"CTL-1\"\nkind = \"control\"\ntitle = \"T\"\nimplements = [\"REQ-1\"]\nmitigates = [\"RSK-1\"]\nmeasure = \"design\"\n+++\nBody\n";
        let c = fp(ctl);
        for (from, to) in [
            ("title = \"T\"", "title = \"U\""),
            ("[\"REQ-1\"]", "[\"REQ-2\"]"),
            ("[\"RSK-1\"]", "[\"RSK-2\"]"),
            ("\"design\"", "\"protection\""),
            ("Body", "Body2"),
        ] {
            assert_ne!(fp(&ctl.replace(from, to)), c, "{from}");
        }
        let risk = "+++\nid = \"RSK-1\"\nkind = \"risk\"\ntitle = \"T\"\nasset = \"a\"\nthreat = \"t\"\nvector = \"v\"\nexploitability = \"remote\"\nseverity = \"minor\"\nresidual-exploitability = \"improbable\"\nresidual-severity = \"minor\"\nsafety-impact = false\n+++\n";
        let r = fp(risk);
        for (from, to) in [
            ("\"a\"", "\"b\""),
            ("\"t\"", "\"u\""),
            ("\"v\"", "\"w\""),
            ("\"remote\"", "\"frequent\""),
            (
                "severity = \"minor\"\nresidual",
                "severity = \"serious\"\nresidual",
            ),
            ("\"improbable\"", "\"remote\""),
            (
                "residual-severity = \"minor\"",
                "residual-severity = \"serious\"",
            ),
            ("false", "true\nsafety-reference = \"HAZ-1\""),
        ] {
            assert_ne!(fp(&risk.replace(from, to)), r, "{from}");
        }
        // The risk profile leaves out the title and body unless configured.
        assert_eq!(fp(&risk.replace("title = \"T\"", "title = \"X\"")), r);
        // The model elements a risk names count, as its free-text asset and vector do.
        let named = risk.replace(
            "asset = \"a\"\n",
            "asset = \"a\"\nassets = [\"AST-1\"]\nelements = [\"PRC-1\"]\ninterfaces = [\"IF-1\"]\ndata-flows = [\"DF-1\"]\n",
        );
        let n = fp(&named);
        assert_ne!(n, r);
        for (from, to) in [
            ("\"AST-1\"", "\"AST-2\""),
            ("\"PRC-1\"", "\"PRC-2\""),
            ("\"IF-1\"", "\"IF-2\""),
            ("\"DF-1\"", "\"DF-2\""),
        ] {
            assert_ne!(fp(&named.replace(from, to)), n, "{from}");
        }
    }

    #[test]
    fn threat_model_elements_fingerprint_what_they_are_and_connect_to() {
        /// Each kind with a complete item, the edits that must change its fingerprint and
        /// those that must not.
        type Case = (
            &'static str,
            &'static [(&'static str, &'static str)],
            &'static [(&'static str, &'static str)],
        );
        let na = &[
            (
                "+++\nBody",
                "not-applicable = { spoofing = \"Inside the device.\" }\n+++\nBody",
            ),
            ("status = \"draft\"", "status = \"approved\""),
        ][..];
        let cases: &[Case] = &[
            (
                "id = \"AST-1\"\nkind = \"asset\"\ntitle = \"ECG\"\nstatus = \"draft\"\nasset-type = \"data\"\nconfidentiality = \"high\"\nintegrity = \"high\"\navailability = \"medium\"\n",
                &[
                    ("\"ECG\"", "\"ECG data\""),
                    ("\"data\"", "\"function\""),
                    ("confidentiality = \"high\"", "confidentiality = \"low\""),
                    ("integrity = \"high\"", "integrity = \"low\""),
                    ("\"medium\"", "\"low\""),
                    ("Body", "Other"),
                ],
                &[("status = \"draft\"", "status = \"approved\"")],
            ),
            (
                "id = \"ACT-1\"\nkind = \"actor\"\ntitle = \"Patient\"\nstatus = \"draft\"\nactor-type = \"user\"\ncapability = \"none\"\n",
                &[
                    ("\"user\"", "\"attacker\""),
                    ("\"none\"", "\"radio kit\""),
                    ("Body", "Other"),
                ],
                na,
            ),
            (
                "id = \"PRC-1\"\nkind = \"process\"\ntitle = \"App\"\nstatus = \"draft\"\ntechnology = \"Kotlin\"\nassets = [\"AST-1\"]\n",
                &[
                    ("\"Kotlin\"", "\"Swift\""),
                    ("[\"AST-1\"]", "[\"AST-2\"]"),
                    ("\"App\"", "\"Phone app\""),
                ],
                na,
            ),
            (
                "id = \"DS-1\"\nkind = \"data-store\"\ntitle = \"DB\"\nstatus = \"draft\"\nassets = [\"AST-1\"]\nencryption = \"AES-256\"\nretention = \"10 years\"\n",
                &[
                    ("[\"AST-1\"]", "[\"AST-1\", \"AST-2\"]"),
                    ("\"AES-256\"", "\"none\""),
                    ("\"10 years\"", "\"1 year\""),
                ],
                na,
            ),
            (
                "id = \"IF-1\"\nkind = \"interface\"\ntitle = \"API\"\nstatus = \"draft\"\nelement = \"PRC-1\"\npeers = [\"ACT-1\"]\ninterface-type = \"network\"\nprotocol = \"HTTPS\"\nprotocol-version = \"TLS 1.3\"\nport = \"443/tcp\"\ndirection = \"inbound\"\nexposure = \"network\"\nauthentication = \"OIDC\"\nencryption = \"TLS\"\npurpose = \"Upload\"\n",
                &[
                    ("\"PRC-1\"", "\"PRC-2\""),
                    ("[\"ACT-1\"]", "[\"ACT-2\"]"),
                    ("\"network\"\nprotocol", "\"radio\"\nprotocol"),
                    ("\"HTTPS\"", "\"HTTP\""),
                    ("\"TLS 1.3\"", "\"TLS 1.2\""),
                    ("\"443/tcp\"", "\"80/tcp\""),
                    ("\"inbound\"", "\"both\""),
                    ("exposure = \"network\"", "exposure = \"adjacent\""),
                    ("\"OIDC\"", "\"none\""),
                    ("encryption = \"TLS\"", "encryption = \"none\""),
                    ("\"Upload\"", "\"Download\""),
                ],
                na,
            ),
            (
                "id = \"DF-1\"\nkind = \"data-flow\"\ntitle = \"Upload\"\nstatus = \"draft\"\nfrom = \"ACT-1\"\nto = \"PRC-1\"\ninterfaces = [\"IF-1\"]\nassets = [\"AST-1\"]\n",
                &[
                    ("\"ACT-1\"", "\"ACT-2\""),
                    ("\"PRC-1\"", "\"PRC-2\""),
                    ("[\"IF-1\"]", "[\"IF-2\"]"),
                    ("[\"AST-1\"]", "[]"),
                ],
                na,
            ),
            (
                "id = \"TB-1\"\nkind = \"trust-boundary\"\ntitle = \"Cloud\"\nstatus = \"draft\"\ncontains = [\"PRC-1\"]\n",
                &[
                    ("[\"PRC-1\"]", "[\"PRC-1\", \"DS-1\"]"),
                    ("\"Cloud\"", "\"Cloud VPC\""),
                ],
                &[
                    ("status = \"draft\"", "status = \"approved\""),
                    ("\"draft\"\n", "\"draft\"\nowner = \"Ann\"\n"),
                ],
            ),
        ];
        for (fields, changes, keeps) in cases {
            let text = format!("+++\n{fields}+++\nBody\n");
            let base = fp(&text);
            for (from, to) in *changes {
                assert!(text.contains(from), "{from}");
                assert_ne!(
                    fp(&text.replacen(from, to, 1)),
                    base,
                    "{fields}: {from} -> {to}"
                );
            }
            for (from, to) in *keeps {
                assert!(text.contains(from), "{from}");
                assert_eq!(
                    fp(&text.replacen(from, to, 1)),
                    base,
                    "{fields}: {from} -> {to}"
                );
            }
        }
        // Every field of the built-in profiles is a key of its kind (or the body).
        for (kind, fields) in PROFILES {
            for f in *fields {
                assert!(
                    *f == BODY || crate::load::is_key_of(f, *kind),
                    "{f} is not a key of {kind:?}"
                );
                assert!(!EXCLUDED.contains(f), "{f}");
            }
        }
        assert_eq!(
            PROFILES.len(),
            Kind::ALL.len(),
            "every kind has its own row"
        );
    }

    #[test]
    fn fences_keep_their_whitespace() {
        let text = "Text\n```\na  b\n\n\nc\n```\n";
        assert_eq!(normalize_text(text), "Text\n\n```\na  b\n\n\nc\n```");
        assert_ne!(
            normalize_text(text),
            normalize_text(&text.replace("a  b", "a b"))
        );
        assert_eq!(normalize_text("    x  y\n    z"), "    x  y\n    z");
        assert_eq!(normalize_text("Title\n====="), "Title\n=====");
        assert_eq!(normalize_text("1. a\n   b\n2) c"), "1. a b\n2) c");
    }

    #[test]
    fn the_profile_and_its_version_are_part_of_the_hash() {
        let i = item(REQ);
        let base = of(&i, &Profile::default());
        let p = Profile {
            version: 2,
            ..Profile::default()
        };
        let v2 = of(&i, &p);
        assert_eq!(v2.version, 2);
        assert_ne!(v2.hex, base.hex);
        let mut p = Profile::default();
        p.fields
            .insert(Kind::Requirement, vec!["title".into(), "body".into()]);
        assert_ne!(of(&i, &p), base);
    }
}
