"""evaluate: events priced with the settings, held for review, overridden, cut to months, summed."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from wgm import schema, settings as settings_mod
from wgm.evaluate import settle, summarize
from wgm.records import Override


def _events(*rows) -> pd.DataFrame:
    base = {"group": "群", "dept": "仓储部", "clause": "§5.1", "count": 1, "msg_ids": "m1",
            "confidence": 0.95, "detail": "…", "task_id": "t1"}
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["ts"] = pd.to_datetime(frame["ts"])
    frame["month"] = frame["ts"].dt.strftime("%Y-%m")
    return schema.conform(frame, schema.EVENT_COLUMNS)


EVENTS = _events({"member": "罗刚", "rule": "reply_missed", "ts": datetime(2026, 5, 11, 21), "event_id": "e1"},
                 {"member": "罗刚", "rule": "delay_days", "count": 3, "ts": datetime(2026, 5, 17), "event_id": "e2"},
                 {"member": "谢婷", "rule": "reply_late", "ts": datetime(2026, 6, 2), "event_id": "e3",
                  "confidence": 0.6})


def test_amounts_come_from_the_settings_and_low_confidence_goes_to_review():
    done = settle(EVENTS, settings_mod.load(None, ["amounts.delay_days=25"]), [], [], None)
    by_id = done.events.set_index("event_id")
    assert by_id.loc["e1", "amount"] == 20.0 and by_id.loc["e2", "amount"] == 75.0
    assert by_id.loc["e3", "needs_review"] and by_id.loc["e3", "review_reason"] == "分类置信度低"


def test_held_events_are_not_priced():
    done = settle(EVENTS, settings_mod.load(None, ["review.hold_uncertain=true"]), [], [], None)
    assert done.events.set_index("event_id").loc["e3", "amount"] == 0.0


def test_overrides_dismiss_confirm_and_waive():
    overrides = [Override("event", "e1", "dismiss", "", "电话已回复", 1, "o.csv"),
                 Override("event", "e3", "confirm", "", "核实", 2, "o.csv"),
                 Override("event", "e2", "waive", "", "特殊情况", 3, "o.csv"),
                 Override("event", "e9", "dismiss", "", "x", 4, "o.csv")]
    done = settle(EVENTS, settings_mod.defaults(), [], overrides, None)
    by_id = done.events.set_index("event_id")
    assert (by_id.loc["e1", "count"], by_id.loc["e1", "amount"]) == (0, 0.0)
    assert not by_id.loc["e3", "needs_review"] and by_id.loc["e3", "amount"] == 10.0
    assert (by_id.loc["e2", "count"], by_id.loc["e2", "amount"]) == (3, 0.0)
    assert [u["matched"] for u in done.overrides_used] == [1, 1, 1]
    assert any("e9" in w and "matches nothing" in w for w in done.warnings)


def test_months_cut_the_events_and_the_summary_never_adds_two_months():
    done = settle(EVENTS, settings_mod.defaults(), [], [], ("2026-05",))
    assert set(done.events["month"]) == {"2026-05"}
    both = summarize(settle(EVENTS, settings_mod.defaults(), [], [], None).events)
    assert sorted(zip(both["month"], both["member"])) == [("2026-05", "罗刚"), ("2026-06", "谢婷")]
    assert both.set_index("member").loc["罗刚", "total_amount"] == 20.0 + 60.0


def test_a_confirmed_event_is_priced_even_when_uncertain_events_are_held():
    # the admin's confirm settles the doubt: holding it at 0 would take the decision back
    confirm = [Override("event", "e3", "confirm", "", "核实", 1, "o.csv")]
    done = settle(EVENTS, settings_mod.load(None, ["review.hold_uncertain=true"]), [], confirm, None)
    e3 = done.events.set_index("event_id").loc["e3"]
    assert (e3["needs_review"], e3["amount"]) == (False, 10.0)
    assert e3["override"].startswith("confirm")
