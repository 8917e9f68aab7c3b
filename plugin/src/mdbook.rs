//! The mdBook glue: one preprocessing pass over a book handed over by mdBook, and `check`,
//! which loads a book from disk the way mdBook does. Both gather the inputs once
//! ([`crate::gather`]), run the pure analysis, and return it; nothing here prints: the
//! binary owns stdout (the mdBook protocol) and stderr (the rendered findings).

use crate::bookconfig;
use crate::gather::{Chapters, GivenChapter, Names, gather_inputs};
use anyhow::{Result, bail};
use mdbook_preprocessor::PreprocessorContext;
use mdbook_preprocessor::book::{Book, BookItem, Chapter};
use std::path::Path;
use techfile_core::config::Config;
use techfile_core::diag;
use techfile_core::{Analysis, Inputs, Mode, analyse};

/// What one pass produced: the analysis (findings, pages, links that leave the book), the
/// book when no finding is an error, and notes that are not findings.
pub struct Outcome {
    pub analysis: Analysis,
    pub book: Option<Book>,
    /// Things the user should know that are not findings (no git repository, no date).
    pub notes: Vec<String>,
}

impl Outcome {
    /// The links that leave the book (which no build fetches), one per line:
    /// `file:line:col: URL` after a heading line, or JSON Lines objects
    /// `{"external": URL, "file", "line", "column"}`.
    pub fn external_report(&self, json: bool) -> String {
        let mut out = String::new();
        let external = &self.analysis.output.external;
        if !json {
            let n = external.len();
            out.push_str(&format!(
                "techfile: {n} link{} to outside the book (not checked)\n",
                if n == 1 { "" } else { "s" }
            ));
        }
        for e in external {
            let place = e.span.map(|span| {
                let file = self.analysis.map.get(span.file);
                let (line, column) = file.line_col(span.start as usize);
                (file.name.as_str(), line, column)
            });
            if json {
                let v = serde_json::json!({
                    "external": e.url,
                    "file": place.map(|p| p.0),
                    "line": place.map(|p| p.1),
                    "column": place.map(|p| p.2),
                });
                out.push_str(&v.to_string());
            } else {
                match place {
                    Some((file, line, column)) => {
                        out.push_str(&format!("  {file}:{line}:{column}: {}", e.url))
                    }
                    None => out.push_str(&format!("  {}", e.url)),
                }
            }
            out.push('\n');
        }
        out
    }

    /// The findings as a compiler prints them, after the notes, with a closing count and
    /// the open work drafts leave.
    pub fn report(&self, color: bool) -> String {
        let findings = &self.analysis.findings;
        let mut out = self.notes_text();
        out.push_str(&diag::render_human(findings, &self.analysis.map, color));
        out.push_str(&self.open_work_line());
        if !findings.is_empty() {
            out.push_str(&format!("techfile: {}\n", diag::summary_line(findings)));
        }
        out
    }

