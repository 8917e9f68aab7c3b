//! Where the chapters SUMMARY.md lists end up, as mdBook 0.5.4 places them, and the paths
//! it places badly.
//!
//! mdBook's loader (`mdbook-driver`, `load.rs`) joins a link's path to `src` and strips
//! `src` off again; Rust's `Path` drops `.` segments and doubled slashes on the way, but
//! keeps `..`. So `./x.md` is the chapter `x.md` and `a//b.md` is `a/b.md`, while
//! `a/./b/../b/deep.md` stays `a/b/../b/deep.md`. The HTML renderer writes that page where
//! the file system resolves the path (`a/b/deep.html`), which is where links from other
//! pages land and where links in the page resolve from: the page's place is the path with
//! `..` resolved (`normal`). What mdBook gets wrong about such paths (verified with mdBook
//! 0.5.4):
//!
//! - it counts every named folder of the path as written for the way back to the book's
//!   root (`path_to_root`), so `a/b/../b/deep.md` gets `../../../` instead of `../../`, and
//!   the page's stylesheets, scripts and navigation miss when the book is opened from disk;
//!   and the print page (which the PDF is made from) keys chapters by the path as written,
//!   so links to `a/b/deep.md` there are left as links to the file, out of the document;
//! - two spellings of one file are two chapters writing one page, the later over the
//!   earlier (its duplicate check compares the paths as written);
//! - `zz/../intro.md` through a folder that does not exist cannot be read, and with
//!   `create-missing` mdBook creates `zz` and writes a page holding only the title over
//!   `intro.md`;
//! - `%20` is the only escape it decodes: `a%2Db.md` is that file, and the table of
//!   contents links to `a%2Db.html`, which a browser reads as `a-b.html`;
//! - a path that climbs out of `src` (`../notes.md`) is read, and its page written outside
//!   the build folder (`book/../notes.html`); an absolute path stops mdBook with a panic.
//!
//! Pure: the SUMMARY.md text and the chapters' paths come in, places and findings go out.

use crate::diag::{Code, Diagnostic};
use crate::model::{FileId, SourceMap, Span};
use std::collections::BTreeSet;
use std::ops::Range;

/// Where a chapter path (relative to `src`, forward slashes) leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// Inside `src`: the path with `.`, empty and `..` segments resolved.
    Inside(String),
    /// Out of `src` and maybe back in (`../notes.md`, `../src/x.md`): mdBook's path keeps
    /// the `..` that climbs out, resolved as far as it can be.
    Above(String),
    /// An absolute path.
    Absolute,
}

/// The place of `path` relative to `src`, resolved lexically (mdBook's paths are read
/// from folders that exist, where the file system resolves `..` the same way).
pub(crate) fn normal(path: &str) -> Place {
    if path.starts_with('/') {
        return Place::Absolute;
    }
    let mut parts: Vec<&str> = Vec::new();
    let mut above = 0usize;
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    above += 1;
                }
            }
            s => parts.push(s),
        }
    }
    let inside = parts.join("/");
    if above == 0 {
        Place::Inside(inside)
    } else {
        Place::Above(format!("{}{inside}", "../".repeat(above)))
    }
}

/// The page path the rest of the analysis uses for a chapter path: its place, or the path
/// itself when it is absolute.
pub fn page_path(path: &str) -> String {
    match normal(path) {
        Place::Inside(p) | Place::Above(p) => p,
        Place::Absolute => path.to_string(),
    }
}

/// The segments of a path as Rust's `Path` compares them: no empty or `.` segments.
fn segments(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect()
}

/// A link of SUMMARY.md: its path as mdBook reads it (`%20` is a space), as written, and
/// where its destination is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) path: String,
    pub(crate) written: String,
    pub(crate) range: Range<usize>,
}

