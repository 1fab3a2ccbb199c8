//! Issue 15: `kjproj run --watch` runs again when the scenario, or a file it extends, is
//! saved; replaces the outputs; says what changed in the headline figures; and survives a
//! broken save without touching the last good outputs.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::repo;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Kills the watcher however the test ends.
struct Watcher(Child);

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits (at most a minute) until `done` holds.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn a_save_reruns_and_says_what_changed() {
    let dir = TempDir::new().unwrap();
    // The watched file extends another: saving the base re-runs too.
    let base = std::fs::read_to_string(repo("scenarios/fine_chem.toml")).unwrap();
    let base_path = dir.path().join("base.toml");
    std::fs::write(&base_path, &base).unwrap();
    let scenario = dir.path().join("mine.toml");
    std::fs::write(&scenario, "extends = \"base.toml\"\nname = \"mine\"\n").unwrap();
    let out = dir.path().join("out");
    let (stdout, stderr) = (dir.path().join("stdout.txt"), dir.path().join("stderr.txt"));
    let _watcher = Watcher(
        Command::new(assert_cmd::cargo::cargo_bin("kjproj"))
            .arg("run")
            .arg(&scenario)
            .args(["--watch", "--draws", "20000", "--sobol", "0", "--out"])
            .arg(&out)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap(),
    );
    wait_until("the first run", || read(&stderr).contains("run 1 done"));
    let paths = out.join("paths.csv");
    let first = read(&paths);
    assert!(first.contains("\n2031,350,"), "{first}");

    // An edit of the base file: the outputs are replaced and the change is named.
    std::fs::write(
        &base_path,
        base.replace("target = { value = 350,", "target = { value = 340,"),
    )
    .unwrap();
    wait_until("the second run", || read(&stderr).contains("run 2 done"));
    let text = read(&stdout);
    assert!(
        text.contains("── run 2: changes since the last run ──"),
        "{text}"
    );
    assert!(
        text.contains("  market 2031: 350.0 → 340.0 (-10.00, -2.9%)"),
        "{text}"
    );
    assert!(text.contains("  share 2031: 14.857% → 15.294%"), "{text}");
    // delayed_start skips one of its checks: skipped checks do not count as failed.
    assert!(
        text.contains("  delayed_start: failed checks: 0 → 1 (+1)"),
        "{text}"
    );
    let second = read(&paths);
    assert_ne!(first, second);

    // A broken save: an error with its position, the outputs of the last good run kept,
    // and the watcher still watching.
    std::fs::write(&scenario, "extends = \"base.toml\"\nname = [\n").unwrap();
    wait_until("the error", || read(&stderr).contains("run 3 done"));
    let errors = read(&stderr);
    assert!(errors.contains("mine.toml:2:"), "{errors}");
    assert_eq!(read(&paths), second);

    // Fixed again: it runs, and nothing in the headline figures changed since run 2.
    std::fs::write(&scenario, "extends = \"base.toml\"\nname = \"mine\"\n").unwrap();
    wait_until("the fourth run", || read(&stderr).contains("run 4 done"));
    let text = read(&stdout);
    assert!(
        text.contains("── run 4: changes since the last run ──\n  no headline figure changed"),
        "{text}"
    );
}

#[test]
fn the_files_watched_are_the_scenario_those_it_extends_and_its_data() {
    let s = kjproj::scenario::load(&repo("scenarios/korea_rnd.toml")).unwrap();
    let sources: Vec<String> = s
        .origin
        .sources()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(sources, ["korea_rnd.toml", "korea_rnd.csv"]);
    // A data file's contents are part of the fingerprint that `merge` checks.
    assert_eq!(s.origin.fingerprint(), s.origin.fingerprint());
    assert_eq!(s.origin.fingerprint().len(), 16);
}
