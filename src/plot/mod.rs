//! Charts. One file per chart (the year-by-year paths, Monte Carlo fan charts, tornado,
//! histogram and Sobol charts, comparisons of variants and stacked segments), each
//! rendering itself through [`Chart`] at the size of a [`Canvas`]; the page frame, axes, legends,
//! small-multiples grid, theme and the embedded font are shared beside them.
//!
//! Charts are rendered into memory (PNG or SVG bytes) and handed back to the caller,
//! which writes them atomically (see [`crate::export`]). Nothing here touches the file
//! system or needs a system font: text is drawn with the embedded NanumGothic font
//! (SIL OFL 1.1, `assets/fonts/`), which also covers Hangul.

#[cfg(feature = "charts")]
mod axes;
#[cfg(feature = "charts")]
mod common;
#[cfg(feature = "charts")]
mod compare;
#[cfg(feature = "charts")]
mod fan;
#[cfg(feature = "charts")]
mod histogram;
#[cfg(feature = "charts")]
mod legend;
#[cfg(feature = "charts")]
mod multiples;
#[cfg(feature = "charts")]
mod paths;
#[cfg(feature = "charts")]
mod sobol;
#[cfg(feature = "charts")]
mod stacked;
#[cfg(feature = "charts")]
pub mod text;
#[cfg(feature = "charts")]
mod theme;
#[cfg(feature = "charts")]
mod tornado;

/// Whether charts are drawn: kjproj was built with the `charts` feature (the default).
/// Without it, [`Chart`] renders nothing and callers leave the chart files out.
pub const ENABLED: bool = cfg!(feature = "charts");

/// The font file (NanumGothic, SIL Open Font License), compiled in so that rendering never
/// depends on system fonts; `report.html` embeds it too when its text has Hangul.
pub static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NanumGothic.ttf");

/// Without the `charts` feature, every chart type renders to an error saying so (callers
/// check [`ENABLED`] first).
#[cfg(not(feature = "charts"))]
macro_rules! not_drawn {
    ($($chart:ty),*) => {$(
        impl Chart for $chart {
            fn png(&self, _: &Canvas) -> Result<Vec<u8>, PlotError> {
                Err(PlotError::new("kjproj was built without the `charts` feature"))
            }
            fn svg(&self, _: &Canvas) -> Result<String, PlotError> {
                Err(PlotError::new("kjproj was built without the `charts` feature"))
            }
        }
    )*};
}
#[cfg(not(feature = "charts"))]
not_drawn!(
    PathsChart,
    FanChart,
    TornadoChart,
    HistogramChart,
    SobolChart,
    CompareChart,
    StackedChart
);

/// The most panels a small-multiples chart (fan, comparison) draws: ten rows of four.
pub const MAX_PANELS: usize = 40;

/// The most bands a stacked chart draws (the rest are grouped by the caller).
pub const MAX_STACKED: usize = 12;

/// The most bars a tornado or Sobol chart draws (the largest effects first).
pub const MAX_BARS: usize = 30;

/// The printed size of the charts: their width on paper and the resolution of the PNG.
///
/// Charts are laid out for the printed width, so text keeps its size in points whatever
/// the width (at the default 16 cm no text is under 7 pt) and a wider chart gives the data
/// more room rather than larger letters. The PNG is width × resolution pixels wide and
/// records the resolution (its `pHYs` chunk), so word processors paste it at that width;
/// the SVG states the width in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Canvas {
    width_mm: f64,
    dpi: f64,
}

impl Canvas {
    /// The narrowest chart (8 cm): narrower ones cannot hold the axes and legends at a
    /// readable size.
    pub const MIN_WIDTH_MM: f64 = 80.0;
    /// The widest chart (1 m).
    pub const MAX_WIDTH_MM: f64 = 1000.0;
    /// The lowest and highest resolutions, in dots per inch.
    pub const DPI_RANGE: (f64, f64) = (50.0, 1200.0);
    /// The most pixels a chart's width may have.
    pub const MAX_PIXEL_WIDTH: u32 = 16_000;
    /// The default: 16 cm (the text width of an A4 report page) at 300 dpi (1,890 px).
    pub const DEFAULT: Canvas = Canvas {
        width_mm: 160.0,
        dpi: 300.0,
    };

