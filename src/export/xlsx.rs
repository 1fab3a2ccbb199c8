//! The workbook (`workbook.xlsx`): sheets of typed cells with number formats, frozen
//! headers and column widths, and native Excel charts the analyst can restyle, written by
//! `rust_xlsxwriter` (Excel's own format, as XlsxWriter writes it).
//!
//! Renderers describe the sheets ([`Sheet`], [`SheetChart`]); this module only lays them
//! out. The file is the same bytes for the same sheets: the document's creation time is
//! fixed (1 January 2000, UTC) and the zip entries carry no timestamps.

use rust_xlsxwriter::{
    Chart, ChartAxisLabelPosition, ChartFormat, ChartLine, ChartMarker, ChartMarkerType,
    ChartSolidFill, ChartType, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook,
    XlsxError,
};

use super::rows::Cell;
use crate::error::Error;

/// How a column's numbers are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Text, or whole numbers shown as they are (years, counts).
    Plain,
    /// Numbers with thousands separators and up to 4 decimals (`#,##0.0###`).
    Number,
    /// Fractions shown as percentages with 2 decimals.
    Percent,
    /// Amounts of won in the unit named (`조 원`): numbers shown as `#,##0.0###"조 원"`.
    Won(&'static str),
}

/// One worksheet: a header row, typed rows, and charts of its columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The sheet's name (at most 31 characters, none of `[]:*?/\`).
    pub name: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Rows of cells, as many as the header has columns (or fewer).
    pub rows: Vec<Vec<Cell>>,
    /// How each column is shown (missing: [`Style::Number`]).
    pub styles: Vec<Style>,
    /// Charts of this sheet's data, placed to the right of the table.
    pub charts: Vec<SheetChart>,
}

/// A native chart of some of a sheet's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetChart {
    /// What kind of chart.
    pub kind: ChartKind,
    /// Its title.
    pub title: String,
    /// The category (x) axis title.
    pub x_title: String,
    /// The value axis title.
    pub y_title: String,
    /// The column of the categories (years, input labels).
    pub categories: u16,
    /// The data rows (0-based, excluding the header), first and last inclusive.
    pub rows: (u32, u32),
    /// The series: name and column.
    pub series: Vec<(String, u16)>,
    /// Whether the values are fractions shown in percent.
    pub percent: bool,
}

/// The kinds of chart a workbook draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Lines over years; series named "… (observed)" (see [`OBSERVED_SUFFIXES`]) are drawn
    /// as markers only.
    Lines,
    /// A fan: the first series is the lower edge (not filled), the next are stacked band
    /// widths (filled, lighter outside), the last is the median (a line).
    Fan,
    /// A tornado: two stacked bar series (the change from the base at the low and at the
    /// high input), one row per input.
    Tornado,
}

/// Series-name endings that mark observed values (drawn as markers, not lines).
pub const OBSERVED_SUFFIXES: [&str; 2] = [" (observed)", " (실적)"];

fn xlsx(e: XlsxError) -> Error {
    Error::Internal {
        context: "workbook.xlsx".into(),
        message: e.to_string(),
    }
}

/// The workbook of `sheets`, as the bytes of an `.xlsx` file.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, Error> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xlsx)?;
    book.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("kjproj"),
    );
    let header = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let number = Format::new().set_num_format("#,##0.0###");
    let percent = Format::new().set_num_format("0.00%");
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&sheet.name).map_err(xlsx)?;
        let mut widths: Vec<usize> = sheet
            .header
            .iter()
            .map(|h| crate::format::display_width(h).clamp(8, 40))
            .collect();
        for (c, h) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(0, col(c), h, &header)
                .map_err(xlsx)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                let style = sheet.styles.get(c).copied().unwrap_or(Style::Number);
                match cell {
                    Cell::Text(t) => {
                        ws.write_string(r, col(c), t).map_err(xlsx)?;
                        if let Some(w) = widths.get_mut(c) {
                            *w = (*w).max(crate::format::display_width(t).min(60));
                        }
                    }
                    Cell::Integer(i) => {
                        ws.write_number(r, col(c), *i as f64).map_err(xlsx)?;
                    }
                    // An undefined number is an empty cell, never text.
                    Cell::Number(x) | Cell::Percent(x) if !x.is_finite() => {}
                    Cell::Number(x) | Cell::Percent(x) => {
                        let won;
                        let format = match (cell, style) {
                            (Cell::Percent(_), _) | (_, Style::Percent) => &percent,
                            (_, Style::Won(unit)) => {
                                won = Format::new().set_num_format(format!("#,##0.0###\"{unit}\""));
                                &won
                            }
                            _ => &number,
                        };
                        ws.write_number_with_format(r, col(c), *x, format)
                            .map_err(xlsx)?;
                        if let Some(w) = widths.get_mut(c) {
                            *w = (*w).max(12);
                        }
                    }
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(col(c), (*w as f64) + 2.0)
                .map_err(xlsx)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx)?;
        ws.set_landscape();
        ws.set_paper_size(9); // A4
        ws.set_print_fit_to_pages(1, 0);
        let first_free = col(sheet.header.len() + 1);
        for (i, spec) in sheet.charts.iter().enumerate() {
            let chart = chart(&sheet.name, spec);
            let row = u32::try_from(1 + 20 * i).unwrap_or(u32::MAX);
            ws.insert_chart(row, first_free, &chart).map_err(xlsx)?;
        }
    }
    book.save_to_buffer().map_err(xlsx)
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// The Okabe–Ito colours of the PNG charts, so that the workbook matches them.
const PALETTE: [&str; 7] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
];

