//! Monte Carlo fan charts: small multiples, one panel per series, each with shaded
//! percentile bands (P5–P95, P10–P90, P25–P75 in deepening tints of one hue), the median,
//! the deterministic path (dashed) and stated figures (hollow diamonds), under one shared
//! legend.

use plotters::chart::ChartContext;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::axes::{Coords, ValueAxis};
use super::common::{
    self, Sheet, dashed_path, observed_marks, observed_pixels, polylines, runs, stated_marker,
    tint, upx,
};
use super::legend::Key;
use super::multiples::{Contents, Multiples, Page, Panel};
use super::theme as t;
use super::{FanChart, FanPanel, PlotError};
use crate::format::Money;

common::chart_laid_out_by!(FanChart, layout);

/// Percentile indices (into [`FanPanel::percentiles`]) bounding each band, widest first.
const BANDS: [(usize, usize); 3] = [(0, 6), (1, 5), (2, 4)];
/// Index of the median in [`FanPanel::percentiles`].
const MEDIAN: usize = 3;

/// What the panels show: the chart's bands, lines and stated figures.
struct Fan<'a>(&'a FanChart);

/// The chart laid out: one panel per series, the legend strip above them.
fn layout(chart: &FanChart, sheet: Sheet) -> Result<Page<'_, Fan<'_>>, PlotError> {
    if chart.panels.is_empty() {
        return Err(PlotError::new("the fan chart has no panels"));
    }
    if chart.years.is_empty() {
        return Err(PlotError::new("the fan chart has no years"));
    }
    let panels = chart.panels.iter().map(|p| Panel {
        title: &p.title,
        values: value_axis(p, chart.money),
        value_desc: &p.axis,
    });
    let grid = Multiples::new(sheet, &chart.years, &chart.year_axis, panels.collect())?;
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
    let in_years = |y: &i32| chart.years.contains(y);
    if chart
        .panels
        .iter()
        .any(|p| p.observed.iter().any(|(y, _)| in_years(y)))
    {
        entries.push((Key::Observed(t::FAN_STATED), l[6].as_str()));
    }
    let header = (chart.title.as_str(), chart.subtitle.as_str());
    Page::new(grid, header, &entries, &chart.footnotes, Fan(chart))
}

/// Fill colour of band `i` (0 = widest).
fn band_colour(i: usize) -> RGBColor {
    tint(t::FAN_HUE, t::FAN_BAND_TINTS[i])
}

/// The value axis of a panel: every percentile, the deterministic path and the stated
/// figures, from zero.
fn value_axis(p: &FanPanel, money: Money) -> ValueAxis {
    let percentiles = p.percentiles.iter().flatten().chain(&p.deterministic);
    let stated = p.stated.iter().chain(&p.observed).map(|s| s.1);
    ValueAxis::spanning(percentiles.copied().chain(stated), p.percent).in_money(&p.axis, money)
}

impl Contents for Fan<'_> {
    /// Draws one panel's bands, lines and stated figures.
    fn draw_panel<DB: DrawingBackend>(
        &self,
        grid: &Multiples<'_>,
        i: usize,
        root: &DrawingArea<DB, Shift>,
        cc: &ChartContext<'_, DB, Coords>,
        k: f64,
    ) -> Result<(), PlotError> {
        let panel = &self.0.panels[i];
        let err = PlotError::from_display;
        let to_px = |x: f64, y: f64| cc.backend_coord(&(x, y));
        let years = &self.0.years;
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
        let in_x = |yr: f64| grid.years.range.contains(&yr);
        let observed = observed_pixels(&panel.observed, in_x, to_px);
        observed_marks(root, &observed, t::FAN_STATED, k)?;
        for &(yr, v) in &panel.stated {
            if in_x(f64::from(yr)) && v.is_finite() {
                let c = to_px(f64::from(yr), v);
                stated_marker(root, c, t::STATED_HALF * k, t::FAN_STATED, k)?;
            }
        }
        Ok(())
    }
}
