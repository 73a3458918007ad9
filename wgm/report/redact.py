"""--redact: outputs that keep the evidence (times, rules, msg_ids, arithmetic) but no chat text.

Each text becomes `#` + 12 hex digits of its SHA-256, so equal texts stay recognisably equal
and anyone holding the export can check which message a row stands for.
"""

from __future__ import annotations

import dataclasses
import hashlib

import pandas as pd

from wgm.result import AuditResult


def _digest(text: str) -> str:
    return "#" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12] if text else ""


def _hide(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = df.copy(deep=False)
    for col in columns:
        if col in out.columns:
            out[col] = pd.Series([_digest(t) for t in out[col].tolist()], index=out.index, dtype="str")
    return out


def redact(result: AuditResult) -> AuditResult:
    return dataclasses.replace(
        result,
        messages=_hide(result.messages, ("text", "content", "quote_text")),
        tasks=_hide(result.tasks, ("text",)),
        unparsed=_hide(result.unparsed, ("text",)),
        judgement_hash="",   # no kept file may stand in for a redacted one: the kept files show the text
    )
