//! The scenario file as serde sees it: one struct per TOML table, unknown keys rejected.
//!
//! These structs mirror the file exactly; `validate.rs` turns them into the public
//! [`super::Scenario`]. Keeping the two apart lets serde report syntax-level problems (wrong
//! type, missing key, typo) and validation report meaning-level ones (years out of order,
//! infeasible caps) with the same file, line, column and key.

use indexmap::IndexMap;
use serde::Deserialize;

use super::{Lang, RatioKind};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub unit: String,
    #[serde(default)]
    pub lang: Lang,
    pub baseline_year: i32,
    pub target_year: i32,
    #[serde(default)]
    pub sources: IndexMap<String, String>,
    pub metrics: IndexMap<String, RawMetric>,
    #[serde(default)]
    pub ratios: IndexMap<String, RawRatio>,
    pub uncertainty: Option<RawUncertainty>,
    #[serde(default)]
    pub checks: Vec<RawCheck>,
    /// The file this one extends (already merged in by the loader).
    #[allow(dead_code)]
    pub extends: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCheck {
    pub name: String,
    pub check: String,
    pub why: Option<String>,
    pub skip: Option<IndexMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUncertainty {
    pub draws: Option<u64>,
    pub seed: Option<u64>,
    pub sampling: Option<SamplingName>,
    pub output: Option<String>,
    pub outputs: Option<Vec<String>>,
    pub swing: Option<Vec<f64>>,
    #[serde(default)]
    pub inputs: IndexMap<String, RawInput>,
    pub correlation: Option<RawCorrelation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum SamplingName {
    Random,
    Lhs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum DistName {
    Uniform,
    Triangular,
    Pert,
    Normal,
    Lognormal,
}

/// One uncertain input: the distribution's parameters are all optional here so that
/// validation can say precisely which one is missing or does not belong.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInput {
    pub label: Option<String>,
    pub dist: Option<DistName>,
    pub min: Option<f64>,
    pub mode: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub relative: Option<bool>,
    pub truncate: Option<Vec<f64>>,
    pub plus_minus: Option<f64>,
    pub source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCorrelation {
    pub inputs: Vec<String>,
    pub matrix: Vec<Vec<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMetric {
    pub label: Option<String>,
    pub unit: Option<String>,
    pub shape: Option<ShapeName>,
    pub segments: Option<Vec<String>>,
    pub tolerance: Option<f64>,
    pub cap: Option<f64>,
    pub baseline: Option<RawFigure>,
    pub target: Option<RawFigure>,
    #[serde(default)]
    pub milestones: Vec<RawPoint>,
    pub start_year: Option<i32>,
    pub baseline_growth: Option<RawGrowth>,
    #[serde(default)]
    pub stated: Vec<RawStated>,
    #[serde(default)]
    pub observed: Vec<RawPoint>,
    pub fit: Option<RawFit>,
}

/// `fit = { anchor = "baseline", band = "prediction" }` (or `fit = true`): fit the shape
/// to the observed values by least squares.
#[derive(Debug, Default)]
pub(super) struct RawFit {
    pub anchor: Option<AnchorName>,
    pub band: Option<BandName>,
}

/// The fields of a `fit` table, for serde.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFitTable {
    anchor: Option<AnchorName>,
    band: Option<BandName>,
}

impl<'de> Deserialize<'de> for RawFit {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawFit;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`true` or a table such as `{ anchor = \"baseline\" }`")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<RawFit, E> {
                if v {
                    Ok(RawFit::default())
                } else {
                    Err(E::custom(
                        "`fit = false` is the same as no `fit`: leave the key out",
                    ))
                }
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawFit, A::Error> {
                let table =
                    RawFitTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(RawFit {
                    anchor: table.anchor,
                    band: table.band,
                })
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Which given point a fitted curve must pass through exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum AnchorName {
    Baseline,
    Target,
}

/// Which band a fit's uncertainty follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum BandName {
    Prediction,
    Confidence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum ShapeName {
    Linear,
    Cagr,
    Logistic,
    Gompertz,
    Pchip,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFigure {
    pub value: f64,
    pub source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPoint {
    pub year: i32,
    pub value: f64,
    pub source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStated {
    pub year: i32,
    pub value: f64,
    pub tolerance: f64,
    pub source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRatio {
    pub label: Option<String>,
    pub numerator: String,
    pub denominator: String,
    #[serde(default)]
    pub kind: RatioKind,
    #[serde(default)]
    pub stated: Vec<RawStated>,
}

/// `baseline_growth`: a number (annual rate) or the name of a metric to follow.
///
/// Written by hand rather than `#[serde(untagged)]` so that a wrong value gets a precise
/// message instead of "data did not match any variant".
#[derive(Debug)]
pub(super) enum RawGrowth {
    Rate(f64),
    Follow(String),
}

impl<'de> Deserialize<'de> for RawGrowth {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = RawGrowth;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an annual growth rate (0.05 for 5%) or the name of a metric to follow")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<RawGrowth, E> {
                Ok(RawGrowth::Rate(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawGrowth, E> {
                Ok(RawGrowth::Rate(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawGrowth, E> {
                Ok(RawGrowth::Rate(v as f64))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawGrowth, E> {
                Ok(RawGrowth::Follow(v.to_owned()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}
