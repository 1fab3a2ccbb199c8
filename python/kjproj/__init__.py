"""kjproj: projections and scenarios, with their uncertainty, as pandas data frames.

Load a scenario file (or its text), run it, and read the results as data frames; the
numbers are those of the ``kjproj`` command line for the same seed (the same library
computes them)::

    import kjproj

    s = kjproj.load("scenarios/fine_chem.toml")
    r = s.run(draws=1_000_000, seed=42)
    r.paths          # every metric and ratio, every year: projected and observed
    r.percentiles    # P5 … P95 of every series in every year
    r.probabilities  # the chance of reaching each stated figure
    r.tornado, r.sobol, r.checks
    s.check()        # the checks alone, as `kjproj check` runs them
    s.solve(vary="metrics.sales.target.value", goal="share[2031] = 15%")

Long runs release the GIL (other Python threads keep running) and stop on Ctrl-C with
``KeyboardInterrupt``. A run can be split across processes or machines with
:meth:`Scenario.run_part` and put back together, to the bit, with :func:`merge`.

Errors in a scenario raise :class:`ScenarioError`, which carries the file, line, column
and key of the first problem (``errors`` lists them all).
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Union

import pandas as pd

from . import _kjproj

__all__ = [
    "Scenario",
    "Result",
    "load",
    "loads",
    "merge",
    "KjprojError",
    "ScenarioError",
    "UsageError",
    "NoSolution",
    "ReadError",
    "WriteError",
    "__version__",
]

__version__: str = _kjproj.version()

PathLike = Union[str, "os.PathLike[str]"]


class KjprojError(Exception):
    """Base class of the errors kjproj raises."""


class ScenarioError(KjprojError, ValueError):
    """A scenario file that is not a valid scenario.

    ``file``, ``line``, ``column`` and ``key`` locate the first problem (``line`` and
    ``column`` are 1-based, ``None`` when unknown); ``errors`` holds every problem as a
    dict with the same keys and ``message``.
    """

    def __init__(self, message: str, errors: List[Dict[str, Any]]):
        super().__init__(message)
        self.errors: List[Dict[str, Any]] = errors
        first = errors[0] if errors else {}
        self.file: Optional[str] = first.get("file")
        self.line: Optional[int] = first.get("line")
        self.column: Optional[int] = first.get("column")
        self.key: Optional[str] = first.get("key")
        self.message: str = first.get("message", message)


class UsageError(KjprojError, ValueError):
    """Arguments that ask for something impossible (zero draws, an unknown variant, …)."""


class NoSolution(KjprojError, ValueError):
    """:meth:`Scenario.solve` found no value in the range that reaches the goal."""


class ReadError(KjprojError, OSError):
    """A scenario file that cannot be read; ``file`` is its path."""

    def __init__(self, message: str, file: Optional[str]):
        super().__init__(message)
        self.file = file


class WriteError(KjprojError, OSError):
    """An output that cannot be written; ``file`` is its path."""

    def __init__(self, message: str, file: Optional[str]):
        super().__init__(message)
        self.file = file


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Calls the native module, turning its errors into this module's classes."""
    try:
        return fn(*args, **kwargs)
    except (ValueError, RuntimeError) as e:
        if len(e.args) == 3 and str(e.args[0]).startswith("kjproj."):
            kind, message, details = e.args
            data = json.loads(details)
            if kind == "kjproj.scenario":
                raise ScenarioError(message, data) from None
            if kind == "kjproj.usage":
                raise UsageError(message) from None
            if kind == "kjproj.no_solution":
                raise NoSolution(message) from None
            if kind == "kjproj.read":
                raise ReadError(message, data.get("file")) from None
            if kind == "kjproj.write":
                raise WriteError(message, data.get("file")) from None
            raise KjprojError(message) from None
        raise


def _csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")


def _tables(tables: Dict[str, Dict[str, bytes]], name: str) -> pd.DataFrame:
    """One table of every evaluation, with a first column ``scenario``."""
    frames = []
    for scenario, files in tables.items():
        if name in files:
            df = _csv(files[name])
            df.insert(0, "scenario", scenario)
            frames.append(df)
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def _paths(tables: Dict[str, Dict[str, bytes]], doc: Dict[str, Any]) -> pd.DataFrame:
    """``paths.csv`` of every evaluation in long form: scenario, series, kind (metric or
    ratio), year, projected, growth (year on year), observed (NaN where there is no
    observation)."""
    rows = []
    for run in doc["runs"]:
        scenario = run["variant"]
        wide = _csv(tables[scenario]["paths.csv"])
        for kind, key in (("metric", "metrics"), ("ratio", "ratios")):
            for s in run[key]:
                name = s["name"]
                part = pd.DataFrame(
                    {
                        "scenario": scenario,
                        "series": name,
                        "kind": kind,
                        "year": wide["year"],
                        "projected": wide[name],
                        "growth": wide.get(f"{name}_yoy"),
                        "observed": wide[f"{name}_observed"]
                        if f"{name}_observed" in wide
                        else float("nan"),
                    }
                )
                rows.append(part)
    return pd.concat(rows, ignore_index=True)


