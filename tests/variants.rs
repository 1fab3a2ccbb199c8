//! Variants, files that extend others, and `kjproj compare`.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::{kjproj, repo};

use std::path::{Path, PathBuf};

use kjproj::scenario;
use predicates::prelude::*;
use tempfile::TempDir;

#[test]
fn fine_chem_has_a_delayed_start_and_a_smaller_market() {
    let s = scenario::load(&repo("scenarios/fine_chem.toml")).unwrap();
    let names: Vec<&str> = s.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["delayed_start", "smaller_market"]);
    let delayed = &s.variants[0].scenario;
    let sales = delayed.metrics.iter().find(|m| m.name == "sales").unwrap();
    assert_eq!(sales.start.as_ref().unwrap().year, 2027);
    let smaller = &s.variants[1].scenario;
    let market = smaller.metrics.iter().find(|m| m.name == "market").unwrap();
    assert_eq!(market.target.value, 280.0);
    // The base is untouched.
    let market = s.metrics.iter().find(|m| m.name == "market").unwrap();
    assert_eq!(market.target.value, 350.0);
}

#[test]
fn run_writes_every_variant_and_a_comparison() {
    let out = TempDir::new().unwrap();
    kjproj()
        .args([
            "run",
            repo("scenarios/fine_chem.toml").to_str().unwrap(),
            "--draws",
            "5000",
            "--sobol",
            "0",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "── variant delayed_start (Programme delayed to 2027) ──",
        ))
        .stdout(predicate::str::contains(
            "  metrics.sales.start_year = 2027",
        ))
        .stdout(
            predicate::str::is_match(
                r"Smaller market \(280 trillion KRW in 2031\)\s+2031\s+280 \(7\.2%/y\)",
            )
            .unwrap(),
        );
    for f in [
        "compare.csv",
        "compare.png",
        "delayed_start/paths.csv",
        "smaller_market/fan.png",
    ] {
        assert!(out.path().join(f).is_file(), "{f} missing");
    }
    let csv = std::fs::read_to_string(out.path().join("compare.csv")).unwrap();
    assert!(csv.starts_with("variant,year,market,sales,share\n"));
    // 52 / 280 = 0.185714…
    assert!(
        csv.contains("Smaller market (280 trillion KRW in 2031),2031,280,52,0.185714285714\n"),
        "{csv}"
    );
    // Delayed: sales follow the market (5.875% share) until 2027: 9.4·√(350/160) and
    // 160·√(350/160) in 2027, halfway through the 8-year CAGR path.
    assert!(
        csv.contains("Programme delayed to 2027,2027,236.643191324,13.9027874903,0.05875\n"),
        "{csv}"
    );
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path
}

const BASE: &str = r#"name = "base"
unit = "u"
baseline_year = 2020
target_year = 2025
[sources]
s = "a source"
[metrics.x]
shape = "logistic"
cap = 100
baseline = { value = 10, source = "s" }
target = { value = 50, source = "s" }
"#;

#[test]
fn a_variant_override_of_a_missing_key_points_at_the_override() {
    let dir = TempDir::new().unwrap();
    let file = write(
        dir.path(),
        "v.toml",
        &format!("{BASE}[variants.v]\n\"metrics.y.target.value\" = 3\n"),
    );
    let e = scenario::load(&file).unwrap_err().to_string();
    assert!(
        e.contains("v.toml:13:28: key `variants.v.\"metrics.y.target.value\"`"),
        "{e}"
    );
    assert!(
        e.contains("the scenario has no `metrics.y.target.value` to override"),
        "{e}"
    );
}

#[test]
fn an_invalid_variant_value_is_reported_in_the_variant() {
    let dir = TempDir::new().unwrap();
    let file = write(
        dir.path(),
        "v.toml",
        &format!("{BASE}[variants.low_cap]\n\"metrics.x.cap\" = 40\n"),
    );
    let e = scenario::load(&file).unwrap_err().to_string();
    assert!(e.contains("v.toml:13:19: key `metrics.x.cap`: in variant `low_cap`: the cap (40) must be above every value"), "{e}");
}

#[test]
fn a_file_extends_another_and_errors_name_the_right_file() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "base.toml", BASE);
    let child = write(
        dir.path(),
        "child.toml",
        "extends = \"base.toml\"\nname = \"child\"\n[metrics.x]\ntarget = { value = 60, source = \"s\" }\n",
    );
    let s = scenario::load(&child).unwrap();
    assert_eq!(s.name, "child");
    assert_eq!(s.metrics[0].target.value, 60.0);
    assert_eq!(s.metrics[0].baseline.value, 10.0);

    // A key the child sets is placed in the child…
    let bad_child = write(
        dir.path(),
        "bad_child.toml",
        "extends = \"base.toml\"\n[metrics.x]\ncap = 40\n",
    );
    let e = scenario::load(&bad_child).unwrap_err().to_string();
    assert!(
        e.contains("bad_child.toml:3:7: key `metrics.x.cap`: the cap (40)"),
        "{e}"
    );
    // …and a typo in the base in the base.
    write(dir.path(), "typo.toml", &BASE.replace("shape =", "shap ="));
    let child2 = write(
        dir.path(),
        "child2.toml",
        "extends = \"typo.toml\"\nname = \"c\"\n",
    );
    let e = scenario::load(&child2).unwrap_err().to_string();
    assert!(
        e.contains("typo.toml:8:1: key `metrics.x.shap`: unknown field `shap`"),
        "{e}"
    );

    let circle = write(dir.path(), "a.toml", "extends = \"a.toml\"\n");
    let e = scenario::load(&circle).unwrap_err().to_string();
    assert!(e.contains("goes round in a circle"), "{e}");
}

#[test]
fn compare_two_files() {
    let out = TempDir::new().unwrap();
    kjproj()
        .args([
            "compare",
            repo("scenarios/fine_chem.toml").to_str().unwrap(),
            repo("scenarios/korea_israel.toml").to_str().unwrap(),
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("fine_chem"))
        .stdout(predicate::str::contains("korea_israel"));
    let csv = std::fs::read_to_string(out.path().join("compare.csv")).unwrap();
    assert!(csv.starts_with("variant,year,market,sales,share,applications\n"));
    assert!(csv.contains("\nkorea_israel,2020,,,,7\n"));
    assert!(out.path().join("compare.png").is_file());
    kjproj()
        .args([
            "compare",
            repo("scenarios/fine_chem.toml").to_str().unwrap(),
        ])
        .assert()
        .code(2);
}
