//! `mdbook-techfile revalidate`: every check `check` runs, plus the ones that depend on
//! the world, judged on one date. The result is a function of the files, the advisory
//! folders and the date; this module takes the date from [`crate::facts::today`]
//! (`--today`, else the day of `SOURCE_DATE_EPOCH`, else the clock, in UTC) and the
//! folders, and runs the analysis.

use crate::gather::FsTree;
use crate::mdbook::{self as glue, Outcome};
use anyhow::{Result, bail};
use std::path::PathBuf;
use techfile_core::revalidate::report::Run;

/// What the command line asks for.
pub struct Options {
    pub book_dir: PathBuf,
    /// `--advisories DIR`: replaces the `advisories` setting when given.
    pub advisories: Vec<PathBuf>,
    /// `--vex FILE`: added to the `vex` setting and the SBOM folders' documents.
    pub vex: Vec<PathBuf>,
    /// `--today YYYY-MM-DD`.
    pub today: Option<String>,
}

/// Runs the analysis with the date, the advisory folders and the VEX documents.
///
/// # Errors
///
/// A usage error: a bad date, an `--advisories` folder or `--vex` file that does not
/// exist; or what [`glue::check`] returns.
pub fn run(options: &Options) -> Result<(Outcome, Run)> {
    let given = options
        .today
        .as_deref()
        .map(crate::facts::parse_today)
        .transpose()?;
    let (day, source) = crate::facts::today(given)?;
    for dir in &options.advisories {
        if !dir.is_dir() {
            bail!(
                "--advisories {}: {}; download the advisory database first (scripts/download-advisories.sh; README, \"The scheduled job\")",
                dir.display(),
                if dir.exists() {
                    "not a folder"
                } else {
                    "no such folder"
                }
            );
        }
    }
    for file in &options.vex {
        if !file.exists() {
            bail!("--vex {}: no such file", file.display());
        }
    }
    let replace = !options.advisories.is_empty();
    let configure = |config: &mut techfile_core::config::Config| {
        if replace {
            config.advisories.clear();
        }
    };
    let outcome = glue::check_with(&options.book_dir, configure, |inputs, names| {
        inputs.today = Some(day);
        if replace {
            inputs.advisories = crate::gather::advisory_dirs(
                &FsTree::for_book(&options.book_dir),
                &options.advisories,
                "from --advisories",
                inputs.config.max_advisory_size,
                names,
            );
        }
        inputs.vex.extend(crate::gather::vex_documents(
            &FsTree::for_book(&options.book_dir),
            &options.vex,
            "from --vex",
            inputs.config.max_advisory_size,
            names,
        ));
    })?;
    let run = Run {
        book: options.book_dir.display().to_string(),
        today: day,
        today_source: source,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    Ok((outcome, run))
}
