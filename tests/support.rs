//! Support-aware validation and explicit truncation: a distribution is refused only when
//! it puts more than 0.1% of its draws where the shape forbids them; truncation is exact;
//! draws that cannot be projected are an error above 0.1% and shown in every output below.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::kjproj;

use std::path::Path;

use kjproj::scenario::{self, Series};
use kjproj::sensitivity::monte_carlo::{self, Settings};
use kjproj::stats::distribution::{std_normal_cdf, std_normal_quantile};
use kjproj::stats::sampling::Method;
use predicates::prelude::*;
use tempfile::TempDir;

fn file(inputs: &str, shape: &str) -> String {
    format!(
        r#"
name = "support"
unit = "u"
baseline_year = 2020
target_year = 2025
[sources]
s = "test"
[metrics.x]
{shape}
baseline = {{ value = 1, source = "s" }}
target = {{ value = 5, source = "s" }}
[uncertainty.inputs]
{inputs}
"#
    )
}

fn parse(text: &str) -> Result<scenario::Scenario, String> {
    scenario::parse(text, Path::new("s.toml")).map_err(|e| e.to_string())
}

#[test]
fn a_lognormal_is_accepted_wherever_values_must_be_positive() {
    for shape in [
        "shape = \"cagr\"",
        "shape = \"logistic\"\ncap = 100",
        "shape = \"gompertz\"\ncap = 100",
    ] {
        let text = file(
            "\"metrics.x.target.value\" = { dist = \"lognormal\", low = 2, high = 9 }",
            shape,
        );
        parse(&text).unwrap();
    }
    // The cap of a logistic, lognormal and truncated above the values.
    let text = file(
        "\"metrics.x.cap\" = { dist = \"lognormal\", low = 60, high = 200, truncate = [10, inf] }",
        "shape = \"logistic\"\ncap = 100",
    );
    parse(&text).unwrap();
}

#[test]
fn a_normal_with_real_mass_below_zero_under_compound_growth_is_refused_with_the_way_out() {
    let text = file(
        "\"metrics.x.target.value\" = { dist = \"normal\", mean = 5, sd = 4 }",
        "shape = \"cagr\"",
    );
    let e = parse(&text).unwrap_err();
    assert!(
        e.contains("key `uncertainty.inputs.\"metrics.x.target.value\"`: normal(mean 5, sd 4; P5 -1.57941, P95 11.5794) puts 10.6% of its draws at 0 or below, where the cagr shape of `x` cannot go; kjproj leaves out at most 0.1% of the draws: use a lognormal, narrow the range, or truncate it"),
        "{e}"
    );
    // A normal whose mass below 0 is negligible is fine (fine_chem's market is one).
    parse(&file(
        "\"metrics.x.target.value\" = { dist = \"normal\", mean = 5, sd = 1 }",
        "shape = \"cagr\"",
    ))
    .unwrap();
    // A cap the distribution would put below the values, likewise.
    let e = parse(&file(
        "\"metrics.x.cap\" = { dist = \"lognormal\", low = 2, high = 200 }",
        "shape = \"logistic\"\ncap = 100",
    ))
    .unwrap_err();
    assert!(
        e.contains("where the cap of `x` would not stay above its values (up to 5)"),
        "{e}"
    );
}

