//! The facts that identify a version besides its inputs: the version, the commit, whether
//! the inputs differ from it, and the date (`SOURCE_DATE_EPOCH`, else the commit's). Edge
//! code: it reads the environment and runs git.

use crate::git;
use crate::paths::{Names, relative};
use anyhow::{Result, anyhow, bail};
use jiff::Timestamp;
use mdbook_preprocessor::config::Config as BookConfig;
use std::path::{Path, PathBuf};
use techfile_core::config::Config;
use techfile_core::config::bundle::{self, BundleConfig, VersionFrom};
use techfile_core::model::Date;
use techfile_core::revalidate::report::TodaySource;
use techfile_core::stamp::{DateSource, SbomFolder, StampFacts};

/// `SOURCE_DATE_EPOCH` (reproducible-builds.org): seconds since 1970-01-01 UTC. Unset or
/// empty means "not given"; anything else that is not a non-negative whole number, or
/// that no calendar date (up to 9999-12-31) can hold, is an error here, because a build
/// that silently ignored it would not be reproducible, and one that accepted it would
/// fail later on a date it cannot write.
///
/// # Errors
///
/// When the variable is set to something that is not such a number of seconds.
pub fn source_date_epoch() -> Result<Option<Timestamp>> {
    let v = match std::env::var("SOURCE_DATE_EPOCH") {
        Err(std::env::VarError::NotPresent) => return Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => bail!("SOURCE_DATE_EPOCH is not a number"),
        Ok(v) if v.trim().is_empty() => return Ok(None),
        Ok(v) => v,
    };
    let t = v.trim();
    let seconds = match t.parse::<i64>() {
        Ok(n) if t.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => bail!(
            "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, found `{v}`"
        ),
    };
    let timestamp = Timestamp::from_second(seconds).map_err(|e| {
        anyhow!("SOURCE_DATE_EPOCH `{t}` is out of range ({e}); give the seconds since 1970-01-01 UTC of a date up to 9999-12-30")
    })?;
    Ok(Some(timestamp))
}

/// The day the checks that depend on the date are judged on, and where it came from:
/// `--today` when given, else the day (UTC) of `SOURCE_DATE_EPOCH`, else the clock's.
/// The one place a command that judges dates without `--today` finds its day
/// (`revalidate`, `diff`); taken once per run, so every analysis of the run shares it.
///
/// # Errors
///
/// When `SOURCE_DATE_EPOCH` is set to something that is not a number of seconds, or its
/// day cannot be written as YYYY-MM-DD.
pub fn today(given: Option<Date>) -> Result<(Date, TodaySource)> {
    if let Some(day) = given {
        return Ok((day, TodaySource::Argument));
    }
    let (timestamp, source) = match source_date_epoch()? {
        Some(t) => (t, TodaySource::SourceDateEpoch),
        None => (Timestamp::now(), TodaySource::Clock),
    };
    let day = techfile_core::stamp::utc(timestamp).date();
    match Date::new(day) {
        Some(d) => Ok((d, source)),
        None => bail!("the date {day} cannot be written as YYYY-MM-DD; give --today"),
    }
}

/// The day of `--today` (`check`, `diff` and `revalidate` alike).
///
/// # Errors
///
/// It is not a `YYYY-MM-DD` date.
pub fn parse_today(arg: &str) -> Result<Date> {
    Date::parse(arg.trim()).ok_or_else(|| {
        anyhow!("--today `{arg}` is not a date: write YYYY-MM-DD, such as 2026-11-29")
    })
}

/// The paths to give git, relative to the book root: the build output is excluded when it
/// sits inside the book, because it is often not git-ignored and would make every second
/// build "modified".
fn git_scope(root: &Path, book: &BookConfig, config: &Config) -> (Vec<String>, Vec<String>) {
    let mut inputs = vec![".".to_string()];
    inputs.extend(config.items.iter().cloned());
    // The SBOMs are the ones the book reads (`sboms` in [preprocessor.techfile]).
    inputs.extend(config.sbom_sources().0);
    // The recorded advisory snapshot and the VEX documents change the pages as well.
    inputs.extend(config.advisories.iter().cloned());
    inputs.extend(config.vex.iter().cloned());
    inputs.push(config.review.folder().0.to_string());
    let build = relative(&root.join(&book.build.build_dir), root);
    let exclude = if build == "." || build.starts_with("..") {
        Vec::new()
    } else {
        vec![build]
    };
    (inputs, exclude)
}

