//! Sobol indices under correlated inputs (Kucherenko, Tarantola & Annoni 2012) against
//! analytic values and against a brute-force double-loop estimate of Var(E[Y | Xᵢ]) / Var(Y)
//! and E[Var(Y | X₋ᵢ)] / Var(Y) computed here, with its own normal sampling (Box–Muller)
//! and its own conditional Gaussian draws.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

use kjproj::sensitivity::sobol::{Settings, estimate, estimate_both, estimate_correlated};
use kjproj::stats::distribution::std_normal_quantile;
use rand::RngExt;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn settings(n: usize) -> Settings {
    Settings {
        base_samples: n,
        seed: 11,
        resamples: 200,
        confidence: 0.95,
    }
}

/// `f` of standard normal inputs, as the estimators take a model: uniforms in, one output.
fn normal_model(f: fn(&[f64]) -> f64) -> impl Fn(&mut (), &[f64], &mut [f64]) -> bool + Sync {
    move |_, u, out| {
        let x: Vec<f64> = u.iter().map(|&p| std_normal_quantile(p)).collect();
        out[0] = f(&x);
        true
    }
}

/// Runs `f` on standard normal inputs with normal-score correlation `r` (k×k).
fn indices(k: usize, r: &[f64], f: fn(&[f64]) -> f64) -> Vec<(f64, f64, f64, f64)> {
    let e = estimate_correlated(k, 1, settings(16_384), r, || (), normal_model(f)).unwrap();
    e.indices[0]
        .iter()
        .map(|ix| (ix.first, ix.first_conf, ix.total, ix.total_conf))
        .collect()
}

fn close(got: f64, conf: f64, expected: f64, what: &str) {
    assert!(
        (got - expected).abs() <= 2.0 * conf + 0.01,
        "{what}: {got} ± {conf}, expected {expected}"
    );
}

#[test]
fn linear_models_give_their_analytic_indices() {
    // Y = X0 + X1, corr 0.5: S0 = (1 + r)/2 = 0.75, ST0 = (1 − r)/2 = 0.25.
    let r = [1.0, 0.5, 0.5, 1.0];
    let ix = indices(2, &r, |x| x[0] + x[1]);
    for &(first, first_conf, total, total_conf) in &ix {
        close(first, first_conf, 0.75, "S");
        close(total, total_conf, 0.25, "ST");
    }
    // Y = X0 + X1 + X2, X0 and X1 correlated 0.5, X2 independent: Var Y = 4;
    // S0 = 1.5² / 4, ST0 = (1 − 0.25) / 4, S2 = ST2 = 1/4.
    let r = [1.0, 0.5, 0.0, 0.5, 1.0, 0.0, 0.0, 0.0, 1.0];
    let ix = indices(3, &r, |x| x[0] + x[1] + x[2]);
    close(ix[0].0, ix[0].1, 0.5625, "S0");
    close(ix[0].2, ix[0].3, 0.1875, "ST0");
    close(ix[2].0, ix[2].1, 0.25, "S2");
    close(ix[2].2, ix[2].3, 0.25, "ST2");
}

#[test]
fn without_correlation_they_are_the_independent_indices() {
    let identity = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
    let f = |x: &[f64]| x[0] + 2.0 * x[1] * x[1] + x[0] * x[2];
    let dependent = indices(3, &identity, f);
    let independent = estimate(3, 1, settings(16_384), || (), normal_model(f));
    for (a, b) in dependent.iter().zip(&independent.indices[0]) {
        close(a.0, a.1 + b.first_conf, b.first, "S");
        close(a.2, a.3 + b.total_conf, b.total, "ST");
    }
}

/// A nonlinear model of three correlated inputs.
fn nonlinear(x: &[f64]) -> f64 {
    (0.5 * x[0]).exp() + x[1] * x[2] + x[1]
}

/// Correlations of the nonlinear example: X0–X1 0.6, X1–X2 −0.3, X0–X2 0.2.
const R: [f64; 9] = [1.0, 0.6, 0.2, 0.6, 1.0, -0.3, 0.2, -0.3, 1.0];

