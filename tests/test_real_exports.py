"""Every file the exporters' own writer code produced (tests/data/spec/formats/real, copied from the spec) is
read with nothing unparsed, or refused naming the export to choose; what is read matches conversation.json
— every message, sender, time, text, quote link and system line — less what the exporter itself loses
(LOSSES, the README's formats table); and one chat's TXT, CSV, XLSX and HTML give the same events."""

from __future__ import annotations

import shutil
from datetime import datetime
from fnmatch import fnmatch
from pathlib import Path

import pandas as pd
import pytest

from tests.paths import REAL_EXPORTS
from tests.real_exports import accounted, differences, export_files, read
from wgm import api, parsers
from wgm.errors import InputError
from wgm.ingest import read_all

# the export each refusal names instead (a word its message must hold)
REFUSED = {
    "memotrace_v3_wechat4db/华信科技-项目交付群.json": "TXT",          # training JSON: [] for a group
    "memotrace_v3_wechat4db/华信科技-项目交付群_1.docx": "TXT",
    "memotrace_v3_wechat4db/华信科技-项目交付群_chat.txt": "TXT",      # AI-TXT: no times
    "weflow/sql__*/*.sql": "JSON",
}

TEMPLATE_EMPTY = (15, "text")       # the join by QR code: empty (留痕, 4.x database) or unfilled (WeFlow)
# What each exporter loses (formats/real/README.md and the README's formats table): (message n, what)
LOSSES = {
    "chatlog/text_day__*": {(8, "sender"), (14, "missing")},   # own message as 我; the day queried only
    "chatlog/text_*": {(8, "sender")},
    "chatlog/*": set(),
    "memotrace_v3_wechat3db/*.html*": {TEMPLATE_EMPTY},       # the template as type -1, no text
    "memotrace_v3_wechat3db/*": set(),                        # its dict dump is read and filled in
    "memotrace_v3_wechat4db/*.md": {(4, "quoted sender"), (7, "file name"), TEMPLATE_EMPTY},
    "memotrace_v3_wechat4db/*": {TEMPLATE_EMPTY},
    "pywxdump/*": set(),                                      # a file's name read from its src path
    "weflow/html__*": {(3, "kind other"), TEMPLATE_EMPTY},    # an image is an empty bubble
    "weflow/*": {TEMPLATE_EMPTY},
}


def _first_match(rel: str, table: dict):
    return next(value for pattern, value in table.items() if fnmatch(rel, pattern))


def test_the_copies_hold_every_exporter() -> None:
    files = export_files()
    assert len(files) >= 40
    assert {f.split("/")[0] for f in files} == {"chatlog", "memotrace_v3_wechat3db", "memotrace_v3_wechat4db",
                                                "pywxdump", "weflow"}


@pytest.mark.parametrize("rel", export_files())
def test_each_real_file_is_read_whole_or_refused_naming_the_export_to_choose(rel: str) -> None:
    refused = next((word for pattern, word in REFUSED.items() if fnmatch(rel, pattern)), None)
    if refused is not None:
        with pytest.raises(InputError) as caught:
            read(rel)
        assert refused in caught.value.message and "请改用" in caught.value.message
        return
    result = read(rel)
    assert len(result.unparsed) == 0, result.unparsed.to_dict("records")
    assert accounted(result)
    assert differences(result) == _first_match(rel, LOSSES)


def test_memotrace_page_without_its_sidecar_is_read_from_its_script(tmp_path: Path) -> None:
    page = REAL_EXPORTS / "memotrace_v3_wechat4db" / "华信科技-项目交付群.html"
    alone = tmp_path / page.name
    shutil.copyfile(page, alone)
    result = parsers.read(alone)
    assert (result.fmt, len(result.messages), len(result.unparsed)) == ("memotrace_html", 15, 0)
    assert not result.warnings                   # the sidecar note is only for a page read through it
    assert differences(result) == {TEMPLATE_EMPTY}
    assert set(result.messages.source) == {str(alone)}


