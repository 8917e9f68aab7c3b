//! A CycloneDX 1.6 SBOM of a Cargo package, from `cargo metadata` and `Cargo.lock`.
//!
//! Pure: the binary runs `cargo metadata` and reads `Cargo.lock`, this module turns them into
//! JSON. The document is written with our own serde structs rather than cyclonedx-bom's
//! model: that crate writes at most spec 1.5, and the few fields needed here are simpler to
//! state directly than to map.
//!
//! What goes in, and why:
//! - the primary package is `metadata.component`; every package its non-dev dependency
//!   closure reaches is a component. Dev-dependencies never ship, so they are left out, the
//!   way cargo-cyclonedx does. A package reached only through build-dependencies (build
//!   scripts, proc-macros) gets `scope: excluded`: it runs during the build but is not in
//!   the binary.
//! - purls are `pkg:cargo/NAME@VERSION`, with `repository_url`, `vcs_url` or `download_url`
//!   qualifiers for packages not from crates.io (paths relative to the workspace, so the
//!   SBOM does not depend on where the repository is checked out). The purl is also the
//!   bom-ref, so items can use either.
//! - hashes are the `checksum` of each package in `Cargo.lock` (SHA-256 of the .crate file).
//! - licenses are the package's SPDX expression (the legacy `/` separator read as `OR`).
//! - the supplier is the first listed author, or the owner of the repository URL.
//! - the output is deterministic: components and dependencies are sorted, the serial number
//!   is derived from the content, and the timestamp comes from the caller (it is omitted
//!   when none is given).

use cargo_metadata::{DependencyKind, Metadata, Package, PackageId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, VecDeque};

/// What the caller decides.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// RFC 3339 UTC time for `metadata.timestamp`, or none.
    pub timestamp: Option<String>,
    /// Authors of the SBOM data; the primary package's authors when empty.
    pub authors: Vec<String>,
    /// The primary package when the workspace has several members and no root package.
    pub package: Option<String>,
    /// The target triple the metadata was filtered for, or none for all platforms.
    pub target: Option<String>,
    /// Version of the generating tool, recorded in `metadata.tools`.
    pub tool_version: String,
}

#[derive(Serialize)]
struct Bom {
    #[serde(rename = "$schema")]
    schema: &'static str,
    #[serde(rename = "bomFormat")]
    bom_format: &'static str,
    #[serde(rename = "specVersion")]
    spec_version: &'static str,
    #[serde(rename = "serialNumber", skip_serializing_if = "Option::is_none")]
    serial_number: Option<String>,
    version: u32,
    metadata: BomMetadata,
    components: Vec<Component>,
    dependencies: Vec<Dependency>,
}

#[derive(Serialize)]
struct BomMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    tools: Tools,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Contact>,
    component: Component,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<Tool>,
}

#[derive(Serialize)]
struct Tool {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    version: String,
}

