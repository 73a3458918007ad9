"""The admin's overrides (records.Override): where each kind takes effect, and what the report says of it.

`tag` re-classifies a message before the ledger reads it; `escalated` records an escalation made
outside the group before the rules run; `confirm`, `dismiss` and `waive` settle events once they
are priced. Each is applied where the data it changes is (a worker's groups for the first two),
and reported once for the whole run: which override matched what, and which matched nothing.
"""

from __future__ import annotations

import pandas as pd

from wgm import schema
from wgm.records import Override
from wgm.schema import E, M, T

# `tag` values: the message kind an admin says a message is, as the lexical tags that make it so
TAG_KINDS: dict[str, tuple[str, ...]] = {
    "chat": (), "task": ("t_task_verb",), "reply": ("t_ack",), "completion": ("t_done",),
    "verification": ("t_verify",), "reminder": ("t_reminder",), "escalation": ("t_escalation",),
    "off_topic": ("t_off_topic", "t_off_topic_exact"), "incivility": ("t_incivility",), "warning": ("t_warning",),
}
_EVENT_ACTIONS = ("confirm", "dismiss", "waive")
# the override notes of events that cost nothing whatever the amounts (evaluate.settle prices after them)
UNPRICED = ("dismiss:", "waive:")


def _used(o: Override, target: str, matched: int) -> dict:
    return {"source": o.source, "line": o.line, "target": target, "action": o.action, "value": o.value,
            "reason": o.reason, "matched": matched}


def _matches_nothing(o: Override, why: str = "matches nothing") -> str:
    return f"{o.source}:{o.line}: override {o.target}={o.key} ({o.action}) {why}"


def apply_tags(messages: pd.DataFrame, overrides: list[Override]) -> pd.DataFrame:
    """Classified messages with each `tag` override's message re-tagged (messages it names that are not
    here are another group's)."""
    tags = [o for o in overrides if o.action == "tag" and o.value in TAG_KINDS]
    if not tags:
        return messages
    out = messages.copy(deep=False)
    ids = out[M.msg_id]
    for o in tags:
        hit = ids == o.key
        if hit.any():
            for col in schema.TAG_COLUMNS:
                out.loc[hit, col] = col in TAG_KINDS[o.value]
    return out


def apply_escalations(tasks: pd.DataFrame, overrides: list[Override]) -> pd.DataFrame:
    """Tasks with each `escalated` override's escalation time recorded where the group shows none."""
    found = [o for o in overrides if o.action == "escalated"]
    if not found:
        return tasks
    tasks = tasks.copy(deep=False)
    for o in found:
        hit = _task_rows(tasks, o)
        if hit.any():
            when = pd.Timestamp(o.value) if o.value else tasks.loc[hit, T.posted].max()
            tasks.loc[hit & tasks[T.escalated].isna(), T.escalated] = when
    return tasks


def _task_rows(tasks: pd.DataFrame, o: Override) -> pd.Series:
    return tasks[T.task_id] == o.key if o.target == "task_id" else tasks[T.task_msg_id] == o.key


def report_before_rules(overrides: list[Override], messages: pd.DataFrame,
                        tasks: pd.DataFrame) -> tuple[list[dict], list[str]]:
    """What the report says of the `tag` and `escalated` overrides, over the whole run: each one used with
    the count it matched, or a warning."""
    used, warnings = [], []
    tags = [o for o in overrides if o.action == "tag"]
    ids = messages.loc[messages[M.msg_id].isin({o.key for o in tags}), M.msg_id] if tags else messages[M.msg_id][:0]
    for o in tags:
        matched = int((ids == o.key).sum())
        if not matched or o.value not in TAG_KINDS:
            warnings.append(_matches_nothing(o) if not matched
                            else _matches_nothing(o, f"unknown tag {o.value!r} ({', '.join(TAG_KINDS)})"))
            continue
        used.append(_used(o, f"msg_id={o.key}", matched))
    for o in overrides:
        if o.action != "escalated":
            continue
        matched = int(_task_rows(tasks, o).sum())
        if not matched:
            warnings.append(_matches_nothing(o))
            continue
        used.append(_used(o, f"{o.target}={o.key}", matched))
    return used, warnings


def apply_to_events(events: pd.DataFrame, overrides: list[Override]) -> tuple[list[dict], list[str]]:
    """`confirm`, `dismiss` and `waive` applied to the events in place, before pricing (a waived or dismissed
    event is priced 0 by its note, UNPRICED); what the report says of each."""
    used, warnings = [], []
    for o in overrides:
        if o.action not in _EVENT_ACTIONS:
            continue
        if o.target == "event":
            hit = events[E.event_id] == o.key
        elif o.target == "task_id":
            hit = events[E.task_id] == o.key
        else:
            hit = events[E.msg_ids].str.split(";").map(lambda ids, k=o.key: k in ids)
        if o.action == "waive" and o.value:
            hit &= events[E.rule] == o.value
        if not hit.any():
            warnings.append(_matches_nothing(o))
            continue
        events.loc[hit, E.override] = f"{o.action}: {o.reason}"
        events.loc[hit, E.needs_review] = False
        if o.action == "confirm":
            events.loc[hit, E.confidence] = 1.0
            events.loc[hit & events[E.possible], E.count] = 1       # a near-miss confirmed is one event
            events.loc[hit, E.possible] = False
        elif o.action == "dismiss":
            events.loc[hit, E.count] = 0
        used.append(_used(o, f"{o.target}={o.key}", int(hit.sum())))
    return used, warnings
