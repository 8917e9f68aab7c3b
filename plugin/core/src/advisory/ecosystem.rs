//! From a component's package URL to the package an advisory names: its OSV ecosystem
//! (`crates.io`, `npm`, `PyPI`, `Debian:12`, ...) and its name in that ecosystem
//! (`@scope/name` on npm, `group:artifact` on Maven, the module path on Go, the source
//! package on Debian).
//!
//! The mapping of purl types onto OSV ecosystems is the one osv-scanner uses (cargo →
//! crates.io, pypi → PyPI, maven → Maven, npm → npm, golang → Go, gem → RubyGems,
//! composer → Packagist, nuget → NuGet, hex → Hex, pub → Pub); the Linux distributions
//! are named by the purl's namespace and `distro` qualifier, as the OSV schema's
//! ecosystem list writes them.

use super::version::Order;
use crate::sbom::purl::Purl;
use packageurl::PackageUrl;
use std::str::FromStr;

/// The package an advisory would name for a component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Package {
    /// The ecosystem without a release: `crates.io`, `Debian`, `Alpine`.
    pub(crate) ecosystem: &'static str,
    /// The distribution release when the purl says it (`12` for `Debian:12`), which an
    /// advisory's ecosystem must then name; `None` matches every release.
    pub(crate) release: Option<String>,
    /// The name as the ecosystem writes it, normalised with [`normalise`].
    pub(crate) name: String,
    /// The version from the purl (`None` when it has none).
    pub(crate) version: Option<String>,
}

/// Why a component cannot be matched against advisories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Unmatchable {
    /// The purl does not parse; the text is the parser's reason.
    BadPurl(String),
    /// The purl's type has no OSV ecosystem (`generic`, `github`, ...).
    NoEcosystem(String),
}

/// The ecosystems the tool knows how to name, with the order of their versions.
const ORDERS: &[(&str, Option<Order>)] = &[
    ("crates.io", Some(Order::Semver)),
    ("npm", Some(Order::Semver)),
    ("Go", Some(Order::Semver)),
    ("Hex", Some(Order::Semver)),
    ("Pub", Some(Order::Semver)),
    ("PyPI", Some(Order::Pep440)),
    ("Debian", Some(Order::Debian)),
    ("Ubuntu", Some(Order::Debian)),
    ("Red Hat", Some(Order::Rpm)),
    ("AlmaLinux", Some(Order::Rpm)),
    ("Rocky Linux", Some(Order::Rpm)),
    ("openSUSE", Some(Order::Rpm)),
    ("SUSE", Some(Order::Rpm)),
    ("Mageia", Some(Order::Rpm)),
    ("Maven", None),
    ("RubyGems", None),
    ("NuGet", None),
    ("Packagist", None),
    ("Alpine", None),
];

/// The version order of an ecosystem (its name without the release); `None` when the tool
/// has none, so only an advisory's `versions` list can be matched.
pub(crate) fn order(ecosystem: &str) -> Option<Order> {
    ORDERS
        .iter()
        .find(|(e, _)| *e == ecosystem)
        .and_then(|(_, o)| *o)
}

/// Splits an OSV ecosystem into its name and release: `Debian:12` → (`Debian`, `12`),
/// `Ubuntu:22.04:LTS` → (`Ubuntu`, `22.04:LTS`), `npm` → (`npm`, ``).
pub(crate) fn split(ecosystem: &str) -> (&str, &str) {
    ecosystem.split_once(':').unwrap_or((ecosystem, ""))
}

/// The name as it is compared: PyPI names per PEP 503 (lower case, runs of `-`, `_` and
/// `.` as one `-`); Debian, Ubuntu and Alpine names in lower case (their purl types fold
/// the name); every other ecosystem as written. npm names and scopes and Go module paths
/// keep their case, as the purl type definitions say since purl-spec issue 871 (the npm
/// registry still serves old packages such as `JSONStream` apart from `jsonstream`), so
/// an advisory for one names neither the other (see `sbom::purl`).
pub(crate) fn normalise(ecosystem: &str, name: &str) -> String {
    match ecosystem {
        "PyPI" => {
            let mut out = String::with_capacity(name.len());
            let mut sep = false;
            for c in name.chars() {
                if matches!(c, '-' | '_' | '.') {
                    sep = true;
                    continue;
                }
                if sep && !out.is_empty() {
                    out.push('-');
                }
                sep = false;
                out.push(c.to_ascii_lowercase());
            }
            out
        }
        "Debian" | "Ubuntu" | "Alpine" => name.to_ascii_lowercase(),
        _ => name.to_owned(),
    }
}

