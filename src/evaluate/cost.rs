//! A cost model checked before the work: the time and memory a command will take,
//! estimated from the scenario's shape and the settings, so that a typo (a horizon of
//! 20310 years, three zeros too many on the draws, 200 uncertain inputs with the default
//! Sobol sample) is refused in a second with the estimate and a way out, instead of
//! running for an hour or exhausting memory.
//!
//! The estimate counts units of work and multiplies by the cost per unit measured on the
//! reference machine (2 cores of a 2024 cloud VM, the CI machine):
//!
//! - Monte Carlo: draws × (series × years + inputs + extra quantities) for each
//!   evaluation, about [`NS_PER_DRAW_CELL`] each, more when the percentile sketches
//!   outgrow the caches ([`NS_PER_DRAW_CELL_PER_MIB`]);
//! - Sobol: N·(k + 2) model runs (twice over with correlated inputs) × series × years,
//!   about [`NS_PER_SOBOL_CELL`] each, and the bootstrap, resamples × N × outputs ×
//!   (2 + 3k) terms, about [`NS_PER_BOOTSTRAP_TERM`] each;
//! - memory: [`FIXED_BYTES`] (fonts, charts) plus one set of percentile sketches per
//!   worker thread and one more, and the running totals the merged set is read through
//!   (see `bytes_per_bucket`), plus the Sobol runs' outputs and bootstrap terms.
//!
//! Worker threads beyond the first count for [`THREAD_EFFICIENCY`] each. The README's
//! limits table compares these estimates with measured runs; the model is meant to be
//! right within a factor of two, which is what a limit needs.

use super::settings::{Overrides, SOBOL_RESAMPLES, Settings};
use super::{Analyses, base_and_variants};
use crate::error::Error;
use crate::scenario::Scenario;
use crate::sensitivity::monte_carlo::buckets_for;

/// Longest estimated run accepted without `--no-cost-limit`: 15 minutes.
pub const MAX_SECONDS: f64 = 15.0 * 60.0;
/// Most estimated memory accepted without `--no-cost-limit`: 4 GiB.
pub const MAX_BYTES: f64 = 4.0 * 1024.0 * 1024.0 * 1024.0;

/// Nanoseconds per draw and series-year (or input, or extra quantity) of the Monte Carlo
/// simulation, one thread, while the percentile sketches fit in the caches (measured
/// 2026-12-03: 7.6 ns on the two-input model of `benches/peers`, 9 ns on fine_chem; 27 ns
/// before issue 14's work; with a margin).
pub const NS_PER_DRAW_CELL: f64 = 12.0;
/// Extra nanoseconds per draw and series-year for each MiB of one set of percentile
/// sketches: bigger sets miss the caches (measured before 16-bit counts: 50 ns with a
/// 67 MiB set, 185 ns with an 819 MiB set; on 2026-12-03, 200 series × 999 years at
/// 20,000 draws, a 390 MiB set, took 202 s where this model says 225 s).
pub const NS_PER_DRAW_CELL_PER_MIB: f64 = 0.2;
/// Nanoseconds per Sobol model run and series-year, one thread (10 before issue 14).
pub const NS_PER_SOBOL_CELL: f64 = 6.0;
/// Nanoseconds per bootstrap term of the Sobol intervals, one thread (0.5 before issue
/// 14's bootstrap kernel; with this and the constants above, the README's table of runs
/// is estimated at 1.0–2.1 times its measured times).
pub const NS_PER_BOOTSTRAP_TERM: f64 = 0.2;
/// What each worker thread beyond the first adds: the simulation and the bootstrap are
/// bound by memory bandwidth as much as by arithmetic (measured: 2 threads run 1.6 times
/// as fast as 1).
pub const THREAD_EFFICIENCY: f64 = 0.6;
/// Peak bytes per sketch bucket with `threads` worker threads: a set of 16-bit counts
/// per worker thread and the set they merge into, then, once the draws are done, running
/// totals of 8 bytes a bucket beside the merged set, and what the allocator keeps of the
/// freed sets (measured: 3.5 GB for 200 series × 999 years at 2 threads, 16.5 bytes a
/// bucket with the fixed part taken off; counted as 18, so that the estimate is above).
fn bytes_per_bucket(threads: f64) -> f64 {
    2.0 * (threads + 1.0) + 12.0
}

