//! Monte Carlo: percentile bands of every metric and ratio in every year, probabilities of
//! meeting stated figures, and their standard errors, in memory that does not grow with the
//! number of draws.
//!
//! Draws are processed in chunks of [`CHUNK`]; chunk `c` takes its random numbers from
//! stream `c` of the seed ([`sampling::chunk_rng`]), so any thread may run any chunk and the
//! results are identical. Per year and series kjproj keeps:
//!
//! - a quantile sketch ([`crate::stats::streaming::Sketch`]): up to [`BUCKETS`]
//!   logarithmically spaced buckets per sign over a window set by a pilot sample of its
//!   own random stream (widened by a quarter of its span on each side), plus the exact values
//!   that fall outside it. A percentile read from it is within a guaranteed relative error
//!   of the exact sample percentile (reported as `relative_error`: about 4·10⁻⁵ for
//!   fine_chem, 1.3·10⁻³ for a lognormal spanning three orders of magnitude between its P5
//!   and P95), whatever the tails: one huge draw widens no bucket;
//! - the count, mean and sum of squared deviations per chunk, merged in chunk order (Chan,
//!   Golub & LeVeque 1979), so the mean is the same whatever the thread count.
//!
//! Standard errors are those of plain random sampling: `sd/√n` for the mean,
//! `√(p(1−p)/n)` for a probability and `√(p(1−p)/n) / f(x_p)` for a percentile, with the
//! density `f` estimated from the sketch (e.g. Stuart & Ord, *Kendall's Advanced Theory
//! of Statistics* 1, §10.10). Latin hypercube sampling does at least as well, so for it
//! these are upper bounds.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use super::{all_series, apply, value_of};
use crate::model::batch::Batch;
use crate::model::{Inputs, Projection, Resolved, Workspace, project_into};
use crate::scenario::expr::Quantity;
use crate::scenario::{Scenario, Series};
use crate::stats::distribution::Quantile;
use crate::stats::sampling::{self, Method};
use crate::stats::streaming::{Layout, Sketch, SketchParts, Welford};

/// Draws per chunk: the unit of work and of random streams. Changing it changes results.
pub const CHUNK: u64 = 65_536;

/// Draws in the pilot sample that sets the histogram ranges.
const PILOT: usize = 2048;

/// The random stream of the pilot sample, apart from every chunk's.
const PILOT_STREAM: u64 = u64::MAX;

/// Sketch buckets per sign, year and series (fewer for very long horizons: see
/// [`buckets_for`]).
pub const BUCKETS: usize = crate::stats::streaming::MAX_BUCKETS;

/// Buckets per sketch window when there are `cells` (series × years) of them: [`BUCKETS`],
/// or fewer so that one set of sketches stays within 4,194,304 buckets (8 MiB of 16-bit
/// counts; a 1000-year horizon with many series would otherwise need gigabytes), but never
/// fewer than 1,024. Fewer buckets only widen the guaranteed relative error, which every
/// output reports.
pub fn buckets_for(cells: usize) -> usize {
    const BUDGET: usize = 4 * 1024 * 1024;
    (BUDGET / cells.max(1)).clamp(1024, BUCKETS)
}

/// The percentiles reported, as fractions.
pub const PERCENTILES: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

/// How to run the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Number of draws (at least 1).
    pub draws: u64,
    /// Random seed.
    pub seed: u64,
    /// Plain random or Latin hypercube sampling (stratified within each chunk).
    pub method: Method,
}

/// The distribution of one series in one year, for a histogram chart: equal bins over the
/// body, and the tails beyond it, so that nothing is left out silently.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    /// (lower edge, upper edge, fraction of draws), contiguous and ascending.
    pub bins: Vec<(f64, f64, f64)>,
    /// The draws below the first bin: (smallest draw, first bin's lower edge, fraction).
    pub below: (f64, f64, f64),
    /// The draws above the last bin: (last bin's upper edge, largest draw, fraction).
    pub above: (f64, f64, f64),
}

impl Histogram {
    /// Every bin with the tails as a first and a last bin: fractions sum to 1.
    pub fn with_tails(&self) -> Vec<(f64, f64, f64)> {
        let mut out = Vec::with_capacity(self.bins.len() + 2);
        if self.below.2 > 0.0 {
            out.push(self.below);
        }
        out.extend_from_slice(&self.bins);
        if self.above.2 > 0.0 {
            out.push(self.above);
        }
        out
    }
}

/// Results of a simulation.
#[derive(Debug, Clone)]
pub struct MonteCarlo {
    /// Draws asked for.
    pub draws: u64,
    /// Draws that could not be projected (e.g. a drawn cap below a value) and were left out.
    pub infeasible: u64,
    /// Why the first infeasible draw failed (the key of the number at fault, and the
    /// message), for the warning or error.
    pub first_infeasible: Option<(Vec<String>, String)>,
    /// Per series (every metric, then every ratio), per year.
    pub series: Vec<(Series, SeriesStats)>,
    /// Probability of reaching each stated figure.
    pub probabilities: Vec<Probability>,
    /// The extra quantities of [`run_with`], in order.
    pub extra: Vec<ExtraStats>,
    /// Those quantities themselves, to find them by.
    pub extra_quantities: Vec<Quantity>,
    sketches: Vec<Sketch>,
    years: usize,
}

/// Statistics of an extra quantity (see [`run_with`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ExtraStats {
    /// Mean over the draws.
    pub mean: f64,
    /// The [`PERCENTILES`].
    pub percentiles: [f64; 7],
    /// The guaranteed bound on their relative error.
    pub relative_error: f64,
}

/// Statistics of one series, one entry per year.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesStats {
    /// Mean per year.
    pub mean: Vec<f64>,
    /// Standard error of the mean per year.
    pub mean_se: Vec<f64>,
    /// Standard deviation per year.
    pub sd: Vec<f64>,
    /// Per year, the [`PERCENTILES`].
    pub percentiles: Vec<[f64; 7]>,
    /// Per year, the standard error of each percentile.
    pub percentile_se: Vec<[f64; 7]>,
    /// Per year, the guaranteed bound on the relative error of the percentiles from their
    /// summary (on top of the sampling error `percentile_se` describes).
    pub relative_error: Vec<f64>,
}

/// The chance that a series reaches a stated figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Probability {
    /// The series.
    pub series: Series,
    /// Year index.
    pub year: usize,
    /// The stated figure.
    pub stated: f64,
    /// Share of draws with a value at or above the stated figure.
    pub probability: f64,
    /// Its standard error.
    pub se: f64,
}

impl MonteCarlo {
    /// Draws that were projected.
    pub fn feasible(&self) -> u64 {
        self.draws - self.infeasible
    }

    fn cell(&self, series: Series, year: usize) -> Option<&Sketch> {
        let s = self.series.iter().position(|(x, _)| *x == series)?;
        self.sketches.get(s * self.years + year)
    }

    /// The `p` quantile (0 < p < 1) of `series` in year index `year`.
    pub fn quantile(&self, series: Series, year: usize, p: f64) -> f64 {
        self.cell(series, year).map_or(f64::NAN, |h| h.quantile(p))
    }

