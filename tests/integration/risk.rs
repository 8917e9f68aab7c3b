//! Security risk management: the risk views in a real `mdbook build` (register, matrices,
//! safety hand-over, criteria), custom scales, directive and configuration errors, and the
//! sample technical file.

use crate::common::{BIN, check_json, codes_of, item, parse_json_lines, run, skeleton, write};
use crate::e2e::{build_ok, mdbook_ready, prepare};
use std::path::Path;

/// A book with risks that use every risk key, a draft and an obsolete risk, and a chapter
/// per view. Text from items includes HTML to show it is escaped.
fn risk_book(root: &Path) {
    assert!(!BIN.contains('\''));
    skeleton(
        root,
        &format!("command = '{BIN}'\n\n[preprocessor.techfile.coverage]\npractice = false\n"),
    );
    write(
        root,
        "book/src/SUMMARY.md",
        "# Summary\n\n- [Views](chapter.md)\n- [Risks](risks.md)\n",
    );
    write(
        root,
        "book/src/chapter.md",
        "# Views\n\n## Register\n\n{{#techfile risk-register}}\n\n## Initial\n\n{{#techfile risk-matrix initial}}\n\n## Residual\n\n{{#techfile risk-matrix residual}}\n\n## Handover\n\n{{#techfile safety-handover}}\n\n## Criteria\n\n{{#techfile risk-criteria}}\n\n## End\n",
    );
    write(
        root,
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
        write(root, &format!("requirements/{id}.md"), text);
    }
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

#[test]
fn risk_book_checks_clean() {
    let tmp = tempfile::tempdir().unwrap();
    risk_book(tmp.path());
    let r = check_json(tmp.path());
    assert_eq!(r.stdout, "", "{}", r.stderr);
    r.expect_code(0);
}

#[test]
fn risk_views_render_in_mdbook_build() {
    if !mdbook_ready("risk_views_render_in_mdbook_build") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    risk_book(tmp.path());
    let html = build_ok(tmp.path());
    let page = String::from_utf8(html["chapter.html"].clone()).unwrap();

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
    let risks = String::from_utf8(html["risks.html"].clone()).unwrap();
    assert!(risks.contains(
        "<td>Asset</td><td>&lt;script&gt;alert(1)&lt;/script&gt; portal &amp; data</td>"
    ));
    assert!(risks.contains("<td>Vector</td><td>Login &lt;form&gt;</td>"));
    assert!(
        risks.contains("id=\"rsk-4\""),
        "obsolete risks keep their page"
    );
    let controls = String::from_utf8(html["techfile/controls.html"].clone()).unwrap();
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
    let tmp = tempfile::tempdir().unwrap();
    risk_book(tmp.path());
    // A three-by-three scheme; the words of the default scales no longer exist.
    let toml = format!(
        "[book]\ntitle = \"Test book\"\n\n[preprocessor.techfile]\ncommand = '{BIN}'\n\n[preprocessor.techfile.coverage]\npractice = false\n\n[preprocessor.techfile.risk]\nexploitability = [\"likely\", \"possible\", \"rare\"]\nseverity = [\"low\", \"medium\", \"high\"]\nmatrix = [\n  [\"review\", \"unacceptable\", \"unacceptable\"],\n  [\"acceptable\", \"review\", \"unacceptable\"],\n  [\"acceptable\", \"acceptable\", \"review\"],\n]\ncvss-thresholds = [2.5, 1.0]\n"
    );
    write(tmp.path(), "book/book.toml", &toml);
    let r = check_json(tmp.path());
    r.expect_code(1);
    let findings = parse_json_lines(&r.stdout);
    let unknown: Vec<&str> = findings
        .iter()
        .filter(|v| v["code"] == "invalid-value")
        .map(|v| v["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        unknown,
        [
            "unknown exploitability level `probable`",
            "unknown severity level `serious`",
            "unknown exploitability level `remote`",
            "unknown severity level `serious`",
            "unknown severity level `serious`",
            "unknown exploitability level `improbable`",
            "unknown severity level `minor`",
            "unknown exploitability level `frequent`",
            "unknown severity level `catastrophic`",
        ],
        "{}",
        r.stdout
    );
    let help = findings[0]["help"].as_str().unwrap();
    assert!(help.contains("`likely`, `possible`, `rare`"), "{help}");
    assert_eq!(findings[0]["file"], "requirements/RSK-1.md");
    assert_eq!(findings[0]["line"], 13);

    // With the words of the new scales, the CVSS vector maps through the new thresholds
    // (2.8 >= 2.5: likely), and likely / medium is unacceptable.
    let rsk1 = std::fs::read_to_string(tmp.path().join("requirements/RSK-1.md"))
        .unwrap()
        .replace("\"probable\"", "\"possible\"")
        .replace("\"remote\"", "\"rare\"")
        .replace("\"serious\"", "\"medium\"");
    write(tmp.path(), "requirements/RSK-1.md", rsk1);
    let rsk2 = std::fs::read_to_string(tmp.path().join("requirements/RSK-2.md"))
        .unwrap()
        .replace("severity = \"serious\"", "severity = \"medium\"")
        .replace(
            "residual-exploitability = \"improbable\"",
            "residual-cvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N\"",
        )
        .replace("\"minor\"", "\"medium\"");
    write(tmp.path(), "requirements/RSK-2.md", rsk2);
    std::fs::remove_file(tmp.path().join("requirements/RSK-4.md")).unwrap();
    let r = check_json(tmp.path());
    assert_eq!(
        codes_of(&r.stdout),
        ["residual-risk-unacceptable"],
        "{}",
        r.stdout
    );
    let v = &parse_json_lines(&r.stdout)[0];
    assert_eq!(
        v["message"],
        "the residual risk of `RSK-2` is unacceptable: likely / medium"
    );
    assert_eq!(v["label"], "after controls: likely / medium (unacceptable)");
    assert_eq!(
        v["related"][0]["message"],
        "CVSS exploitability 2.8 maps to `likely`"
    );
}

#[test]
fn risk_directives_take_their_arguments() {
    let tmp = tempfile::tempdir().unwrap();
    risk_book(tmp.path());
    write(
        tmp.path(),
        "book/src/chapter.md",
        "# Views\n\n{{#techfile risk-matrix}}\n\n{{#techfile risk-matrix before}}\n\n{{#techfile risk-register all}}\n\n{{#techfile risk-regster}}\n",
    );
    let r = check_json(tmp.path());
    r.expect_code(1);
    let v = parse_json_lines(&r.stdout);
    let got: Vec<(&str, &str)> = v
        .iter()
        .map(|f| (f["message"].as_str().unwrap(), f["help"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "wrong arguments for `risk-matrix`",
                "write it as `{{#techfile risk-matrix initial|residual}}`"
            ),
            (
                "unknown risk matrix `before`",
                "write `{{#techfile risk-matrix initial}}` (before controls) or `{{#techfile risk-matrix residual}}` (after controls)"
            ),
            (
                "wrong arguments for `risk-register`",
                "write it as `{{#techfile risk-register}}`"
            ),
            (
                "unknown directive `risk-regster`",
                "did you mean `risk-register`?"
            ),
        ]
    );
    assert!(v.iter().all(|f| f["code"] == "unknown-directive"));
}

#[test]
fn a_bad_risk_configuration_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    risk_book(tmp.path());
    crate::common::append_book_toml(
        tmp.path(),
        "[preprocessor.techfile.risk]\nexploitability = [\"likely\", \"rare\"]\n",
    );
    let r = run(tmp.path(), &["check", "book", "--color", "never"]);
    r.expect_code(2);
    // The default matrix and thresholds do not fit a two-level scale: both are reported,
    // at the scale.
    for message in [
        "error[config-invalid-value]: `risk.exploitability` has 2 levels, but the default matrix is 5 × 5",
        "error[config-invalid-value]: the default CVSS thresholds fit five exploitability levels, but `risk.exploitability` has 2",
    ] {
        assert!(r.stdout.contains(message), "{message}\n{}", r.stdout);
    }
    assert!(
        r.stdout.ends_with("techfile: 2 errors, 0 warnings\n"),
        "{}",
        r.stdout
    );
}

/// The sample technical file uses every risk key and view and checks clean.
#[test]
fn the_sample_technical_file_checks_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let r = run(&root, &["check", "book", "--color", "never"]);
    assert_eq!(r.stdout, "techfile: no findings\n", "{}", r.stderr);
    r.expect_code(0);
}

/// CVSS vectors as advisories publish them (3.1 with temporal metrics, 3.0 with
/// environmental metrics, 4.0 and 2.0 cited beside a word) check clean and build.
#[test]
fn advisory_cvss_vectors_check_clean_and_build() {
    let dir = crate::common::fixture("clean-cvss");
    let r = check_json(&dir);
    assert_eq!(r.stdout, "", "{}", r.stderr);
    r.expect_code(0);
    if !mdbook_ready("advisory_cvss_vectors_check_clean_and_build") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    prepare("clean-cvss", tmp.path());
    let html = build_ok(tmp.path());
    let page = String::from_utf8(html["chapter.html"].clone()).unwrap();
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
