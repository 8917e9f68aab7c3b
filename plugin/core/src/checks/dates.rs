//! Review dates (`next-review`) judged on a given day: overdue, or due soon. Only run when
//! the analysis is given the day (`check --today`): a build must not change with the day
//! it runs.

use crate::config::Config;
use crate::diag::{Code, Diagnostic};
use crate::lifecycle::{count_days, days_between};
use crate::model::{Date, Item, Status};

/// Findings for every live item whose `next-review` is past or within
/// `revalidate.review-warning-days` of `today`.
pub(crate) fn check(items: &[Item], config: &Config, today: Date) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for item in items.iter().filter(|i| i.status != Status::Obsolete) {
        let (Some(next), Some(span)) = (item.next_review, item.spans.next_review) else {
            continue;
        };
        let days = days_between(today, next);
        if days < 0 {
            out.push(
                Diagnostic::new(
                    Code::ReviewOverdue,
                    format!(
                        "{} {} was due for review on {next}, {} before {today}",
                        item.kind,
                        item.id,
                        count_days(-days)
                    ),
                )
                .at(span, "review overdue")
                .help("review the item, then set `last-reviewed` to the day of the review and `next-review` to the next one"),
            );
        } else if days <= i64::from(config.revalidate.review_warning_days) {
            out.push(
                Diagnostic::new(
                    Code::ReviewDue,
                    format!(
                        "{} {} is due for review on {next}, in {}",
                        item.kind,
                        item.id,
                        count_days(days)
                    ),
                )
                .at(span, "review due soon")
                .help("plan the review; after it, set `last-reviewed` and the next `next-review`"),
            );
        }
    }
    out
}
