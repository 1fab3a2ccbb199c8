//! Renders every chart for a sample scenario (Korean fine chemicals, 2023–2031), in
//! English and in Korean, so that the charts can be inspected by eye. The Monte Carlo
//! figures are made up but shaped like real output: log-normal spreads widening over time.
//!
//! Usage: `cargo run --example plot_demo [OUT_DIR]` (default `/tmp/plotdemo`); writes
//! `{paths,fan,tornado,histogram,sobol,compare,stacked}_{en,ko}.png` and the English SVGs.

use std::path::PathBuf;

use kjproj::format::Money;
use kjproj::plot::{Canvas, Chart, PlotError};
use kjproj::plot::{
    ChartSeries, CompareChart, ComparePanel, FanChart, FanPanel, HistogramChart, PathsChart,
    SobolBar, SobolChart, StackedChart, TornadoBar, TornadoChart,
};

/// `chart` as PNG at the default canvas (16 cm at 300 dpi).
fn png(chart: &impl Chart) -> Result<Vec<u8>, PlotError> {
    chart.png(&Canvas::default())
}

/// `chart` as SVG at the default canvas.
fn svg(chart: &impl Chart) -> Result<String, PlotError> {
    chart.svg(&Canvas::default())
}

/// Standard normal quantiles of P5, P10, P25, P50, P75, P90, P95.
const Z: [f64; 7] = [-1.6449, -1.2816, -0.6745, 0.0, 0.6745, 1.2816, 1.6449];

/// Picks the Korean or the English text.
fn pick(korean: bool, ko: &str, en: &str) -> String {
    String::from(if korean { ko } else { en })
}

/// The sample: market growing 160 → 350 and sales 9.4 → 52 over 2023–2031.
fn sample(korean: bool) -> PathsChart {
    let years: Vec<i32> = (2023..=2031).collect();
    let market: Vec<f64> = (0..9).map(|i| 160.0 * 1.10279_f64.powi(i)).collect();
    let sales: Vec<f64> = (0..9).map(|i| 9.4 * 1.2384_f64.powi(i)).collect();
    let share: Vec<f64> = sales.iter().zip(&market).map(|(s, m)| s / m).collect();
    let ends = |v: &[f64]| vec![(2023, v[0]), (2031, v[8])];
    let l = |ko: &'static str, en: &'static str| if korean { ko } else { en };
    PathsChart {
        money: Money::Plain,
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
                observed: Vec::new(),
                cap: None,
                unit: String::new(),
            },
            ChartSeries {
                label: l("국내 기업 매출", "Domestic sales").into(),
                given: ends(&sales),
                values: sales,
                stated: vec![],
                observed: Vec::new(),
                cap: None,
                unit: String::new(),
            },
        ],
        ratios: vec![ChartSeries {
            label: l("점유율 (매출 ÷ 시장)", "Share (sales ÷ market)").into(),
            given: vec![],
            values: share,
            stated: vec![(2023, 0.057), (2031, 0.15)],
            observed: Vec::new(),
            cap: None,
            unit: String::new(),
        }],
        years,
        ratios_as_percent: true,
        markers: vec![(2025, l("사업 착수", "Programme start").into())],
        given_label: l("시나리오 입력값", "given in the scenario file").into(),
        stated_label: l("자료에 제시된 수치", "stated figure").into(),
        observed_label: "observed".into(),
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

/// Deterministic paths: market 160 → 350, sales 9.4 → 52 (trillion KRW), and the share.
fn paths() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let market: Vec<f64> = (0..9).map(|i| 160.0 * 1.10279_f64.powi(i)).collect();
    let sales: Vec<f64> = (0..9).map(|i| 9.4 * 1.2384_f64.powi(i)).collect();
    let share = sales.iter().zip(&market).map(|(s, m)| s / m).collect();
    (market, sales, share)
}

