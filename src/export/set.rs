//! Atomic output *sets*: a run's files (the base's, every variant's, the report) appear in
//! the output folder together or not at all.
//!
//! The new set is written in full into a fresh sibling folder (`.NAME.kjproj-PID-N`), with
//! a manifest (`.kjproj-outputs`) naming what kjproj wrote; files in the old folder that
//! kjproj did not write (notes of the user's) are carried over as hard links. Then the
//! two folders are swapped in one step (`renameat2` with `RENAME_EXCHANGE` on Linux;
//! elsewhere two renames, undone at the next run if interrupted between them) and the old
//! set removed. A run that fails, is interrupted (Ctrl-C, `kill`) or is killed outright
//! at any moment leaves either the complete old set or the complete new one (a set given
//! up or interrupted also removes the folders made above the output folder for it);
//! staging folders left by a killed run are removed by the next run once their process is
//! gone.

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

/// A staging folder being written by this process and the folders made above the output
/// folder for it (the outermost first): removed if the process is interrupted.
struct Registered {
    staging: PathBuf,
    made: Vec<PathBuf>,
}

impl Registered {
    /// Removes the staging folder and, each only if empty, the folders made for it
    /// (innermost first).
    fn remove(&self, made_too: bool) {
        let _ = std::fs::remove_dir_all(&self.staging);
        if made_too {
            for folder in self.made.iter().rev() {
                let _ = std::fs::remove_dir(folder);
            }
        }
    }
}

/// Staging folders being written by this process, removed if it is interrupted.
static STAGING: Mutex<Vec<Registered>> = Mutex::new(Vec::new());

/// Removes this process's staging folders when it is interrupted (Ctrl-C, SIGTERM,
/// SIGHUP), then exits with 130. Every step of writing a set holds the same lock, so the
/// step in progress (a file, the swap) finishes first and no other starts: the handler
/// keeps the lock until the process ends. Call once, early.
pub fn clean_up_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        let staging = lock();
        for registered in staging.iter() {
            registered.remove(true);
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
    Place::of(dir)?;
    check_names(files, &[MANIFEST])?;
    Staging::begin(dir)?.finish(files, mode)
}

/// An output set written as its files come: each file handed over with
/// [`Staging::write`] is written into the staging folder, and synced to disk, on a thread
/// of its own while the rest of the set is still being made (`kjproj run` hands over each
/// evaluation's files as soon as they are rendered, so that the disk's time is spent beside
/// the computing rather than after it); [`Staging::finish`] writes what remains and swaps
/// the whole set in, as [`write_set`] does. Dropped unfinished (after an error), it removes
/// the staging folder: the output folder is not touched until the swap.
pub struct Staging {
    place: Place,
    dir: PathBuf,
    finished: bool,
    sender: Option<std::sync::mpsc::Sender<OutputFile>>,
    /// Writes the files handed over; returns their names, or the first failure.
    writer: Option<std::thread::JoinHandle<Result<Vec<String>, Error>>>,
}

impl Staging {
    /// Starts a set for `dir`: a fresh staging folder beside it (registered, so that an
    /// interruption removes it) and its writer thread.
    pub fn begin(dir: &Path) -> Result<Staging, Error> {
        let place = Place::of(dir)?;
        let made: Vec<PathBuf> = {
            let missing = place
                .parent
                .ancestors()
                .take_while(|a| !a.as_os_str().is_empty() && std::fs::symlink_metadata(a).is_err());
            let mut made: Vec<PathBuf> = missing.map(Path::to_owned).collect();
            made.reverse();
            made
        };
        let staging = place.staging();
        // Registered before anything is made, so that an interruption never misses it.
        lock().push(Registered {
            staging: staging.clone(),
            made,
        });
        let ready = std::fs::create_dir_all(&place.parent)
            .map_err(write_error(&place.parent))
            .and_then(|()| {
                place.recover();
                place.remove_stale();
                std::fs::create_dir(&staging).map_err(write_error(&staging))
            });
        if let Err(e) = ready {
            unregister(&staging, true);
            return Err(e);
        }
        let (sender, receiver) = std::sync::mpsc::channel::<OutputFile>();
        let (shown, into) = (place.dir.clone(), staging.clone());
        let writer = std::thread::spawn(move || {
            let mut names = Vec::new();
            while let Ok(file) = receiver.recv() {
                if let Err(e) = write_one(&shown, &into, &file) {
                    // The set will not be used: what else comes is dropped unwritten.
                    while receiver.recv().is_ok() {}
                    return Err(e);
                }
                names.push(file.name);
            }
            Ok(names)
        });
        Ok(Staging {
            place,
            dir: staging,
            finished: false,
            sender: Some(sender),
            writer: Some(writer),
        })
    }

