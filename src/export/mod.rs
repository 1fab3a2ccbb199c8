//! Outputs as bytes, and the one place that writes them to disk.
//!
//! Exporters build complete file contents in memory; [`write_set`] then puts a command's
//! whole set of files in place at once (a fresh folder swapped for the old one), and
//! [`write_atomically`] a single file (`kjproj new`, a JUnit report) with a rename, so a
//! run that fails or is interrupted never leaves a half-written, mixed or clobbered
//! output behind.

mod csv;
pub mod rows;
mod set;
mod write;
pub mod xlsx;

pub use csv::{Bom, UTF8_BOM, csv_rows, mark_csv, paths_csv};
pub use set::{MANIFEST, MAX_CARRIED, Mode, Staging, clean_up_on_interrupt, probe_set, write_set};
pub use write::{
    OutputFile, folder_of, probe, temporary_in, write_atomically, write_file_atomically,
};
