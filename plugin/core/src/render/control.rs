//! `{{#techfile document-control}}`: the identification of this build, the revision
//! history and the SHA-256 of every input, so a reader holding the PDF can tell exactly
//! which sources it was made from.

use crate::render::{STYLE, html};
use crate::stamp::Stamp;
use std::fmt::Write;

/// Styles of the stamp line: small and quiet on screen and in print.
const STAMP_STYLE: &str = "<style>\n.techfile-stamp { margin-top: 3em; padding-top: 0.5em; border-top: 1px solid #ccc; font-size: 0.8em; color: #555; }\n</style>\n";

/// The stamp as a block of HTML for the end of a page.
pub fn stamp_html(stamp: &Stamp) -> String {
    format!(
        "\n\n{STAMP_STYLE}<div class=\"techfile-stamp\">{}</div>\n",
        html(&stamp.line())
    )
}

/// A hash may wrap between any two digits and asks for 33 digits of width; the input table
/// keeps its padding small. Without these the table ran off the side of an A4 page.
const HASH_STYLE: &str = "<style>\n.techfile-inputs td, .techfile-inputs th { padding: 3px 8px; }\n.techfile-hash { font-family: monospace; font-size: 0.7em; word-break: break-all; width: 33ch; }\n.techfile-current { font-weight: bold; }\n</style>\n";

/// The document control content: four level-2 sections, meant for a chapter of its own.
pub fn render(stamp: &Stamp, records: &[crate::review::Record]) -> String {
    let mut out = String::new();
    out.push_str(STYLE);
    out.push_str(HASH_STYLE);
    out.push_str("\n## Identification of this version\n\n");
    out.push_str(&identification(stamp));
    out.push_str("\n## Revision history\n\n");
    out.push_str(&revisions(stamp));
    out.push_str("\n## Review records\n\n");
    out.push_str(&super::reviews::records_table(records));
    out.push_str("\n## Input files\n\n");
    out.push_str(&inputs(stamp));
    out
}

fn identification(stamp: &Stamp) -> String {
    let date = match stamp.date() {
        Some(d) => format!("{d} ({})", stamp.date_source.describe()),
        None => format!("unknown ({})", stamp.date_source.describe()),
    };
    let commit = match &stamp.commit {
        Some(c) if stamp.modified => format!(
            "<code>{}</code>, with changes that were not committed",
            html(c)
        ),
        Some(c) => format!("<code>{}</code>", html(c)),
        None => "unknown: the book was not built from a git repository".into(),
    };
    let mut out = String::from("<table class=\"techfile-table techfile-meta\">\n<tbody>\n");
    for (field, value) in [
        ("Version", html(&stamp.version)),
        ("Date", html(&date)),
        ("Commit", commit),
        (
            "Built with",
            format!("mdbook-techfile {}", env!("CARGO_PKG_VERSION")),
        ),
        (
            "Inputs",
            format!(
                "{} files, each identified by its SHA-256 below",
                stamp.inputs.len()
            ),
        ),
    ] {
        let _ = writeln!(out, "<tr><td>{field}</td><td>{value}</td></tr>");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

fn revisions(stamp: &Stamp) -> String {
    if stamp.revisions.is_empty() {
        return "<p class=\"techfile-na\">No revision is recorded: add <code>[[preprocessor.techfile.bundle.revision]]</code> entries to book.toml.</p>\n".into();
    }
    let mut out = String::from(
        "<table class=\"techfile-table techfile-revisions\">\n<thead><tr><th>Version</th><th>Date</th><th>Author</th><th>Description</th></tr></thead>\n<tbody>\n",
    );
    for r in &stamp.revisions {
        let current = r.version == stamp.version;
        let _ = writeln!(
            out,
            "<tr{}><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if current {
                " class=\"techfile-current\""
            } else {
                ""
            },
            html(&r.version),
            if current { " (this version)" } else { "" },
            html(&r.date),
            html(&r.author),
            html(&r.description)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

fn inputs(stamp: &Stamp) -> String {
    let mut out = String::from(
        "<p>The SHA-256 of every file this version was built from: its configuration, its chapters, its items and its SBOMs. Paths are relative to the folder that holds the book.</p>\n",
    );
    for f in stamp.sbom_folders.iter().filter(|f| !f.found) {
        let _ = writeln!(
            out,
            "<p class=\"techfile-na\">There is no SBOM folder at {} (configured as <code>{}</code>), so no SBOM file is part of this version.</p>",
            html(&f.path),
            html(&f.configured)
        );
    }
    out.push_str("<table class=\"techfile-table techfile-inputs\">\n<thead><tr><th>File</th><th>Role</th><th>Bytes</th><th>SHA-256</th></tr></thead>\n<tbody>\n");
    for f in &stamp.inputs {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"techfile-hash\">{}</td></tr>",
            html(&f.path),
            f.role.as_str(),
            f.bytes,
            f.sha256
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::bundle::Revision;
    use crate::stamp::{DateSource, InputFile, Role, SbomFolder};

    #[test]
    fn shows_identification_history_and_hashes_escaped() {
        let stamp = Stamp {
            version: "1.1".into(),
            commit: Some("abc".into()),
            modified: true,
            timestamp: Some(jiff::Timestamp::UNIX_EPOCH),
            date_source: DateSource::Commit,
            inputs: vec![InputFile {
                role: Role::Item,
                path: "requirements/<b>.md".into(),
                bytes: 12,
                sha256: "ff".repeat(32),
            }],
            sbom_folders: vec![SbomFolder {
                configured: "../sboms".into(),
                path: "sboms".into(),
                found: false,
            }],
            revisions: vec![
                Revision {
                    version: "1.0".into(),
                    date: "2026-01-01".into(),
                    author: "Q&A".into(),
                    description: "First".into(),
                },
                Revision {
                    version: "1.1".into(),
                    date: "2026-02-01".into(),
                    author: "B".into(),
                    description: "Second".into(),
                },
            ],
        };
        let text = render(&stamp, &[]);
        assert!(
            text.contains("<tr><td>Version</td><td>1.1</td></tr>"),
            "{text}"
        );
        assert!(text.contains("1970-01-01 (date of the commit)"), "{text}");
        assert!(
            text.contains("with changes that were not committed"),
            "{text}"
        );
        assert!(text.contains("Q&amp;A"), "{text}");
        assert!(text.contains("1.1 (this version)"), "{text}");
        assert!(text.contains("requirements/&lt;b&gt;.md"), "{text}");
        assert!(text.contains(&"ff".repeat(32)), "{text}");
        assert!(
            text.contains("no SBOM file is part of this version"),
            "{text}"
        );
        assert!(text.contains("\n## Input files\n"), "{text}");
    }
}
