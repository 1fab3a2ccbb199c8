//! Rendering tests for the charts through the public API: PNG validity and size,
//! determinism, Korean text, that text really is drawn, degenerate inputs, and text
//! metrics.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

use kjproj::format::Money;
use kjproj::plot::text::text_size;
use kjproj::plot::{Canvas, Chart, PlotError};
use kjproj::plot::{
    ChartSeries, CompareChart, ComparePanel, FanChart, FanPanel, HistogramChart, PathsChart,
    SobolBar, SobolChart, StackedChart, TornadoBar, TornadoChart,
};

/// The canvas of these tests: 1,400 layout units drawn at one pixel each (27.4 cm at
/// 129.6 dpi), so that pixel positions are layout positions.
fn canvas() -> Canvas {
    Canvas::new(1400.0 * 25.4 / 129.6, 129.6).unwrap()
}

/// `chart` as PNG on the tests' canvas.
fn png(chart: &impl Chart) -> Result<Vec<u8>, PlotError> {
    chart.png(&canvas())
}

/// `chart` as SVG on the tests' canvas.
fn to_svg(chart: &impl Chart) -> Result<String, PlotError> {
    chart.svg(&canvas())
}

fn series(label: &str, values: Vec<f64>) -> ChartSeries {
    ChartSeries {
        label: label.into(),
        values,
        given: Vec::new(),
        stated: Vec::new(),
        observed: Vec::new(),
        cap: None,
        unit: String::new(),
    }
}

/// The sample scenario of the demo, in English or Korean, with short footnotes.
fn sample(korean: bool) -> PathsChart {
    let l = |ko: &str, en: &str| String::from(if korean { ko } else { en });
    let market: Vec<f64> = (0..9).map(|i| 160.0 * 1.10279_f64.powi(i)).collect();
    let sales: Vec<f64> = (0..9).map(|i| 9.4 * 1.2384_f64.powi(i)).collect();
    let share = sales.iter().zip(&market).map(|(s, m)| s / m).collect();
    PathsChart {
        money: Money::Plain,
        title: l(
            "한국 정밀화학 핵심소재",
            "Korean core fine-chemical materials",
        ),
        subtitle: l("기준 2023년 → 목표 2031년", "Baseline 2023 → target 2031"),
        year_axis: l("연도", "Year"),
        metric_axis: l("조 원", "trillion KRW"),
        ratio_axis: l("비율 (%)", "Ratio (%)"),
        years: (2023..=2031).collect(),
        metrics: vec![
            ChartSeries {
                given: vec![(2023, 160.0), (2031, 350.0)],
                ..series(&l("시장 규모", "Market"), market)
            },
            series(&l("매출", "Sales"), sales),
        ],
        ratios: vec![ChartSeries {
            stated: vec![(2023, 0.057), (2031, 0.15)],
            observed: Vec::new(),
            cap: None,
            unit: String::new(),
            ..series(&l("점유율", "Share"), share)
        }],
        ratios_as_percent: true,
        markers: vec![(2025, l("사업 착수", "Programme start"))],
        given_label: l("입력값", "given"),
        stated_label: l("제시 수치", "stated"),
        observed_label: "observed".into(),
        footnotes: vec![l("자료: 산업통상자원부", "Source: MOTIE")],
    }
}

