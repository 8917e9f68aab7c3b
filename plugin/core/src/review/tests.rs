use super::*;
use crate::catalog::Catalog;
use crate::graph::GraphIndex;
use crate::load::{Input, load_items};
use crate::model::{Item, SourceMap};

fn items(files: &[(&str, String)]) -> (Vec<Item>, SourceMap) {
    let mut map = SourceMap::new();
    let inputs = files
        .iter()
        .map(|(name, text)| Input {
            name: name.to_string(),
            path: name.to_string(),
            content: Ok(text.as_bytes().to_vec()),
        })
        .collect();
    let (items, d) = load_items(&mut map, inputs);
    assert!(d.is_empty(), "{d:?}");
    (items, map)
}

fn item(id: &str, kind: &str, links: &str, stamps: &[(&str, &str)], body: &str) -> String {
    let mut s = format!("+++\nid = \"{id}\"\nkind = \"{kind}\"\ntitle = \"{id}\"\n{links}\n");
    if !stamps.is_empty() {
        s.push_str("[reviewed-against]\n");
        for (u, f) in stamps {
            s.push_str(&format!("\"{u}\" = \"{f}\"\n"));
        }
    }
    s.push_str("+++\n");
    s.push_str(body);
    s
}

fn run(files: &[(&str, String)], records: Vec<Record>) -> (Reviews, Vec<Diagnostic>, Vec<Item>) {
    let (items, _) = items(files);
    let index = GraphIndex::build(Catalog::builtin(), &items);
    let graph = index.view(Catalog::builtin(), &items);
    let (r, d) = check(&graph, &Profile::default(), records, None);
    (r, d, items.clone())
}

/// A chain REQ-1 ← CTL-1 ← TST-1 and RSK-1 ← CTL-1, all stamped with today's fingerprints,
/// then REQ-1 is edited to `req_body`.
fn chain(req_body: &str) -> Vec<(&'static str, String)> {
    let req = |body: &str| {
        item(
            "REQ-1",
            "requirement",
            "derives-from = [\"MDCG-SR\"]",
            &[],
            body,
        )
    };
    let risk = item("RSK-1", "risk", "", &[], "");
    let (base, _) = items(&[
        ("REQ-1.md", req("Two factors.")),
        ("RSK-1.md", risk.clone()),
    ]);
    let p = Profile::default();
    let fp_req = fingerprint::of(&base[0], &p).to_string();
    let fp_risk = fingerprint::of(&base[1], &p).to_string();
    let ctl = item(
        "CTL-1",
        "control",
        "implements = [\"REQ-1\"]\nmitigates = [\"RSK-1\"]",
        &[("REQ-1", &fp_req), ("RSK-1", &fp_risk)],
        "",
    );
    let (c, _) = items(&[("CTL-1.md", ctl.clone())]);
    let fp_ctl = fingerprint::of(&c[0], &p).to_string();
    let tst = item(
        "TST-1",
        "test",
        "verifies = [\"CTL-1\"]",
        &[("CTL-1", &fp_ctl)],
        "",
    );
    let (t, _) = items(&[("TST-1.md", tst.clone())]);
    let fp_tst = fingerprint::of(&t[0], &p).to_string();
    let tst2 = item("TST-2", "test", "verifies = [\"TST-1\"]", &[], "");
    let _ = fp_tst;
    vec![
        ("REQ-1.md", req(req_body)),
        ("RSK-1.md", risk),
        ("CTL-1.md", ctl),
        ("TST-1.md", tst),
        ("TST-2.md", tst2),
    ]
}

