//! One function per fuzz target. Each takes the fuzzer's bytes, feeds them to one parser of
//! outside input the way the tool does, and checks the properties of [`crate::props`].

use crate::book::Book;
use crate::props;
use std::sync::OnceLock;
use techfile_core::advisory::{AdvisoryDir, AdvisoryFile, osv};
use techfile_core::config::{self, Config, EnvOverride};
use techfile_core::cvss::Vector;
use techfile_core::diag::Code;
use techfile_core::evidence::junit;
use techfile_core::lifecycle::table;
use techfile_core::links::{self, html};
use techfile_core::load::{self, frontmatter};
use techfile_core::model::{FileId, Fingerprint, SourceMap};
use techfile_core::review::{record, rewrite};
use techfile_core::sbom::{self, SbomInput, purl::Purl};
use techfile_core::threat::dragon;
use techfile_core::vex;
use techfile_core::{Mode, fingerprint};

/// Text as the tool reads a file: invalid UTF-8 is its own finding before any parser runs,
/// so the parsers only ever see text.
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Item front-matter and body (`load::parse_item`), and the item's fingerprint.
pub fn item(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let mut map = SourceMap::new();
    let file = map.add("requirements/ITEM.md", text);
    let (item, diags) = load::parse_item(file, text);
    props::places(&map, &diags);
    let (again, diags_again) = load::parse_item(file, text);
    assert_eq!(diags, diags_again, "the findings differ between two reads");
    assert_eq!(format!("{item:?}"), format!("{again:?}"));
    if let Some(item) = item {
        let profile = fingerprint::Profile::default();
        let f = fingerprint::of(&item, &profile);
        assert_eq!(f, fingerprint::of(&item, &profile));
        let written = f.to_string();
        assert_eq!(
            Fingerprint::parse(&written),
            Ok(f),
            "a fingerprint reads back"
        );
        assert!(item.body_offset as usize <= text.len());
    }
}

/// A chapter through directive expansion, includes and the link check (`analyse` on a
/// small book), built and checked: both modes give the same findings.
pub fn chapter(data: &[u8]) {
    let mut book = Book::base();
    book.chapters.insert(0, ("intro.md".into(), data.to_vec()));
    whole_book(&book);
}

/// Include directives: the input is a chapter and the files it may include, separated by
/// NUL bytes (`ch/intro.md`, then `a.md`, `ch/b.md`, `ch/sub/c.rs`, `d.md` ...).
pub fn includes(data: &[u8]) {
    const NAMES: &[&str] = &["a.md", "ch/b.md", "ch/sub/c.rs", "d.md", "ch/e.txt"];
    let mut parts = data.split(|b| *b == 0);
    let chapter = parts.next().unwrap_or_default();
    let mut book = Book::base();
    book.chapters
        .insert(0, ("ch/intro.md".into(), chapter.to_vec()));
    for (name, part) in NAMES.iter().zip(parts) {
        book.files.insert((*name).to_string(), part.to_vec());
    }
    whole_book(&book);
}

fn whole_book(book: &Book) {
    let built = book.analyse(Mode::Build);
    props::places(&built.map, &built.findings);
    let again = book.analyse(Mode::Build);
    props::same(
        &props::fingerprint(&built),
        &props::fingerprint(&again),
        "mdbook build",
    );
    let checked = book.analyse(Mode::Check);
    props::places(&checked.map, &checked.findings);
    props::same(
        &techfile_core::diag::render_json(&built.findings, &built.map),
        &techfile_core::diag::render_json(&checked.findings, &checked.map),
        "check and mdbook build",
    );
}

/// An item through every generator: the input is one more item file in the base book,
/// whose chapters use every directive. Nothing the item's front-matter says may reach a
/// page's HTML unescaped. The body is Markdown, where users may write HTML on purpose, so
/// its `<` are taken out first.
pub fn render(data: &[u8]) {
    rendered(Book::base(), data);
}

fn rendered(mut book: Book, data: &[u8]) {
    let Some(text) = text(data) else { return };
    let body_start = match frontmatter::split(text) {
        frontmatter::FrontMatter::Present(s) => s.toml.end,
        _ => 0,
    };
    let mut owned = text.to_string();
    owned.replace_range(body_start.., &text[body_start..].replace('<', "("));
    let mut user = Vec::new();
    if let frontmatter::FrontMatter::Present(s) = frontmatter::split(&owned)
        && let Ok(table) = owned[s.toml].parse::<toml::Table>()
    {
        strings(&toml::Value::Table(table), &mut user);
    }
    book.items
        .push(("requirements/FUZZ.md".into(), owned.into_bytes()));
    let built = book.analyse(Mode::Build);
    props::places(&built.map, &built.findings);
    let mut pages: Vec<&str> = built
        .output
        .chapters
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    pages.extend(
        built
            .output
            .generated
            .iter()
            .map(|p| p.content.text.as_str()),
    );
    props::no_raw_user_html(&pages, &user, links::Markdown::default());
    let again = book.analyse(Mode::Build);
    props::same(
        &props::fingerprint(&built),
        &props::fingerprint(&again),
        "mdbook build",
    );
}

