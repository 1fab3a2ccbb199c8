//! Atomic output: every file is written to a temporary file in its target directory and
//! renamed into place only once complete.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// A complete output file, ready to be put in place.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// File name within the output directory (`paths.csv`).
    pub name: String,
    /// The whole contents.
    pub bytes: Vec<u8>,
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
    std::fs::create_dir_all(dir).map_err(fail(dir))?;
    remove_stale_temporaries(dir);

    let mut staged = Vec::with_capacity(files.len());
    for file in files {
        let target = dir.join(&file.name);
        let mut builder = tempfile::Builder::new();
        builder.prefix(".kjproj-").suffix(".tmp");
        // tempfile creates private (0600) files; outputs are ordinary readable files.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let mut tmp = builder.tempfile_in(dir).map_err(fail(&target))?;
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
