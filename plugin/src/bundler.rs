//! The compliance bundle, edge part: the facts of the stamp (SOURCE_DATE_EPOCH, git), the
//! mdBook renderer that writes the bundle (HTML copy, SBOMs, trace.json, the PDF through
//! Chromium, MANIFEST.sha256) and `verify`. It reads and writes files and runs processes,
//! but never prints: the binary shows what it returns.

use crate::chromium;
use crate::gather::{self, Chapters, Names};
use anyhow::{Context, Result, anyhow, bail};
use mdbook_renderer::RenderContext;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use techfile_core::config::bundle::BundleConfig;
use techfile_core::digest::sha256_hex;
use techfile_core::export::manifest::{self, Problem};
use techfile_core::export::printed::Printed;
use techfile_core::export::{pdf, print};
use techfile_core::stamp::{self as stamps, Stamp};
use techfile_core::{Mode, analyse};

/// Every regular file under `dir`, sorted, as paths relative to `dir` with forward
/// slashes. Hidden entries are skipped unless `hidden` (a bundle check must see them all).
fn walk_files(dir: &Path, hidden: bool) -> Result<Vec<String>> {
    fn walk(base: &Path, dir: &Path, hidden: bool, out: &mut Vec<String>) -> Result<()> {
        for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
            let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
            if !hidden && entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                walk(base, &path, hidden, out)?;
            } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
                let rel = path.strip_prefix(base).unwrap_or(&path);
                let rel = rel
                    .to_str()
                    .ok_or_else(|| anyhow!("{} is not a UTF-8 path", path.display()))?;
                out.push(rel.replace('\\', "/"));
            } else {
                bail!(
                    "{} is neither a file nor a folder (a dangling link?)",
                    path.display()
                );
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, hidden, &mut out)?;
    out.sort();
    Ok(out)
}

/// What a bundle build did, for the closing lines.
pub enum Rendered {
    Written(Written),
    /// Nothing was written (under `mdbook serve`), and why.
    Skipped {
        note: String,
    },
}

/// A bundle that was written.
pub struct Written {
    pub destination: PathBuf,
    pub files: usize,
    pub pdf: Option<(String, u64, Duration)>,
    pub manifest_sha256: String,
    pub notes: Vec<String>,
    /// Things the user must act on that do not stop the bundle (uncommitted changes).
    pub warnings: Vec<String>,
}

/// Whether mdBook runs for `mdbook serve`: it sets `output.html.live-reload-endpoint`
/// for the pages it serves, and `mdbook build` never does.
pub fn serving(config: &mdbook_renderer::config::Config) -> bool {
    matches!(
        config.get::<toml::Value>("output.html.live-reload-endpoint"),
        Ok(Some(_))
    )
}

/// The bundle folder relative to the book root, for messages (mdBook runs a renderer
/// inside its own output folder, so the current folder says nothing).
fn dest_display(ctx: &RenderContext) -> String {
    crate::paths::relative(&ctx.destination, &ctx.root)
}

fn clear_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        let result = if path.is_dir() && !path.is_symlink() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        result.with_context(|| format!("cannot remove the stale {}", path.display()))?;
    }
    Ok(())
}

fn write_file(to: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    fs::write(to, bytes).with_context(|| format!("cannot write {}", to.display()))
}

fn copy_file(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    fs::copy(from, to)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    Ok(())
}

/// The SHA-256 of every file in `dir` but the manifest, by bundle path.
fn hash_tree(dir: &Path) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for rel in walk_files(dir, true)? {
        if rel == manifest::FILE_NAME {
            continue;
        }
        let bytes = fs::read(dir.join(&rel)).with_context(|| format!("cannot read {rel}"))?;
        out.insert(rel, sha256_hex(&bytes));
    }
    Ok(out)
}

