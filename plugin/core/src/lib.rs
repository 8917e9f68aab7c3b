//! The pure core of mdbook-techfile: it turns the files of a technical file (item files,
//! CycloneDX SBOMs, OSV advisories, VEX documents, review records, support tables, test
//! evidence and the chapters of the book) into one [`Analysis`]: the items, the built-in
//! regulatory catalog (MDCG 2019-16, IEC 62443-4-1, IEC 81001-5-1, MDR / IVDR Annex I),
//! the trace graph, the SBOMs with the items' `affects` links, the vulnerability
//! assessment, the stamp of the version, the graded findings and, when asked, the
//! generated pages.
//!
//! There is one entry point: [`analyse`] takes [`Inputs`] (everything already read) and a
//! [`Mode`], and returns the [`Analysis`] every command reads. The other public modules are
//! what the `mdbook-techfile` binary, its tests and the fuzz targets (`techfile-fuzzing`)
//! need beyond that: the model types the results are made of, readers the fuzz targets
//! drive one at a time, and the consumers of an analysis ([`export`], [`report`],
//! [`revalidate`], [`diff`]).
//!
//! Nothing here touches the file system, runs a process, spawns threads of its own (rayon's
//! data parallelism spreads the work), reads the environment or the clock, or prints: the
//! `mdbook-techfile` crate gathers the inputs and decides where output goes. Findings are values ([`diag::Diagnostic`]) that point at
//! byte ranges of the files in the [`model::SourceMap`]. Data flows one way, layer by layer
//! (see ARCHITECTURE.md, "Layers of the core"): [`suggest`], [`digest`] and [`cvss`] →
//! [`model`], [`diag`] and [`fingerprint`] → [`catalog`] and [`load`] → [`config`],
//! [`sbom`] and [`stamp`] → [`graph`], `risk` and [`threat`] → [`lifecycle`],
//! [`evidence`], [`vex`], [`advisory`], `checks` and [`review`] → [`render`] →
//! [`summary`], [`includes`], [`book`], [`links`] and [`serve`] → this module → [`export`],
//! [`report`] (findings with stable keys), [`revalidate`] (the revalidation report) and
//! [`diff`] (two analyses compared).

#![warn(missing_docs)]
#![deny(clippy::print_stderr, clippy::print_stdout)]

pub mod advisory;
pub mod book;
pub mod catalog;
pub(crate) mod checks;
pub mod config;
pub mod cvss;
pub mod diag;
pub mod diff;
pub mod digest;
pub mod evidence;
pub mod export;
pub mod fingerprint;
pub mod graph;
pub mod includes;
pub mod lifecycle;
pub mod links;
pub mod load;
pub mod model;
pub mod render;
pub mod report;
pub mod revalidate;
pub mod review;
pub(crate) mod risk;
pub mod sbom;
pub mod serve;
pub mod signoff;
pub mod stamp;
pub mod suggest;
pub mod summary;
#[cfg(test)]
mod testkit;
pub mod threat;
pub mod vex;

use crate::book::Chapter;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::diag::{Code, Diagnostic, Level};
use crate::graph::{GraphIndex, TraceGraph};
use crate::load::Input;
use crate::model::{Date, FileId, Item, SourceMap, Span};
use crate::render::Mapped;
use crate::sbom::{SbomInput, SbomSet};
use crate::stamp::{InputFile, Role, Stamp, StampFacts};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// One chapter of the book as the edge read it.
#[derive(Debug)]
pub struct ChapterInput {
    /// The chapter's file: its bytes on disk are what the stamp hashes. `Err` when the file
    /// does not exist (mdBook creates missing chapters) or cannot be read.
    pub file: Input,
    /// Path relative to `src` as mdBook renders it, with forward slashes (`README.md` is
    /// rendered as `index.md`).
    pub path: String,
    /// The file relative to `src` as SUMMARY.md names it, with forward slashes; `None`
    /// when the chapter has no file (another preprocessor made it up).
    pub source: Option<String>,
    /// What mdBook handed the preprocessor for this chapter (after the preprocessors that
    /// ran before it); for `check`, the text mdBook would create for a missing file.
    /// `None`: the file is read as mdBook loads it.
    pub text: Option<String>,
}