/// Log-normal percentiles around `det` whose spread grows linearly to `sigma` in 2031;
/// the median sits a little below the deterministic path, as it does for skewed draws.
fn fan_panel(title: String, axis: String, percent: bool, det: &[f64], sigma: f64) -> FanPanel {
    let percentiles = Z.map(|z| {
        det.iter()
            .enumerate()
            .map(|(i, v)| {
                let s = sigma * i as f64 / 8.0;
                v * (z * s - 0.5 * s * s).exp()
            })
            .collect()
    });
    FanPanel {
        title,
        axis,
        percent,
        percentiles,
        deterministic: det.to_vec(),
        stated: Vec::new(),
        observed: Vec::new(),
    }
}

fn fan(korean: bool) -> FanChart {
    let l = |ko: &str, en: &str| pick(korean, ko, en);
    let (market, sales, share) = paths();
    let unit = l("조 원", "trillion KRW");
    let mut share_panel = fan_panel(
        l("점유율 (매출 ÷ 시장)", "Korean share (sales ÷ market)"),
        l("점유율 (%)", "Share (%)"),
        true,
        &share,
        0.156,
    );
    share_panel.stated = vec![(2023, 0.057), (2031, 0.15)];
    FanChart {
        money: Money::Plain,
        title: l(
            "한국 정밀화학 핵심소재: 불확실성 범위",
            "Korean core fine-chemical materials: uncertainty",
        ),
        subtitle: l(
            "몬테카를로 100,000회 (라틴 하이퍼큐브), 시드 42",
            "Monte Carlo, 100,000 draws (Latin hypercube), seed 42",
        ),
        year_axis: l("연도", "Year"),
        years: (2023..=2031).collect(),
        panels: vec![
            fan_panel(
                l("시장 규모", "Market size"),
                unit.clone(),
                false,
                &market,
                0.10,
            ),
            fan_panel(
                l("국내 기업 매출", "Domestic sales"),
                unit,
                false,
                &sales,
                0.12,
            ),
            share_panel,
        ],
        legend: [
            l("90% 구간 (P5–P95)", "90% band (P5–P95)"),
            l("80% 구간 (P10–P90)", "80% band (P10–P90)"),
            l("50% 구간 (P25–P75)", "50% band (P25–P75)"),
            l("중앙값", "median"),
            l("결정론적 경로", "deterministic path"),
            l("자료에 제시된 수치", "stated figure"),
            l("실적", "observed"),
        ],
        footnotes: vec![l(
            "주: 2031년 시장 규모(P10–P90 315–390조 원)와 매출(44.3–59.7조 원)을 로그정규분포로 뽑고, 중간 연도는 일정한 성장률로 보간하였다. 결정론적 경로는 모든 입력값을 기준값에 둔 경로이다.",
            "Note: the 2031 market size (P10–P90 315–390 trillion KRW) and sales (44.3–59.7) are drawn from log-normal distributions; the years between are interpolated at a constant rate. The deterministic path has every input at its base value.",
        )],
    }
}

