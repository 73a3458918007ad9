"""The admin's side files: incidents, membership snapshots and overrides (YAML or CSV).

Each loader validates every row and reports file:line for each mistake.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from wgm.catalog import INCIDENT_RULES, RULE_IDS
from wgm.errors import SettingsError, WgmError
from wgm.roster import Roster
from wgm.settings import Settings, read_yaml_with_lines


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


@dataclass(frozen=True)
class Override:
    target: str        # msg_id | task_id | event
    key: str           # the id it targets
    action: str        # dismiss | confirm | tag | waive | escalated
    value: str
    reason: str
    line: int
    source: str


OVERRIDE_ACTIONS = ("dismiss", "confirm", "tag", "waive", "escalated")


def _rows(path: Path) -> list[tuple[int, dict]]:
    """(line, row) pairs from a CSV file or a YAML list (top level or under `rows`)."""
    src = str(path)
    if path.suffix.lower() == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise SettingsError("file not found", source=src) from None
        except UnicodeDecodeError:
            raise SettingsError("not UTF-8 text", source=src) from None
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
        raise SettingsError("expected a list of rows", source=src, line=1)
    out = []
    for i, row in enumerate(data):
        line = lines.get((*prefix, str(i)), 0)
        if not isinstance(row, dict):
            raise SettingsError(f"row {i + 1}: expected a mapping", source=src, line=line)
        out.append((line, row))
    return out


def _date(value, where) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise where(f"not a date (YYYY-MM-DD): {value!r}") from None


def _number(value, where, name: str) -> float:
    if value in (None, ""):
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        raise where(f"{name}: expected a number, got {value!r}") from None


def load_incidents(path: Path | None, roster: Roster, settings: Settings) -> list[Incident]:
    if path is None:
        return []
    path = Path(path)
    src = str(path)
    lo, hi = settings.loss_rates
    out: list[Incident] = []
    problems: list[WgmError] = []
    for line, row in _rows(path):
        def where(msg: str, line=line) -> WgmError:
            return WgmError(msg, source=src, line=line)
        try:
            unknown = set(row) - {"date", "member", "rule", "note", "loss_amount", "rate", "group"}
            if unknown:
                raise where(f"unknown key {', '.join(sorted(map(str, unknown)))}")
            day = _date(row.get("date"), where)
            member = str(row.get("member") or "").strip()
            if not member:
                raise where("member is empty")
            if not roster.empty and member not in roster.people:
                raise where(f"{member} is not in the roster")
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
            out.append(Incident(day, member, rule, str(row.get("note") or ""), loss_amount, rate, line, src,
                                str(row.get("group") or "").strip()))
        except WgmError as exc:
            problems.append(exc)
    if problems:
        raise SettingsError(problems)
    return out


def load_snapshots(path: Path | None, roster: Roster) -> list[Snapshot]:
    """Membership snapshots: CSV/YAML rows `as_of, group, member` (one per member present)."""
    if path is None:
        return []
    path = Path(path)
    src = str(path)
    present: dict[tuple[date, str], set[str]] = {}
    problems: list[WgmError] = []
    for line, row in _rows(path):
        def where(msg: str, line=line) -> WgmError:
            return WgmError(msg, source=src, line=line)
        try:
            day = _date(row.get("as_of"), where)
            group = str(row.get("group") or "").strip()
            members = row.get("members")
            names = [str(m) for m in members] if isinstance(members, list) else [str(row.get("member") or "").strip()]
            if not group or not all(names):
                raise where("as_of, group and member are required")
            present.setdefault((day, group), set()).update(names)
        except WgmError as exc:
            problems.append(exc)
    if problems:
        raise SettingsError(problems)
    return [Snapshot(day, group, frozenset(names), src) for (day, group), names in sorted(present.items())]


def load_overrides(path: Path | None) -> list[Override]:
    if path is None:
        return []
    path = Path(path)
    src = str(path)
    out: list[Override] = []
    problems: list[WgmError] = []
    for line, row in _rows(path):
        def where(msg: str, line=line) -> WgmError:
            return WgmError(msg, source=src, line=line)
        try:
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
            out.append(Override(targets[0], str(row[targets[0]]).strip(), action, value, reason, line, src))
        except WgmError as exc:
            problems.append(exc)
    if problems:
        raise SettingsError(problems)
    return out