    /// A canvas `width_mm` millimetres wide at `dpi` dots per inch, or why not (outside
    /// the ranges above).
    pub fn new(width_mm: f64, dpi: f64) -> Result<Canvas, String> {
        if !(Self::DPI_RANGE.0..=Self::DPI_RANGE.1).contains(&dpi) {
            return Err(format!(
                "a resolution of {dpi} dpi is outside {}–{} dpi",
                Self::DPI_RANGE.0,
                Self::DPI_RANGE.1
            ));
        }
        if !(Self::MIN_WIDTH_MM..=Self::MAX_WIDTH_MM).contains(&width_mm) {
            return Err(format!(
                "a chart width of {:.1} cm is outside {}–{} cm",
                width_mm / 10.0,
                Self::MIN_WIDTH_MM / 10.0,
                Self::MAX_WIDTH_MM / 10.0
            ));
        }
        let canvas = Canvas { width_mm, dpi };
        if canvas.pixel_width() > Self::MAX_PIXEL_WIDTH {
            return Err(format!(
                "a chart {} px wide is more than {} px",
                canvas.pixel_width(),
                Self::MAX_PIXEL_WIDTH
            ));
        }
        Ok(canvas)
    }

    /// Width on paper, in millimetres.
    pub fn width_mm(&self) -> f64 {
        self.width_mm
    }

    /// Resolution in dots per inch.
    pub fn dpi(&self) -> f64 {
        self.dpi
    }

    /// Width of the PNG in pixels.
    pub fn pixel_width(&self) -> u32 {
        (self.width_mm / 25.4 * self.dpi).round() as u32
    }

    /// Width of the layout, in the units the theme's sizes are given in
    /// (`theme::LAYOUT_PER_PT` of them per printed point).
    #[cfg(feature = "charts")]
    pub(crate) fn layout_width(&self) -> u32 {
        (self.width_mm / 25.4 * 72.0 * theme::LAYOUT_PER_PT).round() as u32
    }

    /// Output pixels per layout unit.
    #[cfg(feature = "charts")]
    pub(crate) fn scale(&self) -> f64 {
        f64::from(self.pixel_width()) / f64::from(self.layout_width())
    }
}

impl Default for Canvas {
    fn default() -> Self {
        Canvas::DEFAULT
    }
}

/// How charts are written: their canvas, and whether an SVG accompanies each PNG.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ChartFormat {
    /// Printed size and resolution.
    pub canvas: Canvas,
    /// Also write each chart as SVG.
    pub svg: bool,
}

impl ChartFormat {
    /// Charts `width_mm` wide at `dpi` (each [`Canvas::DEFAULT`]'s when not given), with
    /// SVGs when `svg`, or why not (see [`Canvas::new`]).
    pub fn new(width_mm: Option<f64>, dpi: Option<f64>, svg: bool) -> Result<ChartFormat, String> {
        Ok(ChartFormat {
            canvas: Canvas::new(
                width_mm.unwrap_or(Canvas::DEFAULT.width_mm()),
                dpi.unwrap_or(Canvas::DEFAULT.dpi()),
            )?,
            svg,
        })
    }
}

/// A chart that can be rendered: every chart type of this module.
pub trait Chart {
    /// The chart as PNG bytes (8-bit RGB, resolution recorded). The same chart and canvas
    /// always give the same bytes.
    fn png(&self, canvas: &Canvas) -> Result<Vec<u8>, PlotError>;

    /// The chart as an SVG document, text drawn as glyph outlines (no fonts needed to view
    /// it); the same drawing as [`Chart::png`].
    fn svg(&self, canvas: &Canvas) -> Result<String, PlotError>;
}

/// Why a chart could not be rendered (a drawing, font or encoding failure, or a chart
/// too large for its canvas).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("chart rendering failed: {message}")]
pub struct PlotError {
    message: String,
    too_large: bool,
}