fn strings(v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        toml::Value::Table(t) => t.iter().for_each(|(k, v)| {
            out.push(k.clone());
            strings(v, out);
        }),
        _ => {}
    }
}

/// Raw HTML (`links::html`) and the ids and links of a page (`links::scan`). The first
/// byte chooses the `[output.html]` options that change how Markdown is parsed.
pub fn html(data: &[u8]) {
    let Some((&options, rest)) = data.split_first() else {
        return;
    };
    let Some(text) = text(rest) else { return };
    html::tokenize(text, |t| match t {
        html::Token::Start { attrs, .. } => {
            for a in attrs {
                assert!(
                    text.get(a.range.clone()).is_some(),
                    "attribute at {:?}",
                    a.range
                );
                let _ = a.value();
            }
        }
        html::Token::End { .. } => {}
        html::Token::Text(t) => {
            let _ = html::decode_text(t);
        }
    });
    let md = links::Markdown {
        smart_punctuation: options & 1 != 0,
        definition_lists: options & 2 != 0,
        admonitions: options & 4 != 0,
    };
    let scan = links::scan::scan(text, md);
    for l in &scan.links {
        for r in std::iter::once(&l.range).chain(&l.defined_at) {
            assert!(
                text.get(r.clone()).is_some(),
                "link at {r:?} of {} bytes",
                text.len()
            );
        }
    }
    assert_eq!(scan, links::scan::scan(text, md), "two scans differ");
}

/// CycloneDX JSON through schema validation, the model, the reference index and the
/// NTIA checks (`sbom::load_sboms`, which calls `sbom::parse`).
pub fn sbom(data: &[u8]) {
    let run = || {
        let mut map = SourceMap::new();
        let input = SbomInput {
            input: load::Input {
                name: "sboms/fuzz.cdx.json".into(),
                path: "sboms/fuzz.cdx.json".into(),
                content: Ok(data.to_vec()),
            },
            key: "fuzz.cdx.json".into(),
        };
        let (loaded, diags) = sbom::load_sboms(&mut map, vec![input]);
        props::places(&map, &diags);
        (loaded.sboms, techfile_core::diag::render_json(&diags, &map))
    };
    let (first, second) = (run(), run());
    props::same(&first.1, &second.1, "sbom findings");
    // Compared as values: the model holds hash maps, whose debug order varies.
    assert!(first.0 == second.0, "two reads of an SBOM differ");
}

/// CVSS vectors (`cvss::Vector::parse`): a vector that parses is written back in the
/// specification's order, and that text parses to the same vector.
pub fn cvss(data: &[u8]) {
    let Some(text) = text(data) else { return };
    match Vector::parse(text) {
        Ok(v) => {
            let written = v.to_string();
            let again = Vector::parse(&written)
                .unwrap_or_else(|e| panic!("{text:?} is written as {written:?}: {}", e.message));
            assert_eq!(again.to_string(), written);
            assert_eq!(again.exploitability_tenths(), v.exploitability_tenths());
        }
        Err(e) => {
            assert!(
                text.get(e.range.clone()).is_some(),
                "error at {:?} of {text:?}",
                e.range
            );
        }
    }
}

