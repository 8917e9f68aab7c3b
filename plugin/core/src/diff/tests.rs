use super::gate::{self, Rule};
use super::*;
use crate::config::Config;
use crate::load::Input;
use crate::sbom::SbomInput;
use crate::{BookInputs, Inputs, Mode, analyse};

/// An analysis of item files and SBOMs given as (path, text).
fn analysis(items: &[(&str, &str)], sboms: &[(&str, &str)]) -> Analysis {
    let input = |(path, text): &(&str, &str)| Input {
        name: (*path).to_string(),
        path: (*path).to_string(),
        content: Ok(text.as_bytes().to_vec()),
    };
    analyse(
        Inputs {
            config: Config::default(),
            items: items.iter().map(input).collect(),
            sbom_xml: Vec::new(),
            sboms: sboms
                .iter()
                .map(|s| SbomInput {
                    input: input(s),
                    key: s.0.trim_start_matches("sboms/").to_string(),
                })
                .collect(),
            reviews: Vec::new(),
            book: BookInputs::default(),
            stamp: None,
            today: crate::model::Date::parse("2026-11-29"),
            ..Inputs::default()
        },
        Mode::Check,
    )
}

const REQ: &str = "+++\nid = \"REQ-1\"\nkind = \"requirement\"\ntitle = \"Log in with two factors\"\nstatus = \"approved\"\nderives-from = [\"MDCG-SR\"]\n+++\nThe portal shall require a second factor for every login.\n";
const CTL: &str = "+++\nid = \"CTL-1\"\nkind = \"control\"\ntitle = \"TOTP\"\nstatus = \"approved\"\nimplements = [\"REQ-1\"]\nmeasure = \"design\"\n+++\nTOTP codes.\n";
const TST: &str = "+++\nid = \"TST-1\"\nkind = \"test\"\ntitle = \"TOTP test\"\nstatus = \"approved\"\nverifies = [\"CTL-1\"]\nresult = \"pass\"\n+++\n";

fn base() -> Analysis {
    analysis(
        &[("r/ctl.md", CTL), ("r/req.md", REQ), ("r/tst.md", TST)],
        &[],
    )
}

#[test]
fn identical_versions_have_no_changes() {
    let d = compare(Some(&base()), &base());
    assert!(d.is_empty(), "{d:?}");
    assert!(
        !d.findings.unchanged.is_empty(),
        "practice gaps are still present"
    );
}

#[test]
fn fields_and_body_words_of_a_changed_item() {
    let req = REQ
        .replace("Log in with two factors", "Log in with a second factor")
        .replace("every login", "every login and every payment");
    let head = analysis(
        &[("r/ctl.md", CTL), ("r/req.md", &req), ("r/tst.md", TST)],
        &[],
    );
    let d = compare(Some(&base()), &head);
    assert_eq!(d.items.changed.len(), 1);
    let c = &d.items.changed[0];
    assert_eq!(c.item.id, "REQ-1");
    assert_eq!(c.item.line, 2);
    assert_eq!(c.fields.len(), 1);
    assert_eq!(c.fields[0].key, "title");
    assert_eq!(
        c.fields[0].before.as_deref(),
        Some("\"Log in with two factors\"")
    );
    assert_eq!(
        c.fields[0].after.as_deref(),
        Some("\"Log in with a second factor\"")
    );
    let body = c.body.as_ref().unwrap();
    // Words keep their punctuation: `login.` became `login and every payment.`.
    assert_eq!((body.words_removed, body.words_added), (1, 4));
    assert!(
        body.segments
            .iter()
            .any(|s| s.op == words::Op::Insert && s.text == "login and every payment.")
    );
}

#[test]
fn added_removed_items_and_links() {
    let ctl2 = "+++\nid = \"CTL-2\"\nkind = \"control\"\ntitle = \"WebAuthn\"\nimplements = [\"REQ-1\"]\n+++\n";
    let head = analysis(
        &[("r/ctl2.md", ctl2), ("r/req.md", REQ), ("r/tst.md", TST)],
        &[],
    );
    let d = compare(Some(&base()), &head);
    let ids = |v: &[items::ItemRef]| v.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&d.items.added), ["CTL-2"]);
    assert_eq!(ids(&d.items.removed), ["CTL-1"]);
    let link = |from: &str, relation, to: &str| items::Link {
        from: from.into(),
        relation,
        to: to.into(),
    };
    assert_eq!(d.links.added, [link("CTL-2", "implements", "REQ-1")]);
    assert_eq!(d.links.removed, [link("CTL-1", "implements", "REQ-1")]);
    // TST-1 now verifies an unknown ID: a new error, keyed by item and target.
    let new: Vec<(&str, &str, &str)> = d.findings.new.iter().map(|f| f.key()).collect();
    assert!(new.contains(&("unknown-id", "TST-1", "CTL-1")), "{new:?}");
    assert!(
        new.contains(&("control-not-verified", "CTL-2", "")),
        "{new:?}"
    );
}

