//! Stacked area charts: a metric's segments stacked bottom to top over the years, in
//! palette colours with thin white lines between them, stated totals as hollow diamonds to
//! compare with the top of the stack, a legend strip under the header and footnotes.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axes::{ValueAxis, YearAxis, YearPlot};
use super::common::{self, Figure, Frame, Height, Sheet, check_years, stated_marker, tint, upx};
use super::legend::{Key, Strip};
use super::theme as t;
use super::{PlotError, StackedChart};

common::chart_laid_out_by!(StackedChart, Layout::new);

/// Space above the plot.
const MARGIN_TOP: f64 = 6.0;

/// Fill colour of segment `i` (0 = bottom): the palette without black, in full strength,
/// then paler on each further round.
fn segment_colour(i: usize) -> RGBColor {
    let hues = &t::PALETTE[..t::PALETTE.len() - 1];
    let round = (i / hues.len()) as i32;
    tint(hues[i % hues.len()], 0.85 * 0.55_f64.powi(round))
}

/// The chart laid out.
struct Layout<'a> {
    chart: &'a StackedChart,
    frame: Frame,
    years: YearAxis,
    values: ValueAxis,
    y_area: f64,
    /// Cumulative sums per year: `levels[0]` is all zeros, `levels[i + 1]` the top of
    /// segment `i`.
    levels: Vec<Vec<f64>>,
    /// The stated totals inside the year axis, with finite values.
    stated: Vec<(f64, f64)>,
}

impl<'a> Layout<'a> {
    fn new(chart: &'a StackedChart, sheet: Sheet) -> Result<Self, PlotError> {
        check_years(&chart.years, "stacked chart")?;
        if chart.segments.is_empty() {
            return Err(PlotError::new("the stacked chart has no segments"));
        }
        if chart.segments.len() > super::MAX_STACKED {
            return Err(PlotError::new(format!(
                "{} segments are more than the {} bands a stacked chart draws",
                chart.segments.len(),
                super::MAX_STACKED
            )));
        }
        let mut levels = vec![vec![0.0; chart.years.len()]];
        for (label, values) in &chart.segments {
            let below = levels.last().map_or(&[][..], Vec::as_slice);
            let top = stack_on(below, label, values, &chart.years)?;
            levels.push(top);
        }
        // The range (which the ticks do not change) decides which stated totals show.
        let range = YearAxis::new(&chart.years, 0, 1).range;
        let stated: Vec<(f64, f64)> = chart
            .stated_totals
            .iter()
            .map(|&(yr, v)| (f64::from(yr), v))
            .filter(|&(yr, v)| range.contains(&yr) && v.is_finite())
            .collect();
        let top = levels.last().into_iter().flatten().copied();
        let values = ValueAxis::spanning(top.chain(stated.iter().map(|s| s.1)), false)
            .in_money(&chart.value_axis, chart.money);
        let y_area = values.label_area(&chart.value_axis)?;
        let plot_w = sheet.content_width() - y_area - f64::from(t::PLOT_MARGIN_RIGHT);
        let years = YearAxis::fitting(&chart.years, plot_w)?;
        let mut entries: Vec<(Key, &str)> = chart
            .segments
            .iter()
            .enumerate()
            .map(|(i, (label, _))| (Key::Swatch(segment_colour(i)), label.as_str()))
            .collect();
        if !stated.is_empty() {
            entries.push((Key::Stated(t::STACK_STATED), chart.stated_label.as_str()));
        }
        let strip = Strip::new(&entries, sheet.content_width())?;
        let frame = Frame::new(
            sheet,
            &chart.title,
            &chart.subtitle,
            Some(strip),
            &chart.footnotes,
            Height::Fixed,
        )?;
        Ok(Layout {
            chart,
            frame,
            years,
            values,
            y_area,
            levels,
            stated,
        })
    }
}

