//! Warnings as values: what a run found that the user should know, derived from the check
//! outcomes and the simulation (never by repeating a check), shown by `Display`.

use std::fmt;

use crate::check::{Finding, Outcome, Unsourced};
use crate::format::{fixed, grouped, percent, value};
use crate::model::Comparison;

/// One warning.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// A stated figure differs from the derived value (within the tolerance or not).
    StatedDiffers(Comparison),
    /// A given or stated figure cites no source.
    NoSource(Unsourced),
    /// A share leaves 0–100%: the ratio and its (year, value) outside.
    ShareOutside {
        /// The ratio's name.
        ratio: String,
        /// Years and values outside 0–100%.
        years: Vec<(i32, f64)>,
    },
    /// A fitted metric's fit is poor or does not identify a parameter.
    Fit {
        /// The metric's name.
        metric: String,
        /// What is wrong, in words.
        warning: String,
    },
    /// One S-curve through more points than determine it misses some of them.
    CurveMisses {
        /// The metric's name.
        metric: String,
        /// The shape's name.
        shape: &'static str,
        /// (year, given value, curve value) of each point missed.
        misses: Vec<(i32, f64, f64)>,
    },
    /// Monte Carlo draws that could not be projected were left out.
    DroppedDraws {
        /// Draws left out.
        dropped: u64,
        /// Draws asked for.
        draws: u64,
        /// Why the first one failed.
        example: String,
    },
    /// A probability's standard error exceeds half the 0.1 pp it is shown to.
    ImpreciseProbability {
        /// The series.
        series: String,
        /// Whether it is a share (shown in percent).
        share: bool,
        /// The year.
        year: i32,
        /// The stated figure the probability is of.
        stated: f64,
        /// Its standard error.
        se: f64,
        /// Draws that would make the standard error 0.05 pp.
        needed: u64,
    },
    /// A median's standard error exceeds the last digit shown.
    ImpreciseMedian {
        /// The series.
        series: String,
        /// Whether it is a share.
        share: bool,
        /// The year.
        year: i32,
        /// The median.
        median: f64,
        /// Its standard error.
        se: f64,
    },
    /// Sobol sample rows that could not be projected were left out.
    DroppedSobolRows(usize),
    /// A Sobol index estimate of the headline output outside [0, 1] (sampling error):
    /// shown clipped.
    SobolOutsideUnit {
        /// The input's label.
        input: String,
        /// "first-order" or "total".
        which: &'static str,
        /// The estimate.
        value: f64,
    },
}

