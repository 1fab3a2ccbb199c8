//! Goal seek: which value of one input makes an output reach a goal, deterministically or
//! with a given probability under uncertainty.
//!
//! Continuous inputs are solved with Brent's method (R. P. Brent, *Algorithms for
//! Minimization without Derivatives*, 1973, ch. 4; the `zeroin` algorithm): inverse
//! quadratic interpolation and secant steps, falling back to bisection, inside a bracket
//! where the goal changes sign. Without a bracket there is no solution in the range, and
//! the error says what the output ranges over instead. Start years are whole numbers, so
//! every year in the range is tried.

use crate::check::{self, expr::Quantity};
use crate::model::{Inputs, Projection, Workspace, project_into};
use crate::scenario::{Correlation, InputTarget, PreStartGrowth, Scenario, Shape};
use crate::sensitivity::apply;
use crate::sensitivity::monte_carlo::{self, MonteCarlo};
use crate::stats::correlation::CorrelationMatrix;

/// What to solve.
#[derive(Debug, Clone)]
pub struct Problem<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// The input to vary.
    pub input: InputTarget,
    /// The output quantity.
    pub quantity: Quantity,
    /// The value the quantity must reach.
    pub goal: f64,
    /// Where to search; `None` picks a wide default for the input.
    pub range: Option<(f64, f64)>,
    /// Solve for P(quantity ≥ goal) = this probability, under the scenario's uncertainty.
    pub probability: Option<(f64, monte_carlo::Settings)>,
}

/// A solution.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// The input's value.
    pub value: f64,
    /// What the quantity (or the probability) is with that value.
    pub achieved: f64,
    /// The range searched.
    pub range: (f64, f64),
    /// How many times the model was evaluated.
    pub evaluations: usize,
    /// For start years: every year tried and what it gives.
    pub years: Vec<(i32, f64)>,
    /// Other values in the range that reach the goal too.
    pub others: Vec<f64>,
}

/// Why there is no solution.
#[derive(Debug, Clone, PartialEq)]
pub struct NoSolution {
    /// What went wrong, in words (for [`Reason::NotReached`] and [`Reason::Jump`], why the
    /// goal is not reached; empty when the results simply stay on one side).
    pub message: String,
    /// The kind of failure.
    pub reason: Reason,
    /// When the goal is not bracketed: the range and the results at its ends.
    pub ends: Option<((f64, f64), (f64, f64))>,
}

/// Why a goal has no solution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reason {
    /// No value of the input changes the result, which stays at this value.
    Unmovable(f64),
    /// The results over the range stay on one side of the goal.
    NotReached,
    /// The result jumps across the goal (a pole or a break) without reaching it.
    Jump,
    /// The scenario cannot be projected over the range.
    Infeasible,
}

/// The input's value in the scenario file.
pub fn base_value(scenario: &Scenario, input: InputTarget) -> f64 {
    let inputs = Inputs::base(scenario);
    match input {
        InputTarget::Baseline(m) => inputs.metrics[m].baseline,
        InputTarget::Target(m) => inputs.metrics[m].target,
        InputTarget::Milestone(m, i) => inputs.metrics[m].milestones[i],
        InputTarget::StartYear(m) => inputs.metrics[m].start_year.map_or(f64::NAN, f64::from),
        InputTarget::Cap(m) => inputs.metrics[m].cap.unwrap_or(f64::NAN),
        InputTarget::GrowthRate(m) => inputs.metrics[m].growth_rate.unwrap_or(f64::NAN),
        InputTarget::Fit(m) => inputs.metrics[m].fit_position,
    }
}

