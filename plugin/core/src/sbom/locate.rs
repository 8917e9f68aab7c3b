//! Byte positions of values inside JSON text.
//!
//! serde_json's `Value` forgets where things were written, and the schema validator reports
//! a JSON pointer. To point a finding at the offending value (file:line:column), this small
//! scanner walks the original text again. It only skips over values, never builds them, so
//! following a pointer costs one pass over the bytes before the target. The text has
//! already been parsed successfully when these functions run; on anything unexpected they
//! return `None` and the caller falls back to the start of the file.

use std::ops::Range;

/// Where each value starts and ends, found by skipping. `pos` is always a byte offset.
struct Scanner<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn at(b: &'a [u8], pos: usize) -> Scanner<'a> {
        Scanner { b, pos }
    }

    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.pos) {
            if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek()? == c).then(|| self.pos += 1)
    }

    /// Skips a string starting at `pos` (on its opening quote); returns its range with quotes.
    fn string(&mut self) -> Option<Range<usize>> {
        let start = self.pos;
        if self.peek()? != b'"' {
            return None;
        }
        self.pos += 1;
        loop {
            match self.peek()? {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return Some(start..self.pos);
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Skips one value of any kind; returns its range.
    fn value(&mut self) -> Option<Range<usize>> {
        self.ws();
        let start = self.pos;
        match self.peek()? {
            b'"' => return self.string(),
            b'{' | b'[' => {
                // Depth counting is enough because strings (which may hold brackets) are
                // skipped as a whole.
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                return Some(start..self.pos);
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
            _ => {
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    self.pos += 1;
                }
            }
        }
        (self.pos > start).then_some(start..self.pos)
    }
}

/// The decoded text of a JSON string literal (with its quotes).
fn decode(raw: &str) -> Option<String> {
    if !raw.contains('\\') {
        return raw.get(1..raw.len().checked_sub(1)?).map(str::to_owned);
    }
    serde_json::from_str(raw).ok()
}

/// The members of the object at `object`: (key, key range, value range), in written order.
#[cfg(test)]
pub(crate) fn members(
    text: &str,
    object: &Range<usize>,
) -> Vec<(String, Range<usize>, Range<usize>)> {
    let mut out = Vec::new();
    let mut s = Scanner::at(text.as_bytes(), object.start);
    if s.eat(b'{').is_none() {
        return out;
    }
    loop {
        s.ws();
        match s.peek() {
            Some(b'"') => {}
            _ => return out,
        }
        let Some(key_range) = s.string() else {
            return out;
        };
        let Some(key) = text.get(key_range.clone()).and_then(decode) else {
            return out;
        };
        if s.eat(b':').is_none() {
            return out;
        }
        let Some(value) = s.value() else {
            return out;
        };
        out.push((key, key_range, value));
        if s.eat(b',').is_none() {
            return out;
        }
    }
}

/// The value of member `key` in the object at `object`.
pub(crate) fn member(text: &str, object: &Range<usize>, key: &str) -> Option<Range<usize>> {
    let mut s = Scanner::at(text.as_bytes(), object.start);
    s.eat(b'{')?;
    let mut found = None;
    loop {
        s.ws();
        if s.peek()? != b'"' {
            return found;
        }
        let key_range = s.string()?;
        s.eat(b':')?;
        let value = s.value()?;
        // With duplicate keys serde_json keeps the last one, so the locator does too.
        if text.get(key_range).and_then(decode).as_deref() == Some(key) {
            found = Some(value);
        }
        if s.eat(b',').is_none() {
            return found;
        }
    }
}

/// The ranges of the elements of the array at `array`, in order.
pub(crate) fn elements(text: &str, array: &Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut s = Scanner::at(text.as_bytes(), array.start);
    if s.eat(b'[').is_none() {
        return out;
    }
    s.ws();
    if s.peek() == Some(b']') {
        return out;
    }
    while let Some(v) = s.value() {
        out.push(v);
        if s.eat(b',').is_none() {
            break;
        }
    }
    out
}

/// The range of the document's top-level value.
pub(crate) fn root(text: &str) -> Option<Range<usize>> {
    let mut s = Scanner::at(text.as_bytes(), 0);
    // A UTF-8 byte order mark is not JSON whitespace, but editors on Windows write one.
    if text.starts_with('\u{feff}') {
        s.pos = 3;
    }
    s.value()
}

/// Follows an RFC 6901 JSON pointer (`/components/3/hashes/0/content`) to the value it
/// names. Returns the deepest value reached, so a pointer into something that does not
/// exist (a missing required key) still lands on its parent.
pub(crate) fn pointer(text: &str, pointer: &str) -> Option<Range<usize>> {
    let mut here = root(text)?;
    if pointer.is_empty() {
        return Some(here);
    }
    for raw in pointer.strip_prefix('/')?.split('/') {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        let next = match text.as_bytes().get(here.start)? {
            b'{' => member(text, &here, &segment),
            b'[' => segment
                .parse::<usize>()
                .ok()
                .and_then(|i| nth_element(text, &here, i)),
            _ => None,
        };
        match next {
            Some(r) => here = r,
            None => break,
        }
    }
    Some(here)
}

/// The `n`th element of an array, stopping as soon as it is found.
fn nth_element(text: &str, array: &Range<usize>, n: usize) -> Option<Range<usize>> {
    let mut s = Scanner::at(text.as_bytes(), array.start);
    s.eat(b'[')?;
    for i in 0.. {
        let v = s.value()?;
        if i == n {
            return Some(v);
        }
        s.eat(b',')?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{
  "bomFormat": "CycloneDX",
  "a\"b": {"x": "}]"},
  "components": [
    {"name": "one", "version": "1"},
    {"name": "two", "hashes": [{"alg": "SHA-256"}]}
  ],
  "dup": 1, "dup": 22
}"#;

    fn at<'a>(r: Option<Range<usize>>) -> &'a str {
        &DOC[r.expect("found")]
    }

    #[test]
    fn pointers_reach_nested_values() {
        assert_eq!(at(pointer(DOC, "/bomFormat")), "\"CycloneDX\"");
        assert_eq!(at(pointer(DOC, "/components/1/name")), "\"two\"");
        assert_eq!(
            at(pointer(DOC, "/components/1/hashes/0/alg")),
            "\"SHA-256\""
        );
        assert_eq!(at(pointer(DOC, "/a\"b/x")), "\"}]\"");
        assert_eq!(at(pointer(DOC, "/dup")), "22");
    }

    #[test]
    fn missing_targets_land_on_the_deepest_parent() {
        assert_eq!(
            at(pointer(DOC, "/components/0/purl")),
            "{\"name\": \"one\", \"version\": \"1\"}"
        );
        assert_eq!(&DOC[pointer(DOC, "").unwrap()], DOC);
        assert!(pointer(DOC, "/components/9").is_some());
    }

    #[test]
    fn elements_and_members_enumerate_in_order() {
        let comps = pointer(DOC, "/components").unwrap();
        let els = elements(DOC, &comps);
        assert_eq!(els.len(), 2);
        let keys: Vec<String> = members(DOC, &els[1]).into_iter().map(|m| m.0).collect();
        assert_eq!(keys, ["name", "hashes"]);
        assert!(elements(DOC, &pointer(DOC, "/bomFormat").unwrap()).is_empty());
        assert!(elements("[]", &(0..2)).is_empty());
    }

    #[test]
    fn broken_text_never_panics() {
        for text in [
            "",
            "{",
            "{\"a\": [1, 2",
            "[\"unterminated",
            "{\"a\" 1}",
            "\u{feff}{}",
        ] {
            let _ = pointer(text, "/a/0/b");
            if let Some(r) = root(text) {
                let _ = members(text, &r);
                let _ = elements(text, &r);
            }
        }
    }
}
