"""sjzar/chatlog's three layouts (formats.md §F7): golden samples, the date-less and year-less text
times, header parsing from the right, quotes, placeholders, system templates, damaged input."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from tests import paths
from tests.layouts_chatlog import DATELESS, YEARLESS, csv_export, json_export, text_export
from wgm import parsers
from wgm.errors import InputError

SPEC_SAMPLES = paths.SPEC_SAMPLES
SAMPLES = {"chatlog_txt": "chatlog_group_sameday.txt", "chatlog_csv": "chatlog_group.csv",
           "chatlog_json": "chatlog_group.json"}
TIMES = ["09:01:23", "09:05:10", "09:06:02", "09:07:45", "10:15:00", "11:20:33", "17:28:40", "17:29:05", "17:35:12"]
MEDIA = ["text", "text", "image", "text", "system", "system", "text", "file", "text"]
TASK = "@李四\u2005@王 五\u2005请今天18:00前提交本周周报，收到请回复预计完成时间"


def accounted(result) -> bool:
    covered = int((result.messages["line_end"] - result.messages["line"] + 1).sum())
    return covered + len(result.unparsed) + result.structural_lines == result.lines


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---- golden samples -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, name", SAMPLES.items())
def test_golden_sample(fmt, name):
    result = parsers.read(SPEC_SAMPLES / name, date_hint=date(2025, 3, 3))   # auto-detected
    m = result.messages
    assert result.fmt == fmt and len(result.unparsed) == 0 and accounted(result) and len(m) == 9
    assert list(m["ts"].dt.strftime("%Y-%m-%d %H:%M:%S")) == [f"2025-03-03 {t}" for t in TIMES]
    assert list(m["media"]) == MEDIA
    assert m["precision"].eq("s").all()
    assert list(m["sender"][:4]) == ["张三-项目经理", "研发-李四", "王 五", "王 五"]
    assert list(m["sender_id"][:4]) == ["wxid_zhangsan01", "wxid_lisi01", "wxid_wangwu01", "wxid_wangwu01"]
    assert m.iloc[0]["content"] == TASK
    quote = m.iloc[3]
    assert quote["content"] == "收到，17点前完成"
    assert quote["quote_sender"] == "张三-项目经理" and quote["quote_text"] == TASK
    for i in (4, 5):
        assert m.iloc[i]["sender"] == "" and m.iloc[i]["sender_id"] == ""
    assert m.iloc[4]["content"] == '"张三"邀请"孙七"加入了群聊'
    assert m.iloc[5]["content"] == '"李四" 撤回了一条消息'
    assert m.iloc[6]["content"] == "周报已提交：\n1. 完成接口联调\n2. 修复3个缺陷"
    assert "周报-李四.docx" in m.iloc[7]["content"]
    assert m.iloc[8]["content"] == "已核对，李四的周报通过"
    if fmt == "chatlog_json":
        assert m.iloc[0]["msg_id"] == "34567890123@chatroom:1740963683000" and m["msg_id"].is_unique
    else:
        assert m["msg_id"].eq("").all()   # ingest hashes them
    if fmt == "chatlog_txt":   # single-talker text carries no group: the file name stands in
        assert m["group"].eq("chatlog_group_sameday").all() and m["group_id"].eq("").all()
        assert (m.iloc[8]["sender"], m.iloc[8]["sender_id"]) == ("我", "")
        assert list(m["line"]) == [1, 4, 7, 10, 15, 18, 21, 26, 29] and list(m["line_end"])[-1] == 31
    else:
        assert m["group"].eq("项目交付群").all() and m["group_id"].eq("34567890123@chatroom").all()
        assert (m.iloc[8]["sender"], m.iloc[8]["sender_id"]) == ("wxid_zhaoliu01", "wxid_zhaoliu01")


def test_csv_rows_span_their_physical_lines():
    m = parsers.read(SPEC_SAMPLES / "chatlog_group.csv").messages
    assert list(zip(m["line"], m["line_end"]))[3] == (5, 7)
    assert list(zip(m["line"], m["line_end"]))[6] == (10, 12)


def test_compact_json_puts_every_message_on_line_one_and_still_accounts():
    result = parsers.read(SPEC_SAMPLES / "chatlog_group.json")
    # the one line is counted once, with the last message on it (schema.M.line_end)
    assert result.lines == 1 and result.messages["line"].eq(1).all()
    assert list(result.messages["line_end"]) == [0] * 8 + [1]
    assert accounted(result) and result.structural_lines == 0


def test_every_other_sample_is_not_taken_for_chatlog():
    from wgm.parsers import HEAD_CHARS
    from wgm.parsers.reading import decode
    ours = set(SAMPLES)
    for path in sorted(SPEC_SAMPLES.iterdir()):
        text, _ = decode(path.read_bytes(), str(path))
        head = text[:HEAD_CHARS]
        scores = {p.name: p.sniff(head) for p in parsers.PARSERS}
        if path.name in SAMPLES.values():
            fmt = next(f for f, n in SAMPLES.items() if n == path.name)
            assert scores[fmt] == max(scores.values()) and sorted(scores.values())[-2] < scores[fmt], path.name
        else:
            assert all(scores[f] == 0 for f in ours), (path.name, scores)


def test_other_layouts_renderings_are_not_taken_for_chatlog():
    from tests.layouts import LAYOUTS, render
    from wgm.parsers import HEAD_CHARS
    from wgm.parsers.reading import decode
    conversation = [
        {"ts": datetime(2026, 5, 11, 9, 0, 0), "sender": "张三-项目经理", "text": "@李四 请今天完成"},
        {"ts": datetime(2026, 5, 11, 9, 5, 0), "sender": "李四", "text": "收到",
         "quote": {"sender": "张三-项目经理", "text": "@李四 请今天完成"}},
        {"ts": datetime(2026, 5, 11, 10, 0, 0), "sender": "", "text": '"张三"邀请"王五"加入了群聊', "system": True},
    ]
    ours = [p for p in parsers.PARSERS if p.name in SAMPLES]
    for layout in LAYOUTS:
        path, data = render(conversation, "测试群", layout)
        head = decode(data, path)[0][:HEAD_CHARS]
        for parser in ours:
            score = parser.sniff(head)
            assert score > 0.8 if parser.name == layout else score == 0, (layout, parser.name, score)


# ---- text: where the date and the year come from --------------------------------------------------

DAY_LESS = "张三(wxid_zs) 09:01:23\n请提交周报\n\n李四(wxid_ls) 23:59:59\n收到\n\n"
YEAR_LESS = "张三(wxid_zs) 03-03 09:01:23\n请提交周报\n\n李四(wxid_ls) 03-04 08:00:00\n收到\n\n"


def test_dateless_times_take_the_day_from_the_file_name(tmp_path):
    path = write(tmp_path, "34567890123@chatroom_2025-03-03_2025-03-03.txt", DAY_LESS)
    m = parsers.read(path).messages
    assert list(m["ts"]) == [datetime(2025, 3, 3, 9, 1, 23), datetime(2025, 3, 3, 23, 59, 59)]
    assert m["group"].eq("34567890123@chatroom").all() and m["group_id"].eq("34567890123@chatroom").all()


def test_dateless_times_take_the_day_from_date_option(tmp_path):
    path = write(tmp_path, "saved.txt", DAY_LESS)
    m = parsers.read(path, date_hint=date(2025, 3, 4)).messages
    assert list(m["ts"]) == [datetime(2025, 3, 4, 9, 1, 23), datetime(2025, 3, 4, 23, 59, 59)]
    assert m["group"].eq("saved").all()


def test_dateless_times_without_any_date_are_refused_with_the_fix(tmp_path):
    path = write(tmp_path, "saved.txt", DAY_LESS)
    with pytest.raises(InputError, match=r"no dates.*--date YYYY-MM-DD") as err:
        parsers.read(path)
    assert err.value.source == str(path) and err.value.line == 1


def test_file_name_and_date_option_that_disagree_are_refused_naming_both(tmp_path):
    path = write(tmp_path, "项目群_2025-03-03_2025-03-03.txt", DAY_LESS)
    with pytest.raises(InputError, match=r"--date 2025-03-05 disagrees with the date 2025-03-03"):
        parsers.read(path, date_hint=date(2025, 3, 5))
    assert len(parsers.read(path, date_hint=date(2025, 3, 3)).messages) == 2   # agreeing is fine


def test_dateless_times_in_a_multi_day_file_are_refused(tmp_path):
    path = write(tmp_path, "项目群_2025-03-03_2025-03-05.txt", DAY_LESS)
    with pytest.raises(InputError, match="spans 2025-03-03 to 2025-03-05"):
        parsers.read(path)


def test_yearless_times_take_the_year_from_the_file_name(tmp_path):
    path = write(tmp_path, "项目群_2024-03-01_2024-03-31.txt", YEAR_LESS)
    m = parsers.read(path).messages
    assert list(m["ts"]) == [datetime(2024, 3, 3, 9, 1, 23), datetime(2024, 3, 4, 8, 0, 0)]
    assert m["group"].eq("项目群").all() and m["group_id"].eq("").all()


def test_yearless_times_take_the_year_from_date_option(tmp_path):
    path = write(tmp_path, "saved.txt", YEAR_LESS)
    m = parsers.read(path, date_hint=date(2023, 12, 31)).messages
    assert list(m["ts"]) == [datetime(2023, 3, 3, 9, 1, 23), datetime(2023, 3, 4, 8, 0, 0)]


def test_yearless_times_without_a_year_are_refused(tmp_path):
    path = write(tmp_path, "saved.txt", YEAR_LESS)
    with pytest.raises(InputError, match=r"no years.*--date YYYY-MM-DD"):
        parsers.read(path)


def test_yearless_file_name_and_date_option_from_another_year_are_refused(tmp_path):
    path = write(tmp_path, "项目群_2024-03-01_2024-03-31.txt", YEAR_LESS)
    with pytest.raises(InputError, match=r"--date 2025-03-03 disagrees with the year 2024"):
        parsers.read(path, date_hint=date(2025, 3, 3))


def test_full_dates_need_neither_file_name_nor_date_option(tmp_path):
    path = write(tmp_path, "saved.txt", "张三(wxid_zs) 2024-12-31 23:59:59\n跨年\n\n李四(wxid_ls) 2025-01-01 00:00:01\n好\n")
    m = parsers.read(path, date_hint=date(2020, 1, 1)).messages
    assert list(m["ts"]) == [datetime(2024, 12, 31, 23, 59, 59), datetime(2025, 1, 1, 0, 0, 1)]


@pytest.mark.parametrize("time_format, name, hint", [(DATELESS, "群_2026-05-11_2026-05-11.txt", None),
                                                      (DATELESS, "群.txt", date(2026, 5, 11)),
                                                      (YEARLESS, "群_2026-05-11_2026-05-11.txt", None),
                                                      (YEARLESS, "群.txt", date(2026, 1, 1))])
def test_rendered_short_time_layouts_round_trip(time_format, name, hint, tmp_path):
    conversation = [
        {"ts": datetime(2026, 5, 11, 9, 0, 0), "sender": "林涛-运营部", "text": "@罗刚 请今天完成盘点"},
        {"ts": datetime(2026, 5, 11, 9, 5, 0), "sender": "罗刚 (仓储)", "text": "收到\n下午完成",
         "quote": {"sender": "林涛-运营部", "text": "@罗刚 请今天完成盘点"}},
        {"ts": datetime(2026, 5, 11, 10, 0, 0), "sender": "", "text": '"何敏"邀请"韩冰"加入了群聊', "system": True},
    ]
    m = parsers.read(write(tmp_path, name, text_export(conversation, time_format)), date_hint=hint).messages
    assert list(m["ts"]) == [c["ts"] for c in conversation]
    assert list(m["sender"]) == ["林涛-运营部", "罗刚 (仓储)", ""]
    assert list(m["content"]) == ["@罗刚 请今天完成盘点", "收到\n下午完成", '"何敏"邀请"韩冰"加入了群聊']
    assert (m.iloc[1]["quote_sender"], m.iloc[1]["quote_text"]) == ("林涛-运营部", "@罗刚 请今天完成盘点")


# ---- text: headers, quotes, placeholders, system lines ------------------------------------------

def test_headers_are_read_from_the_right(tmp_path):
    text = ("王 五(产品) (x)(wxid_w5) 2025-03-03 09:00:00\n名字里有空格和括号\n\n"
            "wxid_bare01 2025-03-03 09:01:00\n没有名字的成员\n\n"
            "我 2025-03-03 09:02:00\n自己发的\n\n"
            "赵六(我) 2025-03-03 09:03:00\n自己的群昵称\n\n"
            " 2025-03-03 09:04:00\n\"张三\"修改群名为“交付群”\n\n"
            "张三(wxid_zs) [项目交付群(34567890123@chatroom)] 2025-03-03 09:05:00\n多会话查询带群\n\n"
            "李四(wxid_ls) [35550000000@chatroom] 2025-03-03 09:06:00\n只有群号\n")
    m = parsers.read(write(tmp_path, "saved.txt", text)).messages
    assert list(m["sender"]) == ["王 五(产品) (x)", "wxid_bare01", "我", "赵六", "", "张三", "李四"]
    assert list(m["sender_id"]) == ["wxid_w5", "wxid_bare01", "", "", "", "wxid_zs", "wxid_ls"]
    assert m.iloc[4]["media"] == "system"
    assert list(m["group"])[-2:] == ["项目交付群", "35550000000@chatroom"]
    assert list(m["group_id"])[-2:] == ["34567890123@chatroom", "35550000000@chatroom"]
    assert m["group"].iloc[0] == "saved"


def test_invite_template_ids_leave_content_but_stay_in_text(tmp_path):
    raw = '"张三(wxid_zs)"邀请"孙七(wxid_sq)、李四(lisi_2024)"加入了群聊'
    text = f"系统消息 2025-03-03 10:15:00\n{raw}\n\n系统消息 2025-03-03 10:16:00\n你邀请\"王五(wxid_w5)\"加入了群聊  $revoke$\n"
    m = parsers.read(write(tmp_path, "saved.txt", text)).messages
    assert m.iloc[0]["text"] == raw and m.iloc[0]["content"] == '"张三"邀请"孙七、李四"加入了群聊'
    assert m.iloc[1]["content"] == '你邀请"王五"加入了群聊'
    assert m["media"].eq("system").all() and m["sender"].eq("").all()


PLACEHOLDERS = [
    ("![图片](http://127.0.0.1:5030/image/9f86d0,FileStorage/a.dat)", "image"),
    ("![视频](http://127.0.0.1:5030/video/abc)", "video"),
    ("[语音](http://127.0.0.1:5030/voice/123456)", "voice"),
    ("[语音]", "voice"),
    ("[文件|周报 (终版).docx](http://127.0.0.1:5030/file/5d41)", "file"),
    ("[链接|季度总结](https://mp.weixin.qq.com/s/x)", "link"),
    ("[合并转发|群聊的聊天记录]\n  张三 2025-03-03 09:00:00\n  请提交周报\n\n  李四 2025-03-03 09:01:00\n  收到\n", "merged"),
    ("[转账|发送 ￥100.00](报销)", "transfer"),
    ("[红包]", "redpacket"),
    ("[名片]", "card"),
    ("[位置|公司|上海市|31.2|121.4]", "location"),
    ("![动画表情](http://emoji.qpic.cn/x)", "sticker"),
    ("[动画表情]", "sticker"),
    ("[语音通话]", "call"),
    ("[小程序|报销](https://x)", "other"),
    ("Type: 99 Content: <xml/>", "other"),
    ("[红包]谢谢老板", "text"),
    ("请看 ![图片](x) 这里", "text"),
]


def test_placeholders_give_media(tmp_path):
    records = [f"张三(wxid_zs) 2025-03-03 09:{i:02d}:00\n{body}\n" for i, (body, _) in enumerate(PLACEHOLDERS)]
    result = parsers.read(write(tmp_path, "saved.txt", "\n".join(records)))
    assert list(result.messages["media"]) == [kind for _, kind in PLACEHOLDERS]
    assert len(result.unparsed) == 0 and accounted(result)


def test_merged_forward_items_do_not_open_records(tmp_path):
    body = "[合并转发|群聊的聊天记录]\n  张三 2025-03-03 09:00:00\n  请提交周报\n\n  李四 09:01:00\n  收到\n"
    text = f"王五(wxid_w5) 2025-03-03 10:00:00\n{body}\n\n赵六(wxid_z6) 2025-03-03 10:01:00\n好\n\n"
    m = parsers.read(write(tmp_path, "saved.txt", text)).messages
    assert len(m) == 2 and m.iloc[0]["media"] == "merged" and m.iloc[0]["text"] == body.rstrip("\n")


def test_quote_forms(tmp_path):
    text = ("李四(wxid_ls) 2025-03-03 09:00:00\n> 张三(wxid_zs) 03-03 08:00:00\n> 第一行\n> 第二行\n收到\n第二段\n\n"
            "李四(wxid_ls) 2025-03-03 09:01:00\n> wxid_bare 03-03 08:00:00\n> ![图片](http://h/image/x)\n看到了\n\n"
            "李四(wxid_ls) 2025-03-03 09:02:00\n> [引用]\n好的\n\n"
            "李四(wxid_ls) 2025-03-03 09:03:00\n> 这只是以大于号开头的话\n")
    m = parsers.read(write(tmp_path, "saved.txt", text)).messages
    assert list(m["quote_sender"]) == ["张三", "wxid_bare", "", ""]
    assert list(m["quote_text"]) == ["第一行\n第二行", "![图片](http://h/image/x)", "", ""]
    assert list(m["content"]) == ["收到\n第二段", "看到了", "好的", "> 这只是以大于号开头的话"]
    assert m.iloc[0]["text"].startswith("> 张三(wxid_zs) 03-03 08:00:00\n")


def test_pat_is_a_system_line(tmp_path):
    text = 'wxid_zs 2025-03-03 09:00:00\n"${wxid_zs}" 拍了拍 "${wxid_ls}"\n'
    m = parsers.read(write(tmp_path, "saved.txt", text)).messages
    assert m.iloc[0]["media"] == "system" and m.iloc[0]["sender"] == ""


def test_text_damage_is_accounted(tmp_path):
    text = ("junk before\n\n张三(wxid_zs) 2025-03-03 25:00:00\n坏时间\n\n"
            "李四(wxid_ls) 2025-02-30 09:00:00\n坏日期\n\n王五(wxid_w5) 2025-03-03 09:00:00\n好")
    result = parsers.read(write(tmp_path, "saved.txt", text), input_format="chatlog_txt")
    assert list(result.messages["content"]) == ["好"] and accounted(result)
    assert set(result.unparsed["reason"]) == {"第一条消息头之前的文字（text before the first message header）",
                                              "消息头的时间不存在（header with an impossible time）"}


# ---- CSV ----------------------------------------------------------------------------------------

def test_csv_go_quoting_and_multiline_cells(tmp_path):
    conversation = [
        {"ts": datetime(2026, 5, 11, 9, 0, 0), "sender": "a.b c", "sender_id": "wxid_abc", "text": ' 以空格开头, 带"引号"'},
        {"ts": datetime(2026, 5, 11, 9, 1, 0), "sender": "张三", "text": "第一行\n第二行",
         "quote": {"sender": "a.b c", "text": "x"}},
    ]
    data = csv_export(conversation, "项目群", "34567890123@chatroom")
    assert '," 以空格开头, 带""引号"""\n' in data
    result = parsers.read(write(tmp_path, "项目群_2026-05-11_2026-05-11.csv", data))
    m = result.messages
    assert result.fmt == "chatlog_csv" and accounted(result) and len(result.unparsed) == 0
    assert list(m["content"]) == [' 以空格开头, 带"引号"', "第一行\n第二行"]
    assert m.iloc[0]["sender_id"] == "wxid_abc" and m.iloc[1]["quote_sender"] == "a.b c"
    assert list(zip(m["line"], m["line_end"])) == [(2, 2), (3, 6)]


