"""WechatExporter (iOS backup) text mode, `<chat>/index.txt` (formats.md §F8).

Line 1 is `<chat> - 微信聊天记录`. A message is `NAME (YYYY-MM-DD HH:MM:SS):BODY`, later lines that
start no record continue the body. Three kinds of record carry neither sender nor time, and are
kept, timed at the message before them (a lower bound) with precision "none" so that anything
they decide goes to review:
- notices (invites, recalls, renames): a bare system line;
- quotes: `「NAME：TEXT」`, a line of 15 spaced dashes, then the reply;
- forwarded chats: `<< TITLE` … `TITLE 结束 >>` (their items carry the original times, not the
  forward's, so they are one merged message, never messages of their own). A `<< ` line with no
  closing line after it is message text.
A transfer body has no line end, so the next record may be glued to it on the same line.
"""

from __future__ import annotations

import re

from wgm.parsers._base import ParseResult, Source
from wgm.parsers.reading import (is_system_line, messages_frame, parse_ts, physical_lines, unparsed_frame,
                                 unparsed_row)
from wgm.schema import M

_TITLE = re.compile(r"^(?P<chat>.+) - 微信聊天记录$")
_RECORD = re.compile(r"^(?P<name>.+?) \((?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\):(?P<body>.*)$")
# the transfer template ends at its amount; whatever follows on the line is the next record
_GLUED = re.compile(r"^(?P<transfer>.+? \(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\):微信转账 .*?￥[\d,]+(?:\.\d{1,2})?)"
                    r"(?P<next>.+? \(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\):.*)$")
_QUOTE_OPEN = re.compile(r"^「(?P<name>[^：」]*)：(?P<text>.*)$")
_DASHES = "- - - - - - - - - - - - - - -"
_SYSTEM_PREFIX = "System Message: "
_FORWARD_END = " 结束 >>"
PLACEHOLDERS = {"[图片]": "image", "[视频]": "video", "[表情]": "sticker", "[语音": "voice", "[文件": "file",
                "[位置]": "location", "[个人名片]": "card", "[视频/语音通话]": "call", "[红包]": "redpacket",
                "[转账]": "transfer", "微信转账": "transfer", "[实时位置共享]": "location", "[链接]": "link"}


