//! Reading a scenario file: bytes → TOML → raw structs → validated [`Scenario`].

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::DeTable;

use super::locate::{KeyPath, Seg, excerpt, parse_path, path, position, span_and_depth};
use super::raw::RawScenario;
use super::validate::validate;
use super::{Scenario, Variant};
use crate::error::{Error, ScenarioError, ScenarioErrors};

/// Largest scenario file accepted. Real scenarios are a few kilobytes; this guards against
/// pointing kjproj at a data dump by mistake.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads and validates the scenario file at `path`, following `extends = "other.toml"`.
///
/// Errors name the file and, where one exists, the line, column and key.
pub fn load(path: &Path) -> Result<Scenario, Error> {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut next = Some(path.to_owned());
    while let Some(file) = next.take() {
        let text = match read(&file) {
            Ok(text) => text,
            // A base that cannot be read is a problem of the `extends` that names it.
            Err(Error::Read { message, .. }) if !files.is_empty() => {
                let (child, child_text) = &files[files.len() - 1];
                return Err(extends_error(
                    child,
                    child_text,
                    format!("cannot read {}: {message}", file.display()),
                ));
            }
            Err(e) => return Err(e),
        };
        let extends = extends_of(&text);
        files.push((file.clone(), text));
        if let Some(base) = extends {
            let base = file.parent().unwrap_or(Path::new(".")).join(base);
            let root = folder_of(&files[0].0);
            if let Err(why) = trusted(&root, &base) {
                // Say so without reading, let alone quoting, the other file.
                let (child, child_text) = &files[files.len() - 1];
                return Err(extends_error(
                    child,
                    child_text,
                    format!("cannot extend {}: {why}", base.display()),
                ));
            }
            let seen = files.iter().any(|(f, _)| same_file(f, &base));
            if seen || files.len() > MAX_EXTENDS {
                return Err(Error::Scenario(ScenarioErrors(vec![ScenarioError {
                    file: file.clone(),
                    position: None,
                    key: Some("extends".into()),
                    message: if seen {
                        format!(
                            "`extends` goes round in a circle back to {}",
                            base.display()
                        )
                    } else {
                        format!("more than {MAX_EXTENDS} files extend one another")
                    },
                    excerpt: None,
                }])));
            }
            next = Some(base);
        }
    }
    let layers: Vec<(&Path, &str)> = files
        .iter()
        .map(|(f, t)| (f.as_path(), t.as_str()))
        .collect();
    Ok(parse_layers(&layers, true)?)
}

/// An error about the `extends` key of `child`, positioned at it.
fn extends_error(child: &Path, child_text: &str, message: String) -> Error {
    let span = DeTable::parse(child_text)
        .ok()
        .and_then(|tree| span_and_depth(&tree, &KeyPath(vec![Seg::Key("extends".into())]), false))
        .map(|(span, _)| span);
    Error::Scenario(ScenarioErrors(vec![ScenarioError {
        file: child.to_owned(),
        position: span.as_ref().map(|sp| position(child_text, sp.start)),
        key: Some("extends".into()),
        message,
        excerpt: span.as_ref().and_then(|sp| excerpt(child_text, sp)),
    }]))
}

/// The folder of `file`, `.` when it has none: where the files a scenario names are
/// looked for and the trust boundary starts.
fn folder_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// How many files may extend one another.
const MAX_EXTENDS: usize = 8;

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The `extends` of a file, if it parses and has one (errors surface later, in place).
fn extends_of(text: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    table.get("extends")?.as_str().map(str::to_owned)
}

/// Folders besides the scenario's own folder tree that `extends` may name files in, set
/// once by the command line (`--allow-files DIR`).
static ALLOWED: std::sync::OnceLock<Vec<PathBuf>> = std::sync::OnceLock::new();

/// Lets `extends` name files in `folders` too (the command line's `--allow-files`); the
/// first call wins.
pub fn allow_files(folders: Vec<PathBuf>) {
    let _ = ALLOWED.set(
        folders
            .into_iter()
            .map(|f| f.canonicalize().unwrap_or(f))
            .collect(),
    );
}

/// Whether `base`, named by `extends` in a scenario whose top file is in `root`, may be
/// read: a `.toml` file inside the folder tree of `root`, or of an allowed folder.
fn trusted(root: &Path, base: &Path) -> Result<(), String> {
    trusted_file(
        root,
        base,
        "toml",
        "extends names a scenario file, ending in .toml",
    )
}

