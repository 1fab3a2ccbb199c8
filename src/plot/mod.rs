//! Charts. One file per chart; shared theme and the embedded font live beside them.
//!
//! Charts are rendered into memory (PNG or SVG bytes) and handed back to the caller,
//! which writes them atomically (see [`crate::export`]). Nothing here touches the file
//! system or needs a system font: text is drawn with the embedded NanumGothic font
//! (SIL OFL 1.1, `assets/fonts/`), which also covers Hangul.

mod paths;
pub mod text;
mod theme;

pub use paths::{render_png, render_svg};

/// Why a chart could not be rendered (a drawing, font or encoding failure).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("chart rendering failed: {0}")]
pub struct PlotError(String);

impl PlotError {
    /// An error with the given message.
    pub(crate) fn new(msg: impl Into<String>) -> Self {
        PlotError(msg.into())
    }

    /// Adapter for `map_err`: any displayable error (plotters' `DrawingAreaErrorKind`,
    /// `png::EncodingError`) becomes a `PlotError`; we keep only the message because the
    /// source types are generic over the backend and carry borrowed state.
    pub(crate) fn from_display(err: impl std::fmt::Display) -> Self {
        PlotError(err.to_string())
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
    /// Footnote lines (sources), printed in small type under the chart.
    pub footnotes: Vec<String>,
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
}
