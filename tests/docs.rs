//! The documentation's examples must stay valid scenarios.

use std::path::Path;

#[test]
fn scenario_format_example_is_a_valid_scenario() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario-format.md"),
    )
    .unwrap();
    let start = doc.find("```toml\n").expect("a toml example") + "```toml\n".len();
    let end = start + doc[start..].find("```").expect("closed block");
    let scenario = kjproj::scenario::parse(&doc[start..end], Path::new("example.toml"))
        .unwrap_or_else(|e| panic!("the documented example is invalid:\n{e}"));
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
