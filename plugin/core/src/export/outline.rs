//! The PDF's navigation, read and written with `lopdf`: the page of every named destination
//! Chromium writes (one per heading id, because every heading links to itself), and the
//! document outline (bookmarks) built from the book's parts, chapters and sections.
//!
//! Chromium can write an outline of its own (`--generate-pdf-document-outline`), but it
//! takes titles from the laid-out text and drops the space where a heading wraps
//! ("operatingenvironment"), and it knows nothing of the summary's part titles or chapter
//! numbers; this one uses the titles of the summary and the headings' own text.

use super::print::Mark;
use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};
use std::collections::BTreeMap;

pub(crate) fn load(pdf: &[u8]) -> Result<Document, String> {
    Document::load_mem(pdf).map_err(|e| format!("cannot read the printed PDF: {e}"))
}

/// The explicit destination (`[page /XYZ left top zoom]`) of every named destination in the
/// catalog's `/Dests` dictionary, by name.
fn named(doc: &Document) -> Result<BTreeMap<Vec<u8>, Vec<Object>>, String> {
    let catalog = doc
        .catalog()
        .map_err(|e| format!("the printed PDF has no catalog: {e}"))?;
    let Ok(dests) = catalog.get(b"Dests") else {
        return Ok(BTreeMap::new());
    };
    let (_, dests) = doc
        .dereference(dests)
        .map_err(|e| format!("the PDF's /Dests cannot be read: {e}"))?;
    let dests = dests
        .as_dict()
        .map_err(|_| "the PDF's /Dests is not a dictionary".to_string())?;
    let mut out = BTreeMap::new();
    for (name, value) in dests.iter() {
        let Ok((_, value)) = doc.dereference(value) else {
            continue;
        };
        // A destination is an array, or a dictionary holding it under /D.
        let array = match value {
            Object::Array(a) => Some(a.clone()),
            Object::Dictionary(d) => d.get(b"D").and_then(Object::as_array).ok().cloned(),
            _ => None,
        };
        if let Some(a) = array {
            out.insert(name.clone(), a);
        }
    }
    Ok(out)
}

/// The 1-based page number of every named destination, by name (the heading ids).
///
/// # Errors
///
/// When the document has no catalog or its `/Dests` cannot be read.
pub(crate) fn destination_pages(doc: &Document) -> Result<BTreeMap<String, u32>, String> {
    let pages: BTreeMap<ObjectId, u32> =
        doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
    let mut out = BTreeMap::new();
    for (name, dest) in named(doc)? {
        let page = dest
            .first()
            .and_then(|p| p.as_reference().ok())
            .and_then(|id| pages.get(&id));
        if let (Some(&page), Ok(name)) = (page, String::from_utf8(name)) {
            out.insert(name, page);
        }
    }
    Ok(out)
}

