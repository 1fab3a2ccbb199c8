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
    assert_eq!(u.inputs.len(), 5);
    assert!(u.correlation.is_some());
    assert_eq!(scenario.metrics.len(), 3);
    assert_eq!(scenario.ratios.len(), 1);
    let p = kjproj::model::project(&scenario).unwrap();
    let index = |name: &str| {
        scenario
            .metrics
            .iter()
            .position(|m| m.name == name)
            .unwrap()
    };
    // The example's market passes through its 2027 milestone.
    assert_eq!(p.metrics[index("market")][4], 240.0);
    // The fitted exports hold their anchored baseline and fit soundly.
    let exports = &scenario.metrics[index("exports")];
    assert_eq!(p.metrics[index("exports")][0], 4.1);
    assert!(exports.fit.as_ref().unwrap().fit.warnings.is_empty());
}
