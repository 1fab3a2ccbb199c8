//! `kjproj run` as a user runs it: shipped scenarios in, files and a summary out; broken
//! scenarios in, one clear error out and nothing written.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::{kjproj, repo};

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use tempfile::TempDir;

/// Arguments that keep the sensitivity part of a run small where a test is about
/// something else.
const SMALL: [&str; 4] = ["--draws", "20000", "--sobol", "512"];

#[test]
fn fine_chem_summary_reports_cagrs_and_the_share_discrepancy() {
    let out = TempDir::new().unwrap();
    kjproj()
        .args(["run", repo("scenarios/fine_chem.toml").to_str().unwrap(), "--out"])
        .arg(out.path())
        .args(SMALL)
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"market\s+cagr\s+160\.0\s+350\.0\s+10\.28%").unwrap())
        .stdout(predicate::str::is_match(r"sales\s+cagr from 2025\s+9\.40\s+52\.00\s+23\.84%").unwrap())
        .stdout(predicate::str::is_match(r"share\s+sales / market\s+5\.875%\s+14\.857%").unwrap())
        // Status lines go to standard error, data to standard output.
        .stderr(predicate::str::contains("wrote"))
        .stdout(predicate::str::contains("wrote").not())
        .stderr(predicate::str::contains(
            "share in 2023 is stated as 5.7% (source: motie-2023) but derives as 5.875% \
             (sales / market = 9.4 / 160): a difference of +0.175 pp, within the tolerance ±0.25 pp",
        ))
        .stderr(predicate::str::contains("share in 2031 is stated as 15%"));
    for file in ["paths.csv", "paths.png"] {
        assert!(out.path().join(file).is_file(), "{file} missing");
    }
    assert!(
        !out.path().join("paths.svg").exists(),
        "SVG only on request"
    );
}

#[test]
fn paths_csv_matches_snapshot() {
    // The snapshot was checked by hand against the seed: 160 → 350 at RRI(8,160,350) =
    // 10.279%/yr; sales keep the 5.875% share until 2025, then grow at
    // (52 / 11.4318…)^(1/6) − 1 = 28.72%/yr. Regenerate with KJPROJ_UPDATE_SNAPSHOTS=1.
    let out = TempDir::new().unwrap();
    kjproj()
        .args([
            "run",
            repo("scenarios/fine_chem.toml").to_str().unwrap(),
            "--quiet",
            "--out",
        ])
        .arg(out.path())
        .args(SMALL)
        .assert()
        .success()
        .stdout("");
    let actual = std::fs::read_to_string(out.path().join("paths.csv")).unwrap();
    let snapshot = repo("tests/snapshots/fine_chem_paths.csv");
    if std::env::var_os("KJPROJ_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&snapshot).unwrap();
    assert_eq!(
        actual,
        expected,
        "paths.csv differs from {}",
        snapshot.display()
    );
    assert!(actual.starts_with("year,market,sales,share,market_yoy,sales_yoy,share_yoy\n"));
}

#[test]
fn korea_israel_runs_with_its_own_unit_and_metric() {
    let out = TempDir::new().unwrap();
    kjproj()
        .args([
            "run",
            repo("scenarios/korea_israel.toml").to_str().unwrap(),
            "--svg",
            "--out",
        ])
        .arg(out.path())
        .args(SMALL)
        .assert()
        .success()
        .stdout(predicate::str::contains("unit: applications per year"))
        .stdout(predicate::str::is_match(r"applications\s+gompertz\s+7\.00\s+66\.95").unwrap());
    let csv = std::fs::read_to_string(out.path().join("paths.csv")).unwrap();
    assert!(csv.starts_with("year,applications,applications_yoy\n2020,7,\n"));
    assert!(
        csv.contains("\n2024,34,"),
        "the 2024 milestone is hit exactly"
    );
    // One Gompertz curve with cap 80 through 7 (2020) and 34 (2024): 66.94733044260138 in
    // 2030 (tests/reference/s_curves.py).
    assert!(csv.contains("\n2030,66.9473304426,"), "{csv}");
    let svg = std::fs::read_to_string(out.path().join("paths.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Joint R&amp;D applications"));
}

#[test]
fn default_output_directory_is_output_slash_stem() {
    let work = TempDir::new().unwrap();
    std::fs::copy(
        repo("scenarios/korea_israel.toml"),
        work.path().join("ki.toml"),
    )
    .unwrap();
    kjproj()
        .current_dir(work.path())
        .args(["run", "ki.toml"])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "wrote {}",
            Path::new("output").join("ki").join("paths.csv").display()
        )));
    assert!(work.path().join("output/ki/paths.png").is_file());
}

