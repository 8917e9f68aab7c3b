//! The compliance bundle, end to end with the real `mdbook build`: version stamps, the
//! document control page, the PDF (headless Chromium, read back with `pdftotext`), the trace
//! export against its JSON Schema, the manifest with `sha256sum -c` and `verify`, and
//! byte-identical rebuilds under SOURCE_DATE_EPOCH.
//!
//! Needs mdbook 0.5 (or TECHFILE_SKIP_MDBOOK=1), and for the PDF tests Debian's chromium and
//! poppler-utils (or TECHFILE_SKIP_BROWSER=1).

use crate::common::{
    Book, Built, Run, copy_dir, files_with_ext, item_ids, require, run, sha2_hex, write,
};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

/// A fixed build date: 2026-11-18 11:06:40 UTC.
const EPOCH: &str = "1795000000";

/// The text of a PDF, or of one page of it; pdftotext ends every page with a form feed.
fn pdf_text(pdf: &Path, page: Option<usize>) -> String {
    let mut cmd = Command::new("pdftotext");
    if let Some(p) = page {
        cmd.args(["-f", &p.to_string(), "-l", &p.to_string()]);
    }
    let out = cmd.arg(pdf).arg("-").output().expect("pdftotext runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn verify(dir: &Path) -> Run {
    run(Path::new("."), &["verify", dir.to_str().unwrap()])
}

/// Every file under `dir` with its bytes, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_with_ext(dir, "")
}

#[test]
fn the_bundle_holds_html_pdf_trace_and_a_manifest_that_verifies() {
    require!(Mdbook, Chromium, Pdftotext);
    let book = Book::fixture("clean").bundle("");
    let built = book.mdbook().epoch(EPOCH).run().expect_ok();
    let stderr = &built.stderr;
    assert!(
        stderr.contains("technical-file-2.3.pdf"),
        "the build says what it wrote: {stderr}"
    );
    assert!(
        stderr.contains("not in a git repository"),
        "a build outside git says so: {stderr}"
    );
    assert!(built.out.join("html/index.html").is_file());
    let dir = built.bundle_dir();
    for f in [
        "html/index.html",
        "html/print.html",
        "technical-file-2.3.pdf",
        "trace.json",
        "MANIFEST.sha256",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing from the bundle");
    }

    // The PDF: the stamp in the margin of every page after the cover (which states the
    // version, date and commit itself, once), the coverage matrix, every item.
    let pdf = dir.join("technical-file-2.3.pdf");
    let text = pdf_text(&pdf, None);
    let pages = text.matches('\u{c}').count();
    assert!(pages >= 2, "{pages} pages");
    for page in 1..=pages {
        let one = pdf_text(&pdf, Some(page));
        let stamp = one.contains("Version 2.3 \u{b7} commit unknown \u{b7} built 2026-11-18");
        if page == 1 {
            let cover = one.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(!stamp, "the cover repeats the stamp:\n{one}");
            assert!(cover.contains("Version 2.3"), "{cover}");
            assert!(cover.contains("Date built 2026-11-18"), "{cover}");
            assert!(cover.contains("Commit unknown"), "{cover}");
        } else {
            assert!(stamp, "page {page} has no stamp in its margin:\n{one}");
        }
        assert!(
            one.contains(&format!("Page {page} of {pages}")),
            "page {page} has no page number:\n{one}"
        );
        assert!(
            one.contains("Clean technical file"),
            "page {page} has no title"
        );
    }
    assert!(text.contains("Matrix"), "the chapter with the matrix");
    for heading in ["Practice", "Requirement", "Controls", "Tests"] {
        assert!(text.contains(heading), "matrix column {heading}");
    }
    assert!(
        text.contains("Security management"),
        "a practice row of the matrix"
    );
    for id in item_ids(&book.path("requirements")) {
        assert!(text.contains(&id), "{id} is not in the PDF");
    }

    // The manifest lists every file, and both sha256sum and verify accept it.
    let manifest = fs::read_to_string(dir.join("MANIFEST.sha256")).unwrap();
    let listed: Vec<&str> = manifest.lines().map(|l| &l[66..]).collect();
    let mut on_disk: Vec<String> = tree(&dir).into_keys().collect();
    on_disk.retain(|p| p != "MANIFEST.sha256");
    assert_eq!(listed, on_disk, "the manifest lists every file, sorted");
    let sums = Command::new("sha256sum")
        .args(["-c", "--quiet", "MANIFEST.sha256"])
        .current_dir(&dir)
        .output()
        .expect("sha256sum runs");
    assert!(
        sums.status.success(),
        "sha256sum -c: {}",
        String::from_utf8_lossy(&sums.stdout)
    );
    let ok = verify(&dir);
    ok.expect_code(0);
    assert!(ok.stdout.contains("match MANIFEST.sha256"), "{}", ok.stdout);

    // Tampering: a changed page, an added file and a removed file are each named.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&dir, copy.path());
    let page = copy.path().join("html/index.html");
    let mut html = fs::read(&page).unwrap();
    html.extend_from_slice(b"<!-- edited -->");
    fs::write(&page, html).unwrap();
    let r = verify(copy.path());
    r.expect_code(1);
    assert!(
        r.stdout.contains("changed: html/index.html"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("1 problem"), "{}", r.stdout);

    write(copy.path(), "html/extra.html", "<p>added later</p>");
    fs::remove_file(copy.path().join("trace.json")).unwrap();
    let r = verify(copy.path());
    r.expect_code(1);
    assert!(
        r.stdout.contains("not listed: html/extra.html"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("missing: trace.json"), "{}", r.stdout);
    assert!(r.stdout.contains("3 problems"), "{}", r.stdout);
}

/// `pdfinfo -isodates` of a PDF, as `key: value` lines.
fn pdfinfo(pdf: &Path) -> String {
    let out = Command::new("pdfinfo")
        .arg("-isodates")
        .arg(pdf)
        .output()
        .expect("pdfinfo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn two_builds_with_source_date_epoch_are_byte_identical() {
    require!(Mdbook, Chromium, Pdftotext);
    // Different folders, so no absolute path can hide in the output; built at the same
    // time, so each runs on a busy machine, where Chromium's timing differs most.
    let a = Book::fixture("clean").bundle("");
    let b = Book::fixture("clean").bundle("");
    let (ba, bb) = std::thread::scope(|s| {
        let ba = s.spawn(|| a.mdbook().epoch(EPOCH).run().expect_ok());
        let bb = s.spawn(|| b.mdbook().epoch(EPOCH).run().expect_ok());
        (ba.join().unwrap(), bb.join().unwrap())
    });
    let ta = tree(&ba.out);
    let tb = tree(&bb.out);
    assert_eq!(
        ta.keys().collect::<Vec<_>>(),
        tb.keys().collect::<Vec<_>>(),
        "same files"
    );
    // Every file that differs, so a failure names the cause and not only the manifest
    // that lists it.
    let differ: Vec<&String> = ta.keys().filter(|p| ta[*p] != tb[*p]).collect();
    assert!(differ.is_empty(), "differ between two builds: {differ:?}");
    let info = pdfinfo(&ba.bundle_dir().join("technical-file-2.3.pdf"));
    for key in ["CreationDate", "ModDate"] {
        assert!(
            info.lines()
                .any(|l| l.starts_with(key) && l.ends_with("2026-11-18T11:06:40Z")),
            "the PDF's {key} is SOURCE_DATE_EPOCH:\n{info}"
        );
    }
}

/// Keeps `n` threads spinning until the returned guard is dropped: a machine busy with
/// other work, as CI often is.
fn busy(n: usize) -> impl Drop {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    struct Stop(Arc<AtomicBool>, Vec<std::thread::JoinHandle<()>>);
    impl Drop for Stop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
            for h in self.1.drain(..) {
                let _ = h.join();
            }
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let handles = (0..n)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut x: u64 = 1;
                while !stop.load(Ordering::Relaxed) {
                    x = std::hint::black_box(
                        x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1),
                    );
                }
            })
        })
        .collect();
    Stop(stop, handles)
}

