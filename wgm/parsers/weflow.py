"""WeFlow TXT (formats.md §F9): `YYYY-MM-DD HH:MM:SS 'NAME'`, then the content, then a blank line.

Quotes are appended to the reply as `[引用 NAME：PREVIEW]`. WeFlow gives system lines the
exporting account as sender, so they are recognised by their text (invites, recalls, renames,
pats) and get no sender.
"""

from __future__ import annotations

import re

from wgm.parsers._base import ParseResult, Source
from wgm.parsers.reading import (header_records, is_system_line, messages_frame, parse_ts, physical_lines,
                                 system_words, unparsed_frame, unparsed_row)
from wgm.schema import M

_HEADER = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) '(.*)'$")
_QUOTE = re.compile(r"\[引用 (?P<name>[^：\]\n]*)：(?P<text>.*)\]$", re.S)
PLACEHOLDERS = {"[图片]": "image", "[视频]": "video", "[表情包": "sticker", "[文件]": "file", "[链接]": "link",
                "[小程序]": "other", "[位置]": "location", "[名片]": "card", "[群公告]": "text", "[转账]": "transfer",
                "[红包]": "redpacket", "[转发的聊天记录]": "merged", "[其他消息]": "other", "[语音消息": "voice"}


class WeFlowTxt:
    name = "weflow_txt"
    description = "WeFlow TXT (2026, WeChat 4.x): names in single quotes, quotes as [引用 NAME：TEXT]"
    example = "2025-03-03 09:05:10 '研发-李四'"

    def sniff(self, head: str) -> float:
        first = next((l for l in physical_lines(head)[:50] if l.strip()), "")
        return 0.9 if _HEADER.match(first) else 0.0

    def parse(self, src: Source) -> ParseResult:
        lines = physical_lines(src.text)
        records, unparsed, structural = header_records(lines, _HEADER, src.path)
        rows = []
        for start, end, m, body_lines in records:
            ts = parse_ts(m.group(1))
            if ts is None:
                unparsed.extend(unparsed_row(src.path, j + 1, "消息头的时间不存在（header with an impossible time）", lines[j])
                                for j in range(start, end))
                continue
            text = "\n".join(body_lines)
            rows.append(_row(src, ts, m.group(2), text, start + 1, end))
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, len(lines),
                           structural)


GROUP_FILE_PREFIX = "群聊_"     # WeFlow names a group's export files 群聊_<群名>.txt (.json, .xlsx …)


def weflow_group(src: Source) -> str:
    """The group's name from a WeFlow file's name, without WeFlow's 群聊_ (its JSON names the group bare)."""
    hint = src.group_hint
    return hint[len(GROUP_FILE_PREFIX):] if hint.startswith(GROUP_FILE_PREFIX) and len(hint) > 3 else hint


def received_text(text: str) -> str:
    """The words without the newline WeFlow puts before every received text (it cuts the `wxid:` of the
    database row, not the line end after it)."""
    return text[1:] if text.startswith("\n") else text


def split_quote(text: str) -> tuple[str, str, str]:
    """(reply, quoted sender, quoted text) of a body ending in WeFlow's `[引用 NAME：TEXT]` (TXT, Excel,
    ChatLab); (text, "", "") when it holds none."""
    q = _QUOTE.search(text)
    if q is None:
        return text, "", ""
    return text[:q.start()], q.group("name").strip(), q.group("text")


def body_fields(text: str) -> tuple[str, str, str, str]:
    """(media, content, quote sender, quote text) of a WeFlow body in its plain-text form. A system line is
    known by its words: WeFlow names the group or the exporting account as its sender, so a caller gives a
    "system" body no sender."""
    if is_system_line(text.lstrip("\n")):
        return "system", system_words(text), "", ""
    content, quote_sender, quote_text = split_quote(received_text(text))
    stripped = content.lstrip()
    media = next((kind for marker, kind in PLACEHOLDERS.items() if stripped.startswith(marker)), "text")
    return media, content, quote_sender, quote_text


def _row(src: Source, ts, sender: str, text: str, line: int, line_end: int) -> dict:
    media, content, quote_sender, quote_text = body_fields(text)
    return {M.msg_id: "", M.group: weflow_group(src), M.group_id: src.group_id_hint, M.ts: ts,
            M.sender: "" if media == "system" else sender, M.sender_id: "", M.media: media, M.text: text, M.content: content,
            M.quote_sender: quote_sender, M.quote_text: quote_text, M.source: src.path, M.line: line,
            M.line_end: line_end, M.fmt: "weflow_txt", M.precision: "s"}


WEFLOW_TXT = WeFlowTxt()
