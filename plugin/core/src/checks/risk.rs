//! Security risk findings: scale words (`invalid-value`), `residual-risk-unacceptable`,
//! `residual-risk-increased`, `risk-not-verified` and `risk-information-only`.
//!
//! The loader has checked every risk key it can without the configuration; what needs
//! the scales and the acceptance matrix, or the trace to controls and tests, is here.

use super::coverage::Open;
use crate::config::RiskConfig;
use crate::config::risk::Acceptance;
use crate::diag::{Code, Diagnostic};
use crate::graph::{Node, TraceGraph};
use crate::model::{
    Estimate, Exploitability, Item, Measure, Relation, RiskFields, Span, Status, TestResult,
};
use crate::risk::{self, Cell, Rated};

/// The risk findings, with drafts' judgements taken out as open work (see [`assess`]).
#[cfg(test)]
pub(crate) fn check(graph: &TraceGraph<'_>, config: &RiskConfig) -> Vec<Diagnostic> {
    assess(graph, config, false).0
}

/// The risk findings, and the open work of draft risks. A risk that says
/// `status = "draft"` is an analysis in progress, whose residual estimates may be
/// placeholders: unless `drafts_count` (`coverage.draft`, a release check), what
/// `residual-risk-unacceptable` and `residual-risk-increased` find in it is open work, like
/// every other gap of a draft, not a finding that fails the build. Scale words and
/// `risk-information-only` judge what is written and apply to drafts too.
pub(crate) fn assess(
    graph: &TraceGraph<'_>,
    config: &RiskConfig,
    drafts_count: bool,
) -> (Vec<Diagnostic>, Vec<Open>) {
    let mut out = Vec::new();
    let mut open = Vec::new();
    for (i, item) in graph.items.iter().enumerate() {
        let Some(fields) = &item.risk else { continue };
        // Words are checked on every risk, obsolete ones too: like every other value, a
        // bad one is an error wherever it is written.
        for estimate in [&fields.initial, &fields.residual] {
            scale_words(config, estimate, &mut out);
        }
        if item.status == Status::Obsolete || !graph.is_canonical(i) {
            continue;
        }
        let initial = risk::rate(config, &fields.initial);
        let residual = risk::rate(config, &fields.residual);
        let mut judged = Vec::new();
        if let Some(after) = residual.cell() {
            if risk::level(config, after) == Acceptance::Unacceptable
                && fields.benefit_risk.is_none()
            {
                judged.push(unacceptable(config, item, fields, after, &residual));
            }
            if let Some(before) = initial.cell()
                && risk::increased(config, before, after)
            {
                judged.push(increased(config, item, fields, before, after));
            }
        }
        if item.is_declared_draft() && !drafts_count {
            open.extend(judged.into_iter().map(|d| Open {
                id: item.id.clone(),
                span: Some(d.primary.as_ref().map_or(item.id_span, |l| l.span)),
                code: Some(d.code),
                what: format!("is a draft, and {}", d.message),
            }));
        } else {
            out.extend(judged);
        }
        let controls = graph.traced_by(Node::Item(i), Relation::Mitigates);
        if controls.is_empty() {
            // `risk-not-mitigated` reports a risk without controls.
            continue;
        }
        // A draft is an analysis in progress; its controls may not be tested yet.
        if item.status != Status::Draft && !controls.iter().any(|&c| verification(graph, c).is_ok())
        {
            out.push(not_verified(graph, item, &controls));
        }
        let information_only = controls.iter().all(|&c| {
            graph.items[c]
                .measure
                .as_ref()
                .is_some_and(|m| m.value == Measure::Information)
        });
        if information_only && fields.design_infeasible.is_none() {
            out.push(information(graph, item, &controls));
        }
    }
    (out, open)
}

fn scale_words(config: &RiskConfig, estimate: &Estimate, out: &mut Vec<Diagnostic>) {
    if let Some(e) = &estimate.exploitability
        && let Exploitability::Word(w) = &e.value
        && risk::exploitability_index(config, w).is_none()
    {
        out.push(unknown_word(
            "exploitability",
            w,
            e.span,
            &config.exploitability,
        ));
    }
    if let Some(s) = &estimate.severity
        && risk::severity_index(config, &s.value).is_none()
    {
        out.push(unknown_word("severity", &s.value, s.span, &config.severity));
    }
}

