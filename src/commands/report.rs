//! `kjproj report FILE [--variant NAME]`: the report of the base or of one variant, with
//! every chart and table it links, in one folder.

use std::path::PathBuf;

use super::terminal::{Style, errln, outln, with_progress};
use crate::error::Error;
use crate::evaluate::{self, Analyses, Overrides, Settings};
use crate::export::{probe, write_atomically};
use crate::render;
use crate::scenario::{self, BASE};

/// Options of `kjproj report`.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The variant (`None` or `base`: the file itself).
    pub variant: Option<String>,
    /// Output folder [default: where `kjproj run` puts that variant's outputs].
    pub out_dir: Option<PathBuf>,
    /// SVG charts too (the report links them).
    pub svg: bool,
    /// Print only warnings and errors.
    pub quiet: bool,
    /// Settings from the command line.
    pub overrides: Overrides,
    /// Worker threads.
    pub threads: Option<usize>,
    /// The command line, for the report's "reproduce" section.
    pub command_line: String,
}

/// Runs `kjproj report`.
pub fn run(options: &ReportOptions) -> Result<(), Error> {
    options.overrides.validate()?;
    let file = scenario::load(&options.scenario)?;
    let name = options.variant.as_deref().unwrap_or(BASE);
    let (scenario, variant) = evaluate::select(&file, name)?;
    let out_dir = options.out_dir.clone().unwrap_or_else(|| {
        let dir = super::default_out_dir(&options.scenario);
        if name == BASE { dir } else { dir.join(name) }
    });
    probe(&out_dir)?;
    super::with_threads(options.threads, || {
        let draws = Settings::resolve(scenario, &options.overrides)
            .simulation
            .draws;
        let eval = with_progress(!options.quiet, draws, |p| {
            evaluate::evaluate(&file, variant, &options.overrides, Analyses::ALL, Some(p))
        })?;
        let mut files = render::files(&eval, options.svg)?;
        files.push(render::report_file(
            &eval,
            &[],
            options.svg,
            &options.command_line,
        ));
        let written = write_atomically(&out_dir, &files)?;
        let style = Style::for_stderr();
        for w in &eval.warnings {
            errln!("{} {w}", style.warning());
        }
        if !options.quiet {
            for path in written {
                outln!("wrote {}", path.display());
            }
        }
        Ok(())
    })
}
