//! The sensitivity part of an evaluation as outputs: tornado, Monte Carlo fan charts,
//! probabilities of stated figures, histogram and Sobol indices, as files, summary lines and
//! the report section.

use std::fmt::Write as _;

use crate::error::Error;
use crate::evaluate::Evaluation;
use crate::export::OutputFile;
use crate::export::rows::{FanRow, HistogramRow, Num, ProbabilityRow, SobolRow, TornadoRow};
use crate::format::{fixed, grouped, significant};
use crate::model::Projection;
use crate::plot::{
    self, FanChart, FanPanel, HistogramChart, SobolBar, SobolChart, TornadoBar, TornadoChart,
};
use crate::scenario::{Lang, RatioKind, Scenario, Series};
use crate::sensitivity::monte_carlo::{self, MonteCarlo};
use crate::sensitivity::sobol;
use crate::sensitivity::tornado::{self, Tornado};
use crate::stats::sampling::Method;

/// The sensitivity files of an evaluation (CSV tables and charts); empty without a
/// sensitivity analysis.
pub fn files(eval: &Evaluation, svg: bool) -> Result<Vec<OutputFile>, Error> {
    let Some(sens) = &eval.sensitivity else {
        return Ok(Vec::new());
    };
    let (scenario, settings) = (eval.scenario, eval.settings.simulation);
    let (mc, tornado, sobol, head) = (&sens.monte_carlo, &sens.tornado, &sens.sobol, sens.headline);
    let names = Names::new(scenario, eval.settings.lang);
    let last = scenario.years().count() - 1;

    let histogram = mc.histogram(head, last, 40);
    let mut files = vec![
        rows_file("tornado.csv", &tornado_rows(scenario, tornado, &names))?,
        rows_file("fan.csv", &fan_rows(scenario, mc, &names))?,
        rows_file("probabilities.csv", &probability_rows(scenario, mc, &names))?,
        rows_file(
            "histogram.csv",
            &histogram_rows(scenario, head, &histogram, &names),
        )?,
    ];
    if let Some((outputs, estimate)) = sobol {
        files.push(rows_file(
            "sobol.csv",
            &sobol_rows(scenario, outputs, estimate, &names),
        )?);
    }

    let method_words = match (settings.method, names.lang) {
        (Method::LatinHypercube, Lang::En) => "Latin hypercube",
        (Method::Random, Lang::En) => "random sampling",
        (Method::LatinHypercube, Lang::Ko) => "라틴 하이퍼큐브",
        (Method::Random, Lang::Ko) => "무작위 표본",
    };
    let run_words = match names.lang {
        Lang::En => format!(
            "{} draws ({method_words}), seed {}",
            grouped(mc.feasible()),
            settings.seed
        ),
        Lang::Ko => format!(
            "{}회 추출 ({method_words}), 시드 {}",
            grouped(mc.feasible()),
            settings.seed
        ),
    };
    let footnotes = range_footnotes(scenario, names.lang);
    let charts = Charts {
        fan: fan_chart(
            scenario,
            &eval.projection,
            mc,
            &names,
            &run_words,
            &footnotes,
        ),
        tornado: tornado_chart(scenario, tornado, head, &names, &footnotes),
        histogram: histogram_chart(
            scenario, mc, head, histogram, &names, &run_words, &footnotes,
        ),
        sobol: sobol.as_ref().and_then(|(outputs, e)| {
            sobol_chart(
                scenario,
                outputs,
                e,
                head,
                eval.settings.sobol_samples,
                &names,
                &footnotes,
            )
        }),
    };
    charts.render(&mut files, svg)?;
    Ok(files)
}

/// A CSV file of typed rows.
fn rows_file<T: crate::export::rows::Row>(name: &str, rows: &[T]) -> Result<OutputFile, Error> {
    Ok(OutputFile {
        name: name.into(),
        bytes: crate::export::csv_rows(rows).map_err(|source| Error::Write {
            path: name.into(),
            source,
        })?,
    })
}

struct Charts {
    fan: FanChart,
    tornado: TornadoChart,
    histogram: HistogramChart,
    sobol: Option<SobolChart>,
}

