//! Observed values read from a CSV file beside the scenario:
//!
//! ```toml
//! [metrics.market]
//! observed = { file = "data/market.csv", column = "market", source = "kita-2024" }
//! ```
//!
//! The file is named relative to the scenario file that says so, and must be a regular
//! `.csv` file inside the folder tree of the scenario given on the command line (or of a
//! folder allowed with `--allow-files`), at most [`super::load::MAX_FILE_BYTES`] long. It
//! has a header row with a `year` column and the value column (`column`, default
//! `value`); empty cells are years without a figure. It is turned into the inline form,
//! `observed = [{ year, value, source }, …]`, before the scenario is validated, so both
//! forms are checked alike. Problems inside the file name the CSV file, its line and
//! column, and the column's name.

use std::path::Path;

use crate::error::{Position, ScenarioError, ScenarioErrors};

/// The most rows an observed series may have (a year each, so the horizon limit).
pub const MAX_ROWS: usize = 2 * super::MAX_HORIZON_YEARS as usize + 1;

/// What `observed = { … }` says.
pub(super) struct FileRef {
    /// The file, as written.
    pub file: String,
    /// The value column's header.
    pub column: String,
    /// The source key every point cites.
    pub source: Option<String>,
}

impl FileRef {
    /// Reads `observed = { file, column, source }`; `Err` says what is wrong with it.
    pub fn from_table(t: &toml::Table) -> Result<FileRef, String> {
        let text = |key: &str| match t.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("`{key}` is a string in quotes")),
        };
        for key in t.keys() {
            if !matches!(key.as_str(), "file" | "column" | "source") {
                return Err(format!(
                    "unknown field `{key}` in `observed`, expected `file`, `column` or `source`"
                ));
            }
        }
        Ok(FileRef {
            file: text("file")?
                .ok_or("`observed = { … }` names a CSV file: `file = \"data.csv\"`")?,
            column: text("column")?.unwrap_or_else(|| "value".into()),
            source: text("source")?,
        })
    }
}

/// The points of `csv` (the text of the file at `path`): (line, year, value) for every
/// row with a value in `column`, or the problems, each at its line and column.
pub(super) fn parse_csv(
    path: &Path,
    csv: &str,
    column: &str,
) -> Result<Vec<(usize, i32, f64)>, ScenarioErrors> {
    let at = |line: usize, col: usize, key: Option<&str>, message: String| ScenarioError {
        file: path.to_owned(),
        position: Some(Position { line, column: col }),
        key: key.map(str::to_owned),
        message,
        excerpt: None,
    };
    let fail = |e: ScenarioError| ScenarioErrors(vec![e]);
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(false)
        .trim(::csv::Trim::All)
        .from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| {
            fail(at(
                1,
                1,
                None,
                format!("the header row cannot be read: {e}"),
            ))
        })?
        .iter()
        .map(str::to_owned)
        .collect();
    let find = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            fail(at(
                1,
                1,
                None,
                format!(
                    "the CSV has no column `{name}` (its columns: {}); it needs `year` and the value column",
                    header.join(", ")
                ),
            ))
        })
    };
    let (year_at, value_at) = (find("year")?, find(column)?);
    let mut rows: Vec<(usize, i32, f64)> = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(at(line, 1, None, format!("the row cannot be read: {e}")));
                break;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let col = |field: usize| column_of(csv, line, field);
        let year_text = record.get(year_at).unwrap_or("");
        let value_text = record.get(value_at).unwrap_or("");
        if value_text.is_empty() {
            continue;
        }
        let year = match year_text.parse::<i32>() {
            Ok(y) => y,
            Err(_) => {
                problems.push(at(
                    line,
                    col(year_at),
                    Some("year"),
                    format!("`{year_text}` is not a year"),
                ));
                continue;
            }
        };
        let value = match value_text.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                problems.push(at(
                    line,
                    col(value_at),
                    Some(column),
                    format!("`{value_text}` is not a number (write 1234.5, without thousands separators)"),
                ));
                continue;
            }
        };
        if let Some(&(first, ..)) = rows.iter().find(|r| r.1 == year) {
            problems.push(at(
                line,
                col(year_at),
                Some("year"),
                format!("{year} is given twice (also on line {first})"),
            ));
            continue;
        }
        if rows.len() >= MAX_ROWS {
            problems.push(at(
                line,
                1,
                None,
                format!("more than {MAX_ROWS} rows; an observed series has one per year"),
            ));
            break;
        }
        rows.push((line, year, value));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(ScenarioErrors(problems))
    }
}

/// The 1-based character column where field `field` starts on line `line` of `csv`
/// (counting commas outside quotes).
fn column_of(csv: &str, line: usize, field: usize) -> usize {
    let Some(text) = csv.lines().nth(line.saturating_sub(1)) else {
        return 1;
    };
    let mut quoted = false;
    let mut seen = 0;
    for (i, c) in text.chars().enumerate() {
        if seen == field {
            return i + 1;
        }
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => seen += 1,
            _ => {}
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_with_values_are_read_and_problems_are_placed() {
        let csv = "year,market,note\n2019,120,\n2020,,gap\n2021,\"1,30\",x\n";
        let e = parse_csv(Path::new("m.csv"), csv, "market").unwrap_err();
        assert_eq!(e.0[0].position, Some(Position { line: 4, column: 6 }));
        assert!(e.0[0].message.contains("`1,30` is not a number"));
        let ok = parse_csv(
            Path::new("m.csv"),
            "year,value\n2019,120\n2020,\n2021,130.5\n",
            "value",
        )
        .unwrap();
        assert_eq!(ok, vec![(2, 2019, 120.0), (4, 2021, 130.5)]);
        let twice =
            parse_csv(Path::new("m.csv"), "year,value\n2019,1\n2019,2\n", "value").unwrap_err();
        assert!(
            twice.0[0]
                .message
                .contains("2019 is given twice (also on line 2)")
        );
        let missing = parse_csv(Path::new("m.csv"), "year,v\n2019,1\n", "value").unwrap_err();
        assert!(
            missing.0[0]
                .message
                .contains("no column `value` (its columns: year, v)")
        );
    }
}
