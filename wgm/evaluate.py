"""Where counts meet money: months, amounts, overrides, review holds, and the monthly summary.

The only module that prices events. Rules count (wgm.rules); this module assigns each
event the month of the moment that decided it, prices it with settings.amounts, applies
the overrides file, marks what needs review, and pivots the member x month summary.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wgm import ids, schema
from wgm import overrides as overrides_mod
from wgm import rules as rules_mod
from wgm.catalog import RULE_IDS
from wgm.records import Override
from wgm.rules import RuleContext
from wgm.schema import E, M, S, T
from wgm.settings import Settings


@dataclass(frozen=True)
class Settlement:
    """The events of the reported months priced, held, overridden and summed per member."""

    events: pd.DataFrame
    summary: pd.DataFrame
    overrides_used: tuple[dict, ...]
    warnings: tuple[str, ...]


def price(events: pd.DataFrame, settings: Settings, incidents) -> pd.DataFrame:
    amounts = settings.amounts
    unit = events[E.rule].map({r: float(amounts.get(r, 0.0)) for r in events[E.rule].unique()}).astype("float64")
    events[E.amount] = events[E.count].astype("float64") * unit
    loss_rate = {(i.member, i.date.isoformat(), i.rule): i.loss_amount * i.rate for i in incidents if i.rule == "loss"}
    if loss_rate:
        is_loss = events[E.rule] == "loss"
        extra = [loss_rate.get((m, ts.date().isoformat(), "loss"), 0.0)
                 for m, ts in zip(events.loc[is_loss, E.member], events.loc[is_loss, E.ts])]
        events.loc[is_loss, E.amount] = events.loc[is_loss, E.amount] + extra
    events[E.amount] = events[E.amount].round(2)
    return events


def describe(ctx: RuleContext, rows: list[dict], depts: dict[str, str] | None = None) -> pd.DataFrame:
    """The rules' event rows as a frame with month, department, event id and the review reasons the
    messages give: everything about an event that amounts and review settings do not change. `depts`:
    dept_lookup() of the whole run, when ctx holds only some of its groups."""
    events = schema.conform(pd.DataFrame(rows), schema.EVENT_COLUMNS) if rows else \
        schema.empty_frame(schema.EVENT_COLUMNS)
    events[E.month] = events[E.ts].dt.strftime("%Y-%m").fillna("")
    events[E.dept] = events[E.member].map(depts if depts is not None else dept_lookup(ctx.messages, ctx.roster))
    numbers = ctx.roster.ids()
    events[E.member_id] = pd.Series([numbers.get(m, "") for m in events[E.member].tolist()], index=events.index,
                                    dtype="str")
    events[E.event_id] = ids.event_ids(zip(*schema.lists(events, E.rule, E.group, E.member, E.task_id, E.msg_ids,
                                                         E.ts)))
    _review_imprecise_times(events, ctx)
    return events


def settle(described: pd.DataFrame, settings: Settings, incidents, overrides: list[Override],
           months: tuple[str, ...] | None) -> Settlement:
    """describe()'s events flagged for review, priced, held, overridden, cut to the months, summarized:
    the part a re-run with other amounts or review settings does again."""
    events = described.copy(deep=False)
    events[E.needs_review] = (events[E.confidence] < settings.min_confidence) | (events[E.review_reason] != "") \
        | events[E.possible]
    events.loc[events[E.needs_review] & (events[E.review_reason] == ""), E.review_reason] = "分类置信度低"
    # the admin's decisions first, so that a confirmed event is priced and never held
    used, warnings = overrides_mod.apply_to_events(events, overrides)
    events = price(events, settings, incidents)
    events.loc[events[E.override].str.startswith(overrides_mod.UNPRICED), E.amount] = 0.0
    if settings.hold_uncertain:
        held = events[E.needs_review] & ~events[E.possible]
        events.loc[held, E.amount] = 0.0
        events.loc[held, E.override] = "hold: 待复核，暂不计金额"
    if months:
        events = events[events[E.month].isin(months)]
    events = schema.conform(events, schema.EVENT_COLUMNS)   # empty frames lose dtypes on the way
    events = schema.sort_rows(events, schema.SORT_KEYS["events"])
    return Settlement(events, summarize(events), tuple(used), tuple(warnings))


# (event rules, the task's time pair compared: the later one made the event) for rules decided by a time
_TIME_PAIRS = {("reply_late", "meeting_reply_late", "reply_after_requested"): (T.replied, T.reply_deadline),
               ("promise_missed", "delay_days"): (T.completed, T.promised)}
_NO_TIME = "依据的消息在导出中没有发送人或时间（按前一条消息计时），请核对"
_ANON_QUOTE = "有一条无发送人的引用回复（导出格式不含引用者与时间）引用了该任务，可能就是本人的回复，请核对"
_REPLY_RULES = ("reply_missed", "reply_late", "reply_after_requested", "meeting_reply_missed", "meeting_reply_late")
_MINUTE = "导出时间只精确到分钟，{late}与{due}在同一分钟内，秒数可改变结论，请核对"


def _review_imprecise_times(events: pd.DataFrame, ctx: RuleContext) -> None:
    """Events resting on times the export did not give exactly go to review, with why: a message with
    no time of its own (WechatExporter quotes), or a minute-precision time (Mac copy) within the
    minute of the time it was compared with."""
    msgs = ctx.messages
    if not len(events) or not len(msgs) or msgs[M.precision].eq("s").all():
        return
    precision = dict(zip(*schema.lists(msgs[msgs[M.precision] != "s"], M.msg_id, M.precision)))
    anonymous = msgs[(msgs[M.precision] == "none") & (msgs[M.sender] == "") & (msgs[M.quote_id] != "")]
    quoted_tasks = set(anonymous[M.quote_id])
    tasks = ctx.ledger.tasks.drop_duplicates(subset=[T.task_id, T.receiver]).set_index([T.task_id, T.receiver])
    for idx, rule, ids, task_id, member in zip(events.index, *schema.lists(events, E.rule, E.msg_ids, E.task_id,
                                                                           E.member)):
        kinds = {precision.get(i) for i in ids.split(";") if i} - {None}
        if rule in _REPLY_RULES and quoted_tasks and (task_id, member) in tasks.index \
                and tasks.at[(task_id, member), T.task_msg_id] in quoted_tasks:
            kinds.add("anonymous quote")
        if not kinds:
            continue
        reason = ""
        if "anonymous quote" in kinds:
            reason = _ANON_QUOTE
        elif "none" in kinds:
            reason = _NO_TIME
        elif (task_id, member) in tasks.index:
            pair = next((p for rules, p in _TIME_PAIRS.items() if rule in rules), None)
            if pair is not None:
                late, due = tasks.loc[(task_id, member), list(pair)]
                if not pd.isna(late) and not pd.isna(due) and late - due < pd.Timedelta(minutes=1):
                    reason = _MINUTE.format(late=rules_mod.fmt_ts(late), due=rules_mod.fmt_ts(due))
        if reason:
            old = events.at[idx, E.review_reason]
            events.at[idx, E.review_reason] = f"{old}；{reason}" if old else reason


def dept_lookup(messages: pd.DataFrame, roster) -> dict[str, str]:
    """member → department: the roster's, else the last one a display name gave."""
    depts = dict(zip(*schema.lists(messages, schema.M.member, schema.M.dept)))
    depts.update({p.member: p.dept for p in roster.people.values()})
    return depts