/// The top of segment `label` with `values` stacked on `below`; NaN counts as 0.
fn stack_on(
    below: &[f64],
    label: &str,
    values: &[f64],
    years: &[i32],
) -> Result<Vec<f64>, PlotError> {
    if values.len() != years.len() {
        return Err(PlotError::new(format!(
            "segment \"{label}\" has {} values for {} years",
            values.len(),
            years.len()
        )));
    }
    below
        .iter()
        .zip(values)
        .zip(years)
        .map(|((&b, &v), yr)| match v {
            v if v.is_nan() => Ok(b),
            v if v >= 0.0 && (b + v).is_finite() => Ok(b + v),
            v if v >= 0.0 && v.is_finite() => Err(PlotError::new(format!(
                "the stack's total in {yr} is too large to draw"
            ))),
            v => Err(PlotError::new(format!(
                "segment \"{label}\" has the value {v} in {yr}; segments must be \
                 finite and not negative"
            ))),
        })
        .collect()
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
        let area = self.frame.body(root, k);
        let cc = YearPlot {
            years: &self.years,
            values: &self.values,
            year_desc: Some(&self.chart.year_axis),
            value_desc: &self.chart.value_axis,
            reserve_desc: false,
            y_area: self.y_area,
            margin_top: MARGIN_TOP,
        }
        .draw(&area, k)?;
        let to_px = |x: f64, y: f64| cc.backend_coord(&(x, y));
        let years: Vec<f64> = self.chart.years.iter().map(|&y| f64::from(y)).collect();
        // A single year is a stacked box rather than a zero-width area.
        let xs: Vec<f64> = match years[..] {
            [only] => vec![only - t::SINGLE_YEAR_HALF, only + t::SINGLE_YEAR_HALF],
            _ => years.clone(),
        };
        let line = |level: &[f64]| -> Vec<(i32, i32)> {
            let at = |i: usize| level[i.min(level.len() - 1)];
            xs.iter()
                .enumerate()
                .map(|(i, &x)| to_px(x, at(i)))
                .collect()
        };
        for (i, pair) in self.levels.windows(2).enumerate() {
            let mut shape = line(&pair[1]);
            shape.extend(line(&pair[0]).into_iter().rev());
            root.draw(&Polygon::new(shape, segment_colour(i).filled()))
                .map_err(err)?;
        }
        // White lines between segments (not under the bottom one, nor over the top).
        let separator = WHITE.stroke_width(upx(k, t::SEPARATOR_WIDTH));
        for level in &self.levels[1..self.levels.len() - 1] {
            root.draw(&PathElement::new(line(level), separator))
                .map_err(err)?;
        }
        for &(yr, v) in &self.stated {
            let c = to_px(yr, v);
            stated_marker(root, c, t::STATED_HALF * k, t::STACK_STATED, k)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_stack_with_nan_as_zero_and_negatives_refused() {
        let years = [2023, 2024, 2025];
        let top = stack_on(&[1.0, 2.0, 3.0], "a", &[1.0, f64::NAN, 0.0], &years).unwrap();
        assert_eq!(top, vec![2.0, 2.0, 3.0]);
        assert!(stack_on(&[0.0; 3], "a", &[1.0, -0.1, 0.0], &years).is_err());
        assert!(stack_on(&[0.0; 3], "a", &[1.0, f64::INFINITY, 0.0], &years).is_err());
        assert!(stack_on(&[0.0; 3], "a", &[1.0, 2.0], &years).is_err());
        assert!(stack_on(&[f64::MAX; 3], "a", &[0.0, f64::MAX, 0.0], &years).is_err());
    }

    #[test]
    fn segment_colours_stay_distinct_and_skip_black() {
        let colours: Vec<RGBColor> = (0..12).map(segment_colour).collect();
        for (i, a) in colours.iter().enumerate() {
            assert_ne!(*a, RGBColor(0, 0, 0));
            assert!(colours[i + 1..].iter().all(|b| b != a));
        }
    }
}
