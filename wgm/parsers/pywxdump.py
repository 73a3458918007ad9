"""PyWxDump exports (formats.md §F6) and WeFlow's PyWxDump-like "WeClone" CSV (§F9).

PyWxDump writes `<chat_wxid>/<chat_wxid>_<start>_<end>.csv` (or `.json`) with `users.json` beside it.
Its rows name the sender by wxid only (`talker`); display names are joined from users.json
(remark → nickname → wxid). Layouts:
- `pywxdump_csv`: `id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime` (2024-04 on);
- `pywxdump_csv_v24`: the 2024-01…04 header with one `content` cell holding `{"src":…,"msg":…}` JSON,
  and `我` as talker of the exporting user's rows (that version wrote no users.json);
- `pywxdump_json`: a list of the same row dicts plus `extra`, indent=4;
- `weflow_weclone_csv`: WeFlow's imitation for WeClone — BOM, no room_name, English type names,
  display names as talker, UTC ISO times; WeFlow's own bodies (`[图片]`, `REPLY[引用 NAME：TEXT]`),
  system lines under the exporting account, so they are recognised by their words.

CSV times may come back from an Excel round trip as `2024/10/4 11:42` (minute precision, kept as
such) and MsgSvrID as `7.30111E+18` (not an id any more: left empty so ingest hashes one).

A missing, unreadable or malformed users.json is not an error: names fall back to the wxids and the
result is still complete (the roster can alias wxids). ParseResult has no channel for a warning, so
the parser cannot say so itself; ingest would need one (see the family's report).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from wgm.parsers._base import ParseResult, Source
from wgm.parsers.weflow import body_fields, weflow_group
from wgm.parsers.reading import (
    JsonShapeError,
    LineIndex,
    csv_messages,
    epoch_seconds,
    epoch_to_local,
    first_row_cells,
    instant_to_local,
    json_array_items,
    messages_frame,
    parse_ts,
    physical_lines,
    unparsed_frame,
    unparsed_span,
)
from wgm.schema import M

CSV_HEADER = ["id", "MsgSvrID", "type_name", "is_sender", "talker", "room_name", "msg", "src", "CreateTime"]
V24_HEADER = ["id", "MsgSvrID", "type_name", "is_sender", "talker", "room_name", "content", "CreateTime"]
WECLONE_HEADER = ["id", "MsgSvrID", "type_name", "is_sender", "talker", "msg", "src", "CreateTime"]

# PyWxDump's type_converter names (db/utils/common_utils.py); anything else is "other"
TYPE_MEDIA = {
    "文本": "text", "粘贴的文本": "text", "引用回复": "text", "群公告": "text",
    "图片": "image", "语音": "voice", "视频": "video", "动画表情": "sticker", "用户上传的GIF表情": "sticker",
    "位置": "location", "位置共享": "location", "文件": "file", "文件(猜)": "file",
    "(分享)卡片式链接": "link", "卡片式链接": "link", "(分享)音乐": "link", "合并转发的聊天记录": "merged",
    "转账": "transfer", "语音通话": "call", "推荐公众号": "card", "(分享)视频号名片": "card",
    "系统通知": "system", "拍一拍": "system", "邀请加群": "system",
}
_SYSTEM_TALKERS = {"未知", "系统"}
_SELF_TALKER = "我"
WECLONE_MEDIA = {"text": "text", "image": "image", "sticker": "sticker", "video": "video", "voice": "voice",
                 "location": "location", "file": "file"}

_PAGE_SUFFIX = re.compile(r"^(?P<chat>.+)_\d+_\d+$")
_LOOSE_TS = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?", re.ASCII)
_QUOTE_MARK = "\n\n[引用]("
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_RECALL_NOISE = re.compile(r'\s*<a href="weixin://revoke_edit_click">重新编辑</a>|\s*\$revoke\$\s*$')
_PAT_ID = re.compile(r"\$\{([^}]+)\}")


# ---- shared cell readers --------------------------------------------------------------------------

def local_time(text: str) -> tuple[datetime | None, str]:
    """(time, precision) of a local time cell: PyWxDump's `%Y-%m-%d %H:%M:%S`, or what Excel makes of it
    (`2024/10/4 11:42`, `2024/10/4 11:42:05`, `2024-10-4 11:42`)."""
    text = text.strip()
    ts = parse_ts(text)
    if ts is not None:
        return ts, "s"
    m = _LOOSE_TS.fullmatch(text)
    if m is None:
        return None, "s"
    y, mo, d, h, mi, s = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0)), ("s" if s else "min")
    except ValueError:
        return None, "s"


def _server_id(text: str) -> str:
    """MsgSvrID as an id, "" when Excel has turned it into a float (`7.30111E+18` is shared by many rows)."""
    text = text.strip()
    return text if text.isdigit() else ""


@lru_cache(maxsize=256)
def chat_group(group_hint: str, room_name: str) -> str:
    """The chat wxid of PyWxDump's `<chat_wxid>_<start>_<end>` file name, else the file-name hint."""
    m = _PAGE_SUFFIX.match(group_hint)
    if m is None:
        return group_hint
    chat = m.group("chat")
    # a copy renamed with a prefix (`pywxdump_<chat>_0_10.csv`) still names its chat
    return room_name if room_name and chat.endswith(room_name) else chat


