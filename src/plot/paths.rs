//! The year-by-year paths chart: metrics in the upper panel, ratios (if any) in the lower
//! one, both over the same years, with given/stated points, vertical markers, a legend per
//! panel and wrapped footnotes.
//!
//! Everything is laid out in pixels on the root drawing area; plotters' chart context is
//! used only for the axes, grid and the value → pixel mapping. The same drawing code serves
//! PNG (drawn [`t::SUPERSAMPLE`] times larger, then scaled down) and SVG (drawn at 1×).

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::text::{FontBackend, text_size};
use super::theme as t;
use super::{ChartSeries, PathsChart, PlotError};

/// Renders `chart` as PNG bytes (8-bit RGB). The same chart always gives the same bytes.
pub fn render_png(chart: &PathsChart) -> Result<Vec<u8>, PlotError> {
    let plan = Plan::new(chart)?;
    let s = t::SUPERSAMPLE;
    let (w, h) = (t::WIDTH * s, plan.height * s);
    let mut big = vec![0_u8; w as usize * h as usize * 3];
    {
        let backend = FontBackend::raster(BitMapBackend::with_buffer(&mut big, (w, h)));
        let root = backend.into_drawing_area();
        draw(&root, chart, &plan, f64::from(s))?;
        root.present().map_err(PlotError::from_display)?;
    }
    let small = downsample(&big, w as usize, s as usize);
    encode_png(&small, t::WIDTH, plan.height)
}

/// Renders `chart` as an SVG document. Text is written as `<text>` elements in the
/// NanumGothic family (with CJK fallbacks), so the viewer's fonts draw it.
pub fn render_svg(chart: &PathsChart) -> Result<String, PlotError> {
    let plan = Plan::new(chart)?;
    let mut out = String::new();
    {
        let backend =
            FontBackend::delegating(SVGBackend::with_string(&mut out, (t::WIDTH, plan.height)));
        let root = backend.into_drawing_area();
        draw(&root, chart, &plan, 1.0)?;
        root.present().map_err(PlotError::from_display)?;
    }
    Ok(out)
}

/// Vertical layout at 1×, computed before drawing because the footnotes decide the height.
struct Plan {
    height: u32,
    footnotes: Vec<String>,
    /// Top of the panels.
    panels_top: f64,
    /// Bottom of the panels.
    panels_bottom: f64,
}

impl Plan {
    fn new(chart: &PathsChart) -> Result<Self, PlotError> {
        if chart.years.is_empty() {
            return Err(PlotError::new("the paths chart has no years"));
        }
        let title_h = f64::from(text_size(&chart.title, t::TITLE_SIZE)?.1);
        let sub_h = if chart.subtitle.is_empty() {
            0.0
        } else {
            f64::from(text_size(&chart.subtitle, t::SUBTITLE_SIZE)?.1 + t::TITLE_GAP)
        };
        let panels_top = f64::from(t::MARGIN_TOP + t::TITLE_GAP + t::HEADER_GAP) + title_h + sub_h;
        let max_w = f64::from(t::WIDTH - 2 * t::MARGIN_X);
        let mut footnotes = Vec::new();
        for note in &chart.footnotes {
            footnotes.extend(wrap(note, t::FOOTNOTE_SIZE, max_w)?);
        }
        let extra = footnotes.len().saturating_sub(t::RESERVED_FOOTNOTE_LINES) as u32;
        let height = t::HEIGHT + extra * t::FOOTNOTE_LINE;
        let footer = if footnotes.is_empty() {
            0
        } else {
            (footnotes.len() as u32 + 1) * t::FOOTNOTE_LINE
        };
        Ok(Plan {
            height,
            footnotes,
            panels_top,
            panels_bottom: f64::from(height - t::MARGIN_BOTTOM - footer),
        })
    }
}

/// Splits `text` into lines no wider than `max_w` pixels at font size `size`, breaking at
/// spaces, or anywhere inside a word that is too long on its own (URLs, unspaced CJK).
fn wrap(text: &str, size: f64, max_w: f64) -> Result<Vec<String>, PlotError> {
    let fits =
        |s: &str| -> Result<bool, PlotError> { Ok(f64::from(text_size(s, size)?.0) <= max_w) };
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if fits(&candidate)? {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if !fits(&line)? && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::replace(&mut line, c.to_string()));
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// A text style in the chart's font family.
fn font(size: f64, color: RGBColor, pos: Pos) -> TextStyle<'static> {
    (t::FONT_FAMILY, size).into_font().color(&color).pos(pos)
}

