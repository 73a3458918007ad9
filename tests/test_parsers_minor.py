"""WechatExporter TXT, WechatBakTool TXT and the WeChat client copies: samples, edge cases, refusals."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests import paths
from wgm import parsers
from wgm.errors import InputError

SPEC_SAMPLES = paths.SPEC_SAMPLES
TIMES = ["09:01:23", "09:05:10", "09:06:02", "09:07:45", "10:15:00", "11:20:33", "17:28:40", "17:29:05", "17:35:12"]


def accounted(result) -> bool:
    covered = int((result.messages["line_end"] - result.messages["line"] + 1).sum())
    return covered + len(result.unparsed) + result.structural_lines == result.lines


def read_text(tmp_path, text: str, name: str = "群.txt", **kw):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return parsers.read(path, **kw)


def test_wechatexporter_sample_keeps_untimed_quote_and_notices_for_review():
    r = parsers.read(SPEC_SAMPLES / "wechatexporter_index.txt")
    m = r.messages
    assert r.fmt == "wechatexporter_txt" and len(r.unparsed) == 0 and accounted(r) and len(m) == 9
    assert m["group"].eq("项目交付群").all()        # from the title line, not the file name index.txt
    quote = m.iloc[3]
    assert (quote["sender"], quote["content"], quote["quote_sender"]) == ("", "收到，17点前完成", "张三-项目经理")
    assert quote["quote_text"].startswith("@李四\u2005@王 五\u2005请今天18:00前")
    # no time in the export: timed at the message before it, marked so nothing it decides is final
    assert quote["ts"] == datetime(2025, 3, 3, 9, 6, 2) and quote["precision"] == "none"
    assert list(m["media"][4:6]) == ["system", "system"] and m.iloc[4]["content"] == '"张三"邀请"孙七"加入了群聊'
    assert m.iloc[6]["content"] == "周报已提交：\n1. 完成接口联调\n2. 修复3个缺陷"
    assert m.iloc[7]["media"] == "file"
    assert list(m["precision"]).count("s") == 6


def test_wechatexporter_transfer_glues_the_next_record_on_its_line(tmp_path):
    text = ("群 - 微信聊天记录\n\n"
            "张三 (2025-03-03 09:00:00):微信转账 ￥100.00李四 (2025-03-03 09:01:00):收到\n"
            "王五 (2025-03-03 09:02:00):好的\n")
    r = read_text(tmp_path, text)
    m = r.messages
    assert list(m["sender"]) == ["张三", "李四", "王五"] and accounted(r)
    assert m.iloc[0]["media"] == "transfer" and m.iloc[1]["content"] == "收到"
    assert list(m["line"]) == [3, 3, 4]


def test_wechatexporter_forwarded_chat_is_one_message_not_many(tmp_path):
    text = ("群 - 微信聊天记录\n\n"
            "张三 (2025-03-03 09:00:00):请看下面的记录\n"
            "<< 群聊的聊天记录\n"
            "王五 (2025-02-01 10:00:00):旧消息一\n"
            "赵六 (2025-02-01 10:05:00):旧消息二\n"
            "群聊的聊天记录 结束 >>\n"
            "李四 (2025-03-03 09:10:00):收到\n")
    r = read_text(tmp_path, text)
    m = r.messages
    assert list(m["sender"]) == ["张三", "", "李四"] and accounted(r) and len(r.unparsed) == 0
    forward = m.iloc[1]
    assert forward["media"] == "merged" and "旧消息二" in forward["text"] and forward["precision"] == "none"
    assert forward["ts"] == datetime(2025, 3, 3, 9, 0)


def test_wechatexporter_line_opening_like_a_forward_that_never_ends_is_body_text(tmp_path):
    """Found by the round-trip test: a message line starting "<< " (the forward marker) with no
    "TITLE 结束 >>" after it swallowed every later message into one merged record."""
    text = ("群 - 微信聊天记录\n\n"
            "张三 (2025-03-03 09:00:00):注意\n"
            "<< 这里不是转发\n"
            "李四 (2025-03-03 09:10:00):收到\n"
            "王五 (2025-03-03 09:12:00):好的\n")
    r = read_text(tmp_path, text)
    m = r.messages
    assert list(m["sender"]) == ["张三", "李四", "王五"] and accounted(r) and len(r.unparsed) == 0
    assert m.iloc[0]["text"] == "注意\n<< 这里不是转发" and set(m["media"]) == {"text"}


def test_wechatexporter_quote_with_nothing_before_it_is_unparsed_with_reason(tmp_path):
    text = "群 - 微信聊天记录\n\n「张三：请提交」\n- - - - - - - - - - - - - - -\n收到\n"
    r = read_text(tmp_path, text)
    assert len(r.messages) == 0 and accounted(r)
    assert set(r.unparsed["reason"]) == {"之前没有可借用时间的消息（no message before it to time it by）"} and len(r.unparsed) == 3


def test_wechatbaktool_sample():
    r = parsers.read(SPEC_SAMPLES / "wechatbaktool.txt")
    m = r.messages
    assert r.fmt == "wechatbaktool_txt" and len(r.unparsed) == 0 and accounted(r)
    assert list(m["ts"].dt.strftime("%H:%M:%S")) == TIMES
    assert r.structural_lines == 6                       # the preamble
    assert list(m["media"]) == ["text", "text", "image", "text", "system", "system", "text", "file", "text"]
    assert m.iloc[3]["content"] == "收到，17点前完成"      # a quote: the reply's words survive, the quote not
    assert m.iloc[6]["content"] == "周报已提交：\n1. 完成接口联调\n2. 修复3个缺陷"
    assert m.iloc[8]["sender"] == "我"


def test_wechatbaktool_link_and_missing_name_separator(tmp_path):
    text = ("WechatBakTool\n与 群 的聊天记录\n导出时间：2025-03-31 20:00:00\n" + "=" * 65 + "\n\n\n"
            "2025-03-03 09:00:00 | 张三:公众号,标题：季度报告,链接：https://example.invalid/a\n"
            "2025-03-03 09:01:00 | 没有冒号的一行\n")
    r = read_text(tmp_path, text)
    assert list(r.messages["media"]) == ["link"] and r.messages.iloc[0]["content"] == "季度报告"
    assert list(r.unparsed["reason"]) == ["消息行没有 `NAME:`（message line without `NAME:`）"] and accounted(r)


def test_mac_copy_has_minute_precision():
    r = parsers.read(SPEC_SAMPLES / "UNVERIFIED_wechat_mac_multiselect_copy.txt")
    m = r.messages
    assert r.fmt == "wechat_mac_copy" and len(r.unparsed) == 0 and accounted(r)
    assert list(m["ts"].dt.strftime("%H:%M:%S")) == ["09:01:00", "09:05:00", "17:28:00", "17:35:00"]
    assert m["precision"].eq("min").all()
    assert m.iloc[2]["content"] == "周报已提交：\n1. 完成接口联调\n2. 修复3个缺陷"


def test_mac_copy_impossible_date_is_unparsed(tmp_path):
    r = read_text(tmp_path, "张三 2025/2/30 09:01\n请提交\n\n李四 2025/3/1 9:05\n收到\n")
    assert list(r.messages["sender"]) == ["李四"] and r.messages.iloc[0]["ts"] == datetime(2025, 3, 1, 9, 5)
    assert set(r.unparsed["reason"]) == {"消息头的时间不存在（header with an impossible time）"} and accounted(r)


def test_windows_copy_is_refused_with_a_reason():
    with pytest.raises(InputError, match="no message times"):
        parsers.read(SPEC_SAMPLES / "UNVERIFIED_wechat_win_multiselect_copy.txt")


@pytest.mark.parametrize("name, fmt", [("wechatexporter_index.txt", "wechatexporter_txt"),
                                       ("wechatbaktool.txt", "wechatbaktool_txt"),
                                       ("UNVERIFIED_wechat_mac_multiselect_copy.txt", "wechat_mac_copy")])
def test_detection_is_clear(name, fmt):
    head = (SPEC_SAMPLES / name).read_text(encoding="utf-8-sig")[:4096]
    scores = sorted(((p.sniff(head), p.name) for p in parsers.PARSERS), reverse=True)
    assert scores[0][1] == fmt and scores[0][0] - scores[1][0] >= 0.2
