//! Histograms of one simulated outcome: bars for the bins (share of draws, in %), with
//! dashed vertical reference lines whose labels sit in a band above the plot, staggered in
//! rows so that neither labels nor lines collide.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{Fit, Grid, Mesh, ValueAxis, draw_mesh, plot_rect};
use super::common::{
    self, Figure, Frame, Height, Sheet, bold_font, dashed_path, draw_text, font, px, upx,
};
use super::text::{layout, text_size};
use super::theme as t;
use super::{HistogramChart, PlotError};

common::chart_laid_out_by!(HistogramChart, Layout::new);

/// Gap between the marker label band and the plot.
const BAND_GAP: f64 = 6.0;
/// Space between a marker line and its label, and around labels.
const LABEL_PAD: f64 = 7.0;
/// Space between the outermost bars or markers and the ends of the x axis.
const EDGE_ROOM: f64 = 12.0;
/// Extra space between label rows.
const ROW_GAP: f64 = 6.0;

/// A marker label placed in the band above the plot: the value in bold, then the
/// caller's label.
#[derive(Debug, Clone, PartialEq)]
struct Placed {
    /// Marker value.
    value: f64,
    /// The value as printed.
    number: String,
    /// The caller's label (may be empty).
    label: String,
    /// Row, 0 nearest the plot.
    row: usize,
    /// Whether the label is right of its line.
    right: bool,
}

/// Width at font size `size` of a marker label: bold number, a space, the label.
fn label_width(number: &str, label: &str, size: f64) -> Result<f64, PlotError> {
    let bold = f64::from(layout(number, size, true)?.width);
    if label.is_empty() {
        return Ok(bold);
    }
    let space = f64::from(text_size("0 0", size)?.0 - text_size("00", size)?.0);
    Ok(bold + space + f64::from(text_size(label, size)?.0))
}

/// The chart laid out.
struct Layout<'a> {
    chart: &'a HistogramChart,
    frame: Frame,
    x: ValueAxis,
    y: ValueAxis,
    y_area: f64,
    labels: Vec<Placed>,
    /// Height of one label row.
    row_h: f64,
    /// Height of the label band (all rows).
    band_h: f64,
}

impl<'a> Layout<'a> {
    fn new(chart: &'a HistogramChart, sheet: Sheet) -> Result<Self, PlotError> {
        let bins: Vec<_> = finite_bins(chart).collect();
        if bins.is_empty() {
            return Err(PlotError::new("the histogram has no bins"));
        }
        let markers = chart.markers.iter().filter(|m| m.0.is_finite());
        let edges = bins.iter().flat_map(|b| [b.0, b.1]);
        let (lo, hi) = edges
            .chain(markers.clone().map(|m| m.0))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        let tight = Fit {
            zero: false,
            headroom: false,
        };
        let mut x = ValueAxis::fit(lo, hi, chart.percent, tight);
        let top = bins.iter().map(|b| b.2).fold(0.0_f64, f64::max);
        let bottom = bins.iter().map(|b| b.2).fold(0.0_f64, f64::min);
        let y = ValueAxis::new(bottom, top, true);
        let y_area = y.label_area(&chart.frequency_axis)?;

        // Label rows are decided at 1× on the plot's horizontal extent.
        let plot_x0 = f64::from(t::MARGIN_X) + y_area;
        let plot_w = sheet.content_width() - y_area - f64::from(t::PLOT_MARGIN_RIGHT);
        // A little room beyond the outer bars, not a whole tick step.
        x.make_room(plot_w, &[(lo, EDGE_ROOM, 0.0), (hi, 0.0, EDGE_ROOM)]);
        let (r0, r1) = (x.range.start, x.range.end);
        let to_x = |v: f64| plot_x0 + (v - r0) / (r1 - r0) * plot_w;
        let mut items = Vec::new();
        let mut texts = Vec::new();
        for (value, label) in markers {
            let number = x.value_label(*value);
            let w = label_width(&number, label, t::LEGEND_SIZE)?;
            items.push((to_x(*value), w));
            texts.push((*value, number, label.clone()));
        }
        let spots = place_labels(&items, (plot_x0, plot_x0 + plot_w));
        let labels: Vec<Placed> = texts
            .into_iter()
            .zip(spots)
            .map(|((value, number, label), (row, right))| Placed {
                value,
                number,
                label,
                row,
                right,
            })
            .collect();
        let row_h = f64::from(text_size("Ag", t::LEGEND_SIZE)?.1) + ROW_GAP;
        let rows = labels.iter().map(|p| p.row + 1).max().unwrap_or(0);
        let band_h = rows as f64 * row_h;
        let frame = Frame::new(
            sheet,
            &chart.title,
            &chart.subtitle,
            None,
            &chart.footnotes,
            Height::Fixed,
        )?;
        Ok(Layout {
            chart,
            frame,
            x,
            y,
            y_area,
            labels,
            row_h,
            band_h,
        })
    }
}