/// The bold variant of [`font`].
fn bold_font(size: f64, color: RGBColor, pos: Pos) -> TextStyle<'static> {
    (t::FONT_FAMILY, size, FontStyle::Bold)
        .into_font()
        .color(&color)
        .pos(pos)
}

/// Draws the whole chart; `k` is the pixel scale (1 for SVG, the supersampling for PNG).
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &PathsChart,
    plan: &Plan,
    k: f64,
) -> Result<(), PlotError> {
    let px = |v: f64| (v * k).round() as i32;
    let err = PlotError::from_display;
    root.fill(&WHITE).map_err(err)?;

    let left_top = Pos::new(HPos::Left, VPos::Top);
    let title_y = f64::from(t::MARGIN_TOP);
    let title_h = f64::from(text_size(&chart.title, t::TITLE_SIZE)?.1);
    let x0 = px(f64::from(t::MARGIN_X));
    root.draw(&Text::new(
        chart.title.as_str(),
        (x0, px(title_y)),
        bold_font(t::TITLE_SIZE * k, t::TITLE_COLOR, left_top),
    ))
    .map_err(err)?;
    root.draw(&Text::new(
        chart.subtitle.as_str(),
        (x0, px(title_y + title_h + f64::from(t::TITLE_GAP))),
        font(t::SUBTITLE_SIZE * k, t::TEXT_COLOR, left_top),
    ))
    .map_err(err)?;

    // Panels: the ratios panel only when there are ratios; it then carries the year axis.
    let (top, bottom) = (plan.panels_top, plan.panels_bottom);
    let years = YearAxis::new(&chart.years);
    let metric_values = ValueAxis::for_series(&chart.metrics, false);
    let ratio_values = ValueAxis::for_series(&chart.ratios, chart.ratios_as_percent);
    let mut y_label_area = metric_values.label_area(&chart.metric_axis)?;
    if !chart.ratios.is_empty() {
        y_label_area = y_label_area.max(ratio_values.label_area(&chart.ratio_axis)?);
    }
    let metrics = PanelSpec {
        series: &chart.metrics,
        values: &metric_values,
        y_label_area,
        first_colour: 0,
        y_desc: &chart.metric_axis,
        x_desc: None,
        marker_labels: true,
    };
    let panel_area = |y0: f64, y1: f64| {
        root.clone().shrink(
            (x0, px(y0)),
            (
                px(f64::from(t::WIDTH - 2 * t::MARGIN_X)) as u32,
                px(y1 - y0) as u32,
            ),
        )
    };
    if chart.ratios.is_empty() {
        let spec = PanelSpec {
            x_desc: Some(&chart.year_axis),
            ..metrics
        };
        draw_panel(root, &panel_area(top, bottom), chart, &years, &spec, k)?;
    } else {
        let split = top + (bottom - top) * t::UPPER_SHARE;
        draw_panel(root, &panel_area(top, split), chart, &years, &metrics, k)?;
        let ratios = PanelSpec {
            series: &chart.ratios,
            values: &ratio_values,
            y_label_area,
            first_colour: chart.metrics.len(),
            y_desc: &chart.ratio_axis,
            x_desc: Some(&chart.year_axis),
            marker_labels: false,
        };
        let lower = panel_area(split + f64::from(t::PANEL_GAP), bottom);
        draw_panel(root, &lower, chart, &years, &ratios, k)?;
    }

    let mut y = bottom + f64::from(t::FOOTNOTE_LINE) * 0.6;
    for line in &plan.footnotes {
        root.draw(&Text::new(
            line.as_str(),
            (x0, px(y)),
            font(t::FOOTNOTE_SIZE * k, t::FOOTNOTE_COLOR, left_top),
        ))
        .map_err(err)?;
        y += f64::from(t::FOOTNOTE_LINE);
    }
    Ok(())
}

/// What one panel shows.
#[derive(Clone, Copy)]
struct PanelSpec<'a> {
    series: &'a [ChartSeries],
    values: &'a ValueAxis,
    /// Width of the y-axis label area, the same for both panels so their plots align.
    y_label_area: f64,
    /// Palette index of the first series, so ratio colours differ from metric colours.
    first_colour: usize,
    y_desc: &'a str,
    /// Year axis description, shown under the bottom panel only.
    x_desc: Option<&'a str>,
    /// Whether the marker labels go in this panel (the top one).
    marker_labels: bool,
}

