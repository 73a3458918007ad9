"""The rows of the workbook's sheets as SpreadsheetML, a whole column at a time.

XlsxWriter lays out each sheet (header, styles, widths, panes, filters, drop-downs, print setup,
charts) but takes ~2 µs of Python per cell; a million-message year has millions of cells in
明细 and 任务. So the data rows are encoded here the way the CSV files are (wgm.report.machine):
each column turned into its cells' XML at once (text cells made formula-safe and XML-escaped
once per distinct value where values repeat, times as Excel serial numbers), then each row one
join; and `splice` puts them into the sheets XlsxWriter wrote, between its header row and the
end of the sheet's data. Cells carry their own reference (r="B7"), so an empty cell is simply
left out.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from wgm.report.cells import xlsx_text

_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")     # day 0 of Excel's 1900 date system (after 1900-03-01)
_ROWS_PER_CHUNK = 20_000
# columns with few distinct values are escaped once per value and then looked up
_FACTORIZE_BELOW = 0.5


@dataclass(frozen=True)
class Column:
    """One column of a sheet: where it is, how its values are written, the style of its cells
    (an XlsxWriter xf index; 0 = none)."""

    letter: str
    kind: str              # text | number | date | flag
    style: int = 0
    yes: str = "是"        # what a true flag shows (a false one shows nothing)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_cell(value: str, style: str) -> str:
    """What follows `<c r="X9"` for a text cell ("" for an empty one: not written)."""
    if not value:
        return ""
    return f'{style} t="inlineStr"><is><t xml:space="preserve">{_escape(xlsx_text(value))}</t></is></c>'


def _as_strings(series: pd.Series) -> list[str]:
    return ["" if v is None or (isinstance(v, float) and v != v) else v if isinstance(v, str) else str(v)
            for v in series.tolist()]


def _tails(series: pd.Series, column: Column) -> list[str]:
    """Each row's cell after its reference (`<c r="B7"` + this), "" where the cell is empty."""
    style = f' s="{column.style}"' if column.style else ""
    n = len(series)
    if column.kind == "date":
        values = series.to_numpy(dtype="datetime64[s]")
        known = ~np.isnat(values)
        days = np.where(known, (values - _EXCEL_EPOCH).astype(np.int64), 0) / 86400.0
        return [f"{style}><v>{d!r}</v></c>" if k else "" for d, k in zip(days.tolist(), known.tolist())]
    if column.kind == "flag":
        yes = _text_cell(column.yes, style)
        return [yes if v else "" for v in series.to_numpy(dtype=bool).tolist()]
    if column.kind == "number":
        return ["" if v != v else f"{style}><v>{v!r}</v></c>" for v in series.astype("float64").tolist()] \
            if pd.api.types.is_float_dtype(series) else [f"{style}><v>{int(v)}</v></c>" for v in series.tolist()]
    sample = series.iloc[:: max(1, n // 2000)]
    if len(sample) > 64 and sample.nunique(dropna=False) > _FACTORIZE_BELOW * len(sample):
        return [_text_cell(v, style) for v in _as_strings(series)]
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    tails = np.asarray([_text_cell(v, style) for v in _as_strings(pd.Series(uniques, dtype=object))] or [""],
                       dtype=object)
    return tails[codes].tolist() if n else []


def row_chunks(df: pd.DataFrame, columns: dict[str, Column], first_row: int,
               heights: list[float] | None = None) -> Iterator[str]:
    """The frame's rows as `<row>` elements from sheet row `first_row` (1-based) on, encoded a chunk of
    rows at a time (a whole sheet's cells at once took hundreds of MB at a million messages);
    `heights`: each row's height in points (wrapped text), None for the default."""
    present = [(name, column) for name, column in columns.items() if name in df.columns]
    for at in range(0, len(df), _ROWS_PER_CHUNK):
        part = df.iloc[at:at + _ROWS_PER_CHUNK]
        numbers = [str(r) for r in range(first_row + at, first_row + at + len(part))]
        cells = []
        for name, column in present:
            ref = '<c r="' + column.letter
            cells.append([ref + num + '"' + tail if tail else ""
                          for num, tail in zip(numbers, _tails(part[name], column))])
        starts = [f'<row r="{num}">' for num in numbers] if heights is None else \
            [f'<row r="{num}" ht="{h:g}" customHeight="1">' for num, h in zip(numbers, heights[at:at + len(part)])]
        yield "".join([start + "".join(row) + "</row>" for start, *row in zip(starts, *cells)] if cells else
                      [start + "</row>" for start in starts])


_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


def splice(book: bytes, rows: dict[int, tuple[str, Iterable[str]]], out, level: int = 1) -> None:
    """Write `book` (an xlsx XlsxWriter made) to the binary file `out`, with each sheet `rows` names (its
    1-based position) given its data rows after what XlsxWriter wrote there, and its dimension (the
    range openpyxl's reader trusts for the sheet's size). Deflate `level` 1: the XML of a million rows is
    repetitive, and the default level took several times as long for a few per cent smaller file."""
    with zipfile.ZipFile(_bytes_io(book)) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            sheet = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if sheet is None or int(sheet.group(1)) not in rows:
                dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=level)
                continue
            dimension, chunks = rows[int(sheet.group(1))]
            text = _DIMENSION.sub(f'<dimension ref="{dimension}"/>', data.decode("utf-8"), count=1)
            text = text.replace("<sheetData/>", "<sheetData></sheetData>", 1)
            head, tail = text.split("</sheetData>", 1)
            with dst.open(info.filename, "w") as fh:      # by name: the file's deflate level, not a stored entry
                fh.write(head.encode("utf-8"))
                for chunk in chunks:
                    fh.write(chunk.encode("utf-8"))
                fh.write(("</sheetData>" + tail).encode("utf-8"))


def _bytes_io(data: bytes):
    import io
    return io.BytesIO(data)
