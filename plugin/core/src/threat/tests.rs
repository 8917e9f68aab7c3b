use super::diagram::{Scope, build};
use super::*;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::graph::GraphIndex;
use crate::load::{Input, load_items};
use crate::model::SourceMap;

/// Items from `(file name, front-matter lines)`; each file's `id` is its name.
fn items(specs: &[(&str, &str, &str)]) -> Vec<Item> {
    let mut map = SourceMap::new();
    let inputs = specs
        .iter()
        .map(|(id, kind, extra)| Input {
            name: format!("{id}.md"),
            path: format!("{id}.md"),
            content: Ok(format!(
                "+++\nid = \"{id}\"\nkind = \"{kind}\"\ntitle = \"{id} title\"\n{extra}\n+++\n"
            )
            .into_bytes()),
        })
        .collect();
    let (items, diags) = load_items(&mut map, inputs);
    assert!(
        diags.is_empty(),
        "{:?}",
        diags.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    items
}

fn with_model<T>(specs: &[(&str, &str, &str)], f: impl FnOnce(&Model<'_, '_>) -> T) -> T {
    let items = items(specs);
    let index = GraphIndex::build(Catalog::builtin(), &items);
    let graph = index.view(Catalog::builtin(), &items);
    let model = Model::new(&graph);
    f(&model)
}

fn codes(specs: &[(&str, &str, &str)], config: &Config) -> Vec<(String, String)> {
    let items = items(specs);
    let index = GraphIndex::build(Catalog::builtin(), &items);
    let graph = index.view(Catalog::builtin(), &items);
    let mut out: Vec<(String, String)> = crate::checks::run(&graph, config, None)
        .0
        .into_iter()
        .filter(|d| !matches!(d.code.family(), "coverage" | "risk"))
        .map(|d| (d.code.as_str().to_string(), d.message))
        .collect();
    out.sort();
    out
}

fn ids(model: &Model<'_, '_>, v: &[usize]) -> Vec<String> {
    v.iter().map(|&i| model.item(i).id.clone()).collect()
}

const NESTED: &[(&str, &str, &str)] = &[
    ("P-A", "process", ""),
    ("P-B", "process", ""),
    ("P-C", "process", ""),
    (
        "TB-OUT",
        "trust-boundary",
        "contains = [\"TB-IN\", \"P-B\"]",
    ),
    ("TB-IN", "trust-boundary", "contains = [\"P-C\"]"),
    ("F-1", "data-flow", "from = \"P-A\"\nto = \"P-C\""),
    ("F-2", "data-flow", "from = \"P-B\"\nto = \"P-C\""),
    (
        "F-3",
        "data-flow",
        "from = \"P-C\"\nto = \"P-B\"\nstatus = \"obsolete\"",
    ),
];

#[test]
fn boundaries_nest_and_flows_cross_the_ones_between_their_ends() {
    with_model(NESTED, |m| {
        let g = m.graph;
        let i = |id: &str| match g.lookup(id) {
            Some(crate::graph::Node::Item(i)) => i,
            _ => panic!("{id}"),
        };
        assert_eq!(ids(m, m.boundaries_of(i("P-C"))), ["TB-IN", "TB-OUT"]);
        assert_eq!(ids(m, m.boundaries_of(i("TB-IN"))), ["TB-OUT"]);
        assert!(m.boundaries_of(i("P-A")).is_empty());
        assert_eq!(m.innermost(i("P-C")), Some(i("TB-IN")));
        assert!(m.nests(i("TB-OUT"), i("TB-IN")));
        assert_eq!(ids(m, &m.crossings(i("F-1"))), ["TB-IN", "TB-OUT"]);
        assert_eq!(ids(m, &m.crossings(i("F-2"))), ["TB-IN"]);
        // Obsolete flows are not part of the model.
        assert_eq!(ids(m, m.of_kind(Kind::DataFlow)), ["F-1", "F-2"]);
    });
}

#[test]
fn stride_cells_follow_the_element_type_risks_and_reasons() {
    let specs = [
        (
            "P-1",
            "process",
            "not-applicable = { repudiation = \"no user acts through it\", spoofing = \"named\" }",
        ),
        ("A-1", "actor", "actor-type = \"attacker\""),
        (
            "R-1",
            "risk",
            "elements = [\"P-1\"]\nstride = [\"tampering\", \"spoofing\"]",
        ),
        (
            "R-2",
            "risk",
            "elements = [\"P-1\"]\nstride = [\"tampering\"]\nstatus = \"obsolete\"",
        ),
    ];
    with_model(&specs, |m| {
        let p = m.of_kind(Kind::Process)[0];
        let c = StrideConfig::default();
        assert!(
            matches!(m.cell(&c, p, Stride::Tampering), Cell::Risks(r) if ids(m, &r) == ["R-1"])
        );
        // A risk wins over a reason (the contradiction is a finding of its own).
        assert!(matches!(m.cell(&c, p, Stride::Spoofing), Cell::Risks(_)));
        assert_eq!(
            m.cell(&c, p, Stride::Repudiation),
            Cell::NotApplicable("no user acts through it")
        );
        assert_eq!(m.cell(&c, p, Stride::DenialOfService), Cell::Gap);
        // Attacker profiles are threat sources, not elements to analyse.
        let a = m.of_kind(Kind::Actor)[0];
        assert!(m.is_attacker(a));
        assert_eq!(m.cell(&c, a, Stride::Spoofing), Cell::Inapplicable);
        assert_eq!(ids(m, &m.stride_elements()), ["P-1"]);
    });
}

#[test]
fn model_checks_report_each_problem_once() {
    let mut config = Config::default();
    config.stride.process.clear();
    config.stride.actor.clear();
    config.stride.data_flow.clear();
    config.stride.data_store.clear();
    let specs = [
        ("AST-1", "asset", ""),
        ("P-1", "process", ""),
        ("P-2", "process", ""),
        ("P-3", "process", ""),
        ("IF-1", "interface", "element = \"P-3\""),
        ("IF-2", "interface", "element = \"P-1\""),
        ("TB-1", "trust-boundary", "contains = [\"P-1\"]"),
        ("TB-2", "trust-boundary", "contains = [\"P-1\", \"P-2\"]"),
        ("F-1", "data-flow", "from = \"P-1\"\nto = \"P-3\""),
        (
            "F-2",
            "data-flow",
            "from = \"P-1\"\nto = \"P-2\"\ninterfaces = [\"IF-1\"]",
        ),
        (
            "R-1",
            "risk",
            "status = \"approved\"\nasset = \"x\"\nthreat = \"t\"\nexploitability = \"remote\"\nseverity = \"minor\"\nresidual-exploitability = \"remote\"\nresidual-severity = \"minor\"\nsafety-impact = false",
        ),
    ];
    let found = codes(&specs, &config);
    let expect = [
        ("asset-not-analysed", "asset `AST-1` is named by no risk"),
        (
            "boundary-overlap",
            "`P-1` is inside trust boundaries `TB-1` and `TB-2`, and neither contains the other",
        ),
        (
            "crossing-without-interface",
            "data flow `F-1` crosses trust boundary `TB-1`, `TB-2` but passes no interface",
        ),
        (
            "flow-interface-mismatch",
            "data flow `F-2` passes interface `IF-1` of `P-3`, which is neither its source `P-1` nor its destination `P-2`",
        ),
        (
            "interface-without-flow",
            "interface `IF-2` carries no data flow",
        ),
        (
            "risk-outside-model",
            "risk `R-1` names no element of the threat model",
        ),
    ];
    let expect: Vec<(String, String)> = expect
        .iter()
        .map(|(c, m)| (c.to_string(), m.to_string()))
        .collect();
    assert_eq!(found, expect);
    // Each rule can be switched off.
    config.coverage.asset = false;
    config.coverage.interface = false;
    config.coverage.crossing = false;
    config.coverage.risk_model = false;
    let found = codes(&specs, &config);
    let left: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(left, ["boundary-overlap", "flow-interface-mismatch"]);
}

#[test]
fn stride_findings_name_the_missing_categories_and_bad_reasons() {
    let specs = [
        (
            "S-1",
            "data-store",
            "not-applicable = { spoofing = \"stores cannot be spoofed\", repudiation = \"append-only\" }",
        ),
        (
            "R-1",
            "risk",
            "elements = [\"S-1\"]\nstride = [\"tampering\", \"repudiation\"]",
        ),
    ];
    let found = codes(&specs, &Config::default());
    assert_eq!(
        found,
        [
            (
                "invalid-value".to_string(),
                "`not-applicable` gives a reason for spoofing, which STRIDE per element does not apply to a data store".to_string()
            ),
            (
                "not-applicable-contradicted".to_string(),
                "`S-1` says repudiation does not apply, but `R-1` analyses it".to_string()
            ),
            (
                "stride-gap".to_string(),
                "data store `S-1` has no risk for information-disclosure, denial-of-service"
                    .to_string()
            ),
        ]
    );
}

#[test]
fn references_to_missing_or_wrong_elements_are_trace_findings() {
    let specs = [
        ("P-1", "process", ""),
        ("AST-1", "asset", ""),
        ("TB-A", "trust-boundary", "contains = [\"TB-B\"]"),
        ("TB-B", "trust-boundary", "contains = [\"TB-A\", \"P-1\"]"),
        (
            "F-1",
            "data-flow",
            "from = \"P-1\"\nto = \"AST-1\"\ninterfaces = [\"IF-9\"]",
        ),
    ];
    let mut config = Config::default();
    config.coverage.stride = false;
    config.coverage.asset = false;
    let found = codes(&specs, &config);
    let codes: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        codes,
        ["trace-cycle", "unknown-id", "wrong-link-kind"],
        "{found:?}"
    );
    assert_eq!(found[0].1, "trace links form a cycle: TB-A -> TB-B -> TB-A");
    assert_eq!(found[1].1, "`F-1` passes through unknown ID `IF-9`");
    assert_eq!(found[2].1, "a data flow cannot `to` an asset");
}

