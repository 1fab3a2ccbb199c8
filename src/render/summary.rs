//! The terminal summary of an evaluation: each metric's start, end and implied CAGR, each
//! ratio's start and end, and each stated figure next to its derived value.

use std::fmt::Write as _;

use crate::evaluate::Evaluation;
use crate::format::{fixed as trim, percent};
use crate::model::shape::cagr;
use crate::scenario::{PreStartGrowth, RatioKind};

/// The terminal summary: each metric's start, end and implied CAGR, each ratio's start and
/// end, and each stated figure next to its derived value.
pub fn summary(eval: &Evaluation) -> String {
    let (scenario, projection, comparisons) = (eval.scenario, &eval.projection, &eval.comparisons);
    let (b, t) = (scenario.baseline_year, scenario.target_year);
    let span = f64::from(t - b);
    let mut out = String::new();
    let _ = writeln!(out, "{}", scenario.name);
    let _ = writeln!(out, "{b} → {t}, unit: {}", units(scenario));
    let _ = writeln!(out);

    let mut rows = vec![[
        "metric".to_owned(),
        "shape".to_owned(),
        b.to_string(),
        t.to_string(),
        format!("CAGR {b}–{t}"),
    ]];
    for (m, path) in scenario.metrics.iter().zip(&projection.metrics) {
        let (first, last) = (path[0], path[path.len() - 1]);
        let shape = match (&m.start, &m.fit) {
            (Some(s), _) => format!("{} from {}", m.shape.name(), s.year),
            (None, Some(_)) => format!("{} fit", m.shape.name()),
            (None, None) => m.shape.name().to_owned(),
        };
        let money = |v: f64| crate::format::money_or(v, &m.unit, eval.settings.money, metric_value);
        rows.push([
            m.name.clone(),
            shape,
            money(first),
            money(last),
            cagr(first, last, span).map_or_else(|| "n/a".into(), |r| crate::format::rate(r, 2)),
        ]);
    }
    out.push_str(&table(&rows, &[false, false, true, true, true]));
    for m in &scenario.metrics {
        let Some(f) = &m.fit else { continue };
        let en = crate::scenario::Lang::En;
        let _ = writeln!(out, "  {}: {}", m.name, f.method_words(m, en));
        let _ = writeln!(out, "    {}", f.estimate_words(en).join(", "));
        let _ = writeln!(out, "    {}", f.quality_words(en));
        if let Some(words) = f.implied_growth_words(m, b, en) {
            let _ = writeln!(out, "    {words}");
        }
    }
    for (m, path) in scenario.metrics.iter().zip(&projection.metrics) {
        let Some(start) = &m.start else { continue };
        let before = match start.growth {
            PreStartGrowth::Rate(g) => format!("grows {} a year", percent(g, 2)),
            PreStartGrowth::Follow(i) => format!("grows with {}", scenario.metrics[i].name),
        };
        let at_start = path[(start.year - b) as usize];
        let after = cagr(at_start, path[path.len() - 1], f64::from(t - start.year))
            .map_or_else(String::new, |r| {
                format!(", then {} a year {}–{t}", percent(r, 2), start.year)
            });
        let _ = writeln!(
            out,
            "  {}: {before} until {} ({}){after}",
            m.name,
            start.year,
            crate::format::money_or(at_start, &m.unit, eval.settings.money, metric_value)
        );
    }

    if !scenario.ratios.is_empty() {
        let _ = writeln!(out);
        let mut rows = vec![[
            "ratio".to_owned(),
            "of".to_owned(),
            b.to_string(),
            t.to_string(),
            "change".to_owned(),
        ]];
        for (r, path) in scenario.ratios.iter().zip(&projection.ratios) {
            let (first, last) = (path[0], path[path.len() - 1]);
            let of = format!(
                "{} / {}",
                scenario.metrics[r.numerator].name, scenario.metrics[r.denominator].name
            );
            let (first_s, last_s, change) = match r.kind {
                RatioKind::Share => (
                    crate::format::rate(first, 3),
                    crate::format::rate(last, 3),
                    format!("{:+.3} pp", (last - first) * 100.0),
                ),
                RatioKind::Ratio => (
                    metric_value(first),
                    metric_value(last),
                    format!("{:+}", trim(last - first, 4)),
                ),
            };
            rows.push([r.name.clone(), of, first_s, last_s, change]);
        }
        out.push_str(&table(&rows, &[false, false, true, true, true]));
    }

    if !comparisons.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "stated figures against derived values:");
        let mut rows = vec![[
            "figure".to_owned(),
            "stated".to_owned(),
            "derived".to_owned(),
            "difference".to_owned(),
            "tolerance".to_owned(),
            "".to_owned(),
        ]];
        for c in comparisons {
            rows.push([
                format!("{} {}", c.series, c.year),
                c.figure(c.stated),
                c.figure(c.derived),
                c.gap(c.difference(), true),
                format!("±{}", c.gap(c.tolerance, false)),
                if !c.differs() {
                    "agrees".into()
                } else if c.within_tolerance() {
                    "within tolerance".into()
                } else {
                    "OUTSIDE tolerance".into()
                },
            ]);
        }
        out.push_str(&table(&rows, &[false, true, true, true, true, false]));
    }
    out
}

/// A metric value with precision suited to its size.
fn metric_value(v: f64) -> String {
    crate::format::amount(v)
}

/// Aligned columns, two spaces apart, by display width (a Hangul syllable takes two
/// columns); `right[i]` right-aligns column `i`.
pub fn table<const N: usize>(rows: &[[String; N]], right: &[bool; N]) -> String {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(crate::format::display_width(cell));
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[i] - crate::format::display_width(cell));
            if right[i] {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&pad);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The scenario's unit, or, when metrics have their own, each unit with its metrics:
/// "applications per year (applications); million USD (budget)".
pub fn units(scenario: &crate::scenario::Scenario) -> String {
    if scenario.metrics.iter().all(|m| m.unit == scenario.unit) {
        return scenario.unit.clone();
    }
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for m in &scenario.metrics {
        match groups.iter_mut().find(|g| g.0 == m.unit) {
            Some(g) => g.1.push(&m.name),
            None => groups.push((&m.unit, vec![&m.name])),
        }
    }
    groups
        .iter()
        .map(|(u, names)| format!("{u} ({})", names.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}
