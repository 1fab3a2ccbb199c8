//! Observed values (issue 12, part 1) and S-curve caps on the chart. Observed values come
//! inline or from a CSV file beside the scenario, and are shown and written beside the
//! projection, never its inputs; the file is untrusted input.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use std::path::Path;

use common::{csv_rows, kjproj, repo};
use predicates::prelude::*;
use tempfile::TempDir;

/// `korea_israel.toml` with `observed = …` added to its metric.
fn with_observed(observed: &str) -> String {
    let text = std::fs::read_to_string(repo("scenarios/korea_israel.toml")).unwrap();
    text.replacen(
        "\ncap = 80",
        &format!("\nobserved = {observed}\ncap = 80"),
        1,
    )
}

const INLINE: &str = r#"[
  { year = 2017, value = 4, source = "nationpress-2025" },
  { year = 2016, value = 3, source = "nationpress-2025" },
  { year = 2019, value = 6.5, source = "nationpress-2025" },
  { year = 2020, value = 7, source = "nationpress-2025" },
  { year = 2022, value = 18, source = "nationpress-2025" },
]"#;

const CSV: &str =
    "year,applications,note\n2016,3,\n2017,4,\n2018,,no figure\n2019,6.5,\n2020,7,\n2022,18,\n";

/// The text of every `<text>` element of an SVG file.
fn svg_texts(path: &Path) -> Vec<String> {
    let svg = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    // Text is drawn as glyph outlines in groups named by the text they show.
    doc.descendants()
        .filter_map(|n| n.attribute("aria-label"))
        .map(|t| t.trim().to_owned())
        .collect()
}

fn run(dir: &Path, file: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    kjproj()
        .current_dir(dir)
        .args(["run", file, "-q", "--out", "out"])
        .args(extra)
        .assert()
}

#[test]
fn observed_values_are_written_and_drawn_beside_the_projection() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("inline.toml"), with_observed(INLINE)).unwrap();
    run(dir.path(), "inline.toml", &["--svg"]).success();
    let out = dir.path().join("out");
    let rows = csv_rows(&out.join("paths.csv"));
    // 2016 (the earliest observed year) to 2030, one row each.
    assert_eq!(rows.len(), 15);
    assert_eq!(rows[0]["year"], "2016");
    assert_eq!(
        rows[0]["applications"], "",
        "no projection before the baseline"
    );
    assert_eq!(rows[0]["applications_observed"], "3");
    assert_eq!(rows[2]["applications_observed"], "", "2018 has no figure");
    assert_eq!(rows[3]["applications_observed"], "6.5");
    // From the baseline on, the projection is what it was without observed values: they
    // are data, not inputs.
    assert_eq!(rows[4]["year"], "2020");
    assert_eq!(rows[4]["applications"], "7");
    assert_eq!(rows[6]["applications_observed"], "18");
    let plain = TempDir::new().unwrap();
    kjproj()
        .current_dir(repo(""))
        .args(["run", "scenarios/korea_israel.toml", "-q", "--out"])
        .arg(plain.path().join("out"))
        .assert()
        .success();
    let before = csv_rows(&plain.path().join("out/paths.csv"));
    for (with, without) in rows[4..].iter().zip(&before) {
        assert_eq!(with["applications"], without["applications"]);
    }
    // The chart spans 2016–2030 and says which marks are observed.
    let texts = svg_texts(&out.join("paths.svg"));
    assert!(texts.iter().any(|t| t == "2016") && texts.iter().any(|t| t == "observed"));
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("observed 2016–2022: 5 values (in paths.csv) [nationpress-2025]"));
    // In Korean too.
    run(dir.path(), "inline.toml", &["--svg", "--lang", "ko"]).success();
    assert!(
        svg_texts(&out.join("paths.svg"))
            .iter()
            .any(|t| t == "실적")
    );
}