/// The book around the items: its chapters, the files under `src` and how mdBook parses
/// Markdown. Commands that look at items and SBOMs only leave it out. The default is an
/// empty book with mdBook's default settings.
#[derive(Debug)]
pub struct BookInputs {
    /// `book.toml`, hashed by the stamp and pointed at by findings about the whole book.
    pub book_toml: Option<Input>,
    /// `src/SUMMARY.md`, hashed by the stamp.
    pub summary: Option<Input>,
    /// The chapters SUMMARY.md lists, in reading order.
    pub chapters: Vec<ChapterInput>,
    /// Every file under the book's `src` folder (relative paths, forward slashes), which
    /// links to images and other files may reach.
    pub src_files: BTreeSet<String>,
    /// The `[output.html]` settings that change how mdBook makes heading ids.
    pub markdown: links::Markdown,
    /// Whether mdBook's `links` preprocessor (`{{#include}}` and its relatives) runs.
    pub links: bool,
    /// The absolute path of `src`, one entry per folder (see `includes::Files::root`).
    pub src_root: Vec<String>,
    /// The files that the chapters' `{{#include}}` helpers (and theirs) name, by path
    /// relative to `src` with forward slashes, or by absolute path (`/` first) outside
    /// `src`. A path under `src` missing here names no file.
    pub included: BTreeMap<String, Input>,
    /// Lays out data-flow diagrams (Graphviz `dot`, run by the edge with a time limit).
    /// `None`: diagrams are not drawn, and say so.
    pub layout: Option<std::sync::Arc<dyn threat::layout::Layout>>,
}

impl Default for BookInputs {
    fn default() -> BookInputs {
        BookInputs {
            book_toml: None,
            summary: None,
            chapters: Vec::new(),
            src_files: BTreeSet::new(),
            markdown: links::Markdown::default(),
            links: true,
            src_root: Vec::new(),
            included: BTreeMap::new(),
            layout: None,
        }
    }
}

/// Everything one analysis reads, already read: the edge gathers it once, with one policy
/// for which files count, and nothing in the core reads anything else. The default is an
/// empty technical file with the default configuration.
#[derive(Debug, Default)]
pub struct Inputs {
    /// `[preprocessor.techfile]`, validated.
    pub config: Config,
    /// The item files, sorted by path.
    pub items: Vec<Input>,
    /// The SBOM files, sorted by path.
    pub sboms: Vec<SbomInput>,
    /// The `*.xml` files in the SBOM folders, named as findings name files, sorted by path:
    /// not read (CycloneDX XML is not supported), only pointed out, so an SBOM kept as XML
    /// does not go missing without a word.
    pub sbom_xml: Vec<String>,
    /// The review records (`*.toml` in the review folder), sorted by path.
    pub reviews: Vec<Input>,
    /// The book, when the analysis covers one.
    pub book: BookInputs,
    /// Version, commit and date, when `[preprocessor.techfile.bundle]` is set. The input
    /// hashes of the [`Stamp`] are computed here from the bytes above.
    pub stamp: Option<StampFacts>,
    /// The support tables (`*.toml` in the support folder), sorted by path.
    pub support: Vec<Input>,
    /// The advisory folders (OSV records): the snapshot the SBOMs are matched against and
    /// RustSec `unmaintained` notices are read from (empty: none).
    pub advisories: Vec<advisory::AdvisoryDir>,
    /// VEX documents besides the SBOMs (the `vex` setting, `revalidate --vex`).
    pub vex: Vec<Input>,
    /// The files of the evidence folder, sorted by path.
    pub evidence: Vec<evidence::EvidenceFile>,
    /// The day the checks that depend on the date are judged on (end of support, review
    /// dates, VEX statements' review-by dates), chosen at the edge: `check --today`,
    /// `revalidate`, or for `diff` one day for both versions, so a comparison shows what
    /// changed in the files, not what the calendar did. `None`: those checks do not run,
    /// and nothing depends on the day.
    pub today: Option<Date>,
}

/// How much of the book an analysis renders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every check; pages are rendered only as far as the link check must read them, as
    /// outlines (see `render::site::Site::outline`). [`Analysis::output`] holds only the
    /// links that leave the book.
    Check,
    /// Every check, and every page rendered in full and stamped: [`Analysis::output`] is
    /// the book to hand to mdBook.
    Build,
}

