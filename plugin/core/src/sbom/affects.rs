//! Items' `affects` resolved against the loaded SBOMs.
//!
//! An entry names an object by its bom-ref (any object that carries one: a component, a
//! service, a vulnerability, ...) or a component by its purl. Purls are compared as purls
//! ([`super::purl`]), so encoding, case rules of the type and qualifiers the entry does not
//! write do not matter. An entry that names nothing is an `unknown-component`, with a
//! suggestion that looks at the same package first, then the same purl type, then
//! everything.

use super::purl::Purl;
use super::{Failed, Loaded, Sbom, Target, version};
use crate::diag::{Code, Diagnostic};
use crate::model::{Item, SourceMap, Span, Status};
use std::collections::{BTreeMap, HashMap, HashSet};

/// An object (component, service or other) in one of the loaded SBOMs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId {
    pub(crate) sbom: usize,
    pub target: Target,
}

/// The loaded SBOMs and the `affects` links between items and their objects.
#[derive(Debug, Default)]
pub struct SbomSet {
    /// The SBOMs that passed validation, sorted by path.
    pub sboms: Vec<Sbom>,
    /// The SBOMs that could not be read or did not validate.
    pub(crate) failed: Vec<Failed>,
    /// Per item (same index as the item list): the objects each `affects` entry resolved
    /// to, in the order written, without repeats.
    pub affects: Vec<Vec<ObjectId>>,
    /// Per object: the live items that affect it, sorted by ID.
    pub(crate) affected_by: BTreeMap<ObjectId, Vec<usize>>,
}

impl SbomSet {
    /// The SBOM an object is in.
    pub fn sbom(&self, id: ObjectId) -> &Sbom {
        &self.sboms[id.sbom]
    }

    /// Whether a directive argument names an SBOM that could not be read.
    #[cfg(test)]
    pub(crate) fn is_failed(&self, name: &str) -> bool {
        self.failed_named(name).is_some()
    }

    /// The SBOM that could not be read which a directive argument names, if any.
    pub(crate) fn failed_named(&self, name: &str) -> Option<&Failed> {
        self.failed.iter().find(|f| f.is_named(name))
    }

    /// The SBOM a directive argument names: its key, its path in the book, or its file name
    /// when only one SBOM has that name.
    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        if let Some(i) = self
            .sboms
            .iter()
            .position(|s| s.key == name || s.path == name)
        {
            return Some(i);
        }
        let mut by_file = self
            .sboms
            .iter()
            .enumerate()
            .filter(|(_, s)| s.key.rsplit('/').next() == Some(name));
        match (by_file.next(), by_file.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    }
}

/// Every way an entry can name an object of the loaded SBOMs. Keys borrow from the SBOMs,
/// so building it allocates little even for tens of thousands of components.
#[derive(Default)]
struct Lookup<'a> {
    sboms: &'a [Sbom],
    by_ref: HashMap<&'a str, Vec<ObjectId>>,
    /// Component purls as written, including those the purl parser refuses.
    by_written_purl: HashMap<&'a str, Vec<ObjectId>>,
    /// Components with a valid purl, by its canonical base ([`Purl::base`]).
    by_base: HashMap<&'a str, Vec<(ObjectId, &'a Purl)>>,
}

