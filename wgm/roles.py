"""One group's chronological pass: what each message means for the open tasks.

What a message means depends on its sender's role towards the open tasks (the same 已开通 is a
completion from the receiver and part of a verification from the poster), so roles are decided
here, in this order: admin warning, escalation, reminder, verification, completion, reply, new
task / repost / meeting notice, off-topic. Each task keeps the msg_ids of every message that
moved it, so each event can show its evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from wgm import schema
from wgm.roster import Roster
from wgm.settings import Settings

_LEFT = re.compile(r'^"?(?P<who>[^"]+?)"?\s*(?:已)?退出了?(?:该)?群聊')
_BIGRAM_STRIP = re.compile(r"[\W_\d]+")


@dataclass
class Duty:
    receiver: str
    replied: datetime | None = None
    reply_msg: str = ""
    promised: datetime | None = None
    completed: datetime | None = None
    completion_msg: str = ""
    verified: datetime | None = None
    verify_msg: str = ""
    escalated: datetime | None = None
    escalation_msg: str = ""
    confidence: float = 1.0
    reasons: list[str] = field(default_factory=list)


@dataclass
class Task:
    task_id: str
    group: str
    poster: str
    kind: str                     # task | meeting
    posted: datetime
    msg_id: str
    text: str
    deadline: datetime | None
    reply_by: datetime | None
    duties: dict[str, Duty]
    confidence: float
    reasons: list[str]
    format_missing: tuple[str, ...] = ()
    reposts: list[str] = field(default_factory=list)
    after_hours: bool = False
    precision: str = "s"



def _bigrams(text: str) -> set[str]:
    s = _BIGRAM_STRIP.sub("", text)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams: order-insensitive, cheap, fine for short posts."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 1.0 if a.strip() == b.strip() else 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def _closed(t: Task, d: Duty) -> bool:
    return d.verified is not None or (t.kind == "meeting" and d.replied is not None)


def _missing(value) -> bool:
    """pd.isna for one value, without its dispatch (called for most messages of a run)."""
    return value is None or value is pd.NaT or value != value


def _ts(value) -> datetime | None:
    if _missing(value):
        return None
    return value if type(value) is datetime else pd.Timestamp(value).to_pydatetime()


class _GroupPass:
    """State of one group's chronological pass."""

    def __init__(self, group: str, settings: Settings, roster: Roster, members: list[str], admins: set[str],
                 supervisors: dict[str, str], office: set[str]) -> None:
        self.group = group
        self.settings = settings
        self.roster = roster
        self.members = members
        self.admins = admins
        self.supervisors = supervisors
        self.office = office
        self.tasks: list[Task] = []
        # open work indexed by person, pruned as it closes: lookups stay short over a year of tasks
        self.open_by_poster: dict[str, list[Task]] = {}
        self.open_by_receiver: dict[str, list[tuple[Task, Duty]]] = {}
        self.by_msg: dict[str, Task] = {}
        self.roles: list[tuple[str, str, str, float, str]] = []
        self.warnings: list[dict] = []
        self.off_topic: list[dict] = []
        self.left: list[dict] = []
        self.cutoff = settings.time("cutoff")
        self.similar = settings.repost_similarity
        self.lookback = settings.warning_lookback
        self.quote_member: dict[str, str] = {}

    # ---- helpers -------------------------------------------------------------------------
    def _role(self, r, kind: str, task_id: str = "", confidence: float = 1.0, reason: str = "") -> None:
        self.roles.append((r.msg_id, kind, task_id, confidence, reason))

    def _quoted(self, r) -> Task | None:
        return self.by_msg.get(r.quote_id) if r.quote_id else None

    def _poster_tasks(self, who: str) -> list[Task]:
        """The poster's tasks that still have a duty not verified (meetings: not answered)."""
        tasks = self.open_by_poster.get(who)
        if not tasks:
            return []
        live = [t for t in tasks if any(not _closed(t, d) for d in t.duties.values()) or not t.duties]
        self.open_by_poster[who] = live
        return live

    def _duties_of(self, who: str) -> list[tuple[Task, Duty]]:
        """The person's duties as a receiver that are not closed yet."""
        duties = self.open_by_receiver.get(who)
        if not duties:
            return []
        live = [(t, d) for t, d in duties if not _closed(t, d)]
        self.open_by_receiver[who] = live
        return live

    # ---- the pass ------------------------------------------------------------------------
    def feed(self, r) -> None:
        if r.media == "system" or not r.member:
            self._system(r)
            return
        s = r.member
        if s in self.admins and r.t_warning:
            return self._warning(r)
        if self._escalation(r):
            return
        if r.t_reminder and self._reminder(r):
            return
        hands_out_work = self._hands_out_work(r)
        if r.t_verify and not hands_out_work and self._verification(r):
            return
        if r.t_done and not hands_out_work and self._completion(r):
            return
        replied = self._reply(r)
        if self._new_task(r, replied):
            return
        if replied:
            return
        if r.t_off_topic:
            # words of work (请/帮忙, a mention) beside off-topic words: still off-topic, but for review
            confidence = 0.9 if r.t_off_topic_exact or r.media == "redpacket" else \
                0.6 if r.t_task_verb or r.mentions else 0.8
            self.off_topic.append({"group": self.group, "ts": r.ts, "member": s, "msg_id": r.msg_id,
                                   "confidence": confidence})
            self._role(r, "off_topic", confidence=confidence)
            return
        self._role(r, "media" if r.media not in ("text", "") else "chat")

    def _hands_out_work(self, r) -> bool:
        """@X 请于明天前确认… is a new task even from someone with work awaiting verification."""
        return (not r.quote_id and r.t_task_verb and not _missing(r.time_deadline)
                and bool(self._receivers(r)[0]))

    def _system(self, r) -> None:
        m = _LEFT.match(r.content.strip())
        if m:
            self.left.append({"group": self.group, "ts": r.ts, "name": m.group("who"), "msg_id": r.msg_id})
        self._role(r, "system")

    def _warning(self, r) -> None:
        targets = set(r.mentions)
        quoted_sender = self.quote_member.get(r.quote_id, "") if r.quote_id else ""
        if quoted_sender:
            targets.add(quoted_sender)
        confidence = 0.95
        if not targets:
            since = r.ts - self.lookback
            targets = {o["member"] for o in self.off_topic if since <= o["ts"] <= r.ts}
            confidence = 0.85
        targets.discard(r.member)
        self.warnings.append({"group": self.group, "ts": r.ts, "admin": r.member, "targets": tuple(sorted(targets)),
                              "msg_id": r.msg_id, "confidence": confidence})
        self._role(r, "warning", confidence=confidence)

    def _escalation(self, r) -> bool:
        """§5.7: the poster reports an overdue task upward — @office or @the receiver's supervisor, or says
        上报/介入 — and refers to the task (quotes it, or mentions its receiver)."""
        quoted = self._quoted(r)
        if quoted is not None and quoted.poster == r.member:
            referred = [quoted]
        elif r.mentions:
            referred = [t for t in self._poster_tasks(r.member) if t.kind == "task"
                        and set(r.mentions) & set(t.duties) and any(d.verified is None for d in t.duties.values())]
        else:
            return False
        if not referred:
            return False
        upward_people = self.office | {self.supervisors.get(x, "") for t in referred for x in t.duties}
        upward = bool(set(r.mentions) & (upward_people - {""}))
        if not (upward or r.t_escalation) or (not r.t_escalation and self._hands_out_work(r)):
            return False
        confidence = 0.95 if upward and r.t_escalation else 0.85
        for t in referred:
            for who, duty in t.duties.items():
                if (quoted is not None or who in r.mentions) and duty.escalated is None:
                    duty.escalated, duty.escalation_msg = r.ts, r.msg_id
        self._role(r, "escalation", referred[0].task_id, confidence)
        return True

    def _reminder(self, r) -> bool:
        quoted = self._quoted(r)
        if quoted is not None and quoted.poster == r.member:
            self._role(r, "reminder", quoted.task_id)
            return True
        for t in reversed(self._poster_tasks(r.member)):
            if set(r.mentions) & set(t.duties) or (not r.mentions and any(d.completed is None for d in t.duties.values())):
                self._role(r, "reminder", t.task_id)
                return True
        return False

    def _verification(self, r) -> bool:
        quoted = self._quoted(r)
        if quoted is not None and quoted.poster == r.member:
            targets, confidence = [quoted], 0.95
        else:
            targets = [t for t in self._poster_tasks(r.member) if t.kind == "task" and any(
                d.completed is not None and d.verified is None for d in t.duties.values())]
            confidence = 0.9 if len(targets) == 1 else 0.8
        if not targets:
            return False
        for t in targets:
            for duty in t.duties.values():
                if duty.verified is None:
                    duty.verified, duty.verify_msg = r.ts, r.msg_id
                    if duty.completed is None:
                        duty.reasons.append("完成时间取验证时间（无完成汇报）")
                    duty.confidence = min(duty.confidence, confidence)
        self._role(r, "verification", targets[0].task_id, confidence)
        return True

    def _completion(self, r) -> bool:
        quoted = self._quoted(r)
        if quoted is not None and r.member in quoted.duties and quoted.kind == "task":
            task, confidence = quoted, 0.95
        else:
            open_duties = [(t, d) for t, d in self._duties_of(r.member) if t.kind == "task" and d.completed is None]
            if not open_duties:
                return False
            if len(open_duties) == 1:
                task, confidence = open_duties[0][0], 0.9
            else:
                words = _bigrams(r.bare)
                scored = [(len(words & _bigrams(t.text)), -i, t) for i, (t, _) in enumerate(open_duties)]
                best = max(scored, key=lambda x: (x[0], x[1]))
                task = best[2] if best[0] > 0 else open_duties[0][0]
                confidence = 0.8 if best[0] > 0 else 0.7
        duty = task.duties[r.member]
        duty.completed, duty.completion_msg = r.ts, r.msg_id
        duty.confidence = min(duty.confidence, confidence)
        if confidence < 0.8:
            duty.reasons.append("完成汇报未引用任务，按最早未完成任务归属")
        if duty.replied is None:
            duty.replied, duty.reply_msg = r.ts, r.msg_id
        self._role(r, "completion", task.task_id, confidence)
        return True

    def _stated_time(self, r) -> datetime | None:
        when = r.time_deadline if not _missing(r.time_deadline) else r.time_point
        when = _ts(when)
        return when if when is not None and when >= r.ts else None

    def _reply(self, r) -> bool:
        quoted = self._quoted(r)
        pending = [(t, d) for t, d in self._duties_of(r.member) if d.replied is None]
        if not pending:
            return False
        unread_quote = r.media == "quote" and not r.content.strip()
        if quoted is not None and r.member in quoted.duties:
            chosen = [(quoted, quoted.duties[r.member])] if quoted.duties[r.member].replied is None else []
            confidence = 0.95
        elif unread_quote:
            # the exporter dropped a quoted reply's words: an answer to something, we cannot say what
            chosen = [(t, d) for t, d in pending]
            confidence = 0.6
        else:
            is_task_like = bool(self._receivers(r)[0]) and (r.t_task_verb or not _missing(r.time_deadline))
            answers_task = r.t_ack or (not is_task_like and self._stated_time(r) is not None)
            answers_meeting = r.t_ack or r.t_meeting_reply
            chosen = [(t, d) for t, d in pending
                      if (t.kind == "task" and answers_task) or (t.kind == "meeting" and answers_meeting)]
            # a stated time without 收到/好的 may be about something else: counted, but for review
            confidence = 0.9 if r.t_ack or r.t_meeting_reply else 0.7
        if not chosen:
            return False
        stated = self._stated_time(r)
        for t, d in chosen:
            d.replied, d.reply_msg = r.ts, r.msg_id
            if t.kind == "task" and stated is not None:
                d.promised = stated
            d.confidence = min(d.confidence, confidence)
            if unread_quote:
                d.reasons.append("引用回复的内容未被导出（留痕 v2 CSV），按回复计")
            elif confidence < 0.75:
                d.reasons.append("回复只有时间，未确认收到")
        self._role(r, "reply", chosen[0][0].task_id, confidence)
        return True

    def _receivers(self, r) -> tuple[list[str], float]:
        if r.mention_all:
            return [m for m in self.members if m != r.member], 0.95
        named = [m for m in (*r.mentions, *r.responsible) if m != r.member]
        if named:
            return list(dict.fromkeys(named)), 0.95
        depts = [m for m in r.dept_receivers if m != r.member]
        return depts, 0.85

    def _new_task(self, r, replied: bool) -> bool:
        if r.t_warning:
            return False  # "请勿闲聊" is a conduct remark, not work handed to someone (from a non-admin: chat)
        has_deadline = not _missing(r.time_deadline)
        if not (r.t_meeting or r.t_task_verb or has_deadline):
            return False  # what the conditions below come to, without working out the receivers
        receivers, confidence = self._receivers(r)
        is_meeting = r.t_meeting and (r.mention_all or receivers) and (not _missing(r.time_point) or has_deadline)
        if r.t_question and not has_deadline and not is_meeting:
            return False
        confident_deadline = has_deadline and r.time_deadline_conf >= 0.8
        if not is_meeting and not (r.t_task_verb and (receivers or confident_deadline) or receivers and has_deadline):
            return False
        if r.t_ack and not r.mentions and not r.mention_all:
            return False  # 收到，预计17:30前提交 answers someone; it hands nobody work
        if not receivers:
            confidence = 0.6
        elif not r.t_task_verb:
            confidence = min(confidence, 0.8)
        for t in reversed(self._poster_tasks(r.member)):
            still_open = any(d.completed is None and d.verified is None for d in t.duties.values())
            if (still_open and set(t.duties) == set(receivers)
                    and similarity(t.text, r.bare) >= self.similar):
                t.reposts.append(r.msg_id)
                self.by_msg[r.msg_id] = t
                self._role(r, "repost", t.task_id, 0.9)
                return True
        kind = "meeting" if is_meeting else "task"
        deadline = _ts(r.time_point if is_meeting and not _missing(r.time_point) else r.time_deadline)
        missing: list[str] = []
        if kind == "task":
            if deadline is None:
                missing.append("要求完成时间")
            if not receivers:
                missing.append("责任人/责任部门")
            if len(_BIGRAM_STRIP.sub("", r.bare)) < 4:
                missing.append("工作内容")
        task = Task(task_id="t" + schema.short_hash(self.group, r.msg_id, length=11), group=self.group,
                    poster=r.member, kind=kind, posted=r.ts, msg_id=r.msg_id, text=r.bare, deadline=deadline,
                    reply_by=_ts(r.time_reply_by), duties={m: Duty(m) for m in receivers},
                    confidence=confidence, reasons=[] if confidence >= 0.75 else ["任务识别不确定"],
                    format_missing=tuple(missing), after_hours=r.ts.time() >= self.cutoff,
                    precision=r.precision)
        if not receivers:
            task.reasons.append("任务未指明责任人")
        self.tasks.append(task)
        self.by_msg[r.msg_id] = task
        self.open_by_poster.setdefault(r.member, []).append(task)
        for who, duty in task.duties.items():
            self.open_by_receiver.setdefault(who, []).append((task, duty))
        self._role(r, kind, task.task_id, confidence, "；".join(task.reasons))
        return True