def split_quote(msg: str) -> tuple[str, str, str]:
    """(reply, quoted name, quoted text) of `REPLY\\n\\n[引用](TIME)NAME:TEXT`; (msg, "", "") otherwise."""
    at = msg.find(_QUOTE_MARK)
    if at < 0:
        return msg, "", ""
    rest = msg[at + len(_QUOTE_MARK):]
    close = rest.find(")")
    if close < 0:
        return msg, "", ""
    name, sep, text = rest[close + 1:].partition(":")
    if not sep:
        return msg[:at], "", rest[close + 1:]
    return msg[:at], name.strip(), text


# ---- names from users.json ------------------------------------------------------------------------

def _users_files(folder: Path) -> list[Path]:
    """`*users.json` of a folder, exact `users.json` last so that it wins."""
    try:
        found = sorted(p for p in folder.glob("*users.json") if p.is_file())
    except OSError:
        return []
    return sorted(found, key=lambda p: p.name == "users.json")


@lru_cache(maxsize=32)
def _read_users(path: str, mtime_ns: int, size: int) -> dict[str, str]:
    """{wxid: display name}; {} for a file that is not PyWxDump's users.json (never an error)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    entries = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    names = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        wxid = entry.get("wxid") or entry.get("username")
        if not isinstance(wxid, str) or not wxid:
            continue
        name = next((v for v in (entry.get("remark"), entry.get("nickname")) if isinstance(v, str) and v.strip()),
                    wxid)
        names[wxid] = name
    return names


def load_names(export_path: str) -> dict[str, str]:
    """Display names of the talkers from users.json beside the export or one folder up (the nearer wins)."""
    if not export_path:
        return {}
    here = Path(export_path).resolve().parent
    names: dict[str, str] = {}
    for folder in (here.parent, here):
        for candidate in _users_files(folder):
            try:
                stat = candidate.stat()
            except OSError:
                continue
            names.update(_read_users(str(candidate), stat.st_mtime_ns, stat.st_size))
    return names


# ---- system lines --------------------------------------------------------------------------------

def system_words(msg: str, names: dict[str, str]) -> tuple[str, str]:
    """(human text, recalled message id) of a system row: PyWxDump writes StrContent raw, plain text or
    sysmsg XML (recall `<replacemsg>`, join/pat `<template>` filled from `<link>` members or wxids)."""
    text = msg.strip()
    ref_id = ""
    if text.startswith("<"):
        text, ref_id = _sysmsg_text(text, names)
    text = _CDATA.sub(r"\1", text)
    return _RECALL_NOISE.sub("", text).strip(), ref_id


def _sysmsg_text(xml: str, names: dict[str, str]) -> tuple[str, str]:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        m = _CDATA.search(xml)
        return (m.group(1) if m else xml), ""
    ref_id = (root.findtext(".//revokemsg/newmsgid") or "").strip()
    replaced = root.findtext(".//replacemsg")
    if replaced and replaced.strip():
        return replaced, ref_id if ref_id.isdigit() else ""
    template = root.findtext(".//template")
    if template and template.strip():
        for link in root.iter("link"):
            people = [member.findtext("nickname") or member.findtext("username") or ""
                      for member in link.iter("member")]
            template = template.replace(f"${link.get('name', '')}$", "、".join(p for p in people if p))
        return _PAT_ID.sub(lambda m: names.get(m.group(1), m.group(1)), template), ""
    words = "".join(root.itertext()).strip()
    return (words or xml), ""


_PATH_PARTS = re.compile(r"[\\/]")     # a stored path's separators, Windows' or not


# ---- one row → one message ------------------------------------------------------------------------

def pywxdump_message(src: Source, fmt: str, cells: dict, names: dict[str, str], ts: datetime, precision: str,
                     line: int, line_end: int) -> dict:
    """A message from PyWxDump's row fields (msg, type_name, talker, room_name, MsgSvrID)."""
    type_name, talker, msg = cells["type_name"].strip(), cells["talker"].strip(), cells["msg"]
    room = cells["room_name"].strip()
    content, quote_sender, quote_text, ref_id = msg, "", "", ""
    media = TYPE_MEDIA.get(type_name, "other")
    if talker in _SYSTEM_TALKERS or media == "system" or type_name.startswith("消息撤回"):
        media, sender, sender_id = "system", "", ""
        content, ref_id = system_words(msg, names)
    elif talker == _SELF_TALKER:
        sender, sender_id = talker, ""   # the exporting user, whose wxid this export does not give
    else:
        sender, sender_id = names.get(talker, talker), talker
    if type_name == "引用回复" and media != "system":
        content, quote_sender, quote_text = split_quote(msg)
    stored = str(cells.get("src") or "").strip()
    if media == "file" and content.strip() in ("", "文件") and stored:
        # PyWxDump writes 文件 when it has no name for the file; the name is the end of its stored path
        content = "文件 " + _PATH_PARTS.split(stored)[-1]
    return {M.msg_id: _server_id(cells["MsgSvrID"]), M.group: chat_group(src.group_hint, room), M.group_id: room,
            M.ts: ts, M.sender: sender, M.sender_id: sender_id, M.media: media, M.text: msg, M.content: content,
            M.quote_sender: quote_sender, M.quote_text: quote_text, M.source: src.path, M.line: line,
            M.line_end: line_end, M.fmt: fmt, M.precision: precision, M.ref_id: ref_id}


