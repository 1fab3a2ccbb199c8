//! `kjproj run`: evaluate a scenario and every variant, write every output, print a summary.

use std::path::{Path, PathBuf};

use super::OutputOptions;
use super::terminal::{Style, errln, out, outln, with_progress};
use crate::error::Error;
use crate::evaluate::partial::{self, Part, Pieces};
use crate::evaluate::{self, Analyses, Evaluation, Overrides, Simulations};
use crate::export::{Mode, OutputFile, Staging, probe_set, write_set};
use crate::format::grouped;
use crate::render::headline::Figure;
use crate::render::{self, compare::Entry};
use crate::scenario;

/// Options of `kjproj run`.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Where and how to write (default folder: `output/<scenario file stem>`).
    pub output: OutputOptions,
    /// Only simulate this part of the draws and write a partial result to the file
    /// (`--chunks`, `--partial`), for `kjproj merge`.
    pub partial: Option<(Part, PathBuf)>,
    /// Run again whenever the scenario, or a file it extends or reads, changes
    /// (`--watch`).
    pub watch: bool,
    /// Also write every draw of the simulations to this CSV file (`--draws-out`).
    pub draws_out: Option<PathBuf>,
}

/// Options of `kjproj merge`.
#[derive(Debug, Clone)]
pub struct MergeOptions {
    /// The partial results.
    pub pieces: Vec<PathBuf>,
    /// The scenario file, when it is no longer where the partial results say.
    pub scenario: Option<PathBuf>,
    /// Where and how to write (default folder: `output/<scenario file stem>`); the
    /// overrides come from the pieces.
    pub output: OutputOptions,
}

/// Runs `kjproj run`.
///
/// The output folder is checked first; then everything is computed and rendered, each
/// evaluation's files going into a staging folder beside the output folder as soon as they
/// are rendered ([`Staging`]); the set replaces the output folder only when all of it
/// succeeded, and a run that fails leaves the folder as it was.
pub fn run(options: &RunOptions) -> Result<(), Error> {
    options.output.overrides.validate()?;
    if options.watch {
        return super::watch::watch(&options.scenario, options.output.quiet, |loaded, again| {
            let output = OutputOptions {
                quiet: options.output.quiet || again,
                ..options.output.clone()
            };
            run_loaded(options, loaded, &output)
        });
    }
    let scenario = scenario::load(&options.scenario)?;
    if let Some((part, file)) = &options.partial {
        return run_part(options, &scenario, *part, file);
    }
    run_loaded(options, &scenario, &options.output).map(drop)
}

/// Runs `scenario`, loaded from `options.scenario`, writing and printing as `output`
/// says; returns the run's headline figures.
pub fn run_loaded(
    options: &RunOptions,
    scenario: &scenario::Scenario,
    output: &OutputOptions,
) -> Result<Vec<Figure>, Error> {
    let out_dir = output
        .out_dir
        .clone()
        .unwrap_or_else(|| super::default_out_dir(&options.scenario));
    probe_set(&out_dir)?;
    if options.draws_out.is_some() {
        render::draws::check_rows(render::draws::planned_rows(scenario, &output.overrides))?;
    }
    super::with_threads(output.threads, || {
        // Each evaluation's files render as soon as it is made, and go to the disk while
        // the others are made.
        let staging = Staging::begin(&out_dir)?;
        let (evals, each): (Vec<_>, Vec<_>) =
            evaluate_all(scenario, &output.overrides, !output.quiet, |e| {
                let files = render::files(e, output.charts)?;
                let mut placed: Vec<OutputFile> = files
                    .iter()
                    .map(|f| OutputFile {
                        name: render::name_in_set(e, &f.name),
                        bytes: f.bytes.clone(),
                    })
                    .collect();
                crate::export::mark_csv(&mut placed, output.csv_bom);
                placed.into_iter().for_each(|f| staging.write(f));
                Ok(files)
            })?
            .into_iter()
            .unzip();
        write_and_print(&evals, Some((each, staging)), &out_dir, output)?;
        if let Some(path) = &options.draws_out {
            render::draws::write(path, &evals, output.csv_bom)?;
            if !output.quiet {
                errln!("wrote {}", path.display());
            }
        }
        Ok(render::headline::figures(&evals))
    })
}