/// Settings that decide where the output goes or whether a build may proceed, not what it
/// shows: overriding them from the environment (a CI gate such as `require-clean`) does not
/// make the build differ from its commit.
const NOT_CONTENT: &[&str] = &[
    "build.build-dir",
    "preprocessor.techfile.bundle.require-clean",
    "preprocessor.techfile.bundle.require-commit",
];

/// The names among `vars` that mdBook applies to the configuration (mdbook-core 0.5.4,
/// `Config::update_from_env`): `MDBOOK_` followed by a key under `book`, `build`, `rust`,
/// `output` or `preprocessor` (`__` for `.`, `_` for `-`); others such as `MDBOOK_LOG` are
/// left alone by mdBook too. The `command` of a preprocessor or renderer is left out: it
/// chooses which program runs, as `PATH` does, not what the book says; so are the
/// [`NOT_CONTENT`] settings. Sorted.
fn config_overrides(vars: impl Iterator<Item = std::ffi::OsString>) -> Vec<String> {
    let mut out: Vec<String> = vars
        .filter_map(|k| k.into_string().ok())
        .filter(|k| {
            k.strip_prefix("MDBOOK_").is_some_and(|rest| {
                let key = rest.to_lowercase().replace("__", ".").replace('_', "-");
                let program = (key.starts_with("preprocessor.") || key.starts_with("output."))
                    && key.split('.').count() == 3
                    && key.ends_with(".command");
                !program
                    && !NOT_CONTENT.contains(&key.as_str())
                    && ["book", "build", "rust", "output", "preprocessor"]
                        .iter()
                        .any(|top| key == *top || key.starts_with(&format!("{top}.")))
            })
        })
        .collect();
    out.sort();
    out
}

/// For a note that names the first of `count` things: how many more there are (` and 2
/// other files`, empty for one), and the pronoun for all of them.
fn others(count: usize, noun: &str) -> (String, &'static str) {
    match count.saturating_sub(1) {
        0 => (String::new(), "it"),
        1 => (format!(" and 1 other {noun}"), "them"),
        n => (format!(" and {n} other {noun}s"), "them"),
    }
}

