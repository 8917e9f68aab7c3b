//! The findings shown in the book itself, for `mdbook serve`: a banner at the top of every
//! page (the counts, a link to the findings page, and the findings about that page) and a
//! findings page listing them all. A served book that has errors is rendered with them in
//! view instead of failing, so the browser never keeps showing the last build that passed.

use super::{href, html};
use crate::book::{GeneratedPage, Output};
use crate::diag::{self, Diagnostic};
use crate::model::{Item, SourceMap, anchor};
use crate::render::Mapped;
use std::fmt::Write;

const STYLE: &str = "<style>\n.techfile-findings { border: 2px solid #b00020; border-radius: 0.3em; padding: 0.5em 1em; margin-bottom: 1.5em; background: #fff4f4; color: #1b1b1b; }\n.techfile-findings.techfile-only-warnings { border-color: #a06000; background: #fff8e6; }\n.techfile-findings ul { margin: 0.3em 0 0 0; }\n.techfile-findings code { white-space: normal; }\n</style>\n";

/// One finding on one line: `error[code] file:line:col: message`, then the help.
fn line(d: &Diagnostic, map: &SourceMap) -> String {
    let place = d.primary.as_ref().map_or_else(String::new, |l| {
        let file = map.get(l.span.file);
        let (line, col) = file.line_col(l.span.start as usize);
        format!(" <code>{}:{line}:{col}</code>", html(&file.name))
    });
    let help = d
        .help
        .as_deref()
        .map_or_else(String::new, |h| format!("<br><em>help:</em> {}", html(h)));
    format!(
        "<strong>{}[{}]</strong>{place}: {}{help}",
        d.severity.as_str(),
        d.code.as_str(),
        html(&d.message)
    )
}

/// Whether `page` shows what a finding is about: text of its file (a chapter, an included
/// file, an item body), or the section of the item whose file it is.
fn on_page(d: &Diagnostic, page: &Mapped, items: &[Item]) -> bool {
    let Some(at) = &d.primary else {
        return false;
    };
    let file = at.span.file;
    if let Some(item) = items.iter().find(|i| i.file() == file) {
        return page.text.contains(&format!("{{#{}}}", anchor(&item.id)));
    }
    page.shows(file)
}

fn banner(all: &[Diagnostic], here: &[&Diagnostic], map: &SourceMap, link: &str) -> String {
    let only_warnings = !all.iter().any(Diagnostic::is_error);
    let mut out = String::from(STYLE);
    let _ = write!(
        out,
        "<div class=\"techfile-findings{}\">\n<p><strong>techfile: {}</strong>. {} See <a href=\"{}\">the findings</a>.</p>\n",
        if only_warnings {
            " techfile-only-warnings"
        } else {
            ""
        },
        diag::summary_line(all),
        if only_warnings {
            "The book builds."
        } else {
            "<code>mdbook build</code> fails on them; <code>mdbook serve</code> shows the book anyway."
        },
        html(link)
    );
    if !here.is_empty() {
        out.push_str("<ul>\n");
        for d in here {
            let _ = writeln!(out, "<li>{}</li>", line(d, map));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</div>\n\n");
    out
}

/// The findings page.
fn page(findings: &[Diagnostic], map: &SourceMap) -> String {
    let mut out = String::from("# Findings\n\n");
    out.push_str(STYLE);
    let _ = writeln!(
        out,
        "\n<p>This page exists only under <code>mdbook serve</code>: {}. Fix them, and the page goes away.</p>\n\n<ol class=\"techfile-findings-list\">",
        diag::summary_line(findings)
    );
    for d in findings {
        let _ = writeln!(out, "<li>{}</li>", line(d, map));
    }
    out.push_str("</ol>\n");
    out
}

/// Puts the findings into the book: a banner at the top of every chapter and generated
/// page (`chapter_paths` are the chapters' paths, in the order of `output.chapters`), and a
/// findings page at `<pages_dir>/findings.md`. Nothing changes when there are no findings.
pub fn annotate(
    output: &mut Output,
    chapter_paths: &[String],
    findings: &[Diagnostic],
    map: &SourceMap,
    items: &[Item],
    pages_dir: &str,
) {
    if findings.is_empty() {
        return;
    }
    let target = format!("{}/findings.md", pages_dir.trim_end_matches('/'));
    let prepend = |content: &mut Mapped, path: &str| {
        let here: Vec<&Diagnostic> = findings
            .iter()
            .filter(|d| on_page(d, content, items))
            .collect();
        let mut with =
            Mapped::generated(banner(findings, &here, map, &href(path, &target, "")), None);
        with.append(content);
        *content = with;
    };
    for (content, path) in output.chapters.iter_mut().zip(chapter_paths) {
        prepend(content, path);
    }
    for p in &mut output.generated {
        prepend(&mut p.content, &p.path);
    }
    output.generated.push(GeneratedPage {
        title: "Findings".into(),
        path: target,
        content: Mapped::generated(page(findings, map), None),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;
    use crate::model::Span;

    #[test]
    fn every_page_gets_the_counts_and_its_own_findings() {
        let mut map = SourceMap::new();
        let a = map.add("book/src/a.md", "# A\n[x](nowhere.md)\n");
        let b = map.add("book/src/b.md", "# B <x>\n");
        let findings = vec![
            Diagnostic::new(Code::BrokenLink, "broken link `nowhere.md` <&>")
                .at(Span::new(a, 4..18), "here")
                .help("link to a chapter"),
        ];
        let mut output = Output {
            chapters: vec![
                Mapped::generated("# A\n", Some(Span::new(a, 0..1))),
                Mapped::generated("# B\n", Some(Span::new(b, 0..1))),
            ],
            ..Output::default()
        };
        let paths = ["a.md".to_string(), "part/b.md".to_string()];
        annotate(&mut output, &paths, &findings, &map, &[], "techfile");
        let (first, second) = (&output.chapters[0].text, &output.chapters[1].text);
        assert!(first.contains("1 error, 0 warnings"), "{first}");
        assert!(first.contains("href=\"techfile/findings.html\""), "{first}");
        assert!(
            second.contains("href=\"../techfile/findings.html\""),
            "{second}"
        );
        // The page the finding is on lists it, escaped; the other page only counts it.
        assert!(
            first.contains("broken link `nowhere.md` &lt;&amp;&gt;"),
            "{first}"
        );
        assert!(first.contains("<code>book/src/a.md:2:1</code>"), "{first}");
        assert!(!second.contains("nowhere.md"), "{second}");
        assert!(first.ends_with("# A\n") && second.ends_with("# B\n"));
        let page = &output.generated[0];
        assert_eq!(page.path, "techfile/findings.md");
        assert!(page.content.text.starts_with("# Findings\n"));
        assert!(
            page.content
                .text
                .contains("<li><strong>error[broken-link]</strong>")
        );
        // Nothing to show, nothing added.
        let mut untouched = Output::default();
        annotate(&mut untouched, &[], &[], &map, &[], "techfile");
        assert!(untouched.generated.is_empty());
    }
}
