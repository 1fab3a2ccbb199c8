//! Small multiples (fan and comparison charts): one panel per series over the same years,
//! in one column, or in two, three or four as the panels grow in number, under a page frame with a
//! legend strip. Every panel gets the same width of value-axis label area so that the
//! plots line up, and an odd last panel is centred under the others rather than leaving
//! an empty cell beside it.

use plotters::chart::ChartContext;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotError;
use super::axes::{Coords, ValueAxis, YearAxis, YearPlot};
use super::common::{
    Figure, Frame, Height, Sheet, bold_font, draw_text, ellipsize_bold, px, sub_area,
};
use super::legend::{Key, Strip};
use super::text::text_size;
use super::theme as t;

/// Space between a panel's title and the top of its plot.
const PLOT_MARGIN_TOP: f64 = 8.0;

/// What one panel shows besides its contents.
#[derive(Debug, Clone)]
pub(super) struct Panel<'a> {
    /// Panel title (shortened with "…" to the plot's width).
    pub title: &'a str,
    /// The value axis.
    pub values: ValueAxis,
    /// Its description.
    pub value_desc: &'a str,
}

/// The panel grid of a chart, laid out at 1×.
pub(super) struct Multiples<'a> {
    sheet: Sheet,
    panels: Vec<Panel<'a>>,
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

impl<'a> Multiples<'a> {
    /// The grid of `panels` over `years`; fails when there are no panels.
    pub(super) fn new(
        sheet: Sheet,
        years: &[i32],
        year_desc: &'a str,
        panels: Vec<Panel<'a>>,
    ) -> Result<Self, PlotError> {
        if panels.is_empty() {
            return Err(PlotError::new("the chart has no panels"));
        }
        if panels.len() > super::MAX_PANELS {
            return Err(PlotError::new(format!(
                "{} panels are more than the {} a chart draws",
                panels.len(),
                super::MAX_PANELS
            )));
        }
        // More columns, and shorter panels, as the panels grow in number, so that the
        // page stays within its height.
        let columns = match panels.len() {
            1 => 1,
            2..=12 => 2,
            13..=24 => 3,
            _ => 4,
        };
        let share = match columns {
            1 => t::PANEL_HEIGHT.1,
            2 => t::PANEL_HEIGHT.0,
            _ => t::PANEL_HEIGHT.2,
        };
        let panel_w = panel_width(sheet, columns);
        let panel_h = (panel_w * share).max(t::MIN_PANEL_HEIGHT);
        let mut y_area = 0.0_f64;
        for p in &panels {
            y_area = y_area.max(p.values.label_area(p.value_desc)?);
        }
        let plot_w = panel_w - y_area - f64::from(t::PLOT_MARGIN_RIGHT);
        let years = YearAxis::fitting(years, plot_w)?;
        Ok(Multiples {
            sheet,
            panels,
            columns,
            panel_h,
            y_area,
            year_desc,
            years,
        })
    }

    fn rows(&self) -> usize {
        self.panels.len().div_ceil(self.columns)
    }

    /// Height of all the panels: the page body.
    fn body_height(&self) -> f64 {
        let rows = self.rows() as f64;
        rows * self.panel_h + (rows - 1.0).max(0.0) * t::ROW_GAP
    }

    /// Width of one panel.
    fn panel_w(&self) -> f64 {
        panel_width(self.sheet, self.columns)
    }

    /// Top-left corner of panel `i` when the body starts at `body_top`. A lone panel in
    /// the last row is centred.
    fn origin(&self, i: usize, body_top: f64) -> (f64, f64) {
        let (row, col) = (i / self.columns, i % self.columns);
        let w = self.panel_w();
        let lone = self.columns > 1 && self.panels.len() % self.columns == 1;
        let x = if lone && row + 1 == self.rows() {
            f64::from(t::MARGIN_X) + (self.sheet.content_width() - w) / 2.0
        } else {
            f64::from(t::MARGIN_X) + col as f64 * (w + t::COLUMN_GAP)
        };
        (x, body_top + row as f64 * (self.panel_h + t::ROW_GAP))
    }

