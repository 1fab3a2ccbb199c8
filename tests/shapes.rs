//! Growth shapes against independently computed values and properties over random inputs.
//!
//! Reference values come from outside kjproj: Excel's RRI, SciPy 1.17's
//! `PchipInterpolator`, and closed forms (Prophet's logistic `C / (1 + e^{-k(t-m)})`,
//! Gompertz `C·exp(-b·e^{-c t})`) evaluated in Python from their own parameters.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

use approx::assert_relative_eq;
use kjproj::model::shape::{Curve, CurveError, CurveKind, Positions, cagr};
use proptest::prelude::*;

fn curve(kind: CurveKind, points: &[(f64, f64)]) -> Curve {
    Curve::new(kind, points).expect("valid curve")
}

#[test]
fn cagr_matches_excel_rri() {
    // Excel: RRI(8, 160, 350) = 0.102792 (10.279%; exactly (350/160)^(1/8) - 1 =
    // 0.1027917480...); RRI(5, 100, 200) = 0.1487 (= 2^(1/5) - 1 = 0.148698355).
    assert_relative_eq!(
        cagr(160.0, 350.0, 8.0).unwrap(),
        0.102_791_748_04,
        epsilon = 1e-10
    );
    assert_relative_eq!(
        cagr(100.0, 200.0, 5.0).unwrap(),
        0.148_698_355,
        epsilon = 1e-9
    );
    // The seed's sales: 9.4 → 52 over 2023–2031 is about 23.84% a year.
    assert_relative_eq!(cagr(9.4, 52.0, 8.0).unwrap(), 0.238_4, epsilon = 1e-4);
    assert_eq!(cagr(0.0, 1.0, 3.0), None);
    assert_eq!(cagr(1.0, 2.0, 0.0), None);
}

#[test]
fn cagr_curve_grows_at_the_rri_rate() {
    let c = curve(CurveKind::Cagr, &[(2023.0, 160.0), (2031.0, 350.0)]);
    let rate = 0.102_791_748_04;
    for (i, year) in (2023..=2031).enumerate() {
        let expected = 160.0 * (1.0_f64 + rate).powi(i as i32);
        assert_relative_eq!(c.value(f64::from(year)), expected, max_relative = 1e-6);
    }
}

#[test]
fn linear_curve_is_a_straight_line() {
    let c = curve(CurveKind::Linear, &[(2020.0, 7.0), (2024.0, 34.0)]);
    assert_relative_eq!(c.value(2022.0), 20.5, epsilon = 1e-12);
    assert_relative_eq!(c.value(2021.0), 13.75, epsilon = 1e-12);
}

#[test]
fn logistic_matches_prophet_parametrisation() {
    // C = 100 through (2023, 9.4) and (2031, 52): k = 0.293223403930814,
    // m = 2030.7270248329412; values of C / (1 + exp(-k (t - m))) computed in Python.
    let expected = [
        9.4,
        12.211835141979412,
        15.718848527026804,
        20.0035210186551,
        25.108181405915992,
        31.010520499131744,
        37.60368659652751,
        44.69057506104242,
        52.0,
    ];
    let c = curve(CurveKind::Logistic(100.0), &[(2023.0, 9.4), (2031.0, 52.0)]);
    for (i, e) in expected.iter().enumerate() {
        assert_relative_eq!(c.value(2023.0 + i as f64), *e, max_relative = 1e-11);
    }
}

#[test]
fn gompertz_matches_closed_form() {
    // C = 100 through (2023, 9.4) and (2031, 52): b = ln(C/9.4) = 2.364460496712133,
    // c = 0.16066378064267725; values of C exp(-b exp(-c (t - 2023))) computed in Python.
    let expected = [
        9.4,
        13.351741702737515,
        18.002260225079763,
        23.21948765731031,
        28.83857770881769,
        34.68369967285131,
        40.58642193372904,
        46.39867116121042,
        52.0,
    ];
    let c = curve(CurveKind::Gompertz(100.0), &[(2023.0, 9.4), (2031.0, 52.0)]);
    for (i, e) in expected.iter().enumerate() {
        assert_relative_eq!(c.value(2023.0 + i as f64), *e, max_relative = 1e-11);
    }
}

