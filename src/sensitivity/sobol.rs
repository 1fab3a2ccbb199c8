//! Variance-based sensitivity: Sobol first-order and total indices with bootstrap
//! confidence intervals.
//!
//! Sampling follows Saltelli (2002) as SALib's `saltelli.sample` does: the rows of `A` and
//! `B` are the first and last `k` coordinates of the points of one `2k`-dimensional
//! Owen-scrambled Sobol' sequence (Burley 2020, "Practical hash-based Owen scrambling",
//! JCGT 9(4), via the `sobol_burley` crate; direction numbers of Joe & Kuo 2008), and for
//! each input `i` the matrix `A_B^i` (`A` with column `i` from `B`): `N(k + 2)` model runs.
//! Low-discrepancy points give narrower intervals than plain random ones at the same `N`
//! (a power of 2 is best). The estimators are those SALib's `sobol.analyze` uses, so
//! results can be compared with it directly:
//!
//! - first order, Saltelli et al. (2010), table 2 (b):
//!   `S_i = mean(f(B)·(f(A_B^i) − f(A))) / V`, with `f` centred on its mean (same
//!   expectation, much smaller variance; see `estimators`);
//! - total, Jansen (1999), table 2 (f) of the same paper:
//!   `S_Ti = mean((f(A) − f(A_B^i))²) / (2V)`;
//!
//! with `V` the variance of `f(A)` and `f(B)` together. The confidence half-width is
//! `z·sd` of the estimates over bootstrap resamples of the rows (SALib's `*_conf`), with `z`
//! the normal quantile of the confidence level (1.96 for 95%).
//!
//! These indices assume independent inputs. When the file correlates inputs,
//! [`run_correlated`] also estimates the indices of the file's own model, dependent inputs
//! and all: Kucherenko, Tarantola & Annoni (2012), "Estimation of global sensitivity indices
//! for models with dependent variables", *Computer Physics Communications* 183, 937–946,
//! eqs. (5.3)–(5.4), with the dependence the file states as a Gaussian copula of the normal
//! scores (the one [`crate::stats::correlation::iman_conover`] imposes). For input `y` and
//! the others `z`, with `(y, z)` from `A` and an independent `(y', z')` from `B`:
//!
//! - first order `S_y = mean(f(y, z)·(f(y, z̄) − f(y', z'))) / V`, `z̄` drawn from `z | y`;
//! - total `S_Ty = mean((f(y, z) − f(ȳ, z))²) / (2V)`, `ȳ` drawn from `y | z`;
//!
//! the conditional draws made from `B`'s normal scores (`z̄ = R_zy·y + (z' − R_zy·y')`,
//! exact for a Gaussian copula). Without correlation they are the estimators above.
//! First-order indices then measure an input's effect including what it shares with the
//! inputs it is correlated with; total indices only what is its own.
//!
//! Rows where any run cannot be projected are left out of every estimate.

use rayon::prelude::*;

use super::{OutputReader, apply};
use crate::model::batch::Batch;
use crate::model::{Inputs, Projection, Workspace, project_into};
use crate::scenario::{Output, Scenario};
use crate::stats::correlation::{cholesky_factor, solve_positive_definite};
use crate::stats::distribution::{std_normal_cdf, std_normal_quantile};
use crate::stats::number::floor_small;
use crate::stats::sampling;

/// The most rows in a chunk of the sample (the unit of parallel work).
const ROWS_PER_CHUNK: usize = 4096;

/// Model runs a chunk of the sample aims at: with many inputs a row is many runs (402 in
/// the correlated design of 200 inputs), and 4,096 rows of them would leave a sample of
/// 1,024 rows in one chunk, on one thread.
const RUNS_PER_CHUNK: usize = 16_384;

/// Rows per chunk of a model of `k` inputs, in both designs (whose rows [`summarise`]
/// puts side by side chunk by chunk): about [`RUNS_PER_CHUNK`] runs of the correlated
/// design (2k + 2 a row), at least 16 rows and at most [`ROWS_PER_CHUNK`]. Every row's
/// values depend only on the row (its points of the Sobol' sequence are found by their
/// index), so the chunks change how the work is shared out, never the results.
fn rows_per_chunk(k: usize) -> usize {
    (RUNS_PER_CHUNK / (2 * k + 2)).clamp(16, ROWS_PER_CHUNK)
}

/// The most base samples `N`: the length of the Owen-scrambled Sobol' sequence.
pub const MAX_BASE_SAMPLES: usize = 1 << 16;

/// Whether an index estimate is outside \[0, 1\] by more than the 3 decimals shown, so
/// that showing it at the bound changes what the reader sees (1.0000128 shows as 1 and
/// is not flagged).
pub fn clipped(estimate: f64) -> bool {
    !(-5e-4..=1.0 + 5e-4).contains(&estimate)
}

/// Coordinate `dim` of point `row` of the Owen-scrambled Sobol' sequence of `seed`,
/// strictly inside (0, 1). Dimensions past the crate's 256 continue in independently
/// scrambled sequences.
fn sobol_point(row: usize, dim: usize, seed: u64) -> f64 {
    let base = (seed ^ (seed >> 32)) as u32;
    let u = f64::from(sobol_burley::sample(
        row as u32,
        (dim % 256) as u32,
        base.wrapping_add((dim / 256) as u32),
    ));
    // The crate returns multiples of 2⁻²⁴ in [0, 1): take the middle of each cell.
    ((u * 16_777_216.0).floor() + 0.5) / 16_777_216.0
}

/// Random streams for bootstrap resamples, apart from Monte Carlo's.
const BOOTSTRAP_STREAMS: u64 = 1 << 41;

/// Bootstrap resamples summed together over one pass of the per-row terms.
const GROUP: usize = 24;

/// Rows of per-row terms a group of resamples sums before moving on (a block of a few
/// hundred kilobytes for a handful of outputs and inputs stays in cache for the group).
const BLOCK: usize = 256;

/// How to estimate the indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// `N`, the rows of `A` and `B`.
    pub base_samples: usize,
    /// Random seed.
    pub seed: u64,
    /// Bootstrap resamples for the confidence intervals.
    pub resamples: usize,
    /// Confidence level of the intervals, e.g. 0.95.
    pub confidence: f64,
}

/// The indices of one input for one output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Indices {
    /// First-order index.
    pub first: f64,
    /// Half-width of its confidence interval.
    pub first_conf: f64,
    /// Total index.
    pub total: f64,
    /// Half-width of its confidence interval.
    pub total_conf: f64,
}

/// Indices of every input for several outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// `indices[output][input]`.
    pub indices: Vec<Vec<Indices>>,
    /// Rows used (feasible).
    pub rows: usize,
    /// Rows left out because a run could not be projected.
    pub dropped: usize,
}

/// Sobol indices of the scenario's uncertain inputs for every metric and ratio at the
/// target year, as if the inputs were independent.
pub fn run(scenario: &Scenario, settings: Settings) -> (Vec<Output>, Estimate) {
    run_for(scenario, super::outputs(scenario, None).0, settings)
}

