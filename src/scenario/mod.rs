//! The scenario file format: what a scenario says, loaded and validated.
//!
//! A scenario is a TOML file (documented in `docs/scenario-format.md`). Loading happens in
//! three steps, each of which reports the file, line, column and key of a problem:
//!
//! 1. [`load`] parses the TOML (syntax errors, duplicate keys);
//! 2. serde maps it onto the raw structs in `raw.rs` (unknown keys, wrong types, missing
//!    fields);
//! 3. `validate.rs` turns the raw structs into a [`Scenario`] whose every figure is finite
//!    and every shape feasible (a cap above the values, positive values under `cagr`, ...).
//!
//! A [`Scenario`] that exists is valid: the model can project it without further checks.

mod checks;
pub mod expr;
mod fitted;
mod load;
mod locate;
mod observed;
mod ranges;
mod raw;
mod uncertainty;
mod validate;

pub use load::{MAX_KEY_CHARS, MAX_TEXT_CHARS, Origin, allow_files, load, parse};

/// The longest horizon (target year minus baseline year) a scenario may span.
pub const MAX_HORIZON_YEARS: i32 = 1000;

/// The most metrics and ratios a scenario may have (together).
pub const MAX_SERIES: usize = 200;

/// The most `[[checks]]` a scenario may declare.
pub const MAX_CHECKS: usize = 1000;

/// The most `[variants.NAME]` a scenario may have; each is a full evaluation.
pub const MAX_VARIANTS: usize = 100;

/// The most `[sources]` a scenario may cite.
pub const MAX_SOURCES: usize = 1000;

/// The largest share of Monte Carlo draws (or Sobol rows) that may be left out because they
/// cannot be projected (a drawn cap below a value, say): 0.1%. A range that would leave
/// out more is refused when the file is loaded where that can be known from the
/// distribution alone, and a run that leaves out more stops with an error.
pub const MAX_LEFT_OUT: f64 = 0.001;

/// The most Monte Carlo draws a run may ask for.
pub const MAX_DRAWS: u64 = 1_000_000_000;

use crate::stats::correlation::CorrelationMatrix;
use crate::stats::distribution::Distribution;
use crate::stats::sampling::Method;

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Short title, used for chart titles.
    pub name: String,
    /// Longer description (may be empty).
    pub description: String,
    /// Unit of every metric, e.g. "trillion KRW".
    pub unit: String,
    /// Language of fixed chart labels.
    pub lang: Lang,
    /// First year of the projection.
    pub baseline_year: i32,
    /// Last year of the projection; always after `baseline_year`.
    pub target_year: i32,
    /// Citations, in the order the file gives them.
    pub sources: Vec<Source>,
    /// Metrics in file order, already sorted so that a metric comes after any metric it
    /// follows (see [`PreStartGrowth::Follow`]).
    pub metrics: Vec<Metric>,
    /// Ratios between metrics, in file order.
    pub ratios: Vec<Ratio>,
    /// Uncertain inputs and settings for sensitivity analysis, if the file has any.
    pub uncertainty: Option<Uncertainty>,
    /// Checks declared in `[[checks]]`, in file order.
    pub checks: Vec<DeclaredCheck>,
    /// Named variants (`[variants.NAME]`), each a whole scenario, in file order.
    pub variants: Vec<Variant>,
    /// The files it was read from, to locate problems found after loading.
    pub origin: Origin,
    /// For a variant's scenario: which variant it is and the checks it skips.
    pub variant: Option<VariantScope>,
}

/// What a variant's own scenario knows of being a variant: its name and the checks it
/// skips (declared and built-in, by name, each with the reason shown on its line).
#[derive(Debug, Clone, Default)]
pub struct VariantScope {
    /// The variant's name.
    pub name: String,
    /// (check name, reason), from `skip_checks` in `[variants.NAME]`.
    pub skip_checks: Vec<(String, String)>,
}

/// The longest variant name.
pub const MAX_VARIANT_NAME: usize = 64;

