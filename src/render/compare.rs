//! Comparisons as outputs: a file's variants in `kjproj run`, or several files (and their
//! variants) in `kjproj compare`: `compare.csv`, `compare.png` and a terminal table.

use std::fmt::Write as _;

use super::charts::render_charts;
use crate::error::Error;
use crate::evaluate::Evaluation;
use crate::export::OutputFile;
use crate::format::{fixed, significant};
use crate::model::{Projection, shape::cagr};
use crate::plot::{self, CompareChart, ComparePanel};
use crate::scenario::{Lang, RatioKind, Scenario};

/// One scenario in a comparison.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// Its name in the legend and the CSV.
    pub label: String,
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Its projection.
    pub projection: &'a Projection,
}

impl<'a> Entry<'a> {
    /// The evaluations as entries: the base labelled "base" (기준), each variant under
    /// its label.
    pub fn all(evals: &'a [Evaluation<'a>]) -> Vec<Entry<'a>> {
        evals
            .iter()
            .map(|e| {
                let base = match e.settings.lang {
                    Lang::En => "base",
                    Lang::Ko => "기준",
                };
                Entry::of(e, e.label(base).to_owned())
            })
            .collect()
    }

    /// An evaluation under `label`.
    pub fn of(eval: &'a Evaluation<'a>, label: String) -> Entry<'a> {
        Entry {
            label,
            scenario: eval.scenario,
            projection: &eval.projection,
        }
    }
}

/// A series by name across entries: (name, label, is a share, unit axis).
struct SeriesInfo {
    name: String,
    label: String,
    share: bool,
    axis: String,
}

/// Every metric and ratio name in any entry, in first-seen order.
fn series(entries: &[Entry], lang: Lang) -> Result<Vec<SeriesInfo>, Error> {
    let mut out: Vec<SeriesInfo> = Vec::new();
    for e in entries {
        let s = e.scenario;
        let metrics = s.metrics.iter().map(|m| SeriesInfo {
            name: m.name.clone(),
            label: m.label.clone(),
            share: false,
            axis: m.unit.clone(),
        });
        let ratios = s.ratios.iter().map(|r| {
            let share = r.kind == RatioKind::Share;
            SeriesInfo {
                name: r.name.clone(),
                label: r.label.clone(),
                share,
                axis: match (share, lang) {
                    (true, Lang::En) => "Share (%)".into(),
                    (true, Lang::Ko) => "점유율 (%)".into(),
                    (false, Lang::En) if !r.unit.is_empty() => format!("Ratio ({})", r.unit),
                    (false, Lang::Ko) if !r.unit.is_empty() => format!("비율 ({})", r.unit),
                    (false, Lang::En) => "Ratio".into(),
                    (false, Lang::Ko) => "비율".into(),
                },
            }
        });
        for info in metrics.chain(ratios) {
            match out.iter().position(|o| o.name == info.name) {
                None => out.push(info),
                // One series is one axis: the same name in two units is refused.
                Some(i) if out[i].axis != info.axis => {
                    let first = entries
                        .iter()
                        .find(|x| {
                            x.scenario.metrics.iter().any(|m| m.name == info.name)
                                || x.scenario.ratios.iter().any(|r| r.name == info.name)
                        })
                        .map_or("", |x| x.label.as_str());
                    return Err(Error::Usage(format!(
                        "`{}` is in {} in {first} but in {} in {}; a comparison draws one series on one axis, so give them one unit",
                        info.name, out[i].axis, info.axis, e.label
                    )));
                }
                Some(_) => {}
            }
        }
    }
    Ok(out)
}

/// The path of the series called `name` in an entry, if it has one.
fn path_of<'a>(e: &Entry<'a>, name: &str) -> Option<&'a [f64]> {
    let s = e.scenario;
    s.metrics
        .iter()
        .position(|m| m.name == name)
        .map(|i| e.projection.metrics[i].as_slice())
        .or_else(|| {
            s.ratios
                .iter()
                .position(|r| r.name == name)
                .map(|i| e.projection.ratios[i].as_slice())
        })
}

/// The observed values (year, value) of the metric called `name` in an entry.
fn observed_of(e: &Entry, name: &str) -> Vec<(i32, f64)> {
    e.scenario
        .metrics
        .iter()
        .find(|m| m.name == name)
        .map(|m| m.observed.iter().map(|p| (p.year, p.value)).collect())
        .unwrap_or_default()
}

/// The value of `name` in `year` for an entry (NaN where it has none).
fn value(e: &Entry, name: &str, year: i32) -> f64 {
    let index = year - e.scenario.baseline_year;
    path_of(e, name)
        .and_then(|p| usize::try_from(index).ok().and_then(|i| p.get(i)))
        .copied()
        .unwrap_or(f64::NAN)
}

/// The most scenarios and variants a comparison chart draws (lines per panel).
pub const MAX_COMPARED: usize = 40;

