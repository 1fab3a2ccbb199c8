#!/usr/bin/env bash
# Paired timing of kjproj against the peers an analyst would otherwise use, on the
# two-input model (two_inputs.toml), each pair run back to back ROUNDS times:
#
#   1. Monte Carlo, 1,000,000 draws, with charts: `kjproj run --sobol 0` (paths, fan,
#      tornado and histogram charts, CSVs, report, workbook) against numpy_mc.py (NumPy,
#      SciPy and Matplotlib: percentiles, a fan chart and a histogram).
#   2. Sobol indices, N = 16,384, 1,000 bootstrap resamples: kjproj's Sobol analysis (a run
#      with `--sobol 16384` less the same run with `--sobol 0`) against salib_sobol.py.
#
#   benches/peers/compare.sh            # from the repository root; ROUNDS=5 for more
#
# Needs python3 with venv; installs the pinned requirements.txt into benches/peers/.venv
# on first use (VENV=DIR for another environment).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${VENV:-$here/.venv}
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$here/requirements.txt"
fi
py="$venv/bin/python"
cargo build --release -q
kj=$(pwd)/target/release/kjproj
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
model="$here/two_inputs.toml"

# Wall time of a command in milliseconds (its output discarded).
ms() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}

printf '%-6s %12s %12s %8s   %14s %12s %8s\n' round "kjproj MC" "NumPy+mpl" ratio \
    "kjproj Sobol" "SALib" ratio
for round in $(seq "${ROUNDS:-3}"); do
    a=$(ms "$kj" run "$model" --sobol 0 -q --out "$tmp/kj")
    b=$(ms "$py" "$here/numpy_mc.py" "$tmp/np")
    with=$(ms "$kj" run "$model" --draws 1000 --sobol 16384 -q --out "$tmp/kjs")
    without=$(ms "$kj" run "$model" --draws 1000 --sobol 0 -q --out "$tmp/kjs0")
    c=$((with > without ? with - without : 1))
    d=$(ms "$py" "$here/salib_sobol.py")
    printf '%-6s %9s ms %9s ms %7sx   %11s ms %9s ms %7sx\n' "$round" "$a" "$b" \
        "$(awk "BEGIN { printf \"%.1f\", $b / $a }")" "$c" "$d" \
        "$(awk "BEGIN { printf \"%.0f\", $d / $c }")"
done
