//! `[preprocessor.techfile.bundle]`: the version of the technical file, its revision history,
//! and how the bundle (PDF, trace export, manifest) is written.

use super::reader::{Reader, key_path};
use super::tree::{Node, Table, Value};
use crate::diag::{Code, Diagnostic};
use crate::model::{Date, Span};

/// Where the version printed on every page comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionFrom {
    /// `git describe --tags --always --dirty`, run in the book root.
    Git,
}

/// The bundle's configuration. Its presence switches version stamping on.
#[derive(Clone, Debug, PartialEq)]
pub struct BundleConfig {
    /// The version of the technical file, as given to the notified body.
    pub version: Option<String>,
    /// Take the version from somewhere else instead (only `git`).
    pub version_from: Option<VersionFrom>,
    /// Fail when the book is not in a git repository, instead of stamping `commit unknown`.
    pub require_commit: bool,
    /// Fail when the inputs have changes that are not committed, instead of warning and
    /// stamping `(modified)`.
    pub require_clean: bool,
    /// Write `technical-file-<version>.pdf` with headless Chromium.
    pub pdf: bool,
    /// The browser to print with; by default `chromium` or `chromium-browser` on PATH.
    pub browser: Option<String>,
    /// Seconds the browser may take to print before the build fails.
    pub pdf_timeout: u64,
    /// The revision history, oldest first.
    pub revision: Vec<Revision>,
    /// The medical device the file documents, on the cover.
    pub(crate) device: Option<String>,
    /// The legal manufacturer of the device, on the cover.
    pub(crate) manufacturer: Option<String>,
    /// The document's identifier in the manufacturer's document management system.
    pub(crate) document_id: Option<String>,
    /// The title on the cover; the edge fills in the book's title when it is not set.
    pub(crate) document_title: Option<String>,
    /// The approval block: one row per role that signs this version, in order.
    pub(crate) approval: Vec<Approval>,
}

impl Default for BundleConfig {
    fn default() -> BundleConfig {
        BundleConfig {
            version: None,
            version_from: None,
            require_commit: false,
            require_clean: false,
            pdf: true,
            browser: None,
            pdf_timeout: 600,
            revision: Vec::new(),
            device: None,
            manufacturer: None,
            document_id: None,
            document_title: None,
            approval: Vec::new(),
        }
    }
}

/// One row of the revision history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revision {
    /// The version this row describes, as written (`1.2.0`); rows are ordered oldest first.
    pub version: String,
    /// `YYYY-MM-DD`, written as a TOML date or a string (authors write both).
    pub(crate) date: String,
    pub(crate) author: String,
    pub(crate) description: String,
}

impl Revision {
    pub(crate) fn date(&self) -> Option<Date> {
        Date::parse(&self.date)
    }
}

/// One row of the approval block. The signature field is always left blank for the wet or
/// electronic signature; name and date may be left blank to be filled in by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Approval {
    pub(crate) role: String,
    pub(crate) name: Option<String>,
    /// `YYYY-MM-DD`, written as a TOML date or a string.
    pub(crate) date: Option<String>,
}

/// What a usable version looks like.
const VERSION_RULE: &str = "start with a letter or digit, then use only letters, digits, `.`, `-`, `_` and `+` (at most 64 characters)";

/// A cover text (`device`, `manufacturer`, ...): a string with something in it, on one
/// line, because a line break would not survive the cover's layout or the page header.
fn line(r: &mut Reader, v: &Node, path: &str, example: &str, what: &str) -> Option<String> {
    let s = r.text(v, path, example, what)?;
    if s.contains(['\n', '\r']) {
        r.invalid(
            v.span,
            format!("`{path}` has a line break"),
            format!("write {what} on one line"),
        );
        return None;
    }
    Some(s)
}

/// Versions end up in file names (`technical-file-<version>.pdf`) and in CSS strings, so
/// they keep to characters that are safe in both.
///
/// # Errors
///
/// The rule the version breaks, as a sentence.
pub fn validate_version(v: &str) -> Result<(), String> {
    if usable_version(v) {
        Ok(())
    } else {
        Err(format!("version `{v}` is not usable: {VERSION_RULE}"))
    }
}

