"""`wgm roster draft` and `wgm roster check` (#17.3): a drafted roster loads, an audit with it finds what
one without a roster finds, on every sample layout; the check names who is missing and which ids nothing maps."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests import paths
from wgm import api
from wgm.cli import app
from wgm.roster import load_roster

SAMPLES = paths.ROOT / "sample_exports"
runner = CliRunner()
NOT_EXPORTS = {"README.md", "pywxdump_users.json", "UNVERIFIED_wechat_win_multiselect_copy.txt"}
LAYOUTS = [SAMPLES] + sorted(p for p in paths.SPEC_SAMPLES.iterdir() if p.name not in NOT_EXPORTS)
DAY = date(2025, 3, 3)          # the day of chatlog's date-less text sample


def _events(result) -> list[tuple]:
    return sorted(result.events[["rule", "group", "amount", "msg_ids", "count"]].itertuples(index=False, name=None))


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda p: p.name)
def test_a_drafted_roster_loads_and_the_audit_runs_unchanged(layout, tmp_path):
    text = api.roster_draft([layout], api.Options(date=DAY))
    draft = tmp_path / "roster.yaml"
    draft.write_text(text, encoding="utf-8")
    roster = load_roster(draft)
    assert roster.people and roster.groups
    bare = api.audit([layout], api.Options(date=DAY))
    drafted = api.audit([layout], api.Options(date=DAY, roster=draft))
    assert _events(drafted) == _events(bare)
    # members the naming rule named keep their names; only people shown by a bare id get it whole
    named = bare.messages[(bare.messages["sender"] != "") & (bare.messages["sender"] != bare.messages["sender_id"])]
    again = drafted.messages.set_index("msg_id").loc[named["msg_id"], "member"]
    assert list(again) == list(named["member"])
    assert set(drafted.messages["group"]) == set(bare.messages["group"])


def test_the_draft_lists_aliases_groups_ids_and_the_admins_to_fill_in():
    text = api.roster_draft([SAMPLES, paths.SPEC_SAMPLES / "chatlog_group.csv",
                             paths.SPEC_SAMPLES / "wecom_archive_decrypted.jsonl"], api.Options())
    doc = yaml.safe_load(text)
    people = {m["name"]: m for m in doc["members"]}
    assert people["李四"]["dept"] == "研发" and set(people["李四"]["aliases"]) == {"研发-李四", "wxid_lisi01"}
    assert people["赵磊"]["role"] == "head" and people["赵磊"]["aliases"] == ["赵磊-仓储部"]
    assert people["zhangsan"]["aliases"] == ["zhangsan"]                 # a WeCom userid: name to fill in
    assert "TODO 填写 真实姓名：导出里只有 id zhangsan" in text
    groups = {g["name"]: g for g in doc["groups"]}
    assert groups["华信科技-运营管理群"]["ids"] == ["44556677889@chatroom"]
    assert {"孙丽", "Leo", "陈志强"} <= set(groups["华信科技-运营管理群"]["members"])
    assert groups["项目交付群"]["ids"] == ["34567890123@chatroom"] and groups["项目交付群"]["admins"] == []
    assert text.count("TODO 填写 群管理员") == len(groups)
    assert "TODO 填写 群名：导出只有群 id" in text                   # the WeCom room has no name


def test_a_name_with_a_space_is_not_a_department():
    """王 五 does not follow 姓名-部门: no department 五 is drafted (and the naming rule still fires)."""
    doc = yaml.safe_load(api.roster_draft([paths.SPEC_SAMPLES / "weflow_group.txt"], api.Options()))
    wang = next(m for m in doc["members"] if "王 五" in m["aliases"])
    assert wang["dept"] == "" and wang["role"] == "member"


def test_draft_command_writes_the_file_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "roster.yaml"
    result = runner.invoke(app, ["roster", "draft", str(SAMPLES), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert load_roster(out).people
    again = runner.invoke(app, ["roster", "draft", str(SAMPLES), "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    printed = runner.invoke(app, ["roster", "draft", str(SAMPLES)])
    assert printed.exit_code == 0 and printed.output == out.read_text(encoding="utf-8")


def test_check_names_the_missing_with_the_closest_names_and_the_raw_ids(tmp_path):
    roster = tmp_path / "roster.yaml"
    roster.write_text("members:\n  - {name: 孙俪, dept: 行政部}\n  - {name: 王芳, dept: 财务部}\n"
                      "groups:\n  - {name: 华信科技-运营管理群}\n", encoding="utf-8")
    found = api.roster_check([SAMPLES, paths.SPEC_SAMPLES / "wecom_archive_decrypted.jsonl"],
                             api.Options(roster=roster))
    missing = {m.shown: m for m in found.missing}
    assert "王芳" not in missing and "孙俪" in missing["孙丽"].closest          # the homophone first
    assert missing["陈志强"].groups == ("华信科技-运营管理群",)
    assert {r.id for r in found.raw_ids} == {"zhangsan", "lisi", "wangwu"}
    assert "华信科技-项目交付群" in found.unknown_groups
    result = runner.invoke(app, ["roster", "check", str(SAMPLES), "--roster", str(roster)], env={"COLUMNS": "200"})
    assert result.exit_code == 1 and "孙俪" in result.output


def test_check_of_the_sample_roster_is_clean_and_of_an_id_alias_maps_the_id(tmp_path):
    result = runner.invoke(app, ["roster", "check", str(SAMPLES), "--roster", str(SAMPLES / "roster.yaml")])
    assert result.exit_code == 0, result.output
    roster = tmp_path / "roster.yaml"
    roster.write_text("members:\n  - {name: 张三, aliases: [zhangsan]}\n  - {name: 李四, aliases: [lisi]}\n"
                      "  - {name: 王五, aliases: [wangwu]}\n", encoding="utf-8")
    found = api.roster_check([paths.SPEC_SAMPLES / "wecom_archive_decrypted.jsonl"], api.Options(roster=roster))
    assert found.clean


def test_check_needs_a_roster():
    result = runner.invoke(app, ["roster", "check", str(SAMPLES)])
    assert result.exit_code == 2
