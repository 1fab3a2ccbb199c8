//! Least-squares fits of growth curves to observed values, with standard errors and
//! confidence and prediction bands.
//!
//! Every curve is a straight line `a + b·s` in elapsed time `s = t − t_ref`, seen through
//! the model's link:
//!
//! | model | fitted scale `F(t)` | value | like |
//! |---|---|---|---|
//! | linear | `a + b·s` | `F` | Excel `TREND`/`LINEST`, `numpy.polyfit(t, y, 1)` |
//! | exponential | `ln y ≈ a + b·s` | `e^F`; growth `e^b − 1` a year | Excel `GROWTH`/`LOGEST` (fitted on ln y, as they are) |
//! | logistic | `C / (1 + e^{−(a + b·s)})` | `F` | Verhulst (1838); `scipy.optimize.curve_fit` |
//! | gompertz | `C·exp(−e^{−(a + b·s)})` | `F` | Gompertz (1825); Winsor (1932) |
//!
//! The linear and exponential models are linear regressions on their scale (ordinary
//! least squares, closed form). The S-curves are fitted on the value scale by
//! Levenberg–Marquardt: Marquardt (1963) with the scale-invariant damping `μ·diag(JᵀJ)` and
//! Nielsen's update of `μ` (Madsen, Nielsen & Tingleff, *Methods for Non-Linear Least
//! Squares Problems*, 2004, Algorithm 3.16), Jacobians by central differences as in
//! MINPACK's `lmdif` that `curve_fit` calls. With two or three parameters the normal
//! equations are solved directly, which is why this is a short function here rather than
//! a dependency on a linear-algebra crate (nalgebra alone would add more build time to CI
//! than the rest of kjproj's statistics). A cap that is not given is estimated: the
//! fit starts from the best of a grid of caps above the largest observation and then
//! frees the cap.
//!
//! An *anchor* `(t_a, v_a)` is a point the curve must pass through exactly (a published
//! baseline or target): `t_ref = t_a` and the level `a` is solved from `v_a`, so one
//! parameter fewer is estimated.
//!
//! Uncertainty follows the usual asymptotic theory (Seber & Wild, *Nonlinear Regression*,
//! 1989, §2.1 and §5.1), exact for the linear models: with `p` estimated parameters, `n`
//! observations and residual sum of squares `RSS` on the fitted scale,
//! `s² = RSS/(n − p)`, `Cov(θ) = s²·(JᵀJ)⁻¹` (what `curve_fit` returns with
//! `absolute_sigma=False`), the curve's standard error at `t` is `√(gᵀ·Cov·g)` with
//! `g = ∂F(t)/∂θ`, and a new observation's is `√(gᵀ·Cov·g + s²)`. Bands are
//! `F(t) ± t_{n−p}·se` on the fitted scale, mapped back through the link (so an
//! exponential fit has multiplicative bands).

/// The family of curve fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// A straight line.
    Linear,
    /// Constant growth: a straight line in ln value.
    Exponential,
    /// Logistic S-curve with cap `C`.
    Logistic,
    /// Gompertz S-curve with cap `C`.
    Gompertz,
}

impl Model {
    /// Whether the model has a cap.
    pub fn has_cap(self) -> bool {
        matches!(self, Model::Logistic | Model::Gompertz)
    }
}

/// What to fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec {
    /// The curve's family.
    pub model: Model,
    /// The cap of an S-curve; `None` estimates it. Ignored for linear and exponential.
    pub cap: Option<f64>,
    /// A point `(time, value)` the curve must pass through exactly.
    pub anchor: Option<(f64, f64)>,
    /// The time the level `a` refers to when there is no anchor (an anchor's time
    /// otherwise).
    pub reference: f64,
}

/// A parameter of a fitted curve, in the form reported to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parameter {
    /// The curve's value at the reference time.
    Level,
    /// Linear: change per unit of time.
    Slope,
    /// Exponential: growth per unit of time, `e^b − 1`.
    Growth,
    /// S-curves: the rate `b` in `a + b·s`.
    Rate,
    /// S-curves: the time of the steepest rise (`F = C/2` for the logistic, `C/e` for
    /// the Gompertz curve), `t_ref − a/b`.
    Midpoint,
    /// S-curves: the cap.
    Cap,
}