/// Sobol indices of the given outputs, as if the inputs were independent.
pub fn run_for(
    scenario: &Scenario,
    outputs: Vec<Output>,
    settings: Settings,
) -> (Vec<Output>, Estimate) {
    let k = scenario.uncertainty.as_ref().map_or(0, |u| u.inputs.len());
    let (init, model) = model_of(scenario, &outputs);
    (
        outputs.clone(),
        estimate_blocks(k, outputs.len(), settings, None, None, init, model).0,
    )
}

/// Sobol indices of the given outputs under the file's correlations (see the module
/// documentation), or `None` when the file correlates no inputs.
pub fn run_correlated(
    scenario: &Scenario,
    outputs: Vec<Output>,
    settings: Settings,
) -> Option<(Vec<Output>, Estimate)> {
    let score = score_correlations(scenario)?;
    let (init, model) = model_of(scenario, &outputs);
    let k = scenario.uncertainty.as_ref().map_or(0, |u| u.inputs.len());
    let estimate = correlated_blocks(k, outputs.len(), settings, &score, init, model)?;
    Some((outputs, estimate))
}

/// [`run_for`] and [`run_correlated`] together, sharing their bootstrap resamples (see
/// [`estimate_both`]): the same results, bit for bit.
#[allow(clippy::type_complexity)]
pub fn run_both(
    scenario: &Scenario,
    outputs: Vec<Output>,
    settings: Settings,
) -> ((Vec<Output>, Estimate), Option<(Vec<Output>, Estimate)>) {
    run_both_sharing(scenario, outputs, settings, None)
}

/// [`run_both`], reading and keeping its bootstrap resamples' counts in `shared` when
/// given (the evaluations of a base and its variants): the same results, bit for bit.
#[allow(clippy::type_complexity)]
pub fn run_both_sharing(
    scenario: &Scenario,
    outputs: Vec<Output>,
    settings: Settings,
    shared: Option<&SharedResamples>,
) -> ((Vec<Output>, Estimate), Option<(Vec<Output>, Estimate)>) {
    let k = scenario.uncertainty.as_ref().map_or(0, |u| u.inputs.len());
    let score = score_correlations(scenario);
    let (init, model) = model_of(scenario, &outputs);
    let (independent, correlated) = estimate_blocks(
        k,
        outputs.len(),
        settings,
        score.as_deref(),
        shared,
        init,
        model,
    );
    (
        (outputs.clone(), independent),
        correlated.map(|e| (outputs, e)),
    )
}

/// The correlation matrix of the inputs' normal scores (k×k, row-major) the file states,
/// or `None` when it correlates no inputs.
fn score_correlations(scenario: &Scenario) -> Option<Vec<f64>> {
    let u = scenario.uncertainty.as_ref()?;
    let c = u.correlation.as_ref()?;
    let k = u.inputs.len();
    let mut score = vec![0.0; k * k];
    for i in 0..k {
        score[i * k + i] = 1.0;
    }
    for (a, &i) in c.inputs.iter().enumerate() {
        for (b, &j) in c.inputs.iter().enumerate() {
            score[i * k + j] = c.matrix.score_correlation(a, b);
        }
    }
    Some(score)
}

/// A model's state per thread in [`model_of`]: the inputs, the projection's workspace and
/// result, the batch projection (when the scenario's shapes allow one), a block of runs'
/// input values, one column per input, and a run's path for an output that reads one.
type ModelState = (
    Inputs,
    Workspace,
    Projection,
    Option<Batch>,
    Vec<Vec<f64>>,
    Vec<f64>,
);

/// Runs [`model_of`] projects together at most (its blocks of model runs).
const RUN_BLOCK: usize = 256;

/// The model as [`estimate_blocks`] takes it: uniforms in, every output at the target year
/// out, a block of runs at a time. The runs of a block are projected together
/// ([`crate::model::batch`], the same numbers) where the scenario's shapes allow and none
/// of them is infeasible, else one by one.
#[allow(clippy::type_complexity)]
fn model_of<'a>(
    scenario: &'a Scenario,
    outputs: &'a [Output],
) -> (
    impl Fn() -> ModelState + Sync + 'a,
    impl Fn(&mut ModelState, &[f64], &mut [f64], &mut [bool]) + Sync + 'a,
) {
    let inputs: Vec<_> = scenario
        .uncertainty
        .as_ref()
        .map(|u| u.inputs.iter().collect())
        .unwrap_or_default();
    let targets: Vec<_> = inputs.iter().map(|i| i.target).collect();
    let samplers: Vec<_> = inputs.iter().map(|i| i.sampler()).collect();
    let batch = Batch::new(scenario, &targets);
    let readers: Vec<OutputReader> = outputs
        .iter()
        .map(|o| OutputReader::new(scenario, o))
        .collect();
    let init = move || {
        (
            Inputs::base(scenario),
            Workspace::default(),
            Projection::empty(scenario),
            batch.clone(),
            Vec::new(),
            Vec::new(),
        )
    };
    let k = inputs.len();
    let model = move |(base, workspace, projection, batch, columns, path): &mut ModelState,
                      us: &[f64],
                      out: &mut [f64],
                      ok: &mut [bool]| {
        let m = ok.len();
        columns.resize_with(k, Vec::new);
        for (c, (column, q)) in columns.iter_mut().zip(&samplers).enumerate() {
            column.clear();
            column.extend((0..m).map(|j| q.at(us[j * k + c])));
        }
        let o = outputs.len();
        let mut start = 0;
        while start < m {
            let runs = start..(start + RUN_BLOCK).min(m);
            let projected = batch
                .as_mut()
                .is_some_and(|b| b.project(columns, runs.clone()));
            for run in runs.clone() {
                let out = &mut out[run * o..][..o];
                if let (true, Some(b)) = (projected, batch.as_ref()) {
                    for (slot, reader) in out.iter_mut().zip(&readers) {
                        *slot = reader.in_batch(b, run - runs.start, path);
                    }
                } else {
                    for (column, &target) in columns.iter().zip(&targets) {
                        apply(base, target, column[run]);
                    }
                    if project_into(scenario, base, workspace, projection).is_err() {
                        ok[run] = false;
                        continue;
                    }
                    for (slot, reader) in out.iter_mut().zip(&readers) {
                        *slot = reader.on(projection);
                    }
                }
                ok[run] = true;
            }
            start = runs.end;
        }
    };
    (init, model)
}

/// A model of one run at a time, as [`estimate`] takes it, as a model of blocks of runs
/// ([`estimate_blocks`]): each run in turn.
fn per_run<S>(
    k: usize,
    outputs: usize,
    model: impl Fn(&mut S, &[f64], &mut [f64]) -> bool + Sync,
) -> impl Fn(&mut S, &[f64], &mut [f64], &mut [bool]) + Sync {
    move |state, us, out, ok| {
        for (j, ok) in ok.iter_mut().enumerate() {
            *ok = model(state, &us[j * k..][..k], &mut out[j * outputs..][..outputs]);
        }
    }
}

/// Estimates the indices of a model of `k` inputs, each given as a uniform in (0, 1), with
/// `outputs` outputs. `model(state, u, out)` writes the outputs for the uniforms `u` and
/// returns false if it cannot; `init` makes one `state` per thread.
pub fn estimate<S, I, F>(
    k: usize,
    outputs: usize,
    settings: Settings,
    init: I,
    model: F,
) -> Estimate
where
    I: Fn() -> S + Sync,
    F: Fn(&mut S, &[f64], &mut [f64]) -> bool + Sync,
{
    estimate_both(k, outputs, settings, None, init, model).0
}