/// A wide default search range for an input.
pub fn default_range(scenario: &Scenario, input: InputTarget) -> (f64, f64) {
    let base = base_value(scenario, input);
    match input {
        InputTarget::StartYear(m) => {
            let last = scenario.metrics[m]
                .milestones
                .first()
                .map_or(scenario.target_year, |p| p.year);
            (f64::from(scenario.baseline_year + 1), f64::from(last - 1))
        }
        InputTarget::GrowthRate(_) => (-0.99, 2.0),
        // From the 0.1st to the 99.9th percentile of the fit's band.
        InputTarget::Fit(m) => {
            let t = scenario.metrics[m].fit.as_ref().map_or(f64::NAN, |f| {
                crate::stats::distribution::Distribution::StudentT { dof: f.dof() }.quantile(0.999)
            });
            (-t, t)
        }
        InputTarget::Cap(m) => {
            let metric = &scenario.metrics[m];
            let highest = metric
                .given_points()
                .map(|p| p.value)
                .fold(f64::NEG_INFINITY, f64::max);
            (highest * (1.0 + 1e-9), highest * 100.0)
        }
        InputTarget::Baseline(m) | InputTarget::Target(m) | InputTarget::Milestone(m, _) => {
            let cap = match scenario.metrics[m].shape {
                Shape::Logistic { cap } | Shape::Gompertz { cap } => Some(cap),
                _ => None,
            };
            let (lo, hi) = if base > 0.0 {
                (base / 10.0, base * 10.0)
            } else if base < 0.0 {
                (base * 10.0, base / 10.0)
            } else {
                (-1.0, 1.0)
            };
            match cap {
                Some(c) => (lo, hi.min(c * (1.0 - 1e-9))),
                None => (lo, hi),
            }
        }
    }
}

/// The scenario with the input fixed at `value` and no longer uncertain.
fn fixed(scenario: &Scenario, input: InputTarget, value: f64) -> Scenario {
    let mut s = scenario.clone();
    match input {
        InputTarget::Baseline(m) => s.metrics[m].baseline.value = value,
        InputTarget::Target(m) => s.metrics[m].target.value = value,
        InputTarget::Milestone(m, i) => s.metrics[m].milestones[i].value = value,
        InputTarget::StartYear(m) => {
            if let Some(start) = &mut s.metrics[m].start {
                start.year = value.round() as i32;
            }
        }
        InputTarget::Cap(m) => {
            if let Shape::Logistic { cap } | Shape::Gompertz { cap } = &mut s.metrics[m].shape {
                *cap = value;
            }
        }
        InputTarget::GrowthRate(m) => {
            if let Some(start) = &mut s.metrics[m].start {
                start.growth = PreStartGrowth::Rate(value);
            }
        }
        InputTarget::Fit(m) => {
            if let Some(f) = &mut s.metrics[m].fit {
                let moved: Vec<f64> = (0..f.values.len()).map(|i| f.value_at(i, value)).collect();
                f.values = moved;
            }
        }
    }
    if let Some(u) = &mut s.uncertainty
        && let Some(gone) = u.inputs.iter().position(|i| i.target == input)
    {
        u.inputs.remove(gone);
        // The fixed input's correlations with the others no longer apply; the others keep
        // theirs among themselves (the matrix without its row and column, positive
        // definite as every principal submatrix of a positive definite matrix is).
        u.correlation = u.correlation.take().and_then(|c| without(c, gone));
    }
    s
}

/// Whether `input` is uncertain in the scenario, and if so whether it is correlated with
/// other inputs: what solving for it with a probability sets aside.
pub fn set_aside(scenario: &Scenario, input: InputTarget) -> Option<bool> {
    let u = scenario.uncertainty.as_ref()?;
    let i = u.inputs.iter().position(|i| i.target == input)?;
    Some(
        u.correlation
            .as_ref()
            .is_some_and(|c| c.inputs.contains(&i)),
    )
}

/// `c` without uncertain input `gone` (an index into the inputs before it was removed),
/// the inputs after it renumbered; `None` when fewer than two inputs are left in it.
fn without(c: Correlation, gone: usize) -> Option<Correlation> {
    let kept: Vec<usize> = (0..c.inputs.len())
        .filter(|&k| c.inputs[k] != gone)
        .collect();
    if kept.len() < 2 {
        return None;
    }
    let inputs = kept
        .iter()
        .map(|&k| c.inputs[k] - usize::from(c.inputs[k] > gone))
        .collect();
    let matrix = if kept.len() == c.inputs.len() {
        c.matrix
    } else {
        let rows: Vec<Vec<f64>> = kept
            .iter()
            .map(|&r| kept.iter().map(|&k| c.matrix.get(r, k)).collect())
            .collect();
        CorrelationMatrix::new(&rows).ok()?
    };
    Some(Correlation { inputs, matrix })
}

