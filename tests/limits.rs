//! Limits: what a scenario file may ask for is bounded (clear errors at the key), and
//! everything within the limits renders, however awkward (many panels, many sources,
//! long texts), without an internal error.

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failure with its message

mod common;

use common::{kjproj, repo};
use predicates::prelude::*;
use tempfile::TempDir;

/// A scenario with `metrics` metrics, each with an uncertain target citing its own source,
/// `sources` sources in all, and the given text as every label and the first citation.
fn wide(metrics: usize, sources: usize, label: &str) -> String {
    let mut s = format!(
        "name = \"{label}\"\nunit = \"{label}\"\nbaseline_year = 2020\ntarget_year = 2030\n[sources]\n"
    );
    s += &format!("s0 = \"{label}\"\n");
    for i in 1..sources {
        s +=
            &format!("s{i} = \"A report on markets with a fairly long title, number {i}, 2024\"\n");
    }
    for i in 0..metrics {
        s += &cagr_metric(
            &format!("m{i}"),
            &format!("{label} {i}"),
            (10 + i, &format!("s{}", i % sources)),
            (20 + i, &format!("s{}", (i + 1) % sources)),
        );
    }
    s += "[uncertainty]\ndraws = 500\n";
    for i in 0..metrics {
        s += &format!(
            "[uncertainty.inputs.\"metrics.m{i}.target.value\"]\ndist = \"uniform\"\nmin = {}\nmax = {}\nsource = \"s{}\"\n",
            18 + i,
            22 + i,
            i % sources
        );
    }
    s
}

/// A `[metrics.NAME]` table of shape `cagr` with (value, source) at baseline and target.
fn cagr_metric(name: &str, label: &str, base: (usize, &str), target: (usize, &str)) -> String {
    format!(
        "[metrics.{name}]\nlabel = \"{label}\"\nshape = \"cagr\"\nbaseline = {{ value = {}, source = \"{}\" }}\ntarget = {{ value = {}, source = \"{}\" }}\n",
        base.0, base.1, target.0, target.1
    )
}

fn png_size(path: &std::path::Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let info = decoder.read_info().unwrap();
    (info.info().width, info.info().height)
}

#[test]
fn many_series_sources_and_long_texts_render_within_the_chart_limits() {
    let dir = TempDir::new().unwrap();
    let label = "긴 이름 a long label ".repeat(180);
    let label = label.trim_end();
    assert!(label.chars().count() < kjproj::scenario::MAX_TEXT_CHARS);
    let file = dir.path().join("wide.toml");
    // 60 series (more panels than a fan chart draws, more bars than a tornado draws),
    // 1000 sources.
    std::fs::write(&file, wide(60, 1000, label)).unwrap();
    let out = dir.path().join("out");
    for lang in ["en", "ko"] {
        kjproj()
            .arg("run")
            .arg(&file)
            .args(["--sobol", "64", "--svg", "--quiet", "--lang", lang, "--out"])
            .arg(&out)
            .timeout(std::time::Duration::from_secs(120))
            .assert()
            .success();
        for chart in ["paths", "fan", "tornado", "sobol", "histogram"] {
            let (w, h) = png_size(&out.join(format!("{chart}.png")));
            // 16 cm at 300 dpi; at most the tallest layout (8,000 units) at 1890/816 px each.
            assert!(w == 1890 && h <= 18_530, "{chart}.png is {w} × {h}");
            let svg = std::fs::read_to_string(out.join(format!("{chart}.svg"))).unwrap();
            roxmltree::Document::parse(&svg).unwrap();
        }
        // The charts say what they leave out and where it is.
        let fan = std::fs::read_to_string(out.join("fan.svg")).unwrap();
        let note = if lang == "en" {
            "The chart shows the first 40 of 60 series; fan.csv has them all."
        } else {
            "계열 60개 중 처음 40개만 표시합니다. 전체는 fan.csv에 있습니다."
        };
        assert!(fan.contains(note), "{lang}: no note in fan.svg");
        let tornado = std::fs::read_to_string(out.join("tornado.svg")).unwrap();
        assert!(tornado.contains("30"), "{lang}");
        let paths = std::fs::read_to_string(out.join("paths.svg")).unwrap();
        assert!(paths.contains("… (+"), "{lang}: the legend counts the rest");
        assert!(
            paths.contains("report.md"),
            "{lang}: the sources point to report.md"
        );
        // The CSV files keep everything.
        let fan_rows = common::csv_rows(&out.join("fan.csv"));
        assert!(fan_rows.iter().any(|r| r.values().any(|v| v == "m59")));
    }
}

