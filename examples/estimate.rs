//! Prints kjproj's estimate of the time and memory `kjproj run FILE` will take (the cost
//! model that refuses runaway work), for comparing with measured runs:
//!
//! ```text
//! cargo run --release --example estimate -- FILE [DRAWS] [SOBOL] [THREADS]
//! ```

use kjproj::evaluate::{Analyses, Overrides, cost};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        return Err("usage: estimate FILE [DRAWS] [SOBOL] [THREADS]".into());
    };
    let number = |i: usize| args.get(i).map(|a| a.parse::<u64>()).transpose();
    let scenario = kjproj::scenario::load(std::path::Path::new(file))?;
    let overrides = Overrides {
        draws: number(1)?,
        sobol_samples: number(2)?.map(|n| n as usize),
        ..Overrides::default()
    };
    let threads = number(3)?.map_or_else(rayon::current_num_threads, |t| t as usize);
    let scenarios = kjproj::evaluate::base_and_variants(&scenario)
        .map(|v| v.map_or(&scenario, |v| &v.scenario));
    let e = cost::estimate(
        scenarios,
        &overrides,
        Analyses::ALL,
        threads,
        cost::Repeats(1.0),
    );
    println!(
        "{file}: about {:.1} s and {} on {threads} threads",
        e.seconds,
        cost::bytes_words(e.bytes)
    );
    Ok(())
}
