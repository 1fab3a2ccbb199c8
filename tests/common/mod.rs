//! Helpers shared by the integration tests.

#![allow(dead_code)] // each test file uses some of them

use std::path::{Path, PathBuf};

/// The `kjproj` binary, without colour.
pub fn kjproj() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("kjproj").expect("binary built");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// A path in the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A CSV file as rows of named cells.
///
/// A UTF-8 byte order mark (which kjproj writes before non-ASCII CSV files, for Excel) is
/// skipped, as spreadsheet programs and pandas' `utf-8-sig` do.
pub fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let bytes = std::fs::read(path).expect("readable CSV");
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut r = csv::Reader::from_reader(text);
    let header: Vec<String> = r
        .headers()
        .expect("a header")
        .iter()
        .map(String::from)
        .collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.expect("a record").iter().map(String::from))
                .collect()
        })
        .collect()
}