impl PlotError {
    /// An error with the given message.
    pub(crate) fn new(msg: impl Into<String>) -> Self {
        PlotError {
            message: msg.into(),
            too_large: false,
        }
    }

    /// A chart that would take more pixels than are allowed at the size asked for.
    #[cfg(feature = "charts")]
    pub(crate) fn too_large(msg: impl Into<String>) -> Self {
        PlotError {
            message: msg.into(),
            too_large: true,
        }
    }

    /// Whether the chart was refused for its size (a smaller width or resolution would
    /// render it), rather than failing.
    pub fn is_too_large(&self) -> bool {
        self.too_large
    }

    /// What went wrong, without the "chart rendering failed" prefix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Adapter for `map_err`: any displayable error (plotters' `DrawingAreaErrorKind`,
    /// `png::EncodingError`) becomes a `PlotError`; we keep only the message because the
    /// source types are generic over the backend and carry borrowed state.
    #[cfg(feature = "charts")]
    pub(crate) fn from_display(err: impl std::fmt::Display) -> Self {
        PlotError::new(err.to_string())
    }
}

/// Everything the year-by-year paths chart (`paths.png`) shows.
///
/// Built by the caller from a projection; the chart code knows nothing of scenarios.
#[derive(Debug, Clone)]
pub struct PathsChart {
    /// Chart title (the scenario name).
    pub title: String,
    /// Line under the title, e.g. "Baseline 2023 → target 2031".
    pub subtitle: String,
    /// Label of the x axis ("Year" or "연도").
    pub year_axis: String,
    /// Label of the value axis of the metrics panel, including the unit ("trillion KRW").
    pub metric_axis: String,
    /// Label of the value axis of the ratios panel ("Ratio (%)").
    pub ratio_axis: String,
    /// Years shown, ascending, one per row of `paths.csv`.
    pub years: Vec<i32>,
    /// One line per metric, drawn in the upper panel.
    pub metrics: Vec<ChartSeries>,
    /// One line per ratio, drawn in the lower panel; empty means no lower panel.
    pub ratios: Vec<ChartSeries>,
    /// Whether the ratios are shares, shown as percentages on their axis.
    pub ratios_as_percent: bool,
    /// Vertical markers, e.g. a programme start: (year, label).
    pub markers: Vec<(i32, String)>,
    /// Legend text for given points ("given in the scenario file").
    pub given_label: String,
    /// Legend text for stated figures ("stated figure").
    pub stated_label: String,
    /// Legend text for observed values ("observed").
    pub observed_label: String,
    /// Footnote lines (sources), printed in small type under the chart.
    pub footnotes: Vec<String>,
    /// How amounts of won are written on the value axes: `Korean` puts 조/억/만 in the tick
    /// labels of axes whose unit is an amount of won (see [`crate::format::won_per`]).
    pub money: crate::format::Money,
}

/// One line on a chart.
#[derive(Debug, Clone)]
pub struct ChartSeries {
    /// Legend label.
    pub label: String,
    /// One value per year of [`PathsChart::years`].
    pub values: Vec<f64>,
    /// Points given as inputs in the scenario file (baseline, milestones, target), marked
    /// with filled circles.
    pub given: Vec<(i32, f64)>,
    /// Figures stated in a source that the path is compared with, marked with hollow
    /// diamonds.
    pub stated: Vec<(i32, f64)>,
    /// Observed values (history), drawn as data: small dots joined by a thin line.
    pub observed: Vec<(i32, f64)>,
    /// The metric's unit when it differs from the chart's [`PathsChart::metric_axis`]
    /// (empty otherwise): consecutive metrics in one unit share a panel, whose axis is
    /// labelled with it.
    pub unit: String,
    /// The level an S-curve approaches (logistic, Gompertz) and its label ("cap 80"),
    /// drawn as a thin dashed line across the plot.
    pub cap: Option<(f64, String)>,
}