impl Warning {
    /// The warnings that check outcomes carry: stated figures that differ, figures
    /// without a source, shares outside 0–100%. A check a variant skips (with its
    /// reason) warns of nothing: `check` and the report show it.
    pub fn from_checks(outcomes: &[Outcome]) -> Vec<Warning> {
        let mut out = Vec::new();
        for o in outcomes.iter().filter(|o| o.skipped.is_none()) {
            match &o.finding {
                Finding::Stated(c) if c.differs() => out.push(Warning::StatedDiffers(c.clone())),
                Finding::Unsourced(missing) => {
                    out.extend(missing.iter().cloned().map(Warning::NoSource));
                }
                Finding::Fit { metric, warnings } => {
                    out.extend(warnings.iter().map(|w| Warning::Fit {
                        metric: metric.clone(),
                        warning: w.clone(),
                    }));
                }
                Finding::ShareOutside { ratio, years } if !years.is_empty() => {
                    out.push(Warning::ShareOutside {
                        ratio: ratio.clone(),
                        years: years.clone(),
                    });
                }
                _ => {}
            }
        }
        out
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::StatedDiffers(c) => {
                let source = c
                    .source
                    .as_deref()
                    .map_or_else(|| "no source".to_owned(), |s| format!("source: {s}"));
                let how = c
                    .derivation
                    .as_deref()
                    .map_or_else(String::new, |d| format!(" ({d})"));
                let verdict = if c.within_tolerance() {
                    "within"
                } else {
                    "OUTSIDE"
                };
                write!(
                    f,
                    "{} in {} is stated as {} ({source}) but derives as {}{how}: a difference of {}, {verdict} the tolerance ±{}",
                    c.series,
                    c.year,
                    c.figure(c.stated),
                    c.figure(c.derived),
                    c.gap(c.difference(), true),
                    c.gap(c.tolerance, false),
                )
            }
            Warning::Fit { metric, warning } => write!(f, "{metric}: {warning}"),
            Warning::CurveMisses {
                metric,
                shape,
                misses,
            } => {
                let list: Vec<String> = misses
                    .iter()
                    .map(|(year, given, curve)| {
                        let gap = curve - given;
                        let sign = if gap >= 0.0 { "+" } else { "" };
                        format!(
                            "{year} ({}) by {sign}{}",
                            crate::format::significant(*given),
                            crate::stats::number::digits(gap, 4)
                        )
                    })
                    .collect();
                write!(
                    f,
                    "{metric}: one {shape} curve cannot pass through all its points; least squares on its scale misses {} (use `pchip` to pass exactly through every point)",
                    list.join(", ")
                )
            }
            Warning::NoSource(u) => {
                let what = match u.what {
                    "stated" => "stated figure",
                    other => other,
                };
                write!(
                    f,
                    "{}: the {what} value for {} has no source",
                    u.series, u.year
                )
            }
            Warning::ShareOutside { ratio, years } => write!(
                f,
                "{ratio} is a share but leaves 0–100% in {}",
                years
                    .iter()
                    .map(|(y, v)| format!("{y} ({})", percent(*v, 1)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Warning::DroppedDraws {
                dropped,
                draws,
                example,
            } => write!(
                f,
                "{} of {} Monte Carlo draws ({}%) could not be projected and were left out, e.g.: {example}",
                grouped(*dropped),
                grouped(*draws),
                fixed(*dropped as f64 / *draws as f64 * 100.0, 2),
            ),
            Warning::ImpreciseProbability {
                series,
                share,
                year,
                stated,
                se,
                needed,
            } => write!(
                f,
                "P({series} {year} ≥ {}) has a standard error of {} pp, more than half the 0.1 pp it is shown to; about {} draws (--draws) would bring it to 0.05 pp",
                value(*stated, *share, 2),
                fixed(se * 100.0, 2),
                grouped(two_figures_up(*needed))
            ),
            Warning::ImpreciseMedian {
                series,
                share,
                year,
                median,
                se,
            } => write!(
                f,
                "the median of {series} in {year} ({}) has a standard error of {}, more than the last digit shown; use more --draws",
                crate::format::estimate(*median, *share),
                value(*se, *share, 2),
            ),
            Warning::DroppedSobolRows(n) => write!(
                f,
                "{} Sobol sample rows could not be projected and were left out",
                grouped(*n as u64)
            ),
            Warning::SobolOutsideUnit {
                input,
                which,
                value,
            } => write!(
                f,
                "the {which} Sobol index of {input} is estimated at {}, outside 0–1 by sampling error; it is shown as {} (more --sobol samples narrow it)",
                fixed(*value, 4),
                fixed(value.clamp(0.0, 1.0), 0)
            ),
        }
    }
}

/// `n` rounded up to two significant figures (402,781 → 410,000): a count of draws to
/// suggest, which the estimate behind it does not know more closely.
fn two_figures_up(n: u64) -> u64 {
    let mut unit = 1;
    while n / unit >= 100 {
        unit *= 10;
    }
    n.div_ceil(unit) * unit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggested_draws_are_rounded_up_to_two_figures() {
        for (n, up) in [
            (0, 0),
            (7, 7),
            (99, 99),
            (100, 100),
            (101, 110),
            (402_781, 410_000),
            (991_187, 1_000_000),
            (1_000_000, 1_000_000),
            (u64::MAX / 1000, 19_000_000_000_000_000),
        ] {
            assert_eq!(two_figures_up(n), up, "{n}");
        }
    }

    /// The warning says what the rule is: a standard error of 0.1 pp is more than half
    /// of the 0.1 pp shown, so it is not "more than the 0.1 pp shown".
    #[test]
    fn an_imprecise_probability_says_half_the_digit_shown() {
        let w = Warning::ImpreciseProbability {
            series: "share".into(),
            share: true,
            year: 2030,
            stated: 0.15,
            se: 0.001_004,
            needed: 402_781,
        };
        assert_eq!(
            w.to_string(),
            "P(share 2030 ≥ 15%) has a standard error of 0.1 pp, more than half the 0.1 pp it \
             is shown to; about 410,000 draws (--draws) would bring it to 0.05 pp"
        );
    }
}
