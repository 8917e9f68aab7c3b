//! Whether one `affected[]` entry of an OSV record covers one version of a package, by the
//! evaluation the OSV schema specifies: the version is affected when the entry lists it
//! in `versions`, or when a range says so. A range is a sequence of events, sorted by
//! version: `introduced` (from here on; `0` is before every version) sets "affected",
//! `fixed` (from here on) clears it, a version after `last_affected` is not affected, and
//! with `limit` events the version must be below one of them.
//!
//! What cannot be decided is said, never guessed: a GIT range (commit hashes need the
//! repository), an ecosystem without a version order, or a version the order cannot
//! parse. An enumerated `versions` list settles a range that has an end (`fixed`,
//! `last_affected`): it then holds every affected version; an open range may also cover
//! versions released after the record, which the list cannot know.

use super::osv::{Affected, Event, RangeKind};
use super::version::{Order, Version};
use std::cmp::Ordering;

/// The verdict for one entry and one version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Affected: `how` says by which rule (`listed in versions`, or the range).
    Affected {
        how: String,
    },
    NotAffected,
    /// Not decidable; the reason names the range or version.
    Unevaluated {
        reason: String,
    },
}

/// Describes a range's events as `>= 1.0.0, < 1.2.3` for reports.
pub(crate) fn describe(events: &[Event]) -> String {
    let mut parts = Vec::new();
    for e in events {
        parts.push(match e {
            Event::Introduced(v) if v == "0" => "introduced at the first version".to_owned(),
            Event::Introduced(v) => format!(">= {v}"),
            Event::Fixed(v) => format!("< {v} (fixed)"),
            Event::LastAffected(v) => format!("<= {v} (last affected)"),
            Event::Limit(v) => format!("limit {v}"),
        });
    }
    parts.join(", ")
}

/// The versions an entry's ranges say the problem is fixed in.
pub(crate) fn fixed_versions(a: &Affected) -> Vec<String> {
    let mut out: Vec<String> = a
        .ranges
        .iter()
        .flat_map(|r| &r.events)
        .filter_map(|e| match e {
            Event::Fixed(v) => Some(v.clone()),
            _ => None,
        })
        .collect();
    out.dedup();
    out
}

fn parse_event(order: Order, v: &str) -> Result<Option<Version>, String> {
    if v == "0" {
        return Ok(None);
    }
    order
        .parse(v)
        .map(Some)
        .map_err(|e| format!("the advisory's range has {e}"))
}

/// Evaluates one SEMVER or ECOSYSTEM range in `order`. `None` for "0" sorts first.
fn in_range(order: Order, version: &Version, events: &[Event]) -> Result<bool, String> {
    if !events.iter().any(|e| matches!(e, Event::Introduced(_))) {
        return Err("the range has no `introduced` event, which the OSV schema requires".into());
    }
    let mut limits = Vec::new();
    let mut sorted: Vec<(Option<Version>, &Event)> = Vec::new();
    for e in events {
        match e {
            Event::Limit(v) if v == "*" => limits.push(None),
            Event::Limit(v) => limits.push(parse_event(order, v)?),
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) => {
                sorted.push((parse_event(order, v)?, e));
            }
        }
    }
    let cmp = |a: &Version, b: &Version| a.compare(b).unwrap_or(Ordering::Equal);
    if !limits.is_empty()
        && !limits.iter().any(|l| match l {
            None => true,
            Some(l) => cmp(version, l) == Ordering::Less,
        })
    {
        return Ok(false);
    }
    sorted.sort_by(|(a, _), (b, _)| match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => cmp(a, b),
    });
    let mut affected = false;
    for (at, e) in &sorted {
        let reached = at
            .as_ref()
            .is_none_or(|at| cmp(version, at) != Ordering::Less);
        match e {
            Event::Introduced(_) if reached => affected = true,
            Event::Fixed(_) if reached => affected = false,
            Event::LastAffected(_) => {
                if let Some(at) = at
                    && cmp(version, at) == Ordering::Greater
                {
                    affected = false;
                }
            }
            _ => {}
        }
    }
    Ok(affected)
}

/// Whether a range has an end, so an enumerated `versions` list is complete for it.
fn closed(events: &[Event]) -> bool {
    events
        .iter()
        .any(|e| matches!(e, Event::Fixed(_) | Event::LastAffected(_)))
}

