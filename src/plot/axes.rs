//! Axes: "nice" value axes with round ticks, integer-year axes, category axes, tick label
//! formatting, and the plotters mesh (axis lines, grid, tick labels, descriptions) built
//! from them in the charts' style.

use std::ops::Range;

use plotters::chart::{ChartContext, LabelAreaPosition};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotError;
use super::common::{Rect, Sheet, ellipsize, font, px, upx};
use super::text::text_size;
use super::theme as t;
use crate::format::{Money, korean_won, number, won_per};

/// How a [`ValueAxis`] is fitted around the data.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fit {
    /// Whether the axis always reaches zero (amounts, shares, frequencies).
    pub zero: bool,
    /// Whether to add a step beyond data that would otherwise run along the frame (not
    /// needed at zero, where the frame is a natural edge).
    pub headroom: bool,
}

impl Fit {
    /// From (at most) zero to a little above the data.
    pub(super) const FROM_ZERO: Fit = Fit {
        zero: true,
        headroom: true,
    };
    /// Around the data only, with room at both ends.
    pub(super) const AROUND: Fit = Fit {
        zero: false,
        headroom: true,
    };
}

/// A "nice" value axis: ticks at multiples of a 1-2-5 step.
#[derive(Debug, Clone)]
pub(super) struct ValueAxis {
    /// Tick positions, ascending.
    pub ticks: Vec<f64>,
    /// The axis range; usually from the first to the last tick, wider after
    /// [`ValueAxis::make_room`].
    pub range: Range<f64>,
    step: f64,
    /// Decimals that show the step exactly.
    pub decimals: usize,
    percent: bool,
    /// Won per unit when the values are amounts of won written in 조/억/만.
    won: Option<f64>,
}

impl ValueAxis {
    /// From (at most) zero to just above the data, with at most 7 intervals.
    pub(super) fn new(lo: f64, hi: f64, percent: bool) -> Self {
        ValueAxis::fit(lo, hi, percent, Fit::FROM_ZERO)
    }

    /// From (at most) zero to just above the finite ones of `values`.
    pub(super) fn spanning(values: impl Iterator<Item = f64>, percent: bool) -> Self {
        let (lo, hi) = values
            .filter(|v| v.is_finite())
            .fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        ValueAxis::new(lo, hi, percent)
    }

