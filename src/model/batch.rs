//! Projections of a block of Monte Carlo draws at once, for scenarios of the common shapes.
//!
//! [`super::project_into`] projects one draw: for each metric it builds the knots, moves
//! the curve through them and evaluates it year by year, a few hundred instructions of
//! bookkeeping around the arithmetic of a nine-year path. When every metric is linear,
//! `cagr` or a sum, the years' positions on a metric's knots are the same in every draw
//! with the same programme start (a drawn start is rounded to a whole year, so a block
//! has a few), so the draws of each start year can be projected a year at a time across
//! the draws instead: each value is the same arithmetic on the same numbers as
//! [`super::project_into`]'s, so the same bits (its tests compare the two for every such
//! shape, pre-start growth and drawn input, fine_chem among them), and each year's
//! exponentials are taken for the draws together in one call.
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

/// A metric's programme start year, or the baseline year without one.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Start {
    /// The same in every draw.
    Fixed(i32),
    /// Column `c` of the drawn inputs, rounded to a whole year (as `apply` does).
    Drawn(usize),
}

/// Where the years fall on a metric's knots when its curve begins in `first_year`.
#[derive(Debug, Clone)]
struct Layout {
    first_year: i32,
    /// Years before the first knot's, which follow the pre-start growth.
    from: usize,
    /// Per year from `from` on: segment and fraction on the knots.
    positions: Vec<(usize, f64)>,
}

/// Start years a metric's layouts are kept for, and the most a block may have: a block
/// whose draws start in more, or in a year beyond the layouts kept, is refused (and so
/// projected draw by draw by the caller).
const LAYOUTS: usize = 16;

/// A linear or `cagr` metric: its knots and where the years fall on them.
#[derive(Debug, Clone)]
struct CurveMetric {
    kind: CurveKind,
    baseline: Source,
    pre: PreStart,
    start: Start,
    /// The years and values of the knots after the first: the milestones, then the
    /// target if given.
    later_times: Vec<f64>,
    later: Vec<Source>,
    /// The layouts of the start years met so far (one for a fixed start).
    layouts: Vec<Layout>,
}

impl CurveMetric {
    /// The index of the layout of the curve beginning in `first_year`, found or made;
    /// `None` when no curve passes through knots beginning then (every draw with that
    /// start would be refused) or [`LAYOUTS`] are kept already.
    fn layout(&mut self, first_year: i32, y0: i32, years: usize) -> Option<usize> {
        if let Some(i) = self.layouts.iter().position(|l| l.first_year == first_year) {
            return Some(i);
        }
        // As `metric_path` places them.
        let from = usize::try_from(i64::from(first_year) - i64::from(y0))
            .unwrap_or(0)
            .min(years);
        if matches!(self.pre, PreStart::Follow(_)) && !(first_year >= y0 && from < years) {
            // The followed path has no value in the start year.
            return None;
        }
        let mut times = vec![f64::from(first_year)];
        times.extend_from_slice(&self.later_times);
        let increasing = |w: &[f64]| w[1].partial_cmp(&w[0]) == Some(std::cmp::Ordering::Greater);
        if times.len() < 2 || !times.windows(2).all(increasing) || self.layouts.len() == LAYOUTS {
            return None;
        }
        self.layouts.push(Layout {
            first_year,
            from,
            positions: year_positions(&times, first_year.max(y0), years - from),
        });
        Some(self.layouts.len() - 1)
    }
}

/// How one metric's path is made.
#[derive(Debug, Clone)]
enum MetricPath {
    Curve(CurveMetric),
    /// The sum of these metrics (earlier ones), year by year.
    Sum(Vec<usize>),
}

/// Scratch space for one metric's path over some draws: per knot the values given and
/// their transforms, and the pre-start growth rate.
#[derive(Debug, Clone, Default)]
struct Rows {
    given: Vec<f64>,
    forward: Vec<f64>,
    rate: Vec<f64>,
}

/// Scratch space for the draws of one start year among a block's: each draw's start
/// year, the draws of the year in hand, the followed path and the path for them.
#[derive(Debug, Clone, Default)]
struct Group {
    starts: Vec<i32>,
    draws: Vec<usize>,
    followed: Vec<f64>,
    out: Vec<f64>,
}

/// The most values a draw's paths may have (series × years) for the batch: beyond it
/// the Monte Carlo's blocks are one draw long, and a 1,000-year run at 200,000 draws took
/// 8.8 s batched against 6.7 s draw by draw.
const MAX_VALUES: usize = 256;

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
    rows: Rows,
    group: Group,
}

