"""Threading and rules on small inline chats: the situations examples.yaml does not spell out."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from tests.chat import ROSTER, audit_chat, events_of
from wgm.roles import FORMAT_ELEMENT, REASON


def test_quoted_reply_answers_only_the_quoted_task(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于5月13日前完成A区库存盘点
2026-05-11 10:30:00 林涛-运营部: @罗刚-仓储部 请于5月14日前提交叉车维修报价
2026-05-11 11:00:00 罗刚-仓储部> 林涛-运营部: @罗刚-仓储部 请于5月13日前完成A区库存盘点 :: 好的
""", tmp_path)
    assert events_of(r) == [("罗刚", "reply_missed", 1)]
    missed = r.events[r.events["rule"] == "reply_missed"].iloc[0]
    assert "叉车" in r.tasks.set_index("task_id").loc[missed["task_id"], "text"]


def test_unquoted_ack_answers_every_open_task_of_the_receiver(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于5月13日前完成A区库存盘点
2026-05-11 10:30:00 高峰-财务部: @罗刚-仓储部 请于5月14日前提交4月水电费单据
2026-05-11 11:00:00 罗刚-仓储部: 收到
""", tmp_path)
    assert events_of(r) == []
    assert r.tasks["replied"].notna().all()


def test_completion_goes_to_the_task_it_shares_words_with(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于5月12日前完成A区库存盘点
2026-05-11 10:30:00 林涛-运营部: @罗刚-仓储部 请于5月12日前提交叉车维修报价
2026-05-11 10:40:00 罗刚-仓储部: 收到
2026-05-14 09:00:00 罗刚-仓储部: 叉车维修报价已提交
2026-05-14 09:10:00 林涛-运营部: 确认收到报价
""", tmp_path)
    tasks = r.tasks.set_index("text")
    quote_task = tasks.loc[[t for t in tasks.index if "叉车" in t][0]]
    count_task = tasks.loc[[t for t in tasks.index if "盘点" in t][0]]
    assert quote_task["status"] == "verified" and count_task["status"] == "open"
    assert ("罗刚", "delay_days", 2) in events_of(r) and ("罗刚", "promise_missed", 1) in events_of(r)


def test_verification_without_completion_report_uses_its_own_time(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于5月12日前完成A区库存盘点
2026-05-11 10:05:00 罗刚-仓储部: 收到
2026-05-15 16:00:00 林涛-运营部> 林涛-运营部: @罗刚-仓储部 请于5月12日前完成A区库存盘点 :: 已确认完成
""", tmp_path)
    assert ("罗刚", "delay_days", 3) in events_of(r)
    row = r.events[r.events["rule"] == "promise_missed"].iloc[0]
    assert "无完成汇报" in row["detail"] and row["needs_review"]


def test_delegation_is_a_reply_and_a_new_task(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 马骏-总经办: @高峰-财务部 请于5月15日前提交5月资金计划
2026-05-11 10:10:00 高峰-财务部: 收到，@罗刚-仓储部 请明天下班前把仓库5月采购需求发我
""", tmp_path)
    receivers = sorted(r.tasks["receiver"])
    assert receivers == ["罗刚", "高峰"]
    assert r.tasks.set_index("receiver").loc["高峰", "replied"] == datetime(2026, 5, 11, 10, 10)
    assert ("罗刚", "reply_missed", 1) in events_of(r)


def test_reminder_without_mention_is_not_a_new_task(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于5月12日18:00前完成A区库存盘点
2026-05-11 10:05:00 罗刚-仓储部: 收到
2026-05-12 15:00:00 林涛-运营部: 提醒一下，盘点今天下班前要完成
""", tmp_path)
    assert r.tasks["task_id"].nunique() == 1
    assert r.messages.set_index("text").loc["提醒一下，盘点今天下班前要完成", "kind"] == "reminder"


def test_warning_expires_after_valid_for(tmp_path):
    r = audit_chat("""
2026-05-01 12:00:00 徐丽-运营部: 周末有人去看电影吗
2026-05-01 12:05:00 何敏-行政部: @徐丽-运营部 工作群请勿闲聊
2026-05-05 12:00:00 徐丽-运营部: 哈哈
2026-05-10 12:00:00 徐丽-运营部: 哈哈哈
""", tmp_path)
    assert events_of(r) == [("徐丽", "off_topic_after_warning", 1)]


def test_a_member_who_is_not_admin_cannot_warn(tmp_path):
    r = audit_chat("""
2026-05-01 12:00:00 徐丽-运营部: 周末有人去看电影吗
2026-05-01 12:05:00 林涛-运营部: @徐丽-运营部 工作群请勿闲聊
2026-05-01 12:10:00 徐丽-运营部: 哈哈
""", tmp_path)
    assert events_of(r) == []


def test_amounts_and_phone_numbers_are_not_deadlines(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 高峰-财务部: @罗刚-仓储部 请联系客户13812345678核对订单2026051100123的10000元货款
2026-05-11 10:05:00 罗刚-仓储部: 收到
""", tmp_path)
    assert events_of(r) == [("高峰", "format", 1)]
    assert "要求完成时间" in r.events.iloc[0]["detail"]
    assert r.tasks["deadline"].isna().all()


def test_task_without_receiver_is_a_format_event_needing_review(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: 请于5月15日前提交各区域的安全检查表
""", tmp_path)
    fmt = r.events[r.events["rule"] == "format"]
    assert len(fmt) == 1 and "责任人" in fmt.iloc[0]["detail"] and bool(fmt.iloc[0]["needs_review"])


def test_duties_not_yet_due_are_not_judged(tmp_path):
    text = """
2026-05-31 16:00:00 林涛-运营部: @罗刚-仓储部 请于6月2日前完成C区消防器材检查
"""
    early = audit_chat(text, tmp_path, as_of=datetime(2026, 5, 31, 20, 0))
    assert events_of(early) == []
    later = audit_chat(text, tmp_path)
    assert events_of(later) == [("罗刚", "reply_missed", 1)]


def test_system_line_of_leaving_gives_quit_group(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: 大家好
2026-05-12 10:00:00 系统: "徐丽-运营部"退出了群聊
""", tmp_path)
    quit_rows = r.events[r.events["rule"] == "quit_group"]
    assert list(quit_rows["member"]) == ["徐丽"] and r.summary.set_index("member").loc["徐丽", "disqualified"]


CAPPED = """
2026-05-11 14:00:00 谢婷-客服部: @韩冰-IT部 请于5月12日前开通客服系统的新账号3个
2026-05-11 14:20:00 韩冰-IT部: 收到
2026-05-17 15:00:00 韩冰-IT部: 3个账号已开通
2026-05-17 15:10:00 谢婷-客服部: 确认已开通
"""


def _overrides(tmp_path, text: str):
    path = tmp_path / "overrides.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_override_escalated_by_phone_lifts_the_cap(tmp_path):
    first = audit_chat(CAPPED, tmp_path)
    task_id = first.tasks.iloc[0]["task_id"]
    path = _overrides(tmp_path, f"- {{task_id: {task_id}, action: escalated, value: '2026-05-15 09:00', "
                                f"reason: 电话报马总}}\n")
    r = audit_chat(CAPPED, tmp_path, overrides=path)
    assert ("韩冰", "delay_days", 5) in events_of(r)
    assert r.overrides_used[0]["action"] == "escalated"


def test_override_waive_dismiss_and_unmatched(tmp_path):
    first = audit_chat(CAPPED, tmp_path)
    delay = first.events[first.events["rule"] == "delay_days"].iloc[0]
    path = _overrides(tmp_path, f"- {{event: {delay['event_id']}, action: waive, reason: 紧急情况电话沟通}}\n"
                                f"- {{task_id: nope, action: dismiss, reason: 测试}}\n")
    r = audit_chat(CAPPED, tmp_path, overrides=path)
    waived = r.events[r.events["event_id"] == delay["event_id"]].iloc[0]
    assert waived["amount"] == 0 and waived["count"] == 3 and "waive" in waived["override"]
    assert any("matches nothing" in w for w in r.warnings)


def test_hold_uncertain_prices_review_events_at_zero(tmp_path):
    text = "2026-05-11 10:00:00 林涛-运营部: 请于5月15日前提交各区域的安全检查表\n"
    held = audit_chat(text, tmp_path, sets=("review.hold_uncertain=true",))
    assert held.events.iloc[0]["amount"] == 0 and held.events.iloc[0]["needs_review"]
    counted = audit_chat(text, tmp_path)
    assert counted.events.iloc[0]["amount"] == pytest.approx(10.0)


def test_amount_change_changes_only_prices(tmp_path):
    base = audit_chat(CAPPED, tmp_path)
    changed = audit_chat(CAPPED, tmp_path, sets=("amounts.delay_days=35",))
    a = base.events.set_index("rule")
    b = changed.events.set_index("rule")
    assert b.loc["delay_days", "amount"] == 3 * 35 and a.loc["delay_days", "amount"] == 3 * 20
    assert list(a.index) == list(b.index)


def test_explain_finds_events_by_display_name_with_their_messages(tmp_path):
    from wgm import api
    r = audit_chat(CAPPED, tmp_path)
    found = api.explain(r, "韩冰-IT部")
    rules = sorted(ev["rule"] for ev, _ in found)
    assert rules == ["delay_days", "promise_missed"]
    ev, msgs = next((ev, m) for ev, m in found if ev["rule"] == "delay_days")
    assert "3个账号已开通" in set(msgs["text"]) and "按3天计" in ev["detail"]


def test_a_new_task_with_a_verify_word_is_not_a_verification(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 王芳-财务部: @赵磊-仓储部 请于5月12日前提交叉车维修报价
2026-05-11 10:05:00 赵磊-仓储部: 收到
2026-05-12 09:00:00 赵磊-仓储部: 报价已提交
2026-05-12 10:00:00 王芳-财务部: @谢婷-客服部 请于5月13日前确认客户退款名单
2026-05-12 10:05:00 谢婷-客服部: 收到
""".replace("王芳-财务部", "高峰-财务部").replace("赵磊", "罗刚"), tmp_path)
    assert r.tasks["task_id"].nunique() == 2
    first = r.tasks[r.tasks["receiver"] == "罗刚"].iloc[0]
    assert pd.isna(first["verified"])


def test_a_time_alone_is_a_reply_that_needs_review(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于5月13日前完成B区货架的安全检查
2026-05-11 22:00:00 罗刚-仓储部: 明天上午仓库盘点，大家注意
""", tmp_path)
    late = r.events[r.events["rule"] == "reply_late"]
    assert len(late) == 1 and bool(late.iloc[0]["needs_review"])


def test_a_month_without_events_keeps_its_columns_and_types(tmp_path):
    """Found by the stage checks: with no events the amount column came out as text."""
    from wgm.report.machine import csv_files
    r = audit_chat("2026-05-11 10:00:00 林涛-运营部: 大家辛苦了\n", tmp_path)
    assert len(r.events) == 0 and str(r.events["amount"].dtype) == "float64"
    assert csv_files(r)["events.csv"].decode("utf-8-sig").startswith("month,group,member,dept,rule,clause,count")


def test_mentioning_the_receivers_supervisor_is_an_escalation_without_the_words(tmp_path):
    r = audit_chat("""
2026-05-11 14:00:00 谢婷-客服部: @韩冰-IT部 请于5月12日前开通客服系统的新账号3个
2026-05-11 14:20:00 韩冰-IT部: 收到
2026-05-15 09:00:00 谢婷-客服部: @马骏-总经办 @韩冰-IT部 客服系统账号到现在还没开通
2026-05-17 15:00:00 韩冰-IT部: 3个账号已开通
2026-05-17 15:10:00 谢婷-客服部: 确认已开通
""", tmp_path)
    assert ("韩冰", "delay_days", 5) in events_of(r)
    assert ("马骏", "reply_missed", 1) not in events_of(r)


def test_a_new_task_that_copies_the_office_is_not_an_escalation(tmp_path):
    r = audit_chat("""
2026-05-11 14:00:00 谢婷-客服部: @韩冰-IT部 请于5月12日前开通客服系统的新账号3个
2026-05-11 14:20:00 韩冰-IT部: 收到
2026-05-12 09:00:00 谢婷-客服部: @韩冰-IT部 @何敏-行政部 请于5月13日前把会议室的网线也检修一下
""", tmp_path)
    assert r.tasks["task_id"].nunique() == 2 and r.tasks["escalated"].isna().all()


