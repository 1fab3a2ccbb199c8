//! Validation of `fit`: a metric fitted by least squares to its observed values instead of
//! interpolated between given points (see [`crate::stats::fit`]).

use super::locate::KeyPath;
use super::raw::{AnchorName, BandName, RawFit, RawMetric};
use super::validate::Validator;
use super::{Anchor, Band, Lang, MetricFit, Point, Shape};
use crate::format::significant;
use crate::stats::fit::{self, Model, Parameter, Spec, Warning};

/// Checks a fitted metric's keys, fits its curve and derives the points the file leaves
/// out (the baseline and target unless anchored). Estimated caps are written into `shape`.
pub(super) fn fit(
    v: &mut Validator,
    at: &KeyPath,
    m: &RawMetric,
    raw: &RawFit,
    shape: &mut Shape,
    (baseline, target): (&mut Option<Point>, &mut Option<Point>),
    observed: &[Point],
) -> Option<MetricFit> {
    let key = at.key("fit");
    for (field, given) in [
        ("milestones", !m.milestones.is_empty()),
        ("start_year", m.start_year.is_some()),
        ("baseline_growth", m.baseline_growth.is_some()),
    ] {
        if given {
            v.problem(
                at.key(field),
                format!("a fitted metric follows one curve fitted to its observed values; `{field}` belongs to curves through given points (leave out `fit`, or `{field}`)"),
            );
        }
    }
    let (model, cap) = match *shape {
        Shape::Linear => (Model::Linear, None),
        Shape::Cagr => (Model::Exponential, None),
        Shape::Logistic { cap } => (Model::Logistic, cap.is_finite().then_some(cap)),
        Shape::Gompertz { cap } => (Model::Gompertz, cap.is_finite().then_some(cap)),
        Shape::Pchip => {
            v.problem(
                at.key("shape"),
                "pchip passes exactly through given points and cannot be fitted; fit `linear`, `cagr` (constant growth), `logistic` or `gompertz`",
            );
            return None;
        }
        Shape::Sum { .. } => return None,
    };
    let anchor = raw.anchor.map(|a| match a {
        AnchorName::Baseline => Anchor::Baseline,
        AnchorName::Target => Anchor::Target,
    });
    // A given baseline or target must be the anchor: the fit would not pass through it.
    for (point, which, word) in [
        (&*baseline, Anchor::Baseline, "baseline"),
        (&*target, Anchor::Target, "target"),
    ] {
        match (point.is_some(), anchor == Some(which)) {
            (true, false) => v.problem(
                at.key(word),
                format!("a fitted metric's {word} value comes from the fit; leave `{word}` out, or hold the curve to it with `fit = {{ anchor = \"{word}\" }}`"),
            ),
            (false, true) => v.problem(
                key.key("anchor"),
                format!("`anchor = \"{word}\"` holds the curve to the {word} value, which is missing: add `{word} = {{ value = …, source = … }}`"),
            ),
            _ => {}
        }
    }
    if observed.is_empty() {
        v.problem(
            at.key("observed"),
            "a fitted metric needs observed values to fit: `observed = [{ year = …, value = …, source = … }, …]` or `observed = { file = …, column = … }`",
        );
        return None;
    }
    let anchor_point = match anchor {
        Some(Anchor::Baseline) => baseline.as_ref(),
        Some(Anchor::Target) => target.as_ref(),
        None => None,
    };
    if anchor.is_some() && anchor_point.is_none() {
        return None;
    }
    let spec = Spec {
        model,
        cap,
        anchor: anchor_point.map(|p| (f64::from(p.year), p.value)),
        reference: f64::from(v.baseline_year),
    };
    let points: Vec<(f64, f64)> = observed
        .iter()
        .map(|p| (f64::from(p.year), p.value))
        .collect();
    let fitted = match fit::fit(&spec, &points) {
        Ok(f) => f,
        Err(e) => {
            report(v, at, &spec, anchor, observed, e);
            return None;
        }
    };
    if let (Some(estimated), Shape::Logistic { cap } | Shape::Gompertz { cap }) =
        (fitted.cap(), &mut *shape)
    {
        *cap = estimated;
    }
    let band = match raw.band {
        Some(BandName::Confidence) => Band::Confidence,
        _ => Band::Prediction,
    };
    let years = v.baseline_year..=v.target_year;
    let values: Vec<f64> = years.clone().map(|y| fitted.value(f64::from(y))).collect();
    let se: Vec<f64> = years
        .map(|y| fitted.band_se(f64::from(y), band == Band::Prediction))
        .collect();
    if let Some((i, bad)) = values.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        v.problem(
            at.key("fit"),
            format!(
                "the fitted curve overflows to {bad} in {}; check the observed values",
                v.baseline_year + i as i32
            ),
        );
        return None;
    }
    let derived = |year: i32, value: f64| Point {
        year,
        value,
        source: None,
    };
    if baseline.is_none() {
        *baseline = Some(derived(v.baseline_year, values[0]));
    }
    if target.is_none() {
        *target = Some(derived(v.target_year, values[values.len() - 1]));
    }
    Some(MetricFit {
        anchor,
        band,
        fit: fitted,
        values,
        se,
    })
}

