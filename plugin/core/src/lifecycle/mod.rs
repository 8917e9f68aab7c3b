//! Support lifecycle of SBOM components: the level of support and the end of support of
//! every component, each with where it comes from, as the FDA's premarket guidance asks
//! for each SBOM component (section V.A.4(b)), and the findings about them.
//!
//! Sources, strongest first for each value:
//! - level of support: a RustSec `unmaintained` advisory ("no longer maintained"), then
//!   the support table;
//! - end of support: the support table (the manufacturer's reviewed statement, which may
//!   rest on an extended support contract), then the SBOM's
//!   `cdx:lifecycle:milestone:endOfSupport` property, then `...:endOfLife`.
//!
//! Which support tables and advisories there are is the edge's business; the judgement of
//! dates takes the day checked (`today`) as an input: without one, nothing here depends on
//! the date.

pub(crate) mod advisory;
pub mod table;

use crate::config::Config;
use crate::diag::{Code, Diagnostic};
use crate::load::Input;
use crate::model::{Date, SourceMap, Span};
use crate::sbom::{MILESTONE, Milestone, ObjectId, SbomSet, Target};
use advisory::Notice;
use table::Entry;

/// The level of support of a component. The words follow the FDA's examples; SPDX 3's
/// `supportLevel` is given beside each for readers who know that vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Level {
    /// Actively maintained (SPDX `support`).
    Active,
    /// Maintained with limits: security fixes only, LTS (SPDX `limitedSupport`).
    Limited,
    /// No longer maintained (SPDX `noSupport`).
    Unmaintained,
    /// Abandoned by its maintainers (SPDX `noSupport`).
    Abandoned,
}

impl Level {
    pub(crate) const ALL: [Level; 4] = [
        Level::Active,
        Level::Limited,
        Level::Unmaintained,
        Level::Abandoned,
    ];
    pub(crate) const WORDS: [&'static str; 4] = ["active", "limited", "unmaintained", "abandoned"];

    pub(crate) fn as_str(self) -> &'static str {
        Level::WORDS[self as usize]
    }

    pub(crate) fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// How the addendum states it.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Level::Active => "actively maintained",
            Level::Limited => "limited support",
            Level::Unmaintained => "no longer maintained",
            Level::Abandoned => "abandoned",
        }
    }
}

/// When support ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EndOfSupport {
    Date(Date),
    /// The support table says no end of support is announced.
    NoneAnnounced,
}

/// Where a value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// A support table entry: the file, the `purl` it names, its `source` text.
    Table {
        path: String,
        purl: String,
        source: Option<String>,
        span: Span,
    },
    /// A lifecycle property of the component in its SBOM (`endOfSupport`, `endOfLife`).
    Property { name: String, span: Span },
    /// An advisory record.
    Advisory { id: String, path: String },
}

impl Source {
    /// For the addendum's source column.
    pub(crate) fn describe(&self) -> String {
        match self {
            Source::Table {
                path, purl, source, ..
            } => match source {
                Some(s) => format!("support table {path} ({purl}): {s}"),
                None => format!("support table {path} ({purl})"),
            },
            Source::Property { name, .. } => {
                format!("SBOM property cdx:lifecycle:milestone:{name}")
            }
            Source::Advisory { id, path } => format!("advisory {id} ({path})"),
        }
    }

    /// Where it is written, when it is in a file the analysis read.
    pub(crate) fn span(&self) -> Option<Span> {
        match self {
            Source::Table { span, .. } | Source::Property { span, .. } => Some(*span),
            Source::Advisory { .. } => None,
        }
    }
}

/// A value with its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Sourced<T> {
    pub(crate) value: T,
    pub(crate) source: Source,
}

/// What is known about one component's support.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ComponentSupport {
    pub(crate) id: ObjectId,
    pub(crate) level: Option<Sourced<Level>>,
    pub(crate) end: Option<Sourced<EndOfSupport>>,
}

/// The support of every component of every SBOM (the primary components, which are the
/// device's own software, excepted), in SBOM and component order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Support {
    pub(crate) components: Vec<ComponentSupport>,
    /// Whether the book keeps support data (a support table entry, or a lifecycle
    /// property in an SBOM): only then is a component without any a finding.
    pub(crate) tracked: bool,
    /// The day the dates were judged on, when one was given.
    pub(crate) today: Option<Date>,
}

