//! Command-line definitions (clap only); turned into plain option structs for the core.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use kjproj::commands::MAX_THREADS;
use kjproj::plot::{Canvas, ChartFormat};

/// Projection and scenario calculator: year-by-year paths, checks and charts from a
/// plain-text scenario file.
#[derive(Debug, Parser)]
#[command(name = "kjproj", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success, 1 a check failed (kjproj check) or no solution in \
the range (kjproj solve), 2 invalid scenario file or arguments, 3 outputs could not be \
written, 4 internal error, 130 interrupted (Ctrl-C or SIGTERM)."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Let `extends` name scenario files in this folder too (by default only files inside
    /// the folder of the scenario given); may be given more than once.
    #[arg(long, global = true, value_name = "DIR")]
    pub allow_files: Vec<PathBuf>,
    /// Run work estimated to take more than 15 minutes or 4 GiB of memory (refused by
    /// default, with the estimate).
    #[arg(long, global = true)]
    pub no_cost_limit: bool,
    /// Colour: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it),
    /// always or never.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value = "auto"
    )]
    pub color: ColorArg,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorArg {
    /// On a terminal, following NO_COLOR and CLICOLOR_FORCE.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Project a scenario: print a summary, write paths.csv and paths.png, and, when the
    /// scenario has an [uncertainty] section, tornado, Monte Carlo fan, histogram and Sobol
    /// outputs.
    #[command(after_help = "Example:\n  kjproj run scenarios/fine_chem.toml\n  \
kjproj run scenarios/fine_chem.toml --out /tmp/fc --svg --lang ko\n  \
kjproj run scenarios/fine_chem.toml --draws 1000000 --seed 7 --sampling random\n  \
kjproj run scenarios/fine_chem.toml --watch --draws 20000\n  \
kjproj run scenarios/fine_chem.toml --draws 100000000 --chunks 1/4 --partial part1.kjpart")]
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Directory for the outputs [default: output/<scenario file stem>].
        #[arg(long, short, value_name = "DIR", conflicts_with = "partial")]
        out: Option<PathBuf>,
        /// Simulate only these chunks of 65,536 draws, A..B (B not included), or the K-th
        /// of N shares, K/N, of every simulation, and write a partial result (--partial)
        /// for `kjproj merge` instead of the outputs.
        #[arg(long, value_name = "A..B|K/N", requires = "partial", conflicts_with = "json", value_parser = part)]
        chunks: Option<kjproj::evaluate::partial::Part>,
        /// The partial result file to write with --chunks.
        #[arg(long, value_name = "FILE", requires = "chunks")]
        partial: Option<PathBuf>,
        /// Keep running: run again whenever the scenario, a file it extends or a data file
        /// it reads is saved, replace the outputs and print what changed in the headline
        /// figures (Ctrl-C stops).
        #[arg(long, conflicts_with_all = ["chunks", "json"])]
        watch: bool,
        /// Also write every draw of the simulations (base and variants) to this CSV file:
        /// the sampled inputs and the outputs of each, for audit; at most 10,000,000 draws.
        #[arg(long, value_name = "FILE", conflicts_with = "chunks")]
        draws_out: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Merge the partial results of a run split with `run --chunks … --partial …` into
    /// exactly the outputs of one run with the same settings.
    #[command(after_help = "Example:\n  \
kjproj run scenarios/fine_chem.toml --chunks 1/2 --partial a.kjpart\n  \
kjproj run scenarios/fine_chem.toml --chunks 2/2 --partial b.kjpart\n  \
kjproj merge a.kjpart b.kjpart --out output/fine_chem")]
    Merge {
        /// The partial results: together they must cover every chunk once.
        #[arg(required = true, num_args = 1..)]
        pieces: Vec<PathBuf>,
        /// Directory for the outputs [default: output/<scenario file stem>].
        #[arg(long, short, value_name = "DIR")]
        out: Option<PathBuf>,
        /// The scenario file, if it is no longer where the partial results say (it must
        /// be unchanged).
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
        #[command(flatten)]
        charts: ChartArgs,
        /// Print only warnings and errors.
        #[arg(long, short)]
        quiet: bool,
        /// Print the results as one JSON document on standard output instead of the summary.
        #[arg(long)]
        json: bool,
        /// Worker threads [default: all cores; at most 256].
        #[arg(long, value_name = "N", value_parser = thread_count)]
        threads: Option<usize>,
        /// A UTF-8 byte order mark at the start of CSV files: auto, always or never.
        #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
        csv_bom: BomArg,
    },
    /// Compare scenario files: one chart and CSV with every metric and ratio of each.
    #[command(
        after_help = "Examples:\n  kjproj compare scenarios/fine_chem.toml my_variant.toml --out output/cmp\n  \
kjproj compare scenarios/fine_chem.toml --variants\n  \
kjproj compare a.toml b.toml --variant base --variant delayed_start"
    )]
    Compare {
        /// Scenario files: two or more, or one with --variant or --variants.
        #[arg(required = true, num_args = 1..)]
        scenarios: Vec<PathBuf>,
        /// Include this variant of every file that has it (`base` is the file itself);
        /// may be given more than once.
        #[arg(long, value_name = "NAME")]
        variant: Vec<String>,
        /// Include every variant of every file.
        #[arg(long, conflicts_with = "variant")]
        variants: bool,
        /// Directory for compare.csv and compare.png [default: output/compare].
        #[arg(long, short, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        charts: ChartArgs,
        /// How amounts of won are written on the chart's value axes: plain numbers in the
        /// metric's unit, or korean (100조, 2조 5,000억).
        #[arg(long, value_enum, value_name = "STYLE", default_value = "plain")]
        money: MoneyArg,
        /// A UTF-8 byte order mark at the start of compare.csv: auto (when it holds
        /// non-ASCII text), always or never.
        #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
        csv_bom: BomArg,
        /// Language of chart labels.
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
        /// Print only warnings and errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Goal seek: which value of one input makes an output reach a goal.
    #[command(
        after_help = "Examples:\n  kjproj solve scenarios/fine_chem.toml --vary metrics.sales.target.value --goal 'share[2031] = 15%'\n  \
kjproj solve scenarios/fine_chem.toml --vary metrics.sales.start_year --goal 'share[2029] = 10%'\n  \
kjproj solve scenarios/fine_chem.toml --vary metrics.sales.target.value --goal 'share[2031] = 15%' --probability 0.8\n\n\
Exit codes: 0 solved, 1 no solution in the range, 2 invalid scenario or arguments."
    )]
    Solve {
        /// The scenario file.
        scenario: PathBuf,
        /// The input to vary: metrics.NAME.target.value, .baseline.value,
        /// .milestones[I].value, .start_year, .cap or .baseline_growth.
        #[arg(long, value_name = "KEY")]
        vary: String,
        /// The goal: a quantity, `=`, a value, e.g. 'share[2031] = 15%' or
        /// 'cagr(sales) = 25%'.
        #[arg(long, value_name = "GOAL")]
        goal: String,
        /// Where to search, LO..HI [default: a wide range for the input].
        #[arg(long, value_name = "LO..HI", allow_hyphen_values = true)]
        range: Option<String>,
        /// Solve for P(quantity ≥ goal value) = this probability (e.g. 0.8), under the
        /// file's uncertainty.
        #[arg(long, value_name = "P")]
        probability: Option<f64>,
        /// Monte Carlo draws per evaluation with --probability [default: 20000].
        #[arg(long, value_name = "N")]
        draws: Option<u64>,
        /// Random seed with --probability [default: the file's].
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
        /// Solve in this variant of the file (`base` is the file itself).
        #[arg(long, value_name = "NAME")]
        variant: Option<String>,
        /// Print the answer as a JSON object (numbers as numbers).
        #[arg(long)]
        json: bool,
    },
    /// Write the report (report.md) of the base or of one variant, with every chart and
    /// table it links.
    #[command(after_help = "Examples:\n  kjproj report scenarios/fine_chem.toml\n  \
