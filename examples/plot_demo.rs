//! Renders the paths chart for a sample scenario, in English and in Korean, so that the
//! chart can be inspected by eye.
//!
//! Usage: `cargo run --example plot_demo [OUT_DIR]` (default `/tmp/plotdemo`); writes
//! `paths_en.png`, `paths_ko.png` and `paths_en.svg`.

use std::path::PathBuf;

use kjproj::plot::{ChartSeries, PathsChart, render_png, render_svg};

/// The sample: market growing 160 → 350 and sales 9.4 → 52 over 2023–2031.
fn sample(korean: bool) -> PathsChart {
    let years: Vec<i32> = (2023..=2031).collect();
    let market: Vec<f64> = (0..9).map(|i| 160.0 * 1.10279_f64.powi(i)).collect();
    let sales: Vec<f64> = (0..9).map(|i| 9.4 * 1.2384_f64.powi(i)).collect();
    let share: Vec<f64> = sales.iter().zip(&market).map(|(s, m)| s / m).collect();
    let ends = |v: &[f64]| vec![(2023, v[0]), (2031, v[8])];
    let l = |ko: &'static str, en: &'static str| if korean { ko } else { en };
    PathsChart {
        title: l("한국 정밀화학 핵심소재", "Korean core fine-chemical materials").into(),
        subtitle: l(
            "기준 2023년 → 목표 2031년, 연평균 성장 경로",
            "Baseline 2023 → target 2031, constant-growth paths",
        )
        .into(),
        year_axis: l("연도", "Year").into(),
        metric_axis: l("조 원", "trillion KRW").into(),
        ratio_axis: l("비율 (%)", "Ratio (%)").into(),
        metrics: vec![
            ChartSeries {
                label: l("시장 규모", "Market size").into(),
                given: ends(&market),
                values: market,
                stated: vec![],
            },
            ChartSeries {
                label: l("국내 기업 매출", "Domestic sales").into(),
                given: ends(&sales),
                values: sales,
                stated: vec![],
            },
        ],
        ratios: vec![ChartSeries {
            label: l("점유율 (매출 ÷ 시장)", "Share (sales ÷ market)").into(),
            given: vec![],
            values: share,
            stated: vec![(2023, 0.057), (2031, 0.15)],
        }],
        years,
        ratios_as_percent: true,
        markers: vec![(2025, l("사업 착수", "Programme start").into())],
        given_label: l("시나리오 입력값", "given in the scenario file").into(),
        stated_label: l("자료에 제시된 수치", "stated figure").into(),
        footnotes: vec![
            l(
                "자료: 산업통상자원부, 「정밀화학 핵심소재 경쟁력 강화 방안」(2023). 시장 규모는 국내 수요 기준이며, 2031년 목표치는 정부 발표 자료의 값을 그대로 사용하였다. 중간 연도는 일정한 연평균 성장률로 보간한 값이며, 실제 연도별 실적과는 차이가 있을 수 있다.",
                "Source: Ministry of Trade, Industry and Energy, \"Plan to strengthen the competitiveness of core fine-chemical materials\" (2023). Market size is domestic demand; the 2031 target is taken as published and the years between are interpolated at a constant rate.",
            )
            .into(),
            l(
                "주: 점유율은 국내 기업 매출을 시장 규모로 나눈 값이다. 마름모는 자료에 제시된 점유율(2023년 5.7%, 2031년 15%)로, 계산된 경로와 비교하기 위해 표시하였다. 금액은 명목 기준이다.",
                "Note: share = domestic sales ÷ market size. Diamonds mark the shares stated in the source (5.7% in 2023, 15% in 2031), shown for comparison with the computed path. All values are nominal, in trillion KRW.",
            )
            .into(),
        ],
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/plotdemo".into()),
    );
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("paths_en.png"), render_png(&sample(false))?)?;
    std::fs::write(dir.join("paths_ko.png"), render_png(&sample(true))?)?;
    std::fs::write(dir.join("paths_en.svg"), render_svg(&sample(false))?)?;
    println!("wrote charts to {}", dir.display());
    Ok(())
}
