//! What the edge reads from mdBook's configuration (book.toml): `[preprocessor.techfile]`,
//! the `[output.html]` options that change heading ids, and where chapters are rendered.

use anyhow::Result;
use mdbook_preprocessor::config::Config as BookConfig;
use techfile_core::config::Config;
use techfile_core::links;

/// The preprocessor's name in book.toml: `[preprocessor.techfile]`.
pub const NAME: &str = "techfile";

/// Reads and validates `[preprocessor.techfile]`.
pub fn config_from(book: &BookConfig) -> Result<Config> {
    let mut config: Config = book
        .get(&format!("preprocessor.{NAME}"))
        .map_err(|e| anyhow::anyhow!("invalid [preprocessor.{NAME}] in book.toml: {e:#}"))?
        .unwrap_or_default();
    // The cover's title defaults to the book's: the core never sees book.toml's [book].
    if let Some(bundle) = &mut config.bundle
        && bundle.document_title.is_none()
    {
        bundle.document_title = book.book.title.clone();
    }
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