/// Seconds per evaluation that do not grow with the draws (charts, the report).
pub const FIXED_SECONDS: f64 = 0.3;
/// Memory that does not grow with the work (the font, chart buffers).
pub const FIXED_BYTES: f64 = 160.0 * 1024.0 * 1024.0;

/// Estimated time and memory of a command.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Estimate {
    /// Wall-clock seconds on the worker threads.
    pub seconds: f64,
    /// Peak memory in bytes.
    pub bytes: f64,
}

/// How many Monte Carlo simulations one evaluation runs: 1, or one per step of a goal seek
/// under uncertainty (`kjproj solve … --probability`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Repeats(pub f64);

/// The estimate for `scenarios` (a file's base and variants, say), evaluated as
/// `evaluate_all` does (up to `threads` side by side) with `analyses` on `threads` worker
/// threads, each simulation run `repeats` times.
pub fn estimate<'a>(
    scenarios: impl IntoIterator<Item = &'a Scenario>,
    overrides: &Overrides,
    analyses: Analyses,
    threads: usize,
    repeats: Repeats,
) -> Estimate {
    let side_by_side = threads.max(1);
    let threads = threads.max(1) as f64;
    let speed = 1.0 + THREAD_EFFICIENCY * (threads - 1.0);
    let ones: Vec<Estimate> = scenarios
        .into_iter()
        .map(|scenario| {
            let settings = Settings::resolve(scenario, overrides);
            evaluation(scenario, &settings, analyses, (threads, speed), repeats)
        })
        .collect();
    // `evaluate_all` runs up to one evaluation per thread side by side: memory is that
    // of the largest batch.
    let bytes = ones
        .chunks(side_by_side)
        .map(|batch| batch.iter().map(|e| e.bytes).sum::<f64>())
        .fold(0.0, f64::max);
    Estimate {
        seconds: ones.iter().map(|e| e.seconds).sum(),
        bytes: bytes + FIXED_BYTES,
    }
}

fn evaluation(
    scenario: &Scenario,
    settings: &Settings,
    analyses: Analyses,
    (threads, speed): (f64, f64),
    repeats: Repeats,
) -> Estimate {
    let years = scenario.years().count() as f64;
    let series = (scenario.metrics.len() + scenario.ratios.len()) as f64;
    let cells = series * years;
    let inputs = scenario.uncertainty.as_ref().map_or(0, |u| u.inputs.len()) as f64;
    let uncertain = inputs > 0.0;
    let needs_simulation = (analyses.sensitivity && uncertain)
        || (analyses.checks
            && scenario
                .checks
                .iter()
                .any(|c| c.expr.quantity.needs_simulation()));
    let mut e = Estimate {
        seconds: FIXED_SECONDS,
        bytes: 0.0,
    };
    if needs_simulation {
        let draws = settings.simulation.draws as f64;
        let extras = scenario.checks.len() as f64 + 4.0;
        let units = draws * (cells + inputs + extras) * repeats.0;
        let buckets = sketch_buckets(cells + extras);
        // What the draws touch: one set of 16-bit counts.
        let sketch = 2.0 * buckets;
        let ns = NS_PER_DRAW_CELL + NS_PER_DRAW_CELL_PER_MIB * sketch / (1024.0 * 1024.0);
        e.seconds += units * ns * 1e-9 / speed;
        e.bytes += buckets * bytes_per_bucket(threads);
    }
    if analyses.sensitivity && uncertain && settings.sobol_samples > 0 {
        let n = settings.sobol_samples as f64;
        let correlated = scenario
            .uncertainty
            .as_ref()
            .is_some_and(|u| u.correlation.is_some());
        let designs = if correlated { 2.0 } else { 1.0 };
        let outputs = crate::sensitivity::outputs(scenario, None).0.len() as f64;
        let runs = n * (inputs + 2.0);
        let terms = n * outputs * (2.0 + 3.0 * inputs);
        e.seconds += designs
            * (runs * cells * NS_PER_SOBOL_CELL
                + SOBOL_RESAMPLES as f64 * terms * NS_PER_BOOTSTRAP_TERM)
            * 1e-9
            / speed;
        // The outputs of every run and the bootstrap terms of every row, 8 bytes each, and
        // each resample's two indices per output and input; with correlations, both
        // designs' at once (they share their bootstrap), the correlated one with 2k + 2
        // runs a row.
        let resampled = SOBOL_RESAMPLES as f64 * outputs * inputs * 16.0;
        let held_runs = runs
            + if correlated {
                n * (2.0 * inputs + 2.0)
            } else {
                0.0
            };
        e.bytes = e
            .bytes
            .max((held_runs * outputs + designs * terms) * 8.0 + designs * resampled);
    }
    e
}

