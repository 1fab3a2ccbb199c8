//! Sizes and colours shared by the charts.
//!
//! Lengths are in output pixels (PNG renders at [`SUPERSAMPLE`] times these and scales
//! down); font sizes are plotters sizes (em = size / 1.24 px, see [`super::text`]).

use plotters::style::RGBColor;

/// Chart width.
pub const WIDTH: u32 = 1400;
/// Chart height when the footnotes fit in [`RESERVED_FOOTNOTE_LINES`] lines; it grows by
/// one line height per extra line.
pub const HEIGHT: u32 = 900;
/// Footnote lines that fit in [`HEIGHT`] without growing the chart.
pub const RESERVED_FOOTNOTE_LINES: usize = 4;
/// PNGs are drawn this many times larger and box-filtered down: plotters' bitmap
/// rasteriser has no anti-aliasing, and this smooths lines, markers and glyph edges.
pub const SUPERSAMPLE: u32 = 3;

/// Font family written into SVG `<text>`; PNGs always use the embedded NanumGothic.
pub const FONT_FAMILY: &str = "NanumGothic, 'Noto Sans CJK KR', sans-serif";
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
/// Half-diagonal of the hollow diamonds marking stated figures.
pub const STATED_HALF: f64 = 9.0;
/// Outline width of the diamonds.
pub const STATED_STROKE: f64 = 2.0;
/// Dash and gap lengths of the vertical marker lines.
pub const DASH: (f64, f64) = (7.0, 5.0);

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