#[test]
fn a_csv_file_beside_the_scenario_gives_the_same_outputs_as_inline_values() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/apps.csv"), CSV).unwrap();
    std::fs::write(dir.path().join("inline.toml"), with_observed(INLINE)).unwrap();
    std::fs::write(
        dir.path().join("file.toml"),
        with_observed(
            r#"{ file = "data/apps.csv", column = "applications", source = "nationpress-2025" }"#,
        ),
    )
    .unwrap();
    run(dir.path(), "inline.toml", &[]).success();
    let inline = std::fs::read(dir.path().join("out/paths.csv")).unwrap();
    run(dir.path(), "file.toml", &[]).success();
    assert_eq!(
        std::fs::read(dir.path().join("out/paths.csv")).unwrap(),
        inline
    );

    // A file that extends another finds the other's data beside that file; a variant can
    // replace the series.
    std::fs::create_dir_all(dir.path().join("common/data")).unwrap();
    std::fs::write(dir.path().join("common/data/apps.csv"), CSV).unwrap();
    std::fs::copy(
        dir.path().join("file.toml"),
        dir.path().join("common/base.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("child.toml"),
        "extends = \"common/base.toml\"\n[variants.less]\n\"metrics.applications.observed\" = [{ year = 2015, value = 1, source = \"nationpress-2025\" }]\n",
    )
    .unwrap();
    // (Not the file beside the child: that one is gone.)
    std::fs::remove_file(dir.path().join("data/apps.csv")).unwrap();
    kjproj()
        .current_dir(dir.path())
        .args(["run", "child.toml", "-q", "--out", "child"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(dir.path().join("child/paths.csv")).unwrap(),
        inline
    );
    let less = csv_rows(&dir.path().join("child/less/paths.csv"));
    assert_eq!(less[0]["year"], "2015");
    assert_eq!(less[0]["applications_observed"], "1");
    assert!(
        less.iter()
            .skip(1)
            .all(|r| r["applications_observed"].is_empty())
    );
}

#[test]
fn bad_observed_data_gives_the_file_line_column_and_key() {
    let dir = TempDir::new().unwrap();
    let cases: &[(&str, &str, &str)] = &[
        (
            "year,applications\n2016,3\n2017,\"1,302\"\n",
            "applications",
            "data.csv:3:6: key `applications`: `1,302` is not a number (write 1234.5, without thousands separators)",
        ),
        (
            "year,applications\n2016,3\n2016,4\n",
            "applications",
            "data.csv:3:1: key `year`: 2016 is given twice (also on line 2)",
        ),
        (
            "year,apps\n2016,3\n",
            "applications",
            "data.csv:1:1: the CSV has no column `applications` (its columns: year, apps)",
        ),
        (
            "year,applications\nabout 2016,3\n",
            "applications",
            "data.csv:2:1: key `year`: `about 2016` is not a year",
        ),
        (
            "year,applications\n1016,3\n",
            "applications",
            "key `metrics.applications.observed[0].year`: observed year 1016 must be between 1020 and the target year 2030",
        ),
    ];
    for (csv, column, expected) in cases {
        std::fs::write(dir.path().join("data.csv"), csv).unwrap();
        std::fs::write(
            dir.path().join("s.toml"),
            with_observed(&format!(
                r#"{{ file = "data.csv", column = "{column}", source = "nationpress-2025" }}"#
            )),
        )
        .unwrap();
        run(dir.path(), "s.toml", &[])
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(*expected));
        assert!(!dir.path().join("out").exists());
    }
    // Inline: the same rules, at the key.
    std::fs::write(
        dir.path().join("s.toml"),
        with_observed("[{ year = 2017, value = 4 }, { year = 2017, value = 5 }]"),
    )
    .unwrap();
    run(dir.path(), "s.toml", &[]).code(2).stderr(predicate::str::contains(
        "key `metrics.applications.observed[1].year`: observed year 2017 is given twice (also observed[0])",
    ));
}