/// A fit that failed, in the user's words.
fn report(
    v: &mut Validator,
    at: &KeyPath,
    spec: &Spec,
    anchor: Option<Anchor>,
    observed: &[Point],
    e: fit::Error,
) {
    let shape = match spec.model {
        Model::Linear => "linear",
        Model::Exponential => "cagr",
        Model::Logistic => "logistic",
        Model::Gompertz => "gompertz",
    };
    match e {
        fit::Error::TooFewPoints { need, have } => {
            let estimates = match (spec.model.has_cap() && spec.cap.is_none(), anchor) {
                (true, Some(_)) => "a rate and the cap",
                (true, None) => "a level, a rate and the cap",
                (false, Some(_)) => "a rate",
                (false, None) => "a level and a rate",
            };
            let besides = if anchor.is_some() {
                " besides the anchor's year"
            } else {
                ""
            };
            v.problem(
                at.key("observed"),
                format!("this {shape} fit estimates {estimates}, so it needs at least {need} observed values{besides} to leave one to judge the fit; it has {have}"),
            );
        }
        fit::Error::OutOfDomain(Some(i), value) => {
            // Indices count the observations the fit used: those off the anchor's year.
            let year = observed
                .iter()
                .filter(|p| spec.anchor.is_none_or(|a| a.0 != f64::from(p.year)))
                .nth(i)
                .map_or(0, |p| p.year);
            v.problem(
                at.key("observed"),
                format!("the observed value in {year} is {}; a cagr (constant growth) fit needs values above 0", significant(value)),
            );
        }
        fit::Error::OutOfDomain(None, value) => v.problem(
            at.key("fit").key("anchor"),
            format!(
                "the anchor value {} is outside what the {shape} curve can pass through (above 0{})",
                significant(value),
                spec.cap.map_or(String::new(), |c| format!(" and below the cap {}", significant(c)))
            ),
        ),
        fit::Error::Singular => v.problem(
            at.key("observed"),
            "the observed values cannot determine the curve: they need at least two different years (besides an anchor's)",
        ),
        fit::Error::CapNotIdentified => v.problem(
            at.key("fit"),
            format!("the cap cannot be estimated: the observed values show no bend, so every higher cap fits them as well; give `cap = …` (the {shape} curve's ceiling) or fit `cagr`"),
        ),
    }
}

