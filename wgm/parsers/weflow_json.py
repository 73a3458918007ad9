"""WeFlow's JSON family (formats.md §F9): WeFlow JSON, EchoTrace JSON, ChatLab JSON and ChatLab JSONL.

WeFlow and its ancestor EchoTrace write one pretty-printed object: a "session" describing the chat and
a "messages" array of WeChat rows (createTime epoch seconds, localType, sender wxid and display name,
optional quote fields). ChatLab, the cross-app layout WeFlow also writes, has "meta", "members" and
"messages" with its own small type numbers and no quoted text; its JSONL form puts the header, each
member and each message on a line of its own, tagged by "_type".

The JSON files are walked once with the C decoder (`json_array_items`), so every message keeps the
line span of its object; a file cut off inside the array keeps the messages before the cut and sends
the remaining lines to `unparsed`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable

from wgm.parsers._base import ParseResult, Source
from wgm.parsers.reading import (LINE_SHOWN, JsonShapeError, LineIndex, SharedLines, broken_off_reason, epoch_seconds,
                                 epoch_to_local, instant_to_local, json_array_items, json_member_offset, lost_from,
                                 messages_frame, parse_ts, physical_lines, system_words, unparsed_frame, unparsed_row,
                                 yield_lines)
from wgm.parsers.weflow import received_text, split_quote, weflow_group
from wgm.schema import M, U

_DECODER = json.JSONDecoder()
_JSON_KEY = r'"{}"\s*:'
_WEFLOW_KEY = re.compile(_JSON_KEY.format("weflow"))
_SESSION_KEY = re.compile(_JSON_KEY.format("session"))
_CHATLAB_KEY = re.compile(_JSON_KEY.format("chatlab"))
_JSONL_TYPE = re.compile(r'"_type"\s*:\s*"(?:header|member|message)"')
# WeChat 4.x keeps "<sender wxid>:\n" in front of group text; an exporter that missed it leaks it
_LEAKED_WXID = re.compile(r"^(?:wxid_[A-Za-z0-9_-]+|[A-Za-z][A-Za-z0-9_-]{5,19}):\n")

# WeChat message types (MSG.Type; on 4.x localType carries an app message's sub type in its high 32 bits)
WECHAT_TYPES = {1: "text", 3: "image", 34: "voice", 42: "card", 43: "video", 47: "sticker", 48: "location",
                50: "call", 62: "video", 10000: "system", 10002: "system"}
WECHAT_APP_TYPES = {3: "link", 4: "link", 5: "link", 6: "file", 19: "merged", 33: "other", 36: "other",
                    51: "other", 57: "text", 2000: "transfer", 2001: "redpacket"}
# What WeFlow writes in front of an app message's content (the same words as its TXT layout)
APP_PLACEHOLDERS = {"[文件]": "file", "[链接]": "link", "[小程序]": "other", "[转账]": "transfer", "[红包]": "redpacket",
                    "[转发的聊天记录]": "merged", "[群公告]": "text", "[位置]": "location", "[名片]": "card"}
# The "type" text, read only when localType is missing [INFERRED names; WeFlow's list is not in the spec]
WEFLOW_TYPE_NAMES = {"文本消息": "text", "引用消息": "text", "图片消息": "image", "语音消息": "voice", "视频消息": "video",
                     "动画表情": "sticker", "表情包": "sticker", "文件消息": "file", "链接消息": "link", "位置消息": "location",
                     "名片消息": "card", "通话消息": "call", "转账消息": "transfer", "红包消息": "redpacket",
                     "聊天记录": "merged", "系统消息": "system", "撤回消息": "system", "拍一拍": "system"}
_STICKER = "[表情包"      # how WeFlow writes a sticker's content ([表情包] or [表情包：desc])
# ChatLab MessageType; a recall notice (81) and a pat (22) are notices like any other system line
CHATLAB_TYPES = {0: "text", 1: "image", 2: "voice", 3: "video", 4: "file", 5: "sticker", 7: "link", 8: "location",
                 20: "redpacket", 21: "transfer", 22: "system", 23: "call", 24: "link", 25: "text", 26: "merged",
                 27: "card", 80: "system", 81: "system", 99: "other"}


@dataclass
class Chat:
    """What the metadata around the messages says about the chat."""

    group: str
    group_id: str
    members: dict[str, str] = field(default_factory=dict)   # ChatLab platformId → name
    exported: datetime | None = None                         # the export time the file states
    senders: dict[str, tuple[str, str]] = field(default_factory=dict)   # arkme-JSON senderID → (wxid, name)

    @property
    def id_prefix(self) -> str:
        return self.group_id or self.group


# ---- shared field readers -----------------------------------------------------------------------

def _text(value) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _epoch_time(value, tz: str):
    """Epoch seconds (milliseconds tolerated, reading.MILLIS_FROM) → local wall-clock time. 0 is no time; a
    negative one is a time before 1970, set aside as out of range (reading.set_aside_untimely)."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        seconds = epoch_seconds(float(value))
    except (TypeError, ValueError):
        return None
    return epoch_to_local(seconds, tz) if seconds != 0 else None


