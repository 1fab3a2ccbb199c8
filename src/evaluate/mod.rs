//! One evaluation per scenario and variant: the deterministic projection, the stated
//! figures against derived values, the checks, the sensitivity analyses and the warnings,
//! as one typed result that every renderer (terminal, CSV, Markdown, charts) only reads.
//!
//! ```text
//! scenario::load ──▶ Settings::resolve ──▶ evaluate ──▶ Evaluation ──▶ render::* / export
//! ```
//!
//! Every command goes through [`evaluate`], so a variant gets exactly what the base gets:
//! its own projection, its own ranges (see `scenario/ranges.rs`), its own checks.

pub mod cost;
pub mod partial;
pub mod settings;
pub mod warning;

use std::sync::atomic::AtomicU64;

use crate::check::{self, Outcome, Simulation};
use crate::error::Error;
use crate::model::{self, Comparison, Projection};
use crate::scenario::{BASE, MAX_LEFT_OUT, Output, Scenario, Series};
use crate::sensitivity::monte_carlo::{self, MonteCarlo};
use crate::sensitivity::sobol;
use crate::sensitivity::tornado::{self, Tornado};
pub use settings::{Overrides, Settings};
pub use warning::Warning;

/// Which analyses to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Analyses {
    /// Tornado, Monte Carlo and (with `sobol_samples > 0`) Sobol indices, when the
    /// scenario has uncertain inputs.
    pub sensitivity: bool,
    /// The built-in and declared checks (a simulation runs for checks that need one).
    pub checks: bool,
}

impl Analyses {
    /// Everything (`kjproj run`, `kjproj report`).
    pub const ALL: Analyses = Analyses {
        sensitivity: true,
        checks: true,
    };
    /// The projection only (`kjproj compare`, `kjproj solve`).
    pub const PROJECTION: Analyses = Analyses {
        sensitivity: false,
        checks: false,
    };
    /// The checks (`kjproj check`).
    pub const CHECKS: Analyses = Analyses {
        sensitivity: false,
        checks: true,
    };
}

/// The sensitivity analyses of one scenario.
#[derive(Debug, Clone)]
pub struct Sensitivity {
    /// The outputs analysed: the file's `outputs` (and `--output`), or every metric and
    /// ratio in the target year.
    pub outputs: Vec<Output>,
    /// The index of the headline output in `outputs`.
    pub headline: usize,
    /// One-at-a-time swings.
    pub tornado: Tornado,
    /// The Monte Carlo simulation.
    pub monte_carlo: MonteCarlo,
    /// Sobol indices as if the inputs were independent (outputs, estimate), unless skipped.
    pub sobol: Option<(Vec<Output>, sobol::Estimate)>,
    /// Sobol indices under the file's correlations (Kucherenko et al. 2012), when the
    /// file correlates inputs and Sobol indices are not skipped: the ones that describe
    /// the file's model.
    pub sobol_correlated: Option<(Vec<Output>, sobol::Estimate)>,
}

impl Sensitivity {
    /// The headline output.
    pub fn headline_output(&self) -> &Output {
        &self.outputs[self.headline]
    }

    /// Where the simulation keeps output `o`'s draws.
    fn cell(&self, o: usize) -> Cell {
        let out = &self.outputs[o];
        match (&out.quantity, out.quantity.series().year) {
            (crate::scenario::expr::Quantity::Value(_), Some((year, _))) => {
                Cell::Series(out.series, year)
            }
            _ => Cell::Extra(
                self.outputs[..o]
                    .iter()
                    .filter(|x| !matches!(x.quantity, crate::scenario::expr::Quantity::Value(_)))
                    .count(),
            ),
        }
    }

    /// The histogram of the headline output's draws.
    pub fn headline_histogram(&self, scenario: &Scenario, bins: usize) -> monte_carlo::Histogram {
        match self.cell(self.headline) {
            Cell::Series(s, year) => {
                self.monte_carlo
                    .histogram(s, (year - scenario.baseline_year) as usize, bins)
            }
            Cell::Extra(k) => self.monte_carlo.extra_histogram(k, bins),
        }
    }

