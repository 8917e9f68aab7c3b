//! `[preprocessor.techfile.diff]`: what fails a change in `mdbook-techfile diff` (the gate).

use super::reader::{Reader, key_path};
use super::tree::{Table, Value};
use serde::Serialize;

/// One condition that fails a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The head has an error-level finding the base does not have.
    NewErrors,
    /// The head has a warning the base does not have.
    NewWarnings,
    /// The head has a suspect or not yet reviewed link that the base does not have.
    NewSuspectLinks,
    /// The head has any error-level finding, new or not.
    Errors,
}

impl Rule {
    pub(crate) const ALL: [Rule; 4] = [
        Rule::NewErrors,
        Rule::NewWarnings,
        Rule::NewSuspectLinks,
        Rule::Errors,
    ];

    /// The word written in book.toml and on the command line.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Rule::NewErrors => "new-errors",
            Rule::NewWarnings => "new-warnings",
            Rule::NewSuspectLinks => "new-suspect-links",
            Rule::Errors => "errors",
        }
    }

    /// The rule a word names (`new-errors`, `new-warnings`, `new-suspect-links`, `errors`); `None`
    /// for any other text.
    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The rules that apply when neither the command line nor book.toml names any.
pub const DEFAULT_RULES: [Rule; 2] = [Rule::NewErrors, Rule::NewSuspectLinks];

/// `[preprocessor.techfile.diff]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiffConfig {
    /// The gate's rules; `None`: not set here ([`DEFAULT_RULES`] unless the command line
    /// says otherwise). An empty list fails nothing.
    pub fail_on: Option<Vec<Rule>>,
}

/// Reads `[preprocessor.techfile.diff]`: `fail-on` is a list of rule words.
pub(super) fn read(r: &mut Reader, t: &Table) -> DiffConfig {
    let mut c = DiffConfig::default();
    let words: Vec<(&'static str, Rule)> = Rule::ALL.iter().map(|x| (x.as_str(), *x)).collect();
    for e in &t.entries {
        let path = key_path("diff", &e.key);
        match e.key.as_str() {
            "fail-on" => {
                let example = "fail-on = [\"new-errors\", \"new-suspect-links\"]";
                let Some(items) = r.array(&e.value, &path, example) else {
                    continue;
                };
                let mut rules = Vec::with_capacity(items.len());
                let mut whole = true;
                for item in items {
                    if !matches!(item.value, Value::String(_)) {
                        r.wrong_type(&path, item, "an array of strings", example);
                        whole = false;
                    } else if let Some(rule) = r.word(item, &path, "gate rule", &words) {
                        if !rules.contains(&rule) {
                            rules.push(rule);
                        }
                    } else {
                        whole = false;
                    }
                }
                // A list that lost a rule would gate less than the author meant.
                if whole {
                    c.fail_on = Some(rules);
                }
            }
            _ => r.unknown_key(e, "diff", &["fail-on"]),
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn fail_on_names_known_rules() {
        assert_eq!(Config::default().diff.fail_on, None);
        let c = Config::from_toml("[diff]\nfail-on = [\"new-warnings\", \"errors\"]").unwrap();
        assert_eq!(c.diff.fail_on, Some(vec![Rule::NewWarnings, Rule::Errors]));
        let c = Config::from_toml("[diff]\nfail-on = []").unwrap();
        assert_eq!(c.diff.fail_on, Some(vec![]));
    }

    #[test]
    fn every_mistake_is_a_finding_at_its_value() {
        let text = "[diff]\nfail-on = [\"new-warnings\", \"new-eror\", 3]\nfailon = []\n";
        let diags = Config::from_toml(text).unwrap_err();
        let found: Vec<(&str, &str, Option<&str>)> = diags
            .iter()
            .map(|d| {
                let span = d.primary.as_ref().unwrap().span;
                (d.code.as_str(), &text[span.range()], d.help.as_deref())
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    "config-invalid-value",
                    "\"new-eror\"",
                    Some("did you mean `new-errors`?")
                ),
                (
                    "config-wrong-type",
                    "3",
                    Some("write it as `fail-on = [\"new-errors\", \"new-suspect-links\"]`")
                ),
                (
                    "config-unknown-key",
                    "failon",
                    Some("did you mean `fail-on`?")
                ),
            ]
        );
        let diags = Config::from_toml("[diff]\nfail-on = \"errors\"").unwrap_err();
        assert_eq!(diags[0].code.as_str(), "config-wrong-type");
        let diags = Config::from_toml("diff = 1").unwrap_err();
        assert_eq!(diags[0].code.as_str(), "config-wrong-type");
    }
}