impl Charts {
    fn render(&self, files: &mut Vec<OutputFile>, svg: bool) -> Result<(), Error> {
        use super::charts::push_chart as push;
        push(
            files,
            "fan",
            svg,
            || plot::render_fan_png(&self.fan),
            || plot::render_fan_svg(&self.fan),
        )?;
        push(
            files,
            "tornado",
            svg,
            || plot::render_tornado_png(&self.tornado),
            || plot::render_tornado_svg(&self.tornado),
        )?;
        push(
            files,
            "histogram",
            svg,
            || plot::render_histogram_png(&self.histogram),
            || plot::render_histogram_svg(&self.histogram),
        )?;
        if let Some(sobol) = &self.sobol {
            push(
                files,
                "sobol",
                svg,
                || plot::render_sobol_png(sobol),
                || plot::render_sobol_svg(sobol),
            )?;
        }
        Ok(())
    }
}

/// Names and labels of series, in the user's words.
struct Names<'a> {
    scenario: &'a Scenario,
    lang: Lang,
}

impl<'a> Names<'a> {
    fn new(scenario: &'a Scenario, lang: Lang) -> Self {
        Names { scenario, lang }
    }

    fn name(&self, s: Series) -> &'a str {
        match s {
            Series::Metric(i) => &self.scenario.metrics[i].name,
            Series::Ratio(i) => &self.scenario.ratios[i].name,
        }
    }

    fn label(&self, s: Series) -> &'a str {
        match s {
            Series::Metric(i) => &self.scenario.metrics[i].label,
            Series::Ratio(i) => &self.scenario.ratios[i].label,
        }
    }

    fn is_share(&self, s: Series) -> bool {
        matches!(s, Series::Ratio(i) if self.scenario.ratios[i].kind == RatioKind::Share)
    }

    fn axis(&self, s: Series) -> String {
        match (s, self.is_share(s), self.lang) {
            (Series::Metric(_), _, _) => self.scenario.unit.clone(),
            (_, true, Lang::En) => "Share (%)".into(),
            (_, true, Lang::Ko) => "점유율 (%)".into(),
            (_, false, Lang::En) => "Ratio".into(),
            (_, false, Lang::Ko) => "비율".into(),
        }
    }

    /// "Korean share in 2031 (%)", "Korean sales in 2031 (trillion KRW)".
    fn axis_in_year(&self, s: Series, year: i32) -> String {
        let unit = match s {
            Series::Metric(_) => self.scenario.unit.as_str(),
            _ if self.is_share(s) => "%",
            _ => "",
        };
        let unit = if unit.is_empty() {
            String::new()
        } else {
            format!(" ({unit})")
        };
        match self.lang {
            Lang::En => format!("{} in {year}{unit}", self.label(s)),
            Lang::Ko => format!("{} ({year}년){unit}", self.label(s)),
        }
    }

    /// A Monte Carlo estimate (see [`crate::format::estimate`]).
    fn mc_value(&self, s: Series, v: f64) -> String {
        crate::format::estimate(v, self.is_share(s))
    }

    /// A value of series `s` for the terminal: percent for shares.
    fn value(&self, s: Series, v: f64) -> String {
        crate::format::value(v, self.is_share(s), 2)
    }

    fn input_label(&self, i: usize) -> &'a str {
        self.scenario
            .uncertainty
            .as_ref()
            .map_or("", |u| u.inputs[i].label.as_str())
    }
}