/// Points the range is first scanned at, to find every bracket of the goal.
pub const SCAN_POINTS: usize = 65;

/// Solves the problem.
///
/// The range is scanned at [`SCAN_POINTS`] points (spaced logarithmically when it is
/// positive and spans more than a factor 100); each pair of neighbouring points that can
/// both be projected and whose results lie on either side of the goal brackets a root,
/// which Brent's method narrows. A root counts only when the projected result meets the
/// goal within a tolerance relative to the goal: where the result jumps across the goal (a
/// ratio whose denominator crosses zero), Brent converges to the jump, the check fails,
/// and the jump is reported as such. Of several roots, the one nearest the file's value
/// is given, and the others are listed.
pub fn solve(problem: &Problem) -> Result<Solution, NoSolution> {
    let scenario = problem.scenario;
    let range = problem
        .range
        .unwrap_or_else(|| default_range(scenario, problem.input));
    let mut evaluations = 0;
    let mut workspace = Workspace::default();
    let mut projection = Projection::empty(scenario);
    let mut evaluate = |v: f64| -> f64 {
        evaluations += 1;
        match problem.probability {
            None => {
                let mut inputs = Inputs::base(scenario);
                apply(&mut inputs, problem.input, v);
                match project_into(scenario, &inputs, &mut workspace, &mut projection) {
                    Ok(()) => check::evaluate(scenario, &projection, None, &problem.quantity),
                    Err(_) => f64::NAN,
                }
            }
            Some((_, settings)) => {
                let s = fixed(scenario, problem.input, v);
                let Ok(p) = crate::model::project(&s) else {
                    return f64::NAN;
                };
                let mc: MonteCarlo = monte_carlo::run(&s, settings, None);
                let q = Quantity::Probability(
                    Box::new(problem.quantity.clone()),
                    check::expr::Cmp::Ge,
                    problem.goal,
                );
                check::evaluate(&s, &p, Some(&mc), &q)
            }
        }
    };
    let target = problem.probability.map_or(problem.goal, |(p, _)| p);
    // How close counts as reaching the goal: a relative tolerance on deterministic goals;
    // one draw in the simulation for probabilities, which move in steps of 1/draws.
    let tolerance = match problem.probability {
        Some((_, settings)) => 1.5 / settings.draws as f64,
        None => 1e-9 * target.abs().max(1e-9),
    };

    if let InputTarget::StartYear(m) = problem.input {
        return solve_start_year(scenario, m, range, target, tolerance, &mut evaluate).map(
            |mut s| {
                s.evaluations = evaluations;
                s
            },
        );
    }

    // Scan.
    let (lo, hi) = range;
    let logarithmic = lo > 0.0 && hi / lo > 100.0;
    let points: Vec<f64> = (0..SCAN_POINTS)
        .map(|i| {
            let t = i as f64 / (SCAN_POINTS - 1) as f64;
            if logarithmic {
                lo * (hi / lo).powf(t)
            } else {
                lo + (hi - lo) * t
            }
        })
        .collect();
    let values: Vec<f64> = points.iter().map(|&v| evaluate(v)).collect();
    let finite: Vec<(f64, f64)> = points
        .iter()
        .zip(&values)
        .filter(|(_, f)| f.is_finite())
        .map(|(&v, &f)| (v, f))
        .collect();
    let (Some(&(_, first)), true) = (finite.first(), !finite.is_empty()) else {
        return Err(NoSolution {
            message: format!(
                "the scenario cannot be projected anywhere from {} to {}",
                short(lo),
                short(hi)
            ),
            reason: Reason::Infeasible,
            ends: None,
        });
    };
    let (min, max) = finite
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &(_, f)| {
            (a.min(f), b.max(f))
        });
    if max - min <= 1e-12 * first.abs().max(1e-300) {
        return Err(NoSolution {
            message: format!("no value from {} to {} changes it", short(lo), short(hi)),
            reason: Reason::Unmovable(first),
            ends: Some(((lo, hi), (first, first))),
        });
    }

    // Brackets: neighbouring scan points, both projected, on either side of the goal.
    let mut roots: Vec<(f64, f64)> = Vec::new();
    let mut jumps: Vec<f64> = Vec::new();
    for w in points.windows(2).zip(values.windows(2)) {
        let ([a, b], [fa, fb]) = (w.0, w.1) else {
            continue;
        };
        let (ga, gb) = (fa - target, fb - target);
        if !(ga.is_finite() && gb.is_finite()) || ga * gb > 0.0 {
            continue;
        }
        let root = if ga == 0.0 {
            Some(*a)
        } else if gb == 0.0 {
            Some(*b)
        } else {
            brent(&mut evaluate, (*a, ga), (*b, gb), target)
        };
        let Some(x) = root else {
            continue;
        };
        let achieved = evaluate(x);
        if (achieved - target).abs() <= tolerance {
            if !roots
                .iter()
                .any(|(r, _)| (r - x).abs() <= 1e-9 * x.abs().max(1e-12))
            {
                roots.push((x, achieved));
            }
        } else {
            jumps.push(x);
        }
    }
    let base = base_value(scenario, problem.input);
    roots.sort_by(|p, q| (p.0 - base).abs().total_cmp(&(q.0 - base).abs()));
    match roots.first() {
        Some(&(value, achieved)) => Ok(Solution {
            value,
            achieved,
            range,
            evaluations,
            years: Vec::new(),
            others: roots[1..].iter().map(|r| r.0).collect(),
        }),
        None if !jumps.is_empty() => Err(NoSolution {
            message: format!(
                "the result jumps across it at {} ({})",
                jumps.iter().map(|x| short(*x)).collect::<Vec<_>>().join(", "),
                if problem.probability.is_some() {
                    // The probability moves by steps only where many draws share a value:
                    // the quantity does not vary once the input is held there.
                    "many draws take the same value there: with the input held fixed, no other uncertain input may move the quantity; solve without --probability"
                } else {
                    "a pole or a break, e.g. a denominator crossing zero"
                }
            ),
            reason: Reason::Jump,
            ends: Some(((lo, hi), (min, max))),
        }),
        None if min <= target && target <= max => Err(NoSolution {
            message: "the result passes it only across values that cannot be projected (a break, e.g. a denominator of zero)".into(),
            reason: Reason::Jump,
            ends: Some(((lo, hi), (min, max))),
        }),
        None => Err(NoSolution {
            message: String::new(),
            reason: Reason::NotReached,
            ends: Some(((lo, hi), (min, max))),
        }),
    }
}