#[test]
fn diagrams_are_the_same_text_every_time_and_scoped() {
    with_model(NESTED, |m| {
        let whole = build(m, Scope::Whole);
        assert_eq!(whole, build(m, Scope::Whole));
        assert_eq!(whole.nodes.len(), 3);
        assert_eq!(whole.boundaries.len(), 2);
        assert_eq!(whole.flows.len(), 2);
        // TB-IN is drawn inside TB-OUT, P-C inside TB-IN.
        let outer = whole.dot.find("subgraph cluster_1").unwrap();
        let inner = whole.dot.find("subgraph cluster_0").unwrap();
        assert!(outer < inner, "{}", whole.dot);
        let tb_in = m
            .of_kind(Kind::TrustBoundary)
            .iter()
            .copied()
            .find(|&b| m.item(b).id == "TB-IN")
            .unwrap();
        let part = build(m, Scope::Boundary(tb_in));
        // P-C inside, P-A and P-B as context.
        let context: Vec<bool> = part.nodes.iter().map(|&(_, c)| c).collect();
        assert_eq!(context, [true, true, false]);
        assert_eq!(part.flows.len(), 2);
    });
}

#[test]
fn an_empty_model_draws_nothing() {
    with_model(&[("REQ-1", "requirement", "")], |m| {
        assert!(m.is_empty());
        let d = build(m, Scope::Whole);
        assert!(d.nodes.is_empty());
        assert!(m.stride_elements().is_empty());
    });
}

