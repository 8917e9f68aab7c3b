//! Small books held in memory, analysed as the edge would hand them to the core. The fuzz
//! targets that go through the whole pipeline lay their input over one of these, so each
//! run costs one analysis of a few items, not of a real technical file.

use std::collections::{BTreeMap, BTreeSet};
use techfile_core::advisory::{AdvisoryDir, AdvisoryFile};
use techfile_core::config::Config;
use techfile_core::evidence::EvidenceFile;
use techfile_core::load::Input;
use techfile_core::model::Date;
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

/// A small threat model: an actor outside a trust boundary, a process and a data store
/// inside it, flows between them (one through an interface), an asset, and a risk on them.
pub const THREAT_ITEMS: &[(&str, &str)] = &[
    (
        "requirements/ACT-USER.md",
        "+++\nid = \"ACT-USER\"\nkind = \"actor\"\ntitle = \"Clinician\"\nactor-type = \"user\"\n+++\nBody of ACT-USER.\n",
    ),
    (
        "requirements/PRC-APP.md",
        "+++\nid = \"PRC-APP\"\nkind = \"process\"\ntitle = \"Mobile <app>\"\ntechnology = \"Kotlin & Swift\"\n+++\nBody of PRC-APP.\n",
    ),
    (
        "requirements/DS-DB.md",
        "+++\nid = \"DS-DB\"\nkind = \"data-store\"\ntitle = \"Readings store\"\nassets = [\"AST-ECG\"]\nencryption = \"AES-256\"\n+++\nBody of DS-DB.\n",
    ),
    (
        "requirements/TB-PHONE.md",
        "+++\nid = \"TB-PHONE\"\nkind = \"trust-boundary\"\ntitle = \"Phone\"\ncontains = [\"PRC-APP\", \"DS-DB\"]\n+++\nBody of TB-PHONE.\n",
    ),
    (
        "requirements/IF-UI.md",
        "+++\nid = \"IF-UI\"\nkind = \"interface\"\ntitle = \"Touch screen\"\nelement = \"PRC-APP\"\npeers = [\"ACT-USER\"]\ninterface-type = \"hmi\"\nexposure = \"physical\"\n+++\nBody of IF-UI.\n",
    ),
    (
        "requirements/AST-ECG.md",
        "+++\nid = \"AST-ECG\"\nkind = \"asset\"\ntitle = \"ECG readings\"\nasset-type = \"data\"\nconfidentiality = \"high\"\nintegrity = \"high\"\navailability = \"medium\"\n+++\nBody of AST-ECG.\n",
    ),
    (
        "requirements/DF-1.md",
        "+++\nid = \"DF-1\"\nkind = \"data-flow\"\ntitle = \"Commands\"\nfrom = \"ACT-USER\"\nto = \"PRC-APP\"\ninterfaces = [\"IF-UI\"]\n+++\nBody of DF-1.\n",
    ),
    (
        "requirements/DF-2.md",
        "+++\nid = \"DF-2\"\nkind = \"data-flow\"\ntitle = \"Readings\"\nfrom = \"PRC-APP\"\nto = \"DS-DB\"\nassets = [\"AST-ECG\"]\n+++\nBody of DF-2.\n",
    ),
    (
        "requirements/RSK-2.md",
        "+++\nid = \"RSK-2\"\nkind = \"risk\"\ntitle = \"Readings read on a lost phone\"\nasset = \"See assets\"\nthreat = \"Someone reads the store.\"\nexploitability = \"occasional\"\nseverity = \"serious\"\nresidual-exploitability = \"remote\"\nresidual-severity = \"minor\"\nsafety-impact = false\nassets = [\"AST-ECG\"]\nelements = [\"DS-DB\", \"PRC-APP\", \"ACT-USER\"]\ninterfaces = [\"IF-UI\"]\nstride = [\"spoofing\", \"tampering\", \"repudiation\", \"information-disclosure\", \"denial-of-service\", \"elevation-of-privilege\"]\n+++\nBody of RSK-2.\n",
    ),
];

/// A chapter with every threat-model directive.
pub const THREAT_CHAPTER: &str = "# Threat model\n\n{{#techfile data-flow-diagram}}\n\n{{#techfile data-flow-diagram TB-PHONE}}\n\n{{#techfile stride}}\n\n{{#techfile interfaces}}\n\n{{#techfile assets}}\n\n{{#techfile data-stores}}\n\n{{#techfile data-flows}}\n\n{{#techfile trust-boundaries}}\n";

/// A JUnit report with a passed, a failed and a skipped case and the version property.
pub const JUNIT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="fw">
  <testsuite name="boot" tests="3" failures="1" skipped="1">
    <properties><property name="version" value="1.0"/></properties>
    <testcase classname="boot.Signature" name="refuses_unsigned" time="0.1"/>
    <testcase classname="boot.Signature" name="accepts_signed" time="0.2">
      <failure message="signature &lt;rejected&gt;">trace</failure>
    </testcase>
    <testcase classname="boot.Update" name="rollback"><skipped/></testcase>
  </testsuite>
</testsuites>
"#;

/// A support table over the base SBOM's components.
pub const SUPPORT: &str = r#"[[component]]
purl = "pkg:cargo/*"
level = "active"
end-of-support = "none"
source = "Maintained upstream"

