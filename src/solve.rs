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
use crate::scenario::{InputTarget, PreStartGrowth, Scenario, Shape};
use crate::sensitivity::apply;
use crate::sensitivity::monte_carlo::{self, MonteCarlo};

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
}

/// Why there is no solution.
#[derive(Debug, Clone, PartialEq)]
pub struct NoSolution {
    /// What went wrong, in words.
    pub message: String,
    /// When the goal is not bracketed: the range and the results at its ends.
    pub ends: Option<((f64, f64), (f64, f64))>,
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
        InputTarget::Cap(m) => {
            let metric = &scenario.metrics[m];
            let highest = metric
                .milestones
                .iter()
                .map(|p| p.value)
                .chain([metric.baseline.value, metric.target.value])
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
    }
    if let Some(u) = &mut s.uncertainty
        && let Some(gone) = u.inputs.iter().position(|i| i.target == input)
    {
        u.inputs.remove(gone);
        let correlated = u
            .correlation
            .as_ref()
            .is_some_and(|c| c.inputs.contains(&gone));
        if correlated {
            // A correlation with the fixed input no longer applies.
            u.correlation = None;
        } else if let Some(c) = &mut u.correlation {
            for i in &mut c.inputs {
                if *i > gone {
                    *i -= 1;
                }
            }
        }
    }
    s
}

/// Solves the problem.
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
                    problem.quantity.series().clone(),
                    check::expr::Cmp::Ge,
                    problem.goal,
                );
                check::evaluate(&s, &p, Some(&mc), &q)
            }
        }
    };
    let target = problem.probability.map_or(problem.goal, |(p, _)| p);

    if let InputTarget::StartYear(_) = problem.input {
        let (a, b) = (range.0.ceil() as i32, range.1.floor() as i32);
        let years: Vec<(i32, f64)> = (a..=b).map(|y| (y, evaluate(f64::from(y)))).collect();
        // The year whose result is closest to the goal.
        let best = years
            .iter()
            .filter(|(_, x)| x.is_finite())
            .min_by(|p, q| (p.1 - target).abs().total_cmp(&(q.1 - target).abs()))
            .copied();
        return match best {
            Some((year, achieved)) => Ok(Solution {
                value: f64::from(year),
                achieved,
                range,
                evaluations,
                years,
            }),
            None => Err(NoSolution {
                message: format!("no start year from {a} to {b} could be projected"),
                ends: None,
            }),
        };
    }

    let (mut a, mut b) = range;
    let (mut fa, mut fb) = (evaluate(a) - target, evaluate(b) - target);
    if !fa.is_finite() || !fb.is_finite() {
        return Err(NoSolution {
            message: format!(
                "the scenario cannot be projected at the {} end of the range ({}); narrow it with --range",
                if fa.is_finite() { "upper" } else { "lower" },
                if fa.is_finite() { b } else { a }
            ),
            ends: None,
        });
    }
    if fa * fb > 0.0 {
        return Err(NoSolution {
            message: format!("no value from {a} to {b} reaches the goal"),
            ends: Some(((a, b), (fa + target, fb + target))),
        });
    }
    // Brent's method (zeroin), after Brent (1973) ch. 4.
    let tolerance = 1e-12 * a.abs().max(b.abs()).max(1.0);
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
            return Err(NoSolution {
                message: format!("the scenario cannot be projected at {b}"),
                ends: None,
            });
        }
    }
    Ok(Solution {
        value: b,
        achieved: fb + target,
        range,
        evaluations,
        years: Vec::new(),
    })
}
