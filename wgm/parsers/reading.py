"""Reading steps every layout shares: bytes → text, physical lines, group hints from paths,
and the frame builders that keep the line accounting exact."""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import re
import stat
from bisect import bisect_right
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wgm import schema
from wgm.parsers._base import ParseResult
from wgm.errors import InputError
from wgm.schema import M, U

_DUP_SUFFIX = re.compile(r"\(\d+\)$")
_FOLDER_ID = re.compile(r"^(?P<name>.*)\((?P<id>[^()]+)\)$")


def decode(raw: bytes, path: str) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM removed), UTF-16 with a BOM, else GB18030; binary is an error.
    Line ends come back as LF (CRLF and a lone CR alike), so every layout counts lines the same way."""
    text, encoding = _decode(raw, path)
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def _decode(raw: bytes, path: str) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError("不是有效的 UTF-16（not valid UTF-16）", source=path) from None
    if b"\x00" in raw[:4096]:
        raise InputError(binary_reason(raw), source=path)
    bom = raw.startswith(b"\xef\xbb\xbf")
    body, utf8 = (raw[3:], "utf-8-sig") if bom else (raw, "utf-8")
    try:
        return body.decode("utf-8"), utf8
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(body) - 3:
            # a file cut inside its last character: keep every whole character, say so
            return body[:exc.start].decode("utf-8"), f"{utf8} (cut inside its last character)"
    mixed = _decode_mixed(body, utf8)
    if mixed is not None and (bom or mixed[2]):     # a BOM says UTF-8: its other lines are the pasted ones
        return mixed[0], mixed[1]
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        if mixed is not None:      # not GB18030 as a whole: the lines that are not UTF-8 are
            return mixed[0], mixed[1]
        raise InputError(f"既不是 UTF-8 也不是 GB18030：第 {exc.start} 字节无法解码（neither UTF-8 nor GB18030: undecodable byte at offset {exc.start}）", source=path) from None


# binary files a user may take for an export, by their first bytes, with what to give instead
_BINARY_KINDS = (
    (b"SQLite format 3\x00", "微信数据库文件（SQLite），不是导出；请先用 留痕 或 WeFlow 把聊天导出为 TXT、CSV、Excel 或 HTML / "
                             "a database (SQLite), not an export: export the chat with 留痕 or WeFlow first"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Excel（.xls）或 Word（.doc）文件；请在 Excel 里另存为 .xlsx，或改用 TXT、CSV 导出 / "
                                         "an Excel 97–2003 (.xls) or Word (.doc) file: save it as .xlsx, or export TXT or CSV"),
)
BINARY_OTHER = ("二进制文件（含 NUL 字节），不是文本导出；请在导出工具里选 TXT、CSV、Excel（.xlsx）、HTML 或 JSON / "
                 "binary file (NUL bytes), not a text export: export the chat as TXT, CSV, XLSX, HTML or JSON")


def binary_reason(raw: bytes) -> str:
    """What a binary file is (by its first bytes) and which export to give instead."""
    return next((reason for magic, reason in _BINARY_KINDS if raw.startswith(magic)), BINARY_OTHER)


_ACCIDENTAL_UTF8 = re.compile("[\u0080-\u07ff]")


def _decode_mixed(raw: bytes, utf8: str = "utf-8") -> tuple[str, str, bool] | None:
    """A UTF-8 file with some lines in GB18030 (a line pasted or appended by a Windows tool): decoding it
    all as GB18030 would garble every UTF-8 line without a trace, so decode line by line and name it.
    (text, encoding, whether its UTF-8 lines outnumber the others), or None when some line is neither."""
    lines = raw.split(b"\n")
    utf8_chinese = foreign = 0
    decoded = []
    for line in lines:
        try:
            text = line.decode("utf-8")
            # a short GB18030 line can be valid UTF-8 by chance, but then it reads as Latin/Cyrillic
            # letters (U+0080–U+07FF), not as Chinese
            utf8_chinese += not line.isascii() and not _ACCIDENTAL_UTF8.search(text)
        except UnicodeDecodeError:
            try:
                text = line.decode("gb18030")
            except UnicodeDecodeError:
                return None
            foreign += 1
        decoded.append(text)
    if not foreign:
        return None
    # mostly GB18030: the whole file is (a chance UTF-8 line too), unless something else says otherwise
    return "\n".join(decoded), f"{utf8} with {foreign} line{'s' if foreign > 1 else ''} in gb18030", \
        utf8_chinese >= foreign


def physical_lines(text: str) -> list[str]:
    """Lines as a person counts them (text from decode() has LF line ends); no phantom last line."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


