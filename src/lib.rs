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
//! The command-line layer (`src/cli.rs`, `src/main.rs`) is the only place that knows clap;
//! it is built with the `cli` feature (on by default). A program that uses kjproj as a
//! library needs none of it: `kjproj = { …, default-features = false }`, and adds
//! `features = ["charts"]` for PNG and SVG charts (plotters, resvg; the Python package in
//! `python/` does so). Without `charts`, [`plot::ENABLED`] is false and every output but
//! the charts is rendered.
//!
//! # Using kjproj as a library
//!
//! Load a scenario, evaluate the base and every variant, and read the typed results, or
//! render them as `kjproj run` does:
//!
//! ```
//! use kjproj::evaluate::{self, Analyses, Overrides, Simulations};
//!
//! let file = kjproj::scenario::load("scenarios/fine_chem.toml".as_ref())?;
//! let overrides = Overrides {
//!     draws: Some(20_000),
//!     sobol_samples: Some(0),
//!     ..Overrides::default()
//! };
//! let evals = evaluate::evaluate_all(&file, &overrides, Analyses::ALL, Simulations::Run(None))?;
//! // The base, then each variant.
//! assert_eq!(evals[0].name(), "base");
//! assert_eq!(evals.len(), 1 + file.variants.len());
//! // The deterministic path: 160 → 350 trillion KRW from 2023 to 2031.
//! let market = &evals[0].projection.metrics[0];
//! assert_eq!((market[0], market[8]), (160.0, 350.0));
//! // The simulation's median share in 2031, and the tables `kjproj run` writes.
//! let mc = &evals[0].sensitivity.as_ref().expect("uncertain inputs").monte_carlo;
//! let share = kjproj::scenario::Series::Ratio(0);
//! let median = mc.quantile(share, 8, 0.5);
//! assert!((0.13..0.16).contains(&median));
//! let tables = kjproj::render::tables(&evals[0])?;
//! assert_eq!(tables[0].name, "paths.csv");
//! # Ok::<(), kjproj::Error>(())
//! ```
//!
//! A run split across processes or machines: [`evaluate::partial`]. Checks alone:
//! [`evaluate::evaluate_all`] with [`evaluate::Analyses::CHECKS`]. Goal seek:
//! [`commands::solve::answer`].

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