def test_csv_with_a_message_id_column(tmp_path):
    data = ("MessageID,Time,SenderName,Sender,TalkerName,Talker,Content\n"
            "101,2025-03-03 09:00:00,张三,wxid_zs,项目群,34567890123@chatroom,好\n")
    m = parsers.read(write(tmp_path, "x.csv", data)).messages
    assert list(m["msg_id"]) == ["34567890123@chatroom:101"] and list(m["sender"]) == ["张三"]


def test_csv_damage_is_accounted(tmp_path):
    data = ("Time,SenderName,Sender,TalkerName,Talker,Content\n"
            "2025-03-03 09:00:00,张三,wxid_zs,项目群,34567890123@chatroom,好\n"
            "not a time,张三,wxid_zs,项目群,34567890123@chatroom,坏\n"
            "2025-03-03 09:02:00,张三,wxid_zs,项目群\n"
            '2025-03-03 09:03:00,张三,wxid_zs,项目群,34567890123@chatroom,"截断\n的内容\n')
    result = parsers.read(write(tmp_path, "x.csv", data))
    assert list(result.messages["content"]) == ["好", "截断\n的内容\n"] and accounted(result)
    assert list(result.unparsed["reason"]) == ["没有可读的时间（no readable time）",
                                               "应有 6 列，实有 4 列（expected 6 columns, got 4）"]


