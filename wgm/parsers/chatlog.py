"""sjzar/chatlog exports (formats.md §F7): the HTTP API's plain text, CSV and JSON answers.

All three carry the sender's wxid beside the name. The text layout drops the date (single-day
query) or the year (same-year query) from its times; those come from the file name chatlog's
download gives (`<talker>_<YYYY-MM-DD>_<YYYY-MM-DD>`) or from --date, never from a guess.
Text and CSV render quotes as `> NAME(ID) MM-DD HH:MM:SS` + `> ` lines before the reply and
media as markdown-ish placeholders; JSON keeps the quoted message nested in `contents.refer`.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from wgm.errors import InputError
from wgm.parsers._base import ParseResult, Source
from wgm.parsers.reading import (
    JsonShapeError,
    LineIndex,
    SharedLines,
    broken_off_reason,
    csv_messages,
    first_row_cells,
    header_records,
    instant_to_local,
    json_array_items,
    lost_from,
    messages_frame,
    parse_ts,
    physical_lines,
    unparsed_frame,
    unparsed_row,
)
from wgm.schema import M

SYSTEM_ID = "系统消息"   # chatlog's sender id for system lines (WeChat 4.x)
SELF_ID = "我"           # the text layout's sender id for the exporting account's own messages

# WHO [ "[" ROOM "]" ] TIME, read from the right: names may hold spaces and parentheses. WHO is empty
# (the line starts with a space) for system lines from PC 3.x databases; otherwise it starts with a
# non-space, which keeps merged-forward item lines ("  NAME TIME", indented) from opening records.
_HEADER = re.compile(r"^(?P<who>(?:\S.*?)?)(?: \[(?P<room>[^\[\]]*@chatroom\)?)\])?"
                     r" (?P<time>(?:\d{4}-\d{2}-\d{2} |\d{2}-\d{2} )?\d{2}:\d{2}:\d{2})$")
_NAME_ID = re.compile(r"^(?P<name>.*)\((?P<id>[^()]*)\)$", re.DOTALL)
_ACCOUNT_ID = re.compile(r"[A-Za-z0-9_@.\-]+|系统消息|我")
_DATE_LIKE = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}$")
_FILE_DATES = re.compile(r"^(?P<talker>.*)_(?P<start>\d{4}-\d{2}-\d{2})_(?P<end>\d{4}-\d{2}-\d{2})$")
_QUOTE_HEAD = re.compile(r"> (?P<who>.*) \d{2}-\d{2} \d{2}:\d{2}:\d{2}")
# sysmsgtemplate members are rendered `nickname(username)`, joined by 、 inside the template's quotes
_MEMBER_ID = re.compile(r"\((?:wxid_[A-Za-z0-9_-]+|[A-Za-z][A-Za-z0-9_-]{5,19}|\d+@openim)\)(?=[\"、])")
_REVOKE_LINK = re.compile(r"\s*\$revoke\$$")
_PAT = re.compile(r'^(?:"[^"\n]*"|我) ?拍了拍')

# The whole content of a media message, as PlainTextContent renders it (message.go, mediamessage.go).
_MEDIA_PATTERNS = {
    "image": r"!\[图片\]\([^\n]*\)",
    "video": r"!\[视频\]\([^\n]*\)",
    "sticker": r"!\[动画表情\]\([^\n]*\)|\[动画表情\]|\[GIF表情\]",
    "voice": r"\[语音\](?:\([^\n]*\))?",
    "call": r"\[语音通话\]",
    "file": r"\[文件\|[^\n]*\]\([^\n]*\)",
    "link": r"\[(?:链接|分享|音乐)\|[^\n]*\]\([^\n]*\)|\[分享\]",
    "merged": r"\[(?:合并转发|笔记|聊天记录)\|[^\n]*\](?:\n[\s\S]*)?|\[合并转发\]",
    "transfer": r"\[转账\|[^\n]*\](?:\([^\n]*\))?",
    "redpacket": r"\[红包\]",
    "card": r"\[名片\]",
    "location": r"\[位置\|[^\n]*\]",
    "other": r"\[(?:小程序|视频号|视频号直播)(?:\|[^\n]*\](?:\([^\n]*\))?|\])|\[红包封面\]|\[群公告\]"
             r"|Type: \d+ Content: [\s\S]*",
}
_MEDIA = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _MEDIA_PATTERNS.items()))


def split_who(who: str) -> tuple[str, str]:
    """(name, id) of `Name(id)`, or of a bare id (the name is then the id, as chatlog shows it)."""
    m = _NAME_ID.match(who)
    if m:
        return m.group("name"), m.group("id")
    return who, who


def _sender(who: str) -> tuple[str, str, bool]:
    """(sender, sender_id, is_system) from a text header's WHO."""
    if who in ("", SYSTEM_ID):
        return "", "", True
    name, ident = split_who(who)
    if ident == SELF_ID:    # `我` or `群昵称(我)`: own message; "我" is no account id
        return name, "", False
    return name, ident, False