#[test]
fn pchip_matches_scipy() {
    // scipy.interpolate.PchipInterpolator([2023, 2025, 2028, 2031], [160, 200, 210, 350]).
    let expected = [
        160.0,
        185.16666666666666,
        200.0,
        203.87654320987656,
        205.97530864197532,
        210.0,
        233.87654320987653,
        284.71604938271605,
        350.0,
    ];
    let c = curve(
        CurveKind::Pchip,
        &[
            (2023.0, 160.0),
            (2025.0, 200.0),
            (2028.0, 210.0),
            (2031.0, 350.0),
        ],
    );
    for (i, e) in expected.iter().enumerate() {
        assert_relative_eq!(c.value(2023.0 + i as f64), *e, max_relative = 1e-12);
    }
    // Non-monotone data, flat stretch: PchipInterpolator([0..4], [0, 1, 1, 0.5, 3]).
    let c = curve(
        CurveKind::Pchip,
        &[(0.0, 0.0), (1.0, 1.0), (2.0, 1.0), (3.0, 0.5), (4.0, 3.0)],
    );
    for (t, e) in [(0.5, 0.6875), (1.5, 1.0), (2.5, 0.75), (3.5, 1.25)] {
        assert_relative_eq!(c.value(t), e, epsilon = 1e-12);
    }
}

#[test]
fn shapes_refuse_values_outside_their_domain() {
    assert_eq!(
        Curve::new(CurveKind::Cagr, &[(0.0, 0.0), (1.0, 2.0)]),
        Err(CurveError::OutOfDomain(0, 0.0))
    );
    assert_eq!(
        Curve::new(CurveKind::Logistic(50.0), &[(0.0, 9.4), (1.0, 52.0)]),
        Err(CurveError::OutOfDomain(1, 52.0))
    );
    assert_eq!(
        Curve::new(CurveKind::Gompertz(50.0), &[(0.0, -1.0), (1.0, 2.0)]),
        Err(CurveError::OutOfDomain(0, -1.0))
    );
    assert_eq!(
        Curve::new(CurveKind::Linear, &[(1.0, 0.0), (1.0, 2.0)]),
        Err(CurveError::BadKnots)
    );
}

/// Knots at increasing integer years with positive values below 100.
fn knots() -> impl Strategy<Value = Vec<(f64, f64)>> {
    prop::collection::vec((1u8..6, 0.01f64..99.0), 2..7).prop_map(|steps| {
        let mut t = 2000.0;
        steps
            .into_iter()
            .map(|(dt, v)| {
                t += f64::from(dt);
                (t, v)
            })
            .collect()
    })
}

fn kinds() -> impl Strategy<Value = CurveKind> {
    prop_oneof![
        Just(CurveKind::Linear),
        Just(CurveKind::Cagr),
        Just(CurveKind::Logistic(100.0)),
        Just(CurveKind::Gompertz(100.0)),
        Just(CurveKind::Pchip),
    ]
}