/// [`estimate`] and, when `score` is given, [`estimate_correlated`] with it: the same
/// estimates, bit for bit, as the two calls. When both designs kept the same rows they
/// share their bootstrap: their per-row terms side by side, one set of counts drawn per
/// resample and one pass of the kernel over both.
pub fn estimate_both<S, I, F>(
    k: usize,
    outputs: usize,
    settings: Settings,
    score: Option<&[f64]>,
    init: I,
    model: F,
) -> (Estimate, Option<Estimate>)
where
    I: Fn() -> S + Sync,
    F: Fn(&mut S, &[f64], &mut [f64]) -> bool + Sync,
{
    estimate_blocks(
        k,
        outputs,
        settings,
        score,
        None,
        init,
        per_run(k, outputs, model),
    )
}

/// [`estimate_both`] of a model that takes a block of runs at a time: `model(state, us,
/// out, ok)` writes the outputs of the `ok.len()` runs whose uniforms are `us` (`k` a run,
/// run after run) into `out` (`outputs` a run) and whether each could be made into `ok`;
/// resamples' counts in `shared` when given.
fn estimate_blocks<S, I, B>(
    k: usize,
    outputs: usize,
    settings: Settings,
    score: Option<&[f64]>,
    shared: Option<&SharedResamples>,
    init: I,
    model: B,
) -> (Estimate, Option<Estimate>)
where
    I: Fn() -> S + Sync,
    B: Fn(&mut S, &[f64], &mut [f64], &mut [bool]) + Sync,
{
    if k == 0 || settings.base_samples == 0 {
        return (empty(outputs), score.map(|_| empty(outputs)));
    }
    let mut designs = vec![independent_runs(k, outputs, settings, &init, &model)];
    let correlated =
        score.and_then(|score| correlated_runs(k, outputs, settings, score, &init, &model));
    designs.extend(correlated);
    let mut estimates =
        summarise(designs, settings.base_samples, k, outputs, settings, shared).into_iter();
    let independent = estimates.next().expect("the independent design's estimate");
    (independent, estimates.next())
}

/// The estimate of a model without inputs or samples.
fn empty(outputs: usize) -> Estimate {
    Estimate {
        indices: vec![Vec::new(); outputs],
        rows: 0,
        dropped: 0,
    }
}

/// The runs of [`estimate`]'s design.
fn independent_runs<S, I, B>(
    k: usize,
    outputs: usize,
    settings: Settings,
    init: &I,
    model: &B,
) -> Runs
where
    I: Fn() -> S + Sync,
    B: Fn(&mut S, &[f64], &mut [f64], &mut [bool]) + Sync,
{
    let n = settings.base_samples;
    // Runs per row: A, B, then A_B^i for each i; each with `outputs` values.
    let runs = k + 2;
    let chunk_rows = rows_per_chunk(k);
    let chunks = n.div_ceil(chunk_rows);
    let per_chunk: Vec<(Vec<f64>, Vec<bool>)> = (0..chunks)
        .into_par_iter()
        .map_init(init, |state, c| {
            let rows = (n - c * chunk_rows).min(chunk_rows);
            if crate::error::interrupted() {
                return (vec![0.0; rows * runs * outputs], vec![false; rows]);
            }
            let columns: Vec<Vec<f64>> = (0..2 * k)
                .map(|d| {
                    (0..rows)
                        .map(|r| sobol_point(c * chunk_rows + r, d, settings.seed))
                        .collect()
                })
                .collect();
            // Every run's uniforms, then the model over all of them.
            let columns = &columns;
            let us: Vec<f64> = (0..rows)
                .flat_map(|r| {
                    (0..runs).flat_map(move |run| {
                        (0..k).map(move |j| {
                            // Run 0 is A, run 1 is B, run 2 + i is A with column i from B.
                            let from_b = run == 1 || run == 2 + j;
                            columns[if from_b { k + j } else { j }][r]
                        })
                    })
                })
                .collect();
            model_rows(state, model, &us, rows, runs, outputs)
        })
        .collect();

    Runs {
        per_chunk,
        runs,
        design: Design::Independent,
    }
}

/// Estimates the indices of a model of `k` inputs whose normal scores have the Pearson
/// correlation matrix `score` (k×k, row-major; a Gaussian copula), after Kucherenko,
/// Tarantola & Annoni (2012): `N(2k + 2)` runs. `None` if `score` is not positive definite.
pub fn estimate_correlated<S, I, F>(
    k: usize,
    outputs: usize,
    settings: Settings,
    score: &[f64],
    init: I,
    model: F,
) -> Option<Estimate>
where
    I: Fn() -> S + Sync,
    F: Fn(&mut S, &[f64], &mut [f64]) -> bool + Sync,
{
    correlated_blocks(
        k,
        outputs,
        settings,
        score,
        init,
        per_run(k, outputs, model),
    )
}

/// [`estimate_correlated`] of a model that takes a block of runs at a time (see
/// [`estimate_blocks`]).
fn correlated_blocks<S, I, B>(
    k: usize,
    outputs: usize,
    settings: Settings,
    score: &[f64],
    init: I,
    model: B,
) -> Option<Estimate>
where
    I: Fn() -> S + Sync,
    B: Fn(&mut S, &[f64], &mut [f64], &mut [bool]) + Sync,
{
    if k == 0 || settings.base_samples == 0 {
        return Some(empty(outputs));
    }
    let runs = correlated_runs(k, outputs, settings, score, &init, &model)?;
    summarise(
        vec![runs],
        settings.base_samples,
        k,
        outputs,
        settings,
        None,
    )
    .pop()
}