/// Per SBOM, this many components without support data are reported one by one; the rest
/// are counted in one finding (the addendum lists them all).
const MAX_LISTED: usize = 20;

/// Works out the support of every component from the support tables, the SBOMs'
/// lifecycle properties and the `unmaintained` notices of the advisory folders (read
/// once, by [`crate::advisory`]), and reports what is unknown, unreadable and,
/// when `today` is given, past or near its end.
pub(crate) fn assess(
    map: &mut SourceMap,
    sboms: &SbomSet,
    tables: Vec<Input>,
    notices: &[Notice],
    config: &Config,
    today: Option<Date>,
) -> (Support, Vec<Diagnostic>) {
    let (entries, mut diags) = table::load(map, tables);
    let mut support = Support {
        tracked: !entries.is_empty(),
        today,
        components: Vec::new(),
    };
    for (s, sbom) in sboms.sboms.iter().enumerate() {
        let mut unknown = Vec::new();
        for (c, component) in sbom.components.iter().enumerate() {
            if sbom.primary == Some(c) {
                continue;
            }
            if !component.milestones.is_empty() {
                support.tracked = true;
            }
            let id = ObjectId {
                sbom: s,
                target: Target::Component(c),
            };
            let mut one = ComponentSupport {
                id,
                level: None,
                end: None,
            };
            let entry = component.parsed_purl.as_ref().and_then(|p| {
                entries
                    .iter()
                    .filter_map(|e| Some((e.rank(p, component.version.as_deref())?, e)))
                    // The most specific entry; among equals, the first read.
                    .fold(None, |best: Option<(u8, &Entry)>, (r, e)| match best {
                        Some((b, _)) if b >= r => best,
                        _ => Some((r, e)),
                    })
                    .map(|(_, e)| e)
            });
            if let Some(e) = entry {
                let source = Source::Table {
                    path: e.path.clone(),
                    purl: e.purl.clone(),
                    source: e.source.clone(),
                    span: e.span,
                };
                one.level = e.level.as_ref().map(|l| Sourced {
                    value: l.value,
                    source: source.clone(),
                });
                one.end = e.end.as_ref().map(|d| Sourced {
                    value: d.value,
                    source,
                });
            }
            // The first milestone whose date could not be read: when nothing else states
            // the support, that error is the root cause of "support unknown".
            let mut unreadable: Option<&Milestone> = None;
            for name in ["endOfSupport", "endOfLife"] {
                for m in component.milestones.iter().filter(|m| m.name == name) {
                    match parse_date(&m.value) {
                        Some(d) => {
                            if one.end.is_none() {
                                one.end = Some(Sourced {
                                    value: EndOfSupport::Date(d),
                                    source: Source::Property {
                                        name: m.name.clone(),
                                        span: m.span,
                                    },
                                });
                            }
                        }
                        None => {
                            unreadable.get_or_insert(m);
                            diags.push(Diagnostic::new(
                                Code::LifecycleDateInvalid,
                                format!(
                                    "`cdx:lifecycle:milestone:{name}` of `{}` is `{}`, not a date",
                                    component.label(),
                                    m.value
                                ),
                            )
                            .at(m.span, "not an ISO 8601 date")
                            .help("write the date as `YYYY-MM-DD` (or an RFC 3339 date-time such as `2027-06-30T00:00:00Z`), as the CycloneDX property taxonomy defines the lifecycle milestones"));
                        }
                    }
                }
            }
            if let Some(n) = component
                .parsed_purl
                .as_ref()
                .and_then(|p| notices.iter().find(|n| n.covers(p)))
            {
                one.level = Some(Sourced {
                    value: Level::Unmaintained,
                    source: Source::Advisory {
                        id: n.id.clone(),
                        path: n.path.clone(),
                    },
                });
            }
            if one.level.is_none() && one.end.is_none() {
                unknown.push((c, unreadable));
            }
            if let (Some(today), Some(end)) = (today, &one.end) {
                diags.extend(judge(today, end, component, config));
            }
            support.components.push(one);
        }
        if support.tracked {
            for &(c, unreadable) in unknown.iter().take(MAX_LISTED) {
                let component = &sbom.components[c];
                if let Some(m) = unreadable {
                    diags.push(
                        Diagnostic::new(
                            Code::ComponentSupportUnknown,
                            format!(
                                "the support of `{}` is unknown: its `{MILESTONE}{}` could not be read",
                                component.label(),
                                m.name
                            ),
                        )
                        .at(component.span, "support unknown")
                        .with_label(m.span, "this date could not be read")
                        .help("see the `lifecycle-date-invalid` error at the date and fix it first: the support is judged again once the date reads"),
                    );
                    continue;
                }
                diags.push(
                    Diagnostic::new(
                        Code::ComponentSupportUnknown,
                        format!(
                            "nothing states the support of `{}`: no level of support and no end of support",
                            component.label()
                        ),
                    )
                    .at(component.span, "support unknown")
                    .help("add an entry for its purl to a support table (`support/*.toml`: `level`, `end-of-support`, `source`), or a `cdx:lifecycle:milestone:endOfSupport` property to the component; the FDA asks for both for every SBOM component"),
                );
            }
            if unknown.len() > MAX_LISTED {
                diags.push(
                    Diagnostic::new(
                        Code::ComponentSupportUnknown,
                        format!(
                            "{} more components of this SBOM have no stated support",
                            unknown.len() - MAX_LISTED
                        ),
                    )
                    .at(sbom.root_span, "this SBOM")
                    .help("a support table entry can cover every package of a type (`purl = \"pkg:cargo/*\"`); the support addendum (`{{#techfile support}}`) lists every component"),
                );
            }
        }
    }
    // Without any source, no component is tracked and there is nothing to show.
    if !support.tracked && notices.is_empty() {
        support
            .components
            .retain(|c| c.level.is_some() || c.end.is_some());
    }
    (support, diags)
}

