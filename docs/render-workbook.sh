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
pdftoppm -png -r 160 -f 1 -l 1 -x 100 -y 110 -W 1430 -H 260 "$out/report.pdf" "$out/summary-top"
# …and the top of the 扣款 sheet (the page whose first cell is 工号)
page=$(for n in $(seq 1 "$(ls "$out"/page-*.png | wc -l)"); do
  if pdftotext -f "$n" -l "$n" "$out/report.pdf" - | head -1 | grep -q '^工号'; then echo "$n"; break; fi; done)
pdftoppm -png -r 160 -f "$page" -l "$page" -x 100 -y 120 -W 1600 -H 620 "$out/report.pdf" "$out/deductions-top"
echo "README images: $out/summary-top-01.png → docs/summary-sheet.png, $out/deductions-top-*.png → docs/deductions-sheet.png"