/// Purls and `affects` resolution: each line of the input is a purl (or bom-ref) that an
/// item affects, resolved against the base SBOM. A purl that parses is canonical once:
/// its canonical text parses to itself.
pub fn purl(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let lines: Vec<&str> = text.lines().take(16).collect();
    for line in &lines {
        if let Ok(p) = Purl::parse(line) {
            let canonical = p.canonical().to_string();
            let again = Purl::parse(&canonical)
                .unwrap_or_else(|e| panic!("{line:?} has canonical form {canonical:?}: {e}"));
            assert_eq!(again.canonical(), canonical);
            assert!(p.names(&again) && again.names(&p));
            let _ = (
                p.base(),
                p.package(),
                p.kind(),
                p.name(),
                p.version(),
                p.identity(),
            );
        }
    }
    let mut item = String::from(
        "+++\nid = \"CTL-9\"\nkind = \"control\"\ntitle = \"T\"\nimplements = [\"REQ-1\"]\naffects = [",
    );
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            item.push_str(", ");
        }
        item.push_str(&toml::Value::String((*line).to_string()).to_string());
    }
    item.push_str("]\n+++\n");
    // The base SBOM is validated once: schema validation would cost more than the rest.
    static BASE: OnceLock<Vec<sbom::Sbom>> = OnceLock::new();
    let mut map = SourceMap::new();
    let sboms = BASE.get_or_init(|| {
        let input = SbomInput {
            input: load::Input {
                name: "sboms/app.cdx.json".into(),
                path: "sboms/app.cdx.json".into(),
                content: Ok(crate::book::SBOM.as_bytes().to_vec()),
            },
            key: "app.cdx.json".into(),
        };
        let (loaded, diags) = sbom::load_sboms(&mut SourceMap::new(), vec![input]);
        assert!(loaded.failed.is_empty(), "the base SBOM loads: {diags:?}");
        loaded.sboms
    });
    // Same file id as when it was loaded, so the model's spans point into it.
    map.add("sboms/app.cdx.json", crate::book::SBOM);
    let loaded = sbom::Loaded {
        sboms: sboms.clone(),
        failed: Vec::new(),
    };
    let mut diags = Vec::new();
    let file = map.add("requirements/CTL-9.md", item.clone());
    let (parsed, item_diags) = load::parse_item(file, &item);
    diags.extend(item_diags);
    let items: Vec<_> = parsed.into_iter().collect();
    let (_, found) = sbom::resolve(loaded, &items, |_| true, &map);
    diags.extend(found);
    props::places(&map, &diags);
}

/// `[preprocessor.techfile]` of book.toml (`config::read`), with `MDBOOK_...` overrides:
/// the input's first lines of the form `MDBOOK_NAME=value` are the environment, the rest
/// book.toml. The same table alone goes through `Config::from_toml`, and a configuration
/// that reads is used for a `check` of the base book.
pub fn config(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let mut overrides = Vec::new();
    let mut rest = text;
    while let Some(line) = rest.strip_prefix("MDBOOK_") {
        let (line, after) = line.split_once('\n').unwrap_or((line, ""));
        let (name, value) = line.split_once('=').unwrap_or((line, ""));
        overrides.push(EnvOverride {
            name: format!("MDBOOK_{name}"),
            value: value.to_string(),
        });
        rest = after;
    }
    let read = || {
        let mut map = SourceMap::new();
        let file = map.add("book/book.toml", rest);
        let result = config::read(&mut map, file, &overrides);
        if let Err(diags) = &result {
            props::places(&map, diags);
        }
        result
    };
    let first = read();
    assert_eq!(first, read(), "two reads of book.toml differ");
    if let Err(diags) = Config::from_toml(rest) {
        let mut map = SourceMap::new();
        map.add("[preprocessor.techfile]", rest);
        props::places(&map, &diags);
    }
    if let Ok(config) = first {
        let mut book = Book::base();
        book.config = config;
        book.book_toml = rest.to_string();
        let checked = book.analyse(Mode::Check);
        props::places(&checked.map, &checked.findings);
    }
}

/// `reviewed-against` stamps and fingerprints: the input is an item file whose stamps
/// `mdbook-techfile review` rewrites. A rewrite changes only the stamps, so rewriting
/// the result again gives the same text, and the result reads back with those stamps.
pub fn stamps(data: &[u8]) {
    let Some(text) = text(data) else { return };
    for line in text.lines() {
        if let Ok(f) = Fingerprint::parse(line.trim()) {
            assert_eq!(
                f.to_string(),
                line.trim(),
                "a fingerprint is written as read"
            );
        }
    }
    let stamps = vec![
        (
            "REQ-1".to_string(),
            Fingerprint {
                version: 1,
                hex: "0".repeat(64),
            },
        ),
        (
            "RSK-1".to_string(),
            Fingerprint {
                version: 2,
                hex: "ab".repeat(32),
            },
        ),
    ];
    if let Ok(new) = rewrite::rewrite_stamps(text, &stamps) {
        let again = rewrite::rewrite_stamps(&new, &stamps)
            .unwrap_or_else(|e| panic!("a rewritten file cannot be rewritten again: {e}"));
        assert_eq!(again, new, "rewriting twice changes the file");
        let (item, _) = load::parse_item(FileId(0), &new);
        let item = item.expect("a rewritten file reads back as an item");
        let read: Vec<_> = item
            .reviewed_against
            .iter()
            .map(|s| (s.upstream.clone(), s.fingerprint.clone()))
            .collect();
        let expected: Vec<_> = stamps.to_vec();
        assert_eq!(read, expected, "the stamps read back");
    }
}

/// Review records (`review::record::parse`).
pub fn review(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let mut map = SourceMap::new();
    let file = map.add("reviews/fuzz.toml", text);
    let (r, diags) = record::parse(file, text, "reviews/fuzz.toml".into());
    props::places(&map, &diags);
    let (again, diags_again) = record::parse(file, text, "reviews/fuzz.toml".into());
    assert_eq!((r, diags), (again, diags_again), "two reads differ");
}

