//! Variance-based sensitivity: Sobol first-order and total indices with bootstrap
//! confidence intervals.
//!
//! Sampling follows Saltelli (2002): two independent matrices `A` and `B` of `N` rows, and
//! for each input `i` the matrix `A_B^i` (`A` with column `i` from `B`): `N(k + 2)` model
//! runs. The estimators are those SALib's `sobol.analyze` uses, so results can be compared
//! with it directly:
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
//! The indices assume independent inputs: correlations between inputs are not applied here.
//! Rows where any run cannot be projected are left out of every estimate.

use rayon::prelude::*;

use super::{all_series, apply, value_of};
use crate::model::{Inputs, Projection, Workspace, project_into};
use crate::scenario::{Scenario, Series};
use crate::stats::sampling::{self, Method};

/// Rows per chunk of the sample (the unit of random streams).
const ROWS_PER_CHUNK: usize = 4096;

/// Random streams for Sobol samples and bootstrap resamples, apart from Monte Carlo's.
const SAMPLE_STREAMS: u64 = 1 << 40;
const BOOTSTRAP_STREAMS: u64 = 1 << 41;

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
/// target year, in the order of [`all_series`].
pub fn run(scenario: &Scenario, settings: Settings) -> (Vec<Series>, Estimate) {
    let outputs = all_series(scenario);
    let last = scenario.years().count() - 1;
    let inputs: Vec<_> = scenario
        .uncertainty
        .as_ref()
        .map(|u| u.inputs.iter().collect())
        .unwrap_or_default();
    let samplers: Vec<_> = inputs.iter().map(|i| i.sampler()).collect();
    let estimate = estimate(
        inputs.len(),
        outputs.len(),
        settings,
        || {
            (
                Inputs::base(scenario),
                Workspace::default(),
                Projection::empty(scenario),
            )
        },
        |(base, workspace, projection), u, out| {
            for ((input, q), &p) in inputs.iter().zip(&samplers).zip(u) {
                apply(base, input.target, q.at(p));
            }
            if project_into(scenario, base, workspace, projection).is_err() {
                return false;
            }
            for (slot, &s) in out.iter_mut().zip(&outputs) {
                *slot = value_of(projection, s, last);
            }
            true
        },
    );
    (outputs, estimate)
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
    let n = settings.base_samples;
    if k == 0 || n == 0 {
        return Estimate {
            indices: vec![Vec::new(); outputs],
            rows: 0,
            dropped: 0,
        };
    }
    // Runs per row: A, B, then A_B^i for each i; each with `outputs` values.
    let runs = k + 2;
    let chunks = n.div_ceil(ROWS_PER_CHUNK);
    let per_chunk: Vec<(Vec<f64>, Vec<bool>)> = (0..chunks)
        .into_par_iter()
        .map_init(&init, |state, c| {
            let rows = (n - c * ROWS_PER_CHUNK).min(ROWS_PER_CHUNK);
            let mut rng = sampling::chunk_rng(settings.seed, SAMPLE_STREAMS + c as u64);
            let columns = sampling::uniforms(Method::Random, rows, 2 * k, &mut rng);
            let mut values = vec![0.0; rows * runs * outputs];
            let mut ok = vec![true; rows];
            let mut u = vec![0.0; k];
            for r in 0..rows {
                for run in 0..runs {
                    for (j, slot) in u.iter_mut().enumerate() {
                        // Run 0 is A, run 1 is B, run 2 + i is A with column i from B.
                        let from_b = run == 1 || run == 2 + j;
                        *slot = columns[if from_b { k + j } else { j }][r];
                    }
                    let at = (r * runs + run) * outputs;
                    ok[r] &= model(state, &u, &mut values[at..at + outputs]);
                }
            }
            (values, ok)
        })
        .collect();

    // Keep the feasible rows, in order.
    let mut table: Vec<f64> = Vec::with_capacity(n * runs * outputs);
    let mut dropped = 0;
    for (values, ok) in &per_chunk {
        for (r, &good) in ok.iter().enumerate() {
            if good {
                table.extend_from_slice(&values[r * runs * outputs..(r + 1) * runs * outputs]);
            } else {
                dropped += 1;
            }
        }
    }
    let rows = n - dropped;
    let get = |row: usize, run: usize, o: usize| table[(row * runs + run) * outputs + o];

    // Point estimates over all rows, then over bootstrap resamples.
    let all: Vec<usize> = (0..rows).collect();
    let point = estimators(&all, k, outputs, &get);
    let boots: Vec<Vec<Vec<(f64, f64)>>> = (0..settings.resamples)
        .into_par_iter()
        .map(|b| {
            let mut rng = sampling::chunk_rng(settings.seed, BOOTSTRAP_STREAMS + b as u64);
            let u = sampling::uniforms(Method::Random, rows, 1, &mut rng);
            let pick: Vec<usize> = u[0]
                .iter()
                .map(|x| ((x * rows as f64) as usize).min(rows.saturating_sub(1)))
                .collect();
            estimators(&pick, k, outputs, &get)
        })
        .collect();
    let z = normal_quantile(0.5 + settings.confidence / 2.0);
    let spread = |o: usize, i: usize, which: fn(&(f64, f64)) -> f64| {
        let xs: Vec<f64> = boots.iter().map(|b| which(&b[o][i])).collect();
        z * sd(&xs)
    };
    let indices = (0..outputs)
        .map(|o| {
            (0..k)
                .map(|i| Indices {
                    first: point[o][i].0,
                    first_conf: spread(o, i, |p| p.0),
                    total: point[o][i].1,
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
}

/// (first, total) per output and input over the given rows.
///
/// Outputs are centred on the mean of `f(A)` and `f(B)` first: the first-order estimator's
/// expectation does not change (`E[f(A_B^i) − f(A)] = 0`), but its variance drops sharply
/// when the output's mean is large next to its spread (Saltelli et al. 2010, §3; the
/// total estimator is unaffected by a shift).
fn estimators(
    rows: &[usize],
    k: usize,
    outputs: usize,
    get: &impl Fn(usize, usize, usize) -> f64,
) -> Vec<Vec<(f64, f64)>> {
    let n = rows.len() as f64;
    (0..outputs)
        .map(|o| {
            let mean = rows
                .iter()
                .map(|&r| get(r, 0, o) + get(r, 1, o))
                .sum::<f64>()
                / (2.0 * n);
            let variance = rows
                .iter()
                .map(|&r| (get(r, 0, o) - mean).powi(2) + (get(r, 1, o) - mean).powi(2))
                .sum::<f64>()
                / (2.0 * n);
            (0..k)
                .map(|i| {
                    let (mut first, mut total) = (0.0, 0.0);
                    for &r in rows {
                        let (fa, fb, fab) = (get(r, 0, o), get(r, 1, o), get(r, 2 + i, o));
                        first += (fb - mean) * (fab - fa);
                        total += (fa - fab) * (fa - fab);
                    }
                    if variance > 0.0 {
                        (first / n / variance, total / (2.0 * n) / variance)
                    } else {
                        (0.0, 0.0)
                    }
                })
                .collect()
        })
        .collect()
}

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
