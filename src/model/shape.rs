//! Growth shapes: curves through given (year, value) points.
//!
//! Four of the five shapes are one idea: a transform `g` under which the shape is a straight
//! line. For linear and `cagr`, the curve between consecutive points is `g⁻¹` of the linear
//! interpolation of `g(value)`, so it passes exactly through every point. The S-curves
//! (logistic, Gompertz) are *one* curve through all their points, as a growth process is:
//! exactly through the first, and with the slope of `g` that fits the others by least
//! squares on the `g` scale (exact through two points; see
//! [`crate::stats::fit::Through`]). Joining segments of different S-curves would put a kink
//! in the growth rate at every milestone.
//!
//! | shape | `g(v)` | curve between points | source |
//! |---|---|---|---|
//! | linear | `v` | `v₀ + (v₁ − v₀)·s` | — |
//! | cagr | `ln v` | `v₀·(v₁/v₀)^s`; rate `(v₁/v₀)^(1/n) − 1` | Excel `RRI(n, pv, fv)` |
//! | logistic | `ln(v / (C − v))` | `C / (1 + e^{−k(t−m)})` | Verhulst (1838); Prophet's saturating growth, Taylor & Letham (2018), eq. 2 |
//! | gompertz | `ln(−ln(v / C))` | `C·exp(−b·e^{−c t})` | Gompertz (1825); Winsor (1932) |
//!
//! where `s = (t − t₀)/(t₁ − t₀)` and `C` is the cap. For the logistic curve,
//! `logit(v/C)` linear in `t` is exactly `C / (1 + e^{−k(t−m)})` with
//! `k = (g(v₁) − g(v₀))/(t₁ − t₀)` and `m = t₀ − g(v₀)/k`; for Gompertz,
//! `ln(−ln(v/C)) = ln b − c·t` is linear in `t`.
//!
//! The fifth, `pchip`, joins all points with a monotone piecewise cubic Hermite curve:
//! Fritsch & Carlson, "Monotone piecewise cubic interpolation", SIAM J. Numer. Anal. 17(2),
//! 1980, with the interior slopes of Fritsch & Butland (1984) and the three-point end
//! slopes of Moler, *Numerical Computing with MATLAB* (2004), §3.4 — the same construction as
//! MATLAB's `pchip` and SciPy's `PchipInterpolator`. It never overshoots: between two points
//! the curve stays between their values, and it is monotone wherever the data are.

use crate::stats::exp;
use crate::stats::fit::{Model, Through};

/// A curve through a set of points, ready to be evaluated at any time between them.
///
/// `Curve::default()` has no points: give it some with [`Curve::set`] before evaluating.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Curve {
    kind: CurveKind,
    /// Knot times, strictly increasing.
    times: Vec<f64>,
    /// Knot values, transformed by `g` for the transform-linear shapes.
    values: Vec<f64>,
    /// Knot values as given, returned exactly at the knot times.
    given: Vec<f64>,
    /// Hermite slopes at the knots (only for PCHIP).
    slopes: Vec<f64>,
    /// The single S-curve (only for logistic and Gompertz).
    s_curve: Through,
}

/// Where runs of consecutive years fall on a [`Curve`]'s knots (segment and fraction of
/// each year), kept by [`Curve::values_at_years`] from one call to the next for the last
/// few sets of knot times (a programme start that a Monte Carlo draw moves between two
/// or three years gives as many sets).
#[derive(Debug, Clone, Default)]
pub struct Positions {
    /// Whether a call has been made: the first computes the values directly and keeps
    /// nothing, so that a one-off projection allocates nothing for positions.
    called: bool,
    sets: Vec<PositionSet>,
    /// The set a new one replaces once there are [`POSITION_SETS`].
    next: usize,
    /// The set the last call used, if it kept one (see [`Curve::values_at_same_years`]).
    last: Option<usize>,
}

/// The positions of the years `first`, `first + 1`, … on knots at `knots`.
#[derive(Debug, Clone)]
struct PositionSet {
    knots: Vec<f64>,
    first: i32,
    at: Placed,
}

