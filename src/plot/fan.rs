//! Monte Carlo fan charts: small multiples, one panel per series, each with shaded
//! percentile bands (P5–P95, P10–P90, P25–P75 in deepening tints of one hue), the median,
//! the deterministic path (dashed) and stated figures (hollow diamonds), under one shared
//! legend.

use plotters::coord::Shift;
use plotters::prelude::*;

use plotters::chart::ChartContext;

use super::axes::{Coords, ValueAxis};
use super::common::{
    self, Figure, Frame, Height, dashed_path, polylines, runs, stated_marker, tint, upx,
};
use super::legend::{Key, Strip};
use super::multiples::{Multiples, Panel};
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
    grid: Multiples<'a>,
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
        let axes: Vec<ValueAxis> = chart.panels.iter().map(value_axis).collect();
        let descs = chart.panels.iter().map(|p| p.axis.as_str());
        let grid = Multiples::new(&chart.years, &chart.year_axis, axes.iter().zip(descs))?;
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
        let frame = Frame::new(
            &chart.title,
            &chart.subtitle,
            Some(strip),
            &chart.footnotes,
            Height::Body(grid.body_height()),
        )?;
        Ok(Layout {
            chart,
            frame,
            grid,
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
        for (i, (panel, axis)) in self.chart.panels.iter().zip(&self.axes).enumerate() {
            let spec = Panel {
                title: &panel.title,
                values: axis,
                value_desc: &panel.axis,
            };
            self.grid
                .draw_panel(root, self.frame.body_top, i, spec, k, |cc| {
                    self.draw_contents(root, cc, panel, k)
                })?;
        }
        Ok(())
    }
}

impl Layout<'_> {
    /// Draws one panel's bands, lines and stated figures.
    fn draw_contents<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        cc: &ChartContext<'_, DB, Coords>,
        panel: &FanPanel,
        k: f64,
    ) -> Result<(), PlotError> {
        let err = PlotError::from_display;
        let to_px = |x: f64, y: f64| cc.backend_coord(&(x, y));
        let years = &self.chart.years;
        let half = t::SINGLE_YEAR_HALF;

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
        let median_style = t::FAN_MEDIAN.stroke_width(upx(k, t::LINE_WIDTH));
        for pts in polylines(years, &panel.percentiles[MEDIAN], half * 1.4, to_px) {
            root.draw(&PathElement::new(pts, median_style))
                .map_err(err)?;
        }
        // A white casing keeps the dashes readable where they run along the median.
        let casing = WHITE.stroke_width(upx(k, t::DASHED_WIDTH + 2.0 * t::CASING));
        let det_style = t::FAN_DETERMINISTIC.stroke_width(upx(k, t::DASHED_WIDTH));
        for pts in polylines(years, &panel.deterministic, half * 1.4, to_px) {
            dashed_path(root, &pts, casing, k)?;
            dashed_path(root, &pts, det_style, k)?;
        }
        let in_x = |yr: f64| self.grid.years.range.contains(&yr);
        for &(yr, v) in &panel.stated {
            if in_x(f64::from(yr)) && v.is_finite() {
                let c = to_px(f64::from(yr), v);
                stated_marker(root, c, t::STATED_HALF * k, t::FAN_STATED, k)?;
            }
        }
        Ok(())
    }
}