fn unknown_word(scale: &str, word: &str, span: Span, words: &[String]) -> Diagnostic {
    let list = words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let help = match crate::suggest::closest(word, words.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`? The {scale} scale is {list}"),
        None => {
            format!("use a word of the {scale} scale: {list} (set in [preprocessor.techfile.risk])")
        }
    };
    Diagnostic::new(
        Code::InvalidValue,
        format!("unknown {scale} level `{word}`"),
    )
    .at(span, "not on the scale")
    .help(help)
}

/// "occasional / serious (review)", the words and level of a cell.
fn described(config: &RiskConfig, cell: Cell) -> String {
    format!(
        "{} ({})",
        risk::cell_words(config, cell),
        risk::level(config, cell).as_str()
    )
}

/// The primary and secondary spans of an estimate: the severity, then the exploitability.
fn estimate_spans(estimate: &Estimate) -> (Option<Span>, Option<Span>) {
    (
        estimate.severity.as_ref().map(|s| s.span),
        estimate.exploitability.as_ref().map(|e| e.span),
    )
}

/// The label under an exploitability written as a CVSS vector, which says how it mapped.
fn exploitability_label(config: &RiskConfig, rated: &Rated, plain: &str) -> String {
    match (rated.cvss_tenths, rated.row) {
        (Some(t), Some(row)) => format!(
            "CVSS exploitability {} maps to `{}`",
            crate::cvss::tenths(t),
            config.exploitability[row]
        ),
        _ => plain.into(),
    }
}

fn with_spans(
    mut d: Diagnostic,
    spans: (Option<Span>, Option<Span>),
    primary: String,
    secondary: String,
    fallback: Span,
) -> Diagnostic {
    match spans {
        (Some(p), s) => {
            d = d.at(p, primary);
            if let Some(s) = s {
                d = d.with_label(s, secondary);
            }
        }
        (None, Some(s)) => d = d.at(s, primary),
        (None, None) => d = d.at(fallback, primary),
    }
    d
}

fn unacceptable(
    config: &RiskConfig,
    item: &Item,
    fields: &RiskFields,
    after: Cell,
    rated: &Rated,
) -> Diagnostic {
    let d = Diagnostic::new(
        Code::ResidualRiskUnacceptable,
        format!(
            "the residual risk of `{}` is unacceptable: {}",
            item.id,
            risk::cell_words(config, after)
        ),
    )
    .help("reduce the risk further with controls; if the medical benefit outweighs the residual risk, record the benefit-risk analysis with `benefit-risk = \"...\"`");
    with_spans(
        d,
        estimate_spans(&fields.residual),
        format!("after controls: {}", described(config, after)),
        exploitability_label(config, rated, "residual exploitability"),
        item.id_span,
    )
}

fn increased(
    config: &RiskConfig,
    item: &Item,
    fields: &RiskFields,
    before: Cell,
    after: Cell,
) -> Diagnostic {
    let higher_level = risk::level(config, after) > risk::level(config, before);
    let message = if higher_level {
        format!(
            "the residual risk of `{}` is higher than before controls",
            item.id
        )
    } else {
        format!(
            "the residual estimate of `{}` is worse than before controls in the same {} region",
            item.id,
            risk::level(config, after).as_str()
        )
    };
    let mut d = Diagnostic::new(Code::ResidualRiskIncreased, message)
        .help("controls do not make a risk more likely or more severe: check that the estimates before and after controls are not swapped; a new risk that a control brings in is a risk item of its own");
    let (after_span, _) = estimate_spans(&fields.residual);
    let (before_span, before_expl) = estimate_spans(&fields.initial);
    d = d.at(
        after_span
            .or(fields.residual.exploitability.as_ref().map(|e| e.span))
            .unwrap_or(item.id_span),
        format!("after controls: {}", described(config, after)),
    );
    if let Some(s) = before_span.or(before_expl) {
        d = d.with_label(s, format!("before controls: {}", described(config, before)));
    }
    d
}

