//! Projections of a block of Monte Carlo draws at once, for scenarios of the common shapes.
//!
//! [`super::project_into`] projects one draw: for each metric it builds the knots, moves
//! the curve through them and evaluates it year by year, a few hundred instructions of
//! bookkeeping around the arithmetic of a nine-year path. When every metric is linear,
//! `cagr` or a sum and no drawn input moves a knot's year (a programme start), the years'
//! positions on the knots are the same in every draw, so a block of draws can be
//! projected a year at a time across the draws instead: each value is the same arithmetic
//! on the same numbers as [`super::project_into`]'s, so the same bits (its tests compare
//! the two on every such shape, pre-start growth and input), and each year's
//! exponentials are taken for the whole block in one call.
//!
//! A block in which any draw is one [`super::project_into`] would refuse (a value a shape
//! cannot take, a path that overflows, a ratio over 0) is not projected here at all: the
//! caller projects it draw by draw, which says what went wrong and where.

use std::ops::Range;

use super::shape::{CurveKind, year_positions};
use super::{Inputs, first_not_finite};
use crate::scenario::{InputTarget, PreStartGrowth, Scenario, Series, Shape};
use crate::stats::exp;

/// Where one of a metric's numbers comes from in a block of draws.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    /// The same number in every draw (the file's, or a variant's).
    Fixed(f64),
    /// Column `c` of the drawn inputs.
    Drawn(usize),
}

/// Growth before a metric's programme start.
#[derive(Debug, Clone, Copy, PartialEq)]
enum PreStart {
    /// No programme start: the curve begins at the baseline.
    None,
    /// A constant annual rate.
    Rate(Source),
    /// The year-on-year growth of metric `j` (an earlier one).
    Follow(usize),
}

/// A linear or `cagr` metric: its knots and where the years fall on them.
#[derive(Debug, Clone)]
struct CurveMetric {
    kind: CurveKind,
    baseline: Source,
    pre: PreStart,
    /// The programme start year, or the baseline year without one: the first knot's.
    first_year: i32,
    /// The values of the knots after the first: the milestones, then the target if given.
    later: Vec<Source>,
    /// Years before the first knot's, which follow the pre-start growth.
    from: usize,
    /// Per year from `from` on: segment and fraction on the knots.
    positions: Vec<(usize, f64)>,
}

/// How one metric's path is made.
#[derive(Debug, Clone)]
enum MetricPath {
    Curve(CurveMetric),
    /// The sum of these metrics (earlier ones), year by year.
    Sum(Vec<usize>),
}

/// A scenario's projection for blocks of draws, and the values of the last block.
#[derive(Debug, Clone)]
pub struct Batch {
    y0: i32,
    years: usize,
    metrics: Vec<MetricPath>,
    /// (numerator, denominator) per ratio.
    ratios: Vec<(usize, usize)>,
    /// Draws in the last block.
    len: usize,
    /// Per series (every metric, then every ratio), per year, the last block's values.
    paths: Vec<f64>,
    /// Per knot of the metric in hand, per draw: the value given and its transform.
    given: Vec<f64>,
    forward: Vec<f64>,
}