    /// Share of draws with `series` in year index `year` at or below `x`.
    pub fn cdf(&self, series: Series, year: usize, x: f64) -> f64 {
        self.cell(series, year).map_or(f64::NAN, |h| h.cdf(x))
    }

    /// The share of draws with `series` in year index `year` at or above `x`, counted draw
    /// by draw, when `x` is a stated figure of it (see [`MonteCarlo::probabilities`]).
    pub fn reached(&self, series: Series, year: usize, x: f64) -> Option<f64> {
        self.probabilities
            .iter()
            .find(|p| p.series == series && p.year == year && p.stated == x)
            .map(|p| p.probability)
    }

    /// Share of draws with `series` in year index `year` strictly below `x` (see
    /// [`Sketch::below`]).
    pub fn below(&self, series: Series, year: usize, x: f64) -> f64 {
        self.cell(series, year).map_or(f64::NAN, |h| h.below(x))
    }

    /// A histogram of `series` in year index `year`: `bins` equal bins from its P0.5 to
    /// P99.5, and the draws beyond them (see [`Histogram`]).
    pub fn histogram(&self, series: Series, year: usize, bins: usize) -> Histogram {
        self.cell(series, year)
            .map_or_else(Histogram::default, |h| histogram_of(h, bins))
    }

    /// The index of an extra quantity (see [`run_with`]).
    pub fn extra_index(&self, q: &Quantity) -> Option<usize> {
        self.extra_quantities.iter().position(|x| x == q)
    }

    fn extra_sketch(&self, k: usize) -> Option<&Sketch> {
        self.sketches.get(self.series.len() * self.years + k)
    }

    /// The `p` quantile of extra quantity `k`.
    pub fn extra_quantile(&self, k: usize, p: f64) -> f64 {
        self.extra_sketch(k).map_or(f64::NAN, |h| h.quantile(p))
    }

    /// Share of draws with extra quantity `k` at or below `x`.
    pub fn extra_cdf(&self, k: usize, x: f64) -> f64 {
        self.extra_sketch(k).map_or(f64::NAN, |h| h.cdf(x))
    }

    /// Share of draws with extra quantity `k` strictly below `x`.
    pub fn extra_below(&self, k: usize, x: f64) -> f64 {
        self.extra_sketch(k).map_or(f64::NAN, |h| h.below(x))
    }

    /// The histogram of extra quantity `k` (see [`run_with`]).
    pub fn extra_histogram(&self, k: usize, bins: usize) -> Histogram {
        self.extra_sketch(k)
            .map_or_else(Histogram::default, |h| histogram_of(h, bins))
    }
}

/// `bins` equal bins from P0.5 to P99.5 of a sketch, and the tails beyond them.
fn histogram_of(h: &Sketch, bins: usize) -> Histogram {
    let (lo, hi) = (h.quantile(0.005), h.quantile(0.995));
    let (min, max) = (h.quantile(0.0), h.quantile(1.0));
    let tails = ((min, lo, h.cdf(lo)), (hi, max, 1.0 - h.cdf(hi)));
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) || bins == 0 {
        return Histogram {
            bins: vec![(min, max, 1.0)],
            below: (min, min, 0.0),
            above: (max, max, 0.0),
        };
    }
    let width = (hi - lo) / bins as f64;
    Histogram {
        bins: (0..bins)
            .map(|b| {
                let a = lo + width * b as f64;
                let z = if b + 1 == bins { hi } else { a + width };
                (a, z, h.cdf(z) - h.cdf(a))
            })
            .collect(),
        below: tails.0,
        above: tails.1,
    }
}

/// Runs the simulation. `progress`, if given, is increased by the draws done as chunks
/// finish (for a progress bar).
pub fn run(scenario: &Scenario, settings: Settings, progress: Option<&AtomicU64>) -> MonteCarlo {
    run_with(scenario, settings, progress, &[])
}

/// [`run`], also summarising `extra` quantities of every draw (outputs that are not a
/// series in a year: `sum(sales, 2025, 2031)`, say), in [`MonteCarlo::extra`].
pub fn run_with(
    scenario: &Scenario,
    settings: Settings,
    progress: Option<&AtomicU64>,
    extra: &[Quantity],
) -> MonteCarlo {
    let plan = Plan::new(scenario, settings, extra);
    let total = plan.totals(0..chunk_count(settings.draws), progress);
    plan.finish(total)
}

/// [`run_with`] for several simulations at once (`kjproj run`'s base and variants): the
/// same results, bit for bit, as each run on its own. The chunks are simulated one after
/// another, every simulation's chunk `c` by the worker that took `c`, so that what the
/// simulations have in common is drawn once: simulations with the same seed, sampling,
/// draws and correlated inputs draw the same uniforms (drawn once per chunk), and an input
/// whose distribution (and, for a correlated one, whose correlation and partners) is the
/// same as in an earlier one's has the same column, copied rather than drawn (fine_chem's
/// variants change one input each: of its three simulations' 15 columns, 3 sets of uniforms
/// were 1, and 9 columns were drawn rather than 15). `progress` counts the draws of all.
pub fn run_many(
    simulations: &[(&Scenario, Settings, &[Quantity])],
    progress: Option<&AtomicU64>,
) -> Vec<MonteCarlo> {
    let plans: Vec<Plan> = simulations
        .par_iter()
        .map(|&(scenario, settings, extra)| Plan::new(scenario, settings, extra))
        .collect();
    let chunks = plans
        .iter()
        .map(|p| chunk_count(p.settings.draws))
        .max()
        .unwrap_or(0);
    let totals = totals_of_plans(&plans, 0..chunks, progress);
    plans
        .iter()
        .zip(totals)
        .map(|(plan, total)| plan.finish(total))
        .collect()
}

