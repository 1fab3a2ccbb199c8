//! Inputs the fuzzers found (crashes, hangs), run through the same steps as the fuzz
//! targets: `tests/fuzz_regressions/*.toml` as `fuzz/fuzz_targets/scenario.rs` does,
//! `tests/fuzz_regressions/command/*.toml` through the whole command as
//! `fuzz/fuzz_targets/command.rs` does. Each must finish without a panic.
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
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
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

/// Inputs for the whole-command target (`fuzz/fuzz_targets/command.rs`) and hostile files
/// found by hand: each runs through `kjproj run` (every chart as PNG and SVG, the report,
/// the output set) and `kjproj check` without an internal error or a panic, and every SVG
/// is well-formed XML.
///
/// - `long_texts.toml`: 4,000-character title, label and citation (31 s and 1.6 GB to
///   render at 100 KB before text was shortened by bisection and wrapped lazily).
/// - `many_segments.toml`: 150 segments overflowed the stacked chart's legend.
/// - `many_panels.toml`: 45 uncertain series made `fan.png` taller than its limit (exit 4).
#[test]
fn whole_command_findings_run_to_the_end() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/command");
    let bin = assert_cmd::cargo::cargo_bin("kjproj");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let out = tempfile::TempDir::new().unwrap();
        let target = out.path().join("out");
        let run = std::process::Command::new(&bin)
            .arg("run")
            .arg(&path)
            .args(["--draws", "64", "--sobol", "16", "--svg", "-q", "--out"])
            .arg(&target)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            matches!(run.status.code(), Some(0..=2)),
            "{path:?}: {:?}\n{stderr}",
            run.status
        );
        for svg in std::fs::read_dir(&target).into_iter().flatten().flatten() {
            if svg.path().extension().is_some_and(|e| e == "svg") {
                let text = std::fs::read_to_string(svg.path()).unwrap();
                roxmltree::Document::parse(&text)
                    .unwrap_or_else(|e| panic!("{:?}: {e}", svg.path()));
            }
        }
        let check = std::process::Command::new(&bin)
            .arg("check")
            .arg(&path)
            .args(["--draws", "64"])
            .output()
            .unwrap();
        assert!(
            matches!(check.status.code(), Some(0..=2)),
            "{path:?}: check {:?}",
            check.status
        );
    }
}
