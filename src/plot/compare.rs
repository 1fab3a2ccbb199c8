//! Comparison charts: small multiples, one panel per series, each with one line per
//! variant (scenario or variant of one). Variants differ in colour and in dash pattern, so
//! that the chart still reads in greyscale; the base (first) variant is solid and a little
//! thicker, and drawn first; the others are drawn over it in order, their dashes cased in
//! white so that a variant running along another stays visible. One legend strip under the
//! header names the variants.

use plotters::chart::ChartContext;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::axes::{Coords, ValueAxis};
use super::common::{
    self, LineStyle, Sheet, check_years, observed_marks, observed_pixels, polylines,
};
use super::legend::Key;
use super::multiples::{Contents, Multiples, Page, Panel};
use super::theme as t;
use super::{CompareChart, ComparePanel, PlotError};

common::chart_laid_out_by!(CompareChart, layout);

/// Most years either side of a lone value that its stroke may reach.
const LONE_HALF_MAX: f64 = 0.3;

/// How variant `i` is drawn: a palette colour and a dash pattern each, both repeating
/// (at different periods, so that colour and pattern together stay distinct for many more
/// variants); the base solid and thicker.
fn variant_style(i: usize) -> LineStyle {
    let base = i == 0;
    LineStyle {
        colour: t::PALETTE[i % t::PALETTE.len()],
        width: if base {
            t::BASE_LINE_WIDTH
        } else {
            t::LINE_WIDTH
        },
        dashes: t::VARIANT_DASHES[i % t::VARIANT_DASHES.len()],
        // Cased dashes stay visible where a variant runs along the base or another one.
        casing: if base { 0.0 } else { t::CASING },
    }
}

/// What the panels show: one line per variant.
struct Lines<'a>(&'a CompareChart);

/// The chart laid out: one panel per series, the variants' legend strip above them.
fn layout(chart: &CompareChart, sheet: Sheet) -> Result<Page<'_, Lines<'_>>, PlotError> {
    if chart.variants.is_empty() {
        return Err(PlotError::new("the comparison chart has no variants"));
    }
    if chart.panels.is_empty() {
        return Err(PlotError::new("the comparison chart has no panels"));
    }
    check_years(&chart.years, "comparison chart")?;
    for p in &chart.panels {
        check_panel(p, chart.variants.len(), chart.years.len())?;
    }
    let panels = chart.panels.iter().map(|p| Panel {
        title: &p.title,
        values: ValueAxis::spanning(
            p.lines
                .iter()
                .flatten()
                .copied()
                .chain(p.observed.iter().map(|o| o.1)),
            p.percent,
        )
        .in_money(&p.axis, chart.money),
        value_desc: &p.axis,
    });
    let grid = Multiples::new(sheet, &chart.years, &chart.year_axis, panels.collect())?;
    let mut entries: Vec<(Key, &str)> = chart
        .variants
        .iter()
        .enumerate()
        .map(|(i, name)| (Key::Styled(variant_style(i)), name.as_str()))
        .collect();
    let in_years = |y: &i32| chart.years.contains(y);
    if chart
        .panels
        .iter()
        .any(|p| p.observed.iter().any(|(y, _)| in_years(y)))
    {
        entries.push((
            Key::Observed(t::COMPARE_OBSERVED),
            chart.observed_label.as_str(),
        ));
    }
    let header = (chart.title.as_str(), chart.subtitle.as_str());
    Page::new(grid, header, &entries, &chart.footnotes, Lines(chart))
}

/// Refuses lines that cannot be matched to a variant, or values to a year.
fn check_panel(p: &ComparePanel, variants: usize, years: usize) -> Result<(), PlotError> {
    if p.lines.len() > variants {
        return Err(PlotError::new(format!(
            "panel \"{}\" has {} lines for {variants} variants",
            p.title,
            p.lines.len()
        )));
    }
    if let Some(long) = p.lines.iter().find(|l| l.len() > years) {
        return Err(PlotError::new(format!(
            "panel \"{}\" has a line of {} values for {years} years",
            p.title,
            long.len()
        )));
    }
    Ok(())
}

impl Contents for Lines<'_> {
    /// Draws one panel's lines, the base first; a lone value between gaps becomes a short
    /// horizontal stroke, as long as a legend key (so that its pattern shows) but at most
    /// [`LONE_HALF_MAX`] years either side.
    fn draw_panel<DB: DrawingBackend>(
        &self,
        grid: &Multiples<'_>,
        i: usize,
        root: &DrawingArea<DB, Shift>,
        cc: &ChartContext<'_, DB, Coords>,
        k: f64,
    ) -> Result<(), PlotError> {
        let (chart, panel) = (self.0, &self.0.panels[i]);
        let to_px = |x: f64, y: f64| cc.backend_coord(&(x, y));
        let first = f64::from(chart.years[0]);
        let per_year = f64::from((to_px(first + 1.0, 0.0).0 - to_px(first, 0.0).0).max(1));
        let half = (t::PATTERN_KEY_WIDTH / 2.0 * k / per_year).min(LONE_HALF_MAX);
        for (variant, values) in panel.lines.iter().enumerate() {
            let style = variant_style(variant);
            for pts in polylines(&chart.years, values, half, to_px) {
                style.draw(root, &pts, k)?;
            }
        }
        let observed = observed_pixels(&panel.observed, |yr| grid.years.range.contains(&yr), to_px);
        observed_marks(root, &observed, t::COMPARE_OBSERVED, k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_eight_variants_look_different() {
        let styles: Vec<LineStyle> = (0..8).map(variant_style).collect();
        for (i, a) in styles.iter().enumerate() {
            for b in &styles[i + 1..] {
                assert!(a.dashes != b.dashes, "{a:?} {b:?}");
            }
        }
        assert!(styles[0].dashes.is_empty());
        assert!(styles[0].width > styles[1].width);
        // Colour and pattern repeat at different periods.
        assert_ne!(variant_style(7), variant_style(0));
        assert_ne!(variant_style(8), variant_style(0));
    }
}