/// Whether `name` is a usable variant name: 1 to [`MAX_VARIANT_NAME`] letters, digits,
/// `_` or `-`, not starting with `-`, and not `base` (the name of the file itself in
/// outputs). A variant's name is the name of its output directory, so it can never be a
/// path (`..`, `/tmp/x`, `.`, an empty name).
pub fn is_variant_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_VARIANT_NAME
        && name != BASE
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// The name that stands for the file itself (no variant) in outputs and in `--variant`.
pub const BASE: &str = "base";

/// A check every scenario gets, named by what it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinCheck {
    /// A stated figure (or a sum's stated total) agrees with the derived value: the
    /// series and the year.
    Stated(Series, i32),
    /// A share stays within 0–100% in every year (index into [`Scenario::ratios`]).
    ShareBounds(usize),
    /// An S-curve's points all rise or all fall (index into [`Scenario::metrics`]).
    Milestones(usize),
    /// Every given and stated figure cites a source.
    Sources,
    /// A fitted metric's fit is sound: R² at least [`crate::stats::fit::POOR_R2`], its
    /// parameters identified, its minimisation converged (index into
    /// [`Scenario::metrics`]).
    Fit(usize),
}

impl Scenario {
    /// The first year of `paths.csv` and `paths.png`: the baseline year, or the earliest
    /// observed year before it.
    pub fn first_year(&self) -> i32 {
        self.metrics
            .iter()
            .filter_map(|m| m.observed.first().map(|p| p.year))
            .fold(self.baseline_year, i32::min)
    }

    /// The built-in checks of this scenario, in the order they are reported.
    pub fn builtin_checks(&self) -> Vec<BuiltinCheck> {
        let mut out = Vec::new();
        // In the order of the model's comparisons: a sum's stated totals, then each
        // metric's stated figures, then each ratio's.
        for (i, m) in self.metrics.iter().enumerate() {
            if matches!(m.shape, Shape::Sum { .. }) {
                out.push(BuiltinCheck::Stated(Series::Metric(i), m.baseline.year));
                out.push(BuiltinCheck::Stated(Series::Metric(i), m.target.year));
            }
            out.extend(
                m.stated
                    .iter()
                    .map(|s| BuiltinCheck::Stated(Series::Metric(i), s.year)),
            );
        }
        for (i, r) in self.ratios.iter().enumerate() {
            out.extend(
                r.stated
                    .iter()
                    .map(|s| BuiltinCheck::Stated(Series::Ratio(i), s.year)),
            );
        }
        for (i, r) in self.ratios.iter().enumerate() {
            if r.kind == RatioKind::Share {
                out.push(BuiltinCheck::ShareBounds(i));
            }
        }
        for (i, m) in self.metrics.iter().enumerate() {
            if matches!(m.shape, Shape::Logistic { .. } | Shape::Gompertz { .. })
                && !m.milestones.is_empty()
            {
                out.push(BuiltinCheck::Milestones(i));
            }
        }
        out.extend(
            (0..self.metrics.len())
                .filter(|&i| self.metrics[i].fit.is_some())
                .map(BuiltinCheck::Fit),
        );
        out.push(BuiltinCheck::Sources);
        out
    }

    /// Whether `series` can change when a number of metric `metric` changes: the metric
    /// itself, metrics that follow its growth before their start or sum it as a segment,
    /// and ratios of any of those.
    pub fn depends_on(&self, series: Series, metric: usize) -> bool {
        match series {
            Series::Metric(i) => self.metric_depends_on(i, metric),
            Series::Ratio(r) => {
                let ratio = &self.ratios[r];
                self.metric_depends_on(ratio.numerator, metric)
                    || self.metric_depends_on(ratio.denominator, metric)
            }
        }
    }

    fn metric_depends_on(&self, i: usize, metric: usize) -> bool {
        if i == metric {
            return true;
        }
        let m = &self.metrics[i];
        // Metrics only refer to earlier ones (validated), so this ends.
        let follows = matches!(
            m.start.as_ref().map(|s| &s.growth),
            Some(PreStartGrowth::Follow(j)) if *j != i && self.metric_depends_on(*j, metric)
        );
        let sums = matches!(&m.shape, Shape::Sum { segments, .. }
            if segments.iter().any(|&j| j != i && self.metric_depends_on(j, metric)));
        follows || sums
    }

