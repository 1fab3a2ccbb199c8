//! `kjproj._kjproj`: the native half of the Python package. It loads, evaluates and
//! renders with the `kjproj` library exactly as the command line does, and hands Python
//! the same CSV tables `kjproj run` writes (the package reads them into pandas data
//! frames), the JSON document of `kjproj run --json`, and the files it wrote.
//!
//! Every call runs its work on a thread of its own with the GIL released, while the
//! calling thread waits and looks for signals every [`SIGNAL_POLL`]: a Ctrl-C asks the
//! library to stop ([`kjproj::error::interrupt`]) and raises `KeyboardInterrupt` once the
//! work has stopped. Errors cross as `ValueError`/`RuntimeError` whose first
//! argument names the kind (`kjproj.scenario`, …), second the message, third the details
//! as JSON; the Python half turns them into its own exception classes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kjproj::commands;
use kjproj::error::Error;
use kjproj::evaluate::{self, Analyses, Overrides, Simulations};
use kjproj::export::OutputFile;
use kjproj::scenario::{self, Lang, Scenario};
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

/// How often a waiting call looks for Ctrl-C.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// A kjproj error as a Python exception (see the module documentation).
fn py_error(e: Error) -> PyErr {
    let message = e.to_string();
    match e {
        Error::Scenario(errors) => {
            let details: Vec<serde_json::Value> = errors
                .0
                .iter()
                .map(|x| {
                    serde_json::json!({
                        "file": x.file.display().to_string(),
                        "line": x.position.map(|p| p.line),
                        "column": x.position.map(|p| p.column),
                        "key": x.key,
                        "message": x.message,
                    })
                })
                .collect();
            PyValueError::new_err((
                "kjproj.scenario",
                message,
                serde_json::Value::Array(details).to_string(),
            ))
        }
        // Not OSError itself, whose constructor reads its arguments as errno, strerror and
        // filename: the Python half raises its own OSError subclasses.
        Error::Read { path, .. } => PyRuntimeError::new_err((
            "kjproj.read",
            message,
            serde_json::json!({ "file": path.display().to_string() }).to_string(),
        )),
        Error::Usage(_) => PyValueError::new_err(("kjproj.usage", message, "{}")),
        Error::NoSolution(_) => PyValueError::new_err(("kjproj.no_solution", message, "{}")),
        Error::Write { path, .. } => PyRuntimeError::new_err((
            "kjproj.write",
            message,
            serde_json::json!({ "file": path.display().to_string() }).to_string(),
        )),
        Error::Interrupted => PyKeyboardInterrupt::new_err(()),
        Error::Internal { .. } => PyRuntimeError::new_err(("kjproj.internal", message, "{}")),
    }
}

/// Runs `work` on a thread of its own without the GIL, looking for signals meanwhile; a
/// signal's exception (`KeyboardInterrupt`) stops the work and is raised.
fn interruptible<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> Result<T, Error> + Send,
) -> PyResult<T> {
    kjproj::error::clear_interrupt();
    let done: (
        std::sync::Mutex<Option<Result<T, Error>>>,
        std::sync::Condvar,
    ) = Default::default();
    // Waits up to `limit` for the answer, without the GIL.
    let wait = |limit: Option<Duration>| {
        py.detach(|| {
            let (slot, ready) = &done;
            let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
            while guard.is_none() {
                match limit {
                    Some(t) => {
                        let (g, timeout) = ready
                            .wait_timeout(guard, t)
                            .unwrap_or_else(|e| e.into_inner());
                        guard = g;
                        if timeout.timed_out() {
                            break;
                        }
                    }
                    None => guard = ready.wait(guard).unwrap_or_else(|e| e.into_inner()),
                }
            }
            guard.take()
        })
    };
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let result = work();
            let (slot, ready) = &done;
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
            ready.notify_all();
        });
        loop {
            if let Some(result) = wait(Some(SIGNAL_POLL)) {
                return result.map_err(py_error);
            }
            if let Err(signal) = py.check_signals() {
                kjproj::error::interrupt();
                // The work stops at its next chunk; wait for it without the GIL.
                let _ = wait(None);
                kjproj::error::clear_interrupt();
                return Err(signal);
            }
        }
    })
}

/// A scenario from a file (`path`) or from text (`text`, named `name` in errors).
fn load(path: Option<&str>, text: Option<&str>, name: &str) -> Result<Scenario, Error> {
    match (path, text) {
        (Some(p), None) => scenario::load(Path::new(p)),
        (None, Some(t)) => Ok(scenario::parse(t, Path::new(name))?),
        _ => Err(Error::Usage(
            "give a scenario file or the text of one".into(),
        )),
    }
}

