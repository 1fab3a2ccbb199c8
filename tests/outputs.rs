//! Sensitivity of any output: outputs declared in the file and on the command line
//! (`share[2031]`, `sum(sales, 2025, 2031)`), in the tornado, Sobol and histogram outputs,
//! and `sum(…)` / `average(…)` in checks, against sums computed here by hand.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::{kjproj, repo};

use std::collections::HashMap;
use std::path::Path;

use predicates::prelude::*;
use tempfile::TempDir;

fn csv(path: &Path) -> Vec<HashMap<String, String>> {
    common::csv_rows(path)
}

/// fine_chem's sales summed over 2025–2031 with the programme starting in `start`, by
/// hand: sales follow the market's growth (160 → 350 over 2023–2031) from 9.4 in 2023
/// until `start`, then grow at a constant rate to 52 in 2031.
fn cumulative_sales(start: i32) -> f64 {
    let market_growth = (350.0f64 / 160.0).powf(1.0 / 8.0);
    let at_start = 9.4 * market_growth.powi(start - 2023);
    let rate = (52.0 / at_start).powf(1.0 / f64::from(2031 - start));
    (2025..=2031)
        .map(|y| {
            if y <= start {
                9.4 * market_growth.powi(y - 2023)
            } else {
                at_start * rate.powi(y - start)
            }
        })
        .sum()
}

#[test]
fn declared_outputs_show_where_the_start_year_matters() {
    let out = TempDir::new().unwrap();
    kjproj()
        .args(["run", repo("scenarios/fine_chem.toml").to_str().unwrap()])
        .args(["--draws", "20000", "--sobol", "1024", "--quiet", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let tornado = csv(&out.path().join("tornado.csv"));
    let outputs: Vec<&str> = tornado.iter().map(|r| r["output"].as_str()).collect();
    for o in [
        "share[2031]",
        "sales[2031]",
        "market[2031]",
        "sum(sales, 2025, 2031)",
    ] {
        assert!(outputs.contains(&o), "{o}");
    }
    // The start year does not move the share in 2031 but moves cumulative sales: from a
    // 2025 start (P10 of its range, rounded) to a 2026 start (P90).
    let row = |output: &str, input: &str| {
        tornado
            .iter()
            .find(|r| r["output"] == output && r["input"] == input)
            .unwrap()
            .clone()
    };
    let share = row("share[2031]", "Programme start");
    assert_eq!(share["swing"], "0");
    let sum = row("sum(sales, 2025, 2031)", "Programme start");
    let (low, high): (f64, f64) = (
        sum["output_at_low"].parse().unwrap(),
        sum["output_at_high"].parse().unwrap(),
    );
    assert!(
        (low - cumulative_sales(2025)).abs() < 1e-9,
        "{low} vs {}",
        cumulative_sales(2025)
    );
    assert!(
        (high - cumulative_sales(2026)).abs() < 1e-9,
        "{high} vs {}",
        cumulative_sales(2026)
    );
    // The baselines matter for it too, and so the Sobol indices say.
    let baseline = row("sum(sales, 2025, 2031)", "Korean sales 2023");
    assert!(baseline["swing"].parse::<f64>().unwrap() > 1.0);
    let sobol = csv(&out.path().join("sobol.csv"));
    let start = sobol
        .iter()
        .find(|r| {
            r["output"] == "sum(sales, 2025, 2031)"
                && r["input"] == "Programme start"
                && r["inputs_as"] == "independent"
        })
        .unwrap();
    assert!(start["first"].parse::<f64>().unwrap() > 0.05, "{start:?}");
    // The headline stays the share (the first output).
    let histogram = csv(&out.path().join("histogram.csv"));
    assert_eq!(histogram[0]["series"], "share[2031]");
}

#[test]
fn an_output_on_the_command_line_becomes_the_headline() {
    let out = TempDir::new().unwrap();
    kjproj()
        .args(["run", repo("scenarios/fine_chem.toml").to_str().unwrap()])
        .args([
            "--draws",
            "20000",
            "--sobol",
            "0",
            "--output",
            "sum(sales, 2026, 2031)",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "tornado: sum(sales, 2026, 2031) (base ",
        ));
    let histogram = csv(&out.path().join("histogram.csv"));
    assert_eq!(histogram[0]["series"], "sum(sales, 2026, 2031)");
    // Its histogram is of the sums: the body's bins lie around the deterministic sum.
    let deterministic = cumulative_sales(2025) - 9.4 * (350.0f64 / 160.0).powf(2.0 / 8.0);
    let (lo, hi): (f64, f64) = (
        histogram[1]["bin_low"].parse().unwrap(),
        histogram[histogram.len() - 2]["bin_high"].parse().unwrap(),
    );
    assert!(
        lo < deterministic && deterministic < hi,
        "{lo}..{hi} vs {deterministic}"
    );
}

#[test]
fn outputs_that_are_not_quantities_of_the_scenario_are_errors() {
    for (output, expected) in [
        (
            "P(share[2031] >= 15%)",
            "an output is a value, growth, cagr, sum or average",
        ),
        ("sales", "say which year: `sales[2031]`"),
        ("shar[2031]", "unknown metric or ratio `shar`"),
        ("sum(sales, 2031, 2025)", "the later year goes second"),
        (
            "sum(sales, 2020, 2025)",
            "year 2020 is outside the projection 2023–2031",
        ),
    ] {
        kjproj()
            .args(["run", repo("scenarios/fine_chem.toml").to_str().unwrap()])
            .args(["--output", output, "--out", "/nonexistent/never"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected));
    }
    // In the file, the error points at the output.
    let dir = TempDir::new().unwrap();
    let text = std::fs::read_to_string(repo("scenarios/fine_chem.toml"))
        .unwrap()
        .replace("\"sum(sales, 2025, 2031)\"", "\"sum(sale, 2025, 2031)\"");
    let file = dir.path().join("f.toml");
    std::fs::write(&file, text).unwrap();
    kjproj()
        .args(["check"])
        .arg(&file)
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "key `uncertainty.outputs[3]`: unknown metric or ratio `sale`",
        ));
}

