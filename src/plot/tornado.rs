//! Tornado charts: one horizontal bar per input, spanning the output with the input at its
//! low value to the output with it at its high value, split at the base output into a
//! "low" and a "high" part; the input values are printed next to the bar ends.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{BarAxes, Fit, ValueAxis, plot_rect};
use super::common::{self, Figure, Frame, Height, Sheet, bold_font, draw_text, font, px, upx};
use super::legend::{Key, Strip};
use super::text::text_size;
use super::theme as t;
use super::{PlotError, TornadoBar, TornadoChart};

common::chart_laid_out_by!(TornadoChart, Layout::new);

/// The chart laid out.
struct Layout<'a> {
    chart: &'a TornadoChart,
    frame: Frame,
    axes: BarAxes,
    x: ValueAxis,
    /// Space above the plot, for the base value.
    margin_top: f64,
    /// Where each bar's two input values go.
    ends: Vec<[Option<End>; 2]>,
}

/// Where one input value is printed: beside `at` (an output value), on the side `dir`
/// (−1 left, +1 right).
#[derive(Debug, Clone, Copy, PartialEq)]
struct End {
    at: f64,
    dir: f64,
}

/// Where the texts of a bar's low and high ends go. Each goes outside its end, away from
/// the base; when both ends lie on the same side of the base, the nearer one's text goes
/// on the other side of the base line; an end at the base takes the side its partner
/// leaves free (low left, high right when both are at the base). Non-finite ends get none.
fn ends(base: f64, bar: &TornadoBar) -> [Option<End>; 2] {
    let (lo, hi) = (bar.output_at_low, bar.output_at_high);
    let side = |v: f64| {
        if v > base {
            1.0
        } else if v < base {
            -1.0
        } else {
            0.0
        }
    };
    let (mut d_lo, mut d_hi) = (side(lo), side(hi));
    if d_lo == 0.0 {
        d_lo = if d_hi == 0.0 { -1.0 } else { -d_hi };
    }
    if d_hi == 0.0 {
        d_hi = -d_lo;
    }
    let (mut at_lo, mut at_hi) = (lo, hi);
    if d_lo == d_hi {
        if (lo - base).abs() < (hi - base).abs() {
            (d_lo, at_lo) = (-d_lo, base);
        } else {
            (d_hi, at_hi) = (-d_hi, base);
        }
    }
    let end = |at: f64, dir: f64| at.is_finite().then_some(End { at, dir });
    [end(at_lo, d_lo), end(at_hi, d_hi)]
}

