"""report.xlsx: the workbook a finance clerk and an auditor read (sheets named as contract.md says).

Every text cell goes through cells.xlsx_text (formula-safe, truncated past Excel's cell limit)
and is stored as a string, so no chat text ever becomes a formula.
"""

from __future__ import annotations

import io
import unicodedata

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from wgm import schema
from wgm.catalog import BY_ID
from wgm.report.cells import plain, xlsx_text
from wgm.report.machine import EVENT_COLUMNS, TASK_COLUMNS, UNPARSED_COLUMNS, summary_columns
from wgm.result import AuditResult

SHEETS = {"zh": ("汇总", "明细", "任务", "待复核", "未解析", "规则"),
          "en": ("summary", "events", "tasks", "review", "unparsed", "settings")}
LABELS_ZH = {
    "month": "月份", "member": "成员", "dept": "部门", "total_amount": "合计(元)", "disqualified": "取消评优",
    "group": "群", "rule": "规则", "clause": "条款", "count": "数量", "amount": "金额(元)", "task_id": "任务编号",
    "msg_ids": "消息编号", "ts": "时间", "confidence": "置信度", "needs_review": "待复核", "detail": "说明",
    "event_id": "事件编号", "review_reason": "复核原因", "override": "人工调整", "poster": "发布人",
    "receiver": "接收人", "kind": "类型", "posted": "发布时间", "reply_deadline": "回复截止", "replied": "回复时间",
    "promised": "承诺时间", "deadline": "要求完成", "completed": "完成时间", "verified": "验证时间",
    "escalated": "上报时间", "status": "状态", "reply_by": "要求回复时间", "task_msg_id": "任务消息",
    "reply_msg_id": "回复消息", "completion_msg_id": "完成消息", "verify_msg_id": "验证消息",
    "escalation_msg_id": "上报消息", "repost_msg_ids": "重复发布消息", "text": "内容", "source": "文件",
    "line": "行", "reason": "原因", "format_missing": "缺少要素", "after_hours": "21点后发布",
    "by_group": "分群明细(元)", "evidence": "相关消息",
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
YUAN = "#,##0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm"


def _label(column: str, lang: str) -> str:
    if lang != "zh":
        return column
    for prefix, word in (("count_", "次数"), ("amount_", "金额")):
        if column.startswith(prefix) and column[len(prefix):] in BY_ID:
            return f"{BY_ID[column[len(prefix):]].zh}{word}"
    return LABELS_ZH.get(column, column)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _write_table(ws, df: pd.DataFrame, columns: list[str], lang: str, wrap: tuple[str, ...] = ()) -> None:
    present = [c for c in columns if c in df.columns]
    ws.append([_label(c, lang) for c in present])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    widths = [_width(_label(c, lang)) + 2 for c in present]
    for row in zip(*schema.lists(df, *present)):
        values = []
        for i, (c, v) in enumerate(zip(present, row)):
            v = plain(v)
            if isinstance(v, bool):
                v = ("是" if lang == "zh" else "yes") if v else ""
            if isinstance(v, str):
                v = xlsx_text(v)
                widths[i] = max(widths[i], min(_width(v.split("\n", 1)[0]) + 2, 60))
            elif isinstance(v, float):
                widths[i] = max(widths[i], 12)
            values.append(v)
        ws.append(values)
    for i, c in enumerate(present, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = widths[i - 1]
        if c in ("amount", "total_amount") or c.startswith("amount_"):
            for cell in ws[letter][1:]:
                cell.number_format = YUAN
        if c in wrap:
            ws.column_dimensions[letter].width = 48
            for cell in ws[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if wrap:
        _fit_row_heights(ws, [i for i, c in enumerate(present, start=1) if c in wrap], 48)
        top = Alignment(vertical="top")
        for i, c in enumerate(present, start=1):      # tall rows read from the top, like their quoted text
            if c not in wrap:
                for cell in ws[get_column_letter(i)][1:]:
                    cell.alignment = top
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    ws.freeze_panes = "A2"
    total_width = sum(ws.column_dimensions[get_column_letter(i)].width or 8 for i in range(1, len(present) + 1))
    _print_setup(ws, pages_wide=max(1, round(total_width / PAGE_WIDTH)), title_cols="A:C" if len(present) > 6 else "")
    if len(present):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(present))}{max(ws.max_row, 1)}"


PAGE_WIDTH = 170      # column-width units an A4 landscape page shows at a readable scale


def _print_setup(ws, pages_wide: int = 1, title_cols: str = "") -> None:
    """A4 landscape, the header row (and the columns naming the member) on every printed page, scaled to
    `pages_wide` pages across so a row never spills onto a page of its own."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "1:1"
    if title_cols:
        ws.print_title_cols = title_cols
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = pages_wide
    ws.page_setup.fitToHeight = 0


def _fit_row_heights(ws, columns: list[int], width: int) -> None:
    """Spreadsheet apps do not always grow rows for wrapped text: set each row's height from its lines."""
    for r in range(2, ws.max_row + 1):
        lines = 1
        for col in columns:
            value = ws.cell(row=r, column=col).value
            if isinstance(value, str) and value:
                lines = max(lines, sum(-(-_width(part) // width) or 1 for part in value.split("\n")))
        ws.row_dimensions[r].height = 15 * min(lines, 30)


def _summary_sheet(ws, result: AuditResult, lang: str) -> None:
    cols = [c for c in summary_columns()
            if not c.startswith(("count_", "amount_")) or result.summary.get(c, pd.Series(dtype=float)).any()]
    _write_table(ws, result.summary, cols, lang)
    n = len(result.summary)
    if not n:
        return
    total_row = n + 2
    ws.cell(row=total_row, column=1, value="合计" if lang == "zh" else "total").font = Font(bold=True)
    for i, c in enumerate(cols, start=1):
        if c == "total_amount" or c.startswith(("amount_", "count_")):
            value = float(result.summary[c].sum())
            cell = ws.cell(row=total_row, column=i, value=round(value, 2) if not c.startswith("count_") else int(value))
            cell.font = Font(bold=True)
            if not c.startswith("count_"):
                cell.number_format = YUAN
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{n + 1}"
    # month, member and dept repeat on each printed page of the wide per-rule columns
    widths = sum(ws.column_dimensions[get_column_letter(i)].width or 8 for i in range(1, len(cols) + 1))
    _print_setup(ws, pages_wide=max(1, -(-int(widths) // PAGE_WIDTH)), title_cols="A:C")
    ws.print_area = f"A1:{get_column_letter(len(cols))}{total_row}"
    per_member = result.summary.groupby("member", sort=True)["total_amount"].sum()
    chart_at = len(cols) + 2
    ws.cell(row=1, column=chart_at, value=_label("member", lang)).font = Font(bold=True)
    ws.cell(row=1, column=chart_at + 1, value=_label("total_amount", lang)).font = Font(bold=True)
    for r, (member, total) in enumerate(per_member.items(), start=2):
        ws.cell(row=r, column=chart_at, value=xlsx_text(str(member))).data_type = "s"
        ws.cell(row=r, column=chart_at + 1, value=round(float(total), 2)).number_format = YUAN
    chart = BarChart()
    chart.type = "bar"
    chart.title = "每人考核金额（元）" if lang == "zh" else "amount per member (yuan)"
    chart.legend = None
    chart.height = max(7.5, 0.6 * len(per_member) + 3)
    data = Reference(ws, min_col=chart_at + 1, min_row=1, max_row=len(per_member) + 1)
    labels = Reference(ws, min_col=chart_at, min_row=2, max_row=len(per_member) + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(labels)
    ws.add_chart(chart, f"{get_column_letter(chart_at + 3)}2")


def _settings_sheet(ws, result: AuditResult, lang: str) -> None:
    zh = lang == "zh"
    ws.append(["项目" if zh else "key", "值" if zh else "value"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    rows = [("version", result.version), ("settings_hash", result.settings.hash),
            ("inputs_hash", result.inputs_hash), ("as_of", result.as_of), ("months", ", ".join(result.months)),
            ("settings_sources", "; ".join(result.settings.sources) or "(defaults)")]
    for info in sorted(result.inputs, key=lambda i: i.path):
        rows.append((f"input {info.path}", f"{info.fmt or 'skipped: ' + info.skipped_reason} {info.encoding} "
                                           f"lines={info.lines} messages={info.messages} unparsed={info.unparsed} "
                                           f"sha256={info.sha256}"))
    for o in result.overrides_used:
        rows.append((f"override {o['source']}:{o['line']}", f"{o['action']} {o['target']} {o['value']}: {o['reason']}"))
    for key, value in _flatten(result.settings.data):
        rows.append((key, value))
    for key, value in rows:
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        ws.append([xlsx_text(str(key)), value if numeric else xlsx_text(str(value))])
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 100
    ws.freeze_panes = "A2"
    _print_setup(ws)


def _flatten(tree, prefix: str = ""):
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _flatten(v, f"{prefix}{k}.")
    elif isinstance(tree, list):
        yield prefix.rstrip("."), ", ".join(map(str, tree))
    else:
        yield prefix.rstrip("."), tree


def _with_quoted_messages(events: pd.DataFrame, messages: pd.DataFrame) -> pd.DataFrame:
    """events + an `evidence` column: each message behind the event as 'MM-DD HH:MM 发送人：内容'."""
    if not len(events):
        return events.assign(evidence=pd.Series(dtype="str"))
    by_id = {mid: f"{ts:%m-%d %H:%M} {sender or '[系统]'}：{text}"
             for mid, ts, sender, text in zip(messages["msg_id"], messages["ts"], messages["sender"],
                                              messages["text"])}
    evidence = ["\n".join(by_id[i] for i in ids.split(";") if i in by_id) for ids in events["msg_ids"]]
    return events.assign(evidence=evidence)


def workbook(result: AuditResult, lang: str = "zh") -> bytes:
    names = SHEETS["zh" if lang == "zh" else "en"]
    wb = Workbook()
    _summary_sheet(wb.active, result, lang)
    wb.active.title = names[0]
    events = _with_quoted_messages(result.events, result.messages)
    if lang == "zh" and len(events):
        events = events.assign(rule=[f"{BY_ID[r].zh}（{r}）" for r in events["rule"]])
    detail_columns = EVENT_COLUMNS[:EVENT_COLUMNS.index("detail") + 1] + ["evidence"] + \
        EVENT_COLUMNS[EVENT_COLUMNS.index("detail") + 1:]
    _write_table(wb.create_sheet(names[1]), events, detail_columns, lang, wrap=("detail", "evidence"))
    _write_table(wb.create_sheet(names[2]), result.tasks, TASK_COLUMNS + ["format_missing", "after_hours"], lang,
                 wrap=("text",))
    review = events[events["needs_review"]] if len(events) else events
    _write_table(wb.create_sheet(names[3]), review, detail_columns, lang, wrap=("detail", "evidence"))
    _write_table(wb.create_sheet(names[4]), result.unparsed, UNPARSED_COLUMNS, lang)
    _settings_sheet(wb.create_sheet(names[5]), result, lang)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