def _pywxdump_csv_row(parser, src: Source, cells: dict, names: dict, line: int, line_end: int):
    ts, precision = local_time(cells["CreateTime"])
    if ts is None:
        return None
    return pywxdump_message(src, parser.name, cells, names, ts, precision, line, line_end)


def _v24_csv_row(parser, src: Source, cells: dict, names: dict, line: int, line_end: int):
    ts, precision = local_time(cells["CreateTime"])
    if ts is None:
        return None
    try:
        packed = json.loads(cells["content"])
    except ValueError:
        packed = None
    # a damaged content cell is still this row's message: keep its raw text rather than lose the row
    msg = packed.get("msg") if isinstance(packed, dict) else cells["content"]
    cells = {**cells, "msg": msg if isinstance(msg, str) else ""}
    return pywxdump_message(src, parser.name, cells, names, ts, precision, line, line_end)


def _weclone_row(parser, src: Source, cells: dict, names: dict, line: int, line_end: int):
    ts, precision = instant_to_local(cells["CreateTime"], src.tz), "s"
    if ts is None:
        ts, precision = local_time(cells["CreateTime"])   # an Excel round trip leaves no zone
    if ts is None:
        return None
    msg, sender = cells["msg"], cells["talker"]
    # WeFlow's own bodies, as in its TXT: a received text opens with a newline, a quote ends in [引用 …]
    found, content, quote_sender, quote_text = body_fields(msg)
    media = WECLONE_MEDIA.get(cells["type_name"].strip(), "other")
    if found == "system":
        # WeFlow writes system lines under the exporting account, as type text
        media, sender = "system", ""
    elif media == "text":
        media = found
    return {M.msg_id: _server_id(cells["MsgSvrID"]), M.group: weflow_group(src), M.group_id: src.group_id_hint,
            M.ts: ts, M.sender: sender, M.sender_id: "", M.media: media, M.text: msg, M.content: content,
            M.quote_sender: quote_sender, M.quote_text: quote_text, M.source: src.path, M.line: line,
            M.line_end: line_end, M.fmt: parser.name, M.precision: precision}


# ---- layouts -------------------------------------------------------------------------------------

class PyWxDumpCsv:
    """A header row, then one record per message; cells may span lines (CSV quoting)."""

    def __init__(self, name: str, header: list[str], row, with_names: bool, description: str, example: str):
        self.name = name
        self.header = header
        self._row = row
        self._with_names = with_names
        self.description = description
        self.example = example

    def sniff(self, head: str) -> float:
        return 0.95 if first_row_cells(head) == self.header else 0.0

    def parse(self, src: Source) -> ParseResult:
        names = load_names(src.location or src.path) if self._with_names else {}
        rows, unparsed, lines, structural = csv_messages(
            src, (self.header,), lambda cells, line, line_end: self._row(self, src, cells, names, line, line_end))
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, lines, structural,
                           warnings=_unnamed(rows))


def _unnamed(rows: list[dict]) -> tuple[str, ...]:
    """The warning for senders users.json did not name (they still count: the roster's aliases can)."""
    ids = sorted({r[M.sender_id] for r in rows if r[M.sender_id] and r[M.sender] == r[M.sender_id]})
    if not ids:
        return ()
    shown = ", ".join(ids[:3]) + (" …" if len(ids) > 3 else "")
    return (f"{len(ids)} 个发送人在导出旁的 users.json 里没有名字，按 wxid 显示（{shown}）；请把这些 wxid 加进"
            f"花名册的别名（{len(ids)} sender(s) have no name in a users.json beside the export and are shown by "
            "wxid; add the wxids to the roster's aliases）",)


