"""Reference values for kjproj's curve fits (tests/fits.rs), computed independently.

    python3 tests/reference/fits.py > tests/reference/fits.json

Needs numpy and scipy (pip install numpy scipy); written with numpy 2.4.6, scipy 1.17.1.
Linear and exponential fits use scipy.stats.linregress and the textbook regression
formulas (exponential on ln y, as Excel's LOGEST and GROWTH do); S-curves use
scipy.optimize.curve_fit (Levenberg-Marquardt, MINPACK) in Prophet's parametrisation
C / (1 + exp(-k (t - m))), which differs from kjproj's a + b s on purpose. Standard errors
of derived parameters and bands use analytic derivatives and the delta method.
"""

import json
import numpy as np
from scipy import optimize, stats

RND_YEARS = np.arange(2015, 2024, dtype=float)
# Gross domestic expenditure on R&D, trillion KRW (scenarios/korea_rnd.csv).
RND = np.array([65.9594, 69.4055, 78.7892, 85.7287, 89.0471, 93.0717, 102.1352, 112.6460, 119.0740])

S_YEARS = np.arange(2008, 2025, dtype=float)
NOISE = np.array([0.8, -1.1, 0.3, 1.6, -0.7, -1.9, 0.4, 1.2, -0.2, -1.4, 2.1, -0.9, 0.6, -0.3, 1.0, -1.5, 0.5])
S_TRUE = 100 / (1 + np.exp(-0.45 * (S_YEARS - 2017)))
S_DATA = S_TRUE + NOISE
G_TRUE = 80 * np.exp(-np.exp(-0.3 * (S_YEARS - 2014)))
G_DATA = G_TRUE + NOISE * 0.8

BAND_T = [2020.0, 2027.0, 2031.0]
T95 = lambda dof: float(stats.t.ppf(0.95, dof))


def linear(t, y, t_ref, log):
    z = np.log(y) if log else y
    s = t - t_ref
    r = stats.linregress(s, z)
    n = len(s)
    res = z - (r.intercept + r.slope * s)
    rss = float(res @ res)
    s2 = rss / (n - 2)
    sxx = float(((s - s.mean()) ** 2).sum())
    tss = float(((z - z.mean()) ** 2).sum())
    out = {"r2": 1 - rss / tss, "resid_sd": s2 ** 0.5, "dof": n - 2}
    if log:
        out["params"] = {
            "level": [float(np.exp(r.intercept)), float(np.exp(r.intercept) * r.intercept_stderr)],
            "growth": [float(np.expm1(r.slope)), float(np.exp(r.slope) * r.stderr)],
        }
    else:
        out["params"] = {"level": [r.intercept, r.intercept_stderr], "slope": [r.slope, r.stderr]}
    bands = []
    for tb in BAND_T:
        sb = tb - t_ref
        conf = (s2 * (1 / n + (sb - s.mean()) ** 2 / sxx)) ** 0.5
        bands.append([tb, float(r.intercept + r.slope * sb), conf, (conf ** 2 + s2) ** 0.5])
    out["bands"] = bands
    return out


def anchored_exponential(t, y, ta, va):
    # An observation at the anchor's year is the anchor itself, not data for the fit.
    t, y = t[t != ta], y[t != ta]
    s = t - ta
    z = np.log(y) - np.log(va)
    b = float((s @ z) / (s @ s))
    res = z - b * s
    n = len(s)
    s2 = float(res @ res) / (n - 1)
    se_b = (s2 / float(s @ s)) ** 0.5
    lz = np.log(y)
    tss = float(((lz - lz.mean()) ** 2).sum())
    bands = []
    for tb in BAND_T:
        conf = abs(tb - ta) * se_b
        bands.append([tb, float(np.log(va) + b * (tb - ta)), conf, (conf ** 2 + s2) ** 0.5])
    return {
        "r2": 1 - float(res @ res) / tss,
        "resid_sd": s2 ** 0.5,
        "dof": n - 1,
        "params": {"growth": [float(np.expm1(b)), float(np.exp(b) * se_b)]},
        "bands": bands,
    }


def sigma(kind, u):
    return 1 / (1 + np.exp(-u)) if kind == "logistic" else np.exp(-np.exp(-u))


def dsigma(kind, u):
    g = sigma(kind, u)
    return g * (1 - g) if kind == "logistic" else g * np.exp(-u)


