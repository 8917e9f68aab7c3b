//! Security risk management: the risk views in a real `mdbook build` (register, matrices,
//! safety hand-over, criteria), custom scales, directive and configuration errors, and the
//! sample technical file.

use crate::common::{Book, item, repo_root, require, run, snapshot_findings};

/// A book with risks that use every risk key, a draft and an obsolete risk, and a chapter
/// per view. Text from items includes HTML to show it is escaped.
fn risk_book() -> Book {
    let mut book = Book::new("\n[preprocessor.techfile.coverage]\npractice = false\n")
    .file(
        "book/src/SUMMARY.md",
        "# Summary\n\n- [Views](chapter.md)\n- [Risks](risks.md)\n",
    )
    .file(
        "book/src/chapter.md",
        "# Views\n\n## Register\n\n{{#techfile risk-register}}\n\n## Initial\n\n{{#techfile risk-matrix initial}}\n\n## Residual\n\n{{#techfile risk-matrix residual}}\n\n## Handover\n\n{{#techfile safety-handover}}\n\n## Criteria\n\n{{#techfile risk-criteria}}\n\n## End\n",
    )
    .file(
        "book/src/risks.md",
        "# Risks\n\n{{#techfile items risk}}\n",
    );
    let files = [
        (
            "REQ-1",
            item(
                "REQ-1",
                "requirement",
                "Protect data",
                &["derives-from = [\"MDCG-SM\"]"],
                "",
            ),
        ),
        (
            "RSK-1",
            item(
                "RSK-1",
                "risk",
                "Stolen credentials",
                &[
                    "status = \"approved\"",
                    "asset = \"<script>alert(1)</script> portal & data\"",
                    "property = [\"confidentiality\", \"integrity\"]",
                    "vector = \"Login <form>\"",
                    "threat = \"An attacker signs in with a stolen password.\"",
                    "stride = [\"spoofing\"]",
                    "cve = [\"CVE-2024-12345\"]",
                    "cwe = [\"CWE-287\"]",
                    "exploitability = \"probable\"",
                    "severity = \"serious\"",
                    "residual-exploitability = \"remote\"",
                    "residual-severity = \"serious\"",
                    "safety-impact = true",
                    "safety-reference = \"HAZ-<b>12</b>\"",
                    "benefit-risk = \"Weighed by the board <i>today</i>.\\n\\nA blank line stays inside the cell.\"",
                ],
                "",
            ),
        ),
        (
            "RSK-2",
            item(
                "RSK-2",
                "risk",
                "Crafted request",
                &[
                    "status = \"in-review\"",
                    "asset = \"API\"",
                    "threat = \"A crafted request crashes the API.\"",
                    "cvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N\"",
                    "severity = \"serious\"",
                    "residual-exploitability = \"improbable\"",
                    "residual-severity = \"minor\"",
                    "safety-impact = false",
                ],
                "",
            ),
        ),
        (
            "RSK-3",
            item("RSK-3", "risk", "Still being analysed", &[], ""),
        ),
        (
            "RSK-4",
            item(
                "RSK-4",
                "risk",
                "Retired risk",
                &[
                    "status = \"obsolete\"",
                    "exploitability = \"frequent\"",
                    "severity = \"catastrophic\"",
                ],
                "",
            ),
        ),
        (
            "CTL-1",
            item(
                "CTL-1",
                "control",
                "Input validation",
                &[
                    "implements = [\"REQ-1\"]",
                    "mitigates = [\"RSK-1\", \"RSK-2\", \"RSK-3\"]",
                    "measure = \"design\"",
                ],
                "",
            ),
        ),
        (
            "CTL-2",
            item(
                "CTL-2",
                "control",
                "Warning in the IFU",
                &["implements = [\"REQ-1\"]", "mitigates = [\"RSK-1\"]"],
                "",
            ),
        ),
        (
            "TST-1",
            item(
                "TST-1",
                "test",
                "Fuzzing",
                &["verifies = [\"CTL-1\"]", "result = \"pass\""],
                "",
            ),
        ),
        (
            "TST-2",
            item(
                "TST-2",
                "test",
                "IFU review",
                &["verifies = [\"CTL-2\"]", "result = \"not-run\""],
                "",
            ),
        ),
    ];
    for (id, text) in files {
        book = book.file(&format!("requirements/{id}.md"), text);
    }
    book
}

/// The part of `page` between the headings with ids `from` and `to`.
fn section<'a>(page: &'a str, from: &str, to: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"{from}\""))
        .unwrap_or_else(|| panic!("heading {from} missing"));
    let end = page[start..]
        .find(&format!("id=\"{to}\""))
        .map_or(page.len(), |e| start + e);
    &page[start..end]
}

