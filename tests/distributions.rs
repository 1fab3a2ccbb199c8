//! Distributions, sampling and rank correlation, checked against independent values:
//! closed forms, or scipy 1.17.1 (`scipy.stats` / `scipy.special`, Python 3) where noted.
//! No expected value here comes from kjproj itself.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

use approx::assert_relative_eq;
use kjproj::stats::correlation::{CorrelationMatrix, iman_conover, spearman};
use kjproj::stats::distribution::{Distribution, DistributionError, Z95, std_normal_quantile};
use kjproj::stats::sampling::{Method, chunk_rng, uniforms, uniforms_for};
use proptest::prelude::*;
use rand::Rng;

/// The probabilities at which scipy reference quantiles were computed.
const PS: [f64; 7] = [0.01, 0.05, 0.1, 0.5, 0.9, 0.95, 0.99];

fn ok(d: Result<Distribution, DistributionError>) -> Distribution {
    match d {
        Ok(d) => d,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

/// Checks `quantile` (exact path) to `exact_tol` and `sampler().at` (fast path) to
/// `fast_tol`, both relative, at every p in PS.
fn check_quantiles(d: &Distribution, expected: [f64; 7], exact_tol: f64, fast_tol: f64) {
    let q = d.sampler();
    for (p, want) in PS.into_iter().zip(expected) {
        assert_relative_eq!(d.quantile(p), want, max_relative = exact_tol);
        assert_relative_eq!(q.at(p), want, max_relative = fast_tol);
    }
}

// ---------------------------------------------------------------------------------------
// Normal
// ---------------------------------------------------------------------------------------

#[test]
fn normal_percentiles_are_mean_plus_z_sd() {
    let d = ok(Distribution::normal(350.0, 20.0));
    let q = d.sampler();
    // z(0.95) = 1.6448536269514722, the textbook value (= scipy.stats.norm.ppf(0.95)).
    for quantile in [d.quantile(0.95), q.at(0.95)] {
        assert_relative_eq!(
            quantile,
            350.0 + 1.644_853_626_951_472_2 * 20.0,
            max_relative = 1e-15
        );
    }
    for quantile in [d.quantile(0.05), q.at(0.05)] {
        assert_relative_eq!(
            quantile,
            350.0 - 1.644_853_626_951_472_2 * 20.0,
            max_relative = 1e-15
        );
    }
    assert_eq!(d.quantile(0.5), 350.0);
    assert_eq!(q.at(0.5), 350.0);
    assert_eq!(d.mean(), 350.0);
    assert_eq!(Z95, 1.644_853_626_951_472_2);
}

#[test]
fn standard_normal_quantile_matches_scipy() {
    // scipy.stats.norm.ppf at PS, then 1e-10, 1e-300 and 0.3.
    let expected = [
        -2.326_347_874_040_840_8,
        -1.644_853_626_951_472_9,
        -1.281_551_565_544_600_4,
        0.0,
        1.281_551_565_544_600_4,
        1.644_853_626_951_472_2,
        2.326_347_874_040_840_8,
    ];
    for (p, want) in PS.into_iter().zip(expected) {
        assert_relative_eq!(std_normal_quantile(p), want, max_relative = 1e-15);
    }
    assert_relative_eq!(
        std_normal_quantile(1e-10),
        -6.361_340_902_404_056,
        max_relative = 1e-15
    );
    assert_relative_eq!(
        std_normal_quantile(1e-300),
        -37.047_096_299_361_2,
        max_relative = 1e-15
    );
    assert_relative_eq!(
        std_normal_quantile(0.3),
        -0.524_400_512_708_040_9,
        max_relative = 1e-15
    );
    assert_eq!(std_normal_quantile(0.0), f64::NEG_INFINITY);
    assert_eq!(std_normal_quantile(1.0), f64::INFINITY);
    assert!(std_normal_quantile(f64::NAN).is_nan());
}

#[test]
fn normal_cdf_matches_scipy() {
    let d = ok(Distribution::normal(350.0, 20.0));
    // scipy.stats.norm.cdf([330, 350, 390], 350, 20)
    assert_relative_eq!(d.cdf(330.0), 0.158_655_253_931_457_07, max_relative = 1e-14);
    assert_eq!(d.cdf(350.0), 0.5);
    assert_relative_eq!(d.cdf(390.0), 0.977_249_868_051_820_8, max_relative = 1e-14);
}

#[test]
fn normal_interval_has_the_given_p5_and_p95() {
    let d = ok(Distribution::normal_interval(300.0, 400.0));
    let q = d.sampler();
    for quantile in [d.quantile(0.05), q.at(0.05)] {
        assert_relative_eq!(quantile, 300.0, max_relative = 1e-14);
    }
    for quantile in [d.quantile(0.95), q.at(0.95)] {
        assert_relative_eq!(quantile, 400.0, max_relative = 1e-14);
    }
    match d {
        Distribution::Normal { mean, sd } => {
            assert_eq!(mean, 350.0);
            // 100 / (2 · 1.6448536269514722), computed in Python.
            assert_relative_eq!(sd, 30.397_841_595_588_456, max_relative = 1e-15);
        }
        other => panic!("expected a normal distribution, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Lognormal
// ---------------------------------------------------------------------------------------

#[test]
fn lognormal_median_is_exp_mu() {
    let d = Distribution::LogNormal {
        mu: 5.0,
        sigma: 0.3,
    };
    // exp(5) = 148.4131591025766
    assert_relative_eq!(d.quantile(0.5), 148.413_159_102_576_6, max_relative = 1e-15);
    assert_relative_eq!(
        d.sampler().at(0.5),
        148.413_159_102_576_6,
        max_relative = 1e-15
    );
}

#[test]
fn lognormal_from_mean_and_sd_matches_scipy() {
    let d = ok(Distribution::lognormal(350.0, 20.0));
    // The requested mean, by the closed form exp(mu + sigma²/2).
    assert_relative_eq!(d.mean(), 350.0, max_relative = 1e-14);
    match d {
        Distribution::LogNormal { mu, sigma } => {
            // sigma = sqrt(ln(1 + (20/350)²)), mu = ln 350 − sigma²/2 (numpy).
            assert_relative_eq!(mu, 5.856_303_161_189_855, max_relative = 1e-15);
            assert_relative_eq!(sigma, 0.057_096_292_236_952_32, max_relative = 1e-14);
        }
        other => panic!("expected a lognormal distribution, got {other:?}"),
    }
    // scipy.stats.lognorm(s=sigma, scale=exp(mu)).ppf(PS)
    let expected = [
        305.967_021_457_212_35,
        318.107_099_773_273_26,
        324.774_572_468_095_24,
        349.429_967_048_391_5,
        375.957_085_998_273,
        383.837_084_926_636_7,
        399.066_870_965_095_5,
    ];
    check_quantiles(&d, expected, 1e-13, 1e-13);
    // scipy ... .cdf([330, 350, 390])
    assert_relative_eq!(d.cdf(330.0), 0.158_171_703_764_850_24, max_relative = 1e-12);
    assert_relative_eq!(d.cdf(350.0), 0.511_387_515_694_887_4, max_relative = 1e-12);
    assert_relative_eq!(d.cdf(390.0), 0.972_812_071_942_609_5, max_relative = 1e-12);
    assert_eq!(d.cdf(-1.0), 0.0);
}

#[test]
fn skewed_lognormal_matches_scipy() {
    let d = ok(Distribution::lognormal(1.0, 2.0));
    assert_relative_eq!(d.mean(), 1.0, max_relative = 1e-14);
    // scipy.stats.lognorm(s=sqrt(ln 5), scale=exp(−ln(5)/2)).ppf(PS)
    let expected = [
        0.023_376_870_659_017_98,
        0.055_496_247_185_054_914,
        0.087_989_154_430_491_81,
        0.447_213_595_499_958,
        2.273_007_409_771_083_5,
        3.603_847_289_585_01,
        8.555_465_054_209_343,
    ];
    check_quantiles(&d, expected, 1e-13, 1e-13);
}

#[test]
fn lognormal_interval_has_the_given_p5_and_p95() {
    let d = ok(Distribution::lognormal_interval(300.0, 400.0));
    let q = d.sampler();
    for quantile in [d.quantile(0.05), q.at(0.05)] {
        assert_relative_eq!(quantile, 300.0, max_relative = 1e-13);
    }
    for quantile in [d.quantile(0.95), q.at(0.95)] {
        assert_relative_eq!(quantile, 400.0, max_relative = 1e-13);
    }
    // Median = geometric mean sqrt(300·400); mean from scipy.stats.lognorm(...).mean().
    assert_relative_eq!(
        d.quantile(0.5),
        346.410_161_513_775_45,
        max_relative = 1e-14
    );
    assert_relative_eq!(d.mean(), 347.737_257_345_629, max_relative = 1e-13);
    assert_eq!(d.support(), (0.0, f64::INFINITY));
}

// ---------------------------------------------------------------------------------------
// Triangular, uniform
// ---------------------------------------------------------------------------------------

#[test]
fn triangular_matches_scipy() {
    // scipy.stats.triang(c=(mode−min)/(max−min), loc=min, scale=max−min).ppf(PS)
    let cases = [
        (
            (40.0, 52.0, 60.0),
            [
                41.549_193_338_482_965,
                43.464_101_615_137_76,
                44.898_979_485_566_36,
                50.954_451_150_103_324,
                56.0,
                57.171_572_875_253_81,
                58.735_088_935_932_65,
            ],
        ),
        (
            (0.0, 0.0, 10.0),
            [
                0.050_125_628_933_800_35,
                0.253_205_655_191_036_66,
                0.513_167_019_494_862_3,
                2.928_932_188_134_524_5,
                6.837_722_339_831_621,
                7.763_932_022_500_209,
                9.0,
            ],
        ),
        (
            (0.0, 10.0, 10.0),
            [
                1.0,
                2.236_067_977_499_79,
                3.162_277_660_168_379_5,
                7.071_067_811_865_475_5,
                9.486_832_980_505_138,
                9.746_794_344_808_963,
                9.949_874_371_066_2,
            ],
        ),
    ];
    for ((min, mode, max), expected) in cases {
        let d = ok(Distribution::triangular(min, mode, max));
        check_quantiles(&d, expected, 1e-14, 1e-14);
    }
    let d = ok(Distribution::triangular(40.0, 52.0, 60.0));
    // scipy ... .cdf([45, 52, 55])
    assert_relative_eq!(d.cdf(45.0), 0.104_166_666_666_666_67, max_relative = 1e-14);
    assert_relative_eq!(d.cdf(52.0), 0.6, max_relative = 1e-14);
    assert_relative_eq!(d.cdf(55.0), 0.843_75, max_relative = 1e-14);
    assert_relative_eq!(d.mean(), 152.0 / 3.0, max_relative = 1e-15);
    assert_eq!(d.support(), (40.0, 60.0));
}

#[test]
fn uniform_matches_scipy() {
    let d = ok(Distribution::uniform(2.0, 7.0));
    // scipy.stats.uniform(2, 5).ppf(PS)
    let expected = [2.05, 2.25, 2.5, 4.5, 6.5, 6.75, 6.95];
    check_quantiles(&d, expected, 1e-15, 1e-15);
    assert_eq!(d.cdf(4.5), 0.5);
    assert_eq!(d.cdf(1.0), 0.0);
    assert_eq!(d.cdf(8.0), 1.0);
    assert_eq!(d.mean(), 4.5);
}

// ---------------------------------------------------------------------------------------
// PERT
// ---------------------------------------------------------------------------------------

#[test]
fn pert_matches_scipy_beta() {
    // PERT(min, mode, max) = min + (max − min)·Beta(α, β), α = 1 + 4(mode − min)/(max − min),
    // β = 1 + 4(max − mode)/(max − min); values are min + (max − min)·scipy.stats.beta.ppf(p, α, β).
    let cases = [
        (
            (40.0, 52.0, 60.0), // α = 3.4, β = 2.6
            [
                42.932_875_864_658_78,
                44.910_968_011_218_2,
                46.202_209_216_957_314,
                51.490_583_959_954_01,
                56.227_616_801_727_315,
                57.214_390_922_344_78,
                58.570_942_940_927_91,
            ],
        ),
        (
            (10.0, 11.0, 100.0), // α = 1.0444…, β = 4.9555…
            [
                10.225_194_523_373_426,
                11.070_731_101_038_842,
                12.126_997_558_780_978,
                22.376_213_485_795_8,
                44.205_508_960_277_82,
                51.548_040_430_881_83,
                65.049_904_438_318_58,
            ],
        ),
        (
            (-5.0, 0.0, 5.0), // α = β = 3
            [
                -3.943_601_564_492_256_6,
                -3.107_446_225_622_292,
                -2.533_635_467_115_334_3,
                0.0,
                2.533_635_467_115_333_4,
                3.107_446_225_622_292,
                3.943_601_564_492_256_6,
            ],
        ),
    ];
    for ((min, mode, max), expected) in cases {
        let d = ok(Distribution::pert(min, mode, max));
        let q = d.sampler();
        for (p, want) in PS.into_iter().zip(expected) {
            // Exact path: Newton on the incomplete beta function.
            assert!(
                (d.quantile(p) - want).abs() <= 1e-12 * (max - min),
                "{min},{mode},{max} p={p}"
            );
            // Fast path: the table (documented error ≤ 1e-9 of the range).
            assert!(
                (q.at(p) - want).abs() <= 1e-9 * (max - min),
                "{min},{mode},{max} p={p}"
            );
        }
    }
}

#[test]
fn pert_deep_tails_match_scipy() {
    let d = ok(Distribution::pert(40.0, 52.0, 60.0));
    let q = d.sampler();
    // 40 + 20·scipy.stats.beta.ppf([1e-6, 1e-9], 3.4, 2.6) and 40 + 20·beta.isf([1e-6, 1e-9], 3.4, 2.6).
    let cases = [
        (1e-6, 40.185_253_338_967_485),
        (1e-9, 40.024_217_902_417),
        (1.0 - 1e-6, 59.960_555_327_351_75),
        (1.0 - 1e-9, 59.997_235_536_600_71),
    ];
    for (p, want) in cases {
        // 1 − 1e-6 is not exact in binary; the rounding moves the value by < 1e-11.
        assert!(
            (d.quantile(p) - want).abs() < 1e-10,
            "p={p}: {}",
            d.quantile(p)
        );
        assert!((q.at(p) - want).abs() < 1e-9, "p={p}: {}", q.at(p));
    }
    // Far below the table (p < 2^-32), where the exact solve takes over:
    // scipy.stats.beta.ppf(1e-12, 3.4, 2.6) = 0.0001587038035703241.
    let x = (q.at(1e-12) - 40.0) / 20.0;
    assert_relative_eq!(x, 0.000_158_703_803_570_324_1, max_relative = 1e-12);
    // The upper tail: 1 − (1 − 1e-15) is 9.992007221626409e-16 in binary, and
    // scipy.stats.beta.ppf(9.992007221626409e-16, 2.6, 3.4) = 6.803230017062884e-07 is the
    // distance from max as a fraction of the range. (60 − value) only keeps ~1e-9 of it,
    // because the value itself is rounded to a multiple of ulp(60) ≈ 7e-15.
    let y = (60.0 - q.at(1.0 - 1e-15)) / 20.0;
    assert_relative_eq!(y, 6.803_230_017_062_884e-7, max_relative = 1e-8);
}

#[test]
fn pert_with_mode_at_an_end_matches_closed_form() {
    // With mode = min, α = 1 and β = 5: F(x) = 1 − (1 − x)⁵ so Q(p) = 1 − (1 − p)^(1/5);
    // with mode = max, α = 5 and β = 1: Q(p) = p^(1/5). Exact closed forms, deep tails included.
    let left = ok(Distribution::pert(0.0, 0.0, 1.0));
    let right = ok(Distribution::pert(0.0, 1.0, 1.0));
    let (ql, qr) = (left.sampler(), right.sampler());
    // The table's documented error is relative to the distance from min for p < 1/2 and
    // from max for p ≥ 1/2 (here min = 0, max = 1).
    let near = |p: f64, x: f64| if p < 0.5 { x } else { 1.0 - x };
    for p in [
        1e-9_f64,
        1e-6,
        0.001,
        0.05,
        0.3,
        0.5,
        0.7,
        0.95,
        0.999,
        1.0 - 1e-6,
    ] {
        // 1 − (1 − p)^(1/5), written to avoid cancellation for small p.
        let want_left = -((-p).ln_1p() * 0.2).exp_m1();
        let want_right = p.powf(0.2);
        assert_relative_eq!(left.quantile(p), want_left, max_relative = 1e-12);
        assert_relative_eq!(right.quantile(p), want_right, max_relative = 1e-12);
        assert!(
            (ql.at(p) - want_left).abs() <= 1e-9 * near(p, want_left),
            "p={p}"
        );
        assert!(
            (qr.at(p) - want_right).abs() <= 1e-9 * near(p, want_right),
            "p={p}"
        );
    }
    // Upper tail of the right-skewed one, as the distance from max: (1 − p)^(1/5).
    let q: f64 = 1e-9;
    let upper = 1.0 - ql.at(1.0 - q);
    assert_relative_eq!(upper, (1.0 - (1.0 - q)).powf(0.2), max_relative = 1e-9);
}

#[test]
fn pert_mean_and_cdf_match_scipy() {
    let d = ok(Distribution::pert(40.0, 52.0, 60.0));
    // (40 + 4·52 + 60)/6 = 51.333… (= 40 + 20·scipy.stats.beta.mean(3.4, 2.6))
    assert_relative_eq!(d.mean(), 308.0 / 6.0, max_relative = 1e-15);
    // scipy.stats.beta.cdf(([45, 50, 55] − 40)/20, 3.4, 2.6)
    assert_relative_eq!(d.cdf(45.0), 0.052_792_418_414_196_61, max_relative = 1e-12);
    assert_relative_eq!(d.cdf(50.0), 0.362_787_816_613_838_3, max_relative = 1e-12);
    assert_relative_eq!(d.cdf(55.0), 0.816_069_088_289_743_6, max_relative = 1e-12);
    assert_eq!(d.cdf(39.0), 0.0);
    assert_eq!(d.cdf(61.0), 1.0);
}

#[test]
fn quantiles_outside_the_unit_interval_give_the_support() {
    let pert = ok(Distribution::pert(40.0, 52.0, 60.0));
    let normal = ok(Distribution::normal(0.0, 1.0));
    let lognormal = ok(Distribution::lognormal(1.0, 1.0));
    let (qp, qn, ql) = (pert.sampler(), normal.sampler(), lognormal.sampler());
    assert_eq!((qp.at(0.0), qp.at(1.0)), (40.0, 60.0));
    assert_eq!((pert.quantile(-1.0), pert.quantile(2.0)), (40.0, 60.0));
    assert_eq!((qn.at(0.0), qn.at(1.0)), (f64::NEG_INFINITY, f64::INFINITY));
    assert_eq!((ql.at(0.0), ql.at(1.0)), (0.0, f64::INFINITY));
    assert!(qp.at(f64::NAN).is_nan());
    assert!(normal.quantile(f64::NAN).is_nan());
}

#[test]
fn descriptions_are_readable() {
    let describe = |d: Result<Distribution, DistributionError>| ok(d).describe();
    assert_eq!(
        describe(Distribution::pert(40.0, 52.0, 60.0)),
        "PERT(40, 52, 60)"
    );
    assert_eq!(
        describe(Distribution::triangular(0.5, 1.0, 2.0)),
        "triangular(0.5, 1, 2)"
    );
    assert_eq!(describe(Distribution::uniform(-1.0, 1.0)), "uniform(-1, 1)");
    // P5/P95 = 350 ∓ 1.6448536269514722·20 = 317.1029…, 382.8970…
    assert_eq!(
        describe(Distribution::normal(350.0, 20.0)),
        "normal(mean 350, sd 20; P5 317.103, P95 382.897)"
    );
    // sd = 100/(2·1.6448536269514722) = 30.3978…
    assert_eq!(
        describe(Distribution::normal_interval(300.0, 400.0)),
        "normal(mean 350, sd 30.3978; P5 300, P95 400)"
    );
    // mean, sd from scipy.stats.lognorm(...).mean()/.std(): 347.737…, 30.4676…
    assert_eq!(
        describe(Distribution::lognormal_interval(300.0, 400.0)),
        "lognormal(mean 347.737, sd 30.4676; P5 300, P95 400)"
    );
    // P5/P95 from scipy: 318.1071…, 383.8371…
    assert_eq!(
        describe(Distribution::lognormal(350.0, 20.0)),
        "lognormal(mean 350, sd 20; P5 318.107, P95 383.837)"
    );
}

// ---------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------

/// The error's field, and that its message contains every one of `words`.
fn assert_error(result: Result<Distribution, DistributionError>, field: &str, words: &[&str]) {
    match result {
        Ok(d) => panic!("expected an error on {field}, got {d:?}"),
        Err(e) => {
            assert_eq!(e.field, field, "wrong field in: {}", e.message);
            for w in words {
                assert!(
                    e.message.contains(w),
                    "{:?} should mention {w:?}",
                    e.message
                );
            }
            assert_eq!(e.to_string(), e.message);
        }
    }
}

#[test]
fn bad_parameters_name_the_field() {
    use Distribution as D;
    assert_error(
        D::uniform(60.0, 40.0),
        "max",
        &["min (60) must be below max (40)"],
    );
    assert_error(
        D::uniform(5.0, 5.0),
        "max",
        &["min (5) must be below max (5)", "plain number"],
    );
    assert_error(
        D::triangular(60.0, 50.0, 40.0),
        "max",
        &["min (60) must be below max (40)"],
    );
    assert_error(
        D::triangular(40.0, 70.0, 60.0),
        "mode",
        &["mode (70) must be between min (40) and max (60)"],
    );
    assert_error(D::pert(40.0, 30.0, 60.0), "mode", &["mode (30)", "between"]);
    assert_error(D::pert(40.0, 61.0, 60.0), "mode", &["mode (61)"]);
    assert_error(D::pert(60.0, 50.0, 40.0), "max", &["below"]);
    assert_error(D::normal(0.0, -1.0), "sd", &["sd (-1) must be above 0"]);
    assert_error(D::normal(0.0, 0.0), "sd", &["above 0"]);
    assert_error(
        D::normal_interval(400.0, 300.0),
        "high",
        &["low (400) must be below high (300)"],
    );
    assert_error(D::lognormal(-5.0, 1.0), "mean", &["mean (-5)", "positive"]);
    assert_error(D::lognormal(0.0, 1.0), "mean", &["positive"]);
    assert_error(D::lognormal(5.0, 0.0), "sd", &["above 0"]);
    assert_error(D::lognormal(5.0, -2.0), "sd", &["above 0"]);
    assert_error(
        D::lognormal_interval(0.0, 10.0),
        "low",
        &["low (0)", "positive"],
    );
    assert_error(D::lognormal_interval(-1.0, 10.0), "low", &["positive"]);
    assert_error(
        D::lognormal_interval(5.0, -1.0),
        "high",
        &["high (-1)", "positive"],
    );
    assert_error(D::lognormal_interval(10.0, 5.0), "high", &["below"]);
}

#[test]
fn non_finite_parameters_name_the_field() {
    use Distribution as D;
    let (nan, inf) = (f64::NAN, f64::INFINITY);
    assert_error(D::uniform(nan, 1.0), "min", &["finite", "NaN"]);
    assert_error(D::uniform(0.0, inf), "max", &["finite", "inf"]);
    assert_error(D::triangular(0.0, nan, 1.0), "mode", &["finite"]);
    assert_error(D::pert(-inf, 0.5, 1.0), "min", &["finite"]);
    assert_error(D::pert(0.0, 0.5, inf), "max", &["finite"]);
    assert_error(D::normal(inf, 1.0), "mean", &["finite"]);
    assert_error(D::normal(0.0, nan), "sd", &["finite"]);
    assert_error(D::normal_interval(nan, 1.0), "low", &["finite"]);
    assert_error(D::normal_interval(0.0, -inf), "high", &["finite"]);
    assert_error(D::lognormal(nan, 1.0), "mean", &["finite"]);
    assert_error(D::lognormal(1.0, inf), "sd", &["finite"]);
    assert_error(D::lognormal_interval(1.0, nan), "high", &["finite"]);
    // Finite bounds whose range overflows.
    assert_error(D::uniform(-1e308, 1e308), "max", &["too wide"]);
}

// ---------------------------------------------------------------------------------------
// Sampling
// ---------------------------------------------------------------------------------------

#[test]
fn latin_hypercube_hits_each_stratum_once() {
    let n = 1000;
    let columns = uniforms(Method::LatinHypercube, n, 4, &mut chunk_rng(42, 0));
    assert_eq!(columns.len(), 4);
    for column in &columns {
        assert_eq!(column.len(), n);
        let mut sorted = column.clone();
        sorted.sort_by(f64::total_cmp);
        for (i, &u) in sorted.iter().enumerate() {
            let (lo, hi) = (i as f64 / n as f64, (i + 1) as f64 / n as f64);
            assert!(u >= lo && u < hi, "stratum {i}: {u}");
            assert!(u > 0.0 && u < 1.0);
        }
    }
    // Strata are shuffled independently per column.
    assert_ne!(columns[0], columns[1]);
}

#[test]
fn ordered_columns_are_the_same_values_in_stratum_order() {
    // Under Latin hypercube a column asked for in order holds the values of the column
    // drawn in row order, sorted, bit for bit; the other columns and the generator's state
    // afterwards are as without the order; plain random columns are never reordered.
    for (method, n) in [
        (Method::LatinHypercube, 1000),
        (Method::LatinHypercube, 1),
        (Method::Random, 300),
    ] {
        let ordered = [false, true, false, true];
        let (mut a, mut b) = (chunk_rng(11, 2), chunk_rng(11, 2));
        let plain = uniforms(method, n, ordered.len(), &mut a);
        let sorted = uniforms_for(method, n, &ordered, &mut b);
        for (c, (p, s)) in plain.iter().zip(&sorted).enumerate() {
            let mut expected = p.clone();
            if ordered[c] && method == Method::LatinHypercube {
                expected.sort_by(f64::total_cmp);
            }
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(s), bits(&expected), "{method:?} {n} column {c}");
        }
        assert_eq!(
            a.next_u64(),
            b.next_u64(),
            "{method:?}: the streams continue alike"
        );
    }
}

#[test]
fn random_uniforms_are_in_the_open_interval() {
    let columns = uniforms(Method::Random, 10_000, 3, &mut chunk_rng(1, 0));
    assert_eq!(columns.len(), 3);
    for column in &columns {
        assert_eq!(column.len(), 10_000);
        assert!(column.iter().all(|&u| u > 0.0 && u < 1.0));
        // Mean of 10,000 uniforms: 0.5 ± 0.0029 (1 sd); 0.015 is > 5 sd.
        let mean = column.iter().sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.015, "{mean}");
    }
}

#[test]
fn sampling_is_reproducible_and_chunks_differ() {
    for method in [Method::Random, Method::LatinHypercube] {
        let a = uniforms(method, 500, 2, &mut chunk_rng(7, 3));
        let b = uniforms(method, 500, 2, &mut chunk_rng(7, 3));
        let other_chunk = uniforms(method, 500, 2, &mut chunk_rng(7, 4));
        let other_seed = uniforms(method, 500, 2, &mut chunk_rng(8, 3));
        assert_eq!(a, b);
        assert_ne!(a, other_chunk);
        assert_ne!(a, other_seed);
    }
    // Chunk generators are independent of the order they are created in.
    let mut late = chunk_rng(7, 3);
    let _ = uniforms(Method::Random, 10, 1, &mut chunk_rng(7, 2));
    assert_eq!(
        uniforms(Method::Random, 5, 1, &mut late),
        uniforms(Method::Random, 5, 1, &mut chunk_rng(7, 3))
    );
}

#[test]
fn empty_requests_give_empty_columns() {
    assert!(uniforms(Method::LatinHypercube, 10, 0, &mut chunk_rng(0, 0)).is_empty());
    assert_eq!(
        uniforms(Method::LatinHypercube, 0, 2, &mut chunk_rng(0, 0)),
        vec![Vec::<f64>::new(); 2]
    );
}

// ---------------------------------------------------------------------------------------
// Monotone quantiles (property test)
// ---------------------------------------------------------------------------------------

/// Any valid distribution, with a wide spread of locations and scales.
fn any_distribution() -> impl Strategy<Value = Distribution> {
    let bounds = (-1e6..1e6_f64, 1e-3..1e6_f64, 0.0..=1.0_f64);
    prop_oneof![
        (-1e6..1e6_f64, 1e-3..1e6_f64)
            .prop_map(|(min, w)| Distribution::Uniform { min, max: min + w }),
        bounds
            .clone()
            .prop_map(|(min, w, f)| Distribution::Triangular {
                min,
                mode: min + f * w,
                max: min + w
            }),
        bounds.prop_map(|(min, w, f)| Distribution::Pert {
            min,
            mode: min + f * w,
            max: min + w
        }),
        (-1e6..1e6_f64, 1e-3..1e5_f64).prop_map(|(mean, sd)| Distribution::Normal { mean, sd }),
        (-10.0..10.0_f64, 1e-3..3.0_f64)
            .prop_map(|(mu, sigma)| Distribution::LogNormal { mu, sigma }),
    ]
}

/// Probabilities spread over the whole of (0, 1), tails included.
fn any_p() -> impl Strategy<Value = f64> {
    prop_oneof![
        1e-12..1.0_f64 - 1e-12,
        (0.0..40.0_f64).prop_map(|t| (-t).exp2() * 0.5),
        (0.0..40.0_f64).prop_map(|t| 1.0 - (-t).exp2() * 0.5),
    ]
    .prop_filter("open unit interval", |&p| p > 0.0 && p < 1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn quantile_is_monotone(d in any_distribution(), p1 in any_p(), p2 in any_p()) {
        let (lo, hi) = if p1 <= p2 { (p1, p2) } else { (p2, p1) };
        let q = d.sampler();
        prop_assert!(d.quantile(lo) <= d.quantile(hi), "{d:?}: Q({lo}) > Q({hi})");
        prop_assert!(q.at(lo) <= q.at(hi), "{d:?}: sampler({lo}) > sampler({hi})");
        let (s_lo, s_hi) = d.support();
        prop_assert!(q.at(lo) >= s_lo && q.at(hi) <= s_hi);
    }

    #[test]
    fn sampler_agrees_with_quantile(d in any_distribution(), p in any_p()) {
        let (exact, fast) = (d.quantile(p), d.sampler().at(p));
        // Bounded: within 1e-9 of the range; unbounded: relative.
        let (lo, hi) = d.support();
        let scale = if lo.is_finite() && hi.is_finite() { hi - lo } else { exact.abs().max(1e-300) };
        prop_assert!((exact - fast).abs() <= 1e-9 * scale, "{d:?} p={p}: {exact} vs {fast}");
    }

    #[test]
    fn cdf_inverts_quantile(d in any_distribution(), p in 1e-6..1.0_f64 - 1e-6) {
        let x = d.quantile(p);
        prop_assert!((d.cdf(x) - p).abs() <= 1e-9, "{d:?}: cdf(Q({p})) = {}", d.cdf(x));
    }
}

// ---------------------------------------------------------------------------------------
// Correlation
// ---------------------------------------------------------------------------------------

fn matrix(rows: &[&[f64]]) -> Vec<Vec<f64>> {
    rows.iter().map(|r| r.to_vec()).collect()
}

/// Three sampled columns of 20,000: normal(0, 1), lognormal(mean 1, sd 2), PERT(40, 52, 60).
fn three_columns(seed: u64) -> Vec<Vec<f64>> {
    let n = 20_000;
    let dists = [
        ok(Distribution::normal(0.0, 1.0)),
        ok(Distribution::lognormal(1.0, 2.0)),
        ok(Distribution::pert(40.0, 52.0, 60.0)),
    ];
    let mut columns = uniforms(Method::LatinHypercube, n, 3, &mut chunk_rng(seed, 0));
    for (column, d) in columns.iter_mut().zip(&dists) {
        let q = d.sampler();
        column.iter_mut().for_each(|x| *x = q.at(*x));
    }
    columns
}

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s
}

#[test]
fn iman_conover_reaches_the_target_rank_correlations() {
    let target = match CorrelationMatrix::new(&matrix(&[
        &[1.0, 0.7, -0.3],
        &[0.7, 1.0, 0.2],
        &[-0.3, 0.2, 1.0],
    ])) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let mut columns = three_columns(5);
    let before: Vec<Vec<f64>> = columns.iter().map(|c| sorted(c)).collect();
    iman_conover(&mut columns, &target, &mut chunk_rng(5, 1));
    // Marginals unchanged: same values, only reordered.
    for (column, original) in columns.iter().zip(&before) {
        assert_eq!(&sorted(column), original);
    }
    for (i, j) in [(0, 1), (0, 2), (1, 2)] {
        let achieved = spearman(&columns[i], &columns[j]);
        let wanted = target.get(i, j);
        assert!(
            (achieved - wanted).abs() < 0.02,
            "({i},{j}): {achieved} vs {wanted}"
        );
    }
    // Deterministic for a given generator state.
    let mut again = three_columns(5);
    iman_conover(&mut again, &target, &mut chunk_rng(5, 1));
    assert_eq!(again, columns);
}

#[test]
fn identity_target_leaves_columns_uncorrelated() {
    let mut columns = three_columns(9);
    iman_conover(
        &mut columns,
        &CorrelationMatrix::identity(3),
        &mut chunk_rng(9, 1),
    );
    for (i, j) in [(0, 1), (0, 2), (1, 2)] {
        let r = spearman(&columns[i], &columns[j]);
        assert!(r.abs() < 0.02, "({i},{j}): {r}");
    }
    let explicit = match CorrelationMatrix::new(&matrix(&[&[1.0, 0.0], &[0.0, 1.0]])) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(explicit, CorrelationMatrix::identity(2));
}

#[test]
fn spearman_averages_tied_ranks() {
    // scipy.stats.spearmanr([1,2,2,3,4,4,4,5], [2,1,3,3,5,4,6,6]).statistic
    let r = spearman(
        &[1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 4.0, 5.0],
        &[2.0, 1.0, 3.0, 3.0, 5.0, 4.0, 6.0, 6.0],
    );
    assert_relative_eq!(r, 0.900_777_510_540_147_7, max_relative = 1e-12);
}

/// The error for `rows`, which must be invalid.
fn matrix_error(rows: &[&[f64]]) -> kjproj::stats::correlation::CorrelationError {
    match CorrelationMatrix::new(&matrix(rows)) {
        Ok(m) => panic!("expected an error, got {m:?}"),
        Err(e) => e,
    }
}

#[test]
fn invalid_matrices_are_explained() {
    let e = matrix_error(&[&[1.0, 0.5], &[0.5]]);
    assert_eq!((e.row, e.column), (Some(1), None));
    assert!(e.message.contains("square"), "{}", e.message);

    let e = matrix_error(&[&[1.0, 0.5], &[0.4, 1.0]]);
    assert_eq!((e.row, e.column), (Some(1), Some(0)));
    assert!(e.message.contains("symmetric"), "{}", e.message);

    let e = matrix_error(&[&[1.0, 0.5], &[0.5, 0.9]]);
    assert_eq!((e.row, e.column), (Some(1), Some(1)));
    assert!(e.message.contains("must be 1"), "{}", e.message);

    let e = matrix_error(&[&[1.0, 1.5], &[1.5, 1.0]]);
    assert_eq!((e.row, e.column), (Some(0), Some(1)));
    assert!(
        e.message.contains("1.5") && e.message.contains("between -1 and 1"),
        "{}",
        e.message
    );

    let e = matrix_error(&[&[1.0, f64::NAN], &[f64::NAN, 1.0]]);
    assert_eq!((e.row, e.column), (Some(0), Some(1)));
    assert!(e.message.contains("finite"), "{}", e.message);

    // Eigenvalues −0.8, 1.9, 1.9 (numpy.linalg.eigvalsh).
    let e = matrix_error(&[&[1.0, 0.9, -0.9], &[0.9, 1.0, 0.9], &[-0.9, 0.9, 1.0]]);
    assert_eq!((e.row, e.column), (None, None));
    assert!(
        e.message.contains("not a valid correlation matrix"),
        "{}",
        e.message
    );
    assert!(e.message.contains("not positive definite"), "{}", e.message);
    assert!(e.message.contains("-0.8"), "{}", e.message);

    // Singular: two inputs perfectly correlated.
    let e = matrix_error(&[&[1.0, 1.0], &[1.0, 1.0]]);
    assert!(e.message.contains("not positive definite"), "{}", e.message);

    let e = matrix_error(&[]);
    assert!(e.message.contains("empty"), "{}", e.message);
}

#[test]
fn valid_matrix_reports_its_entries() {
    let m = match CorrelationMatrix::new(&matrix(&[
        &[1.0, 0.7, -0.3],
        &[0.7, 1.0, 0.2],
        &[-0.3, 0.2, 1.0],
    ])) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(m.size(), 3);
    assert_eq!(m.get(0, 1), 0.7);
    assert_eq!(m.get(2, 0), -0.3);
    assert_eq!(m.get(1, 1), 1.0);
}

#[test]
fn samplers_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync + Clone>() {}
    shareable::<kjproj::stats::distribution::Quantile>();
    shareable::<CorrelationMatrix>();
    shareable::<Distribution>();
}

#[test]
fn student_t_matches_scipy_exactly_and_through_the_sampler() {
    // scipy.stats.t.ppf(p, dof), scipy 1.17.1.
    let ps = [1e-9, 0.001, 0.05, 0.3, 0.49, 0.5001, 0.8, 0.95, 0.999];
    let reference: [(f64, [f64; 9]); 5] = [
        (
            1.0,
            [
                -318309886.1837907,
                -318.30883898555044,
                -6.313751514675044,
                -0.7265425280053609,
                -0.03142626604335125,
                0.0003141592756945358,
                1.3763819204711738,
                6.313751514675037,
                318.30883898555015,
            ],
        ),
        (
            2.5,
            [
                -3489.583395369981,
                -13.822193110865964,
                -2.5582186141359364,
                -0.597307738252318,
                -0.02764384133184011,
                0.0002763891391802735,
                1.0101638747222512,
                2.5582186141359355,
                13.82219311086596,
            ],
        ),
        (
            4.0,
            [
                -234.02761040611892,
                -7.1731822197823085,
                -2.131846786326651,
                -0.5686490630497053,
                -0.02667061830264906,
                0.00026666667103737794,
                0.9409645772351816,
                2.1318467863266495,
                7.173182219782307,
            ],
        ),
        (
            7.0,
            [
                -38.70598064323161,
                -4.785289628638334,
                -1.8945786050900066,
                -0.5491096579472854,
                -0.025977941569516962,
                0.00025974603090261677,
                0.8960296443137653,
                1.8945786050900062,
                4.785289628638333,
            ],
        ),
        (
            30.0,
            [
                -8.445862796274243,
                -3.385184866829305,
                -1.6972608865939574,
                -0.5300190039065046,
                -0.025278783971765764,
                0.0002527600253933647,
                0.8537672614712979,
                1.697260886593957,
                3.3851848668293045,
            ],
        ),
    ];
    for (dof, expected) in reference {
        let d = Distribution::StudentT { dof };
        let sampler = d.sampler();
        for (p, e) in ps.iter().zip(expected) {
            // The Beta inversion converges to ~1e-9 relative, so t keeps about 8 digits at the median.
            assert_relative_eq!(d.quantile(*p), e, max_relative = 1e-8);
            // The table: 1e-9 of the Beta variable, which near the median is ~1e-8 of t.
            assert_relative_eq!(sampler.at(*p), e, max_relative = 1e-7);
        }
        assert_eq!(d.quantile(0.5), 0.0);
    }
    // scipy.stats.t.cdf(-2, 7), t.cdf(1.3, 4)
    assert_relative_eq!(
        Distribution::StudentT { dof: 7.0 }.cdf(-2.0),
        0.042809664281488025,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        Distribution::StudentT { dof: 4.0 }.cdf(1.3),
        0.868274201764388,
        max_relative = 1e-12
    );
}

/// A worker draws chunk after chunk in the memory of the chunk before (columns, Latin
/// hypercube strata, Iman–Conover's scores and sorts): every chunk's inputs are, bit for
/// bit, those drawn in fresh memory, whatever the chunks' lengths and order (a longer
/// chunk after a shorter one, a shorter after a longer) and for either sampling method.
#[test]
fn chunks_drawn_in_reused_memory_are_the_chunks_drawn_afresh() {
    use kjproj::sensitivity::monte_carlo::{Scratch, draw_inputs, draw_inputs_in, samplers};
    let scenario = kjproj::scenario::load(std::path::Path::new("scenarios/fine_chem.toml"))
        .expect("fine_chem loads");
    let q = samplers(&scenario);
    let bits = |columns: &[Vec<f64>]| -> Vec<Vec<u64>> {
        columns
            .iter()
            .map(|c| c.iter().map(|x| x.to_bits()).collect())
            .collect()
    };
    for method in [Method::LatinHypercube, Method::Random] {
        let mut scratch = Scratch::default();
        for (chunk, n) in [
            (0, 5_000),
            (1, 700),
            (2, 5_000),
            (3, 9_001),
            (4, 2),
            (5, 3_000),
        ] {
            draw_inputs_in(&scenario, &q, method, 11, chunk, n, &mut scratch);
            let fresh = draw_inputs(&scenario, &q, method, 11, chunk, n);
            assert_eq!(fresh.len(), 5);
            assert!(fresh.iter().all(|c| c.len() == n));
            assert_eq!(
                bits(&scratch.columns),
                bits(&fresh),
                "{method:?}, chunk {chunk}"
            );
        }
    }
}