fn tornado_rows(scenario: &Scenario, t: &Tornado, names: &Names) -> Vec<TornadoRow> {
    let mut rows = Vec::new();
    for (o, &output) in t.outputs.iter().enumerate() {
        let mut order: Vec<&tornado::Swing> = t.rows.iter().collect();
        order.sort_by(|a, b| b.width(o).total_cmp(&a.width(o)));
        for s in order {
            let (at_low, at_high) = s.outputs[o];
            rows.push(TornadoRow {
                output: names.name(output).to_owned(),
                year: scenario.target_year,
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

fn fan_rows(scenario: &Scenario, mc: &MonteCarlo, names: &Names) -> Vec<FanRow> {
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
            });
        }
    }
    rows
}

fn probability_rows(scenario: &Scenario, mc: &MonteCarlo, names: &Names) -> Vec<ProbabilityRow> {
    mc.probabilities
        .iter()
        .map(|p| ProbabilityRow {
            series: names.name(p.series).to_owned(),
            year: scenario.baseline_year + p.year as i32,
            stated: Num(p.stated),
            probability_at_or_above: Num(p.probability),
            standard_error: Num(p.se),
            draws: mc.feasible(),
        })
        .collect()
}

fn histogram_rows(
    scenario: &Scenario,
    series: Series,
    bins: &[(f64, f64, f64)],
    names: &Names,
) -> Vec<HistogramRow> {
    bins.iter()
        .map(|&(lo, hi, f)| HistogramRow {
            series: names.name(series).to_owned(),
            year: scenario.target_year,
            bin_low: Num(lo),
            bin_high: Num(hi),
            fraction: Num(f),
        })
        .collect()
}

fn sobol_rows(
    scenario: &Scenario,
    outputs: &[Series],
    e: &sobol::Estimate,
    names: &Names,
) -> Vec<SobolRow> {
    let mut rows = Vec::new();
    for (o, &output) in outputs.iter().enumerate() {
        for (i, ix) in e.indices[o].iter().enumerate() {
            rows.push(SobolRow {
                output: names.name(output).to_owned(),
                year: scenario.target_year,
                input: names.input_label(i).to_owned(),
                first: Num(ix.first),
                first_low: Num(ix.first - ix.first_conf),
                first_high: Num(ix.first + ix.first_conf),
                total: Num(ix.total),
                total_low: Num(ix.total - ix.total_conf),
                total_high: Num(ix.total + ix.total_conf),
            });
        }
    }
    rows
}

/// Footnotes: one line per uncertain input with its distribution, then each cited source
/// once.
fn range_footnotes(scenario: &Scenario, lang: Lang) -> Vec<String> {
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
            format!(
                "{range} {} ({}): {}{cite}",
                i.label,
                i.name,
                i.distribution.describe()
            )
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
    lines
}

fn fan_chart(
    scenario: &Scenario,
    projection: &Projection,
    mc: &MonteCarlo,
    names: &Names,
    run_words: &str,
    footnotes: &[String],
) -> FanChart {
    let panels = mc
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
            FanPanel {
                title: names.label(*s).to_owned(),
                axis: names.axis(*s),
                percent: names.is_share(*s),
                percentiles: [0, 1, 2, 3, 4, 5, 6].map(column),
                deterministic,
                stated,
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
            ],
        ),
    };
    FanChart {
        title: scenario.name.clone(),
        subtitle: format!("Monte Carlo: {run_words}"),
        year_axis: year_axis.into(),
        years: mc_years(scenario),
        panels,
        legend: legend.map(String::from),
        footnotes: footnotes.to_vec(),
    }
}

fn mc_years(scenario: &Scenario) -> Vec<i32> {
    scenario.years().collect()
}

fn tornado_chart(
    scenario: &Scenario,
    t: &Tornado,
    head: Series,
    names: &Names,
    footnotes: &[String],
) -> TornadoChart {
    let o = t.outputs.iter().position(|s| *s == head).unwrap_or(0);
    let mut rows: Vec<&tornado::Swing> = t.rows.iter().collect();
    rows.sort_by(|a, b| b.width(o).total_cmp(&a.width(o)));
    let pct = |p: f64| format!("P{}", (p * 100.0).round());
    let (lo, hi) = (pct(t.swing.0), pct(t.swing.1));
    let (subtitle, legend) = match names.lang {
        Lang::En => (
            format!(
                "{} in {}: each input swung from its {lo} to its {hi}, the others at base",
                names.label(head),
                scenario.target_year
            ),
            [format!("input at {lo}"), format!("input at {hi}")],
        ),
        Lang::Ko => (
            format!(
                "{} ({}년): 각 입력값을 {lo}에서 {hi}로 변화, 나머지는 기준값",
                names.label(head),
                scenario.target_year
            ),
            [format!("입력값 {lo}"), format!("입력값 {hi}")],
        ),
    };
    TornadoChart {
        title: scenario.name.clone(),
        subtitle,
        output_axis: names.axis_in_year(head, scenario.target_year),
        percent: names.is_share(head),
        base: t.base[o],
        bars: rows
            .iter()
            .map(|s| TornadoBar {
                label: names.input_label(s.input).to_owned(),
                input_values: [significant_short(s.low), significant_short(s.high)],
                output_at_low: s.outputs[o].0,
                output_at_high: s.outputs[o].1,
            })
            .collect(),
        legend,
        footnotes: footnotes.to_vec(),
    }
}

