//! `kjproj solve` against answers worked out by hand.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::{kjproj, repo};

use approx::assert_relative_eq;
use assert_cmd::Command;
use kjproj::check::expr::parse_goal;
use kjproj::scenario;
use kjproj::solve::{Problem, solve};
use predicates::prelude::*;

fn solve_for(vary: &str, goal: &str) -> f64 {
    let s = scenario::load(&repo("scenarios/fine_chem.toml")).unwrap();
    let (input, _) = s.input(vary).unwrap();
    let (quantity, goal) = parse_goal(goal).unwrap();
    let problem = Problem {
        scenario: &s,
        input,
        quantity,
        goal,
        range: None,
        probability: None,
    };
    solve(&problem).unwrap().value
}

#[test]
fn sales_for_a_15_percent_share_of_350() {
    // 15% of a 350 trillion KRW market is 52.5 trillion KRW.
    assert_relative_eq!(
        solve_for("metrics.sales.target.value", "share[2031] = 15%"),
        52.5,
        max_relative = 1e-10
    );
}

#[test]
fn market_for_a_15_percent_share_of_52() {
    // 52 / 0.15 = 346.666…
    assert_relative_eq!(
        solve_for("metrics.market.target", "share[2031] = 15%"),
        52.0 / 0.15,
        max_relative = 1e-10
    );
}

#[test]
fn sales_for_a_25_percent_cagr() {
    // 9.4 · 1.25^8 = 56.0283660888671875.
    assert_relative_eq!(
        solve_for("metrics.sales.target.value", "cagr(sales) = 25%"),
        56.028_366_088_867_19,
        max_relative = 1e-10
    );
}

#[test]
fn the_cli_explains_the_answer_and_its_growth() {
    Command::cargo_bin("kjproj")
        .unwrap()
        .args([
            "solve",
            repo("scenarios/fine_chem.toml").to_str().unwrap(),
            "--vary",
            "metrics.sales.target.value",
            "--goal",
            "share[2031] = 15%",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "metrics.sales.target.value = 52.5 makes share[2031] = 15%",
        ))
        .stdout(predicate::str::contains(
            "sales: 9.4 → 52.5 in 2023–2031, a CAGR of 23.99%",
        ));
}

#[test]
fn an_unreachable_goal_is_exit_code_1_with_the_range_of_results() {
    Command::cargo_bin("kjproj")
        .unwrap()
        .args(["solve", repo("scenarios/fine_chem.toml").to_str().unwrap(), "--vary", "metrics.sales.target.value", "--goal", "share[2031] = 150%", "--range", "10..100"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no value of metrics.sales.target.value from 10 to 100 reaches the goal; over that range the result goes from 2.857% to 28.571%"));
}

#[test]
fn under_uncertainty_a_higher_target_buys_an_80_percent_chance() {
    let s = scenario::load(&repo("scenarios/fine_chem.toml")).unwrap();
    let (input, _) = s.input("metrics.sales.target.value").unwrap();
    let (quantity, goal) = parse_goal("share[2031] = 15%").unwrap();
    let settings = kjproj::sensitivity::monte_carlo::Settings {
        draws: 20_000,
        seed: 1,
        method: kjproj::stats::sampling::Method::LatinHypercube,
    };
    let solution = solve(&Problem {
        scenario: &s,
        input,
        quantity,
        goal,
        range: Some((40.0, 80.0)),
        probability: Some((0.8, settings)),
    })
    .unwrap();
    // With sales fixed, only the market (normal, P5 315 and P95 385, sd 21.28) varies:
    // P(v / M ≥ 0.15) = P(M ≤ v / 0.15) = 0.8 gives v = 0.15 · (350 + 0.8416 · 21.28)
    // = 55.19.
    assert_relative_eq!(
        solution.value,
        0.15 * (350.0 + 0.841_621_233_6 * 21.278_5),
        max_relative = 0.003
    );
    assert!((solution.achieved - 0.8).abs() < 0.01, "{solution:?}");
}

/// `r = a / b` with `b` going from 1 (2020) to its target in 2030: r[2030] = 1 / target,
/// a pole at 0.
const POLE: &str = r#"
name = "pole"
unit = "u"
baseline_year = 2020
target_year = 2030
[sources]
s = "t"
[metrics.a]
shape = "linear"
baseline = { value = 1, source = "s" }
target = { value = 1, source = "s" }
[metrics.b]
shape = "linear"
baseline = { value = 1, source = "s" }
target = { value = 2, source = "s" }
[ratios.r]
numerator = "a"
denominator = "b"
"#;

fn pole_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("pole.toml");
    std::fs::write(&path, POLE).unwrap();
    (dir, path)
}

#[test]
fn a_pole_is_never_a_solution() {
    let (_dir, path) = pole_file();
    for range in ["-1..1", "-1.01..1", "-3..-0.5"] {
        kjproj()
            .args(["solve"])
            .arg(&path)
            .args([
                "--vary",
                "metrics.b.target.value",
                "--goal",
                "r[2030] = 15%",
                "--range",
                range,
            ])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "no value of metrics.b.target.value from",
            ));
    }
    kjproj()
        .args(["solve"])
        .arg(&path)
        .args([
            "--vary",
            "metrics.b.target.value",
            "--goal",
            "r[2030] = 15%",
            "--range",
            "-1.01..1",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("the result jumps across it at"));
}