# A message may fit several roles; the order of wgm.roles.HANDLERS decides which one it gets.
_ORDERED = [
    ("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于5月12日前提交叉车维修报价
2026-05-11 16:00:00 罗刚-仓储部: 好的，报价已提交
""", "好的，报价已提交", "completion"),       # an acknowledgement too: completion comes before reply
    ("""
2026-05-11 14:00:00 谢婷-客服部: @韩冰-IT部 请于5月12日前开通客服系统的新账号3个
2026-05-11 14:20:00 韩冰-IT部: 收到
2026-05-15 09:00:00 谢婷-客服部: @马骏-总经办 @韩冰-IT部 再提醒一次，客服系统账号还没开通，请马总介入
""", "@马骏-总经办 @韩冰-IT部 再提醒一次，客服系统账号还没开通，请马总介入", "escalation"),   # before reminder
    ("""
2026-05-01 12:00:00 徐丽-运营部: 周末有人去看电影吗
2026-05-01 12:05:00 何敏-行政部: @徐丽-运营部 工作群请勿闲聊，看电影周末再约
""", "@徐丽-运营部 工作群请勿闲聊，看电影周末再约", "warning"),   # off-topic words too: admin warning first
]


@pytest.mark.parametrize("chat, text, kind", _ORDERED, ids=[kind for _, _, kind in _ORDERED])
def test_the_first_role_in_order_claims_the_message(tmp_path, chat, text, kind):
    r = audit_chat(chat, tmp_path)
    assert r.messages.set_index("text").loc[text, "kind"] == kind
    if kind == "completion":
        assert r.tasks.iloc[0]["completed"] == r.tasks.iloc[0]["replied"] == datetime(2026, 5, 11, 16, 0)
    if kind == "escalation":
        assert r.tasks.iloc[0]["escalated"] == datetime(2026, 5, 15, 9, 0)


def test_an_answer_that_hands_out_work_is_the_reply_and_opens_the_task(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 马骏-总经办: @高峰-财务部 请于5月15日前提交5月资金计划
2026-05-11 10:10:00 高峰-财务部: 收到，@罗刚-仓储部 请明天下班前把仓库5月采购需求发我
""", tmp_path)
    answer = r.messages.set_index("text").loc["收到，@罗刚-仓储部 请明天下班前把仓库5月采购需求发我"]
    tasks = r.tasks.set_index("receiver")
    assert answer["kind"] == "reply" and answer["task_id"] == tasks.loc["高峰", "task_id"]
    assert tasks.loc["罗刚", "task_msg_id"] == answer["msg_id"] and tasks.loc["罗刚", "poster"] == "高峰"


def test_a_task_whose_time_cannot_be_read_has_no_deadline_no_format_fine_and_is_for_review(tmp_path):
    # 那天晚上8点前: which day? rules.md Time words: no deadline at all, never 晚上8点前 of the post day
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 那天晚上8点前把A区库存盘点表发我
2026-05-11 10:05:00 罗刚-仓储部: 收到
""", tmp_path)
    task = r.tasks.iloc[0]
    assert pd.isna(task["deadline"])
    assert "完成时间读不出：晚上8点前" in task["review_reason"]
    assert events_of(r) == []         # no format event: the post states a time, wgm cannot read it
    plain = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 把A区库存盘点表发我
2026-05-11 10:05:00 罗刚-仓储部: 收到
""", tmp_path)
    assert events_of(plain) == [("林涛", "format", 1)]     # … while a post with no time at all lacks one


def test_an_at_mention_handing_work_back_to_ones_own_poster_is_a_task(tmp_path):
    # 罗刚 has work from 林涛; 罗刚 @-mentions 林涛 with work of his own, no words of an answer: a task
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于5月13日前完成A区库存盘点
2026-05-11 10:05:00 罗刚-仓储部: 收到
2026-05-11 11:00:00 罗刚-仓储部: @林涛-运营部 3号库、5号库的出库单这周全部核一遍，周五前核对表交我
2026-05-11 11:30:00 罗刚-仓储部: @林涛-运营部 盘点表发您了
""", tmp_path)
    tasks = r.tasks.set_index("poster")
    assert tasks.loc["罗刚", "receiver"] == "林涛"
    assert tasks.loc["罗刚", "deadline"] == pd.Timestamp("2026-05-15 23:59:59")
    kinds = dict(zip(r.messages["content"].str[-6:], r.messages["kind"]))
    assert kinds["盘点表发您了"] == "completion"       # … while an @-mention with a report answers


def test_an_answer_naming_nobody_is_a_promise_not_a_task_without_receivers(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 密封圈缺4套，5月15日前要到货，请下午5点前回复能否保证
2026-05-11 16:00:00 罗刚-仓储部: 刚跟供应商落实了，两样都5/15前到
""", tmp_path)
    assert list(r.tasks["poster"]) == ["林涛"]
    assert r.tasks.iloc[0]["promised"] == pd.Timestamp("2026-05-15 23:59:59")
    assert events_of(r) == []


def test_a_short_reply_in_an_off_topic_thread_is_off_topic_for_review(tmp_path):
    r = audit_chat("""
2026-05-11 12:00:00 徐丽-运营部: 今天食堂红烧肉，去晚了就没了😂
2026-05-11 12:03:00 谢婷-客服部: 我报名！
2026-05-11 12:05:00 高峰-财务部: 要两份
2026-05-11 12:40:00 谢婷-客服部: 真的假的
2026-05-11 12:06:00 罗刚-仓储部: @林涛-运营部 出库单明天前核对完
""", tmp_path)
    kinds = dict(zip(r.messages["content"], r.messages["kind"]))
    assert kinds["我报名！"] == kinds["要两份"] == "off_topic"
    assert kinds["真的假的"] != "off_topic"                   # past the thread window (10m)
    assert kinds["@林涛-运营部 出库单明天前核对完"] != "off_topic"   # words of work


def test_a_nickname_in_letters_opening_a_task_names_its_receiver(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: Bing，出库系统的报表下周三前出来
2026-05-11 10:05:00 韩冰-IT部: 好的，周二给您
""", tmp_path)
    assert list(r.tasks["receiver"]) == ["韩冰"]
    assert r.tasks.iloc[0]["promised"] == pd.Timestamp("2026-05-12 23:59:59")


def test_work_due_by_a_time_that_names_a_meeting_is_a_task_a_notice_stays_a_meeting(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @徐丽-运营部 把4月异常件的结果汇总一下，周三下班前给我，周会要通报
2026-05-11 10:10:00 何敏-行政部: @罗刚-仓储部 @谢婷-客服部 周三前在三楼会议室开安全检查启动会，请回复
""", tmp_path)
    kinds = dict(zip(r.tasks["poster"], r.tasks["kind"]))
    assert kinds == {"林涛": "task", "何敏": "meeting"}


def test_a_report_by_one_whose_own_work_is_open_is_a_completion_not_a_verification(tmp_path):
    # 林涛 gave 徐丽 work and has her report; he also owes 马骏 the print-outs. 打印好了 is his report.
    r = audit_chat("""
2026-05-11 09:00:00 马骏-总经办: @林涛-运营部 合同打印三份，今天下班前放我桌上
2026-05-11 09:05:00 林涛-运营部: 收到
2026-05-11 09:10:00 林涛-运营部: @徐丽-运营部 异常件清单今天中午前发我
2026-05-11 09:15:00 徐丽-运营部: 收到
2026-05-11 11:00:00 徐丽-运营部: 清单发您了
2026-05-11 15:00:00 林涛-运营部: 打印好了，三份放您桌上了
2026-05-11 15:30:00 林涛-运营部: 清单看了，没问题
""", tmp_path)
    kinds = dict(zip(r.messages["content"], r.messages["kind"]))
    assert kinds["打印好了，三份放您桌上了"] == "completion"
    assert kinds["清单看了，没问题"] == "verification"
    mine = r.tasks.set_index("receiver")
    assert not pd.isna(mine.loc["林涛", "completed"]) and pd.isna(mine.loc["林涛", "verified"])
    assert not pd.isna(mine.loc["徐丽", "verified"])


def test_a_receivers_yes_with_a_time_is_a_promise_not_a_verification(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 罗刚-仓储部: @林涛-运营部 盘点差异表今天下班前发我
2026-05-11 09:10:00 林涛-运营部: 好的
2026-05-11 09:20:00 林涛-运营部: @罗刚-仓储部 B区货位图明天前发我
2026-05-11 09:30:00 罗刚-仓储部: 收到
2026-05-11 14:00:00 林涛-运营部: 差异表发您了
2026-05-11 16:00:00 罗刚-仓储部: 可以 货位图明天上午交
""", tmp_path)
    kinds = dict(zip(r.messages["content"], r.messages["kind"]))
    assert kinds["可以 货位图明天上午交"] != "verification"
    lin = r.tasks.set_index("receiver").loc["林涛"]
    assert pd.isna(lin["verified"])               # 差异表 is reported, not yet confirmed


def test_new_work_with_a_follow_up_word_to_an_earlier_receiver_is_a_task(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 A区库存盘点今天下班前完成
2026-05-11 09:10:00 罗刚-仓储部: 收到
2026-05-12 09:00:00 林涛-运营部: @罗刚-仓储部 叉车年检快到期了，这周内去复检，复检完把合格证拍照发我
""", tmp_path)
    assert len(r.tasks) == 2
    assert r.tasks.iloc[1]["deadline"] == pd.Timestamp("2026-05-17 23:59:59")


@pytest.mark.parametrize("text, heads", [
    ("仓库，明天上午十点前把苏州线的货理出来", ["罗刚"]),                 # 仓库 for 仓储部 (department_names)
    ("财务和客服下周三前把4月的赔付单核一遍", ["高峰", "谢婷"]),         # short names in a list
    ("请仓储和客服今天把破损件分析交给我", ["罗刚", "谢婷"]),             # after 请
])
def test_departments_named_for_short_where_they_are_asked(tmp_path, text, heads):
    r = audit_chat(f"2026-05-11 09:00:00 林涛-运营部: {text}", tmp_path)
    assert sorted(r.tasks["receiver"]) == sorted(heads)


def test_a_short_department_name_in_passing_asks_nobody(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: 今天仓库的货有点多，客服那几单晚点发
""", tmp_path)
    assert r.tasks.empty


@pytest.mark.parametrize("text", ["@罗刚-仓储部 B区的木托盘用完了，清点一下，多余的退回仓库",
                                  "@罗刚-仓储部 五一前C区货架要装完，人手提前排好",
                                  "@罗刚-仓储部 出库单的模板改成新版"])
def test_work_asked_for_in_everyday_shapes_is_a_task(tmp_path, text):
    r = audit_chat(f"2026-05-11 09:00:00 林涛-运营部: {text}", tmp_path)
    assert list(r.tasks["receiver"]) == ["罗刚"]


def test_a_result_stated_in_words_no_list_holds_completes_the_task_it_speaks_of(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @韩冰-IT部 网关超时配置今天下班前改回60秒
2026-05-11 09:05:00 韩冰-IT部: 收到
2026-05-11 09:06:00 林涛-运营部: @韩冰-IT部 打印机驱动明天前重装一下
2026-05-11 09:10:00 韩冰-IT部: 好的
2026-05-11 11:00:00 韩冰-IT部: 网关超时改回60s了
2026-05-11 11:30:00 韩冰-IT部: 单价又涨了，这批一共要三点五万
""", tmp_path)
    t = r.tasks.set_index("text")
    gateway = t.loc[t.index.str.contains("网关")].iloc[0]
    printer = t.loc[t.index.str.contains("打印机")].iloc[0]
    assert gateway["completed"] == pd.Timestamp("2026-05-11 11:00:00")
    assert pd.isna(printer["completed"])          # 单价又涨了 is news, not a report; 网关 is not the printer


@pytest.mark.parametrize("text", ["各科室注意：上半年费用报销截止到6月25日，请提醒本科室人员",
                                  "院周会纪要已上传OA，请各科室负责人认真阅读，请知悉。",
                                  "欢迎许晨加入，新同事，请各位多关照"])
def test_a_notice_to_all_naming_no_one_is_no_task(tmp_path, text):
    r = audit_chat(f"2026-05-11 09:00:00 马骏-总经办: {text}", tmp_path)
    assert r.tasks.empty and events_of(r) == []


def test_a_question_about_open_work_addressed_by_name_is_a_reminder(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 耗材领用单5月12日前交我
2026-05-11 09:05:00 罗刚-仓储部: 收到
2026-05-13 09:00:00 林涛-运营部: 罗总，耗材领用单今天能交吗？昨天就到期了
""", tmp_path)
    assert len(r.tasks) == 1
    kinds = dict(zip(r.messages["content"], r.messages["kind"]))
    assert kinds["罗总，耗材领用单今天能交吗？昨天就到期了"] == "reminder"


def test_a_report_naming_its_poster_is_no_new_task(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: 会上定的：客服和仓储一起把5月上半月的破损件做个分析，下周一上午交给我
2026-05-11 09:05:00 罗刚-仓储部: 收到
2026-05-11 09:06:00 谢婷-客服部: 收到
2026-05-14 16:00:00 罗刚-仓储部: 林总，破损分析仓储这部分我已经发给谢婷合进去了
""", tmp_path)
    assert sorted(r.tasks["receiver"]) == ["罗刚", "谢婷"]
    kinds = dict(zip(r.messages["content"], r.messages["kind"]))
    assert kinds["林总，破损分析仓储这部分我已经发给谢婷合进去了"] == "completion"