proptest! {
    #[test]
    fn every_shape_passes_exactly_through_its_points(kind in kinds(), points in knots()) {
        let c = Curve::new(kind, &points).unwrap();
        // S-curves pass through their first point always, through all when there are two.
        let through = if c.passes_through_all() { points.len() } else { 1 };
        for &(t, v) in &points[..through] {
            prop_assert_eq!(c.value(t), v);
        }
    }

    #[test]
    fn between_two_points_every_shape_stays_between_them(
        kind in kinds(), points in knots(), s in 0.0f64..1.0
    ) {
        // True for the transform-linear shapes by monotonicity of the transform, and for
        // PCHIP by construction (no overshoot).
        let c = Curve::new(kind, &points).unwrap();
        prop_assume!(c.passes_through_all());
        for w in points.windows(2) {
            let t = w[0].0 + s * (w[1].0 - w[0].0);
            let (lo, hi) = (w[0].1.min(w[1].1), w[0].1.max(w[1].1));
            let v = c.value(t);
            prop_assert!(v >= lo - 1e-9 * hi && v <= hi + 1e-9 * hi, "{v} not in [{lo}, {hi}]");
        }
    }

    #[test]
    fn monotone_data_give_monotone_paths(kind in kinds(), mut points in knots()) {
        // Sort the values so the data rise; every shape must then rise too.
        let mut values: Vec<f64> = points.iter().map(|p| p.1).collect();
        values.sort_by(f64::total_cmp);
        for (p, v) in points.iter_mut().zip(values) { p.1 = v; }
        let c = Curve::new(kind, &points).unwrap();
        let (t0, t1) = (points[0].0, points[points.len() - 1].0);
        let mut prev = f64::NEG_INFINITY;
        for i in 0..=200 {
            let v = c.value(t0 + (t1 - t0) * f64::from(i) / 200.0);
            prop_assert!(v >= prev - 1e-9 * v.abs(), "fell from {prev} to {v}");
            prev = v;
        }
    }

    #[test]
    fn capped_shapes_stay_below_the_cap_even_beyond_the_points(
        points in knots(), cap_logistic in any::<bool>(), dt in 0.0f64..50.0
    ) {
        let kind = if cap_logistic { CurveKind::Logistic(100.0) } else { CurveKind::Gompertz(100.0) };
        let c = Curve::new(kind, &points).unwrap();
        let last = points[points.len() - 1].0;
        let v = c.value(last + dt);
        prop_assert!((0.0..=100.0).contains(&v), "{v}");
    }
}

#[test]
fn one_s_curve_through_several_points_matches_numpy() {
    // tests/reference: cap 80, exactly through (2020, 7), the logit (or Gompertz link) slope
    // by least squares over (2024, 34) and (2030, 65); tests/reference/s_curves.py (numpy), the formula of
    // `kjproj::stats::fit::Through`: b = Σ s(z − z₀)/Σ s².
    let points = [(2020.0, 7.0), (2024.0, 34.0), (2030.0, 65.0)];
    let logistic = curve(CurveKind::Logistic(80.0), &points);
    let expected = [
        14.045606867809633,
        25.68735280644941,
        48.81470357049145,
        67.05635076140872,
    ];
    for (t, e) in [2022.0, 2024.0, 2027.0, 2030.0].into_iter().zip(expected) {
        assert_relative_eq!(logistic.value(t), e, max_relative = 1e-12);
    }
    let gompertz = curve(CurveKind::Gompertz(80.0), &points);
    let expected = [
        18.16625456352308,
        32.45641268212084,
        52.13193641925411,
        65.28307904877748,
    ];
    for (t, e) in [2022.0, 2024.0, 2027.0, 2030.0].into_iter().zip(expected) {
        assert_relative_eq!(gompertz.value(t), e, max_relative = 1e-12);
    }
    assert_eq!(logistic.value(2020.0), 7.0);
    assert!(!logistic.passes_through_all());
}

#[test]
fn an_s_curve_through_two_points_grows_smoothly_past_the_last_one() {
    // Issue 12: 7 (2020) and 34 (2024), cap 80. One logistic curve keeps rising by more
    // after 2024 (+9.417 then +10.151, numpy), where joined segments broke the trend.
    let c = curve(CurveKind::Logistic(80.0), &[(2020.0, 7.0), (2024.0, 34.0)]);
    assert_relative_eq!(
        c.value(2024.0) - c.value(2023.0),
        9.417284692131222,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        c.value(2025.0) - c.value(2024.0),
        10.15072952405594,
        max_relative = 1e-12
    );
    assert_relative_eq!(c.value(2030.0), 75.24307203247193, max_relative = 1e-12);
    let g = curve(CurveKind::Gompertz(80.0), &[(2020.0, 7.0), (2024.0, 34.0)]);
    assert_relative_eq!(
        g.value(2024.0) / g.value(2023.0) - 1.0,
        0.291516007324379,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        g.value(2025.0) / g.value(2024.0) - 1.0,
        0.21766908769376792,
        max_relative = 1e-12
    );
    assert_relative_eq!(g.value(2030.0), 66.94733044260138, max_relative = 1e-12);
}

