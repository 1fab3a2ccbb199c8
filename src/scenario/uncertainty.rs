//! Validation of the `[uncertainty]` section: which numbers vary, with which distribution,
//! and how they are correlated.

use super::locate::{KeyPath, path};
use super::raw::{DistName, RawInput, RawUncertainty, SamplingName};
use super::validate::{Validator, label_or_name};
use super::{
    Correlation, InputTarget, MAX_DRAWS, MAX_LEFT_OUT, Metric, PreStartGrowth, Ratio, Relative,
    Shape, UncertainInput, Uncertainty,
};
use crate::stats::correlation::CorrelationMatrix;
use crate::stats::distribution::{Distribution, DistributionError};
use crate::stats::sampling::Method;

/// Checks the raw section against the (already valid and ordered) metrics and ratios.
pub(super) fn validate(
    v: &mut Validator,
    raw: RawUncertainty,
    metrics: &[Metric],
    ratios: &[Ratio],
) -> Uncertainty {
    let at = path(&["uncertainty"]);
    if let Some(draws) = raw.draws
        && !(1..=MAX_DRAWS).contains(&draws)
    {
        v.problem(
            at.key("draws"),
            format!("draws must be between 1 and {MAX_DRAWS}, not {draws}"),
        );
    }
    let swing = match raw.swing.as_deref() {
        None => (0.1, 0.9),
        Some([low, high]) if 0.0 < *low && low < high && *high < 1.0 => (*low, *high),
        Some(other) => {
            v.problem(
                at.key("swing"),
                format!("swing takes two percentiles as fractions, low before high, both between 0 and 1 (e.g. [0.1, 0.9]), not {other:?}"),
            );
            (0.1, 0.9)
        }
    };
    let output = raw.output.as_ref().and_then(|name| {
        let found = super::series_named(metrics, ratios, name);
        if found.is_none() {
            let names: Vec<&str> = metrics
                .iter()
                .map(|m| m.name.as_str())
                .chain(ratios.iter().map(|r| r.name.as_str()))
                .collect();
            v.problem(
                at.key("output"),
                format!(
                    "unknown metric or ratio `{name}` (known: {})",
                    names.join(", ")
                ),
            );
        }
        found
    });

    let outputs: Vec<super::Output> = raw
        .outputs
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, text)| {
            let quantity = match super::output_quantity(text, v.target_year) {
                Ok(q) => q,
                Err(m) => {
                    v.problem(at.key("outputs").index(i), m);
                    return None;
                }
            };
            super::output_of(
                text,
                quantity,
                metrics,
                ratios,
                v.baseline_year..=v.target_year,
            )
            .map_err(|m| v.problem(at.key("outputs").index(i), m))
            .ok()
        })
        .collect();
    let mut inputs: Vec<UncertainInput> = Vec::new();
    for (name, input) in &raw.inputs {
        let key = at.key("inputs").key(name);
        let Some((target, canonical)) = target(v, &key, name, metrics) else {
            continue;
        };
        if let Some(other) = inputs.iter().find(|i| i.target == target) {
            v.problem(
                key.clone(),
                format!("`{name}` varies the same number as `{}`", other.name),
            );
            continue;
        }
        let (relative, distribution) = if let InputTarget::Fit(m) = target {
            match fit_distribution(v, &key, input, &metrics[m]) {
                Some(d) => (None, d),
                None => continue,
            }
        } else {
            let relative = match relative(v, &key, input, target, metrics) {
                Ok(r) => r,
                Err(()) => continue,
            };
            let Some(distribution) = distribution(v, &key, input, relative) else {
                continue;
            };
            (relative, distribution)
        };
        let Ok(truncate) = truncation(v, &key, input, relative, &distribution) else {
            continue;
        };
        let made = UncertainInput {
            label: label_or_name(&input.label, &canonical),
            name: canonical.clone(),
            target,
            distribution,
            source: None,
            relative,
            truncate,
        };
        check_support(v, &key, &made, metrics);
        inputs.push(UncertainInput {
            label: label_or_name(&input.label, &canonical),
            name: canonical,
            target,
            distribution,
            source: v.source(key.key("source"), &input.source),
            ..made
        });
    }

    let correlation = raw.correlation.and_then(|c| {
        let at = at.key("correlation");
        let mut indices = Vec::new();
        for (i, name) in c.inputs.iter().enumerate() {
            let canonical = canonical_name(name);
            match inputs.iter().position(|inp| inp.name == canonical) {
                Some(j) if indices.contains(&j) => v.problem(
                    at.key("inputs").index(i),
                    format!("`{name}` is listed twice"),
                ),
                Some(j) => indices.push(j),
                None => v.problem(
                    at.key("inputs").index(i),
                    format!("`{name}` is not one of the uncertain inputs in [uncertainty.inputs]"),
                ),
            }
        }
        if c.matrix.len() != c.inputs.len() {
            v.problem(
                at.key("matrix"),
                format!(
                    "the matrix has {} rows but {} inputs are listed",
                    c.matrix.len(),
                    c.inputs.len()
                ),
            );
            return None;
        }
        match CorrelationMatrix::new(&c.matrix) {
            Ok(matrix) if indices.len() == c.inputs.len() => Some(Correlation {
                inputs: indices,
                matrix,
            }),
            Ok(_) => None,
            Err(e) => {
                let key = match (e.row, e.column) {
                    (Some(r), Some(col)) => at.key("matrix").index(r).index(col),
                    (Some(r), None) => at.key("matrix").index(r),
                    _ => at.key("matrix"),
                };
                v.problem(key, e.message);
                None
            }
        }
    });

    Uncertainty {
        draws: raw.draws,
        seed: raw.seed,
        sampling: raw.sampling.map(|s| match s {
            SamplingName::Random => Method::Random,
            SamplingName::Lhs => Method::LatinHypercube,
        }),
        output,
        outputs,
        swing,
        inputs,
        correlation,
    }
}

