//! HTML anchors of the rows of an SBOM page.
//!
//! People link to a component row by hand (`sbom.md#<anchor>`), and `trace.json` hands the
//! anchor to other tools, so an anchor must name the same component for as long as the
//! component is in the SBOM. It is therefore a function of the component's own identity
//! and of nothing else (not of its position, nor of the other components):
//!
//! - the identity is the purl without qualifiers (canonical, see [`super::purl`]), else the
//!   bom-ref, else `group/name@version`;
//! - the anchor is the SBOM's anchor, `-`, and a readable slug of the identity (for a purl:
//!   type, namespace, name and version);
//! - when the slug is not the identity itself (it dropped punctuation or case, or was cut
//!   to [`MAX_SLUG`] characters), eight hex digits of the identity's SHA-256 follow, so two
//!   identities with the same slug (`a.b` and `a-b`) never share an anchor.
//!
//! Only objects with the very same identity (a package listed twice) are told apart by a
//! counter in document order; adding or removing any other object moves no anchor.

use crate::digest::sha256_hex;
use std::collections::HashSet;

/// Longest readable part of an anchor, in bytes.
pub(crate) const MAX_SLUG: usize = 48;

/// A lower-case slug for anchors: ASCII letters and digits, runs of anything else as one `-`,
/// at most `max` bytes.
pub(crate) fn slug(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max));
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= max {
            break;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// What an object is known by, for its anchor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Identity {
    /// A component's canonical purl without qualifiers ([`super::purl::Purl::identity`]).
    Purl(String),
    /// A purl the parser refused, as written without qualifiers.
    RawPurl(String),
    BomRef(String),
    /// `group/name@version`, for objects with neither.
    Label(String),
}

impl Identity {
    /// The text the anchor is derived from, and the readable text its slug comes from.
    fn texts(&self) -> (String, String) {
        match self {
            Identity::Purl(p) => {
                // `pkg:type/namespace/name@version#subpath`: the readable part leaves out the
                // scheme and the subpath.
                let readable = p.strip_prefix("pkg:").unwrap_or(p);
                let readable = &readable[..readable.find('#').unwrap_or(readable.len())];
                (format!("purl:{p}"), readable.to_owned())
            }
            Identity::RawPurl(raw) => {
                let base = &raw[..raw.find('?').unwrap_or(raw.len())];
                (
                    format!("purl:{base}"),
                    base.strip_prefix("pkg:").unwrap_or(base).to_owned(),
                )
            }
            Identity::BomRef(r) => (format!("bom-ref:{r}"), r.clone()),
            Identity::Label(l) => (format!("name:{l}"), l.clone()),
        }
    }

    /// The readable part of the anchor, with the hash suffix when the slug lost
    /// information (see the module docs).
    pub(crate) fn anchor_part(&self, fallback: &str) -> String {
        let (identity, readable) = self.texts();
        let s = slug(&readable, MAX_SLUG);
        let exact = !matches!(self, Identity::Purl(_) | Identity::RawPurl(_)) && s == readable;
        if exact {
            return s;
        }
        let hash = &sha256_hex(identity.as_bytes())[..8];
        if s.is_empty() {
            format!("{fallback}-{hash}")
        } else {
            format!("{s}-{hash}")
        }
    }
}

/// Hands out anchors under one SBOM's anchor, unique among themselves.
#[derive(Debug)]
pub(crate) struct Anchors<'a> {
    prefix: &'a str,
    taken: HashSet<String>,
}

impl<'a> Anchors<'a> {
    pub(crate) fn new(prefix: &'a str) -> Anchors<'a> {
        Anchors {
            prefix,
            taken: HashSet::new(),
        }
    }

    /// The anchor of an object with this identity; `fallback` names the kind of object
    /// when the identity has no letters or digits at all.
    pub(crate) fn next(&mut self, identity: &Identity, fallback: &str) -> String {
        let wanted = format!("{}-{}", self.prefix, identity.anchor_part(fallback));
        unique(&mut self.taken, wanted)
    }
}

/// `wanted`, or `wanted-2`, `wanted-3`, ... whichever is still free.
pub(crate) fn unique(taken: &mut HashSet<String>, wanted: String) -> String {
    if taken.insert(wanted.clone()) {
        return wanted;
    }
    for n in 2.. {
        let candidate = format!("{wanted}-{n}");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
    }
    unreachable!("the counter is unbounded")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purl(text: &str) -> Identity {
        Identity::Purl(crate::sbom::purl::Purl::parse(text).unwrap().identity())
    }

    #[test]
    fn slugs_are_html_safe() {
        assert_eq!(
            slug("pkg:npm/@angular/core@17.0.0", 60),
            "pkg-npm-angular-core-17-0-0"
        );
        assert_eq!(slug("--", 60), "");
        assert_eq!(slug(&"a".repeat(100), 10).len(), 10);
    }

    #[test]
    fn plain_bom_refs_are_their_own_anchor() {
        assert_eq!(Identity::BomRef("zephyr".into()).anchor_part("x"), "zephyr");
        assert_eq!(
            Identity::Label("blob".into()).anchor_part("component"),
            "blob"
        );
    }

    #[test]
    fn lossy_slugs_carry_a_hash_of_the_identity() {
        let a = Identity::BomRef("a.b".into()).anchor_part("x");
        let b = Identity::BomRef("a-b".into()).anchor_part("x");
        let c = Identity::BomRef("A-B".into()).anchor_part("x");
        assert!(a.starts_with("a-b-") && a.len() == "a-b-".len() + 8, "{a}");
        assert_eq!(b, "a-b");
        assert!(c.starts_with("a-b-"), "{c}");
        assert_ne!(a, c);
        let serde = purl("pkg:cargo/serde@1.0.228").anchor_part("x");
        assert!(serde.starts_with("cargo-serde-1-0-228-"), "{serde}");
        // Qualifiers and percent-encoding are not part of the identity.
        assert_eq!(
            purl("pkg:cargo/serde@1.0.228?download_url=x").anchor_part("x"),
            serde
        );
        assert_eq!(purl("pkg:cargo/serde@1%2E0.228").anchor_part("x"), serde);
        assert_ne!(purl("pkg:cargo/serde@1.0.229").anchor_part("x"), serde);
    }

    #[test]
    fn long_identities_are_cut_and_stay_distinct() {
        let long = "registry+https://github.com/rust-lang/crates.io-index#";
        let ryu = Identity::BomRef(format!("{long}ryu@1.0.18")).anchor_part("x");
        let itoa = Identity::BomRef(format!("{long}itoa@1.0.11")).anchor_part("x");
        assert_ne!(ryu, itoa);
        assert!(ryu.len() <= MAX_SLUG + 9, "{ryu}");
    }

    #[test]
    fn same_identities_are_counted() {
        let mut anchors = Anchors::new("sbom-a");
        let x = Identity::BomRef("x".into());
        assert_eq!(anchors.next(&x, "c"), "sbom-a-x");
        assert_eq!(anchors.next(&x, "c"), "sbom-a-x-2");
        assert!(
            anchors
                .next(&Identity::Label("%%".into()), "service")
                .starts_with("sbom-a-service-")
        );
    }
}
