//! `mdbook-techfile revalidate`: every check `check` runs, plus the ones that depend on
//! the world, judged on one date. The result is a function of the files, the advisory
//! folders and the date; this module finds the date (`--today`, else the day of
//! `SOURCE_DATE_EPOCH`, else the clock, in UTC) and the folders, and runs the analysis.

use crate::mdbook::{self as glue, Outcome};
use anyhow::{Result, bail};
use std::path::PathBuf;
use techfile_core::model::Date;
use techfile_core::revalidate::report::{Run, TodaySource};

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

/// The revalidation date and where it came from.
///
/// # Errors
///
/// `--today` is not a `YYYY-MM-DD` date, or `SOURCE_DATE_EPOCH` is set but not a time.
pub fn today(arg: Option<&str>) -> Result<(Date, TodaySource)> {
    if let Some(t) = arg {
        return parse_today(t).map(|d| (d, TodaySource::Argument));
    }
    let (timestamp, source) = match crate::facts::source_date_epoch()? {
        Some(t) => (t, TodaySource::SourceDateEpoch),
        None => (jiff::Timestamp::now(), TodaySource::Clock),
    };
    let day = techfile_core::stamp::utc(timestamp).date();
    match Date::new(day) {
        Some(d) => Ok((d, source)),
        None => bail!("the date {day} cannot be written as YYYY-MM-DD; give --today"),
    }
}

/// The date of `--today` (of `check` and `revalidate`).
///
/// # Errors
///
/// It is not a `YYYY-MM-DD` date.
pub fn parse_today(arg: &str) -> Result<Date> {
    match Date::parse(arg.trim()) {
        Some(d) => Ok(d),
        None => {
            bail!("--today must be a date written YYYY-MM-DD, such as 2026-11-29; found `{arg}`")
        }
    }
}

/// Runs the analysis with the date, the advisory folders and the VEX documents.
///
/// # Errors
///
/// A usage error: a bad date, an `--advisories` folder or `--vex` file that does not
/// exist; or what [`glue::check`] returns.
pub fn run(options: &Options) -> Result<(Outcome, Run)> {
    let (day, source) = today(options.today.as_deref())?;
    for dir in &options.advisories {
        if !dir.is_dir() {
            bail!(
                "--advisories {}: {}; download the advisory database first (see README, \"Scheduled revalidation\")",
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
            inputs.advisories = crate::advisories::advisory_dirs(
                &options.advisories,
                "from --advisories",
                inputs.config.max_advisory_size,
                names,
            );
        }
        inputs.vex.extend(crate::advisories::vex_documents(
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
