//! The books the whole-book targets lay their input over reach the code those targets are
//! meant to fuzz: a base that stopped reading JUnit or drawing the threat model would
//! leave a target fuzzing nothing, with every run still passing.

use techfile_core::Mode;
use techfile_core::diag::Code;
use techfile_fuzzing::book::Book;

fn codes(book: &Book) -> Vec<Code> {
    book.analyse(Mode::Build)
        .findings
        .iter()
        .map(|d| d.code)
        .collect()
}

#[test]
fn the_lifecycle_book_reads_its_junit_report_support_table_and_dates() {
    let found = codes(&Book::lifecycle());
    // The failed JUnit case leaves RSK-1 without a verified control.
    assert!(found.contains(&Code::RiskNotVerified), "{found:?}");
    // The support table ends org.example/lib's support 30 days after `today`.
    assert!(found.contains(&Code::ComponentEosSoon), "{found:?}");
    assert!(!found.contains(&Code::EvidenceChanged), "{found:?}");
    assert!(!codes(&Book::base()).contains(&Code::RiskNotVerified));
}

#[test]
fn the_threat_book_models_and_draws_its_elements() {
    let book = Book::threat();
    let found = codes(&book);
    assert!(found.contains(&Code::StrideGap), "{found:?}");
    assert!(!found.contains(&Code::InvalidValue), "{found:?}");
    let built = book.analyse(Mode::Build);
    let threat = built
        .output
        .chapters
        .iter()
        .find(|c| c.text.contains("# Threat model"))
        .expect("the threat chapter");
    assert!(
        threat.text.contains("Mobile &lt;app&gt;"),
        "{}",
        threat.text
    );
}

#[test]
fn the_lifecycle_book_matches_its_advisory_and_applies_vex() {
    let book = Book::lifecycle();
    let a = book.analyse(Mode::Build);
    // The OSV record is read as a record, matched against serde, and calls it unmaintained.
    assert_eq!(a.vulnerabilities.records, 1);
    assert_eq!(a.vulnerabilities.notices.len(), 1);
    assert!(
        a.vulnerabilities
            .vulnerabilities
            .iter()
            .any(|v| v.id == "RUSTSEC-2026-0001"),
        "{:?}",
        a.vulnerabilities.vulnerabilities
    );
    assert!(a.vulnerabilities.statements.is_empty());
    // The VEX target's base document is read as a statement on that vulnerability.
    let mut with_vex = book.clone();
    with_vex.vex.push((
        "vex/base.openvex.json".into(),
        techfile_fuzzing::book::OPENVEX.as_bytes().to_vec(),
    ));
    let a = with_vex.analyse(Mode::Build);
    assert_eq!(a.vulnerabilities.statements.len(), 1);
    let found: Vec<Code> = a.findings.iter().map(|d| d.code).collect();
    assert!(
        !found.contains(&Code::VexMalformed) && !found.contains(&Code::VexUnknownVulnerability),
        "{found:?}"
    );
}
