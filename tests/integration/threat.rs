//! The threat model: the views and data-flow diagrams in a real `mdbook build` (inline SVG,
//! links that resolve, byte-identical rebuilds), the model in `trace.json`, bad input with
//! its file and line, layout failures, and the Threat Dragon import.
//!
//! The diagrams need Graphviz `dot` on PATH (`apt-get install graphviz`): the tests that lay
//! out say `require!(Graphviz)`.

use crate::common::{Book, fixture, item, require, write};
use crate::e2e::link_and_id_problems;
use std::fs;
use std::path::Path;

/// The `<figure class="techfile-dfd">` blocks of a page.
fn figures(html: &str) -> Vec<&str> {
    html.match_indices("<figure class=\"techfile-dfd\">")
        .map(|(at, _)| {
            let end = html[at..].find("</figure>").expect("figure is closed");
            &html[at..at + end]
        })
        .collect()
}

#[test]
fn diagrams_are_inline_svg_with_working_links_and_the_same_bytes_every_build() {
    require!(Mdbook, Graphviz);
    let a = Book::fixture("clean-threat-model").build().expect_ok();
    let b = Book::fixture("clean-threat-model").build().expect_ok();
    let (ha, hb) = (a.html(), b.html());
    assert_eq!(ha.keys().collect::<Vec<_>>(), hb.keys().collect::<Vec<_>>());
    for (p, bytes) in &ha {
        assert!(bytes == &hb[p], "{p} differs between two builds");
    }
    let chapter = a.page("chapter.html");
    let figs = figures(&chapter);
    assert_eq!(figs.len(), 3, "whole model, one boundary, one element");
    for f in &figs {
        // mdBook 0.5 re-serialises the page and writes attribute names in lower case;
        // browsers restore `viewBox` when they parse SVG inside HTML.
        assert!(
            f.to_ascii_lowercase()
                .contains("<svg xmlns=\"http://www.w3.org/2000/svg\" viewbox=\"0 0 "),
            "{f}"
        );
        assert!(!f.contains("<script"), "no script in a diagram");
        assert!(!f.contains(" id=\""), "no ids in a diagram: {f}");
        assert!(f.contains("<figcaption>"));
    }
    let whole = figs[0];
    // Every element, flow and boundary is drawn, and a link to its item.
    for id in [
        "PRC-PATCH",
        "PRC-APP",
        "PRC-API",
        "DS-DB",
        "ACT-PATIENT",
        "DF-1",
        "DF-2",
        "DF-3",
        "DF-4",
    ] {
        assert!(whole.contains(&format!(">{id}<")), "{id} drawn");
    }
    for id in ["TB-CLOUD", "TB-DATA", "TB-PATCH", "TB-PHONE"] {
        assert!(whole.contains(&format!("({id})</text>")), "{id} drawn");
    }
    for (target, anchor) in [
        ("techfile/processes.html", "prc-patch"),
        ("techfile/data-stores.html", "ds-db"),
        ("techfile/data-flows.html", "df-1"),
        ("techfile/trust-boundaries.html", "tb-data"),
        ("techfile/actors.html", "act-patient"),
    ] {
        assert!(
            whole.contains(&format!("<a href=\"{target}#{anchor}\">")),
            "{target}#{anchor}"
        );
    }
    // Attacker profiles are not part of the system drawn.
    assert!(!whole.contains("ACT-RADIO"));
    // Titles from item files are escaped in the SVG.
    assert!(whole.contains("Cloud API &lt;v2&gt; &amp;"));
    assert!(!chapter.contains("Cloud API <v2>"));
    // The boundary view shows the elements outside it that exchange data with it.
    assert!(figs[1].contains("outside this view"));
    assert!(figs[1].contains(">PRC-APP<"));
    assert!(!figs[1].contains(">PRC-PATCH<"));
    let problems = link_and_id_problems(&a.out, &ha);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    // The element pages show the risks, controls and flows of each element.
    let processes = a.page("techfile/processes.html");
    let app = &processes[processes.find("id=\"prc-app\"").unwrap()..];
    let app = &app[..app.find("<h2").unwrap_or(app.len())];
    for expected in [
        "href=\"risks.html#rsk-1\"",
        "href=\"controls.html#ctl-1\"",
        "href=\"data-flows.html#df-1\"",
        "href=\"data-flows.html#df-2\"",
        "href=\"trust-boundaries.html#tb-phone\"",
    ] {
        assert!(app.contains(expected), "{expected} on the page of PRC-APP");
    }
    let risks = a.page("techfile/risks.html");
    assert!(risks.contains("Threatens element:"));
    assert!(risks.contains("href=\"processes.html#prc-app\""));
}

