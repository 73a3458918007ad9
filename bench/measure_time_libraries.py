"""Measure Chinese time-expression libraries against wgm's own table of expressions.

    python bench/measure_time_libraries.py [--table tests/data/time_expressions.yaml] [--repeat 3] [--only NAME ...]

Runs every *installed* candidate over tests/data/time_expressions.yaml and prints one
Markdown table: accuracy, negatives wrongly taken as times, ms per expression and import
time. A library that is not installed is reported as skipped (CI installs none of them):

    jionlp      ner.extract_time(text, time_base=base, with_parsing=True)
    dateparser  search.search_dates(text, languages=['zh'], settings={'RELATIVE_BASE': base})
    cn2an       transform(text, 'cn2an'): numerals only, so it is measured as a pre-pass in
                front of wgm.timewords (accuracy and cost of replacing wgm's own numeral step)
    wgm         wgm.timewords.find_times (this project's resolver)

What "correct" means (a library knows no roles, so it is given every benefit we can):
  * each time a library returns is mapped to one instant under rules.md's conventions
    (map_jionlp / map_dateparser below: a clock phrase → the stated clock, a `…前` span →
    its end truncated to the stated clock, a whole day → 23:59:59, a period → its end,
    a "within" span → its end at minute precision);
  * times before `base` are dropped (rules.md: past times are never deadlines; wgm does the same);
  * a row with an expected time is correct when the first remaining time equals it
    ("strict") / when the expected time is the start or end of any remaining time, to the
    minute ("lenient", an upper bound: it ignores which phrase the library picked);
  * a row expecting no time (role none) is correct when nothing remains.
  wgm is scored twice: "strict" is the library rule above applied to its `all` expressions,
  and "roles" is the full test of the table (deadline / reply_by / point slots, `also`).
Negatives wrong: rows tagged `negative` (amounts, phones, order numbers, …) for which the
library returned any time at all, past or future.
Timing: best of --repeat passes over the whole table in one warm process, divided by the
number of rows; the first call is reported apart where it loads dictionaries.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EOD = (23, 59, 59)
_CLOCK = re.compile(r"\d{1,2}\s*[:：]\s*\d{2}|[\d一二两三四五六七八九十]+\s*[点时]")
_MINUTES = re.compile(r"[:：]\s*\d{2}|[点时]\s*[\d一二两三四五六七八九十]+|半|刻")
_BEFORE = re.compile(r"前|以前|之前|内|以内|截止|截至|为止")


@dataclass
class Row:
    text: str
    base: datetime
    expect: datetime | None
    role: str
    tag: str
    also: dict = field(default_factory=dict)


def load_table(path: Path) -> list[Row]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for r in data["rows"]:
        rows.append(Row(r["text"], datetime.fromisoformat(r["base"]),
                        datetime.fromisoformat(r["expect"]) if r.get("expect") else None,
                        r["role"], r.get("tag", ""), r.get("also") or {}))
    return rows


def _dt(value: str) -> datetime | None:
    return None if "inf" in value else datetime.fromisoformat(value)


def map_jionlp(item: dict, base: datetime) -> datetime | None:
    """One jionlp result → one instant under our conventions (see module docstring)."""
    detail = item.get("detail") or {}
    kind, value, text = detail.get("type"), detail.get("time"), item.get("text", "")
    if kind == "time_delta" and isinstance(value, dict):  # '3天' without 内: base + delta
        days = float(value.get("day", 0) or 0)
        hours = float(value.get("hour", 0) or 0)
        minutes = float(value.get("minute", 0) or 0)
        if days and not hours and not minutes:
            return (base + timedelta(days=days)).replace(hour=23, minute=59, second=59, microsecond=0)
        return base + timedelta(days=days, hours=hours, minutes=minutes)
    if not isinstance(value, list) or len(value) != 2:
        return None  # time_period (recurring) and the like: no instant
    start, end = _dt(value[0]), _dt(value[1])
    before = bool(_BEFORE.search(text)) or start is None
    if _CLOCK.search(text):
        v = end if (before and end is not None) else (start or end)
        if v is None:
            return None
        v = v.replace(second=0)
        return v if _MINUTES.search(text) else v.replace(minute=0)
    v = end or start
    if v is None:
        return None
    if (v.hour, v.minute, v.second) == EOD:
        return v
    if start is not None and abs((start - base).total_seconds()) < 60:  # a span from now: N小时内
        return v.replace(second=0)
    if v.second == 59:  # a period's end (下午 → 17:59:59): the boundary it stands for
        return v + timedelta(seconds=1)
    return v


def map_dateparser(found: tuple[str, datetime], base: datetime) -> datetime:
    text, value = found
    if not _CLOCK.search(text):  # a date without a clock: end of day (dateparser keeps base's time)
        return value.replace(hour=23, minute=59, second=59, microsecond=0)
    return value


@dataclass
class Candidate:
    name: str
    version: str
    import_s: float
    run: Callable[[str, datetime], list[tuple[datetime, datetime | None, datetime | None]]]
    note: str = ""
    first_call_ms: float | None = None


def _import_seconds(module: str) -> float:
    code = (f"import time,io,contextlib;t=time.perf_counter()\n"
            f"with contextlib.redirect_stdout(io.StringIO()): import {module}\nprint(time.perf_counter()-t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    try:
        return float(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return float("nan")


def load_jionlp() -> Candidate | None:
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import jionlp
    except ImportError:
        return None

    def run(text, base):
        out = []
        try:
            items = jionlp.ner.extract_time(text, time_base=base.timestamp(), with_parsing=True)
        except Exception:  # noqa: BLE001 - a library error is a miss
            return out
        for item in items:
            v = map_jionlp(item, base)
            t = (item.get("detail") or {}).get("time")
            lo = _dt(t[0]) if isinstance(t, list) else None
            hi = _dt(t[1]) if isinstance(t, list) else None
            out.append((v, lo, hi))
        return out

    return Candidate("jionlp", jionlp.__version__, _import_seconds("jionlp"), run)


def load_dateparser() -> Candidate | None:
    try:
        import dateparser
        from dateparser.search import search_dates
    except ImportError:
        return None

    def run(text, base):
        try:
            found = search_dates(text, languages=["zh"], settings={"RELATIVE_BASE": base}) or []
        except Exception:  # noqa: BLE001
            return []
        return [(map_dateparser(f, base), f[1], f[1]) for f in found]

    return Candidate("dateparser", dateparser.__version__, _import_seconds("dateparser.search"), run)


def load_wgm(pre: Callable[[str], str] | None = None, name: str = "wgm.timewords") -> Candidate | None:
    try:
        from wgm import timewords
    except ImportError:
        return None

    def run(text, base):
        if pre is not None:
            text = pre(text)
        found = timewords.find_times(text, base)
        return [(e.when, e.when, e.when) for e in found.all]

    return Candidate(name, "this tree", _import_seconds("wgm.timewords"), run)


def load_cn2an_wgm() -> Candidate | None:
    try:
        import cn2an
    except ImportError:
        return None
    cand = load_wgm(lambda s: cn2an.transform(s, "cn2an"), name="cn2an + wgm.timewords")
    if cand is None:
        return None
    cand.version = cn2an.__version__ if hasattr(cn2an, "__version__") else "?"
    cand.import_s = _import_seconds("cn2an")
    cand.note = "cn2an.transform as the numeral pass in front of wgm (changes lengths: spans lost)"
    return cand


def _same_minute(a: datetime | None, b: datetime) -> bool:
    return a is not None and a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def score(cand: Candidate, rows: list[Row], repeat: int) -> dict:
    t0 = time.perf_counter()
    cand.run(rows[0].text, rows[0].base)
    cand.first_call_ms = (time.perf_counter() - t0) * 1000
    best = float("inf")
    results = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        results = [cand.run(r.text, r.base) for r in rows]
        best = min(best, time.perf_counter() - t0)
    strict = lenient = neg_wrong = negs = none_wrong = 0
    by_tag: dict[str, list[int]] = {}
    misses = []
    neg_hits: list[str] = []
    for r, res in zip(rows, results, strict=True):
        future = [x for x in res if x[0] is not None and x[0] >= r.base]
        if r.tag == "negative":
            negs += 1
            neg_wrong += bool(res)
            if res:
                neg_hits.append(r.text)
        if r.expect is None:
            ok = not future
            strict += ok
            lenient += ok
            none_wrong += not ok
        else:
            ok = bool(future) and future[0][0] == r.expect
            strict += ok
            lenient += ok or any(_same_minute(v, r.expect) or _same_minute(lo, r.expect)
                                 or _same_minute(hi, r.expect) for v, lo, hi in future)
        by_tag.setdefault(r.tag, [0, 0])
        by_tag[r.tag][0] += ok
        by_tag[r.tag][1] += 1
        if not ok:
            misses.append((r.text, r.base.isoformat(" ", "minutes"), r.expect, [str(x[0]) for x in res]))
    return {"strict": strict, "lenient": lenient, "neg_wrong": neg_wrong, "negs": negs,
            "none_wrong": none_wrong, "ms": best / len(rows) * 1000, "misses": misses, "neg_hits": neg_hits,
            "by_tag": by_tag}


def score_roles(rows: list[Row], repeat: int) -> dict | None:
    """wgm only: the table's full role-aware check (the same one tests/test_timewords.py runs)."""
    try:
        from wgm import timewords
    except ImportError:
        return None
    ok = 0
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        found = [timewords.find_times(r.text, r.base) for r in rows]
        best = min(best, time.perf_counter() - t0)
    for r, f in zip(rows, found, strict=True):
        ok += not row_problems(r, f)
    t0 = time.perf_counter()
    n = 0
    for _ in range(repeat):
        for r in rows:
            n += timewords.may_contain_time(r.text)
    filt = (time.perf_counter() - t0) / (repeat * len(rows))
    return {"ok": ok, "us": best / len(rows) * 1e6, "filter_us": filt * 1e6}


