//! `report.md`: a document that renders with every chart, assumption, check and the command.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::repo;

use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

fn run(args: &[&str], out: &Path) -> String {
    Command::cargo_bin("kjproj")
        .unwrap()
        .env("NO_COLOR", "1")
        .args([
            "run",
            repo("scenarios/fine_chem.toml").to_str().unwrap(),
            "-q",
            "--draws",
            "20000",
            "--sobol",
            "512",
            "--out",
        ])
        .arg(out)
        .args(args)
        .assert()
        .success();
    std::fs::read_to_string(out.join("report.md")).unwrap()
}

/// Every `![alt](target)` image link in a Markdown text.
fn images(md: &str) -> Vec<String> {
    md.split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|t| t.ends_with(".png") || t.ends_with(".svg"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_report_has_every_section_and_every_chart_exists() {
    let out = TempDir::new().unwrap();
    let md = run(&[], out.path());
    for heading in [
        "# Korean core fine-chemical materials",
        "## Summary",
        "## Uncertainty",
        "### Tornado",
        "### Sobol indices",
        "## Assumptions and sources",
        "## Checks",
        "## Variants",
        "## Reproduce",
    ] {
        assert!(md.contains(heading), "missing {heading}");
    }
    assert!(md.contains("| Global market | cagr | 160.0 | 350.0 | 10.28% |"));
    assert!(md.contains(
        "| share 2023 [motie-2023] | 5.7% | 5.875% | +0.175 pp | ±0.25 pp | within tolerance |"
    ));
    assert!(md.contains("**P(share 2031 ≥ 15%) = "));
    assert!(md.contains("- [motie-2023] Ministry of Trade, Industry and Energy"));
    assert!(
        md.contains("| pass | market growth stays believable | cagr(market) = 10.279% | ≤ 12% |")
    );
    assert!(
        !md.contains('✅') && !md.contains('❌'),
        "no emoji: they print as empty boxes"
    );
    // The year-by-year table, and numbered captions that say what each chart shows.
    assert!(md.contains("## Year by year"));
    // Ranges in words, rounded, not raw keys with parameters such as `sd 6.07957`.
    assert!(
        md.contains(
            "- Market 2023 (range): normal, 90% between 150 and 170 (mean 160) [assumption-ranges]"
        ),
        "{md}"
    );
    assert!(md.contains("- Korean sales 2031 (range): PERT from 30 to 60, most likely 52"));
    assert!(!md.contains("6.07957"));
    assert!(md.contains("| 2027 | 236.6 | 18.94 | 8.00% |"), "{md}");
    assert!(md.contains("*Figure 1. Year-by-year paths of every metric and ratio, 2023–2031"));
    assert!(md.contains(
        "*Figure 4. share[2031]: the change as each input alone moves from its P10 to its P90*"
    ));
    assert!(
        md.contains("--draws 20000 --sobol 512"),
        "the command that reproduces it"
    );
    assert!(md.contains("seed 20230614"));
    // An English page carries no font: it needs none beyond the reader's.
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(!html.contains("@font-face"));
    let links = images(&md);
    assert_eq!(links.len(), 8, "{links:?}");
    for link in links {
        assert!(
            out.path().join(&link).is_file(),
            "{link} is linked but missing"
        );
    }
}

#[test]
fn korean_headings_and_svg_charts() {
    let out = TempDir::new().unwrap();
    let md = run(&["--lang", "ko", "--svg"], out.path());
    for heading in [
        "## 요약",
        "## 불확실성 분석",
        "## 가정과 출처",
        "## 점검",
        "## 변형 시나리오",
        "## 재현 방법",
        "## 연도별 값",
        "*그림 1. 지표와 비율의 연도별 경로",
        // Built-in checks and ranges in Korean.
        "| 통과 | 발표값 share 2023년이 도출값과 일치 [motie-2023] | 도출 5.875%, 발표 5.7%, 차이 +0.175 pp | 5.7% ± 0.25 pp |",
        "| 통과 | 모든 값에 출처가 있음 | 모두 출처 있음 | 모든 값에 출처 |",
        "(범위): 정규분포, 90% 구간 150–170 (평균 160)",
        // Shapes, the programme start, correlations and variants' final values in Korean
        // words and the user's labels (not the file's keys).
        "- **Korean sales** (`sales`): 연평균 성장(CAGR), 2025년부터",
        "사업 시작 2025년; 그 전에는 Global market 지표와 같은 비율로 성장",
        "- 순위 상관 (Iman–Conover): Market 2031, Korean sales 2031",
        "2031년: Global market 350.0, Korean sales 52.00, Korean share 14.857%.",
    ] {
        assert!(md.contains(heading), "missing {heading}");
    }
    assert!(!md.contains("`): cagr") && !md.contains("2031: market"));
    let links = images(&md);
    assert!(links.iter().all(|l| l.ends_with(".svg")), "{links:?}");
    for link in links {
        assert!(
            out.path().join(&link).is_file(),
            "{link} is linked but missing"
        );
    }
}

#[test]
fn report_html_is_one_self_contained_page_per_report() {
    let out = TempDir::new().unwrap();
    let md = run(&["--lang", "ko"], out.path());
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"ko\">"));
    // Every chart inline; nothing fetched: no scripts, stylesheets or remote sources.
    assert_eq!(
        html.matches("src=\"data:image/png;base64,").count(),
        images(&md).len()
    );
    assert_eq!(html.matches("src=\"").count(), images(&md).len());
    for banned in ["<script", "<link", "src=\"http", "url(http", "@import"] {
        assert!(!html.contains(banned), "{banned}");
    }
    // The same content: headings, the year-by-year table, numbered captions, the command.
    for text in [
        "<h2>요약</h2>",
        "<h2>연도별 값</h2>",
        "<em>그림 1.",
        "<h2>재현 방법</h2>",
    ] {
        assert!(html.contains(text), "{text}");
    }
    // Printable on A4 without cutting tables or figures.
    assert!(html.contains("@page { size: A4;"));
    assert!(html.contains("table {") && html.contains("break-inside: avoid"));
    // Korean text comes with its font, as browsers accept it: no empty VTT tables, which
    // Chrome's sanitizer refuses.
    let start = html
        .find("data:font/ttf;base64,")
        .expect("an embedded font")
        + 21;
    let end = start + html[start..].find(')').unwrap();
    use base64::Engine as _;
    let font = base64::engine::general_purpose::STANDARD
        .decode(&html[start..end])
        .unwrap();
    let tables = usize::from(u16::from_be_bytes([font[4], font[5]]));
    let tags: Vec<&[u8]> = (0..tables)
        .map(|k| &font[12 + 16 * k..16 + 16 * k])
        .collect();
    assert!(tags.contains(&&b"glyf"[..]) && tags.contains(&&b"cmap"[..]));
    assert!(!tags.iter().any(|t| t.starts_with(b"TSI")), "{tags:?}");
    for k in 0..tables {
        let at = 12 + 16 * k;
        let offset = u32::from_be_bytes(font[at + 8..at + 12].try_into().unwrap()) as usize;
        let length = u32::from_be_bytes(font[at + 12..at + 16].try_into().unwrap()) as usize;
        assert!(offset.is_multiple_of(4) && offset + length <= font.len());
    }
    // Each variant has its own page, linked from the base's.
    assert!(html.contains("href=\"delayed_start/report.html\""));
    let variant = std::fs::read_to_string(out.path().join("delayed_start/report.html")).unwrap();
    assert!(variant.contains("src=\"data:image/png;base64,"));
}

