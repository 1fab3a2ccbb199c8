//! Assumptions as pass/fail checks: the built-in ones every scenario gets, and the ones a
//! file declares in `[[checks]]` (see [`expr`] for their language).

pub use crate::scenario::expr;

use crate::format::fixed;
use crate::model::{self, Comparison, Projection, SeriesKind};
use crate::scenario::{BuiltinCheck, RatioKind, Scenario, Series};
use crate::sensitivity::monte_carlo::{self, MonteCarlo};
use expr::{Cmp, Quantity, Ref};

/// The result of one check.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Outcome {
    /// The check's name.
    pub name: String,
    /// Built in (true) or declared in the file (false).
    pub builtin: bool,
    /// The check as written (declared checks) or a description (built-in ones).
    pub check: String,
    /// Whether it passed.
    pub passed: bool,
    /// The actual value, formatted.
    pub actual: String,
    /// The bound it was held to, formatted.
    pub bound: String,
    /// Why the check exists, if the file says.
    pub why: Option<String>,
    /// Why the check does not count in this scenario (a variant's scoping), if it does
    /// not: it is still evaluated and shown, but neither passes nor fails.
    pub skipped: Option<String>,
    /// What the check found, as data (for warnings and reports).
    #[serde(skip)]
    pub finding: Finding,
}

/// What a check found, beyond pass or fail.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Finding {
    /// A declared check: its value is in [`Outcome::actual`].
    #[default]
    Declared,
    /// A stated figure against the derived value.
    Stated(Comparison),
    /// A share's years outside 0–100%.
    ShareOutside {
        /// The ratio's name.
        ratio: String,
        /// (year, value) outside 0–100%.
        years: Vec<(i32, f64)>,
    },
    /// An S-curve whose points go both ways.
    Milestones {
        /// The metric's name.
        metric: String,
        /// Its shape.
        shape: crate::scenario::Shape,
    },
    /// Figures without a source.
    Unsourced(Vec<Unsourced>),
    /// A fit's warnings, in words.
    Fit {
        /// The fitted metric's name.
        metric: String,
        /// Its warnings.
        warnings: Vec<String>,
    },
}

/// A given or stated figure that cites no source.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsourced {
    /// The metric or ratio.
    pub series: String,
    /// Which figure: "baseline", "target", "milestone", "stated".
    pub what: &'static str,
    /// Its year.
    pub year: i32,
}

impl std::fmt::Display for Unsourced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.series, self.what, self.year)
    }
}

impl Outcome {
    /// Counts as a failure: evaluated, not skipped, not passed.
    pub fn failed(&self) -> bool {
        !self.passed && self.skipped.is_none()
    }

    /// Counts as a pass.
    pub fn counts_as_passed(&self) -> bool {
        self.passed && self.skipped.is_none()
    }
}

/// The Monte Carlo run that checks on probabilities, percentiles and means read.
#[derive(Debug, Clone, Copy)]
pub enum Simulation<'a> {
    /// Run one with these settings, if any check needs it.
    Run(monte_carlo::Settings),
    /// Use a simulation that has already run (e.g. the one `kjproj run` made).
    Done(&'a MonteCarlo),
}

/// The quantities, other than a series in a year, that the scenario's checks ask the
/// simulation about (`P(sum(sales, 2025, 2031) >= 180)`): a simulation for the checks must
/// keep their draws (see [`monte_carlo::run_with`]).
pub fn extra_quantities(scenario: &Scenario) -> Vec<Quantity> {
    let mut out: Vec<Quantity> = Vec::new();
    for c in &scenario.checks {
        let q = &c.expr.quantity;
        if q.needs_simulation()
            && !matches!(q.inner(), Quantity::Value(_))
            && !out.contains(q.inner())
        {
            out.push(q.inner().clone());
        }
    }
    out
}

/// Runs every check of a scenario; all checks on simulation results share one simulation.
pub fn run(scenario: &Scenario, projection: &Projection, simulation: Simulation) -> Vec<Outcome> {
    let mut out = builtin(scenario, projection);
    let needed = scenario
        .checks
        .iter()
        .any(|c| c.expr.quantity.needs_simulation());
    let ran;
    let mc = match simulation {
        Simulation::Done(mc) => Some(mc),
        Simulation::Run(settings) if needed => {
            ran = monte_carlo::run_with(scenario, settings, None, &extra_quantities(scenario));
            Some(&ran)
        }
        Simulation::Run(_) => None,
    };
    for c in &scenario.checks {
        let value = evaluate(scenario, projection, mc, &c.expr.quantity);
        let shown = |v: f64| show(scenario, &c.expr.quantity, v);
        out.push(Outcome {
            name: c.name.clone(),
            builtin: false,
            check: c.text.clone(),
            passed: c.expr.bound.holds(value),
            actual: format!(
                "{} = {}",
                quantity_words(&c.expr.quantity, &|v| threshold(
                    scenario,
                    c.expr.quantity.inner(),
                    v
                )),
                shown(value)
            ),
            bound: c.expr.bound.describe(shown),
            why: c.why.clone(),
            skipped: scenario.skip_reason(&c.name, Some(c)),
            finding: Finding::Declared,
        });
    }
    out
}

