//! Rendering tests for the paths chart through the public API: PNG validity and size,
//! determinism, Korean text, that text really is drawn, and text metrics.

use kjproj::plot::text::text_size;
use kjproj::plot::{ChartSeries, PathsChart, render_png, render_svg};

fn series(label: &str, values: Vec<f64>) -> ChartSeries {
    ChartSeries {
        label: label.into(),
        values,
        given: Vec::new(),
        stated: Vec::new(),
    }
}

/// The sample scenario of the demo, in English or Korean, with short footnotes.
fn sample(korean: bool) -> PathsChart {
    let l = |ko: &str, en: &str| String::from(if korean { ko } else { en });
    let market: Vec<f64> = (0..9).map(|i| 160.0 * 1.10279_f64.powi(i)).collect();
    let sales: Vec<f64> = (0..9).map(|i| 9.4 * 1.2384_f64.powi(i)).collect();
    let share = sales.iter().zip(&market).map(|(s, m)| s / m).collect();
    PathsChart {
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
            ..series(&l("점유율", "Share"), share)
        }],
        ratios_as_percent: true,
        markers: vec![(2025, l("사업 착수", "Programme start"))],
        given_label: l("입력값", "given"),
        stated_label: l("제시 수치", "stated"),
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
    let img = decode(&render_png(&sample(false)).unwrap());
    assert_eq!((img.0, img.1), (1400, 900));
}

#[test]
fn png_rendering_is_deterministic() {
    let chart = sample(false);
    assert_eq!(render_png(&chart).unwrap(), render_png(&chart).unwrap());
}

#[test]
fn title_text_is_drawn() {
    let img = decode(&render_png(&sample(false)).unwrap());
    let with_title = dark_pixels(&img, 0, 0, 700, 70);
    let blank = PathsChart {
        title: String::new(),
        ..sample(false)
    };
    let img = decode(&render_png(&blank).unwrap());
    let without = dark_pixels(&img, 0, 0, 700, 70);
    assert!(
        with_title > 1000,
        "only {with_title} dark pixels in the title band"
    );
    assert!(without < with_title / 10);
}

#[test]
fn korean_chart_renders() {
    let img = decode(&render_png(&sample(true)).unwrap());
    assert_eq!((img.0, img.1), (1400, 900));
    // Hangul title "한국 정밀화학 핵심소재" leaves plenty of ink.
    assert!(dark_pixels(&img, 0, 0, 700, 70) > 1000);
    let svg = render_svg(&sample(true)).unwrap();
    assert!(svg.contains("한국 정밀화학 핵심소재"));
}

#[test]
fn long_footnotes_wrap_and_grow_the_chart() {
    let long = "A long footnote about sources and methods that goes on and on. ".repeat(8);
    let chart = PathsChart {
        footnotes: vec![long.clone(), long],
        ..sample(false)
    };
    let img = decode(&render_png(&chart).unwrap());
    assert_eq!(img.0, 1400);
    assert!(img.1 > 900, "height {}", img.1);
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
fn svg_has_text_elements_in_the_embedded_family() {
    let svg = render_svg(&sample(false)).unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains("Korean core fine-chemical materials"));
    assert!(svg.contains("NanumGothic"));
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
    let img = decode(&render_png(&chart).unwrap());
    assert_eq!((img.0, img.1), (1400, 900));
    assert!(render_svg(&chart).is_ok());
}

#[test]
fn a_chart_without_years_is_an_error() {
    let chart = PathsChart {
        years: Vec::new(),
        ..sample(false)
    };
    assert!(render_png(&chart).is_err());
    assert!(render_svg(&chart).is_err());
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
