"""Compare what wgm reads of a file in tests/data/spec/formats/real with the conversation it was written
from (conversation.json): the differences, one (message number, what differs) pair each.

Used by tests/test_real_exports.py; run alone to see every file's differences:
    python -m tests.real_exports
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd

from tests.paths import REAL_EXPORTS
from wgm import ingest, parsers
from wgm.parsers._base import ParseResult
from wgm.roster import Roster, memotrace_sanitised

# What each kind of message of the conversation is called in the schema's media column
MEDIA = {"text": "text", "quote": "text", "image": "image", "file": "file", "link": "link", "emoji": "sticker",
         "system": "system"}
# a one-day chatlog text has no dates: the day it covers is given, as `--date` does
DATE_HINTS = {"chatlog/text_day__34567890123@chatroom_2025-03-03.txt": date(2025, 3, 3)}
NOT_EXPORTS = {"README.md", "conversation.json", "users.json"}


@lru_cache(maxsize=1)
def conversation() -> dict:
    return json.loads((REAL_EXPORTS / "conversation.json").read_text(encoding="utf-8"))


def export_files() -> list[str]:
    """Every file of the folder an audit could be given, relative to it (side files and the truth left out)."""
    return sorted(p.relative_to(REAL_EXPORTS).as_posix() for p in REAL_EXPORTS.rglob("*")
                  if p.is_file() and p.name not in NOT_EXPORTS)


def read(rel: str) -> ParseResult:
    return parsers.read(REAL_EXPORTS / rel, date_hint=DATE_HINTS.get(rel))


def names_of(wxid: str) -> set[str]:
    """Every name an exporter may show for the member: nickname, remark, 群昵称, as 留痕 sanitises them, the wxid."""
    member = conversation()["members"][wxid]
    names = {n for n in (member["nickname"], member["remark"], member["group_nickname"]) if n}
    return names | {memotrace_sanitised(n) for n in names} | {wxid}


def _words(text: str) -> str:
    """Text compared without the kind of space after a mention (U+2005, or a plain one where the exporter
    or the page made it so); every other character counts, a leading newline too."""
    return text.replace("\u2005", " ")


def differences(result: ParseResult) -> set[tuple[int, str]]:
    """(n, field) for every way the messages read differ from the conversation's."""
    msgs, _ = ingest.normalize(result.messages, Roster())          # msg_ids and quote links, as an audit has
    msgs = msgs.sort_values(["ts", "line"], kind="stable").reset_index(drop=True)
    expected = sorted(conversation()["messages"], key=lambda m: m["time"])
    found: set[tuple[int, str]] = set()
    rows = msgs.to_dict("records")
    times = [pd.Timestamp(datetime.fromisoformat(m["time"])) for m in expected]
    if len(rows) > len(expected) or any(r["ts"] not in times for r in rows):
        return {(0, f"{len(rows)} messages, times {[str(r['ts']) for r in rows]}")}
    by_n = {}
    for want, when in zip(expected, times):
        n = want["n"]
        got = next((r for r in rows if r["ts"] == when), None)      # every time of the chat is its own
        if got is None:
            found.add((n, "missing"))
            continue
        by_n[n] = got
        if got["ts"] != pd.Timestamp(datetime.fromisoformat(want["time"])):
            found.add((n, "time"))
        if got["media"] != MEDIA[want["kind"]]:
            found.add((n, f"kind {got['media']}"))
        if want["sender"]:
            if got["sender"] not in names_of(want["sender"]):
                found.add((n, "sender"))
            if got["sender_id"] and got["sender_id"] != want["sender"]:
                found.add((n, "sender id"))
        elif got["sender"] or got["sender_id"]:
            found.add((n, "sender on a system line"))
        if want["kind"] in ("text", "quote", "system") and _words(got["content"]) != _words(want["text"]):
            found.add((n, "text"))
        if want["kind"] == "file" and want["file_name"] not in got["content"]:
            found.add((n, "file name"))
        if want["kind"] == "link" and want["title"] not in got["content"]:
            found.add((n, "link title"))
    for want in expected:
        if want["kind"] != "quote":
            continue
        if want["n"] not in by_n or want["quote_of"] not in by_n:
            continue
        got, quoted = by_n[want["n"]], by_n[want["quote_of"]]
        if got["quote_id"] != quoted["msg_id"]:
            found.add((want["n"], "quote link"))
        if _words(got["quote_text"]) != _words(quoted["content"]) and not _words(quoted["content"]).startswith(
                _words(got["quote_text"])):
            found.add((want["n"], "quoted text"))
        if got["quote_sender"] not in names_of(want_sender(want["quote_of"])):
            found.add((want["n"], "quoted sender"))
    return found


def want_sender(n: int) -> str:
    return next(m["sender"] for m in conversation()["messages"] if m["n"] == n)


def accounted(result: ParseResult) -> bool:
    """Every line in a message, in unparsed, or layout (schema.ParseResult's invariant)."""
    covered = int((result.messages["line_end"] - result.messages["line"] + 1).sum())
    return covered + len(result.unparsed) + result.structural_lines == result.lines


def main() -> None:
    from wgm.errors import InputError
    for rel in export_files():
        try:
            result = read(rel)
        except InputError as exc:
            print(f"{rel}: refused: {exc.message}")
            continue
        print(f"{rel}: {result.fmt}, {len(result.unparsed)} unparsed, accounted {accounted(result)}: "
              f"{sorted(differences(result))}")


if __name__ == "__main__":
    main()