class WechatExporterTxt:
    name = "wechatexporter_txt"
    description = "WechatExporter TXT (iPhone backup, index.txt): quotes lose sender and time (flagged for review)"
    example = "张三-项目经理 (2025-03-03 09:01:23):请今天18:00前提交周报"

    def sniff(self, head: str) -> float:
        lines = [l for l in physical_lines(head)[:20] if l.strip()]
        if not lines or not _TITLE.match(lines[0]):
            return 0.0
        return 0.95 if any(_RECORD.match(l) for l in lines[1:]) or len(lines) == 1 else 0.6

    def parse(self, src: Source) -> ParseResult:
        lines = physical_lines(src.text)
        title = _TITLE.match(lines[0]) if lines else None
        group = title.group("chat") if title else src.group_hint
        if group == "index":      # a file not named by chat: the title line is better
            group = src.group_hint
        rows: list[dict] = []
        unparsed: list[dict] = []
        structural = 1 if title else 0
        current: dict | None = None   # the open record: body lines are appended to it
        forward: dict | None = None

        def close():
            nonlocal current
            if current is not None:
                rows.append(_finish(current, src, group))
                current = None

        def last_ts():
            return rows[-1][M.ts] if rows else None

        # where each forward title closes: "<< TITLE" opens a forward only if "TITLE 结束 >>" follows it
        # (a message line may start with "<< " too; it must not swallow the rest of the file)
        closing: dict[str, list[int]] = {}
        for j, line in enumerate(lines):
            if line.endswith(_FORWARD_END):
                closing.setdefault(line[: -len(_FORWARD_END)], []).append(j)
        i = 1 if title else 0
        while i < len(lines):
            line = lines[i]
            n = i + 1
            if forward is not None:
                forward["body"].append(line)
                forward["end"] = n
                if line.endswith(_FORWARD_END) and line[: -len(_FORWARD_END)] == forward["title"]:
                    forward = None
                i += 1
                continue
            pieces = _split_glued(line)
            record = _RECORD.match(pieces[0])
            if record:
                close()
                parsed = [(m, parse_ts(m.group("ts"))) for m in map(_RECORD.match, pieces) if m]
                if any(ts is None for _, ts in parsed):
                    unparsed.append(unparsed_row(src.path, n, "消息行的时间不存在（message line with an impossible time）", line))
                    i += 1
                    continue
                for k, (m, ts) in enumerate(parsed):
                    close()
                    # records glued on one line: the line is counted once, with the last of them
                    end = n if k == len(parsed) - 1 else n - 1
                    current = {"ts": ts, "sender": m.group("name"), "body": [m.group("body")], "line": n, "end": end,
                               "precision": "s"}
                i += 1
                continue
            if _QUOTE_OPEN.match(line):
                quote_end = next((j for j in range(i, min(i + 30, len(lines))) if lines[j].endswith("」")), None)
                if quote_end is not None and quote_end + 1 < len(lines) and lines[quote_end + 1] == _DASHES:
                    end = quote_end
                    close()
                    quoted = "\n".join(lines[i:end + 1])[len("「"):-len("」")]
                    name, _, text = quoted.partition("：")
                    current = {"ts": last_ts(), "sender": "", "body": [], "line": n, "end": end + 2,
                               "precision": "none", "quote": (name, text), "raw_head": lines[i:end + 2]}
                    i = end + 2
                    continue
            if line.startswith("<< ") and (current is not None or rows) \
                    and closing.get(line[3:], [-1])[-1] > i:
                close()
                forward = {"ts": last_ts(), "sender": "", "body": [line], "line": n, "end": n, "precision": "none",
                           "title": line[3:], "media": "merged"}
                current = forward
                i += 1
                continue
            if line.startswith(_SYSTEM_PREFIX) or is_system_line(line):
                close()
                prefix = _SYSTEM_PREFIX if line.startswith(_SYSTEM_PREFIX) else ""
                current = {"ts": last_ts(), "sender": "", "body": [line[len(prefix):]], "line": n, "end": n,
                           "precision": "none", "media": "system", "prefix": prefix}
                i += 1
                continue
            if current is not None:
                current["body"].append(line)
                current["end"] = n
            elif not line.strip():
                structural += 1
            else:
                unparsed.append(unparsed_row(src.path, n, "第一条消息之前的文字（text before the first message）", line))
            i += 1
        close()
        # a record timed by the message before it has no time when nothing came before: not auditable
        kept = []
        for row in rows:
            if row[M.ts] is None:
                span = range(row[M.line], row[M.line_end] + 1)
                unparsed.extend(unparsed_row(src.path, k, "之前没有可借用时间的消息（no message before it to time it by）", lines[k - 1])
                                for k in span if lines[k - 1].strip())
                structural += sum(1 for k in span if not lines[k - 1].strip())
            else:
                kept.append(row)
        return ParseResult(messages_frame(kept), unparsed_frame(unparsed), self.name, src.encoding, len(lines),
                           structural)


def _split_glued(line: str) -> list[str]:
    pieces = []
    while "微信转账" in line and (m := _GLUED.match(line)):
        pieces.append(m.group("transfer"))
        line = m.group("next")
    return [*pieces, line]


def _finish(rec: dict, src: Source, group: str) -> dict:
    body = list(rec["body"])
    while len(body) > 1 and not body[-1].strip():   # blank lines after a message are layout, not words
        body.pop()
    text_lines = list(rec.get("raw_head", [])) + body if "quote" in rec else body
    text = rec.get("prefix", "") + "\n".join(text_lines)
    content = "\n".join(body)
    quote_sender, quote_text = rec.get("quote", ("", ""))
    media = rec.get("media")
    if media is None:
        stripped = content.lstrip()
        media = next((kind for marker, kind in PLACEHOLDERS.items() if stripped.startswith(marker)), "text")
    row = {M.msg_id: "", M.group: group, M.group_id: src.group_id_hint, M.ts: rec["ts"], M.sender: rec["sender"],
           M.sender_id: "", M.media: media, M.text: text, M.content: content, M.quote_sender: quote_sender,
           M.quote_text: quote_text, M.source: src.path, M.line: rec["line"], M.line_end: rec["end"],
           M.fmt: WECHATEXPORTER_TXT.name, M.precision: rec["precision"]}
    return row


WECHATEXPORTER_TXT = WechatExporterTxt()
