//! What changed in an upstream item since a review: the profile fields whose values differ
//! between the version that was reviewed and the version of today, each with a word diff.
//! The edge finds the reviewed version in git; this is the comparison.

use crate::fingerprint::{Profile, field_value};
use crate::model::Item;
use similar::{ChangeTag, TextDiff};

/// One profile field that differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// The profile field's front-matter key (`title`, `derives-from`, the body).
    pub field: String,
    /// The normalised old and new values as text (lists joined with `, `; `(none)` when
    /// absent).
    pub old: String,
    /// The value now, in the same form as `old`.
    pub new: String,
}

impl FieldChange {
    /// The change word by word: removed words as `[-...-]`, added ones as `{+...+}` (the
    /// notation of `git diff --word-diff=plain`).
    pub fn word_diff(&self) -> String {
        let diff = TextDiff::from_words(&self.old, &self.new);
        // Runs of removed and of added words are shown as one bracket each.
        let mut out = String::new();
        let (mut removed, mut added) = (String::new(), String::new());
        let flush = |out: &mut String, removed: &mut String, added: &mut String| {
            if !removed.is_empty() {
                out.push_str(&format!("[-{}-]", std::mem::take(removed)));
            }
            if !added.is_empty() {
                out.push_str(&format!("{{+{}+}}", std::mem::take(added)));
            }
        };
        for change in diff.iter_all_changes() {
            match change.tag() {
                ChangeTag::Equal => {
                    flush(&mut out, &mut removed, &mut added);
                    out.push_str(change.value());
                }
                ChangeTag::Delete => removed.push_str(change.value()),
                ChangeTag::Insert => added.push_str(change.value()),
            }
        }
        flush(&mut out, &mut removed, &mut added);
        out
    }
}

fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "(none)".into(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// The profile fields of `new`'s kind whose normalised values differ, in profile order.
pub fn changes(old: &Item, new: &Item, profile: &Profile) -> Vec<FieldChange> {
    profile
        .fields_of(new.kind)
        .into_iter()
        .filter_map(|f| {
            let (a, b) = (field_value(old, &f), field_value(new, &f));
            (a != b).then(|| FieldChange {
                old: text(&a),
                new: text(&b),
                field: f,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_item;
    use crate::model::FileId;

    #[test]
    fn names_the_changed_fields_with_a_word_diff() {
        let old = "+++\nid = \"REQ-1\"\nkind = \"requirement\"\ntitle = \"Log in with two factors\"\nstatus = \"draft\"\nderives-from = [\"MDCG-SR\"]\n+++\nThe portal shall ask\nfor a second factor.\n";
        let new = old
            .replace("Log in", "Authenticate")
            .replace("draft", "approved")
            .replace("ask\nfor", "ask for")
            .replace("[\"MDCG-SR\"]", "[\"MDCG-SR\", \"MDR-17.4\"]");
        let (a, _) = parse_item(FileId(0), old);
        let (b, _) = parse_item(FileId(0), &new);
        let c = changes(&a.unwrap(), &b.unwrap(), &Profile::default());
        let fields: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
        // The status is not in the profile; the reflowed body is not a change.
        assert_eq!(fields, ["derives-from", "title"]);
        assert_eq!(
            c[1].word_diff(),
            "[-Log in-]{+Authenticate+} with two factors"
        );
        assert_eq!(c[0].word_diff(), "[-MDCG-SR-]{+MDCG-SR, MDR-17.4+}");
    }
}