    /// The headline output's median over the draws.
    pub fn headline_median(&self, scenario: &Scenario) -> f64 {
        match self.cell(self.headline) {
            Cell::Series(s, year) => {
                self.monte_carlo
                    .quantile(s, (year - scenario.baseline_year) as usize, 0.5)
            }
            Cell::Extra(k) => self
                .monte_carlo
                .extra
                .get(k)
                .map_or(f64::NAN, |e| e.percentiles[3]),
        }
    }
}

/// Where a simulation keeps an output's draws.
enum Cell {
    /// A series in a year.
    Series(Series, i32),
    /// The k-th extra quantity.
    Extra(usize),
}

/// Everything found for one scenario: the base or one variant.
#[derive(Debug, Clone)]
pub struct Evaluation<'a> {
    /// The scenario evaluated (a variant's is the whole scenario with its overrides).
    pub scenario: &'a Scenario,
    /// The variant's name, or `None` for the file itself.
    pub variant: Option<&'a crate::scenario::Variant>,
    /// The settings it ran with.
    pub settings: Settings,
    /// The year-by-year paths.
    pub projection: Projection,
    /// Stated figures against derived values.
    pub comparisons: Vec<Comparison>,
    /// Check outcomes (empty unless checks were asked for).
    pub checks: Vec<Outcome>,
    /// The sensitivity analyses, if asked for and the scenario has uncertain inputs.
    pub sensitivity: Option<Sensitivity>,
    /// Warnings, from the checks and the simulation.
    pub warnings: Vec<Warning>,
}

impl Evaluation<'_> {
    /// The variant's name, or `base`.
    pub fn name(&self) -> &str {
        self.variant.map_or(BASE, |v| v.name.as_str())
    }

    /// The variant's label, or `base_label` for the file itself.
    pub fn label<'b>(&'b self, base_label: &'b str) -> &'b str {
        self.variant.map_or(base_label, |v| v.label.as_str())
    }
}

