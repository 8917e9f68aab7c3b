//! The PDF of record and the HTML as a reviewer reads them, checked on the sample technical
//! file with tools that are not ours: the outline with `qpdf --json`, the text with
//! `pdftotext -layout`, the page images with `pdftoppm`, and the HTML's layout and colours
//! measured by headless Chromium in the DOM.
//!
//! The sample is built once (a `OnceLock`) and shared by the tests of this module.
//! Needs mdbook 0.5, chromium, poppler-utils and qpdf (or, outside CI, TECHFILE_SKIP_BROWSER=1).

use crate::common::{Book, require};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The sample's build folder (`book/book`) after one `mdbook build` with the binary under test.
fn sample() -> &'static Path {
    static BUILT: OnceLock<(Book, PathBuf)> = OnceLock::new();
    let (_, out) = BUILT.get_or_init(|| {
        let book = Book::sample();
        let built = book.mdbook().epoch("1795000000").run().expect_ok();
        let out = built.out.clone();
        (book, out)
    });
    out
}

fn pdf_path() -> PathBuf {
    sample().join("techfile/technical-file-1.0.pdf")
}

fn sample_root() -> PathBuf {
    sample().parent().unwrap().parent().unwrap().to_path_buf()
}

/// `pdftotext -layout`, one string per page.
fn pages_text(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    pages.pop(); // after the last form feed
    pages
}

/// The outline as (depth, title, page) from `qpdf --json`.
fn outline(pdf: &Path) -> Vec<(usize, String, u64)> {
    let out = Command::new("qpdf")
        .args(["--json", "--json-key=outlines"])
        .arg(pdf)
        .output()
        .expect("qpdf runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    fn walk(items: &serde_json::Value, depth: usize, out: &mut Vec<(usize, String, u64)>) {
        for item in items.as_array().into_iter().flatten() {
            out.push((
                depth,
                item["title"].as_str().unwrap_or_default().to_string(),
                item["destpageposfrom1"].as_u64().unwrap_or(0),
            ));
            walk(&item["kids"], depth + 1, out);
        }
    }
    let mut list = Vec::new();
    walk(&json["outlines"], 0, &mut list);
    list
}

/// The chapter names and part titles of the sample's SUMMARY.md, in order.
fn summary() -> (Vec<String>, Vec<String>) {
    let text = fs::read_to_string(sample_root().join("book/src/SUMMARY.md")).unwrap();
    let mut chapters = Vec::new();
    let mut parts = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(p) = t.strip_prefix("# ").filter(|p| *p != "Summary") {
            parts.push(p.to_string());
        } else if let Some(rest) = t.strip_prefix("- [").or_else(|| t.strip_prefix('[')) {
            chapters.push(rest[..rest.find(']').unwrap()].to_string());
        }
    }
    (chapters, parts)
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_outline_has_every_part_and_chapter_and_leads_to_its_page() {
    require!(Mdbook, Chromium, Pdftotext, Qpdf);
    let pdf = pdf_path();
    let entries = outline(&pdf);
    let pages = pages_text(&pdf);
    let (chapters, parts) = summary();
    for part in &parts {
        assert!(
            entries.iter().any(|(d, t, _)| *d == 0 && t == part),
            "no bookmark for the part {part}: {entries:?}"
        );
    }
    for chapter in &chapters {
        let (_, title, page) = entries
            .iter()
            .find(|(_, t, _)| t == chapter || t.ends_with(&format!(" {chapter}")))
            .unwrap_or_else(|| panic!("no bookmark for the chapter {chapter}: {entries:?}"));
        assert!(*page >= 1, "{title} has no page");
        let text = squash(&pages[*page as usize - 1]);
        assert!(
            text.contains(chapter.as_str()),
            "the bookmark {title} leads to page {page}, which does not show the chapter:\n{text}"
        );
    }
    // Sections are under their chapters, with the heading's own text (spaces kept where
    // a heading wraps).
    assert!(
        entries
            .iter()
            .any(|(d, t, _)| *d >= 2 && t == "Risk register")
    );
    assert!(
        entries
            .iter()
            .any(|(_, t, _)| t.ends_with("Device description and operating environment"))
    );
}

