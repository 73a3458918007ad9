"""留痕 / WeChatMsg / MemoTrace exports (formats.md §F1, §F2, §F4, §F5): two TXT and two CSV layouts.

The TXT layouts share the header line `YYYY-MM-DD HH:MM:SS NAME`; they differ in system
records (v2: text on the header line; 3.x: time alone on its line), placeholders ([图片]
vs 【图片】) and the quote line (`引用:NAME:TEXT` vs `引用：NAME: TEXT`). The CSV layouts are
column maps. One declaration per layout over shared machinery.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from wgm.parsers._base import ParseResult, Source
from wgm.parsers.reading import (
    BLANK_LINE_BEFORE,
    blank_led_records,
    csv_messages,
    first_row_cells,
    is_template_dump,
    messages_frame,
    messages_from_columns,
    parse_ts_column,
    physical_lines,
    system_words,
    unparsed_frame,
    unparsed_row,
    untimely_reason,
)
from wgm.parsers.reading import parse_ts as _parse_ts
from wgm.schema import M

_HEADER = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?: (.*))?$")
_HEADER_IN_TEXT = re.compile(BLANK_LINE_BEFORE + r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?: ([^\n]*))?(?=\n|\Z)")
_LEAKED_WXID = re.compile(r"^(?:wxid_[A-Za-z0-9_-]+|[A-Za-z][A-Za-z0-9_-]{5,19}):\n")
_SHANGHAI = timezone(timedelta(hours=8))

V2_PLACEHOLDERS = {"[图片]": "image", "[语音]": "voice", "[视频]": "video", "[表情包]": "sticker", "[文件]": "file",
                   "[音乐分享]": "link", "[链接]": "link", "[红包]": "redpacket"}
V3_PLACEHOLDERS = {"【图片】": "image", "【视频】": "video", "【语音】": "voice", "【表情包】": "sticker", "【文件】": "file",
                   "【分享链接】": "link", "【合并转发的聊天记录】": "merged", "【发起转账】": "transfer", "【转账】": "transfer",
                   "【红包】": "redpacket", "【位置分享】": "location", "【名片】": "card", "【音视频通话】": "call",
                   "【笔记】": "other", "【视频号】": "other", "【小程序】": "other", "【音乐分享】": "link"}


@dataclass(frozen=True)
class Dialect:
    """What differs between the two 留痕 generations inside a message body."""

    quote_marker: str           # "引用:" (v2) or "引用：" (3.x)
    quote_separator: str        # ":" (v2) or ": " (3.x) between quoted name and text
    placeholders: dict[str, str]


V2 = Dialect("引用:", ":", V2_PLACEHOLDERS)
V3 = Dialect("引用：", ": ", V3_PLACEHOLDERS)


def split_body(body: str, dialect: Dialect) -> tuple[str, str, str, str]:
    """(content, media, quote_sender, quote_text) of one message body."""
    content, quote_sender, quote_text = body, "", ""
    # most bodies hold no quote, no leaked sender id and no placeholder: each step is skipped by one
    # substring test (this runs once per message)
    if "\n" + dialect.quote_marker in body:
        lines = body.split("\n")
        for i in range(1, len(lines)):
            if lines[i].startswith(dialect.quote_marker):
                content = "\n".join(lines[:i])
                quoted = "\n".join(lines[i:])[len(dialect.quote_marker):]
                name, sep, text = quoted.partition(dialect.quote_separator)
                if sep:
                    quote_sender, quote_text = name.strip(), text
                elif quoted.strip() != "未知":
                    quote_text = quoted
                break
    if ":\n" in content:
        content = _LEAKED_WXID.sub("", content, count=1)
    media = "text"
    stripped = content.lstrip()
    if stripped[:1] in ("[", "【"):
        for marker, kind in dialect.placeholders.items():
            if stripped.startswith(marker):
                media = kind
                break
    return content, media, quote_sender, quote_text


# ---- TXT ----------------------------------------------------------------------------------------

class MemoTraceTxt:
    """Both TXT generations: records start at a header line that opens the file or follows a blank line."""

    def __init__(self, name: str, dialect: Dialect, system_on_header: bool, description: str, example: str) -> None:
        self.name = name
        self.dialect = dialect
        self.system_on_header = system_on_header
        self.description = description
        self.example = example

    def sniff(self, head: str) -> float:
        lines = physical_lines(head)[:200]
        non_empty = [l for l in lines if l.strip()][:10]
        header = next((l for l in non_empty if _HEADER.match(l)), "")
        found = _HEADER.match(header) if header else None
        name = (found.group(2) or "") if found else ""
        if not header or (name.startswith("'") and name.endswith("'") and len(name) > 1) or name.startswith("| "):
            return 0.0   # no 留痕 header near the top, WeFlow's quoted names, or WechatBakTool's "TS | name:text"
        # a few junk lines before the first header are tolerated (they go to unparsed), at a lower score
        score = 0.5 if header == non_empty[0] else 0.4
        v3_score, v2_marks = _generation_marks(head, lines)
        if self.system_on_header:
            score += 0.3 if v2_marks > v3_score else (0.0 if v3_score else 0.05)
        else:
            # as many marks of each generation (a quote in each form): both would claim the file, which must
            # not be refused for it (issue 15) — 3.x reads it, each body in the dialect it is written in
            score += 0.3 if v3_score > v2_marks else (0.1 if not v2_marks else 0.05 if v2_marks == v3_score else 0.0)
        return min(score, 0.9)

    def parse(self, src: Source) -> ParseResult:
        found = blank_led_records(src.text, _HEADER_IN_TEXT, src.path)
        unparsed = found.unparsed
        stamps = parse_ts_column(found.times)   # one pass over every header time
        valid = ~np.isnat(stamps)
        rows: list[tuple] = []        # one tuple per message, turned into columns at the end
        add, split, dialect, on_header = rows.append, split_body, self.dialect, self.system_on_header
        both = not on_header and _claimed_by_both(src.text[:_SNIFF_HEAD])    # each body in its own dialect
        one_per_sender: dict[str, str] = {}    # one string object per sender: smaller frames, cheaper to send
        lines = None
        for stamp, rest, body, start, end, ok in zip(found.times, found.rests, found.bodies, found.starts, found.ends,
                                                     valid.tolist()):
            if not ok:
                lines = lines or physical_lines(src.text)
                reason = _bad_header_reason(stamp)
                for j in range(start, end):
                    unparsed.append(unparsed_row(src.path, j + 1, reason, lines[j]))
                continue
            rest = rest or ""
            if on_header and rest and not body:          # v2: a system record is text on its header line
                add(("", rest, system_words(rest), "system", "", "", start + 1, end))
            elif not on_header and not rest.strip():     # 3.x: a time alone on its line, the text below
                add(("", body, system_words(body), "system", "", "", start + 1, end))
            else:
                fits = _dialect_of(body) if both else dialect
                add((one_per_sender.setdefault(rest, rest), body, *split(body, fits), start + 1, end))
        names = (M.sender, M.text, M.content, M.media, M.quote_sender, M.quote_text, M.line, M.line_end)
        columns = dict(zip(names, map(list, zip(*rows)))) if rows else {name: [] for name in names}
        columns[M.ts] = stamps[valid]
        messages = messages_from_columns(columns, {M.msg_id: "", M.group: src.group_hint,
                                                  M.group_id: src.group_id_hint, M.sender_id: "",
                                                  M.source: src.path, M.fmt: self.name, M.precision: "s"})
        return ParseResult(messages, unparsed_frame(unparsed), self.name, src.encoding, found.lines, found.structural)


_SNIFF_HEAD = 4096        # what detection sees of a file (wgm.parsers.read)


def _generation_marks(head: str, lines: list[str] | None = None) -> tuple[int, int]:
    """(3.x evidence, v2 evidence) in the head of a TXT export: each generation's placeholders and quote
    form, and (3.x) times alone on a line."""
    lines = physical_lines(head)[:200] if lines is None else lines
    v3_marks = sum(head.count(k) for k in V3_PLACEHOLDERS) + head.count("引用：")
    v2_marks = sum(head.count(k) for k in V2_PLACEHOLDERS) + head.count("\n引用:")
    bare_ts = sum(1 for l in lines if (h := _HEADER.match(l)) is not None and not h.group(2))
    return v3_marks + 2 * bare_ts, v2_marks


def _claimed_by_both(head: str) -> bool:
    v3_score, v2_marks = _generation_marks(head)
    return v2_marks > 0 and v2_marks == v3_score


def _dialect_of(body: str) -> Dialect:
    """The generation a body is written in, for a file both claim: v2's quote line or placeholder, else 3.x."""
    stripped = body.lstrip()
    if ("\n" + V2.quote_marker in body and "\n" + V3.quote_marker not in body) or \
            (stripped[:1] == "[" and any(stripped.startswith(m) for m in V2_PLACEHOLDERS)):
        return V2
    return V3