    /// The metric or ratio called `name`, if there is one.
    pub fn series_by_name(&self, name: &str) -> Option<Series> {
        series_named(&self.metrics, &self.ratios, name)
    }

    /// The name of a series.
    pub fn series_name(&self, series: Series) -> &str {
        match series {
            Series::Metric(i) => &self.metrics[i].name,
            Series::Ratio(i) => &self.ratios[i].name,
        }
    }

    /// The stated figures of a series.
    pub fn stated(&self, series: Series) -> &[Stated] {
        match series {
            Series::Metric(i) => &self.metrics[i].stated,
            Series::Ratio(i) => &self.ratios[i].stated,
        }
    }

    /// Why a check (by name; `declared` when it is one of the file's `[[checks]]`) is
    /// skipped in this scenario, if it is: only a variant's scenario skips checks.
    pub fn skip_reason(&self, name: &str, declared: Option<&DeclaredCheck>) -> Option<String> {
        let scope = self.variant.as_ref()?;
        let from_check = declared.and_then(|c| {
            c.skip
                .iter()
                .find(|(v, _)| *v == scope.name)
                .or_else(|| c.skip.iter().find(|(v, _)| v == "*"))
                .map(|(_, why)| why.clone())
        });
        from_check.or_else(|| {
            scope
                .skip_checks
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, why)| why.clone())
        })
    }
}

impl BuiltinCheck {
    /// The check's name, as shown on its PASS/FAIL line and named in `skip_checks`.
    pub fn name(self, scenario: &Scenario) -> String {
        match self {
            BuiltinCheck::Stated(series, year) => {
                let source = match series {
                    Series::Metric(i) if matches!(scenario.metrics[i].shape, Shape::Sum { .. }) => {
                        let m = &scenario.metrics[i];
                        [&m.baseline, &m.target]
                            .into_iter()
                            .find(|p| p.year == year)
                            .and_then(|p| p.source.clone())
                            .or_else(|| {
                                scenario
                                    .stated(series)
                                    .iter()
                                    .find(|s| s.year == year)
                                    .and_then(|s| s.source.clone())
                            })
                    }
                    _ => scenario
                        .stated(series)
                        .iter()
                        .find(|s| s.year == year)
                        .and_then(|s| s.source.clone()),
                };
                format!(
                    "stated {} {year} agrees with the derived value{}",
                    scenario.series_name(series),
                    source.map_or_else(String::new, |s| format!(" [{s}]"))
                )
            }
            BuiltinCheck::ShareBounds(i) => {
                format!(
                    "{} stays between 0% and 100% in every year",
                    scenario.ratios[i].name
                )
            }
            BuiltinCheck::Milestones(i) => {
                let m = &scenario.metrics[i];
                format!("milestones of {} suit its {} shape", m.name, m.shape.name())
            }
            BuiltinCheck::Sources => "every stated figure cites a source".into(),
            BuiltinCheck::Fit(i) => format!("fit of {} is sound", scenario.metrics[i].name),
        }
    }
}

/// A named variant of a scenario: the base with some keys overridden.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The name in `[variants.NAME]`, used for its output directory.
    pub name: String,
    /// The label for charts (default: the name).
    pub label: String,
    /// What the variant stands for.
    pub description: String,
    /// The keys it overrides and their new values, as written.
    pub overrides: Vec<(String, String)>,
    /// The whole scenario with the overrides applied.
    pub scenario: Scenario,
}

/// A check declared in the scenario file (`[[checks]]`), already parsed and resolved.
#[derive(Debug, Clone)]
pub struct DeclaredCheck {
    /// Its name, shown on PASS/FAIL lines.
    pub name: String,
    /// The check as written.
    pub text: String,
    /// The parsed check.
    pub expr: crate::scenario::expr::Expr,
    /// Why the check exists (a citation or reason), if given.
    pub why: Option<String>,
    /// Variants it does not apply to: (variant name, or `*` for every variant; reason).
    pub skip: Vec<(String, String)>,
}

