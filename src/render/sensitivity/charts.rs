//! Chart data of the sensitivity analyses: fan, tornado, histogram and Sobol charts.

use super::{Names, significant_short};
use crate::error::Error;
use crate::export::OutputFile;
use crate::format::{fixed, grouped};
use crate::model::Projection;
use crate::plot::{
    self, FanChart, FanPanel, HistogramChart, SobolBar, SobolChart, TornadoBar, TornadoChart,
};
use crate::scenario::{Lang, Output, Scenario, Series};
use crate::sensitivity::monte_carlo::{Histogram, MonteCarlo};
use crate::sensitivity::sobol;
use crate::sensitivity::tornado::Tornado;

pub(super) struct Charts {
    pub(super) fan: FanChart,
    pub(super) tornado: TornadoChart,
    pub(super) histogram: HistogramChart,
    pub(super) sobol: Option<SobolChart>,
}

impl Charts {
    pub(super) fn render(
        &self,
        files: &mut Vec<OutputFile>,
        format: plot::ChartFormat,
    ) -> Result<(), Error> {
        let mut charts: Vec<(String, &(dyn plot::Chart + Sync))> = vec![
            ("fan".into(), &self.fan),
            ("tornado".into(), &self.tornado),
            ("histogram".into(), &self.histogram),
        ];
        if let Some(sobol) = &self.sobol {
            charts.push(("sobol".into(), sobol));
        }
        files.extend(crate::render::charts::render_charts(&charts, format)?);
        Ok(())
    }
}

/// Footnotes: one line per uncertain input with its distribution, then each cited source
/// once.
pub(super) fn range_footnotes(scenario: &Scenario, lang: Lang) -> Vec<String> {
    let Some(u) = &scenario.uncertainty else {
        return Vec::new();
    };
    let (range, source) = match lang {
        Lang::En => ("Range", "Source"),
        Lang::Ko => ("범위", "출처"),
    };
    let mut lines: Vec<String> = u
        .inputs
        .iter()
        .map(|i| {
            let cite = i
                .source
                .as_ref()
                .map_or_else(String::new, |k| format!(" [{k}]"));
            format!("{range} {}: {}{cite}", i.label, i.words(lang))
        })
        .collect();
    let mut cited: Vec<&str> = Vec::new();
    for key in u.inputs.iter().filter_map(|i| i.source.as_deref()) {
        if !cited.contains(&key) {
            cited.push(key);
        }
    }
    lines.extend(
        cited
            .iter()
            .filter_map(|k| scenario.source(k))
            .map(|s| format!("{source} [{}]: {}", s.key, s.citation)),
    );
    crate::render::charts::bounded_notes(lines, lang)
}

pub(super) fn fan(
    scenario: &Scenario,
    projection: &Projection,
    mc: &MonteCarlo,
    names: &Names,
    run_words: &str,
    footnotes: &[String],
) -> FanChart {
    let mut panels: Vec<FanPanel> = mc
        .series
        .iter()
        .map(|(s, stats)| {
            let column = |k: usize| stats.percentiles.iter().map(|p| p[k]).collect::<Vec<f64>>();
            let (deterministic, stated) = match *s {
                Series::Metric(i) => (
                    projection.metrics[i].clone(),
                    scenario.metrics[i]
                        .stated
                        .iter()
                        .map(|x| (x.year, x.value))
                        .collect(),
                ),
                Series::Ratio(i) => (
                    projection.ratios[i].clone(),
                    scenario.ratios[i]
                        .stated
                        .iter()
                        .map(|x| (x.year, x.value))
                        .collect(),
                ),
            };
            let observed = match *s {
                Series::Metric(i) => scenario.metrics[i]
                    .observed
                    .iter()
                    .map(|p| (p.year, p.value))
                    .collect(),
                Series::Ratio(_) => Vec::new(),
            };
            FanPanel {
                title: names.label(*s).to_owned(),
                axis: names.axis(*s),
                percent: names.is_share(*s),
                percentiles: [0, 1, 2, 3, 4, 5, 6].map(column),
                deterministic,
                stated,
                observed,
            }
        })
        .collect();
    let (year_axis, legend) = match names.lang {
        Lang::En => (
            "Year",
            [
                "90% band (P5–P95)",
                "80% band (P10–P90)",
                "50% band (P25–P75)",
                "median",
                "deterministic path",
                "stated figure",
                "observed",
            ],
        ),
        Lang::Ko => (
            "연도",
            [
                "90% 구간 (P5–P95)",
                "80% 구간 (P10–P90)",
                "50% 구간 (P25–P75)",
                "중앙값",
                "결정론적 경로",
                "발표 수치",
                "실적",
            ],
        ),
    };
    let mut footnotes = footnotes.to_vec();
    crate::render::charts::bounded_panels(&mut panels, &mut footnotes, "fan.csv", names.lang);
    FanChart {
        title: scenario.name.clone(),
        subtitle: match names.lang {
            Lang::En => format!("Monte Carlo: {run_words}"),
            Lang::Ko => format!("몬테카를로: {run_words}"),
        },
        year_axis: year_axis.into(),
        years: mc_years(scenario),
        panels,
        legend: legend.map(String::from),
        money: crate::format::Money::Plain,
        footnotes,
    }
}