#[test]
fn observed_files_stay_inside_the_scenarios_folder_and_are_never_quoted() {
    let outer = TempDir::new().unwrap();
    let dir = outer.path().join("project");
    std::fs::create_dir(&dir).unwrap();
    // A secret beside the project, shaped like a CSV.
    std::fs::write(
        outer.path().join("secret.csv"),
        "year,value\n2016,SECRET-TOKEN\n",
    )
    .unwrap();
    let refer = |file: &str| {
        std::fs::write(
            dir.join("s.toml"),
            with_observed(&format!(
                r#"{{ file = "{file}", source = "nationpress-2025" }}"#
            )),
        )
        .unwrap();
    };
    refer("../secret.csv");
    run(&dir, "s.toml", &[])
        .code(2)
        .stderr(predicate::str::contains(
            "it is outside the scenario's folder",
        ))
        .stderr(predicate::str::contains("--allow-files"))
        .stderr(predicate::str::contains("SECRET-TOKEN").not());
    // Allowed on the command line, it is read (and its bad value reported at its place).
    kjproj()
        .current_dir(&dir)
        .arg("--allow-files")
        .arg(outer.path())
        .args(["run", "s.toml", "-q", "--out", "out"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("secret.csv:2:6: key `value`"));
    refer("/etc/passwd");
    run(&dir, "s.toml", &[])
        .code(2)
        .stderr(predicate::str::contains("observed data is a .csv file"))
        .stderr(predicate::str::contains("root:").not());
    std::fs::create_dir(dir.join("folder.csv")).unwrap();
    refer("folder.csv");
    run(&dir, "s.toml", &[])
        .code(2)
        .stderr(predicate::str::contains("it is a directory"));
    // Scenario text parsed on its own (no file) cannot name files.
    let text = with_observed(r#"{ file = "data.csv" }"#);
    let e = kjproj::scenario::parse(&text, Path::new("inline.toml")).unwrap_err();
    assert!(
        e.to_string()
            .contains("observed data in a file can only be read for a scenario loaded from a file")
    );
}

#[test]
fn checks_can_compare_the_projection_with_observed_values() {
    let dir = TempDir::new().unwrap();
    let checks = r#"
[[checks]]
name = "the projection passes near the 2022 figure"
check = "applications[2022] between 15.3 and 20.7"

[[checks]]
name = "applications grew before the baseline"
check = "observed(applications, 2016) < 7"

[[checks]]
name = "the 2022 figure is above 20"
check = "observed(applications, 2022) > 20"
"#;
    // `kjproj check` of the scenario with observed values and `extra` appended.
    let check = |extra: &str| {
        std::fs::write(dir.path().join("s.toml"), with_observed(INLINE) + extra).unwrap();
        kjproj()
            .current_dir(dir.path())
            .args(["check", "s.toml"])
            .assert()
    };
    check(checks)
        .code(1)
        .stdout(predicate::str::contains(
            "PASS  applications grew before the baseline: observed(applications, 2016) = 3 (bound: < 7)",
        ))
        .stdout(predicate::str::contains(
            "FAIL  the 2022 figure is above 20: observed(applications, 2022) = 18 (bound: > 20)",
        ))
        .stdout(predicate::str::contains("PASS  the projection passes near the 2022 figure"));
    // A year without an observed value, and a variant whose series lacks the year.
    check("[[checks]]\nname = \"gap\"\ncheck = \"observed(applications, 2018) < 7\"\n")
        .code(2)
        .stdout(predicate::str::contains(
            "key `checks[2].check`: `applications` has no observed value in 2018 (observed: 5 values from 2016 to 2022)",
        ));
    check(
        "[[checks]]\nname = \"early\"\ncheck = \"observed(applications, 2016) < 7\"\n\
         [variants.short]\n\"metrics.applications.observed\" = [{ year = 2019, value = 6, source = \"nationpress-2025\" }]\n",
    )
    .code(2)
    .stdout(predicate::str::contains("in variant `short`"))
    .stdout(predicate::str::contains("has no observed value in 2016"));
}

#[test]
fn the_fan_chart_shows_observed_values_within_its_years() {
    let dir = TempDir::new().unwrap();
    let text = std::fs::read_to_string(repo("scenarios/fine_chem.toml")).unwrap();
    let at = text.find("[metrics.market]").unwrap();
    let end = at + text[at + 1..].find("\n[").unwrap() + 1;
    let text = format!(
        "{}\nobserved = [{{ year = 2019, value = 120, source = \"motie-2023\" }}, {{ year = 2024, value = 171, source = \"motie-2023\" }}]\n{}",
        &text[..end],
        &text[end..]
    );
    std::fs::write(dir.path().join("fc.toml"), text).unwrap();
    run(
        dir.path(),
        "fc.toml",
        &["--draws", "2000", "--sobol", "0", "--svg"],
    )
    .success();
    let out = dir.path().join("out");
    assert!(
        svg_texts(&out.join("fan.svg"))
            .iter()
            .any(|t| t == "observed")
    );
    // Every variant keeps the base's observed values.
    let rows = csv_rows(&out.join("delayed_start/paths.csv"));
    assert_eq!(rows[0]["year"], "2019");
    assert_eq!(rows[0]["market_observed"], "120");
}

#[test]
fn s_curves_show_their_cap() {
    let dir = TempDir::new().unwrap();
    for (lang, label) in [("en", "cap 80"), ("ko", "상한 80")] {
        kjproj()
            .current_dir(repo(""))
            .args([
                "run",
                "scenarios/korea_israel.toml",
                "-q",
                "--svg",
                "--lang",
                lang,
                "--out",
            ])
            .arg(dir.path().join(lang))
            .assert()
            .success();
        let texts = svg_texts(&dir.path().join(lang).join("paths.svg"));
        assert!(texts.iter().any(|t| t == label), "{lang}: {texts:?}");
    }
}

/// `korea_israel.toml` with a budget in its own unit and a ratio of budget to applications.
fn with_budget(kind: &str) -> String {
    std::fs::read_to_string(repo("scenarios/korea_israel.toml")).unwrap()
        + &format!(
            r#"
[metrics.budget]
label = "Foundation budget"
unit = "million USD"
shape = "linear"
baseline = {{ value = 8, source = "assumption" }}
target = {{ value = 8, source = "assumption" }}

[ratios.budget_per_application]
kind = "{kind}"
numerator = "budget"
denominator = "applications"
"#
        )
}

#[test]
fn metrics_in_different_units_get_their_own_panels_and_ratios_say_their_unit() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("u.toml"), with_budget("ratio")).unwrap();
    kjproj()
        .current_dir(dir.path())
        .args(["run", "u.toml", "--svg", "--out", "out"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "unit: applications per year (applications); million USD (budget)",
        ));
    let texts = svg_texts(&dir.path().join("out/paths.svg"));
    for axis in [
        "applications per year",
        "million USD",
        "Projection 2020–2030",
    ] {
        assert!(texts.iter().any(|t| t == axis), "no `{axis}` in {texts:?}");
    }
    // (Shortened with "…" to the height of its panel.)
    assert!(texts.iter().any(|t| t.starts_with("Ratio (million USD / ")));
    // A share must divide like by like.
    std::fs::write(dir.path().join("u.toml"), with_budget("share")).unwrap();
    kjproj()
        .current_dir(dir.path())
        .args(["run", "u.toml", "--out", "out2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "key `ratios.budget_per_application.numerator`: a share divides like by like, but `budget` is in million USD and `applications` in applications per year",
        ));
    // A variant cannot change a unit; compare refuses one name in two units.
    std::fs::write(
        dir.path().join("v.toml"),
        with_budget("ratio") + "[variants.krw]\n\"metrics.budget.unit\" = \"billion KRW\"\n",
    )
    .unwrap();
    kjproj()
        .current_dir(dir.path())
        .args(["run", "v.toml", "--out", "out3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a variant cannot change a unit"));
    std::fs::write(
        dir.path().join("w.toml"),
        with_budget("ratio").replace("unit = \"million USD\"", "unit = \"billion KRW\""),
    )
    .unwrap();
    std::fs::write(dir.path().join("u.toml"), with_budget("ratio")).unwrap();
    kjproj()
        .current_dir(dir.path())
        .args(["compare", "u.toml", "w.toml", "--out", "cmp"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`budget` is in million USD in u but in billion KRW in w",
        ));
}