impl Scenario {
    /// The number an input name refers to (`metrics.sales.target.value`,
    /// `metrics.sales.start_year`, `metrics.x.cap`, `metrics.x.baseline_growth`,
    /// `metrics.x.milestones[0].value`), with the name in canonical form.
    pub fn input(&self, name: &str) -> Result<(InputTarget, String), String> {
        uncertainty::resolve_input(name, &self.metrics)
    }

    /// The years from baseline to target, inclusive.
    pub fn years(&self) -> std::ops::RangeInclusive<i32> {
        self.baseline_year..=self.target_year
    }

    /// The citation of a source key, if the key exists.
    pub fn source(&self, key: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.key == key)
    }
}

/// Language of the fixed labels on charts ("Year" or "연도").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Korean.
    Ko,
}

/// A citation that figures refer to by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The key figures use (`source = "motie-2023"`).
    pub key: String,
    /// The citation text shown in outputs.
    pub citation: String,
}

/// A figure at a year, as given in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The year the figure is for.
    pub year: i32,
    /// The figure, in the scenario's unit.
    pub value: f64,
    /// Key into [`Scenario::sources`], if the figure is cited.
    pub source: Option<String>,
}

/// A quantity projected year by year, e.g. a market size or sales.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// The name used in the file and as the CSV column (`market`).
    pub name: String,
    /// The label shown on charts (`Global market`).
    pub label: String,
    /// Its unit: its own `unit`, else the scenario's.
    pub unit: String,
    /// How the metric moves between its points.
    pub shape: Shape,
    /// The value at the baseline year.
    pub baseline: Point,
    /// Intermediate points, strictly between baseline (or programme start) and target,
    /// ascending by year.
    pub milestones: Vec<Point>,
    /// The value at the target year.
    pub target: Point,
    /// Growth before a programme starts, if the metric's shape only begins later.
    pub start: Option<ProgrammeStart>,
    /// Figures stated by a source to compare with the path (never used as inputs).
    pub stated: Vec<Stated>,
    /// Observed values (history, and any published since the baseline), ascending by
    /// year: shown and written beside the projection; the data of a fitted metric, never
    /// the input of any other.
    pub observed: Vec<Point>,
    /// Whether the file gives the baseline value (otherwise the fit derives it).
    pub baseline_given: bool,
    /// Whether the file gives the target value (otherwise the curve determines it).
    pub target_given: bool,
    /// For a metric fitted to its observed values: the fit and its band.
    pub fit: Option<MetricFit>,
}

/// A metric's least-squares fit to its observed values (see [`crate::stats::fit`]).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricFit {
    /// The given point the curve passes through exactly, if any.
    pub anchor: Option<Anchor>,
    /// Which band the fit's uncertain input moves along.
    pub band: Band,
    /// The fit: parameters, standard errors, R², residuals, warnings.
    pub fit: crate::stats::fit::Fit,
    /// The curve's value in each projection year, baseline to target.
    pub values: Vec<f64>,
    /// The band's standard error in each projection year, on the fitted scale (ln value
    /// for an exponential fit).
    pub se: Vec<f64>,
}

impl MetricFit {
    /// The value in projection year index `i` at `position` (in standard errors) within
    /// the band: `value + position·se`, or `value·e^{position·se}` on the log scale of an
    /// exponential fit.
    #[inline]
    pub fn value_at(&self, i: usize, position: f64) -> f64 {
        let (v, se) = (self.values[i], self.se[i]);
        if position == 0.0 || se == 0.0 {
            v
        } else if self.fit.spec().model == crate::stats::fit::Model::Exponential {
            v * (position * se).exp()
        } else {
            v + position * se
        }
    }

    /// Residual degrees of freedom: the Student's t of the fit's uncertain input.
    pub fn dof(&self) -> f64 {
        self.fit.dof as f64
    }
}

/// A point a fitted curve passes through exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The baseline value.
    Baseline,
    /// The target value.
    Target,
}

/// The band a fit's uncertainty follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// Where a new observation may fall: the curve's uncertainty plus the residual
    /// scatter (the default).
    Prediction,
    /// Where the curve itself may lie.
    Confidence,
}

impl Band {
    /// The word used in files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Band::Prediction => "prediction",
            Band::Confidence => "confidence",
        }
    }
}

