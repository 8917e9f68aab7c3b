//! CVSS vectors as risk files cite them from advisories: versions 2.0, 3.0, 3.1 and 4.0,
//! with every metric group, read strictly, and the exploitability sub-score where the
//! version defines one.
//!
//! Parsing and scoring are RustSec's `cvss` crate. What stays here is what the crate does
//! not do and a risk file needs: the byte range of a bad metric inside the vector (so the
//! loader can point at it), the rules of the specifications the crate is lenient about
//! (upper case, the fixed order of CVSS 4.0, all base metrics of CVSS 3.x), and help lines
//! that name the valid metrics and values. The metric names per version are facts of the
//! specifications (the FIRST JSON schemas give the same lists); the tests hold them against
//! the crate.
//!
//! Only CVSS 3.x has an exploitability sub-score (`8.22 × AV × AC × PR × UI`, CVSS v3.1
//! specification section 7.1) that a risk estimate can map onto its exploitability scale.
//! CVSS 4.0 scores through macro vectors and has no such sub-score; CVSS 2.0's sub-score
//! (`20 × AV × AC × Au`) is on a 0-to-10 scale that the thresholds do not describe.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// A CVSS specification version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Version {
    V2_0,
    V3_0,
    V3_1,
    V4_0,
}

impl Version {
    /// `3.1`, as in the vector prefix.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Version::V2_0 => "2.0",
            Version::V3_0 => "3.0",
            Version::V3_1 => "3.1",
            Version::V4_0 => "4.0",
        }
    }

    /// The metric groups in the order the specification lists them (for CVSS 4.0 the
    /// order vectors must follow).
    fn groups(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            Version::V2_0 => &[
                ("base", &["AV", "AC", "Au", "C", "I", "A"]),
                ("temporal", &["E", "RL", "RC"]),
                ("environmental", &["CDP", "TD", "CR", "IR", "AR"]),
            ],
            Version::V3_0 | Version::V3_1 => &[
                ("base", &["AV", "AC", "PR", "UI", "S", "C", "I", "A"]),
                ("temporal", &["E", "RL", "RC"]),
                (
                    "environmental",
                    &[
                        "CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA",
                    ],
                ),
            ],
            Version::V4_0 => &[
                (
                    "base",
                    &[
                        "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
                    ],
                ),
                ("threat", &["E"]),
                (
                    "environmental",
                    &[
                        "CR", "IR", "AR", "MAV", "MAC", "MAT", "MPR", "MUI", "MVC", "MVI", "MVA",
                        "MSC", "MSI", "MSA",
                    ],
                ),
                ("supplemental", &["S", "AU", "R", "V", "RE", "U"]),
            ],
        }
    }

    fn metrics(self) -> impl Iterator<Item = &'static str> {
        self.groups()
            .iter()
            .flat_map(|(_, names)| names.iter().copied())
    }

    fn base(self) -> &'static [&'static str] {
        self.groups()[0].1
    }

    /// CVSS 4.0 vectors must list their metrics in the specification's order (section 7);
    /// earlier versions accept any order.
    fn fixed_order(self) -> bool {
        self == Version::V4_0
    }

    /// "Attack Vector", from the crate's description of the metric.
    fn describe(self, name: &str) -> &'static str {
        let described = match self {
            Version::V2_0 => cvss::v2::MetricType::from_str(name).map(|m| m.description()),
            Version::V3_0 | Version::V3_1 => {
                cvss::v3::MetricType::from_str(name).map(|m| m.description())
            }
            Version::V4_0 => cvss::v4::MetricType::from_str(name).map(|m| m.description()),
        };
        described.unwrap_or("metric")
    }

    /// "base AV, AC, ...; temporal E, RL, RC; ...", for help lines.
    fn metric_list(self) -> String {
        self.groups()
            .iter()
            .map(|(group, names)| format!("{group} {}", names.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn from_prefix(version: &str) -> Option<Version> {
        match version {
            "3.0" => Some(Version::V3_0),
            "3.1" => Some(Version::V3_1),
            "4.0" => Some(Version::V4_0),
            _ => None,
        }
    }
}

/// A valid CVSS vector of any supported version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vector {
    parsed: cvss::Cvss,
}

/// Why a vector was rejected: what is wrong, the byte range inside the vector text it is
/// about, and what to write instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CvssError {
    /// What is wrong, in one sentence, with the valid metrics or values where they help.
    pub message: String,
    /// Byte range of the offending part within the vector string (not within the file).
    pub range: Range<usize>,
    pub(crate) help: String,
}