    /// The axis for data in `lo..=hi`; non-finite bounds are treated as missing.
    pub(super) fn fit(lo: f64, hi: f64, percent: bool, fit: Fit) -> Self {
        let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
            (true, true) => (lo.min(hi), hi.max(lo)),
            (true, false) => (lo, lo),
            (false, true) => (hi, hi),
            (false, false) => (0.0, 0.0),
        };
        let (lo, hi) = if fit.zero {
            (lo.min(0.0), hi.max(0.0))
        } else {
            (lo, hi)
        };
        let span = if hi > lo {
            hi - lo
        } else if hi != 0.0 && !fit.zero {
            // A single value away from zero: a window a fifth of its size.
            hi.abs() * 0.2
        } else {
            1.0
        };
        let room_hi = fit.headroom && (hi > 0.0 || !fit.zero);
        let room_lo = fit.headroom && (lo < 0.0 || !fit.zero);
        // The finest 1-2-5 step that needs at most 7 intervals, room included.
        let intervals = |step: f64| {
            let mut first = (lo / step).floor() as i64;
            let mut last = (hi / step).ceil() as i64;
            if room_hi && last as f64 * step - hi < 0.04 * span {
                last += 1;
            }
            if room_lo && lo - first as f64 * step < 0.04 * span {
                first -= 1;
            }
            (first, last.max(first + 1))
        };
        let mag = 10_f64.powf((span / 10.0).log10().floor());
        let (step, (first, last)) = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
            .into_iter()
            .map(|m| (m * mag, intervals(m * mag)))
            .find(|(_, (f, l))| l - f <= 7)
            .unwrap_or((100.0 * mag, intervals(100.0 * mag)));
        let ticks: Vec<f64> = (first..=last).map(|i| i as f64 * step).collect();
        // Decimals needed to show the step exactly (percent labels show step × 100).
        let shown = if percent { step * 100.0 } else { step };
        let is_whole = |x: f64| (x - x.round()).abs() <= 1e-6 * x.abs().max(1.0);
        let mut decimals = 0;
        while decimals < 9 && !is_whole(shown * 10_f64.powi(decimals as i32)) {
            decimals += 1;
        }
        ValueAxis {
            range: first as f64 * step..last as f64 * step,
            ticks,
            step,
            decimals,
            percent,
            won: None,
        }
    }

    /// The axis with tick labels in 조/억/만 (`100조`, `2조 5,000억`) when `money` asks
    /// for Korean notation and `unit` is an amount of won; unchanged otherwise.
    pub(super) fn in_money(mut self, unit: &str, money: Money) -> Self {
        if money == Money::Korean && !self.percent {
            self.won = won_per(unit);
        }
        self
    }

    /// The axis description to show for `desc`: "원" when the ticks carry the 조/억 units.
    pub(super) fn desc<'a>(&self, desc: &'a str) -> &'a str {
        if self.won.is_some() { "원" } else { desc }
    }

    /// Widens the range (keeping the step) so that, on a plot `width` pixels wide, each
    /// `(value, left, right)` has at least `left` pixels between the range start and the
    /// value and `right` pixels between the value and the range end: room for text next
    /// to bar ends. Each need is capped at 40% of the width, so this always converges.
    pub(super) fn make_room(&mut self, width: f64, needs: &[(f64, f64, f64)]) {
        let width = if width.is_finite() {
            width.max(1.0)
        } else {
            1.0
        };
        let cap = |p: f64| {
            if p.is_finite() {
                p.clamp(0.0, 0.4 * width)
            } else {
                0.0
            }
        };
        let original = self.range.clone();
        for _ in 0..50 {
            let (lo, hi) = (self.range.start, self.range.end);
            let per_px = (hi - lo) / width;
            let new_lo = needs
                .iter()
                .filter(|n| n.0.is_finite())
                .map(|&(v, l, _)| v - cap(l) * per_px)
                .fold(lo, f64::min);
            let new_hi = needs
                .iter()
                .filter(|n| n.0.is_finite())
                .map(|&(v, _, r)| v + cap(r) * per_px)
                .fold(hi, f64::max);
            if new_lo >= lo - 1e-12 * per_px && new_hi <= hi + 1e-12 * per_px {
                break;
            }
            self.range = new_lo..new_hi;
        }
        if !(self.range.start.is_finite() && self.range.end.is_finite()) {
            // Values near f64::MAX: better no room than no axis.
            self.range = original;
            return;
        }
        // Ticks at the same step across the wider range (a handful more at most, because
        // each need is capped).
        let eps = 1e-9;
        let first = (self.range.start / self.step - eps).ceil() as i64;
        let last = (self.range.end / self.step + eps).floor() as i64;
        if last.saturating_sub(first) <= 20 {
            self.ticks = (first..=last).map(|i| i as f64 * self.step).collect();
        }
    }

    /// Tick label: grouped digits, as a percentage for shares (0.15 → "15%").
    pub(super) fn label(&self, v: f64) -> String {
        self.label_with(v, self.decimals)
    }

    /// A value printed on the chart (not a tick): one decimal more than the ticks.
    pub(super) fn value_label(&self, v: f64) -> String {
        self.label_with(v, self.decimals + 1)
    }

    fn label_with(&self, v: f64, decimals: usize) -> String {
        if let Some(per) = self.won {
            let text = korean_won(v * per);
            return text.trim_end_matches('원').trim_end().to_owned();
        }
        if self.percent {
            format!("{}%", number(v * 100.0, decimals))
        } else {
            number(v, decimals)
        }
    }

    /// Width of the widest tick label at the tick font size.
    pub(super) fn widest_label(&self) -> Result<f64, PlotError> {
        let mut widest = 0;
        for v in &self.ticks {
            widest = widest.max(text_size(&self.label(*v), t::TICK_SIZE)?.0);
        }
        Ok(f64::from(widest))
    }

    /// Width (1×) the y-axis label area needs: rotated description, gap, widest tick
    /// label, and plotters' label distance (twice the tick mark length).
    pub(super) fn label_area(&self, desc: &str) -> Result<f64, PlotError> {
        let desc_h = f64::from(text_size(desc, t::AXIS_DESC_SIZE)?.1);
        Ok(desc_h + f64::from(t::Y_DESC_GAP + 2 * t::TICK_LENGTH) + self.widest_label()?)
    }

    /// The axis as plotters coordinates with its ticks.
    pub(super) fn ticked(&self) -> Ticked {
        Ticked::new(self.range.clone(), self.ticks.clone())
    }
}

