"""Coverage (rules.md): an export shows a group up to when it was made; duties decided later are not
judged, and a requested month the exports do not reach is reported, never published as "no fines"."""

from __future__ import annotations

import json
import os
from datetime import datetime
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from tests.chat import ROSTER
from tests.layouts import write_export
from wgm import api, coverage
from wgm.cli import app

GROUP = "远航物流-运营管理群"
TASK = [{"ts": datetime(2026, 11, 30, 17, 59, 0), "sender": "林涛-运营部",
         "text": "@罗刚-仓储部 请于12月2日前完成B区货架的安全检查"}]
runner = CliRunner()


def _export(tmp_path, layout="memotrace_v3_txt", messages=TASK, made: datetime | None = None):
    roster = tmp_path / "roster.yaml"
    roster.write_text(ROSTER, encoding="utf-8")
    path = write_export(tmp_path / "in", messages, GROUP, layout)
    if made is not None:      # a local time of the exports' zone (the machine's own zone may differ)
        stamp = made.replace(tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
        os.utime(path, (stamp, stamp))
    return path


def _events(result):
    return sorted((r.member, r.rule) for r in result.events.itertuples() if r.rule not in ("naming", "after_hours"))


def test_a_task_posted_in_the_exports_last_minute_is_not_fined(tmp_path):
    """The export was made a minute after the task: nobody could have answered in it."""
    path = _export(tmp_path, made=datetime(2026, 11, 30, 18, 0, 0))
    result = api.audit([path], api.Options(roster=tmp_path / "roster.yaml", now=datetime(2026, 12, 5)))
    assert ("罗刚", "reply_missed") not in _events(result)
    row = result.tasks[result.tasks["receiver"] == "罗刚"].iloc[0]
    assert row["status"] == "not_judged" and "回复" in row["not_judged"]
    assert result.coverage[0].until == datetime(2026, 11, 30, 18, 0, 0) and result.coverage[0].basis == "mtime"


def test_the_same_task_is_fined_once_the_export_shows_the_reply_deadline_passed(tmp_path):
    path = _export(tmp_path, made=datetime(2026, 12, 1, 9, 0, 0))
    result = api.audit([path], api.Options(roster=tmp_path / "roster.yaml", now=datetime(2026, 12, 5)))
    assert ("罗刚", "reply_missed") in _events(result)


def test_as_of_says_when_exports_were_made_where_the_files_do_not(tmp_path):
    path = _export(tmp_path, made=datetime(2026, 12, 3))
    result = api.audit([path], api.Options(roster=tmp_path / "roster.yaml", as_of=datetime(2026, 11, 30, 20, 0), now=datetime(2026, 12, 5)))
    assert ("罗刚", "reply_missed") not in _events(result)
    assert result.coverage[0].basis == "as_of"


def test_an_export_time_the_file_states_wins_over_as_of(tmp_path):
    path = _export(tmp_path, layout="weflow_json")      # the renderer states the end of November
    result = api.audit([path], api.Options(roster=tmp_path / "roster.yaml", as_of=datetime(2026, 11, 30, 18, 0), now=datetime(2026, 12, 5)))
    assert result.coverage[0].basis == "stated"
    assert result.coverage[0].until == datetime(2026, 11, 30, 23, 59, 59)
    assert ("罗刚", "reply_missed") in _events(result)


def test_coverage_never_ends_before_the_last_message_nor_after_the_run(tmp_path):
    path = _export(tmp_path, made=datetime(2026, 11, 1))          # a copy whose time went back
    result = api.audit([path], api.Options(roster=tmp_path / "roster.yaml", now=datetime(2026, 12, 5)))
    assert result.coverage[0].until == TASK[-1]["ts"] and result.coverage[0].basis == "last_message"
    path = _export(tmp_path, made=datetime(2027, 6, 1))           # a clock ahead
    result = api.audit([path], api.Options(roster=tmp_path / "roster.yaml", now=datetime(2026, 12, 1, 8, 0)))
    assert result.coverage[0].until == datetime(2026, 12, 1, 8, 0)


def test_a_verification_grace_running_past_the_export_is_not_judged(tmp_path):
    messages = [*TASK, {"ts": datetime(2026, 11, 30, 18, 5), "sender": "罗刚-仓储部", "text": "收到"},
                {"ts": datetime(2026, 12, 1, 10, 0), "sender": "罗刚-仓储部", "text": "B区货架安全检查已完成"}]
    path = _export(tmp_path, messages=messages, made=datetime(2026, 12, 2, 9, 0))
    result = api.audit([path], api.Options(roster=tmp_path / "roster.yaml", now=datetime(2026, 12, 9)))
    assert ("林涛", "verification_missing") not in _events(result)
    row = result.tasks.iloc[0]
    assert row["status"] == "not_judged" and row["not_judged"] == "验证"
    later = _export(tmp_path, messages=messages, made=datetime(2026, 12, 8, 9, 0))
    assert ("林涛", "verification_missing") in _events(api.audit([later], api.Options(roster=tmp_path / "roster.yaml", now=datetime(2026, 12, 9))))


def test_a_month_the_exports_do_not_reach_exits_3_and_gets_no_announcement(tmp_path):
    path = _export(tmp_path, made=datetime(2026, 12, 1, 9, 0))
    out = tmp_path / "out"
    result = runner.invoke(app, ["audit", str(path), "--month", "2027-01", "--out", str(out), "--quiet",
                                 "--roster", str(tmp_path / "roster.yaml")])
    assert result.exit_code == 3, result.output
    assert "2027-01" in result.output and GROUP in result.output and "不是“无考核事项”" in result.output
    assert not list(out.glob("announce_*")) and (out / "events.csv").is_file()


def test_a_month_the_exports_end_inside_is_incomplete_and_its_dates_are_shown(tmp_path):
    path = _export(tmp_path, made=datetime(2026, 11, 30, 18, 0))
    out = tmp_path / "out"
    result = runner.invoke(app, ["audit", str(path), "--month", "2026-11", "--out", str(out), "--quiet",
                                 "--roster", str(tmp_path / "roster.yaml")])
    assert result.exit_code == 3, result.output
    assert "只覆盖 11月30日至11月30日 18:00" in result.output
    text = (out / f"announce_{GROUP}_2026-11.txt").read_text(encoding="utf-8")
    assert "本次导出只含11月30日至11月30日 18:00的群消息" in text and "此后到期的事项未纳入" in text
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert doc["coverage"][GROUP]["until"] == "2026-11-30T18:00:00"
    assert doc["coverage"][GROUP]["months"]["2026-11"]["status"] == "partial"


def test_a_month_covered_whole_is_complete(tmp_path):
    path = _export(tmp_path, messages=[{**TASK[0], "ts": datetime(2026, 10, 20, 10, 0)}],
                   made=datetime(2026, 12, 1, 9, 0))
    result = runner.invoke(app, ["audit", str(path), "--month", "2026-11", "--out", str(tmp_path / "o"), "--quiet",
                                 "--roster", str(tmp_path / "roster.yaml")])
    assert result.exit_code in (0, 1), result.output


def test_month_states():
    cov = coverage.GroupCoverage("g", datetime(2026, 10, 9, 9, 0), datetime(2026, 11, 2), datetime(2026, 11, 2, 18, 0),
                                 "mtime", ())
    assert cov.month("2026-09").status == "before_start" and not cov.month("2026-09").incomplete
    assert cov.month("2026-10").status == "partial" and not cov.month("2026-10").incomplete   # starts late only
    assert cov.month("2026-11").status == "partial" and cov.month("2026-11").incomplete      # ends early
    assert cov.month("2026-12").status == "missing" and cov.month("2026-12").incomplete
    assert cov.month("2026-11").dates_zh() == "11月1日至11月2日 18:00"


def test_the_as_of_flag_reads_a_date_as_its_end():
    from wgm.cli import parse_moment
    assert parse_moment("2026-11-02") == datetime(2026, 11, 2, 23, 59, 59)
    assert parse_moment("2026-11-02 18:30") == datetime(2026, 11, 2, 18, 30)
    result = runner.invoke(app, ["audit", "x", "--as-of", "yesterday"])
    assert result.exit_code == 2 and "--as-of" in result.output