# ---- JSON ---------------------------------------------------------------------------------------

def test_pretty_printed_json_gives_each_message_its_lines(tmp_path):
    items = json.loads((SPEC_SAMPLES / "chatlog_group.json").read_text(encoding="utf-8"))
    result = parsers.read(write(tmp_path, "x.json", json.dumps(items, ensure_ascii=False, indent=2) + "\n"))
    m = result.messages
    assert len(m) == 9 and accounted(result) and len(result.unparsed) == 0
    assert result.structural_lines == 2   # the brackets
    assert m.iloc[0]["line"] == 2 and (m["line"].iloc[1:].values == m["line_end"].iloc[:-1].values + 1).all()


def test_json_times_are_instants_turned_into_local_time(tmp_path):
    item = {"seq": 7, "time": "2025-03-03T01:01:23Z", "talker": "wxid_friend", "talkerName": "", "isChatRoom": False,
            "sender": "wxid_friend", "senderName": "老王", "isSelf": False, "type": 1, "subType": 0, "content": "hi"}
    path = write(tmp_path, "x.json", json.dumps([item]))
    assert parsers.read(path).messages.iloc[0]["ts"] == datetime(2025, 3, 3, 9, 1, 23)
    m = parsers.read(path, tz="Europe/Berlin").messages.iloc[0]
    assert m["ts"] == datetime(2025, 3, 3, 2, 1, 23)
    assert (m["group"], m["group_id"], m["msg_id"]) == ("wxid_friend", "wxid_friend", "wxid_friend:7")