fn codes(d: &[Diagnostic]) -> Vec<(&'static str, String)> {
    let mut v: Vec<_> = d
        .iter()
        .map(|d| (d.code.as_str(), d.message.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn unchanged_items_keep_their_links_current_and_reflowing_changes_nothing() {
    let (r, d, _) = run(&chain("Two\nfactors."), Vec::new());
    let states: Vec<&State> = r.links.iter().map(|l| &l.state).collect();
    assert_eq!(
        states,
        [
            &State::Current,
            &State::Current,
            &State::Current,
            &State::Pending
        ]
    );
    assert!(r.tracked);
    // No records: every stamp is unrecorded; the unstamped link is pending.
    assert_eq!(
        codes(&d).iter().map(|c| c.0).collect::<Vec<_>>(),
        [
            "review-pending",
            "review-unrecorded",
            "review-unrecorded",
            "review-unrecorded"
        ]
    );
}

#[test]
fn a_change_makes_links_suspect_three_levels_down_each_once_with_its_root() {
    let (r, d, items) = run(&chain("Three factors."), Vec::new());
    let by_pair: Vec<(String, String, State)> = r
        .links
        .iter()
        .map(|l| {
            (
                items[l.item].id.clone(),
                items[l.upstream].id.clone(),
                l.state.clone(),
            )
        })
        .collect();
    let idx = |id: &str| items.iter().position(|i| i.id == id).unwrap();
    let root = (idx("CTL-1"), idx("REQ-1"));
    assert_eq!(
        by_pair,
        [
            (
                "CTL-1".into(),
                "REQ-1".into(),
                State::Suspect { roots: vec![] }
            ),
            ("CTL-1".into(), "RSK-1".into(), State::Current),
            (
                "TST-1".into(),
                "CTL-1".into(),
                State::Suspect { roots: vec![root] }
            ),
            // Pending links are reported as pending, not as suspect.
            ("TST-2".into(), "TST-1".into(), State::Pending),
        ]
    );
    let suspects: Vec<String> = d
        .iter()
        .filter(|d| d.code == Code::SuspectLink)
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        suspects,
        [
            "`REQ-1` changed since `CTL-1` was reviewed against it",
            "`CTL-1` is suspect, so the review of `TST-1` against it is too: `REQ-1` changed since `CTL-1` was reviewed against it",
        ]
    );
}

#[test]
fn suspicion_reaches_a_third_level_and_merges_roots() {
    // REQ-1 ← CTL-1 ← TST-1 ← TST-2 (a test may not verify a test, but the mechanism is
    // the same for any chain): stamp TST-2 against TST-1 too.
    let mut files = chain("Two factors.");
    let (t, _) = items(&[("TST-1.md", files[3].1.clone())]);
    let fp_t1 = fingerprint::of(&t[0], &Profile::default()).to_string();
    files[4].1 = item(
        "TST-2",
        "test",
        "verifies = [\"TST-1\"]",
        &[("TST-1", &fp_t1)],
        "",
    );
    // Now change both REQ-1 and RSK-1.
    files[0].1 = files[0].1.replace("Two factors.", "Three factors.");
    files[1].1 = files[1].1.replace(
        "title = \"RSK-1\"",
        "title = \"RSK-1\"\nasset = \"Sessions\"",
    );
    let (r, d, items) = run(&files, Vec::new());
    let idx = |id: &str| items.iter().position(|i| i.id == id).unwrap();
    let last = r.links.iter().find(|l| l.item == idx("TST-2")).unwrap();
    assert_eq!(
        last.state,
        State::Suspect {
            roots: {
                let mut v = vec![(idx("CTL-1"), idx("REQ-1")), (idx("CTL-1"), idx("RSK-1"))];
                v.sort();
                v
            }
        }
    );
    assert_eq!(d.iter().filter(|d| d.code == Code::SuspectLink).count(), 4);
}

#[test]
fn records_back_stamps_and_other_profiles_are_reported_once() {
    let files = chain("Two factors.");
    let (it, _) = items(&files);
    let mut covers = Vec::new();
    for i in &it {
        for s in &i.reviewed_against {
            covers.push(record::Covered {
                item: i.id.clone(),
                upstream: s.upstream.clone(),
                fingerprint: s.fingerprint.clone(),
                span: s.span,
            });
        }
    }
    let rec = Record {
        file: crate::model::FileId(0),
        path: "reviews/r.toml".into(),
        reviewer: "Jane".into(),
        git_identity: Some("Jane <jane@example.com>".into()),
        role: "Architect".into(),
        meaning: Meaning::Reviewed,
        date: "2026-11-29T10:00:00Z".into(),
        timestamp: 1,
        comment: None,
        commit: None,
        modified: false,
        covers,
        span: it[0].id_span,
    };
    let (r, d, items) = run(&files, vec![rec.clone()]);
    assert_eq!(
        codes(&d).iter().map(|c| c.0).collect::<Vec<_>>(),
        ["review-pending"]
    );
    assert!(
        r.links
            .iter()
            .filter(|l| l.stamp.is_some())
            .all(|l| l.record == Some(0))
    );
    assert_eq!(r.last_record(2).map(|r| r.reviewer.as_str()), Some("Jane"));

    // The reviewer last changed the upstream item: not independent.
    let graph_items = items.clone();
    let index = GraphIndex::build(Catalog::builtin(), &graph_items);
    let graph = index.view(Catalog::builtin(), &graph_items);
    let authors = BTreeMap::from([(
        "REQ-1.md".to_string(),
        Author {
            name: "Jane".into(),
            email: "jane@example.com".into(),
            commit: Some("0123456789abcdef".into()),
        },
    )]);
    let d = independence(&graph, &r, &authors);
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].message,
        "Jane reviewed `CTL-1` against `REQ-1`, but is the last author of the upstream item `REQ-1`"
    );
    let other = BTreeMap::from([(
        "REQ-1.md".to_string(),
        Author {
            name: "Bob".into(),
            email: "bob@example.com".into(),
            commit: None,
        },
    )]);
    assert!(independence(&graph, &r, &other).is_empty());

    // Stamps under another profile version: one finding, no suspects.
    let (_, d) = {
        let p = Profile {
            version: 2,
            ..Profile::default()
        };
        check(&graph, &p, vec![rec], None)
    };
    let c = codes(&d);
    assert_eq!(
        c.iter().map(|c| c.0).collect::<Vec<_>>(),
        ["fingerprint-profile-changed", "review-pending"]
    );
    assert_eq!(
        c[0].1,
        "3 review stamps were made under fingerprint profile v1, but the book now uses v2"
    );
}

#[test]
fn books_without_reviews_report_nothing() {
    let files = vec![
        (
            "REQ-1.md",
            item(
                "REQ-1",
                "requirement",
                "derives-from = [\"MDCG-SR\"]",
                &[],
                "",
            ),
        ),
        (
            "CTL-1.md",
            item("CTL-1", "control", "implements = [\"REQ-1\"]", &[], ""),
        ),
    ];
    let (r, d, _) = run(&files, Vec::new());
    assert!(d.is_empty(), "{d:?}");
    assert!(!r.tracked);
    assert_eq!(r.links.len(), 1);
    assert_eq!(r.links[0].state, State::Pending);
}
