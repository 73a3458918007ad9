"""report.xlsx: the workbook a finance clerk and an auditor read (sheets named as contract.md says).

XlsxWriter (constant-memory mode) lays out every sheet: header row, styles, widths, frozen panes,
filters, the review drop-downs, print setup and the charts; the data rows are encoded a column at a
time by wgm.report.sheetrows and put in place (a million-message year is millions of cells). Every
text cell is formula-safe and stored as a string (cells.xlsx_text), times are real date-time cells,
amounts numbers in a money format, and headers sit as their column's values do (right over numbers).
Nothing here adds months together: 汇总 and 扣款 have one total row per month.
"""

from __future__ import annotations

import io
import re
import tempfile
from typing import Iterable, Iterator

import pandas as pd
import xlsxwriter

from wgm.catalog import BY_ID
from wgm.coverage import BASIS_ZH
from wgm.report import deductions as deductions_mod
from wgm.report.cells import xlsx_text
from wgm.report.machine import EVENT_COLUMNS, TASK_COLUMNS, UNPARSED_COLUMNS, summary_columns
from wgm.report.sheetrows import Column, row_chunks, splice
from wgm.result import AuditResult

SHEETS = {"zh": ("汇总", "扣款", "明细", "任务", "待复核", "未解析", "规则"),
          "en": ("summary", "deductions", "events", "tasks", "review", "unparsed", "settings")}
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
    "by_group": "分群明细(元)", "evidence": "相关消息", "decision": "复核结论", "decision_reason": "理由", "member_id": "工号", "possible": "疑似(未计)", "not_judged": "未考核(导出后到期)", "coverage": "覆盖说明",
}
# the 扣款 sheet's own words (its columns mean what deductions.py says, not what the events' do)
DEDUCTION_LABELS = {"zh": deductions_mod.LABELS_ZH, "en": {c: c for c in deductions_mod.COLUMNS}}
MONEY = "#,##0.00"
DATE_TIME = "yyyy-mm-dd hh:mm:ss"
WIDTH_SAMPLE = 2000   # rows looked at to size a column: widths are capped anyway, and a sheet may hold 10^6
PAGE_WIDTH = 170      # column-width units an A4 landscape page shows at a readable scale
WRAP_WIDTH = 48
CHART_BARS = 30       # members a month's chart shows (the largest deductions): more bars cannot be read
ROW_PIXELS = 20       # Excel's default row height


def _label(column: str, lang: str) -> str:
    if lang != "zh":
        return column
    for prefix, word in (("count_", "次数"), ("amount_", "金额")):
        if column.startswith(prefix) and column[len(prefix):] in BY_ID:
            return f"{BY_ID[column[len(prefix):]].zh}{word}"
    return LABELS_ZH.get(column, column)


_WIDE = re.compile("[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
                   "\U0001f300-\U0001faff\U00020000-\U0003fffd]")


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return len(text) + len(_WIDE.findall(text))


def _letter(index: int) -> str:
    return xlsxwriter.utility.xl_col_to_name(index)


