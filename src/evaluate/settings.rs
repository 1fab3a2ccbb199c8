//! Settings resolved once: the command line over the scenario file over defaults, the same
//! rule for `run`, `check`, `solve` and `report` (as hyperfine's `Options` and just's
//! `Config` are made once from the arguments).

use crate::error::Error;
use crate::scenario::{Lang, MAX_DRAWS, Scenario};
use crate::sensitivity::monte_carlo;
use crate::stats::sampling::Method;

/// Default Monte Carlo draws when neither the file nor the command line sets them.
pub const DEFAULT_DRAWS: u64 = 100_000;
/// Default seed when neither the file nor the command line sets one.
pub const DEFAULT_SEED: u64 = 42;
/// Default Sobol base samples.
pub const DEFAULT_SOBOL_SAMPLES: usize = 16_384;
/// Bootstrap resamples for Sobol confidence intervals.
pub const SOBOL_RESAMPLES: usize = 1000;

/// What the command line says; each field, when given, overrides the file.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Overrides {
    /// Monte Carlo draws.
    pub draws: Option<u64>,
    /// Random seed.
    pub seed: Option<u64>,
    /// Sampling method.
    pub sampling: Option<Method>,
    /// Sobol base samples (0 skips Sobol).
    pub sobol_samples: Option<usize>,
    /// Language of labels.
    pub lang: Option<Lang>,
    /// An output of the sensitivity analyses to add, as the headline (`--output`).
    pub output: Option<String>,
    /// How money is written (`--money`).
    pub money: Option<crate::format::Money>,
}

impl Overrides {
    /// Checks the values that the command line can get wrong (before any work is done).
    pub fn validate(&self) -> Result<(), Error> {
        let most = crate::sensitivity::sobol::MAX_BASE_SAMPLES;
        if let Some(n) = self.sobol_samples
            && n > most
        {
            return Err(Error::Usage(format!(
                "--sobol {n} is more than the {most} base samples the Sobol' sequence has"
            )));
        }
        match self.draws {
            Some(0) => Err(Error::Usage("--draws must be at least 1".into())),
            Some(d) if d > MAX_DRAWS => Err(Error::Usage(format!(
                "--draws {d} is more than the limit of {MAX_DRAWS}"
            ))),
            _ => Ok(()),
        }
    }
}

/// The settings one evaluation (the base or one variant) runs with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Draws, seed and sampling method of the Monte Carlo simulation.
    pub simulation: monte_carlo::Settings,
    /// Sobol base samples; 0 skips the Sobol analysis.
    pub sobol_samples: usize,
    /// Language of labels.
    pub lang: Lang,
    /// How amounts of won are written in summaries and reports.
    pub money: crate::format::Money,
}

impl Settings {
    /// Resolves the settings of `scenario`: each from the command line if given, else
    /// from the file's `[uncertainty]`, else the default.
    pub fn resolve(scenario: &Scenario, overrides: &Overrides) -> Settings {
        let u = scenario.uncertainty.as_ref();
        Settings {
            simulation: monte_carlo::Settings {
                draws: overrides
                    .draws
                    .or(u.and_then(|u| u.draws))
                    .unwrap_or(DEFAULT_DRAWS),
                seed: overrides
                    .seed
                    .or(u.and_then(|u| u.seed))
                    .unwrap_or(DEFAULT_SEED),
                method: overrides
                    .sampling
                    .or(u.and_then(|u| u.sampling))
                    .unwrap_or(Method::LatinHypercube),
            },
            sobol_samples: overrides.sobol_samples.unwrap_or(DEFAULT_SOBOL_SAMPLES),
            lang: overrides.lang.unwrap_or(scenario.lang),
            money: overrides.money.unwrap_or_default(),
        }
    }
}