def split_quote(body: str) -> tuple[str, str, str]:
    """(reply, quote_sender, quote_text) of a body that may open with chatlog's `> ` quote block."""
    if not body.startswith("> "):
        return body, "", ""
    lines = body.split("\n")
    first = lines[0]
    if first == "> [引用]":      # the quoted message was not resolvable: no name, no words
        return "\n".join(lines[1:]), "", ""
    head = _QUOTE_HEAD.fullmatch(first)
    if head is None:
        return body, "", ""
    n = 1
    while n < len(lines) and lines[n].startswith("> "):
        n += 1
    quote_sender, _ = split_who(head.group("who"))
    return "\n".join(lines[n:]), quote_sender, "\n".join(line[2:] for line in lines[1:n])


def split_body(body: str) -> tuple[str, str, str, str]:
    """(content, media, quote_sender, quote_text) of a text/CSV content cell."""
    content, quote_sender, quote_text = split_quote(body)
    m = _MEDIA.fullmatch(content)
    media = (m.lastgroup or "text") if m else "text"
    return content, media, quote_sender, quote_text


def system_content(text: str) -> str:
    """A system line as the other exporters write it: member ids dropped from invite templates."""
    return _REVOKE_LINK.sub("", _MEMBER_ID.sub("", text)).strip()


def _is_pat(content: str) -> bool:
    return "拍了拍" in content and _PAT.match(content) is not None


def _group_from_file(src: Source) -> tuple[str, str]:
    """(group, group_id) from a `<talker>_<date>_<date>` file name; a talker id is its own group name
    until the roster maps it."""
    m = _FILE_DATES.match(src.group_hint.strip())
    group = m.group("talker") if m else src.group_hint
    group_id = group if group.endswith("@chatroom") else src.group_id_hint
    return group, group_id


def file_dates(src: Source) -> tuple[date, date] | None:
    m = _FILE_DATES.match(src.group_hint.strip())
    if m is None:
        return None
    try:
        return date.fromisoformat(m.group("start")), date.fromisoformat(m.group("end"))
    except ValueError:
        return None


def _row(src: Source, fmt: str, ts: datetime, sender: str, sender_id: str, system: bool, text: str,
         group: str, group_id: str, line: int, line_end: int, msg_id: str = "") -> dict:
    if system:
        content, media, qs, qt = system_content(text), "system", "", ""
    else:
        content, media, qs, qt = split_body(text)
        if media == "text" and _is_pat(content):
            sender, sender_id, media = "", "", "system"
    return {M.msg_id: msg_id, M.group: group, M.group_id: group_id, M.ts: ts, M.sender: sender,
            M.sender_id: sender_id, M.media: media, M.text: text, M.content: content, M.quote_sender: qs,
            M.quote_text: qt, M.source: src.path, M.line: line, M.line_end: line_end, M.fmt: fmt, M.precision: "s"}


# ---- text ---------------------------------------------------------------------------------------

