//! `report.md`: everything a run found, as a document to paste or convert (pandoc, a
//! Markdown viewer): summary, charts, assumptions with sources, checks, variants, and the
//! command that reproduces it.

use std::fmt::Write as _;

use crate::evaluate::Evaluation;
use crate::format::{amount, fixed, number, rate};
use crate::model::{SeriesKind, shape::cagr};
use crate::scenario::{Lang, PreStartGrowth, RatioKind, Relative, Shape};

/// What goes into a report.
pub struct ReportInput<'a> {
    /// The evaluation the report is about: the base, or one variant.
    pub eval: &'a Evaluation<'a>,
    /// Variants to describe in a section of their own, each with its folder of outputs
    /// (empty in a variant's own report).
    pub variants: &'a [Evaluation<'a>],
    /// Charts are SVG rather than PNG.
    pub svg: bool,
    /// The command line that made the run.
    pub command: &'a str,
}

/// Numbered figures: each chart of the report with a caption saying what it shows, under
/// the image in the same paragraph (a hard line break), so that Markdown viewers and
/// pandoc alike show it once.
pub struct Figures {
    count: usize,
    ko: bool,
    ext: &'static str,
}

impl Figures {
    /// Figures numbered from 1, in PNG or SVG.
    pub fn new(ko: bool, svg: bool) -> Self {
        Figures {
            count: 0,
            ko,
            ext: if svg { "svg" } else { "png" },
        }
    }

    /// The Markdown of the next figure: `file` without its extension, and its caption.
    pub fn figure(&mut self, file: &str, caption: &str) -> String {
        self.count += 1;
        let word = if self.ko { "그림" } else { "Figure" };
        let n = self.count;
        format!(
            "![{word} {n}]({file}.{})\\\n*{word} {n}. {}*\n",
            self.ext,
            text(caption)
        )
    }
}

