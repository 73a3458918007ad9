"""The written files: workbook sheets and layout, the output lock, atomic replacement."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from wgm import api, report
from wgm.errors import UsageError
from wgm.report import atomic
from wgm.report.atomic import OutputLock, write_atomic

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_exports"


@pytest.fixture(scope="module")
def sample_result():
    return api.audit([SAMPLES], api.Options(roster=SAMPLES / "roster.yaml", incidents=SAMPLES / "incidents.yaml",
                                            members=SAMPLES / "members.csv", as_of=datetime(2026, 11, 2, 18, 0)))


@pytest.fixture(scope="module")
def workbook(sample_result, tmp_path_factory):
    out = tmp_path_factory.mktemp("wb")
    report.write(sample_result, out, {"xlsx"})
    return openpyxl.load_workbook(out / "report.xlsx")


def test_sheets_as_the_contract_names_them(workbook):
    assert workbook.sheetnames == ["汇总", "扣款", "明细", "任务", "待复核", "未解析", "规则"]


def _rows(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True) if any(row)]


def test_summary_sheet_layout(workbook, sample_result):
    ws = workbook["汇总"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["月份", "成员", "部门", "合计(元)", "取消评优"]
    assert ws.freeze_panes == "D2" and ws.auto_filter.ref.startswith("A1:")    # 月份, 成员, 部门 stay in view
    assert ws.cell(row=2, column=4).number_format == "#,##0.00"
    members = [r for r in _rows(ws) if r["成员"] != "合计"]
    assert len(members) == len(sample_result.summary)
    assert {r["成员"]: r["取消评优"] for r in members}["郑凯"] == "是"


def test_summary_and_deductions_total_each_month_and_never_add_months(workbook, sample_result):
    months = sorted(set(sample_result.summary["month"]))
    assert len(months) == 2                              # October and the November of the sample's exports
    per_month = sample_result.summary.groupby("month")["total_amount"].sum()
    for sheet, name, amount in (("汇总", "成员", "合计(元)"), ("扣款", "姓名", "扣款金额(元)")):
        rows = _rows(workbook[sheet])
        totals = [r for r in rows if r[name] == "合计"]
        assert [t["月份"] for t in totals] == months, sheet
        for t in totals:
            assert t[amount] == pytest.approx(per_month[t["月份"]]), sheet
            assert t[amount] == pytest.approx(sum(r[amount] for r in rows if r["月份"] == t["月份"] and r is not t))
        assert not any(r[amount] == pytest.approx(per_month.sum()) for r in rows), sheet   # no all-months total


def test_the_deduction_sheet_has_one_row_per_member_and_month_for_finance(workbook, sample_result):
    ws = workbook["扣款"]
    assert [c.value for c in ws[1]] == ["工号", "姓名", "部门", "月份", "扣款金额(元)", "事件数", "待复核数", "取消评优"]
    assert ws.freeze_panes == "C2"
    rows = [r for r in _rows(ws) if r["姓名"] != "合计"]
    events = sample_result.events
    for r in rows:
        mine = events[(events["member"] == r["姓名"]) & (events["month"] == r["月份"])]
        assert r["事件数"] == len(mine) and r["待复核数"] == int(mine["needs_review"].sum())
        assert r["扣款金额(元)"] == pytest.approx(mine["amount"].sum())
    assert {(r["姓名"], r["月份"]) for r in rows} == set(zip(sample_result.summary["member"],
                                                            sample_result.summary["month"]))
    assert ws.cell(row=2, column=5).number_format == "#,##0.00"
    # one chart per month, beside the table (not dozens of columns away), each over its own month's rows
    charts = ws._charts
    assert len(charts) == 2 and all(c.anchor._from.col <= 10 for c in charts)
    refs = [c.series[0].val.numRef.f for c in charts]
    month_of = {i: r[3] for i, r in enumerate(ws.iter_rows(values_only=True), start=1)}
    for ref in refs:
        cells = [int(x) for x in ref.replace("$", "").split("!")[1].replace("E", "").split(":")]
        first, last = cells[0], cells[-1]
        assert len({month_of[i] for i in range(first, last + 1)}) == 1, ref


def test_times_are_date_cells_and_headers_sit_over_their_numbers(workbook):
    tasks = workbook["任务"]
    header = [c.value for c in tasks[1]]
    posted = header.index("发布时间") + 1
    cells = [tasks.cell(row=r, column=posted) for r in range(2, tasks.max_row + 1)]
    assert cells and all(isinstance(c.value, datetime) and c.is_date for c in cells)
    detail = workbook["明细"]
    header = [c.value for c in detail[1]]
    assert isinstance(detail.cell(row=2, column=header.index("时间") + 1).value, datetime)
    assert detail.cell(row=1, column=header.index("金额(元)") + 1).alignment.horizontal == "right"
    assert detail.cell(row=1, column=header.index("时间") + 1).alignment.horizontal == "right"
    assert detail.cell(row=1, column=header.index("成员") + 1).alignment.horizontal in (None, "general", "left")
    settings = {r[0].value: r[1].value for r in workbook["规则"].iter_rows(min_row=2)}
    assert settings["as_of"] == datetime(2026, 11, 2, 18, 0)


def test_the_decision_column_offers_the_three_decisions(workbook):
    for sheet in ("明细", "待复核"):
        rules = workbook[sheet].data_validations.dataValidation
        assert len(rules) == 1 and rules[0].type == "list" and rules[0].formula1 == '"确认,驳回,免除"', sheet
        assert str(rules[0].sqref).startswith("A2:A"), sheet


def test_detail_and_review_sheets_hold_the_events(workbook, sample_result):
    detail = workbook["明细"]
    assert detail.max_row == len(sample_result.events) + 1
    assert [c.value for c in detail[1]][:7] == ["复核结论", "理由", "月份", "群", "成员", "部门", "规则"]
    review = workbook["待复核"]
    assert review.max_row == int(sample_result.events["needs_review"].sum()) + 1
    settings = {r[0].value: r[1].value for r in workbook["规则"].iter_rows(min_row=2)}
    assert settings["settings_hash"] == sample_result.settings.hash and settings["amounts.reply_missed"] == 20


def test_english_labels(sample_result, tmp_path):
    report.write(sample_result, tmp_path, {"xlsx"}, lang="en")
    wb = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert wb.sheetnames[:3] == ["summary", "deductions", "events"] and wb["summary"]["A1"].value == "month"
    assert wb["deductions"]["A1"].value == "member_id"


def test_a_run_holding_the_folder_stops_a_second_writer_and_a_dead_runs_lock_is_free(tmp_path):
    import subprocess
    import sys
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from wgm.report.atomic import OutputLock\n"
        f"with OutputLock({str(tmp_path)!r}):\n    print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(UsageError, match="in use by another wgm run"):
            with OutputLock(tmp_path):
                pass
    finally:
        holder.kill()                  # a killed run: the operating system drops its lock
        holder.wait(timeout=30)
    with OutputLock(tmp_path):
        pass
    (tmp_path / ".wgm.lock").write_text("999999999")    # a pid file an older wgm left: no lock at all
    with OutputLock(tmp_path):
        with pytest.raises(UsageError, match="in use"):
            with OutputLock(tmp_path):
                pass


def test_an_interrupted_write_leaves_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "events.csv"
    write_atomic(target, b"old report\n")

    def crash(src, dst):
        raise KeyboardInterrupt   # killed between writing the temp file and the rename
    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new report\n")
    assert target.read_bytes() == b"old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["events.csv"]   # no temp file left behind


def test_detail_sheet_quotes_the_messages_behind_each_event(workbook):
    ws = workbook["明细"]
    header = [c.value for c in ws[1]]
    rule_col, evidence_col, member_col = header.index("规则") + 1, header.index("相关消息") + 1, header.index("成员") + 1
    delay = next(r for r in range(2, ws.max_row + 1)
                 if ws.cell(r, rule_col).value == "延迟天数（delay_days）" and "刘洋" == ws.cell(r, member_col).value)
    evidence = ws.cell(delay, evidence_col).value
    assert "刘洋-运营部：时效数据已提交，晚了两天，抱歉" in evidence and "收到，逾期两天，已确认" in evidence


def test_killing_runs_at_any_moment_never_leaves_a_half_written_report(tmp_path):
    """Real runs killed with SIGKILL at several moments: every file in the output folder is always the
    complete report (re-runs are byte-identical), the dead run's lock is taken over, no temp file stays."""
    import signal
    import subprocess
    import sys
    import time
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "wgm", "audit", str(root / "sample_exports"), "--out", str(out), "--quiet",
           "--format", "csv,json,md"]
    started = time.perf_counter()
    subprocess.run(cmd, check=False, timeout=120)
    duration = time.perf_counter() - started
    reference = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert "events.csv" in reference and "audit.json" in reference
    killed_while_writing = 0

    def writing_started(before: dict) -> bool:
        """A temp file exists or a report file changed: the run is in its write phase."""
        for p in out.iterdir():
            if p.name.endswith(".tmp") or (p.name in before and p.stat().st_mtime_ns != before[p.name]):
                return True
        return False

    for delay in (0.0, 0.0005, 0.001, 0.002, 0.004, 0.008):
        before = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
        proc = subprocess.Popen(cmd)
        deadline = time.perf_counter() + duration * 3 + 5
        while not writing_started(before) and proc.poll() is None and time.perf_counter() < deadline:
            pass
        time.sleep(delay)
        killed_while_writing += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        for path in out.iterdir():
            if path.is_file() and path.name in reference:
                assert path.read_bytes() == reference[path.name], (delay, path.name)
    assert killed_while_writing >= 3
    subprocess.run(cmd, check=False, timeout=120)       # takes over a lock a killed run may have left
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == reference      # nothing missing, nothing extra: no .*.tmp (.wgm.lock stays, empty)


