//! What the preprocessor tells the bundle renderer. mdBook runs the two as separate
//! processes, and each gathers and analyses the inputs itself: `html/` comes from the
//! preprocessor's analysis, `trace.json`, the stamp and the SBOMs from the renderer's. The
//! preprocessor writes the digest of its inputs and stamp ([`Stamp::build_digest`]) into the book as
//! an HTML comment at the top of the first chapter; mdBook's HTML renderer keeps comments,
//! so it reaches `print.html`, where the renderer reads it back and compares.
//!
//! [`Stamp::build_digest`]: techfile_core::stamp::Stamp::build_digest

use mdbook_preprocessor::book::{Book, BookItem};

/// The comment's fixed text before the 64 hex digits.
const PREFIX: &str = "<!-- techfile-build-sha256: ";
const SUFFIX: &str = " -->";

/// The comment that carries `digest`.
fn marker(digest: &str) -> String {
    format!("{PREFIX}{digest}{SUFFIX}")
}

/// Puts the marker at the top of the first chapter that has a page (a draft has none),
/// followed by a blank line: at the start of a document `<!--` always opens an HTML block,
/// whatever the chapter holds, so the comment reaches the HTML as written. Returns whether a
/// chapter took it (a book of drafts only has no page to carry it).
pub fn mark(book: &mut Book, digest: &str) -> bool {
    let mut done = false;
    book.for_each_mut(|item| {
        if let BookItem::Chapter(ch) = item
            && !done
            && ch.path.is_some()
        {
            ch.content = format!("{}\n\n{}", marker(digest), ch.content);
            done = true;
        }
    });
    done
}

/// The digests the preprocessor left in `html` (mdBook's print view), in order. More than
/// one means a chapter's text carries a copy (the user pasted one in), which the caller
/// treats like a mismatch when they differ.
pub fn read(html: &str) -> Vec<&str> {
    html.match_indices(PREFIX)
        .filter_map(|(at, _)| {
            let rest = &html[at + PREFIX.len()..];
            let digest = rest.get(..64)?;
            (digest.bytes().all(|b| b.is_ascii_hexdigit()) && rest[64..].starts_with(SUFFIX))
                .then_some(digest)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mdbook_preprocessor::book::Chapter;

    #[test]
    fn the_first_chapter_with_a_page_carries_the_digest_and_it_reads_back() {
        let mut book = Book::new();
        book.push_item(BookItem::Chapter(Chapter::new_draft("Draft", Vec::new())));
        book.push_item(BookItem::Chapter(Chapter::new(
            "One",
            "# One\n".into(),
            "one.md",
            Vec::new(),
        )));
        book.push_item(BookItem::Chapter(Chapter::new(
            "Two",
            "# Two\n".into(),
            "two.md",
            Vec::new(),
        )));
        let digest = "a".repeat(64);
        assert!(mark(&mut book, &digest));
        let texts: Vec<String> = book
            .iter()
            .filter_map(|i| match i {
                BookItem::Chapter(c) => Some(c.content.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(texts[0], "");
        assert_eq!(texts[1], format!("{}\n\n# One\n", marker(&digest)));
        assert_eq!(texts[2], "# Two\n");
        assert_eq!(
            read(&format!("<p>x</p>{}\n", marker(&digest))),
            [&digest[..]]
        );
    }

    #[test]
    fn only_a_whole_digest_is_read() {
        assert!(read("<!-- techfile-build-sha256: abc -->").is_empty());
        assert!(read(&format!("{PREFIX}{}", "a".repeat(64))).is_empty());
        assert!(read(&format!("{PREFIX}{} -->", "g".repeat(64))).is_empty());
        assert!(read("").is_empty());
        let mut book = Book::new();
        assert!(!mark(&mut book, &"a".repeat(64)), "no chapter, no marker");
    }
}