/// One `NAME:VALUE` part of a vector, with its place in the text.
struct Part<'a> {
    text: &'a str,
    name: &'a str,
    value: &'a str,
    range: Range<usize>,
}

impl Part<'_> {
    fn name_range(&self) -> Range<usize> {
        self.range.start..self.range.start + self.name.len()
    }

    fn value_range(&self) -> Range<usize> {
        self.range.start + self.name.len() + 1..self.range.end
    }
}

const PREFIX: &str = "CVSS:";

/// The value spellings the specifications use, tried against the crate to name the valid
/// values of a metric: single letters, CVSS 2.0's longer codes and CVSS 4.0's Provider
/// Urgency colours. `X` and `ND` (not defined) come last, as the specifications list them.
const VALUE_SPELLINGS: &[&str] = &[
    "N", "A", "L", "P", "H", "M", "R", "U", "C", "S", "D", "F", "I", "O", "T", "W", "Y", "POC",
    "OF", "TF", "UC", "UR", "LM", "MH", "Clear", "Green", "Amber", "Red", "X", "ND",
];

fn fail<T>(message: String, range: Range<usize>, help: impl Into<String>) -> Result<T, CvssError> {
    Err(CvssError {
        message,
        range,
        help: help.into(),
    })
}

impl Vector {
    /// Parses a vector as the specification of its version writes it: `CVSS:3.1/AV:N/...`,
    /// `CVSS:3.0/...`, `CVSS:4.0/...`, or a CVSS 2.0 vector, which has no prefix
    /// (`AV:N/AC:L/Au:N/C:P/I:P/A:P`). Base, temporal (threat), environmental and
    /// supplemental metrics are accepted; every base metric is required, each metric may
    /// appear once, names and values are case-sensitive, and CVSS 4.0 fixes the order.
    ///
    /// # Errors
    ///
    /// The first problem found, with the byte range of the offending part (the version,
    /// one metric, its name or its value, or the whole vector for a missing base metric).
    pub fn parse(text: &str) -> Result<Vector, CvssError> {
        let (version, rest_at) = prefix(text)?;
        let parts = split(text, rest_at)?;
        check_names(version, &parts)?;
        let missing: Vec<String> = version
            .base()
            .iter()
            .filter(|b| !parts.iter().any(|p| p.name == **b))
            .map(|b| format!("{b} ({})", version.describe(b)))
            .collect();
        if !missing.is_empty() {
            let s = if missing.len() == 1 { "" } else { "s" };
            return fail(
                format!("missing base metric{s} {}", missing.join(", ")),
                0..text.len(),
                format!(
                    "a CVSS {} vector gives every base metric: {}",
                    version.as_str(),
                    version.base().join(", ")
                ),
            );
        }
        let parsed = match crate_parse(version, text) {
            Ok(parsed) => parsed,
            Err(e) => return Err(crate_error(version, text, &parts, &e)),
        };
        check_spelling(&parsed, &parts)?;
        Ok(Vector { parsed })
    }

    pub(crate) fn version(&self) -> Version {
        match self.parsed {
            cvss::Cvss::CvssV20(_) => Version::V2_0,
            cvss::Cvss::CvssV30(_) => Version::V3_0,
            cvss::Cvss::CvssV31(_) => Version::V3_1,
            _ => Version::V4_0,
        }
    }

    /// The CVSS 3.x exploitability sub-score of the base metrics in tenths (0.1 to 3.9 as
    /// 1 to 39), rounded half up to one decimal as calculators and advisories show it;
    /// `None` for the versions without one on that scale (2.0, 4.0). Temporal and
    /// environmental metrics do not change it.
    pub fn exploitability_tenths(&self) -> Option<u32> {
        let sub_score = match &self.parsed {
            cvss::Cvss::CvssV30(v) | cvss::Cvss::CvssV31(v) => v.exploitability().value(),
            _ => return None,
        };
        // The product of the weights is never within 0.002 tenths of a rounding boundary
        // (a unit test walks all 96 combinations), so f64 rounding is exact here. It is at
        // most 3.887, so the cast cannot truncate.
        Some((sub_score * 10.0).round() as u32)
    }
}

impl Vector {
    /// The base score in tenths (0 to 100), as the crate computes it for the vector's
    /// version (the CVSS 3.x round-up, the CVSS 4.0 macro-vector lookup, CVSS 2.0's
    /// rounding), each already to one decimal.
    pub(crate) fn base_score_tenths(&self) -> u32 {
        // Scores are 0.0 to 10.0 with one decimal, so the product rounds to an integer.
        (self.parsed.score() * 10.0).round().clamp(0.0, 100.0) as u32
    }