/// A fit's uncertain input: its position in the fit's band, Student's t with the fit's
/// residual degrees of freedom, so that each year's spread is the band's (the prediction
/// interval by default). The file gives no parameters: the fit has them.
fn fit_distribution(
    v: &mut Validator,
    key: &KeyPath,
    input: &RawInput,
    metric: &Metric,
) -> Option<Distribution> {
    let given = [
        ("dist", input.dist.is_some()),
        ("min", input.min.is_some()),
        ("mode", input.mode.is_some()),
        ("max", input.max.is_some()),
        ("mean", input.mean.is_some()),
        ("sd", input.sd.is_some()),
        ("low", input.low.is_some()),
        ("high", input.high.is_some()),
        ("relative", input.relative.is_some()),
        ("plus_minus", input.plus_minus.is_some()),
    ];
    if let Some((field, _)) = given.iter().find(|(_, g)| *g) {
        v.problem(
            key.key(field),
            format!(
                "the fit's uncertainty comes from the fit itself (Student's t along its {} band); give only `label`, `source` or `truncate`",
                metric.fit.as_ref().map_or("prediction", |f| f.band.name())
            ),
        );
        return None;
    }
    let fit = metric.fit.as_ref()?;
    // Student's t has a variance only above 2 degrees of freedom: with fewer, means and
    // standard deviations of the draws would not settle however many there are.
    if fit.fit.dof < MIN_FIT_DOF {
        v.problem(
            key.clone(),
            format!(
                "the fit of `{}` has only {} residual degree{} of freedom (observed values minus estimated parameters); its band (Student's t) has no finite variance below {MIN_FIT_DOF}: give at least {} observed values, or fewer parameters (a given cap, an anchor)",
                metric.name,
                fit.fit.dof,
                if fit.fit.dof == 1 { "" } else { "s" },
                fit.fit.n + MIN_FIT_DOF - fit.fit.dof
            ),
        );
        return None;
    }
    Some(Distribution::StudentT { dof: fit.dof() })
}

/// The fewest residual degrees of freedom a fit's band needs as an uncertain input.
const MIN_FIT_DOF: usize = 3;

