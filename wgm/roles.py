"""One group's chronological pass: what each message means for the open tasks.

What a message means depends on its sender's role towards the open tasks (the same 已开通 is a
completion from the receiver and part of a verification from the poster), so each message is
offered to the handlers of HANDLERS in that order and the first that claims it decides its role;
a message none claims is chat (or media). Each task keeps the msg_ids of every message that moved
it, so each event can show its evidence.

§ numbers point into regulation.txt (§5.n: the n-th line of 考核细则), as in rules.md, whose
definitions the handlers implement.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from collections.abc import Iterable, Set as AbstractSet
from typing import NamedTuple

import pandas as pd

from wgm import ids, schema
from wgm.phrases import LINK, alternation
from wgm.settings import Settings

_LEFT = re.compile(r'^"?(?P<who>[^"]+?)"?\s*(?:已)?退出了?(?:该)?群聊')
_BIGRAM_STRIP = re.compile(r"[\W_\d]+")
_AT_NAME = re.compile(r"@\S+")     # @罗刚-仓储部: whom a post is to, not what it is about
_NUMBER = re.compile(r"(?<![\dA-Za-z])(?:\d{4,}|[A-Za-z]+\d+[A-Za-z0-9]*|\d+[A-Za-z]+)(?![\dA-Za-z])")
_YEAR = re.compile(r"(?:19|20)\d\d")
_CONFIRMS = re.compile(r"确认|验收|完成|闭环|(?<!沟)通过|合格|无误")     # (沟通过了 passes nothing)
_FIRST_PERSON_START = re.compile(r"^\W*(?:这个|那个|这边|好的?，?)?\s*(?:我|咱们?|我们)"
                                 r"|^[^，,。；;！!？?\s@]{1,8}?(?:我|我们)(?:这周|今天|明天|下午|上午|先|再|来|去|会|这边|重新)")

# How sure each reading is. A duty carries the lowest confidence of the messages that moved it, a task
# that of its post; events below review.min_confidence are marked for review (wgm.evaluate).
CONFIDENCE = {
    "warning.targets_named": 0.95,        # it @-mentions or quotes whom it warns
    "warning.lookback": 0.85,             # its targets are whoever posted off-topic shortly before
    "escalation.upward_and_words": 0.95,  # @office or @a supervisor, and 上报/介入
    "escalation.upward_or_words": 0.85,
    "reminder.question": 0.85,            # a question about an open task, not a reminder word
    "verification.quoted": 0.95,
    "verification.only_candidate": 0.9,   # the poster had one task awaiting verification
    "verification.several": 0.8,          # it verifies every task awaiting verification
    "verification.unreported": 0.75,      # a confirmation of a task no one reported done (by its words)
    "verification.outcome_taken": 0.8,    # no word of checking: an outcome and a yes (检查组签收了，好)
    "completion.quoted": 0.95,
    "completion.only_open": 0.9,          # the receiver had one open task
    "completion.shared_words": 0.8,       # the open task it shares the most words with
    "completion.oldest": 0.7,             # no shared words: the oldest open task
    "completion.data": 0.7,               # data alone (plates, phone numbers): what was asked for, for review
    "completion.file": 0.7,               # a file or picture named like the work asked for: its delivery, for review
    "completion.figure": 0.8,             # a figure, where the task asked for one (报一下人数)
    "completion.going_on": 0.8,           # no word of its task, but the sender was just talking about it
    "completion.result_stated": 0.8,      # a result stated (改回60s了), no completion word: earlier is the
    #                                       gentler error (a delay ends sooner), so not held for review
    "reply.quoted": 0.95,
    "reply.acknowledged": 0.9,            # 收到/好的, or a meeting reply (参加/请假)
    "reply.progress": 0.85,
    "reply.topic": 0.8,                   # no 收到, but words of the task (库里就6支，先发过去) or the
    #                                       receiver's first words after it, soon (查着呢)               # a status line (在查了, 正在统计): an answer, nothing finished
    "reply.sticker": 0.6,                 # a sticker or an emoji alone from someone with a task unanswered
    "reply.time_only": 0.7,               # a stated time may be about something else
    "reply.unread_quote": 0.6,            # a quoted reply whose words the exporter dropped
    "task.everyone": 0.95,                # @所有人
    "task.named": 0.95,                   # @-mentions or 责任人：
    "task.department": 0.85,              # 责任部门： (its head)
    "task.no_verb": 0.8,                  # at most: receivers and a deadline, but no 请/帮忙
    "task.no_receiver": 0.6,
    "task.time_unread": 0.6,              # it states a time wgm cannot read (元宵节前): no deadline, for review
    "repost": 0.9,
    "off_topic.exact": 0.9,               # an exact off-topic phrase, or a red packet
    "off_topic.plain": 0.8,
    "off_topic.work_words": 0.6,          # beside words of work (请/帮忙, a mention)
    "off_topic.thread": 0.6,              # a short reply in an off-topic thread, no off-topic words of its own
}

# Lines drawn through confidences, the classifier's or the pass's own.
THRESHOLD = {
    "task.sure": 0.75,         # a task less sure is flagged 任务识别不确定 (review.min_confidence's default,
                               # fixed here: the setting does not move it)
    "deadline.sure": 0.8,      # a deadline this sure makes a 请/帮忙 post a task though it names no receiver
}

# Why a task, a duty or a role needs review: the text shown beside the events they give.
REASON = {
    "verification.no_completion": "完成时间取验证时间（无完成汇报）",
    "completion.oldest": "完成汇报未引用任务，按最早未完成任务归属",
    "completion.data": "只有数据（车牌、电话、单号）的消息按完成汇报计",
    "completion.file": "发来的文件或图片按完成汇报计（名称或说明与任务相符）",
    "completion.figure": "回报的数字按完成汇报计（任务要求报数）",
    "reply.unread_quote": "引用回复的内容未被导出（留痕 v2 CSV），按回复计",
    "reply.time_only": "回复只有时间，未确认收到",
    "reply.sticker": "只回复了表情，按回复计，请核对",
    "task.uncertain": "任务识别不确定",
    "task.no_receiver": "任务未指明责任人",
    "task.time_unread": "完成时间读不出",
    "export.minutes": "导出时间只精确到分钟",
    "off_topic.thread": "无关话题的跟帖（本身无无关用语）",
}

# What a task post must state (§4.2.1, §5.9), named in the format event of a post lacking it.
FORMAT_ELEMENT = {"deadline": "要求完成时间", "receiver": "责任人/责任部门", "content": "工作内容"}
_SELF_INTRODUCTION = re.compile(r"^\W*(?:(?:大家好[，,！!]?\s*)?我是|欢迎)")
_MIN_CONTENT = 4     # characters of words (no digits or punctuation) that can say what is to be done


class Role(NamedTuple):
    """What one message means for the tasks: a row of Ledger.roles, whose columns (schema.M names) are
    these fields. kind: system, warning, escalation, reminder, verification, completion, reply, task,
    meeting, repost, off_topic, chat, media or recalled."""

    msg_id: str
    kind: str
    task_id: str = ""
    confidence: float = 1.0
    review_reason: str = ""


class AdminWarning(NamedTuple):
    """An admin's 制止 (§4.1.4, §5.12): a row of Ledger.warnings."""

    group: str
    ts: datetime
    admin: str
    targets: tuple[str, ...]
    msg_id: str
    confidence: float


class OffTopicPost(NamedTuple):
    """A post unrelated to work (§3, §5.12): a row of Ledger.off_topic."""

    group: str
    ts: datetime
    member: str
    msg_id: str
    confidence: float


class Departure(NamedTuple):
    """A system line saying someone left the group (§5.16): a row of Ledger.left."""

    group: str
    ts: datetime
    name: str         # as the line shows it, not yet matched to a member
    msg_id: str


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
    escalated_to: set[str] = field(default_factory=set)     # whom the poster reported it to (沈院, the office)
    after_hours: bool = False
    precision: str = "s"


@functools.lru_cache(maxsize=8192)
def _bigrams(text: str) -> frozenset[str]:
    """A text's character bigrams (cached: an open task's text is compared with many messages)."""
    s = _BIGRAM_STRIP.sub("", text)
    return frozenset(s[i:i + 2] for i in range(len(s) - 1))


