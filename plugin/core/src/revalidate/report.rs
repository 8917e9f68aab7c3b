//! The revalidation report as JSON (`revalidate --format json`), versioned like
//! trace.json: the schema is `plugin/core/schemas/revalidate.schema.json`, and
//! `schema-version` changes when a field is removed or changes meaning.
//!
//! The report names everything the result depends on, so a run can be repeated and shown
//! as evidence: the date and where it came from, each advisory folder with its record
//! count, newest `modified` time and SHA-256, and the findings. Besides the vulnerabilities
//! it lists the components whose support has ended or ends soon, and counts the other
//! time-dependent and evidence findings, since the scheduled revalidation covers them too.

use crate::Analysis;
use crate::advisory::assess::Vulnerability;
use crate::diag::{self, Code};
use crate::lifecycle::{ComponentSupport, EndOfSupport, Standing};
use crate::sbom::Target;
use serde::Serialize;

/// Bumped when a field is removed or changes meaning; added fields keep the version.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// Where the revalidation date came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TodaySource {
    /// `--today YYYY-MM-DD`.
    Argument,
    /// The day of `SOURCE_DATE_EPOCH`.
    SourceDateEpoch,
    /// The machine's clock (UTC).
    Clock,
}

impl TodaySource {
    /// How the report names where the day came from (`from --today`).
    pub fn describe(self) -> &'static str {
        match self {
            TodaySource::Argument => "from --today",
            TodaySource::SourceDateEpoch => "from SOURCE_DATE_EPOCH",
            TodaySource::Clock => "from the clock (UTC)",
        }
    }
}

/// What the edge knows about the run besides the analysis.
#[derive(Clone, Debug)]
pub struct Run {
    /// The book folder as given on the command line.
    pub book: String,
    /// The day dates were judged on (UTC).
    pub today: crate::model::Date,
    /// Where that day came from.
    pub today_source: TodaySource,
    /// The version of mdbook-techfile that wrote the report.
    pub tool_version: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Report<'a> {
    schema_version: u32,
    generator: Generator<'a>,
    book: &'a str,
    today: String,
    today_source: TodaySource,
    advisory_sources: Vec<Source<'a>>,
    summary: Summary,
    vulnerabilities: Vec<Vuln<'a>>,
    unevaluated: Vec<Unevaluated<'a>>,
    not_checked: Vec<NotChecked<'a>>,
    support: Vec<SupportEnd<'a>>,
    findings: Vec<serde_json::Value>,
}

#[derive(Serialize)]
struct Generator<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Source<'a> {
    path: &'a str,
    records: usize,
    withdrawn: usize,
    rejected: usize,
    newest_modified: Option<String>,
    sha256: &'a str,
    ecosystems: Vec<&'a str>,
}

/// The counts a reader looks at first.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Summary {
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
    pub(crate) components: usize,
    pub(crate) checked: usize,
    pub(crate) not_checked: usize,
    pub(crate) vulnerabilities: usize,
    /// Settled by a complete VEX statement (`not_affected` or `fixed`).
    pub(crate) settled: usize,
    /// Neither settled nor informational.
    pub(crate) open: usize,
    pub(crate) informational: usize,
    pub(crate) unevaluated: usize,
    pub(crate) vex_statements: usize,
    /// Components whose end of support has passed.
    pub(crate) support_ended: usize,
    /// Components whose end of support comes within `revalidate.eos-warning-days`.
    pub(crate) support_ending: usize,
    /// Components no source gives a level or an end of support, in a book that keeps
    /// support data.
    pub(crate) support_unknown: usize,
    pub(crate) reviews_overdue: usize,
    pub(crate) reviews_due: usize,
    /// Findings about test evidence and JUnit results (`evidence-*`, `junit-*`).
    pub(crate) evidence_findings: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ComponentRef<'a> {
    sbom: &'a str,
    name: String,
    version: Option<&'a str>,
    purl: Option<&'a str>,
    bom_ref: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Severity<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    vector: &'a str,
    score: Option<String>,
    rating: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Vex<'a> {
    format: &'static str,
    file: &'a str,
    status: &'static str,
    label: &'a str,
    justification: Option<&'a str>,
    detail: Option<&'a str>,
    response: &'a [String],
    complete: bool,
    review_by: Option<String>,
    expired: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Vuln<'a> {
    component: ComponentRef<'a>,
    id: &'a str,
    aliases: &'a [String],
    summary: Option<&'a str>,
    severity: Option<Severity<'a>>,
    fixed: &'a [String],
    #[serde(rename = "match")]
    how: &'a str,
    informational: Option<&'a str>,
    url: Option<&'a str>,
    vex: Option<Vex<'a>>,
    settled: bool,
    items: Vec<&'a str>,
}