/// The shared x axis: the year range with a little padding and integer-year ticks.
struct YearAxis {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl YearAxis {
    fn new(years: &[i32]) -> Self {
        let first = years.iter().copied().min().unwrap_or(0);
        let last = years.iter().copied().max().unwrap_or(first);
        let span = i64::from(last) - i64::from(first);
        // Whole years only: every year up to 15 years, else a round step (≤ 12 ticks).
        let step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000]
            .into_iter()
            .find(|&s| if s == 1 { span < 15 } else { span / s <= 12 })
            .unwrap_or(span / 10 + 1);
        let start = i64::from(first) + (step - i64::from(first).rem_euclid(step)) % step;
        let ticks = (start..=i64::from(last))
            .step_by(usize::try_from(step).unwrap_or(1))
            .map(|y| y as f64)
            .collect();
        // Padding keeps first/last points and markers off the axis lines.
        let pad = if span < 15 { 0.35 } else { span as f64 * 0.025 };
        YearAxis {
            range: f64::from(first) - pad..f64::from(last) + pad,
            ticks,
        }
    }
}

/// A "nice" value axis: round ticks from (at most) zero to just above the data.
struct ValueAxis {
    ticks: Vec<f64>,
    decimals: usize,
    percent: bool,
}

impl ValueAxis {
    /// The axis for all values, given points and stated figures of `series`.
    fn for_series(series: &[ChartSeries], percent: bool) -> Self {
        let (lo, hi) = series
            .iter()
            .flat_map(|s| {
                let points = s.given.iter().chain(&s.stated).map(|p| p.1);
                s.values.iter().copied().chain(points)
            })
            .filter(|v| v.is_finite())
            .fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        ValueAxis::new(lo, hi, percent)
    }

    fn new(lo: f64, hi: f64, percent: bool) -> Self {
        let (lo, hi) = (lo.min(0.0), hi.max(0.0));
        let span = if hi > lo { hi - lo } else { 1.0 };
        // The finest 1-2-5 step that needs at most 7 intervals, headroom included.
        let intervals = |step: f64| {
            let mut first = (lo / step).floor() as i64;
            let mut last = (hi / step).ceil() as i64;
            // Head (and foot) room, so extreme lines never run along the frame; zero is a
            // natural edge and needs none.
            if hi > 0.0 && last as f64 * step - hi < 0.04 * span {
                last += 1;
            }
            if lo < 0.0 && lo - first as f64 * step < 0.04 * span {
                first -= 1;
            }
            (first, last)
        };
        let mag = 10_f64.powf((span / 10.0).log10().floor());
        let (step, (first, last)) = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
            .into_iter()
            .map(|m| (m * mag, intervals(m * mag)))
            .find(|(_, (f, l))| l - f <= 7)
            .unwrap_or((100.0 * mag, intervals(100.0 * mag)));
        let ticks = (first..=last).map(|i| i as f64 * step).collect();
        // Decimals needed to show the step exactly (percent labels show step × 100).
        let shown = if percent { step * 100.0 } else { step };
        let is_whole = |x: f64| (x - x.round()).abs() <= 1e-6 * x.abs().max(1.0);
        let mut decimals = 0;
        while decimals < 9 && !is_whole(shown * 10_f64.powi(decimals as i32)) {
            decimals += 1;
        }
        ValueAxis {
            ticks,
            decimals,
            percent,
        }
    }

    /// Tick label: grouped digits, as a percentage for shares (0.15 → "15%").
    fn label(&self, v: f64) -> String {
        if self.percent {
            format!("{}%", format_number(v * 100.0, self.decimals))
        } else {
            format_number(v, self.decimals)
        }
    }

    /// Width (1×) the y-axis label area needs: rotated description, gap, widest tick
    /// label, and plotters' label distance (twice the tick mark length).
    fn label_area(&self, desc: &str) -> Result<f64, PlotError> {
        let mut widest = 0;
        for v in &self.ticks {
            widest = widest.max(text_size(&self.label(*v), t::TICK_SIZE)?.0);
        }
        let desc_h = text_size(desc, t::AXIS_DESC_SIZE)?.1;
        Ok(f64::from(
            desc_h + t::Y_DESC_GAP + widest + 2 * t::TICK_LENGTH,
        ))
    }