fn mc_years(scenario: &Scenario) -> Vec<i32> {
    scenario.years().collect()
}

pub(super) fn tornado(
    scenario: &Scenario,
    t: &Tornado,
    o: usize,
    names: &Names,
    footnotes: &[String],
) -> TornadoChart {
    let head = &t.outputs[o];
    let rows = t.ordered(o);
    let pct = |p: f64| format!("P{}", (p * 100.0).round());
    let (lo, hi) = (pct(t.swing.0), pct(t.swing.1));
    let (subtitle, legend) = match names.lang {
        Lang::En => (
            format!(
                "{}: each input swung from its {lo} to its {hi}, the others at base",
                names.out_title(head)
            ),
            [format!("input at {lo}"), format!("input at {hi}")],
        ),
        Lang::Ko => (
            format!(
                "{}: 각 입력값을 {lo}에서 {hi}로 변화, 나머지는 기준값",
                names.out_title(head)
            ),
            [format!("입력값 {lo}"), format!("입력값 {hi}")],
        ),
    };
    let mut bars: Vec<TornadoBar> = rows
        .iter()
        .map(|s| TornadoBar {
            label: names.input_label(s.input).to_owned(),
            input_values: [significant_short(s.low), significant_short(s.high)],
            output_at_low: s.outputs[o].0,
            output_at_high: s.outputs[o].1,
        })
        .collect();
    let mut footnotes = footnotes.to_vec();
    crate::render::charts::bounded_bars(&mut bars, &mut footnotes, "tornado.csv", names.lang);
    TornadoChart {
        title: scenario.name.clone(),
        subtitle,
        output_axis: names.out_axis(head),
        percent: names.out_percent(head),
        base: t.base[o],
        bars,
        legend,
        footnotes,
    }
}

