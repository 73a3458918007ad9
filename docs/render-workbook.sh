#!/usr/bin/env bash
# Look at report.xlsx the way a finance clerk's office suite shows it: audit the shipped sample month,
# convert the workbook with LibreOffice headless to PDF, then each page to PNG.
#   needs: soffice (Debian: libreoffice-calc-nogui), pdftoppm (poppler-utils), a CJK font (fonts-wqy-zenhei)
#   usage: docs/render-workbook.sh [OUT_DIR]      (default /tmp/wgm-render)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/wgm-render}"
rm -rf "$out" && mkdir -p "$out"
wgm audit sample_exports --roster sample_exports/roster.yaml --out "$out/report" --format xlsx --quiet || [ $? -eq 1 ]
soffice --headless --convert-to pdf --outdir "$out" "$out/report/report.xlsx" >/dev/null
pdftoppm -png -r 90 "$out/report.pdf" "$out/page"
ls "$out"/page-*.png
# the README's picture: the top of the first 汇总 page
pdftoppm -png -r 160 -f 1 -l 1 -x 100 -y 150 -W 1430 -H 340 "$out/report.pdf" "$out/summary-top"
echo "README image: $out/summary-top-01.png (copy to docs/summary-sheet.png)"
