//! `{{#techfile cover}}` and the first page of the PDF: what the document is (device,
//! manufacturer, title, identifier), which version (version, date, commit) and who approves
//! it (role, name, date and a blank signature field per row of
//! `[[preprocessor.techfile.bundle.approval]]`). One renderer for the HTML and the PDF, so
//! both show the same identification.

use super::style::colgroup;
use super::{STYLE, html};
use crate::config::BundleConfig;
use crate::stamp::Stamp;
use std::fmt::Write;

/// The class the print copy looks for: a cover placed in a chapter is moved to the front
/// of the PDF instead of being printed twice.
pub(crate) const CLASS: &str = "techfile-cover";

const COVER_STYLE: &str = concat!(
    "<style>\n",
    ".techfile-cover { border: 1px solid var(--table-border-color, #ccc); padding: 1em 1.5em; margin: 1em 0 2em 0; }\n",
    ".techfile-cover-manufacturer { color: var(--techfile-muted); margin: 0; }\n",
    ".techfile-cover-title { font-size: 1.8em; font-weight: bold; line-height: 1.2; margin: 0.3em 0; }\n",
    ".techfile-cover-device { font-size: 1.3em; margin: 0 0 1em 0; }\n",
    ".techfile-cover-approval { font-weight: bold; margin: 1.5em 0 0.5em 0; }\n",
    ".techfile-approval td { height: 2.6em; }\n",
    ".techfile-cover table { margin: 0; width: 100%; }\n",
    "@media print {\n",
    "  .techfile-cover { border: none; padding: 0; margin: 0; break-after: page; }\n",
    "  .techfile-cover-title { font-size: 2.4em; margin-top: 30mm; }\n",
    "}\n",
    "</style>\n",
);