    /// Hands `file` (with its final name in the set) to the writer thread; any failure is
    /// reported by [`Staging::finish`].
    pub fn write(&self, file: OutputFile) {
        if let Some(sender) = &self.sender {
            // The writer only stops early after a failure, which `finish` reports.
            let _ = sender.send(file);
        }
    }

    /// Completes the set: `files` is all of it, in order (those already handed over are
    /// not written again, and each must be among them); writes the others, the manifest
    /// and the carried-over files, swaps the set in and returns the paths of `files`.
    pub fn finish(mut self, files: &[OutputFile], mode: Mode) -> Result<Vec<PathBuf>, Error> {
        check_names(files, &[MANIFEST])?;
        let written = self.wait()?;
        if let Some(stray) = written
            .iter()
            .find(|w| !files.iter().any(|f| &f.name == *w))
        {
            return Err(Error::Internal {
                context: "writing outputs".into(),
                message: format!("`{stray}` was written but is not part of the set"),
            });
        }
        for file in files.iter().filter(|f| !written.contains(&f.name)) {
            write_one(&self.place.dir, &self.dir, file)?;
        }
        let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
        complete(&self.place, &self.dir, names, mode)?;
        {
            let _swapping = lock();
            self.place.swap(&self.dir)?;
        }
        let paths = files.iter().map(|f| self.place.dir.join(&f.name)).collect();
        // The old set is in the staging folder now; dropping removes it.
        self.finished = true;
        drop(self);
        Ok(paths)
    }

