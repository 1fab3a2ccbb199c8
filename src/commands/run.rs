//! `kjproj run`: project a scenario, print a summary, write `paths.csv` and `paths.png`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::Style;
use super::compare::{Entry, comparison_files, comparison_table};
use super::sensitivity::{SensitivityOptions, analyse};
use crate::error::Error;
use crate::export::{OutputFile, paths_csv, write_atomically};
use crate::format::fixed as trim;
use crate::model::{self, Comparison, Projection, SeriesKind, shape::cagr};
use crate::plot::{self, ChartSeries, PathsChart};
use crate::scenario::{self, Lang, PreStartGrowth, RatioKind, Scenario, Shape};

/// Options of `kjproj run`.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Output directory; `None` means `output/<scenario file stem>`.
    pub out_dir: Option<PathBuf>,
    /// Also write `paths.svg`.
    pub svg: bool,
    /// Chart language overriding the scenario's.
    pub lang: Option<Lang>,
    /// Print only warnings and errors.
    pub quiet: bool,
    /// Sensitivity settings from the command line.
    pub sensitivity: SensitivityOptions,
    /// Worker threads (default: all cores). Results do not depend on it.
    pub threads: Option<usize>,
    /// The command line as typed, quoted for a shell, for the report's "reproduce" section.
    pub command_line: String,
}

/// Runs `kjproj run`.
///
/// Everything is computed and rendered in memory first; files are written only when all
/// of it succeeded, each atomically.
pub fn run(options: &RunOptions) -> Result<(), Error> {
    let scenario = scenario::load(&options.scenario)?;
    if options.sensitivity.draws == Some(0) {
        return Err(Error::Usage("--draws must be at least 1".into()));
    }
    if let Some(d) = options.sensitivity.draws
        && d > scenario::MAX_DRAWS
    {
        return Err(Error::Usage(format!(
            "--draws {d} is more than the limit of {}",
            scenario::MAX_DRAWS
        )));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Internal {
            context: "thread pool".into(),
            message: e.to_string(),
        })?;
    pool.install(|| run_loaded(options, scenario))
}

/// Everything one scenario (the base or a variant) produces.
pub struct Outputs {
    /// The projection.
    pub projection: Projection,
    /// Files to write.
    pub files: Vec<OutputFile>,
    /// The terminal summary.
    pub summary: String,
    /// Warnings for standard error.
    pub warnings: Vec<String>,
    /// The sensitivity section of the report, if any.
    pub sensitivity_markdown: Option<String>,
    /// The simulation settings, if a simulation ran.
    pub simulation: Option<crate::sensitivity::monte_carlo::Settings>,
    /// The simulation, if one ran.
    pub monte_carlo: Option<crate::sensitivity::monte_carlo::MonteCarlo>,
}

/// Projects `scenario`, runs its sensitivity analyses and renders every output in memory.
pub fn outputs(
    scenario: &Scenario,
    lang: Lang,
    svg: bool,
    sensitivity: &SensitivityOptions,
) -> Result<Outputs, Error> {
    let projection = model::project(scenario).map_err(|e| {
        // `load` already projected the scenario once, so this cannot fail; keep the error
        // honest rather than panic if that ever changes.
        Error::Internal {
            context: "projection".into(),
            message: e.message,
        }
    })?;
    let comparisons = model::comparisons(scenario, &projection);

    let mut files = vec![OutputFile {
        name: "paths.csv".into(),
        bytes: paths_csv(scenario, &projection).map_err(|source| Error::Write {
            path: "paths.csv".into(),
            source,
        })?,
    }];
    let chart = paths_chart(scenario, &projection, lang);
    push_chart(
        &mut files,
        "paths",
        svg,
        || plot::render_png(&chart),
        || plot::render_svg(&chart),
    )?;
    for (metric, chart) in stacked_charts(scenario, &projection, lang) {
        push_chart(
            &mut files,
            &format!("segments_{metric}"),
            svg,
            || plot::render_stacked_png(&chart),
            || plot::render_stacked_svg(&chart),
        )?;
    }

    let sensitivity = analyse(scenario, &projection, lang, svg, sensitivity)?;
    let mut summary_text = summary(scenario, &projection, &comparisons);
    let mut warnings = warnings(scenario, &projection, &comparisons);
    let (mut sensitivity_markdown, mut simulation, mut monte_carlo) = (None, None, None);
    if let Some(report) = sensitivity {
        files.extend(report.files);
        summary_text.push_str(&report.summary);
        warnings.extend(report.warnings);
        sensitivity_markdown = Some(report.markdown);
        simulation = Some(report.settings);
        monte_carlo = Some(report.monte_carlo);
    }
    Ok(Outputs {
        projection,
        files,
        summary: summary_text,
        warnings,
        sensitivity_markdown,
        simulation,
        monte_carlo,
    })
}

