//! kjproj: a projection and scenario calculator.
//!
//! A scenario file (TOML) states a baseline, targets, milestones and the growth shape of
//! each metric; kjproj turns it into year-by-year paths, compares the figures sources state
//! with the ones it derives, and writes CSV files and charts.
//!
//! Data flows one way:
//!
//! | module | owns |
//! |---|---|
//! | [`scenario`] | the file format: loading, validation, positions for errors |
//! | [`model`] | growth shapes and the deterministic projection |
//! | [`sensitivity`] | uncertain inputs, tornado, Monte Carlo, Sobol indices |
//! | [`check`] | assumptions as pass/fail checks |
//! | [`solve`] | goal seek: which input value reaches an output goal |
//! | [`export`] | CSV as bytes, atomic writing of every output |
//! | [`plot`] | charts, with an embedded font |
//! | [`commands`] | one module per subcommand, gluing the above |
//! | [`error`] | error types and exit codes |
//! | [`format`](mod@format) | number formatting shared by outputs and messages |
//!
//! The command-line layer (`src/cli.rs`, `src/main.rs`) is the only place that knows clap.

pub mod check;
pub mod commands;
pub mod error;
pub mod evaluate;
pub mod export;
pub mod format;
pub mod model;
pub mod plot;
pub mod render;
pub mod scenario;
pub mod sensitivity;
pub mod solve;
pub mod stats;

pub use error::Error;
