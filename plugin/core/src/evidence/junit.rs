//! JUnit XML reports read with the `junit-parser` crate: the outcome of every test case by
//! its name, and the properties of the suites that hold them.
//!
//! A case's name is junit-parser's: `<classname>::<name>` from the `testcase` element's
//! `classname` and `name` attributes; without `classname`, `<group>::<name>`; without
//! either, `<name>` alone. That is the form a test item writes in `junit`.

use crate::model::TestResult;

/// One test case of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub(crate) name: String,
    pub(crate) outcome: Outcome,
    /// The properties of the suites that hold the case, innermost last.
    pub(crate) properties: Vec<(String, String)>,
}

/// What happened to a test case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Outcome {
    Passed,
    Skipped,
    Failed,
    /// The test could not run to its verdict (`<error>`).
    Error,
}

impl Outcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Skipped => "skipped",
            Outcome::Failed => "failed",
            Outcome::Error => "error",
        }
    }
}

/// The result of a test item from the outcomes of the cases it names: a failure or an
/// error fails it; otherwise a skipped case means it did not run; otherwise it passed.
pub(crate) fn result(outcomes: impl IntoIterator<Item = Outcome>) -> TestResult {
    match outcomes.into_iter().max() {
        Some(Outcome::Failed | Outcome::Error) => TestResult::Fail,
        Some(Outcome::Skipped) => TestResult::NotRun,
        Some(Outcome::Passed) => TestResult::Pass,
        None => TestResult::NotRun,
    }
}

/// Every test case of a JUnit XML report, in document order.
///
/// # Errors
/// The parser's message (with its cause) when the bytes are not a JUnit report.
pub fn parse(bytes: &[u8]) -> Result<Vec<Case>, String> {
    let suites = junit_parser::from_reader(std::io::Cursor::new(bytes)).map_err(|e| {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    })?;
    let mut out = Vec::new();
    for suite in &suites.suites {
        walk(suite, &mut Vec::new(), &mut out);
    }
    if out.is_empty() && suites.suites.is_empty() {
        return Err("no `testsuite` element: this is not a JUnit report".into());
    }
    Ok(out)
}

fn walk(suite: &junit_parser::TestSuite, props: &mut Vec<(String, String)>, out: &mut Vec<Case>) {
    let before = props.len();
    props.extend(suite.properties.vec.iter().cloned());
    for case in &suite.cases {
        let outcome = if case.status.is_error() {
            Outcome::Error
        } else if case.status.is_failure() {
            Outcome::Failed
        } else if case.status.is_skipped() {
            Outcome::Skipped
        } else {
            Outcome::Passed
        };
        out.push(Case {
            name: case.name.clone(),
            outcome,
            properties: props.clone(),
        });
    }
    for inner in &suite.suites {
        walk(inner, props, out);
    }
    props.truncate(before);
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="auth" tests="4">
    <properties><property name="version" value="3.4.0"/></properties>
    <testcase classname="auth.Login" name="locks_after_five"/>
    <testcase classname="auth.Login" name="mfa"><failure message="no prompt">trace</failure></testcase>
    <testcase classname="auth.Login" name="sso"><skipped/></testcase>
    <testcase name="bare"><error message="crash"/></testcase>
  </testsuite>
</testsuites>
"#;

    #[test]
    fn cases_are_named_classname_and_name() {
        let cases = parse(REPORT.as_bytes()).unwrap();
        let got: Vec<(&str, Outcome)> =
            cases.iter().map(|c| (c.name.as_str(), c.outcome)).collect();
        assert_eq!(
            got,
            [
                ("auth.Login::locks_after_five", Outcome::Passed),
                ("auth.Login::mfa", Outcome::Failed),
                ("auth.Login::sso", Outcome::Skipped),
                ("bare", Outcome::Error),
            ]
        );
        assert_eq!(cases[0].properties, [("version".into(), "3.4.0".into())]);
    }

    #[test]
    fn results_combine_outcomes() {
        use Outcome::*;
        assert_eq!(result([Passed, Passed]), TestResult::Pass);
        assert_eq!(result([Passed, Skipped]), TestResult::NotRun);
        assert_eq!(result([Skipped, Failed]), TestResult::Fail);
        assert_eq!(result([Error]), TestResult::Fail);
    }

    #[test]
    fn malformed_reports_are_errors() {
        assert!(parse(b"<testsuites><testsuite name=\"a\"><testcase name=\"x\">").is_err());
        assert!(parse(b"not xml at all").is_err());
        assert!(parse(b"").is_err());
    }
}