/// The checks every scenario gets ([`Scenario::builtin_checks`]).
pub fn builtin(scenario: &Scenario, projection: &Projection) -> Vec<Outcome> {
    let comparisons = model::comparisons(scenario, projection);
    let mut stated = comparisons.into_iter();
    scenario
        .builtin_checks()
        .into_iter()
        .filter_map(|b| {
            let name = b.name(scenario);
            let mut outcome = match b {
                // Comparisons come in the order of the built-in stated checks.
                BuiltinCheck::Stated(..) => stated_check(stated.next()?),
                BuiltinCheck::ShareBounds(i) => share_bounds(scenario, projection, i),
                BuiltinCheck::Milestones(i) => milestones(scenario, projection, i),
                BuiltinCheck::Sources => sources(scenario),
                BuiltinCheck::Fit(i) => fit(scenario, i)?,
            };
            outcome.skipped = scenario.skip_reason(&name, None);
            outcome.name = name;
            Some(outcome)
        })
        .collect()
}

fn share_bounds(scenario: &Scenario, projection: &Projection, i: usize) -> Outcome {
    let (r, path) = (&scenario.ratios[i], &projection.ratios[i]);
    let (lo, hi) = path
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let outside: Vec<(i32, f64)> = projection
        .years
        .iter()
        .zip(path)
        .filter(|(_, v)| !(0.0..=1.0).contains(*v))
        .map(|(y, v)| (*y, *v))
        .collect();
    Outcome {
        name: String::new(),
        builtin: true,
        check: format!("0 <= {}[year] <= 1", r.name),
        passed: outside.is_empty(),
        actual: format!("from {} to {}", percent(lo), percent(hi)),
        bound: "between 0% and 100%".into(),
        why: None,
        skipped: None,
        finding: Finding::ShareOutside {
            ratio: r.name.clone(),
            years: outside,
        },
    }
}

fn milestones(scenario: &Scenario, projection: &Projection, i: usize) -> Outcome {
    let (m, path) = (&scenario.metrics[i], &projection.metrics[i]);
    // An S-curve only rises or only falls: milestones going both ways bend it into a
    // path of kinks that no logistic or Gompertz curve follows.
    let first = m
        .start
        .as_ref()
        .map_or(0, |s| (s.year - scenario.baseline_year) as usize);
    let knots: Vec<f64> = std::iter::once(path[first])
        .chain(m.milestones.iter().map(|p| p.value))
        .chain(m.target_given.then_some(m.target.value))
        .collect();
    let rising = knots.windows(2).all(|w| w[1] >= w[0]);
    let falling = knots.windows(2).all(|w| w[1] <= w[0]);
    Outcome {
        name: String::new(),
        builtin: true,
        check: format!("points of {} all rise or all fall", m.name),
        passed: rising || falling,
        actual: knots
            .iter()
            .map(|v| fixed(*v, 4))
            .collect::<Vec<_>>()
            .join(" → "),
        bound: "all rising or all falling".into(),
        why: None,
        skipped: None,
        finding: Finding::Milestones {
            metric: m.name.clone(),
            shape: m.shape.clone(),
        },
    }
}

/// A fitted metric's fit: its quality and parameters, failing on any warning.
fn fit(scenario: &Scenario, i: usize) -> Option<Outcome> {
    let m = &scenario.metrics[i];
    let f = m.fit.as_ref()?;
    let warnings = f.warning_words(crate::scenario::Lang::En);
    Some(Outcome {
        name: String::new(),
        builtin: true,
        check: format!("least-squares fit of {} to its observed values", m.name),
        passed: warnings.is_empty(),
        actual: format!(
            "{}{}; {}",
            warnings
                .iter()
                .map(|w| format!("{w}; "))
                .collect::<String>(),
            f.quality_words(crate::scenario::Lang::En),
            f.estimate_words(crate::scenario::Lang::En).join(", ")
        ),
        bound: format!(
            "R² ≥ {}, every parameter identified, converged",
            crate::stats::fit::POOR_R2
        ),
        why: None,
        skipped: None,
        finding: Finding::Fit {
            metric: m.name.clone(),
            warnings,
        },
    })
}