pub(super) fn histogram(
    scenario: &Scenario,
    mc: &MonteCarlo,
    (head, median): (&Output, f64),
    histogram: Histogram,
    names: &Names,
    run_words: &str,
    footnotes: &[String],
) -> HistogramChart {
    let last = scenario.years().count() - 1;
    let mut markers = vec![(
        median,
        match names.lang {
            Lang::En => "median".to_owned(),
            Lang::Ko => "중앙값".to_owned(),
        },
    )];
    for p in mc.probabilities.iter().filter(|p| {
        matches!(head.quantity, crate::scenario::expr::Quantity::Value(_))
            && p.series == head.series
            && scenario.baseline_year + p.year as i32 == names.out_year(head)
            && p.year <= last
    }) {
        markers.push((
            p.stated,
            match names.lang {
                Lang::En => format!(
                    "stated, P(at or above) = {}%",
                    fixed(p.probability * 100.0, 1)
                ),
                Lang::Ko => format!("발표 수치, 도달 확률 {}%", fixed(p.probability * 100.0, 1)),
            },
        ));
    }
    let (frequency_axis, what) = match names.lang {
        Lang::En => ("Share of draws (%)", names.out_title(head)),
        Lang::Ko => ("추출 비중 (%)", names.out_title(head)),
    };
    // The chart shows P0.5–P99.5; say what lies beyond, so that nothing is cut silently.
    let value = |v: f64| names.out_value(head, v);
    let (below, above) = (histogram.below, histogram.above);
    let tails = match names.lang {
        Lang::En => format!(
            "Not shown: {}% of draws below {} (down to {}) and {}% above {} (up to {}); histogram.csv has them.",
            fixed(below.2 * 100.0, 2),
            value(below.1),
            value(below.0),
            fixed(above.2 * 100.0, 2),
            value(above.0),
            value(above.1)
        ),
        Lang::Ko => format!(
            "표시 안 함: {} 미만 {}% (최소 {}), {} 초과 {}% (최대 {}); histogram.csv에 포함.",
            value(below.1),
            fixed(below.2 * 100.0, 2),
            value(below.0),
            value(above.0),
            fixed(above.2 * 100.0, 2),
            value(above.1)
        ),
    };
    // Nothing beyond the bins (every draw on one or two values, say): nothing to say.
    let mut notes = if below.2 > 0.0 || above.2 > 0.0 {
        vec![tails]
    } else {
        Vec::new()
    };
    notes.extend_from_slice(footnotes);
    HistogramChart {
        title: scenario.name.clone(),
        subtitle: format!("{what}: {run_words}"),
        value_axis: names.out_axis(head),
        frequency_axis: frequency_axis.into(),
        percent: names.out_percent(head),
        bins: histogram.bins,
        markers,
        footnotes: notes,
    }
}

#[allow(clippy::too_many_arguments)] // chart data from many parts; each is one argument
pub(super) fn sobol(
    scenario: &Scenario,
    outputs: &[Output],
    e: &sobol::Estimate,
    o: usize,
    n: usize,
    correlated: bool,
    names: &Names,
    footnotes: &[String],
) -> Option<SobolChart> {
    let head = outputs.get(o)?;
    let model = match (correlated, names.lang) {
        (true, Lang::En) => ", with the file's correlations (Kucherenko et al. 2012)",
        (false, Lang::En) => ", inputs independent",
        (true, Lang::Ko) => ", 입력값 상관 반영 (Kucherenko 외 2012)",
        (false, Lang::Ko) => ", 입력값 독립",
    };
    let mut inputs: Vec<(usize, &sobol::Indices)> = e.indices[o].iter().enumerate().collect();
    inputs.sort_by(|a, b| b.1.total.total_cmp(&a.1.total));
    let (subtitle, axis, legend) = match names.lang {
        Lang::En => (
            format!(
                "{}: {} base samples, 95% bootstrap intervals{model}",
                names.out_title(head),
                grouped(n as u64)
            ),
            "Sobol index",
            ["first-order index", "total index"],
        ),
        Lang::Ko => (
            format!(
                "{}: 기본 표본 {}개, 95% 부트스트랩 구간{model}",
                names.out_title(head),
                grouped(n as u64)
            ),
            "소볼 지수",
            ["1차 지수", "총 지수"],
        ),
    };
    let mut bars: Vec<SobolBar> = inputs
        .iter()
        .map(|(i, ix)| {
            // Estimates outside [0, 1] are sampling error: bars stop at the bounds (a
            // warning gives the estimate); the intervals stay as estimated.
            let unit = |v: f64| v.clamp(0.0, 1.0);
            SobolBar {
                label: names.input_label(*i).to_owned(),
                first: (
                    unit(ix.first),
                    ix.first - ix.first_conf,
                    ix.first + ix.first_conf,
                ),
                total: (
                    unit(ix.total),
                    ix.total - ix.total_conf,
                    ix.total + ix.total_conf,
                ),
            }
        })
        .collect();
    let mut footnotes = footnotes.to_vec();
    crate::render::charts::bounded_bars(&mut bars, &mut footnotes, "sobol.csv", names.lang);
    Some(SobolChart {
        title: scenario.name.clone(),
        subtitle,
        index_axis: axis.into(),
        inputs: bars,
        legend: legend.map(String::from),
        footnotes,
    })
}
