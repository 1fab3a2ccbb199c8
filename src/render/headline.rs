//! The headline figures of a run, and what changed in them since the run before: what
//! `kjproj run --watch` prints after each re-run, so that an analyst editing assumptions
//! sees their effect without reading the whole summary again.

use std::fmt::Write as _;

use crate::evaluate::Evaluation;
use crate::scenario::RatioKind;

/// How a figure is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An amount in a metric's unit.
    Amount,
    /// A share or probability, written as a percentage.
    Share,
    /// A count (failed checks).
    Count,
}

/// One headline figure: its name (with the variant's, for a variant), its value, and how
/// it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// `sales 2031`, `delayed_start: median of share 2031`, `failed checks`, …
    pub name: String,
    /// The value.
    pub value: f64,
    /// How it is written.
    pub kind: Kind,
}

impl Figure {
    fn shown(&self, v: f64) -> String {
        match self.kind {
            Kind::Amount => crate::format::amount(v),
            Kind::Share => crate::format::rate(v, 3),
            Kind::Count => format!("{v}"),
        }
    }

    fn change(&self, from: f64) -> String {
        let d = self.value - from;
        let plus = if d >= 0.0 { "+" } else { "" };
        match self.kind {
            Kind::Amount if from != 0.0 => format!(
                "{plus}{}, {plus}{}",
                crate::format::amount(d),
                crate::format::rate(d / from.abs(), 1)
            ),
            Kind::Amount => format!("{plus}{}", crate::format::amount(d)),
            Kind::Share => format!("{:+.3} pp", d * 100.0),
            Kind::Count => format!("{d:+}"),
        }
    }
}

/// The headline figures of `evals` (the base and each variant): every metric and ratio in
/// the target year, the median of the headline output and the chance of each stated
/// figure when there is a simulation, and the number of failed checks.
pub fn figures(evals: &[Evaluation]) -> Vec<Figure> {
    let mut out = Vec::new();
    for e in evals {
        let s = e.scenario;
        let prefix = e
            .variant
            .map_or_else(String::new, |v| format!("{}: ", v.name));
        let mut push = |name: String, value: f64, kind: Kind| {
            out.push(Figure {
                name: format!("{prefix}{name}"),
                value,
                kind,
            });
        };
        let t = s.target_year;
        for (m, path) in s.metrics.iter().zip(&e.projection.metrics) {
            push(
                format!("{} {t}", m.name),
                path[path.len() - 1],
                Kind::Amount,
            );
        }
        for (r, path) in s.ratios.iter().zip(&e.projection.ratios) {
            let kind = match r.kind {
                RatioKind::Share => Kind::Share,
                RatioKind::Ratio => Kind::Amount,
            };
            push(format!("{} {t}", r.name), path[path.len() - 1], kind);
        }
        if let Some(sens) = &e.sensitivity {
            let headline = sens.headline_output();
            let share = matches!(headline.quantity, crate::scenario::expr::Quantity::Value(_))
                && matches!(headline.series, crate::scenario::Series::Ratio(i)
                    if s.ratios[i].kind == RatioKind::Share);
            push(
                format!("median of {}", headline.text),
                sens.headline_median(s),
                if share { Kind::Share } else { Kind::Amount },
            );
            let mc = &sens.monte_carlo;
            for p in &mc.probabilities {
                let name = s.series_name(p.series);
                push(
                    format!("P({name} {} ≥ stated)", s.baseline_year + p.year as i32),
                    p.probability,
                    Kind::Share,
                );
            }
        }
        if !e.checks.is_empty() {
            // Skipped checks (a variant's scoping) neither pass nor fail.
            let failed = e.checks.iter().filter(|c| c.failed()).count();
            push("failed checks".into(), failed as f64, Kind::Count);
        }
    }
    out
}

/// What changed from `before` to `after`, one line per figure that changed (by name), or a
/// line saying that none did.
pub fn changes(before: &[Figure], after: &[Figure]) -> String {
    let mut out = String::new();
    for a in after {
        match before.iter().find(|b| b.name == a.name) {
            Some(b) if b.value.to_bits() == a.value.to_bits() => {}
            Some(b) => {
                let _ = writeln!(
                    out,
                    "  {}: {} → {} ({})",
                    a.name,
                    a.shown(b.value),
                    a.shown(a.value),
                    a.change(b.value)
                );
            }
            None => {
                let _ = writeln!(out, "  {}: {} (new)", a.name, a.shown(a.value));
            }
        }
    }
    for b in before {
        if !after.iter().any(|a| a.name == b.name) {
            let _ = writeln!(out, "  {}: gone (was {})", b.name, b.shown(b.value));
        }
    }
    if out.is_empty() {
        out.push_str("  no headline figure changed\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, value: f64, kind: Kind) -> Figure {
        Figure {
            name: name.into(),
            value,
            kind,
        }
    }

    #[test]
    fn changes_name_each_figure_that_moved_with_its_difference() {
        let before = [
            f("sales 2031", 52.0, Kind::Amount),
            f("share 2031", 0.148_571, Kind::Share),
            f("failed checks", 0.0, Kind::Count),
            f("old", 1.0, Kind::Amount),
        ];
        let after = [
            f("sales 2031", 48.0, Kind::Amount),
            f("share 2031", 0.148_571, Kind::Share),
            f("failed checks", 2.0, Kind::Count),
            f("smaller: sales 2031", 40.0, Kind::Amount),
        ];
        let text = changes(&before, &after);
        assert!(
            text.contains("  sales 2031: 52.00 → 48.00 (-4.00, -7.7%)"),
            "{text}"
        );
        assert!(!text.contains("share 2031"), "{text}");
        assert!(text.contains("  failed checks: 0 → 2 (+2)"), "{text}");
        assert!(
            text.contains("  smaller: sales 2031: 40.00 (new)"),
            "{text}"
        );
        assert!(text.contains("  old: gone (was 1.00)"), "{text}");
        assert_eq!(changes(&after, &after), "  no headline figure changed\n");
    }
}
