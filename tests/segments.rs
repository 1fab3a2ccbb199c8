//! Metrics as sums of segments: the path is the sum, stated totals are compared with it.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

use std::path::Path;

use approx::assert_relative_eq;
use kjproj::model;
use kjproj::scenario;

fn parse(text: &str) -> Result<scenario::Scenario, String> {
    scenario::parse(text, Path::new("s.toml")).map_err(|e| e.to_string())
}

fn file(total_2031: f64, extra: &str) -> String {
    format!(
        r#"name = "s"
unit = "u"
baseline_year = 2020
target_year = 2024
[metrics.total]
segments = ["a", "b"]
tolerance = 1
baseline = {{ value = 30 }}
target = {{ value = {total_2031} }}
{extra}
[metrics.a]
shape = "linear"
baseline = {{ value = 10 }}
target = {{ value = 30 }}
[metrics.b]
shape = "cagr"
baseline = {{ value = 20 }}
target = {{ value = 80 }}
"#
    )
}

#[test]
fn a_segmented_metric_is_the_sum_of_its_parts_every_year() {
    let s = parse(&file(110.0, "")).unwrap();
    let p = model::project(&s).unwrap();
    let at = |name: &str| s.metrics.iter().position(|m| m.name == name).unwrap();
    for y in 0..5 {
        assert_relative_eq!(
            p.metrics[at("total")][y],
            p.metrics[at("a")][y] + p.metrics[at("b")][y]
        );
    }
    // 2022: a = 20 (linear), b = 20·√4 = 40 (cagr halfway): 60.
    assert_relative_eq!(p.metrics[at("total")][2], 60.0, max_relative = 1e-12);
    let c = model::comparisons(&s, &p);
    assert_eq!(c.len(), 2);
    assert!(c.iter().all(|c| c.within_tolerance()));
    assert_eq!(c[1].derivation.as_deref(), Some("a + b = 30 + 80"));
}

#[test]
fn a_stated_total_beyond_the_tolerance_fails_its_check() {
    let s = parse(&file(112.0, "")).unwrap();
    let p = model::project(&s).unwrap();
    let c = model::comparisons(&s, &p);
    assert!(!c[1].within_tolerance(), "112 vs 110 with tolerance 1");
    let settings = kjproj::sensitivity::monte_carlo::Settings {
        draws: 1,
        seed: 1,
        method: kjproj::stats::sampling::Method::Random,
    };
    let outcomes = kjproj::check::run(&s, &p, kjproj::check::Simulation::Run(settings));
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| o.name.as_str())
        .collect();
    assert!(
        failed.iter().any(|n| n.starts_with("stated total 2024")),
        "{failed:?}"
    );
}

#[test]
fn segments_errors_name_the_key() {
    let e = parse(&file(110.0, "shape = \"cagr\"")).unwrap_err();
    assert!(
        e.contains("key `metrics.total.shape`: a metric with segments is their sum"),
        "{e}"
    );
    let e = parse(&file(110.0, "").replace("[\"a\", \"b\"]", "[\"a\", \"c\"]")).unwrap_err();
    assert!(
        e.contains("key `metrics.total.segments[1]`: unknown metric `c`"),
        "{e}"
    );
    let e = parse(&file(110.0, "").replace("[\"a\", \"b\"]", "[\"a\", \"total\"]")).unwrap_err();
    assert!(e.contains("cannot be its own segment"), "{e}");
    let e = parse(&format!(
        "{}\n[uncertainty.inputs]\n\"metrics.total.target.value\" = {{ low = 100, high = 120 }}\n",
        file(110.0, "")
    ))
    .unwrap_err();
    assert!(
        e.contains("is the sum of its segments; vary the segments"),
        "{e}"
    );
}

#[test]
fn the_shipped_segments_scenario_adds_up() {
    let s = scenario::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fine_chem_segments.toml"),
    )
    .unwrap();
    let p = model::project(&s).unwrap();
    let c = model::comparisons(&s, &p);
    assert!(c.iter().all(|c| c.within_tolerance()), "{c:?}");
}

#[test]
fn a_sum_too_large_to_represent_is_an_error_naming_the_sum() {
    // Each segment is finite; their sum is not.
    let text = file(110.0, "").replace(
        "baseline = { value = 10 }\ntarget = { value = 30 }",
        "baseline = { value = 1e308 }\ntarget = { value = 1.5e308 }",
    );
    let text = text.replace(
        "baseline = { value = 20 }\ntarget = { value = 80 }",
        "baseline = { value = 1e308 }\ntarget = { value = 1.7e308 }",
    );
    let s = parse(&text).unwrap();
    let e = model::project(&s).unwrap_err();
    assert_eq!(e.key, ["metrics", "total"]);
    assert!(
        e.message
            .contains("beyond any representable number by 2020"),
        "{}",
        e.message
    );
}