/// The totals of `chunks` of each of `plans` (a plan with fewer chunks skips the rest),
/// what they have in common drawn once ([`Shared`]). One set of sketches per plan per
/// worker thread (not per piece of work): memory is (threads + 1) sets a plan whatever
/// the draws. The chunks are handed out in order, each to the first worker free to take
/// it (a shared counter), so a worker that is slowed down (by the machine, or by another
/// evaluation it shares the threads with) leaves no other idle at the end: every
/// 1,000,000-draw run of the two-input model with a fixed share per worker (every other
/// chunk) had one thread idle for 20–90 ms while the other finished. Merging is exact
/// (counts, and moments merged in chunk order), so results do not depend on which worker
/// took which chunk.
fn totals_of_plans(
    plans: &[Plan],
    chunks: std::ops::Range<u64>,
    progress: Option<&AtomicU64>,
) -> Vec<Totals> {
    let shared = Shared::of(plans);
    let count = chunks.end.saturating_sub(chunks.start);
    let workers = rayon::current_num_threads()
        .min(usize::try_from(count).unwrap_or(usize::MAX))
        .max(1);
    let next = AtomicU64::new(chunks.start);
    let empty = || -> Vec<Totals> { plans.iter().map(|p| Totals::new(&p.layouts)).collect() };
    (0..workers)
        .into_par_iter()
        .map(|_| {
            let mut acc = empty();
            let mut scratch: Vec<Scratch> = plans.iter().map(|_| Scratch::default()).collect();
            let mut batches: Vec<Option<Batch>> = plans.iter().map(|p| p.batch.clone()).collect();
            let mut uniforms: Vec<(Vec<Vec<f64>>, sampling::Scratch)> =
                plans.iter().map(|_| Default::default()).collect();
            let mut after: Vec<Option<rand_chacha::ChaCha8Rng>> = vec![None; plans.len()];
            loop {
                let c = next.fetch_add(1, Ordering::Relaxed);
                if c >= chunks.end || crate::error::interrupted() {
                    break;
                }
                for (p, plan) in plans.iter().enumerate() {
                    if c >= chunk_count(plan.settings.draws) {
                        continue;
                    }
                    let n = plan.chunk_len(c);
                    shared.draw(p, plans, c, n, &mut uniforms, &mut after, &mut scratch);
                    let drawn = Drawn {
                        index: c,
                        n,
                        columns: &scratch[p].columns,
                    };
                    let sketches = &mut acc[p].sketches;
                    let summary = simulate_drawn(
                        plan.scenario,
                        &plan.series,
                        plan.extra,
                        &plan.stated,
                        drawn,
                        batches[p].as_mut(),
                        |cell, xs| sketches[cell].add_all(xs),
                    );
                    if let Some(progress) = progress {
                        progress.fetch_add(n as u64, Ordering::Relaxed);
                    }
                    acc[p].add(summary);
                }
            }
            acc
        })
        .reduce_with(|a, b| {
            a.into_iter()
                .zip(b)
                .map(|(a, b)| Totals::merge(a, b))
                .collect()
        })
        .unwrap_or_else(empty)
}

/// What the simulations of [`run_many`] have in common.
struct Shared {
    /// Per simulation, the first one (perhaps itself) with the same uniforms: the same
    /// seed, sampling, draws and correlated inputs.
    uniforms: Vec<usize>,
    /// Per simulation and input, an earlier simulation whose column of that input is
    /// this one's, bit for bit, if any.
    columns: Vec<Vec<Option<usize>>>,
    /// Per simulation, whether no other has its uniforms (it draws as on its own).
    alone: Vec<bool>,
}

impl Shared {
    fn of(plans: &[Plan]) -> Shared {
        // What decides a simulation's uniforms, and an input's column given them; written
        // out in full (`{:?}` of a number is exact, and tells -0 from 0).
        let uniforms_key = |p: &Plan| {
            let u = p.scenario.uncertainty.as_ref();
            format!(
                "{:?}",
                (
                    p.settings.seed,
                    p.settings.method,
                    p.settings.draws,
                    u.map(correlated_inputs),
                )
            )
        };
        let column_key = |p: &Plan, j: usize| {
            let u = p.scenario.uncertainty.as_ref()?;
            let spec =
                |i: usize| format!("{:?}", (&u.inputs[i].distribution, u.inputs[i].truncate));
            let correlated = u.correlation.as_ref().filter(|c| c.inputs.contains(&j));
            Some(match correlated {
                None => spec(j),
                // A correlated column is reordered with its partners: the same only when
                // the correlation and every partner are.
                Some(c) => format!(
                    "{j} {:?} {:?}",
                    c,
                    c.inputs.iter().map(|&i| spec(i)).collect::<Vec<_>>()
                ),
            })
        };
        let keys: Vec<String> = plans.iter().map(uniforms_key).collect();
        let uniforms: Vec<usize> = (0..plans.len())
            .map(|p| keys.iter().position(|k| *k == keys[p]).unwrap_or(p))
            .collect();
        let column_keys: Vec<Vec<Option<String>>> = plans
            .iter()
            .map(|p| (0..p.samplers.len()).map(|j| column_key(p, j)).collect())
            .collect();
        let columns = (0..plans.len())
            .map(|p| {
                (0..plans[p].samplers.len())
                    .map(|j| {
                        let key = column_keys[p][j].as_ref()?;
                        (0..p).find(|&r| {
                            uniforms[r] == uniforms[p]
                                && column_keys[r]
                                    .get(j)
                                    .is_some_and(|k| k.as_ref() == Some(key))
                        })
                    })
                    .collect()
            })
            .collect();
        let alone = uniforms
            .iter()
            .map(|&f| uniforms.iter().filter(|&&g| g == f).count() == 1)
            .collect();
        Shared {
            uniforms,
            columns,
            alone,
        }
    }

    /// Draws simulation `p`'s inputs of chunk `c` (`n` draws) into `scratch[p].columns`,
    /// as [`draw_inputs_in`] would: the uniforms of its first simulation of the same
    /// uniforms (drawn by `p` if it is that one, left in `uniforms` with the random stream
    /// after them in `after`), its columns copied from the earlier simulations that have
    /// them. The simulations of the chunk come in order.
    #[allow(clippy::too_many_arguments)]
    fn draw(
        &self,
        p: usize,
        plans: &[Plan],
        c: u64,
        n: usize,
        uniforms: &mut [(Vec<Vec<f64>>, sampling::Scratch)],
        after: &mut [Option<rand_chacha::ChaCha8Rng>],
        scratch: &mut [Scratch],
    ) {
        let plan = &plans[p];
        let first = self.uniforms[p];
        if self.alone[p] {
            // Nothing to share: drawn in place, as on its own.
            let s = plan.settings;
            draw_inputs_in(
                plan.scenario,
                &plan.samplers,
                s.method,
                s.seed,
                c,
                n,
                &mut scratch[p],
            );
            return;
        }
        let Some(u) = &plan.scenario.uncertainty else {
            scratch[p].columns.clear();
            return;
        };
        if first == p {
            let mut rng = sampling::chunk_rng(plan.settings.seed, c);
            let (columns, memory) = &mut uniforms[p];
            sampling::uniforms_in(
                plan.settings.method,
                n,
                &correlated_inputs(u),
                &mut rng,
                columns,
                memory,
            );
            after[p] = Some(rng);
        }
        let (done, rest) = scratch.split_at_mut(p);
        let own = &mut rest[0];
        own.columns.resize_with(plan.samplers.len(), Vec::new);
        let mut correlate_here = false;
        for (j, (column, q)) in own.columns.iter_mut().zip(&plan.samplers).enumerate() {
            column.clear();
            match self.columns[p][j] {
                Some(r) => column.extend_from_slice(&done[r].columns[j]),
                None => {
                    column.extend(uniforms[first].0[j].iter().map(|&x| q.at(x)));
                    correlate_here |= u
                        .correlation
                        .as_ref()
                        .is_some_and(|c| c.inputs.contains(&j));
                }
            }
        }
        if correlate_here {
            let mut rng = after[first].clone().expect("the uniforms were drawn first");
            correlate(u, &mut own.columns, &mut rng, &mut own.correlation);
        }
    }
}

/// The chunks of [`CHUNK`] draws a simulation of `draws` draws has (the last may be
/// shorter).
pub fn chunk_count(draws: u64) -> u64 {
    draws.div_ceil(CHUNK)
}

