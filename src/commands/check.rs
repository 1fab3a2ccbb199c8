//! `kjproj check`: every scenario's checks as PASS/FAIL lines, JSON or JUnit XML.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::terminal::out;
use crate::error::Error;
use crate::evaluate::{self, Analyses, Overrides};
use crate::export::{OutputFile, write_atomically};
use crate::render::checks::{self, Counts, FileReport, VariantReport, counts};
use crate::scenario;

/// Output format of `kjproj check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// One line per check and a closing `N passed, N failed`.
    #[default]
    Text,
    /// One JSON document.
    Json,
}

/// Options of `kjproj check`.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Scenario files or directories (searched for `*.toml`); empty means `scenarios/`.
    pub paths: Vec<PathBuf>,
    /// Output format.
    pub format: Format,
    /// Also write JUnit XML here.
    pub junit: Option<PathBuf>,
    /// Monte Carlo draws for simulation checks (default: the file's, else 100,000).
    pub draws: Option<u64>,
}

/// Exit code when a check failed.
pub const EXIT_FAILED: i32 = 1;

/// Runs `kjproj check`; returns the exit code (0 all passed, 1 a check failed, 2 a file
/// was invalid).
pub fn run(options: &CheckOptions) -> Result<i32, Error> {
    let files = scenario_files(&options.paths)?;
    let overrides = Overrides {
        draws: options.draws,
        ..Overrides::default()
    };
    overrides.validate()?;
    let reports: Vec<FileReport> = files.iter().map(|f| check_file(f, &overrides)).collect();
    let Counts {
        failed, invalid, ..
    } = counts(&reports);

    if let Some(path) = &options.junit {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map_or_else(|| "junit.xml".into(), |n| n.to_string_lossy().into_owned());
        write_atomically(
            dir,
            &[OutputFile {
                name,
                bytes: checks::junit(&reports).into_bytes(),
            }],
        )?;
    }
    match options.format {
        Format::Text => out!("{}", checks::text(&reports, colour_stdout())),
        Format::Json => out!("{}", checks::json(&reports)),
    }
    Ok(if invalid > 0 {
        crate::error::EXIT_INVALID_INPUT
    } else if failed > 0 {
        EXIT_FAILED
    } else {
        0
    })
}

fn colour_stdout() -> bool {
    super::terminal::color_on(std::io::stdout().is_terminal())
}

/// The scenario files named by `paths`: files as given, directories searched recursively
/// for `*.toml`, sorted; no paths means `scenarios/`.
pub fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let default = [PathBuf::from("scenarios")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            collect_toml(p, &mut found).map_err(|e| Error::Read {
                path: p.clone(),
                message: e.to_string(),
            })?;
            found.sort();
            if found.is_empty() {
                return Err(Error::Read {
                    path: p.clone(),
                    message: "the directory holds no .toml scenario files".into(),
                });
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// The `*.toml` regular files below `dir`. Symbolic links to folders are not followed (two
/// links to `.` would make the walk endless) and anything but a regular file (a pipe named
/// `x.toml` would block for ever) is skipped; each skip is said on standard error.
fn collect_toml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::path);
    for entry in entries {
        let path = entry.path();
        let kind = entry.file_type()?;
        let toml = path.extension().is_some_and(|e| e == "toml");
        if kind.is_dir() {
            collect_toml(&path, out)?;
        } else if kind.is_symlink() {
            match std::fs::metadata(&path) {
                Ok(m) if m.is_dir() => super::terminal::errln!(
                    "note: skipped {}: a symbolic link to a folder is not followed",
                    path.display()
                ),
                Ok(m) if m.is_file() && toml => out.push(path),
                Ok(_) if toml => {
                    super::terminal::errln!("note: skipped {}: not a regular file", path.display())
                }
                _ => {}
            }
        } else if toml && kind.is_file() {
            out.push(path);
        } else if toml {
            super::terminal::errln!("note: skipped {}: not a regular file", path.display());
        }
    }
    Ok(())
}

/// Loads and checks one file: its base and every variant.
pub fn check_file(path: &Path, overrides: &Overrides) -> FileReport {
    check_loaded(path, scenario::load(path), overrides)
}

/// Checks a scenario loaded (or not) from `path`: its base and every variant.
pub fn check_loaded(
    path: &Path,
    loaded: Result<scenario::Scenario, Error>,
    overrides: &Overrides,
) -> FileReport {
    let invalid = |e: Error| FileReport {
        path: path.to_owned(),
        variants: Vec::new(),
        error: Some(e.to_string()),
    };
    let scenario = match loaded {
        Ok(s) => s,
        Err(e) => return invalid(e),
    };
    match evaluate::evaluate_all(
        &scenario,
        overrides,
        Analyses::CHECKS,
        evaluate::Simulations::Run(None),
    ) {
        Ok(evals) => FileReport {
            path: path.to_owned(),
            variants: evals
                .into_iter()
                .map(|e| VariantReport {
                    variant: e.name().to_owned(),
                    checks: e.checks,
                })
                .collect(),
            error: None,
        },
        Err(e) => invalid(e),
    }
}
