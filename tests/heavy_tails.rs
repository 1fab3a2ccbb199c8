//! Percentiles in heavy tails, against analytic quantiles: a lognormal whose P5 and P95 are
//! 1 and 1000, and 1/U with U uniform on (0.00001, 1), at 10⁶ and 10⁷ draws, two seeds,
//! random and Latin hypercube sampling. Each estimate must lie within four of its own
//! reported standard errors plus its reported relative-error bound of the true value, and
//! the standard errors must be close to the theoretical ones: they tell the truth.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

use std::path::Path;

use kjproj::scenario::{self, Scenario, Series};
use kjproj::sensitivity::monte_carlo::{self, PERCENTILES, Settings};
use kjproj::stats::distribution::std_normal_quantile;
use kjproj::stats::sampling::Method;

/// `x` in 2021 is the drawn value itself; `r` = 1 / `u`, with `u` drawn in 2021.
const SCENARIO: &str = r#"
name = "tails"
unit = "u"
baseline_year = 2020
target_year = 2021
[sources]
s = "test"
[metrics.x]
shape = "linear"
baseline = { value = 30, source = "s" }
target = { value = 30, source = "s" }
[metrics.one]
shape = "linear"
baseline = { value = 1, source = "s" }
target = { value = 1, source = "s" }
[metrics.u]
shape = "linear"
baseline = { value = 0.5, source = "s" }
target = { value = 0.5, source = "s" }
[ratios.r]
numerator = "one"
denominator = "u"
[uncertainty.inputs]
"metrics.x.target.value" = { dist = "lognormal", low = 1, high = 1000 }
"metrics.u.target.value" = { dist = "uniform", min = 0.00001, max = 1 }
"#;

fn scenario() -> Scenario {
    scenario::parse(SCENARIO, Path::new("tails.toml")).unwrap()
}

/// The lognormal with P5 = 1 and P95 = 1000: ln X ~ N(μ, σ).
fn lognormal_quantile(p: f64) -> f64 {
    let z95 = std_normal_quantile(0.95);
    let mu = 1000f64.ln() / 2.0;
    let sigma = 1000f64.ln() / (2.0 * z95);
    (mu + sigma * std_normal_quantile(p)).exp()
}

/// 1/U for U uniform on (a, 1): P(1/U ≤ x) = (1 − 1/x) / (1 − a).
fn reciprocal_quantile(p: f64) -> f64 {
    1.0 / (1.0 - p * (1.0 - 0.00001))
}

/// Theoretical standard error of the p quantile of n draws: √(p(1−p)/n) / f(x_p).
fn lognormal_se(p: f64, n: f64) -> f64 {
    let z = std_normal_quantile(p);
    let sigma = 1000f64.ln() / (2.0 * std_normal_quantile(0.95));
    let density = (-z * z / 2.0).exp()
        / (2.0 * std::f64::consts::PI).sqrt()
        / (sigma * lognormal_quantile(p));
    (p * (1.0 - p) / n).sqrt() / density
}

fn check(draws: u64, seed: u64, method: Method) {
    let s = scenario();
    let mc = monte_carlo::run(
        &s,
        Settings {
            draws,
            seed,
            method,
        },
        None,
    );
    assert_eq!(mc.infeasible, 0);
    let last = 1;
    let stats = |series: Series| &mc.series.iter().find(|(x, _)| *x == series).unwrap().1;
    type Truth = fn(f64) -> f64;
    let cases: [(Series, Truth, &str); 2] = [
        (Series::Metric(0), lognormal_quantile, "lognormal"),
        (Series::Ratio(0), reciprocal_quantile, "1/U"),
    ];
    for (series, truth, name) in cases {
        let st = stats(series);
        let bound = st.relative_error[last];
        assert!(bound < 2e-3, "{name}: relative error bound {bound}");
        for (k, &p) in PERCENTILES.iter().enumerate() {
            let (got, se, exact) = (st.percentiles[last][k], st.percentile_se[last][k], truth(p));
            let allowed = 4.0 * se + bound * exact;
            assert!(
                (got - exact).abs() <= allowed,
                "{name} P{} at {draws} draws, seed {seed}, {method:?}: {got} vs {exact} (allowed {allowed})",
                p * 100.0
            );
            if series == Series::Metric(0) {
                // The reported standard error is the sampling one (within a third).
                let theory = lognormal_se(p, draws as f64);
                assert!(
                    se > theory / 1.5 && se < theory * 1.5,
                    "{name} P{}: se {se} vs theory {theory}",
                    p * 100.0
                );
            }
        }
    }
}

#[test]
fn heavy_tailed_percentiles_are_right_at_a_million_draws() {
    for seed in [1, 2] {
        check(1_000_000, seed, Method::Random);
    }
    check(1_000_000, 3, Method::LatinHypercube);
}

#[test]
fn heavy_tailed_percentiles_are_right_at_ten_million_draws() {
    check(10_000_000, 4, Method::Random);
}

#[test]
fn more_draws_make_heavy_tailed_percentiles_better_not_worse() {
    let s = scenario();
    let error = |draws: u64| {
        let mc = monte_carlo::run(
            &s,
            Settings {
                draws,
                seed: 9,
                method: Method::Random,
            },
            None,
        );
        let st = &mc
            .series
            .iter()
            .find(|(x, _)| *x == Series::Ratio(0))
            .unwrap()
            .1;
        // P5, P10 and P50 of 1/U: the ones the old equal-width histogram got wrong.
        [0, 1, 3]
            .iter()
            .map(|&k| (st.percentiles[1][k] / reciprocal_quantile(PERCENTILES[k]) - 1.0).abs())
            .fold(0.0, f64::max)
    };
    let (small, large) = (error(100_000), error(3_000_000));
    assert!(small < 0.01, "{small}");
    assert!(large < 0.002, "{large}");
}