#[test]
fn the_same_page_prints_to_the_same_bytes_under_load() {
    use mdbook_techfile::chromium;
    use techfile_core::export::{print, printed::Printed};
    require!(Mdbook, Chromium, Pdftotext);
    // The print view of a fixture, as the bundle prints it.
    let book = Book::fixture("clean").bundle("pdf = false");
    let built = book.mdbook().run().expect_ok();
    let html = built.out.join("html");
    let page = fs::read_to_string(html.join("print.html")).unwrap();
    let copy = html.join("print-copy.html");
    fs::write(&copy, print::print_copy(&page, "", "").unwrap()).unwrap();
    let browser = chromium::find(None).unwrap();
    let date = jiff::Timestamp::from_second(1_795_000_000).unwrap();
    let timeout = std::time::Duration::from_secs(300);
    let finished = |pdf: Vec<u8>| {
        Printed::read(&pdf)
            .unwrap()
            .finish(&[], Some(date))
            .unwrap()
    };
    let _load = busy(3);
    // Three prints in one browser (the bundle prints twice per build), and one in a second
    // browser started while the first one is printing.
    let (first, other) = std::thread::scope(|s| {
        let first = s.spawn(|| {
            let mut printer = chromium::open(&browser, &copy, timeout).unwrap();
            (0..3)
                .map(|_| finished(printer.print(true).unwrap()))
                .collect::<Vec<_>>()
        });
        let other = s.spawn(|| {
            let mut printer = chromium::open(&browser, &copy, timeout).unwrap();
            finished(printer.print(true).unwrap())
        });
        (first.join().unwrap(), other.join().unwrap())
    });
    for (n, pdf) in first.iter().enumerate() {
        assert!(
            pdf == &other,
            "print {} of the first browser differs from the second browser's",
            n + 1
        );
    }
    let text = String::from_utf8_lossy(&other);
    assert!(text.contains("/StructTreeRoot"), "the PDF is tagged");
    assert!(
        text.contains("(node00000001)"),
        "structure ids are numbered from 1 in tree order"
    );
}

#[test]
fn without_a_browser_the_build_fails_and_names_the_package() {
    require!(Mdbook);
    let book = Book::fixture("clean").bundle("");
    let built = book.mdbook().without_tools().run().expect_failure();
    let stderr = &built.stderr;
    assert!(
        stderr.contains("apt-get install chromium") && stderr.contains("pdf = false"),
        "{stderr}"
    );
    assert!(
        !built.bundle_dir().join("MANIFEST.sha256").exists(),
        "no half-written bundle"
    );
}

#[test]
fn with_the_pdf_off_the_bundle_needs_no_browser() {
    require!(Mdbook);
    let book = Book::fixture("clean").bundle("pdf = false");
    let built = book.mdbook().without_tools().run().expect_ok();
    let stderr = &built.stderr;
    assert!(stderr.contains("no PDF (pdf = false)"), "{stderr}");
    let dir = built.bundle_dir();
    let files = tree(&dir);
    assert!(files.contains_key("trace.json") && files.contains_key("html/print.html"));
    assert!(
        !files.keys().any(|p| p.ends_with(".pdf")),
        "{:?}",
        files.keys()
    );
    verify(&dir).expect_code(0);
}

fn load_schema() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("core/schemas/trace.schema.json");
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn trace_json_follows_its_schema_and_holds_the_whole_trace() {
    require!(Mdbook);
    // A fixture with warnings, so findings are exported too.
    let book = Book::fixture("link-to-obsolete").bundle("pdf = false");
    let built = book.mdbook().epoch(EPOCH).run().expect_ok();
    let text = fs::read_to_string(built.bundle_dir().join("trace.json")).unwrap();
    let trace: serde_json::Value = serde_json::from_str(&text).unwrap();

    let validator = jsonschema::validator_for(&load_schema()).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&trace)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "trace.json breaks its schema:\n{}",
        errors.join("\n")
    );

    assert_eq!(trace["schema-version"], 1);
    assert_eq!(trace["document"]["version"], "2.3");
    assert_eq!(trace["document"]["date"], "2026-11-18");
    assert_eq!(trace["document"]["date-source"], "source-date-epoch");
    assert_eq!(trace["document"]["commit"], serde_json::Value::Null);

    // Every item, with its file and line.
    let items = trace["items"].as_array().unwrap();
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, item_ids(&book.path("requirements")));
    let req = items.iter().find(|i| i["id"] == "REQ-1").unwrap();
    assert_eq!(req["file"], "requirements/REQ-1.md");
    assert_eq!(req["line"], 2);

    // Every link as written, resolved to the kind of its target.
    let written: usize = files_with_ext(&book.path("requirements"), ".md")
        .values()
        .map(|bytes| {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let fm: toml::Table = text.split("+++").nth(1).unwrap().parse().unwrap();
            ["derives-from", "implements", "mitigates", "verifies"]
                .iter()
                .filter_map(|k| fm.get(*k)?.as_array().map(Vec::len))
                .sum::<usize>()
        })
        .sum();
    let links = trace["links"].as_array().unwrap();
    assert_eq!(links.len(), written);
    assert!(links.iter().all(|l| !l["to-kind"].is_null()));

    // The whole catalog, the findings and the hash of every input.
    assert_eq!(
        trace["catalog"].as_array().unwrap().len(),
        mdbook_techfile::core::catalog::Catalog::builtin()
            .entries()
            .len()
    );
    let findings = trace["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|f| f["code"] == "link-to-obsolete" && f["severity"] == "warning")
    );
    assert!(
        findings[0]["file"]
            .as_str()
            .unwrap()
            .starts_with("requirements/")
    );
    let inputs = trace["inputs"].as_array().unwrap();
    let req_file = fs::read(book.path("requirements/REQ-1.md")).unwrap();
    assert!(inputs.iter().any(|i| i["path"] == "requirements/REQ-1.md"
        && i["role"] == "item"
        && i["sha256"] == sha2_hex(&req_file)));
    assert!(inputs.iter().any(|i| i["path"] == "book/book.toml"));
    assert!(inputs.iter().any(|i| i["path"] == "book/src/chapter.md"));
}

