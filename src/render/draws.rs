//! `kjproj run --draws-out FILE`: every draw of the Monte Carlo simulations of the base and
//! each variant, as CSV, for audit (in a spreadsheet, pandas or R): the sampled inputs and
//! the sensitivity outputs of each draw.
//!
//! The one output streamed to its file rather than held in memory, as it can take
//! gigabytes: it is written to a temporary file beside the target and renamed into place
//! when complete, so a failed or interrupted run leaves no half-written file and the old
//! one as it was. Draws are drawn again from the simulation's own random streams (see
//! [`monte_carlo::each_draw`]), so they are the draws behind every percentile of the run.
//!
//! Columns: `scenario` (`base` or the variant's name), `draw` (from 0, as numbered within
//! that scenario's simulation), one column per uncertain input (named by its key, e.g.
//! `metrics.sales.target.value`; the value as drawn, before a start year is rounded), and
//! one per output (named as in `sobol.csv`, e.g. `share[2031]`). A draw that could not be
//! projected has empty output cells. Numbers are written in full precision (the shortest
//! text that reads back as the same number).

use std::io::Write as _;
use std::path::Path;

use crate::error::Error;
use crate::evaluate::Evaluation;
use crate::sensitivity::monte_carlo;

/// The most draws (rows, all scenarios together) `--draws-out` writes: about 1.8 GB for
/// `fine_chem` (five inputs and four outputs, about 184 bytes a draw).
pub const MAX_ROWS: u64 = 10_000_000;

/// The rows `evals` would write: the draws of each simulation with sensitivity outputs.
pub fn rows(evals: &[Evaluation]) -> u64 {
    evals
        .iter()
        .filter(|e| e.sensitivity.is_some())
        .map(|e| e.settings.simulation.draws)
        .sum()
}

/// The rows a run of `file` with `overrides` would write: the draws of the base and of
/// each variant that has uncertain inputs.
pub fn planned_rows(
    file: &crate::scenario::Scenario,
    overrides: &crate::evaluate::Overrides,
) -> u64 {
    crate::evaluate::simulation_draws(file, overrides)
        .filter(|(s, _)| s.uncertainty.as_ref().is_some_and(|u| !u.inputs.is_empty()))
        .map(|(_, draws)| draws)
        .sum()
}

/// Refuses `rows` draws beyond [`MAX_ROWS`], or none at all (a usage error, before any
/// work).
pub fn check_rows(rows: u64) -> Result<(), Error> {
    if rows == 0 {
        return Err(Error::Usage(
            "--draws-out: the scenario has no uncertain inputs, so there are no draws to write"
                .into(),
        ));
    }
    if rows > MAX_ROWS {
        return Err(Error::Usage(format!(
            "--draws-out: {} draws are more than the {} it writes; use fewer --draws",
            crate::format::grouped(rows),
            crate::format::grouped(MAX_ROWS)
        )));
    }
    Ok(())
}

/// Writes every draw of `evals` to `path` (see the module documentation), or refuses
/// beyond [`MAX_ROWS`] before writing anything. `bom` decides the byte order mark as for
/// the other CSV files (`auto`: when a column or scenario name is not ASCII, the only
/// text the file holds).
pub fn write(path: &Path, evals: &[Evaluation], bom: crate::export::Bom) -> Result<(), Error> {
    let rows = rows(evals);
    check_rows(rows)?;
    let fail = |source: std::io::Error| Error::Write {
        path: path.to_owned(),
        source,
    };
    // Columns: the inputs and outputs of every scenario, in order of first appearance.
    let mut inputs: Vec<&str> = Vec::new();
    let mut outputs: Vec<&str> = Vec::new();
    for e in evals {
        let (Some(s), Some(u)) = (&e.sensitivity, &e.scenario.uncertainty) else {
            continue;
        };
        for i in &u.inputs {
            if !inputs.contains(&i.name.as_str()) {
                inputs.push(&i.name);
            }
        }
        for o in &s.outputs {
            if !outputs.contains(&o.text.as_str()) {
                outputs.push(&o.text);
            }
        }
    }
    let tmp = crate::export::temporary_in(crate::export::folder_of(path)).map_err(fail)?;
    let mut buffered = std::io::BufWriter::with_capacity(1 << 20, tmp);
    let text_is_ascii = inputs.iter().chain(&outputs).all(|n| n.is_ascii())
        && evals.iter().all(|e| e.name().is_ascii());
    let marked = bom.wanted(text_is_ascii);
    if marked {
        buffered.write_all(crate::export::UTF8_BOM).map_err(fail)?;
    }
    let mut w = csv::Writer::from_writer(buffered);
    let header = ["scenario", "draw"]
        .into_iter()
        .chain(inputs.iter().copied())
        .chain(outputs.iter().copied());
    w.write_record(header).map_err(|e| fail(e.into()))?;
    let mut field = String::new();
    for e in evals {
        let (Some(s), Some(u)) = (&e.sensitivity, &e.scenario.uncertainty) else {
            continue;
        };
        // Where this scenario's inputs and outputs go among the columns.
        let input_at: Vec<usize> = u
            .inputs
            .iter()
            .map(|i| inputs.iter().position(|n| *n == i.name).unwrap_or(0))
            .collect();
        let output_at: Vec<usize> = s
            .outputs
            .iter()
            .map(|o| outputs.iter().position(|n| *n == o.text).unwrap_or(0))
            .collect();
        let quantities: Vec<_> = s.outputs.iter().map(|o| o.quantity.clone()).collect();
        let mut cells = vec![None; inputs.len() + outputs.len()];
        monte_carlo::each_draw(
            e.scenario,
            e.settings.simulation,
            &quantities,
            |draw, xs, ys| -> Result<(), csv::Error> {
                cells.fill(None);
                for (&at, &x) in input_at.iter().zip(xs) {
                    cells[at] = Some(x);
                }
                if let Some(ys) = ys {
                    for (&at, &y) in output_at.iter().zip(ys) {
                        cells[inputs.len() + at] = Some(y);
                    }
                }
                w.write_field(e.name())?;
                field.clear();
                let _ = std::fmt::Write::write_fmt(&mut field, format_args!("{draw}"));
                w.write_field(&field)?;
                for c in &cells {
                    field.clear();
                    if let Some(v) = c {
                        let _ = std::fmt::Write::write_fmt(&mut field, format_args!("{v}"));
                    }
                    w.write_field(&field)?;
                }
                w.write_record(None::<&[u8]>)
            },
        )
        .map_err(|e| fail(e.into()))?;
    }
    let mut buffered = w.into_inner().map_err(|e| fail(e.into_error()))?;
    buffered.flush().map_err(fail)?;
    let tmp = buffered.into_inner().map_err(|e| fail(e.into_error()))?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
