"""Text that is safe in a spreadsheet, and the shape of every value written to CSV/JSON/xlsx."""

from __future__ import annotations

import math
import re
from datetime import datetime

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")   # what Excel and LibreOffice read as a formula start
XLSX_MAX_CELL = 32000
TRUNCATED_NOTE = "…(已截断，全文见 CSV)"


def safe_text(value: str) -> str:
    """A leading ' stops Excel and LibreOffice from reading the cell as a formula (=, +, -, @, tab, CR)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def plain(value) -> object:
    """One cell value as machine files hold it: ISO times, '' for missing, numbers as numbers."""
    if value is None:
        return ""
    if isinstance(value, (pd.Timestamp, datetime)):
        return "" if pd.isna(value) else value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, float) and math.isnan(value):
        return ""
    if value is pd.NaT:
        return ""
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


# what a workbook cannot hold (openpyxl refuses it; Excel would call the file damaged): C0 controls but tab,
# newline and CR — written as their escapes (\x0b), so the cell shows that something was there
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(value: str) -> str:
    return _NOT_IN_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", value) if _NOT_IN_XML.search(value) else value


def xlsx_text(value: str) -> str:
    value = safe_text(xml_safe(value))
    if len(value) > XLSX_MAX_CELL:
        return value[: XLSX_MAX_CELL - len(TRUNCATED_NOTE)] + TRUNCATED_NOTE
    return value