impl Metric {
    /// The points the file gives the curve (baseline, milestones, target), leaving out
    /// those the fit or curve derives.
    pub fn given_points(&self) -> impl Iterator<Item = &Point> {
        let baseline = self.baseline_given.then_some(&self.baseline);
        let target = self.target_given.then_some(&self.target);
        baseline.into_iter().chain(&self.milestones).chain(target)
    }

    /// The observed value in `year`, if there is one (observed values are sorted by year).
    pub fn observed_in(&self, year: i32) -> Option<f64> {
        self.observed
            .binary_search_by_key(&year, |p| p.year)
            .ok()
            .map(|i| self.observed[i].value)
    }
}

/// The growth shape of a metric between its points.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Straight line between consecutive points.
    Linear,
    /// Constant compound growth between consecutive points.
    Cagr,
    /// Logistic S-curve with the given cap (saturation level).
    Logistic {
        /// The level the curve approaches and never reaches.
        cap: f64,
    },
    /// Gompertz curve with the given cap.
    Gompertz {
        /// The level the curve approaches and never reaches.
        cap: f64,
    },
    /// Monotone piecewise cubic through all points (PCHIP, Fritsch–Carlson).
    Pchip,
    /// The sum of other metrics, its segments (indices into [`Scenario::metrics`], always
    /// earlier metrics). Its own baseline, milestone and target values are stated totals,
    /// compared with the sum within `tolerance`.
    Sum {
        /// The segments.
        segments: Vec<usize>,
        /// The largest difference between a stated total and the sum that still agrees.
        tolerance: f64,
    },
}

impl Shape {
    /// The name used in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            Shape::Linear => "linear",
            Shape::Cagr => "cagr",
            Shape::Logistic { .. } => "logistic",
            Shape::Gompertz { .. } => "gompertz",
            Shape::Pchip => "pchip",
            Shape::Sum { .. } => "sum of segments",
        }
    }

    /// The shape's name in `lang` (in Korean: 연평균 성장(CAGR), 선형, 로지스틱 …).
    pub fn name_in(&self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::En, _) => self.name(),
            (Lang::Ko, Shape::Linear) => "선형",
            (Lang::Ko, Shape::Cagr) => "연평균 성장(CAGR)",
            (Lang::Ko, Shape::Logistic { .. }) => "로지스틱",
            (Lang::Ko, Shape::Gompertz { .. }) => "곰페르츠",
            (Lang::Ko, Shape::Pchip) => "단조 보간(PCHIP)",
            (Lang::Ko, Shape::Sum { .. }) => "부문 합계",
        }
    }
}

/// A programme start: before `year` the metric grows at its baseline growth, from `year`
/// on it follows its shape to the next point.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeStart {
    /// First year of the programme; strictly between baseline and target year.
    pub year: i32,
    /// How the metric grows from the baseline year until `year`.
    pub growth: PreStartGrowth,
}

/// Growth of a metric before its programme starts.
#[derive(Debug, Clone, PartialEq)]
pub enum PreStartGrowth {
    /// A constant annual rate (0.05 = 5% a year).
    Rate(f64),
    /// The same year-on-year growth as another metric (index into
    /// [`Scenario::metrics`], always an earlier metric), e.g. sales keeping their share of
    /// a market.
    Follow(usize),
}

/// Whether a ratio is a share (a part of a whole: shown in percent, bounded by 0 and 1) or
/// any other quotient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RatioKind {
    /// A part of a whole, between 0 and 1, shown in percent.
    Share,
    /// Any other quotient, shown as a plain number.
    #[default]
    Ratio,
}

/// A ratio derived from two metrics each year (`share = sales / market`).
#[derive(Debug, Clone, PartialEq)]
pub struct Ratio {
    /// The name used in the file and as the CSV column.
    pub name: String,
    /// The label shown on charts.
    pub label: String,
    /// Index of the numerator metric in [`Scenario::metrics`].
    pub numerator: usize,
    /// Index of the denominator metric in [`Scenario::metrics`].
    pub denominator: usize,
    /// Share or plain ratio.
    pub kind: RatioKind,
    /// Its unit: empty for a share (like divided by like, shown in %), "A / B" for a
    /// ratio of metrics in units A and B, empty when they are the same.
    pub unit: String,
    /// Figures stated by a source to compare with the derived ratio.
    pub stated: Vec<Stated>,
}