/// The cover block: a single raw HTML block without blank lines, so Markdown leaves it whole.
pub fn render(bundle: &BundleConfig, stamp: &Stamp) -> String {
    let mut out = String::new();
    out.push_str(STYLE);
    out.push_str(COVER_STYLE);
    let _ = writeln!(out, "<section class=\"{CLASS}\">");
    if let Some(m) = &bundle.manufacturer {
        let _ = writeln!(
            out,
            "<p class=\"techfile-cover-manufacturer\">{}</p>",
            html(m)
        );
    }
    let title = bundle
        .document_title
        .as_deref()
        .unwrap_or("Cybersecurity technical file");
    let _ = writeln!(out, "<p class=\"techfile-cover-title\">{}</p>", html(title));
    // Each fact once: the device under the title unless the title already names it (the
    // title defaults to `[book] title`, which usually does), the manufacturer above it,
    // and neither again in the table.
    if let Some(d) = bundle.device.as_deref().filter(|d| !names(title, d)) {
        let _ = writeln!(out, "<p class=\"techfile-cover-device\">{}</p>", html(d));
    }
    out.push_str("<table class=\"techfile-table techfile-meta techfile-cover-id\">\n<tbody>\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(out, "<tr><td>{k}</td><td>{v}</td></tr>");
    };
    if let Some(id) = &bundle.document_id {
        row("Document", html(id));
    }
    row("Version", html(&stamp.version));
    // The same date as the stamp line of every page: the version's issue date when the
    // revision history lists it, else the build date, with its source.
    row("Date", html(&stamp.date_text()));
    row(
        "Commit",
        match &stamp.commit {
            Some(c) if stamp.modified => format!(
                "<code class=\"techfile-token\">{}</code> with changes that were not committed",
                html(c)
            ),
            Some(c) => format!("<code class=\"techfile-token\">{}</code>", html(c)),
            None => "unknown: not built from a git repository".into(),
        },
    );
    out.push_str("</tbody>\n</table>\n");
    out.push_str("<p class=\"techfile-cover-approval\">Approval</p>\n");
    if bundle.approval.is_empty() {
        out.push_str("<p class=\"techfile-na\">No approval is configured: add <code>[[preprocessor.techfile.bundle.approval]]</code> entries to book.toml.</p>\n");
    } else {
        let _ = writeln!(
            out,
            "<table class=\"techfile-table techfile-fixed techfile-approval\">\n{}\n<thead><tr><th>Role</th><th>Name</th><th>Date</th><th>Signature</th></tr></thead>\n<tbody>",
            colgroup(&[30, 25, 15, 30])
        );
        for a in &bundle.approval {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td></td></tr>",
                html(&a.role),
                a.name.as_deref().map(html).unwrap_or_default(),
                a.date.as_deref().map(html).unwrap_or_default()
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
    out
}

/// Whether `title` already names `device` (ignoring case and runs of white space).
fn names(title: &str, device: &str) -> bool {
    let fold = |t: &str| {
        t.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let device = fold(device);
    !device.is_empty() && fold(title).contains(&device)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::bundle::Approval;
    use crate::stamp::DateSource;

    fn stamp() -> Stamp {
        Stamp {
            version: "2.0".into(),
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            modified: false,
            timestamp: Some(jiff::Timestamp::from_second(1_795_000_000).unwrap()),
            date_source: DateSource::SourceDateEpoch,
            inputs: Vec::new(),
            sbom_folders: Vec::new(),
            revisions: Vec::new(),
        }
    }

    #[test]
    fn the_cover_identifies_the_document_and_escapes_it() {
        let bundle = BundleConfig {
            version: Some("2.0".into()),
            device: Some("Pump <X>".into()),
            manufacturer: Some("ACME & Co".into()),
            document_id: Some("TF-1".into()),
            document_title: Some("File".into()),
            approval: vec![
                Approval {
                    role: "Author".into(),
                    name: Some("A. <B>".into()),
                    date: Some("2026-01-02".into()),
                },
                Approval {
                    role: "Release".into(),
                    name: None,
                    date: None,
                },
            ],
            ..BundleConfig::default()
        };
        let out = render(&bundle, &stamp());
        assert!(out.contains("<p class=\"techfile-cover-device\">Pump &lt;X&gt;</p>"));
        assert!(out.contains("<p class=\"techfile-cover-manufacturer\">ACME &amp; Co</p>"));
        // Each fact once: the device and the manufacturer are not repeated in the table.
        assert_eq!(out.matches("Pump &lt;X&gt;").count(), 1, "{out}");
        assert_eq!(out.matches("ACME &amp; Co").count(), 1, "{out}");
        assert!(out.contains("<tr><td>Document</td><td>TF-1</td></tr>"));
        assert!(out.contains("<tr><td>Version</td><td>2.0</td></tr>"));
        assert!(out.contains("<tr><td>Date</td><td>built 2026-11-18</td></tr>"));
        assert!(out.contains("0123456789abcdef0123456789abcdef01234567"));
        assert!(
            out.contains(
                "<tr><td>Author</td><td>A. &lt;B&gt;</td><td>2026-01-02</td><td></td></tr>"
            )
        );
        assert!(out.contains("<tr><td>Release</td><td></td><td></td><td></td></tr>"));
        // Markdown ends a raw HTML block at a blank line; the cover must stay one block.
        let section = &out[out.find("<section").unwrap()..];
        assert!(!section.contains("\n\n"), "{section}");
    }

    #[test]
    fn the_cover_carries_the_date_of_the_stamp_line() {
        // Version 2.0 is in the revision history: the cover, like every page's stamp line,
        // gives its issue date, not the build date (2026-11-18).
        let mut stamp = stamp();
        stamp.revisions = vec![crate::config::bundle::Revision {
            version: "2.0".into(),
            date: "2026-11-27".into(),
            author: "PSO".into(),
            description: "Issue".into(),
        }];
        let out = render(&BundleConfig::default(), &stamp);
        assert!(
            out.contains("<tr><td>Date</td><td>issued 2026-11-27</td></tr>"),
            "{out}"
        );
        assert!(stamp.line().ends_with("issued 2026-11-27"));
    }

    #[test]
    fn a_title_that_names_the_device_is_not_followed_by_it() {
        // `init`'s book: the title (from `[book] title`) names the device already.
        let bundle = BundleConfig {
            device: Some("Insulin  dose app".into()),
            document_title: Some("Insulin dose app: cybersecurity technical file".into()),
            ..BundleConfig::default()
        };
        let out = render(&bundle, &stamp());
        assert!(!out.contains("techfile-cover-device\">"), "{out}");
        assert_eq!(out.matches("Insulin").count(), 1, "{out}");
        // Another title: the device stands under it.
        let bundle = BundleConfig {
            document_title: Some("Cybersecurity technical file".into()),
            ..bundle
        };
        let out = render(&bundle, &stamp());
        assert!(
            out.contains("<p class=\"techfile-cover-device\">Insulin  dose app</p>"),
            "{out}"
        );
        assert_eq!(out.matches("Insulin").count(), 1, "{out}");
    }

    #[test]
    fn without_approvals_the_cover_says_how_to_add_them() {
        let out = render(&BundleConfig::default(), &stamp());
        assert!(out.contains("[[preprocessor.techfile.bundle.approval]]"));
        assert!(!out.contains("techfile-approval\""));
    }
}