/// `compare.csv`, `compare.png` (and `compare.svg`) for the entries.
pub fn comparison_files(
    entries: &[Entry],
    title: &str,
    lang: Lang,
    money: crate::format::Money,
    charts: plot::ChartFormat,
) -> Result<Vec<OutputFile>, Error> {
    let series = series(entries, lang)?;
    // Observed years before the baseline widen the comparison to the left.
    let first = entries
        .iter()
        .map(|e| e.scenario.first_year())
        .min()
        .unwrap_or(0);
    let last = entries
        .iter()
        .map(|e| e.scenario.target_year)
        .max()
        .unwrap_or(0);
    let years: Vec<i32> = (first..=last).collect();

    let mut csv = ::csv::Writer::from_writer(Vec::new());
    let write_error = |e: ::csv::Error| Error::Write {
        path: "compare.csv".into(),
        source: e.into(),
    };
    // A `NAME_observed` column after each metric that any entry observes.
    let observed_columns: Vec<bool> = series
        .iter()
        .map(|s| entries.iter().any(|e| !observed_of(e, &s.name).is_empty()))
        .collect();
    let cell = |v: f64| {
        if v.is_nan() {
            String::new()
        } else {
            significant(v)
        }
    };
    let mut header = vec!["variant".to_owned(), "year".into()];
    for (s, &observed) in series.iter().zip(&observed_columns) {
        header.push(s.name.clone());
        if observed {
            header.push(format!("{}_observed", s.name));
        }
    }
    csv.write_record(&header).map_err(write_error)?;
    for e in entries {
        for &y in &years {
            let mut row = vec![e.label.clone(), y.to_string()];
            for (s, &observed) in series.iter().zip(&observed_columns) {
                row.push(cell(value(e, &s.name, y)));
                if observed {
                    let o = observed_of(e, &s.name).into_iter().find(|p| p.0 == y);
                    row.push(o.map_or_else(String::new, |p| cell(p.1)));
                }
            }
            csv.write_record(&row).map_err(write_error)?;
        }
    }
    let csv = csv.into_inner().map_err(|e| Error::Write {
        path: "compare.csv".into(),
        source: e.into_error(),
    })?;

    // The chart draws at most [`MAX_COMPARED`] lines per panel (the CSV has them all).
    let all = entries.len();
    let entries = &entries[..all.min(MAX_COMPARED)];
    let mut chart = CompareChart {
        money,
        title: title.to_owned(),
        subtitle: match lang {
            Lang::En => format!("{} scenarios compared, {first}–{last}", entries.len()),
            Lang::Ko => format!("시나리오 {}개 비교, {first}–{last}년", entries.len()),
        },
        year_axis: match lang {
            Lang::En => "Year".into(),
            Lang::Ko => "연도".into(),
        },
        years: years.clone(),
        variants: entries.iter().map(|e| e.label.clone()).collect(),
        panels: series
            .iter()
            .map(|s| ComparePanel {
                title: s.label.clone(),
                axis: s.axis.clone(),
                percent: s.share,
                lines: entries
                    .iter()
                    .map(|e| years.iter().map(|&y| value(e, &s.name, y)).collect())
                    .collect(),
                // Data are the same whichever variant carries them: the first that has any.
                observed: entries
                    .iter()
                    .map(|e| observed_of(e, &s.name))
                    .find(|o| !o.is_empty())
                    .unwrap_or_default(),
            })
            .collect(),
        observed_label: match lang {
            Lang::En => "observed".into(),
            Lang::Ko => "실적".into(),
        },
        footnotes: Vec::new(),
    };
    crate::render::charts::bounded_panels(
        &mut chart.panels,
        &mut chart.footnotes,
        "compare.csv",
        lang,
    );
    if all > MAX_COMPARED {
        chart.footnotes.insert(
            0,
            crate::render::charts::left_out_note(
                MAX_COMPARED,
                all,
                ("compare.csv", "scenarios and variants", "시나리오와 변형"),
                lang,
            ),
        );
    }
    let mut files = vec![OutputFile {
        name: "compare.csv".into(),
        bytes: csv,
    }];
    files.extend(render_charts(&[("compare".into(), &chart)], charts)?);
    Ok(files)
}

/// A table of each entry's target-year values and CAGRs, for the terminal.
pub fn comparison_table(entries: &[Entry]) -> String {
    // Units were checked when the comparison files were made.
    let series = series(entries, Lang::En).unwrap_or_default();
    let mut out = String::new();
    let width = entries
        .iter()
        .map(|e| crate::format::display_width(&e.label))
        .max()
        .unwrap_or(0)
        .max(8);
    let _ = write!(out, "{:<width$}  {:>6}", "scenario", "year");
    for s in &series {
        let _ = write!(out, "  {:>15}", s.name);
    }
    out.push('\n');
    for e in entries {
        let year = e.scenario.target_year;
        let _ = write!(
            out,
            "{}  {:>6}",
            crate::format::pad_end(&e.label, width),
            year
        );
        for s in &series {
            let v = value(e, &s.name, year);
            let shown = if v.is_nan() {
                "–".to_owned()
            } else if s.share {
                format!("{}%", fixed(v * 100.0, 2))
            } else {
                let growth = path_of(e, &s.name)
                    .and_then(|p| cagr(p[0], p[p.len() - 1], (p.len() - 1) as f64))
                    .map_or_else(String::new, |g| format!(" ({}%/y)", fixed(g * 100.0, 1)));
                format!("{}{growth}", fixed(v, 1))
            };
            let _ = write!(out, "  {shown:>15}");
        }
        out.push('\n');
    }
    out
}