def test_memotrace_page_with_neither_messages_nor_sidecar_names_what_to_do(tmp_path: Path) -> None:
    page = REAL_EXPORTS / "memotrace_v3_wechat4db" / "华信科技-项目交付群.html"
    text = page.read_text(encoding="utf-8")
    start = text.index("const chatMessages = [")
    end = text.index("];", start)
    empty = tmp_path / page.name     # the code that reads the messages kept, the messages themselves gone
    empty.write_text(text[:start] + "const chatMessages = window.loaded;" + text[end + 2:], encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parsers.read(empty)
    assert "华信科技-项目交付群.html.json" in caught.value.message


def test_a_folder_reads_the_sidecar_once_and_lists_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(REAL_EXPORTS / "memotrace_v3_wechat4db", folder)
    (folder / "notes.md").write_text("# 会议纪要\n\n无\n", encoding="utf-8")     # not an export: skipped quietly
    results, infos, warnings = read_all([folder])
    by_name = {Path(i.path).name: i for i in infos}
    assert "sidecar" in by_name["华信科技-项目交付群.html"].skipped_reason
    assert by_name["华信科技-项目交付群.html.json"].fmt == "memotrace_html_json"
    assert by_name["华信科技-项目交付群.xlsx"].fmt == "memotrace_v3_xlsx"
    assert by_name["华信科技-项目交付群.md"].fmt == "memotrace_md"
    assert by_name["notes.md"].skipped_reason and not by_name["notes.md"].refused
    assert by_name["华信科技-项目交付群_1.docx"].refused        # an export wgm cannot audit: the run says so
    assert all(len(r.unparsed) == 0 for r in results)


def _events(path: Path) -> pd.DataFrame:
    """The audit's events of one file, without what names the file or its messages' ids."""
    # the time of the run fixed: nothing depends on today
    result = api.audit([path], api.Options(month="all", as_of=datetime(2025, 3, 31, 23, 59), now=datetime(2025, 4, 1),
                                           jobs=1))
    columns = ["month", "group", "member", "rule", "count", "amount", "ts", "detail"]
    return result.events[columns].sort_values(columns).reset_index(drop=True)


def test_one_chat_as_txt_csv_xlsx_and_html_gives_the_same_events() -> None:
    folder = REAL_EXPORTS / "memotrace_v3_wechat4db"
    txt = _events(folder / "华信科技-项目交付群.txt")
    assert len(txt) > 0                              # the chat has a task with missed replies: something to compare
    for name in ("华信科技-项目交付群.csv", "华信科技-项目交付群.xlsx", "华信科技-项目交付群.html"):
        pd.testing.assert_frame_equal(_events(folder / name), txt, obj=name)


def test_a_page_read_through_its_sidecar_is_read_again_when_the_sidecar_changes(tmp_path: Path) -> None:
    folder = REAL_EXPORTS / "memotrace_v3_wechat4db"
    page, sidecar = tmp_path / "群.html", tmp_path / "群.html.json"
    shutil.copyfile(folder / "华信科技-项目交付群.html", page)
    shutil.copyfile(folder / "华信科技-项目交付群.html.json", sidecar)
    options = api.Options(cache=tmp_path / "cache", as_of=datetime(2025, 3, 5), now=datetime(2025, 4, 1), jobs=1)
    settings = api.load_settings(options)
    first = api.ingest_inputs([page], options, settings, api.load_roster(None))
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("收到，预计17:30前提交", "收到，预计17:45前提交"),
                       encoding="utf-8")
    again = api.ingest_inputs([page], options, settings, api.load_roster(None))
    assert "收到，预计17:30前提交" in set(first.messages.content)
    assert "收到，预计17:45前提交" in set(again.messages.content)


def test_a_memotrace_folder_read_whole_holds_each_message_once_under_its_own_id() -> None:
    # its CSV, XLSX and sidecar carry the server ids: the same message must read alike in each, so that no
    # id is "told apart" as if two messages shared it
    ingested = api.parse([REAL_EXPORTS / "memotrace_v3_wechat4db"], api.Options())
    assert len(ingested.messages) == 15
    assert not any("told apart" in w for w in ingested.warnings)
