"""Type stubs of the native module (see kjproj/__init__.py for the documented API)."""

from typing import Any, Dict, List, Optional

def version() -> str: ...
def run(
    path: Optional[str] = None,
    text: Optional[str] = None,
    *,
    name: str = "scenario.toml",
    draws: Optional[int] = None,
    seed: Optional[int] = None,
    sampling: Optional[str] = None,
    sobol: Optional[int] = None,
    lang: Optional[str] = None,
    output: Optional[str] = None,
    money: Optional[str] = None,
    threads: Optional[int] = None,
    out: Optional[str] = None,
    svg: bool = False,
    chart_width_mm: Optional[float] = None,
    dpi: Optional[float] = None,
) -> Dict[str, Any]: ...
def check(
    path: Optional[str] = None,
    text: Optional[str] = None,
    *,
    name: str = "scenario.toml",
    draws: Optional[int] = None,
    threads: Optional[int] = None,
) -> str: ...
def solve(
    path: Optional[str] = None,
    text: Optional[str] = None,
    *,
    vary: str,
    goal: str,
    name: str = "scenario.toml",
    range: Optional[str] = None,
    probability: Optional[float] = None,
    draws: Optional[int] = None,
    seed: Optional[int] = None,
    variant: Optional[str] = None,
) -> str: ...
def run_part(
    path: str,
    part: str,
    partial: str,
    *,
    draws: Optional[int] = None,
    seed: Optional[int] = None,
    sampling: Optional[str] = None,
    sobol: Optional[int] = None,
    lang: Optional[str] = None,
    output: Optional[str] = None,
    money: Optional[str] = None,
    threads: Optional[int] = None,
) -> int: ...
def merge(
    pieces: List[str],
    *,
    out: Optional[str] = None,
    scenario: Optional[str] = None,
    threads: Optional[int] = None,
    svg: bool = False,
    chart_width_mm: Optional[float] = None,
    dpi: Optional[float] = None,
) -> Dict[str, Any]: ...