#[test]
fn threat_dragon_import_refuses_what_it_cannot_read() {
    assert!(dragon::import("{").unwrap_err().contains("not a JSON file"));
    assert!(
        dragon::import("{\"summary\": {}}")
            .unwrap_err()
            .contains("no `detail.diagrams`")
    );
    assert!(
        dragon::import("{\"detail\": {\"diagrams\": [{\"diagramJson\": {}}]}}")
            .unwrap_err()
            .contains("version 1")
    );
    assert!(
        dragon::import("{\"detail\": {\"diagrams\": []}}")
            .unwrap_err()
            .contains("no diagrams")
    );
}

#[test]
fn large_diagrams_are_laid_out_once_and_for_speed() {
    // 61 processes and 60 flows: past the size where a diagram is an overview.
    let mut specs: Vec<(String, &str, String)> = (0..61)
        .map(|n| (format!("P-{n:02}"), "process", String::new()))
        .collect();
    specs.extend((0..60).map(|n| {
        (
            format!("F-{n:02}"),
            "data-flow",
            format!("from = \"P-{n:02}\"\nto = \"P-{:02}\"", n + 1),
        )
    }));
    let specs: Vec<(&str, &str, &str)> = specs
        .iter()
        .map(|(a, b, c)| (a.as_str(), *b, c.as_str()))
        .collect();
    with_model(&specs, |m| {
        let d = build(m, Scope::Whole);
        assert_eq!(d.size(), 121);
        assert!(d.dot.contains("splines=line"));
        assert!(d.dot.contains("xlabel=\"F-00\""));
        assert!(d.dot_tb.is_empty());
    });
    with_model(&specs[..10], |m| {
        let d = build(m, Scope::Whole);
        assert!(!d.dot.contains("splines=line"));
        assert!(d.dot_tb.contains("rankdir=TB"));
    });
}