def _bad_header_reason(stamp: str) -> str:
    """Why a header's time was not read: a real date no message can have (parse_ts_column keeps to the
    years a message time can hold), or no date at all."""
    when = _parse_ts(stamp)
    return untimely_reason(when) if when is not None else "消息头的时间不存在（header with an impossible time）"


# ---- CSV ----------------------------------------------------------------------------------------

V2_CSV_HEADER = ["localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime", "Status", "StrContent",
                 "StrTime", "Remark", "NickName", "Sender"]
V3_CSV_HEADER = ["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"]
V2_TYPES = {"1": "text", "3": "image", "34": "voice", "43": "video", "47": "sticker", "48": "location", "42": "card",
            "50": "call", "10000": "system", "10002": "system"}
V2_APP_TYPES = {"5": "link", "6": "file", "19": "merged", "57": "quote", "2000": "transfer", "33": "other",
                "36": "other", "4": "link", "3": "link"}
V3_TYPES = {"文本": "text", "图片": "image", "视频": "video", "语音": "voice", "表情包": "sticker", "音视频通话": "call",
            "文件": "file", "位置分享": "location", "分享链接": "link", "红包": "redpacket", "转账": "transfer",
            "引用消息": "text", "合并转发的聊天记录": "merged", "小程序": "other", "视频号": "other", "音乐分享": "link",
            "收藏笔记": "other", "个人/公众号名片": "card", "企业微信名片": "card", "系统消息": "system", "拍一拍": "system",
            "未知类型": "other"}


