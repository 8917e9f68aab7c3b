//! What the edge reads from mdBook's configuration (book.toml): `[preprocessor.techfile]`,
//! the `[output.html]` options that change heading ids, and where chapters are rendered.

use anyhow::Result;
use mdbook_preprocessor::config::{Config as BookConfig, HtmlConfig};
use std::path::Path;
use techfile_core::config::Config;
use techfile_core::links;

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
/// of headings, read as mdBook's HTML renderer reads them (its `HtmlConfig`, defaults
/// included; a table it cannot read counts as absent, as there).
pub fn markdown_options(book: &BookConfig) -> links::Markdown {
    let html: HtmlConfig = book
        .get::<HtmlConfig>("output.html")
        .ok()
        .flatten()
        .unwrap_or_default();
    links::Markdown {
        smart_punctuation: html.smart_punctuation,
        definition_lists: html.definition_lists,
        admonitions: html.admonitions,
    }
}

/// Whether mdBook runs one of its built-in preprocessors (`links`, `index`) for the HTML
/// renderer, by mdBook's rules: always while `build.use-default-preprocessors` is on
/// (the default); otherwise when book.toml has a `[preprocessor.NAME]` table whose
/// `renderers` (if set) list `html`.
pub fn builtin_runs(book: &BookConfig, name: &str) -> bool {
    if book.build.use_default_preprocessors {
        return true;
    }
    let table = book
        .get::<toml::Value>(&format!("preprocessor.{name}"))
        .ok()
        .flatten();
    let Some(table) = table else {
        return false;
    };
    match table.get("renderers").and_then(toml::Value::as_array) {
        Some(list) => list.iter().any(|r| r.as_str() == Some("html")),
        None => true,
    }
}

/// The path mdBook renders a chapter at: its `index` preprocessor renames `README.md`
/// (any case, any extension) to `index.md`.
pub fn rendered_path(path: &str, book: &BookConfig) -> String {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let stem = Path::new(name)
        .file_stem()
        .map_or(std::borrow::Cow::Borrowed(""), |s| s.to_string_lossy());
    if !stem.eq_ignore_ascii_case("readme") || !builtin_runs(book, "index") {
        return path.to_string();
    }
    if dir.is_empty() {
        "index.md".into()
    } else {
        format!("{dir}/index.md")
    }
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
        assert_eq!(rendered_path("README", &book), "index.md");
        book.build.use_default_preprocessors = false;
        assert_eq!(rendered_path("README.md", &book), "README.md");
        book.set("preprocessor.index", toml::Table::new()).unwrap();
        assert_eq!(rendered_path("README.md", &book), "index.md");
        book.set("preprocessor.index.renderers", vec!["markdown"])
            .unwrap();
        assert_eq!(rendered_path("README.md", &book), "README.md");
    }

    #[test]
    fn links_runs_by_mdbook_rules() {
        let mut book = BookConfig::default();
        assert!(builtin_runs(&book, "links"));
        book.build.use_default_preprocessors = false;
        assert!(!builtin_runs(&book, "links"));
        book.set("preprocessor.links.renderers", vec!["html"])
            .unwrap();
        assert!(builtin_runs(&book, "links"));
    }

    #[test]
    fn markdown_options_default_as_mdbook() {
        let mut book = BookConfig::default();
        assert_eq!(markdown_options(&book), links::Markdown::default());
        book.set("output.html.smart-punctuation", false).unwrap();
        let md = markdown_options(&book);
        assert!(!md.smart_punctuation && md.definition_lists && md.admonitions);
    }
}
