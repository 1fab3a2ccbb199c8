//! `kjproj new NAME`: a commented template scenario to start from.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::export::{OutputFile, write_atomically};

/// The template, with `NAME` standing for the scenario's name.
const TEMPLATE: &str = include_str!("templates/new.toml");

/// The template text for a scenario called `name`.
pub fn template(name: &str) -> String {
    TEMPLATE.replace("NAME", name)
}

/// Writes `NAME.toml` (or the path given, if it ends in `.toml`); never overwrites.
pub fn run(name: &str) -> Result<PathBuf, Error> {
    let path = if name.ends_with(".toml") {
        PathBuf::from(name)
    } else {
        PathBuf::from(format!("{name}.toml"))
    };
    let stem = path
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    if stem.trim().is_empty()
        || stem.starts_with('.')
        || stem.contains(['"', '\\'])
        || stem.chars().any(char::is_control)
    {
        return Err(Error::Usage(format!(
            "`{}` is not a usable scenario name: give a name such as `my_market` (it becomes my_market.toml); a name is not empty, does not start with `.`, and has no quotes, backslashes or control characters",
            crate::error::printable(name)
        )));
    }
    if path.exists() {
        return Err(Error::Usage(format!(
            "{} already exists; kjproj new never overwrites a file",
            path.display()
        )));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file = path.file_name().map_or_else(
        || format!("{stem}.toml"),
        |f| f.to_string_lossy().into_owned(),
    );
    write_atomically(
        dir,
        &[OutputFile {
            name: file,
            bytes: template(&stem).into_bytes(),
        }],
    )?;
    Ok(path)
}
