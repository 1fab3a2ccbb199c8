//! `workbook.xlsx`: a run's tables as an Excel workbook, numbers as numbers, with native
//! charts the analyst can restyle (see [`crate::export::xlsx`]).
//!
//! | sheet (en / ko) | holds |
//! |---|---|
//! | Paths / 경로 | year by year, observed and projected, every metric and ratio; a line chart |
//! | Percentiles / 백분위수 | `fan.csv`; a fan chart of the headline series |
//! | Probabilities / 확률 | `probabilities.csv` |
//! | Tornado / 토네이도 | `tornado.csv`; a tornado chart of the headline output |
//! | Sobol / 소볼 지수 | `sobol.csv` |
//! | Checks / 점검 | every check of the base and each variant |
//! | Assumptions / 가정과 출처 | given points, uncertain inputs and sources |
//! | Variants / 변형 비교 | the base and every variant side by side |

use crate::error::Error;
use crate::evaluate::Evaluation;
use crate::export::OutputFile;
use crate::export::rows::{Cell, Row, TornadoRow};
use crate::export::xlsx::{self, ChartKind, Sheet, SheetChart, Style};
use crate::format::{Money, korean_unit, won_per};
use crate::scenario::{Lang, RatioKind, Scenario, Series};

/// `workbook.xlsx` for a run: the base's tables, and every variant beside it.
pub fn file(evals: &[Evaluation]) -> Result<OutputFile, Error> {
    Ok(OutputFile {
        name: "workbook.xlsx".into(),
        bytes: xlsx::workbook(&sheets(evals))?,
    })
}

/// The sheets of the workbook (see the module docs).
pub fn sheets(evals: &[Evaluation]) -> Vec<Sheet> {
    let Some(base) = evals.first() else {
        return Vec::new();
    };
    let lang = base.settings.lang;
    let w = |en: &str, ko: &str| -> String { if lang == Lang::Ko { ko } else { en }.to_owned() };
    let mut out = vec![paths(base, lang)];
    if let Some(t) = super::sensitivity::tables(base) {
        let shares = share_names(base.scenario);
        let share_of = |name: &str| shares.iter().any(|s| s == name);
        // Percentiles, with the band widths a stacked chart needs at the right.
        let mut fan = table(w("Percentiles", "백분위수"), &t.fan, lang, |row| {
            share_of(text(&row[0]))
        });
        let columns = fan.header.len();
        fan.header.extend([
            w("(chart) P25 − P5", "(차트) P25 − P5"),
            w("(chart) P75 − P25", "(차트) P75 − P25"),
            w("(chart) P95 − P75", "(차트) P95 − P75"),
        ]);
        for (row, r) in fan.rows.iter_mut().zip(&t.fan) {
            let (p5, p25, p75, p95) = (r.p5.0, r.p25.0, r.p75.0, r.p95.0);
            let share = share_of(&r.series);
            let cell = |x: f64| {
                if share {
                    Cell::Percent(x)
                } else {
                    Cell::Number(x)
                }
            };
            row.extend([cell(p25 - p5), cell(p75 - p25), cell(p95 - p75)]);
        }
        if let Some(sens) = &base.sensitivity {
            let head = sens.headline_output();
            let name = base.scenario.series_name(head.series).to_owned();
            let rows: Vec<u32> = (0..t.fan.len())
                .filter(|&r| t.fan[r].series == name)
                .map(|r| r as u32)
                .collect();
            if let (Some(&first), Some(&last)) = (rows.first(), rows.last()) {
                let c = |i: usize| i as u16;
                fan.charts.push(SheetChart {
                    kind: ChartKind::Fan,
                    title: label_of(base.scenario, head.series).to_owned(),
                    x_title: w("Year", "연도"),
                    y_title: axis_title(base.scenario, head.series),
                    categories: 1,
                    rows: (first, last),
                    series: vec![
                        ("P5".into(), c(4)),
                        (w("90% band (P5–P95)", "90% 구간 (P5–P95)"), c(columns)),
                        (
                            w("50% band (P25–P75)", "50% 구간 (P25–P75)"),
                            c(columns + 1),
                        ),
                        (
                            w("90% band (P75–P95)", "90% 구간 (P75–P95)"),
                            c(columns + 2),
                        ),
                        (w("median", "중앙값"), c(7)),
                    ],
                    percent: share_of(&name),
                });
            }
        }
        out.push(fan);
        out.push(table(
            w("Probabilities", "확률"),
            &t.probabilities,
            lang,
            |row| share_of(text(&row[0])),
        ));
        let mut tornado = table(w("Tornado", "토네이도"), &t.tornado, lang, |row| {
            share_of(text(&row[0]))
        });
        tornado_chart(&mut tornado, &t.tornado, base, lang);
        out.push(tornado);
        if !t.sobol.is_empty() {
            out.push(table(w("Sobol", "소볼 지수"), &t.sobol, lang, |_| {
                false
            }));
        }
    }
    out.push(checks(evals, lang));
    out.push(assumptions(base.scenario, lang));
    if evals.len() > 1 {
        out.push(variants(evals, lang));
    }
    out
}