#[derive(Serialize, Clone)]
struct Contact {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

#[derive(Serialize)]
struct Entity {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    url: Vec<String>,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<Entity>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Contact>,
    name: String,
    version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<License>,
    purl: String,
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExternalReference>,
}

#[derive(Serialize)]
struct Hash {
    alg: &'static str,
    content: String,
}

#[derive(Serialize)]
#[serde(untagged)]
enum License {
    Expression { expression: String },
    Named { license: NamedLicense },
}

#[derive(Serialize)]
struct NamedLicense {
    name: String,
}

#[derive(Serialize)]
struct ExternalReference {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

#[derive(Serialize)]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(rename = "dependsOn")]
    depends_on: Vec<String>,
}

#[derive(Deserialize)]
struct LockFile {
    #[serde(default)]
    package: Vec<LockPackage>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
}

/// `(name, version, source)` -> SHA-256 from `Cargo.lock`.
fn checksums(lock: &str) -> Result<HashMap<(String, String, String), String>, String> {
    let lock: LockFile = toml::from_str(lock).map_err(|e| format!("Cargo.lock: {e}"))?;
    Ok(lock
        .package
        .into_iter()
        .filter_map(|p| {
            let sum = p.checksum?;
            Some(((p.name, p.version, p.source.unwrap_or_default()), sum))
        })
        .collect())
}

/// Percent-encodes a purl qualifier value (RFC 3986 unreserved characters, `:` and `/` stay).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The purl of a package; `dir` is its folder relative to the workspace root, for packages
/// that come from the file system.
fn purl(p: &Package, dir: Option<&str>) -> String {
    let base = format!("pkg:cargo/{}@{}", p.name.as_str(), p.version);
    match &p.source {
        Some(s) if s.is_crates_io() => base,
        Some(s) => match s.repr.split_once('+') {
            Some(("git", rest)) => {
                // `https://host/repo?rev=x#<commit>`: the commit pins the source.
                let (url, commit) = rest.split_once('#').unwrap_or((rest, ""));
                let url = url.split('?').next().unwrap_or(url);
                let vcs = if commit.is_empty() {
                    format!("git+{url}")
                } else {
                    format!("git+{url}@{commit}")
                };
                format!("{base}?vcs_url={}", encode(&vcs))
            }
            Some((_, registry)) => format!("{base}?repository_url={}", encode(registry)),
            None => base,
        },
        None => format!(
            "{base}?download_url={}",
            encode(&format!("file://{}", dir.unwrap_or(".")))
        ),
    }
}

/// `Name <mail>` as written in Cargo.toml `authors`.
fn contact(author: &str) -> Contact {
    match author.split_once('<') {
        Some((name, rest)) if rest.ends_with('>') => Contact {
            name: name.trim().to_owned(),
            email: Some(rest.trim_end_matches('>').trim().to_owned()).filter(|e| !e.is_empty()),
        },
        _ => Contact {
            name: author.trim().to_owned(),
            email: None,
        },
    }
}

/// Who supplies a crate: its first author, or the owner in its repository URL
/// (`https://github.com/serde-rs/serde` -> `serde-rs`), with the repository as URL.
fn supplier(p: &Package) -> Option<Entity> {
    let url: Vec<String> = p.repository.iter().cloned().collect();
    let from_authors = p
        .authors
        .first()
        .map(|a| contact(a).name)
        .filter(|n| !n.is_empty());
    let from_repo = p.repository.as_deref().and_then(|r| {
        let rest = r.split_once("://")?.1;
        let mut parts = rest.split('/');
        let _host = parts.next()?;
        parts.next().filter(|o| !o.is_empty()).map(str::to_owned)
    });
    let name = from_authors.or(from_repo)?;
    Some(Entity { name, url })
}

fn licenses(p: &Package) -> Vec<License> {
    if let Some(l) = p
        .license
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        // Cargo once allowed `MIT/Apache-2.0`, which meant a choice between the two.
        let expression = if l.contains('/') {
            l.split('/').map(str::trim).collect::<Vec<_>>().join(" OR ")
        } else {
            l.to_owned()
        };
        return vec![License::Expression { expression }];
    }
    match &p.license_file {
        Some(f) => vec![License::Named {
            license: NamedLicense {
                name: format!("license file {f}"),
            },
        }],
        None => Vec::new(),
    }
}

fn external_references(p: &Package) -> Vec<ExternalReference> {
    let mut out = Vec::new();
    for (kind, url) in [
        ("vcs", &p.repository),
        ("website", &p.homepage),
        ("documentation", &p.documentation),
    ] {
        if let Some(u) = url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            out.push(ExternalReference {
                kind,
                url: u.to_owned(),
            });
        }
    }
    out
}

/// A timestamp in RFC 3339 at UTC, whole seconds (`2026-01-31T12:00:00Z`), as CycloneDX's
/// `date-time` wants it.
pub fn rfc3339_utc(timestamp: jiff::Timestamp) -> String {
    // jiff writes RFC 3339 with `Z`; the fraction appears only when there is one, and a
    // Unix second count has none.
    timestamp.to_string()
}

/// A name-based UUID (RFC 9562 version 8) from a SHA-256 of the document, so the serial
/// number changes exactly when the content does.
fn serial_number(content: &str) -> String {
    let hex = techfile_core::digest::sha256_hex(content.as_bytes());
    let mut b: Vec<char> = hex.chars().take(32).collect();
    b[12] = '8';
    // Variant bits `10xx`: the first hex digit of the fourth group is 8, 9, a or b.
    let v = b[16].to_digit(16).unwrap_or(0);
    b[16] = char::from_digit(8 | (v & 3), 16).unwrap_or('8');
    let s: String = b.into_iter().collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &s[0..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..32]
    )
}