class _Calendar:
    """The day (date-less layout) or year (year-less layout) a text export's times lack, worked out once
    and only when a header needs it; refuses rather than guesses."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self._day: date | None = None
        self._year: int | None = None

    def day(self, line: int) -> date:
        if self._day is None:
            self._day = self._resolve_day(line)
        return self._day

    def year(self, line: int) -> int:
        if self._year is None:
            self._year = self._resolve_year(line)
        return self._year

    def _refuse(self, message: str, line: int):
        return InputError(message, source=self.src.path, line=line)

    def _resolve_day(self, line: int) -> date:
        dates, hint = file_dates(self.src), self.src.date_hint
        if dates:
            start, end = dates
            if start != end:
                raise self._refuse(f"chatlog 的时间没有日期（HH:MM:SS），但文件名跨 {start} 至 {end}：无法判断每条消息是哪一天"
                                   f"（chatlog times without a date, but the file name spans {start} to {end}: "
                                   "chatlog writes date-less times only for a one-day query; cannot tell which day "
                                   "each message is on）", line)
            if hint is not None and hint != start:
                raise self._refuse(f"--date {hint} 与文件名中的日期 {start} 不符，请改正其一（--date {hint} disagrees with the date "
                                   f"{start} in the file name; fix one of them）", line)
            return start
        if hint is not None:
            return hint
        raise self._refuse("这个 chatlog 文本导出没有日期（时间如 09:01:23，来自单日查询）；请用 --date YYYY-MM-DD 给出它那一天"
                           "（this chatlog text export has no dates, from a one-day query; pass --date YYYY-MM-DD "
                           "for the day it covers）", line)

    def _resolve_year(self, line: int) -> int:
        dates, hint = file_dates(self.src), self.src.date_hint
        if dates:
            start, end = dates
            if start.year != end.year:
                raise self._refuse(f"chatlog 的时间没有年份（MM-DD HH:MM:SS），但文件名跨 {start} 至 {end}，跨了新年：无法判断每条消息的"
                                   f"年份（chatlog times without a year, but the file name spans {start} to {end}, "
                                   "across a new year; cannot tell the year of each message）",
                                   line)
            if hint is not None and hint.year != start.year:
                raise self._refuse(f"--date {hint} 与文件名日期（{start} 至 {end}）的年份 {start.year} 不符，请改正其一"
                                   f"（--date {hint} disagrees with the year {start.year} of the file name's "
                                   "dates; fix one of them）", line)
            return start.year
        if hint is not None:
            return hint.year
        raise self._refuse("这个 chatlog 文本导出没有年份（时间如 03-03 09:01:23，来自同一年的查询）；请用 --date YYYY-MM-DD 给出"
                           "那一年的任一天（this chatlog text export has no years; pass --date YYYY-MM-DD with any "
                           "day of that year）", line)

    def timestamp(self, text: str, line: int) -> datetime | None:
        try:
            if len(text) == 19:
                return parse_ts(text)
            clock = int(text[-8:-6]), int(text[-5:-3]), int(text[-2:])
            if len(text) == 14:
                return datetime(self.year(line), int(text[:2]), int(text[3:5]), *clock)
            day = self.day(line)
            return datetime(day.year, day.month, day.day, *clock)
        except ValueError:
            return None


class ChatlogTxt:
    name = "chatlog_txt"
    description = "chatlog (sjzar) HTTP text: `NAME(wxid) [YYYY-MM-DD |MM-DD ]HH:MM:SS`, quotes as `> ` lines"
    example = "张三-项目经理(wxid_zhangsan01) 09:01:23"

    def sniff(self, head: str) -> float:
        lines = physical_lines(head)[:200]
        # record headers open the file or follow a blank line; a few stray lines first go to unparsed
        candidates = [line for i, line in enumerate(lines) if line.strip() and (i == 0 or not lines[i - 1].strip())]
        for k, line in enumerate(candidates[:3]):
            m = _HEADER.match(line)
            if m and _plausible_who(m.group("who")):
                break
        else:
            return 0.0
        score = 0.6 if k == 0 else 0.45
        marks = ("(wxid_" in head or "@chatroom" in head or f"\n{SYSTEM_ID} " in head or head.startswith(SYSTEM_ID)
                 or ":5030/" in head or f"\n{SELF_ID} " in head or f"({SELF_ID}) " in head)
        return score + (0.3 if marks else 0.0)

    def parse(self, src: Source) -> ParseResult:
        lines = physical_lines(src.text)
        records, unparsed, structural = header_records(lines, _HEADER, src.path)
        calendar = _Calendar(src)
        file_group = _group_from_file(src)
        rows = []
        for start, end, m, body_lines in records:
            ts = calendar.timestamp(m.group("time"), start + 1)
            if ts is None:
                unparsed.extend(unparsed_row(src.path, j + 1, "消息头的时间不存在（header with an impossible time）", lines[j])
                                for j in range(start, end))
                continue
            room = m.group("room")
            if room:
                group, group_id = split_who(room)
            else:
                group, group_id = file_group
            sender, sender_id, system = _sender(m.group("who"))
            rows.append(_row(src, self.name, ts, sender, sender_id, system, "\n".join(body_lines), group, group_id,
                             start + 1, end))
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, len(lines),
                           structural)


def _plausible_who(who: str) -> bool:
    """A header's WHO as chatlog writes it: empty, `Name(id)` or a bare id, the id one account-like token
    (not a date: that keeps 留痕 3.x's time-only system headers `YYYY-MM-DD HH:MM:SS` out)."""
    if not who:
        return True
    m = _NAME_ID.match(who)
    ident = m.group("id") if m else who
    return _ACCOUNT_ID.fullmatch(ident) is not None and not _DATE_LIKE.match(ident)


# ---- CSV ----------------------------------------------------------------------------------------

CSV_HEADER = ["Time", "SenderName", "Sender", "TalkerName", "Talker", "Content"]
CSV_HEADER_WITH_ID = ["MessageID", *CSV_HEADER]   # later chatlog builds put the message id first


class ChatlogCsv:
    name = "chatlog_csv"
    description = "chatlog (sjzar) HTTP CSV: Time,SenderName,Sender,TalkerName,Talker,Content (LF, no BOM)"
    example = "2025-03-03 09:05:10,研发-李四,wxid_lisi01,项目交付群,34567890123@chatroom,收到"

    def sniff(self, head: str) -> float:
        first = first_row_cells(head)
        return 0.95 if first in (CSV_HEADER, CSV_HEADER_WITH_ID) else 0.0

    def parse(self, src: Source) -> ParseResult:
        rows, unparsed, lines, structural = csv_messages(
            src, (CSV_HEADER, CSV_HEADER_WITH_ID), lambda cells, line, line_end: self._row(src, cells, line, line_end))
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, lines, structural)

    def _row(self, src: Source, cells: dict[str, str], line: int, line_end: int) -> dict | None:
        ts = parse_ts(cells["Time"].strip())
        if ts is None:
            return None
        sender_id, name = cells["Sender"], cells["SenderName"]
        system = sender_id == SYSTEM_ID or (not sender_id and not name)
        talker = cells["Talker"]
        group = cells["TalkerName"] or talker or _group_from_file(src)[0]
        group_id = talker or src.group_id_hint
        message_id = cells.get("MessageID", "").strip()
        msg_id = f"{talker}:{message_id}" if message_id else ""
        return _row(src, self.name, ts, "" if system else (name or sender_id), "" if system else sender_id, system,
                    cells["Content"], group, group_id, line, line_end, msg_id)


