//! Least-squares fits against independent values: `tests/reference/fits.py` (numpy,
//! scipy's `linregress` and `curve_fit`, in another parametrisation) wrote
//! `tests/reference/fits.json`; nothing expected here comes from kjproj.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

use approx::assert_relative_eq;
use kjproj::stats::distribution::Distribution;
use kjproj::stats::fit::{Error, Model, Parameter, Spec, Warning, fit};
use serde_json::Value;

fn cases() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string("tests/reference/fits.json").unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_object()
        .unwrap()
        .clone()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn fits_match_numpy_and_scipy() {
    for (name, case) in cases() {
        let model = match case["model"].as_str().unwrap() {
            "linear" => Model::Linear,
            "exponential" => Model::Exponential,
            "logistic" => Model::Logistic,
            _ => Model::Gompertz,
        };
        let anchor = case.get("anchor").map(|a| {
            let a = numbers(a);
            (a[0], a[1])
        });
        let spec = Spec {
            model,
            cap: case.get("cap").and_then(Value::as_f64),
            anchor,
            reference: case
                .get("reference")
                .and_then(Value::as_f64)
                .unwrap_or(f64::NAN),
        };
        let points: Vec<(f64, f64)> = numbers(&case["t"])
            .into_iter()
            .zip(numbers(&case["y"]))
            .collect();
        let f = fit(&spec, &points).unwrap();
        // Nonlinear fits agree to the minimisers' tolerances; SEs through finite differences.
        let (tol, se_tol) = if model.has_cap() {
            (1e-6, 1e-4)
        } else {
            (1e-10, 1e-7)
        };
        assert_eq!(f.dof as u64, case["dof"].as_u64().unwrap(), "{name}");
        assert_relative_eq!(
            f.r_squared,
            case["r2"].as_f64().unwrap(),
            max_relative = tol
        );
        assert_relative_eq!(
            f.residual_sd,
            case["resid_sd"].as_f64().unwrap(),
            max_relative = se_tol
        );
        let estimates = f.estimates();
        for (key, expected) in case["params"].as_object().unwrap() {
            let parameter = match key.as_str() {
                "level" => Parameter::Level,
                "slope" => Parameter::Slope,
                "growth" => Parameter::Growth,
                "rate" => Parameter::Rate,
                "midpoint" => Parameter::Midpoint,
                _ => Parameter::Cap,
            };
            let e = estimates.iter().find(|e| e.parameter == parameter).unwrap();
            let expected = expected.as_array().unwrap();
            let value = expected[0].as_f64().unwrap();
            assert_relative_eq!(e.value, value, max_relative = tol);
            match expected[1].as_f64() {
                Some(se) => assert_relative_eq!(e.se.unwrap(), se, max_relative = se_tol),
                None => assert_eq!(e.se, None, "{name} {key}"),
            }
        }
        let t95 = case["t95"].as_f64().unwrap();
        assert_relative_eq!(
            Distribution::StudentT { dof: f.dof as f64 }.quantile(0.95),
            t95,
            max_relative = 1e-8
        );
        for band in case["bands"].as_array().unwrap() {
            let [t, centre, conf, pred] = numbers(band)[..] else {
                panic!()
            };
            assert_relative_eq!(f.fitted(t), centre, max_relative = tol);
            assert_relative_eq!(f.band_se(t, false), conf, max_relative = se_tol);
            assert_relative_eq!(f.band_se(t, true), pred, max_relative = se_tol);
        }
        assert!(f.warnings.is_empty(), "{name}: {:?}", f.warnings);
    }
}

#[test]
fn an_anchored_fit_passes_through_its_anchor_exactly_with_no_spread_there() {
    let points = [
        (2015.0, 66.0),
        (2017.0, 79.0),
        (2019.0, 89.0),
        (2021.0, 102.0),
    ];
    for model in [
        Model::Linear,
        Model::Exponential,
        Model::Logistic,
        Model::Gompertz,
    ] {
        let spec = Spec {
            model,
            cap: Some(300.0),
            anchor: Some((2023.0, 119.07)),
            reference: 0.0,
        };
        let f = fit(&spec, &points).unwrap();
        assert_eq!(f.value(2023.0), 119.07, "{model:?}");
        assert_eq!(f.band_se(2023.0, true), 0.0);
        assert!(f.band_se(2030.0, false) > 0.0);
    }
}

/// A fit whose cap is refused, or flagged as not identified.
fn refused_or_flagged(spec: &Spec, points: &[(f64, f64)]) {
    match fit(spec, points) {
        Err(e) => assert_eq!(e, Error::CapNotIdentified),
        Ok(f) => assert!(
            f.warnings
                .iter()
                .any(|w| matches!(w, Warning::CapNotIdentified { .. })),
            "{:?} cap {:?}",
            f.warnings,
            f.cap()
        ),
    }
}

#[test]
fn a_cap_from_points_without_a_bend_is_reported_as_not_identified() {
    // Pure exponential growth: any cap far above fits as well.
    let points: Vec<(f64, f64)> = (0..10)
        .map(|i| (2010.0 + f64::from(i), 10.0 * 1.07f64.powi(i)))
        .collect();
    let spec = Spec {
        model: Model::Logistic,
        cap: None,
        anchor: None,
        reference: 2010.0,
    };
    refused_or_flagged(&spec, &points);
    // Nearly exponential: a cap is computed, but the data hardly constrain it.
    let points: Vec<(f64, f64)> = (0..10)
        .map(|i| {
            (
                2010.0 + f64::from(i),
                10.0 * 1.07f64.powi(i) + if i % 2 == 0 { 0.3 } else { -0.3 },
            )
        })
        .collect();
    refused_or_flagged(&spec, &points);
}

#[test]
fn a_poor_fit_is_reported() {
    let points = [
        (2010.0, 5.0),
        (2011.0, 9.0),
        (2012.0, 4.0),
        (2013.0, 8.0),
        (2014.0, 5.0),
        (2015.0, 7.0),
    ];
    let spec = Spec {
        model: Model::Linear,
        cap: None,
        anchor: None,
        reference: 2010.0,
    };
    let f = fit(&spec, &points).unwrap();
    assert!(
        f.warnings.iter().any(|w| matches!(w, Warning::Poor { .. })),
        "{:?}",
        f.warnings
    );
}

#[test]
fn too_few_points_and_values_out_of_domain_are_errors() {
    let spec = Spec {
        model: Model::Logistic,
        cap: None,
        anchor: None,
        reference: 0.0,
    };
    assert_eq!(
        fit(&spec, &[(0.0, 1.0), (1.0, 2.0), (2.0, 3.0)]),
        Err(Error::TooFewPoints { need: 4, have: 3 })
    );
    let spec = Spec {
        model: Model::Exponential,
        cap: None,
        anchor: None,
        reference: 0.0,
    };
    assert_eq!(
        fit(&spec, &[(0.0, 1.0), (1.0, 0.0), (2.0, 3.0)]),
        Err(Error::OutOfDomain(Some(1), 0.0))
    );
    let spec = Spec {
        model: Model::Linear,
        cap: None,
        anchor: None,
        reference: 0.0,
    };
    assert_eq!(
        fit(&spec, &[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)]),
        Err(Error::Singular)
    );
}
