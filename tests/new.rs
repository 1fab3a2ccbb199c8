//! `kjproj new` and `kjproj completions`.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::kjproj;

use predicates::prelude::*;
use tempfile::TempDir;

#[test]
fn the_template_is_a_valid_scenario_whose_checks_pass() {
    let dir = TempDir::new().unwrap();
    kjproj()
        .current_dir(dir.path())
        .args(["new", "battery"])
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote battery.toml"));
    let s = kjproj::scenario::load(&dir.path().join("battery.toml")).unwrap();
    assert_eq!(s.name, "battery");
    assert_eq!(s.variants.len(), 1);
    kjproj()
        .current_dir(dir.path())
        .args(["check", "battery.toml", "--draws", "5000"])
        .assert()
        .code(0)
        // The variant is checked too; the two checks about the base's market say why they
        // do not apply to it.
        .stdout(predicate::str::contains(
            "PASS  [slow_market] market growth stays plausible",
        ))
        .stdout(predicate::str::ends_with("8 passed, 0 failed, 2 skipped\n"));
    // Never overwrites.
    let before = std::fs::read(dir.path().join("battery.toml")).unwrap();
    kjproj()
        .current_dir(dir.path())
        .args(["new", "battery"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(
        std::fs::read(dir.path().join("battery.toml")).unwrap(),
        before
    );
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        kjproj()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("kjproj"));
    }
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    for sub in [
        "run",
        "compare",
        "solve",
        "new",
        "completions",
        "check",
        "man",
    ] {
        kjproj()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("kjproj ").and(predicate::str::contains("Example")));
    }
}

#[test]
fn a_name_that_would_make_a_hidden_or_odd_file_is_refused() {
    let dir = TempDir::new().unwrap();
    for name in ["", ".toml", ".x", "  ", "a\u{1b}b", "quo\"te"] {
        kjproj()
            .current_dir(dir.path())
            .args(["new", name])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is not a usable scenario name"))
            .stderr(predicate::str::contains('\u{1b}').not());
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn the_manual_page_is_roff_with_every_subcommand() {
    let out = kjproj().arg("man").assert().success();
    let page = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &page[..80.min(page.len())]
    );
    assert!(page.contains(".TH kjproj 1"));
    for sub in ["run", "report", "compare", "solve", "check", "new"] {
        assert!(page.contains(&format!("kjproj\\-{sub}")), "{sub}");
    }
}