/// Monte Carlo fan charts (`fan.png`): one panel per metric and ratio, each showing the
/// percentile bands of the simulated paths.
#[derive(Debug, Clone)]
pub struct FanChart {
    /// Chart title.
    pub title: String,
    /// Line under the title, e.g. "Monte Carlo, 100,000 draws (Latin hypercube), seed 42".
    pub subtitle: String,
    /// Label of the x axis ("Year" or "연도").
    pub year_axis: String,
    /// Years, ascending; every panel has one value per year.
    pub years: Vec<i32>,
    /// One panel per series, laid out in a grid in this order.
    pub panels: Vec<FanPanel>,
    /// Legend texts, in this order: 90% band (P5–P95), 80% band (P10–P90), 50% band
    /// (P25–P75), median, deterministic path, stated figure, observed values.
    pub legend: [String; 7],
    /// Footnote lines (sources, assumptions), small type under the chart.
    pub footnotes: Vec<String>,
    /// How amounts of won are written on the value axes: `Korean` puts 조/억/만 in the tick
    /// labels of axes whose unit is an amount of won (see [`crate::format::won_per`]).
    pub money: crate::format::Money,
}

/// One panel of a [`FanChart`].
#[derive(Debug, Clone)]
pub struct FanPanel {
    /// Panel title (the series label).
    pub title: String,
    /// Value axis label (the unit, or "Share (%)").
    pub axis: String,
    /// Whether values are fractions shown as percentages.
    pub percent: bool,
    /// Percentiles per year, in the order P5, P10, P25, P50, P75, P90, P95.
    pub percentiles: [Vec<f64>; 7],
    /// The deterministic path (inputs at their base values), drawn as a dashed line.
    pub deterministic: Vec<f64>,
    /// Stated figures (year, value), drawn as hollow diamonds.
    pub stated: Vec<(i32, f64)>,
    /// Observed values within the years shown, drawn as data (dots on a thin line).
    pub observed: Vec<(i32, f64)>,
}

/// A tornado chart (`tornado.png`): how far one output moves when each input is swung
/// from its low to its high value, the others held at base. Bars sorted by swing, widest on
/// top (the caller sorts).
#[derive(Debug, Clone)]
pub struct TornadoChart {
    /// Chart title.
    pub title: String,
    /// Line under the title, e.g. "share in 2031; inputs swung from P10 to P90".
    pub subtitle: String,
    /// Label of the output axis, e.g. "Korean share in 2031 (%)".
    pub output_axis: String,
    /// Whether output values are fractions shown as percentages.
    pub percent: bool,
    /// The output with every input at base: the bars' common origin.
    pub base: f64,
    /// One bar per input, top to bottom.
    pub bars: Vec<TornadoBar>,
    /// Legend texts: input at its low value, input at its high value.
    pub legend: [String; 2],
    /// Footnote lines.
    pub footnotes: Vec<String>,
}

/// One bar of a [`TornadoChart`].
#[derive(Debug, Clone)]
pub struct TornadoBar {
    /// The input's label, e.g. "metrics.sales.target" or a friendlier name.
    pub label: String,
    /// The input's low and high values as text, shown at the bar ends, e.g. "42.1", "61.9".
    pub input_values: [String; 2],
    /// The output with the input at its low value.
    pub output_at_low: f64,
    /// The output with the input at its high value.
    pub output_at_high: f64,
}

/// A histogram of one simulated outcome (`histogram.png`), e.g. the share in the target
/// year.
#[derive(Debug, Clone)]
pub struct HistogramChart {
    /// Chart title.
    pub title: String,
    /// Line under the title.
    pub subtitle: String,
    /// Label of the x axis, e.g. "Korean share in 2031 (%)".
    pub value_axis: String,
    /// Label of the y axis, e.g. "Share of draws (%)".
    pub frequency_axis: String,
    /// Whether values are fractions shown as percentages.
    pub percent: bool,
    /// Bins: (lower edge, upper edge, fraction of draws in the bin); contiguous, ascending.
    pub bins: Vec<(f64, f64, f64)>,
    /// Vertical reference lines: (value, label), e.g. the stated target and the median.
    /// The chart prints the value in bold before the label ("**15.0%** stated target"), so
    /// the label need not repeat it.
    pub markers: Vec<(f64, String)>,
    /// Footnote lines.
    pub footnotes: Vec<String>,
}

