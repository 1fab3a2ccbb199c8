//! `kjproj solve`: which value of one input makes an output reach a goal.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::terminal::out;
use crate::check::{self, expr};
use crate::error::Error;
use crate::evaluate::{self, Overrides, Settings};
use crate::format::fixed;
use crate::model::{self, shape::cagr};
use crate::scenario::{self, BASE, InputTarget, RatioKind};
use crate::solve::{self, Problem, Reason, base_value, short};

/// Default Monte Carlo draws per evaluation when solving for a probability.
pub const DEFAULT_SOLVE_DRAWS: u64 = 20_000;

/// Options of `kjproj solve`.
#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The input to vary, e.g. `metrics.sales.target.value`.
    pub vary: String,
    /// The goal, e.g. `share[2031] = 15%`.
    pub goal: String,
    /// Search range `LO..HI`, if given.
    pub range: Option<String>,
    /// Solve for P(quantity ≥ goal) = this, under the file's uncertainty.
    pub probability: Option<f64>,
    /// Draws per evaluation for `probability`.
    pub draws: Option<u64>,
    /// Seed for `probability`.
    pub seed: Option<u64>,
    /// The variant to solve in (`None` or `base`: the file itself).
    pub variant: Option<String>,
}

/// Runs `kjproj solve` and prints the answer.
pub fn run(options: &SolveOptions) -> Result<(), Error> {
    let file = scenario::load(&options.scenario)?;
    let (scenario, _) = evaluate::select(&file, options.variant.as_deref().unwrap_or(BASE))?;
    // A file the model cannot project is a file error, with its position.
    evaluate::project(scenario)?;
    let usage = |m: String| Error::Usage(m);
    let (input, name) = scenario
        .input(&options.vary)
        .map_err(|m| usage(format!("--vary: {m}")))?;
    let (quantity, goal) = expr::parse_goal(&options.goal).map_err(|e| {
        usage(format!(
            "--goal `{}`: {} (at `{}`)",
            options.goal,
            e.message,
            options.goal.get(e.at..).unwrap_or("")
        ))
    })?;
    // The goal must name something the scenario has: validate it as a check would.
    let known = |n: &str| {
        scenario.metrics.iter().any(|m| m.name == n) || scenario.ratios.iter().any(|r| r.name == n)
    };
    if !known(&quantity.series().name) {
        return Err(usage(format!(
            "--goal: unknown metric or ratio `{}`",
            quantity.series().name
        )));
    }
    if quantity.needs_simulation() {
        return Err(usage(
            "--goal takes a value, growth or CAGR; for a probability use --probability".into(),
        ));
    }
    let range = match &options.range {
        None => None,
        Some(r) => {
            let (lo, hi) = r
                .split_once("..")
                .and_then(|(a, b)| {
                    Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?))
                })
                .filter(|(a, b)| a < b && a.is_finite() && b.is_finite())
                .ok_or_else(|| usage(format!("--range `{r}` is not LO..HI with LO below HI")))?;
            Some((lo, hi))
        }
    };
    let probability = match options.probability {
        None => None,
        Some(p) if p > 0.0 && p < 1.0 => {
            if scenario
                .uncertainty
                .as_ref()
                .is_none_or(|u| u.inputs.is_empty())
            {
                return Err(usage("--probability needs uncertain inputs: the scenario has no [uncertainty.inputs]".into()));
            }
            if !matches!(quantity, expr::Quantity::Value(_)) {
                return Err(usage(
                    "--probability takes a goal on a value, e.g. `share[2031] = 15%`".into(),
                ));
            }
            // The same settings as every other command; only the draws per evaluation
            // default lower, since the search evaluates many times.
            let overrides = Overrides {
                draws: Some(options.draws.unwrap_or(DEFAULT_SOLVE_DRAWS)),
                seed: options.seed,
                ..Overrides::default()
            };
            overrides.validate()?;
            Some((p, Settings::resolve(scenario, &overrides).simulation))
        }
        Some(p) => {
            return Err(usage(format!(
                "--probability must be between 0 and 1, not {p}"
            )));
        }
    };

    let target_value = probability.map_or(goal, |(p, _)| p);
    let problem = Problem {
        scenario,
        input,
        quantity: quantity.clone(),
        goal,
        range,
        probability,
    };
    let shown = |v: f64| check::show(scenario, &quantity, v);
    let result_words = |v: f64| match probability {
        Some(_) => format!("{}%", fixed(v * 100.0, 1)),
        None => shown(v),
    };
    // A share goal written without `%` (`share[2031] = 15`) asks for 1500%.
    let is_share = scenario
        .ratios
        .iter()
        .any(|r| r.name == quantity.series().name && r.kind == RatioKind::Share);
    let percent_hint = if is_share
        && probability.is_none()
        && matches!(quantity, expr::Quantity::Value(_))
        && goal.abs() > 1.0
        && !options.goal.contains('%')
    {
        format!(
            "; shares are fractions, so the goal is {}: did you mean `{}%`?",
            shown(goal),
            options.goal.trim()
        )
    } else {
        String::new()
    };
    let solution = solve::solve(&problem).map_err(|e| {
        let words = check::quantity_words(&quantity, &shown);
        Error::NoSolution(match (e.reason, e.ends) {
            (Reason::Unmovable(v), Some(((a, b), _))) => format!(
                "no value of {name} from {} to {} moves {words}: it stays at {} (goal {}){percent_hint}",
                short(a),
                short(b),
                result_words(v),
                result_words(target_value)
            ),
            (Reason::NotReached | Reason::Jump, Some(((a, b), (lo, hi)))) => format!(
                "no value of {name} from {} to {} reaches the goal{}; over that range the result goes from {} to {} (goal {}){}{percent_hint}",
                short(a),
                short(b),
                if e.message.is_empty() {
                    String::new()
                } else {
                    format!(": {}", e.message)
                },
                result_words(lo),
                result_words(hi),
                result_words(target_value),
                if options.range.is_none()
                    && e.reason == Reason::NotReached
                    && !matches!(input, InputTarget::StartYear(_))
                {
                    "; try a wider --range"
                } else {
                    ""
                }
            ),
            _ => e.message,
        })
    })?;
    let words = check::quantity_words(&quantity, &shown);
    let mut out = String::new();
    match probability {
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
    if let Some(v) = &options.variant
        && v != BASE
    {
        out = format!("in variant {v}:\n{out}");
    }
    out!("{out}");
    Ok(())
}