/// A reported parameter: its value and standard error (`None` when the parameter is
/// fixed by the file, e.g. a given cap or an anchored level).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Which parameter.
    pub parameter: Parameter,
    /// Its value.
    pub value: f64,
    /// Its standard error, by the delta method for derived forms.
    pub se: Option<f64>,
}

/// Something the user should know about a fit.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// R² is below [`POOR_R2`].
    Poor {
        /// The fit's R² on its fitted scale.
        r_squared: f64,
    },
    /// An estimated cap the observations do not determine: they show little bend.
    CapNotIdentified {
        /// The estimate.
        cap: f64,
        /// Its standard error (infinite when the fit could not compute one).
        se: f64,
    },
    /// A parameter whose standard error exceeds its value.
    NotIdentified(Parameter),
    /// The minimisation stopped before it converged.
    NotConverged,
}

/// Below this R² a fit is reported as poor.
pub const POOR_R2: f64 = 0.8;

/// Why a fit could not be made.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// Fewer observations than parameters plus one (no residual left to judge the fit).
    TooFewPoints {
        /// Observations needed.
        need: usize,
        /// Observations given.
        have: usize,
    },
    /// A value the model cannot take: non-positive for exponential, an anchor outside
    /// (0, cap) for an S-curve (index of the observation, or `None` for the anchor).
    OutOfDomain(Option<usize>, f64),
    /// The observations cannot determine the parameters (e.g. all in one year).
    Singular,
    /// An estimated cap the observations cannot determine at all: they show no bend, so
    /// every larger cap fits as well.
    CapNotIdentified,
}

/// A fitted curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    spec: Spec,
    /// Estimated parameters, as the minimiser sees them.
    theta: Vec<f64>,
    /// Covariance of `theta`.
    covariance: Vec<Vec<f64>>,
    /// Number of observations.
    pub n: usize,
    /// Residual degrees of freedom, `n − p`.
    pub dof: usize,
    /// R² on the fitted scale: `1 − RSS/Σ(y − ȳ)²`.
    pub r_squared: f64,
    /// The residual standard deviation `s` on the fitted scale (for an exponential fit,
    /// of ln value: roughly a relative error).
    pub residual_sd: f64,
    /// Observed minus fitted, on the fitted scale, in the order given.
    pub residuals: Vec<f64>,
    /// What the user should know.
    pub warnings: Vec<Warning>,
}

impl Spec {
    fn reference_time(&self) -> f64 {
        self.anchor.map_or(self.reference, |a| a.0)
    }

    /// The observation on the fitted scale.
    fn scale(&self, y: f64) -> f64 {
        match self.model {
            Model::Exponential => y.ln(),
            _ => y,
        }
    }

    /// `[a, b, C]` from the estimated parameters: `[a, b]`/`[b]`, then the cap if estimated.
    fn full(&self, theta: &[f64]) -> [f64; 3] {
        let mut it = theta.iter().copied();
        let mut next = || it.next().unwrap_or(f64::NAN);
        let a = if self.anchor.is_some() {
            f64::NAN
        } else {
            next()
        };
        let b = next();
        let c = match (self.model.has_cap(), self.cap) {
            (false, _) => f64::NAN,
            (true, Some(c)) => c,
            (true, None) => next(),
        };
        let a = match self.anchor {
            Some((_, v)) => link(self.model, c, v),
            None => a,
        };
        [a, b, c]
    }

    /// Number of estimated parameters.
    fn parameters(&self) -> usize {
        let level = usize::from(self.anchor.is_none());
        let cap = usize::from(self.model.has_cap() && self.cap.is_none());
        level + 1 + cap
    }

    /// Whether estimated parameters are admissible (a positive cap above the anchor).
    fn admits(&self, full: &[f64; 3]) -> bool {
        let [a, b, c] = *full;
        a.is_finite()
            && b.is_finite()
            && (!self.model.has_cap()
                || (c > 0.0 && c.is_finite() && self.anchor.is_none_or(|(_, v)| v < c)))
    }
}