impl Batch {
    /// The batch projection of `scenario` when its drawn inputs are `targets` (one per
    /// column, in order; a later one of the same number wins, as applied in turn), or
    /// `None` when a metric or an input is outside what it covers: a shape other than
    /// linear, `cagr` or a sum, a fitted metric, a drawn programme start, cap or fit
    /// position, or knots that no curve passes through (which every draw would refuse).
    pub fn new(scenario: &Scenario, targets: &[InputTarget]) -> Option<Batch> {
        let y0 = scenario.baseline_year;
        let years = scenario.years().count();
        let base = Inputs::base(scenario);
        let mut metrics = Vec::with_capacity(scenario.metrics.len());
        for (i, (metric, numbers)) in scenario.metrics.iter().zip(&base.metrics).enumerate() {
            // The last input for each number wins, as `apply` in turn would leave it.
            let drawn = |wanted: InputTarget| targets.iter().rposition(|&t| t == wanted);
            let source = |wanted: InputTarget, fixed: f64| {
                drawn(wanted).map_or(Source::Fixed(fixed), Source::Drawn)
            };
            if metric.fit.is_some()
                || drawn(InputTarget::StartYear(i)).is_some()
                || drawn(InputTarget::Cap(i)).is_some()
                || drawn(InputTarget::Fit(i)).is_some()
            {
                return None;
            }
            let kind = match &metric.shape {
                Shape::Linear => CurveKind::Linear,
                Shape::Cagr => CurveKind::Cagr,
                Shape::Sum { segments, .. } => {
                    if segments.iter().any(|&j| j >= i) {
                        return None;
                    }
                    metrics.push(MetricPath::Sum(segments.clone()));
                    continue;
                }
                _ => return None,
            };
            let growth = match (drawn(InputTarget::GrowthRate(i)), numbers.growth_rate) {
                (Some(c), _) => Some(Source::Drawn(c)),
                (None, g) => g.map(Source::Fixed),
            };
            let pre = match (numbers.start_year, growth) {
                (None, _) => PreStart::None,
                (Some(_), Some(g)) => PreStart::Rate(g),
                (Some(_), None) => match metric.start.as_ref().map(|s| &s.growth) {
                    Some(PreStartGrowth::Follow(j)) if *j < i => PreStart::Follow(*j),
                    _ => return None,
                },
            };
            let first_year = numbers.start_year.unwrap_or(y0);
            let from = usize::try_from(i64::from(first_year) - i64::from(y0))
                .unwrap_or(0)
                .min(years);
            if matches!(pre, PreStart::Follow(_)) && !(first_year >= y0 && from < years) {
                // The followed path has no value in the start year.
                return None;
            }
            let milestones = metric.milestones.len().min(numbers.milestones.len());
            let mut times = vec![f64::from(first_year)];
            let mut later = Vec::new();
            for (k, point) in metric.milestones.iter().take(milestones).enumerate() {
                times.push(f64::from(point.year));
                later.push(source(InputTarget::Milestone(i, k), numbers.milestones[k]));
            }
            if metric.target_given {
                times.push(f64::from(metric.target.year));
                later.push(source(InputTarget::Target(i), numbers.target));
            }
            let increasing =
                |w: &[f64]| w[1].partial_cmp(&w[0]) == Some(std::cmp::Ordering::Greater);
            if times.len() < 2 || !times.windows(2).all(increasing) {
                return None;
            }
            metrics.push(MetricPath::Curve(CurveMetric {
                kind,
                baseline: source(InputTarget::Baseline(i), numbers.baseline),
                pre,
                first_year,
                later,
                from,
                positions: year_positions(&times, first_year.max(y0), years - from),
            }));
        }
        Some(Batch {
            y0,
            years,
            metrics,
            ratios: scenario
                .ratios
                .iter()
                .map(|r| (r.numerator, r.denominator))
                .collect(),
            len: 0,
            paths: Vec::new(),
            given: Vec::new(),
            forward: Vec::new(),
        })
    }

