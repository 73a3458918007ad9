"""WechatBakTool TXT (formats.md §F11): a 6-line preamble, then `YYYY-MM-DD HH:mm:ss | NAME:BODY`.

The name ends at the first `:` (a name holding `:` cannot be told apart; WeChat names rarely do).
System messages are written with an empty name and an empty body (their text is lost). Quoted
replies come out as app links with no app and no URL, `,标题：REPLY,链接：`: the reply's words
survive, the quote does not.
"""

from __future__ import annotations

import re

from wgm.parsers._base import ParseResult, Source
from wgm.parsers.reading import messages_frame, parse_ts, physical_lines, unparsed_frame, unparsed_row
from wgm.schema import M

_RECORD = re.compile(r"^(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) \| (?P<rest>.*)$")
_APP = re.compile(r"^(?P<app>[^,\n]*),标题：(?P<title>.*),链接：(?P<url>\S*)$", re.S)
_PREAMBLE = ("WechatBakTool", "与 ", "导出时间：", "=" * 20)
PLACEHOLDERS = {"[图片]": "image", "[语音]": "voice", "[视频]": "video", "[文件]": "file", "[表情]": "sticker"}


class WechatBakToolTxt:
    name = "wechatbaktool_txt"
    description = "WechatBakTool TXT: `TIME | NAME:TEXT`; system lines come out empty, quotes lose the quoted text"
    example = "2025-03-03 09:05:10 | 研发-李四:收到，预计17:30前提交"

    def sniff(self, head: str) -> float:
        first = head.lstrip("\ufeff").split("\n", 1)[0].strip()
        if first == "WechatBakTool":
            return 0.95
        lines = [l for l in physical_lines(head)[:20] if l.strip()]
        return 0.5 if lines and all(_RECORD.match(l) for l in lines[:3]) else 0.0

    def parse(self, src: Source) -> ParseResult:
        lines = physical_lines(src.text)
        rows: list[dict] = []
        unparsed: list[dict] = []
        structural = 0
        first = next((i for i, l in enumerate(lines) if _RECORD.match(l)), len(lines))
        exported = None
        for i in range(first):
            if lines[i].startswith("导出时间："):
                exported = parse_ts(lines[i][len("导出时间："):].strip())
            if not lines[i].strip() or lines[i].startswith(_PREAMBLE):
                structural += 1
            else:
                unparsed.append(unparsed_row(src.path, i + 1, "第一条消息之前的文字（text before the first message）", lines[i]))
        # a body line may itself look like a record; only a record line with a real time starts one
        starts = [i for i in range(first, len(lines)) if _RECORD.match(lines[i])]
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else len(lines)
            m = _RECORD.match(lines[start])
            assert m is not None          # `starts` are the lines it matches
            ts = parse_ts(m.group("ts"))
            if ts is None:
                unparsed.extend(unparsed_row(src.path, j + 1, "消息行的时间不存在（message line with an impossible time）", lines[j])
                                for j in range(start, end))
                continue
            name, sep, first_body = m.group("rest").partition(":")
            if not sep:
                unparsed.extend(unparsed_row(src.path, j + 1, "消息行没有 `NAME:`（message line without `NAME:`）", lines[j])
                                for j in range(start, end))
                continue
            body = [first_body, *lines[start + 1:end]]
            while len(body) > 1 and not body[-1].strip():
                body.pop()
            rows.append(_row(src, ts, name, "\n".join(body), start + 1, end))
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, len(lines),
                           structural, exported=exported)


def _row(src: Source, ts, name: str, text: str, line: int, line_end: int) -> dict:
    content, media, sender = text, "text", name
    if not name and not text.strip():
        media = "system"
    else:
        app = _APP.match(text)
        if app and not app.group("app") and not app.group("url"):
            content = app.group("title")           # a quoted reply: its own words are the "title"
        elif app:
            content, media = app.group("title"), "link"
        else:
            stripped = text.lstrip()
            media = next((kind for marker, kind in PLACEHOLDERS.items() if stripped.startswith(marker)), "text")
    return {M.msg_id: "", M.group: src.group_hint, M.group_id: src.group_id_hint, M.ts: ts, M.sender: sender,
            M.sender_id: "", M.media: media, M.text: text, M.content: content, M.quote_sender: "", M.quote_text: "",
            M.source: src.path, M.line: line, M.line_end: line_end, M.fmt: WECHATBAKTOOL_TXT.name, M.precision: "s"}


WECHATBAKTOOL_TXT = WechatBakToolTxt()
