"""The rule ids of rules.md with their clause, Chinese label and unit, in rules.md order.

Rule ids are stable names: outputs, overrides and settings use them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    clause: str
    zh: str        # label used in workbook headers and 公示 text
    unit: str      # what one count is
    flag_only: bool = False  # reported, priced 0 unless the settings give an amount


RULES: tuple[Rule, ...] = (
    Rule("reply_missed", "§5.1, §5.5", "未按时回复", "次"),
    Rule("reply_late", "§5.1", "当天延迟回复", "次"),
    Rule("reply_after_requested", "§5.4", "未在要求时间内回复", "次"),
    Rule("meeting_reply_missed", "§5.8", "会议通知未回复", "次"),
    Rule("meeting_reply_late", "§5.8", "会议通知延迟回复", "次"),
    Rule("promise_missed", "§5.5", "承诺时间未完成", "次"),
    Rule("delay_days", "§5.6, §5.7", "延迟天数", "天"),
    Rule("format", "§5.9", "任务发布不规范", "条"),
    Rule("repost", "§5.3", "重复发布任务", "条"),
    Rule("verification_missing", "§5.10", "未验证完成情况", "次"),
    Rule("off_topic_after_warning", "§5.12", "制止后仍发无关信息", "条"),
    Rule("incivility", "§5.15", "不文明语言", "条"),
    Rule("leak", "§5.13", "转发公务给无关人员", "条"),
    Rule("false_info", "§5.14", "发布虚假信息", "条"),
    Rule("loss", "§5.11", "造成经济损失", "次"),
    Rule("quit_group", "§3, §5.16", "拒不入群或退群", "次", flag_only=True),
    Rule("naming", "§3", "命名不规范", "次", flag_only=True),
    Rule("after_hours", "§5.5", "21:00后发布任务", "条", flag_only=True),
)

RULE_IDS: tuple[str, ...] = tuple(r.id for r in RULES)
BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
INCIDENT_RULES = ("leak", "false_info", "loss")
