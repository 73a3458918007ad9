"""WeCom 会话内容存档, decrypted (formats.md §F10): the golden sample, JSON Lines and JSON shapes, vendor
quirks, quotes, recalls and the rows that are not group messages, damage, and worked cases end to end."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import paths
from tests.layouts import LAYOUTS, render
from tests.layouts_wecom import archive_objects, quoted_reply, room_id, user_id
from wgm import parsers
from wgm.errors import InputError
from wgm.parsers.wecom import ONE_TO_ONE, SWITCH

SPEC_SAMPLES = paths.SPEC_SAMPLES
SAMPLE = SPEC_SAMPLES / "wecom_archive_decrypted.jsonl"
ROOM = "wrOgQhDgAAcwMTB7YmDkbeBsgT_KAAAA"


def accounted(result) -> bool:
    covered = int((result.messages["line_end"] - result.messages["line"] + 1).sum())
    return covered + len(result.unparsed) + result.structural_lines == result.lines


def msg(n: int, content="收到", *, msgtype="text", payload=None, **fields) -> dict:
    """One decrypted archive object; msgtime 2025-03-03 09:00:00 +08:00 plus n seconds and 250 ms."""
    obj = {"msgid": f"m{n}", "action": "send", "from": "lisi", "tolist": ["zhangsan"], "roomid": ROOM,
           "msgtime": 1740963600000 + n * 1000 + 250, "msgtype": msgtype,
           msgtype: payload if payload is not None else {"content": content}}
    obj.update(fields)
    return obj


def read_text(tmp_path, text: str, name: str = "chatdata.jsonl", **kw):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parsers.read(path, **kw)


def jsonl(*objects) -> str:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects)


# ---- the golden sample -------------------------------------------------------------------------------

def test_golden_sample():
    result = parsers.read(SAMPLE)
    m = result.messages
    assert result.fmt == "wecom_archive_jsonl" and accounted(result) and result.lines == 6
    assert list(m["ts"].dt.strftime("%H:%M:%S")) == ["09:01:23", "09:05:10", "09:06:02", "11:20:33", "17:29:05"]
    assert (m["ts"].dt.date == datetime(2025, 3, 3).date()).all()
    assert list(m["media"]) == ["text", "text", "image", "recall", "file"]
    assert list(m["sender_id"]) == ["zhangsan", "lisi", "wangwu", "lisi", "lisi"]
    assert m["sender"].eq("").all() and m["precision"].eq("s").all()
    assert m["group"].eq(ROOM).all() and m["group_id"].eq(ROOM).all()
    assert list(m["msg_id"]) == ["1100000000000000001_1740963683183", "1100000000000000002_1740963910422",
                                 "1100000000000000003_1740963962005", "1100000000000000006_1740972033871",
                                 "1100000000000000008_1740994145300"]
    assert m.iloc[0]["content"] == "请今天18:00前提交本周周报，收到请回复预计完成时间"
    assert m.iloc[2]["content"] == "[图片]"
    recall = m.iloc[3]
    assert recall["content"] == "撤回了一条消息" and recall["ref_id"] == "1100000000000000005_1740972001000"
    assert m.iloc[4]["content"] == "[文件] 周报-李四.docx"
    assert list(m["line"]) == [1, 2, 3, 4, 5] and list(m["line_end"]) == [1, 2, 3, 4, 5]
    assert m["quote_text"].eq("").all() and m["ref_id"].ne("").sum() == 1
    # the sample's one switch row is reported by design, with its reason
    assert list(result.unparsed["line"]) == [6] and list(result.unparsed["reason"]) == [SWITCH]


def test_detection_picks_each_layout_and_no_other_sample_scores():
    assert parsers.read(SAMPLE).fmt == "wecom_archive_jsonl"
    wecom = [parsers.by_name("wecom_archive_jsonl"), parsers.by_name("wecom_archive_json")]
    for path in SPEC_SAMPLES.iterdir():
        if path != SAMPLE and path.suffix != ".md":
            head = path.read_bytes().decode("utf-8-sig", errors="replace")[:4096]
            assert [p.sniff(head) for p in wecom] == [0.0, 0.0], path.name


@pytest.mark.parametrize("layout", [name for name in LAYOUTS if not name.startswith("wecom_")])
def test_other_layouts_renderings_score_zero(layout):
    messages = [{"ts": datetime(2026, 5, 11, 10, 0), "sender": "林涛-运营部", "text": "请提交", "sender_id": "wxid_a"},
                {"ts": datetime(2026, 5, 11, 10, 1), "sender": "", "text": '"张三"邀请"王五"加入了群聊', "system": True}]
    head = render(messages, "测试群", layout)[1].decode("utf-8-sig", errors="replace").replace("\r\n", "\n")[:4096]
    assert [parsers.by_name(name).sniff(head) for name in ("wecom_archive_jsonl", "wecom_archive_json")] == [0, 0]


@pytest.mark.parametrize("layout", ["wecom_archive_jsonl", "wecom_archive_json"])
def test_renderings_are_detected_as_their_layout(layout, tmp_path):
    messages = [{"ts": datetime(2026, 5, 11, 10, 0, 0), "sender": "林涛-运营部", "text": "请提交"},
                {"ts": datetime(2026, 5, 11, 10, 5, 31), "sender": "罗刚-仓储部", "text": "收到",
                 "quote": {"sender": "林涛-运营部", "text": "请提交"}}]
    relpath, data = render(messages, "远航物流-运营管理群", layout)
    path = tmp_path / Path(relpath).name
    path.write_bytes(data)
    result = parsers.read(path)
    assert result.fmt == layout and accounted(result) and len(result.unparsed) == 0
    m = result.messages
    assert list(m["sender_id"]) == [user_id("林涛-运营部"), user_id("罗刚-仓储部")]
    assert set(m["group_id"]) == {room_id("远航物流-运营管理群")}
    assert list(m["ts"]) == [datetime(2026, 5, 11, 10, 0, 0), datetime(2026, 5, 11, 10, 5, 31)]
    assert (m.iloc[1]["content"], m.iloc[1]["quote_sender"], m.iloc[1]["quote_text"]) == ("收到", "林涛-运营部", "请提交")


def test_system_lines_are_not_rendered():
    messages = [{"ts": datetime(2026, 5, 11, 10, 0), "sender": "", "text": '"张三"邀请"王五"加入了群聊', "system": True},
                {"ts": datetime(2026, 5, 11, 10, 1), "sender": "张三", "text": "欢迎"}]
    assert [o["text"]["content"] for o in archive_objects(messages, "g")] == ["欢迎"]


# ---- JSON shapes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", ["array", "chatdata", "msg_list", "data"])
@pytest.mark.parametrize("indent", [None, 2])
def test_json_array_bare_or_wrapped_gives_the_same_messages(shape, indent, tmp_path):
    objects = [msg(1, "请提交周报"), msg(2, "收到"), msg(3, "好的")]
    doc = objects if shape == "array" else {"errcode": 0, "errmsg": "ok", shape: objects, "next_cursor": "x"}
    result = read_text(tmp_path, json.dumps(doc, ensure_ascii=False, indent=indent), "chatdata.json")
    assert result.fmt == "wecom_archive_json" and accounted(result) and len(result.unparsed) == 0
    assert list(result.messages["content"]) == ["请提交周报", "收到", "好的"]
    assert list(result.messages["msg_id"]) == ["m1", "m2", "m3"]
    if indent is None:   # one line holds every message: it is counted once, for the last of them
        assert list(result.messages["line"]) == [1, 1, 1] and list(result.messages["line_end"]) == [0, 0, 1]
    else:
        m = result.messages
        lines = (tmp_path / "chatdata.json").read_text("utf-8").split("\n")
        for first, last in zip(m["line"], m["line_end"]):
            assert lines[first - 1].strip() == "{" and lines[last - 1].strip() in ("}", "},")
        assert result.structural_lines > 0


def test_pretty_printed_switch_row_is_reported_on_each_of_its_lines(tmp_path):
    doc = [msg(1), {"msgid": "s1", "action": "switch", "time": 1740963600000, "user": "zhaoliu"}, msg(2)]
    result = read_text(tmp_path, json.dumps(doc, indent=2), "a.json")
    assert len(result.messages) == 2 and accounted(result)
    assert set(result.unparsed["reason"]) == {SWITCH} and len(result.unparsed) == 6   # { msgid action time user }


def test_records_that_share_a_line_with_messages_stay_visible(tmp_path):
    doc = [msg(1), msg(2, roomid=""), {"msgid": "s1", "action": "switch", "time": 1, "user": "u"}, msg(3)]
    result = read_text(tmp_path, json.dumps(doc), "a.json")
    assert list(result.messages["msg_id"]) == ["m1", "m3"] and accounted(result)
    assert len(result.unparsed) == 1
    reason = result.unparsed.iloc[0]["reason"]
    assert ONE_TO_ONE in reason and SWITCH in reason and "2 records on this line" in reason


# ---- fields, vendor quirks, message kinds ------------------------------------------------------------

def test_milliseconds_are_dropped_and_the_zone_is_applied(tmp_path):
    text = jsonl(msg(1, msgtime=1740963683999))
    assert read_text(tmp_path, text).messages.iloc[0]["ts"] == datetime(2025, 3, 3, 9, 1, 23)
    assert read_text(tmp_path, text, tz="UTC").messages.iloc[0]["ts"] == datetime(2025, 3, 3, 1, 1, 23)


def test_vendor_dumps_numbers_as_strings_scalar_tolist_null_siblings(tmp_path):
    vendor = msg(1, "收到", msgtime="1740963683183", tolist="zhangsan", image=None, file=None, roomid=ROOM)
    stringified = msg(2, msgtype="text", payload=json.dumps({"content": "好的"}, ensure_ascii=False))
    result = read_text(tmp_path, jsonl(vendor, stringified))
    m = result.messages
    assert len(result.unparsed) == 0 and list(m["content"]) == ["收到", "好的"]
    assert m.iloc[0]["ts"] == datetime(2025, 3, 3, 9, 1, 23)


def test_one_file_holds_many_chats(tmp_path):
    result = read_text(tmp_path, jsonl(msg(1), msg(2, roomid="wrOTHER"), msg(3, roomid="")))
    assert list(result.messages["group"]) == [ROOM, "wrOTHER"]
    assert list(result.unparsed["reason"]) == [ONE_TO_ONE] and list(result.unparsed["line"]) == [3]


@pytest.mark.parametrize("msgtype, payload, media, content", [
    ("image", {"md5sum": "x", "filesize": 1, "sdkfileid": "y"}, "image", "[图片]"),
    ("voice", {"voice_size": 1, "play_length": 3}, "voice", "[语音]"),
    ("video", {"play_length": 3}, "video", "[视频]"),
    ("emotion", {"type": 1, "width": 10}, "sticker", "[表情]"),
    ("file", {"filename": "周报.docx", "fileext": "docx"}, "file", "[文件] 周报.docx"),
    ("link", {"title": "项目计划", "link_url": "https://example.com"}, "link", "[链接] 项目计划"),
    ("location", {"title": "公司", "address": "某路1号"}, "location", "[位置] 公司"),
    ("card", {"corpname": "远航物流", "userid": "lisi"}, "card", "[名片] lisi"),
    ("meeting", {"topic": "周会", "starttime": 1}, "other", "[会议] 周会"),
    ("calendar", {"title": "盘点", "attendeename": []}, "other", "[日程] 盘点"),
    ("chatrecord", {"title": "群聊的聊天记录", "item": []}, "merged", "[聊天记录] 群聊的聊天记录"),
    ("weapp", {"title": "报销", "displayname": "财务助手"}, "other", "[小程序] 报销"),
    ("redpacket", {"type": 1, "wish": "恭喜发财"}, "redpacket", "[红包] 恭喜发财"),
    ("sphfeed", {"feed_type": 4, "sph_name": "远航"}, "other", "[视频号] 远航"),
    ("vote", {"votetitle": "团建地点"}, "other", "[投票] 团建地点"),
    ("somethingnew", {"x": 1}, "other", "[其他消息] somethingnew"),
])
def test_placeholders(msgtype, payload, media, content, tmp_path):
    row = read_text(tmp_path, jsonl(msg(1, msgtype=msgtype, payload=payload))).messages.iloc[0]
    assert (row["media"], row["content"], row["text"]) == (media, content, content)


@pytest.mark.parametrize("msgtype, key, payload, media, content", [
    ("docmsg", "doc", {"title": "周报模板", "link_url": "u"}, "link", "[在线文档] 周报模板"),
    ("markdown", "info", {"content": "**请**今天提交"}, "text", "**请**今天提交"),
    ("news", "info", {"item": [{"title": "公司通知", "url": "u"}]}, "link", "[图文] 公司通知"),
    ("meeting_notification", "info", {"content": "会议已改期"}, "other", "[会议通知] 会议已改期"),
    ("qydiskfile", "info", {"filename": "预算.xlsx"}, "file", "[微盘文件] 预算.xlsx"),
    ("external_redpacket", "redpacket", {"wish": "大吉"}, "redpacket", "[红包] 大吉"),
])
def test_payloads_kept_under_another_key(msgtype, key, payload, media, content, tmp_path):
    obj = msg(1, msgtype=msgtype, payload={})
    del obj[msgtype]
    obj[key] = payload
    row = read_text(tmp_path, jsonl(obj)).messages.iloc[0]
    assert (row["media"], row["content"]) == (media, content)


def test_mixed_message_gives_its_text_parts(tmp_path):
    items = [{"type": "text", "content": json.dumps({"content": "请看图"}, ensure_ascii=False)},
             {"type": "image", "content": json.dumps({"md5sum": "x"})},
             {"type": "text", "content": json.dumps({"content": "今天完成"}, ensure_ascii=False)}]
    only_image = [{"type": "image", "content": json.dumps({"md5sum": "x"})}]
    result = read_text(tmp_path, jsonl(msg(1, msgtype="mixed", payload={"item": items}),
                                       msg(2, msgtype="mixed", payload={"item": only_image})))
    assert list(result.messages["content"]) == ["请看图\n今天完成", "[图片]"]
    assert list(result.messages["media"]) == ["text", "image"]


def test_agree_and_disagree_are_system_lines(tmp_path):
    agree = msg(1, msgtype="agree", payload={"userid": "wmEXTERNAL", "agree_time": 1740963600000}, **{"from": "wmEXTERNAL"})
    refuse = msg(2, msgtype="disagree", payload={"userid": "wmOTHER", "disagree_time": 1740963600000})
    m = read_text(tmp_path, jsonl(agree, refuse)).messages
    assert list(m["media"]) == ["system", "system"] and m["sender"].eq("").all() and m["sender_id"].eq("").all()
    assert list(m["content"]) == ["wmEXTERNAL 同意存档", "wmOTHER 拒绝存档"]


def test_recall_row(tmp_path):
    recall = msg(1, action="recall", msgtype="revoke", payload={"pre_msgid": "m0"})
    row = read_text(tmp_path, jsonl(recall)).messages.iloc[0]
    assert (row["media"], row["sender_id"], row["content"], row["ref_id"]) == ("recall", "lisi", "撤回了一条消息", "m0")


# ---- quotes ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, content, quote_sender, quote_text", [
    (quoted_reply("林涛-运营部", "请提交周报", "收到"), "收到", "林涛-运营部", "请提交周报"),
    ('这是一条引用/回复消息：\n"张三:\n第一行\n第二行"\n------\n好的\n明天给', "好的\n明天给", "张三", "第一行\n第二行"),
    ('这是一条引用/回复消息："\n------\n@nick777', "@nick777", "", ""),        # the SDK sample
    ('"请提交周报"\n------\n收到', "收到", "", "请提交周报"),                   # without the lead-in
    ("第一段\n------\n第二段", "第一段\n------\n第二段", "", ""),               # a rule, not a quote
])
def test_quotes(text, content, quote_sender, quote_text, tmp_path):
    row = read_text(tmp_path, jsonl(msg(1, text))).messages.iloc[0]
    assert row["text"] == text
    assert (row["content"], row["quote_sender"], row["quote_text"]) == (content, quote_sender, quote_text)


# ---- damage ----------------------------------------------------------------------------------------------

def test_broken_jsonl_line_and_blank_lines(tmp_path):
    text = jsonl(msg(1)) + "\n" + '{"msgid": "m2", "action": "send", "from": "li\n' + jsonl(msg(3)) + "[1, 2]\n"
    result = read_text(tmp_path, text)
    assert list(result.messages["msg_id"]) == ["m1", "m3"] and accounted(result)
    assert result.structural_lines == 1
    assert list(result.unparsed["line"]) == [3, 5]
    assert result.unparsed.iloc[0]["reason"].startswith("无效的 JSON（invalid JSON）：Unterminated string")
    assert result.unparsed.iloc[1]["reason"] == "不是 JSON 对象（not a JSON object）"


def test_row_without_a_readable_time_is_reported(tmp_path):
    result = read_text(tmp_path, jsonl(msg(1, msgtime="昨天"), msg(2)))
    assert list(result.unparsed["reason"]) == ["没有可读的 msgtime（no readable msgtime）"] and len(result.messages) == 1


def test_truncated_pretty_array_keeps_the_messages_before_the_cut(tmp_path):
    full = json.dumps({"chatdata": [msg(1, "一"), msg(2, "二"), msg(3, "三")]}, ensure_ascii=False, indent=2)
    cut = full[: full.index('"m3"') + 10]
    result = read_text(tmp_path, cut, "a.json")
    assert list(result.messages["content"]) == ["一", "二"] and accounted(result)
    lines = cut.split("\n")
    first_bad = next(i for i, line in enumerate(lines, 1) if line.strip() == "{" and i > result.messages["line_end"].max())
    assert list(result.unparsed["line"]) == [n for n in range(first_bad, len(lines) + 1) if lines[n - 1].strip()]
    assert "the array breaks here" in result.unparsed.iloc[0]["reason"]


def test_truncated_one_line_array_reports_its_line(tmp_path):
    full = json.dumps([msg(1, "一"), msg(2, "二"), msg(3, "三")], ensure_ascii=False)
    result = read_text(tmp_path, full[:-40], "a.json")
    assert list(result.messages["content"]) == ["一", "二"] and accounted(result)
    assert list(result.unparsed["line"]) == [1] and "the array breaks here" in result.unparsed.iloc[0]["reason"]


@settings(max_examples=60, deadline=None)
@given(cut=st.floats(0.0, 1.0), indent=st.sampled_from([None, 2]))
def test_any_truncation_is_accounted_and_never_crashes(cut, indent, tmp_path_factory):
    full = json.dumps({"errcode": 0, "chatdata": [msg(1, "一"), msg(2, roomid=""), msg(3, "三")]},
                      ensure_ascii=False, indent=indent)
    text = full[: int(len(full) * cut)]
    path = tmp_path_factory.mktemp("cut") / "a.json"
    path.write_text(text, encoding="utf-8")
    try:
        result = parsers.read(path, "wecom_archive_json")
    except InputError:
        return   # cut before the array opened: nothing of the file is usable
    assert accounted(result)
    assert set(result.messages["content"]) <= {"一", "三"}


def test_object_without_a_message_array_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="chatdata / msg_list / data"):
        read_text(tmp_path, json.dumps({"errcode": 0, "items": [msg(1)]}, indent=2), "a.json",
                  input_format="wecom_archive_json")


def test_encrypted_getchatdata_response_asks_for_decryption(tmp_path):
    raw = {"errcode": 0, "errmsg": "ok", "chatdata": [
        {"seq": 1, "msgid": "m1", "publickey_ver": 3, "encrypt_random_key": "k", "encrypt_chat_msg": "c"}]}
    with pytest.raises(InputError, match="decrypt"):
        read_text(tmp_path, json.dumps(raw, indent=2), "a.json")


# ---- worked cases end to end (roster aliases = the archive's userids) ------------------------------------

EXAMPLES = yaml.safe_load((paths.EXAMPLES)
                          .read_text(encoding="utf-8"))


def archive_roster(tmp_path) -> Path:
    """The examples' roster with each person's archive userid as an alias and the group's room id."""
    roster = copy.deepcopy(EXAMPLES["roster"])
    for person in roster["members"]:
        shown = [f"{person['name']}-{person['dept']}", *person.get("aliases", [])]
        person["aliases"] = [*person.get("aliases", []), *map(user_id, shown)]
    for group in roster["groups"]:
        group["ids"] = [room_id(group["name"])]
    path = tmp_path / "roster.yaml"
    path.write_text(yaml.safe_dump(roster, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("layout", ["wecom_archive_jsonl", "wecom_archive_json"])
@pytest.mark.parametrize("case_id", ["late-with-delay", "off-topic-targeted-warning", "meeting-all-members",
                                     "reply-by-requested"])
def test_worked_case_end_to_end(case_id, layout, tmp_path):
    from tests.test_examples import money_events, run_case
    case = next(c for c in EXAMPLES["cases"] if c["id"] == case_id)
    result = run_case(case, layout, tmp_path / "in", archive_roster(tmp_path))
    expected = sorted((e["member"], e["rule"], int(e["count"]), e["month"]) for e in case["events"])
    assert expected and money_events(result) == expected
    assert len(result.unparsed) == 0
    assert set(result.messages["group"]) == {EXAMPLES["roster"]["groups"][0]["name"]}
    assert set(result.messages["member"]) <= {p["name"] for p in EXAMPLES["roster"]["members"]}   # Bing → 韩冰 too
    # no display names in the archive, so the naming rule (群昵称 姓名-部门) has nothing to look at
    assert not (result.events["rule"] == "naming").any()


def test_an_archive_of_mostly_one_to_one_chats_is_read_not_refused(tmp_path):
    """A company archive holds every chat; its 1:1 chats are set aside, listed, and do not count as damage."""
    from wgm import ingest
    from wgm.roster import Roster
    rows = [{"msgid": f"p{i}", "action": "send", "from": "zhangsan", "tolist": ["lisi"], "roomid": "",
             "msgtime": 1740963683000 + i, "msgtype": "text", "text": {"content": "私聊"}} for i in range(30)]
    rows.append({"msgid": "g1", "action": "send", "from": "zhangsan", "tolist": ["lisi"], "roomid": "wr1",
                 "msgtime": 1740963683000, "msgtype": "text", "text": {"content": "请今天提交周报"}})
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    result = ingest.ingest([path], Roster())
    assert len(result.messages) == 1 and len(result.unparsed) == 30
    assert result.unparsed["reason"].str.startswith("按设计略过（set aside）：单聊").all()
