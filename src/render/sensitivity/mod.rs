//! The sensitivity part of an evaluation as outputs: tornado, Monte Carlo fan charts,
//! probabilities of stated figures, histogram and Sobol indices.
//!
//! | module | renders |
//! |---|---|
//! | `rows` | the CSV tables, as typed rows |
//! | `charts` | the chart data for `plot` |
//! | `text` | the terminal summary |
//! | `markdown` | the section of `report.md` |

mod charts;
mod markdown;
mod rows;
mod text;

pub use markdown::markdown;
pub use text::summary;

use crate::error::Error;
use crate::evaluate::Evaluation;
use crate::export::OutputFile;
use crate::export::rows::{FanRow, HistogramRow, ProbabilityRow, SobolRow, TornadoRow};
use crate::format::{fixed, grouped, significant};
use crate::scenario::expr::Quantity;
use crate::scenario::{Lang, Output, RatioKind, Scenario, Series};
use crate::stats::sampling::Method;
use charts::Charts;

/// The sensitivity tables of an evaluation as typed rows: what the CSV files and the
/// workbook's sheets hold.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    /// `tornado.csv`: every output's swings, outputs in order, inputs by swing.
    pub tornado: Vec<TornadoRow>,
    /// `fan.csv`: every series' percentiles, series in order, years ascending.
    pub fan: Vec<FanRow>,
    /// `probabilities.csv`.
    pub probabilities: Vec<ProbabilityRow>,
    /// `histogram.csv`: the headline output.
    pub histogram: Vec<HistogramRow>,
    /// `sobol.csv`: independent, then correlated inputs.
    pub sobol: Vec<SobolRow>,
}

/// The sensitivity tables of an evaluation; `None` without a sensitivity analysis.
pub fn tables(eval: &Evaluation) -> Option<Tables> {
    let sens = eval.sensitivity.as_ref()?;
    let histogram = sens.headline_histogram(eval.scenario, HISTOGRAM_BINS);
    Some(tables_of(
        sens,
        &Names::new(eval.scenario, eval.settings.lang),
        &histogram,
    ))
}

/// The headline histogram's bins (`histogram.csv`, `histogram.png`).
const HISTOGRAM_BINS: usize = 40;

/// The tables of `sens`, with the headline `histogram` the caller made (and draws).
fn tables_of(
    sens: &crate::evaluate::Sensitivity,
    names: &Names,
    histogram: &crate::sensitivity::monte_carlo::Histogram,
) -> Tables {
    let (scenario, mc) = (names.scenario, &sens.monte_carlo);
    let mut sobol_rows = Vec::new();
    for (set, inputs_as) in [
        (&sens.sobol, "independent"),
        (&sens.sobol_correlated, "correlated"),
    ] {
        if let Some((outputs, estimate)) = set {
            sobol_rows.extend(rows::sobol(outputs, estimate, inputs_as, names));
        }
    }
    Tables {
        tornado: rows::tornado(&sens.tornado, names),
        fan: rows::fan(scenario, mc, names),
        probabilities: rows::probabilities(scenario, mc, names),
        histogram: rows::histogram(sens.headline_output(), histogram, mc.infeasible, names),
        sobol: sobol_rows,
    }
}

