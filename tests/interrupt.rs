//! A run killed at any moment leaves the complete previous output set or the complete new
//! one: never a half-written file, never a mix of old and new files.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::repo;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

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

/// Runs `fine_chem` into `out` with `seed`.
fn seeded(out: &Path, seed: u64) -> Command {
    sized(out, seed, "50000", "256")
}

/// Runs `fine_chem` into `out` with `seed`, `draws` and `sobol` base samples.
fn sized(out: &Path, seed: u64, draws: &str, sobol: &str) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("kjproj"));
    c.args([
        "run",
        repo("scenarios/fine_chem.toml").to_str().unwrap(),
        "-q",
        "--draws",
        draws,
        "--sobol",
        sobol,
        "--seed",
    ])
    .arg(seed.to_string())
    .arg("--out")
    .arg(out)
    .env("NO_COLOR", "1")
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    c
}

/// kjproj's staging folders beside `out` (left only by a run killed outright).
fn staging_beside(out: &Path) -> Vec<PathBuf> {
    let prefix = format!(".{}.kjproj-", out.file_name().unwrap().to_string_lossy());
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect()
}

#[test]
fn a_run_killed_at_random_moments_leaves_the_complete_old_set_or_the_complete_new_one() {
    let parent = TempDir::new().unwrap();
    let out = parent.path().join("out");
    // The two sets, from runs with different seeds (every Monte Carlo file differs), and
    // a note of the user's that every set keeps.
    assert!(seeded(&out, 2).status().unwrap().success());
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let started = Instant::now();
    assert!(seeded(&out, 2).status().unwrap().success());
    let full = started.elapsed();
    let two = snapshot(&out);
    let started = Instant::now();
    assert!(seeded(&out, 1).status().unwrap().success());
    // The slower of two runs: on a busy machine one may be quick by chance, and kills
    // that all land before the end would test only one side.
    let full = full.max(started.elapsed());
    let one = snapshot(&out);
    assert!(one.len() > 30 && one.contains_key(Path::new("notes.txt")));
    assert!(one.contains_key(Path::new("delayed_start/fan.csv")));
    let differ = one.iter().filter(|(f, b)| two.get(*f) != Some(*b)).count();
    assert!(differ > 10, "only {differ} files differ between the seeds");

    // Kill (SIGKILL, and SIGTERM on Linux) at moments spread over the run, writing and
    // swapping included, from a fixed pseudo-random sequence.
    let mut current = 1;
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let (mut old, mut new) = (0, 0);
    for kill in 0..24 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let delay = full.mul_f64((state % 1000) as f64 / 1000.0 * 1.25);
        let next = 3 - current;
        let mut child = seeded(&out, next).spawn().unwrap();
        std::thread::sleep(delay);
        let graceful = cfg!(target_os = "linux") && kill % 2 == 1;
        if graceful {
            #[cfg(target_os = "linux")]
            {
                use rustix::process::{Pid, Signal, kill_process};
                let pid = Pid::from_raw(child.id() as i32).unwrap();
                let _ = kill_process(pid, Signal::TERM);
            }
        } else {
            let _ = child.kill();
        }
        let status = child.wait().unwrap();
        let after = snapshot(&out);
        if after == one || after == two {
            let now = if after == one { 1 } else { 2 };
            if now == current {
                old += 1;
            } else {
                new += 1;
                assert!(status.success() || status.code().is_none() || status.code() == Some(130));
            }
            current = now;
        } else {
            let mixed: Vec<_> = after
                .iter()
                .filter(|(f, b)| one.get(*f) != Some(*b) && two.get(*f) != Some(*b))
                .map(|(f, _)| f)
                .chain(one.keys().filter(|f| !after.contains_key(*f)))
                .take(5)
                .collect();
            panic!("kill {kill} at {delay:?} left a mixed set: {mixed:?}");
        }
        if graceful {
            // An interrupted run cleans up after itself (a run killed outright before it
            // may have left one, which the next run to write removes).
            let own = format!(".out.kjproj-{}-", child.id());
            let left: Vec<PathBuf> = staging_beside(&out)
                .into_iter()
                .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&own))
                .collect();
            assert_eq!(left, Vec::<PathBuf>::new(), "kill {kill}");
        }
    }
    // The next complete run removes what a run killed outright left beside the folder.
    assert!(seeded(&out, 1).status().unwrap().success());
    assert_eq!(snapshot(&out), one);
    assert_eq!(staging_beside(&out), Vec::<PathBuf>::new());
    assert!(
        old > 0 && new > 0,
        "kills hit only one side: {old} old, {new} new"
    );
}

/// A run into folders that do not exist yet, interrupted while it works, leaves nothing:
/// neither its staging folder nor the folders it made for `--out`.
#[cfg(target_os = "linux")]
#[test]
fn an_interrupted_run_removes_the_folders_it_made() {
    use rustix::process::{Pid, Signal, kill_process};
    use std::time::Duration;
    let parent = TempDir::new().unwrap();
    let made = parent.path().join("new");
    let out = made.join("deeper").join("out");
    let mut child = sized(&out, 1, "2000000", "4096").spawn().unwrap();
    // The staging folder appears before the work starts.
    let started = Instant::now();
    while !out.parent().unwrap().is_dir() || staging_beside(&out).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no staging folder"
        );
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(Duration::from_millis(5));
    }
    let pid = Pid::from_raw(child.id() as i32).unwrap();
    kill_process(pid, Signal::TERM).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}");
    let left: Vec<_> = std::fs::read_dir(parent.path())
        .unwrap()
        .flatten()
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
