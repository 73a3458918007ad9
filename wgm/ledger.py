"""The task ledger: who was asked what, when they answered, promised, finished and were verified.

`build` runs the role pass of wgm.roles over every group and lays the result out as frames:
one row per task x receiver (with RD, PT, c, v and the msg_ids behind each), the role of
every message, admin warnings, off-topic posts and members who left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence

import pandas as pd

from wgm import schema
from wgm.roles import REASON, AdminWarning, Departure, Duty, GroupState, OffTopicPost, Role, Task, feed, feed_quiet, unclaimed
from wgm.roster import Roster, resolve_member, split_display_name
from wgm.schema import C, M, T
from wgm.settings import Settings


@dataclass(frozen=True)
class Ledger:
    tasks: pd.DataFrame          # schema.TASK_COLUMNS + format_missing, after_hours, task_text_id
    roles: pd.DataFrame          # msg_id → kind, task_id, confidence, review reason
    warnings: pd.DataFrame       # group, ts, admin, targets (tuple), msg_id, confidence
    off_topic: pd.DataFrame      # group, ts, member, msg_id, confidence
    left: pd.DataFrame           # group, ts, name, msg_id (system lines saying a member left)


def _reply_deadline(t: Task, settings: Settings) -> datetime:
    """RD of rules.md: RB if set; before the cutoff, the cutoff that day (or D if earlier that day);
    at or after the cutoff, next_morning the next day."""
    if t.reply_by is not None:
        return t.reply_by
    cutoff = settings.time("cutoff")
    day = t.posted.date()
    if t.posted.time() < cutoff:
        rd = datetime.combine(day, cutoff)
        if t.deadline is not None and t.deadline.date() == day and t.deadline < rd:
            rd = t.deadline
        return rd
    return datetime.combine(day + timedelta(days=1), settings.time("next_morning"))


def build(messages: pd.DataFrame, settings: Settings, roster: Roster) -> Ledger:
    """Run the chronological pass over every group of the classified messages."""
    schema.check_frame(messages, schema.CLASSIFIED_COLUMNS, "classify")
    df = schema.sort_rows(messages, [M.group, M.ts, M.msg_id])
    supervisors = {p.member: p.supervisor for p in roster.people.values() if p.supervisor}
    office = set(roster.office())
    global_admins = {p.member for p in roster.people.values() if p.role == "admin"}
    who = [(p.member, p.dept) for p in roster.people.values()]
    passes: list[GroupState] = []
    for group, gdf in df.groupby(M.group, sort=True):
        g = roster.group(group)
        seen = [m for m in pd.unique(gdf[M.member].to_numpy(dtype=object)) if m]     # in order of appearance
        members = list(g.members) if g and g.members else seen
        admins = set(g.admins) if g and g.admins else set(global_admins)
        admins |= {resolve_member(roster, a)[0] or a for a in settings.admins}
        if settings.admins:
            admins |= set(gdf.loc[gdf[M.sender].isin(settings.admins), M.member])
        state = GroupState(group, settings, members, admins, supervisors, office,
                           quote_member=dict(zip(*schema.lists(gdf, M.msg_id, M.member))),
                           joined_at=joined_at(gdf, roster), who=who)
        # a message its sender recalled (WeCom archive names it) is kept as evidence, never assessed
        recalled = recalled_ids(gdf)
        is_recalled = gdf[M.msg_id].isin(recalled)
        active = (_can_move_a_task(gdf) | _may_carry_off_topic_on(gdf, *settings.off_topic_thread)) \
            & ~is_recalled & (gdf[M.media] != "recall")
        # untagged words (库里就6支，先发过去) can still answer a task their sender was just given: they
        # take the pass too, where only that is asked of them (feed_quiet)
        # …and so can a picture with words (【图片】 A区留样记录: a photo of the work asked, named)
        worded_picture = (gdf[M.media] == "image") \
            & gdf[M.content].str.replace(_PICTURE_MARK, "", regex=True).str.strip().ne("")
        quiet = ~active & ~is_recalled & ((gdf[M.media] == "text") | worded_picture)
        passing = active | quiet
        for r, is_quiet in zip(schema.records(gdf.loc[passing], _PASS_COLUMNS), quiet[passing].to_numpy()):
            if is_quiet:
                feed_quiet(state, r)
            else:
                feed(state, r)
        inert = gdf.loc[~passing]
        # the rest move no task: a recalled message is marked so, a recall notice is a system line
        state.roles.extend(Role(mid, "recalled") if mid in recalled else Role(mid, "system") if media == "recall"
                           else unclaimed(mid, media) for mid, media in zip(*schema.lists(inert, M.msg_id, M.media)))
        passes.append(state)
    built = Ledger(tasks=_tasks_frame(passes, settings),
                   roles=_frame([p.roles for p in passes], Role),
                   warnings=_frame([p.warnings for p in passes], AdminWarning),
                   off_topic=_frame([p.off_topic for p in passes], OffTopicPost),
                   left=_frame([p.left for p in passes], Departure))
    for frame, columns, stage in ((built.tasks, schema.LEDGER_TASK_COLUMNS, "ledger tasks"),
                                  (built.roles, schema.ROLE_COLUMNS, "ledger roles")):
        schema.check_frame(frame, columns, stage)
    return built


_PICTURE_MARK = r"[【\[](?:图片|照片|image)[】\]]"

# the message columns the pass reads
_PASS_COLUMNS = [M.msg_id, M.group, M.ts, M.member, M.media, M.content, M.quote_id, M.precision,
                 *schema.CLASSIFIED_COLUMNS]
# the tags that can make a message move a task (an insult, a question or a near-miss alone cannot)
_MOVING_TAGS = [t for t in schema.TAG_COLUMNS
                if t not in ("t_incivility", "t_question", "t_incivility_near", "t_off_topic_near")]


def _frame(records: Sequence[Sequence[Any]], record_type: Any) -> pd.DataFrame:
    """Records of the groups' passes, one list a group, as one frame whose columns are their fields."""
    return pd.DataFrame([r for group in records for r in group], columns=list(record_type._fields))