@functools.lru_cache(maxsize=16384)
def _topic(text: str, common: frozenset[str]) -> frozenset[str]:
    """The bigrams of a text that can show what it is about: its bigrams less the run's common ones
    (一下, 今天, 我们: lexicon common_words), which two unrelated messages share as easily — and its
    ids: numbers of four digits or more (BUG#1032 … 1032修了), years aside, and letters with digits (P1, GD2603012, 6S):
    an id names one thing (618, 320件 do not)."""
    words = _bigrams(text) - common if common else _bigrams(text)
    numbers = {f"#{n}" for n in _NUMBER.findall(text) if not _YEAR.fullmatch(n)}
    return words | numbers if numbers else words


def similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams: order-insensitive, cheap, fine for short posts."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 1.0 if a.strip() == b.strip() else 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def _closed(t: Task, d: Duty) -> bool:
    return d.verified is not None or (t.kind == "meeting" and d.replied is not None)


# work handed to "you" by the one spoken to (…周四上午给您行吗, 明天发你): the sender's own delivery
_HANDING = r"(?:给|发|交|报|送|传)"
_TO_YOU = re.compile(rf"{_HANDING}(?:到)?(?:您|你)(?!们)")
# …and work asked to be brought to the sender (发我, 交给我, 报我): a request, whoever it names
_TO_ME = re.compile(rf"{_HANDING}(?:给|到)?我(?!们)")
_FILE_SENT = re.compile(r"[【\[](?:文件|图片|照片)[】\]]")
# a file's name (门店整改计划.docx): words of what it is, not words asking anything
_FILE_NAME = re.compile(r"[^\s\[\]【】.]{1,80}\.(?:docx?|xlsx?|pptx?|pdf|zip|rar|7z|txt|csv|png|jpe?g|mp4)\b", re.IGNORECASE)
# an answer giving a figure, to a task asking for one (rules.yaml asks_figure: 报一下人数, 需要几个): a count
# with its unit (番禺4个, 30盒; rules.yaml figure_units), or things and their counts (奶黄20，莲蓉15)
_FIGURE_PAIRS = r"(?:[\u4e00-\u9fa5]{1,6}\s*\d+\s*[，,、；;\s]\s*){1,20}[\u4e00-\u9fa5]{1,6}\s*\d+"
_BY_A_TIME = re.compile(r"前|之内|以内|内$")


def _missing(value) -> bool:
    """pd.isna for one value, without its dispatch (called for most messages of a run)."""
    return value is None or value is pd.NaT or value != value


def _ts(value) -> datetime | None:
    if _missing(value):
        return None
    return value if type(value) is datetime else pd.Timestamp(value).to_pydatetime()


# …说 just before a time: what someone else said of it (厂家说10点半到, 采购说下周一到), no time of the sender's
_REPORTED_SPEECH = re.compile(r"(?:说|讲|回复|答应)(?:的是|是)?\s*$")


# after a time of today: being somewhere, doing something (全员在7栋…, 都在外面), not work due by then
_BEING_AT = re.compile(r"\s*(?:全员|全部|大家|人|我们?|我这边)?都?在(?![^，,。；;！!？?]{0,10}(?:前|好|完|掉))")


def _stated_time(state: "GroupState", r) -> datetime | None:
    """The time a message states (its deadline, else its point in time), if not already past. A point
    that is just the day it is said (今天在厂家培训一天) tells what goes on today, not when work is due;
    a time someone else gave (厂家说10点半到) is not the sender's."""
    if not _missing(r.time_deadline):
        text = r.time_deadline_text or ""
        at = r.bare.find(text) if text else -1
        if at > 0 and _REPORTED_SPEECH.search(r.bare[max(0, at - 6):at]):
            return None
        when = _ts(r.time_deadline)
        if when is not None and when.date() == r.ts.date() and _BEING_AT.match(r.bare, at + len(text)):
            return None     # 今天全员在7栋配合厂家做保养: where one is today, no time work is due
    else:
        when = _ts(r.time_point)
        if when is not None and when.date() == r.ts.date() and when.time() == state.end_of_day:
            return None
    return when if when is not None and when >= r.ts else None


def _says_what(state: "GroupState", r) -> bool:
    """Does a task post say what is to be done (§5.9)? Four characters of words at least; and a post
    leaning on a reference (那个事明天上班前给我, 昨天说的那个) must say more than the reference, its time
    and its filler (给我, 怎么样了)."""
    words = _BIGRAM_STRIP.sub("", r.bare)
    if len(words) < _MIN_CONTENT:
        return False
    if state.vague is None or not state.vague.search(r.bare):
        return True
    rest = state.vague.sub("", r.bare)
    if r.time_deadline_text:
        rest = rest.replace(r.time_deadline_text, "")
    if state.filler is not None:
        rest = state.filler.sub("", rest)
    return len(_BIGRAM_STRIP.sub("", rest)) >= _MIN_CONTENT


def _words_pattern(words) -> re.Pattern | None:
    pattern = alternation(words)
    return re.compile(pattern) if pattern else None