/// The draws in chunk `c` (below [`chunk_count`]) of a simulation of `draws` draws.
pub fn chunk_len(draws: u64, c: u64) -> usize {
    (draws - c * CHUNK).min(CHUNK) as usize
}

/// The running totals of some of a simulation's chunks (see [`run_chunks`]): what one
/// worker of a run split across processes or machines hands back, to be combined by
/// [`merge`] into exactly the simulation one run would have made.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Partial {
    /// The chunks covered, `start..end`.
    pub chunks: (u64, u64),
    sketches: Vec<SketchParts>,
    moments: Vec<(u64, Vec<Welford>)>,
    reached: Vec<u64>,
    infeasible: u64,
    first_infeasible: Option<Failure>,
}

/// Simulates only chunks `chunks` (clipped to the simulation's) of [`run_with`].
pub fn run_chunks(
    scenario: &Scenario,
    settings: Settings,
    progress: Option<&AtomicU64>,
    extra: &[Quantity],
    chunks: std::ops::Range<u64>,
) -> Partial {
    let all = chunk_count(settings.draws);
    let chunks = chunks.start.min(all)..chunks.end.min(all);
    let plan = Plan::new(scenario, settings, extra);
    let mut t = plan.totals(chunks.clone(), progress);
    // In chunk order, not the order the workers finished them: the same partial for any
    // thread count.
    t.moments.sort_by_key(|(c, _)| *c);
    Partial {
        chunks: (chunks.start, chunks.end),
        sketches: t.sketches.iter().map(Sketch::parts).collect(),
        moments: t.moments,
        reached: t.reached,
        infeasible: t.infeasible,
        first_infeasible: t.first_infeasible,
    }
}

/// Combines partials that cover every chunk of the simulation once into the simulation
/// [`run_with`] gives with the same scenario, settings and extra quantities: counts add,
/// and means and variances are merged in chunk order as in one run, so the result is the
/// same to the bit. Fails, saying why, when the partials leave chunks out, cover one
/// twice, or do not fit the simulation (made with other settings or a changed scenario).
pub fn merge(
    scenario: &Scenario,
    settings: Settings,
    extra: &[Quantity],
    partials: &[&Partial],
) -> Result<MonteCarlo, String> {
    let all = chunk_count(settings.draws);
    let mut ranges: Vec<(u64, u64)> = partials.iter().map(|p| p.chunks).collect();
    ranges.sort_unstable();
    let mut next = 0;
    for &(a, b) in &ranges {
        if a > next {
            return Err(format!("chunks {next}..{a} of {all} are missing"));
        }
        if a < next {
            return Err(format!(
                "chunks {a}..{} are in more than one partial",
                next.min(b)
            ));
        }
        next = b.max(next);
    }
    if next != all {
        return Err(format!("chunks {next}..{all} of {all} are missing"));
    }
    let plan = Plan::new(scenario, settings, extra);
    let mut total = Totals::new(&plan.layouts);
    for p in partials {
        total = Totals::merge(total, plan.totals_of(p)?);
    }
    Ok(plan.finish(total))
}

/// What a simulation needs besides its chunks' draws: the series, the stated figures, the
/// samplers and the sketches' windows (set by a pilot sample of its own random stream).
struct Plan<'a> {
    scenario: &'a Scenario,
    settings: Settings,
    extra: &'a [Quantity],
    series: Vec<Series>,
    years: usize,
    stated: Vec<(Series, usize, f64)>,
    samplers: Vec<Quantile>,
    layouts: Vec<Layout>,
    /// The projection of blocks of draws, when the scenario's shapes allow one; each
    /// worker projects in its own copy.
    batch: Option<Batch>,
}

impl<'a> Plan<'a> {
    fn new(scenario: &'a Scenario, settings: Settings, extra: &'a [Quantity]) -> Plan<'a> {
        let series = all_series(scenario);
        let years = scenario.years().count();
        let stated = stated_figures(scenario);
        let samplers = samplers(scenario);
        let batch = Batch::new(scenario, &targets(scenario));
        // A pilot sample of its own random stream sets the sketches' windows; its values
        // are not part of the results. Values outside the windows are kept exactly, so the
        // windows only decide the resolution, never the correctness.
        let pilot_len = PILOT
            .min(usize::try_from(settings.draws).unwrap_or(PILOT))
            .max(PILOT.min(64));
        let mut pilot: Vec<Vec<f64>> =
            vec![Vec::with_capacity(pilot_len); series.len() * years + extra.len()];
        let _ = simulate_chunk(
            scenario,
            &samplers,
            &series,
            extra,
            &stated,
            settings,
            PILOT_STREAM,
            pilot_len,
            &mut Scratch::default(),
            batch.clone().as_mut(),
            |cell, xs| {
                pilot[cell].extend_from_slice(xs);
            },
        );
        let buckets = buckets_for(pilot.len());
        let layouts = pilot
            .iter()
            .map(|v| Layout::from_pilot(v, buckets))
            .collect();
        Plan {
            scenario,
            settings,
            extra,
            series,
            years,
            stated,
            samplers,
            layouts,
            batch,
        }
    }

    fn chunk_len(&self, c: u64) -> usize {
        chunk_len(self.settings.draws, c)
    }

    /// The totals of `chunks` (see [`totals_of_plans`]).
    fn totals(&self, chunks: std::ops::Range<u64>, progress: Option<&AtomicU64>) -> Totals {
        totals_of_plans(std::slice::from_ref(self), chunks, progress)
            .pop()
            .unwrap_or_else(|| Totals::new(&self.layouts))
    }

    /// The totals a partial holds, checked against this simulation: every count within
    /// the partial's chunks and draws, so that nothing a damaged file says can overflow a
    /// count or reach outside a table.
    fn totals_of(&self, p: &Partial) -> Result<Totals, String> {
        let cells = self.layouts.len();
        let (start, end) = p.chunks;
        let mismatch = || {
            "it does not fit this simulation (made with other settings, another version \
             of kjproj or a scenario that has changed since)"
                .to_string()
        };
        if start > end
            || end > chunk_count(self.settings.draws)
            || p.sketches.len() != cells
            || p.reached.len() != self.stated.len()
            || p.moments.len() as u64 != end - start
        {
            return Err(mismatch());
        }
        let sketches = p
            .sketches
            .iter()
            .zip(&self.layouts)
            .map(|(parts, &layout)| Sketch::from_parts(layout, parts))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|why| format!("{}: {why}", mismatch()))?;
        let mut draws = 0;
        let mut seen = vec![false; p.moments.len()];
        for (c, stats) in &p.moments {
            let at = c.checked_sub(start).filter(|&i| i < end - start);
            let Some(i) = at.map(|i| i as usize) else {
                return Err(format!("{}: chunk {c} outside {start}..{end}", mismatch()));
            };
            if std::mem::replace(&mut seen[i], true)
                || stats.len() != cells
                || stats.iter().any(|w| w.n > self.chunk_len(*c) as u64)
            {
                return Err(mismatch());
            }
            draws += self.chunk_len(*c) as u64;
        }
        let projected = (0..cells).map(|cell| p.moments.iter().map(|(_, m)| m[cell].n).sum());
        if sketches
            .iter()
            .zip(projected)
            .any(|(s, n): (&Sketch, u64)| s.count() != n)
            || p.reached.iter().any(|&r| r > draws)
            || p.infeasible > draws
        {
            return Err(mismatch());
        }
        Ok(Totals {
            sketches,
            moments: p.moments.clone(),
            reached: p.reached.clone(),
            infeasible: p.infeasible,
            first_infeasible: p.first_infeasible.clone(),
        })
    }

    fn finish(&self, total: Totals) -> MonteCarlo {
        let mut mc = total.finish(self.settings.draws, &self.series, self.years, &self.stated);
        mc.extra_quantities = self.extra.to_vec();
        mc
    }
}

