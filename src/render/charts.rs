//! Chart data from an evaluation (paths, segments) and the one helper that renders a
//! chart to PNG (and SVG) files.

use crate::error::Error;
use crate::export::OutputFile;
use crate::format::Money;
use crate::model::Projection;
use crate::plot::{self, ChartSeries, PathsChart};
use crate::scenario::{Lang, RatioKind, Scenario, Shape};

/// `paths.png` and a stacked chart per sum of segments, for one scenario.
pub fn files(
    scenario: &Scenario,
    projection: &Projection,
    lang: Lang,
    money: Money,
    format: plot::ChartFormat,
) -> Result<Vec<OutputFile>, Error> {
    let paths = PathsChart {
        money,
        ..paths_chart(scenario, projection, lang)
    };
    let stacked = stacked_charts(scenario, projection, lang, money);
    let mut charts: Vec<(String, &(dyn plot::Chart + Sync))> = vec![("paths".into(), &paths)];
    for (metric, chart) in &stacked {
        charts.push((format!("segments_{metric}"), chart));
    }
    render_charts(&charts, format)
}

/// A stacked chart for every metric that is a sum of segments: (metric name, chart).
pub fn stacked_charts(
    scenario: &Scenario,
    projection: &Projection,
    lang: Lang,
    money: Money,
) -> Vec<(String, plot::StackedChart)> {
    scenario
        .metrics
        .iter()
        .filter_map(|m| match &m.shape {
            Shape::Sum { segments, .. } => Some((m, segments)),
            _ => None,
        })
        .map(|(m, segments)| {
            let chart = plot::StackedChart {
                money,
                title: format!("{}: {}", scenario.name, m.label),
                subtitle: match lang {
                    Lang::En => format!("{} by segment, {}", m.label, m.unit),
                    Lang::Ko => format!("{} 부문별, 단위: {}", m.label, m.unit),
                },
                year_axis: match lang {
                    Lang::En => "Year".into(),
                    Lang::Ko => "연도".into(),
                },
                value_axis: m.unit.clone(),
                years: projection.years.clone(),
                segments: segments
                    .iter()
                    .map(|&j| {
                        (
                            scenario.metrics[j].label.clone(),
                            projection.metrics[j].clone(),
                        )
                    })
                    .collect(),
                stated_totals: vec![
                    (m.baseline.year, m.baseline.value),
                    (m.target.year, m.target.value),
                ],
                stated_label: match lang {
                    Lang::En => "stated total".into(),
                    Lang::Ko => "발표 합계".into(),
                },
                footnotes: {
                    let shown: Vec<usize> = scenario
                        .metrics
                        .iter()
                        .position(|x| x.name == m.name)
                        .into_iter()
                        .chain(segments.iter().copied())
                        .collect();
                    source_notes(scenario, lang, Some(&shown))
                },
            };
            (m.name.clone(), grouped_segments(chart, lang))
        })
        .collect()
}

/// A stacked chart keeps its [`plot::MAX_STACKED`] − 1 largest segments (by their last
/// value) and draws the rest as one band, "other (N segments)", with a note saying so.
fn grouped_segments(mut chart: plot::StackedChart, lang: Lang) -> plot::StackedChart {
    let n = chart.segments.len();
    if n <= plot::MAX_STACKED {
        return chart;
    }
    let last = |v: &Vec<f64>| v.last().copied().unwrap_or(0.0);
    let mut by_size: Vec<usize> = (0..n).collect();
    by_size.sort_by(|&a, &b| last(&chart.segments[b].1).total_cmp(&last(&chart.segments[a].1)));
    let kept = plot::MAX_STACKED - 1;
    let mut keep = vec![false; n];
    for &i in &by_size[..kept] {
        keep[i] = true;
    }
    let mut other = vec![0.0; chart.years.len()];
    let mut segments = Vec::with_capacity(plot::MAX_STACKED);
    for (i, segment) in std::mem::take(&mut chart.segments).into_iter().enumerate() {
        if keep[i] {
            segments.push(segment);
        } else {
            for (o, v) in other.iter_mut().zip(&segment.1) {
                *o += v;
            }
        }
    }
    let rest = n - kept;
    let (label, note) = match lang {
        Lang::En => (
            format!("other ({rest} segments)"),
            format!(
                "The {rest} smallest segments are drawn together as \"other\"; paths.csv has each."
            ),
        ),
        Lang::Ko => (
            format!("기타 ({rest}개 부문)"),
            format!(
                "작은 부문 {rest}개는 \"기타\"로 합쳐 표시합니다. 각 부문은 paths.csv에 있습니다."
            ),
        ),
    };
    segments.push((label, other));
    chart.segments = segments;
    chart.footnotes.insert(0, note);
    chart
}