def _own_words(text: str, sender_id: str) -> str:
    """The body without a leaked `<wxid>:\\n` prefix (only the sender's own id, when it is known)."""
    if sender_id:
        if text.startswith(sender_id) and text.startswith(":\n", len(sender_id)):
            return text[len(sender_id) + 2:]
        return text
    return _LEAKED_WXID.sub("", text, count=1)


def _id(value) -> str:
    return "" if value is None or value == "" else _text(value)


def _optional_member(text: str, key: str):
    """A top-level member that only names things; a damaged file just lacks it."""
    try:
        offset = json_member_offset(text, key)
    except JsonShapeError:
        return None
    if offset is None:
        return None
    try:
        value, _ = _DECODER.raw_decode(text, offset)
    except json.JSONDecodeError:
        return None
    return value


def _head_is_object(head: str) -> bool:
    return head.lstrip().startswith("{")


# ---- WeFlow / EchoTrace rows --------------------------------------------------------------------

def wechat_media(local_type, type_name, content: str, quoted: bool) -> str:
    kind = _int(local_type)
    if kind is None:
        return WEFLOW_TYPE_NAMES.get(_text(type_name).strip(), "other")
    base, sub = kind & 0xFFFFFFFF, kind >> 32
    if base != 49:
        return WECHAT_TYPES.get(base, "other")
    if sub in WECHAT_APP_TYPES:
        return WECHAT_APP_TYPES[sub]
    if quoted:
        return "text"
    stripped = content.lstrip()
    return next((media for marker, media in APP_PLACEHOLDERS.items() if stripped.startswith(marker)), "link")


def weflow_chat(text: str, src: Source) -> Chat:
    session = _optional_member(text, "session")
    session = session if isinstance(session, dict) else {}
    name = next((_text(session.get(k)) for k in ("displayName", "remark", "nickname", "wxid")
                 if _text(session.get(k)).strip()), "")
    header = _optional_member(text, "weflow")
    exported = _epoch_time(header.get("exportedAt"), src.tz) if isinstance(header, dict) else None
    if exported is None:                   # EchoTrace: "exportTime": ISO text, after the messages
        stated = _optional_member(text, "exportTime")
        exported = instant_to_local(stated, src.tz) if isinstance(stated, str) else None
    return Chat(name or weflow_group(src), _text(session.get("wxid")) or src.group_id_hint, exported=exported,
                senders=_arkme_senders(_optional_member(text, "senders")))