/// `kjproj run --chunks … --partial FILE`: simulates part of the draws, writes the partial
/// result (atomically: a complete file or none).
fn run_part(
    options: &RunOptions,
    scenario: &scenario::Scenario,
    part: Part,
    file: &Path,
) -> Result<(), Error> {
    let overrides = &options.output.overrides;
    super::with_threads(options.output.threads, || {
        let draws = partial::draws_of(scenario, overrides, part);
        let piece = with_progress(!options.output.quiet, draws, |p| {
            partial::simulate(scenario, &options.scenario, overrides, part, Some(p))
        })?;
        let path = crate::export::write_file_atomically(file, piece.to_bytes()?, "--partial")?;
        if !options.output.quiet {
            errln!(
                "wrote {} ({part}, {} draws)",
                path.display(),
                grouped(draws)
            );
        }
        Ok(())
    })
}

/// Runs `kjproj merge`: evaluates the scenario of the partial results with their merged
/// simulations and writes what `kjproj run` would have written.
pub fn merge(options: &MergeOptions) -> Result<(), Error> {
    let pieces = Pieces::read(&options.pieces)?;
    let (path, scenario) = pieces.load_scenario(options.scenario.as_deref())?;
    let overrides = pieces.overrides().clone();
    overrides.validate()?;
    let out_dir = options
        .output
        .out_dir
        .clone()
        .unwrap_or_else(|| super::default_out_dir(&path));
    probe_set(&out_dir)?;
    let output = OutputOptions {
        overrides,
        ..options.output.clone()
    };
    super::with_threads(output.threads, || {
        let evals = evaluate::evaluate_all(
            &scenario,
            &output.overrides,
            Analyses::ALL,
            Simulations::Merge(&pieces),
        )?;
        write_and_print(&evals, None, &out_dir, &output)
    })
}

/// Each evaluation's own files already rendered ([`render::files`]) and the set they have
/// been handed to for writing.
type Rendered = (Vec<Vec<OutputFile>>, Staging);

/// Renders every output of `evals` (as `output` says: charts, byte order marks, the
/// command line for the report) and writes them as one set into `out_dir`, replacing the
/// previous set; returns the paths written.
pub fn write_outputs(
    evals: &[Evaluation],
    out_dir: &Path,
    output: &OutputOptions,
) -> Result<Vec<PathBuf>, Error> {
    write_rendered(evals, None, out_dir, output)
}

/// [`write_outputs`], each evaluation's own files taken from `rendered` when given (see
/// [`render::run_files_rendered`]), completing the set they were handed to.
fn write_rendered(
    evals: &[Evaluation],
    rendered: Option<Rendered>,
    out_dir: &Path,
    output: &OutputOptions,
) -> Result<Vec<PathBuf>, Error> {
    let command = &output.command_line;
    let (mut files, staging) = match rendered {
        Some((each, staging)) => (
            render::run_files_rendered(evals, each, output.charts, command)?,
            Some(staging),
        ),
        None => (render::run_files(evals, output.charts, command)?, None),
    };
    crate::export::mark_csv(&mut files, output.csv_bom);
    match staging {
        Some(staging) => staging.finish(&files, Mode::Replace),
        None => write_set(out_dir, &files, Mode::Replace),
    }
}

/// [`write_outputs`], then prints the summary (or the JSON document).
fn write_and_print(
    evals: &[Evaluation],
    rendered: Option<Rendered>,
    out_dir: &Path,
    output: &OutputOptions,
) -> Result<(), Error> {
    let written = write_rendered(evals, rendered, out_dir, output)?;
    if output.json {
        // Data on standard output, everything else on standard error.
        out!("{}", render::json::document(evals));
        print(evals, true, &[]);
    } else {
        print(evals, output.quiet, &written);
    }
    Ok(())
}

/// Evaluates the base and every variant with every analysis, side by side, under one
/// progress bar on a terminal when `progress`, handing each to `then` as soon as it is
/// made (see [`evaluate::evaluate_all_then`]).
fn evaluate_all<'a, T: Send>(
    scenario: &'a scenario::Scenario,
    overrides: &Overrides,
    progress: bool,
    then: impl Fn(&Evaluation<'a>) -> Result<T, Error> + Sync,
) -> Result<Vec<(Evaluation<'a>, T)>, Error> {
    let draws = evaluate::draws_of_all(scenario, overrides);
    with_progress(progress, draws, |p| {
        evaluate::evaluate_all_then(
            scenario,
            overrides,
            Analyses::ALL,
            Simulations::Run(Some(p)),
            then,
        )
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
