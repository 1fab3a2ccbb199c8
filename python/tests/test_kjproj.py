"""The Python package as an analyst uses it (issue 15): scenarios in, data frames out, the
same numbers as the command line, errors with their place, Ctrl-C, split runs."""

import _thread
import os
import pathlib
import subprocess
import threading
import time

import pandas as pd
import pytest

import kjproj

ROOT = pathlib.Path(__file__).resolve().parents[2]
FINE_CHEM = ROOT / "scenarios" / "fine_chem.toml"
KOREA_RND = ROOT / "scenarios" / "korea_rnd.toml"
SMALL = dict(draws=20_000, sobol=512)


def cli():
    """The kjproj binary (.ci/run builds it and sets KJPROJ_BIN)."""
    path = os.environ.get("KJPROJ_BIN") or str(ROOT / "target" / "release" / "kjproj")
    if not os.path.exists(path):
        pytest.fail(f"build the command line first (cargo build --release): {path}")
    return path


def test_a_run_gives_the_tables_of_the_command_line_to_the_byte(tmp_path):
    r = kjproj.load(FINE_CHEM).run(draws=50_000, sobol=1024, seed=7)
    subprocess.run(
        [cli(), "run", str(FINE_CHEM), "-q", "--draws", "50000", "--sobol", "1024",
         "--seed", "7", "--out", str(tmp_path / "cli")],
        check=True,
    )
    for scenario, folder in [("base", ""), ("delayed_start", "delayed_start")]:
        for name in ["paths.csv", "fan.csv", "probabilities.csv", "tornado.csv", "sobol.csv"]:
            written = (tmp_path / "cli" / folder / name).read_bytes()
            # The command line marks non-ASCII CSV files for Excel; the tables are the same.
            assert r.files[scenario][name] == written.removeprefix(b"\xef\xbb\xbf"), name
    # The frames hold those numbers.
    fan = r.percentiles
    row = fan[(fan.scenario == "base") & (fan.series == "share") & (fan.year == 2031)].iloc[0]
    cli_fan = pd.read_csv(tmp_path / "cli" / "fan.csv")
    cli_row = cli_fan[(cli_fan.series == "share") & (cli_fan.year == 2031)].iloc[0]
    assert row["p50"] == cli_row["p50"] and row["mean"] == cli_row["mean"]
    assert set(r.percentiles.scenario) == {"base", "delayed_start", "smaller_market"}


def test_frames_have_the_analyses_and_paths_have_observed_and_projected():
    r = kjproj.load(KOREA_RND).run(**SMALL)
    p = r.paths
    assert list(p.columns) == ["scenario", "series", "kind", "year", "projected", "growth", "observed"]
    gerd = p[p.series == "gerd"].set_index("year")
    # Observed data (2015–2023) beside the fitted path; none after.
    assert gerd.loc[2023, "observed"] == pytest.approx(119.074)
    assert pd.isna(gerd.loc[2031, "observed"])
    assert gerd.loc[2031, "projected"] > gerd.loc[2023, "projected"]
    assert not r.tornado.empty and not r.sobol.empty and not r.histogram.empty
    assert {"name", "passed", "actual", "bound"} <= set(r.checks.columns)
    assert r.document["runs"][0]["simulation"]["draws"] == 20_000


def test_scenario_errors_carry_file_line_column_and_key(tmp_path):
    bad = tmp_path / "bad.toml"
    text = FINE_CHEM.read_text(encoding="utf-8").replace(
        'shape = "cagr"', 'shape = "cagr"\nbaseline_growht = 0.1', 1
    )
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(kjproj.ScenarioError) as e:
        kjproj.load(bad)
    err = e.value
    assert err.file == str(bad)
    assert err.line is not None and err.column is not None
    assert "baseline_growht" in err.key
    assert isinstance(err, ValueError) and err.errors
    with pytest.raises(kjproj.ScenarioError) as e:
        kjproj.loads('name = "x"\nunit = 3\n', name="inline.toml")
    assert (e.value.file, e.value.line, e.value.column, e.value.key) == ("inline.toml", 2, 8, "unit")
    with pytest.raises(kjproj.ReadError):
        kjproj.load(tmp_path / "missing.toml")
    with pytest.raises(kjproj.UsageError):
        kjproj.load(FINE_CHEM).run(draws=0)
    with pytest.raises(kjproj.UsageError):
        kjproj.load(FINE_CHEM).run(sampling="sobol")
    with pytest.raises(kjproj.UsageError, match="threads"):
        kjproj.load(FINE_CHEM).run(threads=0)


def test_checks_and_solve():
    s = kjproj.load(FINE_CHEM)
    checks = s.check()
    assert {"base", "delayed_start", "smaller_market"} <= set(checks.scenario)
    assert checks.passed.dtype == bool
    answer = s.solve(vary="metrics.sales.target.value", goal="share[2031] = 15%")
    # 15% of a 350 market: 52.5, the analytic answer.
    assert answer["value"] == pytest.approx(52.5, rel=1e-6)
    assert answer["set_aside"] == []
    # Under uncertainty the target's own range and its correlation with the market are set
    # aside: with sales fixed, P(v / M >= 0.15) = 0.8 for the market M normal with P5 315
    # and P95 385 gives v = 0.15 * (350 + 0.8416 * 21.28) = 55.19.
    answer = s.solve(
        vary="metrics.sales.target.value", goal="share[2031] = 15%", probability=0.8, draws=20000
    )
    assert answer["value"] == pytest.approx(55.19, abs=0.15)
    assert answer["set_aside"] == ["range", "correlations"]
    with pytest.raises(kjproj.NoSolution):
        s.solve(vary="metrics.sales.target.value", goal="share[2031] = 15%", range="1..2")


def test_outputs_written_like_the_command_line(tmp_path):
    r = kjproj.load(FINE_CHEM).run(**SMALL, out=tmp_path / "out", svg=True, lang="ko")
    out = tmp_path / "out"
    for name in ["paths.png", "paths.svg", "fan.png", "report.md", "workbook.xlsx",
                 "smaller_market/sobol.csv"]:
        assert (out / name).exists(), name
    assert str(out / "fan.csv") in r.written


def test_a_split_run_merges_into_the_single_run(tmp_path):
    s = kjproj.load(FINE_CHEM)
    settings = dict(draws=200_000, sobol=256, seed=3)
    single = s.run(**settings)
    pieces = []
    for k in (1, 2, 3):
        p = tmp_path / f"part{k}.kjpart"
        assert s.run_part(f"{k}/3", p, **settings) > 0
        pieces.append(p)
    merged = kjproj.merge(list(reversed(pieces)), out=tmp_path / "merged")
    assert merged.files == single.files
    pd.testing.assert_frame_equal(merged.percentiles, single.percentiles)
    with pytest.raises(kjproj.UsageError, match="missing"):
        kjproj.merge(pieces[:2])


def test_long_runs_release_the_gil():
    s = kjproj.load(FINE_CHEM)
    done = threading.Event()

    def work():
        s.run(draws=3_000_000, sobol=0)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    ticks = 0
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    # The main thread kept running while the simulation ran.
    assert ticks > 50


def test_ctrl_c_stops_a_long_run_and_the_next_run_works():
    s = kjproj.load(FINE_CHEM)
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        s.run(draws=50_000_000, sobol=0)
    assert time.monotonic() - start < 20
    r = s.run(**SMALL)
    assert len(r.percentiles) > 0
