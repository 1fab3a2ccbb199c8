//! `kjproj check`: every scenario's checks as PASS/FAIL lines, JSON or JUnit XML.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::check::{self, Outcome};
use crate::error::Error;
use crate::export::{OutputFile, write_atomically};
use crate::model;
use crate::scenario;
use crate::sensitivity::monte_carlo;
use crate::sensitivity::sampling::Method;

/// Default Monte Carlo draws for checks on simulation results.
pub const DEFAULT_CHECK_DRAWS: u64 = 100_000;

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

/// The checks of one file, or why it could not be checked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileReport {
    /// The scenario file.
    pub path: PathBuf,
    /// Its checks (empty when the file is invalid).
    pub checks: Vec<Outcome>,
    /// The loader's error, when the file is invalid.
    pub error: Option<String>,
}

/// Exit code when a check failed.
pub const EXIT_FAILED: i32 = 1;

/// Runs `kjproj check`; returns the exit code (0 all passed, 1 a check failed, 2 a file
/// was invalid).
pub fn run(options: &CheckOptions) -> Result<i32, Error> {
    let files = scenario_files(&options.paths)?;
    let reports: Vec<FileReport> = files.iter().map(|f| check_file(f, options.draws)).collect();
    let (passed, failed, invalid) = counts(&reports);

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
                bytes: junit(&reports).into_bytes(),
            }],
        )?;
    }
    match options.format {
        Format::Text => print!("{}", text(&reports, colour_stdout())),
        Format::Json => {
            let doc = serde_json::json!({
                "files": reports,
                "passed": passed,
                "failed": failed,
                "invalid": invalid,
            });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
    }
    Ok(if invalid > 0 {
        crate::error::EXIT_INVALID_INPUT
    } else if failed > 0 {
        EXIT_FAILED
    } else {
        0
    })
}

/// Checks passed, checks failed, and invalid files.
fn counts(reports: &[FileReport]) -> (usize, usize, usize) {
    let checks = reports.iter().flat_map(|r| &r.checks);
    let passed = checks.clone().filter(|c| c.passed).count();
    let failed = checks.filter(|c| !c.passed).count();
    let invalid = reports.iter().filter(|r| r.error.is_some()).count();
    (passed, failed, invalid)
}

fn colour_stdout() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stdout().is_terminal()
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

fn collect_toml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_toml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Loads and checks one file.
pub fn check_file(path: &Path, draws: Option<u64>) -> FileReport {
    let invalid = |e: String| FileReport {
        path: path.to_owned(),
        checks: Vec::new(),
        error: Some(e),
    };
    let scenario = match scenario::load(path) {
        Ok(s) => s,
        Err(e) => return invalid(e.to_string()),
    };
    let projection = match model::project(&scenario) {
        Ok(p) => p,
        Err(e) => return invalid(e.message),
    };
    let u = scenario.uncertainty.as_ref();
    let settings = monte_carlo::Settings {
        draws: draws
            .or(u.and_then(|u| u.draws))
            .unwrap_or(DEFAULT_CHECK_DRAWS),
        seed: u
            .and_then(|u| u.seed)
            .unwrap_or(super::sensitivity::DEFAULT_SEED),
        method: u.and_then(|u| u.sampling).unwrap_or(Method::LatinHypercube),
    };
    FileReport {
        path: path.to_owned(),
        checks: check::run(&scenario, &projection, check::Simulation::Run(settings)),
        error: None,
    }
}

/// The text report: a block per file, then `N passed, N failed`.
pub fn text(reports: &[FileReport], colour: bool) -> String {
    let paint = |code: &str, word: &str| {
        if colour {
            format!("\x1b[{code}m{word}\x1b[0m")
        } else {
            word.to_owned()
        }
    };
    let mut out = String::new();
    for r in reports {
        let _ = writeln!(out, "{}", r.path.display());
        if let Some(e) = &r.error {
            for (i, line) in e.lines().enumerate() {
                let lead = if i == 0 {
                    paint("1;31", "INVALID")
                } else {
                    "       ".into()
                };
                let _ = writeln!(out, "  {lead} {line}");
            }
            continue;
        }
        for c in &r.checks {
            let word = if c.passed {
                paint("32", "PASS")
            } else {
                paint("1;31", "FAIL")
            };
            let _ = writeln!(
                out,
                "  {word}  {}: {} (bound: {})",
                c.name, c.actual, c.bound
            );
            if !c.passed {
                let _ = writeln!(out, "        check: {}", c.check);
                if let Some(why) = &c.why {
                    let _ = writeln!(out, "        why: {why}");
                }
            }
        }
    }
    let (passed, failed, invalid) = counts(reports);
    if invalid > 0 {
        let _ = writeln!(
            out,
            "{invalid} invalid scenario file{}",
            if invalid == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    out
}

/// JUnit XML: a test suite per file, a test case per check; an invalid file is a suite
/// with one errored case.
pub fn junit(reports: &[FileReport]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests: usize = reports.iter().map(|r| r.checks.len().max(1)).sum();
    let failures = reports
        .iter()
        .flat_map(|r| &r.checks)
        .filter(|c| !c.passed)
        .count();
    let errors = reports.iter().filter(|r| r.error.is_some()).count();
    let _ = writeln!(
        out,
        "<testsuites name=\"kjproj check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
    );
    for r in reports {
        let file = xml(&r.path.display().to_string());
        let failed = r.checks.iter().filter(|c| !c.passed).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{file}\" tests=\"{}\" failures=\"{failed}\" errors=\"{}\">",
            r.checks.len().max(1),
            usize::from(r.error.is_some())
        );
        if let Some(e) = &r.error {
            let _ = writeln!(
                out,
                "    <testcase classname=\"{file}\" name=\"load scenario\">\n      <error message=\"{}\">{}</error>\n    </testcase>",
                xml(e.lines().next().unwrap_or("")),
                xml(e)
            );
        }
        for c in &r.checks {
            let _ = write!(
                out,
                "    <testcase classname=\"{file}\" name=\"{}\"",
                xml(&c.name)
            );
            if c.passed {
                let _ = writeln!(out, "/>");
            } else {
                let message = format!("{} (bound: {})", c.actual, c.bound);
                let why = c
                    .why
                    .as_deref()
                    .map_or_else(String::new, |w| format!("\nwhy: {w}"));
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\">check: {}{}</failure>\n    </testcase>",
                    xml(&message),
                    xml(&c.check),
                    xml(&why)
                );
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 forbids.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}