    /// Projects the draws `draws` of the input columns `columns` (one per target given to
    /// [`Batch::new`]): true, and [`Batch::values`] holds their paths, when every draw's
    /// projection is one [`super::project_into`] makes; false when any draw is one it
    /// would refuse (then the values are meaningless).
    pub fn project(&mut self, columns: &[Vec<f64>], draws: Range<usize>) -> bool {
        let len = draws.len();
        let years = self.years;
        self.len = len;
        self.paths
            .resize((self.metrics.len() + self.ratios.len()) * years * len, 0.0);
        let row_of = |series: usize, year: usize| (series * years + year) * len;
        let take = |src: Source, row: &mut [f64]| match src {
            Source::Fixed(v) => row.fill(v),
            Source::Drawn(c) => row.copy_from_slice(&columns[c][draws.clone()]),
        };
        for (i, metric) in self.metrics.iter().enumerate() {
            // Earlier metrics' paths (followed, summed) and this one's.
            let (done, rest) = self.paths.split_at_mut(row_of(i, 0));
            let out = &mut rest[..years * len];
            let m = match metric {
                MetricPath::Sum(segments) => {
                    for (y, row) in out.chunks_exact_mut(len).enumerate() {
                        for (d, slot) in row.iter_mut().enumerate() {
                            *slot = segments.iter().map(|&j| done[row_of(j, y) + d]).sum();
                        }
                    }
                    if first_not_finite(out).is_some() {
                        return false;
                    }
                    continue;
                }
                MetricPath::Curve(m) => m,
            };
            let knots = 1 + m.later.len();
            self.given.resize(knots * len, 0.0);
            self.forward.resize(knots * len, 0.0);
            // The baseline in the first knot's row for now.
            let (first, later) = self.given.split_at_mut(len);
            take(m.baseline, first);
            for (row, &src) in later.chunks_exact_mut(len).zip(&m.later) {
                take(src, row);
            }
            // Values before the programme start, and the first knot's (`metric_path`'s
            // `pre_start`, draw by draw).
            let y0 = self.y0;
            match m.pre {
                PreStart::None => {}
                PreStart::Rate(g) => {
                    let rate = |d: usize| match g {
                        Source::Fixed(g) => g,
                        Source::Drawn(c) => columns[c][draws.start + d],
                    };
                    for (slot, row) in out[..m.from * len].chunks_exact_mut(len).enumerate() {
                        for (d, x) in row.iter_mut().enumerate() {
                            *x = first[d] * (1.0 + rate(d)).powi(slot as i32);
                        }
                    }
                    for (d, v0) in first.iter_mut().enumerate() {
                        *v0 *= (1.0 + rate(d)).powi(m.first_year - y0);
                    }
                }
                PreStart::Follow(j) => {
                    let at = |y: usize, d: usize| done[row_of(j, y) + d];
                    if (0..len).any(|d| at(0, d) == 0.0 || !at(0, d).is_finite()) {
                        return false;
                    }
                    for (slot, row) in out[..m.from * len].chunks_exact_mut(len).enumerate() {
                        for (d, x) in row.iter_mut().enumerate() {
                            *x = first[d] * at(slot, d) / at(0, d);
                        }
                    }
                    let start = (m.first_year - y0) as usize;
                    for (d, v0) in first.iter_mut().enumerate() {
                        *v0 = *v0 * at(start, d) / at(0, d);
                    }
                }
            }
            // Every knot's value must be one the shape takes (`Curve::set`); then its
            // transform, once for a knot the same in every draw.
            if !self.given.iter().all(|&v| m.kind.admits(v)) {
                return false;
            }
            for (g, f) in self
                .given
                .chunks_exact(len)
                .zip(self.forward.chunks_exact_mut(len))
            {
                if m.kind == CurveKind::Linear {
                    f.copy_from_slice(g);
                } else if g.iter().all(|v| v.to_bits() == g[0].to_bits()) {
                    f.fill(m.kind.forward(g[0]));
                } else {
                    for (f, &g) in f.iter_mut().zip(g) {
                        *f = m.kind.forward(g);
                    }
                }
            }
            // The curve's years (`Curve::values_at`): a knot's given value where a year
            // is at it, else the line between the transformed knots, back through `g⁻¹`.
            let rows = out[m.from * len..].chunks_exact_mut(len);
            for (row, &(k, s)) in rows.zip(&m.positions) {
                if s == 0.0 || s == 1.0 {
                    let knot = k + usize::from(s == 1.0);
                    row.copy_from_slice(&self.given[knot * len..][..len]);
                    continue;
                }
                let (g0, g1) = (
                    &self.forward[k * len..][..len],
                    &self.forward[(k + 1) * len..],
                );
                for ((x, &y0), &y1) in row.iter_mut().zip(g0).zip(g1) {
                    *x = y0 + (y1 - y0) * s;
                }
                if m.kind == CurveKind::Cagr {
                    exp::exp_all(row);
                }
            }
            if first_not_finite(out).is_some() {
                return false;
            }
        }
        let metrics = self.metrics.len();
        for (r, &(a, b)) in self.ratios.iter().enumerate() {
            let (done, rest) = self.paths.split_at_mut(row_of(metrics + r, 0));
            let out = &mut rest[..years * len];
            let (num, den) = (&done[row_of(a, 0)..][..years * len], &done[row_of(b, 0)..]);
            for ((x, &a), &b) in out.iter_mut().zip(num).zip(den) {
                *x = a / b;
            }
            if first_not_finite(out).is_some() {
                return false;
            }
        }
        true
    }

    /// The last block's values of `series` in year index `year`, one per draw.
    pub fn values(&self, series: Series, year: usize) -> &[f64] {
        let index = match series {
            Series::Metric(i) => i,
            Series::Ratio(r) => self.metrics.len() + r,
        };
        &self.paths[(index * self.years + year) * self.len..][..self.len]
    }

    /// Writes draw `draw` of the last block into `out` (made by
    /// [`super::Projection::empty`] for the same scenario).
    pub fn projection_of(&self, draw: usize, out: &mut super::Projection) {
        let metrics = (0..out.metrics.len()).map(Series::Metric);
        let ratios = (0..out.ratios.len()).map(Series::Ratio);
        let paths = out.metrics.iter_mut().chain(out.ratios.iter_mut());
        for (path, series) in paths.zip(metrics.chain(ratios)) {
            for (y, x) in path.iter_mut().enumerate() {
                *x = self.values(series, y)[draw];
            }
        }
    }
}
