//! `kjproj solve`: which value of one input makes an output reach a goal.

use std::path::PathBuf;

use super::terminal::out;
use crate::check::expr;
use crate::error::Error;
use crate::evaluate::{self, Overrides, Settings};
use crate::render;
use crate::scenario::{self, BASE};
use crate::solve::{self, Problem};

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
    /// Print the answer as JSON.
    pub json: bool,
}

/// Runs `kjproj solve` and prints the answer.
pub fn run(options: &SolveOptions) -> Result<(), Error> {
    let file = scenario::load(&options.scenario)?;
    let (doc, text) = answer(&file, options)?;
    if options.json {
        out!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        );
    } else {
        out!("{text}");
    }
    Ok(())
}

/// Solves `options` (its `scenario` path aside) in `file`: the answer as a JSON document
/// (what `--json` prints) and as text; no solution in the range is
/// [`Error::NoSolution`], saying why.
pub fn answer(
    file: &scenario::Scenario,
    options: &SolveOptions,
) -> Result<(serde_json::Value, String), Error> {
    let (scenario, _) = evaluate::select(file, options.variant.as_deref().unwrap_or(BASE))?;
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
            if scenario
                .uncertainty
                .as_ref()
                .is_some_and(|u| u.inputs.iter().all(|i| i.target == input))
            {
                return Err(usage(format!(
                    "--probability: {name} is the only uncertain input, and it is held at each value tried, so nothing is left uncertain; solve without --probability"
                )));
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
            // The search runs a simulation per point of its scan and per step after.
            evaluate::cost::check_scenarios(
                [scenario],
                file,
                &Overrides {
                    sobol_samples: Some(0),
                    ..overrides.clone()
                },
                evaluate::Analyses::ALL,
                evaluate::cost::Repeats((crate::solve::SCAN_POINTS + 60) as f64),
            )?;
            Some((p, Settings::resolve(scenario, &overrides).simulation))
        }
        Some(p) => {
            return Err(usage(format!(
                "--probability must be between 0 and 1, not {p}"
            )));
        }
    };

    let problem = Problem {
        scenario,
        input,
        quantity: quantity.clone(),
        goal,
        range,
        probability,
    };
    let framing = render::solve::Framing {
        problem: &problem,
        name: &name,
        goal_text: &options.goal,
        default_range: options.range.is_none(),
    };
    let solution = solve::solve(&problem)
        .map_err(|e| Error::NoSolution(render::solve::no_solution(&framing, &e)))?;
    let doc = serde_json::json!({
            "variant": options.variant.as_deref().unwrap_or(BASE),
            "vary": name,
            "goal": options.goal,
            "probability": options.probability,
            "value": solution.value,
            "achieved": if solution.achieved.is_finite() {
                serde_json::json!(solution.achieved)
            } else {
                serde_json::Value::Null
            },
            "range": [solution.range.0, solution.range.1],
            "evaluations": solution.evaluations,
            "other_solutions": solution.others,
            // With --probability, what of the solved input's uncertainty was set aside.
            "set_aside": match (options.probability, solve::set_aside(scenario, input)) {
                (Some(_), Some(true)) => serde_json::json!(["range", "correlations"]),
                (Some(_), Some(false)) => serde_json::json!(["range"]),
                _ => serde_json::json!([]),
            },
    });
    let mut text = render::solve::answer(&framing, &solution);
    if let Some(v) = &options.variant
        && v != BASE
    {
        text = format!("in variant {v}:\n{text}");
    }
    Ok((doc, text))
}
