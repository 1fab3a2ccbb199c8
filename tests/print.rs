//! Charts for print: the printed width and resolution from the command line, recorded in
//! the PNG and the SVG; no text under 7 pt at the default 16 cm; the SVG the same drawing
//! as the PNG without any font; bad sizes refused before anything is written.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::{kjproj, repo};

use std::path::Path;

use predicates::prelude::*;
use tempfile::TempDir;

/// Width, height and (pixels per metre) of a PNG file.
fn png_info(path: &Path) -> (u32, u32, Option<u32>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    let dims = info.pixel_dims.map(|d| {
        assert_eq!(d.unit, png::Unit::Meter);
        assert_eq!(d.xppu, d.yppu);
        d.xppu
    });
    (info.width, info.height, dims)
}

/// RGB pixels of a PNG file.
fn png_pixels(path: &Path) -> Vec<u8> {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    buf
}

/// Sizes in points of the em of every glyph in a chart's SVG printed `width_mm` wide.
/// Every glyph is drawn as `<use … transform="matrix(s 0 0 -s x y)">` of a shape in font
/// units: its em is s × units-per-em SVG pixels, of which the width has `viewBox` many.
fn glyph_points(svg: &str, width_mm: f64) -> Vec<f64> {
    use ab_glyph::Font;
    let font = ab_glyph::FontRef::try_from_slice(include_bytes!("../assets/fonts/NanumGothic.ttf"))
        .unwrap();
    let upem = f64::from(font.units_per_em().unwrap());
    let view_w: f64 = svg
        .split(r#"viewBox="0 0 "#)
        .nth(1)
        .and_then(|v| v.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    let pt_per_px = width_mm / 25.4 * 72.0 / view_w;
    svg.split("matrix(")
        .skip(1)
        .map(|m| m.split(' ').next().unwrap().parse::<f64>().unwrap() * upem * pt_per_px)
        .collect()
}

/// Runs korea_israel (no Monte Carlo needed for the paths chart) with `args`.
fn run(out: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    kjproj()
        .arg("run")
        .arg(repo("scenarios/korea_israel.toml"))
        .args(["--quiet", "--draws", "2000", "--sobol", "0", "--out"])
        .arg(out)
        .args(args)
        .assert()
}

#[test]
fn the_default_is_16_cm_at_300_dpi_with_no_text_under_7_pt() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    run(&out, &["--svg"]).success();
    // 16 cm at 300 dpi = 1889.76 px; 300 dpi = 11,811 px per metre.
    let (w, _, ppm) = png_info(&out.join("paths.png"));
    assert_eq!((w, ppm), (1890, Some(11_811)));
    let svg = std::fs::read_to_string(out.join("paths.svg")).unwrap();
    assert!(
        svg.starts_with(r#"<svg width="160.00mm" height=""#),
        "{}",
        &svg[..80]
    );
    let sizes = glyph_points(&svg, 160.0);
    assert!(sizes.len() > 100, "{} glyphs", sizes.len());
    let smallest = sizes.iter().copied().fold(f64::INFINITY, f64::min);
    let largest = sizes.iter().copied().fold(0.0, f64::max);
    assert!(smallest >= 7.0, "text at {smallest:.2} pt");
    assert!(largest <= 16.0, "text at {largest:.2} pt");
}

#[test]
fn width_and_resolution_from_the_command_line() {
    let dir = TempDir::new().unwrap();
    for (chart_width, dpi, width, ppm, svg_width) in [
        ("25cm", "150", 1476, 5906, "250.00mm"),
        ("6.3in", "96", 605, 3780, "160.02mm"),
        ("1400px", "200", 1400, 7874, "177.80mm"),
        ("120mm", "600", 2835, 23_622, "120.00mm"),
    ] {
        let args = ["--chart-width", chart_width, "--dpi", dpi];
        let out = dir.path().join(chart_width);
        run(&out, &args).success();
        run(&out, &[&args[..], &["--svg"]].concat()).success();
        let (w, _, p) = png_info(&out.join("paths.png"));
        assert_eq!((w, p), (width, Some(ppm)), "{args:?}");
        let svg = std::fs::read_to_string(out.join("paths.svg")).unwrap();
        assert!(
            svg.starts_with(&format!(r#"<svg width="{svg_width}""#)),
            "{args:?}"
        );
    }
    // A wider chart gives the data more room, not larger letters: text has the same
    // sizes in points at 25 cm as at 16 cm (6.3 in).
    let points = |dir_name: &str, mm: f64| {
        let svg = std::fs::read_to_string(dir.path().join(dir_name).join("paths.svg")).unwrap();
        let mut sizes = glyph_points(&svg, mm);
        sizes.sort_by(f64::total_cmp);
        sizes.dedup_by(|a, b| (*a - *b).abs() < 0.05);
        sizes
    };
    let (narrow, wide) = (points("6.3in", 160.02), points("25cm", 250.0));
    assert_eq!(narrow.len(), wide.len(), "{narrow:?} vs {wide:?}");
    for (a, b) in narrow.iter().zip(&wide) {
        assert!((a - b).abs() < 0.05, "{narrow:?} vs {wide:?}");
    }
}

#[test]
fn the_svg_is_the_png_drawn_without_fonts() {
    use resvg::{tiny_skia, usvg};
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    run(&out, &["--svg", "--lang", "ko", "--dpi", "150"]).success();
    for chart in ["paths", "fan", "tornado"] {
        let svg = std::fs::read_to_string(out.join(format!("{chart}.svg"))).unwrap();
        assert!(!svg.contains("<text") && !svg.contains("font-family"));
        // usvg without its `text` feature has no fonts at all: any text would vanish.
        let tree = usvg::Tree::from_str(&svg, &usvg::Options::default()).unwrap();
        let (w, h, _) = png_info(&out.join(format!("{chart}.png")));
        let mut pixmap = tiny_skia::Pixmap::new(w, h).unwrap();
        pixmap.fill(tiny_skia::Color::WHITE);
        let scale = w as f32 / tree.size().width();
        resvg::render(
            &tree,
            tiny_skia::Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        );
        let png = png_pixels(&out.join(format!("{chart}.png")));
        let rgb: Vec<u8> = pixmap
            .data()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        assert_eq!(rgb.len(), png.len());
        // The same drawing, up to the rounding of the millimetre size back to pixels
        // (anti-aliased edges move by a fraction of a pixel).
        let differing = rgb
            .iter()
            .zip(&png)
            .filter(|(a, b)| a.abs_diff(**b) > 8)
            .count();
        let total: u64 = rgb
            .iter()
            .zip(&png)
            .map(|(a, b)| u64::from(a.abs_diff(*b)))
            .sum();
        assert!(
            differing * 100 < png.len() && (total as f64) < 0.5 * png.len() as f64,
            "{chart}: {differing} of {} channels differ, {total} in all",
            png.len()
        );
        // Korean text is there as shapes (the year axis title, or the tornado's legend).
        assert!(svg.contains(r#"aria-label="연도""#) || svg.contains("aria-label=\"입력값"));
    }
}

#[test]
fn impossible_sizes_are_usage_errors_and_nothing_is_written() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    for (args, message) in [
        (&["--chart-width", "16"][..], "'16' has no unit"),
        (&["--chart-width", "5cm"], "charts are 8 to 100 cm wide"),
        (&["--chart-width", "16pt"], "unknown unit 'pt'"),
        (&["--chart-width=-3cm"], "is not a positive number"),
        (&["--chart-width", "20000px"], "a whole number up to 16000"),
        (&["--dpi", "10"], "from 50 to 1200"),
        (&["--dpi", "NaN"], "from 50 to 1200"),
        // 1000 px at 600 dpi would print 4.2 cm wide.
        (
            &["--chart-width", "1000px", "--dpi", "600"],
            "a chart width of 4.2 cm is outside 8–100 cm",
        ),
        // 16,000 px wide is allowed, but the paths chart would be 16,000 × 12,801 px.
        (
            &["--chart-width", "16000px", "--dpi", "600"],
            "paths.png would be too large: a 16000 × 12801 px chart has more than 40000000 \
             pixels; use a smaller --chart-width or --dpi",
        ),
        // 100 cm at 1200 dpi would be 47,244 px wide.
        (
            &["--chart-width", "100cm", "--dpi", "1200"],
            "more than 16000 px",
        ),
    ] {
        run(&out, args)
            .code(2)
            .stderr(predicate::str::contains(message));
        assert!(!out.exists(), "{args:?} wrote output");
    }
}

#[test]
fn report_and_compare_take_the_same_chart_options() {
    let dir = TempDir::new().unwrap();
    let report = dir.path().join("report");
    kjproj()
        .arg("report")
        .arg(repo("scenarios/korea_israel.toml"))
        .args(["--quiet", "--draws", "2000", "--sobol", "0", "--out"])
        .arg(&report)
        .args(["--chart-width", "12cm", "--dpi", "200", "--svg"])
        .assert()
        .success();
    // 12 cm at 200 dpi = 944.9 px; 200 dpi = 7,874 px per metre.
    assert_eq!(png_info(&report.join("paths.png")).0, 945);
    assert_eq!(png_info(&report.join("fan.png")).2, Some(7874));
    let compare = dir.path().join("compare");
    kjproj()
        .arg("compare")
        .arg(repo("scenarios/fine_chem.toml"))
        .arg(repo("scenarios/korea_israel.toml"))
        .args(["--quiet", "--chart-width", "20cm", "--svg", "--out"])
        .arg(&compare)
        .assert()
        .success();
    assert_eq!(png_info(&compare.join("compare.png")).0, 2362);
    let svg = std::fs::read_to_string(compare.join("compare.svg")).unwrap();
    assert!(svg.starts_with(r#"<svg width="200.00mm""#));
}