def test_every_sheet_prints_landscape_with_its_header_and_the_wide_ones_name_the_member(workbook):
    for ws in workbook.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0, ws.title
    summary = workbook.worksheets[0]
    assert summary.print_title_cols == "$A:$C"               # 月份, 成员, 部门 on every printed page
    assert int(summary.page_setup.fitToWidth) >= 2           # the per-rule columns do not shrink to one page


def test_the_sheets_spliced_into_the_workbook_are_compressed(sample_result, tmp_path):
    """The rows put into XlsxWriter's sheets are deflated like the rest of the file (stored, a
    million-message workbook took 400 MB)."""
    import zipfile
    report.write(sample_result, tmp_path, {"xlsx"})
    with zipfile.ZipFile(tmp_path / "report.xlsx") as book:
        sheets = [i for i in book.infolist() if i.filename.startswith("xl/worksheets/sheet")]
    assert len(sheets) == 7 and all(i.compress_type == zipfile.ZIP_DEFLATED for i in sheets)
    assert all(i.compress_size < i.file_size for i in sheets)


def test_rows_encoded_a_few_at_a_time_give_the_same_sheets(sample_result, tmp_path, monkeypatch):
    """The rows are encoded in chunks (a million-message sheet is never encoded whole): chunks of 3 rows
    give the same cells, row numbers and heights as one chunk."""
    from wgm.report import sheetrows

    def sheets(folder: Path) -> list:
        report.write(sample_result, folder, {"xlsx"})
        wb = openpyxl.load_workbook(folder / "report.xlsx")
        return [(ws.title, [[c.value for c in row] for row in ws.iter_rows()],
                 {r: d.height for r, d in ws.row_dimensions.items()}) for ws in wb.worksheets]
    whole = sheets(tmp_path / "whole")
    monkeypatch.setattr(sheetrows, "_ROWS_PER_CHUNK", 3)
    assert sheets(tmp_path / "chunked") == whole