/// `metrics.x.target` and `metrics.x.target.value` name the same number; the canonical
/// form ends in `.value` like the key paths in error messages.
pub(super) fn canonical_name(name: &str) -> String {
    let trimmed = name.trim();
    let bare = trimmed.strip_suffix(".value").unwrap_or(trimmed);
    let is_point = bare.ends_with(".baseline") || bare.ends_with(".target") || bare.ends_with(']');
    if is_point {
        format!("{bare}.value")
    } else {
        bare.to_owned()
    }
}

/// Which number an input name refers to, or a problem.
fn target(
    v: &mut Validator,
    key: &KeyPath,
    name: &str,
    metrics: &[Metric],
) -> Option<(InputTarget, String)> {
    resolve_input(name, metrics)
        .map_err(|message| v.problem(key.clone(), message))
        .ok()
}

/// Which number an input name (`metrics.sales.target.value`, `metrics.sales.start_year`,
/// …) refers to, with the name in canonical form; or why it refers to none.
pub(super) fn resolve_input(
    name: &str,
    metrics: &[Metric],
) -> Result<(InputTarget, String), String> {
    let canonical = canonical_name(name);
    let bare = canonical.strip_suffix(".value").unwrap_or(&canonical);
    let help = "an input is named by the key of the number it varies: metrics.NAME.baseline.value, \
                metrics.NAME.target.value, metrics.NAME.milestones[I].value, metrics.NAME.start_year, \
                metrics.NAME.cap, metrics.NAME.baseline_growth or, for a fitted metric, metrics.NAME.fit";
    let Some(rest) = bare.strip_prefix("metrics.") else {
        return Err(format!("`{name}` is not a number kjproj can vary: {help}"));
    };
    let (metric_name, field) = rest.split_once('.').unwrap_or((rest, ""));
    let Some(m) = metrics.iter().position(|m| m.name == metric_name) else {
        let names: Vec<&str> = metrics.iter().map(|m| m.name.as_str()).collect();
        return Err(format!(
            "unknown metric `{metric_name}` (metrics: {})",
            names.join(", ")
        ));
    };
    let metric = &metrics[m];
    if matches!(metric.shape, Shape::Sum { .. }) {
        return Err(format!(
            "`{metric_name}` is the sum of its segments; vary the segments' values instead"
        ));
    }
    let fitted = metric.fit.is_some();
    if fitted && matches!(field, "baseline" | "target" | "cap") {
        return Err(format!(
            "`{metric_name}` is fitted to its observed values, so its {field} moves with the fit: vary metrics.{metric_name}.fit, the fit's own uncertainty"
        ));
    }
    let target = match field {
        "fit" if fitted => InputTarget::Fit(m),
        "fit" => {
            return Err(format!(
                "metric `{metric_name}` has no fit to vary (give it `fit = true` and observed values)"
            ));
        }
        "baseline" => InputTarget::Baseline(m),
        "target" if !metric.target_given => {
            return Err(format!(
                "`{metric_name}` has no target value: its curve determines the target year; vary its cap or its points"
            ));
        }
        "target" => InputTarget::Target(m),
        "start_year" if metric.start.is_some() => InputTarget::StartYear(m),
        "start_year" => return Err(format!("metric `{metric_name}` has no start_year to vary")),
        "cap"
            if matches!(
                metric.shape,
                Shape::Logistic { .. } | Shape::Gompertz { .. }
            ) =>
        {
            InputTarget::Cap(m)
        }
        "cap" => {
            return Err(format!(
                "metric `{metric_name}` has no cap (only logistic and gompertz shapes do)"
            ));
        }
        "baseline_growth" => match metric.start.as_ref().map(|s| &s.growth) {
            Some(PreStartGrowth::Rate(_)) => InputTarget::GrowthRate(m),
            _ => {
                return Err(format!(
                    "metric `{metric_name}` has no baseline_growth rate to vary"
                ));
            }
        },
        other => {
            let index = other
                .strip_prefix("milestones[")
                .and_then(|s| s.strip_suffix(']'))
                .and_then(|s| s.parse::<usize>().ok());
            match index {
                Some(i) if i < metric.milestones.len() => InputTarget::Milestone(m, i),
                Some(i) => {
                    return Err(format!(
                        "metric `{metric_name}` has {} milestones; there is no milestones[{i}]",
                        metric.milestones.len()
                    ));
                }
                None => return Err(format!("`{name}` is not a number kjproj can vary: {help}")),
            }
        }
    };
    Ok((target, canonical))
}