/// Where an end of support stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Standing {
    /// It passed this many days before the day (`component-end-of-support`).
    Ended(i64),
    /// It comes in this many days, within the warning window (`component-eos-soon`).
    Ending(i64),
}

impl Standing {
    /// Where `end` stands on `today`, with an end within `warning_days` near; `None` for
    /// an end further away or none announced.
    pub(crate) fn of(today: Date, end: EndOfSupport, warning_days: u32) -> Option<Standing> {
        let EndOfSupport::Date(date) = end else {
            return None;
        };
        let days = days_between(today, date);
        if days < 0 {
            Some(Standing::Ended(-days))
        } else if days <= i64::from(warning_days) {
            Some(Standing::Ending(days))
        } else {
            None
        }
    }
}

/// An end of support past or near `today`.
fn judge(
    today: Date,
    end: &Sourced<EndOfSupport>,
    component: &crate::sbom::Component,
    config: &Config,
) -> Option<Diagnostic> {
    let EndOfSupport::Date(date) = end.value else {
        return None;
    };
    let (code, message) = match Standing::of(today, end.value, config.revalidate.eos_warning_days)?
    {
        Standing::Ended(ago) => (
            Code::ComponentEndOfSupport,
            format!(
                "support of `{}` ended on {date} ({} before {today})",
                component.label(),
                count_days(ago)
            ),
        ),
        Standing::Ending(left) => (
            Code::ComponentEosSoon,
            format!(
                "support of `{}` ends on {date}, in {}",
                component.label(),
                count_days(left)
            ),
        ),
    };
    let d = Diagnostic::new(code, message)
        .at(component.span, "this component")
        .help(format!(
            "update the component to a supported release and regenerate the SBOM, or assess the risk of keeping it (a risk item with `affects` naming it); the date comes from the {}",
            end.source.describe()
        ));
    Some(match end.source.span() {
        Some(span) if span != component.span => d.with_label(span, "end of support stated here"),
        _ => d,
    })
}

/// "1 day", "2 days".
pub(crate) fn count_days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// Days from `a` to `b` (negative when `b` is earlier).
pub(crate) fn days_between(a: Date, b: Date) -> i64 {
    let (a, b) = (a.civil(), b.civil());
    a.until(b)
        .map(|span| i64::from(span.get_days()))
        .unwrap_or_default()
}

/// A lifecycle property's date: `YYYY-MM-DD`, or an RFC 3339 date-time (its UTC day).
fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    Date::parse(s).or_else(|| {
        let t: jiff::Timestamp = s.parse().ok()?;
        Date::new(crate::stamp::utc(t).date())
    })
}

#[cfg(test)]
mod tests;