/// Renders `charts` as `NAME.png` (and `NAME.svg` when the format asks for it), all at
/// once on the worker threads, in the order given: the files are the same whatever the
/// number of threads.
pub fn render_charts(
    charts: &[(String, &(dyn plot::Chart + Sync))],
    format: plot::ChartFormat,
) -> Result<Vec<OutputFile>, Error> {
    use rayon::prelude::*;
    if !plot::ENABLED {
        return Ok(Vec::new());
    }
    let rendered: Vec<Vec<OutputFile>> = charts
        .par_iter()
        .map(|&(ref name, chart)| {
            let mut files = vec![OutputFile {
                name: format!("{name}.png"),
                bytes: chart
                    .png(&format.canvas)
                    .map_err(plot_error(&format!("{name}.png")))?,
            }];
            if format.svg {
                files.push(OutputFile {
                    name: format!("{name}.svg"),
                    bytes: chart
                        .svg(&format.canvas)
                        .map_err(plot_error(&format!("{name}.svg")))?
                        .into_bytes(),
                });
            }
            Ok(files)
        })
        .collect::<Result<_, Error>>()?;
    Ok(rendered.into_iter().flatten().collect())
}

/// Maps a chart error to an internal error naming the chart.
fn plot_error(name: &str) -> impl Fn(plot::PlotError) -> Error + use<> {
    let name = name.to_owned();
    move |e: plot::PlotError| {
        if e.is_too_large() {
            Error::Usage(format!(
                "{name} would be too large: {}; use a smaller --chart-width or --dpi",
                e.message()
            ))
        } else {
            Error::Internal {
                context: name.clone(),
                message: e.to_string(),
            }
        }
    }
}