impl<'a> Lookup<'a> {
    fn new(sboms: &'a [Sbom]) -> Lookup<'a> {
        let mut l = Lookup {
            sboms,
            ..Lookup::default()
        };
        for (s, sbom) in sboms.iter().enumerate() {
            let mut refs: Vec<(&str, Target)> =
                sbom.by_ref.iter().map(|(r, t)| (r.as_str(), *t)).collect();
            refs.sort_unstable();
            for (r, target) in refs {
                l.by_ref
                    .entry(r)
                    .or_default()
                    .push(ObjectId { sbom: s, target });
            }
            for (c, comp) in sbom.components.iter().enumerate() {
                let id = ObjectId {
                    sbom: s,
                    target: Target::Component(c),
                };
                if let Some(text) = comp.purl.as_deref() {
                    l.by_written_purl.entry(text).or_default().push(id);
                }
                if let Some(purl) = &comp.parsed_purl {
                    l.by_base.entry(purl.base()).or_default().push((id, purl));
                }
            }
        }
        l
    }

    /// The objects an entry names, in SBOM order, without repeats.
    fn find(&self, entry: &str, purl: Option<&Purl>) -> Vec<ObjectId> {
        let mut hits: Vec<ObjectId> = Vec::new();
        let exact = [self.by_ref.get(entry), self.by_written_purl.get(entry)];
        hits.extend(exact.into_iter().flatten().flatten());
        if let Some(p) = purl {
            let same_base = self.by_base.get(p.base()).into_iter().flatten();
            hits.extend(same_base.filter(|(_, c)| p.names(c)).map(|(id, _)| *id));
        }
        hits.sort_unstable();
        hits.dedup();
        hits
    }

    /// The parsed purls of every component, with their purls as written.
    fn purls(&self) -> impl Iterator<Item = (&'a Purl, &'a str)> {
        self.sboms.iter().flat_map(|s| {
            s.components
                .iter()
                .filter_map(|c| Some((c.parsed_purl.as_ref()?, c.purl.as_deref()?)))
        })
    }

    /// The purl or bom-ref to suggest for an entry that names nothing: a component of the
    /// same package (the version nearest above the entry's, else the highest), else of the
    /// same type and name written in another case (which the type keeps apart), else the
    /// closest name of the same purl type, else the closest purl or bom-ref of all.
    fn suggest(&self, entry: &str, purl: Option<&Purl>) -> Option<&'a str> {
        if let Some(p) = purl {
            let wanted = p.version().map(version::key);
            let nearest = |same: &dyn Fn(&Purl) -> bool| {
                let mut found: Vec<(Option<version::VersionKey>, &'a str)> = self
                    .purls()
                    .filter(|(c, _)| same(c))
                    .map(|(c, text)| (c.version().map(version::key), text))
                    .collect();
                found.sort();
                let above = found.iter().find(|(v, _)| *v >= wanted);
                above.or(found.last()).map(|(_, t)| *t)
            };
            if let Some(t) = nearest(&|c| c.package() == p.package())
                .or_else(|| nearest(&|c| c.differs_only_in_case(p)))
            {
                return Some(t);
            }
            let same_type = || self.purls().filter(|(c, _)| c.kind() == p.kind());
            if let Some(name) =
                crate::suggest::closest(p.name(), same_type().map(|(c, _)| c.name()))
            {
                return same_type().find(|(c, _)| c.name() == name).map(|(_, t)| t);
            }
        }
        let near = self
            .by_ref
            .keys()
            .chain(self.by_written_purl.keys())
            .copied()
            .filter(|k| k.len().abs_diff(entry.len()) <= 3);
        crate::suggest::closest(entry, near)
    }
}

/// At most this many unknown entries get a suggestion: each one compares the entry with
/// every bom-ref and purl, which adds up with large SBOMs.
const MAX_SUGGESTIONS: usize = 100;

/// Resolves every item's `affects` against the loaded SBOMs (see the module docs). An
/// entry may match objects in several SBOMs. `map` holds the text of the SBOMs that did
/// not load: an entry written there is reported as depending on that file.
pub fn resolve(
    loaded: Loaded,
    items: &[Item],
    canonical: impl Fn(usize) -> bool,
    map: &SourceMap,
) -> (SbomSet, Vec<Diagnostic>) {
    let Loaded { sboms, failed } = loaded;
    let mut diags = Vec::new();
    let lookup = Lookup::new(&sboms);
    let mut affects = Vec::with_capacity(items.len());
    let mut affected_by: BTreeMap<ObjectId, Vec<usize>> = BTreeMap::new();
    let mut suggestions = 0usize;
    for (i, item) in items.iter().enumerate() {
        let mut found: Vec<ObjectId> = Vec::new();
        let mut seen = HashSet::new();
        for r in &item.affects {
            let entry = r.value.as_str();
            if !seen.insert(entry) {
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateLink,
                        format!("`{entry}` is listed twice under `affects`"),
                    )
                    .at(r.span, "listed again here")
                    .help("remove the repeated entry"),
                );
                continue;
            }
            let parsed = entry.starts_with("pkg:").then(|| Purl::parse(entry));
            let purl = parsed.as_ref().and_then(|p| p.as_ref().ok());
            let hits = lookup.find(entry, purl);
            if hits.is_empty()
                && let Some((f, at)) = written_in_failed(&failed, map, entry)
            {
                diags.push(
                    Diagnostic::new(
                        Code::UnknownComponent,
                        format!(
                            "`{}` affects `{entry}`, which is written in `{}`, which could not be read",
                            item.id, f.name
                        ),
                    )
                    .at(r.span, "the SBOM that lists it did not load")
                    .with_label(at, "written here, but this SBOM could not be read")
                    .help(format!(
                        "see the error reported in `{}` and fix it first: the reference is checked again once the SBOM loads",
                        f.name
                    )),
                );
                continue;
            }
            if hits.is_empty() {
                let suggestion = if suggestions < MAX_SUGGESTIONS {
                    suggestions += 1;
                    lookup.suggest(entry, purl)
                } else {
                    None
                };
                diags.push(unknown(
                    item,
                    r,
                    parsed.as_ref(),
                    suggestion,
                    &sboms,
                    &failed,
                    map,
                ));
                continue;
            }
            for h in hits {
                if !found.contains(&h) {
                    found.push(h);
                }
            }
        }
        if item.status != Status::Obsolete && canonical(i) {
            for h in &found {
                affected_by.entry(*h).or_default().push(i);
            }
        }
        affects.push(found);
    }
    for list in affected_by.values_mut() {
        list.sort_by(|a, b| items[*a].id.cmp(&items[*b].id));
        list.dedup();
    }
    (
        SbomSet {
            sboms,
            failed,
            affects,
            affected_by,
        },
        diags,
    )
}

