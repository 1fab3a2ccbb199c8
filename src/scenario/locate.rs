//! Finding where a key stands in the file, so that every error can name a line and column.
//!
//! The TOML is parsed once more into `toml`'s spanned document tree; a key path such as
//! `metrics.sales.milestones[1].value` is walked down that tree to the byte range of the
//! value (or, when the value is missing, of the deepest table that exists).

use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::Position;

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Seg {
    Key(String),
    Index(usize),
}

/// A path to a key, such as `metrics.sales.milestones[1].value`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    /// The path with one more key.
    pub fn key(&self, key: &str) -> KeyPath {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_owned()));
        KeyPath(segs)
    }

    /// The path with one more array index.
    pub fn index(&self, index: usize) -> KeyPath {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        KeyPath(segs)
    }
}

/// Builds a path from keys: `path(&["metrics", "sales"])`.
pub(super) fn path(keys: &[&str]) -> KeyPath {
    KeyPath(keys.iter().map(|k| Seg::Key((*k).to_owned())).collect())
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    let bare = !k.is_empty()
                        && k.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                    if bare {
                        f.write_str(k)?;
                    } else {
                        write!(f, "{k:?}")?;
                    }
                }
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// The byte range of the value at `path`, or of the deepest part of it that exists, with
/// how many segments of `path` were found.
///
/// With `key_itself`, a path ending in a key gives the key's span rather than its value's
/// (for "unknown field" errors, where the key is what is wrong).
pub(super) fn span_and_depth(
    root: &Spanned<DeTable<'_>>,
    path: &KeyPath,
    key_itself: bool,
) -> Option<(Range<usize>, usize)> {
    let mut table: &DeTable<'_> = root.get_ref();
    let mut best: Option<Range<usize>> = None;
    let mut depth = 0;
    let mut current: Option<&Spanned<DeValue<'_>>> = None;
    for seg in &path.0 {
        let next = match (seg, current) {
            (Seg::Key(k), _) => {
                let found = table
                    .iter()
                    .find(|(key, _)| key.get_ref().as_ref() == k.as_str());
                match found {
                    Some((key, value)) => {
                        // A table given as `[a.b]` has no useful span of its own; point at
                        // its key in the header instead.
                        best = Some(key.span());
                        Some(value)
                    }
                    None => None,
                }
            }
            (Seg::Index(i), Some(value)) => value.get_ref().as_array().and_then(|a| a.get(*i)),
            (Seg::Index(_), None) => None,
        };
        let Some(value) = next else { break };
        depth += 1;
        let last = depth == path.0.len();
        if last && key_itself && matches!(seg, Seg::Key(_)) {
            // `best` already holds the key's span.
        } else if !value.get_ref().is_table() || !value.span().is_empty() {
            best = Some(value.span());
        }
        current = Some(value);
        if let Some(t) = value.get_ref().as_table() {
            table = t;
        }
    }
    best.map(|span| (span, depth))
}

/// Line and column (1-based, in characters) of a byte offset.
pub(super) fn position(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

/// The line containing `span` with carets under the span, rustc style.
pub(super) fn excerpt(text: &str, span: &Range<usize>) -> Option<String> {
    let pos = position(text, span.start);
    let line = text.lines().nth(pos.line - 1)?;
    // Binary garbage or huge lines make useless excerpts.
    if line.chars().count() > 200 || line.chars().any(|c| c.is_control() && c != '\t') {
        return None;
    }
    // Carets sit under the span by display width: a Hangul syllable takes two columns.
    let width = text
        .get(span.clone())
        .map(|s| crate::format::display_width(s.lines().next().unwrap_or("")))
        .unwrap_or(1)
        .max(1);
    let gutter = pos.line.to_string();
    let pad = " ".repeat(gutter.len());
    let lead: String = line
        .chars()
        .take(pos.column - 1)
        .map(|c| {
            if c == '\t' {
                "\t".to_owned()
            } else {
                " ".repeat(crate::format::display_width(c.encode_utf8(&mut [0; 4])))
            }
        })
        .collect();
    Some(format!(
        "{pad} |\n{gutter} | {line}\n{pad} | {lead}{}",
        "^".repeat(width)
    ))
}

/// Parses a dotted key path as written in `[uncertainty.inputs]` or a variant:
/// `metrics.sales.milestones[0].value`, with `"quoted"` keys that may hold dots:
/// `uncertainty.inputs."metrics.sales.target.value".max`. `None` if it is malformed.
pub(super) fn parse_path(text: &str) -> Option<KeyPath> {
    let mut segs = Vec::new();
    let mut rest = text.trim();
    loop {
        let name;
        if let Some(quoted) = rest.strip_prefix('"') {
            let close = quoted.find('"')?;
            name = &quoted[..close];
            rest = &quoted[close + 1..];
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            name = &rest[..end];
            if name.is_empty() {
                return None;
            }
            rest = &rest[end..];
        }
        segs.push(Seg::Key(name.to_owned()));
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']')?;
            segs.push(Seg::Index(inner[..close].trim().parse().ok()?));
            rest = &inner[close + 1..];
        }
        if rest.is_empty() {
            return Some(KeyPath(segs));
        }
        rest = rest.strip_prefix('.')?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_with_indices_and_quotes() {
        let p = parse_path("metrics.sales.milestones[1].value").unwrap();
        assert_eq!(p.to_string(), "metrics.sales.milestones[1].value");
        let p = parse_path(r#"uncertainty.inputs."metrics.sales.target.value".max"#).unwrap();
        assert_eq!(p.0.len(), 4);
        assert_eq!(p.0[2], Seg::Key("metrics.sales.target.value".into()));
        assert!(parse_path("a..b").is_none());
        assert!(parse_path("a[x]").is_none());
        assert!(parse_path("").is_none());
    }
}
