//! Fitted metrics (issue 12, items 2 and 3) where they meet the rest of kjproj: the Monte
//! Carlo, tornado, Sobol, variants, `extends`, `check`, `solve`, `compare`, the report in
//! both languages and SVG. Expected figures come from `scipy.stats.linregress` on ln
//! values (tests/reference/fits.py computes the same fit), never from kjproj.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use std::path::Path;

use common::{csv_rows, kjproj, repo};
use kjproj::stats::distribution::Distribution;
use kjproj::stats::fit::{Model, Spec, fit};
use predicates::prelude::*;
use rand::{RngExt, SeedableRng};
use tempfile::TempDir;

fn number(cell: &str) -> f64 {
    cell.parse().unwrap()
}

/// The shipped scenario copied into `dir` with its data, text changed by `edit`.
fn rnd_copy(dir: &Path, edit: impl Fn(String) -> String) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy(
        repo("scenarios/data/korea_rnd.csv"),
        dir.join("data/korea_rnd.csv"),
    )
    .unwrap();
    let text = std::fs::read_to_string(repo("scenarios/korea_rnd.toml")).unwrap();
    let path = dir.join("rnd.toml");
    std::fs::write(&path, edit(text)).unwrap();
    path
}

#[test]
fn the_fan_and_tornado_are_the_fits_prediction_band() {
    let dir = TempDir::new().unwrap();
    let file = rnd_copy(dir.path(), |t| t);
    let out = dir.path().join("out");
    kjproj()
        .arg("run")
        .arg(&file)
        .args(["--sobol", "1024", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    // scipy: exp(c ± t₀.₉₅,₇·se_pred) in 2031 = 198.02145, 234.18646; median exp(c).
    let fan = csv_rows(&out.join("fan.csv"));
    let y2031 = fan.iter().find(|r| r["year"] == "2031").unwrap();
    for (column, expected) in [
        ("p5", 198.02145207),
        ("p50", 215.34610085),
        ("p95", 234.18646146),
    ] {
        let got = number(&y2031[column]);
        assert!(
            (got / expected - 1.0).abs() < 2e-4,
            "{column}: {got} vs {expected}"
        );
    }
    // The tornado swings the fit to its P10 and P90 paths: t₀.₁,₇ = ∓1.41492.
    let tornado = csv_rows(&out.join("tornado.csv"));
    let row = &tornado[0];
    assert_eq!(row["input"], "Fit to 2015–2023 (prediction band)");
    let (low, high) = (
        number(&row["output_at_low"]),
        number(&row["output_at_high"]),
    );
    assert!((low / 202.27116754 - 1.0).abs() < 1e-9, "{low}");
    assert!((high / 229.26620594 - 1.0).abs() < 1e-9, "{high}");
    // One input: it explains everything.
    let sobol = csv_rows(&out.join("sobol.csv"));
    assert!((number(&sobol[0]["total"]) - 1.0).abs() < 0.05);
    // History and projection side by side in paths.csv.
    let paths = csv_rows(&out.join("paths.csv"));
    assert_eq!(paths[8]["gerd_observed"], "119.074");
    assert_eq!(number(&paths[16]["gerd"]), 215.346100855);
}

#[test]
fn prediction_bands_cover_new_observations_as_often_as_they_say() {
    // Data from a known curve with normal noise, fitted, then a new observation drawn in a
    // later year: a 90% prediction interval must contain it 90% of the time. 4,000
    // replicates give a standard error of 0.47 pp, so ±2 pp is over 4 standard errors.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
    let mut normal = move || {
        // Box–Muller, kept independent of kjproj's own samplers.
        let (u, v): (f64, f64) = (rng.random(), rng.random());
        (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let years: Vec<f64> = (0..10).map(f64::from).collect();
    for (model, truth, noise) in [
        (
            Model::Linear,
            (|t: f64| 10.0 + 2.0 * t) as fn(f64) -> f64,
            1.5,
        ),
        (Model::Exponential, |t: f64| 2.0 + 0.07 * t, 0.05),
        (
            Model::Logistic,
            |t: f64| 100.0 / (1.0 + (-(0.6 * (t - 5.0))).exp()),
            2.0,
        ),
    ] {
        let replicates = 4000;
        let mut covered = 0;
        for _ in 0..replicates {
            let points: Vec<(f64, f64)> = years
                .iter()
                .map(|&t| {
                    let y = truth(t) + noise * normal();
                    (
                        t,
                        if model == Model::Exponential {
                            y.exp()
                        } else {
                            y
                        },
                    )
                })
                .collect();
            let spec = Spec {
                model,
                cap: Some(100.0),
                anchor: None,
                reference: 0.0,
            };
            let f = fit(&spec, &points).unwrap();
            let t_new = 13.0;
            let q = Distribution::StudentT { dof: f.dof as f64 }.quantile(0.95);
            let (centre, se) = (f.fitted(t_new), f.band_se(t_new, true));
            let new = truth(t_new) + noise * normal();
            if (new - centre).abs() <= q * se {
                covered += 1;
            }
        }
        let share = f64::from(covered) / f64::from(replicates);
        assert!((share - 0.9).abs() < 0.02, "{model:?}: {share}");
    }
}

#[test]
fn variants_and_extends_refit_with_their_own_settings() {
    let dir = TempDir::new().unwrap();
    let file = rnd_copy(dir.path(), |t| {
        t + "\n[variants.confidence]\n\"metrics.gerd.fit\" = { band = \"confidence\" }\n\
             \n[variants.straight]\n\"metrics.gerd.shape\" = \"linear\"\n"
    });
    // A child file anchors the curve at a published 2031 goal instead.
    std::fs::write(
        dir.path().join("child.toml"),
        "extends = \"rnd.toml\"\nname = \"Anchored at a goal\"\n\
         [metrics.gerd]\nfit = { anchor = \"target\" }\ntarget = { value = 200, source = \"msit-rnd-survey\" }\n\
         [variants.confidence]\n\"metrics.gerd.fit\" = { anchor = \"target\", band = \"confidence\" }\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    kjproj()
        .arg("run")
        .arg(&file)
        .args(["--sobol", "0", "--draws", "20000", "-q", "--svg", "--out"])
        .arg(&out)
        .assert()
        .success();
    // The confidence band of the curve (scipy 200.60095, 231.17509) is narrower.
    let fan = csv_rows(&out.join("confidence/fan.csv"));
    let y = fan.iter().find(|r| r["year"] == "2031").unwrap();
    assert!(
        (number(&y["p5"]) / 200.60094936 - 1.0).abs() < 1e-3,
        "{}",
        y["p5"]
    );
    assert!(
        (number(&y["p95"]) / 231.17509314 - 1.0).abs() < 1e-3,
        "{}",
        y["p95"]
    );
    // The straight line: linregress intercept + 16·slope = 169.8937356.
    let paths = csv_rows(&out.join("straight/paths.csv"));
    let last = paths.last().unwrap();
    assert!(
        (number(&last["gerd"]) - 169.8937355556).abs() < 1e-6,
        "{}",
        last["gerd"]
    );
    // The comparison starts with the history and draws it as data.
    let compare = csv_rows(&out.join("compare.csv"));
    assert!(compare.iter().any(|r| r["variant"] == "straight"));
    let row = compare
        .iter()
        .find(|r| r["variant"] == "straight" && r["year"] == "2023")
        .unwrap();
    assert_eq!(row["gerd_observed"], "119.074");
    assert_eq!(compare[0]["year"], "2015");
    let svg = std::fs::read_to_string(out.join("compare.svg")).unwrap();
    assert!(svg.contains("observed"), "the legend names observed values");

    let child = dir.path().join("child-out");
    kjproj()
        .arg("run")
        .arg(dir.path().join("child.toml"))
        .args(["--sobol", "0", "--draws", "2000", "--out"])
        .arg(&child)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "passing exactly through the target",
        ));
    let paths = csv_rows(&child.join("paths.csv"));
    assert_eq!(paths.last().unwrap()["gerd"], "200");
    // At the anchor there is no spread.
    let fan = csv_rows(&child.join("fan.csv"));
    let y = fan.iter().find(|r| r["year"] == "2031").unwrap();
    assert_eq!((y["p5"].as_str(), y["p95"].as_str()), ("200", "200"));
}

#[test]
fn check_reports_the_fit_and_fails_a_poor_one() {
    let dir = TempDir::new().unwrap();
    let file = rnd_copy(dir.path(), |t| t);
    kjproj()
        .arg("check")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("PASS  fit of gerd is sound"))
        .stdout(predicate::str::contains("growth a year 7.64% ± 0.3283 pp"));
    // Noise around a flat line: R² near 0.
    let poor = dir.path().join("poor.toml");
    std::fs::write(
        &poor,
        "name = \"Poor\"\nunit = \"u\"\nbaseline_year = 2020\ntarget_year = 2025\n\
         [sources]\ns = \"A source\"\n[metrics.x]\nshape = \"linear\"\nfit = true\n\
         observed = [{ year = 2014, value = 5, source = \"s\" }, { year = 2015, value = 9, source = \"s\" }, \
         { year = 2016, value = 4, source = \"s\" }, { year = 2017, value = 8, source = \"s\" }, \
         { year = 2018, value = 5, source = \"s\" }, { year = 2019, value = 7, source = \"s\" }]\n",
    )
    .unwrap();
    kjproj()
        .arg("check")
        .arg(&poor)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL  fit of x is sound"))
        .stdout(predicate::str::contains("poor fit: R²"));
    kjproj()
        .arg("run")
        .arg(&poor)
        .args(["--out"])
        .arg(dir.path().join("poor-out"))
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: x: poor fit: R²"));
}

#[test]
fn solve_finds_the_position_in_the_band_that_meets_a_goal() {
    let dir = TempDir::new().unwrap();
    let file = rnd_copy(dir.path(), |t| t);
    // scipy: (ln 225 − c)/se_pred = 0.99062 standard errors.
    kjproj()
        .arg("solve")
        .arg(&file)
        .args(["--vary", "metrics.gerd.fit", "--goal", "gerd[2031] = 225"])
        .assert()
        .success()
        .stdout(predicate::str::contains("metrics.gerd.fit = 0.990623"));
}

#[test]
fn the_report_describes_the_fit_in_english_and_korean() {
    let dir = TempDir::new().unwrap();
    let file = rnd_copy(dir.path(), |t| {
        t.replace("unit = \"trillion KRW\"", "unit = \"조 원\"\nlang = \"ko\"")
    });
    let out = dir.path().join("out");
    kjproj()
        .arg("run")
        .arg(&file)
        .args(["--sobol", "0", "--draws", "2000", "--svg", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains(
            "일정 성장률, ln 값 기준(Excel LOGEST와 같음): 실적 9개(2015–2023)에 최소제곱 적합"
        ),
        "{report}"
    );
    assert!(report.contains("연간 성장률 7.64% ± 0.3283 pp"));
    assert!(report.contains("(곡선에서 도출)"));
    let svg = std::fs::read_to_string(out.join("paths.svg")).unwrap();
    assert!(svg.contains("(적합)"));
    roxmltree::Document::parse(&svg).unwrap();
}

/// A scenario with one fitted metric `x`, its lines given, and three observed values.
fn scenario(metric: &str, more: &str) -> String {
    format!(
        "name = \"t\"\nunit = \"u\"\nbaseline_year = 2020\ntarget_year = 2025\n\
         [sources]\ns = \"A source\"\n[metrics.x]\n{metric}\n\
         observed = [{{ year = 2017, value = 6, source = \"s\" }}, \
         {{ year = 2018, value = 7.1, source = \"s\" }}, {{ year = 2019, value = 8.4, source = \"s\" }}]\n{more}"
    )
}

#[test]
fn mistakes_in_a_fit_are_errors_at_their_key() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "shape = \"pchip\"\nfit = true",
            "",
            "key `metrics.x.shape`: pchip passes exactly through given points and cannot be fitted",
        ),
        (
            "shape = \"cagr\"\nfit = true\nbaseline = { value = 4, source = \"s\" }",
            "",
            "key `metrics.x.baseline`: a fitted metric's baseline value comes from the fit",
        ),
        (
            "shape = \"cagr\"\nfit = { anchor = \"target\" }",
            "",
            "key `metrics.x.fit.anchor`: `anchor = \"target\"` holds the curve to the target value, which is missing",
        ),
        (
            "shape = \"logistic\"\nfit = true",
            "",
            "key `metrics.x.observed`: this logistic fit estimates a level, a rate and the cap, so it needs at least 4 observed values to leave one to judge the fit; it has 3",
        ),
        (
            "shape = \"cagr\"\nfit = false",
            "",
            "key `metrics.x.fit`: `fit = false` is the same as no `fit`",
        ),
        (
            "shape = \"cagr\"\nfit = { anchor = \"middle\" }",
            "",
            "key `metrics.x.fit.anchor`: unknown value `middle`, expected `baseline` or `target`",
        ),
        (
            "shape = \"cagr\"\nfit = true\nmilestones = [{ year = 2022, value = 9, source = \"s\" }]",
            "",
            "key `metrics.x.milestones`: a fitted metric follows one curve",
        ),
        (
            "shape = \"cagr\"\nfit = true",
            "[uncertainty.inputs.\"metrics.x.target\"]\nlow = 1\nhigh = 2\n",
            "moves with the fit: vary metrics.x.fit",
        ),
        (
            "shape = \"cagr\"\nfit = true",
            "[uncertainty.inputs.\"metrics.x.fit\"]\nlow = 1\nhigh = 2\n",
            "key `uncertainty.inputs.\"metrics.x.fit\".low`: the fit's uncertainty comes from the fit itself",
        ),
        (
            "shape = \"linear\"\nbaseline = { value = 1, source = \"s\" }\ntarget = { value = 2, source = \"s\" }",
            "[uncertainty.inputs.\"metrics.x.fit\"]\n",
            "metric `x` has no fit to vary",
        ),
        (
            "shape = \"linear\"\nfit = true",
            "[uncertainty.inputs.\"metrics.x.fit\"]\n",
            "the fit of `x` has only 1 residual degree of freedom",
        ),
    ];
    let dir = TempDir::new().unwrap();
    for (metric, more, expected) in cases {
        let path = dir.path().join("s.toml");
        std::fs::write(&path, scenario(metric, more)).unwrap();
        kjproj()
            .arg("run")
            .arg(&path)
            .args(["--out"])
            .arg(dir.path().join("out"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*expected))
            .stderr(predicate::str::contains("s.toml:"));
        assert!(!dir.path().join("out").exists());
    }
    // Points that only rise exponentially cannot estimate a cap.
    let path = dir.path().join("s.toml");
    let observed: Vec<String> = (0..8)
        .map(|i| {
            format!(
                "{{ year = {}, value = {}, source = \"s\" }}",
                2012 + i,
                10.0 * 1.07f64.powi(i)
            )
        })
        .collect();
    std::fs::write(
        &path,
        format!(
            "name = \"t\"\nunit = \"u\"\nbaseline_year = 2020\ntarget_year = 2025\n[sources]\ns = \"A\"\n\
             [metrics.x]\nshape = \"gompertz\"\nfit = true\nobserved = [{}]\n",
            observed.join(", ")
        ),
    )
    .unwrap();
    kjproj().arg("check").arg(&path).assert().code(2).stdout(
        predicate::str::contains("the cap cannot be estimated")
            .or(predicate::str::contains("the cap is not identified")),
    );
}
