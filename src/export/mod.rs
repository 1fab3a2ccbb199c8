//! Outputs as bytes, and the one place that writes them to disk.
//!
//! Exporters build complete file contents in memory; [`write_atomically`] then puts each
//! file in place with a rename, so a run that fails or is interrupted never leaves a
//! half-written or clobbered output behind.

mod csv;
pub mod rows;
mod write;

pub use csv::{csv_rows, paths_csv};
pub use write::{OutputFile, probe, write_atomically};