    /// The qualitative rating of the base score: `none`, `low`, `medium`, `high` or
    /// `critical` (CVSS 2.0 has no `none` or `critical`).
    pub(crate) fn rating(&self) -> &'static str {
        match self.parsed.severity() {
            cvss::Severity::None => "none",
            cvss::Severity::Low => "low",
            cvss::Severity::Medium => "medium",
            cvss::Severity::High => "high",
            cvss::Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Vector {
    /// The vector in the specification's order, as the crate writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.parsed.fmt(f)
    }
}

/// Formats a number of tenths as a decimal (`28` -> `2.8`).
pub(crate) fn tenths(n: u32) -> String {
    format!("{}.{}", n / 10, n % 10)
}

const VERSION_HELP: &str = "write `CVSS:3.1/`, `CVSS:3.0/` or `CVSS:4.0/` followed by the metrics, or a CVSS 2.0 vector without a prefix (`AV:N/AC:L/Au:N/C:P/I:P/A:P`)";

/// The version and where the metrics start.
fn prefix(text: &str) -> Result<(Version, usize), CvssError> {
    // Spaces copied along with a vector would otherwise read as part of a metric name.
    let trimmed = text.trim_start();
    if trimmed.len() != text.len() || text.trim_end().len() != text.len() {
        let range = if trimmed.len() != text.len() {
            0..text.len() - trimmed.len()
        } else {
            text.trim_end().len()..text.len()
        };
        return fail(
            "space around the CVSS vector".into(),
            range,
            "remove the spaces: a vector is one word",
        );
    }
    let head_end = text.find('/').unwrap_or(text.len());
    let Some(after) = text.strip_prefix(PREFIX) else {
        if text
            .get(..PREFIX.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(PREFIX))
        {
            return fail(
                format!("`{}` is written `CVSS:`", &text[..PREFIX.len()]),
                0..PREFIX.len(),
                "the prefix of a CVSS vector is upper case",
            );
        }
        if text.is_empty() {
            return fail("the CVSS vector is empty".into(), 0..0, VERSION_HELP);
        }
        // CVSS 2.0 vectors have no prefix; anything else without one is not a vector.
        if text[..head_end].contains(':') {
            return Ok((Version::V2_0, 0));
        }
        return fail(
            format!("`{}` is not a CVSS vector", &text[..head_end]),
            0..head_end,
            VERSION_HELP,
        );
    };
    let version = &after[..head_end - PREFIX.len()];
    let range = PREFIX.len()..head_end;
    match Version::from_prefix(version) {
        Some(_) if head_end == text.len() => fail(
            format!("no metrics after `CVSS:{version}`"),
            0..text.len(),
            format!("write the metrics after the version: `CVSS:{version}/AV:N/...`"),
        ),
        Some(v) => Ok((v, head_end + 1)),
        None if version == "2.0" || version == "2" => fail(
            "CVSS 2.0 vectors have no prefix".into(),
            0..head_end,
            "write the metrics alone, as the CVSS 2.0 guide does: `AV:N/AC:L/Au:N/C:P/I:P/A:P`",
        ),
        None => fail(
            format!("CVSS version `{version}` is not supported"),
            range,
            VERSION_HELP,
        ),
    }
}

/// The `NAME:VALUE` parts after the prefix.
fn split(text: &str, from: usize) -> Result<Vec<Part<'_>>, CvssError> {
    let mut parts = Vec::new();
    let mut offset = from;
    for piece in text[from..].split('/') {
        let range = offset..offset + piece.len();
        offset += piece.len() + 1;
        if piece.is_empty() {
            // A piece is empty only next to a `/`: the one before it, or after it at the start.
            let slash = if range.start > 0 {
                range.start - 1..range.start
            } else {
                0..1
            };
            return fail(
                "empty metric: two `/` in a row or a `/` at the start or end".into(),
                slash,
                "remove the extra `/`",
            );
        }
        let example = "write each metric as NAME:VALUE, for example `AV:N`";
        let Some((name, value)) = piece.split_once(':') else {
            return fail(format!("`{piece}` is not a metric"), range, example);
        };
        if value.is_empty() || value.contains(':') {
            return fail(format!("`{piece}` is not a metric"), range, example);
        }
        parts.push(Part {
            text: piece,
            name,
            value,
            range,
        });
    }
    Ok(parts)
}

