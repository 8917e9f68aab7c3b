//! The word-level difference of two item bodies (the `similar` crate's word diff), cut to
//! the changed words and a few words of context around each change.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// Words of unchanged text kept on each side of a change.
const CONTEXT: usize = 6;

/// Longest body diff kept, in segments; a rewrite of a whole chapter says so in counts.
const MAX_SEGMENTS: usize = 400;

/// What a run of words did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Op {
    Equal,
    Delete,
    Insert,
    /// Unchanged words left out between two changes.
    Skip,
}

/// A run of words with what happened to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Segment {
    pub(crate) op: Op,
    pub(crate) text: String,
}

/// How a body changed: counts, and the changed words in context.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct BodyDiff {
    pub(crate) words_removed: usize,
    pub(crate) words_added: usize,
    pub(crate) segments: Vec<Segment>,
    /// Whether `segments` was cut at [`MAX_SEGMENTS`].
    pub(crate) truncated: bool,
}

/// The word diff of `before` and `after`, or `None` when their words are the same (a
/// reflowed paragraph or changed indentation is not a change of content).
pub(crate) fn diff(before: &str, after: &str) -> Option<BodyDiff> {
    if before.split_whitespace().eq(after.split_whitespace()) {
        return None;
    }
    let diff = TextDiff::from_words(before, after);
    // Runs of one tag, with whitespace inside a run kept and between runs dropped.
    let mut runs: Vec<(ChangeTag, Vec<&str>)> = Vec::new();
    for change in diff.iter_all_changes() {
        let word = change.value();
        if word.trim().is_empty() {
            continue;
        }
        match runs.last_mut() {
            Some((tag, words)) if *tag == change.tag() => words.push(word),
            _ => runs.push((change.tag(), vec![word])),
        }
    }
    let mut out = BodyDiff {
        words_removed: 0,
        words_added: 0,
        segments: Vec::new(),
        truncated: false,
    };
    let last = runs.len().saturating_sub(1);
    for (n, (tag, words)) in runs.iter().enumerate() {
        let segment = |op, words: &[&str]| Segment {
            op,
            text: words.join(" "),
        };
        match tag {
            ChangeTag::Delete => {
                out.words_removed += words.len();
                out.segments.push(segment(Op::Delete, words));
            }
            ChangeTag::Insert => {
                out.words_added += words.len();
                out.segments.push(segment(Op::Insert, words));
            }
            ChangeTag::Equal => {
                // Keep the end of the run before a change and its start after one.
                let lead = if n == last { 0 } else { CONTEXT };
                let trail = if n == 0 { 0 } else { CONTEXT };
                if words.len() <= lead + trail {
                    out.segments.push(segment(Op::Equal, words));
                } else {
                    if trail > 0 {
                        out.segments.push(segment(Op::Equal, &words[..trail]));
                    }
                    out.segments.push(Segment {
                        op: Op::Skip,
                        text: String::new(),
                    });
                    if lead > 0 {
                        out.segments
                            .push(segment(Op::Equal, &words[words.len() - lead..]));
                    }
                }
            }
        }
    }
    if out.segments.len() > MAX_SEGMENTS {
        out.segments.truncate(MAX_SEGMENTS);
        out.truncated = true;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflowed_text_is_no_change() {
        assert_eq!(diff("a b\nc", "a  b c\n"), None);
    }

    #[test]
    fn changed_words_come_with_context() {
        let d = diff(
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen",
            "one two three four five six seven eight nine TEN eleven twelve thirteen fourteen fifteen",
        )
        .unwrap();
        assert_eq!((d.words_removed, d.words_added), (1, 1));
        let ops: Vec<Op> = d.segments.iter().map(|s| s.op).collect();
        assert_eq!(
            ops,
            [Op::Skip, Op::Equal, Op::Delete, Op::Insert, Op::Equal]
        );
        assert_eq!(d.segments[1].text, "four five six seven eight nine");
        assert_eq!(d.segments[2].text, "ten");
        assert_eq!(d.segments[3].text, "TEN");
        assert_eq!(
            d.segments[4].text,
            "eleven twelve thirteen fourteen fifteen"
        );
    }
}