[[component]]
purl = "pkg:maven/org.example/lib"
versions = "2.*"
level = "limited"
end-of-support = 2026-07-01
source = "Contract <ESC-1>"
"#;

/// An OSV record that calls serde unmaintained.
pub const OSV: &str = r#"{
  "id": "RUSTSEC-2026-0001",
  "modified": "2026-01-01T00:00:00Z",
  "summary": "serde is <unmaintained>",
  "affected": [{"package": {"ecosystem": "crates.io", "name": "serde", "purl": "pkg:cargo/serde"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}],
    "database_specific": {"informational": "unmaintained"}}],
  "database_specific": {"informational": "unmaintained"}
}
"#;

/// An OpenVEX document that settles the base book's record for serde: not affected, with
/// a justification.
pub const OPENVEX: &str = r#"{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/fuzz-1",
  "author": "PSIRT <psirt@example.com>",
  "timestamp": "2026-02-01T00:00:00Z",
  "version": 1,
  "statements": [{
    "vulnerability": {"name": "RUSTSEC-2026-0001", "aliases": ["CVE-2026-0001"]},
    "products": [{"@id": "pkg:cargo/serde@1.0.200"}],
    "status": "not_affected",
    "justification": "vulnerable_code_not_in_execute_path",
    "last_updated": "2026-02-01T00:00:00Z"
  }]
}
"#;

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
    /// Support tables, advisory records (OSV JSON, under the folders of
    /// `config.advisories`), VEX documents (the `vex` setting's) and evidence files, by path
    /// relative to the book's parent (evidence: relative to the evidence folder).
    pub support: Vec<(String, Vec<u8>)>,
    pub advisories: Vec<(String, Vec<u8>)>,
    pub vex: Vec<(String, Vec<u8>)>,
    pub evidence: Vec<(String, Vec<u8>)>,
    /// The day the date checks are judged on (`check --today`).
    pub today: Option<Date>,
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
            support: Vec::new(),
            advisories: Vec::new(),
            vex: Vec::new(),
            evidence: Vec::new(),
            today: None,
        }
    }

    /// The base book with a threat model ([`THREAT_ITEMS`]) and a chapter that uses every
    /// threat-model directive.
    pub fn threat() -> Book {
        let mut book = Book::base();
        book.items.extend(
            THREAT_ITEMS
                .iter()
                .map(|(p, t)| ((*p).to_string(), t.as_bytes().to_vec())),
        );
        book.chapters
            .push(("threat.md".into(), THREAT_CHAPTER.as_bytes().to_vec()));
        book
    }

    /// The base book with what the lifecycle checks read: TST-1 names JUnit cases of
    /// `evidence/junit/app.xml` ([`JUNIT`]), a support table ([`SUPPORT`]) covers the
    /// SBOM's components, an OSV record ([`OSV`]) calls one unmaintained (and, with its
    /// range, vulnerable), and the checks that depend on the day run on 2026-06-01.
    pub fn lifecycle() -> Book {
        let mut book = Book::base();
        let digest = techfile_core::digest::sha256_hex(JUNIT.as_bytes());
        for (path, text) in &mut book.items {
            if path == "requirements/TST-1.md" {
                *text = format!(
                    "+++\nid = \"TST-1\"\nkind = \"test\"\ntitle = \"Unsigned image refused\"\nstatus = \"approved\"\nverifies = [\"CTL-1\"]\nevidence = [{{ path = \"junit/app.xml\", sha256 = \"{digest}\" }}]\njunit = [\"boot.Signature::refuses_unsigned\", \"boot.Signature::accepts_signed\"]\n+++\nFlash an unsigned image.\n"
                )
                .into_bytes();
            }
        }
        book.evidence
            .push(("junit/app.xml".into(), JUNIT.as_bytes().to_vec()));
        book.support
            .push(("support/crates.toml".into(), SUPPORT.as_bytes().to_vec()));
        book.advisories.push((
            "advisories/RUSTSEC-2026-0001.json".into(),
            OSV.as_bytes().to_vec(),
        ));
        book.config.advisories = vec!["advisories".into()];
        book.today = Date::parse("2026-06-01");
        book
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
            sbom_xml: Vec::new(),
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
            support: self.support.iter().map(|(p, t)| input(p, t)).collect(),
            advisories: self
                .config
                .advisories
                .iter()
                .map(|folder| AdvisoryDir {
                    name: folder.clone(),
                    path: folder.clone(),
                    files: Ok(self
                        .advisories
                        .iter()
                        .filter_map(|(p, t)| {
                            let rel = p.strip_prefix(folder.as_str())?.strip_prefix('/')?;
                            Some(AdvisoryFile {
                                rel: rel.to_string(),
                                name: p.clone(),
                                content: Ok(t.clone()),
                            })
                        })
                        .collect()),
                })
                .collect(),
            vex: self.vex.iter().map(|(p, t)| input(p, t)).collect(),
            evidence: self
                .evidence
                .iter()
                .map(|(rel, t)| {
                    let path = format!("evidence/{rel}");
                    EvidenceFile::from_bytes(&path, &path, rel, t.clone())
                })
                .collect(),
            today: self.today,
        }
    }

    /// Analyses the book.
    pub fn analyse(&self, mode: Mode) -> Analysis {
        analyse(self.inputs(), mode)
    }
}
