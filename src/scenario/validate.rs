//! Meaning-level checks: raw structs in, a [`Scenario`] that can be projected out.
//!
//! Every problem is collected (not just the first), each with the key path it is about,
//! so that a user fixing a file sees everything wrong at once.

use super::locate::{KeyPath, path};
use super::raw::{
    RawFigure, RawGrowth, RawMetric, RawPoint, RawRatio, RawScenario, RawStated, ShapeName,
};
use crate::stats::fit::{Model, Through};

use super::{
    MAX_HORIZON_YEARS, Metric, Point, PreStartGrowth, ProgrammeStart, Ratio, RatioKind, Scenario,
    Shape, Source, Stated,
};

/// Problems found: each a key path and a message.
pub(super) type Problems = Vec<(KeyPath, String)>;

/// Turns the raw file into a [`Scenario`], or lists everything wrong with it.
pub(super) fn validate(raw: RawScenario) -> Result<Scenario, Problems> {
    let mut v = Validator {
        problems: Vec::new(),
        sources: raw.sources.keys().cloned().collect(),
        baseline_year: raw.baseline_year,
        target_year: raw.target_year,
        unit: raw.unit.trim().to_owned(),
    };

    if raw.name.trim().is_empty() {
        v.problem(path(&["name"]), "the name must not be empty");
    }
    if raw.unit.trim().is_empty() {
        v.problem(
            path(&["unit"]),
            "the unit must not be empty (e.g. \"trillion KRW\", \"applications\")",
        );
    }
    let years_ok = v.check_years();
    let sources = v.check_sources(&raw);

    if raw.metrics.is_empty() {
        v.problem(path(&["metrics"]), "define at least one metric");
    }
    for (count, most, key, what) in [
        (
            raw.metrics.len() + raw.ratios.len(),
            super::MAX_SERIES,
            "metrics",
            "metrics and ratios",
        ),
        (raw.checks.len(), super::MAX_CHECKS, "checks", "checks"),
        (raw.sources.len(), super::MAX_SOURCES, "sources", "sources"),
    ] {
        if count > most {
            v.problem(
                path(&[key]),
                format!("{count} {what} are more than the {most} a scenario may have"),
            );
            return Err(v.problems);
        }
    }
    let metric_names: Vec<&str> = raw.metrics.keys().map(String::as_str).collect();
    let mut metrics = Vec::new();
    let mut deps: Vec<Vec<(usize, &'static str)>> = Vec::new();
    for (name, m) in &raw.metrics {
        let at = path(&["metrics", name]);
        v.check_name(&at, name);
        let (metric, needs) = v.metric(&at, name, m, &metric_names, years_ok);
        metrics.push(metric);
        deps.push(needs);
    }

    let mut ratios = Vec::new();
    for (name, r) in &raw.ratios {
        let at = path(&["ratios", name]);
        v.check_name(&at, name);
        if raw.metrics.contains_key(name) {
            v.problem(
                at.clone(),
                format!("`{name}` is already a metric; a ratio needs a name of its own (it becomes a CSV column)"),
            );
        }
        ratios.push(v.ratio(&at, name, r, &metric_names, years_ok));
    }

    ratio_units(&mut v, &metrics, &mut ratios);
    let order = v.dependency_order(&metric_names, &deps);
    if !v.problems.is_empty() {
        return Err(v.problems);
    }

    // Put every followed metric before its followers, and renumber the references.
    let metrics = reorder_metrics(metrics, &order);
    let new_index = |old: usize| order.iter().position(|&o| o == old).unwrap_or(old);
    let metrics: Vec<Metric> = metrics
        .into_iter()
        .map(|mut m| {
            if let Some(ProgrammeStart {
                growth: PreStartGrowth::Follow(i),
                ..
            }) = &mut m.start
            {
                *i = new_index(*i);
            }
            if let Shape::Sum { segments, .. } = &mut m.shape {
                for i in segments {
                    *i = new_index(*i);
                }
            }
            m
        })
        .collect();
    for r in &mut ratios {
        r.numerator = new_index(r.numerator);
        r.denominator = new_index(r.denominator);
    }

    let uncertainty = raw
        .uncertainty
        .map(|u| super::uncertainty::validate(&mut v, u, &metrics, &ratios));
    let checks = super::checks::validate(
        &mut v,
        &raw.checks,
        &metrics,
        &ratios,
        uncertainty.as_ref().is_some_and(|u| !u.inputs.is_empty()),
    );
    if !v.problems.is_empty() {
        return Err(v.problems);
    }

    Ok(Scenario {
        name: raw.name,
        description: raw.description,
        unit: raw.unit,
        lang: raw.lang,
        baseline_year: raw.baseline_year,
        target_year: raw.target_year,
        sources,
        metrics,
        ratios,
        uncertainty,
        checks,
        variants: Vec::new(),
        origin: Default::default(),
        variant: None,
    })
}

fn reorder_metrics(metrics: Vec<Metric>, order: &[usize]) -> Vec<Metric> {
    let mut slots: Vec<Option<Metric>> = metrics.into_iter().map(Some).collect();
    order.iter().filter_map(|&i| slots[i].take()).collect()
}

pub(super) struct Validator {
    problems: Problems,
    sources: Vec<String>,
    pub(super) baseline_year: i32,
    pub(super) target_year: i32,
    /// The scenario's unit, every metric's unless it has its own.
    unit: String,
}

impl Validator {
    pub(super) fn problem(&mut self, key: KeyPath, message: impl Into<String>) {
        self.problems.push((key, message.into()));
    }

    fn check_years(&mut self) -> bool {
        let (b, t) = (self.baseline_year, self.target_year);
        if t <= b {
            self.problem(
                path(&["target_year"]),
                format!("the target year ({t}) must be after the baseline year ({b})"),
            );
            return false;
        }
        if i64::from(t) - i64::from(b) > i64::from(MAX_HORIZON_YEARS) {
            self.problem(
                path(&["target_year"]),
                format!(
                    "the horizon {b}–{t} spans {} years; kjproj projects at most {MAX_HORIZON_YEARS} years",
                    i64::from(t) - i64::from(b)
                ),
            );
            return false;
        }
        true
    }

    fn check_sources(&mut self, raw: &RawScenario) -> Vec<Source> {
        let mut out = Vec::new();
        for (key, citation) in &raw.sources {
            if citation.trim().is_empty() {
                self.problem(path(&["sources", key]), "the citation must not be empty");
            }
            out.push(Source {
                key: key.clone(),
                citation: citation.trim().to_owned(),
            });
        }
        out
    }

    /// Metric and ratio names become CSV columns and are used in `numerator = "..."`.
    fn check_name(&mut self, at: &KeyPath, name: &str) {
        let ok = name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !ok {
            self.problem(
                at.clone(),
                format!("`{name}` is not a usable name: use letters, digits and `_`, starting with a letter"),
            );
        } else if name == "year" || name.ends_with("_yoy") {
            self.problem(
                at.clone(),
                format!("`{name}` is reserved for a CSV column kjproj writes itself; choose another name"),
            );
        }
    }

    pub(super) fn finite(&mut self, at: KeyPath, x: f64) -> bool {
        if x.is_finite() {
            true
        } else {
            self.problem(at, format!("must be a finite number, not {x}"));
            false
        }
    }

    pub(super) fn source(&mut self, at: KeyPath, source: &Option<String>) -> Option<String> {
        let key = source.as_ref()?;
        if !self.sources.iter().any(|s| s == key) {
            let known = if self.sources.is_empty() {
                "the file has no [sources] table".to_owned()
            } else {
                format!("known sources: {}", self.sources.join(", "))
            };
            self.problem(at, format!("unknown source `{key}` ({known})"));
        }
        Some(key.clone())
    }

    fn year_in_horizon(&mut self, at: KeyPath, year: i32, what: &str) -> bool {
        if year < self.baseline_year || year > self.target_year {
            self.problem(
                at,
                format!(
                    "{what} year {year} is outside the horizon {}–{}",
                    self.baseline_year, self.target_year
                ),
            );
            false
        } else {
            true
        }
    }

    /// A point of a list (milestone, observed value) with its source checked.
    fn point(&mut self, at: &KeyPath, p: &RawPoint) -> Point {
        Point {
            year: p.year,
            value: p.value,
            source: self.source(at.key("source"), &p.source),
        }
    }

    fn figure(&mut self, at: &KeyPath, year: i32, f: &RawFigure) -> Point {
        self.finite(at.key("value"), f.value);
        Point {
            year,
            value: f.value,
            source: self.source(at.key("source"), &f.source),
        }
    }

    fn metric(
        &mut self,
        at: &KeyPath,
        name: &str,
        m: &RawMetric,
        metric_names: &[&str],
        years_ok: bool,
    ) -> (Metric, Vec<(usize, &'static str)>) {
        let mut baseline = self.given_figure(&at.key("baseline"), self.baseline_year, &m.baseline);
        let mut target = self.given_figure(&at.key("target"), self.target_year, &m.target);

        let start = self.start(at, name, m, metric_names, years_ok);
        let mut needs: Vec<(usize, &'static str)> = match &start {
            Some(ProgrammeStart {
                growth: PreStartGrowth::Follow(i),
                ..
            }) => vec![(*i, "baseline_growth")],
            _ => Vec::new(),
        };
        let first_free_year = start.as_ref().map_or(self.baseline_year, |s| s.year);
        let milestones = self.milestones(at, &m.milestones, first_free_year, years_ok);
        let mut shape = self.shape(at, name, m, &baseline, &milestones, &target, metric_names);
        if let Shape::Sum { segments, .. } = &shape {
            needs.extend(segments.iter().map(|&j| (j, "segments")));
        }
        let stated = self.stated(at, &m.stated, None);
        let observed = self.observed(at, &m.observed);
        let (baseline_given, target_given) = (baseline.is_some(), target.is_some());
        let fit = match &m.fit {
            Some(raw) if years_ok => super::fitted::fit(
                self,
                at,
                m,
                raw,
                &mut shape,
                (&mut baseline, &mut target),
                &observed,
            ),
            Some(_) => None,
            None => {
                self.required_points(at, m, &shape, &mut baseline, &milestones, &mut target);
                None
            }
        };
        let placeholder = |year| Point {
            year,
            value: f64::NAN,
            source: None,
        };

        let unit = match &m.unit {
            Some(u) if u.trim().is_empty() => {
                self.problem(
                    at.key("unit"),
                    "a unit must not be empty; leave `unit` out to use the scenario's",
                );
                String::new()
            }
            Some(u) => u.trim().to_owned(),
            None => self.unit.clone(),
        };
        let metric = Metric {
            name: name.to_owned(),
            label: label_or_name(&m.label, name),
            unit,
            shape,
            baseline: baseline.unwrap_or_else(|| placeholder(self.baseline_year)),
            milestones,
            target: target.unwrap_or_else(|| placeholder(self.target_year)),
            start,
            stated,
            observed,
            baseline_given,
            target_given,
            fit,
        };
        (metric, needs)
    }

    /// A baseline or target the file may leave out.
    fn given_figure(&mut self, at: &KeyPath, year: i32, f: &Option<RawFigure>) -> Option<Point> {
        f.as_ref().map(|f| self.figure(at, year, f))
    }

    /// An interpolated metric needs its baseline, and its target unless one S-curve
    /// through the baseline and milestones determines it (then it is computed here).
    fn required_points(
        &mut self,
        at: &KeyPath,
        m: &RawMetric,
        shape: &Shape,
        baseline: &mut Option<Point>,
        milestones: &[Point],
        target: &mut Option<Point>,
    ) {
        if baseline.is_none() {
            self.problem(
                at.key("baseline"),
                format!(
                    "missing field `baseline`: the value in the baseline year {} (only a metric fitted to observed values can leave it out, see `fit`)",
                    self.baseline_year
                ),
            );
        }
        if target.is_some() {
            return;
        }
        let curve = match shape {
            Shape::Logistic { cap } => Some((Model::Logistic, *cap)),
            Shape::Gompertz { cap } => Some((Model::Gompertz, *cap)),
            _ => None,
        };
        match curve {
            Some((model, cap)) if !milestones.is_empty() && m.start_year.is_none() => {
                let Some(b) = baseline else { return };
                let points: Vec<(f64, f64)> = std::iter::once(&*b)
                    .chain(milestones)
                    .map(|p| (f64::from(p.year), p.value))
                    .collect();
                // `None` when a value is outside (0, cap), which `shape` reported.
                if let Some(curve) = Through::new(model, cap, &points) {
                    *target = Some(Point {
                        year: self.target_year,
                        value: curve.value(f64::from(self.target_year)),
                        source: None,
                    });
                }
            }
            _ => self.problem(
                at.key("target"),
                format!(
                    "missing field `target`: the value in the target year {} (a logistic or gompertz curve through the baseline and a milestone, or a metric fitted to observed values, can leave it out)",
                    self.target_year
                ),
            ),
        }
    }

    fn start(
        &mut self,
        at: &KeyPath,
        name: &str,
        m: &RawMetric,
        metric_names: &[&str],
        years_ok: bool,
    ) -> Option<ProgrammeStart> {
        match (m.start_year, &m.baseline_growth) {
            (None, None) => None,
            (None, Some(_)) => {
                self.problem(
                    at.key("baseline_growth"),
                    "baseline_growth only applies before a start_year; add `start_year = ...` or remove it",
                );
                None
            }
            (Some(_), None) => {
                self.problem(
                    at.key("baseline_growth"),
                    "start_year needs baseline_growth: an annual rate (0.05 for 5%) or the name of a metric to follow",
                );
                None
            }
            (Some(year), Some(growth)) => {
                if years_ok && (year <= self.baseline_year || year >= self.target_year) {
                    self.problem(
                        at.key("start_year"),
                        format!(
                            "start year {year} must be after the baseline year {} and before the target year {}",
                            self.baseline_year, self.target_year
                        ),
                    );
                }
                let growth = match growth {
                    RawGrowth::Rate(rate) => {
                        if self.finite(at.key("baseline_growth"), *rate) && *rate <= -1.0 {
                            self.problem(
                                at.key("baseline_growth"),
                                format!("a growth rate of {rate} would make the metric zero or negative; it must be above -1 (-100%)"),
                            );
                        }
                        PreStartGrowth::Rate(*rate)
                    }
                    RawGrowth::Follow(other) => {
                        match metric_names.iter().position(|n| n == other) {
                            Some(_) if other == name => {
                                self.problem(
                                    at.key("baseline_growth"),
                                    "a metric cannot follow its own growth",
                                );
                                PreStartGrowth::Rate(0.0)
                            }
                            Some(i) => PreStartGrowth::Follow(i),
                            None => {
                                self.problem(
                                    at.key("baseline_growth"),
                                    format!(
                                        "unknown metric `{other}` (metrics: {})",
                                        metric_names.join(", ")
                                    ),
                                );
                                PreStartGrowth::Rate(0.0)
                            }
                        }
                    }
                };
                Some(ProgrammeStart { year, growth })
            }
        }
    }

    /// Observed values: finite, cited sources, each year once, from at most
    /// [`MAX_HORIZON_YEARS`] before the baseline to the target year; sorted by year.
    fn observed(&mut self, at: &KeyPath, raw: &[RawPoint]) -> Vec<Point> {
        let mut points: Vec<Point> = Vec::new();
        let earliest = self.baseline_year.saturating_sub(MAX_HORIZON_YEARS);
        let mut seen = std::collections::HashMap::new();
        for (i, p) in raw.iter().enumerate() {
            let at = at.key("observed").index(i);
            self.finite(at.key("value"), p.value);
            if p.year < earliest || p.year > self.target_year {
                self.problem(
                    at.key("year"),
                    format!(
                        "observed year {} must be between {earliest} and the target year {}",
                        p.year, self.target_year
                    ),
                );
            }
            if let Some(j) = seen.insert(p.year, i) {
                self.problem(
                    at.key("year"),
                    format!(
                        "observed year {} is given twice (also observed[{j}])",
                        p.year
                    ),
                );
                continue;
            }
            points.push(self.point(&at, p));
        }
        points.sort_by_key(|p| p.year);
        points
    }

    fn milestones(
        &mut self,
        at: &KeyPath,
        raw: &[RawPoint],
        first_free_year: i32,
        years_ok: bool,
    ) -> Vec<Point> {
        let mut points: Vec<Point> = Vec::new();
        for (i, p) in raw.iter().enumerate() {
            let at = at.key("milestones").index(i);
            self.finite(at.key("value"), p.value);
            if years_ok && (p.year <= first_free_year || p.year >= self.target_year) {
                let after = if first_free_year == self.baseline_year {
                    format!("the baseline year {first_free_year}")
                } else {
                    format!("the start year {first_free_year}")
                };
                self.problem(
                    at.key("year"),
                    format!(
                        "milestone year {} must be after {after} and before the target year {}",
                        p.year, self.target_year
                    ),
                );
            }
            if let Some(j) = points.iter().position(|q| q.year == p.year) {
                self.problem(
                    at.key("year"),
                    format!(
                        "milestone year {} is given twice (also milestones[{j}])",
                        p.year
                    ),
                );
            }
            points.push(self.point(&at, p));
        }
        points.sort_by_key(|p| p.year);
        points
    }

    #[allow(clippy::too_many_arguments)]
    fn shape(
        &mut self,
        at: &KeyPath,
        name: &str,
        m: &RawMetric,
        baseline: &Option<Point>,
        milestones: &[Point],
        target: &Option<Point>,
        metric_names: &[&str],
    ) -> Shape {
        let segmented = self.segments(at, name, m, metric_names);
        let shape_name = match (m.shape, segmented) {
            (_, Some(shape)) => return shape,
            (Some(shape), None) => shape,
            (None, None) => {
                self.problem(
                    at.key("shape"),
                    "missing field `shape`: linear, cagr, logistic, gompertz or pchip (or `segments` for a sum)",
                );
                ShapeName::Linear
            }
        };
        // Given points with the key each came from, for precise messages.
        let mut given: Vec<(KeyPath, f64)> = baseline
            .iter()
            .map(|p| (at.key("baseline").key("value"), p.value))
            .collect();
        given.extend(
            milestones
                .iter()
                .enumerate()
                .map(|(i, p)| (at.key("milestones").index(i).key("value"), p.value)),
        );
        given.extend(
            target
                .iter()
                .map(|p| (at.key("target").key("value"), p.value)),
        );
        // With a programme start the baseline only feeds the pre-start growth, which keeps
        // its sign; the shape's own constraints still apply to it.

        let cap = match (shape_name, m.cap) {
            // A fit estimates a cap the file does not give.
            (ShapeName::Logistic | ShapeName::Gompertz, None) if m.fit.is_some() => None,
            (ShapeName::Logistic | ShapeName::Gompertz, None) => {
                self.problem(
                    at.key("cap"),
                    format!(
                        "the {} shape needs a cap: the level the metric approaches (e.g. `cap = 120`)",
                        shape_word(shape_name)
                    ),
                );
                None
            }
            (ShapeName::Logistic | ShapeName::Gompertz, Some(cap)) => {
                self.finite(at.key("cap"), cap).then_some(cap)
            }
            (_, Some(_)) => {
                self.problem(
                    at.key("cap"),
                    format!(
                        "cap is only used by the logistic and gompertz shapes, not by `{}`",
                        shape_word(shape_name)
                    ),
                );
                None
            }
            (_, None) => None,
        };

        match shape_name {
            ShapeName::Linear => Shape::Linear,
            ShapeName::Pchip => Shape::Pchip,
            ShapeName::Cagr => {
                for (key, value) in given {
                    if value.is_finite() && value <= 0.0 {
                        self.problem(
                            key,
                            format!("{value} is not positive; compound growth (`cagr`) needs values above 0 (use `linear` or `pchip` for values that can be 0 or negative)"),
                        );
                    }
                }
                Shape::Cagr
            }
            ShapeName::Logistic | ShapeName::Gompertz => {
                let cap = cap.unwrap_or(f64::NAN);
                if cap.is_finite() {
                    for (key, value) in given {
                        if !value.is_finite() {
                            continue;
                        }
                        if value <= 0.0 {
                            self.problem(
                                key,
                                format!("{value} is not positive; the {} shape needs values between 0 and the cap", shape_word(shape_name)),
                            );
                        } else if value >= cap {
                            self.problem(
                                at.key("cap"),
                                format!(
                                    "the cap ({cap}) must be above every value of the metric, but `{key}` is {value}"
                                ),
                            );
                        }
                    }
                }
                if shape_name == ShapeName::Logistic {
                    Shape::Logistic { cap }
                } else {
                    Shape::Gompertz { cap }
                }
            }
        }
    }

    /// `segments = [...]`: the metric is their sum. `None` when the metric has none.
    fn segments(
        &mut self,
        at: &KeyPath,
        name: &str,
        m: &RawMetric,
        metric_names: &[&str],
    ) -> Option<Shape> {
        let Some(list) = &m.segments else {
            if m.tolerance.is_some() {
                self.problem(
                    at.key("tolerance"),
                    "tolerance applies to the stated totals of a metric with segments",
                );
            }
            return None;
        };
        for (key, given) in [
            ("shape", m.shape.is_some()),
            ("cap", m.cap.is_some()),
            ("milestones", !m.milestones.is_empty()),
            ("start_year", m.start_year.is_some()),
            ("baseline_growth", m.baseline_growth.is_some()),
            ("fit", m.fit.is_some()),
        ] {
            if given {
                self.problem(
                    at.key(key),
                    format!("a metric with segments is their sum year by year; `{key}` belongs on the segments"),
                );
            }
        }
        if list.len() < 2 {
            self.problem(at.key("segments"), "give at least two segments");
        }
        let mut segments = Vec::new();
        for (i, seg) in list.iter().enumerate() {
            match metric_names.iter().position(|n| n == seg) {
                Some(_) if seg == name => self.problem(
                    at.key("segments").index(i),
                    "a metric cannot be its own segment",
                ),
                Some(j) if segments.contains(&j) => self.problem(
                    at.key("segments").index(i),
                    format!("`{seg}` is listed twice"),
                ),
                Some(j) => segments.push(j),
                None => self.problem(
                    at.key("segments").index(i),
                    format!(
                        "unknown metric `{seg}` (metrics: {})",
                        metric_names.join(", ")
                    ),
                ),
            }
        }
        let tolerance = m.tolerance.unwrap_or(0.0);
        if self.finite(at.key("tolerance"), tolerance) && tolerance < 0.0 {
            self.problem(
                at.key("tolerance"),
                format!("the tolerance must be 0 or more, not {tolerance}"),
            );
        }
        Some(Shape::Sum {
            segments,
            tolerance,
        })
    }

    fn stated(&mut self, at: &KeyPath, raw: &[RawStated], kind: Option<RatioKind>) -> Vec<Stated> {
        let mut out: Vec<Stated> = Vec::new();
        for (i, s) in raw.iter().enumerate() {
            let at = at.key("stated").index(i);
            self.year_in_horizon(at.key("year"), s.year, "stated");
            if self.finite(at.key("value"), s.value)
                && kind == Some(RatioKind::Share)
                && !(0.0..=1.0).contains(&s.value)
            {
                self.problem(
                    at.key("value"),
                    format!(
                        "a share is a fraction between 0 and 1 (write 0.15 for 15%), not {}",
                        s.value
                    ),
                );
            }
            if self.finite(at.key("tolerance"), s.tolerance) && s.tolerance < 0.0 {
                self.problem(
                    at.key("tolerance"),
                    format!("the tolerance must be 0 or more, not {}", s.tolerance),
                );
            }
            if out.iter().any(|o| o.year == s.year) {
                self.problem(
                    at.key("year"),
                    format!("a figure for {} is stated twice", s.year),
                );
            }
            out.push(Stated {
                year: s.year,
                value: s.value,
                tolerance: s.tolerance,
                source: self.source(at.key("source"), &s.source),
            });
        }
        out.sort_by_key(|s| s.year);
        out
    }

    fn ratio(
        &mut self,
        at: &KeyPath,
        name: &str,
        r: &RawRatio,
        metric_names: &[&str],
        years_ok: bool,
    ) -> Ratio {
        let mut lookup =
            |key: &str, metric: &str| match metric_names.iter().position(|n| *n == metric) {
                Some(i) => i,
                None => {
                    self.problem(
                        at.key(key),
                        format!(
                            "unknown metric `{metric}` (metrics: {})",
                            metric_names.join(", ")
                        ),
                    );
                    0
                }
            };
        let numerator = lookup("numerator", &r.numerator);
        let denominator = lookup("denominator", &r.denominator);
        let stated = if years_ok {
            self.stated(at, &r.stated, Some(r.kind))
        } else {
            Vec::new()
        };
        Ratio {
            name: name.to_owned(),
            label: label_or_name(&r.label, name),
            numerator,
            denominator,
            kind: r.kind,
            // Set once the metrics' units are known (see `ratio_units`).
            unit: String::new(),
            stated,
        }
    }

    /// An order of the metrics in which every followed metric comes before its followers,
    /// or a problem if they follow each other in a circle.
    /// An order of the metrics in which every metric comes after the ones it needs (the
    /// metric it follows, its segments), or a problem if they need each other in a circle.
    fn dependency_order(
        &mut self,
        names: &[&str],
        deps: &[Vec<(usize, &'static str)>],
    ) -> Vec<usize> {
        fn visit(
            i: usize,
            deps: &[Vec<(usize, &'static str)>],
            state: &mut [u8],
            stack: &mut Vec<usize>,
            order: &mut Vec<usize>,
        ) -> Option<Vec<usize>> {
            match state[i] {
                2 => return None,
                1 => {
                    // A circle: the stack from `i` onwards, back to `i`.
                    let from = stack.iter().position(|&k| k == i).unwrap_or(0);
                    let mut circle = stack[from..].to_vec();
                    circle.push(i);
                    return Some(circle);
                }
                _ => {}
            }
            state[i] = 1;
            stack.push(i);
            for &(j, _) in &deps[i] {
                if let Some(circle) = visit(j, deps, state, stack, order) {
                    return Some(circle);
                }
            }
            stack.pop();
            state[i] = 2;
            order.push(i);
            None
        }
        let mut order = Vec::with_capacity(names.len());
        let mut state = vec![0u8; names.len()]; // 0 new, 1 on the stack, 2 done
        for start in 0..names.len() {
            let mut stack = Vec::new();
            if let Some(circle) = visit(start, deps, &mut state, &mut stack, &mut order) {
                let words: Vec<&str> = circle.iter().map(|&k| names[k]).collect();
                // Blame the key by which the last metric needs the first.
                let (last, first) = (circle[circle.len() - 2], circle[circle.len() - 1]);
                let key = deps[last]
                    .iter()
                    .find(|(j, _)| *j == first)
                    .map_or("segments", |(_, key)| *key);
                self.problem(
                    path(&["metrics", names[last], key]),
                    format!(
                        "metrics depend on each other in a circle: {}",
                        words.join(" → ")
                    ),
                );
                return (0..names.len()).collect();
            }
        }
        order
    }
}

/// A share divides like by like: its metrics must have one unit. A plain ratio's unit is
/// "numerator unit / denominator unit" (none when they are the same). The sum of segments
/// is in its segments' unit.
fn ratio_units(v: &mut Validator, metrics: &[Metric], ratios: &mut [Ratio]) {
    for r in ratios.iter_mut() {
        let (Some(n), Some(d)) = (metrics.get(r.numerator), metrics.get(r.denominator)) else {
            continue;
        };
        if n.unit == d.unit {
            continue;
        }
        match r.kind {
            RatioKind::Share => v.problem(
                path(&["ratios", &r.name, "numerator"]),
                format!(
                    "a share divides like by like, but `{}` is in {} and `{}` in {}; give them one unit, or use kind = \"ratio\"",
                    n.name, n.unit, d.name, d.unit
                ),
            ),
            RatioKind::Ratio => r.unit = format!("{} / {}", n.unit, d.unit),
        }
    }
    for m in metrics {
        if let Shape::Sum { segments, .. } = &m.shape {
            for &j in segments {
                if let Some(seg) = metrics.get(j).filter(|s| s.unit != m.unit) {
                    v.problem(
                        path(&["metrics", &m.name, "segments"]),
                        format!(
                            "`{}` is the sum of its segments, so they share its unit, but `{}` is in {} and `{}` in {}",
                            m.name, seg.name, seg.unit, m.name, m.unit
                        ),
                    );
                }
            }
        }
    }
}

pub(super) fn label_or_name(label: &Option<String>, name: &str) -> String {
    match label {
        Some(l) if !l.trim().is_empty() => l.trim().to_owned(),
        _ => name.to_owned(),
    }
}

fn shape_word(shape: ShapeName) -> &'static str {
    match shape {
        ShapeName::Linear => "linear",
        ShapeName::Cagr => "cagr",
        ShapeName::Logistic => "logistic",
        ShapeName::Gompertz => "gompertz",
        ShapeName::Pchip => "pchip",
    }
}
