//! The mdBook glue: configuration from book.toml and one preprocessing pass over a book.
//! It reads files but never prints; the binary owns stdout (the mdBook protocol) and
//! stderr (the rendered findings).

use crate::book::Chapter as TfChapter;
use crate::config::Config;
use crate::diag::{self, Diagnostic};
use crate::files::{self, Names};
use crate::model::SourceMap;
use crate::{Inputs, run};
use anyhow::{Context, Result, bail};
use mdbook_preprocessor::PreprocessorContext;
use mdbook_preprocessor::book::{Book, BookItem, Chapter};
use mdbook_preprocessor::config::Config as BookConfig;
use std::path::Path;

/// The preprocessor's name in book.toml: `[preprocessor.techfile]`.
pub const NAME: &str = "techfile";

/// Reads and validates `[preprocessor.techfile]`.
pub fn config_from(book: &BookConfig) -> Result<Config> {
    let config: Config = book
        .get(&format!("preprocessor.{NAME}"))
        .map_err(|e| anyhow::anyhow!("invalid [preprocessor.{NAME}] in book.toml: {e:#}"))?
        .unwrap_or_default();
    config
        .validate()
        .map_err(|e| anyhow::anyhow!("invalid book.toml: {e}"))?;
    Ok(config)
}

/// What one pass produced: the findings (for the caller to show) and the book, when no
/// finding is an error.
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub map: SourceMap,
    pub book: Option<Book>,
    /// Things the user should know that are not findings (no git repository, no date).
    pub notes: Vec<String>,
}

impl Outcome {
    pub fn report(&self, color: bool) -> String {
        let mut out = self.notes_text();
        out.push_str(&diag::render_human(&self.diagnostics, &self.map, color));
        if !self.diagnostics.is_empty() {
            out.push_str(&format!(
                "techfile: {}\n",
                diag::summary_line(&self.diagnostics)
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

/// The stamp of this build when `[preprocessor.techfile.bundle]` is set, with its notes.
fn stamp(
    root: &Path,
    book: &BookConfig,
    config: &Config,
    names: &Names,
    items: &[crate::load::Input],
) -> Result<(Option<crate::bundle::Stamp>, Vec<String>)> {
    match &config.bundle {
        Some(bundle) => {
            let (stamp, notes) =
                crate::bundler::resolve_stamp(root, book, config, bundle, names, items)?;
            Ok((Some(stamp), notes))
        }
        None => Ok((None, Vec::new())),
    }
}

/// Runs the whole pipeline on a book handed over by mdBook.
pub fn process(ctx: &PreprocessorContext, mut book: Book) -> Result<Outcome> {
    let config = config_from(&ctx.config)?;
    let names = Names::for_book(&ctx.root);
    let mut map = SourceMap::new();
    let config_span = files::config_span(&mut map, &ctx.root.join("book.toml"), &names);
    let items = files::read_items(&ctx.root, &config, &names);
    let (stamp, notes) = stamp(&ctx.root, &ctx.config, &config, &names, &items)?;
    let sboms = files::read_sboms(&ctx.root, &config, &names);
    let src = ctx.root.join(&ctx.config.book.src);

    let mut chapters = Vec::new();
    book.for_each_chapter_mut(|ch| {
        if let Some(path) = &ch.path {
            let source = ch.source_path.as_deref().unwrap_or(path);
            let file = map.add(names.diag(&src.join(source)), ch.content.clone());
            chapters.push(TfChapter {
                file,
                path: path.to_string_lossy().replace('\\', "/"),
            });
        }
    });

    let inputs = Inputs {
        items,
        sboms,
        chapters,
        config_span,
        stamp,
    };
    let (output, diagnostics) = run(&config, &mut map, inputs, true);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Ok(Outcome {
            diagnostics,
            map,
            book: None,
            notes,
        });
    }

    let mut contents = output.chapters.into_iter();
    book.for_each_chapter_mut(|ch| {
        if ch.path.is_some()
            && let Some(c) = contents.next()
        {
            ch.content = c;
        }
    });
    if !output.generated.is_empty() {
        book.push_item(BookItem::PartTitle(config.pages_title.clone()));
        for page in output.generated {
            let mut ch = Chapter::new(&page.title, page.content, &page.path, Vec::new());
            // Generated pages have no file on disk; without this mdBook would offer an
            // "edit this page" link to a file that does not exist.
            ch.source_path = None;
            book.push_item(BookItem::Chapter(ch));
        }
    }
    Ok(Outcome {
        diagnostics,
        map,
        book: Some(book),
        notes,
    })
}

/// Loads a book from disk and runs the same loading and checks as a build, without mdBook.
pub fn check(book_root: &Path) -> Result<Outcome> {
    let book_toml = book_root.join("book.toml");
    if !book_toml.is_file() {
        bail!("{} has no book.toml", book_root.display());
    }
    let mut book_config = BookConfig::from_disk(&book_toml)
        .with_context(|| format!("cannot read {}", book_toml.display()))?;
    book_config.update_from_env()?;
    let config = config_from(&book_config)?;
    let names = Names::for_book(book_root);
    let mut map = SourceMap::new();
    let config_span = files::config_span(&mut map, &book_toml, &names);
    let items = files::read_items(book_root, &config, &names);
    let (stamp, notes) = stamp(book_root, &book_config, &config, &names, &items)?;
    let sboms = files::read_sboms(book_root, &config, &names);
    let chapters = files::read_chapters(&book_root.join(&book_config.book.src), &mut map, &names)
        .map_err(anyhow::Error::msg)?;
    let inputs = Inputs {
        items,
        sboms,
        chapters,
        config_span,
        stamp,
    };
    let (_, diagnostics) = run(&config, &mut map, inputs, false);
    Ok(Outcome {
        diagnostics,
        map,
        book: None,
        notes,
    })
}
