"""The admin's side files: incidents, membership snapshots and overrides (YAML or CSV).

Each loader validates every row and reports file:line for each mistake.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable, TypeVar

from wgm import membership
from wgm.catalog import INCIDENT_RULES, RULE_IDS
from wgm.errors import SettingsError, WgmError
from wgm.roster import Roster, resolve_member
from wgm.settings import Settings, check_side_file, read_side_text, read_yaml_with_lines


@dataclass(frozen=True)
class Incident:
    date: date
    member: str
    rule: str
    note: str
    loss_amount: float
    rate: float
    line: int
    source: str
    group: str = ""     # the group it concerns: shown in that group's 公示; "" = the company's table only


@dataclass(frozen=True)
class Snapshot:
    as_of: date
    group: str
    members: frozenset[str]
    source: str
    basis: str = ""    # where the date comes from when the file gives none (wgm.membership), "" when it does


@dataclass(frozen=True)
class Override:
    target: str        # msg_id | task_id | event
    key: str           # the id it targets
    action: str        # dismiss | confirm | tag | waive | escalated
    value: str
    reason: str
    line: int
    source: str


T = TypeVar("T")
OVERRIDE_ACTIONS = ("dismiss", "confirm", "tag", "waive", "escalated")


def _rows(path: Path) -> list[tuple[int, dict]]:
    """(line, row) pairs from a CSV file or a YAML list (top level or under `rows`)."""
    src = str(path)
    if path.suffix.lower() == ".csv":
        text = read_side_text(path)
        reader = csv.DictReader(io.StringIO(text))
        return [(reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k})
                for row in reader]
    data, lines = read_yaml_with_lines(path)
    if isinstance(data, dict) and "rows" in data:
        data = data["rows"]
        prefix: tuple[str, ...] = ("rows",)
    else:
        prefix = ()
    if data is None:
        return []
    if not isinstance(data, list):
        raise SettingsError("应是行的列表（expected a list of rows）", source=src, line=1)
    out = []
    for i, row in enumerate(data):
        line = lines.get((*prefix, str(i)), 0)
        if not isinstance(row, dict):
            raise SettingsError(f"第 {i + 1} 行应是键值表（row {i + 1}: expected a mapping）", source=src, line=line)
        out.append((line, row))
    return out


def _each_row(path: Path, read: Callable[[int, dict, Callable[[str], WgmError]], T]) -> list[T]:
    """read(line, row, where) for every row of a side file; every row's mistake is collected (where(msg)
    makes one naming the file and line) and all are raised together."""
    src = str(path)
    out: list[T] = []
    problems: list[WgmError] = []
    for line, row in _rows(path):
        def where(msg: str, line=line) -> WgmError:
            return WgmError(msg, source=src, line=line)
        try:
            out.append(read(line, row, where))
        except WgmError as exc:
            problems.append(exc)
    if problems:
        raise SettingsError(problems)
    return out


# the years a side file's dates may name (as an escalated override's): others are typos (2300, 0001)
YEARS = (1970, 2200)


def _date(value, where) -> date:
    if isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            raise where(f"not a date (YYYY-MM-DD): {value!r}") from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise where(f"date {value!s} is outside the years {YEARS[0]}–{YEARS[1]}")
    return day


def _number(value, where, name: str) -> float:
    if value in (None, ""):
        return 0.0
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise where(f"{name}: expected a number, got {value!r}") from None
    if not math.isfinite(number):
        raise where(f"{name}: expected a finite number, got {value!r}")     # .nan would price at 0, .inf at inf
    return number


def load_incidents(path: Path | None, roster: Roster, settings: Settings) -> list[Incident]:
    """Incidents (leak, false_info, loss): what no group log shows, from the admin's file."""
    if path is None:
        return []
    path = Path(path)
    lo, hi = settings.loss_rates

    def read(line: int, row: dict, where) -> Incident:
        unknown = set(row) - {"date", "member", "rule", "note", "loss_amount", "rate", "group"}
        if unknown:
            raise where(f"unknown key {', '.join(sorted(map(str, unknown)))}")
        day = _date(row.get("date"), where)
        member = str(row.get("member") or "").strip()
        if not member:
            raise where("member is empty")
        if not roster.empty:
            key, why = resolve_member(roster, member)
            if key is None:
                raise where(why)
            member = key
        rule = str(row.get("rule") or "").strip()
        if rule not in INCIDENT_RULES:
            raise where(f"rule must be one of {', '.join(INCIDENT_RULES)}, got {rule!r}")
        loss_amount = _number(row.get("loss_amount"), where, "loss_amount")
        rate = _number(row.get("rate"), where, "rate")
        if rule == "loss":
            if loss_amount <= 0:
                raise where("loss_amount must be above 0 for a loss")
            if not lo <= rate <= hi:
                raise where(f"rate {rate} is outside {lo:.0%}–{hi:.0%} (§5.11)")
        return Incident(day, member, rule, str(row.get("note") or ""), loss_amount, rate, line, str(path),
                        str(row.get("group") or "").strip())
    return _each_row(path, read)


