"""--members from exports (contract.md "Membership snapshots"): the 成员信息 sheet of a 留痕 XLSX and a WeCom
groupchat/get reply, dated by --members-as-of or else by the end of what the group's exports cover."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.paths import REAL_EXPORTS
from wgm import api, membership
from wgm.cli import app
from wgm.errors import SettingsError
from wgm.records import load_snapshots
from wgm.roster import load_roster

CHAT = REAL_EXPORTS / "memotrace_v3_wechat4db"
XLSX = CHAT / "华信科技-项目交付群.xlsx"
GROUP = "华信科技-项目交付群"
ROSTER = f"""
members:
  - {{name: 张三, aliases: [wxid_zhangsan01]}}
  - {{name: 李四, aliases: [wxid_lisi01]}}
  - {{name: 王 五}}
  - {{name: 周九, aliases: [wxid_zhoujiu01]}}
groups:
  - {{name: {GROUP}, ids: ["34567890123@chatroom"], members: [张三, 李四, 王 五, 周九]}}
"""


@pytest.fixture
def roster_file(tmp_path: Path) -> Path:
    path = tmp_path / "roster.yaml"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def test_memotrace_member_sheet_is_a_snapshot_of_the_group(roster_file: Path) -> None:
    [snap] = load_snapshots(XLSX, load_roster(roster_file), date(2025, 3, 3))
    assert (snap.group, snap.as_of, snap.basis) == (GROUP, date(2025, 3, 3), membership.BASIS_GIVEN)
    # by 昵称 or wxid where the roster knows them; 王_五 (留痕's sanitised name) is the roster's 王 五
    assert {"张三", "李四", "王 五"} <= snap.members
    assert "周九" not in snap.members and len(snap.members) == 6


def test_without_a_date_the_snapshot_is_dated_by_the_exports_coverage(roster_file: Path) -> None:
    result = api.audit([CHAT / "华信科技-项目交付群.txt"],
                       api.Options(roster=roster_file, members=XLSX, as_of=datetime(2025, 3, 5, 18, 0),
                                   now=datetime(2025, 4, 1), jobs=1))
    quits = result.events[result.events.rule == "quit_group"]
    assert quits.member.tolist() == ["周九"]
    assert quits.ts.dt.date.tolist() == [date(2025, 3, 5)]
    assert any(membership.BASIS_COVERAGE in w for w in result.warnings)


def test_members_as_of_on_the_command_line_dates_it(roster_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["audit", str(CHAT / "华信科技-项目交付群.txt"), "--roster", str(roster_file),
                                   "--members", str(XLSX), "--members-as-of", "2025-03-04", "--as-of", "2025-03-05",
                                   "--out", str(out), "--quiet"])
    assert run.exit_code in (0, 1, 3), run.output
    events = (out / "events.csv").read_text(encoding="utf-8-sig")
    assert "2025-03-04 成员快照" in events
    bad = CliRunner().invoke(app, ["audit", str(XLSX), "--members", str(XLSX), "--members-as-of", "3月4日",
                                   "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "--members-as-of 的格式是 YYYY-MM-DD" in bad.output      # Chinese first


@pytest.mark.parametrize("reply", [
    # the archive's 内部群信息 (msgaudit/groupchat/get)
    {"errcode": 0, "errmsg": "ok", "roomname": GROUP, "creator": "zhangsan",
     "members": [{"memberid": "wxid_zhangsan01", "jointime": 1740960000}, {"memberid": "wxid_lisi01", "jointime": 1}]},
    # the customer-group API (externalcontact/groupchat/get)
    {"errcode": 0, "errmsg": "ok", "group_chat": {"chat_id": "34567890123@chatroom", "name": "另一个名字",
                                                  "member_list": [{"userid": "wxid_zhangsan01", "type": 1},
                                                                  {"userid": "x1", "name": "李四"}]}},
])
def test_wecom_groupchat_get_reply_is_a_snapshot(reply: dict, roster_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "groupchat.json"
    path.write_text(json.dumps(reply, ensure_ascii=False), encoding="utf-8")
    [snap] = load_snapshots(path, load_roster(roster_file), date(2025, 3, 4))
    assert snap.group == GROUP                   # by the roster's chat id where the reply gives one
    assert snap.members == {"张三", "李四"}


def test_a_snapshot_with_no_date_and_no_export_of_its_group_is_an_error(roster_file: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_snapshots(XLSX, load_roster(roster_file))
    assert "--members-as-of" in caught.value.message


def test_a_wecom_error_reply_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "groupchat.json"
    path.write_text('{"errcode": 40058, "errmsg": "invalid chatid", "members": []}', encoding="utf-8")
    with pytest.raises(SettingsError):
        load_snapshots(path, load_roster(None), date(2025, 3, 4))


def test_the_xlsx_given_as_members_is_still_read_as_the_chat(roster_file: Path) -> None:
    # a 留痕 XLSX holds both the messages and the member sheet: naming it --members must not drop its messages
    result = api.audit([XLSX], api.Options(roster=roster_file, members=XLSX, as_of=datetime(2025, 3, 5, 18, 0),
                                           now=datetime(2025, 4, 1), jobs=1))
    assert len(result.messages) == 15
    assert result.events[result.events.rule == "quit_group"].member.tolist() == ["周九"]
