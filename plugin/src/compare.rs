//! `mdbook-techfile diff`: reads a book at two versions (git revisions, or a revision and
//! the working tree), analyses both with the same day, and compares them
//! ([`techfile_core::diff`]). Revisions are read from git's objects ([`GitTree`]), never
//! checked out, with the same gathering policy as the disk ([`crate::gather`]) and the same
//! span-aware reading of the configuration ([`bookconfig::load_from`]).

use crate::bookconfig::{self, ConfigErrors};
use crate::gather::{Chapters, Names, gather_tree};
use crate::gittree::{GitTree, Repo};
use crate::paths::normalize;
use crate::tree::{Entry, FsTree, Tree};
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use techfile_core::diff::gate::{self, Rule, Verdict};
use techfile_core::diff::report::{Side, State};
use techfile_core::diff::{self, Diff};
use techfile_core::model::Date;
use techfile_core::stamp::{DateSource, StampFacts};
use techfile_core::{Analysis, Mode, analyse};

/// What to compare.
pub struct Options {
    /// The base revision (`origin/main`).
    pub base: String,
    /// The head revision; `None`: the working tree.
    pub head: Option<String>,
    /// The folder holding book.toml, in the working tree.
    pub book: PathBuf,
    /// Compare with the merge base of BASE and HEAD (what a pull request changes).
    pub merge_base: bool,
    /// The day both versions are analysed as; `None`: `SOURCE_DATE_EPOCH`'s, else today.
    pub today: Option<Date>,
    /// The gate's rules; `None`: from book.toml, else the default.
    pub fail_on: Option<Vec<Rule>>,
}

/// Both analyses, their comparison and the gate's verdict.
pub struct Outcome {
    pub base: Option<Analysis>,
    pub head: Analysis,
    pub base_side: Side,
    pub head_side: Side,
    pub diff: Diff,
    pub verdict: Verdict,
    pub today: Option<Date>,
    /// book.toml of the head, as findings name files (for reports that need a path).
    pub book_toml: String,
    /// Things the user should know about the head's analysis that are not findings (an
    /// `MDBOOK_...` override of the configuration).
    pub notes: Vec<String>,
}

/// One version's analysis, or why there is none.
enum Read {
    Analysed(Box<Analysis>),
    Absent,
    /// The book cannot be analysed: its configuration has findings ([`ConfigErrors`]) or
    /// SUMMARY.md cannot be read.
    Invalid(anyhow::Error),
}