#[test]
fn korean_money_in_the_report_charts_and_workbook_axes() {
    let out = TempDir::new().unwrap();
    let md = run(&["--lang", "ko", "--money", "korean", "--svg"], out.path());
    for text in [
        "  - 2023: 9조 4,000억 원 [motie-2023]",
        "2031년: Global market 280조 원, Korean sales 52조 원, Korean share 18.571%.",
    ] {
        assert!(md.contains(text), "missing {text}");
    }
    // Value axes in won carry 조 in their tick labels and say 원; shares stay percentages.
    let svg = std::fs::read_to_string(out.path().join("paths.svg")).unwrap();
    for label in ["300조", "원", "15%"] {
        assert!(
            svg.contains(&format!("aria-label=\"{label}\"")),
            "no {label} tick"
        );
    }
    assert!(!svg.contains("aria-label=\"300\""));
    let fan = std::fs::read_to_string(out.path().join("fan.svg")).unwrap();
    assert!(fan.contains("aria-label=\"50조\"") && fan.contains("몬테카를로: "));
}

#[test]
fn korean_shape_names_in_the_report_of_an_s_curve() {
    let out = TempDir::new().unwrap();
    Command::cargo_bin("kjproj")
        .unwrap()
        .args(["run", repo("scenarios/korea_israel.toml").to_str().unwrap()])
        .args([
            "-q", "--lang", "ko", "--draws", "2000", "--sobol", "0", "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    for text in [
        "| Joint R&amp;D applications | 곰페르츠 (상한 80) |",
        "| 통과 | applications의 값들이 곰페르츠 형태에 맞음 |",
    ] {
        assert!(md.contains(text), "missing {text}");
    }
    assert!(!md.contains("gompertz 형태"));
}
