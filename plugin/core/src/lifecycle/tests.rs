use super::*;
use crate::load::Input;
use crate::sbom::{SbomInput, load_sboms, resolve};

fn input(name: &str, text: &str) -> Input {
    Input {
        name: name.into(),
        path: name.into(),
        content: Ok(text.as_bytes().to_vec()),
    }
}

/// An SBOM of a product with components `(name, purl, properties JSON)`.
fn sbom(components: &[(&str, &str, &str)]) -> String {
    let list: Vec<String> = components
        .iter()
        .map(|(name, purl, props)| {
            format!(
                "{{\"type\": \"library\", \"bom-ref\": \"{purl}\", \"name\": \"{name}\", \"version\": \"1.0.0\", \"purl\": \"{purl}\"{props}}}"
            )
        })
        .collect();
    format!(
        "{{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"version\": 1,\n\"metadata\": {{\"component\": {{\"type\": \"application\", \"name\": \"app\", \"version\": \"2.0\"}}}},\n\"components\": [\n{}\n]}}\n",
        list.join(",\n")
    )
}

fn props(pairs: &[(&str, &str)]) -> String {
    let p: Vec<String> = pairs
        .iter()
        .map(|(n, v)| format!("{{\"name\": \"cdx:lifecycle:milestone:{n}\", \"value\": \"{v}\"}}"))
        .collect();
    format!(", \"properties\": [{}]", p.join(", "))
}

struct Run {
    map: SourceMap,
    support: Support,
    diags: Vec<Diagnostic>,
}

fn run(sbom_text: &str, tables: &[&str], advisories: &[&str], today: Option<&str>) -> Run {
    let mut map = SourceMap::new();
    let (loaded, d) = load_sboms(
        &mut map,
        vec![SbomInput {
            input: input("sboms/app.cdx.json", sbom_text),
            key: "app.cdx.json".into(),
        }],
    );
    assert!(d.is_empty(), "{d:?}");
    let (sboms, _) = resolve(loaded, &[], |_| true, &map);
    let tables = tables
        .iter()
        .enumerate()
        .map(|(i, t)| input(&format!("support/t{i}.toml"), t))
        .collect();
    // The notices come from the advisory reader, as in the pipeline.
    let folder = crate::advisory::AdvisoryDir {
        name: "advisories".into(),
        path: "advisories".into(),
        files: Ok(advisories
            .iter()
            .enumerate()
            .map(|(i, t)| crate::advisory::AdvisoryFile {
                rel: format!("a{i}.json"),
                name: format!("advisories/a{i}.json"),
                content: Ok(t.as_bytes().to_vec()),
            })
            .collect()),
    };
    let (db, mut diags) = crate::advisory::load(&mut map, vec![folder]);
    let config = Config::default();
    let (support, more) = assess(
        &mut map,
        &sboms,
        tables,
        &db.notices,
        &config,
        today.and_then(Date::parse),
    );
    diags.extend(more);
    Run {
        map,
        support,
        diags,
    }
}

impl Run {
    fn findings(&self) -> Vec<(&'static str, String)> {
        self.diags
            .iter()
            .map(|d| {
                let p = d.primary.as_ref().unwrap();
                let (l, c) = self.map.get(p.span.file).line_col(p.span.start as usize);
                (
                    d.code.as_str(),
                    format!("{}:{l}:{c}", self.map.name(p.span.file)),
                )
            })
            .collect()
    }
}

#[test]
fn sources_combine_with_the_table_first_for_dates_and_advisories_first_for_levels() {
    let text = sbom(&[
        (
            "a",
            "pkg:cargo/a@1.0.0",
            &props(&[("endOfSupport", "2027-01-31"), ("endOfLife", "2028-01-01")]),
        ),
        (
            "b",
            "pkg:cargo/b@1.0.0",
            &props(&[("endOfLife", "2026-12-15T00:00:00Z")]),
        ),
        ("old_crate", "pkg:cargo/old_crate@1.0.0", ""),
        ("c", "pkg:npm/c@1.0.0", ""),
    ]);
    let table = "[[component]]\npurl = \"pkg:cargo/*\"\nlevel = \"active\"\nsource = \"crates policy\"\n\n[[component]]\npurl = \"pkg:cargo/a\"\nend-of-support = 2026-12-01\n";
    let advisory = r#"{"id": "RUSTSEC-2099-0001", "modified": "2099-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "crates.io", "name": "old-crate"}, "database_specific": {"informational": "unmaintained"}}]}"#;
    let r = run(&text, &[table], &[advisory], None);
    let c = &r.support.components;
    assert_eq!(c.len(), 4, "the product itself is not listed");
    // a: the table's date wins over the property; its level comes from the wildcard? No:
    // the more specific entry (the package) gives the date and no level.
    assert_eq!(
        c[0].end.as_ref().unwrap().value,
        EndOfSupport::Date(Date::parse("2026-12-01").unwrap())
    );
    assert!(c[0].level.is_none());
    // b: the wildcard gives the level, the endOfLife property the date (its UTC day).
    assert_eq!(c[1].level.as_ref().unwrap().value, Level::Active);
    assert_eq!(
        c[1].end.as_ref().unwrap().value,
        EndOfSupport::Date(Date::parse("2026-12-15").unwrap())
    );
    assert!(matches!(
        c[1].end.as_ref().unwrap().source,
        Source::Property { .. }
    ));
    // old_crate: the advisory overrides the table's level.
    assert_eq!(c[2].level.as_ref().unwrap().value, Level::Unmaintained);
    assert!(
        c[2].level
            .as_ref()
            .unwrap()
            .source
            .describe()
            .contains("RUSTSEC-2099-0001")
    );
    // c: nothing covers an npm package.
    assert!(c[3].level.is_none() && c[3].end.is_none());
    assert!(r.support.tracked);
    assert_eq!(
        r.findings(),
        [(
            "component-support-unknown",
            "sboms/app.cdx.json:7:59".to_string()
        )]
    );
}

