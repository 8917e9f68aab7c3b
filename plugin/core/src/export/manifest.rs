//! `MANIFEST.sha256`: the SHA-256 of every file of the bundle, in the format `sha256sum -c`
//! reads, and the comparison `mdbook-techfile verify` makes against what is on disk.

use std::collections::BTreeMap;
use std::fmt;

/// The manifest's file name inside the bundle. It lists every other file.
pub const FILE_NAME: &str = "MANIFEST.sha256";

/// Whether a bundle path can be written to and read back from a manifest unchanged:
/// relative, forward slashes, no `.`/`..` steps, and nothing `sha256sum` would escape.
pub(crate) fn is_safe_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(['\\', '\n', '\r', '\0'])
        && path
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..")
}

/// The manifest text: one `<sha256>  <path>` line per file, sorted by path (byte order),
/// so the same files always give the same manifest. `files` maps each path (relative to
/// the bundle folder, forward slashes) to its SHA-256 as 64 lower-case hex digits.
///
/// # Errors
///
/// A path that is empty, absolute, holds an empty, `.` or `..` segment, a backslash, a NUL
/// or a line break: such a line could not be read back as the file it names.
pub fn format(files: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(files.len() * 100);
    for (path, hash) in files {
        if !is_safe_path(path) {
            return Err(format!(
                "cannot list `{}` in {FILE_NAME}: bundle paths must be relative, without `..`, backslashes or line breaks",
                path.escape_debug()
            ));
        }
        out.push_str(hash);
        out.push_str("  ");
        out.push_str(path);
        out.push('\n');
    }
    Ok(out)
}

/// Something wrong with a bundle, as `verify` reports it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Problem {
    /// A manifest line that cannot be read.
    Malformed {
        /// The line's number in `MANIFEST.sha256` (1-based).
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Listed, but not in the bundle.
    Missing {
        /// Path relative to the bundle folder, with forward slashes.
        path: String,
    },
    /// In the bundle with other content than listed.
    Changed {
        /// Path relative to the bundle folder, with forward slashes.
        path: String,
        /// The SHA-256 the manifest lists (64 lower-case hex digits).
        listed: String,
        /// The SHA-256 of the file now.
        actual: String,
    },
    /// In the bundle, but not listed: added after the build.
    NotListed {
        /// Path relative to the bundle folder, with forward slashes.
        path: String,
    },
    /// `trace.json` lists a review stamp that none of its review records covers.
    Unrecorded {
        /// The ID of the reviewed (downstream) item.
        item: String,
        /// The ID of the upstream item it was reviewed against.
        upstream: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Malformed { line, reason } => {
                write!(f, "malformed: {FILE_NAME} line {line}: {reason}")
            }
            Problem::Missing { path } => {
                write!(
                    f,
                    "missing: {path}: listed in {FILE_NAME} but not in the bundle"
                )
            }
            Problem::Changed {
                path,
                listed,
                actual,
            } => write!(
                f,
                "changed: {path}: its SHA-256 is {actual}, {FILE_NAME} lists {listed}"
            ),
            Problem::NotListed { path } => {
                write!(
                    f,
                    "not listed: {path}: in the bundle but not in {FILE_NAME}"
                )
            }
            Problem::Unrecorded { item, upstream } => write!(
                f,
                "unrecorded review: trace.json: the stamp of {item} for {upstream} is backed by no review record"
            ),
        }
    }
}

/// The review stamps of a trace export (`trace.json`) that none of its review records
/// covers: a bundle never holds them when it is built, so they mean the export was edited.
pub fn unrecorded_reviews(trace: &serde_json::Value) -> Vec<Problem> {
    let reviews = &trace["reviews"];
    let covered: std::collections::BTreeSet<(&str, &str, &str)> = reviews["records"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["covers"].as_array().into_iter().flatten())
        .filter_map(|c| {
            Some((
                c["item"].as_str()?,
                c["upstream"].as_str()?,
                c["fingerprint"].as_str()?,
            ))
        })
        .collect();
    reviews["links"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| {
            let (item, upstream, stamp) =
                (l["from"].as_str()?, l["to"].as_str()?, l["stamp"].as_str()?);
            (!covered.contains(&(item, upstream, stamp))).then(|| Problem::Unrecorded {
                item: item.to_string(),
                upstream: upstream.to_string(),
            })
        })
        .collect()
}