#[test]
fn the_schema_rejects_what_consumers_must_not_see() {
    let validator = jsonschema::validator_for(&load_schema()).unwrap();
    let minimal = serde_json::json!({
        "schema-version": 1,
        "generator": {"name": "mdbook-techfile", "version": "0.1.0"},
        "document": {"title": null, "version": "1", "commit": null, "modified": false,
                     "date": null, "timestamp": null, "date-source": "unknown"},
        "inputs": [], "catalog": [], "items": [], "links": [], "sboms": [], "components": [],
        "findings": [], "reviews": {"fingerprint-profile": 1, "records": [], "links": []}
    });
    assert!(validator.is_valid(&minimal));
    let mut bad = minimal.clone();
    bad["reviews"]["links"] = serde_json::json!([{"from": "CTL-1", "to": "REQ-1",
        "stamp": "sha256:v1:00", "current": "sha256:v1:00", "state": "maybe", "roots": [],
        "record": null}]);
    assert!(
        !validator.is_valid(&bad),
        "a review link with a bad fingerprint and state"
    );
    let mut bad = minimal.clone();
    bad["items"] = serde_json::json!([{"id": "REQ-1"}]);
    assert!(!validator.is_valid(&bad), "an item without its fields");
    let mut bad = minimal.clone();
    bad["inputs"] =
        serde_json::json!([{"role": "item", "path": "a.md", "bytes": 1, "sha256": "xyz"}]);
    assert!(!validator.is_valid(&bad), "a hash that is not SHA-256");
    let mut bad = minimal.clone();
    bad["components"] = serde_json::json!([{"name": "zlib"}]);
    assert!(!validator.is_valid(&bad), "a component without its fields");
    let mut bad = minimal;
    bad["surprise"] = serde_json::json!(1);
    assert!(!validator.is_valid(&bad), "an undocumented field");
}

#[test]
fn every_page_is_stamped_and_document_control_lists_every_input() {
    require!(Mdbook);
    let book = Book::fixture("clean").bundle(
        "pdf = false\n\n[[preprocessor.techfile.bundle.revision]]\nversion = \"2.2\"\ndate = 2026-09-01\nauthor = \"Quality <QA>\"\ndescription = \"Second issue\"\n\n[[preprocessor.techfile.bundle.revision]]\nversion = \"2.3\"\ndate = \"2026-11-01\"\nauthor = \"Security\"\ndescription = \"Third issue\"",
    );
    let book = book.chapter(
        "control.md",
        "Document control",
        "# Document control\n\n{{#techfile document-control}}\n",
    );
    let built = book.mdbook().epoch(EPOCH).run().expect_ok();

    let html = built.html();
    // Version 2.3 is in the revision history: the pages carry its issue date.
    let stamp = "<div class=\"techfile-stamp\">Version 2.3 \u{b7} commit unknown \u{b7} issued 2026-11-01</div>";
    for (page, bytes) in &html {
        if ["404.html", "toc.html", "print.html"].contains(&page.as_str()) {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        assert!(text.contains(stamp), "{page} has no stamp");
    }
    let control = String::from_utf8_lossy(&html["control.html"]).into_owned();
    assert!(
        control.contains("<td>Version</td><td>2.3</td>"),
        "{control}"
    );
    assert!(control.contains("2026-11-18 (from SOURCE_DATE_EPOCH)"));
    assert!(
        control.contains("Quality &lt;QA&gt;"),
        "authors are escaped"
    );
    assert!(control.contains("2.3 (this version)"));
    // The clean fixture ships SBOMs (its risk `affects` a component): they are inputs too.
    assert!(!control.contains("There is no SBOM folder"));
    assert!(
        control.contains("<tr><td>sboms/"),
        "SBOM files are listed among the inputs"
    );
    for (path, bytes) in files_with_ext(&book.path("requirements"), ".md") {
        let row = format!("<tr><td>requirements/{path}</td><td>item</td>");
        assert!(control.contains(&row), "{row}");
        assert!(control.contains(&sha2_hex(&bytes)), "hash of {path}");
    }
    assert!(control.contains("<tr><td>book/src/control.md</td><td>chapter</td>"));
}

/// A minimal valid CycloneDX document: the book validates every SBOM it ships.
const SBOM: &str = "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"version\": 1}\n";

#[test]
fn sbom_files_are_hashed_and_shipped() {
    require!(Mdbook);
    let book = Book::fixture("clean")
        .bundle("pdf = false")
        .file("sboms/app/bom.cdx.json", SBOM)
        .file("sboms/.gitkeep", "");
    let built = book.build().expect_ok();
    let dir = built.bundle_dir();
    let shipped = fs::read(dir.join("sboms/app/bom.cdx.json")).unwrap();
    assert_eq!(shipped, SBOM.as_bytes());
    assert!(
        !dir.join("sboms/.gitkeep").exists(),
        "hidden files are not SBOMs"
    );
    let manifest = fs::read_to_string(dir.join("MANIFEST.sha256")).unwrap();
    assert!(manifest.contains(&format!("{}  sboms/app/bom.cdx.json\n", sha2_hex(&shipped))));
    let trace: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("trace.json")).unwrap()).unwrap();
    assert_eq!(trace["sboms"][0]["path"], "sboms/app/bom.cdx.json");
    assert_eq!(trace["sboms"][0]["bundle-path"], "sboms/app/bom.cdx.json");
    let control = built.page("print.html");
    assert!(!control.contains("There is no SBOM folder"));
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env("GIT_AUTHOR_DATE", "2026-03-04T05:06:07Z")
        .env("GIT_COMMITTER_DATE", "2026-03-04T05:06:07Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_version_commit_and_date_can_come_from_git() {
    require!(Mdbook, Git);
    let book = Book::fixture("clean").toml(
        "[preprocessor.techfile.bundle]\nversion-from = \"git\"\nrequire-commit = true\npdf = false\n\n[output.html]\n\n[output.techfile]\ncommand = \"mdbook-techfile render\"\n",
    );
    let root = book.root();
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(
        root,
        &[
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "-m",
            "Issue 3.1",
        ],
    );
    git(root, &["-c", "tag.gpgsign=false", "tag", "v3.1"]);
    let head = String::from_utf8(
        Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(root)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let head = head.trim();

    let built = book.build().expect_ok();
    let index = built.page("index.html");
    // The build output is not git-ignored here, and still does not count as a change.
    let expected = format!(
        "Version v3.1 \u{b7} commit {} \u{b7} 2026-03-04<",
        &head[..12]
    );
    assert!(index.contains(&expected), "{expected} not in the page");
    let trace: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(built.bundle_dir().join("trace.json")).unwrap())
            .unwrap();
    assert_eq!(trace["document"]["commit"], head);
    assert_eq!(trace["document"]["modified"], false);
    assert_eq!(trace["document"]["date-source"], "commit");

    // An uncommitted change to an item is visible in the stamp.
    let book = book.edit("requirements/REQ-SM-001.md", |text| {
        format!("{text}\nEdited after the commit.\n")
    });
    let index = book.build().expect_ok().page("index.html");
    assert!(index.contains("Version v3.1-dirty"), "git describe --dirty");
    assert!(index.contains(&format!("commit {} (modified)", &head[..12])));
}