#[test]
fn renames_pair_the_old_id_and_keep_links() {
    let renamed = CTL
        .replace(
            "id = \"CTL-1\"",
            "id = \"CTL-AUTH-1\"\nreplaces = \"CTL-1\"",
        )
        .replace("TOTP codes.", "TOTP codes, six digits.");
    let tst = TST.replace("CTL-1", "CTL-AUTH-1");
    let head = analysis(
        &[
            ("r/ctl.md", &renamed),
            ("r/req.md", REQ),
            ("r/tst.md", &tst),
        ],
        &[],
    );
    let d = compare(Some(&base()), &head);
    assert!(
        d.items.added.is_empty() && d.items.removed.is_empty(),
        "{:?}",
        d.items
    );
    assert_eq!(d.items.renamed.len(), 1);
    assert_eq!(d.items.renamed[0].from, "CTL-1");
    assert_eq!(d.items.renamed[0].item.id, "CTL-AUTH-1");
    assert!(d.items.renamed[0].body.is_some());
    assert!(
        d.links.added.is_empty() && d.links.removed.is_empty(),
        "{:?}",
        d.links
    );
}

#[test]
fn findings_survive_moved_lines() {
    let moved = TST
        .replace("+++\nid", "+++\n# a comment\n\n\nid")
        .replace("CTL-1", "CTL-9");
    let b = analysis(
        &[
            ("r/ctl.md", CTL),
            ("r/req.md", REQ),
            ("r/tst.md", &TST.replace("CTL-1", "CTL-9")),
        ],
        &[],
    );
    let h = analysis(
        &[("r/ctl.md", CTL), ("r/req.md", REQ), ("r/tst.md", &moved)],
        &[],
    );
    let d = compare(Some(&b), &h);
    assert!(d.findings.new.is_empty(), "{:?}", d.findings.new);
    assert!(d.findings.fixed.is_empty(), "{:?}", d.findings.fixed);
    let f = d
        .findings
        .unchanged
        .iter()
        .find(|f| f.code == "unknown-id")
        .unwrap();
    assert_eq!(f.line, Some(9), "the head's place is reported");
    // Fixing it moves it to `fixed`.
    let d = compare(Some(&h), &base());
    assert!(
        d.findings
            .fixed
            .iter()
            .any(|f| f.key() == ("unknown-id", "TST-1", "CTL-9"))
    );
}

#[test]
fn coverage_moves_per_kind_and_practice() {
    let head = analysis(&[("r/req.md", REQ)], &[]);
    let d = compare(Some(&base()), &head);
    let row = d
        .coverage
        .kinds
        .iter()
        .find(|k| k.key == "requirements-implemented")
        .unwrap();
    assert_eq!(
        row.before,
        Some(coverage::Ratio {
            covered: 1,
            total: 1
        })
    );
    assert_eq!(
        row.after,
        coverage::Ratio {
            covered: 0,
            total: 1
        }
    );
    // MDCG-SR is addressed by REQ-1 in both versions: no practice row changed.
    assert!(
        d.coverage.practices.is_empty(),
        "{:?}",
        d.coverage.practices
    );
    let none = analysis(&[], &[]);
    let d = compare(Some(&base()), &none);
    assert!(
        d.coverage
            .practices
            .iter()
            .any(|p| p.id == "MDCG-SR" && p.after.status == "gap")
    );
}

const RISK: &str = "+++\nid = \"RSK-1\"\nkind = \"risk\"\ntitle = \"Takeover\"\nstatus = \"draft\"\nexploitability = \"probable\"\nseverity = \"serious\"\nresidual-exploitability = \"remote\"\nresidual-severity = \"serious\"\n+++\n";

#[test]
fn risks_that_moved_cell_or_level() {
    let b = analysis(&[("r/rsk.md", RISK)], &[]);
    let h = analysis(
        &[(
            "r/rsk.md",
            &RISK.replace("= \"remote\"", "= \"improbable\""),
        )],
        &[],
    );
    let d = compare(Some(&b), &h);
    assert_eq!(d.risks.len(), 1);
    let r = &d.risks[0];
    assert_eq!(r.initial.before, r.initial.after);
    assert_eq!(r.residual.before.as_ref().unwrap().cell, "remote / serious");
    assert_eq!(
        r.residual.after.as_ref().unwrap().cell,
        "improbable / serious"
    );
    assert!(compare(Some(&b), &b).risks.is_empty());
}

