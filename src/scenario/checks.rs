//! Validation of `[[checks]]`: each check parses, names a known metric or ratio, and asks
//! for years within the projection.

use super::locate::path;
use super::raw::RawCheck;
use super::validate::Validator;
use super::{DeclaredCheck, Metric, Ratio};
use crate::scenario::expr::{self, Quantity};

pub(super) fn validate(
    v: &mut Validator,
    raw: &[RawCheck],
    metrics: &[Metric],
    ratios: &[Ratio],
    has_uncertainty: bool,
) -> Vec<DeclaredCheck> {
    let names: Vec<&str> = metrics
        .iter()
        .map(|m| m.name.as_str())
        .chain(ratios.iter().map(|r| r.name.as_str()))
        .collect();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, c) in raw.iter().enumerate() {
        let at = path(&["checks"]).index(i);
        if c.name.trim().is_empty() {
            v.problem(at.key("name"), "a check needs a name");
        }
        if !seen.insert(c.name.trim()) {
            v.problem(
                at.key("name"),
                format!("a check named `{}` already exists", c.name.trim()),
            );
        }
        let key = at.key("check");
        let e = match expr::parse(&c.check) {
            Ok(e) => e,
            Err(e) => {
                v.problem(
                    key,
                    format!("{} (at `{}`)", e.message, rest(&c.check, e.at)),
                );
                continue;
            }
        };
        let r = e.quantity.series();
        if !names.contains(&r.name.as_str()) {
            v.problem(
                key.clone(),
                format!(
                    "unknown metric or ratio `{}` (known: {})",
                    r.name,
                    names.join(", ")
                ),
            );
        }
        check_years(v, &key, &e.quantity);
        if let Quantity::Observed(r) = e.quantity.inner() {
            observed_year(v, &key, r, metrics);
        }
        if let Quantity::Yoy(r) = &e.quantity
            && r.year.is_some_and(|y| y.0 == v.baseline_year)
        {
            v.problem(
                key.clone(),
                format!(
                    "there is no growth on the year before in the baseline year {}",
                    v.baseline_year
                ),
            );
        }
        if e.quantity.needs_simulation() && !has_uncertainty {
            v.problem(
                key.clone(),
                "P(…), percentiles and mean(…) need uncertain inputs: add an [uncertainty.inputs] section",
            );
        }
        out.push(DeclaredCheck {
            name: c.name.trim().to_owned(),
            text: c.check.trim().to_owned(),
            expr: e,
            why: c.why.clone().filter(|w| !w.trim().is_empty()),
            skip: c
                .skip
                .iter()
                .flatten()
                .map(|(variant, why)| (variant.clone(), why.trim().to_owned()))
                .collect(),
        });
        for (variant, why) in c.skip.iter().flatten() {
            if why.trim().is_empty() {
                v.problem(
                    at.key("skip").key(variant),
                    format!("say why the check does not apply to `{variant}`: skip = {{ {variant} = \"reason\" }}"),
                );
            }
        }
    }
    out
}

/// The years a quantity names must lie in the projection, in order (`cagr` needs two
/// different years; `sum` and `average` may span one).
pub(super) fn check_years(v: &mut Validator, key: &super::locate::KeyPath, q: &Quantity) {
    if let Quantity::Observed(_) = q.inner() {
        // Observed years are checked against the metric's observed values.
        return;
    }
    let mut years: Vec<i32> = q.series().year.iter().map(|y| y.0).collect();
    if let Some((from, to)) = q.span() {
        years.extend([from, to]);
        let cagr = matches!(q, Quantity::Cagr(..));
        if to < from || (cagr && to == from) {
            v.problem(
                key.clone(),
                format!("the later year goes second, not {from} then {to}"),
            );
        }
    }
    for y in years {
        if y < v.baseline_year || y > v.target_year {
            v.problem(
                key.clone(),
                format!(
                    "year {y} is outside the projection {}–{}",
                    v.baseline_year, v.target_year
                ),
            );
        }
    }
}

/// `observed(NAME, YEAR)` names a metric with an observed value in that year.
fn observed_year(
    v: &mut Validator,
    key: &super::locate::KeyPath,
    r: &super::expr::Ref,
    metrics: &[Metric],
) {
    let Some(year) = r.year.map(|y| y.0) else {
        return;
    };
    match metrics.iter().find(|m| m.name == r.name) {
        None => v.problem(
            key.clone(),
            format!(
                "`observed(…)` takes a metric with observed values; `{}` is not a metric",
                r.name
            ),
        ),
        Some(m) if m.observed_in(year).is_none() => {
            let have = match (m.observed.first(), m.observed.last()) {
                (Some(a), Some(b)) => {
                    format!("{} values from {} to {}", m.observed.len(), a.year, b.year)
                }
                _ => "none".to_owned(),
            };
            v.problem(
                key.clone(),
                format!(
                    "`{}` has no observed value in {year} (observed: {have})",
                    r.name
                ),
            );
        }
        Some(_) => {}
    }
}

/// The check text from byte `at`, for pointing at a problem.
fn rest(text: &str, at: usize) -> &str {
    let tail = text.get(at..).unwrap_or("");
    if tail.is_empty() { "the end" } else { tail }
}
