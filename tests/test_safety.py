"""Outputs that cannot attack their reader, paths that cannot escape, runs that do not depend on
the machine: formula payloads, group names as file names, time zone, hash seed, no network."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.chat import audit_chat
from wgm import api, report
from wgm.report.publish import safe_filename

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_exports"
PAYLOADS = ['=HYPERLINK("http://x","点我")', "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3", "+1", "\t=1"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    lines = "\n".join(f"2026-05-11 10:{i:02d}:00 罗刚-仓储部: {p}" for i, p in enumerate(PAYLOADS))
    lines += "\n2026-05-11 11:00:00 林涛-运营部: @罗刚-仓储部 =cmd|' /C calc'!A0 请于5月12日前处理\n"
    result = audit_chat(lines, tmp)
    out = tmp / "out"
    report.write(result, out, {"csv", "xlsx", "json", "md"})
    return result, out


def test_no_csv_cell_starts_like_a_formula(hostile):
    _, out = hostile
    import csv
    for name in ("messages.csv", "events.csv", "tasks.csv"):
        with open(out / name, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
    text = (out / "messages.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")" in text   # kept, neutralised


def test_no_xlsx_cell_is_a_formula(hostile):
    _, out = hostile
    wb = openpyxl.load_workbook(out / "report.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert cells and all(c.data_type != "f" for c in cells)
    assert all(not str(c.value).startswith(("=", "+", "@", "\t")) for c in cells if c.data_type == "s")


@pytest.mark.parametrize("name", ["../../etc/passwd", "/abs/path", "CON", "nul.txt", 'a:b*c?"<>|', "..", "", "群" * 300])
def test_group_names_become_safe_file_names(name, tmp_path):
    safe = safe_filename(name)
    assert safe and "/" not in safe and "\\" not in safe and ".." not in safe and len(safe) <= 80
    assert safe.split(".")[0].upper() not in {"CON", "NUL", "PRN", "AUX"}
    target = (tmp_path / f"announce_{safe}.md").resolve()
    assert target.parent == tmp_path.resolve()


def _audit_bytes(out: Path, env: dict) -> dict[str, bytes]:
    cmd = [sys.executable, "-m", "wgm", "audit", str(SAMPLES), "--roster", str(SAMPLES / "roster.yaml"),
           "--incidents", str(SAMPLES / "incidents.yaml"), "--members", str(SAMPLES / "members.csv"),
           "--out", str(out), "--format", "csv,json,txt", "--quiet"]
    done = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and not p.name.startswith(".")}


def test_outputs_do_not_depend_on_time_zone_or_hash_seed(tmp_path):
    runs = [_audit_bytes(tmp_path / f"r{i}", env) for i, env in enumerate([
        {"TZ": "Asia/Shanghai", "PYTHONHASHSEED": "0"},
        {"TZ": "America/New_York", "PYTHONHASHSEED": "12345"},
        {"TZ": "UTC", "PYTHONHASHSEED": "random"},
    ])]
    assert runs[0] and runs[0] == runs[1] == runs[2]


def test_audit_runs_with_the_network_disabled(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("wgm tried to open a network socket")
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from wgm import api
    result = api.audit([SAMPLES], api.Options(roster=SAMPLES / "roster.yaml"))
    report.write(result, tmp_path, {"csv", "json", "xlsx", "md"})
    assert (tmp_path / "report.xlsx").exists()


def test_redact_keeps_the_evidence_but_no_message_text(tmp_path):
    from wgm import api
    from wgm.report.redact import redact
    result = api.audit([SAMPLES], api.Options(roster=SAMPLES / "roster.yaml"))
    hidden = redact(result, b"a secret")
    report.write(hidden, tmp_path, {"csv", "json", "xlsx", "txt"})
    secret = "叉车维修报价已逾期5天"
    for path in tmp_path.iterdir():
        if path.suffix in (".csv", ".json", ".txt"):
            assert secret not in path.read_text(encoding="utf-8-sig"), path.name
    wb = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert all(secret not in str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    assert hidden.events[["rule", "member", "msg_ids", "ts", "amount", "detail"]].equals(
        result.events[["rule", "member", "msg_ids", "ts", "amount", "detail"]])
    assert hidden.messages["text"].str.match(r"^#[0-9a-f]{12}$").all()


def test_a_very_long_message_is_cut_in_the_xlsx_with_a_note_and_whole_in_the_csv(tmp_path):
    from wgm.report.cells import TRUNCATED_NOTE, XLSX_MAX_CELL
    words = "仓库盘点记录" * 7000                      # 42,000 characters: over Excel's 32,767 per cell
    result = audit_chat(f"2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于5月12日前完成{words}\n", tmp_path)
    out = tmp_path / "out"
    report.write(result, out, {"csv", "xlsx"})
    csv_text = (out / "messages.csv").read_text(encoding="utf-8-sig")
    assert words in csv_text
    cells = [c.value for ws in openpyxl.load_workbook(out / "report.xlsx").worksheets
             for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "仓库盘点记录" * 10 in c.value]
    assert cells and all(len(v) <= XLSX_MAX_CELL and v.endswith(TRUNCATED_NOTE) for v in cells)


def test_outputs_do_not_depend_on_input_order_or_file_names(tmp_path):
    """Inputs in another order give the same bytes; renamed copies (the chat id kept in the folder name,
    as 留痕 writes it) give the same events, tasks and tables — only the evidence's file paths differ."""
    import shutil
    txt = next(SAMPLES.rglob("*.txt"))
    csv_file = next(SAMPLES.rglob("*_utf8.csv"))
    options = api.Options(roster=SAMPLES / "roster.yaml", incidents=SAMPLES / "incidents.yaml",
                          members=SAMPLES / "members.csv")
    forward = report.render(api.audit([txt, csv_file], options), {"csv", "json"})
    backward = report.render(api.audit([csv_file, txt], options), {"csv", "json"})
    assert forward == backward
    renamed = tmp_path / "导出" / "改名(44556677889@chatroom)" / "改名.txt"
    renamed.parent.mkdir(parents=True)
    shutil.copy(txt, renamed)
    moved = tmp_path / "另存" / csv_file.parent.name / csv_file.name
    moved.parent.mkdir(parents=True)
    shutil.copy(csv_file, moved)
    again = report.render(api.audit([moved, renamed], options), {"csv", "json"})
    for name in ("events.csv", "tasks.csv", "summary.csv"):
        assert again[name] == forward[name], name