def _from_epoch(seconds: int) -> datetime | None:
    """China time of an epoch; None past the years a datetime holds (a damaged CreateTime)."""
    try:
        return datetime.fromtimestamp(seconds, _SHANGHAI).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


class MemoTraceCsv:
    """A 留痕 CSV layout: a header row, then one record per message (cells may span lines)."""

    def __init__(self, name: str, header: list[str], description: str, example: str) -> None:
        self.name = name
        self.header = header
        self.description = description
        self.example = example

    def sniff(self, head: str) -> float:
        return 0.95 if first_row_cells(head) == self.header else 0.0

    def parse(self, src: Source) -> ParseResult:
        rows, unparsed, lines, structural = csv_messages(
            src, (self.header,), lambda cells, line, line_end: self.row(src, cells, line, line_end))
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, lines, structural)

    def row(self, src: Source, cells: dict[str, str], line: int, line_end: int) -> dict | None:
        """One record by its cells (column → text) as a message row, None when it has no readable time."""
        if self.name == "memotrace_v2_csv":
            ts = _parse_ts(cells["StrTime"].strip())
            if ts is None and cells["CreateTime"].strip().isdigit():
                # the epoch column is UTC; 留痕 wrote StrTime in the exporting machine's time, China in practice
                ts = _from_epoch(int(cells["CreateTime"]))
            if ts is None:
                return None
            kind = cells["Type"].strip()
            media = V2_APP_TYPES.get(cells["SubType"].strip(), "other") if kind == "49" else V2_TYPES.get(kind, "other")
            sender = cells["Remark"] or cells["NickName"] or cells["Sender"]
            sender_id, body = cells["Sender"], cells["StrContent"].replace("\r\n", "\n")
            group_key = src.group_id_hint or src.group_hint
            msg_id = f"{group_key}:{cells['localId']}" if cells["localId"].strip() else ""
            dialect = V2
        else:
            ts = _parse_ts(cells["时间"].strip())
            if ts is None:
                return None
            media = V3_TYPES.get(cells["类型"].strip(), "other")
            if media == "other" and is_template_dump(cells["内容"]):   # a join by QR code from a 3.x database
                media = "system"
            sender, sender_id, body = cells["发送人"], "", cells["内容"].replace("\r\n", "\n")
            msg_id = cells["消息ID"].strip()
            if not msg_id.isdigit():     # Excel's 7.30111E+18: no longer the message's id (ingest hashes one)
                msg_id = ""
            dialect = V3
        if media == "system":
            content, qs, qt = system_words(body), "", ""
            sender = ""
        elif media == "quote" and not body.strip():
            # v2 keeps a quote in compressed XML: the reply exists, its words were not exported
            content, qs, qt = "", "", ""
        elif media in ("text", "quote"):
            content, found, qs, qt = split_body(body, dialect)
            media = found if found != "text" else "text"
        else:
            content, _, qs, qt = split_body(body, dialect)
            if not content.strip() or dialect is V2 and body.lstrip().startswith("<"):
                content = next((k for k, v in V2_PLACEHOLDERS.items() if v == media), f"[{media}]")
        return {M.msg_id: msg_id, M.group: src.group_hint, M.group_id: src.group_id_hint, M.ts: ts, M.sender: sender,
                M.sender_id: sender_id, M.media: media, M.text: body, M.content: content, M.quote_sender: qs,
                M.quote_text: qt, M.source: src.path, M.line: line, M.line_end: line_end, M.fmt: self.name,
                M.precision: "s"}


MEMOTRACE_V2_TXT = MemoTraceTxt(
    "memotrace_v2_txt", V2, True, "留痕/WeChatMsg v2 TXT (2024): system text on the header line, [图片], 引用:",
    "2025-03-03 09:01:23 张三")
MEMOTRACE_V3_TXT = MemoTraceTxt(
    "memotrace_v3_txt", V3, False, "留痕/MemoTrace 3.x TXT (2025): time-only system headers, 【图片】, 引用：",
    "2025-03-03 09:01:23 张三-项目经理")
MEMOTRACE_V2_CSV = MemoTraceCsv(
    "memotrace_v2_csv", V2_CSV_HEADER, "留痕/WeChatMsg v2 CSV (<群名>_utf8.csv, BOM, CRLF)",
    "1001,217,1,0,0,1740963683,3,请今天18:00前提交周报,2025-03-03 09:01:23,张三,张三,wxid_zhangsan01")
MEMOTRACE_V3_CSV = MemoTraceCsv(
    "memotrace_v3_csv", V3_CSV_HEADER, "留痕/MemoTrace 3.x CSV (消息ID,类型,发送人,时间,内容,…)",
    "7301111111111111101,文本,张三-项目经理,2025-03-03 09:01:23,请今天18:00前提交周报,张三,张三,more")
