//! The `mdbook-techfile` binary: the mdBook preprocessor protocol, `check`, `supports`, the
//! bundle renderer (`render`) and `verify`. stdout carries only protocol JSON (or, for
//! `check` and `verify`, the report); everything else goes to stderr.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use mdbook_techfile::mdbook::{self as glue, Outcome};
use mdbook_techfile::{bundler, diag};
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
    },
    /// mdBook renderer: writes the compliance bundle (HTML, PDF, trace.json, SBOMs,
    /// MANIFEST.sha256). Set `[output.techfile] command = "mdbook-techfile render"`.
    Render,
    /// Check a bundle against its MANIFEST.sha256: exit 0 when every file matches, 1 when
    /// a file is missing, changed or not listed.
    Verify {
        /// The bundle folder (book/book/techfile after `mdbook build book`).
        bundle_dir: PathBuf,
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
        // The bundle renderer reads the book itself; running the preprocessor for it
        // again would only print every warning twice.
        Some(Command::Supports { renderer }) if renderer == BUNDLE_RENDERER => {
            Ok(ExitCode::from(1))
        }
        // Every other renderer gets the same Markdown; generated tables are HTML, which
        // the markdown renderer passes through untouched.
        Some(Command::Supports { .. }) => Ok(ExitCode::SUCCESS),
        Some(Command::Render) => render(),
        Some(Command::Verify { bundle_dir }) => verify(&bundle_dir),
        Some(Command::Check {
            book_dir,
            format,
            color,
        }) => check(&book_dir, format, color),
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

/// The name of the bundle's output table, `[output.techfile]`.
const BUNDLE_RENDERER: &str = "techfile";

fn check(book_dir: &std::path::Path, format: Format, color: Color) -> Result<ExitCode> {
    let outcome = glue::check(book_dir)?;
    let text = match format {
        Format::Json => {
            // JSON Lines holds findings only; notes go where a person reads them.
            eprint!("{}", outcome.notes_text());
            diag::render_json(&outcome.diagnostics, &outcome.map)
        }
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

fn render() -> Result<ExitCode> {
    let ctx = mdbook_renderer::RenderContext::from_json(std::io::stdin().lock())
        .context("mdbook-techfile render reads an mdBook render context on stdin; run it from mdBook as [output.techfile] command = \"mdbook-techfile render\"")?;
    let done = bundler::render(&ctx)?;
    for note in &done.notes {
        eprintln!("techfile: note: {note}");
    }
    let pdf = match &done.pdf {
        Some((name, bytes, took)) => format!(
            ", {name} ({} KiB, printed in {:.1} s)",
            bytes.div_ceil(1024),
            took.as_secs_f64()
        ),
        None => ", no PDF (pdf = false)".to_string(),
    };
    eprintln!(
        "techfile: bundle written to {}: {} files{pdf}; {} has SHA-256 {}",
        done.destination.display(),
        done.files,
        mdbook_techfile::bundle::manifest::FILE_NAME,
        done.manifest_sha256
    );
    Ok(ExitCode::SUCCESS)
}

fn verify(dir: &std::path::Path) -> Result<ExitCode> {
    let verified = bundler::verify(dir)?;
    let mut text = String::new();
    for p in &verified.problems {
        text.push_str(&format!("{p}\n"));
    }
    if verified.problems.is_empty() {
        text.push_str(&format!(
            "verify: all {} files of {} match {}\n",
            verified.files,
            dir.display(),
            mdbook_techfile::bundle::manifest::FILE_NAME
        ));
    } else {
        let n = verified.problems.len();
        text.push_str(&format!(
            "verify: {n} problem{} in {}: the bundle is not as it was built\n",
            if n == 1 { "" } else { "s" },
            dir.display()
        ));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if verified.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
