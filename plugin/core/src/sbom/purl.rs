//! Package URLs compared as the purl specification defines them, not as strings.
//!
//! The `packageurl` crate parses a purl: the scheme, type, namespace, name, version,
//! qualifiers and subpath, each percent-decoded, qualifier keys in lower case, and the
//! structural rules of the types it knows (a namespace that `cargo` prohibits, `julia`'s
//! required `uuid`). Three rules of the specification (ECMA-427 and the type definitions
//! of `package-url/purl-spec`) are applied here on top of it, each for a reason the crate
//! cannot serve:
//!
//! - **Case folding per type, from the specification's type definitions.** A namespace,
//!   name or version is lower-cased only when the type's definition says it is not case
//!   sensitive (`CASE_INSENSITIVE`). The crate's own table predates purl-spec issue 871
//!   (May 2026), which made `npm` names and scopes and `golang` paths case sensitive (old
//!   npm packages such as `JSONStream` keep their capitals), and it lacks types the
//!   specification folds (`alpm`, `apk` names, `brew`, `luarocks`, `oci`, `vscode-extension`,
//!   ...). So the crate parses the text a second time under a type it has no rules for,
//!   which keeps every part as written, and the folding of the table below is applied.
//!   PyPI's `_` is still written `-`, the only normalisation rule of a type definition
//!   applied to a name.
//! - **An empty subpath is no subpath.** The parsing rules discard empty, `.` and `..`
//!   segments of the subpath, so `pkg:npm/foo@1.0#` and `pkg:npm/foo@1.0#/` have none; the
//!   crate refuses them.
//! - **A `%` starts a percent-encoded octet.** The character encoding clause allows `%`
//!   only as the start of a `%` and two hex digits; the crate decodes `%zz` as the text
//!   `%zz`, which would make a typo a different package.
//!
//! Two purls name the same package when their canonical forms agree. What this module adds
//! besides is the comparison rule for references ([`Purl::names`]).

use packageurl::{Error, PackageUrl};
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
    /// The namespace, decoded and folded as the type says, when there is one.
    namespace: Option<String>,
    /// The name, decoded and folded as the type says.
    name: String,
}

const SCHEME: &str = "pkg:";

/// A type the `packageurl` crate has no rules for: parsed under it, a purl keeps the case
/// of every part. Not a registered type (the specification's types have no `.`).
const AS_WRITTEN: &str = "x.techfile.as-written";

/// The types whose definitions (`types/*-definition.json` of `package-url/purl-spec`, as of
/// 2026-08-21) say that a part is not case sensitive, with the parts: namespace, name,
/// version. Every other type and part keeps its case.
#[rustfmt::skip]
const CASE_INSENSITIVE: &[(&str, [bool; 3])] = &[
    ("alpm", [true, true, false]),
    ("apk", [true, true, false]),
    ("bitbucket", [true, true, false]),
    ("bitnami", [false, true, false]),
    ("brew", [true, true, false]),
    ("chrome-extension", [false, true, false]),
    ("composer", [true, true, false]),
    ("deb", [true, true, false]),
    ("github", [true, true, false]),
    ("hex", [true, true, false]),
    ("huggingface", [false, false, true]),
    ("luarocks", [true, true, false]),
    ("oci", [false, true, true]),
    ("otp", [false, true, false]),
    ("pub", [false, true, false]),
    ("pypi", [false, true, true]),
    ("qpkg", [true, false, false]),
    ("rpm", [true, false, false]),
    ("vscode-extension", [true, true, true]),
    ("yocto", [true, false, false]),
];

/// Which of namespace, name and version the type folds to lower case.
fn folded(kind: &str) -> [bool; 3] {
    CASE_INSENSITIVE
        .iter()
        .find(|(t, _)| *t == kind)
        .map_or([false; 3], |(_, f)| *f)
}

