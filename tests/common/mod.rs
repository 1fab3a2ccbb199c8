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
pub fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("readable CSV");
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