/// The sensitivity files of an evaluation (CSV tables and charts); empty without a
/// sensitivity analysis.
pub fn files(
    eval: &Evaluation,
    format: crate::plot::ChartFormat,
) -> Result<Vec<OutputFile>, Error> {
    let Some(sens) = &eval.sensitivity else {
        return Ok(Vec::new());
    };
    let (scenario, settings) = (eval.scenario, eval.settings.simulation);
    let (mc, tornado, sobol) = (&sens.monte_carlo, &sens.tornado, &sens.sobol);
    let (head, o) = (sens.headline_output(), sens.headline);
    let names = Names::new(scenario, eval.settings.lang);
    let histogram = sens.headline_histogram(scenario, HISTOGRAM_BINS);
    let mut files = table_files(&tables_of(sens, &names, &histogram))?;

    let method_words = match (settings.method, names.lang) {
        (Method::LatinHypercube, Lang::En) => "Latin hypercube",
        (Method::Random, Lang::En) => "random sampling",
        (Method::LatinHypercube, Lang::Ko) => "라틴 하이퍼큐브",
        (Method::Random, Lang::Ko) => "무작위 표본",
    };
    let run_words = match names.lang {
        Lang::En => format!(
            "{} draws ({method_words}), seed {}{}",
            grouped(mc.feasible()),
            settings.seed,
            left_out(mc, names.lang)
        ),
        Lang::Ko => format!(
            "{}회 추출 ({method_words}), 시드 {}{}",
            grouped(mc.feasible()),
            settings.seed,
            left_out(mc, names.lang)
        ),
    };
    let footnotes = charts::range_footnotes(scenario, names.lang);
    let charts = Charts {
        fan: crate::plot::FanChart {
            money: eval.settings.money,
            ..charts::fan(
                scenario,
                &eval.projection,
                mc,
                &names,
                &run_words,
                &footnotes,
            )
        },
        tornado: charts::tornado(scenario, tornado, o, &names, &footnotes),
        histogram: charts::histogram(
            scenario,
            mc,
            (head, sens.headline_median(scenario)),
            histogram,
            &names,
            &run_words,
            &footnotes,
        ),
        // The chart shows the indices of the file's own model: under its correlations
        // when it has any.
        sobol: sens
            .sobol_correlated
            .as_ref()
            .or(sobol.as_ref())
            .and_then(|(outputs, e)| {
                charts::sobol(
                    scenario,
                    outputs,
                    e,
                    o,
                    eval.settings.sobol_samples,
                    sens.sobol_correlated.is_some(),
                    &names,
                    &footnotes,
                )
            }),
    };
    charts.render(&mut files, format)?;
    Ok(files)
}

/// The CSV files of the tables: `tornado.csv`, `fan.csv`, `probabilities.csv`,
/// `histogram.csv` and, with a Sobol analysis, `sobol.csv`.
pub fn table_files(t: &Tables) -> Result<Vec<OutputFile>, Error> {
    let mut files = vec![
        rows_file("tornado.csv", &t.tornado)?,
        rows_file("fan.csv", &t.fan)?,
        rows_file("probabilities.csv", &t.probabilities)?,
        rows_file("histogram.csv", &t.histogram)?,
    ];
    if !t.sobol.is_empty() {
        files.push(rows_file("sobol.csv", &t.sobol)?);
    }
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

/// Names and labels of series, in the user's words.
pub(super) struct Names<'a> {
    pub(super) scenario: &'a Scenario,
    pub(super) lang: Lang,
}

impl<'a> Names<'a> {
    pub(super) fn new(scenario: &'a Scenario, lang: Lang) -> Self {
        Names { scenario, lang }
    }