/// Start years are whole numbers: every year in the range that the metric can start in
/// is tried (the range is clipped to those years, so it never costs more than the
/// horizon).
fn solve_start_year(
    scenario: &Scenario,
    metric: usize,
    range: (f64, f64),
    target: f64,
    tolerance: f64,
    evaluate: &mut dyn FnMut(f64) -> f64,
) -> Result<Solution, NoSolution> {
    let (first, last) = start_years(scenario, metric);
    let a = (range.0.ceil().max(f64::from(first))) as i32;
    let b = (range.1.floor().min(f64::from(last))) as i32;
    if a > b {
        return Err(NoSolution {
            message: format!(
                "no start year in the range: the programme can start from {first} to {last}"
            ),
            reason: Reason::Infeasible,
            ends: None,
        });
    }
    let years: Vec<(i32, f64)> = (a..=b).map(|y| (y, evaluate(f64::from(y)))).collect();
    let finite: Vec<(i32, f64)> = years
        .iter()
        .copied()
        .filter(|(_, x)| x.is_finite())
        .collect();
    let Some(&(_, first_value)) = finite.first() else {
        return Err(NoSolution {
            message: format!("no start year from {a} to {b} could be projected"),
            reason: Reason::Infeasible,
            ends: None,
        });
    };
    let (min, max) = finite
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(p, q), &(_, f)| {
            (p.min(f), q.max(f))
        });
    let span = ((f64::from(a), f64::from(b)), (min, max));
    if max - min <= 1e-12 * first_value.abs().max(1e-300) {
        return Err(NoSolution {
            message: format!("every start year from {a} to {b} gives the same result"),
            reason: Reason::Unmovable(first_value),
            ends: Some(span),
        });
    }
    // The goal must be reached, or lie between two neighbouring years' results.
    let reached = finite.iter().any(|(_, f)| (f - target).abs() <= tolerance)
        || finite
            .windows(2)
            .any(|w| (w[0].1 - target) * (w[1].1 - target) <= 0.0);
    if !reached {
        return Err(NoSolution {
            message: String::new(),
            reason: Reason::NotReached,
            ends: Some(span),
        });
    }
    let (year, achieved) = finite
        .iter()
        .min_by(|p, q| (p.1 - target).abs().total_cmp(&(q.1 - target).abs()))
        .copied()
        .unwrap_or((a, first_value));
    Ok(Solution {
        value: f64::from(year),
        achieved,
        range: (f64::from(a), f64::from(b)),
        evaluations: 0,
        years,
        others: Vec::new(),
    })
}

