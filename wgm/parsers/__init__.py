"""The export formats wgm reads: a registry, content detection, and `read(path)`.

Detection scores every parser of the file's kind (text, an HTML page, an Excel workbook, a Word
document: by content, never by name) on the first 4 KB of its text (a page: all of it); exactly one
must win. `--input-format NAME` skips detection.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd

from wgm.errors import InputError
from wgm.parsers._base import ParseResult, Parser, Source
from wgm.parsers.containers import docx_text, looks_like_html, rows_text, sheet_rows, zip_kind
from wgm.parsers.memotrace import MEMOTRACE_V2_CSV, MEMOTRACE_V2_TXT, MEMOTRACE_V3_CSV, MEMOTRACE_V3_TXT
from wgm.parsers.reading import (BINARY_OTHER, SET_ASIDE, binary_reason, decode, group_hint, sane_export_time, set_aside_untimely,
                                 unparsed_frame, unparsed_row,
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
    raise InputError(f"没有这个输入格式（unknown input format）：{name!r}（可用 / known: {', '.join(p.name for p in PARSERS)}）")


NOT_AN_EXPORT = "不是 wgm 能读的聊天导出（not a chat export wgm can read; see `wgm formats`）"


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
        raise InputError(f"格式不明确：{tied}；请用 --input-format 指定一个（ambiguous format; choose one with --input-format）", source=path or None)
    return best


def read(path: Path | str, input_format: str | None = None, tz: str = "Asia/Shanghai",
         date_hint: date | None = None) -> ParseResult:
    path_text = shown_path(path)      # what messages.source, unparsed and every message name the file by
    special = special_file_reason(Path(path))
    if special:                       # a FIFO or device would block or stream forever: never opened
        raise InputError(special, source=path_text)
    try:
        with open(path, "rb") as fh:
            peek = fh.read(4096)
            wide = peek.startswith((b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04"))    # UTF-16 and zips hold NULs
            end = os.fstat(fh.fileno()).st_size
            content_end = end if wide else _before_nul_padding(fh, end)
            # binary at its start (a database, NULs only): refused from its first bytes, never read whole
            # (a 2 GB file of NULs would take 2 GB to tell)
            if not wide and (b"\x00" in peek[:content_end] or (content_end == 0 and end > 0)
                             or binary_reason(peek) != BINARY_OTHER):     # SQLite, .xls/.doc by their magic
                raise InputError(binary_reason(peek), source=path_text)
            fh.seek(0)
            raw = fh.read(content_end)
    except OSError as exc:
        raise InputError(f"无法读取（cannot read）：{exc.strerror or exc}", source=path_text) from None
    text, encoding, kind = _text_of(raw, path_text)
    # an HTML page keeps its messages deep in a script, far past any head: its sniffers read it all
    head = text if kind == "html" else text[:HEAD_CHARS]
    parser = by_name(input_format) if input_format else detect(head, path_text, kind)
    if container(parser) != kind:
        raise InputError(f"--input-format {parser.name} 读的是 {container(parser) or 'text'} 文件，这个文件是 {kind or 'text'}"
                         f"（--input-format {parser.name} reads {container(parser) or 'text'} files; this file is "
                         f"{kind or 'text'}）", source=path_text)
    group, group_id = group_hint(path)
    result = parser.parse(Source(path=path_text, text=text, encoding=encoding, group_hint=group, group_id_hint=group_id,
                                 tz=tz, date_hint=date_hint, location=str(path)))
    result = sane_export_time(set_aside_untimely(result, text))
    if content_end < end:
        result = _with_padding_noted(result, path_text, end - content_end)
    return replace(result, sha256=_digest_as_read(raw, end - content_end))


def _digest_as_read(raw: bytes, padding: int) -> str:
    """sha256 of the file as this parse read it — its text, then its NUL padding (counted, never held):
    equal to `sha256sum` of the file, and of the very bytes the messages came from even when the file
    changes while the run goes on."""
    h = hashlib.sha256(raw)
    zeros = b"\x00" * min(padding, _PADDING_CHUNK)
    while padding > 0:
        h.update(zeros[:padding])
        padding -= len(zeros)
    return h.hexdigest()


_PADDING_CHUNK = 1 << 20


def _before_nul_padding(fh, size: int) -> int:
    """Where a file's trailing NUL bytes begin (its size when it ends in none): a text export padded with
    NULs (a copy cut short, a preallocated file) is read up to its text, the padding never held in memory."""
    pos = size
    while pos > 0:
        start = max(0, pos - _PADDING_CHUNK)
        fh.seek(start)
        chunk = fh.read(pos - start)
        kept = chunk.rstrip(b"\x00")
        if kept:
            return start + len(kept)
        pos = start
    return 0


def _with_padding_noted(result: ParseResult, path_text: str, padding: int) -> ParseResult:
    """The NUL padding after a file's text, listed in unparsed as the line after its last: the export may
    have been cut there (the run is incomplete, exit 3)."""
    row = unparsed_row(path_text, result.lines + 1,
                       f"文件末尾 {padding:,} 字节 NUL 填充，未读；导出可能不完整 / {padding:,} bytes of NUL padding "
                       "at the end, not read: the export may be cut short", "")
    unparsed = pd.concat([result.unparsed, unparsed_frame([row])], ignore_index=True) if len(result.unparsed) \
        else unparsed_frame([row])
    return replace(result, unparsed=unparsed, lines=result.lines + 1)     # the padding counts as one line


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
