//! `kjproj run --json`: the run's results as one JSON document on standard output, for
//! scripts: numbers as numbers (an undefined one as `null`), the same content as the text
//! summary and more (every year of every path).

use serde_json::{Value, json};

use crate::evaluate::Evaluation;
use crate::scenario::RatioKind;

/// A number, or `null` when it is not finite.
fn number(v: f64) -> Value {
    if v.is_finite() { json!(v) } else { Value::Null }
}

fn numbers(v: &[f64]) -> Value {
    Value::Array(v.iter().map(|x| number(*x)).collect())
}

/// The document: `{ "scenario", "unit", "years", "runs": [one per base and variant] }`.
pub fn document(evals: &[Evaluation]) -> String {
    let Some(base) = evals.first() else {
        return "{}\n".into();
    };
    let doc = json!({
        "kjproj": env!("CARGO_PKG_VERSION"),
        "scenario": base.scenario.name,
        "unit": base.scenario.unit,
        "runs": evals.iter().map(run).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// One evaluation: its paths, stated figures, simulation summary, checks and warnings.
fn run(e: &Evaluation) -> Value {
    let s = e.scenario;
    let p = &e.projection;
    let metrics: Vec<Value> = s
        .metrics
        .iter()
        .zip(&p.metrics)
        .map(|(m, path)| {
            json!({
                "name": m.name,
                "label": m.label,
                "unit": m.unit,
                "shape": m.shape.name(),
                "fitted": m.fit.is_some(),
                "values": numbers(path),
                "observed": m.observed.iter().map(|o| json!({"year": o.year, "value": number(o.value)})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let ratios: Vec<Value> = s
        .ratios
        .iter()
        .zip(&p.ratios)
        .map(|(r, path)| {
            json!({
                "name": r.name,
                "label": r.label,
                "share": r.kind == RatioKind::Share,
                "numerator": s.metrics[r.numerator].name,
                "denominator": s.metrics[r.denominator].name,
                "values": numbers(path),
            })
        })
        .collect();
    let stated: Vec<Value> = e
        .comparisons
        .iter()
        .map(|c| {
            json!({
                "series": c.series,
                "year": c.year,
                "stated": number(c.stated),
                "derived": number(c.derived),
                "tolerance": number(c.tolerance),
                "within_tolerance": c.within_tolerance(),
                "source": c.source,
            })
        })
        .collect();
    let simulation = e.sensitivity.as_ref().map(|sens| {
        let mc = &sens.monte_carlo;
        let last = p.years.len() - 1;
        json!({
            "draws": mc.feasible(),
            "left_out": mc.infeasible,
            "seed": e.settings.simulation.seed,
            "year": s.target_year,
            "series": mc.series.iter().map(|(series, stats)| json!({
                "name": s.series_name(*series),
                "p5": number(stats.percentiles[last][0]),
                "p10": number(stats.percentiles[last][1]),
                "p25": number(stats.percentiles[last][2]),
                "p50": number(stats.percentiles[last][3]),
                "p75": number(stats.percentiles[last][4]),
                "p90": number(stats.percentiles[last][5]),
                "p95": number(stats.percentiles[last][6]),
                "mean": number(stats.mean[last]),
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "variant": e.name(),
        "years": p.years,
        "metrics": metrics,
        "ratios": ratios,
        "stated": stated,
        "simulation": simulation,
        "checks": e.checks,
        "warnings": e.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}
