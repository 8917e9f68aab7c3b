//! The `mdbook-techfile` binary: the mdBook preprocessor protocol, `check` and `supports`.
//! stdout carries only protocol JSON (or, for `check`, the findings); everything else goes
//! to stderr.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use mdbook_techfile::diag;
use mdbook_techfile::mdbook::{self as glue, Outcome};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mdbook-techfile",
    version,
    about = "mdBook preprocessor for the cybersecurity part of an EU MDR / IVDR technical file"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Tell mdBook whether a renderer is supported (exit 0: yes).
    Supports { renderer: String },
    /// Load and check a book without building it: exit 0 when clean, 1 on errors.
    Check {
        /// The folder holding book.toml.
        book_dir: PathBuf,
        /// How to print findings.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Colour the human output: auto (when stdout is a terminal), always or never.
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
        /// Also list the links that leave the book (URLs with a scheme such as https: or
        /// mailto:), which are never fetched, with where each is written.
        #[arg(long)]
        external_links: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        // Every renderer gets the same Markdown; generated tables are HTML, which the
        // markdown renderer passes through untouched.
        Some(Command::Supports { .. }) => Ok(ExitCode::SUCCESS),
        Some(Command::Check {
            book_dir,
            format,
            color,
            external_links,
        }) => check(&book_dir, format, color, external_links),
        None => preprocess(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn check(
    book_dir: &std::path::Path,
    format: Format,
    color: Color,
    external_links: bool,
) -> Result<ExitCode> {
    let outcome = glue::check(book_dir)?;
    let mut text = match format {
        Format::Json => diag::render_json(&outcome.diagnostics, &outcome.map),
        Format::Human => {
            let color = match color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => std::io::stdout().is_terminal(),
            };
            let mut t = outcome.report(color);
            if outcome.diagnostics.is_empty() {
                t.push_str("techfile: no findings\n");
            }
            t
        }
    };
    if external_links {
        text.push_str(&outcome.external_report(matches!(format, Format::Json)));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(exit_for(&outcome))
}

fn exit_for(outcome: &Outcome) -> ExitCode {
    if outcome.diagnostics.iter().any(diag::Diagnostic::is_error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn preprocess() -> Result<ExitCode> {
    let (ctx, book) = mdbook_preprocessor::parse_input(std::io::stdin().lock())
        .context("mdbook-techfile reads an mdBook preprocessor request on stdin; run it from mdBook, or use `mdbook-techfile check <BOOK_DIR>`")?;
    let outcome = glue::process(&ctx, book)?;
    let report = outcome.report(std::io::stderr().is_terminal());
    if !report.is_empty() {
        eprint!("{report}");
    }
    let Some(book) = outcome.book else {
        // Findings were printed above; a non-zero exit makes `mdbook build` fail.
        return Ok(ExitCode::from(1));
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &book)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