impl MetricFit {
    /// How the fit was made, one line: "least squares on 9 observed values 2015–2023,
    /// constant growth (on ln values, like Excel's LOGEST), anchored at the baseline".
    pub fn method_words(&self, metric: &super::Metric, lang: Lang) -> String {
        let ko = lang == Lang::Ko;
        let years = match (metric.observed.first(), metric.observed.last()) {
            (Some(a), Some(b)) => format!("{}–{}", a.year, b.year),
            _ => String::new(),
        };
        let model = self.fit.spec().model;
        let cap = match (model.has_cap(), self.fit.spec().cap.is_some(), ko) {
            (false, _, _) => "",
            (true, true, false) => " with the given cap",
            (true, false, false) => " with an estimated cap",
            (true, true, true) => ", 주어진 상한",
            (true, false, true) => ", 상한 추정",
        };
        let shape = match (model, ko) {
            (Model::Linear, false) => "a straight line (like Excel's TREND)",
            (Model::Exponential, false) => "constant growth, on ln values (like Excel's LOGEST)",
            (Model::Logistic, false) => "a logistic curve",
            (Model::Gompertz, false) => "a Gompertz curve",
            (Model::Linear, true) => "직선(Excel TREND와 같음)",
            (Model::Exponential, true) => "일정 성장률, ln 값 기준(Excel LOGEST와 같음)",
            (Model::Logistic, true) => "로지스틱 곡선",
            (Model::Gompertz, true) => "곰퍼츠 곡선",
        };
        let anchor = match (self.anchor, ko) {
            (None, _) => "",
            (Some(Anchor::Baseline), false) => ", passing exactly through the baseline",
            (Some(Anchor::Target), false) => ", passing exactly through the target",
            (Some(Anchor::Baseline), true) => ", 기준값을 정확히 지남",
            (Some(Anchor::Target), true) => ", 목표값을 정확히 지남",
        };
        if ko {
            format!(
                "{shape}{cap}: 실적 {}개({years})에 최소제곱 적합{anchor}",
                self.fit.n
            )
        } else {
            format!(
                "{shape}{cap}: least squares on {} observed values ({years}){anchor}",
                self.fit.n
            )
        }
    }

    /// The parameters with their standard errors: "growth 6.95% ± 0.36 pp a year",
    /// "cap 80 (given)".
    pub fn estimate_words(&self, lang: Lang) -> Vec<String> {
        let ko = lang == Lang::Ko;
        let model = self.fit.spec().model;
        let reference = self.fit.reference();
        self.fit
            .estimates()
            .into_iter()
            .map(|e| {
                let percent = e.parameter == Parameter::Growth;
                let show = |x: f64| {
                    if percent {
                        crate::format::percent(x, 2)
                    } else if e.parameter == Parameter::Midpoint {
                        format!("{x:.1}")
                    } else {
                        four_digits(x)
                    }
                };
                let spread = match e.se {
                    Some(se) if percent => format!(" ± {} pp", four_digits(se * 100.0)),
                    Some(se) => format!(" ± {}", four_digits(se)),
                    None => match (e.parameter == Parameter::Level, ko) {
                        (true, false) => " (anchored)".to_owned(),
                        (false, false) => " (given)".to_owned(),
                        (true, true) => " (고정점)".to_owned(),
                        (false, true) => " (주어짐)".to_owned(),
                    },
                };
                let name = match (e.parameter, ko) {
                    (Parameter::Level, false) => format!("value in {reference}"),
                    (Parameter::Level, true) => format!("{reference}년 값"),
                    (Parameter::Slope, false) => "change a year".into(),
                    (Parameter::Slope, true) => "연간 증감".into(),
                    (Parameter::Growth, false) => "growth a year".into(),
                    (Parameter::Growth, true) => "연간 성장률".into(),
                    (Parameter::Rate, false) => "rate".into(),
                    (Parameter::Rate, true) => "속도".into(),
                    (Parameter::Midpoint, false) if model == Model::Logistic => {
                        "midpoint year".into()
                    }
                    (Parameter::Midpoint, false) => "inflection year".into(),
                    (Parameter::Midpoint, true) => "변곡 연도".into(),
                    (Parameter::Cap, false) => "cap".into(),
                    (Parameter::Cap, true) => "상한".into(),
                };
                format!("{name} {}{spread}", show(e.value))
            })
            .collect()
    }

    /// The growth the fitted curve implies from the last observed year (or the baseline,
    /// if later) to the target year: "implies 7.64% a year 2023–2031 (119.5 → 215.3)";
    /// `None` when the observations reach the target year.
    pub fn implied_growth_words(
        &self,
        metric: &super::Metric,
        baseline_year: i32,
        lang: Lang,
    ) -> Option<String> {
        let last = self.values.len() - 1;
        let from = metric
            .observed
            .last()
            .map_or(0, |p| usize::try_from(p.year - baseline_year).unwrap_or(0))
            .min(last);
        if from == last {
            return None;
        }
        let (a, b) = (self.values[from], self.values[last]);
        let years = (last - from) as f64;
        let (y0, y1) = (baseline_year + from as i32, baseline_year + last as i32);
        let rate = if a > 0.0 && b > 0.0 && years > 0.0 {
            crate::format::percent((b / a).powf(1.0 / years) - 1.0, 2)
        } else {
            "n/a".to_owned()
        };
        Some(match lang {
            Lang::En => format!(
                "implies {rate} a year {y0}–{y1} ({} → {})",
                four_digits(a),
                four_digits(b)
            ),
            Lang::Ko => format!(
                "{y0}–{y1}년 연평균 {rate} ({} → {})",
                four_digits(a),
                four_digits(b)
            ),
        })
    }