@pytest.mark.parametrize("text", ["会上定的：客服投诉件5月28日前全部闭环，谢婷负责",
                                  "出库差错率月底前降到0.5%以下，责任人谢婷"])
def test_a_member_named_as_responsible_without_a_colon_is_the_receiver(tmp_path, text):
    r = audit_chat(f"2026-05-11 09:00:00 林涛-运营部: {text}", tmp_path)
    assert list(r.tasks["receiver"]) == ["谢婷"]


def test_a_department_by_its_everyday_name_with_a_suffix(tmp_path):
    # 信息部 is what people call the roster's IT部 (department_names: IT=信息)
    r = audit_chat("2026-05-11 09:00:00 林涛-运营部: 信息部的同事，库位规则加个校验，这个月内上线", tmp_path)
    assert list(r.tasks["receiver"]) == ["韩冰"]


def test_a_task_leaning_on_a_reference_lacks_what_is_to_be_done(tmp_path):
    answer = "\n2026-05-11 09:05:00 罗刚-仓储部: 收到"
    vague = audit_chat("2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 那个事明天上班前给我" + answer, tmp_path)
    assert events_of(vague) == [("林涛", "format", 1)]
    assert FORMAT_ELEMENT["content"] in vague.events.iloc[0]["detail"]
    named = audit_chat("2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 那个事明天上班前给我，就是B区盘点差异的说明" + answer,
                       tmp_path)
    assert events_of(named) == []


def test_introducing_oneself_is_no_task(tmp_path):
    r = audit_chat("2026-05-11 09:00:00 韩冰-IT部: 我是IT部韩冰，负责仓库的网络和打印机，有问题随时叫我", tmp_path)
    assert r.tasks.empty


def test_a_report_goes_to_ones_own_work_before_a_task_to_many(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 马骏-总经办: @所有人 考勤规则推到大家的企业微信里了，今天下班前都打开看一下
2026-05-11 09:30:00 林涛-运营部: @罗刚-仓储部 叉车钥匙明天前交到前台
2026-05-11 09:40:00 罗刚-仓储部: 收到
2026-05-11 15:00:00 罗刚-仓储部: 已完成
""", tmp_path)
    done = r.tasks.dropna(subset=["completed"])
    assert list(done["poster"]) == ["林涛"]


def test_an_outcome_word_from_a_poster_is_no_verification_without_a_check(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 B区货架今天下班前修好
2026-05-11 09:05:00 罗刚-仓储部: 收到
2026-05-11 14:00:00 罗刚-仓储部: 货架修好了
2026-05-11 15:00:00 林涛-运营部: 打印机也修好了
2026-05-11 16:00:00 林涛-运营部: 货架看了，没问题
""", tmp_path)
    kinds = dict(zip(r.messages["content"], r.messages["kind"]))
    assert kinds["打印机也修好了"] != "verification"
    assert kinds["货架看了，没问题"] == "verification"
    assert r.tasks.iloc[0]["verified"] == pd.Timestamp("2026-05-11 16:00:00")


def test_a_finding_about_the_senders_own_work_is_its_report_not_a_verification(tmp_path):
    r = audit_chat("""
2026-05-11 09:10:00 罗刚-仓储部: @谢婷-客服部 退货单今天中午前发我
2026-05-11 09:15:00 谢婷-客服部: 收到
2026-05-11 10:00:00 谢婷-客服部: 退货单发您了
2026-05-11 11:30:00 谢婷-客服部: @罗刚-仓储部 DC0523那单送错了，今天查清楚原因给我个说法
2026-05-11 11:35:00 罗刚-仓储部: 收到
2026-05-11 15:00:00 罗刚-仓储部: 查清楚了，那单是面单贴错了，已经改派
""", tmp_path)
    kinds = dict(zip(r.messages["content"], r.messages["kind"]))
    assert kinds["查清楚了，那单是面单贴错了，已经改派"] == "completion"
    xie = r.tasks.set_index("poster").loc["谢婷"]
    assert xie["completed"] == pd.Timestamp("2026-05-11 15:00:00")


def test_an_acknowledgement_closing_an_explanation_answers(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 A区库存盘点5月13日前完成
2026-05-12 08:30:00 罗刚-仓储部: 林总，昨天在外仓一天没看手机，收到
""", tmp_path)
    assert r.tasks.iloc[0]["replied"] == pd.Timestamp("2026-05-12 08:30:00")
    assert events_of(r) == [("罗刚", "reply_missed", 1)]    # answered, the next day


@pytest.mark.parametrize("answer", ["我主讲，肯定在", "到", "刚进群，我线上旁听"])
def test_meeting_answers_as_people_give_them(tmp_path, answer):
    r = audit_chat(f"""
2026-05-11 09:00:00 何敏-行政部: @罗刚-仓储部 会议通知：5月13日上午9点三楼会议室开安全例会，请回复
2026-05-11 09:30:00 罗刚-仓储部: {answer}
""", tmp_path)
    assert r.tasks.iloc[0]["replied"] == pd.Timestamp("2026-05-11 09:30:00")


def test_a_long_done_sounding_message_about_something_else_is_not_the_only_open_tasks_report(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 5月复盘材料下周五前给我
2026-05-11 09:05:00 罗刚-仓储部: 收到
2026-05-11 20:50:00 罗刚-仓储部: 夜班的人到齐了，21:00准时开始装车
2026-05-12 10:00:00 罗刚-仓储部: 搞定了
""", tmp_path)
    assert r.tasks.iloc[0]["completed"] == pd.Timestamp("2026-05-12 10:00:00")


def test_escalation_to_the_receivers_supervisor_alone_names_the_task_it_speaks_of(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 谢婷-客服部: @徐丽-运营部 接口文档交付版5月12日前交我
2026-05-11 09:05:00 徐丽-运营部: 收到
2026-05-18 09:00:00 谢婷-客服部: @林涛-运营部 林总，接口文档交付版12号就该交，已经逾期了，麻烦协调一下
""", tmp_path)
    assert len(r.tasks) == 1
    assert r.tasks.iloc[0]["escalated"] == pd.Timestamp("2026-05-18 09:00:00")


def test_ones_own_department_named_is_who_does_it_not_whom_it_asks(tmp_path):
    r = audit_chat("2026-05-11 09:00:00 徐丽-运营部: 提醒：本周六晚上运营部做系统切换，请大家周五下班前保存好数据", tmp_path)
    assert "林涛" not in set(r.tasks["receiver"])


def test_a_post_much_like_an_open_task_to_its_receivers_follows_it_up(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 B区报损分析明天下班前交我，原因和改进措施都写上
2026-05-11 09:05:00 罗刚-仓储部: 收到
2026-05-12 10:00:00 林涛-运营部: @罗刚-仓储部 B区报损分析明天下班前要交哈，改进措施写具体点
""", tmp_path)
    assert len(r.tasks) == 1
    kinds = dict(zip(r.messages["content"].str[-6:], r.messages["kind"]))
    assert kinds["措施写具体点"] == "reminder"


def test_a_long_confirmation_about_something_else_does_not_complete_an_unreported_task(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 B区货架标签5月12日前换完
2026-05-11 09:05:00 罗刚-仓储部: 收到
2026-05-20 10:00:00 林涛-运营部: 客户那边的对账单金额核对无误，已经确认，下周开票
""", tmp_path)
    assert pd.isna(r.tasks.iloc[0]["completed"]) and pd.isna(r.tasks.iloc[0]["verified"])


def test_a_long_report_sharing_no_word_with_any_open_task_is_not_guessed_onto_the_oldest(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 B区货架标签5月13日前换完
2026-05-11 09:01:00 林涛-运营部: @罗刚-仓储部 叉车年检5月14日前约好
2026-05-11 09:05:00 罗刚-仓储部: 收到
2026-05-12 10:00:00 罗刚-仓储部: 夜班那边的交接表格昨天晚上已提交人事部门了
2026-05-12 11:00:00 罗刚-仓储部: 搞定了
""", tmp_path)
    done = r.tasks.dropna(subset=["completed"])
    assert list(done["completed"]) == [pd.Timestamp("2026-05-12 11:00:00")]
    assert "按最早未完成任务归属" in r.tasks.loc[done.index[0], "review_reason"]


def test_an_answer_to_an_admins_warning_does_not_carry_the_off_topic_thread_on(tmp_path):
    r = audit_chat("""
2026-05-11 12:00:00 徐丽-运营部: 今晚有没有人拼奶茶，满30减5
2026-05-11 12:01:00 何敏-行政部: 工作群别拼单哈，奶茶去小群拼
2026-05-11 12:02:00 徐丽-运营部: 好嘞
2026-05-11 12:03:00 徐丽-运营部: 不好意思，手滑了
""", tmp_path)
    kinds = dict(zip(r.messages["content"], r.messages["kind"]))
    assert kinds["好嘞"] != "off_topic" and kinds["不好意思，手滑了"] != "off_topic"
    assert ("徐丽", "off_topic_after_warning", 1) not in events_of(r)


@pytest.mark.parametrize("text", ["凸轮装上了，还在调刀库，明天弄完", "资料都交给冯雪了，3月28到今天的都补齐了",
                                  "谁有空帮忙把测试环境的SSL证书续一下？下午演示要用"])
def test_a_report_or_a_question_naming_no_one_is_nobodys_task(tmp_path, text):
    r = audit_chat(f"2026-05-11 09:00:00 罗刚-仓储部: {text}", tmp_path)
    assert r.tasks.empty and events_of(r) == []


@pytest.mark.parametrize("answer", ["库里就6支，先发过去，差的我找采购",     # its first words after the task
                                    "B区货架的螺丝我去找一下"])            # words of the task
def test_words_without_an_acknowledgement_answer_a_task_just_given(tmp_path, answer):
    r = audit_chat(f"""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 B区货架今天给配齐，别耽误上架
2026-05-11 09:20:00 罗刚-仓储部: {answer}
""", tmp_path)
    assert r.tasks.iloc[0]["replied"] == pd.Timestamp("2026-05-11 09:20:00")
    assert ("罗刚", "reply_missed", 1) not in events_of(r)


def test_untagged_words_long_after_a_task_or_about_another_role_answer_nothing(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 B区货架今天给配齐，别耽误上架
2026-05-11 09:10:00 谢婷-客服部: @罗刚-仓储部 退货单已提交
2026-05-11 09:20:00 罗刚-仓储部: 退货单拿到了，确认
2026-05-11 13:00:00 罗刚-仓储部: 月台就开两个口，师傅们排下队
""", tmp_path)
    assert pd.isna(r.tasks.set_index("poster").loc["林涛", "replied"])
    assert ("罗刚", "reply_missed", 1) in events_of(r)


def test_a_report_naming_none_of_its_words_goes_on_about_the_task_just_spoken_of(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @韩冰-IT部 3号机又报主轴过载，停了，请过来看一下
2026-05-11 09:02:00 韩冰-IT部: 马上过去
2026-05-11 10:40:00 韩冰-IT部: 冷却泵滤网堵死了，清完了，现在能用了
""", tmp_path)
    assert r.tasks.iloc[0]["completed"] == pd.Timestamp("2026-05-11 10:40:00")


def test_something_arrived_while_the_work_goes_on_completes_nothing(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @韩冰-IT部 4号机换刀臂今天修好
2026-05-11 09:02:00 韩冰-IT部: 收到
2026-05-11 15:00:00 韩冰-IT部: 厂家工程师到了，在调刀库
""", tmp_path)
    assert pd.isna(r.tasks.iloc[0]["completed"])


def test_a_department_as_display_names_show_it_is_asked_for_its_head(tmp_path):
    r = audit_chat("""
2026-05-11 08:00:00 韩冰-数字化中心: 早上系统升级完了
2026-05-11 09:00:00 罗刚-仓储部: 3号库手持终端扫码没反应，请数字化中心今天内修好
""", tmp_path)
    assert list(r.tasks["receiver"]) == ["韩冰"]      # the roster calls 韩冰's department IT部


def test_a_bare_acknowledgement_from_the_poster_verifies_nothing_a_check_and_its_result_does(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 手持终端今天修好
2026-05-11 09:05:00 罗刚-仓储部: 收到
2026-05-11 11:00:00 罗刚-仓储部: 扫描头重新装好了
2026-05-11 11:10:00 林涛-运营部: OK
2026-05-11 11:30:00 林涛-运营部: 试了，能扫了
""", tmp_path)
    kinds = dict(zip(r.messages["content"], r.messages["kind"]))
    assert kinds["OK"] != "verification"
    assert kinds["试了，能扫了"] == "verification"


