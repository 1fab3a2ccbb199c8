#!/usr/bin/env bash
# Converts a run's workbook.xlsx to PDF with LibreOffice (headless) and the PDF to PNG
# pages, to look at every page as a printed copy would show it.
#
#   scripts/workbook-pages.sh [SCENARIO] [OUT]
#
# Needs Debian's libreoffice-calc-nogui and poppler-utils:
#   apt-get install -y --no-install-recommends libreoffice-calc-nogui poppler-utils
set -euo pipefail
scenario=${1:-scenarios/fine_chem.toml}
out=${2:-output/workbook-pages}
cargo run --release -q -- run "$scenario" --out "$out/run" -q
soffice --headless --convert-to pdf "$out/run/workbook.xlsx" --outdir "$out" >/dev/null
pdftoppm -r 90 -png "$out/workbook.pdf" "$out/page"
echo "wrote $out/workbook.pdf and $(ls "$out"/page-*.png | wc -l) pages as $out/page-N.png"