/// A book committed in its own repository, for the git tests; returns it and the hash of
/// its commit.
fn committed_book() -> (Book, String) {
    let book = Book::fixture("clean").bundle("pdf = false");
    git(book.root(), &["init", "-q"]);
    git(book.root(), &["add", "."]);
    git(
        book.root(),
        &["-c", "commit.gpgsign=false", "commit", "-q", "-m", "Book"],
    );
    let head = head_of(book.root());
    (book, head)
}

fn head_of(dir: &Path) -> String {
    let out = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Inside a pre-commit hook git exports `GIT_DIR` and `GIT_INDEX_FILE` (and other tools set
/// `GIT_WORK_TREE`); a build run from there still stamps the book's own repository.
#[test]
fn a_surrounding_git_environment_does_not_change_the_stamp() {
    require!(Mdbook, Git);
    let (book, head) = committed_book();
    let other = tempfile::tempdir().unwrap();
    write(other.path(), "other.txt", "another project\n");
    git(other.path(), &["init", "-q"]);
    git(other.path(), &["add", "."]);
    git(
        other.path(),
        &["-c", "commit.gpgsign=false", "commit", "-q", "-m", "Other"],
    );
    let other_head = head_of(other.path());
    assert_ne!(head, other_head);
    let git_dir = other.path().join(".git");
    let index = git_dir.join("index");
    let built = book
        .mdbook()
        .env("GIT_DIR", git_dir.to_str().unwrap())
        .env("GIT_INDEX_FILE", index.to_str().unwrap())
        .env("GIT_WORK_TREE", other.path().to_str().unwrap())
        .env(
            "GIT_OBJECT_DIRECTORY",
            git_dir.join("objects").to_str().unwrap(),
        )
        .env("GIT_COMMON_DIR", git_dir.to_str().unwrap())
        .env("GIT_PREFIX", "sub/")
        .run()
        .expect_ok();
    let trace: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(built.bundle_dir().join("trace.json")).unwrap())
            .unwrap();
    assert_eq!(
        trace["document"]["commit"],
        head.as_str(),
        "{}",
        built.stderr
    );
    assert_eq!(trace["document"]["modified"], false, "{}", built.stderr);
    assert!(
        built
            .page("index.html")
            .contains(&format!("commit {}", &head[..12]))
    );
}

/// A folder with a `git` that prints every message in German (as git does under a German
/// locale with its translations installed) and passes on the real git's exit status: the
/// stamp must not depend on the wording of git's messages.
fn german_git(dir: &Path) -> std::path::PathBuf {
    let real = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("git"))
        .find(|p| p.is_file())
        .expect("git on PATH");
    write(
        dir,
        "bin/git",
        format!(
            "#!/bin/sh\n\"{}\" \"$@\" 2>/dev/null\nstatus=$?\nif [ $status -ne 0 ]; then echo 'Schwerwiegend: der Befehl ist fehlgeschlagen' >&2; fi\nexit $status\n",
            real.display()
        ),
    );
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    fs::set_permissions(bin.join("git"), fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn not_a_repository_and_no_commit_are_detected_in_any_language() {
    require!(Mdbook, Git);
    let tools = tempfile::tempdir().unwrap();
    let bin = german_git(tools.path());
    let german = |b: &Book| {
        b.mdbook()
            .prepend_path(&bin)
            .env("LANG", "de_DE.UTF-8")
            .env("LC_ALL", "de_DE.UTF-8")
            .env("LANGUAGE", "de")
            .run()
    };

    let book = Book::fixture("clean").bundle("pdf = false\nrequire-commit = true");
    let built = german(&book).expect_failure();
    assert!(
        built
            .stderr
            .contains("require-commit is set, but the book is not in a git repository"),
        "{}",
        built.stderr
    );

    let book = Book::fixture("clean").bundle("pdf = false");
    git(book.root(), &["init", "-q"]);
    let built = german(&book).expect_ok();
    assert!(
        built
            .stderr
            .contains("the git repository has no commit yet, so pages say `commit unknown`"),
        "{}",
        built.stderr
    );
}

#[test]
fn require_commit_fails_outside_git() {
    require!(Mdbook);
    let built = Book::fixture("clean")
        .bundle("pdf = false\nrequire-commit = true")
        .build()
        .expect_failure();
    let stderr = &built.stderr;
    assert!(
        stderr.contains("require-commit is set, but the book is not in a git repository"),
        "{stderr}"
    );
}

#[test]
fn the_bundle_renderer_needs_the_html_renderer() {
    require!(Mdbook);
    let built = Book::fixture("clean")
        .toml("[preprocessor.techfile.bundle]\nversion = \"1\"\npdf = false\n\n[output.techfile]\ncommand = \"mdbook-techfile render\"\n")
        .build()
        .expect_failure();
    assert!(
        built.stderr.contains("add [output.html]"),
        "{}",
        built.stderr
    );
}

#[test]
fn a_bad_source_date_epoch_is_an_error() {
    let book = Book::fixture("clean").bundle("pdf = false");
    for (epoch, says) in [
        ("yesterday", "SOURCE_DATE_EPOCH must be a whole number"),
        ("-5", "SOURCE_DATE_EPOCH must be a whole number"),
        // Parsed once, up front: a value no calendar holds is refused before anything
        // is built, not when the PDF's dates are written.
        (
            "99999999999999",
            "SOURCE_DATE_EPOCH `99999999999999` is out of range",
        ),
    ] {
        let r = crate::common::command(book.root())
            .args(["check", "book"])
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(2), "{epoch}");
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert!(stderr.contains(says), "{epoch}: {stderr}");
    }
}

#[test]
fn document_control_needs_the_bundle_table() {
    let book =
        Book::new("generate-pages = false\n\n[preprocessor.techfile.coverage]\npractice = false")
            .file(
                "book/src/chapter.md",
                "# Chapter\n\n{{#techfile document-control}}\n",
            )
            .file("requirements/.keep", "");
    let r = book.check();
    r.expect_code(1);
    assert_eq!(r.codes(), ["unknown-directive"], "{}", r.stdout);
    assert_eq!(
        crate::common::place(&r.findings[0]),
        "book/src/chapter.md:3:1"
    );
    // The message says the version is missing, the help names [preprocessor.techfile.bundle].
    crate::common::snapshot_findings("document_control_without_bundle", &r.findings);
}

#[test]
fn verify_tells_a_missing_manifest_from_a_missing_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let r = verify(&tmp.path().join("nowhere"));
    r.expect_code(2);
    assert!(r.stderr.contains("is not a folder"), "{}", r.stderr);
    write(tmp.path(), "bundle/trace.json", "{}");
    let r = verify(&tmp.path().join("bundle"));
    r.expect_code(1);
    assert!(
        r.stdout.contains("missing: MANIFEST.sha256"),
        "{}",
        r.stdout
    );
}

