"""WeFlow JSON, EchoTrace JSON, ChatLab JSON and ChatLab JSONL (formats.md §F9): golden files written here from
the field lists of the spec (the spec ships no sample of these layouts), detection, and damaged input.

The golden files hold the 9-message 项目交付群 conversation of the spec samples (weflow_group.txt).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import paths
from tests.layouts import LAYOUTS, render_files
from wgm import parsers
from wgm.errors import InputError
from wgm.parsers import weflow_json

SPEC_SAMPLES = paths.SPEC_SAMPLES
MENTION = "@李四\u2005@王 五\u2005请今天18:00前提交本周周报，收到请回复预计完成时间"
TIMES = ["09:01:23", "09:05:10", "09:06:02", "09:07:45", "10:15:00", "11:20:33", "17:28:40", "17:29:05", "17:35:12"]
MEDIA = ["text", "text", "image", "text", "system", "system", "text", "file", "text"]
SENDER_IDS = ["wxid_zhangsan01", "wxid_lisi01", "wxid_wangwu01", "wxid_wangwu01", "", "", "wxid_lisi01", "wxid_lisi01",
              "wxid_zhaoliu01"]

WEFLOW_JSON = r'''{
  "weflow": {
    "version": "1.0.3",
    "exportedAt": 1741000000,
    "generator": "WeFlow"
  },
  "session": {
    "wxid": "34567890123@chatroom",
    "nickname": "项目交付群",
    "remark": "",
    "displayName": "项目交付群",
    "type": "群聊",
    "lastTimestamp": 1740994512,
    "messageCount": 9
  },
  "messages": [
    {
      "localId": 1,
      "createTime": 1740963683,
      "formattedTime": "2025-03-03 09:01:23",
      "type": "文本消息",
      "localType": 1,
      "content": "@李四\u2005@王 五\u2005请今天18:00前提交本周周报，收到请回复预计完成时间",
      "isSend": 0,
      "senderUsername": "wxid_zhangsan01",
      "senderDisplayName": "张三",
      "source": "",
      "senderAvatarKey": "wxid_zhangsan01",
      "platformMessageId": "7301111111111111101"
    },
    {
      "localId": 2,
      "createTime": 1740963910,
      "formattedTime": "2025-03-03 09:05:10",
      "type": "文本消息",
      "localType": 1,
      "content": "收到，预计17:30前提交",
      "isSend": 0,
      "senderUsername": "wxid_lisi01",
      "senderDisplayName": "研发-李四",
      "source": "",
      "senderAvatarKey": "wxid_lisi01",
      "platformMessageId": "7301111111111111102"
    },
    {
      "localId": 3,
      "createTime": 1740963962,
      "formattedTime": "2025-03-03 09:06:02",
      "type": "图片消息",
      "localType": 3,
      "content": "[图片]",
      "isSend": 0,
      "senderUsername": "wxid_wangwu01",
      "senderDisplayName": "王 五",
      "source": "",
      "senderAvatarKey": "wxid_wangwu01",
      "platformMessageId": "7301111111111111103"
    },
    {
      "localId": 4,
      "createTime": 1740964065,
      "formattedTime": "2025-03-03 09:07:45",
      "type": "引用消息",
      "localType": 244813135921,
      "content": "收到，17点前完成",
      "isSend": 0,
      "senderUsername": "wxid_wangwu01",
      "senderDisplayName": "王 五",
      "source": "",
      "senderAvatarKey": "wxid_wangwu01",
      "platformMessageId": "7301111111111111104",
      "replyToMessageId": "7301111111111111101",
      "quotedSender": "张三",
      "quotedContent": "@李四\u2005@王 五\u2005请今天18:00前提交本周周报，收到请回复预计完成时间"
    },
    {
      "localId": 5,
      "createTime": 1740968100,
      "formattedTime": "2025-03-03 10:15:00",
      "type": "系统消息",
      "localType": 10000,
      "content": "\"张三\"邀请\"孙七\"加入了群聊",
      "isSend": 0,
      "senderUsername": "",
      "senderDisplayName": "",
      "source": "",
      "senderAvatarKey": "",
      "platformMessageId": "7301111111111111105"
    },
    {
      "localId": 6,
      "createTime": 1740972033,
      "formattedTime": "2025-03-03 11:20:33",
      "type": "系统消息",
      "localType": 10000,
      "content": "\"李四\" 撤回了一条消息",
      "isSend": 0,
      "senderUsername": "wxid_zhaoliu01",
      "senderDisplayName": "赵六",
      "source": "",
      "senderAvatarKey": "wxid_zhaoliu01",
      "platformMessageId": "7301111111111111106"
    },
    {
      "localId": 7,
      "createTime": 1740994120,
      "formattedTime": "2025-03-03 17:28:40",
      "type": "文本消息",
      "localType": 1,
      "content": "周报已提交：\n1. 完成接口联调\n2. 修复3个缺陷",
      "isSend": 0,
      "senderUsername": "wxid_lisi01",
      "senderDisplayName": "研发-李四",
      "source": "",
      "senderAvatarKey": "wxid_lisi01",
      "platformMessageId": "7301111111111111107"
    },
    {
      "localId": 8,
      "createTime": 1740994145,
      "formattedTime": "2025-03-03 17:29:05",
      "type": "文件消息",
      "localType": 25769803825,
      "content": "[文件]周报-李四.docx",
      "isSend": 0,
      "senderUsername": "wxid_lisi01",
      "senderDisplayName": "研发-李四",
      "source": "",
      "senderAvatarKey": "wxid_lisi01",
      "platformMessageId": "7301111111111111108"
    },
    {
      "localId": 9,
      "createTime": 1740994512,
      "formattedTime": "2025-03-03 17:35:12",
      "type": "文本消息",
      "localType": 1,
      "content": "已核对，李四的周报通过",
      "isSend": 1,
      "senderUsername": "wxid_zhaoliu01",
      "senderDisplayName": "赵六",
      "source": "",
      "senderAvatarKey": "wxid_zhaoliu01"
    }
  ]
}'''

ECHOTRACE_JSON = r'''{
  "session": {
    "wxid": "34567890123@chatroom",
    "nickname": "",
    "remark": "交付群",
    "displayName": "",
    "type": "群聊",
    "lastTimestamp": 1740994512,
    "messageCount": 9
  },
  "messages": [
    {"localId": 1, "createTime": 1740963683, "formattedTime": "2025-03-03 09:01:23", "type": "文本消息",
     "localType": 1, "content": "@李四\u2005@王 五\u2005请今天18:00前提交本周周报，收到请回复预计完成时间", "isSend": 0,
     "senderUsername": "wxid_zhangsan01", "senderDisplayName": "张三", "source": ""},
    {"localId": 2, "createTime": 1740963910, "formattedTime": "2025-03-03 09:05:10", "type": "文本消息",
     "localType": 1, "content": "收到，预计17:30前提交", "isSend": 0,
     "senderUsername": "wxid_lisi01", "senderDisplayName": "研发-李四", "source": ""},
    {"localId": 3, "createTime": 1740963962, "formattedTime": "2025-03-03 09:06:02", "type": "图片消息",
     "localType": 3, "content": "[图片]", "isSend": 0,
     "senderUsername": "wxid_wangwu01", "senderDisplayName": "王 五", "source": ""},
    {"localId": 4, "createTime": 1740964065, "formattedTime": "2025-03-03 09:07:45", "type": "引用消息",
     "localType": 49, "content": "收到，17点前完成", "isSend": 0,
     "senderUsername": "wxid_wangwu01", "senderDisplayName": "王 五", "source": "",
     "quotedSender": "张三", "quotedContent": "@李四\u2005@王 五\u2005请今天18:00前提交本周周报，收到请回复预计完成时间"},
    {"localId": 5, "createTime": 1740968100, "formattedTime": "2025-03-03 10:15:00", "type": "系统消息",
     "localType": 10000, "content": "\"张三\"邀请\"孙七\"加入了群聊", "isSend": 0,
     "senderUsername": "", "senderDisplayName": "", "source": ""},
    {"localId": 6, "createTime": 1740972033, "formattedTime": "2025-03-03 11:20:33", "type": "系统消息",
     "localType": 10002, "content": "\"李四\" 撤回了一条消息", "isSend": 0,
     "senderUsername": "", "senderDisplayName": "", "source": ""},
    {"localId": 7, "createTime": 1740994120, "formattedTime": "2025-03-03 17:28:40", "type": "文本消息",
     "localType": 1, "content": "wxid_lisi01:\n周报已提交：\n1. 完成接口联调\n2. 修复3个缺陷", "isSend": 0,
     "senderUsername": "wxid_lisi01", "senderDisplayName": "研发-李四", "source": ""},
    {"localId": 8, "createTime": 1740994145, "formattedTime": "2025-03-03 17:29:05", "type": "文件消息",
     "localType": 49, "content": "[文件]周报-李四.docx", "isSend": 0,
     "senderUsername": "wxid_lisi01", "senderDisplayName": "研发-李四", "source": ""},
    {"localId": 9, "createTime": 1740994512, "formattedTime": "2025-03-03 17:35:12", "type": "文本消息",
     "localType": 1, "content": "已核对，李四的周报通过", "isSend": 1,
     "senderUsername": "wxid_zhaoliu01", "senderDisplayName": "赵六", "source": ""}
  ],
  "avatars": {},
  "groupMembers": [],
  "exportTime": "2025-03-03T11:00:00.000Z"
}
'''

CHATLAB_JSON = r'''{
  "chatlab": {
    "version": "0.0.2",
    "exportedAt": 1741000000,
    "generator": "WeFlow"
  },
  "meta": {
    "name": "项目交付群",
    "platform": "wechat",
    "type": "group",
    "groupId": "34567890123@chatroom"
  },
  "members": [
    {
      "platformId": "wxid_zhangsan01",
      "accountName": "张三"
    },
    {
      "platformId": "wxid_lisi01",
      "accountName": "李四",
      "groupNickname": "研发-李四"
    },
    {
      "platformId": "wxid_wangwu01",
      "accountName": "王 五"
    },
    {
      "platformId": "wxid_zhaoliu01",
      "accountName": "赵六"
    }
  ],
  "messages": [
    {
      "sender": "wxid_zhangsan01",
      "accountName": "张三",
      "timestamp": 1740963683,
      "type": 0,
      "content": "@李四\u2005@王 五\u2005请今天18:00前提交本周周报，收到请回复预计完成时间",
      "platformMessageId": "7301111111111111101"
    },
    {
      "sender": "wxid_lisi01",
      "timestamp": 1740963910,
      "type": 0,
      "content": "收到，预计17:30前提交",
      "platformMessageId": "7301111111111111102"
    },
    {
      "sender": "wxid_wangwu01",
      "accountName": "王 五",
      "timestamp": 1740963962,
      "type": 1,
      "content": "[图片]",
      "platformMessageId": "7301111111111111103"
    },
    {
      "sender": "wxid_wangwu01",
      "accountName": "王 五",
      "timestamp": 1740964065,
      "type": 25,
      "content": "收到，17点前完成",
      "platformMessageId": "7301111111111111104",
      "replyToMessageId": "7301111111111111101"
    },
    {
      "sender": "wxid_zhaoliu01",
      "accountName": "赵六",
      "timestamp": 1740968100,
      "type": 80,
      "content": "\"张三\"邀请\"孙七\"加入了群聊",
      "platformMessageId": "7301111111111111105"
    },
    {
      "sender": "wxid_zhaoliu01",
      "accountName": "赵六",
      "timestamp": 1740972033,
      "type": 81,
      "content": "\"李四\" 撤回了一条消息",
      "platformMessageId": "7301111111111111106"
    },
    {
      "sender": "wxid_lisi01",
      "accountName": "李四",
      "groupNickname": "研发-李四",
      "timestamp": 1740994120,
      "type": 0,
      "content": "周报已提交：\n1. 完成接口联调\n2. 修复3个缺陷",
      "platformMessageId": "7301111111111111107"
    },
    {
      "sender": "wxid_lisi01",
      "accountName": "李四",
      "groupNickname": "研发-李四",
      "timestamp": 1740994145,
      "type": 4,
      "content": "[文件]周报-李四.docx",
      "platformMessageId": "7301111111111111108"
    },
    {
      "sender": "wxid_zhaoliu01",
      "accountName": "赵六",
      "timestamp": 1740994512,
      "type": 0,
      "content": "已核对，李四的周报通过",
      "platformMessageId": "7301111111111111109"
    }
  ]
}'''


def _jsonl_from_chatlab(text: str) -> str:
    data = json.loads(text)
    lines = [{"_type": "header", "chatlab": data["chatlab"], "meta": data["meta"]}]
    lines += [{"_type": "member", **m} for m in data["members"]]
    out = [json.dumps(x, ensure_ascii=False, separators=(",", ":")) for x in lines]
    out.append("")   # a blank separator line is structural
    out += [json.dumps({"_type": "message", **m}, ensure_ascii=False, separators=(",", ":")) for m in data["messages"]]
    return "\n".join(out) + "\n"


CHATLAB_JSONL = _jsonl_from_chatlab(CHATLAB_JSON)
GOLDEN = {"weflow_json": ("项目交付群.json", WEFLOW_JSON), "echotrace_json": ("交付群.json", ECHOTRACE_JSON),
          "chatlab_json": ("项目交付群.chatlab.json", CHATLAB_JSON),
          "chatlab_jsonl": ("项目交付群.chatlab.jsonl", CHATLAB_JSONL)}


def accounted(result) -> bool:
    covered = int((result.messages["line_end"] - result.messages["line"] + 1).sum())
    return covered + len(result.unparsed) + result.structural_lines == result.lines


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def golden(tmp_path: Path, fmt: str) -> Path:
    return write(tmp_path, *GOLDEN[fmt])


# ---- golden files -------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", GOLDEN)
def test_golden_file(fmt, tmp_path):
    result = parsers.read(golden(tmp_path, fmt))
    m = result.messages
    assert result.fmt == fmt and len(result.unparsed) == 0 and accounted(result)
    assert len(m) == 9 and (m["fmt"] == fmt).all() and (m["precision"] == "s").all()
    assert list(m["ts"].dt.strftime("%Y-%m-%d %H:%M:%S")) == [f"2025-03-03 {t}" for t in TIMES]
    assert list(m["media"]) == MEDIA
    assert list(m["sender"]) == ["张三", "研发-李四", "王 五", "王 五", "", "", "研发-李四", "研发-李四", "赵六"]
    assert list(m["sender_id"]) == SENDER_IDS   # a notice filed under the exporting account has no sender
    assert m.iloc[0]["content"] == MENTION
    assert m.iloc[4]["content"] == '"张三"邀请"孙七"加入了群聊'
    assert m.iloc[5]["content"] == '"李四" 撤回了一条消息'
    assert m.iloc[6]["content"] == "周报已提交：\n1. 完成接口联调\n2. 修复3个缺陷"
    assert m.iloc[7]["content"] == "[文件]周报-李四.docx"
    assert m.iloc[3]["content"] == "收到，17点前完成"
    expected_group = "交付群" if fmt == "echotrace_json" else "项目交付群"   # remark when displayName is empty
    assert (m["group"] == expected_group).all() and (m["group_id"] == "34567890123@chatroom").all()
    # every message spans the lines of its own object, in order, without overlap
    assert (m["line"] <= m["line_end"]).all() and (m["line"].iloc[1:].values > m["line_end"].iloc[:-1].values).all()


def test_weflow_quote_fields_ids_and_line_spans(tmp_path):
    m = parsers.read(golden(tmp_path, "weflow_json")).messages
    quote = m.iloc[3]
    assert quote["quote_sender"] == "张三" and quote["quote_text"] == MENTION
    assert quote["ref_id"] == "7301111111111111101"
    assert (m["quote_text"].iloc[[0, 1, 2, 4, 5, 6, 7, 8]] == "").all() and (m["ref_id"] == "").sum() == 8
    assert list(m["msg_id"]) == [f"730111111111111110{i}" for i in range(1, 9)] + ["34567890123@chatroom:9"]
    lines = WEFLOW_JSON.split("\n")
    assert lines[m.iloc[0]["line"] - 1].strip() == "{" and lines[m.iloc[0]["line_end"] - 1].strip() == "},"
    assert lines[m.iloc[8]["line_end"] - 1].strip() == "}" and m.iloc[0]["line"] == 17


def test_echotrace_quote_leaked_prefix_and_local_ids(tmp_path):
    m = parsers.read(golden(tmp_path, "echotrace_json")).messages
    assert m.iloc[3]["quote_sender"] == "张三" and m.iloc[3]["quote_text"] == MENTION and m.iloc[3]["ref_id"] == ""
    # a leaked "<wxid>:\n" in front of group text is the sender's id, not words: text keeps it, content drops it
    assert m.iloc[6]["text"].startswith("wxid_lisi01:\n") and m.iloc[6]["content"].startswith("周报已提交")
    assert list(m["msg_id"]) == [f"34567890123@chatroom:{i}" for i in range(1, 10)]


def test_chatlab_reply_ids_and_member_table(tmp_path):
    for fmt in ("chatlab_json", "chatlab_jsonl"):
        m = parsers.read(golden(tmp_path, fmt)).messages
        assert m.iloc[3]["ref_id"] == "7301111111111111101" and m.iloc[3]["quote_text"] == ""
        assert m.iloc[1]["sender"] == "研发-李四"   # no name on the message: the member table's 群昵称
        assert list(m["msg_id"]) == [f"730111111111111110{i}" for i in range(1, 10)]


def test_jsonl_lines_are_one_message_each(tmp_path):
    result = parsers.read(golden(tmp_path, "chatlab_jsonl"))
    m = result.messages
    assert (m["line"] == m["line_end"]).all() and list(m["line"]) == list(range(7, 16))
    assert result.structural_lines == 6   # header, 4 members, 1 blank


# ---- detection --------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", GOLDEN)
def test_each_golden_file_is_won_by_its_own_parser_alone(fmt):
    head = GOLDEN[fmt][1][:parsers.HEAD_CHARS]
    scores = {p.name: p.sniff(head) for p in parsers.PARSERS}
    assert scores[fmt] >= 0.9
    assert all(score <= scores[fmt] - 0.3 for name, score in scores.items() if name != fmt), scores
    assert all(p.sniff(head) == 0.0 for p in weflow_json.PARSERS if p.name != fmt)


@pytest.mark.parametrize("layout", [name for name in LAYOUTS if name not in GOLDEN])
def test_the_family_stays_silent_on_every_other_layout(layout):
    conversation = [{"ts": datetime(2025, 3, 3, 9, 1, 23), "sender": "张三", "text": "请提交周报"},
                    {"ts": datetime(2025, 3, 3, 9, 5, 10), "sender": "李四", "text": "收到",
                     "quote": {"sender": "张三", "text": "请提交周报"}},
                    {"ts": datetime(2025, 3, 3, 10, 0, 0), "sender": "", "text": '"李四" 撤回了一条消息', "system": True}]
    for relpath, data in render_files(conversation, "项目交付群", layout).items():
        head = data.decode("utf-8-sig", errors="replace")[:parsers.HEAD_CHARS]
        assert all(p.sniff(head) == 0.0 for p in weflow_json.PARSERS), relpath


@pytest.mark.parametrize("sample", sorted(p.name for p in SPEC_SAMPLES.iterdir() if p.is_file()))
def test_the_family_stays_silent_on_every_spec_sample(sample):
    head = (SPEC_SAMPLES / sample).read_bytes().decode("utf-8-sig", errors="replace")[:parsers.HEAD_CHARS]
    assert all(p.sniff(head) == 0.0 for p in weflow_json.PARSERS), sample


def test_echotrace_without_sender_fields_in_the_head_still_scores_low_but_nonzero():
    head = '{\n  "session": {"wxid": "x@chatroom"},\n  "messages": [\n'
    assert weflow_json.ECHOTRACE_JSON.sniff(head) == 0.5


# ---- times --------------------------------------------------------------------------------------

def test_create_time_wins_over_formatted_time_and_follows_the_time_zone(tmp_path):
    text = WEFLOW_JSON.replace('"formattedTime": "2025-03-03 09:01:23"', '"formattedTime": "2025-03-03 08:00:00"')
    path = write(tmp_path, "g.json", text)
    assert parsers.read(path).messages.iloc[0]["ts"].strftime("%H:%M:%S") == "09:01:23"
    assert parsers.read(path, tz="UTC").messages.iloc[0]["ts"].strftime("%H:%M:%S") == "01:01:23"


def test_formatted_time_is_the_fallback_and_a_timeless_message_is_reported(tmp_path):
    text = (WEFLOW_JSON.replace('"createTime": 1740963910,', '"createTime": null,')
            .replace('"createTime": 1740963962,', '')
            .replace('"formattedTime": "2025-03-03 09:06:02",', '"formattedTime": "",'))
    result = parsers.read(write(tmp_path, "g.json", text))
    m = result.messages
    assert len(m) == 8 and accounted(result)
    assert m.iloc[1]["ts"].strftime("%H:%M:%S") == "09:05:10"
    assert set(result.unparsed["reason"]) == {"消息没有可读的 createTime 或 formattedTime（message without a readable time）"}
    third = text.split("\n").index('      "localId": 3,')   # 0-based index of that line = line of its "{"
    assert result.unparsed["line"].tolist() == list(range(third, third + 14))   # the third message object, whole


def test_millisecond_timestamps_are_understood(tmp_path):
    text = CHATLAB_JSON.replace('"timestamp": 1740963683,', '"timestamp": 1740963683000,')
    m = parsers.read(write(tmp_path, "g.chatlab.json", text)).messages
    assert m.iloc[0]["ts"].strftime("%Y-%m-%d %H:%M:%S") == "2025-03-03 09:01:23"


# ---- damaged and odd input ----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["weflow_json", "echotrace_json", "chatlab_json"])
def test_truncated_file_keeps_the_messages_before_the_cut(fmt, tmp_path):
    name, text = GOLDEN[fmt]
    cut = text.index("加入了群聊")   # inside the fifth message
    result = parsers.read(write(tmp_path, name, text[:cut]), fmt)
    assert len(result.messages) == 4 and accounted(result)
    first_bad = int(result.messages["line_end"].max()) + 1
    assert result.unparsed["line"].tolist() == list(range(first_bad, result.lines + 1))
    assert result.unparsed["reason"].str.contains("broken off").all()


def test_truncated_file_is_still_detected(tmp_path):
    text = WEFLOW_JSON[:WEFLOW_JSON.index("加入了群聊")]
    assert parsers.read(write(tmp_path, "g.json", text)).fmt == "weflow_json"


def test_a_file_cut_before_its_messages_is_all_unparsed(tmp_path):
    text = WEFLOW_JSON[:WEFLOW_JSON.index('"messageCount"')]
    result = parsers.read(write(tmp_path, "g.json", text), "weflow_json")
    assert len(result.messages) == 0 and accounted(result) and len(result.unparsed) == result.lines
    assert "not a readable weflow_json file" in result.unparsed.iloc[0]["reason"]


@pytest.mark.parametrize("text", ['[{"localId": 1}]', '{"weflow": {}, "session": {}}', '{"messages": {"a": 1}}',
                                  "not json at all\n", '{"weflow": 1, "messages": [1, "x", {"createTime": "soon"}]}\n'])
def test_wrong_shapes_are_accounted_not_crashes(text, tmp_path):
    for fmt in ("weflow_json", "echotrace_json", "chatlab_json", "chatlab_jsonl"):
        result = parsers.read(write(tmp_path, "g.json", text), fmt)
        assert len(result.messages) == 0 and accounted(result), fmt
        assert len(result.unparsed) >= 1, fmt


def test_jsonl_broken_and_unknown_lines_are_reported_and_the_rest_kept(tmp_path):
    lines = CHATLAB_JSONL.split("\n")
    lines[8] = lines[8][:40]                      # a message line cut short
    lines.insert(3, '{"_type":"reaction","x":1}')  # a line of a kind this parser does not know
    result = parsers.read(write(tmp_path, "g.jsonl", "\n".join(lines)))
    assert result.fmt == "chatlab_jsonl" and len(result.messages) == 8 and accounted(result)
    assert result.unparsed["line"].tolist() == [4, 10]
    assert result.unparsed.iloc[0]["reason"].startswith("JSON 行没有 _type")
    assert result.unparsed.iloc[1]["reason"].startswith("不是 JSON 行（not a JSON line）")


def test_jsonl_member_after_its_messages_still_names_them(tmp_path):
    lines = CHATLAB_JSONL.rstrip("\n").split("\n")
    lisi = next(l for l in lines if '"platformId":"wxid_lisi01"' in l)
    lines.remove(lisi)
    result = parsers.read(write(tmp_path, "g.jsonl", "\n".join(lines + [lisi]) + "\n"))
    assert result.messages.iloc[1]["sender"] == "研发-李四" and accounted(result)


def test_quote_rendering_left_in_content_is_split_off(tmp_path):
    text = WEFLOW_JSON.replace('"content": "收到，17点前完成"',
                               '"content": "收到，17点前完成[引用 张三：' + MENTION.replace("\u2005", "\\u2005") + ']"')
    m = parsers.read(write(tmp_path, "g.json", text)).messages
    assert m.iloc[3]["content"] == "收到，17点前完成" and m.iloc[3]["text"].endswith("完成时间]")


def test_text_that_merely_looks_like_a_prefix_is_kept(tmp_path):
    text = WEFLOW_JSON.replace('"content": "收到，预计17:30前提交"', '"content": "TODO_list:\\n收到，预计17:30前提交"')
    m = parsers.read(write(tmp_path, "g.json", text)).messages
    assert m.iloc[1]["content"] == "TODO_list:\n收到，预计17:30前提交"   # not the sender's id: words, kept


def test_app_message_kinds_from_the_high_bits_or_the_placeholder():
    from wgm.parsers.weflow_json import wechat_media
    assert wechat_media((5 << 32) | 49, "", "标题", False) == "link"
    assert wechat_media((2000 << 32) | 49, "", "", False) == "transfer"
    assert wechat_media(49, "", "[转发的聊天记录]周会", False) == "merged"
    assert wechat_media(49, "", "收到", True) == "text"
    assert wechat_media(None, "视频消息", "", False) == "video"
    assert wechat_media("34", "", "", False) == "voice"


@pytest.mark.parametrize("name", ["bom", "crlf"])
def test_bom_and_crlf_give_the_same_messages(name, tmp_path):
    base = parsers.read(golden(tmp_path, "weflow_json")).messages
    data = WEFLOW_JSON.encode("utf-8")
    data = b"\xef\xbb\xbf" + data if name == "bom" else data.replace(b"\n", b"\r\n")
    path = tmp_path / name / "项目交付群.json"
    path.parent.mkdir()
    path.write_bytes(data)
    result = parsers.read(path)
    cols = ["ts", "sender", "media", "content", "quote_text", "msg_id", "line", "line_end"]
    assert result.fmt == "weflow_json" and result.messages[cols].equals(base[cols]) and accounted(result)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, len(WEFLOW_JSON)), fmt=st.sampled_from(["weflow_json", "chatlab_json", "chatlab_jsonl"]))
def test_any_cut_is_refused_or_fully_accounted(cut, fmt, tmp_path_factory):
    name, text = GOLDEN[fmt]
    path = tmp_path_factory.mktemp("cut") / name
    path.write_text(text[:cut * len(text) // len(WEFLOW_JSON)], encoding="utf-8")
    try:
        result = parsers.read(path, fmt)
    except InputError:
        return
    assert accounted(result)
    assert len(result.messages) <= 9


@pytest.mark.parametrize("layout", ["weflow_json", "echotrace_json", "chatlab_json"])
def test_minified_json_counts_each_line_once_and_warns_when_cut_inside_it(layout, tmp_path):
    from datetime import datetime
    from tests.layouts import render_files
    messages = [{"ts": datetime(2026, 5, 11, 9, 0, i), "sender": "张三", "text": f"第{i}条"} for i in range(5)]
    data = json.loads(next(iter(render_files(messages, "群", layout).values())))
    path = tmp_path / "x.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = parsers.read(path)
    assert len(result.messages) == 5 and result.lines == 1 and result.structural_lines == 0
    assert list(result.messages["line_end"]) == [0, 0, 0, 0, 1]     # the shared line belongs to the last one
    path.write_text(json.dumps(data, ensure_ascii=False)[:-80], encoding="utf-8")
    cut = parsers.read(path)
    assert len(cut.messages) < 5 and cut.structural_lines >= 0 and "broken off inside line 1" in cut.warnings[0]