impl<'a> Layout<'a> {
    fn new(chart: &'a TornadoChart, sheet: Sheet) -> Result<Self, PlotError> {
        if chart.bars.is_empty() {
            return Err(PlotError::new("the tornado chart has no bars"));
        }
        let base = if chart.base.is_finite() {
            chart.base
        } else {
            return Err(PlotError::new("the tornado chart's base is not a number"));
        };
        let axes = BarAxes::new(sheet, chart.bars.iter().map(|b| b.label.as_str()))?;
        let values = chart
            .bars
            .iter()
            .flat_map(|b| [b.output_at_low, b.output_at_high])
            .filter(|v| v.is_finite());
        let (lo, hi) = values.fold((base, base), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let mut x = ValueAxis::fit(lo, hi, chart.percent, Fit::AROUND);
        let ends: Vec<[Option<End>; 2]> = chart.bars.iter().map(|b| ends(base, b)).collect();
        let mut needs = Vec::new();
        for (bar, pair) in chart.bars.iter().zip(&ends) {
            for (text, end) in bar.input_values.iter().zip(pair) {
                if let Some(End { at, dir }) = *end {
                    let w = f64::from(text_size(text, t::VALUE_SIZE)?.0) + t::VALUE_GAP + 6.0;
                    needs.push(if dir < 0.0 {
                        (at, w, 0.0)
                    } else {
                        (at, 0.0, w)
                    });
                }
            }
        }
        x.make_room(axes.plot_width(), &needs);
        let base_h = f64::from(text_size("0", t::VALUE_SIZE)?.1);
        let margin_top = base_h + 10.0;
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
            Height::Body(axes.body_height(t::TORNADO_ROW, margin_top)),
        )?;
        Ok(Layout {
            chart,
            frame,
            axes,
            x,
            margin_top,
            ends,
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
        let chart = self.chart;
        self.frame.draw(root, k)?;
        let body = self.frame.body(root, k);
        let cc = self
            .axes
            .draw(&body, &self.x, &chart.output_axis, self.margin_top, k)?;
        let plot = plot_rect(&cc);
        let to_px = |x: f64, y: f64| cc.backend_coord(&(x, y));
        let half = t::TORNADO_BAR / 2.0;
        let base = chart.base;

        let value_style = |dir: f64| {
            let h = if dir < 0.0 { HPos::Right } else { HPos::Left };
            font(t::VALUE_SIZE * k, t::TEXT_COLOR, Pos::new(h, VPos::Center))
        };
        for (i, (bar, pair)) in chart.bars.iter().zip(&self.ends).enumerate() {
            let cy = self.axes.rows.y(i);
            // The longer part first, so that when both lie on one side the shorter one
            // stays visible on top.
            let mut parts = [
                (bar.output_at_low, t::BAR_COLORS[0]),
                (bar.output_at_high, t::BAR_COLORS[1]),
            ];
            parts.sort_by(|a, b| (b.0 - base).abs().total_cmp(&(a.0 - base).abs()));
            for (v, colour) in parts {
                if v.is_finite() && v != base {
                    root.draw(&Rectangle::new(
                        [to_px(base, cy + half), to_px(v, cy - half)],
                        colour.filled(),
                    ))
                    .map_err(err)?;
                }
            }
            for (text, end) in bar.input_values.iter().zip(pair) {
                if let Some(End { at, dir }) = *end {
                    let (x, y) = to_px(at, cy);
                    let x = x + (dir * t::VALUE_GAP * k).round() as i32;
                    draw_text(root, text, (x, y), &value_style(dir))?;
                }
            }
        }

        // The base line over the bars, labelled with its value above the plot.
        let bx = to_px(base, 0.0).0;
        root.draw(&PathElement::new(
            vec![(bx, plot.y0), (bx, plot.y1)],
            t::BASE_LINE_COLOR.stroke_width(upx(k, 1.5)),
        ))
        .map_err(err)?;
        let label = self.x.value_label(base);
        let w = text_size(&label, t::VALUE_SIZE * k)?.0 as i32;
        let lx = bx.clamp(plot.x0 + w / 2, (plot.x1 - w / 2).max(plot.x0 + w / 2));
        draw_text(
            root,
            &label,
            (lx, plot.y0 - px(k, 5.0)),
            &bold_font(
                t::VALUE_SIZE * k,
                t::BASE_LINE_COLOR,
                Pos::new(HPos::Center, VPos::Bottom),
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(lo: f64, hi: f64) -> TornadoBar {
        TornadoBar {
            label: "x".into(),
            input_values: ["lo".into(), "hi".into()],
            output_at_low: lo,
            output_at_high: hi,
        }
    }

    #[test]
    fn end_texts_go_outside_the_bar() {
        let e = |at, dir| Some(End { at, dir });
        assert_eq!(ends(1.0, &bar(0.5, 2.0)), [e(0.5, -1.0), e(2.0, 1.0)]);
        // Decreasing effect: the low value lands right of the base.
        assert_eq!(ends(1.0, &bar(2.0, 0.5)), [e(2.0, 1.0), e(0.5, -1.0)]);
        // Both on one side: the nearer text moves to the other side of the base.
        assert_eq!(ends(1.0, &bar(1.5, 2.0)), [e(1.0, -1.0), e(2.0, 1.0)]);
        // At the base.
        assert_eq!(ends(1.0, &bar(1.0, 1.0)), [e(1.0, -1.0), e(1.0, 1.0)]);
        assert_eq!(ends(1.0, &bar(1.0, 0.5)), [e(1.0, 1.0), e(0.5, -1.0)]);
        assert_eq!(ends(1.0, &bar(f64::NAN, 2.0))[0], None);
    }
}
