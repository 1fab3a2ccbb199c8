//! Assumptions as pass/fail checks: the built-in ones every scenario gets, and the ones a
//! file declares in `[[checks]]` (see [`expr`] for their language).

pub mod expr;

use crate::format::fixed;
use crate::model::shape::cagr;
use crate::model::{self, Comparison, Projection, SeriesKind};
use crate::scenario::{RatioKind, Scenario, Series, Shape};
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
}

/// The Monte Carlo run that checks on probabilities, percentiles and means read.
#[derive(Debug, Clone, Copy)]
pub enum Simulation<'a> {
    /// Run one with these settings, if any check needs it.
    Run(monte_carlo::Settings),
    /// Use a simulation that has already run (e.g. the one `kjproj run` made).
    Done(&'a MonteCarlo),
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
            ran = monte_carlo::run(scenario, settings, None);
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
                quantity_words(&c.expr.quantity, &|v| show_series(
                    scenario,
                    &c.expr.quantity,
                    v
                )),
                shown(value)
            ),
            bound: c.expr.bound.describe(shown),
            why: c.why.clone(),
        });
    }
    out
}

/// The checks every scenario gets.
pub fn builtin(scenario: &Scenario, projection: &Projection) -> Vec<Outcome> {
    let mut out = Vec::new();
    for c in model::comparisons(scenario, projection) {
        out.push(stated_check(&c));
    }
    for (r, path) in scenario.ratios.iter().zip(&projection.ratios) {
        if r.kind != RatioKind::Share {
            continue;
        }
        let (lo, hi) = path
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        out.push(Outcome {
            name: format!("{} stays between 0% and 100% in every year", r.name),
            builtin: true,
            check: format!("0 <= {}[year] <= 1", r.name),
            passed: lo >= 0.0 && hi <= 1.0,
            actual: format!("from {} to {}", percent(lo), percent(hi)),
            bound: "between 0% and 100%".into(),
            why: None,
        });
    }
    for (m, path) in scenario.metrics.iter().zip(&projection.metrics) {
        if !matches!(m.shape, Shape::Logistic { .. } | Shape::Gompertz { .. })
            || m.milestones.is_empty()
        {
            continue;
        }
        // An S-curve only rises or only falls: milestones going both ways bend it into a
        // path of kinks that no logistic or Gompertz curve follows.
        let first = m
            .start
            .as_ref()
            .map_or(0, |s| (s.year - scenario.baseline_year) as usize);
        let knots: Vec<f64> = std::iter::once(path[first])
            .chain(m.milestones.iter().map(|p| p.value))
            .chain(std::iter::once(m.target.value))
            .collect();
        let rising = knots.windows(2).all(|w| w[1] >= w[0]);
        let falling = knots.windows(2).all(|w| w[1] <= w[0]);
        out.push(Outcome {
            name: format!("milestones of {} suit its {} shape", m.name, m.shape.name()),
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
        });
    }
    let missing = unsourced(scenario);
    out.push(Outcome {
        name: "every stated figure cites a source".into(),
        builtin: true,
        check: "source = \"…\" on every baseline, target, milestone and stated figure".into(),
        passed: missing.is_empty(),
        actual: if missing.is_empty() {
            "all cited".into()
        } else {
            format!("no source: {}", missing.join(", "))
        },
        bound: "every figure cited".into(),
        why: None,
    });
    out
}

fn stated_check(c: &Comparison) -> Outcome {
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
        name: format!(
            "stated {} {} agrees with the derived value{}",
            c.series,
            c.year,
            c.source
                .as_deref()
                .map_or_else(String::new, |s| format!(" [{s}]"))
        ),
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
    }
}

/// Figures without a source, as "sales target", "share stated 2031".
fn unsourced(scenario: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for m in &scenario.metrics {
        let mut note = |what: String, source: &Option<String>| {
            if source.is_none() {
                out.push(format!("{} {what}", m.name));
            }
        };
        note("baseline".into(), &m.baseline.source);
        note("target".into(), &m.target.source);
        for p in &m.milestones {
            note(format!("milestone {}", p.year), &p.source);
        }
        for s in &m.stated {
            note(format!("stated {}", s.year), &s.source);
        }
    }
    for r in &scenario.ratios {
        for s in r.stated.iter().filter(|s| s.source.is_none()) {
            out.push(format!("{} stated {}", r.name, s.year));
        }
    }
    out
}

fn series_of(scenario: &Scenario, name: &str) -> Option<Series> {
    scenario
        .metrics
        .iter()
        .position(|m| m.name == name)
        .map(Series::Metric)
        .or_else(|| {
            scenario
                .ratios
                .iter()
                .position(|r| r.name == name)
                .map(Series::Ratio)
        })
}

/// The value of a quantity (NaN when it is undefined, which fails any bound).
pub fn evaluate(
    scenario: &Scenario,
    projection: &Projection,
    mc: Option<&MonteCarlo>,
    q: &Quantity,
) -> f64 {
    let r: &Ref = q.series();
    let Some(s) = series_of(scenario, &r.name) else {
        return f64::NAN;
    };
    let index = |y: i32| (y - scenario.baseline_year) as usize;
    let year = r.year.map(|y| index(y.0));
    let p = projection.series(s);
    let growth = |i: usize| {
        if i == 0 || p[i - 1] == 0.0 {
            f64::NAN
        } else {
            p[i] / p[i - 1] - 1.0
        }
    };
    match q {
        Quantity::Value(_) => year.map_or(f64::NAN, |i| p[i]),
        Quantity::Yoy(_) => year.map_or(f64::NAN, growth),
        Quantity::MaxYoy(_) => (1..p.len()).map(growth).fold(f64::NEG_INFINITY, f64::max),
        Quantity::MinYoy(_) => (1..p.len()).map(growth).fold(f64::INFINITY, f64::min),
        Quantity::Cagr(_, years) => {
            let (a, b) = years.map_or((0, p.len() - 1), |(f, t)| (index(f.0), index(t.0)));
            cagr(p[a], p[b], (b - a) as f64).unwrap_or(f64::NAN)
        }
        Quantity::Probability(_, cmp, x) => match (mc, year) {
            (Some(mc), Some(i)) => {
                let below = mc.cdf(s, i, *x);
                match cmp {
                    Cmp::Le | Cmp::Lt => below,
                    Cmp::Ge | Cmp::Gt => 1.0 - below,
                }
            }
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
    }
}

/// The quantity in words: "share[2031]", "cagr(market)"; `series_value` formats the
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
            format!("P({}{at} {sym} {})", r.name, series_value(*x))
        }
        Quantity::Percentile(p, _) => format!("P{}({}{at})", fixed(p * 100.0, 3), r.name),
        Quantity::Mean(_) => format!("mean({}{at})", r.name),
    }
}

/// A value of a quantity: percent for rates, probabilities and shares.
pub fn show(scenario: &Scenario, q: &Quantity, v: f64) -> String {
    if q.is_rate() {
        percent(v)
    } else {
        show_series(scenario, q, v)
    }
}

/// A value of the quantity's series: percent for shares.
fn show_series(scenario: &Scenario, q: &Quantity, v: f64) -> String {
    let share = series_of(scenario, &q.series().name).is_some_and(
        |s| matches!(s, Series::Ratio(i) if scenario.ratios[i].kind == RatioKind::Share),
    );
    if share { percent(v) } else { fixed(v, 4) }
}

fn percent(v: f64) -> String {
    format!("{}%", fixed(v * 100.0, 3))
}