class GroupState:
    """What one group's pass knows so far: its tasks, the open work by person, and what it recorded."""

    def __init__(self, group: str, settings: Settings, members: list[str], admins: set[str],
                 supervisors: dict[str, str], office: set[str], quote_member: dict[str, str],
                 joined_at: dict[str, datetime] | None = None,
                 who: Iterable[tuple[str, str]] = ()) -> None:
        self.group = group
        self.members = members                # whom @所有人 addresses…
        self.joined_at = joined_at or {}      # …once they are in the group (a join seen in the export)
        self.admins = admins
        self.supervisors = supervisors
        self.office = office
        self.quote_member = quote_member      # msg_id → its sender: whom a quoting warning targets
        self.cutoff = settings.time("cutoff")
        self.end_of_day = settings.time("end_of_day")      # what a day named without a clock resolves to
        self.similar = settings.repost_similarity
        self.lookback = settings.warning_lookback
        self.thread, self.thread_chars = settings.off_topic_thread
        self.follow_on = settings.thread_follow_on
        self.common = frozenset(b for w in settings.words("common_words") for b in _bigrams(w))
        # a sender's own name and department say who reports (环境部考勤表交了), not what about
        self.own_words = {m: frozenset(_bigrams(m) | _bigrams(dept)) for m, dept in who}
        # 各科室注意：… / …请知悉: words to all, or a notice; with no one named they hand out no work
        self.to_all = _words_pattern(settings.words("everyone") + settings.words("notice"))
        self.vague = _words_pattern(settings.words("vague_content"))
        self.notice_form = _words_pattern(settings.words("meeting_notice_form"))
        self.request = _words_pattern(settings.words("request"))
        self.asks_anyone = _words_pattern(settings.words("request") + settings.words("asks_anyone"))
        self.asks_anyone_except = _words_pattern(settings.words("asks_anyone_except"))
        self.offers = _words_pattern(settings.words("offers"))
        receipt = alternation(settings.words("ack_receipt"))
        self.receipt_first = re.compile(rf"^[\s\W_]*(?:{receipt})(?:[\s\W_])") if receipt else None
        self.done_whole = _words_pattern(settings.words("done_whole"))
        heads = alternation(settings.words("minutes_heads"))
        self.minutes = re.compile(rf"^[^，,。：:\n]{{0,8}}?(?:{heads})\s*[：:]") if heads else None
        self.deeds = _words_pattern(settings.words("done_verbs") + settings.words("delivery_verbs"))
        self.asks = _words_pattern(settings.words("task"))
        reviews, titles = alternation(settings.words("review_asks")), alternation(settings.words("address_titles"))
        # 【文件】315专题大纲v1.docx 静姐看下: the work handed over with a request to look at it, nothing more
        self.review_ask = re.compile(rf"^[\s\W]*(?:[\u4e00-\u9fa5]{{1,3}}(?:{titles})?[，,\s]*)?(?:麻烦|请|帮忙)?"
                                     rf"(?:{reviews})[\s\W_]*$") if reviews else None
        self.mishap = _words_pattern(settings.words("result_except"))
        self.on_schedule = _words_pattern(settings.words("on_schedule"))
        self.asks_figure = re.compile(alternation(settings.words("asks_figure")) or "(?!)")
        units = alternation(settings.words("figure_units"))
        self.gives_figure = re.compile(rf"\d+\s*(?:{units})|{_FIGURE_PAIRS}" if units else _FIGURE_PAIRS)
        # a check done (看了, 试过, 核对了): what makes 可以 a judgement of work rather than a yes to one's own
        self.check_done = re.compile(f"(?:{alternation(settings.words('verify_checks')) or '(?!)'})(?:了|过|完)")
        # an attendee's own words for coming, or not, to a meeting (5点前赶回来, 下午的会我来主持, 纪要我看了)
        attend = [alternation(settings.words("meeting_answer")), *settings.words("meeting_answer_patterns")]
        self.attends = re.compile("|".join(f"(?:{p})" for p in attend if p)) if any(attend) else None
        self.filler = _words_pattern(settings.words("vague_filler"))
        self.tasks: list[Task] = []
        # open work indexed by person, pruned as it closes: lookups stay short over a year of tasks
        self.open_by_poster: dict[str, list[Task]] = {}
        self.open_by_receiver: dict[str, list[tuple[Task, Duty]]] = {}
        self.by_msg: dict[str, Task] = {}     # a task's post and its reposts → the task
        self.by_id: dict[str, Task] = {}
        self.stepped_in: dict[str, list[Task]] = {}           # member → the tasks reported to them (escalation)
        self.last_said: dict[str, datetime] = {}               # member → when they last wrote
        self.last_task: dict[str, tuple[Task, datetime]] = {}  # member → the task they last spoke of as its receiver
        self.roles: list[Role] = []
        self.warnings: list[AdminWarning] = []
        self.off_topic: list[OffTopicPost] = []
        self.left: list[Departure] = []

    def topic(self, text: str) -> frozenset[str]:
        return _topic(text, self.common)

    def words_of(self, r) -> frozenset[str]:
        """What a message is about, less its sender's own name and department."""
        words = _topic(r.bare, self.common)
        own = self.own_words.get(r.member)
        return words - own if own else words

    def quoted(self, r) -> Task | None:
        return self.by_msg.get(r.quote_id) if r.quote_id else None

    def poster_tasks(self, who: str) -> list[Task]:
        """The poster's tasks that still have a duty not verified (meetings: not answered)."""
        tasks = self.open_by_poster.get(who)
        if not tasks:
            return []
        live = [t for t in tasks if any(not _closed(t, d) for d in t.duties.values()) or not t.duties]
        self.open_by_poster[who] = live
        return live

    def duties_of(self, who: str) -> list[tuple[Task, Duty]]:
        """The person's duties as a receiver that are not closed yet."""
        duties = self.open_by_receiver.get(who)
        if not duties:
            return []
        live = [(t, d) for t, d in duties if not _closed(t, d)]
        self.open_by_receiver[who] = live
        return live

    def receivers(self, r) -> tuple[list[str], float]:
        """Whom a post addresses, its sender left out, and how sure that is (rules.md task: @-mentions,
        责任人/责任部门; @所有人 is every member)."""
        if r.mention_all:
            return [m for m in self.members if m != r.member and not (m in self.joined_at and self.joined_at[m] > r.ts)], \
                CONFIDENCE["task.everyone"]
        named = [m for m in (*r.mentions, *r.responsible) if m != r.member]
        if named:
            return list(dict.fromkeys(named)), CONFIDENCE["task.named"]
        depts = [m for m in r.dept_receivers if m != r.member]
        return depts, CONFIDENCE["task.department"]

    def asks_anyone_in(self, text: str) -> bool:
        """Does a post ask work of whoever reads it (请, 谁去…, 找人修好), its 申请/请假 aside?"""
        if self.asks_anyone is None:
            return False
        if self.asks_anyone_except is not None:
            text = self.asks_anyone_except.sub("", text)
        return self.asks_anyone.search(text) is not None

    def hands_out_work(self, r) -> bool:
        """@X 请于明天前确认… is a new task even from someone with work awaiting verification, completion
        or escalation: it quotes nothing, asks for something (or @-mentions someone) by a time, and names
        its receivers (@马志强 今天去提柜，提柜单发你微信了，中午12点前到码头 hands out work)."""
        receivers = self.receivers(r)[0]
        return (not r.quote_id and (r.t_task_verb or bool(r.mentions)) and not _missing(r.time_deadline)
                and bool(receivers) and not self.answers_a_poster(r, receivers))

    def answers_a_poster(self, r, named: list[str]) -> bool:
        """Does a message naming only people who gave its sender work talk back to them (周总，在弄了，明天
        下午交; @沈一鸣 修复计划发了)? Then it answers a task; it hands out none. An @-mention of them with
        no words of an answer hands them work (@马文斌 …这周全部查一遍，周五前检查表交我)."""
        # …or to whom their work was reported (沈院，厂家配件已经在路上了 after 沈国华 was asked to step in)
        posters = {who for t, d in self.duties_of(r.member) for who in (t.poster, *t.escalated_to)}
        return (bool(named) and set(named) <= posters
                and (not r.mentions or r.t_done or r.t_progress or r.t_ack or _TO_YOU.search(r.bare) is not None)
                and not (r.t_task_verb and _TO_ME.search(r.bare)))   # 请运营部明天中午前…发我: work asked of them

    def going_on(self, r) -> Task | None:
        """The open task the sender spoke of as its receiver in their last words on a task, if that was
        less than thread.follow_on ago: 马上过去 … 清完了，现在能用了 goes on about the same job."""
        last = self.last_task.get(r.member)
        if last is None or r.ts - last[1] > self.follow_on:
            return None
        task, duty = last[0], last[0].duties.get(r.member)
        return task if duty is not None and not _closed(task, duty) else None

    def spoke_of(self, r, role: "Role") -> None:
        """Remember what the sender last said and which task it was about (going_on, reply)."""
        if role.task_id:
            task = self.by_id.get(role.task_id)
            if task is not None and r.member in task.duties:
                self.last_task[r.member] = (task, r.ts)
        self.last_said[r.member] = r.ts

    def add_task(self, task: Task) -> None:
        self.tasks.append(task)
        self.by_msg[task.msg_id] = task
        self.by_id[task.task_id] = task
        self.open_by_poster.setdefault(task.poster, []).append(task)
        for who, duty in task.duties.items():
            self.open_by_receiver.setdefault(who, []).append((task, duty))


# ---- the handlers, in the order HANDLERS tries them ------------------------------------------------
# Each starts with a cheap guard: most messages are chatter, and the pass sees about a million a year.

def system_line(state: GroupState, r) -> Role | None:
    """A system line (or one without a sender) is nobody's message; it may show that someone left
    the group (§3 执意退群, §5.16; rules.md quit_group)."""
    if r.media != "system" and r.member:
        return None
    m = _LEFT.match(r.content.strip())
    if m:
        state.left.append(Departure(state.group, r.ts, m.group("who"), r.msg_id))
    return Role(r.msg_id, "system")


def admin_warning(state: GroupState, r) -> Role | None:
    """rules.md admin warning (§4.1.4, §4.1.5, §5.12): an admin telling members to stop posting
    off-topic content. It targets whom it @-mentions or quotes; with neither, the members who
    posted off-topic within warning.lookback before it."""
    if not r.t_warning or r.member not in state.admins:
        return None
    targets = set(r.mentions)
    quoted_sender = state.quote_member.get(r.quote_id, "") if r.quote_id else ""
    if quoted_sender:
        targets.add(quoted_sender)
    confidence = CONFIDENCE["warning.targets_named"]
    if not targets:
        since = r.ts - state.lookback
        targets = {o.member for o in state.off_topic if since <= o.ts <= r.ts}
        confidence = CONFIDENCE["warning.lookback"]
    targets.discard(r.member)
    state.warnings.append(AdminWarning(state.group, r.ts, r.member, tuple(sorted(targets)), r.msg_id, confidence))
    return Role(r.msg_id, "warning", confidence=confidence)


def escalation(state: GroupState, r) -> Role | None:
    """rules.md escalation (§5.7): the poster reports an overdue task upward — @office or @the
    receiver's supervisor, or says 上报/介入 — and refers to the task (quotes it, or mentions its
    receiver). Copying the office on new work (hands_out_work) without those words is no escalation."""
    if not (r.quote_id or r.mentions) or (r.t_meeting and not r.t_escalation):
        return None     # 【会议通知】… 参会：@陈总 …: calling a supervisor to a meeting reports nothing upward
    quoted = state.quoted(r)
    upward_only: list[Task] = []
    if quoted is not None and quoted.poster == r.member:
        referred = [quoted]
    elif r.mentions:
        referred = [t for t in state.poster_tasks(r.member) if t.kind == "task"
                    and set(r.mentions) & set(t.duties) and any(d.verified is None for d in t.duties.values())]
        if not referred and r.t_escalation:
            referred = upward_only = _reported_upward(state, r)
    else:
        return None
    if not referred or (quoted is None and all(_new_work(state, r, t) for t in referred)):
        return None
    upward_people = state.office | {state.supervisors.get(x, "") for t in referred for x in t.duties}
    upward = bool(set(r.mentions) & (upward_people - {""}))
    if not (upward or r.t_escalation) or (not r.t_escalation and state.hands_out_work(r)):
        return None
    confidence = CONFIDENCE["escalation.upward_and_words" if upward and r.t_escalation
                            else "escalation.upward_or_words"]
    for t in referred:
        for up in set(r.mentions) - set(t.duties) - t.escalated_to:
            t.escalated_to.add(up)
            state.stepped_in.setdefault(up, []).append(t)
        for who, duty in t.duties.items():
            if (quoted is not None or who in r.mentions or upward_only) and duty.escalated is None:
                duty.escalated, duty.escalation_msg = r.ts, r.msg_id
    return Role(r.msg_id, "escalation", referred[0].task_id, confidence)