fn sbom(components: &str) -> String {
    format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [{components}]}}"#
    )
}

#[test]
fn sbom_components_by_identity() {
    let b = sbom(
        r#"{"type": "library", "name": "serde", "version": "1.0.1", "purl": "pkg:cargo/serde@1.0.1", "licenses": [{"expression": "MIT OR Apache-2.0"}], "supplier": {"name": "dtolnay"}},
           {"type": "library", "name": "zlib", "version": "1.3", "purl": "pkg:generic/zlib@1.3", "hashes": [{"alg": "SHA-256", "content": "0000000000000000000000000000000000000000000000000000000000000000"}]},
           {"type": "library", "name": "old", "version": "1"}"#,
    );
    let h = sbom(
        r#"{"type": "library", "name": "serde", "version": "1.0.2", "purl": "pkg:cargo/serde@1.0.2", "licenses": [{"expression": "Apache-2.0 OR MIT"}], "supplier": {"name": "serde-rs"}},
           {"type": "library", "name": "zlib", "version": "1.3", "purl": "pkg:generic/zlib@1.3?arch=x86", "hashes": [{"alg": "SHA-256", "content": "1111111111111111111111111111111111111111111111111111111111111111"}]},
           {"type": "library", "name": "new", "version": "1", "licenses": [{"license": {"id": "MIT"}}]}"#,
    );
    let d = compare(
        Some(&analysis(&[], &[("sboms/app.json", &b)])),
        &analysis(&[], &[("sboms/app.json", &h)]),
    );
    assert_eq!(d.sboms.len(), 1, "{:?}", d.sboms);
    let s = &d.sboms[0];
    assert_eq!(s.sbom, "app.json");
    assert_eq!(s.state, "changed");
    assert_eq!(
        s.added.iter().map(|c| c.label.as_str()).collect::<Vec<_>>(),
        ["new@1"]
    );
    assert_eq!(
        s.removed
            .iter()
            .map(|c| c.label.as_str())
            .collect::<Vec<_>>(),
        ["old@1"]
    );
    assert_eq!(s.version_changed.len(), 1);
    assert_eq!(
        (
            s.version_changed[0].before.as_str(),
            s.version_changed[0].after.as_str()
        ),
        ("1.0.1", "1.0.2")
    );
    assert!(
        s.license_changed.is_empty(),
        "same expression in another order: {:?}",
        s.license_changed
    );
    assert_eq!(s.hash_changed.len(), 1);
    assert_eq!(s.hash_changed[0].component.label, "zlib@1.3");
    assert_eq!(s.supplier_changed.len(), 1);
    assert_eq!(s.supplier_changed[0].after, "serde-rs");
}

#[test]
fn without_a_base_everything_is_new() {
    let h = base();
    let d = compare(None, &h);
    assert_eq!(d.items.added.len(), 3);
    assert!(d.items.removed.is_empty());
    assert_eq!(d.links.added.len(), 3);
    assert_eq!(d.findings.new.len(), h.findings.len());
    assert!(d.coverage.kinds.iter().all(|k| k.before.is_none()));
}

fn finding(code: &str, error: bool) -> Finding {
    Finding {
        code: code.into(),
        severity: if error {
            crate::diag::Severity::Error
        } else {
            crate::diag::Severity::Warning
        },
        message: String::new(),
        subject: "CTL-1".into(),
        target: "REQ-1".into(),
        fingerprint: String::new(),
        file: None,
        line: None,
        column: None,
        end_line: None,
        end_column: None,
        help: None,
    }
}

/// The fingerprint of the item in `text` under the built-in profile.
fn fingerprint_of(text: &str) -> String {
    let (item, _) = crate::load::parse_item(crate::model::FileId(0), text);
    crate::fingerprint::of(&item.unwrap(), &crate::fingerprint::Profile::default()).to_string()
}