/// The mdBook renderer: writes the bundle into `ctx.destination`. mdBook runs renderers in
/// the order of their names, so `[output.techfile]` runs after `[output.html]` and finds
/// this build's HTML in the sibling `html` folder.
pub fn render(ctx: &RenderContext) -> Result<Rendered> {
    // Paths in trace.json are relative to the project, whatever folder mdBook runs us in.
    let project = Names::for_book(&ctx.root).project;
    let names = Names {
        cwd: project.clone(),
        project: project.clone(),
    };
    let loaded = crate::bookconfig::load(&ctx.root, &names)?;
    let config = loaded.config.clone();
    let Some(bundle) = &config.bundle else {
        bail!(
            "the bundle renderer needs the version of the technical file: add [preprocessor.techfile.bundle] with `version = \"1.0\"` (or `version-from = \"git\"`) to book.toml"
        );
    };
    let build_dir = gather::normalize(&ctx.root.join(&ctx.config.build.build_dir));
    let dest = gather::normalize(&ctx.destination);
    if dest == build_dir {
        bail!(
            "the bundle renderer needs mdBook's HTML renderer too: add [output.html] to book.toml, so the bundle can include the HTML and print it"
        );
    }
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.as_str() <= "html" {
        bail!(
            "[output.{name}] runs before [output.html] (mdBook runs renderers in name order), so it would bundle stale HTML: name the table [output.techfile]"
        );
    }
    let html_dir = build_dir.join("html");
    let print_page = html_dir.join("print.html");
    if !print_page.is_file() {
        bail!(
            "{} is missing: the bundle prints mdBook's print view, so keep [output.html] and do not set output.html.print.enable = false",
            print_page.display()
        );
    }
    // `mdbook serve` rebuilds on every change into the same build folder: writing the
    // bundle there would replace the last released one with an unprinted copy of work in
    // progress, so serving leaves it alone.
    if serving(&ctx.config) {
        return Ok(Rendered::Skipped {
            note: format!(
                "`mdbook serve` does not write the bundle: {} keeps the last one `mdbook build` wrote",
                dest_display(ctx)
            ),
        });
    }
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    // Find the browser before any work, so a machine without one fails at once.
    let browser = if bundle.pdf {
        Some(chromium::find(bundle.browser.as_deref()).map_err(anyhow::Error::msg)?)
    } else {
        None
    };

    let title = ctx.config.book.title.clone();
    let (mut inputs, _) = crate::gather::gather_inputs(
        &ctx.root,
        &ctx.config,
        loaded,
        &names,
        Chapters::FromSummary,
    )?;
    // The diagrams are in the HTML already; the bundle needs the trace, not a second layout.
    inputs.book.layout = None;
    let mut analysis = analyse(inputs, Mode::Check);
    crate::history::check_independence(&mut analysis, &ctx.root);
    if let Some(stamp) = &analysis.stamp {
        same_build(&print_page, &stamp.build_digest())?;
    }
    if analysis.has_errors() {
        bail!(
            "the technical file has errors, so no bundle is written; `mdbook-techfile check {}` lists them",
            ctx.root.display()
        );
    }
    let Some(stamp) = &analysis.stamp else {
        bail!("the bundle needs [preprocessor.techfile.bundle]");
    };
    if stamp.modified {
        if bundle.require_clean {
            bail!(
                "the build differs from its commit (the preprocessor's notes name the files or settings; the book is {}), and [preprocessor.techfile.bundle] require-clean is set: commit them, then build the bundle again",
                ctx.root.display()
            );
        }
        warnings.push(format!(
            "the bundle is built from changes that are not committed: its pages say `(modified)` and commit {} does not hold what it shows; commit first for a bundle to hand over (require-clean = true in [preprocessor.techfile.bundle] makes this an error)",
            stamp.short_commit()
        ));
    }
    let trace = techfile_core::export::trace::export(&analysis, stamp, title.as_deref());

    clear_dir(&dest)?;
    for rel in walk_files(&html_dir, true)? {
        // A submodule under `src` leaves its `.git` file (a path on this machine) in the
        // HTML: git's bookkeeping, which would make two checkouts' bundles differ.
        if rel.split('/').any(|part| part == ".git") {
            continue;
        }
        copy_file(&html_dir.join(&rel), &dest.join("html").join(&rel))?;
    }
    // The SBOMs shipped are the bytes the analysis validated, not a second read of the disk.
    let mut seen = BTreeMap::new();
    for (file, bundle_path) in stamps::sbom_files(stamp) {
        if let Some(other) = seen.insert(bundle_path.clone(), file.path.clone()) {
            bail!(
                "{} and {other} would both be {bundle_path} in the bundle: rename one",
                file.path
            );
        }
        let sbom = analysis
            .sboms
            .sboms
            .iter()
            .find(|s| s.path == file.path)
            .ok_or_else(|| anyhow!("{} is listed but was not analysed", file.path))?;
        write_file(
            &dest.join(&bundle_path),
            analysis.map.text(sbom.file).as_bytes(),
        )?;
    }
    // Evidence files are copied from disk (they may be large, so the analysis kept only
    // their hashes); a copy that differs from the hash the document control lists means
    // the file changed during the build, and no bundle is written.
    for (rel, file) in &analysis.evidence.files {
        let to = dest.join("evidence").join(rel);
        copy_file(&project.join(&file.path), &to)?;
        let bytes = fs::read(&to).with_context(|| format!("cannot read {}", to.display()))?;
        if sha256_hex(&bytes) != file.sha256 {
            bail!(
                "{} changed while the bundle was written; build again",
                file.path
            );
        }
    }
    fs::write(dest.join("trace.json"), trace).context("cannot write trace.json")?;
    let vex = techfile_core::export::vex::export(&analysis, stamp, title.as_deref());
    fs::write(dest.join(techfile_core::export::vex::FILE_NAME), vex)
        .context("cannot write the VEX document")?;

    let pdf = match browser {
        Some(browser) => {
            let started = Instant::now();
            let bytes = print(
                &browser,
                &print_page,
                &dest,
                stamp,
                title.as_deref(),
                bundle,
                &summary_entries(ctx, &analysis),
            )?;
            match stamp.timestamp {
                Some(_) => {}
                None => notes.push(
                    "the PDF keeps the creation date Chromium wrote, because this version has no date; set SOURCE_DATE_EPOCH or build from a commit to make it reproducible".into(),
                ),
            }
            let name = stamp.pdf_name();
            let size = bytes.len() as u64;
            fs::write(dest.join(&name), bytes).with_context(|| format!("cannot write {name}"))?;
            Some((name, size, started.elapsed()))
        }
        None => None,
    };

    let files = hash_tree(&dest)?;
    let text = manifest::format(&files).map_err(anyhow::Error::msg)?;
    fs::write(dest.join(manifest::FILE_NAME), &text)
        .with_context(|| format!("cannot write {}", manifest::FILE_NAME))?;
    Ok(Rendered::Written(Written {
        destination: dest,
        files: files.len(),
        pdf,
        manifest_sha256: sha256_hex(text.as_bytes()),
        notes,
        warnings,
    }))
}

