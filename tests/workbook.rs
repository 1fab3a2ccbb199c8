//! `workbook.xlsx` read back with an independent reader (calamine): the sheets, numbers as
//! numbers equal to the CSV files' values, Korean sheet names and headers under
//! `--lang ko`, and the same bytes from the same run.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{csv_rows, kjproj, repo};
use tempfile::TempDir;

fn run(dir: &std::path::Path, scenario: &str, extra: &[&str]) {
    kjproj()
        .arg("run")
        .arg(repo(scenario))
        .args(["--draws", "20000", "--sobol", "512", "-q", "--out"])
        .arg(dir)
        .args(extra)
        .assert()
        .success();
}

/// The first row of a sheet, as text.
fn first_row(range: &calamine::Range<Data>) -> Vec<String> {
    range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect()
}

fn float(d: &Data) -> f64 {
    match d {
        Data::Float(x) => *x,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn the_workbook_holds_every_table_as_numbers() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    run(&out, "scenarios/fine_chem.toml", &[]);
    let mut book: Xlsx<_> = open_workbook(out.join("workbook.xlsx")).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Paths",
            "Percentiles",
            "Probabilities",
            "Tornado",
            "Sobol",
            "Checks",
            "Assumptions",
            "Variants"
        ]
    );
    // Paths: the same numbers as paths.csv, as numbers.
    let paths = book.worksheet_range("Paths").unwrap();
    let csv = csv_rows(&out.join("paths.csv"));
    let header = first_row(&paths);
    assert_eq!(header[0], "year");
    assert!(header[1].starts_with("Global market"), "{header:?}");
    for (row, expected) in paths.rows().skip(1).zip(&csv) {
        assert_eq!(float(&row[0]), expected["year"].parse::<f64>().unwrap());
        let market: f64 = expected["market"].parse().unwrap();
        assert!((float(&row[1]) - market).abs() <= 1e-9 * market, "{row:?}");
        let share: f64 = expected["share"].parse().unwrap();
        assert!((float(&row[3]) - share).abs() <= 1e-12, "{row:?}");
    }
    // Percentiles: fan.csv, numbers, plus the band widths of the chart.
    let fan = book.worksheet_range("Percentiles").unwrap();
    let fan_csv = csv_rows(&out.join("fan.csv"));
    assert_eq!(fan.height() - 1, fan_csv.len());
    let row = fan.rows().nth(1).unwrap();
    let p5: f64 = fan_csv[0]["p5"].parse().unwrap();
    assert!((float(&row[4]) - p5).abs() <= 1e-9 * p5.abs());
    let width = float(&row[row.len() - 1]);
    let p95: f64 = fan_csv[0]["p95"].parse().unwrap();
    let p75: f64 = fan_csv[0]["p75"].parse().unwrap();
    assert!((width - (p95 - p75)).abs() <= 1e-9 * p95.abs());
    // Checks of the base and both variants.
    let checks = book.worksheet_range("Checks").unwrap();
    let variants: std::collections::BTreeSet<String> =
        checks.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(
        variants.into_iter().collect::<Vec<_>>(),
        ["base", "delayed_start", "smaller_market"]
    );
    // The assumptions cite their sources; the variants sit side by side.
    let assumptions = book.worksheet_range("Assumptions").unwrap();
    assert!(
        assumptions
            .rows()
            .any(|r| r[0] == "source" && r[1] == "motie-2023")
    );
    let side = book.worksheet_range("Variants").unwrap();
    assert!(side.rows().any(|r| r[0] == "smaller_market"
        && float(&r[1]) == 2031.0
        && (float(&r[2]) - 280.0).abs() < 1e-9));
    // Native charts: one on Paths, one on Percentiles, one on Tornado.
    let bytes = std::fs::read(out.join("workbook.xlsx")).unwrap();
    let zip = String::from_utf8_lossy(&bytes);
    for chart in [
        "xl/charts/chart1.xml",
        "xl/charts/chart2.xml",
        "xl/charts/chart3.xml",
    ] {
        assert!(zip.contains(chart), "{chart}");
    }
}

#[test]
fn the_workbook_is_korean_under_lang_ko_and_reproducible() {
    let dir = TempDir::new().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run(
        &a,
        "scenarios/korea_rnd.toml",
        &["--lang", "ko", "--threads", "1"],
    );
    run(
        &b,
        "scenarios/korea_rnd.toml",
        &["--lang", "ko", "--threads", "2"],
    );
    let bytes = std::fs::read(a.join("workbook.xlsx")).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(b.join("workbook.xlsx")).unwrap(),
        "same run, same bytes"
    );
    let mut book: Xlsx<_> = open_workbook(a.join("workbook.xlsx")).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "경로",
            "백분위수",
            "확률",
            "토네이도",
            "소볼 지수",
            "점검",
            "가정과 출처"
        ]
    );
    let paths = book.worksheet_range("경로").unwrap();
    let header = first_row(&paths);
    assert_eq!(header[0], "연도");
    assert_eq!(header[2], "Gross expenditure on R&D (실적)");
    // History from 2015: observed 119.074 in 2023 beside the fitted 119.5.
    let row = paths
        .rows()
        .skip(1)
        .find(|r| float(&r[0]) == 2023.0)
        .unwrap();
    assert_eq!(float(&row[2]), 119.074);
    let fan = book.worksheet_range("백분위수").unwrap();
    let header = first_row(&fan);
    assert_eq!(&header[..4], ["계열", "연도", "평균", "표준편차"]);
}
