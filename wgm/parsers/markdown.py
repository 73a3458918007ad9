"""The Markdown exports of 留痕 and WeFlow (both carry each message's time and sender). Text is
Markdown-escaped (`张三\\-项目经理`, `\\[微笑\\]`), so a heading, bold or quote mark at a line's start is
always layout, never a message's words.

- `memotrace_md` (formats.md §F4, 留痕 3.x `<群名>.md`): `## YYYY`, `### YYYY-MM`, `#### YYYY-MM-DD` headings;
  a message `**HH:MM:SS NAME**: TEXT` (continued on the lines below), its quote as `> QUOTED TEXT` lines
  after it (no quoted sender); a system line `> YYYY-MM-DD HH:MM:SS TEXT`. Media: `![图片](path)`,
  `[文件]` (no file name), `[表情包][]`, a link as `[TITLE](URL)`.
- `weflow_md` (WeFlow): `# 群名`, `- 会话ID: …`/`- 导出时间: …` lines, `---`, then per message
  `## YYYY-MM-DD HH:MM:SS NAME` and its body (a received text after an extra blank line); a quote
  as `> NAME: TEXT` before the reply; WeFlow's own placeholders (`[图片]`, `[文件]NAME`).
"""

from __future__ import annotations

import re
from datetime import datetime

from wgm.parsers._base import ParseResult, Source
from wgm.parsers.reading import (is_system_line, messages_frame, parse_ts, physical_lines, system_words,
                                 unparsed_frame, unparsed_row)
from wgm.parsers.weflow import PLACEHOLDERS as WEFLOW_PLACEHOLDERS
from wgm.parsers.weflow import weflow_group
from wgm.schema import M

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_LINK = re.compile(r"^\[(?P<title>.*)\]\((?P<url>[a-z][a-z0-9+.-]*://[^)\s]*)\)$", re.S)


def unescaped(text: str) -> str:
    return _ESCAPED.sub(r"\1", text)


def _record(src: Source, fmt: str, ts: datetime, sender: str, body: str, content: str, media: str,
            quote_sender: str, quote_text: str, line: int, line_end: int) -> dict:
    return {M.msg_id: "", M.group: src.group_hint, M.group_id: src.group_id_hint, M.ts: ts, M.sender: sender,
            M.sender_id: "", M.media: media, M.text: body, M.content: content, M.quote_sender: quote_sender,
            M.quote_text: quote_text, M.source: src.path, M.line: line, M.line_end: line_end, M.fmt: fmt,
            M.precision: "s"}


def _trimmed(lines: list[str]) -> list[str]:
    """Lines without the blank ones at either end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


# ---- 留痕 ------------------------------------------------------------------------------------------

_MT_DAY = re.compile(r"^#### (\d{4}-\d{2}-\d{2})\s*$")
_MT_HEADING = re.compile(r"^#{1,4} ")
_MT_MESSAGE = re.compile(r"^\*\*(\d{2}:\d{2}:\d{2}) (.*?)\*\*: ?(.*)$")
_MT_SYSTEM = re.compile(r"^> (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) ?(.*)$")
_MT_MEDIA = (("![", "image"), ("[文件]", "file"), ("[表情包]", "sticker"), ("[语音]", "voice"), ("[视频]", "video"))


def _memotrace_media(raw: str) -> tuple[str, str]:
    """(media, content) of a 留痕 Markdown message's first line as written (before unescaping)."""
    stripped = raw.strip()
    for marker, media in _MT_MEDIA:
        if stripped.startswith(marker):
            return media, "[图片]" if media == "image" else stripped
    link = _LINK.match(stripped)
    if link:
        return "link", unescaped(link.group("title"))
    return "text", ""


class MemoTraceMarkdown:
    name = "memotrace_md"
    description = "留痕/MemoTrace 3.x Markdown (<群名>.md): #### date headings, **HH:MM:SS NAME**: text"
    example = "**09:01:23 张三\\-项目经理**: @李四 请今天18:00前提交本周周报"

    def sniff(self, head: str) -> float:
        lines = physical_lines(head)[:60]
        days = sum(1 for l in lines if _MT_DAY.match(l))
        said = sum(1 for l in lines if _MT_MESSAGE.match(l) or _MT_SYSTEM.match(l))
        return 0.9 if days and said else 0.0

    def parse(self, src: Source) -> ParseResult:
        lines = physical_lines(src.text)
        rows, unparsed, structural = [], [], 0
        day = ""
        k = 0
        while k < len(lines):
            line = lines[k]
            heading = _MT_DAY.match(line)
            if heading or _MT_HEADING.match(line) or not line.strip():
                day = heading.group(1) if heading else day
                structural += 1
                k += 1
                continue
            said, system = _MT_MESSAGE.match(line), _MT_SYSTEM.match(line)
            if not said and not system:
                unparsed.append(unparsed_row(src.path, k + 1, "消息之外的文字（text outside a message）", line))
                k += 1
                continue
            end = k + 1      # the record runs to the next message, system line or heading
            while end < len(lines) and not (_MT_MESSAGE.match(lines[end]) or _MT_SYSTEM.match(lines[end])
                                            or _MT_HEADING.match(lines[end])):
                end += 1
            rest = lines[k + 1:end]
            if system:
                ts = parse_ts(system.group(1))
                body = unescaped("\n".join([system.group(2), *rest]).strip())
                row = (_record(src, self.name, ts, "", body, system_words(body), "system", "", "", k + 1, end)
                       if ts else None)
            elif said is not None:
                ts = parse_ts(f"{day} {said.group(1)}") if day else None
                row = self._message(src, ts, said, rest, k + 1, end) if ts else None
            if row is None:
                reason = "消息时间之前没有日期标题（message time without a date heading before it）" if not day else "时间不存在（impossible time）"
                unparsed.extend(unparsed_row(src.path, n + 1, reason, lines[n]) for n in range(k, end))
            else:
                rows.append(row)
            k = end
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, len(lines),
                           structural)

    def _message(self, src: Source, ts: datetime, said: re.Match, rest: list[str], line: int, end: int) -> dict:
        body_lines = _trimmed([said.group(3), *rest])
        quoted = [l[2:] for l in body_lines[1:] if l.startswith("> ")]
        own = [said.group(3).rstrip(), *(l for l in body_lines[1:] if not l.startswith("> "))]
        raw = "\n".join(own).strip("\n")
        media, content = _memotrace_media(raw)
        content = content or unescaped(raw)
        body = unescaped("\n".join(body_lines))
        return _record(src, self.name, ts, unescaped(said.group(2)), body, content, media, "",
                       unescaped("\n".join(quoted)), line, end)