def _reported_upward(state: GroupState, r) -> list[Task]:
    """@顾长青 顾总，接口文档7/17就该交，已经逾期一周了: escalation words to the office or a receiver's
    supervisor alone, naming no receiver — the poster's open task it speaks of (a word shared), or the
    only one whose receivers answer to those mentioned."""
    up = set(r.mentions)
    candidates = [t for t in state.poster_tasks(r.member) if t.kind == "task"
                  and any(d.completed is None for d in t.duties.values())
                  and (up & state.office or up & {state.supervisors.get(x, "") for x in t.duties})]
    if len(candidates) <= 1:
        return candidates
    words = state.words_of(r)
    best = max(candidates, key=lambda t: len(words & state.topic(t.text)))
    return [best] if len(words & state.topic(best.text)) >= 2 else []


def reminder(state: GroupState, r) -> Role | None:
    """rules.md reminder (§5.3 请以提醒的方式跟催): the poster following up on an open task — one it
    quotes, else the latest whose receivers it mentions, else (mentioning no one) the latest not yet
    completed. A question about an open task (报价今天能出吗？) is a reminder too: one that quotes it,
    mentions its receiver or shares its words. It puts no new duty on anyone."""
    if not (r.t_reminder or r.t_question):
        return None
    quoted = state.quoted(r)
    if quoted is not None and quoted.poster == r.member:
        return Role(r.msg_id, "reminder", quoted.task_id)
    if r.t_verify and r.verify_checked and quoted is None and any(
            t.kind == "task" and any(d.completed is not None and d.verified is None for d in t.duties.values())
            for t in state.poster_tasks(r.member)):
        return None     # 两张新证都看了，没问题。另外提醒下…: a check of work reported first (verification)
    open_tasks = [t for t in reversed(state.poster_tasks(r.member))
                  if any(d.completed is None for d in t.duties.values())]
    # one the work was reported to follows up too (黄科抓紧，ICU监护仪今天给个准话 from the 院领导 stepping in)
    stepped_in = [t for t in reversed(state.stepped_in.get(r.member, ()))
                  if any(d.completed is None for d in t.duties.values())]
    named = set(r.mentions) | set(r.responsible)      # @罗刚 or 郑主管，… (addressed by name)
    if r.t_reminder:
        for t in reversed(state.poster_tasks(r.member)):
            if set(r.mentions) & set(t.duties) or (not r.mentions and t in open_tasks):
                if _new_work(state, r, t) or similarity(t.text, r.bare) >= state.similar:
                    return None     # (the task posted again, word for word: a repost, new_task's to record)
                return Role(r.msg_id, "reminder", t.task_id)
        for t in stepped_in:
            if (named & set(t.duties) or not named) and not _new_work(state, r, t):
                return Role(r.msg_id, "reminder", t.task_id)
        return None
    words = state.words_of(r)
    # a question: about a task, by its receiver or (naming no one) its words — 吴工，阀体首件报告上午能出来吗？
    # asks 吴俊, not 邓海波 whose task is about 阀体 too; of the receiver's tasks, the one it speaks of
    # (接口文档…今天能给吗？ is about the 接口文档, not the meeting since), else the latest work
    about = [(len(words & state.topic(t.text)), t.kind == "task" and not _is_mass(t), -i, t)
             for i, t in enumerate([*open_tasks, *stepped_in])
             if (named & set(t.duties) if named else len(words & state.topic(t.text)) >= 2)]
    if not about:
        return None
    return Role(r.msg_id, "reminder", max(about, key=lambda x: x[:3])[3].task_id, CONFIDENCE["reminder.question"])


def _new_work(state: GroupState, r, task: Task) -> bool:
    """健康证快到期了，这周内去复检…发我 to a receiver of an older task: work of its own, due by its own
    time and about other things (no word of it shared), not a follow-up of that task."""
    return (r.t_task_verb and not _missing(r.time_deadline) and not state.words_of(r) & state.topic(task.text)
            and not (r.quote_id and r.quote_id == task.msg_id))


def verification(state: GroupState, r) -> Role | None:
    """rules.md verification (§4.2.3, §5.10): the poster confirming completion. Quoting a task
    verifies it; quoting none, every task of the poster with an unverified completion report (all
    its receivers). A duty verified without a completion report is completed at the verification."""
    # 检查组签收了，好: the outcome of the work just reported, taken in by its poster (an outcome and a yes)
    takes_in = not r.t_verify and r.t_done and r.t_ack and r.member in state.open_by_poster
    if not (r.t_verify or takes_in) or state.hands_out_work(r):
        return None
    quoted = state.quoted(r)
    own_quote = quoted is not None and quoted.poster == r.member
    if takes_in:
        return _takes_in(state, r)
    if not own_quote and r.t_meeting_reply \
            and any(t.kind == "meeting" and d.replied is None for t, d in state.duties_of(r.member)):
        return None      # ok 我参加 answers the meeting notice still awaiting its answer (reply)
    if not own_quote and r.t_done and not r.verify_checked:
        return None      # 打印好了，三份放您桌上了 / 监控回放修好了: a report in the words of an outcome, no check
    if not own_quote and _stated_time(state, r) is not None \
            and any(t.kind == "task" and d.completed is None
                    and (d.replied is None and not state.check_done.search(r.bare) or not r.verify_checked or r.t_ack)
                    for t, d in state.duties_of(r.member)):
        return None      # 可以 下周一交 from one with work of their own open: a promise (看了，可以，今天反馈
        #                  checks something first: a verification — unless their own work is not even answered:
        #                  可以加，我明早签 answers it)
    if quoted is not None and quoted.poster == r.member:
        targets, confidence = [quoted], CONFIDENCE["verification.quoted"]
    else:
        targets = [t for t in state.poster_tasks(r.member) if t.kind == "task" and any(
            d.completed is not None and d.verified is None for d in t.duties.values())]
        confidence = CONFIDENCE["verification.only_candidate" if len(targets) == 1 else "verification.several"]
        if not targets:
            # 点过数了，320件齐，确认完成: a confirmation of a task nobody reported done, named by its words
            # (or the poster's only open one): completed at the verification
            targets, confidence = _confirmed_unreported(state, r), CONFIDENCE["verification.unreported"]
    if not targets:
        return None
    if not own_quote and (r.t_done and not _CONFIRMS.search(r.bare) or _FILE_SENT.search(r.content)) \
            and _speaks_of_own_work(state, r, targets):
        return None      # 查清楚了，…已经改派 / [文件] 福利款及库存.xlsx …确认好了: of the work asked of the sender,
        #                  a report (completion)
    for t in targets:
        for who, duty in t.duties.items():
            # quoting no task it confirms what was reported (and whom it names): in a task to many, a
            # receiver who reported nothing is not verified by another's confirmation — nor, quoting the
            # task, one who has not even answered it (their answer next morning is still late)
            if duty.verified is None and (quoted is t and duty.replied is not None or duty.completed is not None
                                          or who in r.mentions or len(t.duties) == 1):
                duty.verified, duty.verify_msg = r.ts, r.msg_id
                if duty.completed is None:
                    duty.reasons.append(REASON["verification.no_completion"])
                duty.confidence = min(duty.confidence, confidence)
    return Role(r.msg_id, "verification", targets[0].task_id, confidence)


def _takes_in(state: GroupState, r) -> Role | None:
    """The poster stating the outcome of work reported to them and saying yes (检查组签收了，好): the one
    reported task it shares a word with, and not the sender's own open work more."""
    words = state.words_of(r)
    reported = [t for t in state.poster_tasks(r.member) if t.kind == "task" and any(
        d.completed is not None and d.verified is None for d in t.duties.values())]
    targets = [t for t in reported if words & state.topic(t.text)]
    if len(targets) != 1 or _speaks_of_own_work(state, r, targets):
        return None
    task = targets[0]
    confidence = CONFIDENCE["verification.outcome_taken"]
    for duty in task.duties.values():
        if duty.completed is not None and duty.verified is None:
            duty.verified, duty.verify_msg = r.ts, r.msg_id
            duty.confidence = min(duty.confidence, confidence)
    return Role(r.msg_id, "verification", task.task_id, confidence)


