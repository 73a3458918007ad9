"""judge: the one path from a group's messages to its events, the same whole or in parts."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from tests.chat import ROSTER, chat_frame
from wgm import api, classify, judge
from wgm.evaluate import dept_lookup
from wgm.roster import load_roster

CHAT = """
2026-05-11 16:00:00 林涛-运营部: @罗刚-仓储部 请于5月13日前完成B区货架的安全检查
2026-05-12 08:02:40 罗刚-仓储部: 好的，明天完成
2026-05-11 16:00:00 林涛-运营部: @高峰-财务部 今天下班前报一下运费
"""


def _grounds(messages, roster):
    settings = api.load_settings(api.Options())
    until = {g: datetime(2026, 5, 31, 23, 59, 59) for g in set(messages["group"])}
    return judge.Grounds(settings, roster, (), until, dept_lookup(messages, roster),
                         classify.People.build(messages, roster))


def test_two_groups_judged_apart_give_what_they_give_together(tmp_path):
    (tmp_path / "r.yaml").write_text(ROSTER, encoding="utf-8")
    roster = load_roster(tmp_path / "r.yaml")
    lines = CHAT.strip().splitlines()
    frame = pd.concat([chat_frame("\n".join(lines[:2]), group="甲群"), chat_frame(lines[2], group="乙群")],
                      ignore_index=True)
    messages, _ = api.ingest.normalize(frame, roster)
    grounds = _grounds(messages, roster)
    whole = judge.judge_group(messages, grounds)
    parts = judge.merge([judge.judge_group(messages[messages["group"] == g].reset_index(drop=True), grounds)
                         for g in ("乙群", "甲群")])
    assert whole.tasks.equals(parts.tasks)
    key = ["group", "rule", "member", "event_id"]
    assert whole.events.sort_values(key).reset_index(drop=True).equals(
        parts.events.sort_values(key).reset_index(drop=True))
    money = whole.events[whole.events["rule"] != "naming"]       # the group names break the naming rule
    assert sorted(zip(money["group"], money["rule"], money["member"])) == [
        ("乙群", "reply_missed", "高峰"), ("甲群", "reply_missed", "罗刚")]


def test_labels_say_what_each_message_is(tmp_path):
    (tmp_path / "r.yaml").write_text(ROSTER, encoding="utf-8")
    roster = load_roster(tmp_path / "r.yaml")
    messages, _ = api.ingest.normalize(chat_frame("\n".join(CHAT.strip().splitlines()[:2])), roster)
    verdict = judge.judge_group(messages, _grounds(messages, roster))
    kinds = dict(zip(verdict.labels["kind"], verdict.labels["tags"]))
    assert set(kinds) == {"task", "reply"} and "ack" in kinds["reply"]
