"""The rules of rules.md, one function per family; each returns event rows (no amounts).

A rule is a pure function of a RuleContext. It counts; `evaluate` prices. Every event
carries the msg_ids behind it, the clause, and its arithmetic in words (`detail`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import Mapping

import pandas as pd

from wgm import schema
from wgm.catalog import BY_ID
from wgm.ledger import Ledger, recalled_ids
from wgm.records import Incident, Snapshot
from wgm.roster import Roster, split_display_name
from wgm.schema import C, E, M, T
from wgm.settings import Settings


@dataclass(frozen=True)
class RuleContext:
    messages: pd.DataFrame   # classified messages (with member, tag columns)
    ledger: Ledger
    settings: Settings
    roster: Roster
    incidents: tuple[Incident, ...]
    snapshots: tuple[Snapshot, ...]
    until: Mapping[str, datetime]   # per group, when its exports were made: duties decided later are not judged


def fmt_ts(t) -> str:
    """5月20日18:00 — how the detail column writes a moment. (t != t is true only for NaT/NaN.)"""
    if t is None or t != t:
        return "—"
    return f"{t.month}月{t.day}日{t.hour:02d}:{t.minute:02d}"


def _event(rule: str, *, group: str, member: str, ts, msg_ids, detail: str, count: int = 1, task_id: str = "",
           confidence: float = 1.0, review_reason: str = "", possible: bool = False) -> dict:
    """One event row. A `possible` one (疑似) is a near-miss: counted 0 and unpriced, listed for review
    until an admin confirms it (then it counts 1)."""
    return {E.rule: rule, E.clause: BY_ID[rule].clause, E.group: group, E.member: member, E.ts: ts,
            E.count: 0 if possible else int(count), E.task_id: task_id, E.msg_ids: ";".join(m for m in msg_ids if m),
            E.detail: detail, E.confidence: float(confidence), E.review_reason: review_reason, E.possible: possible}


def _end_of_day(t: datetime) -> datetime:
    return datetime.combine(t.date(), time(23, 59, 59))


_COMMON_FIELDS = [T.group, T.receiver, T.task_id, T.confidence, T.review_reason, T.task_msg_id, T.reply_msg_id]
# the task columns each rule reads (a time column costs a datetime per row to hand to Python)
_REPLY_FIELDS = _COMMON_FIELDS + [T.kind, T.posted, T.reply_by, T.reply_deadline, T.replied]
_DELIVERY_FIELDS = _COMMON_FIELDS + [T.completed, T.verified, T.promised, T.escalated, T.completion_msg_id,
                                     T.verify_msg_id, T.escalation_msg_id, "promise_stated", "completion_reported"]
_POSTING_FIELDS = [T.group, T.poster, T.task_id, T.kind, T.posted, T.task_msg_id, T.repost_msg_ids, T.confidence,
                   T.review_reason, "format_missing", "after_hours"]


def replies(ctx: RuleContext) -> list[dict]:
    """§5.1, §5.4, §5.5, §5.8: reply_missed / reply_late / reply_after_requested and the meeting pair."""
    out = []
    tasks = ctx.ledger.tasks
    # every branch below passes over a reply made by its deadline: most tasks never reach Python
    late = (tasks[T.receiver] != "") & ~(tasks[T.replied] <= tasks[T.reply_deadline])
    for t in schema.records(tasks[late], _REPLY_FIELDS):
        rd = t.reply_deadline
        until = ctx.until[t.group]
        replied = None if pd.isna(t.replied) else t.replied
        meeting = t.kind == "meeting"
        ids = [t.task_msg_id, t.reply_msg_id]
        common = dict(group=t.group, member=t.receiver, task_id=t.task_id, confidence=t.confidence,
                      review_reason=t.review_reason)
        posted = f"{'会议通知' if meeting else '任务'}发布 {fmt_ts(t.posted)}"
        if not pd.isna(t.reply_by) and not meeting:
            if replied is not None and replied <= rd:
                continue
            if replied is None and until < rd:
                continue
            answer = f"回复于 {fmt_ts(replied)}" if replied else "未回复"
            out.append(_event("reply_after_requested", ts=rd, msg_ids=ids,
                              detail=f"{posted}，要求 {fmt_ts(rd)} 前回复，{answer}", **common))
            continue
        if replied is not None and replied <= rd:
            continue
        if replied is not None and replied.date() == rd.date():
            rule = "meeting_reply_late" if meeting else "reply_late"
            out.append(_event(rule, ts=rd, msg_ids=ids,
                              detail=f"{posted}，回复截止 {fmt_ts(rd)}，{fmt_ts(replied)} 才回复（当天延迟）", **common))
            continue
        if replied is None and until < _end_of_day(rd):
            continue
        rule = "meeting_reply_missed" if meeting else "reply_missed"
        answer = f"首次回复 {fmt_ts(replied)}（已过当天）" if replied else "未回复"
        out.append(_event(rule, ts=rd, msg_ids=ids, detail=f"{posted}，回复截止 {fmt_ts(rd)}，{answer}", **common))
    return out


def delivery(ctx: RuleContext) -> list[dict]:
    """§5.5–§5.7, §5.10: promise_missed and delay_days on verified tasks; verification_missing."""
    out = []
    cap = ctx.settings.cap_days
    grace = ctx.settings.verification_grace
    tasks = ctx.ledger.tasks[ctx.ledger.tasks[T.kind] == "task"]
    # judged only once verified, and only when finished after the promise (NaT compares false)
    late = (tasks[T.receiver] != "") & tasks[T.verified].notna() & (tasks[T.completed] > tasks[T.promised])
    for t in schema.records(tasks[late], _DELIVERY_FIELDS):
        c, v, pt = t.completed, t.verified, t.promised
        ids = [t.task_msg_id, t.reply_msg_id, t.completion_msg_id, t.verify_msg_id]
        common = dict(group=t.group, member=t.receiver, task_id=t.task_id, confidence=t.confidence,
                      review_reason=t.review_reason)
        source = "承诺" if t.promise_stated else "要求完成时间"
        how = "" if t.completion_reported else "（无完成汇报，按验证时间计）"
        out.append(_event("promise_missed", ts=v, msg_ids=ids,
                          detail=f"{source} {fmt_ts(pt)}，{fmt_ts(c)} 完成{how}，验证于 {fmt_ts(v)}", **common))
        days = (c.date() - pt.date()).days
        if days <= 0:
            continue
        escalated = not pd.isna(t.escalated) and t.escalated <= v
        counted = days if escalated or days <= cap else cap
        note = "，已上报，全额计" if escalated and days > cap else (f"，未上报，按{cap}天计" if counted < days else "")
        out.append(_event("delay_days", count=counted, ts=v, msg_ids=ids + [t.escalation_msg_id],
                          detail=f"{source} {fmt_ts(pt)}，{fmt_ts(c)} 完成，延迟{days}天{note}", **common))
    out.extend(_verification_missing(tasks, grace, ctx.until))
    return out


def _verification_missing(tasks: pd.DataFrame, grace, until: Mapping[str, datetime]) -> list[dict]:
    """§5.10, once per task: a completion was reported and the poster did not verify within the grace."""
    reported = tasks[tasks["completion_reported"]]
    if not len(reported):
        return []
    per_task = reported.groupby(T.task_id, sort=True).agg(
        group=(T.group, "first"), poster=(T.poster, "first"), task_msg=(T.task_msg_id, "first"),
        first_done=(T.completed, "min"), confidence=(T.confidence, "min"), reason=(T.review_reason, "first"))
    # joined in one pass: a ";".join aggregation runs pandas' per-group Python path (seconds at scale)
    completions: dict[str, list[str]] = {}
    for task_id, msg_id in zip(*schema.lists(reported, T.task_id, T.completion_msg_id)):
        completions.setdefault(task_id, []).append(msg_id)
    per_task["completion_ids"] = [";".join(completions[t]) for t in per_task.index]
    verified = tasks[tasks[T.task_id].isin(per_task.index)].groupby(T.task_id)[T.verified].min()
    per_task["due"] = per_task["first_done"] + grace
    per_task["verified"] = verified.reindex(per_task.index)
    late = per_task[(per_task["verified"].isna() | (per_task["verified"] > per_task["due"]))
                    & (per_task["due"] <= per_task["group"].map(until).astype("datetime64[ns]"))]
    return [_event("verification_missing", group=r.group, member=r.poster, task_id=task_id, ts=r.due,
                   msg_ids=[r.task_msg, *r.completion_ids.split(";")], confidence=r.confidence,
                   review_reason=r.reason,
                   detail=f"{fmt_ts(r.first_done)} 汇报完成，发布人至 {fmt_ts(r.due)} 未在群内验证")
            for task_id, r in zip(late.index, late.itertuples(index=False))]


def posting(ctx: RuleContext) -> list[dict]:
    """§5.9 format, §5.3 repost, §5.5 after_hours: once per task post."""
    out = []
    first = ctx.ledger.tasks.drop_duplicates(T.task_id)
    first = first[((first[T.kind] == "task") & (first["format_missing"] != "")) | first["after_hours"]
                  | (first[T.repost_msg_ids] != "")]
    reposts = {i for ids in first[T.repost_msg_ids].tolist() for i in ids.split(";")} - {""}
    m = ctx.messages
    ts_of = dict(zip(*schema.lists(m[m[M.msg_id].isin(reposts)], M.msg_id, M.ts))) if reposts else {}
    for t in schema.records(first, _POSTING_FIELDS):
        common = dict(group=t.group, member=t.poster, task_id=t.task_id)
        if t.kind == "task" and t.format_missing:
            out.append(_event("format", ts=t.posted, msg_ids=[t.task_msg_id], confidence=t.confidence,
                              review_reason=t.review_reason, detail=f"任务发布缺少：{t.format_missing}", **common))
        if t.after_hours:
            out.append(_event("after_hours", ts=t.posted, msg_ids=[t.task_msg_id],
                              detail=f"{fmt_ts(t.posted)} 发布（{ctx.settings.time('cutoff'):%H:%M} 后）", **common))
        for repost_id in filter(None, t.repost_msg_ids.split(";")):
            out.append(_event("repost", ts=ts_of[repost_id], msg_ids=[t.task_msg_id, repost_id], confidence=0.9,
                              detail=f"{fmt_ts(ts_of[repost_id])} 重复发布 {fmt_ts(t.posted)} 的未完成任务，应以提醒方式跟催",
                              **common))
    return out


def conduct(ctx: RuleContext) -> list[dict]:
    """§5.12 off_topic_after_warning and §5.15 incivility, and their near-misses (疑似): possible events,
    counted 0 until an admin confirms them."""
    out = []
    m = ctx.messages
    posts, warnings = ctx.ledger.off_topic, ctx.ledger.warnings
    recalled = recalled_ids(m)
    if len(warnings):
        targeted = warnings.explode("targets").dropna(subset=["targets"]).rename(
            columns={"targets": "member", "ts": "warned", "msg_id": "warning_id", "confidence": "warning_conf"})
        targeted["warned"] = pd.to_datetime(targeted["warned"])
        # the keys in one dtype: warnings that targeted nobody leave an empty, untyped column
        targeted = targeted.astype({"group": "str", "member": "str"})
        for h in _after_warnings(posts, targeted, ctx).itertuples(index=False):
            out.append(_event("off_topic_after_warning", group=h.group, member=h.member, ts=h.ts,
                              msg_ids=[h.warning_id, h.msg_id], confidence=min(h.confidence, h.warning_conf),
                              detail=f"管理员 {h.admin} 于 {fmt_ts(h.warned)} 制止后，{fmt_ts(h.ts)} 仍发布与公务无关信息"))
        near = m[m["t_off_topic_near"] & (m[M.member] != "") & ~m[M.msg_id].isin(set(posts["msg_id"]) | recalled)]
        if len(near):
            near = near[[M.group, M.ts, M.member, M.msg_id, C.bare]].assign(confidence=0.3)
            for h in _after_warnings(near, targeted, ctx).itertuples(index=False):
                words = "、".join(_near_words(h.bare, ctx.settings, "off_topic"))
                out.append(_event("off_topic_after_warning", group=h.group, member=h.member, ts=h.ts,
                                  msg_ids=[h.warning_id, h.msg_id], confidence=0.3, possible=True,
                                  review_reason="疑似制止后仍发无关信息：未计入，确认后按1条计",
                                  detail=f"管理员 {h.admin} 于 {fmt_ts(h.warned)} 制止后，{fmt_ts(h.ts)} 的发言含「{words}」，"
                                         "可能与公务无关，请核实"))
    rude = m[m["t_incivility"] & (m[M.member] != "") & ~m[M.msg_id].isin(recalled)]
    for r in rude.itertuples(index=False):
        out.append(_event("incivility", group=r.group, member=r.member, ts=r.ts, msg_ids=[r.msg_id], confidence=0.8,
                          detail=f"{fmt_ts(r.ts)} 发布不文明/侮辱性语言"))
    near = m[m["t_incivility_near"] & (m[M.member] != "") & ~m[M.msg_id].isin(recalled)]
    for r in near.itertuples(index=False):
        words = "、".join(_near_words(getattr(r, C.bare), ctx.settings, "incivility"))
        out.append(_event("incivility", group=r.group, member=r.member, ts=r.ts, msg_ids=[r.msg_id], confidence=0.3,
                          possible=True, review_reason="疑似人身攻击：未计入，确认后按1条计",
                          detail=f"{fmt_ts(r.ts)} 的发言含「{words}」，像是针对他人的贬损，请核实是否属不文明语言"))
    return out


def _after_warnings(posts: pd.DataFrame, targeted: pd.DataFrame, ctx: RuleContext) -> pd.DataFrame:
    """The posts made by a member within warning.valid_for after a warning that targeted them, each with
    the last such warning (admin, warned, warning_id, warning_conf)."""
    if not len(posts) or not len(targeted):
        return posts.iloc[:0].assign(warning_id="", admin="", warned=pd.NaT, warning_conf=0.0)
    # both times in one unit: the ledger's and the messages' may differ (ns, us)
    hits = pd.merge_asof(posts.assign(ts=pd.to_datetime(posts["ts"]).astype("datetime64[ns]"))
                         .astype({"group": "str", "member": "str"}).sort_values("ts"),
                         targeted.assign(warned=targeted["warned"].astype("datetime64[ns]")).sort_values("warned"),
                         left_on="ts", right_on="warned",
                         by=["group", "member"], direction="backward", allow_exact_matches=False,
                         tolerance=ctx.settings.warning_valid_for)
    return hits.dropna(subset=["warning_id"])


def _near_words(text: str, settings: Settings, kind: str) -> list[str]:
    """The near-miss words a text has, for the event's detail (the tag says that it has one)."""
    if kind == "incivility":
        words = settings.words("incivility_near")
        found = [w for w in words if w in text]
        found += [m.group() for p in settings.words("incivility_near_patterns") for m in re.finditer(p, text)]
    else:
        found = [w for w in (*settings.words("off_topic_weak"), *settings.words("off_topic_near")) if w in text]
    return list(dict.fromkeys(found))[:3] or ["…"]