/// An axis of whole years: the year range with a little padding and integer-year ticks.
#[derive(Debug, Clone)]
pub(super) struct YearAxis {
    /// The axis range, padded.
    pub range: Range<f64>,
    /// Tick positions (whole years).
    pub ticks: Vec<f64>,
}

impl YearAxis {
    /// Ticks at every year while the span is under `every_year_below` years, else at a
    /// round step giving at most `max_intervals` intervals.
    pub(super) fn new(years: &[i32], every_year_below: i64, max_intervals: i64) -> Self {
        let first = years.iter().copied().min().unwrap_or(0);
        let last = years.iter().copied().max().unwrap_or(first);
        let span = i64::from(last) - i64::from(first);
        let step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000]
            .into_iter()
            .find(|&s| {
                if s == 1 {
                    span < every_year_below
                } else {
                    span / s <= max_intervals
                }
            })
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

    /// Ticks as dense as fit on a plot `plot_w` wide: every year while the labels have
    /// room, else a round step.
    pub(super) fn fitting(years: &[i32], plot_w: f64) -> Result<Self, PlotError> {
        let label = f64::from(text_size("0000", t::TICK_SIZE)?.0) + YEAR_LABEL_GAP;
        let intervals = (plot_w / label).floor().max(1.0) as i64;
        Ok(YearAxis::new(years, intervals + 1, intervals))
    }

    /// The axis as plotters coordinates with its ticks.
    pub(super) fn ticked(&self) -> Ticked {
        Ticked::new(self.range.clone(), self.ticks.clone())
    }
}

/// Least space between two year labels.
const YEAR_LABEL_GAP: f64 = 14.0;

/// Tick label of a year.
pub(super) fn year_label(v: &f64) -> String {
    format!("{}", v.round() as i64)
}

/// The axes of a plot of values over years (paths, fan, comparison and stacked charts):
/// integer years across, a value axis up the left with horizontal grid lines.
#[derive(Debug, Clone, Copy)]
pub(super) struct YearPlot<'a> {
    /// The year axis.
    pub years: &'a YearAxis,
    /// The value axis.
    pub values: &'a ValueAxis,
    /// Description under the year axis, if this plot carries it.
    pub year_desc: Option<&'a str>,
    /// Rotated description of the value axis.
    pub value_desc: &'a str,
    /// Whether to reserve the height of the year description even without one (so that
    /// plots in a row line up).
    pub reserve_desc: bool,
    /// Width of the value-axis label area (shared by plots that should line up).
    pub y_area: f64,
    /// Space above the plot.
    pub margin_top: f64,
}

impl YearPlot<'_> {
    /// Builds the chart in `area` and draws its axes, grid, tick labels and descriptions.
    pub(super) fn draw<'b, DB: DrawingBackend>(
        &self,
        area: &'b DrawingArea<DB, Shift>,
        k: f64,
    ) -> Result<ChartContext<'b, DB, Coords>, PlotError> {
        let values = self.values;
        let value_label = |v: &f64| values.label(*v);
        draw_mesh(
            area,
            Mesh {
                x: self.years.ticked(),
                y: values.ticked(),
                x_label: &year_label,
                y_label: &value_label,
                x_desc: self.year_desc,
                y_desc: Some(self.values.desc(self.value_desc)),
                x_area: Mesh::x_area_for(self.reserve_desc || self.year_desc.is_some()),
                y_area: self.y_area,
                margin_top: self.margin_top,
                margin_right: f64::from(t::PLOT_MARGIN_RIGHT),
                grid: Grid::Horizontal,
            },
            k,
        )
    }
}

/// A category axis: `n` rows top to bottom, row `i` centred at `y = n − 1 − i` (plotters'
/// y grows upwards); at least `min_rows` rows' height, with the rows centred in it.
#[derive(Debug, Clone)]
pub(super) struct Categories {
    n: usize,
    range: Range<f64>,
}

