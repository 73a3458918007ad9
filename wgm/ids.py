"""The ids users see and type into overrides, one function per kind (README, "Ids").

- msg_id: the exporter's own id where the format has one (MsgSvrID, msgid, localId …), else
  "h" + 15 hex digits of sha256(group, time, sender, text, n) — n numbers identical messages of a
  group in time order, so two "收到" in one second are two messages. Stable across re-runs and
  re-exports of the same chat under the same group name.
- task_id: "t" + 11 hex digits of sha256(group, msg_id of the post).
- event_id: "e" + 11 hex digits of sha256(rule, group, member, task_id, msg_ids, decisive time):
  the same event of the same inputs has the same id in every run (a decision typed into
  report.xlsx is matched by it).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Iterable

import numpy as np
import pandas as pd

_SEP = "\x1f"


def file_digest(path) -> str:
    """sha256 of a file's bytes, read a block at a time (inputs, side files, kept outputs); "" for a file that
    cannot be read (no permission, gone since it was found): whoever reads it reports why, and a digest
    is no place to fail. Never call it on a FIFO or device (parsers.reading.special_file_reason): it would
    block."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return ""
    return h.hexdigest()


def _hex(text: str, digits: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:digits]


def message_ids(groups: list[str], times: pd.Series, senders: list[str], texts: list[str]) -> list[str]:
    """Hash ids of messages without an exporter id, in the order given (a group's messages in time order)."""
    seen: dict[str, int] = {}
    out = []
    sha256 = hashlib.sha256      # _hex() written out: a million calls add up
    for g, t, s, x in zip(groups, iso_seconds(times), senders, texts):
        key = f"{g}{_SEP}{t}{_SEP}{s}{_SEP}{x}"
        n = seen[key] = seen.get(key, -1) + 1
        out.append("h" + sha256(f"{key}{_SEP}{n}".encode("utf-8")).hexdigest()[:15])
    return out


def task_id(group: str, msg_id: str) -> str:
    return "t" + _hex(f"{group}{_SEP}{msg_id}", 11)


def event_ids(rows: Iterable[tuple[str, str, str, str, str, datetime]]) -> list[str]:
    """(rule, group, member, task_id, msg_ids, decisive time) per event → its id."""
    sha256 = hashlib.sha256
    return ["e" + sha256(_SEP.join((r, g, m, t, ids, ts.isoformat())).encode("utf-8")).hexdigest()[:11]
            for r, g, m, t, ids, ts in rows]


def iso_seconds(ts: pd.Series) -> list[str]:
    """datetime.isoformat() of each time, a whole column at once when none has a fraction of a second."""
    values = ts.to_numpy(dtype="datetime64[ns]")
    if len(values) and not (values.astype("int64") % 1_000_000_000).any():
        return np.datetime_as_string(values, unit="s").tolist()
    return [t.isoformat() for t in ts.dt.to_pydatetime()]