/// Whether `file`, named in a scenario whose top file is in `root`, may be read: a file
/// ending in `.ext` inside the folder tree of `root`, or of an allowed folder.
fn trusted_file(root: &Path, base: &Path, ext: &str, wrong_kind: &str) -> Result<(), String> {
    if base.extension().is_none_or(|e| e != ext) {
        return Err(wrong_kind.into());
    }
    let Ok(real) = base.canonicalize() else {
        // Missing: the read says so.
        return Ok(());
    };
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
    let allowed = ALLOWED.get().map(Vec::as_slice).unwrap_or_default();
    if real.starts_with(&real_root) || allowed.iter().any(|a| real.starts_with(a)) {
        Ok(())
    } else {
        Err(format!(
            "it is outside the scenario's folder {}; files a scenario names must be inside it (allow another folder with --allow-files DIR)",
            root.display()
        ))
    }
}

fn read(path: &Path) -> Result<String, Error> {
    use std::io::Read as _;
    let read_error = |message: String| Error::Read {
        path: path.to_owned(),
        message,
    };
    // Only regular files: a device (/dev/zero), a pipe (a FIFO, /dev/stdin) or a socket
    // could be read for ever or block for ever. `metadata` does not open the file.
    let meta = std::fs::metadata(path).map_err(|e| read_error(io_words(&e)))?;
    if meta.is_dir() {
        return Err(read_error(
            "it is a directory; give a scenario .toml file".into(),
        ));
    }
    if !meta.is_file() {
        return Err(read_error(
            "it is not a regular file (a device, a pipe or a socket); give a scenario .toml file"
                .into(),
        ));
    }
    let too_big = |size: u64| {
        read_error(format!(
            "it is {size} bytes or more; a scenario file may be at most {MAX_FILE_BYTES} bytes"
        ))
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(meta.len()));
    }
    // The limit holds while reading too, should the file grow meanwhile.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| read_error(io_words(&e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid_up_to = e.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(&bytes[..valid_up_to]).unwrap_or("");
        Error::Scenario(ScenarioErrors(vec![ScenarioError {
            file: path.to_owned(),
            position: Some(position(valid, valid.len())),
            key: None,
            message: "the file is not UTF-8 text (is it a binary file?)".into(),
            excerpt: None,
        }]))
    })
}

fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Parses and validates scenario text; `file` is only used in error messages. A file that
/// `extends` another must be read with [`load`].
pub fn parse(text: &str, file: &Path) -> Result<Scenario, ScenarioErrors> {
    parse_layers(&[(file, text)], false)
}

/// Where a scenario came from: the text of its file and of the files it extends, and, for
/// a variant, its name and the keys it overrides. Problems found after loading (a value
/// that the model cannot project, say) are located with it, so they name a file, line,
/// column and key like any other problem in the file.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    files: std::sync::Arc<[(PathBuf, String)]>,
    /// The data files (observed CSV) the scenario read, in path order.
    data: std::sync::Arc<[PathBuf]>,
    variant: Option<VariantPlace>,
}

/// A variant's name and the keys it overrides.
#[derive(Debug, Clone)]
struct VariantPlace {
    name: String,
    overrides: Vec<KeyPath>,
}

impl Origin {
    /// Every file the scenario was read from: its own, the ones it extends (in that order),
    /// then the data files it reads. Empty when it was not loaded from a file.
    pub fn sources(&self) -> Vec<&Path> {
        self.files
            .iter()
            .map(|(f, _)| f.as_path())
            .chain(self.data.iter().map(PathBuf::as_path))
            .collect()
    }

    /// A fingerprint of what the scenario was read from: the text of each scenario file
    /// as read, and each data file as it is now (FNV-1a, 64 bits, as hex; a mark instead
    /// of the contents of a data file that cannot be read). Two loads of unchanged files
    /// have the same fingerprint; a change to any of them changes it, short of a
    /// deliberate collision (it guards against mistakes, not attacks).
    pub fn fingerprint(&self) -> String {
        let data: Vec<Vec<u8>> = self
            .data
            .iter()
            .map(|f| read(f).map_or_else(|_| b"\0unreadable".to_vec(), String::into_bytes))
            .collect();
        let hash = crate::stats::hash::fnv1a_64(
            self.files
                .iter()
                .map(|(_, text)| text.as_bytes())
                .chain(data.iter().map(Vec::as_slice)),
        );
        format!("{hash:016x}")
    }