/// The level `a` at which the curve has value `v` (the inverse of [`curve`] at s = 0).
fn link(model: Model, cap: f64, v: f64) -> f64 {
    match model {
        Model::Linear => v,
        Model::Exponential => v.ln(),
        Model::Logistic => (v / (cap - v)).ln(),
        Model::Gompertz => -(-(v / cap).ln()).ln(),
    }
}

/// The curve on its fitted scale at elapsed time `s`.
fn curve(model: Model, [a, b, c]: [f64; 3], s: f64) -> f64 {
    let x = a + b * s;
    match model {
        Model::Linear | Model::Exponential => x,
        Model::Logistic => c / (1.0 + (-x).exp()),
        Model::Gompertz => c * (-(-x).exp()).exp(),
    }
}

/// Fits `spec`'s curve to `points` (time, value) by least squares.
///
/// An observation at the anchor's time is left out: the curve passes through the anchor
/// exactly, so it would add a residual of its difference from the anchor and a degree of
/// freedom that is not there.
pub fn fit(spec: &Spec, points: &[(f64, f64)]) -> Result<Fit, Error> {
    let kept: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|p| spec.anchor.is_none_or(|a| a.0 != p.0))
        .collect();
    let points = kept.as_slice();
    let p = spec.parameters();
    if points.len() < p + 1 {
        return Err(Error::TooFewPoints {
            need: p + 1,
            have: points.len(),
        });
    }
    for (i, &(t, y)) in points.iter().enumerate() {
        if !t.is_finite() || !y.is_finite() || (spec.model == Model::Exponential && y <= 0.0) {
            return Err(Error::OutOfDomain(Some(i), y));
        }
    }
    if let Some((t, v)) = spec.anchor {
        let bad = match (spec.model, spec.cap) {
            (Model::Exponential, _) => v <= 0.0,
            (Model::Logistic | Model::Gompertz, Some(c)) => !(v > 0.0 && v < c),
            (Model::Logistic | Model::Gompertz, None) => v <= 0.0,
            (Model::Linear, _) => false,
        };
        if bad || !t.is_finite() || !v.is_finite() {
            return Err(Error::OutOfDomain(None, v));
        }
    }
    if let Some(c) = spec
        .cap
        .filter(|&c| spec.model.has_cap() && !(c.is_finite() && c > 0.0))
    {
        return Err(Error::OutOfDomain(None, c));
    }
    let t_ref = spec.reference_time();
    let s: Vec<f64> = points.iter().map(|p| p.0 - t_ref).collect();
    let y: Vec<f64> = points.iter().map(|p| spec.scale(p.1)).collect();
    let problem = Problem { spec, s: &s, y: &y };

    let (theta, converged) = if spec.model.has_cap() && spec.cap.is_none() {
        problem.fit_cap(points)?
    } else if spec.model.has_cap() {
        let start = problem.start(spec.cap.unwrap_or(f64::NAN), points);
        problem.minimise(start)
    } else {
        // Linear on their scale: the ordinary least-squares start is the solution.
        (problem.start(f64::NAN, points), true)
    };
    let residuals = problem.residuals(&theta).ok_or(Error::Singular)?;
    let rss: f64 = residuals.iter().map(|r| r * r).sum();
    let dof = points.len() - p;
    let s2 = rss / dof as f64;
    let jacobian = problem.jacobian(&theta);
    let normal = normal_matrix(&jacobian, p);
    let estimated_cap = spec.model.has_cap() && spec.cap.is_none();
    let inverse = invert(&normal).ok_or(if estimated_cap {
        Error::CapNotIdentified
    } else {
        Error::Singular
    })?;
    let covariance: Vec<Vec<f64>> = inverse
        .iter()
        .map(|row| row.iter().map(|x| x * s2).collect())
        .collect();
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let tss: f64 = y.iter().map(|v| (v - mean) * (v - mean)).sum();
    let r_squared = if tss > 0.0 { 1.0 - rss / tss } else { f64::NAN };
    let mut out = Fit {
        spec: *spec,
        theta,
        covariance,
        n: points.len(),
        dof,
        r_squared,
        residual_sd: s2.sqrt(),
        residuals,
        warnings: Vec::new(),
    };
    out.warnings = out.assess(converged, points);
    Ok(out)
}