/// The first `%` that does not start a percent-encoded octet, with what follows it.
fn bad_escape(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().find_map(|(i, &b)| {
        let ok = b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        // The two bytes after `%` may be the start of a multi-byte character.
        (!ok).then(|| {
            let end = (i + 3).min(text.len());
            let end = (end..=text.len())
                .find(|&e| text.is_char_boundary(e))
                .unwrap_or(text.len());
            &text[i..end]
        })
    })
}

fn reason(e: &Error) -> String {
    match e {
        Error::DecodingError(_) => {
            "its percent-encoded octets do not decode to UTF-8 text".to_string()
        }
        other => other.to_string(),
    }
}

/// Parses `text` with the crate, an empty subpath read as none.
fn parse_crate(text: &str) -> Result<(PackageUrl<'static>, &str), Error> {
    match PackageUrl::from_str(text) {
        // Only a subpath with no segment left after the parsing rules fails this way.
        Err(Error::InvalidSubpathSegment(s)) if s.is_empty() => {
            let cut = &text[..text.rfind('#').unwrap_or(text.len())];
            PackageUrl::from_str(cut).map(|p| (p, cut))
        }
        other => other.map(|p| (p, text)),
    }
}

impl Purl {
    /// Parses a purl.
    ///
    /// # Errors
    ///
    /// The text is not a purl: the reason, mostly in the words of the `packageurl` parser
    /// (`missing name`, `no namespace allowed for type "cargo"`, ...).
    pub fn parse(text: &str) -> Result<Purl, String> {
        if let Some(bad) = bad_escape(text) {
            return Err(format!(
                "`{bad}` is not a percent-encoded character (a `%` starts two hex digits; a percent sign itself is written `%25`)"
            ));
        }
        let (strict, text) = parse_crate(text).map_err(|e| reason(&e))?;
        // The crate read the scheme and the type; the rest is parsed again as written.
        let rest = text
            .strip_prefix(SCHEME)
            .map(|r| r.trim_start_matches('/'))
            .and_then(|r| r.split_once('/'))
            .map_or("", |(_, rest)| rest);
        let (plain, _) =
            parse_crate(&format!("{SCHEME}{AS_WRITTEN}/{rest}")).map_err(|e| reason(&e))?;
        let kind = strict.ty();
        let [fold_namespace, fold_name, fold_version] = folded(kind);
        let fold = |s: &str, yes: bool| if yes { s.to_lowercase() } else { s.to_owned() };
        let mut name = fold(plain.name(), fold_name);
        match kind {
            "pypi" => name = name.replace('_', "-"),
            // The crate applies the specification's rule for models on Databricks.
            "mlflow" => name = strict.name().to_owned(),
            _ => {}
        }
        let mut purl = PackageUrl::new(AS_WRITTEN, name).map_err(|e| reason(&e))?;
        // The crate drops `.` and `..` namespace segments and keeps what is left, so `pkg:t/./n`
        // has an empty namespace, which it would write as `pkg:t//n`: that is no namespace.
        if let Some(ns) = plain.namespace().filter(|ns| !ns.is_empty()) {
            purl.with_namespace(fold(ns, fold_namespace))
                .map_err(|e| reason(&e))?;
        }
        if let Some(v) = plain.version() {
            purl.with_version(fold(v, fold_version))
                .map_err(|e| reason(&e))?;
        }
        for (k, v) in strict.qualifiers() {
            purl.add_qualifier(k.to_string(), v.to_string())
                .map_err(|e| reason(&e))?;
        }
        if let Some(s) = strict.subpath() {
            purl.with_subpath(s.to_owned()).map_err(|e| reason(&e))?;
        }
        let prefix = format!("{SCHEME}{kind}/");
        let encode = |p: &PackageUrl<'_>| {
            let t = p.to_string();
            format!("{prefix}{}", &t[SCHEME.len() + AS_WRITTEN.len() + 1..])
        };
        // Display writes `pkg:type/namespace/name`, `@version`, `?qualifiers` and
        // `#subpath` in that order, each encoded, so the parts are found by length.
        let text = encode(&purl);
        let mut bare = purl.clone();
        bare.clear_qualifiers().without_subpath();
        let base_end = encode(&bare).len();
        bare.without_version();
        let package_end = encode(&bare).len();
        // The crate writes a `/` of the version as it is and reads `pkg:t/n@1/2` back as
        // namespace `n@1` and name `2`: the canonical text would name another package.
        // The specification percent-encodes the version, so `/` is written `%2F`.
        let version = &text[package_end..base_end];
        let encoded = version.replace('/', "%2F");
        let base_end = base_end + encoded.len() - version.len();
        let text = format!(
            "{}{encoded}{}",
            &text[..package_end],
            &text[package_end + version.len()..]
        );
        // What the crate accepted as written may lose a part on the way to the canonical
        // text (`pkg:cpan/./x` has no namespace left, which `cpan` requires): the canonical
        // text must itself be a purl, or this one is refused with the crate's reason.
        parse_crate(&text).map_err(|e| reason(&e))?;
        let qualifiers_end = text[base_end..]
            .find('#')
            .map_or(text.len(), |i| base_end + i);
        Ok(Purl {
            kind_end: SCHEME.len() + kind.len(),
            package_end,
            base_end,
            qualifiers_end,
            version: purl.version().map(str::to_owned),
            namespace: purl.namespace().map(str::to_owned),
            name: purl.name().to_owned(),
            text,
        })
    }

    /// `pkg:type/namespace/name@version`, canonical, without qualifiers or subpath: the key
    /// components are found under.
    pub fn base(&self) -> &str {
        &self.text[..self.base_end]
    }

    /// The qualifiers, each `key=value` as canonically encoded (so neither holds `&`).
    fn qualifiers(&self) -> impl Iterator<Item = &str> {
        let q = &self.text[self.base_end..self.qualifiers_end];
        q.strip_prefix('?')
            .unwrap_or(q)
            .split('&')
            .filter(|p| !p.is_empty())
    }

    fn subpath(&self) -> &str {
        &self.text[self.qualifiers_end..]
    }

    /// Whether a component with the purl `component` is what this reference names: the
    /// same base, each qualifier the reference writes with the same value in the
    /// component's (the others are facts the reference leaves open: an SBOM generator adds
    /// `distro`, `arch` or `upstream` as it pleases), and the same subpath if the
    /// reference writes one.
    pub fn names(&self, component: &Purl) -> bool {
        self.base() == component.base()
            && self
                .qualifiers()
                .all(|q| component.qualifiers().any(|c| c == q))
            && (self.subpath().is_empty() || self.subpath() == component.subpath())
    }

    /// Whether this purl and `other` differ only in the case of their namespace and name:
    /// the type keeps their case, and a reference with the other case names nothing.
    pub(crate) fn differs_only_in_case(&self, other: &Purl) -> bool {
        self.package() != other.package()
            && self.package().to_lowercase() == other.package().to_lowercase()
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
    pub(crate) fn versionless(&self) -> String {
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

    /// The version (after `@`, percent-decoded), when the purl has one.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The namespace, percent-decoded and in the case the type keeps (`@Scope` of npm).
    pub(crate) fn decoded_namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The name, percent-decoded and in the case the type keeps (`JSONStream` of npm).
    pub(crate) fn decoded_name(&self) -> &str {
        &self.name
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

    fn canonical(text: &str) -> String {
        Purl::parse(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .canonical()
            .to_string()
    }

    /// A purl whose canonical text would not be one is refused (found by fuzzing:
    /// `pkg:cpan/./x` loses its only namespace segment, and `cpan` requires a namespace).
    #[test]
    fn a_purl_whose_canonical_text_is_invalid_is_refused() {
        let e = Purl::parse("pkg:cpan/./(1").unwrap_err();
        assert!(e.contains("namespace"), "{e}");
        assert!(Purl::parse("pkg:cpan/Acme/(1").is_ok());
    }

    /// A `/` in the version is encoded in the canonical text, so that reading it again
    /// gives the same package and version (found by fuzzing: `pkg:generic/hostie@1%2fx`
    /// was written `pkg:generic/hostie@1/x`, which reads as namespace `hostie@1`).
    #[test]
    fn a_slash_in_the_version_stays_encoded() {
        let p = Purl::parse("pkg:generic/hostie@1%2fixture62?a=b#s").unwrap();
        assert_eq!(p.canonical(), "pkg:generic/hostie@1%2Fixture62?a=b#s");
        assert_eq!(p.version(), Some("1/ixture62"));
        assert_eq!(p.name(), "hostie");
        assert_eq!(p.base(), "pkg:generic/hostie@1%2Fixture62");
        let again = Purl::parse(p.canonical()).unwrap();
        assert_eq!(again.canonical(), p.canonical());
        assert_eq!(again.version(), Some("1/ixture62"));
        assert!(p.names(&again) && again.names(&p));
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

    /// The reference's qualifiers are a subset of the component's: each one it writes must
    /// be there with the same value; the subpath must be equal when it writes one.
    #[test]
    fn each_qualifier_the_reference_writes_must_be_the_components() {
        let c = "pkg:npm/%40angular/core@17.0.0?repository_url=https://r.example&arch=x#lib/a";
        for (reference, names) in [
            ("pkg:npm/@angular/core@17.0.0", true),
            ("pkg:npm/@angular/core@17.0.0?arch=x", true),
            ("pkg:npm/@angular/core@17.0.0?ARCH=x", true),
            (
                "pkg:npm/@angular/core@17.0.0?repository_url=https%3A%2F%2Fr.example",
                true,
            ),
            (
                "pkg:npm/@angular/core@17.0.0?arch=x&repository_url=https://r.example",
                true,
            ),
            ("pkg:npm/@angular/core@17.0.0#lib/a", true),
            ("pkg:npm/@angular/core@17.0.0#/lib//a/", true),
            ("pkg:npm/@angular/core@17.0.0?arch=x#lib/a", true),
            // An empty value is no qualifier (the specification's rule).
            ("pkg:npm/@angular/core@17.0.0?os=", true),
            ("pkg:npm/@angular/core@17.0.0?arch=y", false),
            ("pkg:npm/@angular/core@17.0.0?arch=X", false),
            ("pkg:npm/@angular/core@17.0.0?arch=x&os=linux", false),
            ("pkg:npm/@angular/core@17.0.0#lib/b", false),
            ("pkg:npm/@angular/core@17.0.0#lib", false),
            ("pkg:npm/@angular/core@17.0.1", false),
        ] {
            assert_eq!(same(reference, c), names, "{reference}");
        }
        // A component without qualifiers is named by no reference that writes one.
        assert!(!same("pkg:npm/a@1?arch=x", "pkg:npm/a@1"));
    }

    /// Case is folded exactly where the type's definition says a part is not case
    /// sensitive, and nowhere else.
    #[test]
    fn case_rules_follow_the_type_definitions() {
        for (a, b) in [
            // Not case sensitive: namespace and name.
            ("pkg:deb/Debian/BSDUtils@2", "pkg:deb/debian/bsdutils@2"),
            (
                "pkg:github/Mbed-TLS/MbedTLS@v3.6.2",
                "pkg:github/mbed-tls/mbedtls@v3.6.2",
            ),
            (
                "pkg:bitbucket/Birkenfeld/Pygments-Main@244f",
                "pkg:bitbucket/birkenfeld/pygments-main@244f",
            ),
            (
                "pkg:composer/Laravel/Laravel@5.5.0",
                "pkg:composer/laravel/laravel@5.5.0",
            ),
            (
                "pkg:apk/Alpine/Curl@7.83.0-r0",
                "pkg:apk/alpine/curl@7.83.0-r0",
            ),
            (
                "pkg:alpm/Arch/PaCman@6.0.1-1",
                "pkg:alpm/arch/pacman@6.0.1-1",
            ),
            ("pkg:hex/Phoenix@1.7.0", "pkg:hex/phoenix@1.7.0"),
            // PyPI: name and version, with `_` written `-`.
            (
                "pkg:pypi/Django_Rest_Framework@3.15RC1",
                "pkg:pypi/django-rest-framework@3.15rc1",
            ),
            // Not case sensitive: the namespace only.
            ("pkg:rpm/Fedora/curl@7.50.3", "pkg:rpm/fedora/curl@7.50.3"),
            // The name and the version (a digest).
            ("pkg:oci/Debian@sha256%3AAbC", "pkg:oci/debian@sha256:abc"),
            (
                "pkg:huggingface/openai/whisper@ABCDEF",
                "pkg:huggingface/openai/whisper@abcdef",
            ),
            // The type itself.
            ("pkg:NPM/react@18.2.0", "pkg:npm/react@18.2.0"),
        ] {
            assert_eq!(canonical(a), b, "{a}");
            assert!(same(a, b) && same(b, a), "{a}");
        }
        // Case sensitive: npm scopes and names (purl-spec issue 871), Go paths, Maven,
        // Cargo, RPM names, Hugging Face names, and versions unless the type says.
        for (a, b) in [
            (
                "pkg:npm/%40Angular/core@17.0.0",
                "pkg:npm/%40angular/core@17.0.0",
            ),
            ("pkg:npm/JSONStream@1.3.5", "pkg:npm/jsonstream@1.3.5"),
            (
                "pkg:golang/github.com/Azure/go-autorest@v1",
                "pkg:golang/github.com/azure/go-autorest@v1",
            ),
            (
                "pkg:maven/org.Apache/commons@1",
                "pkg:maven/org.apache/commons@1",
            ),
            ("pkg:cargo/Serde@1.0.0", "pkg:cargo/serde@1.0.0"),
            ("pkg:rpm/fedora/Curl@7", "pkg:rpm/fedora/curl@7"),
            (
                "pkg:huggingface/OpenAI/whisper@abc",
                "pkg:huggingface/openai/whisper@abc",
            ),
            (
                "pkg:github/mbed-tls/mbedtls@V3.6.2",
                "pkg:github/mbed-tls/mbedtls@v3.6.2",
            ),
            ("pkg:generic/OpenSSL@3", "pkg:generic/openssl@3"),
        ] {
            assert_eq!(canonical(a), a, "{a} keeps its case");
            assert!(!same(a, b), "{a} and {b} are different packages");
        }
        let upper = Purl::parse("pkg:npm/JSONStream@1.3.5").unwrap();
        let lower = Purl::parse("pkg:npm/jsonstream@1.0.0").unwrap();
        assert!(upper.differs_only_in_case(&lower));
        assert!(!upper.differs_only_in_case(&upper));
    }

    /// Every type the table names is a type of the specification, once.
    #[test]
    fn the_case_table_is_well_formed() {
        let mut kinds: Vec<&str> = CASE_INSENSITIVE.iter().map(|(t, _)| *t).collect();
        let n = kinds.len();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), n);
        for (t, parts) in CASE_INSENSITIVE {
            assert!(parts.iter().any(|p| *p), "{t} folds nothing");
            assert!(PackageUrl::new(*t, "x").is_ok(), "{t}");
        }
    }

    #[test]
    fn a_namespace_of_dot_segments_is_no_namespace() {
        // Found by the `purl` fuzz target: the canonical form must parse to itself.
        for text in [
            "pkg:ca/./debian@1",
            "pkg:generic/../x/./n@1",
            "pkg:npm/./../foo@1",
        ] {
            let p = Purl::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let again = Purl::parse(p.canonical()).expect("canonical parses");
            assert_eq!(again.canonical(), p.canonical(), "{text}");
            assert!(!p.canonical().contains("//"), "{text}: {}", p.canonical());
        }
        assert_eq!(
            canonical("pkg:generic/./a/../b/name@1"),
            "pkg:generic/a/b/name@1"
        );
    }

    #[test]
    fn an_empty_subpath_is_no_subpath() {
        for text in [
            "pkg:npm/foo@1.0#",
            "pkg:npm/foo@1.0#/",
            "pkg:npm/foo@1.0#//./..",
            "pkg:npm/foo@1.0?arch=x#",
        ] {
            let p = Purl::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!(!p.canonical().contains('#'), "{text}: {}", p.canonical());
            assert_eq!(p.subpath(), "");
            assert!(same(text, "pkg:npm/foo@1.0?arch=x#lib"), "{text}");
        }
        // `#` inside a qualifier value is encoded, so the last `#` starts the subpath.
        assert_eq!(
            canonical("pkg:npm/foo@1.0?file=a%23b#"),
            "pkg:npm/foo@1.0?file=a%23b"
        );
    }

    #[test]
    fn malformed_purls_are_refused_with_the_reason() {
        for (text, reason) in [
            ("pkg:npm/", "missing name"),
            ("pkg:cargo/rust-lang/serde@1", "namespace"),
            ("npm/react@1", "scheme"),
            ("pkg:1npm/react", "type"),
            (
                "pkg:npm/foo@1.0%zz",
                "`%zz` is not a percent-encoded character",
            ),
            ("pkg:npm/foo%2@1.0", "`%2@` is not"),
            ("pkg:npm/foo@1.0%", "`%` is not"),
            ("pkg:npm/f%C3%A9%e", "`%e` is not"),
            ("pkg:npm/f%ff@1", "do not decode to UTF-8"),
            ("pkg:npm/foo@1#a/%2E%2E/b%2Fc", "subpath"),
        ] {
            let e = Purl::parse(text).unwrap_err();
            assert!(e.contains(reason), "{text}: {e}");
        }
        // A `%` before a multi-byte character is quoted whole.
        let e = Purl::parse("pkg:npm/foo%é").unwrap_err();
        assert!(e.contains("`%é`"), "{e}");
        // Percent escapes in either case are one character.
        assert_eq!(
            canonical("pkg:npm/f%c3%a9@1"),
            canonical("pkg:npm/f%C3%A9@1")
        );
    }

    /// The canonical form parses to itself, whatever the type.
    #[test]
    fn canonical_forms_are_fixed_points() {
        for text in [
            "pkg:npm/%40Babel/Core@7.0.0-Beta?Arch=X&b=%26#/Src//Lib/",
            "pkg:pypi/Zope.Interface_X@5.0RC1",
            "pkg:mlflow/CreditFraud@3?repository_url=https://adb-5245952564735461.0.azuredatabricks.net/api/2.0/mlflow",
            "pkg:deb/Debian/A%20B@1%3A2",
            "pkg://golang//google.golang.org/genproto#/googleapis/api/annotations/",
        ] {
            let once = canonical(text);
            assert_eq!(canonical(&once), once, "{text}");
        }
        assert_eq!(
            canonical("pkg:mlflow/CreditFraud@3?repository_url=https://adb.azuredatabricks.net/x"),
            "pkg:mlflow/creditfraud@3?repository_url=https:%2F%2Fadb.azuredatabricks.net%2Fx"
        );
        assert_eq!(
            canonical("pkg:mlflow/CreditFraud@3?repository_url=https://ml.azure.com"),
            "pkg:mlflow/CreditFraud@3?repository_url=https:%2F%2Fml.azure.com"
        );
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
