"""Review where the admin works: decisions typed into report.xlsx (复核结论 / 理由) are read back with
--overrides report.xlsx, carried into the next workbook, and side files saved by Excel on a Chinese
Windows (GB18030) are read like UTF-8 ones."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from tests import paths
from wgm import api, report
from wgm.errors import SettingsError

SAMPLES = paths.ROOT / "sample_exports"
AS_OF = datetime(2026, 11, 2, 18, 0)


def _audit(**options):
    given = {"roster": SAMPLES / "roster.yaml", "incidents": SAMPLES / "incidents.yaml",
             "members": SAMPLES / "members.csv", "as_of": AS_OF, **options}
    return api.audit([SAMPLES], api.Options(**given))


def _workbook(result, folder: Path) -> Path:
    report.write(result, folder, {"xlsx"})
    return folder / "report.xlsx"


def _decide(path: Path, sheet: str, decision: str, reason: str, row: int = 2) -> str:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    ws.cell(row=row, column=header.index("复核结论") + 1, value=decision)
    ws.cell(row=row, column=header.index("理由") + 1, value=reason)
    event = ws.cell(row=row, column=header.index("事件编号") + 1).value
    wb.save(path)
    return event


def test_review_sheets_have_a_decision_drop_down_and_a_reason_column(tmp_path):
    wb = openpyxl.load_workbook(_workbook(_audit(), tmp_path))
    for name in ("待复核", "明细"):
        ws = wb[name]
        header = [c.value for c in ws[1]]
        assert header[:2] == ["复核结论", "理由"] and "事件编号" in header
        lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        assert lists and "确认,驳回,免除" in lists[0].formula1 and "A2" in str(lists[0].sqref)


def test_a_decision_typed_into_the_workbook_is_applied_and_carried_forward(tmp_path):
    first = _audit()
    assert first.review_count == 1
    book = _workbook(first, tmp_path / "run1")
    event = _decide(book, "待复核", "驳回", "警告针对的是另一条消息")
    second = _audit(overrides=book)
    row = second.events.set_index("event_id").loc[event]
    assert row["amount"] == 0 and row["count"] == 0 and not row["needs_review"]
    assert "警告针对的是另一条消息" in row["override"] and second.review_count == 0
    # the next workbook shows the decision, so reading it again keeps it
    book2 = _workbook(second, tmp_path / "run2")
    ws = openpyxl.load_workbook(book2)["明细"]
    header = [c.value for c in ws[1]]
    kept = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[header.index("事件编号")] == event]
    assert kept and kept[0][0] == "驳回" and kept[0][1] == "警告针对的是另一条消息"
    third = _audit(overrides=book2)
    assert third.events.set_index("event_id").loc[event, "amount"] == 0


def test_confirm_needs_no_reason_and_waive_keeps_the_event_without_money(tmp_path):
    book = _workbook(_audit(), tmp_path)
    event = _decide(book, "待复核", "确认", "")
    confirmed = _audit(overrides=book).events.set_index("event_id").loc[event]
    assert confirmed["amount"] > 0 and not confirmed["needs_review"]
    book = _workbook(_audit(), tmp_path / "b")
    event = _decide(book, "待复核", "免除", "电话里已说明情况")
    waived = _audit(overrides=book).events.set_index("event_id").loc[event]
    assert waived["amount"] == 0 and waived["count"] == 1


def test_a_decision_without_a_reason_is_an_error_naming_the_cell(tmp_path):
    book = _workbook(_audit(), tmp_path)
    _decide(book, "待复核", "驳回", "")
    with pytest.raises(SettingsError, match=r"report.xlsx:待复核:2: 驳回: 理由 is required"):
        _audit(overrides=book)


def test_a_decision_whose_event_is_gone_is_a_warning(tmp_path):
    book = _workbook(_audit(), tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["待复核"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("事件编号") + 1, value="e00000000000")
    ws.cell(row=2, column=1, value="确认")
    wb.save(book)
    result = _audit(overrides=book)
    assert any("e00000000000" in w and "matches nothing" in w for w in result.warnings)


@pytest.mark.parametrize("kind", ["overrides", "incidents", "members"])
def test_side_files_saved_by_excel_on_a_chinese_windows_are_read(kind, tmp_path):
    texts = {"overrides": "event,action,reason\ne0,dismiss,复核后驳回\n",
             "incidents": "date,member,rule,note\n2026-10-20,刘洋,leak,将客户清单发给外部\n",
             "members": (SAMPLES / "members.csv").read_text(encoding="utf-8")}
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(texts[kind].encode("gb18030"))
    result = _audit(**{kind: path})
    if kind == "incidents":
        assert ((result.events["rule"] == "leak") & (result.events["member"] == "刘洋")).any()
    elif kind == "members":
        assert list(result.events.loc[result.events["rule"] == "quit_group", "member"]) == ["郑凯"]
    else:
        assert any("e0" in w for w in result.warnings)
