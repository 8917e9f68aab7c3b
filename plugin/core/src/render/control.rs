//! `{{#techfile document-control}}`: the identification of this build, the revision
//! history and the SHA-256 of every input, so a reader holding the PDF can tell exactly
//! which sources it was made from.

use crate::render::{STYLE, html};
use crate::stamp::{ShownDate, Stamp};
use std::fmt::Write;

/// Styles of the stamp line: small and quiet on screen and in print.
const STAMP_STYLE: &str = concat!(
    "<style>\n",
    ":root { --techfile-gap: #b00020; --techfile-ok: #1b5e20; --techfile-muted: #555; }\n",
    ".coal, .navy, .ayu { --techfile-gap: #ffa8a8; --techfile-ok: #9be29b; --techfile-muted: #b4b4b4; }\n",
    ".techfile-stamp { margin-top: 3em; padding-top: 0.5em; border-top: 1px solid #ccc; font-size: 0.8em; color: var(--techfile-muted); }\n",
    "</style>\n"
);

/// The stamp as a block of HTML for the end of a page.
pub(crate) fn stamp_html(stamp: &Stamp) -> String {
    format!(
        "\n\n{STAMP_STYLE}<div class=\"techfile-stamp\">{}</div>\n",
        html(&stamp.line())
    )
}

/// A hash may wrap between any two digits and asks for 33 digits of width; the input table
/// keeps its padding small. Without these the table ran off the side of an A4 page.
const HASH_STYLE: &str = "<style>\n.techfile-inputs td, .techfile-inputs th { padding: 3px 8px; }\n.techfile-hash { font-family: monospace; font-size: 0.8em; word-break: break-all; }\n.techfile-current { font-weight: bold; }\n</style>\n";

/// Which part of the document control a directive shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    /// Identification, revision history, review records and input files
    /// (`document-control`).
    All,
    /// Identification, revision history and review records (`document-control version`).
    Version,
    /// The input files alone (`document-control inputs`), collapsed on screen: a machine
    /// list that belongs in an annex, not in the middle of the file.
    Inputs,
}

/// The document control content: level-2 sections, meant for a chapter of its own.
pub(crate) fn render(stamp: &Stamp, part: Part, records: &[crate::review::Record]) -> String {
    let mut out = String::new();
    out.push_str(STYLE);
    out.push_str(HASH_STYLE);
    if part != Part::Inputs {
        out.push_str("\n## Identification of this version\n\n");
        out.push_str(&identification(stamp));
        out.push_str("\n## Revision history\n\n");
        out.push_str(&revisions(stamp));
        out.push_str("\n## Review records\n\n");
        out.push_str(&super::reviews::records_table(records));
    }
    if part != Part::Version {
        out.push_str("\n## Input files\n\n");
        let table = inputs(stamp);
        if part == Part::Inputs {
            // The print copy opens every `<details>`, so the PDF still lists every file.
            let _ = writeln!(
                out,
                "<details>\n<summary>The SHA-256 of the {} input files</summary>\n{table}</details>",
                stamp.inputs.len()
            );
        } else {
            out.push_str(&table);
        }
    }
    out
}

fn identification(stamp: &Stamp) -> String {
    let built = match stamp.date() {
        Some(d) => format!("{d} ({})", stamp.date_source.describe()),
        None => format!("unknown ({})", stamp.date_source.describe()),
    };
    // The pages show the issue date when the revision history lists this version; the
    // build date is then given too, so neither hides the other.
    let date = match stamp.shown_date() {
        ShownDate::Issued(d) => format!(
            "{d} (the issue date of version {} in the revision history); built {built}",
            stamp.version
        ),
        _ => built,
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
    out.push_str("<table class=\"techfile-table techfile-fixed techfile-inputs\">\n");
    out.push_str(&crate::render::style::colgroup(&[44, 8, 9, 39]));
    out.push_str("\n<thead><tr><th>File</th><th>Role</th><th>Bytes</th><th>SHA-256</th></tr></thead>\n<tbody>\n");
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
        let text = render(&stamp, Part::All, &[]);
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

        let version = render(&stamp, Part::Version, &[]);
        assert!(version.contains("## Revision history") && !version.contains("## Input files"));
        let inputs = render(&stamp, Part::Inputs, &[]);
        assert!(!inputs.contains("## Revision history"));
        assert!(inputs.contains("<details>\n<summary>The SHA-256 of the 1 input files</summary>"));
        assert!(inputs.contains(&"ff".repeat(32)));
    }

    #[test]
    fn the_stamp_uses_the_theme_colours_of_the_tables() {
        for line in crate::render::style::THEME.lines() {
            assert!(STAMP_STYLE.contains(line), "{line}");
        }
    }
}