    /// Draws every panel (title, axes, grid) under a body starting at `body_top`, then
    /// each panel's contents.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        body_top: f64,
        k: f64,
        contents: &impl Contents,
    ) -> Result<(), PlotError> {
        for (i, panel) in self.panels.iter().enumerate() {
            let (x, y) = self.origin(i, body_top);
            let w = self.panel_w();
            let plot_w = w - self.y_area - f64::from(t::PLOT_MARGIN_RIGHT);
            let title = ellipsize_bold(panel.title, t::PANEL_TITLE_SIZE, plot_w)?;
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
                values: &panel.values,
                year_desc: last_row.then_some(self.year_desc),
                value_desc: panel.value_desc,
                // Reserved in every panel: between rows it is the gap.
                reserve_desc: true,
                y_area: self.y_area,
                margin_top: PLOT_MARGIN_TOP,
            }
            .draw(&area, k)?;
            contents.draw_panel(self, i, root, &cc, k)?;
        }
        Ok(())
    }
}

/// Width of one panel in `columns` columns across `sheet`.
fn panel_width(sheet: Sheet, columns: usize) -> f64 {
    let cols = columns as f64;
    (sheet.content_width() - (cols - 1.0) * t::COLUMN_GAP) / cols
}

/// What a chart of small multiples draws in its panels.
pub(super) trait Contents {
    /// Draws panel `i`'s data on `root` through the panel's coordinates `cc`.
    fn draw_panel<DB: DrawingBackend>(
        &self,
        grid: &Multiples<'_>,
        i: usize,
        root: &DrawingArea<DB, Shift>,
        cc: &ChartContext<'_, DB, Coords>,
        k: f64,
    ) -> Result<(), PlotError>;
}

/// A chart of small multiples laid out: the page frame (title, subtitle, legend strip,
/// footnotes), the panel grid, and what the panels show.
pub(super) struct Page<'a, C> {
    frame: Frame,
    grid: Multiples<'a>,
    contents: C,
}

impl<'a, C: Contents> Page<'a, C> {
    /// The page of `grid` with a legend strip of `legend` under the title and subtitle.
    pub(super) fn new(
        grid: Multiples<'a>,
        (title, subtitle): (&'a str, &'a str),
        legend: &[(Key, &'a str)],
        footnotes: &[String],
        contents: C,
    ) -> Result<Self, PlotError> {
        let strip = Strip::new(legend, grid.sheet.content_width())?;
        let body = Height::Body(grid.body_height());
        let frame = Frame::new(grid.sheet, title, subtitle, Some(strip), footnotes, body)?;
        Ok(Page {
            frame,
            grid,
            contents,
        })
    }
}

impl<C: Contents> Figure for Page<'_, C> {
    fn size(&self) -> (u32, u32) {
        self.frame.size()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        k: f64,
    ) -> Result<(), PlotError> {
        self.frame.draw(root, k)?;
        self.grid.draw(root, self.frame.body_top, k, &self.contents)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHEET: Sheet = Sheet { width: 816 };

    fn grid(n: usize) -> Multiples<'static> {
        let panel = Panel {
            title: "title",
            values: ValueAxis::new(0.0, 1.0, false),
            value_desc: "unit",
        };
        Multiples::new(SHEET, &[2023, 2031], "Year", vec![panel; n]).unwrap()
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
        let right = f64::from(t::MARGIN_X) + SHEET.content_width() - (c.0 + three.panel_w());
        assert!((c.0 - f64::from(t::MARGIN_X) - right).abs() < 1e-9);
        let four = grid(4);
        assert_eq!(four.origin(3, 0.0).0, four.origin(1, 0.0).0);
        assert!(four.body_height() > grid(2).body_height() + t::MIN_PANEL_HEIGHT);
        assert!(Multiples::new(SHEET, &[2023], "Year", Vec::new()).is_err());
    }
}