#[derive(Serialize)]
struct Unevaluated<'a> {
    component: ComponentRef<'a>,
    advisory: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct NotChecked<'a> {
    component: ComponentRef<'a>,
    reason: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct SupportEnd<'a> {
    component: ComponentRef<'a>,
    /// `ended` or `ending`.
    state: &'static str,
    end_of_support: String,
    /// Days from the run's date to the end of support (negative: it has passed).
    days: i64,
    level: Option<&'static str>,
    /// Where the end of support is stated.
    source: String,
}

/// The components whose support has ended, or ends within `revalidate.eos-warning-days`,
/// on the run's date, in SBOM and component order: what `component-end-of-support` and
/// `component-eos-soon` report, as a list.
pub(crate) fn support_ending(
    analysis: &Analysis,
) -> Vec<(&ComponentSupport, EndOfSupport, Standing)> {
    let Some(today) = analysis.support.today else {
        return Vec::new();
    };
    let window = analysis.config.revalidate.eos_warning_days;
    analysis
        .support
        .components
        .iter()
        .filter_map(|c| {
            let end = c.end.as_ref()?.value;
            Some((c, end, Standing::of(today, end, window)?))
        })
        .collect()
}

/// The component of a support entry, as advisories name it.
pub(crate) fn support_component(c: &ComponentSupport) -> Option<crate::advisory::ComponentId> {
    match c.id.target {
        Target::Component(component) => Some(crate::advisory::ComponentId {
            sbom: c.id.sbom,
            component,
        }),
        _ => None,
    }
}

fn component<'a>(analysis: &'a Analysis, id: crate::advisory::ComponentId) -> ComponentRef<'a> {
    let sbom = &analysis.sboms.sboms[id.sbom];
    let c = &sbom.components[id.component];
    ComponentRef {
        sbom: &sbom.path,
        name: match &c.group {
            Some(g) if !g.is_empty() => format!("{g}/{}", c.name),
            _ => c.name.clone(),
        },
        version: c.version.as_deref(),
        purl: c.purl.as_deref(),
        bom_ref: c.bom_ref.as_deref(),
    }
}

/// The counts of a run.
pub(crate) fn summary(analysis: &Analysis) -> Summary {
    let a = &analysis.vulnerabilities;
    let (errors, warnings) = diag::counts(&analysis.findings);
    let settled = a.vulnerabilities.iter().filter(|v| a.is_settled(v)).count();
    let informational = a
        .vulnerabilities
        .iter()
        .filter(|v| v.informational.is_some() && !a.is_settled(v))
        .count();
    let count = |f: &dyn Fn(Code) -> bool| analysis.findings.iter().filter(|d| f(d.code)).count();
    let ending = support_ending(analysis);
    Summary {
        errors,
        warnings,
        components: analysis
            .sboms
            .sboms
            .iter()
            .map(|s| s.components.len())
            .sum(),
        checked: a.checked,
        not_checked: a.not_checked.len(),
        vulnerabilities: a.vulnerabilities.len(),
        settled,
        open: a.vulnerabilities.len() - settled - informational,
        informational,
        unevaluated: a.unevaluated.len(),
        vex_statements: a.statements.len(),
        support_ended: ending
            .iter()
            .filter(|(_, _, s)| matches!(s, Standing::Ended(_)))
            .count(),
        support_ending: ending
            .iter()
            .filter(|(_, _, s)| matches!(s, Standing::Ending(_)))
            .count(),
        support_unknown: if analysis.support.tracked {
            analysis
                .support
                .components
                .iter()
                .filter(|c| c.level.is_none() && c.end.is_none())
                .count()
        } else {
            0
        },
        reviews_overdue: count(&|c| c == Code::ReviewOverdue),
        reviews_due: count(&|c| c == Code::ReviewDue),
        evidence_findings: count(&|c| {
            c.as_str().starts_with("evidence-") || c.as_str().starts_with("junit-")
        }),
    }
}

fn vuln<'a>(analysis: &'a Analysis, v: &'a Vulnerability) -> Vuln<'a> {
    let a = &analysis.vulnerabilities;
    let vex = v.statement.map(|s| {
        let st = &a.statements[s];
        let due = st.due(a.max_age);
        Vex {
            format: st.format.as_str(),
            file: analysis.map.name(st.file),
            status: st.status.as_str(),
            label: &st.label,
            justification: st.justification.as_deref(),
            detail: st.detail.as_deref(),
            response: &st.response,
            complete: st.complete,
            review_by: due.map(|d| d.to_string()),
            expired: matches!((due, a.today), (Some(d), Some(t)) if d < t),
        }
    });
    Vuln {
        component: component(analysis, v.component),
        id: &v.id,
        aliases: &v.aliases,
        summary: v.summary.as_deref(),
        severity: v.score.as_ref().map(|s| Severity {
            kind: &s.kind,
            vector: &s.vector,
            score: s.tenths.map(crate::cvss::tenths),
            rating: &s.rating,
        }),
        fixed: &v.fixed,
        how: &v.how,
        informational: v.informational.as_deref(),
        url: v.url.as_deref(),
        settled: a.is_settled(v),
        vex,
        items: analysis
            .sboms
            .affected_by
            .get(&v.component.object())
            .into_iter()
            .flatten()
            .map(|&i| analysis.items[i].id.as_str())
            .collect(),
    }
}