/// A stacked chart for every metric that is a sum of segments: (metric name, chart).
pub fn stacked_charts(
    scenario: &Scenario,
    projection: &Projection,
    lang: Lang,
) -> Vec<(String, plot::StackedChart)> {
    scenario
        .metrics
        .iter()
        .filter_map(|m| match &m.shape {
            Shape::Sum { segments, .. } => Some((m, segments)),
            _ => None,
        })
        .map(|(m, segments)| {
            let chart = plot::StackedChart {
                title: format!("{}: {}", scenario.name, m.label),
                subtitle: match lang {
                    Lang::En => format!("{} by segment, {}", m.label, scenario.unit),
                    Lang::Ko => format!("{} 부문별, 단위: {}", m.label, scenario.unit),
                },
                year_axis: match lang {
                    Lang::En => "Year".into(),
                    Lang::Ko => "연도".into(),
                },
                value_axis: scenario.unit.clone(),
                years: projection.years.clone(),
                segments: segments
                    .iter()
                    .map(|&j| {
                        (
                            scenario.metrics[j].label.clone(),
                            projection.metrics[j].clone(),
                        )
                    })
                    .collect(),
                stated_totals: vec![
                    (m.baseline.year, m.baseline.value),
                    (m.target.year, m.target.value),
                ],
                stated_label: match lang {
                    Lang::En => "stated total".into(),
                    Lang::Ko => "발표 합계".into(),
                },
                footnotes: scenario
                    .sources
                    .iter()
                    .map(|src| {
                        let word = if lang == Lang::Ko { "출처" } else { "Source" };
                        format!("{word} [{}]: {}", src.key, src.citation)
                    })
                    .collect(),
            };
            (m.name.clone(), chart)
        })
        .collect()
}

/// Adds a chart as `NAME.png` (and `NAME.svg` when `svg`) to `files`.
pub fn push_chart(
    files: &mut Vec<OutputFile>,
    name: &str,
    svg: bool,
    png: impl FnOnce() -> Result<Vec<u8>, plot::PlotError>,
    vector: impl FnOnce() -> Result<String, plot::PlotError>,
) -> Result<(), Error> {
    files.push(OutputFile {
        name: format!("{name}.png"),
        bytes: png().map_err(plot_error(&format!("{name}.png")))?,
    });
    if svg {
        files.push(OutputFile {
            name: format!("{name}.svg"),
            bytes: vector()
                .map_err(plot_error(&format!("{name}.svg")))?
                .into_bytes(),
        });
    }
    Ok(())
}

/// Maps a chart error to an internal error naming the chart.
fn plot_error(name: &str) -> impl Fn(plot::PlotError) -> Error + use<> {
    let name = name.to_owned();
    move |e: plot::PlotError| Error::Internal {
        context: name.clone(),
        message: e.to_string(),
    }
}