def _arkme_senders(listed) -> dict[str, tuple[str, str]]:
    """senderID → (wxid, name) of arkme-JSON's "senders" list (its messages name only the senderID); the
    name as WeFlow's name setting chose it (displayName), else the group nickname, nickname or remark."""
    found = {}
    for entry in listed if isinstance(listed, list) else ():
        if isinstance(entry, dict) and _id(entry.get("senderID")):
            name = next((_text(entry.get(k)) for k in ("displayName", "groupNickname", "nickname", "remark")
                         if _text(entry.get(k)).strip()), "")
            found[_id(entry.get("senderID"))] = (_text(entry.get("wxid")), name)
    return found


def weflow_row(obj: dict, chat: Chat, src: Source, fmt: str, line: int, line_end: int) -> dict | str:
    ts = _epoch_time(obj.get("createTime"), src.tz) or parse_ts(_text(obj.get("formattedTime")).strip())
    if ts is None:
        return "消息没有可读的 createTime 或 formattedTime（message without a readable time）"
    body = _text(obj.get("content"))
    listed_id, listed_name = chat.senders.get(_id(obj.get("senderID")), ("", ""))
    sender_id = _text(obj.get("senderUsername")) or listed_id
    quote_sender, quote_text = _text(obj.get("quotedSender")), _text(obj.get("quotedContent"))
    ref_id = _id(obj.get("replyToMessageId"))
    media = wechat_media(obj.get("localType"), obj.get("type"), body, bool(quote_text or ref_id))
    if media == "system":   # WeFlow may name the exporting account on a notice: nobody sent it
        sender, sender_id, content, quote_sender, quote_text = "", "", system_words(body), "", ""
    else:
        sender = _text(obj.get("senderDisplayName")) or listed_name or sender_id
        if not sender:      # no member to hold to the rules: never a message of nobody
            return "消息没有发送人（无 senderUsername、senderDisplayName，senderID 不在 senders[] 中）（message without a sender）"
        content = received_text(_own_words(body, sender_id))
        rendered_quote = f"[引用 {quote_sender}：{quote_text}]"
        if quote_text and content.endswith(rendered_quote):   # in case the TXT rendering is kept as well
            content = content[:-len(rendered_quote)]
    msg_id = _id(obj.get("platformMessageId"))
    if not msg_id and _id(obj.get("localId")):
        msg_id = f"{chat.id_prefix}:{_id(obj.get('localId'))}"
    return {M.msg_id: msg_id, M.group: chat.group, M.group_id: chat.group_id, M.ts: ts, M.sender: sender,
            M.sender_id: sender_id, M.media: media, M.text: body, M.content: content, M.quote_sender: quote_sender,
            M.quote_text: quote_text, M.source: src.path, M.line: line, M.line_end: line_end, M.fmt: fmt,
            M.precision: "s", M.ref_id: ref_id}


# ---- ChatLab rows -------------------------------------------------------------------------------

def chatlab_chat(meta: dict, members, src: Source, header=None) -> Chat:
    """`header`: the "chatlab" object (version, exportedAt, generator)."""
    names = {}
    for member in members if isinstance(members, list) else ():
        if isinstance(member, dict) and _id(member.get("platformId")):
            names[_id(member.get("platformId"))] = (_text(member.get("groupNickname"))
                                                    or _text(member.get("accountName")))
    meta = meta if isinstance(meta, dict) else {}
    exported = _epoch_time(header.get("exportedAt"), src.tz) if isinstance(header, dict) else None
    return Chat(_text(meta.get("name")) or weflow_group(src), _id(meta.get("groupId")) or src.group_id_hint, names,
                exported)


