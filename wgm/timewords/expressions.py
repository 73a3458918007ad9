"""Pieces joined into expressions.

Adjacent pieces (only spaces or brackets between) make one expression in the order date, weekday,
period, clock, suffix (5月28日（周四）下午2点前); a marker just before it (截止时间：…) makes it a
"before"; a duration or a span (3个工作日内) is an expression by itself; 每… makes none.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, cast

# Patterns are called as module.PATTERN.method(): on Python 3.11 a method call on a from-imported
# name compiles to LOAD_ATTR, not LOAD_METHOD, and makes a bound method at every call (~15% slower).
from wgm.timewords import lexicon, pieces
from wgm.timewords.lexicon import AFTER_SFX, BEFORE_SFX, NOT_CLOCK_BEFORE, PERIOD_OF_REL, SOFT_ONE, TimeWords
from wgm.timewords.pieces import read_piece

_R_DATE, _R_WEEK, _R_PER, _R_CLK, _R_SFX = range(5)   # the order of the pieces of one expression
_RANK = {"date": _R_DATE, "date_ext": _R_DATE, "named": _R_DATE, "unread": _R_DATE, "rel": _R_DATE, "week": _R_WEEK,
         "per": _R_PER, "clk": _R_CLK}
_GAP = " \t\u3000\u2005（）()"             # what may stand between the pieces of one expression
_RANGE_GAP = re.compile(r"\s*(?:到|至|-|~|～|—)\s*")
_MARK_GAP = " \t\u3000\u2005:为是在于到至"   # 截止时间：5月15日, 最迟在明天


class Expr:
    """One expression under construction, then read by resolution.resolve."""

    __slots__ = ("start", "end", "last", "day", "day_conf", "explicit", "week", "per", "clk", "rel",
                 "mark", "every", "fixed", "fixed_rel", "conf", "vague", "unread", "range_from", "range_end")

    def __init__(self, start: int) -> None:
        self.start = self.end = start
        self.last = -1          # rank of the last piece joined
        self.day: date | None = None
        self.day_conf = 1.0
        self.explicit = False   # a day word or date was stated
        self.week: tuple[str, int] | None = None   # (prefix, weekday 0..6)
        self.per: str | None = None
        self.clk: tuple[int, int, bool] | None = None   # hour, minute, minutes stated
        self.rel: str | None = None
        self.mark = False
        self.every = False
        self.fixed: datetime | None = None    # durations and spans resolve at once
        self.fixed_rel = "before"
        self.conf = 0.95
        self.vague = False      # a week, month or year as a whole: a deadline only (这周完成)
        self.unread = False     # a part cannot be read (元宵节晚上8点前): the phrase gives no time
        self.range_from: Expr | None = None   # the start of the range this expression ends (周一到周三)
        self.range_end = False  # … and the start knows it is one


def expressions(t: str, raw: str, base: datetime, w: TimeWords) -> list[Expr]:
    """The expressions of the folded text `t` (`raw`: the original, for context checks), in text
    order, without the recurring ones, bare clocks that are no clock (第3点) and lone suffixes."""
    exprs: list[Expr] = []
    # the expression being built; Any, not Expr | None: close() resets it from a closure, which a type
    # checker cannot follow through the `adjacent` test that guards every use
    cur: Any = None
    pending_mark_end = -1

    def close() -> None:
        nonlocal cur
        if cur is not None and cur.last >= 0:
            exprs.append(cur)
        cur = None

    for m in pieces.TOKEN.finditer(t):
        try:
            got = read_piece(m, t, raw, base, w)
        except (OverflowError, ValueError):   # a date past year 9999 and the like: not a time
            continue
        if got is None:
            continue
        kind, val = got[0], cast(Any, got[1])     # the payload's shape is the kind's (pieces._READ)
        s, e = m.span()
        adjacent = cur is not None and s - cur.end <= 3 and not t[cur.end:s].strip(_GAP)
        if kind == "sfx" or (kind == "mark" and val in ("截止", "截至")):
            if adjacent and cur.last < _R_SFX and cur.fixed is None and not t[cur.end:s].strip(" \t\u3000）)"):
                cur.rel = "before" if val in BEFORE_SFX else ("after" if val in AFTER_SFX else "at")
                if val == "左右":
                    cur.conf *= 0.8
                cur.end, cur.last = e, _R_SFX
                close()
                continue
            if kind == "sfx":
                continue
        if kind == "mark":
            close()
            pending_mark_end = e
            continue
        if kind == "fixed":
            close()
            x = Expr(s)
            x.end, x.last = e, _R_SFX
            x.fixed, x.fixed_rel, x.conf = val
            x.rel = x.fixed_rel
            exprs.append(x)
            continue
        if kind == "every":
            close()
            cur = Expr(s)
            cur.every, cur.end, cur.last = True, e, 0
            continue
        rank = _RANK[kind]
        joins = adjacent and (rank > cur.last or (kind in ("date", "date_ext") and cur.last == _R_WEEK
                                                  and cur.day is None))
        if kind == "per" and val in ("上班", "下班") and adjacent and cur.per is not None:
            joins = False
        if not joins:
            close()
            cur = Expr(s)
            if pending_mark_end >= 0 and s - pending_mark_end <= 4 and not t[pending_mark_end:s].strip(_MARK_GAP):
                cur.mark = True
            pending_mark_end = -1
            if exprs and exprs[-1].end <= s and not exprs[-1].unread and _RANGE_GAP.fullmatch(t, exprs[-1].end, s):
                p = exprs[-1]
                cur.range_from, p.range_end = p, True
                if kind == "clk" and p.clk is not None:
                    # 周四下午3点到5点: the end of a range takes the start's day and period
                    cur.day, cur.week, cur.per, cur.explicit, cur.day_conf = \
                        p.day, p.week, p.per, p.explicit, p.day_conf
                elif kind == "week" and not val[0] and p.week is not None and p.week[0]:
                    val = (p.week[0], val[1])          # 下周一到周三: the end is in the start's week
                elif kind == "date" and m.lastgroup == "day" and p.day is not None:
                    val = (_same_month_day(p.day, val[0].day) or val[0], val[1])   # 5月20日到25日
        if kind == "unread":
            cur.unread, cur.explicit = True, True
        elif kind == "named":
            cur.day, cur.vague, cur.explicit = val, True, True
        elif kind in ("date", "date_ext"):
            if cur.day is not None:
                cur.day_conf *= 0.6
            cur.day, c = val
            cur.day_conf *= c
            cur.explicit = True
            if kind == "date_ext":
                e += 1
        elif kind == "rel":
            word, cur.day = val
            cur.explicit = True
            if word in PERIOD_OF_REL:
                cur.per = PERIOD_OF_REL[word]
                rank = _R_PER
        elif kind == "week":
            if cur.day is not None:       # 5月28日（周四）: the date wins; a mismatch lowers confidence
                if cur.day.weekday() != val[1]:
                    cur.day_conf *= 0.6
            else:
                cur.week = val
        elif kind == "per":
            cur.per = val
        elif kind == "clk":
            cur.clk = val
        cur.end, cur.last = e, max(rank, cur.last)
        if kind == "per" and val in ("上班", "下班"):
            cur.last = _R_CLK    # 下班 takes no clock after it
    close()
    out = []
    prev: Expr | None = None
    for x in exprs:
        if x.every:
            continue
        if prev is not None and _continues_day(prev, x):
            # 8月18日晚21:00上线，20:45线上集合 / 明天下午3点开会，2点半到: the day named for a time
            # carries on to a bare clock after it, until another day is named
            x.day, x.week, x.explicit, x.day_conf = prev.day, prev.week, prev.explicit, prev.day_conf
        prev = x
        if not x.explicit and x.week is None and x.fixed is None and lexicon.UNREAD_BEFORE.search(raw, max(0, x.start - 8),
                                                                                                    x.start):
            x.unread = True       # 那天晚上8点前, 元宵节晚上8点前: no time, never just 晚上8点前
        elif x.explicit and lexicon.LUNAR_BEFORE.search(raw, max(0, x.start - 3), x.start):
            x.unread = True       # 农历八月十五前: a lunar date wgm does not convert
        if x.last == _R_CLK and x.day is None and x.week is None and x.per is None and x.rel is None \
                and not _bare_clock_ok(t, raw, x):
            continue
        if x.last == _R_SFX and x.day is None and x.week is None and x.per is None and x.clk is None \
                and x.fixed is None and not x.unread:
            continue
        out.append(x)
    return out


def _continues_day(prev: Expr, x: Expr) -> bool:
    """Does the clock `x` (no day of its own) take the day of the time before it? Only after a time
    of that day at a clock, not after a deadline (周五前交，3点前回复: 3点 is today)."""
    return (x.day is None and x.week is None and x.fixed is None and x.range_from is None and x.clk is not None
            and (prev.day is not None or prev.week is not None) and prev.clk is not None
            and prev.rel is None and not prev.mark and not prev.unread and not prev.vague)


def _same_month_day(start: date, day: int) -> date | None:
    """The day `day` in the month of a range's start (or the next month, if before the start)."""
    try:
        d = start.replace(day=day)
    except ValueError:
        return None
    if d < start:
        y, mo = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        try:
            d = date(y, mo, day)
        except ValueError:
            return None
    return d


def _bare_clock_ok(t: str, raw: str, x: Expr) -> bool:
    """A clock standing alone (no day, period or 前): reject list items and 快一点-like words."""
    prev = raw[x.start - 1] if x.start else ""
    if prev in NOT_CLOCK_BEFORE or "比" in raw[max(0, x.start - 3):x.start]:   # 第3点, 以下两点, 比例1:10
        return False
    if raw[x.start:x.start + 2] == "一时":    # 一时半会
        return False
    assert x.clk is not None          # the caller passes clocks standing alone
    if x.clk[0] == 1 and not x.clk[2] and prev in SOFT_ONE:
        return False
    return not lexicon.NOT_CLOCK_AFTER.match(t, x.end)
