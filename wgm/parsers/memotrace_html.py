"""留痕 / MemoTrace 3.x HTML — its headline export — read through the `<群名>.html.json` sidecar it writes
beside the page, or from the page itself (the same JSON array, `const chatMessages = [...]` in a script, its texts HTML-escaped there and a
mention's U+2005 made a plain space).

Each message is an object: `type` (WeChat's type; on a 4.x database an app message's sub type sits in the
high 32 bits: 244813135921 = quote, 25769803825 = file, 21474836529 = link), `is_send`, `timestamp` (epoch
seconds), `server_id`, `display_name` (the sanitised name of the TXT, `王_五`), `text`, and per kind
`quote_server_id`/`quote_text` (`NAME: TEXT`), `file_name`, `title`/`url`/`app_name` … A system message
has no display_name; a join by QR code comes with no text at all (the exporter's loss, formats/real/README).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from wgm.errors import InputError
from wgm.parsers._base import ParseResult, Source
from wgm.parsers.reading import decode, epoch_seconds, epoch_to_local, set_aside_untimely, shown_path, system_words
from wgm.parsers.weflow_json import array_end, array_result, unparsed_from, wechat_media
from wgm.schema import M

SIDECAR_SUFFIX = ".json"        # the sidecar of X.html is X.html.json
_PAGE_ARRAY = re.compile(r"\bconst chatMessages\s*=\s*(?=\[)")
_SIDECAR_KEYS = ('"display_name"', '"server_id"', '"timestamp"')
# what the TXT of the same export writes for a message of each kind (so the same message reads alike)
_PLACEHOLDERS = {"image": "【图片】", "video": "【视频】", "voice": "【语音】", "sticker": "【表情包】", "file": "【文件】",
                 "link": "【分享链接】", "location": "【位置分享】", "card": "【名片】", "call": "【音视频通话】",
                 "merged": "【合并转发的聊天记录】", "transfer": "【转账】", "redpacket": "【红包】"}


def _text(value) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def _unescaped(obj: dict) -> dict:
    """The page's copy of a message: its texts HTML-escaped (&quot;张三&quot;), as the sidecar's are not."""
    return {k: html.unescape(v) if isinstance(v, str) else v for k, v in obj.items()}


def memotrace_row(obj: dict, src: Source, fmt: str, line: int, line_end: int) -> dict | str:
    try:
        seconds = epoch_seconds(float(obj.get("timestamp")))       # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "消息没有可读的时间戳（message without a readable timestamp）"
    ts = epoch_to_local(seconds, src.tz) if seconds else None
    if ts is None:
        return "消息没有可读的时间戳（message without a readable timestamp）"
    body = _text(obj.get("text"))
    quote = _text(obj.get("quote_text"))
    media = wechat_media(obj.get("type"), None, body, bool(quote or obj.get("quote_server_id")))
    sender = _text(obj.get("display_name"))
    quote_sender = quote_text = ""
    if media == "system" or (not sender and media == "other"):
        # a template message (a join by QR code) comes as type -1 with no name and no text: a system line
        # whose words the exporter lost
        media, sender, content = "system", "", system_words(body)
    elif not sender:
        return "消息没有发送人（display_name 为空）（message without a sender）"
    elif media == "text":
        content = body
        if quote:
            name, sep, words = quote.partition(": ")
            quote_sender, quote_text = (name.strip(), words) if sep else ("", quote)
    else:
        content = _as_its_txt(media, obj, body)
    return {M.msg_id: _text(obj.get("server_id")), M.group: src.group_hint, M.group_id: src.group_id_hint, M.ts: ts,
            M.sender: sender, M.sender_id: "", M.media: media, M.text: body or content, M.content: content,
            M.quote_sender: quote_sender, M.quote_text: quote_text, M.source: src.path, M.line: line,
            M.line_end: line_end, M.fmt: fmt, M.precision: "s", M.ref_id: _text(obj.get("quote_server_id"))}


def _as_its_txt(media: str, obj: dict, body: str) -> str:
    """A media message's words as the TXT and CSV of the same export write them (formats.md §F4), so that the
    same message read from two of its files is one message."""
    if media == "file":
        appmsg = ((obj.get("xml_dict") or {}).get("msg") or {}).get("appmsg") or {}
        try:
            megabytes = float(obj.get("file_size") or 0) / 1024 / 1024
        except (TypeError, ValueError):
            megabytes = 0.0
        return (f"【文件】{_text(obj.get('file_name'))} {megabytes:.2f} MB {_text(obj.get('path'))} "
                f"{_text(obj.get('file_type'))} {_text(appmsg.get('md5') if isinstance(appmsg, dict) else '')}")
    if media == "link":
        return (f"【分享链接】\n标题：{_text(obj.get('title'))}\n描述：{_text(obj.get('description'))}\n"
                f"链接: {_text(obj.get('url'))}\n应用：{_text(obj.get('app_name'))}\n")
    if media == "sticker":
        return f"【表情包】 {_text(obj.get('desc'))}"
    return _PLACEHOLDERS.get(media, f"【{media}】") + body


def _array_start(text: str) -> int | None:
    """Offset of the array's "[" when the text is a JSON array (whitespace allowed first)."""
    stripped = len(text) - len(text.lstrip())
    return stripped if text[stripped:stripped + 1] == "[" else None


