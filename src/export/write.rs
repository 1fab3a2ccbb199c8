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