/// The links of SUMMARY.md with a destination, in document order, parsed as mdBook's
/// summary parser reads the file (pulldown-cmark without extensions). Links that are not
/// chapters (in a part title) are listed too; [`check`] matches chapters to them in order.
pub(crate) fn entries(text: &str) -> Vec<Entry> {
    use pulldown_cmark::{Event, Parser, Tag};
    Parser::new(text)
        .into_offset_iter()
        .filter_map(|(event, range)| {
            let Event::Start(Tag::Link { dest_url, .. }) = event else {
                return None;
            };
            if dest_url.is_empty() {
                return None;
            }
            // The destination as written, inside the link; the whole link when it is
            // written elsewhere (a reference definition) or escaped.
            let written = &text[range.clone()];
            let range = match written.rfind(dest_url.as_ref()) {
                Some(at) => range.start + at..range.start + at + dest_url.len(),
                None => range,
            };
            Some(Entry {
                path: dest_url.replace("%20", " "),
                written: dest_url.to_string(),
                range,
            })
        })
        .collect()
}

/// One chapter as the edge read it: its path relative to `src` as mdBook names it
/// (`..` kept), or `None` for a chapter without a file.
pub(crate) type ChapterPath<'a> = Option<&'a str>;

/// The findings about the chapter paths of a book: `chapter-outside-src` for an absolute
/// path or one that climbs out of `src`, `chapter-path-not-normal` for a `..` inside it.
/// `summary` is SUMMARY.md in the source map (findings point at the link); `src_files`
/// lists every file under `src`, to tell whether a folder a `..` passes holds anything.
/// Also returns, per chapter, whether mdBook loads it at all (not with an absolute path).
pub(crate) fn check(
    summary: Option<(FileId, &SourceMap)>,
    chapters: &[ChapterPath<'_>],
    src_files: &BTreeSet<String>,
) -> (Vec<bool>, Vec<Diagnostic>) {
    let found = summary.map_or_else(Vec::new, |(f, map)| entries(map.text(f)));
    // Chapters come in SUMMARY.md's order: each is the next link with the same segments.
    let mut next = 0;
    let links: Vec<Option<(Span, &str)>> = chapters
        .iter()
        .map(|c| {
            let path = (*c)?;
            let (file, _) = summary?;
            let want = segments(path);
            let at = found[next..].iter().position(|e| {
                segments(&e.path) == want && e.path.starts_with('/') == path.starts_with('/')
            })?;
            next += at + 1;
            let e = &found[next - 1];
            Some((Span::new(file, e.range.clone()), e.written.as_str()))
        })
        .collect();
    let spans: Vec<Option<Span>> = links.iter().map(|l| l.map(|(s, _)| s)).collect();
    let summary_span = summary.map(|(f, _)| Span::new(f, 0..0));
    let mut loads = vec![true; chapters.len()];
    let mut diags = Vec::new();
    for (n, c) in chapters.iter().enumerate() {
        let Some(path) = *c else { continue };
        let span = spans[n].or(summary_span);
        // The path as the user wrote it, when its link was found.
        let written = links[n].map_or(path, |(_, w)| w);
        match normal(path) {
            Place::Absolute => {
                loads[n] = false;
                diags.push(
                    Diagnostic::new(
                        Code::ChapterOutsideSrc,
                        format!("SUMMARY.md lists the chapter `{written}` by an absolute path"),
                    )
                    .at_opt(span, "an absolute path")
                    .help("mdBook cannot load this book: it stops with \"Chapters are always inside a book\"; move the file under src and write its path relative to src"),
                );
            }
            Place::Above(page) => diags.push(
                Diagnostic::new(
                    Code::ChapterOutsideSrc,
                    format!("SUMMARY.md lists the chapter `{written}`, which is outside the book's src folder"),
                )
                .at_opt(span, "this path climbs out of `src`")
                .help(format!(
                    "mdBook reads it, but writes its page to `{}` from the HTML output folder, outside it: the book's navigation leads out of the book and the bundle does not hold the page; move the file under src and list it from there",
                    html(&page)
                )),
            ),
            Place::Inside(page) if escape_kept(written).is_some() => {
                let escape = escape_kept(written).unwrap_or_default();
                let meant = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
                diags.push(
                    Diagnostic::new(
                        Code::ChapterPathNotNormal,
                        format!("SUMMARY.md lists the chapter `{written}`, whose `{escape}` mdBook does not decode"),
                    )
                    .at_opt(span, format!("the file is `{path}`"))
                    .help(format!(
                        "mdBook decodes only `%20` in SUMMARY.md, so the chapter is the file `{path}` (with create-missing, mdBook makes it if it does not exist), and the book's table of contents links to `{}`, which a browser reads as `{}`, a page that does not exist; name the file `{meant}` and write that (a space as `%20`, or the path in `<...>`)",
                        html(&page),
                        html(&meant)
                    )),
                );
            }
            Place::Inside(page) if segments(path).contains(&"..") => {
                let d = Diagnostic::new(
                    Code::ChapterPathNotNormal,
                    format!("SUMMARY.md lists the chapter `{written}`, whose `..` mdBook does not resolve"),
                )
                .at_opt(span, format!("the page is `{}`", html(&page)));
                diags.push(not_normal(path, &page, n, chapters, &links, src_files).onto(d));
            }
            Place::Inside(_) => {}
        }
    }
    (loads, diags)
}

/// The first percent escape of a SUMMARY.md path that mdBook leaves as written: every one
/// but `%20`.
fn escape_kept(written: &str) -> Option<&str> {
    written.match_indices('%').find_map(|(i, _)| {
        let escape = written.get(i..i + 3)?;
        let hex = escape[1..].bytes().all(|b| b.is_ascii_hexdigit());
        (hex && escape != "%20").then_some(escape)
    })
}

/// A page's name as mdBook's HTML renderer writes it.
fn html(page: &str) -> String {
    match page.strip_suffix(".md") {
        Some(stem) => format!("{stem}.html"),
        None => format!("{page}.html"),
    }
}

/// The help and labels for a chapter path with a `..` that stays inside `src`: what mdBook
/// does with it, and the other entries that name the same file.
struct NotNormal {
    help: String,
    labels: Vec<(Span, String)>,
}

fn not_normal(
    path: &str,
    page: &str,
    n: usize,
    chapters: &[ChapterPath<'_>],
    links: &[Option<(Span, &str)>],
    src_files: &BTreeSet<String>,
) -> NotNormal {
    let written = segments(path);
    let named_folders = written.iter().filter(|s| **s != "..").count() - 1;
    let real_folders = page.matches('/').count();
    let folders = |n: usize| match n {
        1 => "1 folder".to_string(),
        n => format!("{n} folders"),
    };
    let depth = match real_folders {
        0 => "the page is at the top of the book".to_string(),
        n => format!("the page is {} deep", folders(n)),
    };
    let mut help = format!(
        "write `{page}`: links to the page work, but mdBook finds the book's root by counting the folders named in the path as written ({}), while {depth}, so the page's stylesheets, scripts and navigation links miss when the book is opened from disk; and its print page, which the PDF is made from, does not know the page by its place, so links to it there lead out of the document",
        folders(named_folders)
    );
    // A folder the path passes before a `..` that holds no file: mdBook cannot read the
    // chapter through it, and `create-missing` creates it and writes over the file.
    for (i, seg) in written.iter().enumerate() {
        if *seg != ".." || i == 0 {
            continue;
        }
        let Place::Inside(folder) = normal(&written[..i].join("/")) else {
            continue;
        };
        let prefix = format!("{folder}/");
        let empty = src_files
            .range(prefix.clone()..)
            .next()
            .is_none_or(|f| !f.starts_with(&prefix));
        if empty && src_files.contains(page) {
            help.push_str(&format!(
                "; and `{folder}` holds no file under src: if it does not exist, mdBook cannot read the chapter through it, and with `create-missing` (the default) creates it and writes a page holding only the title over `{page}`"
            ));
            break;
        }
    }
    let mut labels = Vec::new();
    for (m, other) in chapters.iter().enumerate() {
        let Some(other) = other else { continue };
        if m == n || normal(other) != Place::Inside(page.to_string()) {
            continue;
        }
        let shown = links[m].map_or(*other, |(_, w)| w);
        if let Some((at, _)) = links[m] {
            labels.push((at, "this entry names the same file".to_string()));
        }
        help.push_str(&format!(
            "; SUMMARY.md also lists it as `{shown}`: mdBook makes two chapters of the one file and writes both to `{}`, the later over the earlier",
            html(page)
        ));
        break;
    }
    NotNormal { help, labels }
}

impl NotNormal {
    fn onto(self, mut d: Diagnostic) -> Diagnostic {
        for (span, label) in self.labels {
            d = d.with_label(span, label);
        }
        d.help(self.help)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_placed_as_the_file_system_resolves_them() {
        for (path, place) in [
            ("x.md", Place::Inside("x.md".into())),
            ("./x.md", Place::Inside("x.md".into())),
            ("a//b.md", Place::Inside("a/b.md".into())),
            ("a/./b/../b/deep.md", Place::Inside("a/b/deep.md".into())),
            ("a/b/../../c.md", Place::Inside("c.md".into())),
            ("my page.md", Place::Inside("my page.md".into())),
            ("../notes.md", Place::Above("../notes.md".into())),
            ("a/../../notes.md", Place::Above("../notes.md".into())),
            ("../src/x.md", Place::Above("../src/x.md".into())),
            ("../../x/../y.md", Place::Above("../../y.md".into())),
            ("/tmp/x.md", Place::Absolute),
        ] {
            assert_eq!(normal(path), place, "{path}");
        }
        assert_eq!(page_path("a/b/../b/index.md"), "a/b/index.md");
        assert_eq!(html("a/b/deep.md"), "a/b/deep.html");
    }

    #[test]
    fn summary_links_are_found_where_their_destination_is_written() {
        let text = "# Summary\n\n[Intro](./intro.md)\n\n- [Deep](a/./b/../b/deep.md)\n- [Later]()\n- [Space](x/my%20page.md)\n  - [Ref][r]\n\n[r]: x/ref.md\n";
        let found = entries(text);
        let shown: Vec<(&str, &str)> = found
            .iter()
            .map(|e| (e.path.as_str(), &text[e.range.clone()]))
            .collect();
        assert_eq!(
            shown,
            [
                ("./intro.md", "./intro.md"),
                ("a/./b/../b/deep.md", "a/./b/../b/deep.md"),
                ("x/my page.md", "x/my%20page.md"),
                ("x/ref.md", "[Ref][r]"),
            ]
        );
    }

    fn findings(
        summary: &str,
        chapters: &[&str],
        files: &[&str],
    ) -> (SourceMap, Vec<bool>, Vec<Diagnostic>) {
        let mut map = SourceMap::new();
        let f = map.add("src/SUMMARY.md", summary);
        let chapters: Vec<ChapterPath<'_>> = chapters.iter().map(|c| Some(*c)).collect();
        let files: BTreeSet<String> = files.iter().map(|s| s.to_string()).collect();
        let (loads, d) = check(Some((f, &map)), &chapters, &files);
        (map, loads, d)
    }

    fn place(map: &SourceMap, span: Span) -> (usize, usize) {
        map.get(span.file).line_col(span.start as usize)
    }

    #[test]
    fn harmless_forms_are_no_findings() {
        let (_, loads, d) = findings(
            "- [A](./a.md)\n- [B](x//b.md)\n- [C](x/c%20d.md)\n",
            &["a.md", "x/b.md", "x/c d.md"],
            &["a.md", "x/b.md", "x/c d.md"],
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(loads, [true, true, true]);
    }

    #[test]
    fn a_parent_segment_is_reported_at_its_link_with_the_normal_path() {
        let summary = "# S\n\n- [Intro](intro.md)\n- [Deep](a/./b/../b/deep.md)\n";
        let (map, loads, d) = findings(
            summary,
            &["intro.md", "a/b/../b/deep.md"],
            &["intro.md", "a/b/deep.md"],
        );
        assert_eq!(loads, [true, true]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, Code::ChapterPathNotNormal);
        assert_eq!(
            d[0].message,
            "SUMMARY.md lists the chapter `a/./b/../b/deep.md`, whose `..` mdBook does not resolve"
        );
        let primary = d[0].primary.as_ref().unwrap();
        assert_eq!(place(&map, primary.span), (4, 10));
        assert_eq!(primary.message, "the page is `a/b/deep.html`");
        let help = d[0].help.as_deref().unwrap();
        assert!(help.starts_with("write `a/b/deep.md`"), "{help}");
        assert!(help.contains("counting the folders named in the path as written (3 folders), while the page is 2 folders deep"), "{help}");
        assert!(!help.contains("create-missing"), "{help}");
    }

    /// mdBook decodes `%20` and nothing else: its table of contents then links to a name a
    /// browser decodes into another file.
    #[test]
    fn a_percent_escape_other_than_a_space_is_reported() {
        let summary = "- [A](a%2Db.md)\n- [B](b%20c.md)\n- [C](<d e.md>)\n- [D](x%zz.md)\n";
        let (map, _, d) = findings(summary, &["a%2Db.md", "b c.md", "d e.md", "x%zz.md"], &[]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, Code::ChapterPathNotNormal);
        assert_eq!(place(&map, d[0].primary.as_ref().unwrap().span), (1, 7));
        assert_eq!(
            d[0].primary.as_ref().unwrap().message,
            "the file is `a%2Db.md`"
        );
        let help = d[0].help.as_deref().unwrap();
        assert!(
            help.contains("links to `a%2Db.html`, which a browser reads as `a-b.html`"),
            "{help}"
        );
        assert!(help.contains("name the file `a-b.md`"), "{help}");
    }

    #[test]
    fn two_spellings_of_one_file_and_a_missing_folder_are_named() {
        let summary = "- [Intro](intro.md)\n- [Again](zz/../intro.md)\n";
        let (map, _, d) = findings(summary, &["intro.md", "zz/../intro.md"], &["intro.md"]);
        assert_eq!(d.len(), 1, "{d:?}");
        let help = d[0].help.as_deref().unwrap();
        assert!(help.contains("`zz` holds no file under src"), "{help}");
        assert!(
            help.contains("writes a page holding only the title over `intro.md`"),
            "{help}"
        );
        assert!(help.contains("also lists it as `intro.md`"), "{help}");
        assert_eq!(place(&map, d[0].secondary[0].span), (1, 11));
    }

    #[test]
    fn paths_out_of_src_are_errors_and_an_absolute_one_is_not_loaded() {
        let summary = "- [Notes](../notes.md)\n- [Abs](/tmp/x.md)\n- [Back](../src/x.md)\n";
        let (map, loads, d) = findings(
            summary,
            &["../notes.md", "/tmp/x.md", "../src/x.md"],
            &["x.md"],
        );
        assert_eq!(loads, [true, false, true]);
        let codes: Vec<Code> = d.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::ChapterOutsideSrc; 3]);
        let at: Vec<(usize, usize)> = d
            .iter()
            .map(|d| place(&map, d.primary.as_ref().unwrap().span))
            .collect();
        assert_eq!(at, [(1, 11), (2, 9), (3, 10)]);
        assert!(d[0].help.as_deref().unwrap().contains("`../notes.html`"));
        assert!(
            d[1].help
                .as_deref()
                .unwrap()
                .contains("Chapters are always inside a book")
        );
    }

    /// A chapter another preprocessor added (no file) and a SUMMARY.md link that is no
    /// chapter do not shift the match.
    #[test]
    fn chapters_match_their_links_in_order() {
        let mut map = SourceMap::new();
        let f = map.add(
            "src/SUMMARY.md",
            "# S\n\n- [A](a.md)\n- [A again](x/../a.md)\n",
        );
        let chapters = [Some("a.md"), None, Some("x/../a.md")];
        let (_, d) = check(Some((f, &map)), &chapters, &BTreeSet::new());
        assert_eq!(d.len(), 1);
        assert_eq!(place(&map, d[0].primary.as_ref().unwrap().span), (4, 13));
    }
}
