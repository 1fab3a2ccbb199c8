//! Atomic output *sets*: a run's files (the base's, every variant's, the report) appear in
//! the output folder together or not at all.
//!
//! The new set is written in full into a fresh sibling folder (`.NAME.kjproj-PID-N`), with
//! a manifest (`.kjproj-outputs`) naming what kjproj wrote; files in the old folder that
//! kjproj did not write (notes of the user's) are carried over as hard links. Then the
//! two folders are swapped in one step (`renameat2` with `RENAME_EXCHANGE` on Linux;
//! elsewhere two renames, undone at the next run if interrupted between them) and the old
//! set removed. A run that fails, is interrupted (Ctrl-C, `kill`) or is killed outright
//! at any moment leaves either the complete old set or the complete new one; staging
//! folders left by a killed run are removed by the next run once their process is gone.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::write::{OutputFile, check_names, inside};
use crate::error::Error;

/// The manifest in every output folder: the files of the set, one per line.
pub const MANIFEST: &str = ".kjproj-outputs";

/// First line of the manifest.
const MANIFEST_HEADER: &str = "# files written by kjproj; the folder is replaced as a whole";

/// The most entries of the user's own kept in an output folder (carried into each new set).
pub const MAX_CARRIED: usize = 10_000;

/// What becomes of the old set's files that the new set does not write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The new set replaces the old one (`kjproj run`): outputs of the last run that this
    /// run does not write (a variant since removed, SVGs no longer asked for) go.
    Replace,
    /// The new files are added to the set (`kjproj report`, `kjproj compare`), the others
    /// kept.
    Update,
}

/// Staging folders being written by this process, removed if it is interrupted.
static STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes this process's staging folders when it is interrupted (Ctrl-C, SIGTERM,
/// SIGHUP), then exits with 130. Every step of writing a set holds the same lock, so the
/// step in progress (a file, the swap) finishes first and no other starts: the handler
/// keeps the lock until the process ends. Call once, early.
pub fn clean_up_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        let staging = lock();
        for dir in staging.iter() {
            let _ = std::fs::remove_dir_all(dir);
        }
        std::process::exit(130);
    });
}

/// Checks, before any work, that `dir` can take an output set: a folder of its own (not
/// `.`, nor the current folder or one above it), or one that can be made.
pub fn probe_set(dir: &Path) -> Result<(), Error> {
    Place::of(dir)?;
    super::write::probe(dir)
}

/// Writes `files` as the output set in `dir` (see the module documentation) and returns
/// the paths of the files written.
pub fn write_set(dir: &Path, files: &[OutputFile], mode: Mode) -> Result<Vec<PathBuf>, Error> {
    let place = Place::of(dir)?;
    check_names(files, &[MANIFEST])?;
    std::fs::create_dir_all(&place.parent).map_err(write_error(&place.parent))?;
    place.recover();
    place.remove_stale();

    let staging = place.staging();
    {
        // Registered before it exists, so that an interruption never misses it.
        let mut registered = lock();
        registered.push(staging.clone());
        std::fs::create_dir(&staging).map_err(write_error(&staging))?;
    }
    let result = fill(&place, &staging, files, mode).and_then(|()| {
        let _swapping = lock();
        place.swap(&staging)
    });
    let mut registered = lock();
    registered.retain(|d| d != &staging);
    // After a swap the old set is in `staging`; after a failure, the partial new one.
    let _ = std::fs::remove_dir_all(&staging);
    drop(registered);
    result?;
    Ok(files.iter().map(|f| dir.join(&f.name)).collect())
}

fn lock() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    STAGING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_owned(),
        source,
    }
}