/// The result of analysing one version of a technical file. Every command consumes this
/// value: the preprocessor takes its pages, `check` its findings, the bundle its trace
/// export and inputs. It owns everything it refers to, so two analyses (two revisions of
/// a book) can live side by side.
pub struct Analysis {
    /// The configuration the analysis ran with.
    pub config: Config,
    /// Every file read, so spans turn back into file:line:column.
    pub map: SourceMap,
    /// The built-in regulatory catalog.
    pub(crate) catalog: &'static Catalog,
    /// The items that could be read, in input order (sorted by path).
    pub items: Vec<Item>,
    index: GraphIndex,
    /// The SBOMs that passed validation, and the resolved `affects` links.
    pub sboms: SbomSet,
    /// Fingerprints, review records and the review state of every link.
    pub reviews: review::Reviews,
    /// Every finding, graded by the configured levels (allowed ones removed), sorted: the
    /// inputs that could not be read first, then by file, byte offset and code.
    pub findings: Vec<Diagnostic>,
    /// The stamp of this version, when `[preprocessor.techfile.bundle]` is set.
    pub stamp: Option<Stamp>,
    /// The expanded book: in [`Mode::Build`] every chapter and generated page; always the
    /// links that leave the book.
    pub output: book::Output,
    /// Things the user should know that are not findings (a chapter checked as mdBook
    /// handed it over because another preprocessor changed it).
    pub notes: Vec<String>,
    /// The advisories matched against the SBOMs and the VEX statements applied.
    pub vulnerabilities: advisory::assess::Assessment,
    /// Every coverage gap and the open work (drafts, approved tests not run): `check
    /// --gaps` and the gaps view list them.
    pub gaps: checks::Gaps,
    /// The level and end of support of every SBOM component, with their sources.
    pub(crate) support: lifecycle::Support,
    /// The evidence files and what the JUnit reports say.
    pub evidence: evidence::Evidence,
}

impl Analysis {
    /// The trace graph over [`Analysis::items`] and the catalog.
    pub fn graph(&self) -> TraceGraph<'_> {
        self.index.view(self.catalog, &self.items)
    }

    /// Whether any finding is at error level (the build fails).
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Diagnostic::is_error)
    }

    /// Adds findings the edge found after the analysis (from git history), graded by the
    /// configured levels and kept in the stable order.
    pub fn add_findings(&mut self, diags: Vec<Diagnostic>) {
        let config = &self.config;
        self.findings
            .extend(diag::apply_levels(diags, |c| config.level(c)));
        diag::sort(&mut self.findings);
    }
}