#[test]
fn checks_can_sum_and_average_over_years() {
    let dir = TempDir::new().unwrap();
    let text = std::fs::read_to_string(repo("scenarios/korea_israel.toml")).unwrap()
        + "\n[[checks]]\nname = \"sums\"\ncheck = \"sum(applications, 2020, 2021) >= 0\"\n\n[[checks]]\nname = \"averages\"\ncheck = \"average(applications, 2020, 2020) within 6.99..7.01\"\n";
    let file = dir.path().join("k.toml");
    std::fs::write(&file, text).unwrap();
    kjproj()
        .args(["check"])
        .arg(&file)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "PASS  sums: sum(applications, 2020, 2021) = ",
        ))
        .stdout(predicate::str::contains(
            "PASS  averages: average(applications, 2020, 2020) = 7",
        ));
}

#[test]
fn probabilities_percentiles_and_means_of_any_quantity() {
    // x goes linearly from 0 (2020) to a target uniform on (0, 10) in 2022, so
    // sum(x, 2020, 2022) = 0 + t/2 + t = 1.5 t, uniform on (0, 15): P(≥ 12) = 0.2,
    // P50 = 7.5, mean = 7.5; average = t/2: P90 = 4.5.
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("u.toml");
    std::fs::write(
        &file,
        r#"
name = "u"
unit = "u"
baseline_year = 2020
target_year = 2022
[sources]
s = "t"
[metrics.x]
shape = "linear"
baseline = { value = 0, source = "s" }
target = { value = 5, source = "s" }
[uncertainty]
draws = 200000
[uncertainty.inputs]
"metrics.x.target.value" = { dist = "uniform", min = 0, max = 10 }
[[checks]]
name = "p"
check = "P(sum(x, 2020, 2022) >= 12) within 0.199..0.201"
[[checks]]
name = "median"
check = "P50(sum(x, 2020, 2022)) within 7.49..7.51"
[[checks]]
name = "mean"
check = "mean(sum(x, 2020, 2022)) within 7.49..7.51"
[[checks]]
name = "p90 of the average"
check = "P90(average(x, 2020, 2022)) within 4.49..4.51"
"#,
    )
    .unwrap();
    kjproj()
        .args(["check"])
        .arg(&file)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "PASS  p: P(sum(x, 2020, 2022) ≥ 12) = 20",
        ))
        .stdout(predicate::str::contains(
            "PASS  median: P50(sum(x, 2020, 2022)) = 7.5",
        ))
        .stdout(predicate::str::contains("5 passed, 0 failed"));
    // The same through `kjproj run`, whose simulation serves the checks in the report.
    let out = dir.path().join("out");
    kjproj()
        .args(["run"])
        .arg(&file)
        .args(["--sobol", "0", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("5 passed, 0 failed."), "{report}");
}

