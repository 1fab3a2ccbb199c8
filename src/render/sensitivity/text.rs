//! The sensitivity lines of the terminal summary.

use std::fmt::Write as _;

use super::{Names, significant_short};
use crate::evaluate::{Evaluation, Sensitivity};
use crate::format::{fixed, grouped};
use crate::scenario::{Output, Scenario};
use crate::sensitivity::monte_carlo;
use crate::sensitivity::sobol;
use crate::stats::sampling::Method;

/// The sensitivity lines of the terminal summary (empty without an analysis).
pub fn summary(eval: &Evaluation) -> String {
    let Some(sens) = &eval.sensitivity else {
        return String::new();
    };
    summary_text(
        eval.scenario,
        sens,
        &Names::new(eval.scenario, eval.settings.lang),
        eval.settings.simulation,
    )
}

fn summary_text(
    scenario: &Scenario,
    sens: &Sensitivity,
    names: &Names,
    settings: monte_carlo::Settings,
) -> String {
    let (mc, t) = (&sens.monte_carlo, &sens.tornado);
    let (head, o) = (sens.headline_output(), sens.headline);
    let (sobol, correlated) = (sens.sobol.as_ref(), sens.sobol_correlated.as_ref());
    let last = scenario.years().count() - 1;
    let ty = scenario.target_year;
    let mut out = String::new();
    let inputs = scenario.uncertainty.as_ref().map_or(0, |u| u.inputs.len());
    let method = match settings.method {
        Method::LatinHypercube => "Latin hypercube",
        Method::Random => "random sampling",
    };
    let _ = writeln!(
        out,
        "\nMonte Carlo: {} draws ({method}), seed {}, {inputs} uncertain input{}{}",
        grouped(mc.feasible()),
        settings.seed,
        if inputs == 1 { "" } else { "s" },
        super::left_out(mc, crate::scenario::Lang::En)
    );
    let _ = writeln!(
        out,
        "{:<16} {:>10} {:>10} {:>10} {:>10}",
        format!("in {ty}"),
        "P5",
        "P50",
        "P95",
        "mean"
    );
    for (s, stats) in &mc.series {
        let p = &stats.percentiles[last];
        let _ = writeln!(
            out,
            "{} {:>10} {:>10} {:>10} {:>10}",
            crate::format::pad_end(names.name(*s), 16),
            names.mc_value(*s, p[0]),
            names.mc_value(*s, p[3]),
            names.mc_value(*s, p[6]),
            names.mc_value(*s, stats.mean[last])
        );
    }
    for p in &mc.probabilities {
        let year = scenario.baseline_year + p.year as i32;
        if year == scenario.baseline_year {
            continue;
        }
        let _ = writeln!(
            out,
            "P({} {year} ≥ {}) = {}% (standard error {} pp)",
            names.name(p.series),
            names.value(p.series, p.stated),
            fixed(p.probability * 100.0, 1),
            fixed(p.se * 100.0, 2)
        );
    }

    if o < t.outputs.len() {
        let _ = writeln!(
            out,
            "\ntornado: {} (base {}), inputs swung P{}–P{}",
            names.out_short(head),
            names.out_value(head, t.base[o]),
            (t.swing.0 * 100.0).round(),
            (t.swing.1 * 100.0).round()
        );
        for s in t.ordered(o) {
            let (a, b) = s.outputs[o];
            let _ = writeln!(
                out,
                "  {} {} → {}: {}",
                crate::format::pad_end(names.input_label(s.input), 36),
                significant_short(s.low),
                significant_short(s.high),
                super::swing_words(names, head, s, a, b)
            );
        }
    }
    if let Some(set) = sobol {
        let heading = if correlated.is_some() {
            "Sobol indices as if the inputs were independent (as SALib computes them)"
        } else {
            "Sobol indices"
        };
        out.push_str(&sobol_block(names, o, set, heading));
    }
    if let Some(set) = correlated {
        out.push_str(&sobol_block(
            names,
            o,
            set,
            "Sobol indices with the file's correlations (Kucherenko et al. 2012: these describe the file's model)",
        ));
    }
    out
}

/// One set of Sobol indices of the headline output; estimates outside [0, 1] (sampling
/// error) are shown at the bound with a `*`.
fn sobol_block(
    names: &Names,
    o: usize,
    (outputs, e): &(Vec<Output>, sobol::Estimate),
    heading: &str,
) -> String {
    let mut out = String::new();
    let Some(head) = outputs.get(o) else {
        return out;
    };
    let _ = writeln!(
        out,
        "\n{heading}: {} ({} rows, 95% intervals)",
        names.out_short(head),
        grouped(e.rows as u64)
    );
    let shown = |v: f64| {
        let mark = if crate::sensitivity::sobol::clipped(v) {
            "*"
        } else {
            " "
        };
        format!("{}{mark}", fixed(v.clamp(0.0, 1.0), 3))
    };
    let mut clipped = false;
    for (i, ix) in e.indices[o].iter().enumerate() {
        clipped |= crate::sensitivity::sobol::clipped(ix.first)
            || crate::sensitivity::sobol::clipped(ix.total);
        let _ = writeln!(
            out,
            "  {} first {:>7} ± {:<6} total {:>7} ± {}",
            crate::format::pad_end(names.input_label(i), 36),
            shown(ix.first),
            fixed(ix.first_conf, 3),
            shown(ix.total),
            fixed(ix.total_conf, 3)
        );
    }
    if clipped {
        let _ = writeln!(
            out,
            "  * estimated outside 0–1 by sampling error, shown at the bound (sobol.csv has the estimate)"
        );
    }
    out
}