@pytest.mark.parametrize("check", ["试了一下 不卡了👍", "两份说明都看了，可以，今天跟检查组反馈"])
def test_a_check_and_its_outcome_verify_even_beside_the_posters_own_plans(tmp_path, check):
    r = audit_chat(f"""
2026-05-11 09:00:00 林涛-运营部: @韩冰-IT部 打单电脑一直卡纸，今天修好
2026-05-11 09:05:00 韩冰-IT部: 收到
2026-05-11 09:10:00 高峰-财务部: @林涛-运营部 两份说明明天前看一下
2026-05-11 11:00:00 韩冰-IT部: 换了搓纸轮，修好了
2026-05-11 11:30:00 林涛-运营部: {check}
""", tmp_path)
    kinds = dict(zip(r.messages["content"], r.messages["kind"]))
    assert kinds[check] == "verification"


def test_a_short_department_name_opening_a_message_before_a_date_is_asked(tmp_path):
    r = audit_chat("2026-05-11 09:00:00 林涛-运营部: 仓库5月15日前把挡着灭火器的货挪开", tmp_path)
    assert list(r.tasks["receiver"]) == ["罗刚"]


def test_a_clause_asking_someone_by_name_names_the_receiver(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: 上午审厂还算顺利，客户提了3个小问题，徐丽整理一下发群里
2026-05-11 09:30:00 林涛-运营部: 大家辛苦，徐丽今天下午请假
""", tmp_path)
    assert list(r.tasks["receiver"]) == ["徐丽"]
    assert FORMAT_ELEMENT["receiver"] not in r.tasks.iloc[0]["format_missing"]


def test_a_question_asked_of_someone_by_surname_and_title_is_a_task(tmp_path):
    r = audit_chat("""
2026-05-11 08:00:00 林涛-运营部: @罗刚-仓储部 A区货架今天整改完
2026-05-11 08:45:00 林涛-运营部: 韩工，打单电脑的驱动上午能装好吗？仓库等着打单
""", tmp_path)
    asked = r.tasks[r.tasks["receiver"] == "韩冰"]
    assert len(asked) == 1       # not a reminder of 罗刚's task, though both are of the 仓库
    assert asked.iloc[0]["deadline"] == pd.Timestamp("2026-05-11 12:00:00")


def test_a_question_then_its_reason_follows_up_on_the_task_of_the_one_addressed(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 A区货架今天整改完
2026-05-11 09:05:00 罗刚-仓储部: 收到
2026-05-12 08:30:00 林涛-运营部: 罗主管，A区货架的整改今天能弄完吗？期限昨天就到了
""", tmp_path)
    assert len(r.tasks) == 1
    assert dict(zip(r.messages["content"], r.messages["kind"]))["罗主管，A区货架的整改今天能弄完吗？期限昨天就到了"] \
        == "reminder"


def test_a_report_that_then_asks_someone_by_name_hands_out_work_without_a_deadline(tmp_path):
    # at 12:30 the morning is past: 上午 tells when the audit was, no deadline tomorrow morning
    r = audit_chat("2026-05-11 12:30:00 林涛-运营部: 上午审厂还算顺利，客户提了3个小问题，徐丽整理一下发群里",
                   tmp_path)
    assert list(r.tasks["receiver"]) == ["徐丽"]
    assert pd.isna(r.tasks.iloc[0]["deadline"])
    assert FORMAT_ELEMENT["deadline"] in r.tasks.iloc[0]["format_missing"]


def test_departments_opening_a_sentence_are_asked_even_when_display_names_call_one_otherwise(tmp_path):
    roster = ROSTER.replace("  - {name: 韩冰, dept: IT部", "  - {name: 赵建, dept: 运输调度部, role: head, supervisor: 马骏}\n"
                            "  - {name: 韩冰, dept: IT部").replace("谢婷, 韩冰]", "谢婷, 韩冰, 赵建]")
    r = audit_chat("""
2026-05-11 08:00:00 赵建-调度部: 今天的车都排出去了
2026-05-11 10:00:00 林涛-运营部: 订单又送错了！上周也是这条线！调度和仓储今天必须给我个说法
""", tmp_path, roster=roster)
    assert sorted(r.tasks["receiver"]) == ["罗刚", "赵建"]


def test_a_department_by_its_name_and_one_for_short_opening_a_task_are_both_asked(tmp_path):
    roster = ROSTER.replace("  - {name: 韩冰, dept: IT部", "  - {name: 赵建, dept: 运输调度部, role: head, supervisor: 马骏}\n"
                            "  - {name: 韩冰, dept: IT部").replace("谢婷, 韩冰]", "谢婷, 韩冰, 赵建]")
    r = audit_chat("2026-05-11 10:00:00 林涛-运营部: 仓储部、调度：618大促的运力方案这周五前报给我，外协车要提前锁",
                   tmp_path, roster=roster)
    assert sorted(r.tasks["receiver"]) == ["罗刚", "赵建"]


def test_what_one_did_today_and_everything_received_answers_without_a_promise(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 5月盘点表周三下班前交我
2026-05-11 18:42:00 罗刚-仓储部: 今天在供应商那边对账一天，群消息刚看到，盘点表和周三的培训都收到
""", tmp_path)
    task = r.tasks.iloc[0]
    assert task["replied"] == pd.Timestamp("2026-05-11 18:42:00")
    assert task["promised"] == task["deadline"] == pd.Timestamp("2026-05-13 18:00:00")


def test_the_one_a_task_was_reported_to_follows_up_and_is_answered(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 A区货架5月12日前整改完
2026-05-11 09:05:00 罗刚-仓储部: 收到
2026-05-14 10:00:00 林涛-运营部: @马骏 马总，A区货架整改已经逾期2天了，请您协调一下
2026-05-14 11:00:00 马骏: 罗主管抓紧，货架今天给个准话
2026-05-14 13:00:00 罗刚-仓储部: 马总，材料已经在路上了，到了当天就装
""", tmp_path)
    kinds = dict(zip(r.messages["content"], r.messages["kind"]))
    assert kinds["罗主管抓紧，货架今天给个准话"] == "reminder"
    assert len(r.tasks) == 1        # the answer to 马总 hands him no work


def test_departments_spoken_of_and_all_asked_to_look_by_no_time_is_nobodys_task(tmp_path):
    r = audit_chat("2026-05-11 08:30:00 林涛-运营部: 4月数据出来了，还行。仓储部和客服部差错率偏高，目标是1%以内，大家先看下表",
                   tmp_path)
    assert r.tasks.empty


def test_a_post_to_the_same_receivers_by_the_same_time_about_the_same_work_follows_it_up(tmp_path):
    r = audit_chat("""
2026-05-11 08:40:00 林涛-运营部: @罗刚-仓储部 @谢婷-客服部 两边把4月差错明细和原因分析整理一份，周三下班前发我
2026-05-11 08:45:00 罗刚-仓储部: 收到
2026-05-11 08:46:00 谢婷-客服部: 收到
2026-05-12 12:30:00 林涛-运营部: @罗刚-仓储部 @谢婷-客服部 差错分析明天下班前要到哈，会上说的几点也写进去
""", tmp_path)
    assert r.tasks["task_id"].nunique() == 1


def test_a_report_naming_the_tickets_number_completes_that_task(tmp_path):
    r = audit_chat("""
2026-05-11 10:30:00 林涛-运营部: @韩冰-IT部 工单#4417 打单系统金额四舍五入不对，今天修一下
2026-05-11 10:33:00 韩冰-IT部: 在看了
2026-05-11 15:10:00 韩冰-IT部: 4417修了，已提测，版本rc2
""", tmp_path)
    assert r.tasks.iloc[0]["completed"] == pd.Timestamp("2026-05-11 15:10:00")


def test_a_report_naming_the_items_code_completes_that_task_among_several(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @韩冰-IT部 接口文档交付版5月15日前交
2026-05-11 09:05:00 韩冰-IT部: 收到
2026-05-11 14:00:00 谢婷-客服部: @韩冰-IT部 P1缺陷还剩7个没关，周三下班前要清零
2026-05-11 14:05:00 韩冰-IT部: 收到
2026-05-12 17:50:00 韩冰-IT部: 7个P1全部修复提测了，状态都改成已解决
""", tmp_path)
    done = r.tasks.set_index("poster")["completed"]
    assert done["谢婷"] == pd.Timestamp("2026-05-12 17:50:00") and pd.isna(done["林涛"])


def test_going_on_with_a_verb_no_list_holds_is_progress_not_a_report(tmp_path):
    r = audit_chat("""
2026-05-11 14:00:00 谢婷-客服部: @韩冰-IT部 P1缺陷还剩7个没关，周三下班前要清零
2026-05-11 14:05:00 韩冰-IT部: 在推了，今天能关4个，剩下3个明天下午
""", tmp_path)
    task = r.tasks.iloc[0]
    assert task["replied"] == pd.Timestamp("2026-05-11 14:05:00") and pd.isna(task["completed"])


def test_a_question_to_a_receiver_follows_up_the_work_it_speaks_of_not_a_later_meeting(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @韩冰-IT部 接口文档交付版5月12日前交
2026-05-11 09:05:00 韩冰-IT部: 收到
2026-05-13 09:00:00 林涛-运营部: @所有人 明天上午10点在3楼会议室开上线评审会，请准时参加
2026-05-13 14:30:00 林涛-运营部: @韩冰-IT部 接口文档交付版12号就该交了，今天能给吗？
""", tmp_path)
    asked = r.messages[r.messages["content"].str.startswith("@韩冰-IT部 接口文档交付版12号")].iloc[0]
    doc = r.tasks[r.tasks["kind"] == "task"].iloc[0]
    assert asked["kind"] == "reminder" and asked["task_id"] == doc["task_id"]


def test_what_was_asked_for_given_as_a_label_and_its_data_completes_the_task(tmp_path):
    r = audit_chat("""
2026-05-11 14:00:00 林涛-运营部: @罗刚-仓储部 @谢婷-客服部 周末值班人员每个部门出2个人，周四中午前报给我
2026-05-11 14:05:00 罗刚-仓储部: 收到
2026-05-11 14:10:00 谢婷-客服部: 好的
2026-05-14 09:50:00 罗刚-仓储部: 仓储值班人员：罗刚、徐丽
2026-05-14 11:00:00 谢婷-客服部: 提醒：周四下午停电，客服电话转手机
""", tmp_path)
    done = r.tasks.set_index("receiver")["completed"]
    assert done["罗刚"] == pd.Timestamp("2026-05-14 09:50:00")
    assert pd.isna(done["谢婷"])        # a label and words of something else report nothing


def test_a_report_whose_clause_ends_in_a_link_is_a_report(tmp_path):
    r = audit_chat("""
2026-05-11 14:00:00 林涛-运营部: @韩冰-IT部 排班页的拖拽交互，周五前出个能体验的版本
2026-05-11 14:02:00 韩冰-IT部: 好滴
2026-05-13 18:30:00 韩冰-IT部: @林涛-运营部 拖拽的版本上test了 https://test.example.com/schedule ，拖完自动保存
""", tmp_path)
    assert r.tasks.iloc[0]["completed"] == pd.Timestamp("2026-05-13 18:30:00")