#[test]
fn korean_labels_render() {
    let out = TempDir::new().unwrap();
    kjproj()
        .args([
            "run",
            repo("scenarios/fine_chem.toml").to_str().unwrap(),
            "--lang",
            "ko",
            "--svg",
            "--out",
        ])
        .arg(out.path())
        .args(SMALL)
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.path().join("paths.svg")).unwrap();
    assert!(svg.contains("연도") && svg.contains("점유율"));
}

/// The catalogue of bad inputs: every `tests/bad/NAME.toml` must fail with exit code 2,
/// print exactly the first line in `tests/bad/NAME.err` (file, line, column, key and
/// message), never panic, and write nothing.
#[test]
fn every_bad_input_in_the_catalogue_gives_its_exact_error_and_writes_nothing() {
    let dir = repo("tests/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "the catalogue has {} files", files.len());
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let expected = std::fs::read_to_string(file.with_extension("err"))
            .unwrap_or_else(|_| panic!("{name}.err is missing"));
        let out = TempDir::new().unwrap();
        let target = out.path().join("never");
        let relative = format!("tests/bad/{name}.toml");
        let assert = kjproj()
            .current_dir(repo(""))
            .args(["run", &relative, "--out"])
            .arg(&target)
            .assert()
            .code(2)
            .stdout("");
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert_eq!(
            stderr.lines().next().unwrap_or(""),
            expected.trim_end(),
            "{name}: first line of\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert!(!target.exists(), "{name}: output directory was created");
        // `check` reports the same file as invalid, with exit code 2.
        kjproj()
            .current_dir(repo(""))
            .args(["check", &relative])
            .assert()
            .code(2)
            .stdout(predicate::str::contains("INVALID"));
    }
}

#[test]
fn a_huge_file_is_refused_before_reading_it() {
    let dir = TempDir::new().unwrap();
    let huge = dir.path().join("huge.toml");
    let line = "# padding padding padding padding padding padding padding padding\n";
    std::fs::write(&huge, line.repeat(5 * 1024 * 1024 / line.len() + 1)).unwrap();
    kjproj()
        .args(["run"])
        .arg(&huge)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a scenario file may be at most 4194304 bytes",
        ));
}