/// A standard normal by Box–Muller.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v): (f64, f64) = (rng.random(), rng.random());
    (-2.0 * (1.0 - u).ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// Cholesky factor of a small symmetric positive definite matrix.
fn cholesky(a: &[f64], k: usize) -> Vec<f64> {
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = (0..j).map(|m| l[i * k + m] * l[j * k + m]).sum();
            l[i * k + j] = if i == j {
                (a[i * k + i] - s).sqrt()
            } else {
                (a[i * k + j] - s) / l[j * k + j]
            };
        }
    }
    l
}

/// Draws `x` ~ N(0, R) with the coordinates in `fixed` held at their given values: the
/// others from their conditional normal, by conditioning the joint draw (for a Gaussian,
/// x_free | x_fixed = μ + Σ_fo Σ_oo⁻¹ (x_fixed − z_fixed) + z_free for an unconditional draw
/// z, the "conditioning by kriging" identity).
fn conditional(fixed: &[(usize, f64)], rng: &mut ChaCha8Rng) -> Vec<f64> {
    let l = cholesky(&R, 3);
    let g: Vec<f64> = (0..3).map(|_| normal(rng)).collect();
    let z: Vec<f64> = (0..3)
        .map(|r| (0..=r).map(|c| l[r * 3 + c] * g[c]).sum())
        .collect();
    let idx: Vec<usize> = fixed.iter().map(|f| f.0).collect();
    let m = idx.len();
    // Σ_oo⁻¹ (x_o − z_o) by Gaussian elimination on the small system.
    let mut a: Vec<f64> = idx
        .iter()
        .flat_map(|&p| idx.iter().map(move |&q| R[p * 3 + q]))
        .collect();
    let mut rhs: Vec<f64> = fixed.iter().map(|&(p, v)| v - z[p]).collect();
    for col in 0..m {
        for row in col + 1..m {
            let factor = a[row * m + col] / a[col * m + col];
            for c in col..m {
                a[row * m + c] -= factor * a[col * m + c];
            }
            rhs[row] -= factor * rhs[col];
        }
    }
    let mut w = vec![0.0; m];
    for row in (0..m).rev() {
        let s: f64 = (row + 1..m).map(|c| a[row * m + c] * w[c]).sum();
        w[row] = (rhs[row] - s) / a[row * m + row];
    }
    (0..3)
        .map(|p| {
            if let Some(&(_, v)) = fixed.iter().find(|f| f.0 == p) {
                v
            } else {
                z[p] + idx
                    .iter()
                    .zip(&w)
                    .map(|(&q, wq)| R[p * 3 + q] * wq)
                    .sum::<f64>()
            }
        })
        .collect()
}

/// Brute force: S_i = Var(E[Y | X_i]) / Var(Y) and ST_i = E[Var(Y | X_−i)] / Var(Y), each
/// by an outer loop over the conditioning values and an inner loop over the rest.
fn brute_force(i: usize) -> (f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let total_var = {
        let ys: Vec<f64> = (0..200_000)
            .map(|_| nonlinear(&conditional(&[], &mut rng)))
            .collect();
        let mean = ys.iter().sum::<f64>() / ys.len() as f64;
        ys.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / (ys.len() - 1) as f64
    };
    let (outer, inner) = (6000, 200);
    let mut means = Vec::with_capacity(outer);
    let mut inner_vars_first = Vec::with_capacity(outer);
    let mut inner_vars_total = Vec::with_capacity(outer);
    for _ in 0..outer {
        // First order: fix X_i.
        let x = conditional(&[], &mut rng);
        let ys: Vec<f64> = (0..inner)
            .map(|_| nonlinear(&conditional(&[(i, x[i])], &mut rng)))
            .collect();
        let m = ys.iter().sum::<f64>() / inner as f64;
        means.push(m);
        inner_vars_first.push(ys.iter().map(|y| (y - m).powi(2)).sum::<f64>() / (inner - 1) as f64);
        // Total: fix every other input.
        let fixed: Vec<(usize, f64)> = (0..3).filter(|&p| p != i).map(|p| (p, x[p])).collect();
        let ys: Vec<f64> = (0..inner)
            .map(|_| nonlinear(&conditional(&fixed, &mut rng)))
            .collect();
        let m2 = ys.iter().sum::<f64>() / inner as f64;
        inner_vars_total
            .push(ys.iter().map(|y| (y - m2).powi(2)).sum::<f64>() / (inner - 1) as f64);
    }
    let grand = means.iter().sum::<f64>() / outer as f64;
    let var_of_means = means.iter().map(|m| (m - grand).powi(2)).sum::<f64>() / (outer - 1) as f64;
    // The means carry inner sampling noise: subtract its expected share.
    let noise = inner_vars_first.iter().sum::<f64>() / outer as f64 / inner as f64;
    let first = (var_of_means - noise) / total_var;
    let total = inner_vars_total.iter().sum::<f64>() / outer as f64 / total_var;
    (first, total)
}