_JOINED = re.compile(r"加入(?:了)?(?:该)?群聊")
_QUOTED_NAME = re.compile(r'["“]([^"”]+)["”]')


def joined_at(messages: pd.DataFrame, roster: Roster) -> dict[str, datetime]:
    """Members who joined the group during the export (唐雯邀请"陶子豪-新城店"加入了群聊, "周九"通过扫描…
    加入群聊) and had not written before: member → when. A notice to all before that did not reach them."""
    system = messages[(messages[M.media] == "system") & messages[M.content].str.contains(_JOINED.pattern, regex=True)]
    if system.empty:
        return {}
    by_sender = {sender: member for sender, member in zip(*schema.lists(messages, M.sender, M.member)) if member}
    first_said: dict[str, datetime] = {}
    for member, ts in zip(*schema.lists(messages, M.member, M.ts)):
        if member and member not in first_said:
            first_said[member] = ts
    out: dict[str, datetime] = {}
    for text, ts in zip(*schema.lists(system, M.content, M.ts)):
        names = _QUOTED_NAME.findall(text.split("邀请", 1)[-1]) or [text.split("加入")[0].split("邀请")[-1]]
        for shown in (n.strip() for part in names for n in re.split(r"[、，,]", part)):
            member = by_sender.get(shown) or resolve_member(roster, shown)[0] \
                or resolve_member(roster, split_display_name(shown)[0])[0]
            if member and member not in out and not (member in first_said and first_said[member] < ts):
                out[member] = ts
    return out


def recalled_ids(messages: pd.DataFrame) -> set[str]:
    """msg_ids of messages their sender recalled, where the export says which (WeCom archive)."""
    return set(messages.loc[messages[M.media] == "recall", M.ref_id]) - {""}