/// Where consecutive years fall on a curve's knots, arranged for [`Curve::values_at`]:
/// the fraction of each year along its segment, the runs of years on each segment (years
/// in order fall on segments in order), and the years that fall on a knot exactly, whose
/// values are the knots' given values.
#[derive(Debug, Clone, Default)]
struct Placed {
    /// Per year, the fraction s of the way along its segment.
    fractions: Vec<f64>,
    /// (segment k, first year's slot, slot after the last) per run of years on one
    /// segment, in order.
    runs: Vec<(usize, usize, usize)>,
    /// (slot, knot) per year at a knot's time exactly (s = 0 at knot k, s = 1 at k + 1).
    exact: Vec<(usize, usize)>,
}

impl Placed {
    /// The arrangement of positions (segment, fraction), one per year in order.
    fn new(at: impl Iterator<Item = (usize, f64)>) -> Placed {
        let mut placed = Placed::default();
        for (slot, (k, s)) in at.enumerate() {
            placed.fractions.push(s);
            match placed.runs.last_mut() {
                Some((last, _, end)) if *last == k => *end = slot + 1,
                _ => placed.runs.push((k, slot, slot + 1)),
            }
            if s == 0.0 {
                placed.exact.push((slot, k));
            } else if s == 1.0 {
                placed.exact.push((slot, k + 1));
            }
        }
        placed
    }

    /// Years placed.
    fn len(&self) -> usize {
        self.fractions.len()
    }
}

/// Sets of knot times [`Positions`] keeps.
const POSITION_SETS: usize = 4;

/// How a [`Curve`] joins its points.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum CurveKind {
    /// Straight lines.
    #[default]
    Linear,
    /// Constant compound growth between consecutive points; values must be positive.
    Cagr,
    /// Logistic S-curve with cap `C`; values must lie strictly between 0 and `C`.
    Logistic(f64),
    /// Gompertz curve with cap `C`; values must lie strictly between 0 and `C`.
    Gompertz(f64),
    /// Monotone cubic (PCHIP).
    Pchip,
}

/// Why a curve cannot pass through the given points.
#[derive(Debug, Clone, PartialEq)]
pub enum CurveError {
    /// Fewer than two points, or times not strictly increasing.
    BadKnots,
    /// A value the shape cannot take (index of the point, its value).
    OutOfDomain(usize, f64),
}

impl CurveKind {
    /// Whether `v` is a value this shape can pass through.
    pub fn admits(self, v: f64) -> bool {
        v.is_finite()
            && match self {
                CurveKind::Linear | CurveKind::Pchip => true,
                CurveKind::Cagr => v > 0.0,
                CurveKind::Logistic(cap) | CurveKind::Gompertz(cap) => v > 0.0 && v < cap,
            }
    }

    /// `g(v)`, the transform under which the shape is a straight line (see the module's
    /// table); only for values the shape [admits](CurveKind::admits).
    pub fn forward(self, v: f64) -> f64 {
        match self {
            CurveKind::Linear | CurveKind::Pchip => v,
            CurveKind::Cagr => v.ln(),
            CurveKind::Logistic(cap) => (v / (cap - v)).ln(),
            CurveKind::Gompertz(cap) => (-(v / cap).ln()).ln(),
        }
    }

    fn inverse(self, g: f64) -> f64 {
        match self {
            CurveKind::Linear | CurveKind::Pchip => g,
            CurveKind::Cagr => exp::exp(g),
            CurveKind::Logistic(cap) => cap / (1.0 + (-g).exp()),
            CurveKind::Gompertz(cap) => cap * (-(g.exp())).exp(),
        }
    }
}

impl Curve {
    /// A curve of the given kind through `points` (time, value), times strictly increasing.
    pub fn new(kind: CurveKind, points: &[(f64, f64)]) -> Result<Curve, CurveError> {
        let mut curve = Curve {
            kind,
            times: Vec::new(),
            values: Vec::new(),
            given: Vec::new(),
            slopes: Vec::new(),
            s_curve: Through::default(),
        };
        curve.set(kind, points)?;
        Ok(curve)
    }