    /// The scenario's own file, as given (empty when not loaded from a file).
    pub fn file_name(&self) -> String {
        self.files
            .first()
            .map(|(f, _)| f.display().to_string())
            .unwrap_or_default()
    }

    /// An error about `key` (e.g. `["metrics", "sales", "baseline_growth"]`) with its
    /// position in the file that sets it.
    pub fn problem(&self, key: &[String], message: String) -> ScenarioErrors {
        let mut layers = Vec::new();
        for (file, text) in self.files.iter() {
            match DeTable::parse(text) {
                Ok(tree) => layers.push(Layer { file, text, tree }),
                Err(_) => break,
            }
        }
        let key = KeyPath(key.iter().cloned().map(Seg::Key).collect());
        if layers.is_empty() {
            // Not loaded from text (built in a test): no position to give.
            return ScenarioErrors(vec![ScenarioError {
                file: PathBuf::new(),
                position: None,
                key: Some(key.to_string()),
                message,
                excerpt: None,
            }]);
        }
        let locator = Locator {
            layers,
            read_files: false,
            observed: Default::default(),
        };
        ScenarioErrors(vec![locator.located(self.variant.as_ref(), key, message)])
    }
}

/// One file's text and spanned tree: where error positions are looked up.
struct Layer<'a> {
    file: &'a Path,
    text: &'a str,
    tree: Spanned<DeTable<'a>>,
}

/// Finds the file, line and column of a key among the files of a scenario (the file
/// itself first, then the ones it extends).
struct Locator<'a> {
    layers: Vec<Layer<'a>>,
    /// Whether files the scenario names (observed data) may be read: not for text parsed
    /// on its own ([`parse`]).
    read_files: bool,
    /// Observed series already read, by file and column: the base and every variant name
    /// the same files, which are read once.
    observed: std::cell::RefCell<ObservedCache>,
}

/// (CSV file, value column) → (year, value) rows.
type ObservedCache = std::collections::HashMap<(PathBuf, String), Vec<(i32, f64)>>;

impl Locator<'_> {
    /// The folder of the file that sets `key` (the deepest match, as for errors), and the
    /// folder of the scenario given on the command line.
    fn folders(&self, key: &KeyPath) -> (PathBuf, PathBuf) {
        // The file's own folder as written (empty beside the current folder), so that
        // messages show paths as the user would write them; the root is never empty.
        let layer = self.deepest(key, false).map_or(&self.layers[0], |(l, _)| l);
        let own = layer.file.parent().map(Path::to_owned).unwrap_or_default();
        (own, folder_of(self.layers[0].file))
    }

    /// The layer that sets `key` (or `key` itself, with `key_itself`) and its span: the
    /// deepest match wins; the file itself wins ties (it comes first).
    fn deepest(&self, key: &KeyPath, key_itself: bool) -> Option<(&Layer<'_>, Range<usize>)> {
        self.layers
            .iter()
            .filter_map(|l| {
                span_and_depth(&l.tree, key, key_itself).map(|(span, depth)| (l, span, depth))
            })
            .fold(
                None,
                |best: Option<(&Layer, Range<usize>, usize)>, x| match best {
                    Some(b) if b.2 >= x.2 => Some(b),
                    _ => Some(x),
                },
            )
            .map(|(l, span, _)| (l, span))
    }

    /// An error about `key`; in a variant, positioned at the override that sets the key
    /// (or a table above it) and prefixed with the variant's name.
    fn located(
        &self,
        variant: Option<&VariantPlace>,
        key: KeyPath,
        message: String,
    ) -> ScenarioError {
        match variant {
            Some(v) => {
                let at = v
                    .overrides
                    .iter()
                    .find(|o| key.0.starts_with(&o.0) || o.0.starts_with(&key.0))
                    .map_or_else(
                        || key.clone(),
                        |o| path(&["variants", &v.name]).key(&o.to_string()),
                    );
                self.error(
                    Some(&key),
                    Some(&at),
                    format!("in variant `{}`: {message}", v.name),
                )
            }
            None => self.error(Some(&key), Some(&key), message),
        }
    }

    /// An error about `shown` (the key named in the message), positioned at `at`.
    fn error(
        &self,
        shown: Option<&KeyPath>,
        at: Option<&KeyPath>,
        message: String,
    ) -> ScenarioError {
        let key_itself = message.starts_with("unknown field");
        let found = at.and_then(|key| self.deepest(key, key_itself));
        let (layer, span) = match (found, at) {
            (Some((l, span)), _) => (l, Some(span)),
            // A key missing at the top level: point at the start of the file.
            (None, Some(_)) => (&self.layers[0], Some(0..0)),
            (None, None) => (&self.layers[0], None),
        };
        ScenarioError {
            file: layer.file.to_owned(),
            position: span.as_ref().map(|s| position(layer.text, s.start)),
            key: shown.filter(|k| !k.0.is_empty()).map(|k| k.to_string()),
            message,
            excerpt: span.as_ref().and_then(|s| excerpt(layer.text, s)),
        }
    }
}