kjproj report scenarios/fine_chem.toml --variant delayed_start --out /tmp/delayed")]
    Report {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// The variant to report on (`base` is the file itself) [default: base].
        #[arg(long, value_name = "NAME")]
        variant: Option<String>,
        /// Output folder [default: where `kjproj run` puts that variant's outputs].
        #[arg(long, short, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Write a commented template scenario, NAME.toml, to start from.
    #[command(
        after_help = "Example:\n  kjproj new battery_materials && kjproj run battery_materials.toml"
    )]
    New {
        /// Scenario name (the file is NAME.toml; a path ending in .toml is used as is).
        name: String,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  kjproj completions bash > ~/.local/share/bash-completion/completions/kjproj\n  \
kjproj completions zsh > ~/.zfunc/_kjproj\n  kjproj completions fish > ~/.config/fish/completions/kjproj.fish"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), for `man`.
    #[command(
        after_help = "Example:\n  kjproj man > ~/.local/share/man/man1/kjproj.1 && man kjproj"
    )]
    Man,
    /// Check scenario assumptions: built-in checks and the file's [[checks]], PASS/FAIL.
    #[command(
        after_help = "Exit codes: 0 every check passed, 1 a check failed, 2 a scenario \
file is invalid.\n\nExamples:\n  kjproj check\n  kjproj check scenarios/fine_chem.toml \
--junit target/kjproj-junit.xml\n  kjproj check scenarios/ --format json"
    )]
    Check {
        /// Scenario files or directories (searched for *.toml) [default: scenarios/].
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: FormatArg,
        /// Also write the results as JUnit XML to this file.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Monte Carlo draws for checks on P(…), percentiles and means [default: the
        /// file's, else 100000].
        #[arg(long, value_name = "N")]
        draws: Option<u64>,
    },
}

