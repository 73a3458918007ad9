"""The four 留痕 layouts: golden samples, encodings and line ends, detection, refusals, totality."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import paths
from wgm import parsers
from wgm.errors import InputError

SPEC_SAMPLES = paths.SPEC_SAMPLES
SAMPLES = {
    "weflow_txt": "weflow_group.txt",
    "memotrace_v2_txt": "memotrace_v2_group.txt",
    "memotrace_v2_csv": "memotrace_v2_group_utf8.csv",
    "memotrace_v3_txt": "memotrace_v3_group.txt",
    "memotrace_v3_csv": "memotrace_v3_group.csv",
}


def accounted(result) -> bool:
    covered = int((result.messages["line_end"] - result.messages["line"] + 1).sum())
    return covered + len(result.unparsed) + result.structural_lines == result.lines


@pytest.mark.parametrize("fmt, name", SAMPLES.items())
def test_golden_sample(fmt, name):
    result = parsers.read(SPEC_SAMPLES / name)
    m = result.messages
    assert result.fmt == fmt and len(result.unparsed) == 0 and accounted(result)
    assert list(m["ts"].dt.strftime("%H:%M:%S")) == ["09:01:23", "09:05:10", "09:06:02", "09:07:45", "10:15:00",
                                                     "11:20:33", "17:28:40", "17:29:05", "17:35:12"]
    quote_media = "quote" if fmt == "memotrace_v2_csv" else "text"   # v2 CSV: a quote row without its words
    assert list(m["media"]) == ["text", "text", "image", quote_media, "system", "system", "text", "file", "text"]
    assert m.iloc[0]["content"].startswith("@李四\u2005@王 五\u2005请今天18:00前提交本周周报")
    assert m.iloc[4]["content"] == '"张三"邀请"孙七"加入了群聊' and m.iloc[4]["sender"] == ""
    assert m.iloc[5]["content"] == '"李四" 撤回了一条消息'
    assert m.iloc[6]["content"] == "周报已提交：\n1. 完成接口联调\n2. 修复3个缺陷"
    assert m["group"].eq(name.replace("_utf8", "").rsplit(".", 1)[0]).all()
    if fmt != "memotrace_v2_csv":   # v2 CSV keeps a quote's text in compressed XML: the cell is empty
        quote = m.iloc[3]
        assert quote["content"] == "收到，17点前完成"
        assert quote["quote_sender"] == ("张三" if fmt == "weflow_txt" else "张三-项目经理")   # remark vs 群昵称
        assert quote["quote_text"].startswith("@李四\u2005@王 五\u2005请今天18:00前")
    if fmt.endswith("csv"):
        assert m["msg_id"].ne("").all()


@pytest.mark.parametrize("name", SAMPLES.values())
def test_encodings_and_line_ends_give_identical_messages(name, tmp_path):
    original = (SPEC_SAMPLES / name).read_bytes()
    text = original.decode("utf-8-sig")
    lf = text.replace("\r\n", "\n")
    variants = {
        "bom": b"\xef\xbb\xbf" + lf.encode("utf-8"),
        "crlf": lf.replace("\n", "\r\n").encode("utf-8"),
        "gb18030": lf.encode("gb18030"),
        "utf16": lf.encode("utf-16"),
    }
    base = parsers.read(SPEC_SAMPLES / name).messages
    cols = ["ts", "sender", "media", "content", "quote_sender", "quote_text"]
    for label, data in variants.items():
        path = tmp_path / label / name
        path.parent.mkdir()
        path.write_bytes(data)
        result = parsers.read(path)
        assert result.fmt == parsers.read(SPEC_SAMPLES / name).fmt, label
        assert result.messages[cols].equals(base[cols]), label
        assert accounted(result) and len(result.unparsed) == 0, label


def test_group_and_chat_id_come_from_the_folder(tmp_path):
    folder = tmp_path / "聊天记录" / "华信科技-运营管理群(44556677889@chatroom)"
    folder.mkdir(parents=True)
    path = folder / "华信科技-运营管理群(1).txt"
    path.write_bytes((SPEC_SAMPLES / "memotrace_v3_group.txt").read_bytes())
    m = parsers.read(path).messages
    assert set(m["group"]) == {"华信科技-运营管理群"} and set(m["group_id"]) == {"44556677889@chatroom"}


def test_text_before_the_first_header_is_reported_not_dropped(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("导出说明：本文件由留痕导出\n\n" + (SPEC_SAMPLES / "memotrace_v3_group.txt").read_text("utf-8"),
                    encoding="utf-8")
    result = parsers.read(path)
    assert len(result.messages) == 9 and accounted(result)
    assert list(result.unparsed["line"]) == [1] and "before the first" in result.unparsed.iloc[0]["reason"]


def test_header_like_line_inside_a_body_stays_in_the_body(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("2025-03-03 09:00:00 张三\n会议纪要如下：\n2025-03-01 10:00:00 讨论了预算\n结论：通过\n\n"
                    "2025-03-03 09:05:00 李四\n收到", encoding="utf-8")
    m = parsers.read(path).messages
    assert len(m) == 2 and "2025-03-01 10:00:00 讨论了预算" in m.iloc[0]["content"]


def test_csv_row_with_bad_time_goes_to_unparsed(tmp_path):
    path = tmp_path / "g.csv"
    data = (SPEC_SAMPLES / "memotrace_v3_group.csv").read_bytes()
    path.write_bytes(data.replace("2025-03-03 09:01:23".encode(), "2025-13-03 09:01:23".encode(), 1))
    result = parsers.read(path)
    assert len(result.messages) == 8 and accounted(result)
    assert result.unparsed.iloc[0]["reason"] == "没有可读的时间（no readable time）" and result.unparsed.iloc[0]["line"] == 2


def test_newest_first_files_are_read_in_any_order(tmp_path):
    records = (SPEC_SAMPLES / "memotrace_v3_group.txt").read_text("utf-8").split("\n\n")
    path = tmp_path / "g.txt"
    path.write_text("\n\n".join(reversed(records)), encoding="utf-8")
    result = parsers.read(path)
    assert len(result.messages) == 9 and accounted(result) and len(result.unparsed) == 0


@pytest.mark.parametrize("content, match", [
    ("\n\n********************2025-03-03********************\n张三:请提交周报 \n李四:收到 ", "AI-TXT"),
    ('{"conversations": [{"role": "user", "content": "你好"}]}', "training JSON"),
    ("just some notes\nnothing here\n", "not a chat export"),
])
def test_exports_that_cannot_be_audited_are_refused(content, match, tmp_path):
    path = tmp_path / "x.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=match):
        parsers.read(path)


def test_binary_and_unknown_format_name_are_errors(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(InputError, match="binary"):
        parsers.read(path)
    with pytest.raises(InputError, match="unknown input format"):
        parsers.read(SPEC_SAMPLES / "memotrace_v3_group.txt", "nope")


# ---- properties (the round trip of every layout is in test_round_trip.py) -------------------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), prefix=st.sampled_from([b"", b"2025-03-03 09:01:23 \xe5\xbc\xa0\n",
                                                              "\ufeff消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\r\n".encode()]))
def test_any_bytes_either_refused_or_fully_accounted(data, prefix, tmp_path_factory):
    path = tmp_path_factory.mktemp("fz") / "x.txt"
    path.write_bytes(prefix + data)
    try:
        result = parsers.read(path)
    except InputError:
        return
    assert accounted(result)


def test_lone_carriage_return_is_a_line_end_for_every_layout(tmp_path):
    """Found by the byte fuzzer: csv counted a lone CR as a row end while the line counter did not."""
    path = tmp_path / "x.csv"
    path.write_bytes("\ufeff消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\r\n".encode() + b"\r1,x")
    result = parsers.read(path)
    assert accounted(result) and result.lines == 3


def test_wechatbaktool_lines_are_not_taken_for_memotrace_headers():
    head = (SPEC_SAMPLES / "wechatbaktool.txt").read_text(encoding="utf-8")
    for parser in (parsers.by_name("memotrace_v2_txt"), parsers.by_name("memotrace_v3_txt")):
        assert parser.sniff(head) == 0.0
    assert parsers.read(SPEC_SAMPLES / "wechatbaktool.txt").fmt == "wechatbaktool_txt"


@pytest.mark.parametrize("text, ok", [("2025-03-03 09:01:23", True), ("2025-13-03 09:01:23", False),
                                      ("2025-02-30 09:01:23", False), ("2025-03-03 9:01:23", False),
                                      ("+025-03-03 09:01:23", False), ("２０２５-03-03 09:01:23", False)])
def test_timestamps_are_read_strictly(text, ok):
    from wgm.parsers.reading import parse_ts
    assert (parse_ts(text) is not None) == ok


# (position, replacement) edits that make a header time impossible, or only look like one
_EDITS = [(None, "")] * 6 + [(5, "00"), (5, "13"), (8, "00"), (8, "29"), (8, "30"), (8, "31"), (8, "32"), (11, "24"),
                             (14, "60"), (17, "60"), (17, "61"), (4, "/"), (10, "T"), (13, "."), (6, "a"), (3, "６")]


def _header_time(moment, edit) -> str:
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    at, new = edit
    return text if at is None else text[:at] + new + text[at + len(new):]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.builds(_header_time, st.datetimes(datetime(1670, 1, 1), datetime(2270, 12, 31)),
                          st.sampled_from(_EDITS)), min_size=1, max_size=12))
def test_header_times_read_at_once_agree_with_one_at_a_time(texts):
    """parse_ts_column (a byte matrix, for 留痕 TXT headers) gives what parse_ts gives, within the years
    a message time can hold: the same time, or NaT where parse_ts gives None."""
    import numpy as np
    from wgm.parsers.reading import parse_ts, parse_ts_column
    got = parse_ts_column(texts)
    for text, stamp in zip(texts, got):
        one = parse_ts(text)
        if one is None or not 1678 <= one.year <= 2261:
            assert np.isnat(stamp), text
        else:
            assert stamp == np.datetime64(one, "s"), text


def test_columns_become_the_parsed_schema_with_defaults_and_typos_refused():
    import numpy as np
    from wgm import schema
    from wgm.parsers.reading import messages_from_columns
    frame = messages_from_columns({"ts": np.array(["2026-03-02T09:00:00"], dtype="datetime64[s]"), "text": ["收到"],
                                   "line": [3]}, {"group": "甲群", "fmt": "memotrace_v3_txt"})
    schema.check_frame(frame, schema.PARSED_COLUMNS, "parser")
    assert list(frame.columns) == list(schema.PARSED_COLUMNS)
    row = frame.iloc[0]
    assert (row["group"], row["text"], row["line"], row["ref_id"], row["line_end"]) == ("甲群", "收到", 3, "", 0)
    with pytest.raises(AssertionError, match="sendr"):
        messages_from_columns({"sendr": ["x"]}, {})


# lines a 留痕 TXT is made of, and the near misses: blank lines of every kind of whitespace (not "\n"),
# headers with and without a name, header-like body lines, bodies ending in whitespace
_TXT_LINES = st.one_of(
    st.sampled_from(["", " ", "\t", "\u3000", "\r", " \x0b\x1c\x85\u2028 ", "2025-03-03 09:01:23 张三",
                     "2025-03-03 09:01:23", "2025-03-03 09:01:23 ", "2025-13-03 09:01:23 李四", "２０２５-03-03 09:01:23 王五",
                     " 2025-03-03 09:01:23 张三", "2025-03-03 09:01:23张三", "收到 ", "引用：张三: 好的", "【图片】"]),
    st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), max_size=6))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TXT_LINES, max_size=14), st.booleans())
def test_records_found_in_the_whole_text_are_those_found_line_by_line(lines, final_newline):
    """blank_led_records (one regex split over the text, for big exports) finds exactly the records,
    bodies, line numbers and leading junk that header_records finds going line by line."""
    from wgm.parsers import memotrace
    from wgm.parsers.reading import blank_led_records, header_records, physical_lines
    text = "\n".join(lines) + ("\n" if final_newline and lines else "")
    physical = physical_lines(text)
    records, unparsed, structural = header_records(physical, memotrace._HEADER, "g.txt")
    found = blank_led_records(text, memotrace._HEADER_IN_TEXT, "g.txt")
    assert list(zip(found.starts, found.ends, found.times, found.rests, found.bodies)) == [
        (start, end, m.group(1), m.group(2), "\n".join(body)) for start, end, m, body in records]
    assert (found.unparsed, found.structural, found.lines) == (unparsed, structural, len(physical))
