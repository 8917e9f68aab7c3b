//! Version order per advisory ecosystem. OSV ranges are sequences of events at versions
//! ("introduced", "fixed", ...); evaluating them needs the ecosystem's own order, which is
//! never plain string order (`1.10` after `1.9`, `1.0rc1` before `1.0`, `1:2.0` after
//! `3.0`). Each order comes from a library that implements its specification:
//!
//! | order | ecosystems | library |
//! |---|---|---|
//! | SemVer 2.0 | crates.io, npm, Go, Hex, Pub | `semver` |
//! | PEP 440 | PyPI | `pep440_rs` |
//! | Debian Policy 5.6.12 | Debian, Ubuntu | `debversion` |
//! | RPM (`rpmvercmp`, epoch:version-release) | Red Hat, AlmaLinux, Rocky Linux, openSUSE, SUSE, Mageia | `rpm-version` |
//!
//! Ecosystems without an order here (Maven, RubyGems, NuGet, Packagist, Alpine, ...) are
//! matched through an advisory's enumerated `versions` only.

use std::cmp::Ordering;

/// Which order an ecosystem's versions follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    Semver,
    Pep440,
    Debian,
    Rpm,
}

impl Order {
    /// Parses `text` as a version of this order. Go versions carry a `v` (`v1.8.0`) in
    /// purls and module paths but not in OSV events, so a leading `v` before a digit is
    /// dropped for SemVer.
    ///
    /// # Errors
    ///
    /// The text is not a version of this order; the message says why.
    pub(crate) fn parse(self, text: &str) -> Result<Version, String> {
        let t = text.trim();
        match self {
            Order::Semver => {
                let bare = match t.strip_prefix('v') {
                    Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
                    _ => t,
                };
                semver::Version::parse(bare)
                    .map(Version::Semver)
                    .map_err(|e| format!("`{text}` is not a SemVer 2.0 version ({e})"))
            }
            Order::Pep440 => t
                .parse::<pep440_rs::Version>()
                .map(Version::Pep440)
                .map_err(|e| format!("`{text}` is not a PEP 440 version ({e})")),
            Order::Debian => t
                .parse::<debversion::Version>()
                .map(Version::Debian)
                .map_err(|e| format!("`{text}` is not a Debian version ({e:?})")),
            Order::Rpm => {
                if t.is_empty() || t.contains(char::is_whitespace) {
                    return Err(format!("`{text}` is not an RPM version"));
                }
                Ok(Version::Rpm(t.to_owned()))
            }
        }
    }
}

/// A version parsed in its ecosystem's order. Versions of different orders never meet:
/// one range is evaluated in one order.
#[derive(Clone, Debug)]
pub(crate) enum Version {
    Semver(semver::Version),
    Pep440(pep440_rs::Version),
    Debian(debversion::Version),
    /// RPM's order parses any text (it compares alternating runs of digits and letters),
    /// so the text is kept and compared with `rpm-version`.
    Rpm(String),
}

impl Version {
    /// The order of two versions; `None` when they come from different orders.
    pub(crate) fn compare(&self, other: &Version) -> Option<Ordering> {
        Some(match (self, other) {
            (Version::Semver(a), Version::Semver(b)) => a.cmp(b),
            (Version::Pep440(a), Version::Pep440(b)) => a.cmp(b),
            (Version::Debian(a), Version::Debian(b)) => a.cmp(b),
            (Version::Rpm(a), Version::Rpm(b)) => rpm_version::rpm_evr_compare(a, b),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lt(order: Order, a: &str, b: &str) -> bool {
        let a = order.parse(a).unwrap();
        let b = order.parse(b).unwrap();
        a.compare(&b) == Some(Ordering::Less)
    }

    #[test]
    fn semver_orders_pre_releases_before_the_release() {
        assert!(lt(Order::Semver, "1.0.0-rc.1", "1.0.0"));
        assert!(lt(Order::Semver, "1.0.0-alpha.9", "1.0.0-alpha.10"));
        assert!(lt(Order::Semver, "1.9.0", "1.10.0"));
        assert!(lt(Order::Semver, "v1.8.0", "1.8.1"), "Go's v prefix");
        assert!(Order::Semver.parse("1.2").is_err());
        assert!(Order::Semver.parse("latest").is_err());
    }

    #[test]
    fn pep440_orders_pre_and_post_releases() {
        assert!(lt(Order::Pep440, "1.0rc1", "1.0"));
        assert!(lt(Order::Pep440, "1.0", "1.0.post1"));
        assert!(lt(Order::Pep440, "1.0.dev1", "1.0a1"));
        assert!(lt(Order::Pep440, "1.9", "1.10"));
        let same = Order::Pep440.parse("1.0").unwrap();
        assert_eq!(
            same.compare(&Order::Pep440.parse("1.0.0").unwrap()),
            Some(Ordering::Equal)
        );
        assert!(Order::Pep440.parse("not a version").is_err());
    }

    #[test]
    fn debian_orders_epochs_tildes_and_revisions() {
        assert!(lt(Order::Debian, "1.0~rc1-1", "1.0-1"));
        assert!(lt(Order::Debian, "3.0-1", "1:2.0-1"));
        assert!(lt(
            Order::Debian,
            "7.74.0-1.3+deb11u7",
            "7.74.0-1.3+deb11u10"
        ));
        assert!(lt(Order::Debian, "2.36.1-8", "2.36.1-8+deb11u1"));
    }

    #[test]
    fn rpm_orders_epoch_version_release() {
        assert!(lt(Order::Rpm, "1.2.3-4", "1.2.3-5"));
        assert!(lt(Order::Rpm, "1:9.9-1", "2:1.0-1"));
        assert!(lt(Order::Rpm, "1.0~rc1", "1.0"));
        assert!(Order::Rpm.parse("").is_err());
    }

    #[test]
    fn versions_of_different_orders_do_not_compare() {
        let a = Order::Semver.parse("1.0.0").unwrap();
        let b = Order::Pep440.parse("1.0.0").unwrap();
        assert_eq!(a.compare(&b), None);
    }
}