/// Every draw of [`run_with`] with the same scenario and settings, in draw order: its
/// index, the sampled inputs (in file order) and the values of `outputs`, or `None` when
/// the draw could not be projected. The draws are drawn again from the same random
/// streams, chunk by chunk, so the simulation itself pays nothing for them; `visit` may
/// stop the walk with an error.
pub fn each_draw<E>(
    scenario: &Scenario,
    settings: Settings,
    outputs: &[Quantity],
    mut visit: impl FnMut(u64, &[f64], Option<&[f64]>) -> Result<(), E>,
) -> Result<(), E> {
    let samplers = samplers(scenario);
    let targets = targets(scenario);
    let mut inputs = Inputs::base(scenario);
    let mut workspace = Workspace::default();
    let mut projection = Projection::empty(scenario);
    let mut row = vec![0.0; targets.len()];
    let mut values = vec![0.0; outputs.len()];
    let outputs: Vec<Resolved> = outputs.iter().map(|q| Resolved::new(scenario, q)).collect();
    for c in 0..chunk_count(settings.draws) {
        let n = chunk_len(settings.draws, c);
        let columns = draw_inputs(scenario, &samplers, settings.method, settings.seed, c, n);
        for draw in 0..n {
            for ((x, column), target) in row.iter_mut().zip(&columns).zip(&targets) {
                *x = column[draw];
                apply(&mut inputs, *target, *x);
            }
            let projected =
                project_into(scenario, &inputs, &mut workspace, &mut projection).is_ok();
            if projected {
                for (v, q) in values.iter_mut().zip(&outputs) {
                    *v = q.on(&projection);
                }
            }
            visit(
                c * CHUNK + draw as u64,
                &row,
                projected.then_some(&values[..]),
            )?;
        }
    }
    Ok(())
}

/// Stated figures: (series, year index, value), metrics then ratios.
fn stated_figures(scenario: &Scenario) -> Vec<(Series, usize, f64)> {
    let at = |year: i32| (year - scenario.baseline_year) as usize;
    let metrics = scenario.metrics.iter().enumerate().flat_map(|(i, m)| {
        m.stated
            .iter()
            .map(move |s| (Series::Metric(i), at(s.year), s.value))
    });
    let ratios = scenario.ratios.iter().enumerate().flat_map(|(i, r)| {
        r.stated
            .iter()
            .map(move |s| (Series::Ratio(i), at(s.year), s.value))
    });
    metrics.chain(ratios).collect()
}

/// The fast quantile functions of the scenario's uncertain inputs, in file order (built
/// once per run: a PERT table takes about a millisecond).
pub fn samplers(scenario: &Scenario) -> Vec<Quantile> {
    scenario
        .uncertainty
        .as_ref()
        .map(|u| u.inputs.iter().map(|i| i.sampler()).collect())
        .unwrap_or_default()
}

/// Which number each uncertain input varies, in file order.
fn targets(scenario: &Scenario) -> Vec<crate::scenario::InputTarget> {
    scenario
        .uncertainty
        .as_ref()
        .map(|u| u.inputs.iter().map(|i| i.target).collect())
        .unwrap_or_default()
}

/// Draws the inputs of one chunk: one column per uncertain input, correlated as asked.
pub fn draw_inputs(
    scenario: &Scenario,
    samplers: &[Quantile],
    method: Method,
    seed: u64,
    chunk: u64,
    n: usize,
) -> Vec<Vec<f64>> {
    let mut scratch = Scratch::default();
    draw_inputs_in(scenario, samplers, method, seed, chunk, n, &mut scratch);
    scratch.columns
}

/// The memory a worker draws its chunks' inputs in, kept from one chunk to the next: the
/// columns and the working memory of the Latin hypercube and of Iman–Conover (about 8 MB
/// for a chunk of `fine_chem`, which, allocated afresh for every chunk, mostly came back
/// from the system as new pages: 45% of a default run's page faults).
#[derive(Debug, Default)]
pub struct Scratch {
    /// The chunk's inputs, one column per uncertain input, after [`draw_inputs_in`].
    pub columns: Vec<Vec<f64>>,
    sampling: sampling::Scratch,
    correlation: crate::stats::correlation::Scratch,
}

/// [`draw_inputs`] into `scratch.columns`, in the memory `scratch` already has: the same
/// numbers, bit for bit.
pub fn draw_inputs_in(
    scenario: &Scenario,
    samplers: &[Quantile],
    method: Method,
    seed: u64,
    chunk: u64,
    n: usize,
    scratch: &mut Scratch,
) {
    let Some(u) = &scenario.uncertainty else {
        scratch.columns.clear();
        return;
    };
    let mut rng = sampling::chunk_rng(seed, chunk);
    let Scratch {
        columns,
        sampling: memory,
        correlation: reorder,
    } = scratch;
    sampling::uniforms_in(method, n, &correlated_inputs(u), &mut rng, columns, memory);
    for (column, q) in columns.iter_mut().zip(samplers) {
        for x in column.iter_mut() {
            *x = q.at(*x);
        }
    }
    correlate(u, columns, &mut rng, reorder);
}

/// Which inputs Iman–Conover correlates (those of a correlation of two or more): the
/// columns whose uniforms come in the order of their strata (see
/// [`sampling::uniforms_in`]).
fn correlated_inputs(u: &crate::scenario::Uncertainty) -> Vec<bool> {
    let mut correlated = vec![false; u.inputs.len()];
    for c in u.correlation.iter().filter(|c| c.inputs.len() >= 2) {
        for &i in &c.inputs {
            correlated[i] = true;
        }
    }
    correlated
}

/// Reorders the correlated columns of `columns` (drawn values) as the file's correlation
/// asks (Iman–Conover, from `rng` as the uniforms left it); keeps only their values, and
/// sorts them.
fn correlate(
    u: &crate::scenario::Uncertainty,
    columns: &mut [Vec<f64>],
    rng: &mut rand_chacha::ChaCha8Rng,
    reorder: &mut crate::stats::correlation::Scratch,
) {
    if let Some(c) = &u.correlation {
        let mut picked: Vec<Vec<f64>> = c
            .inputs
            .iter()
            .map(|&i| std::mem::take(&mut columns[i]))
            .collect();
        crate::stats::correlation::iman_conover_in(&mut picked, &c.matrix, rng, reorder);
        for (&i, column) in c.inputs.iter().zip(picked) {
            columns[i] = column;
        }
    }
}