fn tornado(korean: bool) -> TornadoChart {
    let l = |ko: &str, en: &str| pick(korean, ko, en);
    let bar = |label: String, lo: &str, hi: &str, at_lo: f64, at_hi: f64| TornadoBar {
        label,
        input_values: [lo.into(), hi.into()],
        output_at_low: at_lo,
        output_at_high: at_hi,
    };
    TornadoChart {
        title: l(
            "2031년 한국 점유율의 민감도",
            "Sensitivity of the Korean share in 2031",
        ),
        subtitle: l(
            "입력값을 하나씩 P10에서 P90으로 바꾸고 나머지는 기준값에 고정",
            "Each input swung from its P10 to its P90 value, the others held at base",
        ),
        output_axis: l("2031년 한국 점유율 (%)", "Korean share in 2031 (%)"),
        percent: true,
        base: 52.0 / 350.0,
        bars: vec![
            bar(
                l("2031년 매출 목표 (조 원)", "metrics.sales.target.value"),
                "44.3",
                "59.7",
                44.3 / 350.0,
                59.7 / 350.0,
            ),
            bar(
                l("2031년 시장 규모 (조 원)", "metrics.market.target.value"),
                "315",
                "390",
                52.0 / 315.0,
                52.0 / 390.0,
            ),
            bar(
                l("매출 성장 시작 연도", "metrics.sales.start_year"),
                "2024",
                "2026",
                0.1523,
                0.1431,
            ),
            bar(
                l("2023년 시장 규모 (조 원)", "metrics.market.baseline.value"),
                "150",
                "170",
                0.14952,
                0.14768,
            ),
        ],
        legend: [
            l("입력값 P10", "input at P10"),
            l("입력값 P90", "input at P90"),
        ],
        footnotes: vec![l(
            "주: 막대 끝의 숫자는 입력값이다. 세로선은 모든 입력값이 기준값일 때의 점유율이다.",
            "Note: the numbers at the bar ends are the input values. The vertical line is the share with every input at base.",
        )],
    }
}

fn histogram(korean: bool) -> HistogramChart {
    let l = |ko: &str, en: &str| pick(korean, ko, en);
    // Share in 2031: log-normal, median 14.6%, σ 0.156; bins 0.4 percentage points wide.
    let (median, sigma) = (0.1457_f64, 0.156_f64);
    let pdf = |x: f64| {
        let z = (x / median).ln() / sigma;
        (-0.5 * z * z).exp() / (x * sigma * (2.0 * std::f64::consts::PI).sqrt())
    };
    let width = 0.004;
    let bins = (0..42)
        .map(|i| {
            let lo = 0.08 + i as f64 * width;
            (lo, lo + width, pdf(lo + width / 2.0) * width)
        })
        .collect();
    HistogramChart {
        title: l(
            "2031년 한국 점유율의 분포",
            "Distribution of the Korean share in 2031",
        ),
        subtitle: l(
            "몬테카를로 100,000회, 구간 폭 0.4%p",
            "Monte Carlo, 100,000 draws; bins 0.4 percentage points wide",
        ),
        value_axis: l("2031년 한국 점유율 (%)", "Korean share in 2031 (%)"),
        frequency_axis: l("표본 비율 (%)", "Share of draws (%)"),
        percent: true,
        bins,
        markers: vec![
            (
                0.15,
                l(
                    "제시된 목표, 도달 확률 47.2%",
                    "stated target, P(at or above) = 47.2%",
                ),
            ),
            (median, l("중앙값", "median")),
        ],
        footnotes: vec![l(
            "주: 2031년 시장 규모와 매출을 로그정규분포로 뽑아 계산한 점유율이다.",
            "Note: shares computed from log-normal draws of the 2031 market size and sales.",
        )],
    }
}

fn sobol(korean: bool) -> SobolChart {
    let l = |ko: &str, en: &str| pick(korean, ko, en);
    let bar = |label: String, first: (f64, f64, f64), total: (f64, f64, f64)| SobolBar {
        label,
        first,
        total,
    };
    SobolChart {
        title: l(
            "2031년 한국 점유율의 분산 기여도",
            "What drives the variance of the Korean share in 2031",
        ),
        subtitle: l(
            "소볼 지수, 기본 표본 16,384개, 95% 부트스트랩 구간",
            "Sobol indices; 16,384 base samples, 95% bootstrap intervals",
        ),
        index_axis: l("소볼 지수", "Sobol index"),
        inputs: vec![
            bar(
                l("2031년 매출 목표", "metrics.sales.target.value"),
                (0.62, 0.58, 0.66),
                (0.66, 0.61, 0.71),
            ),
            bar(
                l("2031년 시장 규모", "metrics.market.target.value"),
                (0.30, 0.26, 0.34),
                (0.33, 0.28, 0.38),
            ),
            bar(
                l("매출 성장 시작 연도", "metrics.sales.start_year"),
                (0.03, -0.01, 0.07),
                (0.04, 0.02, 0.06),
            ),
            bar(
                l("2023년 시장 규모", "metrics.market.baseline.value"),
                (-0.004, -0.02, 0.012),
                (0.003, 0.001, 0.006),
            ),
        ],
        legend: [
            l("1차 지수 (단독 효과)", "first-order (alone)"),
            l("총 지수 (상호작용 포함)", "total (with interactions)"),
        ],
        footnotes: vec![l(
            "주: 표본 잡음 때문에 지수가 0보다 조금 작거나 1보다 조금 클 수 있다. 1차 지수와 총 지수의 차이는 상호작용의 몫이다.",
            "Note: sampling noise can put an index slightly below 0 or above 1. The gap between the first-order and the total index is the share of interactions.",
        )],
    }
}

