//! `kjproj compare A.toml B.toml …`: several files (and, on request, their variants) side
//! by side in `compare.csv`, `compare.png` and a terminal table.

use std::path::{Path, PathBuf};

use super::terminal::{errln, out, outln};
use crate::error::Error;
use crate::evaluate::{self, Analyses, Evaluation, Overrides};
use crate::export::{Mode, probe_set, write_set};
use crate::render::compare::{Entry, comparison_files, comparison_table};
use crate::scenario::{self, BASE, Lang, Scenario};

/// Options of `kjproj compare`.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    /// The scenario files.
    pub scenarios: Vec<PathBuf>,
    /// Output directory (default `output/compare`).
    pub out_dir: Option<PathBuf>,
    /// How amounts of won are written on the chart's value axes.
    pub money: crate::format::Money,
    /// Chart size, resolution, and whether `compare.svg` is written too.
    pub charts: crate::render::ChartFormat,
    /// Chart language (default: the first file's).
    pub lang: Option<Lang>,
    /// Print only warnings and errors.
    pub quiet: bool,
    /// Variants to include from every file that has them (`base` is the file itself).
    pub variants: Vec<String>,
    /// Include every variant of every file.
    pub all_variants: bool,
    /// Byte order marks on `compare.csv`.
    pub csv_bom: crate::export::Bom,
}

/// Runs `kjproj compare`.
pub fn run(options: &CompareOptions) -> Result<(), Error> {
    let dir = options
        .out_dir
        .clone()
        .unwrap_or_else(|| Path::new("output").join("compare"));
    let loaded: Vec<(String, Scenario)> = options
        .scenarios
        .iter()
        .map(|p| Ok((stem(p), scenario::load(p)?)))
        .collect::<Result<_, Error>>()?;
    let chosen = choose(&loaded, options)?;
    if chosen.len() < 2 {
        return Err(Error::Usage(
            "give at least two scenarios to compare: two files, or a file with --variant NAME or --variants"
                .into(),
        ));
    }
    use crate::render::compare::MAX_COMPARED;
    if chosen.len() > MAX_COMPARED {
        return Err(Error::Usage(format!(
            "{} scenarios and variants are more than the {MAX_COMPARED} one comparison draws; choose some with --variant NAME",
            chosen.len()
        )));
    }
    probe_set(&dir)?;
    let overrides = Overrides {
        lang: options.lang,
        ..Overrides::default()
    };
    let evals: Vec<(String, Evaluation)> = chosen
        .into_iter()
        .map(|(label, file, variant)| {
            Ok((
                label,
                evaluate::evaluate(file, variant, &overrides, Analyses::PROJECTION, None)?,
            ))
        })
        .collect::<Result<_, Error>>()?;
    let entries: Vec<Entry> = evals
        .iter()
        .map(|(label, e)| Entry::of(e, label.clone()))
        .collect();
    let lang = options.lang.unwrap_or(entries[0].scenario.lang);
    let mut titles: Vec<&str> = Vec::new();
    for (_, s) in &loaded {
        if !titles.contains(&s.name.as_str()) {
            titles.push(&s.name);
        }
    }
    let mut files = comparison_files(
        &entries,
        &titles.join(" · "),
        lang,
        options.money,
        options.charts,
    )?;
    crate::export::mark_csv(&mut files, options.csv_bom);
    let written = write_set(&dir, &files, Mode::Update)?;
    if !options.quiet {
        out!("{}", comparison_table(&entries));
        outln!();
        for path in written {
            errln!("wrote {}", path.display());
        }
    }
    Ok(())
}

/// The (label, file, variant) of every scenario to compare: each file's base, unless
/// variants are named, then the named ones (`base` among them if asked for).
type Chosen<'a> = (String, &'a Scenario, Option<&'a scenario::Variant>);

fn choose<'a>(
    loaded: &'a [(String, Scenario)],
    options: &CompareOptions,
) -> Result<Vec<Chosen<'a>>, Error> {
    for name in &options.variants {
        let known = name == BASE
            || loaded
                .iter()
                .any(|(_, s)| s.variants.iter().any(|v| v.name == *name));
        if !known {
            return Err(Error::Usage(format!(
                "--variant: no file has a variant `{name}`"
            )));
        }
    }
    let several = loaded.len() > 1;
    let mut out = Vec::new();
    for (stem, s) in loaded {
        let label = |v: &str| {
            if several {
                format!("{stem}: {v}")
            } else {
                v.to_owned()
            }
        };
        let wants_base = options.variants.is_empty() || options.variants.iter().any(|n| n == BASE);
        if wants_base {
            out.push((if several { stem.clone() } else { label(BASE) }, s, None));
        }
        for v in &s.variants {
            if options.all_variants || options.variants.contains(&v.name) {
                out.push((label(&v.label), s, Some(v)));
            }
        }
    }
    Ok(out)
}

fn stem(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}