/// REQ-1 ← CTL-1 ← TST-1, each link stamped with the upstream item as it is in `REQ` and
/// `CTL` (no records: every stamp is `review-unrecorded` in both versions alike).
fn reviewed() -> Vec<(&'static str, String)> {
    let ctl = CTL.replace(
        "+++\nTOTP",
        &format!(
            "[reviewed-against]\n\"REQ-1\" = \"{}\"\n+++\nTOTP",
            fingerprint_of(REQ)
        ),
    );
    let tst = TST.replacen(
        "result = \"pass\"\n",
        &format!(
            "result = \"pass\"\n[reviewed-against]\n\"CTL-1\" = \"{}\"\n",
            fingerprint_of(&ctl)
        ),
        1,
    );
    vec![
        ("r/ctl.md", ctl),
        ("r/req.md", REQ.to_string()),
        ("r/tst.md", tst),
    ]
}

fn analysis_of(files: &[(&str, String)]) -> Analysis {
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    analysis(&files, &[])
}

#[test]
fn suspect_links_come_from_the_review_states() {
    let base = analysis_of(&reviewed());
    assert!(base.reviews.tracked);
    let mut files = reviewed();
    files[1].1 = REQ.replace("Log in with two factors", "Log in with a passkey");
    files.push((
        "r/ctl2.md",
        "+++\nid = \"CTL-2\"\nkind = \"control\"\ntitle = \"Passkeys\"\nimplements = [\"REQ-1\"]\n+++\n".into(),
    ));
    let head = analysis_of(&files);
    let d = compare(Some(&base), &head);
    let s = &d.suspect_links;
    let links: Vec<(&str, &str, &str)> = s
        .created
        .iter()
        .map(|l| (l.item.as_str(), l.upstream.as_str(), l.state))
        .collect();
    assert_eq!(
        links,
        [
            ("CTL-1", "REQ-1", "suspect"),
            ("CTL-2", "REQ-1", "pending"),
            ("TST-1", "CTL-1", "suspect"),
        ]
    );
    // The root names what changed in REQ-1 since the review: the base is the reviewed version.
    let changes = s.created[0]
        .changes
        .as_ref()
        .expect("the base was reviewed");
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].field, "title");
    assert_eq!(
        changes[0].word_diff,
        "Log in with [-two-]{+a+} [-factors-]{+passkey+}"
    );
    assert_eq!(
        (s.created[0].file.as_str(), s.created[0].line),
        ("r/ctl.md", 9)
    );
    // TST-1 is suspect through CTL-1 → REQ-1; what changed is said at the root.
    assert_eq!(
        s.created[2].roots,
        [["CTL-1".to_string(), "REQ-1".to_string()]]
    );
    assert_eq!(s.created[2].changes, None);
    assert!(s.cleared.is_empty() && s.still == 0);
    // Without the reviewed version at hand, the report says where to find what changed.
    let alone = compare(None, &head);
    assert_eq!(alone.suspect_links.created[0].changes, None);
    let side = |r: &str| report::Side {
        revision: r.into(),
        commit: None,
        state: report::State::Analysed,
        problem: None,
    };
    let text = markdown::render(&report::Report::new(
        &alone,
        side("main"),
        side("working tree"),
        None,
        gate::evaluate(&alone, &gate::DEFAULT, 0),
        "0",
    ));
    assert!(
        text.contains("- `CTL-1` → `REQ-1` (`r/ctl.md:9`): `REQ-1` changed since the review (the base is not the version reviewed: `mdbook-techfile check --explain-suspect` walks the history to it)"),
        "{text}"
    );
    assert!(
        text.contains("- `TST-1` → `CTL-1` (`r/tst.md:9`): suspect because `CTL-1` is (root: `CTL-1` → `REQ-1`)"),
        "{text}"
    );
    let v = gate::evaluate(&d, &gate::DEFAULT, 0);
    assert!(
        v.reasons
            .iter()
            .any(|r| r.starts_with("3 new suspect or unreviewed links")),
        "{v:?}"
    );

    // Undoing the change clears them all; the new control's link goes with it.
    let back = compare(Some(&head), &base);
    let cleared: Vec<(&str, &str, &str)> = back
        .suspect_links
        .cleared
        .iter()
        .map(|c| (c.link.item.as_str(), c.link.state, c.now))
        .collect();
    assert_eq!(
        cleared,
        [
            ("CTL-1", "suspect", "current"),
            ("CTL-2", "pending", "removed"),
            ("TST-1", "suspect", "current"),
        ]
    );
    assert!(back.suspect_links.created.is_empty());

    // Links unreviewed on both sides are neither created nor cleared, even when the
    // message of a suspect link names other root changes.
    let mut more = files.clone();
    more[0].1 = more[0].1.replace("TOTP codes.", "TOTP codes, six digits.");
    let d = compare(Some(&head), &analysis_of(&more));
    assert!(d.suspect_links.created.is_empty(), "{:?}", d.suspect_links);
    assert!(d.suspect_links.cleared.is_empty(), "{:?}", d.suspect_links);
    assert_eq!(d.suspect_links.still, 3);
}