/// Whether an advisory's ecosystem (with its release) covers the component's package.
pub(crate) fn covers(advisory_ecosystem: &str, package: &Package) -> bool {
    let (base, release) = split(advisory_ecosystem);
    if base != package.ecosystem {
        return false;
    }
    match &package.release {
        None => true,
        Some(r) => release == r || release.starts_with(&format!("{r}:")),
    }
}

/// Debian release numbers of the code names a `distro` qualifier may use.
const DEBIAN_CODENAMES: &[(&str, &str)] = &[
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
];

/// The release in a `distro` qualifier: `debian-12.4` → `12`, `bookworm` → `12`,
/// `ubuntu-22.04` → `22.04`, alpine `3.18.4` → `v3.18`.
fn release(ecosystem: &str, distro: &str) -> Option<String> {
    let d = distro.to_ascii_lowercase();
    let d = d.rsplit_once('-').map_or(d.as_str(), |(_, r)| r).to_owned();
    match ecosystem {
        "Debian" => {
            if let Some((_, n)) = DEBIAN_CODENAMES.iter().find(|(c, _)| *c == d) {
                return Some((*n).to_owned());
            }
            let major = d.split('.').next()?;
            (!major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()))
                .then(|| major.to_owned())
        }
        "Ubuntu" => {
            let mut parts = d.split('.');
            let (a, b) = (parts.next()?, parts.next()?);
            Some(format!("{a}.{b}"))
        }
        "Alpine" => {
            let d = d.trim_start_matches('v');
            let mut parts = d.split('.');
            let (a, b) = (parts.next()?, parts.next()?);
            Some(format!("v{a}.{b}"))
        }
        _ => None,
    }
}

