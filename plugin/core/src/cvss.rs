//! CVSS 3.1 base vectors: strict parsing and the exploitability sub-score.
//!
//! Only the part of CVSS the risk estimate needs is computed: the exploitability
//! sub-score `8.22 × AV × AC × PR × UI` (CVSS v3.1 specification, section 7.1), which
//! stands in for a qualitative exploitability level. The impact metrics are parsed and
//! validated so that a vector copied from an advisory is checked as a whole, but severity
//! stays a qualitative judgement of harm to the patient, which CVSS does not measure.
//!
//! Arithmetic is integer: the metric weights are whole hundredths, so the product is exact
//! and the result is the same on every machine.

use std::fmt;
use std::ops::Range;

/// Attack Vector (AV).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttackVector {
    Network,
    Adjacent,
    Local,
    Physical,
}

/// Attack Complexity (AC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttackComplexity {
    Low,
    High,
}

/// Privileges Required (PR).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Privileges {
    None,
    Low,
    High,
}

/// User Interaction (UI).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserInteraction {
    None,
    Required,
}

/// Scope (S).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    Unchanged,
    Changed,
}

/// Confidentiality, Integrity or Availability impact (C, I, A).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Impact {
    High,
    Low,
    None,
}

/// A validated CVSS 3.1 base vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cvss {
    pub av: AttackVector,
    pub ac: AttackComplexity,
    pub pr: Privileges,
    pub ui: UserInteraction,
    pub scope: Scope,
    pub c: Impact,
    pub i: Impact,
    pub a: Impact,
}

/// Why a vector was rejected, with the byte range inside the vector text that is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CvssError {
    pub message: String,
    pub range: Range<usize>,
}

const PREFIX: &str = "CVSS:3.1/";

/// The base metrics in the order the specification lists them, with their names.
const BASE: [(&str, &str, &str); 8] = [
    ("AV", "Attack Vector", "N, A, L or P"),
    ("AC", "Attack Complexity", "L or H"),
    ("PR", "Privileges Required", "N, L or H"),
    ("UI", "User Interaction", "N or R"),
    ("S", "Scope", "U or C"),
    ("C", "Confidentiality", "H, L or N"),
    ("I", "Integrity", "H, L or N"),
    ("A", "Availability", "H, L or N"),
];

/// Temporal and environmental metrics: valid CVSS, but not part of a base vector. They are
/// named in the error so the user knows the vector is not garbage, only too long.
const NOT_BASE: [&str; 14] = [
    "E", "RL", "RC", "CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA",
];