/// The runs of [`estimate_correlated`]'s design, or `None` if `score` is not positive
/// definite.
fn correlated_runs<S, I, B>(
    k: usize,
    outputs: usize,
    settings: Settings,
    score: &[f64],
    init: &I,
    model: &B,
) -> Option<Runs>
where
    I: Fn() -> S + Sync,
    B: Fn(&mut S, &[f64], &mut [f64], &mut [bool]) + Sync,
{
    let n = settings.base_samples;
    let l = cholesky_factor(score, k)?;
    // For each input i: its correlations with the others (R_zi) and the regression of its
    // score on theirs (β_i = R_zz⁻¹ R_zi), for the conditional draws.
    let others: Vec<Vec<usize>> = (0..k)
        .map(|i| (0..k).filter(|&j| j != i).collect())
        .collect();
    let with_others: Vec<Vec<f64>> = (0..k)
        .map(|i| others[i].iter().map(|&j| score[j * k + i]).collect())
        .collect();
    let beta: Vec<Vec<f64>> = (0..k)
        .map(|i| {
            let m = others[i].len();
            let zz: Vec<f64> = others[i]
                .iter()
                .flat_map(|&a| others[i].iter().map(move |&b| score[a * k + b]))
                .collect();
            solve_positive_definite(&zz, m, &with_others[i])
        })
        .collect::<Option<_>>()?;
    let correlate = |g: &[f64]| -> Vec<f64> {
        (0..k)
            .map(|r| (0..=r).map(|c| l[r * k + c] * g[c]).sum())
            .collect()
    };

    // Runs per row: A, B, then for each input its first-order run (y from A, z drawn
    // given it) and its total run (z from A, y drawn given them).
    let runs = 2 * k + 2;
    let chunk_rows = rows_per_chunk(k);
    let chunks = n.div_ceil(chunk_rows);
    let per_chunk: Vec<(Vec<f64>, Vec<bool>)> = (0..chunks)
        .into_par_iter()
        .map_init(init, |state, c| {
            let rows = (n - c * chunk_rows).min(chunk_rows);
            if crate::error::interrupted() {
                return (vec![0.0; rows * runs * outputs], vec![false; rows]);
            }
            let mut scores = vec![0.0; k];
            let mut us = Vec::with_capacity(rows * runs * k);
            for r in 0..rows {
                let row = c * chunk_rows + r;
                let gauss = |d: usize| std_normal_quantile(sobol_point(row, d, settings.seed));
                let a = correlate(&(0..k).map(gauss).collect::<Vec<_>>());
                let b = correlate(&(k..2 * k).map(gauss).collect::<Vec<_>>());
                for run in 0..runs {
                    match run {
                        0 => scores.copy_from_slice(&a),
                        1 => scores.copy_from_slice(&b),
                        _ => {
                            let (i, total) = ((run - 2) / 2, (run - 2) % 2 == 1);
                            if total {
                                // z from A; y | z from B's residual.
                                scores.copy_from_slice(&a);
                                let fit = |s: &[f64]| -> f64 {
                                    others[i]
                                        .iter()
                                        .zip(&beta[i])
                                        .map(|(&j, bj)| bj * s[j])
                                        .sum()
                                };
                                scores[i] = fit(&a) + (b[i] - fit(&b));
                            } else {
                                // y from A; z | y from B's residual.
                                scores.copy_from_slice(&b);
                                for (&j, &rij) in others[i].iter().zip(&with_others[i]) {
                                    scores[j] = rij * a[i] + (b[j] - rij * b[i]);
                                }
                                scores[i] = a[i];
                            }
                        }
                    }
                    // Keep the uniforms strictly inside (0, 1) in the far tails.
                    us.extend(
                        scores
                            .iter()
                            .map(|&z| std_normal_cdf(z).clamp(1e-16, 1.0 - 1e-16)),
                    );
                }
            }
            model_rows(state, model, &us, rows, runs, outputs)
        })
        .collect();

    Some(Runs {
        per_chunk,
        runs,
        design: Design::Correlated,
    })
}

/// The model over the runs whose uniforms are `us` (`k` a run), `rows` rows of `runs`:
/// every run's `outputs` values, row after row, and per row whether all its runs could be
/// made.
fn model_rows<S, B>(
    state: &mut S,
    model: &B,
    us: &[f64],
    rows: usize,
    runs: usize,
    outputs: usize,
) -> (Vec<f64>, Vec<bool>)
where
    B: Fn(&mut S, &[f64], &mut [f64], &mut [bool]),
{
    let mut values = vec![0.0; rows * runs * outputs];
    let mut each = vec![true; rows * runs];
    model(state, us, &mut values, &mut each);
    let ok = each
        .chunks_exact(runs)
        .map(|row| row.iter().all(|&ok| ok))
        .collect();
    (values, ok)
}

/// Which runs the estimators read (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Design {
    /// Runs A, B, then `A_B^i` for each input.
    Independent,
    /// Runs A, B, then for each input its first-order and its total run.
    Correlated,
}

/// The model runs of one design: per chunk of rows their values (`runs` per row,
/// `outputs` values each) and whether every run of the row could be projected.
struct Runs {
    per_chunk: Vec<(Vec<f64>, Vec<bool>)>,
    runs: usize,
    design: Design,
}

impl Runs {
    /// Whether each row, in order, could be projected.
    fn kept(&self) -> impl Iterator<Item = bool> + '_ {
        self.per_chunk.iter().flat_map(|(_, ok)| ok.iter().copied())
    }

    /// Appends the `outputs·(2 + 3k)` terms of row `r` of chunk `values` (see
    /// [`summarise`]).
    fn push_terms(&self, values: &[f64], r: usize, k: usize, outputs: usize, terms: &mut Vec<f64>) {
        let runs = self.runs;
        let row = &values[r * runs * outputs..(r + 1) * runs * outputs];
        let f = |run: usize, o: usize| row[run * outputs + o];
        for o in 0..outputs {
            let (fa, fb) = (f(0, o), f(1, o));
            terms.push(fa + fb);
            terms.push(fa * fa + fb * fb);
            for i in 0..k {
                // First order: Σ weight·d − mean·Σ d (the centring), d a difference of runs;
                // total: Σ (f(A) − f(other))².
                let (weight, d, other) = match self.design {
                    Design::Independent => (fb, f(2 + i, o) - fa, f(2 + i, o)),
                    Design::Correlated => (fa, f(2 + 2 * i, o) - fb, f(3 + 2 * i, o)),
                };
                terms.push(weight * d);
                terms.push(d);
                terms.push((fa - other) * (fa - other));
            }
        }
    }
}

/// The indices of each design from its runs (`n` rows, `k` inputs, `outputs` outputs).
///
/// Rows that could not be projected are left out. Every estimator is a ratio of sums over
/// rows, so each row's terms are computed once into one contiguous row of
/// `outputs·(2 + 3k)` numbers (for each output Σ(f(A) + f(B)) and Σ(f(A)² + f(B)²), and for
/// each input the first-order product, its centring term and the total's square): the
/// point estimate sums every row, and a bootstrap resample sums the rows it picks, with
/// replacement, as SALib's `sobol.analyze` resamples; its cost is one pass over the picked
/// rows, independent of how the model was sampled.
///
/// Designs that kept the same rows (the independent and the correlated indices of one
/// scenario, as a rule) share their resamples: their rows' terms side by side in one row,
/// one set of counts per resample drawn and one pass of the kernel for all of them, each
/// column's sums the same to the bit as for the design alone.
fn summarise(
    designs: Vec<Runs>,
    n: usize,
    k: usize,
    outputs: usize,
    settings: Settings,
    shared: Option<&SharedResamples>,
) -> Vec<Estimate> {
    // Groups of designs that kept the same rows (which rows, then each design with its
    // place).
    type Group = (Vec<bool>, Vec<(usize, Runs)>);
    let mut groups: Vec<Group> = Vec::new();
    for (d, runs) in designs.into_iter().enumerate() {
        let kept: Vec<bool> = runs.kept().collect();
        match groups.iter_mut().find(|(k, _)| *k == kept) {
            Some((_, group)) => group.push((d, runs)),
            None => groups.push((kept, vec![(d, runs)])),
        }
    }
    let mut estimates: Vec<(usize, Estimate)> = Vec::new();
    for (kept, group) in groups {
        let (places, runs): (Vec<usize>, Vec<Runs>) = group.into_iter().unzip();
        let alike = summarise_alike(runs, &kept, n, k, outputs, settings, shared);
        estimates.extend(places.into_iter().zip(alike));
    }
    estimates.sort_by_key(|(d, _)| *d);
    estimates.into_iter().map(|(_, e)| e).collect()
}