/// The real deliverable: the sample technical file's PDF has its version, the coverage
/// matrix and every item, and its bundle verifies.
#[test]
fn the_sample_pdf_has_the_version_the_matrix_and_every_item() {
    require!(Mdbook, Chromium, Pdftotext, Graphviz);
    let book = Book::sample();
    let dir = book.mdbook().epoch(EPOCH).run().expect_ok().bundle_dir();
    let text = pdf_text(&dir.join("technical-file-1.0.pdf"), None);
    assert!(text.contains("Version 1.0"));
    assert!(
        text.contains("Practice to test matrix"),
        "the matrix chapter"
    );
    assert!(
        text.contains("Identification of this version"),
        "document control"
    );
    let missing: Vec<String> = item_ids(&book.path("requirements"))
        .into_iter()
        .filter(|id| !text.contains(id.as_str()))
        .collect();
    assert!(missing.is_empty(), "items not in the PDF: {missing:?}");
    crate::threat::sample_pdf_has_the_threat_model(
        &dir.join("technical-file-1.0.pdf"),
        book.root(),
    );
    verify(&dir).expect_code(0);
}

/// What `mdbook serve` sets before every rebuild: the renderer then writes nothing, so the
/// bundle of the last `mdbook build` stays as it was (`serve.rs` runs a real server).
#[test]
fn a_served_rebuild_leaves_the_bundle_alone() {
    require!(Mdbook);
    let book = Book::fixture("clean").bundle("pdf = false");
    let bundle = book.build().expect_ok().bundle_dir();
    let before = tree(&bundle);
    let served = book
        .mdbook()
        .env("MDBOOK_OUTPUT__HTML__LIVE_RELOAD_ENDPOINT", "__livereload")
        .without_tools()
        .run()
        .expect_ok();
    assert!(
        served
            .stderr
            .contains("`mdbook serve` does not write the bundle: book/techfile keeps the last one"),
        "{}",
        served.stderr
    );
    assert_eq!(tree(&bundle), before, "the bundle changed");
    verify(&bundle).expect_code(0);
}

#[test]
fn the_preprocessor_stays_out_of_the_bundle_renderer_and_render_needs_mdbook() {
    let dir = Path::new(".");
    run(dir, &["supports", "techfile"]).expect_code(1);
    run(dir, &["supports", "html"]).expect_code(0);
    let r = crate::common::run_with_stdin(dir, &["render"], b"not json");
    r.expect_code(2);
    assert!(
        r.stderr
            .contains("[output.techfile] command = \"mdbook-techfile render\""),
        "{}",
        r.stderr
    );
}

/// SBOM components are part of the trace export, linked to the items that affect them.
#[test]
fn trace_json_lists_sbom_components_with_the_items_that_affect_them() {
    require!(Mdbook);
    let built = Book::fixture("clean")
        .bundle("pdf = false")
        .mdbook()
        .epoch(EPOCH)
        .run()
        .expect_ok();
    let text = fs::read_to_string(built.bundle_dir().join("trace.json")).unwrap();
    let trace: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&load_schema()).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&trace)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "trace.json breaks its schema:\n{}",
        errors.join("\n")
    );
    let components = trace["components"].as_array().unwrap();
    assert!(components.len() >= 2, "{components:?}");
    let mcuboot = components
        .iter()
        .find(|c| c["purl"] == "pkg:github/mcu-tools/mcuboot@v2.1.0")
        .expect("the firmware SBOM's MCUboot component is exported");
    assert_eq!(mcuboot["affected-by"], serde_json::json!(["RSK-001"]));
    assert!(mcuboot["sbom"].as_str().unwrap().starts_with("sboms/"));
    // The anchors are those of the rows in the book.
    let book_dir = built
        .out
        .parent()
        .expect("book/book is in book/")
        .to_path_buf();
    let outcome = mdbook_techfile::mdbook::check(&book_dir).unwrap();
    let rows: Vec<&str> = outcome
        .analysis
        .sboms
        .sboms
        .iter()
        .flat_map(|s| s.components.iter().map(|c| c.anchor.as_str()))
        .collect();
    let exported: Vec<&str> = components
        .iter()
        .map(|c| c["anchor"].as_str().unwrap())
        .collect();
    assert_eq!(exported, rows);
    let html = built.page("sbom.html");
    let anchor = mcuboot["anchor"].as_str().unwrap();
    assert!(html.contains(&format!("<tr id=\"{anchor}\">")), "{anchor}");
    assert!(trace["sbom-objects"].is_array());
}

