//! The documentation's examples must stay valid scenarios.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

use std::path::Path;

#[test]
fn scenario_format_example_is_a_valid_scenario() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario-format.md"),
    )
    .unwrap();
    // Every ```toml block, joined: the scenario example and its [uncertainty] section.
    let text: String = doc
        .split("```toml\n")
        .skip(1)
        .map(|block| block.split("```").next().expect("closed block"))
        .collect();
    let scenario = kjproj::scenario::parse(&text, Path::new("example.toml"))
        .unwrap_or_else(|e| panic!("the documented example is invalid:\n{e}"));
    let u = scenario
        .uncertainty
        .as_ref()
        .expect("the uncertainty example");
    assert_eq!(u.inputs.len(), 4);
    assert!(u.correlation.is_some());
    assert_eq!(scenario.metrics.len(), 2);
    assert_eq!(scenario.ratios.len(), 1);
    let p = kjproj::model::project(&scenario).unwrap();
    // The example's sales pass through their 2027 milestone.
    let sales = scenario
        .metrics
        .iter()
        .position(|m| m.name == "sales")
        .unwrap();
    assert_eq!(p.metrics[sales][4], 20.0);
}
