//! Stable ids for the structure elements of Chromium's tagged PDF.
//!
//! Chromium names a structure element after the DOM node it comes from (`/ID (node00000328)`),
//! and Blink numbers DOM nodes in the order something first asks for their number, so any
//! work the renderer does before printing (a script, a second print, a busy machine
//! reordering tasks) shifts every id while the document stays the same. The ids appear
//! in three places: the element's `/ID`, the `/Headers` attribute of table cells (which
//! header cells describe them) and the structure tree's `/IDTree`, a name tree sorted by
//! id. Here they are renamed in the order the elements appear in the structure tree, so
//! the same tree always gets the same ids.

use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::{BTreeMap, BTreeSet};

/// The new name of the `n`th element (from 1), in Chromium's own form.
fn name(n: usize) -> Vec<u8> {
    format!("node{n:08}").into_bytes()
}

/// The dictionary `object` is, or the one it refers to.
fn dict<'d>(doc: &'d Document, object: &'d Object) -> Option<&'d Dictionary> {
    match object {
        Object::Dictionary(d) => Some(d),
        Object::Reference(id) => doc.get_dictionary(*id).ok(),
        _ => None,
    }
}

/// The ids of the structure elements in depth-first order of the tree under the catalog's
/// `/StructTreeRoot`. Each element is visited once, so a malformed tree with a cycle ends.
fn ids_in_tree_order(doc: &Document) -> Vec<Vec<u8>> {
    let Some(root) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"StructTreeRoot").ok())
        .and_then(|r| dict(doc, r))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut seen: BTreeSet<ObjectId> = BTreeSet::new();
    // Kids are pushed in reverse so they pop in document order.
    let mut stack: Vec<&Object> = root.get(b"K").into_iter().collect();
    while let Some(object) = stack.pop() {
        let element = match object {
            Object::Array(kids) => {
                stack.extend(kids.iter().rev());
                continue;
            }
            Object::Reference(id) => {
                if !seen.insert(*id) {
                    continue;
                }
                match doc.get_object(*id) {
                    Ok(Object::Array(kids)) => {
                        stack.extend(kids.iter().rev());
                        continue;
                    }
                    Ok(Object::Dictionary(d)) => Some(d),
                    _ => None,
                }
            }
            Object::Dictionary(d) => Some(d),
            _ => None,
        };
        // Marked-content and object references (`/Type /MCR`, `/OBJR`) have no id or kids.
        let Some(element) = element else { continue };
        if let Ok(Object::String(id, _)) = element.get(b"ID") {
            out.push(id.clone());
        }
        if let Ok(k) = element.get(b"K") {
            stack.push(k);
        }
    }
    out
}

/// The leaves of the name tree at `root`, in order: their object ids (`None` for a root
/// that holds its `/Names` itself) and the intermediate nodes above, deepest last.
struct NameTree {
    leaves: Vec<ObjectId>,
    /// Intermediate nodes, parents before their kids.
    nodes: Vec<ObjectId>,
}

fn name_tree(doc: &Document, root: ObjectId) -> NameTree {
    let mut tree = NameTree {
        leaves: Vec::new(),
        nodes: Vec::new(),
    };
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Ok(node) = doc.get_dictionary(id) else {
            continue;
        };
        if node.has(b"Names") {
            tree.leaves.push(id);
        }
        if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
            tree.nodes.push(id);
            stack.extend(kids.iter().rev().filter_map(|k| k.as_reference().ok()));
        }
    }
    tree
}

/// Renames every structure element id in tree order (`node00000001`, ...) and rewrites the
/// `/Headers` attributes and the `/IDTree` to match. Returns how many ids were renamed.
/// A PDF without a structure tree is left alone.
pub(crate) fn renumber_ids(doc: &mut Document) -> usize {
    let mut order = ids_in_tree_order(doc);
    let id_tree = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"StructTreeRoot").ok())
        .and_then(|r| dict(doc, r))
        .and_then(|root| root.get(b"IDTree").ok())
        .and_then(|t| t.as_reference().ok());
    let tree = id_tree.map(|root| name_tree(doc, root));
    // Ids only the name tree knows (an element outside the tree) follow, in their old order.
    if let Some(tree) = &tree {
        let known: BTreeSet<Vec<u8>> = order.iter().cloned().collect();
        let mut extra = BTreeSet::new();
        for leaf in &tree.leaves {
            if let Ok(names) = doc
                .get_dictionary(*leaf)
                .and_then(|d| d.get(b"Names"))
                .and_then(Object::as_array)
            {
                for key in names.iter().step_by(2) {
                    if let Object::String(k, _) = key
                        && !known.contains(k)
                    {
                        extra.insert(k.clone());
                    }
                }
            }
        }
        order.extend(extra);
    }
    let mut renamed: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    for id in order {
        let next = name(renamed.len() + 1);
        renamed.entry(id).or_insert(next);
    }
    if renamed.is_empty() {
        return 0;
    }
    for object in doc.objects.values_mut() {
        let element = match object {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &mut s.dict,
            _ => continue,
        };
        if let Ok(Object::String(id, _)) = element.get_mut(b"ID")
            && let Some(new) = renamed.get(id.as_slice())
        {
            *id = new.clone();
        }
        if let Ok(attributes) = element.get_mut(b"A") {
            rename_headers(attributes, &renamed);
        }
    }
    if let Some(tree) = tree {
        rebuild_id_tree(doc, &tree, &renamed);
    }
    renamed.len()
}