/// Analyses one version of a technical file: loads the items and SBOMs, builds the graph,
/// runs every check, expands the book and checks its links. Findings come back graded by
/// the configured levels, allowed ones removed, in a stable order.
pub fn analyse(inputs: Inputs, mode: Mode) -> Analysis {
    let Inputs {
        config,
        items: item_inputs,
        sboms: sbom_inputs,
        sbom_xml,
        reviews: review_inputs,
        book: book_inputs,
        stamp: facts,
        support: support_inputs,
        advisories,
        vex: vex_inputs,
        evidence: evidence_inputs,
        today,
    } = inputs;
    let render = mode == Mode::Build;
    let mut map = SourceMap::new();
    let mut hashed: Vec<InputFile> = Vec::new();
    // A plain function rather than a closure over `hashed`: the item hashes are added to
    // the same list in parallel in between.
    fn record(hashed: &mut Vec<InputFile>, role: Role, input: &Input) {
        if let Ok(bytes) = &input.content {
            hashed.push(InputFile::of(role, &input.path, bytes));
        }
    }
    let config_span = book_inputs.book_toml.as_ref().and_then(|t| {
        record(&mut hashed, Role::Config, t);
        let text = String::from_utf8_lossy(t.content.as_ref().ok()?).into_owned();
        Some(Span::new(
            map.add(t.name.clone(), text),
            config.table_range.clone(),
        ))
    });
    if let Some(s) = &book_inputs.summary {
        record(&mut hashed, Role::Summary, s);
    }
    for c in &book_inputs.chapters {
        record(&mut hashed, Role::Chapter, &c.file);
    }
    for r in &review_inputs {
        record(&mut hashed, Role::Review, r);
    }
    let files = includes::Files {
        read: included_files(&mut map, &book_inputs.included),
        all: Some(&book_inputs.src_files),
        root: book_inputs.src_root.clone(),
    };
    let mut diags = Vec::new();
    let mut notes = Vec::new();
    let mut used = BTreeSet::new();
    // SUMMARY.md is in the source map for the findings about the paths it lists.
    let summary_file = book_inputs.summary.as_ref().and_then(|s| {
        let text = String::from_utf8_lossy(s.content.as_ref().ok()?).into_owned();
        Some(map.add(s.name.clone(), text))
    });
    let src_dir = src_dir(&book_inputs.chapters);
    let sources: Vec<Option<&str>> = book_inputs
        .chapters
        .iter()
        .map(|c| c.source.as_deref())
        .collect();
    let (loads, summary_diags) = summary::check(
        summary_file.map(|f| (f, &map)),
        &sources,
        &book_inputs.src_files,
    );
    diags.extend(summary_diags);
    let chapters: Vec<Chapter> = book_inputs
        .chapters
        .iter()
        .zip(loads)
        .map(|(c, loads)| {
            // Pages are where the file system puts them: `a/b/../b/x.md` is `a/b/x.md`.
            let path = summary::page_path(&c.path);
            if !loads {
                // mdBook cannot load the book (an absolute path, reported above): the
                // chapter stays in its place, empty, so the pages keep their order.
                let file = map.add(c.file.name.clone(), "");
                return Chapter::whole(&map, file, &path);
            }
            let source_path = summary::page_path(c.source.as_deref().unwrap_or(&c.path));
            let source = includes::chapter::Source {
                name: &c.file.name,
                path: &source_path,
                content: c.file.content.as_deref(),
                given: c.text.as_deref(),
                links: book_inputs.links,
            };
            let (read, found) = includes::chapter::read(&mut map, source, &files);
            diags.extend(found);
            notes.extend(read.note);
            used.extend(read.expansion.used.iter().cloned());
            Chapter {
                file: read.file,
                path,
                complete: read.complete,
                source: read.expansion.text,
                removals: read.expansion.removals,
                links_later: read.links_later,
            }
        })
        .collect();
    for path in &used {
        if let Some(input) = book_inputs.included.get(path) {
            record(&mut hashed, Role::Include, input);
        }
    }
    {
        // One hash per item file: spread over the cores (the list is sorted below, so the order it is made in does not matter).
        use rayon::prelude::*;
        hashed.par_extend(item_inputs.par_iter().filter_map(|i| {
            let bytes = i.content.as_ref().ok()?;
            Some(InputFile::of(Role::Item, &i.path, bytes))
        }));
    }

    let load::Loaded {
        mut items,
        broken,
        diags: item_diags,
    } = load::load(&mut map, item_inputs);
    diags.extend(load::taken_back(item_diags, &map, &config.exclude));
    // OpenVEX documents may sit in the SBOM folders; they are VEX, not SBOMs.
    let (openvex_inputs, sbom_inputs): (Vec<SbomInput>, Vec<SbomInput>) =
        sbom_inputs.into_iter().partition(|s| {
            s.input
                .content
                .as_ref()
                .is_ok_and(|b| vex::looks_like_openvex(b))
        });
    for v in vex_inputs
        .iter()
        .chain(openvex_inputs.iter().map(|s| &s.input))
    {
        record(&mut hashed, Role::Vex, v);
    }
    let junit_property = config
        .release
        .as_ref()
        .map_or("version", |r| r.junit_property.as_str());
    let (evidence, evidence_diags) =
        evidence::resolve(&mut map, &mut items, evidence_inputs, junit_property);
    diags.extend(evidence_diags);
    hashed.extend(evidence.files.iter().map(|(_, f)| f.clone()));
    let (loaded, sbom_diags) = sbom::load_sboms(&mut map, sbom_inputs);
    diags.extend(sbom_diags);
    diags.extend(sbom::xml_not_read(&mut map, sbom_xml));
    for s in &loaded.sboms {
        hashed.push(InputFile {
            role: Role::Sbom,
            path: s.path.clone(),
            bytes: s.size as u64,
            sha256: s.sha256.clone(),
        });
    }
    diags.extend(sbom::ntia::check(&loaded.sboms));
    let catalog = Catalog::builtin();
    let index = GraphIndex::build(catalog, &items).with_broken(broken);
    let graph = index.view(catalog, &items);
    checks::trace::note_links_to_broken(&graph, &mut diags);
    // The records are read first (they add files to the source map, after every file
    // above, as before); then the checks and the reviews, which only read the graph, run
    // side by side.
    let (records, record_diags) = review::record::load_records(&mut map, review_inputs);
    let profile = config.fingerprint.profile();
    let ((check_diags, open), (reviews, review_diags)) = rayon::join(
        || checks::run(&graph, &config, config_span),
        || review::check(&graph, &profile, records, config_span),
    );
    let mut gaps = checks::Gaps::of(&check_diags, open);
    // Listed whatever their level, but graded by it, so the gaps view is red only where
    // the build fails, like the coverage tables.
    for d in &mut gaps.findings {
        if config.level(d.code) != diag::Level::Deny {
            d.severity = diag::Severity::Warning;
        }
    }
    diags.extend(check_diags);
    diags.extend(record_diags);
    diags.extend(review_diags);
    let (sboms, affects_diags) = sbom::resolve(loaded, &items, |i| graph.is_canonical(i), &map);
    diags.extend(affects_diags);
    let (vulnerabilities, vuln_diags) = advisory::pipeline::run(
        &mut map,
        &graph,
        &sboms,
        &config,
        advisory::pipeline::VulnInputs {
            advisories,
            vex: vex_inputs
                .into_iter()
                .chain(openvex_inputs.into_iter().map(|s| s.input))
                .collect(),
            today,
        },
    );
    diags.extend(vuln_diags);
    let (support, support_diags) = lifecycle::assess(
        &mut map,
        &sboms,
        support_inputs,
        &vulnerabilities.notices,
        &config,
        today,
    );
    diags.extend(support_diags);
    if let (Some(release), Some(f)) = (&config.release, &facts) {
        diags.extend(checks::release::check(
            release, &f.version, &sboms, &map, &items, &evidence,
        ));
    }
    if let Some(today) = today {
        diags.extend(checks::dates::check(&items, &config, today));
    }

    hashed.sort();
    hashed.dedup();
    let stamp = facts.map(|f| f.into_stamp(hashed));

    let (mut output, book_diags) = expand_and_check_links(
        &graph,
        &sboms,
        &reviews,
        &vulnerabilities,
        &gaps,
        &support,
        &chapters,
        &config,
        stamp.as_ref(),
        book_inputs.src_files,
        src_dir.as_deref(),
        book_inputs.markdown,
        book_inputs.layout.as_deref(),
        render,
    );
    diags.extend(book_diags);
    let mut findings = diag::apply_levels(diags, |c| config.level(c));
    diag::sort(&mut findings);
    // Text included twice (by two chapters, or by a cycle) can repeat a finding exactly.
    findings.dedup();
    // The stamp is added after the link check: it holds no link, and no page's ids change.
    if let (true, Some(stamp)) = (render, &stamp) {
        book::stamp_pages(&mut output, stamp);
    }
    Analysis {
        config,
        map,
        catalog,
        items,
        index,
        sboms,
        reviews,
        findings,
        stamp,
        output,
        notes,
        vulnerabilities,
        gaps,
        support,
        evidence,
    }
}