/// The buckets of the sketches of a simulation of `cells` cells (series × years, and the
/// extra quantities).
fn sketch_buckets(cells: f64) -> f64 {
    let cells = cells as usize;
    (cells * buckets_for(cells)) as f64
}

/// Groups of consecutive `scenarios` (a file's base and variants) whose Monte Carlo
/// simulations can run together ([`crate::sensitivity::monte_carlo::run_many`]) on
/// `threads` worker threads without more memory than [`estimate`] allows for them
/// evaluated side by side: in each group, the simulations' sketches together (one set per
/// worker each) take no more than the largest batch [`estimate`] counts. Every group has
/// at least one scenario.
pub fn joint_groups(
    scenarios: &[&Scenario],
    overrides: &Overrides,
    analyses: Analyses,
    threads: usize,
) -> Vec<std::ops::Range<usize>> {
    let peak = estimate(
        scenarios.iter().copied(),
        overrides,
        analyses,
        threads,
        Repeats(1.0),
    )
    .bytes
        - FIXED_BYTES;
    let per_bucket = bytes_per_bucket(threads.max(1) as f64);
    let bytes: Vec<f64> = scenarios
        .iter()
        .map(|s| {
            let cells = (s.years().count() * (s.metrics.len() + s.ratios.len())) as f64;
            sketch_buckets(cells + s.checks.len() as f64 + 4.0) * per_bucket
        })
        .collect();
    let mut groups = Vec::new();
    let (mut start, mut sum) = (0, 0.0);
    for (i, &b) in bytes.iter().enumerate() {
        if i > start && sum + b > peak {
            groups.push(start..i);
            (start, sum) = (i, 0.0);
        }
        sum += b;
    }
    if start < scenarios.len() {
        groups.push(start..scenarios.len());
    }
    groups
}

/// Set once by the command line's `--no-cost-limit`.
static LIFTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Lets every command of this process run whatever its estimate (`--no-cost-limit`).
pub fn lift_limits() {
    let _ = LIFTED.set(true);
}

/// Checks the estimate for the base and every variant of `file` (see [`estimate`]) on the
/// current pool's worker threads against the limits.
pub fn check_file(
    file: &Scenario,
    overrides: &Overrides,
    analyses: Analyses,
    repeats: Repeats,
) -> Result<Estimate, Error> {
    let scenarios = base_and_variants(file).map(|v| v.map_or(file, |v| &v.scenario));
    check_scenarios(scenarios, file, overrides, analyses, repeats)
}

/// Checks the estimate for `scenarios` of `file` (one variant, say) on the current pool's
/// worker threads against the limits.
pub fn check_scenarios<'a>(
    scenarios: impl IntoIterator<Item = &'a Scenario>,
    file: &Scenario,
    overrides: &Overrides,
    analyses: Analyses,
    repeats: Repeats,
) -> Result<Estimate, Error> {
    let e = estimate(
        scenarios,
        overrides,
        analyses,
        rayon::current_num_threads(),
        repeats,
    );
    check(e, &file.origin.file_name())?;
    Ok(e)
}

