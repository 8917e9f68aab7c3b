//! `[preprocessor.techfile.risk]`: the scales of the security risk estimate, the acceptance
//! matrix and the mapping of CVSS onto the exploitability scale.

use super::reader::Reader;
use super::tree::{Node, Table, Value};
use crate::diag::{Code, Diagnostic};
use crate::model::Span;

/// The acceptance level of a matrix cell. Ordered from best to worst, so levels compare
/// with `<` and `>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Acceptance {
    Acceptable,
    Review,
    Unacceptable,
}

impl Acceptance {
    pub(crate) const ALL: [Acceptance; 3] = [
        Acceptance::Acceptable,
        Acceptance::Review,
        Acceptance::Unacceptable,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Acceptance::Acceptable => "acceptable",
            Acceptance::Review => "review",
            Acceptance::Unacceptable => "unacceptable",
        }
    }

    /// The CSS class that colours a cell or badge of this level.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Acceptance::Acceptable => "techfile-risk-acceptable",
            Acceptance::Review => "techfile-risk-review",
            Acceptance::Unacceptable => "techfile-risk-unacceptable",
        }
    }
}

/// `[preprocessor.techfile.risk]`: the scales risks are estimated on and the matrix that
/// turns an estimate into an acceptance level. The defaults are the five-level scales of
/// ISO 14971 practice and the matrix documented in the reference manual
/// (`manual/src/reference.md`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RiskConfig {
    /// Exploitability levels, most likely first.
    pub(crate) exploitability: Vec<String>,
    /// Severity levels, least severe first.
    pub(crate) severity: Vec<String>,
    /// One row per exploitability level (most likely first), one column per severity level
    /// (least severe first).
    pub(crate) matrix: Vec<Vec<Acceptance>>,
    /// The lowest CVSS 3.x exploitability sub-score of each exploitability level but the
    /// last, most likely first; a score below all of them is the last level. `None`: the
    /// documented defaults, which fit a five-level scale only.
    pub(crate) cvss_thresholds: Option<Vec<f64>>,
}

/// The default CVSS thresholds in tenths: frequent from 3.5 (in practice only 3.9, a
/// network attack with low complexity, no privileges and no user action), probable from
/// 2.5, occasional from 1.5, remote from 0.7, improbable below.
const DEFAULT_CVSS_THRESHOLDS: [u32; 4] = [35, 25, 15, 7];

impl Default for RiskConfig {
    fn default() -> RiskConfig {
        use Acceptance::{Acceptable as A, Review as R, Unacceptable as U};
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        RiskConfig {
            exploitability: words(&["frequent", "probable", "occasional", "remote", "improbable"]),
            severity: words(&["negligible", "minor", "serious", "critical", "catastrophic"]),
            // Monotone: never more acceptable as severity or likelihood grows. Review is the
            // band where a risk may stay only with a documented justification.
            matrix: vec![
                vec![R, U, U, U, U],
                vec![A, R, U, U, U],
                vec![A, R, R, U, U],
                vec![A, A, R, R, U],
                vec![A, A, A, R, R],
            ],
            cvss_thresholds: None,
        }
    }
}

impl RiskConfig {
    /// The CVSS thresholds in force, in tenths (validated: one per level but the last).
    pub(crate) fn cvss_thresholds_tenths(&self) -> Vec<u32> {
        match &self.cvss_thresholds {
            // Validation guarantees one decimal at most and a range of 0.1 to 3.9.
            Some(t) => t.iter().map(|v| (v * 10.0).round() as u32).collect(),
            None => DEFAULT_CVSS_THRESHOLDS.to_vec(),
        }
    }
}

const KEYS: &[&str] = &["exploitability", "severity", "matrix", "cvss-thresholds"];

const LEVELS: [(&str, Acceptance); 3] = [
    ("acceptable", Acceptance::Acceptable),
    ("review", Acceptance::Review),
    ("unacceptable", Acceptance::Unacceptable),
];

/// The place of the matrix, of each row, and of each cell of each row.
type MatrixSpans = (Span, Vec<(Span, Vec<Span>)>);

/// Where each key was written (`None`: absent, the default applies).
#[derive(Default)]
struct Written {
    exploitability: Option<Span>,
    severity: Option<Span>,
    /// The matrix, each row, and each cell of each row.
    matrix: Option<MatrixSpans>,
    /// The list and each value.
    thresholds: Option<(Span, Vec<Span>)>,
}

