//! The report as GitHub-flavoured Markdown, for a pull-request comment or the job summary
//! (`$GITHUB_STEP_SUMMARY`). A comment holds at most 65,536 characters, so the report stays
//! under `MAX_CHARS`: when it would not, the longest lists are cut first, each ending in
//! "... and N more" that points at the JSON report. Text from the user's files is escaped
//! for Markdown (`text`), and only where Markdown would read it as markup: the report is
//! read raw too (a terminal, a CI log), where every needless backslash shows.

use super::items::{FieldChange, ItemRef};
use super::report::{Report, State};
use super::suspects::SuspectLink;
use super::words::{BodyDiff, Op};
use crate::report::Finding;
use std::fmt::Write;

/// The longest report written, in characters.
pub(crate) const MAX_CHARS: usize = 65_000;

/// A code span holding `text` exactly (a fence longer than any run of backticks inside).
/// Outside a table: in a cell, pass the cell through [`cell`].
fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// The content of a table cell: a pipe ends a cell even inside a code span unless it is
/// escaped, and GFM takes the escape out of code spans too. Only in cells: elsewhere the
/// backslash would show inside a code span.
fn cell(content: &str) -> String {
    content.replace('|', "\\|")
}

/// Text as Markdown that reads as the text itself: a backslash before exactly the
/// characters that would start markup where they stand (CommonMark 0.31 and GFM's
/// strikethrough, tables aside: see [`cell`]), so a path, a version or a sentence reads
/// the same raw and rendered. Line breaks become spaces: the text is one line of a list.
pub(crate) fn text(text: &str) -> String {
    let chars: Vec<char> = text
        .chars()
        .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
        .collect();
    let mut out = String::with_capacity(text.len() + 8);
    // A block marker at the start would make the line a heading, quote or list when the
    // text starts one (a list item's text, a table cell's is harmless but alike).
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let first_marks = match chars.first() {
        Some('#' | '>' | '-' | '+' | '=' | '[') => Some(0),
        _ if digits > 0 && matches!(chars.get(digits), Some('.' | ')')) => Some(digits),
        _ => None,
    };
    let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let markup = match c {
            _ if first_marks == Some(i) => true,
            '`' => true,
            // Emphasis and strikethrough delimiters flank a word: one between spaces
            // opens and closes nothing.
            '*' | '~' => !(space(prev) && space(next)),
            // `_` does not emphasise inside a word either (snake_case is safe).
            '_' => {
                !(space(prev) && space(next)
                    || prev.is_some_and(char::is_alphanumeric)
                        && next.is_some_and(char::is_alphanumeric))
            }
            // Math (GitHub): a `$` opens only before something that is not a space.
            '$' => !space(next),
            // A backslash escapes only the punctuation after it (and, last, what follows).
            '\\' => next.is_none_or(|n| n.is_ascii_punctuation()),
            // A link or image needs `](` or `][` (a bare `[x]` links only to a definition,
            // which the report never writes).
            ']' => matches!(next, Some('(' | '[')),
            // Raw HTML and autolinks start `<` + letter, `/`, `!` or `?`.
            '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')),
            // A character reference: `&name;`, `&#65;`, `&#x41;`.
            '&' => {
                let rest = chars[i + 1..].iter().skip_while(|&&n| n == '#');
                let run = rest
                    .clone()
                    .take_while(|n| n.is_ascii_alphanumeric())
                    .count();
                run > 0 && rest.clone().nth(run) == Some(&';')
            }
            _ => false,
        };
        if markup {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A message with its backticked names as code spans and the rest escaped.
fn message(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return self::text(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i % 2 == 1 { code(p) } else { self::text(p) })
        .collect()
}

/// A list under a heading; only `shown` entries are written.
struct Section {
    heading: String,
    /// Text between the heading and the list (a table head, a sentence).
    intro: String,
    entries: Vec<String>,
    shown: usize,
    /// Whether entries are table rows (no `- ` bullet).
    rows: bool,
}

impl Section {
    fn new(heading: impl Into<String>, entries: Vec<String>) -> Section {
        Section {
            heading: heading.into(),
            intro: String::new(),
            shown: entries.len(),
            entries,
            rows: false,
        }
    }

    fn table(heading: impl Into<String>, head: &str, rows: Vec<String>) -> Section {
        Section {
            intro: head.to_string(),
            rows: true,
            ..Section::new(heading, rows)
        }
    }

    fn render(&self, out: &mut String) {
        if self.entries.is_empty() {
            return;
        }
        let _ = writeln!(out, "{}\n", self.heading);
        out.push_str(&self.intro);
        for e in &self.entries[..self.shown] {
            if self.rows {
                let _ = writeln!(out, "{e}");
            } else {
                let _ = writeln!(out, "- {e}");
            }
        }
        let left = self.entries.len() - self.shown;
        if left > 0 {
            if self.rows {
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "{}... and {left} more (see the JSON report: `mdbook-techfile diff --format json`)",
                if self.rows { "" } else { "- " }
            );
        }
        out.push('\n');
    }
}

fn finding(f: &Finding) -> String {
    let place = f.place();
    let place = if place.is_empty() {
        String::new()
    } else {
        format!(" at {}", code(&place))
    };
    format!(
        "**{}** {}{place}: {}",
        f.severity.as_str(),
        code(&f.code),
        message(&f.message)
    )
}

/// `` `TST-1` → `CTL-1` (`file:line`) ``: a reviewed link, downstream first.
fn link(l: &SuspectLink) -> String {
    format!(
        "{} → {} ({})",
        code(&l.item),
        code(&l.upstream),
        code(&format!("{}:{}", l.file, l.line))
    )
}

/// A link the change leaves to review, with what changed since its review when known.
fn created(l: &SuspectLink) -> String {
    let mut e = link(l);
    if l.state == "pending" {
        e.push_str(": not reviewed yet");
        return e;
    }
    if !l.roots.is_empty() {
        let roots: Vec<String> = l
            .roots
            .iter()
            .map(|[d, u]| format!("{} → {}", code(d), code(u)))
            .collect();
        let _ = write!(
            e,
            ": suspect because {} is (root: {})",
            code(&l.upstream),
            roots.join(", ")
        );
        return e;
    }
    let _ = write!(e, ": {} changed since the review", code(&l.upstream));
    match &l.changes {
        None => e.push_str(
            " (the base is not the version reviewed: `mdbook-techfile check --explain-suspect` walks the history to it)",
        ),
        Some(changes) if changes.is_empty() => {
            e.push_str(" (no field differs: the fingerprint profile changed)");
        }
        Some(changes) => {
            e.push_str("

  | field | change |
  |---|---|");
            for c in changes {
                let _ = write!(
                    e,
                    "
  | {} | {} |",
                    cell(&code(&c.field)),
                    cell(&code(&c.word_diff))
                );
            }
        }
    }
    e
}

fn item(i: &ItemRef) -> String {
    format!(
        "{} {}: {} ({})",
        code(&i.id),
        i.kind,
        text(&i.title),
        code(&format!("{}:{}", i.file, i.line))
    )
}

fn value(v: &Option<String>) -> String {
    v.as_deref().map_or_else(|| "*(none)*".to_string(), code)
}

fn fields(out: &mut String, fields: &[FieldChange]) {
    if fields.is_empty() {
        return;
    }
    out.push_str("\n\n  | key | before | after |\n  |---|---|---|\n");
    for f in fields {
        let _ = writeln!(
            out,
            "  | {} | {} | {} |",
            cell(&code(&f.key)),
            cell(&value(&f.before)),
            cell(&value(&f.after))
        );
    }
}

fn body(out: &mut String, b: &BodyDiff) {
    let _ = write!(
        out,
        "\n\n  Body: {} word{} removed, {} added",
        b.words_removed,
        if b.words_removed == 1 { "" } else { "s" },
        b.words_added
    );
    let mut text = String::new();
    for s in &b.segments {
        let piece = match s.op {
            Op::Equal => s.text.clone(),
            Op::Delete => format!("[-{}-]", s.text),
            Op::Insert => format!("{{+{}+}}", s.text),
            Op::Skip => "...".to_string(),
        };
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&piece);
    }
    if b.truncated {
        text.push_str(" ...");
    }
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let _ = write!(out, ":\n\n  {fence}text\n  {text}\n  {fence}");
}

fn ratio(r: Option<super::coverage::Ratio>) -> String {
    match r {
        Some(r) if r.total > 0 => {
            format!("{}/{} ({}%)", r.covered, r.total, r.covered * 100 / r.total)
        }
        Some(r) => format!("{}/{}", r.covered, r.total),
        None => "-".into(),
    }
}

fn entry_state(s: &Option<super::coverage::EntryState>) -> String {
    match s {
        Some(s) => format!(
            "{} ({} requirement{})",
            s.status,
            s.requirements,
            if s.requirements == 1 { "" } else { "s" }
        ),
        None => "-".into(),
    }
}

fn placed(p: &Option<super::items::Placed>) -> String {
    match p {
        Some(p) => format!("{} ({})", text(&p.cell), p.level),
        None => "-".into(),
    }
}

/// Renders the report.
pub fn render(report: &Report<'_>) -> String {
    let d = report.diff;
    let s = &report.summary;
    let mut head = String::new();
    let _ = writeln!(
        head,
        "## Technical file: {} → {}\n",
        code(&report.base.label()),
        code(&report.head.label())
    );
    for side in [&report.base, &report.head] {
        match side.state {
            State::Analysed => {}
            State::Absent => {
                let _ = writeln!(
                    head,
                    "> The book does not exist at {}: everything is reported as {}.\n",
                    code(&side.revision),
                    if std::ptr::eq(side, &report.base) {
                        "added"
                    } else {
                        "removed"
                    }
                );
            }
            State::Invalid => {
                let _ = writeln!(
                    head,
                    "> The book at {} could not be analysed: {}\n",
                    code(&side.revision),
                    message(side.problem.as_deref().unwrap_or("unknown reason"))
                );
            }
        }
    }
    if report.gate.failed {
        let _ = writeln!(
            head,
            "**Gate: failed.** {}\n",
            message(&report.gate.reasons.join("; "))
        );
    } else {
        let rules: Vec<&str> = report.gate.rules.iter().map(|r| r.as_str()).collect();
        let _ = writeln!(
            head,
            "**Gate: passed** (fails on: {}).\n",
            if rules.is_empty() {
                "nothing".to_string()
            } else {
                rules.join(", ")
            }
        );
    }
    let _ = writeln!(head, "| | |\n|---|---|");
    let _ = writeln!(
        head,
        "| Items | {} added, {} removed, {} renamed, {} changed |",
        s.items_added, s.items_removed, s.items_renamed, s.items_changed
    );
    let _ = writeln!(
        head,
        "| Trace links | {} added, {} removed |",
        s.links_added, s.links_removed
    );
    let _ = writeln!(
        head,
        "| Findings | {} new ({} error{}), {} fixed, {} still present |",
        s.findings_new_errors + s.findings_new_warnings,
        s.findings_new_errors,
        if s.findings_new_errors == 1 { "" } else { "s" },
        s.findings_fixed,
        s.findings_unchanged
    );
    let _ = writeln!(
        head,
        "| Suspect links | {} created, {} cleared, {} still to review; {} review{} recorded |",
        s.suspect_links_created,
        s.suspect_links_cleared,
        s.suspect_links_still,
        s.reviews_recorded,
        if s.reviews_recorded == 1 { "" } else { "s" }
    );
    let _ = writeln!(head, "| Risks moved | {} |", s.risks_moved);
    let _ = writeln!(
        head,
        "| SBOM components | {} added, {} removed, {} changed |",
        s.components_added, s.components_removed, s.components_changed
    );
    if let Some(t) = &report.today {
        let _ = writeln!(head, "\nBoth versions analysed as of {t}.");
    }
    head.push('\n');

    let mut sections = vec![
        Section::new(
            "### New findings",
            d.findings.new.iter().map(finding).collect(),
        ),
        Section::new(
            "### Suspect links created",
            d.suspect_links.created.iter().map(created).collect(),
        ),
        Section::new(
            "### Suspect links cleared",
            d.suspect_links
                .cleared
                .iter()
                .map(|c| {
                    format!(
                        "{}: was {}, now {}",
                        link(&c.link),
                        c.link.state,
                        c.now.replace('-', " ")
                    )
                })
                .collect(),
        ),
        Section::new(
            "### Reviews recorded",
            d.suspect_links
                .recorded
                .iter()
                .map(|r| {
                    format!(
                        "{} ({}), {} on {}: {} link{} ({})",
                        text(&r.reviewer),
                        text(&r.role),
                        r.meaning,
                        r.date.get(..10).unwrap_or(&r.date),
                        r.links,
                        if r.links == 1 { "" } else { "s" },
                        code(&r.path)
                    )
                })
                .collect(),
        ),
        Section::new(
            "### Fixed findings",
            d.findings.fixed.iter().map(finding).collect(),
        ),
        Section::new("### Items added", d.items.added.iter().map(item).collect()),
        Section::new(
            "### Items removed",
            d.items.removed.iter().map(item).collect(),
        ),
        Section::new(
            "### Items renamed",
            d.items
                .renamed
                .iter()
                .map(|r| {
                    let mut e = format!("{} → {}", code(&r.from), item(&r.item));
                    fields(&mut e, &r.fields);
                    if let Some(b) = &r.body {
                        body(&mut e, b);
                    }
                    e
                })
                .collect(),
        ),
        Section::new(
            "### Items changed",
            d.items
                .changed
                .iter()
                .map(|c| {
                    let mut e = item(&c.item);
                    fields(&mut e, &c.fields);
                    if let Some(b) = &c.body {
                        body(&mut e, b);
                    }
                    e
                })
                .collect(),
        ),
        Section::new(
            "### Trace links",
            d.links
                .added
                .iter()
                .map(|l| ("added", l))
                .chain(d.links.removed.iter().map(|l| ("removed", l)))
                .map(|(what, l)| {
                    format!("{what}: {} {} {}", code(&l.from), l.relation, code(&l.to))
                })
                .collect(),
        ),
    ];
    let kinds: Vec<String> = d
        .coverage
        .kinds
        .iter()
        .filter(|k| k.before != Some(k.after))
        .map(|k| {
            format!(
                "| {} | {} | {} |",
                k.label,
                ratio(k.before),
                ratio(Some(k.after))
            )
        })
        .collect();
    sections.push(Section::table(
        "### Coverage",
        "| | before | after |\n|---|---|---|\n",
        kinds,
    ));
    let entries = |rows: &[super::coverage::EntryRow]| -> Vec<String> {
        rows.iter()
            .map(|r| {
                format!(
                    "| {} {} | {} | {} |",
                    cell(&code(&r.id)),
                    cell(&text(&r.title)),
                    entry_state(&r.before),
                    entry_state(&Some(r.after.clone()))
                )
            })
            .collect()
    };
    sections.push(Section::table(
        "### MDCG 2019-16 practices",
        "| practice | before | after |\n|---|---|---|\n",
        entries(&d.coverage.practices),
    ));
    sections.push(Section::table(
        "### Annex I entries",
        "| entry | before | after |\n|---|---|---|\n",
        entries(&d.coverage.annex),
    ));
    sections.push(Section::table(
        "### Risks",
        "| risk | initial before | initial after | residual before | residual after |\n|---|---|---|---|---|\n",
        d.risks
            .iter()
            .map(|r| {
                format!(
                    "| {} {} | {} | {} | {} | {} |",
                    cell(&code(&r.id)),
                    cell(&text(&r.title)),
                    cell(&placed(&r.initial.before)),
                    cell(&placed(&r.initial.after)),
                    cell(&placed(&r.residual.before)),
                    cell(&placed(&r.residual.after))
                )
            })
            .collect(),
    ));
    for sb in &d.sboms {
        let change = |label: &str, c: &super::sbom::ComponentChange| {
            format!(
                "{label}: {} {} → {}",
                code(&c.component.label),
                code(&c.before),
                code(&c.after)
            )
        };
        let mut entries: Vec<String> = sb
            .added
            .iter()
            .map(|c| format!("added: {}", code(&c.label)))
            .collect();
        entries.extend(
            sb.removed
                .iter()
                .map(|c| format!("removed: {}", code(&c.label))),
        );
        entries.extend(sb.version_changed.iter().map(|c| change("version", c)));
        entries.extend(sb.license_changed.iter().map(|c| change("license", c)));
        entries.extend(sb.hash_changed.iter().map(|c| change("hash", c)));
        entries.extend(sb.supplier_changed.iter().map(|c| change("supplier", c)));
        if entries.is_empty() {
            entries.push(format!("{} (no component changed)", sb.state));
        }
        sections.push(Section::new(
            format!("### SBOM {} ({})", code(&sb.sbom), sb.state),
            entries,
        ));
    }
    fit(&head, &mut sections);
    let mut out = head;
    if report.diff.is_empty() {
        out.push_str("No change to items, links, coverage, risks, findings or SBOMs.\n");
    }
    for s in &sections {
        s.render(&mut out);
    }
    out
}

/// An upper bound of the rendered length (bytes count at least as many as characters).
fn rendered_len(head: &str, sections: &[Section]) -> usize {
    let lists: usize = sections
        .iter()
        .filter(|s| !s.entries.is_empty())
        .map(|s| {
            s.heading.len()
                + s.intro.len()
                + 120
                + s.entries[..s.shown]
                    .iter()
                    .map(|e| e.len() + 3)
                    .sum::<usize>()
        })
        .sum();
    head.len() + lists + 200
}

/// Cuts the longest lists until the report fits in [`MAX_CHARS`].
fn fit(head: &str, sections: &mut [Section]) {
    while rendered_len(head, sections) > MAX_CHARS {
        let Some(longest) = sections
            .iter_mut()
            .filter(|s| s.shown > 0)
            .max_by_key(|s| s.entries[..s.shown].iter().map(String::len).sum::<usize>())
        else {
            return;
        };
        longest.shown /= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_backticks_and_pipes() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        // A pipe is escaped in table cells only: elsewhere the backslash would show.
        assert_eq!(code("a|b"), "`a|b`");
        assert_eq!(cell(&code("a|b")), "`a\\|b`");
    }

    #[test]
    fn long_reports_are_cut_to_fit_a_comment() {
        use crate::diff::gate;
        use crate::diff::report::{Side, State};
        let mut diff = crate::diff::Diff::default();
        for n in 0..5000 {
            diff.findings.new.push(Finding {
                code: "unknown-id".into(),
                severity: crate::diag::Severity::Error,
                message: format!(
                    "`REQ-{n}` derives from unknown ID `X-{n}` with a long explanation after it"
                ),
                subject: format!("REQ-{n}"),
                target: format!("X-{n}"),
                fingerprint: String::new(),
                file: Some(format!("requirements/REQ-{n}.md")),
                line: Some(3),
                column: Some(1),
                end_line: Some(3),
                end_column: Some(5),
                help: None,
            });
        }
        diff.items.added.push(crate::diff::items::ItemRef {
            id: "REQ-A".into(),
            kind: "requirement",
            title: "<b>bold</b> | pipe".into(),
            file: "r/a.md".into(),
            line: 2,
        });
        let side = |r: &str| Side {
            revision: r.into(),
            commit: None,
            state: State::Analysed,
            problem: None,
        };
        let verdict = gate::evaluate(&diff, &gate::DEFAULT, 0);
        let report = Report::new(
            &diff,
            side("main"),
            side("working tree"),
            None,
            verdict,
            "0",
        );
        let text = render(&report);
        assert!(text.chars().count() <= MAX_CHARS, "{}", text.len());
        assert!(text.contains("**Gate: failed.** 5000 errors introduced"));
        let shown = text.matches("- **error** `unknown-id`").count();
        assert!(shown > 100 && shown < 5000, "{shown}");
        assert!(text.contains(&format!(
            "... and {} more (see the JSON report",
            5000 - shown
        )));
        // The short list is not cut, and its user text is escaped where it is markup.
        assert!(
            text.contains("- `REQ-A` requirement: \\<b>bold\\</b> | pipe"),
            "{text}"
        );
    }

    #[test]
    fn messages_keep_their_names_as_code() {
        assert_eq!(message("unknown ID `X<1>`"), "unknown ID `X<1>`");
        assert_eq!(message("a <b> `c"), "a \\<b> \\`c");
    }

    /// The text of a Markdown line as GFM renders it, or what it made of it besides text.
    fn rendered(markdown: &str) -> Result<String, String> {
        use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_MATH
            | Options::ENABLE_GFM;
        let mut out = String::new();
        for event in Parser::new_ext(markdown, options) {
            match event {
                Event::Text(t) => out.push_str(&t),
                Event::Code(c) => {
                    out.push('`');
                    out.push_str(&c);
                    out.push('`');
                }
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
                other => return Err(format!("{other:?}")),
            }
        }
        Ok(out)
    }

    #[test]
    fn text_reads_as_itself_raw_and_rendered() {
        // Nothing doubled and nothing needless: what is not markup stays as written.
        for plain in [
            "book/book.toml:6:1: error[config-unknown-key]: unknown key in [preprocessor.techfile]",
            "C:\\Users\\me\\file.md",
            "snake_case_name and a - b + c = d; 1.0 (draft) #12 50% 2 * 3 $ 5 & co > x < y ~ z",
            "https://example.com/a_b?c=1&d=2",
        ] {
            assert_eq!(text(plain), plain);
            assert_eq!(
                rendered(&format!("x {}", text(plain))),
                Ok(format!("x {plain}"))
            );
        }
        // Markup in user text is text: emphasis, code, links, images, HTML, entities,
        // strikethrough, math, a trailing backslash, and block markers where a line starts.
        for hostile in [
            "*a* _b_ **c** `d` ~~e~~ ~f~",
            "[link](https://x) ![img](y.png) [ref][r] <https://auto> <b>bold</b> <!-- c -->",
            "&amp; &#65; &copy; $x$ $$y$$",
            "ends in \\",
            "a\\*b \\` c",
            "# heading",
            "> quote",
            "- item",
            "+ item",
            "12. item",
            "3) item",
            "=== setext",
            "_x_",
        ] {
            let escaped = text(hostile);
            assert_eq!(rendered(&escaped), Ok(hostile.to_string()), "{escaped}");
            // A line of a list too: the text after `- `.
            let item = format!("- {escaped}");
            let events: Vec<_> = pulldown_cmark::Parser::new(&item).collect();
            assert!(
                !events.iter().any(|e| matches!(
                    e,
                    pulldown_cmark::Event::Start(
                        pulldown_cmark::Tag::Heading { .. }
                            | pulldown_cmark::Tag::BlockQuote(_)
                            | pulldown_cmark::Tag::Emphasis
                            | pulldown_cmark::Tag::Link { .. }
                    )
                )),
                "{item}: {events:?}"
            );
        }
        assert_eq!(text("line\nbreak"), "line break");
    }

    #[test]
    fn an_invalid_version_is_noted_with_its_names_as_code_and_no_needless_escape() {
        use crate::diff::gate;
        use crate::diff::report::{Side, State};
        let diff = crate::diff::Diff::default();
        let problem = "book/book.toml:6:1: error[config-unknown-key]: unknown key `no-such-key` in [preprocessor.techfile]";
        let base = Side {
            revision: "main".into(),
            commit: None,
            state: State::Invalid,
            problem: Some(problem.into()),
        };
        let head = Side {
            revision: "working tree".into(),
            commit: None,
            state: State::Analysed,
            problem: None,
        };
        let verdict = gate::evaluate(&diff, &gate::DEFAULT, 0);
        let report = Report::new(&diff, base, head, None, verdict, "0");
        let md = render(&report);
        let line = md
            .lines()
            .find(|l| l.starts_with("> The book at"))
            .expect("the notice");
        assert_eq!(
            line,
            "> The book at `main` could not be analysed: book/book.toml:6:1: error[config-unknown-key]: unknown key `no-such-key` in [preprocessor.techfile]"
        );
        // The JSON report holds the problem as written, escaped once, for JSON only.
        let json = report.json();
        assert!(
            json.contains("\"problem\": \"book/book.toml:6:1: error[config-unknown-key]: unknown key `no-such-key` in [preprocessor.techfile]\""),
            "{json}"
        );
    }
}