_TS = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})", re.ASCII)


def parse_ts(text: str):
    """YYYY-MM-DD HH:MM:SS (strptime costs 15 µs a call); None for an impossible or malformed time."""
    m = _TS.fullmatch(text)
    if m is None:
        return None
    try:
        y, mo, d, h, mi, s = map(int, m.groups())
        return datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None


# WeChat's system lines (formats.md §0.4) as they read once rendered, for layouts that do not mark them:
# invites, joins by QR code, removals, renames, recalls, pats.
_SYSTEM_LINE = re.compile(
    r'^(?:"[^"\n]+"\s?(?:邀请|撤回了一条消息|修改群名为|拍了拍|将"|通过|加入了群聊)'
    r'|你(?:邀请|撤回了一条消息|修改群名为|将"|拍了拍|被"[^"\n]+"移出群聊)'
    r'|"[^"\n]+"加入了群聊)')


def is_system_line(text: str) -> bool:
    return _SYSTEM_LINE.match(text) is not None


# What exporters leave around a system line's words: 留痕's raw recall CDATA with its 重新编辑 link, a
# template's trailing $revoke$ link, and the digit WeFlow 4.x appends to a recall ("李四" 撤回了一条消息0).
_SYSTEM_NOISE = re.compile(r"<!\[CDATA\[|\s*<a href=\"weixin://revoke_edit_click\">重新编辑</a>\]\]>|\s*\$revoke\$\s*$")
_RECALL_DIGIT = re.compile(r"(撤回了一条消息)\d$")
# 留痕 3.x writes a system message it has no renderer for as its type number, then a Python dict dump
_DICT_DUMP = re.compile(r"^-?\d+\n(\{'sysmsg'.*\})\s*$", re.S)
_PLACEHOLDER = re.compile(r"\$(\w+)\$")


def system_words(text: str) -> str:
    """A system line's words without the exporters' leftovers; a template 留痕 dumped as a dict, filled in."""
    words = _RECALL_DIGIT.sub(r"\1", _SYSTEM_NOISE.sub("", text).strip())
    return filled_template_dump(words) or words


def is_template_dump(text: str) -> bool:
    """Is this body 留痕 3.x's dict dump of a WeChat system template (its type "未知类型")?"""
    return _DICT_DUMP.match(text.strip()) is not None


def filled_template_dump(text: str) -> str:
    """The words of 留痕's dict dump of a sysmsgtemplate, its $name$ placeholders filled with the members'
    nicknames the dump holds (joined by 、 as WeChat shows them); "" when the text is no such dump."""
    found = _DICT_DUMP.match(text.strip())
    if found is None:
        return ""
    try:
        dump = ast.literal_eval(found.group(1))      # a literal only: never code
        template = dump["sysmsg"]["sysmsgtemplate"]["content_template"]
        links = template.get("link_list", {}).get("link", [])
    except (ValueError, SyntaxError, KeyError, TypeError, AttributeError, MemoryError, RecursionError):
        return ""
    names: dict[str, str] = {}
    for link in links if isinstance(links, list) else [links]:
        if not isinstance(link, dict):
            continue
        members = (link.get("memberlist") or {}).get("member") or []
        members = members if isinstance(members, list) else [members]
        names[str(link.get("@name", ""))] = "、".join(str(m.get("nickname") or m.get("username") or "")
                                                     for m in members if isinstance(m, dict))
    words = str(template.get("template") or "")
    return _PLACEHOLDER.sub(lambda m: names.get(m.group(1), m.group(0)), words) if words else ""


def header_records(lines: list[str], header: re.Pattern, source: str):
    """Split a TXT export at header lines that open the file or follow a blank line (bodies may hold
    blank and header-looking lines). Returns ([(start, end, match, body_lines)], unparsed, structural):
    text before the first header goes to unparsed, blank lines there are structural."""
    match = header.match
    # a header follows a blank line (isspace: no stripped copy of every line is made)
    found = [(i, m) for i, (line, before) in enumerate(zip(lines, ["", *lines]))
             if (not before or before.isspace()) and (m := match(line)) is not None]
    first = found[0][0] if found else len(lines)
    unparsed = [unparsed_row(source, i + 1, "第一条消息头之前的文字（text before the first message header）", lines[i])
                for i in range(first) if lines[i].strip()]
    structural = sum(1 for i in range(first) if not lines[i].strip())
    records = []
    ends = [i for i, _ in found[1:]] + [len(lines)]
    for (start, m), end in zip(found, ends):
        body = lines[start + 1:end]
        while body and (not body[-1] or body[-1].isspace()):
            body.pop()
        records.append((start, end, m, body))
    return records, unparsed, structural