/// [`summarise`] for designs that kept the same rows (`kept`).
fn summarise_alike(
    mut designs: Vec<Runs>,
    kept: &[bool],
    n: usize,
    k: usize,
    outputs: usize,
    settings: Settings,
    shared: Option<&SharedResamples>,
) -> Vec<Estimate> {
    // Each design's terms side by side in one row of `width · designs` columns. A column
    // that is 0 in every row (an input that does not move an output: each of its
    // differences is 0) sums to +0 in every resample whatever the weights, as the kernel
    // would find (a sum of ±0 starting from +0 stays +0), and so does the point estimate:
    // a first pass finds those columns, and the terms keep only the others (`live`), side
    // by side, each row padded with zeros to whole tiles of the kernel; the zeros are put
    // back around the sums. Every sum is the same to the bit; the bootstrap's time and
    // memory follow the inputs that move each output rather than inputs × outputs
    // (fine_chem's two designs: 136 columns → 80; 200 series each moved by its own input:
    // 120,400 → 1,000).
    let width = outputs * (2 + 3 * k);
    let chunks = designs.first().map_or(0, |d| d.per_chunk.len());
    let rows = kept.iter().filter(|&&ok| ok).count();
    let dropped = n - rows;
    let mut row = Vec::with_capacity(width * designs.len());
    let mut each_row = |designs: &[Runs], c: usize, take: &mut dyn FnMut(&[f64])| {
        for (r, _) in designs[0].per_chunk[c]
            .1
            .iter()
            .enumerate()
            .filter(|(_, ok)| **ok)
        {
            row.clear();
            for d in designs {
                d.push_terms(&d.per_chunk[c].0, r, k, outputs, &mut row);
            }
            take(&row);
        }
    };
    let mut zero = vec![true; width * designs.len()];
    for c in 0..chunks {
        each_row(&designs, c, &mut |row| {
            for (z, &t) in zero.iter_mut().zip(row) {
                *z &= t == 0.0;
            }
        });
    }
    let live: Vec<usize> = (0..zero.len()).filter(|&c| !zero[c]).collect();
    let stride = live.len().next_multiple_of(TILE_LANES);
    let mut terms: Vec<f64> = Vec::with_capacity(rows * stride);
    for c in 0..chunks {
        each_row(&designs, c, &mut |row| {
            pack_row(&live, stride, row, &mut terms)
        });
        // The chunk's values are in the terms now: their memory is free.
        for d in &mut designs {
            d.per_chunk[c].0 = Vec::new();
        }
    }
    let count = designs.len();
    drop(designs);
    let estimates = |sums: &[f64], count: usize| -> Vec<Vec<(f64, f64)>> {
        let count = count as f64;
        (0..outputs)
            .map(|o| {
                let at = o * (2 + 3 * k);
                let mean = sums[at] / (2.0 * count);
                let variance = sums[at + 1] / (2.0 * count) - mean * mean;
                (0..k)
                    .map(|i| {
                        let t = at + 2 + 3 * i;
                        if variance > 0.0 {
                            (
                                (sums[t] - mean * sums[t + 1]) / count / variance,
                                sums[t + 2] / (2.0 * count) / variance,
                            )
                        } else {
                            (0.0, 0.0)
                        }
                    })
                    .collect()
            })
            .collect()
    };
    // Each design's estimates (first and total index per output and input) from a row of
    // sums over every design.
    type PerDesign = Vec<Vec<Vec<(f64, f64)>>>;
    let per_design = |packed: &[f64]| -> PerDesign {
        unpack_columns(&live, width * count, packed)
            .chunks_exact(width)
            .take(count)
            .map(|s| estimates(s, rows))
            .collect()
    };
    // Point estimates over all rows.
    let mut all = vec![0.0; stride];
    for row in terms.chunks_exact(stride.max(1)) {
        for (s, t) in all.iter_mut().zip(row) {
            *s += t;
        }
    }
    let estimate = per_design(&all);
    // Bootstrap resamples as counts per row: resample b picks `rows` rows with replacement
    // from its own random stream (as SALib resamples), which is the same as weighting each
    // row by how often it was picked. The resamples go in groups of [`GROUP`]; a group's
    // counts and sums stay in cache while the terms stream past once in blocks of
    // [`BLOCK`] rows, so each group reads the terms once instead of `GROUP` times at
    // random. Each resample sums its rows in row order: the same sums for any thread
    // count. `boots[b][design][output][input]`.
    let boots: Vec<PerDesign> = (0..settings.resamples)
        .collect::<Vec<_>>()
        .par_chunks(GROUP)
        .flat_map_iter(|group| {
            let counts: Vec<Vec<u16>> = group
                .iter()
                .map(|&b| match shared {
                    Some(shared) => shared.counts(settings, b, rows),
                    None => resample_counts(settings.seed, b, rows),
                })
                .collect();
            weighted_sums(&terms, stride, &counts)
                .into_iter()
                .map(|s| per_design(&s))
                .collect::<Vec<_>>()
        })
        .collect();
    let z = normal_quantile(0.5 + settings.confidence / 2.0);
    (0..count)
        .map(|d| {
            let spread = |o: usize, i: usize, which: fn(&(f64, f64)) -> f64| {
                let xs: Vec<f64> = boots.iter().map(|b| which(&b[d][o][i])).collect();
                z * sd(&xs)
            };
            let indices = (0..outputs)
                .map(|o| {
                    (0..k)
                        .map(|i| Indices {
                            first: estimate[d][o][i].0,
                            first_conf: spread(o, i, |p| p.0),
                            total: estimate[d][o][i].1,
                            total_conf: spread(o, i, |p| p.1),
                        })
                        .collect()
                })
                .collect();
            Estimate {
                indices,
                rows,
                dropped,
            }
        })
        .collect()
}

/// Appends to `terms` the columns `live` of `row`, in order, padded with zeros to
/// `stride` numbers.
fn pack_row(live: &[usize], stride: usize, row: &[f64], terms: &mut Vec<f64>) {
    let start = terms.len();
    terms.extend(live.iter().map(|&c| row[c]));
    terms.resize(start + stride, 0.0);
}

/// The row of `stride` numbers whose columns `live` are `packed`, in order, and whose
/// other columns are 0: the inverse of [`pack_row`].
fn unpack_columns(live: &[usize], stride: usize, packed: &[f64]) -> Vec<f64> {
    let mut full = vec![0.0; stride];
    for (&c, &x) in live.iter().zip(packed) {
        full[c] = x;
    }
    full
}

/// Bootstrap resamples' counts kept for the evaluations that share them. The counts of
/// resample `b` depend only on the seed, on `b` and on how many rows were kept (each
/// resample picks that many rows from its own random stream); a base and its variants have the same seed and, as a rule, keep
/// every row, so the first evaluation to need a resample draws its counts and the others
/// read them: the same counts, so the same intervals, bit for bit (fine_chem's base and two
/// variants drew 3 × 1,000 resamples of 16,384 picks, about a fifth of their Sobol time).
/// A count is kept in one byte when every count of its resample fits (out of 16,384
/// picks a row is picked at most about 10 times), else in two: 16 MB for fine_chem's
/// resamples, kept until the evaluations are done.
#[derive(Debug, Default)]
pub struct SharedResamples {
    /// Per seed and rows kept, a slot for each resample.
    sets: std::sync::Mutex<Vec<((u64, usize), KeptSet)>>,
}

