//! Benchmarks of the deterministic pipeline: `cargo bench --bench projection`.
//!
//! Figures go into the README's benchmark table.

use std::path::Path;

use divan::{Bencher, black_box};
use kjproj::model::{self, shape::Curve, shape::CurveKind};
use kjproj::stats::exp::exp_all;
use kjproj::{commands, export, plot, scenario};

fn main() {
    divan::main();
}

fn fine_chem_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fine_chem.toml");
    std::fs::read_to_string(path).expect("shipped scenario")
}

/// Parse and validate the shipped scenario (includes one projection, as `load` does).
#[divan::bench]
fn load_fine_chem(bencher: Bencher) {
    let text = fine_chem_text();
    bencher.bench(|| scenario::parse(black_box(&text), Path::new("fine_chem.toml")));
}

/// One deterministic projection of fine_chem: 2 metrics and 1 ratio over 9 years.
#[divan::bench]
fn project_fine_chem(bencher: Bencher) {
    let s = scenario::parse(&fine_chem_text(), Path::new("fine_chem.toml")).expect("valid");
    bencher.bench(|| model::project(black_box(&s)));
}

/// Evaluating a curve at one year, per shape.
#[divan::bench(args = ["linear", "cagr", "logistic", "gompertz", "pchip"])]
fn curve_value(bencher: Bencher, shape: &str) {
    let kind = match shape {
        "linear" => CurveKind::Linear,
        "cagr" => CurveKind::Cagr,
        "logistic" => CurveKind::Logistic(100.0),
        "gompertz" => CurveKind::Gompertz(100.0),
        _ => CurveKind::Pchip,
    };
    let curve =
        Curve::new(kind, &[(2023.0, 9.4), (2027.0, 20.0), (2031.0, 52.0)]).expect("valid curve");
    bencher.bench(|| curve.value(black_box(2029.0)));
}

/// Least-squares fits: constant growth to Korea's R&D expenditure 2015–2023 (9 points,
/// closed form), and a logistic curve with an estimated cap to 17 points (Levenberg–
/// Marquardt from a grid of 8 caps), as `fit = true` does when a scenario is loaded.
#[divan::bench(args = ["exponential", "logistic_cap_estimated"])]
fn fit(bencher: Bencher, which: &str) {
    use kjproj::stats::fit::{Model, Spec, fit};
    let rnd = [
        65.9594, 69.4055, 78.7892, 85.7287, 89.0471, 93.0717, 102.1352, 112.6460, 119.0740,
    ];
    let (model, points): (Model, Vec<(f64, f64)>) = if which == "exponential" {
        let points = rnd.iter().enumerate().map(|(i, &v)| (2015.0 + i as f64, v));
        (Model::Exponential, points.collect())
    } else {
        let points = (0..17).map(|i| {
            let t = 2008.0 + f64::from(i);
            let wobble = if i % 3 == 0 { 1.2 } else { -0.7 };
            (t, 100.0 / (1.0 + (-(0.45 * (t - 2017.0))).exp()) + wobble)
        });
        (Model::Logistic, points.collect())
    };
    let spec = Spec {
        model,
        cap: None,
        anchor: None,
        reference: 2015.0,
    };
    bencher.bench(|| fit(black_box(&spec), black_box(&points)));
}

/// Writing paths.csv into memory.
#[divan::bench]
fn paths_csv(bencher: Bencher) {
    let s = scenario::parse(&fine_chem_text(), Path::new("fine_chem.toml")).expect("valid");
    let p = model::project(&s).expect("projects");
    bencher.bench(|| export::paths_csv(black_box(&s), black_box(&p)));
}

/// Rendering paths.png (16 cm at 300 dpi: 1890 × 1512 px) into memory.
#[divan::bench(sample_count = 10)]
fn paths_png(bencher: Bencher) {
    let s = scenario::parse(&fine_chem_text(), Path::new("fine_chem.toml")).expect("valid");
    let p = model::project(&s).expect("projects");
    let chart = kjproj::render::charts::paths_chart(&s, &p, s.lang);
    let canvas = plot::Canvas::default();
    bencher.bench(|| plot::Chart::png(black_box(&chart), &canvas));
}

/// Monte Carlo of fine_chem (5 inputs, 2 correlated; 3 series × 9 years): percentiles,
/// means and probabilities, on all cores.
#[divan::bench(args = [100_000, 1_000_000], sample_count = 5)]
fn monte_carlo_fine_chem(bencher: Bencher, draws: u64) {
    use kjproj::sensitivity::monte_carlo;
    use kjproj::stats::sampling::Method;
    let s = scenario::parse(&fine_chem_text(), Path::new("fine_chem.toml")).expect("valid");
    let settings = monte_carlo::Settings {
        draws,
        seed: 1,
        method: Method::LatinHypercube,
    };
    bencher.bench(|| monte_carlo::run(black_box(&s), settings, None));
}