def row_problems(r: Row, f) -> list[str]:
    """Differences between a TimeFindings and a table row (shared with the tests)."""
    problems = []

    def check(slot: str, want: datetime | None):
        if slot == "deadline":
            got = f.deadline.when if f.deadline else None
        elif slot == "reply_by":
            got = f.reply_by.when if f.reply_by else None
        else:
            got = f.points[0].when if f.points else None
        if got != want:
            problems.append(f"{slot}: got {got}, want {want}")

    if r.role == "none":
        check("deadline", None)
        check("reply_by", None)
        check("point", None)
        if r.tag == "negative" and f.all:
            problems.append(f"negative row produced times: {[e.text for e in f.all]}")
    else:
        check(r.role, r.expect)
        if r.role == "point" and "deadline" not in r.also:
            check("deadline", None)
    for slot, want in r.also.items():
        check(slot, datetime.fromisoformat(want) if want else None)
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--table", type=Path, default=ROOT / "tests" / "data" / "time_expressions.yaml")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--misses", action="store_true", help="list each library's wrong rows")
    args = ap.parse_args(argv)
    rows = load_table(args.table)
    loaders = {"jionlp": load_jionlp, "dateparser": load_dateparser,
               "cn2an": load_cn2an_wgm, "wgm": load_wgm}
    n = len(rows)
    negs = sum(r.tag == "negative" for r in rows)
    print(f"table: {args.table.relative_to(ROOT) if args.table.is_relative_to(ROOT) else args.table}: "
          f"{n} rows ({sum(r.expect is not None for r in rows)} with a time, {negs} negatives); "
          f"python {sys.version.split()[0]}; best of {args.repeat}\n")
    print("| candidate | version | strict correct | lenient correct | negatives wrong "
          "| no-time rows given a future time | ms / expr | first call ms | import s |")
    print("|---|---|---|---|---|---|---|---|---|")
    all_misses = {}
    neg_hits: dict[str, list[str]] = {}
    tags: dict[str, dict[str, list[int]]] = {}
    for name, load in loaders.items():
        if args.only and name not in args.only:
            continue
        cand = load()
        if cand is None:
            print(f"| {name} | not installed: skipped | | | | | | | |")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # cn2an warns on 1.5万 and the like
            s = score(cand, rows, args.repeat)
        all_misses[cand.name] = s["misses"]
        neg_hits[cand.name] = s["neg_hits"]
        tags[cand.name] = s["by_tag"]
        print(f"| {cand.name} | {cand.version} | {s['strict']}/{n} ({s['strict'] / n:.0%}) "
              f"| {s['lenient']}/{n} ({s['lenient'] / n:.0%}) | {s['neg_wrong']}/{s['negs']} "
              f"| {s['none_wrong']}/{sum(r.expect is None for r in rows)} | {s['ms']:.3f} "
              f"| {cand.first_call_ms:.1f} | {cand.import_s:.3f} |")
    if not args.only or "wgm" in args.only:
        roles = score_roles(rows, max(args.repeat, 20))
        if roles:
            print(f"\nwgm.timewords, full role-aware table check (deadline / reply_by / point slots): "
                  f"{roles['ok']}/{n} ({roles['ok'] / n:.0%}); find_times {roles['us']:.1f} µs/expr; "
                  f"may_contain_time {roles['filter_us']:.2f} µs/expr")
    if tags:
        names = sorted({t for by in tags.values() for t in by})
        print("\nstrict correct per row family (tag):\n")
        print("| candidate | " + " | ".join(f"{t} ({next(iter(tags.values()))[t][1]})" for t in names) + " |")
        print("|---|" + "---|" * len(names))
        for name, by in tags.items():
            print(f"| {name} | " + " | ".join(f"{by[t][0]}" for t in names) + " |")
    for name, hits in neg_hits.items():
        if hits:
            print(f"\n{name}: negatives taken as times: " + " | ".join(hits))
    if args.misses:
        for name, misses in all_misses.items():
            print(f"\n## {name}: {len(misses)} wrong")
            for text, base, expect, got in misses:
                print(f"- {text} @ {base}: want {expect}, got {got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