/// Writes the new set, the manifest and the carried-over files into `staging`.
fn fill(place: &Place, staging: &Path, files: &[OutputFile], mode: Mode) -> Result<(), Error> {
    use std::io::Write as _;
    let mut names: Vec<String> = Vec::with_capacity(files.len());
    for file in files {
        let _step = lock();
        let target = staging.join(&file.name);
        if let Some(folder) = target.parent() {
            std::fs::create_dir_all(folder).map_err(write_error(folder))?;
        }
        let shown = place.dir.join(&file.name);
        let mut f = std::fs::File::create(&target).map_err(write_error(&shown))?;
        f.write_all(&file.bytes).map_err(write_error(&shown))?;
        f.sync_all().map_err(write_error(&shown))?;
        names.push(file.name.clone());
    }
    let old = read_manifest(&place.dir);
    let mut carried = 0;
    let _step = lock();
    if place.dir.is_dir() {
        carry(
            &place.dir,
            staging,
            Path::new(""),
            &|name: &str| {
                // The user's files always; kjproj's own from before only when updating.
                names.iter().all(|n| n != name)
                    && (mode == Mode::Update || !old.iter().any(|o| o == name))
            },
            &mut carried,
        )?;
    }
    if mode == Mode::Update {
        for name in old {
            if !names.contains(&name) && staging.join(&name).is_file() {
                names.push(name);
            }
        }
    }
    names.sort();
    let manifest = format!("{MANIFEST_HEADER}\n{}\n", names.join("\n"));
    let path = staging.join(MANIFEST);
    std::fs::write(&path, manifest).map_err(write_error(&path))?;
    Ok(())
}