def _can_move_a_task(df: pd.DataFrame) -> pd.Series:
    """Messages that can be anything but chat: a tag, a mention, a named receiver, a time, a quote,
    or a system line. The rest (most chatter) cannot change any task and skip the pass."""
    mask = df[[*_MOVING_TAGS, C.mention_all, C.result_stated]].any(axis=1) | (df[M.quote_id] != "") \
        | df[M.media].isin(["system", "quote", "sticker", "file"]) | (df[M.member] == "") \
        | df[M.content].str.contains("[文件]", regex=False) | df[M.content].str.contains("【文件】", regex=False)
    mask |= df[C.time_deadline].notna() | df[C.time_point].notna() | df[C.time_reply_by].notna() \
        | (df[C.time_unread] != "")
    mask |= df[C.mentions].map(bool) | df[C.responsible].map(bool) | df[C.dept_receivers].map(bool)
    return mask


def _may_carry_off_topic_on(df: pd.DataFrame, window: timedelta, max_chars: int) -> pd.Series:
    """Short untagged messages in a chain of posts each within `window` of the one before, after an
    off-topic post: they may join its thread (roles._joins_off_topic_thread decides), so they take the
    pass. `df` is one group's messages in time order."""
    tagged = df["t_off_topic"].to_numpy(dtype=bool)
    out = pd.Series(False, index=df.index)
    if not tagged.any():
        return out
    chatty = tagged | (df[C.bare].str.len() <= max_chars).to_numpy(dtype=bool)
    ts = df.loc[chatty, M.ts]
    chain = (ts.diff() > window).cumsum()
    after_tagged = pd.Series(tagged[chatty], index=ts.index).groupby(chain).cummax()
    out[ts.index] = after_tagged & ~pd.Series(tagged[chatty], index=ts.index)
    return out


def _status(t: Task, d: Duty) -> str:
    if t.kind == "meeting":
        return "answered" if d.replied else "unanswered"
    if d.verified is not None:
        return "verified"
    if d.completed is not None:
        return "done_unverified"
    return "open"


# the task frame's columns, in the order _tasks_frame() builds each row
_TASK_ROW = (T.task_id, T.group, T.poster, T.receiver, T.kind, T.posted, T.reply_by, T.reply_deadline, T.replied,
             T.promised, T.deadline, T.completed, T.verified, T.escalated, T.status, T.task_msg_id, T.reply_msg_id,
             T.completion_msg_id, T.verify_msg_id, T.escalation_msg_id, T.repost_msg_ids, T.text, T.confidence,
             T.needs_review, T.review_reason, *schema.TASK_WORK_COLUMNS)


def _tasks_frame(passes: list[GroupState], settings: Settings) -> pd.DataFrame:
    rows = []      # tuples, not dicts: a year of tasks is ~170k rows
    for p in passes:
        for t in p.tasks:
            rd = _reply_deadline(t, settings)
            duties = t.duties.values() or [Duty("")]
            for d in duties:
                reasons = [*t.reasons, *d.reasons]
                if t.precision != "s":
                    reasons.append(REASON["export.minutes"])
                rows.append((
                    t.task_id, t.group, t.poster, d.receiver, t.kind, t.posted, t.reply_by, rd, d.replied,
                    d.promised or (t.deadline if t.kind == "task" else None), t.deadline,
                    d.completed or (d.verified if d.verified else None), d.verified, d.escalated, _status(t, d),
                    t.msg_id, d.reply_msg, d.completion_msg, d.verify_msg, d.escalation_msg, ";".join(t.reposts),
                    t.text, min(t.confidence, d.confidence), False, "；".join(dict.fromkeys(reasons)),
                    "、".join(t.format_missing), t.after_hours, d.completed is not None, d.promised is not None))
    if not rows:
        return schema.empty_frame(schema.LEDGER_TASK_COLUMNS)
    frame = schema.conform(pd.DataFrame(rows, columns=list(_TASK_ROW)), schema.LEDGER_TASK_COLUMNS)
    return schema.sort_rows(frame, schema.SORT_KEYS["tasks"])