fn histogram_chart(
    scenario: &Scenario,
    mc: &MonteCarlo,
    head: Series,
    bins: Vec<(f64, f64, f64)>,
    names: &Names,
    run_words: &str,
    footnotes: &[String],
) -> HistogramChart {
    let last = scenario.years().count() - 1;
    let stats = mc.series.iter().find(|(s, _)| *s == head).map(|(_, st)| st);
    let median = stats.map_or(f64::NAN, |st| st.percentiles[last][3]);
    let mut markers = vec![(
        median,
        match names.lang {
            Lang::En => "median".to_owned(),
            Lang::Ko => "중앙값".to_owned(),
        },
    )];
    for p in mc
        .probabilities
        .iter()
        .filter(|p| p.series == head && p.year == last)
    {
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
        Lang::En => (
            "Share of draws (%)",
            format!("{} in {}", names.label(head), scenario.target_year),
        ),
        Lang::Ko => (
            "추출 비중 (%)",
            format!("{} ({}년)", names.label(head), scenario.target_year),
        ),
    };
    HistogramChart {
        title: scenario.name.clone(),
        subtitle: format!("{what}: {run_words}"),
        value_axis: names.axis_in_year(head, scenario.target_year),
        frequency_axis: frequency_axis.into(),
        percent: names.is_share(head),
        bins,
        markers,
        footnotes: footnotes.to_vec(),
    }
}

fn sobol_chart(
    scenario: &Scenario,
    outputs: &[Series],
    e: &sobol::Estimate,
    head: Series,
    n: usize,
    names: &Names,
    footnotes: &[String],
) -> Option<SobolChart> {
    let o = outputs.iter().position(|s| *s == head)?;
    let mut inputs: Vec<(usize, &sobol::Indices)> = e.indices[o].iter().enumerate().collect();
    inputs.sort_by(|a, b| b.1.total.total_cmp(&a.1.total));
    let (subtitle, axis, legend) = match names.lang {
        Lang::En => (
            format!(
                "{} in {}: {} base samples, 95% bootstrap intervals",
                names.label(head),
                scenario.target_year,
                grouped(n as u64)
            ),
            "Sobol index",
            ["first-order index", "total index"],
        ),
        Lang::Ko => (
            format!(
                "{} ({}년): 기본 표본 {}개, 95% 부트스트랩 구간",
                names.label(head),
                scenario.target_year,
                grouped(n as u64)
            ),
            "소볼 지수",
            ["1차 지수", "총 지수"],
        ),
    };
    Some(SobolChart {
        title: scenario.name.clone(),
        subtitle,
        index_axis: axis.into(),
        inputs: inputs
            .iter()
            .map(|(i, ix)| SobolBar {
                label: names.input_label(*i).to_owned(),
                first: (ix.first, ix.first - ix.first_conf, ix.first + ix.first_conf),
                total: (ix.total, ix.total - ix.total_conf, ix.total + ix.total_conf),
            })
            .collect(),
        legend: legend.map(String::from),
        footnotes: footnotes.to_vec(),
    })
}

/// The sensitivity lines of the terminal summary (empty without an analysis).
pub fn summary(eval: &Evaluation) -> String {
    let Some(sens) = &eval.sensitivity else {
        return String::new();
    };
    summary_text(
        eval.scenario,
        &sens.monte_carlo,
        &sens.tornado,
        sens.sobol.as_ref(),
        sens.headline,
        &Names::new(eval.scenario, eval.settings.lang),
        eval.settings.simulation,
    )
}

