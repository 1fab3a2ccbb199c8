//! The deterministic projection: a validated [`Scenario`] in, year-by-year paths out.
//!
//! Nothing here prints or touches files; results are plain data for the export and plot
//! modules.

pub mod shape;

use crate::format::significant;
use crate::scenario::{Metric, PreStartGrowth, RatioKind, Scenario, Shape, Stated};
use shape::{Curve, CurveError, CurveKind};

/// Year-by-year values of every metric and ratio of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// The years, baseline to target inclusive.
    pub years: Vec<i32>,
    /// One path per metric, in the order of [`Scenario::metrics`].
    pub metrics: Vec<Vec<f64>>,
    /// One path per ratio, in the order of [`Scenario::ratios`].
    pub ratios: Vec<Vec<f64>>,
}

/// Why a scenario could not be projected, with the key it is about
/// (e.g. `["metrics", "sales", "baseline_growth"]`).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelError {
    /// Key path in the scenario file.
    pub key: Vec<String>,
    /// What went wrong.
    pub message: String,
}

impl ModelError {
    fn new(key: &[&str], message: String) -> ModelError {
        ModelError {
            key: key.iter().map(|k| (*k).to_owned()).collect(),
            message,
        }
    }
}

/// Projects every metric and ratio of `scenario` from baseline to target year.
pub fn project(scenario: &Scenario) -> Result<Projection, ModelError> {
    let years: Vec<i32> = scenario.years().collect();
    let mut metrics: Vec<Vec<f64>> = Vec::with_capacity(scenario.metrics.len());
    for metric in &scenario.metrics {
        // Validation sorts metrics so that a followed metric is already projected.
        let followed = match metric.start.as_ref().map(|s| &s.growth) {
            Some(PreStartGrowth::Follow(i)) => metrics.get(*i).map(Vec::as_slice),
            _ => None,
        };
        metrics.push(metric_path(metric, &years, followed)?);
    }
    let mut ratios = Vec::with_capacity(scenario.ratios.len());
    for ratio in &scenario.ratios {
        let num = &metrics[ratio.numerator];
        let den = &metrics[ratio.denominator];
        let mut path = Vec::with_capacity(years.len());
        for (i, year) in years.iter().enumerate() {
            if den[i] == 0.0 {
                return Err(ModelError::new(
                    &["ratios", &ratio.name, "denominator"],
                    format!(
                        "{} is 0 in {year}, so {} = {} / {} is undefined there",
                        scenario.metrics[ratio.denominator].name,
                        ratio.name,
                        scenario.metrics[ratio.numerator].name,
                        scenario.metrics[ratio.denominator].name
                    ),
                ));
            }
            path.push(num[i] / den[i]);
        }
        ratios.push(path);
    }
    Ok(Projection {
        years,
        metrics,
        ratios,
    })
}

/// The path of one metric over `years`.
///
/// `followed` is the path of the metric whose growth this one follows before its programme
/// start, if it follows one.
pub fn metric_path(
    metric: &Metric,
    years: &[i32],
    followed: Option<&[f64]>,
) -> Result<Vec<f64>, ModelError> {
    let name = metric.name.as_str();
    let y0 = metric.baseline.year;
    let v0 = metric.baseline.value;
    let pre_start = |year: i32| -> Result<f64, ModelError> {
        let Some(start) = &metric.start else {
            return Ok(v0);
        };
        match start.growth {
            PreStartGrowth::Rate(g) => Ok(v0 * (1.0 + g).powi(year - y0)),
            PreStartGrowth::Follow(_) => {
                let f = followed.unwrap_or(&[]);
                let at = |y: i32| f.get((y - years[0]) as usize).copied().unwrap_or(f64::NAN);
                let base = at(y0);
                if base == 0.0 || !base.is_finite() {
                    return Err(ModelError::new(
                        &["metrics", name, "baseline_growth"],
                        format!(
                            "the followed metric is {base} in the baseline year {y0}, so its growth is undefined"
                        ),
                    ));
                }
                Ok(v0 * at(year) / base)
            }
        }
    };

    let kind = match metric.shape {
        Shape::Linear => CurveKind::Linear,
        Shape::Cagr => CurveKind::Cagr,
        Shape::Logistic { cap } => CurveKind::Logistic(cap),
        Shape::Gompertz { cap } => CurveKind::Gompertz(cap),
        Shape::Pchip => CurveKind::Pchip,
    };
    let first_year = metric.start.as_ref().map_or(y0, |s| s.year);
    let first_value = pre_start(first_year)?;
    let mut knots = Vec::with_capacity(metric.milestones.len() + 2);
    knots.push((f64::from(first_year), first_value));
    knots.extend(
        metric
            .milestones
            .iter()
            .map(|p| (f64::from(p.year), p.value)),
    );
    knots.push((f64::from(metric.target.year), metric.target.value));

    let curve = Curve::new(kind, &knots).map_err(|e| match e {
        CurveError::OutOfDomain(0, v) if metric.start.is_some() => ModelError::new(
            &["metrics", name, "baseline_growth"],
            format!(
                "growing from the baseline, {name} reaches {} at the start year {first_year}, which the {} shape cannot pass through{}",
                significant(v),
                metric.shape.name(),
                domain_hint(metric.shape)
            ),
        ),
        CurveError::OutOfDomain(i, v) => ModelError::new(
            &["metrics", name],
            format!(
                "point {i} ({v}) is outside what the {} shape can pass through{}",
                metric.shape.name(),
                domain_hint(metric.shape)
            ),
        ),
        CurveError::BadKnots => ModelError::new(
            &["metrics", name, "milestones"],
            "milestone years must lie strictly between the start and the target year".into(),
        ),
    })?;

    let mut path = Vec::with_capacity(years.len());
    for &year in years {
        let v = if year < first_year {
            pre_start(year)?
        } else {
            curve.value(f64::from(year))
        };
        if !v.is_finite() {
            return Err(ModelError::new(
                &["metrics", name],
                format!(
                    "the path of {name} overflows to {v} in {year}; check its values and growth"
                ),
            ));
        }
        path.push(v);
    }
    Ok(path)
}