/// The scenario of `name` (`base` or a variant's name), or a usage error listing the
/// names there are.
pub fn select<'a>(
    scenario: &'a Scenario,
    name: &str,
) -> Result<(&'a Scenario, Option<&'a crate::scenario::Variant>), Error> {
    if name == BASE {
        return Ok((scenario, None));
    }
    match scenario.variants.iter().find(|v| v.name == name) {
        Some(v) => Ok((&v.scenario, Some(v))),
        None => Err(Error::Usage(format!(
            "--variant: the scenario has no variant `{name}` (it has: {})",
            std::iter::once(BASE)
                .chain(scenario.variants.iter().map(|v| v.name.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Projects a scenario; a problem the model finds (a value reached at a programme start
/// that the shape cannot take, say) is an error in the file, with its position.
pub fn project(scenario: &Scenario) -> Result<Projection, Error> {
    model::project(scenario)
        .map_err(|e| Error::Scenario(scenario.origin.problem(&e.key, e.message)))
}

/// Evaluates the base (`variant` `None`) or one variant of `file`.
pub fn evaluate<'a>(
    file: &'a Scenario,
    variant: Option<&'a crate::scenario::Variant>,
    overrides: &Overrides,
    analyses: Analyses,
    progress: Option<&AtomicU64>,
) -> Result<Evaluation<'a>, Error> {
    evaluate_from(
        file,
        variant,
        overrides,
        analyses,
        Simulations::Run(progress),
    )
}

/// Where the Monte Carlo simulation of an evaluation comes from.
#[derive(Debug, Clone, Copy)]
pub enum Simulations<'p> {
    /// Run here, adding the draws done to the counter if any (for a progress bar).
    Run(Option<&'p AtomicU64>),
    /// Merged from the partial results of a run split into pieces (`kjproj merge`).
    Merge(&'p partial::Pieces),
}

/// The extra quantities of the one Monte Carlo simulation an evaluation of `scenario`
/// with `analyses` runs, or `None` when it runs none. The simulation keeps the draws of
/// every output that is not a series in a year, and of what the checks ask about
/// (P(sum(…) >= x), say).
fn simulation_plan(
    scenario: &Scenario,
    analyses: Analyses,
    outputs: Option<&[Output]>,
) -> Option<Vec<crate::scenario::expr::Quantity>> {
    match outputs {
        Some(outputs) => {
            let mut extra: Vec<_> = outputs
                .iter()
                .filter(|o| !matches!(o.quantity, crate::scenario::expr::Quantity::Value(_)))
                .map(|o| o.quantity.clone())
                .collect();
            for q in check::extra_quantities(scenario) {
                if !extra.contains(&q) {
                    extra.push(q);
                }
            }
            Some(extra)
        }
        None => {
            let needed = analyses.checks
                && scenario
                    .checks
                    .iter()
                    .any(|c| c.expr.quantity.needs_simulation());
            needed.then(|| check::extra_quantities(scenario))
        }
    }
}

/// The sensitivity outputs (and the index of the headline) of an evaluation, when it
/// runs the sensitivity analyses; `--output` must parse.
fn sensitivity_outputs(
    scenario: &Scenario,
    overrides: &Overrides,
    analyses: Analyses,
) -> Result<Option<(Vec<Output>, usize)>, Error> {
    let uncertain = scenario
        .uncertainty
        .as_ref()
        .is_some_and(|u| !u.inputs.is_empty());
    let extra = overrides
        .output
        .as_deref()
        .map(|text| {
            Output::parse(text, scenario)
                .map_err(|m| Error::Usage(format!("--output `{text}`: {m}")))
        })
        .transpose()?;
    Ok((analyses.sensitivity && uncertain)
        .then(|| crate::sensitivity::outputs(scenario, extra.as_ref())))
}

/// [`evaluate`] with its simulation from `simulations`.
pub fn evaluate_from<'a>(
    file: &'a Scenario,
    variant: Option<&'a crate::scenario::Variant>,
    overrides: &Overrides,
    analyses: Analyses,
    simulations: Simulations,
) -> Result<Evaluation<'a>, Error> {
    evaluate_sharing(file, variant, overrides, analyses, simulations, None, None)
}

/// [`evaluate_from`], with Sobol's bootstrap resamples kept in and read from `shared` when
/// given (see [`sobol::SharedResamples`]).
fn evaluate_sharing<'a>(
    file: &'a Scenario,
    variant: Option<&'a crate::scenario::Variant>,
    overrides: &Overrides,
    analyses: Analyses,
    simulations: Simulations,
    shared: Option<&sobol::SharedResamples>,
    simulated: Option<MonteCarlo>,
) -> Result<Evaluation<'a>, Error> {
    let scenario = variant.map_or(file, |v| &v.scenario);
    let settings = Settings::resolve(scenario, overrides);
    let projection = project(scenario)?;
    let comparisons = model::comparisons(scenario, &projection);
    let sobol_settings = sobol::Settings {
        base_samples: settings.sobol_samples,
        seed: settings.simulation.seed,
        resamples: settings::SOBOL_RESAMPLES,
        confidence: 0.95,
    };
    let with_sobol = settings.sobol_samples > 0;
    let outputs = sensitivity_outputs(scenario, overrides, analyses)?;
    let monte_carlo = simulation_plan(scenario, analyses, outputs.as_ref().map(|o| &o.0[..]))
        .map(|extra| match (simulations, simulated) {
            // Simulated already, with the others of the file (the same simulation).
            (Simulations::Run(_), Some(mc)) => Ok(mc),
            (Simulations::Run(progress), None) => Ok(monte_carlo::run_with(
                scenario,
                settings.simulation,
                progress,
                &extra,
            )),
            (Simulations::Merge(pieces), _) => pieces.simulation(
                variant.map_or(BASE, |v| &v.name),
                scenario,
                settings,
                &extra,
            ),
        })
        .transpose()?;
    if let Some(mc) = &monte_carlo {
        left_out_within_limit(scenario, mc)?;
    }
    let (sensitivity, own) = match (outputs, monte_carlo) {
        (Some((outputs, headline)), Some(monte_carlo)) => {
            // Independent and correlated indices in one go: they share their bootstrap.
            let (sobol, sobol_correlated) = if with_sobol {
                let (independent, correlated) =
                    sobol::run_both_sharing(scenario, outputs.clone(), sobol_settings, shared);
                (Some(independent), correlated)
            } else {
                (None, None)
            };
            (
                Some(Sensitivity {
                    tornado: tornado::run_for(scenario, outputs.clone()),
                    monte_carlo,
                    sobol,
                    sobol_correlated,
                    outputs,
                    headline,
                }),
                None,
            )
        }
        (_, own) => (None, own),
    };
    if crate::error::interrupted() {
        return Err(Error::Interrupted);
    }
    let checks = if analyses.checks {
        // Checks on P(…), percentiles and means read the run's simulation, or one of
        // their own.
        let simulation = match (&sensitivity, &own) {
            (Some(s), _) => Simulation::Done(&s.monte_carlo),
            (None, Some(mc)) => Simulation::Done(mc),
            (None, None) => Simulation::Run(settings.simulation),
        };
        check::run(scenario, &projection, simulation)
    } else {
        Vec::new()
    };
    let mut warnings = if analyses.checks {
        Warning::from_checks(&checks)
    } else {
        Warning::from_checks(&check::builtin(scenario, &projection))
    };
    warnings.extend(
        model::curve_misses(scenario, &projection)
            .into_iter()
            .map(|(i, misses)| Warning::CurveMisses {
                metric: scenario.metrics[i].name.clone(),
                shape: scenario.metrics[i].shape.name(),
                misses,
            }),
    );
    if let Some(s) = &sensitivity {
        warnings.extend(sensitivity_warnings(scenario, s));
    }
    Ok(Evaluation {
        scenario,
        variant,
        settings,
        projection,
        comparisons,
        checks,
        sensitivity,
        warnings,
    })
}

/// The base (`None`) and every variant of `file`, in file order: what `evaluate_all`
/// and any caller that evaluates them one by one go through.
pub fn base_and_variants(
    file: &Scenario,
) -> impl Iterator<Item = Option<&crate::scenario::Variant>> {
    std::iter::once(None).chain(file.variants.iter().map(Some))
}

/// Evaluates the base and every variant of `file`, as many side by side as the thread
/// pool has threads (so memory grows with the threads, not with the variants; see
/// [`cost::estimate`]), and returns them in file order. Each evaluation is deterministic
/// on its own (see [`evaluate`]), so the results do not depend on how they were
/// scheduled; when several fail, the error is the first in file order. A progress
/// counter in `simulations` counts the draws of all of them.
pub fn evaluate_all<'a>(
    file: &'a Scenario,
    overrides: &Overrides,
    analyses: Analyses,
    simulations: Simulations,
) -> Result<Vec<Evaluation<'a>>, Error> {
    let done = evaluate_all_then(file, overrides, analyses, simulations, |_| Ok(()))?;
    Ok(done.into_iter().map(|(e, ())| e).collect())
}

/// [`evaluate_all`], handing each evaluation to `then` as soon as it is made, on the
/// worker that made it, while the others are still being made (`kjproj run` renders an
/// evaluation's files there, so that they fill the time its threads would otherwise wait
/// for another evaluation to finish). Returns each evaluation with what `then` made of it,
/// in file order; when several fail, the error is the first in file order.
pub fn evaluate_all_then<'a, T: Send>(
    file: &'a Scenario,
    overrides: &Overrides,
    analyses: Analyses,
    simulations: Simulations,
    then: impl Fn(&Evaluation<'a>) -> Result<T, Error> + Sync,
) -> Result<Vec<(Evaluation<'a>, T)>, Error> {
    cost::check_file(file, overrides, analyses, cost::Repeats(1.0))?;
    // The base and its variants share their bootstrap resamples; one evaluation alone
    // keeps none.
    let shared = (!file.variants.is_empty()).then(sobol::SharedResamples::default);
    let simulated: Vec<std::sync::Mutex<Option<MonteCarlo>>> = match simulations {
        Simulations::Run(progress) if !file.variants.is_empty() => {
            simulate_together(file, overrides, analyses, progress)
        }
        _ => Vec::new(),
    }
    .into_iter()
    .map(std::sync::Mutex::new)
    .collect();
    side_by_side(file, |i, v| {
        let mc = simulated.get(i).and_then(|m| {
            m.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take()
        });
        let e = evaluate_sharing(
            file,
            v,
            overrides,
            analyses,
            simulations,
            shared.as_ref(),
            mc,
        )?;
        let made = then(&e)?;
        Ok((e, made))
    })
}

/// The Monte Carlo simulations of the base and every variant of `file`, in file order,
/// run together where memory allows ([`cost::joint_groups`],
/// [`monte_carlo::run_many`]: the same simulations, what they have in common drawn once);
/// `None` for an evaluation that runs none, or that will fail before it (its projection
/// or its outputs), so that it fails as soon as it would have.
fn simulate_together(
    file: &Scenario,
    overrides: &Overrides,
    analyses: Analyses,
    progress: Option<&AtomicU64>,
) -> Vec<Option<MonteCarlo>> {
    let scenarios: Vec<&Scenario> = base_and_variants(file)
        .map(|v| v.map_or(file, |v| &v.scenario))
        .collect();
    let plans: Vec<Option<(monte_carlo::Settings, Vec<crate::scenario::expr::Quantity>)>> =
        scenarios
            .iter()
            .map(|&scenario| {
                project(scenario).ok()?;
                let outputs = sensitivity_outputs(scenario, overrides, analyses).ok()?;
                let extra =
                    simulation_plan(scenario, analyses, outputs.as_ref().map(|o| &o.0[..]))?;
                Some((Settings::resolve(scenario, overrides).simulation, extra))
            })
            .collect();
    let groups = cost::joint_groups(
        &scenarios,
        overrides,
        analyses,
        rayon::current_num_threads(),
    );
    let mut out: Vec<Option<MonteCarlo>> = Vec::with_capacity(scenarios.len());
    for group in groups {
        let members: Vec<usize> = group.clone().filter(|&i| plans[i].is_some()).collect();
        let sims: Vec<_> = members
            .iter()
            .filter_map(|&i| {
                let (settings, extra) = plans[i].as_ref()?;
                Some((scenarios[i], *settings, &extra[..]))
            })
            .collect();
        let mut done = monte_carlo::run_many(&sims, progress).into_iter();
        out.extend(group.map(|i| {
            if members.contains(&i) {
                done.next()
            } else {
                None
            }
        }));
    }
    out
}

/// `work` for the base and every variant of `file`, as many side by side as the thread
/// pool has threads, the results in file order; when several fail, the error is the
/// first in file order.
fn side_by_side<'a, T: Send>(
    file: &'a Scenario,
    work: impl Fn(usize, Option<&'a crate::scenario::Variant>) -> Result<T, Error> + Sync,
) -> Result<Vec<T>, Error> {
    use rayon::prelude::*;
    let which: Vec<_> = base_and_variants(file).enumerate().collect();
    let mut out = Vec::with_capacity(which.len());
    for batch in which.chunks(rayon::current_num_threads().max(1)) {
        let results: Vec<Result<T, Error>> = batch.par_iter().map(|&(i, v)| work(i, v)).collect();
        for result in results {
            out.push(result?);
        }
    }
    Ok(out)
}

/// The base and every variant of `file` with the draws of its simulation under
/// `overrides`, in file order.
pub fn simulation_draws<'a>(
    file: &'a Scenario,
    overrides: &Overrides,
) -> impl Iterator<Item = (&'a Scenario, u64)> {
    base_and_variants(file).map(move |v| {
        let scenario = v.map_or(file, |v| &v.scenario);
        (
            scenario,
            Settings::resolve(scenario, overrides).simulation.draws,
        )
    })
}