# what opens a record in blank_led_records: a blank line (empty or whitespace only), then the header
BLANK_LINE_BEFORE = r"\n[^\S\n]*\n"


def blank_led_records(text: str, header: re.Pattern, source: str) -> BlankLedRecords:
    """header_records() on the whole text instead of line by line, for big exports (one regex split,
    no Python pass over every line). `header` must be BLANK_LINE_BEFORE + a pattern of the header line
    alone, with two groups, that cannot reach past its line end, its end a lookahead for a line end or the
    end of the text."""
    padded = "\n\n" + text     # a header on the first line, or after blank first lines, follows a blank line too
    lines = text.count("\n") + (0 if not text or text.endswith("\n") else 1)
    first = header.search(padded)
    if first is None:
        return BlankLedRecords([], [], [], [], [], *_before_first_header(text, source), lines)
    parts = header.split(padded)          # [before, group 1, group 2, body, group 1, group 2, body, …]
    pieces = parts[3::3]                      # "\n" + body lines + trailing blank lines, up to the next blank line
    # each piece's line ends, and the two of the blank line before the next header, lead to that header
    starts = list(accumulate([padded.count("\n", 0, first.start(1)) - 2] + [p.count("\n") + 2 for p in pieces[:-1]]))
    bodies = [b if not b or not b[-1].isspace() else _without_blank_tail(b) for b in (p[1:] for p in pieces)]
    return BlankLedRecords(parts[1::3], parts[2::3], bodies, starts, starts[1:] + [lines],
                           *_before_first_header(text[:first.start(1) - 2], source), lines)


class BlankLedRecords(NamedTuple):
    """What blank_led_records finds: one list entry per record, then the text before the first record."""

    times: list[str]             # a header's first group
    rests: list[str | None]      # its second group (None where it did not take part)
    bodies: list[str]            # the body lines, joined, without trailing blank lines
    starts: list[int]            # 0-based index of the header line
    ends: list[int]              # index of the next header line (or the line count): body lines + blank lines
    unparsed: list[dict]         # non-blank lines before the first header
    structural: int              # blank lines before the first header
    lines: int                   # physical lines of the text


def _before_first_header(before: str, source: str) -> tuple[list[dict], int]:
    """(unparsed rows, blank line count) of the text before the first header."""
    lines = physical_lines(before)
    unparsed = [unparsed_row(source, i + 1, "第一条消息头之前的文字（text before the first message header）", line)
                for i, line in enumerate(lines) if line.strip()]
    return unparsed, sum(1 for line in lines if not line.strip())


def _without_blank_tail(body: str) -> str:
    """The body without its trailing blank lines (a line of whitespace only is blank)."""
    if not body or not body[-1].isspace():
        return body
    kept = len(body.rstrip())     # str.rstrip strips exactly what str.isspace calls whitespace
    if not kept:
        return ""
    cut = body.find("\n", kept)
    return body if cut < 0 else body[:cut]


def shown_path(path: str | Path) -> str:
    """The path as text every output can hold (UTF-8 files, Arrow strings, the terminal). A file name that
    is not UTF-8 (GBK bytes from a Windows zip) comes from the system as surrogate escapes, which none of
    them take: each such byte is shown as \\xNN, so the name stays exact and tells its files apart."""
    text = os.fspath(path)
    text = text if isinstance(text, str) else os.fsdecode(text)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:      # a surrogate that is no escaped byte: shown as \\udcNN
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _name_text(name: str) -> str:
    """A file or folder name as a group name: a name that is not UTF-8 is read as GB18030 (as a file's
    text is: the zip of a Chinese Windows), else shown as shown_path shows it."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        return name.encode("utf-8", "surrogateescape").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return shown_path(name)


_SPECIAL_KINDS = ((stat.S_ISFIFO, "命名管道 FIFO", "a FIFO"), (stat.S_ISCHR, "字符设备", "a character device"),
                  (stat.S_ISBLK, "块设备", "a block device"), (stat.S_ISSOCK, "套接字", "a socket"))


def special_file_reason(path: str | Path) -> str:
    """Why a path that is neither a regular file nor a folder is not read ("" for a file, a folder, or a
    path that cannot be looked at: opening it then says why). A FIFO or a device would block the run or
    stream without end, so it is refused from its mode alone, never opened. A link is judged by its target.
    For every file wgm reads: exports here, side files (--roster …) by their loaders."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return ""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return ""
    zh, en = next(((zh, en) for test, zh, en in _SPECIAL_KINDS if test(mode)), ("特殊文件", "a special file"))
    return f"不是普通文件（{zh}），未打开 / not a regular file ({en}), not opened"