/// The files includes may read, added to the source map so findings can point into them.
fn included_files(
    map: &mut SourceMap,
    inputs: &BTreeMap<String, Input>,
) -> BTreeMap<String, includes::Included> {
    inputs
        .iter()
        .map(|(path, input)| {
            let file = match &input.content {
                Ok(bytes) => match std::str::from_utf8(bytes) {
                    Ok(text) => includes::Included::Text(map.add(input.name.clone(), text)),
                    Err(e) => includes::Included::NotUtf8 {
                        file: map.add(
                            input.name.clone(),
                            String::from_utf8_lossy(bytes).into_owned(),
                        ),
                        at: e.valid_up_to(),
                    },
                },
                Err(e) => includes::Included::Failed(e.clone()),
            };
            (path.clone(), file)
        })
        .collect()
}

/// Where `src` is, relative to the folder that holds the book (the base of item paths): a
/// chapter file's path less its path inside `src`. `None` when no chapter tells (no
/// chapter file, or only chapters outside `src`).
fn src_dir(chapters: &[ChapterInput]) -> Option<String> {
    chapters.iter().find_map(|c| {
        let inside = summary::page_path(c.source.as_deref()?);
        let whole = summary::page_path(&c.file.path);
        let dir = whole.strip_suffix(&inside)?;
        match dir.strip_suffix('/') {
            Some(d) => Some(d.to_string()),
            None if dir.is_empty() => Some(String::new()),
            None => None,
        }
    })
}