class PyWxDumpJson:
    name = "pywxdump_json"
    description = "PyWxDump JSON (<chat>_<start>_<end>.json, list of message dicts; names from users.json)"
    example = '{"id": 1, "MsgSvrID": "7301111111111111101", "type_name": "文本", "talker": "wxid_zhangsan01", …}'

    _KEYS = ('"MsgSvrID"', '"type_name"', '"talker"', '"room_name"')

    def sniff(self, head: str) -> float:
        if not head.lstrip("\ufeff \t\n").startswith("["):
            return 0.0
        return 0.9 if all(k in head for k in self._KEYS) else 0.0

    def parse(self, src: Source) -> ParseResult:
        text = src.text
        all_lines = physical_lines(text)
        lines = len(all_lines)
        index = LineIndex(text)
        names = load_names(src.location or src.path)
        items: list[tuple[object, int, int]] = []
        damage = None
        try:
            for value, start, end in json_array_items(text, 0):
                items.append((value, index.line(start), index.line(max(start, end - 1))))
        except JsonShapeError as exc:
            damage = exc
        rows, unparsed = [], []
        for k, (value, first, last) in enumerate(items):
            if k + 1 < len(items) and items[k + 1][1] == last:
                last -= 1   # a line shared with the next item is counted once, with the later one
            if last < first:
                line, line_end = first, first - 1
            else:
                line, line_end = first, last
            row = self._row(src, value, names, line, line_end)
            if isinstance(row, str):
                if line_end >= line:
                    unparsed.extend(unparsed_span(src.path, all_lines, line, line_end, row))
                continue
            rows.append(row)
        if damage is not None:
            # everything after the last whole item: the damaged item and whatever follows it
            after = items[-1][2] + 1 if items else 1
            reason = f"{damage}（第 {index.line(damage.offset)} 行 / at line {index.line(damage.offset)}）"
            unparsed.extend(unparsed_span(src.path, all_lines, after, lines, reason) if after <= lines else [])
        covered = sum(r[M.line_end] - r[M.line] + 1 for r in rows)
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, lines,
                           lines - covered - len(unparsed), warnings=_unnamed(rows))

    def _row(self, src: Source, value, names: dict, line: int, line_end: int) -> dict | str:
        """The message, or the reason the item is not one."""
        if not isinstance(value, dict):
            return "数组项不是消息对象（array item is not a message object）"
        cells = {key: _cell(value.get(key)) for key in ("MsgSvrID", "type_name", "talker", "room_name", "msg", "src")}
        created = value.get("CreateTime")
        if isinstance(created, (int, float)) and not isinstance(created, bool):
            ts, precision = epoch_to_local(epoch_seconds(created), src.tz), "s"
        else:
            ts, precision = local_time(_cell(created))
        if ts is None:
            return "没有可读的时间（no readable time）"
        return pywxdump_message(src, self.name, cells, names, ts, precision, line, line_end)


def _cell(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


PYWXDUMP_CSV = PyWxDumpCsv(
    "pywxdump_csv", CSV_HEADER, _pywxdump_csv_row, True,
    "PyWxDump CSV (<chat>_<start>_<end>.csv, talker = wxid; names from users.json beside it)",
    "1,7301111111111111101,文本,0,wxid_zhangsan01,34567890123@chatroom,请今天18:00前提交周报,,2025-03-03 09:01:23")
PYWXDUMP_CSV_V24 = PyWxDumpCsv(
    "pywxdump_csv_v24", V24_HEADER, _v24_csv_row, True,
    "PyWxDump v2.4 CSV (2024-01…04: content = {\"src\",\"msg\"} JSON, talker 我 for self)",
    '1,7301111111111111101,文本,0,wxid_zhangsan01,34567890123@chatroom,"{""src"": """", ""msg"": ""请提交周报""}",'
    "2025-03-03 09:01:23")
PYWXDUMP_JSON = PyWxDumpJson()
WEFLOW_WECLONE_CSV = PyWxDumpCsv(
    "weflow_weclone_csv", WECLONE_HEADER, _weclone_row, False,
    "WeFlow \"WeClone\" CSV (BOM, English type names, display names, UTC ISO times)",
    "1,7301111111111111101,text,0,张三,请今天18:00前提交周报,,2025-03-03T01:01:23.000Z")

PARSERS = (PYWXDUMP_CSV, PYWXDUMP_CSV_V24, PYWXDUMP_JSON, WEFLOW_WECLONE_CSV)