def missing_from_snapshots(ctx: RuleContext) -> list[dict]:
    """§3, §5.16 quit_group: an expected member missing from a members snapshot."""
    out = []
    for snap in ctx.snapshots:
        g = ctx.roster.group(snap.group)
        expected = set(g.members) if g else set()
        for who in sorted(expected - snap.members):
            ts = datetime.combine(snap.as_of, time(23, 59, 59))
            out.append(_event("quit_group", group=snap.group, member=who, ts=ts, msg_ids=[],
                              detail=f"{snap.as_of} 成员快照中不在群内（应在群成员）"))
    return out


def left_group(ctx: RuleContext) -> list[dict]:
    """§5.16 quit_group: a system line saying a member left the group."""
    out: list[dict] = []
    if ctx.ledger.left.empty:
        return out
    aliases = ctx.roster.alias_map()
    shown = ctx.messages[[M.sender, M.member]].drop_duplicates(keep="last")   # the last one wins, as in zip()
    members = dict(zip(shown[M.sender], shown[M.member]))     # display names the group showed
    for x in ctx.ledger.left.itertuples(index=False):
        # the line names the display name: the roster's alias, the member who posted under it, or the
        # name part of 姓名-部门
        who = aliases.get(x.name) or members.get(x.name) or aliases.get(split_display_name(x.name)[0]) \
            or split_display_name(x.name)[0]
        out.append(_event("quit_group", group=x.group, member=who, ts=x.ts, msg_ids=[x.msg_id],
                          detail=f"{fmt_ts(x.ts)} 系统消息：退出群聊"))
    return out


