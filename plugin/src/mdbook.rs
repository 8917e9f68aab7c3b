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

    /// The findings as a compiler prints them, after the notes, with a closing count.
    pub fn report(&self, color: bool) -> String {
        let findings = &self.analysis.findings;
        let mut out = self.notes_text();
        out.push_str(&diag::render_human(findings, &self.analysis.map, color));
        if !findings.is_empty() {
            out.push_str(&format!("techfile: {}\n", diag::summary_line(findings)));
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
    let names = Names::for_book(&ctx.root);
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
    let mut analysis = analyse(inputs, Mode::Build);
    crate::history::check_independence(&mut analysis, &ctx.root);
    let mut notes = notes;
    notes.append(&mut analysis.notes);
    if analysis.has_errors() {
        return Ok(Outcome {
            analysis,
            book: None,
            notes,
        });
    }
    let output = std::mem::take(&mut analysis.output);
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
    Ok(Outcome {
        analysis,
        book: Some(book),
        notes,
    })
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
        .map(|c| c.path.clone())
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