fn summary_text(
    scenario: &Scenario,
    mc: &MonteCarlo,
    t: &Tornado,
    sobol: Option<&(Vec<Series>, sobol::Estimate)>,
    head: Series,
    names: &Names,
    settings: monte_carlo::Settings,
) -> String {
    let last = scenario.years().count() - 1;
    let ty = scenario.target_year;
    let mut out = String::new();
    let inputs = scenario.uncertainty.as_ref().map_or(0, |u| u.inputs.len());
    let method = match settings.method {
        Method::LatinHypercube => "Latin hypercube",
        Method::Random => "random sampling",
    };
    let _ = writeln!(
        out,
        "\nMonte Carlo: {} draws ({method}), seed {}, {inputs} uncertain inputs",
        grouped(mc.feasible()),
        settings.seed
    );
    let _ = writeln!(
        out,
        "{:<16} {:>10} {:>10} {:>10} {:>10}",
        format!("in {ty}"),
        "P5",
        "P50",
        "P95",
        "mean"
    );
    for (s, stats) in &mc.series {
        let p = &stats.percentiles[last];
        let _ = writeln!(
            out,
            "{:<16} {:>10} {:>10} {:>10} {:>10}",
            names.name(*s),
            names.mc_value(*s, p[0]),
            names.mc_value(*s, p[3]),
            names.mc_value(*s, p[6]),
            names.mc_value(*s, stats.mean[last])
        );
    }
    for p in &mc.probabilities {
        let year = scenario.baseline_year + p.year as i32;
        if year == scenario.baseline_year {
            continue;
        }
        let _ = writeln!(
            out,
            "P({} {year} ≥ {}) = {}% (standard error {} pp)",
            names.name(p.series),
            names.value(p.series, p.stated),
            fixed(p.probability * 100.0, 1),
            fixed(p.se * 100.0, 2)
        );
    }

    if let Some(o) = t.outputs.iter().position(|s| *s == head) {
        let _ = writeln!(
            out,
            "\ntornado: {} in {ty} (base {}), inputs swung P{}–P{}",
            names.name(head),
            names.value(head, t.base[o]),
            (t.swing.0 * 100.0).round(),
            (t.swing.1 * 100.0).round()
        );
        let mut rows: Vec<&tornado::Swing> = t.rows.iter().collect();
        rows.sort_by(|a, b| b.width(o).total_cmp(&a.width(o)));
        for s in rows {
            let (a, b) = s.outputs[o];
            let _ = writeln!(
                out,
                "  {:<36} {} → {}: {} → {}",
                names.input_label(s.input),
                significant_short(s.low),
                significant_short(s.high),
                names.value(head, a),
                names.value(head, b)
            );
        }
    }
    if let Some((outputs, e)) = sobol
        && let Some(o) = outputs.iter().position(|s| *s == head)
    {
        let _ = writeln!(
            out,
            "\nSobol indices: {} in {ty} ({} rows, 95% intervals)",
            names.name(head),
            grouped(e.rows as u64)
        );
        for (i, ix) in e.indices[o].iter().enumerate() {
            let _ = writeln!(
                out,
                "  {:<36} first {:>6} ± {:<6} total {:>6} ± {}",
                names.input_label(i),
                fixed(ix.first, 3),
                fixed(ix.first_conf, 3),
                fixed(ix.total, 3),
                fixed(ix.total_conf, 3)
            );
        }
    }
    out
}

/// A value with 4 significant digits for labels.
fn significant_short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return significant(v);
    }
    let magnitude = v.abs().log10().floor() as i32;
    fixed(v, (3 - magnitude).max(0) as usize)
}

/// The sensitivity section of `report.md`: Monte Carlo table, probabilities, tornado and
/// Sobol tables, and the charts; `None` without an analysis.
pub fn markdown(eval: &Evaluation, svg: bool) -> Option<String> {
    let sens = eval.sensitivity.as_ref()?;
    Some(markdown_text(
        eval.scenario,
        &sens.monte_carlo,
        &sens.tornado,
        sens.sobol.as_ref(),
        sens.headline,
        &Names::new(eval.scenario, eval.settings.lang),
        eval.settings.simulation,
        svg,
    ))
}