def naming(ctx: RuleContext) -> list[dict]:
    """§3 naming: display names that are not 姓名+部门, once per group, member and month."""
    out = []
    m = ctx.messages[(ctx.messages[M.member] != "") & (ctx.messages[M.sender] != "")]
    pattern = re.compile(ctx.settings.naming["member"])
    # the month as datetime64[M] partitions like "%Y-%m" text, without formatting a million times
    firsts = m.assign(_month=m[M.ts].to_numpy().astype("datetime64[M]")) \
        .drop_duplicates([M.group, M.member, M.sender, "_month"])
    for r in firsts.itertuples(index=False):
        person = ctx.roster.people.get(r.member)
        if person and person.dept:
            ok = person.name in r.sender and (person.dept in r.sender or person.dept.rstrip("部") in r.sender)
        else:
            ok = bool(pattern.match(r.sender))
        if not ok:
            out.append(_event("naming", group=r.group, member=r.member, ts=r.ts, msg_ids=[r.msg_id],
                              detail=f"群昵称“{r.sender}”不符合“姓名-部门”命名规则"))
    company = ctx.settings.company or ctx.roster.company
    if company:
        gpattern = re.compile(ctx.settings.naming["group"].replace("{company}", re.escape(company)))
        for group, gm in ctx.messages.groupby(M.group, sort=True):
            if group and not gpattern.match(group):
                first = gm.iloc[0]
                out.append(_event("naming", group=group, member="", ts=first[M.ts], msg_ids=[first[M.msg_id]],
                                  detail=f"群名“{group}”不符合“公司名+部门/业务名”命名规则"))
    return out


def incidents(ctx: RuleContext) -> list[dict]:
    """§5.11, §5.13, §5.14 from the incidents file (not visible in a group log)."""
    out = []
    for inc in ctx.incidents:
        ts = datetime.combine(inc.date, time(12, 0))
        detail = inc.note or BY_ID[inc.rule].zh
        if inc.rule == "loss":
            detail = f"{detail}：损失 {inc.loss_amount:,.2f} 元 × {inc.rate:.0%}"
        out.append(_event(inc.rule, group=inc.group, member=inc.member, ts=ts, msg_ids=[],
                          detail=f"{detail}（{inc.source}:{inc.line}）"))
    return out


# families that see one group at a time (a run's groups can be judged apart, in workers), and those
# that read the run's side files
GROUP_FAMILIES = (replies, delivery, posting, conduct, left_group, naming)
RUN_FAMILIES = (missing_from_snapshots, incidents)


def run_group_families(ctx: RuleContext) -> list[dict]:
    return [row for family in GROUP_FAMILIES for row in family(ctx)]


def run_run_families(ctx: RuleContext) -> list[dict]:
    return [row for family in RUN_FAMILIES for row in family(ctx)]
