"""WeFlow HTML (formats.md §F9; hicccc77/WeFlow @ 46b49ef3): one page whose script holds the messages,
`window.WEFLOW_DATA = [` then one JSON object a line: `t` epoch seconds, `s` 1 when the exporting account
sent it, `p` the message's server id, `r` the id it replies to, and `b` the bubble's HTML —
`message-time`, `sender-name`, `message-content` with `message-text` (line breaks as <br />, a received
text opening with one), a `quoted-message` (`quoted-sender`, `quoted-text`) or a link card.

Read with the standard library's html.parser. What the page loses: an image (or any media not exported
with it) is an empty bubble, so its kind is unknown ("other"); a link keeps its title only.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from wgm.errors import InputError
from wgm.parsers._base import ParseResult, Source
from wgm.parsers.reading import epoch_seconds, epoch_to_local, is_system_line, system_words
from wgm.parsers.weflow import PLACEHOLDERS, received_text, weflow_group
from wgm.parsers.weflow_json import array_end, array_result, unparsed_from
from wgm.schema import M

_DATA = re.compile(r"\bwindow\.WEFLOW_DATA\s*=\s*(?=\[)")
_TITLE = re.compile(r"<title>(.*?)(?: - 聊天记录)?</title>", re.S)
_FIELDS = ("message-time", "sender-name", "quoted-sender", "quoted-text", "message-text")


class _Bubble(HTMLParser):
    """The text of each classed part of one bubble (a <br> is a line break), and a link card's target."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: dict[str, str] = {}
        self.link = ""
        self._open: list[str | None] = []     # the field each open element belongs to (None: none)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "br":
            self._add("\n")
            return
        if tag == "a" and "message-link-card" in (found.get("class") or ""):
            self.link = found.get("href") or ""
        classes = (found.get("class") or "").split()
        field = next((c for c in _FIELDS if c in classes), None)
        if tag not in ("img", "input", "meta", "hr", "wbr"):
            self._open.append(field)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._add("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        self._add(data)

    def _add(self, text: str) -> None:
        field = next((f for f in reversed(self._open) if f), None)
        if field:
            self.parts[field] = self.parts.get(field, "") + text


def bubble_parts(html: str) -> tuple[dict[str, str], str]:
    parser = _Bubble()
    parser.feed(html)
    parser.close()
    return parser.parts, parser.link


def _row(obj: dict, src: Source, group: str, line: int, line_end: int) -> dict | str:
    try:
        seconds = epoch_seconds(float(obj.get("t")))     # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "消息没有可读的时间（t）（message without a readable time）"
    ts = epoch_to_local(seconds, src.tz) if seconds else None
    if ts is None:
        return "消息没有可读的时间（t）（message without a readable time）"
    parts, link = bubble_parts(str(obj.get("b") or ""))
    body = parts.get("message-text", "")
    sender = parts.get("sender-name", "").strip()
    quote_sender, quote_text = parts.get("quoted-sender", "").strip(), parts.get("quoted-text", "")
    if is_system_line(body):      # WeFlow names the group (or the exporting account) as a notice's sender
        media, sender, content, quote_sender, quote_text = "system", "", system_words(body), "", ""
    else:
        if not sender:
            return "消息没有发送人（无 sender-name）（message without a sender）"
        content = received_text(body)
        stripped = content.lstrip()
        media = ("link" if link else "other" if not stripped
                 else next((kind for marker, kind in PLACEHOLDERS.items() if stripped.startswith(marker)), "text"))
    text = content if not link else f"{content}\n{link}"
    return {M.msg_id: str(obj.get("p") or ""), M.group: group, M.group_id: src.group_id_hint, M.ts: ts,
            M.sender: sender, M.sender_id: "", M.media: media, M.text: text, M.content: content,
            M.quote_sender: quote_sender, M.quote_text: quote_text, M.source: src.path, M.line: line,
            M.line_end: line_end, M.fmt: "weflow_html", M.precision: "s", M.ref_id: str(obj.get("r") or "")}


class WeFlowHtml:
    name = "weflow_html"
    container = "html"
    description = "WeFlow HTML: the page's window.WEFLOW_DATA, one message a line (time, sender, bubble)"
    example = '{"i":1,"t":1740963683,"s":0,"b":"<div class=\\"message-time\\">2025-03-03 09:01:23</div>…","p":"…"}'

    def sniff(self, head: str) -> float:
        return 0.95 if _DATA.search(head) else 0.0

    def parse(self, src: Source) -> ParseResult:
        found = _DATA.search(src.text)
        title = _TITLE.search(src.text)
        group = title.group(1).strip() if title and title.group(1).strip() else weflow_group(src)
        if found is None:
            raise InputError("WeFlow HTML 页面里没有消息数据（window.WEFLOW_DATA）/ the page holds no WEFLOW_DATA",
                             source=src.path)
        result = array_result(src.text, found.end(), src, self.name,
                              lambda obj, line, line_end: _row(obj, src, group, line, line_end))
        end = array_end(src.text, found.end())
        again = _DATA.search(src.text, end) if end is not None else None
        if again is not None:       # the rest of the page is layout, but not a second set of messages
            result = unparsed_from(result, src.text, src.path, again.start(), "页面里的第二个 WEFLOW_DATA，未读取（a second WEFLOW_DATA on the page, not read）")
        return result


WEFLOW_HTML = WeFlowHtml()