# ---- JSON ---------------------------------------------------------------------------------------

_JSON_TYPES = {1: "text", 3: "image", 34: "voice", 42: "card", 43: "video", 47: "sticker", 48: "location",
               50: "call", 10000: "system", 10002: "system"}
_JSON_APP_TYPES = {4: "link", 5: "link", 6: "file", 8: "sticker", 19: "merged", 33: "other", 36: "other", 51: "other",
                   57: "text", 62: "system", 63: "other", 87: "other", 2000: "transfer", 2001: "redpacket",
                   2003: "other"}
# JSON leaves `content` empty for media (the details sit in `contents`): what stands in for the words
_JSON_PLACEHOLDERS = {"image": "[图片]", "video": "[视频]", "voice": "[语音]", "sticker": "[动画表情]", "card": "[名片]",
                      "location": "[位置]", "call": "[语音通话]", "file": "[文件]", "link": "[链接]",
                      "merged": "[合并转发]", "redpacket": "[红包]", "transfer": "[转账]", "other": "[分享]"}
_EXCERPT = 300


def _json_media(message: dict) -> str:
    kind, sub = message.get("type"), message.get("subType")
    if kind == 49:
        return _JSON_APP_TYPES.get(sub, "other") if isinstance(sub, int) else "other"
    return _JSON_TYPES.get(kind, "other") if isinstance(kind, int) else "other"


