//! Fuzz target: any bytes as a scenario file through load, validation, projection,
//! checks and a small sensitivity run. A loaded scenario must always project; nothing may
//! panic or hang.
//!
//! Run: `cargo +nightly fuzz run scenario fuzz/corpus/scenario fuzz/seeds -- -dict=fuzz/scenario.dict`

#![no_main]

use std::path::Path;

use kjproj::sensitivity::{monte_carlo, tornado};
use kjproj::stats::sampling::Method;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = kjproj::scenario::parse(text, Path::new("fuzz.toml")) else {
        return;
    };
    for s in std::iter::once(&scenario).chain(scenario.variants.iter().map(|v| &v.scenario)) {
        let projection = kjproj::model::project(s).expect("a loaded scenario always projects");
        let _ = kjproj::model::comparisons(s, &projection);
        let settings = monte_carlo::Settings {
            draws: 70,
            seed: 1,
            method: Method::LatinHypercube,
        };
        let _ = kjproj::check::run(s, &projection, kjproj::check::Simulation::Run(settings));
        if s.uncertainty.is_some() {
            let _ = tornado::run(s);
            let _ = monte_carlo::run(s, settings, None);
        }
        let _ = kjproj::export::paths_csv(s, &projection);
    }
});