def sane_export_time(result: ParseResult) -> ParseResult:
    """The parse without an export time outside MESSAGE_YEARS (a damaged exportedAt): not taken, said."""
    when = result.exported
    if when is None or in_message_years(when):
        return result
    return replace(result, exported=None,
                   warnings=(*result.warnings, f"导出时间 {when.isoformat(sep=' ')} 超出范围，未采用 / "
                                               "export time out of range, not used"))


def group_hint(path: str | Path) -> tuple[str, str]:
    """(group, chat id) the way 留痕 names its files: 聊天记录/<群名>(<id>)/<群名>.txt, <群名>_utf8.csv."""
    p = Path(path)
    stem = _DUP_SUFFIX.sub("", _name_text(p.stem))
    if stem.endswith(".html"):        # 留痕's HTML sidecar <群名>.html.json
        stem = stem[: -len(".html")]
    if stem.endswith("_utf8"):
        stem = stem[: -len("_utf8")]
    folder = _FOLDER_ID.match(_name_text(p.parent.name))
    if folder and folder.group("name") == stem:
        return stem, folder.group("id")
    return stem, ""


def messages_frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return schema.empty_frame(schema.PARSED_COLUMNS)
    df = pd.DataFrame(rows)
    untimely = _untimely(df[M.ts]) if M.ts in df.columns else None
    if untimely is not None:        # NaT here, so the frame can be built; set_aside_untimely() moves them
        df[M.ts] = df[M.ts].where(untimely == "", None)
    out = schema.conform(df, schema.PARSED_COLUMNS)[list(schema.PARSED_COLUMNS)]
    return out if untimely is None else out.assign(**{UNTIMELY: untimely})


def messages_from_columns(columns: dict[str, list], constants: dict[str, object]) -> pd.DataFrame:
    """The parsed-message frame from whole columns (and values every row shares): for parsers of big
    exports, where a dict per message costs more than the parsing."""
    n = len(next(iter(columns.values()))) if columns else 0
    if not n:
        return schema.empty_frame(schema.PARSED_COLUMNS)
    unknown = (set(columns) | set(constants)) - set(schema.PARSED_COLUMNS)
    if unknown:
        raise AssertionError(f"parser gave columns the schema does not have: {sorted(unknown)}")
    data = {}
    untimely = None
    for name, dtype in schema.PARSED_COLUMNS.items():   # each column made once, in its dtype (no conform pass)
        values: object = columns[name] if name in columns else [constants.get(name, schema.default_of(dtype))] * n
        if dtype == schema.INT:
            values = np.asarray(values, dtype=np.int64)    # numpy reads a list of ints 3x faster than pandas
        elif name == M.ts and name in columns:
            times = pd.Series(values)
            untimely = _untimely(times)
            values = times if untimely is None else times.where(untimely == "", None)
        data[name] = pd.Series(values, dtype=dtype)    # a None in text is made "" by normalize's conform
    if untimely is not None:
        data[UNTIMELY] = pd.Series(untimely, dtype=schema.STR)
    return pd.DataFrame(data, copy=False)     # the columns are new: no second copy into blocks


# The years a chat message may be dated in. WeChat began in 2011: a time outside these (9999, 1677, 0001)
# is damage or an exporter's placeholder, not a moment of the chat. The span also keeps every later step
# inside what a datetime64[ns] holds (1678–2261) when it adds deadlines, grace periods or months to a time.
MESSAGE_YEARS = (1970, 2100)
# working column of a parser's message frame: the time of a message dated outside MESSAGE_YEARS (its ts
# is NaT), "" for the others; present only when there is such a message (parsers.read takes it away)
UNTIMELY = "_untimely"


def in_message_years(when: datetime) -> bool:
    return MESSAGE_YEARS[0] <= when.year <= MESSAGE_YEARS[1]