    /// One line naming the open work, when there is any: the items first, by what is open
    /// about them (drafts, items whose gap only drafts fill, approved tests not run), then
    /// a count of the catalog entries only drafts address, which are no one's to edit.
    pub fn open_work_line(&self) -> String {
        let open = &self.analysis.gaps.open;
        if open.is_empty() {
            return String::new();
        }
        let graph = self.analysis.graph();
        let mut drafts = std::collections::BTreeSet::new();
        let mut waiting = std::collections::BTreeSet::new();
        let mut not_run = std::collections::BTreeSet::new();
        let mut entries = std::collections::BTreeSet::new();
        for o in open {
            let item = match graph.lookup(&o.id) {
                Some(techfile_core::graph::Node::Item(i)) if o.span.is_some() => &graph.items[i],
                _ => {
                    entries.insert(o.id.as_str());
                    continue;
                }
            };
            if item.is_declared_draft() {
                drafts.insert(o.id.as_str());
            } else if o.code.is_some() {
                waiting.insert(o.id.as_str());
            } else {
                not_run.insert(o.id.as_str());
            }
        }
        // Names beyond this many per group are counted, so the line stays one line.
        const SHOWN: usize = 5;
        let names = |ids: &std::collections::BTreeSet<&str>| {
            let mut out: Vec<String> = ids.iter().take(SHOWN).map(|id| format!("`{id}`")).collect();
            if ids.len() > SHOWN {
                out.push(format!("and {} more", ids.len() - SHOWN));
            }
            out.join(", ")
        };
        let mut parts = Vec::new();
        if !drafts.is_empty() {
            parts.push(format!("drafts {}", names(&drafts)));
        }
        if !waiting.is_empty() {
            parts.push(format!("covered only by drafts {}", names(&waiting)));
        }
        if !not_run.is_empty() {
            parts.push(format!("approved tests not run {}", names(&not_run)));
        }
        if !entries.is_empty() {
            let n = entries.len();
            parts.push(format!(
                "{n} catalog entr{} addressed only by drafts",
                if n == 1 { "y" } else { "ies" }
            ));
        }
        format!(
            "techfile: open work, not failing the build: {}; `mdbook-techfile check --gaps` lists it with every coverage gap\n",
            parts.join("; ")
        )
    }

    /// Every coverage gap (whatever its configured level) and the open work, for
    /// `check --gaps`: in human form, or as JSON Lines objects with `"gap"` or `"open"`.
    pub fn gaps_report(&self, json: bool) -> String {
        let a = &self.analysis;
        let place = |span: Option<techfile_core::model::Span>| {
            span.map(|s| {
                let file = a.map.get(s.file);
                let (line, column) = file.line_col(s.start as usize);
                (file.name.as_str(), line, column)
            })
        };
        let mut out = String::new();
        for d in &a.gaps.findings {
            let at = place(d.primary.as_ref().map(|l| l.span));
            if json {
                let v = serde_json::json!({
                    "gap": d.code.as_str(),
                    "message": d.message,
                    "file": at.map(|p| p.0),
                    "line": at.map(|p| p.1),
                    "column": at.map(|p| p.2),
                    "help": d.help,
                });
                out.push_str(&format!("{v}\n"));
            } else {
                let loc = at.map_or_else(String::new, |(f, l, c)| format!("{f}:{l}:{c}: "));
                out.push_str(&format!("gap[{}]: {loc}{}\n", d.code.as_str(), d.message));
                if let Some(h) = &d.help {
                    out.push_str(&format!("  = help: {h}\n"));
                }
            }
        }
        for o in &a.gaps.open {
            let at = place(o.span);
            if json {
                let v = serde_json::json!({
                    "open": o.id,
                    "what": o.what,
                    "rule": o.code.map(|c| c.as_str()),
                    "file": at.map(|p| p.0),
                    "line": at.map(|p| p.1),
                    "column": at.map(|p| p.2),
                });
                out.push_str(&format!("{v}\n"));
            } else {
                let loc = at.map_or_else(String::new, |(f, l, c)| format!("{f}:{l}:{c}: "));
                out.push_str(&format!("open: {loc}`{}` {}\n", o.id, o.what));
            }
        }
        if !json {
            let unread = a.findings.iter().filter(|d| d.code.is_input()).count();
            if unread > 0 {
                out.push_str(&format!(
                    "techfile: note: {unread} input error{} (`mdbook-techfile check` lists them): items that could not be read are missing from this list\n",
                    if unread == 1 { "" } else { "s" }
                ));
            }
            out.push_str(&format!(
                "techfile: {} coverage gap{}, {} open item{} (drafts and tests not run); `--gaps` never fails\n",
                a.gaps.findings.len(),
                if a.gaps.findings.len() == 1 { "" } else { "s" },
                a.gaps.open.len(),
                if a.gaps.open.len() == 1 { "" } else { "s" },
            ));
        }
        out
    }

    /// The notes, one `techfile: note: ...` line each.
    pub fn notes_text(&self) -> String {
        self.notes
            .iter()
            .map(|n| format!("techfile: note: {n}\n"))
            .collect()
    }
}