/// Sobol indices of fine_chem with 16,384 base samples (7 × 16,384 runs) and 1,000
/// bootstrap resamples.
#[divan::bench(sample_count = 5)]
fn sobol_fine_chem(bencher: Bencher) {
    use kjproj::sensitivity::sobol;
    let s = scenario::parse(&fine_chem_text(), Path::new("fine_chem.toml")).expect("valid");
    let settings = sobol::Settings {
        base_samples: 16_384,
        seed: 1,
        resamples: 1000,
        confidence: 0.95,
    };
    bencher.bench(|| sobol::run(black_box(&s), settings));
}

/// The sensitivity step with one draw and no Sobol analysis: evaluation (tornado, one
/// draw) and rendering of its CSVs and the fan, tornado and histogram charts (rendering
/// dominates).
#[divan::bench(sample_count = 5)]
fn sensitivity_charts(bencher: Bencher) {
    use kjproj::evaluate::{self, Analyses, Overrides};
    let s = scenario::parse(&fine_chem_text(), Path::new("fine_chem.toml")).expect("valid");
    let overrides = Overrides {
        draws: Some(1),
        sobol_samples: Some(0),
        ..Overrides::default()
    };
    bencher.bench(|| {
        let eval = evaluate::evaluate(black_box(&s), None, &overrides, Analyses::ALL, None)
            .expect("evaluates");
        kjproj::render::sensitivity::files(&eval, plot::ChartFormat::default())
    });
}

/// `kjproj check` over 100 scenario files (copies of korea_israel.toml, whose checks need no
/// simulation): loading, projecting, built-in and declared checks, from disk.
#[divan::bench(sample_count = 10)]
fn check_100_files(bencher: Bencher) {
    let dir = std::env::temp_dir().join(format!("kjproj-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/korea_israel.toml"),
    )
    .expect("shipped scenario");
    let files: Vec<_> = (0..100)
        .map(|i| {
            let f = dir.join(format!("s{i:03}.toml"));
            std::fs::write(&f, &text).expect("write copy");
            f
        })
        .collect();
    bencher.bench(|| {
        files
            .iter()
            .map(|f| {
                commands::check::check_file(black_box(f), &Default::default())
                    .variants
                    .len()
            })
            .sum::<usize>()
    });
    let _ = std::fs::remove_dir_all(&dir);
}

/// `kjproj check` of fine_chem.toml with its simulation checks at 100,000 draws.
#[divan::bench(sample_count = 5)]
fn check_fine_chem_with_simulation(bencher: Bencher) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fine_chem.toml");
    let overrides = kjproj::evaluate::Overrides {
        draws: Some(100_000),
        ..Default::default()
    };
    bencher.bench(|| commands::check::check_file(black_box(&file), &overrides));
}

fn two_inputs_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers/two_inputs.toml");
    std::fs::read_to_string(path).expect("the peer comparison's model")
}

/// Draws of the two-input model in the Monte Carlo benchmarks.
const TWO_INPUT_DRAWS: u64 = 1_000_000;

