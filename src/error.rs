//! Error types and the one place that maps them to exit codes.
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success |
//! | 1 | a check failed (`kjproj check`), or no solution (`kjproj solve`) |
//! | 2 | invalid input: the scenario file (syntax, unknown key, wrong type, impossible value) or the command line |
//! | 3 | the outputs could not be written (permissions, a file where a directory should be, disk full) |
//! | 4 | internal error while rendering a chart (a bug: please report it) |
//! | 130 | interrupted (a library caller asked to stop: [`interrupt`]) |

use std::fmt;
use std::path::PathBuf;

/// Exit code for invalid input (scenario file or command line).
pub const EXIT_INVALID_INPUT: i32 = 2;
/// Exit code when `kjproj solve` finds no solution.
pub const EXIT_NO_SOLUTION: i32 = 1;
/// Exit code when outputs cannot be written.
pub const EXIT_OUTPUT: i32 = 3;
/// Exit code for an internal rendering failure.
pub const EXIT_INTERNAL: i32 = 4;
/// Exit code for work stopped by [`interrupt`] (as a shell reports SIGINT).
pub const EXIT_INTERRUPTED: i32 = 130;

/// Set by [`interrupt`]: long loops (Monte Carlo chunks, Sobol blocks) stop early, and an
/// evaluation that saw it returns [`Error::Interrupted`].
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Asks every running evaluation of this process to stop as soon as it can (a library
/// caller's Ctrl-C: the Python package calls it on `KeyboardInterrupt`).
pub fn interrupt() {
    INTERRUPTED.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Whether [`interrupt`] was called since the last [`clear_interrupt`].
pub fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Lets evaluations run again after an [`interrupt`].
pub fn clear_interrupt() {
    INTERRUPTED.store(false, std::sync::atomic::Ordering::Relaxed);
}

/// Everything that can go wrong in kjproj.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario file could not be read (missing, a directory, no permission).
    #[error("cannot read scenario file {}: {message}", printable(&path.display().to_string()))]
    Read {
        /// The file that was asked for.
        path: PathBuf,
        /// What the operating system said, in words.
        message: String,
    },
    /// The command line asks for something impossible (e.g. zero draws).
    #[error("{0}")]
    Usage(String),
    /// `kjproj solve` found no input value that reaches the goal in the range.
    #[error("no solution: {0}")]
    NoSolution(String),
    /// The scenario file was read but is not a valid scenario.
    #[error("{0}")]
    Scenario(#[from] ScenarioErrors),
    /// An output file or directory could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file or directory being written.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// Something that should not fail did (a chart that cannot be rendered, a validated
    /// scenario that cannot be projected): a bug to report.
    #[error("internal error in {context}: {message} (please report this)")]
    Internal {
        /// What was being done, e.g. the chart's file name.
        context: String,
        /// What went wrong.
        message: String,
    },
    /// The work was stopped by [`interrupt`].
    #[error("interrupted")]
    Interrupted,
}

impl Error {
    /// The process exit code for this error (see the module documentation).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Read { .. } | Error::Scenario(_) | Error::Usage(_) => EXIT_INVALID_INPUT,
            Error::NoSolution(_) => EXIT_NO_SOLUTION,
            Error::Write { .. } => EXIT_OUTPUT,
            Error::Internal { .. } => EXIT_INTERNAL,
            Error::Interrupted => EXIT_INTERRUPTED,
        }
    }
}

/// A position in a scenario file, 1-based as editors show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column number in characters, starting at 1.
    pub column: usize,
}

/// One problem in a scenario file, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    /// The scenario file.
    pub file: PathBuf,
    /// Where in the file, when known.
    pub position: Option<Position>,
    /// The dotted key the problem is about (`metrics.sales.target.value`), when known.
    pub key: Option<String>,
    /// What is wrong and, where possible, how to fix it.
    pub message: String,
    /// The offending source line and a caret under the problem, when known.
    pub excerpt: Option<String>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", printable(&self.file.display().to_string()))?;
        if let Some(p) = self.position {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{}`", printable(key))?;
        }
        write!(f, ": {}", printable(&self.message))?;
        if let Some(excerpt) = &self.excerpt {
            // One replacement character per control character keeps the caret in place.
            let shown: String = excerpt
                .chars()
                .map(|c| {
                    if c != '\n' && c.is_control() {
                        '\u{FFFD}'
                    } else {
                        c
                    }
                })
                .collect();
            write!(f, "\n{shown}")?;
        }
        Ok(())
    }
}

/// `text` with control characters (NUL, ESC, a line break inside a key…) written as escapes
/// such as `\u{0}`, so that an error message never sends them raw to a terminal or log.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

/// How many problems of one file are printed; the rest are counted.
pub const MAX_SHOWN: usize = 20;

/// All problems found in one scenario file (at least one).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().take(MAX_SHOWN).enumerate() {
            if i > 0 {
                writeln!(f)?;
                write!(f, "error: ")?;
            }
            write!(f, "{e}")?;
        }
        if self.0.len() > MAX_SHOWN {
            write!(
                f,
                "\nerror: … and {} more problems in the same file(s)",
                self.0.len() - MAX_SHOWN
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}