/// Output formats of `kjproj check`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// PASS/FAIL lines and `N passed, N failed`.
    Text,
    /// One JSON document.
    Json,
}

/// Languages for chart labels.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// Korean (한국어).
    Ko,
}

/// Sampling methods.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SamplingArg {
    /// Plain random sampling.
    Random,
    /// Latin hypercube sampling (stratified).
    Lhs,
}

/// Settings shared by `run` and `report`.
#[derive(Debug, clap::Args)]
pub struct Common {
    #[command(flatten)]
    pub charts: ChartArgs,
    /// Language of chart labels, overriding the scenario's `lang`.
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Print only warnings and errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the results as one JSON document on standard output instead of the summary
    /// (numbers as numbers; every year of every path).
    #[arg(long)]
    pub json: bool,
    /// Monte Carlo draws [default: the file's `uncertainty.draws`, else 100000].
    #[arg(long, value_name = "N")]
    pub draws: Option<u64>,
    /// Random seed [default: the file's `uncertainty.seed`, else 42].
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Sampling method [default: the file's `uncertainty.sampling`, else lhs].
    #[arg(long, value_enum)]
    pub sampling: Option<SamplingArg>,
    /// An output of the tornado, histogram and Sobol analyses, added as the headline: a
    /// quantity of the check language, e.g. 'sum(sales, 2025, 2031)' or 'share[2029]'.
    #[arg(long, value_name = "EXPR")]
    pub output: Option<String>,
    /// Sobol base samples N (N·(k+2) runs); 0 skips the Sobol analysis.
    #[arg(long, value_name = "N", default_value_t = 16384)]
    pub sobol: usize,
    /// Worker threads [default: all cores; at most 256]; results are identical for any
    /// number.
    #[arg(long, value_name = "N", value_parser = thread_count)]
    pub threads: Option<usize>,
    /// How amounts of won are written in summaries and reports: plain numbers in the
    /// metric's unit, or korean (52조 원, 9조 4,000억 원).
    #[arg(long, value_enum, value_name = "STYLE", default_value = "plain")]
    pub money: MoneyArg,
    /// A UTF-8 byte order mark at the start of CSV files, which Excel on Windows needs to
    /// show Korean text: auto (when a file holds non-ASCII text), always or never.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub csv_bom: BomArg,
}

/// How charts are written (`run`, `report`, `compare`).
#[derive(Debug, Clone, clap::Args)]
pub struct ChartArgs {
    /// Also write every chart as SVG (the same drawing as the PNG, text as outlines, so it
    /// looks the same without any font installed).
    #[arg(long)]
    pub svg: bool,
    /// Printed width of the charts, in cm, mm, in or px: 16cm, 6.3in, 1890px
    /// [default: 16cm]. Text keeps its size in points (no text under 7 pt), so a wider
    /// chart gives the data more room; px counts at --dpi.
    #[arg(long, value_name = "WIDTH", value_parser = chart_width)]
    pub chart_width: Option<ChartWidth>,
    /// Resolution of the PNG charts in dots per inch, recorded in the file so that word
    /// processors paste them at their printed width [default: 300].
    #[arg(long, value_name = "DPI", value_parser = dpi)]
    pub dpi: Option<f64>,
}

/// A chart width as given on the command line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ChartWidth {
    /// A printed width, in millimetres.
    Mm(f64),
    /// A width in pixels, printed at the resolution.
    Px(u32),
}

