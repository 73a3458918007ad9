"""Roster files and the naming rule used when there is no roster."""

from __future__ import annotations

import pytest

from wgm.errors import SettingsError
from wgm.roster import load_roster, split_display_name


@pytest.mark.parametrize("display, expected", [
    ("林涛-运营部", ("林涛", "运营部")),
    ("林涛_运营部", ("林涛", "运营部")),
    ("林涛（运营部）", ("林涛", "运营部")),
    ("运营部-林涛", ("林涛", "运营部")),
    ("林涛 运营部", ("林涛", "运营部")),
    ("韩冰-IT部", ("韩冰", "IT部")),
    ("Bing", ("Bing", "")),
    ("研发-李四", ("李四", "研发")),
    ("张三-项目经理", ("张三", "项目经理")),
])
def test_naming_rule_splits_display_names(display, expected):
    assert split_display_name(display) == expected


def test_yaml_roster_aliases_and_heads(tmp_path):
    path = tmp_path / "roster.yaml"
    path.write_text("company: 远航物流\nmembers:\n"
                    "  - {name: 高峰, dept: 财务部, role: head}\n"
                    "  - {name: 韩冰, dept: IT部, role: head, aliases: [Bing, wxid_hb]}\n"
                    "groups:\n  - {name: 远航物流-运营管理群, admins: [高峰], members: [高峰, 韩冰]}\n", encoding="utf-8")
    roster = load_roster(path)
    aliases = roster.alias_map()
    assert aliases["Bing"] == "韩冰" and aliases["wxid_hb"] == "韩冰" and aliases["高峰-财务部"] == "高峰"
    assert roster.heads_of("财务部") == ["高峰"]
    assert roster.group("远航物流-运营管理群").admins == ("高峰",)


def test_an_english_name_written_beside_the_name_is_the_member(tmp_path):
    path = tmp_path / "roster.yaml"
    path.write_text("members:\n  - {name: 王昊天, dept: 推广部, role: head, aliases: [Tim]}\n", encoding="utf-8")
    aliases = load_roster(path).alias_map()
    assert aliases["Tim王昊天"] == aliases["王昊天Tim"] == aliases["Tim 王昊天"] == aliases["王昊天-Tim"] == "王昊天"


def test_roster_mistakes_name_file_and_line(tmp_path):
    path = tmp_path / "roster.yaml"
    path.write_text("members:\n  - {name: 高峰, dept: 财务部, role: boss}\n"
                    "groups:\n  - {name: G, members: [高峰, 无名]}\n", encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_roster(path)
    text = str(err.value)
    assert f"{path}:2: members.0: unknown role 'boss'" in text
    assert "无名 is not a member of the roster" in text


def test_csv_roster_with_chinese_headers(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("姓名,部门,角色,别名,上级\n林涛,运营部,部门负责人,LT;wxid_lt,马骏\n马骏,总经办,,,\n",
                    encoding="utf-8-sig")
    roster = load_roster(path)
    assert roster.people["林涛"].role == "head" and roster.people["林涛"].aliases == ("LT", "wxid_lt")
    assert roster.people["马骏"].role == "member"


def test_a_roster_of_groups_alone_still_names_groups_by_chat_id(tmp_path):
    """A roster may list groups and no people: its chat ids still name the groups (they were ignored
    while the roster counted as empty)."""
    from wgm import api
    folder = tmp_path / "聊天记录" / "旧群名(40000000001@chatroom)"
    folder.mkdir(parents=True)
    (folder / "旧群名.txt").write_text("2026-05-11 10:00:00 林涛-运营部\n@罗刚-仓储部 请于5月13日前完成A区库存盘点\n\n"
                                     "2026-05-11 10:05:00 罗刚-仓储部\n收到\n", encoding="utf-8")
    roster = tmp_path / "roster.yaml"
    roster.write_text("groups:\n  - {name: 远航物流-仓储群, ids: ['40000000001@chatroom']}\n", encoding="utf-8")
    assert load_roster(roster).people == {}
    result = api.audit([tmp_path / "聊天记录"], api.Options(roster=roster))
    assert set(result.messages["group"]) == {"远航物流-仓储群"}
    assert set(result.tasks["group"]) == {"远航物流-仓储群"}


def test_a_csv_roster_carries_groups_in_a_groups_file_beside_it(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("姓名,部门,角色,别名,上级\n林涛,运营部,部门负责人,LT,\n马骏,总经办,,,\n", encoding="utf-8-sig")
    (tmp_path / "roster_groups.csv").write_text(
        "群名,群ID,管理员,成员\n远航物流-运营管理群,12345@chatroom;wrAbc,马骏,林涛;LT;马骏\n", encoding="gb18030")
    roster = load_roster(path)
    group = roster.group_by_id("wrAbc")
    assert group is not None and group.name == "远航物流-运营管理群" and group.ids == ("12345@chatroom", "wrAbc")
    assert group.admins == ("马骏",) and group.members == ("林涛", "林涛", "马骏")


def test_a_groups_file_naming_a_stranger_is_an_error_with_its_line(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("姓名,部门\n林涛,运营部\n", encoding="utf-8")
    groups = tmp_path / "roster_groups.csv"
    groups.write_text("群名,管理员\nG1,林涛\nG2,林滔\n", encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_roster(path)
    assert f"{groups}:3: 管理员: 林滔 is not a member of the roster" in str(err.value)


def test_an_xlsx_roster_carries_groups_on_a_second_sheet(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    people = wb.active
    people.title = "成员"
    for row in (["姓名", "部门", "角色", "别名", "工号"], ["林涛", "运营部", "head", "wxid_lt", "HX01"],
                ["马骏", "总经办", "", "", "HX02"]):
        people.append(row)
    groups = wb.create_sheet("群")
    for row in (["群名", "群ID", "管理员", "成员"], ["远航物流-运营管理群", "12345@chatroom", "HX02", "林涛;马骏"]):
        groups.append(row)
    path = tmp_path / "roster.xlsx"
    wb.save(path)
    roster = load_roster(path)
    assert roster.group_by_id("12345@chatroom").admins == ("马骏",)
    assert roster.people["林涛"].id == "HX01"


def test_an_audit_names_a_group_from_the_csv_rosters_groups_file_kept_among_the_exports(tmp_path):
    """PyWxDump names no group: the groups file's chat id does; kept in the exports folder it is a side
    file, not an export left unread (exit 3), and a changed groups file is no cache hit."""
    import shutil
    from tests import paths
    from wgm import api
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("pywxdump_34567890123@chatroom_0_10.csv", "pywxdump_users.json"):
        shutil.copy(paths.SPEC_SAMPLES / name, folder / name.replace("pywxdump_users", "users"))
    roster = folder / "roster.csv"
    roster.write_text("姓名,部门,别名\n张三,项目部,wxid_zhangsan01\n李四,研发,wxid_lisi01\n", encoding="utf-8")
    groups = folder / "roster_groups.csv"
    groups.write_text("群名,群ID,管理员\n远航-项目群,34567890123@chatroom,张三\n", encoding="utf-8")
    options = api.Options(roster=roster, cache=tmp_path / "cache")
    result = api.audit([folder], options)
    assert set(result.messages["group"]) == {"远航-项目群"} and not result.incomplete
    groups.write_text("群名,群ID,管理员\n远航-交付群,34567890123@chatroom,张三\n", encoding="utf-8")
    assert set(api.audit([folder], options).messages["group"]) == {"远航-交付群"}