/// The value an input varies, as the scenario gives it.
pub(super) fn value_of(target: InputTarget, metrics: &[Metric]) -> f64 {
    match target {
        InputTarget::Baseline(m) => metrics[m].baseline.value,
        InputTarget::Target(m) => metrics[m].target.value,
        InputTarget::Milestone(m, i) => metrics[m].milestones[i].value,
        InputTarget::StartYear(m) => metrics[m]
            .start
            .as_ref()
            .map_or(f64::NAN, |s| f64::from(s.year)),
        InputTarget::Cap(m) => match metrics[m].shape {
            Shape::Logistic { cap } | Shape::Gompertz { cap } => cap,
            _ => f64::NAN,
        },
        InputTarget::GrowthRate(m) => match metrics[m].start.as_ref().map(|s| &s.growth) {
            Some(PreStartGrowth::Rate(g)) => *g,
            _ => f64::NAN,
        },
        InputTarget::Fit(_) => 0.0,
    }
}

/// Whether the range is relative to the value it varies: factors for values and caps,
/// offsets for start years and growth rates. `Err` when a problem was reported.
fn relative(
    v: &mut Validator,
    key: &KeyPath,
    input: &RawInput,
    target: InputTarget,
    metrics: &[Metric],
) -> Result<Option<Relative>, ()> {
    if input.relative != Some(true) && input.plus_minus.is_none() {
        return Ok(None);
    }
    let value = value_of(target, metrics);
    match target {
        InputTarget::StartYear(_) | InputTarget::GrowthRate(_) => {
            Ok(Some(Relative::Offset { to: value }))
        }
        _ if value > 0.0 => Ok(Some(Relative::Factor { of: value })),
        _ => {
            v.problem(
                key.key(if input.plus_minus.is_some() { "plus_minus" } else { "relative" }),
                format!(
                    "a relative range multiplies the value it varies, which must be above 0; the value is {}: give this range in absolute terms",
                    crate::format::significant(value)
                ),
            );
            Err(())
        }
    }
}

