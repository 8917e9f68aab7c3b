//! Small books held in memory, analysed as the edge would hand them to the core. The fuzz
//! targets that go through the whole pipeline lay their input over one of these, so each
//! run costs one analysis of a few items, not of a real technical file.

use std::collections::{BTreeMap, BTreeSet};
use techfile_core::config::Config;
use techfile_core::load::Input;
use techfile_core::sbom::SbomInput;
use techfile_core::{Analysis, BookInputs, ChapterInput, Inputs, Mode, analyse};

/// A trace that is complete, with a risk, an SBOM the items point into and every kind
/// of link, so that every generator has something to write.
pub const ITEMS: &[(&str, &str)] = &[
    (
        "requirements/REQ-1.md",
        "+++\nid = \"REQ-1\"\nkind = \"requirement\"\ntitle = \"Signed updates\"\nstatus = \"approved\"\nderives-from = [\"MDCG-SR\", \"MDR-17.4\"]\n+++\nThe device shall accept signed firmware only.\n",
    ),
    (
        "requirements/RSK-1.md",
        "+++\nid = \"RSK-1\"\nkind = \"risk\"\ntitle = \"Modified firmware\"\nstatus = \"approved\"\nasset = \"Firmware\"\nproperty = [\"integrity\"]\nthreat = \"An attacker installs modified firmware.\"\ncvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"\nseverity = \"critical\"\nresidual-exploitability = \"improbable\"\nresidual-severity = \"critical\"\nsafety-impact = true\nsafety-reference = \"HAZ-1\"\nbenefit-risk = \"Signing leaves only the key.\"\naffects = [\"pkg:cargo/serde@1.0.200\", \"app\"]\n+++\nSee {{#techfile ref REQ-1}}.\n",
    ),
    (
        "requirements/CTL-1.md",
        "+++\nid = \"CTL-1\"\nkind = \"control\"\ntitle = \"Signature check\"\nstatus = \"approved\"\nimplements = [\"REQ-1\"]\nmitigates = [\"RSK-1\"]\nmeasure = \"design\"\n+++\nThe boot loader checks the signature.\n",
    ),
    (
        "requirements/TST-1.md",
        "+++\nid = \"TST-1\"\nkind = \"test\"\ntitle = \"Unsigned image refused\"\nstatus = \"approved\"\nverifies = [\"CTL-1\"]\nresult = \"pass\"\n+++\nFlash an unsigned image.\n",
    ),
];

/// A CycloneDX 1.6 document with a component, a service and a dependency.
pub const SBOM: &str = r#"{
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "version": 1,
  "metadata": {
    "timestamp": "2026-01-01T00:00:00Z",
    "authors": [{"name": "Build"}],
    "component": {"type": "application", "name": "app", "version": "1.0", "bom-ref": "app"}
  },
  "components": [
    {"type": "library", "name": "serde", "version": "1.0.200", "purl": "pkg:cargo/serde@1.0.200",
     "bom-ref": "serde", "supplier": {"name": "serde-rs"}},
    {"type": "library", "group": "org.example", "name": "lib", "version": "2.0.0-rc.1",
     "purl": "pkg:maven/org.example/lib@2.0.0-rc.1?type=jar"}
  ],
  "services": [{"bom-ref": "api", "name": "update api"}],
  "dependencies": [{"ref": "app", "dependsOn": ["serde"]}, {"ref": "serde"}]
}
"#;

/// The chapters of the base book: every directive, on pages that link to each other.
pub const CHAPTERS: &[(&str, &str)] = &[
    (
        "overview.md",
        "# Overview\n\n{{#techfile summary}}\n\n{{#techfile matrix}}\n\nSee [the register](risks.md#risk-register) and {{#techfile ref CTL-1}}.\n",
    ),
    (
        "risks.md",
        "# Risk register\n\n{{#techfile risk-register}}\n\n{{#techfile risk-matrix initial}}\n\n{{#techfile risk-matrix residual}}\n\n{{#techfile safety-handover}}\n\n{{#techfile risk-criteria}}\n",
    ),
    (
        "items.md",
        "# Items\n\n{{#techfile items requirement}}\n\n{{#techfile items risk}}\n\n{{#techfile items control}}\n\n{{#techfile items test}}\n",
    ),
    (
        "more.md",
        "# More\n\n{{#techfile practices}}\n\n{{#techfile checklist mdr}}\n\n{{#techfile reviews}}\n\n{{#techfile sbom app.cdx.json}}\n\n{{#techfile document-control}}\n",
    ),
];