/// The report text.
pub fn report(r: &ReportInput) -> String {
    let eval = r.eval;
    let s = eval.scenario;
    let projection = &eval.projection;
    let ko = eval.settings.lang == Lang::Ko;
    let t = |en: &'static str, kr: &'static str| if ko { kr } else { en };
    let mut figures = Figures::new(ko, r.svg);
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", text(&s.name));
    if let Some(v) = eval.variant {
        let _ = writeln!(
            out,
            "{} **{}** (`{}`){}\n",
            t("Variant", "변형 시나리오"),
            text(&v.label),
            v.name,
            if v.description.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", text(v.description.trim()))
            }
        );
        for (key, value) in &v.overrides {
            let _ = writeln!(out, "- `{key}` = `{value}`");
        }
        out.push('\n');
    }
    if !s.description.trim().is_empty() {
        let _ = writeln!(out, "{}\n", text(s.description.trim()));
    }
    let _ = writeln!(
        out,
        "{} {}–{}, {} {}.\n",
        t("Projection", "전망 기간"),
        s.baseline_year,
        s.target_year,
        t("unit:", "단위:"),
        text(&super::summary::units(s))
    );

    // Summary.
    let _ = writeln!(out, "## {}\n", t("Summary", "요약"));
    let (b, y) = (s.baseline_year, s.target_year);
    let _ = writeln!(
        out,
        "| {} | {} | {b} | {y} | CAGR |\n|---|---|---:|---:|---:|",
        t("metric", "지표"),
        t("shape", "형태")
    );
    for (m, path) in s.metrics.iter().zip(&projection.metrics) {
        let (first, last) = (path[0], path[path.len() - 1]);
        let growth = cagr(first, last, f64::from(y - b)).map_or_else(|| "–".into(), |g| rate(g, 2));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {growth} |",
            cell(&m.label),
            shape_words(m, ko),
            crate::format::money_or(first, &m.unit, eval.settings.money, amount),
            crate::format::money_or(last, &m.unit, eval.settings.money, amount)
        );
    }
    if !s.ratios.is_empty() {
        let _ = writeln!(
            out,
            "\n| {} | {} | {b} | {y} |\n|---|---|---:|---:|",
            t("ratio", "비율"),
            t("of", "정의")
        );
        for (ratio, path) in s.ratios.iter().zip(&projection.ratios) {
            let v = |x: f64| {
                if ratio.kind == RatioKind::Share {
                    rate(x, 3)
                } else {
                    number(x, 4)
                }
            };
            let _ = writeln!(
                out,
                "| {} | {} / {} | {} | {} |",
                cell(&ratio.label),
                s.metrics[ratio.numerator].name,
                s.metrics[ratio.denominator].name,
                v(path[0]),
                v(path[path.len() - 1])
            );
        }
    }
    let first = s.first_year();
    let paths_caption = if ko {
        format!(
            "지표와 비율의 연도별 경로, {first}–{y}년 (● 주어진 값, ◇ 발표값, 점과 가는 선은 실적)"
        )
    } else {
        format!(
            "Year-by-year paths of every metric and ratio, {first}–{y} (● given points, ◇ stated figures, dots on a thin line: observed values)"
        )
    };
    let _ = writeln!(out, "\n{}", figures.figure("paths", &paths_caption));
    for m in s
        .metrics
        .iter()
        .filter(|m| matches!(m.shape, Shape::Sum { .. }))
    {
        let caption = if ko {
            format!("{}의 부문별 구성, {b}–{y}년", m.label)
        } else {
            format!("{} by segment, stacked, {b}–{y}", m.label)
        };
        let _ = writeln!(
            out,
            "{}",
            figures.figure(&format!("segments_{}", m.name), &caption)
        );
    }

    if !eval.comparisons.is_empty() {
        let _ = writeln!(
            out,
            "### {}\n\n| {} | {} | {} | {} | {} | |\n|---|---:|---:|---:|---:|---|",
            t(
                "Stated figures against derived values",
                "발표 수치와 계산 값"
            ),
            t("figure", "수치"),
            t("stated", "발표"),
            t("derived", "계산"),
            t("difference", "차이"),
            t("tolerance", "허용 오차")
        );
        for c in &eval.comparisons {
            let share = c.kind == SeriesKind::Ratio(RatioKind::Share);
            let v = |x: f64| {
                if share {
                    format!("{}%", fixed(x * 100.0, 3))
                } else {
                    fixed(x, 4)
                }
            };
            let d = |x: f64| {
                let sign = if x > 0.0 { "+" } else { "" };
                if share {
                    format!("{sign}{} pp", fixed(x * 100.0, 3))
                } else {
                    format!("{sign}{}", fixed(x, 4))
                }
            };
            let verdict = if !c.differs() {
                t("agrees", "일치")
            } else if c.within_tolerance() {
                t("within tolerance", "허용 범위 안")
            } else {
                t("**outside tolerance**", "**허용 범위 밖**")
            };
            let _ = writeln!(
                out,
                "| {} {}{} | {} | {} | {} | ±{} | {verdict} |",
                c.series,
                c.year,
                c.source
                    .as_deref()
                    .map_or_else(String::new, |k| format!(" [{k}]")),
                v(c.stated),
                v(c.derived),
                d(c.difference()),
                d(c.tolerance).trim_start_matches('+')
            );
        }
        out.push('\n');
    }

    year_by_year(&mut out, eval, ko);
    if let Some(section) = super::sensitivity::markdown(eval, &mut figures) {
        out.push_str(&section);
    }

    // Assumptions.
    let _ = writeln!(out, "## {}\n", t("Assumptions and sources", "가정과 출처"));
    for m in &s.metrics {
        let _ = writeln!(
            out,
            "- **{}** (`{}`): {}",
            text(&m.label),
            m.name,
            shape_words(m, ko)
        );
        let cite = |k: &Option<String>| {
            k.as_deref().map_or_else(
                || t(" — *no source*", " — *출처 없음*").to_owned(),
                |k| format!(" [{k}]"),
            )
        };
        let derived = t("from the curve", "곡선에서 도출");
        if let Some(f) = &m.fit {
            let _ = writeln!(out, "  - {}", f.method_words(m, eval.settings.lang));
            let _ = writeln!(
                out,
                "  - {}",
                f.estimate_words(eval.settings.lang).join(", ")
            );
            let _ = writeln!(out, "  - {}", f.quality_words(eval.settings.lang));
            if let Some(words) = f.implied_growth_words(m, b, eval.settings.lang) {
                let _ = writeln!(out, "  - {words}");
            }
            for w in f.warning_words(eval.settings.lang) {
                let _ = writeln!(out, "  - **{}** {w}", t("Warning:", "경고:"));
            }
        }
        let value =
            |v: f64| crate::format::money_or(v, &m.unit, eval.settings.money, |v| fixed(v, 4));
        let point = |year: i32, p: &crate::scenario::Point, given: bool| {
            if given {
                format!("  - {year}: {}{}", value(p.value), cite(&p.source))
            } else {
                format!("  - {year}: {} ({derived})", value(p.value))
            }
        };
        let _ = writeln!(out, "{}", point(b, &m.baseline, m.baseline_given));
        for p in &m.milestones {
            let _ = writeln!(out, "{}", point(p.year, p, true));
        }
        let _ = writeln!(out, "{}", point(y, &m.target, m.target_given));
        if let (Some(first), Some(last)) = (m.observed.first(), m.observed.last()) {
            let mut sources: Vec<&str> = m
                .observed
                .iter()
                .filter_map(|p| p.source.as_deref())
                .collect();
            sources.sort_unstable();
            sources.dedup();
            let cited = if sources.is_empty() {
                t(" — *no source*", " — *출처 없음*").to_owned()
            } else {
                format!(" [{}]", sources.join("], ["))
            };
            let _ = writeln!(
                out,
                "  - {} {}–{}: {} {}{cited}",
                t("observed", "실적"),
                first.year,
                last.year,
                m.observed.len(),
                t("values (in paths.csv)", "개 값 (paths.csv에 있음)"),
            );
        }
        if let Some(start) = &m.start {
            let line = match (&start.growth, ko) {
                (PreStartGrowth::Rate(g), false) => format!(
                    "programme starts {}; growth before it {}% a year",
                    start.year,
                    fixed(g * 100.0, 2)
                ),
                (PreStartGrowth::Rate(g), true) => format!(
                    "사업 시작 {}년; 그 전에는 연 {}% 성장",
                    start.year,
                    fixed(g * 100.0, 2)
                ),
                (PreStartGrowth::Follow(i), false) => format!(
                    "programme starts {}; growth before it as {}",
                    start.year,
                    text(&s.metrics[*i].label)
                ),
                (PreStartGrowth::Follow(i), true) => format!(
                    "사업 시작 {}년; 그 전에는 {} 지표와 같은 비율로 성장",
                    start.year,
                    text(&s.metrics[*i].label)
                ),
            };
            let _ = writeln!(out, "  - {line}");
        }
    }
    if let Some(u) = &s.uncertainty {
        for i in &u.inputs {
            let _ = writeln!(
                out,
                "- {} ({}): {}{}{}",
                text(&i.label),
                t("range", "범위"),
                i.words(eval.settings.lang),
                match i.relative {
                    Some(Relative::Factor { of }) => format!(
                        " ({} {})",
                        t("relative: factors of the value", "상대 범위: 값의 배수, 값"),
                        fixed(of, 4)
                    ),
                    Some(Relative::Offset { to }) => format!(
                        " ({} {})",
                        t(
                            "relative: offsets from the value",
                            "상대 범위: 값에서의 차이, 값"
                        ),
                        fixed(to, 4)
                    ),
                    None => String::new(),
                },
                i.source
                    .as_deref()
                    .map_or_else(String::new, |k| format!(" [{k}]"))
            );
        }
        if let Some(c) = &u.correlation {
            let names: Vec<String> = c.inputs.iter().map(|&i| text(&u.inputs[i].label)).collect();
            let _ = writeln!(
                out,
                "- {}: {}",
                t(
                    "Rank correlations (Iman–Conover) between",
                    "순위 상관 (Iman–Conover)"
                ),
                names.join(", ")
            );
        }
    }
    let _ = writeln!(out, "\n{}\n", t("Sources:", "출처:"));
    for src in &s.sources {
        let _ = writeln!(out, "- [{}] {}", text(&src.key), text(&src.citation));
    }
    out.push('\n');

    // Checks.
    let counted = |o: &&crate::check::Outcome| o.skipped.is_none();
    let passed = eval.checks.iter().filter(|c| c.counts_as_passed()).count();
    let failed = eval.checks.iter().filter(|c| c.failed()).count();
    let skipped = eval.checks.iter().filter(|c| !counted(c)).count();
    let _ = writeln!(
        out,
        "## {}\n\n{passed} {}, {failed} {}{}.\n\n| | {} | {} | {} |\n|---|---|---|---|",
        t("Checks", "점검"),
        t("passed", "통과"),
        t("failed", "실패"),
        if skipped > 0 {
            format!(", {skipped} {}", t("skipped", "제외"))
        } else {
            String::new()
        },
        t("check", "점검 항목"),
        t("result", "결과"),
        t("bound", "기준")
    );
    for c in &eval.checks {
        let mark = match (&c.skipped, c.passed) {
            (Some(_), _) => t("skipped", "제외"),
            (None, true) => t("pass", "통과"),
            (None, false) => t("**FAIL**", "**실패**"),
        };
        let (name, actual, bound) = match (ko, c.builtin) {
            (true, true) => builtin_in_korean(c, s),
            // A declared check's name and text are the file's; its bound is kjproj's words.
            (true, false) => (
                c.name.clone(),
                c.actual.clone(),
                c.bound.replace("between ", "").replace(" and ", "–"),
            ),
            (false, _) => (c.name.clone(), c.actual.clone(), c.bound.clone()),
        };
        let result = match &c.skipped {
            Some(why) => format!("{actual} ({}: {why})", t("skipped", "제외")),
            None => actual,
        };
        let _ = writeln!(
            out,
            "| {mark} | {} | {} | {} |",
            cell(&name),
            cell(&result),
            cell(&bound)
        );
    }
    out.push('\n');

    // Variants.
    if !r.variants.is_empty() {
        let _ = writeln!(out, "## {}\n", t("Variants", "변형 시나리오"));
        let caption = if ko {
            "기준 시나리오와 각 변형의 경로 비교"
        } else {
            "The base scenario and every variant, series by series"
        };
        let _ = writeln!(out, "{}", figures.figure("compare", caption));
        for ve in r.variants {
            let Some(v) = ve.variant else { continue };
            let p = &ve.projection;
            let _ = writeln!(out, "### {}\n", text(&v.label));
            if !v.description.trim().is_empty() {
                let _ = writeln!(out, "{}\n", text(v.description.trim()));
            }
            for (key, value) in &v.overrides {
                let _ = writeln!(out, "- `{key}` = `{value}`");
            }
            let finals: Vec<String> = v
                .scenario
                .metrics
                .iter()
                .zip(&p.metrics)
                .map(|(m, path)| {
                    let last = path[path.len() - 1];
                    let value = crate::format::money_or(last, &m.unit, eval.settings.money, amount);
                    format!("{} {value}", text(&m.label))
                })
                .chain(
                    v.scenario
                        .ratios
                        .iter()
                        .zip(&p.ratios)
                        .map(|(ratio, path)| {
                            let x = path[path.len() - 1];
                            if ratio.kind == RatioKind::Share {
                                format!("{} {}", text(&ratio.label), rate(x, 3))
                            } else {
                                format!("{} {}", text(&ratio.label), number(x, 4))
                            }
                        }),
                )
                .collect();
            let year = if ko { format!("{y}년") } else { y.to_string() };
            let _ = writeln!(out, "\n{year}: {}.\n", finals.join(", "));
            let failed: Vec<&str> = ve
                .checks
                .iter()
                .filter(|c| c.failed())
                .map(|c| c.name.as_str())
                .collect();
            let _ = writeln!(
                out,
                "{}: {} {}, {} {}, {} {}{}. {} [{}/report.md]({}/report.md).\n",
                t("Checks", "점검"),
                ve.checks.iter().filter(|c| c.counts_as_passed()).count(),
                t("passed", "통과"),
                failed.len(),
                t("failed", "실패"),
                ve.checks.iter().filter(|c| c.skipped.is_some()).count(),
                t("skipped", "제외"),
                if failed.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", failed.join("; "))
                },
                t("Its own report:", "변형 보고서:"),
                v.name,
                v.name
            );
            let caption = if ko {
                format!("변형 {}의 연도별 경로", v.label)
            } else {
                format!("Year-by-year paths of the variant {}", v.label)
            };
            let _ = writeln!(
                out,
                "{}",
                figures.figure(&format!("{}/paths", v.name), &caption)
            );
        }
    }

    // Reproduce.
    let _ = writeln!(out, "## {}\n", t("Reproduce", "재현 방법"));
    let _ = writeln!(
        out,
        "{}\n\n```sh\n{}\n```\n",
        t(
            "Made by kjproj with this command; the same command, file and seed give identical CSV files on any machine and thread count:",
            "kjproj로 다음 명령을 실행해 만들었습니다. 같은 명령, 파일, 시드는 어떤 컴퓨터와 스레드 수에서도 같은 CSV 파일을 만듭니다:"
        ),
        r.command
    );
    let _ = writeln!(
        out,
        "kjproj {}{}",
        env!("CARGO_PKG_VERSION"),
        eval.sensitivity
            .as_ref()
            .map(|_| eval.settings.simulation.seed)
            .map_or_else(String::new, |seed| format!(
                ", {} {seed}",
                t("seed", "시드")
            ))
    );
    out
}

