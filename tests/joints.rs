//! Where features meet: variants × `extends` × absolute and relative ranges × `check`,
//! `solve`, `report` and `compare`. Every variant is analysed around its own values, its
//! checks run, and every command agrees with `run` on the same variant.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::{kjproj, repo};

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use predicates::prelude::*;
use tempfile::TempDir;

/// The file everything extends: a market, sales that start growing on their own in 2026,
/// a share; ranges absolute (sales 2030, sales 2024) and relative (market 2030 ±10%, the
/// start year −0.5…+1.5).
const PARENT: &str = r#"
name = "Joint test"
unit = "bn"
baseline_year = 2024
target_year = 2030

[sources]
s = "a source"

[metrics.market]
shape = "cagr"
baseline = { value = 100, source = "s" }
target = { value = 200, source = "s" }

[metrics.sales]
shape = "cagr"
baseline = { value = 5, source = "s" }
target = { value = 30, source = "s" }
start_year = 2026
baseline_growth = "market"

[ratios.share]
kind = "share"
numerator = "sales"
denominator = "market"
stated = [{ year = 2030, value = 0.15, tolerance = 0.005, source = "s" }]

[uncertainty]
seed = 7
output = "share"

[uncertainty.inputs]
"metrics.market.target.value" = { plus_minus = 0.10, source = "s" }
"metrics.sales.target.value" = { dist = "pert", min = 20, mode = 30, max = 36, source = "s" }
"metrics.sales.baseline.value" = { low = 4.5, high = 5.5, source = "s" }
"metrics.sales.start_year" = { dist = "uniform", min = -0.5, max = 1.5, relative = true, source = "s" }

[[checks]]
name = "share near 15%"
check = "share[2030] between 13% and 17%"

[[checks]]
name = "15% is within reach"
check = "P(share[2030] >= 15%) >= 10%"

[[checks]]
name = "sales growth plausible"
check = "max(yoy(sales)) <= 80%"
"#;

/// Extends the parent: a bigger market (its relative range follows), and two variants.
const CHILD: &str = r#"
extends = "parent.toml"
name = "Joint test, larger market"

[metrics.market]
target = { value = 220, source = "s" }

[ratios.share]
stated = [{ year = 2030, value = 0.136, tolerance = 0.005, source = "s" }]

[variants.small_market]
label = "Small market"
"metrics.market.target.value" = 150
skip_checks = { "stated share 2030 agrees with the derived value [s]" = "the stated 15% is about the base market", "share near 15%" = "a claim about the base market of 220" }

[variants.late]
label = "Late start"
"metrics.sales.start_year" = 2027
"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A CSV file as rows of named cells.
fn csv(path: &Path) -> Vec<HashMap<String, String>> {
    common::csv_rows(path)
}

fn num(row: &HashMap<String, String>, key: &str) -> f64 {
    row[key].parse().unwrap()
}

/// The value of `series` in `year` in a `paths.csv`.
fn path_value(dir: &Path, series: &str, year: i32) -> f64 {
    let rows = csv(&dir.join("paths.csv"));
    let row = rows.iter().find(|r| r["year"] == year.to_string()).unwrap();
    num(row, series)
}