def _speaks_of_own_work(state: GroupState, r, targets: list[Task]) -> bool:
    """Does a message that could confirm others' work share more words with work open on its sender?"""
    words = state.words_of(r)
    own = max((_shared(state, words, t) for t, d in state.duties_of(r.member) if t.kind == "task" and d.completed is None),
              default=0)
    return own > 0 and own > max(_shared(state, words, t) for t in targets)


def _confirmed_unreported(state: GroupState, r) -> list[Task]:
    """The open task a confirmation with no completion report before it verifies: the poster's only open
    task (when the confirmation is short or shares a word with it), or the one sharing the most words
    with it (at least two), if the message says 确认/验收/完成."""
    if not r.t_done and not _CONFIRMS.search(r.bare):
        return []
    open_tasks = [t for t in state.poster_tasks(r.member) if t.kind == "task"
                  and all(d.verified is None for d in t.duties.values())]
    words = state.words_of(r)
    if len(open_tasks) == 1 and (len(r.bare) <= _SHORT_REPORT or words & state.topic(open_tasks[0].text)):
        return open_tasks     # 确认 / 好，确认完成 — or a longer one that speaks of it
    scored = sorted(((len(words & state.topic(t.text)), i, t) for i, t in enumerate(open_tasks)), key=lambda x: x[:2])
    return [scored[-1][2]] if scored and scored[-1][0] >= 2 else []


_FOLLOW_UP = 0.5     # a post this alike (Dice, bigrams) to an open task of its poster follows it up
_SHORT_REPORT = 12   # characters: a report this short (搞定了，发您邮箱了) needs no word of its task…
# …unless it names the thing it did, three characters or more before the deed (门锁换好了 is of a lock)
_OWN_OBJECT = re.compile(r"^\W*[\u4e00-\u9fa5A-Za-z0-9#]{3,12}?的?[\u4e00-\u9fa5]{0,2}?(?:已经|已|都|也)?"
                         r"(?:换|修|弄|做|搞|改|装|补|清|处理|完成|办)(?:好|完|了)")
_MASS = 5     # receivers from which a task is one to many (a notice to all, a department-wide ask)


_DATA_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Z0-9]{5,}(?![A-Za-z0-9])")     # D7K251, 13817760924, GD2603012


def _is_data(text: str) -> bool:
    """A message that is data: two codes or numbers of five characters or more, links aside."""
    if not _DATA_TOKEN.search(text):
        return False
    return len(_DATA_TOKEN.findall(LINK.sub(" ", text))) >= 2


def _is_mass(task: Task) -> bool:
    return len(task.duties) >= _MASS


def _shared(state: GroupState, words: AbstractSet[str], task: Task) -> int:
    """Words a message shares with a task, as evidence that it speaks of it (a task to many needs two)."""
    n = len(words & state.topic(task.text))
    return n if n >= 2 or not _is_mass(task) else 0


def completion(state: GroupState, r) -> Role | None:
    """rules.md completion report (the c that §5.5–§5.7 judge): the receiver saying a task is done.
    Quoting a task completes it; quoting none, the receiver's open task it shares the most words
    with, or with no shared words the oldest. It is also the reply of a duty not answered yet."""
    if r.t_off_topic and not r.t_done:
        return None     # 砍一刀…差0.8元就能提现了 https://…: off-topic, whatever work its sender has open
    # 改回60s了 / 报告出了: a result stated in words no list holds, from one whose work is open
    by_result = not r.t_done and r.result_stated and not r.t_progress
    # 沪D7K251 刘二虎 13817760924 ⏎ 沪D3M806 …: the data asked for (plates, phone numbers, order numbers),
    # no word at all, from one whose work is open and who names no one
    by_data = not (r.t_done or by_result or r.t_task_verb or r.mentions or r.t_question) \
        and r.member in state.open_by_receiver and _is_data(r.bare)
    # [文件] 个金部双录问题整改报告.docx / 运营部考勤表 [文件] …: the work asked for, delivered as a file
    # (a task word in the file's own name — 服务整改计划.docx — asks nothing)
    delivered = (r.media in ("file", "image") or _FILE_SENT.search(r.content) is not None) \
        and r.member in state.open_by_receiver
    rest = _FILE_NAME.sub("", _FILE_SENT.sub("", r.bare)) if delivered else r.bare
    asks = r.t_task_verb and (not delivered or state.asks is None or state.asks.search(rest) is not None) \
        and not (delivered and state.review_ask is not None and state.review_ask.match(rest))
    # (a picture of a mishap — 【图片】 3号库叉车充电桩又跳闸了 — reports a problem, not work done)
    mishap = r.media == "image" and state.mishap is not None and state.mishap.search(r.bare) is not None
    by_file = delivered and not (r.t_done or by_result or by_data or asks or r.t_question or mishap)
    # 番禺4个，传菜和洗碗: the figure a task asked for (报一下人数)
    # (东湖报数：奶黄20，… also reads as a result stated: the figure asked for decides which task it reports)
    by_figure = not (r.t_done or by_data or by_file or r.t_task_verb or r.t_question or r.mentions) \
        and state.gives_figure.search(r.bare) is not None and any(
            t.kind == "task" and d.completed is None and state.asks_figure.search(t.text)
            for t, d in state.duties_of(r.member))
    # 原因：周日晚上骑手扎堆…: what the work asked for (把原因报一下), given under its name
    labelled = _labelled(state, r) \
        if not (r.t_done or by_result or by_data or by_file or r.t_task_verb or r.t_question or r.mentions) \
        and r.member in state.open_by_receiver else None
    by_label = labelled is not None
    if not (r.t_done or by_result or by_data or by_file or by_label or by_figure) or state.hands_out_work(r):
        return None
    quoted = state.quoted(r)
    if r.t_progress and quoted is None:
        return None     # 厂家工程师到了，在调刀库: something arrived, the work goes on
    reason = ""
    if quoted is not None and r.member in quoted.duties and quoted.kind == "task":
        task, confidence = quoted, CONFIDENCE["completion.quoted"]
    else:
        open_duties = [(t, d) for t, d in state.duties_of(r.member) if t.kind == "task" and d.completed is None]
        words = state.words_of(r)
        # 【文件】端午DM初稿v1.pdf, then 端午DM初稿发群里了: the words beside a delivery just made are its report
        # again (the task keeps its first completion), not the report of other open work
        again = _reported_just_now(state, r, words, open_duties)
        if again is not None:
            return Role(r.msg_id, "completion", again.task_id, CONFIDENCE["completion.shared_words"])
        if not open_duties:
            return None
        # a task to many (@所有人 …今天都打开看一下) rarely gets a report: it takes one only by two words
        # shared, and a guess goes to the sender's own work first
        scored = [(_shared(state, words, t), -_is_mass(t), -i, t) for i, (t, _) in enumerate(open_duties)]
        best = max(scored, key=lambda x: x[:3])
        going_on = state.going_on(r)
        going_on = going_on if any(t is going_on for t, _ in open_duties) else None
        if labelled is not None:
            task, confidence = labelled, CONFIDENCE["completion.shared_words"]
        elif by_figure:
            asking = [t for t, _ in open_duties if state.asks_figure.search(t.text)]
            task = max(asking, key=lambda t: _shared(state, words, t))     # the first, on a tie: the oldest
            confidence, reason = CONFIDENCE["completion.figure"], REASON["completion.figure"]
        elif best[0] == 0 and going_on is not None:
            task, confidence = going_on, CONFIDENCE["completion.going_on"]
        elif by_file:
            # only by words its name shares with the work: a file is sent for many reasons (业主投诉台账.xlsx
            # shares 业主 with 业主满意度调查, and is the weekly ledger, not the survey)
            if best[0] < 2:
                return None
            task, confidence = best[3], CONFIDENCE["completion.file"]
            reason = REASON["completion.file"]
        elif by_data:
            own = [t for t, _ in open_duties if not _is_mass(t)]
            if best[0] == 0 and len(own) != 1:
                return None
            task, confidence = best[3] if best[0] else own[0], CONFIDENCE["completion.data"]
            reason = REASON["completion.data"]
        elif by_result:
            # a result stated is a report of the open task it speaks of (a word shared, at least)
            if best[0] == 0:
                return None
            task, confidence = best[3], CONFIDENCE["completion.result_stated"]
        elif len(open_duties) == 1 and not (_is_mass(open_duties[0][0]) and best[0] == 0):
            only = open_duties[0][0]
            # 搞定了 / 已发您 needs no shared word; a longer message about something else (人到齐了，
            # 21:00准时开始) is not this task's report unless it speaks to the poster
            if best[0] == 0 and (len(r.bare) > _SHORT_REPORT or _OWN_OBJECT.match(_FILE_SENT.sub("", r.bare))) \
                    and only.poster not in r.mentions and only.poster not in r.responsible:
                return None     # (滨河路箱变的门锁换好了: short, but of a thing the task does not name)
            task, confidence = only, CONFIDENCE["completion.only_open"]
        elif best[0] > 0:
            task, confidence = best[3], CONFIDENCE["completion.shared_words"]
        else:
            own = [t for t, _ in open_duties if not _is_mass(t)]
            if not own or len(r.bare) > _SHORT_REPORT:
                return None     # a longer report naming none of its work's words is of something else
            task, confidence = own[0], CONFIDENCE["completion.oldest"]
            reason = REASON["completion.oldest"]
    if by_result:
        confidence = min(confidence, CONFIDENCE["completion.result_stated"])
    duty = task.duties[r.member]
    receipt = quoted is None and state.receipt_first is not None and state.receipt_first.match(r.bare) is not None
    if receipt and duty.replied is not None and any(
            t.kind == "task" and d.replied is None for t, d in state.duties_of(r.member)):
        return None     # 收到，双录上周已经重新录完了: the receipt of the task just given (reply), not a report of older work
    if receipt and duty.replied is None \
            and not (state.done_whole is not None and state.done_whole.search(r.bare)) \
            and not _does_what_was_asked(state, r, task):
        return None     # 收到，名单已经下载了: the first answer telling a step taken is the reply (收到，已完成 and
        #                 好的，报价已提交 — the deed asked — report)
    duty.completed, duty.completion_msg = r.ts, r.msg_id
    duty.confidence = min(duty.confidence, confidence)
    if reason:
        duty.reasons.append(reason)
    if duty.replied is None:
        duty.replied, duty.reply_msg = r.ts, r.msg_id
    return Role(r.msg_id, "completion", task.task_id, confidence)