def test_a_name_and_a_day_with_no_work_asked_is_no_task(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: 徐丽，明天下午的盘点改到周三了
2026-05-11 09:10:00 林涛-运营部: 徐丽，盘点表周三前交我
""", tmp_path)
    assert list(r.tasks["text"]) == ["徐丽，盘点表周三前交我"]


def test_the_data_asked_for_alone_is_a_completion_report_for_review(tmp_path):
    r = audit_chat("""
2026-05-11 14:00:00 林涛-运营部: @罗刚-仓储部 明天早上7点要两台车到嘉定仓，车牌和司机电话今晚8点前报给我
2026-05-11 14:20:00 罗刚-仓储部: 收到 马上排
2026-05-11 19:33:00 罗刚-仓储部: 沪D7K251 刘二虎 13817760924
""", tmp_path)
    task = r.tasks.iloc[0]
    assert task["completed"] == pd.Timestamp("2026-05-11 19:33:00")
    assert task["confidence"] < 0.75 and REASON["completion.data"] in task["review_reason"]


@pytest.mark.parametrize("report, task, shared", [
    ("6S都弄好了，周总有空下来看看", "现场6S你牵头抓，周二下班前我来看", True),
    ("1032修了，已提测", "BUG#1032 金额四舍五入不对", True),
    ("2026年的计划发了", "2026年预算表周五前交", False),      # a year names nothing
    ("618的活动方案好了", "618投诉件月底前闭环", False),        # three digits: too common to tie
])
def test_ids_tie_a_message_to_its_work_years_and_short_numbers_do_not(report, task, shared):
    from wgm import roles
    assert bool({w for w in roles._topic(report, frozenset()) & roles._topic(task, frozenset()) if w.startswith("#")}) \
        == shared


def test_a_task_posted_again_word_for_word_is_a_repost_even_with_a_reminder_word(tmp_path):
    post = "@罗刚-仓储部 A区灭火器的年检到期了，请仓储部6月30日前送检"
    r = audit_chat(f"""
2026-06-10 09:00:00 林涛-运营部: {post}
2026-06-10 09:30:00 罗刚-仓储部: 收到
2026-06-11 09:00:00 林涛-运营部: {post}
""", tmp_path)
    assert list(r.messages["kind"]) == ["task", "reply", "repost"]


def test_a_notice_to_all_before_someone_joined_did_not_reach_them(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @所有人 今天下班前都把考勤规则打开看一下
2026-05-12 08:00:00 系统: 何敏邀请"韩冰-IT部"加入了群聊
2026-05-12 09:00:00 林涛-运营部: @所有人 明天下班前把工位清理一下
""", tmp_path)
    first = r.tasks[r.tasks["text"].str.contains("考勤")]
    second = r.tasks[r.tasks["text"].str.contains("工位")]
    assert "韩冰" not in set(first["receiver"]) and "韩冰" in set(second["receiver"])


def test_ok_and_attending_answers_the_meeting_not_the_posters_own_task(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 谢婷-客服部: @韩冰-IT部 客服系统导出今天修好
2026-05-11 11:00:00 韩冰-IT部: 修好了
2026-05-11 12:00:00 林涛-运营部: @所有人 明天上午10点开上线评审会，请回复是否参加
2026-05-11 22:05:00 谢婷-客服部: ok 我参加
""", tmp_path)
    kinds = dict(zip(r.messages["content"], r.messages["kind"]))
    assert kinds["ok 我参加"] == "reply"


@pytest.mark.parametrize("post, says_what", [
    ("@韩冰-IT部 你上周说的那件事，周五前落实一下", False),
    ("@韩冰-IT部 韩工，这个今天下班前能来看看吗", False),
    ("@韩冰-IT部 这个报表打不开，今天下班前修好", True),
])
def test_a_post_that_only_points_at_something_does_not_say_what_is_to_be_done(tmp_path, post, says_what):
    r = audit_chat(f"2026-05-11 10:00:00 林涛-运营部: {post}", tmp_path)
    assert (FORMAT_ELEMENT["content"] not in r.tasks.iloc[0]["format_missing"]) == says_what


def test_quoting_the_task_to_confirm_it_leaves_a_receiver_who_never_answered_to_answer(tmp_path):
    task = "@罗刚-仓储部 @谢婷-客服部 明天上午安排2台车值班，车牌和司机今晚报我"
    r = audit_chat(f"""
2026-06-18 21:30:00 林涛-运营部: {task}
2026-06-18 21:40:00 罗刚-仓储部: 收到
2026-06-18 21:50:00 罗刚-仓储部: 值班车：沪D7K251 刘二虎
2026-06-18 21:55:00 林涛-运营部> 林涛-运营部: {task} :: 好，确认
2026-06-19 10:00:00 谢婷-客服部: 收到
""", tmp_path)
    xie = r.tasks.set_index("receiver").loc["谢婷"]
    assert xie["replied"] == pd.Timestamp("2026-06-19 10:00:00")
    assert {e.rule for e in r.events.itertuples() if e.member == "谢婷"} == {"reply_late"}


def test_chatter_after_a_warning_and_a_red_packet_with_words_are_off_topic(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 韩冰-IT部: @谢婷-客服部 客服系统导出今天修好
2026-05-11 11:00:00 谢婷-客服部: 奶茶拼单吗
2026-05-11 11:05:00 何敏-行政部: @谢婷-客服部 工作群别拼单
2026-05-12 11:30:00 谢婷-客服部: 今天中午食堂又是土豆丝，吃吐了
2026-05-12 12:00:00 韩冰-IT部: [红包] 导出修好了，请大家喝奶茶
""", tmp_path)
    kinds = dict(zip(r.messages["content"], r.messages["kind"]))
    assert kinds["今天中午食堂又是土豆丝，吃吐了"] == kinds["[红包] 导出修好了，请大家喝奶茶"] == "off_topic"
    assert [e.member for e in r.events.itertuples() if e.rule == "off_topic_after_warning"] == ["谢婷"]


@pytest.mark.parametrize("notice", [
    "@所有人 下周一起食堂早餐时间调整为7:30-8:30",
    "@所有人 本周五下午公司组织体检，具体名单见附件",
])
def test_a_time_told_to_everyone_asks_nothing_of_them(tmp_path, notice):
    r = audit_chat(f"2026-05-11 10:00:00 林涛-运营部: {notice}", tmp_path)
    assert r.tasks.empty and events_of(r) == []


@pytest.mark.parametrize("post, is_task", [
    ("@高峰-财务部 报销单我下午送过去", False),
    ("@罗刚-仓储部 好的，明天我跟你一起去看", False),
    ("@罗刚-仓储部 盘点表我下午要用，上午发我", True),
    ("@罗刚-仓储部 明天我要看到盘点表", True),
])
def test_the_senders_own_time_told_to_someone_hands_them_no_work(tmp_path, post, is_task):
    r = audit_chat(f"2026-05-11 10:00:00 林涛-运营部: {post}", tmp_path)
    assert (not r.tasks.empty) == is_task


@pytest.mark.parametrize("post, is_task", [
    ("仓储部的台账在整理", False),
    ("仓储部正在统计5月的出库量，今天下班前出", False),
    ("请仓储部在整理的台账今天下班前报我", True),
])
def test_how_a_departments_work_stands_asks_nothing(tmp_path, post, is_task):
    r = audit_chat(f"2026-05-11 10:00:00 林涛-运营部: {post}", tmp_path)
    assert (not r.tasks.empty) == is_task


@pytest.mark.parametrize("ack", ["可以的", "好的好的", "[OK]", "okk"])
def test_everyday_acknowledgements_answer_a_task(tmp_path, ack):
    r = audit_chat(f"""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于5月13日前完成A区库存盘点
2026-05-11 10:05:00 罗刚-仓储部: {ack}
""", tmp_path)
    assert r.tasks.iloc[0]["replied"] == pd.Timestamp("2026-05-11 10:05:00")


def test_a_summons_to_talk_at_a_time_is_a_meeting(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 @高峰-财务部 下午两点来我办公室碰一下季度预算
2026-05-11 10:05:00 罗刚-仓储部: 好的
""", tmp_path)
    assert events_of(r) == [("高峰", "meeting_reply_missed", 1)]


@pytest.mark.parametrize("text, rude", [
    ("@罗刚-仓储部 你长没长脑子", True), ("@罗刚-仓储部 智商堪忧", True), ("@罗刚-仓储部 你是干什么吃的，这都能搞错", True),
    ("@罗刚-仓储部 眼睛长哪去了，货都放错了", True), ("这个月又交智商税了，买了个没用的", False),
    ("我今天脑子有点懵，算错了", False), ("垃圾清运车明天八点到", False), ("主卧两个USB插座装好了", False),
    ("@罗刚-仓储部 你SB吧", True),
])
def test_attacks_on_someones_wits_without_a_swear_word(tmp_path, text, rude):
    r = audit_chat(f"2026-05-11 10:00:00 林涛-运营部: {text}", tmp_path)
    assert ("incivility" in set(r.events["rule"])) == rude


def test_a_receivers_counter_offer_to_the_poster_is_an_answer_not_a_task(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 周三前把A区盘点做完
2026-05-11 09:10:00 罗刚-仓储部: @林涛-运营部 林总，人手紧，周四上午给您行吗
2026-05-14 11:00:00 罗刚-仓储部: A区盘点完成，表已发
2026-05-14 11:10:00 林涛-运营部: 核对无误
""", tmp_path)
    assert len(r.tasks) == 1 and events_of(r) == []
    assert r.tasks.iloc[0]["promised"] == pd.Timestamp("2026-05-14 12:00:00")


def test_a_report_naming_its_senders_department_goes_to_the_task_it_speaks_of(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: 仓储部这边麻烦5月18号前把北区货架加固一下
2026-05-12 09:00:00 何敏-行政部: @罗刚-仓储部 @谢婷-客服部 各部门4月考勤表请在5月13日中午12点前交行政部
2026-05-12 09:05:00 罗刚-仓储部: 收到
2026-05-12 09:06:00 谢婷-客服部: 收到
2026-05-13 10:00:00 罗刚-仓储部: 仓储部考勤表交了，何敏查收
""", tmp_path)
    done = r.tasks.dropna(subset=["completed"])
    assert list(done["receiver"]) == ["罗刚"] and "考勤表" in done.iloc[0]["text"]


@pytest.mark.parametrize("report", ["人脸识别的摄像头换好了", "门口四个货架都擦了", "不锈钢货架已经装了"])
def test_work_reported_done_in_everyday_words(tmp_path, report):
    r = audit_chat(f"""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 仓库门口的摄像头和货架标签明天下班前弄好
2026-05-11 09:05:00 罗刚-仓储部: 收到
2026-05-12 15:00:00 罗刚-仓储部: {report}
""", tmp_path)
    assert r.tasks.iloc[0]["completed"] == pd.Timestamp("2026-05-12 15:00:00")


def test_a_call_for_everyone_to_attend_is_a_meeting_notice(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @所有人 5月16日（周六）上午9:00在中心广场搞消防演练，除值班岗外全员参加，请各位回复
2026-05-11 09:10:00 罗刚-仓储部: 1
""", tmp_path)
    assert set(r.tasks["kind"]) == {"meeting"}
    assert ("罗刚", "meeting_reply_missed", 1) not in events_of(r)
    assert ("高峰", "meeting_reply_missed", 1) in events_of(r)


@pytest.mark.parametrize("post", ["今天工单：报修14条，完成12条，剩2条明天上门（11栋门禁、3栋楼道灯）",
                                  "夜岗排班我这周重新弄一下，下周一前搞定"])
def test_a_count_of_work_done_or_ones_own_plan_is_no_task(tmp_path, post):
    r = audit_chat(f"2026-05-11 18:00:00 罗刚-仓储部: {post}", tmp_path)
    assert r.tasks.empty


@pytest.mark.parametrize("text", ["你懂个啥，一天到晚坐办公室挑刺", "你们工程部是摆设吧，坏两天了都没人管", "一天天光拿工资不干活"])
def test_contempt_without_a_swear_word_is_uncivil(tmp_path, text):
    r = audit_chat(f"2026-05-11 10:00:00 林涛-运营部: {text}", tmp_path)
    assert "incivility" in set(r.events["rule"])


@pytest.mark.parametrize("report", ["【文件】A区库存盘点表.xlsx", "盘点表 [文件] 5月A区库存盘点.xlsx"])
def test_the_file_asked_for_is_its_delivery_for_review(tmp_path, report):
    frame_text = f"""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于5月13日前完成A区库存盘点，盘点表发群里
2026-05-11 10:05:00 罗刚-仓储部: 收到
2026-05-12 15:00:00 罗刚-仓储部: {report}
"""
    r = audit_chat(frame_text, tmp_path)
    duty = r.tasks.iloc[0]
    assert duty["completed"] == pd.Timestamp("2026-05-12 15:00:00") and "文件" in duty["review_reason"]
    assert r.events.set_index("rule").loc["verification_missing", "needs_review"]


def test_a_file_about_something_else_reports_nothing(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于5月13日前完成A区库存盘点
2026-05-11 10:05:00 罗刚-仓储部: 收到
2026-05-12 15:00:00 罗刚-仓储部: 【文件】叉车保养手册.pdf
""", tmp_path)
    assert pd.isna(r.tasks.iloc[0]["completed"])


def test_the_poster_checking_everyones_numbers_verifies_them(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 @徐丽-运营部 周五下班前在群里报本周出库量
2026-05-11 10:05:00 罗刚-仓储部: 收到
2026-05-11 10:06:00 徐丽-运营部: 收到
2026-05-15 16:00:00 罗刚-仓储部: 本周出库量已报，1200件
2026-05-15 16:10:00 徐丽-运营部: 本周出库量已报，980件
2026-05-15 17:00:00 林涛-运营部: 两位的数我在系统里都核了，罗刚1200、徐丽980，没问题
""", tmp_path)
    assert r.tasks["verified"].notna().all() and events_of(r) == []