#[test]
fn every_variant_is_analysed_around_its_own_values_and_every_command_agrees() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "parent.toml", PARENT);
    let child = write(dir.path(), "child.toml", CHILD);
    let out = dir.path().join("out");
    kjproj()
        .args([
            "run",
            child.to_str().unwrap(),
            "--draws",
            "40000",
            "--sobol",
            "512",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "── variant small_market (Small market) ──",
        ));

    // (folder, market 2030 as the file and its variants set it)
    for (folder, market) in [("", 220.0), ("small_market", 150.0), ("late", 220.0)] {
        let d = out.join(folder);
        assert_eq!(path_value(&d, "market", 2030), market, "{folder}");
        // The fan is centred on the variant's own path: the market's relative range is a
        // normal with P5 and P95 at ∓10% of its own 2030 value (analytic quantiles).
        let fan = csv(&d.join("fan.csv"));
        let m2030 = fan
            .iter()
            .find(|r| r["series"] == "market" && r["year"] == "2030")
            .unwrap();
        for (col, expected) in [("p5", 0.9 * market), ("p50", market), ("p95", 1.1 * market)] {
            let got = num(m2030, col);
            assert!(
                (got - expected).abs() < 0.005 * market,
                "{folder}: market 2030 {col} = {got}, expected {expected}"
            );
        }
        // Every tornado bar straddles the variant's own base value.
        let share = path_value(&d, "share", 2030);
        for row in csv(&d.join("tornado.csv"))
            .iter()
            .filter(|r| r["output"] == "share")
        {
            let (lo, hi, base) = (
                num(row, "output_at_low"),
                num(row, "output_at_high"),
                num(row, "base"),
            );
            assert!(
                (base - share).abs() < 1e-9,
                "{folder}: base {base} vs path {share}"
            );
            assert!(
                lo.min(hi) <= base + 1e-12 && base - 1e-12 <= lo.max(hi),
                "{folder}: {} swings {lo}..{hi}, not around {base}",
                row["input"]
            );
        }
    }
    // The late start moves the start-year range with it: 2026.5–2028.5, so sales in 2027
    // are the base's pre-start path in every draw... and the median sales of 2027 stay
    // below the base's (whose programme runs from 2026).
    let sales_2027 = |folder: &str| {
        let fan = csv(&out.join(folder).join("fan.csv"));
        let row = fan
            .iter()
            .find(|r| r["series"] == "sales" && r["year"] == "2027")
            .unwrap();
        num(row, "p50")
    };
    assert!(sales_2027("late") < sales_2027(""));

    // `check` runs every check on every variant; the scoped ones say why they are skipped.
    let assert = kjproj()
        .args(["check", "--format", "json", "--draws", "20000"])
        .arg(&child)
        .assert()
        .code(0);
    let doc: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    let variants = doc["files"][0]["variants"].as_array().unwrap();
    let names: Vec<&str> = variants
        .iter()
        .map(|v| v["variant"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["base", "small_market", "late"]);
    for v in variants {
        let checks = v["checks"].as_array().unwrap();
        assert_eq!(
            checks.len(),
            6,
            "{}: 3 built-in and 3 declared checks",
            v["variant"]
        );
    }
    let small = variants[1]["checks"].as_array().unwrap();
    let near = small
        .iter()
        .find(|c| c["name"] == "share near 15%")
        .unwrap();
    assert_eq!(near["skipped"], "a claim about the base market of 220");
    assert_eq!(near["passed"], false, "30 / 150 = 20% is outside 13–17%");
    assert_eq!(doc["skipped"], 2);
    assert_eq!(doc["failed"], 0);

    // `solve` in a variant: the sales that make the share 15% of a 150 market: 22.5.
    kjproj()
        .args(["solve"])
        .arg(&child)
        .args([
            "--variant",
            "small_market",
            "--vary",
            "metrics.sales.target.value",
            "--goal",
            "share[2030] = 15%",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "metrics.sales.target.value = 22.5 makes share[2030] = 15%",
        ));

    // `report --variant` writes the same report as `run` did for that variant (but for
    // the command line that made it).
    let rep = dir.path().join("rep");
    kjproj()
        .args(["report"])
        .arg(&child)
        .args([
            "--variant",
            "late",
            "--draws",
            "40000",
            "--sobol",
            "512",
            "--quiet",
            "--out",
        ])
        .arg(&rep)
        .assert()
        .success();
    let without_command = |p: &Path| -> Vec<String> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("kjproj "))
            .map(String::from)
            .collect()
    };
    assert_eq!(
        without_command(&rep.join("report.md")),
        without_command(&out.join("late/report.md"))
    );
    for f in [
        "paths.csv",
        "fan.csv",
        "tornado.csv",
        "sobol.csv",
        "probabilities.csv",
    ] {
        assert_eq!(
            std::fs::read(rep.join(f)).unwrap(),
            std::fs::read(out.join("late").join(f)).unwrap(),
            "{f}"
        );
    }

    // `compare --variants` of the file gives the comparison `run` wrote.
    let cmp = dir.path().join("cmp");
    kjproj()
        .args(["compare"])
        .arg(&child)
        .args(["--variants", "--quiet", "--out"])
        .arg(&cmp)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(cmp.join("compare.csv")).unwrap(),
        std::fs::read(out.join("compare.csv")).unwrap()
    );
}