fn usable_version(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+'))
}

const KEYS: &[&str] = &[
    "version",
    "version-from",
    "require-commit",
    "require-clean",
    "pdf",
    "browser",
    "pdf-timeout",
    "revision",
    "device",
    "manufacturer",
    "document-id",
    "document-title",
    "approval",
];

const REVISION_KEYS: &[&str] = &["version", "date", "author", "description"];

const APPROVAL_KEYS: &[&str] = &["role", "name", "date"];

/// Reads `[preprocessor.techfile.bundle]`; `at` is where the table is opened, where a
/// missing version is reported.
pub(super) fn read(r: &mut Reader, t: &Table, at: Span) -> BundleConfig {
    let mut c = BundleConfig::default();
    let mut version: Option<&Node> = None;
    let mut version_from: Option<&Node> = None;
    for e in &t.entries {
        let v = &e.value;
        let path = key_path("bundle", &e.key);
        match e.key.as_str() {
            "version" => {
                version = Some(v);
                if let Some(s) = r.string(v, &path, "version = \"1.0\"") {
                    if usable_version(&s) {
                        c.version = Some(s);
                    } else {
                        r.invalid(
                            v.span,
                            format!("`{s}` is not a usable version"),
                            format!("{VERSION_RULE}: the version is part of the PDF's file name"),
                        );
                    }
                }
            }
            "version-from" => {
                version_from = Some(v);
                c.version_from = r.word(v, &path, "version source", &[("git", VersionFrom::Git)]);
            }
            "require-commit" => {
                c.require_commit = r
                    .boolean(v, &path, "require-commit = true")
                    .unwrap_or(false);
            }
            "require-clean" => {
                c.require_clean = r.boolean(v, &path, "require-clean = true").unwrap_or(false);
            }
            "pdf" => c.pdf = r.boolean(v, &path, "pdf = false").unwrap_or(true),
            "browser" => {
                c.browser = r.text(
                    v,
                    &path,
                    "browser = \"/usr/bin/chromium\"",
                    "the browser program, or remove the key to use `chromium` on PATH",
                );
            }
            "pdf-timeout" => {
                c.pdf_timeout = r.count(v, &path, "pdf-timeout = 600", 1).unwrap_or(600);
            }
            "revision" => c.revision = revisions(r, v),
            "device" => {
                c.device = line(
                    r,
                    v,
                    &path,
                    "device = \"Infusion pump IP-200\"",
                    "the device's name",
                );
            }
            "manufacturer" => {
                c.manufacturer = line(
                    r,
                    v,
                    &path,
                    "manufacturer = \"Example Medical GmbH\"",
                    "the legal manufacturer",
                );
            }
            "document-id" => {
                c.document_id = line(
                    r,
                    v,
                    &path,
                    "document-id = \"TF-IP200-CYB\"",
                    "the document's identifier",
                );
            }
            "document-title" => {
                c.document_title = line(
                    r,
                    v,
                    &path,
                    "document-title = \"Cybersecurity technical file\"",
                    "the title of the document",
                );
            }
            "approval" => c.approval = approvals(r, v),
            _ => r.unknown_key(e, "bundle", KEYS),
        }
    }
    match (version, version_from) {
        (Some(v), Some(from)) => r.diags.push(
            Diagnostic::new(
                Code::ConfigInvalidValue,
                "`bundle.version` and `bundle.version-from` are both set",
            )
            .at(from.span, "the version is also taken from here")
            .with_label(v.span, "the version is set here")
            .help("keep one: `version` names the version, `version-from = \"git\"` takes it from `git describe`"),
        ),
        (None, None) => r.missing(
            at,
            "[preprocessor.techfile.bundle] sets no version of the technical file",
            "add `version = \"1.0\"`, or `version-from = \"git\"` to use `git describe --tags --always --dirty`",
        ),
        _ => {}
    }
    c
}

