"""--redact: outputs that keep the evidence (times, rules, msg_ids, arithmetic) but no chat text.

Each text becomes `#` + 12 hex digits of its HMAC-SHA-256 under a secret key, so equal texts stay
recognisably equal, and whoever holds the key and the export can check which message a row stands
for — but nobody can guess texts back by hashing likely words (收到, wgm's own word lists): a plain
hash of a short text is no secret. The key is given (WGM_REDACT_KEY) or made once and kept in the
output folder (`.wgm-redact-key`, readable by its owner only), so re-runs hash alike.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd

from wgm.result import AuditResult


KEY_FILE = ".wgm-redact-key"


def redaction_key(out_dir: Path) -> bytes:
    """WGM_REDACT_KEY if set, else the key kept in the output folder, made on first use."""
    given = os.environ.get("WGM_REDACT_KEY")
    if given:
        return given.encode("utf-8")
    path = Path(out_dir) / KEY_FILE
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    return key


def _digest(text: str, key: bytes) -> str:
    return "#" + hmac.new(key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:12] if text else ""


def _hide(df: pd.DataFrame, columns: tuple[str, ...], key: bytes) -> pd.DataFrame:
    out = df.copy(deep=False)
    for col in columns:
        if col in out.columns:
            out[col] = pd.Series([_digest(t, key) for t in out[col].tolist()], index=out.index, dtype="str")
    return out


def redact(result: AuditResult, key: bytes) -> AuditResult:
    if not key:
        raise ValueError("a redaction needs a key")
    return dataclasses.replace(
        result,
        messages=_hide(result.messages, ("text", "content", "quote_text"), key),
        tasks=_hide(result.tasks, ("text",), key),
        unparsed=_hide(result.unparsed, ("text",), key),
        judgement_hash="",   # no kept file may stand in for a redacted one: the kept files show the text
    )