/// Every shape, the S-curves with a cap of 500.
const EVERY_SHAPE: [CurveKind; 5] = [
    CurveKind::Linear,
    CurveKind::Cagr,
    CurveKind::Pchip,
    CurveKind::Logistic(500.0),
    CurveKind::Gompertz(500.0),
];

#[test]
fn a_reused_curve_is_a_fresh_curve() {
    // `Curve::set` keeps the transformed value of a knot whose value did not change; the
    // curve must still be the one a fresh curve through the same points gives, for every
    // shape and after a change of shape or of the number of points, bit for bit.
    let kinds = EVERY_SHAPE;
    let first = [(2023.0, 160.0), (2027.0, 250.0), (2031.0, 350.0)];
    let second = [(2023.0, 160.0), (2027.0, 240.0), (2031.0, 350.0)];
    let fewer = [(2023.0, 160.0), (2031.0, 330.0)];
    for (&a, &b) in kinds.iter().zip(kinds.iter().cycle().skip(1)) {
        let mut reused = Curve::default();
        for (kind, points) in [
            (a, &first[..]),
            (a, &second[..]),
            (a, &fewer[..]),
            (b, &fewer[..]),
            (b, &first[..]),
            (CurveKind::Logistic(400.0), &first[..]),
        ] {
            reused.set(kind, points).unwrap();
            let fresh = curve(kind, points);
            for t in 2023..=2035 {
                let t = f64::from(t) + 0.25;
                assert_eq!(
                    reused.value(t).to_bits(),
                    fresh.value(t).to_bits(),
                    "{kind:?} at {t}"
                );
            }
        }
    }
}

#[test]
fn values_at_years_are_the_values() {
    // The positions kept from call to call must give `Curve::value` bit for bit: with the
    // same knot times, after the times change, after the years change, for every shape.
    let kinds = EVERY_SHAPE;
    let knots: [&[(f64, f64)]; 4] = [
        &[(2023.0, 160.0), (2027.0, 250.0), (2031.0, 350.0)],
        &[(2023.0, 160.0), (2027.0, 240.0), (2031.0, 340.0)],
        &[(2025.0, 170.0), (2031.0, 330.0)],
        &[
            (2023.0, 150.0),
            (2026.0, 200.0),
            (2028.0, 260.0),
            (2031.0, 300.0),
        ],
    ];
    let all: Vec<i32> = (2020..=2035).collect();
    // Programme starts moving between six years over the same years, visited twice in
    // turn and then back and forth: more sets of knot times than the positions keep, so
    // some are replaced and built again.
    let starts: Vec<Vec<(f64, f64)>> = (2022..2028)
        .map(|y| vec![(f64::from(y), 170.0), (2029.0, 250.0), (2031.0, 330.0)])
        .collect();
    let moving = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 5, 0, 5, 0, 3, 3];
    let schedule = knots
        .iter()
        .copied()
        .zip([&all[..], &all[..], &all[3..], &all[..9]])
        .chain(moving.iter().map(|&i| (&starts[i][..], &all[..])))
        .chain(
            knots
                .iter()
                .copied()
                .zip([&all[1..], &all[..], &all[..], &all[3..]]),
        );
    for kind in kinds {
        let mut positions = Positions::default();
        let mut curve = Curve::default();
        for (points, years) in schedule.clone() {
            curve.set(kind, points).unwrap();
            let mut out = vec![0.0; years.len()];
            curve.values_at_years(years[0], &mut positions, &mut out);
            for (&year, v) in years.iter().zip(&out) {
                let expected = curve.value(f64::from(year));
                assert_eq!(
                    v.to_bits(),
                    expected.to_bits(),
                    "{kind:?} {year} {points:?}"
                );
            }
        }
    }
}