/// Why a version cannot be analysed, in one line: configuration findings as
/// `book.toml:line:column: error[code]: message`.
fn problem(e: &anyhow::Error) -> String {
    let Some(errors) = e.downcast_ref::<ConfigErrors>() else {
        return format!("{e:#}");
    };
    errors
        .findings
        .iter()
        .map(|d| {
            let place = d.primary.as_ref().map_or_else(String::new, |p| {
                let file = errors.map.get(p.span.file);
                let (line, column) = file.line_col(p.span.start as usize);
                format!("{}:{line}:{column}: ", file.name)
            });
            format!(
                "{place}{}[{}]: {}",
                d.severity.as_str(),
                d.code.as_str(),
                d.message
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Reads and analyses the book at `root` in `tree`, gathered as `check` gathers the disk.
fn analyse_tree(
    tree: &dyn Tree,
    root: &Path,
    names: &Names,
    today: Option<Date>,
    commit: Option<&str>,
) -> (Read, Vec<String>) {
    if tree.entry(&root.join("book.toml")) != Entry::File {
        return (Read::Absent, Vec::new());
    }
    let loaded = match bookconfig::load_from(tree, root, names) {
        Ok(l) => l,
        Err(e) => return (Read::Invalid(e), Vec::new()),
    };
    let book_config = match bookconfig::book_config(&loaded.book_toml) {
        Ok(c) => c,
        Err(e) => return (Read::Invalid(e), Vec::new()),
    };
    match gather_tree(
        tree,
        root,
        &book_config,
        loaded,
        names,
        Chapters::FromSummary,
    ) {
        Ok((mut inputs, sbom_folders, mut notes)) => {
            inputs.today = today;
            // The version's identity is not compared, but a book with a bundle expects
            // one (its document-control directive needs a version): give it what the
            // revision itself says, without asking git for dates or describe.
            inputs.stamp = inputs.config.bundle.as_ref().map(|b| StampFacts {
                version: b.version.clone().unwrap_or_else(|| "(from git)".into()),
                commit: commit.map(str::to_string),
                modified: false,
                timestamp: None,
                date_source: DateSource::Unknown,
                sbom_folders,
                revisions: b.revision.clone(),
            });
            let mut analysis = analyse(inputs, Mode::Check);
            notes.append(&mut analysis.notes);
            (Read::Analysed(Box::new(analysis)), notes)
        }
        Err(e) => (Read::Invalid(e), Vec::new()),
    }
}

fn side(revision: &str, commit: Option<String>, read: &Read) -> Side {
    let (state, problem) = match read {
        Read::Analysed(_) => (State::Analysed, None),
        Read::Absent => (
            State::Absent,
            Some("the book does not exist in this version".into()),
        ),
        Read::Invalid(e) => (State::Invalid, Some(problem(e))),
    };
    Side {
        revision: revision.to_string(),
        commit,
        state,
        problem,
    }
}

/// Runs the comparison.
///
/// # Errors
///
/// When the folder is not in a git repository, a revision is unknown (or missing from a
/// shallow clone), or the head version of the book cannot be analysed: [`ConfigErrors`]
/// when its configuration has findings (printed as `check` prints them), another error
/// when it has no book.toml or SUMMARY.md cannot be read.
pub fn run(options: &Options) -> Result<Outcome> {
    let repo = Repo::discover(Path::new("."))?;
    let book = normalize(&options.book);
    if !book.starts_with(&repo.top) {
        bail!(
            "the book folder {} is outside the git repository at {}",
            book.display(),
            repo.top.display()
        );
    }
    let head_commit = options
        .head
        .as_deref()
        .map(|h| repo.resolve(h))
        .transpose()?;
    let mut base_commit = repo.resolve(&options.base)?;
    let mut base_label = options.base.clone();
    if options.merge_base {
        let other = match &head_commit {
            Some(c) => c.clone(),
            None => repo.resolve("HEAD")?,
        };
        base_commit = repo.merge_base(&base_commit, &other)?;
        base_label = format!(
            "merge base of {} and {}",
            options.base,
            options.head.as_deref().unwrap_or("HEAD")
        );
    }
    // Every file is named relative to the repository, on both sides alike: findings and
    // annotations then match between versions and point at repository paths.
    let names = Names {
        cwd: repo.top.clone(),
        project: book
            .parent()
            .map_or_else(|| book.clone(), Path::to_path_buf),
    };
    let today = Some(crate::facts::today(options.today)?.0);
    let base_tree = GitTree::at(&repo, &base_commit)?;
    let head_tree = head_commit
        .as_deref()
        .map(|c| GitTree::at(&repo, c))
        .transpose()?;
    let head_label = options
        .head
        .clone()
        .unwrap_or_else(|| "working tree".to_string());
    // The two versions are independent: analyse them side by side.
    let ((base_read, _), (head_read, notes)) = rayon::join(
        || analyse_tree(&base_tree, &book, &names, today, Some(&base_commit)),
        || match &head_tree {
            Some(tree) => analyse_tree(tree, &book, &names, today, head_commit.as_deref()),
            None => analyse_tree(&FsTree::for_book(&book), &book, &names, today, None),
        },
    );
    let base_side = side(&base_label, Some(base_commit), &base_read);
    let head_side = side(&head_label, head_commit, &head_read);
    let head = match head_read {
        Read::Analysed(a) => *a,
        Read::Absent => bail!(
            "there is no book.toml in {} at {head_label}: give the folder of the book with --book",
            crate::paths::relative(&book, &repo.top)
        ),
        // Configuration findings are printed as `check` prints them.
        Read::Invalid(e) if e.is::<ConfigErrors>() => return Err(e),
        Read::Invalid(e) => bail!("the book at {head_label} cannot be analysed: {e:#}"),
    };
    let base = match base_read {
        Read::Analysed(a) => Some(*a),
        _ => None,
    };
    let diff = diff::compare(base.as_ref(), &head);
    // The base's book.toml judges the change, so a pull request cannot loosen its own
    // gate; the head's only when there is no base to ask.
    let configured = match &base {
        Some(b) => b.config.diff.fail_on.clone(),
        None => head.config.diff.fail_on.clone(),
    };
    let rules = options
        .fail_on
        .clone()
        .or(configured)
        .unwrap_or_else(|| gate::DEFAULT.to_vec());
    let head_errors = head.findings.iter().filter(|f| f.is_error()).count();
    let verdict = gate::evaluate(&diff, &rules, head_errors);
    Ok(Outcome {
        base,
        head,
        base_side,
        head_side,
        diff,
        verdict,
        today,
        book_toml: crate::paths::relative(&book.join("book.toml"), &repo.top),
        notes,
    })
}