#[test]
fn dates_are_judged_only_with_a_day() {
    let text = sbom(&[
        (
            "past",
            "pkg:cargo/past@1.0.0",
            &props(&[("endOfSupport", "2026-11-28")]),
        ),
        (
            "soon",
            "pkg:cargo/soon@1.0.0",
            &props(&[("endOfSupport", "2027-02-27")]),
        ),
        (
            "edge",
            "pkg:cargo/edge@1.0.0",
            &props(&[("endOfSupport", "2027-02-28")]),
        ),
        (
            "today",
            "pkg:cargo/today@1.0.0",
            &props(&[("endOfSupport", "2026-11-29")]),
        ),
    ]);
    assert!(run(&text, &[], &[], None).diags.is_empty());
    let r = run(&text, &[], &[], Some("2026-11-29"));
    let codes: Vec<&str> = r.findings().into_iter().map(|(c, _)| c).collect();
    // 2027-02-27 is 90 days after 2026-11-29; the 91st day is not yet near.
    assert_eq!(
        codes,
        [
            "component-end-of-support",
            "component-eos-soon",
            "component-eos-soon"
        ]
    );
    assert!(
        r.diags[0]
            .message
            .contains("ended on 2026-11-28 (1 day before 2026-11-29)"),
        "{}",
        r.diags[0].message
    );
    // The place where the date is written is the second label.
    assert_eq!(r.diags[0].secondary.len(), 1);
}

#[test]
fn bad_dates_and_records_are_findings_naming_the_file() {
    let text = sbom(&[(
        "a",
        "pkg:cargo/a@1.0.0",
        &props(&[("endOfSupport", "next spring")]),
    )]);
    let r = run(&text, &[], &["not json"], Some("2026-11-29"));
    let f = r.findings();
    // A record is read once, by the advisory reader, which says where its parser stopped.
    assert_eq!(f[0].0, "advisory-malformed");
    assert_eq!(f[0].1, "advisories/a0.json:1:2");
    assert_eq!(f[1].0, "lifecycle-date-invalid");
    assert!(f[1].1.starts_with("sboms/app.cdx.json:4:"), "{f:?}");
    // The component with an unreadable date has no other source: its support is unknown,
    // and the finding points at the date that could not be read instead of asking for a
    // support table entry (root causes first).
    assert_eq!(f[2].0, "component-support-unknown");
    let unknown = &r.diags[2];
    assert!(
        unknown
            .message
            .contains("`cdx:lifecycle:milestone:endOfSupport` could not be read"),
        "{}",
        unknown.message
    );
    assert_eq!(unknown.secondary.len(), 1);
    assert_eq!(
        unknown.secondary[0].span,
        r.diags[1].primary.as_ref().unwrap().span
    );
    assert!(
        unknown
            .help
            .as_deref()
            .unwrap_or("")
            .contains("lifecycle-date-invalid"),
        "{:?}",
        unknown.help
    );
    // The unreadable date and record are input errors: they sort before what follows.
    let mut sorted = r.diags.clone();
    crate::diag::sort(&mut sorted);
    // (The component's name is written above its date, so by position alone the derived
    // finding would come first.)
    let codes: Vec<&str> = sorted.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes.last(),
        Some(&"component-support-unknown"),
        "{codes:?}"
    );
}

#[test]
fn books_without_support_data_are_not_asked_for_it() {
    let text = sbom(&[("a", "pkg:cargo/a@1.0.0", "")]);
    let r = run(&text, &[], &[], Some("2026-11-29"));
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    assert!(!r.support.tracked);
    assert!(r.support.components.is_empty());
}

#[test]
fn days_between_counts_calendar_days() {
    let d = |s| Date::parse(s).unwrap();
    assert_eq!(days_between(d("2026-11-29"), d("2027-02-27")), 90);
    assert_eq!(days_between(d("2024-02-28"), d("2024-03-01")), 2);
    assert_eq!(days_between(d("2026-11-29"), d("2026-11-28")), -1);
}
