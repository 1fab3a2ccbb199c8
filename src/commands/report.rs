//! `kjproj report FILE [--variant NAME]`: the report of the base or of one variant, with
//! every chart and table it links, in one folder.

use std::path::PathBuf;

use super::OutputOptions;
use super::terminal::{Style, errln, with_progress};
use crate::error::Error;
use crate::evaluate::{self, Analyses, Settings};
use crate::export::{Mode, probe_set, write_set};
use crate::render;
use crate::scenario::{self, BASE};

/// Options of `kjproj report`.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The variant (`None` or `base`: the file itself).
    pub variant: Option<String>,
    /// Where and how to write (default folder: where `kjproj run` puts that variant's
    /// outputs).
    pub output: OutputOptions,
}

/// Runs `kjproj report`.
pub fn run(options: &ReportOptions) -> Result<(), Error> {
    options.output.overrides.validate()?;
    let file = scenario::load(&options.scenario)?;
    let name = options.variant.as_deref().unwrap_or(BASE);
    let (scenario, variant) = evaluate::select(&file, name)?;
    let out_dir = options.output.out_dir.clone().unwrap_or_else(|| {
        let dir = super::default_out_dir(&options.scenario);
        if name == BASE { dir } else { dir.join(name) }
    });
    probe_set(&out_dir)?;
    super::with_threads(options.output.threads, || {
        evaluate::cost::check_scenarios(
            [scenario],
            &file,
            &options.output.overrides,
            Analyses::ALL,
            evaluate::cost::Repeats(1.0),
        )?;
        let draws = Settings::resolve(scenario, &options.output.overrides)
            .simulation
            .draws;
        let eval = with_progress(!options.output.quiet, draws, |p| {
            evaluate::evaluate(
                &file,
                variant,
                &options.output.overrides,
                Analyses::ALL,
                Some(p),
            )
        })?;
        let mut files = render::files(&eval, options.output.charts)?;
        files.push(render::report_file(
            &eval,
            &[],
            options.output.charts.svg,
            &options.output.command_line,
        ));
        render::html::add_html_reports(&mut files, eval.settings.lang);
        crate::export::mark_csv(&mut files, options.output.csv_bom);
        let written = write_set(&out_dir, &files, Mode::Update)?;
        if options.output.json {
            super::terminal::print_out(&render::json::document(std::slice::from_ref(&eval)));
        }
        let style = Style::for_stderr();
        for w in &eval.warnings {
            errln!("{} {w}", style.warning());
        }
        if !options.output.quiet {
            for path in written {
                errln!("wrote {}", path.display());
            }
        }
        Ok(())
    })
}