    pub(super) fn name(&self, s: Series) -> &'a str {
        match s {
            Series::Metric(i) => &self.scenario.metrics[i].name,
            Series::Ratio(i) => &self.scenario.ratios[i].name,
        }
    }

    pub(super) fn label(&self, s: Series) -> &'a str {
        match s {
            Series::Metric(i) => &self.scenario.metrics[i].label,
            Series::Ratio(i) => &self.scenario.ratios[i].label,
        }
    }

    pub(super) fn is_share(&self, s: Series) -> bool {
        matches!(s, Series::Ratio(i) if self.scenario.ratios[i].kind == RatioKind::Share)
    }

    /// The unit of a series: a metric's own, a plain ratio's ("A / B", or none), "%" for
    /// a share.
    pub(super) fn unit(&self, s: Series) -> &'a str {
        match s {
            Series::Metric(i) => &self.scenario.metrics[i].unit,
            _ if self.is_share(s) => "%",
            Series::Ratio(i) => &self.scenario.ratios[i].unit,
        }
    }

    pub(super) fn axis(&self, s: Series) -> String {
        match (s, self.is_share(s), self.lang) {
            (Series::Metric(_), _, _) => self.unit(s).to_owned(),
            (_, true, Lang::En) => "Share (%)".into(),
            (_, true, Lang::Ko) => "점유율 (%)".into(),
            (_, false, Lang::En) => with_unit("Ratio", self.unit(s)),
            (_, false, Lang::Ko) => with_unit("비율", self.unit(s)),
        }
    }

    /// "Korean share in 2031 (%)", "Korean sales in 2031 (trillion KRW)".
    pub(super) fn axis_in_year(&self, s: Series, year: i32) -> String {
        let unit = self.unit(s);
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
    pub(super) fn mc_value(&self, s: Series, v: f64) -> String {
        crate::format::estimate(v, self.is_share(s))
    }

    /// A value of series `s` for the terminal: percent for shares.
    pub(super) fn value(&self, s: Series, v: f64) -> String {
        crate::format::value(v, self.is_share(s), 2)
    }

    /// An output's title: "Korean share in 2031" for a series in a year, else as written.
    pub(super) fn out_title(&self, o: &Output) -> String {
        match (&o.quantity, o.quantity.series().year) {
            (Quantity::Value(_), Some((year, _))) => match self.lang {
                Lang::En => format!("{} in {year}", self.label(o.series)),
                Lang::Ko => format!("{} ({year}년)", self.label(o.series)),
            },
            _ => o.text.clone(),
        }
    }

    /// An output's short name for the terminal: "share in 2031", else as written.
    pub(super) fn out_short(&self, o: &Output) -> String {
        match (&o.quantity, o.quantity.series().year) {
            (Quantity::Value(_), Some((year, _))) => {
                format!("{} in {year}", self.name(o.series))
            }
            _ => o.text.clone(),
        }
    }

    /// The year an output is read in: its year, or the last of its span.
    pub(super) fn out_year(&self, o: &Output) -> i32 {
        o.quantity
            .series()
            .year
            .map(|y| y.0)
            .or_else(|| o.quantity.span().map(|s| s.1))
            .unwrap_or(self.scenario.target_year)
    }

    /// Whether an output is shown in percent: rates, and values or averages of shares.
    pub(super) fn out_percent(&self, o: &Output) -> bool {
        o.quantity.is_rate()
            || (matches!(o.quantity, Quantity::Value(_) | Quantity::Average(..))
                && self.is_share(o.series))
    }

    /// A value of an output for the terminal and tables.
    pub(super) fn out_value(&self, o: &Output, v: f64) -> String {
        crate::format::value(v, self.out_percent(o), 2)
    }

    /// The axis label of an output.
    pub(super) fn out_axis(&self, o: &Output) -> String {
        match (&o.quantity, o.quantity.series().year) {
            (Quantity::Value(_), Some((year, _))) => self.axis_in_year(o.series, year),
            _ if self.out_percent(o) => format!("{} (%)", o.text),
            _ => with_unit(&o.text, self.unit(o.series)),
        }
    }

    pub(super) fn input_label(&self, i: usize) -> &'a str {
        self.scenario
            .uncertainty
            .as_ref()
            .map_or("", |u| u.inputs[i].label.as_str())
    }
}

/// A value with 4 significant digits for labels.
pub(super) fn significant_short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return significant(v);
    }
    let magnitude = v.abs().log10().floor() as i32;
    fixed(v, (3 - magnitude).max(0) as usize)
}

/// "; 12 draws left out (0.0012%): they cannot be projected", or nothing when none were.
pub(super) fn left_out(mc: &crate::sensitivity::monte_carlo::MonteCarlo, lang: Lang) -> String {
    if mc.infeasible == 0 {
        return String::new();
    }
    let pct = fixed(mc.infeasible as f64 / mc.draws as f64 * 100.0, 4);
    match lang {
        Lang::En => format!(
            "; {} draws left out ({pct}%): they cannot be projected",
            grouped(mc.infeasible)
        ),
        Lang::Ko => format!(
            "; 계산할 수 없는 {}회 ({pct}%) 제외",
            grouped(mc.infeasible)
        ),
    }
}

/// A swing's result for the terminal: "12.3% → 16.1%", or which end could not be
/// projected and why.
pub(super) fn swing_words(
    names: &Names,
    output: &Output,
    swing: &crate::sensitivity::tornado::Swing,
    low: f64,
    high: f64,
) -> String {
    let end = |v: f64| {
        if v.is_nan() {
            "cannot be projected".to_owned()
        } else {
            names.out_value(output, v)
        }
    };
    let words = format!("{} → {}", end(low), end(high));
    match (&swing.problem, low.is_nan() || high.is_nan()) {
        (Some(why), true) => format!("{words} ({why})"),
        _ => words,
    }
}

/// "Ratio (USD / applications)", or the text alone without a unit.
fn with_unit(text: &str, unit: &str) -> String {
    if unit.is_empty() {
        text.to_owned()
    } else {
        format!("{text} ({unit})")
    }
}