class MemoTraceHtmlJson:
    name = "memotrace_html_json"
    description = "留痕/MemoTrace 3.x HTML's sidecar <群名>.html.json: [{type, timestamp, display_name, text, …}]"
    example = '[{"type": "1", "is_send": false, "timestamp": 1740963683, "server_id": "…", "display_name": "张三", …}]'

    def sniff(self, head: str) -> float:
        return 0.95 if _array_start(head) is not None and all(k in head for k in _SIDECAR_KEYS) else 0.0

    def parse(self, src: Source) -> ParseResult:
        start = _array_start(src.text)
        if start is None:
            raise InputError("not a 留痕 HTML sidecar (no JSON array)", source=src.path, line=1)
        result = array_result(src.text, start, src, self.name,
                              lambda obj, line, line_end: memotrace_row(obj, src, self.name, line, line_end))
        end = array_end(src.text, start)
        if end is not None and src.text[end:].strip():
            result = unparsed_from(result, src.text, src.path, end + len(src.text[end:]) - len(src.text[end:].lstrip()),
                                   "消息 JSON 数组之后的文字（text after the messages' JSON array）")
        return result


class MemoTraceHtml:
    name = "memotrace_html"
    container = "html"
    description = "留痕/MemoTrace 3.x HTML (<群名>.html): read through its .html.json sidecar, else the page's script"
    example = '<script> … const chatMessages = [{"type": "1", "timestamp": 1740963683, "display_name": "张三", …}]'

    def sniff(self, head: str) -> float:
        # the page's own script: its messages, or the code that reads them from the sidecar
        return 0.95 if _PAGE_ARRAY.search(head) or "chatMessages" in head and "isChatroom" in head else 0.0

    def parse(self, src: Source) -> ParseResult:
        sidecar = Path((src.location or src.path) + SIDECAR_SUFFIX)
        if sidecar.is_file():
            return self._sidecar(src, sidecar)
        found = _PAGE_ARRAY.search(src.text)
        if found is None:
            raise InputError(f"留痕 HTML 页面里没有消息，其旁边也没有 {sidecar.name}；请把 {sidecar.name} 放回页面旁边，或改用 TXT、"
                             f"CSV、Excel 导出 / the page holds no messages and its sidecar {sidecar.name} is missing",
                             source=src.path)
        result = array_result(src.text, found.end(), src, self.name,
                              lambda obj, line, line_end: memotrace_row(_unescaped(obj), src, self.name, line, line_end))
        end = array_end(src.text, found.end())
        again = _PAGE_ARRAY.search(src.text, end) if end is not None else None
        if again is not None:       # the rest of the page is layout, but not a second set of messages
            result = unparsed_from(result, src.text, src.path, again.start(), "页面里的第二个 chatMessages，未读取（a second chatMessages on the page, not read）")
        return result

    def _sidecar(self, page: Source, sidecar: Path) -> ParseResult:
        """The sidecar's messages, which name the sidecar and its lines (what a reader can open and find)."""
        shown = shown_path(page.path + SIDECAR_SUFFIX)
        try:
            text, encoding = decode(sidecar.read_bytes(), shown)
        except OSError as exc:
            raise InputError(f"无法读取（cannot read）：{exc.strerror or exc}", source=shown) from None
        src = Source(path=shown, text=text, encoding=encoding, group_hint=page.group_hint,
                     group_id_hint=page.group_id_hint, tz=page.tz, date_hint=page.date_hint, location=str(sidecar))
        result = set_aside_untimely(MEMOTRACE_HTML_JSON.parse(src), text)   # on the lines it names
        note = f"消息读自页面旁的 {sidecar.name} / messages read from the page's sidecar {sidecar.name}"
        return ParseResult(result.messages, result.unparsed, self.name, result.encoding, result.lines,
                           result.structural_lines, (note, *result.warnings), result.exported)


MEMOTRACE_HTML_JSON = MemoTraceHtmlJson()
MEMOTRACE_HTML = MemoTraceHtml()
PARSERS = (MEMOTRACE_HTML, MEMOTRACE_HTML_JSON)
