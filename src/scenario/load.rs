//! Reading a scenario file: bytes → TOML → raw structs → validated [`Scenario`].

use std::path::Path;

use toml::Spanned;
use toml::de::DeTable;

use super::Scenario;
use super::locate::{KeyPath, Seg, excerpt, position, span_of};
use super::raw::RawScenario;
use super::validate::validate;
use crate::error::{Error, ScenarioError, ScenarioErrors};

/// Largest scenario file accepted. Real scenarios are a few kilobytes; this guards against
/// pointing kjproj at a data dump by mistake.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads and validates the scenario file at `path`.
///
/// Errors name the file and, where one exists, the line, column and key.
pub fn load(path: &Path) -> Result<Scenario, Error> {
    let read_error = |message: String| Error::Read {
        path: path.to_owned(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| read_error(io_words(&e)))?;
    if meta.is_dir() {
        return Err(read_error(
            "it is a directory; give a scenario .toml file".into(),
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(read_error(format!(
            "it is {} bytes; a scenario file may be at most {} bytes",
            meta.len(),
            MAX_FILE_BYTES
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| read_error(io_words(&e)))?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
            return Err(Error::Scenario(ScenarioErrors(vec![ScenarioError {
                file: path.to_owned(),
                position: Some(position(valid, valid.len())),
                key: None,
                message: "the file is not UTF-8 text (is it a binary file?)".into(),
                excerpt: None,
            }])));
        }
    };
    Ok(parse(text, path)?)
}

fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Parses and validates scenario text; `file` is only used in error messages.
pub fn parse(text: &str, file: &Path) -> Result<Scenario, ScenarioErrors> {
    let at = |span: Option<std::ops::Range<usize>>, key: Option<String>, message: String| {
        ScenarioError {
            file: file.to_owned(),
            position: span.as_ref().map(|s| position(text, s.start)),
            key,
            message,
            excerpt: span.as_ref().and_then(|s| excerpt(text, s)),
        }
    };

    if text.trim().is_empty() {
        return Err(ScenarioErrors(vec![at(
            Some(0..0),
            None,
            "the file is empty; see docs/scenario-format.md for what a scenario contains".into(),
        )]));
    }

    // Syntax first: the spanned tree is also what positions are looked up in.
    let tree: Spanned<DeTable<'_>> = DeTable::parse(text).map_err(|e| {
        let message = first_line(e.message());
        let key = e
            .span()
            .filter(|_| message.starts_with("duplicate key"))
            .map(|span| key_at(text, span));
        ScenarioErrors(vec![at(e.span(), key, message)])
    })?;

    let raw = deserialize_with_path(text, &tree, &at)?;

    let located = |problems: Vec<(KeyPath, String)>| {
        ScenarioErrors(
            problems
                .into_iter()
                .map(|(key, message)| at(span_of(&tree, &key), Some(key.to_string()), message))
                .collect(),
        )
    };
    let scenario = validate(raw).map_err(located)?;
    // Some constraints depend on the projected path (a value reached at a programme
    // start must suit the shape); projecting once here keeps the promise that a loaded
    // scenario can always be projected.
    crate::model::project(&scenario).map_err(|e| {
        let key = KeyPath(e.key.into_iter().map(Seg::Key).collect());
        located(vec![(key, e.message)])
    })?;
    Ok(scenario)
}

/// Maps the text onto the raw structs, keeping the key path of the first problem.
fn deserialize_with_path<F>(
    text: &str,
    tree: &Spanned<DeTable<'_>>,
    at: &F,
) -> Result<RawScenario, ScenarioErrors>
where
    F: Fn(Option<std::ops::Range<usize>>, Option<String>, String) -> ScenarioError,
{
    let de = toml::Deserializer::parse(text)
        .map_err(|e| ScenarioErrors(vec![at(e.span(), None, first_line(e.message()))]))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let mut key = KeyPath(
            e.path()
                .iter()
                .filter_map(|seg| match seg {
                    serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
                    serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
                    serde_path_to_error::Segment::Enum { variant } => {
                        Some(Seg::Key(variant.clone()))
                    }
                    serde_path_to_error::Segment::Unknown => None,
                })
                .collect(),
        );
        let message = first_line(e.inner().message());
        // "missing field `target`" is about a key below the table the path names.
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            key = key.key(field);
        }
        let span = e.inner().span().or_else(|| span_of(tree, &key));
        let key = (!key.0.is_empty()).then(|| key.to_string());
        ScenarioErrors(vec![at(span, key, message)])
    })
}

/// toml's messages sometimes carry a trailing newline or a second line; keep the first,
/// in words a user of the file knows (no Rust type names).
fn first_line(message: &str) -> String {
    message
        .trim()
        .lines()
        .next()
        .unwrap_or("")
        .replace("expected f64", "expected a number")
        .replace("expected i32", "expected a whole number")
        .replace("expected a string", "expected a string in quotes")
        .replace("unknown variant", "unknown value")
}

/// The dotted key written at `span` (a key in a `key = value` line), prefixed with the
/// `[table]` header above it; used where the TOML parser reports a key without its path.
fn key_at(text: &str, span: std::ops::Range<usize>) -> String {
    let key = text
        .get(span.clone())
        .unwrap_or("")
        .trim()
        .trim_matches('"');
    let header = text
        .get(..span.start)
        .unwrap_or("")
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim());
    match header {
        Some(h) if !h.is_empty() => format!("{h}.{key}"),
        _ => key.to_owned(),
    }
}
