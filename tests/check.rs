//! `kjproj check` on passing, failing and invalid scenarios, in every output format.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::{kjproj, repo};

use predicates::prelude::*;
use tempfile::TempDir;

#[test]
fn shipped_scenarios_pass() {
    kjproj()
        .current_dir(repo(""))
        .args(["check", "--draws", "50000"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("scenarios/fine_chem.toml"))
        .stdout(predicate::str::contains("scenarios/korea_israel.toml"))
        .stdout(predicate::str::contains(
            "PASS  [base] stated share 2023 agrees with the derived value [motie-2023]: derived 5.875% \
             (sales / market = 9.4 / 160), stated 5.7%, difference +0.175 pp (bound: 5.7% ± 0.25 pp)",
        ))
        .stdout(predicate::str::is_match(r"PASS  \[base\] reaching 15% by 2031 is not a long shot: P\(share\[2031\] ≥ 15%\) = 3\d\.\d+% \(bound: ≥ 25%\)").unwrap())
        // Every variant is checked, and a check it breaks by design says so, with its value.
        .stdout(predicate::str::contains(
            "PASS  [delayed_start] reaching 15% by 2031 is not a long shot",
        ))
        .stdout(predicate::str::contains(
            "SKIP  [delayed_start] sales never grow faster than 35% a year: max(yoy(sales)) = 39.067% (bound: ≤ 35%; would fail)",
        ))
        .stdout(predicate::str::contains(
            "SKIP  [smaller_market] 2031 share is about the stated 15%: share[2031] = 18.571% (bound: between 14% and 16%; would fail)\n        skipped in smaller_market: the 15% goal is a claim",
        ))
        .stdout(predicate::str::contains("PASS  [smaller_market] market growth stays believable: cagr(market) = 7.246%"))
        .stdout(predicate::str::is_match(r"\n\d+ passed, 0 failed, 3 skipped\n$").unwrap())
        .stdout(predicate::str::contains("FAIL").not())
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn a_broken_copy_fails_naming_the_check_the_value_and_the_bound() {
    kjproj()
        .args(["check", repo("tests/check/failing.toml").to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL  2031 share reaches 16%: share[2031] = 14.857% (bound: ≥ 16%)",
        ))
        .stdout(predicate::str::contains("why: a goal nobody stated"))
        .stdout(predicate::str::contains(
            "FAIL  market growth is modest: cagr(market) = 10.279% (bound: < 8%)",
        ))
        .stdout(predicate::str::contains(
            "FAIL  stated share 2023 agrees with the derived value [motie-2023]: derived 5.875%",
        ))
        .stdout(predicate::str::contains(
            "FAIL  every stated figure cites a source: no source: market target",
        ))
        .stdout(predicate::str::ends_with("1 passed, 4 failed\n"));
}

#[test]
fn an_invalid_file_is_exit_code_2_and_the_others_are_still_checked() {
    kjproj()
        .args([
            "check",
            repo("tests/check/failing.toml").to_str().unwrap(),
            repo("tests/bad/unknown_key.toml").to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("INVALID"))
        .stdout(predicate::str::contains(
            "unknown_key.toml:15:1: key `metrics.sales.shap`",
        ))
        .stdout(predicate::str::contains(
            "1 invalid scenario file\n1 passed, 4 failed\n",
        ));
}

#[test]
fn junit_is_valid_xml_with_the_right_counts() {
    let out = TempDir::new().unwrap();
    let junit = out.path().join("reports/junit.xml");
    std::fs::create_dir_all(junit.parent().unwrap()).unwrap();
    kjproj()
        .args([
            "check",
            repo("tests/check/failing.toml").to_str().unwrap(),
            repo("tests/bad/cap_below_value.toml").to_str().unwrap(),
            repo("scenarios/korea_israel.toml").to_str().unwrap(),
            "--junit",
        ])
        .arg(&junit)
        .assert()
        .code(2);
    let text = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("failures"), Some("4"));
    assert_eq!(root.attribute("errors"), Some("1"));
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 3);
    // Every suite's counts match its test cases, as JUnit consumers expect.
    for suite in &suites {
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let failures = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .count();
        let errors = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("error")))
            .count();
        assert_eq!(
            suite.attribute("tests"),
            Some(cases.len().to_string().as_str())
        );
        assert_eq!(
            suite.attribute("failures"),
            Some(failures.to_string().as_str())
        );
        assert_eq!(suite.attribute("errors"), Some(errors.to_string().as_str()));
    }
    let failure = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("testcase") && n.attribute("name") == Some("2031 share reaches 16%")
        })
        .and_then(|n| n.children().find(|c| c.has_tag_name("failure")))
        .expect("the failing check");
    assert_eq!(
        failure.attribute("message"),
        Some("share[2031] = 14.857% (bound: ≥ 16%)")
    );
}