/// The slots of one seed and number of rows, resample by resample.
type KeptSet = std::sync::Arc<[std::sync::OnceLock<Kept>]>;

/// One resample's counts as [`SharedResamples`] keeps them.
#[derive(Debug)]
enum Kept {
    Narrow(Box<[u8]>),
    Wide(Box<[u16]>),
}

impl SharedResamples {
    /// The counts of resample `b` over `rows` rows under `settings` (its seed and number
    /// of resamples), as [`resample_counts`] draws them: drawn by the first caller, read
    /// by the others.
    fn counts(&self, settings: Settings, b: usize, rows: usize) -> Vec<u16> {
        let set = {
            let mut sets = self
                .sets
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let key = (settings.seed, rows);
            match sets.iter().find(|(k, _)| *k == key) {
                Some((_, set)) => std::sync::Arc::clone(set),
                None => {
                    let set: KeptSet = (0..settings.resamples)
                        .map(|_| std::sync::OnceLock::new())
                        .collect();
                    sets.push((key, std::sync::Arc::clone(&set)));
                    set
                }
            }
        };
        let Some(slot) = set.get(b) else {
            return resample_counts(settings.seed, b, rows);
        };
        let mut drawn = None;
        let kept = slot.get_or_init(|| {
            let counts = resample_counts(settings.seed, b, rows);
            let kept = Kept::of(&counts);
            drawn = Some(counts);
            kept
        });
        drawn.unwrap_or_else(|| kept.counts())
    }
}

impl Kept {
    /// `counts` kept, in one byte each when they all fit.
    fn of(counts: &[u16]) -> Kept {
        match counts.iter().map(|&c| u8::try_from(c)).collect() {
            Ok(narrow) => Kept::Narrow(narrow),
            Err(_) => Kept::Wide(counts.into()),
        }
    }

    /// The counts kept.
    fn counts(&self) -> Vec<u16> {
        match self {
            Kept::Narrow(c) => c.iter().map(|&c| u16::from(c)).collect(),
            Kept::Wide(c) => c.to_vec(),
        }
    }
}

/// How often bootstrap resample `b` picks each of `rows` rows: `rows` picks with
/// replacement from the resample's own random stream, pick `j` the row ⌊x_j · rows⌋ of the
/// uniform x_j that `sampling::uniforms(Method::Random, …)` would draw (as
/// `(x * rows as f64) as usize`; rows < 2³¹), drawn 256 at a time rather than all at once.
/// A count stops at 65,535 (a row picked more often than that out of at most
/// [`MAX_BASE_SAMPLES`] picks never happens in practice).
fn resample_counts(seed: u64, b: usize, rows: usize) -> Vec<u16> {
    pulp::Arch::new().dispatch(Counts { seed, b, rows })
}

/// [`resample_counts`] as `pulp` runs it: compiled once per instruction set, the widest
/// the processor has chosen at run time (AVX2 finds four rows at a time where SSE2 finds
/// two); the arithmetic is the same on each, so are the counts.
struct Counts {
    seed: u64,
    b: usize,
    rows: usize,
}

impl pulp::WithSimd for Counts {
    type Output = Vec<u16>;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> Vec<u16> {
        resample_counts_here(self.seed, self.b, self.rows)
    }
}

/// [`resample_counts`] for one instruction set (see [`Counts`]).
#[inline(always)]
fn resample_counts_here(seed: u64, b: usize, rows: usize) -> Vec<u16> {
    let mut counts = vec![0_u16; rows];
    let Some(last) = rows.checked_sub(1) else {
        return counts;
    };
    let mut rng = sampling::chunk_rng(seed, BOOTSTRAP_STREAMS + b as u64);
    let (mut x, mut picked) = ([0.0; 256], [0_u32; 256]);
    let mut left = rows;
    while left > 0 {
        let len = left.min(256);
        let (x, picked) = (&mut x[..len], &mut picked[..len]);
        sampling::open_units(&mut rng, x);
        for (p, &x) in picked.iter_mut().zip(x.iter()) {
            *p = floor_small(x * rows as f64);
        }
        // `last` is below the counts' length, so no index needs checking, and a count
        // at its largest adds 0: no branch per pick.
        for &p in picked.iter() {
            let count = &mut counts[(p as usize).min(last)];
            *count += u16::from(*count != u16::MAX);
        }
        left -= len;
    }
    counts
}

/// For each resample, Σ over rows of (times the row was picked) × (the row's terms), rows
/// in order. The work is tiled so that it runs near the machine's arithmetic rate: for
/// [`TILE_RESAMPLES`] resamples and [`TILE_LANES`] columns at a time, the partial sums
/// stay in registers while a block of [`BLOCK`] rows streams past; every tile of
/// resamples takes its turn on one tile of columns before the next (those 8 columns of
/// the block's rows, 16 KiB, come from memory once and then from the nearest cache;
/// fine_chem's indices, in turns: 106–124 → 103–119 ms), and the counts are turned into
/// weights once per block. `width` is a whole number of tiles (the rows are padded); a
/// last tile of fewer resamples is filled with weights of 0, whose sums are dropped. A row never picked adds
/// 0 × its terms, which changes no sum of finite terms.
///
/// The loop is compiled once per instruction set and the widest the processor has is
/// chosen at run time (`pulp`): AVX2 holds the tile in 12 of its 16 registers (6
/// resamples × 2 vectors of 4 columns, each row's 2 vectors of terms and the weight
/// beside them: 12 independent chains of fused multiply-adds keep both of the
/// processor's units busy where 8 left them waiting; `sobol_fine_chem` 2.28 → 2.04 G
/// instructions, 66–67 → 62–65 ms fastest in turns), where SSE2 needs twice as many and
/// spills (fine_chem's indices with 4 resamples a tile: 170 → 129 ms). AVX-512 holds each
/// resample's 8 columns in one vector: the same tile, half the instructions (24 resamples
/// × 16,384 rows × 48 columns, fastest of 40: 0.82–0.99 → 0.59–0.79 ms; 4 or 8 resamples a
/// tile measured slower, 12 spilled). Each step is a fused multiply-add
/// (`f64::mul_add`, rounded once): one instruction with AVX2 and FMA, the C library's
/// correctly rounded `fma` elsewhere, so the sums are bit for bit the same on every
/// processor (fine_chem's indices, back to back: 133–182 → 117–149 ms).
fn weighted_sums(terms: &[f64], width: usize, counts: &[Vec<u16>]) -> Vec<Vec<f64>> {
    debug_assert!(width.is_multiple_of(TILE_LANES));
    let mut sums = vec![vec![0.0; width]; counts.len()];
    pulp::Arch::new().dispatch(Kernel {
        terms,
        width,
        counts,
        sums: &mut sums,
    });
    sums
}

/// [`weighted_sums_into`] as `pulp` runs it: every call on the way is inlined into the
/// function compiled for the instruction set (a closure would not be, and would run the
/// baseline code).
struct Kernel<'a> {
    terms: &'a [f64],
    width: usize,
    counts: &'a [Vec<u16>],
    sums: &'a mut [Vec<f64>],
}

impl pulp::WithSimd for Kernel<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        weighted_sums_into(self.terms, self.width, self.counts, self.sums);
    }
}