impl Batch {
    /// The batch projection of `scenario` when its drawn inputs are `targets` (one per
    /// column, in order; a later one of the same number wins, as applied in turn), or
    /// `None` when a metric or an input is outside what it covers: a shape other than
    /// linear, `cagr` or a sum, a fitted metric, a drawn cap or fit position, fixed knots
    /// that no curve passes through (which every draw would refuse), or paths of more
    /// than 256 values a draw.
    pub fn new(scenario: &Scenario, targets: &[InputTarget]) -> Option<Batch> {
        let y0 = scenario.baseline_year;
        let years = scenario.years().count();
        if (scenario.metrics.len() + scenario.ratios.len()) * years > MAX_VALUES {
            return None;
        }
        let base = Inputs::base(scenario);
        let mut metrics = Vec::with_capacity(scenario.metrics.len());
        for (i, (metric, numbers)) in scenario.metrics.iter().zip(&base.metrics).enumerate() {
            // The last input for each number wins, as `apply` in turn would leave it.
            let drawn = |wanted: InputTarget| targets.iter().rposition(|&t| t == wanted);
            let source = |wanted: InputTarget, fixed: f64| {
                drawn(wanted).map_or(Source::Fixed(fixed), Source::Drawn)
            };
            if metric.fit.is_some()
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
            let start = match (drawn(InputTarget::StartYear(i)), numbers.start_year) {
                (Some(c), Some(_)) => Start::Drawn(c),
                (Some(_), None) => return None,
                (None, year) => Start::Fixed(year.unwrap_or(y0)),
            };
            let milestones = metric.milestones.len().min(numbers.milestones.len());
            let (mut later_times, mut later) = (Vec::new(), Vec::new());
            for (k, point) in metric.milestones.iter().take(milestones).enumerate() {
                later_times.push(f64::from(point.year));
                later.push(source(InputTarget::Milestone(i, k), numbers.milestones[k]));
            }
            if metric.target_given {
                later_times.push(f64::from(metric.target.year));
                later.push(source(InputTarget::Target(i), numbers.target));
            }
            let mut curve = CurveMetric {
                kind,
                baseline: source(InputTarget::Baseline(i), numbers.baseline),
                pre,
                start,
                later_times,
                later,
                layouts: Vec::new(),
            };
            if let Start::Fixed(year) = start {
                curve.layout(year, y0, years)?;
            }
            metrics.push(MetricPath::Curve(curve));
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
            rows: Rows::default(),
            group: Group::default(),
        })
    }

    /// Projects the draws `draws` of the input columns `columns` (one per target given to
    /// [`Batch::new`]): true, and [`Batch::values`] holds their paths, when every draw's
    /// projection is one [`super::project_into`] makes; false when any draw is one it
    /// would refuse (then the values are meaningless).
    pub fn project(&mut self, columns: &[Vec<f64>], draws: Range<usize>) -> bool {
        let len = draws.len();
        let (y0, years) = (self.y0, self.years);
        self.len = len;
        if len == 0 {
            return true;
        }
        self.paths
            .resize((self.metrics.len() + self.ratios.len()) * years * len, 0.0);
        let row_of = |series: usize, year: usize| (series * years + year) * len;
        let rows = &mut self.rows;
        for (i, metric) in self.metrics.iter_mut().enumerate() {
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
            let followed = match m.pre {
                PreStart::Follow(j) => &done[row_of(j, 0)..][..years * len],
                _ => &[][..],
            };
            let Start::Drawn(c) = m.start else {
                // One layout for every draw: the rows are the block's.
                fill_rows(m, rows, len, |src, row| match src {
                    Source::Fixed(v) => row.fill(v),
                    Source::Drawn(c) => row.copy_from_slice(&columns[c][draws.clone()]),
                });
                if !curve_rows(m, 0, y0, len, rows, followed, out) {
                    return false;
                }
                continue;
            };
            // The draws of each start year in the block together: their rows gathered
            // from the block's, their path put back in place. Each draw's start year is
            // rounded once (`round` is a call to the C library).
            let group = &mut self.group;
            group.starts.clear();
            group
                .starts
                .extend(columns[c][draws.clone()].iter().map(|x| x.round() as i32));
            let (mut years_met, mut met) = ([0_i32; LAYOUTS], 0);
            for &year in &group.starts {
                if !years_met[..met].contains(&year) {
                    if met == LAYOUTS {
                        return false;
                    }
                    years_met[met] = year;
                    met += 1;
                }
            }
            for &year in &years_met[..met] {
                let Some(layout) = m.layout(year, y0, years) else {
                    return false;
                };
                let Group {
                    starts,
                    draws: picked,
                    followed: gathered,
                    out: path,
                } = &mut *group;
                picked.clear();
                picked.extend((0..len).filter(|&d| starts[d] == year));
                let g = picked.len();
                fill_rows(m, rows, g, |src, row| match src {
                    Source::Fixed(v) => row.fill(v),
                    Source::Drawn(c) => {
                        for (x, &d) in row.iter_mut().zip(&*picked) {
                            *x = columns[c][draws.start + d];
                        }
                    }
                });
                gathered.clear();
                if !followed.is_empty() {
                    for y in 0..years {
                        gathered.extend(picked.iter().map(|&d| followed[y * len + d]));
                    }
                }
                path.resize(years * g, 0.0);
                let ok = curve_rows(m, layout, y0, g, rows, gathered, path);
                for (y, row) in path.chunks_exact(g).enumerate() {
                    for (&x, &d) in row.iter().zip(&*picked) {
                        out[y * len + d] = x;
                    }
                }
                if !ok {
                    return false;
                }
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

    /// The years of every path, from the baseline year.
    pub fn years(&self) -> usize {
        self.years
    }

    /// The draws of the last block.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the last block had no draws.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Writes the path of `series` in draw `draw` of the last block into `out`, one value
    /// per year.
    pub fn path_of(&self, draw: usize, series: Series, out: &mut Vec<f64>) {
        out.clear();
        out.extend((0..self.years).map(|y| self.values(series, y)[draw]));
    }
}

/// Sets `rows` up for `g` draws of metric `m`: the knots' given values (the baseline in
/// the first knot's row for now) and the pre-start growth rate, each from `fill(source,
/// row)`.
fn fill_rows(m: &CurveMetric, rows: &mut Rows, g: usize, mut fill: impl FnMut(Source, &mut [f64])) {
    let knots = 1 + m.later.len();
    rows.given.resize(knots * g, 0.0);
    rows.forward.resize(knots * g, 0.0);
    let (first, later) = rows.given.split_at_mut(g);
    fill(m.baseline, first);
    for (row, &src) in later.chunks_exact_mut(g.max(1)).zip(&m.later) {
        fill(src, row);
    }
    if let PreStart::Rate(rate) = m.pre {
        rows.rate.resize(g, 0.0);
        fill(rate, &mut rows.rate);
    }
}

/// Metric `m`'s path for `g` draws (`rows` set up by [`fill_rows`], `followed` the
/// followed metric's path for them, year-major) with the curve of `layout`, into `out`
/// (year-major): `metric_path`'s arithmetic, draw by draw. False when a draw is one
/// `metric_path` refuses.
fn curve_rows(
    m: &CurveMetric,
    layout: usize,
    y0: i32,
    g: usize,
    rows: &mut Rows,
    followed: &[f64],
    out: &mut [f64],
) -> bool {
    if g == 0 {
        return true;
    }
    let Layout {
        first_year,
        from,
        ref positions,
    } = m.layouts[layout];
    let first = &mut rows.given[..g];
    // Values before the programme start, and the first knot's (`pre_start`).
    match m.pre {
        PreStart::None => {}
        PreStart::Rate(_) => {
            let rate = &rows.rate[..g];
            for (slot, row) in out[..from * g].chunks_exact_mut(g).enumerate() {
                for ((x, &v0), &r) in row.iter_mut().zip(&*first).zip(rate) {
                    *x = v0 * (1.0 + r).powi(slot as i32);
                }
            }
            for (v0, &r) in first.iter_mut().zip(rate) {
                *v0 *= (1.0 + r).powi(first_year - y0);
            }
        }
        PreStart::Follow(_) => {
            let base = &followed[..g];
            if base.iter().any(|&b| b == 0.0 || !b.is_finite()) {
                return false;
            }
            for (slot, row) in out[..from * g].chunks_exact_mut(g).enumerate() {
                let at = &followed[slot * g..][..g];
                for (((x, &v0), &a), &b) in row.iter_mut().zip(&*first).zip(at).zip(base) {
                    *x = v0 * a / b;
                }
            }
            let at = &followed[(first_year - y0) as usize * g..][..g];
            for ((v0, &a), &b) in first.iter_mut().zip(at).zip(base) {
                *v0 = *v0 * a / b;
            }
        }
    }
    // Every knot's value must be one the shape takes (`Curve::set`); then its transform,
    // once for a knot the same in every draw.
    if !rows.given.iter().all(|&v| m.kind.admits(v)) {
        return false;
    }
    for (given, f) in rows
        .given
        .chunks_exact(g)
        .zip(rows.forward.chunks_exact_mut(g))
    {
        if m.kind == CurveKind::Linear {
            f.copy_from_slice(given);
        } else if given.iter().all(|v| v.to_bits() == given[0].to_bits()) {
            f.fill(m.kind.forward(given[0]));
        } else {
            for (f, &v) in f.iter_mut().zip(given) {
                *f = m.kind.forward(v);
            }
        }
    }
    // The curve's years (`Curve::values_at`): a knot's given value where a year is at it,
    // else the line between the transformed knots, back through `g⁻¹`.
    for (row, &(k, s)) in out[from * g..].chunks_exact_mut(g).zip(positions) {
        if s == 0.0 || s == 1.0 {
            let knot = k + usize::from(s == 1.0);
            row.copy_from_slice(&rows.given[knot * g..][..g]);
            continue;
        }
        let (g0, g1) = (&rows.forward[k * g..][..g], &rows.forward[(k + 1) * g..]);
        for ((x, &y0), &y1) in row.iter_mut().zip(g0).zip(g1) {
            *x = y0 + (y1 - y0) * s;
        }
        if m.kind == CurveKind::Cagr {
            exp::exp_all(row);
        }
    }
    first_not_finite(out).is_none()
}
