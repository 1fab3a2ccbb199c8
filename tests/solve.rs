//! `kjproj solve` against answers worked out by hand.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::repo;

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
        .stderr(predicate::str::contains("no value of metrics.sales.target.value from 10 to 100 reaches the goal: over that range the result goes from 2.857% to 28.571%"));
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
