"""WeCom 会话内容存档, decrypted (formats.md §F10): the message objects `DecryptData` returns, as the
company's integrator or an SCRM vendor stores them — one JSON object per line (JSON Lines), or a JSON
array, bare or under "chatdata" / "msg_list" / "data" of a wrapping object.

The archive carries ids only (`from` userid / external id, `roomid`): senders get `sender_id` and no name,
groups get the room id as name and id; the roster maps both to people and group names. One file holds
every chat of the company, so one-to-one chats (empty `roomid`) and `switch` rows (a user changed
enterprise) are reported in unparsed with their reason rather than silently left out.
Vendors write numbers as strings, `tolist` as a scalar, and null-filled sibling payload keys; all accepted.
"""

from __future__ import annotations

import json
import re

from wgm.errors import InputError
from wgm.parsers._base import ParseResult, Source
from wgm.parsers.reading import (MILLIS_FROM, SET_ASIDE, JsonShapeError, LineIndex, epoch_to_local, json_array_items,
                                 json_member_offset, merged_reason, messages_frame, physical_lines, unparsed_frame,
                                 unparsed_row)
from wgm.schema import M

ONE_TO_ONE = SET_ASIDE + "单聊，不是群聊（one-to-one chat, not a group chat）"
SWITCH = SET_ASIDE + "切换企业的记录，不是聊天消息（switch record: user changed enterprise, not a chat message）"
ENCRYPTED = "加密的记录（encrypt_chat_msg）：请先用企业微信会话存档 SDK 解密（encrypted record: decrypt it with the WeCom archive SDK first）"
WRAPPER_KEYS = ("chatdata", "msg_list", "data")

_KEY_MSGID = re.compile(r'"msgid"\s*:')
_KEY_ACTION = re.compile(r'"action"\s*:')
_KEY_TIME = re.compile(r'"(?:msgtime|time)"\s*:')
_WRAPPER = re.compile(r'"(chatdata|msg_list|data)"\s*:\s*\[')
_REST = re.compile(r"[ \t\n\r]*,?[ \t\n\r]*")   # what may follow a readable item before the damage
_LINE_OPENS_MESSAGE = re.compile(r'\{\s*"(?:msgid|action|from|msgtime|roomid)"\s*:')

# WeCom writes a quoted reply into the text itself. Seen in integrators' code:
#   这是一条引用/回复消息：\n“NAME：\nQUOTED”\n------\nREPLY   (ASCII or Chinese quotes and colons)
# and an SDK sample that keeps only `…消息："\n------\nREPLY`; the bare `"QUOTED"\n------\nREPLY` is
# accepted too (unverified shape without the lead-in). The quoted part ends at the first `------` rule.
_QUOTE_RULE = "\n------\n"
_QUOTE_WITH_LEAD_IN = re.compile(
    r'(?:这是一条引用/回复消息[：:]|This is a quote/reply:)[ \t]*\n?[ \t]*["“]?(?P<body>.*?)["”]?\n------\n(?P<reply>.*)',
    re.S)
_QUOTE_BARE = re.compile(r'["“](?P<body>.*?)["”]\n------\n(?P<reply>.*)', re.S)

# msgtype → (media, placeholder label, where the payload keeps its title)
_PLACEHOLDERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "image": ("image", "[图片]", ()),
    "voice": ("voice", "[语音]", ()),
    "video": ("video", "[视频]", ()),
    "emotion": ("sticker", "[表情]", ()),
    "file": ("file", "[文件]", ("filename",)),
    "link": ("link", "[链接]", ("title", "link_url")),
    "weapp": ("other", "[小程序]", ("title", "displayname")),
    "card": ("card", "[名片]", ("userid", "corpname")),
    "location": ("location", "[位置]", ("title", "address")),
    "chatrecord": ("merged", "[聊天记录]", ("title",)),
    "docmsg": ("link", "[在线文档]", ("title",)),
    "calendar": ("other", "[日程]", ("title",)),
    "meeting": ("other", "[会议]", ("topic",)),
    "meeting_notification": ("other", "[会议通知]", ("content",)),
    "redpacket": ("redpacket", "[红包]", ("wish",)),
    "external_redpacket": ("redpacket", "[红包]", ("wish",)),
    "todo": ("other", "[待办]", ("title",)),
    "vote": ("other", "[投票]", ("votetitle",)),
    "collect": ("other", "[填表]", ("title",)),
    "sphfeed": ("other", "[视频号]", ("sph_name", "feed_desc")),
    "qydiskfile": ("file", "[微盘文件]", ("filename",)),
    "voip_doc_share": ("other", "[共享文档]", ("filename",)),
    "voiptext": ("call", "[音视频通话]", ()),
    "meeting_voice_call": ("call", "[会议语音]", ()),
}
# payloads not kept under the msgtype itself
_PAYLOAD_KEY = {"docmsg": "doc", "markdown": "info", "news": "info", "meeting_notification": "info",
                "voiptext": "info", "qydiskfile": "info", "external_redpacket": "redpacket"}