/// The data of one minimisation.
struct Problem<'a> {
    spec: &'a Spec,
    s: &'a [f64],
    y: &'a [f64],
}

impl Problem<'_> {
    /// Observed minus fitted, or `None` outside the admissible parameters.
    fn residuals(&self, theta: &[f64]) -> Option<Vec<f64>> {
        let full = self.spec.full(theta);
        if !self.spec.admits(&full) {
            return None;
        }
        let r: Vec<f64> = self
            .s
            .iter()
            .zip(self.y)
            .map(|(&s, &y)| y - curve(self.spec.model, full, s))
            .collect();
        r.iter().all(|v| v.is_finite()).then_some(r)
    }

    /// ∂F(t_i)/∂θ_j by central differences, row per observation.
    fn jacobian(&self, theta: &[f64]) -> Vec<Vec<f64>> {
        self.s
            .iter()
            .map(|&s| gradient(self.spec, theta, s))
            .collect()
    }

    /// A starting point: least squares of the linearised observations (exact for the
    /// linear and exponential models), the cap `cap` for S-curves.
    fn start(&self, cap: f64, points: &[(f64, f64)]) -> Vec<f64> {
        let model = self.spec.model;
        let z: Vec<f64> = points
            .iter()
            .map(|&(_, v)| match model {
                Model::Linear | Model::Exponential => self.spec.scale(v),
                Model::Logistic | Model::Gompertz => {
                    let p = (v / cap).clamp(1e-6, 1.0 - 1e-6);
                    link(model, 1.0, p)
                }
            })
            .collect();
        let mut theta = match self.spec.anchor {
            Some((_, v)) => {
                let a = link(model, cap, v);
                let sz: f64 = self.s.iter().zip(&z).map(|(s, z)| s * (z - a)).sum();
                let ss: f64 = self.s.iter().map(|s| s * s).sum();
                vec![if ss > 0.0 { sz / ss } else { 0.0 }]
            }
            None => {
                let n = z.len() as f64;
                let sm = self.s.iter().sum::<f64>() / n;
                let zm = z.iter().sum::<f64>() / n;
                let sxy: f64 = self
                    .s
                    .iter()
                    .zip(&z)
                    .map(|(s, z)| (s - sm) * (z - zm))
                    .sum();
                let sxx: f64 = self.s.iter().map(|s| (s - sm) * (s - sm)).sum();
                let b = if sxx > 0.0 { sxy / sxx } else { 0.0 };
                vec![zm - b * sm, b]
            }
        };
        if model.has_cap() && self.spec.cap.is_none() {
            theta.push(cap);
        }
        theta
    }

    /// Estimates a cap: the best of a grid of fixed caps, then all parameters together.
    fn fit_cap(&self, points: &[(f64, f64)]) -> Result<(Vec<f64>, bool), Error> {
        let top = points
            .iter()
            .map(|p| p.1)
            .chain(self.spec.anchor.map(|a| a.1))
            .fold(f64::NEG_INFINITY, f64::max);
        if top.is_nan() || top <= 0.0 {
            return Err(Error::OutOfDomain(None, top));
        }
        let mut best: Option<(f64, Vec<f64>)> = None;
        for factor in [1.02, 1.1, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0] {
            let cap = top * factor;
            let fixed = Spec {
                cap: Some(cap),
                ..*self.spec
            };
            let sub = Problem {
                spec: &fixed,
                s: self.s,
                y: self.y,
            };
            let (mut theta, _) = sub.minimise(sub.start(cap, points));
            let Some(r) = sub.residuals(&theta) else {
                continue;
            };
            let rss: f64 = r.iter().map(|v| v * v).sum();
            if best.as_ref().is_none_or(|b| rss < b.0) {
                theta.push(cap);
                best = Some((rss, theta));
            }
        }
        let (_, start) = best.ok_or(Error::Singular)?;
        Ok(self.minimise(start))
    }

    /// Levenberg–Marquardt from `theta` (see the module docs); whether it converged.
    fn minimise(&self, mut theta: Vec<f64>) -> (Vec<f64>, bool) {
        const MAX_ITERATIONS: usize = 500;
        let p = theta.len();
        let Some(mut r) = self.residuals(&theta) else {
            return (theta, false);
        };
        let mut cost: f64 = r.iter().map(|v| v * v).sum();
        let mut mu = 0.0;
        let mut nu = 2.0;
        for iteration in 0..MAX_ITERATIONS {
            let j = self.jacobian(&theta);
            let a = normal_matrix(&j, p);
            let g: Vec<f64> = (0..p)
                .map(|k| j.iter().zip(&r).map(|(row, ri)| row[k] * ri).sum())
                .collect();
            if iteration == 0 {
                mu = 1e-3;
            }
            if g.iter().all(|x| x.abs() <= 1e-15 * (1.0 + cost)) {
                return (theta, true);
            }
            // (A + μ·diag A)·h = g
            let mut damped = a.clone();
            for (k, row) in damped.iter_mut().enumerate() {
                row[k] += mu * a[k][k].max(1e-300);
            }
            let Some(h) = solve(&damped, &g) else {
                mu *= nu;
                nu *= 2.0;
                continue;
            };
            let size: f64 = theta.iter().map(|x| x * x).sum::<f64>().sqrt();
            let step: f64 = h.iter().map(|x| x * x).sum::<f64>().sqrt();
            if step <= 1e-13 * (size + 1e-13) {
                return (theta, true);
            }
            let candidate: Vec<f64> = theta.iter().zip(&h).map(|(t, d)| t + d).collect();
            let predicted: f64 = (0..p)
                .map(|k| h[k] * (mu * a[k][k].max(1e-300) * h[k] + g[k]))
                .sum();
            match self.residuals(&candidate) {
                Some(rc) => {
                    let new_cost: f64 = rc.iter().map(|v| v * v).sum();
                    let rho = (cost - new_cost) / predicted;
                    if rho > 0.0 && predicted > 0.0 {
                        let relative = (cost - new_cost) / cost.max(1e-300);
                        theta = candidate;
                        r = rc;
                        cost = new_cost;
                        mu *= (1.0 - (2.0 * rho - 1.0).powi(3)).max(1.0 / 3.0);
                        nu = 2.0;
                        if relative < 1e-15 {
                            return (theta, true);
                        }
                    } else {
                        mu *= nu;
                        nu *= 2.0;
                    }
                }
                None => {
                    mu *= nu;
                    nu *= 2.0;
                }
            }
            if !mu.is_finite() {
                return (theta, cost == 0.0);
            }
        }
        (theta, false)
    }
}

