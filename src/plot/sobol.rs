//! Sobol index charts: per input, a first-order and a total index as two thin horizontal
//! bars with their confidence intervals as whiskers, on an axis from (at most) 0 to (at
//! least) 1 with a faint line at zero; each index is printed right of its bar.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{BarAxes, Fit, ValueAxis, plot_rect};
use super::common::{self, Figure, Frame, Height, Sheet, draw_text, font, upx};
use super::legend::{Key, Strip};
use super::text::text_size;
use super::theme as t;
use super::{PlotError, SobolChart};

common::chart_laid_out_by!(SobolChart, Layout::new);

/// Space above the plot.
const MARGIN_TOP: f64 = 8.0;
/// Offset of each bar's centre from its row's centre, as a share of the row.
const BAR_OFFSET: f64 = 0.17;

/// The chart laid out.
struct Layout<'a> {
    chart: &'a SobolChart,
    frame: Frame,
    axes: BarAxes,
    x: ValueAxis,
}

/// An index printed next to its bar.
fn index_label(v: f64) -> String {
    crate::format::number(v, 2)
}

/// Right end of what is drawn for an index (bar from zero, whisker when both its ends are
/// known), where its value goes.
fn right_end((point, lo, hi): (f64, f64, f64)) -> f64 {
    let whisker = if lo.is_finite() && hi.is_finite() {
        lo.max(hi)
    } else {
        0.0
    };
    [0.0, point, whisker]
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

impl<'a> Layout<'a> {
    fn new(chart: &'a SobolChart, sheet: Sheet) -> Result<Self, PlotError> {
        if chart.inputs.is_empty() {
            return Err(PlotError::new("the Sobol chart has no inputs"));
        }
        let axes = BarAxes::new(sheet, chart.inputs.iter().map(|b| b.label.as_str()))?;
        let indices = chart.inputs.iter().flat_map(|b| [b.first, b.total]);
        let values = indices.clone().flat_map(|(p, l, h)| [p, l, h]);
        let finite = values.filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((0.0_f64, 1.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let unit = Fit {
            zero: true,
            headroom: false,
        };
        // Ticks from 0 up; slightly negative indices (sampling noise) only widen the range
        // by what their bars and whiskers need, without a whole tick step below zero.
        let mut x = ValueAxis::fit(0.0, hi, false, unit);
        let mut needs = Vec::new();
        if lo < 0.0 {
            needs.push((lo, 8.0, 0.0));
        }
        for index in indices {
            if index.0.is_finite() {
                let w = f64::from(text_size(&index_label(index.0), t::VALUE_SIZE)?.0);
                needs.push((right_end(index), 0.0, w + t::VALUE_GAP + 6.0));
            }
        }
        x.make_room(axes.plot_width(), &needs);
        let strip = Strip::new(
            &[
                (Key::Swatch(t::BAR_COLORS[0]), chart.legend[0].as_str()),
                (Key::Swatch(t::BAR_COLORS[1]), chart.legend[1].as_str()),
            ],
            sheet.content_width(),
        )?;
        let frame = Frame::new(
            sheet,
            &chart.title,
            &chart.subtitle,
            Some(strip),
            &chart.footnotes,
            Height::Body(axes.body_height(t::SOBOL_ROW, MARGIN_TOP)),
        )?;
        Ok(Layout {
            chart,
            frame,
            axes,
            x,
        })
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
        let err = PlotError::from_display;
        self.frame.draw(root, k)?;
        let body = self.frame.body(root, k);
        let cc = self
            .axes
            .draw(&body, &self.x, &self.chart.index_axis, MARGIN_TOP, k)?;
        let plot = plot_rect(&cc);
        let to_px = |x: f64, y: f64| cc.backend_coord(&(x, y));

        let zx = to_px(0.0, 0.0).0;
        root.draw(&PathElement::new(
            vec![(zx, plot.y0), (zx, plot.y1)],
            t::ZERO_LINE_COLOR.stroke_width(upx(k, 1.5)),
        ))
        .map_err(err)?;

        let half = t::SOBOL_BAR / 2.0;
        let whisker = t::WHISKER_COLOR.stroke_width(upx(k, 1.5));
        let value_style = font(
            t::VALUE_SIZE * k,
            t::TEXT_COLOR,
            Pos::new(HPos::Left, VPos::Center),
        );
        for (i, input) in self.chart.inputs.iter().enumerate() {
            let row = self.axes.rows.y(i);
            let bars = [
                (input.first, row + BAR_OFFSET, t::BAR_COLORS[0]),
                (input.total, row - BAR_OFFSET, t::BAR_COLORS[1]),
            ];
            for ((point, lo, hi), cy, colour) in bars {
                if point.is_finite() && point != 0.0 {
                    root.draw(&Rectangle::new(
                        [to_px(0.0, cy + half), to_px(point, cy - half)],
                        colour.filled(),
                    ))
                    .map_err(err)?;
                }
                if lo.is_finite() && hi.is_finite() {
                    let (a, b) = (to_px(lo, cy), to_px(hi, cy));
                    let cap = ((b.1 - to_px(hi, cy + half * 0.6).1).abs()).max(1);
                    for segment in [
                        [a, b],
                        [(a.0, a.1 - cap), (a.0, a.1 + cap)],
                        [(b.0, b.1 - cap), (b.0, b.1 + cap)],
                    ] {
                        root.draw(&PathElement::new(segment.to_vec(), whisker))
                            .map_err(err)?;
                    }
                }
                if point.is_finite() {
                    let (x, y) = to_px(right_end((point, lo, hi)), cy);
                    let x = x + (t::VALUE_GAP * k).round() as i32;
                    draw_text(root, &index_label(point), (x, y), &value_style)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_go_right_of_everything_drawn() {
        assert_eq!(right_end((0.4, 0.3, 0.55)), 0.55);
        assert_eq!(right_end((-0.02, -0.05, 0.01)), 0.01);
        assert_eq!(right_end((-0.02, -0.05, -0.01)), 0.0);
        assert_eq!(right_end((0.4, f64::NAN, f64::NAN)), 0.4);
        assert_eq!(right_end((0.4, f64::NAN, 0.6)), 0.4);
        assert_eq!(index_label(-0.001), "0.00");
    }
}