/// The draws the Monte Carlo simulations of [`evaluate_all`] make together: the total of
/// a progress bar over all of them.
pub fn draws_of_all(file: &Scenario, overrides: &Overrides) -> u64 {
    simulation_draws(file, overrides).map(|(_, d)| d).sum()
}

/// More than [`MAX_LEFT_OUT`] of the draws that cannot be projected would change every
/// answer without a word: that is an error in the file's ranges, located at the number the
/// first failing draw was about. (The Monte Carlo, with its many draws, measures that share;
/// Sobol rows left out, a handful in a smaller sample, are reported, not held to it.)
fn left_out_within_limit(scenario: &Scenario, mc: &MonteCarlo) -> Result<(), Error> {
    let share = mc.infeasible as f64 / mc.draws.max(1) as f64;
    if share <= MAX_LEFT_OUT {
        return Ok(());
    }
    let (key, example) = mc.first_infeasible.clone().unwrap_or_default();
    Err(Error::Scenario(scenario.origin.problem(
        &key,
        format!(
            "{} of {} Monte Carlo draws ({}%) cannot be projected, more than the {}% kjproj leaves out (the first: {example}); narrow or truncate the ranges that reach such values (`truncate = [lo, hi]`)",
            crate::format::grouped(mc.infeasible),
            crate::format::grouped(mc.draws),
            crate::format::fixed(share * 100.0, 2),
            crate::format::fixed(MAX_LEFT_OUT * 100.0, 1)
        ),
    )))
}