#[test]
fn the_views_show_the_matrix_the_interfaces_and_the_gaps() {
    let (outcome, pages) =
        mdbook_techfile::mdbook::render(&fixture("clean-threat-model").join("book"))
            .expect("renders");
    if !outcome.analysis.findings.is_empty() {
        // Without Graphviz the diagrams are findings; the views below do not need it.
        assert!(
            outcome
                .analysis
                .findings
                .iter()
                .all(|d| d.code.as_str() == "diagram-layout-failed"),
            "{:?}",
            outcome.analysis.findings
        );
    }
    let chapter = &pages
        .iter()
        .find(|p| p.path == "chapter.md")
        .unwrap()
        .content;
    let section = |h: &str| {
        let at = chapter.find(&format!("## {h}")).unwrap();
        let rest = &chapter[at + 3..];
        &rest[..rest.find("\n## ").unwrap_or(rest.len())]
    };
    let stride = section("STRIDE");
    assert!(stride.contains("<th title=\"Spoofing\">S</th>"));
    assert!(stride.contains("N/A:</span> The button only opens a pairing window"));
    assert!(stride.contains("no gaps"), "{stride}");
    assert!(!stride.contains("ACT-RADIO"), "attackers are not analysed");
    // A cell with a risk is coloured by the residual level.
    assert!(stride.contains("techfile-level techfile-id techfile-risk-"));
    let interfaces = section("Interfaces");
    for id in ["IF-API", "IF-BLE", "IF-BUTTON", "IF-DB"] {
        assert!(interfaces.contains(&format!("{id}</a>")), "{id}");
    }
    assert!(interfaces.contains("HTTPS<br>TLS 1.3<br>TCP 443"));
    assert!(interfaces.contains("inbound<br>network"));
    assert!(interfaces.contains("LESC bonding<br>AES-CCM link encryption"));
    // Sorted by element, then ID: DS-DB's port first, the patch's last.
    let order: Vec<usize> = ["IF-DB", "IF-API", "IF-BLE"]
        .iter()
        .map(|id| interfaces.find(&format!("{id}</a>")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    let flows = section("Data flows");
    let df2 = &flows[flows.find("df-2").unwrap()..];
    let df2 = &df2[..df2.find("</tr>").unwrap()];
    assert!(
        df2.contains("tb-cloud") && df2.contains("tb-phone"),
        "{df2}"
    );
    assert!(section("Assets").contains("held in"));
    assert!(section("Data stores").contains("10 years after the last examination"));
}

/// A one-chapter book with these items, the coverage rules of the threat model off (and
/// `coverage` lines added to that table), and `chapter` as its chapter.
fn book_with(items: &[(&str, String)], chapter: &str, coverage: &str) -> Book {
    let mut book = Book::new("")
        .toml(&format!(
            "[preprocessor.techfile.coverage]\npractice = false\nstride = false\nasset = false\ninterface = false\ncrossing = false\nrisk = false\n{coverage}"
        ))
        .file("book/src/chapter.md", chapter);
    for (name, text) in items {
        book = book.file(&format!("requirements/{name}.md"), text);
    }
    book
}

/// `(code, file, line, message)` of each finding of `check`.
fn findings(book: &Book) -> Vec<(String, String, u64, String)> {
    book.check()
        .findings
        .into_iter()
        .map(|v| {
            (
                v["code"].as_str().unwrap().to_string(),
                v["file"].as_str().unwrap_or_default().to_string(),
                v["line"].as_u64().unwrap_or(0),
                v["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn bad_references_in_the_model_are_reported_where_they_are_written() {
    let p = |id: &'static str| (id, item(id, "process", id, &[], ""));
    let tmp = book_with(
        &[
            p("PRC-1"),
            p("PRC-2"),
            ("AST-1", item("AST-1", "asset", "Data", &[], "")),
            (
                "RSK-1",
                item(
                    "RSK-1",
                    "risk",
                    "Risk",
                    &[
                        "elements = [\"PRC-NOPE\", \"AST-1\"]",
                        "data-flows = [\"PRC-1\"]",
                    ],
                    "",
                ),
            ),
            (
                "DF-1",
                item(
                    "DF-1",
                    "data-flow",
                    "Loop",
                    &["from = \"PRC-1\"", "to = \"PRC-1\""],
                    "",
                ),
            ),
            (
                "DF-2",
                item("DF-2", "data-flow", "No end", &["from = \"PRC-2\""], ""),
            ),
            (
                "TB-1",
                item(
                    "TB-1",
                    "trust-boundary",
                    "Self",
                    &["contains = [\"TB-1\", \"PRC-1\"]"],
                    "",
                ),
            ),
            (
                "TB-A",
                item(
                    "TB-A",
                    "trust-boundary",
                    "A",
                    &["contains = [\"TB-B\"]"],
                    "",
                ),
            ),
            (
                "TB-B",
                item(
                    "TB-B",
                    "trust-boundary",
                    "B",
                    &["contains = [\"TB-A\"]"],
                    "",
                ),
            ),
        ],
        "# Chapter\n",
        "",
    );
    let got = findings(&tmp);
    let expect = [
        (
            "unknown-id",
            "requirements/RSK-1.md",
            5,
            "`RSK-1` threatens element unknown ID `PRC-NOPE`",
        ),
        (
            "wrong-link-kind",
            "requirements/RSK-1.md",
            5,
            "a risk cannot `elements` an asset",
        ),
        (
            "wrong-link-kind",
            "requirements/RSK-1.md",
            6,
            "a risk cannot `data-flows` a process",
        ),
        (
            "invalid-value",
            "requirements/DF-1.md",
            6,
            "data flow `DF-1` goes from `PRC-1` to itself",
        ),
        (
            "missing-key",
            "requirements/DF-2.md",
            1,
            "missing required key `to`",
        ),
        (
            "invalid-value",
            "requirements/TB-1.md",
            5,
            "trust boundary `TB-1` contains itself",
        ),
        (
            "trace-cycle",
            "requirements/TB-A.md",
            5,
            "trace links form a cycle: TB-A -> TB-B -> TB-A",
        ),
    ];
    for (code, file, line, message) in expect {
        assert!(
            got.iter()
                .any(|g| g.0 == code && g.1 == file && g.2 == line && g.3 == message),
            "missing {code} at {file}:{line}: {message}\nin {got:#?}"
        );
    }
    assert_eq!(got.len(), expect.len(), "{got:#?}");
}

#[test]
fn an_empty_model_says_so_instead_of_a_diagram() {
    let tmp = book_with(
        &[("REQ-1", item("REQ-1", "requirement", "R", &[], ""))],
        "# Chapter\n\n{{#techfile data-flow-diagram}}\n\n{{#techfile stride}}\n\n{{#techfile interfaces}}\n",
        "requirement = false\n",
    );
    let (outcome, pages) = mdbook_techfile::mdbook::render(&tmp.path("book")).unwrap();
    assert!(
        outcome.analysis.findings.is_empty(),
        "{:?}",
        outcome.analysis.findings
    );
    let chapter = &pages[0].content;
    assert!(
        chapter.contains("the threat model has no actors, processes or data stores to draw yet")
    );
    assert!(chapter.contains("The threat model has no actors, processes, data stores"));
    assert!(chapter.contains("No interface items."));
    assert!(!chapter.contains("<svg"));
}

fn diagram_book(toml: &str, chapter: &str) -> Book {
    let p = |id: &'static str| (id, item(id, "process", id, &[], ""));
    book_with(
        &[
            p("PRC-1"),
            p("PRC-2"),
            (
                "DF-1",
                item(
                    "DF-1",
                    "data-flow",
                    "Upload",
                    &["from = \"PRC-1\"", "to = \"PRC-2\""],
                    "",
                ),
            ),
            ("REQ-1", item("REQ-1", "requirement", "R", &[], "")),
        ],
        chapter,
        &format!("requirement = false\n{toml}"),
    )
}

#[cfg(unix)]
#[test]
fn a_diagram_that_takes_too_long_to_lay_out_is_a_finding_with_its_size() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = diagram_book(
        "",
        "# Chapter\n\nText.\n\n{{#techfile data-flow-diagram}}\n",
    );
    let slow = tmp.path("slow-dot");
    fs::write(&slow, "#!/bin/sh\nexec sleep 60\n").unwrap();
    fs::set_permissions(&slow, fs::Permissions::from_mode(0o755)).unwrap();
    let tmp = tmp.toml(&format!(
        "[preprocessor.techfile.diagram]\ndot = '{}'\ntimeout = 0.5\n",
        slow.display()
    ));
    let started = std::time::Instant::now();
    let got = findings(&tmp);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "no hang"
    );
    assert_eq!(
        got,
        [(
            "diagram-too-large".to_string(),
            "book/src/chapter.md".to_string(),
            5,
            "laying out the data-flow diagram of 2 elements, 0 trust boundaries and 1 data flow took longer than 0.5 s".to_string()
        )]
    );
}

/// The settings of the threat model are read like every other: each error at its place in
/// book.toml with a help line, all of them at once, and the run stops as a usage error.
#[test]
fn stride_and_diagram_settings_are_reported_at_their_place_in_book_toml() {
    let book = Book::new("").toml(
        "[preprocessor.techfile.coverage]\nrisk_model = false\n\n[preprocessor.techfile.stride]\nactor = [\"spoofing\", \"spoofing\"]\ndata-flow = [\"tampering\", 3]\ndatastore = []\n\n[preprocessor.techfile.diagram]\ntimeout = \"30 s\"\nmax-elements = -1\ndot = \"\"\n",
    );
    let toml = book.read("book/book.toml");
    // `book/book.toml:line:column` of the `nth` occurrence of `needle`.
    let at = |needle: &str, nth: usize| {
        let offset = toml
            .match_indices(needle)
            .nth(nth)
            .unwrap_or_else(|| panic!("{needle} #{nth} in book.toml"))
            .0;
        let line = toml[..offset].matches('\n').count() + 1;
        let column = offset - toml[..offset].rfind('\n').map_or(0, |n| n + 1) + 1;
        format!("book/book.toml:{line}:{column}")
    };
    let run = book.check();
    run.expect_code(2);
    let got: Vec<(&str, String)> = run
        .findings
        .iter()
        .map(|v| (v["code"].as_str().unwrap(), crate::common::place(v)))
        .collect();
    assert_eq!(
        got,
        [
            ("config-unknown-key", at("risk_model", 0)),
            ("config-invalid-value", at("\"spoofing\"", 1)),
            ("config-wrong-type", at("3]", 0)),
            ("config-unknown-key", at("datastore", 0)),
            ("config-wrong-type", at("\"30 s\"", 0)),
            ("config-invalid-value", at("-1", 0)),
            ("config-invalid-value", at("\"\"", 0)),
        ],
        "{}",
        run.stdout
    );
    let help = |n: usize| run.findings[n]["help"].as_str().unwrap_or_default();
    assert_eq!(help(0), "did you mean `risk-model`?");
    assert_eq!(help(3), "did you mean `data-store`?");
    assert!(help(4).contains("timeout = 30"), "{}", help(4));
    assert!(run.findings.iter().all(|v| v["help"].is_string()));
}

#[test]
fn a_missing_layout_engine_names_the_package() {
    let tmp = diagram_book(
        "[preprocessor.techfile.diagram]\ndot = \"/nonexistent/dot\"\n",
        "# Chapter\n\n{{#techfile data-flow-diagram}}\n",
    );
    let run = tmp.check();
    assert_eq!(run.findings.len(), 1, "{}", run.stdout);
    let v = &run.findings[0];
    assert_eq!(v["code"], "diagram-layout-failed");
    assert_eq!(v["line"], 3);
    assert!(
        v["help"]
            .as_str()
            .unwrap()
            .contains("apt-get install graphviz")
    );
    run.expect_code(1);
}

#[test]
fn a_diagram_directive_names_a_boundary_or_an_element() {
    let tmp = diagram_book(
        "",
        "# Chapter\n\n{{#techfile data-flow-diagram PRC-9}}\n\n{{#techfile data-flow-diagram REQ-1}}\n\n{{#techfile data-flow-diagram PRC-1 PRC-2}}\n",
    );
    let got = findings(&tmp);
    let summary: Vec<(&str, u64)> = got.iter().map(|g| (g.0.as_str(), g.2)).collect();
    assert_eq!(
        summary,
        [
            ("unknown-reference", 3),
            ("unknown-directive", 5),
            ("unknown-directive", 7)
        ],
        "{got:#?}"
    );
    assert_eq!(
        got[1].3,
        "a data-flow diagram cannot be drawn around a requirement (`REQ-1`)"
    );
}

#[test]
fn trace_json_exports_the_threat_model_against_its_schema() {
    require!(Mdbook, Graphviz);
    let built = Book::fixture("clean-threat-model")
        .bundle("pdf = false")
        .build()
        .expect_ok();
    let text = fs::read_to_string(built.bundle_dir().join("trace.json")).unwrap();
    let trace: serde_json::Value = serde_json::from_str(&text).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("core/schemas/trace.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&trace)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let tm = &trace["threat-model"];
    let df2 = tm["data-flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "DF-2")
        .unwrap();
    assert_eq!(df2["crosses"], serde_json::json!(["TB-CLOUD", "TB-PHONE"]));
    let db = &tm["data-stores"][0];
    assert_eq!(db["inside"], serde_json::json!(["TB-CLOUD", "TB-DATA"]));
    // Every applicable pair: 1 actor x 2, 3 processes x 6, 1 store x 4, 4 flows x 3.
    let stride = tm["stride"].as_array().unwrap();
    assert_eq!(stride.len(), 2 + 18 + 4 + 12);
    assert!(stride.iter().all(|c| c["coverage"] != "gap"));
    let na: Vec<&serde_json::Value> = stride
        .iter()
        .filter(|c| c["coverage"] == "not-applicable")
        .collect();
    assert_eq!(na.len(), 2);
    assert!(na.iter().all(|c| c["element"] == "ACT-PATIENT"));
    // The model's references are links, with the kind of their target.
    let links = trace["links"].as_array().unwrap();
    assert!(links.iter().any(|l| l["from"] == "DF-1"
        && l["relation"] == "interfaces"
        && l["to"] == "IF-BLE"
        && l["to-kind"] == "interface"));
    assert!(links.iter().any(|l| l["from"] == "TB-CLOUD"
        && l["relation"] == "contains"
        && l["to-kind"] == "trust-boundary"));
    // A consumer is protected from a broken model section.
    let mut bad = trace.clone();
    bad["threat-model"]["stride"][0]["coverage"] = serde_json::json!("maybe");
    assert!(!validator.is_valid(&bad));
}

#[test]
fn threat_dragon_models_are_imported_once_and_never_overwritten() {
    let model =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/threat-dragon/insulin-pump.json");
    let tmp = Book::new("items = [\"../requirements\"]")
        .toml("[preprocessor.techfile.coverage]\npractice = false\n");
    let out = tmp.path("requirements/threat-model");
    let out_arg = out.to_str().unwrap();
    let first = tmp.run(&[
        "import-threat-dragon",
        model.to_str().unwrap(),
        "--out",
        out_arg,
    ]);
    first.expect_code(0);
    assert!(
        first.stdout.is_empty(),
        "stdout stays free: {}",
        first.stdout
    );
    assert!(
        first.stderr.contains("wrote 16 item files"),
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains("Loose end"),
        "notes name what was left out"
    );
    let written = crate::common::files_with_ext(&out, ".md");
    assert_eq!(written.len(), 16);
    // The imported items load without a single error of their own: what remains are the
    // gaps a reviewer closes (STRIDE, interfaces), open work while the items are drafts.
    let got = findings(&tmp);
    let load_codes = [
        "toml-syntax",
        "unknown-key",
        "wrong-type",
        "missing-key",
        "invalid-value",
        "misplaced-key",
        "unknown-id",
        "wrong-link-kind",
        "duplicate-id",
    ];
    assert!(
        got.iter().all(|g| !load_codes.contains(&g.0.as_str())),
        "{got:#?}"
    );
    // The imported items are drafts, so their STRIDE gaps are open work, not failures
    // (the draft rule), and `check --gaps` lists them.
    assert!(got.iter().all(|g| g.0 != "stride-gap"), "{got:#?}");
    let gaps = crate::common::parse_json_lines(
        &tmp.run(&["check", "book", "--gaps", "--format", "json"])
            .stdout,
    );
    assert!(
        gaps.iter()
            .any(|g| g["rule"] == "stride-gap" && g["open"] == "PRC-PHONE-APP"),
        "{gaps:?}"
    );
    // A second import into the same folder writes nothing and changes nothing.
    fs::write(out.join("processes/PRC-PHONE-APP.md"), "edited by hand\n").unwrap();
    let second = tmp.run(&[
        "import-threat-dragon",
        model.to_str().unwrap(),
        "--out",
        out_arg,
    ]);
    second.expect_code(2);
    assert!(second.stderr.contains("already exist"), "{}", second.stderr);
    assert!(
        second.stderr.contains("nothing was written"),
        "{}",
        second.stderr
    );
    assert_eq!(
        fs::read_to_string(out.join("processes/PRC-PHONE-APP.md")).unwrap(),
        "edited by hand\n"
    );
    // One existing file is enough to stop the whole import.
    let other = tmp.path("other");
    write(&other, "actors/ACT-PATIENT.md", "mine\n");
    tmp.run(&[
        "import-threat-dragon",
        model.to_str().unwrap(),
        "--out",
        other.to_str().unwrap(),
    ])
    .expect_code(2);
    assert_eq!(crate::common::files_with_ext(&other, ".md").len(), 1);
    // What is not a Threat Dragon model is refused with the reason.
    let tmp = tmp.file("not-a-model.json", "{\"bomFormat\": \"CycloneDX\"}");
    let bad = tmp.run(&["import-threat-dragon", "not-a-model.json", "--out", "x"]);
    bad.expect_code(2);
    assert!(
        bad.stderr.contains("not a Threat Dragon model"),
        "{}",
        bad.stderr
    );
}

/// The PDF's text from `pdftotext` with `args`, pages separated by form feeds.
fn pdf_text(pdf: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(args)
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Checks the PDF of the sample technical file (built by `bundle.rs`, which prints it once
/// for all the tests that read it): the interface table lists every interface item on the
/// pages of its section, the STRIDE matrix is there with every element, and the data-flow
/// diagrams are vector text, not pictures.
pub(crate) fn sample_pdf_has_the_threat_model(pdf: &Path, root: &Path) {
    let text = pdf_text(pdf, &["-layout"]);
    let pages: Vec<&str> = text.split('\u{c}').collect();
    // The last page with the heading: the printed contents list it first.
    let page_of = |needle: &str| {
        pages
            .iter()
            .rposition(|p| p.contains(needle))
            .unwrap_or_else(|| panic!("`{needle}` is on no page of the PDF"))
    };
    let ids_of = |folder: &str| -> Vec<String> {
        crate::common::files_with_ext(&root.join("requirements/threat-model").join(folder), ".md")
            .values()
            .map(|b| {
                let t = String::from_utf8_lossy(b).into_owned();
                t.lines()
                    .find_map(|l| l.strip_prefix("id = \"").and_then(|r| r.strip_suffix('"')))
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    // The interface table: from its heading in the user information to the next section.
    let start = page_of("3. Network ports and other interfaces");
    let end = page_of("4. Network and system diagram");
    let table = pages[start..=end].join("\n");
    let interfaces = ids_of("interfaces");
    assert!(interfaces.len() >= 20, "{interfaces:?}");
    // Each row's own ID stays on one line (other IDs in the narrow columns may wrap).
    let missing: Vec<&String> = interfaces
        .iter()
        .filter(|id| !table.contains(id.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "interfaces not on the pages {start}-{end} of the interface table: {missing:?}"
    );
    for heading in ["Interface", "Protocol", "Data"] {
        assert!(table.contains(heading), "{heading}");
    }
    // The STRIDE matrix, with every process of the model.
    let stride = page_of("STRIDE per element");
    let matrix = pages[stride..(stride + 12).min(pages.len())].join("\n");
    for id in ids_of("processes") {
        assert!(matrix.contains(&id), "{id} in the STRIDE matrix");
    }
    // A diagram: its labels are text in the PDF, on the page of its caption.
    let caption = page_of("Data-flow diagram of trust boundary TB-PATCH");
    let around = pages[caption.saturating_sub(1)..=caption].join("\n");
    for id in ["PRC-PATCH-FW", "DS-PATCH-KEYS", "DF-07", "(TB-PATCH)"] {
        assert!(around.contains(id), "{id} drawn as text in the PDF");
    }
}

/// The fenced `+++` items of README.md's section "The threat model".
fn readme_threat_model_examples() -> Vec<String> {
    let readme = fs::read_to_string(crate::common::repo_root().join("README.md"))
        .expect("README.md is readable");
    let start = readme
        .find("\n## The threat model\n")
        .expect("README.md has the section");
    let end = readme[start + 1..]
        .find("\n## ")
        .map_or(readme.len(), |e| start + 1 + e);
    let section = &readme[start..end];
    section
        .split("```markdown\n")
        .skip(1)
        .filter_map(|block| block.split("\n```").next())
        .filter(|b| b.starts_with("+++\n"))
        .map(|b| format!("{b}\n"))
        .collect()
}

#[test]
fn readme_threat_model_examples_load_cleanly() {
    use mdbook_techfile::core::model::{Kind, SourceMap};
    let examples = readme_threat_model_examples();
    let mut kinds = Vec::new();
    let mut map = SourceMap::new();
    for text in &examples {
        let file = map.add("README.md", text.clone());
        let (item, diags) = mdbook_techfile::core::load::parse_item(file, text);
        assert!(diags.is_empty(), "{text}\n{diags:?}");
        let item = item.expect("an item");
        // Approved: every key the kind requires from review on is there.
        assert_eq!(
            item.status,
            mdbook_techfile::core::model::Status::Approved,
            "{text}"
        );
        kinds.push(item.kind);
    }
    // One complete example per kind of the threat model.
    for kind in [
        Kind::Asset,
        Kind::Actor,
        Kind::Process,
        Kind::DataStore,
        Kind::Interface,
        Kind::DataFlow,
        Kind::TrustBoundary,
    ] {
        assert_eq!(
            kinds.iter().filter(|k| **k == kind).count(),
            1,
            "{kind} in {kinds:?}"
        );
    }
    // Together they are one model: every reference resolves, every flow that leaves the
    // phone goes through an interface of the right element, no key is missing. Only the
    // STRIDE analysis is left to risks, which the examples do not have.
    let mut book = Book::fixture("clean");
    for (n, text) in examples.iter().enumerate() {
        book = book.file(&format!("requirements/model/example-{n}.md"), text);
    }
    let checked = book.check();
    let in_examples: Vec<(String, String)> = checked
        .findings
        .iter()
        .filter(|f| {
            f["file"]
                .as_str()
                .is_some_and(|p| p.starts_with("requirements/model/"))
        })
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .filter(|(code, _)| !matches!(code.as_str(), "stride-gap" | "asset-not-analysed"))
        .collect();
    assert!(
        in_examples.is_empty(),
        "{in_examples:?}\n{}",
        checked.stdout
    );
}

#[test]
fn readme_lists_the_words_and_required_keys_of_the_threat_model() {
    use mdbook_techfile::core::model::{
        ActorType, AssetType, Direction, Exposure, InterfaceType, Kind, Need, Stride,
    };
    let readme = fs::read_to_string(crate::common::repo_root().join("README.md"))
        .expect("README.md is readable");
    let quoted = |words: &[&str]| {
        words
            .iter()
            .map(|w| format!("`{w}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (key, words) in [
        ("asset-type", AssetType::WORDS),
        ("confidentiality`, `integrity`, `availability", Need::WORDS),
        ("actor-type", ActorType::WORDS),
        ("interface-type", InterfaceType::WORDS),
        ("direction", Direction::WORDS),
        ("exposure", Exposure::WORDS),
    ] {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{key}` |")))
            .unwrap_or_else(|| panic!("no row for `{key}`"));
        assert!(row.contains(&quoted(words)), "{row}");
    }
    assert!(readme.contains(&quoted(Stride::WORDS)));
    for kind in [
        Kind::Asset,
        Kind::Actor,
        Kind::Process,
        Kind::DataStore,
        Kind::Interface,
        Kind::DataFlow,
        Kind::TrustBoundary,
    ] {
        // The row of the table of kinds: kind, what it is, required, required from
        // review on, optional.
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{kind}` |")) && l.split('|').count() == 7)
            .unwrap_or_else(|| panic!("no row for `{kind}`"));
        let cells: Vec<&str> = row.split('|').collect();
        let (always, for_review) = mdbook_techfile::core::load::model_required_keys(kind);
        let listed = |cell: &str| -> Vec<String> {
            cell.split(", ")
                .filter_map(|k| k.split('`').nth(1).map(str::to_string))
                .collect()
        };
        assert_eq!(listed(cells[3]), always, "{row}");
        assert_eq!(listed(cells[4]), for_review, "{row}");
    }
}