_MIXED_PART_LABELS = {"image": "[图片]", "emotion": "[表情]", "file": "[文件]", "voice": "[语音]", "video": "[视频]"}


def _field(payload: dict, key: str) -> str:
    value = payload.get(key)
    return "" if value is None else str(value).strip()


def _payload(obj: dict, msgtype: str) -> dict:
    value = obj.get(_PAYLOAD_KEY.get(msgtype, msgtype))
    if isinstance(value, str):   # some vendors store the payload as a JSON string
        try:
            value = json.loads(value)
        except ValueError:
            return {"content": value}
    return value if isinstance(value, dict) else {}


def _millis(value) -> int | None:
    """msgtime as integer milliseconds; vendors stringify it, and a value below reading.MILLIS_FROM is taken
    as seconds."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(value) if isinstance(value, int) else int(float(str(value).strip()))
    except (TypeError, ValueError, OverflowError):
        return None
    return number * 1000 if 0 <= number < MILLIS_FROM else number


def split_quote(text: str) -> tuple[str, str, str]:
    """(content, quote_sender, quote_text) of a text message; the text itself when it quotes nothing."""
    if _QUOTE_RULE not in text:
        return text, "", ""
    m = _QUOTE_WITH_LEAD_IN.fullmatch(text)
    if m:
        body = m.group("body")
        head, newline, rest = body.partition("\n")
        label = head.rstrip(" ")
        if newline and label[-1:] in ("：", ":"):
            return m.group("reply"), label[:-1].strip(), rest
        return m.group("reply"), "", body
    m = _QUOTE_BARE.fullmatch(text)
    if m:
        return m.group("reply"), "", m.group("body")
    return text, "", ""


def _mixed_text(payload: dict) -> tuple[str, str]:
    """(text, media) of a `mixed` message: its text parts joined, or its first part's placeholder."""
    texts, labels = [], []
    items = payload.get("item")
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        kind = str(item.get("type") or "")
        part = item.get("content")
        if isinstance(part, str):
            try:
                part = json.loads(part)
            except ValueError:
                part = {"content": part}
        if kind == "text" and isinstance(part, dict):
            texts.append(_field(part, "content"))
        else:
            labels.append(_MIXED_PART_LABELS.get(kind, "[其他消息]"))
    if texts:
        return "\n".join(texts), "text"
    return ("".join(labels) or "[图文混排]"), ("image" if labels and labels[0] == "[图片]" else "other")


def _body(obj: dict, msgtype: str) -> tuple[str, str]:
    """(text, media) of a non-text message."""
    payload = _payload(obj, msgtype)
    if msgtype == "markdown":
        return _field(payload, "content"), "text"
    if msgtype == "mixed":
        return _mixed_text(payload)
    if msgtype == "news":
        items = payload.get("item")
        first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
        return f"[图文] {_field(first, 'title')}".rstrip(), "link"
    if msgtype in _PLACEHOLDERS:
        media, label, title_keys = _PLACEHOLDERS[msgtype]
        title = next((t for t in (_field(payload, k) for k in title_keys) if t), "")
        return (f"{label} {title}" if title else label), media
    return f"[其他消息] {msgtype}".rstrip(), "other"