def _reported_just_now(state: GroupState, r, words: frozenset[str], open_duties: list[tuple[Task, Duty]]) -> Task | None:
    """The sender's task reported done less than thread.follow_on ago that the message speaks of (two words
    shared) more than of any open one."""
    recent = [t for t, d in state.duties_of(r.member)
              if t.kind == "task" and d.completed is not None and r.ts - d.completed <= state.follow_on]
    if not recent:
        return None
    best = max(recent, key=lambda t: _shared(state, words, t))
    shared = _shared(state, words, best)
    if shared < 2 or any(_shared(state, words, t) >= shared for t, _ in open_duties):
        return None
    return best


_LABEL = re.compile(r"^\W*([\u4e00-\u9fa5A-Za-z]{2,6})\s*[：:]\s*\S")


def _labelled(state: GroupState, r) -> Task | None:
    """The sender's open task whose words name what a message gives under a label (原因：…, 名单：…) —
    the newest, if several do."""
    m = _LABEL.match(r.bare)
    if m is None:
        return None
    label = m.group(1)
    # 滨江要货：… to 把要货数报我: the label less the sender's place before it (its end, two characters at least)
    tails = [label[i:] for i in range(len(label) - 1)]
    named = [t for t, d in state.duties_of(r.member) if t.kind == "task" and d.completed is None
             and any(tail in t.text for tail in tails)]
    return named[-1] if named else None


def _does_what_was_asked(state: GroupState, r, task: Task) -> bool:
    """Does a report name a deed the task asked for (提交 of 请于…提交叉车维修报价)?"""
    if state.deeds is None:
        return False
    return bool(set(state.deeds.findall(r.bare)) & set(state.deeds.findall(task.text)))


def reply(state: GroupState, r) -> Role | None:
    """rules.md reply and PT (§4.2.4, §5.1, §5.8): a receiver answering duties not answered yet.
    Quoting a task answers it only; otherwise 收到/好的 answers all of them, 参加/请假 the meeting
    notices, and a time alone (in a post that is not itself task-like) the tasks, for review. A
    stated time is the duty's promised time PT. An answer may hand out work too (收到，@罗刚 请明天前…):
    new_task is tried on it, and a task it opens is recorded after the reply."""
    pending = [(t, d) for t, d in state.duties_of(r.member) if d.replied is None]
    if not pending:
        return None
    quoted = state.quoted(r)
    unread_quote = r.media == "quote" and not r.content.strip()
    reason = REASON["reply.unread_quote"] if unread_quote else ""
    if quoted is not None and r.member in quoted.duties:
        duty = quoted.duties[r.member]
        chosen = [(quoted, duty)] if duty.replied is None else []
        confidence = CONFIDENCE["reply.quoted"]
    elif unread_quote:
        # the exporter dropped a quoted reply's words: an answer to something, we cannot say what
        chosen = pending
        confidence = CONFIDENCE["reply.unread_quote"]
    else:
        # a post naming others (@, 责任人, by name) with work or a time hands out work; a department named
        # in passing (刚从装配那边下来，明早第一个弄) does not make an answer a task
        named = [m for m in (*r.mentions, *r.responsible) if m != r.member] or r.mention_all
        is_task_like = bool(named) and (r.t_task_verb or not _missing(r.time_deadline)) \
            and not (isinstance(named, list) and state.answers_a_poster(r, named))   # @林涛 周四上午给您行吗
        sticker = r.media == "sticker"
        # (a time in chatter — 今天中午食堂又是土豆丝 — answers nothing)
        # (会推迟到3点，我在开支行的会: a meeting's time, no answer to the work)
        by_time = not is_task_like and not r.t_off_topic and not r.t_meeting and _stated_time(state, r) is not None
        if by_time and r.t_done:
            # 华川开庭的证据袋我按组装好了，周三下午再核一遍: other work done and its next step, not of the task
            words = state.words_of(r)
            by_time = any(_shared(state, words, t) for t, _ in pending if t.kind == "task")
        answers_task = r.t_ack or r.t_progress or sticker or by_time
        attending = [(t, d) for t, d in pending if t.kind == "meeting"] if not is_task_like else []
        attending = _attends(state, r, attending) if attending else []
        if attending and not (r.t_ack or r.t_progress or sticker):
            answers_task = False        # 5点前赶回来: when one comes to the meeting, no time for a task
        answers_meeting = r.t_ack or r.t_meeting_reply or sticker
        # (a meeting long begun is not what a plain 收到 answers: the work given since is)
        chosen = [(t, d) for t, d in pending
                  if (t.kind == "task" and answers_task)
                  or (t.kind == "meeting" and answers_meeting and r.ts <= (t.deadline or t.posted) + _ATTEND_AFTER)]
        if not answers_meeting:
            chosen += attending
        if not chosen and not is_task_like:
            chosen = _answers_by_topic(state, r, pending)
        if not (answers_task or answers_meeting) and chosen:
            confidence = CONFIDENCE["reply.topic"]      # words of the task, or of coming to the meeting
        elif sticker:
            confidence, reason = CONFIDENCE["reply.sticker"], REASON["reply.sticker"]
        elif r.t_ack or r.t_meeting_reply:
            confidence = CONFIDENCE["reply.acknowledged"]
        elif r.t_progress:
            confidence = CONFIDENCE["reply.progress"]
        else:
            confidence, reason = CONFIDENCE["reply.time_only"], REASON["reply.time_only"]
    if not chosen:
        return None
    stated = _stated_time(state, r) if any(t.kind == "task" for t, _ in chosen) else None
    for t, d in chosen:
        d.replied, d.reply_msg = r.ts, r.msg_id
        if t.kind == "task" and stated is not None:
            d.promised = stated
        d.confidence = min(d.confidence, confidence)
        if reason:
            d.reasons.append(reason)
    answer = Role(r.msg_id, "reply", chosen[0][0].task_id, confidence)
    # an answer that names nobody hands out no work (刚跟供应商落实了，两样都3/9前到 is a promise)
    handed_out = new_task(state, r) if state.receivers(r)[0] else None
    if handed_out is None:
        return answer
    state.roles.append(answer)      # first: a message shows its first role (the delegation is the task's)
    return handed_out