/// Whether a control is verified: a live test passes and none fails. `Err` says why not.
fn verification(graph: &TraceGraph<'_>, control: usize) -> Result<(), String> {
    let id = &graph.items[control].id;
    let tests = graph.traced_by(Node::Item(control), Relation::Verifies);
    if let Some(&t) = tests
        .iter()
        .find(|&&t| graph.items[t].result == Some(TestResult::Fail))
    {
        return Err(format!("`{id}` fails its test `{}`", graph.items[t].id));
    }
    if tests
        .iter()
        .any(|&t| graph.items[t].result == Some(TestResult::Pass))
    {
        return Ok(());
    }
    Err(if tests.is_empty() {
        format!("`{id}` has no test")
    } else {
        format!("no test of `{id}` has passed yet")
    })
}

/// The span of the `mitigates` entry in a control that names `risk`.
fn mitigation_span(control: &Item, risk: &str) -> Span {
    control
        .links_of(Relation::Mitigates)
        .find(|l| l.target == risk)
        .map_or(control.id_span, |l| l.span)
}

fn not_verified(graph: &TraceGraph<'_>, item: &Item, controls: &[usize]) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::RiskNotVerified,
        format!(
            "risk `{}` has no verified control (a control with a passing test and no failing one)",
            item.id
        ),
    )
    .at(item.id_span, "risk defined here");
    for &c in controls {
        let why = verification(graph, c).err().unwrap_or_default();
        d = d.with_label(mitigation_span(&graph.items[c], &item.id), why);
    }
    d.help("record the passing result with `result = \"pass\"` on a test that `verifies` one of these controls; until then the risk reduction is not shown to work")
}