/// The settings a call overrides, from its keyword arguments (validated as the command
/// line's are).
#[allow(clippy::too_many_arguments)]
fn overrides(
    draws: Option<u64>,
    seed: Option<u64>,
    sampling: Option<&str>,
    sobol: Option<usize>,
    lang: Option<&str>,
    output: Option<String>,
    money: Option<&str>,
) -> Result<Overrides, Error> {
    let usage = |m: String| Error::Usage(m);
    let o = Overrides {
        draws,
        seed,
        sampling: match sampling {
            None => None,
            Some("lhs") => Some(kjproj::stats::sampling::Method::LatinHypercube),
            Some("random") => Some(kjproj::stats::sampling::Method::Random),
            Some(x) => return Err(usage(format!("sampling `{x}`: use \"lhs\" or \"random\""))),
        },
        sobol_samples: Some(sobol.unwrap_or(evaluate::settings::DEFAULT_SOBOL_SAMPLES)),
        lang: match lang {
            None => None,
            Some("en") => Some(Lang::En),
            Some("ko") => Some(Lang::Ko),
            Some(x) => return Err(usage(format!("lang `{x}`: use \"en\" or \"ko\""))),
        },
        output,
        money: Some(match money {
            None | Some("plain") => kjproj::format::Money::Plain,
            Some("korean") => kjproj::format::Money::Korean,
            Some(x) => return Err(usage(format!("money `{x}`: use \"plain\" or \"korean\""))),
        }),
    };
    o.validate()?;
    Ok(o)
}

/// The chart format of the keyword arguments.
fn chart_format(
    svg: bool,
    width_mm: Option<f64>,
    dpi: Option<f64>,
) -> Result<kjproj::render::ChartFormat, Error> {
    kjproj::render::ChartFormat::new(width_mm, dpi, svg)
        .map_err(|m| Error::Usage(format!("chart size: {m}")))
}

/// What a run hands back before it becomes Python objects.
struct Ran {
    json: String,
    tables: Vec<(String, Vec<OutputFile>)>,
    warnings: Vec<String>,
    written: Vec<PathBuf>,
}

/// Evaluates `file` (simulating or merging), and writes every output to `out` if given.
fn evaluate_and_write(
    file: &Scenario,
    overrides: &Overrides,
    simulations: Simulations,
    out: Option<(&Path, kjproj::render::ChartFormat)>,
) -> Result<Ran, Error> {
    if let Some((dir, _)) = out {
        kjproj::export::probe_set(dir)?;
    }
    let evals = evaluate::evaluate_all(file, overrides, Analyses::ALL, simulations)?;
    let tables = evals
        .iter()
        .map(|e| Ok((e.name().to_owned(), kjproj::render::tables(e)?)))
        .collect::<Result<Vec<_>, Error>>()?;
    let warnings = evals
        .iter()
        .flat_map(|e| {
            e.warnings.iter().map(move |w| match e.variant {
                Some(v) => format!("variant {}: {w}", v.name),
                None => w.to_string(),
            })
        })
        .collect();
    let written = match out {
        Some((dir, charts)) => commands::run::write_outputs(
            &evals,
            dir,
            &commands::OutputOptions {
                charts,
                command_line: "kjproj (Python)".into(),
                ..commands::OutputOptions::default()
            },
        )?,
        None => Vec::new(),
    };
    Ok(Ran {
        json: kjproj::render::json::document(&evals),
        tables,
        warnings,
        written,
    })
}

/// The result of a run as a Python dict: `json` (str), `tables` ({evaluation: {file:
/// bytes}}), `warnings` (list of str), `written` (list of str).
fn ran_to_py(py: Python<'_>, ran: Ran) -> PyResult<Py<PyDict>> {
    let d = PyDict::new(py);
    d.set_item("json", ran.json)?;
    let tables = PyDict::new(py);
    for (name, files) in ran.tables {
        let t = PyDict::new(py);
        for f in files {
            t.set_item(f.name, PyBytes::new(py, &f.bytes))?;
        }
        tables.set_item(name, t)?;
    }
    d.set_item("tables", tables)?;
    d.set_item("warnings", ran.warnings)?;
    let written: Vec<String> = ran
        .written
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    d.set_item("written", written)?;
    Ok(d.unbind())
}

/// Evaluates a scenario (file or text) with every analysis; writes every output of
/// `kjproj run` to `out` when given.
#[pyfunction]
#[pyo3(signature = (path=None, text=None, *, name="scenario.toml", draws=None, seed=None, sampling=None, sobol=None, lang=None, output=None, money=None, threads=None, out=None, svg=false, chart_width_mm=None, dpi=None))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    path: Option<&str>,
    text: Option<&str>,
    name: &str,
    draws: Option<u64>,
    seed: Option<u64>,
    sampling: Option<&str>,
    sobol: Option<usize>,
    lang: Option<&str>,
    output: Option<String>,
    money: Option<&str>,
    threads: Option<usize>,
    out: Option<PathBuf>,
    svg: bool,
    chart_width_mm: Option<f64>,
    dpi: Option<f64>,
) -> PyResult<Py<PyDict>> {
    let ran = interruptible(py, || {
        let o = overrides(draws, seed, sampling, sobol, lang, output, money)?;
        let charts = chart_format(svg, chart_width_mm, dpi)?;
        let file = load(path, text, name)?;
        commands::with_threads(threads, || {
            evaluate_and_write(
                &file,
                &o,
                Simulations::Run(None),
                out.as_deref().map(|d| (d, charts)),
            )
        })
    })?;
    ran_to_py(py, ran)
}