/// Runs the whole pipeline on a book handed over by mdBook.
///
/// `[preprocessor.techfile]` is read from book.toml on disk (with the environment's
/// `MDBOOK_...` overrides), not from the configuration mdBook hands over, so that findings
/// about it have their line and column.
///
/// # Errors
///
/// [`bookconfig::ConfigErrors`] when the configuration has findings; other errors when an
/// input cannot be gathered.
pub fn process(ctx: &PreprocessorContext, mut book: Book) -> Result<Outcome> {
    let names = Names::in_book_root(&ctx.root);
    let loaded = bookconfig::load(&ctx.root, &names)?;
    let mut given = Vec::new();
    book.for_each_chapter_mut(|ch| {
        if let Some(path) = &ch.path {
            given.push(GivenChapter {
                source: ch.source_path.clone(),
                // mdBook's `PathBuf` skips `.` segments when it compares paths.
                path: crate::paths::slash_path(path),
                text: ch.content.clone(),
            });
        }
    });
    let (inputs, notes) = gather_inputs(
        &ctx.root,
        &ctx.config,
        loaded,
        &names,
        Chapters::Given(given),
    )?;
    let chapter_paths: Vec<String> = inputs
        .book
        .chapters
        .iter()
        .map(|c| techfile_core::summary::page_path(&c.path))
        .collect();
    let mut analysis = analyse(inputs, Mode::Build);
    crate::history::check_independence(&mut analysis, &ctx.root);
    let mut notes = notes;
    notes.append(&mut analysis.notes);
    // `mdbook serve` keeps showing the last pages that built when a build fails, which
    // would look like a pass: served, the book is rendered with its findings in it.
    let serving = crate::bundler::serving(&ctx.config);
    if analysis.has_errors() && !serving {
        return Ok(Outcome {
            analysis,
            book: None,
            notes,
        });
    }
    let mut output = std::mem::take(&mut analysis.output);
    if serving {
        techfile_core::serve::annotate(
            &mut output,
            &chapter_paths,
            &analysis.findings,
            &analysis.map,
            &analysis.items,
            &analysis.config.pages_dir,
        );
    }
    let mut contents = output.chapters.into_iter();
    book.for_each_chapter_mut(|ch| {
        if ch.path.is_some()
            && let Some(c) = contents.next()
        {
            ch.content = c.text;
        }
    });
    if !output.generated.is_empty() {
        book.push_item(BookItem::PartTitle(analysis.config.pages_title.clone()));
        for page in output.generated {
            let mut ch = Chapter::new(&page.title, page.content.text, &page.path, Vec::new());
            // Generated pages have no file on disk; without this mdBook would offer an
            // "edit this page" link to a file that does not exist.
            ch.source_path = None;
            book.push_item(BookItem::Chapter(ch));
        }
    }
    analysis.output.external = output.external;
    // The bundle renderer analyses again in its own process; this lets it prove that the
    // HTML it ships and the trace it writes come from the same inputs.
    if let Some(stamp) = &analysis.stamp {
        crate::handover::mark(&mut book, &stamp.build_digest());
    }
    Ok(Outcome {
        analysis,
        book: Some(book),
        notes,
    })
}

/// Under `mdbook serve`, a book whose configuration cannot be read: its chapters as
/// written, each with a banner of the configuration findings, and the findings page.
pub fn with_config_errors(mut book: Book, errors: &bookconfig::ConfigErrors) -> Book {
    use techfile_core::render::Mapped;
    use techfile_core::serve as findings;
    let mut output = techfile_core::book::Output::default();
    let mut paths = Vec::new();
    book.for_each_chapter_mut(|ch| {
        if let Some(path) = &ch.path {
            paths.push(techfile_core::summary::page_path(
                &crate::paths::slash_path(path),
            ));
            output
                .chapters
                .push(Mapped::generated(ch.content.clone(), None));
        }
    });
    let pages_dir = techfile_core::config::Config::default().pages_dir;
    findings::annotate(
        &mut output,
        &paths,
        &errors.findings,
        &errors.map,
        &[],
        &pages_dir,
    );
    let mut contents = output.chapters.into_iter();
    book.for_each_chapter_mut(|ch| {
        if ch.path.is_some()
            && let Some(c) = contents.next()
        {
            ch.content = c.text;
        }
    });
    for page in output.generated {
        let mut ch = Chapter::new(&page.title, page.content.text, &page.path, Vec::new());
        ch.source_path = None;
        book.push_item(BookItem::Chapter(ch));
    }
    book
}

