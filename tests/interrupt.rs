//! A run killed at any moment leaves the previous outputs intact: every file is either the
//! old one or a complete new one, never half written.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::repo;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Every file under `dir` (recursively) and its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_owned(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

#[test]
fn killing_a_run_at_any_moment_leaves_the_previous_outputs_intact() {
    let out = TempDir::new().unwrap();
    let args = |out: &Path| {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin("kjproj"));
        c.args([
            "run",
            repo("scenarios/fine_chem.toml").to_str().unwrap(),
            "-q",
            "--draws",
            "300000",
            "--sobol",
            "1024",
            "--out",
        ])
        .arg(out)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        c
    };
    // The previous outputs, and how long a whole run takes.
    let started = Instant::now();
    assert!(args(out.path()).status().unwrap().success());
    let full = started.elapsed();
    let before = snapshot(out.path());
    assert!(before.len() > 30, "{} files", before.len());

    // The same run again (so a complete new file equals the old one), killed at moments
    // spread over its whole length, writing included.
    for step in 0..12 {
        let delay = full.mul_f64(f64::from(step) / 10.0);
        let mut child = args(out.path()).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let after = snapshot(out.path());
        for (file, bytes) in &before {
            let now = after
                .get(file)
                .unwrap_or_else(|| panic!("{file:?} vanished after a kill at {delay:?}"));
            assert!(now == bytes, "{file:?} changed after a kill at {delay:?}");
        }
        // Only temporary files may be new, and they are never mistaken for outputs.
        for file in after.keys().filter(|f| !before.contains_key(*f)) {
            let name = file.file_name().unwrap().to_string_lossy();
            assert!(
                name.starts_with(".kjproj-") && name.ends_with(".tmp"),
                "unexpected {file:?}"
            );
        }
    }
    // A short sanity bound so the test cannot pass by never running anything.
    assert!(full > Duration::from_millis(10));
}
