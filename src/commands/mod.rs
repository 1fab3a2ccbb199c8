//! One module per subcommand, each glue between loading, [`crate::evaluate`] and
//! [`crate::render`]: it takes a plain options struct (never clap types), and imports no
//! other subcommand.

pub mod check;
pub mod compare;
pub mod new;
pub mod report;
pub mod run;
pub mod solve;
pub mod terminal;
pub mod watch;

pub use terminal::Style;

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::evaluate::Overrides;

/// What `run` and `report` share: where and how to write, and the settings they override.
#[derive(Debug, Clone, Default)]
pub struct OutputOptions {
    /// Output directory; `None` means the default for the command.
    pub out_dir: Option<PathBuf>,
    /// Chart size, resolution, and whether SVGs are written too.
    pub charts: crate::render::ChartFormat,
    /// Print only warnings and errors.
    pub quiet: bool,
    /// Settings from the command line (each overrides the file's).
    pub overrides: Overrides,
    /// Worker threads (default: all cores). Results do not depend on it.
    pub threads: Option<usize>,
    /// The command line as typed, quoted for a shell, for the report's "reproduce" section.
    pub command_line: String,
    /// Byte order marks on CSV files.
    pub csv_bom: crate::export::Bom,
    /// Print the results as JSON instead of the summary.
    pub json: bool,
}

/// The most worker threads a command may ask for: far more than any machine kjproj runs
/// on has cores, and few enough that per-thread work space stays small.
pub const MAX_THREADS: usize = 256;

/// Runs `work` on a pool of `threads` worker threads (default: one per core). Results
/// never depend on the number.
///
/// A number of threads outside 1–[`MAX_THREADS`] is a usage error (the command line
/// refuses it earlier; the Python package passes it on).
pub fn with_threads<T: Send>(
    threads: Option<usize>,
    work: impl FnOnce() -> Result<T, Error> + Send,
) -> Result<T, Error> {
    if let Some(n) = threads
        && !(1..=MAX_THREADS).contains(&n)
    {
        return Err(Error::Usage(format!(
            "threads: {n} is not a whole number from 1 to {MAX_THREADS}"
        )));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Internal {
            context: "thread pool".into(),
            message: e.to_string(),
        })?;
    pool.install(work)
}

/// `output/<file stem>` for a scenario path.
pub fn default_out_dir(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    Path::new("output").join(stem)
}
