//! `[preprocessor.techfile.risk]`: the scales of the security risk estimate, the acceptance
//! matrix and the mapping of CVSS onto the exploitability scale.

use serde::Deserialize;

/// The acceptance level of a matrix cell. Ordered from best to worst, so levels compare
/// with `<` and `>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Acceptance {
    Acceptable,
    Review,
    Unacceptable,
}

impl Acceptance {
    pub const ALL: [Acceptance; 3] = [
        Acceptance::Acceptable,
        Acceptance::Review,
        Acceptance::Unacceptable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Acceptance::Acceptable => "acceptable",
            Acceptance::Review => "review",
            Acceptance::Unacceptable => "unacceptable",
        }
    }

    /// The CSS class that colours a cell or badge of this level.
    pub fn class(self) -> &'static str {
        match self {
            Acceptance::Acceptable => "techfile-risk-acceptable",
            Acceptance::Review => "techfile-risk-review",
            Acceptance::Unacceptable => "techfile-risk-unacceptable",
        }
    }
}

/// `[preprocessor.techfile.risk]`: the scales risks are estimated on and the matrix that
/// turns an estimate into an acceptance level. The defaults are the five-level scales of
/// ISO 14971 practice and the matrix documented in the book's reference appendix.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct RiskConfig {
    /// Exploitability levels, most likely first.
    pub exploitability: Vec<String>,
    /// Severity levels, least severe first.
    pub severity: Vec<String>,
    /// One row per exploitability level (most likely first), one column per severity level
    /// (least severe first).
    pub matrix: Vec<Vec<Acceptance>>,
    /// The lowest CVSS 3.x exploitability sub-score of each exploitability level but the
    /// last, most likely first; a score below all of them is the last level. `None`: the
    /// documented defaults, which fit a five-level scale only.
    pub cvss_thresholds: Option<Vec<f64>>,
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
    pub fn cvss_thresholds_tenths(&self) -> Vec<u32> {
        match &self.cvss_thresholds {
            // Validation guarantees one decimal at most and a range of 0.1 to 3.9.
            Some(t) => t.iter().map(|v| (v * 10.0).round() as u32).collect(),
            None => DEFAULT_CVSS_THRESHOLDS.to_vec(),
        }
    }

    /// Checks the scales and the matrix: non-empty, unique words without spaces, a matrix
    /// of the scales' size that never gets more acceptable as a risk gets worse, and CVSS
    /// thresholds that fit the exploitability scale.
    pub fn validate(&self) -> Result<(), String> {
        const T: &str = "[preprocessor.techfile.risk]";
        for (name, scale) in [
            ("exploitability", &self.exploitability),
            ("severity", &self.severity),
        ] {
            if scale.is_empty() {
                return Err(format!("{T} {name}: list at least one level"));
            }
            for (n, w) in scale.iter().enumerate() {
                if w.is_empty() || w.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(format!(
                        "{T} {name}: `{w}` is not a usable level word; use one word without spaces, such as `very-likely`"
                    ));
                }
                if scale[..n].contains(w) {
                    return Err(format!("{T} {name}: `{w}` is listed twice"));
                }
            }
        }
        let (rows, cols) = (self.exploitability.len(), self.severity.len());
        if self.matrix.len() != rows {
            return Err(format!(
                "{T} matrix: {} rows, but the exploitability scale has {rows} levels; write one row per exploitability level, most likely first",
                self.matrix.len()
            ));
        }
        for (r, row) in self.matrix.iter().enumerate() {
            if row.len() != cols {
                return Err(format!(
                    "{T} matrix: the row of `{}` has {} cells, but the severity scale has {cols} levels; write one cell per severity level, least severe first",
                    self.exploitability[r],
                    row.len()
                ));
            }
        }
        // A matrix that gets more acceptable as a risk gets worse is almost always written
        // transposed or with a scale reversed; it would accept risks silently.
        for r in 0..rows {
            for c in 0..cols {
                let here = self.matrix[r][c];
                if c + 1 < cols && self.matrix[r][c + 1] < here {
                    return Err(format!(
                        "{T} matrix: `{} / {}` is {} but the more severe `{} / {}` is {}; a matrix never gets more acceptable as severity grows (are the scales in the documented order?)",
                        self.exploitability[r],
                        self.severity[c],
                        here.as_str(),
                        self.exploitability[r],
                        self.severity[c + 1],
                        self.matrix[r][c + 1].as_str()
                    ));
                }
                if r + 1 < rows && self.matrix[r + 1][c] > here {
                    return Err(format!(
                        "{T} matrix: `{} / {}` is {} but the less likely `{} / {}` is {}; a matrix never gets more acceptable as exploitability grows (are the scales in the documented order?)",
                        self.exploitability[r],
                        self.severity[c],
                        here.as_str(),
                        self.exploitability[r + 1],
                        self.severity[c],
                        self.matrix[r + 1][c].as_str()
                    ));
                }
            }
        }
        match &self.cvss_thresholds {
            None if rows != DEFAULT_CVSS_THRESHOLDS.len() + 1 => {
                return Err(format!(
                    "{T} cvss-thresholds: the default CVSS thresholds fit a five-level exploitability scale; with {rows} levels, set {} thresholds, most likely level first",
                    rows - 1
                ));
            }
            None => {}
            Some(t) => {
                if t.len() + 1 != rows {
                    return Err(format!(
                        "{T} cvss-thresholds: {} values, but the exploitability scale has {rows} levels; give the lowest CVSS exploitability sub-score of each level but the last ({} values)",
                        t.len(),
                        rows - 1
                    ));
                }
                for (n, v) in t.iter().enumerate() {
                    let tenths = v * 10.0;
                    if !(1.0..=39.0).contains(&tenths) || (tenths - tenths.round()).abs() > 1e-6 {
                        return Err(format!(
                            "{T} cvss-thresholds: {v} is not a CVSS exploitability sub-score; use values from 0.1 to 3.9 with one decimal"
                        ));
                    }
                    if n > 0 && t[n - 1] <= *v {
                        return Err(format!(
                            "{T} cvss-thresholds: the values must fall from the most likely level to the least likely ({} then {v})",
                            t[n - 1]
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