/// kjproj's Monte Carlo of the two-input model of `benches/peers` (2 inputs, 3 series × 9
/// years = 27 values a draw into quantile sketches, plus means), on one thread: divide by
/// 1,000,000 for the time per draw, and compare with [`limit_two_inputs`].
#[divan::bench(sample_count = 5)]
fn monte_carlo_two_inputs(bencher: Bencher) {
    use kjproj::sensitivity::monte_carlo;
    use kjproj::stats::sampling::Method;
    let s = scenario::parse(&two_inputs_text(), Path::new("two_inputs.toml")).expect("valid");
    let settings = monte_carlo::Settings {
        draws: TWO_INPUT_DRAWS,
        seed: 1,
        method: Method::Random,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    bencher.bench(|| pool.install(|| monte_carlo::run(black_box(&s), settings, None)));
}

/// The arithmetic limit of the same work, written as a straightforward loop: per draw two
/// uniforms from the same generator through the same quantile functions, a path of 9
/// years for each metric (the same power law, its 9 exponentials in one call of
/// `stats::exp::exp_all` as kjproj takes them), the share, and 27 increments of
/// fixed-width histograms of 16,384 buckets (one multiplication each, no division, no
/// sketch, no means, no checks for infeasible draws). One thread; per draw as above.
#[divan::bench(sample_count = 5)]
fn limit_two_inputs(bencher: Bencher) {
    use rand::Rng;
    let s = scenario::parse(&two_inputs_text(), Path::new("two_inputs.toml")).expect("valid");
    let q = kjproj::sensitivity::monte_carlo::samplers(&s);
    const BUCKETS: usize = 16_384;
    // Windows wide enough for every value of each series (market, sales, share).
    let windows = [(100.0, 500.0), (5.0, 70.0), (0.0, 0.3)];
    let (ln_160, ln_9_4) = (160_f64.ln(), 9.4_f64.ln());
    bencher.bench(|| {
        let mut rng = kjproj::stats::sampling::chunk_rng(1, 0);
        let mut counts = vec![0_u32; 27 * BUCKETS];
        let unit = |rng: &mut rand_chacha::ChaCha8Rng| {
            ((rng.next_u64() >> 12) as f64 + 0.5) * (1.0 / (1_u64 << 52) as f64)
        };
        for _ in 0..TWO_INPUT_DRAWS {
            let sales = q[0].at(unit(&mut rng));
            let market = q[1].at(unit(&mut rng));
            let (gm, gs) = ((market / 160.0).ln() / 8.0, (sales / 9.4).ln() / 8.0);
            // Each path's exponentials in one call, as kjproj takes them.
            let (mut m, mut v) = ([0.0; 9], [0.0; 9]);
            for y in 0..9 {
                m[y] = ln_160 + gm * y as f64;
                v[y] = ln_9_4 + gs * y as f64;
            }
            exp_all(&mut m);
            exp_all(&mut v);
            for y in 0..9 {
                let (m, v) = (m[y], v[y]);
                for (series, x) in [m, v, v / m].into_iter().enumerate() {
                    let (lo, hi) = windows[series];
                    let at = ((x - lo) * (BUCKETS as f64 / (hi - lo))) as usize;
                    counts[(series * 9 + y) * BUCKETS + at.min(BUCKETS - 1)] += 1;
                }
            }
        }
        counts
    });
}

/// The arithmetic limit of [`monte_carlo_fine_chem`] at 1,000,000 draws, written as a
/// straightforward loop on the same threads: each chunk's inputs drawn by the same
/// function (Latin hypercube, the 2031 market and sales correlated by Iman–Conover), then
/// per draw the market's compound growth, the sales following the market until the drawn
/// programme start and growing at a constant rate from there (each path's exponentials in
/// one call of `stats::exp::exp_all`, as kjproj takes them), the share, and 27 increments
/// of fixed-width histograms of 16,384 buckets (one per thread, added at the end); no
/// sketches, means, checks or stated figures.
#[divan::bench(sample_count = 5)]
fn limit_fine_chem(bencher: Bencher) {
    use kjproj::sensitivity::monte_carlo;
    use kjproj::stats::sampling::Method;
    use rayon::prelude::*;
    const DRAWS: u64 = 1_000_000;
    const BUCKETS: usize = 16_384;
    let s = scenario::parse(&fine_chem_text(), Path::new("fine_chem.toml")).expect("valid");
    let q = monte_carlo::samplers(&s);
    // Windows wide enough for every value of each series (market, sales, share).
    let windows = [(100.0, 500.0), (5.0, 70.0), (0.0, 0.3)];
    let count = |counts: &mut [u32], series: usize, y: usize, x: f64| {
        let (lo, hi) = windows[series];
        let at = ((x - lo) * (BUCKETS as f64 / (hi - lo))) as usize;
        counts[(series * 9 + y) * BUCKETS + at.min(BUCKETS - 1)] += 1;
    };
    bencher.bench(|| {
        (0..monte_carlo::chunk_count(DRAWS))
            .into_par_iter()
            .fold(
                // Each piece of work draws its chunks in memory it keeps, as kjproj's
                // workers do.
                || (vec![0_u32; 27 * BUCKETS], monte_carlo::Scratch::default()),
                |(mut counts, mut scratch), c| {
                    let n = monte_carlo::chunk_len(DRAWS, c);
                    let method = Method::LatinHypercube;
                    monte_carlo::draw_inputs_in(&s, &q, method, 1, c, n, &mut scratch);
                    let x = &scratch.columns;
                    // Inputs in the file's order: market 2023 and 2031, sales 2023 and 2031,
                    // programme start.
                    let (mut market, mut sales) = ([0.0; 9], [0.0; 9]);
                    let draws = x[0].iter().zip(&x[1]).zip(&x[2]).zip(&x[3]).zip(&x[4]);
                    for ((((&m0, &m8), &s0), &s8), &year) in draws {
                        let start = (year.round() as i32 - 2023) as usize;
                        let gm = (m8.ln() - m0.ln()) / 8.0;
                        market[0] = m0;
                        // Each path's exponentials in one call, as kjproj takes them.
                        for (y, m) in market.iter_mut().enumerate().take(8).skip(1) {
                            *m = m0.ln() + gm * y as f64;
                        }
                        exp_all(&mut market[1..8]);
                        market[8] = m8;
                        for y in 0..=start {
                            sales[y] = s0 * market[y] / m0;
                        }
                        let first = sales[start];
                        let gs = (s8.ln() - first.ln()) / (8 - start) as f64;
                        for (y, v) in sales.iter_mut().enumerate().take(8).skip(start + 1) {
                            *v = first.ln() + gs * (y - start) as f64;
                        }
                        exp_all(&mut sales[(start + 1).min(8)..8]);
                        sales[8] = s8;
                        for y in 0..9 {
                            count(&mut counts, 0, y, market[y]);
                            count(&mut counts, 1, y, sales[y]);
                            count(&mut counts, 2, y, sales[y] / market[y]);
                        }
                    }
                    (counts, scratch)
                },
            )
            .map(|(counts, _)| counts)
            .reduce(
                || vec![0_u32; 27 * BUCKETS],
                |mut a, b| {
                    for (a, b) in a.iter_mut().zip(&b) {
                        *a += b;
                    }
                    a
                },
            )
    });
}
