//! The trust boundary for files a scenario names: only regular `.toml` files inside the
//! scenario's folder tree (or a folder allowed with `--allow-files`), read within the size
//! limit, never quoted when they are not scenario files; `check DIR` follows no symlinked
//! folders and skips what is not a regular file. Every case ends at once (a test that
//! blocked would show as a timeout).

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::{kjproj, repo};

use predicates::prelude::*;
use tempfile::TempDir;

/// A folder with a scenario `child.toml` whose `extends` is `target`, and a secret file
/// beside the folder.
fn setup(target: &str) -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new().unwrap();
    let inner = dir.path().join("scenarios");
    std::fs::create_dir(&inner).unwrap();
    std::fs::write(
        dir.path().join("credentials"),
        "https://u:TOPSECRET@example.invalid\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("secrets.toml"), "token = TOPSECRET\n").unwrap();
    let child = inner.join("child.toml");
    std::fs::write(&child, format!("extends = {target:?}\nname = \"x\"\n")).unwrap();
    (dir, child)
}

#[test]
fn extends_never_reads_or_quotes_files_outside_the_scenario_folder() {
    for (target, expected) in [
        (
            "../credentials",
            "extends names a scenario file, ending in .toml",
        ),
        ("../secrets.toml", "it is outside the scenario's folder"),
        (
            "/dev/zero",
            "extends names a scenario file, ending in .toml",
        ),
        (
            "/dev/stdin",
            "extends names a scenario file, ending in .toml",
        ),
    ] {
        let (_dir, child) = setup(target);
        let assert = kjproj()
            .args(["run"])
            .arg(&child)
            .write_stdin("")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected));
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(!stderr.contains("TOPSECRET"), "{target}: {stderr}");
    }
    // With the folder allowed on the command line, the .toml file is read (and, being a
    // scenario file by name, an error in it may be shown).
    let (dir, child) = setup("../secrets.toml");
    kjproj()
        .args(["check", "--allow-files"])
        .arg(dir.path())
        .arg(&child)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("secrets.toml"))
        .stdout(predicate::str::contains("outside the scenario's folder").not());
}

#[test]
fn only_regular_files_are_read_and_within_the_limit_while_reading() {
    kjproj()
        .args(["run", "/dev/zero"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("it is not a regular file"));
    #[cfg(unix)]
    {
        let dir = TempDir::new().unwrap();
        let fifo = dir.path().join("pipe.toml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            kjproj()
                .args(["run"])
                .arg(&fifo)
                .assert()
                .code(2)
                .stderr(predicate::str::contains("it is not a regular file"));
            // `check DIR` skips it, with a note, and checks the rest.
            std::fs::copy(
                repo("scenarios/korea_israel.toml"),
                dir.path().join("k.toml"),
            )
            .unwrap();
            kjproj()
                .args(["check"])
                .arg(dir.path())
                .assert()
                .code(0)
                .stderr(predicate::str::contains("note: skipped"))
                .stderr(predicate::str::contains("pipe.toml: not a regular file"));
        }
    }
}

#[cfg(unix)]
#[test]
fn check_does_not_follow_symlinked_folders() {
    let dir = TempDir::new().unwrap();
    std::fs::copy(
        repo("scenarios/korea_israel.toml"),
        dir.path().join("k.toml"),
    )
    .unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::os::unix::fs::symlink(dir.path(), sub.join("up")).unwrap();
    std::os::unix::fs::symlink(".", sub.join("self")).unwrap();
    kjproj()
        .args(["check"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "a symbolic link to a folder is not followed",
        ))
        .stdout(predicate::str::is_match(r"\n\d+ passed, 0 failed\n$").unwrap())
        .stdout(predicate::str::contains("k.toml").count(1));
}

/// `s` as a TOML basic string, every character outside printable ASCII as `\uXXXX`.
fn toml_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A minimal valid scenario with `name` as its title and label.
fn titled(name: &str) -> String {
    let name = toml_string(name);
    format!(
        "name = {name}\nunit = \"u\"\nbaseline_year = 2020\ntarget_year = 2022\n[sources]\ns = \"t\"\n\
         [metrics.x]\nlabel = {name}\nshape = \"linear\"\nbaseline = {{ value = 1, source = \"s\" }}\n\
         target = {{ value = 2, source = \"s\" }}\n"
    )
}

#[test]
fn control_characters_in_text_are_refused_at_the_key() {
    let dir = TempDir::new().unwrap();
    for (bad, code) in [
        ("a\u{0}b", "U+0000"),
        ("a\u{1b}[31mb", "U+001B"),
        ("a\u{b}b", "U+000B"),
        ("a\u{fffe}b", "U+FFFE"),
    ] {
        let file = dir.path().join("c.toml");
        std::fs::write(&file, titled(bad)).unwrap();
        let assert = kjproj()
            .args(["run"])
            .arg(&file)
            .arg("--out")
            .arg(dir.path().join("out"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "key `name`: the text contains the control character {code}"
            )));
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(
            !stderr.contains('\u{1b}') && !stderr.contains('\u{0}'),
            "{stderr:?}"
        );
        assert!(!dir.path().join("out").exists());
    }
}

