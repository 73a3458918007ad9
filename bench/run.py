"""Benchmark of issues 5 and 18: a year of 50 groups, 1,000,000 messages, on 2 cores.

    python bench/run.py                          # 10k (5 groups), 100k (10), 1M (50)
    python bench/run.py --sizes 10000,100000     # choose sizes; --groups 5,10 to choose group counts
    python bench/run.py --quick                  # 10k only, prints, writes nothing unless --out is given

For every size it generates (once, cached under --cache-dir by size, groups, seed and the
generator's own hash) synthetic 留痕 3.x TXT exports with bench/generate.py, then measures:

  * in one warm process, one `api.audit` run with timing shims wrapped around the stage
    functions it calls (parsers.read, ids.file_digest, ingest.normalize, classify.classify and
    inside it classify._add_times, ledger.build, the rule families, describe + settle, api.output_messages). Shimming the real
    call keeps every stage's input exactly what `api.audit` gives it, and the time no shim
    covers (concat, schema checks, overrides) shows up as "other" instead of going missing;
  * apart from that run: a bare baseline (read bytes, decode UTF-8, cut records with one
    compiled regex), wgm's own read+decode, and report.render to CSV+JSON (and xlsx);
  * the CLI as a user runs it, `wgm audit DIR --format csv --out OUT --quiet` and the default
    formats (`wgm audit DIR --out OUT --quiet`: workbook, CSV, JSON, 公示), under /usr/bin/time
    for wall time and peak RSS; then a --cache run and a re-run that only changes an amount
    (`--set amounts.reply_missed=30`), which must hit the cache; and `wgm --help`, `wgm formats`.

Every CLI figure is also given as a ratio to the bare read-and-split floor of the same run (the
baseline above, measured minutes apart on the same machine), so runs on a busy or another
machine can be compared.

The shims live in this process only; wgm itself is not touched. Results: a Markdown table on
stdout and in --out, raw numbers in --json.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import hashlib
import itertools
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pandas as pd

from wgm import __version__, api, classify, ids, ingest, judge, ledger, parsers, report
from wgm.parsers.reading import decode

BENCH = Path(__file__).resolve().parent
GENERATOR = BENCH / "generate.py"
DEFAULT_GROUPS = {10_000: 5, 100_000: 10, 1_000_000: 50}
RECORD_START = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", re.MULTILINE)
GNU_TIME = Path("/usr/bin/time")
# (module, attribute, label, nested): nested stages run inside another one and are not added to the sum
SHIMS = [(parsers, "read", "parse", False), (ids, "file_digest", "hash inputs", False),
         (ingest, "normalize", "normalize", False), (classify, "classify", "classify", False),
         (classify, "_add_times", "time resolution", True), (ledger, "build", "ledger", False),
         (judge, "run_group_families", "rules", False), (api, "run_run_families", "rules", False),
         (judge, "describe", "evaluate", False), (api, "describe", "evaluate", False),
         (api, "settle", "evaluate", False), (api, "output_messages", "assemble", False),
         (api, "_mark_review", "assemble", False)]


def groups_for(size: int, explicit: dict[int, int]) -> int:
    """Groups for a size: --groups first, then the issue's mapping, else one group per 20k messages (5..50)."""
    return explicit.get(size) or DEFAULT_GROUPS.get(size) or max(5, min(50, round(size / 20_000)))


def exports(size: int, groups: int, seed: int, cache_dir: Path) -> Path:
    """The export folder for a size, generated once. The key includes the generator's hash, so
    editing generate.py never silently benchmarks stale data."""
    tag = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:8]
    folder = cache_dir / f"exports-{size}m-{groups}g-s{seed}-{tag}"
    if folder.is_dir():
        return folder
    # generate beside the target and rename, so an interrupted run leaves no half-written folder
    partial = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=cache_dir))
    print(f"generating {size:,} messages in {groups} groups → {folder}", file=sys.stderr)
    subprocess.run([sys.executable, str(GENERATOR), "--messages", str(size), "--groups", str(groups),
                    "--seed", str(seed), "--out", str(partial)], check=True, stdout=subprocess.DEVNULL)
    partial.rename(folder)
    return folder


def files_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.txt") if p.is_file())


def best_of(n: int, fn) -> float:
    """Fastest of n runs: for the short bare-read stages, where one page-cache hiccup would dominate."""
    runs = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return min(runs)