/// The package an advisory would name for the component with this purl.
///
/// # Errors
///
/// The purl does not parse, or its type has no OSV ecosystem.
pub(crate) fn package(purl: &str) -> Result<Package, Unmatchable> {
    // The project's parser refuses what the crate lets through (`%zz`) and keeps the case
    // of the parts the type definition keeps; the crate still gives the qualifiers.
    let parsed = Purl::parse(purl).map_err(Unmatchable::BadPurl)?;
    let p = PackageUrl::from_str(parsed.canonical())
        .map_err(|e| Unmatchable::BadPurl(e.to_string()))?;
    let ns = parsed.decoded_namespace().map(str::to_owned);
    let name = parsed.decoded_name().to_owned();
    let qualifier = |key: &str| {
        p.qualifiers()
            .iter()
            .find(|(k, _)| k.as_ref() == key)
            .map(|(_, v)| v.to_string())
    };
    let joined = |sep: &str| match &ns {
        Some(n) if !n.is_empty() => format!("{n}{sep}{name}"),
        _ => name.clone(),
    };
    let ty = p.ty().to_ascii_lowercase();
    let (ecosystem, osv_name): (&'static str, String) = match ty.as_str() {
        "cargo" => ("crates.io", name.clone()),
        "npm" => ("npm", joined("/")),
        "pypi" => ("PyPI", name.clone()),
        "maven" => ("Maven", joined(":")),
        "golang" => ("Go", joined("/")),
        "gem" => ("RubyGems", name.clone()),
        "composer" => ("Packagist", joined("/")),
        "nuget" => ("NuGet", name.clone()),
        "hex" => ("Hex", name.clone()),
        "pub" => ("Pub", name.clone()),
        "deb" | "apk" | "rpm" => {
            let vendor = ns.clone().unwrap_or_default().to_ascii_lowercase();
            let eco = match (ty.as_str(), vendor.as_str()) {
                ("deb", "debian") => "Debian",
                ("deb", "ubuntu") => "Ubuntu",
                ("apk", "alpine") => "Alpine",
                ("rpm", "redhat") => "Red Hat",
                ("rpm", "almalinux") => "AlmaLinux",
                ("rpm", "rocky-linux" | "rocky") => "Rocky Linux",
                ("rpm", "opensuse") => "openSUSE",
                ("rpm", "suse" | "sles") => "SUSE",
                ("rpm", "mageia") => "Mageia",
                _ => return Err(Unmatchable::NoEcosystem(format!("{ty}/{vendor}"))),
            };
            // Distribution advisories name source packages; the purl of a binary package
            // gives its source as the `upstream` qualifier (`openssl` or `openssl@3.0.11-1`).
            let source = qualifier("upstream")
                .map(|u| u.split('@').next().unwrap_or_default().to_owned())
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| name.clone());
            (eco, source)
        }
        other => return Err(Unmatchable::NoEcosystem(other.to_owned())),
    };
    let release = qualifier("distro").and_then(|d| release(ecosystem, &d));
    Ok(Package {
        ecosystem,
        release,
        name: normalise(ecosystem, &osv_name),
        version: parsed.version().map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(purl: &str) -> (String, String) {
        let p = package(purl).unwrap();
        let eco = match p.release {
            Some(r) => format!("{}:{r}", p.ecosystem),
            None => p.ecosystem.to_owned(),
        };
        (eco, p.name)
    }

    #[test]
    fn purl_types_map_onto_osv_ecosystems_and_names() {
        let cases = [
            ("pkg:cargo/tokio@1.0.0", "crates.io", "tokio"),
            ("pkg:npm/%40scope/pkg@1.0.0", "npm", "@scope/pkg"),
            ("pkg:npm/left-pad@1.0.0", "npm", "left-pad"),
            ("pkg:pypi/Foo_Bar@1.0", "PyPI", "foo-bar"),
            (
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                "Maven",
                "org.apache.logging.log4j:log4j-core",
            ),
            (
                "pkg:golang/github.com/gorilla/mux@v1.8.0",
                "Go",
                "github.com/gorilla/mux",
            ),
            (
                "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12",
                "Debian:12",
                "openssl",
            ),
            (
                "pkg:deb/debian/curl@7.74.0-1.3?distro=bullseye",
                "Debian:11",
                "curl",
            ),
            (
                "pkg:deb/ubuntu/curl@7.81.0-1?distro=ubuntu-22.04",
                "Ubuntu:22.04",
                "curl",
            ),
            (
                "pkg:apk/alpine/openssl@3.1.4-r0?distro=3.18.4",
                "Alpine:v3.18",
                "openssl",
            ),
            ("pkg:rpm/redhat/curl@7.76.1-26.el9", "Red Hat", "curl"),
        ];
        for (purl, eco, name) in cases {
            assert_eq!(pkg(purl), (eco.to_owned(), name.to_owned()), "{purl}");
        }
    }

    #[test]
    fn unknown_types_and_bad_purls_are_told_apart() {
        assert_eq!(
            package("pkg:generic/thing@1"),
            Err(Unmatchable::NoEcosystem("generic".into()))
        );
        assert!(matches!(
            package("pkg:deb/raspbian/x@1"),
            Err(Unmatchable::NoEcosystem(_))
        ));
        assert!(matches!(package("npm/x@1"), Err(Unmatchable::BadPurl(_))));
        assert!(matches!(package("pkg:npm/"), Err(Unmatchable::BadPurl(_))));
    }

    /// npm scopes and names and Go paths are case sensitive (purl-spec issue 871): an
    /// advisory for `jsonstream` does not name `JSONStream`, nor the other way round.
    #[test]
    fn npm_and_go_names_keep_their_case() {
        let cases = [
            ("pkg:npm/JSONStream@1.3.5", "JSONStream"),
            ("pkg:npm/jsonstream@1.3.5", "jsonstream"),
            ("pkg:npm/%40Scope/Pkg@1.0.0", "@Scope/Pkg"),
            ("pkg:npm/%40scope/pkg@1.0.0", "@scope/pkg"),
            (
                "pkg:golang/github.com/Masterminds/semver@v1.5.0",
                "github.com/Masterminds/semver",
            ),
        ];
        for (purl, name) in cases {
            assert_eq!(package(purl).unwrap().name, name, "{purl}");
        }
        for eco in ["npm", "Go"] {
            assert_eq!(normalise(eco, "JSONStream"), "JSONStream");
            assert_ne!(normalise(eco, "jsonstream"), normalise(eco, "JSONStream"));
        }
        // The types whose definitions fold the name still match either case.
        assert_eq!(pkg("pkg:pypi/Foo.Bar@1").1, normalise("PyPI", "FOO_bar"));
        assert_eq!(
            pkg("pkg:deb/debian/LibSSL3@1").1,
            normalise("Debian", "libssl3")
        );
    }

    #[test]
    fn a_malformed_escape_is_a_bad_purl() {
        let Err(Unmatchable::BadPurl(why)) = package("pkg:npm/%zz@1.0.0") else {
            panic!("`%zz` parsed")
        };
        assert!(why.contains("`%zz`"), "{why}");
    }

    #[test]
    fn pep503_names_and_release_prefixes() {
        assert_eq!(
            normalise("PyPI", "Django_REST..framework"),
            "django-rest-framework"
        );
        assert_eq!(normalise("Maven", "Org:A"), "Org:A");
        let p = package("pkg:deb/ubuntu/curl@1?distro=ubuntu-22.04").unwrap();
        assert!(covers("Ubuntu:22.04:LTS", &p));
        assert!(covers("Ubuntu:22.04", &p));
        assert!(!covers("Ubuntu:20.04", &p));
        assert!(!covers("Ubuntu:22.04.1", &p));
        let any = package("pkg:deb/debian/curl@1").unwrap();
        assert!(covers("Debian:11", &any) && covers("Debian:12", &any));
        assert!(!covers("Ubuntu:22.04", &any));
    }
}