fn domain_hint(shape: Shape) -> String {
    match shape {
        Shape::Cagr => " (compound growth needs values above 0)".into(),
        Shape::Logistic { cap } | Shape::Gompertz { cap } => {
            format!(" (values must lie between 0 and the cap {cap})")
        }
        Shape::Linear | Shape::Pchip => String::new(),
    }
}

/// What a stated figure is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesKind {
    /// A metric, in the scenario's unit.
    Metric,
    /// A ratio of the given kind.
    Ratio(RatioKind),
}

/// A stated figure next to the value kjproj derives for the same series and year.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Name of the metric or ratio.
    pub series: String,
    /// Metric or ratio (and which kind of ratio).
    pub kind: SeriesKind,
    /// The year compared.
    pub year: i32,
    /// The figure as stated by its source.
    pub stated: f64,
    /// The figure as derived from the scenario's inputs.
    pub derived: f64,
    /// The allowed absolute difference.
    pub tolerance: f64,
    /// Source key of the stated figure.
    pub source: Option<String>,
    /// For ratios, how the derived value comes about: "sales / market = 9.4 / 160".
    pub derivation: Option<String>,
}

impl Comparison {
    /// Absolute difference, derived minus stated.
    pub fn difference(&self) -> f64 {
        self.derived - self.stated
    }

    /// Whether the stated figure agrees with the derived one within the tolerance.
    ///
    /// A tiny relative slack absorbs floating-point noise, so that 52 / 350 stated as
    /// 0.148571... with tolerance 0 still agrees.
    pub fn within_tolerance(&self) -> bool {
        let slack = 1e-12 * self.stated.abs().max(self.derived.abs());
        self.difference().abs() <= self.tolerance + slack
    }

    /// Whether the two figures differ at all (beyond floating-point noise).
    pub fn differs(&self) -> bool {
        let slack = 1e-12 * self.stated.abs().max(self.derived.abs());
        self.difference().abs() > slack
    }
}

/// Every stated figure of `scenario` compared with its derived value, in file order.
pub fn comparisons(scenario: &Scenario, projection: &Projection) -> Vec<Comparison> {
    let index = |year: i32| (year - scenario.baseline_year) as usize;
    let make = |name: &str, kind: SeriesKind, s: &Stated, path: &[f64], derivation| Comparison {
        series: name.to_owned(),
        kind,
        year: s.year,
        stated: s.value,
        derived: path[index(s.year)],
        tolerance: s.tolerance,
        source: s.source.clone(),
        derivation,
    };
    let mut out = Vec::new();
    for (m, path) in scenario.metrics.iter().zip(&projection.metrics) {
        for s in &m.stated {
            out.push(make(&m.name, SeriesKind::Metric, s, path, None));
        }
    }
    for (r, path) in scenario.ratios.iter().zip(&projection.ratios) {
        let (num, den) = (
            &scenario.metrics[r.numerator],
            &scenario.metrics[r.denominator],
        );
        for s in &r.stated {
            let i = index(s.year);
            let derivation = format!(
                "{} / {} = {} / {}",
                num.name,
                den.name,
                projection.metrics[r.numerator][i],
                projection.metrics[r.denominator][i]
            );
            out.push(make(
                &r.name,
                SeriesKind::Ratio(r.kind),
                s,
                path,
                Some(derivation),
            ));
        }
    }
    out
}