impl Categories {
    /// The axis for `n` rows.
    pub(super) fn new(n: usize, min_rows: usize) -> Self {
        let pad = 0.5 + min_rows.saturating_sub(n) as f64 / 2.0;
        Categories {
            n,
            range: -pad..(n as f64 - 1.0 + pad),
        }
    }

    /// The y value of row `i`'s centre.
    pub(super) fn y(&self, i: usize) -> f64 {
        self.n as f64 - 1.0 - i as f64
    }

    /// Row index of a tick value.
    pub(super) fn index(&self, y: f64) -> Option<usize> {
        let i = self.n as f64 - 1.0 - y.round();
        (i >= 0.0 && i < self.n as f64).then_some(i as usize)
    }

    /// The axis as plotters coordinates, ticked at the row centres.
    pub(super) fn ticked(&self) -> Ticked {
        Ticked::new(self.range.clone(), (0..self.n).map(|i| self.y(i)).collect())
    }
}

/// The axes of a horizontal bar chart (tornado, Sobol): one category row per bar group, top
/// to bottom, labelled on the left; values on the x axis with vertical grid lines.
pub(super) struct BarAxes {
    /// The page the chart spans.
    sheet: Sheet,
    /// Category labels, shortened to fit.
    labels: Vec<String>,
    /// Width of the label area left of the plot (1×).
    label_area: f64,
    /// The rows.
    pub rows: Categories,
}

impl BarAxes {
    /// Axes for rows with these labels, at least [`t::MIN_ROWS`] rows tall. The label area
    /// is as wide as the widest label, up to [`t::MAX_LABEL_SHARE`] of the chart width
    /// (longer labels are shortened with "…").
    pub(super) fn new<'s>(
        sheet: Sheet,
        labels: impl Iterator<Item = &'s str>,
    ) -> Result<Self, PlotError> {
        let max_w = f64::from(sheet.width) * t::MAX_LABEL_SHARE;
        let mut shortened = Vec::new();
        let mut widest = 0.0_f64;
        for label in labels {
            let s = ellipsize(label, t::TICK_SIZE, max_w)?;
            widest = widest.max(f64::from(text_size(&s, t::TICK_SIZE)?.0));
            shortened.push(s);
        }
        let rows = Categories::new(shortened.len(), t::MIN_ROWS);
        Ok(BarAxes {
            sheet,
            labels: shortened,
            label_area: widest + f64::from(2 * t::TICK_LENGTH) + 6.0,
            rows,
        })
    }

    /// Width of the plot area (1×) when the chart spans the page body.
    pub(super) fn plot_width(&self) -> f64 {
        self.sheet.content_width() - self.label_area - f64::from(t::PLOT_MARGIN_RIGHT)
    }

    /// Height of the page body: `margin_top`, rows of `row` pixels, the x axis.
    pub(super) fn body_height(&self, row: f64, margin_top: f64) -> f64 {
        let n = self.labels.len().max(t::MIN_ROWS) as f64;
        margin_top + n * row + Mesh::x_area_for(true)
    }

    /// Draws the axes in `area` (the page body) with `x` as the value axis.
    pub(super) fn draw<'a, DB: DrawingBackend>(
        &self,
        area: &'a DrawingArea<DB, Shift>,
        x: &ValueAxis,
        x_desc: &str,
        margin_top: f64,
        k: f64,
    ) -> Result<ChartContext<'a, DB, Coords>, PlotError> {
        let x_label = |v: &f64| x.label(*v);
        let y_label = |v: &f64| {
            self.rows
                .index(*v)
                .and_then(|i| self.labels.get(i))
                .cloned()
                .unwrap_or_default()
        };
        draw_mesh(
            area,
            Mesh {
                x: x.ticked(),
                y: self.rows.ticked(),
                x_label: &x_label,
                y_label: &y_label,
                x_desc: Some(x_desc),
                y_desc: None,
                x_area: Mesh::x_area_for(true),
                y_area: self.label_area,
                margin_top,
                margin_right: f64::from(t::PLOT_MARGIN_RIGHT),
                grid: Grid::Vertical,
            },
            k,
        )
    }
}