def test_json_quote_of_an_image_and_quote_without_refer(tmp_path):
    base = {"time": "2025-03-03T09:00:00+08:00", "talker": "1@chatroom", "talkerName": "群", "isChatRoom": True,
            "sender": "wxid_ls", "senderName": "李四", "isSelf": False, "type": 49, "subType": 57}
    refer = {"seq": 0, "time": "2025-03-03T08:00:00+08:00", "sender": "wxid_zs", "senderName": "", "type": 3,
             "subType": 0, "content": "", "contents": {"md5": "abc"}}
    items = [{**base, "seq": 1, "content": "看到了", "contents": {"refer": refer}},
             {**base, "seq": 2, "content": "> 张三(wxid_zs) 03-03 08:00:00\n> 原话\n回复"},
             {**base, "seq": 3, "type": 49, "subType": 62, "sender": "wxid_ls", "content": '"李四" 拍了拍 "张三"'},
             {**base, "seq": 4, "type": 1, "subType": 0, "content": "> [引用]\n> 张三(wxid_zs) 03-03 08:00:00\n话"}]
    m = parsers.read(write(tmp_path, "x.json", json.dumps(items, ensure_ascii=False))).messages
    assert (m.iloc[0]["content"], m.iloc[0]["quote_sender"], m.iloc[0]["quote_text"]) == ("看到了", "wxid_zs", "[图片]")
    assert (m.iloc[1]["content"], m.iloc[1]["quote_sender"], m.iloc[1]["quote_text"]) == ("回复", "张三", "原话")
    assert (m.iloc[2]["media"], m.iloc[2]["sender"]) == ("system", "")
    # plain text is never read as a quote rendering: JSON says what a message is
    assert (m.iloc[3]["content"], m.iloc[3]["quote_sender"]) == (items[3]["content"], "")


