"""Property: any conversation rendered into any supported layout parses back to the same messages,
less exactly what the layout is known to lose (tests/layouts.py LOSSES / EXPECT)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.layouts import EXPECT, LAYOUTS, LOSSES, sanitize, write_export
from wgm import parsers

NAMES = st.sampled_from(["张三-项目经理", "研发-李四", "王 五", "Leo", "赵六", "孙丽-行政部", "a.b c"])
LINE = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
               min_size=1, max_size=30).filter(lambda s: s.strip() and not s.startswith(("引用", " ")))
BODY = st.lists(LINE, min_size=1, max_size=3).map("\n".join)
# Real system lines; some layouts write them under the exporting account, so only their text marks them.
SYSTEM_TEXTS = ['"张三"邀请"王五"加入了群聊', '"李四"撤回了一条消息', '你邀请"赵六"加入了群聊',
                '"孙丽"修改群名为"项目交付群"']


@st.composite
def conversations(draw):
    n = draw(st.integers(1, 8))
    start = datetime(2026, 5, 11, 9, 0, 0)
    offsets = sorted(draw(st.lists(st.integers(0, 86400 * 3), min_size=n, max_size=n, unique=True)))
    messages = []
    for off in offsets:
        system = draw(st.booleans()) and draw(st.booleans())
        text = draw(BODY)
        if system:
            line = draw(st.one_of(st.sampled_from(SYSTEM_TEXTS), st.just(text.split("\n")[0])))
            messages.append({"ts": start + timedelta(seconds=off), "sender": "", "text": line, "system": True})
            continue
        m = {"ts": start + timedelta(seconds=off), "sender": draw(NAMES), "text": text}
        if messages and draw(st.booleans()):
            m["quote"] = {"sender": "张三-项目经理", "text": draw(LINE)}
        messages.append(m)
    return messages


def expected(layout: str, messages: list[dict]) -> tuple[list[dict], int]:
    """(the messages the parser must give back, how many rendered lines it must report unparsed)."""
    losses = LOSSES[layout]
    out, unparsed = [], 0
    for original in messages:
        want = dict(original)
        if want.get("system") and "system_absent" in losses:
            continue
        if want.get("quote") and "quote_dropped" in losses:
            del want["quote"]
        if "sender_sanitized" in losses and not want.get("system"):
            want["sender"] = sanitize(want["sender"])
        if "minute_precision" in losses:
            want["ts"] = want["ts"].replace(second=0)
        if "untimed_records" in losses and want.get("system") and want["text"] not in SYSTEM_TEXTS:
            # an unmarked line without name or time reads as one more line of the message before
            if out:
                out[-1]["text"] += "\n" + want["text"]
            else:
                unparsed += 1
            continue
        if "untimed_records" in losses and (want.get("system") or want.get("quote")):
            if not out:          # nothing before it to time it by
                unparsed += want["text"].count("\n") + 1 + (
                    want["quote"]["text"].count("\n") + 2 if want.get("quote") else 0)
                continue
            want["ts"] = out[-1]["ts"]
            if want.get("quote"):
                want["sender"] = ""
        out.append(EXPECT.get(layout, lambda m: m)(want))
    return out, unparsed


@pytest.mark.parametrize("layout", LAYOUTS)
@settings(max_examples=int(os.environ.get("WGM_FUZZ", 30)), deadline=None,     # WGM_FUZZ=400 for a longer run
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messages=conversations())
def test_round_trip(layout, messages, tmp_path_factory):
    path = write_export(tmp_path_factory.mktemp("rt"), messages, "测试群", layout)
    result = parsers.read(path, layout)
    covered = int((result.messages["line_end"] - result.messages["line"] + 1).sum())
    assert covered + len(result.unparsed) + result.structural_lines == result.lines
    assert result.structural_lines >= 0 and (result.messages["line_end"] >= result.messages["line"] - 1).all()
    wanted, unparsed = expected(layout, messages)
    assert len(result.unparsed) == unparsed
    m = result.messages.sort_values(["ts", "line"], kind="stable")
    assert len(m) == len(wanted)
    losses = LOSSES[layout]
    for got, want in zip(m.itertuples(), wanted):
        assert got.ts == want["ts"]
        if want.get("system") and "system_by_text" in losses and want["text"] not in SYSTEM_TEXTS:
            # an unrecognisable "system" line is indistinguishable from the exporter's own message
            assert got.media != "system"
            continue
        if want.get("system"):
            assert got.media == "system"
            if "system_text_lost" not in losses:
                assert got.content == want["text"].strip()
            continue
        if "sender_is_id" in losses:
            assert got.sender_id != ""
        elif want.get("quote") and "untimed_records" in losses:
            assert got.sender == "" and got.precision == "none"
        else:
            assert got.sender == want["sender"]
        if want.get("quote") and "quote_text_lost" in losses:
            continue
        assert got.content == want["text"]
        if want.get("quote"):
            assert got.quote_text == want["quote"]["text"]
            if "quote_unattributed" not in losses and "quote_sender_remark" not in losses:
                assert got.quote_sender == want["quote"]["sender"]
