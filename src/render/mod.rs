//! Renderers: everything a user sees, made from [`Evaluation`]s, which they only read.
//!
//! | module | renders |
//! |---|---|
//! | [`summary`](mod@summary) | the terminal summary of paths and stated figures |
//! | [`sensitivity`] | tornado, fan, histogram, Sobol: CSV rows, charts, summary, report section |
//! | [`charts`] | the paths and segments charts |
//! | [`compare`] | base and variants (or several files) side by side |
//! | [`report`] | `report.md` |
//! | [`json`] | `run --json`: the results as one JSON document |
//! | [`html`] | `report.html`: the report in one self-contained, printable page |
//! | [`checks`] | check results as text, JSON and JUnit XML |
//! | [`solve`] | the answer of `kjproj solve` |
//! | [`workbook`] | `workbook.xlsx`: every table as numbers, with native charts |

pub mod charts;
pub mod checks;
pub mod compare;
pub mod draws;
pub mod headline;
pub mod html;
pub mod json;
pub mod report;
pub mod sensitivity;
pub mod solve;
pub mod summary;
pub mod workbook;

use crate::error::Error;
use crate::evaluate::Evaluation;
use crate::export::{OutputFile, paths_csv};
pub use crate::plot::{Canvas, ChartFormat};
use compare::Entry;

/// The CSV tables of one evaluation as `kjproj run` writes them, without any chart:
/// `paths.csv` and, with a sensitivity analysis, its tables (what the Python package reads
/// into data frames).
pub fn tables(eval: &Evaluation) -> Result<Vec<OutputFile>, Error> {
    let mut files = vec![paths_file(eval)?];
    if let Some(t) = sensitivity::tables(eval) {
        files.extend(sensitivity::table_files(&t)?);
    }
    Ok(files)
}

fn paths_file(eval: &Evaluation) -> Result<OutputFile, Error> {
    Ok(OutputFile {
        name: "paths.csv".into(),
        bytes: paths_csv(eval.scenario, &eval.projection).map_err(|source| Error::Write {
            path: "paths.csv".into(),
            source,
        })?,
    })
}

/// Every file of one evaluation: `paths.csv`, its charts, and the sensitivity files.
/// (`report.md` and comparisons are added by the caller, which knows the whole set.) The
/// charts render on the worker threads; the files and their order do not depend on them.
pub fn files(eval: &Evaluation, charts: ChartFormat) -> Result<Vec<OutputFile>, Error> {
    let mut files = vec![paths_file(eval)?];
    let (own, sensitivity) = rayon::join(
        || {
            charts::files(
                eval.scenario,
                &eval.projection,
                eval.settings.lang,
                eval.settings.money,
                charts,
            )
        },
        || sensitivity::files(eval, charts),
    );
    files.extend(own?);
    files.extend(sensitivity?);
    Ok(files)
}

/// The whole terminal summary of one evaluation.
pub fn summary(eval: &Evaluation) -> String {
    let mut out = summary::summary(eval);
    out.push_str(&sensitivity::summary(eval));
    out
}

/// Every file of a run: the base's outputs, `compare.*` and `report.md` at the top, and
/// each variant's outputs (with its own `report.md`) in a folder named after it.
pub fn run_files(
    evals: &[Evaluation],
    charts: ChartFormat,
    command: &str,
) -> Result<Vec<OutputFile>, Error> {
    run_files_of(evals, None, charts, command)
}

/// [`run_files`] when each evaluation's own files ([`files`], in the same order) are
/// already rendered: `kjproj run` renders them as each evaluation is made.
pub fn run_files_rendered(
    evals: &[Evaluation],
    each: Vec<Vec<OutputFile>>,
    charts: ChartFormat,
    command: &str,
) -> Result<Vec<OutputFile>, Error> {
    run_files_of(evals, Some(each), charts, command)
}

/// [`run_files`], rendering each evaluation's own files unless `rendered`.
fn run_files_of(
    evals: &[Evaluation],
    rendered: Option<Vec<Vec<OutputFile>>>,
    charts: ChartFormat,
    command: &str,
) -> Result<Vec<OutputFile>, Error> {
    let (base, variants) = evals.split_first().ok_or_else(|| Error::Internal {
        context: "run".into(),
        message: "nothing was evaluated".into(),
    })?;
    if rendered.as_ref().is_some_and(|r| r.len() != evals.len()) {
        return Err(Error::Internal {
            context: "run".into(),
            message: "files rendered for another set of evaluations".into(),
        });
    }
    // The base, every variant, the comparison, the workbook and the variants' reports are
    // made side by side.
    let ((each, comparison), (workbook, reports)) = rayon::join(
        || {
            rayon::join(
                || {
                    use rayon::prelude::*;
                    match rendered {
                        Some(each) => Ok(each),
                        None => evals
                            .par_iter()
                            .map(|e| files(e, charts))
                            .collect::<Result<Vec<_>, Error>>(),
                    }
                },
                || {
                    if variants.is_empty() {
                        return Ok(Vec::new());
                    }
                    compare::comparison_files(
                        &Entry::all(evals),
                        &base.scenario.name,
                        base.settings.lang,
                        base.settings.money,
                        charts,
                    )
                },
            )
        },
        || {
            rayon::join(
                || workbook::file(evals),
                || {
                    use rayon::prelude::*;
                    variants
                        .par_iter()
                        .map(|v| report_file(v, &[], charts.svg, command))
                        .collect::<Vec<_>>()
                },
            )
        },
    );
    let mut each = each?.into_iter();
    let mut out = each.next().unwrap_or_default();
    out.extend(comparison?);
    out.push(report_file(base, variants, charts.svg, command));
    out.push(workbook?);
    for ((v, mut own), report) in variants.iter().zip(each).zip(reports) {
        own.push(report);
        out.extend(own.into_iter().map(|f| OutputFile {
            name: name_in_set(v, &f.name),
            bytes: f.bytes,
        }));
    }
    html::add_html_reports(&mut out, base.settings.lang);
    Ok(out)
}

/// The name in a run's set ([`run_files`]) of the file `name` of `eval`'s own: the base's
/// at the top, each variant's in a folder named after it.
pub fn name_in_set(eval: &Evaluation, name: &str) -> String {
    match eval.variant {
        None => name.to_owned(),
        Some(v) => format!("{}/{name}", v.name),
    }
}

/// `report.md` of one evaluation, describing `variants` in a section of their own.
pub fn report_file(
    eval: &Evaluation,
    variants: &[Evaluation],
    svg: bool,
    command: &str,
) -> OutputFile {
    OutputFile {
        name: "report.md".into(),
        bytes: report::report(&report::ReportInput {
            eval,
            variants,
            svg,
            command,
        })
        .into_bytes(),
    }
}