/// The text of a text cell ("" otherwise).
fn text(cell: &Cell) -> &str {
    match cell {
        Cell::Text(t) => t,
        _ => "",
    }
}

fn share_names(s: &Scenario) -> Vec<String> {
    s.ratios
        .iter()
        .filter(|r| r.kind == RatioKind::Share)
        .map(|r| r.name.clone())
        .collect()
}

fn label_of(s: &Scenario, series: Series) -> &str {
    match series {
        Series::Metric(i) => &s.metrics[i].label,
        Series::Ratio(i) => &s.ratios[i].label,
    }
}

fn axis_title(s: &Scenario, series: Series) -> String {
    match series {
        Series::Metric(i) => s.metrics[i].unit.clone(),
        Series::Ratio(i) if s.ratios[i].kind == RatioKind::Share => "%".into(),
        Series::Ratio(i) => s.ratios[i].unit.clone(),
    }
}

/// A sheet of typed rows, numbers of rows for which `share` holds shown in percent.
fn table<T: Row>(name: String, rows: &[T], lang: Lang, share: impl Fn(&[Cell]) -> bool) -> Sheet {
    Sheet {
        name,
        header: T::COLUMNS.iter().map(|c| column_name(c, lang)).collect(),
        rows: rows
            .iter()
            .map(|r| {
                let cells = r.cells();
                if share(&cells) {
                    cells.into_iter().map(as_percent).collect()
                } else {
                    cells
                }
            })
            .collect(),
        styles: Vec::new(),
        charts: Vec::new(),
    }
}

/// Shares are fractions: a number becomes a percentage; counts and years stay as they are.
fn as_percent(cell: Cell) -> Cell {
    match cell {
        Cell::Number(x) => Cell::Percent(x),
        other => other,
    }
}

/// A CSV column's name as a workbook header: as in the CSV file in English, in words in
/// Korean.
fn column_name(column: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return column.to_owned();
    }
    let ko = match column {
        "series" => "계열",
        "output" => "출력",
        "year" => "연도",
        "input" => "입력",
        "input_low" => "입력 하한",
        "input_high" => "입력 상한",
        "output_at_low" => "하한일 때 출력",
        "output_at_high" => "상한일 때 출력",
        "swing" => "변동 폭",
        "base" => "기준값",
        "problem" => "문제",
        "mean" => "평균",
        "sd" => "표준편차",
        "mean_se" => "평균의 표준오차",
        "percentile_relative_error" => "백분위수 상대 오차",
        "left_out" => "제외된 추출",
        "stated" => "발표값",
        "probability_at_or_above" => "이상일 확률",
        "standard_error" => "표준오차",
        "draws" => "추출 수",
        "bin_low" => "구간 하한",
        "bin_high" => "구간 상한",
        "fraction" => "비율",
        "first" => "1차 지수",
        "first_low" => "1차 지수 하한",
        "first_high" => "1차 지수 상한",
        "total" => "총 지수",
        "total_low" => "총 지수 하한",
        "total_high" => "총 지수 상한",
        "rows_left_out" => "제외된 행",
        "inputs_as" => "입력 가정",
        other => {
            // p5 … p95 and their standard errors.
            return match other.strip_suffix("_se") {
                Some(p) => format!("{} 표준오차", p.to_uppercase()),
                None => other.to_uppercase(),
            };
        }
    };
    ko.to_owned()
}