/// Every name is a metric of the version, once, and in order where the version fixes it.
fn check_names(version: Version, parts: &[Part<'_>]) -> Result<(), CvssError> {
    let v = version.as_str();
    let mut last: Option<(usize, &str)> = None;
    for (i, part) in parts.iter().enumerate() {
        let Some(index) = version.metrics().position(|m| m == part.name) else {
            return Err(unknown_metric(version, part));
        };
        if parts[..i].iter().any(|p| p.name == part.name) {
            return fail(
                format!("metric `{}` is given twice", part.name),
                part.range.clone(),
                "a vector gives each metric once; remove one",
            );
        }
        if version.fixed_order()
            && let Some((before, previous)) = last
            && index < before
        {
            return fail(
                format!("metric `{}` is out of order", part.name),
                part.range.clone(),
                format!(
                    "CVSS {v} lists its metrics in a fixed order: `{}` comes before `{previous}`; the order is {}",
                    part.name,
                    version.metrics().collect::<Vec<_>>().join(", ")
                ),
            );
        }
        last = Some((index, part.name));
    }
    Ok(())
}

fn unknown_metric(version: Version, part: &Part<'_>) -> CvssError {
    let v = version.as_str();
    let range = part.name_range();
    let known = || version.metrics();
    if let Some(right) = known().find(|m| m.eq_ignore_ascii_case(part.name)) {
        return CvssError {
            message: format!(
                "unknown metric `{}`: metric names are case-sensitive",
                part.name
            ),
            range,
            help: format!("write `{right}`"),
        };
    }
    let list = version.metric_list();
    if version == Version::V2_0
        && Version::V3_1
            .metrics()
            .chain(Version::V4_0.metrics())
            .any(|m| m == part.name)
    {
        return CvssError {
            message: format!("`{}` is not a CVSS 2.0 metric", part.name),
            range,
            help: format!(
                "a vector without a `CVSS:` prefix is CVSS 2.0 ({list}); a CVSS 3.1 vector starts with `CVSS:3.1/`, a CVSS 4.0 vector with `CVSS:4.0/`"
            ),
        };
    }
    let suggestion = crate::suggest::closest(part.name, known())
        .map(|m| format!("did you mean `{m}`? "))
        .unwrap_or_default();
    CvssError {
        message: format!("unknown metric `{}` in a CVSS {v} vector", part.name),
        range,
        help: format!("{suggestion}the metrics of CVSS {v} are {list}"),
    }
}

/// A value the crate rejected, located at the value. Every other crate error is ruled out by
/// the checks before it; should one appear, it is reported on the whole vector.
///
/// The metric the crate's error names is not used: for the CVSS 3.x modified metrics the
/// crate parses the value with the base metric's parser and reports the base metric
/// (`MAV:Z` comes back as Attack Vector), which would point at a valid `AV`. The crate reads
/// the parts in order and stops at the first bad value, so the first part whose value the
/// crate rejects on its own is the one it failed on.
fn crate_error(version: Version, text: &str, parts: &[Part<'_>], e: &cvss::Error) -> CvssError {
    let invalid_value = matches!(
        e,
        cvss::Error::InvalidMetricV2 { .. }
            | cvss::Error::InvalidMetricV3 { .. }
            | cvss::Error::InvalidMetricV4 { .. }
    );
    let bad = parts
        .iter()
        .find(|p| invalid_value && value_rejected(version, p.name, p.value));
    let Some(part) = bad else {
        return CvssError {
            message: e.to_string(),
            range: 0..text.len(),
            help: VERSION_HELP.into(),
        };
    };
    let valid: Vec<&str> = VALUE_SPELLINGS
        .iter()
        .copied()
        .filter(|value| !value_rejected(version, part.name, value))
        .collect();
    let title = version.describe(part.name);
    CvssError {
        message: format!(
            "`{}`: `{}` is not a value of {title} ({})",
            part.text, part.value, part.name
        ),
        range: part.value_range(),
        help: format!("{title} ({}) takes {}", part.name, or_list(&valid)),
    }
}

/// Whether the crate rejects `value` for metric `name`, asked with a vector of that one
/// metric: the crate checks each value as it reads it, before it looks for missing base
/// metrics, so a lone metric fails with an invalid-metric error exactly when its value is bad.
fn value_rejected(version: Version, name: &str, value: &str) -> bool {
    let probe = match version {
        Version::V2_0 => format!("{name}:{value}"),
        _ => format!("{PREFIX}{}/{name}:{value}", version.as_str()),
    };
    matches!(
        crate_parse(version, &probe),
        Err(cvss::Error::InvalidMetricV2 { .. }
            | cvss::Error::InvalidMetricV3 { .. }
            | cvss::Error::InvalidMetricV4 { .. })
    )
}

/// The crate's parser of one version.
fn crate_parse(version: Version, text: &str) -> Result<cvss::Cvss, cvss::Error> {
    match version {
        Version::V2_0 => cvss::v2::Vector::from_str(text).map(cvss::Cvss::CvssV20),
        Version::V3_0 => cvss::v3::Vector::from_str(text).map(cvss::Cvss::CvssV30),
        Version::V3_1 => cvss::v3::Vector::from_str(text).map(cvss::Cvss::CvssV31),
        Version::V4_0 => cvss::v4::Vector::from_str(text).map(cvss::Cvss::CvssV40),
    }
}

/// The crate reads values regardless of case; the specifications write them in one case
/// (`H`, `POC`, `Red`), which is what the crate writes back.
fn check_spelling(parsed: &cvss::Cvss, parts: &[Part<'_>]) -> Result<(), CvssError> {
    let canonical = parsed.to_string();
    for part in parts {
        let written = canonical
            .split('/')
            .filter_map(|p| p.split_once(':'))
            .find(|(n, _)| *n == part.name);
        if let Some((_, value)) = written
            && value != part.value
        {
            return fail(
                format!("`{}`: metric values are case-sensitive", part.text),
                part.value_range(),
                format!("write `{}:{value}`", part.name),
            );
        }
    }
    Ok(())
}

/// "A, B or C".
fn or_list(items: &[&str]) -> String {
    match items {
        [] => "no value".into(),
        [one] => (*one).into(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(v: &str) -> String {
        tenths(Vector::parse(v).unwrap().exploitability_tenths().unwrap())
    }

    /// The message, the text the range covers, and the help.
    fn error(v: &str) -> (String, String, String) {
        let e = Vector::parse(v).unwrap_err();
        (e.message, v[e.range].to_string(), e.help)
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
        // CVSS 3.0 has the same base equations.
        assert_eq!(score("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H"), "2.8");
    }

    #[test]
    fn every_base_vector_scores_between_0_1_and_3_9_away_from_rounding_edges() {
        let mut seen = 0;
        for av in ["N", "A", "L", "P"] {
            for ac in ["L", "H"] {
                for pr in ["N", "L", "H"] {
                    for ui in ["N", "R"] {
                        for s in ["U", "C"] {
                            let v = format!(
                                "CVSS:3.1/AV:{av}/AC:{ac}/PR:{pr}/UI:{ui}/S:{s}/C:H/I:H/A:H"
                            );
                            let parsed = Vector::parse(&v).unwrap();
                            let t = parsed.exploitability_tenths().unwrap();
                            assert!((1..=39).contains(&t), "{v}: {t}");
                            // f64 rounding is safe only far from a half tenth.
                            let cvss::Cvss::CvssV31(inner) = &parsed.parsed else {
                                panic!("{v} is CVSS 3.1");
                            };
                            let x = inner.exploitability().value() * 10.0;
                            assert!((x.fract() - 0.5).abs() > 0.002, "{v}: {x}");
                            seen += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(seen, 96);
    }

    #[test]
    fn advisory_vectors_with_temporal_metrics_are_accepted() {
        // As advisories publish them: the base vector with the temporal metrics appended.
        let v = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H/E:P/RL:O/RC:C";
        let parsed = Vector::parse(v).unwrap();
        assert_eq!(parsed.version(), Version::V3_1);
        assert_eq!(parsed.to_string(), v);
        // The exploitability sub-score is the base metrics' alone.
        assert_eq!(score(v), "3.9");
    }

    #[test]
    fn every_temporal_and_environmental_metric_of_cvss_3_is_accepted() {
        let base = "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H";
        let extra = [
            "E:X", "E:U", "E:P", "E:F", "E:H", "RL:X", "RL:O", "RL:T", "RL:W", "RL:U", "RC:X",
            "RC:U", "RC:R", "RC:C", "CR:X", "CR:L", "CR:M", "CR:H", "IR:H", "AR:L", "MAV:X",
            "MAV:N", "MAV:A", "MAV:L", "MAV:P", "MAC:L", "MAC:H", "MPR:N", "MPR:L", "MPR:H",
            "MUI:N", "MUI:R", "MS:U", "MS:C", "MC:N", "MC:L", "MC:H", "MI:H", "MA:N",
        ];
        for version in ["3.0", "3.1"] {
            for m in extra {
                let v = format!("CVSS:{version}/{base}/{m}");
                assert!(Vector::parse(&v).is_ok(), "{v}: {:?}", Vector::parse(&v));
            }
            // All at once, in any order: CVSS 3.x does not fix the order.
            let all = format!(
                "CVSS:{version}/MA:N/MI:H/MC:L/MS:C/MUI:R/MPR:H/MAC:H/MAV:P/AR:L/IR:H/CR:M/RC:R/RL:W/E:F/{base}"
            );
            let parsed = Vector::parse(&all).unwrap();
            // The environmental metrics lower nothing here: the mapping uses the base metrics.
            assert_eq!(tenths(parsed.exploitability_tenths().unwrap()), "3.9");
            assert_eq!(
                parsed.to_string(),
                format!(
                    "CVSS:{version}/{base}/E:F/RL:W/RC:R/CR:M/IR:H/AR:L/MAV:P/MAC:H/MPR:H/MUI:R/MS:C/MC:L/MI:H/MA:N"
                )
            );
        }
    }

    #[test]
    fn cvss_4_vectors_are_accepted_but_have_no_sub_score() {
        let base = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
        let full = format!(
            "{base}/E:A/CR:H/IR:M/AR:L/MAV:A/MAC:H/MAT:P/MPR:L/MUI:A/MVC:L/MVI:N/MVA:H/MSC:L/MSI:S/MSA:S/S:P/AU:Y/R:I/V:C/RE:H/U:Amber"
        );
        for v in [base.to_string(), full.clone(), format!("{base}/E:P/U:Red")] {
            let parsed = Vector::parse(&v).unwrap_or_else(|e| panic!("{v}: {e:?}"));
            assert_eq!(parsed.version(), Version::V4_0);
            assert_eq!(parsed.exploitability_tenths(), None, "{v}");
            assert_eq!(
                parsed.to_string(),
                v,
                "the crate writes the specification's order"
            );
        }
    }

    #[test]
    fn cvss_2_vectors_are_accepted_but_not_mapped() {
        let v = "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:POC/RL:OF/RC:C/CDP:LM/TD:H/CR:H/IR:M/AR:ND";
        let parsed = Vector::parse(v).unwrap();
        assert_eq!(parsed.version(), Version::V2_0);
        assert_eq!(parsed.exploitability_tenths(), None);
        assert_eq!(parsed.to_string(), v);
        let (m, at, help) = error("CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P");
        assert_eq!(m, "CVSS 2.0 vectors have no prefix");
        assert_eq!(at, "CVSS:2.0");
        assert!(help.contains("`AV:N/AC:L/Au:N/C:P/I:P/A:P`"), "{help}");
        // A CVSS 3.1 vector without its prefix reads as CVSS 2.0, and the help says so.
        let (m, at, help) = error("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(m, "`PR` is not a CVSS 2.0 metric");
        assert_eq!(at, "PR");
        assert!(help.contains("starts with `CVSS:3.1/`"), "{help}");
        let (m, at, help) = error("AV:N/AC:L/au:N/C:P/I:P/A:P");
        assert_eq!(m, "unknown metric `au`: metric names are case-sensitive");
        assert_eq!((at.as_str(), help.as_str()), ("au", "write `Au`"));
        let (m, at, help) = error("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:P");
        assert_eq!(m, "`E:P`: `P` is not a value of Exploitability (E)");
        assert_eq!(at, "P");
        assert_eq!(help, "Exploitability (E) takes H, U, F, POC or ND");
    }

    /// Every environmental metric of `version` with the bad value `Z` appended to `base`:
    /// the error is at that `Z`, names the metric, and lists values the vector accepts.
    fn assert_bad_environmental_values_are_located(version: Version, base: &str) {
        let (_, environmental) = version
            .groups()
            .iter()
            .find(|(group, _)| *group == "environmental")
            .unwrap();
        for name in *environmental {
            let v = format!("{base}/{name}:Z");
            let e = Vector::parse(&v).unwrap_err();
            let title = version.describe(name);
            assert_eq!(
                e.message,
                format!("`{name}:Z`: `Z` is not a value of {title} ({name})"),
                "{v}"
            );
            assert_eq!(e.range, v.len() - 1..v.len(), "{v}");
            let listed = e
                .help
                .strip_prefix(&format!("{title} ({name}) takes "))
                .unwrap_or_else(|| panic!("{v}: {}", e.help));
            let values: Vec<&str> = listed
                .split([',', ' '])
                .filter(|w| !w.is_empty() && *w != "or")
                .collect();
            assert!(values.len() >= 2, "{v}: {}", e.help);
            for value in values {
                let good = format!("{base}/{name}:{value}");
                assert!(
                    Vector::parse(&good).is_ok(),
                    "{good}: {:?}",
                    Vector::parse(&good)
                );
            }
        }
    }

    #[test]
    fn bad_modified_metric_values_are_located_at_the_modified_metric() {
        // The crate reports a bad MAV value as a bad AV value; the error must still be
        // about MAV, at its value, with MAV's values (found on a vector whose AV is valid).
        for version in ["3.0", "3.1"] {
            let base = format!("CVSS:{version}/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H");
            for (name, title, values) in [
                ("MAV", "Modified Attack Vector", "N, A, L, P or X"),
                ("MAC", "Modified Attack Complexity", "L, H or X"),
                ("MPR", "Modified Privileges Required", "N, L, H or X"),
                ("MUI", "Modified User Interaction", "N, R or X"),
                ("MS", "Modified Scope", "U, C or X"),
                ("MC", "Modified Confidentiality", "N, L, H or X"),
                ("MI", "Modified Integrity", "N, L, H or X"),
                ("MA", "Modified Availability", "N, L, H or X"),
            ] {
                let (m, at, help) = error(&format!("{base}/{name}:Z"));
                assert_eq!(
                    m,
                    format!("`{name}:Z`: `Z` is not a value of {title} ({name})")
                );
                assert_eq!(at, "Z", "{name}");
                assert_eq!(help, format!("{title} ({name}) takes {values}"));
                // Before the base metric too: the first bad part is the one reported.
                let (m, _, _) = error(&format!(
                    "CVSS:{version}/{name}:Z/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
                ));
                assert!(m.starts_with(&format!("`{name}:Z`")), "{m}");
            }
            let v = Version::from_prefix(version).unwrap();
            assert_bad_environmental_values_are_located(v, &base);
        }
        // A bad base value next to a valid modified one is still the base value's error.
        let (m, at, help) = error("CVSS:3.1/AV:Z/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H/MAV:N");
        assert_eq!(m, "`AV:Z`: `Z` is not a value of Attack Vector (AV)");
        assert_eq!(
            (at.as_str(), help.as_str()),
            ("Z", "Attack Vector (AV) takes N, A, L or P")
        );
        assert_bad_environmental_values_are_located(
            Version::V4_0,
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        );
        assert_bad_environmental_values_are_located(Version::V2_0, "AV:N/AC:L/Au:N/C:P/I:P/A:P");
    }

    #[test]
    fn the_metric_lists_agree_with_the_crate() {
        for version in [Version::V2_0, Version::V3_0, Version::V3_1, Version::V4_0] {
            for name in version.metrics() {
                assert_ne!(version.describe(name), "metric", "{name} in {version:?}");
            }
        }
    }

    #[test]
    fn malformed_vectors_name_the_bad_part() {
        // Wrong or missing prefix.
        let (m, at, _) = error("");
        assert_eq!((m.as_str(), at.as_str()), ("the CVSS vector is empty", ""));
        let (m, at, help) = error("high");
        assert_eq!(
            (m.as_str(), at.as_str()),
            ("`high` is not a CVSS vector", "high")
        );
        assert!(help.contains("`CVSS:3.1/`"), "{help}");
        let (m, at, _) = error("CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(
            (m.as_str(), at.as_str()),
            ("CVSS version `3.2` is not supported", "3.2")
        );
        let (m, at, help) = error("cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(m, "`cvss:` is written `CVSS:`");
        assert_eq!(at, "cvss:");
        assert!(help.contains("upper case"));
        let (m, _, _) = error("CVSS:3.1");
        assert_eq!(m, "no metrics after `CVSS:3.1`");
        let (m, at, _) = error(" CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(
            (m.as_str(), at.as_str()),
            ("space around the CVSS vector", " ")
        );
        let (_, at, _) = error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H \n");
        assert_eq!(at, " \n");
        // A bad value: located at the value, the help names the valid ones.
        let (m, at, help) = error("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(m, "`AV:X`: `X` is not a value of Attack Vector (AV)");
        assert_eq!(at, "X");
        assert_eq!(help, "Attack Vector (AV) takes N, A, L or P");
        let (m, at, help) = error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:HH");
        assert!(m.contains("not a value of Availability Impact (A)"), "{m}");
        assert_eq!(at, "HH");
        assert_eq!(help, "Availability Impact (A) takes N, L or H");
        let (_, at, help) = error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Q");
        assert_eq!(at, "Q");
        assert_eq!(help, "Exploit Code Maturity (E) takes P, H, U, F or X");
        let (_, at, help) =
            error("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:Blue");
        assert_eq!(at, "Blue");
        assert!(
            help.ends_with("takes Clear, Green, Amber, Red or X"),
            "{help}"
        );
        // Lower-case values and names.
        let (m, at, help) = error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:h");
        assert_eq!(m, "`A:h`: metric values are case-sensitive");
        assert_eq!((at.as_str(), help.as_str()), ("h", "write `A:H`"));
        let (m, at, help) =
            error("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:red");
        assert_eq!(m, "`U:red`: metric values are case-sensitive");
        assert_eq!((at.as_str(), help.as_str()), ("red", "write `U:Red`"));
        let (m, at, help) = error("CVSS:3.1/av:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(m, "unknown metric `av`: metric names are case-sensitive");
        assert_eq!((at.as_str(), help.as_str()), ("av", "write `AV`"));
        // Unknown metrics, with a suggestion when one is close.
        let (m, at, help) = error("CVSS:3.1/XX:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(m, "unknown metric `XX` in a CVSS 3.1 vector");
        assert_eq!(at, "XX");
        assert!(help.starts_with("the metrics of CVSS 3.1 are base AV, AC, PR, UI, S, C, I, A; temporal E, RL, RC; environmental CR,"), "{help}");
        let (_, at, help) = error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MAVV:N");
        assert_eq!(at, "MAVV");
        assert!(help.starts_with("did you mean `MAV`?"), "{help}");
        // CVSS 4.0 metrics in a 3.1 vector are unknown there.
        let (m, _, _) = error("CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(m, "unknown metric `AT` in a CVSS 3.1 vector");
        // Duplicate metrics: at the second.
        let (m, at, _) = error("CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(m, "metric `AV` is given twice");
        assert_eq!(at, "AV:L");
        let (m, at, _) = error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/E:P");
        assert_eq!(
            (m.as_str(), at.as_str()),
            ("metric `E` is given twice", "E:P")
        );
        // Missing base metrics: the whole vector, every missing one named.
        let (m, at, help) = error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H");
        assert_eq!(m, "missing base metric A (Availability Impact)");
        assert_eq!(at, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H");
        assert!(help.contains("AV, AC, PR, UI, S, C, I, A"), "{help}");
        let (m, _, _) = error("CVSS:3.1/AV:N/AC:L/E:P");
        assert!(
            m.starts_with("missing base metrics PR (Privileges Required), UI"),
            "{m}"
        );
        let (m, _, _) = error("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N");
        assert!(
            m.contains("SA (Availability Impact to the Subsequent System)"),
            "{m}"
        );
        // CVSS 4.0 fixes the order; CVSS 3.x does not (tested above).
        let (m, at, help) =
            error("CVSS:4.0/AV:N/AC:L/PR:N/AT:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
        assert_eq!(m, "metric `AT` is out of order");
        assert_eq!(at, "AT:N");
        assert!(help.contains("`AT` comes before `PR`"), "{help}");
        let (m, at, _) =
            error("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:Red/E:A");
        assert_eq!(
            (m.as_str(), at.as_str()),
            ("metric `E` is out of order", "E:A")
        );
        // Empty parts and parts that are not NAME:VALUE.
        let (m, at, help) = error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/");
        assert!(m.starts_with("empty metric"), "{m}");
        assert_eq!((at.as_str(), help.as_str()), ("/", "remove the extra `/`"));
        let (m, at, _) = error("CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert!(m.starts_with("empty metric"), "{m}");
        assert_eq!(at, "/");
        let (m, at, _) = error("CVSS:3.1/AVN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!((m.as_str(), at.as_str()), ("`AVN` is not a metric", "AVN"));
        let (m, at, _) = error("CVSS:3.1/AV:N:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(
            (m.as_str(), at.as_str()),
            ("`AV:N:L` is not a metric", "AV:N:L")
        );
        let (m, _, _) = error("CVSS:3.1/AV:/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(m, "`AV:` is not a metric");
        // Non-ASCII text is located on character boundaries.
        let (_, at, _) = error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Hé");
        assert_eq!(at, "Hé");
    }
}
