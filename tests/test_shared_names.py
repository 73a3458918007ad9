"""People who share a name: the roster's id (工号) or department tells them apart in every output."""

from __future__ import annotations

import pytest

from tests.chat import audit_chat
from wgm.errors import SettingsError
from wgm.report import publish
from wgm.roster import load_roster

ROSTER = """company: 远航物流
members:
  - {name: 林涛, dept: 运营部, role: head}
  - {name: 何敏, dept: 行政部, role: office}
  - {name: 王芳, dept: 财务部, role: head, id: YH001}
  - {name: 王芳, dept: 销售部, role: head, id: YH002, supervisor: 林涛}
groups:
  - name: 远航物流-运营管理群
    admins: [何敏]
    members: [林涛, 何敏, YH001, YH002]
"""
CHAT = """
2026-05-11 16:00:00 林涛-运营部: @王芳-财务部 请于5月13日前提交4月的运费对账单
2026-05-11 16:01:00 林涛-运营部: @王芳-销售部 请于5月13日前提交4月的客户回款明细
2026-05-11 16:30:00 王芳-销售部: 收到
2026-05-12 09:00:00 王芳-财务部: 收到，今天下午给您
"""


def test_two_members_of_one_name_are_two_members_everywhere(tmp_path):
    result = audit_chat(CHAT, tmp_path, roster=ROSTER)
    fined = result.events[result.events["rule"] == "reply_missed"]
    assert list(fined["member"]) == ["王芳（财务部）"] and list(fined["member_id"]) == ["YH001"]
    receivers = set(result.tasks["receiver"])
    assert receivers == {"王芳（财务部）", "王芳（销售部）"}
    row = result.summary[result.summary["member"] == "王芳（财务部）"].iloc[0]
    assert row["member_id"] == "YH001" and row["dept"] == "财务部"
    text = publish.announcement(result, "远航物流-运营管理群", "2026-05")
    assert "王芳（财务部）：未按时回复1次" in text and "王芳（销售部）" not in text


def test_references_by_id_resolve_and_a_shared_bare_name_is_an_error(tmp_path):
    roster = load_roster(_write(tmp_path, ROSTER))
    assert roster.people["王芳（销售部）"].supervisor == "林涛"
    assert roster.group("远航物流-运营管理群").members == ("林涛", "何敏", "王芳（财务部）", "王芳（销售部）")
    with pytest.raises(SettingsError, match="王芳 is more than one member"):
        load_roster(_write(tmp_path, ROSTER.replace("members: [林涛, 何敏, YH001, YH002]", "members: [林涛, 王芳]")))


def test_two_entries_nothing_tells_apart_are_an_error(tmp_path):
    text = ROSTER.replace("{name: 王芳, dept: 销售部, role: head, id: YH002, supervisor: 林涛}",
                          "{name: 王芳, dept: 财务部, role: member}")
    with pytest.raises(SettingsError, match="王芳 listed twice"):
        load_roster(_write(tmp_path, text))


def test_a_csv_roster_carries_the_id(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("工号,姓名,部门,角色\nYH001,王芳,财务部,head\nYH002,王芳,销售部,head\n", encoding="utf-8")
    roster = load_roster(path)
    assert roster.ids() == {"王芳（财务部）": "YH001", "王芳（销售部）": "YH002"}


def _write(tmp_path, text: str):
    path = tmp_path / "roster.yaml"
    path.write_text(text, encoding="utf-8")
    return path
