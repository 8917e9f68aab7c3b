//! Package URLs compared as the purl specification defines them, not as strings.
//!
//! The `packageurl` crate parses a purl and applies the specification's canonical form:
//! percent-decoding (`1%3A2.36` is `1:2.36`), the per-type case rules for namespace and
//! name (lower case for `npm` names, `pypi`, `deb`, `github`, ...), PyPI's `_` as `-`, and
//! sorted qualifiers. Two purls name the same package when their canonical forms agree.
//! What this module adds is the comparison rule for references: qualifiers and subpath
//! are compared only when the reference writes them, so `pkg:deb/debian/bsdutils@1:2.36`
//! finds a component written `pkg:deb/debian/bsdutils@1:2.36?distro=debian-11`.

use packageurl::PackageUrl;
use std::str::FromStr;

/// A parsed purl, kept as its canonical text and the places of its parts in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purl {
    /// `pkg:type/namespace/name@version?qualifiers#subpath`, canonical.
    text: String,
    /// End of `type`, after `pkg:`.
    kind_end: usize,
    /// End of `pkg:type/namespace/name`.
    package_end: usize,
    /// End of the base (`pkg:type/namespace/name@version`).
    base_end: usize,
    /// End of `?qualifiers` (equal to `base_end` when there are none).
    qualifiers_end: usize,
    /// The version, decoded, when there is one.
    version: Option<String>,
}

const SCHEME: &str = "pkg:";

impl Purl {
    /// Parses a purl.
    ///
    /// # Errors
    ///
    /// The text is not a purl: the message of the `packageurl` parser (`missing name`,
    /// `no namespace allowed for type "cargo"`, ...).
    pub fn parse(text: &str) -> Result<Purl, String> {
        let purl = PackageUrl::from_str(text).map_err(|e| e.to_string())?;
        // Display writes `pkg:type/namespace/name`, `@version`, `?qualifiers` and
        // `#subpath` in that order, each encoded, so the parts are found by length.
        let mut bare = purl.clone();
        bare.clear_qualifiers().without_subpath();
        let base_end = bare.to_string().len();
        bare.without_version();
        let package_end = bare.to_string().len();
        let text = purl.to_string();
        let qualifiers_end = text[base_end..]
            .find('#')
            .map_or(text.len(), |i| base_end + i);
        Ok(Purl {
            kind_end: SCHEME.len() + purl.ty().len(),
            package_end,
            base_end,
            qualifiers_end,
            version: purl.version().map(str::to_owned),
            text,
        })
    }

    /// `pkg:type/namespace/name@version`, canonical, without qualifiers or subpath: the key
    /// components are found under.
    pub fn base(&self) -> &str {
        &self.text[..self.base_end]
    }

    fn qualifiers(&self) -> &str {
        &self.text[self.base_end..self.qualifiers_end]
    }

    fn subpath(&self) -> &str {
        &self.text[self.qualifiers_end..]
    }

    /// Whether a component with the purl `component` is what this reference names: the
    /// same base, and the same qualifiers and subpath where the reference writes them.
    pub fn names(&self, component: &Purl) -> bool {
        self.base() == component.base()
            && (self.qualifiers().is_empty() || self.qualifiers() == component.qualifiers())
            && (self.subpath().is_empty() || self.subpath() == component.subpath())
    }

    /// The whole canonical purl.
    pub fn canonical(&self) -> &str {
        &self.text
    }

    /// The identity of the package version: the canonical purl without qualifiers (which
    /// say where it was found, not what it is).
    pub fn identity(&self) -> String {
        format!("{}{}", self.base(), self.subpath())
    }

    /// `pkg:type/namespace/name#subpath`, canonical: the package whatever its version, as
    /// two versions of a document name it.
    pub fn versionless(&self) -> String {
        format!("{}{}", &self.text[..self.package_end], self.subpath())
    }

    /// `type/namespace/name`: the package, whatever its version.
    pub fn package(&self) -> &str {
        &self.text[SCHEME.len()..self.package_end]
    }

    /// The purl type (`npm`, `deb`, ...).
    pub fn kind(&self) -> &str {
        &self.text[SCHEME.len()..self.kind_end]
    }

    /// The name without its namespace.
    pub fn name(&self) -> &str {
        let package = self.package();
        package.rsplit('/').next().unwrap_or(package)
    }

    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(reference: &str, component: &str) -> bool {
        let r = Purl::parse(reference).unwrap();
        let c = Purl::parse(component).unwrap();
        r.names(&c)
    }

