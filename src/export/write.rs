//! Atomic output: every file is written to a temporary file in its target directory and
//! renamed into place only once complete.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// A complete output file, ready to be put in place.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Path within the output directory: a file name (`paths.csv`), or a folder and a file
    /// name (`delayed_start/paths.csv`). Anything else (`..`, an absolute path, deeper
    /// folders) is refused, so no output ever lands outside the output directory.
    pub name: String,
    /// The whole contents.
    pub bytes: Vec<u8>,
}

/// Writes one file at `path` (a file the user named: `--partial FILE`) as
/// [`write_atomically`] does: complete or not at all. A path without a file name is a
/// usage error naming `what` (the option that gave it).
pub fn write_file_atomically(path: &Path, bytes: Vec<u8>, what: &str) -> Result<PathBuf, Error> {
    let Some(name) = path.file_name() else {
        return Err(Error::Usage(format!(
            "{what} {}: give a file name",
            path.display()
        )));
    };
    let name = name.to_string_lossy().into_owned();
    let written = write_atomically(folder_of(path), &[OutputFile { name, bytes }])?;
    Ok(written
        .into_iter()
        .next()
        .unwrap_or_else(|| path.to_owned()))
}

/// The folder a file named on the command line goes in: its parent, `.` when it has none.
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A temporary file in `folder` (`.kjproj-….tmp`, the name stale temporaries are known
/// by), to be renamed over its target once complete. tempfile creates private (0600)
/// files; outputs are ordinary readable files.
pub fn temporary_in(folder: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kjproj-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    builder.tempfile_in(folder)
}

/// Writes `files` into `dir` (created if missing) and returns the paths written.
///
/// Every file is first written in full to a temporary file in `dir`; only when all of them
/// are written are they renamed over their targets. A failure before that point leaves
/// every existing output untouched and removes the temporary files.
pub fn write_atomically(dir: &Path, files: &[OutputFile]) -> Result<Vec<PathBuf>, Error> {
    let fail = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Write { path, source }
    };
    check_names(files, &[])?;
    let mut folders: Vec<PathBuf> = vec![dir.to_owned()];
    for file in files {
        if let Some(parent) = dir.join(&file.name).parent()
            && !folders.iter().any(|f| f == parent)
        {
            folders.push(parent.to_owned());
        }
    }
    for folder in &folders {
        std::fs::create_dir_all(folder).map_err(fail(folder))?;
        remove_stale_temporaries(folder);
    }

    let mut staged = Vec::with_capacity(files.len());
    for file in files {
        let target = dir.join(&file.name);
        let folder = target.parent().unwrap_or(dir);
        let mut tmp = temporary_in(folder).map_err(fail(&target))?;
        tmp.write_all(&file.bytes).map_err(fail(&target))?;
        tmp.as_file().sync_all().map_err(fail(&target))?;
        staged.push((tmp, target));
    }

    let mut written = Vec::with_capacity(staged.len());
    for (tmp, target) in staged {
        tmp.persist(&target).map_err(|e| fail(&target)(e.error))?;
        written.push(target);
    }
    Ok(written)
}

/// Refuses (as a bug) an output name that would leave the output folder, or that is one of
/// kjproj's `reserved` bookkeeping names.
pub(super) fn check_names(files: &[OutputFile], reserved: &[&str]) -> Result<(), Error> {
    match files
        .iter()
        .find(|f| !inside(&f.name) || reserved.contains(&f.name.as_str()))
    {
        Some(file) => Err(Error::Internal {
            context: "writing outputs".into(),
            message: format!(
                "the output name `{}` would leave the output folder",
                file.name
            ),
        }),
        None => Ok(()),
    }
}

/// Whether an output name stays inside the output folder: one or two plain components.
pub(super) fn inside(name: &str) -> bool {
    let parts: Vec<std::path::Component> = Path::new(name).components().collect();
    !parts.is_empty()
        && parts.len() <= 2
        && parts
            .iter()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Makes sure `dir` is, or can become, a folder kjproj can write in, before any work is
/// done and without leaving anything behind: the nearest folder of `dir` that exists
/// must be a folder in which a file can be created (one is, and removed at once).
pub fn probe(dir: &Path) -> Result<(), Error> {
    let fail = |source| Error::Write {
        path: dir.to_owned(),
        source,
    };
    let mut existing = dir;
    while !existing.as_os_str().is_empty() && !existing.exists() {
        existing = existing.parent().unwrap_or(Path::new(""));
    }
    if existing.as_os_str().is_empty() {
        existing = Path::new(".");
    }
    if !existing.is_dir() {
        return Err(fail(std::io::Error::other(format!(
            "{} is a file, not a folder",
            existing.display()
        ))));
    }
    tempfile::Builder::new()
        .prefix(".kjproj-probe-")
        .suffix(".tmp")
        .tempfile_in(existing)
        .map(drop)
        .map_err(fail)
}

/// How old a temporary file must be before it counts as left behind by a killed run
/// (rather than being written by a run going on right now).
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes `.kjproj-*.tmp` files that a run killed while writing left behind. Best effort:
/// a failure here never stops a run.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(".kjproj-") && name.ends_with(".tmp")) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
