"""contract.md's exit codes, driven through the command line: 0 clean, 1 review needed, 3 input
incomplete, 2 bad usage with nothing written, 4 internal error with a log and no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from tests import paths
from wgm import api
from wgm.cli import app

runner = CliRunner()
SAMPLES = paths.ROOT / "sample_exports"
V3_TXT = paths.SPEC_SAMPLES / "memotrace_v3_group.txt"


def _sample_args(out: Path, *extra: str) -> list[str]:
    return ["audit", str(SAMPLES), "--roster", str(SAMPLES / "roster.yaml"), "--incidents",
            str(SAMPLES / "incidents.yaml"), "--members", str(SAMPLES / "members.csv"), "--out", str(out), *extra]


def test_a_clean_export_exits_0(tmp_path):
    result = runner.invoke(app, ["audit", str(V3_TXT), "--out", str(tmp_path / "out"), "--quiet",
                                 "--set", "review.min_confidence=0"])
    assert result.exit_code == 0, result.output


def test_events_to_review_exit_1(tmp_path):
    result = runner.invoke(app, _sample_args(tmp_path / "out", "--quiet"))
    assert result.exit_code == 1, result.output


def test_a_refused_file_in_a_folder_exits_3_and_quiet_still_says_why(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(V3_TXT, folder / "项目群.txt")
    (folder / "会议纪要.txt").write_text("这不是聊天导出\n只是一份纪要\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(folder), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 3, result.output
    assert "会议纪要.txt" in result.output and "输入不完整" in result.output
    assert (tmp_path / "out" / "events.csv").is_file()       # done: the report is written


def test_lines_that_could_not_be_read_exit_3(tmp_path):
    path = tmp_path / "项目群.txt"
    text = V3_TXT.read_text(encoding="utf-8")
    path.write_text("一行不在任何消息里的文字\n" + text, encoding="utf-8")
    parsed = api.parse([path])
    unread = parsed.unparsed
    result = runner.invoke(app, ["audit", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert len(unread) and result.exit_code == 3, result.output
    assert "行未能读取" in result.output


def test_bad_usage_exits_2_and_writes_nothing(tmp_path):
    result = runner.invoke(app, ["audit", str(V3_TXT), "--format", "pdf", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "--format" in result.output
    assert not (tmp_path / "out").exists()


def test_an_internal_error_exits_4_with_a_log_and_no_traceback(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug deep inside")
    monkeypatch.setattr(api, "audit", broken)
    monkeypatch.setenv("WGM_LOG_DIR", str(tmp_path / "logs"))
    result = runner.invoke(app, ["audit", str(V3_TXT), "--out", str(tmp_path / "out")])
    assert result.exit_code == 4
    assert "Traceback" not in result.output and "内部错误" in result.output
    logs = list((tmp_path / "logs").glob("wgm-*.log"))
    assert len(logs) == 1 and str(logs[0]) in result.output.replace("\n", "")
    text = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in text and "ZeroDivisionError: a bug deep inside" in text


def test_an_internal_error_in_any_command_exits_4(tmp_path, monkeypatch):
    monkeypatch.setattr(api, "parse", lambda *a, **k: (_ for _ in ()).throw(KeyError("x")))
    monkeypatch.setenv("WGM_LOG_DIR", str(tmp_path / "logs"))
    result = runner.invoke(app, ["parse", str(V3_TXT)])
    assert result.exit_code == 4 and "Traceback" not in result.output