/// The paths sheet: a row per year from the earliest observed one, a column per metric
/// (and its observed values) and ratio; a line chart of the metrics in the scenario's
/// unit with their observed values.
fn paths(eval: &Evaluation, lang: Lang) -> Sheet {
    let s = eval.scenario;
    let observed_word = if lang == Lang::Ko {
        " (실적)"
    } else {
        " (observed)"
    };
    let first = s.first_year();
    let years: Vec<i32> = (first..=s.target_year).collect();
    let mut header = vec![if lang == Lang::Ko { "연도" } else { "year" }.to_owned()];
    let mut columns: Vec<Box<dyn Fn(i32) -> Cell + '_>> = Vec::new();
    let mut chart_series = Vec::new();
    let mut styles = vec![Style::Plain];
    // With `--money korean`, amounts of won show their Korean unit (52.0조 원).
    let metric_style = |unit: &str| match (eval.settings.money, won_per(unit).and_then(korean_unit))
    {
        (Money::Korean, Some(name)) => Style::Won(name),
        _ => Style::Number,
    };
    let projected = |path: &'_ [f64], year: i32| {
        usize::try_from(year - s.baseline_year)
            .ok()
            .and_then(|i| path.get(i))
            .copied()
            .unwrap_or(f64::NAN)
    };
    for (m, path) in s.metrics.iter().zip(&eval.projection.metrics) {
        let in_unit = m.unit == s.unit;
        if in_unit {
            chart_series.push((m.label.clone(), header.len() as u16));
        }
        header.push(format!("{} ({})", m.label, m.unit));
        styles.push(metric_style(&m.unit));
        columns.push(Box::new(move |y| Cell::Number(projected(path, y))));
        if !m.observed.is_empty() {
            if in_unit {
                chart_series.push((format!("{}{observed_word}", m.label), header.len() as u16));
            }
            header.push(format!("{}{observed_word}", m.label));
            styles.push(metric_style(&m.unit));
            columns.push(Box::new(move |y| {
                Cell::Number(m.observed_in(y).unwrap_or(f64::NAN))
            }));
        }
    }
    for (r, path) in s.ratios.iter().zip(&eval.projection.ratios) {
        let share = r.kind == RatioKind::Share;
        header.push(if share {
            format!("{} (%)", r.label)
        } else {
            r.label.clone()
        });
        columns.push(Box::new(move |y| {
            let v = projected(path, y);
            if share {
                Cell::Percent(v)
            } else {
                Cell::Number(v)
            }
        }));
    }
    let rows = years
        .iter()
        .map(|&y| {
            std::iter::once(Cell::Integer(i64::from(y)))
                .chain(columns.iter().map(|c| c(y)))
                .collect()
        })
        .collect();
    styles.resize(header.len(), Style::Number);
    let charts = if chart_series.is_empty() {
        Vec::new()
    } else {
        vec![SheetChart {
            kind: ChartKind::Lines,
            title: s.name.clone(),
            x_title: if lang == Lang::Ko { "연도" } else { "Year" }.into(),
            y_title: s.unit.clone(),
            categories: 0,
            rows: (0, years.len().saturating_sub(1) as u32),
            series: chart_series,
            percent: false,
        }]
    };
    Sheet {
        name: if lang == Lang::Ko { "경로" } else { "Paths" }.into(),
        header,
        rows,
        styles,
        charts,
    }
}