def test_rendered_json_is_gos_compact_encoding(tmp_path):
    conversation = [{"ts": datetime(2026, 5, 11, 9, 0, 0), "sender": "张三", "text": "<a> & b\u2028"}]
    data = json_export(conversation, "群", "1@chatroom")
    assert "\n" not in data and "\\u003ca\\u003e \\u0026 b\\u2028" in data
    m = parsers.read(write(tmp_path, "x.json", data)).messages
    assert list(m["content"]) == ["<a> & b\u2028"]


def test_truncated_json_keeps_the_messages_before_the_damage(tmp_path):
    items = json.loads((SPEC_SAMPLES / "chatlog_group.json").read_text(encoding="utf-8"))
    pretty = json.dumps(items, ensure_ascii=False, indent=1)
    cut = pretty[:pretty.index('"seq": 1740968100000')]   # inside the fifth message
    result = parsers.read(write(tmp_path, "x.json", cut), input_format="chatlog_json")
    assert len(result.messages) == 4 and accounted(result)
    assert "damaged" in result.unparsed.iloc[0]["reason"]
    compact = (SPEC_SAMPLES / "chatlog_group.json").read_text(encoding="utf-8")[:-40]
    result = parsers.read(write(tmp_path, "y.json", compact), input_format="chatlog_json")
    # the cut-off rest of the one line is in unparsed (the run is incomplete), and named in a warning
    assert len(result.messages) == 8 and len(result.unparsed) == 1 and result.unparsed.iloc[0]["line"] == 1
    assert accounted(result) and "damaged inside line 1" in result.warnings[0]


@pytest.mark.parametrize("data, unparsed", [('{"items": []}', 1), ("[1, 2]\n", 1), ('[{"seq": 1}]', 1), ("", 0),
                                           ("  \n", 0), ("[]\ntrailing words\n", 1)])
def test_json_of_the_wrong_shape_does_not_crash(data, unparsed, tmp_path):
    result = parsers.read(write(tmp_path, "x.json", data), input_format="chatlog_json")
    assert len(result.messages) == 0 and len(result.unparsed) == unparsed and accounted(result)
