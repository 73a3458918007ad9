"""Near-misses (疑似): a message that nearly makes an event is listed for review, counted 0 and
unpriced until an admin confirms it (#19: nothing missed silently, nothing fined on a guess)."""

from __future__ import annotations

import pytest

from tests.chat import audit_chat, events_of
from wgm.report.publish import announcement


def _possible(result) -> list[tuple]:
    ev = result.events[result.events["possible"]]
    return sorted((r.member, r.rule, int(r.count), float(r.amount), bool(r.needs_review))
                  for r in ev.itertuples(index=False))


@pytest.mark.parametrize("text", ["@罗刚-仓储部 你这怎么想的，表又填反了", "你们能不能上点心，第三次了",
                                  "@谢婷-客服部 你这水平也太业余了吧"])
def test_a_jab_at_someone_not_in_the_lexicon_is_a_possible_incivility(tmp_path, text):
    r = audit_chat(f"2026-05-11 10:00:00 林涛-运营部: {text}", tmp_path)
    assert _possible(r) == [("林涛", "incivility", 0, 0.0, True)]
    assert events_of(r) == [("林涛", "incivility", 0)]      # counted 0: no fine
    row = r.events.iloc[0]
    assert "疑似" in row["review_reason"] and "「" in row["detail"]
    assert r.summary.empty                                  # nothing to deduct


@pytest.mark.parametrize("text", ["@罗刚-仓储部 工作群不要发拼单链接，说过多少次了", "我这脑子，又把表填反了", "这个方案怎么想的都可以，大家提", "这批货的水平仪到了",
                                  "@罗刚-仓储部 明天把A区盘点做完"])
def test_no_possible_event_without_a_jab_aimed_at_someone(tmp_path, text):
    r = audit_chat(f"2026-05-11 10:00:00 林涛-运营部: {text}", tmp_path)
    assert _possible(r) == []


def test_a_listed_insult_is_an_event_not_a_possible_one(tmp_path):
    r = audit_chat("2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 你长没长脑子", tmp_path)
    assert events_of(r) == [("林涛", "incivility", 1)] and _possible(r) == []


def test_a_confirmed_possible_event_counts_and_is_priced(tmp_path):
    chat = "2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 你这怎么想的，表又填反了"
    first = audit_chat(chat, tmp_path)
    event_id = first.events.iloc[0]["event_id"]
    path = tmp_path / "overrides.yaml"
    path.write_text(f"- {{event: {event_id}, action: confirm, reason: 核实属实}}\n", encoding="utf-8")
    confirmed = audit_chat(chat, tmp_path, overrides=path)
    row = confirmed.events.iloc[0]
    assert (int(row["count"]), float(row["amount"]), bool(row["possible"]), bool(row["needs_review"])) == \
        (1, 50.0, False, False)
    assert confirmed.summary.iloc[0]["total_amount"] == 50.0


def test_the_announcement_says_possible_events_are_not_counted(tmp_path):
    r = audit_chat("2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 你这怎么想的，表又填反了", tmp_path)
    text = announcement(r, r.events.iloc[0]["group"], "2026-05")
    assert "疑似" in text and "未计入" in text and "林涛" not in text.split("如有异议")[0].split("如下")[1]


def test_off_topic_words_beside_work_signs_after_a_warning_are_a_possible_event(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 罗刚-仓储部: 今天食堂的红烧肉绝了
2026-05-11 10:05:00 何敏-行政部: @罗刚-仓储部 工作群请勿闲聊
2026-05-11 12:00:00 罗刚-仓储部: @谢婷-客服部 楼下新开的火锅店5折，下班一起？
""", tmp_path)
    assert ("罗刚", "off_topic_after_warning", 0, 0.0, True) in _possible(r)


def test_off_topic_words_without_a_warning_give_nothing(tmp_path):
    r = audit_chat("2026-05-11 12:00:00 罗刚-仓储部: @谢婷-客服部 楼下新开的火锅店5折，下班一起？", tmp_path)
    assert _possible(r) == []