    fn range(&self) -> Range<f64> {
        let lo = self.ticks.first().copied().unwrap_or(0.0);
        lo..self.ticks.last().copied().unwrap_or(lo + 1.0)
    }
}

/// A linear f64 axis with exactly the given ticks (plotters' own `WithKeyPoints` cannot
/// be used with `configure_mesh`). Grid lines and labels go at the ticks; there are no
/// light (minor) lines.
#[derive(Clone)]
struct Ticked {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ticked {
    fn new(range: Range<f64>, ticks: Vec<f64>) -> Self {
        Ticked {
            inner: range.into(),
            ticks,
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

impl ValueFormatter<f64> for Ticked {
    // Only reached if a chart forgets its label formatter; never panic.
    fn format_ext(&self, value: &f64) -> String {
        value.to_string()
    }
}

/// Formats with thousands separators; `-0` is shown as `0`.
fn format_number(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    let is_zero = s.chars().all(|c| c == '0' || c == '.');
    if v < 0.0 && !is_zero {
        out.insert(0, '-');
    }
    out
}

/// Finite (year, value) points of a series, split into runs at gaps (non-finite values).
fn runs(years: &[i32], s: &ChartSeries) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut run = Vec::new();
    for (y, v) in years.iter().zip(&s.values) {
        if v.is_finite() {
            run.push((f64::from(*y), *v));
        } else if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// Axis-aligned pixel rectangle, used to keep the legend clear of data and labels.
#[derive(Clone, Copy)]
struct Rect {
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
}

impl Rect {
    fn contains(&self, (x, y): (i32, i32)) -> bool {
        (self.x0..=self.x1).contains(&x) && (self.y0..=self.y1).contains(&y)
    }
    fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
}

/// Draws one panel: axes and grid, marker lines, series, points, marker labels, legend.
fn draw_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    chart: &PathsChart,
    years: &YearAxis,
    spec: &PanelSpec<'_>,
    k: f64,
) -> Result<(), PlotError> {
    let px = |v: f64| (v * k).round() as i32;
    let upx = |v: f64| (v * k).round().max(1.0) as u32;
    let err = PlotError::from_display;

    let values = spec.values;
    let x_area = t::X_TICK_AREA + spec.x_desc.map_or(0, |_| t::X_DESC_AREA);
    let mut cc = ChartBuilder::on(area)
        .margin_top(px(6.0))
        .margin_right(px(f64::from(t::PLOT_MARGIN_RIGHT)))
        .x_label_area_size(px(f64::from(x_area)))
        .y_label_area_size(px(spec.y_label_area))
        .build_cartesian_2d(
            Ticked::new(years.range.clone(), years.ticks.clone()),
            Ticked::new(values.range(), values.ticks.clone()),
        )
        .map_err(err)?;

    let tick_style = font(
        t::TICK_SIZE * k,
        t::TICK_COLOR,
        Pos::new(HPos::Left, VPos::Top),
    );
    let desc_style = font(
        t::AXIS_DESC_SIZE * k,
        t::TEXT_COLOR,
        Pos::new(HPos::Left, VPos::Top),
    );
    let fmt_year = |v: &f64| format!("{}", v.round() as i64);
    let fmt_value = |v: &f64| values.label(*v);
    let mut mesh = cc.configure_mesh();
    mesh.disable_x_mesh()
        .bold_line_style(t::GRID_COLOR.stroke_width(upx(1.0)))
        .axis_style(t::AXIS_COLOR.stroke_width(upx(1.0)))
        .set_all_tick_mark_size(px(f64::from(t::TICK_LENGTH)))
        .x_label_style(tick_style.clone())
        .y_label_style(tick_style)
        .x_label_formatter(&fmt_year)
        .y_label_formatter(&fmt_value)
        .axis_desc_style(desc_style)
        .y_desc(spec.y_desc);
    if let Some(desc) = spec.x_desc {
        mesh.x_desc(desc);
    }
    mesh.draw().map_err(err)?;

    let (xr, yr) = cc.plotting_area().get_pixel_range();
    let plot = Rect {
        x0: xr.start,
        y0: yr.start,
        x1: xr.end - 1,
        y1: yr.end - 1,
    };
    let to_px = |x: f64, y: f64| cc.backend_coord(&(x, y));
    let in_x = |x: f64| years.range.contains(&x);
    // Pixels the legend should avoid, with how much each one matters.
    let mut avoid: Vec<(i32, i32)> = Vec::new();
    let mut avoid_rects: Vec<Rect> = Vec::new();

    // Vertical dashed marker lines, under the data.
    let marker_style = t::MARKER_COLOR.stroke_width(upx(1.5));
    for (year, label) in &chart.markers {
        let x = f64::from(*year);
        if !in_x(x) {
            continue;
        }
        let xp = to_px(x, 0.0).0;
        let (dash, gap) = (px(t::DASH.0), px(t::DASH.1));
        let mut y = plot.y0;
        while y < plot.y1 {
            let end = (y + dash).min(plot.y1);
            root.draw(&PathElement::new(vec![(xp, y), (xp, end)], marker_style))
                .map_err(err)?;
            avoid.push((xp, y));
            y = end + gap;
        }
        if spec.marker_labels && !label.is_empty() {
            let size = t::LEGEND_SIZE * k;
            let (w, h) = text_size(label, size)?;
            let (w, h) = (w as i32, h as i32);
            let pad = px(6.0);
            // Right of the line, unless that would run out of the plot.
            let lx = if xp + pad + w + pad <= plot.x1 {
                xp + pad
            } else {
                xp - pad - w
            };
            let ly = plot.y0 + px(8.0);
            let r = Rect {
                x0: lx - px(3.0),
                y0: ly - px(2.0),
                x1: lx + w + px(3.0),
                y1: ly + h + px(2.0),
            };
            root.draw(&Rectangle::new(
                [(r.x0, r.y0), (r.x1, r.y1)],
                WHITE.mix(t::LEGEND_OPACITY).filled(),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                label.as_str(),
                (lx, ly),
                font(size, t::TEXT_COLOR, Pos::new(HPos::Left, VPos::Top)),
            ))
            .map_err(err)?;
            avoid_rects.push(r);
        }
    }

    // Series lines, then their points on top.
    let colour = |i: usize| t::PALETTE[(spec.first_colour + i) % t::PALETTE.len()];
    let line_w = upx(t::LINE_WIDTH);
    for (i, s) in spec.series.iter().enumerate() {
        for run in runs(&chart.years, s) {
            let pts: Vec<(i32, i32)> = run.iter().map(|&(x, y)| to_px(x, y)).collect();
            for w in pts.windows(2) {
                sample_segment(w[0], w[1], px(3.0).max(1), &mut avoid);
            }
            avoid.extend(&pts);
            if let [only] = pts[..] {
                // A lone value (neighbours missing) would be an invisible zero-length line.
                root.draw(&Circle::new(only, line_w as i32, colour(i).filled()))
                    .map_err(err)?;
            } else {
                root.draw(&PathElement::new(pts, colour(i).stroke_width(line_w)))
                    .map_err(err)?;
            }
        }
    }
    let r_given = t::GIVEN_RADIUS * k;
    let r_stated = t::STATED_HALF * k;
    for (i, s) in spec.series.iter().enumerate() {
        for &(year, v) in &s.given {
            if in_x(f64::from(year)) && v.is_finite() {
                let c = to_px(f64::from(year), v);
                given_marker(root, c, r_given, colour(i), k)?;
                avoid_rects.push(square(c, r_given));
            }
        }
        for &(year, v) in &s.stated {
            if in_x(f64::from(year)) && v.is_finite() {
                let c = to_px(f64::from(year), v);
                stated_marker(root, c, r_stated, colour(i), k)?;
                avoid_rects.push(square(c, r_stated));
            }
        }
    }

    // Legend: one row per series, then the marker kinds present in this panel.
    let mut rows: Vec<(LegendKey, &str)> = spec
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (LegendKey::Line(colour(i)), s.label.as_str()))
        .collect();
    if spec.series.iter().any(|s| !s.given.is_empty()) {
        rows.push((LegendKey::Given, chart.given_label.as_str()));
    }
    if spec.series.iter().any(|s| !s.stated.is_empty()) {
        rows.push((LegendKey::Stated, chart.stated_label.as_str()));
    }
    if !rows.is_empty() {
        draw_legend(root, plot, &rows, &avoid, &avoid_rects, k)?;
    }
    Ok(())
}

/// Square of half-side `r` around `c`.
fn square(c: (i32, i32), r: f64) -> Rect {
    let r = r.ceil() as i32;
    Rect {
        x0: c.0 - r,
        y0: c.1 - r,
        x1: c.0 + r,
        y1: c.1 + r,
    }
}

/// Points every `step` pixels along a segment.
fn sample_segment(a: (i32, i32), b: (i32, i32), step: i32, out: &mut Vec<(i32, i32)>) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let n = (dx.abs().max(dy.abs()) / step).max(1);
    out.extend((0..=n).map(|i| (a.0 + dx * i / n, a.1 + dy * i / n)));
}

/// Filled circle with a thin white ring, so it stands out where it sits on its line.
fn given_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: (i32, i32),
    r: f64,
    colour: RGBColor,
    k: f64,
) -> Result<(), PlotError> {
    let err = PlotError::from_display;
    let ring = (r + 1.5 * k).round() as i32;
    root.draw(&Circle::new(c, ring, WHITE.filled()))
        .map_err(err)?;
    root.draw(&Circle::new(c, r.round() as i32, colour.filled()))
        .map_err(err)
}

/// Hollow diamond: an outer filled diamond with a white one inside, which avoids the
/// notched corners a thick closed outline gets from plotters' path rasteriser.
fn stated_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: (i32, i32),
    half: f64,
    colour: RGBColor,
    k: f64,
) -> Result<(), PlotError> {
    let err = PlotError::from_display;
    let diamond = |h: f64| {
        let h = h.round() as i32;
        vec![
            (c.0, c.1 - h),
            (c.0 + h, c.1),
            (c.0, c.1 + h),
            (c.0 - h, c.1),
        ]
    };
    // The inner diamond is inset by the stroke width measured perpendicular to the edges.
    let inner = half - t::STATED_STROKE * k * std::f64::consts::SQRT_2;
    root.draw(&Polygon::new(diamond(half), colour.filled()))
        .map_err(err)?;
    root.draw(&Polygon::new(diamond(inner), WHITE.filled()))
        .map_err(err)
}