/// Expands every chapter's directives and adds the generated pages, then checks every link
/// of the book. Without `render` the output holds no pages, only the links that leave the
/// book: the link check then renders just the pages it must read, as outlines.
#[allow(clippy::too_many_arguments)]
fn expand_and_check_links(
    graph: &TraceGraph<'_>,
    sboms: &SbomSet,
    reviews: &review::Reviews,
    vulnerabilities: &advisory::assess::Assessment,
    gaps: &checks::Gaps,
    support: &lifecycle::Support,
    chapters: &[Chapter],
    config: &Config,
    stamp: Option<&Stamp>,
    src_files: BTreeSet<String>,
    src_dir: Option<&str>,
    markdown: links::Markdown,
    layout: Option<&dyn threat::layout::Layout>,
    render: bool,
) -> (book::Output, Vec<Diagnostic>) {
    let (expanded, mut diags) = book::expand(
        graph,
        sboms,
        reviews,
        vulnerabilities,
        gaps,
        support,
        chapters,
        config,
        stamp,
        !render,
        layout,
    );
    let rendered = if render {
        // Pages render independently (the item pages of a large book are the bulk of a
        // build's own time), so they are spread over the cores, in page order.
        use rayon::prelude::*;
        (0..expanded.page_count())
            .into_par_iter()
            .map(|n| OnceLock::from(expanded.render(n)))
            .collect()
    } else {
        (0..expanded.page_count())
            .map(|_| OnceLock::new())
            .collect()
    };
    let pages = BookPages {
        expanded: &expanded,
        src_dir,
        rendered,
    };
    let check_links = [Code::BrokenLink, Code::BrokenAnchor, Code::LinkOutsideBook]
        .iter()
        .any(|&c| config.level(c) != Level::Allow);
    let mut external = Vec::new();
    if check_links {
        let options = links::Options {
            markdown,
            generated_links: false,
        };
        let (ext, link_diags) = links::check(&pages, &src_files, options);
        external = ext;
        diags.extend(link_diags);
    }
    let mut output = if render {
        // The link check read each page as mdBook renders it; what goes back to mdBook
        // leaves escapes and titles to its `links` preprocessor when that runs later.
        let rendered = pages
            .rendered
            .into_iter()
            .enumerate()
            .map(|(n, cell)| {
                expanded
                    .render_for_mdbook(n)
                    .unwrap_or_else(|| cell.into_inner().unwrap_or_default())
            })
            .collect();
        expanded.output(rendered)
    } else {
        book::Output {
            generated_titles: expanded.generated_titles(),
            ..book::Output::default()
        }
    };
    output.external = external;
    (output, diags)
}

/// The pages of the expanded book for the link check, each rendered the first time it is
/// read (all of them up front when the book is built anyway).
struct BookPages<'e, 'g, 'a> {
    expanded: &'e book::Expanded<'g, 'a>,
    /// Where `src` is, relative to the folder that holds the book (see [`src_dir`]).
    src_dir: Option<&'e str>,
    rendered: Vec<OnceLock<Mapped>>,
}

impl links::Pages for BookPages<'_, '_, '_> {
    fn len(&self) -> usize {
        self.rendered.len()
    }

    fn path(&self, n: usize) -> &str {
        self.expanded.path(n)
    }

    fn file(&self, n: usize) -> Option<FileId> {
        self.expanded.chapter(n).map(|c| c.file)
    }

    fn ids_known(&self, n: usize) -> bool {
        self.expanded.chapter(n).is_none_or(|c| c.complete)
    }

    fn user_text(&self, n: usize) -> Vec<&str> {
        self.expanded.user_text(n)
    }

    fn content(&self, n: usize) -> &Mapped {
        self.rendered[n].get_or_init(|| self.expanded.render(n))
    }

    fn anchors(&self, n: usize) -> Vec<links::Anchor> {
        self.expanded.anchors(n)
    }

    fn item_file(&self, dir: &str, path: &str) -> Option<links::ItemFile<'_>> {
        self.expanded.item_file(self.src_dir, dir, path)
    }
}