def untimely_reason(when: datetime | str) -> str:
    """The unparsed reason of a message dated outside MESSAGE_YEARS."""
    shown = when.isoformat(sep=" ") if isinstance(when, datetime) else when
    return f"日期超出范围：{shown}（聊天消息只读 {MESSAGE_YEARS[0]}–{MESSAGE_YEARS[1]} 年）/ date out of range"


def _untimely(times: pd.Series) -> np.ndarray | None:
    """Per time: its text where it lies outside MESSAGE_YEARS, else ""; None when every time is inside
    (the common case: one vectorised test). Times are datetime objects or a datetime64 column of any unit."""
    if times.dtype.kind == "M":
        years = times.dt.year
        outside = (years < MESSAGE_YEARS[0]) | (years > MESSAGE_YEARS[1])
        if not outside.any():
            return None
        shown = [t.isoformat(sep=" ") if bad else "" for t, bad in zip(times.dt.to_pydatetime(), outside)]
        return np.array(shown, dtype=object)
    shown = ["" if not isinstance(t, datetime) or in_message_years(t) else t.isoformat(sep=" ")
             for t in times.tolist()]
    return np.array(shown, dtype=object) if any(shown) else None


_NS_YEARS = (1678, 2261)          # the years a datetime64[ns] message time can hold
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]     # positions in YYYY-MM-DD HH:MM:SS


def parse_ts_column(texts: list[str]) -> np.ndarray:
    """parse_ts() over many YYYY-MM-DD HH:MM:SS texts at once: datetime64[s], NaT where parse_ts gives
    None (and outside the years a message time can hold). The texts are read as one byte matrix, each
    field by arithmetic (~100x a datetime() per text); anything else falls back to parse_ts."""
    joined = "".join(texts)
    if not texts or len(joined) != 19 * len(texts) or not joined.isascii():
        one = [parse_ts(t) for t in texts]
        return np.array([t if t is not None and _NS_YEARS[0] <= t.year <= _NS_YEARS[1] else np.datetime64("NaT")
                         for t in one], dtype="datetime64[s]")
    b = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 19)
    ok = ((b[:, _DIGITS] >= ord("0")) & (b[:, _DIGITS] <= ord("9"))).all(axis=1)
    ok &= (b[:, 4] == ord("-")) & (b[:, 7] == ord("-")) & (b[:, 10] == ord(" ")) & (b[:, 13] == ord(":")) \
        & (b[:, 16] == ord(":"))

    def number(*positions: int) -> np.ndarray:     # small arrays, one per field: big allocations are slow
        out = np.zeros(len(b), dtype=np.int64)
        for k in positions:
            out = out * 10 + (b[:, k].astype(np.int64) - ord("0"))
        return out
    year, month, day = number(0, 1, 2, 3), number(5, 6), number(8, 9)
    hour, minute, second = number(11, 12), number(14, 15), number(17, 18)
    ok &= (month >= 1) & (month <= 12) & (hour < 24) & (minute < 60) & (second < 60)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days_in_month = _MONTH_DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    ok &= (day >= 1) & (day <= days_in_month) & (year >= _NS_YEARS[0]) & (year <= _NS_YEARS[1])
    year, month, day = np.where(ok, year, 1970), np.where(ok, month, 1), np.where(ok, day, 1)
    dates = ((year - 1970) * 12 + month - 1).astype("datetime64[M]").astype("datetime64[D]") + (day - 1)
    stamps = dates.astype("datetime64[s]") + (hour * 3600 + minute * 60 + second).astype("timedelta64[s]")
    stamps[~ok] = np.datetime64("NaT")
    return stamps