impl ChartArgs {
    /// The chart format these options ask for, or why it is impossible (a width in pixels
    /// whose printed size at the resolution is out of range).
    pub fn format(&self) -> Result<ChartFormat, String> {
        let dpi = self.dpi.unwrap_or(Canvas::DEFAULT.dpi());
        let width_mm = self.chart_width.map(|w| match w {
            ChartWidth::Mm(mm) => mm,
            ChartWidth::Px(px) => f64::from(px) / dpi * 25.4,
        });
        ChartFormat::new(width_mm, Some(dpi), self.svg)
    }
}

/// `--chart-width`: a positive number with a unit (cm, mm, in, px).
fn chart_width(text: &str) -> Result<ChartWidth, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| format!("'{t}' has no unit: write e.g. 16cm, 160mm, 6.3in or 1890px"))?;
    let (number, unit) = t.split_at(split);
    let n: f64 = number
        .trim()
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n > 0.0)
        .ok_or_else(|| format!("'{}' is not a positive number", number.trim()))?;
    let mm = match unit {
        "cm" => n * 10.0,
        "mm" => n,
        "in" => n * 25.4,
        "px" => {
            return if n.fract() == 0.0 && n <= f64::from(Canvas::MAX_PIXEL_WIDTH) {
                Ok(ChartWidth::Px(n as u32))
            } else {
                Err(format!(
                    "a width in pixels is a whole number up to {}",
                    Canvas::MAX_PIXEL_WIDTH
                ))
            };
        }
        other => return Err(format!("unknown unit '{other}': use cm, mm, in or px")),
    };
    if (Canvas::MIN_WIDTH_MM..=Canvas::MAX_WIDTH_MM).contains(&mm) {
        Ok(ChartWidth::Mm(mm))
    } else {
        Err(format!(
            "charts are {} to {} cm wide",
            Canvas::MIN_WIDTH_MM / 10.0,
            Canvas::MAX_WIDTH_MM / 10.0
        ))
    }
}

/// `--dpi`: a resolution within [`Canvas::DPI_RANGE`].
fn dpi(text: &str) -> Result<f64, String> {
    let (lo, hi) = Canvas::DPI_RANGE;
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|d| (lo..=hi).contains(d))
        .ok_or_else(|| format!("the resolution is a number of dots per inch from {lo} to {hi}"))
}

/// How money is written.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MoneyArg {
    /// Numbers in the metric's unit.
    Plain,
    /// 조/억/만 원 for metrics in won.
    Korean,
}

/// When CSV files get a byte order mark.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BomArg {
    /// When the file holds any non-ASCII character.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// `--chunks A..B` or `--chunks K/N`.
fn part(text: &str) -> Result<kjproj::evaluate::partial::Part, String> {
    kjproj::evaluate::partial::Part::parse(text)
}

/// `--threads N`: a whole number from 1 to [`MAX_THREADS`].
fn thread_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!("give a whole number from 1 to {MAX_THREADS}")),
    }
}
