//! The gate: whether a change fails its pull request. `diff` exits 1 when it is hit.
//!
//! The rules come from `--fail-on`, else from `[preprocessor.techfile.diff] fail-on` of
//! the base version's book.toml (so a pull request cannot switch off the gate that judges
//! it; the head's only when there is no base version), else the default: new error-level
//! findings, or links the change leaves to review (`super::suspects`).

use super::Diff;
pub use crate::config::diff::{DEFAULT_RULES as DEFAULT, Rule};
use serde::Serialize;

/// The gate's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The rules in force.
    pub(crate) rules: Vec<Rule>,
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
