//! Issue 15: a run split with `run --chunks … --partial …` and put back together with
//! `kjproj merge` gives exactly the outputs of one run; pieces that do not belong together
//! are refused, and nothing is written then.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::{kjproj, repo};

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use tempfile::TempDir;

/// Every file under `dir`, relative to it, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_owned());
            }
        }
    }
    out.sort();
    out
}

/// Writes one piece of `scenario` with `args`.
fn piece(scenario: &Path, part: &str, file: &Path, args: &[&str]) {
    kjproj()
        .arg("run")
        .arg(scenario)
        .args(["--chunks", part, "--partial"])
        .arg(file)
        .args(args)
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote"));
}

#[test]
fn a_merged_run_equals_the_single_run_byte_for_byte() {
    // fine_chem: base and two variants, correlated inputs, checks on probabilities; the
    // draws leave a short last chunk; Korean labels and SVGs too.
    let dir = TempDir::new().unwrap();
    let scenario = repo("scenarios/fine_chem.toml");
    let args = [
        "--draws", "300001", "--sobol", "512", "--seed", "7", "--lang", "ko",
    ];
    let single = dir.path().join("single");
    kjproj()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&single)
        .args(args)
        .args(["--svg", "-q", "--threads", "2"])
        .assert()
        .success();
    // Three pieces of different forms, each on one thread, merged out of order.
    let pieces: Vec<PathBuf> = ["a", "b", "c"]
        .iter()
        .map(|n| dir.path().join(format!("{n}.kjpart")))
        .collect();
    piece(&scenario, "0..1", &pieces[0], &args);
    piece(&scenario, "1..3", &pieces[1], &args);
    piece(&scenario, "3..100", &pieces[2], &args);
    let merged = dir.path().join("merged");
    kjproj()
        .arg("merge")
        .args([&pieces[2], &pieces[0], &pieces[1]])
        .arg("--out")
        .arg(&merged)
        .args(["--svg", "-q", "--threads", "1"])
        .assert()
        .success();
    let names = files(&single);
    assert_eq!(names, files(&merged));
    let mut compared = 0;
    for name in &names {
        let ext = name.extension().and_then(|e| e.to_str()).unwrap_or("");
        // The reports quote the command line that made them.
        if ["md", "html"].contains(&ext) {
            continue;
        }
        let (a, b) = (
            std::fs::read(single.join(name)).unwrap(),
            std::fs::read(merged.join(name)).unwrap(),
        );
        assert!(a == b, "{} differs", name.display());
        compared += 1;
    }
    assert!(compared > 40, "{compared} files compared");
    // K/N shares merge to the same outputs too.
    let shares: Vec<PathBuf> = (1..=2)
        .map(|k| {
            let p = dir.path().join(format!("share{k}.kjpart"));
            piece(&scenario, &format!("{k}/2"), &p, &args);
            p
        })
        .collect();
    let again = dir.path().join("again");
    kjproj()
        .arg("merge")
        .args(&shares)
        .arg("--out")
        .arg(&again)
        .arg("-q")
        .assert()
        .success();
    for name in [
        "fan.csv",
        "probabilities.csv",
        "delayed_start/histogram.csv",
    ] {
        assert_eq!(
            std::fs::read(single.join(name)).unwrap(),
            std::fs::read(again.join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn pieces_that_do_not_belong_together_are_refused_and_nothing_is_written() {
    let dir = TempDir::new().unwrap();
    // A scenario that extends another: the base file is part of the fingerprint.
    let base = std::fs::read_to_string(repo("scenarios/fine_chem.toml")).unwrap();
    std::fs::write(dir.path().join("base.toml"), &base).unwrap();
    let child = dir.path().join("child.toml");
    std::fs::write(&child, "extends = \"base.toml\"\nname = \"child\"\n").unwrap();
    let args = ["--draws", "200000", "--sobol", "256"];
    let (a, b) = (dir.path().join("a.kjpart"), dir.path().join("b.kjpart"));
    piece(&child, "1/2", &a, &args);
    piece(&child, "2/2", &b, &args);
    let out = dir.path().join("out");
    let merge = |pieces: &[&Path]| {
        let mut cmd = kjproj();
        cmd.arg("merge")
            .args(pieces)
            .arg("--out")
            .arg(&out)
            .arg("-q");
        cmd
    };
    // A chunk missing, or one covered twice.
    merge(&[&a])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("chunks 2..4 of 4 are missing"));
    merge(&[&a, &b, &a])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("in more than one partial"));
    // Other settings.
    let c = dir.path().join("c.kjpart");
    piece(
        &child,
        "2/2",
        &c,
        &["--draws", "200000", "--sobol", "256", "--seed", "1"],
    );
    merge(&[&a, &c])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pieces of different runs"));
    // A file that is not there, not a partial result, or one cut short.
    merge(&[&a, &dir.path().join("nope.kjpart")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.kjpart: cannot read it"));
    let junk = dir.path().join("junk.kjpart");
    std::fs::write(&junk, "hello").unwrap();
    merge(&[&junk, &b])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a kjproj partial result"));
    let bytes = std::fs::read(&b).unwrap();
    let cut = dir.path().join("cut.kjpart");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    merge(&[&a, &cut])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("damaged or cut short"));
    // A changed base file, even with the child unchanged.
    std::fs::write(
        dir.path().join("base.toml"),
        base.replace("value = 350", "value = 340"),
    )
    .unwrap();
    merge(&[&a, &b])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "has changed since the partial results",
        ));
    assert!(!out.exists(), "nothing is written when a merge fails");
    // Put back, the pieces merge.
    std::fs::write(dir.path().join("base.toml"), &base).unwrap();
    merge(&[&a, &b]).assert().success();
    assert!(out.join("fan.csv").exists());
}

