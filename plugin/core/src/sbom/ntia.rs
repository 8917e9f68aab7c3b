//! The NTIA minimum elements of an SBOM ("The Minimum Elements For a Software Bill of
//! Materials", NTIA 2021), checked per component and per document.
//!
//! | element | CycloneDX field | code |
//! |---|---|---|
//! | supplier name | `component.supplier` (name or URL) | `sbom-missing-supplier` |
//! | component name | `component.name` | required by the schema |
//! | version | `component.version` | `sbom-missing-version` |
//! | other unique identifiers | `purl`, `cpe`, `swid.tagId`, `omniborId`, `swhid` | `sbom-missing-identifier` |
//! | dependency relationship | the component appears in `dependencies` | `sbom-missing-dependencies` |
//! | author of SBOM data | `metadata.authors` (or `metadata.manufacturer` from 1.6) | `sbom-missing-author` |
//! | timestamp | `metadata.timestamp` | `sbom-missing-timestamp` |
//!
//! The codes default to `warn`; a book sets them to `deny` or `allow` with the usual
//! `severity` table.

use super::{Component, Sbom};
use crate::diag::{Code, Diagnostic};

/// Per SBOM and code, this many components are reported one by one; the rest are counted in
/// one closing finding. The SBOM's page in the book lists every gap.
pub(crate) const MAX_PER_CODE: usize = 20;

/// The component-level elements, in the order the book lists them.
pub(crate) const COMPONENT_ELEMENTS: [(Code, &str); 4] = [
    (Code::SbomMissingSupplier, "supplier"),
    (Code::SbomMissingVersion, "version"),
    (Code::SbomMissingIdentifier, "unique identifier"),
    (Code::SbomMissingDependencies, "dependency relationship"),
];

/// Whether a component lacks the element of `code`. `has_graph`: the SBOM has a
/// `dependencies` array at all.
pub(crate) fn lacks(code: Code, c: &Component, has_graph: bool) -> bool {
    match code {
        Code::SbomMissingSupplier => c.supplier.is_none(),
        Code::SbomMissingVersion => c.version.is_none(),
        Code::SbomMissingIdentifier => c.purl.is_none() && c.cpe.is_none() && c.other_id.is_none(),
        Code::SbomMissingDependencies => !has_graph || !c.in_graph,
        _ => false,
    }
}

fn help(code: Code) -> &'static str {
    match code {
        Code::SbomMissingSupplier => {
            "name who supplies the component: `\"supplier\": {\"name\": \"...\"}`"
        }
        Code::SbomMissingVersion => "state the component's version: `\"version\": \"1.2.3\"`",
        Code::SbomMissingIdentifier => {
            "add a package URL (`\"purl\": \"pkg:...\"`) or a CPE, so the component can be matched against vulnerability databases"
        }
        Code::SbomMissingDependencies => {
            "give the component a `bom-ref` and list it in `dependencies` (a component without dependencies gets an entry with an empty `dependsOn`)"
        }
        _ => "",
    }
}