def set_aside_untimely(result: ParseResult, text: str) -> ParseResult:
    """The parse with its messages dated outside MESSAGE_YEARS (messages_frame marks them) moved to unparsed,
    each line with the reason; done once here for every layout, after its parser. A line such a message
    shares with others (a compact JSON export holds all on line 1) is shown in unparsed and given up by
    the messages kept on it (yield_lines), so the line accounting stays exact."""
    frame = result.messages
    if UNTIMELY not in frame.columns:
        return result
    untimely = frame[UNTIMELY].to_numpy(dtype=object) != ""
    kept, gone = frame[~untimely].drop(columns=UNTIMELY), frame[untimely]
    lines = physical_lines(text)
    new: dict[int, dict] = {}       # line → its unparsed row
    for source, line, line_end, when, sender, body in zip(*schema.lists(gone, M.source, M.line, M.line_end, UNTIMELY,
                                                                        M.sender, M.text)):
        for n in range(line, max(line, line_end) + 1):
            reason = untimely_reason(when) if n == line else "上一条记录的续行（continuation of the record above）"
            if n in new:            # several such messages on one line: one row names them all
                new[n][U.reason] += f"; {reason}"
                continue
            whole = lines[n - 1] if 0 < n <= len(lines) else ""
            # a line too long to show (a whole compact JSON export) is represented by the message on it
            shown = whole if len(whole) <= LINE_SHOWN else f"{when} {sender}: {body}"[:LINE_SHOWN]
            new[n] = unparsed_row(source, n, reason, shown)
    old = result.unparsed.copy()
    if len(old):     # a line already unparsed for another reason keeps its row, with this reason added
        old[U.reason] = [f"{r}; {new.pop(n)[U.reason]}" if n in new else r
                         for n, r in zip(old[U.line].tolist(), old[U.reason].tolist())]
    firsts, lasts = yield_lines(kept[M.line].to_numpy(), kept[M.line_end].to_numpy(), set(new))
    kept = kept.assign(**{M.line: firsts, M.line_end: lasts}).reset_index(drop=True)
    rows = [*old.to_dict("records"), *new.values()]
    unparsed = unparsed_frame(sorted(rows, key=lambda r: r[U.line]))
    covered = int((kept[M.line_end] - kept[M.line] + 1).sum())
    return replace(result, messages=kept, unparsed=unparsed, structural_lines=result.lines - covered - len(unparsed))


LINE_SHOWN = 2000      # the longest line an unparsed row shows whole