_OTHER_ROLE_TAGS = ("t_done", "t_verify", "t_reminder", "t_escalation", "t_meeting", "t_warning", "t_incivility")
_MEETING_OVER = re.compile(r"会[^，,。；;！!？?]{0,6}开完|开完[^，,。；;！!？?]{0,2}会")
# how long after its start words of coming still answer a meeting (纪要我看了, the next morning)
_ATTEND_AFTER = timedelta(days=1)


def _attends(state: GroupState, r, meetings: list[tuple[Task, Duty]]) -> list[tuple[Task, Duty]]:
    """The meetings an attendee answers in their own words (rules.md reply: any answer): coming or not
    (5点前赶回来, 进会了, 过不来), a part in it (我来主持, 我来发奖), the meeting itself (下午的会…), or having
    missed the notice (没看到通知，纪要我看了) — until a day after it starts. Words of another role
    (a report, a check, a warning) answer nothing here."""
    # (会是不是已经开完了: a meeting done is still words of the meeting, not a report of work)
    blocking = [tag for tag in _OTHER_ROLE_TAGS if tag != "t_meeting" and not (tag == "t_done" and _MEETING_OVER.search(r.bare))]
    if state.attends is None or r.media not in ("text", "quote") or r.t_off_topic \
            or any(getattr(r, tag) for tag in blocking) or not state.attends.search(r.bare):
        return []
    return [(t, d) for t, d in meetings if r.ts <= (t.deadline or t.posted) + _ATTEND_AFTER]


def _answers_by_topic(state: GroupState, r, pending: list[tuple[Task, Duty]]) -> list[tuple[Task, Duty]]:
    """A receiver's words with no 收到 that still answer a task (rules.md reply: any answer): words of
    the task (库里就6支，先发过去 to Φ12立铣刀今天给配齐), or their first words after it, soon (查着呢).
    Chatter (off-topic words) and media answer nothing."""
    if r.media not in ("text", "quote") or r.t_off_topic or not r.bare.strip() \
            or any(getattr(r, tag) for tag in _OTHER_ROLE_TAGS):
        return []       # 验收单拿到了，确认: words of another role are not an answer to this task
    tasks = [(t, d) for t, d in pending if t.kind == "task"]
    if not tasks:
        return []
    words = state.words_of(r)
    scored = [(_shared(state, words, t), t, d) for t, d in tasks]
    top = max(n for n, _, _ in scored)
    if top >= 2:        # one shared pair may be 今天 or 一下
        return [(t, d) for n, t, d in scored if n == top]
    said = state.last_said.get(r.member)
    fresh = [(t, d) for t, d in tasks if r.ts - t.posted <= state.follow_on and (said is None or said < t.posted)]
    return fresh if len(fresh) == 1 and not _is_mass(fresh[0][0]) else []


# the time of one's own doing: 我下午送过去, 我们明天一起去看 (not 我下午要用 / 我明天需要: a need, which asks)
_OWN_TIME_BEFORE = re.compile(r"(?:^|[^自])(?:我|我们|咱们?|我这边)(?:这边|先|就|再)?$")
_OWN_TIME_AFTER = re.compile(r"^\s*(?:我|我们|咱们?)(?!\s*(?:就?要|需要|得|想要|必须))")
_NEED_AFTER = re.compile(r"^\s*(?:前|之前|以前)?\s*(?:就?要|需要|得用|要用|用|必须|得)")


_OTHER_YOU = re.compile(r"你|您")


def _own_time(r) -> bool:
    text = r.time_deadline_text or ""
    at = r.bare.find(text) if text else -1
    if at < 0:
        return False
    after = r.bare[at + len(text):]
    if _OWN_TIME_BEFORE.search(r.bare[:at]):
        return not _NEED_AFTER.match(after)
    return _OWN_TIME_AFTER.match(after) is not None     # 明天我跟你一起去看


def new_task(state: GroupState, r) -> Role | None:
    """rules.md task, meeting notice and repost (§4.2.1, §5.3, §5.8, §5.9): a post asking receivers
    to do something (by a time), or a meeting notice (attendees and a start). One repeating an
    open task of its poster to the same receivers, ≥ repost.similarity alike, is a repost of it. A
    task records which elements §5.9 requires it lacks, and whether it came after the cutoff (§5.5)."""
    if r.t_warning:
        return None  # "请勿闲聊" is a conduct remark, not work handed to someone (from a non-admin: chat)
    has_deadline = not _missing(r.time_deadline)
    if not (r.t_meeting or r.t_task_verb or has_deadline):
        return None  # what the conditions below come to, without working out the receivers
    receivers, confidence = state.receivers(r)
    is_meeting = r.t_meeting and (r.mention_all or receivers) and (not _missing(r.time_point) or has_deadline) \
        and not (r.t_task_verb and _BY_A_TIME.search(r.time_deadline_text or "") and not r.t_meeting_reply
                 and not (state.notice_form is not None and state.notice_form.search(r.bare)))
    # …but work due by a time (周三下班前给我，院周会要通报; 宣讲会PPT下周三前给我) is a task that names a
    # meeting: a meeting starts at its time, it is not due before it
    if r.t_question and not has_deadline and not is_meeting:
        return None
    if r.t_question and not is_meeting and not r.t_task_verb and state.on_schedule is not None \
            and state.on_schedule.search(r.bare):
        return None  # 明天能按时提测吗？: how planned work stands, asked — nothing new handed out
    confident_deadline = has_deadline and r.time_deadline_conf >= THRESHOLD["deadline.sure"]
    if not is_meeting and not (r.t_task_verb and (receivers or confident_deadline) or receivers and has_deadline):
        return None
    if not is_meeting and not r.t_task_verb and _missing(r.time_reply_by) \
            and (r.mention_all or not r.mentions and len(receivers) >= _MASS):
        return None  # @所有人 下周一起食堂早餐时间调整为7:30-8:30: a time told to all, nothing asked of them
    if not is_meeting and not r.mentions and not r.mention_all and state.offers is not None \
            and state.offers.search(r.bare) and not (state.request is not None and state.request.search(r.bare)) \
            and not _OTHER_YOU.search(r.bare):
        return None  # 王主管，…那块我可以出个场地: one's own help offered, nothing asked of anyone
    if not is_meeting and _own_time(r):
        return None  # @高峰 报销单我下午送过去: the sender's own plan told to someone (…我下午要用 asks)
    if not is_meeting and not r.t_task_verb and not (r.mentions or r.mention_all or r.t_question) \
            and not _BY_A_TIME.search(r.time_deadline_text or ""):
        return None  # 张老师，明天下午的课调到周三了: a name and a day, no work asked by a time (韩工，…上午能装好吗？ asks)
    if r.t_ack and not r.mentions and not r.mention_all:
        return None  # 收到，预计17:30前提交 answers someone; it hands nobody work
    if r.t_done and not has_deadline and not r.mentions and not r.mention_all and not is_meeting \
            and not (set(r.responsible) - {t.poster for t, _ in state.duties_of(r.member)}):
        return None  # 周总，破损分析我已经发给Tina合进去了: a report, not work handed out (…，吴俊整理一下发群里 is)
    if not is_meeting and state.to_all is not None and state.to_all.search(r.bare) \
            and not (r.mentions or r.responsible) and (not receivers or not has_deadline):
        return None  # 各科室注意：报销截止到6月25日 / 纪要已上传，请知悉: a notice to all, nobody's task
        # (…东湖店和新城店报损率偏高…，大家先看下表: departments spoken of, all asked to look, by no time)
    if not receivers and not is_meeting and r.bare.rstrip().endswith(("：", ":")):
        return None  # 今天会上定的几件事我再发一下，各自认领：: the heading of what follows, asking nothing itself
    if not r.mentions and not r.mention_all and state.minutes is not None and state.minutes.match(r.bare):
        return None  # 今天会议纪要：1.…；2.下周二…运营部牵头准备: what the meeting gave, recorded, no one handed work
    if not is_meeting and not r.mentions and _SELF_INTRODUCTION.match(r.bare):
        return None  # 我是安全部马文斌，负责3号楼巡查… / 欢迎郑凯…: who one is, not work for anyone
    if not receivers and not is_meeting and _FIRST_PERSON_START.match(r.bare):
        return None  # 这个我知道了，周一上班处理: the sender's own plan, no work handed to anyone
    if not is_meeting and state.answers_a_poster(r, receivers):
        return None  # 潘姐 刚在外面…书面周三前交: an answer to the one who gave the work
    if (r.t_question or "？" in r.bare or "?" in r.bare) and not is_meeting \
            and not (r.mentions or r.mention_all or r.responsible):
        return None  # 谁有空帮忙把证书续一下？下午要用: asked of nobody in particular (吴工，…上午能出来吗？ is asked of 吴俊)
    if not is_meeting and r.t_progress and not (r.mentions or r.mention_all) \
            and not (state.request is not None and state.request.search(r.bare)):
        return None  # 仓储部的台账在整理: how a department's work stands, asked of nobody (…请仓储部在整理后报我 asks)
    if not receivers and not is_meeting and not state.asks_anyone_in(r.bare):
        return None  # 这周运检部抽查两票，城东所安排在周四: naming no one and asking nothing (…找人修好, 谁去…, 要搞好 ask)
    if not receivers and not is_meeting and (r.t_done or r.t_progress or r.result_stated or r.t_verify):
        return None  # 凸轮装上了，还在调刀库，明天弄完: a report or a status, naming no one: nobody's task
    if not receivers:
        confidence = CONFIDENCE["task.no_receiver"]
    elif not r.t_task_verb:
        confidence = min(confidence, CONFIDENCE["task.no_verb"])
    for t in reversed(state.poster_tasks(r.member)):
        still_open = any(d.completed is None and d.verified is None for d in t.duties.values())
        if (still_open and set(t.duties) == set(receivers)
                and similarity(t.text, r.bare) >= state.similar):
            t.reposts.append(r.msg_id)
            state.by_msg[r.msg_id] = t
            return Role(r.msg_id, "repost", t.task_id, CONFIDENCE["repost"])
    if not is_meeting:
        for t in reversed(state.poster_tasks(r.member)):
            # 报损分析明天下班前要到哈 to the receivers of an open task much like it: a follow-up, no new duty
            # (alike enough for a repost is a repost, above; this is the gentler reading below it)
            # …or one to the same receivers by the same time, about the same thing (报损分析明天下班前要到哈,
            # the day before the 周四下班前 of the 报损明细和原因分析 asked of them)
            if t.kind == "task" and set(receivers) <= set(t.duties) \
                    and any(d.completed is None for d in t.duties.values()) \
                    and (similarity(t.text, r.bare) >= _FOLLOW_UP
                         or t.deadline is not None and t.deadline == _ts(r.time_deadline)
                         and len(state.topic(_AT_NAME.sub("", r.bare)) & state.topic(_AT_NAME.sub("", t.text))) >= 2):
                return Role(r.msg_id, "reminder", t.task_id, CONFIDENCE["reminder.question"])
    kind = "meeting" if is_meeting else "task"
    deadline = _ts(r.time_point if is_meeting and not _missing(r.time_point) else r.time_deadline)
    # a time stated but not readable (元宵节前, 那天晚上8点前): no deadline, and no format fine for one
    time_unread = r.time_unread if deadline is None and r.time_unread else ""
    if time_unread:
        confidence = min(confidence, CONFIDENCE["task.time_unread"])
    missing: list[str] = []
    if kind == "task":
        if deadline is None and not time_unread:
            missing.append(FORMAT_ELEMENT["deadline"])
        if not receivers:
            missing.append(FORMAT_ELEMENT["receiver"])
        if not _says_what(state, r):
            missing.append(FORMAT_ELEMENT["content"])
    reasons = [] if confidence >= THRESHOLD["task.sure"] else [REASON["task.uncertain"]]
    if not receivers:
        reasons.append(REASON["task.no_receiver"])
    if time_unread:
        reasons.append(f"{REASON['task.time_unread']}：{time_unread}")
    task = Task(task_id=ids.task_id(state.group, r.msg_id), group=state.group,
                poster=r.member, kind=kind, posted=r.ts, msg_id=r.msg_id, text=r.bare, deadline=deadline,
                reply_by=_ts(r.time_reply_by), duties={m: Duty(m) for m in receivers},
                confidence=confidence, reasons=reasons, format_missing=tuple(missing),
                after_hours=r.ts.time() >= state.cutoff, precision=r.precision)
    state.add_task(task)
    return Role(r.msg_id, kind, task.task_id, confidence, "；".join(task.reasons))