    /// Makes this curve pass through new points, reusing its buffers (no allocation once
    /// they are large enough: Monte Carlo rebuilds a curve for every draw).
    pub fn set(&mut self, kind: CurveKind, points: &[(f64, f64)]) -> Result<(), CurveError> {
        if points.len() < 2
            || points
                .windows(2)
                .any(|w| w[1].0.partial_cmp(&w[0].0) != Some(std::cmp::Ordering::Greater))
        {
            return Err(CurveError::BadKnots);
        }
        for (i, &(_, v)) in points.iter().enumerate() {
            if !kind.admits(v) {
                return Err(CurveError::OutOfDomain(i, v));
            }
        }
        // A knot given the same value as at the last call (a Monte Carlo draw that varies
        // other numbers) keeps its transformed value: the same number, one logarithm fewer.
        // (The transform depends on the shape and the value only; a new slot holds NaN,
        // which no admitted value equals.)
        let same_kind = self.kind == kind;
        self.kind = kind;
        let n = points.len();
        if self.times.len() != n {
            self.times.resize(n, 0.0);
            self.values.resize(n, 0.0);
            self.given.resize(n, f64::NAN);
        }
        for (i, &(t, v)) in points.iter().enumerate() {
            self.times[i] = t;
            if !(same_kind && self.given[i].to_bits() == v.to_bits()) {
                self.values[i] = kind.forward(v);
                self.given[i] = v;
            }
        }
        self.slopes.clear();
        if kind == CurveKind::Pchip {
            pchip_slopes(&self.times, &self.values, &mut self.slopes);
        }
        if let CurveKind::Logistic(cap) | CurveKind::Gompertz(cap) = kind {
            let model = if matches!(kind, CurveKind::Logistic(_)) {
                Model::Logistic
            } else {
                Model::Gompertz
            };
            // Domain and order were checked above, so the curve exists.
            self.s_curve = Through::new(model, cap, points).ok_or(CurveError::BadKnots)?;
        }
        Ok(())
    }

    /// What [`Curve::set`] does, bit for bit, when `points` are at the curve's knot times
    /// and `kind` is its kind: the new values only, without checking and copying the
    /// times again (true). False, and nothing changed, when the times or the kind differ
    /// or the curve is an S-curve (which [`Curve::set`] fits anew). A value the shape
    /// cannot take is [`Curve::set`]'s error, after which only [`Curve::set`] may follow.
    pub fn set_values(
        &mut self,
        kind: CurveKind,
        points: &[(f64, f64)],
    ) -> Result<bool, CurveError> {
        if kind != self.kind
            || self.is_s_curve()
            || points.len() != self.times.len()
            || points
                .iter()
                .zip(&self.times)
                .any(|(p, t)| p.0.to_bits() != t.to_bits())
        {
            return Ok(false);
        }
        let mut changed = false;
        for (i, &(_, v)) in points.iter().enumerate() {
            if self.given[i].to_bits() != v.to_bits() {
                if !kind.admits(v) {
                    // Some values are new and the slopes are not: only `set` may follow.
                    self.times.clear();
                    return Err(CurveError::OutOfDomain(i, v));
                }
                self.values[i] = kind.forward(v);
                self.given[i] = v;
                changed = true;
            }
        }
        if changed && kind == CurveKind::Pchip {
            pchip_slopes(&self.times, &self.values, &mut self.slopes);
        }
        Ok(true)
    }

    /// Whether the curve passes exactly through every point it was given (all shapes but
    /// S-curves through more than two points).
    pub fn passes_through_all(&self) -> bool {
        !matches!(self.kind, CurveKind::Logistic(_) | CurveKind::Gompertz(_))
            || self.times.len() == 2
    }

    /// The curve's value at time `t`. Outside the knots the end segments are extended.
    pub fn value(&self, t: f64) -> f64 {
        if self.is_s_curve() {
            return self.s_curve_value(t);
        }
        let (k, s) = self.position(t);
        self.value_in(k, s)
    }

    /// The curve's values in the years `first`, `first + 1`, … (one per slot of `out`),
    /// written into `out`: [`Curve::value`] of each, bit for bit, but with the segment
    /// and fraction of each year taken from `positions` when it holds them for these
    /// knot times and years (a Monte Carlo draw varies the knots' values, rarely their
    /// times), which saves a search and a division per year.
    pub fn values_at_years(&self, first: i32, positions: &mut Positions, out: &mut [f64]) {
        let year = |i: usize| f64::from(first) + i as f64;
        positions.last = None;
        if self.is_s_curve() || !std::mem::replace(&mut positions.called, true) {
            for (i, slot) in out.iter_mut().enumerate() {
                *slot = self.value(year(i));
            }
            return;
        }
        let found = positions.sets.iter().position(|p| {
            p.first == first
                && p.at.len() == out.len()
                && p.knots.len() == self.times.len()
                && p.knots
                    .iter()
                    .zip(&self.times)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
        });
        let set = match found {
            Some(i) => i,
            None => {
                let set = PositionSet {
                    knots: self.times.clone(),
                    first,
                    at: Placed::new((0..out.len()).map(|i| self.position(year(i)))),
                };
                if positions.sets.len() < POSITION_SETS {
                    positions.sets.push(set);
                    positions.sets.len() - 1
                } else {
                    let i = positions.next;
                    positions.sets[i] = set;
                    positions.next = (i + 1) % POSITION_SETS;
                    i
                }
            }
        };
        positions.last = Some(set);
        self.values_at(&positions.sets[set].at, out);
    }