/// A PDF text string: UTF-16BE with its byte order mark, so any title survives.
fn text_string(text: &str) -> Object {
    let mut bytes = vec![0xfe, 0xff];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// Adds a document outline made of `marks` (each pointing at the named destination of its
/// id) that opens with the document. Marks whose id has no destination are left out, and
/// so are their sections. New objects take the next free object numbers, so the same
/// document and marks always give the same objects.
///
/// # Errors
///
/// When the document has no catalog or its `/Dests` cannot be read.
pub(crate) fn add_outline(doc: &mut Document, marks: &[Mark]) -> Result<(), String> {
    let dests = named(doc)?;
    // Each kept mark with its explicit destination and the index of its parent.
    let mut kept: Vec<(&Mark, Vec<Object>, Option<usize>)> = Vec::new();
    let mut open: Vec<(usize, usize)> = Vec::new(); // (depth, index in kept)
    let mut skip_below: Option<usize> = None;
    for m in marks {
        if let Some(d) = skip_below {
            if m.depth > d {
                continue;
            }
            skip_below = None;
        }
        let Some(dest) = dests.get(m.id.as_bytes()) else {
            skip_below = Some(m.depth);
            continue;
        };
        while open.last().is_some_and(|&(d, _)| d >= m.depth) {
            open.pop();
        }
        let parent = open.last().map(|&(_, i)| i);
        open.push((m.depth, kept.len()));
        kept.push((m, dest.clone(), parent));
    }
    if kept.is_empty() {
        return Ok(());
    }
    let root = doc.new_object_id();
    let ids: Vec<ObjectId> = kept.iter().map(|_| doc.new_object_id()).collect();
    let children = |parent: Option<usize>| -> Vec<usize> {
        (0..kept.len()).filter(|&i| kept[i].2 == parent).collect()
    };
    // Open entries count all their visible descendants; chapters start closed so the
    // bookmarks show the structure first.
    let descendants = |i: usize| -> i64 {
        let mut n = 0;
        let mut stack = vec![i];
        while let Some(k) = stack.pop() {
            for c in (0..kept.len()).filter(|&c| kept[c].2 == Some(k)) {
                n += 1;
                stack.push(c);
            }
        }
        n
    };
    for (i, (mark, dest, parent)) in kept.iter().enumerate() {
        let siblings = children(*parent);
        let at = siblings.iter().position(|&s| s == i).unwrap_or(0);
        let mut item = Dictionary::new();
        item.set("Title", text_string(&mark.title));
        item.set("Parent", Object::Reference(parent.map_or(root, |p| ids[p])));
        if at > 0 {
            item.set("Prev", Object::Reference(ids[siblings[at - 1]]));
        }
        if let Some(&next) = siblings.get(at + 1) {
            item.set("Next", Object::Reference(ids[next]));
        }
        let kids = children(Some(i));
        if let (Some(&first), Some(&last)) = (kids.first(), kids.last()) {
            item.set("First", Object::Reference(ids[first]));
            item.set("Last", Object::Reference(ids[last]));
            // Negative: closed. Part titles open, so every chapter shows at first.
            let count = if mark.part {
                kids.len() as i64
            } else {
                -descendants(i)
            };
            item.set("Count", Object::Integer(count));
        }
        item.set("Dest", Object::Array(dest.clone()));
        doc.objects.insert(ids[i], Object::Dictionary(item));
    }
    let top = children(None);
    let visible: i64 = top
        .iter()
        .map(|&t| {
            1 + if kept[t].0.part {
                children(Some(t)).len() as i64
            } else {
                0
            }
        })
        .sum();
    let mut outlines = Dictionary::new();
    outlines.set("Type", Object::Name(b"Outlines".to_vec()));
    outlines.set("First", Object::Reference(ids[top[0]]));
    outlines.set(
        "Last",
        Object::Reference(ids[*top.last().unwrap_or(&top[0])]),
    );
    outlines.set("Count", Object::Integer(visible));
    doc.objects.insert(root, Object::Dictionary(outlines));
    let catalog = doc
        .catalog_mut()
        .map_err(|e| format!("the printed PDF has no catalog: {e}"))?;
    catalog.set("Outlines", Object::Reference(root));
    catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    Ok(())
}

/// The outline of a PDF as (depth, title, page) in reading order; for tests and checks.
///
/// # Errors
///
/// When the bytes are not a PDF lopdf can read.
#[cfg(test)]
pub(crate) fn read_outline(pdf: &[u8]) -> Result<Vec<(usize, String, Option<u32>)>, String> {
    let doc = load(pdf)?;
    let pages: BTreeMap<ObjectId, u32> =
        doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
    let dests = named(&doc)?;
    let catalog = doc.catalog().map_err(|e| e.to_string())?;
    let Ok(root) = catalog.get(b"Outlines").and_then(Object::as_reference) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let first = |id: ObjectId| {
        doc.get_dictionary(id)
            .ok()
            .and_then(|d| d.get(b"First").and_then(Object::as_reference).ok())
    };
    let mut stack: Vec<(Option<ObjectId>, usize)> = vec![(first(root), 0)];
    let mut guard = 0;
    while let Some((next, depth)) = stack.pop() {
        let Some(id) = next else { continue };
        guard += 1;
        if guard > 100_000 {
            return Err("the outline has a cycle".into());
        }
        let item = doc.get_dictionary(id).map_err(|e| e.to_string())?;
        let title = match item.get(b"Title") {
            Ok(Object::String(bytes, _)) => decode_text(bytes),
            _ => String::new(),
        };
        let dest = match item.get(b"Dest") {
            Ok(Object::Array(a)) => Some(a.clone()),
            Ok(Object::Name(n) | Object::String(n, _)) => dests.get(n).cloned(),
            _ => None,
        };
        let page = dest
            .and_then(|d| d.first().and_then(|p| p.as_reference().ok()))
            .and_then(|p| pages.get(&p).copied());
        out.push((depth, title, page));
        stack.push((item.get(b"Next").and_then(Object::as_reference).ok(), depth));
        stack.push((first(id), depth + 1));
    }
    Ok(out)
}

/// A PDF text string: UTF-16BE with a byte order mark, else PDFDocEncoding (read as Latin-1,
/// which agrees with it on every character a heading is likely to hold).
#[cfg(test)]
fn decode_text(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xfe, 0xff]) {
        Some(be) => {
            let units: Vec<u16> = be
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    /// A three-page PDF with named destinations `a` (page 1), `b` and `c` (page 3).
    fn sample() -> Vec<u8> {
        let mut doc = Document::with_version("1.4");
        let pages_id = doc.new_object_id();
        let mut kids = Vec::new();
        for _ in 0..3 {
            let page = doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            });
            kids.push(Object::Reference(page));
        }
        let dest = |k: usize, y: i64| {
            Object::Array(vec![
                kids[k].clone(),
                "XYZ".into(),
                0.into(),
                y.into(),
                0.into(),
            ])
        };
        let dests = doc.add_object(dictionary! {
            "a" => dest(0, 800),
            "b" => dest(2, 700),
            "c" => dest(2, 300),
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => kids.clone(),
                "Count" => 3,
            }),
        );
        let catalog = doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
            "Dests" => dests,
        });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn mark(depth: usize, title: &str, id: &str) -> Mark {
        Mark {
            depth,
            title: title.into(),
            id: id.into(),
            part: false,
        }
    }

    #[test]
    fn destinations_give_page_numbers() {
        let pages = destination_pages(&load(&sample()).unwrap()).unwrap();
        assert_eq!(pages["a"], 1);
        assert_eq!(pages["b"], 3);
        assert_eq!(pages["c"], 3);
        assert!(load(b"not a pdf").is_err());
    }

    #[test]
    fn the_outline_nests_and_skips_what_has_no_destination() {
        let marks = [
            mark(0, "Alpha é", "a"),
            mark(1, "Beta", "b"),
            mark(0, "Missing", "zzz"),
            mark(1, "Under missing", "c"),
            mark(0, "Gamma", "c"),
        ];
        let with_outline = |pdf: &[u8]| {
            let mut doc = load(pdf).unwrap();
            add_outline(&mut doc, &marks).unwrap();
            let mut out = Vec::new();
            doc.save_to(&mut out).unwrap();
            out
        };
        let pdf = with_outline(&sample());
        let outline = read_outline(&pdf).unwrap();
        assert_eq!(
            outline,
            [
                (0, "Alpha é".to_string(), Some(1)),
                (1, "Beta".to_string(), Some(3)),
                (0, "Gamma".to_string(), Some(3)),
            ]
        );
        let doc = Document::load_mem(&pdf).unwrap();
        let mode = doc
            .catalog()
            .unwrap()
            .get(b"PageMode")
            .unwrap()
            .as_name()
            .unwrap();
        assert_eq!(mode, b"UseOutlines", "readers open the bookmarks");
        // The same input gives the same bytes.
        assert_eq!(pdf, with_outline(&sample()));
    }
}
