//! `kjproj run`: evaluate a scenario and every variant, write every output, print a summary.

use std::path::PathBuf;

use super::OutputOptions;
use super::terminal::{Style, errln, out, outln, with_progress};
use crate::error::Error;
use crate::evaluate::{self, Analyses, Evaluation, Overrides};
use crate::export::{Mode, probe_set, write_set};
use crate::render::{self, compare::Entry};
use crate::scenario;

/// Options of `kjproj run`.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Where and how to write (default folder: `output/<scenario file stem>`).
    pub output: OutputOptions,
}

/// Runs `kjproj run`.
///
/// The output folder is checked first; then everything is computed and rendered in
/// memory; files are written only when all of it succeeded.
pub fn run(options: &RunOptions) -> Result<(), Error> {
    options.output.overrides.validate()?;
    let scenario = scenario::load(&options.scenario)?;
    let out_dir = options
        .output
        .out_dir
        .clone()
        .unwrap_or_else(|| super::default_out_dir(&options.scenario));
    probe_set(&out_dir)?;
    super::with_threads(options.output.threads, || {
        let evals = evaluate_all(&scenario, &options.output.overrides, !options.output.quiet)?;
        let mut files =
            render::run_files(&evals, options.output.charts, &options.output.command_line)?;
        crate::export::mark_csv(&mut files, options.output.csv_bom);
        let written = write_set(&out_dir, &files, Mode::Replace)?;
        if options.output.json {
            // Data on standard output, everything else on standard error.
            out!("{}", render::json::document(&evals));
            print(&evals, true, &[]);
        } else {
            print(&evals, options.output.quiet, &written);
        }
        Ok(())
    })
}

/// Evaluates the base and every variant with every analysis, side by side, under one
/// progress bar on a terminal when `progress`.
fn evaluate_all<'a>(
    scenario: &'a scenario::Scenario,
    overrides: &Overrides,
    progress: bool,
) -> Result<Vec<Evaluation<'a>>, Error> {
    let draws = evaluate::draws_of_all(scenario, overrides);
    with_progress(progress, draws, |p| {
        evaluate::evaluate_all(scenario, overrides, Analyses::ALL, Some(p))
    })
}

/// Prints summaries to standard output and warnings to standard error.
fn print(evals: &[Evaluation], quiet: bool, written: &[PathBuf]) {
    let style = Style::for_stderr();
    for e in evals {
        if let Some(v) = e.variant
            && !quiet
        {
            outln!("\n── variant {} ({}) ──", v.name, v.label);
            for (key, value) in &v.overrides {
                outln!("  {key} = {value}");
            }
            outln!();
        }
        if !quiet {
            out!("{}", render::summary(e));
        }
        for w in &e.warnings {
            match e.variant {
                Some(v) => errln!("{} variant {}: {w}", style.warning(), v.name),
                None => errln!("{} {w}", style.warning()),
            }
        }
    }
    if quiet {
        return;
    }
    if evals.len() > 1 {
        outln!(
            "\n── base and variants in {} ──",
            evals[0].scenario.target_year
        );
        out!("{}", render::compare::comparison_table(&Entry::all(evals)));
    }
    outln!();
    for path in written {
        errln!("wrote {}", path.display());
    }
}