/// The day judged on and the advisory sources read, as the property bag of a SARIF run
/// (`runs[0].properties`), in SARIF's camelCase: `today`, `todaySource`, and per source
/// `path`, `records`, `withdrawn`, `rejected`, `newestModified` (RFC 3339, `null` when no
/// record has one) and `sha256` (as in the JSON report). A SARIF log read alone then still
/// says against what the results were judged.
pub fn sarif_properties(analysis: &Analysis, run: &Run) -> serde_json::Value {
    let sources: Vec<serde_json::Value> = analysis
        .vulnerabilities
        .sources
        .iter()
        .map(|s| {
            serde_json::json!({
                "path": s.path,
                "records": s.records,
                "withdrawn": s.withdrawn,
                "rejected": s.rejected,
                "newestModified": s.newest_modified.map(|m| m.to_string()),
                "sha256": s.sha256,
            })
        })
        .collect();
    serde_json::json!({
        "today": run.today.to_string(),
        "todaySource": run.today_source,
        "advisorySources": sources,
    })
}

/// One sentence naming the day judged on and each advisory source (path, records, newest
/// `modified`, SHA-256), for the GitHub format's `::notice`.
pub fn judged_against(analysis: &Analysis, run: &Run) -> String {
    let sources = &analysis.vulnerabilities.sources;
    let mut text = format!(
        "Revalidated on {} ({}) against ",
        run.today,
        run.today_source.describe()
    );
    if sources.is_empty() {
        text.push_str("no advisory folder: no component was checked against advisories.");
        return text;
    }
    let described: Vec<String> = sources
        .iter()
        .map(|s| {
            format!(
                "`{}` ({} record{}, newest modified {}, SHA-256 {})",
                s.path,
                s.records,
                if s.records == 1 { "" } else { "s" },
                s.newest_modified
                    .map_or("unknown".to_owned(), |m| m.to_string()),
                s.sha256
            )
        })
        .collect();
    text.push_str(&format!(
        "{} advisory folder{}: {}.",
        sources.len(),
        if sources.len() == 1 { "" } else { "s" },
        described.join("; ")
    ));
    text
}

/// The report as pretty-printed JSON, ending with a newline.
pub fn render(analysis: &Analysis, run: &Run) -> String {
    let a = &analysis.vulnerabilities;
    let report = Report {
        schema_version: SCHEMA_VERSION,
        generator: Generator {
            name: "mdbook-techfile",
            version: &run.tool_version,
        },
        book: &run.book,
        today: run.today.to_string(),
        today_source: run.today_source,
        advisory_sources: a
            .sources
            .iter()
            .map(|s| Source {
                path: &s.path,
                records: s.records,
                withdrawn: s.withdrawn,
                rejected: s.rejected,
                newest_modified: s.newest_modified.map(|m| m.to_string()),
                sha256: &s.sha256,
                ecosystems: s.ecosystems.iter().map(String::as_str).collect(),
            })
            .collect(),
        summary: summary(analysis),
        vulnerabilities: a
            .vulnerabilities
            .iter()
            .map(|v| vuln(analysis, v))
            .collect(),
        unevaluated: a
            .unevaluated
            .iter()
            .map(|u| Unevaluated {
                component: component(analysis, u.component),
                advisory: &a.record_ids[u.record],
                reason: &u.reason,
            })
            .collect(),
        not_checked: a
            .not_checked
            .iter()
            .map(|(id, reason)| NotChecked {
                component: component(analysis, *id),
                reason,
            })
            .collect(),
        support: support_ending(analysis)
            .into_iter()
            .filter_map(|(c, end, standing)| {
                let EndOfSupport::Date(date) = end else {
                    return None;
                };
                let (state, days) = match standing {
                    Standing::Ended(ago) => ("ended", -ago),
                    Standing::Ending(left) => ("ending", left),
                };
                Some(SupportEnd {
                    component: component(analysis, support_component(c)?),
                    state,
                    end_of_support: date.to_string(),
                    days,
                    level: c.level.as_ref().map(|l| l.value.as_str()),
                    source: c.end.as_ref()?.source.describe(),
                })
            })
            .collect(),
        findings: analysis
            .findings
            .iter()
            .map(|d| diag::json_value(d, &analysis.map))
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