#[test]
fn a_long_text_costs_time_linear_in_what_is_shown() {
    // The longest text accepted, in the title, every label, the unit and a citation: the
    // run finishes promptly (it took 31 s for 100 KB when wrapping re-measured prefixes).
    let dir = TempDir::new().unwrap();
    let label = "x".repeat(kjproj::scenario::MAX_TEXT_CHARS - 8);
    let file = dir.path().join("long.toml");
    std::fs::write(&file, wide(3, 3, &label)).unwrap();
    kjproj()
        .arg("run")
        .arg(&file)
        .args(["--sobol", "64", "--svg", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success();
}

/// Runs `text` as a scenario and expects exit 2 with `words` on standard error and nothing
/// written.
fn refused(text: &str, words: &str) {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    kjproj()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(words));
    assert!(!out.exists());
}

#[test]
fn counts_and_lengths_beyond_the_limits_are_refused_at_their_key() {
    let base = std::fs::read_to_string(repo("scenarios/korea_israel.toml")).unwrap();
    let mut checks = base.clone();
    for i in 0..=kjproj::scenario::MAX_CHECKS {
        checks += &format!("[[checks]]\nname = \"c{i}\"\ncheck = \"applications[2030] < 80\"\n");
    }
    refused(
        &checks,
        "key `checks`: 1003 checks are more than the 1000 a scenario may have",
    );
    // Duplicate names among many checks are found without comparing every pair.
    let mut same = base.clone();
    for _ in 0..900 {
        same += "[[checks]]\nname = \"same\"\ncheck = \"applications[2030] < 80\"\n";
    }
    refused(&same, "a check named `same` already exists");

    let mut variants = base.clone();
    for i in 0..=kjproj::scenario::MAX_VARIANTS {
        variants += &format!("[variants.v{i}]\n\"metrics.applications.cap\" = 81\n");
    }
    refused(
        &variants,
        "key `variants`: 101 variants are more than the 100 a scenario may have",
    );

    let long = base.replace(
        "label = \"Joint R&D applications\"",
        &format!(
            "label = \"{}\"",
            "y".repeat(kjproj::scenario::MAX_TEXT_CHARS + 1)
        ),
    );
    refused(
        &long,
        "key `metrics.applications.label`: the text is 4001 characters long; kjproj accepts at most 4000",
    );
    let key = "k".repeat(kjproj::scenario::MAX_KEY_CHARS + 1);
    refused(
        &format!("{base}\n[metrics.{key}]\nbaseline = 5\n"),
        "the key is 201 characters long; kjproj accepts at most 200",
    );
}

#[test]
fn thread_counts_are_bounded() {
    for bad in ["0", "257", "10000", "many"] {
        kjproj()
            .args(["run", "scenarios/korea_israel.toml", "--threads", bad])
            .current_dir(repo(""))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "give a whole number from 1 to 256",
            ));
    }
}

