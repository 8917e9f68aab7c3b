//! Security risk estimation: where an estimate falls on the configured scales and what the
//! acceptance matrix says about it. Pure; the findings are made by `checks::risk` and the
//! views by `render::risk`, both from the answers given here.
//!
//! Coordinates: `row` is the index on the exploitability scale (0 = most likely), `col`
//! the index on the severity scale (0 = least severe), as the matrix in book.toml is written.

use crate::config::risk::{Acceptance, RiskConfig};
use crate::model::{Estimate, Exploitability};

/// A cell of the acceptance matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Cell {
    pub(crate) row: usize,
    pub(crate) col: usize,
}

/// An estimate resolved against the scales. Parts that are missing or name an unknown
/// word are `None` (the unknown word is reported by `checks::risk`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rated {
    pub(crate) row: Option<usize>,
    pub(crate) col: Option<usize>,
    /// The CVSS exploitability sub-score in tenths, when the estimate gives a vector.
    pub(crate) cvss_tenths: Option<u32>,
}

impl Rated {
    pub(crate) fn cell(&self) -> Option<Cell> {
        Some(Cell {
            row: self.row?,
            col: self.col?,
        })
    }
}

/// The index of an exploitability word on the configured scale.
pub(crate) fn exploitability_index(config: &RiskConfig, word: &str) -> Option<usize> {
    config.exploitability.iter().position(|w| w == word)
}

/// The index of a severity word on the configured scale.
pub(crate) fn severity_index(config: &RiskConfig, word: &str) -> Option<usize> {
    config.severity.iter().position(|w| w == word)
}

/// The exploitability level a CVSS sub-score (in tenths) maps to: the first level whose
/// threshold the score reaches, else the least likely level.
pub(crate) fn cvss_row(config: &RiskConfig, tenths: u32) -> usize {
    let thresholds = config.cvss_thresholds_tenths();
    thresholds
        .iter()
        .position(|&t| tenths >= t)
        .unwrap_or(config.exploitability.len().saturating_sub(1))
}

/// Resolves an estimate against the scales.
pub(crate) fn rate(config: &RiskConfig, estimate: &Estimate) -> Rated {
    let (row, cvss_tenths) = match estimate.exploitability.as_ref().map(|e| &e.value) {
        Some(Exploitability::Word(w)) => (exploitability_index(config, w), None),
        Some(Exploitability::Cvss(c)) => {
            let t = c.exploitability_tenths();
            (t.map(|t| cvss_row(config, t)), t)
        }
        None => (None, None),
    };
    let col = estimate
        .severity
        .as_ref()
        .and_then(|s| severity_index(config, &s.value));
    Rated {
        row,
        col,
        cvss_tenths,
    }
}

/// The acceptance level of a cell. The configuration is validated to be rectangular and of
/// the scales' size, so the lookup cannot miss; `Unacceptable` is the safe answer if it did.
pub(crate) fn level(config: &RiskConfig, cell: Cell) -> Acceptance {
    config
        .matrix
        .get(cell.row)
        .and_then(|r| r.get(cell.col))
        .copied()
        .unwrap_or(Acceptance::Unacceptable)
}

/// Whether the residual estimate is worse than the initial one: its level is higher, or
/// it is a different cell that is at least as likely and at least as severe (the risk got
/// worse in one coordinate without improving in the other). A trade-off, likelier but less
/// severe or the reverse, is judged by the level alone, because that is what the
/// documented acceptance criteria rate.
pub(crate) fn increased(config: &RiskConfig, initial: Cell, residual: Cell) -> bool {
    let (a, b) = (level(config, initial), level(config, residual));
    b > a
        || (b == a
            && residual != initial
            && residual.row <= initial.row
            && residual.col >= initial.col)
}

/// "remote / serious", the words of a cell.
pub(crate) fn cell_words(config: &RiskConfig, cell: Cell) -> String {
    format!(
        "{} / {}",
        config
            .exploitability
            .get(cell.row)
            .map_or("?", String::as_str),
        config.severity.get(cell.col).map_or("?", String::as_str)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cvss::Vector;
    use crate::model::{FileId, Span, Spanned};

    fn spanned<T>(value: T) -> Spanned<T> {
        Spanned {
            value,
            span: Span::new(FileId(0), 0..0),
        }
    }

    fn estimate(e: Exploitability, s: &str) -> Estimate {
        Estimate {
            exploitability: Some(spanned(e)),
            severity: Some(spanned(s.to_string())),
            cited: None,
        }
    }

    #[test]
    fn default_matrix_levels() {
        let c = RiskConfig::default();
        let at = |e: &str, s: &str| {
            let r = rate(&c, &estimate(Exploitability::Word(e.into()), s));
            level(&c, r.cell().unwrap())
        };
        assert_eq!(at("frequent", "negligible"), Acceptance::Review);
        assert_eq!(at("frequent", "minor"), Acceptance::Unacceptable);
        assert_eq!(at("remote", "serious"), Acceptance::Review);
        assert_eq!(at("improbable", "serious"), Acceptance::Acceptable);
        assert_eq!(at("improbable", "catastrophic"), Acceptance::Review);
        assert_eq!(at("probable", "negligible"), Acceptance::Acceptable);
    }

    #[test]
    fn unknown_words_rate_as_nothing() {
        let c = RiskConfig::default();
        let r = rate(&c, &estimate(Exploitability::Word("often".into()), "minor"));
        assert_eq!(r.row, None);
        assert_eq!(r.col, Some(1));
        assert_eq!(r.cell(), None);
        assert_eq!(rate(&c, &Estimate::default()), Rated::default());
    }

    #[test]
    fn cvss_maps_through_the_thresholds() {
        let c = RiskConfig::default();
        let row = |v: &str| {
            let r = rate(
                &c,
                &estimate(Exploitability::Cvss(Vector::parse(v).unwrap()), "minor"),
            );
            (
                c.exploitability[r.row.unwrap()].as_str(),
                r.cvss_tenths.unwrap(),
            )
        };
        assert_eq!(
            row("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            ("frequent", 39)
        );
        assert_eq!(
            row("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"),
            ("probable", 28)
        );
        assert_eq!(
            row("CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            ("probable", 25)
        );
        assert_eq!(
            row("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            ("occasional", 22)
        );
        assert_eq!(
            row("CVSS:3.1/AV:A/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            ("occasional", 16)
        );
        assert_eq!(
            row("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"),
            ("remote", 12)
        );
        assert_eq!(
            row("CVSS:3.1/AV:P/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"),
            ("remote", 7)
        );
        assert_eq!(
            row("CVSS:3.1/AV:P/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            ("improbable", 5)
        );
    }

    #[test]
    fn increase_compares_levels_then_dominance() {
        let c = RiskConfig::default();
        let cell = |row, col| Cell { row, col };
        // remote/minor (acceptable) -> occasional/serious (review): higher level.
        assert!(increased(&c, cell(3, 1), cell(2, 2)));
        // Same cell: not increased.
        assert!(!increased(&c, cell(2, 2), cell(2, 2)));
        // Lower level: not increased.
        assert!(!increased(&c, cell(1, 2), cell(4, 2)));
        // occasional/minor -> occasional/serious, both review: more severe, as likely.
        assert!(increased(&c, cell(2, 1), cell(2, 2)));
        // remote/critical -> occasional/serious, both review: a trade-off, judged by level.
        assert!(!increased(&c, cell(3, 3), cell(2, 2)));
    }
}
