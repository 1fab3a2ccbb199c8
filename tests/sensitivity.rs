//! Sensitivity analyses against independent values: normal quantiles, analytic Sobol
//! indices, and Latin hypercube against plain sampling.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

use std::path::Path;

use approx::assert_relative_eq;
use kjproj::scenario::{self, Scenario, Series};
use kjproj::sensitivity::monte_carlo::{self, Settings};
use kjproj::sensitivity::{sobol, tornado};
use kjproj::stats::sampling::Method;

fn parse(text: &str) -> Scenario {
    scenario::parse(text, Path::new("t.toml")).unwrap_or_else(|e| panic!("{e}"))
}

/// One metric on a CAGR path from 160 (2023) to a target of N(350, 20) in 2031.
fn normal_target(extra: &str) -> Scenario {
    parse(&format!(
        r#"
name = "t"
unit = "u"
baseline_year = 2023
target_year = 2031
[metrics.market]
shape = "cagr"
baseline = {{ value = 160 }}
target = {{ value = 350 }}
[uncertainty.inputs]
"metrics.market.target.value" = {{ dist = "normal", mean = 350, sd = 20 }}
{extra}
"#
    ))
}

const Z: [f64; 7] = [
    -1.6448536269514722,
    -1.2815515655446004,
    -0.6744897501960817,
    0.0,
    0.6744897501960817,
    1.2815515655446004,
    1.6448536269514722,
];

#[test]
fn target_year_percentiles_are_normal_quantiles() {
    let s = normal_target("");
    for method in [Method::Random, Method::LatinHypercube] {
        let mc = monte_carlo::run(
            &s,
            Settings {
                draws: 200_000,
                seed: 7,
                method,
            },
            None,
        );
        let (_, stats) = &mc.series[0];
        for (k, z) in Z.iter().enumerate() {
            let exact = 350.0 + z * 20.0;
            let (est, se) = (stats.percentiles[8][k], stats.percentile_se[8][k]);
            assert!(
                (est - exact).abs() < 4.0 * se + 0.01,
                "{method:?} P{k}: {est} vs {exact} (se {se})"
            );
        }
        assert!((stats.mean[8] - 350.0).abs() < 4.0 * stats.mean_se[8]);
        assert_relative_eq!(stats.sd[8], 20.0, max_relative = 0.01);
        // The baseline year does not vary at all: its mean is the baseline and its
        // spread exactly 0, however the values are summed.
        assert_eq!(stats.percentiles[0], [160.0; 7]);
        assert_eq!(
            (stats.mean[0], stats.sd[0], stats.mean_se[0]),
            (160.0, 0.0, 0.0)
        );
    }
}

#[test]
fn probability_of_a_stated_figure_matches_the_normal_cdf() {
    // P(N(350, 20) >= 360) = 1 - Φ(0.5) = 0.3085375387259869.
    let s = parse(
        r#"
name = "t"
unit = "u"
baseline_year = 2023
target_year = 2031
[metrics.market]
shape = "cagr"
baseline = { value = 160 }
target = { value = 350 }
stated = [{ year = 2031, value = 360, tolerance = 0 }]
[uncertainty.inputs]
"metrics.market.target" = { dist = "normal", mean = 350, sd = 20 }
"#,
    );
    let mc = monte_carlo::run(
        &s,
        Settings {
            draws: 100_000,
            seed: 1,
            method: Method::Random,
        },
        None,
    );
    let p = &mc.probabilities[0];
    assert!(
        (p.probability - 0.3085375387259869).abs() < 4.0 * p.se,
        "{p:?}"
    );
}

#[test]
fn latin_hypercube_converges_faster_than_random_sampling() {
    let s = normal_target("");
    let error = |method: Method| -> f64 {
        (0..20u64)
            .map(|seed| {
                let mc = monte_carlo::run(
                    &s,
                    Settings {
                        draws: 2_000,
                        seed,
                        method,
                    },
                    None,
                );
                let p90 = mc.series[0].1.percentiles[8][5];
                (p90 - (350.0 + 1.2815515655446004 * 20.0)).powi(2)
            })
            .sum::<f64>()
            .sqrt()
    };
    let (lhs, random) = (error(Method::LatinHypercube), error(Method::Random));
    assert!(lhs < random / 2.0, "LHS {lhs} vs random {random}");
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let s = normal_target("");
    let settings = Settings {
        draws: 300_000,
        seed: 3,
        method: Method::LatinHypercube,
    };
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| monte_carlo::run(&s, settings, None))
    };
    let (one, many) = (run(1), run(4));
    assert_eq!(one.series, many.series);
    assert_eq!(one.probabilities, many.probabilities);
}