/// The symbol in front of a legend row.
#[derive(Clone, Copy)]
enum LegendKey {
    Line(RGBColor),
    Given,
    Stated,
}

/// Draws the legend box in the free-est spot of the plot area: candidate spots along the
/// top and bottom edges are scored by how many data pixels and labels they would cover;
/// corners win ties.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: Rect,
    rows: &[(LegendKey, &str)],
    avoid: &[(i32, i32)],
    avoid_rects: &[Rect],
    k: f64,
) -> Result<(), PlotError> {
    let px = |v: f64| (v * k).round() as i32;
    let err = PlotError::from_display;
    let size = t::LEGEND_SIZE * k;
    let mut label_w = 0;
    let mut text_h = 0;
    for (_, label) in rows {
        let (w, h) = text_size(label, size)?;
        label_w = label_w.max(w as i32);
        text_h = text_h.max(h as i32);
    }
    let (pad, key_w, key_gap, row_gap) = (px(12.0), px(30.0), px(10.0), px(7.0));
    let n = rows.len() as i32;
    let w = pad + key_w + key_gap + label_w + pad;
    let h = pad * 2 + n * text_h + (n - 1) * row_gap;
    let inset = px(12.0);

    // Candidate top-left corners: corners first, then evenly along the top and bottom.
    let (left, right) = (plot.x0 + inset, plot.x1 - inset - w);
    let (top, bottom) = (plot.y0 + inset, plot.y1 - inset - h);
    let mut spots = vec![(left, top), (right, top), (left, bottom), (right, bottom)];
    for j in 1..8 {
        let x = left + (right - left) * j / 8;
        spots.push((x, top));
        spots.push((x, bottom));
    }
    let score = |&(x, y): &(i32, i32)| {
        let r = Rect {
            x0: x,
            y0: y,
            x1: x + w,
            y1: y + h,
        };
        let pixels = avoid.iter().filter(|p| r.contains(**p)).count();
        let labels = avoid_rects.iter().filter(|o| r.overlaps(o)).count();
        pixels + 50 * labels
    };
    let (x, y) = spots
        .iter()
        .min_by_key(|s| score(s))
        .copied()
        .unwrap_or((left, top));

    root.draw(&Rectangle::new(
        [(x, y), (x + w, y + h)],
        WHITE.mix(t::LEGEND_OPACITY).filled(),
    ))
    .map_err(err)?;
    root.draw(&Rectangle::new(
        [(x, y), (x + w, y + h)],
        t::LEGEND_BORDER.stroke_width((k.round() as u32).max(1)),
    ))
    .map_err(err)?;
    let mut ry = y + pad;
    for (key, label) in rows {
        let cy = ry + text_h / 2;
        let cx = x + pad + key_w / 2;
        match *key {
            LegendKey::Line(c) => root
                .draw(&PathElement::new(
                    vec![(x + pad, cy), (x + pad + key_w, cy)],
                    c.stroke_width((t::LINE_WIDTH * k).round() as u32),
                ))
                .map_err(err)?,
            LegendKey::Given => {
                given_marker(root, (cx, cy), t::GIVEN_RADIUS * k, t::TEXT_COLOR, k)?
            }
            LegendKey::Stated => {
                stated_marker(root, (cx, cy), t::STATED_HALF * k, t::TEXT_COLOR, k)?
            }
        }
        root.draw(&Text::new(
            *label,
            (x + pad + key_w + key_gap, cy),
            font(size, t::TEXT_COLOR, Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
        ry += text_h + row_gap;
    }
    Ok(())
}

/// Box-filters an RGB image `w` pixels wide down by `s` in both directions.
fn downsample(big: &[u8], w: usize, s: usize) -> Vec<u8> {
    let n = (s * s) as u32;
    let mut out = Vec::with_capacity(big.len() / (s * s));
    let mut acc = vec![0_u32; w / s * 3];
    // One band of `s` source rows makes one output row.
    for band in big.chunks_exact(w * 3 * s) {
        acc.fill(0);
        for row in band.chunks_exact(w * 3) {
            for (block, sum) in row.chunks_exact(3 * s).zip(acc.chunks_exact_mut(3)) {
                for p in block.chunks_exact(3) {
                    sum[0] += u32::from(p[0]);
                    sum[1] += u32::from(p[1]);
                    sum[2] += u32::from(p[2]);
                }
            }
        }
        out.extend(acc.iter().map(|&v| ((v + n / 2) / n) as u8));
    }
    out
}

/// Encodes an 8-bit RGB buffer as PNG; no timestamps or other varying chunks.
fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, PlotError> {
    let mut bytes = Vec::new();
    let mut enc = png::Encoder::new(&mut bytes, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Balanced);
    let mut writer = enc.write_header().map_err(PlotError::from_display)?;
    writer
        .write_image_data(rgb)
        .map_err(PlotError::from_display)?;
    writer.finish().map_err(PlotError::from_display)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axes() {
        let a = ValueAxis::new(9.4, 350.0, false);
        assert_eq!(a.ticks, vec![0.0, 100.0, 200.0, 300.0, 400.0]);
        assert_eq!(ValueAxis::new(0.0, 105.0, false).range().end, 120.0);
        assert_eq!(
            ValueAxis::new(-300.0, 5000.0, false).range(),
            -1000.0..6000.0
        );
        let r = ValueAxis::new(0.0, 0.15, true);
        assert_eq!(r.range().end, 0.2);
        assert_eq!(r.decimals, 0);
        let neg = ValueAxis::new(-3.0, 7.0, false);
        assert!(neg.ticks[0] <= -3.0 && neg.ticks.contains(&0.0));
    }

    #[test]
    fn year_ticks_are_whole_years() {
        let y = YearAxis::new(&(2023..=2031).collect::<Vec<_>>());
        assert_eq!(y.ticks.len(), 9);
        let long = YearAxis::new(&(2001..=2050).collect::<Vec<_>>());
        assert!(long.ticks.len() <= 12);
        assert_eq!(long.ticks[0], 2005.0);
        let vast = YearAxis::new(&[i32::MIN, i32::MAX]);
        assert!(vast.ticks.len() <= 12);
        assert!(long.ticks.iter().all(|t| t.fract() == 0.0));
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(format_number(12345.0, 0), "12,345");
        assert_eq!(format_number(-0.0001, 1), "0.0");
        assert_eq!(format_number(-2.5, 1), "-2.5");
        assert_eq!(format_number(15.0, 0), "15");
    }

    #[test]
    fn wrapping_respects_width() {
        let text = "Source: a rather long footnote that certainly needs more than one line at this width, with a https://very-long-url.example.com/that/cannot/be/broken/at/spaces/at/all/anywhere in it.";
        let lines = wrap(text, 16.5, 300.0).unwrap();
        assert!(lines.len() > 3);
        for l in &lines {
            assert!(text_size(l, 16.5).unwrap().0 <= 300, "{l}");
        }
    }
}
