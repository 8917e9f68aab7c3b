//! One chapter as the analysis reads it: the file, the text mdBook hands a preprocessor,
//! and which of the two describes the page.
//!
//! The plugin expands includes itself, from the chapter file and the files under `src`,
//! so findings point into the files users wrote, whatever order the preprocessors run in.
//! When mdBook hands over a text (the plugin runs as a preprocessor), the text says how
//! far mdBook got:
//! - it equals the plugin's expansion with escapes and titles removed: mdBook's `links`
//!   ran first, and the plugin's expansion describes it byte for byte;
//! - it equals the file: `links` runs after the plugin (`before = ["links"]`), so the
//!   plugin hands back its expansion with escapes and titles left for `links`;
//! - anything else: another preprocessor changed the text in a way the plugin cannot
//!   reproduce; the text is checked as handed over, and a note says so. The lines it did
//!   not change (a line diff against the expansion, or against the file when `links` has
//!   not run yet) keep their places in the chapter and the included files; only the lines
//!   it changed are placed in the text as handed over.

use super::{Expansion, Files, expand, plain};
use crate::diag::{Code, Diagnostic};
use crate::load::InputError;
use crate::model::{SourceMap, Span};
use crate::render::Mapped;

/// A chapter's file and text, as the edge read them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Source<'a> {
    /// The name findings show.
    pub(crate) name: &'a str,
    /// The file relative to `src`, as SUMMARY.md names it (before `README.md` is renamed).
    pub(crate) path: &'a str,
    pub(crate) content: Result<&'a [u8], &'a InputError>,
    /// What mdBook handed over, when the plugin runs as a preprocessor; for `check`, the
    /// text mdBook would create for a chapter file that does not exist.
    pub(crate) given: Option<&'a str>,
    /// Whether mdBook's `links` preprocessor runs for this book at all.
    pub(crate) links: bool,
}

/// A chapter ready for the book.
#[derive(Clone, Debug)]
pub(crate) struct Read {
    /// The file findings point at.
    pub(crate) file: crate::model::FileId,
    pub(crate) expansion: Expansion,
    /// mdBook's `links` runs after the plugin: what it removes is left in the output.
    pub(crate) links_later: bool,
    /// False when mdBook may still add text the expansion does not hold.
    pub(crate) complete: bool,
    /// Something the user should know that is not a finding.
    pub(crate) note: Option<String>,
}

/// Reads one chapter: expands its includes (when mdBook's `links` runs), and decides from
/// the text mdBook handed over whether that expansion describes the page.
pub(crate) fn read(
    map: &mut SourceMap,
    src: Source<'_>,
    files: &Files<'_>,
) -> (Read, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let raw = match src.content {
        Ok(bytes) => {
            // mdBook drops a UTF-8 byte order mark from a chapter (not from included files).
            let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
            match std::str::from_utf8(bytes) {
                Ok(text) => Some(text.to_string()),
                Err(e) if src.given.is_none() => {
                    let at = e.valid_up_to();
                    let file = map.add(src.name, String::from_utf8_lossy(bytes).into_owned());
                    diags.push(
                        Diagnostic::new(Code::NotUtf8, "chapter is not valid UTF-8")
                            .at(Span::new(file, at..at), "first invalid byte here")
                            .help("save the file as UTF-8: mdBook cannot load a book with this chapter"),
                    );
                    return (whole(file, map, false, None), diags);
                }
                Err(_) => None,
            }
        }
        Err(e) => {
            if src.given.is_none() {
                let file = map.add(src.name, String::new());
                diags.push(
                    Diagnostic::new(Code::ReadError, format!("cannot read chapter: {}", describe(e)))
                        .at(Span::new(file, 0..0), "this chapter")
                        .help("create the file, or fix its path in SUMMARY.md (mdBook creates missing chapters only with `create-missing = true` under [build])"),
                );
                return (whole(file, map, false, None), diags);
            }
            None
        }
    };
    let Some(raw) = raw else {
        // No file of its own (another preprocessor made the chapter up): the text handed
        // over is all there is.
        let given = src.given.unwrap_or_default();
        let file = map.add(src.name, given);
        let complete = !src.links || !super::may_add_text(given);
        return (whole(file, map, complete, None), diags);
    };
    let file = map.add(src.name, raw.as_str());
    let mut text = Mapped::new();
    text.push_copied(&raw, file, 0);
    let (expansion, found) = if src.links {
        expand(map, text, src.path, files)
    } else {
        (plain(text), Vec::new())
    };
    diags.extend(found);
    let Some(given) = src.given else {
        return (done(file, expansion, false), diags);
    };
    if src.links && given == expansion.page().text {
        return (done(file, expansion, false), diags);
    }
    if given == raw {
        return (done(file, expansion, src.links), diags);
    }
    let handed = map.add(src.name, given);
    let mut raw_text = Mapped::new();
    raw_text.push_copied(&raw, file, 0);
    let mut read = whole(handed, map, !super::may_add_text(given), None);
    read.expansion = plain(aligned(&[expansion.page(), raw_text], given, handed));
    read.expansion.used = expansion.used;
    read.note = Some(format!(
        "{}: the text mdBook handed over is neither the file nor the file with its includes expanded (another preprocessor changed it), so it is checked as handed over; findings in the lines that preprocessor changed point at the lines of the text handed over, not of the file",
        src.name
    ));
    (read, diags)
}

