//! The mdBook glue: configuration from book.toml and one preprocessing pass over a book.
//! It reads files but never prints; the binary owns stdout (the mdBook protocol) and
//! stderr (the rendered findings).

use crate::book::Chapter as TfChapter;
use crate::config::Config;
use crate::diag::{self, Diagnostic};
use crate::files::{self, Names};
use crate::links;
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

/// The `[output.html]` settings that change how mdBook parses Markdown, and so the ids
/// of headings; mdBook's defaults when they are not set.
pub fn markdown_options(book: &BookConfig) -> links::Markdown {
    let default = links::Markdown::default();
    let get = |key: &str, default: bool| {
        book.get::<bool>(&format!("output.html.{key}"))
            .ok()
            .flatten()
            .unwrap_or(default)
    };
    links::Markdown {
        smart_punctuation: get("smart-punctuation", default.smart_punctuation),
        definition_lists: get("definition-lists", default.definition_lists),
        admonitions: get("admonitions", default.admonitions),
    }
}

/// The path mdBook renders a chapter at: its `index` preprocessor (on unless
/// `build.use-default-preprocessors = false`) renames `README.md` to `index.md`.
pub fn rendered_path(path: &str, book: &BookConfig) -> String {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    if !book.build.use_default_preprocessors || !stem.eq_ignore_ascii_case("readme") {
        return path.to_string();
    }
    if dir.is_empty() {
        "index.md".into()
    } else {
        format!("{dir}/index.md")
    }
}

/// What one pass produced: the findings (for the caller to show), the links that leave
/// the book, and the book, when no finding is an error.
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub map: SourceMap,
    pub book: Option<Book>,
    /// The links that leave the book (not fetched), in page order.
    pub external: Vec<links::External>,
    /// Things the user should know that are not findings (no git repository, no date).
    pub notes: Vec<String>,
}

impl Outcome {
    /// The links that leave the book (which no build fetches), one per line:
    /// `file:line:col: URL` after a heading line, or JSON Lines objects
    /// `{"external": URL, "file", "line", "column"}`.
    pub fn external_report(&self, json: bool) -> String {
        let mut out = String::new();
        if !json {
            let n = self.external.len();
            out.push_str(&format!(
                "techfile: {n} link{} to outside the book (not checked)\n",
                if n == 1 { "" } else { "s" }
            ));
        }
        for e in &self.external {
            let place = e.span.map(|span| {
                let file = self.map.get(span.file);
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
                // mdBook's own preprocessors ran before this one: the text is final.
                complete: true,
            });
        }
    });

    let inputs = Inputs {
        items,
        sboms,
        chapters,
        config_span,
        src_files: files::list_src_files(&src, &ctx.root.join(&ctx.config.build.build_dir)),
        markdown: markdown_options(&ctx.config),
        stamp,
    };
    let (output, diagnostics) = run(&config, &mut map, inputs, true);
    let external = output.external;
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Ok(Outcome {
            diagnostics,
            map,
            book: None,
            external,
            notes,
        });
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
        book.push_item(BookItem::PartTitle(config.pages_title.clone()));
        for page in output.generated {
            let mut ch = Chapter::new(&page.title, page.content.text, &page.path, Vec::new());
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
        external,
        notes,
    })
}

/// Loads a book from disk and runs the same loading and checks as a build, without mdBook.
pub fn check(book_root: &Path) -> Result<Outcome> {
    Ok(load(book_root, false)?.0)
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
    load(book_root, true)
}

fn load(book_root: &Path, render: bool) -> Result<(Outcome, Vec<RenderedPage>)> {
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
    let src = book_root.join(&book_config.book.src);
    let mut chapters = files::read_chapters(&src, &mut map, &names).map_err(anyhow::Error::msg)?;
    for c in &mut chapters {
        c.path = rendered_path(&c.path, &book_config);
    }
    let paths: Vec<String> = chapters.iter().map(|c| c.path.clone()).collect();
    let inputs = Inputs {
        items,
        sboms,
        chapters,
        config_span,
        src_files: files::list_src_files(&src, &book_root.join(&book_config.build.build_dir)),
        markdown: markdown_options(&book_config),
        stamp,
    };
    let (output, diagnostics) = run(&config, &mut map, inputs, render);
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
    let outcome = Outcome {
        diagnostics,
        map,
        book: None,
        external: output.external,
        notes,
    };
    Ok((outcome, pages))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_chapters_are_rendered_as_index() {
        let mut book = BookConfig::default();
        assert_eq!(rendered_path("README.md", &book), "index.md");
        assert_eq!(
            rendered_path("part/Readme.markdown", &book),
            "part/index.md"
        );
        assert_eq!(rendered_path("readme-first.md", &book), "readme-first.md");
        book.build.use_default_preprocessors = false;
        assert_eq!(rendered_path("README.md", &book), "README.md");
    }
}
