"""The parser interface every export layout implements, and the shared reading steps.

A parser is a small object with a `name` (the format id used by --input-format and in
audit.json), `sniff(head) -> score` and `parse(source) -> ParseResult`. A layout whose files are not
plain text says so in an optional `container` attribute ("html": its sniffer reads the whole page;
"xlsx": it reads the chosen sheet as parsers.containers.rows_text; "docx"); detection only weighs the
layouts of the file's kind. Decoding, line
numbering and record splitting shared by several layouts live here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import pandas as pd


@dataclass(frozen=True)
class Source:
    """One decoded input file."""

    path: str             # as given by the user (reading.shown_path); copied into messages.source / unparsed.source
    text: str             # decoded text, BOM removed, line ends untouched
    encoding: str         # what decoding succeeded with: utf-8, utf-8-sig, gb18030, utf-16 …
    group_hint: str = ""  # group name taken from the file / folder name, "" if none
    group_id_hint: str = ""  # chat id taken from the folder name, "" if none
    tz: str = "Asia/Shanghai"  # where epoch / UTC times are turned into local wall-clock time
    date_hint: date | None = None  # --date: the day of a date-less export (chatlog single-day text)
    location: str = ""  # the file's path to open files beside it by (`path` may be a display form)


@dataclass(frozen=True)
class ParseResult:
    """What a parser returns. Accounting invariant (checked in tests and by ingest):

    sum(line_end - line + 1 over messages) + len(unparsed) + structural_lines == lines
    """

    messages: pd.DataFrame   # schema.PARSED_COLUMNS
    unparsed: pd.DataFrame   # schema.UNPARSED_COLUMNS
    fmt: str
    encoding: str
    lines: int               # physical lines of the decoded input
    structural_lines: int = 0  # header rows / preamble lines that carry no message
    warnings: tuple[str, ...] = ()  # what the reader of the report must know (e.g. names shown as ids)
    exported: datetime | None = None  # when the export was made, where the file says (local time)
    sha256: str = ""         # of the bytes this parse read (parsers.read): the input's digest is of what was read


class Parser(Protocol):
    name: str          # format id, e.g. "memotrace_v3_txt"
    description: str   # one line for `wgm formats`
    example: str       # one example line of the layout

    def sniff(self, head: str) -> float: ...
    def parse(self, src: Source) -> ParseResult: ...