/// Every NTIA finding of the loaded SBOMs.
pub fn check(sboms: &[Sbom]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for sbom in sboms {
        if sbom.authors.is_empty() {
            out.push(
                Diagnostic::new(Code::SbomMissingAuthor, "SBOM names no author")
                    .at(sbom.metadata_span, "no `authors` in the metadata")
                    .help("say who created the SBOM data: `\"metadata\": {\"authors\": [{\"name\": \"...\"}]}`"),
            );
        }
        if sbom.timestamp.is_none() {
            out.push(
                Diagnostic::new(Code::SbomMissingTimestamp, "SBOM has no timestamp")
                    .at(sbom.metadata_span, "no `timestamp` in the metadata")
                    .help("record when the SBOM data were assembled: `\"metadata\": {\"timestamp\": \"2026-01-31T12:00:00Z\"}`"),
            );
        }
        if !sbom.has_dependencies && !sbom.components.is_empty() {
            out.push(
                Diagnostic::new(
                    Code::SbomMissingDependencies,
                    format!(
                        "SBOM has no dependency graph: none of its {} components has a dependency relationship",
                        sbom.components.len()
                    ),
                )
                .at(sbom.root_span, "no `dependencies` in this SBOM")
                .help(help(Code::SbomMissingDependencies)),
            );
        }
        for (code, element) in COMPONENT_ELEMENTS {
            if code == Code::SbomMissingDependencies && !sbom.has_dependencies {
                continue;
            }
            let mut missing = sbom
                .components
                .iter()
                .filter(|c| lacks(code, c, sbom.has_dependencies));
            for c in missing.by_ref().take(MAX_PER_CODE) {
                out.push(
                    Diagnostic::new(code, format!("component `{}` has no {element}", c.label()))
                        .at(c.span, format!("no {element}"))
                        .help(help(code)),
                );
            }
            let rest = missing.count();
            if rest > 0 {
                out.push(
                    Diagnostic::new(
                        code,
                        format!("{rest} more components of this SBOM have no {element}"),
                    )
                    .at(sbom.root_span, "this SBOM")
                    .help("the SBOM's page in the book lists every component with a gap"),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceMap;

    /// A CycloneDX document of `version` with these components (JSON objects, one per
    /// line from line 6 on), `metadata` and `dependencies` as given.
    fn sbom(
        version: &str,
        metadata: &str,
        components: &[&str],
        deps: Option<&str>,
    ) -> (Sbom, SourceMap) {
        let deps = deps.map_or(String::new(), |d| format!(",\n\"dependencies\": {d}"));
        let text = format!(
            "{{\"bomFormat\": \"CycloneDX\",\n\"specVersion\": \"{version}\",\n\"version\": 1,\n\"metadata\": {metadata},\n\"components\": [\n{}\n]{deps}}}\n",
            components.join(",\n")
        );
        let mut map = SourceMap::new();
        let file = map.add("a.cdx.json", text.clone());
        let (s, d) = crate::sbom::parse(file, &text);
        assert!(d.is_empty(), "{d:?}\n{text}");
        (s.expect("a valid SBOM"), map)
    }

    const META: &str =
        "{\"timestamp\": \"2026-01-01T00:00:00Z\", \"authors\": [{\"name\": \"A\"}]}";

    fn found(d: &[Diagnostic], map: &SourceMap) -> Vec<(&'static str, (usize, usize))> {
        d.iter()
            .map(|d| {
                let span = d.primary.as_ref().expect("located").span;
                (
                    d.code.as_str(),
                    map.get(span.file).line_col(span.start as usize),
                )
            })
            .collect()
    }

    #[test]
    fn every_unique_identifier_counts() {
        let (s, _) = sbom(
            "1.6",
            META,
            &[
                r#"{"type": "library", "bom-ref": "p", "name": "p", "version": "1", "supplier": {"name": "S"}, "purl": "pkg:npm/p@1"}"#,
                r#"{"type": "library", "bom-ref": "c", "name": "c", "version": "1", "supplier": {"name": "S"}, "cpe": "cpe:2.3:a:v:c:1:*:*:*:*:*:*:*"}"#,
                r#"{"type": "library", "bom-ref": "w", "name": "w", "version": "1", "supplier": {"name": "S"}, "swid": {"tagId": "t", "name": "w"}}"#,
                r#"{"type": "library", "bom-ref": "o", "name": "o", "version": "1", "supplier": {"name": "S"}, "omniborId": ["gitoid:blob:sha1:261eeb9e9f8b2b4b0d119366dda99c6fd7d35c64"]}"#,
                r#"{"type": "library", "bom-ref": "h", "name": "h", "version": "1", "supplier": {"url": ["https://s.example"]}, "swhid": ["swh:1:cnt:94a9ed024d3859793618152ea559a168bbcbb5e2"]}"#,
                r#"{"type": "library", "bom-ref": "n", "name": "n", "version": "1", "supplier": {"name": "S"}}"#,
            ],
            Some(r#"[{"ref": "p", "dependsOn": ["c", "w", "o", "h", "n"]}]"#),
        );
        let ids: Vec<bool> = s
            .components
            .iter()
            .map(|c| lacks(Code::SbomMissingIdentifier, c, true))
            .collect();
        assert_eq!(ids, [false, false, false, false, false, true]);
        // A supplier given only by its URL is a supplier.
        assert!(!lacks(Code::SbomMissingSupplier, &s.components[4], true));
        let d = check(std::slice::from_ref(&s));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::SbomMissingIdentifier);
        assert!(d[0].message.contains("`n"), "{}", d[0].message);
    }

    #[test]
    fn gaps_point_at_the_component_and_the_metadata() {
        let (s, map) = sbom(
            "1.5",
            "{}",
            &[
                r#"{"type": "library", "bom-ref": "a", "name": "a", "version": "1", "supplier": {"name": "S"}, "purl": "pkg:npm/a@1"}"#,
                r#"{"type": "library", "name": "b"}"#,
            ],
            Some(r#"[{"ref": "a", "dependsOn": []}]"#),
        );
        let d = check(std::slice::from_ref(&s));
        // The document has neither author nor timestamp (at `metadata`, line 4); `b` has
        // none of the component elements (at its name, line 7), and is outside the graph.
        assert_eq!(
            found(&d, &map),
            [
                ("sbom-missing-author", (4, 13)),
                ("sbom-missing-timestamp", (4, 13)),
                ("sbom-missing-supplier", (7, 29)),
                ("sbom-missing-version", (7, 29)),
                ("sbom-missing-identifier", (7, 29)),
                ("sbom-missing-dependencies", (7, 29)),
            ]
        );
        assert!(
            d.iter()
                .all(|d| d.severity == crate::diag::Severity::Warning)
        );
        assert!(d.iter().all(|d| d.help.is_some()));
    }

    #[test]
    fn the_manufacturer_is_the_author_from_1_6_on() {
        let meta = "{\"timestamp\": \"2026-01-01T00:00:00Z\", \"manufacturer\": {\"name\": \"M\"}}";
        let comp = [
            r#"{"type": "library", "bom-ref": "a", "name": "a", "version": "1", "supplier": {"name": "S"}, "purl": "pkg:npm/a@1"}"#,
        ];
        let deps = Some(r#"[{"ref": "a"}]"#);
        let (s16, _) = sbom("1.6", meta, &comp, deps);
        assert!(check(&[s16]).is_empty());
        let (s17, _) = sbom("1.7", meta, &comp, deps);
        assert!(check(&[s17]).is_empty());
    }

    #[test]
    fn without_a_dependency_graph_one_finding_says_so() {
        let comps: Vec<String> = (0..3)
            .map(|i| format!(r#"{{"type": "library", "name": "c{i}", "version": "1", "supplier": {{"name": "S"}}, "purl": "pkg:npm/c{i}@1"}}"#))
            .collect();
        let comps: Vec<&str> = comps.iter().map(String::as_str).collect();
        let (s, map) = sbom("1.6", META, &comps, None);
        let d = check(std::slice::from_ref(&s));
        assert_eq!(found(&d, &map), [("sbom-missing-dependencies", (1, 1))]);
        assert!(d[0].message.contains('3'), "{}", d[0].message);
        // An SBOM without components needs no graph.
        let (empty, _) = sbom("1.6", META, &[], None);
        assert!(check(&[empty]).is_empty());
    }

    #[test]
    fn the_cap_applies_per_sbom_and_code() {
        let comps: Vec<String> = (0..MAX_PER_CODE + 5)
            .map(|i| format!(r#"{{"type": "library", "bom-ref": "c{i}", "name": "c{i}", "purl": "pkg:npm/c{i}@1", "supplier": {{"name": "S"}}}}"#))
            .collect();
        let comps: Vec<&str> = comps.iter().map(String::as_str).collect();
        let deps = format!(
            "[{}]",
            (0..MAX_PER_CODE + 5)
                .map(|i| format!(r#"{{"ref": "c{i}"}}"#))
                .collect::<Vec<_>>()
                .join(",")
        );
        let (a, _) = sbom("1.6", META, &comps, Some(&deps));
        let (b, _) = sbom("1.6", META, &comps, Some(&deps));
        let d = check(&[a, b]);
        // Per SBOM: twenty one by one, then "5 more".
        assert_eq!(d.len(), 2 * (MAX_PER_CODE + 1));
        assert!(d.iter().all(|d| d.code == Code::SbomMissingVersion));
        let summaries: Vec<&str> = d
            .iter()
            .filter(|d| d.message.starts_with("5 more"))
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(summaries.len(), 2, "{d:?}");
    }
}
