"""Sobol indices of the two-input model (two_inputs.toml) with SALib: Saltelli sampling
(N = 16,384, no second order), the share in 2031 evaluated for every row, and
`sobol.analyze` with 1,000 bootstrap resamples and 95% intervals, as kjproj computes them.

    python salib_sobol.py
"""

import sys
import time

import numpy as np
from SALib.analyze import sobol
from SALib.sample import sobol as sobol_sample
from scipy import stats

t0 = time.perf_counter()
problem = {
    "num_vars": 2,
    "names": ["sales_2031", "market_2031"],
    "bounds": [[0, 1], [0, 1]],
}
u = sobol_sample.sample(problem, 16_384, calc_second_order=False, seed=1)
a = 1 + 4 * (52 - 30) / 30
b = 1 + 4 * (60 - 52) / 30
sales = 30 + 30 * stats.beta.ppf(u[:, 0], a, b)
market = stats.norm.ppf(u[:, 1], loc=350, scale=70 / (2 * stats.norm.ppf(0.95)))
share = sales / market
si = sobol.analyze(
    problem, share, calc_second_order=False, num_resamples=1000, conf_level=0.95, seed=1
)
print(f"salib_sobol: {time.perf_counter() - t0:.3f} s inside Python", file=sys.stderr)
print("S1", np.round(si["S1"], 4), "+-", np.round(si["S1_conf"], 4))
print("ST", np.round(si["ST"], 4), "+-", np.round(si["ST_conf"], 4))