/// Fails unless the HTML in `print_page` was made by the preprocessor from inputs whose
/// digest is `digest`, the renderer's own: mdBook runs the two as separate processes, and a
/// file saved between them would give a bundle whose pages and trace disagree.
///
/// # Errors
///
/// When the page cannot be read, carries no digest (the preprocessor did not run for
/// `[output.html]`, or the HTML is left from another build), or carries another one.
fn same_build(print_page: &Path, digest: &str) -> Result<()> {
    let html = fs::read_to_string(print_page)
        .with_context(|| format!("cannot read {}", print_page.display()))?;
    let found = crate::handover::read(&html);
    if found.is_empty() {
        bail!(
            "{} does not say which inputs the preprocessor read, so the bundle cannot show that its HTML and its trace come from the same files: keep [preprocessor.techfile] running for [output.html] and build again",
            print_page.display()
        );
    }
    if found.iter().any(|d| *d != digest) {
        bail!(
            "the inputs or the commit changed between the preprocessor and the renderer: build again (the HTML was made from other files, or stamped with another commit, than the trace, stamp and SBOMs would be)"
        );
    }
    Ok(())
}

/// The summary as the PDF's contents see it: part titles and the chapters that are printed
/// (drafts have no page), with the numbers mdBook shows unless `no-section-label` is set,
/// then the part of generated pages the preprocessor appends (this renderer's copy of the
/// book is the summary's, without them).
fn summary_entries(ctx: &RenderContext, analysis: &techfile_core::Analysis) -> Vec<print::Entry> {
    use mdbook_renderer::book::BookItem;
    let numbered = !matches!(
        ctx.config.get::<bool>("output.html.no-section-label"),
        Ok(Some(true))
    );
    let mut entries: Vec<print::Entry> = ctx
        .book
        .iter()
        .filter_map(|item| match item {
            BookItem::PartTitle(t) => Some(print::Entry::Part(t.clone())),
            BookItem::Chapter(ch) if ch.path.is_some() => Some(print::Entry::Chapter {
                number: ch
                    .number
                    .as_ref()
                    .filter(|_| numbered)
                    .map(ToString::to_string),
                name: ch.name.clone(),
                depth: ch.parent_names.len(),
            }),
            _ => None,
        })
        .collect();
    let generated = &analysis.output.generated_titles;
    if !generated.is_empty() {
        entries.push(print::Entry::Part(analysis.config.pages_title.clone()));
        entries.extend(generated.iter().map(|(title, _)| print::Entry::Chapter {
            number: None,
            name: title.clone(),
            depth: 0,
        }));
    }
    entries
}

/// How many times the book may be printed to get the contents' page numbers right: once
/// to measure, once with the numbers, which normally confirms them (the contents take the
/// same room either way), and once more should a number's width have moved a page.
const MAX_PRINTS: usize = 3;

