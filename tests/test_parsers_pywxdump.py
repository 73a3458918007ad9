"""PyWxDump CSV / v2.4 CSV / JSON and WeFlow's "WeClone" CSV: golden samples, users.json names,
Excel re-saves, system XML, detection, damaged input."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from tests import paths
from tests.layouts import LAYOUTS, render_files, write_export
from tests.layouts_pywxdump import RENDERERS, wxid_of
from wgm import parsers
from wgm.parsers import pywxdump
from wgm.parsers import Source

SPEC_SAMPLES = paths.SPEC_SAMPLES
PYWXDUMP_SAMPLE = SPEC_SAMPLES / "pywxdump_34567890123@chatroom_0_10.csv"
USERS_SAMPLE = SPEC_SAMPLES / "pywxdump_users.json"
WECLONE_SAMPLE = SPEC_SAMPLES / "weflow_weclone_group.csv"
CHAT = "34567890123@chatroom"
TIMES = ["09:01:23", "09:05:10", "09:06:02", "09:07:45", "10:15:00", "11:20:33", "17:28:40", "17:29:05", "17:35:12"]
MEDIA = ["text", "text", "image", "text", "system", "system", "text", "file", "text"]
HEADER = "id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime\r\n"
V24_HEADER = "id,MsgSvrID,type_name,is_sender,talker,room_name,content,CreateTime\r\n"


def accounted(result) -> bool:
    """The accounting invariant, and no line claimed twice (a JSON parser's structural count is a remainder)."""
    m = result.messages
    covered = int((m["line_end"] - m["line"] + 1).sum())
    claimed = [n for a, b in zip(m["line"], m["line_end"]) for n in range(a, b + 1)] + list(result.unparsed["line"])
    return (covered + len(result.unparsed) + result.structural_lines == result.lines
            and result.structural_lines >= 0 and len(claimed) == len(set(claimed))
            and all(1 <= n <= result.lines for n in claimed))


def pywxdump_export(folder: Path, csv_bytes: bytes | None = None, users: bytes | None = None) -> Path:
    """The sample as PyWxDump lays it out: <chat>/<chat>_0_10.csv beside users.json."""
    chat = folder / CHAT
    chat.mkdir(parents=True)
    path = chat / f"{CHAT}_0_10.csv"
    path.write_bytes(PYWXDUMP_SAMPLE.read_bytes() if csv_bytes is None else csv_bytes)
    if users is not None:
        (chat / "users.json").write_bytes(users)
    return path


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


# ---- golden samples -------------------------------------------------------------------------------

def test_pywxdump_sample_with_users_json(tmp_path):
    result = parsers.read(pywxdump_export(tmp_path, users=USERS_SAMPLE.read_bytes()))
    m = result.messages
    assert result.fmt == "pywxdump_csv" and result.encoding == "utf-8"
    assert len(m) == 9 and len(result.unparsed) == 0 and accounted(result) and result.structural_lines == 1
    assert list(m["ts"].dt.strftime("%H:%M:%S")) == TIMES and m["ts"].dt.date.astype(str).eq("2025-03-03").all()
    assert list(m["media"]) == MEDIA
    assert list(m["sender"]) == ["张三", "研发-李四", "王 五", "王 五", "", "", "研发-李四", "研发-李四", "赵六"]
    assert list(m["sender_id"]) == ["wxid_zhangsan01", "wxid_lisi01", "wxid_wangwu01", "wxid_wangwu01", "", "",
                                    "wxid_lisi01", "wxid_lisi01", "wxid_zhaoliu01"]
    assert list(m["msg_id"]) == [str(7301111111111111101 + i) for i in range(9)]
    assert m["group"].eq(CHAT).all() and m["group_id"].eq(CHAT).all()
    assert m.iloc[0]["content"].startswith("@李四\u2005@王 五\u2005请今天18:00前提交本周周报")
    quote = m.iloc[3]
    assert quote["content"] == "收到，17点前完成" and quote["quote_sender"] == "张三-项目经理"
    assert quote["quote_text"] == "@李四\u2005@王 五\u2005请今天18:00前提交本周周报，收到请回复预计完成时间"
    assert quote["text"].startswith("收到，17点前完成\n\n[引用](2025-03-03 09:01:23)张三-项目经理:")
    assert (quote["line"], quote["line_end"]) == (5, 7)
    assert m.iloc[4]["content"] == '"张三"邀请"孙七"加入了群聊'
    assert m.iloc[5]["content"] == '"李四" 撤回了一条消息'
    assert m.iloc[6]["content"] == "周报已提交：\n1. 完成接口联调\n2. 修复3个缺陷"
    assert (m.iloc[6]["line"], m.iloc[6]["line_end"]) == (10, 12)
    assert m["precision"].eq("s").all()


def test_pywxdump_sample_in_the_samples_folder_finds_its_prefixed_users_json():
    result = parsers.read(PYWXDUMP_SAMPLE)
    m = result.messages
    assert result.fmt == "pywxdump_csv" and len(m) == 9 and len(result.unparsed) == 0 and accounted(result)
    assert m.iloc[1]["sender"] == "研发-李四" and m.iloc[0]["sender"] == "张三"
    assert m["group"].eq(CHAT).all()   # the `pywxdump_` prefix of the copy does not hide the chat id


def test_weclone_sample():
    result = parsers.read(WECLONE_SAMPLE)
    m = result.messages
    assert result.fmt == "weflow_weclone_csv" and result.encoding == "utf-8-sig"
    assert len(m) == 9 and len(result.unparsed) == 0 and accounted(result)
    assert list(m["ts"].dt.strftime("%H:%M:%S")) == TIMES
    assert list(m["media"]) == MEDIA
    assert list(m["sender"]) == ["张三", "研发-李四", "王 五", "王 五", "", "", "研发-李四", "研发-李四", "赵六"]
    assert m["sender_id"].eq("").all() and m["group"].eq("weflow_weclone_group").all()
    quote = m.iloc[3]
    assert quote["content"] == "收到，17点前完成" and quote["quote_sender"] == "张三"
    assert quote["quote_text"].startswith("@李四\u2005@王 五\u2005请今天18:00前")
    assert m.iloc[4]["content"] == '"张三"邀请"孙七"加入了群聊'
    assert m.iloc[7]["content"] == "[文件]周报-李四.docx"
    assert list(m["msg_id"]) == [str(7301111111111111101 + i) for i in range(9)]


def test_weclone_utc_instants_become_local_time(tmp_path):
    text = ("\ufeffid,MsgSvrID,type_name,is_sender,talker,msg,src,CreateTime\r\n"
            "1,11,text,0,张三,请提交周报,,2025-03-03T01:01:23.000Z\r\n"
            "2,12,text,0,张三,跨日,,2025-03-02T16:30:00.000Z\r\n")
    path = write(tmp_path / "chat.csv", text)
    times = list(parsers.read(path).messages["ts"])
    assert times == [datetime(2025, 3, 3, 9, 1, 23), datetime(2025, 3, 3, 0, 30)]
    in_utc = parsers.read(path, tz="UTC").messages["ts"]
    assert in_utc.iloc[0] == datetime(2025, 3, 3, 1, 1, 23)


# ---- names from users.json -----------------------------------------------------------------------

def test_users_json_one_folder_up(tmp_path):
    chat = tmp_path / "wxid_me" / "csv" / CHAT
    path = write(chat / "page" / f"{CHAT}_0_10.csv", PYWXDUMP_SAMPLE.read_text(encoding="utf-8"))
    shutil.copy(USERS_SAMPLE, chat / "users.json")
    assert parsers.read(path).messages.iloc[1]["sender"] == "研发-李四"


def test_users_json_beside_wins_over_one_folder_up(tmp_path):
    path = pywxdump_export(tmp_path / "x", users=USERS_SAMPLE.read_bytes())
    write(path.parent.parent / "users.json", json.dumps({"wxid_lisi01": {"wxid": "wxid_lisi01", "remark": "别名"}}))
    assert parsers.read(path).messages.iloc[1]["sender"] == "研发-李四"


def test_name_is_remark_then_nickname_then_wxid(tmp_path):
    users = {"wxid_zhangsan01": {"wxid": "wxid_zhangsan01", "nickname": "张三", "remark": None},
             "wxid_lisi01": {"wxid": "wxid_lisi01", "nickname": "李四", "remark": "研发-李四"},
             "wxid_wangwu01": {"wxid": "wxid_wangwu01", "nickname": "", "remark": ""}}
    path = pywxdump_export(tmp_path, users=json.dumps(users, ensure_ascii=False).encode())
    m = parsers.read(path).messages
    assert list(m["sender"].iloc[:4]) == ["张三", "研发-李四", "wxid_wangwu01", "wxid_wangwu01"]
    assert m.iloc[8]["sender"] == "wxid_zhaoliu01"   # not in users.json


@pytest.mark.parametrize("users", [None, b"{not json", b"[1, 2, 3]", b'"text"', b"\xff\xfe\x00garbage"])
def test_missing_or_broken_users_json_falls_back_to_wxids(users, tmp_path):
    result = parsers.read(pywxdump_export(tmp_path, users=users))
    m = result.messages
    assert len(m) == 9 and len(result.unparsed) == 0 and accounted(result)
    assert list(m["sender"].iloc[:3]) == ["wxid_zhangsan01", "wxid_lisi01", "wxid_wangwu01"]
    assert m["sender"].eq(m["sender_id"]).all()


# ---- other layouts of the family -----------------------------------------------------------------

def test_v24_csv_content_json_and_self_as_wo(tmp_path):
    def content(msg: str, src: str = "") -> str:
        return '"' + json.dumps({"src": src, "msg": msg}, ensure_ascii=False).replace('"', '""') + '"'
    cells = [content("请今天提交周报"), content("图片", "FileStorage\\a.dat"),
             content("收到\n\n[引用](2025-03-03 09:01:23)张三:请今天提交周报"), content('"张三"邀请"孙七"加入了群聊'),
             "not json at all"]
    rows = [("101", "文本", "0", "wxid_zhangsan01", "09:01:23"), ("102", "图片", "0", "wxid_lisi01", "09:06:02"),
            ("103", "引用回复", "1", "我", "09:07:45"), ("104", "系统通知", "0", "未知", "10:15:00"),
            ("105", "文本", "0", "wxid_lisi01", "10:20:00")]
    text = V24_HEADER + "".join(f"{i + 1},{svr},{kind},{mine},{talker},{CHAT},{cell},2025-03-03 {hms}\r\n"
                                for i, ((svr, kind, mine, talker, hms), cell) in enumerate(zip(rows, cells)))
    path = write(tmp_path / CHAT / f"{CHAT}_0_6.csv", text)
    result = parsers.read(path)
    m = result.messages
    assert result.fmt == "pywxdump_csv_v24" and len(m) == 5 and len(result.unparsed) == 0 and accounted(result)
    assert list(m["media"]) == ["text", "image", "text", "system", "text"]
    assert m.iloc[0]["text"] == "请今天提交周报" and m.iloc[0]["sender"] == "wxid_zhangsan01"   # v2.4: no users.json
    assert (m.iloc[2]["sender"], m.iloc[2]["sender_id"]) == ("我", "")
    assert (m.iloc[2]["content"], m.iloc[2]["quote_sender"], m.iloc[2]["quote_text"]) == ("收到", "张三", "请今天提交周报")
    assert m.iloc[3]["content"] == '"张三"邀请"孙七"加入了群聊' and m.iloc[3]["sender"] == ""
    assert m.iloc[4]["text"] == "not json at all"   # a damaged content cell keeps its row


def test_json_layout_line_spans(tmp_path):
    messages = [{"ts": datetime(2025, 3, 3, 9, 1, 23), "sender": "张三", "text": "请提交\n周报"},
                {"ts": datetime(2025, 3, 3, 9, 5, 10), "sender": "李四", "text": "收到",
                 "quote": {"sender": "张三", "text": "请提交"}},
                {"ts": datetime(2025, 3, 3, 10, 15), "sender": "", "text": '"张三"邀请"孙七"加入了群聊', "system": True}]
    path = write_export(tmp_path, messages, "项目群", "pywxdump_json", group_id=CHAT)
    result = parsers.read(path)
    m = result.messages
    assert result.fmt == "pywxdump_json" and len(m) == 3 and len(result.unparsed) == 0 and accounted(result)
    assert result.structural_lines == 2   # the brackets
    lines = path.read_text(encoding="utf-8").split("\n")
    for row in m.itertuples():
        assert lines[row.line - 1].strip() == "{" and lines[row.line_end - 1].strip() in ("}", "},")
    assert list(m["sender"]) == ["张三", "李四", ""] and list(m["media"]) == ["text", "text", "system"]
    assert m.iloc[1]["quote_sender"] == "张三" and m.iloc[1]["content"] == "收到"
    assert m["group"].eq(CHAT).all()


def test_json_epoch_times_and_compact_layout(tmp_path):
    items = [{"MsgSvrID": "1", "type_name": "文本", "talker": "wxid_a", "room_name": CHAT, "msg": "一",
              "CreateTime": 1740963683},
             {"MsgSvrID": "2", "type_name": "文本", "talker": "wxid_b", "room_name": CHAT, "msg": "二",
              "CreateTime": "2025-03-03 09:05:10"}]
    path = write(tmp_path / "chat.json", json.dumps(items, ensure_ascii=False))   # one line
    result = parsers.read(path)
    assert result.fmt == "pywxdump_json" and len(result.messages) == 2 and accounted(result)
    assert list(result.messages["ts"]) == [datetime(2025, 3, 3, 9, 1, 23), datetime(2025, 3, 3, 9, 5, 10)]
    # both items sit on line 1: it is counted once, with the later one
    assert list(zip(result.messages["line"], result.messages["line_end"])) == [(1, 0), (1, 1)]


def test_truncated_json_keeps_the_messages_before_the_damage(tmp_path):
    messages = [{"ts": datetime(2025, 3, 3, 9, 0, k), "sender": "张三", "text": f"消息{k}"} for k in range(3)]
    path = write_export(tmp_path, messages, "g", "pywxdump_json", group_id=CHAT)
    text = path.read_text(encoding="utf-8")
    cut = text.rindex('"msg"')
    path.write_text(text[:cut], encoding="utf-8")
    result = parsers.read(path)
    assert list(result.messages["content"]) == ["消息0", "消息1"] and accounted(result)
    assert len(result.unparsed) > 0 and result.unparsed["reason"].str.contains("invalid JSON").iloc[0]


def test_json_items_that_are_not_messages_are_reported(tmp_path):
    items = [{"MsgSvrID": "1", "type_name": "文本", "talker": "wxid_a", "room_name": CHAT, "msg": "一",
              "CreateTime": "2025-03-03 09:01:23"}, "stray", {"MsgSvrID": "3", "type_name": "文本", "talker": "wxid_a",
                                                              "room_name": CHAT, "msg": "三", "CreateTime": "soon"}]
    path = write(tmp_path / "chat.json", json.dumps(items, ensure_ascii=False, indent=4))
    result = parsers.read(path)
    assert len(result.messages) == 1 and accounted(result)
    assert set(result.unparsed["reason"]) >= {"数组项不是消息对象（array item is not a message object）", "没有可读的时间（no readable time）"}


# ---- Excel re-saves, times, ids -------------------------------------------------------------------

def test_excel_resaved_csv_minute_precision(tmp_path):
    text = (HEADER.replace("\r\n", "\n")
            + f"1,7.30111E+18,文本,0,wxid_zhangsan01,{CHAT},请今天提交周报,,2025/3/3 9:01\n"
            + f"2,7.30111E+18,文本,0,wxid_lisi01,{CHAT},收到,,2025/3/3 9:05\n"
            + f"3,7301111111111111103,文本,0,wxid_lisi01,{CHAT},带秒,,2025/3/3 9:06:02\n"
            + f"4,7301111111111111104,文本,0,wxid_lisi01,{CHAT},横线,,2025-3-3 9:07\n")
    path = write(tmp_path / f"{CHAT}_0_5.csv", text, "gb18030")
    result = parsers.read(path)
    m = result.messages
    assert result.fmt == "pywxdump_csv" and len(m) == 4 and len(result.unparsed) == 0 and accounted(result)
    assert list(m["ts"]) == [datetime(2025, 3, 3, 9, 1), datetime(2025, 3, 3, 9, 5), datetime(2025, 3, 3, 9, 6, 2),
                             datetime(2025, 3, 3, 9, 7)]
    assert list(m["precision"]) == ["min", "min", "s", "min"]
    assert list(m["msg_id"]) == ["", "", "7301111111111111103", "7301111111111111104"]   # a float is no id
    assert m.iloc[1]["content"] == "收到"


@pytest.mark.parametrize("text, expected", [
    ("2025-03-03 09:01:23", (datetime(2025, 3, 3, 9, 1, 23), "s")),
    ("2025/3/3 9:01", (datetime(2025, 3, 3, 9, 1), "min")),
    ("2025/03/03 09:01:23", (datetime(2025, 3, 3, 9, 1, 23), "s")),
    ("2025-3-3 9:01", (datetime(2025, 3, 3, 9, 1), "min")),
    ("2025/2/30 9:01", (None, "s")),
    ("9:01", (None, "s")),
    ("", (None, "s")),
])
def test_local_time_cells(text, expected):
    assert pywxdump.local_time(text) == expected


def test_rows_are_not_assumed_sorted(tmp_path):
    text = (HEADER + f"1,2,文本,0,wxid_a,{CHAT},后,,2025-03-03 10:00:00\r\n"
            + f"2,1,文本,0,wxid_a,{CHAT},先,,2025-03-03 09:00:00\r\n")
    m = parsers.read(write(tmp_path / "c.csv", text)).messages
    assert list(m["content"]) == ["后", "先"] and list(m["ts"].dt.hour) == [10, 9]


# ---- system rows ---------------------------------------------------------------------------------

REVOKE = ('<sysmsg type="revokemsg"><revokemsg><session>34567890123@chatroom</session><msgid>1</msgid>'
          '<newmsgid>7301111111111111102</newmsgid><replacemsg><![CDATA["李四" 撤回了一条消息]]></replacemsg>'
          '</revokemsg></sysmsg>')
INVITE = ('<sysmsg type="sysmsgtemplate"><sysmsgtemplate><content_template type="tmpl_type_profilewithrevoke">'
          '<plain><![CDATA[]]></plain><template><![CDATA["$username$"邀请"$names$"加入了群聊  $revoke$]]></template>'
          '<link_list><link name="username" type="link_profile"><memberlist><member><username>wxid_zhangsan01'
          '</username><nickname>张三</nickname></member></memberlist></link><link name="names" type="link_profile">'
          '<memberlist><member><username>wxid_sunqi01</username><nickname>孙七</nickname></member><member>'
          '<username>wxid_zhouba01</username><nickname>周八</nickname></member></memberlist><separator>、'
          '</separator></link><link name="revoke" type="link_revoke" hidden="1"><title>撤销</title></link></link_list>'
          '</content_template></sysmsgtemplate></sysmsg>')
PAT = ('<sysmsg type="pat"><pat><fromusername>wxid_zhangsan01</fromusername><chatusername>34567890123@chatroom'
       '</chatusername><pattedusername>wxid_lisi01</pattedusername><template><![CDATA["${wxid_zhangsan01}" 拍了拍 '
       '"${wxid_lisi01}"]]></template></pat></sysmsg>')
OWN_RECALL = '<![CDATA[你撤回了一条消息 <a href="weixin://revoke_edit_click">重新编辑</a>]]>'


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@pytest.mark.parametrize("type_name, talker, msg, content, ref_id", [
    ("未知", "未知", REVOKE, '"李四" 撤回了一条消息', "7301111111111111102"),
    ("邀请加群", "未知", INVITE, '"张三"邀请"孙七、周八"加入了群聊', ""),
    ("拍一拍", "未知", PAT, '"张三" 拍了拍 "研发-李四"', ""),
    ("系统通知", "未知", OWN_RECALL, "你撤回了一条消息", ""),
    ("消息撤回1", "未知", '"李四" 撤回了一条消息', '"李四" 撤回了一条消息', ""),
    ("文本", "未知", "  群里的一条无主消息  ", "群里的一条无主消息", ""),
    ("系统通知", "未知", "<broken xml", "<broken xml", ""),
])
def test_system_rows(type_name, talker, msg, content, ref_id, tmp_path):
    text = HEADER + f"1,1,{type_name},0,{talker},{CHAT},{_csv_cell(msg)},,2025-03-03 10:15:00\r\n"
    path = pywxdump_export(tmp_path, text.encode(), USERS_SAMPLE.read_bytes())
    row = parsers.read(path).messages.iloc[0]
    assert (row["media"], row["sender"], row["sender_id"]) == ("system", "", "")
    assert row["content"] == content and row["text"] == msg and row["ref_id"] == ref_id


@pytest.mark.parametrize("type_name, media", [("语音", "voice"), ("视频", "video"), ("动画表情", "sticker"),
                                              ("位置", "location"), ("(分享)卡片式链接", "link"),
                                              ("合并转发的聊天记录", "merged"), ("转账", "transfer"),
                                              ("语音通话", "call"), ("(分享)小程序", "other"), ("接龙", "other")])
def test_type_names_give_media(type_name, media, tmp_path):
    text = HEADER + f"1,1,{type_name},0,wxid_a,{CHAT},x,,2025-03-03 10:15:00\r\n"
    assert parsers.read(write(tmp_path / "c.csv", text)).messages.iloc[0]["media"] == media


def test_quote_split_edge_cases():
    assert pywxdump.split_quote("收到\n\n[引用](2025-03-03 09:01:23)张三:a:b") == ("收到", "张三", "a:b")
    assert pywxdump.split_quote("收到\n\n[引用]()张三:图片") == ("收到", "张三", "图片")
    assert pywxdump.split_quote("没有引用") == ("没有引用", "", "")


# ---- group, detection ----------------------------------------------------------------------------

def test_group_is_the_file_name_when_it_is_not_a_pywxdump_page(tmp_path):
    path = write(tmp_path / "项目交付群.csv", PYWXDUMP_SAMPLE.read_text(encoding="utf-8"))
    m = parsers.read(path).messages
    assert m["group"].eq("项目交付群").all() and m["group_id"].eq(CHAT).all()


MINE = ("pywxdump_csv", "pywxdump_csv_v24", "pywxdump_json", "weflow_weclone_csv")
CONVERSATION = [{"ts": datetime(2025, 3, 3, 9, 1, 23), "sender": "张三-项目经理", "text": "请提交周报"},
                {"ts": datetime(2025, 3, 3, 9, 5, 10), "sender": "研发-李四", "text": "收到",
                 "quote": {"sender": "张三-项目经理", "text": "请提交周报"}},
                {"ts": datetime(2025, 3, 3, 10, 15), "sender": "", "text": '"张三"邀请"孙七"加入了群聊', "system": True}]


@pytest.mark.parametrize("layout", MINE)
def test_rendered_layouts_are_detected(layout, tmp_path):
    path = write_export(tmp_path, CONVERSATION, "项目交付群", layout)
    result = parsers.read(path)
    assert result.fmt == layout and len(result.messages) == 3 and accounted(result)
    assert list(result.messages["sender"]) == ["张三-项目经理", "研发-李四", ""]


def test_renderer_wxids_are_stable_and_in_users_json():
    files = render_files(CONVERSATION, "项目交付群", "pywxdump_csv", group_id=CHAT)
    assert list(files) == [f"{CHAT}/{CHAT}_0_4.csv", f"{CHAT}/users.json"]
    users = json.loads(files[f"{CHAT}/users.json"])
    assert users[wxid_of(CONVERSATION[0])]["nickname"] == "张三-项目经理"
    assert wxid_of(CONVERSATION[0]) == wxid_of(dict(CONVERSATION[0]))


def test_my_sniffers_ignore_every_other_sample_and_rendering(tmp_path):
    mine = [p for p in parsers.PARSERS if p.name in MINE]
    assert len(mine) == 4 and set(RENDERERS) == set(MINE)
    own = {PYWXDUMP_SAMPLE.name, WECLONE_SAMPLE.name}
    heads = {p.name: p.read_bytes().decode("utf-8-sig", errors="replace")[:4096]
             for p in SPEC_SAMPLES.iterdir() if p.is_file() and p.name not in own}
    for layout in LAYOUTS:
        if layout not in MINE:
            _, data = next(iter(render_files(CONVERSATION, "项目交付群", layout).items()))
            heads[layout] = data.decode("utf-8-sig", errors="replace")[:4096]
    for label, head in heads.items():
        head = head.replace("\r\n", "\n")
        assert all(p.sniff(head) == 0 for p in mine), label


def test_own_samples_score_only_their_layout():
    for path, layout in ((PYWXDUMP_SAMPLE, "pywxdump_csv"), (WECLONE_SAMPLE, "weflow_weclone_csv")):
        head = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")[:4096]
        scores = {p.name: p.sniff(head) for p in parsers.PARSERS}
        assert scores[layout] >= 0.9
        assert all(s < scores[layout] for name, s in scores.items() if name != layout), scores


# ---- damaged input -------------------------------------------------------------------------------

def test_wrong_column_count_and_bad_time_go_to_unparsed(tmp_path):
    text = (HEADER + f"1,1,文本,0,wxid_a,{CHAT},好,,2025-03-03 09:00:00\r\n"
            + f'2,2,文本,0,wxid_a,{CHAT},"两行\n内容",,not a time\r\n'
            + "3,3,文本,0\r\n"
            + f"4,4,文本,0,wxid_a,{CHAT},也好,,2025-03-03 09:10:00\r\n")
    result = parsers.read(write(tmp_path / "c.csv", text))
    assert list(result.messages["content"]) == ["好", "也好"] and accounted(result)
    assert list(result.unparsed["line"]) == [3, 4, 5]
    assert list(result.unparsed["reason"]) == ["没有可读的时间（no readable time）", "上一条记录的续行（continuation of the record above）",
                                               "应有 9 列，实有 4 列（expected 9 columns, got 4）"]


@pytest.mark.parametrize("layout", MINE)
@pytest.mark.parametrize("keep", [0.3, 0.55, 0.8, 0.97])
def test_truncated_exports_are_accounted(layout, keep, tmp_path):
    messages = [{"ts": datetime(2025, 3, 3, 9, k), "sender": "张三", "text": f"第{k}条\n第二行"} for k in range(6)]
    path = write_export(tmp_path, messages, "g", layout, group_id=CHAT)
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)].decode("utf-8", errors="ignore").encode("utf-8"))
    result = parsers.read(path, layout)
    assert accounted(result)
    assert 0 < len(result.messages) <= 6


def test_source_without_a_path_reads_without_names():
    text = PYWXDUMP_SAMPLE.read_bytes().decode("utf-8").replace("\r\n", "\n")
    result = pywxdump.PYWXDUMP_CSV.parse(Source(path="", text=text, encoding="utf-8"))
    assert len(result.messages) == 9 and result.messages.iloc[0]["sender"] == "wxid_zhangsan01"


def test_senders_without_users_json_are_named_by_wxid_with_a_warning(tmp_path):
    import shutil
    sample = SPEC_SAMPLES / "pywxdump_34567890123@chatroom_0_10.csv"
    shutil.copy(sample, tmp_path / sample.name)
    result = parsers.read(tmp_path / sample.name)
    assert "wxid_zhangsan01" in set(result.messages["sender"])
    assert len(result.warnings) == 1 and "users.json" in result.warnings[0] and "wxid_zhangsan01" in result.warnings[0]
    assert parsers.read(sample).warnings == ()      # the sample folder holds its pywxdump_users.json
