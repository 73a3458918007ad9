"""Exports that are zip files (Excel .xlsx, Word .docx) and HTML pages: what kind of file it is, and the
text wgm reads of it.

A workbook becomes text one line per sheet row, its cells joined by a tab (a tab, newline or backslash
inside a cell escaped as \\t, \\n, \\\\): line numbers are then Excel's row numbers, and every step that
shows or counts lines (unparsed, the line accounting) works on a workbook as on a CSV.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time

from wgm.errors import InputError

ZIP_MAGIC = b"PK\x03\x04"
CHAT_SHEET = "聊天记录"       # the sheet 留痕 and WeFlow both write the messages to
MEMBER_SHEET = "成员信息"     # 留痕's member table

_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S)


def looks_like_html(head: str) -> bool:
    return _HTML_START.match(head) is not None


def zip_kind(raw: bytes, path: str) -> str:
    """'xlsx', 'docx' or 'zip' (another zip) for a file that starts as a zip; '' for any other file."""
    if not raw.startswith(ZIP_MAGIC):
        return ""
    try:
        names = set(zipfile.ZipFile(io.BytesIO(raw)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"损坏的 zip 文件（Excel/Word 导出？）/ damaged zip file: {exc}", source=path) from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return "zip"


def sheet_rows(raw: bytes, path: str, sheet: str | None = None) -> tuple[str, list[list[str]]]:
    """(sheet name, rows as text cells) of the named sheet, else of 聊天记录, else of the first sheet."""
    from openpyxl import load_workbook      # loaded only when a workbook is read
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:                 # openpyxl raises many kinds on a damaged workbook
        raise InputError(f"无法读取的 Excel 文件 / unreadable workbook: {exc}", source=path) from None
    try:
        names = book.sheetnames
        if sheet is not None and sheet not in names:
            raise InputError(f"工作簿没有“{sheet}”工作表 / no sheet named {sheet!r} (sheets: {', '.join(names)})",
                             source=path)
        chosen = sheet or (CHAT_SHEET if CHAT_SHEET in names else names[0])
        rows = [[cell_text(v) for v in row] for row in book[chosen].iter_rows(values_only=True)]
    finally:
        book.close()
    for row in rows:                         # trailing empty cells are formatting, not data
        while row and row[-1] == "":
            row.pop()
    return chosen, rows


def cell_text(value) -> str:
    """A cell as the text the exporter wrote: a whole number without .0, a date-time as YYYY-MM-DD HH:MM:SS."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        # past 2**53 a float is not the number that was written (a server id Excel turned into a number):
        # shown as the float it is, never as digits that look exact
        return str(int(value)) if abs(value) < 2**53 else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_ESCAPED = re.compile(r"\\(.)", re.S)
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def rows_text(rows: list[list[str]]) -> str:
    """The rows as text, one line a row (see the module's docstring)."""
    return "".join("\t".join(_escape(c) for c in row) + "\n" for row in rows)


def line_cells(line: str) -> list[str]:
    """The cells of one line of rows_text()."""
    return [_ESCAPED.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(1)), c) for c in line.split("\t")]


def _escape(cell: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in cell) if any(ch in cell for ch in _ESCAPES) else cell


def docx_text(raw: bytes) -> str:
    """The paragraphs of a Word document, one a line (enough to recognise a 留痕 Word export)."""
    try:
        xml = zipfile.ZipFile(io.BytesIO(raw)).read("word/document.xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return ""
    paragraphs = re.split(r"</w:p>", xml)
    return "".join(re.sub(r"<[^>]+>", "", p) + "\n" for p in paragraphs if "<w:t" in p)