fn chart(sheet: &str, spec: &SheetChart) -> Chart {
    let (first, last) = (spec.rows.0 + 1, spec.rows.1 + 1);
    let categories = (sheet, first, spec.categories, last, spec.categories);
    let range = |c: u16| (sheet, first, c, last, c);
    let mut chart = match spec.kind {
        ChartKind::Lines => Chart::new(ChartType::Line),
        ChartKind::Fan => Chart::new(ChartType::AreaStacked),
        ChartKind::Tornado => Chart::new(ChartType::BarStacked),
    };
    match spec.kind {
        ChartKind::Lines => {
            // An observed series follows its metric (the series before it) in colour.
            let mut lines = 0;
            for (name, c) in &spec.series {
                let observed = OBSERVED_SUFFIXES.iter().any(|s| name.ends_with(s));
                if !observed {
                    lines += 1;
                }
                let colour = PALETTE[(lines.max(1) - 1) % PALETTE.len()];
                let series = chart
                    .add_series()
                    .set_name(name.as_str())
                    .set_categories(categories)
                    .set_values(range(*c));
                if observed {
                    series
                        .set_format(ChartFormat::new().set_no_line())
                        .set_marker(
                            ChartMarker::new()
                                .set_type(ChartMarkerType::Circle)
                                .set_size(5)
                                .set_format(
                                    ChartFormat::new()
                                        .set_solid_fill(ChartSolidFill::new().set_color(colour))
                                        .set_no_line(),
                                ),
                        );
                } else {
                    series.set_format(
                        ChartFormat::new()
                            .set_line(ChartLine::new().set_color(colour).set_width(2.25)),
                    );
                }
            }
        }
        ChartKind::Fan => {
            // Lower edge unfilled, then the band widths from the widest, lighter outside.
            let fills = ["#C6DBEF", "#6BAED6", "#C6DBEF"];
            let n = spec.series.len();
            for (i, (name, c)) in spec.series.iter().enumerate().take(n.saturating_sub(1)) {
                let series = chart
                    .add_series()
                    .set_name(name.as_str())
                    .set_categories(categories)
                    .set_values(range(*c));
                if i == 0 {
                    series.set_format(ChartFormat::new().set_no_fill().set_no_line());
                } else {
                    let fill = fills[(i - 1) % fills.len()];
                    series.set_format(
                        ChartFormat::new()
                            .set_solid_fill(ChartSolidFill::new().set_color(fill))
                            .set_no_line(),
                    );
                }
            }
            if let Some((name, c)) = spec.series.last() {
                let mut median = Chart::new(ChartType::Line);
                median
                    .add_series()
                    .set_name(name.as_str())
                    .set_categories(categories)
                    .set_values(range(*c))
                    .set_format(
                        ChartFormat::new()
                            .set_line(ChartLine::new().set_color("#08306B").set_width(2.25)),
                    );
                chart.combine(&median);
            }
            // The unfilled lower edge is no band: keep it out of the legend.
            chart.legend().delete_entries(&[0]);
        }
        ChartKind::Tornado => {
            for (i, (name, c)) in spec.series.iter().enumerate() {
                chart
                    .add_series()
                    .set_name(name.as_str())
                    .set_categories(categories)
                    .set_values(range(*c))
                    .set_overlap(100)
                    .set_gap(40)
                    .set_format(
                        ChartFormat::new()
                            .set_solid_fill(ChartSolidFill::new().set_color(PALETTE[i % 2])),
                    );
            }
            // In a bar chart the category axis is the vertical one (`y_axis` here): the
            // largest swing on top, as in the PNG, and the labels clear of the bars.
            chart
                .y_axis()
                .set_reverse()
                .set_label_position(ChartAxisLabelPosition::Low);
        }
    }
    chart.title().set_name(spec.title.as_str());
    // In a bar chart the category axis is the vertical one.
    let bars = spec.kind == ChartKind::Tornado;
    let category_axis = if bars { chart.y_axis() } else { chart.x_axis() };
    category_axis.set_name(spec.x_title.as_str());
    let value_axis = if bars { chart.x_axis() } else { chart.y_axis() };
    value_axis.set_name(spec.y_title.as_str());
    if spec.percent {
        value_axis.set_num_format("0%");
    }
    chart.set_width(720).set_height(400);
    chart
}
