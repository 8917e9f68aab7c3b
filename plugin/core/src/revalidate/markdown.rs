//! The revalidation report as Markdown, for people: a CI job summary, an issue body, a
//! file beside the JSON report. GitHub refuses a job summary over 1 MiB, so long lists
//! are cut with a line that says how many rows the JSON report has beyond them.

use super::report::{Run, summary, support_component, support_ending};
use crate::Analysis;
use crate::lifecycle::{EndOfSupport, Standing, count_days};
use std::fmt::Write;

/// Rows shown per table and findings shown in the list before the rest is counted.
pub(crate) const MAX_ROWS: usize = 300;

/// Text in a table cell or list entry, escaped so that nothing from an advisory or an
/// SBOM can open a link, an image, an HTML tag, emphasis or code, or end the cell: the
/// characters that do so are backslash-escaped (CommonMark renders them as written), line
/// breaks become spaces. Other punctuation stays, so the raw text stays readable.
pub(crate) fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn more(out: &mut String, shown: usize, total: usize) {
    if total > shown {
        let _ = writeln!(out, "\n… and {} more (see the JSON report).", total - shown);
    }
}

/// The report as Markdown: the book and the day come from `run`, everything else from
/// `analysis` (its findings, vulnerabilities and support).
pub fn render(analysis: &Analysis, run: &Run) -> String {
    let a = &analysis.vulnerabilities;
    let s = summary(analysis);
    let mut out = String::new();
    let _ = writeln!(out, "# Revalidation of {}\n", cell(&run.book));
    let result = if s.errors == 0 && s.warnings == 0 {
        "no findings".to_string()
    } else {
        diagnostic_counts(s.errors, s.warnings)
    };
    let _ = writeln!(
        out,
        "**Date:** {} ({}) · **Result:** {result} · mdbook-techfile {}\n",
        run.today,
        run.today_source.describe(),
        cell(&run.tool_version)
    );
    out.push_str("## Advisory snapshot\n\n");
    if a.sources.is_empty() {
        out.push_str(
            "No advisory folder was given: no component was checked against advisories.\n\n",
        );
    } else {
        out.push_str("| Folder | Records | Withdrawn | Not read | Newest modified | SHA-256 of the set |\n|---|---:|---:|---:|---|---|\n");
        for src in &a.sources {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | `{}` |",
                src.path.replace('`', "'"),
                src.records,
                src.withdrawn,
                src.rejected,
                src.newest_modified
                    .map_or("unknown".to_string(), |m| m.to_string()),
                src.sha256
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "## Summary\n\n- Components: {} ({} checked against advisories, {} not checked)\n- Vulnerabilities: {} open, {} settled by VEX, {} informational advisories\n- Advisories that could not be evaluated: {}\n- VEX statements read: {}",
        s.components,
        s.checked,
        s.not_checked,
        s.open,
        s.settled,
        s.informational,
        s.unevaluated,
        s.vex_statements
    );
    if analysis.support.tracked || s.support_ended + s.support_ending > 0 {
        let _ = writeln!(
            out,
            "- Support: {} ended, {} ending within {}, {} without stated support",
            s.support_ended,
            s.support_ending,
            count_days(i64::from(analysis.config.revalidate.eos_warning_days)),
            s.support_unknown
        );
    }
    let _ = writeln!(
        out,
        "- Reviews: {} overdue, {} due · Evidence findings: {}\n",
        s.reviews_overdue, s.reviews_due, s.evidence_findings
    );
    let label = |id: crate::advisory::ComponentId| {
        let c = id.get(&analysis.sboms);
        cell(&c.label())
    };
    let open: Vec<_> = a
        .vulnerabilities
        .iter()
        .filter(|v| !a.is_settled(v))
        .collect();
    if !open.is_empty() {
        out.push_str("## Open vulnerabilities and informational advisories\n\n| Component | SBOM | Vulnerability | Aliases | Severity | Fixed in | VEX | Items to re-check |\n|---|---|---|---|---|---|---|---|\n");
        for v in open.iter().take(MAX_ROWS) {
            let severity = v
                .score
                .as_ref()
                .map_or("not given".to_string(), |s| match s.tenths {
                    Some(t) => format!("{} {}", crate::cvss::tenths(t), s.rating),
                    None => s.rating.clone(),
                });
            let vex = match v.statement.map(|i| &a.statements[i]) {
                Some(st) if !st.complete => format!("{} (incomplete)", st.label),
                Some(st) => st.label.clone(),
                None => "none".into(),
            };
            let mut title = cell(&v.id);
            if let Some(kind) = &v.informational {
                let _ = write!(title, " (informational: {})", cell(kind));
            }
            if let Some(summary) = &v.summary {
                let _ = write!(title, ": {}", cell(summary));
            }
            let items: Vec<String> = analysis
                .sboms
                .affected_by
                .get(&v.component.object())
                .into_iter()
                .flatten()
                .map(|&i| cell(&analysis.items[i].id))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {title} | {} | {} | {} | {} | {} |",
                label(v.component),
                cell(&analysis.sboms.sboms[v.component.sbom].key),
                cell(&v.aliases.join(", ")),
                cell(&severity),
                cell(&v.fixed.join(", ")),
                cell(&vex),
                if items.is_empty() {
                    "none".to_string()
                } else {
                    items.join(", ")
                }
            );
        }
        more(&mut out, open.len().min(MAX_ROWS), open.len());
        out.push('\n');
    }
    let settled: Vec<_> = a
        .vulnerabilities
        .iter()
        .filter(|v| a.is_settled(v))
        .collect();
    if !settled.is_empty() {
        out.push_str("## Settled by VEX statements\n\n| Component | Vulnerability | Status | Justification or detail | Review by |\n|---|---|---|---|---|\n");
        for v in settled.iter().take(MAX_ROWS) {
            let Some(st) = v.statement.map(|i| &a.statements[i]) else {
                continue;
            };
            let why = st
                .justification
                .iter()
                .chain(&st.detail)
                .cloned()
                .collect::<Vec<_>>()
                .join(": ");
            let due = st.due(a.max_age);
            let due = match (due, a.today) {
                (Some(d), Some(t)) if d < t => format!("{d} (expired)"),
                (Some(d), _) => d.to_string(),
                (None, _) => "none".into(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {due} |",
                label(v.component),
                cell(&v.id),
                cell(&st.label),
                cell(&why)
            );
        }
        more(&mut out, settled.len().min(MAX_ROWS), settled.len());
        out.push('\n');
    }
    if !a.not_checked.is_empty() {
        out.push_str("## Components not checked\n\n");
        for (id, reason) in a.not_checked.iter().take(MAX_ROWS) {
            let _ = writeln!(out, "- {}: {}", label(*id), cell(reason));
        }
        more(
            &mut out,
            a.not_checked.len().min(MAX_ROWS),
            a.not_checked.len(),
        );
        out.push('\n');
    }
    let ending = support_ending(analysis);
    if !ending.is_empty() {
        out.push_str("## Support ended or ending\n\n| Component | SBOM | End of support | Level | Source |\n|---|---|---|---|---|\n");
        for (c, end, standing) in ending.iter().take(MAX_ROWS) {
            let (EndOfSupport::Date(date), Some(id)) = (end, support_component(c)) else {
                continue;
            };
            let when = match standing {
                Standing::Ended(ago) => format!("{date} (ended {} ago)", count_days(*ago)),
                Standing::Ending(left) => format!("{date} (in {})", count_days(*left)),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {when} | {} | {} |",
                label(id),
                cell(&analysis.sboms.sboms[id.sbom].key),
                c.level.as_ref().map_or("not stated", |l| l.value.label()),
                c.end
                    .as_ref()
                    .map_or(String::new(), |e| cell(&e.source.describe()))
            );
        }
        more(&mut out, ending.len().min(MAX_ROWS), ending.len());
        out.push('\n');
    }
    out.push_str("## Findings\n\n");
    if analysis.findings.is_empty() {
        out.push_str("None.\n");
    }
    for d in analysis.findings.iter().take(MAX_ROWS) {
        let place = d.primary.as_ref().map_or(String::new(), |p| {
            let file = analysis.map.get(p.span.file);
            let (line, col) = file.line_col(p.span.start as usize);
            format!(" `{}:{line}:{col}`", file.name.replace('`', "'"))
        });
        let _ = writeln!(
            out,
            "- **{}[{}]**{place}: {}",
            d.severity.as_str(),
            d.code.as_str(),
            cell(&d.message)
        );
        if let Some(h) = &d.help {
            let _ = writeln!(out, "  - help: {}", cell(h));
        }
    }
    more(
        &mut out,
        analysis.findings.len().min(MAX_ROWS),
        analysis.findings.len(),
    );
    out
}

fn diagnostic_counts(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_cannot_open_links_html_or_end_the_row() {
        assert_eq!(
            cell("a|b [x](y) <img> `c` *d*\nnext"),
            "a\\|b \\[x\\](y) \\<img\\> \\`c\\` \\*d\\* next"
        );
        assert_eq!(cell("fixcrate@1.2.2"), "fixcrate@1.2.2");
    }
}