fn sources(scenario: &Scenario) -> Outcome {
    let missing = unsourced(scenario);
    Outcome {
        name: String::new(),
        builtin: true,
        check: "source = \"…\" on every baseline, target, milestone and stated figure".into(),
        passed: missing.is_empty(),
        actual: if missing.is_empty() {
            "all cited".into()
        } else {
            format!(
                "no source: {}",
                missing
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        bound: "every figure cited".into(),
        why: None,
        skipped: None,
        finding: Finding::Unsourced(missing),
    }
}

fn stated_check(c: Comparison) -> Outcome {
    let is_share = c.kind == SeriesKind::Ratio(RatioKind::Share);
    let v = |x: f64| if is_share { percent(x) } else { fixed(x, 6) };
    let tol = if is_share {
        format!("{} pp", fixed(c.tolerance * 100.0, 4))
    } else {
        fixed(c.tolerance, 6)
    };
    let signed = |x: f64, decimals: usize| {
        let sign = if x >= 0.0 { "+" } else { "" };
        format!("{sign}{}", fixed(x, decimals))
    };
    let diff = if is_share {
        format!("{} pp", signed(c.difference() * 100.0, 4))
    } else {
        signed(c.difference(), 6)
    };
    let how = c
        .derivation
        .as_deref()
        .map_or_else(String::new, |d| format!(" ({d})"));
    Outcome {
        name: String::new(),
        builtin: true,
        check: format!("|{}[{}] − {}| <= {}", c.series, c.year, v(c.stated), tol),
        passed: c.within_tolerance(),
        actual: format!(
            "derived {}{how}, stated {}, difference {diff}",
            v(c.derived),
            v(c.stated)
        ),
        bound: format!("{} ± {tol}", v(c.stated)),
        why: None,
        skipped: None,
        finding: Finding::Stated(c),
    }
}

/// Figures without a source, in file order.
fn unsourced(scenario: &Scenario) -> Vec<Unsourced> {
    let mut out = Vec::new();
    for m in &scenario.metrics {
        let baseline = m.baseline_given.then_some(("baseline", &m.baseline));
        let target = m.target_given.then_some(("target", &m.target));
        let points = baseline
            .into_iter()
            .chain(target)
            .chain(m.milestones.iter().map(|p| ("milestone", p)));
        for (what, p) in points {
            if p.source.is_none() {
                out.push(Unsourced {
                    series: m.name.clone(),
                    what,
                    year: p.year,
                });
            }
        }
    }
    for (i, _) in scenario.metrics.iter().enumerate() {
        unsourced_stated(scenario, Series::Metric(i), &mut out);
    }
    for (i, _) in scenario.ratios.iter().enumerate() {
        unsourced_stated(scenario, Series::Ratio(i), &mut out);
    }
    out
}

fn unsourced_stated(scenario: &Scenario, series: Series, out: &mut Vec<Unsourced>) {
    for s in scenario
        .stated(series)
        .iter()
        .filter(|s| s.source.is_none())
    {
        out.push(Unsourced {
            series: scenario.series_name(series).to_owned(),
            what: "stated",
            year: s.year,
        });
    }
}

/// The value of a quantity (NaN when it is undefined, which fails any bound).
pub fn evaluate(
    scenario: &Scenario,
    projection: &Projection,
    mc: Option<&MonteCarlo>,
    q: &Quantity,
) -> f64 {
    let r: &Ref = q.series();
    let Some(s) = scenario.series_by_name(&r.name) else {
        return f64::NAN;
    };
    let year = r.year.map(|y| (y.0 - scenario.baseline_year) as usize);
    // A Monte Carlo quantity of something other than a series in a year reads the draws
    // the simulation kept of that quantity (see `extra_quantities`).
    if q.needs_simulation() && !matches!(q.inner(), Quantity::Value(_)) {
        let Some((mc, k)) = mc.and_then(|mc| mc.extra_index(q.inner()).map(|k| (mc, k))) else {
            return f64::NAN;
        };
        return match q {
            Quantity::Probability(_, cmp, x) => {
                chance(*cmp, || mc.extra_cdf(k, *x), || mc.extra_below(k, *x))
            }
            Quantity::Percentile(pct, _) => mc.extra_quantile(k, *pct),
            Quantity::Mean(_) => mc.extra.get(k).map_or(f64::NAN, |e| e.mean),
            _ => f64::NAN,
        };
    }
    match q {
        Quantity::Probability(_, cmp, x) => match (mc, year) {
            // A stated figure's chance of being reached is counted draw by draw: the same
            // number as the summary and probabilities.csv, exactly.
            (Some(mc), Some(i)) => match (cmp, mc.reached(s, i, *x)) {
                (Cmp::Ge, Some(p)) => p,
                (Cmp::Lt, Some(p)) => 1.0 - p,
                _ => chance(*cmp, || mc.cdf(s, i, *x), || mc.below(s, i, *x)),
            },
            _ => f64::NAN,
        },
        Quantity::Percentile(pct, _) => match (mc, year) {
            (Some(mc), Some(i)) => mc.quantile(s, i, *pct),
            _ => f64::NAN,
        },
        Quantity::Mean(_) => match (mc, year) {
            (Some(mc), Some(i)) => mc
                .series
                .iter()
                .find(|(x, _)| *x == s)
                .map_or(f64::NAN, |(_, st)| st.mean[i]),
            _ => f64::NAN,
        },
        _ => model::quantity(scenario, projection, q),
    }
}

/// P(X `cmp` x) from the shares of draws at or below x and strictly below it: P(X ≥ x) is
/// 1 − P(X < x), not 1 − P(X ≤ x); the two differ where draws sit exactly at x (a quantity
/// no uncertain input moves, say).
fn chance(cmp: Cmp, at_or_below: impl FnOnce() -> f64, below: impl FnOnce() -> f64) -> f64 {
    match cmp {
        Cmp::Le => at_or_below(),
        Cmp::Lt => below(),
        Cmp::Ge => 1.0 - below(),
        Cmp::Gt => 1.0 - at_or_below(),
    }
}

/// The quantity in words: "share\[2031\]", "cagr(market)"; `series_value` formats the
/// threshold of a probability.
pub fn quantity_words(q: &Quantity, series_value: &dyn Fn(f64) -> String) -> String {
    let r = q.series();
    let at = r.year.map_or_else(String::new, |y| format!("[{}]", y.0));
    match q {
        Quantity::Value(_) => format!("{}{at}", r.name),
        Quantity::Yoy(_) => format!("yoy({}{at})", r.name),
        Quantity::MaxYoy(_) => format!("max(yoy({}))", r.name),
        Quantity::MinYoy(_) => format!("min(yoy({}))", r.name),
        Quantity::Cagr(_, None) => format!("cagr({})", r.name),
        Quantity::Cagr(_, Some((a, b))) => format!("cagr({}, {}, {})", r.name, a.0, b.0),
        Quantity::Probability(_, c, x) => {
            let sym = match c {
                Cmp::Lt => "<",
                Cmp::Le => "≤",
                Cmp::Gt => ">",
                Cmp::Ge => "≥",
            };
            format!(
                "P({} {sym} {})",
                quantity_words(q.inner(), series_value),
                series_value(*x)
            )
        }
        Quantity::Percentile(p, inner) => {
            format!(
                "P{}({})",
                fixed(p * 100.0, 3),
                quantity_words(inner, series_value)
            )
        }
        Quantity::Mean(inner) => format!("mean({})", quantity_words(inner, series_value)),
        Quantity::Sum(_, (a, b)) => format!("sum({}, {}, {})", r.name, a.0, b.0),
        Quantity::Average(_, (a, b)) => format!("average({}, {}, {})", r.name, a.0, b.0),
        Quantity::Observed(_) => format!("observed({}, {})", r.name, r.year.map_or(0, |y| y.0)),
    }
}

/// A value of a quantity: percent for rates, probabilities and shares.
pub fn show(scenario: &Scenario, q: &Quantity, v: f64) -> String {
    in_units(scenario, q, v, 3, 4)
}

/// A threshold the check's author wrote (`P(cagr(sales) >= 25%)`), as a value of the
/// quantity `q` it is compared with, with up to six decimals so that it reads as written
/// (15.99999, not 16).
fn threshold(scenario: &Scenario, q: &Quantity, v: f64) -> String {
    in_units(scenario, q, v, 6, 6)
}

/// `v` as a value of `q`: in percent with up to `percent_decimals` for growth, rates and
/// shares, else with up to `decimals`.
fn in_units(
    scenario: &Scenario,
    q: &Quantity,
    v: f64,
    percent_decimals: usize,
    decimals: usize,
) -> String {
    let share = scenario.series_by_name(&q.series().name).is_some_and(
        |s| matches!(s, Series::Ratio(i) if scenario.ratios[i].kind == RatioKind::Share),
    );
    if q.is_rate() || share {
        format!("{}%", fixed(v * 100.0, percent_decimals))
    } else {
        fixed(v, decimals)
    }
}

fn percent(v: f64) -> String {
    format!("{}%", fixed(v * 100.0, 3))
}
