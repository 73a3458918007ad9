"""Renderers of the WeCom 会话内容存档 layouts (formats.md §F10); see tests/layouts.py.

The archive holds ids, not names: a sender becomes the userid `user_id(name)` (a roster alias maps it
back), the group the room id `room_id(group)`. A quote is written into the reply's text the way WeCom
does (`这是一条引用/回复消息：\n“NAME：\nQUOTED”\n------\nREPLY`). The archive has no system lines
(invites, renames): they are not rendered at all.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timedelta, timezone

_CHINA = timezone(timedelta(hours=8))


def user_id(display_name: str) -> str:
    """The userid the archive shows for a person shown as `display_name` elsewhere."""
    return f"u{zlib.crc32(display_name.encode('utf-8')):08x}"


def room_id(group: str) -> str:
    return f"wr{zlib.crc32(group.encode('utf-8')):08x}"


def quoted_reply(quote_sender: str, quote_text: str, reply: str) -> str:
    return f"这是一条引用/回复消息：\n“{quote_sender}：\n{quote_text}”\n------\n{reply}"


def _millis(ts: datetime, k: int) -> int:
    # the milliseconds vary so the parser's dropping of them is exercised
    return int(ts.replace(tzinfo=_CHINA).timestamp()) * 1000 + (k * 137) % 1000


def archive_objects(messages: list[dict], group: str) -> list[dict]:
    room = room_id(group)
    people = sorted({user_id(m["sender"]) for m in messages if not m.get("system")})
    out = []
    for k, m in enumerate(messages):
        if m.get("system"):
            continue
        sender = user_id(m["sender"])
        text = quoted_reply(m["quote"]["sender"], m["quote"]["text"], m["text"]) if m.get("quote") else m["text"]
        ms = _millis(m["ts"], k)
        out.append({"msgid": f"{1100000000000000001 + k}_{ms}", "action": "send", "from": sender,
                    "tolist": [p for p in people if p != sender], "roomid": room, "msgtime": ms,
                    "msgtype": "text", "text": {"content": text}})
    return out


def _jsonl(messages: list[dict], group: str, group_id: str):
    lines = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in archive_objects(messages, group))
    return "会话存档/chatdata.jsonl", lines.encode("utf-8")


def _json(messages: list[dict], group: str, group_id: str):
    doc = {"errcode": 0, "errmsg": "ok", "chatdata": archive_objects(messages, group)}
    return "会话存档/chatdata.json", (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


RENDERERS = {"wecom_archive_jsonl": _jsonl, "wecom_archive_json": _json}
LOSSES = {layout: {"sender_is_id", "system_absent"} for layout in RENDERERS}