/// The `<td>` of the grid cell titled `title` ("probable / serious: unacceptable").
fn cell<'a>(grid: &'a str, title: &str) -> &'a str {
    let start = grid
        .find(&format!("title=\"{title}\""))
        .unwrap_or_else(|| panic!("cell {title} missing in {grid}"));
    let end = grid[start..].find("</td>").expect("cell closes") + start;
    &grid[start..end]
}

/// The quoted string a finding points at (its line and column), without the quotes.
fn quoted_at(book: &Book, v: &serde_json::Value) -> String {
    let text = book.read(v["file"].as_str().unwrap());
    let line = text
        .lines()
        .nth(v["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    let rest: String = line
        .chars()
        .skip(v["column"].as_u64().unwrap() as usize - 1)
        .collect();
    let inner = rest
        .strip_prefix('"')
        .unwrap_or_else(|| panic!("no string at {v}"));
    inner[..inner.find('"').unwrap()].to_string()
}

#[test]
fn risk_book_checks_clean() {
    let r = risk_book().check();
    assert_eq!(r.stdout, "", "{}", r.stderr);
    r.expect_code(0);
}

#[test]
fn risk_views_render_in_mdbook_build() {
    require!(Mdbook);
    let built = risk_book().build().expect_ok();
    let html = built.html();
    let page = built.page("chapter.html");

    // Register: one row per live risk, sorted, with levels, controls and verification.
    let register = section(&page, "register", "initial");
    let rows: Vec<&str> = register.split("<tr>").skip(2).collect();
    assert_eq!(
        rows.len(),
        3,
        "RSK-1..3, not the obsolete RSK-4: {register}"
    );
    assert!(rows[0].contains("href=\"risks.html#rsk-1\""));
    assert!(rows[1].contains("href=\"risks.html#rsk-2\""));
    assert!(rows[2].contains("href=\"risks.html#rsk-3\""));
    assert!(rows[0].contains(
        "probable / serious<br><span class=\"techfile-level techfile-risk-unacceptable\">unacceptable</span>"
    ));
    assert!(rows[0].contains(
        "remote / serious<br><span class=\"techfile-level techfile-risk-review\">review</span>"
    ));
    assert!(rows[0].contains("(secure design)"), "{}", rows[0]);
    assert!(rows[0].contains("<em>type not stated</em>"), "{}", rows[0]);
    assert!(rows[0].contains("(not run)"), "{}", rows[0]);
    assert!(rows[0].contains("href=\"https://www.cve.org/CVERecord?id=CVE-2024-12345\""));
    assert!(rows[0].contains("href=\"https://cwe.mitre.org/data/definitions/287.html\""));
    assert!(
        rows[0].contains("yes: HAZ-&lt;b&gt;12&lt;/b&gt;"),
        "{}",
        rows[0]
    );
    assert!(rows[0].contains(
        "Weighed by the board &lt;i&gt;today&lt;/i&gt;.<br><br>A blank line stays inside the cell."
    ));
    assert!(rows[1].contains("in-review"));
    assert!(rows[1].contains("CVSS exploitability 2.8"), "{}", rows[1]);
    assert!(rows[1].contains("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N"));
    assert!(rows[2].contains("not estimated"));
    assert!(rows[2].contains("not assessed"));
    assert!(!register.contains("rsk-4"));

    // The matrix before controls: both estimated risks share one unacceptable cell.
    let initial = section(&page, "initial", "residual");
    assert!(initial.contains("<caption>Before controls: 3 risks</caption>"));
    let c = cell(initial, "probable / serious: unacceptable");
    assert!(c.starts_with("title=\"probable / serious: unacceptable\""));
    assert!(initial.contains(
        "<td class=\"techfile-risk-unacceptable\" title=\"probable / serious: unacceptable\">"
    ));
    assert!(
        c.contains("<span class=\"techfile-risk-count\">2</span>"),
        "{c}"
    );
    assert!(c.contains("href=\"risks.html#rsk-1\"") && c.contains("href=\"risks.html#rsk-2\""));
    // Empty cells are coloured but hold no count.
    assert!(!cell(initial, "frequent / negligible: review").contains("techfile-risk-count"));
    assert_eq!(initial.matches("class=\"techfile-risk-count\"").count(), 1);
    assert!(initial.contains("Not estimated before controls:"));
    assert!(initial.contains("unacceptable</span> 2"), "totals");

    // After controls the two risks part ways.
    let residual = section(&page, "residual", "handover");
    let c = cell(residual, "remote / serious: review");
    assert!(
        c.contains("techfile-risk-count\">1<") && c.contains("#rsk-1"),
        "{c}"
    );
    let c = cell(residual, "improbable / minor: acceptable");
    assert!(
        c.contains("techfile-risk-count\">1<") && c.contains("#rsk-2"),
        "{c}"
    );
    assert!(residual.contains(
        "<td class=\"techfile-risk-acceptable\" title=\"improbable / minor: acceptable\">"
    ));

    // The hand-over lists the risk with a safety impact and flags the unassessed draft.
    let handover = section(&page, "handover", "criteria");
    assert!(handover.contains("techfile-safety-handover"));
    assert!(
        handover.contains("<td>HAZ-&lt;b&gt;12&lt;/b&gt;</td>"),
        "{handover}"
    );
    assert!(handover.contains("#rsk-1"));
    assert!(!handover.contains("#rsk-2\" title=\"Crafted request\">RSK-2</a> Crafted"));
    assert!(handover.contains("Safety impact not assessed yet:"));
    assert!(handover.contains("#rsk-3"));

    // The criteria: the configured 5x5 matrix and the CVSS table.
    let criteria = section(&page, "criteria", "end");
    assert_eq!(criteria.matches("<td class=\"techfile-risk-").count(), 25);
    assert_eq!(
        criteria
            .matches("<td class=\"techfile-risk-unacceptable\"")
            .count(),
        10
    );
    assert!(criteria.contains("<tr><td>frequent</td><td>3.5 to 3.9</td></tr>"));
    assert!(criteria.contains("<tr><td>improbable</td><td>0.1 to 0.6</td></tr>"));

    // The risk pages show the risk fields and the control's type.
    let risks = built.page("risks.html");
    assert!(risks.contains(
        "<td>Asset</td><td>&lt;script&gt;alert(1)&lt;/script&gt; portal &amp; data</td>"
    ));
    assert!(risks.contains("<td>Vector</td><td>Login &lt;form&gt;</td>"));
    assert!(
        risks.contains("id=\"rsk-4\""),
        "obsolete risks keep their page"
    );
    let controls = built.page("techfile/controls.html");
    assert!(controls.contains("<td>Measure</td><td>secure design</td>"));

    // Nothing from an item reaches the HTML unescaped.
    for (p, bytes) in &html {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("<script>alert(1)"), "raw script in {p}");
        assert!(!text.contains("<b>12</b>"), "raw markup in {p}");
    }
}

#[test]
fn custom_scales_drive_the_checks() {
    // A three-by-three scheme; the words of the default scales no longer exist.
    let book = risk_book().toml(
        "[preprocessor.techfile.risk]\nexploitability = [\"likely\", \"possible\", \"rare\"]\nseverity = [\"low\", \"medium\", \"high\"]\nmatrix = [\n  [\"review\", \"unacceptable\", \"unacceptable\"],\n  [\"acceptable\", \"review\", \"unacceptable\"],\n  [\"acceptable\", \"acceptable\", \"review\"],\n]\ncvss-thresholds = [2.5, 1.0]\n",
    );
    let r = book.check();
    r.expect_code(1);
    let findings = &r.findings;
    // Every word of the old scales is reported where it is written; the snapshot holds the
    // messages (the unknown word) and the help (the words of the configured scale).
    assert!(
        r.codes().iter().all(|&c| c == "invalid-value"),
        "{}",
        r.stdout
    );
    let words: Vec<String> = findings.iter().map(|v| quoted_at(&book, v)).collect();
    assert_eq!(
        words,
        [
            "probable",
            "serious",
            "remote",
            "serious",
            "serious",
            "improbable",
            "minor",
            "frequent",
            "catastrophic",
        ],
        "{}",
        r.stdout
    );
    assert_eq!(findings[0]["file"], "requirements/RSK-1.md");
    assert_eq!(findings[0]["line"], 13);
    snapshot_findings("custom_scales_old_words", findings);

    // With the words of the new scales, the CVSS vector maps through the new thresholds
    // (2.8 >= 2.5: likely), and likely / medium is unacceptable.
    let book = book
        .edit("requirements/RSK-1.md", |t| {
            t.replace("\"probable\"", "\"possible\"")
                .replace("\"remote\"", "\"rare\"")
                .replace("\"serious\"", "\"medium\"")
        })
        .edit("requirements/RSK-2.md", |t| {
            t.replace("severity = \"serious\"", "severity = \"medium\"")
                .replace(
                    "residual-exploitability = \"improbable\"",
                    "residual-cvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N\"",
                )
                .replace("\"minor\"", "\"medium\"")
        })
        .remove("requirements/RSK-4.md");
    let r = book.check();
    assert_eq!(r.codes(), ["residual-risk-unacceptable"], "{}", r.stdout);
    let v = &r.findings[0];
    // At the residual estimate, with the CVSS vector it came from as the related place.
    let rsk2 = book.read("requirements/RSK-2.md");
    let line_of = |key: &str| 1 + rsk2.lines().position(|l| l.starts_with(key)).unwrap();
    assert_eq!(v["file"], "requirements/RSK-2.md");
    assert_eq!(v["line"], line_of("residual-severity ="));
    assert_eq!(quoted_at(&book, v), "medium");
    assert_eq!(v["related"][0]["line"], line_of("residual-cvss ="));
    assert!(quoted_at(&book, &v["related"][0]).starts_with("CVSS:3.1/"));
    // The message names the new words (likely / medium), the related note the CVSS mapping.
    snapshot_findings("custom_scales_new_words", &r.findings);
}

#[test]
fn risk_directives_take_their_arguments() {
    let book = risk_book().file(
        "book/src/chapter.md",
        "# Views\n\n{{#techfile risk-matrix}}\n\n{{#techfile risk-matrix before}}\n\n{{#techfile risk-register all}}\n\n{{#techfile risk-regster}}\n",
    );
    let r = book.check();
    r.expect_code(1);
    let v = &r.findings;
    assert!(v.iter().all(|f| f["code"] == "unknown-directive"));
    let lines: Vec<u64> = v.iter().map(|f| f["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [3, 5, 7, 9], "one finding per directive");
    assert!(
        v.iter().all(|f| f["help"].is_string()),
        "each says how to write it"
    );
    snapshot_findings("risk_directive_arguments", v);
}

#[test]
fn a_bad_risk_configuration_is_a_usage_error() {
    let book =
        risk_book().toml("[preprocessor.techfile.risk]\nexploitability = [\"likely\", \"rare\"]\n");
    let r = book.run(&["check", "book", "--color", "never"]);
    r.expect_code(2);
    // The default matrix and thresholds do not fit a two-level scale: both are reported,
    // at the scale (their wording is in the config snapshots).
    assert_eq!(
        r.stdout.matches("error[config-invalid-value]").count(),
        2,
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("`risk.exploitability`"), "{}", r.stdout);
    assert!(
        r.stdout.ends_with("techfile: 2 errors, 0 warnings\n"),
        "{}",
        r.stdout
    );
}

/// The sample technical file uses every risk key and view and checks clean.
#[test]
fn the_sample_technical_file_checks_clean() {
    require!(Graphviz);
    let r = run(&repo_root(), &["check", "book", "--color", "never"]);
    assert_eq!(r.stdout, "techfile: no findings\n", "{}", r.stderr);
    r.expect_code(0);
}

/// CVSS vectors as advisories publish them (3.1 with temporal metrics, 3.0 with
/// environmental metrics, 4.0 and 2.0 cited beside a word) check clean and build.
#[test]
fn advisory_cvss_vectors_check_clean_and_build() {
    let book = Book::fixture("clean-cvss");
    let r = book.check();
    assert!(r.findings.is_empty(), "{}", r.stdout);
    r.expect_code(0);
    require!(Mdbook);
    let page = book.build().expect_ok().page("chapter.html");
    let register = section(&page, "register", "items");
    let rows: Vec<&str> = register.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 2, "{register}");
    // 3.1 with E:P/RL:O/RC:C: the base metrics give 3.9, frequent.
    assert!(rows[0].contains(
        "frequent / minor<br><span class=\"techfile-level techfile-risk-unacceptable\">unacceptable</span><br><small>CVSS exploitability 3.9: <code>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H/E:P/RL:O/RC:C</code></small>"
    ), "{}", rows[0]);
    assert!(rows[0].contains(
        "improbable / minor<br><span class=\"techfile-level techfile-risk-acceptable\">acceptable</span><br><small>CVSS exploitability 0.1: <code>CVSS:3.0/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L/CR:H/IR:X/MAV:P</code></small>"
    ), "{}", rows[0]);
    // 4.0 and 2.0: the words carry the estimate, the vectors are cited.
    assert!(rows[1].contains(
        "probable / minor<br><span class=\"techfile-level techfile-risk-review\">review</span><br><small>cited CVSS 4.0 vector, not mapped: <code>CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P/S:P/AU:N/U:Amber</code></small>"
    ), "{}", rows[1]);
    assert!(
        rows[1]
            .contains("cited CVSS 2.0 vector, not mapped: <code>AV:A/AC:H/Au:S/C:N/I:N/A:P</code>"),
        "{}",
        rows[1]
    );
}