@dataclass
class Result:
    """The results of a run of the base and every variant, as data frames.

    Every frame has a first column ``scenario``: ``base`` or the variant's name.
    """

    #: Every metric and ratio in every year: ``projected`` (the model's path),
    #: ``growth`` (year on year) and ``observed`` (NaN where there is no observation).
    paths: pd.DataFrame
    #: Mean, standard deviation and P5, P10, P25, P50, P75, P90, P95 of every series in
    #: every year, with their standard errors (``fan.csv``).
    percentiles: pd.DataFrame
    #: The chance of reaching each stated figure (``probabilities.csv``).
    probabilities: pd.DataFrame
    #: One-at-a-time swings of every output (``tornado.csv``).
    tornado: pd.DataFrame
    #: First-order and total Sobol indices with 95% intervals (``sobol.csv``).
    sobol: pd.DataFrame
    #: The headline output's histogram (``histogram.csv``).
    histogram: pd.DataFrame
    #: Every check of the base and each variant: name, passed, actual, bound, why.
    checks: pd.DataFrame
    #: Warnings (stated figures that differ from derived ones, sampling error, …).
    warnings: List[str]
    #: The whole result as the JSON document of ``kjproj run --json``.
    document: Dict[str, Any]
    #: The files written (empty unless ``out`` was given).
    written: List[str] = field(default_factory=list)
    #: The CSV files as ``kjproj run`` writes them: {scenario: {file name: bytes}}.
    files: Dict[str, Dict[str, bytes]] = field(default_factory=dict, repr=False)

    @classmethod
    def _from_native(cls, ran: Dict[str, Any]) -> "Result":
        doc = json.loads(ran["json"])
        tables = ran["tables"]
        checks = [
            dict(scenario=run["variant"], **c) for run in doc["runs"] for c in run["checks"]
        ]
        return cls(
            paths=_paths(tables, doc),
            percentiles=_tables(tables, "fan.csv"),
            probabilities=_tables(tables, "probabilities.csv"),
            tornado=_tables(tables, "tornado.csv"),
            sobol=_tables(tables, "sobol.csv"),
            histogram=_tables(tables, "histogram.csv"),
            checks=pd.DataFrame(checks),
            warnings=list(ran["warnings"]),
            document=doc,
            written=list(ran["written"]),
            files=tables,
        )