#[test]
fn json_lists_every_check() {
    let assert = kjproj()
        .args([
            "check",
            "--format",
            "json",
            repo("tests/check/failing.toml").to_str().unwrap(),
        ])
        .assert()
        .code(1);
    let doc: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(doc["passed"], 1);
    assert_eq!(doc["failed"], 4);
    assert_eq!(doc["invalid"], 0);
    assert_eq!(doc["skipped"], 0);
    let variants = doc["files"][0]["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 1);
    assert_eq!(variants[0]["variant"], "base");
    let checks = variants[0]["checks"].as_array().unwrap();
    let c = checks
        .iter()
        .find(|c| c["name"] == "market growth is modest")
        .unwrap();
    assert_eq!(c["passed"], false);
    assert_eq!(c["builtin"], false);
    assert_eq!(c["check"], "cagr(market) < 8%");
    assert_eq!(c["bound"], "< 8%");
}

#[test]
fn a_check_with_a_typo_is_an_invalid_file_pointing_at_it() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("typo.toml");
    let text = std::fs::read_to_string(repo("tests/check/failing.toml"))
        .unwrap()
        .replace("share[2031] >= 16%", "shaer[2031] >= 16%")
        .replace("cagr(market) < 8%", "cagr(market) betwen 1 and 2");
    std::fs::write(&file, text).unwrap();
    kjproj()
        .args(["check"])
        .arg(&file)
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "key `checks[0].check`: unknown metric or ratio `shaer`",
        ))
        .stdout(predicate::str::contains(
            "key `checks[1].check`: expected a bound",
        ));
}