/// An item in a book with a threat model: the input is one more item file of the threat
/// model book, whose chapter uses every threat-model directive (diagrams, STRIDE, the
/// element tables). Checked as [`render`] checks the base book.
pub fn threat(data: &[u8]) {
    rendered(Book::threat(), data);
}

/// JUnit XML evidence (`evidence::junit::parse`), alone and as the report a test of the
/// lifecycle book names: read twice the same, and the findings point inside the files.
pub fn junit(data: &[u8]) {
    let cases = junit::parse(data);
    assert_eq!(
        cases,
        junit::parse(data),
        "two reads of a JUnit report differ"
    );
    let mut book = Book::lifecycle();
    book.evidence[0].1 = data.to_vec();
    whole_book(&book);
}

/// Support tables (`lifecycle::table::parse`), alone and in the lifecycle book, whose
/// SBOM components they rank and whose dates `check --today` judges.
pub fn support(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let mut map = SourceMap::new();
    let file = map.add("support/fuzz.toml", text);
    let first = table::parse(file, text, "support/fuzz.toml");
    props::places(&map, &first.1);
    assert_eq!(
        format!("{first:?}"),
        format!("{:?}", table::parse(file, text, "support/fuzz.toml")),
        "two reads of a support table differ"
    );
    let mut book = Book::lifecycle();
    book.support[0].1 = data.to_vec();
    whole_book(&book);
}

/// OSV advisory records (`advisory::osv::parse`, and `advisory::load`, which reads a
/// folder of them into the database the SBOMs are matched against), alone and in the
/// lifecycle book, where the record matches an SBOM component and an `unmaintained` one
/// changes its support level.
pub fn advisory(data: &[u8]) {
    assert_eq!(
        osv::parse(data),
        osv::parse(data),
        "two reads of an OSV record differ"
    );
    let run = || {
        let mut map = SourceMap::new();
        let dir = AdvisoryDir {
            name: "advisories".into(),
            path: "advisories".into(),
            files: Ok(vec![AdvisoryFile {
                rel: "crates.io/fuzz.json".into(),
                name: "advisories/crates.io/fuzz.json".into(),
                content: Ok(data.to_vec()),
            }]),
        };
        let (db, diags) = techfile_core::advisory::load(&mut map, vec![dir]);
        props::places(&map, &diags);
        (
            format!("{:?}", db.sources),
            techfile_core::diag::render_json(&diags, &map),
        )
    };
    let (first, second) = (run(), run());
    props::same(&first.0, &second.0, "advisory sources");
    props::same(&first.1, &second.1, "advisory findings");
    let mut book = Book::lifecycle();
    book.advisories[0].1 = data.to_vec();
    whole_book(&book);
}

/// VEX documents, OpenVEX or CycloneDX (`vex::from_document`), alone and as the `vex`
/// setting's document of the lifecycle book, whose advisory its statements may settle,
/// expire (the book is judged on a date) or name wrongly.
pub fn vex(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let run = || {
        let mut map = SourceMap::new();
        let file = map.add("vex/fuzz.json", text);
        let mut statements = vex::Statements::default();
        let diags = vex::from_document(&map, file, &mut statements);
        props::places(&map, &diags);
        (
            format!("{:?}", statements.statements),
            techfile_core::diag::render_json(&diags, &map),
        )
    };
    let (first, second) = (run(), run());
    props::same(&first.0, &second.0, "VEX statements");
    props::same(&first.1, &second.1, "VEX findings");
    let mut book = Book::lifecycle();
    book.vex.push(("vex/fuzz.json".into(), data.to_vec()));
    whole_book(&book);
}

/// OWASP Threat Dragon import (`threat::dragon::import`): one result per input, and every
/// item file it writes reads back as an item, without a finding about its front-matter's
/// syntax: the import writes what the tool reads.
pub fn dragon(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let first = dragon::import(text);
    assert_eq!(first, dragon::import(text), "two imports differ");
    let Ok(imported) = first else { return };
    let mut map = SourceMap::new();
    for (path, content) in &imported.files {
        let file = map.add(path.clone(), content.as_str());
        let (item, diags) = load::parse_item(file, content);
        props::places(&map, &diags);
        assert!(
            item.is_some(),
            "the import wrote {path}, which reads as no item: {diags:?}"
        );
        for d in &diags {
            assert!(
                !matches!(
                    d.code,
                    Code::TomlSyntax | Code::MissingFrontMatter | Code::UnclosedFrontMatter
                ),
                "the import wrote {path} with {}: {}\n{content}",
                d.code.as_str(),
                d.message
            );
        }
    }
}