def load_snapshots(path: Path | None, roster: Roster, as_of: date | None = None,
                   coverage_end: Callable[[str], date | None] = lambda group: None) -> list[Snapshot]:
    """Membership snapshots: CSV/YAML rows `as_of, group, member` (one per member present), or the members
    an export lists (wgm.membership: a 留痕 XLSX, a WeCom groupchat/get reply), dated `as_of` if given,
    else by coverage_end(group)."""
    if path is None:
        return []
    path = Path(path)
    check_side_file(path)
    listed = membership.read_export_members(path)
    if listed is not None:
        group = membership.group_of(listed, roster)
        day, basis = membership.snapshot_date(group, as_of, coverage_end, str(path))
        members = frozenset(membership.member_of(roster, names) for names in listed.names)
        return [Snapshot(day, group, members, str(path), basis)]

    def read(line: int, row: dict, where) -> tuple[date, str, list[str]]:
        day = _date(row.get("as_of"), where)
        group = str(row.get("group") or "").strip()
        members = row.get("members")
        names = [str(m) for m in members] if isinstance(members, list) else [str(row.get("member") or "").strip()]
        if not group or not all(names):
            raise where("as_of, group and member are required")
        return day, group, [resolve_member(roster, n)[0] or n for n in names]
    present: dict[tuple[date, str], set[str]] = {}
    for day, group, names in _each_row(path, read):
        present.setdefault((day, group), set()).update(names)
    return [Snapshot(day, group, frozenset(names), str(path)) for (day, group), names in sorted(present.items())]


# the events sheets of report.xlsx an admin records review decisions in, Chinese and English labels
_DECISION_SHEETS = (("待复核", "review"), ("明细", "events"))
_DECISION_WORDS = {"确认": "confirm", "驳回": "dismiss", "免除": "waive",
                   "confirm": "confirm", "dismiss": "dismiss", "waive": "waive"}


def workbook_overrides(path: Path) -> list[Override]:
    """The decisions an admin typed into 复核结论 / 理由 of an earlier report.xlsx (待复核 and 明细), one
    override per event: 确认 → confirm, 驳回 → dismiss, 免除 → waive. A decision without a reason is an
    error, except 确认 (the event stands as computed); one event given two different decisions too."""
    import openpyxl
    src = str(path)
    check_side_file(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise SettingsError("找不到文件（file not found）", source=src) from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise SettingsError(f"不是可读的 Excel 工作簿（not a readable workbook）：{exc}", source=src) from None
    found: dict[str, Override] = {}
    problems: list[WgmError] = []
    for names in _DECISION_SHEETS:
        sheet = next((wb[n] for n in names if n in wb.sheetnames), None)
        if sheet is None:
            continue
        rows = sheet.iter_rows(values_only=True)
        header = [str(c or "").strip() for c in next(rows, ())]
        col = {label: header.index(label) for label in ("复核结论", "理由", "事件编号", "decision", "reason",
                                                        "event_id") if label in header}
        at_decision = col.get("复核结论", col.get("decision"))
        at_reason = col.get("理由", col.get("reason"))
        at_event = col.get("事件编号", col.get("event_id"))
        if at_decision is None or at_event is None:
            continue                  # a workbook of an older wgm: no decisions to read
        for n, row in enumerate(rows, start=2):
            def cell(i):
                return str(row[i]).strip() if i is not None and i < len(row) and row[i] is not None else ""
            word, event = cell(at_decision), cell(at_event)
            if not word:
                continue
            where = f"{src}:{sheet.title}"
            action = _DECISION_WORDS.get(word)
            reason = cell(at_reason)
            if action is None:
                problems.append(WgmError(f"复核结论 must be 确认, 驳回 or 免除, got {word!r}", source=where, line=n))
                continue
            if not event:
                problems.append(WgmError("复核结论没有 事件编号（a decision without 事件编号）", source=where, line=n))
                continue
            if not reason and action != "confirm":
                problems.append(WgmError(f"{word}: 理由 is required", source=where, line=n))
                continue
            o = Override("event", event, action, "", reason or "复核确认", n, where)
            before = found.get(event)
            if before is not None and before.action != action:
                problems.append(WgmError(f"事件 {event} 的结论前后矛盾：{before.source}:{before.line} 是 {before.action}，这里是 {action}"
                                         f"（event {event}: {before.action} at {before.source}:{before.line}, {action} here）", source=where, line=n))
            found.setdefault(event, o)
    if problems:
        raise SettingsError(problems)
    return list(found.values())


def load_overrides(path: Path | None) -> list[Override]:
    if path is None:
        return []
    path = Path(path)
    src = str(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return workbook_overrides(path)

    def read(line: int, row: dict, where) -> Override:
        targets = [k for k in ("msg_id", "task_id", "event") if str(row.get(k) or "").strip()]
        if len(targets) != 1:
            raise where("give exactly one of msg_id, task_id, event")
        action = str(row.get("action") or "").strip()
        if action not in OVERRIDE_ACTIONS:
            raise where(f"action must be one of {', '.join(OVERRIDE_ACTIONS)}, got {action!r}")
        reason = str(row.get("reason") or "").strip()
        if not reason:
            raise where("reason is required")
        value = row.get("value")
        value = "" if value is None else str(value).strip()
        if action == "waive" and value and value not in RULE_IDS:
            raise where(f"waive value must be a rule id, got {value!r}")
        if action == "escalated" and value:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                raise where(f"escalated value must be a date or time (YYYY-MM-DD[ HH:MM]), got {value!r}") from None
            if not YEARS[0] <= moment.year <= YEARS[1]:
                raise where(f"escalated value {value!r} is outside the years {YEARS[0]}–{YEARS[1]}")
        return Override(targets[0], str(row[targets[0]]).strip(), action, value, reason, line, src)
    return _each_row(path, read)
