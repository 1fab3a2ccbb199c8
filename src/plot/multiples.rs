//! Small multiples (fan and comparison charts): one panel per series over the same years,
//! in one column, or in two when there are two or more panels. Every panel gets the same
//! width of value-axis label area so that the plots line up, and an odd last panel is
//! centred under the others rather than leaving an empty cell beside it.

use plotters::chart::ChartContext;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotError;
use super::axes::{Coords, ValueAxis, YearAxis, YearPlot};
use super::common::{Frame, bold_font, draw_text, ellipsize, px, sub_area};
use super::text::text_size;
use super::theme as t;

/// Space between a panel's title and the top of its plot.
const PLOT_MARGIN_TOP: f64 = 8.0;

/// The panel grid of a chart, laid out at 1×.
pub(super) struct Multiples<'a> {
    /// Number of panels.
    n: usize,
    columns: usize,
    /// Height of one panel: title, plot and x-axis area.
    panel_h: f64,
    /// Width of every panel's value-axis label area.
    y_area: f64,
    /// Description of the year axis, under the panels of the last row.
    year_desc: &'a str,
    /// The shared year axis.
    pub years: YearAxis,
}

/// What one panel shows besides its contents.
#[derive(Debug, Clone, Copy)]
pub(super) struct Panel<'a> {
    /// Panel title (shortened with "…" to the plot's width).
    pub title: &'a str,
    /// The value axis.
    pub values: &'a ValueAxis,
    /// Its description.
    pub value_desc: &'a str,
}

impl<'a> Multiples<'a> {
    /// The grid for one panel per `(value axis, description)` over `years` (not empty).
    pub(super) fn new<'p>(
        years: &[i32],
        year_desc: &'a str,
        panels: impl ExactSizeIterator<Item = (&'p ValueAxis, &'p str)>,
    ) -> Result<Self, PlotError> {
        let n = panels.len();
        let columns = if n >= 2 { 2 } else { 1 };
        let (panel_h, years) = if columns == 2 {
            (t::PANEL_HEIGHT.0, YearAxis::new(years, 10, 7))
        } else {
            (t::PANEL_HEIGHT.1, YearAxis::new(years, 15, 12))
        };
        let mut y_area = 0.0_f64;
        for (axis, desc) in panels {
            y_area = y_area.max(axis.label_area(desc)?);
        }
        Ok(Multiples {
            n,
            columns,
            panel_h,
            y_area,
            year_desc,
            years,
        })
    }

    fn rows(&self) -> usize {
        self.n.div_ceil(self.columns)
    }

    /// Height of all the panels: the page body.
    pub(super) fn body_height(&self) -> f64 {
        let rows = self.rows() as f64;
        rows * self.panel_h + (rows - 1.0).max(0.0) * t::ROW_GAP
    }

    /// Width of one panel.
    fn panel_w(&self) -> f64 {
        let cols = self.columns as f64;
        (Frame::content_width() - (cols - 1.0) * t::COLUMN_GAP) / cols
    }

    /// Top-left corner of panel `i` when the body starts at `body_top`. A lone panel in
    /// the last row is centred.
    fn origin(&self, i: usize, body_top: f64) -> (f64, f64) {
        let (row, col) = (i / self.columns, i % self.columns);
        let w = self.panel_w();
        let x = if self.columns > 1 && row + 1 == self.rows() && self.n % self.columns == 1 {
            f64::from(t::MARGIN_X) + (Frame::content_width() - w) / 2.0
        } else {
            f64::from(t::MARGIN_X) + col as f64 * (w + t::COLUMN_GAP)
        };
        (x, body_top + row as f64 * (self.panel_h + t::ROW_GAP))
    }

    /// Draws panel `i` (title, axes, grid) and then its contents, which `contents` draws
    /// on `root` through the panel's coordinates.
    pub(super) fn draw_panel<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        body_top: f64,
        i: usize,
        panel: Panel<'_>,
        k: f64,
        contents: impl FnOnce(&ChartContext<'_, DB, Coords>) -> Result<(), PlotError>,
    ) -> Result<(), PlotError> {
        let (x, y) = self.origin(i, body_top);
        let w = self.panel_w();
        let plot_w = w - self.y_area - f64::from(t::PLOT_MARGIN_RIGHT);
        let title = ellipsize(panel.title, t::PANEL_TITLE_SIZE, plot_w)?;
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
        let area = sub_area(root, x, y + top, w, self.panel_h - top, k);
        let last_row = i / self.columns + 1 == self.rows();
        let cc = YearPlot {
            years: &self.years,
            values: panel.values,
            year_desc: last_row.then_some(self.year_desc),
            value_desc: panel.value_desc,
            // Reserved in every panel: between rows it is the gap.
            reserve_desc: true,
            y_area: self.y_area,
            margin_top: PLOT_MARGIN_TOP,
        }
        .draw(&area, k)?;
        contents(&cc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(n: usize) -> Multiples<'static> {
        let axis = ValueAxis::new(0.0, 1.0, false);
        let axes = vec![(&axis, "unit"); n];
        Multiples::new(&[2023, 2031], "Year", axes.into_iter()).unwrap()
    }

    #[test]
    fn two_columns_from_two_panels_with_an_odd_last_one_centred() {
        let one = grid(1);
        assert_eq!(one.columns, 1);
        assert_eq!(one.origin(0, 100.0), (f64::from(t::MARGIN_X), 100.0));
        let three = grid(3);
        assert_eq!(three.rows(), 2);
        let (a, b, c) = (
            three.origin(0, 0.0),
            three.origin(1, 0.0),
            three.origin(2, 0.0),
        );
        assert_eq!(a.1, b.1);
        assert!(c.1 > a.1);
        // The third panel is centred: as far from the left margin as from the right one.
        let right = f64::from(t::MARGIN_X) + Frame::content_width() - (c.0 + three.panel_w());
        assert!((c.0 - f64::from(t::MARGIN_X) - right).abs() < 1e-9);
        let four = grid(4);
        assert_eq!(four.origin(3, 0.0).0, four.origin(1, 0.0).0);
        assert!(four.body_height() > grid(2).body_height() + t::PANEL_HEIGHT.0);
    }
}
