//! Statistical building blocks that know nothing of scenarios: distributions and their
//! special functions, the exponential function, rank correlation, sampling streams,
//! streaming summaries (moments and histograms), number rounding and a checksum.
//!
//! This module imports nothing else of kjproj (a test in `tests/layering.rs` holds it to
//! that), so it can be tested, and reused, on its own.

pub mod correlation;
pub mod distribution;
pub mod exp;
pub mod fit;
pub mod hash;
pub mod number;
pub mod sampling;
pub mod streaming;