/// The first SBOM that did not load whose text holds `entry` as a JSON string, and where.
/// A purl written with other escapes or encodings is not found this way; it then gets the
/// ordinary finding, which lists the SBOMs that were not searched.
fn written_in_failed<'f>(
    failed: &'f [Failed],
    map: &SourceMap,
    entry: &str,
) -> Option<(&'f Failed, Span)> {
    let quoted = format!("\"{entry}\"");
    failed.iter().find_map(|f| {
        let at = map.text(f.file).find(&quoted)? + 1;
        Some((f, Span::new(f.file, at..at + entry.len())))
    })
}

/// The `unknown-component` finding for an entry that names nothing.
fn unknown(
    item: &Item,
    written: &crate::model::Spanned<String>,
    parsed: Option<&Result<Purl, String>>,
    suggestion: Option<&str>,
    sboms: &[Sbom],
    failed: &[Failed],
    map: &SourceMap,
) -> Diagnostic {
    let (entry, span) = (written.value.as_str(), written.span);
    let searched = if failed.is_empty() {
        "no loaded SBOM"
    } else {
        "none of the SBOMs that could be read"
    };
    let (message, label) = match parsed {
        Some(Err(e)) => (
            format!(
                "`{}` affects `{entry}`, which is not a valid package URL: {e}",
                item.id
            ),
            format!("not a purl ({e}), and {searched} has an object with this bom-ref"),
        ),
        Some(Ok(_)) => (
            format!("`{}` affects unknown component `{entry}`", item.id),
            format!("{searched} has a component with this purl, or an object with this bom-ref"),
        ),
        None => (
            format!("`{}` affects unknown component `{entry}`", item.id),
            format!("{searched} has an object with this bom-ref"),
        ),
    };
    let failed_names = || {
        failed
            .iter()
            .map(|f| format!("`{}`", f.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // With no SBOM read at all, the advice is about the files that failed, when there are
    // some: telling the author to add SBOMs would send them the wrong way.
    if sboms.is_empty() && !failed.is_empty() {
        return Diagnostic::new(Code::UnknownComponent, message)
            .at(span, label)
            .help(format!(
                "no SBOM could be read, so no component is known: fix the errors reported in {}, then this reference is checked",
                failed_names()
            ));
    }
    let mut help = match (suggestion, sboms.is_empty(), parsed) {
        (_, true, _) => "no SBOM is loaded: put CycloneDX JSON files in the folders of `sboms` in [preprocessor.techfile] (default `../sboms`)".to_string(),
        (Some(s), _, Some(Ok(p)))
            if Purl::parse(s).is_ok_and(|c| c.differs_only_in_case(p)) =>
        {
            format!(
                "did you mean `{s}`? Names of `{}` packages are case sensitive in the purl specification, so a purl in another case names another package",
                p.kind()
            )
        }
        (Some(s), _, _) => format!("did you mean `{s}`? Otherwise add the component to an SBOM or fix the reference"),
        (None, _, Some(Err(_))) => "write a purl as the purl specification defines it (`pkg:type/namespace/name@version`), or the bom-ref of an object in one of the loaded SBOMs".to_string(),
        (None, _, _) => "write the purl or bom-ref of a component in one of the loaded SBOMs, or add the component to its SBOM".to_string(),
    };
    let dangling: Vec<String> = sboms
        .iter()
        .filter(|s| s.unresolved.contains(entry))
        .map(|s| format!("`{}`", map.name(s.file)))
        .collect();
    if !dangling.is_empty() {
        help.push_str(&format!(
            "; {} refers to this bom-ref too, but no object there carries it",
            dangling.join(", ")
        ));
    }
    if !failed.is_empty() {
        help.push_str(&format!(
            " (not searched, because they could not be read: {})",
            failed_names()
        ));
    }
    Diagnostic::new(Code::UnknownComponent, message)
        .at(span, label)
        .help(help)
}