#[test]
fn a_nonlinear_model_agrees_with_a_brute_force_double_loop() {
    let ix = indices(3, &R, nonlinear);
    for (i, x) in ix.iter().enumerate() {
        let (first, total) = brute_force(i);
        // Brute force error about 0.01–0.02 at these loop sizes.
        assert!(
            (x.0 - first).abs() <= 2.0 * x.1 + 0.03,
            "S{i}: {} ± {} vs brute force {first}",
            x.0,
            x.1
        );
        assert!(
            (x.2 - total).abs() <= 2.0 * x.3 + 0.03,
            "ST{i}: {} ± {} vs brute force {total}",
            x.2,
            x.3
        );
    }
}

#[test]
fn the_sobol_sample_size_is_bounded_by_the_sequence() {
    let out = tempfile::TempDir::new().unwrap();
    assert_cmd::Command::cargo_bin("kjproj")
        .unwrap()
        .args([
            "run",
            concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/fine_chem.toml"),
        ])
        .args(["--sobol", "10000000", "--out"])
        .arg(out.path().join("o"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--sobol 10000000 is more than the 65536 base samples the Sobol' sequence has",
        ));
}

#[test]
fn both_designs_at_once_are_each_design_alone_bit_for_bit() {
    // Sharing the bootstrap must change no estimate and no interval: with every row kept
    // (one pass for both designs), and with a model that cannot be run on part of its
    // inputs, which leaves out different rows in the two designs (a pass each). Two
    // outputs, three inputs, a negative correlation; a sample in one chunk of rows and
    // one in four (the unit of parallel work: 2,048 rows for three inputs).
    let r = [1.0, -0.5, 0.2, -0.5, 1.0, 0.0, 0.2, 0.0, 1.0];
    let model = |fails: bool| {
        move |_: &mut (), u: &[f64], out: &mut [f64]| {
            let x: Vec<f64> = u.iter().map(|&p| std_normal_quantile(p)).collect();
            out[0] = nonlinear(&x);
            out[1] = x[0] * x[1] + x[2];
            !(fails && x[0] > 1.8)
        }
    };
    let bits = |e: &kjproj::sensitivity::sobol::Estimate| -> Vec<u64> {
        e.indices
            .iter()
            .flatten()
            .flat_map(|i| [i.first, i.first_conf, i.total, i.total_conf])
            .map(f64::to_bits)
            .collect()
    };
    for (fails, n) in [(false, 2048), (true, 2048), (false, 8192), (true, 8192)] {
        let s = settings(n);
        let alone = estimate(3, 2, s, || (), model(fails));
        let correlated = estimate_correlated(3, 2, s, &r, || (), model(fails)).unwrap();
        let (both, both_correlated) = estimate_both(3, 2, s, Some(&r), || (), model(fails));
        let both_correlated = both_correlated.unwrap();
        assert_eq!(bits(&both), bits(&alone), "independent, failing: {fails}");
        assert_eq!(
            bits(&both_correlated),
            bits(&correlated),
            "correlated, failing: {fails}"
        );
        assert_eq!((both.rows, both.dropped), (alone.rows, alone.dropped));
        assert_eq!(
            (both_correlated.rows, both_correlated.dropped),
            (correlated.rows, correlated.dropped)
        );
        if fails {
            assert!(alone.dropped > 0 && alone.rows != correlated.rows);
        } else {
            assert_eq!(alone.dropped, 0);
        }
        let (only, none) = estimate_both(3, 2, s, None, || (), model(fails));
        assert_eq!(bits(&only), bits(&alone));
        assert!(none.is_none());
    }
}