#[test]
fn a_directory_without_scenarios_is_an_error() {
    let dir = TempDir::new().unwrap();
    kjproj()
        .args(["check"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no .toml scenario files"));
}

#[test]
fn junit_has_a_suite_per_variant_with_skipped_cases_and_their_reasons() {
    let out = TempDir::new().unwrap();
    let junit = out.path().join("junit.xml");
    kjproj()
        .args([
            "check",
            repo("scenarios/fine_chem.toml").to_str().unwrap(),
            "--draws",
            "20000",
            "--junit",
        ])
        .arg(&junit)
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.attribute("failures"), Some("0"));
    assert_eq!(root.attribute("skipped"), Some("3"));
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let names: Vec<String> = suites
        .iter()
        .map(|s| {
            let name = s.attribute("name").unwrap();
            name.rsplit('/').next().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "fine_chem.toml",
            "fine_chem.toml [delayed_start]",
            "fine_chem.toml [smaller_market]"
        ]
    );
    let smaller = suites[2];
    assert_eq!(smaller.attribute("skipped"), Some("2"));
    let skipped: Vec<_> = smaller
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .map(|n| n.attribute("message").unwrap().to_owned())
        .collect();
    assert_eq!(skipped.len(), 2);
    assert!(skipped[0].starts_with("the source's 15% assumes a 350 trillion KRW market"));
    assert!(skipped[0].contains("derived 18.571%"), "{}", skipped[0]);
    let total: usize = suites
        .iter()
        .map(|s| s.attribute("tests").unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(root.attribute("tests"), Some(total.to_string().as_str()));
}

/// A quantity that no uncertain input moves sits on one value in every draw: `P(X ≥ x)`
/// at that value is 100%, `P(X > x)` 0%, `P(X ≤ x)` 100%, `P(X < x)` 0%, exactly (they
/// were read across the sketch's bucket as a ramp, and ≥ was taken as 1 − P(X ≤ x): the
/// base once gave P(q[2025] ≤ 15) = 0% and P(q[2025] > 15) = 100%). In the variant q is
/// 20 in 2025; the sum of its path (10 + 11 + … + 20 = 165 in the base, 10 + 12 + … + 30
/// = 220 in the variant) is an extra quantity, read from a sketch of its own.
#[test]
fn probabilities_at_a_value_every_draw_takes_are_exact() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("atom.toml");
    let mut text = String::from(
        r#"name = "atom"
unit = "u"
baseline_year = 2020
target_year = 2030
[sources]
s = "t"
[metrics.m]
shape = "linear"
baseline = { value = 10, source = "s" }
target = { value = 100, source = "s" }
[metrics.q]
shape = "linear"
baseline = { value = 10, source = "s" }
target = { value = 20, source = "s" }
[uncertainty]
draws = 20000
[uncertainty.inputs]
"metrics.m.target.value" = { dist = "normal", mean = 100, sd = 10 }
[variants.doubled]
"metrics.q.target.value" = 30
"#,
    );
    // True in the base and the variant: at the base's value (15, 165) and the variant's
    // (20, 220), and a hair beside them.
    let both = [
        "P(q[2025] >= 15) >= 100%",
        "P(q[2025] < 15) <= 0%",
        "P(q[2025] <= 20) >= 100%",
        "P(q[2025] > 20) <= 0%",
        "P(q[2025] >= 14.99999) >= 100%",
        "P(q[2025] <= 20.00001) >= 100%",
        "P(q[2025] < 20.00001) >= 100%",
        "P(q[2025] > 14.99999) >= 100%",
        "P(sum(q, 2020, 2030) >= 165) >= 100%",
        "P(sum(q, 2020, 2030) < 165) <= 0%",
        "P(sum(q, 2020, 2030) <= 220) >= 100%",
        "P(sum(q, 2020, 2030) > 220) <= 0%",
        "P(cagr(q) >= 7%) >= 100%",
    ];
    // True in the base only (q is 20 in the variant).
    let base = [
        "P(q[2025] <= 15) >= 100%",
        "P(q[2025] > 15) <= 0%",
        "P(sum(q, 2020, 2030) <= 165) >= 100%",
        "P(sum(q, 2020, 2030) > 165) <= 0%",
    ];
    for c in both {
        text.push_str(&format!("[[checks]]\nname = \"{c}\"\ncheck = \"{c}\"\n"));
    }
    for c in base {
        text.push_str(&format!(
            "[[checks]]\nname = \"{c}\"\ncheck = \"{c}\"\n\
             skip = {{ doubled = \"q is 20 in 2025 in this variant\" }}\n"
        ));
    }
    std::fs::write(&file, text).unwrap();
    let out = kjproj()
        .args(["check", "--format", "json"])
        .arg(&file)
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["failed"], 0, "{doc:#}");
    let passed = |variant: usize| {
        doc["files"][0]["variants"][variant]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["passed"] == true && c["skipped"].is_null() && c["builtin"] == false)
            .count()
    };
    assert_eq!((passed(0), passed(1)), (17, 13), "{doc:#}");
    // Thresholds read as written: growth in percent, and not rounded to 15 or 20.
    let actual = |name: &str| {
        doc["files"][0]["variants"][0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()["actual"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        actual("P(q[2025] >= 14.99999) >= 100%"),
        "P(q[2025] ≥ 14.99999) = 100%"
    );
    assert_eq!(actual("P(cagr(q) >= 7%) >= 100%"), "P(cagr(q) ≥ 7%) = 100%");
}

/// A check on the chance of reaching a stated figure reads the count the simulation keeps
/// of it, draw by draw: the same number as the summary and probabilities.csv (it was read
/// from the quantile sketch, 30.726% in a check beside 30.7246% in the file). Below it,
/// one minus that count; at other thresholds, the sketch, within one bucket of the count.
#[test]
fn a_check_on_a_stated_figure_reads_the_counted_probability() {
    use kjproj::check::{evaluate, expr::parse_quantity};
    use kjproj::sensitivity::monte_carlo;
    let s = kjproj::scenario::load(&repo("scenarios/fine_chem.toml")).unwrap();
    let p = kjproj::model::project(&s).unwrap();
    let settings = monte_carlo::Settings {
        draws: 20_000,
        seed: 7,
        method: kjproj::stats::sampling::Method::LatinHypercube,
    };
    let mc = monte_carlo::run(&s, settings, None);
    let stated = mc
        .probabilities
        .iter()
        .find(|x| x.stated == 0.15 && s.baseline_year + x.year as i32 == 2031)
        .unwrap()
        .probability;
    let at = |text: &str| evaluate(&s, &p, Some(&mc), &parse_quantity(text).unwrap());
    assert_eq!(at("P(share[2031] >= 15%)"), stated);
    assert_eq!(at("P(share[2031] < 15%)"), 1.0 - stated);
    // Not a stated figure: from the sketch, close to the stated one's count.
    let near = at("P(share[2031] >= 14.99999%)");
    assert!(
        (near - stated).abs() < 0.001 && near != stated,
        "{near} vs {stated}"
    );
}