def chatlab_row(obj: dict, chat: Chat, src: Source, fmt: str, line: int, line_end: int) -> dict | str:
    ts = _epoch_time(obj.get("timestamp"), src.tz)
    if ts is None:
        return "消息没有可读的时间戳（message without a readable timestamp）"
    body = _text(obj.get("content"))
    sender_id = _id(obj.get("sender"))
    media = CHATLAB_TYPES.get(_int(obj.get("type")) or 0, "other") if _int(obj.get("type")) is not None else "other"
    quote_sender = quote_text = ""
    if media == "system":
        sender, sender_id, content = "", "", system_words(body)
    else:
        sender = (_text(obj.get("groupNickname")) or _text(obj.get("accountName")) or chat.members.get(sender_id)
                  or sender_id)
        if not sender:
            return "消息没有发送人（无 sender、accountName、groupNickname）（message without a sender）"
        # WeFlow's ChatLab keeps the quote rendered inside the reply's content, as in its TXT
        content, quote_sender, quote_text = split_quote(received_text(_own_words(body, sender_id)))
        if media in ("link", "other") and content.startswith(_STICKER):   # WeFlow's sticker is ChatLab's 7, link
            media = "sticker"
    return {M.msg_id: _id(obj.get("platformMessageId")), M.group: chat.group, M.group_id: chat.group_id, M.ts: ts,
            M.sender: sender, M.sender_id: sender_id, M.media: media, M.text: body, M.content: content,
            M.quote_sender: quote_sender, M.quote_text: quote_text, M.source: src.path, M.line: line, M.line_end: line_end,
            M.fmt: fmt, M.precision: "s", M.ref_id: _id(obj.get("replyToMessageId"))}


# ---- one JSON object holding a "messages" array --------------------------------------------------

RowReader = Callable[[dict, Chat, Source, str, int, int], "dict | str"]


class JsonExport:
    """A layout that is one JSON object with a "messages" array among its members."""

    def __init__(self, name: str, description: str, example: str, sniffer: Callable[[str], float],
                 read_chat: Callable[[str, Source], Chat], read_row: RowReader) -> None:
        self.name = name
        self.description = description
        self.example = example
        self._sniffer = sniffer
        self._read_chat = read_chat
        self._read_row = read_row

    def sniff(self, head: str) -> float:
        return self._sniffer(head)

    def parse(self, src: Source) -> ParseResult:
        text = src.text
        lines = physical_lines(text)
        index = LineIndex(text)
        try:
            chat = self._read_chat(text, src)
            start = json_member_offset(text, "messages")
            if start is None:
                raise JsonShapeError('顶层对象里没有 "messages" 数组（no "messages" array in the top-level object）', 0)
        except JsonShapeError as exc:
            where = min(index.line(exc.offset), len(lines))
            reason = f"不是可读的 {self.name} 文件：第 {where} 行 {exc}（not a readable {self.name} file）"
            unparsed = [unparsed_row(src.path, n, reason, line) for n, line in enumerate(lines, 1)]
            return ParseResult(messages_frame([]), unparsed_frame(unparsed), self.name, src.encoding, len(lines), 0)
        return array_result(text, start, src, self.name,
                            lambda value, line, line_end: self._read_row(value, chat, src, self.name, line, line_end),
                            chat.exported)