class Scenario:
    """A scenario, from a file (:func:`load`) or from text (:func:`loads`).

    It is read again by each call, so edits to the file are always seen; an invalid
    file raises :class:`ScenarioError` from the call.
    """

    def __init__(self, path: Optional[PathLike] = None, text: Optional[str] = None,
                 name: str = "scenario.toml"):
        if (path is None) == (text is None):
            raise UsageError("give a scenario file or the text of one")
        self.path: Optional[str] = os.fspath(path) if path is not None else None
        self.text: Optional[str] = text
        self.name: str = name

    def __repr__(self) -> str:
        return f"Scenario({self.path!r})" if self.path else f"Scenario(<text {self.name}>)"

    def _source(self) -> Dict[str, Any]:
        return {"path": self.path, "text": self.text}

    def run(
        self,
        *,
        draws: Optional[int] = None,
        seed: Optional[int] = None,
        sampling: Optional[str] = None,
        sobol: Optional[int] = None,
        lang: Optional[str] = None,
        output: Optional[str] = None,
        money: Optional[str] = None,
        threads: Optional[int] = None,
        out: Optional[PathLike] = None,
        svg: bool = False,
        chart_width_mm: Optional[float] = None,
        dpi: Optional[float] = None,
    ) -> Result:
        """Evaluates the base and every variant with every analysis, as ``kjproj run``.

        Settings left out come from the file, else kjproj's defaults (100,000 draws,
        seed 42, Latin hypercube sampling, 16,384 Sobol base samples; ``sobol=0`` skips
        the Sobol analysis). ``sampling`` is ``"lhs"`` or ``"random"``, ``lang`` ``"en"``
        or ``"ko"``, ``money`` ``"plain"`` or ``"korean"``; ``output`` adds an output to
        the sensitivity analyses, e.g. ``"sum(sales, 2025, 2031)"``. With ``out``, every
        file ``kjproj run`` writes (CSV, charts, report, workbook) is written there too,
        replacing the folder's previous outputs in one step.
        """
        ran = _call(
            _kjproj.run,
            **self._source(),
            name=self.name,
            draws=draws,
            seed=seed,
            sampling=sampling,
            sobol=sobol,
            lang=lang,
            output=output,
            money=money,
            threads=threads,
            out=os.fspath(out) if out is not None else None,
            svg=svg,
            chart_width_mm=chart_width_mm,
            dpi=dpi,
        )
        return Result._from_native(ran)

    def check(self, *, draws: Optional[int] = None, threads: Optional[int] = None) -> pd.DataFrame:
        """Runs the built-in and declared checks of the base and every variant, as
        ``kjproj check``: one row per check (scenario, name, builtin, check, passed,
        skipped, actual, bound, why)."""
        text = _call(
            _kjproj.check, **self._source(), name=self.name, draws=draws, threads=threads
        )
        doc = json.loads(text)
        rows = [
            dict(scenario=v["variant"], **c)
            for f in doc["files"]
            for v in f["variants"]
            for c in v["checks"]
        ]
        return pd.DataFrame(rows)

    def solve(
        self,
        *,
        vary: str,
        goal: str,
        range: Optional[str] = None,
        probability: Optional[float] = None,
        draws: Optional[int] = None,
        seed: Optional[int] = None,
        variant: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Goal seek, as ``kjproj solve``: the value of the input ``vary`` (e.g.
        ``"metrics.sales.target.value"``) that makes ``goal`` (e.g. ``"share[2031] =
        15%"``) true, or, with ``probability``, that makes the goal reached with that
        probability. Returns a dict with ``value``, ``achieved``, ``range``,
        ``evaluations``, ``other_solutions`` and ``set_aside`` (with ``probability``, what
        of the input's own uncertainty was set aside while solving for it: ``"range"``,
        ``"correlations"``); raises :class:`NoSolution` when no value in the range reaches
        the goal."""
        text = _call(
            _kjproj.solve,
            **self._source(),
            name=self.name,
            vary=vary,
            goal=goal,
            range=range,
            probability=probability,
            draws=draws,
            seed=seed,
            variant=variant,
        )
        return json.loads(text)

    def run_part(self, part: str, partial: PathLike, **settings: Any) -> int:
        """Simulates one part of a run and writes its partial result to ``partial``, for
        :func:`merge`: ``part`` is ``"A..B"`` (chunks of 65,536 draws, B not included)
        or ``"K/N"`` (the K-th of N shares). ``settings`` are those of :meth:`run`
        (draws, seed, sampling, sobol, lang, output, money, threads) and must be the same
        for every part. Returns the draws simulated. Only for a scenario file."""
        if self.path is None:
            raise UsageError("run_part needs a scenario file (load), not text")
        return _call(_kjproj.run_part, self.path, part, os.fspath(partial), **settings)


def load(path: PathLike) -> Scenario:
    """The scenario in the file ``path`` (checked now, so that errors show at once)."""
    s = Scenario(path=path)
    s.check(draws=1)
    return s


def loads(text: str, name: str = "scenario.toml") -> Scenario:
    """The scenario in ``text`` (``name`` names it in errors), checked now. It may not
    ``extends`` another file or read data files: save it to a file and :func:`load` it
    for that."""
    s = Scenario(text=text, name=name)
    s.check(draws=1)
    return s


def merge(
    pieces: Sequence[PathLike],
    *,
    out: Optional[PathLike] = None,
    scenario: Optional[PathLike] = None,
    threads: Optional[int] = None,
    svg: bool = False,
    chart_width_mm: Optional[float] = None,
    dpi: Optional[float] = None,
) -> Result:
    """Merges the partial results of a run split with :meth:`Scenario.run_part` (or
    ``kjproj run --chunks … --partial …``) into the result of one run with the same
    settings, identical to the bit; with ``out``, writes its files there. ``scenario``
    is the scenario file when it is no longer where the pieces say."""
    ran = _call(
        _kjproj.merge,
        [os.fspath(p) for p in pieces],
        out=os.fspath(out) if out is not None else None,
        scenario=os.fspath(scenario) if scenario is not None else None,
        threads=threads,
        svg=svg,
        chart_width_mm=chart_width_mm,
        dpi=dpi,
    )
    return Result._from_native(ran)