/// Bins whose edges and fraction are all finite, with the edges in order.
fn finite_bins(chart: &HistogramChart) -> impl Iterator<Item = (f64, f64, f64)> + Clone + '_ {
    chart
        .bins
        .iter()
        .filter(|(a, b, f)| a.is_finite() && b.is_finite() && f.is_finite())
        .map(|&(a, b, f)| (a.min(b), a.max(b), f))
}

/// Places marker labels, given for each marker (line x, label width) in 1× pixels,
/// within the plot's horizontal extent `(x0, x1)`; returns (row, right of the line) per
/// marker, in the given order. Markers are taken left to right; each takes the first of:
/// row 0 right of its line, row 0 left, row 1 right, … where the label stays within the
/// plot, overlaps no label in its row, and crosses no other marker's line (a line reaches
/// up to its own label's row; lines of markers not yet placed are assumed to reach every
/// row).
fn place_labels(items: &[(f64, f64)], (x0, x1): (f64, f64)) -> Vec<(usize, bool)> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| items[a].0.total_cmp(&items[b].0));
    let span = |x: f64, w: f64, right: bool| {
        if right {
            (x + LABEL_PAD, x + LABEL_PAD + w)
        } else {
            (x - LABEL_PAD - w, x - LABEL_PAD)
        }
    };
    // Placed so far: (item index, row, label span).
    let mut placed: Vec<(usize, usize, (f64, f64))> = Vec::new();
    let mut result = vec![(0, true); items.len()];
    for (n, &i) in order.iter().enumerate() {
        let (x, w) = items[i];
        let free = |row: usize, (a, b): (f64, f64)| {
            let inside = a >= x0 && b <= x1;
            let clear_of_labels = placed
                .iter()
                .filter(|p| p.1 == row)
                .all(|p| b + LABEL_PAD <= p.2.0 || a - LABEL_PAD >= p.2.1);
            let crossed = |lx: f64| lx > a - 2.0 && lx < b + 2.0;
            let clear_of_lines = placed
                .iter()
                .filter(|p| p.1 >= row)
                .all(|p| !crossed(items[p.0].0))
                && order[n + 1..].iter().all(|&j| !crossed(items[j].0));
            inside && clear_of_labels && clear_of_lines
        };
        let choice = (0..items.len())
            .flat_map(|row| [(row, true), (row, false)])
            .find(|&(row, right)| free(row, span(x, w, right)));
        // Nothing fits (labels wider than the plot): a row of its own, on the roomier side.
        let (row, right) = choice.unwrap_or_else(|| {
            let top = placed.iter().map(|p| p.1 + 1).max().unwrap_or(0);
            (top, x1 - x >= x - x0)
        });
        placed.push((i, row, span(x, w, right)));
        result[i] = (row, right);
    }
    result
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
        let err = PlotError::from_display;
        let chart = self.chart;
        self.frame.draw(root, k)?;
        let (x_axis, y_axis) = (&self.x, &self.y);
        let x_label = |v: &f64| x_axis.label(*v);
        let y_label = |v: &f64| y_axis.label(*v);
        let area = self.frame.body(root, k);
        let cc = draw_mesh(
            &area,
            Mesh {
                x: self.x.ticked(),
                y: self.y.ticked(),
                x_label: &x_label,
                y_label: &y_label,
                x_desc: Some(&chart.value_axis),
                y_desc: Some(&chart.frequency_axis),
                x_area: Mesh::x_area_for(true),
                y_area: self.y_area,
                margin_top: self.band_h + BAND_GAP,
                margin_right: f64::from(t::PLOT_MARGIN_RIGHT),
                grid: Grid::Horizontal,
            },
            k,
        )?;
        let plot = plot_rect(&cc);
        let to_px = |x: f64, y: f64| cc.backend_coord(&(x, y));

        // Bars, a hairline apart when wide enough; zero-width bins as thin bars.
        let gap = px(k, 0.5).max(1);
        let min_w = px(k, 2.0).max(1);
        for (lo, hi, f) in finite_bins(chart) {
            let (a, b) = (to_px(lo, f), to_px(hi, 0.0));
            let (mut x0, mut x1) = (a.0, b.0);
            if x1 - x0 > 4 * gap {
                (x0, x1) = (x0 + gap, x1 - gap);
            } else if x1 - x0 < min_w {
                let c = (x0 + x1) / 2;
                (x0, x1) = (c - min_w / 2, c - min_w / 2 + min_w);
            }
            if f != 0.0 {
                root.draw(&Rectangle::new(
                    [(x0, a.1), (x1, b.1)],
                    t::HISTOGRAM_BAR.filled(),
                ))
                .map_err(err)?;
            }
        }

        // Marker lines from the plot's bottom up to their labels.
        let line_style = t::HISTOGRAM_MARKER.stroke_width(upx(k, 2.0));
        for p in &self.labels {
            let xp = to_px(p.value, 0.0).0;
            let centre = f64::from(plot.y0) / k - BAND_GAP - (p.row as f64 + 0.5) * self.row_h;
            let cy = px(k, centre);
            dashed_path(root, &[(xp, cy), (xp, plot.y1)], line_style, k)?;
            // The block starts right of the line, or ends left of it.
            let size = t::LEGEND_SIZE * k;
            let w = label_width(&p.number, &p.label, size)?.round() as i32;
            let pad = px(k, LABEL_PAD);
            let lx = if p.right { xp + pad } else { xp - pad - w };
            let left_centre = Pos::new(HPos::Left, VPos::Center);
            let number_style = bold_font(size, t::HISTOGRAM_MARKER, left_centre);
            draw_text(root, &p.number, (lx, cy), &number_style)?;
            let label_x = lx + w - text_size(&p.label, size)?.0 as i32;
            let label_style = font(size, t::HISTOGRAM_MARKER, left_centre);
            draw_text(root, &p.label, (label_x, cy), &label_style)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distant_markers_share_the_first_row() {
        let p = place_labels(&[(100.0, 80.0), (500.0, 80.0)], (0.0, 1000.0));
        assert_eq!(p, vec![(0, true), (0, true)]);
    }

    #[test]
    fn close_markers_turn_their_labels_away_from_each_other() {
        let p = place_labels(&[(520.0, 150.0), (500.0, 150.0)], (0.0, 1000.0));
        // The left marker's label goes left, the right one's right, both in row 0.
        assert_eq!(p, vec![(0, true), (0, false)]);
    }

    #[test]
    fn crowded_markers_are_staggered() {
        let items = [(500.0, 150.0), (510.0, 150.0), (520.0, 150.0)];
        let p = place_labels(&items, (0.0, 1000.0));
        assert!(p.iter().any(|&(row, _)| row > 0), "{p:?}");
        // A label near the right edge goes left of its line.
        assert_eq!(
            place_labels(&[(990.0, 150.0)], (0.0, 1000.0)),
            vec![(0, false)]
        );
        // Too wide for the plot: still placed, never a panic.
        assert_eq!(place_labels(&[(10.0, 5000.0)], (0.0, 1000.0)).len(), 1);
    }

    #[test]
    fn labels_are_as_wide_as_their_parts() {
        let both = label_width("15.0%", "stated target", 19.0).unwrap();
        let number = label_width("15.0%", "", 19.0).unwrap();
        let label = f64::from(text_size("stated target", 19.0).unwrap().0);
        assert!(both > number + label && both < number + label + 10.0);
    }
}