def test_a_meeting_notice_calling_a_supervisor_escalates_nothing(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 请于5月13日前完成A区库存盘点
2026-05-11 09:10:00 罗刚-仓储部: 收到
2026-05-18 09:00:00 林涛-运营部: 【会议通知】库存复盘会 时间：5月19日14:00 地点：3楼大会议室 参会：@罗刚-仓储部 @马骏-总经办
2026-05-18 09:10:00 罗刚-仓储部: 参加
2026-05-18 09:20:00 马骏-总经办: 参加
2026-05-25 10:00:00 罗刚-仓储部: A区盘点完成了，表已发群里
2026-05-25 10:10:00 林涛-运营部: 核对无误
""", tmp_path)
    assert r.tasks["escalated"].isna().all()
    assert ("罗刚", "delay_days", 3) in events_of(r)       # capped: never escalated


@pytest.mark.parametrize("text, warns", [
    ("今晚8点开卖，7点前把所有链接的价格再核一遍，特别是满300减50的", False),
    ("达人那边要样品，餐边柜发5套到杭州，地址我私发你", False),
    ("8月群考核公示，明细在表里，有异议的这周内私聊我", False),
    ("这种链接别往群里发", True), ("吃饭的事私聊", True), ("请勿在群里发红包", True),
])
def test_an_admins_prohibition_must_say_what_of_in_one_clause(tmp_path, text, warns):
    r = audit_chat(f"""
2026-05-11 09:00:00 谢婷-客服部: 奶茶拼单吗
2026-05-11 09:05:00 何敏-行政部: @谢婷-客服部 {text}
""", tmp_path)
    assert (r.messages.iloc[1]["kind"] == "warning") == warns


def test_going_over_something_once_more_is_work_asked(tmp_path):
    r = audit_chat("2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 开卖前所有货位再核一遍", tmp_path)
    assert list(r.tasks["kind"]) == ["task"]


@pytest.mark.parametrize("text, off_topic", [
    ("外卖平台今天的差评我都回了，一共12条", False),            # a restaurant's own work: a figure of work
    ("@罗刚-仓储部 直播间的库存数今晚前核一下", False),          # a mention and a task
    ("618预售的页面我改好了", False),                          # a report of work done
    ("中午点外卖吗", True), ("楼下新开的火锅店不错", True),
    ("[链接] 京东618预售，满300减50", True),                    # shopping's figures are no sign of work
    ("[链接] 黑五海淘攻略，有需要的看看", True), ("谁有京东plus会员 借我下个单😂", True),
    ("天猫店的详情页我改好了", False),
    ("有人知道今天哪个快递还收件吗？我寄个私人东西", True), ("半决赛你们押谁？我押阿根廷", True),
])
def test_a_trades_own_words_are_off_topic_only_without_signs_of_work(tmp_path, text, off_topic):
    r = audit_chat(f"2026-05-11 10:00:00 谢婷-客服部: {text}", tmp_path)
    assert (r.messages.iloc[0]["kind"] == "off_topic") == off_topic


@pytest.mark.parametrize("notice", [
    "@林涛-运营部 @罗刚-仓储部 @马骏-总经办 明天上午9点半小会议室，马总听上半年工作汇报，每个部门10分钟，请准时",
    "@林涛-运营部 @罗刚-仓储部 @马骏-总经办 5月13日（周三）上午9点，仓库后场做消防+叉车应急演练，参加的回复一下",
])
def test_a_meeting_told_by_its_room_or_as_a_drill_is_a_meeting_notice(tmp_path, notice):
    r = audit_chat(f"""
2026-05-12 09:00:00 何敏-行政部: {notice}
2026-05-12 09:05:00 林涛-运营部: 参加
2026-05-12 09:06:00 罗刚-仓储部: 收到
2026-05-12 09:07:00 马骏-总经办: 收到
""", tmp_path)
    assert list(r.messages["kind"]) == ["meeting", "reply", "reply", "reply"]
    assert set(r.tasks["kind"]) == {"meeting"} and r.tasks["escalated"].isna().all()


@pytest.mark.parametrize("text", ["@罗刚-仓储部 检查组要5月的出库登记，10点45之前送到二楼会议室",
                                  "@韩冰-IT部 系统迁移演练，周四晚上在预发跑一遍"])     # a drill is work to do
def test_work_brought_to_a_meeting_room_or_a_drill_is_a_task(tmp_path, text):
    r = audit_chat(f"2026-05-12 10:30:00 林涛-运营部: {text}", tmp_path)
    assert list(r.tasks["kind"]) == ["task"]


def test_an_attendee_answers_a_meeting_in_their_own_words(tmp_path):
    r = audit_chat("""
2026-05-12 09:00:00 何敏-行政部: @所有人 今天下午5点半三楼会议室开经营分析会，请回复参会
2026-05-12 09:20:00 林涛-运营部: 上午在客户那谈合同，5点前赶回来
2026-05-12 10:06:00 罗刚-仓储部: 下午的会我来主持，5点半准时开始
2026-05-12 17:40:00 韩冰-IT部: 不好意思刚忙完，进会了
2026-05-12 18:10:00 高峰-财务部: 刚从客户那回来，会是不是已经开完了😂
2026-05-13 08:50:00 徐丽-运营部: 昨天在仓库盘点没看到通知，纪要我看了
2026-05-16 10:00:00 谢婷-客服部: 样品到了
""", tmp_path)
    kinds = dict(zip(r.messages["content"], r.messages["kind"]))
    meeting = r.tasks.set_index("receiver")
    for member in ("林涛", "罗刚", "韩冰", "徐丽", "高峰"):
        assert pd.notna(meeting.loc[member, "replied"]), member
    assert kinds["样品到了"] == "chat" and pd.isna(meeting.loc["谢婷", "replied"])     # days after the meeting
    assert pd.isna(meeting.loc["林涛", "promised"])           # 5点前 is when one comes, no promise of work


@pytest.mark.parametrize("answer, verified", [
    ("我下午又复查了一遍，确认没问题", True), ("确认没毛病", True),
    ("我这边确认没收到", False),                                        # no confirmation: nothing came
])
def test_confirming_there_is_no_problem_verifies(tmp_path, answer, verified):
    r = audit_chat(f"""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 请于5月13日前完成A区库存盘点
2026-05-11 09:10:00 罗刚-仓储部: 收到
2026-05-12 16:00:00 罗刚-仓储部: A区盘点完成了，表已发您邮箱
2026-05-12 17:00:00 林涛-运营部: {answer}
""", tmp_path)
    assert r.tasks["verified"].notna().all() == verified


@pytest.mark.parametrize("answer, completed", [
    ("收到，名单已经下载了", False),          # the first answer, telling a step: a reply
    ("好的 已经打给物业了", False),
    ("收到，已完成", True),                  # …unless it says the whole is done
    ("名单已经下载了，表也发您邮箱了", True),   # no acknowledgement first: a report
])
def test_an_acknowledgement_first_telling_a_step_is_the_reply_not_the_completion(tmp_path, answer, completed):
    r = audit_chat(f"""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 可疑交易名单已发你邮箱，请于5月13日前完成甄别，甄别表报我
2026-05-12 09:10:00 罗刚-仓储部: {answer}
""", tmp_path)
    duty = r.tasks.iloc[0]
    assert pd.notna(duty["replied"]) and pd.notna(duty["completed"]) == completed


def test_a_plain_acknowledgement_days_after_a_meeting_answers_the_new_task_not_the_meeting(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 何敏-行政部: @所有人 今天下午5点半三楼会议室开经营分析会，请回复参会
2026-05-14 15:30:00 林涛-运营部: @罗刚-仓储部 监控室的录像机一直报警，明天下班前联系维修
2026-05-14 15:45:00 罗刚-仓储部: 收到
""", tmp_path)
    tasks = r.tasks.set_index(["kind", "receiver"])
    assert pd.isna(tasks.loc[("meeting", "罗刚"), "replied"])
    assert tasks.loc[("task", "罗刚"), "replied"] == pd.Timestamp("2026-05-14 15:45:00")


@pytest.mark.parametrize("answer", ["收到，已经打了，厂家说10点半到", "好的，采购说下周一到"])
def test_a_time_someone_else_said_is_no_promise(tmp_path, answer):
    r = audit_chat(f"""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 ATM吞卡了，今天联系厂家处理
2026-05-11 09:10:00 罗刚-仓储部: {answer}
""", tmp_path)
    duty = r.tasks.iloc[0]
    assert pd.notna(duty["replied"]) and duty["promised"] == duty["deadline"]     # no time of his: PT = D


def test_a_check_that_finds_the_work_closed_verifies(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 12345转来的投诉工单今天处理掉
2026-05-11 09:10:00 罗刚-仓储部: 收到
2026-05-11 15:00:00 罗刚-仓储部: 处理好了，已经回复市民
2026-05-11 16:30:00 林涛-运营部: 我跟12345那边核实了，工单已办结
""", tmp_path)
    assert r.tasks.iloc[0]["verified"] == pd.Timestamp("2026-05-11 16:30:00")


def test_what_is_ready_and_when_the_work_then_can_be_done_is_a_promise(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 鑫源贸易的户今天能开出来吗？客户下午要用
2026-05-11 09:05:00 罗刚-仓储部: 资料齐了，上午就能开出来
2026-05-11 11:00:00 罗刚-仓储部: 鑫源贸易账户已开立，U盾和回单卡交给贺明轩了
""", tmp_path)
    duty = r.tasks.iloc[0]
    assert duty["promised"] == pd.Timestamp("2026-05-11 12:00:00")
    assert duty["completed"] == pd.Timestamp("2026-05-11 11:00:00")


def test_minutes_of_a_meeting_hand_out_no_work_in_the_group(tmp_path):
    r = audit_chat("""
2026-05-11 19:30:00 何敏-行政部: 今天会议纪要：1.出库量按周通报；2.下周二消防检查，仓储部牵头准备；3.端午值班表下周出。
2026-05-11 19:40:00 何敏-行政部: 会议纪要：@罗刚-仓储部 下周二前把消防检查的材料准备好
""", tmp_path)
    assert list(r.messages["kind"]) == ["chat", "task"]        # …unless it names someone with an @


def test_work_as_usual_confirms_nothing(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 请于5月13日前完成A区库存盘点
2026-05-11 09:10:00 罗刚-仓储部: 收到
2026-05-12 16:00:00 罗刚-仓储部: A区盘点完成了，表已发您邮箱
2026-05-12 17:00:00 林涛-运营部: 消防检查确定是下周二上午，周一正常上班
""", tmp_path)
    assert r.tasks["verified"].isna().all()


def test_the_poster_taking_in_the_outcome_of_the_reported_work_verifies_it(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于5月13日前完成A区库存盘点
2026-05-11 10:05:00 罗刚-仓储部: 收到
2026-05-12 10:30:00 林涛-运营部: @徐丽-运营部 检查组要5月的出库登记，10点45之前送到二楼会议室
2026-05-12 10:31:00 徐丽-运营部: 马上
2026-05-12 10:40:00 徐丽-运营部: 送上去了
2026-05-12 10:50:00 林涛-运营部: 检查组签收了，好
""", tmp_path)
    tasks = r.tasks.set_index("receiver")
    assert tasks.loc["徐丽", "verified"] == pd.Timestamp("2026-05-12 10:50:00")
    assert pd.isna(tasks.loc["罗刚", "verified"]) and pd.isna(tasks.loc["罗刚", "completed"])


@pytest.mark.parametrize("report", [
    "我那笔补登好了 [图片]",
    "盘点报告已放会议室",
    "[文件] A区库存盘点表.xlsx 林总请过目",
])
def test_reports_as_people_word_them_complete_the_work(tmp_path, report):
    r = audit_chat(f"""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 A区库存盘点和登记明天中午前弄完，报告放会议室
2026-05-11 09:10:00 罗刚-仓储部: 收到
2026-05-12 10:00:00 罗刚-仓储部: {report}
""", tmp_path)
    assert r.tasks.iloc[0]["completed"] == pd.Timestamp("2026-05-12 10:00:00")


