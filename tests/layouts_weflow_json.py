"""Renderers of WeFlow's JSON family (formats.md §F9): WeFlow JSON, EchoTrace JSON, ChatLab JSON, ChatLab JSONL.

WeFlow writes `JSON.stringify(data, null, 2)` (ChatLab JSONL: one compact `JSON.stringify` a line); Python's
`json.dumps(ensure_ascii=False, indent=2)` gives the same bytes. System lines carry the exporting account as
sender, as WeFlow's TXT does [INFERRED]; the parsers recognise them by their type, not their text.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXPORTER_ID, EXPORTER_NAME = "wxid_exporter01", "导出账号"
QUOTE_LOCAL_TYPE = (57 << 32) | 49   # WeChat 4.x app message, sub type 57 (引用)


def epoch(ts: datetime) -> int:
    return int(ts.replace(tzinfo=SHANGHAI).timestamp())


def exported_at(messages: list[dict]) -> datetime:
    """When a rendered export was made: the end of the month of its last message (the worked cases'
    convention, examples.yaml), so that what the cases judge is inside the export."""
    import calendar
    last = max((m["ts"] for m in messages), default=datetime(2025, 3, 3, 19, 0))
    return last.replace(day=calendar.monthrange(last.year, last.month)[1], hour=23, minute=59, second=59)


def sender_id(m: dict) -> str:
    return m.get("sender_id") or f"wxid_{zlib.crc32(m['sender'].encode()):08x}"


def platform_id(i: int) -> str:
    return str(7301111111111111101 + i)


def quoted_id(messages: list[dict], i: int) -> str | None:
    """The platform id of the latest earlier message the quote of message i shows, if there is one."""
    quote = messages[i]["quote"]
    for j in range(i - 1, -1, -1):
        m = messages[j]
        if not m.get("system") and m["sender"] == quote["sender"] and m["text"] == quote["text"]:
            return platform_id(j)
    return None


def _dumps(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def weflow_message(messages: list[dict], i: int) -> dict:
    m = messages[i]
    if m.get("system"):
        type_name, local_type, username, name = "系统消息", 10000, EXPORTER_ID, EXPORTER_NAME
    else:
        quoted = bool(m.get("quote"))
        type_name, local_type = ("引用消息", QUOTE_LOCAL_TYPE) if quoted else ("文本消息", 1)
        username, name = sender_id(m), m["sender"]
    row = {"localId": i + 1, "createTime": epoch(m["ts"]), "formattedTime": m["ts"].strftime("%Y-%m-%d %H:%M:%S"),
           "type": type_name, "localType": local_type, "content": m["text"], "isSend": 0,
           "senderUsername": username, "senderDisplayName": name, "source": "", "senderAvatarKey": username,
           "platformMessageId": platform_id(i)}
    if m.get("quote"):
        ref = quoted_id(messages, i)
        if ref:
            row["replyToMessageId"] = ref
        row["quotedSender"], row["quotedContent"] = m["quote"]["sender"], m["quote"]["text"]
    return row


def _session(messages: list[dict], group: str, group_id: str) -> dict:
    return {"wxid": group_id, "nickname": group, "remark": "", "displayName": group, "type": "群聊",
            "lastTimestamp": epoch(messages[-1]["ts"]) if messages else 0, "messageCount": len(messages)}


def render_weflow_json(messages: list[dict], group: str, group_id: str):
    data = {"weflow": {"version": "1.0.3", "exportedAt": epoch(exported_at(messages)), "generator": "WeFlow"},
            "session": {**_session(messages, group, group_id), "avatar": ""},
            "messages": [weflow_message(messages, i) for i in range(len(messages))]}
    return f"{group}.json", _dumps(data)


def render_echotrace_json(messages: list[dict], group: str, group_id: str):
    rows = []
    for i in range(len(messages)):
        row = weflow_message(messages, i)
        for key in ("senderAvatarKey", "platformMessageId", "replyToMessageId", "quotedSender", "quotedContent"):
            row.pop(key, None)   # not in the EchoTrace field list of §F9
        rows.append(row)
    data = {"session": _session(messages, group, group_id), "messages": rows, "avatars": {},
            "exportTime": exported_at(messages).replace(tzinfo=SHANGHAI).astimezone(ZoneInfo("UTC"))
            .strftime("%Y-%m-%dT%H:%M:%S.000Z")}
    return f"{group}.json", _dumps(data)


def chatlab_header(messages: list[dict]) -> dict:
    return {"version": "0.0.2", "exportedAt": epoch(exported_at(messages)), "generator": "WeFlow"}


def _chatlab_members(messages: list[dict]) -> list[dict]:
    seen = {}
    for m in messages:
        if not m.get("system"):
            seen.setdefault(sender_id(m), m["sender"])
    return [{"platformId": pid, "accountName": name} for pid, name in seen.items()]


def chatlab_message(messages: list[dict], i: int) -> dict:
    m = messages[i]
    if m.get("system"):
        row = {"sender": EXPORTER_ID, "accountName": EXPORTER_NAME, "timestamp": epoch(m["ts"]), "type": 80,
               "content": m["text"], "platformMessageId": platform_id(i)}
        return row
    row = {"sender": sender_id(m), "accountName": m["sender"], "timestamp": epoch(m["ts"]),
           "type": 25 if m.get("quote") else 0, "content": m["text"], "platformMessageId": platform_id(i)}
    if m.get("quote") and quoted_id(messages, i):
        row["replyToMessageId"] = quoted_id(messages, i)   # ChatLab keeps no quoted words, only the id
    return row


def _chatlab_meta(group: str, group_id: str) -> dict:
    return {"name": group, "platform": "wechat", "type": "group", "groupId": group_id}


def render_chatlab_json(messages: list[dict], group: str, group_id: str):
    data = {"chatlab": chatlab_header(messages), "meta": _chatlab_meta(group, group_id),
            "members": _chatlab_members(messages),
            "messages": [chatlab_message(messages, i) for i in range(len(messages))]}
    return f"{group}.chatlab.json", _dumps(data)


def render_chatlab_jsonl(messages: list[dict], group: str, group_id: str):
    def line(obj: dict) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    out = [line({"_type": "header", "chatlab": chatlab_header(messages), "meta": _chatlab_meta(group, group_id)})]
    out += [line({"_type": "member", **member}) for member in _chatlab_members(messages)]
    out += [line({"_type": "message", **chatlab_message(messages, i)}) for i in range(len(messages))]
    return f"{group}.chatlab.jsonl", ("\n".join(out) + "\n").encode("utf-8")


RENDERERS = {
    "weflow_json": render_weflow_json,
    "echotrace_json": render_echotrace_json,
    "chatlab_json": render_chatlab_json,
    "chatlab_jsonl": render_chatlab_jsonl,
}
# §F9 lists no quote fields for EchoTrace rows [INFERRED absent]: a quoted reply keeps its own words only
LOSSES = {
    "weflow_json": set(),
    "echotrace_json": {"quote_text_lost"},
    "chatlab_json": {"quote_text_lost"},
    "chatlab_jsonl": {"quote_text_lost"},
}
