"""Reference values for kjproj's exponential function (src/stats/exp), computed
independently: e^x to 50 digits with mpmath, rounded once to the nearest double; and the
GNU C Library's exp (Python's math.exp calls it), whose method and constants kjproj's
follows, as it computes on an x86-64 processor with FMA (written with glibc 2.36).

    python3 tests/reference/exp.py > tests/reference/exp.json

Needs mpmath (pip install mpmath); written with mpmath 1.3.0. The x are spread over the
range kjproj computes itself (2^-54 <= |x| < 512), with more of them where projections
go (|x| < 20: logarithms of values and growth over years), a few near the range's ends,
and values of the form k ln 2 / 128 + tiny (where the table's entries meet).
"""

import json
import math
import platform
import random
import struct

import mpmath

mpmath.mp.dps = 50


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


rng = random.Random(20261203)
xs = [rng.uniform(-20.0, 20.0) for _ in range(3000)]
xs += [rng.uniform(-511.9, 511.9) for _ in range(500)]
xs += [rng.uniform(-1e-3, 1e-3) for _ in range(200)]
xs += [s * 2.0 ** rng.uniform(-54, -10) for s in (1, -1) for _ in range(100)]
ln2_128 = float(mpmath.log(2) / 128)
xs += [k * ln2_128 * (1 + rng.uniform(-1e-15, 1e-15)) for k in range(-300, 300)]
xs += [2.0**-54, -(2.0**-54), 511.99, -511.99, 1.0, -1.0, 0.5, 2.0, 10.0, 100.0]


# A digest of the C library's exp of a longer stream of x, which the test generates
# the same way: SplitMix64 words z, u = (z >> 11) / 2^53, x = (2u - 1) * span with the span
# chosen by z's two low bits; digest h = (h ^ bits(exp x)) * 0x100000001b3 (mod 2^64) from
# h = 0xcbf29ce484222325.
MASK = (1 << 64) - 1
SPANS = [5.0, 40.0, 511.0, 1e-6]
state = 0x9E3779B97F4A7C15
digest = 0xCBF29CE484222325
STREAM = 1_000_000
for _ in range(STREAM):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    z ^= z >> 31
    x = (2.0 * ((z >> 11) / 2.0**53) - 1.0) * SPANS[z & 3]
    digest = ((digest ^ bits(math.exp(x))) * 0x100000001B3) & MASK

libc = "-".join(platform.libc_ver())
rows = [
    [f"{bits(x):016x}", f"{bits(float(mpmath.exp(mpmath.mpf(x)))):016x}", f"{bits(math.exp(x)):016x}"]
    for x in xs
]
print(
    json.dumps(
        {
            "generator": f"tests/reference/exp.py, mpmath {mpmath.__version__}, 50 digits; "
            f"C library {libc}, {platform.machine()}",
            "x_exp_bits": rows,
            "stream": {"count": STREAM, "digest": f"{digest:016x}"},
        }
    )
)