/// A tornado chart of the headline output: the change from the base at the input's low
/// and high value, in two helper columns at the right.
fn tornado_chart(sheet: &mut Sheet, rows: &[TornadoRow], eval: &Evaluation, lang: Lang) {
    let Some(sens) = &eval.sensitivity else {
        return;
    };
    let head = sens.headline_output();
    let columns = sheet.header.len();
    let ko = lang == Lang::Ko;
    sheet.header.extend([
        if ko {
            "(차트) 하한일 때 변화"
        } else {
            "(chart) change at low"
        }
        .to_owned(),
        if ko {
            "(차트) 상한일 때 변화"
        } else {
            "(chart) change at high"
        }
        .to_owned(),
    ]);
    for (row, r) in sheet.rows.iter_mut().zip(rows) {
        let (low, high, base) = (r.output_at_low.0, r.output_at_high.0, r.base.0);
        let share = matches!(row[5], Cell::Percent(_));
        let cell = |x: f64| {
            if share {
                Cell::Percent(x)
            } else {
                Cell::Number(x)
            }
        };
        row.extend([cell(low - base), cell(high - base)]);
    }
    let rows: Vec<u32> = (0..rows.len())
        .filter(|&r| rows[r].output == head.text)
        .map(|r| r as u32)
        .collect();
    let (Some(&first), Some(&last)) = (rows.first(), rows.last()) else {
        return;
    };
    sheet.charts.push(SheetChart {
        kind: ChartKind::Tornado,
        title: if ko {
            format!("{}: 입력별 변화", head.text)
        } else {
            format!("{}: change from the base by input", head.text)
        },
        x_title: if ko { "입력" } else { "Input" }.into(),
        y_title: if ko {
            "기준값 대비 변화"
        } else {
            "Change from the base"
        }
        .into(),
        categories: 2,
        rows: (first, last),
        series: vec![
            (
                if ko { "하한일 때" } else { "input low" }.into(),
                columns as u16,
            ),
            (
                if ko { "상한일 때" } else { "input high" }.into(),
                columns as u16 + 1,
            ),
        ],
        percent: matches!(head.series, Series::Ratio(i)
            if eval.scenario.ratios[i].kind == RatioKind::Share),
    });
}

/// Every check of every evaluation.
fn checks(evals: &[Evaluation], lang: Lang) -> Sheet {
    let ko = lang == Lang::Ko;
    let header = if ko {
        ["변형", "점검", "결과", "값", "기준", "이유"]
    } else {
        ["variant", "check", "result", "value", "bound", "why"]
    };
    let rows = evals
        .iter()
        .flat_map(|e| {
            e.checks.iter().map(move |o| {
                let result = match (o.skipped.is_some(), o.passed, ko) {
                    (true, _, false) => "SKIP",
                    (true, _, true) => "제외",
                    (false, true, false) => "PASS",
                    (false, true, true) => "통과",
                    (false, false, false) => "FAIL",
                    (false, false, true) => "실패",
                };
                let why = o
                    .skipped
                    .clone()
                    .or_else(|| o.why.clone())
                    .unwrap_or_default();
                vec![
                    Cell::Text(e.name().to_owned()),
                    Cell::Text(o.name.clone()),
                    Cell::Text(result.to_owned()),
                    Cell::Text(o.actual.clone()),
                    Cell::Text(o.bound.clone()),
                    Cell::Text(why),
                ]
            })
        })
        .collect();
    Sheet {
        name: if ko { "점검" } else { "Checks" }.into(),
        header: header.iter().map(|h| (*h).to_owned()).collect(),
        rows,
        styles: vec![Style::Plain; 6],
        charts: Vec::new(),
    }
}