/// The set named in `dir`'s manifest (empty without one).
fn read_manifest(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(MANIFEST))
        .map(|text| {
            text.lines()
                .filter(|l| !l.starts_with('#') && inside(l))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Hard-links (or copies) into `to` every entry under `from`/`rel` that `keep` accepts by
/// its relative name (`a.txt`, `notes/b.txt`), recreating folders and symbolic links.
fn carry(
    from: &Path,
    to: &Path,
    rel: &Path,
    keep: &dyn Fn(&str) -> bool,
    carried: &mut usize,
) -> Result<(), Error> {
    let here = from.join(rel);
    let entries = std::fs::read_dir(&here).map_err(write_error(&here))?;
    for entry in entries {
        let entry = entry.map_err(write_error(&here))?;
        let name = rel.join(entry.file_name());
        let text = name.to_string_lossy().replace('\\', "/");
        let file_name = entry.file_name().to_string_lossy().into_owned();
        // kjproj's own bookkeeping (manifests, staging folders and temporary files of
        // runs that wrote into this folder) is never carried.
        let bookkeeping = file_name == MANIFEST
            || (file_name.starts_with('.') && file_name.contains(".kjproj-"))
            || (file_name.starts_with(".kjproj-") && file_name.ends_with(".tmp"));
        if bookkeeping || !keep(&text) {
            continue;
        }
        *carried += 1;
        if *carried > MAX_CARRIED {
            return Err(Error::Write {
                path: from.to_owned(),
                source: std::io::Error::other(format!(
                    "it holds more than {MAX_CARRIED} files kjproj did not write; kjproj replaces its output folder as a whole, so give a folder of its own (--out)"
                )),
            });
        }
        let (source, target) = (from.join(&name), to.join(&name));
        let kind = entry.file_type().map_err(write_error(&source))?;
        if kind.is_dir() {
            // Folders that the new set also writes in (a variant's) exist already; one made
            // here that ends up empty (a variant since removed) is not kept.
            let made = !target.is_dir();
            if made {
                std::fs::create_dir(&target).map_err(write_error(&target))?;
            }
            carry(from, to, &name, keep, carried)?;
            if made && std::fs::read_dir(&target).is_ok_and(|mut d| d.next().is_none()) {
                let _ = std::fs::remove_dir(&target);
            }
        } else if kind.is_symlink() {
            let link = std::fs::read_link(&source).map_err(write_error(&source))?;
            symlink(&link, &target).map_err(write_error(&target))?;
        } else if std::fs::hard_link(&source, &target).is_err() {
            std::fs::copy(&source, &target).map_err(write_error(&source))?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn symlink(link: &Path, target: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(link, target)
}

#[cfg(not(unix))]
fn symlink(link: &Path, target: &Path) -> std::io::Result<()> {
    std::fs::copy(link, target).map(drop)
}

/// An output folder: its parent and its name.
struct Place {
    dir: PathBuf,
    parent: PathBuf,
    name: String,
}

impl Place {
    fn of(dir: &Path) -> Result<Place, Error> {
        let refuse = |why: &str| Error::Write {
            path: dir.to_owned(),
            source: std::io::Error::other(why.to_owned()),
        };
        let own_folder = "kjproj replaces its output folder as a whole; give a folder of its own, e.g. --out out";
        let Some(name) = dir.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            return Err(refuse(own_folder));
        };
        if let (Ok(real), Ok(cwd)) = (dir.canonicalize(), std::env::current_dir())
            && cwd.starts_with(&real)
        {
            return Err(refuse(own_folder));
        }
        if dir.exists() && !dir.is_dir() {
            return Err(refuse("it is a file, not a folder"));
        }
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_owned();
        Ok(Place {
            dir: dir.to_owned(),
            parent,
            name,
        })
    }

    fn prefix(&self) -> String {
        format!(".{}.kjproj-", self.name)
    }

    /// A new staging folder's path, unique to this process and moment.
    fn staging(&self) -> PathBuf {
        static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        self.parent.join(format!(
            "{}{}-{n}{nanos:09}",
            self.prefix(),
            std::process::id()
        ))
    }

    /// Swaps `staging` (the new set) with the output folder; the old set ends up in
    /// `staging`.
    fn swap(&self, staging: &Path) -> Result<(), Error> {
        let fail = write_error(&self.dir);
        if !self.dir.exists() {
            return std::fs::rename(staging, &self.dir).map_err(fail);
        }
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{CWD, RenameFlags, renameat_with};
            match renameat_with(CWD, staging, CWD, &self.dir, RenameFlags::EXCHANGE) {
                Ok(()) => return Ok(()),
                // Filesystems without the exchange fall back to two renames.
                Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
                Err(e) => return Err(fail(e.into())),
            }
        }
        // Two renames: the old set steps aside (`recover` puts it back should the process
        // die before the new one is in place), then the new one moves in.
        let aside = self
            .parent
            .join(format!("{}old-{}", self.prefix(), std::process::id()));
        std::fs::rename(&self.dir, &aside).map_err(write_error(&self.dir))?;
        if let Err(e) = std::fs::rename(staging, &self.dir) {
            let _ = std::fs::rename(&aside, &self.dir);
            return Err(fail(e));
        }
        std::fs::rename(&aside, staging).map_err(write_error(staging))
    }

    /// Puts back an old set that a run killed between two renames left aside.
    fn recover(&self) {
        if self.dir.exists() {
            return;
        }
        if let Some(aside) = self.entries().find(|(n, _)| n.contains("kjproj-old-")) {
            let _ = std::fs::rename(aside.1, &self.dir);
        }
    }

    /// Staging folders of runs that are gone (killed before they could clean up).
    fn remove_stale(&self) {
        for (name, path) in self.entries() {
            let pid = name[self.prefix().len()..]
                .trim_start_matches("old-")
                .split('-')
                .next()
                .and_then(|p| p.parse::<u32>().ok());
            // (`recover` has put back an old set the folder needed; others are leftovers.)
            if pid.is_some_and(|p| p != std::process::id() && gone(p, &path)) {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }

    /// This folder's siblings that are kjproj's staging folders: (name, path).
    fn entries(&self) -> impl Iterator<Item = (String, PathBuf)> + '_ {
        let prefix = self.prefix();
        std::fs::read_dir(&self.parent)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(move |e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with(&prefix).then(|| (name, e.path()))
            })
    }
}

/// Whether the process `pid` that made `path` is gone: on Linux, no `/proc/PID`; elsewhere,
/// the folder is over ten minutes old.
fn gone(pid: u32, path: &Path) -> bool {
    if cfg!(target_os = "linux") {
        !Path::new(&format!("/proc/{pid}")).exists()
    } else {
        path.metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(600))
    }
}
