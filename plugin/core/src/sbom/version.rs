//! The order of versions in SBOM tables.
//!
//! Two versions that are both Semantic Versioning 2.0 (parsed by the `semver` crate; a
//! leading `v` as in Git tags is allowed) are in semver precedence: `1.0.0-rc.1` before
//! `1.0.0`, `1.0.0-alpha.9` before `1.0.0-alpha.10`. Any other pair is in natural order:
//! runs of digits compare as numbers (`1.9` before `1.10`), letters as text, punctuation
//! separates. Comparing pair by pair with two different rules would not be a consistent
//! order (a sort may then panic or scramble rows), so every version is turned into one key
//! of tokens on which both rules agree:
//!
//! - semver: `major minor patch`, then `Release`, or `Pre` and the pre-release identifiers;
//! - other: its digit and letter runs;
//! - every key ends with `End`, and `End < Pre < Release < number < text`.
//!
//! So `1.2` < `1.2.0` < `1.2.0.1` < `1.2.0a` and `1.2.0-rc.1` < `1.2.0`. Keys that are equal
//! (`1.0.0+build.1` and `1.0.0+build.2`, or `1-0` and `1.0`) fall back to semver order
//! (build metadata), then to the text.

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    End,
    Pre,
    Release,
    /// A number as its digits without leading zeros: longer is larger, then by digits, so
    /// any length compares without overflow.
    Number {
        len: usize,
        digits: String,
    },
    Text(String),
}

fn number(digits: &str) -> Token {
    let digits = digits.trim_start_matches('0');
    Token::Number {
        len: digits.len(),
        digits: digits.to_owned(),
    }
}

/// The sort key of a version string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct VersionKey {
    tokens: Vec<Token>,
    semver: Option<semver::Version>,
    text: String,
}

impl Ord for VersionKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.tokens
            .cmp(&other.tokens)
            .then_with(|| self.semver.cmp(&other.semver))
            .then_with(|| self.text.cmp(&other.text))
    }
}

impl PartialOrd for VersionKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The version as semver, allowing the `v` of Git tags.
fn semver_of(text: &str) -> Option<semver::Version> {
    let bare = match text.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => text,
    };
    semver::Version::parse(bare).ok()
}

/// The sort key of `version`; compare keys to order versions.
pub(crate) fn key(version: &str) -> VersionKey {
    let semver = semver_of(version);
    let mut tokens = Vec::new();
    match &semver {
        Some(v) => {
            for part in [v.major, v.minor, v.patch] {
                tokens.push(number(&part.to_string()));
            }
            if v.pre.is_empty() {
                tokens.push(Token::Release);
            } else {
                tokens.push(Token::Pre);
                for id in v.pre.as_str().split('.') {
                    tokens.push(if id.bytes().all(|b| b.is_ascii_digit()) {
                        number(id)
                    } else {
                        Token::Text(id.to_owned())
                    });
                }
            }
        }
        None => {
            let mut rest = version;
            while let Some(c) = rest.chars().next() {
                let run = |f: fn(char) -> bool| rest.find(|c: char| !f(c)).unwrap_or(rest.len());
                if c.is_ascii_digit() {
                    let end = run(|c| c.is_ascii_digit());
                    tokens.push(number(&rest[..end]));
                    rest = &rest[end..];
                } else if c.is_alphabetic() {
                    let end = run(char::is_alphabetic);
                    tokens.push(Token::Text(rest[..end].to_owned()));
                    rest = &rest[end..];
                } else {
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
    }
    tokens.push(Token::End);
    VersionKey {
        tokens,
        semver,
        text: version.to_owned(),
    }
}

/// Compares two versions (see the module docs).
#[cfg(test)]
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    key(a).cmp(&key(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(list: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
        v.sort_by_cached_key(|s| key(s));
        v
    }

    #[test]
    fn numbers_compare_as_numbers() {
        assert_eq!(sorted(&["1.10", "1.9", "1.2"]), ["1.2", "1.9", "1.10"]);
        assert_eq!(
            sorted(&["2.0.10", "2.0.9", "10.0.0", "9.0.0"]),
            ["2.0.9", "2.0.10", "9.0.0", "10.0.0"]
        );
        assert_eq!(
            compare("1.01", "1.1"),
            Ordering::Less,
            "ties go to the text"
        );
        assert_eq!(
            compare("1.99999999999999999999999", "1.100000000000000000000000"),
            Ordering::Less
        );
    }

    #[test]
    fn semver_precedence_applies_between_semver_versions() {
        assert_eq!(
            sorted(&[
                "1.0.0",
                "1.0.0-rc.1",
                "1.0.0-beta.11",
                "1.0.0-beta.2",
                "1.0.0-beta",
                "1.0.0-alpha.beta",
                "1.0.0-alpha.1",
                "1.0.0-alpha",
            ]),
            [
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0",
            ]
        );
        assert_eq!(compare("v3.10.0", "v3.9.1"), Ordering::Greater);
        assert_eq!(
            compare("1.0.0+build.2", "1.0.0+build.10"),
            Ordering::Less,
            "build metadata breaks ties in semver order"
        );
    }

    #[test]
    fn other_versions_sort_naturally() {
        assert_eq!(
            sorted(&["1.1.1w", "1.1.1", "1.1.1a", "1.1.0l"]),
            ["1.1.0l", "1.1.1", "1.1.1a", "1.1.1w"]
        );
        assert_eq!(
            sorted(&["1:2.36.1-8+deb11u10", "1:2.36.1-8+deb11u9", "1:2.36.1-7"]),
            ["1:2.36.1-7", "1:2.36.1-8+deb11u9", "1:2.36.1-8+deb11u10"]
        );
        assert_eq!(
            sorted(&["1.2.0.1", "1.2", "1.2.0"]),
            ["1.2", "1.2.0", "1.2.0.1"]
        );
    }

    /// The rules together form one order: sorting any mix gives the same result from any
    /// starting order, and every pair agrees with the sorted position.
    #[test]
    fn the_order_is_total_on_mixed_versions() {
        let versions = [
            "1.0.0",
            "1.0.0-1",
            "1.0.0-",
            "1.0.0a",
            "1.0",
            "1.0.0.0",
            "v1.0.0",
            "1.0.0-rc.1",
            "1.0.0+b",
            "1-0-0",
            "",
            "x",
            "1.0.0-alpha",
            "01.0.0",
            "1.0.0-alpha.01",
            "2",
        ];
        let forward = sorted(&versions);
        let mut reversed: Vec<&str> = versions.to_vec();
        reversed.reverse();
        assert_eq!(sorted(&reversed), forward);
        for (i, a) in forward.iter().enumerate() {
            for (j, b) in forward.iter().enumerate() {
                assert_eq!(compare(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
    }
}