#[test]
fn new_values_at_the_same_times_are_those_of_a_curve_set_anew() {
    // `set_values` and `values_at_same_years` must give what `Curve::new` and
    // `Curve::value` give for the same points, bit for bit, for every shape: values that
    // change one at a time, all at once, not at all, and after a value the shape cannot
    // take (which must leave no stale slope behind: the last draw has the values the
    // curve holds after that error, but not the slopes it was given).
    let times = [2023.0, 2026.0, 2028.0, 2031.0];
    let draws: [[f64; 4]; 6] = [
        [160.0, 200.0, 260.0, 350.0],
        [160.0, 200.0, 260.0, 330.0],
        [150.0, 240.0, 250.0, 330.0],
        [150.0, 240.0, 250.0, 330.0],
        [170.0, 180.0, f64::NEG_INFINITY, 390.0],
        [170.0, 180.0, 250.0, 330.0],
    ];
    let years: Vec<i32> = (2023..=2031).collect();
    for kind in EVERY_SHAPE {
        let mut curve = Curve::default();
        let mut positions = Positions::default();
        let points = |d: &[f64; 4]| -> Vec<(f64, f64)> {
            times.iter().copied().zip(d.iter().copied()).collect()
        };
        // Twice through the general way, so that the positions are kept.
        for d in &draws[..2] {
            curve.set(kind, &points(d)).unwrap();
            let mut out = vec![0.0; years.len()];
            curve.values_at_years(2023, &mut positions, &mut out);
        }
        let s_curve = matches!(kind, CurveKind::Logistic(_) | CurveKind::Gompertz(_));
        let mut after_error = false;
        for d in &draws[1..] {
            let p = points(d);
            let fresh = Curve::new(kind, &p);
            let mut out = vec![0.0; years.len()];
            match curve.set_values(kind, &p) {
                Ok(false) if after_error => {
                    // The short way is refused until `set` has made the curve whole.
                    curve.set(kind, &p).unwrap();
                    curve.values_at_years(2023, &mut positions, &mut out);
                    after_error = false;
                }
                Ok(false) => {
                    assert!(
                        s_curve,
                        "{kind:?}: the same times and kind take the short way"
                    );
                    continue;
                }
                Ok(true) => {
                    assert!(!s_curve, "{kind:?}: an S-curve is fitted anew");
                    assert!(curve.values_at_same_years(2023, &positions, &mut out));
                }
                Err(e) => {
                    assert_eq!(Err(e), fresh.map(|_| ()), "{kind:?} {d:?}");
                    assert_eq!(curve.set_values(kind, &p), Ok(false));
                    assert!(curve.set(kind, &p).is_err());
                    after_error = true;
                    continue;
                }
            }
            let fresh = fresh.unwrap();
            for (&year, v) in years.iter().zip(&out) {
                let expected = fresh.value(f64::from(year));
                assert_eq!(v.to_bits(), expected.to_bits(), "{kind:?} {year} {d:?}");
            }
        }
        // Other times, another kind, other years: refused.
        let moved: Vec<(f64, f64)> = points(&draws[5])
            .into_iter()
            .map(|(t, v)| (t + 1.0, v))
            .collect();
        if !s_curve {
            curve.set(kind, &points(&draws[5])).unwrap();
            assert_eq!(curve.set_values(kind, &moved), Ok(false));
            let other = if kind == CurveKind::Linear {
                CurveKind::Pchip
            } else {
                CurveKind::Linear
            };
            assert_eq!(curve.set_values(other, &points(&draws[5])), Ok(false));
            let mut out = vec![0.0; years.len()];
            curve.values_at_years(2023, &mut positions, &mut out);
            assert!(!curve.values_at_same_years(2024, &positions, &mut out));
            assert!(!curve.values_at_same_years(2023, &positions, &mut out[1..]));
            // Set at other times without looking for their positions: refused too.
            curve.set(kind, &moved).unwrap();
            assert!(!curve.values_at_same_years(2023, &positions, &mut out));
        }
    }
}