/// Loads a book from disk and runs the same loading and checks as a build, without mdBook.
///
/// # Errors
///
/// [`bookconfig::ConfigErrors`] when `[preprocessor.techfile]` has findings; other errors
/// when there is no book.toml, mdBook rejects it, or an input cannot be gathered.
pub fn check(book_root: &Path) -> Result<Outcome> {
    check_on(book_root, None)
}

/// [`check`], with the checks that depend on the date judged on `today` when given
/// (`check --today`).
///
/// # Errors
///
/// As [`check`].
pub fn check_on(book_root: &Path, today: Option<techfile_core::model::Date>) -> Result<Outcome> {
    check_with(book_root, |_| {}, |inputs, _| inputs.today = today)
}

/// [`check`] with the configuration adjusted before the inputs are gathered, and the
/// gathered inputs before the analysis: `revalidate` drops the configured advisory folders
/// it replaces (so they are not read), sets the date and adds its folders and documents.
///
/// # Errors
///
/// As [`check`].
pub fn check_with(
    book_root: &Path,
    configure: impl FnOnce(&mut Config),
    adjust: impl FnOnce(&mut Inputs, &Names),
) -> Result<Outcome> {
    load(book_root, Mode::Check, configure, adjust).map(|(o, _)| o)
}

/// A page as `check` renders it: its path relative to `src` as mdBook renders it, and its
/// final Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPage {
    pub path: String,
    pub content: String,
}

/// [`check`], keeping the pages: the chapters after expansion, then the generated pages,
/// in book order. Tests compare them with what `mdbook build` makes of the same book.
pub fn render(book_root: &Path) -> Result<(Outcome, Vec<RenderedPage>)> {
    load(book_root, Mode::Build, |_| {}, |_, _| {})
}

fn load(
    book_root: &Path,
    mode: Mode,
    configure: impl FnOnce(&mut Config),
    adjust: impl FnOnce(&mut Inputs, &Names),
) -> Result<(Outcome, Vec<RenderedPage>)> {
    if !book_root.join("book.toml").is_file() {
        bail!("{} has no book.toml", book_root.display());
    }
    let names = Names::for_book(book_root);
    // Our table first: its findings (a TOML syntax error included) are more precise than
    // mdBook's message about the same file.
    let mut loaded = bookconfig::load(book_root, &names)?;
    configure(&mut loaded.config);
    let book_config = bookconfig::book_config(&loaded.book_toml)?;
    let (mut inputs, notes) = gather_inputs(
        book_root,
        &book_config,
        loaded,
        &names,
        Chapters::FromSummary,
    )?;
    adjust(&mut inputs, &names);
    let paths: Vec<String> = inputs
        .book
        .chapters
        .iter()
        .map(|c| techfile_core::summary::page_path(&c.path))
        .collect();
    let mut analysis = analyse(inputs, mode);
    crate::history::check_independence(&mut analysis, book_root);
    let mut notes = notes;
    notes.append(&mut analysis.notes);
    let output = std::mem::take(&mut analysis.output);
    let pages = paths
        .into_iter()
        .zip(output.chapters)
        .map(|(path, content)| RenderedPage {
            path,
            content: content.text,
        })
        .chain(output.generated.into_iter().map(|g| RenderedPage {
            path: g.path,
            content: g.content.text,
        }))
        .collect();
    analysis.output.external = output.external;
    Ok((
        Outcome {
            analysis,
            book: None,
            notes,
        },
        pages,
    ))
}