/// `n` values growing at a constant rate from `start` to `end`.
fn growth(start: f64, end: f64, n: usize) -> Vec<f64> {
    let steps = (n - 1) as f64;
    (0..n)
        .map(|i| start * (end / start).powf(i as f64 / steps))
        .collect()
}

/// The scenario against two variants: the sales programme starting in 2027 instead (sales
/// held at the baseline share until then, then growing to the same target), and a market
/// reaching only 280 trillion KRW in 2031.
fn compare(korean: bool) -> CompareChart {
    let l = |ko: &str, en: &str| pick(korean, ko, en);
    let (market, sales, share) = paths();
    let small_market = growth(160.0, 280.0, 9);
    let baseline_share = 9.4 / 160.0;
    let mut delayed_sales: Vec<f64> = market[..5].iter().map(|m| m * baseline_share).collect();
    delayed_sales.extend(&growth(delayed_sales[4], 52.0, 5)[1..]);
    let ratio = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x / y).collect::<Vec<_>>();
    let unit = l("조 원", "trillion KRW");
    CompareChart {
        money: Money::Plain,
        title: l(
            "한국 정밀화학 핵심소재: 시나리오 비교",
            "Korean core fine-chemical materials: variants compared",
        ),
        subtitle: l(
            "기준 시나리오와 두 가지 변형, 2023–2031년",
            "The base scenario and two variants, 2023–2031",
        ),
        year_axis: l("연도", "Year"),
        years: (2023..=2031).collect(),
        variants: vec![
            l("기준", "base"),
            l("착수 지연 (2027년)", "delayed start (2027)"),
            l(
                "시장 축소 (2031년 280조 원)",
                "smaller market (280 trillion KRW in 2031)",
            ),
        ],
        panels: vec![
            ComparePanel {
                title: l("시장 규모", "Market size"),
                axis: unit.clone(),
                percent: false,
                lines: vec![market.clone(), market.clone(), small_market.clone()],
                observed: vec![(2021, 141.0), (2022, 150.5), (2023, 160.0)],
            },
            ComparePanel {
                title: l("국내 기업 매출", "Domestic sales"),
                axis: unit,
                percent: false,
                lines: vec![sales.clone(), delayed_sales.clone(), sales.clone()],
                observed: Vec::new(),
            },
            ComparePanel {
                title: l("점유율 (매출 ÷ 시장)", "Korean share (sales ÷ market)"),
                axis: l("점유율 (%)", "Share (%)"),
                percent: true,
                lines: vec![
                    share,
                    ratio(&delayed_sales, &market),
                    ratio(&sales, &small_market),
                ],
                observed: Vec::new(),
            },
        ],
        observed_label: l("실적", "observed"),
        footnotes: vec![l(
            "주: 착수 지연 변형에서는 2027년까지 매출이 기준연도 점유율(5.9%)을 유지하다가 2031년 목표(52조 원)까지 일정한 비율로 성장한다. 시장 축소 변형은 2031년 시장 규모만 350조 원에서 280조 원으로 바꾼 것이다.",
            "Note: in the delayed variant, sales hold the baseline share (5.9%) until 2027 and then grow at a constant rate to the 2031 target (52 trillion KRW). The smaller-market variant changes only the 2031 market size, from 350 to 280 trillion KRW.",
        )],
    }
}