/// [`weighted_sums`] for one instruction set: inlined into each of `pulp`'s versions.
#[inline(always)]
fn weighted_sums_into(terms: &[f64], width: usize, counts: &[Vec<u16>], sums: &mut [Vec<f64>]) {
    const LANES: usize = TILE_LANES;
    const R: usize = TILE_RESAMPLES;
    let rows = terms.len() / width.max(1);
    // Every resample's weights for one block of rows, a whole number of tiles of them.
    let tiles = counts.len().div_ceil(R);
    let mut weights = vec![0.0_f64; tiles * R * BLOCK];
    for start in (0..rows).step_by(BLOCK) {
        let len = BLOCK.min(rows - start);
        for (q, w) in weights.chunks_exact_mut(BLOCK).enumerate() {
            match counts.get(q) {
                Some(c) => {
                    for (w, &c) in w.iter_mut().zip(&c[start..start + len]) {
                        *w = f64::from(c);
                    }
                }
                None => w.fill(0.0),
            }
        }
        // One tile of columns at a time for every tile of resamples, so that its rows
        // (8 values of each) are read from the nearest cache once per block rather than
        // once per tile of resamples.
        for col in (0..width).step_by(LANES) {
            for (tile, ss) in sums.chunks_mut(R).enumerate() {
                let weights = &weights[tile * R * BLOCK..][..R * BLOCK];
                let mut acc = [[0.0_f64; LANES]; R];
                for (a, s) in acc.iter_mut().zip(ss.iter()) {
                    a.copy_from_slice(&s[col..col + LANES]);
                }
                for i in 0..len {
                    let at = (start + i) * width + col;
                    let t = &terms[at..at + LANES];
                    for (q, a) in acc.iter_mut().enumerate() {
                        let w = weights[q * BLOCK + i];
                        for j in 0..LANES {
                            a[j] = w.mul_add(t[j], a[j]);
                        }
                    }
                }
                for (a, s) in acc.iter().zip(ss.iter_mut()) {
                    s[col..col + LANES].copy_from_slice(a);
                }
            }
        }
    }
}

/// Resamples whose sums [`weighted_sums`] keeps in registers together (a divisor of
/// [`GROUP`], so that only the last group has a tile padded with weights of 0).
const TILE_RESAMPLES: usize = 6;

/// Columns of per-row terms [`weighted_sums`] keeps in registers together.
const TILE_LANES: usize = 8;

fn sd(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    if xs.len() < 2 {
        return 0.0;
    }
    let mean = xs.iter().sum::<f64>() / n;
    (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)).sqrt()
}

