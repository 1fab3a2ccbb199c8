//! Sensitivity: uncertain inputs, sampling, one-at-a-time ranges, Monte Carlo and
//! variance-based (Sobol) indices.
//!
//! Every analysis works the same way: the scenario's numbers ([`crate::model::Inputs`])
//! start at the file's values, the uncertain ones are set from their distributions'
//! quantiles, and [`crate::model::project_into`] projects the result. Random numbers come
//! from one ChaCha stream per chunk of draws ([`crate::stats::sampling::chunk_rng`]), so results depend on
//! the seed and the number of draws only, never on the number of threads.

pub mod monte_carlo;
pub mod sobol;
pub mod tornado;

use crate::model::{Inputs, Projection};
use crate::scenario::{InputTarget, Output, Scenario, Series};

/// Sets the number an uncertain input varies. Start years are rounded to whole years.
pub fn apply(inputs: &mut Inputs, target: InputTarget, value: f64) {
    match target {
        InputTarget::Baseline(m) => inputs.metrics[m].baseline = value,
        InputTarget::Target(m) => inputs.metrics[m].target = value,
        InputTarget::Milestone(m, i) => inputs.metrics[m].milestones[i] = value,
        InputTarget::StartYear(m) => inputs.metrics[m].start_year = Some(value.round() as i32),
        InputTarget::Cap(m) => inputs.metrics[m].cap = Some(value),
        InputTarget::GrowthRate(m) => inputs.metrics[m].growth_rate = Some(value),
        InputTarget::Fit(m) => inputs.metrics[m].fit_position = value,
    }
}

/// The value of `series` in year index `year` of a projection.
pub fn value_of(projection: &Projection, series: Series, year: usize) -> f64 {
    projection.series(series)[year]
}

/// Every metric, then every ratio, of a scenario.
pub fn all_series(scenario: &Scenario) -> Vec<Series> {
    (0..scenario.metrics.len())
        .map(Series::Metric)
        .chain((0..scenario.ratios.len()).map(Series::Ratio))
        .collect()
}

/// The headline output: the one the file names, else the first ratio, else the first
/// metric.
pub fn headline(scenario: &Scenario) -> Series {
    scenario
        .uncertainty
        .as_ref()
        .and_then(|u| u.output)
        .unwrap_or(if scenario.ratios.is_empty() {
            Series::Metric(0)
        } else {
            Series::Ratio(0)
        })
}

/// The outputs of the analyses and the index of the headline among them: the file's
/// `outputs`, with `extra` (given on the command line) first as the headline; without any,
/// every metric and ratio in the target year, the headline [`headline`]'s.
pub fn outputs(scenario: &Scenario, extra: Option<&Output>) -> (Vec<Output>, usize) {
    let declared = scenario
        .uncertainty
        .as_ref()
        .map(|u| u.outputs.clone())
        .unwrap_or_default();
    let mut list: Vec<Output> = extra.into_iter().cloned().collect();
    list.extend(
        declared
            .into_iter()
            .filter(|o| extra.is_none_or(|e| e.text != o.text)),
    );
    if !list.is_empty() {
        return (list, 0);
    }
    let all: Vec<Output> = all_series(scenario)
        .into_iter()
        .map(|s| Output::value(scenario, s, scenario.target_year))
        .collect();
    let head = headline(scenario);
    let at = all.iter().position(|o| o.series == head).unwrap_or(0);
    (all, at)
}

/// The value of an output on a projection.
pub fn output_value(scenario: &Scenario, projection: &Projection, output: &Output) -> f64 {
    OutputReader::new(scenario, output).on(projection)
}

/// An output with what it reads found once: the index of its year when it is a value in
/// a year (the common case, read straight from the path), else the quantity resolved
/// (see [`crate::model::Resolved`]). Simulations make one per output and read it for every
/// run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OutputReader<'a> {
    series: Series,
    value: Option<Option<usize>>,
    quantity: crate::model::Resolved<'a>,
}

impl<'a> OutputReader<'a> {
    /// `output` of `scenario`.
    pub(crate) fn new(scenario: &Scenario, output: &'a Output) -> OutputReader<'a> {
        let value = match &output.quantity {
            crate::scenario::expr::Quantity::Value(r) => Some(
                r.year
                    .and_then(|y| usize::try_from(y.0 - scenario.baseline_year).ok()),
            ),
            _ => None,
        };
        OutputReader {
            series: output.series,
            value,
            quantity: crate::model::Resolved::new(scenario, &output.quantity),
        }
    }

    /// The output's value on `projection`.
    pub(crate) fn on(&self, projection: &Projection) -> f64 {
        match self.value {
            Some(year) => year.map_or(f64::NAN, |i| value_of(projection, self.series, i)),
            None => self.quantity.on(projection),
        }
    }

    /// The output's value in draw `draw` of `batch`'s last block; `path` is working
    /// memory.
    pub(crate) fn in_batch(
        &self,
        batch: &crate::model::batch::Batch,
        draw: usize,
        path: &mut Vec<f64>,
    ) -> f64 {
        match self.value {
            Some(year) => year.map_or(f64::NAN, |i| batch.values(self.series, i)[draw]),
            None => self.quantity.in_batch(batch, draw, path),
        }
    }
}