impl Cvss {
    /// Parses `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`. The eight base metrics are
    /// required, each exactly once, in any order (as the specification allows); anything
    /// else is rejected with the range of the offending part.
    pub fn parse(text: &str) -> Result<Cvss, CvssError> {
        let err = |message: String, range: Range<usize>| Err(CvssError { message, range });
        let Some(rest) = text.strip_prefix(PREFIX) else {
            let head_end = text.find('/').unwrap_or(text.len());
            return match text.strip_prefix("CVSS:") {
                Some(version) => {
                    let version = &version[..head_end - "CVSS:".len()];
                    err(
                        format!(
                            "CVSS version `{version}` is not supported; give a CVSS 3.1 base vector"
                        ),
                        "CVSS:".len()..head_end,
                    )
                }
                None => err("a CVSS vector starts with `CVSS:3.1/`".into(), 0..head_end),
            };
        };
        let mut values: [Option<(char, Range<usize>)>; 8] = Default::default();
        let mut offset = PREFIX.len();
        for part in rest.split('/') {
            let range = offset..offset + part.len();
            offset += part.len() + 1;
            if part.is_empty() {
                return err(
                    "empty metric: two `/` in a row or a `/` at the end".into(),
                    // Parts start after `CVSS:3.1/`, so there is always a `/` before them.
                    range.start - 1..range.start,
                );
            }
            let Some((name, value)) = part.split_once(':') else {
                return err(
                    format!(
                        "`{part}` is not a metric; write metrics as `NAME:VALUE`, for example `AV:N`"
                    ),
                    range,
                );
            };
            let Some(slot) = BASE.iter().position(|(n, _, _)| *n == name) else {
                let upper = name.to_ascii_uppercase();
                let message = if NOT_BASE.contains(&name) {
                    format!(
                        "`{name}` is a temporal or environmental metric; give the base vector only"
                    )
                } else if upper != name
                    && (BASE.iter().any(|(n, _, _)| *n == upper)
                        || NOT_BASE.contains(&upper.as_str()))
                {
                    format!("unknown metric `{name}`; metric names are upper case (`{upper}`)")
                } else {
                    format!(
                        "unknown metric `{name}`; the base metrics are AV, AC, PR, UI, S, C, I and A"
                    )
                };
                return err(message, range.start..range.start + name.len());
            };
            let (metric, title, allowed) = BASE[slot];
            let value_range = range.start + name.len() + 1..range.end;
            if values[slot].is_some() {
                return err(format!("metric `{metric}` is given twice"), range);
            }
            let mut chars = value.chars();
            let (Some(v), None) = (chars.next(), chars.next()) else {
                return err(
                    format!("`{part}`: {title} ({metric}) takes {allowed}"),
                    value_range,
                );
            };
            if !allowed.contains(v) || !v.is_ascii_uppercase() {
                return err(
                    format!("`{part}`: {title} ({metric}) takes {allowed}"),
                    value_range,
                );
            }
            values[slot] = Some((v, value_range));
        }
        let missing: Vec<String> = BASE
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|((n, t, _), _)| format!("{n} ({t})"))
            .collect();
        if !missing.is_empty() {
            let s = if missing.len() == 1 { "" } else { "s" };
            return err(
                format!("missing base metric{s} {}", missing.join(", ")),
                0..text.len(),
            );
        }
        let v = |slot: usize| values[slot].as_ref().map_or(' ', |(c, _)| *c);
        let impact = |c: char| match c {
            'H' => Impact::High,
            'L' => Impact::Low,
            _ => Impact::None,
        };
        Ok(Cvss {
            av: match v(0) {
                'N' => AttackVector::Network,
                'A' => AttackVector::Adjacent,
                'L' => AttackVector::Local,
                _ => AttackVector::Physical,
            },
            ac: if v(1) == 'L' {
                AttackComplexity::Low
            } else {
                AttackComplexity::High
            },
            pr: match v(2) {
                'N' => Privileges::None,
                'L' => Privileges::Low,
                _ => Privileges::High,
            },
            ui: if v(3) == 'N' {
                UserInteraction::None
            } else {
                UserInteraction::Required
            },
            scope: if v(4) == 'U' {
                Scope::Unchanged
            } else {
                Scope::Changed
            },
            c: impact(v(5)),
            i: impact(v(6)),
            a: impact(v(7)),
        })
    }

    /// The exploitability sub-score in units of 10^-10, exact: the weights of the
    /// specification (section 7.4) in hundredths, times 822 for the factor 8.22.
    pub fn exploitability_exact(&self) -> u64 {
        let av: u64 = match self.av {
            AttackVector::Network => 85,
            AttackVector::Adjacent => 62,
            AttackVector::Local => 55,
            AttackVector::Physical => 20,
        };
        let ac: u64 = match self.ac {
            AttackComplexity::Low => 77,
            AttackComplexity::High => 44,
        };
        // Privileges weigh more when the scope changes: the attacker's privileges on the
        // vulnerable component then reach beyond it.
        let pr: u64 = match (self.pr, self.scope) {
            (Privileges::None, _) => 85,
            (Privileges::Low, Scope::Unchanged) => 62,
            (Privileges::Low, Scope::Changed) => 68,
            (Privileges::High, Scope::Unchanged) => 27,
            (Privileges::High, Scope::Changed) => 50,
        };
        let ui: u64 = match self.ui {
            UserInteraction::None => 85,
            UserInteraction::Required => 62,
        };
        822 * av * ac * pr * ui
    }

    /// The exploitability sub-score in tenths (0.1 to 3.9 as 1 to 39), rounded half up to
    /// one decimal as calculators and advisories show it.
    pub fn exploitability_tenths(&self) -> u32 {
        let tenths = (self.exploitability_exact() + 500_000_000) / 1_000_000_000;
        // At most 39: the largest product is 3.887.
        u32::try_from(tenths).unwrap_or(u32::MAX)
    }
}

/// Formats a number of tenths as a decimal (`28` -> `2.8`).
pub fn tenths(n: u32) -> String {
    format!("{}.{}", n / 10, n % 10)
}

