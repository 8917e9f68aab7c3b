//! SBOMs compared file by file (by their key in the SBOM folder), components by identity.
//!
//! Components are grouped by package: the canonical purl without version and qualifiers
//! ([`crate::sbom::purl::Purl::versionless`]), else the purl as written without version,
//! else the bom-ref, else `group/name`. Inside a package, components of the same identity
//! (the one their row anchors come from, [`Component::identity`]: the canonical purl without
//! qualifiers, else the bom-ref, else `group/name@version`) pair up; what is left pairs up as
//! a version change when exactly one component is left on each side (a workspace may ship
//! two versions of one package on purpose); the rest is added or removed.
//!
//! Licenses are compared as SPDX expressions by meaning (`MIT OR Apache-2.0` equals
//! `Apache-2.0 OR MIT`); hashes and suppliers as written.

use crate::Analysis;
use crate::sbom::{Component, Sbom};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A component as the report names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ComponentRef {
    /// `group/name@version`.
    pub(crate) label: String,
    pub(crate) purl: Option<String>,
    pub(crate) bom_ref: Option<String>,
}

/// A value of a component that changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ComponentChange {
    /// The component as it is now.
    pub(crate) component: ComponentRef,
    pub(crate) before: String,
    pub(crate) after: String,
}

/// What changed in one SBOM file.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct SbomChange {
    /// The SBOM's path in the SBOM folder.
    pub(crate) sbom: String,
    /// `added`, `removed` or `changed`.
    pub(crate) state: &'static str,
    pub(crate) added: Vec<ComponentRef>,
    pub(crate) removed: Vec<ComponentRef>,
    pub(crate) version_changed: Vec<ComponentChange>,
    pub(crate) license_changed: Vec<ComponentChange>,
    pub(crate) hash_changed: Vec<ComponentChange>,
    pub(crate) supplier_changed: Vec<ComponentChange>,
}

impl SbomChange {
    fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.version_changed.is_empty()
            && self.license_changed.is_empty()
            && self.hash_changed.is_empty()
            && self.supplier_changed.is_empty()
    }
}

/// A purl as written, without version, qualifiers and subpath
/// (`pkg:cargo/serde@1.0.1?x=y#sub` → `pkg:cargo/serde`): the package of a purl the
/// `packageurl` crate refused (an SBOM may hold one; it is then compared as text).
pub(crate) fn purl_package(purl: &str) -> &str {
    let end = purl.find(['?', '#']).unwrap_or(purl.len());
    let base = &purl[..end];
    // The version follows the last `@` after the last `/`.
    let name_start = base.rfind('/').map_or(0, |i| i + 1);
    match base[name_start..].rfind('@') {
        Some(at) => &base[..name_start + at],
        None => base,
    }
}

/// The package a component is a version of (see the module documentation).
pub(crate) fn package(c: &Component) -> String {
    if let Some(p) = &c.parsed_purl {
        return format!("purl:{}", p.versionless());
    }
    if let Some(p) = &c.purl {
        return format!("purl:{}", purl_package(p));
    }
    if let Some(r) = &c.bom_ref {
        return format!("bom-ref:{r}");
    }
    match &c.group {
        Some(g) if !g.is_empty() => format!("name:{g}/{}", c.name),
        _ => format!("name:{}", c.name),
    }
}

fn component_ref(c: &Component) -> ComponentRef {
    ComponentRef {
        label: c.label(),
        purl: c.purl.clone(),
        bom_ref: c.bom_ref.clone(),
    }
}

/// The SPDX expression of a component's license choices (several entries all apply).
fn license_text(c: &Component) -> String {
    match c.licenses.len() {
        0 => String::new(),
        1 => c.licenses[0].clone(),
        _ => c
            .licenses
            .iter()
            .map(|l| format!("({l})"))
            .collect::<Vec<_>>()
            .join(" AND "),
    }
}

/// Largest number of distinct licenses whose combinations are tried; expressions with
/// more are compared as text.
const MAX_TERMS: usize = 12;

/// Whether two license expressions mean the same: they accept exactly the same sets of
/// licenses. Expressions the `spdx` crate cannot read are compared as text.
pub(crate) fn same_license(a: &str, b: &str) -> bool {
    if a.trim() == b.trim() {
        return true;
    }
    let mode = spdx::ParseMode::LAX;
    let (Ok(x), Ok(y)) = (
        spdx::Expression::parse_mode(a, mode),
        spdx::Expression::parse_mode(b, mode),
    ) else {
        return false;
    };
    let terms: BTreeSet<String> = x
        .requirements()
        .chain(y.requirements())
        .map(|r| r.req.to_string())
        .collect();
    if terms.len() > MAX_TERMS {
        return false;
    }
    let terms: Vec<String> = terms.into_iter().collect();
    // Truth tables over every subset of accepted licenses.
    (0u32..1 << terms.len()).all(|mask| {
        let accepts = |req: &spdx::LicenseReq| {
            let t = req.to_string();
            terms
                .iter()
                .position(|x| *x == t)
                .is_some_and(|i| mask & (1 << i) != 0)
        };
        x.evaluate(accepts) == y.evaluate(accepts)
    })
}

