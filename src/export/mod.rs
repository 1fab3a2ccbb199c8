//! Outputs as bytes, and the one place that writes them to disk.
//!
//! Exporters build complete file contents in memory; [`write_atomically`] then puts each
//! file in place with a rename, so a run that fails or is interrupted never leaves a
//! half-written or clobbered output behind.

mod csv;
mod write;

pub use csv::paths_csv;
pub use write::{OutputFile, write_atomically};
