//! The whole report of a comparison: which versions were compared, the [`Diff`], counts
//! and the gate's verdict. It serialises to the versioned JSON report
//! (`schemas/diff.schema.json`) and renders as Markdown ([`super::markdown`]).

use super::gate::Verdict;
use super::{Diff, JSON_VERSION};
use serde::Serialize;

/// How a version could be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Read and analysed.
    Analysed,
    /// The book does not exist in this version: everything in the other one is new.
    Absent,
    /// The book exists but could not be analysed (its configuration is invalid); the
    /// comparison treats it as empty and says why.
    Invalid,
}

/// One side of the comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    /// As the user named it (`origin/main`, `HEAD~1`, `working tree`).
    pub revision: String,
    /// The commit it resolved to; `None` for the working tree.
    pub commit: Option<String>,
    /// Whether the version's pipeline ran, and how it ended.
    pub state: State,
    /// Why the book could not be analysed, when it could not.
    pub problem: Option<String>,
}

impl Side {
    /// `origin/main (0123456789ab)`, or the revision alone.
    pub(crate) fn label(&self) -> String {
        match &self.commit {
            Some(c) => format!("{} ({})", self.revision, &c[..c.len().min(12)]),
            None => self.revision.clone(),
        }
    }
}

/// Counts for the top of the report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Summary {
    pub(crate) items_added: usize,
    pub(crate) items_removed: usize,
    pub(crate) items_renamed: usize,
    pub(crate) items_changed: usize,
    pub(crate) links_added: usize,
    pub(crate) links_removed: usize,
    pub(crate) findings_new_errors: usize,
    pub(crate) findings_new_warnings: usize,
    pub(crate) findings_fixed: usize,
    pub(crate) findings_unchanged: usize,
    pub(crate) suspect_links_created: usize,
    pub(crate) suspect_links_cleared: usize,
    pub(crate) suspect_links_still: usize,
    pub(crate) reviews_recorded: usize,
    pub(crate) risks_moved: usize,
    pub(crate) components_added: usize,
    pub(crate) components_removed: usize,
    pub(crate) components_changed: usize,
}

impl Summary {
    pub(crate) fn of(diff: &Diff) -> Summary {
        let new_errors = diff.findings.new.iter().filter(|f| f.is_error()).count();
        Summary {
            items_added: diff.items.added.len(),
            items_removed: diff.items.removed.len(),
            items_renamed: diff.items.renamed.len(),
            items_changed: diff.items.changed.len(),
            links_added: diff.links.added.len(),
            links_removed: diff.links.removed.len(),
            findings_new_errors: new_errors,
            findings_new_warnings: diff.findings.new.len() - new_errors,
            findings_fixed: diff.findings.fixed.len(),
            findings_unchanged: diff.findings.unchanged.len(),
            suspect_links_created: diff.suspect_links.created.len(),
            suspect_links_cleared: diff.suspect_links.cleared.len(),
            suspect_links_still: diff.suspect_links.still,
            reviews_recorded: diff.suspect_links.recorded.len(),
            risks_moved: diff.risks.len(),
            components_added: diff.sboms.iter().map(|s| s.added.len()).sum(),
            components_removed: diff.sboms.iter().map(|s| s.removed.len()).sum(),
            components_changed: diff
                .sboms
                .iter()
                .map(|s| {
                    s.version_changed.len()
                        + s.license_changed.len()
                        + s.hash_changed.len()
                        + s.supplier_changed.len()
                })
                .sum(),
        }
    }
}

/// The report as JSON serialises it.
#[derive(Debug, Serialize)]
pub struct Report<'d> {
    /// Always `mdbook-techfile-diff`.
    pub(crate) format: &'static str,
    /// [`JSON_VERSION`].
    pub(crate) version: u32,
    pub(crate) tool_version: String,
    pub(crate) base: Side,
    pub(crate) head: Side,
    /// The day both versions were analysed as (`YYYY-MM-DD`).
    pub(crate) today: Option<String>,
    pub(crate) summary: Summary,
    pub(crate) gate: Verdict,
    #[serde(flatten)]
    pub(crate) diff: &'d Diff,
}

impl<'d> Report<'d> {
    /// The report of `diff` between `base` and `head`; `today` is the day dates were judged on
    /// (`YYYY-MM-DD`), `gate` the verdict of the configured rules.
    pub fn new(
        diff: &'d Diff,
        base: Side,
        head: Side,
        today: Option<String>,
        gate: Verdict,
        tool_version: &str,
    ) -> Report<'d> {
        Report {
            format: "mdbook-techfile-diff",
            version: JSON_VERSION,
            tool_version: tool_version.to_string(),
            base,
            head,
            today,
            summary: Summary::of(diff),
            gate,
            diff,
        }
    }

    /// The JSON report, pretty-printed, ending with a line break.
    pub fn json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}