fn run_loaded(options: &RunOptions, scenario: Scenario) -> Result<(), Error> {
    let lang = options.lang.unwrap_or(scenario.lang);
    let out_dir = options
        .out_dir
        .clone()
        .unwrap_or_else(|| default_out_dir(&options.scenario));

    // Compute and render everything before writing anything.
    let base = outputs(&scenario, lang, options.svg, &options.sensitivity)?;
    let mut variants = Vec::new();
    for v in &scenario.variants {
        variants.push((
            v,
            outputs(&v.scenario, lang, options.svg, &options.sensitivity)?,
        ));
    }
    let mut files = base.files.clone();
    let entries: Vec<Entry> = if variants.is_empty() {
        Vec::new()
    } else {
        std::iter::once(Entry {
            label: match lang {
                Lang::En => "base".into(),
                Lang::Ko => "기준".into(),
            },
            scenario: &scenario,
            projection: &base.projection,
        })
        .chain(variants.iter().map(|(v, o)| Entry {
            label: v.label.clone(),
            scenario: &v.scenario,
            projection: &o.projection,
        }))
        .collect()
    };
    if !entries.is_empty() {
        files.extend(comparison_files(
            &entries,
            &scenario.name,
            lang,
            options.svg,
        )?);
    }
    // The report, with the file's checks; checks on simulation results read the run's
    // own simulation.
    let simulation = match &base.monte_carlo {
        Some(mc) => crate::check::Simulation::Done(mc),
        None => crate::check::Simulation::Run(crate::sensitivity::monte_carlo::Settings {
            draws: super::check::DEFAULT_CHECK_DRAWS,
            seed: super::sensitivity::DEFAULT_SEED,
            method: crate::sensitivity::sampling::Method::LatinHypercube,
        }),
    };
    let checks = crate::check::run(&scenario, &base.projection, simulation);
    let comparisons = model::comparisons(&scenario, &base.projection);
    let text = super::report::report(&super::report::ReportInput {
        scenario: &scenario,
        projection: &base.projection,
        comparisons: &comparisons,
        sensitivity: base.sensitivity_markdown.as_deref(),
        checks: &checks,
        variants: variants.iter().map(|(v, o)| (*v, &o.projection)).collect(),
        lang,
        svg: options.svg,
        command: &options.command_line,
        seed: base.simulation.map(|s| s.seed),
    });
    files.push(OutputFile {
        name: "report.md".into(),
        bytes: text.into_bytes(),
    });

    let mut written = write_atomically(&out_dir, &files)?;
    for (v, o) in &variants {
        written.extend(write_atomically(&out_dir.join(&v.name), &o.files)?);
    }

    let style = Style::for_stderr();
    if !options.quiet {
        print!("{}", base.summary);
    }
    for w in &base.warnings {
        eprintln!("{} {w}", style.warning());
    }
    for (v, o) in &variants {
        if !options.quiet {
            println!("\n── variant {} ({}) ──", v.name, v.label);
            for (key, value) in &v.overrides {
                println!("  {key} = {value}");
            }
            println!();
            print!("{}", o.summary);
        }
        for w in &o.warnings {
            eprintln!("{} variant {}: {w}", style.warning(), v.name);
        }
    }
    if !options.quiet {
        if !entries.is_empty() {
            println!("\n── base and variants in {} ──", scenario.target_year);
            print!("{}", comparison_table(&entries));
        }
        println!();
        for path in written {
            println!("wrote {}", path.display());
        }
    }
    Ok(())
}

/// `output/<file stem>` for a scenario path.
pub fn default_out_dir(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    Path::new("output").join(stem)
}

