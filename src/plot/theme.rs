//! Sizes and colours shared by the charts.
//!
//! Lengths are in layout units, [`LAYOUT_PER_PT`] to a printed point (see
//! [`super::Canvas`]); font sizes are plotters sizes (em = size / 1.24 units, see
//! [`super::text`]), so the smallest, [`FOOTNOTE_SIZE`], prints at 7.4 pt.

use plotters::style::RGBColor;

/// Layout units per printed point (1/72 inch). At 1.8, a 16 cm chart is 816 units wide
/// and tick labels (size [`TICK_SIZE`], em 15.3 units) print at 8.5 pt.
pub const LAYOUT_PER_PT: f64 = 1.8;
/// Chart height as a share of its width when the footnotes fit in
/// [`RESERVED_FOOTNOTE_LINES`] lines; it grows by one line height per extra line.
pub const HEIGHT_PER_WIDTH: f64 = 0.8;
/// Footnote lines that fit in [`HEIGHT`] without growing the chart.
pub const RESERVED_FOOTNOTE_LINES: usize = 4;
/// Tallest chart rendered (charts whose height grows with their content stop here).
pub const MAX_HEIGHT: u32 = 8000;
/// Font family named in text styles (all text is drawn as outlines of the embedded
/// NanumGothic, so it is never looked up).
pub const FONT_FAMILY: &str = "NanumGothic";
/// Title font size (drawn in synthetic bold).
pub const TITLE_SIZE: f64 = 32.0;
/// Subtitle font size.
pub const SUBTITLE_SIZE: f64 = 22.0;
/// Axis description font size.
pub const AXIS_DESC_SIZE: f64 = 20.0;
/// Tick label font size.
pub const TICK_SIZE: f64 = 19.0;
/// Legend and marker label font size.
pub const LEGEND_SIZE: f64 = 19.0;
/// Footnote font size (about 13 px em).
pub const FOOTNOTE_SIZE: f64 = 16.5;

/// Outer margin left and right.
pub const MARGIN_X: u32 = 28;
/// Space above the title.
pub const MARGIN_TOP: u32 = 22;
/// Gap between title and subtitle, and under the subtitle.
pub const TITLE_GAP: u32 = 8;
/// Space between the header (title and subtitle) and the panels.
pub const HEADER_GAP: u32 = 22;
/// Length of the tick marks; tick labels sit twice this far from the axis.
pub const TICK_LENGTH: u32 = 5;
/// Gap between the rotated y-axis description and the widest tick label.
pub const Y_DESC_GAP: u32 = 16;
/// Height of the x-axis tick label area.
pub const X_TICK_AREA: u32 = 34;
/// Extra height of the x-axis area when it carries the axis description.
pub const X_DESC_AREA: u32 = 30;
/// Space right of each plot area (room for the last x tick label).
pub const PLOT_MARGIN_RIGHT: u32 = 24;
/// Space between the upper and lower panel.
pub const PANEL_GAP: u32 = 18;
/// Paths charts: the least height of each panel (plot and year axis), room for a rotated
/// axis description; a chart with many panels grows beyond its fixed height.
pub const MIN_PATHS_PANEL: f64 = 240.0;
/// Share of the panel height given to the metrics panel when there is a ratios panel.
pub const UPPER_SHARE: f64 = 0.6;
/// Line height of footnotes, and gap above them.
pub const FOOTNOTE_LINE: u32 = 20;
/// Space under the last footnote line.
pub const MARGIN_BOTTOM: u32 = 16;

/// Series line width.
pub const LINE_WIDTH: f64 = 2.5;
/// Radius of the filled circles marking given points.
pub const GIVEN_RADIUS: f64 = 5.5;
/// Observed values: radius of their dots and width of the thin line joining them.
pub const OBSERVED_RADIUS: f64 = 3.5;
/// See [`OBSERVED_RADIUS`].
pub const OBSERVED_LINE_WIDTH: f64 = 1.2;
/// Half-diagonal of the hollow diamonds marking stated figures.
pub const STATED_HALF: f64 = 9.0;
/// Outline width of the diamonds.
pub const STATED_STROKE: f64 = 2.0;
/// Dash and gap lengths of dashed lines.
pub const DASH: (f64, f64) = (7.0, 5.0);
/// Width of dashed data lines (the deterministic path of fan charts).
pub const DASHED_WIDTH: f64 = 2.0;
/// Height of the filled swatches in legends.
pub const SWATCH_HEIGHT: f64 = 14.0;

/// Gap between the subtitle and a legend strip.
pub const LEGEND_STRIP_GAP: u32 = 12;
/// Horizontal gap between entries of a legend strip.
pub const LEGEND_ENTRY_GAP: f64 = 30.0;
/// Vertical gap between rows of a legend strip.
pub const LEGEND_ROW_GAP: f64 = 8.0;

/// Okabe–Ito colour-blind-safe palette (yellow left out: too pale on white).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
];
/// Title text.
pub const TITLE_COLOR: RGBColor = RGBColor(25, 25, 25);
/// Subtitle, axis descriptions, legend and marker labels.
pub const TEXT_COLOR: RGBColor = RGBColor(60, 60, 60);
/// Tick labels.
pub const TICK_COLOR: RGBColor = RGBColor(85, 85, 85);
/// Footnotes.
pub const FOOTNOTE_COLOR: RGBColor = RGBColor(100, 100, 100);
/// Axis lines and tick marks.
pub const AXIS_COLOR: RGBColor = RGBColor(140, 140, 140);
/// Horizontal grid lines.
pub const GRID_COLOR: RGBColor = RGBColor(228, 228, 228);
/// Vertical marker lines.
pub const MARKER_COLOR: RGBColor = RGBColor(120, 120, 120);
/// Legend border.
pub const LEGEND_BORDER: RGBColor = RGBColor(200, 200, 200);
/// Opacity of the legend's white background.
pub const LEGEND_OPACITY: f64 = 0.88;