/// Decodes a PNG into (width, height, RGB bytes).
fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("valid PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("valid PNG data");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// Pixels darker than mid-grey in the rectangle [x0, x1) × [y0, y1).
fn dark_pixels(img: &(u32, u32, Vec<u8>), x0: u32, y0: u32, x1: u32, y1: u32) -> usize {
    let (w, _, rgb) = img;
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let i = ((y * w + x) * 3) as usize;
            if rgb[i..i + 3].iter().all(|&c| c < 100) {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn png_decodes_to_the_chart_size() {
    let img = decode(&png(&sample(false)).unwrap());
    assert_eq!((img.0, img.1), (1400, 1120));
}

#[test]
fn png_rendering_is_deterministic() {
    let chart = sample(false);
    assert_eq!(png(&chart).unwrap(), png(&chart).unwrap());
}

#[test]
fn title_text_is_drawn() {
    let img = decode(&png(&sample(false)).unwrap());
    let with_title = dark_pixels(&img, 0, 0, 700, 70);
    let blank = PathsChart {
        title: String::new(),
        ..sample(false)
    };
    let img = decode(&png(&blank).unwrap());
    let without = dark_pixels(&img, 0, 0, 700, 70);
    assert!(
        with_title > 1000,
        "only {with_title} dark pixels in the title band"
    );
    assert!(without < with_title / 10);
}

#[test]
fn korean_chart_renders() {
    let img = decode(&png(&sample(true)).unwrap());
    assert_eq!((img.0, img.1), (1400, 1120));
    // Hangul title "한국 정밀화학 핵심소재" leaves plenty of ink.
    assert!(dark_pixels(&img, 0, 0, 700, 70) > 1000);
    let svg = to_svg(&sample(true)).unwrap();
    assert!(svg.contains("한국 정밀화학 핵심소재"));
}

#[test]
fn long_footnotes_wrap_and_grow_the_chart() {
    let long = "A long footnote about sources and methods that goes on and on. ".repeat(8);
    let chart = PathsChart {
        footnotes: vec![long.clone(), long],
        ..sample(false)
    };
    let img = decode(&png(&chart).unwrap());
    assert_eq!(img.0, 1400);
    assert!(img.1 > 1120, "height {}", img.1);
    // The last footnote line sits near the bottom; nothing is drawn past the right margin.
    assert!(dark_pixels(&img, 0, img.1 - 40, 1400, img.1) == 0);
    let grey_ink = |x0: u32, x1: u32| {
        let (w, h, rgb) = &img;
        (h - 60..*h)
            .flat_map(|y| (x0..x1).map(move |x| ((y * w + x) * 3) as usize))
            .filter(|&i| rgb[i] < 200)
            .count()
    };
    assert!(grey_ink(0, 700) > 100);
    assert_eq!(grey_ink(1380, 1400), 0);
}

#[test]
fn svg_text_is_glyph_outlines_named_by_their_text() {
    let svg = to_svg(&sample(false)).unwrap();
    assert!(svg.starts_with("<svg"));
    // Printed size in millimetres, drawn in pixels: 1,400 px at 129.6 dpi is 274.38 mm.
    assert!(svg.contains(r#"width="274.38mm" height="219.51mm" viewBox="0 0 1400 1120""#));
    // No text for a viewer's fonts to lay out: every glyph is a shape, used by reference.
    assert!(!svg.contains("<text") && !svg.contains("font-family"));
    assert!(svg.contains("<defs><path id=\"g") && svg.contains("xlink:href=\"#g"));
    assert!(svg.contains("aria-label=\"Korean core fine-chemical materials\""));
    assert!(svg.contains("15%"));
    assert!(!svg.contains("2023.5"));
}

#[test]
fn charts_without_ratios_or_with_gaps_render() {
    let chart = PathsChart {
        ratios: Vec::new(),
        metrics: vec![series(
            "gappy",
            vec![1.0, f64::NAN, 3.0, -2.0, 5.0, 6.0, 7.0, 8.0, 9.0],
        )],
        ..sample(false)
    };
    let img = decode(&png(&chart).unwrap());
    assert_eq!((img.0, img.1), (1400, 1120));
    assert!(to_svg(&chart).is_ok());
}

#[test]
fn a_chart_without_years_is_an_error() {
    let chart = PathsChart {
        years: Vec::new(),
        ..sample(false)
    };
    assert!(png(&chart).is_err());
    assert!(to_svg(&chart).is_err());
}

#[test]
fn text_widths_follow_glyph_advances() {
    let w = |s: &str| text_size(s, 20.0).unwrap().0;
    assert!(w("iiii") < w("WWWW"));
    // Widths add up (within rounding and the kerning between the two halves).
    let (ab, cd, abcd) = (w("Chart"), w(" title"), w("Chart title"));
    assert!(abcd.abs_diff(ab + cd) <= 2, "{ab} + {cd} vs {abcd}");
    // Twice the size, twice the width.
    let big = text_size("Chart title", 40.0).unwrap().0;
    assert!(big.abs_diff(2 * abcd) <= 2);
    // Hangul is measured with the embedded font too, not guessed from byte length.
    assert!(w("한국") > 0 && w("한국") < w("한국어 텍스트"));
}

// ---------------------------------------------------------------------------------------
// Helpers shared by the Monte Carlo charts.

/// Decodes a PNG and checks it is a full-width chart with a height in `heights`.
fn decode_chart(bytes: &[u8], heights: std::ops::RangeInclusive<u32>) -> (u32, u32, Vec<u8>) {
    let img = decode(bytes);
    assert_eq!(img.0, 1400);
    assert!(heights.contains(&img.1), "height {}", img.1);
    img
}

/// Ink in the title band, so that e.g. a Hangul title is known to be drawn.
fn title_ink(img: &(u32, u32, Vec<u8>)) -> usize {
    dark_pixels(img, 0, 0, 700, 60)
}

/// The anchor point of the SVG text (a group of glyph outlines) whose accessible name is
/// `label`.
fn svg_text_pos(svg: &str, label: &str) -> Option<(f64, f64)> {
    let key = format!("aria-label=\"{label}\" transform=\"translate(");
    let from = svg.find(&key)? + key.len();
    let (x, rest) = svg[from..].split_once(' ')?;
    let y = rest.split([')', ' ']).next()?;
    Some((x.parse().ok()?, y.parse().ok()?))
}

/// Made-up percentiles spreading out linearly from `start` to `end`.
fn fan_panel(title: &str, start: f64, end: f64, percent: bool) -> FanPanel {
    let n = 9;
    let det: Vec<f64> = (0..n)
        .map(|i| start + (end - start) * i as f64 / (n - 1) as f64)
        .collect();
    let spread = [-0.25, -0.18, -0.09, 0.0, 0.09, 0.18, 0.25];
    FanPanel {
        title: title.into(),
        axis: if percent { "Share (%)" } else { "trillion KRW" }.into(),
        percent,
        percentiles: spread.map(|s| {
            det.iter()
                .enumerate()
                .map(|(i, v)| v * (1.0 + s * i as f64 / 8.0))
                .collect()
        }),
        deterministic: det,
        stated: Vec::new(),
        observed: Vec::new(),
    }
}

fn fan(korean: bool) -> FanChart {
    let l = |ko: &str, en: &str| String::from(if korean { ko } else { en });
    let mut share = fan_panel(&l("점유율", "Share"), 0.05875, 0.14857, true);
    share.stated = vec![(2023, 0.057), (2031, 0.15)];
    FanChart {
        money: Money::Plain,
        title: l("정밀화학 불확실성", "Fine chemicals: uncertainty"),
        subtitle: l("몬테카를로 10,000회", "Monte Carlo, 10,000 draws"),
        year_axis: l("연도", "Year"),
        years: (2023..=2031).collect(),
        panels: vec![
            fan_panel(&l("시장 규모", "Market size"), 160.0, 350.0, false),
            fan_panel(&l("매출", "Domestic sales"), 9.4, 52.0, false),
            share,
        ],
        legend: [
            "90% band (P5–P95)".into(),
            "80% band (P10–P90)".into(),
            "50% band (P25–P75)".into(),
            l("중앙값", "median"),
            l("결정론적 경로", "deterministic path"),
            l("제시 수치", "stated figure"),
            l("실적", "observed"),
        ],
        footnotes: vec![l("자료: 가상의 예", "Source: made-up example")],
    }
}

fn tornado_bar(label: &str, values: [&str; 2], low: f64, high: f64) -> TornadoBar {
    TornadoBar {
        label: label.into(),
        input_values: values.map(String::from),
        output_at_low: low,
        output_at_high: high,
    }
}

fn tornado(korean: bool) -> TornadoChart {
    let l = |ko: &str, en: &str| String::from(if korean { ko } else { en });
    TornadoChart {
        title: l("2031년 점유율의 민감도", "Sensitivity of the share in 2031"),
        subtitle: l("P10에서 P90으로", "inputs swung from P10 to P90"),
        output_axis: l("2031년 점유율 (%)", "Korean share in 2031 (%)"),
        percent: true,
        base: 52.0 / 350.0,
        bars: vec![
            tornado_bar(
                &l("2031년 매출 목표", "metrics.sales.target.value"),
                ["44.3", "59.7"],
                0.127,
                0.170,
            ),
            tornado_bar("metrics.market.target.value", ["315", "390"], 0.165, 0.133),
            tornado_bar("metrics.sales.start_year", ["2024", "2026"], 0.152, 0.143),
        ],
        legend: [
            l("입력값 P10", "input at P10"),
            l("입력값 P90", "input at P90"),
        ],
        footnotes: vec!["Note: base share 14.9%.".into()],
    }
}

fn histogram(korean: bool) -> HistogramChart {
    let l = |ko: &str, en: &str| String::from(if korean { ko } else { en });
    let bins = (0..40)
        .map(|i| {
            let lo = 0.08 + 0.004 * i as f64;
            let z = (lo + 0.002 - 0.146) / 0.023;
            (lo, lo + 0.004, (-0.5 * z * z).exp() * 0.07)
        })
        .collect();
    HistogramChart {
        title: l("2031년 점유율의 분포", "Distribution of the share in 2031"),
        subtitle: String::new(),
        value_axis: l("2031년 점유율 (%)", "Korean share in 2031 (%)"),
        frequency_axis: l("표본 비율 (%)", "Share of draws (%)"),
        percent: true,
        bins,
        markers: vec![
            (0.15, l("제시된 목표", "stated target")),
            (0.1457, l("중앙값", "median")),
        ],
        footnotes: Vec::new(),
    }
}

fn sobol(korean: bool) -> SobolChart {
    let l = |ko: &str, en: &str| String::from(if korean { ko } else { en });
    let bar = |label: &str, first, total| SobolBar {
        label: label.into(),
        first,
        total,
    };
    SobolChart {
        title: l(
            "2031년 점유율의 분산 기여도",
            "Sobol indices of the share in 2031",
        ),
        subtitle: l("기본 표본 16,384개", "16,384 base samples"),
        index_axis: l("소볼 지수", "Sobol index"),
        inputs: vec![
            bar(
                &l("2031년 매출 목표", "metrics.sales.target.value"),
                (0.62, 0.58, 0.66),
                (0.66, 0.61, 0.71),
            ),
            bar(
                "metrics.market.target.value",
                (0.30, 0.26, 0.34),
                (0.33, 0.28, 0.38),
            ),
            bar(
                "metrics.market.baseline.value",
                (-0.004, -0.02, 0.012),
                (0.003, 0.001, 0.006),
            ),
        ],
        legend: [l("1차 지수", "first-order"), l("총 지수", "total")],
        footnotes: vec!["Note: 95% bootstrap intervals.".into()],
    }
}

// ---------------------------------------------------------------------------------------
// Fan chart.

#[test]
fn fan_png_decodes_and_grows_with_rows() {
    let three = decode_chart(&png(&fan(false)).unwrap(), 800..=1400);
    let mut five = fan(false);
    five.panels.push(fan_panel("Fourth", 1.0, 2.0, false));
    five.panels.push(fan_panel("Fifth", 1.0, 2.0, false));
    let five = decode_chart(&png(&five).unwrap(), 1000..=2000);
    assert!(five.1 > three.1 + 300, "{} vs {}", five.1, three.1);
    let mut one = fan(false);
    one.panels.truncate(1);
    decode_chart(&png(&one).unwrap(), 600..=1100);
    assert!(title_ink(&three) > 1000);
}

#[test]
fn fan_png_is_deterministic() {
    let chart = fan(false);
    assert_eq!(png(&chart).unwrap(), png(&chart).unwrap());
}

#[test]
fn fan_svg_has_titles_legend_and_percent_ticks() {
    let svg = to_svg(&fan(false)).unwrap();
    for text in [
        "Fine chemicals: uncertainty",
        "Market size",
        "Domestic sales",
        "90% band (P5–P95)",
        "deterministic path",
        "stated figure",
        "15%",
        "2031",
        "Source: made-up example",
    ] {
        assert!(svg.contains(text), "missing {text}");
    }
    // Whole years only.
    assert!(!svg.contains("2023.5"));
}

#[test]
fn fan_korean_chart_renders() {
    let img = decode_chart(&png(&fan(true)).unwrap(), 800..=1400);
    assert!(title_ink(&img) > 1000);
    let svg = to_svg(&fan(true)).unwrap();
    assert!(svg.contains("정밀화학 불확실성") && svg.contains("결정론적 경로"));
}

#[test]
fn fan_degenerate_inputs_render_or_fail_cleanly() {
    // A single year: boxes instead of bands.
    let mut single = fan(false);
    single.years = vec![2031];
    for p in &mut single.panels {
        for v in &mut p.percentiles {
            v.drain(..8);
        }
        p.deterministic.drain(..8);
    }
    decode_chart(&png(&single).unwrap(), 800..=1400);
    // Missing and mismatched values.
    let mut gappy = fan(false);
    gappy.panels[0].percentiles[0][4] = f64::NAN;
    gappy.panels[0].percentiles[3] = vec![f64::NAN; 9];
    gappy.panels[1].deterministic.truncate(3);
    gappy.panels[2].stated.push((1990, 0.5));
    decode_chart(&png(&gappy).unwrap(), 800..=1400);
    // Nothing to draw is an error.
    let empty = FanChart {
        panels: Vec::new(),
        ..fan(false)
    };
    assert!(png(&empty).is_err() && to_svg(&empty).is_err());
    let no_years = FanChart {
        years: Vec::new(),
        ..fan(false)
    };
    assert!(png(&no_years).is_err());
}

// ---------------------------------------------------------------------------------------
// Tornado chart.

#[test]
fn tornado_png_decodes_and_is_deterministic() {
    let chart = tornado(false);
    let bytes = png(&chart).unwrap();
    let img = decode_chart(&bytes, 400..=900);
    assert!(title_ink(&img) > 1000);
    assert_eq!(bytes, png(&chart).unwrap());
    // Many bars make a taller chart.
    let mut many = tornado(false);
    for i in 0..12 {
        many.bars
            .push(tornado_bar(&format!("input {i}"), ["a", "b"], 0.14, 0.15));
    }
    let tall = decode_chart(&png(&many).unwrap(), 900..=2000);
    assert!(tall.1 > img.1 + 500);
}

#[test]
fn tornado_svg_has_labels_input_values_and_base() {
    let svg = to_svg(&tornado(false)).unwrap();
    for text in [
        "metrics.sales.target.value",
        "metrics.sales.start_year",
        "44.3",
        "59.7",
        "input at P10",
        "Korean share in 2031 (%)",
        "14.9%",
    ] {
        assert!(svg.contains(text), "missing {text}");
    }
    // The low input value sits left of the high one for an increasing effect, and both
    // outside the bar's ends; a decreasing effect swaps them.
    let (lo, hi) = (svg_text_pos(&svg, "44.3"), svg_text_pos(&svg, "59.7"));
    assert!(lo.unwrap().0 < hi.unwrap().0);
    let (lo, hi) = (svg_text_pos(&svg, "315"), svg_text_pos(&svg, "390"));
    assert!(lo.unwrap().0 > hi.unwrap().0);
}

#[test]
fn tornado_long_labels_fit_on_the_left() {
    let mut chart = tornado(false);
    chart.bars[0].label = "metrics.sales.target.value.of.a.rather.long.scenario.key".into();
    let img = decode_chart(&png(&chart).unwrap(), 400..=900);
    let h = img.1;
    // Nothing is drawn into the left page margin, yet the widest label starts right after
    // it (rows run from under the legend to above the x axis).
    assert_eq!(dark_pixels(&img, 0, 0, 20, h), 0);
    let (w, _, rgb) = &img;
    let grey = (170..h - 120)
        .flat_map(|y| (20..60).map(move |x| ((y * w + x) * 3) as usize))
        .filter(|&i| rgb[i] < 180)
        .count();
    assert!(grey > 20, "the widest label does not start near the margin");
    let svg = to_svg(&chart).unwrap();
    assert!(svg.contains("metrics.sales.target.value.of.a.rather.long.scenario.key"));
}

#[test]
fn tornado_korean_chart_renders() {
    let img = decode_chart(&png(&tornado(true)).unwrap(), 400..=900);
    assert!(title_ink(&img) > 1000);
    let svg = to_svg(&tornado(true)).unwrap();
    assert!(svg.contains("2031년 매출 목표") && svg.contains("입력값 P90"));
}

#[test]
fn tornado_degenerate_inputs_render_or_fail_cleanly() {
    // Every bar at the base: an axis around the base, the values either side of it.
    let mut flat = tornado(false);
    for b in &mut flat.bars {
        (b.output_at_low, b.output_at_high) = (flat.base, flat.base);
    }
    decode_chart(&png(&flat).unwrap(), 400..=900);
    let svg = to_svg(&flat).unwrap();
    assert!(svg_text_pos(&svg, "44.3").unwrap().0 < svg_text_pos(&svg, "59.7").unwrap().0);
    // Both ends on one side, a missing end, a single bar.
    let mut odd = tornado(false);
    odd.bars[0].output_at_low = 0.16;
    odd.bars[1].output_at_high = f64::NAN;
    decode_chart(&png(&odd).unwrap(), 400..=900);
    odd.bars.truncate(1);
    decode_chart(&png(&odd).unwrap(), 400..=900);
    let empty = TornadoChart {
        bars: Vec::new(),
        ..tornado(false)
    };
    assert!(png(&empty).is_err() && to_svg(&empty).is_err());
    let no_base = TornadoChart {
        base: f64::NAN,
        ..tornado(false)
    };
    assert!(png(&no_base).is_err());
}

// ---------------------------------------------------------------------------------------
// Histogram.

#[test]
fn histogram_png_decodes_and_is_deterministic() {
    let chart = histogram(false);
    let bytes = png(&chart).unwrap();
    let img = decode_chart(&bytes, 1120..=1120);
    assert!(title_ink(&img) > 1000);
    assert_eq!(bytes, png(&chart).unwrap());
}

#[test]
fn histogram_svg_has_axes_and_marker_labels() {
    let svg = to_svg(&histogram(false)).unwrap();
    for text in [
        "Distribution of the share in 2031",
        "Share of draws (%)",
        "Korean share in 2031 (%)",
        "stated target",
        "median",
        "10%",
    ] {
        assert!(svg.contains(text), "missing {text}");
    }
    // Each marker's value is printed just before its label, on the same line.
    for (value, label) in [("15.0%", "stated target"), ("14.6%", "median")] {
        let (v, l) = (svg_text_pos(&svg, value), svg_text_pos(&svg, label));
        let ((vx, vy), (lx, ly)) = (v.unwrap(), l.unwrap());
        assert!(vx < lx && lx - vx < 80.0 && vy == ly, "{value} {label}");
    }
}

#[test]
fn histogram_close_markers_do_not_collide() {
    let mut chart = histogram(false);
    chart.markers = vec![
        (0.150, "stated target".into()),
        (0.1457, "median".into()),
        (0.148, "mean".into()),
        (0.152, "another reference".into()),
    ];
    let svg = to_svg(&chart).unwrap();
    let labels = ["stated target", "median", "mean", "another reference"];
    let rows: std::collections::BTreeSet<i64> = labels
        .iter()
        .map(|l| svg_text_pos(&svg, l).unwrap_or_else(|| panic!("no {l}")).1 as i64)
        .collect();
    assert!(
        rows.len() >= 2,
        "four close markers share one row: {rows:?}"
    );
    assert!(png(&chart).is_ok());
}

#[test]
fn histogram_korean_chart_renders() {
    let img = decode_chart(&png(&histogram(true)).unwrap(), 1120..=1120);
    assert!(title_ink(&img) > 1000);
    let svg = to_svg(&histogram(true)).unwrap();
    assert!(svg.contains("제시된 목표") && svg.contains("15.0%"));
}

#[test]
fn histogram_degenerate_inputs_render_or_fail_cleanly() {
    // Zero-width bins (every draw the same), markers on top of each other.
    let mut zero = histogram(false);
    zero.bins = vec![(0.15, 0.15, 1.0)];
    zero.markers = vec![
        (0.15, "a".into()),
        (0.15, "b".into()),
        (f64::NAN, "c".into()),
    ];
    decode_chart(&png(&zero).unwrap(), 1120..=1120);
    zero.bins = vec![(0.1, 0.1, 0.5), (0.2, 0.2, 0.5), (f64::NAN, 0.3, 0.1)];
    decode_chart(&png(&zero).unwrap(), 1120..=1120);
    // A marker far outside the bins widens the axis.
    let mut far = histogram(false);
    far.markers.push((0.9, "far away".into()));
    let svg = to_svg(&far).unwrap();
    assert!(svg.contains("far away") && svg.contains("aria-label=\"90.0%\""));
    let empty = HistogramChart {
        bins: Vec::new(),
        ..histogram(false)
    };
    assert!(png(&empty).is_err() && to_svg(&empty).is_err());
}

// ---------------------------------------------------------------------------------------
// Sobol chart.

#[test]
fn sobol_png_decodes_and_is_deterministic() {
    let chart = sobol(false);
    let bytes = png(&chart).unwrap();
    let img = decode_chart(&bytes, 400..=900);
    assert!(title_ink(&img) > 1000);
    assert_eq!(bytes, png(&chart).unwrap());
}

#[test]
fn sobol_svg_has_labels_values_and_a_unit_axis() {
    let svg = to_svg(&sobol(false)).unwrap();
    for text in [
        "metrics.sales.target.value",
        "metrics.market.baseline.value",
        "first-order",
        "total",
        "Sobol index",
        "0.62",
        "0.0",
        "1.0",
    ] {
        assert!(svg.contains(text), "missing {text}");
    }
    // A slightly negative index does not pull in a whole tick step below zero.
    assert!(!svg.contains("aria-label=\"-0.2\""));
}

#[test]
fn sobol_korean_chart_renders() {
    let img = decode_chart(&png(&sobol(true)).unwrap(), 400..=900);
    assert!(title_ink(&img) > 1000);
    assert!(to_svg(&sobol(true)).unwrap().contains("2031년 매출 목표"));
}

#[test]
fn sobol_degenerate_inputs_render_or_fail_cleanly() {
    let mut odd = sobol(false);
    odd.inputs[0].total = (1.04, 0.97, 1.11);
    odd.inputs[1].first = (f64::NAN, f64::NAN, f64::NAN);
    odd.inputs[2].total = (0.5, f64::NAN, 0.6);
    decode_chart(&png(&odd).unwrap(), 400..=900);
    assert!(to_svg(&odd).unwrap().contains("1.04"));
    odd.inputs.truncate(1);
    decode_chart(&png(&odd).unwrap(), 400..=900);
    let empty = SobolChart {
        inputs: Vec::new(),
        ..sobol(false)
    };
    assert!(png(&empty).is_err() && to_svg(&empty).is_err());
}

// ---------------------------------------------------------------------------------------
// Comparison chart.

/// `n` values growing at a constant rate from `start` to `end`.
fn growth(start: f64, end: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| start * (end / start).powf(i as f64 / (n - 1) as f64))
        .collect()
}

fn compare(korean: bool) -> CompareChart {
    let l = |ko: &str, en: &str| String::from(if korean { ko } else { en });
    let market = growth(160.0, 350.0, 9);
    let small = growth(160.0, 280.0, 9);
    let sales = growth(9.4, 52.0, 9);
    let mut delayed: Vec<f64> = market[..5].iter().map(|m| m * 9.4 / 160.0).collect();
    delayed.extend(&growth(delayed[4], 52.0, 5)[1..]);
    let share = |s: &[f64], m: &[f64]| s.iter().zip(m).map(|(a, b)| a / b).collect();
    let panel = |title: String, axis: String, percent: bool, lines: Vec<Vec<f64>>| ComparePanel {
        title,
        axis,
        percent,
        lines,
        observed: Vec::new(),
    };
    CompareChart {
        money: Money::Plain,
        title: l(
            "정밀화학 시나리오 비교",
            "Fine chemicals: variants compared",
        ),
        subtitle: l("기준과 두 가지 변형", "The base and two variants"),
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
            panel(
                l("시장 규모", "Market size"),
                l("조 원", "trillion KRW"),
                false,
                vec![market.clone(), market.clone(), small.clone()],
            ),
            panel(
                l("매출", "Domestic sales"),
                l("조 원", "trillion KRW"),
                false,
                vec![sales.clone(), delayed.clone(), sales.clone()],
            ),
            panel(
                l("점유율", "Share"),
                l("점유율 (%)", "Share (%)"),
                true,
                vec![
                    share(&sales, &market),
                    share(&delayed, &market),
                    share(&sales, &small),
                ],
            ),
        ],
        observed_label: l("실적", "observed"),
        footnotes: vec![l("자료: 가상의 예", "Source: made-up example")],
    }
}

/// Polylines in the SVG stroked in `colour` (e.g. "#0072B2") at `width` pixels.
fn svg_lines(svg: &str, colour: &str, width: u32) -> usize {
    svg.matches(&format!("stroke=\"{colour}\" stroke-width=\"{width}\""))
        .count()
}

#[test]
fn compare_png_decodes_is_deterministic_and_grows_with_rows() {
    let chart = compare(false);
    let bytes = png(&chart).unwrap();
    let three = decode_chart(&bytes, 800..=1400);
    assert!(title_ink(&three) > 1000);
    assert_eq!(bytes, png(&chart).unwrap());
    let mut five = compare(false);
    five.panels.push(five.panels[0].clone());
    five.panels.push(five.panels[1].clone());
    let five = decode_chart(&png(&five).unwrap(), 1000..=2000);
    assert!(five.1 > three.1 + 300, "{} vs {}", five.1, three.1);
    let mut one = compare(false);
    one.panels.truncate(1);
    decode_chart(&png(&one).unwrap(), 600..=1100);
}

#[test]
fn compare_svg_has_titles_variants_and_percent_ticks() {
    let svg = to_svg(&compare(false)).unwrap();
    for text in [
        "Fine chemicals: variants compared",
        "Market size",
        "Domestic sales",
        "base",
        "delayed start (2027)",
        "smaller market (280 trillion KRW in 2031)",
        "15%",
        "2031",
        "Year",
        "Source: made-up example",
    ] {
        assert!(svg.contains(text), "missing {text}");
    }
    assert!(!svg.contains("2023.5"));
    // Each variant in its own colour; the base solid and thicker (one polyline per panel
    // and one in the legend), the others dashed (many short polylines).
    assert_eq!(svg_lines(&svg, "#0072B2", 4), 4);
    assert!(svg_lines(&svg, "#D55E00", 3) > 20);
    assert!(svg_lines(&svg, "#009E73", 3) > 20);
}

#[test]
fn compare_odd_last_panel_is_centred() {
    let svg = to_svg(&compare(false)).unwrap();
    let x = |label: &str| svg_text_pos(&svg, label).unwrap_or_else(|| panic!("no {label}"));
    let (first, second, third) = (x("Market size"), x("Domestic sales"), x("Share"));
    assert_eq!(first.1, second.1);
    assert!(third.1 > first.1);
    // Halfway between the two columns.
    let middle = (first.0 + second.0) / 2.0;
    assert!((third.0 - middle).abs() <= 2.0, "{third:?} vs {middle}");
}

#[test]
fn compare_korean_chart_renders() {
    let img = decode_chart(&png(&compare(true)).unwrap(), 800..=1400);
    assert!(title_ink(&img) > 1000);
    let svg = to_svg(&compare(true)).unwrap();
    assert!(svg.contains("정밀화학 시나리오 비교") && svg.contains("착수 지연 (2027년)"));
    assert!(svg.contains("시장 축소 (2031년 280조 원)"));
}

#[test]
fn compare_gaps_split_lines() {
    let mut chart = compare(false);
    chart.panels[0].lines[0][4] = f64::NAN;
    let svg = to_svg(&chart).unwrap();
    assert_eq!(svg_lines(&svg, "#0072B2", 4), 5);
    // Short lines, a variant missing from a panel, lone values and a panel without any
    // value all render.
    chart.panels[1].lines[1].truncate(4);
    chart.panels[1].lines.truncate(2);
    chart.panels[2].lines[2] = vec![f64::NAN, 0.1, f64::NAN, 0.12, f64::NAN, 0.1, 0.1, 0.1, 0.1];
    chart.panels.push(ComparePanel {
        title: "Nothing yet".into(),
        axis: "units".into(),
        percent: false,
        lines: vec![vec![f64::NAN; 9]],
        observed: vec![(2024, 3.0), (2040, 5.0)],
    });
    decode_chart(&png(&chart).unwrap(), 1000..=2000);
}

#[test]
fn compare_eight_variants_render() {
    let mut chart = compare(false);
    chart.variants = (0..8).map(|i| format!("variant {i}")).collect();
    for p in &mut chart.panels {
        let first = p.lines[0].clone();
        p.lines = (0..8)
            .map(|i| first.iter().map(|v| v * (1.0 + 0.05 * i as f64)).collect())
            .collect();
    }
    let svg = to_svg(&chart).unwrap();
    assert!((0..8).all(|i| svg.contains(&format!("variant {i}"))));
    decode_chart(&png(&chart).unwrap(), 800..=1500);
}

#[test]
fn compare_degenerate_inputs_render_or_fail_cleanly() {
    // A single year: short strokes.
    let mut single = compare(false);
    single.years = vec![2031];
    for p in &mut single.panels {
        for l in &mut p.lines {
            l.drain(..8);
        }
    }
    decode_chart(&png(&single).unwrap(), 800..=1400);
    let errors = [
        CompareChart {
            variants: Vec::new(),
            ..compare(false)
        },
        CompareChart {
            panels: Vec::new(),
            ..compare(false)
        },
        CompareChart {
            years: Vec::new(),
            ..compare(false)
        },
        CompareChart {
            years: (2023..=2031).rev().collect(),
            ..compare(false)
        },
    ];
    for chart in &errors {
        assert!(png(chart).is_err());
        assert!(to_svg(chart).is_err());
    }
    // More lines than variants, or more values than years.
    let mut extra_line = compare(false);
    extra_line.panels[0].lines.push(vec![1.0; 9]);
    assert!(png(&extra_line).is_err());
    let mut long_line = compare(false);
    long_line.panels[2].lines[1].push(0.2);
    assert!(to_svg(&long_line).is_err());
}

// ---------------------------------------------------------------------------------------
// Stacked chart.

fn stacked(korean: bool) -> StackedChart {
    let l = |ko: &str, en: &str| String::from(if korean { ko } else { en });
    StackedChart {
        money: Money::Plain,
        title: l(
            "정밀화학 시장: 수요 산업별",
            "Fine-chemical market by end use",
        ),
        subtitle: l("2023–2031년", "2023–2031"),
        year_axis: l("연도", "Year"),
        value_axis: l("조 원", "trillion KRW"),
        years: (2023..=2031).collect(),
        segments: vec![
            (l("반도체", "semiconductors"), growth(96.0, 198.0, 9)),
            (l("디스플레이", "displays"), growth(40.0, 77.0, 9)),
            (l("이차전지", "secondary batteries"), growth(24.0, 72.0, 9)),
        ],
        stated_totals: vec![(2023, 160.0), (2031, 350.0)],
        stated_label: l("제시된 시장 규모", "stated market size"),
        footnotes: vec![l("자료: 가상의 예", "Source: made-up example")],
    }
}

#[test]
fn stacked_png_decodes_and_is_deterministic() {
    let chart = stacked(false);
    let bytes = png(&chart).unwrap();
    let img = decode_chart(&bytes, 1120..=1120);
    assert!(title_ink(&img) > 1000);
    assert_eq!(bytes, png(&chart).unwrap());
    // The stack is filled: the middle of the plot, low down, is the bottom segment's colour.
    let (w, h, rgb) = &img;
    let i = (((h - 200) * w + w / 2) * 3) as usize;
    assert!(rgb[i + 2] > rgb[i] + 60, "not blue: {:?}", &rgb[i..i + 3]);
}

#[test]
fn stacked_svg_has_segments_legend_and_axis() {
    let svg = to_svg(&stacked(false)).unwrap();
    for text in [
        "Fine-chemical market by end use",
        "semiconductors",
        "displays",
        "secondary batteries",
        "stated market size",
        "trillion KRW",
        "Year",
        "Source: made-up example",
    ] {
        assert!(svg.contains(text), "missing {text}");
    }
    // From 0 to a round value above the stack's top and the stated 350, by whole years.
    assert!(svg.contains("aria-label=\"0\"") && svg.contains("aria-label=\"400\""));
    assert!(svg.contains("aria-label=\"2027\"") && !svg.contains("2023.5"));
    // One filled area per segment.
    assert!(svg.matches("<polygon").count() >= 3);
    // A stated total far above the stack raises the axis.
    let mut high = stacked(false);
    high.stated_totals.push((2030, 520.0));
    assert!(to_svg(&high).unwrap().contains("aria-label=\"600\""));
    // No stated totals (or none inside the years): no legend entry for them.
    let mut none = stacked(false);
    none.stated_totals = vec![(1990, 100.0), (2031, f64::NAN)];
    let svg = to_svg(&none).unwrap();
    assert!(!svg.contains("stated market size"));
}

#[test]
fn stacked_korean_chart_renders() {
    let img = decode_chart(&png(&stacked(true)).unwrap(), 1120..=1120);
    assert!(title_ink(&img) > 1000);
    let svg = to_svg(&stacked(true)).unwrap();
    assert!(svg.contains("정밀화학 시장: 수요 산업별") && svg.contains("이차전지"));
    assert!(svg.contains("제시된 시장 규모"));
}

#[test]
fn stacked_degenerate_inputs_render_or_fail_cleanly() {
    // NaN counts as zero; zero segments and a single year render.
    let mut odd = stacked(false);
    odd.segments[1].1[4] = f64::NAN;
    odd.segments[2].1 = vec![0.0; 9];
    decode_chart(&png(&odd).unwrap(), 1120..=1120);
    let mut single = stacked(false);
    single.years = vec![2031];
    for s in &mut single.segments {
        s.1.drain(..8);
    }
    decode_chart(&png(&single).unwrap(), 1120..=1120);
    let mut negative = stacked(false);
    negative.segments[0].1[3] = -1.0;
    let mut infinite = stacked(false);
    infinite.segments[2].1[8] = f64::INFINITY;
    let mut short = stacked(false);
    short.segments[1].1.pop();
    let mut overflow = stacked(false);
    overflow.segments[0].1[0] = f64::MAX;
    overflow.segments[1].1[0] = f64::MAX;
    let errors = [
        negative,
        infinite,
        short,
        overflow,
        StackedChart {
            segments: Vec::new(),
            ..stacked(false)
        },
        StackedChart {
            years: Vec::new(),
            ..stacked(false)
        },
        StackedChart {
            years: vec![2023, 2025, 2024, 2026, 2027, 2028, 2029, 2030, 2031],
            ..stacked(false)
        },
    ];
    for chart in &errors {
        assert!(png(chart).is_err());
        assert!(to_svg(chart).is_err());
    }
    let err = to_svg(&errors[0]).unwrap_err().to_string();
    assert!(
        err.contains("semiconductors") && err.contains("2026"),
        "{err}"
    );
}

#[test]
fn extreme_values_never_panic() {
    for v in [
        1e308,
        -1e308,
        f64::MAX,
        f64::MIN_POSITIVE,
        f64::INFINITY,
        f64::NAN,
    ] {
        let mut f = fan(false);
        f.panels[0].percentiles[6][8] = v;
        f.panels[1].deterministic[0] = -v;
        f.panels[2].stated.push((2030, v));
        let _ = to_svg(&f);
        let mut t = tornado(false);
        t.bars[0].output_at_high = v;
        t.bars[1].output_at_low = -v;
        let _ = to_svg(&t);
        let _ = to_svg(&TornadoChart {
            base: v,
            ..tornado(false)
        });
        let mut h = histogram(false);
        h.bins.push((v, v, 0.1));
        h.markers.push((-v, "far".into()));
        let _ = to_svg(&h);
        let mut s = sobol(false);
        s.inputs[0].first = (v, -v, v);
        let _ = to_svg(&s);
        let mut c = compare(false);
        c.panels[0].lines[1][3] = v;
        c.panels[2].lines[2][8] = -v;
        let _ = to_svg(&c);
        let mut st = stacked(false);
        st.segments[0].1[2] = v;
        st.stated_totals.push((2030, -v));
        let _ = to_svg(&st);
    }
    // And one PNG with an axis spanning most of the f64 range.
    let mut h = histogram(false);
    h.bins = vec![(-1e308, 1e308, 1.0)];
    assert!(png(&h).is_ok());
}