/// A linear f64 axis with exactly the given ticks (plotters' own `WithKeyPoints` cannot
/// be used with `configure_mesh`). Grid lines and labels go at the ticks; there are no
/// light (minor) lines.
#[derive(Clone)]
pub(super) struct Ticked {
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

/// Which grid lines a plot gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Grid {
    /// Horizontal lines at the y ticks (value on the y axis).
    Horizontal,
    /// Vertical lines at the x ticks (value on the x axis).
    Vertical,
}

/// Everything [`draw_mesh`] needs; sizes in 1× pixels.
pub(super) struct Mesh<'a> {
    /// The x axis.
    pub x: Ticked,
    /// The y axis.
    pub y: Ticked,
    /// Tick label of an x value.
    pub x_label: &'a dyn Fn(&f64) -> String,
    /// Tick label of a y value.
    pub y_label: &'a dyn Fn(&f64) -> String,
    /// Description under the x axis; its height must be included in `x_area`.
    pub x_desc: Option<&'a str>,
    /// Rotated description left of the y axis; its height must be included in `y_area`.
    pub y_desc: Option<&'a str>,
    /// Height of the area under the plot (tick labels and description).
    pub x_area: f64,
    /// Width of the area left of the plot.
    pub y_area: f64,
    /// Space above the plot.
    pub margin_top: f64,
    /// Space right of the plot.
    pub margin_right: f64,
    /// Which grid lines to draw.
    pub grid: Grid,
}

impl Mesh<'_> {
    /// Height of the x label area with tick labels, plus the description if `desc`.
    pub(super) fn x_area_for(desc: bool) -> f64 {
        f64::from(t::X_TICK_AREA + if desc { t::X_DESC_AREA } else { 0 })
    }
}

/// The coordinate system of every chart.
pub(super) type Coords = Cartesian2d<Ticked, Ticked>;

/// Builds the chart in `area` and draws its axes, grid, tick labels and descriptions.
pub(super) fn draw_mesh<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    m: Mesh<'_>,
    k: f64,
) -> Result<ChartContext<'a, DB, Coords>, PlotError> {
    let err = PlotError::from_display;
    let mut cc = ChartBuilder::on(area)
        .margin_top(px(k, m.margin_top))
        .margin_right(px(k, m.margin_right))
        .x_label_area_size(px(k, m.x_area))
        .y_label_area_size(px(k, m.y_area))
        .build_cartesian_2d(m.x, m.y)
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
    let mut mesh = cc.configure_mesh();
    match m.grid {
        Grid::Horizontal => mesh.disable_x_mesh(),
        Grid::Vertical => mesh.disable_y_mesh(),
    };
    mesh.bold_line_style(t::GRID_COLOR.stroke_width(upx(k, 1.0)))
        .axis_style(t::AXIS_COLOR.stroke_width(upx(k, 1.0)))
        .set_all_tick_mark_size(px(k, f64::from(t::TICK_LENGTH)))
        .set_tick_mark_size(LabelAreaPosition::Left, px(k, f64::from(t::TICK_LENGTH)))
        .x_label_style(tick_style.clone())
        .y_label_style(tick_style)
        .x_label_formatter(m.x_label)
        .y_label_formatter(m.y_label)
        .axis_desc_style(desc_style);
    // Descriptions keep to the side of the plot they describe (sizes here are scaled).
    let (w, h) = area.dim_in_pixel();
    let size = t::AXIS_DESC_SIZE * k;
    if let Some(desc) = m.y_desc {
        mesh.y_desc(super::common::ellipsize(desc, size, f64::from(h) * 0.95)?);
    }
    if let Some(desc) = m.x_desc {
        mesh.x_desc(super::common::ellipsize(desc, size, f64::from(w) * 0.95)?);
    }
    mesh.draw().map_err(err)?;
    Ok(cc)
}