/// Panel titles of small multiples (drawn in synthetic bold).
pub const PANEL_TITLE_SIZE: f64 = 22.0;
/// Gap between a panel title and its plot.
pub const PANEL_TITLE_GAP: f64 = 12.0;
/// Text printed next to bars (values, bar-end labels).
pub const VALUE_SIZE: f64 = 18.0;
/// Gap between a bar end and the text next to it.
pub const VALUE_GAP: f64 = 8.0;

/// Fan charts: hue of the percentile bands (Okabe–Ito blue).
pub const FAN_HUE: RGBColor = PALETTE[0];
/// Fan charts: strength of the band tints, widest (P5–P95) to narrowest (P25–P75).
pub const FAN_BAND_TINTS: [f64; 3] = [0.2, 0.38, 0.62];
/// Fan charts: the median line (dark blue, the bands' hue).
pub const FAN_MEDIAN: RGBColor = RGBColor(8, 48, 107);
/// Fan charts: the dashed deterministic path.
pub const FAN_DETERMINISTIC: RGBColor = RGBColor(25, 25, 25);
/// Width of the white casing on each side of dashed lines drawn over others (the fan
/// charts' deterministic path, the variants of comparison charts).
pub const CASING: f64 = 1.0;
/// Fan charts: the stated-figure diamonds (vermillion, clear of the blue bands).
pub const FAN_STATED: RGBColor = PALETTE[1];
/// Observed values on a comparison chart, whose variants use the palette: near black.
pub const COMPARE_OBSERVED: RGBColor = RGBColor(40, 40, 40);

/// Small multiples (fan and comparison charts): space between the two columns of panels.
pub const COLUMN_GAP: f64 = 48.0;
/// Small multiples: space between rows of panels, beyond the x-axis area.
pub const ROW_GAP: f64 = 10.0;
/// Small multiples: height of one panel (title, plot and x axis) in two columns, alone, or
/// in three or four columns.
pub const PANEL_HEIGHT: (f64, f64, f64) = (0.62, 0.45, 0.8);
/// Small multiples: the least height of a panel, whatever its width.
pub const MIN_PANEL_HEIGHT: f64 = 250.0;
/// Charts over years: half-width, in years, of the boxes (bands, stacks) drawn when there
/// is a single year, and of the strokes drawn for a lone value.
pub const SINGLE_YEAR_HALF: f64 = 0.06;

/// Comparison charts: width of the base variant's line (the others use [`LINE_WIDTH`]).
pub const BASE_LINE_WIDTH: f64 = 3.5;
/// Comparison charts: dash patterns of the variants, in order (1× lengths, alternately
/// drawn and skipped; empty = solid, for the base). Beyond the eighth, they repeat.
pub const VARIANT_DASHES: [&[f64]; 8] = [
    &[],
    &[10.0, 5.0],
    &[3.0, 7.0],
    &[13.0, 4.0, 3.0, 4.0],
    &[24.0, 6.0],
    &[13.0, 4.0, 3.0, 4.0, 3.0, 4.0],
    &[6.0, 3.0, 6.0, 10.0],
    &[24.0, 5.0, 7.0, 5.0],
];
/// Length of the line in legend keys that show a dash pattern (long enough for a whole
/// period of every pattern in [`VARIANT_DASHES`]).
pub const PATTERN_KEY_WIDTH: f64 = 46.0;

/// Stacked area charts: width of the white lines between segments.
pub const SEPARATOR_WIDTH: f64 = 1.5;
/// Stacked area charts: the stated-total diamonds.
pub const STACK_STATED: RGBColor = RGBColor(25, 25, 25);

/// Bar charts (tornado, Sobol): colours of the two kinds of bar (Okabe–Ito blue and
/// vermillion / orange).
pub const BAR_COLORS: [RGBColor; 2] = [PALETTE[0], PALETTE[1]];
/// Tornado charts: height of one row (bar and the space around it).
pub const TORNADO_ROW: f64 = 58.0;
/// Tornado charts: bar thickness as a share of the row.
pub const TORNADO_BAR: f64 = 0.62;
/// Tornado charts: the base line.
pub const BASE_LINE_COLOR: RGBColor = RGBColor(40, 40, 40);
/// Sobol charts: height of one input's row (two bars and the space around them).
pub const SOBOL_ROW: f64 = 76.0;
/// Sobol charts: thickness of each of the two bars as a share of the row.
pub const SOBOL_BAR: f64 = 0.27;
/// Sobol charts: the confidence-interval whiskers.
pub const WHISKER_COLOR: RGBColor = RGBColor(50, 50, 50);
/// Sobol charts: the line at zero.
pub const ZERO_LINE_COLOR: RGBColor = RGBColor(150, 150, 150);
/// Category rows a bar chart is at least as tall as (fewer bars are centred in it).
pub const MIN_ROWS: usize = 4;
/// Widest share of the chart width the category labels may take; longer labels are
/// shortened with "…".
pub const MAX_LABEL_SHARE: f64 = 0.4;

/// Histograms: the bars.
pub const HISTOGRAM_BAR: RGBColor = RGBColor(86, 150, 200);
/// Histograms: the marker lines and their labels.
pub const HISTOGRAM_MARKER: RGBColor = RGBColor(40, 40, 40);
