"""The role of each expression (reply-by, deadline or point) from the words around it, and the
message's deadline, reply-by time and points chosen among them: find_times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, cast

# Patterns are called as module.PATTERN.method(): on Python 3.11 a method call on a from-imported
# name compiles to LOAD_ATTR, not LOAD_METHOD, and makes a bound method at every call (~15% slower).
from wgm.timewords import lexicon, pieces
from wgm.timewords.expressions import Expr, expressions
from wgm.timewords.lexicon import DELIMS, FOLD, TimeWords, may_contain_time
from wgm.timewords.resolution import resolve


@dataclass(frozen=True)
class TimeExpr:
    start: int                  # span in the text
    end: int
    text: str                   # the matched phrase
    when: datetime              # resolved naive local time
    relation: str               # "before" (…前/内/截止/为止), "at" (a point), "after" (…后/起/开始)
    role: str                   # "reply_by" (tied to 回复/答复/反馈/回个话), "deadline" (before/within,
                                # or "at" tied to a completion verb: 明天完成), else "point"
    confidence: float           # 0..1
    has_clock: bool             # the phrase stated a clock time


@dataclass(frozen=True)
class TimeFindings:
    deadline: TimeExpr | None   # required completion time D (or a promised time in a reply)
    reply_by: TimeExpr | None   # RB
    points: tuple[TimeExpr, ...]  # future "at"/"after" expressions not tied to a completion verb
    all: tuple[TimeExpr, ...]   # every expression found, past ones included
    unread: tuple[str, ...] = ()  # time phrases with a part that cannot be read (元宵节晚上8点前): no time


_DEFAULT_WORDS = TimeWords()
_NO_FINDINGS = TimeFindings(None, None, (), ())


# ---------------------------------------------------------------------------------------------
# ties: what the words around a phrase make of it
def _clause_after(t: str, end: int, width: int) -> str:
    window = t[end:end + width]
    m = lexicon.CLAUSE_END.search(window)
    return window[:m.start()] if m else window


def _clause_before(t: str, start: int, width: int) -> str:
    lo = max(0, start - width)
    for i in range(start - 1, lo - 1, -1):
        if t[i] in DELIMS:
            return t[i + 1:start]
    return t[lo:start]


def _words_after(t: str, x: Expr) -> str:
    """The words of the phrase's clause after it, media marks aside ([图片]): where 了 tells a deed done."""
    return lexicon.MEDIA_MARK.sub("", _clause_after(t, x.end, 16))


def _tie(t: str, x: Expr) -> str | None:
    """'comp' (a completion verb in the phrase's clause), 'event' (a meeting word in its clause,
    or anywhere in a message whose clause has no verb: 明天下午3点，会议室，请准时), or None."""
    after = _clause_after(t, x.end, 16)
    if after.lstrip().startswith(("把", "将")):
        # 明天上午把3月的活动量月报（拜访、面谈、增员）交给我: the verb comes after its object, last
        verbs = [m.lastgroup for m in lexicon.VERB.finditer(_clause_after(t, x.end, 48)) if m.lastgroup != "neutral"]
        if verbs:
            return verbs[-1]
    for part in (after, _clause_before(t, x.start, 8)):
        for m in lexicon.VERB.finditer(part):
            if m.lastgroup != "neutral":
                return m.lastgroup
    for m in lexicon.VERB.finditer(t):
        if m.lastgroup == "event":
            return "event"
    return None


def _reply_tied(t: str, x: Expr) -> bool:
    """请16点前回复 / 明早前给我答复 / 回复时间：今天17点: the phrase sets a reply-by time."""
    after = _clause_after(t, x.end, 12)
    m = lexicon.REPLY_WORD.search(after)
    if m is not None:
        filler = after[:m.start()]
        filler = filler.replace("给", "")    # 给我答复
        if not lexicon.NOT_REPLY_FILLER.search(filler) \
                and not any(v.lastgroup == "comp" for v in lexicon.VERB.finditer(filler)) \
                and after[m.end():m.end() + 1] not in ("表", "单"):
            return True
    if lexicon.REPLY_BEFORE.search(_clause_before(t, x.start, 10)) is None:
        return False
    # 话术和自动回复11月7日前更新完: the reply is a thing to be done, by the time the verb after it says
    return not any(v.lastgroup == "comp" for v in lexicon.VERB.finditer(after))