impl fmt::Display for Cvss {
    /// The canonical vector, metrics in the order of the specification.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let impact = |i: Impact| match i {
            Impact::High => 'H',
            Impact::Low => 'L',
            Impact::None => 'N',
        };
        write!(
            f,
            "{PREFIX}AV:{}/AC:{}/PR:{}/UI:{}/S:{}/C:{}/I:{}/A:{}",
            match self.av {
                AttackVector::Network => 'N',
                AttackVector::Adjacent => 'A',
                AttackVector::Local => 'L',
                AttackVector::Physical => 'P',
            },
            match self.ac {
                AttackComplexity::Low => 'L',
                AttackComplexity::High => 'H',
            },
            match self.pr {
                Privileges::None => 'N',
                Privileges::Low => 'L',
                Privileges::High => 'H',
            },
            match self.ui {
                UserInteraction::None => 'N',
                UserInteraction::Required => 'R',
            },
            match self.scope {
                Scope::Unchanged => 'U',
                Scope::Changed => 'C',
            },
            impact(self.c),
            impact(self.i),
            impact(self.a),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(v: &str) -> String {
        tenths(Cvss::parse(v).unwrap().exploitability_tenths())
    }

    fn error(v: &str) -> (String, String) {
        let e = Cvss::parse(v).unwrap_err();
        (e.message, v[e.range].to_string())
    }

    #[test]
    fn exploitability_matches_published_sub_scores() {
        // Values as shown by the FIRST calculator and NVD for these vectors.
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), "3.9");
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"), "2.8");
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N"), "2.8");
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:N/A:N"), "3.1");
        assert_eq!(score("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"), "2.2");
        assert_eq!(score("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), "2.8");
        assert_eq!(score("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"), "1.8");
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"), "1.2");
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H"), "2.3");
        assert_eq!(score("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), "0.9");
        assert_eq!(score("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L"), "0.1");
    }

    #[test]
    fn metrics_may_come_in_any_order_and_print_canonically() {
        let c = Cvss::parse("CVSS:3.1/C:H/I:L/A:N/S:U/UI:R/PR:N/AC:H/AV:A").unwrap();
        assert_eq!(
            c.to_string(),
            "CVSS:3.1/AV:A/AC:H/PR:N/UI:R/S:U/C:H/I:L/A:N"
        );
    }

    #[test]
    fn malformed_vectors_name_the_bad_part() {
        assert_eq!(
            error("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            (
                "a CVSS vector starts with `CVSS:3.1/`".into(),
                "AV:N".into()
            )
        );
        let (m, at) = error("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert!(m.contains("`3.0` is not supported"), "{m}");
        assert_eq!(at, "3.0");
        let (m, at) = error("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(m, "`AV:X`: Attack Vector (AV) takes N, A, L or P");
        assert_eq!(at, "X");
        let (m, at) = error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:HH");
        assert!(m.contains("Availability (A) takes H, L or N"), "{m}");
        assert_eq!(at, "HH");
        let (m, at) = error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:h");
        assert!(m.contains("takes H, L or N"), "{m}");
        assert_eq!(at, "h");
        let (m, at) = error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H");
        assert_eq!(m, "missing base metric A (Availability)");
        assert_eq!(at, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H");
        let (m, _) = error("CVSS:3.1/AV:N/AC:L");
        assert!(
            m.starts_with("missing base metrics PR (Privileges Required), UI"),
            "{m}"
        );
        let (m, at) = error("CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(m, "metric `AV` is given twice");
        assert_eq!(at, "AV:L");
        let (m, at) = error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P");
        assert!(m.contains("temporal or environmental"), "{m}");
        assert_eq!(at, "E");
        let (m, at) = error("CVSS:3.1/av:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert!(m.contains("upper case (`AV`)"), "{m}");
        assert_eq!(at, "av");
        let (m, at) = error("CVSS:3.1/XX:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert!(m.contains("unknown metric `XX`"), "{m}");
        assert_eq!(at, "XX");
        let (m, _) = error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/");
        assert!(m.starts_with("empty metric"), "{m}");
        let (m, at) = error("CVSS:3.1/AVN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert!(m.contains("`AVN` is not a metric"), "{m}");
        assert_eq!(at, "AVN");
        assert!(Cvss::parse("").is_err());
        assert!(Cvss::parse("CVSS:3.1/").is_err());
        assert!(Cvss::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Hé").is_err());
    }

    #[test]
    fn every_base_vector_scores_between_0_1_and_3_9() {
        let avs = ["N", "A", "L", "P"];
        let mut seen = 0;
        for av in avs {
            for ac in ["L", "H"] {
                for pr in ["N", "L", "H"] {
                    for ui in ["N", "R"] {
                        for s in ["U", "C"] {
                            let v = format!(
                                "CVSS:3.1/AV:{av}/AC:{ac}/PR:{pr}/UI:{ui}/S:{s}/C:H/I:H/A:H"
                            );
                            let t = Cvss::parse(&v).unwrap().exploitability_tenths();
                            assert!((1..=39).contains(&t), "{v}: {t}");
                            seen += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(seen, 96);
    }
}