class _Styles:
    """The workbook's formats, each with the index its cells name (the rows are written outside XlsxWriter,
    so a format's index is taken when it is made rather than when XlsxWriter first sees it used)."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        head = {"bold": True, "bg_color": "#DDEBF7", "valign": "top"}
        self.header = book.add_format(head)
        self.header_right = book.add_format({**head, "align": "right"})
        self.money = book.add_format({"num_format": MONEY})
        self.date = book.add_format({"num_format": DATE_TIME})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.bold = book.add_format({"bold": True})
        self.bold_money = book.add_format({"bold": True, "num_format": MONEY})
        for f in (self.header, self.header_right, self.money, self.date, self.wrap, self.bold, self.bold_money):
            f._get_xf_index()

    @staticmethod
    def index(fmt) -> int:
        return 0 if fmt is None else fmt.xf_index or 0


class _Sheets:
    """What is spliced into the book once XlsxWriter has written it: per sheet, its range and its rows."""

    def __init__(self) -> None:
        self.rows: dict[int, tuple[str, Iterable[str]]] = {}

    def add(self, ws, last_col: int, last_row: int, chunks: Iterable[str]) -> None:
        self.rows[ws.index + 1] = (f"A1:{_letter(max(last_col, 0))}{max(last_row, 1)}", chunks)


def _is_money(column: str) -> bool:
    return column in ("amount", "total_amount") or column.startswith("amount_")


def _columns(df: pd.DataFrame, present: list[str], styles: _Styles, lang: str, wrap: tuple[str, ...] = (),
             bold: bool = False) -> dict[str, Column]:
    """How each column's cells are written: times as dates, flags as 是, numbers (amounts as money)."""
    out = {}
    yes = "是" if lang == "zh" else "yes"
    for i, c in enumerate(present):
        series = df[c]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[c] = Column(_letter(i), "date", styles.index(styles.date))
        elif pd.api.types.is_bool_dtype(series):
            out[c] = Column(_letter(i), "flag", styles.index(styles.bold if bold else None), yes=yes)
        elif pd.api.types.is_integer_dtype(series) or pd.api.types.is_float_dtype(series):
            money = styles.bold_money if bold else styles.money
            out[c] = Column(_letter(i), "number", styles.index(money) if _is_money(c) else
                            styles.index(styles.bold if bold else None))
        else:
            out[c] = Column(_letter(i), "text", styles.index(styles.wrap) if c in wrap else
                            styles.index(styles.bold if bold else None))
    return out


def _header(ws, df: pd.DataFrame, present: list[str], labels: list[str], styles: _Styles,
            wrap: tuple[str, ...]) -> list[int]:
    """The header row, right-aligned over numbers and times, and each column's width and default format
    (from a sample of its rows). Returns the widths."""
    widths = []
    for i, (c, label) in enumerate(zip(present, labels)):
        series = df[c]
        numeric = (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)) or \
            pd.api.types.is_datetime64_any_dtype(series)
        ws.write_string(0, i, xlsx_text(label), styles.header_right if numeric else styles.header)
        w = _width(label) * 6 // 5 + 2     # a bold CJK header is wider than two columns a character
        if pd.api.types.is_datetime64_any_dtype(series):
            w = max(w, 21)
        elif pd.api.types.is_float_dtype(series):
            w = max(w, 12)
        elif not numeric:
            for v in series.iloc[:WIDTH_SAMPLE].tolist():
                if isinstance(v, str) and v:
                    w = max(w, min(_width(v.split("\n", 1)[0]) + 2, 60))
        w = WRAP_WIDTH if c in wrap else w
        fmt = styles.wrap if c in wrap else styles.date if pd.api.types.is_datetime64_any_dtype(series) else \
            styles.money if _is_money(c) else None
        ws.set_column(i, i, w, fmt)
        widths.append(w)
    return widths


def _heights(df: pd.DataFrame, wrap: tuple[str, ...]) -> list[float] | None:
    """Each row's height for its wrapped text (spreadsheet apps do not always grow a row for it): the
    lines of its longest wrapped cell, counting a character as two columns, at most 30 lines."""
    cols = [c for c in wrap if c in df.columns]
    if not cols or not len(df):
        return None
    lines = None
    for c in cols:
        text = df[c].fillna("").astype(str)
        mine = text.str.count("\n") + 1 + (text.str.len() * 2) // WRAP_WIDTH
        lines = mine if lines is None else lines.where(lines >= mine, mine)
    assert lines is not None
    return (15 * lines.clip(upper=30)).astype(float).tolist()


