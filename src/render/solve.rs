//! The answer of `kjproj solve` in words: the value found, what it gives, what it means as
//! growth, and, when there is none, why.

use std::fmt::Write as _;

use crate::check::{self, expr};
use crate::format::fixed;
use crate::model::{self, shape::cagr};
use crate::scenario::{InputTarget, RatioKind};
use crate::solve::{NoSolution, Problem, Reason, Solution, base_value, set_aside, short};

/// What the answer is about.
pub struct Framing<'a> {
    /// The problem solved.
    pub problem: &'a Problem<'a>,
    /// The input's name as the user wrote it (canonical form).
    pub name: &'a str,
    /// The goal as typed, for the hint about `%`.
    pub goal_text: &'a str,
    /// Whether the search range was the default (then a wider one may be suggested).
    pub default_range: bool,
}

impl Framing<'_> {
    fn shown(&self, v: f64) -> String {
        check::show(self.problem.scenario, &self.problem.quantity, v)
    }

    /// A result: the quantity's value, or a probability in percent.
    fn result(&self, v: f64) -> String {
        match self.problem.probability {
            Some(_) => format!("{}%", fixed(v * 100.0, 1)),
            None => self.shown(v),
        }
    }

    fn words(&self) -> String {
        check::quantity_words(&self.problem.quantity, &|v| self.shown(v))
    }

    /// A share goal written without `%` (`share[2031] = 15`) asks for 1500%: say so.
    fn percent_hint(&self) -> String {
        let p = self.problem;
        let is_share = p
            .scenario
            .ratios
            .iter()
            .any(|r| r.name == p.quantity.series().name && r.kind == RatioKind::Share);
        if is_share
            && p.probability.is_none()
            && matches!(p.quantity, expr::Quantity::Value(_))
            && p.goal.abs() > 1.0
            && !self.goal_text.contains('%')
        {
            format!(
                "; shares are fractions, so the goal is {}: did you mean `{}%`?",
                self.shown(p.goal),
                self.goal_text.trim()
            )
        } else {
            String::new()
        }
    }
}

/// Why there is no solution, in one sentence.
pub fn no_solution(f: &Framing, e: &NoSolution) -> String {
    let p = f.problem;
    let (name, words) = (f.name, f.words());
    let target = p.probability.map_or(p.goal, |(q, _)| q);
    let hint = f.percent_hint();
    match (e.reason, e.ends) {
        (Reason::Unmovable(v), Some(((a, b), _))) => format!(
            "no value of {name} from {} to {} moves {words}: it stays at {} (goal {}){hint}",
            short(a),
            short(b),
            f.result(v),
            f.result(target)
        ),
        (Reason::NotReached | Reason::Jump, Some(((a, b), (lo, hi)))) => format!(
            "no value of {name} from {} to {} reaches the goal{}; over that range the result goes from {} to {} (goal {}){}{hint}",
            short(a),
            short(b),
            if e.message.is_empty() {
                String::new()
            } else {
                format!(": {}", e.message)
            },
            f.result(lo),
            f.result(hi),
            f.result(target),
            if f.default_range
                && e.reason == Reason::NotReached
                && !matches!(p.input, InputTarget::StartYear(_))
            {
                "; try a wider --range"
            } else {
                ""
            }
        ),
        _ => e.message.clone(),
    }
}

/// The answer: the value, what it gives, other values that reach the goal, start years
/// tried, what the value means as growth, and how the search went.
pub fn answer(f: &Framing, solution: &Solution) -> String {
    let p = f.problem;
    let (scenario, input, goal, name) = (p.scenario, p.input, p.goal, f.name);
    let words = f.words();
    let shown = |v: f64| f.shown(v);
    let result_words = |v: f64| f.result(v);
    let mut out = String::new();
    match p.probability {
        None if !solution.years.is_empty() => {
            let _ = writeln!(
                out,
                "{name} = {} comes closest: {words} = {} (goal {})",
                short(solution.value),
                shown(solution.achieved),
                shown(goal)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "{name} = {} makes {words} = {}",
                short(solution.value),
                shown(goal)
            );
            let _ = writeln!(
                out,
                "  (the file has {}; with the solution {words} = {})",
                short(base_value(scenario, input)),
                shown(solution.achieved)
            );
        }
        Some((p, settings)) => {
            let _ = writeln!(
                out,
                "{name} = {} gives P({words} ≥ {}) = {}% (goal {}%)",
                short(solution.value),
                shown(goal),
                fixed(solution.achieved * 100.0, 1),
                fixed(p * 100.0, 1)
            );
            let _ = writeln!(
                out,
                "  ({} draws per evaluation, seed {}; the file has {})",
                settings.draws,
                settings.seed,
                short(base_value(scenario, input))
            );
            if let Some(correlated) = set_aside(scenario, input) {
                // Each value tried is the input's value in every draw: its own range (and
                // its correlations) cannot apply while it is being solved for.
                let _ = writeln!(
                    out,
                    "  ({name} is held at each value tried: its range in [uncertainty]{} set aside)",
                    if correlated {
                        " and its correlations with other inputs"
                    } else {
                        ""
                    }
                );
            }
        }
    }
    if !solution.others.is_empty() {
        let _ = writeln!(
            out,
            "  other values that reach the goal in the range: {}",
            solution
                .others
                .iter()
                .map(|v| short(*v))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !solution.years.is_empty() {
        for (year, v) in &solution.years {
            let _ = writeln!(out, "  start {year}: {}", result_words(*v));
        }
    }
    // What a solved value means as growth.
    if let InputTarget::Target(m) | InputTarget::Baseline(m) | InputTarget::Milestone(m, _) = input
    {
        let mut s = scenario.clone();
        match input {
            InputTarget::Target(_) => s.metrics[m].target.value = solution.value,
            InputTarget::Baseline(_) => s.metrics[m].baseline.value = solution.value,
            InputTarget::Milestone(_, i) => s.metrics[m].milestones[i].value = solution.value,
            _ => {}
        }
        if let Ok(p) = model::project(&s) {
            let path = &p.metrics[m];
            let metric = &s.metrics[m];
            let span = f64::from(s.target_year - s.baseline_year);
            if let Some(g) = cagr(path[0], path[path.len() - 1], span) {
                let _ = write!(
                    out,
                    "  {}: {} → {} in {}–{}, a CAGR of {}%",
                    metric.name,
                    short(path[0]),
                    short(path[path.len() - 1]),
                    s.baseline_year,
                    s.target_year,
                    fixed(g * 100.0, 2)
                );
                if let Some(start) = &metric.start {
                    let i = (start.year - s.baseline_year) as usize;
                    if let Some(g2) = cagr(
                        path[i],
                        path[path.len() - 1],
                        f64::from(s.target_year - start.year),
                    ) {
                        let _ = write!(
                            out,
                            " ({}% a year {}–{})",
                            fixed(g2 * 100.0, 2),
                            start.year,
                            s.target_year
                        );
                    }
                }
                out.push('\n');
            }
        }
    }
    let _ = writeln!(
        out,
        "  searched {} to {}, {} evaluations{}",
        short(solution.range.0),
        short(solution.range.1),
        solution.evaluations,
        if solution.years.is_empty() {
            " (Brent's method)"
        } else {
            ""
        }
    );
    out
}