# ---- WeFlow ------------------------------------------------------------------------------------

_WF_MESSAGE = re.compile(r"^## (\d{4}\\?-\d{2}\\?-\d{2} \d{2}:\d{2}:\d{2}) (.*)$")
_WF_META = re.compile(r"^- (?P<label>[^:：]+)[:：] ?(?P<value>.*)$")


class WeFlowMarkdown:
    name = "weflow_md"
    description = "WeFlow Markdown: - 导出工具: WeFlow, then ## YYYY-MM-DD HH:MM:SS NAME and the message"
    example = "## 2025\\-03\\-03 09:01:23 张三\\-项目经理"

    def sniff(self, head: str) -> float:
        lines = physical_lines(head)[:80]
        if not any(_WF_MESSAGE.match(l) for l in lines):
            return 0.0
        return 0.95 if any(l.startswith("- 导出工具: WeFlow") for l in lines) else 0.6

    def parse(self, src: Source) -> ParseResult:
        lines = physical_lines(src.text)
        starts = [k for k, l in enumerate(lines) if _WF_MESSAGE.match(l)]
        first = starts[0] if starts else len(lines)
        meta = {m.group("label").strip(): unescaped(m.group("value")).strip("` ")
                for l in lines[:first] if (m := _WF_META.match(l))}
        title = next((unescaped(l[2:]).strip() for l in lines[:first] if l.startswith("# ")), "")
        group = title or weflow_group(src)
        group_id = meta.get("会话ID", "") or src.group_id_hint
        rows: list[dict] = []
        unparsed: list[dict] = []
        structural = first          # the title, the metadata list and the rule before the first message
        for k, end in zip(starts, [*starts[1:], len(lines)]):
            found = _WF_MESSAGE.match(lines[k])
            assert found is not None
            ts = parse_ts(unescaped(found.group(1)))
            if ts is None:
                unparsed.extend(unparsed_row(src.path, n + 1, "时间不存在（impossible time）", lines[n]) for n in range(k, end))
                continue
            row = self._message(src, group, group_id, ts, unescaped(found.group(2)), lines[k + 1:end], k + 1, end)
            if isinstance(row, str):
                unparsed.extend(unparsed_row(src.path, n + 1, row, lines[n]) for n in range(k, end))
            else:
                rows.append(row)
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, len(lines),
                           structural, exported=parse_ts(meta.get("导出时间", "")))

    def _message(self, src: Source, group: str, group_id: str, ts: datetime, sender: str, rest: list[str],
                 line: int, end: int) -> dict | str:
        body_lines = _trimmed(rest)
        quote_sender = quote_text = ""
        if body_lines and body_lines[0].startswith("> "):
            n = 0
            while n < len(body_lines) and body_lines[n].startswith("> "):
                n += 1
            name, sep, words = unescaped("\n".join(l[2:] for l in body_lines[:n])).partition(": ")
            quote_sender, quote_text = (name.strip(), words) if sep else ("", name)
            body_lines = _trimmed(body_lines[n:])
        raw = "\n".join(body_lines)
        body = unescaped(raw)
        link = _LINK.match(raw.strip())
        if is_system_line(body):     # WeFlow names the group as a notice's sender
            media, sender, content = "system", "", system_words(body)
        elif not sender.strip():
            return "消息没有发送人（时间后为空）（message without a sender）"
        elif link:
            media, content = "link", unescaped(link.group("title"))
        else:
            content = body
            media = next((kind for marker, kind in WEFLOW_PLACEHOLDERS.items() if body.startswith(marker)), "text")
        row = _record(src, self.name, ts, sender, body, content, media, quote_sender, quote_text, line, end)
        row[M.group], row[M.group_id] = group, group_id
        return row


MEMOTRACE_MD = MemoTraceMarkdown()
WEFLOW_MD = WeFlowMarkdown()
PARSERS = (MEMOTRACE_MD, WEFLOW_MD)