/// ∂F(s)/∂θ by central differences (see [`central_differences`]).
fn gradient(spec: &Spec, theta: &[f64], s: f64) -> Vec<f64> {
    central_differences(theta, |t| curve(spec.model, spec.full(t), s))
}

/// The gradient of `f` at `theta` by central differences, with steps of 10⁻⁶ of each
/// parameter (at least 10⁻⁸): error O(h²), about 10⁻¹⁰ relative for smooth curves.
fn central_differences(theta: &[f64], f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    let mut shifted = theta.to_vec();
    (0..theta.len())
        .map(|k| {
            let h = 1e-6 * theta[k].abs().max(1e-2);
            shifted[k] = theta[k] + h;
            let up = f(&shifted);
            shifted[k] = theta[k] - h;
            let down = f(&shifted);
            shifted[k] = theta[k];
            (up - down) / (2.0 * h)
        })
        .collect()
}

/// `gᵀ·M·g`.
fn quadratic(g: &[f64], m: &[Vec<f64>]) -> f64 {
    g.iter()
        .zip(m)
        .map(|(ga, row)| ga * row.iter().zip(g).map(|(x, gb)| x * gb).sum::<f64>())
        .sum()
}

/// `JᵀJ`.
fn normal_matrix(j: &[Vec<f64>], p: usize) -> Vec<Vec<f64>> {
    (0..p)
        .map(|a| {
            (0..p)
                .map(|b| j.iter().map(|row| row[a] * row[b]).sum())
                .collect()
        })
        .collect()
}