/// The open work and the model findings of `specs` under `config`.
fn open_and_codes(
    specs: &[(&str, &str, &str)],
    config: &Config,
) -> (Vec<(String, String)>, Vec<String>) {
    let items = items(specs);
    let index = GraphIndex::build(Catalog::builtin(), &items);
    let graph = index.view(Catalog::builtin(), &items);
    let (findings, open) = crate::checks::run(&graph, config, None);
    let codes = findings
        .iter()
        .filter(|d| d.code.family() == "model")
        .map(|d| d.code.as_str().to_string())
        .collect();
    let open = open.into_iter().map(|o| (o.id, o.what)).collect();
    (open, codes)
}

#[test]
fn drafts_of_the_model_are_open_work_unless_coverage_draft_is_set() {
    let specs = [
        // A draft process with no risk, and an approved one only a draft risk analyses.
        ("P-1", "process", "status = \"draft\""),
        (
            "P-2",
            "process",
            "status = \"approved\"\nnot-applicable = { spoofing = \"s\", tampering = \"t\", repudiation = \"r\", information-disclosure = \"i\", denial-of-service = \"d\" }",
        ),
        (
            "R-1",
            "risk",
            "elements = [\"P-2\"]\nassets = [\"AS-1\"]\nstride = [\"elevation-of-privilege\"]\nstatus = \"draft\"",
        ),
        // No status: shown as a draft, checked as any other item.
        ("AS-1", "asset", ""),
        ("IF-1", "interface", "element = \"P-2\"\nstatus = \"draft\""),
    ];
    let mut config = Config::default();
    config.coverage.crossing = false;
    let (open, codes) = open_and_codes(&specs, &config);
    assert!(codes.is_empty(), "{codes:?}");
    let find = |id: &str| {
        open.iter()
            .filter(|(o, _)| o == id)
            .map(|(_, w)| w.as_str())
            .collect::<Vec<_>>()
    };
    // One line per draft element, with its gap.
    assert_eq!(find("P-1").len(), 1, "{open:?}");
    assert!(
        find("P-1")[0].starts_with("is a draft, and has no risk for spoofing"),
        "{open:?}"
    );
    assert_eq!(
        find("P-2"),
        ["has no risk for elevation-of-privilege but drafts (`R-1`)"]
    );
    assert_eq!(find("AS-1"), ["is named by no risk but drafts (`R-1`)"]);
    assert_eq!(find("IF-1"), ["is a draft, and carries no data flow"]);

    // A release check: the same gaps are findings.
    config.coverage.draft = true;
    let (_, codes) = open_and_codes(&specs, &config);
    assert!(codes.contains(&"stride-gap".to_string()), "{codes:?}");
    assert!(
        codes.contains(&"interface-without-flow".to_string()),
        "{codes:?}"
    );
    // R-1 counts now, so AS-1 and P-2 are analysed.
    assert!(
        !codes.contains(&"asset-not-analysed".to_string()),
        "{codes:?}"
    );
}

#[test]
fn a_model_gap_names_the_broken_risk_that_would_close_it() {
    let items = items(&[("AS-1", "asset", "")]);
    let mut map = SourceMap::new();
    let text = "+++\nid = \"R-1\"\nkind = \"risk\"\nlast-reviewed = 2026-02-30\nassets = [\"AS-1\"]\n+++\n";
    let file = map.add("R-1.md", text);
    let broken = crate::load::broken::declared(file, "R-1.md".into(), "R-1.md", text);
    let index = GraphIndex::build(Catalog::builtin(), &items).with_broken(vec![broken]);
    let graph = index.view(Catalog::builtin(), &items);
    let mut config = Config::default();
    config.coverage.stride = false;
    let (findings, _) = crate::checks::run(&graph, &config, None);
    let d = findings
        .iter()
        .find(|d| d.code == crate::diag::Code::AssetNotAnalysed)
        .expect("the gap is reported");
    assert_eq!(d.secondary.len(), 1, "{d:?}");
    assert_eq!(&text[d.secondary[0].span.range()], "\"AS-1\"");
    assert!(d.help.as_deref().unwrap().contains("`R-1.md`"), "{d:?}");
}
