//! One-at-a-time sensitivity (a tornado): each uncertain input swung to a low and a high
//! percentile of its distribution (default P10 and P90) with every other input at its base
//! value, as @RISK's and Crystal Ball's tornado charts do.

use super::{apply, output_value};
use crate::model::{Inputs, Projection, Workspace, project_into};
use crate::scenario::{Output, Scenario};

/// The swings of every input, for every output at the target year.
#[derive(Debug, Clone, PartialEq)]
pub struct Tornado {
    /// The percentiles inputs were swung to.
    pub swing: (f64, f64),
    /// The outputs (see [`super::outputs`]).
    pub outputs: Vec<Output>,
    /// Each output with every input at base.
    pub base: Vec<f64>,
    /// One row per uncertain input, in file order.
    pub rows: Vec<Swing>,
}

/// One input swung from low to high.
#[derive(Debug, Clone, PartialEq)]
pub struct Swing {
    /// Index into the scenario's uncertain inputs.
    pub input: usize,
    /// The input's value at the low percentile.
    pub low: f64,
    /// The input's value at the high percentile.
    pub high: f64,
    /// Per output: (value with the input low, value with the input high). NaN where the
    /// scenario cannot be projected with that value and the output depends on the input
    /// (the message is in `problem`); an output that does not depend on it keeps its base.
    pub outputs: Vec<(f64, f64)>,
    /// Why a swing could not be projected, if one could not.
    pub problem: Option<String>,
}

impl Swing {
    /// Width of the swing of output `o`: |high − low| (NaN where it could not be
    /// projected).
    pub fn width(&self, o: usize) -> f64 {
        let (a, b) = self.outputs[o];
        (b - a).abs()
    }
}

impl Tornado {
    /// The rows for output `o`, widest swing first; rows that could not be projected for
    /// it come last.
    pub fn ordered(&self, o: usize) -> Vec<&Swing> {
        let key = |s: &Swing| {
            let w = s.width(o);
            if w.is_nan() { f64::NEG_INFINITY } else { w }
        };
        let mut rows: Vec<&Swing> = self.rows.iter().collect();
        rows.sort_by(|a, b| key(b).total_cmp(&key(a)));
        rows
    }
}

/// Runs the one-at-a-time analysis of every metric and ratio in the target year (empty
/// when the scenario has no uncertain inputs).
pub fn run(scenario: &Scenario) -> Tornado {
    run_for(scenario, super::outputs(scenario, None).0)
}

/// Runs the one-at-a-time analysis of the given outputs.
pub fn run_for(scenario: &Scenario, outputs: Vec<Output>) -> Tornado {
    let base_inputs = Inputs::base(scenario);
    let mut workspace = Workspace::default();
    let mut projection = Projection::empty(scenario);
    let mut evaluate = |inputs: &Inputs| -> Result<Vec<f64>, String> {
        project_into(scenario, inputs, &mut workspace, &mut projection).map_err(|e| e.message)?;
        Ok(outputs
            .iter()
            .map(|o| output_value(scenario, &projection, o))
            .collect())
    };
    let nan = vec![f64::NAN; outputs.len()];
    let base = evaluate(&base_inputs).unwrap_or_else(|_| nan.clone());

    let Some(u) = &scenario.uncertainty else {
        return Tornado {
            swing: (0.1, 0.9),
            outputs,
            base,
            rows: Vec::new(),
        };
    };
    let rows = u
        .inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let q = input.sampler();
            let (low, high) = (q.at(u.swing.0), q.at(u.swing.1));
            let mut problem = None;
            // Where the swing cannot be projected, outputs that do not depend on the input
            // keep their base value; only the others are unknown (NaN).
            let unknown: Vec<f64> = outputs
                .iter()
                .zip(&base)
                .map(|(o, &b)| {
                    if scenario.depends_on(o.series, input.target.metric()) {
                        f64::NAN
                    } else {
                        b
                    }
                })
                .collect();
            let mut at = |value: f64| {
                let mut inputs = base_inputs.clone();
                apply(&mut inputs, input.target, value);
                evaluate(&inputs).unwrap_or_else(|e| {
                    problem.get_or_insert(e);
                    unknown.clone()
                })
            };
            let (lows, highs) = (at(low), at(high));
            Swing {
                input: i,
                low,
                high,
                outputs: lows.into_iter().zip(highs).collect(),
                problem,
            }
        })
        .collect();
    Tornado {
        swing: u.swing,
        outputs,
        base,
        rows,
    }
}