/// The chart data for `paths.png`.
pub fn paths_chart(scenario: &Scenario, projection: &Projection, lang: Lang) -> PathsChart {
    // Observed years before the baseline widen the chart to the left; the projected
    // lines start at the baseline (NaN before it).
    let first = scenario.first_year();
    let before = usize::try_from(scenario.baseline_year - first).unwrap_or(0);
    let padded = |path: &Vec<f64>| {
        std::iter::repeat_n(f64::NAN, before)
            .chain(path.iter().copied())
            .collect::<Vec<f64>>()
    };
    let mut metrics: Vec<ChartSeries> = scenario
        .metrics
        .iter()
        .zip(&projection.metrics)
        .map(|(m, path)| ChartSeries {
            label: match (&m.fit, lang) {
                (None, _) => m.label.clone(),
                (Some(_), Lang::En) => format!("{} (fitted)", m.label),
                (Some(_), Lang::Ko) => format!("{} (적합)", m.label),
            },
            values: padded(path),
            observed: m.observed.iter().map(|p| (p.year, p.value)).collect(),
            unit: if m.unit == scenario.unit {
                String::new()
            } else {
                m.unit.clone()
            },
            cap: match m.shape {
                Shape::Logistic { cap } | Shape::Gompertz { cap } => Some((
                    cap,
                    match lang {
                        Lang::En => format!("cap {}", crate::format::significant(cap)),
                        Lang::Ko => format!("상한 {}", crate::format::significant(cap)),
                    },
                )),
                _ => None,
            },
            given: m.given_points().map(|p| (p.year, p.value)).collect(),
            stated: m.stated.iter().map(|s| (s.year, s.value)).collect(),
        })
        .collect();
    // Metrics in one unit side by side (a panel each), units in order of appearance.
    let units: Vec<&str> = scenario.metrics.iter().map(|m| m.unit.as_str()).collect();
    let rank = |unit: &str| units.iter().position(|u| *u == unit).unwrap_or(0);
    metrics.sort_by_key(|s| {
        rank(if s.unit.is_empty() {
            scenario.unit.as_str()
        } else {
            s.unit.as_str()
        })
    });
    let ratios = scenario
        .ratios
        .iter()
        .zip(&projection.ratios)
        .map(|(r, path)| ChartSeries {
            label: r.label.clone(),
            values: padded(path),
            observed: Vec::new(),
            unit: String::new(),
            cap: None,
            given: Vec::new(),
            stated: r.stated.iter().map(|s| (s.year, s.value)).collect(),
        })
        .collect();
    let all_shares =
        !scenario.ratios.is_empty() && scenario.ratios.iter().all(|r| r.kind == RatioKind::Share);

    let mut markers: Vec<(i32, String)> = Vec::new();
    let starts: Vec<(i32, &str)> = scenario
        .metrics
        .iter()
        .filter_map(|m| m.start.as_ref().map(|s| (s.year, m.label.as_str())))
        .collect();
    for &(year, label) in &starts {
        if markers.iter().any(|(y, _)| *y == year) {
            continue;
        }
        let same_year = starts.iter().filter(|(y, _)| *y == year).count();
        let text = match (lang, same_year == starts.len()) {
            (Lang::En, true) => "Programme start".to_owned(),
            (Lang::Ko, true) => "사업 시작".to_owned(),
            (Lang::En, false) => format!("{label}: start"),
            (Lang::Ko, false) => format!("{label}: 시작"),
        };
        markers.push((year, text));
    }

    let (year_axis, given_label, stated_label, ratio_axis) = match lang {
        Lang::En => (
            "Year",
            "given in scenario",
            "stated figure",
            if all_shares { "Share (%)" } else { "Ratio" },
        ),
        Lang::Ko => (
            "연도",
            "시나리오 입력값",
            "발표 수치",
            if all_shares {
                "점유율 (%)"
            } else {
                "비율"
            },
        ),
    };
    let footnotes = source_notes(scenario, lang, None);
    // One unit in the subtitle when every metric has it; otherwise each panel says its own.
    let one_unit = scenario.metrics.iter().all(|m| m.unit == scenario.unit);
    let (b, t) = (scenario.baseline_year, scenario.target_year);
    let subtitle = match (lang, one_unit) {
        (Lang::En, true) => format!("Projection {b}–{t}, {}", scenario.unit),
        (Lang::En, false) => format!("Projection {b}–{t}"),
        (Lang::Ko, true) => format!("{b}–{t}년 전망, 단위: {}", scenario.unit),
        (Lang::Ko, false) => format!("{b}–{t}년 전망"),
    };
    // Plain ratios in one unit say it on their axis.
    let ratio_units: Vec<&str> = scenario.ratios.iter().map(|r| r.unit.as_str()).collect();
    let ratio_axis = match ratio_units.first() {
        Some(u) if !all_shares && !u.is_empty() && ratio_units.iter().all(|x| x == u) => {
            format!("{ratio_axis} ({u})")
        }
        _ => ratio_axis.to_owned(),
    };

    PathsChart {
        money: Money::Plain,
        title: scenario.name.clone(),
        subtitle,
        year_axis: year_axis.into(),
        metric_axis: scenario.unit.clone(),
        ratio_axis,
        years: (first..=scenario.target_year).collect(),
        metrics,
        ratios,
        ratios_as_percent: all_shares,
        markers,
        given_label: given_label.into(),
        stated_label: stated_label.into(),
        observed_label: match lang {
            Lang::En => "observed",
            Lang::Ko => "실적",
        }
        .into(),
        footnotes,
    }
}