/// Parses `layers` (a file, then the file it extends, and so on), merges them, and builds
/// the scenario and its variants.
fn parse_layers(files: &[(&Path, &str)], read_files: bool) -> Result<Scenario, ScenarioErrors> {
    let mut layers = Vec::new();
    for &(file, text) in files {
        let at_start = |message: String| ScenarioError {
            file: file.to_owned(),
            position: Some(position(text, 0)),
            key: None,
            message,
            excerpt: None,
        };
        if text.trim().is_empty() {
            return Err(ScenarioErrors(vec![at_start(
                "the file is empty; see docs/scenario-format.md for what a scenario contains"
                    .into(),
            )]));
        }
        // Syntax first: the spanned tree is also what positions are looked up in.
        let tree: Spanned<DeTable<'_>> = DeTable::parse(text).map_err(|e| {
            let mut message = first_line(e.message());
            let key = e
                .span()
                .filter(|_| message.starts_with("duplicate key"))
                .map(|span| key_at(text, span));
            let span = e.span().or_else(|| {
                (message == "recursion limit").then(|| {
                    message = "keys, tables or arrays are nested too deeply here (a scenario needs a few levels)".into();
                    let at = deepest_line(text);
                    at..at
                })
            });
            ScenarioErrors(vec![ScenarioError {
                file: file.to_owned(),
                position: span.as_ref().map(|s| position(text, s.start)),
                key,
                message,
                excerpt: span.as_ref().and_then(|s| excerpt(text, s)),
            }])
        })?;
        layers.push(Layer { file, text, tree });
    }
    let locator = Locator {
        layers,
        read_files,
        observed: Default::default(),
    };
    let origin_files: std::sync::Arc<[(PathBuf, String)]> = files
        .iter()
        .map(|&(f, t)| (f.to_owned(), t.to_owned()))
        .collect();

    // Merge: the file's tables over the ones it extends, key by key. A file that changes
    // a value under an absolute range it does not restate is refused (see `ranges`).
    let mut merged = toml::Table::new();
    let mut stale = Vec::new();
    for (i, &(_, text)) in files.iter().enumerate().rev() {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let message = first_line(e.message());
            match e.span() {
                Some(span) => ScenarioErrors(vec![ScenarioError {
                    file: files[i].0.to_owned(),
                    position: Some(position(text, span.start)),
                    key: Some(key_at(text, span.clone())),
                    message,
                    excerpt: excerpt(text, &span),
                }]),
                None => ScenarioErrors(vec![locator.error(None, None, message)]),
            }
        })?;
        let before = merged.clone();
        merge(&mut merged, table);
        if let Some(&(parent, _)) = files.get(i + 1) {
            let parent = parent.display().to_string();
            for s in super::ranges::stale_ranges(&before, &merged, &parent) {
                stale.push(locator.error(Some(&s.value_key), Some(&s.value_key), s.message));
            }
        }
    }
    if !stale.is_empty() {
        return Err(ScenarioErrors(stale));
    }
    let variants = match merged.remove("variants") {
        None => toml::Table::new(),
        Some(toml::Value::Table(t)) => t,
        Some(_) => {
            let key = path(&["variants"]);
            return Err(ScenarioErrors(vec![locator.error(
                Some(&key),
                Some(&key),
                "variants is a table of named variants: `[variants.NAME]`".into(),
            )]));
        }
    };

    if variants.len() > super::MAX_VARIANTS {
        let key = path(&["variants"]);
        return Err(ScenarioErrors(vec![locator.error(
            Some(&key),
            Some(&key),
            format!(
                "{} variants are more than the {} a scenario may have (each is a full evaluation)",
                variants.len(),
                super::MAX_VARIANTS
            ),
        )]));
    }
    let mut scenario = build(merged.clone(), &locator, None)?;
    scenario.origin = Origin {
        files: origin_files.clone(),
        data: std::sync::Arc::new([]),
        variant: None,
    };
    let mut problems = Vec::new();
    for (name, body) in variants {
        match variant(&merged, &name, body, &locator, &origin_files) {
            Ok(v) => scenario.variants.push(v),
            Err(e) => problems.extend(e.0),
        }
    }
    for (i, c) in scenario.checks.iter().enumerate() {
        for (name, _) in &c.skip {
            if name != "*" && !scenario.variants.iter().any(|v| v.name == *name) {
                let key = path(&["checks"]).index(i).key("skip").key(name);
                let known: Vec<&str> = scenario.variants.iter().map(|v| v.name.as_str()).collect();
                problems.push(locator.error(
                    Some(&key),
                    Some(&key),
                    format!(
                        "there is no variant `{name}` to skip (variants: {}; `*` means every variant)",
                        if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                    ),
                ));
            }
        }
    }
    let mut data: Vec<PathBuf> = locator
        .observed
        .borrow()
        .keys()
        .map(|(f, _)| f.clone())
        .collect();
    data.sort();
    data.dedup();
    let data: std::sync::Arc<[PathBuf]> = data.into();
    scenario.origin.data = data.clone();
    for v in &mut scenario.variants {
        v.scenario.origin.data = data.clone();
    }
    if problems.is_empty() {
        Ok(scenario)
    } else {
        Err(ScenarioErrors(problems))
    }
}

