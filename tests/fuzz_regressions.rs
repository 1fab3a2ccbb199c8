//! Inputs the fuzzer found (crashes, hangs), run through the same steps as the fuzz target
//! (`fuzz/fuzz_targets/scenario.rs`). Each must finish without a panic.
//!
//! - `slow_percentiles_488_years.toml`: a 488-year horizon made reading percentiles scan
//!   every histogram bin for every percentile (over 10 s in the fuzz build); now a binary
//!   search over running totals.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

use std::path::Path;
use std::time::Instant;

use kjproj::sensitivity::{monte_carlo, tornado};
use kjproj::stats::sampling::Method;

#[test]
fn fuzzer_findings_run_to_the_end() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let started = Instant::now();
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(scenario) = kjproj::scenario::parse(&text, &path) else {
            continue;
        };
        for s in std::iter::once(&scenario).chain(scenario.variants.iter().map(|v| &v.scenario)) {
            let projection = kjproj::model::project(s).unwrap();
            let settings = monte_carlo::Settings {
                draws: 70,
                seed: 1,
                method: Method::LatinHypercube,
            };
            let _ = kjproj::check::run(s, &projection, kjproj::check::Simulation::Run(settings));
            if s.uncertainty.is_some() {
                let _ = tornado::run(s);
                let mc = monte_carlo::run(s, settings, None);
                assert_eq!(mc.series.len(), s.metrics.len() + s.ratios.len());
            }
        }
        // Generous: the point is that it ends, not how fast (that is the benchmark's job).
        assert!(
            started.elapsed().as_secs() < 60,
            "{path:?} took {:?}",
            started.elapsed()
        );
    }
}
