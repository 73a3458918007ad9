"""Public holidays and working days: the State Council's schedule (放假安排, 调休).

Owns: which days are off (a holiday run: the consecutive days of one official holiday, weekends
inside it included) and which are working days (Monday–Friday, less holidays, plus the weekend
days made working days, 调休上班). The schedule of 2004–2026 comes from chinese-calendar; the
years after it are added in rules.yaml `calendar:` (TimeWords.holidays / .workdays) as the
State Council publishes them each November. A year neither knows is *unknown*: a phrase that
needs it (国庆前 posted in 2027 without the 2027 schedule) gives no time at all, never a guess.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Callable, Iterable

import chinese_calendar

# the official holidays, by the words people call them (rules.md Time words)
HOLIDAY_NAMES = ("元旦", "春节", "清明", "劳动节", "端午", "中秋", "国庆")
_OF_CALENDAR = {     # chinese-calendar names its days by the English value of its Holiday enum
    chinese_calendar.Holiday.new_years_day.value: "元旦",
    chinese_calendar.Holiday.spring_festival.value: "春节",
    chinese_calendar.Holiday.tomb_sweeping_day.value: "清明",
    chinese_calendar.Holiday.labour_day.value: "劳动节",
    chinese_calendar.Holiday.dragon_boat_festival.value: "端午",
    chinese_calendar.Holiday.mid_autumn_festival.value: "中秋",
    chinese_calendar.Holiday.national_day.value: "国庆",
}
# days off the State Council gave for two holidays at once that chinese-calendar names for one: 2020's
# 国庆节、中秋节 10月1日至8日 (it names all eight days National Day), so 中秋前 in 2019 has a 2020 answer
_MERGED = ((date(2020, 10, 1), "中秋"),)
UNKNOWN = date.min        # "the schedule of that year is not known": no time can be given

Extra = tuple[tuple[str, date, date], ...]   # (name, first day, last day) from rules.yaml


@functools.lru_cache(maxsize=1)
def _builtin() -> tuple[dict[date, frozenset[str]], frozenset[int], frozenset[date]]:
    days: dict[date, set[str]] = {}
    for d, holiday in chinese_calendar.holidays.items():
        name = _OF_CALENDAR.get(holiday)
        if name is not None:           # a one-off day (the 2015 Victory Day) names no holiday people say
            days.setdefault(d, set()).add(name)
    for d, name in _MERGED:
        days.setdefault(d, set()).add(name)
    years = frozenset(d.year for d in chinese_calendar.holidays)
    return {d: frozenset(n) for d, n in days.items()}, years, frozenset(chinese_calendar.workdays)


@functools.lru_cache(maxsize=64)
def _schedule(extra: Extra) -> tuple[tuple[tuple[date, date, frozenset[str]], ...], frozenset[int]]:
    """The holiday runs (first, last, names), in order, and the years whose schedule is known."""
    builtin, years, _ = _builtin()
    days = {d: set(n) for d, n in builtin.items()}
    known = set(years)
    for name, first, last in extra:
        d = first
        while d <= last:
            days.setdefault(d, set()).add(name)
            d += timedelta(days=1)
        known.add(last.year)
    runs: list[tuple[date, date, frozenset[str]]] = []
    for d in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == d:
            first, _, names = runs[-1]
            runs[-1] = (first, d, names | days[d])
        else:
            runs.append((d, d, frozenset(days[d])))
    return tuple(runs), frozenset(known)


def _first_run(names: Iterable[str] | None, since: date, extra: Extra,
               keep: Callable[[date, date], bool], pick: Callable[[date, date], date]) -> date | None:
    """pick(first, last) of the earliest holiday run (of one of `names`; any when None) that `keep`
    accepts, searching the year of `since` and the next; UNKNOWN when the schedule of a year searched
    is not known. A run belongs to the year of its last day (元旦 2024 began on 2023-12-30)."""
    runs, known = _schedule(extra)
    wanted = None if names is None else frozenset(names)
    for year in (since.year, since.year + 1):
        if year not in known:
            return UNKNOWN
        found = [pick(first, last) for first, last, run_names in runs
                 if last.year == year and keep(first, last) and (wanted is None or run_names & wanted)]
        if found:
            return min(found)
    return None


def next_holiday_start(names: Iterable[str] | None, after: date, extra: Extra = ()) -> date | None:
    """The first day of the next holiday run (of one of `names`; any when None) that begins after
    `after`'s date; UNKNOWN when the schedule of the year it would fall in is not known."""
    return _first_run(names, after, extra, lambda first, last: first > after, lambda first, last: first)


def current_or_next_holiday_end(names: Iterable[str] | None, on: date, extra: Extra = ()) -> date | None:
    """The last day of the holiday run (of one of `names`; any when None) going on at `on` or the next
    to begin after it; UNKNOWN when the schedule of that year is not known (节后第一天 is the day after)."""
    return _first_run(names, on, extra, lambda first, last: last >= on, lambda first, last: last)


def is_workday(d: date, extra: Extra = (), extra_workdays: tuple[date, ...] = ()) -> bool:
    """A working day: not a holiday and Monday–Friday, or a weekend day made a working day (调休).
    In a year of unknown schedule, Monday–Friday."""
    if d in extra_workdays:
        return True
    builtin, years, workdays = _builtin()
    if d in builtin or any(first <= d <= last for _, first, last in extra):
        return False
    if d.year in years:
        return d.weekday() < 5 or d in workdays
    return d.weekday() < 5