#[test]
fn a_damaged_partial_result_is_an_error_never_a_panic() {
    use kjproj::evaluate::partial::{Part, Pieces, simulate};
    use kjproj::evaluate::{Analyses, Overrides, Simulations, evaluate_all};
    let dir = TempDir::new().unwrap();
    let path = repo("scenarios/fine_chem.toml");
    let file = kjproj::scenario::load(&path).unwrap();
    let overrides = Overrides {
        draws: Some(70_000),
        sobol_samples: Some(0),
        ..Overrides::default()
    };
    let piece = simulate(&file, &path, &overrides, Part::Chunks(0, 2), None).unwrap();
    let bytes = piece.to_bytes().unwrap();
    let target = dir.path().join("p.kjpart");
    // The intact piece merges.
    std::fs::write(&target, &bytes).unwrap();
    let pieces = Pieces::read(std::slice::from_ref(&target)).unwrap();
    assert!(
        evaluate_all(
            &file,
            pieces.overrides(),
            Analyses::ALL,
            Simulations::Merge(&pieces)
        )
        .is_ok()
    );
    // A fixed pseudo-random sequence (xorshift), and whether a file merges (Ok) or is
    // refused (Err) when read or when merged; a panic fails the test.
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let merges = |damaged: &[u8]| {
        std::fs::write(&target, damaged).unwrap();
        Pieces::read(std::slice::from_ref(&target))
            .and_then(|p| {
                evaluate_all(&file, p.overrides(), Analyses::ALL, Simulations::Merge(&p)).map(drop)
            })
            .is_ok()
    };
    // Damaged copies: a bit changed, or the file cut, at pseudo-random places: the
    // checksum refuses each.
    for round in 0..300 {
        let r = next();
        let at = (r % bytes.len() as u64) as usize;
        let mut damaged = bytes.clone();
        if round % 5 == 4 {
            damaged.truncate(at);
        } else {
            damaged[at] ^= 1 << (r >> 60 & 7);
        }
        assert!(!merges(&damaged), "round {round} merged");
    }
    // Damage behind a checksum put right (a file made to lie): refused when read or when
    // merged (every count is checked against its chunks), or merged when it still makes
    // sense; never a panic.
    let header = b"kjproj partial result\n".len() + 4;
    let merged = (0..300)
        .filter(|_| {
            let r = next();
            let mut damaged = bytes.clone();
            let at = header + 8 + (r % (bytes.len() - header - 8) as u64) as usize;
            damaged[at] ^= 1 << (r >> 60 & 7);
            let sum = kjproj::stats::hash::fnv1a_64([&damaged[header + 8..]]);
            damaged[header..header + 8].copy_from_slice(&sum.to_le_bytes());
            merges(&damaged)
        })
        .count();
    assert!(merged < 300, "every lie merged");
}
