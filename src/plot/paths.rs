//! The year-by-year paths chart: metrics in the upper panel, ratios (if any) in the lower
//! one, both over the same years, with given/stated points, vertical markers, a legend per
//! panel and wrapped footnotes.
//!
//! Everything is laid out in pixels on the root drawing area; plotters' chart context is
//! used only for the axes, grid and the value → pixel mapping.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{ValueAxis, YearAxis, YearPlot, plot_rect};
use super::common::{
    self, Figure, Frame, Height, Rect, Sheet, dashed_path, draw_text, font, given_marker,
    observed_marks, observed_pixels, px, runs, sample_segment, stated_marker, sub_area, upx,
};
use super::legend::{self, Key};
use super::text::text_size;
use super::theme as t;
use super::{ChartSeries, PathsChart, PlotError};

common::chart_laid_out_by!(PathsChart, Layout::new);

/// The chart with its page frame laid out (the footnotes decide the height).
struct Layout<'a> {
    chart: &'a PathsChart,
    frame: Frame,
}

impl<'a> Layout<'a> {
    fn new(chart: &'a PathsChart, sheet: Sheet) -> Result<Self, PlotError> {
        if chart.years.is_empty() {
            return Err(PlotError::new("the paths chart has no years"));
        }
        let frame = |height| {
            Frame::new(
                sheet,
                &chart.title,
                &chart.subtitle,
                None,
                &chart.footnotes,
                height,
            )
        };
        // One panel per run of metrics in one unit, and one for the ratios; taller than
        // the fixed height when they would not fit in it.
        let units = chart
            .metrics
            .windows(2)
            .filter(|w| w[0].unit != w[1].unit)
            .count()
            + usize::from(!chart.metrics.is_empty());
        let panels = units + usize::from(!chart.ratios.is_empty());
        let least = panels as f64 * t::MIN_PATHS_PANEL;
        let fixed = frame(Height::Fixed)?;
        let frame = if fixed.body_bottom - fixed.body_top < least {
            frame(Height::Body(least))?
        } else {
            fixed
        };
        Ok(Layout { chart, frame })
    }
}

impl Figure for Layout<'_> {
    fn size(&self) -> (u32, u32) {
        self.frame.size()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        k: f64,
    ) -> Result<(), PlotError> {
        let chart = self.chart;
        self.frame.draw(root, k)?;

        // Panels: one per unit of the metrics (consecutive series in the same unit share
        // one), then the ratios panel when there are ratios; the bottom one carries the
        // year axis.
        let (top, bottom) = (self.frame.body_top, self.frame.body_bottom);
        fn unit_axis<'c>(chart: &'c PathsChart, s: &'c ChartSeries) -> &'c str {
            if s.unit.is_empty() {
                &chart.metric_axis
            } else {
                &s.unit
            }
        }
        let axis_of = |s| unit_axis(chart, s);
        let mut groups: Vec<(&str, &[ChartSeries], usize)> = Vec::new();
        let mut first = 0;
        for i in 1..=chart.metrics.len() {
            if i == chart.metrics.len()
                || axis_of(&chart.metrics[i]) != axis_of(&chart.metrics[first])
            {
                groups.push((
                    axis_of(&chart.metrics[first]),
                    &chart.metrics[first..i],
                    first,
                ));
                first = i;
            }
        }
        // Every panel: (series, palette index of the first, axis description, values).
        let mut panels: Vec<(&[ChartSeries], usize, &str, ValueAxis)> = groups
            .iter()
            .map(|&(axis, series, first_colour)| {
                let values = values_axis(series, false).in_money(axis, chart.money);
                (series, first_colour, axis, values)
            })
            .collect();
        if !chart.ratios.is_empty() {
            panels.push((
                &chart.ratios,
                chart.metrics.len(),
                &chart.ratio_axis,
                values_axis(&chart.ratios, chart.ratios_as_percent),
            ));
        }
        let mut y_label_area = 0.0_f64;
        for (_, _, axis, values) in &panels {
            y_label_area = y_label_area.max(values.label_area(axis)?);
        }
        let plot_w =
            self.frame.page.content_width() - y_label_area - f64::from(t::PLOT_MARGIN_RIGHT);
        let years = YearAxis::fitting(&chart.years, plot_w)?;
        // Heights: the metric panels share the upper part (all of it without ratios).
        let body = bottom - top;
        let gap = f64::from(t::PANEL_GAP);
        let metric_part = if chart.ratios.is_empty() {
            body
        } else {
            body * t::UPPER_SHARE
        };
        let n = groups.len() as f64;
        let metric_h = (metric_part - gap * (n - 1.0)) / n;
        let last = panels.len() - 1;
        let mut y = top;
        for (i, (series, first_colour, axis, values)) in panels.iter().enumerate() {
            let h = if i < groups.len() {
                metric_h
            } else {
                bottom - y
            };
            let spec = PanelSpec {
                series,
                values,
                y_label_area,
                first_colour: *first_colour,
                y_desc: axis,
                // The year axis under the bottom panel, marker labels in the top one.
                x_desc: (i == last).then_some(chart.year_axis.as_str()),
                marker_labels: i == 0,
            };
            let area = sub_area(
                root,
                f64::from(t::MARGIN_X),
                y,
                self.frame.page.content_width(),
                h,
                k,
            );
            draw_panel(root, &area, chart, &years, &spec, k)?;
            y += h + gap;
        }
        Ok(())
    }
}