/// The terminal summary: each metric's start, end and implied CAGR, each ratio's start and
/// end, and each stated figure next to its derived value.
pub fn summary(scenario: &Scenario, projection: &Projection, comparisons: &[Comparison]) -> String {
    let (b, t) = (scenario.baseline_year, scenario.target_year);
    let span = f64::from(t - b);
    let mut out = String::new();
    let _ = writeln!(out, "{}", scenario.name);
    let _ = writeln!(out, "{b} → {t}, unit: {}", scenario.unit);
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
        let shape = match &m.start {
            Some(s) => format!("{} from {}", m.shape.name(), s.year),
            None => m.shape.name().to_owned(),
        };
        rows.push([
            m.name.clone(),
            shape,
            metric_value(first),
            metric_value(last),
            cagr(first, last, span).map_or_else(|| "n/a".into(), |r| percent(r, 2)),
        ]);
    }
    out.push_str(&table(&rows, &[false, false, true, true, true]));
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
            metric_value(at_start)
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
                    percent(first, 3),
                    percent(last, 3),
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
                figure(c, c.stated),
                figure(c, c.derived),
                difference(c, c.difference(), true),
                format!("±{}", difference(c, c.tolerance, false)),
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

/// Warnings for the terminal: stated figures that differ from derived ones, figures
/// without a source, shares outside 0–100%.
pub fn warnings(
    scenario: &Scenario,
    projection: &Projection,
    comparisons: &[Comparison],
) -> Vec<String> {
    let mut out = Vec::new();
    for c in comparisons.iter().filter(|c| c.differs()) {
        let source = c
            .source
            .as_deref()
            .map_or_else(|| "no source".to_owned(), |s| format!("source: {s}"));
        let how = c
            .derivation
            .as_deref()
            .map_or_else(String::new, |d| format!(" ({d})"));
        let verdict = if c.within_tolerance() {
            "within"
        } else {
            "OUTSIDE"
        };
        out.push(format!(
            "{} in {} is stated as {} ({source}) but derives as {}{how}: a difference of {}, {verdict} the tolerance ±{}",
            c.series,
            c.year,
            figure(c, c.stated),
            figure(c, c.derived),
            difference(c, c.difference(), true),
            difference(c, c.tolerance, false),
        ));
    }
    for m in &scenario.metrics {
        let points = std::iter::once(("baseline", &m.baseline))
            .chain(std::iter::once(("target", &m.target)))
            .map(|(what, p)| (format!("{what} ({})", p.year), p.source.is_none()))
            .chain(
                m.milestones
                    .iter()
                    .map(|p| (format!("milestone {}", p.year), p.source.is_none())),
            )
            .chain(
                m.stated
                    .iter()
                    .map(|s| (format!("stated figure {}", s.year), s.source.is_none())),
            );
        for (what, missing) in points {
            if missing {
                out.push(format!("{}: the {what} value has no source", m.name));
            }
        }
    }
    for (r, path) in scenario.ratios.iter().zip(&projection.ratios) {
        for s in r.stated.iter().filter(|s| s.source.is_none()) {
            out.push(format!(
                "{}: the stated figure for {} has no source",
                r.name, s.year
            ));
        }
        if r.kind == RatioKind::Share {
            let outside: Vec<String> = projection
                .years
                .iter()
                .zip(path)
                .filter(|(_, v)| !(0.0..=1.0).contains(*v))
                .map(|(y, v)| format!("{y} ({})", percent(*v, 1)))
                .collect();
            if !outside.is_empty() {
                out.push(format!(
                    "{} is a share but leaves 0–100% in {}",
                    r.name,
                    outside.join(", ")
                ));
            }
        }
    }
    out
}