def _by_group(ev: pd.DataFrame) -> pd.Series:
    """'群A 310.00; 群B 20.00' per member and month: the finance line keeps where its yuan came from."""
    per = ev.groupby([E.month, E.member, E.group], sort=True)[E.amount].sum().round(2).reset_index()
    joined: dict[tuple[str, str], list[str]] = {}   # per[] is sorted: each member's groups stay in order
    for month, member, group, amount in zip(*schema.lists(per, E.month, E.member, E.group, E.amount)):
        joined.setdefault((month, member), []).append(f"{group or '事件登记'} {amount:.2f}")
    index = pd.MultiIndex.from_tuples(list(joined), names=[E.month, E.member])
    return pd.Series(["; ".join(parts) for parts in joined.values()], index=index, dtype=object)


def summarize(events: pd.DataFrame) -> pd.DataFrame:
    """member x month: total, 取消评优 flag, and count/amount per rule id (in rules.md order)."""
    columns = [S.month, S.member, S.dept, S.total_amount, S.disqualified]
    for rule in RULE_IDS:
        columns += [S.count(rule), S.amount(rule)]
    ev = events[(events[E.member] != "") & ~events[E.possible]]     # a near-miss counts nothing until confirmed
    if not len(ev):
        return pd.DataFrame({c: pd.Series(dtype="float64" if c.startswith("amount") or c == S.total_amount
                                          else "int64" if c.startswith("count") else "bool"
                                          if c == S.disqualified else "str")
                             for c in columns + ["by_group", S.member_id]})
    grouped = ev.groupby([E.month, E.member, E.rule], sort=True).agg(count=(E.count, "sum"), amount=(E.amount, "sum"))
    counts = grouped["count"].unstack(E.rule, fill_value=0)
    amounts = grouped["amount"].unstack(E.rule, fill_value=0.0)
    out = pd.DataFrame(index=counts.index)
    dept = ev.drop_duplicates([E.month, E.member]).set_index([E.month, E.member])[E.dept]
    out[S.dept] = dept.reindex(out.index).fillna("")
    out[S.total_amount] = amounts.sum(axis=1).round(2)
    out[S.disqualified] = counts.get("quit_group", pd.Series(0, index=out.index)) > 0
    for rule in RULE_IDS:
        out[S.count(rule)] = counts[rule].astype("int64") if rule in counts else 0
        out[S.amount(rule)] = amounts[rule].round(2) if rule in amounts else 0.0
    out["by_group"] = _by_group(ev).reindex(out.index).fillna("")
    member_id = ev.drop_duplicates([E.month, E.member]).set_index([E.month, E.member])[E.member_id]
    out[S.member_id] = member_id.reindex(out.index).fillna("")
    out = out.reset_index()
    return out[columns + ["by_group", S.member_id]].sort_values(schema.SORT_KEYS["summary"], kind="stable").reset_index(drop=True)