#[test]
fn truncation_is_exact() {
    // normal(5, 4) truncated to [0, ∞): the analytic truncated normal.
    let text = file(
        "\"metrics.x.target.value\" = { dist = \"normal\", mean = 5, sd = 4, truncate = [0, inf] }",
        "shape = \"cagr\"",
    );
    let s = parse(&text).unwrap();
    let mc = monte_carlo::run(
        &s,
        Settings {
            draws: 400_000,
            seed: 5,
            method: Method::LatinHypercube,
        },
        None,
    );
    assert_eq!(
        mc.infeasible, 0,
        "no draw is dropped: none is drawn below 0"
    );
    let a = std_normal_cdf(-1.25); // F(0) for N(5, 4)
    let truncated_quantile = |p: f64| 5.0 + 4.0 * std_normal_quantile(a + p * (1.0 - a));
    let stats = &mc
        .series
        .iter()
        .find(|(x, _)| *x == Series::Metric(0))
        .unwrap()
        .1;
    for (k, p) in [(0, 0.05), (3, 0.5), (6, 0.95)] {
        let (got, exact) = (stats.percentiles[5][k], truncated_quantile(p));
        assert!((got - exact).abs() < 0.01, "P{p}: {got} vs {exact}");
    }
    // The smallest value drawn is above the truncation.
    assert!(mc.quantile(Series::Metric(0), 5, 0.0) > 0.0);
    // P(X ≥ 5) = 0.5 / (1 − F(0)): what the user asked for, said explicitly.
    let p = 1.0 - mc.cdf(Series::Metric(0), 5, 5.0);
    assert!((p - 0.5 / (1.0 - a)).abs() < 0.002, "{p}");
    // Bad truncations are errors at the key.
    for (bounds, expected) in [
        ("[5, 1]", "truncate takes two bounds, the lower first"),
        ("[1]", "truncate takes two bounds"),
        ("[100, 200]", "keeps almost none of it"),
    ] {
        let text = file(
            &format!(
                "\"metrics.x.target.value\" = {{ dist = \"normal\", mean = 5, sd = 1, truncate = {bounds} }}"
            ),
            "shape = \"linear\"",
        );
        let e = parse(&text).unwrap_err();
        assert!(
            e.contains("key `uncertainty.inputs.\"metrics.x.target.value\".truncate`")
                && e.contains(expected),
            "{bounds}: {e}"
        );
    }
}

#[test]
fn more_than_a_tenth_of_a_percent_of_unprojectable_draws_is_an_error() {
    let dir = TempDir::new().unwrap();
    // The target may be drawn above the cap: the loader cannot know (the cap is not
    // uncertain), the run finds 2 draws in 7 it cannot project.
    let path = dir.path().join("s.toml");
    std::fs::write(
        &path,
        file(
            "\"metrics.x.target.value\" = { dist = \"uniform\", min = 50, max = 120 }",
            "shape = \"logistic\"\ncap = 100",
        )
        .replace("value = 5,", "value = 60,"),
    )
    .unwrap();
    let out = dir.path().join("out");
    kjproj()
        .args([
            "run",
            path.to_str().unwrap(),
            "--draws",
            "20000",
            "--sobol",
            "0",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Monte Carlo draws (28."))
        .stderr(predicate::str::contains(
            "cannot be projected, more than the 0.1% kjproj leaves out",
        ));
    assert!(!out.exists());
    kjproj()
        .args(["check", path.to_str().unwrap()])
        .assert()
        .code(0);
}

#[test]
fn a_few_unprojectable_draws_are_left_out_and_said_everywhere() {
    let dir = TempDir::new().unwrap();
    // normal(10, 3.03): 0.049% of draws at 0 or below, under the 0.1% limit.
    let path = dir.path().join("s.toml");
    std::fs::write(
        &path,
        file(
            "\"metrics.x.target.value\" = { dist = \"normal\", mean = 10, sd = 3.03 }",
            "shape = \"cagr\"",
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    kjproj()
        .args(["run", path.to_str().unwrap(), "--draws", "200000", "--sobol", "256", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"Monte Carlo: 199,\d{3} draws .* draws left out \(0\.0\d+%\): they cannot be projected").unwrap())
        .stderr(predicate::str::contains("could not be projected and were left out"));
    let fan = std::fs::read_to_string(out.join("fan.csv")).unwrap();
    let header: Vec<&str> = fan.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = fan.lines().nth(1).unwrap().split(',').collect();
    let left_out: u64 = row[header.iter().position(|h| *h == "left_out").unwrap()]
        .parse()
        .unwrap();
    assert!((50..150).contains(&left_out), "{left_out}");
    for f in ["histogram.csv", "probabilities.csv"] {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        assert!(text.lines().next().unwrap().contains("left_out"), "{f}");
    }
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("draws left out"), "report");
}
