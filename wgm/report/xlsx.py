"""report.xlsx: the workbook a finance clerk and an auditor read (sheets named as contract.md says).

Every text cell goes through cells.xlsx_text (formula-safe, truncated past Excel's cell limit)
and is stored as a string, so no chat text ever becomes a formula.
"""

from __future__ import annotations

import io
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from wgm.catalog import BY_ID
from wgm.coverage import BASIS_ZH
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
    "by_group": "分群明细(元)", "evidence": "相关消息", "decision": "复核结论", "decision_reason": "理由", "member_id": "工号", "not_judged": "未考核(导出后到期)", "coverage": "覆盖说明",
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
YUAN = "#,##0.00"


_GAP, _CHART_MEMBER, _CHART_AMOUNT = "_gap", "_chart_member", "_chart_amount"
_CHART_LABELS = {"zh": {_GAP: "", _CHART_MEMBER: "成员", _CHART_AMOUNT: "合计(元)"},
                 "en": {_GAP: "", _CHART_MEMBER: "member", _CHART_AMOUNT: "total_amount"}}


def _label(column: str, lang: str) -> str:
    if column in _CHART_LABELS["zh"]:
        return _CHART_LABELS["zh" if lang == "zh" else "en"][column]
    if lang != "zh":
        return column
    for prefix, word in (("count_", "次数"), ("amount_", "金额")):
        if column.startswith(prefix) and column[len(prefix):] in BY_ID:
            return f"{BY_ID[column[len(prefix):]].zh}{word}"
    return LABELS_ZH.get(column, column)


_WIDE = re.compile("[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
                   "\U0001f300-\U0001faff\U00020000-\U0003fffd]")
WIDTH_SAMPLE = 2000   # rows looked at to size a column: widths are capped anyway, and a sheet may hold 10^6
PAGE_WIDTH = 170      # column-width units an A4 landscape page shows at a readable scale


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return len(text) + len(_WIDE.findall(text))


