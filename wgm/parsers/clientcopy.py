"""Text copied out of the WeChat client with multi-select (formats.md §F12, layouts only user-reported).

Mac: `NAME Y/M/D H:MM`, the message, a blank line — minute precision, so every message is marked
precision "min" and the rules send to review whatever a minute's seconds could decide.
Windows: `NAME:` then the message — no time at all: refused, since no deadline can be judged.
"""

from __future__ import annotations

import re
from datetime import datetime

from wgm.errors import InputError
from wgm.parsers._base import ParseResult, Source
from wgm.parsers.reading import header_records, messages_frame, physical_lines, unparsed_frame, unparsed_row
from wgm.schema import M

_MAC_HEADER = re.compile(r"^(?P<name>.+?) (?P<y>\d{4})/(?P<mo>\d{1,2})/(?P<d>\d{1,2}) (?P<h>\d{1,2}):(?P<mi>\d{2})$")
_WIN_HEADER = re.compile(r"^[^\s:：][^:：]{0,40}: ?$")


class WeChatMacCopy:
    name = "wechat_mac_copy"
    description = "WeChat for Mac multi-select copy: `NAME 2025/3/3 09:01`, minute precision (seconds-close calls reviewed)"
    example = "张三-项目经理 2025/3/3 09:01"

    def sniff(self, head: str) -> float:
        lines = [l for l in physical_lines(head)[:40] if l.strip()]
        return 0.8 if lines and _MAC_HEADER.match(lines[0]) else 0.0

    def parse(self, src: Source) -> ParseResult:
        lines = physical_lines(src.text)
        records, unparsed, structural = header_records(lines, _MAC_HEADER, src.path)
        rows = []
        for start, end, m, body in records:
            try:
                ts = datetime(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]))
            except ValueError:
                unparsed.extend(unparsed_row(src.path, j + 1, "消息头的时间不存在（header with an impossible time）", lines[j])
                                for j in range(start, end))
                continue
            text = "\n".join(body)
            rows.append({M.msg_id: "", M.group: src.group_hint, M.group_id: src.group_id_hint, M.ts: ts,
                         M.sender: m["name"], M.sender_id: "", M.media: "text", M.text: text, M.content: text,
                         M.quote_sender: "", M.quote_text: "", M.source: src.path, M.line: start + 1, M.line_end: end,
                         M.fmt: self.name, M.precision: "min"})
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, len(lines),
                           structural)


class WeChatWindowsCopy:
    name = "wechat_windows_copy"
    description = "WeChat for Windows multi-select copy (`NAME:` lines, no times) — refused"
    example = "张三-项目经理:"

    def sniff(self, head: str) -> float:
        lines = physical_lines(head)[:60]
        heads = [i for i, l in enumerate(lines) if _WIN_HEADER.match(l) and (i == 0 or not lines[i - 1].strip())
                 and i + 1 < len(lines) and lines[i + 1].strip()]
        if len(heads) >= 2 and heads[0] == next(i for i, l in enumerate(lines) if l.strip()) \
                and not re.search(r"\d{1,4}[-/]\d{1,2}[-/]\d{1,2}\D+\d{1,2}:\d{2}", head):
            return 0.6
        return 0.0

    def parse(self, src: Source) -> ParseResult:
        raise InputError("微信（Windows）多选复制的文字没有消息时间，无法审核；请用保留时间的工具导出（见 `wgm formats`）"
                         "（a WeChat (Windows) copy has no message times and cannot be audited; export the chat "
                         "with a tool that keeps times）", source=src.path, line=1)


WECHAT_MAC_COPY = WeChatMacCopy()
WECHAT_WINDOWS_COPY = WeChatWindowsCopy()