#[test]
fn absurd_draw_counts_are_refused() {
    for (draws, words) in [
        ("0", "--draws must be at least 1"),
        ("1000000000000", "more than the limit of 1000000000"),
    ] {
        kjproj()
            .args([
                "run",
                repo("scenarios/fine_chem.toml").to_str().unwrap(),
                "--draws",
                draws,
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(words));
    }
}

#[test]
fn a_broken_run_leaves_earlier_outputs_untouched() {
    let out = TempDir::new().unwrap();
    kjproj()
        .args([
            "run",
            repo("scenarios/fine_chem.toml").to_str().unwrap(),
            "-q",
            "--out",
        ])
        .arg(out.path())
        .args(SMALL)
        .assert()
        .success();
    let before: Vec<Vec<u8>> = ["paths.csv", "paths.png"]
        .iter()
        .map(|f| std::fs::read(out.path().join(f)).unwrap())
        .collect();
    kjproj()
        .args([
            "run",
            repo("tests/bad/cap_below_value.toml").to_str().unwrap(),
            "--out",
        ])
        .arg(out.path())
        .args(SMALL)
        .assert()
        .code(2);
    for (f, old) in ["paths.csv", "paths.png"].iter().zip(before) {
        assert_eq!(
            std::fs::read(out.path().join(f)).unwrap(),
            old,
            "{f} changed"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn missing_file_and_directory_are_input_errors() {
    kjproj()
        .args(["run", "no/such/file.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read scenario file no/such/file.toml: no such file",
        ));
    kjproj()
        .args(["run", repo("scenarios").to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("it is a directory"));
}

#[test]
fn unwritable_output_is_exit_code_3() {
    let out = TempDir::new().unwrap();
    let blocker = out.path().join("file");
    std::fs::write(&blocker, "not a directory").unwrap();
    kjproj()
        .args([
            "run",
            repo("scenarios/fine_chem.toml").to_str().unwrap(),
            "--out",
        ])
        .arg(blocker.join("sub"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("cannot write"));
    assert_eq!(
        std::fs::read_to_string(&blocker).unwrap(),
        "not a directory"
    );
}

#[test]
fn usage_errors_are_exit_code_2() {
    kjproj().args(["run"]).assert().code(2);
    kjproj().args(["frobnicate"]).assert().code(2);
}

#[test]
fn fine_chem_sensitivity_writes_every_output_and_states_the_probability() {
    let out = TempDir::new().unwrap();
    kjproj()
        .args([
            "run",
            repo("scenarios/fine_chem.toml").to_str().unwrap(),
            "--out",
        ])
        .arg(out.path())
        .args(["--draws", "200000", "--sobol", "2048"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Monte Carlo: 200,000 draws (Latin hypercube), seed 20230614",
        ))
        .stdout(
            predicate::str::is_match(r"P\(share 2031 ≥ 15%\) = \d+\.\d% \(standard error").unwrap(),
        )
        .stdout(predicate::str::contains("tornado: share in 2031"))
        .stdout(predicate::str::contains("Sobol indices with the file's correlations (Kucherenko et al. 2012: these describe the file's model): share in 2031"));
    for file in [
        "tornado.csv",
        "tornado.png",
        "fan.csv",
        "fan.png",
        "probabilities.csv",
        "histogram.csv",
        "histogram.png",
        "sobol.csv",
        "sobol.png",
    ] {
        assert!(out.path().join(file).is_file(), "{file} missing");
    }
    let fan = std::fs::read_to_string(out.path().join("fan.csv")).unwrap();
    assert!(fan.starts_with("series,year,mean,sd,p5,p10,p25,p50,p75,p90,p95,mean_se,"));
    // 3 series × 9 years + header.
    assert_eq!(fan.lines().count(), 28);
    let probabilities = std::fs::read_to_string(out.path().join("probabilities.csv")).unwrap();
    assert!(probabilities.contains("\nshare,2031,0.15,"));
}

#[test]
fn outputs_are_byte_identical_for_any_thread_count_and_run() {
    let run = |threads: &str| {
        let out = TempDir::new().unwrap();
        kjproj()
            .args([
                "run",
                repo("scenarios/fine_chem.toml").to_str().unwrap(),
                "-q",
                "--out",
            ])
            .arg(out.path())
            .args(["--draws", "300000", "--sobol", "1024", "--threads", threads])
            .assert()
            .success();
        [
            "paths.csv",
            "tornado.csv",
            "fan.csv",
            "probabilities.csv",
            "histogram.csv",
            "sobol.csv",
            "compare.csv",
            "delayed_start/fan.csv",
            "smaller_market/sobol.csv",
            "paths.png",
            "fan.png",
            "tornado.png",
            "histogram.png",
            "sobol.png",
            "compare.png",
        ]
        .map(|f| std::fs::read(out.path().join(f)).unwrap())
    };
    let one = run("1");
    assert_eq!(one, run("3"), "1 thread against 3");
    assert_eq!(one, run("2"), "a repeated run");
}

#[test]
fn tables_and_error_carets_align_by_display_width() {
    // Issue 13: a Hangul syllable takes two terminal columns.
    let dir = TempDir::new().unwrap();
    let text = "name = \"한국\"\nunit = \"조 원\"\nbaseline_year = 2023\ntarget_year = 2031\n\
                [sources]\n\"출처\" = \"산업부\"\n[metrics.\"시장\"]\nshape = \"cagr\"\n\
                baseline = { value = 160, source = \"출처\" }\ntarget = { source = \"출처\", value = VALUE }\n";
    let file = dir.path().join("k.toml");
    std::fs::write(&file, text.replace("VALUE", "350")).unwrap();
    let out = kjproj()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let header = lines.iter().find(|l| l.starts_with("metric")).unwrap();
    let row = lines.iter().find(|l| l.starts_with("시장")).unwrap();
    // "시장" is 4 columns wide: "cagr" starts where "shape" does, by display width.
    let column =
        |line: &str, word: &str| kjproj::format::display_width(&line[..line.find(word).unwrap()]);
    assert_eq!(column(header, "shape"), column(row, "cagr"), "{stdout}");
    assert_eq!(
        kjproj::format::display_width(header),
        kjproj::format::display_width(row)
    );

    std::fs::write(&file, text.replace("VALUE", "-5")).unwrap();
    let out = kjproj().arg("run").arg(&file).assert().code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    let source = lines.iter().find(|l| l.contains("value = -5")).unwrap();
    let carets = lines.iter().find(|l| l.contains('^')).unwrap();
    assert_eq!(
        kjproj::format::display_width(&source[..source.find("-5").unwrap()]),
        kjproj::format::display_width(&carets[..carets.find('^').unwrap()]),
        "{stderr}"
    );
    assert!(carets.ends_with("^^"), "{stderr}");
}

#[test]
fn colour_follows_color_no_color_and_clicolor_force() {
    // Not a terminal here: plain by default; CLICOLOR_FORCE and --color always colour,
    // NO_COLOR and --color never do not.
    let dir = TempDir::new().unwrap();
    let failing = repo("tests/check/failing.toml");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = assert_cmd::Command::cargo_bin("kjproj").unwrap();
        cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd
            .current_dir(dir.path())
            .args(args)
            .arg("check")
            .arg(&failing)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().contains("\x1b[")
    };
    assert!(!run(&[], &[]));
    assert!(run(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!run(&[], &[("CLICOLOR_FORCE", "0")]));
    assert!(!run(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    assert!(run(&["--color", "always"], &[("NO_COLOR", "1")]));
    assert!(!run(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]));
}

#[test]
fn money_in_korean_units_on_request() {
    // Issue 13: 조/억 notation for amounts of won, in the summary and the report.
    let dir = TempDir::new().unwrap();
    let out = kjproj()
        .arg("run")
        .arg(repo("scenarios/fine_chem.toml"))
        .args([
            "--money", "korean", "--draws", "2000", "--sobol", "0", "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains("9조 4,000억 원") && stdout.contains("52조 원"),
        "{stdout}"
    );
    let report = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(
        report.contains("| 2024 | 176조 4,467억 원 | 10조 3,662억 원 | 5.88% |"),
        "{report}"
    );
    // Shares and other units stay as they are.
    assert!(report.contains("| Korean share | sales / market | 5.875% | 14.857% |"));
}

#[test]
fn run_json_is_one_document_of_numbers_on_standard_output() {
    let dir = TempDir::new().unwrap();
    let out = kjproj()
        .arg("run")
        .arg(repo("scenarios/fine_chem.toml"))
        .args(["--json", "--draws", "2000", "--sobol", "0", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3, "base and two variants");
    assert_eq!(runs[0]["variant"], "base");
    let market = &runs[0]["metrics"][0];
    assert_eq!(market["name"], "market");
    assert_eq!(market["values"][0].as_f64(), Some(160.0));
    assert_eq!(market["values"][8].as_f64(), Some(350.0));
    assert_eq!(runs[0]["ratios"][0]["share"], true);
    assert!(runs[0]["simulation"]["series"][0]["p50"].is_number());
    assert!(
        runs[0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["passed"].is_boolean())
    );
    assert_eq!(runs[2]["metrics"][0]["values"][8].as_f64(), Some(280.0));
    // The same with `report`, for one scenario.
    let out = kjproj()
        .arg("report")
        .arg(repo("scenarios/korea_israel.toml"))
        .args(["--json", "--draws", "2000", "--sobol", "0", "--out"])
        .arg(dir.path().join("r"))
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["runs"][0]["metrics"][0]["shape"], "gompertz");
}
