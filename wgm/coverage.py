"""How far each group's exports reach (rules.md, Coverage): what can be judged, and which months are whole.

An export shows a group up to the moment it was made. That moment is the export time the file
states (WeFlow, ChatLab, EchoTrace, WechatBakTool), else the `--as-of` the admin gives, else the
file's modification time; never earlier than the group's last message and never later than the
run. A duty whose decisive moment falls after it is not judged: the export cannot show what
happened next.

The start of a group's exports is its first message: an export does not say where its range
began, so a month whose messages start after its first day is shown with its dates but is not
called incomplete (silence and a late start look the same). The end decides what is judged: a
requested month that ends after the exports do is incomplete (exit 3).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Mapping

import pandas as pd

from wgm import schema
from wgm.result import InputInfo
from wgm.schema import M, T

BASIS_ZH = {"stated": "导出文件记载的导出时间", "as_of": "--as-of 指定的导出时间", "mtime": "导出文件的修改时间",
            "last_message": "最后一条消息的时间"}


@dataclass(frozen=True)
class MonthCoverage:
    month: str            # YYYY-MM
    status: str           # full | partial | missing | before_start (the group has no messages yet that month)
    start: datetime | None   # first moment of the month the exports show
    end: datetime | None     # last moment of the month the exports show
    cut_at_end: bool      # the exports end before the month does: duties after `end` are not judged

    @property
    def incomplete(self) -> bool:
        """A requested month in this state leaves the run incomplete (exit 3)."""
        return self.status == "missing" or self.cut_at_end

    def dates_zh(self) -> str:
        if self.start is None or self.end is None:
            return ""
        return f"{_day_zh(self.start)}至{_day_zh(self.end)}{'' if self.end.time() == time(23, 59, 59) else f' {self.end:%H:%M}'}"


@dataclass(frozen=True)
class GroupCoverage:
    group: str
    first: datetime       # the group's first message
    last: datetime        # its last message
    until: datetime       # when its exports were made: duties decided later are not judged
    basis: str            # stated | as_of | mtime | last_message (see BASIS_ZH)
    sources: tuple[str, ...]

    def month(self, month: str) -> MonthCoverage:
        start, end = month_bounds(month)
        if self.until < start:
            return MonthCoverage(month, "missing", None, None, True)
        if self.first > end:
            return MonthCoverage(month, "before_start", None, None, False)
        shown_from = max(start, datetime.combine(self.first.date(), time()))
        shown_to = min(end, self.until)
        cut = self.until < end
        status = "full" if shown_from == start and not cut else "partial"
        return MonthCoverage(month, status, shown_from, shown_to, cut)

    def as_entry(self) -> dict:
        """The coverage as plain data (wgm.cache keeps it so)."""
        return {"group": self.group, "first": self.first.isoformat(), "last": self.last.isoformat(),
                "until": self.until.isoformat(), "basis": self.basis, "sources": list(self.sources)}

    @classmethod
    def from_entry(cls, data: dict) -> "GroupCoverage":
        return cls(data["group"], datetime.fromisoformat(data["first"]), datetime.fromisoformat(data["last"]),
                   datetime.fromisoformat(data["until"]), data["basis"], tuple(data["sources"]))

    def as_json(self, months: Iterable[str]) -> dict:
        return {"first": self.first.isoformat(), "last": self.last.isoformat(), "until": self.until.isoformat(),
                "basis": self.basis, "sources": list(self.sources),
                "months": {m: _month_json(self.month(m)) for m in months}}


def _month_json(c: MonthCoverage) -> dict:
    return {"status": c.status, "from": c.start.isoformat() if c.start else "",
            "to": c.end.isoformat() if c.end else ""}


def _day_zh(t: datetime) -> str:
    return f"{t.month}月{t.day}日"


def month_bounds(month: str) -> tuple[datetime, datetime]:
    year, mon = int(month[:4]), int(month[5:7])
    last = calendar.monthrange(year, mon)[1]
    return datetime(year, mon, 1), datetime.combine(date(year, mon, last), time(23, 59, 59))


def _moment(info: InputInfo | None, as_of: datetime | None) -> tuple[datetime | None, str]:
    """When one file's export was made, and how that is known."""
    if info is not None and info.exported:
        return datetime.fromisoformat(info.exported), "stated"
    if as_of is not None:
        return as_of, "as_of"
    if info is not None and info.modified:
        return datetime.fromisoformat(info.modified), "mtime"
    return None, "last_message"


def of_groups(messages: pd.DataFrame, inputs: Iterable[InputInfo], as_of: datetime | None,
              now: datetime) -> dict[str, GroupCoverage]:
    """Every group's coverage, from its messages and the files they came from."""
    if not len(messages):
        return {}
    infos = {i.path: i for i in inputs}
    spans = messages.groupby(M.group, sort=True)[M.ts].agg(["min", "max"])
    files = messages.drop_duplicates([M.group, M.source])[[M.group, M.source]]
    sources: dict[str, list[str]] = {}
    for group, source in zip(*schema.lists(files, M.group, M.source)):
        sources.setdefault(group, []).append(source)
    out = {}
    for group, first, last in zip(spans.index, spans["min"], spans["max"]):
        first, last = first.to_pydatetime(), last.to_pydatetime()
        moments = [_moment(infos.get(s), as_of) for s in sorted(sources.get(group, []))]
        known = [(t, basis) for t, basis in moments if t is not None]
        until, basis = max(known, key=lambda tb: tb[0]) if known else (last, "last_message")
        until = min(until, max(now, last))        # never after the run (a clock ahead), …
        if until < last:                          # … never before the last message it shows
            until, basis = last, "last_message"
        out[group] = GroupCoverage(group, first, last, until, basis, tuple(sorted(sources.get(group, []))))
    return out


def until_by_group(coverage: Mapping[str, GroupCoverage]) -> dict[str, datetime]:
    return {g: c.until for g, c in coverage.items()}


def mark_not_judged(tasks: pd.DataFrame, until: Mapping[str, datetime], grace: timedelta) -> pd.DataFrame:
    """Rows with a duty still pending when the exports were made and decided after that: status
    `not_judged`, and which duties in T.not_judged (回复 / 完成 / 验证). Verified rows are settled."""
    if not len(tasks):
        return tasks
    end = tasks[T.group].map(until).astype("datetime64[ns]")
    rd = tasks[T.reply_deadline]
    reply_decided = rd.where(tasks[T.reply_by].notna() & (tasks[T.kind] == "task"), rd.dt.normalize()
                             + pd.Timedelta(hours=23, minutes=59, seconds=59))
    reply = tasks[T.replied].isna() & (reply_decided > end)
    open_task = (tasks[T.kind] == "task") & tasks[T.verified].isna()
    completion = open_task & tasks[T.completed].isna() & (tasks[T.promised] > end)
    verification = open_task & tasks[T.completed].notna() & ((tasks[T.completed] + grace) > end)
    which = pd.Series("", index=tasks.index, dtype="str")
    for mask, word in ((reply, "回复"), (completion, "完成"), (verification, "验证")):
        which = which.where(~mask, which + (which.ne("").map({True: "、", False: ""})) + word)
    out = tasks.copy(deep=False)
    out[T.not_judged] = which
    out.loc[which != "", T.status] = "not_judged"
    return out