/// The package the SBOM describes.
fn primary<'m>(meta: &'m Metadata, wanted: Option<&str>) -> Result<&'m Package, String> {
    let members = meta.workspace_packages();
    if let Some(name) = wanted {
        return members
            .into_iter()
            .find(|p| p.name.as_str() == name)
            .ok_or_else(|| format!("package `{name}` is not a member of the workspace"));
    }
    if let Some(root) = meta.root_package() {
        return Ok(root);
    }
    // A workspace of libraries and one binary (a tool and its core crate) ships the binary.
    let binaries: Vec<&Package> = members
        .iter()
        .copied()
        .filter(|p| p.targets.iter().any(|t| t.is_bin()))
        .collect();
    match (members.as_slice(), binaries.as_slice()) {
        ([only], _) | (_, [only]) => Ok(only),
        ([], _) => Err("the workspace has no packages".into()),
        (many, _) => {
            let mut names: Vec<&str> = many.iter().map(|p| p.name.as_str()).collect();
            names.sort_unstable();
            Err(format!(
                "the workspace has several packages ({}) and not exactly one with a binary; choose one with --package",
                names.join(", ")
            ))
        }
    }
}

/// Builds the SBOM of the primary package from `cargo metadata` output and the text of
/// `Cargo.lock` (`None` when the workspace has no lock file: then there are no hashes).
pub fn generate(meta: &Metadata, lock: Option<&str>, options: &Options) -> Result<String, String> {
    let resolve = meta
        .resolve
        .as_ref()
        .ok_or("`cargo metadata` returned no dependency graph (was it run with --no-deps?)")?;
    let root = primary(meta, options.package.as_deref())?;
    let sums = lock.map(checksums).transpose()?.unwrap_or_default();
    let packages: HashMap<&PackageId, &Package> =
        meta.packages.iter().map(|p| (&p.id, p)).collect();
    let nodes: HashMap<&PackageId, &cargo_metadata::Node> =
        resolve.nodes.iter().map(|n| (&n.id, n)).collect();

    // Breadth first over non-dev edges. `runtime` holds what is reachable through normal
    // edges only: everything else in the closure is needed only to build.
    let edges = |id: &PackageId, normal_only: bool| -> Vec<&PackageId> {
        nodes.get(id).map_or_else(Vec::new, |n| {
            n.deps
                .iter()
                .filter(|d| {
                    d.dep_kinds.iter().any(|k| {
                        if normal_only {
                            k.kind == DependencyKind::Normal
                        } else {
                            k.kind != DependencyKind::Development
                        }
                    })
                })
                .map(|d| &d.pkg)
                .collect()
        })
    };
    let closure = |normal_only: bool| {
        let mut seen: BTreeSet<&PackageId> = BTreeSet::new();
        let mut queue = VecDeque::from([&root.id]);
        while let Some(id) = queue.pop_front() {
            if seen.insert(id) {
                queue.extend(edges(id, normal_only));
            }
        }
        seen
    };
    let all = closure(false);
    let runtime = closure(true);

    let workspace_root = meta.workspace_root.as_str();
    let dir_of = |p: &Package| -> Option<String> {
        let dir = p.manifest_path.parent()?.as_str();
        let rel = dir.strip_prefix(workspace_root)?.trim_start_matches('/');
        Some(if rel.is_empty() {
            ".".into()
        } else {
            rel.to_owned()
        })
    };
    let refs: HashMap<&PackageId, String> = all
        .iter()
        .filter_map(|id| {
            packages
                .get(id)
                .map(|p| (*id, purl(p, dir_of(p).as_deref())))
        })
        .collect();

    let component = |p: &Package, scope: Option<&'static str>, kind: &'static str| {
        let source = p
            .source
            .as_ref()
            .map(|s| s.repr.clone())
            .unwrap_or_default();
        let hashes = sums
            .get(&(p.name.to_string(), p.version.to_string(), source))
            .map(|sum| {
                vec![Hash {
                    alg: "SHA-256",
                    content: sum.clone(),
                }]
            })
            .unwrap_or_default();
        Component {
            kind,
            bom_ref: refs.get(&p.id).cloned().unwrap_or_default(),
            supplier: supplier(p),
            authors: p.authors.iter().map(|a| contact(a)).collect(),
            name: p.name.to_string(),
            version: p.version.to_string(),
            description: p
                .description
                .as_deref()
                .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")),
            scope,
            hashes,
            licenses: licenses(p),
            purl: refs.get(&p.id).cloned().unwrap_or_default(),
            external_references: external_references(p),
        }
    };

    let mut components: Vec<Component> = all
        .iter()
        .filter(|id| **id != &root.id)
        .filter_map(|id| packages.get(id))
        .map(|p| {
            let scope = if runtime.contains(&p.id) {
                "required"
            } else {
                "excluded"
            };
            component(p, Some(scope), "library")
        })
        .collect();
    components.sort_by(|a, b| (&a.name, &a.version, &a.purl).cmp(&(&b.name, &b.version, &b.purl)));

    let mut dependencies: Vec<Dependency> = all
        .iter()
        .map(|id| {
            let mut depends_on: Vec<String> = edges(id, false)
                .into_iter()
                .filter_map(|d| refs.get(d).cloned())
                .collect();
            depends_on.sort();
            depends_on.dedup();
            Dependency {
                reference: refs.get(id).cloned().unwrap_or_default(),
                depends_on,
            }
        })
        .collect();
    dependencies.sort_by(|a, b| a.reference.cmp(&b.reference));

    let is_app = root.targets.iter().any(|t| t.is_bin());
    let primary_component = component(root, None, if is_app { "application" } else { "library" });
    let authors: Vec<Contact> = if options.authors.is_empty() {
        root.authors.iter().map(|a| contact(a)).collect()
    } else {
        options.authors.iter().map(|a| contact(a)).collect()
    };
    let properties = vec![match &options.target {
        Some(t) => Property {
            name: "cdx:rustc:sbom:target:triple",
            value: t.clone(),
        },
        None => Property {
            name: "cdx:rustc:sbom:target:all_targets",
            value: "true".into(),
        },
    }];
    let mut bom = Bom {
        schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: None,
        version: 1,
        metadata: BomMetadata {
            timestamp: options.timestamp.clone(),
            tools: Tools {
                components: vec![Tool {
                    kind: "application",
                    name: "mdbook-techfile",
                    version: options.tool_version.clone(),
                }],
            },
            authors,
            component: primary_component,
            properties,
        },
        components,
        dependencies,
    };
    let unnumbered = serde_json::to_string(&bom).map_err(|e| e.to_string())?;
    bom.serial_number = Some(serial_number(&unnumbered));
    let mut out = serde_json::to_string_pretty(&bom).map_err(|e| e.to_string())?;
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_civil_utc() {
        let at = |t: i64| rfc3339_utc(jiff::Timestamp::from_second(t).unwrap());
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_767_225_599), "2025-12-31T23:59:59Z");
        assert_eq!(at(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn serial_numbers_are_uuids_derived_from_the_content() {
        let a = serial_number("x");
        assert_eq!(a, serial_number("x"));
        assert_ne!(a, serial_number("y"));
        let hex = a.strip_prefix("urn:uuid:").unwrap();
        assert_eq!(hex.len(), 36);
        assert_eq!(&hex[14..15], "8");
        assert!(matches!(&hex[19..20], "8" | "9" | "a" | "b"), "{a}");
    }

    #[test]
    fn qualifier_values_are_percent_encoded() {
        assert_eq!(
            encode("git+https://x.org/a b?c"),
            "git%2Bhttps://x.org/a%20b%3Fc"
        );
    }

    #[test]
    fn authors_split_into_name_and_mail() {
        let c = contact("Jane Doe <jane@example.org>");
        assert_eq!(c.name, "Jane Doe");
        assert_eq!(c.email.as_deref(), Some("jane@example.org"));
        assert_eq!(contact("The Team").email, None);
    }
}
