//! Fuzz target over the whole command: any bytes as a scenario file through `kjproj run`
//! (load, every variant evaluated with a small draw count and Sobol sample, every chart
//! rendered as PNG and SVG, the report, the whole output set written into a temporary
//! folder) and `kjproj check`. Errors about the input are fine; an internal error (exit
//! 4), a panic, a hang or an SVG that is not well-formed XML is a finding.
//!
//! Run: `cargo +nightly fuzz run command fuzz/corpus/command fuzz/seeds -- -dict=fuzz/scenario.dict -close_fd_mask=3 -timeout=60`

#![no_main]

use kjproj::commands::{OutputOptions, check, run};
use kjproj::error::Error;
use kjproj::evaluate::Overrides;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::TempDir::new().expect("a temporary folder");
    let file = dir.path().join("fuzz.toml");
    std::fs::write(&file, data).expect("the input written");
    let out = dir.path().join("out");
    let result = run::run(&run::RunOptions {
        scenario: file.clone(),
        output: OutputOptions {
            out_dir: Some(out.clone()),
            charts: kjproj::render::ChartFormat {
                svg: true,
                ..Default::default()
            },
            quiet: true,
            overrides: Overrides {
                draws: Some(64),
                sobol_samples: Some(16),
                ..Overrides::default()
            },
            threads: Some(1),
            command_line: "kjproj run fuzz.toml".into(),
            ..OutputOptions::default()
        },
        partial: None,
        watch: false,
        // Every draw too: the audit file's path through the same inputs.
        draws_out: Some(dir.path().join("draws.csv")),
    });
    match result {
        Ok(()) => {
            for svg in svgs(&out) {
                let text = std::fs::read_to_string(&svg).expect("an SVG is UTF-8");
                if let Err(e) = roxmltree::Document::parse(&text) {
                    panic!("{} is not well-formed XML: {e}", svg.display());
                }
            }
        }
        Err(e @ Error::Internal { .. }) => panic!("internal error: {e}"),
        Err(_) => {}
    }
    let _ = check::run(&check::CheckOptions {
        paths: vec![file],
        format: check::Format::Json,
        junit: Some(dir.path().join("junit.xml")),
        draws: Some(64),
    });
});

/// Every `.svg` file under `dir`.
fn svgs(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "svg") {
                out.push(p);
            }
        }
    }
    out
}
