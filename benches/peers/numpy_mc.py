"""The two-input model (two_inputs.toml) as an analyst would write it with NumPy, SciPy and
Matplotlib: 1,000,000 Latin hypercube draws, paths for 2023-2031, percentiles and means per
series and year (CSV), a fan chart and a histogram (PNG).

    python numpy_mc.py OUT_DIR
"""

import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

N = 1_000_000
YEARS = np.arange(2023, 2032)
PCTS = [5, 10, 25, 50, 75, 90, 95]


def lhs(n, rng):
    """One Latin hypercube column: a uniform in each of n strata, shuffled."""
    return (rng.permutation(n) + rng.random(n)) / n


def pert(u, lo, mode, hi):
    """PERT quantiles: a beta with alpha = 1 + 4 (mode - lo) / (hi - lo)."""
    a = 1 + 4 * (mode - lo) / (hi - lo)
    b = 1 + 4 * (hi - mode) / (hi - lo)
    return lo + (hi - lo) * stats.beta.ppf(u, a, b)


def main(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rng = np.random.default_rng(1)
    sales_2031 = pert(lhs(N, rng), 30, 52, 60)
    # low/high as the 5th and 95th percentiles of a normal.
    z = stats.norm.ppf(0.95)
    market_2031 = stats.norm.ppf(lhs(N, rng), loc=350, scale=(385 - 315) / (2 * z))
    t = (YEARS - 2023) / 8
    market = 160 * (market_2031[:, None] / 160) ** t
    sales = 9.4 * (sales_2031[:, None] / 9.4) ** t
    share = sales / market
    rows = ["series,year,mean," + ",".join(f"p{p}" for p in PCTS)]
    fan = {}
    for name, values in (("market", market), ("sales", sales), ("share", share)):
        q = np.percentile(values, PCTS, axis=0)
        fan[name] = q
        m = values.mean(axis=0)
        for j, year in enumerate(YEARS):
            rows.append(f"{name},{year},{m[j]:.12g}," + ",".join(f"{v:.12g}" for v in q[:, j]))
    (out / "fan.csv").write_text("\n".join(rows) + "\n")
    fig, axes = plt.subplots(1, 3, figsize=(6.3, 2.6), dpi=300)
    for ax, (name, q) in zip(axes, fan.items()):
        ax.fill_between(YEARS, q[0], q[6], alpha=0.25)
        ax.fill_between(YEARS, q[1], q[5], alpha=0.35)
        ax.fill_between(YEARS, q[2], q[4], alpha=0.5)
        ax.plot(YEARS, q[3])
        ax.set_title(name)
    fig.tight_layout()
    fig.savefig(out / "fan.png")
    fig, ax = plt.subplots(figsize=(6.3, 4), dpi=300)
    ax.hist(share[:, -1], bins=50)
    ax.set_xlabel("share in 2031")
    fig.savefig(out / "histogram.png")
    print(f"numpy_mc: {time.perf_counter() - t0:.3f} s inside Python", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "peer-numpy")