/// A figure a source states ("about 5.7%"), compared with the derived value and reported,
/// never used in its place.
#[derive(Debug, Clone, PartialEq)]
pub struct Stated {
    /// The year the figure is for.
    pub year: i32,
    /// The stated figure (a fraction for ratios: 0.057 for 5.7%).
    pub value: f64,
    /// The largest absolute difference from the derived value that still agrees.
    pub tolerance: f64,
    /// Key into [`Scenario::sources`].
    pub source: Option<String>,
}

/// The `[uncertainty]` section: which inputs are uncertain and how to analyse them.
#[derive(Debug, Clone)]
pub struct Uncertainty {
    /// Monte Carlo draws, if the file sets them (the command line may override).
    pub draws: Option<u64>,
    /// Random seed, if the file sets it.
    pub seed: Option<u64>,
    /// Sampling method, if the file sets it.
    pub sampling: Option<Method>,
    /// The headline series for the tornado, histogram and Sobol charts (`output`), when
    /// no `outputs` are given.
    pub output: Option<Series>,
    /// Outputs of the sensitivity analyses (`outputs`): quantities of the check language,
    /// the first one the headline. Empty: every metric and ratio in the target year.
    pub outputs: Vec<Output>,
    /// Percentiles an input is swung to in the one-at-a-time analysis (default 0.1, 0.9).
    pub swing: (f64, f64),
    /// The uncertain inputs, in file order.
    pub inputs: Vec<UncertainInput>,
    /// Rank correlations between inputs, if given.
    pub correlation: Option<Correlation>,
}

/// An output of the sensitivity analyses: a deterministic quantity of the check language
/// (`share[2031]`, `sum(sales, 2025, 2031)`, `cagr(sales, 2025, 2031)`).
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// As written; its name in tables and charts.
    pub text: String,
    /// The parsed quantity.
    pub quantity: expr::Quantity,
    /// The series it reads.
    pub series: Series,
}

impl Output {
    /// A series in a year, named after the series (the default outputs).
    pub fn value(scenario: &Scenario, series: Series, year: i32) -> Output {
        let name = scenario.series_name(series).to_owned();
        Output {
            quantity: expr::Quantity::Value(expr::Ref {
                name: name.clone(),
                at: 0,
                year: Some((year, 0)),
            }),
            text: name,
            series,
        }
    }

    /// Parses an output against `scenario`, or says what is wrong with it.
    pub fn parse(text: &str, scenario: &Scenario) -> Result<Output, String> {
        let quantity = output_quantity(text, scenario.target_year)?;
        output_of(
            text,
            quantity,
            &scenario.metrics,
            &scenario.ratios,
            scenario.years(),
        )
    }
}

/// The quantity an output names; a bare name gets the hint to give a year.
pub(crate) fn output_quantity(text: &str, target_year: i32) -> Result<expr::Quantity, String> {
    let bare = text.trim();
    if !bare.is_empty() && bare.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(format!("say which year: `{bare}[{target_year}]`"));
    }
    expr::parse_quantity(text)
        .map_err(|e| format!("{} (at `{}`)", e.message, text.get(e.at..).unwrap_or("")))
}

/// The metric or ratio called `name`.
pub(crate) fn series_named(metrics: &[Metric], ratios: &[Ratio], name: &str) -> Option<Series> {
    metrics
        .iter()
        .position(|m| m.name == name)
        .map(Series::Metric)
        .or_else(|| {
            ratios
                .iter()
                .position(|r| r.name == name)
                .map(Series::Ratio)
        })
}