/// Only CycloneDX JSON files of an SBOM folder are SBOMs: notes and other formats next to
/// them are neither read, listed among the inputs, nor shipped, end to end.
#[test]
fn only_json_files_of_an_sbom_folder_are_listed_and_shipped() {
    require!(Mdbook);
    let strays = ["NOTES.md", "bom.xml", "vendor/NOTES.md", "vendor/bom.xml"];
    let mut book = Book::fixture("clean")
        .bundle("pdf = false")
        .file("sboms/vendor/app.cdx.json", SBOM)
        .chapter(
            "control.md",
            "Document control",
            "# Document control\n\n{{#techfile document-control}}\n",
        );
    for stray in strays {
        book = book.file(
            &format!("sboms/{stray}"),
            "# Not an SBOM\n\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"/>\n",
        );
    }
    let sboms = [
        "firmware.cdx.json",
        "portal.cdx.json",
        "vendor/app.cdx.json",
    ];
    let built = book.build().expect_ok();
    // The minimal SBOM lacks NTIA elements (warnings); of the strays only the XML files
    // are pointed out (an SBOM kept as CycloneDX XML must not vanish without a word).
    assert!(
        built
            .findings
            .iter()
            .all(|f| f.place.starts_with("../sboms/vendor/app.cdx.json:")
                || f.code == "sbom-xml-not-read"),
        "{}",
        built.stderr
    );
    let xml = built
        .findings
        .iter()
        .filter(|f| f.code == "sbom-xml-not-read")
        .count();
    assert_eq!(xml, 2, "{}", built.stderr);
    for at in ["../sboms/bom.xml:1:1", "../sboms/vendor/bom.xml:1:1"] {
        // An unread file has no line to show: the place is on the `-->` line.
        assert!(
            built
                .stderr
                .contains(&format!("--> {at}: this file is not read")),
            "{}",
            built.stderr
        );
    }

    // The document control page lists the SBOMs among the inputs, and nothing else there.
    let control = built.page("control.html");
    for sbom in sboms {
        assert!(
            control.contains(&format!("<tr><td>sboms/{sbom}</td><td>sbom</td>")),
            "{sbom} is not listed as an SBOM"
        );
    }
    for stray in strays {
        assert!(
            !control.contains(&format!("sboms/{stray}")),
            "{stray} is listed"
        );
    }

    // The bundle holds the SBOMs and nothing else of the folder.
    let dir = built.bundle_dir();
    let shipped: Vec<String> = tree(&dir)
        .into_keys()
        .filter_map(|p| p.strip_prefix("sboms/").map(str::to_owned))
        .collect();
    assert_eq!(shipped, sboms, "shipped from the SBOM folder");
    let manifest = fs::read_to_string(dir.join("MANIFEST.sha256")).unwrap();
    let listed: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l[66..].strip_prefix("sboms/"))
        .collect();
    assert_eq!(listed, sboms, "listed in MANIFEST.sha256");
    verify(&dir).expect_code(0);

    // trace.json: its SBOMs, and no input from the folder that is not one.
    let trace: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("trace.json")).unwrap()).unwrap();
    let exported: Vec<&str> = trace["sboms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["bundle-path"].as_str().unwrap())
        .collect();
    assert_eq!(
        exported,
        sboms.map(|s| format!("sboms/{s}")),
        "trace.json \"sboms\""
    );
    let inputs: Vec<&str> = trace["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .filter(|p| p.starts_with("sboms/"))
        .collect();
    assert_eq!(
        inputs,
        sboms.map(|s| format!("sboms/{s}")),
        "trace.json \"inputs\""
    );
}

#[test]
fn the_bundle_ships_one_self_contained_vex_document() {
    require!(Mdbook);
    let book = Book::fixture("clean-advisories").bundle("pdf = false");
    let built = book.mdbook().epoch(EPOCH).run().expect_ok();
    let dir = built.bundle_dir();
    let text = fs::read_to_string(dir.join("vex.cdx.json")).unwrap();
    // Valid CycloneDX 1.6, by the reader that validates SBOMs.
    let mut map = mdbook_techfile::core::model::SourceMap::new();
    let file = map.add("vex.cdx.json", text.clone());
    let (doc, findings) = mdbook_techfile::core::sbom::parse(file, &text);
    assert!(findings.is_empty(), "{findings:?}");
    assert!(doc.is_some());
    let vex: serde_json::Value = serde_json::from_str(&text).unwrap();
    let v = &vex["vulnerabilities"][0];
    assert_eq!(v["id"], "TEST-RUSTSEC-0001");
    assert_eq!(v["analysis"]["state"], "not_affected");
    assert_eq!(v["analysis"]["justification"], "code_not_present");
    assert_eq!(v["properties"][0]["value"], "2027-11-20");
    // The component it names is in the document itself.
    let r = v["affects"][0]["ref"].as_str().unwrap();
    let c = vex["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["bom-ref"] == r)
        .expect("the affected component is in the document");
    assert_eq!(c["purl"], "pkg:cargo/fixcrate@1.2.2");
    // The snapshot is named, and the manifest lists the file.
    let source = vex["metadata"]["properties"][0]["value"].as_str().unwrap();
    assert!(
        source.contains("records=2") && source.contains("sha256="),
        "{source}"
    );
    let manifest = fs::read_to_string(dir.join("MANIFEST.sha256")).unwrap();
    assert!(manifest.contains("  vex.cdx.json\n"), "{manifest}");
    let trace: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("trace.json")).unwrap()).unwrap();
    assert_eq!(trace["advisory-sources"][0]["records"], 2);
    verify(&dir).expect_code(0);
    // Two builds give the same document.
    let again = book.mdbook().epoch(EPOCH).run().expect_ok();
    assert_eq!(
        fs::read_to_string(again.bundle_dir().join("vex.cdx.json")).unwrap(),
        text
    );
}

/// Builds `book` and returns a way to run its bundle renderer again by hand on the HTML
/// that build left, as mdBook would run it.
fn renderer_of(book: &Book) -> impl Fn() -> Run {
    let built = book.build().expect_ok();
    let root = book.root().join("book");
    let config = mdbook_renderer::config::Config::from_disk(root.join("book.toml")).unwrap();
    let dest = built.bundle_dir();
    let ctx = mdbook_renderer::RenderContext::new(
        &root,
        mdbook_renderer::book::Book::new(),
        config,
        &dest,
    );
    let json = serde_json::to_vec(&ctx).unwrap();
    move || crate::common::run_with_stdin(&dest, &["render"], &json)
}

/// Asserts that the renderer refused a build whose two passes disagree.
fn refused_as_changed(run: &Run) {
    assert_ne!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "the inputs or the commit changed between the preprocessor and the renderer: build again"
        ),
        "{}",
        run.stderr
    );
}

/// mdBook runs the preprocessor and the renderer as two processes that each analyse the
/// disk (issue 10 part 4). With the files unchanged the renderer writes the bundle; with an
/// item saved since the preprocessor ran it refuses, since the HTML and the trace would
/// disagree.
#[test]
fn the_renderer_refuses_inputs_that_changed_after_the_preprocessor() {
    require!(Mdbook);
    let book = Book::fixture("clean").bundle("pdf = false");
    let render = renderer_of(&book);
    render().expect_code(0);
    verify(&book.root().join("book/book/techfile")).expect_code(0);

    let item = book.root().join("requirements/REQ-DM-001.md");
    let text = fs::read_to_string(&item).unwrap();
    write(
        book.root(),
        "requirements/REQ-DM-001.md",
        format!("{text}\nSaved after the preprocessor ran.\n"),
    );
    refused_as_changed(&render());

    // A full build again reads the new text in both passes and agrees.
    book.mdbook().without_tools().run().expect_ok();
}