/// What one chunk of draws leaves besides the values it records.
struct ChunkSummary {
    index: u64,
    /// Per cell (series × year): count, mean and squared deviations.
    stats: Vec<Welford>,
    /// Per stated figure: draws at or above it.
    reached: Vec<u64>,
    infeasible: u64,
    first_infeasible: Option<Failure>,
}

/// Draws a chunk's values are gathered in before they are recorded: about 32 KiB of them
/// (so that they stay in cache), from 16 to 256 draws. With more than 256 cells (long
/// horizons, many series) each draw's values are recorded as they come: a few values per
/// sketch at a time would each wait for that sketch's counts to come from memory, where
/// a draw's values for hundreds of sketches are fetched side by side (a 1,000-year run
/// took 1.5 times as long with blocks of 8).
fn block_len(cells: usize) -> usize {
    if cells > 256 {
        1
    } else {
        (4096 / cells.max(1)).clamp(16, 256)
    }
}

/// Simulates chunk `index` of `n` draws, handing the values of feasible draws to
/// `record(cell, values)` a block of draws at a time, in draw order, where cell = series ×
/// years + year (then the extra quantities). `batch`, the scenario's projection of many
/// draws at once where its shapes allow one, changes nothing but the time.
#[allow(clippy::too_many_arguments)]
fn simulate_chunk(
    scenario: &Scenario,
    samplers: &[Quantile],
    series: &[Series],
    extra: &[Quantity],
    stated: &[(Series, usize, f64)],
    settings: Settings,
    index: u64,
    n: usize,
    scratch: &mut Scratch,
    batch: Option<&mut Batch>,
    record: impl FnMut(usize, &[f64]),
) -> ChunkSummary {
    draw_inputs_in(
        scenario,
        samplers,
        settings.method,
        settings.seed,
        index,
        n,
        scratch,
    );
    let drawn = Drawn {
        index,
        n,
        columns: &scratch.columns,
    };
    simulate_drawn(scenario, series, extra, stated, drawn, batch, record)
}

/// A chunk's drawn inputs: chunk `index` of `n` draws, one column per uncertain input.
#[derive(Clone, Copy)]
struct Drawn<'a> {
    index: u64,
    n: usize,
    columns: &'a [Vec<f64>],
}

/// [`simulate_chunk`] once the chunk's inputs are drawn.
fn simulate_drawn(
    scenario: &Scenario,
    series: &[Series],
    extra: &[Quantity],
    stated: &[(Series, usize, f64)],
    drawn: Drawn,
    batch: Option<&mut Batch>,
    mut record: impl FnMut(usize, &[f64]),
) -> ChunkSummary {
    let Drawn { index, n, columns } = drawn;
    let years = scenario.years().count();
    let targets = targets(scenario);

    let mut inputs = Inputs::base(scenario);
    let mut workspace = Workspace::default();
    let mut projection = Projection::empty(scenario);
    let cells = series.len() * years + extra.len();
    let mut stats = vec![Welford::default(); cells];
    let block = block_len(cells);
    // Blocks of one draw (many extra quantities) are projected draw by draw: the batch's
    // work per call does not pay for itself over one draw.
    let mut batch = batch.filter(|_| block > 1);
    // Cell-major: the values of cell c are values[c * block..][..filled].
    let mut values = vec![0.0; cells * block];
    let mut filled = 0;
    let mut flush = |values: &[f64], filled: usize| {
        for (cell, stat) in stats.iter_mut().enumerate() {
            let xs = &values[cell * block..][..filled];
            stat.push_all(xs);
            record(cell, xs);
        }
    };
    let mut reached = vec![0u64; stated.len()];
    let mut infeasible = 0;
    let mut first_infeasible = None;
    // The extra quantities, each with its series found once, and a draw's path for them.
    let extra: Vec<Resolved> = extra.iter().map(|q| Resolved::new(scenario, q)).collect();
    let first_extra = series.len() * years;
    let mut path = Vec::with_capacity(years);
    // Values are taken a window of draws at a time, as many as the block has room for:
    // projected together where the scenario's shapes allow (`model::batch`, the same
    // numbers), else (or when a draw in the window is infeasible) one by one. Either way
    // the block is flushed once `block` feasible draws fill it, as draw by draw.
    let mut draw = 0;
    while draw < n {
        let window = draw..(draw + block - filled).min(n);
        let batched = batch
            .as_deref_mut()
            .is_some_and(|b| b.project(columns, window.clone()));
        if let (true, Some(b)) = (batched, batch.as_deref()) {
            for (s, &which) in series.iter().enumerate() {
                for y in 0..years {
                    let cell = s * years + y;
                    values[cell * block + filled..][..window.len()]
                        .copy_from_slice(b.values(which, y));
                }
            }
            for (k, q) in extra.iter().enumerate() {
                let cell = &mut values[(first_extra + k) * block + filled..][..window.len()];
                q.in_batch_all(b, cell, &mut path);
            }
            for (count, &(which, year, figure)) in reached.iter_mut().zip(stated) {
                let values = b.values(which, year).iter();
                *count += values.filter(|&&x| x >= figure).count() as u64;
            }
            filled += window.len();
        } else {
            for draw in window.clone() {
                for (column, target) in columns.iter().zip(&targets) {
                    apply(&mut inputs, *target, column[draw]);
                }
                if let Err(e) = project_into(scenario, &inputs, &mut workspace, &mut projection) {
                    infeasible += 1;
                    if first_infeasible.is_none() {
                        first_infeasible = Some((index, draw as u64, e.key, e.message));
                    }
                    continue;
                }
                for (s, &which) in series.iter().enumerate() {
                    let cells =
                        values[s * years * block..][..years * block].chunks_exact_mut(block);
                    for (cell, &x) in cells.zip(projection.series(which)) {
                        cell[filled] = x;
                    }
                }
                for (k, q) in extra.iter().enumerate() {
                    values[(first_extra + k) * block + filled] = q.on(&projection);
                }
                for (count, &(which, year, figure)) in reached.iter_mut().zip(stated) {
                    *count += u64::from(value_of(&projection, which, year) >= figure);
                }
                filled += 1;
            }
        }
        draw = window.end;
        if filled == block {
            flush(&values, filled);
            filled = 0;
        }
    }
    flush(&values, filled);
    ChunkSummary {
        index,
        stats,
        reached,
        infeasible,
        first_infeasible,
    }
}

/// Running totals over chunks.
struct Totals {
    sketches: Vec<Sketch>,
    /// Per chunk (chunk index, per-cell statistics), merged in chunk order at the end.
    moments: Vec<(u64, Vec<Welford>)>,
    reached: Vec<u64>,
    infeasible: u64,
    first_infeasible: Option<Failure>,
}

impl Totals {
    fn new(layouts: &[Layout]) -> Totals {
        Totals {
            sketches: layouts.iter().map(|&l| Sketch::new(l)).collect(),
            moments: Vec::new(),
            reached: Vec::new(),
            infeasible: 0,
            first_infeasible: None,
        }
    }