/// The chart data for `paths.png`.
pub fn paths_chart(scenario: &Scenario, projection: &Projection, lang: Lang) -> PathsChart {
    let metrics = scenario
        .metrics
        .iter()
        .zip(&projection.metrics)
        .map(|(m, path)| ChartSeries {
            label: m.label.clone(),
            values: path.clone(),
            given: std::iter::once(&m.baseline)
                .chain(&m.milestones)
                .chain(std::iter::once(&m.target))
                .map(|p| (p.year, p.value))
                .collect(),
            stated: m.stated.iter().map(|s| (s.year, s.value)).collect(),
        })
        .collect();
    let ratios = scenario
        .ratios
        .iter()
        .zip(&projection.ratios)
        .map(|(r, path)| ChartSeries {
            label: r.label.clone(),
            values: path.clone(),
            given: Vec::new(),
            stated: r.stated.iter().map(|s| (s.year, s.value)).collect(),
        })
        .collect();
    let all_shares =
        !scenario.ratios.is_empty() && scenario.ratios.iter().all(|r| r.kind == RatioKind::Share);

    let mut markers: Vec<(i32, String)> = Vec::new();
    let starts: Vec<(i32, &str)> = scenario
        .metrics
        .iter()
        .filter_map(|m| m.start.as_ref().map(|s| (s.year, m.label.as_str())))
        .collect();
    for &(year, label) in &starts {
        if markers.iter().any(|(y, _)| *y == year) {
            continue;
        }
        let same_year = starts.iter().filter(|(y, _)| *y == year).count();
        let text = match (lang, same_year == starts.len()) {
            (Lang::En, true) => "Programme start".to_owned(),
            (Lang::Ko, true) => "사업 시작".to_owned(),
            (Lang::En, false) => format!("{label}: start"),
            (Lang::Ko, false) => format!("{label}: 시작"),
        };
        markers.push((year, text));
    }

    let (sources_word, year_axis, given_label, stated_label, ratio_axis) = match lang {
        Lang::En => (
            "Source",
            "Year",
            "given in scenario",
            "stated figure",
            if all_shares { "Share (%)" } else { "Ratio" },
        ),
        Lang::Ko => (
            "출처",
            "연도",
            "시나리오 입력값",
            "발표 수치",
            if all_shares {
                "점유율 (%)"
            } else {
                "비율"
            },
        ),
    };
    let footnotes = scenario
        .sources
        .iter()
        .map(|s| format!("{sources_word} [{}]: {}", s.key, s.citation))
        .collect();
    let subtitle = match lang {
        Lang::En => format!(
            "Projection {}–{}, {}",
            scenario.baseline_year, scenario.target_year, scenario.unit
        ),
        Lang::Ko => format!(
            "{}–{}년 전망, 단위: {}",
            scenario.baseline_year, scenario.target_year, scenario.unit
        ),
    };

    PathsChart {
        title: scenario.name.clone(),
        subtitle,
        year_axis: year_axis.into(),
        metric_axis: scenario.unit.clone(),
        ratio_axis: ratio_axis.into(),
        years: projection.years.clone(),
        metrics,
        ratios,
        ratios_as_percent: all_shares,
        markers,
        given_label: given_label.into(),
        stated_label: stated_label.into(),
        footnotes,
    }
}

/// A comparison's figure in its natural unit: percent for shares, plain otherwise.
fn figure(c: &Comparison, v: f64) -> String {
    match c.kind {
        SeriesKind::Ratio(RatioKind::Share) => percent(v, 3),
        _ => trim(v, 4),
    }
}

/// A difference or tolerance: percentage points for shares, plain otherwise.
fn difference(c: &Comparison, v: f64, signed: bool) -> String {
    let sign = if signed && v >= 0.0 { "+" } else { "" };
    match c.kind {
        SeriesKind::Ratio(RatioKind::Share) => format!("{sign}{} pp", trim(v * 100.0, 3)),
        _ => format!("{sign}{}", trim(v, 4)),
    }
}

/// A fraction as a percentage with at most `decimals` decimals: 0.057 → "5.7%".
fn percent(v: f64, decimals: usize) -> String {
    format!("{}%", trim(v * 100.0, decimals))
}

/// A metric value with precision suited to its size.
fn metric_value(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

/// Aligned columns, two spaces apart; `right[i]` right-aligns column `i`.
fn table<const N: usize>(rows: &[[String; N]], right: &[bool; N]) -> String {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[i] - cell.chars().count());
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