def array_result(text: str, start: int, src: Source, fmt: str, read_row: Callable[[dict, int, int], "dict | str"],
                 exported: datetime | None = None) -> ParseResult:
    """The messages of the JSON array opening at `start`, each object read by read_row(object, line, line_end)
    (a message row, or why it is not one); every line of the text is accounted for, the lines outside the
    array as layout. A file broken off inside the array keeps the messages before the break."""
    lines = physical_lines(text)
    index = LineIndex(text)
    rows: list[dict] = []
    spans, damage, end = [], None, start + 1
    try:
        for value, begin, end in json_array_items(text, start):
            spans.append([value, index.line(begin), index.line(end - 1), begin, end])
    except JsonShapeError as exc:
        damage = exc
    for k in range(len(spans) - 1):
        if spans[k + 1][1] == spans[k][2]:
            spans[k][2] -= 1    # a line shared with the next message (minified JSON) is counted once, there
    shared = SharedLines(src.path)
    for value, line, line_end, begin, finish in spans:
        row = read_row(value, line, line_end) if isinstance(value, dict) else "消息不是 JSON 对象（message is not a JSON object）"
        if isinstance(row, str):   # its own lines, or the one it shares: a record not read stays visible
            for n in range(line, max(line, line_end) + 1):
                shared.add(n, row, _shown(lines[n - 1], text, begin, finish))
        else:
            rows.append(row)
    warnings: tuple[str, ...] = ()
    if damage is not None:
        where = min(index.line(damage.offset), len(lines))
        lost = lost_from(text, end)      # just after the last whole message, maybe on a line it shares
        reason = broken_off_reason(index, lost, damage)
        for n in range(index.line(lost), len(lines) + 1):
            shared.add(n, reason, _shown(lines[n - 1], text, lost, len(text)))
        if spans and index.line(lost) <= spans[-1][2]:
            warnings = (f"第 {where} 行内中断，在 {len(spans)} 条完整消息之后：该行其后的内容已丢失（broken off inside line "
                        f"{where}, after {len(spans)} whole messages: what followed them on that line is lost）",)
    shared.place(rows)
    unparsed = shared.rows()
    covered = sum(r[M.line_end] - r[M.line] + 1 for r in rows)
    structural = len(lines) - covered - len(unparsed)
    return ParseResult(messages_frame(rows), unparsed_frame(unparsed), fmt, src.encoding, len(lines),
                       structural, warnings=warnings, exported=exported)


def array_end(text: str, start: int) -> int | None:
    """Offset just past the JSON array opening at `start`; None when it is not whole (array_result says so)."""
    try:
        return _DECODER.raw_decode(text, start)[1]
    except json.JSONDecodeError:
        return None


def unparsed_from(result: ParseResult, text: str, source: str, offset: int, reason: str) -> ParseResult:
    """The result with every non-blank line from the one holding `offset` on in unparsed (a message sharing
    such a line gives it up, reading.yield_lines): what follows the messages is never passed as layout."""
    lines = physical_lines(text)
    already = set(result.unparsed[U.line].tolist())
    claimed = {n for n in range(LineIndex(text).line(offset), len(lines) + 1)
               if lines[n - 1].strip() and n not in already}
    if not claimed:
        return result
    messages = result.messages
    firsts, lasts = yield_lines(messages[M.line].to_numpy(), messages[M.line_end].to_numpy(), claimed)
    messages = messages.assign(**{M.line: firsts, M.line_end: lasts})
    rows = [*result.unparsed.to_dict("records"),
            *(unparsed_row(source, n, reason, lines[n - 1][:LINE_SHOWN]) for n in sorted(claimed))]
    unparsed = unparsed_frame(sorted(rows, key=lambda r: r[U.line]))
    covered = int((messages[M.line_end] - messages[M.line] + 1).sum())
    return replace(result, messages=messages, unparsed=unparsed,
                   structural_lines=result.lines - covered - len(unparsed))


def _shown(line: str, text: str, begin: int, end: int) -> str:
    """What an unparsed row shows of its line: the line, or of a very long one (a minified export) the part
    of the record, from its start."""
    return line if len(line) <= LINE_SHOWN else text[begin:min(end, begin + LINE_SHOWN)]


def _sniff_weflow(head: str) -> float:
    return 0.95 if _head_is_object(head) and _WEFLOW_KEY.search(head) else 0.0


def _sniff_echotrace(head: str) -> float:
    if not _head_is_object(head) or _WEFLOW_KEY.search(head) or not _SESSION_KEY.search(head):
        return 0.0
    return 0.9 if '"senderUsername"' in head or '"localType"' in head else 0.5


def _first_line(head: str) -> str:
    return next((line for line in head.split("\n") if line.strip()), "")


def _sniff_chatlab_json(head: str) -> float:
    if not _head_is_object(head) or not _CHATLAB_KEY.search(head) or _JSONL_TYPE.search(_first_line(head)):
        return 0.0
    return 0.95