/// One book as the edge would gather it; every field is text the caller may replace.
#[derive(Clone, Debug)]
pub struct Book {
    pub config: Config,
    /// `book.toml`: only hashed and pointed at, the configuration is `config`.
    pub book_toml: String,
    /// `(path relative to src, text)` in reading order.
    pub chapters: Vec<(String, Vec<u8>)>,
    /// Other files under `src` (includes), by path relative to `src`.
    pub files: BTreeMap<String, Vec<u8>>,
    /// `(path relative to the book's parent, text)`.
    pub items: Vec<(String, Vec<u8>)>,
    pub sboms: Vec<(String, Vec<u8>)>,
    pub reviews: Vec<(String, Vec<u8>)>,
}

impl Book {
    /// The base book: [`ITEMS`], [`SBOM`] and [`CHAPTERS`], default configuration.
    pub fn base() -> Book {
        Book {
            config: Config::default(),
            book_toml: "[book]\ntitle = \"Fuzz\"\n\n[preprocessor.techfile]\n".into(),
            chapters: CHAPTERS
                .iter()
                .map(|(p, t)| ((*p).to_string(), t.as_bytes().to_vec()))
                .collect(),
            files: BTreeMap::new(),
            items: ITEMS
                .iter()
                .map(|(p, t)| ((*p).to_string(), t.as_bytes().to_vec()))
                .collect(),
            sboms: vec![("sboms/app.cdx.json".into(), SBOM.as_bytes().to_vec())],
            reviews: Vec::new(),
        }
    }

    /// A book of items and SBOMs only, with no chapters (what `check` reads for a book
    /// whose chapters place nothing).
    pub fn without_chapters(mut self) -> Book {
        self.chapters.clear();
        self
    }

    /// The inputs as the edge hands them to [`analyse`].
    pub fn inputs(&self) -> Inputs {
        let input = |name: &str, bytes: &[u8]| Input {
            name: name.to_string(),
            path: name.to_string(),
            content: Ok(bytes.to_vec()),
        };
        let mut src_files: BTreeSet<String> = self.files.keys().cloned().collect();
        src_files.extend(self.chapters.iter().map(|(p, _)| p.clone()));
        src_files.insert("SUMMARY.md".into());
        let mut items: Vec<Input> = self.items.iter().map(|(p, t)| input(p, t)).collect();
        items.sort_by(|a, b| a.path.cmp(&b.path));
        Inputs {
            config: self.config.clone(),
            items,
            sboms: self
                .sboms
                .iter()
                .map(|(p, t)| SbomInput {
                    input: input(p, t),
                    key: p.rsplit('/').next().unwrap_or(p).to_string(),
                })
                .collect(),
            reviews: self.reviews.iter().map(|(p, t)| input(p, t)).collect(),
            book: BookInputs {
                book_toml: Some(input("book/book.toml", self.book_toml.as_bytes())),
                summary: Some(input("book/src/SUMMARY.md", b"# Summary\n")),
                chapters: self
                    .chapters
                    .iter()
                    .map(|(p, t)| ChapterInput {
                        file: input(&format!("book/src/{p}"), t),
                        path: p.clone(),
                        source: Some(p.clone()),
                        text: None,
                    })
                    .collect(),
                src_files,
                included: self
                    .files
                    .iter()
                    .map(|(p, t)| (p.clone(), input(&format!("book/src/{p}"), t)))
                    .collect(),
                src_root: vec!["fuzz".into(), "book".into(), "src".into()],
                ..BookInputs::default()
            },
            stamp: None,
        }
    }

    /// Analyses the book.
    pub fn analyse(&self, mode: Mode) -> Analysis {
        analyse(self.inputs(), mode)
    }
}