/// User text in Markdown: `&`, `<` and `>` as entities, so that a label such as
/// `<script>` shows as written instead of becoming HTML in a viewer or after pandoc.
pub fn text(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A table cell: user text escaped, and pipes too, so they do not split the cell.
fn cell(t: &str) -> String {
    text(t).replace('|', "\\|")
}

/// A metric's shape in words: "logistic (cap 80)", "cagr from 2025", "cagr fit",
/// "gompertz fit (cap 80, estimated)".
fn shape_words(m: &crate::scenario::Metric, ko: bool) -> String {
    let shape = &m.shape;
    let estimated = m.fit.as_ref().is_some_and(|f| f.fit.spec().cap.is_none());
    let cap = match (shape, estimated, ko) {
        (Shape::Logistic { cap } | Shape::Gompertz { cap }, false, false) => {
            format!(" (cap {})", fixed(*cap, 4))
        }
        (Shape::Logistic { cap } | Shape::Gompertz { cap }, false, true) => {
            format!(" (상한 {})", fixed(*cap, 4))
        }
        (Shape::Logistic { cap } | Shape::Gompertz { cap }, true, false) => {
            format!(" (cap {}, estimated)", fixed(*cap, 4))
        }
        (Shape::Logistic { cap } | Shape::Gompertz { cap }, true, true) => {
            format!(" (상한 {}, 추정)", fixed(*cap, 4))
        }
        _ => String::new(),
    };
    let fitted = match (m.fit.is_some(), ko) {
        (false, _) => "",
        (true, false) => " fit",
        (true, true) => " 적합",
    };
    let lang = if ko { Lang::Ko } else { Lang::En };
    let name = format!("{}{fitted}{cap}", shape.name_in(lang));
    match (m.start.as_ref().map(|st| st.year), ko) {
        (Some(year), false) => format!("{name} from {year}"),
        (Some(year), true) => format!("{name}, {year}년부터"),
        (None, _) => name,
    }
}

/// The year-by-year table: every metric (and its observed values) and ratio, from the
/// earliest observed year to the target year: the main deliverable of a projection.
fn year_by_year(out: &mut String, eval: &Evaluation, ko: bool) {
    let s = eval.scenario;
    let p = &eval.projection;
    let _ = writeln!(
        out,
        "## {}\n",
        if ko { "연도별 값" } else { "Year by year" }
    );
    let observed = if ko { "실적" } else { "observed" };
    let mut header = vec![if ko { "연도" } else { "year" }.to_owned()];
    for m in &s.metrics {
        header.push(format!("{} ({})", cell(&m.label), cell(&m.unit)));
        if !m.observed.is_empty() {
            header.push(format!("{} ({observed})", cell(&m.label)));
        }
    }
    header.extend(s.ratios.iter().map(|r| cell(&r.label)));
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|---:|{}", "---:|".repeat(header.len() - 1));
    for year in s.first_year()..=s.target_year {
        let i = usize::try_from(year - s.baseline_year).ok();
        let at = |path: &[f64]| i.and_then(|i| path.get(i)).copied();
        let mut row = vec![year.to_string()];
        for (m, path) in s.metrics.iter().zip(&p.metrics) {
            row.push(at(path).map_or_else(String::new, |v| {
                crate::format::money_or(v, &m.unit, eval.settings.money, amount)
            }));
            if !m.observed.is_empty() {
                row.push(
                    m.observed_in(year)
                        .map_or_else(String::new, |v| fixed(v, 4)),
                );
            }
        }
        for (r, path) in s.ratios.iter().zip(&p.ratios) {
            row.push(at(path).map_or_else(String::new, |v| {
                if r.kind == RatioKind::Share {
                    rate(v, 2)
                } else {
                    number(v, 4)
                }
            }));
        }
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out.push('\n');
}

/// A built-in check's name, result and bound in Korean (its English name stays the one
/// `skip_checks` names).
fn builtin_in_korean(
    c: &crate::check::Outcome,
    s: &crate::scenario::Scenario,
) -> (String, String, String) {
    use crate::check::Finding;
    let words = |text: &str| {
        text.replace("from ", "")
            .replace(" to ", "–")
            .replace("between 0% and 100%", "0%–100%")
            .replace("all rising or all falling", "모두 증가 또는 모두 감소")
    };
    match &c.finding {
        Finding::Stated(cmp) => (
            format!(
                "발표값 {} {}년이 도출값과 일치{}",
                cmp.series,
                cmp.year,
                cmp.source
                    .as_deref()
                    .map_or_else(String::new, |k| format!(" [{k}]"))
            ),
            format!(
                "도출 {}, 발표 {}, 차이 {}",
                cmp.figure(cmp.derived),
                cmp.figure(cmp.stated),
                cmp.gap(cmp.difference(), true)
            ),
            format!(
                "{} ± {}",
                cmp.figure(cmp.stated),
                cmp.gap(cmp.tolerance, false)
            ),
        ),
        Finding::ShareOutside { ratio, .. } => (
            format!("{ratio}이(가) 매년 0%–100% 안에 있음"),
            words(&c.actual),
            "0%–100%".to_owned(),
        ),
        Finding::Milestones { metric, shape } => (
            format!("{metric}의 값들이 {} 형태에 맞음", shape.name_in(Lang::Ko)),
            c.actual.clone(),
            words(&c.bound),
        ),
        Finding::Unsourced(missing) => (
            "모든 값에 출처가 있음".to_owned(),
            if missing.is_empty() {
                "모두 출처 있음".to_owned()
            } else {
                format!("출처 없는 값 {}개: {}", missing.len(), c.actual)
            },
            "모든 값에 출처".to_owned(),
        ),
        Finding::Fit { metric, .. } => {
            let fit = s
                .metrics
                .iter()
                .find(|m| &m.name == metric)
                .and_then(|m| m.fit.as_ref());
            let lang = crate::scenario::Lang::Ko;
            let actual = fit.map_or_else(
                || c.actual.clone(),
                |f| {
                    let mut parts = f.warning_words(lang);
                    parts.push(f.quality_words(lang));
                    parts.push(f.estimate_words(lang).join(", "));
                    parts.join("; ")
                },
            );
            (
                format!("{metric}의 적합이 타당함"),
                actual,
                format!("R² ≥ {}, 모든 모수 식별, 수렴", crate::stats::fit::POOR_R2),
            )
        }
        Finding::Declared => (c.name.clone(), c.actual.clone(), c.bound.clone()),
    }
}