/// The partial result of a run split into pieces (`kjproj run --part`) is the same data
/// whatever the thread count, though the workers take the chunks in an order that depends
/// on timing: the values kept exactly (outside the sketches' windows, here the normal's
/// far tails) come in ascending order, not in the order the workers met them.
#[test]
fn partial_results_do_not_depend_on_the_thread_count() {
    // A ratio over a denominator that comes near 0: tails like a Cauchy's, many values
    // beyond any window a pilot sample sets.
    let s = parse(
        r#"
name = "t"
unit = "u"
baseline_year = 2023
target_year = 2031
[metrics.a]
shape = "linear"
baseline = { value = 1 }
target = { value = 1 }
[metrics.b]
shape = "linear"
baseline = { value = 1 }
target = { value = 1 }
[ratios.r]
numerator = "a"
denominator = "b"
[uncertainty.inputs]
"metrics.b.target.value" = { dist = "normal", mean = 1, sd = 0.5 }
"#,
    );
    let settings = Settings {
        draws: 1_000_000,
        seed: 3,
        method: Method::Random,
    };
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| monte_carlo::run_chunks(&s, settings, None, &[], 0..u64::MAX))
    };
    let one = run(1);
    for threads in [2, 3, 4] {
        assert_eq!(run(threads), one, "{threads} threads");
    }
    let data = serde_json::to_value(&one).unwrap();
    let mut kept = 0;
    for sketch in data["sketches"].as_array().unwrap() {
        let exact: Vec<f64> = sketch["outside"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert!(exact.is_sorted(), "{exact:?}");
        kept += exact.len();
    }
    assert!(kept > 100, "{kept} values outside the windows");
}

#[test]
fn sobol_indices_of_an_additive_model_are_variance_shares() {
    // f = 3·x1 + x2 with x1, x2 ~ U(0, 1): Var = 9/12 + 1/12, so S1 = S_T = 0.9 and 0.1.
    let e = sobol::estimate(
        2,
        1,
        sobol::Settings {
            base_samples: 16_384,
            seed: 11,
            resamples: 200,
            confidence: 0.95,
        },
        || (),
        |_, u, out| {
            out[0] = 3.0 * u[0] + u[1];
            true
        },
    );
    for (i, share) in [0.9, 0.1].into_iter().enumerate() {
        let ix = e.indices[0][i];
        assert!((ix.first - share).abs() < ix.first_conf.max(0.01), "{ix:?}");
        assert!((ix.total - share).abs() < ix.total_conf.max(0.01), "{ix:?}");
    }
}

#[test]
fn sobol_indices_of_the_ishigami_function_match_the_analytic_values() {
    // Ishigami & Homma (1990), a = 7, b = 0.1, x_i ~ U(-π, π). Analytic indices (e.g.
    // Saltelli et al. 2008, also SALib's test suite): S1 = 0.3139, 0.4424, 0;
    // S_T = 0.5576, 0.4424, 0.2437.
    let pi = std::f64::consts::PI;
    let e = sobol::estimate(
        3,
        1,
        sobol::Settings {
            base_samples: 32_768,
            seed: 5,
            resamples: 200,
            confidence: 0.95,
        },
        || (),
        |_, u, out| {
            let x: Vec<f64> = u.iter().map(|p| -pi + 2.0 * pi * p).collect();
            out[0] = x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin();
            true
        },
    );
    let first = [0.3139, 0.4424, 0.0];
    let total = [0.5576, 0.4424, 0.2437];
    for i in 0..3 {
        let ix = e.indices[0][i];
        // Within the 95% interval, widened a little for the 4-digit reference values.
        assert!(
            (ix.first - first[i]).abs() < ix.first_conf * 1.5 + 0.005,
            "S1[{i}] {ix:?}"
        );
        assert!(
            (ix.total - total[i]).abs() < ix.total_conf * 1.5 + 0.005,
            "ST[{i}] {ix:?}"
        );
    }
}

