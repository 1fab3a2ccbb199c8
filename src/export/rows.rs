//! Typed rows of the sensitivity tables (`tornado.csv`, `fan.csv`, `probabilities.csv`,
//! `histogram.csv`, `sobol.csv`): one struct per table, its field names the CSV header,
//! serialised by whichever exporter writes them (as criterion.rs's `csv_report.rs` does).

use serde::{Serialize, Serializer};

use crate::format::significant;

/// A typed row of an exported table.
pub trait Row: Serialize {
    /// The column names: the struct's field names, in order (a test holds them equal).
    const COLUMNS: &'static [&'static str];

    /// The row's cells, typed, in the order of [`Row::COLUMNS`]: for writers that keep
    /// numbers as numbers (the workbook), where CSV writes text.
    fn cells(&self) -> Vec<Cell>;
}

/// One cell of an exported table, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number (NaN: an empty cell).
    Number(f64),
    /// A fraction shown as a percentage (NaN: an empty cell).
    Percent(f64),
    /// A whole number (years, counts).
    Integer(i64),
}

/// A value that becomes one [`Cell`].
pub trait ToCell {
    /// The cell.
    fn to_cell(&self) -> Cell;
}

impl ToCell for String {
    fn to_cell(&self) -> Cell {
        Cell::Text(self.clone())
    }
}

impl ToCell for &'static str {
    fn to_cell(&self) -> Cell {
        Cell::Text((*self).to_owned())
    }
}

impl ToCell for i32 {
    fn to_cell(&self) -> Cell {
        Cell::Integer(i64::from(*self))
    }
}

impl ToCell for u64 {
    fn to_cell(&self) -> Cell {
        Cell::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToCell for Num {
    fn to_cell(&self) -> Cell {
        Cell::Number(self.0)
    }
}

macro_rules! row {
    ($t:ty: $($c:ident),+) => {
        impl Row for $t {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($c)),+];

            fn cells(&self) -> Vec<Cell> {
                vec![$(ToCell::to_cell(&self.$c)),+]
            }
        }
    };
}

row!(TornadoRow: output, year, input, input_low, input_high, output_at_low, output_at_high, swing, base, problem);
row!(FanRow: series, year, mean, sd, p5, p10, p25, p50, p75, p90, p95, mean_se, p5_se, p10_se, p25_se, p50_se, p75_se, p90_se, p95_se, percentile_relative_error, left_out);
row!(ProbabilityRow: series, year, stated, probability_at_or_above, standard_error, draws, left_out);
row!(HistogramRow: series, year, bin_low, bin_high, fraction, left_out);
row!(SobolRow: output, year, input, first, first_low, first_high, total, total_low, total_high, rows_left_out, inputs_as);

/// A number as it appears in exported tables: 12 significant digits, plain decimal
/// notation (see [`crate::format::significant`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&significant(self.0))
    }
}

/// One input's swing for one output (`tornado.csv`).
#[derive(Debug, Clone, Serialize)]
pub struct TornadoRow {
    /// The output series.
    pub output: String,
    /// The year the output is read in.
    pub year: i32,
    /// The input's label.
    pub input: String,
    /// The input at the low percentile.
    pub input_low: Num,
    /// The input at the high percentile.
    pub input_high: Num,
    /// The output with the input low.
    pub output_at_low: Num,
    /// The output with the input high.
    pub output_at_high: Num,
    /// |high − low|.
    pub swing: Num,
    /// The output with every input at base.
    pub base: Num,
    /// Why a swing could not be projected, if it could not.
    pub problem: String,
}

/// Monte Carlo statistics of one series in one year (`fan.csv`).
#[derive(Debug, Clone, Serialize)]
#[allow(missing_docs)]
pub struct FanRow {
    /// The series.
    pub series: String,
    /// The year.
    pub year: i32,
    /// Mean of the draws.
    pub mean: Num,
    /// Standard deviation of the draws.
    pub sd: Num,
    pub p5: Num,
    pub p10: Num,
    pub p25: Num,
    pub p50: Num,
    pub p75: Num,
    pub p90: Num,
    pub p95: Num,
    /// Standard error of the mean.
    pub mean_se: Num,
    pub p5_se: Num,
    pub p10_se: Num,
    pub p25_se: Num,
    pub p50_se: Num,
    pub p75_se: Num,
    pub p90_se: Num,
    pub p95_se: Num,
    /// Guaranteed bound on the relative error of the percentiles from their summary (on
    /// top of the sampling error the `_se` columns give).
    pub percentile_relative_error: Num,
    /// Draws left out because they could not be projected (at most 0.1%).
    pub left_out: u64,
}