def off_topic(state: GroupState, r) -> Role | None:
    """rules.md off-topic (§3 严禁发布与公务无关的信息, §5.12): chit-chat, red packets, shopping links…
    Words of work beside the off-topic words (请/帮忙, a mention) leave it off-topic, for review."""
    if not r.t_off_topic:
        if not _joins_off_topic_thread(state, r):
            return None
        confidence = CONFIDENCE["off_topic.thread"]
        state.off_topic.append(OffTopicPost(state.group, r.ts, r.member, r.msg_id, confidence))
        return Role(r.msg_id, "off_topic", confidence=confidence, review_reason=REASON["off_topic.thread"])
    if r.t_off_topic_exact or r.media == "redpacket":
        confidence = CONFIDENCE["off_topic.exact"]
    elif r.t_task_verb or r.mentions:
        confidence = CONFIDENCE["off_topic.work_words"]
    else:
        confidence = CONFIDENCE["off_topic.plain"]
    state.off_topic.append(OffTopicPost(state.group, r.ts, r.member, r.msg_id, confidence))
    return Role(r.msg_id, "off_topic", confidence=confidence)


_WORK_TAGS = ("t_task_verb", "t_done", "t_verify", "t_progress", "t_reminder", "t_escalation", "t_meeting",
              "t_meeting_reply", "t_warning", "t_incivility")


def _joins_off_topic_thread(state: GroupState, r) -> bool:
    """我报名！ 要两斤 味道一般，还贵 — a short reply soon after an off-topic post, with no words of work,
    no mention and no time, carries the chatter on (off_topic.thread, thread_max_chars)."""
    if not state.off_topic or r.media not in ("text", "quote") or not r.bare.strip():
        return False
    if r.ts - state.off_topic[-1].ts > state.thread or len(r.bare.strip()) > state.thread_chars:
        return False
    if state.warnings and state.warnings[-1].ts >= state.off_topic[-1].ts:
        return False      # 好嘞 / 不好意思，手滑了 after an admin's warning answers the warning: the thread ended
    if r.mentions or r.mention_all or r.responsible or any(getattr(r, tag) for tag in _WORK_TAGS):
        return False
    if not (_missing(r.time_deadline) and _missing(r.time_point) and _missing(r.time_reply_by)):
        return False
    return not (r.quote_id and r.quote_id in state.by_msg)      # a quote of work is about work


# The order settles messages that fit several roles — an admin's 请勿闲聊 beside off-topic words is a
# warning, a poster's 再提醒一次…请介入 an escalation, a receiver's 好的，已提交 a completion rather than
# a reply — and a message goes to the first handler that claims it.
def red_packet(state: GroupState, r) -> Role | None:
    """A red packet is off-topic whatever words ride on it ([红包] 上线评审过了，请大家喝奶茶 reports nothing)."""
    return off_topic(state, r) if r.media == "redpacket" else None


HANDLERS = (system_line, red_packet, admin_warning, escalation, reminder, verification, completion, reply, new_task,
            off_topic)


def feed(state: GroupState, r) -> None:
    """Record the role of the group's next message (in time order)."""
    for handler in HANDLERS:
        role = handler(state, r)
        if role is not None:
            state.roles.append(role)
            state.spoke_of(r, role)
            return
    state.roles.append(unclaimed(r.msg_id, r.media))
    state.last_said[r.member] = r.ts


def feed_quiet(state: GroupState, r) -> None:
    """The role of an untagged text (no word of any role, no name, no time): chat, unless its sender has
    a task unanswered that it answers by its words or by coming first (reply, _answers_by_topic), or it
    is the data their open work asked for (completion)."""
    duties = state.open_by_receiver.get(r.member, ())
    role = completion(state, r) if duties and (_is_data(r.bare) or _LABEL.match(r.bare) or state.gives_figure.search(r.bare)
                                               or r.media == "image" or _FILE_SENT.search(r.content)) else None
    #      (沪D7K251 刘二虎 13817760924, 原因：…)
    if role is None and any(d.replied is None for _, d in duties):
        role = reply(state, r)
    if role is not None:
        state.roles.append(role)
        state.spoke_of(r, role)
    else:
        state.roles.append(unclaimed(r.msg_id, r.media))
        state.last_said[r.member] = r.ts


def unclaimed(msg_id: str, media: str) -> Role:
    """The role of a message that moves no task: media (a picture, a file, a sticker…), else chat."""
    return Role(msg_id, "media" if media not in ("text", "") else "chat")