#[test]
fn the_cover_approval_block_and_contents_come_first() {
    require!(Mdbook, Chromium, Pdftotext, Qpdf);
    let pages = pages_text(&pdf_path());
    let cover = squash(&pages[0]);
    for expected in [
        "Cybersecurity technical file",
        "CardioWatch RM remote cardiac monitoring system",
        "Northwind Medical GmbH (fictional)",
        "Document TF-CWRM-SEC",
        "Version 1.0",
        // The date of every page's stamp line: version 1.0's issue date from the revision
        // history, not the build date (2026-11-18).
        "Date issued 2026-11-27",
        "Commit",
        "Approval",
        "Role Name Date Signature",
        "Risk manager",
        "Head of quality and regulatory affairs",
    ] {
        assert!(
            cover.contains(expected),
            "page 1 lacks {expected:?}:\n{cover}"
        );
    }
    // Each fact once: the device and the manufacturer (not again in the table of facts),
    // and neither the running title nor the stamp line on the cover's page, whose own
    // title and table state them.
    for once in [
        "CardioWatch RM",
        "Northwind Medical GmbH (fictional)",
        "TF-CWRM-SEC",
        "1.0",
        "issued 2026-11-27",
    ] {
        assert_eq!(
            cover.matches(once).count(),
            1,
            "{once:?} on page 1:\n{cover}"
        );
    }
    assert!(!cover.contains("Device "), "{cover}");
    assert!(!cover.contains("Manufacturer "), "{cover}");
    assert!(
        squash(&pages[1]).contains("Version 1.0 \u{b7} commit"),
        "the stamp line from page 2 on"
    );
    let contents = squash(&pages[1]);
    assert!(contents.contains("Contents"), "{contents}");
    // Every chapter line of the contents names the page its chapter starts on.
    let (chapters, _) = summary();
    let toc: String = pages
        .iter()
        .take(6)
        .map(|p| squash(p))
        .collect::<Vec<_>>()
        .join(" ");
    for chapter in &chapters {
        let at = toc
            .find(&format!("{chapter} "))
            .unwrap_or_else(|| panic!("{chapter} is not in the contents"));
        let number: usize = toc[at + chapter.len()..]
            .split_whitespace()
            .find_map(|w| w.parse().ok())
            .unwrap();
        assert!(
            squash(&pages[number - 1]).contains(chapter.as_str()),
            "the contents put {chapter} on page {number}"
        );
    }
}

/// The left edge (points) of each line of `pdftotext -bbox-layout` on pages `first` to
/// `last`, with the height of its first word, in order.
fn line_starts(pdf: &Path, first: usize, last: usize) -> Vec<(f64, f64)> {
    let out = Command::new("pdftotext")
        .args([
            "-bbox-layout",
            "-f",
            &first.to_string(),
            "-l",
            &last.to_string(),
        ])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let number = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
    };
    let mut lines = Vec::new();
    for line in text.split("<line ").skip(1) {
        let Some(word) = line.split("<word ").nth(1) else {
            continue;
        };
        let tag = &word[..word.find('>').unwrap()];
        lines.push((
            number(tag, "xMin"),
            number(tag, "yMax") - number(tag, "yMin"),
        ));
    }
    lines
}

#[test]
fn the_contents_indent_each_level_by_the_same_step() {
    require!(Mdbook, Chromium, Pdftotext, Qpdf);
    let pdf = pdf_path();
    let pages = pages_text(&pdf);
    // The contents run from page 2 to the page before the first chapter.
    let first_chapter: usize = squash(&pages[1])
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .expect("a page number in the contents");
    let lines = line_starts(&pdf, 2, first_chapter - 1);
    // The entries, not the running title and stamp (smaller), the heading "Contents"
    // (larger) or the page numbers (at the right edge).
    let mut starts: Vec<f64> = lines
        .iter()
        .filter(|(x, h)| (12.0..17.0).contains(h) && *x < 300.0)
        .map(|(x, _)| (x * 4.0).round() / 4.0)
        .collect();
    starts.sort_by(f64::total_cmp);
    starts.dedup();
    // Parts and top chapters, chapters in parts and sections, sections of those.
    assert!(starts.len() >= 3, "{starts:?}");
    let steps: Vec<f64> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    for s in &steps {
        assert!(
            (s - steps[0]).abs() < 0.5 && *s > 5.0,
            "levels at {starts:?} pt: steps {steps:?}"
        );
    }
}

/// The residual estimate of each risk as its file states it, by ID.
fn residual_estimates(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(root.join("requirements/risks")).unwrap() {
        let text = fs::read_to_string(entry.unwrap().path()).unwrap();
        let fm: toml::Table = text.split("+++").nth(1).unwrap().parse().unwrap();
        let word = |k: &str| fm[k].as_str().unwrap().to_string();
        out.insert(
            word("id"),
            format!(
                "{} / {}",
                word("residual-exploitability"),
                word("residual-severity")
            ),
        );
    }
    out
}