#[test]
fn a_suspect_link_keeps_its_finding_key_when_its_roots_change() {
    let mut files = reviewed();
    files[1].1 = REQ.replace("Log in with two factors", "Log in with a passkey");
    let key = |a: &Analysis| -> Vec<(String, String, String)> {
        crate::report::findings(a)
            .into_iter()
            .filter(|f| f.code == "suspect-link")
            .map(|f| (f.code, f.subject, f.target))
            .collect()
    };
    let one = key(&analysis_of(&files));
    assert!(
        one.contains(&("suspect-link".into(), "TST-1".into(), "CTL-1".into())),
        "{one:?}"
    );
    // CTL-1 changes too: TST-1 → CTL-1 becomes a root itself, same key.
    files[0].1 = files[0].1.replace("TOTP codes.", "TOTP codes, six digits.");
    assert_eq!(key(&analysis_of(&files)), one);
}

#[test]
fn the_gate_fails_on_new_errors_and_new_suspect_links_by_default() {
    let mut d = Diff::default();
    assert!(
        !gate::evaluate(&d, &gate::DEFAULT, 3).failed,
        "old errors do not fail"
    );
    assert!(gate::evaluate(&d, &[Rule::Errors], 3).failed);
    d.findings.new.push(finding("duplicate-link", false));
    assert!(!gate::evaluate(&d, &gate::DEFAULT, 0).failed);
    let v = gate::evaluate(&d, &[Rule::NewWarnings], 0);
    assert_eq!(v.reasons, ["1 warning introduced"]);
    d.suspect_links.created.push(suspects::SuspectLink {
        item: "CTL-1".into(),
        upstream: "REQ-1".into(),
        state: "suspect",
        roots: Vec::new(),
        changes: None,
        file: "r/ctl.md".into(),
        line: 8,
    });
    let v = gate::evaluate(&d, &gate::DEFAULT, 0);
    assert!(v.failed);
    assert!(
        v.reasons[0].starts_with("1 new suspect or unreviewed link left unreviewed"),
        "{v:?}"
    );
    d.findings.new.push(finding("unknown-id", true));
    let v = gate::evaluate(&d, &gate::DEFAULT, 1);
    assert_eq!(v.reasons.len(), 2);
    assert!(!gate::evaluate(&d, &[], 1).failed, "no rules, no gate");
}

#[test]
fn duplicate_keys_pair_in_order() {
    let b = vec![finding("unknown-id", true)];
    let h = vec![finding("unknown-id", true), finding("unknown-id", true)];
    let f = match_findings(b, h);
    assert_eq!((f.new.len(), f.unchanged.len(), f.fixed.len()), (1, 1, 0));
}

#[test]
fn sbom_components_pair_by_canonical_purl_and_by_bom_ref() {
    // GitHub names are not case sensitive and `%40` is `@`: the same package, a new
    // version. A component without purl keeps its bom-ref across versions.
    let b = sbom(
        r#"{"type": "library", "name": "React", "version": "18.2.0", "purl": "pkg:github/Facebook/React@18.2.0"},
           {"type": "library", "name": "core", "group": "@angular", "version": "17.0.0", "purl": "pkg:npm/%40angular/core@17.0.0"},
           {"type": "firmware", "name": "boot", "version": "1.0", "bom-ref": "boot"}"#,
    );
    let h = sbom(
        r#"{"type": "library", "name": "react", "version": "18.3.1", "purl": "pkg:github/facebook/react@18.3.1"},
           {"type": "library", "name": "core", "group": "@angular", "version": "17.0.0", "purl": "pkg:npm/@angular/core@17.0.0?repository_url=https://r.example"},
           {"type": "firmware", "name": "boot", "version": "1.1", "bom-ref": "boot"}"#,
    );
    let d = compare(
        Some(&analysis(&[], &[("sboms/app.json", &b)])),
        &analysis(&[], &[("sboms/app.json", &h)]),
    );
    let s = &d.sboms[0];
    assert!(s.added.is_empty() && s.removed.is_empty(), "{s:?}");
    let versions: Vec<(&str, &str)> = s
        .version_changed
        .iter()
        .map(|c| (c.before.as_str(), c.after.as_str()))
        .collect();
    assert_eq!(versions, [("1.0", "1.1"), ("18.2.0", "18.3.1")]);
}
