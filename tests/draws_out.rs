//! Issue 15: `kjproj run --draws-out FILE` writes every draw behind the run's figures, and
//! refuses more than it may write before doing any work.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::{csv_rows, kjproj, repo};

use predicates::prelude::*;
use tempfile::TempDir;

#[test]
fn the_draws_are_those_behind_the_percentiles_and_means() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let draws = dir.path().join("draws.csv");
    kjproj()
        .args(["run", repo("scenarios/fine_chem.toml").to_str().unwrap()])
        .args(["--draws", "50000", "--sobol", "0", "-q", "--out"])
        .arg(&out)
        .arg("--draws-out")
        .arg(&draws)
        .assert()
        .success();
    // All ASCII: no byte order mark unless asked for (as for the other CSV files).
    assert!(!std::fs::read(&draws).unwrap().starts_with(b"\xEF\xBB\xBF"));
    let rows = csv_rows(&draws);
    // Base and two variants.
    assert_eq!(rows.len(), 3 * 50_000);
    let first = &rows[0];
    assert_eq!(first["scenario"], "base");
    assert_eq!(first["draw"], "0");
    assert!(first.contains_key("metrics.sales.target.value"));
    for (scenario, dir) in [
        ("base", out.clone()),
        ("smaller_market", out.join("smaller_market")),
    ] {
        let mut share: Vec<f64> = rows
            .iter()
            .filter(|r| r["scenario"] == scenario && !r["share[2031]"].is_empty())
            .map(|r| r["share[2031]"].parse().unwrap())
            .collect();
        let fan = csv_rows(&dir.join("fan.csv"));
        let row = fan
            .iter()
            .find(|r| r["series"] == "share" && r["year"] == "2031")
            .unwrap();
        let num = |k: &str| row[k].parse::<f64>().unwrap();
        // The mean over the written draws is the run's mean (summed in another order).
        let mean = share.iter().sum::<f64>() / share.len() as f64;
        assert!(
            (mean - num("mean")).abs() < 1e-12,
            "{mean} against {}",
            num("mean")
        );
        // Each percentile of the written draws (the order statistic the sketch
        // approximates) is within the sketch's stated relative error of the run's.
        share.sort_by(f64::total_cmp);
        let rel = num("percentile_relative_error");
        for (p, k) in [(0.05, "p5"), (0.5, "p50"), (0.95, "p95")] {
            let exact = share[((p * share.len() as f64).ceil() as usize).max(1) - 1];
            assert!(
                (exact - num(k)).abs() <= 2.0 * rel * exact.abs(),
                "{scenario} {k}: {exact} against {}",
                num(k)
            );
        }
    }
}

#[test]
fn too_many_draws_are_refused_before_any_work() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let draws = dir.path().join("draws.csv");
    kjproj()
        .args(["run", repo("scenarios/fine_chem.toml").to_str().unwrap()])
        .args(["--draws", "4000000", "--out"])
        .arg(&out)
        .arg("--draws-out")
        .arg(&draws)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--draws-out: 12,000,000 draws are more than the 10,000,000 it writes",
        ));
    assert!(!out.exists() && !draws.exists());
}

#[test]
fn a_scenario_without_uncertain_inputs_has_no_draws_to_write() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("plain.toml");
    std::fs::write(
        &file,
        "name = \"plain\"\nunit = \"trillion KRW\"\nbaseline_year = 2023\ntarget_year = 2031\n\
         [sources]\ns = \"a source\"\n[metrics.market]\nshape = \"cagr\"\n\
         baseline = { value = 160, source = \"s\" }\ntarget = { source = \"s\", value = 350 }\n",
    )
    .unwrap();
    let draws = dir.path().join("draws.csv");
    kjproj()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("o"))
        .arg("--draws-out")
        .arg(&draws)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no uncertain inputs"));
    assert!(!draws.exists() && !dir.path().join("o").exists());
}

#[test]
fn a_byte_order_mark_on_request() {
    let dir = TempDir::new().unwrap();
    let draws = dir.path().join("draws.csv");
    kjproj()
        .args(["run", repo("scenarios/korea_israel.toml").to_str().unwrap()])
        .args([
            "--draws",
            "1000",
            "--sobol",
            "0",
            "-q",
            "--csv-bom",
            "always",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .arg("--draws-out")
        .arg(&draws)
        .assert()
        .success();
    let bytes = std::fs::read(&draws).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFscenario,draw,"));
    assert_eq!(csv_rows(&draws).len(), 1000);
}