def baseline(files: list[Path]) -> int:
    """The floor the issue compares parsing against: read, decode, and cut each file into records
    (header line + text) at every timestamp found by one compiled regex."""
    records = 0
    for path in files:
        text = path.read_bytes().decode("utf-8")
        starts = [m.start() for m in RECORD_START.finditer(text)]
        records += len([text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])])
    return records


def read_decode(files: list[Path]) -> None:
    """wgm's own bytes → text step (encoding detection, line-end normalisation), nothing more."""
    for path in files:
        decode(path.read_bytes(), str(path))


class Shims:
    """Accumulated seconds per stage, from wrappers installed on module attributes for one `with` block."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.missing: list[str] = []

    def _wrap(self, fn, label: str):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start
        return timed

    @contextlib.contextmanager
    def installed(self):
        saved = []
        try:
            for module, name, label, _ in SHIMS:
                original = getattr(module, name, None)
                if original is None:    # wgm moved on: report the gap rather than crash the benchmark
                    self.missing.append(f"{module.__name__}.{name}")
                    continue
                setattr(module, name, self._wrap(original, label))
                saved.append((module, name, original))
            yield self
        finally:
            for module, name, original in saved:
                setattr(module, name, original)


def in_process(folder: Path, xlsx: bool) -> dict:
    """Baseline, read+decode, one shimmed api.audit, and render: seconds per stage."""
    files = files_of(folder)
    read_decode(files)     # warm the page cache so no stage pays for the disk
    out: dict = {"files": len(files), "input_mib": sum(p.stat().st_size for p in files) / 2**20}
    out["records (baseline)"] = baseline(files)
    gc.collect()
    gc.disable()      # as the CLI runs (wgm.cli.main): no cyclic collector passes over the run's objects
    out["baseline"] = best_of(3, lambda: baseline(files))
    out["read+decode"] = best_of(3, lambda: read_decode(files))
    # "parse alone" as the issue words it: the same files, measured the way the baseline is (best of 3,
    # each file's result dropped as the baseline drops its records)
    out["parse alone"] = best_of(3, lambda: [len(parsers.read(path).messages) for path in files])
    shims = Shims()
    with shims.installed():
        start, cpu = time.perf_counter(), time.process_time()
        result = api.audit([folder], api.Options(jobs=1))   # one process: every stage is timed here
        out["audit"], out["audit cpu"] = time.perf_counter() - start, time.process_time() - cpu
    out.update(shims.seconds)
    # a label may name several shims (rules: two rule sets): each label's seconds count once
    labels = {label for _, _, label, nested in SHIMS if not nested}
    out["other"] = out["audit"] - sum(shims.seconds[label] for label in labels)
    out["missing shims"] = shims.missing
    out["messages"] = len(result.messages)
    out["events"] = len(result.events)
    # one format per call, so a slow writer is visible; csv + json is what `render(result, {"csv", "json"})` costs
    for fmt in ("csv", "json", "txt") + (("xlsx",) if xlsx else ()):
        start = time.perf_counter()
        report.render(result, {fmt})
        out[f"render {fmt}"] = time.perf_counter() - start
    del result
    gc.enable()
    gc.collect()
    # sizes run in ascending order, so this process's high-water mark so far is this size's (render included)
    out["in-process peak RSS MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def wgm_command() -> list[str]:
    """The `wgm` entry point of this interpreter's environment (what a user types), else `python -m wgm`."""
    script = Path(sys.executable).with_name("wgm")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wgm"]


