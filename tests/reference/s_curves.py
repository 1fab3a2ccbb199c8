"""Reference values for tests/shapes.rs: one S-curve through several points (numpy).

    python3 tests/reference/s_curves.py
"""
import numpy as np
# logistic cap 80 through (2020,7) exactly, slope LS on logit over (2024,34),(2030,65)
C=80.
t0,v0=2020.,7.
ts=np.array([2024.,2030.]); vs=np.array([34.,65.])
lg=lambda v: np.log(v/(C-v))
a=lg(v0); s=ts-t0; b=(s@(lg(vs)-a))/(s@s)
f=lambda t: C/(1+np.exp(-(a+b*(t-t0))))
print([repr(float(f(t))) for t in [2022.,2024.,2027.,2030.]])
gl=lambda v: -np.log(-np.log(v/C))
a=gl(v0); b=(s@(gl(vs)-a))/(s@s)
g=lambda t: C*np.exp(-np.exp(-(a+b*(t-t0))))
print([repr(float(g(t))) for t in [2022.,2024.,2027.,2030.]])
# two points: gompertz through 7@2020, 34@2024 cap 80 in 2030 and growth 2023->24, 2024->25
a=gl(v0); b=(gl(34.)-a)/4
g=lambda t: C*np.exp(-np.exp(-(a+b*(t-t0))))
print(repr(float(g(2030.))), [float(g(y+1)/g(y)-1) for y in [2023.,2024.]])
a=lg(v0); b=(lg(34.)-a)/4
f=lambda t: C/(1+np.exp(-(a+b*(t-t0))))
print(repr(float(f(2030.))), [float(f(y+1)-f(y)) for y in [2023.,2024.]])