#[test]
fn tornado_swings_inputs_to_their_p10_and_p90() {
    let s = normal_target("");
    let t = tornado::run(&s);
    assert_eq!(
        t.outputs.iter().map(|o| o.series).collect::<Vec<_>>(),
        vec![Series::Metric(0)]
    );
    assert_eq!(t.base, vec![350.0]);
    let row = &t.rows[0];
    assert_relative_eq!(
        row.low,
        350.0 - 1.2815515655446004 * 20.0,
        max_relative = 1e-9
    );
    assert_relative_eq!(
        row.high,
        350.0 + 1.2815515655446004 * 20.0,
        max_relative = 1e-9
    );
    // The target year's value is the target itself.
    assert_relative_eq!(row.outputs[0].0, row.low, max_relative = 1e-12);
    assert_relative_eq!(row.outputs[0].1, row.high, max_relative = 1e-12);
}

#[test]
fn the_low_to_high_shorthand_is_a_normal_with_those_p5_and_p95() {
    let s = parse(
        r#"
name = "t"
unit = "u"
baseline_year = 2023
target_year = 2031
[metrics.market]
shape = "cagr"
baseline = { value = 160 }
target = { value = 350 }
[uncertainty]
swing = [0.05, 0.95]
[uncertainty.inputs]
"metrics.market.target.value" = { low = 300, high = 400 }
"#,
    );
    let t = tornado::run(&s);
    assert_relative_eq!(t.rows[0].low, 300.0, max_relative = 1e-9);
    assert_relative_eq!(t.rows[0].high, 400.0, max_relative = 1e-9);
}

/// The two-input model of the peer comparison: share 2031 = sales / market, sales ~
/// PERT(30, 52, 60) and market ~ normal with P5 315 and P95 385 in 2031.
fn two_inputs() -> Scenario {
    parse(
        r#"
name = "t"
unit = "u"
baseline_year = 2023
target_year = 2031
[metrics.market]
shape = "cagr"
baseline = { value = 160 }
target = { value = 350 }
[metrics.sales]
shape = "cagr"
baseline = { value = 9.4 }
target = { value = 52 }
[ratios.share]
kind = "share"
numerator = "sales"
denominator = "market"
[uncertainty.inputs]
"metrics.sales.target.value" = { dist = "pert", min = 30, mode = 52, max = 60 }
"metrics.market.target.value" = { low = 315, high = 385 }
"#,
    )
}

#[test]
fn sobol_indices_agree_with_salib() {
    // share 2031 = sales target / market target, with sales ~ PERT(30, 52, 60) and market
    // ~ normal with P5 315 and P95 385. SALib 1.5 (sobol.sample N = 16384 without second
    // order, seed 1; sobol.analyze with 1000 resamples, 95%) on the same model gives:
    let salib_first = [(0.75464568, 0.01876754), (0.24233731, 0.01109732)];
    let salib_total = [(0.75761, 0.01449139), (0.24523951, 0.00584489)];
    let s = two_inputs();
    let (outputs, e) = sobol::run(
        &s,
        sobol::Settings {
            base_samples: 16_384,
            seed: 1,
            resamples: 1000,
            confidence: 0.95,
        },
    );
    let share = outputs
        .iter()
        .position(|o| o.series == Series::Ratio(0))
        .unwrap();
    for i in 0..2 {
        let ix = e.indices[share][i];
        let (f, fc) = salib_first[i];
        let (t, tc) = salib_total[i];
        assert!(
            (ix.first - f).abs() <= ix.first_conf + fc,
            "S1[{i}] {ix:?} vs SALib {f} ± {fc}"
        );
        assert!(
            (ix.total - t).abs() <= ix.total_conf + tc,
            "ST[{i}] {ix:?} vs SALib {t} ± {tc}"
        );
        // Centring keeps the first-order interval about as narrow as SALib's.
        assert!(
            ix.first_conf < 3.0 * fc,
            "S1[{i}] interval {}",
            ix.first_conf
        );
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Percentiles come in order, the mean lies within the draws, probabilities are
        /// between 0 and 1, for any distribution of the target and any seed.
        #[test]
        fn percentiles_are_ordered_and_probabilities_bounded(
            mean in 200.0f64..500.0,
            sd in 0.1f64..100.0,
            stated in 100.0f64..600.0,
            seed in any::<u64>(),
            lhs in any::<bool>(),
            draws in 1u64..3000,
        ) {
            let s = parse(&format!(
                r#"
name = "t"
unit = "u"
baseline_year = 2023
target_year = 2031
[metrics.market]
shape = "linear"
baseline = {{ value = 160 }}
target = {{ value = {mean} }}
stated = [{{ year = 2031, value = {stated}, tolerance = 0 }}]
[uncertainty.inputs]
"metrics.market.target.value" = {{ dist = "normal", mean = {mean}, sd = {sd} }}
"#
            ));
            let method = if lhs { Method::LatinHypercube } else { Method::Random };
            let mc = monte_carlo::run(&s, Settings { draws, seed, method }, None);
            let stats = &mc.series[0].1;
            for y in 0..9 {
                let p = stats.percentiles[y];
                prop_assert!(p.windows(2).all(|w| w[0] <= w[1]), "{p:?}");
                prop_assert!(stats.mean[y] >= p[0] - 10.0 * sd && stats.mean[y] <= p[6] + 10.0 * sd);
            }
            for pr in &mc.probabilities {
                prop_assert!((0.0..=1.0).contains(&pr.probability), "{pr:?}");
                prop_assert!(pr.se >= 0.0);
            }
        }
    }
}