def test_a_receiver_reporting_their_own_work_does_not_verify_what_they_asked_of_others(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @谢婷-客服部 今晚发不出去的订单，客服明天跟买家沟通好
2026-05-11 09:05:00 谢婷-客服部: 收到
2026-05-11 09:30:00 谢婷-客服部: @韩冰-IT部 客服系统的导出今天修一下
2026-05-11 09:35:00 韩冰-IT部: 收到
2026-05-11 16:00:00 韩冰-IT部: 导出修好了
2026-05-12 21:50:00 谢婷-客服部: 发不出去的47单都跟买家沟通过了，没有投诉
""", tmp_path)
    tasks = r.tasks.set_index("receiver")
    assert tasks.loc["谢婷", "completed"] == pd.Timestamp("2026-05-12 21:50:00")
    assert pd.isna(tasks.loc["韩冰", "verified"])


@pytest.mark.parametrize("post, is_task", [
    ("@罗刚-仓储部 11栋3单元1101报修，厨房水龙头滴水", True),               # a repair dispatched (11 is no 1)
    ("@罗刚-仓储部 达人那边要样品，餐边柜发5套到杭州，地址我私发你", True),    # send five: work asked
    ("仓库这个月被扣了三次分了，@罗刚-仓储部 你们得重视一下", False),        # an exhortation, no deed
    ("今天会上定的几件事我再发一下，各自认领：", False),                    # the heading of a list to come
    ("今晚22:00-24:00生产库打补丁，已经邮件报备，期间查询可能会抖一下", False),  # a notice of one's own work
    ("今天工单：报修14条，完成12条，剩2条明天上门", False),                  # counts of repairs, a status
])
def test_work_dispatched_in_few_words_and_posts_that_ask_for_none(tmp_path, post, is_task):
    r = audit_chat(f"2026-05-11 10:00:00 林涛-运营部: {post}", tmp_path)
    assert (len(r.tasks) > 0) == is_task


def test_the_thing_asked_for_given_under_its_name_is_the_report(tmp_path):
    r = audit_chat("""
2026-05-11 22:40:00 林涛-运营部: @罗刚-仓储部 今天出库超时被罚了两单，明天上午把原因报一下
2026-05-12 10:05:00 罗刚-仓储部: 收到，昨晚太晚今天才看到
2026-05-12 11:30:00 罗刚-仓储部: 原因：周日晚上车辆扎堆，装车口只有一个人，月台堵了。以后周末晚高峰加一个装车员
2026-05-12 12:10:00 林涛-运营部: 明白了，就按这个来，确认
""", tmp_path)
    duty = r.tasks.iloc[0]
    assert duty["completed"] == pd.Timestamp("2026-05-12 11:30:00")
    assert duty["verified"] == pd.Timestamp("2026-05-12 12:10:00")


def test_a_count_so_far_is_progress_and_cleared_work_checked_is_verified(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 双十二的主图5月20日前全部完成
2026-05-11 09:10:00 罗刚-仓储部: 收到
2026-05-13 21:10:00 罗刚-仓储部: [图片] 双十二主图做了6款了
2026-05-16 15:00:00 罗刚-仓储部: 双十二主图都做完了，源文件在共享盘
2026-05-16 17:30:00 林涛-运营部: 后台看了，确实都齐了
""", tmp_path)
    duty = r.tasks.iloc[0]
    assert duty["completed"] == pd.Timestamp("2026-05-16 15:00:00")
    assert duty["verified"] == pd.Timestamp("2026-05-16 17:30:00")


def test_work_cleared_to_nothing_checked_by_the_poster_is_verified(tmp_path):
    r = audit_chat("""
2026-05-11 10:00:00 林涛-运营部: 售后工单积压了300多单，@罗刚-仓储部 这周五前清完
2026-05-11 10:10:00 罗刚-仓储部: 收到
2026-05-14 17:00:00 罗刚-仓储部: 售后工单清零了✌️
2026-05-14 17:30:00 林涛-运营部: 后台看了，确实清零了
""", tmp_path)
    assert r.tasks.iloc[0]["verified"] == pd.Timestamp("2026-05-14 17:30:00")


@pytest.mark.parametrize("question, is_task", [
    ("@罗刚-仓储部 还有3个货位没盘完，明天能按时交表吗？", False),      # asks how planned work stands
    ("@罗刚-仓储部 下周的盘点来得及吗？", False),
    ("@罗刚-仓储部 鑫源贸易的户今天能开出来吗？客户下午要用", True),     # asks for it to be done
    ("@罗刚-仓储部 第一批干货9月20号前要到店，能不能按时到？请下午3点前回复我", True),   # …and an answer by a time
])
def test_a_question_whether_planned_work_is_on_time_hands_out_no_work(tmp_path, question, is_task):
    r = audit_chat(f"2026-05-11 09:30:00 林涛-运营部: {question}", tmp_path)
    assert (len(r.tasks) > 0) == is_task


@pytest.mark.parametrize("report", [
    "[图片][图片] A区留样记录",                   # a photo of what was asked, named by its words
    "[文件] A区留样整改计划.docx",               # a file whose name holds a task word (整改) is still a delivery
])
def test_a_picture_or_file_of_the_work_asked_is_its_report(tmp_path, report):
    r = audit_chat(f"""
2026-05-11 11:00:00 林涛-运营部: @罗刚-仓储部 留样柜有没有按48小时留样，明天把留样记录和整改计划发我
2026-05-11 11:20:00 罗刚-仓储部: A区一直有留样
2026-05-12 11:30:00 罗刚-仓储部: {report}
""", tmp_path)
    duty = r.tasks.iloc[0]
    assert duty["replied"] == pd.Timestamp("2026-05-11 11:20:00")
    assert duty["completed"] == pd.Timestamp("2026-05-12 11:30:00") and "图片" in duty["review_reason"]


def test_the_figure_asked_for_is_the_report(tmp_path):
    r = audit_chat("""
2026-05-11 09:30:00 何敏-行政部: @罗刚-仓储部 @林涛-运营部 暑期工招聘：各部门需要几个暑假工，今天中午12点前报一下人数
2026-05-11 09:50:00 罗刚-仓储部: 仓储4个，搬运和理货
2026-05-11 13:10:00 林涛-运营部: 运营要3个，最好能上晚班的
""", tmp_path)
    tasks = r.tasks.set_index("receiver")
    assert tasks.loc["罗刚", "completed"] == pd.Timestamp("2026-05-11 09:50:00")
    assert tasks.loc["林涛", "completed"] == pd.Timestamp("2026-05-11 13:10:00")


def test_a_receipt_answers_the_new_task_though_it_tells_of_older_work(tmp_path):
    r = audit_chat("""
2026-05-11 16:00:00 林涛-运营部: @罗刚-仓储部 理财双录抽查有3笔不完整，明天之内整改完给我个说法
2026-05-11 16:10:00 罗刚-仓储部: 收到
2026-05-12 08:45:00 何敏-行政部: @罗刚-仓储部 【整改通知】理财双录不完整，请5月18日前完成整改并提交整改报告。收到请今天下午3点前回复
2026-05-12 14:30:00 罗刚-仓储部: 收到，双录上周已经重新录完了
2026-05-13 14:30:00 罗刚-仓储部: 会推迟到3点，我在开支行的会
""", tmp_path)
    tasks = r.tasks.set_index("poster")
    assert tasks.loc["何敏", "replied"] == pd.Timestamp("2026-05-12 14:30:00")
    assert tasks.loc["何敏", "promised"] == tasks.loc["何敏", "deadline"]      # 3点 is the meeting's, no promise
    assert pd.isna(tasks.loc["林涛", "completed"])


def test_a_check_that_also_reminds_of_something_else_verifies(tmp_path):
    r = audit_chat("""
2026-05-11 09:40:00 何敏-行政部: @所有人 9月起考勤统一改企业微信打卡，请今天下班前都装好
2026-05-12 10:30:00 何敏-行政部: @罗刚-仓储部 两个理货员的健康证快到期了，这周内去复检，新证拍照发我
2026-05-12 10:45:00 罗刚-仓储部: 好的，周四带她们去
2026-05-14 16:05:00 罗刚-仓储部: 两个理货员健康证复检做完了，新证照片私发你了
2026-05-14 17:30:00 何敏-行政部: 两张新证都看了，有效期到明年5月，没问题。另外提醒下，员工请病假要附病历
""", tmp_path)
    duty = r.tasks[(r.tasks["receiver"] == "罗刚") & r.tasks["text"].str.contains("健康证")].iloc[0]
    assert duty["verified"] == pd.Timestamp("2026-05-14 17:30:00")


def test_a_picture_with_words_in_an_export_is_read_for_a_report(tmp_path):
    r = audit_chat("""
2026-05-11 11:00:00 林涛-运营部: @罗刚-仓储部 明天把A区留样记录拍照发我
2026-05-11 11:20:00 罗刚-仓储部: 收到
2026-05-12 09:00:00 罗刚-仓储部: 【图片】 A区留样柜又跳闸了
2026-05-12 11:30:00 罗刚-仓储部: 【图片】 A区留样记录
""", tmp_path)
    assert r.tasks.iloc[0]["completed"] == pd.Timestamp("2026-05-12 11:30:00")     # (the mishap reports none)


def test_a_quote_obtained_and_a_date_the_work_can_be_done_by_is_a_promise(tmp_path):
    r = audit_chat("""
2026-05-21 14:30:00 林涛-运营部: @罗刚-仓储部 仓库要做一次全面消杀，外包单位报价请明天上午10点前报我
2026-05-22 10:40:00 罗刚-仓储部: 林总，报价要到了，2800，28号前能做完
2026-05-27 18:30:00 罗刚-仓储部: 仓库消杀做完了，投放点都贴了标识
""", tmp_path)
    duty = r.tasks.iloc[0]
    assert duty["completed"] == pd.Timestamp("2026-05-27 18:30:00")


def test_a_file_sharing_one_common_word_with_the_work_is_not_its_report(tmp_path):
    r = audit_chat("""
2026-05-11 14:00:00 林涛-运营部: @罗刚-仓储部 上半年客户满意度调查的问卷，5月20日前回收统计好
2026-05-11 14:20:00 罗刚-仓储部: 收到
2026-05-18 09:05:00 罗刚-仓储部: 【文件】客户投诉台账（5.11-5.17）.xlsx
2026-05-19 16:00:00 罗刚-仓储部: 【文件】满意度问卷回收统计.xlsx
""", tmp_path)
    assert r.tasks.iloc[0]["completed"] == pd.Timestamp("2026-05-19 16:00:00")


def test_where_one_is_today_answers_no_task(tmp_path):
    r = audit_chat("""
2026-05-08 14:10:00 徐丽-运营部: @罗刚-仓储部 3栋1单元楼道灯不亮，明天找人看一下
2026-05-08 17:30:00 罗刚-仓储部: 仓储部今天全员在7栋配合厂家做叉车保养，有急事打我电话
2026-05-09 08:10:00 罗刚-仓储部: 收到，今天让小王去
""", tmp_path)
    assert r.tasks.iloc[0]["replied"] == pd.Timestamp("2026-05-09 08:10:00")


def test_work_to_be_made_good_by_a_time_naming_nobody_is_a_task_lacking_its_receiver(tmp_path):
    r = audit_chat("2026-05-14 09:00:00 林涛-运营部: 下周一区域来检查，各个库房的卫生这周内要搞好", tmp_path)
    assert list(r.tasks["kind"]) == ["task"]
    assert [e.rule for e in r.events.itertuples() if e.rule == "format"] == ["format"]


def test_a_yes_with_a_time_to_an_unanswered_task_is_its_promise_not_a_verification(tmp_path):
    r = audit_chat("""
2026-05-09 09:00:00 林涛-运营部: @罗刚-仓储部 直播间的样品今天下午发出去
2026-05-09 09:05:00 罗刚-仓储部: 收到
2026-05-09 12:00:00 罗刚-仓储部: 样品发出去了
2026-05-09 14:00:00 韩冰-IT部: @林涛-运营部 10号晚上8点开卖前，直通车的预算要再加20万，要你签字，请今天下班前回复是否同意
2026-05-09 17:30:00 林涛-运营部: 可以加，我明早签
""", tmp_path)
    tasks = r.tasks.set_index("receiver")
    assert tasks.loc["林涛", "promised"] == pd.Timestamp("2026-05-10 09:00:00")
    assert pd.isna(tasks.loc["罗刚", "verified"])


def test_work_a_past_meeting_decided_is_a_task_not_a_meeting_notice(tmp_path):
    r = audit_chat("2026-05-13 15:30:00 林涛-运营部: 复盘会定的：发货延迟率要降到3%以下，@罗刚-仓储部 下周三前出一个仓库改进方案",
                   tmp_path)
    assert list(r.tasks["kind"]) == ["task"]


def test_work_asked_of_ones_own_poster_to_be_brought_back_is_a_task(tmp_path):
    r = audit_chat("""
2026-05-11 09:00:00 林涛-运营部: @罗刚-仓储部 直播间的样品今天下午发出去
2026-05-11 09:05:00 罗刚-仓储部: 收到
2026-05-11 14:00:32 罗刚-仓储部: 【直播排期调整】 11月12日 19:00-23:00 主播：小雨 需求人：罗刚 请运营部明天中午前把两场的福利款和库存确认好发我
""", tmp_path)
    assert set(r.tasks["poster"]) == {"林涛", "罗刚"}