/// The plotting area of `cc` in backend pixels (inclusive corners).
pub(super) fn plot_rect<DB: DrawingBackend>(cc: &ChartContext<'_, DB, Coords>) -> Rect {
    let (xr, yr) = cc.plotting_area().get_pixel_range();
    Rect {
        x0: xr.start,
        y0: yr.start,
        x1: xr.end - 1,
        y1: yr.end - 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axes() {
        let a = ValueAxis::new(9.4, 350.0, false);
        assert_eq!(a.ticks, vec![0.0, 100.0, 200.0, 300.0, 400.0]);
        assert_eq!(ValueAxis::new(0.0, 105.0, false).range.end, 120.0);
        assert_eq!(ValueAxis::new(-300.0, 5000.0, false).range, -1000.0..6000.0);
        let r = ValueAxis::new(0.0, 0.15, true);
        assert_eq!(r.range.end, 0.2);
        assert_eq!(r.decimals, 0);
        let neg = ValueAxis::new(-3.0, 7.0, false);
        assert!(neg.ticks[0] <= -3.0 && neg.ticks.contains(&0.0));
        // Degenerate data still gives an axis of positive length.
        let zero = ValueAxis::new(0.0, 0.0, false);
        assert!(zero.range.end > zero.range.start);
        let nan = ValueAxis::fit(f64::NAN, f64::INFINITY, false, Fit::AROUND);
        assert!(nan.range.end > nan.range.start);
    }

    #[test]
    fn axes_around_the_data_leave_zero_out() {
        let a = ValueAxis::fit(0.127, 0.170, true, Fit::AROUND);
        assert!(
            a.range.start > 0.1 && a.range.start <= 0.127,
            "{:?}",
            a.range
        );
        assert!(a.range.end >= 0.17 && a.range.end < 0.2);
        assert!(a.ticks.len() >= 3 && a.ticks.len() <= 8);
        let one = ValueAxis::fit(0.15, 0.15, true, Fit::AROUND);
        assert!(one.range.start < 0.15 && one.range.end > 0.15);
        let unit = ValueAxis::fit(
            -0.05,
            1.0,
            false,
            Fit {
                zero: true,
                headroom: false,
            },
        );
        assert_eq!(unit.range.end, 1.0);
        assert!(unit.range.start < -0.05);
    }

    #[test]
    fn making_room_widens_the_range_only_as_needed() {
        let mut a = ValueAxis::fit(
            0.0,
            1.0,
            false,
            Fit {
                zero: true,
                headroom: false,
            },
        );
        let before = a.range.clone();
        a.make_room(1000.0, &[(0.5, 50.0, 50.0)]);
        assert_eq!(a.range, before);
        a.make_room(1000.0, &[(1.0, 0.0, 100.0), (0.0, 2000.0, 0.0)]);
        let per_px = (a.range.end - a.range.start) / 1000.0;
        assert!(a.range.end - 1.0 >= 100.0 * per_px * 0.999);
        // The left need is capped at 40% of the width.
        assert!((0.0 - a.range.start) <= 400.0 * per_px * 1.001);
        let inside = |v: &f64| *v >= a.range.start - 1e-9 && *v <= a.range.end + 1e-9;
        assert!(a.ticks.iter().all(inside), "{:?} {:?}", a.range, a.ticks);
    }

    #[test]
    fn year_ticks_are_whole_years() {
        let y = YearAxis::new(&(2023..=2031).collect::<Vec<_>>(), 15, 12);
        assert_eq!(y.ticks.len(), 9);
        let long = YearAxis::new(&(2001..=2050).collect::<Vec<_>>(), 15, 12);
        assert!(long.ticks.len() <= 12);
        assert_eq!(long.ticks[0], 2005.0);
        let vast = YearAxis::new(&[i32::MIN, i32::MAX], 15, 12);
        assert!(vast.ticks.len() <= 12);
        assert!(long.ticks.iter().all(|t| t.fract() == 0.0));
        let narrow = YearAxis::new(&(2020..=2035).collect::<Vec<_>>(), 10, 7);
        assert!(narrow.ticks.len() <= 8, "{:?}", narrow.ticks);
    }

    #[test]
    fn categories_run_top_to_bottom() {
        let c = Categories::new(3, 1);
        assert_eq!(c.y(0), 2.0);
        assert_eq!(c.index(2.0), Some(0));
        assert_eq!(c.index(0.0), Some(2));
        assert_eq!(c.index(3.0), None);
        let padded = Categories::new(1, 3);
        assert_eq!(padded.range, -1.5..1.5);
    }
}