/// An output from a parsed quantity: it must name a known series, need no simulation and
/// read years inside `years`.
pub(crate) fn output_of(
    text: &str,
    quantity: expr::Quantity,
    metrics: &[Metric],
    ratios: &[Ratio],
    years: std::ops::RangeInclusive<i32>,
) -> Result<Output, String> {
    let name = &quantity.series().name;
    let series = series_named(metrics, ratios, name)
        .ok_or_else(|| format!("unknown metric or ratio `{name}`"))?;
    if quantity.needs_simulation() {
        return Err("an output is a value, growth, cagr, sum or average; P(…), percentiles and means are what the analyses compute of it".into());
    }
    if matches!(quantity, expr::Quantity::Value(_) | expr::Quantity::Yoy(_))
        && quantity.series().year.is_none()
    {
        return Err(format!("say which year: `{name}[{}]`", years.end()));
    }
    let mut named: Vec<i32> = quantity.series().year.iter().map(|y| y.0).collect();
    if let Some((a, b)) = quantity.span() {
        if b < a {
            return Err(format!("the later year goes second, not {a} then {b}"));
        }
        named.extend([a, b]);
    }
    if let Some(y) = named.iter().find(|y| !years.contains(y)) {
        return Err(format!(
            "year {y} is outside the projection {}–{}",
            years.start(),
            years.end()
        ));
    }
    Ok(Output {
        text: text.trim().to_owned(),
        quantity,
        series,
    })
}

/// A metric or ratio, by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    /// Index into [`Scenario::metrics`].
    Metric(usize),
    /// Index into [`Scenario::ratios`].
    Ratio(usize),
}

/// One uncertain input.
#[derive(Debug, Clone)]
pub struct UncertainInput {
    /// The key path of the number it varies, e.g. `metrics.sales.target.value`.
    pub name: String,
    /// Label for charts (default: the name).
    pub label: String,
    /// Which number it varies.
    pub target: InputTarget,
    /// Its distribution.
    pub distribution: Distribution,
    /// Source key of the range, if cited.
    pub source: Option<String>,
    /// How the range was written relative to the value it varies, if it was.
    pub relative: Option<Relative>,
    /// Bounds the distribution is truncated to (`truncate = [lo, hi]`), if any.
    pub truncate: Option<(f64, f64)>,
}

impl UncertainInput {
    /// The input's sampler: its distribution's, truncated if the file says so.
    pub fn sampler(&self) -> crate::stats::distribution::Quantile {
        match self.truncate {
            Some((lo, hi)) => self
                .distribution
                .truncated_sampler(lo, hi)
                .unwrap_or_else(|| self.distribution.sampler()),
            None => self.distribution.sampler(),
        }
    }

    /// The share of draws at or below `x` (after truncation).
    pub fn mass_at_or_below(&self, x: f64) -> f64 {
        let d = &self.distribution;
        match self.truncate {
            Some((lo, hi)) => {
                let (a, b) = (d.cdf(lo), d.cdf(hi));
                ((d.cdf(x.min(hi)) - a) / (b - a)).clamp(0.0, 1.0)
            }
            None => d.cdf(x),
        }
    }

    /// The smallest and largest values it can take (after truncation).
    pub fn support(&self) -> (f64, f64) {
        let (lo, hi) = self.distribution.support();
        match self.truncate {
            Some((a, b)) => (lo.max(a), hi.min(b)),
            None => (lo, hi),
        }
    }