    /// Adds a chunk's summary (its values are already in the histograms).
    fn add(&mut self, chunk: ChunkSummary) {
        self.moments.push((chunk.index, chunk.stats));
        if self.reached.is_empty() {
            self.reached = chunk.reached;
        } else {
            for (a, b) in self.reached.iter_mut().zip(&chunk.reached) {
                *a += b;
            }
        }
        self.infeasible += chunk.infeasible;
        self.first_infeasible = earliest(self.first_infeasible.take(), chunk.first_infeasible);
    }

    fn merge(mut a: Totals, b: Totals) -> Totals {
        for (x, y) in a.sketches.iter_mut().zip(&b.sketches) {
            x.merge(y);
        }
        a.moments.extend(b.moments);
        if a.reached.is_empty() {
            a.reached = b.reached;
        } else {
            for (x, y) in a.reached.iter_mut().zip(&b.reached) {
                *x += y;
            }
        }
        a.infeasible += b.infeasible;
        a.first_infeasible = earliest(a.first_infeasible, b.first_infeasible);
        a
    }

    fn finish(
        mut self,
        draws: u64,
        series: &[Series],
        years: usize,
        stated: &[(Series, usize, f64)],
    ) -> MonteCarlo {
        for h in &mut self.sketches {
            h.prepare();
        }
        self.moments.sort_by_key(|(c, _)| *c);
        let cells = self.sketches.len();
        let moments: Vec<Welford> = (0..cells)
            .map(|cell| {
                self.moments
                    .iter()
                    .fold(Welford::default(), |acc, (_, m)| acc.merge(m[cell]))
            })
            .collect();
        let n = moments.first().map_or(0, |m| m.n);
        let nf = n as f64;

        let stats = series
            .iter()
            .enumerate()
            .map(|(s, &which)| {
                let mut out = SeriesStats {
                    mean: Vec::with_capacity(years),
                    mean_se: Vec::with_capacity(years),
                    sd: Vec::with_capacity(years),
                    percentiles: Vec::with_capacity(years),
                    percentile_se: Vec::with_capacity(years),
                    relative_error: Vec::with_capacity(years),
                };
                for y in 0..years {
                    let cell = s * years + y;
                    let (m, h) = (moments[cell], &self.sketches[cell]);
                    let sd = if n > 1 {
                        (m.m2 / (nf - 1.0)).sqrt()
                    } else {
                        0.0
                    };
                    out.mean.push(m.mean);
                    out.sd.push(sd);
                    out.mean_se
                        .push(if n > 0 { sd / nf.sqrt() } else { f64::NAN });
                    out.percentiles.push(PERCENTILES.map(|p| h.quantile(p)));
                    out.percentile_se.push(PERCENTILES.map(|p| {
                        // 1/f(x_p) from the spread of the neighbouring quantiles.
                        let d = 0.01;
                        let inv_density = (h.quantile((p + d).min(1.0))
                            - h.quantile((p - d).max(0.0)))
                            / ((p + d).min(1.0) - (p - d).max(0.0));
                        (p * (1.0 - p) / nf).sqrt() * inv_density
                    }));
                    out.relative_error.push(h.relative_error());
                }
                (which, out)
            })
            .collect();

        let probabilities = stated
            .iter()
            .zip(&self.reached)
            .map(|(&(which, year, figure), &count)| {
                let p = if n > 0 { count as f64 / nf } else { f64::NAN };
                Probability {
                    series: which,
                    year,
                    stated: figure,
                    probability: p,
                    se: (p * (1.0 - p) / nf).sqrt(),
                }
            })
            .collect();

        let extra = (series.len() * years..cells)
            .map(|cell| ExtraStats {
                mean: moments[cell].mean,
                percentiles: PERCENTILES.map(|p| self.sketches[cell].quantile(p)),
                relative_error: self.sketches[cell].relative_error(),
            })
            .collect();
        MonteCarlo {
            draws,
            infeasible: self.infeasible,
            first_infeasible: self.first_infeasible.map(|(_, _, k, m)| (k, m)),
            series: stats,
            probabilities,
            extra,
            extra_quantities: Vec::new(),
            sketches: self.sketches,
            years,
        }
    }
}

/// The first draw that could not be projected: (chunk, draw within it, key, message).
type Failure = (u64, u64, Vec<String>, String);