fn information(graph: &TraceGraph<'_>, item: &Item, controls: &[usize]) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::RiskInformationOnly,
        format!(
            "risk `{}` is controlled by information for safety only",
            item.id
        ),
    )
    .at(item.id_span, "risk defined here");
    for &c in controls {
        if let Some(m) = &graph.items[c].measure {
            d = d.with_label(
                m.span,
                format!("`{}` is information for safety", graph.items[c].id),
            );
        }
    }
    d.help("MDCG 2019-16 section 3.3 puts secure design first, then protective measures, then information; add a design or protective control, or record why neither is possible with `design-infeasible = \"...\"`")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::load::parse_item;
    use crate::model::SourceMap;

    /// Items from front-matter snippets (`id`, `kind` and `title` are added).
    fn items(specs: &[(&str, &str, &str)]) -> (Vec<Item>, Vec<Diagnostic>) {
        let mut map = SourceMap::new();
        let mut items = Vec::new();
        let mut diags = Vec::new();
        for (id, kind, extra) in specs {
            let text =
                format!("+++\nid = \"{id}\"\nkind = \"{kind}\"\ntitle = \"t\"\n{extra}\n+++\n");
            let f = map.add(format!("{id}.md"), text.clone());
            let (item, d) = parse_item(f, &text);
            diags.extend(d);
            items.extend(item);
        }
        (items, diags)
    }

    fn run(specs: &[(&str, &str, &str)]) -> Vec<(&'static str, String)> {
        let (items, load) = items(specs);
        assert!(load.is_empty(), "{load:?}");
        let index = crate::graph::GraphIndex::build(Catalog::builtin(), &items);
        let graph = index.view(Catalog::builtin(), &items);
        check(&graph, &RiskConfig::default())
            .into_iter()
            .map(|d| (d.code.as_str(), d.message))
            .collect()
    }

    const EST: &str =
        "status = \"approved\"\nasset = \"a\"\nthreat = \"t\"\nsafety-impact = false\n";

    fn risk(estimates: &str) -> String {
        format!("{EST}{estimates}")
    }

    fn codes(specs: &[(&str, &str, &str)]) -> Vec<&'static str> {
        run(specs).into_iter().map(|(c, _)| c).collect()
    }

    const PASS: (&str, &str, &str) = ("TST-1", "test", "verifies = [\"CTL-1\"]\nresult = \"pass\"");

    #[test]
    fn a_clean_risk_has_no_findings() {
        let r = risk(
            "exploitability = \"probable\"\nseverity = \"serious\"\nresidual-exploitability = \"improbable\"\nresidual-severity = \"serious\"",
        );
        assert!(
            codes(&[
                ("RSK-1", "risk", &r),
                (
                    "CTL-1",
                    "control",
                    "mitigates = [\"RSK-1\"]\nmeasure = \"design\""
                ),
                PASS,
            ])
            .is_empty()
        );
    }

    #[test]
    fn unacceptable_residual_needs_a_justification() {
        let r = risk(
            "exploitability = \"frequent\"\nseverity = \"critical\"\nresidual-exploitability = \"probable\"\nresidual-severity = \"serious\"",
        );
        let ctl = ("CTL-1", "control", "mitigates = [\"RSK-1\"]");
        assert_eq!(
            run(&[("RSK-1", "risk", &r), ctl, PASS]),
            [(
                "residual-risk-unacceptable",
                "the residual risk of `RSK-1` is unacceptable: probable / serious".to_string()
            )]
        );
        let justified = format!("{r}\nbenefit-risk = \"Weighed by the board.\"");
        assert!(codes(&[("RSK-1", "risk", &justified), ctl, PASS]).is_empty());
    }

    #[test]
    fn a_draft_risk_judged_unacceptable_is_open_work_until_it_leaves_draft() {
        let estimates = "exploitability = \"remote\"\nseverity = \"minor\"\nresidual-exploitability = \"frequent\"\nresidual-severity = \"catastrophic\"";
        let ctl = ("CTL-1", "control", "mitigates = [\"RSK-1\"]");
        let draft = risk(estimates).replace("\"approved\"", "\"draft\"");
        let (items, load) = items(&[("RSK-1", "risk", &draft), ctl, PASS]);
        assert!(load.is_empty(), "{load:?}");
        let index = crate::graph::GraphIndex::build(Catalog::builtin(), &items);
        let graph = index.view(Catalog::builtin(), &items);
        let (found, open) = assess(&graph, &RiskConfig::default(), false);
        assert!(found.is_empty(), "{found:?}");
        let open: Vec<(&str, Option<Code>)> =
            open.iter().map(|o| (o.id.as_str(), o.code)).collect();
        assert_eq!(
            open,
            [
                ("RSK-1", Some(Code::ResidualRiskUnacceptable)),
                ("RSK-1", Some(Code::ResidualRiskIncreased)),
            ]
        );
        // A release check (`coverage.draft`) judges drafts too.
        let (found, open) = assess(&graph, &RiskConfig::default(), true);
        assert!(open.is_empty());
        let found: Vec<&str> = found.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            found,
            ["residual-risk-unacceptable", "residual-risk-increased"]
        );
        // Out of draft, the same estimates are errors.
        let approved = risk(estimates);
        assert_eq!(
            codes(&[("RSK-1", "risk", approved.as_str()), ctl, PASS]),
            ["residual-risk-unacceptable", "residual-risk-increased"]
        );
    }

    #[test]
    fn a_higher_residual_is_an_error() {
        let ctl = ("CTL-1", "control", "mitigates = [\"RSK-1\"]");
        let higher = risk(
            "exploitability = \"remote\"\nseverity = \"minor\"\nresidual-exploitability = \"occasional\"\nresidual-severity = \"serious\"",
        );
        let found = run(&[("RSK-1", "risk", &higher), ctl, PASS]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "residual-risk-increased");
        assert!(found[0].1.contains("higher than before"), "{found:?}");
        // Same region, more severe, as likely: worse.
        let worse = risk(
            "exploitability = \"occasional\"\nseverity = \"minor\"\nresidual-exploitability = \"occasional\"\nresidual-severity = \"serious\"",
        );
        let found = run(&[("RSK-1", "risk", &worse), ctl, PASS]);
        assert_eq!(found[0].0, "residual-risk-increased");
        assert!(found[0].1.contains("same review region"), "{found:?}");
        // A trade-off in the same region is judged by the level: fine.
        let trade = risk(
            "exploitability = \"remote\"\nseverity = \"critical\"\nresidual-exploitability = \"occasional\"\nresidual-severity = \"serious\"",
        );
        assert!(codes(&[("RSK-1", "risk", &trade), ctl, PASS]).is_empty());
    }

    #[test]
    fn cvss_estimates_are_rated_through_the_thresholds() {
        // 3.9 -> frequent; with critical that is unacceptable.
        let r = risk(
            "cvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"\nseverity = \"critical\"\nresidual-cvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"\nresidual-severity = \"critical\"",
        );
        let (items, _) = items(&[
            ("RSK-1", "risk", &r),
            ("CTL-1", "control", "mitigates = [\"RSK-1\"]"),
            PASS,
        ]);
        let index = crate::graph::GraphIndex::build(Catalog::builtin(), &items);
        let graph = index.view(Catalog::builtin(), &items);
        let d = check(&graph, &RiskConfig::default());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::ResidualRiskUnacceptable);
        assert_eq!(
            d[0].secondary[0].message,
            "CVSS exploitability 3.9 maps to `frequent`"
        );
    }

    #[test]
    fn unknown_scale_words_name_the_scale() {
        let r = risk(
            "exploitability = \"often\"\nseverity = \"serius\"\nresidual-exploitability = \"remote\"\nresidual-severity = \"minor\"",
        );
        let (items, _) = items(&[("RSK-1", "risk", &r)]);
        let index = crate::graph::GraphIndex::build(Catalog::builtin(), &items);
        let graph = index.view(Catalog::builtin(), &items);
        let d = check(&graph, &RiskConfig::default());
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].code, Code::InvalidValue);
        assert_eq!(d[0].message, "unknown exploitability level `often`");
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .contains("`frequent`, `probable`")
        );
        assert_eq!(d[1].message, "unknown severity level `serius`");
        assert!(
            d[1].help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `serious`?")
        );
    }

    #[test]
    fn a_risk_needs_a_control_with_a_passing_test() {
        let r = risk(
            "exploitability = \"remote\"\nseverity = \"minor\"\nresidual-exploitability = \"improbable\"\nresidual-severity = \"minor\"",
        );
        let ctl = ("CTL-1", "control", "mitigates = [\"RSK-1\"]");
        let not_run = (
            "TST-1",
            "test",
            "verifies = [\"CTL-1\"]\nresult = \"not-run\"",
        );
        assert_eq!(
            codes(&[("RSK-1", "risk", &r), ctl, not_run]),
            ["risk-not-verified"]
        );
        // A failing test outweighs a passing one.
        let fail = ("TST-2", "test", "verifies = [\"CTL-1\"]\nresult = \"fail\"");
        let (items, _) = items(&[("RSK-1", "risk", &r), ctl, PASS, fail]);
        let index = crate::graph::GraphIndex::build(Catalog::builtin(), &items);
        let graph = index.view(Catalog::builtin(), &items);
        let d = check(&graph, &RiskConfig::default());
        assert_eq!(d[0].code, Code::RiskNotVerified);
        assert_eq!(d[0].secondary[0].message, "`CTL-1` fails its test `TST-2`");
        // One verified control among several is enough.
        let other = ("CTL-2", "control", "mitigates = [\"RSK-1\"]");
        let pass2 = ("TST-3", "test", "verifies = [\"CTL-2\"]\nresult = \"pass\"");
        assert!(codes(&[("RSK-1", "risk", &r), ctl, not_run, other, pass2]).is_empty());
        // Drafts are still being analysed; a risk without controls is risk-not-mitigated's.
        let draft = "exploitability = \"remote\"";
        assert!(codes(&[("RSK-1", "risk", draft), ctl, not_run]).is_empty());
        assert!(codes(&[("RSK-1", "risk", &r)]).is_empty());
    }

    #[test]
    fn information_only_is_a_warning_unless_design_is_infeasible() {
        let r = risk(
            "exploitability = \"remote\"\nseverity = \"minor\"\nresidual-exploitability = \"improbable\"\nresidual-severity = \"minor\"",
        );
        let info = (
            "CTL-1",
            "control",
            "mitigates = [\"RSK-1\"]\nmeasure = \"information\"",
        );
        assert_eq!(
            codes(&[("RSK-1", "risk", &r), info, PASS]),
            ["risk-information-only"]
        );
        let waived = format!("{r}\ndesign-infeasible = \"Radio jamming cannot be prevented.\"");
        assert!(codes(&[("RSK-1", "risk", &waived), info, PASS]).is_empty());
        // A control of unknown type might be a design control: no finding.
        let unknown = ("CTL-2", "control", "mitigates = [\"RSK-1\"]");
        let pass2 = ("TST-2", "test", "verifies = [\"CTL-2\"]\nresult = \"pass\"");
        assert!(codes(&[("RSK-1", "risk", &r), info, PASS, unknown, pass2]).is_empty());
    }
}
