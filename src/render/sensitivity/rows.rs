//! The sensitivity CSV tables as typed rows (`tornado.csv`, `fan.csv`,
//! `probabilities.csv`, `histogram.csv`, `sobol.csv`).

use super::Names;
use crate::export::rows::{FanRow, HistogramRow, Num, ProbabilityRow, SobolRow, TornadoRow};
use crate::scenario::{Output, Scenario};
use crate::sensitivity::monte_carlo::{Histogram, MonteCarlo};
use crate::sensitivity::sobol;
use crate::sensitivity::tornado::Tornado;

pub(super) fn tornado(t: &Tornado, names: &Names) -> Vec<TornadoRow> {
    let mut rows = Vec::new();
    for (o, output) in t.outputs.iter().enumerate() {
        for s in t.ordered(o) {
            let (at_low, at_high) = s.outputs[o];
            rows.push(TornadoRow {
                output: output.text.clone(),
                year: names.out_year(output),
                input: names.input_label(s.input).to_owned(),
                input_low: Num(s.low),
                input_high: Num(s.high),
                output_at_low: Num(at_low),
                output_at_high: Num(at_high),
                swing: Num(s.width(o)),
                base: Num(t.base[o]),
                problem: s.problem.clone().unwrap_or_default(),
            });
        }
    }
    rows
}

pub(super) fn fan(scenario: &Scenario, mc: &MonteCarlo, names: &Names) -> Vec<FanRow> {
    let mut rows = Vec::new();
    for (series, stats) in &mc.series {
        for (y, year) in scenario.years().enumerate() {
            let p = stats.percentiles[y].map(Num);
            let se = stats.percentile_se[y].map(Num);
            rows.push(FanRow {
                series: names.name(*series).to_owned(),
                year,
                mean: Num(stats.mean[y]),
                sd: Num(stats.sd[y]),
                p5: p[0],
                p10: p[1],
                p25: p[2],
                p50: p[3],
                p75: p[4],
                p90: p[5],
                p95: p[6],
                mean_se: Num(stats.mean_se[y]),
                p5_se: se[0],
                p10_se: se[1],
                p25_se: se[2],
                p50_se: se[3],
                p75_se: se[4],
                p90_se: se[5],
                p95_se: se[6],
                percentile_relative_error: Num(stats.relative_error[y]),
                left_out: mc.infeasible,
            });
        }
    }
    rows
}

pub(super) fn probabilities(
    scenario: &Scenario,
    mc: &MonteCarlo,
    names: &Names,
) -> Vec<ProbabilityRow> {
    mc.probabilities
        .iter()
        .map(|p| ProbabilityRow {
            series: names.name(p.series).to_owned(),
            year: scenario.baseline_year + p.year as i32,
            stated: Num(p.stated),
            probability_at_or_above: Num(p.probability),
            standard_error: Num(p.se),
            draws: mc.feasible(),
            left_out: mc.infeasible,
        })
        .collect()
}

/// Every bin, with the tails beyond the chart's P0.5–P99.5 as first and last rows, so
/// that the fractions sum to 1.
pub(super) fn histogram(
    output: &Output,
    histogram: &Histogram,
    left_out: u64,
    names: &Names,
) -> Vec<HistogramRow> {
    histogram
        .with_tails()
        .iter()
        .map(|&(lo, hi, f)| HistogramRow {
            series: output.text.clone(),
            year: names.out_year(output),
            bin_low: Num(lo),
            bin_high: Num(hi),
            fraction: Num(f),
            left_out,
        })
        .collect()
}

pub(super) fn sobol(
    outputs: &[Output],
    e: &sobol::Estimate,
    inputs_as: &'static str,
    names: &Names,
) -> Vec<SobolRow> {
    let mut rows = Vec::new();
    for (o, output) in outputs.iter().enumerate() {
        for (i, ix) in e.indices[o].iter().enumerate() {
            rows.push(SobolRow {
                output: output.text.clone(),
                year: names.out_year(output),
                input: names.input_label(i).to_owned(),
                first: Num(ix.first),
                first_low: Num(ix.first - ix.first_conf),
                first_high: Num(ix.first + ix.first_conf),
                total: Num(ix.total),
                total_low: Num(ix.total - ix.total_conf),
                total_high: Num(ix.total + ix.total_conf),
                rows_left_out: e.dropped as u64,
                inputs_as,
            });
        }
    }
    rows
}