fn hashes(c: &Component) -> String {
    let mut h: Vec<String> = c.hashes.iter().map(|(a, v)| format!("{a}:{v}")).collect();
    h.sort();
    h.join(" ")
}

fn group(s: Option<&Sbom>) -> BTreeMap<String, Vec<&Component>> {
    let mut m: BTreeMap<String, Vec<&Component>> = BTreeMap::new();
    for c in s.map(|s| s.components.as_slice()).unwrap_or_default() {
        m.entry(package(c)).or_default().push(c);
    }
    m
}

fn compare_one(path: &str, base: Option<&Sbom>, head: Option<&Sbom>) -> SbomChange {
    let (mut old, mut new) = (group(base), group(head));
    let mut out = SbomChange {
        sbom: path.to_string(),
        state: match (base, head) {
            (None, _) => "added",
            (_, None) => "removed",
            _ => "changed",
        },
        ..SbomChange::default()
    };
    let ids: BTreeSet<String> = old.keys().chain(new.keys()).cloned().collect();
    for id in ids {
        let mut was = old.remove(&id).unwrap_or_default();
        let mut now = new.remove(&id).unwrap_or_default();
        let mut pairs = Vec::new();
        now.retain(|n| {
            let identity = n.identity();
            match was.iter().position(|w| w.identity() == identity) {
                Some(i) => {
                    pairs.push((was.remove(i), *n));
                    false
                }
                None => true,
            }
        });
        if was.len() == 1 && now.len() == 1 {
            pairs.push((was[0], now[0]));
        } else {
            out.removed.extend(was.iter().map(|c| component_ref(c)));
            out.added.extend(now.iter().map(|c| component_ref(c)));
        }
        for (w, n) in pairs {
            // A bom-ref or a name without version stays the same across versions.
            if w.version != n.version {
                out.version_changed.push(ComponentChange {
                    component: component_ref(n),
                    before: w.version.clone().unwrap_or_default(),
                    after: n.version.clone().unwrap_or_default(),
                });
            }
            let change = |before: String, after: String| ComponentChange {
                component: component_ref(n),
                before,
                after,
            };
            let (lw, ln) = (license_text(w), license_text(n));
            if !same_license(&lw, &ln) {
                out.license_changed.push(change(lw, ln));
            }
            // A new version has new hashes; that is the version change, not news.
            if w.version == n.version && hashes(w) != hashes(n) {
                out.hash_changed.push(change(hashes(w), hashes(n)));
            }
            if w.supplier != n.supplier {
                out.supplier_changed.push(change(
                    w.supplier.clone().unwrap_or_default(),
                    n.supplier.clone().unwrap_or_default(),
                ));
            }
        }
    }
    out
}

/// Every SBOM that changed, sorted by its path in the SBOM folder.
pub(crate) fn compare(base: Option<&Analysis>, head: &Analysis) -> Vec<SbomChange> {
    let by_key = |a: &Analysis| -> BTreeMap<String, usize> {
        a.sboms
            .sboms
            .iter()
            .enumerate()
            .map(|(i, s)| (s.key.clone(), i))
            .collect()
    };
    let old = base.map(by_key).unwrap_or_default();
    let new = by_key(head);
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let b = base.zip(old.get(k)).map(|(a, &i)| &a.sboms.sboms[i]);
            let h = new.get(k).map(|&i| &head.sboms.sboms[i]);
            // An unchanged file needs no comparison of its components.
            if let (Some(b), Some(h)) = (b, h)
                && b.sha256 == h.sha256
            {
                return None;
            }
            let change = compare_one(k, b, h);
            (!change.is_empty() || change.state != "changed").then_some(change)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licenses_compare_by_meaning() {
        assert!(same_license("MIT OR Apache-2.0", "Apache-2.0 OR MIT"));
        assert!(same_license(
            "(MIT OR Apache-2.0) AND BSD-3-Clause",
            "BSD-3-Clause AND (Apache-2.0 OR MIT)"
        ));
        assert!(same_license("MIT/Apache-2.0", "Apache-2.0 OR MIT"));
        assert!(!same_license("MIT OR Apache-2.0", "MIT AND Apache-2.0"));
        assert!(!same_license("MIT", "Apache-2.0"));
        assert!(!same_license("MIT", ""));
        assert!(same_license("Some custom licence", "Some custom licence"));
        assert!(!same_license("Some custom licence", "Another"));
    }

    #[test]
    fn purl_packages_drop_version_qualifiers_and_subpath() {
        assert_eq!(purl_package("pkg:cargo/serde@1.0.1"), "pkg:cargo/serde");
        assert_eq!(
            purl_package("pkg:maven/org.a/b@2.0?type=jar#x"),
            "pkg:maven/org.a/b"
        );
        assert_eq!(
            purl_package("pkg:npm/%40scope/name@1"),
            "pkg:npm/%40scope/name"
        );
        assert_eq!(purl_package("pkg:generic/thing"), "pkg:generic/thing");
    }
}
