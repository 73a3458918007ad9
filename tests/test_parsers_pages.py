"""The HTML, Excel and Markdown layouts (#16) on damaged and unusual input: every line still ends in a
message, in unparsed with a reason, or as layout; a file that cannot be read says why."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from tests.paths import REAL_EXPORTS
from tests.real_exports import accounted
from tests.test_bad_corpus import DAMAGE, MAY_BE_REFUSED
from wgm import parsers
from wgm.errors import InputError
from wgm.parsers.containers import line_cells, rows_text

WEFLOW_HTML = REAL_EXPORTS / "weflow" / "html__remark" / "群聊_华信科技-项目交付群.html"


def _workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


@given(st.lists(st.lists(st.text(max_size=8), max_size=5), max_size=5))
def test_rows_text_gives_back_every_cell(rows: list[list[str]]) -> None:
    lines = rows_text(rows).split("\n")[:-1]
    assert len(lines) == len(rows)                   # one line a row, whatever the cells hold
    assert [line_cells(l) for l in lines] == [r if r else [""] for r in rows]


def test_memotrace_xlsx_row_without_a_time_is_unparsed_with_its_row(tmp_path: Path) -> None:
    header = ["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"]
    path = _workbook(tmp_path / "群.xlsx", {"聊天记录": [
        header, ["1", "文本", "张三", "2025-03-03 09:01:23", "第一行\n第二行", "张三", "张三", "more"],
        [None], ["2", "文本", "李四", "昨天", "收到", "李四", "李四", "more"],
        ["3", "文本", "李四", "2025-03-03 09:05:10", "收到", "李四", "李四", "more", "多出的一格"]], "成员信息": [["wxid"]]})
    result = parsers.read(path)
    assert result.fmt == "memotrace_v3_xlsx" and result.encoding == "xlsx (sheet 聊天记录)"
    assert result.messages.content.tolist() == ["第一行\n第二行"]
    assert result.unparsed.line.tolist() == [4, 5]      # Excel's row numbers
    assert "没有可读的时间（no readable time）" in result.unparsed.reason.iloc[0]
    assert accounted(result)


def test_a_workbook_that_is_no_export_is_not_read_as_one(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "roster.xlsx", {"Sheet1": [["姓名", "部门"], ["张三", "项目部"]]})
    with pytest.raises(InputError, match="not a chat export"):
        parsers.read(path)
    with pytest.raises(InputError, match="reads text files"):
        parsers.read(path, input_format="memotrace_v3_csv")


def test_a_damaged_zip_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "群.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    with pytest.raises(InputError, match="zip"):
        parsers.read(path)


def test_weflow_excel_with_the_short_header_and_a_row_of_nobody(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "群.xlsx", {"聊天记录": [
        ["会话信息"], ["导出工具", "WeFlow", "导出时间", "2025-03-04 08:00:00"],
        ["序号", "时间", "发送者身份", "消息类型", "内容"],
        [1, "2025-03-03 09:05:10", "研发-李四", "文本消息", "\n收到"],
        [2, "2025-03-03 09:06:00", "", "文本消息", "\n好的"],
        [3, "2025-03-03 09:07:45", "王 五", "引用消息", "收到[引用 张三：请提交]"]]})
    result = parsers.read(path)
    assert result.fmt == "weflow_excel" and str(result.exported) == "2025-03-04 08:00:00"
    assert result.messages.content.tolist() == ["收到", "收到"]
    assert result.messages.quote_sender.tolist() == ["", "张三"]
    assert result.unparsed.line.tolist() == [5] and "sender" in result.unparsed.reason.iloc[0]
    assert accounted(result)


def test_weflow_html_with_a_broken_message_line(tmp_path: Path) -> None:
    text = WEFLOW_HTML.read_text(encoding="utf-8")
    lines = text.split("\n")
    at = next(i for i, l in enumerate(lines) if l.startswith('{"i":5,'))
    lines[at] = lines[at][:40]                        # cut inside its JSON
    path = tmp_path / "page.html"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = parsers.read(path)
    assert len(result.messages) == 4                  # the messages before the break
    assert len(result.unparsed) and accounted(result)
    assert "broken off" in result.unparsed.reason.iloc[0]


def test_weflow_html_bubble_of_nobody_is_unparsed(tmp_path: Path) -> None:
    item = {"i": 1, "t": 1740963683, "s": 0, "b": '<div class="message-content"><div class="message-text">好</div></div>'}
    path = tmp_path / "page.html"
    path.write_text("<!DOCTYPE html>\n<html><body><script>\nwindow.WEFLOW_DATA = [\n" + json.dumps(item)
                    + "\n];\n</script></body></html>\n", encoding="utf-8")
    result = parsers.read(path)
    assert len(result.messages) == 0 and "sender" in result.unparsed.reason.iloc[0]
    assert accounted(result)


def test_memotrace_sidecar_message_without_a_name_or_time(tmp_path: Path) -> None:
    rows = [{"type": "1", "is_send": False, "timestamp": 1740963683, "server_id": "1", "display_name": "", "text": "好"},
            {"type": "1", "is_send": False, "timestamp": "x", "server_id": "2", "display_name": "张三", "text": "收到"},
            {"type": "10000", "is_send": False, "timestamp": 1740963690, "server_id": "3", "display_name": "",
             "text": "\"张三\"邀请\"孙七\"加入了群聊"}]
    path = tmp_path / "群.html.json"
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=4), encoding="utf-8")
    result = parsers.read(path)
    assert result.messages.media.tolist() == ["system"]
    assert result.messages.group.tolist() == ["群"]          # named after the page, not "群.html"
    assert set(result.unparsed.reason) == {"消息没有可读的时间戳（message without a readable timestamp）",
                                           "消息没有发送人（display_name 为空）（message without a sender）"}
    assert accounted(result)


def test_memotrace_markdown_text_outside_a_message(tmp_path: Path) -> None:
    path = tmp_path / "群.md"
    path.write_text("**09:00:00 张三**: 没有日期标题\n\n## 2025\n\n#### 2025-03-03\n\n**09:01:23 张三\\-项目经理**: 好\n"
                    "\n> 2025-03-03 09:02:00 \"李四\" 撤回了一条消息\n", encoding="utf-8")
    result = parsers.read(path)
    assert result.fmt == "memotrace_md"
    assert result.messages.sender.tolist() == ["张三-项目经理", ""]
    assert result.unparsed.line.tolist() == [1, 2]
    assert accounted(result)


def test_a_markdown_note_in_a_folder_is_skipped_not_refused(tmp_path: Path) -> None:
    from wgm.ingest import read_all
    (tmp_path / "说明.md").write_text("# 导出说明\n\n这是三月的导出。\n", encoding="utf-8")
    (tmp_path / "page.html").write_text("<!DOCTYPE html><html><body>hi</body></html>", encoding="utf-8")
    _, infos, warnings = read_all([tmp_path])
    assert all(i.skipped_reason and not i.refused for i in infos) and not warnings


@pytest.mark.parametrize("head, says", [
    (b"SQLite format 3\x00" + b"\x00" * 100, "SQLite"),                  # WeChat's own database
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xlsx"),      # Excel 97–2003 .xls
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "TXT"),                     # anything else binary
])
def test_a_binary_file_is_refused_naming_what_to_give_instead(head: bytes, says: str, tmp_path: Path) -> None:
    path = tmp_path / "chat.bin"
    path.write_bytes(head)
    with pytest.raises(InputError) as caught:
        parsers.read(path)
    assert says in caught.value.message and "请" in caught.value.message


PAGES = [REAL_EXPORTS / rel for rel in (
    "memotrace_v3_wechat4db/华信科技-项目交付群.md", "memotrace_v3_wechat4db/华信科技-项目交付群.html.json",
    "memotrace_v3_wechat3db/华信科技-项目交付群.html.json", "weflow/markdown__remark/群聊_华信科技-项目交付群.md",
    "weflow/html__remark/群聊_华信科技-项目交付群.html")]


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("page", PAGES, ids=[f"{p.parent.name}/{p.name}" for p in PAGES])
def test_damaged_page_or_markdown_is_accounted_or_refused(page: Path, damage: str, tmp_path: Path) -> None:
    target = tmp_path / page.name
    target.write_bytes(DAMAGE[damage](page.read_bytes()))
    try:
        result = parsers.read(target)
    except InputError as exc:
        assert str(target) in str(exc)
        assert damage in MAY_BE_REFUSED, f"refused after {damage!r}: {exc}"
        return
    assert accounted(result), (result.lines, len(result.unparsed), result.structural_lines)
    if damage == "every record twice":       # nothing read twice passes as layout
        assert len(result.messages) + len(result.unparsed) > 15


def test_memotrace_page_twice_over_shows_the_second_copy_as_unread(tmp_path: Path) -> None:
    page = REAL_EXPORTS / "memotrace_v3_wechat4db" / "华信科技-项目交付群.html"
    target = tmp_path / "page.html"          # no sidecar beside it: the page's own script is read
    target.write_bytes(page.read_bytes() * 2)
    result = parsers.read(target)
    assert len(result.messages) == 15 and accounted(result)
    assert "second chatMessages" in result.unparsed.reason.iloc[0]


@pytest.mark.parametrize("rel, fmt", [
    ("memotrace_v3_wechat4db/华信科技-项目交付群.xlsx", "memotrace_v3_xlsx"),
    ("weflow/excel__remark/群聊_华信科技-项目交付群.xlsx", "weflow_excel"),
    ("weflow/html__remark/群聊_华信科技-项目交付群.html", "weflow_html"),
    ("memotrace_v3_wechat4db/华信科技-项目交付群.md", "memotrace_md"),
])
def test_detected_by_content_whatever_the_name(rel: str, fmt: str, tmp_path: Path) -> None:
    renamed = tmp_path / "导出.dat"
    renamed.write_bytes((REAL_EXPORTS / rel).read_bytes())
    assert parsers.read(renamed).fmt == fmt


def test_wgm_formats_lists_the_new_layouts() -> None:
    from typer.testing import CliRunner
    from wgm.cli import app
    run = CliRunner().invoke(app, ["formats"], env={"COLUMNS": "200"})
    assert run.exit_code == 0
    for name in ("memotrace_v3_xlsx", "memotrace_html", "memotrace_html_json", "memotrace_md", "weflow_excel",
                 "weflow_html", "weflow_md", "memotrace_docx", "weflow_sql"):
        assert name in run.output


def test_a_server_id_excel_turned_into_a_number_is_no_id(tmp_path: Path) -> None:
    # Excel keeps 15 digits of a number: 7301111111111111101 saved as a number is no longer the message's id
    header = ["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"]
    path = _workbook(tmp_path / "群.xlsx", {"聊天记录": [
        header, [7301111111111111101.0, "文本", "张三", "2025-03-03 09:01:23", "好", "张三", "张三", "more"],
        [7301111111111111102.0, "文本", "李四", "2025-03-03 09:01:24", "好", "李四", "李四", "more"],
        ["7301111111111111103", "文本", "李四", "2025-03-03 09:01:25", "好", "李四", "李四", "more"]]})
    assert parsers.read(path).messages.msg_id.tolist() == ["", "", "7301111111111111103"]
