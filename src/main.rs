//! The `kjproj` binary: parse arguments, call the library, print any error, exit.

mod cli;

use clap::Parser;
use kjproj::commands::{self, Style};
use kjproj::scenario::Lang;
use kjproj::sensitivity::sampling::Method;

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

fn lang_of(l: cli::LangArg) -> Lang {
    match l {
        cli::LangArg::En => Lang::En,
        cli::LangArg::Ko => Lang::Ko,
    }
}

fn main() {
    let cli = cli::Cli::parse();
    if let cli::Command::Completions { shell } = cli.command {
        use clap::CommandFactory;
        clap_complete::generate(
            shell,
            &mut cli::Cli::command(),
            "kjproj",
            &mut std::io::stdout(),
        );
        return;
    }
    let result = match cli.command {
        cli::Command::Run {
            scenario,
            out,
            svg,
            lang,
            quiet,
            draws,
            seed,
            sampling,
            sobol,
            threads,
        } => commands::run::run(&commands::run::RunOptions {
            scenario,
            out_dir: out,
            svg,
            lang: lang.map(lang_of),
            quiet,
            sensitivity: commands::sensitivity::SensitivityOptions {
                draws,
                seed,
                sampling: sampling.map(|s| match s {
                    cli::SamplingArg::Random => Method::Random,
                    cli::SamplingArg::Lhs => Method::LatinHypercube,
                }),
                sobol_samples: Some(sobol),
                progress: !quiet,
            },
            threads,
            command_line: command_line(),
        }),
        cli::Command::Compare {
            scenarios,
            out,
            svg,
            lang,
            quiet,
        } => commands::compare::run(&commands::compare::CompareOptions {
            scenarios,
            out_dir: out,
            svg,
            lang: lang.map(lang_of),
            quiet,
        }),
        cli::Command::Solve {
            scenario,
            vary,
            goal,
            range,
            probability,
            draws,
            seed,
        } => commands::solve::run(&commands::solve::SolveOptions {
            scenario,
            vary,
            goal,
            range,
            probability,
            draws,
            seed,
        }),
        cli::Command::New { name } => commands::new::run(&name).map(|path| {
            println!("wrote {}", path.display());
            println!("next: kjproj run {}", path.display());
        }),
        cli::Command::Completions { .. } => Ok(()),
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
        eprintln!("{} {e}", Style::for_stderr().error());
        std::process::exit(e.exit_code());
    }
}