fn normal_quantile(p: f64) -> f64 {
    crate::stats::distribution::Distribution::Normal { mean: 0.0, sd: 1.0 }.quantile(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::sampling::Method;

    /// The kernel as dispatched (AVX-512, or AVX2 and FMA, here most likely) and as
    /// compiled for the baseline instruction set give the same sums, bit for bit, and both
    /// are the plain sum over rows in order of count × term, each step one fused
    /// multiply-add (13 resamples: whole tiles and a padded one).
    #[test]
    fn the_bootstrap_kernel_sums_alike_on_every_instruction_set() {
        let (rows, width) = (300, 2 * TILE_LANES);
        let terms: Vec<f64> = (0..rows * width)
            .map(|i| ((i * 7919) % 1013) as f64 / 97.0 - 5.0)
            .collect();
        let counts: Vec<Vec<u16>> = (0..13)
            .map(|b| (0..rows).map(|r| ((r * 31 + b * 17) % 5) as u16).collect())
            .collect();
        let dispatched = weighted_sums(&terms, width, &counts);
        let mut baseline = vec![vec![0.0; width]; counts.len()];
        weighted_sums_into(&terms, width, &counts, &mut baseline);
        let bits =
            |s: &[Vec<f64>]| -> Vec<u64> { s.iter().flatten().map(|x| x.to_bits()).collect() };
        assert_eq!(bits(&dispatched), bits(&baseline));
        for (c, sums) in counts.iter().zip(&dispatched) {
            for (j, &sum) in sums.iter().enumerate() {
                let plain = (0..rows).fold(0.0_f64, |a, r| {
                    f64::from(c[r]).mul_add(terms[r * width + j], a)
                });
                assert_eq!(sum.to_bits(), plain.to_bits());
            }
        }
    }

    /// Packing the columns that are 0 in every row out of the kernel's way changes no
    /// sum: the packed sums put back among the zeros are, bit for bit, the sums of every
    /// column (zeros of either sign, a column 0 but in one row, columns whose sums cancel
    /// to 0, a row padded to whole tiles).
    #[test]
    fn columns_of_zeros_sum_alike_packed() {
        let (rows, stride) = (700, 3 * TILE_LANES);
        let term = |r: usize, c: usize| -> f64 {
            match c % 6 {
                0 => 0.0,
                1 => -0.0,
                2 if r == 611 => 1e-300,
                2 => 0.0,
                3 => {
                    if r.is_multiple_of(2) {
                        1.5
                    } else {
                        -1.5
                    }
                }
                _ if c >= 22 => 0.0,
                _ => ((r * 7919 + c * 104_729) % 1013) as f64 / 97.0 - 5.0,
            }
        };
        let full: Vec<f64> = (0..rows * stride)
            .map(|i| term(i / stride, i % stride))
            .collect();
        let counts: Vec<Vec<u16>> = (0..TILE_RESAMPLES + 1)
            .map(|b| (0..rows).map(|r| ((r * 31 + b * 17) % 5) as u16).collect())
            .collect();
        let live: Vec<usize> = (0..22).filter(|c| c % 6 >= 2).collect();
        let width = live.len().next_multiple_of(TILE_LANES);
        let mut packed = Vec::new();
        for row in full.chunks_exact(stride) {
            pack_row(&live, width, row, &mut packed);
        }
        assert_eq!(packed.len(), rows * width);
        for (r, row) in packed.chunks_exact(width).enumerate() {
            for (j, &t) in row.iter().enumerate() {
                let want = live.get(j).map_or(0.0, |&c| term(r, c));
                assert_eq!(t.to_bits(), want.to_bits(), "row {r}, column {j}");
            }
        }
        let sums = weighted_sums(&packed, width, &counts);
        for (s, all) in sums.iter().zip(weighted_sums(&full, stride, &counts)) {
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&unpack_columns(&live, stride, s)), bits(&all));
        }
    }

    /// An input that moves no output changes nothing else: its indices and intervals are
    /// exactly 0, and every other estimate and interval is, bit for bit, what the same
    /// model runs give without it (its columns of terms, all 0, left out of the sums),
    /// for both designs at once and with a row that could not be projected.
    #[test]
    fn an_input_that_moves_nothing_changes_no_other_estimate() {
        let (n, outputs) = (500, 2);
        let x = |r: usize, j: usize| ((r * 7919 + j * 104_729) % 1000) as f64 / 1000.0;
        let f = |x1: f64, x2: f64| [x1 + 2.0 * x2 + x1 * x2, x1 * x1 - x2];
        let ok: Vec<bool> = (0..n).map(|r| r != 42).collect();
        // Runs per row of each design for inputs x1, x2 and, with `idle`, a third input
        // that f does not read (so its runs repeat f(A), or f(B) for the correlated
        // design's first-order run).
        let design = |which: Design, idle: bool| -> Runs {
            let mut values = Vec::new();
            for r in 0..n {
                let (a, b) = ((x(r, 0), x(r, 1)), (x(r, 2), x(r, 3)));
                let mut runs = vec![f(a.0, a.1), f(b.0, b.1)];
                match which {
                    Design::Independent => {
                        runs.extend([f(b.0, a.1), f(a.0, b.1)]);
                        if idle {
                            runs.push(f(a.0, a.1));
                        }
                    }
                    Design::Correlated => {
                        runs.extend([f(a.0, b.1), f(b.0, a.1), f(b.0, a.1), f(a.0, b.1)]);
                        if idle {
                            runs.extend([f(b.0, b.1), f(a.0, a.1)]);
                        }
                    }
                }
                values.extend(runs.into_iter().flatten());
            }
            let k = if idle { 3 } else { 2 };
            Runs {
                per_chunk: vec![(values, ok.clone())],
                runs: match which {
                    Design::Independent => k + 2,
                    Design::Correlated => 2 * k + 2,
                },
                design: which,
            }
        };
        let settings = Settings {
            base_samples: n,
            seed: 9,
            resamples: 50,
            confidence: 0.95,
        };
        let both = |idle: bool| {
            let k = if idle { 3 } else { 2 };
            let designs = vec![
                design(Design::Independent, idle),
                design(Design::Correlated, idle),
            ];
            summarise(designs, n, k, outputs, settings, None)
        };
        let (with, without) = (both(true), both(false));
        let bits = |i: &Indices| [i.first, i.first_conf, i.total, i.total_conf].map(f64::to_bits);
        for (w, wo) in with.iter().zip(&without) {
            assert_eq!((w.rows, w.dropped), (n - 1, 1));
            for (a, b) in w.indices.iter().zip(&wo.indices) {
                assert_eq!(bits(&a[0]), bits(&b[0]));
                assert_eq!(bits(&a[1]), bits(&b[1]));
                assert_eq!(bits(&a[2]), [0; 4]);
                assert!(b[0].first_conf > 0.0 && b[1].total > 0.0);
            }
        }
    }

    /// The bootstrap as counts per row gives the intervals of the bootstrap as SALib
    /// writes it: for each resample, pick rows with replacement and evaluate the
    /// estimators on the picked rows (written out here from the model values, not from
    /// the per-row terms), then z times the standard deviation over resamples.
    /// Counts are kept in one byte each when they fit, else in two, and come back as
    /// they were either way; a resample read from [`SharedResamples`] has the counts
    /// [`resample_counts`] draws, whether it was drawn there or read, for any seed and
    /// number of rows (and beyond the resamples the set was made for).
    #[test]
    fn shared_resamples_give_the_counts_resample_counts_draws() {
        let narrow = [0_u16, 3, 255, 1];
        let wide = [0_u16, 256, 65_535, 1];
        assert!(matches!(Kept::of(&narrow), Kept::Narrow(_)));
        assert!(matches!(Kept::of(&wide), Kept::Wide(_)));
        assert_eq!(Kept::of(&narrow).counts(), narrow);
        assert_eq!(Kept::of(&wide).counts(), wide);
        let shared = SharedResamples::default();
        let settings = |seed| Settings {
            base_samples: 1000,
            seed,
            resamples: 5,
            confidence: 0.95,
        };
        for round in 0..2 {
            for (seed, rows) in [(7, 1000), (7, 998), (8, 1000), (7, 1)] {
                for b in 0..7 {
                    assert_eq!(
                        shared.counts(settings(seed), b, rows),
                        resample_counts(seed, b, rows),
                        "round {round}, seed {seed}, {rows} rows, resample {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn counts_per_row_match_resampling_the_rows() {
        let (n, k) = (300, 2);
        let runs = k + 2;
        // Runs A, B, A_B^1, A_B^2 of f = x1 + 2 x2 + x1 x2 on scattered points; row 7
        // could not be projected.
        let x = |r: usize, j: usize| ((r * 7919 + j * 104_729) % 1000) as f64 / 1000.0;
        let f = |x1: f64, x2: f64| x1 + 2.0 * x2 + x1 * x2;
        let mut values = Vec::new();
        for r in 0..n {
            let (a, b) = ((x(r, 0), x(r, 1)), (x(r, 2), x(r, 3)));
            values.extend([f(a.0, a.1), f(b.0, b.1), f(b.0, a.1), f(a.0, b.1)]);
        }
        let ok: Vec<bool> = (0..n).map(|r| r != 7).collect();
        let settings = Settings {
            base_samples: n,
            seed: 5,
            resamples: 42,
            confidence: 0.95,
        };
        let design = Runs {
            per_chunk: vec![(values.clone(), ok)],
            runs,
            design: Design::Independent,
        };
        let e = summarise(vec![design], n, k, 1, settings, None).remove(0);
        let kept: Vec<usize> = (0..n).filter(|&r| r != 7).collect();
        let rows = kept.len();
        let v = |r: usize, run: usize| values[kept[r] * runs + run];
        let indices = |picks: &[usize]| -> Vec<(f64, f64)> {
            let m = picks.len() as f64;
            let mean = picks.iter().map(|&r| v(r, 0) + v(r, 1)).sum::<f64>() / (2.0 * m);
            let var = picks
                .iter()
                .map(|&r| v(r, 0).powi(2) + v(r, 1).powi(2))
                .sum::<f64>()
                / (2.0 * m)
                - mean * mean;
            (0..k)
                .map(|i| {
                    let d = |r: usize| v(r, 2 + i) - v(r, 0);
                    let first =
                        picks.iter().map(|&r| (v(r, 1) - mean) * d(r)).sum::<f64>() / m / var;
                    let total = picks.iter().map(|&r| d(r) * d(r)).sum::<f64>() / (2.0 * m) / var;
                    (first, total)
                })
                .collect()
        };
        let boots: Vec<Vec<(f64, f64)>> = (0..settings.resamples)
            .map(|b| {
                let mut rng = sampling::chunk_rng(settings.seed, BOOTSTRAP_STREAMS + b as u64);
                let u = sampling::uniforms(Method::Random, rows, 1, &mut rng);
                let picks: Vec<usize> = u[0]
                    .iter()
                    .map(|x| ((x * rows as f64) as usize).min(rows - 1))
                    .collect();
                indices(&picks)
            })
            .collect();
        let z = normal_quantile(0.975);
        let all: Vec<usize> = (0..rows).collect();
        for (i, point) in indices(&all).into_iter().enumerate() {
            let got = e.indices[0][i];
            assert!((got.first - point.0).abs() < 1e-12 && (got.total - point.1).abs() < 1e-12);
            let first_conf = z * sd(&boots.iter().map(|b| b[i].0).collect::<Vec<_>>());
            let total_conf = z * sd(&boots.iter().map(|b| b[i].1).collect::<Vec<_>>());
            assert!(
                (got.first_conf - first_conf).abs() < 1e-10 * first_conf,
                "{got:?}"
            );
            assert!(
                (got.total_conf - total_conf).abs() < 1e-10 * total_conf,
                "{got:?}"
            );
        }
        assert_eq!((e.rows, e.dropped), (rows, 1));
    }
}