fn earliest(a: Option<Failure>, b: Option<Failure>) -> Option<Failure> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if (x.0, x.1) <= (y.0, y.1) { x } else { y }),
        (x, None) => x,
        (None, y) => y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a chunk leaves: every value recorded, per cell in order, and its summary.
    type Recorded = (
        Vec<Vec<f64>>,
        Vec<(u64, u64, u64)>,
        Vec<u64>,
        u64,
        Option<Failure>,
    );

    /// Chunk 3 of `n` draws as `simulate_chunk` leaves it, with or without the batch,
    /// with the `extra` quantities.
    fn simulate(scenario: &Scenario, n: usize, extra: &[Quantity], batched: bool) -> Recorded {
        let series = all_series(scenario);
        let mut batch = Batch::new(scenario, &targets(scenario));
        assert!(batch.is_some(), "a scenario the batch covers");
        let mut cells = vec![Vec::new(); series.len() * scenario.years().count() + extra.len()];
        let summary = simulate_chunk(
            scenario,
            &samplers(scenario),
            &series,
            extra,
            &stated_figures(scenario),
            settings(n),
            3,
            n,
            &mut Scratch::default(),
            batch.as_mut().filter(|_| batched),
            |cell, xs| cells[cell].extend_from_slice(xs),
        );
        (
            cells,
            moments(&summary.stats),
            summary.reached,
            summary.infeasible,
            summary.first_infeasible,
        )
    }

    fn settings(n: usize) -> Settings {
        Settings {
            draws: n as u64,
            seed: 5,
            method: Method::LatinHypercube,
        }
    }

    fn moments(stats: &[Welford]) -> Vec<(u64, u64, u64)> {
        stats
            .iter()
            .map(|w| (w.n, w.mean.to_bits(), w.m2.to_bits()))
            .collect()
    }

    /// The same chunk written out plainly: each draw's inputs applied and projected on
    /// its own, the feasible draws' values in order (then each extra quantity's, found by
    /// name on the draw's projection), each cell's moments taken a block of `block_len`
    /// values at a time.
    fn expected(scenario: &Scenario, n: usize, extra: &[Quantity]) -> Recorded {
        let series = all_series(scenario);
        let years = scenario.years().count();
        let stated = stated_figures(scenario);
        let columns = draw_inputs(
            scenario,
            &samplers(scenario),
            Method::LatinHypercube,
            5,
            3,
            n,
        );
        let mut cells = vec![Vec::new(); series.len() * years + extra.len()];
        let (mut reached, mut infeasible, mut first) = (vec![0; stated.len()], 0, None);
        for draw in 0..n {
            let mut inputs = Inputs::base(scenario);
            for (column, &target) in columns.iter().zip(&targets(scenario)) {
                apply(&mut inputs, target, column[draw]);
            }
            let mut p = Projection::empty(scenario);
            match project_into(scenario, &inputs, &mut Workspace::default(), &mut p) {
                Ok(()) => {
                    for (s, &which) in series.iter().enumerate() {
                        for (y, &x) in p.series(which).iter().enumerate() {
                            cells[s * years + y].push(x);
                        }
                    }
                    for (k, q) in extra.iter().enumerate() {
                        cells[series.len() * years + k]
                            .push(crate::model::quantity(scenario, &p, q));
                    }
                    for (count, &(which, year, figure)) in reached.iter_mut().zip(&stated) {
                        *count += u64::from(p.series(which)[year] >= figure);
                    }
                }
                Err(e) => {
                    infeasible += 1;
                    first = first.or(Some((3, draw as u64, e.key, e.message)));
                }
            }
        }
        let block = block_len(cells.len());
        let stats: Vec<Welford> = cells
            .iter()
            .map(|xs| {
                let mut w = Welford::default();
                xs.chunks(block).for_each(|b| w.push_all(b));
                w
            })
            .collect();
        (cells, moments(&stats), reached, infeasible, first)
    }

    #[test]
    fn draws_projected_in_blocks_leave_what_draws_projected_one_by_one_leave() {
        // Draws that cannot be projected (a cagr target at or below 0, 0.05% of them) move
        // the blocks' boundaries after them, on which the moments depend: with the batch
        // or without, the blocks must be flushed exactly where draw by draw they fill.
        let text = r#"
name = "Blocks"
unit = "u"
baseline_year = 2020
target_year = 2028
[metrics.m]
shape = "cagr"
baseline = { value = 10 }
target = { value = 20 }
[metrics.l]
shape = "linear"
baseline = { value = 1 }
target = { value = 2 }
observed = [ { year = 2019, value = 0.9 } ]
[ratios.r]
kind = "ratio"
numerator = "m"
denominator = "l"
stated = [ { year = 2028, value = 9, tolerance = 100 } ]
[metrics.z]
shape = "linear"
baseline = { value = 0 }
target = { value = 1 }
[uncertainty.inputs]
"metrics.m.target.value" = { dist = "uniform", min = -0.02, max = 40 }
"metrics.l.target.value" = { dist = "uniform", min = 0.5, max = 3 }
"metrics.z.target.value" = { dist = "uniform", min = -1, max = 1 }
"#;
        let s = crate::scenario::parse(text, std::path::Path::new("blocks.toml")).expect("valid");
        let n = 30_000;
        // Extra quantities of every kind a simulation records (as checks and outputs ask
        // for them), each read from the draw's path of its series (z starts at 0, so its
        // first growth is NaN, and goes below 0).
        let extra: Vec<Quantity> = [
            "sum(m, 2022, 2026)",
            "average(r, 2020, 2028)",
            "cagr(l)",
            "cagr(r, 2021, 2025)",
            "max(yoy(m))",
            "min(yoy(r))",
            "max(yoy(z))",
            "min(yoy(z))",
            "z[2021]",
            "yoy(z[2021])",
            "yoy(m[2020])",
            "cagr(z)",
            "cagr(z, 2022, 2027)",
            "sum(z, 2020, 2028)",
            "average(z, 2021, 2021)",
            "yoy(l[2024])",
            "r[2027]",
            "observed(l, 2019)",
        ]
        .iter()
        .map(|t| crate::scenario::expr::parse_quantity(t).expect(t))
        .collect();
        let want = expected(&s, n, &extra);
        assert!(
            want.0[want.0.len() - 1].iter().all(|&x| x == 0.9),
            "the observed value in every feasible draw"
        );
        assert!(want.3 > 5, "{} draws infeasible", want.3);
        assert!(
            want.2[0] > 1000,
            "{:?} draws reach the stated figure",
            want.2
        );
        let bits = |r: &Recorded| {
            r.0.iter()
                .flatten()
                .map(|x| x.to_bits())
                .collect::<Vec<_>>()
        };
        for batched in [false, true] {
            let got = simulate(&s, n, &extra, batched);
            assert_eq!(bits(&got), bits(&want), "values, batched: {batched}");
            assert_eq!(got.1, want.1, "moments, batched: {batched}");
            assert_eq!(got.2, want.2, "stated figures reached, batched: {batched}");
            assert_eq!((got.3, &got.4), (want.3, &want.4), "batched: {batched}");
        }
    }
}

#[cfg(test)]
mod many_tests {
    use super::*;

    /// Every simulation of `run_many` is, to the last bit of every figure, the simulation
    /// `run_with` makes of it alone: fine_chem's base and variants (each changes one input,
    /// one of them a correlated one), the base again with another seed and with other
    /// draws (nothing shared), a variant that drops the correlation, and a scenario of
    /// other inputs altogether, side by side on two threads.
    #[test]
    fn simulations_run_together_are_each_the_simulation_run_alone() {
        let text = format!(
            "{}\n{}",
            include_str!("../../scenarios/fine_chem.toml"),
            r#"
[variants.reseeded]
"uncertainty.seed" = 7
[variants.fewer]
"uncertainty.draws" = 1000
[variants.uncorrelated]
"uncertainty.correlation.matrix" = [[1.0, 0.0], [0.0, 1.0]]
"#
        );
        let file = crate::scenario::parse(&text, std::path::Path::new("f.toml")).expect("valid");
        let other = crate::scenario::parse(
            include_str!("../../scenarios/korea_israel.toml"),
            std::path::Path::new("e.toml"),
        )
        .expect("valid");
        let mut scenarios: Vec<&Scenario> = vec![&file];
        scenarios.extend(file.variants.iter().map(|v| &v.scenario));
        scenarios.push(&other);
        let extra = [crate::scenario::expr::parse_quantity("sum(sales, 2025, 2031)").unwrap()];
        let sims: Vec<(&Scenario, Settings, &[Quantity])> = scenarios
            .iter()
            .map(|&s| {
                let u = s.uncertainty.as_ref();
                let settings = Settings {
                    draws: u.and_then(|u| u.draws).map_or(70_000, |d| d.min(70_000)),
                    seed: u.and_then(|u| u.seed).unwrap_or(42),
                    method: Method::LatinHypercube,
                };
                let extra: &[Quantity] = if s.name == other.name { &[] } else { &extra };
                (s, settings, extra)
            })
            .collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let together = pool.install(|| run_many(&sims, None));
        let shared = Shared::of(&pool.install(|| {
            sims.iter()
                .map(|&(s, settings, extra)| Plan::new(s, settings, extra))
                .collect::<Vec<_>>()
        }));
        // What the simulations share: the base's uniforms for fine_chem's two variants and
        // the one without correlation; of the base's columns, all but the start year's for
        // the delayed start, all but the correlated pair's for the smaller market (its
        // 2031 market is one of them) and for the one without correlation.
        assert_eq!(shared.uniforms, [0, 0, 0, 3, 4, 0, 6]);
        let borrowed = |p: usize| shared.columns[p].iter().filter(|c| c.is_some()).count();
        assert_eq!(
            (0..7).map(borrowed).collect::<Vec<_>>(),
            [0, 4, 3, 0, 0, 3, 0]
        );
        for (sim, got) in sims.iter().zip(&together) {
            let (s, settings, extra) = *sim;
            let alone = run_with(s, settings, None, extra);
            assert_eq!(format!("{got:?}"), format!("{alone:?}"), "{}", s.name);
        }
    }
}