/// Solves `m·x = v` by Gaussian elimination with partial pivoting; `None` when `m` is
/// singular to working precision.
fn solve(m: &[Vec<f64>], v: &[f64]) -> Option<Vec<f64>> {
    let n = v.len();
    let scale = m
        .iter()
        .flat_map(|r| r.iter())
        .fold(0.0_f64, |a, x| a.max(x.abs()));
    let mut a: Vec<Vec<f64>> = m
        .iter()
        .zip(v)
        .map(|(row, x)| row.iter().copied().chain([*x]).collect())
        .collect();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &k| a[i][col].abs().total_cmp(&a[k][col].abs()))?;
        if a[pivot][col].is_nan() || a[pivot][col].abs() <= 1e-13 * scale {
            return None;
        }
        a.swap(col, pivot);
        let (done, rest) = a.split_at_mut(col + 1);
        let pivot_row = &done[col];
        for row in rest.iter_mut() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row.iter_mut().zip(pivot_row).skip(col) {
                *x -= f * p;
            }
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let rest: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (a[row][n] - rest) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// The inverse of a small symmetric matrix, column by column.
fn invert(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let columns: Option<Vec<Vec<f64>>> = (0..n)
        .map(|c| {
            solve(
                m,
                &(0..n)
                    .map(|r| f64::from(u8::from(r == c)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let columns = columns?;
    Some(
        (0..n)
            .map(|r| (0..n).map(|c| columns[c][r]).collect())
            .collect(),
    )
}

impl Fit {
    /// What was fitted.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// The time the level refers to (the anchor's, if any).
    pub fn reference(&self) -> f64 {
        self.spec.reference_time()
    }

    /// The cap (given or estimated) of an S-curve.
    pub fn cap(&self) -> Option<f64> {
        self.spec
            .model
            .has_cap()
            .then(|| self.spec.full(&self.theta)[2])
    }

    /// The curve on its fitted scale at time `t` (ln value for an exponential fit).
    pub fn fitted(&self, t: f64) -> f64 {
        curve(
            self.spec.model,
            self.spec.full(&self.theta),
            t - self.reference(),
        )
    }

    /// A value on the fitted scale mapped back to a value.
    pub fn back(&self, f: f64) -> f64 {
        match self.spec.model {
            Model::Exponential => f.exp(),
            _ => f,
        }
    }

    /// The curve's value at time `t`; exactly the anchor's value at its time.
    pub fn value(&self, t: f64) -> f64 {
        match self.spec.anchor {
            Some((ta, v)) if ta == t => v,
            _ => self.back(self.fitted(t)),
        }
    }

    /// The standard error on the fitted scale of the curve at `t` (`prediction = false`)
    /// or of a new observation at `t` (`prediction = true`). At an anchor's time both are
    /// 0: the value there is given, not predicted.
    pub fn band_se(&self, t: f64, prediction: bool) -> f64 {
        if self.spec.anchor.is_some_and(|a| a.0 == t) {
            return 0.0;
        }
        let g = gradient(&self.spec, &self.theta, t - self.reference());
        let var = quadratic(&g, &self.covariance);
        let noise = if prediction {
            self.residual_sd * self.residual_sd
        } else {
            0.0
        };
        (var.max(0.0) + noise).sqrt()
    }

    /// The parameters in the form users read them, with standard errors.
    pub fn estimates(&self) -> Vec<Estimate> {
        let model = self.spec.model;
        let t_ref = self.reference();
        let mut list = vec![Parameter::Level];
        match model {
            Model::Linear => list.push(Parameter::Slope),
            Model::Exponential => list.push(Parameter::Growth),
            Model::Logistic | Model::Gompertz => {
                list.extend([Parameter::Rate, Parameter::Midpoint, Parameter::Cap]);
            }
        }
        list.into_iter()
            .map(|parameter| {
                let value = |theta: &[f64]| {
                    let [a, b, c] = self.spec.full(theta);
                    match parameter {
                        Parameter::Level => self.back(curve(model, [a, b, c], 0.0)),
                        Parameter::Slope | Parameter::Rate => b,
                        Parameter::Growth => b.exp_m1(),
                        Parameter::Midpoint => t_ref - a / b,
                        Parameter::Cap => c,
                    }
                };
                let fixed = match parameter {
                    Parameter::Level => self.spec.anchor.is_some(),
                    Parameter::Cap => self.spec.cap.is_some(),
                    _ => false,
                };
                let v = value(&self.theta);
                // Delta method: ∇ᵀ·Cov·∇.
                let se = (!fixed).then(|| {
                    let grad = central_differences(&self.theta, value);
                    quadratic(&grad, &self.covariance).max(0.0).sqrt()
                });
                Estimate {
                    parameter,
                    value: v,
                    se,
                }
            })
            .collect()
    }

    /// The warnings of a finished fit.
    fn assess(&self, converged: bool, points: &[(f64, f64)]) -> Vec<Warning> {
        let mut out = Vec::new();
        if !converged {
            out.push(Warning::NotConverged);
        }
        if self.r_squared < POOR_R2 {
            out.push(Warning::Poor {
                r_squared: self.r_squared,
            });
        }
        let top = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        for e in self.estimates() {
            let Some(se) = e.se else { continue };
            match e.parameter {
                Parameter::Cap => {
                    // A cap far above the data, or one the data hardly constrain, is not
                    // a finding of the fit but an artefact of points that show no bend.
                    if se.is_nan() || se >= 0.5 * e.value || e.value > 20.0 * top {
                        out.push(Warning::CapNotIdentified {
                            cap: e.value,
                            se: if se.is_finite() { se } else { f64::INFINITY },
                        });
                    }
                }
                Parameter::Level | Parameter::Midpoint => {}
                p => {
                    if se.is_nan() || se >= e.value.abs() {
                        out.push(Warning::NotIdentified(p));
                    }
                }
            }
        }
        out
    }
}

/// One curve through points on its link scale (see [`Model`]): exactly through the first
/// point, and with the slope that minimises the squared differences on the link scale to
/// the others (exact with two points). For S-curves with a given cap, this is the single
/// logistic or Gompertz curve through a baseline and milestones: the ordinary least-squares
/// line through a fixed point, `b = Σ sᵢ(zᵢ − z₀) / Σ sᵢ²` with `sᵢ = tᵢ − t₀` and `zᵢ` the
/// linked values (Draper & Smith, *Applied Regression Analysis*, 3rd ed., 1998, §3.2,
/// regression through a given point).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Through {
    model: Option<Model>,
    cap: f64,
    t0: f64,
    a: f64,
    b: f64,
}

impl Through {
    /// The curve through `points` (time, value), times strictly after the first; `None`
    /// with fewer than two points or a value the model cannot take (non-positive for
    /// exponential, outside (0, cap) for S-curves). Allocates nothing.
    pub fn new(model: Model, cap: f64, points: &[(f64, f64)]) -> Option<Through> {
        let admits = |v: f64| match model {
            Model::Linear => v.is_finite(),
            Model::Exponential => v > 0.0 && v.is_finite(),
            Model::Logistic | Model::Gompertz => v > 0.0 && v < cap,
        };
        let (&(t0, v0), rest) = points.split_first()?;
        if rest.is_empty() || !admits(v0) || !rest.iter().all(|p| admits(p.1) && p.0 > t0) {
            return None;
        }
        let a = link(model, cap, v0);
        let (sz, ss) = rest.iter().fold((0.0, 0.0), |(sz, ss), &(t, v)| {
            let s = t - t0;
            (sz + s * (link(model, cap, v) - a), ss + s * s)
        });
        Some(Through {
            model: Some(model),
            cap,
            t0,
            a,
            b: sz / ss,
        })
    }

    /// The curve's value at time `t`.
    pub fn value(&self, t: f64) -> f64 {
        let Some(model) = self.model else {
            return f64::NAN;
        };
        let f = curve(model, [self.a, self.b, self.cap], t - self.t0);
        match model {
            Model::Exponential => f.exp(),
            _ => f,
        }
    }
}