/// `[[preprocessor.techfile.bundle.revision]]`, oldest first.
fn revisions(r: &mut Reader, v: &Node) -> Vec<Revision> {
    const EXAMPLE: &str = "[[preprocessor.techfile.bundle.revision]]";
    let Some(items) = r.array(v, "bundle.revision", EXAMPLE) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    let mut previous: Option<(Date, Span)> = None;
    for (n, item) in items.iter().enumerate() {
        let table_path = format!("bundle.revision[{}]", n + 1);
        let Some(t) = r.table(item, &table_path, EXAMPLE) else {
            continue;
        };
        let mut row = [None, None, None, None];
        let mut dated: Option<(Date, Span)> = None;
        for e in &t.entries {
            let path = key_path(&table_path, &e.key);
            match e.key.as_str() {
                "date" => {
                    if let Some((text, date)) = revision_date(r, &e.value, &path) {
                        row[1] = Some(text);
                        dated = Some((date, e.value.span));
                    }
                }
                key => {
                    let Some(slot) = REVISION_KEYS.iter().position(|k| *k == key) else {
                        r.unknown_key(e, "bundle.revision", REVISION_KEYS);
                        continue;
                    };
                    let what = match key {
                        "version" => "the version this revision issued",
                        "author" => "who issued the revision",
                        _ => "what changed in this revision",
                    };
                    row[slot] = r.text(&e.value, &path, &format!("{key} = \"...\""), what);
                }
            }
        }
        for (k, key) in REVISION_KEYS.iter().enumerate() {
            if t.get(key).is_none() {
                r.missing(
                    item.span,
                    format!("revision {} has no `{key}`", n + 1),
                    "each revision gives `version`, `date` (YYYY-MM-DD), `author` and `description`",
                );
                row[k] = None;
            }
        }
        if let (Some((date, span)), Some((before, before_span))) = (dated, previous)
            && date < before
        {
            r.diags.push(
                Diagnostic::new(
                    Code::ConfigInvalidValue,
                    format!(
                        "revision {} is dated {date}, before the revision above it ({before})",
                        n + 1
                    ),
                )
                .at(span, "earlier than the revision above")
                .with_label(before_span, "the revision above")
                .help("list revisions oldest first"),
            );
        }
        if dated.is_some() {
            previous = dated;
        }
        if let [Some(version), Some(date), Some(author), Some(description)] = row {
            out.push(Revision {
                version,
                date,
                author,
                description,
            });
        }
    }
    out
}

/// `[[preprocessor.techfile.bundle.approval]]`, in the order they sign.
fn approvals(r: &mut Reader, v: &Node) -> Vec<Approval> {
    const EXAMPLE: &str = "[[preprocessor.techfile.bundle.approval]]";
    let Some(items) = r.array(v, "bundle.approval", EXAMPLE) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (n, item) in items.iter().enumerate() {
        let table_path = format!("bundle.approval[{}]", n + 1);
        let Some(t) = r.table(item, &table_path, EXAMPLE) else {
            continue;
        };
        // A row with a bad value is still counted, so the block never silently loses a
        // signatory; `whole` keeps it out of the configuration that is returned.
        let mut whole = true;
        let (mut role, mut name, mut date) = (None, None, None);
        for e in &t.entries {
            let path = key_path(&table_path, &e.key);
            match e.key.as_str() {
                "role" => {
                    role = line(
                        r,
                        &e.value,
                        &path,
                        "role = \"Author\"",
                        "the role that signs",
                    );
                    whole &= role.is_some();
                }
                "name" => {
                    name = line(
                        r,
                        &e.value,
                        &path,
                        "name = \"A. Person\"",
                        "who signs, or remove the key to leave the name blank",
                    );
                    whole &= name.is_some();
                }
                "date" => {
                    date = revision_date(r, &e.value, &path).map(|(text, _)| text);
                    whole &= date.is_some();
                }
                _ => {
                    r.unknown_key(e, "bundle.approval", APPROVAL_KEYS);
                    whole = false;
                }
            }
        }
        if t.get("role").is_none() {
            r.missing(
                item.span,
                format!("approval {} has no `role`", n + 1),
                "each approval row names the role that signs (`role = \"Author\"`); `name` and `date` may be left out to be filled in by hand",
            );
        }
        if let (Some(role), true) = (role, whole) {
            out.push(Approval { role, name, date });
        }
    }
    out
}