/// Reads `[preprocessor.techfile.risk]`, then the rules that tie its keys together (the
/// matrix fits the scales and never gets more acceptable as a risk gets worse; the CVSS
/// thresholds fit the exploitability scale). Those rules are skipped when a key could not
/// be read, so a mistake is reported once.
pub(super) fn read(r: &mut Reader, t: &Table) -> RiskConfig {
    let mut c = RiskConfig::default();
    let mut w = Written::default();
    let mut readable = true;
    for e in &t.entries {
        let v = &e.value;
        match e.key.as_str() {
            "exploitability" => match scale(r, v, "exploitability", EXPLOITABILITY_EXAMPLE) {
                Some(words) => (c.exploitability, w.exploitability) = (words, Some(v.span)),
                None => readable = false,
            },
            "severity" => match scale(r, v, "severity", SEVERITY_EXAMPLE) {
                Some(words) => (c.severity, w.severity) = (words, Some(v.span)),
                None => readable = false,
            },
            "matrix" => match matrix(r, v) {
                Some((m, spans)) => (c.matrix, w.matrix) = (m, Some(spans)),
                None => readable = false,
            },
            "cvss-thresholds" => match thresholds(r, v) {
                Some((values, spans)) => {
                    (c.cvss_thresholds, w.thresholds) = (Some(values), Some((v.span, spans)));
                }
                None => readable = false,
            },
            _ => r.unknown_key(e, "risk", KEYS),
        }
    }
    if readable {
        fit(r, &c, &w);
    }
    c
}

/// How each scale is written: its order and an example.
const EXPLOITABILITY_EXAMPLE: (&str, &str) = (
    "most likely first",
    "exploitability = [\"likely\", \"possible\", \"rare\"]",
);
const SEVERITY_EXAMPLE: (&str, &str) = (
    "least severe first",
    "severity = [\"minor\", \"serious\", \"critical\"]",
);

/// A scale: at least one level, each one word, each once.
fn scale(
    r: &mut Reader,
    v: &Node,
    key: &str,
    (order, example): (&str, &str),
) -> Option<Vec<String>> {
    let path = format!("risk.{key}");
    let words = r.strings(v, &path, example)?;
    if words.is_empty() {
        r.invalid(
            v.span,
            format!("`{path}` lists no level"),
            format!("list at least one level, {order} (`{example}`), or remove the key for the default scale"),
        );
        return None;
    }
    let mut ok = true;
    for (n, (word, span)) in words.iter().enumerate() {
        if word.is_empty() || word.chars().any(|c| c.is_whitespace() || c.is_control()) {
            r.invalid(
                *span,
                format!("`{word}` is not a usable level word"),
                "use one word without spaces, such as `very-likely`",
            );
            ok = false;
        } else if let Some((_, first)) = words[..n].iter().find(|(w, _)| w == word) {
            r.diags.push(
                Diagnostic::new(
                    Code::ConfigInvalidValue,
                    format!("`{word}` is listed twice in `{path}`"),
                )
                .at(*span, "listed again here")
                .with_label(*first, "first listed here")
                .help("each level is listed once; remove the repeated word"),
            );
            ok = false;
        }
    }
    ok.then(|| words.into_iter().map(|(w, _)| w).collect())
}

/// The matrix as written: rows of acceptance words.
fn matrix(r: &mut Reader, v: &Node) -> Option<(Vec<Vec<Acceptance>>, MatrixSpans)> {
    const EXAMPLE: &str = "matrix = [[\"review\", \"unacceptable\"], [\"acceptable\", \"review\"]]";
    let rows = r.array(v, "risk.matrix", EXAMPLE)?;
    let mut out = Vec::with_capacity(rows.len());
    let mut spans = Vec::with_capacity(rows.len());
    let mut ok = true;
    for row in rows {
        let Value::Array(cells) = &row.value else {
            r.wrong_type("risk.matrix", row, "an array of rows", EXAMPLE);
            ok = false;
            continue;
        };
        let mut levels = Vec::with_capacity(cells.len());
        for cell in cells {
            match r.word(cell, "risk.matrix", "acceptance level", &LEVELS) {
                Some(level) => levels.push(level),
                None => ok = false,
            }
        }
        spans.push((row.span, cells.iter().map(|c| c.span).collect()));
        out.push(levels);
    }
    ok.then_some((out, (v.span, spans)))
}

/// The thresholds as written: each a CVSS exploitability sub-score with one decimal, falling
/// from the first to the last. `None` when a value is not a number.
fn thresholds(r: &mut Reader, v: &Node) -> Option<(Vec<f64>, Vec<Span>)> {
    const EXAMPLE: &str = "cvss-thresholds = [3.5, 2.5, 1.5, 0.7]";
    let items = r.array(v, "risk.cvss-thresholds", EXAMPLE)?;
    let mut values = Vec::with_capacity(items.len());
    let mut spans = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items {
        let value = match item.value {
            Value::Float(f) => f,
            Value::Integer(Some(i)) => i as f64,
            _ => {
                r.wrong_type("risk.cvss-thresholds", item, "an array of numbers", EXAMPLE);
                ok = false;
                continue;
            }
        };
        let tenths = value * 10.0;
        if !(1.0..=39.0).contains(&tenths) || (tenths - tenths.round()).abs() > 1e-6 {
            r.invalid(
                item.span,
                format!("{value} is not a CVSS exploitability sub-score"),
                "use values from 0.1 to 3.9 with one decimal",
            );
        } else if let (Some(&before), Some(&before_span)) = (values.last(), spans.last())
            && before <= value
        {
            r.diags.push(
                Diagnostic::new(
                    Code::ConfigInvalidValue,
                    format!("the CVSS thresholds must fall from the most likely level to the least likely, but {value:.1} follows {before:.1}"),
                )
                .at(item.span, "not below the threshold before it")
                .with_label(before_span, "the threshold of the more likely level")
                .help("list the lowest sub-score of each exploitability level but the last, most likely level first"),
            );
        }
        values.push(value);
        spans.push(item.span);
    }
    ok.then_some((values, spans))
}