/// Prints the print view with a cover, the contents (with page numbers) and the stamp in
/// every page's margins, and returns the PDF of record: outline added, dates set to the
/// stamp's, structure ids and file identifier fixed. The styled copy of the page sits
/// next to the HTML copy in the bundle, so its relative links to styles and fonts
/// resolve, and is removed after.
///
/// One browser loads the page once. The first print is untagged (it is only read for the
/// page of every heading, and the structure tree doubles its cost); the numbers are then
/// written into the loaded page's contents by a script and the page printed again,
/// tagged, which is the PDF when its headings are where the first print found them.
fn print(
    browser: &Path,
    print_page: &Path,
    dest: &Path,
    stamp: &Stamp,
    title: Option<&str>,
    bundle: &BundleConfig,
    entries: &[print::Entry],
) -> Result<Vec<u8>> {
    let page = fs::read_to_string(print_page)
        .with_context(|| format!("cannot read {}", print_page.display()))?;
    let style = pdf::page_style(title.unwrap_or(""), stamp);
    let cover = techfile_core::render::cover::render(bundle, stamp);
    let marks = print::marks(entries, &print::headings(&page));
    let styled_page = dest.join("html").join(".techfile-print.html");
    let front = format!("{cover}{}", print::toc(&marks, None));
    let styled = print::print_copy(&page, &style, &front)
        .map_err(|e| anyhow!("{}: {e}", print_page.display()))?;
    fs::write(&styled_page, styled)
        .with_context(|| format!("cannot write {}", styled_page.display()))?;
    let printer = chromium::open(
        browser,
        &styled_page,
        Duration::from_secs(bundle.pdf_timeout),
    );
    let _ = fs::remove_file(&styled_page);
    let mut printer = printer.map_err(anyhow::Error::msg)?;
    let mut numbers: Option<BTreeMap<String, u32>> = None;
    let mut settled = None;
    for _ in 0..MAX_PRINTS {
        // Without marks there are no numbers to find: the one print is the PDF.
        let tagged = numbers.is_some() || marks.is_empty();
        let bytes = printer.print(tagged).map_err(anyhow::Error::msg)?;
        let printed = Printed::read(&bytes).map_err(anyhow::Error::msg)?;
        let found = printed.destination_pages().map_err(anyhow::Error::msg)?;
        let wanted: BTreeMap<String, u32> = marks
            .iter()
            .filter_map(|m| Some((m.id.clone(), *found.get(&m.id)?)))
            .collect();
        if tagged && (marks.is_empty() || numbers.as_ref() == Some(&wanted)) {
            settled = Some(printed);
            break;
        }
        printer
            .evaluate(&print::toc_numbers_script(&wanted))
            .map_err(anyhow::Error::msg)?;
        numbers = Some(wanted);
    }
    drop(printer);
    let Some(printed) = settled else {
        bail!(
            "the page numbers of the contents did not settle after {MAX_PRINTS} prints; this is a bug, please report it with the book"
        );
    };
    printed
        .finish(&marks, stamp.timestamp)
        .map_err(anyhow::Error::msg)
}

/// The result of checking a bundle against its manifest.
pub struct Verified {
    /// Files found in the bundle, the manifest excluded.
    pub files: usize,
    pub problems: Vec<Problem>,
}

/// Checks every file of a bundle against `MANIFEST.sha256`: missing, changed and unlisted
/// files are problems. `Err` only when the folder cannot be read at all.
pub fn verify(dir: &Path) -> Result<Verified> {
    if !dir.is_dir() {
        bail!("{} is not a folder", dir.display());
    }
    let manifest_path = dir.join(manifest::FILE_NAME);
    let bytes = match fs::read(&manifest_path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Verified {
                files: 0,
                problems: vec![Problem::Missing {
                    path: manifest::FILE_NAME.into(),
                }],
            });
        }
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read {}", manifest_path.display()));
        }
    };
    let (listed, mut problems) = match String::from_utf8(bytes) {
        Ok(text) => manifest::parse(&text),
        Err(_) => (
            BTreeMap::new(),
            vec![Problem::Malformed {
                line: 1,
                reason: "the manifest is not UTF-8 text".into(),
            }],
        ),
    };
    let found = hash_tree(dir)?;
    problems.extend(manifest::compare(&listed, &found));
    // The review records travel in trace.json: every stamp it lists must be backed by one.
    if let Ok(text) = fs::read_to_string(dir.join("trace.json"))
        && let Ok(trace) = serde_json::from_str::<serde_json::Value>(&text)
    {
        problems.extend(manifest::unrecorded_reviews(&trace));
    }
    Ok(Verified {
        files: found.len(),
        problems,
    })
}