def _print_setup(ws, pages_wide: int = 1, title_cols: tuple[int, int] | None = None) -> None:
    """A4 landscape, the header row (and the columns naming the member) on every printed page, scaled to
    `pages_wide` pages across so a row never spills onto a page of its own."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(0)
    if title_cols:
        ws.repeat_columns(*title_cols)
    ws.fit_to_pages(pages_wide, 0)


def _table(ws, df: pd.DataFrame, columns: list[str], lang: str, styles: _Styles, spliced: _Sheets,
           wrap: tuple[str, ...] = (), labels: dict[str, str] | None = None) -> list[int]:
    """A plain table: header, then every row (spliced in), a filter over it and the header frozen."""
    present = [c for c in columns if c in df.columns]
    names = [labels[c] if labels else _label(c, lang) for c in present]
    widths = _header(ws, df, present, names, styles, wrap)
    chunks = row_chunks(df, _columns(df, present, styles, lang, wrap), 2, _heights(df, wrap))   # encoded when zipped
    spliced.add(ws, len(present) - 1, len(df) + 1, chunks)
    ws.freeze_panes(1, 0)
    if present:
        ws.autofilter(0, 0, max(len(df), 1), len(present) - 1)
    _print_setup(ws, pages_wide=max(1, round(sum(widths) / PAGE_WIDTH)),
                 title_cols=(0, 2) if len(present) > 6 else None)
    return widths


def _month_blocks(ws, table: pd.DataFrame, present: list[str], lang: str, styles: _Styles, spliced: _Sheets,
                  total_label_at: int, sums: list[str], gap=lambda rows: 0) -> tuple[list[tuple[str, int, int]], int]:
    """Rows month by month, each month closed by its own total row (月份 | 合计 | the sums); `gap(rows)`:
    empty rows after a month (room for its chart). Returns (month, first row, last row) of each month's
    member rows, 0-based, and the number of rows the sheet then has."""
    data_cols = _columns(table, present, styles, lang)
    chunks: list[str] = []
    spans: list[tuple[str, int, int]] = []
    row = 1
    for month, rows in table.groupby("month", sort=True):
        rows = rows.reset_index(drop=True)
        chunks += row_chunks(rows, data_cols, row + 1)
        spans.append((str(month), row, row + len(rows) - 1))
        row += len(rows)
        total = {c: rows[c].sum() for c in sums}
        line = pd.DataFrame({c: [total[c]] if c in total else [""] for c in present}).astype(
            {c: rows[c].dtype for c in sums})
        line["month"] = str(month)
        line[present[total_label_at]] = "合计" if lang == "zh" else "total"
        chunks += row_chunks(line, _columns(line, present, styles, lang, bold=True), row + 1)
        row += 1 + gap(len(rows))
    spliced.add(ws, len(present) - 1, row, chunks)
    return spans, row


def _summary_sheet(ws, result: AuditResult, lang: str, styles: _Styles, spliced: _Sheets) -> None:
    """One row per member and month, each month closed by its total (never one adding months); 月份,
    成员 and 部门 frozen beside the wide per-rule columns and repeated on every printed page."""
    summary = result.summary.assign(coverage=result.summary["month"].map(coverage_notes(result)).fillna(""))
    cols = [c for c in summary_columns() + ["coverage"] if c in summary.columns
            and (not c.startswith(("count_", "amount_")) or summary[c].any())]
    table = summary[cols].reset_index(drop=True)
    widths = _header(ws, table, cols, [_label(c, lang) for c in cols], styles, ())
    sums = [c for c in cols if c == "total_amount" or c.startswith(("count_", "amount_"))]
    _, rows = _month_blocks(ws, table, cols, lang, styles, spliced, total_label_at=1, sums=sums)
    ws.freeze_panes(1, 3)
    ws.autofilter(0, 0, max(rows - 1, 1), len(cols) - 1)
    _print_setup(ws, pages_wide=max(1, -(-int(sum(widths)) // PAGE_WIDTH)), title_cols=(0, 2))


def _deduction_sheet(book, ws, result: AuditResult, lang: str, styles: _Styles, spliced: _Sheets) -> None:
    """扣款: what finance takes from each wage, month by month with a total per month, and beside each
    month a chart of its largest deductions (the chart's data is the month's own rows)."""
    table = deductions_mod.deductions(result)
    present = list(deductions_mod.COLUMNS)
    labels = DEDUCTION_LABELS["zh" if lang == "zh" else "en"]
    widths = _header(ws, table, present, [labels[c] for c in present], styles, ())

    def chart_rows(members: int) -> int:
        return -(-_chart_height(min(members, CHART_BARS)) // ROW_PIXELS)

    spans, rows = _month_blocks(ws, table, present, lang, styles, spliced, total_label_at=1,
                          sums=["amount", "events", "needs_review"],
                          gap=lambda members: max(1, chart_rows(members) - members))
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, max(rows - 1, 1), len(present) - 1)
    _print_setup(ws, pages_wide=max(1, round(sum(widths) / PAGE_WIDTH)))
    name_col, amount_col = present.index("member"), present.index("amount")
    for month, first, last in spans:
        amounts = table.loc[table["month"] == month, "amount"]
        bars = min(int((amounts > 0).sum()), CHART_BARS)
        if not bars:
            continue
        chart = book.add_chart({"type": "bar"})
        chart.add_series({"categories": [ws.name, first, name_col, first + bars - 1, name_col],
                          "values": [ws.name, first, amount_col, first + bars - 1, amount_col],
                          "name": labels["amount"], "data_labels": {"value": True, "num_format": MONEY}})
        y, m = month.split("-")
        top = f"（前{CHART_BARS}名）" if len(amounts) > bars and bars == CHART_BARS else ""
        chart.set_title({"name": f"{int(y)}年{int(m)}月 扣款金额（元）{top}" if lang == "zh"
                         else f"{month} deductions (yuan)", "name_font": {"size": 11}})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})        # the largest deduction on top, as in the table
        chart.set_size({"width": 520, "height": _chart_height(bars)})
        ws.insert_chart(first, len(present) + 1, chart)


def _chart_height(bars: int) -> int:
    return max(240, 22 * bars + 80)


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


def _settings_sheet(ws, result: AuditResult, lang: str, styles: _Styles) -> None:
    zh = lang == "zh"
    ws.set_column(0, 0, 42)
    ws.set_column(1, 1, 100)
    ws.freeze_panes(1, 0)
    ws.write_string(0, 0, "项目" if zh else "key", styles.header)
    ws.write_string(0, 1, "值" if zh else "value", styles.header)
    rows: list[tuple[str, object]] = [
        ("version", result.version), ("settings_hash", result.settings.hash), ("inputs_hash", result.inputs_hash),
        ("as_of", pd.Timestamp(result.as_of).to_pydatetime() if result.as_of else ""),
        ("months", ", ".join(result.months)),
        ("settings_sources", "; ".join(result.settings.sources) or "(defaults)")]
    for info in sorted(result.inputs, key=lambda i: i.path):
        rows.append((f"input {info.path}", f"{info.fmt or 'skipped: ' + info.skipped_reason} {info.encoding} "
                                           f"lines={info.lines} messages={info.messages} unparsed={info.unparsed} "
                                           f"sha256={info.sha256}"))
    for cov in result.coverage:
        months = "；".join(f"{m} {cov.month(m).status} {cov.month(m).dates_zh()}".rstrip() for m in result.months)
        rows.append((f"coverage {cov.group}", f"导出于 {cov.until:%Y-%m-%d %H:%M:%S}（{BASIS_ZH[cov.basis]}），"
                                              f"消息 {cov.first:%Y-%m-%d %H:%M} 至 {cov.last:%Y-%m-%d %H:%M}；{months}"))
    rows += [("incomplete", reason) for reason in result.incomplete]
    rows += [("warning", warning) for warning in result.warnings]
    for o in result.overrides_used:
        rows.append((f"override {o['source']}:{o['line']}", f"{o['action']} {o['target']} {o['value']}: {o['reason']}"))
    rows += list(_flatten(result.settings.data))
    for r, (key, value) in enumerate(rows, start=1):
        ws.write_string(r, 0, xlsx_text(str(key)))
        if hasattr(value, "year") and hasattr(value, "hour"):
            ws.write_datetime(r, 1, value, styles.date)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(r, 1, value)
        else:
            ws.write_string(r, 1, xlsx_text(str(value)))
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
    """events + an `evidence` column: each message behind the event as 'MM-DD HH:MM 发送人：内容' (only
    the messages some event names are spelled out)."""
    if not len(events):
        return events.assign(evidence=pd.Series(dtype="str"))
    wanted = set(";".join(events["msg_ids"]).split(";"))
    quoted = messages[messages["msg_id"].isin(wanted)]
    by_id = {mid: f"{ts:%m-%d %H:%M} {sender or '[系统]'}：{text}"
             for mid, ts, sender, text in zip(quoted["msg_id"], quoted["ts"], quoted["sender"], quoted["text"])}
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
    ws.data_validation(1, 0, max(rows, 1) + 199, 0, {   # room for rows an admin adds below (they match no event)
        "validate": "list", "source": list(DECISIONS), "ignore_blank": True,
        "error_title": "复核结论", "error_message": "请选择 确认、驳回 或 免除",
        "input_title": "复核结论", "input_message": "确认：事件成立；驳回：事件不成立；免除：事件成立但免于处罚（须填理由）"})


def workbook(result: AuditResult, lang: str = "zh") -> bytes:
    return b"".join(workbook_chunks(result, lang))


def workbook_chunks(result: AuditResult, lang: str = "zh") -> Iterator[bytes]:
    """report.xlsx in pieces, made only as it is written: the rows are encoded while they are zipped, into
    a temporary file, so the whole book is never in memory (a million-message year is hundreds of MB)."""
    names = SHEETS["zh" if lang == "zh" else "en"]
    skeleton = io.BytesIO()
    book = xlsxwriter.Workbook(skeleton, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False})
    styles, spliced = _Styles(book), _Sheets()
    sheets = [book.add_worksheet(name) for name in names]
    _summary_sheet(sheets[0], result, lang, styles, spliced)
    _deduction_sheet(book, sheets[1], result, lang, styles, spliced)
    events = _with_quoted_messages(result.events, result.messages)
    if lang == "zh" and len(events):
        events = events.assign(rule=events["rule"].map({r: f"{BY_ID[r].zh}（{r}）" for r in BY_ID}).fillna(events["rule"]))
    events = _with_decisions(events)
    detail_columns = ["decision", "decision_reason"] + EVENT_COLUMNS[:EVENT_COLUMNS.index("detail") + 1] + \
        ["evidence"] + EVENT_COLUMNS[EVENT_COLUMNS.index("detail") + 1:]
    _table(sheets[2], events, detail_columns, lang, styles, spliced, wrap=("detail", "evidence"))
    _decision_list(sheets[2], len(events))
    _table(sheets[3], result.tasks, TASK_COLUMNS + ["format_missing", "after_hours"], lang, styles, spliced,
           wrap=("text",))
    review = events[events["needs_review"]].reset_index(drop=True) if len(events) else events
    _table(sheets[4], review, detail_columns, lang, styles, spliced, wrap=("detail", "evidence"))
    _decision_list(sheets[4], len(review))
    _table(sheets[5], result.unparsed, UNPARSED_COLUMNS, lang, styles, spliced)
    _settings_sheet(sheets[6], result, lang, styles)
    book.close()
    with tempfile.TemporaryFile(prefix=".wgm-xlsx-") as out:
        splice(skeleton.getvalue(), spliced.rows, out)
        out.seek(0)
        while chunk := out.read(1 << 22):
            yield chunk
