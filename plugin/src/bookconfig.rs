//! What the edge reads from mdBook's configuration (book.toml): `[preprocessor.techfile]`,
//! the `[output.html]` options that change heading ids, and where chapters are rendered.

use crate::paths::Names;
use crate::tree::Tree;
use anyhow::{Context, Result};
use mdbook_preprocessor::config::{Config as BookConfig, HtmlConfig};
use std::fmt;
use std::path::Path;
use techfile_core::config::{self, Config, EnvOverride};
use techfile_core::diag::{self, Diagnostic};
use techfile_core::links;
use techfile_core::load::{Input, InputError};
use techfile_core::model::SourceMap;

/// The preprocessor's name in book.toml: `[preprocessor.techfile]`.
pub const NAME: &str = "techfile";

/// `[preprocessor.techfile]` could not be read: the findings, and the files they point
/// into (book.toml, and the `environment` pseudo-file of `MDBOOK_...` overrides). Carried
/// as the error of a run so the binary can print the findings like any others and exit 2.
#[derive(Debug)]
pub struct ConfigErrors {
    pub map: SourceMap,
    pub findings: Vec<Diagnostic>,
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&diag::render_human(&self.findings, &self.map, false))?;
        write!(
            f,
            "invalid [preprocessor.{NAME}] in book.toml: {}",
            diag::summary_line(&self.findings)
        )
    }
}

impl std::error::Error for ConfigErrors {}

/// The configuration, read with book.toml itself, which the analysis hashes and points
/// findings about the whole book at.
pub struct Loaded {
    pub config: Config,
    pub book_toml: Input,
    /// The `MDBOOK_...` overrides that changed the configuration, one note each.
    pub notes: Vec<String>,
    /// book.toml (and the environment's overrides) as read, which the configuration's
    /// spans point into: findings about the folders it names are configuration errors.
    pub map: SourceMap,
}

