//! The CSV exporter: typed rows ([`csv_rows`]) and `paths.csv`, whose columns are the
//! scenario's own series (one row per year, one column per metric and ratio, then
//! year-on-year growth).

use crate::format::significant as number;
use crate::model::Projection;
use crate::scenario::Scenario;

/// The contents of `paths.csv`.
///
/// Columns: `year`, each metric and each ratio under its name in the scenario file, then
/// `<name>_yoy` for each, the growth on the year before (`0.1` = 10%; empty in the first
/// year and where the year before was 0), then `<name>_observed` for each metric with
/// observed values (empty in years without one). Years before the baseline with an
/// observed value come first, their projected cells empty. Numbers carry 12 significant digits, in plain
/// decimal notation, so that floating-point noise (0.058750000000000004) does not reach
/// the file and spreadsheets read every cell as a number.
pub fn paths_csv(scenario: &Scenario, projection: &Projection) -> std::io::Result<Vec<u8>> {
    let names: Vec<&str> = scenario
        .metrics
        .iter()
        .map(|m| m.name.as_str())
        .chain(scenario.ratios.iter().map(|r| r.name.as_str()))
        .collect();
    let paths: Vec<&[f64]> = projection
        .metrics
        .iter()
        .chain(&projection.ratios)
        .map(Vec::as_slice)
        .collect();
    let observed: Vec<&crate::scenario::Metric> = scenario
        .metrics
        .iter()
        .filter(|m| !m.observed.is_empty())
        .collect();
    // Observed years before the baseline come first, with the projection's cells empty.
    let first = scenario.first_year();

    let mut out = ::csv::Writer::from_writer(Vec::new());
    let mut header = vec!["year".to_owned()];
    header.extend(names.iter().map(|n| (*n).to_owned()));
    header.extend(names.iter().map(|n| format!("{n}_yoy")));
    header.extend(observed.iter().map(|m| format!("{}_observed", m.name)));
    out.write_record(&header)?;

    for year in first..=scenario.target_year {
        let mut row = Vec::with_capacity(header.len());
        row.push(year.to_string());
        match projection.years.iter().position(|&y| y == year) {
            Some(i) => {
                row.extend(paths.iter().map(|p| number(p[i])));
                row.extend(paths.iter().map(|p| match i.checked_sub(1).map(|j| p[j]) {
                    // Below 1e-12 a growth rate is rounding noise of an unchanged value.
                    Some(prev) if prev != 0.0 => match p[i] / prev - 1.0 {
                        g if g.abs() < 1e-12 => "0".to_owned(),
                        g => number(g),
                    },
                    _ => String::new(),
                }));
            }
            None => row.extend((0..2 * paths.len()).map(|_| String::new())),
        }
        row.extend(
            observed
                .iter()
                .map(|m| m.observed_in(year).map_or_else(String::new, number)),
        );
        out.write_record(&row)?;
    }
    out.into_inner().map_err(|e| e.into_error())
}

/// Typed rows as CSV: the header (also when there are no rows), then one line per row.
pub fn csv_rows<T: super::rows::Row>(rows: &[T]) -> std::io::Result<Vec<u8>> {
    let mut out = ::csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    out.write_record(T::COLUMNS)?;
    for row in rows {
        out.serialize(row)?;
    }
    out.into_inner().map_err(|e| e.into_error())
}

/// Whether CSV files start with a UTF-8 byte order mark, which Excel on Windows needs to
/// read UTF-8 (without it, Korean labels open as mojibake; other readers skip it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bom {
    /// When the file holds any non-ASCII character (Hangul labels, an en dash): files that
    /// are pure ASCII read the same everywhere without one.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Bom {
    /// Whether a CSV file gets a mark under this policy, given whether its text is all
    /// ASCII.
    pub fn wanted(self, ascii: bool) -> bool {
        match self {
            Bom::Auto => !ascii,
            Bom::Always => true,
            Bom::Never => false,
        }
    }
}

/// The UTF-8 byte order mark.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Puts a byte order mark before the contents of every `.csv` file of `files` that
/// `policy` asks for.
pub fn mark_csv(files: &mut [super::OutputFile], policy: Bom) {
    for f in files.iter_mut().filter(|f| f.name.ends_with(".csv")) {
        if policy.wanted(f.bytes.is_ascii()) && !f.bytes.starts_with(UTF8_BOM) {
            f.bytes.splice(0..0, UTF8_BOM.iter().copied());
        }
    }
}
