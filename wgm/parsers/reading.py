"""Reading steps every layout shares: bytes → text, physical lines, group hints from paths,
and the frame builders that keep the line accounting exact."""

from __future__ import annotations

import csv
import io
import json
import re
from bisect import bisect_right
from datetime import datetime
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wgm import schema
from wgm.errors import InputError
from wgm.schema import U

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
            raise InputError("not valid UTF-16", source=path) from None
    if b"\x00" in raw[:4096]:
        raise InputError("binary file (NUL bytes), not a text export", source=path)
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
        raise InputError(f"neither UTF-8 nor GB18030 (undecodable byte at offset {exc.start})", source=path) from None


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


def header_records(lines: list[str], header: re.Pattern, source: str):
    """Split a TXT export at header lines that open the file or follow a blank line (bodies may hold
    blank and header-looking lines). Returns ([(start, end, match, body_lines)], unparsed, structural):
    text before the first header goes to unparsed, blank lines there are structural."""
    match = header.match
    # a header follows a blank line (isspace: no stripped copy of every line is made)
    found = [(i, m) for i, (line, before) in enumerate(zip(lines, ["", *lines]))
             if (not before or before.isspace()) and (m := match(line)) is not None]
    first = found[0][0] if found else len(lines)
    unparsed = [unparsed_row(source, i + 1, "text before the first message header", lines[i])
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
    unparsed = [unparsed_row(source, i + 1, "text before the first message header", line)
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


def group_hint(path: str | Path) -> tuple[str, str]:
    """(group, chat id) the way 留痕 names its files: 聊天记录/<群名>(<id>)/<群名>.txt, <群名>_utf8.csv."""
    p = Path(path)
    stem = _DUP_SUFFIX.sub("", p.stem)
    if stem.endswith("_utf8"):
        stem = stem[: -len("_utf8")]
    folder = _FOLDER_ID.match(p.parent.name)
    if folder and folder.group("name") == stem:
        return stem, folder.group("id")
    return stem, ""


def messages_frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return schema.empty_frame(schema.PARSED_COLUMNS)
    return schema.conform(pd.DataFrame(rows), schema.PARSED_COLUMNS)[list(schema.PARSED_COLUMNS)]


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
    for name, dtype in schema.PARSED_COLUMNS.items():   # each column made once, in its dtype (no conform pass)
        values: object = columns[name] if name in columns else [constants.get(name, schema.default_of(dtype))] * n
        if dtype == schema.INT:
            values = np.asarray(values, dtype=np.int64)    # numpy reads a list of ints 3x faster than pandas
        data[name] = pd.Series(values, dtype=dtype)    # a None in text is made "" by normalize's conform
    return pd.DataFrame(data, copy=False)     # the columns are new: no second copy into blocks


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


def unparsed_frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return schema.empty_frame(schema.UNPARSED_COLUMNS)
    return schema.conform(pd.DataFrame(rows), schema.UNPARSED_COLUMNS)[list(schema.UNPARSED_COLUMNS)]


# Reason prefix of unparsed records the export holds by design and an audit leaves out (a WeCom archive's
# one-to-one chats): listed like any unparsed line, but not counted as damage.
SET_ASIDE = "set aside: "


def unparsed_row(source: str, line: int, reason: str, text: str) -> dict:
    return {U.source: source, U.line: line, U.reason: reason, U.text: text}


# ---- times given as instants (epoch numbers, UTC or offset ISO text) --------------------------------

@lru_cache(maxsize=8)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


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
    return value.astimezone(_zone(tz)).replace(tzinfo=None)


# ---- JSON with line numbers ---------------------------------------------------------------------

class LineIndex:
    """Character offset → 1-based line number of a decoded text."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect_right(self._starts, offset)


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
        raise JsonShapeError("expected a JSON object", pos)
    pos = _skip_ws(text, pos + 1)
    while text[pos:pos + 1] != "}":
        try:
            name, pos = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise JsonShapeError(f"invalid JSON: {exc.msg}", exc.pos) from None
        pos = _skip_ws(text, pos)
        if text[pos:pos + 1] != ":":
            raise JsonShapeError("invalid JSON: expected ':'", pos)
        pos = _skip_ws(text, pos + 1)
        if name == key:
            return pos
        try:
            _, pos = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise JsonShapeError(f"invalid JSON: {exc.msg}", exc.pos) from None
        pos = _skip_ws(text, pos)
        if text[pos:pos + 1] == ",":
            pos = _skip_ws(text, pos + 1)
        elif text[pos:pos + 1] != "}":
            raise JsonShapeError("invalid JSON: expected ',' or '}'", pos)
    return None


def json_array_items(text: str, start: int):
    """Yield (value, start_offset, end_offset) for each element of the JSON array opening at `start`.
    A malformed element raises JsonShapeError with its offset (the caller reports that line)."""
    pos = _skip_ws(text, start)
    if text[pos:pos + 1] != "[":
        raise JsonShapeError("expected a JSON array", pos)
    pos = _skip_ws(text, pos + 1)
    if text[pos:pos + 1] == "]":
        return
    while True:
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise JsonShapeError(f"invalid JSON: {exc.msg}", exc.pos) from None
        yield value, pos, end
        pos = _skip_ws(text, end)
        if text[pos:pos + 1] == ",":
            pos = _skip_ws(text, pos + 1)
        elif text[pos:pos + 1] == "]":
            return
        else:
            raise JsonShapeError("invalid JSON: expected ',' or ']'", pos)


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
                self.error = f"unreadable CSV: {exc}"
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
            + [unparsed_row(source, n, "continuation of the record above", all_lines[n - 1])
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
            reason = f"expected {len(columns)} columns, got {len(cells)}"
        else:
            row = make_row(dict(zip(columns, cells)), line, line_end)
            if row is not None:
                rows.append(row)
                continue
            reason = "no readable time"
        unparsed.extend(unparsed_span(src.path, all_lines, line, line_end, reason))
    if records.error:
        unparsed.extend(unparsed_row(src.path, k, records.error, all_lines[k - 1])
                        for k in range(records.end + 1, n + 1))
    return rows, unparsed, n, structural + (0 if records.error else max(0, n - records.end))