#[test]
fn user_text_in_the_report_is_text_not_html() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("h.toml");
    std::fs::write(&file, titled("<script>alert(1)</script> & co")).unwrap();
    let out = dir.path().join("out");
    kjproj()
        .args(["run"])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!report.contains("<script>"), "{report}");
    assert!(
        report.contains("# &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"),
        "{report}"
    );
    // The SVG stays well-formed with the same text in it.
    kjproj()
        .args(["run", "--svg"])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.join("paths.svg")).unwrap();
    roxmltree::Document::parse(&svg).expect("well-formed SVG");
}

#[test]
fn a_value_too_large_to_represent_is_an_error_not_inf() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("d.toml");
    // A denominator of 5e-324 makes the ratio infinite.
    let text = titled("d")
        + "[metrics.y]\nshape = \"linear\"\nbaseline = { value = 5e-324, source = \"s\" }\ntarget = { value = 5e-324, source = \"s\" }\n\
           [ratios.r]\nnumerator = \"x\"\ndenominator = \"y\"\n";
    std::fs::write(&file, text).unwrap();
    kjproj()
        .args(["run"])
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "key `ratios.r.denominator`: x / y = 1 / 5e-324 in 2020 is too large to represent",
        ));
    assert!(!dir.path().join("out").exists());
}

/// Every `](target)` link of the Markdown file `report`, as paths beside it.
fn links(report: &std::path::Path) -> Vec<std::path::PathBuf> {
    let text = std::fs::read_to_string(report).unwrap();
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|t| !t.starts_with("http") && !t.starts_with('#'))
        .map(|t| report.parent().unwrap().join(t))
        .collect()
}

#[test]
fn output_sets_replace_one_another_whole_and_keep_the_users_files() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let run = |file: &str, extra: &[&str]| {
        kjproj()
            .args([
                "run", file, "-q", "--draws", "5000", "--sobol", "64", "--out",
            ])
            .arg(&out)
            .args(extra)
            .current_dir(repo(""))
            .assert()
            .success();
    };
    run("scenarios/fine_chem.toml", &["--svg"]);
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    assert!(out.join("delayed_start/fan.svg").exists());
    for link in links(&out.join("report.md")) {
        assert!(link.exists(), "report.md links {link:?}, which is missing");
    }
    // Another scenario in the same folder: the first one's files go (its variants, its
    // SVGs), the user's note stays, and every link of the new report resolves.
    run("scenarios/korea_israel.toml", &[]);
    assert!(!out.join("delayed_start").exists());
    assert!(!out.join("fan.svg").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    for link in links(&out.join("report.md")) {
        assert!(link.exists(), "report.md links {link:?}, which is missing");
    }
    let manifest = std::fs::read_to_string(out.join(".kjproj-outputs")).unwrap();
    assert!(manifest.contains("\npaths.csv\n") && !manifest.contains("notes.txt"));
    // `report` adds to the set rather than replacing it.
    kjproj()
        .args([
            "report",
            "scenarios/korea_israel.toml",
            "-q",
            "--draws",
            "5000",
            "--sobol",
            "64",
            "--svg",
            "--out",
        ])
        .arg(&out)
        .current_dir(repo(""))
        .assert()
        .success();
    assert!(out.join("paths.svg").exists() && out.join("paths.csv").exists());
    // A folder kjproj cannot replace as a whole is refused before any work.
    for bad in [".", ".."] {
        kjproj()
            .arg("run")
            .arg(repo("scenarios/korea_israel.toml"))
            .args(["--out", bad, "--quiet"])
            .current_dir(dir.path().join("out"))
            .assert()
            .code(3)
            .stderr(predicates::str::contains("give a folder of its own"));
    }
}