def message_row(obj, src: Source, line: int, line_end: int, fmt: str) -> dict | str:
    """One decrypted archive object → a message row, or the reason it is not one."""
    if not isinstance(obj, dict):
        return "不是 JSON 对象（not a JSON object）"
    action = str(obj.get("action") or "send").strip()
    if action == "switch":
        return SWITCH
    if "encrypt_chat_msg" in obj and "msgtype" not in obj:
        return ENCRYPTED
    millis = _millis(obj.get("msgtime"))
    ts = epoch_to_local(millis // 1000, src.tz) if millis is not None else None
    if ts is None:
        return "没有可读的 msgtime（no readable msgtime）"
    room = str(obj.get("roomid") or "").strip()
    if not room:
        return ONE_TO_ONE
    msgtype = str(obj.get("msgtype") or "").strip()
    sender_id = str(obj.get("from") or "").strip()
    quote_sender = quote_text = ref_id = ""
    if action == "recall" or msgtype == "revoke":
        text = content = "撤回了一条消息"
        media = "recall"
        ref_id = _field(_payload(obj, "revoke"), "pre_msgid")
    elif msgtype in ("agree", "disagree"):
        payload = _payload(obj, msgtype)
        who = _field(payload, "userid") or sender_id
        text = content = f"{who} {'同意' if msgtype == 'agree' else '拒绝'}存档"
        media, sender_id = "system", ""
    elif msgtype == "text":
        words = _payload(obj, "text").get("content")
        text = "" if words is None else str(words)   # the words as sent, spaces included
        content, quote_sender, quote_text = split_quote(text)
        media = "text"
    else:
        text, media = _body(obj, msgtype)
        content = text
    return {M.msg_id: str(obj.get("msgid") or "").strip(), M.group: room, M.group_id: room, M.ts: ts,
            M.sender: "", M.sender_id: sender_id, M.media: media, M.text: text, M.content: content,
            M.quote_sender: quote_sender, M.quote_text: quote_text, M.source: src.path, M.line: line,
            M.line_end: line_end, M.fmt: fmt, M.precision: "s", M.ref_id: ref_id}


def _first_line(head: str) -> str:
    return next((line for line in head.split("\n") if line.strip()), "").strip()


def _looks_like_archive(head: str) -> bool:
    return bool(_KEY_MSGID.search(head) and _KEY_ACTION.search(head) and _KEY_TIME.search(head))


def _jsonl_first_line(head: str) -> bool:
    """The first line is one archive object: complete, or cut by the 4 KB head while opening like one."""
    first = _first_line(head)
    if not first.startswith("{"):
        return False
    try:
        obj = json.loads(first)
    except ValueError:
        return head.strip() == first and bool(_LINE_OPENS_MESSAGE.match(first))
    return isinstance(obj, dict) and "msgid" in obj and ("action" in obj or "msgtype" in obj)


class WeComArchiveJsonl:
    name = "wecom_archive_jsonl"
    description = "WeCom 会话内容存档, decrypted: one message JSON object per line (ids only, roster maps names)"
    example = ('{"msgid":"1100000000000000001_1740963683183","action":"send","from":"zhangsan",'
               '"roomid":"wrOgQhDgAAcw…","msgtime":1740963683183,"msgtype":"text","text":{"content":"…"}}')

    def sniff(self, head: str) -> float:
        if not _looks_like_archive(head):
            return 0.0
        return 0.95 if _jsonl_first_line(head) else 0.0

    def parse(self, src: Source) -> ParseResult:
        lines = physical_lines(src.text)
        rows, unparsed, structural = [], [], 0
        for i, line in enumerate(lines, start=1):
            if not line.strip():
                structural += 1
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                unparsed.append(unparsed_row(src.path, i, f"无效的 JSON（invalid JSON）：{exc.msg}（第 {exc.colno} 列 / column {exc.colno}）", line))
                continue
            row = message_row(obj, src, i, i, self.name)
            if isinstance(row, str):
                unparsed.append(unparsed_row(src.path, i, row, line))
            else:
                rows.append(row)
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, len(lines),
                           structural)


