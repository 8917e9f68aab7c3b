//! GitHub Actions workflow commands (`::error file=F,line=L::message`), which GitHub shows
//! as annotations on the changed lines of a pull request.
//!
//! GitHub shows at most 10 annotations of each level per step and 50 per job
//! (actions/toolkit, docs/problem-matchers.md); the rest are dropped silently. So the most
//! severe findings come first, each level is cut at 10, and one notice says how many were
//! left out and where the whole list is.

use super::Finding;

/// Annotations of one level GitHub shows per step.
pub(crate) const PER_LEVEL: usize = 10;
/// Annotations GitHub shows per job.
#[cfg(test)]
pub(crate) const PER_JOB: usize = 50;

/// Escapes the message of a workflow command (`%`, CR, LF), as the toolkit does.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value, which also ends at `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(level: &str, f: &Finding) -> String {
    let mut props = Vec::new();
    if let Some(file) = &f.file {
        props.push(format!("file={}", escape_property(file)));
        if let (Some(l), Some(c)) = (f.line, f.column) {
            props.push(format!("line={l}"));
            if let Some(e) = f.end_line {
                props.push(format!("endLine={e}"));
            }
            // GitHub takes columns only for annotations on one line.
            if f.end_line == Some(l) {
                props.push(format!("col={c}"));
                if let Some(e) = f.end_column {
                    props.push(format!("endColumn={e}"));
                }
            }
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("techfile {}", f.code))
    ));
    let mut message = f.message.clone();
    if let Some(h) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    format!("::{level} {}::{}\n", props.join(","), escape_data(&message))
}

/// One `::notice` workflow command with `title` and `message`, both escaped.
pub fn notice(title: &str, message: &str) -> String {
    format!(
        "::notice title={}::{}\n",
        escape_property(title),
        escape_data(message)
    )
}

/// The workflow commands for `findings`: errors first, then warnings, at most
/// `PER_LEVEL` of each, then one notice naming how many were left out and `more` (where
/// the full list is).
pub fn annotations(findings: &[&Finding], more: &str) -> String {
    let mut out = String::new();
    let mut left = 0;
    // Two levels of PER_LEVEL and two notices (this one and a caller's) stay well inside
    // PER_JOB.
    for errors in [true, false] {
        let level = if errors { "error" } else { "warning" };
        let of_level: Vec<&&Finding> = findings.iter().filter(|f| f.is_error() == errors).collect();
        let shown = of_level.len().min(PER_LEVEL);
        for f in &of_level[..shown] {
            out.push_str(&command(level, f));
        }
        left += of_level.len() - shown;
    }
    if left > 0 {
        out.push_str(&format!(
            "::notice title=techfile::{}\n",
            escape_data(&format!(
                "{left} more finding{} not annotated (GitHub shows {PER_LEVEL} per level per step); {more}",
                if left == 1 { " is" } else { "s are" }
            ))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;

    fn finding(n: usize, severity: Severity) -> Finding {
        Finding {
            code: "unknown-id".into(),
            severity,
            message: format!("reference to unknown ID `X-{n}`: 100%\nsecond line"),
            subject: "REQ-1".into(),
            target: format!("X-{n}"),
            fingerprint: String::new(),
            file: Some("req/a,b.md".into()),
            line: Some(3),
            column: Some(4),
            end_line: Some(3),
            end_column: Some(9),
            help: Some("fix it".into()),
        }
    }

    #[test]
    fn commands_escape_messages_and_properties() {
        let f = finding(1, Severity::Error);
        let text = annotations(&[&f], "see the report");
        assert_eq!(
            text,
            "::error file=req/a%2Cb.md,line=3,endLine=3,col=4,endColumn=9,title=techfile unknown-id::reference to unknown ID `X-1`: 100%25%0Asecond line%0Ahelp: fix it\n"
        );
    }

    #[test]
    fn errors_come_first_and_each_level_is_capped() {
        let mut all: Vec<Finding> = (0..12).map(|n| finding(n, Severity::Warning)).collect();
        all.extend((0..15).map(|n| finding(n, Severity::Error)));
        let refs: Vec<&Finding> = all.iter().collect();
        let text = annotations(&refs, "see the job summary");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 21);
        assert!(lines.len() <= PER_JOB);
        assert!(lines[..10].iter().all(|l| l.starts_with("::error ")));
        assert!(lines[10..20].iter().all(|l| l.starts_with("::warning ")));
        assert_eq!(
            lines[20],
            "::notice title=techfile::7 more findings are not annotated (GitHub shows 10 per level per step); see the job summary"
        );
    }

    #[test]
    fn a_notice_escapes_its_title_and_message() {
        assert_eq!(
            notice("a: b, c", "100% sure\nnext"),
            "::notice title=a%3A b%2C c::100%25 sure%0Anext\n"
        );
    }
}