def run_cli(args: list[str], cwd: Path) -> dict:
    """Wall seconds and peak RSS (MiB) of one CLI run. Exit 1 (events need review) is a normal audit."""
    cmd = wgm_command() + args
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tfile:
        if GNU_TIME.exists():
            cmd = [str(GNU_TIME), "-f", "%e %M %U %S", "-o", tfile.name] + cmd
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              check=False)
        wall = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            raise SystemExit(f"wgm failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
        if GNU_TIME.exists():
            seconds, kib, user, system = tfile.read().split()[-4:]
            return {"seconds": float(seconds), "cpu": float(user) + float(system), "rss_mib": int(kib) / 1024}
    # without GNU time: the largest child so far, which is this run's only if it is the largest yet
    return {"seconds": wall, "cpu": None, "rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def cli(folder: Path, size: int, work: Path) -> dict:
    """The user's view: plain audit (per --jobs if wgm has it), then a cold --cache run and an amounts-only re-run."""
    out_dir, cache = work / f"out-{size}", work / f"rerun-cache-{size}"
    base = ["audit", str(folder), "--format", "csv", "--out", str(out_dir), "--quiet"]
    helptext = subprocess.run(wgm_command() + ["audit", "--help"], capture_output=True, text=True,
                              check=False).stdout
    variants = [("", [])] + ([(f" --jobs {j}", ["--jobs", str(j)]) for j in (1, 2)] if "--jobs" in helptext else [])
    res = {}
    for name, extra in variants:
        res[f"audit{name}"] = run_cli(base + extra, work)
    # what the README's first command writes: every format (issue 18: the workbook must not dominate)
    res["audit (default formats)"] = run_cli(["audit", str(folder), "--out", str(work / f"out-all-{size}"), "--quiet"],
                                             work)
    shutil.rmtree(cache, ignore_errors=True)     # our own folder: the first run must be a cache miss
    res["audit --cache (cold)"] = run_cli(base + ["--cache", str(cache)], work)
    res["audit --cache --set amounts.reply_missed=30"] = run_cli(
        base + ["--cache", str(cache), "--set", "amounts.reply_missed=30"], work)
    return res


def info_cores() -> int:
    return len(os.sched_getaffinity(0))


def cpu_seconds() -> tuple[float, float]:
    """(CPU seconds the whole machine has been busy, CPU seconds of this process and its waited-for children)."""
    own = os.times()
    mine = own.user + own.system + own.children_user + own.children_system
    if not Path("/proc/stat").exists():
        return mine, mine      # not Linux: no way to see the others, report 0 %
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]       # all but idle and iowait
    return busy / os.sysconf("SC_CLK_TCK"), mine


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    mem = next((int(line.split()[1]) / 2**20 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0) if Path("/proc/meminfo").exists() else 0
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BENCH, capture_output=True, text=True,
                            check=False)
    return {"cpu": cpu, "cores": info_cores(), "ram_gib": round(mem, 1),
            "python": platform.python_version(), "pandas": pd.__version__, "wgm": __version__,
            "commit": commit.stdout.strip(), "date": datetime.now().isoformat(timespec="seconds")}


STAGE_ROWS = ["baseline", "read+decode", "parse alone", "parse", "hash inputs", "normalize", "classify", "time resolution",
              "ledger", "rules", "evaluate", "assemble", "other", "audit", "audit cpu", "render csv", "render json",
              "render xlsx", "render txt"]
LABELS = {"baseline": "baseline: read + decode + regex split",
          "parse alone": "parse alone (parsers.read over the files, best of 3)",
          "parse": "parse inside the audit (parsers.read, incl. read+decode)",
          "time resolution": "  of which time resolution", "other": "other (concat, checks, overrides)",
          "audit": "**api.audit in-process total**", "audit cpu": "  its CPU seconds"}


def table(runs: list[dict]) -> str:
    """One column per size; seconds unless the row says otherwise."""
    def row(label, cells):
        return f"| {label} | " + " | ".join(cells) + " |"

    def sec(v):
        return "—" if v is None else f"{v:.3f}" if v < 1 else f"{v:.2f}"

    lines = [row("stage (seconds)", [f"{r['size']:,} msgs / {r['groups']} groups" for r in runs]),
             row("---", ["---:"] * len(runs)),
             row("input (MiB, files)", [f"{r['stages']['input_mib']:.1f}, {r['stages']['files']}" for r in runs])]
    lines += [row(LABELS.get(k, k), [sec(r["stages"].get(k)) for r in runs]) for k in STAGE_ROWS]
    lines.append(row("parse alone / baseline (issue: ≤ 5×)",
                     [f"{r['stages']['parse alone'] / r['stages']['baseline']:.1f}×" for r in runs]))
    lines.append(row("parse inside the audit / baseline",
                     [f"{r['stages']['parse'] / r['stages']['baseline']:.1f}×" for r in runs]))
    lines.append(row("messages/s in-process", [f"{r['stages']['messages'] / r['stages']['audit']:,.0f}" for r in runs]))
    for name in runs[0]["cli"]:
        lines.append(row(f"CLI `wgm {name}` (s)", [sec(r["cli"][name]["seconds"]) for r in runs]))
        lines.append(row("  ÷ the floor (bare read+split)", [f"{r['cli'][name]['seconds'] / r['stages']['baseline']:.0f}×"
                                                           for r in runs]))
        lines.append(row("  CPU s, peak RSS MiB", [f"{sec(r['cli'][name]['cpu'])}, {r['cli'][name]['rss_mib']:,.0f}"
                                                    for r in runs]))
    lines.append(row("CLI messages/s (audit)",
                     [f"{r['stages']['messages'] / r['cli']['audit']['seconds']:,.0f}" for r in runs]))
    for key, label in (("audit", "growth, in-process audit"), ("cli", "growth, CLI audit")):
        cells = ["—"]
        for prev, cur in itertools.pairwise(runs):
            t0, t1 = (prev["stages"]["audit"], cur["stages"]["audit"]) if key == "audit" else \
                (prev["cli"]["audit"]["seconds"], cur["cli"]["audit"]["seconds"])
            cells.append(f"{t1 / t0:.1f}× for {cur['size'] / prev['size']:.0f}× msgs")
        lines.append(row(label, cells))
    return "\n".join(lines)


def markdown(runs: list[dict], info: dict) -> str:
    """The whole RESULTS.md: machine, table, and the issue's two targets."""
    big = next((r for r in runs if r["size"] >= 1_000_000), None)

    def verdict(value: float, limit: float, unit: str) -> str:
        return f"{value:.1f}{unit} → {'met' if value <= limit else 'NOT met'}"
    rerun = "audit --cache --set amounts.reply_missed=30"

    def cli_verdict(name: str, seconds: float, gib: float | None = None) -> str:
        if big is None:
            return "not measured (no 1M run)"
        run = big["cli"][name]
        floor = big["stages"]["baseline"]
        text = f"{verdict(run['seconds'], seconds, ' s')} ({run['seconds'] / floor:.0f}× the floor)"
        if gib is not None:
            text += f"; peak {verdict(run['rss_mib'] / 1024, gib, ' GiB')}"
        return text
    def floor_ratio(seconds: float) -> str:
        """A startup figure against the floor of the largest size (the one the goals are stated for)."""
        last = big or (runs[-1] if runs else None)
        return "" if last is None else f" ({seconds / last['stages']['baseline']:.1f}× the {last['size']:,} floor)"
    targets = [
        "- 1,000,000 messages, default formats (workbook, CSV, JSON, 公示) ≤ 30 s and ≤ 1.5 GiB: "
        + cli_verdict("audit (default formats)", 30, 1.5),
        "- … `--format csv` ≤ 12 s and ≤ 1 GiB: " + cli_verdict("audit", 12, 1.0),
        "- … the amounts-only re-run with `--cache` ≤ 2 s: " + cli_verdict(rerun, 2),
        f"- `wgm --help` ≤ 0.3 s: {verdict(info['cli_startup'], 0.3, ' s')}{floor_ratio(info['cli_startup'])}; "
        f"`wgm formats`: {verdict(info['cli_formats'], 0.3, ' s')}{floor_ratio(info['cli_formats'])}",
        "- … parse within 5× of the bare read-and-split: "
        + ("not measured" if big is None else verdict(big["stages"]["parse alone"] / big["stages"]["baseline"], 5, "×"))
        + " (parse alone, best of 3 like the baseline; inside the audit run: "
        + ", ".join(f"{r['size']:,}: {r['stages']['parse'] / r['stages']['baseline']:.1f}×" for r in runs)
        + "; small exports pay a fixed cost per file)"]
    missing = sorted({m for r in runs for m in r["stages"]["missing shims"]})
    others = ", ".join(f"{r['others_cpu_share']:.0%}" for r in runs)
    busy = " (others were busy: wall times are inflated, CPU seconds less so)" \
        if max(r["others_cpu_share"] for r in runs) > 0.05 else ""
    return "\n".join([
        "# wgm benchmark (issues 5 and 18)", "",
        (f"{info['date']} · {info['cpu']} · {info['cores']} cores · {info['ram_gib']} GiB RAM · "
         f"Python {info['python']} · pandas {info['pandas']} · wgm {info['wgm']} ({info['commit']})"), "",
        "```", "python bench/" + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]), "```", "",
        f"Share of the machine's CPU used by other processes while each size ran: {others}{busy}", "",
        "Load average (1, 5, 15 min) as each size began → ended: " + "; ".join(
            f"{r['size']:,}: {', '.join(map(str, r['load_average']['before']))} → "
            f"{', '.join(map(str, r['load_average']['after']))}" for r in runs if "load_average" in r), "",
        table(runs), "",
        *targets,
        ("- In-process stages come from one api.audit run with timing shims on the functions it calls; "
         "\"other\" is what no shim covers. Baseline and read+decode are the best of 3 separate runs."),
        (f"- CLI times include interpreter start and imports (`wgm --help` alone: {info['cli_startup']:.2f} s), "
         "rendering and writing the CSV files; peak RSS is the CLI process's."),
        *([f"- Shims not installed (function gone from wgm): {', '.join(missing)}"] if missing else []), ""])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000", help="comma list of message counts")
    ap.add_argument("--groups", default="", help="comma list of group counts, one per size (default 5/10/50)")
    ap.add_argument("--quick", action="store_true", help="10k only, a smoke test; writes no files unless --out")
    ap.add_argument("--xlsx", action="store_true", help="(kept for old scripts: the workbook is always rendered now)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cache-dir", type=Path, default=Path("/tmp/wgm-bench"), help="generated exports and CLI outputs")
    ap.add_argument("--out", type=Path, default=None, help="Markdown results (default bench/RESULTS.md)")
    ap.add_argument("--json", type=Path, default=None, help="raw numbers (default bench/results.json)")
    args = ap.parse_args()
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    groups = dict(zip(sizes, (int(g) for g in args.groups.split(",") if g.strip())))
    write = not args.quick or args.out or args.json
    md_path = (args.out or BENCH / "RESULTS.md").resolve()
    json_path = (args.json or BENCH / "results.json").resolve()
    work = args.cache_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    # api.audit and the CLI read ./rules.yaml when present: run where none can be, so defaults are measured
    os.chdir(work)
    if Path("rules.yaml").exists():
        raise SystemExit(f"{work}/rules.yaml would change the settings under test; remove it")
    # first-call costs (imports, compiled word lists) are paid on a tiny sample, not charged to the first size
    sample = BENCH.parent / "sample_exports" / "聊天记录"
    if sample.is_dir():
        with contextlib.suppress(Exception):   # a warm-up that fails only leaves those costs in the first size
            api.audit([sample], api.Options())
    runs = []
    for size in sorted(sizes):
        g = groups_for(size, groups)
        folder = exports(size, g, args.seed, work)
        before, start, load_before = cpu_seconds(), time.perf_counter(), os.getloadavg()
        # the CLI first: after the in-process run (its 1M result, audit.json) a CLI run measured ~4 s slower
        print(f"{size:,} messages, {g} groups: CLI …", file=sys.stderr)
        cli_runs = cli(folder, size, work)
        print(f"  audit {cli_runs['audit']['seconds']:.2f} s; in-process …", file=sys.stderr)
        stages = in_process(folder, xlsx=True)
        run = {"size": size, "groups": g, "folder": str(folder), "stages": stages, "cli": cli_runs}
        after, wall = cpu_seconds(), time.perf_counter() - start
        # share of the machine other processes used meanwhile: on 2 cores, more than a few % inflates wall times
        run["others_cpu_share"] = max(0.0, (after[0] - before[0]) - (after[1] - before[1])) / (wall * info_cores())
        # the load average (1, 5, 15 min) when the size began and ended: what the README quotes with a figure
        run["load_average"] = {"before": [round(x, 2) for x in load_before],
                               "after": [round(x, 2) for x in os.getloadavg()]}
        runs.append(run)
    info = machine()
    info["cli_startup"] = run_cli(["--help"], work)["seconds"]   # interpreter + imports: in every CLI time
    info["cli_formats"] = run_cli(["formats"], work)["seconds"]
    text = markdown(runs, info)
    print(text)
    if write:
        md_path.write_text(text, encoding="utf-8")
        json_path.write_text(json.dumps({"machine": info, "argv": sys.argv[1:], "runs": runs}, indent=2,
                                        ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {md_path} and {json_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