def _header(ws, labels: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for label in labels:
        cell = WriteOnlyCell(ws, value=xlsx_text(label))
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cells.append(cell)
    return cells


def _column_values(series: pd.Series, lang: str) -> list:
    """One column as cell values, a whole column at a time: text formula-safe and within Excel's cell limit,
    times as ISO text, yes/no for flags, numbers as numbers."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("").tolist()
    if pd.api.types.is_bool_dtype(series):
        yes = "是" if lang == "zh" else "yes"
        return [yes if v else "" for v in series.tolist()]
    if pd.api.types.is_integer_dtype(series) or pd.api.types.is_float_dtype(series):
        return [plain(v) for v in series.tolist()]
    return [xlsx_text(v) if isinstance(v, str) else plain(v) for v in series.tolist()]


def _write_table(ws, df: pd.DataFrame, columns: list[str], lang: str, wrap: tuple[str, ...] = (),
                 extra_rows: list[list] | None = None, title_cols: str | None = None) -> list[int]:
    """Stream a table into a write-only sheet: header, rows, then `extra_rows` (a totals row). Widths come
    from a sample of the rows, so they are set before the first row is written. Returns the widths."""
    present = [c for c in columns if c in df.columns]
    values = [_column_values(df[c], lang) for c in present]
    widths = []
    for c, col in zip(present, values):
        w = _width(_label(c, lang)) + 2
        for v in col[:WIDTH_SAMPLE]:
            if isinstance(v, str):
                w = max(w, min(_width(v.split("\n", 1)[0]) + 2, 60))
            elif isinstance(v, float):
                w = max(w, 12)
        widths.append(48 if c in wrap else w)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    ws.sheet_properties.pageSetUpPr.fitToPage = True    # a write-only sheet writes its properties first
    money = {i for i, c in enumerate(present) if c in ("amount", "total_amount", _CHART_AMOUNT)
             or c.startswith("amount_")}
    wrapped = {i for i, c in enumerate(present) if c in wrap}
    ws.append(_header(ws, [_label(c, lang) for c in present]))
    for r, row in enumerate(zip(*values), start=2):
        cells: list = list(row)
        for i in money:
            cells[i] = WriteOnlyCell(ws, value=row[i])
            cells[i].number_format = YUAN
        if wrapped:
            lines = 1
            for i in wrapped:
                cells[i] = WriteOnlyCell(ws, value=row[i])
                cells[i].alignment = WRAP_TOP
                if isinstance(row[i], str) and row[i]:
                    lines = max(lines, sum(-(-_width(part) // 48) or 1 for part in row[i].split("\n")))
            # spreadsheet apps do not always grow a row for wrapped text: give it the height of its lines
            ws.row_dimensions[r].height = 15 * min(lines, 30)
        ws.append(cells)
    for extra in extra_rows or []:
        ws.append(extra)
    if present:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(present))}{len(df) + 1}"
    pages = max(1, round(sum(widths) / PAGE_WIDTH))
    _print_setup(ws, pages_wide=pages, title_cols=title_cols if title_cols is not None
                 else ("A:C" if len(present) > 6 else ""))
    return widths


def _print_setup(ws, pages_wide: int = 1, title_cols: str = "") -> None:
    """A4 landscape, the header row (and the columns naming the member) on every printed page, scaled to
    `pages_wide` pages across so a row never spills onto a page of its own."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.print_title_rows = "1:1"
    if title_cols:
        ws.print_title_cols = title_cols
    ws.page_setup.fitToWidth = pages_wide
    ws.page_setup.fitToHeight = 0


def _summary_sheet(ws, result: AuditResult, lang: str) -> None:
    """One row per member and month, a totals row, and a bar chart of each member's amount (its data sits
    to the right of the table, after an empty column, in the table's first rows)."""
    summary = result.summary.assign(coverage=result.summary["month"].map(coverage_notes(result)).fillna(""))
    cols = [c for c in summary_columns() + ["coverage"] if c in summary.columns
            and (not c.startswith(("count_", "amount_")) or summary[c].any())]
    n = len(summary)
    per_member = summary.groupby("member", sort=True)["total_amount"].sum() if n else pd.Series(dtype=float)
    table = summary[cols].reset_index(drop=True)
    table[_GAP] = None
    table[_CHART_MEMBER] = pd.Series([str(m) for m in per_member.index] + [None] * (n - len(per_member)),
                                     dtype=object)
    table[_CHART_AMOUNT] = pd.Series([round(float(t), 2) for t in per_member] + [None] * (n - len(per_member)),
                                     dtype=object)
    totals = []
    if n:
        row: list = [None] * len(cols)
        for i, c in enumerate(cols):
            if c == "total_amount" or c.startswith(("amount_", "count_")):
                value = float(summary[c].sum())
                total = WriteOnlyCell(ws, value=int(value) if c.startswith("count_") else round(value, 2))
                total.font = BOLD
                if not c.startswith("count_"):
                    total.number_format = YUAN
                row[i] = total
        label = WriteOnlyCell(ws, value="合计" if lang == "zh" else "total")
        label.font = BOLD
        row[0] = label
        totals = [row]
    widths = _write_table(ws, table, [*cols, _GAP, _CHART_MEMBER, _CHART_AMOUNT], lang, extra_rows=totals)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{n + 1}"
    # month, member and dept repeat on each printed page of the wide per-rule columns; the chart's data is
    # not printed
    _print_setup(ws, pages_wide=max(1, -(-int(sum(widths[:len(cols)])) // PAGE_WIDTH)), title_cols="A:C")
    ws.print_area = f"A1:{get_column_letter(len(cols))}{n + 2}"
    if not n:
        return
    chart_at = len(cols) + 2
    chart = BarChart()
    chart.type = "bar"
    chart.title = "每人考核金额（元）" if lang == "zh" else "amount per member (yuan)"
    chart.legend = None
    chart.height = max(7.5, 0.6 * len(per_member) + 3)
    chart.add_data(Reference(ws, min_col=chart_at + 1, min_row=1, max_row=len(per_member) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=chart_at, min_row=2, max_row=len(per_member) + 1))
    ws.add_chart(chart, f"{get_column_letter(chart_at + 3)}2")


def coverage_notes(result: AuditResult) -> dict[str, str]:
    """month → what of it the exports do not cover, group by group ("" when every group covers it whole)."""
    notes = {}
    for month in result.months:
        parts = []
        for cov in result.coverage:
            state = cov.month(month)
            if state.status == "partial":
                parts.append(f"{cov.group} 仅含{state.dates_zh()}")
            elif state.status == "missing":
                parts.append(f"{cov.group} 导出未覆盖本月")
        notes[month] = "；".join(parts)
    return notes


def _settings_sheet(ws, result: AuditResult, lang: str) -> None:
    zh = lang == "zh"
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 100
    ws.freeze_panes = "A2"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.append(_header(ws, ["项目" if zh else "key", "值" if zh else "value"]))
    rows = [("version", result.version), ("settings_hash", result.settings.hash),
            ("inputs_hash", result.inputs_hash), ("as_of", result.as_of), ("months", ", ".join(result.months)),
            ("settings_sources", "; ".join(result.settings.sources) or "(defaults)")]
    for info in sorted(result.inputs, key=lambda i: i.path):
        rows.append((f"input {info.path}", f"{info.fmt or 'skipped: ' + info.skipped_reason} {info.encoding} "
                                           f"lines={info.lines} messages={info.messages} unparsed={info.unparsed} "
                                           f"sha256={info.sha256}"))
    for cov in result.coverage:
        months = "；".join(f"{m} {cov.month(m).status} {cov.month(m).dates_zh()}".rstrip() for m in result.months)
        rows.append((f"coverage {cov.group}", f"导出于 {cov.until:%Y-%m-%d %H:%M:%S}（{BASIS_ZH[cov.basis]}），"
                                              f"消息 {cov.first:%Y-%m-%d %H:%M} 至 {cov.last:%Y-%m-%d %H:%M}；{months}"))
    for reason in result.incomplete:
        rows.append(("incomplete", reason))
    for warning in result.warnings:
        rows.append(("warning", warning))
    for o in result.overrides_used:
        rows.append((f"override {o['source']}:{o['line']}", f"{o['action']} {o['target']} {o['value']}: {o['reason']}"))
    for key, value in _flatten(result.settings.data):
        rows.append((key, value))
    for key, value in rows:
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        ws.append([xlsx_text(str(key)), value if numeric else xlsx_text(str(value))])
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


# what an admin types into 复核结论, and the override action it stands for (records.workbook_overrides reads it)
DECISIONS = {"确认": "confirm", "驳回": "dismiss", "免除": "waive"}
_DECISION_OF = {action: word for word, action in DECISIONS.items()}


def _with_decisions(events: pd.DataFrame) -> pd.DataFrame:
    """events + 复核结论 / 理由, filled where an override already decided the event (so that the next
    workbook, read back with --overrides, keeps the decision)."""
    decision, reason = [], []
    for note in events["override"].tolist() if len(events) else []:
        action, _, why = note.partition(": ")
        word = _DECISION_OF.get(action, "")
        decision.append(word)
        reason.append(why if word else "")
    return events.assign(decision=pd.Series(decision, index=events.index, dtype="str"),
                         decision_reason=pd.Series(reason, index=events.index, dtype="str"))


def _decision_list(ws, rows: int) -> None:
    """A drop-down of the decisions in the first column (复核结论) of an events sheet."""
    from openpyxl.worksheet.datavalidation import DataValidation
    choices = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle="复核结论", error="请选择 确认、驳回 或 免除",
                             promptTitle="复核结论", prompt="确认：事件成立；驳回：事件不成立；免除：事件成立但免于处罚（须填理由）",
                             showInputMessage=True)
    choices.add(f"A2:A{max(rows, 1) + 200}")      # room for rows an admin adds below (they match no event)
    ws.data_validations.append(choices)


def workbook(result: AuditResult, lang: str = "zh") -> bytes:
    names = SHEETS["zh" if lang == "zh" else "en"]
    wb = Workbook(write_only=True)      # rows stream to disk as written: 明细 and 任务 may be very long
    _summary_sheet(wb.create_sheet(names[0]), result, lang)
    events = _with_quoted_messages(result.events, result.messages)
    if lang == "zh" and len(events):
        events = events.assign(rule=[f"{BY_ID[r].zh}（{r}）" for r in events["rule"]])
    events = _with_decisions(events)
    detail_columns = ["decision", "decision_reason"] + EVENT_COLUMNS[:EVENT_COLUMNS.index("detail") + 1] + \
        ["evidence"] + EVENT_COLUMNS[EVENT_COLUMNS.index("detail") + 1:]
    sheet = wb.create_sheet(names[1])
    _write_table(sheet, events, detail_columns, lang, wrap=("detail", "evidence"))
    _decision_list(sheet, len(events))
    _write_table(wb.create_sheet(names[2]), result.tasks, TASK_COLUMNS + ["format_missing", "after_hours"], lang,
                 wrap=("text",))
    review = events[events["needs_review"]] if len(events) else events
    sheet = wb.create_sheet(names[3])
    _write_table(sheet, review, detail_columns, lang, wrap=("detail", "evidence"))
    _decision_list(sheet, len(review))
    _write_table(wb.create_sheet(names[4]), result.unparsed, UNPARSED_COLUMNS, lang)
    _settings_sheet(wb.create_sheet(names[5]), result, lang)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