/// Finds what identifies this build besides its inputs: version, commit and date. Returns
/// notes for the user (no repository, no date) alongside. The input hashes are added by the
/// analysis, from the bytes it reads.
pub fn stamp_facts(
    root: &Path,
    book: &BookConfig,
    config: &Config,
    bundle: &BundleConfig,
    sbom_folders: Vec<SbomFolder>,
    read: &[PathBuf],
    names: &Names,
) -> Result<(StampFacts, Vec<String>)> {
    let mut notes = Vec::new();
    let epoch = source_date_epoch()?;
    let (scope, exclude) = git_scope(root, book, config);
    let wants_describe = bundle.version_from == Some(VersionFrom::Git);
    let mut facts = git::facts(root, &scope, &exclude, read, wants_describe);
    let overrides = config_overrides(std::env::vars_os().map(|(k, _)| k));
    if let (Some(commit), Some(first)) = (&facts.commit, overrides.first()) {
        facts.modified = true;
        let (more, _) = others(overrides.len(), "variable");
        notes.push(format!(
            "the environment variable `{first}`{more} changes the configuration mdBook reads from book.toml, which commit {commit} does not hold, so pages say `(modified)`; unset it (or commit the setting to book.toml) for a build that matches its commit"
        ));
    }
    let problem = facts.problem.clone().unwrap_or_default();
    let date_problem = facts.date_problem.clone();

    let version = match (&bundle.version, bundle.version_from) {
        (Some(v), _) => v.clone(),
        (None, Some(VersionFrom::Git)) => {
            let Some(d) = &facts.describe else {
                bail!(
                    "[preprocessor.techfile.bundle] version-from = \"git\" needs `git describe`, which failed: {}",
                    if problem.is_empty() {
                        "no tag or commit to describe"
                    } else {
                        &problem
                    }
                );
            };
            bundle::validate_version(d).map_err(|e| anyhow!("`git describe` gave a {e}"))?;
            d.clone()
        }
        (None, None) => bail!("[preprocessor.techfile.bundle] has no version"),
    };
    if facts.commit.is_none() {
        if bundle.require_commit {
            bail!(
                "[preprocessor.techfile.bundle] require-commit is set, but {problem}: build the technical file from a git checkout"
            );
        }
        notes.push(format!(
            "{problem}, so pages say `commit unknown` (set require-commit = true in [preprocessor.techfile.bundle] to make this an error)"
        ));
    }
    if let (Some(commit), Some(first)) = (&facts.commit, facts.uncommitted.first()) {
        let (more, it) = others(facts.uncommitted.len(), "file");
        notes.push(format!(
            "`{}`{more} went into this build, but commit {commit} does not hold {it} byte for byte: new, changed, ignored by git, converted by git (line endings, filters), behind a symbolic link, in a submodule that does not hold {it}, or outside the repository; so pages say `(modified)`, and commit {it} for the build to match its commit",
            names.diag(first),
        ));
    }
    if let (Some(commit), Some(first)) = (&facts.commit, facts.deleted.first()) {
        let (more, it) = others(facts.deleted.len(), "file");
        notes.push(format!(
            "`{}`{more}: in commit {commit} but no longer on the disk (deleted or renamed), so pages say `(modified)`; commit the removal, or restore {it} with `git checkout -- <file>`",
            names.diag(first),
        ));
    }
    if let (Some(commit), Some(first)) = (&facts.commit, facts.unwatched.first()) {
        let (more, _) = others(facts.unwatched.len(), "file");
        notes.push(format!(
            "git is told not to compare `{}`{more} with the disk (`git update-index --assume-unchanged` or `--skip-worktree`, which sparse checkout sets), so the build cannot show it matches commit {commit} and pages say `(modified)`; `git ls-files -v` lists them (tag `S` or lower case), `git update-index --no-assume-unchanged --no-skip-worktree <file>` undoes it",
            names.diag(first)
        ));
    }
    let (timestamp, date_source) = match (epoch, facts.commit_time) {
        (Some(e), _) => (Some(e), DateSource::SourceDateEpoch),
        (None, Some(t)) => (Some(t), DateSource::Commit),
        (None, None) => {
            let listed = bundle.revision.iter().any(|r| r.version == version);
            let why = match (&facts.commit, date_problem) {
                (Some(c), Some(p)) => format!(
                    "SOURCE_DATE_EPOCH is not set and git gave no date for commit {c} ({p})"
                ),
                _ => "neither SOURCE_DATE_EPOCH nor a commit gives the date of this version"
                    .to_string(),
            };
            notes.push(if listed {
                format!(
                    "{why}, so the pages show the issue date of the revision history alone (the clock is never used, so that builds are reproducible)"
                )
            } else {
                format!(
                    "{why}, so pages say `date unknown`: add version {version} to the revision history ([[preprocessor.techfile.bundle.revision]]) to give its issue date, or set SOURCE_DATE_EPOCH (the clock is never used, so that builds are reproducible)"
                )
            });
            (None, DateSource::Unknown)
        }
    };

    let facts = StampFacts {
        version,
        commit: facts.commit,
        modified: facts.modified,
        timestamp,
        date_source,
        sbom_folders,
        revisions: bundle.revision.clone(),
    };
    Ok((facts, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The variables mdBook applies to the configuration, and only those.
    #[test]
    fn config_overrides_are_the_variables_mdbook_applies() {
        let vars = [
            "MDBOOK_BOOK__TITLE",
            "MDBOOK_LOG",
            "MDBOOK_PREPROCESSOR__TECHFILE__BUNDLE__PDF",
            "MDBOOK_OUTPUT__HTML__NO_SECTION_LABEL",
            "MDBOOK_VERSION",
            "MDBOOK_BOOKS",
            "PATH",
            "MDBOOK_BUILD",
            "MDBOOK_OUTPUT__TECHFILE__COMMAND",
            "MDBOOK_PREPROCESSOR__TECHFILE__COMMAND",
            "MDBOOK_PREPROCESSOR__TECHFILE__BUNDLE__REQUIRE_CLEAN",
            "MDBOOK_BUILD__BUILD_DIR",
        ]
        .into_iter()
        .map(std::ffi::OsString::from);
        assert_eq!(
            config_overrides(vars),
            [
                "MDBOOK_BOOK__TITLE",
                "MDBOOK_BUILD",
                "MDBOOK_OUTPUT__HTML__NO_SECTION_LABEL",
                "MDBOOK_PREPROCESSOR__TECHFILE__BUNDLE__PDF",
            ]
        );
    }
}