/// Variance-based sensitivity indices of one output (`sobol.png`): paired horizontal bars
/// per input, first-order and total, with confidence intervals as whiskers.
#[derive(Debug, Clone)]
pub struct SobolChart {
    /// Chart title.
    pub title: String,
    /// Line under the title, e.g. "share in 2031; 16,384 base samples, 95% bootstrap intervals".
    pub subtitle: String,
    /// Label of the index axis, e.g. "Sobol index".
    pub index_axis: String,
    /// One entry per input, top to bottom (the caller sorts by total index).
    pub inputs: Vec<SobolBar>,
    /// Legend texts: first-order index, total index.
    pub legend: [String; 2],
    /// Footnote lines.
    pub footnotes: Vec<String>,
}

/// One input's indices in a [`SobolChart`].
#[derive(Debug, Clone)]
pub struct SobolBar {
    /// The input's label.
    pub label: String,
    /// First-order index and its confidence interval (low, high).
    pub first: (f64, f64, f64),
    /// Total index and its confidence interval (low, high).
    pub total: (f64, f64, f64),
}

/// A comparison of scenarios or variants (`compare.png`): one panel per metric and ratio,
/// one line per variant, in the variants' order.
#[derive(Debug, Clone)]
pub struct CompareChart {
    /// Chart title.
    pub title: String,
    /// Line under the title.
    pub subtitle: String,
    /// Label of the x axis ("Year" or "연도").
    pub year_axis: String,
    /// Years shown, ascending (the union of every variant's years).
    pub years: Vec<i32>,
    /// Names of the variants, one legend entry each; the first is the base and is drawn
    /// strongest.
    pub variants: Vec<String>,
    /// One panel per series.
    pub panels: Vec<ComparePanel>,
    /// Legend text for observed values ("observed").
    pub observed_label: String,
    /// Footnote lines.
    pub footnotes: Vec<String>,
    /// How amounts of won are written on the value axes: `Korean` puts 조/억/만 in the tick
    /// labels of axes whose unit is an amount of won (see [`crate::format::won_per`]).
    pub money: crate::format::Money,
}

/// One panel of a [`CompareChart`].
#[derive(Debug, Clone)]
pub struct ComparePanel {
    /// Panel title (the series label).
    pub title: String,
    /// Value axis label.
    pub axis: String,
    /// Whether values are fractions shown as percentages.
    pub percent: bool,
    /// Per variant, one value per year of [`CompareChart::years`]; NaN where a variant has
    /// no value (a shorter horizon, or a series it lacks).
    pub lines: Vec<Vec<f64>>,
    /// Observed values (year, value), ascending by year, drawn as data.
    pub observed: Vec<(i32, f64)>,
}

/// A stacked area chart of a metric's segments (`segments_<metric>.png`).
#[derive(Debug, Clone)]
pub struct StackedChart {
    /// Chart title.
    pub title: String,
    /// Line under the title.
    pub subtitle: String,
    /// Label of the x axis.
    pub year_axis: String,
    /// Label of the value axis (the unit).
    pub value_axis: String,
    /// Years, ascending.
    pub years: Vec<i32>,
    /// Segments bottom to top: (label, one non-negative value per year).
    pub segments: Vec<(String, Vec<f64>)>,
    /// Stated totals to compare with the stack's top, drawn as hollow diamonds: (year, value).
    pub stated_totals: Vec<(i32, f64)>,
    /// Legend text for the stated totals.
    pub stated_label: String,
    /// Footnote lines.
    pub footnotes: Vec<String>,
    /// How amounts of won are written on the value axes: `Korean` puts 조/억/만 in the tick
    /// labels of axes whose unit is an amount of won (see [`crate::format::won_per`]).
    pub money: crate::format::Money,
}