/// Evaluates entry `a` for `version` of a package whose ecosystem orders versions by
/// `order` (`None`: no order is known).
pub(crate) fn evaluate(a: &Affected, version: &str, order: Option<Order>) -> Verdict {
    let parsed = order.map(|o| o.parse(version));
    let listed = a.versions.iter().any(|v| {
        v == version
            || match (&parsed, order) {
                (Some(Ok(p)), Some(o)) => o
                    .parse(v)
                    .is_ok_and(|v| v.compare(p) == Some(Ordering::Equal)),
                _ => false,
            }
    });
    if listed {
        return Verdict::Affected {
            how: format!("`{version}` is listed in the advisory's versions"),
        };
    }
    let mut unevaluated: Vec<String> = Vec::new();
    for range in &a.ranges {
        let settled_by_list = !a.versions.is_empty() && closed(&range.events);
        let reason = match (&range.kind, order, &parsed) {
            (RangeKind::Git, _, _) => {
                "the range is a GIT range of commits, which needs the repository's history"
                    .to_owned()
            }
            (RangeKind::Other(k), _, _) => format!("the range type `{k}` is not known"),
            (_, None, _) => format!(
                "no version order is known for the {} ecosystem, and the advisory does not enumerate every affected version",
                a.ecosystem
            ),
            (_, Some(_), Some(Err(e))) => format!("the component's version {e}"),
            (_, Some(o), Some(Ok(v))) => match in_range(o, v, &range.events) {
                Ok(true) => {
                    return Verdict::Affected {
                        how: format!("`{version}` is in the range {}", describe(&range.events)),
                    };
                }
                Ok(false) => continue,
                Err(e) => e,
            },
            (_, Some(_), None) => continue,
        };
        if !settled_by_list {
            unevaluated.push(reason);
        }
    }
    match unevaluated.is_empty() {
        true => Verdict::NotAffected,
        false => Verdict::Unevaluated {
            reason: unevaluated.join("; "),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advisory::osv::Range;

    fn entry(kind: RangeKind, events: &[(&str, &str)], versions: &[&str]) -> Affected {
        Affected {
            ecosystem: "crates.io".into(),
            name: "x".into(),
            versions: versions.iter().map(|v| (*v).to_owned()).collect(),
            ranges: vec![Range {
                kind,
                events: events
                    .iter()
                    .map(|(k, v)| {
                        let v = (*v).to_owned();
                        match *k {
                            "introduced" => Event::Introduced(v),
                            "fixed" => Event::Fixed(v),
                            "last_affected" => Event::LastAffected(v),
                            _ => Event::Limit(v),
                        }
                    })
                    .collect(),
            }],
            severity: Vec::new(),
            informational: None,
        }
    }

    fn hit(a: &Affected, v: &str) -> bool {
        match evaluate(a, v, Some(Order::Semver)) {
            Verdict::Affected { .. } => true,
            Verdict::NotAffected => false,
            Verdict::Unevaluated { reason } => panic!("{v}: {reason}"),
        }
    }

    #[test]
    fn fixed_is_exclusive_and_last_affected_inclusive() {
        let a = entry(
            RangeKind::Semver,
            &[("introduced", "0"), ("fixed", "1.2.3")],
            &[],
        );
        assert!(hit(&a, "0.1.0"));
        assert!(hit(&a, "1.2.2"));
        assert!(
            hit(&a, "1.2.3-rc.1"),
            "a pre-release of the fix is before it"
        );
        assert!(!hit(&a, "1.2.3"));
        assert!(!hit(&a, "2.0.0"));
        let b = entry(
            RangeKind::Semver,
            &[("introduced", "1.0.0"), ("last_affected", "1.4.0")],
            &[],
        );
        assert!(!hit(&b, "0.9.9"));
        assert!(hit(&b, "1.0.0"));
        assert!(hit(&b, "1.4.0"));
        assert!(!hit(&b, "1.4.1"));
    }

    #[test]
    fn two_release_lines_and_limits() {
        let a = entry(
            RangeKind::Semver,
            &[
                ("introduced", "1.0.0"),
                ("fixed", "1.5.2"),
                ("introduced", "2.0.0"),
                ("fixed", "2.1.1"),
            ],
            &[],
        );
        assert!(hit(&a, "1.5.1"));
        assert!(!hit(&a, "1.5.2"));
        assert!(!hit(&a, "1.9.0"));
        assert!(hit(&a, "2.1.0"));
        assert!(!hit(&a, "2.1.1"));
        let l = entry(
            RangeKind::Semver,
            &[("introduced", "0"), ("limit", "3.0.0")],
            &[],
        );
        assert!(hit(&l, "2.9.9"));
        assert!(!hit(&l, "3.0.0"));
    }

    #[test]
    fn what_cannot_be_decided_is_said() {
        let git = entry(
            RangeKind::Git,
            &[("introduced", "abc"), ("fixed", "def")],
            &[],
        );
        assert!(matches!(
            evaluate(&git, "1.0.0", Some(Order::Semver)),
            Verdict::Unevaluated { .. }
        ));
        let a = entry(
            RangeKind::Semver,
            &[("introduced", "0"), ("fixed", "1.2.3")],
            &[],
        );
        let Verdict::Unevaluated { reason } = evaluate(&a, "1.2", Some(Order::Semver)) else {
            panic!()
        };
        assert!(reason.contains("`1.2` is not a SemVer"), "{reason}");
        let none = entry(RangeKind::Ecosystem, &[("introduced", "0")], &["1.0"]);
        assert!(matches!(
            evaluate(&none, "2.0", None),
            Verdict::Unevaluated { .. }
        ));
        assert!(matches!(
            evaluate(&none, "1.0", None),
            Verdict::Affected { .. }
        ));
        let closed = entry(
            RangeKind::Ecosystem,
            &[("introduced", "0"), ("fixed", "2.0")],
            &["1.0", "1.1"],
        );
        assert_eq!(evaluate(&closed, "2.0", None), Verdict::NotAffected);
        let no_intro = entry(RangeKind::Semver, &[("fixed", "1.0.0")], &[]);
        assert!(matches!(
            evaluate(&no_intro, "0.5.0", Some(Order::Semver)),
            Verdict::Unevaluated { .. }
        ));
    }
}