/// The distribution an input describes, or problems naming the parameter. A relative
/// range's parameters are turned into absolute ones first.
fn distribution(
    v: &mut Validator,
    key: &KeyPath,
    input: &RawInput,
    relative: Option<Relative>,
) -> Option<Distribution> {
    let mut given: Vec<(&'static str, f64)> = [
        ("min", input.min),
        ("mode", input.mode),
        ("max", input.max),
        ("mean", input.mean),
        ("sd", input.sd),
        ("low", input.low),
        ("high", input.high),
    ]
    .into_iter()
    .filter_map(|(field, value)| value.map(|x| (field, x)))
    .collect();
    if let Some(pm) = input.plus_minus {
        if !v.finite(key.key("plus_minus"), pm) {
            return None;
        }
        if let Some((field, _)) = given.first() {
            v.problem(
                key.key(field),
                "`plus_minus` is the whole range (a normal with P5 and P95 at the value minus and plus it); give either `plus_minus` or the distribution's parameters",
            );
            return None;
        }
        if input.dist.is_some_and(|d| d != DistName::Normal) {
            v.problem(key.key("dist"), "`plus_minus` describes a normal distribution; give `low`/`high` or `min`/`max` with `relative = true` for another one");
            return None;
        }
        let (low, high) = match relative {
            Some(Relative::Factor { .. }) => (1.0 - pm, 1.0 + pm),
            _ => (-pm, pm),
        };
        given = vec![("low", low), ("high", high)];
    }
    let mut ok = true;
    for (field, x) in &given {
        ok &= v.finite(key.key(field), *x);
    }
    if !ok {
        return None;
    }
    if let Some(r) = relative {
        for (field, x) in &mut given {
            *x = match (r, *field) {
                (Relative::Factor { of }, _) => *x * of,
                (Relative::Offset { .. }, "sd") => *x,
                (Relative::Offset { to }, _) => *x + to,
            };
        }
    }
    let has = |field: &str| given.iter().any(|(f, _)| *f == field);
    let get = |field: &str| {
        given
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(f64::NAN, |p| p.1)
    };

    // Which parameter sets each distribution accepts, in the order tried.
    let (dist_word, forms): (&str, &[&[&str]]) = match input.dist {
        None => ("the low-to-high shorthand", &[&["low", "high"]]),
        Some(DistName::Uniform) => ("uniform", &[&["min", "max"]]),
        Some(DistName::Triangular) => ("triangular", &[&["min", "mode", "max"]]),
        Some(DistName::Pert) => ("pert", &[&["min", "mode", "max"]]),
        Some(DistName::Normal) => ("normal", &[&["mean", "sd"], &["low", "high"]]),
        Some(DistName::Lognormal) => ("lognormal", &[&["mean", "sd"], &["low", "high"]]),
    };
    let Some(form) = forms.iter().find(|form| form.iter().all(|f| has(f))) else {
        let options: Vec<String> = forms.iter().map(|f| f.join(", ")).collect();
        let missing = forms[0].iter().find(|f| !has(f)).copied().unwrap_or("min");
        let message = if input.dist.is_none() {
            "give a distribution (`dist = \"uniform\"`, \"triangular\", \"pert\", \"normal\" or \"lognormal\") or the low-to-high shorthand `low = ..., high = ...`".to_owned()
        } else {
            format!("{dist_word} needs {}", options.join(", or "))
        };
        v.problem(key.key(missing), message);
        return None;
    };
    for (field, _) in &given {
        if !form.contains(field) {
            v.problem(
                key.key(field),
                format!(
                    "`{field}` is not a parameter of {dist_word} (it takes {})",
                    form.join(", ")
                ),
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let made: Result<Distribution, DistributionError> = match (input.dist, form[0]) {
        (None, _) => Distribution::normal_interval(get("low"), get("high")),
        (Some(DistName::Uniform), _) => Distribution::uniform(get("min"), get("max")),
        (Some(DistName::Triangular), _) => {
            Distribution::triangular(get("min"), get("mode"), get("max"))
        }
        (Some(DistName::Pert), _) => Distribution::pert(get("min"), get("mode"), get("max")),
        (Some(DistName::Normal), "mean") => Distribution::normal(get("mean"), get("sd")),
        (Some(DistName::Normal), _) => Distribution::normal_interval(get("low"), get("high")),
        (Some(DistName::Lognormal), "mean") => Distribution::lognormal(get("mean"), get("sd")),
        (Some(DistName::Lognormal), _) => Distribution::lognormal_interval(get("low"), get("high")),
    };
    made.map_err(|e| v.problem(key.key(e.field), e.message))
        .ok()
}

/// `truncate = [lo, hi]`: both numbers (infinite allowed), lo below hi, transformed like
/// the other parameters of a relative range, and keeping a real part of the distribution.
fn truncation(
    v: &mut Validator,
    key: &KeyPath,
    input: &RawInput,
    relative: Option<Relative>,
    distribution: &Distribution,
) -> Result<Option<(f64, f64)>, ()> {
    let Some(bounds) = &input.truncate else {
        return Ok(None);
    };
    let at = key.key("truncate");
    let (lo, hi) = match bounds.as_slice() {
        [lo, hi] if !lo.is_nan() && !hi.is_nan() && lo < hi => (*lo, *hi),
        _ => {
            v.problem(
                at,
                "truncate takes two bounds, the lower first: `truncate = [0, inf]` (`inf` and `-inf` leave a side open)",
            );
            return Err(());
        }
    };
    let (lo, hi) = match relative {
        Some(Relative::Factor { of }) => (lo * of, hi * of),
        Some(Relative::Offset { to }) => (lo + to, hi + to),
        None => (lo, hi),
    };
    if distribution.truncated_sampler(lo, hi).is_none() {
        v.problem(
            at,
            format!(
                "truncating {} to [{}, {}] keeps almost none of it (less than one draw in a million)",
                distribution.describe(),
                crate::format::significant(lo),
                crate::format::significant(hi)
            ),
        );
        return Err(());
    }
    Ok(Some((lo, hi)))
}

/// A distribution is refused where it would put more than [`MAX_LEFT_OUT`] of its draws
/// where the varied number is meaningless (a value of 0 or below under compound growth, a
/// cap below the values, a growth rate of −100% or below): those draws could not be
/// projected. Below that share they are left out and reported. Start years need bounded
/// distributions whose draws round to years inside the projection.
fn check_support(v: &mut Validator, key: &KeyPath, input: &UncertainInput, metrics: &[Metric]) {
    let (lo, hi) = input.support();
    let fix = "use a lognormal, narrow the range, or truncate it (`truncate = [lo, hi]`)";
    let mut refuse_at_or_below = |bound: f64, what: String| {
        let share = input.mass_at_or_below(bound);
        if share > MAX_LEFT_OUT {
            v.problem(
                key.clone(),
                format!(
                    "{} puts {} of its draws at {} or below, where {what}; kjproj leaves out at most {} of the draws: {fix}",
                    input.describe(),
                    percent_words(share),
                    crate::format::significant(bound),
                    percent_words(MAX_LEFT_OUT)
                ),
            );
        }
    };
    match input.target {
        // Any position in the band can be projected.
        InputTarget::Fit(_) => {}
        InputTarget::StartYear(m) => {
            let metric = &metrics[m];
            let first_milestone = metric.milestones.first().map(|p| p.year);
            let bounded = lo.is_finite() && hi.is_finite();
            let (b, t) = (v.baseline_year, v.target_year);
            let latest = first_milestone.unwrap_or(t);
            if !bounded {
                v.problem(
                    key.clone(),
                    "a start year needs a bounded distribution (uniform, triangular or pert, or a truncated one)",
                );
            } else if lo.round() <= f64::from(b) || hi.round() >= f64::from(latest) {
                v.problem(
                    key.clone(),
                    format!(
                        "start years drawn from {} round to years outside {}–{}; they must fall after the baseline year {b} and before {}",
                        input.describe(),
                        b + 1,
                        latest - 1,
                        first_milestone.map_or_else(|| format!("the target year {t}"), |y| format!("the first milestone ({y})"))
                    ),
                );
            }
        }
        InputTarget::GrowthRate(_) => {
            refuse_at_or_below(
                -1.0,
                "a growth rate of −100% or less leaves nothing to grow".into(),
            );
        }
        InputTarget::Cap(m) => {
            let metric = &metrics[m];
            let highest = metric
                .given_points()
                .map(|p| p.value)
                .fold(f64::NEG_INFINITY, f64::max);
            refuse_at_or_below(
                highest,
                format!(
                    "the cap of `{}` would not stay above its values (up to {})",
                    metric.name,
                    crate::format::significant(highest)
                ),
            );
        }
        InputTarget::Baseline(m) | InputTarget::Target(m) | InputTarget::Milestone(m, _) => {
            let positive_only = matches!(
                metrics[m].shape,
                Shape::Cagr | Shape::Logistic { .. } | Shape::Gompertz { .. }
            );
            if positive_only {
                refuse_at_or_below(
                    0.0,
                    format!(
                        "the {} shape of `{}` cannot go",
                        metrics[m].shape.name(),
                        metrics[m].name
                    ),
                );
            }
        }
    }
}

/// A share as a percentage in words: 0.106 → "10.6%", 0.000012 → "0.0012%".
fn percent_words(share: f64) -> String {
    let pct = share * 100.0;
    let decimals = if pct >= 1.0 {
        1
    } else {
        (2 - pct.log10().floor() as i32).max(1) as usize
    };
    format!("{}%", crate::format::fixed(pct, decimals))
}