/// The `/Headers` arrays of an attribute dictionary, or of each dictionary of an array of
/// them (a revision number may follow each one).
fn rename_headers(attributes: &mut Object, renamed: &BTreeMap<Vec<u8>, Vec<u8>>) {
    let dicts: Vec<&mut Dictionary> = match attributes {
        Object::Dictionary(d) => vec![d],
        Object::Array(items) => items
            .iter_mut()
            .filter_map(|o| o.as_dict_mut().ok())
            .collect(),
        _ => Vec::new(),
    };
    for d in dicts {
        if let Ok(Object::Array(headers)) = d.get_mut(b"Headers") {
            for h in headers {
                if let Object::String(id, _) = h
                    && let Some(new) = renamed.get(id.as_slice())
                {
                    *id = new.clone();
                }
            }
        }
    }
}

/// Puts the renamed keys back into the name tree's leaves, sorted again (a name tree must
/// be), each leaf keeping its number of entries, and sets every `/Limits` to match.
fn rebuild_id_tree(doc: &mut Document, tree: &NameTree, renamed: &BTreeMap<Vec<u8>, Vec<u8>>) {
    let mut entries: Vec<(Vec<u8>, Object)> = Vec::new();
    let mut sizes = Vec::with_capacity(tree.leaves.len());
    for leaf in &tree.leaves {
        let names = doc
            .get_dictionary(*leaf)
            .and_then(|d| d.get(b"Names"))
            .and_then(Object::as_array)
            .cloned()
            .unwrap_or_default();
        let before = entries.len();
        for pair in names.chunks_exact(2) {
            if let Object::String(key, _) = &pair[0] {
                let key = renamed.get(key).cloned().unwrap_or_else(|| key.clone());
                entries.push((key, pair[1].clone()));
            }
        }
        sizes.push(entries.len() - before);
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut entries = entries.into_iter();
    let mut limits: BTreeMap<ObjectId, (Vec<u8>, Vec<u8>)> = BTreeMap::new();
    for (leaf, size) in tree.leaves.iter().zip(sizes) {
        let chunk: Vec<(Vec<u8>, Object)> = entries.by_ref().take(size).collect();
        let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else {
            continue;
        };
        limits.insert(*leaf, (first.0.clone(), last.0.clone()));
        let names: Vec<Object> = chunk
            .into_iter()
            .flat_map(|(k, v)| [Object::string_literal(k), v])
            .collect();
        if let Ok(d) = doc.get_dictionary_mut(*leaf) {
            d.set("Names", Object::Array(names));
        }
    }
    // Parents come before their kids in `nodes`, so limits are settled from the bottom up.
    for node in tree.nodes.iter().rev() {
        let kids: Vec<ObjectId> = doc
            .get_dictionary(*node)
            .and_then(|d| d.get(b"Kids"))
            .and_then(Object::as_array)
            .map(|k| k.iter().filter_map(|o| o.as_reference().ok()).collect())
            .unwrap_or_default();
        let first = kids.iter().find_map(|k| limits.get(k)).map(|l| l.0.clone());
        let last = kids
            .iter()
            .rev()
            .find_map(|k| limits.get(k))
            .map(|l| l.1.clone());
        if let (Some(first), Some(last)) = (first, last) {
            limits.insert(*node, (first, last));
        }
    }
    for (id, (first, last)) in limits {
        if let Ok(d) = doc.get_dictionary_mut(id)
            && d.has(b"Limits")
        {
            d.set(
                "Limits",
                Object::Array(vec![
                    Object::string_literal(first),
                    Object::string_literal(last),
                ]),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    /// A document whose structure tree holds a table: two header cells and a data cell
    /// that names them, with ids given in an order unrelated to the tree's, and an id tree
    /// of two leaves under one intermediate node.
    fn tagged(ids: [&str; 3]) -> Document {
        let mut doc = Document::with_version("1.4");
        let th1 =
            doc.add_object(dictionary! { "S" => "TH", "ID" => Object::string_literal(ids[0]) });
        let th2 =
            doc.add_object(dictionary! { "S" => "TH", "ID" => Object::string_literal(ids[1]) });
        let td = doc.add_object(dictionary! {
            "S" => "TD",
            "ID" => Object::string_literal(ids[2]),
            "A" => vec![Object::Dictionary(dictionary! {
                "O" => "Table",
                "Headers" => vec![Object::string_literal(ids[0]), Object::string_literal(ids[1])],
            })],
        });
        let row = doc.add_object(
            dictionary! { "S" => "TR", "K" => vec![th1.into(), th2.into(), td.into()] },
        );
        let mut sorted = [(ids[0], th1), (ids[1], th2), (ids[2], td)];
        sorted.sort();
        let leaf = |pairs: &[(&str, ObjectId)]| {
            let names: Vec<Object> = pairs
                .iter()
                .flat_map(|(k, v)| [Object::string_literal(*k), Object::Reference(*v)])
                .collect();
            dictionary! {
                "Limits" => vec![Object::string_literal(pairs[0].0), Object::string_literal(pairs[pairs.len() - 1].0)],
                "Names" => names,
            }
        };
        let leaf1 = doc.add_object(leaf(&sorted[..2]));
        let leaf2 = doc.add_object(leaf(&sorted[2..]));
        let id_tree = doc.add_object(dictionary! { "Kids" => vec![leaf1.into(), leaf2.into()] });
        let root = doc.add_object(dictionary! {
            "Type" => "StructTreeRoot",
            "K" => row,
            "IDTree" => id_tree,
        });
        let pages = doc.add_object(
            dictionary! { "Type" => "Pages", "Kids" => Vec::<Object>::new(), "Count" => 0 },
        );
        let catalog = doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages,
            "StructTreeRoot" => root,
        });
        doc.trailer.set("Root", catalog);
        doc
    }

    fn saved(mut doc: Document) -> Vec<u8> {
        assert_eq!(renumber_ids(&mut doc), 3);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn ids_follow_the_tree_whatever_chromium_numbered() {
        // Shifted by one, and numbered against the tree's order: the same document.
        let a = saved(tagged(["node00000328", "node00000329", "node00000330"]));
        let b = saved(tagged(["node00000327", "node00000328", "node00000329"]));
        let c = saved(tagged(["node00000900", "node00000012", "node00000500"]));
        assert_eq!(a, b);
        assert_eq!(a, c);
        let text = String::from_utf8_lossy(&a);
        assert!(!text.contains("node00000328"), "old ids are gone");
    }

    #[test]
    fn headers_and_the_id_tree_point_at_the_renamed_elements() {
        let mut doc = tagged(["node00000900", "node00000012", "node00000500"]);
        renumber_ids(&mut doc);
        let id_of = |d: &Dictionary| d.get(b"ID").unwrap().as_str().unwrap().to_vec();
        // Every key of the id tree leads to the element with that id, in sorted order.
        let root = doc
            .catalog()
            .unwrap()
            .get(b"StructTreeRoot")
            .unwrap()
            .as_reference()
            .unwrap();
        let id_tree = doc
            .get_dictionary(root)
            .unwrap()
            .get(b"IDTree")
            .unwrap()
            .as_reference()
            .unwrap();
        let tree = name_tree(&doc, id_tree);
        let mut keys = Vec::new();
        for leaf in &tree.leaves {
            let d = doc.get_dictionary(*leaf).unwrap();
            let names = d.get(b"Names").unwrap().as_array().unwrap();
            let limits = d.get(b"Limits").unwrap().as_array().unwrap();
            assert_eq!(limits[0], names[0]);
            assert_eq!(limits[1], names[names.len() - 2]);
            for pair in names.chunks_exact(2) {
                let element = doc.get_dictionary(pair[1].as_reference().unwrap()).unwrap();
                assert_eq!(pair[0].as_str().unwrap(), id_of(element).as_slice());
                keys.push(id_of(element));
            }
        }
        let expected: Vec<Vec<u8>> = (1..=3).map(name).collect();
        assert_eq!(keys, expected, "sorted and complete");
        // The data cell is third in the tree and names the two header cells before it.
        let td = doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok())
            .find(|d| d.get(b"S").and_then(Object::as_name).ok() == Some(b"TD"))
            .unwrap();
        assert_eq!(id_of(td), b"node00000003");
        let headers = td.get(b"A").unwrap().as_array().unwrap()[0]
            .as_dict()
            .unwrap()
            .get(b"Headers")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_vec())
            .collect::<Vec<_>>();
        assert_eq!(headers, [name(1), name(2)]);
    }

    #[test]
    fn a_document_without_structure_is_left_alone() {
        let mut doc = Document::with_version("1.4");
        let pages = doc.add_object(
            dictionary! { "Type" => "Pages", "Kids" => Vec::<Object>::new(), "Count" => 0 },
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
        doc.trailer.set("Root", catalog);
        assert_eq!(renumber_ids(&mut doc), 0);
    }
}
