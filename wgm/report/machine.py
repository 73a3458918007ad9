"""The machine files: events/summary/deductions/tasks/messages/unparsed CSV and audit.json.

CSV: UTF-8 with a BOM (Excel then opens Chinese correctly), LF row ends, minimal quoting,
the contract's columns first in its order, rows in the schema's total order, times ISO
8601 local, amounts with two decimals, booleans true/false, and every text cell made safe
against formula injection. Equal inputs give equal bytes.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import tempfile
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from wgm import parallel, schema
from wgm.catalog import RULE_IDS
from wgm.report import deductions as deductions_mod
from wgm.report.cells import FORMULA_PREFIXES, plain
from wgm.result import AuditResult
from wgm.schema import S

EVENT_COLUMNS = schema.EVENT_CSV_COLUMNS
TASK_COLUMNS = schema.TASK_CSV_COLUMNS + [c for c in schema.TASK_COLUMNS if c not in schema.TASK_CSV_COLUMNS]
MESSAGE_COLUMNS = schema.MESSAGE_CSV_COLUMNS + [c for c in schema.MESSAGE_COLUMNS
                                                if c not in schema.MESSAGE_CSV_COLUMNS]
UNPARSED_COLUMNS = schema.UNPARSED_CSV_COLUMNS


def summary_columns() -> list[str]:
    cols = [S.month, S.member, S.dept, S.total_amount, S.disqualified]
    for rule in RULE_IDS:
        cols += [S.count(rule), S.amount(rule)]
    return cols + ["by_group", S.member_id]


def _sorted(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    keys = [k for k in schema.SORT_KEYS[kind] if k in df.columns]
    return schema.sort_rows(df, keys) if len(df) else df


_NEEDS_QUOTES = re.compile(r'[",\r\n]')
_BOOL_TEXT = np.array(["false", "true"], dtype=object)
# columns with few distinct values are encoded once per value and then looked up
_FACTORIZE_BELOW = 0.5     # distinct values per row in a sample of the column


def _csv_text(values: list[str]) -> list[str]:
    """Formula-safe (a leading ' before = + - @ tab CR) and quoted where a field must be: holding a
    comma, a quote, LF or CR (the csv module leaves a lone CR bare, which readers take for a row end)."""
    needs = _NEEDS_QUOTES.search
    out = [v if not v.startswith(FORMULA_PREFIXES) else "'" + v for v in values]
    return [v if not needs(v) else '"' + v.replace('"', '""') + '"' for v in out]


def _as_text(series: pd.Series) -> list[str]:
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return (series.fillna("") if series.hasnans else series).tolist()
    return [x if isinstance(x, str) else ("" if x is None or x != x else str(x)) for x in series.tolist()]


def csv_fields(series: pd.Series) -> list[str]:
    """One column as CSV fields, a whole column at a time: ISO times, 2-decimal floats, true/false,
    formula-safe quoted text. A column with few distinct values is encoded once per value."""
    n = len(series)
    if pd.api.types.is_datetime64_any_dtype(series):
        return iso_times(series)
    if pd.api.types.is_bool_dtype(series):
        return _BOOL_TEXT[series.to_numpy(dtype=bool).astype(np.intp)].tolist()
    if pd.api.types.is_integer_dtype(series):
        values = series.to_numpy()
        # line numbers and the like: each spelled once, then looked up
        if n and values.dtype.kind in "iu" and 0 <= values.min() and values.max() <= 2 * n:
            return np.array(list(map(str, range(int(values.max()) + 1))), dtype=object)[values].tolist()
        return list(map(str, values.tolist()))
    # both ways give the same fields: a sample says whether factorizing (hashing every value) pays
    sample = series.iloc[:: max(1, n // 2000)]
    if sample.nunique(dropna=False) > _FACTORIZE_BELOW * len(sample) and len(sample) > 64:
        return _csv_text(["" if v != v else f"{v:.2f}" for v in series.tolist()]
                         if pd.api.types.is_float_dtype(series) else _as_text(series))
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    if pd.api.types.is_float_dtype(series):
        encoded = ["" if v != v else f"{v:.2f}" for v in uniques.tolist()]
    else:
        encoded = _csv_text(_as_text(pd.Series(uniques, dtype=object)))
    return np.asarray(encoded, dtype=object)[codes].tolist() if n else []


def iso_times(series: pd.Series) -> list[str]:
    """Times as YYYY-MM-DDTHH:MM:SS ("" where missing): each day spelled once, each second of the day
    looked up, one concatenation per row (formatting each time was the costliest column of a CSV)."""
    values = series.to_numpy(dtype="datetime64[s]")
    out = [""] * len(values)
    known = np.flatnonzero(~np.isnat(values))
    if not len(known):
        return out
    values = values[known]
    days = values.astype("datetime64[D]")
    seconds = (values - days).astype(np.int64)       # 0 … 86399: a day floors, before 1970 too
    day_codes, distinct_days = pd.factorize(days)
    day_text = [d + "T" for d in np.datetime_as_string(np.asarray(distinct_days, dtype="datetime64[D]")).tolist()]
    clock = _clock_texts()
    texts = [day_text[d] + clock[sec] for d, sec in zip(day_codes.tolist(), seconds.tolist())]
    if len(known) == len(out):
        return texts
    for i, text in zip(known.tolist(), texts):
        out[i] = text
    return out


@functools.cache
def _clock_texts() -> list[str]:
    return [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]


def to_csv(df: pd.DataFrame, columns: list[str]) -> bytes:
    return b"".join(csv_chunks(df, columns))


def csv_chunks(df: pd.DataFrame, columns: list[str], jobs: int = 1) -> Iterator[bytes]:
    """UTF-8 with BOM (Excel), LF, minimal quoting, in chunks of rows (see encode_all for `jobs`)."""
    if jobs <= 1:
        yield _csv_header(columns)
        yield from _row_chunks(df, columns)
        return
    for piece in encode_all({"rows": (df, columns)}, jobs)["rows"]:
        yield piece.read_bytes() if isinstance(piece, Path) else piece


def _csv_header(columns: list[str]) -> bytes:
    return ("\ufeff" + ",".join(_csv_text(list(columns))) + "\n").encode("utf-8")


def encode_all(frames: dict[str, tuple[pd.DataFrame, list[str]]], jobs: int,
               work_dir: Path | None = None) -> dict[str, Iterator[bytes | Path]]:
    """Each frame as a CSV: its header, then its rows as chunks of bytes or as part files (paths) to copy
    in order. With `jobs` workers and enough rows, every frame is cut into pieces that forked workers
    encode into part files, biggest first, while this process waits: the writing of messages.csv,
    tasks.csv and events.csv shares both cores instead of following one another. The parts (message
    text) go in `work_dir` (the output folder's staging folder: a killed run's parts are removed by the
    next run there), else the system's temp folder."""
    total = sum(len(df) for df, _ in frames.values())
    if jobs <= 1 or total < 2 * _MIN_ROWS_PER_WORKER or not parallel.can_fork():
        return {name: csv_chunks(df, columns) for name, (df, columns) in frames.items()}
    folder = tempfile.TemporaryDirectory(prefix=".wgm-csv-", dir=work_dir)    # removed once the last part is copied
    piece_rows = max(_MIN_ROWS_PER_WORKER // 2, -(-total // (2 * jobs)))
    pieces: dict[str, list[tuple[str, int, int, str]]] = {}
    for name, (df, columns) in frames.items():
        cuts = list(range(0, len(df), piece_rows)) + [len(df)]
        pieces[name] = [(name, a, b, str(Path(folder.name) / f"{name}.{k}.part"))
                        for k, (a, b) in enumerate(zip(cuts[:-1], cuts[1:]))]
    work = sorted((p for ps in pieces.values() for p in ps),
                  key=lambda p: -(p[2] - p[1]) * len(frames[p[0]][1]))
    parallel.forked(_write_rows, frames, work, jobs)

    return {name: _parts(frames[name][1], [p[3] for p in ps], folder) for name, ps in pieces.items()}


def _parts(columns: list[str], files: list[str], folder: tempfile.TemporaryDirectory) -> Iterator[bytes | Path]:
    """Header, then the part files in order. Each reader holds `folder`: a TemporaryDirectory removes
    itself once the last reader is done with it."""
    yield _csv_header(columns)
    for path in files:
        yield Path(folder.name) / Path(path).name


_MIN_ROWS_PER_WORKER = 50_000


def _write_rows(frames: Any, piece: tuple[str, int, int, str]) -> str:
    name, start, end, path = piece
    df, columns = frames[name]
    with open(path, "wb") as fh:
        for chunk in _row_chunks(df.iloc[start:end], columns):
            fh.write(chunk)
    return path


def _row_chunks(df: pd.DataFrame, columns: list[str]) -> Iterator[bytes]:
    """Every field is encoded a column at a time, then each row is one join (the csv module's writer,
    field by field, took most of a million-row write)."""
    n = len(df)
    cols = [csv_fields(df[c]) if c in df.columns else [""] * n for c in columns]
    rows = map(",".join, zip(*cols))
    while block := list(itertools.islice(rows, _ROWS_PER_CHUNK)):
        # row by row: one emoji would make a joined block 4 bytes a character, slow to join and encode
        yield b"\n".join([row.encode("utf-8") for row in block]) + b"\n"


# rows turned into UTF-8 a block at a time: one string of a million rows would briefly need twice its size
_ROWS_PER_CHUNK = 50_000


def csv_files(result: AuditResult, chunked: bool = False, jobs: int = 1,
              kept: dict[str, Path] | None = None, work_dir: Path | None = None) -> dict[str, Any]:
    """The CSV files; `chunked`: as iterators of chunks or part files (see encode_all). `kept`: files whose
    bytes an earlier run wrote the same (report.content_keys), used as they are."""
    kept = kept or {}
    frames = {"events.csv": (result.events, "events", EVENT_COLUMNS),
              "summary.csv": (result.summary, "summary", summary_columns()),
              "tasks.csv": (result.tasks, "tasks", TASK_COLUMNS),
              "messages.csv": (result.messages, "messages", MESSAGE_COLUMNS),
              "unparsed.csv": (result.unparsed, "unparsed", UNPARSED_COLUMNS)}
    todo = {name: (_sorted(df, kind), columns) for name, (df, kind, columns) in frames.items() if name not in kept}
    # in its own order already (month, then the largest deduction first): what finance reads top down
    todo["deductions.csv"] = (deductions_mod.deductions(result), deductions_mod.COLUMNS)
    if chunked:
        return {**{name: path for name, path in kept.items()}, **encode_all(todo, jobs, work_dir)}
    return {**{name: path.read_bytes() for name, path in kept.items()},
            **{name: to_csv(df, columns) for name, (df, columns) in todo.items()}}


def json_values(series: pd.Series) -> list:
    """One column as JSON values, a whole column at a time (as plain() does for one value)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return iso_times(series)
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_integer_dtype(series):
        return series.tolist()
    if pd.api.types.is_float_dtype(series):
        return series.round(2).astype(object).where(series.notna(), "").tolist()
    if pd.api.types.is_string_dtype(series):
        return series.fillna("").tolist()
    return [plain(v) for v in series.tolist()]


_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode
_JSON_STR = json.encoder.encode_basestring     # what that encoder writes for a str (the same C function)


def _json_literals(series: pd.Series) -> list[str]:
    """One column as JSON text, value by value: what _ENCODE writes for each of json_values's values,
    a whole column at a time (one encoder call per record took most of a million-message audit.json)."""
    n = len(series)
    kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else ""   # numpy columns: no NA to mind
    if pd.api.types.is_datetime64_any_dtype(series):
        return [f'"{t}"' for t in iso_times(series)]          # digits, '-', ':' and 'T': nothing to escape
    if kind and kind in "biu":
        return csv_fields(series)                            # true/false and int spellings are JSON's too
    if kind == "f":
        values = series.round(2)
        rounded = values.to_numpy()
        # few distinct values (confidence, amounts): each spelled once, then looked up; not when a -0.0
        # is among them, which factorizing takes for 0.0 (JSON spells it -0.0)
        if n > 64 and not (np.signbit(rounded) & (rounded == 0)).any():
            codes, uniques = pd.factorize(rounded, use_na_sentinel=False)
            if len(uniques) <= _FACTORIZE_BELOW * n:
                spelled = ['""' if v != v else _float_literal(v) for v in uniques.tolist()]
                return np.asarray(spelled, dtype=object)[codes].tolist()
        return ['""' if v != v else _float_literal(v) for v in values.tolist()]
    if pd.api.types.is_string_dtype(series) and series.dtype != object:
        sample = series.iloc[:: max(1, n // 2000)]
        if sample.nunique(dropna=False) > _FACTORIZE_BELOW * len(sample) and len(sample) > 64:
            return list(map(_JSON_STR, _as_text(series)))
        codes, uniques = pd.factorize(series.fillna(""), use_na_sentinel=False)
        return np.asarray(list(map(_JSON_STR, uniques.tolist())) or [""], dtype=object)[codes].tolist() if n else []
    return list(map(_ENCODE, json_values(series)))


def _float_literal(v: float) -> str:
    if v in (float("inf"), float("-inf")):
        return "Infinity" if v > 0 else "-Infinity"
    return float.__repr__(v)


class _Records:
    """A frame's rows as JSON objects ({"column": value, …} as _ENCODE writes a dict), encoded a block of
    rows at a time while audit.json is written: a million messages' records held at once took gigabytes."""

    def __init__(self, df: pd.DataFrame, columns: list[str]) -> None:
        self.df = df
        self.present = [c for c in columns if c in df.columns]

    def __len__(self) -> int:
        return len(self.df)

    def __iter__(self) -> Iterator[str]:
        for block in self.blocks():
            yield from block

    def blocks(self) -> Iterator[list[str]]:
        row = "{" + ", ".join(_JSON_STR(c).replace("%", "%%") + ": %s" for c in self.present) + "}"
        for at in range(0, len(self.df), _ROWS_PER_CHUNK):
            part = self.df.iloc[at:at + _ROWS_PER_CHUNK]
            yield [row % values for values in zip(*(_json_literals(part[c]) for c in self.present))]


def json_records(df: pd.DataFrame, columns: list[str], kind: str) -> _Records:
    """The rows in the file's order, to be encoded as audit.json is written."""
    return _Records(_sorted(df, kind), columns)


def _dump(doc: dict, part: str = "all") -> Iterator[bytes]:
    """The document with one record a line: readable, diffable, and written by json's C encoder (an
    indented dump goes through the pure-Python one, ten times slower at 100k messages). Yielded as UTF-8
    a block of records at a time: one str of a million records (4 bytes a character once an emoji is in
    it) took longer to join and encode than the records took to write, and gigabytes to hold.
    `part`: "head", the opening brace and the keys before the first table of records; "tail", the rest
    (the tables, which need no listing of the files: see audit_json_tail); "all" both, the same bytes."""
    encode = _ENCODE
    items = list(doc.items())
    # a table comes as a callable making its _Records: the head then neither sorts nor prices for them
    first_table = next((i for i, (_, v) in enumerate(items) if callable(v)), len(items))
    span = {"head": range(first_table), "tail": range(first_table, len(items)), "all": range(len(items))}[part]
    if part != "tail":
        yield b"{\n"
    for i in span:
        key, value = items[i]
        value = value() if callable(value) else value
        comma = "," if i < len(items) - 1 else ""
        if isinstance(value, _Records) and len(value):
            yield f" {encode(key)}: [\n  ".encode("utf-8")
            for n, block in enumerate(value.blocks()):
                yield (b",\n  " if n else b"") + b",\n  ".join([record.encode("utf-8") for record in block])
            yield f"\n ]{comma}\n".encode("utf-8")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            yield (f" {encode(key)}: [\n  ".encode("utf-8")
                   + b",\n  ".join([encode(record).encode("utf-8") for record in value])
                   + f"\n ]{comma}\n".encode("utf-8"))
        else:
            text = json.dumps([] if isinstance(value, _Records) else value, ensure_ascii=False, indent=1,
                              default=str)
            yield f" {encode(key)}: {text}{comma}\n".encode("utf-8")
    if part != "head":
        yield b"}\n"


def audit_json(result: AuditResult, listing: dict | None = None) -> bytes:
    """The whole run as one JSON document. `listing`: the run's `run_id`, the `files` it wrote (audit.json
    among them), the earlier outputs it `removed` and those left as `stale` (wgm.report.commit)."""
    return b"".join(audit_json_chunks(result, listing))


def audit_json_chunks(result: AuditResult, listing: dict | None = None, part: str = "all") -> Iterator[bytes]:
    """audit.json in pieces, encoded only as they are written; `part`: see _dump."""
    yield from _dump(_document(result, listing or {}), part)


def audit_json_tail(result: AuditResult, path: Path) -> None:
    """The tables of audit.json (events … messages, nine tenths of its bytes) into `path`: what a forked
    worker writes while the workbook is made (wgm.report.write), for the head to be put before it."""
    with open(path, "wb") as fh:
        for chunk in audit_json_chunks(result, None, "tail"):
            fh.write(chunk)


def _document(result: AuditResult, listing: dict) -> dict:
    doc = {
        "version": result.version,
        "settings_hash": result.settings.hash,
        "inputs_hash": result.inputs_hash,
        "run_id": listing.get("run_id", ""),
        "files": list(listing.get("files", [])),
        "removed": list(listing.get("removed", [])),
        "stale": dict(listing.get("stale", {})),
        "as_of": result.as_of,
        "months": list(result.months),
        "coverage": {c.group: c.as_json(result.months) for c in result.coverage},
        "inputs": [vars(i) for i in sorted(result.inputs, key=lambda i: i.path)],
        "settings": result.settings.data,
        "settings_sources": list(result.settings.sources),
        "overrides_used": list(result.overrides_used),
        "warnings": list(result.warnings),
        "counts": {"messages": len(result.messages), "tasks": int(result.tasks["task_id"].nunique()),
                   "events": len(result.events), "needs_review": result.review_count,
                   "unparsed": len(result.unparsed),
                   "total_amount": round(float(result.events["amount"].sum()), 2) if len(result.events) else 0.0},
        "events": functools.partial(json_records, result.events, EVENT_COLUMNS, "events"),
        "summary": functools.partial(json_records, result.summary, summary_columns(), "summary"),
        "deductions": functools.partial(_deduction_records, result),
        "tasks": functools.partial(json_records, result.tasks, TASK_COLUMNS, "tasks"),
        "unparsed": functools.partial(json_records, result.unparsed, UNPARSED_COLUMNS, "unparsed"),
        "messages": functools.partial(json_records, result.messages, MESSAGE_COLUMNS, "messages"),
    }
    return doc


def _deduction_records(result: AuditResult) -> _Records:
    return _Records(deductions_mod.deductions(result), deductions_mod.COLUMNS)


def parsed_files(messages: pd.DataFrame, unparsed: pd.DataFrame) -> dict[str, bytes]:
    """`wgm parse --out`: the normalized messages (parser columns) and the unread lines."""
    cols = list(schema.PARSED_COLUMNS) + [c for c in (schema.M.quote_id, schema.M.member, schema.M.dept)
                                          if c in messages.columns]
    return {"messages.csv": to_csv(_sorted(messages, "messages"), cols),
            "unparsed.csv": to_csv(_sorted(unparsed, "unparsed"), UNPARSED_COLUMNS)}