def s_curve(kind, t, y, cap=None, t_ref=None):
    """Prophet form C / (1 + e^{-k(t-m)}) (or Gompertz C exp(-e^{-k(t-m)})) by curve_fit."""
    if cap is None:
        f = lambda t, k, m, c: c * sigma(kind, k * (t - m))
        p0 = [0.3, float(t.mean()), float(y.max()) * 1.3]
    else:
        f = lambda t, k, m: cap * sigma(kind, k * (t - m))
        p0 = [0.3, float(t.mean())]
    popt, pcov = optimize.curve_fit(f, t, y, p0=p0, maxfev=20000, xtol=1e-14, ftol=1e-14)
    k, m = popt[0], popt[1]
    c = popt[2] if cap is None else cap
    res = y - f(t, *popt)
    n, p = len(t), len(popt)
    s2 = float(res @ res) / (n - p)
    se = np.sqrt(np.diag(pcov))

    def grad(tb):
        u = k * (tb - m)
        d = c * dsigma(kind, u)
        g = [d * (tb - m), -d * k]
        if cap is None:
            g.append(sigma(kind, u))
        return np.array(g)

    level = c * sigma(kind, k * (t_ref - m))
    gl = grad(t_ref)
    params = {
        "rate": [float(k), float(se[0])],
        "midpoint": [float(m), float(se[1])],
        "level": [float(level), float(np.sqrt(gl @ pcov @ gl))],
    }
    params["cap"] = [float(c), float(se[2])] if cap is None else [float(c), None]
    bands = []
    for tb in BAND_T:
        g = grad(tb)
        conf = float(np.sqrt(g @ pcov @ g))
        bands.append([tb, float(c * sigma(kind, k * (tb - m))), conf, (conf ** 2 + s2) ** 0.5])
    tss = float(((y - y.mean()) ** 2).sum())
    return {"r2": 1 - float(res @ res) / tss, "resid_sd": s2 ** 0.5, "dof": n - p,
            "params": params, "bands": bands}


def anchored_logistic(t, y, ta, va):
    """Logistic through (ta, va) exactly, rate and cap estimated: u = ln(va/(C-va)) + k (t-ta)."""
    def f(t, k, c):
        return c * sigma("logistic", np.log(va / (c - va)) + k * (t - ta))
    popt, pcov = optimize.curve_fit(f, t, y, p0=[0.3, float(y.max()) * 1.3], maxfev=20000,
                                    xtol=1e-14, ftol=1e-14)
    k, c = popt
    res = y - f(t, *popt)
    n = len(t)
    s2 = float(res @ res) / (n - 2)
    se = np.sqrt(np.diag(pcov))

    def grad(tb):
        u = np.log(va / (c - va)) + k * (tb - ta)
        d = c * dsigma("logistic", u)
        return np.array([d * (tb - ta), sigma("logistic", u) - d / (c - va)])

    bands = []
    for tb in BAND_T:
        g = grad(tb)
        conf = float(np.sqrt(g @ pcov @ g))
        bands.append([tb, float(f(tb, k, c)), conf, (conf ** 2 + s2) ** 0.5])
    tss = float(((y - y.mean()) ** 2).sum())
    return {"r2": 1 - float(res @ res) / tss, "resid_sd": s2 ** 0.5, "dof": n - 2,
            "params": {"rate": [float(k), float(se[0])], "cap": [float(c), float(se[1])]},
            "bands": bands}


cases = {
    "rnd_linear": {"t": RND_YEARS, "y": RND, "model": "linear", "reference": 2015.0,
                   **linear(RND_YEARS, RND, 2015.0, False)},
    "rnd_exponential": {"t": RND_YEARS, "y": RND, "model": "exponential", "reference": 2019.0,
                        **linear(RND_YEARS, RND, 2019.0, True)},
    "rnd_exponential_anchored": {"t": RND_YEARS, "y": RND, "model": "exponential",
                                 "anchor": [2023.0, 119.074],
                                 **anchored_exponential(RND_YEARS, RND, 2023.0, 119.074)},
    "logistic_cap_estimated": {"t": S_YEARS, "y": S_DATA, "model": "logistic", "reference": 2010.0,
                               **s_curve("logistic", S_YEARS, S_DATA, None, 2010.0)},
    "logistic_cap_given": {"t": S_YEARS, "y": S_DATA, "model": "logistic", "cap": 100.0,
                           "reference": 2010.0,
                           **s_curve("logistic", S_YEARS, S_DATA, 100.0, 2010.0)},
    "gompertz_cap_estimated": {"t": S_YEARS, "y": G_DATA, "model": "gompertz", "reference": 2012.0,
                               **s_curve("gompertz", S_YEARS, G_DATA, None, 2012.0)},
    "logistic_anchored": {"t": S_YEARS[2:], "y": S_DATA[2:], "model": "logistic",
                          "anchor": [2010.0, float(S_DATA[2])],
                          **anchored_logistic(S_YEARS[3:], S_DATA[3:], 2010.0, float(S_DATA[2]))},
}
for c in cases.values():
    c["t"] = [float(x) for x in c["t"]]
    c["y"] = [float(x) for x in c["y"]]
    c["t95"] = T95(c["dof"])
print(json.dumps(cases, indent=1, sort_keys=True))
