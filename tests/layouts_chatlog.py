"""Renderers of sjzar/chatlog's HTTP answers (formats.md §F7): text, CSV and JSON, byte for byte as
chatlog's Go code writes them (message.go PlainText / CSV, gin's c.JSON); see tests/layouts.py.

Senders without a `sender_id` get a stable invented wxid. The file is named as chatlog's download
names it, `<talker>_<first day>_<last day>.<ext>`, with the talker given by name (chatlog accepts a
group name as `talker`), so the roster's group name applies.
"""

from __future__ import annotations

import json
import re
import zlib
from datetime import datetime

HOST = "127.0.0.1:5030"
SYSTEM_ID = "系统消息"
FULL = "%Y-%m-%d %H:%M:%S"     # Go "2006-01-02 15:04:05": the query spans years
YEARLESS = "%m-%d %H:%M:%S"    # "01-02 15:04:05": the query stays within one year
DATELESS = "%H:%M:%S"          # "15:04:05": a one-day query


def wxid(m_or_name) -> str:
    if isinstance(m_or_name, dict):
        if m_or_name.get("sender_id"):
            return m_or_name["sender_id"]
        m_or_name = m_or_name["sender"]
    return f"wxid_{zlib.crc32(m_or_name.encode('utf-8')):08x}"


def _file_name(messages: list[dict], group: str, ext: str) -> str:
    first, last = (messages[0]["ts"], messages[-1]["ts"]) if messages else (datetime(2025, 1, 1),) * 2
    return f"{group}_{first:%Y-%m-%d}_{last:%Y-%m-%d}.{ext}"


def plain_content(m: dict) -> str:
    """PlainTextContent: a quote is the quoted message's own PlainText, every non-empty line behind `> `."""
    if m.get("system") or not m.get("quote"):
        return m["text"]
    quote = m["quote"]
    quoted = f"{quote['sender']}({wxid(quote['sender'])}) {quote.get('ts', m['ts']):{YEARLESS}}\n{quote['text']}"
    return "".join(f"> {line}\n" for line in quoted.split("\n") if line) + m["text"]


def text_export(messages: list[dict], time_format: str = FULL) -> str:
    out = []
    for m in messages:
        who = SYSTEM_ID if m.get("system") else f"{m['sender']}({wxid(m)})"
        out.append(f"{who} {m['ts']:{time_format}}\n{plain_content(m)}\n\n")
    return "".join(out)


def _go_csv_cell(cell: str) -> str:
    """encoding/csv Writer.fieldNeedsQuotes: separator, quote, CR/LF, or a leading space."""
    if cell == "":
        return cell
    if any(c in cell for c in ',"\r\n') or cell[0].isspace():
        return '"' + cell.replace('"', '""') + '"'
    return cell


def csv_export(messages: list[dict], group: str, group_id: str) -> str:
    rows = [["Time", "SenderName", "Sender", "TalkerName", "Talker", "Content"]]
    for m in messages:
        name, sender = ("", SYSTEM_ID) if m.get("system") else (m["sender"], wxid(m))
        rows.append([f"{m['ts']:{FULL}}", name, sender, group, group_id, plain_content(m)])
    return "".join(",".join(_go_csv_cell(c) for c in row) + "\n" for row in rows)


def _rfc3339(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def _seq(t: datetime, i: int) -> int:
    return int(t.timestamp()) * 1000 + i % 1000


def json_export(messages: list[dict], group: str, group_id: str) -> str:
    items = []
    for i, m in enumerate(messages):
        item = {"seq": _seq(m["ts"], i), "time": _rfc3339(m["ts"]), "talker": group_id, "talkerName": group,
                "isChatRoom": True}
        if m.get("system"):
            item |= {"sender": SYSTEM_ID, "senderName": "", "isSelf": False, "type": 10000, "subType": 0,
                     "content": m["text"]}
        elif m.get("quote"):
            quote = m["quote"]
            refer = {"seq": 0, "time": _rfc3339(quote.get("ts", m["ts"])), "talker": "", "talkerName": "",
                     "isChatRoom": False, "sender": wxid(quote["sender"]), "senderName": quote["sender"],
                     "isSelf": False, "type": 1, "subType": 0, "content": quote["text"]}
            item |= {"sender": wxid(m), "senderName": m["sender"], "isSelf": False, "type": 49, "subType": 57,
                     "content": m["text"], "contents": {"refer": refer}}
        else:
            item |= {"sender": wxid(m), "senderName": m["sender"], "isSelf": False, "type": 1, "subType": 0,
                     "content": m["text"]}
        items.append(item)
    text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    # Go's encoder escapes HTML characters and the JS line separators; it writes no trailing newline
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


_QUOTE_HEAD = re.compile(r"> .* \d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def _reads_back(m: dict) -> dict:
    """Text and CSV cannot tell words that open with `> ` lines from chatlog's quote rendering: leading
    `> ` lines of a quoted reply read as more quoted lines; an unquoted message opening with a quote
    header or the unresolved-quote marker `> [引用]` reads as a quote."""
    if m.get("system") or not m["text"].startswith("> "):
        return m
    lines = m["text"].split("\n")
    if m.get("quote"):
        k = next((i for i, line in enumerate(lines) if not line.startswith("> ")), len(lines))
        quoted = m["quote"]["text"] + "".join("\n" + line[2:] for line in lines[:k])
        return {**m, "text": "\n".join(lines[k:]), "quote": {**m["quote"], "text": quoted}}
    if lines[0] == "> [引用]":
        return {**m, "text": "\n".join(lines[1:])}
    if _QUOTE_HEAD.fullmatch(lines[0]):
        k = next((i for i, line in enumerate(lines[1:], 1) if not line.startswith("> ")), len(lines))
        who = lines[0][2:].rsplit(" ", 2)[0]
        name_id = re.fullmatch(r"(.*)\(([^()]*)\)", who, re.DOTALL)
        sender = name_id.group(1) if name_id else who
        return {**m, "text": "\n".join(lines[k:]),
                "quote": {"sender": sender, "text": "\n".join(line[2:] for line in lines[1:k])}}
    return m


RENDERERS = {
    "chatlog_txt": lambda messages, group, group_id: (_file_name(messages, group, "txt"),
                                                      text_export(messages).encode("utf-8")),
    "chatlog_csv": lambda messages, group, group_id: (_file_name(messages, group, "csv"),
                                                      csv_export(messages, group, group_id).encode("utf-8")),
    "chatlog_json": lambda messages, group, group_id: (_file_name(messages, group, "json"),
                                                       json_export(messages, group, group_id).encode("utf-8")),
}
LOSSES: dict = {"chatlog_txt": set(), "chatlog_csv": set(), "chatlog_json": set()}
EXPECT = {"chatlog_txt": _reads_back, "chatlog_csv": _reads_back}