    /// Stops the writer thread once it has written everything handed over: the names it
    /// wrote, or its first failure.
    fn wait(&mut self) -> Result<Vec<String>, Error> {
        drop(self.sender.take());
        match self.writer.take().map(std::thread::JoinHandle::join) {
            None => Ok(Vec::new()),
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(Error::Internal {
                context: "writing outputs".into(),
                message: "the writer thread stopped".into(),
            }),
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = self.wait();
        // Unfinished, nothing is left behind: the folders made for it go too.
        unregister(&self.dir, !self.finished);
    }
}

/// Removes the staging folder `staging` from the registry and from the disk, with the
/// folders made for it when `made_too` (a set given up).
fn unregister(staging: &Path, made_too: bool) {
    let mut registered = lock();
    if let Some(i) = registered.iter().position(|r| r.staging == staging) {
        registered.swap_remove(i).remove(made_too);
    }
}

/// Writes `file` into `staging`, synced to disk (`shown` is the output folder, for
/// messages).
fn write_one(shown: &Path, staging: &Path, file: &OutputFile) -> Result<(), Error> {
    use std::io::Write as _;
    check_names(std::slice::from_ref(file), &[MANIFEST])?;
    let _step = lock();
    let target = staging.join(&file.name);
    if let Some(folder) = target.parent() {
        std::fs::create_dir_all(folder).map_err(write_error(folder))?;
    }
    let shown = shown.join(&file.name);
    let mut f = std::fs::File::create(&target).map_err(write_error(&shown))?;
    f.write_all(&file.bytes).map_err(write_error(&shown))?;
    f.sync_all().map_err(write_error(&shown))
}

fn lock() -> std::sync::MutexGuard<'static, Vec<Registered>> {
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

/// Adds to `staging`, which holds the new set's files `names`, the manifest and the
/// carried-over files.
fn complete(
    place: &Place,
    staging: &Path,
    mut names: Vec<String>,
    mode: Mode,
) -> Result<(), Error> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> OutputFile {
        OutputFile {
            name: name.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    /// Every file under `dir` (relative name, contents), manifest included, sorted.
    fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_owned()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let name = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                    out.push((name, std::fs::read(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    /// Names in `dir` (not recursive), sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    fn set() -> Vec<OutputFile> {
        vec![
            file("paths.csv", "year,x\n"),
            file("fan.png", "png"),
            file("v/paths.csv", "year,y\n"),
            file("report.md", "# report\n"),
            file("v/report.md", "# variant\n"),
        ]
    }

    #[test]
    fn a_set_written_as_its_files_come_is_the_set_written_at_once() {
        let tmp = tempfile::TempDir::new().unwrap();
        let (at_once, as_they_come) = (tmp.path().join("a"), tmp.path().join("b"));
        // Over an old set with a file of the user's, which both carry over.
        for dir in [&at_once, &as_they_come] {
            write_set(dir, &[file("old.csv", "old")], Mode::Replace).unwrap();
            std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        }
        let files = set();
        let written = write_set(&at_once, &files, Mode::Replace).unwrap();
        let staging = Staging::begin(&as_they_come).unwrap();
        staging.write(files[2].clone());
        staging.write(files[0].clone());
        let paths = staging.finish(&files, Mode::Replace).unwrap();
        assert_eq!(tree(&at_once), tree(&as_they_come));
        assert!(tree(&as_they_come).iter().any(|(n, _)| n == "notes.txt"));
        assert!(!tree(&as_they_come).iter().any(|(n, _)| n == "old.csv"));
        let relative = |p: &[PathBuf], dir: &Path| -> Vec<PathBuf> {
            p.iter()
                .map(|p| p.strip_prefix(dir).unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            relative(&written, &at_once),
            relative(&paths, &as_they_come)
        );
        assert_eq!(names(tmp.path()), ["a", "b"], "no staging folder left");
    }

    #[test]
    fn a_set_given_up_or_refused_leaves_the_old_one_and_nothing_else() {
        let tmp = tempfile::TempDir::new().unwrap();
        let dir = tmp.path().join("out");
        write_set(&dir, &[file("old.csv", "old")], Mode::Replace).unwrap();
        let old = tree(&dir);
        // Given up after some files were written (an evaluation failed).
        let staging = Staging::begin(&dir).unwrap();
        staging.write(file("paths.csv", "new"));
        drop(staging);
        // A file written that the finished set does not have.
        let staging = Staging::begin(&dir).unwrap();
        staging.write(file("stray.csv", "new"));
        let e = staging.finish(&set(), Mode::Replace).unwrap_err();
        assert!(e.to_string().contains("stray.csv"), "{e}");
        // A name that would leave the folder: refused, never written.
        for name in ["../escaped.csv", "/tmp/escaped.csv", "a/b/c.csv"] {
            let staging = Staging::begin(&dir).unwrap();
            staging.write(file(name, "new"));
            let mut files = set();
            files.push(file(name, "new"));
            assert!(staging.finish(&files, Mode::Replace).is_err(), "{name}");
        }
        assert_eq!(tree(&dir), old);
        assert_eq!(names(tmp.path()), ["out"], "nothing beside the folder");
        // Folders made for a set that is given up go with it.
        let deep = tmp.path().join("new").join("deeper").join("out");
        let staging = Staging::begin(&deep).unwrap();
        staging.write(file("paths.csv", "new"));
        drop(staging);
        assert_eq!(names(tmp.path()), ["out"], "the folders made are gone");
        // And stay once the set is finished.
        let staging = Staging::begin(&deep).unwrap();
        staging.write(file("paths.csv", "new"));
        staging.finish(&set(), Mode::Replace).unwrap();
        assert_eq!(names(&deep.join("..")), ["out"]);
    }
}