    /// R², residual SD and degrees of freedom: "R² 0.992, residual SD 2.4% (on ln
    /// values), 7 degrees of freedom".
    pub fn quality_words(&self, lang: Lang) -> String {
        let ko = lang == Lang::Ko;
        let log = self.fit.spec().model == Model::Exponential;
        let sd = if log {
            // On ln values a residual SD is about a relative error.
            crate::format::percent(self.fit.residual_sd, 2)
        } else {
            four_digits(self.fit.residual_sd)
        };
        let r2 = format!("{:.3}", self.fit.r_squared);
        let dof = match (self.fit.dof, ko) {
            (_, true) => format!("자유도 {}", self.fit.dof),
            (1, false) => "1 degree of freedom".to_owned(),
            (n, false) => format!("{n} degrees of freedom"),
        };
        match (ko, log) {
            (false, false) => format!("R² {r2}, residual SD {sd}, {dof}"),
            (false, true) => format!("R² {r2} and residual SD {sd} on ln values, {dof}"),
            (true, false) => format!("R² {r2}, 잔차 표준편차 {sd}, {dof}"),
            (true, true) => format!("ln 값 기준 R² {r2}, 잔차 표준편차 {sd}, {dof}"),
        }
    }

    /// One sentence per warning.
    pub fn warning_words(&self, lang: Lang) -> Vec<String> {
        let ko = lang == Lang::Ko;
        self.fit
            .warnings
            .iter()
            .map(|w| match (w, ko) {
                (Warning::Poor { r_squared }, false) => format!(
                    "poor fit: R² {r_squared:.3} is below {}; the curve explains little of the observed values",
                    fit::POOR_R2
                ),
                (Warning::Poor { r_squared }, true) => format!(
                    "적합도 낮음: R² {r_squared:.3} < {}; 곡선이 실적을 거의 설명하지 못합니다",
                    fit::POOR_R2
                ),
                (Warning::CapNotIdentified { cap, se }, false) => format!(
                    "the cap is not identified: estimated at {} ± {}, but the observed values show little bend; give `cap`",
                    four_digits(*cap),
                    four_digits(*se)
                ),
                (Warning::CapNotIdentified { cap, se }, true) => format!(
                    "상한이 식별되지 않음: 추정값 {} ± {}, 실적에 꺾임이 거의 없습니다; `cap`을 주십시오",
                    four_digits(*cap),
                    four_digits(*se)
                ),
                (Warning::NotIdentified(p), false) => format!(
                    "the {} is not identified: its standard error exceeds its value",
                    parameter_word(*p, false)
                ),
                (Warning::NotIdentified(p), true) => format!(
                    "{}이(가) 식별되지 않음: 표준오차가 값보다 큽니다",
                    parameter_word(*p, true)
                ),
                (Warning::NotConverged, false) => {
                    "the least-squares minimisation did not converge; the parameters are uncertain".into()
                }
                (Warning::NotConverged, true) => {
                    "최소제곱 최적화가 수렴하지 않았습니다; 모수가 불확실합니다".into()
                }
            })
            .collect()
    }
}

fn parameter_word(p: Parameter, ko: bool) -> &'static str {
    match (p, ko) {
        (Parameter::Slope, false) => "yearly change",
        (Parameter::Growth, false) => "growth rate",
        (Parameter::Rate, false) => "rate",
        (Parameter::Cap, false) => "cap",
        (Parameter::Level, false) => "level",
        (Parameter::Midpoint, false) => "midpoint",
        (Parameter::Slope, true) => "연간 증감",
        (Parameter::Growth, true) => "성장률",
        (Parameter::Rate, true) => "속도",
        (Parameter::Cap, true) => "상한",
        (Parameter::Level, true) => "수준",
        (Parameter::Midpoint, true) => "변곡 연도",
    }
}

/// Four significant digits, for estimates whose standard errors say no more is known.
fn four_digits(x: f64) -> String {
    crate::stats::number::digits(x, 4)
}
