"""Bad inputs give one clear line naming file and line, exit 2, and never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from wgm.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_exports"
GROUP_A = next(SAMPLES.rglob("*.txt"))
runner = CliRunner()


def run(tmp_path, *extra: str, inputs: list[str] | None = None):
    args = ["audit", *(inputs or [str(GROUP_A)]), "--roster", str(SAMPLES / "roster.yaml"),
            "--out", str(tmp_path / "out"), "--quiet", *extra]
    return runner.invoke(app, args)


def test_a_mostly_unreadable_file_is_an_error_not_an_empty_month(tmp_path):
    path = tmp_path / "g.csv"
    rows = ["消息ID,类型,发送人,时间,内容,备注,昵称,更多信息", "1,文本,陈志强-运营部,2026-10-12 09:10:00,收到,,,more"]
    rows += [f"{i},文本,陈志强-运营部,昨天,第{i}行" for i in range(30)]   # cut columns, no readable time
    path.write_text("\ufeff" + "\r\n".join(rows) + "\r\n", encoding="utf-8")
    result = run(tmp_path, inputs=[str(path)])
    assert result.exit_code == 2 and "could not be read" in result.output and str(path) in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


@pytest.mark.parametrize("text, message", [
    ("- {date: 2026-02-30, member: 刘洋, rule: leak}\n", "incidents.yaml:1: not a date"),
    ("- {date: 2026-10-20, member: 张三丰, rule: leak}\n", "incidents.yaml:1: 张三丰 is not a member of the roster"),
    ("- {date: 2026-10-20, member: 刘洋, rule: theft}\n", "incidents.yaml:1: rule must be one of"),
    ("- {date: 2026-10-20, member: 赵磊, rule: loss, loss_amount: 20000, rate: 0.3}\n", "rate 0.3 is outside"),
    ("- {date: 2026-10-20, member: 赵磊, rule: loss, loss_amount: 两万, rate: 0.1}\n", "loss_amount: expected a number"),
    ("- {date: 2026-10-20, member: 刘洋, rule: leak, colour: red}\n", "unknown key colour"),
])
def test_incident_mistakes(text, message, tmp_path):
    path = tmp_path / "incidents.yaml"
    path.write_text(text, encoding="utf-8")
    result = run(tmp_path, "--incidents", str(path))
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("text, message", [
    ("- {task_id: t1, action: dismiss}\n", "overrides.yaml:1: reason is required"),
    ("- {task_id: t1, action: forgive, reason: x}\n", "action must be one of"),
    ("- {task_id: t1, msg_id: m1, action: dismiss, reason: x}\n", "give exactly one of msg_id, task_id, event"),
    ("- {event: e1, action: waive, value: everything, reason: x}\n", "waive value must be a rule id"),
])
def test_override_mistakes(text, message, tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text(text, encoding="utf-8")
    result = run(tmp_path, "--overrides", str(path))
    assert result.exit_code == 2 and message in result.output


def test_roster_mistakes_and_missing_files(tmp_path):
    roster = tmp_path / "roster.yaml"
    roster.write_text("members:\n  - {name: 刘洋, dept: 运营部, role: captain}\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(GROUP_A), "--roster", str(roster), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and f"{roster}:2: members.0: unknown role 'captain'" in result.output
    result = runner.invoke(app, ["audit", str(GROUP_A), "--members", str(tmp_path / "none.csv")])
    assert result.exit_code == 2 and "none.csv: 找不到文件（file not found）" in result.output


def test_membership_snapshot_mistakes(tmp_path):
    members = tmp_path / "members.csv"
    members.write_text("as_of,group,member\n2026-10-31,华信科技-运营管理群,刘洋\nyesterday,华信科技-运营管理群,孙丽\n",
                       encoding="utf-8")
    result = run(tmp_path, "--members", str(members))
    assert result.exit_code == 2 and "members.csv:3: not a date" in result.output


def test_empty_and_binary_inputs(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    for path in (empty, binary):
        result = run(tmp_path, inputs=[str(path)])
        assert result.exit_code == 2 and str(path) in result.output and "Traceback" not in result.output