    /// [`Curve::values_at_years`] for the years and knot times of its last call with
    /// `positions` (the curve given new values by [`Curve::set_values`]), without looking
    /// for their positions: true. False, and nothing written, when that call kept no
    /// positions (its first, or an S-curve's) or was for other years or knot times.
    pub fn values_at_same_years(&self, first: i32, positions: &Positions, out: &mut [f64]) -> bool {
        match positions.last.map(|set| &positions.sets[set]) {
            Some(set)
                if set.first == first
                    && set.at.len() == out.len()
                    && set.knots.len() == self.times.len()
                    && set
                        .knots
                        .iter()
                        .zip(&self.times)
                        .all(|(a, b)| a.to_bits() == b.to_bits()) =>
            {
                self.values_at(&set.at, out);
                true
            }
            _ => false,
        }
    }

    /// The values at the positions `at`, one per slot of `out`: [`Curve::value_in`] of
    /// each, bit for bit.
    fn values_at(&self, at: &Placed, out: &mut [f64]) {
        // One loop per shape, decided once rather than per year, and per run of years on
        // one segment, its two knots read once: the same arithmetic as `value_in`.
        match self.kind {
            CurveKind::Cagr | CurveKind::Linear => {
                for &(k, from, to) in &at.runs {
                    let y0 = self.values[k];
                    let rise = self.values[k + 1] - y0;
                    for (slot, &s) in out[from..to].iter_mut().zip(&at.fractions[from..to]) {
                        *slot = y0 + rise * s;
                    }
                }
                if self.kind == CurveKind::Cagr {
                    // Every year's exponential in one call, four at a time.
                    exp::exp_all(out);
                }
            }
            _ => {
                for &(k, from, to) in &at.runs {
                    for (slot, &s) in out[from..to].iter_mut().zip(&at.fractions[from..to]) {
                        *slot = self.value_in(k, s);
                    }
                }
            }
        }
        // The knots' given values where a year is at a knot (`between_knots`).
        for &(slot, knot) in &at.exact {
            out[slot] = self.given[knot];
        }
    }

    fn is_s_curve(&self) -> bool {
        matches!(self.kind, CurveKind::Logistic(_) | CurveKind::Gompertz(_))
    }

    /// An S-curve's value at time `t`.
    fn s_curve_value(&self, t: f64) -> f64 {
        // Exactly the points the single curve passes through.
        if t == self.times[0] {
            return self.given[0];
        }
        if self.times.len() == 2 && t == self.times[1] {
            return self.given[1];
        }
        self.s_curve.value(t)
    }

    /// The segment k of time `t`, which covers [times[k], times[k+1]] (the end segments
    /// extended beyond the knots), and the fraction s of the way along it.
    fn position(&self, t: f64) -> (usize, f64) {
        position(&self.times, t)
    }

    /// The value at fraction `s` of segment `k` (transform-linear shapes and PCHIP).
    fn value_in(&self, k: usize, s: f64) -> f64 {
        self.between_knots(k, s, |k, s| {
            if self.kind == CurveKind::Pchip {
                self.hermite(k, s)
            } else {
                self.kind.inverse(self.line(k, s))
            }
        })
    }

    /// The given value at a knot (hit exactly rather than through a round trip of the
    /// transform), else `inner(k, s)`.
    #[inline(always)]
    fn between_knots(&self, k: usize, s: f64, inner: impl Fn(usize, f64) -> f64) -> f64 {
        if s == 0.0 {
            self.given[k]
        } else if s == 1.0 {
            self.given[k + 1]
        } else {
            inner(k, s)
        }
    }