# ---------------------------------------------------------------------------------------------
# choosing
class _Scan:
    """What find_times reads from a message's text before its post time matters: the folded text, its
    expressions, and each expression's ties to the words around it (computed when first asked). The
    expressions depend on the post time's date alone unless the text has a duration (2小时内 counts from
    the minute), so a scan is shared by the messages of one day with the same text (see finder)."""

    __slots__ = ("t", "exprs", "agreed", "reply", "tie")

    def __init__(self, text: str, base: datetime, words: TimeWords) -> None:
        self.t = text.translate(FOLD)
        self.exprs = expressions(self.t, text, base, words)
        n = len(self.exprs)
        self.agreed: list[bool | None] = [None] * n
        self.reply: list[bool | None] = [None] * n
        self.tie: list[object] = [_UNKNOWN] * n


_UNKNOWN = object()     # a tie not yet looked at (None is a tie: no verb)


def find_times(text: str, base: datetime, words: TimeWords = _DEFAULT_WORDS) -> TimeFindings:
    """Every time expression in `text` resolved against `base` (the post time), and the
    message's deadline, reply-by time and points chosen from them."""
    if not text or not may_contain_time(text):
        return _NO_FINDINGS
    if base.tzinfo is not None or base.microsecond:
        base = base.replace(tzinfo=None, microsecond=0)
    return _choose(text, base, words, _Scan(text, base, words))


def finder(words: TimeWords = _DEFAULT_WORDS) -> Callable[[str, datetime], TimeFindings]:
    """find_times for many messages with the same words: what it finds is the same, but a text posted
    again on the same day is scanned once. The scan depends on the text, the words and the post date
    only — a reader of pieces.py looks at the post time's date and year, except the duration's
    (2小时内 = the post time + 2 h) — so a text with a duration piece is scanned each time."""
    scans: dict[tuple[str, date], _Scan] = {}
    timed: dict[str, bool] = {}      # text → has a duration piece (the scanner's "dur" group)

    def find(text: str, base: datetime) -> TimeFindings:
        if not text or not may_contain_time(text):
            return _NO_FINDINGS
        if base.tzinfo is not None or base.microsecond:
            base = base.replace(tzinfo=None, microsecond=0)
        minute = timed.get(text)
        if minute is None:
            minute = timed[text] = any(m.lastgroup == "dur" for m in pieces.TOKEN.finditer(text.translate(FOLD)))
        if minute:
            return _choose(text, base, words, _Scan(text, base, words))
        key = (text, base.date())
        scan = scans.get(key)
        if scan is None:
            scan = scans[key] = _Scan(text, base, words)
        return _choose(text, base, words, scan)
    return find


