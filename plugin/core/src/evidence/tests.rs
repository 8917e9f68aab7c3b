use super::*;
use crate::testkit::Trace;

const REPORT: &str = r#"<testsuites>
  <testsuite name="auth">
    <properties><property name="version" value="1.0"/></properties>
    <testcase classname="auth" name="ok"/>
    <testcase classname="auth" name="bad"><failure/></testcase>
    <testcase classname="auth" name="later"><skipped/></testcase>
  </testsuite>
</testsuites>"#;

fn file(rel: &str, bytes: &[u8]) -> EvidenceFile {
    EvidenceFile::from_bytes(
        &format!("evidence/{rel}"),
        &format!("evidence/{rel}"),
        rel,
        bytes.to_vec(),
    )
}

fn sha(bytes: &[u8]) -> String {
    crate::digest::sha256_hex(bytes)
}

fn run(trace: &mut Trace, files: Vec<EvidenceFile>) -> (Evidence, Vec<Diagnostic>) {
    resolve(&mut trace.map, &mut trace.items, files, "version")
}

#[test]
fn entries_are_checked_against_the_files() {
    let report = sha(b"report");
    let mut t = Trace::new(&[(
        "TST-1",
        "test",
        &format!(
            "evidence = [{{ path = \"r.md\", sha256 = \"{report}\" }}, {{ path = \"./r.md\", sha256 = \"{}\" }}, {{ path = \"gone.pdf\" }}, {{ path = \"../x.md\" }}, {{ path = \"/etc/passwd\" }}, {{ path = \"r.md\" }}]",
            "0".repeat(64)
        ),
    )]);
    let (ev, d) = run(&mut t, vec![file("r.md", b"report"), file("big.bin", b"x")]);
    let got: Vec<(&str, &str)> = d
        .iter()
        .map(|d| (d.code.as_str(), t.text(d.primary.as_ref().unwrap().span)))
        .collect();
    let zeros = format!("\"{}\"", "0".repeat(64));
    assert_eq!(
        got,
        [
            ("evidence-changed", zeros.as_str()),
            ("evidence-missing", "\"gone.pdf\""),
            ("evidence-outside", "\"../x.md\""),
            ("evidence-outside", "\"/etc/passwd\""),
            ("evidence-changed", "{ path = \"r.md\" }"),
        ]
    );
    // Every file of the folder is listed, sorted, referenced or not.
    let rels: Vec<&str> = ev.files.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(rels, ["big.bin", "r.md"]);
    assert_eq!(ev.files[1].1.sha256, report);
    assert_eq!(ev.files[1].1.role, crate::stamp::Role::Evidence);
}

#[test]
fn junit_cases_give_the_result_and_contradictions_are_errors() {
    let h = sha(REPORT.as_bytes());
    let entry = format!("evidence = [{{ path = \"junit.xml\", sha256 = \"{h}\" }}]");
    let mut t = Trace::new(&[
        (
            "T-PASS",
            "test",
            &format!("{entry}\njunit = [\"auth::ok\"]"),
        ),
        (
            "T-FAIL",
            "test",
            &format!("{entry}\njunit = [\"auth::ok\", \"auth::bad\"]"),
        ),
        (
            "T-SKIP",
            "test",
            &format!("{entry}\njunit = [\"auth::later\"]"),
        ),
        (
            "T-LIE",
            "test",
            &format!("{entry}\nresult = \"pass\"\njunit = [\"auth::bad\"]"),
        ),
        (
            "T-TRUE",
            "test",
            &format!("{entry}\nresult = \"fail\"\njunit = [\"auth::bad\"]"),
        ),
        (
            "T-NONE",
            "test",
            &format!("{entry}\njunit = [\"auth::okk\"]"),
        ),
        ("T-NOXML", "test", "junit = [\"auth::ok\"]"),
    ]);
    let (ev, d) = run(&mut t, vec![file("junit.xml", REPORT.as_bytes())]);
    let result = |id: &str| t.items[t.at(id)].result.map(|r| r.as_str());
    assert_eq!(result("T-PASS"), Some("pass"));
    assert_eq!(result("T-FAIL"), Some("fail"));
    assert_eq!(result("T-SKIP"), Some("not-run"));
    assert_eq!(result("T-LIE"), Some("pass"), "a written result is kept");
    assert_eq!(
        result("T-NONE"),
        None,
        "no result from a case that is not found"
    );
    let found = t.findings(&d);
    assert_eq!(
        found,
        [
            ("junit-result-mismatch", "T-LIE.md:6:10".to_string()),
            ("junit-case-missing", "T-NONE.md:6:10".to_string()),
            ("junit-case-missing", "T-NOXML.md:5:10".to_string()),
        ]
    );
    assert!(
        d[1].help
            .as_deref()
            .unwrap()
            .contains("did you mean `auth::ok`?"),
        "{:?}",
        d[1].help
    );
    assert_eq!(ev.junit[&t.at("T-PASS")].versions.len(), 1);
    assert_eq!(ev.junit[&t.at("T-PASS")].versions[0].0, "1.0");
}

#[test]
fn malformed_and_large_reports_are_findings_at_the_entry() {
    let bad = b"<testsuites><testsuite name=\"a\"><testcase";
    let mut t = Trace::new(&[
        (
            "T-1",
            "test",
            &format!(
                "evidence = [{{ path = \"bad.xml\", sha256 = \"{}\" }}]\njunit = [\"a::b\"]",
                sha(bad)
            ),
        ),
        (
            "T-2",
            "test",
            "evidence = [{ path = \"big.xml\" }]\njunit = [\"a::b\"]",
        ),
    ]);
    let big = EvidenceFile {
        name: "evidence/big.xml".into(),
        path: "evidence/big.xml".into(),
        rel: "big.xml".into(),
        digest: Ok((99, "ab".repeat(32))),
        content: Some(Err(InputError::TooLarge {
            size: 99,
            limit: 10,
        })),
    };
    let (_, d) = run(&mut t, vec![file("bad.xml", bad), big]);
    let codes: Vec<&str> = d.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        ["junit-malformed", "evidence-changed", "file-too-large"]
    );
    assert!(
        d[0].message.contains("evidence/bad.xml"),
        "{}",
        d[0].message
    );
    // A case cannot be looked up in a report that could not be read: no second finding.
    assert!(!codes.contains(&"junit-case-missing"));
}

#[test]
fn an_unreadable_folder_is_a_read_error() {
    let mut t = Trace::new(&[("T-1", "test", "")]);
    let folder = EvidenceFile {
        name: "evidence".into(),
        path: "evidence".into(),
        rel: String::new(),
        digest: Err(InputError::Folder("evidence folder cannot be read".into())),
        content: None,
    };
    let (ev, d) = run(&mut t, vec![folder]);
    assert_eq!(d[0].code, Code::ReadError);
    assert!(ev.files.is_empty());
}