#[test]
fn a_variant_that_moves_a_value_under_an_absolute_range_is_refused() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "parent.toml", PARENT);
    let child = write(
        dir.path(),
        "child.toml",
        "extends = \"parent.toml\"\n\n[variants.more_sales]\n\"metrics.sales.target.value\" = 40\n",
    );
    let out = dir.path().join("out");
    kjproj()
        .args(["run"])
        .arg(&child)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "child.toml:4:32: key `metrics.sales.target.value`: in variant `more_sales`: \
             `metrics.sales.target.value` is 40 here but 30 in the base, and its uncertainty range \
             `{ dist = \"pert\", min = 20, mode = 30, max = 36, source = \"s\" }` is absolute",
        ))
        .stderr(predicate::str::contains("relative = true"));
    assert!(!out.exists());

    // Giving the variant its own range is the other way out.
    let fixed = write(
        dir.path(),
        "fixed.toml",
        "extends = \"parent.toml\"\n\n[variants.more_sales]\n\"metrics.sales.target.value\" = 40\n\
         \"uncertainty.inputs.\\\"metrics.sales.target.value\\\"\" = { dist = \"pert\", min = 30, mode = 40, max = 46, source = \"s\" }\n",
    );
    kjproj()
        .args(["check", "--draws", "2000"])
        .arg(&fixed)
        .assert()
        .stdout(predicate::str::contains("[more_sales]"));
}

#[test]
fn a_file_that_moves_a_value_under_its_parents_absolute_range_is_refused() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "parent.toml", PARENT);
    let child = write(
        dir.path(),
        "child.toml",
        "extends = \"parent.toml\"\n\n[metrics.sales]\nbaseline = { value = 7, source = \"s\" }\n",
    );
    kjproj()
        .args(["check"])
        .arg(&child)
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "child.toml:4:22: key `metrics.sales.baseline.value`: `metrics.sales.baseline.value` is 7 here but 5 in",
        ))
        .stdout(predicate::str::contains("parent.toml"));
}

#[test]
fn variant_names_are_names_not_paths() {
    let dir = TempDir::new().unwrap();
    for name in ["../escaped", "/tmp/x", "", ".", "base", "-x", "a/b", "a b"] {
        let file = write(
            dir.path(),
            "v.toml",
            &format!(
                "{PARENT}\n[variants.{}]\n\"metrics.market.target.value\" = 150\n",
                toml_key(name)
            ),
        );
        let out = dir.path().join("out").join("deep");
        kjproj()
            .args(["run"])
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is not a usable variant name"));
        assert!(!dir.path().join("out").exists(), "{name:?}");
        assert!(!dir.path().join("escaped").exists(), "{name:?}");
    }
}

fn toml_key(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn scoping_names_only_variants_and_checks_that_exist_with_a_reason() {
    let dir = TempDir::new().unwrap();
    let scoped = |skip: &str| {
        PARENT.replace(
            "check = \"share[2030] between 13% and 17%\"\n",
            &format!("check = \"share[2030] between 13% and 17%\"\nskip = {{ {skip} }}\n"),
        )
    };
    let cases = [
        (
            scoped("small_markt = \"typo\""),
            "key `checks[0].skip.small_markt`: there is no variant `small_markt` to skip",
        ),
        (
            scoped("small_market = \"\""),
            "key `checks[0].skip.small_market`: say why",
        ),
    ];
    for (text, expected) in cases {
        let file = write(
            dir.path(),
            "s.toml",
            &format!("{text}\n[variants.small_market]\n\"metrics.market.target.value\" = 150\n"),
        );
        kjproj()
            .args(["check"])
            .arg(&file)
            .assert()
            .code(2)
            .stdout(predicate::str::contains(expected));
    }
    let file = write(
        dir.path(),
        "s.toml",
        &format!(
            "{}\n[variants.small_market]\n\"metrics.market.target.value\" = 150\nskip_checks = {{ \"share near 16%\" = \"typo\" }}\n",
            PARENT
        ),
    );
    kjproj()
        .args(["check"])
        .arg(&file)
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "key `variants.small_market.skip_checks.\"share near 16%\"`: variant `small_market` has no check named `share near 16%`; its checks are:",
        ))
        .stdout(predicate::str::contains("`share near 15%`"));
}

