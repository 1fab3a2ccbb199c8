#!/usr/bin/env bash
# Opens a run's report.html in headless Chromium: a screenshot of the first screen and a
# print to PDF (A4), then the PDF as PNG pages, to look at the report as a reader and a
# printer would.
#
#   scripts/html-report-pages.sh [SCENARIO] [OUT]
#
# Needs Debian's chromium and poppler-utils:
#   apt-get install -y --no-install-recommends chromium poppler-utils
set -euo pipefail
scenario=${1:-scenarios/fine_chem.toml}
out=$(realpath -m "${2:-output/html-report-pages}")
cargo run --release -q -- run "$scenario" --out "$out/run" -q
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# The flags keep Chromium off the network (report.html needs none) and quiet.
chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
        --disable-background-networking --disable-component-update --disable-sync
        --user-data-dir="$profile" --virtual-time-budget=5000)
"${chrome[@]}" --window-size=1280,1600 --screenshot="$out/screen.png" "file://$out/run/report.html" 2>/dev/null
"${chrome[@]}" --no-pdf-header-footer --print-to-pdf="$out/report.pdf" "file://$out/run/report.html" 2>/dev/null
pdftoppm -r 60 -png "$out/report.pdf" "$out/page"
echo "wrote $out/screen.png, $out/report.pdf and $(ls "$out"/page-*.png | wc -l) pages as $out/page-N.png"
