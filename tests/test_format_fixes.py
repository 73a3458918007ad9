"""What the files the exporters' own code wrote (tests/data/spec/formats/real) showed wrong (#16): each
failed before its fix."""

from __future__ import annotations

from wgm import parsers
from wgm.parsers.reading import system_words
from wgm.roster import Person, Roster
from tests.paths import REAL_EXPORTS

WEFLOW = REAL_EXPORTS / "weflow"
GROUP_FILE = "群聊_华信科技-项目交付群"


def test_arkme_json_senders_come_from_the_senders_list() -> None:
    msgs = parsers.read(WEFLOW / "arkme-json__remark" / f"{GROUP_FILE}.json").messages
    first = msgs.iloc[0]
    assert (first.sender, first.sender_id) == ("张三-项目经理", "wxid_zhangsan01")
    assert (msgs[msgs.media != "system"].sender != "").all()


def test_a_message_without_any_sender_is_unparsed_not_silent(tmp_path) -> None:
    path = tmp_path / "chat.json"
    path.write_text('{"weflow": {"version": "1.0.3", "exportedAt": 1741000000}, "session": {"wxid": "1@chatroom"},'
                    ' "messages": [{"localId": 1, "createTime": 1740963683, "localType": 1, "content": "收到",'
                    ' "senderID": 9}]}', encoding="utf-8")
    result = parsers.read(path)
    assert len(result.messages) == 0
    assert "sender" in result.unparsed.reason.iloc[0]


def test_chatlab_reply_has_its_quote_parsed_out() -> None:
    for name in ("chatlab__remark/群聊_华信科技-项目交付群.json", "chatlab-jsonl__remark/群聊_华信科技-项目交付群.jsonl"):
        msgs = parsers.read(WEFLOW / name).messages
        reply = msgs[msgs.msg_id == "7301111111111111104"].iloc[0]
        assert reply.content == "收到，17点前完成"
        assert reply.quote_sender == "张三"
        assert reply.quote_text.startswith("@李四 @王 五 请今天18:00前")


def test_weflow_received_text_loses_its_leading_newline() -> None:
    for name in ("json__remark/群聊_华信科技-项目交付群.json", "txt__remark/群聊_华信科技-项目交付群.txt",
                 "weclone__remark/群聊_华信科技-项目交付群.csv"):
        msgs = parsers.read(WEFLOW / name).messages
        assert msgs.iloc[1].content == "收到，预计17:30前提交", name


def test_weflow_4x_recall_loses_its_trailing_zero() -> None:
    assert system_words('"李四" 撤回了一条消息0') == '"李四" 撤回了一条消息'
    assert system_words("订单号10") == "订单号10"     # only a recall's own digit
    msgs = parsers.read(WEFLOW / "weclone__remark" / f"{GROUP_FILE}.csv").messages
    assert msgs[msgs.media == "system"].content.tolist()[1] == '"李四" 撤回了一条消息'


def test_chatlab_sticker_written_as_a_link_is_a_sticker() -> None:
    # WeFlow gives a sticker ChatLab's type 7 (link); its content says what it is
    msgs = parsers.read(WEFLOW / "chatlab__remark" / f"{GROUP_FILE}.json").messages
    assert msgs[msgs.content == "[表情包]"].media.tolist() == ["sticker"]


def test_memotrace_template_dump_is_a_system_line_filled_in() -> None:
    msgs = parsers.read(REAL_EXPORTS / "memotrace_v3_wechat3db" / "华信科技-项目交付群.csv").messages
    join = msgs[msgs.msg_id == "7301111111111111115"].iloc[0]
    assert (join.media, join.sender) == ("system", "")
    assert join.content == '"周九"通过扫描"张三"分享的二维码加入群聊'


def test_unfilled_template_is_a_system_line() -> None:
    msgs = parsers.read(WEFLOW / "txt__remark" / f"{GROUP_FILE}.txt").messages
    join = msgs[msgs.text.str.contains("adder")].iloc[0]
    assert (join.media, join.sender) == ("system", "")


def test_memotrace_sanitised_name_matches_a_roster_name_with_a_space() -> None:
    roster = Roster(people={"王 五": Person(name="王 五"), "Amy.周 (QA)": Person(name="Amy.周 (QA)")})
    aliases = roster.alias_map()
    assert (aliases["王_五"], aliases["Amy_周_(QA)"]) == ("王 五", "Amy.周 (QA)")


def test_weflow_formats_of_one_chat_name_one_group() -> None:
    # WeFlow names a group's files 群聊_<群名>; its JSON names the group <群名>: one chat, not two groups
    groups = {parsers.read(path).messages.group.iloc[0]
              for path in sorted(WEFLOW.glob("*__remark/*")) if path.suffix != ".sql"}
    assert groups == {"华信科技-项目交付群"}


def test_pywxdump_file_is_named_from_its_src_path() -> None:
    for name in ("csv/34567890123@chatroom_0_16.csv", "json/34567890123@chatroom_0_16.json"):
        msgs = parsers.read(REAL_EXPORTS / "pywxdump" / name).messages
        assert "周报模板.docx" in msgs[msgs.media == "file"].content.iloc[0]