#[allow(clippy::too_many_arguments)]
fn markdown_text(
    scenario: &Scenario,
    mc: &MonteCarlo,
    t: &Tornado,
    sobol: Option<&(Vec<Series>, sobol::Estimate)>,
    head: Series,
    names: &Names,
    settings: monte_carlo::Settings,
    svg: bool,
) -> String {
    let ko = names.lang == Lang::Ko;
    let ext = if svg { "svg" } else { "png" };
    let last = scenario.years().count() - 1;
    let ty = scenario.target_year;
    let mut out = String::new();
    let method = match (settings.method, ko) {
        (Method::LatinHypercube, false) => "Latin hypercube sampling",
        (Method::Random, false) => "plain random sampling",
        (Method::LatinHypercube, true) => "라틴 하이퍼큐브 표본추출",
        (Method::Random, true) => "무작위 표본추출",
    };
    let _ = writeln!(
        out,
        "## {}\n",
        if ko {
            "불확실성 분석"
        } else {
            "Uncertainty"
        }
    );
    let _ = writeln!(
        out,
        "{}\n",
        if ko {
            format!(
                "몬테카를로 {}회 ({method}), 시드 {}.",
                grouped(mc.feasible()),
                settings.seed
            )
        } else {
            format!(
                "Monte Carlo with {} draws ({method}), seed {}.",
                grouped(mc.feasible()),
                settings.seed
            )
        }
    );
    let _ = writeln!(
        out,
        "| {} {ty} | P5 | P25 | P50 | P75 | P95 | {} |",
        if ko { "항목" } else { "series in" },
        if ko { "평균" } else { "mean" }
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
    for (s, stats) in &mc.series {
        let p = &stats.percentiles[last];
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            names.label(*s),
            names.mc_value(*s, p[0]),
            names.mc_value(*s, p[2]),
            names.mc_value(*s, p[3]),
            names.mc_value(*s, p[4]),
            names.mc_value(*s, p[6]),
            names.mc_value(*s, stats.mean[last])
        );
    }
    out.push('\n');
    for p in mc.probabilities.iter().filter(|p| p.year > 0) {
        let _ = writeln!(
            out,
            "- **P({} {} ≥ {}) = {}%** ({} {} pp)",
            names.name(p.series),
            scenario.baseline_year + p.year as i32,
            names.value(p.series, p.stated),
            fixed(p.probability * 100.0, 1),
            if ko { "표준오차" } else { "standard error" },
            fixed(p.se * 100.0, 2)
        );
    }
    let _ = writeln!(
        out,
        "\n![fan](fan.{ext})\n\n![histogram](histogram.{ext})\n"
    );

    if let Some(o) = t.outputs.iter().position(|s| *s == head) {
        let _ = writeln!(
            out,
            "### {}\n",
            if ko {
                "토네이도 (한 번에 하나씩)"
            } else {
                "Tornado (one at a time)"
            }
        );
        let _ = writeln!(
            out,
            "| {} | P{} | P{} | {name} {ty} ({}) | {name} {ty} ({}) |",
            if ko { "입력값" } else { "input" },
            (t.swing.0 * 100.0).round(),
            (t.swing.1 * 100.0).round(),
            if ko { "낮음" } else { "low" },
            if ko { "높음" } else { "high" },
            name = names.name(head),
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|");
        let mut rows: Vec<&tornado::Swing> = t.rows.iter().collect();
        rows.sort_by(|a, b| b.width(o).total_cmp(&a.width(o)));
        for s in rows {
            let (a, b) = s.outputs[o];
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                names.input_label(s.input),
                significant_short(s.low),
                significant_short(s.high),
                names.value(head, a),
                names.value(head, b)
            );
        }
        let _ = writeln!(out, "\n![tornado](tornado.{ext})\n");
    }
    if let Some((outputs, e)) = sobol
        && let Some(o) = outputs.iter().position(|s| *s == head)
    {
        let _ = writeln!(
            out,
            "### {}\n",
            if ko {
                "소볼 민감도 지수"
            } else {
                "Sobol indices"
            }
        );
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            if ko { "입력값" } else { "input" },
            if ko {
                "1차 지수 (95% 구간)"
            } else {
                "first order (95% interval)"
            },
            if ko {
                "총 지수 (95% 구간)"
            } else {
                "total (95% interval)"
            }
        );
        let _ = writeln!(out, "|---|---:|---:|");
        for (i, ix) in e.indices[o].iter().enumerate() {
            let _ = writeln!(
                out,
                "| {} | {} ± {} | {} ± {} |",
                names.input_label(i),
                fixed(ix.first, 3),
                fixed(ix.first_conf, 3),
                fixed(ix.total, 3),
                fixed(ix.total_conf, 3)
            );
        }
        let _ = writeln!(out, "\n![sobol](sobol.{ext})\n");
    }
    out
}
