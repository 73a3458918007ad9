"""The export formats wgm reads: a registry, content detection, and `read(path)`.

Detection scores every parser of the file's kind (text, an HTML page, an Excel workbook, a Word
document: by content, never by name) on the first 4 KB of its text (a page: all of it); exactly one
must win. `--input-format NAME` skips detection.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from wgm.errors import InputError
from wgm.parsers._base import ParseResult, Parser, Source
from wgm.parsers.containers import docx_text, looks_like_html, rows_text, sheet_rows, zip_kind
from wgm.parsers.memotrace import MEMOTRACE_V2_CSV, MEMOTRACE_V2_TXT, MEMOTRACE_V3_CSV, MEMOTRACE_V3_TXT
from wgm.parsers.reading import (SET_ASIDE, decode, group_hint, sane_export_time, set_aside_untimely,
                                 shown_path, special_file_reason)
from wgm.parsers import chatlog, markdown, memotrace_html, pywxdump, rejects, wecom, weflow_json, workbooks
from wgm.parsers.clientcopy import WECHAT_MAC_COPY, WECHAT_WINDOWS_COPY
from wgm.parsers.wechatbaktool import WECHATBAKTOOL_TXT
from wgm.parsers.wechatexporter import WECHATEXPORTER_TXT
from wgm.parsers.weflow import WEFLOW_TXT
from wgm.parsers.weflow_html import WEFLOW_HTML

# Order breaks no ties (detection refuses a tie); it is the order `wgm formats` lists them in.
PARSERS: tuple[Parser, ...] = (MEMOTRACE_V3_TXT, MEMOTRACE_V2_TXT, MEMOTRACE_V2_CSV, MEMOTRACE_V3_CSV,
                               *memotrace_html.PARSERS, *markdown.PARSERS, *workbooks.PARSERS, WEFLOW_TXT,
                               WEFLOW_HTML, *weflow_json.PARSERS, *chatlog.PARSERS, *pywxdump.PARSERS,
                               *wecom.PARSERS, WECHATEXPORTER_TXT, WECHATBAKTOOL_TXT, WECHAT_MAC_COPY,
                               *rejects.PARSERS, WECHAT_WINDOWS_COPY)
HEAD_CHARS = 4096
MIN_SCORE = 0.3


def by_name(name: str) -> Parser:
    for p in PARSERS:
        if p.name == name:
            return p
    raise InputError(f"unknown input format {name!r} (known: {', '.join(p.name for p in PARSERS)})")


NOT_AN_EXPORT = "not a chat export wgm can read (see `wgm formats`)"


def container(parser: Parser) -> str:
    """What a layout's file is: "" plain text (CSV, JSON, TXT …), "html", "xlsx" or "docx"."""
    return getattr(parser, "container", "")


def detect(head: str, path: str = "", kind: str = "") -> Parser:
    """The one layout whose sniffer scores best on `head`, among the layouts of that kind of file."""
    scores = sorted(((p.sniff(head), i, p) for i, p in enumerate(PARSERS) if container(p) == kind),
                    key=lambda x: (-x[0], x[1]))
    best_score, _, best = scores[0] if scores else (0.0, 0, PARSERS[0])
    if best_score < MIN_SCORE:
        raise InputError(NOT_AN_EXPORT, source=path or None)
    if len(scores) > 1 and scores[1][0] == best_score:
        tied = ", ".join(p.name for s, _, p in scores if s == best_score)
        raise InputError(f"ambiguous format ({tied}); choose one with --input-format", source=path or None)
    return best


def read(path: Path | str, input_format: str | None = None, tz: str = "Asia/Shanghai",
         date_hint: date | None = None) -> ParseResult:
    path_text = shown_path(path)      # what messages.source, unparsed and every message name the file by
    special = special_file_reason(Path(path))
    if special:                       # a FIFO or device would block or stream forever: never opened
        raise InputError(special, source=path_text)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=path_text) from None
    text, encoding, kind = _text_of(raw, path_text)
    # an HTML page keeps its messages deep in a script, far past any head: its sniffers read it all
    head = text if kind == "html" else text[:HEAD_CHARS]
    parser = by_name(input_format) if input_format else detect(head, path_text, kind)
    if container(parser) != kind:
        raise InputError(f"--input-format {parser.name} reads {container(parser) or 'text'} files; this file is "
                         f"{kind or 'text'}", source=path_text)
    group, group_id = group_hint(path)
    result = parser.parse(Source(path=path_text, text=text, encoding=encoding, group_hint=group, group_id_hint=group_id,
                                 tz=tz, date_hint=date_hint, location=str(path)))
    return sane_export_time(set_aside_untimely(result, text))


def _text_of(raw: bytes, path: str) -> tuple[str, str, str]:
    """(text, encoding, kind) of a file's bytes: a workbook's chosen sheet as rows_text, a Word document's
    paragraphs, an HTML page or plain text decoded (kind "xlsx", "docx", "html" or "")."""
    kind = zip_kind(raw, path)
    if kind == "xlsx":
        sheet, rows = sheet_rows(raw, path)
        return rows_text(rows), f"xlsx (sheet {sheet})", kind
    if kind == "docx":
        return docx_text(raw), "docx", kind
    if kind == "zip":
        raise InputError("zip 压缩包：请先解压，再给出解压后的文件夹 / a zip archive: unpack it and give its folder",
                         source=path)
    text, encoding = decode(raw, path)
    return text, encoding, "html" if looks_like_html(text[:HEAD_CHARS]) else ""


__all__ = ["PARSERS", "SET_ASIDE", "ParseResult", "Parser", "Source", "NOT_AN_EXPORT", "by_name", "container", "detect", "read"]