#[test]
fn the_risk_register_prints_every_column_and_every_residual_estimate() {
    require!(Mdbook, Chromium, Pdftotext, Qpdf);
    let pages = pages_text(&pdf_path());
    let register: Vec<&String> = pages
        .iter()
        .filter(|p| p.contains("Asset and threat") && p.contains("verification"))
        .collect();
    assert!(!register.is_empty(), "no register page");
    let mut after_column = String::new();
    for page in &register {
        let lines: Vec<&str> = page.lines().collect();
        let header = lines
            .iter()
            .position(|l| l.contains("Asset and threat"))
            .unwrap();
        // The header repeats on every page the register spans, with all six columns.
        let head = squash(&lines[header..(header + 3).min(lines.len())].join(" "));
        for word in [
            "Risk",
            "Asset and threat",
            "Before",
            "Controls and",
            "After",
            "Safety and",
        ] {
            assert!(head.contains(word), "header without {word:?}: {head}");
        }
        for word in ["controls", "verification", "acceptance"] {
            assert!(
                squash(&lines[header..(header + 3).min(lines.len())].join(" ")).contains(word),
                "{word}"
            );
        }
        // The text under the "After" header, from its column to the "Safety" column (in
        // characters: the header is centred over its column, the estimate starts left).
        let column = |word: &str| {
            let line = lines[header];
            line[..line.find(word).unwrap()].chars().count()
        };
        let (from, to) = (column("After").saturating_sub(3), column("Safety") - 1);
        for line in &lines[header + 1..] {
            let chars: Vec<char> = line.chars().collect();
            let cell: String = chars
                .get(from.min(chars.len())..to.min(chars.len()))
                .map(|c| c.iter().collect())
                .unwrap_or_default();
            after_column.push(' ');
            after_column.push_str(&cell);
        }
    }
    let after = squash(&after_column);
    let expected = residual_estimates(&sample_root());
    assert!(expected.len() >= 20, "{expected:?}");
    let mut from = 0;
    for (id, estimate) in &expected {
        let at = after[from..]
            .find(estimate.as_str())
            .unwrap_or_else(|| panic!("{id}: {estimate} not in the After column: {after}"));
        from += at + estimate.len();
    }
}

