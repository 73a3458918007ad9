"""Do the outputs stay the same? Reference outputs from one commit, compared with the current code's.

    python bench/same_outputs.py save REF          # with the code before a change: writes REF/
    python bench/same_outputs.py check REF         # after it: runs again, compares, exit 1 on any difference
    python bench/same_outputs.py check REF --only sample,dev     # the quick part (no 100k run)

Three things are compared (issue 18: a speed-up must change no output):
  * `sample`: the README's quick-start audit of sample_exports/ (roster, incidents, members), every format;
  * `bench`:  the default formats on the 100k bench export (bench/generate.py, seed 7, 10 groups — the
    folder bench/run.py generates and caches under --cache-dir);
  * `dev`:    `python bench/classifier.py --split dev`, the natural-language score report.

Every file an audit writes is compared byte for byte (the hidden .wgm-manifest.json too), except
report.xlsx, whose zip carries the time it was written: it is compared by its cells as openpyxl reads
them back (sheet names, values, number formats), and its line in the manifest is skipped. Two runs of
the same code differ in nothing else (checked on commit 669a00c: as_of and run_id come from the data,
not the clock).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SAMPLE = ROOT / "sample_exports"
PARTS = ("sample", "bench", "dev")
XLSX = "report.xlsx"
MANIFEST = ".wgm-manifest.json"


def bench_export(cache_dir: Path) -> Path:
    """The 100k export bench/run.py uses (generated once, cached by the generator's hash)."""
    sys.path.insert(0, str(BENCH))
    import run  # bench/run.py: its cache naming, so both scripts share one generated folder
    return run.exports(100_000, 10, 7, cache_dir)


def wgm(args: list[str], cwd: Path) -> None:
    """The current worktree's wgm, as a user runs it; exit 1 (events to review) is a normal audit."""
    proc = subprocess.run([sys.executable, "-m", "wgm", *args, "--quiet"], cwd=cwd, capture_output=True, text=True,
                          check=False)
    if proc.returncode not in (0, 1, 3):
        raise SystemExit(f"wgm {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")


def produce(part: str, out: Path, cache_dir: Path) -> None:
    """One part's outputs into `out` (a folder for the audits, a file for the classifier report)."""
    cwd = Path(tempfile.mkdtemp(prefix="wgm-same-"))    # no ./rules.yaml can change the settings
    try:
        if part == "sample":
            wgm(["audit", str(SAMPLE), "--roster", str(SAMPLE / "roster.yaml"), "--incidents",
                 str(SAMPLE / "incidents.yaml"), "--members", str(SAMPLE / "members.csv"), "--out", str(out)], cwd)
        elif part == "bench":
            wgm(["audit", str(bench_export(cache_dir)), "--out", str(out)], cwd)
        else:
            report = subprocess.run([sys.executable, str(BENCH / "classifier.py"), "--split", "dev"], cwd=ROOT,
                                    capture_output=True, check=True).stdout
            out.write_bytes(report)
    finally:
        shutil.rmtree(cwd, ignore_errors=True)


def target(root: Path, part: str) -> Path:
    return root / ("classifier_dev.txt" if part == "dev" else part)


def cells(path: Path) -> dict:
    """A workbook as data: per sheet, every row's (value, number format) pairs."""
    from openpyxl import load_workbook
    book = load_workbook(path, read_only=True)
    try:
        return {ws.title: [[(c.value, getattr(c, "number_format", None)) for c in row] for row in ws.iter_rows()]
                for ws in book.worksheets}
    finally:
        book.close()


def manifest_without_xlsx(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.get("files", {}).pop(XLSX, None)
    return data


def compare_dirs(ref: Path, new: Path) -> list[str]:
    """What differs between two audit folders; empty when they are the same."""
    problems = []
    names = {p.name for p in ref.iterdir()} | {p.name for p in new.iterdir()}
    for name in sorted(names):
        a, b = ref / name, new / name
        if not a.exists() or not b.exists():
            problems.append(f"{name}: only in {'the new run' if b.exists() else 'the reference'}")
        elif name == XLSX:
            ca, cb = cells(a), cells(b)
            if ca != cb:
                bad = [s for s in sorted(set(ca) | set(cb)) if ca.get(s) != cb.get(s)]
                problems.append(f"{name}: cells differ on sheets {', '.join(bad)}")
        elif name == MANIFEST:
            if manifest_without_xlsx(a) != manifest_without_xlsx(b):
                problems.append(f"{name}: differs (beyond the report.xlsx hash)")
        elif a.read_bytes() != b.read_bytes():
            problems.append(f"{name}: bytes differ ({a.stat().st_size:,} vs {b.stat().st_size:,} bytes)")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=("save", "check"))
    ap.add_argument("ref", type=Path, help="folder of the reference outputs")
    ap.add_argument("--only", default=",".join(PARTS), help=f"comma list of {', '.join(PARTS)}")
    ap.add_argument("--cache-dir", type=Path, default=Path("/tmp/wgm-bench"), help="as bench/run.py's")
    args = ap.parse_args()
    parts = [p for p in args.only.split(",") if p]
    if unknown := [p for p in parts if p not in PARTS]:
        raise SystemExit(f"unknown part(s): {', '.join(unknown)}")
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    ref = args.ref.resolve()
    if args.action == "save":
        ref.mkdir(parents=True, exist_ok=True)
        for part in parts:
            shutil.rmtree(target(ref, part), ignore_errors=True) if part != "dev" else None
            produce(part, target(ref, part), args.cache_dir.resolve())
            print(f"saved {part} → {target(ref, part)}")
        return 0
    failed = False
    with tempfile.TemporaryDirectory(prefix="wgm-same-new-") as tmp:
        for part in parts:
            new = target(Path(tmp), part)
            produce(part, new, args.cache_dir.resolve())
            old = target(ref, part)
            if part == "dev":
                problems = [] if old.read_bytes() == new.read_bytes() else ["classifier_dev.txt: the report differs"]
            else:
                problems = compare_dirs(old, new)
            failed |= bool(problems)
            print(f"{part}: {'same' if not problems else 'DIFFERENT'}")
            for line in problems:
                print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