/// A revision's or approval's date: a TOML date (`2026-11-27`) or the same as a string.
fn revision_date(r: &mut Reader, v: &Node, path: &str) -> Option<(String, Date)> {
    let (text, date) = match &v.value {
        Value::String(s) => (s.clone(), Date::parse(s)),
        Value::Datetime(d) => (
            d.to_string(),
            match (d.date, d.time, d.offset) {
                (Some(day), None, None) => {
                    Date::from_parts(day.year.into(), day.month.into(), day.day.into())
                }
                _ => None,
            },
        ),
        _ => {
            r.wrong_type(path, v, "a date", "date = 2026-11-27");
            return None;
        }
    };
    match date {
        Some(d) => Some((text, d)),
        None => {
            r.invalid(
                v.span,
                format!("`{text}` is not a calendar date"),
                "write the day as YYYY-MM-DD, such as `date = 2026-11-27`",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn parse(text: &str) -> Result<BundleConfig, Vec<(&'static str, String, String)>> {
        let text = format!("[bundle]\n{text}");
        match Config::from_toml(&text) {
            Ok(c) => Ok(c.bundle.expect("the bundle table is set")),
            Err(d) => Err(d
                .iter()
                .map(|d| {
                    let span = d.primary.as_ref().unwrap().span;
                    (
                        d.code.as_str(),
                        d.message.clone(),
                        text[span.range()].to_owned(),
                    )
                })
                .collect()),
        }
    }

    /// The findings' messages.
    fn messages(text: &str) -> Vec<String> {
        parse(text)
            .unwrap_err()
            .into_iter()
            .map(|(_, m, _)| m)
            .collect()
    }

    #[test]
    fn a_version_is_required_once() {
        assert_eq!(
            parse("").unwrap_err()[0].0,
            "config-missing-key",
            "no version"
        );
        let e = parse("version = \"1\"\nversion-from = \"git\"").unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e[0].1.contains("both set"));
        assert_eq!(e[0].2, "\"git\"", "points at the second way of setting it");
        assert_eq!(
            parse("version-from = \"git\"").unwrap().version_from,
            Some(VersionFrom::Git)
        );
        assert_eq!(
            messages("version-from = \"svn\""),
            ["unknown version source `svn`"]
        );
        let c = parse("version = \"1.0\"").unwrap();
        assert!(c.pdf);
        assert_eq!(c.pdf_timeout, 600);
        assert_eq!(
            parse("version = \"1\"\npdf-timeout = 0").unwrap_err()[0].2,
            "0"
        );
    }

    #[test]
    fn versions_are_safe_for_file_names() {
        for ok in ["1.0", "v2.1.0-rc.1", "1.0+build_7", "049dcbf-dirty"] {
            assert!(validate_version(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1.0/evil", "../1", "-1", "1 0", "\"1\"", "é"] {
            assert!(validate_version(bad).is_err(), "{bad:?}");
        }
        let e = parse("version = \"a/b\"").unwrap_err();
        assert_eq!(e[0].1, "`a/b` is not a usable version");
        assert_eq!(e[0].2, "\"a/b\"");
    }

    #[test]
    fn revision_dates_may_be_toml_dates_or_strings_and_are_validated() {
        let c = parse(
            "version = \"1.1\"\n[[bundle.revision]]\nversion = \"1.0\"\ndate = 2026-01-15\nauthor = \"A\"\ndescription = \"First\"\n[[bundle.revision]]\nversion = \"1.1\"\ndate = \"2026-03-01\"\nauthor = \"B\"\ndescription = \"Second\"\n",
        )
        .unwrap();
        assert_eq!(c.revision[0].date, "2026-01-15");
        assert_eq!(
            c.revision[1].date().map(|d| d.to_string()).unwrap(),
            "2026-03-01"
        );

        let bad = |date: &str| {
            parse(&format!(
                "version = \"1\"\n[[bundle.revision]]\nversion = \"1\"\ndate = {date}\nauthor = \"A\"\ndescription = \"D\"\n"
            ))
            .unwrap_err()
        };
        let e = bad("\"2026-02-30\"");
        assert_eq!(
            (e[0].1.as_str(), e[0].2.as_str()),
            ("`2026-02-30` is not a calendar date", "\"2026-02-30\"")
        );
        assert!(
            bad("2026-01-01T10:00:00")[0]
                .1
                .contains("not a calendar date")
        );
        assert_eq!(bad("20260101")[0].0, "config-wrong-type");
        // Every problem of every revision at once.
        let e = parse("version = \"1\"\n[[bundle.revision]]\nversion = \"2\"\ndate = 2026-02-01\nauthor = \" \"\ndescription = \"D\"\n[[bundle.revision]]\nversion = \"1\"\ndate = 2026-01-01\nauthr = \"A\"\ndescription = \"D\"\n")
            .unwrap_err();
        let got: Vec<(&str, &str)> = e.iter().map(|(c, _, at)| (*c, at.as_str())).collect();
        assert_eq!(
            got,
            [
                ("config-invalid-value", "\" \""),
                ("config-missing-key", "[[bundle.revision]]"),
                ("config-invalid-value", "2026-01-01"),
                ("config-unknown-key", "authr"),
            ]
        );
        assert!(e[1].1.contains("revision 2 has no `author`"), "{e:?}");
        assert!(e[2].1.contains("before the revision above it"), "{e:?}");
    }

    #[test]
    fn the_cover_and_approval_keys_are_strict() {
        let c = parse(
            "version = \"1\"\ndevice = \"Pump\"\nmanufacturer = \"ACME\"\ndocument-id = \"TF-1\"\ndocument-title = \"File\"\n[[bundle.approval]]\nrole = \"Author\"\nname = \"A. B.\"\ndate = 2026-01-02\n[[bundle.approval]]\nrole = \"Release\"\n",
        )
        .unwrap();
        assert_eq!(c.device.as_deref(), Some("Pump"));
        assert_eq!(c.manufacturer.as_deref(), Some("ACME"));
        assert_eq!(c.document_id.as_deref(), Some("TF-1"));
        assert_eq!(c.document_title.as_deref(), Some("File"));
        assert_eq!(c.approval.len(), 2);
        assert_eq!(c.approval[0].date.as_deref(), Some("2026-01-02"));
        assert_eq!(c.approval[1].role, "Release");
        assert_eq!(c.approval[1].name, None);

        // Every problem at its place, all at once.
        let e = parse(
            "version = \"1\"\ndevice = \" \"\nmanufacturer = \"a\\nb\"\ndocument-id = 7\n[[bundle.approval]]\nname = \"A\"\n[[bundle.approval]]\nrole = \"B\"\nsignatur = \"x\"\n[[bundle.approval]]\nrole = \"C\"\ndate = \"2026-13-01\"\n",
        )
        .unwrap_err();
        let got: Vec<(&str, &str)> = e.iter().map(|(c, _, at)| (*c, at.as_str())).collect();
        assert_eq!(
            got,
            [
                ("config-invalid-value", "\" \""),
                ("config-invalid-value", "\"a\\nb\""),
                ("config-wrong-type", "7"),
                ("config-missing-key", "[[bundle.approval]]"),
                ("config-unknown-key", "signatur"),
                ("config-invalid-value", "\"2026-13-01\""),
            ]
        );
        assert_eq!(e[1].1, "`bundle.manufacturer` has a line break");
        assert!(e[3].1.contains("approval 1 has no `role`"), "{e:?}");
        assert!(e[5].1.contains("not a calendar date"), "{e:?}");
    }

    #[test]
    fn an_approval_typo_is_suggested() {
        let text = "[bundle]\nversion = \"1\"\n[[bundle.approval]]\nrole = \"A\"\nnam = \"B\"\n";
        let e = Config::from_toml(text).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].help.as_deref(), Some("did you mean `name`?"));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let e = parse("version = \"1\"\npdff = false").unwrap_err();
        assert_eq!((e[0].0, e[0].2.as_str()), ("config-unknown-key", "pdff"));
    }
}