/// Merges `over` into `base`: tables key by key, everything else replaced.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// One `[variants.NAME]`: the base with its overrides applied, validated as a scenario.
fn variant(
    base: &toml::Table,
    name: &str,
    body: toml::Value,
    locator: &Locator<'_>,
    files: &std::sync::Arc<[(PathBuf, String)]>,
) -> Result<Variant, ScenarioErrors> {
    let at = path(&["variants", name]);
    let fail = |key: &KeyPath, message: String| {
        ScenarioErrors(vec![locator.error(Some(key), Some(key), message)])
    };
    let toml::Value::Table(body) = body else {
        return Err(fail(
            &at,
            "a variant is a table of overrides: `\"metrics.market.target.value\" = 280`".into(),
        ));
    };
    if !super::is_variant_name(name) {
        return Err(fail(
            &at,
            format!(
                "`{name}` is not a usable variant name: use 1 to {} letters, digits, `_` or `-` (not starting with `-`, and not `{}`); the name is the variant's output folder",
                super::MAX_VARIANT_NAME,
                super::BASE
            ),
        ));
    }
    let mut table = base.clone();
    let (mut label, mut description) = (name.to_owned(), String::new());
    let mut skip_checks: Vec<(String, String)> = Vec::new();
    let mut overrides: Vec<(KeyPath, String)> = Vec::new();
    for (key, value) in body {
        let here = at.key(&key);
        match (key.as_str(), &value) {
            ("label", toml::Value::String(s)) => label = s.clone(),
            ("description", toml::Value::String(s)) => description = s.clone(),
            ("skip_checks", toml::Value::Table(t)) => {
                for (check, why) in t {
                    match why {
                        toml::Value::String(w) if !w.trim().is_empty() => {
                            skip_checks.push((check.clone(), w.trim().to_owned()));
                        }
                        _ => {
                            return Err(fail(
                                &here.key(check),
                                format!(
                                    "say why the variant skips `{check}`, in quotes: `\"{check}\" = \"reason\"`"
                                ),
                            ));
                        }
                    }
                }
            }
            ("skip_checks", _) => {
                return Err(fail(
                    &here,
                    "`skip_checks` is a table of check names and reasons: `skip_checks = { \"check name\" = \"reason\" }`".into(),
                ));
            }
            ("label" | "description", _) => {
                return Err(fail(
                    &here,
                    format!("`{key}` of a variant is text in quotes"),
                ));
            }
            (k, _) if k == "unit" || k.ends_with(".unit") => {
                // A variant is compared with the base series by series, on one axis each.
                return Err(fail(
                    &here,
                    "a variant cannot change a unit: it is compared with the base on the same axes; make a scenario file of its own".into(),
                ));
            }
            _ => {
                let Some(target) = parse_path(&key) else {
                    return Err(fail(
                        &here,
                        format!("`{key}` is not a key path like `metrics.market.target.value`"),
                    ));
                };
                set(&mut table, &target, value.clone()).map_err(|m| fail(&here, m))?;
                overrides.push((target, value.to_string()));
            }
        }
    }
    let place = VariantPlace {
        name: name.to_owned(),
        overrides: overrides.iter().map(|(k, _)| k.clone()).collect(),
    };
    let stale: Vec<ScenarioError> = super::ranges::stale_ranges(base, &table, "the base")
        .into_iter()
        .map(|s| locator.located(Some(&place), s.value_key, s.message))
        .collect();
    if !stale.is_empty() {
        return Err(ScenarioErrors(stale));
    }
    if overrides.is_empty() {
        return Err(fail(
            &at,
            format!(
                "variant `{name}` changes nothing; give it overrides such as `\"metrics.market.target.value\" = 280`"
            ),
        ));
    }
    let mut scenario = build(table, locator, Some((name, &overrides)))?;
    // The checks a variant skips must exist: a typo would silently skip nothing.
    let known: Vec<String> = scenario
        .checks
        .iter()
        .map(|c| c.name.clone())
        .chain(
            scenario
                .builtin_checks()
                .into_iter()
                .map(|b| b.name(&scenario)),
        )
        .collect();
    for (check, _) in &skip_checks {
        if !known.contains(check) {
            return Err(fail(
                &at.key("skip_checks").key(check),
                format!(
                    "variant `{name}` has no check named `{check}`; its checks are: {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    scenario.variant = Some(super::VariantScope {
        name: name.to_owned(),
        skip_checks,
    });
    scenario.origin = Origin {
        files: files.clone(),
        data: std::sync::Arc::new([]),
        variant: Some(place),
    };
    Ok(Variant {
        name: name.to_owned(),
        label,
        description,
        overrides: overrides
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        scenario,
    })
}

/// Sets the value at `key` in `table`; every table on the way must exist.
fn set(table: &mut toml::Table, key: &KeyPath, value: toml::Value) -> Result<(), String> {
    let mut here = toml::Value::Table(std::mem::take(table));
    let result = set_in(&mut here, &key.0, value, key);
    if let toml::Value::Table(t) = here {
        *table = t;
    }
    result
}

fn set_in(
    node: &mut toml::Value,
    segs: &[Seg],
    value: toml::Value,
    full: &KeyPath,
) -> Result<(), String> {
    let Some((first, rest)) = segs.split_first() else {
        *node = value;
        return Ok(());
    };
    let missing = || format!("the scenario has no `{full}` to override");
    match (first, node) {
        (Seg::Key(k), toml::Value::Table(t)) => {
            if rest.is_empty() {
                t.insert(k.clone(), value);
                return Ok(());
            }
            let child = t.get_mut(k).ok_or_else(missing)?;
            set_in(child, rest, value, full)
        }
        (Seg::Index(i), toml::Value::Array(a)) => {
            let child = a.get_mut(*i).ok_or_else(missing)?;
            set_in(child, rest, value, full)
        }
        _ => Err(missing()),
    }
}

/// Deserializes and validates a merged table. For a variant, errors about a key it
/// overrides point at the override.
fn build(
    table: toml::Table,
    locator: &Locator<'_>,
    variant: Option<(&str, &[(KeyPath, String)])>,
) -> Result<Scenario, ScenarioErrors> {
    let overrides: Vec<KeyPath> = variant
        .map(|(_, o)| o.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let place = VariantPlace {
        name: variant.map(|(n, _)| n.to_owned()).unwrap_or_default(),
        overrides,
    };
    let place = variant.map(|_| &place);
    let error = |key: KeyPath, message: String| locator.located(place, key, message);
    let mut table = table;
    observed_files(&mut table, locator, &error)?;

    // Text reaches terminals, CSV, SVG (XML) and Markdown: control characters (other than
    // line breaks and tabs) and non-characters have no place in it, and its length is
    // bounded so that measuring and drawing it stays cheap.
    let mut bad = Vec::new();
    text_problems(
        &toml::Value::Table(table.clone()),
        &mut KeyPath::default(),
        &mut bad,
    );
    if !bad.is_empty() {
        return Err(ScenarioErrors(
            bad.into_iter()
                .map(|(key, message)| error(key, message))
                .collect(),
        ));
    }
    let raw: RawScenario =
        serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
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
            let message = first_line(&e.inner().to_string());
            // "missing field `target`" is about a key below the table the path names.
            if let Some(field) = message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
            {
                key = key.key(field);
            }
            ScenarioErrors(vec![error(key, message)])
        })?;

    let located = |problems: Vec<(KeyPath, String)>| {
        ScenarioErrors(
            problems
                .into_iter()
                .map(|(key, message)| error(key, message))
                .collect(),
        )
    };
    validate(raw).map_err(located)
}

/// Replaces every `observed = { file = "…", column, source }` of a metric with the points
/// the CSV file holds (`observed = [{ year, value, source }, …]`); see [`super::observed`].
fn observed_files(
    table: &mut toml::Table,
    locator: &Locator<'_>,
    error: &dyn Fn(KeyPath, String) -> ScenarioError,
) -> Result<(), ScenarioErrors> {
    let Some(toml::Value::Table(metrics)) = table.get_mut("metrics") else {
        return Ok(());
    };
    for (name, metric) in metrics.iter_mut() {
        let toml::Value::Table(metric) = metric else {
            continue;
        };
        let Some(toml::Value::Table(spec)) = metric.get("observed") else {
            continue;
        };
        let key = path(&["metrics", name, "observed"]);
        let fail = |key: KeyPath, message: String| ScenarioErrors(vec![error(key, message)]);
        let spec = super::observed::FileRef::from_table(spec).map_err(|m| fail(key.clone(), m))?;
        let file_key = key.key("file");
        if !locator.read_files {
            return Err(fail(
                file_key,
                "observed data in a file can only be read for a scenario loaded from a file".into(),
            ));
        }
        let (folder, root) = locator.folders(&file_key);
        let csv_path = folder.join(&spec.file);
        trusted_file(&root, &csv_path, "csv", "observed data is a .csv file").map_err(|why| {
            fail(
                file_key.clone(),
                format!("cannot read {}: {why}", csv_path.display()),
            )
        })?;
        let cache_key = (csv_path.clone(), spec.column.clone());
        let cached = locator.observed.borrow().get(&cache_key).cloned();
        let rows = match cached {
            Some(rows) => rows,
            None => {
                let text = read(&csv_path).map_err(|e| match e {
                    Error::Read { message, .. } => fail(
                        file_key.clone(),
                        format!("cannot read {}: {message}", csv_path.display()),
                    ),
                    Error::Scenario(errors) => errors,
                    other => fail(file_key.clone(), other.to_string()),
                })?;
                let rows: Vec<(i32, f64)> =
                    super::observed::parse_csv(&csv_path, &text, &spec.column)?
                        .into_iter()
                        .map(|(_, year, value)| (year, value))
                        .collect();
                locator
                    .observed
                    .borrow_mut()
                    .insert(cache_key, rows.clone());
                rows
            }
        };
        let points = rows
            .into_iter()
            .map(|(year, value)| {
                let mut point = toml::Table::new();
                point.insert("year".into(), toml::Value::Integer(i64::from(year)));
                point.insert("value".into(), toml::Value::Float(value));
                if let Some(source) = &spec.source {
                    point.insert("source".into(), toml::Value::String(source.clone()));
                }
                toml::Value::Table(point)
            })
            .collect();
        metric.insert("observed".into(), toml::Value::Array(points));
    }
    Ok(())
}

/// Longest text a scenario may hold in one string (a citation, a description): longer is
/// a data dump pasted by mistake, and every renderer measures and wraps it.
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest key (a metric's name, a quoted input key): names become CSV columns and labels.
pub const MAX_KEY_CHARS: usize = 200;

/// Every key and string under `value` that is not fit to show: one holding a character that
/// is not text (controls other than line breaks and tabs, the non-characters U+FFFE and
/// U+FFFF), or longer than [`MAX_TEXT_CHARS`] ([`MAX_KEY_CHARS`] for keys).
fn text_problems(value: &toml::Value, at: &mut KeyPath, out: &mut Vec<(KeyPath, String)>) {
    let bad = |s: &str, most: usize, what: &str| {
        let control = s.chars().find(|&c| {
            (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
                || c == '\u{FFFE}'
                || c == '\u{FFFF}'
        });
        if let Some(c) = control {
            return Some(format!(
                "the text contains the control character U+{:04X}; remove it (only line breaks and tabs are allowed)",
                c as u32
            ));
        }
        let chars = s.chars().take(most + 1).count();
        (chars > most).then(|| {
            format!(
                "the {what} is {} characters long; kjproj accepts at most {most}",
                s.chars().count()
            )
        })
    };
    match value {
        toml::Value::String(s) => {
            if let Some(m) = bad(s, MAX_TEXT_CHARS, "text") {
                out.push((at.clone(), m));
            }
        }
        toml::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                at.0.push(Seg::Index(i));
                text_problems(item, at, out);
                at.0.pop();
            }
        }
        toml::Value::Table(t) => {
            for (k, v) in t {
                at.0.push(Seg::Key(k.clone()));
                if let Some(m) = bad(k, MAX_KEY_CHARS, "key") {
                    out.push((at.clone(), m));
                }
                text_problems(v, at, out);
                at.0.pop();
            }
        }
        _ => {}
    }
}

/// toml's messages sometimes carry a trailing newline or a second line; keep the first,
/// in words a user of the file knows (no Rust type names, nothing cut short).
fn first_line(message: &str) -> String {
    let mut line = message.trim().lines().next().unwrap_or("").to_owned();
    if let Some(at) = line.find(" as i128, expected any valid TOML value") {
        // An integer beyond TOML's 64-bit range.
        line.truncate(at);
        return format!(
            "{} is too large: whole numbers in TOML are at most {}",
            line.trim_start_matches("invalid type: "),
            i64::MAX
        );
    }
    const WORDS: &[(&str, &str)] = &[
        (
            "u64 value was too large",
            "the number is too large: whole numbers in TOML are at most 9223372036854775807",
        ),
        ("expected f64", "expected a number"),
        ("expected u64", "expected a whole number, 0 or more"),
        ("expected usize", "expected a whole number, 0 or more"),
        ("expected u32", "expected a whole number, 0 or more"),
        ("expected i32", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected a boolean", "expected true or false"),
        ("expected a sequence", "expected an array `[…]`"),
        ("expected a string", "expected a string in quotes"),
        ("unknown variant", "unknown value"),
        (
            "expected struct RawFigure",
            "expected a table like `{ value = 9.4, source = \"key\" }`",
        ),
        (
            "expected struct RawPoint",
            "expected a table like `{ year = 2027, value = 20, source = \"key\" }`",
        ),
        (
            "expected struct RawStated",
            "expected a table like `{ year = 2031, value = 0.15, tolerance = 0.005, source = \"key\" }`",
        ),
        ("expected a map", "expected a table"),
        (
            "invalid type: unit variant, expected string only",
            "expected a name in quotes, not a number or a table",
        ),
        ("expected string only", "expected a name in quotes"),
    ];
    for (from, to) in WORDS {
        line = line.replace(from, to);
    }
    // Any other section of the file: "expected struct RawCheck" and the like.
    while let Some(at) = line.find("expected struct Raw") {
        let end = line[at + "expected struct Raw".len()..]
            .find(|c: char| !c.is_alphanumeric())
            .map_or(line.len(), |e| at + "expected struct Raw".len() + e);
        line.replace_range(at..end, "expected a table");
    }
    line
}

/// Where toml gives up on nesting (a dotted key or inline tables hundreds deep) it says
/// "recursion limit" without a position: point at the line with the most nesting.
fn deepest_line(text: &str) -> usize {
    let depth = |line: &str| {
        line.chars()
            .filter(|c| matches!(c, '.' | '[' | '{'))
            .count()
    };
    let (index, _) = text.lines().enumerate().fold((0, 0), |best, (i, l)| {
        if depth(l) > best.1 {
            (i, depth(l))
        } else {
            best
        }
    });
    text.lines().take(index).map(|l| l.len() + 1).sum()
}

/// The dotted key written at `span` (a key in a `key = value` line), prefixed with the
/// `[table]` header above it; used where the TOML parser reports a key without its path.
fn key_at(text: &str, span: std::ops::Range<usize>) -> String {
    let line_start = text
        .get(..span.start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("").trim();
    if line.starts_with('[') {
        // A table given twice: the header names it.
        return line
            .trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_owned();
    }
    let whole_line = &text[line_start..];
    let equals = whole_line.find('=').map(|e| line_start + e);
    let key = match equals {
        // The span is a value: the key is what stands before the `=`.
        Some(e) if span.start > e => text[line_start..e].trim(),
        _ => text.get(span.clone()).unwrap_or("").trim(),
    }
    .trim_matches('"');
    let header = text
        .get(..line_start)
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
