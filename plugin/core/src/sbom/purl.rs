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

/// A parsed purl and its canonical forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purl {
    /// `pkg:type/namespace/name@version`, canonical, without qualifiers or subpath.
    base: String,
    /// Canonical `?qualifiers`, empty when there are none.
    qualifiers: String,
    /// Canonical `#subpath`, empty when there is none.
    subpath: String,
    /// `type/namespace/name`, canonical: the package whatever its version.
    package: String,
    /// `type`, lower case.
    kind: String,
    /// The version, decoded, when there is one.
    version: Option<String>,
}

impl Purl {
    /// Parses a purl.
    ///
    /// # Errors
    ///
    /// The text is not a purl: the message of the `packageurl` parser (`missing name`,
    /// `no namespace allowed for type "cargo"`, ...).
    pub fn parse(text: &str) -> Result<Purl, String> {
        let purl = PackageUrl::from_str(text).map_err(|e| e.to_string())?;
        let mut bare = purl.clone();
        bare.clear_qualifiers().without_subpath();
        let base = bare.to_string();
        let mut package = bare.clone();
        package.without_version();
        let package = package
            .to_string()
            .strip_prefix("pkg:")
            .map(str::to_owned)
            .unwrap_or_default();
        let full = purl.to_string();
        // Display writes `base`, then `?qualifiers`, then `#subpath`, each encoded.
        let rest = &full[base.len()..];
        let (qualifiers, subpath) = match rest.find('#') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        Ok(Purl {
            qualifiers: qualifiers.to_owned(),
            subpath: subpath.to_owned(),
            package,
            kind: purl.ty().to_owned(),
            version: purl.version().map(str::to_owned),
            base,
        })
    }

    /// The keys a component with this purl is found under: every combination of its base
    /// with and without its qualifiers and subpath.
    pub fn component_keys(&self) -> Vec<String> {
        let mut keys = vec![
            self.base.clone(),
            format!("{}{}", self.base, self.qualifiers),
            format!("{}{}", self.base, self.subpath),
            self.canonical(),
        ];
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// The key a reference with this purl looks for: its base with the qualifiers and the
    /// subpath it writes. One of [`Purl::component_keys`] of the same package.
    pub fn reference_key(&self) -> String {
        self.canonical()
    }

    /// The whole canonical purl.
    pub fn canonical(&self) -> String {
        format!("{}{}{}", self.base, self.qualifiers, self.subpath)
    }

    /// The identity of the package version: the canonical purl without qualifiers (which
    /// say where it was found, not what it is).
    pub fn identity(&self) -> String {
        format!("{}{}", self.base, self.subpath)
    }

    /// `type/namespace/name`: the package, whatever its version.
    pub fn package(&self) -> &str {
        &self.package
    }

    /// The purl type (`npm`, `deb`, ...).
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The name without its namespace.
    pub fn name(&self) -> &str {
        self.package.rsplit('/').next().unwrap_or(&self.package)
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
        c.component_keys().contains(&r.reference_key())
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
        assert_eq!(p.package(), "npm/%40mui/material");
        assert_eq!(p.name(), "material");
        assert_eq!(p.kind(), "npm");
        assert_eq!(p.version(), Some("5.16.6"));
    }
}
