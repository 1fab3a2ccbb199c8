//! The `kjproj` binary: parse arguments, call the library, print any error, exit.

mod cli;

use clap::Parser;
use kjproj::commands::{self, Style, terminal};
use kjproj::evaluate::Overrides;
use kjproj::scenario::Lang;
use kjproj::stats::sampling::Method;

/// The command line as typed, quoted so that a shell reads it back the same.
fn command_line() -> String {
    let mut words: Vec<String> = std::env::args().collect();
    if let Some(first) = words.first_mut() {
        // Whatever path ran the binary, the reproducible command is `kjproj`.
        *first = "kjproj".into();
    }
    words
        .iter()
        .map(|w| {
            let plain = !w.is_empty()
                && w.chars()
                    .all(|c| c.is_alphanumeric() || "-_./=:,+@%".contains(c));
            if plain {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn bom_of(b: cli::BomArg) -> kjproj::export::Bom {
    match b {
        cli::BomArg::Auto => kjproj::export::Bom::Auto,
        cli::BomArg::Always => kjproj::export::Bom::Always,
        cli::BomArg::Never => kjproj::export::Bom::Never,
    }
}

fn money_of(m: cli::MoneyArg) -> kjproj::format::Money {
    match m {
        cli::MoneyArg::Plain => kjproj::format::Money::Plain,
        cli::MoneyArg::Korean => kjproj::format::Money::Korean,
    }
}

fn lang_of(l: cli::LangArg) -> Lang {
    match l {
        cli::LangArg::En => Lang::En,
        cli::LangArg::Ko => Lang::Ko,
    }
}

impl cli::Common {
    /// Where and how `run` and `report` write, with the settings this command line
    /// overrides.
    fn output(self, out_dir: Option<std::path::PathBuf>) -> commands::OutputOptions {
        commands::OutputOptions {
            out_dir,
            charts: chart_format(&self.charts),
            quiet: self.quiet,
            overrides: self.overrides(),
            threads: self.threads,
            command_line: command_line(),
            csv_bom: bom_of(self.csv_bom),
            json: self.json,
        }
    }

    /// The settings this command line overrides.
    fn overrides(&self) -> Overrides {
        Overrides {
            money: Some(money_of(self.money)),
            draws: self.draws,
            seed: self.seed,
            sampling: self.sampling.map(|s| match s {
                cli::SamplingArg::Random => Method::Random,
                cli::SamplingArg::Lhs => Method::LatinHypercube,
            }),
            sobol_samples: Some(self.sobol),
            lang: self.lang.map(lang_of),
            output: self.output.clone(),
        }
    }
}

/// The chart format of `args`, or a usage error (exit code 2) saying why not.
fn chart_format(args: &cli::ChartArgs) -> kjproj::plot::ChartFormat {
    args.format().unwrap_or_else(|message| {
        use clap::CommandFactory;
        cli::Cli::command()
            .error(clap::error::ErrorKind::ValueValidation, message)
            .exit()
    })
}

fn main() {
    let cli = cli::Cli::parse();
    terminal::set_color_choice(match cli.color {
        cli::ColorArg::Auto => terminal::ColorChoice::Auto,
        cli::ColorArg::Always => terminal::ColorChoice::Always,
        cli::ColorArg::Never => terminal::ColorChoice::Never,
    });
    kjproj::scenario::allow_files(cli.allow_files);
    kjproj::export::clean_up_on_interrupt();
    if cli.no_cost_limit {
        kjproj::evaluate::cost::lift_limits();
    }
    let result = match cli.command {
        cli::Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cli::Cli::command(), "kjproj", &mut script);
            terminal::print_out(&String::from_utf8_lossy(&script));
            Ok(())
        }
        cli::Command::Man => {
            use clap::CommandFactory;
            let mut page = Vec::new();
            clap_mangen::Man::new(cli::Cli::command())
                .render(&mut page)
                .map(|()| terminal::print_out(&String::from_utf8_lossy(&page)))
                .map_err(|e| kjproj::error::Error::Internal {
                    context: "man page".into(),
                    message: e.to_string(),
                })
        }
        cli::Command::Run {
            scenario,
            out,
            chunks,
            partial,
            watch,
            draws_out,
            common,
        } => commands::run::run(&commands::run::RunOptions {
            scenario,
            output: common.output(out),
            partial: chunks.zip(partial),
            watch,
            draws_out,
        }),
        cli::Command::Merge {
            pieces,
            out,
            scenario,
            charts,
            quiet,
            json,
            threads,
            csv_bom,
        } => commands::run::merge(&commands::run::MergeOptions {
            pieces,
            scenario,
            output: commands::OutputOptions {
                out_dir: out,
                charts: chart_format(&charts),
                quiet,
                overrides: Overrides::default(),
                threads,
                command_line: command_line(),
                csv_bom: bom_of(csv_bom),
                json,
            },
        }),
        cli::Command::Report {
            scenario,
            variant,
            out,
            common,
        } => commands::report::run(&commands::report::ReportOptions {
            scenario,
            variant,
            output: common.output(out),
        }),
        cli::Command::Compare {
            scenarios,
            out,
            charts,
            money,
            csv_bom,
            lang,
            quiet,
            variant,
            variants,
        } => commands::compare::run(&commands::compare::CompareOptions {
            scenarios,
            out_dir: out,
            charts: chart_format(&charts),
            money: money_of(money),
            lang: lang.map(lang_of),
            quiet,
            variants: variant,
            all_variants: variants,
            csv_bom: bom_of(csv_bom),
        }),
        cli::Command::Solve {
            scenario,
            vary,
            goal,
            range,
            probability,
            draws,
            seed,
            variant,
            json,
        } => commands::solve::run(&commands::solve::SolveOptions {
            scenario,
            vary,
            goal,
            range,
            probability,
            draws,
            seed,
            variant,
            json,
        }),
        cli::Command::New { name } => commands::new::run(&name).map(|path| {
            // A status line, not data: standard error, like every "wrote" line.
            terminal::print_err(&format!(
                "wrote {}\nnext: kjproj run {}\n",
                path.display(),
                path.display()
            ));
        }),
        cli::Command::Check {
            paths,
            format,
            junit,
            draws,
        } => commands::check::run(&commands::check::CheckOptions {
            paths,
            format: match format {
                cli::FormatArg::Text => commands::check::Format::Text,
                cli::FormatArg::Json => commands::check::Format::Json,
            },
            junit,
            draws,
        })
        .map(|code| {
            if code != 0 {
                std::process::exit(code);
            }
        }),
    };
    if let Err(e) = result {
        terminal::print_err(&format!("{} {e}\n", Style::for_stderr().error()));
        std::process::exit(e.exit_code());
    }
}