    #[test]
    fn percent_encoding_and_qualifiers_of_the_component_do_not_matter() {
        assert!(same(
            "pkg:deb/debian/bsdutils@1%3A2.36.1-8%2Bdeb11u1",
            "pkg:deb/debian/bsdutils@1:2.36.1-8+deb11u1?distro=debian-11.4"
        ));
        assert!(same(
            "pkg:deb/debian/bsdutils@1:2.36.1-8+deb11u1?distro=debian-11.4",
            "pkg:deb/debian/bsdutils@1%3A2.36.1-8%2Bdeb11u1?distro=debian-11.4"
        ));
        assert!(!same(
            "pkg:deb/debian/bsdutils@1:2.36.1-8+deb11u1",
            "pkg:deb/debian/libsmartcols1@1:2.36.1-8+deb11u1"
        ));
    }

    #[test]
    fn qualifiers_and_subpath_are_compared_when_the_reference_has_them() {
        let c = "pkg:npm/%40angular/core@17.0.0?repository_url=https://r.example&arch=x#lib/a";
        assert!(same("pkg:npm/@angular/core@17.0.0", c));
        assert!(same(
            "pkg:npm/@angular/core@17.0.0?arch=x&repository_url=https://r.example",
            c
        ));
        assert!(same("pkg:npm/@angular/core@17.0.0#lib/a", c));
        assert!(same(
            "pkg:npm/@angular/core@17.0.0?arch=x&repository_url=https://r.example#lib/a",
            c
        ));
        assert!(!same("pkg:npm/@angular/core@17.0.0?arch=y", c));
        assert!(!same("pkg:npm/@angular/core@17.0.0?arch=x", c));
        assert!(!same("pkg:npm/@angular/core@17.0.0#lib/b", c));
        assert!(!same("pkg:npm/@angular/core@17.0.1", c));
    }

    #[test]
    fn case_rules_follow_the_type() {
        // Case-insensitive names: npm, PyPI (with `_` as `-`), deb, GitHub.
        assert!(same("pkg:npm/React@18.2.0", "pkg:npm/react@18.2.0"));
        assert!(same(
            "pkg:pypi/Django_Rest_Framework@3.15",
            "pkg:pypi/django-rest-framework@3.15"
        ));
        assert!(same(
            "pkg:deb/Debian/BSDUtils@2",
            "pkg:deb/debian/bsdutils@2"
        ));
        assert!(same(
            "pkg:github/Mbed-TLS/MbedTLS@v3.6.2",
            "pkg:github/mbed-tls/mbedtls@v3.6.2"
        ));
        // The type itself is case-insensitive.
        assert!(same("pkg:NPM/react@18.2.0", "pkg:npm/react@18.2.0"));
        // Case-sensitive: Maven and Cargo names, and versions.
        assert!(!same(
            "pkg:maven/org.Apache/commons@1",
            "pkg:maven/org.apache/commons@1"
        ));
        assert!(!same("pkg:cargo/Serde@1.0.0", "pkg:cargo/serde@1.0.0"));
        assert!(!same(
            "pkg:github/mbed-tls/mbedtls@V3.6.2",
            "pkg:github/mbed-tls/mbedtls@v3.6.2"
        ));
    }

    #[test]
    fn malformed_purls_are_refused_with_the_reason() {
        for (text, reason) in [
            ("pkg:npm/", "missing name"),
            ("pkg:cargo/rust-lang/serde@1", "namespace"),
            ("npm/react@1", "scheme"),
            ("pkg:1npm/react", "type"),
        ] {
            let e = Purl::parse(text).unwrap_err();
            assert!(e.contains(reason), "{text}: {e}");
        }
    }

    #[test]
    fn identity_drops_only_the_qualifiers() {
        let p = Purl::parse("pkg:npm/%40mui/material@5.16.6?vcs_url=x#src").unwrap();
        assert_eq!(p.identity(), "pkg:npm/%40mui/material@5.16.6#src");
        assert_eq!(p.versionless(), "pkg:npm/%40mui/material#src");
        assert_eq!(p.package(), "npm/%40mui/material");
        assert_eq!(p.name(), "material");
        assert_eq!(p.kind(), "npm");
        assert_eq!(p.version(), Some("5.16.6"));
        assert_eq!(
            p.canonical(),
            "pkg:npm/%40mui/material@5.16.6?vcs_url=x#src"
        );
        assert_eq!(p.base(), "pkg:npm/%40mui/material@5.16.6");
    }
}