def test_a_file_of_ones_own_work_confirmed_done_is_its_report_not_a_verification(tmp_path):
    r = audit_chat("""
2026-05-09 14:00:00 林涛-运营部: @韩冰-IT部 开卖前直通车的预算系统今天配好
2026-05-09 15:00:00 韩冰-IT部: 预算系统配好了
2026-05-11 14:00:00 罗刚-仓储部: @林涛-运营部 请明天中午前把两场的福利款和库存确认好发我
2026-05-11 14:30:00 林涛-运营部: 收到
2026-05-12 11:30:00 林涛-运营部: 【文件】直播福利款及库存.xlsx 两场的福利款和库存确认好了
""", tmp_path)
    tasks = r.tasks.set_index("receiver")
    assert tasks.loc["林涛", "completed"] == pd.Timestamp("2026-05-12 11:30:00")
    assert pd.isna(tasks.loc["韩冰", "verified"])


def test_the_words_beside_a_delivered_file_are_its_report_not_another_tasks(tmp_path):
    # the file completed the DM task a minute ago; its message names the same work, so it is that
    # report again — not the completion of the other open task (read so, it fined a 3-day delay)
    r = audit_chat("""
2026-05-11 09:40:00 林涛-运营部: @所有人 5月起考勤统一改企业微信打卡，规则已推送，今天下班前都打开看一下
2026-05-11 09:45:00 罗刚-仓储部: 收到
2026-05-11 10:50:00 林涛-运营部: @罗刚-仓储部 端午档的DM单和海报，这周五之前先出个初稿给大家看看
2026-05-11 11:00:00 罗刚-仓储部: 收到，周四给初稿
2026-05-14 17:00:00 罗刚-仓储部: 【文件】端午DM初稿v1.pdf
2026-05-14 17:01:00 罗刚-仓储部: 端午DM初稿发群里了，各位帮忙提提意见
2026-05-15 10:00:00 林涛-运营部: DM初稿看了，版式可以，初稿确认
""", tmp_path)
    by_msg = dict(zip(r.messages["content"], r.messages["task_id"]))
    dm = r.tasks.loc[r.tasks["text"].str.contains("DM"), "task_id"].iloc[0]
    assert by_msg["端午DM初稿发群里了，各位帮忙提提意见"] == dm
    attendance = r.tasks[r.tasks["text"].str.contains("考勤") & (r.tasks["receiver"] == "罗刚")]
    assert attendance["completed"].isna().all()


@pytest.mark.parametrize("report", ["滨江要货：双黄白莲蓉30盒、五仁15盒、流心奶黄20盒", "东湖报数：奶黄20，莲蓉15，冰皮10"])
def test_the_counts_asked_for_given_under_a_label_or_as_pairs_are_the_report(tmp_path, report):
    r = audit_chat(f"""
2026-05-11 14:00:00 林涛-运营部: @罗刚-仓储部 中秋月饼第二批要货，各店明天上午10点前把要货数报我，过时不候哈
2026-05-11 14:03:00 罗刚-仓储部: 收到
2026-05-12 08:30:00 罗刚-仓储部: {report}
""", tmp_path)
    assert r.tasks.iloc[0]["completed"] == pd.Timestamp("2026-05-12 08:30:00")


@pytest.mark.parametrize("said", ["盘点表明天发，今天先对30盒的那批", "东湖店今天来了20个顾客"])
def test_a_count_to_work_that_asked_for_none_is_no_report(tmp_path, said):
    r = audit_chat(f"""
2026-05-11 14:00:00 林涛-运营部: @罗刚-仓储部 明天下班前把A区货架重新贴标签
2026-05-11 14:03:00 罗刚-仓储部: 收到
2026-05-12 08:30:00 罗刚-仓储部: {said}
""", tmp_path)
    assert r.tasks.iloc[0]["completed"] is pd.NaT or pd.isna(r.tasks.iloc[0]["completed"])


def test_an_outcome_then_the_check_that_found_it_verifies(tmp_path):
    r = audit_chat("""
2026-05-11 14:00:00 林涛-运营部: @罗刚-仓储部 @谢婷-客服部 各店明天上午10点前把要货数报我
2026-05-11 14:03:00 罗刚-仓储部: 收到
2026-05-11 14:04:00 谢婷-客服部: 收到
2026-05-12 08:30:00 罗刚-仓储部: 滨江要货：双黄白莲蓉30盒、五仁15盒
2026-05-12 09:30:00 谢婷-客服部: 东湖要货：奶黄20，莲蓉15
2026-05-12 11:40:00 林涛-运营部: 两家的要货数都齐了，核过，按这个下单
""", tmp_path)
    assert r.tasks["verified"].eq(pd.Timestamp("2026-05-12 11:40:00")).all()
    assert events_of(r) == []


def test_a_team_addressed_as_its_people_opening_a_task_is_asked(tmp_path):
    # 二班的，…: the people of 运维二班 addressed, its head asked (运维 alone is both teams')
    roster = ROSTER.replace("  - {name: 韩冰, dept: IT部", "  - {name: 赵建, dept: 运维二班, role: head, supervisor: 马骏}\n"
                            "  - {name: 钱进, dept: 运维一班, role: head, supervisor: 马骏}\n"
                            "  - {name: 韩冰, dept: IT部").replace("谢婷, 韩冰]", "谢婷, 韩冰, 赵建, 钱进]")
    r = audit_chat("2026-09-02 10:30:00 林涛-运营部: 二班的，滨河线#15杆绝缘子破损那个缺陷，未来三天内消缺",
                   tmp_path, roster=roster)
    assert list(r.tasks["receiver"]) == ["赵建"]


def test_an_off_topic_link_from_one_with_open_work_is_off_topic_not_its_report(tmp_path):
    r = audit_chat("""
2026-05-11 11:15:00 林涛-运营部: @罗刚-仓储部 证人出庭申请书帮我起草一下，明天中午前给我
2026-05-11 11:16:00 罗刚-仓储部: 收到
2026-05-12 08:30:00 罗刚-仓储部: 各位帮我点一下，拼多多砍一刀，差0.8元就能提现了🙏 https://mobile.yangkeduo.com/duo_cut.html?id=8812
""", tmp_path)
    kinds = dict(zip(r.messages["content"].str[:6], r.messages["kind"]))
    assert kinds["各位帮我点一"] == "off_topic" and r.tasks["completed"].isna().all()


@pytest.mark.parametrize("text", ["@罗刚-仓储部 这么简单的东西都能弄错，你法学院怎么毕业的", "会计证是买的吧",
                                  "@罗刚-仓储部 你这文凭是买的吧"])
def test_contempt_for_someones_credentials_is_uncivil(tmp_path, text):
    r = audit_chat(f"2026-05-11 10:00:00 林涛-运营部: {text}", tmp_path)
    assert ("林涛", "incivility", 1) in events_of(r)


@pytest.mark.parametrize("post, is_task", [
    ("这周运检部抽查两票，城东所安排在周四", False), ("城东线9月16日的检修申请已批复，单号JX2609-0331", False),
    ("这个中午前找人修好，下午有车要靠", True), ("下周一区域来检查，各个设备房的卫生这周内要搞好", True),
    ("明天谁去把滨河路那台箱变的门锁换一下", True), ("对公开户尽调报告的模板更新了，请相关同事本周五前用新模板重新交一遍", True),
])
def test_a_post_naming_no_one_is_a_task_only_if_it_asks(tmp_path, post, is_task):
    r = audit_chat(f"2026-05-11 10:00:00 林涛-运营部: {post}", tmp_path)
    assert (not r.tasks.empty) == is_task


def test_ones_own_other_work_done_and_its_next_step_is_no_promise_to_the_task(tmp_path):
    r = audit_chat("""
2026-05-11 09:15:00 林涛-运营部: @罗刚-仓储部 3月结案的两个案子的结案报告，本周五前交案管归档
2026-05-11 11:20:00 罗刚-仓储部: 华川开庭的证据袋我按组装好了，周三下午再核一遍
2026-05-13 09:33:00 罗刚-仓储部: 收到，周五前给你
""", tmp_path)
    task = r.tasks.iloc[0]
    assert task["replied"] == pd.Timestamp("2026-05-13 09:33:00")


def test_people_called_to_join_a_visit_at_a_time_are_attendees(tmp_path):
    r = audit_chat("""
2026-05-11 09:30:00 林涛-运营部: 今天上午10点华川的陈总过来谈开庭的事，@罗刚-仓储部 @谢婷-客服部 一起参加，3号会议室
2026-05-11 09:31:00 罗刚-仓储部: 好的
2026-05-11 10:20:00 谢婷-客服部: 不好意思刚看到，马上过来
""", tmp_path)
    assert set(r.tasks["kind"]) == {"meeting"}
    assert events_of(r) == [("谢婷", "meeting_reply_late", 1)]


@pytest.mark.parametrize("report, done", [("箱变的门锁换好了", False), ("搞定了，发您邮箱了", True),
                                          ("表格发您了", True)])
def test_a_short_report_naming_other_work_does_not_complete_the_only_task(tmp_path, report, done):
    r = audit_chat(f"""
2026-05-11 09:15:00 林涛-运营部: @罗刚-仓储部 把城东线的设备台账在系统里更新完，5月15日前完成
2026-05-11 09:16:00 罗刚-仓储部: 好滴
2026-05-13 10:00:00 罗刚-仓储部: {report}
""", tmp_path)
    assert (not pd.isna(r.tasks.iloc[0]["completed"])) == done


def test_an_offer_of_ones_own_help_is_no_task(tmp_path):
    r = audit_chat("2026-05-11 11:15:00 谢婷-客服部: 林总，方案里客户答谢会那块我可以出个场地，我姐夫开茶楼的", tmp_path)
    assert r.tasks.empty


def test_a_teams_morning_meeting_called_with_its_room_is_a_meeting(tmp_path):
    r = audit_chat("""
2026-05-11 08:50:00 林涛-运营部: 运营的小伙伴今天早会9点，会议室B，讲一下新话术 @罗刚-仓储部 @谢婷-客服部
2026-05-11 08:51:00 罗刚-仓储部: 收到
""", tmp_path)
    assert set(r.tasks["kind"]) == {"meeting"}


def test_being_on_the_way_answers_the_meeting(tmp_path):
    r = audit_chat("""
2026-05-11 08:50:00 林涛-运营部: 今天早会9点，会议室B，讲一下新话术 @罗刚-仓储部
2026-05-11 09:20:00 罗刚-仓储部: 不好意思林总，路上堵车了，十分钟到
""", tmp_path)
    assert events_of(r) == [("罗刚", "meeting_reply_late", 1)]


def test_an_on_site_briefing_at_a_time_is_a_meeting(tmp_path):
    r = audit_chat("2026-05-11 17:45:00 林涛-运营部: @罗刚-仓储部 @谢婷-客服部 周六上午十点金域华府现场交底，业主陈女士也到，大家准时",
                   tmp_path)
    assert set(r.tasks["kind"]) == {"meeting"}
    assert r.tasks.iloc[0]["deadline"] == pd.Timestamp("2026-05-16 10:00:00")


@pytest.mark.parametrize("text, rude", [("这封面做得跟小学生PPT一样，你到底懂不懂审美？", True),
                                        ("片尾加个滚动字幕，把主播和工作人员名字滚一下", False)])
def test_contempt_for_taste_is_uncivil_and_scrolling_credits_are_not(tmp_path, text, rude):
    r = audit_chat(f"2026-05-11 10:00:00 林涛-运营部: {text}", tmp_path)
    assert (("林涛", "incivility", 1) in events_of(r)) == rude


def test_a_team_answering_for_itself_and_one_who_cannot_come_answer_the_meeting(tmp_path):
    r = audit_chat("""
2026-05-11 09:30:00 林涛-运营部: @所有人 【会议通知】今天下午两点，7楼小会议室，选题会
2026-05-11 09:50:00 罗刚-仓储部: 仓储收到
2026-05-11 10:00:00 谢婷-客服部: 我下午有个会，你们开，纪要发我
""", tmp_path)
    answered = set(r.tasks.dropna(subset=["replied"])["receiver"])
    assert {"罗刚", "谢婷"} <= answered


def test_a_file_handed_over_with_a_request_to_look_at_it_is_the_report(tmp_path):
    r = audit_chat("""
2026-05-11 11:00:00 林涛-运营部: @罗刚-仓储部 315专题大纲今天下班前发我
2026-05-11 11:05:00 罗刚-仓储部: 好嘞
2026-05-11 17:20:00 罗刚-仓储部: 【文件】315专题大纲v1.docx 林总看下
""", tmp_path)
    assert r.tasks.iloc[0]["completed"] == pd.Timestamp("2026-05-11 17:20:00")
