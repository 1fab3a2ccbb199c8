//! Monte Carlo fan charts: small multiples, one panel per series, each with shaded
//! percentile bands (P5–P95, P10–P90, P25–P75 in deepening tints of one hue), the median,
//! the deterministic path (dashed) and stated figures (hollow diamonds), under one shared
//! legend.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{Grid, Mesh, ValueAxis, YearAxis, draw_mesh, year_label};
use super::common::{
    self, Figure, Frame, Height, bold_font, dashed_path, draw_text, ellipsize, px, stated_marker,
    sub_area, tint, upx,
};
use super::legend::{Key, Strip};
use super::text::text_size;
use super::theme as t;
use super::{FanChart, FanPanel, PlotError};

/// Renders `chart` as PNG bytes (8-bit RGB). The same chart always gives the same bytes.
///
/// Fails when there are no panels or no years.
pub fn render_png(chart: &FanChart) -> Result<Vec<u8>, PlotError> {
    common::png(&Layout::new(chart)?)
}

/// Renders `chart` as an SVG document (text as `<text>` elements).
///
/// Fails when there are no panels or no years.
pub fn render_svg(chart: &FanChart) -> Result<String, PlotError> {
    common::svg(&Layout::new(chart)?)
}

/// Percentile indices (into [`FanPanel::percentiles`]) bounding each band, widest first.
const BANDS: [(usize, usize); 3] = [(0, 6), (1, 5), (2, 4)];
/// Index of the median in [`FanPanel::percentiles`].
const MEDIAN: usize = 3;

/// The chart laid out: page frame and the panel grid.
struct Layout<'a> {
    chart: &'a FanChart,
    frame: Frame<'a>,
    columns: usize,
    panel_h: f64,
    /// Width of every panel's y-axis label area, so plots align down the columns.
    y_area: f64,
    years: YearAxis,
    axes: Vec<ValueAxis>,
}

impl<'a> Layout<'a> {
    fn new(chart: &'a FanChart) -> Result<Self, PlotError> {
        if chart.panels.is_empty() {
            return Err(PlotError::new("the fan chart has no panels"));
        }
        if chart.years.is_empty() {
            return Err(PlotError::new("the fan chart has no years"));
        }
        let columns = if chart.panels.len() >= 2 { 2 } else { 1 };
        let rows = chart.panels.len().div_ceil(columns);
        let (panel_h, years) = if columns == 2 {
            (t::FAN_PANEL_HEIGHT.0, YearAxis::new(&chart.years, 10, 7))
        } else {
            (t::FAN_PANEL_HEIGHT.1, YearAxis::new(&chart.years, 15, 12))
        };
        let axes: Vec<ValueAxis> = chart.panels.iter().map(value_axis).collect();
        let mut y_area = 0.0_f64;
        for (axis, panel) in axes.iter().zip(&chart.panels) {
            y_area = y_area.max(axis.label_area(&panel.axis)?);
        }
        let stated = chart.panels.iter().any(|p| !p.stated.is_empty());
        let l = &chart.legend;
        let mut entries = vec![
            (Key::Swatch(band_colour(0)), l[0].as_str()),
            (Key::Swatch(band_colour(1)), l[1].as_str()),
            (Key::Swatch(band_colour(2)), l[2].as_str()),
            (Key::Line(t::FAN_MEDIAN), l[3].as_str()),
            (Key::Dashed(t::FAN_DETERMINISTIC), l[4].as_str()),
        ];
        if stated {
            entries.push((Key::Stated(t::FAN_STATED), l[5].as_str()));
        }
        let strip = Strip::new(&entries, Frame::content_width())?;
        let body = rows as f64 * panel_h + (rows - 1) as f64 * t::FAN_ROW_GAP;
        let frame = Frame::new(
            &chart.title,
            &chart.subtitle,
            Some(strip),
            &chart.footnotes,
            Height::Body(body),
        )?;
        Ok(Layout {
            chart,
            frame,
            columns,
            panel_h,
            y_area,
            years,
            axes,
        })
    }
}

/// Fill colour of band `i` (0 = widest).
fn band_colour(i: usize) -> RGBColor {
    tint(t::FAN_HUE, t::FAN_BAND_TINTS[i])
}

/// The value axis of a panel: every percentile, the deterministic path and the stated
/// figures, from zero.
fn value_axis(p: &FanPanel) -> ValueAxis {
    let (lo, hi) = p
        .percentiles
        .iter()
        .flatten()
        .chain(&p.deterministic)
        .copied()
        .chain(p.stated.iter().map(|s| s.1))
        .filter(|v| v.is_finite())
        .fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    ValueAxis::new(lo, hi, p.percent)
}

impl Figure for Layout<'_> {
    fn size(&self) -> (u32, u32) {
        (t::WIDTH, self.frame.height)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        k: f64,
    ) -> Result<(), PlotError> {
        self.frame.draw(root, k)?;
        let n = self.chart.panels.len();
        let cols = self.columns as f64;
        let panel_w = (Frame::content_width() - (cols - 1.0) * t::FAN_COLUMN_GAP) / cols;
        for (i, (panel, axis)) in self.chart.panels.iter().zip(&self.axes).enumerate() {
            let (row, col) = (i / self.columns, i % self.columns);
            let x = f64::from(t::MARGIN_X) + col as f64 * (panel_w + t::FAN_COLUMN_GAP);
            let y = self.frame.body_top + row as f64 * (self.panel_h + t::FAN_ROW_GAP);
            // The year description goes under the lowest panel of each column.
            let lowest = i + self.columns >= n;
            let spot = (x, y, panel_w, self.panel_h);
            self.draw_panel(root, spot, panel, axis, lowest, k)?;
        }
        Ok(())
    }
}