/// The probability of reaching a stated figure (`probabilities.csv`).
#[derive(Debug, Clone, Serialize)]
pub struct ProbabilityRow {
    /// The series.
    pub series: String,
    /// The year of the stated figure.
    pub year: i32,
    /// The stated figure.
    pub stated: Num,
    /// Share of draws at or above it.
    pub probability_at_or_above: Num,
    /// Its standard error.
    pub standard_error: Num,
    /// Draws it is counted over.
    pub draws: u64,
    /// Draws left out because they could not be projected.
    pub left_out: u64,
}

/// One bin of the headline histogram (`histogram.csv`).
#[derive(Debug, Clone, Serialize)]
pub struct HistogramRow {
    /// The series.
    pub series: String,
    /// The year.
    pub year: i32,
    /// Lower edge.
    pub bin_low: Num,
    /// Upper edge.
    pub bin_high: Num,
    /// Share of draws in the bin.
    pub fraction: Num,
    /// Draws left out of every bin because they could not be projected.
    pub left_out: u64,
}

/// Sobol indices of one input for one output (`sobol.csv`).
#[derive(Debug, Clone, Serialize)]
pub struct SobolRow {
    /// The output series.
    pub output: String,
    /// The year.
    pub year: i32,
    /// The input's label.
    pub input: String,
    /// First-order index.
    pub first: Num,
    /// Lower end of its interval.
    pub first_low: Num,
    /// Upper end of its interval.
    pub first_high: Num,
    /// Total index.
    pub total: Num,
    /// Lower end of its interval.
    pub total_low: Num,
    /// Upper end of its interval.
    pub total_high: Num,
    /// Sample rows left out because they could not be projected.
    pub rows_left_out: u64,
    /// `independent` (inputs treated as independent, as SALib does) or `correlated`
    /// (under the file's correlations, Kucherenko et al. 2012).
    pub inputs_as: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header serde would write for `row` (its field names).
    fn header_of<T: Serialize>(row: &T) -> Vec<String> {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        w.serialize(row).unwrap();
        let bytes = w.into_inner().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        text.lines()
            .next()
            .unwrap()
            .split(',')
            .map(String::from)
            .collect()
    }

    fn check<T: Row>(row: &T) {
        assert_eq!(header_of(row), T::COLUMNS);
    }

    #[test]
    fn columns_are_the_field_names() {
        let n = Num(1.0);
        check(&TornadoRow {
            output: "a".into(),
            year: 1,
            input: "b".into(),
            input_low: n,
            input_high: n,
            output_at_low: n,
            output_at_high: n,
            swing: n,
            base: n,
            problem: String::new(),
        });
        check(&FanRow {
            series: "a".into(),
            year: 1,
            mean: n,
            sd: n,
            p5: n,
            p10: n,
            p25: n,
            p50: n,
            p75: n,
            p90: n,
            p95: n,
            mean_se: n,
            p5_se: n,
            p10_se: n,
            p25_se: n,
            p50_se: n,
            p75_se: n,
            p90_se: n,
            p95_se: n,
            percentile_relative_error: n,
            left_out: 0,
        });
        check(&ProbabilityRow {
            series: "a".into(),
            year: 1,
            stated: n,
            probability_at_or_above: n,
            standard_error: n,
            draws: 1,
            left_out: 0,
        });
        check(&HistogramRow {
            series: "a".into(),
            year: 1,
            bin_low: n,
            bin_high: n,
            fraction: n,
            left_out: 0,
        });
        check(&SobolRow {
            output: "a".into(),
            year: 1,
            input: "b".into(),
            first: n,
            first_low: n,
            first_high: n,
            total: n,
            total_low: n,
            total_high: n,
            rows_left_out: 0,
            inputs_as: "independent",
        });
    }
}
