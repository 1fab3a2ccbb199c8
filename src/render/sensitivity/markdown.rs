//! The sensitivity section of `report.md`.

use std::fmt::Write as _;

use super::{Names, significant_short};
use crate::evaluate::Evaluation;
use crate::format::{fixed, grouped};
use crate::render::report::Figures;
use crate::scenario::{Lang, Output, Scenario};
use crate::sensitivity::monte_carlo::{self, MonteCarlo};
use crate::sensitivity::sobol;
use crate::sensitivity::tornado::Tornado;
use crate::stats::sampling::Method;

/// The sensitivity section of `report.md`: Monte Carlo table, probabilities, tornado and
/// Sobol tables, and the charts; `None` without an analysis.
pub fn markdown(eval: &Evaluation, figures: &mut Figures) -> Option<String> {
    let sens = eval.sensitivity.as_ref()?;
    Some(markdown_text(
        eval.scenario,
        &sens.monte_carlo,
        &sens.tornado,
        sens.sobol.as_ref(),
        sens.sobol_correlated.as_ref(),
        sens.headline,
        &Names::new(eval.scenario, eval.settings.lang),
        eval.settings.simulation,
        figures,
    ))
}

#[allow(clippy::too_many_arguments)]
fn markdown_text(
    scenario: &Scenario,
    mc: &MonteCarlo,
    t: &Tornado,
    sobol: Option<&(Vec<Output>, sobol::Estimate)>,
    correlated: Option<&(Vec<Output>, sobol::Estimate)>,
    o: usize,
    names: &Names,
    settings: monte_carlo::Settings,
    figures: &mut Figures,
) -> String {
    let ko = names.lang == Lang::Ko;
    let last = scenario.years().count() - 1;
    let ty = scenario.target_year;
    let mut out = String::new();
    let method = match (settings.method, ko) {
        (Method::LatinHypercube, false) => "Latin hypercube sampling",
        (Method::Random, false) => "plain random sampling",
        (Method::LatinHypercube, true) => "라틴 하이퍼큐브 표본추출",
        (Method::Random, true) => "무작위 표본추출",
    };
    let _ = writeln!(
        out,
        "## {}\n",
        if ko {
            "불확실성 분석"
        } else {
            "Uncertainty"
        }
    );
    let _ = writeln!(
        out,
        "{}\n",
        if ko {
            format!(
                "몬테카를로 {}회 ({method}), 시드 {}{}.",
                grouped(mc.feasible()),
                settings.seed,
                super::left_out(mc, Lang::Ko)
            )
        } else {
            format!(
                "Monte Carlo with {} draws ({method}), seed {}{}.",
                grouped(mc.feasible()),
                settings.seed,
                super::left_out(mc, Lang::En)
            )
        }
    );
    let _ = writeln!(
        out,
        "| {} {ty} | P5 | P25 | P50 | P75 | P95 | {} |",
        if ko { "항목" } else { "series in" },
        if ko { "평균" } else { "mean" }
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
    for (s, stats) in &mc.series {
        let p = &stats.percentiles[last];
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            super::super::report::text(names.label(*s)),
            names.mc_value(*s, p[0]),
            names.mc_value(*s, p[2]),
            names.mc_value(*s, p[3]),
            names.mc_value(*s, p[4]),
            names.mc_value(*s, p[6]),
            names.mc_value(*s, stats.mean[last])
        );
    }
    out.push('\n');
    for p in mc.probabilities.iter().filter(|p| p.year > 0) {
        let _ = writeln!(
            out,
            "- **P({} {} ≥ {}) = {}%** ({} {} pp)",
            names.name(p.series),
            scenario.baseline_year + p.year as i32,
            names.value(p.series, p.stated),
            fixed(p.probability * 100.0, 1),
            if ko { "표준오차" } else { "standard error" },
            fixed(p.se * 100.0, 2)
        );
    }
    let head_words = t
        .outputs
        .get(o)
        .map_or_else(String::new, |h| h.text.clone());
    let (fan, histogram) = if ko {
        (
            "몬테카를로 백분위 구간(P5–P95, P10–P90, P25–P75)과 중앙값, 계열별".to_owned(),
            format!("{head_words}의 분포 (몬테카를로)"),
        )
    } else {
        (
            "Monte Carlo percentile bands (P5–P95, P10–P90, P25–P75) and median of every series"
                .to_owned(),
            format!("Distribution of {head_words} over the Monte Carlo draws"),
        )
    };
    let _ = writeln!(
        out,
        "\n{}\n{}",
        figures.figure("fan", &fan),
        figures.figure("histogram", &histogram)
    );

    if let Some(head) = t.outputs.get(o) {
        let _ = writeln!(
            out,
            "### {}\n",
            if ko {
                "토네이도 (한 번에 하나씩)"
            } else {
                "Tornado (one at a time)"
            }
        );
        let _ = writeln!(
            out,
            "| {} | P{} | P{} | {name} ({}) | {name} ({}) |",
            if ko { "입력값" } else { "input" },
            (t.swing.0 * 100.0).round(),
            (t.swing.1 * 100.0).round(),
            if ko { "낮음" } else { "low" },
            if ko { "높음" } else { "high" },
            name = match (&head.quantity, head.quantity.series().year) {
                (crate::scenario::expr::Quantity::Value(_), Some((y, _))) => {
                    format!("{} {y}", head.text)
                }
                _ => head.text.clone(),
            },
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|");
        for s in t.ordered(o) {
            let (a, b) = s.outputs[o];
            let (low, high) = match (a.is_nan() || b.is_nan(), &s.problem) {
                (true, Some(why)) => (
                    if a.is_nan() {
                        format!("– ({why})")
                    } else {
                        names.out_value(head, a)
                    },
                    if b.is_nan() {
                        format!("– ({why})")
                    } else {
                        names.out_value(head, b)
                    },
                ),
                _ => (names.out_value(head, a), names.out_value(head, b)),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                super::super::report::text(names.input_label(s.input)),
                significant_short(s.low),
                significant_short(s.high),
                low.replace('|', "\\|"),
                high.replace('|', "\\|")
            );
        }
        let caption = if ko {
            format!(
                "{}: 입력을 하나씩 P{:.0}에서 P{:.0}로 바꿀 때의 변화",
                head.text,
                t.swing.0 * 100.0,
                t.swing.1 * 100.0
            )
        } else {
            format!(
                "{}: the change as each input alone moves from its P{:.0} to its P{:.0}",
                head.text,
                t.swing.0 * 100.0,
                t.swing.1 * 100.0
            )
        };
        let _ = writeln!(out, "\n{}", figures.figure("tornado", &caption));
    }
    if sobol.is_some() || correlated.is_some() {
        let _ = writeln!(
            out,
            "### {}\n",
            if ko {
                "소볼 민감도 지수"
            } else {
                "Sobol indices"
            }
        );
        if correlated.is_some() {
            let _ = writeln!(
                out,
                "{}\n",
                if ko {
                    "파일의 입력값 상관을 반영한 지수(Kucherenko 외 2012)가 이 시나리오의 모형을 설명합니다. 입력값을 독립으로 본 지수(SALib 방식)를 함께 싣습니다. 상관 모형에서 1차 지수는 상관된 입력값과 공유하는 효과까지, 총 지수는 고유한 효과만 나타냅니다."
                } else {
                    "The indices with the file's correlations (Kucherenko, Tarantola & Annoni 2012) describe this scenario's model; the indices as if the inputs were independent (as SALib computes them) are given beside them. With correlations, a first-order index includes what an input shares with the inputs it is correlated with; a total index only what is its own."
                }
            );
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            if ko { "입력값" } else { "input" },
            if ko { "입력값 관계" } else { "inputs as" },
            if ko {
                "1차 지수 (95% 구간)"
            } else {
                "first order (95% interval)"
            },
            if ko {
                "총 지수 (95% 구간)"
            } else {
                "total (95% interval)"
            }
        );
        let _ = writeln!(out, "|---|---|---:|---:|");
        let sets = [
            (correlated, if ko { "상관 반영" } else { "correlated" }),
            (sobol, if ko { "독립" } else { "independent" }),
        ];
        for (set, kind) in sets {
            let Some((outputs, e)) = set else { continue };
            if o >= outputs.len() {
                continue;
            }
            for (i, ix) in e.indices[o].iter().enumerate() {
                let _ = writeln!(
                    out,
                    "| {} | {kind} | {} ± {} | {} ± {} |",
                    super::super::report::text(names.input_label(i)),
                    fixed(ix.first.clamp(0.0, 1.0), 3),
                    fixed(ix.first_conf, 3),
                    fixed(ix.total.clamp(0.0, 1.0), 3),
                    fixed(ix.total_conf, 3)
                );
            }
        }
        let caption = if ko {
            format!("{head_words}의 분산 중 각 입력이 차지하는 몫 (소볼 지수)")
        } else {
            format!("Sobol indices of {head_words}: the share of its variance due to each input")
        };
        let _ = writeln!(out, "\n{}", figures.figure("sobol", &caption));
    }
    out
}