/// Given points, observed series, uncertain inputs and sources.
fn assumptions(s: &Scenario, lang: Lang) -> Sheet {
    let ko = lang == Lang::Ko;
    let header = if ko {
        ["구분", "이름", "연도", "값", "출처", "설명"]
    } else {
        ["kind", "name", "year", "value", "source", "text"]
    };
    let word = |en: &str, k: &str| Cell::Text(if ko { k } else { en }.to_owned());
    let mut rows = Vec::new();
    for m in &s.metrics {
        for p in m.given_points() {
            rows.push(vec![
                word("given point", "주어진 값"),
                Cell::Text(m.name.clone()),
                Cell::Integer(i64::from(p.year)),
                Cell::Number(p.value),
                Cell::Text(p.source.clone().unwrap_or_default()),
                Cell::Text(m.unit.clone()),
            ]);
        }
        for p in &m.observed {
            rows.push(vec![
                word("observed", "실적"),
                Cell::Text(m.name.clone()),
                Cell::Integer(i64::from(p.year)),
                Cell::Number(p.value),
                Cell::Text(p.source.clone().unwrap_or_default()),
                Cell::Text(m.unit.clone()),
            ]);
        }
        if let Some(f) = &m.fit {
            rows.push(vec![
                word("fit", "적합"),
                Cell::Text(m.name.clone()),
                Cell::Text(String::new()),
                Cell::Number(f.fit.r_squared),
                Cell::Text(String::new()),
                Cell::Text(format!(
                    "{}; {}; {}",
                    f.method_words(m, lang),
                    f.estimate_words(lang).join(", "),
                    f.quality_words(lang)
                )),
            ]);
        }
    }
    for input in s.uncertainty.iter().flat_map(|u| &u.inputs) {
        rows.push(vec![
            word("uncertain input", "불확실 입력"),
            Cell::Text(input.name.clone()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text(input.source.clone().unwrap_or_default()),
            Cell::Text(format!("{}: {}", input.label, input.words(lang))),
        ]);
    }
    for source in &s.sources {
        rows.push(vec![
            word("source", "출처"),
            Cell::Text(source.key.clone()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text(source.key.clone()),
            Cell::Text(source.citation.clone()),
        ]);
    }
    Sheet {
        name: if ko {
            "가정과 출처"
        } else {
            "Assumptions"
        }
        .into(),
        header: header.iter().map(|h| (*h).to_owned()).collect(),
        rows,
        styles: vec![Style::Plain, Style::Plain, Style::Plain, Style::Number],
        charts: Vec::new(),
    }
}

/// The base and every variant side by side: a row per variant and year, a column per
/// series of the base.
fn variants(evals: &[Evaluation], lang: Lang) -> Sheet {
    let ko = lang == Lang::Ko;
    let base = evals[0].scenario;
    let mut header = vec![
        if ko { "변형" } else { "variant" }.to_owned(),
        if ko { "연도" } else { "year" }.to_owned(),
    ];
    header.extend(
        base.metrics
            .iter()
            .map(|m| format!("{} ({})", m.label, m.unit)),
    );
    header.extend(base.ratios.iter().map(|r| r.label.clone()));
    let mut rows = Vec::new();
    for e in evals {
        let s = e.scenario;
        for (i, year) in s.years().enumerate() {
            let mut row = vec![
                Cell::Text(e.name().to_owned()),
                Cell::Integer(i64::from(year)),
            ];
            for m in &base.metrics {
                let v = s
                    .metrics
                    .iter()
                    .position(|x| x.name == m.name)
                    .map_or(f64::NAN, |j| e.projection.metrics[j][i]);
                row.push(Cell::Number(v));
            }
            for r in &base.ratios {
                let v = s
                    .ratios
                    .iter()
                    .position(|x| x.name == r.name)
                    .map_or(f64::NAN, |j| e.projection.ratios[j][i]);
                row.push(if r.kind == RatioKind::Share {
                    Cell::Percent(v)
                } else {
                    Cell::Number(v)
                });
            }
            rows.push(row);
        }
    }
    let mut styles = vec![Style::Plain, Style::Plain];
    styles.resize(header.len(), Style::Number);
    Sheet {
        name: if ko { "변형 비교" } else { "Variants" }.into(),
        header,
        rows,
        styles,
        charts: Vec::new(),
    }
}