def _sniff_chatlab_jsonl(head: str) -> float:
    first = _first_line(head).strip()
    if not first.startswith("{"):
        return 0.0
    try:
        value = json.loads(first)
    except ValueError:   # a first line longer than the head: judge by its opening
        return 0.9 if _JSONL_TYPE.search(first) else 0.0
    return 0.95 if isinstance(value, dict) and value.get("_type") in ("header", "member", "message") else 0.0


def _chatlab_json_chat(text: str, src: Source) -> Chat:
    return chatlab_chat(_optional_member(text, "meta"), _optional_member(text, "members"), src,
                        _optional_member(text, "chatlab"))


WEFLOW_JSON = JsonExport(
    "weflow_json", "WeFlow JSON (2026, WeChat 4.x): {weflow, session, messages[createTime, localType, …]}",
    '{"weflow": {"version": "1.0.3", …}, "session": {…}, "messages": [{"localId": 1, "createTime": 1740963683, …}]}',
    _sniff_weflow, weflow_chat, weflow_row)
ECHOTRACE_JSON = JsonExport(
    "echotrace_json", "EchoTrace JSON (WeFlow's ancestor): {session, messages[createTime, localType, …], exportTime}",
    '{"session": {"wxid": "…@chatroom", …}, "messages": [{"localId": 1, "createTime": 1740963683, …}]}',
    _sniff_echotrace, weflow_chat, weflow_row)
CHATLAB_JSON = JsonExport(
    "chatlab_json", "ChatLab JSON (written by WeFlow and others): {chatlab, meta, members, messages[timestamp, type]}",
    '{"chatlab": {"version": "0.0.2", …}, "meta": {"name": "项目交付群", …}, "members": […], "messages": […]}',
    _sniff_chatlab_json, _chatlab_json_chat, chatlab_row)


# ---- ChatLab JSONL ------------------------------------------------------------------------------

class ChatLabJsonl:
    name = "chatlab_jsonl"
    description = "ChatLab JSONL: one JSON object a line, _type header|member|message"
    example = '{"_type":"message","sender":"wxid_zhangsan01","accountName":"张三","timestamp":1740963683,"type":0,…}'

    def sniff(self, head: str) -> float:
        return _sniff_chatlab_jsonl(head)

    def parse(self, src: Source) -> ParseResult:
        lines = physical_lines(src.text)
        unparsed, pending = [], []
        structural = 0
        meta: dict = {}
        members: list = []
        header = None
        for n, line in enumerate(lines, 1):
            if not line.strip():
                structural += 1
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                reason = f"不是 JSON 行（not a JSON line）：{exc.msg if isinstance(exc, json.JSONDecodeError) else exc}"
                unparsed.append(unparsed_row(src.path, n, reason, line))
                continue
            kind = obj.get("_type") if isinstance(obj, dict) else None
            if kind == "message":
                pending.append((n, obj))
            elif kind == "member":
                members.append(obj)
                structural += 1
            elif kind == "header":
                meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else meta
                header = obj.get("chatlab") if isinstance(obj.get("chatlab"), dict) else header
                structural += 1
            else:
                unparsed.append(unparsed_row(src.path, n, "JSON 行没有 _type header|member|message（JSON line without _type）", line))
        chat = chatlab_chat(meta, members, src, header)   # members may follow the messages that name them
        rows = []
        for n, obj in pending:
            row = chatlab_row(obj, chat, src, self.name, n, n)
            if isinstance(row, str):
                unparsed.append(unparsed_row(src.path, n, row, lines[n - 1]))
            else:
                rows.append(row)
        unparsed.sort(key=lambda r: r[U.line])
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, len(lines),
                           structural, exported=chat.exported)


CHATLAB_JSONL = ChatLabJsonl()

PARSERS = (WEFLOW_JSON, ECHOTRACE_JSON, CHATLAB_JSON, CHATLAB_JSONL)