/// `given` mapped through the candidate closest to it by lines (the expansion, or the
/// file): lines equal to the candidate's keep the candidate's places, and the others are
/// placed in `handed`, the text as handed over (the same text as `given`).
fn aligned(candidates: &[Mapped], given: &str, handed: crate::model::FileId) -> Mapped {
    use similar::{DiffOp, TextDiff};
    let diffs: Vec<(&Mapped, TextDiff<'_, '_, str>)> = candidates
        .iter()
        .map(|c| (c, TextDiff::from_lines(c.text.as_str(), given)))
        .collect();
    let Some((base, diff)) = diffs
        .iter()
        .max_by(|a, b| a.1.ratio().total_cmp(&b.1.ratio()))
    else {
        let mut whole = Mapped::new();
        whole.push_copied(given, handed, 0);
        return whole;
    };
    // Byte offsets of the lines of both texts.
    let starts = |lines: &mut dyn Iterator<Item = &str>| -> Vec<usize> {
        let mut at = vec![0];
        for l in lines {
            at.push(at.last().copied().unwrap_or(0) + l.len());
        }
        at
    };
    let old = starts(&mut diff.iter_old_slices());
    let new = starts(&mut diff.iter_new_slices());
    let mut out = Mapped::new();
    for op in diff.ops() {
        let (o, n) = (op.old_range(), op.new_range());
        match op {
            DiffOp::Equal { .. } => out.append_range(base, old[o.start]..old[o.end]),
            _ => out.push_copied(&given[new[n.start]..new[n.end]], handed, new[n.start]),
        }
    }
    debug_assert_eq!(out.text, given);
    out
}

fn done(file: crate::model::FileId, expansion: Expansion, links_later: bool) -> Read {
    Read {
        file,
        expansion,
        links_later,
        complete: true,
        note: None,
    }
}

/// A chapter that is the whole of `file`, nothing expanded.
fn whole(
    file: crate::model::FileId,
    map: &SourceMap,
    complete: bool,
    note: Option<String>,
) -> Read {
    let mut text = Mapped::new();
    text.push_copied(map.text(file), file, 0);
    Read {
        file,
        expansion: plain(text),
        links_later: false,
        complete,
        note,
    }
}

fn describe(e: &InputError) -> String {
    match e {
        InputError::Io(m) | InputError::Folder(m) => m.clone(),
        InputError::TooLarge { size, limit } => {
            format!("{size} bytes, more than the limit of {limit} bytes")
        }
    }
}