/// Refuses work estimated beyond [`MAX_SECONDS`] or [`MAX_BYTES`] (exit 2) unless the
/// limits are lifted, saying the estimate, what drives it and the flag that overrides it.
pub fn check(estimate: Estimate, what: &str) -> Result<(), Error> {
    let lifted = LIFTED.get().copied().unwrap_or(false);
    if lifted || (estimate.seconds <= MAX_SECONDS && estimate.bytes <= MAX_BYTES) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{what}: this would take about {} and {} of memory (estimated), more than the limits of {} and {}; \
         use fewer draws (--draws), a smaller Sobol sample (--sobol, 0 skips it), fewer series, \
         inputs or years, or run it anyway with --no-cost-limit",
        duration_words(estimate.seconds),
        bytes_words(estimate.bytes),
        duration_words(MAX_SECONDS),
        bytes_words(MAX_BYTES),
    )))
}

/// "40 s", "12 minutes", "3.5 hours".
pub fn duration_words(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("{} s", seconds.ceil())
    } else if seconds < 90.0 * 60.0 {
        format!("{} minutes", (seconds / 60.0).round())
    } else {
        format!("{:.1} hours", seconds / 3600.0)
    }
}

/// "512 MB", "21.3 GB".
pub fn bytes_words(bytes: f64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if bytes < 1024.0 * MB {
        format!("{} MB", (bytes / MB).ceil())
    } else {
        format!("{:.1} GB", bytes / (1024.0 * MB))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_for_sizes_and_durations() {
        assert_eq!(duration_words(40.2), "41 s");
        assert_eq!(duration_words(15.0 * 60.0), "15 minutes");
        assert_eq!(duration_words(2.7 * 3600.0), "2.7 hours");
        assert_eq!(bytes_words(300.0 * 1024.0 * 1024.0), "300 MB");
        assert_eq!(bytes_words(MAX_BYTES), "4.0 GB");
    }

    /// fine_chem's three simulations run together; simulations of a 1,000-year horizon,
    /// whose sketches are most of their memory, run together only as far as the estimate
    /// for them side by side allows: in groups that cover every scenario once, in order.
    #[test]
    fn simulations_run_together_within_the_estimated_memory() {
        let parse =
            |text: &str| crate::scenario::parse(text, std::path::Path::new("f.toml")).unwrap();
        let fine_chem = parse(include_str!("../../scenarios/fine_chem.toml"));
        let long = parse(
            r#"
name = "long"
unit = "u"
baseline_year = 2000
target_year = 2999
[metrics.m]
shape = "linear"
baseline = { value = 1 }
target = { value = 2 }
[uncertainty]
draws = 1000000
[uncertainty.inputs]
"metrics.m.target.value" = { low = 1.5, high = 2.5 }
[variants.a]
"metrics.m.baseline.value" = 1.1
[variants.b]
"metrics.m.baseline.value" = 1.2
[variants.c]
"metrics.m.baseline.value" = 1.3
[variants.d]
"metrics.m.baseline.value" = 1.4
"#,
        );
        fn all(f: &Scenario) -> Vec<&Scenario> {
            base_and_variants(f)
                .map(|v| v.map_or(f, |v| &v.scenario))
                .collect()
        }
        let groups = |f: &Scenario, overrides: &Overrides, threads| {
            joint_groups(&all(f), overrides, Analyses::ALL, threads)
        };
        // With Sobol, whose memory leaves room for the three sets of sketches; without,
        // the sketches are all the estimate has room for: two sets at a time.
        let no_sobol = Overrides {
            sobol_samples: Some(0),
            ..Overrides::default()
        };
        assert_eq!(groups(&fine_chem, &Overrides::default(), 2), vec![(0..3)]);
        assert_eq!(groups(&fine_chem, &no_sobol, 2), [0..2, 2..3]);
        for threads in [1, 2, 3] {
            let g = groups(&long, &no_sobol, threads);
            assert!(g.len() > 1, "{threads} threads: {g:?}");
            let covered: Vec<usize> = g.iter().flat_map(|r| r.clone()).collect();
            assert_eq!(
                covered,
                (0..5).collect::<Vec<_>>(),
                "{threads} threads: {g:?}"
            );
            assert!(g.iter().all(|r| !r.is_empty()));
        }
    }
}