impl Layout<'_> {
    /// Draws one panel in `spot` (x, y, width, height at 1×).
    fn draw_panel<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        (x, y, w, h): (f64, f64, f64, f64),
        panel: &FanPanel,
        axis: &ValueAxis,
        lowest: bool,
        k: f64,
    ) -> Result<(), PlotError> {
        let err = PlotError::from_display;
        let plot_w = w - self.y_area - f64::from(t::PLOT_MARGIN_RIGHT);
        let title = ellipsize(&panel.title, t::PANEL_TITLE_SIZE, plot_w)?;
        let title_h = f64::from(text_size("Ag", t::PANEL_TITLE_SIZE)?.1);
        draw_text(
            root,
            &title,
            (px(k, x + self.y_area), px(k, y)),
            &bold_font(
                t::PANEL_TITLE_SIZE * k,
                t::TITLE_COLOR,
                Pos::new(HPos::Left, VPos::Top),
            ),
        )?;
        let top = title_h + t::PANEL_TITLE_GAP;
        let area = sub_area(root, x, y + top, w, h - top, k);
        let fmt_value = |v: &f64| axis.label(*v);
        let cc = draw_mesh(
            &area,
            Mesh {
                x: self.years.ticked(),
                y: axis.ticked(),
                x_label: &year_label,
                y_label: &fmt_value,
                x_desc: lowest.then_some(self.chart.year_axis.as_str()),
                y_desc: Some(&panel.axis),
                // Reserved in every panel: between rows it is the gap.
                x_area: Mesh::x_area_for(true),
                y_area: self.y_area,
                margin_top: 8.0,
                margin_right: f64::from(t::PLOT_MARGIN_RIGHT),
                grid: Grid::Horizontal,
            },
            k,
        )?;
        let to_px = |x: f64, y: f64| cc.backend_coord(&(x, y));
        let years = &self.chart.years;
        let half = t::FAN_SINGLE_YEAR_HALF;

        for (b, &(lo, hi)) in BANDS.iter().enumerate() {
            let style = band_colour(b).filled();
            let pairs = panel.percentiles[lo].iter().zip(&panel.percentiles[hi]);
            let points: Vec<Option<(f64, f64, f64)>> = years
                .iter()
                .zip(pairs)
                .map(|(&yr, (&l, &h))| {
                    (l.is_finite() && h.is_finite()).then_some((f64::from(yr), l, h))
                })
                .collect();
            for run in runs(&points) {
                let shape: Vec<(i32, i32)> = if let [(yr, l, h)] = run[..] {
                    // A single year: a box instead of an invisible sliver.
                    let (a, b) = (to_px(yr - half, h), to_px(yr + half, l));
                    vec![a, (b.0, a.1), b, (a.0, b.1)]
                } else {
                    let upper = run.iter().map(|&(yr, _, h)| to_px(yr, h));
                    let lower = run.iter().rev().map(|&(yr, l, _)| to_px(yr, l));
                    upper.chain(lower).collect()
                };
                root.draw(&Polygon::new(shape, style)).map_err(err)?;
            }
        }

        // A line per run of finite values; a single year gets a short horizontal stroke.
        let line = |values: &[f64]| -> Vec<Vec<(i32, i32)>> {
            let points: Vec<Option<(f64, f64)>> = years
                .iter()
                .zip(values)
                .map(|(&yr, &v)| v.is_finite().then_some((f64::from(yr), v)))
                .collect();
            runs(&points)
                .into_iter()
                .map(|run| match run[..] {
                    [(yr, v)] => vec![to_px(yr - half * 1.4, v), to_px(yr + half * 1.4, v)],
                    _ => run.iter().map(|&(yr, v)| to_px(yr, v)).collect(),
                })
                .collect()
        };
        let median_style = t::FAN_MEDIAN.stroke_width(upx(k, t::LINE_WIDTH));
        for pts in line(&panel.percentiles[MEDIAN]) {
            root.draw(&PathElement::new(pts, median_style))
                .map_err(err)?;
        }
        // A white casing keeps the dashes readable where they run along the median.
        let casing = WHITE.stroke_width(upx(k, t::DASHED_WIDTH + 2.0 * t::CASING));
        let det_style = t::FAN_DETERMINISTIC.stroke_width(upx(k, t::DASHED_WIDTH));
        for pts in line(&panel.deterministic) {
            dashed_path(root, &pts, casing, k)?;
            dashed_path(root, &pts, det_style, k)?;
        }
        let in_x = |yr: f64| self.years.range.contains(&yr);
        for &(yr, v) in &panel.stated {
            if in_x(f64::from(yr)) && v.is_finite() {
                let c = to_px(f64::from(yr), v);
                stated_marker(root, c, t::STATED_HALF * k, t::FAN_STATED, k)?;
            }
        }
        Ok(())
    }
}

/// Consecutive runs of present points.
fn runs<T: Copy>(points: &[Option<T>]) -> Vec<Vec<T>> {
    points
        .split(|p| p.is_none())
        .filter(|run| !run.is_empty())
        .map(|run| run.iter().flatten().copied().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_at_gaps() {
        let r = runs(&[Some(1), None, None, Some(2), Some(3), None]);
        assert_eq!(r, vec![vec![1], vec![2, 3]]);
        assert!(runs::<i32>(&[None]).is_empty());
    }
}