/// Warnings about the simulation: dropped draws, imprecise probabilities and medians,
/// Sobol rows left out, correlations Sobol does not apply.
fn sensitivity_warnings(scenario: &Scenario, s: &Sensitivity) -> Vec<Warning> {
    let mc = &s.monte_carlo;
    let share = |series: Series| matches!(series, Series::Ratio(i) if scenario.ratios[i].kind == crate::scenario::RatioKind::Share);
    let mut out = Vec::new();
    if mc.infeasible > 0 {
        out.push(Warning::DroppedDraws {
            dropped: mc.infeasible,
            draws: mc.draws,
            example: mc
                .first_infeasible
                .as_ref()
                .map(|(_, m)| m.clone())
                .unwrap_or_default(),
        });
    }
    // Probabilities are shown to 0.1 percentage point: the standard error should be below
    // half of that.
    for p in &mc.probabilities {
        if p.year == 0 || p.se.is_nan() || p.se <= 0.0005 {
            continue;
        }
        out.push(Warning::ImpreciseProbability {
            series: scenario.series_name(p.series).to_owned(),
            share: share(p.series),
            year: scenario.baseline_year + p.year as i32,
            stated: p.stated,
            se: p.se,
            needed: (mc.feasible() as f64 * (p.se / 0.0005).powi(2)).ceil() as u64,
        });
    }
    let last = scenario.years().count() - 1;
    for (series, stats) in &mc.series {
        let (p50, se) = (stats.percentiles[last][3], stats.percentile_se[last][3]);
        if se > crate::format::estimate_half_unit(p50, share(*series)) {
            out.push(Warning::ImpreciseMedian {
                series: scenario.series_name(*series).to_owned(),
                share: share(*series),
                year: scenario.target_year,
                median: p50,
                se,
            });
        }
    }
    if let Some((_, e)) = &s.sobol
        && e.dropped > 0
    {
        out.push(Warning::DroppedSobolRows(e.dropped));
    }
    // Estimates of the headline's indices outside [0, 1] are sampling error: say so.
    for (outputs, e) in [&s.sobol, &s.sobol_correlated].into_iter().flatten() {
        let Some(o) = outputs
            .iter()
            .position(|x| x.text == s.headline_output().text)
        else {
            continue;
        };
        for (i, ix) in e.indices[o].iter().enumerate() {
            for (which, value) in [("first-order", ix.first), ("total", ix.total)] {
                if sobol::clipped(value) {
                    out.push(Warning::SobolOutsideUnit {
                        input: scenario
                            .uncertainty
                            .as_ref()
                            .map_or_else(String::new, |u| u.inputs[i].label.clone()),
                        which,
                        value,
                    });
                }
            }
        }
    }
    out
}
