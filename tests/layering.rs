//! The module graph keeps to the flow load → evaluate → render: a module may import only
//! the modules below it in [`LAYERS`], so there can be no cycle, and no subcommand imports
//! another. A scan of `crate::` paths in the source is enough to hold it (as just's
//! `bin/forbid` does with a grep).

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top-level module and the modules it may import. Every module listed after `:`
/// must itself appear further down this table, which makes the graph acyclic.
const LAYERS: &[(&str, &[&str])] = &[
    ("main", &["*"]),
    ("cli", &[]),
    ("lib", &["*"]),
    (
        "commands",
        &[
            "render",
            "evaluate",
            "solve",
            "check",
            "sensitivity",
            "export",
            "model",
            "scenario",
            "format",
            "error",
            "stats",
        ],
    ),
    (
        "render",
        &[
            "solve",
            "evaluate",
            "check",
            "sensitivity",
            "export",
            "plot",
            "model",
            "scenario",
            "format",
            "error",
            "stats",
        ],
    ),
    (
        "evaluate",
        &[
            "check",
            "sensitivity",
            "model",
            "scenario",
            "format",
            "error",
            "stats",
        ],
    ),
    (
        "solve",
        &[
            "check",
            "sensitivity",
            "model",
            "scenario",
            "format",
            "error",
            "stats",
        ],
    ),
    (
        "check",
        &[
            "sensitivity",
            "model",
            "scenario",
            "format",
            "error",
            "stats",
        ],
    ),
    (
        "sensitivity",
        &["model", "scenario", "format", "error", "stats"],
    ),
    ("export", &["model", "scenario", "format", "error", "stats"]),
    ("model", &["scenario", "format", "error", "stats"]),
    ("plot", &["format", "error", "stats"]),
    ("scenario", &["format", "error", "stats"]),
    ("format", &["stats"]),
    ("error", &[]),
    ("stats", &[]),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`src/render/report.rs` → `render`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The top-level modules named by `crate::NAME` in the code (comments left out).
fn imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
            rest = after;
        }
    }
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn the_layer_table_is_acyclic_and_complete() {
    for (i, (module, allowed)) in LAYERS.iter().enumerate() {
        for dep in allowed.iter().filter(|d| **d != "*") {
            let below = LAYERS[i + 1..].iter().any(|(m, _)| m == dep);
            assert!(
                below,
                "`{module}` may import `{dep}`, which is not below it"
            );
        }
    }
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for file in files {
        let module = module_of(&src(), &file);
        assert!(
            LAYERS.iter().any(|(m, _)| *m == module),
            "{} belongs to `{module}`, which the layer table does not list",
            file.display()
        );
    }
}

#[test]
fn no_module_imports_against_the_flow() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut problems = Vec::new();
    for file in files {
        let module = module_of(&src(), &file);
        let allowed = LAYERS.iter().find(|(m, _)| *m == module).unwrap().1;
        if allowed.contains(&"*") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for dep in imports(&text) {
            if dep != module && !allowed.contains(&dep.as_str()) {
                problems.push(format!("{} imports crate::{dep}", file.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "imports against the flow:\n{}",
        problems.join("\n")
    );
}

#[test]
fn statistics_import_nothing_else_of_kjproj() {
    let mut files = Vec::new();
    rust_files(&src().join("stats"), &mut files);
    assert!(files.len() >= 4);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let deps: Vec<String> = imports(&text)
            .into_iter()
            .filter(|d| d != "stats")
            .collect();
        assert!(deps.is_empty(), "{} imports {deps:?}", file.display());
    }
}

#[test]
fn no_subcommand_imports_another() {
    let dir = src().join("commands");
    let subcommands: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        // Helpers every command may use: the terminal, and re-running on change.
        .filter(|s| s != "mod" && s != "terminal" && s != "watch")
        .collect();
    assert!(subcommands.len() >= 6, "{subcommands:?}");
    for name in &subcommands {
        let text = std::fs::read_to_string(dir.join(format!("{name}.rs"))).unwrap();
        for other in subcommands.iter().filter(|o| *o != name) {
            for pattern in [format!("super::{other}"), format!("commands::{other}")] {
                assert!(
                    !text.contains(&pattern),
                    "commands/{name}.rs uses {pattern}: shared code belongs in render/ or evaluate/"
                );
            }
        }
        let lines = text.lines().count();
        assert!(
            lines <= 300,
            "commands/{name}.rs has {lines} lines: a subcommand is glue"
        );
    }
}

#[test]
fn the_scan_finds_imports() {
    let found = imports(
        "use crate::scenario::Scenario; // crate::render\nlet x = crate::model::project(s);",
    );
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        ["model".to_owned(), "scenario".to_owned()]
    );
}