    /// The straight line between the transformed knots of segment `k`, at fraction `s`.
    #[inline(always)]
    fn line(&self, k: usize, s: f64) -> f64 {
        let (y0, y1) = (self.values[k], self.values[k + 1]);
        y0 + (y1 - y0) * s
    }

    /// PCHIP's cubic Hermite basis on segment `k` at fraction `s` (e.g. Moler 2004, eq. 3.4).
    fn hermite(&self, k: usize, s: f64) -> f64 {
        let (y0, y1) = (self.values[k], self.values[k + 1]);
        let h = self.times[k + 1] - self.times[k];
        let (d0, d1) = (self.slopes[k], self.slopes[k + 1]);
        let s2 = s * s;
        let s3 = s2 * s;
        let h00 = 2.0 * s3 - 3.0 * s2 + 1.0;
        let h10 = s3 - 2.0 * s2 + s;
        let h01 = -2.0 * s3 + 3.0 * s2;
        let h11 = s3 - s2;
        h00 * y0 + h10 * h * d0 + h01 * y1 + h11 * h * d1
    }
}

/// The segment k of time `t` on knots at `times` (at least two, strictly increasing),
/// which covers [times[k], times[k+1]] (the end segments extended beyond the knots), and
/// the fraction s of the way along it.
fn position(times: &[f64], t: f64) -> (usize, f64) {
    // A handful of knots makes a linear scan faster than a binary search.
    let last = times.len() - 2;
    let k = times[1..=last].iter().position(|&x| t < x).unwrap_or(last);
    let (t0, t1) = (times[k], times[k + 1]);
    (k, (t - t0) / (t1 - t0))
}

/// Where the years `first`, `first + 1`, … (`count` of them) fall on knots at `times`
/// (at least two, strictly increasing): per year the segment k and the fraction s along
/// it, as a [`Curve`] with those knots places them. A linear or `cagr` curve's value
/// there is the given value of knot k at s = 0 and of knot k + 1 at s = 1, else
/// `g⁻¹(g₀ + (g₁ − g₀)·s)` of the transformed values `g₀`, `g₁` of knots k and k + 1.
pub fn year_positions(times: &[f64], first: i32, count: usize) -> Vec<(usize, f64)> {
    (0..count)
        .map(|i| position(times, f64::from(first) + i as f64))
        .collect()
}

/// PCHIP slopes (Fritsch–Butland interior, Moler's three-point ends), written into `d`.
fn pchip_slopes(x: &[f64], y: &[f64], d: &mut Vec<f64>) {
    let n = x.len();
    let h = |k: usize| x[k + 1] - x[k];
    let delta = |k: usize| (y[k + 1] - y[k]) / h(k);
    d.resize(n, 0.0);
    if n == 2 {
        d[0] = delta(0);
        d[1] = delta(0);
        return;
    }
    for (k, slope) in d.iter_mut().enumerate().take(n - 1).skip(1) {
        let (d0, d1) = (delta(k - 1), delta(k));
        *slope = if d0 * d1 > 0.0 {
            let w1 = 2.0 * h(k) + h(k - 1);
            let w2 = h(k) + 2.0 * h(k - 1);
            (w1 + w2) / (w1 / d0 + w2 / d1)
        } else {
            0.0
        };
    }
    d[0] = pchip_end_slope(h(0), h(1), delta(0), delta(1));
    d[n - 1] = pchip_end_slope(h(n - 2), h(n - 3), delta(n - 2), delta(n - 3));
}

/// One-sided three-point slope at an end, kept shape-preserving.
fn pchip_end_slope(h0: f64, h1: f64, del0: f64, del1: f64) -> f64 {
    let d = ((2.0 * h0 + h1) * del0 - h0 * del1) / (h0 + h1);
    if d.signum() != del0.signum() || del0 == 0.0 {
        0.0
    } else if del0.signum() != del1.signum() && d.abs() > 3.0 * del0.abs() {
        3.0 * del0
    } else {
        d
    }
}

/// Compound annual growth rate from `start` to `end` over `years` (Excel `RRI`).
///
/// `None` when it is undefined (a non-positive value or no elapsed time).
pub fn cagr(start: f64, end: f64, years: f64) -> Option<f64> {
    (start > 0.0 && end > 0.0 && years > 0.0).then(|| (end / start).powf(1.0 / years) - 1.0)
}