def yield_lines(firsts: np.ndarray, lasts: np.ndarray, claimed: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """(line, line_end) of messages that give up the `claimed` lines (shown in unparsed instead). A line
    several records share is counted once: for what could not be read if anything (so that it stays
    visible), else for the last message on it. A message gives up lines at its edges only (records share no
    more than their first and last lines); one left without a line of its own keeps its first line with
    line_end = line - 1 (schema.M.line_end)."""
    firsts, lasts = np.asarray(firsts, dtype=np.int64), np.asarray(lasts, dtype=np.int64)
    if not claimed or not len(firsts):
        return firsts, lasts
    taken = np.array(sorted(claimed), dtype=np.int64)
    new_lasts = lasts - ((lasts >= firsts) & np.isin(lasts, taken))
    new_firsts = firsts + ((firsts <= new_lasts) & np.isin(firsts, taken))
    none_left = new_firsts > new_lasts
    return np.where(none_left, firsts, new_firsts), np.where(none_left, firsts - 1, new_lasts)


def unparsed_frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return schema.empty_frame(schema.UNPARSED_COLUMNS)
    return schema.conform(pd.DataFrame(rows), schema.UNPARSED_COLUMNS)[list(schema.UNPARSED_COLUMNS)]


# Reason prefix of unparsed records the export holds by design and an audit leaves out (a WeCom archive's
# one-to-one chats): listed like any unparsed line, but not counted as damage.
SET_ASIDE = "按设计略过（set aside）："


def unparsed_row(source: str, line: int, reason: str, text: str) -> dict:
    return {U.source: source, U.line: line, U.reason: reason, U.text: text}


# ---- times given as instants (epoch numbers, UTC or offset ISO text) --------------------------------

@lru_cache(maxsize=8)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


# An epoch number from 1e12 up is milliseconds (2001-09-09 on: every chat's), below it seconds. A lower cut
# (1e11) read the seconds of a damaged year 9999 as milliseconds of 1978: a plausible, wrong time.
MILLIS_FROM = 10**12


def epoch_seconds(number: float) -> float:
    """Seconds of an epoch number given in seconds or milliseconds (MILLIS_FROM)."""
    return number / 1000 if number >= MILLIS_FROM else number


def epoch_to_local(seconds: float, tz: str) -> datetime | None:
    """Epoch seconds → naive wall-clock time in `tz` (the zone the exports' text times are in)."""
    try:
        return datetime.fromtimestamp(float(seconds), _zone(tz)).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def instant_to_local(text: str, tz: str) -> datetime | None:
    """ISO 8601 with an offset or Z (`2025-03-03T01:01:23.000Z`, `…T09:01:23+08:00`) → naive local time
    in `tz`; a time without an offset is taken as already local."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(_zone(tz)).replace(tzinfo=None)
    except OverflowError:
        # year 1 or 9999 moved past what a datetime holds: the time as written is as far outside
        # MESSAGE_YEARS, and is set aside with that reason (set_aside_untimely)
        return value.replace(tzinfo=None)


# ---- JSON with line numbers ---------------------------------------------------------------------

class LineIndex:
    """Character offset → 1-based line number of a decoded text."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect_right(self._starts, offset)

    def column(self, offset: int) -> int:
        """1-based character column of the offset on its line."""
        return offset - self._starts[self.line(offset) - 1] + 1


def broken_off_reason(index: LineIndex, lost_from: int, damage: JsonShapeError) -> str:
    """Why the rest of a JSON export is unparsed: where it breaks, and from where nothing is read (just after
    the last whole record: on a compact export that is inside line 1, which messages share)."""
    where, line, column = index.line(damage.offset), index.line(lost_from), index.column(lost_from)
    return (f"导出在第 {where} 行中断（{damage}），自第 {line} 行第 {column} 列起无法读取 / broken off at line {where}: "
            f"nothing from line {line}, column {column} on can be read")


_BETWEEN_ITEMS = re.compile(r"[\s,]*")


def lost_from(text: str, offset: int) -> int:
    """Where the unread rest of a broken JSON array begins: past the whitespace and comma after the last whole
    record (`offset`), or the last character of the text (a cut just after a record loses what came next)."""
    m = _BETWEEN_ITEMS.match(text, offset)      # matches the empty string too: never None
    return max(0, min(m.end() if m else offset, len(text) - 1))


class SharedLines:
    """The unparsed lines of a JSON export whose records may share lines (a compact export is all on line
    1): each line once, with every reason found on it, and what it shows. Messages give these lines up
    (place()), so a line holding a message and a broken record is shown in unparsed, not hidden."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.reasons: dict[int, list[str]] = {}
        self.shown: dict[int, str] = {}

    def add(self, line: int, reason: str, shown: str) -> None:
        self.reasons.setdefault(line, []).append(reason)
        self.shown.setdefault(line, shown)

    def place(self, rows: list[dict]) -> None:
        """Each message row's line and line_end, the claimed lines given up (yield_lines)."""
        if not rows or not self.reasons:
            return
        firsts, lasts = yield_lines(np.array([r[M.line] for r in rows]), np.array([r[M.line_end] for r in rows]),
                                    set(self.reasons))
        for row, first, last in zip(rows, firsts.tolist(), lasts.tolist()):
            row[M.line], row[M.line_end] = first, last

    def rows(self) -> list[dict]:
        return [unparsed_row(self.source, n, merged_reason(found), self.shown[n])
                for n, found in sorted(self.reasons.items())]


def merged_reason(found: list[str]) -> str:
    """One reason for a line that several records share."""
    distinct = list(dict.fromkeys(found))
    text = "; ".join(distinct)
    return text if len(found) == 1 else f"{text}（本行 {len(found)} 条记录 / {len(found)} records on this line）"


_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")


class JsonShapeError(ValueError):
    """The JSON is well-formed but not shaped as the layout expects, or not well-formed at `offset`."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def _skip_ws(text: str, pos: int) -> int:
    m = _WS.match(text, pos)      # the pattern matches the empty string too: never None
    return m.end() if m else pos


def json_member_offset(text: str, key: str, start: int = 0) -> int | None:
    """Offset of the value of `key` in the JSON object opening at `start` (whitespace allowed first), or
    None; other members are skipped with the C decoder, so a big export is walked once."""
    pos = _skip_ws(text, start)
    if text[pos:pos + 1] != "{":
        raise JsonShapeError("应为 JSON 对象（expected a JSON object）", pos)
    pos = _skip_ws(text, pos + 1)
    while text[pos:pos + 1] != "}":
        try:
            name, pos = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise JsonShapeError(f"无效的 JSON（invalid JSON）：{exc.msg}", exc.pos) from None
        pos = _skip_ws(text, pos)
        if text[pos:pos + 1] != ":":
            raise JsonShapeError("无效的 JSON（invalid JSON）：expected ':'", pos)
        pos = _skip_ws(text, pos + 1)
        if name == key:
            return pos
        try:
            _, pos = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise JsonShapeError(f"无效的 JSON（invalid JSON）：{exc.msg}", exc.pos) from None
        pos = _skip_ws(text, pos)
        if text[pos:pos + 1] == ",":
            pos = _skip_ws(text, pos + 1)
        elif text[pos:pos + 1] != "}":
            raise JsonShapeError("无效的 JSON（invalid JSON）：expected ',' or '}'", pos)
    return None


def json_array_items(text: str, start: int):
    """Yield (value, start_offset, end_offset) for each element of the JSON array opening at `start`.
    A malformed element raises JsonShapeError with its offset (the caller reports that line)."""
    pos = _skip_ws(text, start)
    if text[pos:pos + 1] != "[":
        raise JsonShapeError("应为 JSON 数组（expected a JSON array）", pos)
    pos = _skip_ws(text, pos + 1)
    if text[pos:pos + 1] == "]":
        return
    while True:
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise JsonShapeError(f"无效的 JSON（invalid JSON）：{exc.msg}", exc.pos) from None
        yield value, pos, end
        pos = _skip_ws(text, end)
        if text[pos:pos + 1] == ",":
            pos = _skip_ws(text, pos + 1)
        elif text[pos:pos + 1] == "]":
            return
        else:
            raise JsonShapeError("无效的 JSON（invalid JSON）：expected ',' or ']'", pos)


# ---- CSV with line numbers ----------------------------------------------------------------------

csv.field_size_limit(2**31 - 1)   # a chat message can be longer than csv's default 128 KiB cell


class CsvRecords:
    """Iterate (cells, first line, last line) over the records of a CSV text (cells may span lines).
    A record the csv module cannot read stops the iteration: `error` says why and `end` is the last
    line read, so the caller reports the rest as unparsed instead of failing."""

    def __init__(self, text: str) -> None:
        self._reader = csv.reader(io.StringIO(text, newline=""))
        self.end = 0
        self.error = ""

    def __iter__(self):
        while True:
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.error = f"无法读取的 CSV（unreadable CSV）：{exc}"
                return
            line, self.end = self.end + 1, self._reader.line_num
            yield cells, line, self.end


def first_row_cells(head: str) -> list[str]:
    """The cells of a CSV export's first line, for sniffing its header (a plain split: headers are unquoted)."""
    return head.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r").split(",")


def unparsed_span(source: str, all_lines: list[str], line: int, line_end: int, reason: str) -> list[dict]:
    """A record that is not a message: its first line with the reason, the lines it spans after it."""
    first = all_lines[line - 1] if 0 < line <= len(all_lines) else ""
    return ([unparsed_row(source, line, reason, first)]
            + [unparsed_row(source, n, "上一条记录的续行（continuation of the record above）", all_lines[n - 1])
               for n in range(line + 1, min(line_end, len(all_lines)) + 1)])


def csv_messages(src, headers: tuple[list[str], ...], make_row) -> tuple[list[dict], list[dict], int, int]:
    """The loop every CSV layout shares. A first row equal to one of `headers` (BOM aside) names the
    columns (else the first header does); it and blank records are layout. A record with the wrong number
    of cells, or for which make_row(cells by column, line, line_end) gives None (no readable time), is
    unparsed with the lines it spans; a record the csv module cannot read sends the rest to unparsed.
    Returns (rows, unparsed, lines, structural lines)."""
    all_lines = physical_lines(src.text)
    n = len(all_lines)
    records = CsvRecords(src.text)
    rows: list[dict] = []
    unparsed: list[dict] = []
    structural = 0
    columns = headers[0]
    for cells, line, line_end in records:
        if line == 1 and [c.lstrip("\ufeff") for c in cells] in headers:
            columns = [c.lstrip("\ufeff") for c in cells]
            structural += 1
            continue
        if not any(cell.strip() for cell in cells):
            structural += line_end - line + 1
            continue
        if len(cells) != len(columns):
            reason = f"应有 {len(columns)} 列，实有 {len(cells)} 列（expected {len(columns)} columns, got {len(cells)}）"
        else:
            row = make_row(dict(zip(columns, cells)), line, line_end)
            if row is not None:
                rows.append(row)
                continue
            reason = "没有可读的时间（no readable time）"
        unparsed.extend(unparsed_span(src.path, all_lines, line, line_end, reason))
    if records.error:
        unparsed.extend(unparsed_row(src.path, k, records.error, all_lines[k - 1])
                        for k in range(records.end + 1, n + 1))
    return rows, unparsed, n, structural + (0 if records.error else max(0, n - records.end))