class WeComArchiveJson:
    name = "wecom_archive_json"
    description = ("WeCom 会话内容存档, decrypted: a JSON array of message objects, bare or under "
                   "chatdata / msg_list / data")
    example = '{"chatdata": [{"msgid": "…", "action": "send", "from": "zhangsan", "roomid": "wr…", "msgtime": …}]}'

    def sniff(self, head: str) -> float:
        opening = head.lstrip()[:1]
        if opening not in ("[", "{") or _jsonl_first_line(head):
            return 0.0
        if _looks_like_archive(head):
            return 0.9
        if _KEY_MSGID.search(head) and '"encrypt_chat_msg"' in head:
            return 0.6   # a raw GetChatData response: claimed so the reader is told to decrypt it
        return 0.0

    def parse(self, src: Source) -> ParseResult:
        text = src.text
        lines = physical_lines(text)
        index = LineIndex(text)
        start = _array_start(text, src.path, index)
        spans: list[tuple[object, int, int]] = []   # (object, first line, last line)
        damage: tuple[int, str] | None = None
        readable_end = start + 1
        try:
            for value, begin, end in json_array_items(text, start):
                spans.append((value, index.line(begin), index.line(end - 1)))
                readable_end = end
        except JsonShapeError as exc:
            rest = _REST.match(text, readable_end)     # whitespace and commas: it may match nothing, never fail
            cut = rest.end() if rest else readable_end
            if cut < len(text):
                damage = (index.line(cut), f"{exc}（第 {index.line(exc.offset)} 行）：数组在此中断，文件其余部分无法读取"
                                           f"（line {index.line(exc.offset)}: the array breaks here, the rest of the "
                                           "file is unreadable）")
        # A line may hold several items (`json.dump` writes the whole array on one line): it is counted
        # once, for the records that are not messages if it holds any (so they stay visible), else for the
        # last message on it; a message left without a line of its own gets line_end = line - 1.
        made = [message_row(value, src, first, last, self.name) for value, first, last in spans]
        reasons: dict[int, list[str]] = {}
        for row, (_, first, last) in zip(made, spans):
            if isinstance(row, str):
                for n in range(first, last + 1):
                    reasons.setdefault(n, []).append(row)
        if damage:
            for n in range(damage[0], len(lines) + 1):
                if lines[n - 1].strip() or n in reasons:
                    reasons.setdefault(n, []).append(damage[1])
        rows = []
        for k, row in enumerate(made):
            if isinstance(row, str):
                continue
            first, last = spans[k][1], spans[k][2]
            if last in reasons or (k + 1 < len(spans) and spans[k + 1][1] == last):
                last -= 1
            if first <= last and first in reasons:
                first += 1
            if first > last:
                first, last = spans[k][1], spans[k][1] - 1
            row[M.line], row[M.line_end] = first, last
            rows.append(row)
        unparsed = [unparsed_row(src.path, n, merged_reason(found), _excerpt(lines[n - 1]))
                    for n, found in sorted(reasons.items())]
        if not rows and any(r["reason"] == ENCRYPTED for r in unparsed):
            raise InputError("加密的 GetChatData 响应：请先用企业微信会话存档 SDK（DecryptData）解密记录（an encrypted GetChatData "
                             "response: decrypt the records with the WeCom archive SDK first）", source=src.path)
        covered = sum(r[M.line_end] - r[M.line] + 1 for r in rows)
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, len(lines),
                           len(lines) - covered - len(unparsed))


def _excerpt(line: str, limit: int = 2000) -> str:
    """The line as evidence; a whole compact JSON file on one line is cut to its start."""
    return line if len(line) <= limit else line[:limit] + " …"


def _array_start(text: str, path: str, index: LineIndex) -> int:
    """Offset of the message array: the whole document, or the member of the wrapping object that holds it."""
    stripped = len(text) - len(text.lstrip())
    if text[stripped:stripped + 1] == "[":
        return stripped
    first_message = _KEY_MSGID.search(text)
    keys = _WRAPPER.findall(text, 0, first_message.start() if first_message else len(text))
    try:
        offset = json_member_offset(text, keys[-1]) if keys else None
    except JsonShapeError as exc:
        raise InputError(f"{exc}：应为会话存档消息的 JSON 数组，或在 {' / '.join(WRAPPER_KEYS)} 下放着它的对象（expected a JSON "
                         "array of archive messages, or an object holding one）", source=path, line=index.line(exc.offset)) from None
    if offset is None or text[offset:offset + 1] != "[":
        raise InputError(f"应为会话存档消息的 JSON 数组，或在 {' / '.join(WRAPPER_KEYS)} 下放着它的对象（expected a JSON array of "
                         "archive messages, or an object holding one）", source=path, line=1)
    return offset


WECOM_ARCHIVE_JSONL = WeComArchiveJsonl()
WECOM_ARCHIVE_JSON = WeComArchiveJson()
PARSERS = (WECOM_ARCHIVE_JSONL, WECOM_ARCHIVE_JSON)