/// The `MDBOOK_...` variables that reach into `[preprocessor.techfile]`, sorted by name so
/// the result does not depend on the order of the environment (mdBook applies them in
/// that order; a variable that names a table comes before the ones inside it).
pub fn env_overrides() -> Vec<EnvOverride> {
    let mut out: Vec<EnvOverride> = std::env::vars_os()
        .filter_map(|(name, value)| {
            let name = name.into_string().ok()?;
            config::override_path(&name)?;
            Some(EnvOverride {
                name,
                value: value.to_string_lossy().into_owned(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Reads book.toml in `book_root` and `[preprocessor.techfile]` from its text (with the
/// environment's overrides), so every finding has its line and column.
///
/// # Errors
///
/// [`ConfigErrors`] when the table has findings (book.toml unreadable or not UTF-8
/// included).
pub fn load(book_root: &Path, names: &Names) -> Result<Loaded> {
    load_from(&crate::tree::FsTree::for_book(book_root), book_root, names)
}

/// [`load`] from a tree of files: the disk, or a git revision for `diff`.
///
/// # Errors
///
/// As [`load`].
pub fn load_from(tree: &dyn Tree, book_root: &Path, names: &Names) -> Result<Loaded> {
    let path = book_root.join("book.toml");
    let book_toml = Input {
        name: names.diag(&path),
        path: names.book(&path),
        content: tree.read_whole(&path),
    };
    let overrides = env_overrides();
    let mut map = SourceMap::new();
    let (config, mut findings) = config::read_book_toml_partial(&mut map, &book_toml, &overrides);
    // What the valid keys name is checked in the same round as the keys themselves, so
    // every configuration error is reported at once.
    if let Some(config) = &config {
        let table = map
            .find(&book_toml.name)
            .map(|f| techfile_core::model::Span::new(f, config.table_range.clone()));
        findings.extend(crate::gather::item_source_findings(
            tree,
            book_root,
            config,
            table,
            !findings.is_empty(),
        ));
        diag::sort(&mut findings);
    }
    match config {
        Some(config) if findings.is_empty() => Ok(Loaded {
            config,
            book_toml,
            notes: overrides.iter().map(override_note).collect(),
            map,
        }),
        _ => Err(ConfigErrors { map, findings }.into()),
    }
}

/// Says which setting an override changes, so a build log shows that the configuration
/// is not book.toml's alone.
fn override_note(o: &EnvOverride) -> String {
    let path = config::override_path(&o.name).unwrap_or_default();
    let what = match path.get(2..) {
        Some(keys) if !keys.is_empty() => format!("`{}` of [preprocessor.{NAME}]", keys.join(".")),
        _ => format!("the whole [{}] table", path.join(".")),
    };
    format!(
        "the environment variable {} overrides {what} in book.toml",
        o.name
    )
}

/// mdBook's configuration from the text of book.toml already read, with mdBook's
/// environment overrides, as `mdbook build` would see it.
///
/// # Errors
///
/// When mdBook rejects book.toml (the message starts with `book.toml:line:column:`, the
/// place of the value mdBook cannot read) or an override.
pub fn book_config(book_toml: &Input) -> Result<BookConfig> {
    let bytes = match &book_toml.content {
        Ok(bytes) => bytes,
        Err(InputError::Io(e) | InputError::Folder(e)) => {
            anyhow::bail!("cannot read {}: {e}", book_toml.name)
        }
        Err(InputError::TooLarge { .. }) => anyhow::bail!("{} is too large", book_toml.name),
    };
    let text =
        std::str::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", book_toml.name))?;
    let mut book: BookConfig = text
        .parse()
        .map_err(|e: anyhow::Error| rejected(&book_toml.name, text, &e))?;
    book.update_from_env()?;
    Ok(book)
}

/// mdBook's refusal of book.toml as one line that starts with the place of the value,
/// like every finding: mdBook's own message spans lines and says "line 2, column 9".
/// The rest of the file mdBook reads (`[book]`, `[build]`, `[output.*]`) is mdBook's,
/// so this stays an error rather than a finding with a code of this tool.
fn rejected(name: &str, text: &str, e: &anyhow::Error) -> anyhow::Error {
    let Some(toml) = e.chain().find_map(|c| c.downcast_ref::<toml::de::Error>()) else {
        return anyhow::anyhow!("cannot read {name}: {e:#}");
    };
    let mut map = SourceMap::new();
    let file = map.add(name, text);
    let place = toml.span().map_or_else(
        || name.to_string(),
        |span| {
            let (line, column) = map.get(file).line_col(span.start);
            format!("{name}:{line}:{column}")
        },
    );
    let message = toml
        .message()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    anyhow::anyhow!("{place}: mdBook cannot read this configuration: {message}")
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
    fn what_mdbook_rejects_is_named_at_its_place() {
        let input = |text: &str| Input {
            name: "book/book.toml".into(),
            path: "book.toml".into(),
            content: Ok(text.as_bytes().to_vec()),
        };
        let e = book_config(&input("[book]\ntitle = 3\n")).unwrap_err();
        assert_eq!(
            format!("{e:#}"),
            "book/book.toml:2:9: mdBook cannot read this configuration: invalid type: integer `3`, expected a string"
        );
        assert!(book_config(&input("[book]\ntitle = \"T\"\n")).is_ok());
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

    /// The core parses Markdown with its own copy of mdBook's parser options (it depends on
    /// no mdBook crate): for every combination of settings, it reads the same events as
    /// mdBook's own parser.
    #[test]
    fn the_cores_parser_options_are_mdbooks() {
        let text = "# T {#x .c}\n\n\"Quotes\" -- and...\n\nTerm\n: definition\n\n> [!NOTE]\n> admonition\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] task ~~struck~~ [^1]\n\n[^1]: note\n";
        for bits in 0..8u8 {
            let md = links::Markdown {
                smart_punctuation: bits & 1 != 0,
                definition_lists: bits & 2 != 0,
                admonitions: bits & 4 != 0,
            };
            let mut theirs = mdbook_markdown::MarkdownOptions::default();
            theirs.smart_punctuation = md.smart_punctuation;
            theirs.definition_lists = md.definition_lists;
            theirs.admonitions = md.admonitions;
            let ours: Vec<_> = pulldown_cmark::Parser::new_ext(text, md.parser_options()).collect();
            let mdbook: Vec<_> = mdbook_markdown::new_cmark_parser(text, &theirs).collect();
            assert_eq!(ours, mdbook, "settings {bits:03b}");
        }
    }
}
