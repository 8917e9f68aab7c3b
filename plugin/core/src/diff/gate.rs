//! The gate: whether a change fails its pull request. `diff` exits 1 when it is hit.
//!
//! The rules come from `--fail-on`, else from `[preprocessor.techfile.diff] fail-on` of
//! the base version's book.toml (so a pull request cannot switch off the gate that judges
//! it), else of the head's, else the default: new error-level findings, or new suspect
//! links left unreviewed.

use super::Diff;
use serde::{Deserialize, Serialize};

/// One condition that fails the change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The head has an error-level finding the base does not have.
    NewErrors,
    /// The head has a warning the base does not have.
    NewWarnings,
    /// The head has a suspect-link or review-pending finding the base does not have.
    NewSuspectLinks,
    /// The head has any error-level finding, new or not.
    Errors,
}

impl Rule {
    pub const ALL: [Rule; 4] = [
        Rule::NewErrors,
        Rule::NewWarnings,
        Rule::NewSuspectLinks,
        Rule::Errors,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::NewErrors => "new-errors",
            Rule::NewWarnings => "new-warnings",
            Rule::NewSuspectLinks => "new-suspect-links",
            Rule::Errors => "errors",
        }
    }

    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The default rules.
pub const DEFAULT: [Rule; 2] = [Rule::NewErrors, Rule::NewSuspectLinks];

/// The gate's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The rules in force.
    pub rules: Vec<Rule>,
    /// Whether any rule is hit: the change fails.
    pub failed: bool,
    /// One sentence per rule hit.
    pub reasons: Vec<String>,
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Applies `rules` to a comparison; `head_errors` is the number of error-level findings of
/// the head version.
pub fn evaluate(diff: &Diff, rules: &[Rule], head_errors: usize) -> Verdict {
    let mut reasons = Vec::new();
    for rule in rules {
        let hit = match rule {
            Rule::NewErrors => {
                let n = diff.findings.new.iter().filter(|f| f.is_error()).count();
                (n > 0).then(|| format!("{} introduced", count(n, "error", "errors")))
            }
            Rule::NewWarnings => {
                let n = diff.findings.new.iter().filter(|f| !f.is_error()).count();
                (n > 0).then(|| format!("{} introduced", count(n, "warning", "warnings")))
            }
            Rule::NewSuspectLinks => {
                let n = diff.suspect_links.created.len();
                (n > 0).then(|| {
                    format!(
                        "{} left unreviewed (record the review with `mdbook-techfile review`)",
                        count(
                            n,
                            "new suspect or unreviewed link",
                            "new suspect or unreviewed links"
                        )
                    )
                })
            }
            Rule::Errors => (head_errors > 0).then(|| {
                format!(
                    "{} in the head version",
                    count(head_errors, "error", "errors")
                )
            }),
        };
        reasons.extend(hit);
    }
    Verdict {
        rules: rules.to_vec(),
        failed: !reasons.is_empty(),
        reasons,
    }
}
