"""rules: each family counts events from the task ledger (no money), within what the exports cover."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from wgm import rules, schema, settings as settings_mod
from wgm.ledger import Ledger
from wgm.roster import Roster

GROUP = "群"
SETTINGS = settings_mod.defaults()


def _tasks(**fields) -> pd.DataFrame:
    row = {"task_id": "t1", "group": GROUP, "poster": "林涛", "receiver": "罗刚", "kind": "task",
           "posted": datetime(2026, 5, 11, 16, 0), "reply_deadline": datetime(2026, 5, 11, 21, 0),
           "task_msg_id": "m1", "confidence": 0.95, **fields}
    return schema.conform(pd.DataFrame([row]), schema.LEDGER_TASK_COLUMNS)


def _ctx(tasks: pd.DataFrame, until: datetime) -> rules.RuleContext:
    empty = {k: schema.empty_frame(c) for k, c in (("roles", schema.ROLE_COLUMNS), ("warnings", schema.WARNING_COLUMNS),
                                                  ("off_topic", schema.OFF_TOPIC_COLUMNS), ("left", schema.LEFT_COLUMNS))}
    return rules.RuleContext(schema.empty_frame(schema.MESSAGE_COLUMNS), Ledger(tasks, **empty), SETTINGS, Roster(),
                             (), (), {GROUP: until})


def _rules(rows) -> list[tuple]:
    return sorted((r["rule"], r["member"], r["count"]) for r in rows)


def test_no_reply_by_the_deadline_nor_that_day_is_reply_missed():
    ctx = _ctx(_tasks(), datetime(2026, 5, 31))
    assert _rules(rules.replies(ctx)) == [("reply_missed", "罗刚", 1)]


def test_a_reply_after_the_deadline_on_its_day_is_reply_late():
    ctx = _ctx(_tasks(replied=datetime(2026, 5, 11, 21, 30), reply_msg_id="m2"), datetime(2026, 5, 31))
    assert _rules(rules.replies(ctx)) == [("reply_late", "罗刚", 1)]


def test_a_reply_by_time_replaces_both():
    ctx = _ctx(_tasks(reply_by=datetime(2026, 5, 11, 17, 0), reply_deadline=datetime(2026, 5, 11, 17, 0),
                      replied=datetime(2026, 5, 11, 17, 30)), datetime(2026, 5, 31))
    assert _rules(rules.replies(ctx)) == [("reply_after_requested", "罗刚", 1)]


def test_an_unanswered_task_whose_day_the_exports_do_not_reach_is_not_judged():
    ctx = _ctx(_tasks(), datetime(2026, 5, 11, 22, 0))
    assert rules.replies(ctx) == []


def test_a_verified_late_task_is_promise_missed_and_delay_capped_without_escalation():
    tasks = _tasks(replied=datetime(2026, 5, 11, 16, 5), promised=datetime(2026, 5, 12, 23, 59, 59),
                   completed=datetime(2026, 5, 17, 15, 0), verified=datetime(2026, 5, 17, 15, 10),
                   completion_reported=True)
    assert _rules(rules.delivery(_ctx(tasks, datetime(2026, 5, 31)))) == [("delay_days", "罗刚", 3),
                                                                         ("promise_missed", "罗刚", 1)]
    escalated = tasks.assign(escalated=datetime(2026, 5, 16, 9, 0))
    assert _rules(rules.delivery(_ctx(escalated, datetime(2026, 5, 31)))) == [("delay_days", "罗刚", 5),
                                                                             ("promise_missed", "罗刚", 1)]


def test_an_unverified_completion_fines_the_poster_once_the_grace_has_passed_in_the_exports():
    done = datetime(2026, 5, 25, 9, 0)
    tasks = _tasks(replied=datetime(2026, 5, 11, 16, 5), completed=done, completion_reported=True)
    late = rules.delivery(_ctx(tasks, done + SETTINGS.verification_grace + timedelta(minutes=1)))
    assert _rules(late) == [("verification_missing", "林涛", 1)]
    assert rules.delivery(_ctx(tasks, done + SETTINGS.verification_grace - timedelta(minutes=1))) == []


def test_a_task_post_missing_an_element_is_one_format_event():
    tasks = _tasks(format_missing="要求完成时间、责任人/责任部门")
    rows = rules.posting(_ctx(tasks, datetime(2026, 5, 31)))
    assert _rules(rows) == [("format", "林涛", 1)] and "要求完成时间" in rows[0]["detail"]


def test_a_warning_that_targets_nobody_then_off_topic_posts_give_no_event(tmp_path):
    """An untargeted warning with no off-topic post before it targets nobody; later off-topic posts are
    not after a warning aimed at their senders (and the rule must not fail on an empty target list)."""
    from tests.chat import audit_chat
    result = audit_chat("""
2026-05-28 08:45:00 何敏-行政部: 请大家不要在工作群里发问候等与工作无关的信息
2026-05-29 08:00:00 罗刚-仓储部: 早上好
2026-05-29 12:00:00 谢婷-客服部: [红包]恭喜发财
""", tmp_path)
    assert (result.events["rule"] == "off_topic_after_warning").sum() == 0