/// The value axis for all values, given points and stated figures of `series`.
fn values_axis(series: &[ChartSeries], percent: bool) -> ValueAxis {
    let values = series.iter().flat_map(|s| {
        let points = s
            .given
            .iter()
            .chain(&s.stated)
            .chain(&s.observed)
            .map(|p| p.1);
        let cap = s.cap.as_ref().map(|c| c.0);
        s.values.iter().copied().chain(points).chain(cap)
    });
    ValueAxis::spanning(values, percent)
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

/// Finite (year, value) points of a series, split into runs at gaps (non-finite values).
fn series_runs(years: &[i32], s: &ChartSeries) -> Vec<Vec<(f64, f64)>> {
    let points: Vec<Option<(f64, f64)>> = years
        .iter()
        .zip(&s.values)
        .map(|(y, v)| v.is_finite().then_some((f64::from(*y), *v)))
        .collect();
    runs(&points)
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
    let px = |v: f64| px(k, v);
    let err = PlotError::from_display;

    let cc = YearPlot {
        years,
        values: spec.values,
        year_desc: spec.x_desc,
        value_desc: spec.y_desc,
        reserve_desc: false,
        y_area: spec.y_label_area,
        margin_top: 6.0,
    }
    .draw(area, k)?;
    let plot = plot_rect(&cc);
    let to_px = |x: f64, y: f64| cc.backend_coord(&(x, y));
    let in_x = |x: f64| years.range.contains(&x);
    // Pixels the legend should avoid, with how much each one matters.
    let mut avoid: Vec<(i32, i32)> = Vec::new();
    let mut avoid_rects: Vec<Rect> = Vec::new();

    // Vertical dashed marker lines, under the data.
    let marker_style = t::MARKER_COLOR.stroke_width(upx(k, 1.5));
    for (year, label) in &chart.markers {
        let x = f64::from(*year);
        if !in_x(x) {
            continue;
        }
        let xp = to_px(x, 0.0).0;
        dashed_path(root, &[(xp, plot.y0), (xp, plot.y1)], marker_style, k)?;
        sample_segment(
            (xp, plot.y0),
            (xp, plot.y1),
            px(t::DASH.0 + t::DASH.1),
            &mut avoid,
        );
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
            draw_text(
                root,
                label,
                (lx, ly),
                &font(size, t::TEXT_COLOR, Pos::new(HPos::Left, VPos::Top)),
            )?;
            avoid_rects.push(r);
        }
    }

    // Series lines, then their points on top.
    let colour = |i: usize| t::PALETTE[(spec.first_colour + i) % t::PALETTE.len()];
    // Caps of S-curves first, under everything: a thin dashed line, labelled at its right
    // end.
    for (i, s) in spec.series.iter().enumerate() {
        let Some((cap, label)) = &s.cap else {
            continue;
        };
        if !cap.is_finite() {
            continue;
        }
        let y = to_px(years.range.start, *cap).1;
        let style = colour(i).stroke_width(upx(k, 1.0));
        dashed_path(root, &[(plot.x0, y), (plot.x1, y)], style, k)?;
        sample_segment(
            (plot.x0, y),
            (plot.x1, y),
            px(t::DASH.0 + t::DASH.1),
            &mut avoid,
        );
        let size = t::LEGEND_SIZE * k;
        let (w, h) = text_size(label, size)?;
        let (lx, ly) = (plot.x1 - w as i32 - px(4.0), y - h as i32 - px(3.0));
        draw_text(
            root,
            label,
            (lx, ly),
            &font(size, colour(i), Pos::new(HPos::Left, VPos::Top)),
        )?;
        avoid_rects.push(Rect {
            x0: lx,
            y0: ly,
            x1: lx + w as i32,
            y1: ly + h as i32,
        });
    }
    let line_w = upx(k, t::LINE_WIDTH);
    for (i, s) in spec.series.iter().enumerate() {
        for run in series_runs(&chart.years, s) {
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
    // Observed values over the lines: data, in the series' colour.
    for (i, s) in spec.series.iter().enumerate() {
        let pts = observed_pixels(&s.observed, in_x, to_px);
        observed_marks(root, &pts, colour(i), k)?;
        avoid.extend(&pts);
    }
    let r_given = t::GIVEN_RADIUS * k;
    let r_stated = t::STATED_HALF * k;
    for (i, s) in spec.series.iter().enumerate() {
        for &(year, v) in &s.given {
            if in_x(f64::from(year)) && v.is_finite() {
                let c = to_px(f64::from(year), v);
                given_marker(root, c, r_given, colour(i), k)?;
                avoid_rects.push(Rect::square(c, r_given));
            }
        }
        for &(year, v) in &s.stated {
            if in_x(f64::from(year)) && v.is_finite() {
                let c = to_px(f64::from(year), v);
                stated_marker(root, c, r_stated, colour(i), k)?;
                avoid_rects.push(Rect::square(c, r_stated));
            }
        }
    }

    // Legend: one row per series, then the marker kinds present in this panel.
    let mut rows: Vec<(Key, &str)> = spec
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (Key::Line(colour(i)), s.label.as_str()))
        .collect();
    if spec.series.iter().any(|s| !s.given.is_empty()) {
        rows.push((Key::Given(t::TEXT_COLOR), chart.given_label.as_str()));
    }
    if spec.series.iter().any(|s| !s.stated.is_empty()) {
        rows.push((Key::Stated(t::TEXT_COLOR), chart.stated_label.as_str()));
    }
    if spec.series.iter().any(|s| !s.observed.is_empty()) {
        rows.push((Key::Observed(t::TEXT_COLOR), chart.observed_label.as_str()));
    }
    legend::draw_box(root, plot, &rows, &avoid, &avoid_rects, k)
}
