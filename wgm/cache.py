"""The re-run cache: parsed and classified messages keyed by everything they depend on.

Key = wgm version + the content hash of every input file (in walk order) + the forced input
format + the group filter + the roster file + the settings the classifier reads (word lists,
time words, time zone, admins, naming). Amounts, deadlines, caps and the side files that only
the evaluator reads are not in the key, so an auditor changing them re-evaluates in seconds.
The files are pandas pickles in a folder the user chose; delete it at any time. Load it only
from a folder you trust as much as wgm itself (a pickle can run code).
"""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path


from wgm import __version__
from wgm.report.atomic import write_atomic


def key(files: list[Path], input_format: str | None, groups: tuple[str, ...], roster: Path | None,
        classification_settings, date_hint=None) -> str:
    h = hashlib.sha256()
    h.update(json.dumps([__version__, input_format, list(groups), classification_settings, date_hint],
                        ensure_ascii=False,
                        sort_keys=True, default=str).encode())
    for path in [*files, *([roster] if roster else [])]:
        h.update(str(Path(path).name).encode())
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:32]


def load(folder: Path, name: str, must_have: str = "messages") -> dict | None:
    path = Path(folder) / f"{name}.pkl"
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)
    except Exception:   # a damaged or foreign file is a cache miss, never an error
        return None
    return data if isinstance(data, dict) and must_have in data else None


def save(folder: Path, name: str, data: dict) -> None:
    write_atomic(Path(folder) / f"{name}.pkl", pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