def _json_words(message: dict, media: str) -> str:
    """The message's content, or a placeholder naming the media (with its title where it has one)."""
    content = message.get("content")
    if isinstance(content, str) and content:
        return content
    if media in ("text", "system"):
        return ""
    contents = message.get("contents")
    contents = contents if isinstance(contents, dict) else {}
    title = contents.get("title")
    placeholder = _JSON_PLACEHOLDERS.get(media, "[分享]")
    if isinstance(title, str) and title:
        placeholder = f"{placeholder[:-1]}|{title}]"
    return placeholder


class ChatlogJson:
    name = "chatlog_json"
    description = "chatlog (sjzar) HTTP JSON: array of {seq, time (RFC 3339), talker, sender, senderName, …}"
    example = '[{"seq":1740963683000,"time":"2025-03-03T09:01:23+08:00","talker":"34567890123@chatroom",…}]'

    def sniff(self, head: str) -> float:
        if not head.lstrip("\ufeff \t\n\r").startswith("["):
            return 0.0
        return 0.9 if '"isChatRoom"' in head and '"senderName"' in head else 0.0

    def parse(self, src: Source) -> ParseResult:
        text = src.text
        lines = physical_lines(text)
        index = LineIndex(text)
        starts = _line_starts(text)
        rows: list[dict] = []
        start = len(text) - len(text.lstrip("\ufeff \t\n\r"))
        end = start
        if start == len(text):   # nothing but whitespace: no messages, nothing damaged
            return ParseResult(messages_frame([]), unparsed_frame([]), self.name, src.encoding, len(lines), len(lines))
        items: list = []
        damage = None
        warnings: tuple[str, ...] = ()
        try:
            for value, item_start, item_end in json_array_items(text, start):
                items.append([value, item_start, item_end, index.line(item_start), index.line(item_end - 1)])
                end = item_end
        except JsonShapeError as exc:
            damage = exc
        # chatlog writes the whole array on one line: a line shared by several messages is counted once,
        # with the last of them (the others get line_end = line - 1, as schema.M.line_end says)
        for k in range(len(items) - 1):
            if items[k + 1][3] == items[k][4]:
                items[k][4] -= 1
        shared = SharedLines(src.path)
        for value, item_start, item_end, first, last in items:
            row = self._row(src, value, first, last) if isinstance(value, dict) else None
            if row is None:   # its own lines, or the one it shares: a record that is not read stays visible
                reason = "消息没有可读的时间（message without a readable time）" if isinstance(value, dict) else "不是消息对象（not a message object）"
                for n in range(first, max(first, last) + 1):
                    shared.add(n, reason, _excerpt(text, starts, n, item_start, item_end))
            else:
                rows.append(row)
        if damage is None:
            tail = text.find("]", end) + 1   # only whitespace separates the last element from the bracket
            if text[tail:].strip():
                junk = tail + len(text[tail:]) - len(text[tail:].lstrip())
                first = index.line(junk)
                for n in range(first, len(lines) + 1):
                    shared.add(n, "JSON 数组之后的文字（text after the JSON array）", _excerpt(text, starts, n, junk, len(text)))
        else:
            where = index.line(min(damage.offset, max(len(text) - 1, 0)))
            # what is lost begins after the last whole message, maybe on a line messages share (compact JSON)
            lost = lost_from(text, end if items else start + 1)
            first = index.line(lost)
            if items and first <= items[-1][4]:
                warnings = (f"第 {where} 行内损坏（{damage}），在 {len(items)} 条完整消息之后：该行其后的内容已丢失"
                            f"（damaged inside line {where} after {len(items)} whole messages: what followed them "
                            "on that line is lost）",)
            shared.add(first, f"{broken_off_reason(index, lost, damage)}（导出自此损坏 / the export is damaged from here on）",
                       _excerpt(text, starts, first, lost, len(text)))
            for n in range(first + 1, len(lines) + 1):
                shared.add(n, "损坏的 JSON 之后（after damaged JSON）", lines[n - 1][:_EXCERPT])
        shared.place(rows)
        unparsed = shared.rows()
        messages = messages_frame(rows)
        covered = int((messages[M.line_end] - messages[M.line] + 1).sum()) if rows else 0
        structural = len(lines) - covered - len(unparsed)
        return ParseResult(messages, unparsed_frame(unparsed), self.name, src.encoding, len(lines), structural,
                           warnings=warnings)

    def _row(self, src: Source, message: dict, line: int, line_end: int) -> dict | None:
        stamp = message.get("time")
        ts = instant_to_local(stamp, src.tz) if isinstance(stamp, str) else None
        if ts is None:
            return None
        talker = _text(message.get("talker"))
        group = _text(message.get("talkerName")) or talker or _group_from_file(src)[0]
        group_id = talker or src.group_id_hint
        seq = message.get("seq")
        msg_id = f"{talker}:{seq}" if isinstance(seq, int) and not isinstance(seq, bool) else ""
        media = _json_media(message)
        words = _json_words(message, media)
        sender_id = _text(message.get("sender"))
        sender = _text(message.get("senderName")) or sender_id
        if media == "system" or sender_id == SYSTEM_ID:
            return _row(src, self.name, ts, "", "", True, words, group, group_id, line, line_end, msg_id)
        content, quote_sender, quote_text = words, "", ""
        refer = (message.get("contents") or {}).get("refer") if isinstance(message.get("contents"), dict) else None
        if isinstance(refer, dict):
            quote_sender = _text(refer.get("senderName")) or _text(refer.get("sender"))
            quote_text = _json_words(refer, _json_media(refer))
        elif message.get("type") == 49 and message.get("subType") == 57:
            # a quote whose nested message is missing may still carry the text layout's `> ` rendering
            content, quote_sender, quote_text = split_quote(words)
        return {M.msg_id: msg_id, M.group: group, M.group_id: group_id, M.ts: ts, M.sender: sender,
                M.sender_id: sender_id, M.media: media, M.text: words, M.content: content,
                M.quote_sender: quote_sender, M.quote_text: quote_text, M.source: src.path, M.line: line,
                M.line_end: line_end, M.fmt: self.name, M.precision: "s"}


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _excerpt(text: str, starts: list[int], line: int, item_start: int, item_end: int) -> str:
    """The part of an element on one physical line (a compact export is one very long line)."""
    line_start = starts[line - 1]
    line_end = starts[line] - 1 if line < len(starts) else len(text)
    return text[max(line_start, item_start):min(line_end, item_end)][:_EXCERPT]


CHATLOG_TXT = ChatlogTxt()
CHATLOG_CSV = ChatlogCsv()
CHATLOG_JSON = ChatlogJson()
PARSERS = (CHATLOG_TXT, CHATLOG_CSV, CHATLOG_JSON)