#[test]
fn a_swing_that_cannot_be_projected_is_nan_only_where_the_output_depends_on_it() {
    // Sales' 2030 target swung to its P90 (107) passes the cap of 100: that swing cannot
    // be projected. The market does not depend on sales; sales and the share do.
    let s = kjproj::scenario::parse(
        r#"
name = "t"
unit = "u"
baseline_year = 2020
target_year = 2030
[sources]
s = "test"
[metrics.market]
shape = "cagr"
baseline = { value = 100, source = "s" }
target = { value = 200, source = "s" }
[metrics.sales]
shape = "logistic"
cap = 100
baseline = { value = 10, source = "s" }
target = { value = 90, source = "s" }
[ratios.share]
kind = "share"
numerator = "sales"
denominator = "market"
[uncertainty.inputs]
"metrics.sales.target.value" = { dist = "uniform", min = 80, max = 110 }
"metrics.market.target.value" = { dist = "uniform", min = 180, max = 220 }
"#,
        std::path::Path::new("t.toml"),
    )
    .unwrap();
    let t = tornado::run(&s);
    let sales_row = &t.rows[0];
    let (market, sales, share) = (0, 1, 2);
    assert_eq!(t.outputs.len(), 3);
    // The low swing (83) projects; the high one (107) does not.
    assert!(sales_row.outputs[sales].0.is_finite() && sales_row.outputs[sales].1.is_nan());
    assert!(sales_row.outputs[share].1.is_nan());
    // The market does not depend on sales: both ends keep its base value.
    assert_eq!(sales_row.outputs[market], (t.base[market], t.base[market]));
    assert!(
        sales_row.problem.as_deref().unwrap().contains("cap"),
        "{:?}",
        sales_row.problem
    );
    // Rows that could not be projected for an output come last; the market's row first.
    let order: Vec<usize> = t.ordered(share).iter().map(|s| s.input).collect();
    assert_eq!(order, [1, 0]);
    let order: Vec<usize> = t.ordered(market).iter().map(|s| s.input).collect();
    assert_eq!(order, [1, 0]);
}

#[test]
fn a_year_no_input_varies_has_no_spread() {
    // 9.4 and 9.4 / 160 are not exact in binary: summed over a block and divided, they
    // would come back a rounding away and give an SD of about 2e-15 instead of 0.
    let mc = monte_carlo::run(
        &two_inputs(),
        Settings {
            draws: 100_000,
            seed: 3,
            method: Method::LatinHypercube,
        },
        None,
    );
    for ((_, stats), baseline) in mc.series.iter().zip([160.0, 9.4, 9.4 / 160.0]) {
        assert_eq!((stats.mean[0], stats.sd[0]), (baseline, 0.0));
    }
}