/// The rules between the keys: the matrix fits the scales and is monotone, and the CVSS
/// thresholds fit the exploitability scale.
fn fit(r: &mut Reader, c: &RiskConfig, w: &Written) {
    let (rows, cols) = (c.exploitability.len(), c.severity.len());
    let mut shaped = true;
    match &w.matrix {
        Some((span, row_spans)) => {
            if c.matrix.len() != rows {
                r.invalid(
                    *span,
                    format!(
                        "`risk.matrix` has {} rows, but the exploitability scale has {rows} levels",
                        c.matrix.len()
                    ),
                    "write one row per exploitability level, most likely first",
                );
                shaped = false;
            }
            for (n, row) in c.matrix.iter().enumerate() {
                if row.len() != cols {
                    let whose = c
                        .exploitability
                        .get(n)
                        .map_or(format!("row {}", n + 1), |e| format!("the row of `{e}`"));
                    r.invalid(
                        row_spans[n].0,
                        format!(
                            "{whose} has {} cells, but the severity scale has {cols} levels",
                            row.len()
                        ),
                        "write one cell per severity level, least severe first",
                    );
                    shaped = false;
                }
            }
        }
        None => {
            // The default matrix is 5 × 5; a scale of another length needs its own.
            for (len, span, name) in [
                (rows, w.exploitability, "exploitability"),
                (cols, w.severity, "severity"),
            ] {
                if let Some(span) = span
                    && len != c.matrix.len()
                {
                    r.invalid(
                        span,
                        format!(
                            "`risk.{name}` has {len} levels, but the default matrix is {} × {}",
                            c.matrix.len(),
                            c.matrix.len()
                        ),
                        "set `matrix` in [preprocessor.techfile.risk]: one row per exploitability level (most likely first), one cell per severity level (least severe first)",
                    );
                    shaped = false;
                }
            }
        }
    }
    if let (true, Some((_, row_spans))) = (shaped, &w.matrix) {
        monotone(r, c, row_spans);
    }
    match (&w.thresholds, w.exploitability) {
        (None, Some(span)) if rows != DEFAULT_CVSS_THRESHOLDS.len() + 1 => r.invalid(
            span,
            format!(
                "the default CVSS thresholds fit five exploitability levels, but `risk.exploitability` has {rows}"
            ),
            format!(
                "set `cvss-thresholds` in [preprocessor.techfile.risk] to {} values: the lowest CVSS exploitability sub-score of each level but the last, most likely first",
                rows.saturating_sub(1)
            ),
        ),
        (Some((span, values)), _) if values.len() + 1 != rows => r.invalid(
            *span,
            format!(
                "`risk.cvss-thresholds` has {} values, but the exploitability scale has {rows} levels",
                values.len()
            ),
            format!(
                "give the lowest CVSS exploitability sub-score of each level but the last ({} values)",
                rows.saturating_sub(1)
            ),
        ),
        _ => {}
    }
}

/// A matrix that gets more acceptable as a risk gets worse is almost always written
/// transposed or with a scale reversed; it would accept risks silently. Each cell that is
/// more acceptable than a better neighbour is reported, pointing at it.
fn monotone(r: &mut Reader, c: &RiskConfig, spans: &[(Span, Vec<Span>)]) {
    let m = &c.matrix;
    let (e, s) = (&c.exploitability, &c.severity);
    for row in 0..m.len() {
        for col in 0..m[row].len() {
            let here = m[row][col];
            if col + 1 < m[row].len() && m[row][col + 1] < here {
                r.diags.push(
                    Diagnostic::new(
                        Code::ConfigInvalidValue,
                        format!(
                            "`{} / {}` is {} but the less severe `{} / {}` is {}",
                            e[row],
                            s[col + 1],
                            m[row][col + 1].as_str(),
                            e[row],
                            s[col],
                            here.as_str()
                        ),
                    )
                    .at(spans[row].1[col + 1], "more acceptable than the cell before it")
                    .with_label(spans[row].1[col], "the less severe cell")
                    .help("a matrix never gets more acceptable as severity grows (are the scales in the documented order: severity least severe first?)"),
                );
            }
            if row + 1 < m.len() && m[row + 1][col] > here {
                r.diags.push(
                    Diagnostic::new(
                        Code::ConfigInvalidValue,
                        format!(
                            "`{} / {}` is {} but the less likely `{} / {}` is {}",
                            e[row],
                            s[col],
                            here.as_str(),
                            e[row + 1],
                            s[col],
                            m[row + 1][col].as_str()
                        ),
                    )
                    .at(spans[row].1[col], "more acceptable than the cell below it")
                    .with_label(spans[row + 1].1[col], "the less likely cell")
                    .help("a matrix never gets more acceptable as exploitability grows (are the scales in the documented order: exploitability most likely first?)"),
                );
            }
        }
    }
}