/// A page image as 8-bit grey levels: (width, height, pixels).
fn page_image(pdf: &Path, page: usize, dpi: u32, dir: &Path) -> (usize, usize, Vec<u8>) {
    let prefix = dir.join(format!("p{page}"));
    let status = Command::new("pdftoppm")
        .args(["-gray", "-r", &dpi.to_string(), "-f", &page.to_string()])
        .args(["-l", &page.to_string(), "-singlefile"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm runs");
    assert!(status.success());
    let bytes = fs::read(prefix.with_extension("pgm")).unwrap();
    // Binary PGM: "P5\n<w> <h>\n255\n" then the pixels.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = bytes[at + 1..].to_vec();
    assert_eq!(pixels.len(), w * h);
    (w, h, pixels)
}

#[test]
fn no_page_prints_into_its_right_margin() {
    require!(Mdbook, Chromium, Pdftotext, Qpdf);
    let pdf = pdf_path();
    let pages = pages_text(&pdf).len();
    let tmp = tempfile::tempdir().unwrap();
    let dpi = 40;
    // The right margin is 16 mm; the outer 12 mm must stay white on every page.
    let strip = (12.0 / 25.4 * f64::from(dpi)) as usize;
    let mut dirty = Vec::new();
    for page in 1..=pages {
        let (w, h, px) = page_image(&pdf, page, dpi, tmp.path());
        let ink = (0..h)
            .flat_map(|y| (w - strip..w).map(move |x| (x, y)))
            .filter(|&(x, y)| px[y * w + x] < 200)
            .count();
        if ink > 0 {
            dirty.push((page, ink));
        }
    }
    assert!(
        dirty.is_empty(),
        "pages with ink in the right margin (page, pixels): {dirty:?}"
    );
}

/// Runs `script` in a copy of an HTML page of the sample at `width` pixels and returns what
/// it wrote into `<pre id="techfile-probe">`.
fn in_browser(page: &str, script: &str, width: u32) -> String {
    let html_dir = sample().join("html");
    let text = fs::read_to_string(html_dir.join(page)).unwrap();
    let probe = format!("<pre id=\"techfile-probe\"></pre><script>\n{script}\n</script>\n</body>");
    let copy = html_dir.join(format!(".probe-{width}-{page}"));
    fs::write(&copy, text.replacen("</body>", &probe, 1)).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--dump-dom",
        ])
        .arg(format!("--window-size={width},1000"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", copy.display()))
        .output()
        .expect("chromium runs");
    let _ = fs::remove_file(&copy);
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom.find("<pre id=\"techfile-probe\">").unwrap_or_else(|| {
        panic!(
            "no probe in {page}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    }) + "<pre id=\"techfile-probe\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Pages of the sample with generated tables.
fn generated_pages() -> Vec<String> {
    let mut pages: Vec<String> = fs::read_dir(sample().join("html"))
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            // Other tests' probe copies start with a dot.
            (name.ends_with(".html") && name != "print.html" && !name.starts_with('.'))
                .then_some(name)
        })
        .filter(|name| {
            fs::read_to_string(sample().join("html").join(name))
                .is_ok_and(|t| t.contains("techfile-table"))
        })
        .collect();
    pages.sort();
    pages
}

const MEASURE: &str = r#"
var main = document.querySelector('#mdbook-content main');
var limit = main.getBoundingClientRect().right + 0.5;
var out = [];
document.querySelectorAll('main table.techfile-table, main table.techfile-meta').forEach(function (t, n) {
  var r = t.getBoundingClientRect();
  if (r.right > limit) { out.push('table ' + n + ' (' + t.className + ') ends at ' + r.right + ' > ' + limit); }
  t.querySelectorAll('td, th').forEach(function (c) {
    if (c.scrollWidth > c.clientWidth + 1) {
      out.push('cell overflows in table ' + n + ' (' + t.className + '): ' + c.textContent.slice(0, 60));
    }
  });
});
document.getElementById('techfile-probe').textContent = out.join('\n') || 'ok';
"#;

#[test]
fn no_generated_table_is_wider_than_the_content_column() {
    require!(Mdbook, Chromium, Pdftotext, Qpdf);
    let pages = generated_pages();
    assert!(pages.iter().any(|p| p == "risks.html"), "{pages:?}");
    let mut problems = Vec::new();
    for width in [1280, 800] {
        for page in &pages {
            let result = in_browser(page, MEASURE, width);
            if result != "ok" {
                problems.push(format!("{page} at {width} px:\n{result}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// For each theme, the lowest contrast ratio (WCAG 2) of each kind of generated text against
/// the background it is drawn on, with probes of each kind put in a table row, an
/// alternate row and running text.
const CONTRAST: &str = r#"
function rgb(s) { var m = s.match(/[\d.]+/g).map(Number); return m.length > 3 ? m : m.concat([1]); }
function lum(c) { return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2]); }
function ch(v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
function bg(el) {
  for (; el; el = el.parentElement) {
    var c = rgb(getComputedStyle(el).backgroundColor);
    if (c[3] > 0) { return c; }
  }
  return [255, 255, 255, 1];
}
function ratio(el) {
  var a = lum(rgb(getComputedStyle(el).color)), b = lum(bg(el));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
var kinds = ['techfile-gap', 'techfile-ok', 'techfile-na', 'techfile-level', 'techfile-risk-cell-level', 'techfile-stamp'];
var table = document.querySelector('main table.techfile-table tbody');
var places = [document.querySelector('main p'), table.rows[0].cells[0], table.rows[1].cells[0]];
kinds.forEach(function (k) {
  if (k === 'techfile-level') { return; }
  places.forEach(function (p) { var s = document.createElement('span'); s.className = k; s.textContent = 'probe'; p.appendChild(s); });
});
var out = {};
['light', 'rust', 'coal', 'navy', 'ayu'].forEach(function (theme) {
  // mdBook's light theme also applies to `html:not(.js)`.
  document.documentElement.className = theme + ' js';
  var worst = {};
  kinds.concat(['techfile-risk-grid a']).forEach(function (k) {
    document.querySelectorAll('.' + k).forEach(function (el) {
      var r = ratio(el);
      if (!(k in worst) || r < worst[k]) { worst[k] = Math.round(r * 100) / 100; }
    });
  });
  out[theme] = worst;
});
document.getElementById('techfile-probe').textContent = JSON.stringify(out);
"#;

#[test]
fn generated_colours_are_readable_in_every_theme() {
    require!(Mdbook, Chromium, Pdftotext, Qpdf);
    let result = in_browser("risks.html", CONTRAST, 1280);
    let json: serde_json::Value = serde_json::from_str(&result).unwrap();
    let mut low = Vec::new();
    for theme in ["light", "rust", "coal", "navy", "ayu"] {
        let worst = json[theme].as_object().expect("every theme measured");
        for kind in [
            "techfile-gap",
            "techfile-ok",
            "techfile-na",
            "techfile-level",
            "techfile-risk-cell-level",
            "techfile-stamp",
            "techfile-risk-grid a",
        ] {
            let r = worst
                .get(kind)
                .and_then(serde_json::Value::as_f64)
                .unwrap_or_else(|| panic!("{kind} not measured in {theme}: {worst:?}"));
            // WCAG 2 level AA for normal text.
            if r < 4.5 {
                low.push(format!("{theme}: {kind} {r}"));
            }
        }
    }
    assert!(low.is_empty(), "contrast below 4.5:1: {low:?}\n{json}");
}
