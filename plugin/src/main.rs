//! The `mdbook-techfile` binary: the mdBook preprocessor protocol, `check`, `diff`,
//! `revalidate`, `evidence`, `review`, `supports`, `sbom`, the bundle renderer (`render`)
//! and `verify`. stdout carries only protocol JSON (or, for `check`, `diff`, `revalidate`,
//! `evidence`, `sbom -o -` and `verify`, the output); everything else goes to stderr.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use mdbook_techfile::bookconfig::ConfigErrors;
use mdbook_techfile::bundler;
use mdbook_techfile::core::diag;
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
    /// Start a new technical file: book.toml, the chapters of a cybersecurity technical
    /// file with the directives in place, and the item folders with one example of each
    /// kind (drafts). It builds clean at once; it never overwrites a file.
    Init {
        /// The folder to write into: created when missing, else it must be empty (hidden
        /// entries such as `.git` aside).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The device's name, as the book names it.
        #[arg(long, value_name = "NAME", default_value = "Medical device")]
        device: String,
        /// The regulation the device falls under.
        #[arg(long, value_enum, default_value_t = RegulationArg::Mdr)]
        regulation: RegulationArg,
    },
    /// Tell mdBook whether a renderer is supported (exit 0: yes).
    Supports { renderer: String },
    /// Load and check a book without building it: exit 0 when no finding is an error, 1 on
    /// errors, 2 when the book cannot be checked (its configuration, book.toml, SUMMARY.md).
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
        /// Also show, for each suspect link, what changed in the upstream item since the
        /// review: its file's git history is walked (at most 200 commits) back to the
        /// version whose fingerprint is the stamp, and the changed fields are shown word
        /// by word.
        #[arg(long)]
        explain_suspect: bool,
        /// Instead of the findings, list every coverage gap (whatever level is configured
        /// for it) and the open work: drafts and approved tests not run; exit 0 whatever
        /// the gaps.
        #[arg(long, conflicts_with_all = ["external_links", "explain_suspect", "today"])]
        gaps: bool,
        /// Also run the checks that depend on the date, judged on this day (YYYY-MM-DD):
        /// end of support of SBOM components, review dates, VEX statements past their
        /// review-by date. Without it, nothing the check reports depends on the day it runs.
        #[arg(long, value_name = "DATE")]
        today: Option<String>,
    },
    /// List the built-in regulatory catalog: the IDs a requirement can derive from.
    ///
    /// Each entry with its kind, title, source, the entries it maps to and whether it is
    /// still unverified against the primary text.
    Catalog {
        /// Only the entries whose ID, kind, title, source or note contains this word
        /// (ignoring case).
        #[arg(long, value_name = "WORD")]
        grep: Option<String>,
        /// How to print the entries: human, or JSON Lines (one object per entry).
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Record the current SHA-256 of the evidence files of tests in their `evidence`
    /// entries. Only the `sha256` values change in each item file; all files or none are
    /// written.
    Evidence {
        /// Record the hashes (the only action so far; it keeps the command explicit).
        #[arg(long, required = true)]
        update: bool,
        /// The IDs of the tests.
        #[arg(required = true)]
        ids: Vec<String>,
        /// The folder holding book.toml.
        #[arg(long, value_name = "BOOK_DIR", default_value = ".")]
        book: PathBuf,
    },
    /// Record a review: stamp the items with the current fingerprints of the items they
    /// link to (`reviewed-against`) and write a review record into the review folder.
    ///
    /// Only `reviewed-against` changes in each item file; the record says who reviewed, in
    /// which role, with which meaning, when (RFC 3339 UTC; SOURCE_DATE_EPOCH when set) and
    /// exactly which fingerprints. Commit the items and the record together.
    Review {
        /// The IDs of the items reviewed (the downstream items: a control, a test, ...).
        #[arg(required_unless_present = "all_suspect")]
        ids: Vec<String>,
        /// Also review every item with a suspect link (or a stamp of an older profile).
        #[arg(long)]
        all_suspect: bool,
        /// The reviewer's name as printed in the record (default: git's user.name).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        /// The role the reviewer signs in, for example "Security architect".
        #[arg(long)]
        role: String,
        /// What the review means: reviewed (checked against what it links to) or approved.
        #[arg(long, value_enum, default_value_t = MeaningArg::Reviewed)]
        meaning: MeaningArg,
        /// Why, or what was checked.
        #[arg(long, value_name = "TEXT")]
        comment: Option<String>,
        /// The folder holding book.toml.
        #[arg(long, value_name = "BOOK_DIR", default_value = ".")]
        book: PathBuf,
    },
    /// Check a book against the world on one date: every check of `check`, plus the ones
    /// that depend on the date (end of support, review dates, VEX review-by dates) and
    /// advisory matching against the folders given. Exit 0 when no finding is an error, 1
    /// when one is, 2 on usage errors. Nothing is fetched: download advisory databases
    /// first and name their folders with --advisories.
    Revalidate {
        /// The folder holding book.toml.
        book_dir: PathBuf,
        /// An advisory folder of OSV records (`DIR/<Ecosystem>/*.json`, RustSec's OSV
        /// export, or a plain folder); may repeat. Replaces `advisories` in book.toml.
        #[arg(long = "advisories", value_name = "DIR")]
        advisories: Vec<PathBuf>,
        /// A VEX document (OpenVEX or CycloneDX); may repeat. Added to those of the
        /// `vex` setting and the SBOM folders.
        #[arg(long = "vex", value_name = "FILE")]
        vex: Vec<PathBuf>,
        /// The date to judge on (YYYY-MM-DD); default: the day of SOURCE_DATE_EPOCH,
        /// else today's date (UTC). Always printed.
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<String>,
        /// The report: markdown, json (versioned, see revalidate.schema.json), sarif or
        /// github (workflow annotations).
        #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
        format: ReportFormat,
        /// Print only the OSV ecosystems of the SBOMs' components, one per line (the
        /// advisory databases to download), and exit.
        #[arg(long)]
        ecosystems: bool,
    },
    /// Compare the technical file at two git revisions: items, trace links, coverage,
    /// risks, findings, SBOM components and suspect links. Exit 1 when the gate is hit
    /// (by default: new errors, or new suspect links left unreviewed), 2 when no comparison
    /// can be made (no report: an unknown revision, a head book that cannot be read, ...).
    ///
    /// Run it inside the book's git repository. Revisions are read from git's objects; the
    /// working tree is never changed.
    Diff {
        /// The base revision (a branch, tag or commit: `origin/main`).
        base: String,
        /// The head revision; the working tree when left out.
        head: Option<String>,
        /// The folder holding book.toml (in the working tree; the same path in each revision).
        #[arg(long, default_value = ".")]
        book: PathBuf,
        /// Compare with `git merge-base BASE HEAD`: what a pull request changes.
        #[arg(long)]
        merge_base: bool,
        /// How to print the comparison.
        #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
        format: DiffFormat,
        /// The day both versions are analysed as (YYYY-MM-DD), the checks that depend on
        /// the date included (end of support, review dates); default: the day of
        /// SOURCE_DATE_EPOCH, else today.
        #[arg(long)]
        today: Option<String>,
        /// What fails the change, comma separated: new-errors, new-warnings,
        /// new-suspect-links, errors, or none. Default: [preprocessor.techfile.diff] fail-on
        /// of the base version's book.toml, else new-errors,new-suspect-links.
        #[arg(long)]
        fail_on: Option<String>,
        /// Also write the JSON report to this file (for a CI artifact).
        #[arg(long)]
        json_output: Option<PathBuf>,
    },
    /// mdBook renderer: writes the compliance bundle (HTML, PDF, trace.json, SBOMs,
    /// MANIFEST.sha256). Set `[output.techfile] command = "mdbook-techfile render"`.
    Render,
    /// Check a bundle against its MANIFEST.sha256: exit 0 when every file matches, 1 when
    /// a file is missing, changed or not listed, 2 when the folder cannot be read.
    Verify {
        /// The bundle folder (book/book/techfile after `mdbook build book`).
        bundle_dir: PathBuf,
    },
    /// Convert an OWASP Threat Dragon 2 model (JSON) into threat-model item files: actors,
    /// processes, data stores, data flows, trust boundaries, interfaces (from the flows'
    /// protocols) and draft risks (from the threats). Never overwrites a file.
    ImportThreatDragon {
        /// The Threat Dragon model (a `.json` file).
        model: PathBuf,
        /// The folder to write the items to (for example `requirements/threat-model`).
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a CycloneDX 1.6 SBOM of a Cargo package (runs `cargo metadata`).
    ///
    /// The timestamp is --timestamp, else SOURCE_DATE_EPOCH, else left out, so the same
    /// inputs always give the same file.
    Sbom {
        /// The Cargo.toml of the workspace or package.
        #[arg(long, default_value = "Cargo.toml")]
        manifest_path: PathBuf,
        /// Where to write the SBOM; `-` (the default) is stdout.
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
        /// The package to describe, when a virtual workspace has several.
        #[arg(short, long)]
        package: Option<String>,
        /// Only the dependencies of this target triple (default: every platform).
        #[arg(long)]
        target: Option<String>,
        /// Activate all features.
        #[arg(long)]
        all_features: bool,
        /// Do not activate the `default` feature.
        #[arg(long)]
        no_default_features: bool,
        /// Features to activate (comma or space separated; may repeat).
        #[arg(short = 'F', long)]
        features: Vec<String>,
        /// Author of the SBOM data (may repeat; default: the package's `authors`).
        #[arg(long)]
        author: Vec<String>,
        /// `metadata.timestamp`, RFC 3339 (for example 2026-01-31T12:00:00Z).
        #[arg(long)]
        timestamp: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    /// JSON Lines: one object per finding.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// GitLab Code Quality report.
    Gitlab,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// For a pull-request comment or the GitHub job summary.
    Markdown,
    /// The versioned JSON report.
    Json,
    /// GitHub Actions annotations for the findings the change introduces.
    Github,
    /// GitLab Code Quality report of the head version's findings.
    Gitlab,
}

/// How a list that is not a report of findings is printed (`catalog`, `check --gaps`).
#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Human,
    /// JSON Lines: one object per entry.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum RegulationArg {
    Mdr,
    Ivdr,
}

#[derive(Clone, Copy, ValueEnum)]
enum MeaningArg {
    Reviewed,
    Approved,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Markdown,
    Json,
    Sarif,
    Github,
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
        Some(Command::Init {
            dir,
            device,
            regulation,
        }) => init(
            &dir,
            mdbook_techfile::init::Options {
                device,
                regulation: match regulation {
                    RegulationArg::Mdr => mdbook_techfile::init::Regulation::Mdr,
                    RegulationArg::Ivdr => mdbook_techfile::init::Regulation::Ivdr,
                },
            },
        ),
        Some(Command::Catalog { grep, format }) => catalog(grep.as_deref(), format),
        Some(Command::ImportThreatDragon { model, out }) => import_threat_dragon(&model, &out),
        Some(Command::Verify { bundle_dir }) => verify(&bundle_dir),
        Some(Command::Review {
            ids,
            all_suspect,
            by,
            role,
            meaning,
            comment,
            book,
        }) => review(
            &book,
            mdbook_techfile::review::Request {
                ids,
                all_suspect,
                by,
                role,
                meaning: match meaning {
                    MeaningArg::Reviewed => mdbook_techfile::core::review::Meaning::Reviewed,
                    MeaningArg::Approved => mdbook_techfile::core::review::Meaning::Approved,
                },
                comment,
            },
        ),
        Some(Command::Check {
            book_dir,
            format,
            color,
            external_links,
            explain_suspect,
            gaps,
            today,
        }) => {
            if gaps {
                check_gaps(&book_dir, format)
            } else {
                check(
                    &book_dir,
                    format,
                    color,
                    (external_links, explain_suspect),
                    today.as_deref(),
                )
            }
        }
        Some(Command::Evidence {
            update: _,
            ids,
            book,
        }) => evidence(&book, &ids),
        Some(Command::Revalidate {
            book_dir,
            advisories,
            vex,
            today,
            format,
            ecosystems,
        }) => revalidate(
            mdbook_techfile::revalidate::Options {
                book_dir,
                advisories,
                vex,
                today,
            },
            format,
            ecosystems,
        ),
        Some(Command::Diff {
            base,
            head,
            book,
            merge_base,
            format,
            today,
            fail_on,
            json_output,
        }) => diff(
            DiffArgs {
                base,
                head,
                book,
                merge_base,
                today,
                fail_on,
                json_output,
            },
            format,
        ),
        Some(Command::Sbom {
            manifest_path,
            output,
            package,
            target,
            all_features,
            no_default_features,
            features,
            author,
            timestamp,
        }) => sbom(SbomArgs {
            manifest_path,
            output,
            package,
            target,
            all_features,
            no_default_features,
            features,
            author,
            timestamp,
        }),
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

fn check(
    book_dir: &std::path::Path,
    format: Format,
    color: Color,
    (external_links, explain_suspect): (bool, bool),
    today: Option<&str>,
) -> Result<ExitCode> {
    let color = match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal(),
    };
    let today = today.map(mdbook_techfile::facts::parse_today).transpose()?;
    let outcome = match glue::check_on(book_dir, today) {
        Ok(outcome) => outcome,
        Err(e) => {
            let errors = e.downcast::<ConfigErrors>()?;
            let text = match format {
                Format::Json => diag::render_json(&errors.findings, &errors.map),
                // Machine formats hold findings of the technical file; configuration
                // findings stop the run and are told to the person running it.
                Format::Sarif | Format::Github | Format::Gitlab => {
                    eprint!("{}", config_report(&errors, false));
                    String::new()
                }
                Format::Human => config_report(&errors, color),
            };
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            return Ok(ExitCode::from(USAGE_ERROR));
        }
    };
    let mut text = match format {
        Format::Json => {
            // JSON Lines holds findings only; notes go where a person reads them.
            eprint!("{}", outcome.notes_text());
            diag::render_json(&outcome.analysis.findings, &outcome.analysis.map)
        }
        Format::Sarif | Format::Github | Format::Gitlab => {
            eprint!("{}", outcome.notes_text());
            let findings = mdbook_techfile::core::report::findings(&outcome.analysis);
            let refs: Vec<&_> = findings.iter().collect();
            match format {
                Format::Sarif => mdbook_techfile::core::report::sarif::render(
                    &findings,
                    env!("CARGO_PKG_VERSION"),
                ),
                Format::Github => mdbook_techfile::core::report::github::annotations(
                    &refs,
                    "run `mdbook-techfile check` for the full list",
                ),
                _ => mdbook_techfile::core::report::gitlab::render(
                    &refs,
                    &mdbook_techfile::paths::relative(
                        &book_dir.join("book.toml"),
                        std::path::Path::new("."),
                    ),
                ),
            }
        }
        Format::Human => {
            let mut t = outcome.report(color);
            if outcome.analysis.findings.is_empty() {
                t.push_str("techfile: no findings\n");
            }
            t
        }
    };
    if external_links {
        match format {
            Format::Json => text.push_str(&outcome.external_report(true)),
            Format::Human => text.push_str(&outcome.external_report(false)),
            Format::Sarif | Format::Github | Format::Gitlab => {
                eprint!("{}", outcome.external_report(false));
            }
        }
    }
    if explain_suspect {
        use mdbook_techfile::history;
        let explained = history::explain(&outcome.analysis);
        match format {
            Format::Json => text.push_str(&history::explain_json(&explained)),
            Format::Human => text.push_str(&history::explain_text(&explained)),
            // The other formats are read by machines that expect findings only.
            Format::Sarif | Format::Github | Format::Gitlab => {
                eprint!("{}", history::explain_text(&explained));
            }
        }
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    let code = exit_for(&outcome);
    // The process ends here: freeing every item, page and finding one by one would take
    // a large book tenths of a second for nothing.
    std::mem::forget(outcome);
    Ok(code)
}

fn revalidate(
    options: mdbook_techfile::revalidate::Options,
    format: ReportFormat,
    list_ecosystems: bool,
) -> Result<ExitCode> {
    use mdbook_techfile::core::report as findings;
    use mdbook_techfile::core::revalidate::{markdown, report};
    let (outcome, run) = match mdbook_techfile::revalidate::run(&options) {
        Ok(done) => done,
        Err(e) => return config_errors_to_stderr(e),
    };
    if list_ecosystems {
        let list = mdbook_techfile::core::advisory::assess::ecosystems(&outcome.analysis.sboms);
        let mut out = std::io::stdout().lock();
        for e in list {
            writeln!(out, "{e}")?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    eprint!("{}", outcome.notes_text());
    eprintln!(
        "techfile: revalidating {} on {} ({})",
        run.book,
        run.today,
        run.today_source.describe()
    );
    let analysis = &outcome.analysis;
    let text = match format {
        ReportFormat::Markdown => markdown::render(analysis, &run),
        ReportFormat::Json => report::render(analysis, &run),
        ReportFormat::Sarif => findings::sarif::render_with(
            &findings::findings(analysis),
            &run.tool_version,
            Some(report::sarif_properties(analysis, &run)),
        ),
        ReportFormat::Github => {
            let all = findings::findings(analysis);
            let refs: Vec<&findings::Finding> = all.iter().collect();
            // The notice comes first, so GitHub's per-step limits never drop it.
            let mut text = findings::github::notice(
                "techfile revalidation",
                &report::judged_against(analysis, &run),
            );
            text.push_str(&findings::github::annotations(
                &refs,
                "the revalidation report lists every finding",
            ));
            text
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    eprintln!("techfile: {}", diag::summary_line(&analysis.findings));
    Ok(exit_for(&outcome))
}

/// `check --gaps`: the gaps and open work, never failing on them. The list is no report of
/// findings, so the code-scanning formats (SARIF, GitHub, GitLab) do not apply.
fn check_gaps(book_dir: &std::path::Path, format: Format) -> Result<ExitCode> {
    let format = match format {
        Format::Human => ListFormat::Human,
        Format::Json => ListFormat::Json,
        Format::Sarif | Format::Github | Format::Gitlab => anyhow::bail!(
            "`check --gaps` prints the gaps and the open work as `--format human` or `json`; the code-scanning formats report findings (`check --format ...` without `--gaps`)"
        ),
    };
    let outcome = match glue::check(book_dir) {
        Ok(outcome) => outcome,
        Err(e) => {
            let errors = e.downcast::<ConfigErrors>()?;
            let text = match format {
                ListFormat::Json => diag::render_json(&errors.findings, &errors.map),
                ListFormat::Human => config_report(&errors, false),
            };
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            return Ok(ExitCode::from(USAGE_ERROR));
        }
    };
    let text = outcome.gaps_report(matches!(format, ListFormat::Json));
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `init`: a new technical file, and what to run next.
fn init(dir: &std::path::Path, options: mdbook_techfile::init::Options) -> Result<ExitCode> {
    let written = mdbook_techfile::init::init(dir, &options)?;
    let book = written.dir.join("book");
    let book = book.display();
    let text = format!(
        "init: wrote {} files for {} into {}\n\nnext:\n  mdbook serve {book}          # the file in your browser, rebuilt as you write (http://localhost:3000)\n  mdbook-techfile check {book} --gaps   # what is still to do: every draft and coverage gap\n  mdbook build {book}          # the HTML and the bundle for the notified body, in {book}/book/\n",
        written.files.len(),
        options.device.trim(),
        written.dir.display(),
    );
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `catalog`: the built-in catalog, or the entries that mention a word.
fn catalog(grep: Option<&str>, format: ListFormat) -> Result<ExitCode> {
    use mdbook_techfile::core::catalog::Catalog;
    let entries: Vec<_> = Catalog::builtin()
        .entries()
        .iter()
        .filter(|e| grep.is_none_or(|w| e.mentions(w)))
        .collect();
    let mut text = String::new();
    for e in &entries {
        match format {
            ListFormat::Json => {
                let v = serde_json::json!({
                    "id": e.id,
                    "kind": e.kind.as_str(),
                    "title": e.title,
                    "source": e.source,
                    "maps-to": e.maps_to,
                    "unverified": e.unverified,
                    "note": e.note,
                });
                text.push_str(&format!("{v}\n"));
            }
            ListFormat::Human => {
                let unverified = if e.unverified { " (unverified)" } else { "" };
                text.push_str(&format!(
                    "{:<16} {:<9} {}{unverified}\n{:<16} {:<9} {}\n",
                    e.id,
                    e.kind.as_str(),
                    e.title,
                    "",
                    "",
                    e.source
                ));
                if !e.maps_to.is_empty() {
                    text.push_str(&format!(
                        "{:<16} {:<9} maps to {}\n",
                        "",
                        "",
                        e.maps_to.join(", ")
                    ));
                }
            }
        }
    }
    if matches!(format, ListFormat::Human) {
        text.push_str(&format!(
            "catalog: {} entr{}{}; a requirement derives from one with `derives-from = [\"ID\"]`\n",
            entries.len(),
            if entries.len() == 1 { "y" } else { "ies" },
            grep.map_or_else(String::new, |w| format!(" mentioning `{w}`")),
        ));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

struct DiffArgs {
    base: String,
    head: Option<String>,
    book: PathBuf,
    merge_base: bool,
    today: Option<String>,
    fail_on: Option<String>,
    json_output: Option<PathBuf>,
}

fn diff(args: DiffArgs, format: DiffFormat) -> Result<ExitCode> {
    use mdbook_techfile::core::diff::{gate::Rule, markdown, report::Report};
    use mdbook_techfile::core::report::{github, gitlab};
    let today = args
        .today
        .as_deref()
        .map(mdbook_techfile::facts::parse_today)
        .transpose()?;
    let fail_on = match args.fail_on.as_deref() {
        None => None,
        Some("none") => Some(Vec::new()),
        Some(list) => Some(
            list.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    Rule::parse(s).ok_or_else(|| {
                        anyhow::anyhow!(
                            "--fail-on: unknown rule `{s}`; use new-errors, new-warnings, new-suspect-links, errors or none"
                        )
                    })
                })
                .collect::<Result<Vec<_>>>()?,
        ),
    };
    let outcome = match mdbook_techfile::compare::run(&mdbook_techfile::compare::Options {
        base: args.base,
        head: args.head,
        book: args.book,
        merge_base: args.merge_base,
        today,
        fail_on,
    }) {
        Ok(outcome) => outcome,
        Err(e) => return config_errors_to_stderr(e),
    };
    for note in &outcome.notes {
        eprintln!("techfile: note: {note}");
    }
    let report = Report::new(
        &outcome.diff,
        outcome.base_side.clone(),
        outcome.head_side.clone(),
        outcome.today.map(|d| d.to_string()),
        outcome.verdict.clone(),
        env!("CARGO_PKG_VERSION"),
    );
    if let Some(path) = &args.json_output {
        std::fs::write(path, report.json())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let text = match format {
        DiffFormat::Markdown => markdown::render(&report),
        DiffFormat::Json => report.json(),
        DiffFormat::Github => {
            let new: Vec<&_> = outcome.diff.findings.new.iter().collect();
            let mut t = github::annotations(&new, "see the job summary or the JSON report");
            if outcome.verdict.failed {
                t.push_str(&format!(
                    "::notice title=techfile gate::{}\n",
                    outcome.verdict.reasons.join("; ")
                ));
            }
            t
        }
        DiffFormat::Gitlab => {
            let all = mdbook_techfile::core::report::findings(&outcome.head);
            let refs: Vec<&_> = all.iter().collect();
            gitlab::render(&refs, &outcome.book_toml)
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if outcome.verdict.failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

struct SbomArgs {
    manifest_path: PathBuf,
    output: PathBuf,
    package: Option<String>,
    target: Option<String>,
    all_features: bool,
    no_default_features: bool,
    features: Vec<String>,
    author: Vec<String>,
    timestamp: Option<String>,
}

fn sbom(args: SbomArgs) -> Result<ExitCode> {
    use mdbook_techfile::sbom_generate::{Options, generate, rfc3339_utc};
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.manifest_path(&args.manifest_path);
    if args.all_features {
        cmd.features(cargo_metadata::CargoOpt::AllFeatures);
    }
    if args.no_default_features {
        cmd.features(cargo_metadata::CargoOpt::NoDefaultFeatures);
    }
    let features: Vec<String> = args
        .features
        .iter()
        .flat_map(|f| f.split([',', ' ']))
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect();
    if !features.is_empty() {
        cmd.features(cargo_metadata::CargoOpt::SomeFeatures(features));
    }
    let mut other = Vec::new();
    if let Some(t) = &args.target {
        other.extend(["--filter-platform".to_string(), t.clone()]);
    }
    // The lock file is the source of the hashes: it must not be rewritten behind our back.
    other.push("--locked".into());
    cmd.other_options(other);
    let meta = cmd.exec().with_context(|| {
        format!(
            "`cargo metadata` failed for {}",
            args.manifest_path.display()
        )
    })?;
    let lock_path = meta.workspace_root.join("Cargo.lock");
    // `--locked` above guarantees the lock file exists and matches the manifests.
    let lock =
        std::fs::read_to_string(&lock_path).with_context(|| format!("cannot read {lock_path}"))?;
    let timestamp = match args.timestamp {
        Some(t) => Some(t),
        None => mdbook_techfile::facts::source_date_epoch()?.map(rfc3339_utc),
    };
    let options = Options {
        timestamp,
        authors: args.author,
        package: args.package,
        target: args.target,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let json = generate(&meta, Some(&lock), &options).map_err(anyhow::Error::msg)?;
    // Our own reader validates what we wrote: an SBOM this tool would reject is never
    // written (a bad --timestamp, a URL the schema refuses).
    let mut map = mdbook_techfile::core::model::SourceMap::new();
    let file = map.add(args.output.display().to_string(), json.clone());
    let (_, findings) = mdbook_techfile::core::sbom::parse(file, &json);
    if findings.iter().any(diag::Diagnostic::is_error) {
        eprint!("{}", diag::render_human(&findings, &map, false));
        anyhow::bail!("the generated SBOM does not validate; nothing was written");
    }
    if args.output.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(json.as_bytes())?;
        out.flush()?;
    } else {
        std::fs::write(&args.output, json)
            .with_context(|| format!("cannot write {}", args.output.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn import_threat_dragon(model: &std::path::Path, out: &std::path::Path) -> Result<ExitCode> {
    let report = mdbook_techfile::import::threat_dragon(model, out)?;
    for note in &report.notes {
        eprintln!("techfile: note: {note}");
    }
    eprintln!(
        "techfile: wrote {} item files to {} (all drafts tagged `{}`); review them, then run `mdbook-techfile check`",
        report.written.len(),
        out.display(),
        mdbook_techfile::core::threat::dragon::TAG
    );
    Ok(ExitCode::SUCCESS)
}

/// Configuration errors are usage errors: the run never got to the technical file.
const USAGE_ERROR: u8 = 2;

/// Configuration findings as a compiler prints them, with the closing count.
fn config_report(errors: &ConfigErrors, color: bool) -> String {
    let mut out = diag::render_human(&errors.findings, &errors.map, color);
    out.push_str(&format!(
        "techfile: {}\n",
        diag::summary_line(&errors.findings)
    ));
    out
}

/// For mdBook's commands: configuration findings go to stderr, which mdBook shows, and
/// the exit code fails the build; any other error is passed on.
fn config_errors_to_stderr(e: anyhow::Error) -> Result<ExitCode> {
    let errors = e.downcast::<ConfigErrors>()?;
    eprint!(
        "{}",
        config_report(&errors, std::io::stderr().is_terminal())
    );
    Ok(ExitCode::from(USAGE_ERROR))
}

fn review(book: &std::path::Path, request: mdbook_techfile::review::Request) -> Result<ExitCode> {
    let done = mdbook_techfile::review::review(book, &request)?;
    for note in &done.notes {
        eprintln!("techfile: note: {note}");
    }
    let mut text = String::new();
    for (item, upstream, fp) in &done.covers {
        text.push_str(&format!("reviewed {item} against {upstream} ({fp})\n"));
    }
    if let Some(record) = &done.record {
        text.push_str(&format!(
            "review: {} file{} stamped, record {}\n",
            done.files.len(),
            if done.files.len() == 1 { "" } else { "s" },
            record.display()
        ));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn evidence(book: &std::path::Path, ids: &[String]) -> Result<ExitCode> {
    let done = mdbook_techfile::evidence::update(book, ids)?;
    let mut text = String::new();
    for (item, path, sha) in &done.recorded {
        text.push_str(&format!("{item}: {path} sha256 {sha}\n"));
    }
    text.push_str(&format!(
        "evidence: {} file{} rewritten\n",
        done.files.len(),
        if done.files.len() == 1 { "" } else { "s" }
    ));
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn exit_for(outcome: &Outcome) -> ExitCode {
    if outcome.analysis.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The first line of the preprocessor's findings: their paths are relative to the book
/// root (see `paths::Names::in_book_root`), which is the shell's folder only when mdBook
/// was started there, so the line names it in full.
fn paths_base_line(root: &std::path::Path) -> String {
    format!(
        "techfile: paths below are relative to the book root {} (mdBook runs the preprocessor there; `mdbook-techfile check` run in that folder prints the same places)\n",
        mdbook_techfile::paths::normalize(root).display()
    )
}

fn preprocess() -> Result<ExitCode> {
    let (ctx, book) = mdbook_preprocessor::parse_input(std::io::stdin().lock())
        .context("mdbook-techfile reads an mdBook preprocessor request on stdin; run it from mdBook, or use `mdbook-techfile check <BOOK_DIR>`")?;
    let serving = bundler::serving(&ctx.config);
    let original = serving.then(|| book.clone());
    let outcome = match glue::process(&ctx, book) {
        Ok(outcome) => outcome,
        Err(e) => match (e.downcast::<ConfigErrors>(), original) {
            // Served, the book is shown with the findings rather than not rebuilt.
            (Ok(errors), Some(book)) => {
                eprint!(
                    "{}{}",
                    paths_base_line(&ctx.root),
                    config_report(&errors, std::io::stderr().is_terminal())
                );
                let book = glue::with_config_errors(book, &errors);
                let mut out = std::io::stdout().lock();
                serde_json::to_writer(&mut out, &book)?;
                out.flush()?;
                return Ok(ExitCode::SUCCESS);
            }
            (Ok(errors), None) => {
                eprint!("{}", paths_base_line(&ctx.root));
                return config_errors_to_stderr(errors.into());
            }
            (Err(e), _) => return Err(e),
        },
    };
    let report = outcome.report(std::io::stderr().is_terminal());
    if !report.is_empty() {
        let located = outcome
            .analysis
            .findings
            .iter()
            .any(|d| d.primary.is_some() || !d.secondary.is_empty());
        if located {
            eprint!("{}", paths_base_line(&ctx.root));
        }
        eprint!("{report}");
    }
    let Some(book) = outcome.book else {
        // Findings were printed above; a non-zero exit makes `mdbook build` fail.
        return Ok(ExitCode::from(1));
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &book)?;
    out.flush()?;
    // The process ends here: freeing the book and the analysis piece by piece would only
    // cost time (see `check`).
    std::mem::forget(book);
    std::mem::forget(outcome.analysis);
    Ok(ExitCode::SUCCESS)
}

fn render() -> Result<ExitCode> {
    let ctx = mdbook_renderer::RenderContext::from_json(std::io::stdin().lock())
        .context("mdbook-techfile render reads an mdBook render context on stdin; run it from mdBook as [output.techfile] command = \"mdbook-techfile render\"")?;
    let done = match bundler::render(&ctx) {
        Ok(bundler::Rendered::Written(done)) => done,
        Ok(bundler::Rendered::Skipped { note }) => {
            eprintln!("techfile: note: {note}");
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return config_errors_to_stderr(e),
    };
    for note in &done.notes {
        eprintln!("techfile: note: {note}");
    }
    for warning in &done.warnings {
        eprintln!("techfile: warning: {warning}");
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
        mdbook_techfile::core::export::manifest::FILE_NAME,
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
            mdbook_techfile::core::export::manifest::FILE_NAME
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