/// A commit made between the two passes, with no file changed, would stamp the HTML and
/// `trace.json` with different commits: the renderer refuses it too.
#[test]
fn the_renderer_refuses_a_commit_made_after_the_preprocessor() {
    require!(Mdbook, Git);
    let (book, _) = committed_book();
    let render = renderer_of(&book);
    render().expect_code(0);
    git(
        book.root(),
        &[
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "Later",
        ],
    );
    refused_as_changed(&render());
    book.build().expect_ok();
}

/// A build is stamped clean only when its commit holds every byte it read. `git status`
/// over the input folders misses two ways to read bytes that no commit holds: a git-ignored
/// file in an input folder, and a committed symbolic link whose target git ignores. Both
/// make the stamp `(modified)`, with a note naming the file; a link to a committed file
/// keeps the build clean.
#[test]
fn bytes_that_the_commit_does_not_hold_make_the_build_modified() {
    require!(Mdbook, Git);
    use std::os::unix::fs::symlink;
    /// Commits everything and builds: whether the page and `trace.json` say modified, and
    /// the build's stderr. Both name `HEAD`.
    fn commit_and_build(book: &Book, message: &str) -> (bool, bool, String) {
        book.git(&["add", "-A"]);
        book.git(&["commit", "-q", "--allow-empty", "-m", message]);
        assert_eq!(
            book.git(&["status", "--porcelain"]),
            "",
            "git sees no change"
        );
        let head = book.head();
        let built = book.build().expect_ok();
        let trace: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(built.bundle_dir().join("trace.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(trace["document"]["commit"], head.as_str());
        let page = built.page("index.html");
        assert!(page.contains(&format!("commit {}", &head[..12])));
        (
            page.contains("(modified)"),
            trace["document"]["modified"] == true,
            built.stderr,
        )
    }
    let (book, _) = committed_book();
    let sbom = fs::read(book.path("sboms/firmware.cdx.json")).unwrap();
    let (page, trace, stderr) = commit_and_build(&book, "as it was");
    assert!(!page && !trace, "{stderr}");

    // A git-ignored SBOM next to the committed one: read, and in no commit.
    let book = book
        .file(
            ".gitignore",
            "/book/book/\n/sboms/generated.cdx.json\n/generated/\n",
        )
        .file("sboms/generated.cdx.json", &sbom);
    let (page, trace, stderr) = commit_and_build(&book, "ignore");
    assert!(page && trace, "{stderr}");
    assert!(
        stderr.contains("sboms/generated.cdx.json` went into this build, but commit"),
        "{stderr}"
    );

    // A committed link whose target git ignores.
    let book = book
        .remove("sboms/generated.cdx.json")
        .remove("sboms/firmware.cdx.json")
        .file("generated/firmware.cdx.json", &sbom);
    symlink(
        "../generated/firmware.cdx.json",
        book.path("sboms/firmware.cdx.json"),
    )
    .unwrap();
    let (page, trace, stderr) = commit_and_build(&book, "link");
    assert!(page && trace, "{stderr}");
    assert!(
        stderr.contains("sboms/firmware.cdx.json` went into this build, but commit"),
        "{stderr}"
    );

    // The same link to a committed target: clean again.
    let book = book.edit(".gitignore", |s| s.replace("/generated/\n", ""));
    let (page, trace, stderr) = commit_and_build(&book, "commit the target");
    assert!(!page && !trace, "{stderr}");
    assert!(!stderr.contains("went into this build"), "{stderr}");

    // A git-ignored attachment under `src`: mdBook copies it into the pages and the bundle.
    let book = book
        .edit(".gitignore", |s| format!("{s}/book/src/attachment.txt\n"))
        .file("book/src/attachment.txt", "not in any commit\n");
    let (page, trace, stderr) = commit_and_build(&book, "ignore an attachment");
    assert!(page && trace, "{stderr}");
    assert!(
        stderr.contains("src/attachment.txt` went into this build"),
        "{stderr}"
    );
    let book = book.remove("book/src/attachment.txt");

    // A change git is told not to look at (`--assume-unchanged`, `--skip-worktree`): the
    // bytes read are still not the committed ones.
    for flag in ["--assume-unchanged", "--skip-worktree"] {
        let (page, trace, stderr) = commit_and_build(&book, "as committed");
        assert!(!page && !trace, "{stderr}");
        book.git(&["update-index", flag, "requirements/REQ-DM-001.md"]);
        let item = book.path("requirements/REQ-DM-001.md");
        let text = fs::read_to_string(&item).unwrap();
        fs::write(
            &item,
            text.replace("title = \"", "title = \"Hidden change: "),
        )
        .unwrap();
        assert_eq!(
            book.git(&["status", "--porcelain"]),
            "",
            "git shows no change"
        );
        let built = book.build().expect_ok();
        assert!(built.page("index.html").contains("(modified)"), "{flag}");
        assert!(
            built.stderr.contains("REQ-DM-001.md` went into this build"),
            "{flag}: {}",
            built.stderr
        );
        book.git(&[
            "update-index",
            &flag.replace("--", "--no-"),
            "requirements/REQ-DM-001.md",
        ]);
        book.git(&["checkout", "--", "requirements/REQ-DM-001.md"]);
    }

    // Hidden from git the same way and deleted: the build never reads it, and says why.
    let book = book.file("requirements/README.md", "How the items are written.\n");
    let (page, _, stderr) = commit_and_build(&book, "a read-me");
    assert!(!page, "{stderr}");
    for flag in ["--assume-unchanged", "--skip-worktree"] {
        book.git(&["update-index", flag, "requirements/README.md"]);
        fs::remove_file(book.path("requirements/README.md")).unwrap();
        assert_eq!(
            book.git(&["status", "--porcelain"]),
            "",
            "git shows no change"
        );
        let built = book.build().expect_ok();
        assert!(built.page("index.html").contains("(modified)"), "{flag}");
        assert!(
            built.stderr.contains("git is told not to compare")
                && built.stderr.contains("requirements/README.md`"),
            "{flag}: {}",
            built.stderr
        );
        let undo = flag.replace("--", "--no-");
        book.git(&["update-index", &undo, "requirements/README.md"]);
        book.git(&["checkout", "--", "requirements/README.md"]);
    }

    // Line endings converted by git: the disk holds CRLF, the commit LF, and git status is
    // clean; the bundle's hashes would differ from a checkout elsewhere.
    let book = book.file(".gitattributes", "*.md text eol=lf\n");
    let (page, trace, stderr) = commit_and_build(&book, "attributes");
    assert!(!page && !trace, "{stderr}");
    let item = book.path("requirements/REQ-SM-001.md");
    let text = fs::read_to_string(&item).unwrap();
    fs::write(&item, text.replace('\n', "\r\n")).unwrap();
    book.git(&["add", "-A"]);
    assert_eq!(
        book.git(&["status", "--porcelain"]),
        "",
        "git shows no change"
    );
    let built = book.build().expect_ok();
    assert!(built.page("index.html").contains("(modified)"));
    assert!(
        built.stderr.contains("REQ-SM-001.md` went into this build"),
        "{}",
        built.stderr
    );
    fs::write(&item, text).unwrap();

    // A replacement object: HEAD reads as another commit's content unless replacements are
    // off, and then the disk (the replacement's content) differs from HEAD.
    let book = book.edit("requirements/REQ-SM-001.md", |s| {
        s.replace("title = \"", "title = \"Replaced: ")
    });
    let before = book.head();
    let (page, _, stderr) = commit_and_build(&book, "the replacement");
    assert!(!page, "{stderr}");
    let replacement = book.head();
    book.git(&["reset", "-q", "--soft", &before]);
    book.git(&["replace", &before, &replacement]);
    let built = book.build().expect_ok();
    let page = built.page("index.html");
    assert!(page.contains("(modified)"), "{}", built.stderr);
    assert!(page.contains(&format!("commit {}", &before[..12])));
}

/// A book whose folder is the repository's top: the default folders (`../sboms`,
/// `../reviews`) lie outside the repository and do not exist, which must not make every
/// build `(modified)`.
#[test]
fn a_book_at_the_top_of_its_repository_builds_clean() {
    require!(Mdbook, Git);
    let book = Book::fixture("clean").bundle("pdf = false");
    fs::rename(book.path("requirements"), book.path("book/requirements")).unwrap();
    fs::rename(book.path("sboms"), book.path("book/sboms")).unwrap();
    let book = book.config("items = [\"requirements\"]\nsboms = [\"sboms\"]");
    let top = book.path("book");
    git(&top, &["init", "-q"]);
    write(&top, ".gitignore", "/book/\n");
    git(&top, &["add", "."]);
    git(
        &top,
        &["-c", "commit.gpgsign=false", "commit", "-q", "-m", "Book"],
    );
    let built = book.build().expect_ok();
    let page = built.page("index.html");
    let head = head_of(&top);
    assert!(
        page.contains(&format!("commit {}", &head[..12])),
        "{}",
        built.stderr
    );
    assert!(!page.contains("(modified)"), "{}", built.stderr);
}

/// Two more ways a build could ship what its commit does not hold: a file of a submodule
/// that the submodule's own repository does not hold (git-ignored there, or changed while
/// `.gitmodules` says `ignore = all`), and a configuration changed through an `MDBOOK_...`
/// variable. Both make the pages say `(modified)` with a note; an untouched submodule keeps
/// the build clean.
#[test]
fn submodule_files_and_configuration_overrides_are_judged_too() {
    require!(Mdbook, Git);
    let (book, _) = committed_book();
    let _origin = book.add_submodule(
        "book/src/sub",
        &[
            ("sub.md", "# Sub\n\nShared text.\n"),
            (".gitignore", "ign.md\n"),
        ],
    );
    let book = book
        .edit("book/src/SUMMARY.md", |s| {
            format!("{s}- [Sub](sub/sub.md)\n")
        })
        .file(".gitignore", "/book/book/\n");
    book.git(&["add", "-A"]);
    book.git(&["commit", "-q", "-m", "a submodule"]);
    let modified = |built: &Built| built.page("index.html").contains("(modified)");
    let built = book.build().expect_ok();
    assert!(!modified(&built), "{}", built.stderr);

    // A file the submodule ignores: mdBook copies it into the pages.
    write(&book.path("book/src/sub"), "ign.md", "SECRET\n");
    assert_eq!(
        book.git(&["status", "--porcelain"]),
        "",
        "git shows no change"
    );
    let built = book.build().expect_ok();
    assert!(modified(&built), "{}", built.stderr);
    assert!(
        built.stderr.contains("sub/ign.md` went into this build"),
        "{}",
        built.stderr
    );
    fs::remove_file(book.path("book/src/sub/ign.md")).unwrap();

    // A change the enclosing repository is told to ignore.
    book.git(&[
        "config",
        "-f",
        ".gitmodules",
        "submodule.book/src/sub.ignore",
        "all",
    ]);
    book.git(&["commit", "-q", "-am", "ignore the submodule"]);
    let built = book.build().expect_ok();
    assert!(!modified(&built), "{}", built.stderr);
    write(&book.path("book/src/sub"), "sub.md", "# Sub\n\nChanged.\n");
    assert_eq!(
        book.git(&["status", "--porcelain"]),
        "",
        "git shows no change"
    );
    let built = book.build().expect_ok();
    assert!(modified(&built), "{}", built.stderr);
    assert!(
        built.stderr.contains("sub/sub.md` went into this build"),
        "{}",
        built.stderr
    );
    crate::common::git_in(&book.path("book/src/sub"), &["checkout", "--", "sub.md"]);

    // The configuration changed from the environment.
    let built = book
        .mdbook()
        .env("MDBOOK_BOOK__TITLE", "Forged")
        .run()
        .expect_ok();
    assert!(modified(&built), "{}", built.stderr);
    assert!(
        built
            .stderr
            .contains("the environment variable `MDBOOK_BOOK__TITLE` changes the configuration"),
        "{}",
        built.stderr
    );
    let built = book.build().expect_ok();
    assert!(!modified(&built), "{}", built.stderr);

    // Gates and the output folder set from the environment change nothing the build shows.
    let built = book
        .mdbook()
        .env(
            "MDBOOK_PREPROCESSOR__TECHFILE__BUNDLE__REQUIRE_CLEAN",
            "true",
        )
        .run()
        .expect_ok();
    assert!(!modified(&built), "{}", built.stderr);

    // Files the build neither reads nor ships: a template and an editor's backup.
    write(&book.path("requirements"), "_draft.md", "not an item\n");
    write(&book.path("requirements"), "REQ-SM-001.md~", "a backup\n");
    let built = book.build().expect_ok();
    assert!(!modified(&built), "{}", built.stderr);

    // A committed file gone from the disk: the build cannot tell it was no input.
    let book = book.file("requirements/README.md", "How items are written.\n");
    book.git(&["add", "-A"]);
    book.git(&["commit", "-q", "-m", "a read-me"]);
    fs::remove_file(book.path("requirements/README.md")).unwrap();
    let built = book.build().expect_ok();
    assert!(modified(&built), "{}", built.stderr);
    assert!(
        built.stderr.contains("requirements/README.md`: in commit"),
        "{}",
        built.stderr
    );
}