/// Runs the checks of a scenario (file or text): the JSON document of `kjproj check
/// --format json`.
#[pyfunction]
#[pyo3(signature = (path=None, text=None, *, name="scenario.toml", draws=None, threads=None))]
fn check(
    py: Python<'_>,
    path: Option<&str>,
    text: Option<&str>,
    name: &str,
    draws: Option<u64>,
    threads: Option<usize>,
) -> PyResult<String> {
    interruptible(py, || {
        let o = Overrides {
            draws,
            ..Overrides::default()
        };
        o.validate()?;
        let file = load(path, text, name)?;
        let shown = PathBuf::from(path.unwrap_or(name));
        commands::with_threads(threads, || {
            let report = commands::check::check_loaded(&shown, Ok(file), &o);
            Ok(kjproj::render::checks::json(&[report]))
        })
    })
}

/// Goal seek in a scenario (file or text): the JSON document of `kjproj solve --json`.
#[pyfunction]
#[pyo3(signature = (path=None, text=None, *, vary, goal, name="scenario.toml", range=None, probability=None, draws=None, seed=None, variant=None))]
#[allow(clippy::too_many_arguments)]
fn solve(
    py: Python<'_>,
    path: Option<&str>,
    text: Option<&str>,
    vary: String,
    goal: String,
    name: &str,
    range: Option<String>,
    probability: Option<f64>,
    draws: Option<u64>,
    seed: Option<u64>,
    variant: Option<String>,
) -> PyResult<String> {
    interruptible(py, || {
        let file = load(path, text, name)?;
        let options = commands::solve::SolveOptions {
            scenario: PathBuf::from(path.unwrap_or(name)),
            vary,
            goal,
            range,
            probability,
            draws,
            seed,
            variant,
            json: true,
        };
        let (doc, _) = commands::solve::answer(&file, &options)?;
        Ok(doc.to_string())
    })
}

/// Simulates part (`"A..B"` chunks or share `"K/N"`) of a run of the scenario file `path`
/// and writes the partial result to `partial`; returns the draws simulated.
#[pyfunction]
#[pyo3(signature = (path, part, partial, *, draws=None, seed=None, sampling=None, sobol=None, lang=None, output=None, money=None, threads=None))]
#[allow(clippy::too_many_arguments)]
fn run_part(
    py: Python<'_>,
    path: PathBuf,
    part: &str,
    partial: PathBuf,
    draws: Option<u64>,
    seed: Option<u64>,
    sampling: Option<&str>,
    sobol: Option<usize>,
    lang: Option<&str>,
    output: Option<String>,
    money: Option<&str>,
    threads: Option<usize>,
) -> PyResult<u64> {
    interruptible(py, || {
        let part = evaluate::partial::Part::parse(part).map_err(Error::Usage)?;
        let o = overrides(draws, seed, sampling, sobol, lang, output, money)?;
        let file = scenario::load(&path)?;
        commands::with_threads(threads, || {
            let piece = evaluate::partial::simulate(&file, &path, &o, part, None)?;
            kjproj::export::write_file_atomically(&partial, piece.to_bytes()?, "partial")?;
            Ok(evaluate::partial::draws_of(&file, &o, part))
        })
    })
}

/// Merges partial results into the outputs of one run, written to `out` (when given), and
/// returns them as [`run`] does.
#[pyfunction]
#[pyo3(signature = (pieces, *, out=None, scenario=None, threads=None, svg=false, chart_width_mm=None, dpi=None))]
#[allow(clippy::too_many_arguments)]
fn merge(
    py: Python<'_>,
    pieces: Vec<PathBuf>,
    out: Option<PathBuf>,
    scenario: Option<PathBuf>,
    threads: Option<usize>,
    svg: bool,
    chart_width_mm: Option<f64>,
    dpi: Option<f64>,
) -> PyResult<Py<PyDict>> {
    let ran = interruptible(py, || {
        let charts = chart_format(svg, chart_width_mm, dpi)?;
        let read = evaluate::partial::Pieces::read(&pieces)?;
        let (_, file) = read.load_scenario(scenario.as_deref())?;
        let o = read.overrides().clone();
        commands::with_threads(threads, || {
            evaluate_and_write(
                &file,
                &o,
                Simulations::Merge(&read),
                out.as_deref().map(|d| (d, charts)),
            )
        })
    })?;
    ran_to_py(py, ran)
}

/// The version of kjproj inside.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The native module.
#[pymodule]
fn _kjproj(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(solve, m)?)?;
    m.add_function(wrap_pyfunction!(run_part, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