/// The market split by end-use industry; the segments, projected separately, add up to a
/// little less than the stated 2031 total.
fn stacked(korean: bool) -> StackedChart {
    let l = |ko: &str, en: &str| pick(korean, ko, en);
    StackedChart {
        money: Money::Plain,
        title: l(
            "한국 정밀화학 핵심소재 시장: 수요 산업별",
            "Korean core fine-chemical materials market by end use",
        ),
        subtitle: l(
            "수요 산업별로 따로 추정한 경로, 2023–2031년",
            "Each end-use segment projected on its own, 2023–2031",
        ),
        year_axis: l("연도", "Year"),
        value_axis: l("조 원", "trillion KRW"),
        years: (2023..=2031).collect(),
        segments: vec![
            (l("반도체", "semiconductors"), growth(96.0, 198.0, 9)),
            (l("디스플레이", "displays"), growth(40.0, 77.0, 9)),
            (l("이차전지", "secondary batteries"), growth(24.0, 72.0, 9)),
        ],
        stated_totals: vec![(2023, 160.0), (2031, 350.0)],
        stated_label: l("자료에 제시된 시장 규모", "stated market size"),
        footnotes: vec![
            l(
                "자료: 산업통상자원부(2023). 2023년 수요 산업별 비중(반도체 60%, 디스플레이 25%, 이차전지 15%)은 자료의 값이며, 2031년 값은 산업별 성장 전망에서 추정하였다.",
                "Source: Ministry of Trade, Industry and Energy (2023). The 2023 split (semiconductors 60%, displays 25%, secondary batteries 15%) is from the source; the 2031 values follow each industry's growth outlook.",
            ),
            l(
                "주: 마름모는 자료에 제시된 시장 전체 규모로, 산업별 추정치의 합과 비교하기 위해 표시하였다.",
                "Note: diamonds mark the total market size stated in the source, for comparison with the sum of the segments.",
            ),
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
    std::fs::write(dir.join("paths_en.png"), png(&sample(false))?)?;
    std::fs::write(dir.join("paths_ko.png"), png(&sample(true))?)?;
    std::fs::write(dir.join("paths_en.svg"), svg(&sample(false))?)?;
    for (korean, lang) in [(false, "en"), (true, "ko")] {
        let file = |name: &str| dir.join(format!("{name}_{lang}.png"));
        std::fs::write(file("fan"), png(&fan(korean))?)?;
        std::fs::write(file("tornado"), png(&tornado(korean))?)?;
        std::fs::write(file("histogram"), png(&histogram(korean))?)?;
        std::fs::write(file("sobol"), png(&sobol(korean))?)?;
        std::fs::write(file("compare"), png(&compare(korean))?)?;
        std::fs::write(file("stacked"), png(&stacked(korean))?)?;
    }
    std::fs::write(dir.join("fan_en.svg"), svg(&fan(false))?)?;
    std::fs::write(dir.join("tornado_en.svg"), svg(&tornado(false))?)?;
    let histogram_svg = svg(&histogram(false))?;
    std::fs::write(dir.join("histogram_en.svg"), histogram_svg)?;
    std::fs::write(dir.join("sobol_en.svg"), svg(&sobol(false))?)?;
    let compare_svg = svg(&compare(false))?;
    std::fs::write(dir.join("compare_en.svg"), compare_svg)?;
    let stacked_svg = svg(&stacked(false))?;
    std::fs::write(dir.join("stacked_en.svg"), stacked_svg)?;
    println!("wrote charts to {}", dir.display());
    Ok(())
}
