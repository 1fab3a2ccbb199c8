//! `kjproj run --watch`: run, then run again each time the scenario, a file it extends or
//! a data file it reads is saved, replacing the outputs in one step (see
//! [`crate::export::write_set`]) and printing what changed in the headline figures since
//! the run before, so that an analyst can edit assumptions beside an open chart.
//!
//! Files are polled (every [`POLL`]), which works the same on every system and file
//! system, network folders included. A file that cannot be loaded is reported and
//! watched on: the outputs of the last good run stay as they were.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::terminal::{Style, errln, out, outln};
use crate::error::Error;
use crate::render::headline::{Figure, changes};
use crate::scenario;

/// How often the files are looked at.
pub const POLL: Duration = Duration::from_millis(250);

/// How long the files must stay unchanged after a change before the run starts (editors
/// save in several steps).
pub const SETTLE: Duration = Duration::from_millis(200);

/// Files larger than this are compared by size and time of change only, not by contents.
const MAX_HASHED_BYTES: u64 = 16 * 1024 * 1024;

/// Loads the scenario `path` and runs it with `run_once` now and after every change to
/// it or a file it extends or reads, until interrupted. `run_once(scenario, again)` runs
/// and writes (quietly when `again`: the changes say what the summary would repeat) and
/// returns the headline figures; unless `quiet`, what changed in them is printed.
pub fn watch(
    path: &Path,
    quiet: bool,
    mut run_once: impl FnMut(&scenario::Scenario, bool) -> Result<Vec<Figure>, Error>,
) -> Result<(), Error> {
    let style = Style::for_stderr();
    let mut before: Option<Vec<Figure>> = None;
    let mut sources = vec![path.to_owned()];
    let mut runs = 0_u64;
    loop {
        runs += 1;
        // The files as they were when loaded: a save during the run runs again.
        let stamp = match scenario::load(path) {
            Ok(loaded) => {
                sources = loaded
                    .origin
                    .sources()
                    .into_iter()
                    .map(Path::to_owned)
                    .collect();
                let stamp = Stamp::of(&sources);
                match run_once(&loaded, before.is_some()) {
                    Ok(figures) => {
                        if let Some(b) = &before
                            && !quiet
                        {
                            outln!("── run {runs}: changes since the last run ──");
                            out!("{}", changes(b, &figures));
                        }
                        before = Some(figures);
                    }
                    Err(e) => errln!("{} {e}", style.error()),
                }
                stamp
            }
            Err(e) => {
                errln!("{} {e}", style.error());
                Stamp::of(&sources)
            }
        };
        wait_for_change(&sources, stamp, runs);
    }
}

/// Waits until one of `sources` differs from `stamp`, and then until they stay unchanged
/// for [`SETTLE`].
fn wait_for_change(sources: &[PathBuf], stamp: Stamp, runs: u64) {
    let names: Vec<String> = sources.iter().map(|p| p.display().to_string()).collect();
    errln!(
        "watching {} for changes (run {runs} done; Ctrl-C to stop)",
        names.join(", ")
    );
    let mut last = stamp;
    loop {
        std::thread::sleep(POLL);
        let now = Stamp::of(sources);
        if now != last {
            last = now;
            loop {
                std::thread::sleep(SETTLE);
                let again = Stamp::of(sources);
                if again == last {
                    return;
                }
                last = again;
            }
        }
    }
}

/// What the watched files look like now: per file, its size and time of change and a hash
/// of its contents (or that it cannot be read).
#[derive(Debug, PartialEq, Eq)]
struct Stamp(Vec<Option<(u64, Option<std::time::SystemTime>, u64)>>);

impl Stamp {
    fn of(files: &[PathBuf]) -> Stamp {
        Stamp(
            files
                .iter()
                .map(|f| {
                    let meta = std::fs::metadata(f).ok()?;
                    let hash = if meta.is_file() && meta.len() <= MAX_HASHED_BYTES {
                        use std::hash::{Hash, Hasher};
                        let mut h = std::collections::hash_map::DefaultHasher::new();
                        std::fs::read(f).ok()?.hash(&mut h);
                        h.finish()
                    } else {
                        0
                    };
                    Some((meta.len(), meta.modified().ok(), hash))
                })
                .collect(),
        )
    }
}