/// The years a metric's programme can start in: after the baseline year, before its
/// first milestone (or the target year).
fn start_years(scenario: &Scenario, metric: usize) -> (i32, i32) {
    let last = scenario.metrics[metric]
        .milestones
        .first()
        .map_or(scenario.target_year, |p| p.year);
    (scenario.baseline_year + 1, last - 1)
}

/// Brent's method (zeroin; Brent 1973, ch. 4) on a bracket [a, b] whose results `fa`,
/// `fb` (minus the target) have opposite signs; `None` when the function cannot be
/// evaluated inside it.
fn brent(
    evaluate: &mut dyn FnMut(f64) -> f64,
    (mut a, mut fa): (f64, f64),
    (mut b, mut fb): (f64, f64),
    target: f64,
) -> Option<f64> {
    let tolerance = 1e-12 * a.abs().max(b.abs()).max(1e-300);
    let (mut c, mut fc) = (a, fa);
    let (mut d, mut e) = (b - a, b - a);
    for _ in 0..200 {
        if fb * fc > 0.0 {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + tolerance / 2.0;
        let m = (c - b) / 2.0;
        if m.abs() <= tol || fb == 0.0 {
            break;
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * m * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(m) };
        fb = evaluate(b) - target;
        if !fb.is_finite() {
            return None;
        }
    }
    Some(b)
}

/// A solved value: 6 significant digits, in scientific notation when very large or small.
pub fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return crate::format::significant(v);
    }
    let magnitude = v.abs().log10().floor() as i32;
    if !(-6..9).contains(&magnitude) {
        return format!("{v:.5e}");
    }
    crate::format::fixed(v, (5 - magnitude).max(0) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs 0..4 with a correlation over inputs 3, 0 and 2 in that matrix order: taking
    /// out input 2 keeps 3 and 0's entry, renumbered 2 and 0; taking out input 3 keeps 0
    /// and 2's; taking out input 1 (not in it) keeps the matrix and renumbers; taking out
    /// one of two leaves none.
    #[test]
    fn a_fixed_input_leaves_the_others_correlation() {
        let rows = [
            vec![1.0, 0.3, -0.2],
            vec![0.3, 1.0, 0.6],
            vec![-0.2, 0.6, 1.0],
        ];
        let c = || Correlation {
            inputs: vec![3, 0, 2],
            matrix: CorrelationMatrix::new(&rows).unwrap(),
        };
        let left = without(c(), 2).unwrap();
        assert_eq!(left.inputs, [2, 0]);
        assert_eq!(left.matrix.size(), 2);
        assert_eq!(left.matrix.get(0, 1), 0.3);
        assert_eq!(left.matrix.get(1, 0), 0.3);
        let left = without(c(), 3).unwrap();
        assert_eq!(left.inputs, [0, 2]);
        assert_eq!(left.matrix.get(0, 1), 0.6);
        let left = without(c(), 1).unwrap();
        assert_eq!(left.inputs, [2, 0, 1]);
        assert_eq!(left.matrix.get(0, 2), -0.2);
        let two = Correlation {
            inputs: vec![1, 4],
            matrix: CorrelationMatrix::new(&[vec![1.0, 0.5], vec![0.5, 1.0]]).unwrap(),
        };
        assert!(without(two, 4).is_none());
    }
}