#[test]
fn an_unknown_variant_on_the_command_line_lists_the_ones_there_are() {
    for args in [
        vec![
            "solve",
            "--vary",
            "metrics.sales.target.value",
            "--goal",
            "share[2031] = 15%",
        ],
        vec!["report"],
    ] {
        kjproj()
            .args(&args)
            .arg(repo("scenarios/fine_chem.toml"))
            .args(["--variant", "delayed"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "the scenario has no variant `delayed` (it has: base, delayed_start, smaller_market)",
            ));
    }
}

/// Runs `kjproj ARGS` with its standard output (or error) closed before it writes:
/// it must end quietly with the exit status it would have had.
fn with_closed(args: &[&str], close_stdout: bool) -> (Option<i32>, String) {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("kjproj"));
    cmd.args(args).current_dir(repo(""));
    if close_stdout {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    } else {
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    }
    let mut child = cmd.spawn().unwrap();
    drop(child.stdout.take());
    let stderr = if close_stdout {
        let mut s = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut s).unwrap();
        s
    } else {
        drop(child.stderr.take());
        String::new()
    };
    (child.wait().unwrap().code(), stderr)
}

#[test]
fn closed_pipes_end_quietly_with_the_usual_exit_status() {
    let out = TempDir::new().unwrap();
    let out = out.path().to_str().unwrap().to_owned();
    let cases: [(&[&str], i32); 5] = [
        (&["check", "scenarios/"], 0),
        (&["check", "--format", "json", "scenarios/"], 0),
        (&["check", "tests/check/failing.toml"], 1),
        (&["run", "scenarios/korea_israel.toml", "--out", &out], 0),
        (&["completions", "bash"], 0),
    ];
    for (args, code) in cases {
        let (status, stderr) = with_closed(args, true);
        assert_eq!(status, Some(code), "{args:?}: {stderr}");
        // Only status lines ("wrote …", on standard error): nothing about the closed pipe.
        assert!(
            stderr.lines().all(|l| l.starts_with("wrote ")),
            "{args:?} printed: {stderr}"
        );
    }
    // A closed standard error, with an error to report.
    let (status, _) = with_closed(&["run", "no/such/file.toml"], false);
    assert_eq!(status, Some(2));
}

#[test]
fn an_unusable_out_fails_before_the_work() {
    let dir = TempDir::new().unwrap();
    let file = write(dir.path(), "a_file", "not a folder");
    // 200 million draws would take minutes: the answer comes at once because --out is
    // checked first.
    kjproj()
        .args(["run"])
        .arg(repo("scenarios/fine_chem.toml"))
        .args(["--draws", "200000000", "--out"])
        .arg(file.join("out"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("is a file, not a folder"));
}

#[test]
fn a_relative_range_needs_a_positive_value() {
    let dir = TempDir::new().unwrap();
    let text = PARENT.replace(
        "[uncertainty.inputs]\n",
        "[uncertainty.inputs]\n\"metrics.market.baseline.value\" = { relative = true, low = 0.9, high = 1.1 }\n",
    )
    .replace("baseline = { value = 100, source = \"s\" }", "baseline = { value = 100, source = \"s\" }\nstated = []");
    let file = write(dir.path(), "r.toml", &text);
    // 100 is positive: accepted, and the range is 90–110 around it.
    kjproj()
        .args(["check", "--draws", "2000"])
        .arg(&file)
        .assert()
        .code(0);
    let s = kjproj::scenario::load(&file).unwrap();
    let u = s.uncertainty.unwrap();
    let q = u.inputs[0].distribution.sampler();
    assert!((q.at(0.05) - 90.0).abs() < 1e-9 && (q.at(0.95) - 110.0).abs() < 1e-9);
    // A growth rate of 0 is offset, not multiplied.
    let text = PARENT
        .replace("baseline_growth = \"market\"", "baseline_growth = 0.0")
        .replace(
            "[uncertainty.inputs]\n",
            "[uncertainty.inputs]\n\"metrics.sales.baseline_growth\" = { plus_minus = 0.02 }\n",
        );
    let file = write(dir.path(), "g.toml", &text);
    let s = kjproj::scenario::load(&file).unwrap();
    let q = s.uncertainty.unwrap().inputs[0].distribution.sampler();
    assert!((q.at(0.05) + 0.02).abs() < 1e-9 && (q.at(0.95) - 0.02).abs() < 1e-9);
}
