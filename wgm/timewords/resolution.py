"""Date arithmetic, the hours a stated hour can mean, and one expression resolved to a datetime."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from wgm.timewords.lexicon import EVENING, MORNING, TimeWords

if TYPE_CHECKING:
    from wgm.timewords.expressions import Expr


# ---------------------------------------------------------------------------------------------
# date arithmetic
def eod(d: date, w: TimeWords) -> datetime:
    return datetime.combine(d, w.end_of_day)


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def yearless(month: int, day: int, base: date) -> date | None:
    """The year that puts month-day in [base − 121 d, base + 244 d)."""
    for year in (base.year, base.year + 1, base.year - 1):
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if -121 <= (d - base).days < 244:
            return d
    return None


def monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


# ---------------------------------------------------------------------------------------------
# hour readings
def _period_time(per: str, w: TimeWords) -> time:
    if per == "上午":
        return w.morning_end
    if per in ("早上", "早晨", "清晨", "1早", "上班", "早"):
        return w.work_start
    if per == "中午":
        return w.noon
    if per in ("下午", "傍晚"):
        return w.afternoon_end
    if per == "下班":
        return w.work_end
    if per == "凌晨":
        return time(6, 0)
    return w.evening_end   # 晚上 晚间 夜里 夜间


def _hour_candidates(h: int, per: str | None, day_known: bool) -> tuple[list[int], bool]:
    """Hours of the day (24 = end of day, 25+ = after midnight) a stated hour can mean, best first,
    and whether the reading was inferred (no 上午/下午)."""
    if per is None:
        if h == 0 or h >= 12:
            return [h], False
        if h <= 6:
            return [h + 12], True
        return ([h] if day_known else [h, h + 12]), True
    if per in MORNING:
        return [h], False
    if per == "中午":
        return [h + 12 if h <= 3 else h], False
    if per in ("下午", "傍晚"):
        return [h + 12 if h < 12 else h], False
    if per in EVENING:
        if h == 12:
            return [24], False
        return [24 + h if h <= 3 else (h + 12 if h < 12 else h)], False
    return [h], False


# ---------------------------------------------------------------------------------------------
# one expression → a datetime
def resolve(e: Expr, base: datetime, w: TimeWords) -> tuple[datetime, bool, float] | None:
    """(when, has_clock, confidence) or None when the pieces make no time."""
    if e.fixed is not None:
        return e.fixed, False, e.conf
    conf = e.conf * e.day_conf
    day, explicit = e.day, e.explicit
    clk = e.clk
    # the time of day, as (hour, minute, second) candidates; hour 24 = end of day
    tods: list[tuple[int, ...] | None]
    if clk is not None:
        hours, inferred = _hour_candidates(clk[0], e.per, e.week is not None or (explicit and day != base.date()))
        if inferred:
            conf *= 0.95
        tods = [(h, clk[1]) for h in hours]
    elif e.per is not None:
        if e.per == "1早" and not explicit:
            return None
        t = _period_time(e.per, w)
        tods = [(t.hour, t.minute, t.second)]
    else:
        tods = [None]

    def at(d: date, tod) -> datetime:
        if tod is None:
            return eod(d, w)
        if tod[0] >= 24:
            if tod[0] == 24:
                return eod(d, w)
            return datetime.combine(d + timedelta(days=1), time(tod[0] - 24, tod[1]))
        return datetime.combine(d, time(tod[0], tod[1], tod[2] if len(tod) > 2 else 0))

    if e.week is not None and day is None:
        prefix, wd = e.week
        this_monday = monday(base.date())
        if prefix.startswith("下下"):
            day = this_monday + timedelta(days=14 + wd)
        elif prefix.startswith("下"):
            day = this_monday + timedelta(days=7 + wd)
        elif prefix.startswith("上上"):
            day = this_monday + timedelta(days=-14 + wd)
        elif prefix.startswith("上"):
            day = this_monday + timedelta(days=-7 + wd)
        elif prefix:                       # 本 / 这: this week's, possibly past
            day = this_monday + timedelta(days=wd)
        else:                              # 周五: the coming one (today if still ahead)
            day = base.date() + timedelta(days=(wd - base.weekday()) % 7)
            if at(day, tods[0]) < base:
                day += timedelta(days=7)
    if day is not None:
        # 今天8点前 posted at 14:00: the evening reading when the morning has passed
        when = next((x for x in (at(day, tod) for tod in tods) if x >= base), None) or at(day, tods[0])
        return when, clk is not None, conf
    # no day word: today, the first reading still ahead; else the next such time tomorrow
    today = base.date()
    for tod in tods:
        when = at(today, tod)
        if when >= base:
            return when, clk is not None, conf
    return at(today + timedelta(days=1), tods[0]), clk is not None, conf * 0.7