    /// The range in words a reader of a report follows, 4 significant digits: "normal,
    /// 90% between 150 and 170 (mean 160)", "PERT from 30 to 60, most likely 52",
    /// "정규분포, 90% 구간 150–170 (평균 160)"; with its truncation.
    pub fn words(&self, lang: Lang) -> String {
        use crate::stats::distribution::Distribution as D;
        // Four significant digits, and two decimals at least for large numbers such as
        // years (2024.5 stays 2024.5).
        let n = |x: f64| {
            let whole = if x.abs() >= 1.0 {
                x.abs().log10().floor() as usize + 1
            } else {
                0
            };
            crate::stats::number::digits(x, 4.max(whole + 2))
        };
        let d = &self.distribution;
        let (p5, p95) = (d.quantile(0.05), d.quantile(0.95));
        let ko = lang == Lang::Ko;
        let main = match (*d, ko) {
            (D::Uniform { min, max }, false) => {
                format!("uniform between {} and {}", n(min), n(max))
            }
            (D::Uniform { min, max }, true) => format!("균등분포 {}–{}", n(min), n(max)),
            (D::Triangular { min, mode, max }, false) => format!(
                "triangular from {} to {}, most likely {}",
                n(min),
                n(max),
                n(mode)
            ),
            (D::Triangular { min, mode, max }, true) => {
                format!("삼각분포 {}–{}, 최빈값 {}", n(min), n(max), n(mode))
            }
            (D::Pert { min, mode, max }, false) => {
                format!(
                    "PERT from {} to {}, most likely {}",
                    n(min),
                    n(max),
                    n(mode)
                )
            }
            (D::Pert { min, mode, max }, true) => {
                format!("PERT 분포 {}–{}, 최빈값 {}", n(min), n(max), n(mode))
            }
            (D::Normal { mean, .. }, false) => format!(
                "normal, 90% between {} and {} (mean {})",
                n(p5),
                n(p95),
                n(mean)
            ),
            (D::Normal { mean, .. }, true) => {
                format!("정규분포, 90% 구간 {}–{} (평균 {})", n(p5), n(p95), n(mean))
            }
            (D::LogNormal { .. }, false) => format!(
                "lognormal, 90% between {} and {} (median {})",
                n(p5),
                n(p95),
                n(d.quantile(0.5))
            ),
            (D::LogNormal { .. }, true) => format!(
                "로그정규분포, 90% 구간 {}–{} (중앙값 {})",
                n(p5),
                n(p95),
                n(d.quantile(0.5))
            ),
            (D::StudentT { dof }, false) => format!(
                "the fit's band: Student's t with {} degrees of freedom, 90% between {} and {} standard errors",
                n(dof),
                n(p5),
                n(p95)
            ),
            (D::StudentT { dof }, true) => format!(
                "적합 구간: t 분포(자유도 {}), 90% 구간 표준오차 {}–{}배",
                n(dof),
                n(p5),
                n(p95)
            ),
        };
        match (self.truncate, ko) {
            (Some((lo, hi)), false) => format!("{main}, cut to {}–{}", n(lo), n(hi)),
            (Some((lo, hi)), true) => format!("{main}, {}–{}로 절단", n(lo), n(hi)),
            (None, _) => main,
        }
    }

    /// The distribution in words, with its truncation.
    pub fn describe(&self) -> String {
        match self.truncate {
            Some((lo, hi)) => format!(
                "{} truncated to [{}, {}]",
                self.distribution.describe(),
                crate::format::significant(lo),
                crate::format::significant(hi)
            ),
            None => self.distribution.describe(),
        }
    }
}

/// A range written relative to the value it varies (`relative = true` or `plus_minus`),
/// so that it moves with the value in every variant and every file that extends this one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Relative {
    /// Parameters are factors of the value (values, targets, milestones, caps).
    Factor {
        /// The value the factors multiply.
        of: f64,
    },
    /// Parameters are added to the value (start years in years, growth rates as rates).
    Offset {
        /// The value the offsets are added to.
        to: f64,
    },
}

/// The number an uncertain input varies (metric indices into [`Scenario::metrics`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputTarget {
    /// A metric's baseline value.
    Baseline(usize),
    /// A metric's target value.
    Target(usize),
    /// A metric's milestone value (metric, milestone index).
    Milestone(usize, usize),
    /// A metric's programme start year (draws are rounded to whole years).
    StartYear(usize),
    /// A metric's cap.
    Cap(usize),
    /// A metric's growth rate before its programme start.
    GrowthRate(usize),
    /// A fitted metric's position within its fit's band, in standard errors.
    Fit(usize),
}

impl InputTarget {
    /// The metric whose number it is.
    pub fn metric(self) -> usize {
        match self {
            InputTarget::Baseline(m)
            | InputTarget::Target(m)
            | InputTarget::Milestone(m, _)
            | InputTarget::StartYear(m)
            | InputTarget::Cap(m)
            | InputTarget::GrowthRate(m)
            | InputTarget::Fit(m) => m,
        }
    }
}

/// Rank correlations between some of the uncertain inputs.
#[derive(Debug, Clone)]
pub struct Correlation {
    /// Indices into [`Uncertainty::inputs`], in matrix order.
    pub inputs: Vec<usize>,
    /// The rank-correlation matrix, validated.
    pub matrix: CorrelationMatrix,
}
