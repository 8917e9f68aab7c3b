//! The PDF Chromium printed, read once with `lopdf`: where its headings landed, and the
//! changes that make it the document of record, written back in one pass.
//!
//! What Chromium leaves to chance is made fixed here: the structure elements' ids
//! (`super::tagged`), the creation and modification dates (the build date instead of
//! the clock), and the file identifier (`/ID` in the trailer, which Chromium leaves out),
//! derived from the content. lopdf writes objects in the order of their numbers and adds
//! nothing of its own, so the same print always gives the same bytes.

use super::outline;
use super::print::Mark;
use super::tagged;
use jiff::Timestamp;
use lopdf::{Dictionary, Document, Object, StringFormat};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// A printed PDF, parsed.
pub struct Printed {
    doc: Document,
}

impl Printed {
    /// # Errors
    ///
    /// When the bytes are not a PDF lopdf can read.
    pub fn read(pdf: &[u8]) -> Result<Printed, String> {
        Ok(Printed {
            doc: outline::load(pdf)?,
        })
    }

    /// The 1-based page number of every named destination (Chromium writes one for every
    /// heading that links to itself, as mdBook's do), by name.
    ///
    /// # Errors
    ///
    /// When the PDF has no catalog or its `/Dests` cannot be read.
    pub fn destination_pages(&self) -> Result<BTreeMap<String, u32>, String> {
        outline::destination_pages(&self.doc)
    }

    /// The PDF as the bundle ships it: structure ids renumbered, the outline of `marks`
    /// added, `/CreationDate` and `/ModDate` set to `date` (left as printed when `None`:
    /// a build without a date cannot be reproduced anyway), and a content-derived `/ID`.
    ///
    /// # Errors
    ///
    /// When the outline cannot be added (no catalog) or the date has a year a PDF date
    /// cannot write.
    pub fn finish(mut self, marks: &[Mark], date: Option<Timestamp>) -> Result<Vec<u8>, String> {
        let doc = &mut self.doc;
        tagged::renumber_ids(doc);
        if let Some(t) = date {
            let text = super::pdf::pdf_date(t)
                .ok_or_else(|| format!("the build date {t} has a year a PDF date cannot hold"))?;
            set_dates(doc, &text);
        }
        outline::add_outline(doc, marks)?;
        // The identifier is the SHA-256 of the file without one, cut to the 16 bytes
        // readers expect; both halves are equal, as for a file never changed since.
        doc.trailer.remove(b"ID");
        let plain = save(doc)?;
        let digest = Sha256::digest(&plain);
        let id = Object::String(digest[..16].to_vec(), StringFormat::Hexadecimal);
        doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
        save(doc)
    }
}

fn save(doc: &mut Document) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| format!("cannot write the PDF: {e}"))?;
    Ok(out)
}

/// Sets both dates of the document information dictionary, adding one when there is none.
fn set_dates(doc: &mut Document, date: &str) {
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .ok()
        .filter(|id| doc.get_dictionary(*id).is_ok());
    let info = match info {
        Some(id) => id,
        None => {
            let id = doc.add_object(Dictionary::new());
            doc.trailer.set("Info", id);
            id
        }
    };
    if let Ok(d) = doc.get_dictionary_mut(info) {
        d.set("CreationDate", Object::string_literal(date));
        d.set("ModDate", Object::string_literal(date));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    /// One page with a named destination `a`, dated `created`.
    fn printed(created: &str) -> Vec<u8> {
        let mut doc = Document::with_version("1.4");
        let pages = doc.new_object_id();
        let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages });
        doc.objects.insert(
            pages,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            ),
        );
        let dests = doc.add_object(dictionary! {
            "a" => vec![page.into(), "XYZ".into(), 0.into(), 800.into(), 0.into()],
        });
        let catalog =
            doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages, "Dests" => dests });
        let info = doc.add_object(dictionary! {
            "Producer" => Object::string_literal("Skia/PDF m156"),
            "CreationDate" => Object::string_literal(created),
        });
        doc.trailer.set("Root", catalog);
        doc.trailer.set("Info", info);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn marks() -> Vec<Mark> {
        vec![Mark {
            depth: 0,
            title: "Alpha".into(),
            id: "a".into(),
            part: false,
        }]
    }

    #[test]
    fn prints_of_different_times_become_the_same_file() {
        let date = Timestamp::from_second(1_795_000_000).unwrap();
        let a = Printed::read(&printed("D:20261129100000+01'00'"))
            .unwrap()
            .finish(&marks(), Some(date))
            .unwrap();
        let b = Printed::read(&printed("D:20270101000000Z"))
            .unwrap()
            .finish(&marks(), Some(date))
            .unwrap();
        assert_eq!(a, b);
        let doc = Document::load_mem(&a).unwrap();
        let info = doc
            .get_dictionary(doc.trailer.get(b"Info").unwrap().as_reference().unwrap())
            .unwrap();
        for key in [&b"CreationDate"[..], b"ModDate"] {
            assert_eq!(
                info.get(key).unwrap().as_str().unwrap(),
                b"D:20261118110640+00'00'"
            );
        }
        let id = doc.trailer.get(b"ID").unwrap().as_array().unwrap();
        assert_eq!(id.len(), 2);
        assert_eq!(id[0].as_str().unwrap().len(), 16);
        assert_eq!(id[0], id[1]);
        assert_eq!(
            Printed::read(&a).unwrap().destination_pages().unwrap()["a"],
            1
        );
    }

    #[test]
    fn the_identifier_follows_the_content() {
        let date = Timestamp::from_second(1_795_000_000).unwrap();
        let id = |marks: &[Mark]| {
            let pdf = Printed::read(&printed("D:20261129100000Z"))
                .unwrap()
                .finish(marks, Some(date))
                .unwrap();
            Document::load_mem(&pdf)
                .unwrap()
                .trailer
                .get(b"ID")
                .unwrap()
                .clone()
        };
        assert_ne!(id(&marks()), id(&[]), "another outline, another file");
    }

    #[test]
    fn without_a_date_the_printed_dates_stay() {
        let pdf = Printed::read(&printed("D:20261129100000Z"))
            .unwrap()
            .finish(&[], None)
            .unwrap();
        assert!(String::from_utf8_lossy(&pdf).contains("D:20261129100000Z"));
    }
}