#[test]
fn a_very_wide_range_still_finds_the_root_and_it_is_checked() {
    let (_dir, path) = pole_file();
    // 1 / 0.15 = 6.6667, found in a range spanning 300 orders of magnitude.
    kjproj()
        .args(["solve"])
        .arg(&path)
        .args([
            "--vary",
            "metrics.b.target.value",
            "--goal",
            "r[2030] = 15%",
            "--range",
            "1..1e300",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "metrics.b.target.value = 6.66667 makes r[2030] = 0.15",
        ))
        .stdout(predicate::str::contains("searched 1 to 1.00000e300"));
    // Both sides of the pole reach −15% and 15%: the root nearest the file's value (2).
    kjproj()
        .args(["solve"])
        .arg(&path)
        .args([
            "--vary",
            "metrics.b.target.value",
            "--goal",
            "r[2030] = 15%",
            "--range",
            "-10..10",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("= 6.66667 makes"));
}

#[test]
fn a_goal_no_value_can_move_says_so_and_fails() {
    kjproj()
        .args(["solve"])
        .arg(repo("scenarios/fine_chem.toml"))
        .args(["--vary", "metrics.sales.start_year", "--goal", "share[2031] = 15%"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no value of metrics.sales.start_year from 2024 to 2030 moves share[2031]: it stays at 14.857% (goal 15%)",
        ));
}

#[test]
fn a_share_goal_without_percent_gets_a_hint() {
    kjproj()
        .args(["solve"])
        .arg(repo("scenarios/fine_chem.toml"))
        .args([
            "--vary",
            "metrics.sales.target.value",
            "--goal",
            "share[2031] = 15",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("(goal 1500%)"))
        .stderr(predicate::str::contains(
            "did you mean `share[2031] = 15%`?",
        ));
}

#[test]
fn a_huge_start_year_range_is_clipped_to_the_years_there_are() {
    kjproj()
        .args(["solve"])
        .arg(repo("scenarios/fine_chem.toml"))
        .args([
            "--vary",
            "metrics.sales.start_year",
            "--goal",
            "share[2029] = 10%",
            "--range",
            "-1e15..1e15",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "metrics.sales.start_year = 2026 comes closest",
        ))
        .stdout(predicate::str::contains(
            "searched 2024 to 2030, 7 evaluations",
        ));
}

#[test]
fn every_answer_reaches_its_goal_when_projected() {
    // Property: over many goals, a reported solution, put back into the scenario,
    // projects to the goal (within the relative tolerance).
    let s = scenario::load(&repo("scenarios/fine_chem.toml")).unwrap();
    let (input, _) = s.input("metrics.market.target.value").unwrap();
    for goal in [0.05, 0.1, 0.1485, 0.2, 0.3, 0.5] {
        let problem = Problem {
            scenario: &s,
            input,
            quantity: parse_goal(&format!("share[2031] = {}%", goal * 100.0))
                .unwrap()
                .0,
            goal,
            range: None,
            probability: None,
        };
        let solution = solve(&problem).unwrap();
        let mut fixed = s.clone();
        fixed.metrics[0].target.value = solution.value;
        let p = kjproj::model::project(&fixed).unwrap();
        let achieved = p.ratios[0][8];
        assert!((achieved / goal - 1.0).abs() < 1e-8, "{goal}: {achieved}");
        assert!((solution.value - 52.0 / goal).abs() < 1e-6 * solution.value);
    }
}

#[test]
fn solve_prints_json_on_request() {
    let out = Command::cargo_bin("kjproj")
        .unwrap()
        .args([
            "solve",
            repo("scenarios/fine_chem.toml").to_str().unwrap(),
            "--vary",
            "metrics.sales.target.value",
            "--goal",
            "share[2031] = 15%",
            "--json",
        ])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    // 15% of a 350 trillion KRW market (exactly: 0.15 × 350).
    assert!((doc["value"].as_f64().unwrap() - 52.5).abs() < 1e-9);
    assert_eq!(doc["vary"], "metrics.sales.target.value");
    assert!(doc["evaluations"].is_u64());
    assert_eq!(doc["set_aside"], serde_json::json!([]));
}

/// Three correlated segments of a total, each normal (mean 100, sd 10); `p1` is solved
/// for, `p2` and `p3` keep their rank correlation.
const THREE: &str = r#"
name = "three"
unit = "u"
baseline_year = 2020
target_year = 2030
[sources]
s = "t"
[metrics.total]
segments = ["p1", "p2", "p3"]
baseline = { value = 30, source = "s" }
target = { value = 300, source = "s" }
[metrics.p1]
shape = "linear"
baseline = { value = 10, source = "s" }
target = { value = 100, source = "s" }
[metrics.p2]
shape = "linear"
baseline = { value = 10, source = "s" }
target = { value = 100, source = "s" }
[metrics.p3]
shape = "linear"
baseline = { value = 10, source = "s" }
target = { value = 100, source = "s" }
[uncertainty]
seed = 3
[uncertainty.inputs]
"metrics.p1.target.value" = { dist = "normal", mean = 100, sd = 10 }
"metrics.p2.target.value" = { dist = "normal", mean = 100, sd = 10 }
"metrics.p3.target.value" = { dist = "normal", mean = 100, sd = 10 }
[uncertainty.correlation]
inputs = ["metrics.p1.target.value", "metrics.p2.target.value", "metrics.p3.target.value"]
matrix = [[1.0, 0.5, 0.5], [0.5, 1.0, 0.8], [0.5, 0.8, 1.0]]
[variants.apart]
"uncertainty.correlation.matrix" = [[1.0, 0.5, 0.5], [0.5, 1.0, 0.0], [0.5, 0.0, 1.0]]
"#;

/// Solving for one input of a correlation keeps the correlation of the others among
/// themselves (it was once dropped with the solved input's). With `p1 = v` fixed,
/// total[2030] = v + P2 + P3, where P2 and P3 are normal with the Pearson correlation
/// 2·sin(π·ρ/6) that Iman–Conover's normal scores are given for a rank correlation ρ
/// (Pearson 1907; see `stats::correlation`): P(total ≥ 300) = 0.8 needs
/// v = 100 + z₀.₈ · 10 · √(2 + 2·ρₚ). ρ = 0.8: ρₚ = 0.813473, v = 116.028; in the variant
/// with ρ = 0: v = 100 + 0.841621 · 10 · √2 = 111.902 (what the base gave when the
/// correlation was dropped).
#[test]
fn solving_for_one_correlated_input_keeps_the_others_correlated() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("three.toml");
    std::fs::write(&file, THREE).unwrap();
    let z80 = 0.841_621_233_572_914_3;
    let rho_p = 2.0 * (std::f64::consts::PI * 0.8 / 6.0).sin();
    for (variant, expected) in [
        ("base", 100.0 + z80 * 10.0 * (2.0 + 2.0 * rho_p).sqrt()),
        ("apart", 100.0 + z80 * 10.0 * 2.0_f64.sqrt()),
    ] {
        let out = kjproj()
            .arg("solve")
            .arg(&file)
            .args(["--vary", "metrics.p1.target.value"])
            .args(["--goal", "total[2030] = 300", "--probability", "0.8"])
            .args(["--draws", "40000", "--variant", variant, "--json"])
            .assert()
            .success();
        let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        let v = doc["value"].as_f64().unwrap();
        assert!(
            (v - expected).abs() < 0.4,
            "{variant}: {v}, expected {expected}"
        );
        assert_eq!(
            doc["set_aside"],
            serde_json::json!(["range", "correlations"])
        );
    }
    // The answer says the solved input's own range and correlations were set aside.
    kjproj()
        .arg("solve")
        .arg(&file)
        .args(["--vary", "metrics.p1.target.value"])
        .args(["--goal", "total[2030] = 300", "--probability", "0.8"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "(metrics.p1.target.value is held at each value tried: its range in \
             [uncertainty] and its correlations with other inputs set aside)",
        ));
}

/// With the input held fixed, a quantity that no other uncertain input moves is the same
/// in every draw: its probability steps from 0 to 1, so no value gives 50% (it once
/// gave "p1 = 300 gives 50%", a ramp read across the sketch's bucket).
#[test]
fn a_probability_that_only_steps_has_no_solution_and_says_why() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("three.toml");
    std::fs::write(&file, THREE).unwrap();
    kjproj()
        .arg("solve")
        .arg(&file)
        .args(["--vary", "metrics.p1.target.value"])
        .args(["--goal", "p1[2030] = 300", "--probability", "0.5"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "jumps across it at 300 (many draws take the same value there",
        ))
        .stderr(predicate::str::contains("from 0% to 100%"));
}

/// Solving for the only uncertain input with a probability leaves nothing uncertain: an
/// error that says so (exit 2) rather than a search for a probability that only steps.
#[test]
fn a_probability_with_nothing_left_uncertain_is_refused() {
    kjproj()
        .arg("solve")
        .arg(repo("scenarios/korea_rnd.toml"))
        .args(["--vary", "metrics.gerd.fit", "--goal", "gerd[2031] = 200"])
        .args(["--probability", "0.5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "metrics.gerd.fit is the only uncertain input, and it is held at each value tried",
        ));
}