#[test]
fn work_beyond_the_cost_limits_is_refused_before_it_starts_with_the_estimate() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("many.toml");
    // 200 uncertain inputs and 200 outputs: the default Sobol sample needs about 20 GB.
    std::fs::write(&file, wide(200, 3, "m")).unwrap();
    let out = dir.path().join("out");
    let started = std::time::Instant::now();
    for args in [
        vec!["run"],
        vec!["report"],
        vec!["run", "--sobol", "0", "--draws", "1000000000"],
    ] {
        kjproj()
            .args(&args)
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .timeout(std::time::Duration::from_secs(60))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("many.toml: this would take about"))
            .stderr(predicate::str::contains(
                "more than the limits of 15 minutes and 4.0 GB",
            ))
            .stderr(predicate::str::contains("--no-cost-limit"));
    }
    // `check` evaluates the simulation its checks need: a file asking for a billion
    // draws is refused as invalid, and the other files are still checked.
    let heavy = dir.path().join("heavy.toml");
    let text = std::fs::read_to_string(repo("scenarios/fine_chem.toml")).unwrap();
    std::fs::write(
        &heavy,
        text.replacen("draws = 1000000", "draws = 1000000000", 1),
    )
    .unwrap();
    kjproj()
        .arg("check")
        .arg(&heavy)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stdout(predicate::str::contains("INVALID"))
        .stdout(predicate::str::contains("--no-cost-limit"));
    assert!(started.elapsed().as_secs() < 30, "refusals are immediate");
    assert!(!out.exists());
    // The flag lets the work start (stopped here after a second).
    kjproj()
        .args(["--no-cost-limit", "run"])
        .arg(&file)
        .args(["--sobol", "0", "--draws", "1000000000", "--out"])
        .arg(&out)
        .timeout(std::time::Duration::from_secs(2))
        .assert()
        .interrupted();
}

#[test]
fn a_sum_of_many_segments_draws_the_largest_and_groups_the_rest() {
    let dir = TempDir::new().unwrap();
    let n = 150;
    let mut s = String::from(
        "name = \"seg\"\nunit = \"u\"\nbaseline_year = 2020\ntarget_year = 2030\n[sources]\ns = \"x\"\n",
    );
    let parts: Vec<String> = (0..n).map(|i| format!("\"p{i}\"")).collect();
    s += &format!(
        "[metrics.total]\nsegments = [{}]\nbaseline = {{ value = {}, source = \"s\" }}\ntarget = {{ value = {}, source = \"s\" }}\n",
        parts.join(", "),
        (0..n).map(|i| 10 + i).sum::<usize>(),
        (0..n).map(|i| 20 + i).sum::<usize>()
    );
    for i in 0..n {
        s += &cagr_metric(
            &format!("p{i}"),
            &format!("Part {i}"),
            (10 + i, "s"),
            (20 + i, "s"),
        );
    }
    let file = dir.path().join("seg.toml");
    std::fs::write(&file, s).unwrap();
    let out = dir.path().join("out");
    kjproj()
        .arg("run")
        .arg(&file)
        .args(["--svg", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.join("segments_total.svg")).unwrap();
    roxmltree::Document::parse(&svg).unwrap();
    // The 11 largest (the last parts) by name, the rest as one band, with a note.
    assert!(
        svg.contains("Part 149")
            && svg.contains("Part 139")
            && !svg.contains("aria-label=\"Part 138\"")
    );
    assert!(svg.contains("other (139 segments)"));
    assert!(svg.contains("The 139 smallest segments are drawn together"));
    assert_eq!(png_size(&out.join("segments_total.png")), (1890, 1512));
}

#[test]
fn comparisons_draw_at_most_forty_lines() {
    let dir = TempDir::new().unwrap();
    let mut text = std::fs::read_to_string(repo("scenarios/korea_israel.toml")).unwrap();
    for i in 0..kjproj::scenario::MAX_VARIANTS {
        text += &format!(
            "[variants.v{i}]\n\"metrics.applications.milestones[0].value\" = {}\n",
            30.0 + 0.1 * i as f64
        );
    }
    let file = dir.path().join("v.toml");
    std::fs::write(&file, text).unwrap();
    // `run` compares the base and its 100 variants: the chart draws 40, the CSV has all.
    let out = dir.path().join("out");
    kjproj()
        .arg("run")
        .arg(&file)
        .args(["--draws", "500", "--sobol", "0", "--svg", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.join("compare.svg")).unwrap();
    assert!(svg.contains("The chart shows the first 40 of 101 scenarios and variants"));
    let rows = common::csv_rows(&out.join("compare.csv"));
    assert!(rows.iter().any(|r| r["variant"] == "v99"));
    // `compare` is asked for them explicitly: too many is an error before any work.
    kjproj()
        .arg("compare")
        .arg(&file)
        .arg("--variants")
        .arg("--out")
        .arg(dir.path().join("cmp"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "101 scenarios and variants are more than the 40 one comparison draws",
        ));
}