def _choose(text: str, base: datetime, words: TimeWords, scan: _Scan) -> TimeFindings:
    t = scan.t
    found: list[TimeExpr] = []
    ties: list[str | None] = []
    unread: list[str] = []
    resolved: dict[int, datetime] = {}      # id(expression) → when, for the end of a range
    for i, x in enumerate(scan.exprs):
        if x.unread:
            unread.append(text[x.start:x.end])
            continue
        try:
            got = resolve(x, base, words)
        except (OverflowError, ValueError):
            continue
        if got is None:
            continue
        when, has_clock, conf = got
        agreed = scan.agreed[i]
        if agreed is None:
            agreed = scan.agreed[i] = lexicon.AGREED_BEFORE.search(_clause_before(t, x.start, 8)) is not None
        if agreed:
            continue                           # 说好三点半的 / 原定周五: the time agreed before, not one set now
        if (x.rel == "before" or x.mark) and lexicon.ATTRIBUTIVE_AFTER.match(t, x.end):
            continue                           # 节前修剪的枝条: a time describing a thing, not a time set
            #                                    (今天上午10点华川的陈总过来: a time, then who comes)
        start = resolved.get(id(x.range_from)) if x.range_from is not None else None
        if start is not None and when < start and x.week is not None and not x.week[0]:
            when += timedelta(days=7)          # 周五到周一: the Monday after that Friday
        resolved[id(x)] = when
        rel = x.rel or ("before" if x.mark else "at")
        if x.mark and rel == "at":
            rel = "before"
        tie = None
        reply = scan.reply[i]
        if reply is None:
            reply = scan.reply[i] = _reply_tied(t, x)
        if reply:
            if when.date() > base.date() and lexicon.BARE_PERIOD.fullmatch(text[x.start:x.end]):
                continue            # 检查组上午反馈的问题 at 15:00: this morning's feedback, no reply-by tomorrow
            role = "reply_by"
        elif rel == "before":
            after = _words_after(t, x)
            if lexicon.PAST_EVENT.search(after) and not lexicon.MUST.search(after):
                continue                       # 节前忙忘了 / 周五前就交了: what happened before it, no deadline
            role = "deadline"
        elif x.vague:
            if not lexicon.VAGUE_VERB_AFTER.match(t, x.end):
                continue                       # 这周事情多, 下周开会: a week named, no time
            role, tie = "deadline", "comp"
            conf *= 0.9
        else:
            known = scan.tie[i]
            if known is _UNKNOWN:
                tie = _tie(t, x)
                scan.tie[i] = tie
            else:
                tie = cast("str | None", known)
            if tie == "comp" and when.date() == base.date() and lexicon.PAST_EVENT.search(_words_after(t, x)):
                continue                       # 今天一早找人摘掉了[图片]: when today's work was done, not by when
            role = "deadline" if tie == "comp" else "point"
            if tie == "comp":
                conf *= 0.9
        if x.range_end and role == "deadline":
            role = "point"                     # 周一到周三完成: the range's end is the deadline
        ties.append(tie)
        found.append(TimeExpr(x.start, x.end, text[x.start:x.end], when, rel, role,
                              round(min(conf, 1.0), 3), has_clock))
    if not found:
        return TimeFindings(None, None, (), (), tuple(unread)) if unread else _NO_FINDINGS
    # the first future reply-by time, the first future deadline ("before" ones first), every future point
    reply_by = deadline = first_deadline = handed = None
    points_found: list[TimeExpr] = []
    for f in found:
        if f.when < base:
            continue
        if f.role == "point":
            points_found.append(f)
        elif f.role == "reply_by":
            reply_by = reply_by or f
        elif deadline is None:
            if f.relation == "before":
                deadline = f
            elif first_deadline is not None and handed is None and f.when > first_deadline.when \
                    and lexicon.HANDED_AFTER.match(t, f.end):
                handed = f      # 今天整理出来，明天上午发群里: the steps, then when the result is handed over
            first_deadline = first_deadline or f
    deadline = deadline or handed or first_deadline
    points = tuple(points_found)
    if deadline is None and len(found) == 1 and len(points) == 1 and ties[0] is None \
            and points[0].relation == "at" and not lexicon.QUESTION_END.search(text) \
            and not lexicon.PAST_EVENT.search(_clause_after(t, found[0].end, 16)) \
            and not (points[0].when.date() > base.date() and not lexicon.NAMES_A_DAY.search(points[0].text)):
        # (上午审厂还算顺利 at 12:30: a bare 上午 / 8点 already past today is no deadline tomorrow)
        # a lone future time with no verb at all: a low-confidence deadline (still a point too)
        p = points[0]     # dataclasses.replace costs ~8 µs; a third of messages with a time come here
        deadline = TimeExpr(p.start, p.end, p.text, p.when, p.relation, "deadline", 0.5, p.has_clock)
    return TimeFindings(deadline, reply_by, points, tuple(found), tuple(unread))
