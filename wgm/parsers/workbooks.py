"""Excel exports (read as the text of containers.rows_text: one line a sheet row, cells tab-separated):

- `memotrace_v3_xlsx` — 留痕 / MemoTrace 3.x (formats.md §F5): sheet 聊天记录 with the columns of its CSV
  (消息ID,类型,发送人,时间,内容,备注,昵称,更多信息), read row by row as that CSV is; its 成员信息 sheet is a
  membership snapshot (wgm.membership), not messages.
- `weflow_excel` — WeFlow (§F9): metadata rows (会话信息, 微信ID, 导出工具/导出时间 …), then the header row
  `序号,时间,发送者身份,消息类型,内容` or the long one with 发送者昵称/发送者微信ID/发送者备注/群昵称; bodies as in
  WeFlow's TXT (a received text opens with a newline, a quote ends in `[引用 NAME：TEXT]`).
"""

from __future__ import annotations

from wgm.parsers._base import ParseResult, Source
from wgm.parsers.containers import line_cells
from wgm.parsers.memotrace import V3_CSV_HEADER, MemoTraceCsv
from wgm.parsers.reading import messages_frame, parse_ts, physical_lines, unparsed_frame, unparsed_row
from wgm.parsers.weflow import body_fields, weflow_group
from wgm.parsers.weflow_json import WEFLOW_TYPE_NAMES
from wgm.schema import M


def _first_cells(head: str, rows: int) -> list[list[str]]:
    return [line_cells(line) for line in physical_lines(head)[:rows]]


class MemoTraceXlsx:
    name = "memotrace_v3_xlsx"
    container = "xlsx"
    description = "留痕/MemoTrace 3.x Excel (.xlsx): sheet 聊天记录 with the CSV's columns (and 成员信息)"
    example = "消息ID | 类型 | 发送人 | 时间 | 内容 | 备注 | 昵称 | 更多信息"

    def __init__(self) -> None:
        # the rows are the CSV's: one reader for both, under this layout's name
        self._as_csv = MemoTraceCsv(self.name, V3_CSV_HEADER, self.description, self.example)

    def sniff(self, head: str) -> float:
        first = _first_cells(head, 1)
        return 0.95 if first and first[0][:len(V3_CSV_HEADER)] == V3_CSV_HEADER else 0.0

    def parse(self, src: Source) -> ParseResult:
        lines = physical_lines(src.text)
        rows, unparsed, structural = [], [], 0
        width = len(V3_CSV_HEADER)
        for n, line in enumerate(lines, 1):
            cells = line_cells(line)
            if n == 1 or not any(c.strip() for c in cells):
                structural += 1          # the header row, a blank row
                continue
            if len(cells) > width:
                unparsed.append(unparsed_row(src.path, n, f"应有 {width} 列，实有 {len(cells)} 列（expected {width} columns, got {len(cells)}）", line))
                continue
            row = self._as_csv.row(src, dict(zip(V3_CSV_HEADER, cells + [""] * (width - len(cells)))), n, n)
            if row is None:
                unparsed.append(unparsed_row(src.path, n, "没有可读的时间（no readable time）", line))
            else:
                rows.append(row)
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, len(lines),
                           structural)


WEFLOW_FIRST_COLUMNS = ["序号", "时间"]


class WeFlowExcel:
    name = "weflow_excel"
    container = "xlsx"
    description = "WeFlow Excel (.xlsx): 会话信息/导出工具 rows, then 序号,时间,发送者…,消息类型,内容"
    example = "序号 | 时间 | 发送者昵称 | 发送者微信ID | 发送者备注 | 群昵称 | 发送者身份 | 消息类型 | 内容"

    def sniff(self, head: str) -> float:
        rows = _first_cells(head, 12)
        header = next((r for r in rows if r[:2] == WEFLOW_FIRST_COLUMNS and "内容" in r), None)
        if header is None:
            return 0.0
        return 0.95 if any("WeFlow" in r for r in rows) or rows[0][:1] == ["会话信息"] else 0.8

    def parse(self, src: Source) -> ParseResult:
        lines = physical_lines(src.text)
        all_cells = [line_cells(line) for line in lines]
        at = next((i for i, r in enumerate(all_cells) if r[:2] == WEFLOW_FIRST_COLUMNS and "内容" in r), len(lines))
        meta = _metadata(all_cells[:at])
        group_id = meta.get("微信ID", "") or src.group_id_hint
        group = meta.get("昵称", "") if meta.get("昵称", "") not in ("", group_id) else weflow_group(src)
        columns = all_cells[at] if at < len(lines) else []
        rows, unparsed = [], []
        structural = min(at + 1, len(lines))       # metadata rows and the header row
        for n, cells in enumerate(all_cells[at + 1:], at + 2):
            if not any(c.strip() for c in cells):
                structural += 1
                continue
            if len(cells) > len(columns):
                unparsed.append(unparsed_row(src.path, n, f"应有 {len(columns)} 列，实有 {len(cells)} 列（expected {len(columns)} columns, got {len(cells)}）",
                                             lines[n - 1]))
                continue
            row = _weflow_row(dict(zip(columns, cells)), src, group, group_id, n)
            if isinstance(row, str):
                unparsed.append(unparsed_row(src.path, n, row, lines[n - 1]))
            else:
                rows.append(row)
        return ParseResult(messages_frame(rows), unparsed_frame(unparsed), self.name, src.encoding, len(lines),
                           structural, exported=parse_ts(meta.get("导出时间", "")))


def _metadata(rows: list[list[str]]) -> dict[str, str]:
    """The label → value pairs of WeFlow's metadata rows (微信ID | id | | 昵称 | name …)."""
    found: dict[str, str] = {}
    for row in rows:
        for k in range(0, len(row) - 1):
            label = row[k].strip()
            if label and label not in found and not label.isdigit():
                found[label] = row[k + 1].strip()
    return found


def _weflow_row(cells: dict[str, str], src: Source, group: str, group_id: str, line: int) -> dict | str:
    ts = parse_ts(cells.get("时间", "").strip())
    if ts is None:
        return "没有可读的时间（no readable time）"
    body = cells.get("内容", "")
    media, content, quote_sender, quote_text = body_fields(body)
    typed = WEFLOW_TYPE_NAMES.get(cells.get("消息类型", "").strip())
    if typed == "system" or media == "system":     # WeFlow names the group as a notice's sender
        media, sender, sender_id, quote_sender, quote_text = "system", "", "", "", ""
    else:
        media = typed if typed and media == "text" else media
        sender = cells.get("发送者身份", "") or cells.get("发送者昵称", "") or cells.get("发送者微信ID", "")
        sender_id = cells.get("发送者微信ID", "")
        if not sender:
            return "message without a sender (发送者身份 empty)"
    return {M.msg_id: "", M.group: group, M.group_id: group_id, M.ts: ts, M.sender: sender, M.sender_id: sender_id,
            M.media: media, M.text: body, M.content: content, M.quote_sender: quote_sender, M.quote_text: quote_text,
            M.source: src.path, M.line: line, M.line_end: line, M.fmt: "weflow_excel", M.precision: "s"}


MEMOTRACE_V3_XLSX = MemoTraceXlsx()
WEFLOW_EXCEL = WeFlowExcel()
PARSERS = (MEMOTRACE_V3_XLSX, WEFLOW_EXCEL)
