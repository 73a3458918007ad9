"""Names the user types must match someone: a typo is an error with the closest names, and a rule
that cannot fire for want of an admin (or a roster) says so instead of fining nobody silently."""

from __future__ import annotations

from datetime import datetime

import openpyxl
import pytest
from typer.testing import CliRunner

from tests import paths
from wgm import api, names, report
from wgm.cli import app
from wgm.errors import SettingsError

SAMPLES = paths.ROOT / "sample_exports"
runner = CliRunner()


def test_closest_names_put_homophones_first():
    assert names.closest("孙俪", ["孙丽", "周建国", "孙立平"]) == ["孙丽"]
    assert names.closest("华信科技-运营群", ["华信科技-运营管理群", "某某公司"]) == ["华信科技-运营管理群"]
    assert names.closest("张三", ["王五", "赵六"]) == []
    assert names.pinyin_order(["赵磊", "陈志强", "Leo", "黄敏"]) == ["陈志强", "黄敏", "Leo", "赵磊"]


def test_without_an_admin_the_warning_names_the_rule_that_cannot_fire(tmp_path):
    result = api.audit([SAMPLES], api.Options(as_of=datetime(2026, 11, 2, 18, 0)))
    warned = [w for w in result.warnings if "off_topic_after_warning" in w]
    assert len(warned) == 2 and "没有已知的群管理员" in warned[0]
    report.write(result, tmp_path, {"xlsx"})
    sheet = openpyxl.load_workbook(tmp_path / "report.xlsx")["规则"]
    assert any("off_topic_after_warning" in str(row[1]) for row in sheet.iter_rows(values_only=True))


def test_with_the_admin_given_the_rule_fires_and_nothing_is_warned():
    result = api.audit([SAMPLES], api.Options(as_of=datetime(2026, 11, 2, 18, 0), set=("admins=孙丽,杨帆",)))
    assert not [w for w in result.warnings if "off_topic_after_warning" in w]
    assert (result.events["rule"] == "off_topic_after_warning").sum() >= 2


def test_an_admin_matching_nobody_is_an_error_with_the_closest_name(tmp_path):
    result = runner.invoke(app, ["audit", str(SAMPLES), "--set", "admins=孙俪", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "孙俪" in result.output and "是否指 孙丽" in result.output
    assert not (tmp_path / "o").exists()


def test_an_incident_of_nobody_in_the_exports_is_an_error(tmp_path):
    incidents = tmp_path / "incidents.yaml"
    incidents.write_text("- {date: 2026-10-20, member: 刘阳, rule: leak}\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="刘阳 matches nobody.*是否指 刘洋"):
        api.audit([SAMPLES], api.Options(incidents=incidents))


def test_a_roster_naming_an_admin_it_does_not_list_suggests_the_member(tmp_path):
    roster = tmp_path / "roster.yaml"
    text = (SAMPLES / "roster.yaml").read_text(encoding="utf-8").replace("admins: [孙丽]", "admins: [孙俪]")
    roster.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match="孙俪 is not a member of the roster（是否指 孙丽？）"):
        api.audit([SAMPLES], api.Options(roster=roster))


def test_a_snapshot_naming_a_member_by_an_alias_is_no_quit(tmp_path):
    members = tmp_path / "members.csv"
    text = (SAMPLES / "members.csv").read_text(encoding="utf-8").replace("运营管理群,李明", "运营管理群,Leo")
    members.write_text(text, encoding="utf-8")
    result = api.audit([SAMPLES], api.Options(roster=SAMPLES / "roster.yaml", members=members,
                                              as_of=datetime(2026, 11, 2, 18, 0)))
    quits = result.events[result.events["rule"] == "quit_group"]
    assert list(quits["member"]) == ["郑凯"]


def test_explain_of_nobody_is_an_error_with_the_closest_name():
    result = runner.invoke(app, ["explain", str(SAMPLES), "--member", "刘阳", "--roster", str(SAMPLES / "roster.yaml")])
    assert result.exit_code == 2 and "是否指 刘洋" in result.output