/// Reads a manifest: path -> SHA-256. Lines it cannot read are returned as problems (a
/// manifest edited by hand is itself a sign of tampering).
pub fn parse(text: &str) -> (BTreeMap<String, String>, Vec<Problem>) {
    let mut entries = BTreeMap::new();
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if line.is_empty() {
            continue;
        }
        let bad = |reason: &str| Problem::Malformed {
            line: line_no,
            reason: reason.to_string(),
        };
        let (hash, rest) = line.split_at_checked(64).unwrap_or((line, ""));
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            problems.push(bad("expected a SHA-256 (64 hex digits) at the start"));
            continue;
        }
        // `sha256sum` writes two spaces (text mode) or a space and `*` (binary mode).
        let Some(path) = rest.strip_prefix("  ").or_else(|| rest.strip_prefix(" *")) else {
            problems.push(bad("expected two spaces between the SHA-256 and the path"));
            continue;
        };
        if !is_safe_path(path) {
            problems.push(bad(&format!(
                "`{}` is not a path inside the bundle",
                path.escape_debug()
            )));
            continue;
        }
        if entries
            .insert(path.to_string(), hash.to_ascii_lowercase())
            .is_some()
        {
            problems.push(bad(&format!("`{path}` is listed twice")));
        }
    }
    (entries, problems)
}

/// Compares the listed hashes with the files found (path -> SHA-256, the manifest itself
/// excluded). Problems come sorted by kind, then path.
pub fn compare(
    listed: &BTreeMap<String, String>,
    found: &BTreeMap<String, String>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for (path, hash) in listed {
        match found.get(path) {
            None => out.push(Problem::Missing { path: path.clone() }),
            Some(actual) if actual != hash => out.push(Problem::Changed {
                path: path.clone(),
                listed: hash.clone(),
                actual: actual.clone(),
            }),
            Some(_) => {}
        }
    }
    for path in found.keys().filter(|p| !listed.contains_key(*p)) {
        out.push(Problem::NotListed { path: path.clone() });
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_without_records_in_a_trace_export_are_problems() {
        let fp = format!("sha256:v1:{}", "a".repeat(64));
        let mut trace = serde_json::json!({"reviews": {"fingerprint-profile": 1,
            "records": [{"covers": [{"item": "CTL-1", "upstream": "REQ-1", "fingerprint": fp}]}],
            "links": [{"from": "CTL-1", "to": "REQ-1", "stamp": fp},
                      {"from": "TST-1", "to": "CTL-1", "stamp": null}]}});
        assert!(unrecorded_reviews(&trace).is_empty());
        trace["reviews"]["links"][0]["stamp"] = format!("sha256:v1:{}", "b".repeat(64)).into();
        let p = unrecorded_reviews(&trace);
        assert_eq!(p.len(), 1);
        assert_eq!(
            p[0].to_string(),
            "unrecorded review: trace.json: the stamp of CTL-1 for REQ-1 is backed by no review record"
        );
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(p, h)| (p.to_string(), h.to_string()))
            .collect()
    }

    #[test]
    fn format_is_sorted_sha256sum_text_mode() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        let text = format(&map(&[("z.pdf", &a), ("html/index.html", &b)])).unwrap();
        assert_eq!(text, format!("{b}  html/index.html\n{a}  z.pdf\n"));
        assert!(format(&map(&[("../x", &a)])).is_err());
        assert!(format(&map(&[("a\nb", &a)])).is_err());
    }

    #[test]
    fn parse_reads_what_format_writes_and_flags_bad_lines() {
        let a = "a".repeat(64);
        let files = map(&[("html/a b.html", &a), ("trace.json", &a)]);
        let (back, problems) = parse(&format(&files).unwrap());
        assert_eq!(back, files);
        assert!(problems.is_empty());

        let text = format!("{a} *bin.pdf\nnot a line\n{a}  ../etc/passwd\n{a}  x\n{a}  x\n");
        let (entries, problems) = parse(&text);
        assert_eq!(entries.keys().collect::<Vec<_>>(), ["bin.pdf", "x"]);
        let lines: Vec<usize> = problems
            .iter()
            .map(|p| match p {
                Problem::Malformed { line, .. } => *line,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(lines, [2, 3, 5]);
    }

    #[test]
    fn compare_finds_missing_changed_and_unlisted_files() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        let listed = map(&[("same", &a), ("changed", &a), ("gone", &a)]);
        let found = map(&[("same", &a), ("changed", &b), ("extra", &a)]);
        let problems: Vec<String> = compare(&listed, &found)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("missing: gone"), "{problems:?}");
        assert!(problems[1].starts_with("changed: changed: its SHA-256 is bbbb"));
        assert!(problems[2].starts_with("not listed: extra"));
        assert!(compare(&listed, &listed).is_empty());
    }
}
