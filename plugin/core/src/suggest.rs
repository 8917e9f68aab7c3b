//! Typo suggestions for every "did you mean" help line: one rule, so an item key, a config
//! key, a CVSS metric and an ID are judged alike. At the bottom of the core's layers, because
//! the lowest parsers (CVSS vectors) suggest too.

/// The known word closest to `word` by Levenshtein distance (ignoring ASCII case), if it is
/// close enough to be a typo: at most a third of its length, and at least one edit.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.len() / 3).max(1);
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn closest_word() {
        assert_eq!(
            closest("implement", ["implements", "verifies"]),
            Some("implements")
        );
        assert_eq!(closest("zzz", ["implements"]), None);
        // Case does not count; the limit is a third of the length, at least one edit.
        assert_eq!(closest("IMPLEMENT", ["implements"]), Some("implements"));
        assert_eq!(closest("abcdef", ["abxxef"]), Some("abxxef"));
        assert_eq!(closest("abcde", ["abxxe"]), None);
        assert_eq!(closest("ab", ["ax"]), Some("ax"));
        // Characters, not bytes: one edit on a two-byte letter.
        assert_eq!(closest("über", ["uber"]), Some("uber"));
        // The nearest wins; among equals, the first in sorted order.
        assert_eq!(closest("cat", ["bat", "cart", "at"]), Some("at"));
        assert_eq!(
            closest("abcdefghi", ["abcdefgXY", "abcdefgXX"]),
            Some("abcdefgXX")
        );
    }
}