/// The most footnotes a chart carries; the rest are counted on a last line that points to
/// `report.md`, which lists them all.
pub const MAX_FOOTNOTES: usize = 12;

/// One footnote per source that a figure on the chart cites (given points, stated and
/// observed figures) of the metrics `metrics` (indices), or of every metric and ratio when
/// `None`; sources nothing on the chart cites are left to the report.
pub(crate) fn source_notes(
    scenario: &Scenario,
    lang: Lang,
    metrics: Option<&[usize]>,
) -> Vec<String> {
    let word = match lang {
        Lang::En => "Source",
        Lang::Ko => "출처",
    };
    let shown = |i: usize| metrics.is_none_or(|list| list.contains(&i));
    let mut cited: Vec<&str> = Vec::new();
    for (_, m) in scenario
        .metrics
        .iter()
        .enumerate()
        .filter(|(i, _)| shown(*i))
    {
        let points = m.given_points().chain(&m.observed).map(|p| &p.source);
        cited.extend(
            points
                .chain(m.stated.iter().map(|s| &s.source))
                .flatten()
                .map(String::as_str),
        );
    }
    if metrics.is_none() {
        for r in &scenario.ratios {
            cited.extend(r.stated.iter().filter_map(|s| s.source.as_deref()));
        }
    }
    bounded_notes(
        scenario
            .sources
            .iter()
            .filter(|s| cited.contains(&s.key.as_str()))
            .map(|s| format!("{word} [{}]: {}", s.key, s.citation))
            .collect(),
        lang,
    )
}

/// `notes` cut to [`MAX_FOOTNOTES`] lines, the last one saying how many were left out.
pub(crate) fn bounded_notes(mut notes: Vec<String>, lang: Lang) -> Vec<String> {
    if notes.len() > MAX_FOOTNOTES {
        let left_out = notes.len() - (MAX_FOOTNOTES - 1);
        notes.truncate(MAX_FOOTNOTES - 1);
        notes.push(match lang {
            Lang::En => format!("… and {left_out} more notes: report.md lists them all."),
            Lang::Ko => format!("… 외 {left_out}건: 전체 목록은 report.md에 있습니다."),
        });
    }
    notes
}

/// `panels` cut to [`plot::MAX_PANELS`], with a footnote (first) saying how many series
/// the chart leaves out and which file has them all.
pub(crate) fn bounded_panels<T>(
    panels: &mut Vec<T>,
    notes: &mut Vec<String>,
    file: &str,
    lang: Lang,
) {
    bounded(
        panels,
        plot::MAX_PANELS,
        notes,
        (file, "series", "계열"),
        lang,
    );
}

/// `bars` (most important first) cut to [`plot::MAX_BARS`], with a footnote (first)
/// saying how many inputs the chart leaves out and which file has them all.
pub(crate) fn bounded_bars<T>(bars: &mut Vec<T>, notes: &mut Vec<String>, file: &str, lang: Lang) {
    bounded(
        bars,
        plot::MAX_BARS,
        notes,
        (file, "inputs", "입력값"),
        lang,
    );
}

fn bounded<T>(
    items: &mut Vec<T>,
    most: usize,
    notes: &mut Vec<String>,
    (file, en, ko): (&str, &str, &str),
    lang: Lang,
) {
    if items.len() > most {
        notes.insert(0, left_out_note(most, items.len(), (file, en, ko), lang));
        items.truncate(most);
    }
}

/// "The chart shows the first 40 of 101 scenarios and variants; compare.csv has them all."
pub(crate) fn left_out_note(
    most: usize,
    all: usize,
    (file, en, ko): (&str, &str, &str),
    lang: Lang,
) -> String {
    match lang {
        Lang::En => format!("The chart shows the first {most} of {all} {en}; {file} has them all."),
        Lang::Ko => {
            format!("{ko} {all}개 중 처음 {most}개만 표시합니다. 전체는 {file}에 있습니다.")
        }
    }
}