#[test]
fn csv_files_with_non_ascii_text_start_with_a_byte_order_mark_for_excel() {
    // Issue 13: Excel on Windows reads UTF-8 CSV without a BOM as mojibake.
    let dir = tempfile::TempDir::new().unwrap();
    let run = |out: &str, extra: &[&str]| {
        common::kjproj()
            .arg("run")
            .arg(common::repo("scenarios/korea_rnd.toml"))
            .args(["--draws", "2000", "--sobol", "0", "-q", "--out"])
            .arg(dir.path().join(out))
            .args(extra)
            .assert()
            .success();
    };
    let starts = |out: &str, file: &str| {
        std::fs::read(dir.path().join(out).join(file))
            .unwrap()
            .starts_with(b"\xEF\xBB\xBF")
    };
    run("auto", &[]);
    // The tornado's input label has an en dash; paths.csv is plain ASCII.
    assert!(starts("auto", "tornado.csv"));
    assert!(!starts("auto", "paths.csv"));
    run("always", &["--csv-bom", "always"]);
    assert!(starts("always", "paths.csv") && starts("always", "fan.csv"));
    run("never", &["--csv-bom", "never"]);
    assert!(!starts("never", "tornado.csv"));
    // The rows read the same either way.
    assert_eq!(
        common::csv_rows(&dir.path().join("auto/tornado.csv")),
        common::csv_rows(&dir.path().join("never/tornado.csv"))
    );
}

/// An output that takes one of two values (the start year is its only uncertain input,
/// 2023 or 2024, and the path before it is fixed): the histogram has those two bars, each
/// with about half the draws, and no tails of zero width split off them (the share at the
/// lower value was once read as a ramp across its bucket, putting a third of its draws in
/// a bin from 12.1550625 to 12.1550625); the chart does not speak of draws beyond it.
#[test]
fn a_histogram_of_two_values_is_two_bars() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("atoms.toml");
    std::fs::write(
        &file,
        r#"name = "atoms"
unit = "u"
baseline_year = 2020
target_year = 2030
[sources]
s = "t"
[metrics.q]
shape = "cagr"
baseline = { value = 10, source = "s" }
target = { value = 40, source = "s" }
start_year = 2023
baseline_growth = 0.05
[uncertainty]
draws = 20000
outputs = ["q[2024]"]
[uncertainty.inputs]
"metrics.q.start_year" = { dist = "uniform", min = 2022.5, max = 2024.49 }
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    kjproj()
        .arg("run")
        .arg(&file)
        .args(["-q", "--svg", "--out"])
        .arg(&out)
        .assert()
        .success();
    // Started in 2024, q grows 5% a year to 10 · 1.05⁴ = 12.1550625; started in 2023,
    // 10 · 1.05³ = 11.57625 then the constant rate to 40 in 2030, (40 / 11.57625)^(1/7),
    // for one year: 13.81960.
    let rows = csv(&out.join("histogram.csv"));
    let full: Vec<(f64, f64, f64)> = rows
        .iter()
        .map(|r| {
            let f = |k: &str| r[k].parse::<f64>().unwrap();
            (f("bin_low"), f("bin_high"), f("fraction"))
        })
        .filter(|b| b.2 > 0.0)
        .collect();
    let low = 10.0 * 1.05_f64.powi(4);
    let high = 11.576_25 * (40.0 / 11.576_25_f64).powf(1.0 / 7.0);
    assert_eq!(full.len(), 2, "{full:?}");
    // Bin edges are written to 12 significant digits.
    let inside = |v: f64, (lo, hi, _): (f64, f64, f64)| lo - 1e-9 <= v && v <= hi + 1e-9 && hi > lo;
    assert!(inside(low, full[0]) && inside(high, full[1]), "{full:?}");
    // Start 2024 (draws from 2023.5 to 2024.49) 0.99 / 1.99 of the time, 2023 the rest;
    // the Latin hypercube's strata give each its share to within a draw.
    assert!((full[0].2 - 0.99 / 1.99).abs() < 1e-4, "{full:?}");
    assert!((full[0].2 + full[1].2 - 1.0).abs() < 1e-12, "{full:?}");
    let svg = std::fs::read_to_string(out.join("histogram.svg")).unwrap();
    assert!(!svg.contains("Not shown"), "a note about tails of 0%");
}
