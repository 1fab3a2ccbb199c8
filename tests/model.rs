//! Projections of small scenarios against values worked out by hand.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

use std::path::Path;

use approx::assert_relative_eq;
use kjproj::model::{self, SeriesKind};
use kjproj::scenario::{self, RatioKind};

/// Loads scenario text and projects it, as every command does: a problem that only the
/// projection finds is still an error in the file, with its position.
fn parse(text: &str) -> Result<scenario::Scenario, String> {
    let s = scenario::parse(text, Path::new("test.toml")).map_err(|e| e.to_string())?;
    kjproj::evaluate::project(&s).map_err(|e| e.to_string())?;
    Ok(s)
}

/// A linear metric `name` from `baseline` to `target`, both citing source `s`.
fn linear(name: &str, baseline: &str, target: &str) -> String {
    format!(
        "[metrics.{name}]
shape = \"linear\"
baseline = {{ value = {baseline}, source = \"s\" }}
target = {{ value = {target}, source = \"s\" }}
"
    )
}

const HEAD: &str = r#"
name = "t"
unit = "u"
baseline_year = 2020
target_year = 2026
[sources]
s = "a source"
"#;

#[test]
fn a_follower_listed_first_still_follows_and_ratios_keep_their_metrics() {
    // `sales` is written before `market` but follows it: it must keep its 10% share until
    // 2023, then grow at a constant rate to 30 in 2026.
    let s = parse(&format!(
        "{HEAD}
[metrics.sales]
shape = \"cagr\"
baseline = {{ value = 10, source = \"s\" }}
target = {{ value = 30, source = \"s\" }}
start_year = 2023
baseline_growth = \"market\"
[metrics.market]
shape = \"linear\"
baseline = {{ value = 100, source = \"s\" }}
target = {{ value = 160, source = \"s\" }}
[ratios.share]
kind = \"share\"
numerator = \"sales\"
denominator = \"market\"
"
    ))
    .unwrap();
    let p = model::project(&s).unwrap();
    let m = |name: &str| &p.metrics[s.metrics.iter().position(|m| m.name == name).unwrap()];
    assert_eq!(
        m("market"),
        &vec![100.0, 110.0, 120.0, 130.0, 140.0, 150.0, 160.0]
    );
    // 10% of the market until 2023: 10, 11, 12, 13.
    for (i, v) in [10.0, 11.0, 12.0, 13.0].iter().enumerate() {
        assert_relative_eq!(m("sales")[i], *v, max_relative = 1e-12);
    }
    // Then (30 / 13)^(1/3) per year.
    let g: f64 = (30.0_f64 / 13.0).powf(1.0 / 3.0);
    assert_relative_eq!(m("sales")[4], 13.0 * g, max_relative = 1e-12);
    assert_eq!(m("sales")[6], 30.0);
    assert_eq!(s.ratios[0].kind, RatioKind::Share);
    assert_relative_eq!(p.ratios[0][0], 0.1, max_relative = 1e-12);
    assert_relative_eq!(p.ratios[0][6], 30.0 / 160.0, max_relative = 1e-12);
}

#[test]
fn a_baseline_growth_rate_compounds_until_the_start() {
    let s = parse(&format!(
        "{HEAD}
[metrics.x]
shape = \"linear\"
baseline = {{ value = 100, source = \"s\" }}
target = {{ value = 200, source = \"s\" }}
start_year = 2022
baseline_growth = 0.1
"
    ))
    .unwrap();
    let p = model::project(&s).unwrap();
    // 100, 110, 121 in 2022, then a straight line to 200 in 2026: +19.75 a year.
    let expected = [100.0, 110.0, 121.0, 140.75, 160.5, 180.25, 200.0];
    for (v, e) in p.metrics[0].iter().zip(expected) {
        assert_relative_eq!(*v, e, max_relative = 1e-12);
    }
}

#[test]
fn a_start_value_above_the_cap_is_an_error_on_baseline_growth() {
    let e = parse(&format!(
        "{HEAD}
[metrics.x]
shape = \"logistic\"
cap = 130
baseline = {{ value = 100, source = \"s\" }}
target = {{ value = 120, source = \"s\" }}
start_year = 2023
baseline_growth = 0.2
"
    ))
    .unwrap_err();
    // 100 · 1.2³ = 172.8 in 2023, above the cap of 130.
    assert!(e.contains("key `metrics.x.baseline_growth`"), "{e}");
    assert!(e.contains("reaches 172.8"), "{e}");
    assert!(e.contains("test.toml:15:"), "{e}");
}

#[test]
fn stated_figures_are_compared_not_used() {
    let s = parse(&format!(
        "{HEAD}
[metrics.a]
shape = \"linear\"
baseline = {{ value = 9.4, source = \"s\" }}
target = {{ value = 52, source = \"s\" }}
stated = [{{ year = 2026, value = 50, tolerance = 1, source = \"s\" }}]
[metrics.b]
shape = \"linear\"
baseline = {{ value = 160, source = \"s\" }}
target = {{ value = 350, source = \"s\" }}
[ratios.r]
kind = \"share\"
numerator = \"a\"
denominator = \"b\"
stated = [
  {{ year = 2020, value = 0.057, tolerance = 0.001, source = \"s\" }},
  {{ year = 2026, value = 0.15, tolerance = 0.002, source = \"s\" }},
]
"
    ))
    .unwrap();
    let p = model::project(&s).unwrap();
    assert_relative_eq!(p.ratios[0][0], 9.4 / 160.0);
    let c = model::comparisons(&s, &p);
    assert_eq!(c.len(), 3);
    // Metric: 52 stated as 50 ± 1 → differs, outside.
    assert_eq!(c[0].kind, SeriesKind::Metric);
    assert!(c[0].differs() && !c[0].within_tolerance());
    // 5.875% stated as 5.7% ± 0.1 pp → outside; 14.857% as 15% ± 0.2 pp → within.
    assert_relative_eq!(c[1].difference(), 0.001_75, max_relative = 1e-9);
    assert!(c[1].differs() && !c[1].within_tolerance());
    assert!(c[2].differs() && c[2].within_tolerance());
    assert_eq!(c[1].derivation.as_deref(), Some("a / b = 9.4 / 160"));
}

#[test]
fn a_zero_or_vanishing_denominator_is_an_error_naming_the_ratio_and_its_first_year() {
    // b runs linearly from its baseline to `b_2026` over 2020–2026.
    let file = |b_2020: &str, b_2026: &str| {
        format!(
            "{HEAD}{}{}[ratios.r]
numerator = \"a\"
denominator = \"b\"
",
            linear("a", "1", "2"),
            linear("b", b_2020, b_2026)
        )
    };
    // −3 to 3: 0 in 2023.
    let e = parse(&file("-3", "3")).unwrap_err();
    assert!(
        e.contains("key `ratios.r.denominator`") && e.contains("b is 0 in 2023"),
        "{e}"
    );
    // 3 to 1e-320: a / b = 2 / 1e-320 overflows in 2026 only (2 / 1e-300 would not).
    let e = parse(&file("3", "1e-320")).unwrap_err();
    assert!(
        e.contains("a / b = 2 / 1e-320 in 2026 is too large to represent"),
        "{e}"
    );
    let s = scenario::parse(&file("3", "1e-300"), Path::new("test.toml")).unwrap();
    let p = model::project(&s).unwrap();
    assert!(
        p.ratios[0].iter().all(|v| v.is_finite()),
        "{:?}",
        p.ratios[0]
    );
}

#[test]
fn all_problems_are_reported_at_once() {
    let e = parse(&format!(
        "{HEAD}
[metrics.a]
shape = \"cagr\"
cap = 3
baseline = {{ value = -1, source = \"nope\" }}
target = {{ value = 2, source = \"s\" }}
"
    ))
    .unwrap_err();
    assert!(e.contains("key `metrics.a.baseline.source`"), "{e}");
    assert!(e.contains("key `metrics.a.cap`"), "{e}");
    assert!(e.contains("key `metrics.a.baseline.value`"), "{e}");
}

#[test]
fn following_a_metric_that_starts_at_zero_is_an_error_at_the_follower() {
    // Growth relative to a baseline of 0 is undefined: the error names the follower's
    // `baseline_growth`; with a growth rate instead of a followed metric there is none.
    let file = |growth: &str, start: &str| {
        format!(
            "{HEAD}{}{}{start}
baseline_growth = {growth}
",
            linear("market", "0", "350"),
            linear("sales", "9.4", "52")
        )
    };
    let e = parse(&file("\"market\"", "start_year = 2022")).unwrap_err();
    assert!(
        e.contains("key `metrics.sales.baseline_growth`")
            && e.contains("the followed metric is 0 in the baseline year 2020"),
        "{e}"
    );
    // 10% a year until 2022: 9.4, 10.34, then linear to 52.
    let s = parse(&file("0.1", "start_year = 2022")).unwrap();
    let p = model::project(&s).unwrap();
    assert_relative_eq!(p.metrics[1][1], 10.34, max_relative = 1e-12);
    assert_relative_eq!(p.metrics[1][2], 9.4 * 1.1 * 1.1, max_relative = 1e-12);
}

/// Every shape in one scenario, with what a Monte Carlo draw moves: knot values of
/// linear, PCHIP, compound-growth and logistic curves, milestones, and programme starts
/// that move the knots' times (one metric growing at a rate before its start, one
/// following another metric), with a ratio of two of them.
const EVERY_SHAPE: &str = r#"
name = "Every shape"
unit = "u"
baseline_year = 2020
target_year = 2035

[metrics.lin]
shape = "linear"
baseline = { value = 100 }
milestones = [ { year = 2024, value = 130 }, { year = 2029, value = 150 } ]
target = { value = 200 }

[metrics.cub]
shape = "pchip"
baseline = { value = 10 }
milestones = [ { year = 2023, value = 12 }, { year = 2027, value = 25 }, { year = 2030, value = 24 } ]
target = { value = 40 }
start_year = 2022
baseline_growth = 0.03

[metrics.cg]
shape = "cagr"
baseline = { value = 5 }
milestones = [ { year = 2026, value = 9 } ]
target = { value = 20 }
start_year = 2023
baseline_growth = "lin"

[metrics.lg]
shape = "logistic"
cap = 100
baseline = { value = 5 }
milestones = [ { year = 2028, value = 40 } ]
target = { value = 80 }

[ratios.r]
kind = "share"
numerator = "cg"
denominator = "lin"

[uncertainty]
draws = 3000
seed = 7
sampling = "lhs"

[uncertainty.inputs]
"metrics.lin.target.value" = { plus_minus = 0.1, relative = true }
"metrics.lin.milestones[0].value" = { low = 120, high = 140 }
"metrics.cub.milestones[1].value" = { low = 20, high = 26 }
"metrics.cub.start_year" = { dist = "uniform", min = -1.4, max = 0.4, relative = true }
"metrics.cg.start_year" = { dist = "uniform", min = -1.5, max = 2.4, relative = true }
"metrics.cg.target.value" = { low = 15, high = 25 }
"metrics.lg.target.value" = { low = 70, high = 90 }
"#;

#[test]
fn every_monte_carlo_draw_is_the_projection_of_its_inputs_from_scratch() {
    // A Monte Carlo draw reuses the last draw's curves: knots whose values did not change,
    // the years' places on the segments for the last few sets of knot times, the short
    // way when only values moved. Each draw's every value must be, bit for bit, what a
    // projection of the same inputs computes with nothing kept, for every shape, and a
    // draw that cannot be projected must be one that cannot be projected from scratch.
    use kjproj::model::{Inputs, Projection, Workspace};
    use kjproj::sensitivity::{all_series, apply, monte_carlo};
    let s = scenario::parse(EVERY_SHAPE, Path::new("every_shape.toml")).unwrap();
    let outputs: Vec<_> = all_series(&s)
        .into_iter()
        .flat_map(|series| s.years().map(move |y| (series, y)))
        .map(|(series, y)| scenario::Output::value(&s, series, y).quantity)
        .collect();
    let targets: Vec<_> = s
        .uncertainty
        .as_ref()
        .unwrap()
        .inputs
        .iter()
        .map(|i| i.target)
        .collect();
    let settings = monte_carlo::Settings {
        draws: 3000,
        seed: 7,
        method: kjproj::stats::sampling::Method::LatinHypercube,
    };
    let (mut projected, mut starts) = (0, std::collections::BTreeSet::new());
    monte_carlo::each_draw(&s, settings, &outputs, |draw, row, values| {
        let mut inputs = Inputs::base(&s);
        for (&x, &target) in row.iter().zip(&targets) {
            apply(&mut inputs, target, x);
        }
        starts.insert((inputs.metrics[1].start_year, inputs.metrics[2].start_year));
        let mut fresh = Projection::empty(&s);
        let from_scratch =
            model::project_into(&s, &inputs, &mut Workspace::default(), &mut fresh).is_ok();
        assert_eq!(values.is_some(), from_scratch, "draw {draw}");
        if let Some(values) = values {
            projected += 1;
            let expected = all_series(&s)
                .into_iter()
                .flat_map(|series| fresh.series(series).to_vec());
            for (k, (v, e)) in values.iter().zip(expected).enumerate() {
                assert_eq!(v.to_bits(), e.to_bits(), "draw {draw}, value {k}");
            }
        }
        Ok::<(), ()>(())
    })
    .unwrap();
    // Most draws project, and the starts move both metrics' knots between several years.
    assert!(projected > 2900, "{projected} draws projected");
    assert!(starts.len() >= 6, "{starts:?}");
}

/// Scenarios of the shapes Monte Carlo projects a block of draws at a time
/// (`model::batch`): fine_chem (a programme start drawn between two years, sales following
/// the market before it); linear and `cagr` metrics with milestones, growth before a
/// drawn programme start at a drawn rate or following another metric, a metric summed
/// from segments, shares and plain ratios; and values no `cagr` curve takes, with ratios
/// over values near 0, so that some blocks have draws that cannot be projected.
const BATCHED: [&str; 3] = [
    include_str!("../scenarios/fine_chem.toml"),
    r#"
name = "Blocks"
unit = "u"
baseline_year = 2020
target_year = 2034

[metrics.a]
shape = "linear"
baseline = { value = 100 }
milestones = [ { year = 2024, value = 130 }, { year = 2029, value = 150 } ]
target = { value = 200 }

[metrics.b]
shape = "cagr"
baseline = { value = 5 }
milestones = [ { year = 2026, value = 9 } ]
target = { value = 20 }
start_year = 2023
baseline_growth = "a"

[metrics.c]
shape = "cagr"
baseline = { value = 3 }
target = { value = 8 }
start_year = 2025
baseline_growth = 0.04

[metrics.t]
segments = ["b", "c"]
baseline = { value = 8 }
target = { value = 28 }
tolerance = 100

[ratios.share]
kind = "share"
numerator = "b"
denominator = "t"

[ratios.per]
kind = "ratio"
numerator = "a"
denominator = "c"

[uncertainty.inputs]
"metrics.a.target.value" = { plus_minus = 0.1, relative = true }
"metrics.a.milestones[0].value" = { low = 120, high = 140 }
"metrics.a.baseline.value" = { low = 95, high = 105 }
"metrics.b.target.value" = { low = 15, high = 25 }
"metrics.b.milestones[0].value" = { dist = "pert", min = 6, mode = 9, max = 10 }
"metrics.c.baseline_growth" = { low = 0.0, high = 0.08 }
"metrics.c.baseline.value" = { dist = "lognormal", low = 2.5, high = 3.5 }
"metrics.b.start_year" = { dist = "uniform", min = -1.5, max = 1.4, relative = true }
"metrics.c.start_year" = { dist = "uniform", min = -4.4, max = 2.4, relative = true }
"#,
    r#"
name = "Blocks with infeasible draws"
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

[ratios.r]
kind = "ratio"
numerator = "m"
denominator = "l"

[uncertainty.inputs]
"metrics.m.target.value" = { dist = "uniform", min = -0.02, max = 40 }
"metrics.l.target.value" = { dist = "uniform", min = -1, max = 3 }
"#,
];

#[test]
fn a_block_of_draws_projects_bit_for_bit_as_each_draw_alone() {
    // Monte Carlo projects a block of draws at once when the shapes allow; every value
    // must be, bit for bit, what `project_into` computes for the draw alone, and a block
    // is refused exactly when one of its draws is.
    use kjproj::model::batch::Batch;
    use kjproj::model::{Inputs, Projection, Workspace};
    use kjproj::sensitivity::{all_series, apply, monte_carlo};
    use kjproj::stats::sampling::Method;
    for (t, text) in BATCHED.iter().enumerate() {
        let s = scenario::parse(text, Path::new("blocks.toml")).unwrap();
        let targets: Vec<_> = s
            .uncertainty
            .as_ref()
            .unwrap()
            .inputs
            .iter()
            .map(|i| i.target)
            .collect();
        let mut batch = Batch::new(&s, &targets).expect("shapes a batch covers");
        let q = monte_carlo::samplers(&s);
        let (mut projected, mut refused) = (0, 0);
        for (chunk, method) in [(0, Method::LatinHypercube), (1, Method::Random)] {
            let columns = monte_carlo::draw_inputs(&s, &q, method, 11, chunk, 4000);
            let mut start = 0;
            for len in [1, 7, 64, 256, 255, 13, 2, 100].into_iter().cycle() {
                let window = start..(start + len).min(4000);
                let ok = batch.project(&columns, window.clone());
                let mut all_ok = true;
                for (i, draw) in window.clone().enumerate() {
                    let mut inputs = Inputs::base(&s);
                    for (column, &target) in columns.iter().zip(&targets) {
                        apply(&mut inputs, target, column[draw]);
                    }
                    let mut fresh = Projection::empty(&s);
                    let result =
                        model::project_into(&s, &inputs, &mut Workspace::default(), &mut fresh);
                    all_ok &= result.is_ok();
                    if ok {
                        for series in all_series(&s) {
                            for (y, e) in fresh.series(series).iter().enumerate() {
                                let v = batch.values(series, y)[i];
                                assert_eq!(
                                    v.to_bits(),
                                    e.to_bits(),
                                    "scenario {t}, draw {draw}, {series:?} year {y}: {v} against {e}"
                                );
                            }
                        }
                    }
                }
                assert_eq!(ok, all_ok, "scenario {t}, draws {window:?}");
                if ok {
                    projected += 1
                } else {
                    refused += 1
                }
                start = window.end;
                if start == 4000 {
                    break;
                }
            }
        }
        // The first scenario's blocks all project; the second's are a mixture.
        assert!(projected > 10, "scenario {t}: {projected} blocks projected");
        assert_eq!(
            refused > 0,
            t == 2,
            "scenario {t}: {refused} blocks refused"
        );
    }
}

#[test]
fn sobol_runs_projected_in_blocks_give_the_indices_of_runs_projected_one_by_one() {
    // Sobol's model runs of a scenario are projected a block at a time where the shapes
    // allow; the indices, intervals and rows kept must be, bit for bit, those of the same
    // design with every run projected on its own by `project_into` (the model written
    // out here through the public interface), in both designs.
    use kjproj::model::{Inputs, Projection, Workspace};
    use kjproj::sensitivity::{apply, output_value, outputs, sobol};
    let settings = sobol::Settings {
        base_samples: 512,
        seed: 3,
        resamples: 50,
        confidence: 0.95,
    };
    let bits = |e: &sobol::Estimate| {
        let each = e.indices.iter().flatten();
        let numbers = each.flat_map(|i| [i.first, i.first_conf, i.total, i.total_conf]);
        (
            e.rows,
            e.dropped,
            numbers.map(f64::to_bits).collect::<Vec<_>>(),
        )
    };
    for (t, text) in BATCHED.iter().enumerate() {
        let s = scenario::parse(text, Path::new("blocks.toml")).unwrap();
        let u = s.uncertainty.as_ref().unwrap();
        let (outs, _) = outputs(&s, None);
        let samplers: Vec<_> = u.inputs.iter().map(|i| i.sampler()).collect();
        let k = u.inputs.len();
        // The file's correlations as the normal scores' (the Gaussian copula).
        let score = u.correlation.as_ref().map(|c| {
            let mut score = vec![0.0; k * k];
            for i in 0..k {
                score[i * k + i] = 1.0;
            }
            for (a, &i) in c.inputs.iter().enumerate() {
                for (b, &j) in c.inputs.iter().enumerate() {
                    score[i * k + j] = c.matrix.score_correlation(a, b);
                }
            }
            score
        });
        let init = || {
            (
                Inputs::base(&s),
                Workspace::default(),
                Projection::empty(&s),
            )
        };
        let one_run = |state: &mut (Inputs, Workspace, Projection), p: &[f64], out: &mut [f64]| {
            let (inputs, workspace, projection) = state;
            for ((input, q), &p) in u.inputs.iter().zip(&samplers).zip(p) {
                apply(inputs, input.target, q.at(p));
            }
            if model::project_into(&s, inputs, workspace, projection).is_err() {
                return false;
            }
            for (slot, o) in out.iter_mut().zip(&outs) {
                *slot = output_value(&s, projection, o);
            }
            true
        };
        let (want, want_correlated) =
            sobol::estimate_both(k, outs.len(), settings, score.as_deref(), init, one_run);
        let ((_, got), got_correlated) = sobol::run_both(&s, outs.clone(), settings);
        assert_eq!(bits(&got), bits(&want), "scenario {t}");
        assert_eq!(
            got_correlated.map(|(_, e)| bits(&e)),
            want_correlated.map(|e| bits(&e)),
            "scenario {t}, correlated"
        );
        assert_eq!(
            want.dropped > 0,
            t == 2,
            "scenario {t}: {} rows dropped",
            want.dropped
        );
    }
}

#[test]
fn a_base_and_variants_sharing_bootstrap_resamples_get_the_indices_each_gets_alone() {
    // `evaluate_all` lets the base and its variants share their bootstrap resamples'
    // counts, which depend on the seed and on how many rows were kept. Each evaluation's
    // indices and intervals must be, bit for bit, those it gets evaluated alone: for a
    // variant that keeps the base's rows, one with a seed of its own, and one that keeps
    // other rows (evaluated side by side on two threads, so that they also race for the
    // same resamples).
    use kjproj::evaluate::{Analyses, Overrides, Simulations, evaluate_all, evaluate_from};
    let text = format!(
        r#"{}
[variants.same_rows]
"metrics.m.baseline.value" = 11
[variants.reseeded]
"uncertainty.seed" = 9
[variants.other_rows]
"metrics.m.shape" = "linear"
"#,
        BATCHED[2]
    );
    let file = scenario::parse(&text, Path::new("variants.toml")).unwrap();
    let overrides = Overrides {
        draws: Some(4000),
        sobol_samples: Some(512),
        ..Overrides::default()
    };
    let bits = |e: &kjproj::evaluate::Evaluation| {
        let s = e.sensitivity.as_ref().expect("sensitivity analyses");
        let (_, sobol) = s.sobol.as_ref().expect("Sobol indices");
        let each = sobol.indices.iter().flatten();
        let numbers = each.flat_map(|i| [i.first, i.first_conf, i.total, i.total_conf]);
        (sobol.rows, numbers.map(f64::to_bits).collect::<Vec<_>>())
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let together = pool
        .install(|| evaluate_all(&file, &overrides, Analyses::ALL, Simulations::Run(None)))
        .unwrap();
    let alone: Vec<_> = std::iter::once(None)
        .chain(file.variants.iter().map(Some))
        .map(|v| {
            evaluate_from(&file, v, &overrides, Analyses::ALL, Simulations::Run(None)).unwrap()
        })
        .collect();
    let rows: Vec<usize> = alone.iter().map(|e| bits(e).0).collect();
    assert_eq!(rows[0], rows[1], "the same rows kept: {rows:?}");
    assert_ne!(rows[0], rows[3], "other rows kept: {rows:?}");
    assert!(rows[0] < 512, "rows left out: {rows:?}");
    for (t, a) in together.iter().zip(&alone) {
        assert_eq!(bits(t), bits(a), "{:?}", a.variant.map(|v| &v.name));
    }
}
