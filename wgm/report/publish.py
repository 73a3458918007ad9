"""announce_<group>_<YYYY-MM>.txt: the 公示 an admin pastes into the group, one per group and month.

Plain text (WeChat shows Markdown marks as they are), only that group's events (an incident shows
here only when its row names the group), members in pinyin order or by amount, the dates covered
when the exports cover the month only in part, and what still awaits review.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wgm import names
from wgm.catalog import RULES
from wgm.result import AuditResult

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
NAME_BYTES = 120     # a file name's budget in UTF-8 bytes (file systems allow 255; the month and a hash follow)


def safe_filename(name: str, limit: int = NAME_BYTES) -> str:
    """A file name that stays inside the output folder on every OS (no ../, no CON, no slashes), within
    `limit` UTF-8 bytes (a CJK character is 3)."""
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    cleaned = cleaned.replace("..", "_")
    if not cleaned or cleaned.split(".")[0].upper() in _RESERVED:
        cleaned = f"_{cleaned}"
    encoded = cleaned.encode("utf-8")
    if len(encoded) > limit:
        cleaned = encoded[:limit].decode("utf-8", errors="ignore")
    return cleaned


@dataclass(frozen=True)
class Line:
    """One member's line of a 公示."""

    member: str
    parts: tuple[str, ...]     # 当天延迟回复1次 …
    amount: float
    under_review: float        # of which still awaiting review
    disqualified: bool


def _next_month(month: str) -> tuple[int, int]:
    year, mon = int(month[:4]), int(month[5:])
    return (year + 1, 1) if mon == 12 else (year, mon + 1)


def _counted(rows: pd.DataFrame, keys: list[str]) -> dict[tuple, tuple[int, float]]:
    """(keys…) → (events counted, amount) of `rows`, the lines' rows (members only, held ones out)."""
    per_rule = rows.groupby(keys, sort=False).agg(n=("count", "sum"), amount=("amount", "sum"))
    return {key: (int(n), float(amount)) for key, n, amount in zip(per_rule.index, per_rule["n"], per_rule["amount"])}


def _line_rows(events: pd.DataFrame, hold_uncertain: bool) -> pd.DataFrame:
    rows = events[(events["member"] != "") & ~events["possible"]]
    return rows[~rows["needs_review"].to_numpy()] if hold_uncertain else rows


def member_lines(events: pd.DataFrame, hold_uncertain: bool,
                 counted: dict[tuple, tuple[int, float]] | None = None) -> tuple[list[Line], int, int]:
    """The members' lines of one group's month, how many of their events still await review, and how
    many near-misses (疑似, never in a line: they count nothing until confirmed) do. With
    `hold_uncertain` the events awaiting review are left out of the lines (they are not priced). `counted`: the
    month's (member, rule) → (count, amount), when the caller grouped every month at once."""
    if counted is None:
        rows = _line_rows(events, hold_uncertain)
        # one grouping for the whole month (a filter per member and rule cost minutes at 100k messages)
        counted = _counted(rows, ["member", "rule"]) if len(rows) else {}
    return _lines(events["member"].to_numpy(), events["needs_review"].to_numpy(), events["possible"].to_numpy(),
                  events["amount"].to_numpy(), events["rule"].to_numpy(), hold_uncertain, counted)


def _lines(member: np.ndarray, review: np.ndarray, possible: np.ndarray, amount: np.ndarray, rule_of: np.ndarray,
           hold_uncertain: bool, counted: dict[tuple, tuple[int, float]]) -> tuple[list[Line], int, int]:
    """member_lines on a month's events as columns (in their row order): no pandas frame is cut per 公示
    (~3 ms each, 650 of them in a year of 50 groups)."""
    named = member != ""
    near = int((named & possible).sum())
    named &= ~possible
    pending = int(review[named].sum())
    keep = named & ~review if hold_uncertain else named
    if not keep.any():
        return [], pending, near
    member, review, amount, rule_of = member[keep], review[keep], amount[keep], rule_of[keep]
    rows_of: dict[str, list[int]] = {}
    for i, who in enumerate(member.tolist()):
        rows_of.setdefault(who, []).append(i)
    lines = []
    for who, rows in rows_of.items():
        parts = []
        for rule in RULES:
            n, money = counted.get((who, rule.id), (0, 0.0))
            if n and (rule.id == "quit_group" or not rule.flag_only or money):
                parts.append(f"{rule.zh}{n}{rule.unit}")
        if parts:
            at = np.asarray(rows, dtype=np.intp)
            # summed as pandas sums a column (numpy, in row order): the same cents as before, to the bit
            lines.append(Line(who, tuple(parts), round(float(amount[at].sum()), 2),
                              round(float(amount[at][review[at]].sum()), 2),
                              bool((rule_of[at] == "quit_group").any())))
    return lines, pending, near


def ordered(lines: list[Line], order: str, rank: dict[str, int] | None = None) -> list[Line]:
    """Lines by pinyin, or by amount and then pinyin. `rank`: each member's place in the pinyin order of
    the run's members, found once (spelling every name in pinyin again for each of hundreds of 公示
    took seconds)."""
    if rank is None or any(l.member not in rank for l in lines):
        rank = {m: i for i, m in enumerate(names.pinyin_order({l.member for l in lines}))}
    if order == "amount":
        return sorted(lines, key=lambda l: (-l.amount, rank[l.member]))
    return sorted(lines, key=lambda l: rank[l.member])


def announcement(result: AuditResult, group: str, month: str, events: pd.DataFrame | None = None,
                 rank: dict[str, int] | None = None, counted: dict[tuple, tuple[int, float]] | None = None,
                 lines: tuple[list[Line], int, int] | None = None) -> str:
    """The 公示 text of one group and month (`events`: that group's events of the month, if already cut;
    `rank`: the members' pinyin order, see ordered; `counted`: see member_lines; `lines`: member_lines's
    answer, when the caller has it)."""
    settings = result.settings
    report = settings.data["report"]
    year, mon = int(month[:4]), int(month[5:])
    ny, nm = _next_month(month)
    objection_day = report["admin_due_day"] + report["objection_days"]
    if lines is None:
        if events is None:
            events = result.events[(result.events["month"] == month) & (result.events["group"] == group)]
        lines = member_lines(events, settings.hold_uncertain, counted)
    members, pending, near = lines
    coverage = next((c for c in result.coverage if c.group == group), None)
    state = coverage.month(month) if coverage is not None else None
    out = [f"{group} {year}年{mon}月 群考核结果公示", ""]
    intro = f"依据《企业微信群管理规定》第5条考核细则，本群{year}年{mon}月考核结果如下"
    if coverage is not None and state is not None and state.status == "partial":
        intro += f"（本次导出只含{state.dates_zh()}的群消息"
        if state.cut_at_end:
            intro += f"；导出于{coverage.until.month}月{coverage.until.day}日{coverage.until:%H:%M}，此后到期的事项未纳入"
        intro += "）"
    out += [intro + "：", ""]
    if not members:
        out.append("本月本群无考核事项。" if not pending and not near else "本月本群暂无已确认的考核事项。")
    for n, line in enumerate(ordered(members, report["announce_order"], rank), 1):
        text = f"{n}. {line.member}：{'、'.join(line.parts)}，合计{line.amount:,.2f}元"
        if line.under_review:
            text += f"（其中{line.under_review:,.2f}元待复核）"
        if line.disqualified:
            text += "，取消本月嘉奖及评优资格"
        out.append(text)
    if members:
        total = round(sum(l.amount for l in members), 2)
        out += ["", f"本群本月合计{total:,.2f}元（{len(members)}人）。"]
    if pending and settings.hold_uncertain:
        out.append(f"另有{pending}项待复核，暂未计入，复核后另行公示。")
    elif pending:
        out.append(f"其中{pending}项待复核（已按初步结果列入），复核后以最终结果为准。")
    if near:
        out.append(f"另有{near}项疑似事项待管理员核实，未计入；确认成立的另行公示。")
    out += ["", f"如有异议，请于{ny}年{nm}月{objection_day}日前向群管理员提出。",
            f"群管理员于{nm}月{report['admin_due_day']}日前公示；考核办公室于{nm}月{report['office_due_day']}日前"
            f"报财务，于当月工资中执行。", ""]
    return "\n".join(out)


def announced(result: AuditResult) -> list[tuple[str, str]]:
    """(group, month) of every 公示: each group in each reported month its exports reach. A month the
    exports do not reach gets none (it is reported as missing, never as "no fines")."""
    pairs = []
    for cov in result.coverage:
        for month in result.months:
            if cov.month(month).status in ("full", "partial"):
                pairs.append((cov.group, month))
    return pairs


def file_names(groups: list[str]) -> dict[str, str]:
    """group → the part of its file names that names it: safe, within the byte budget, and unique (two
    groups whose names differ only in characters a file name cannot hold get a short hash each)."""
    base = {g: safe_filename(g) for g in groups}
    clashes = pd.Series(list(base.values())).str.lower().duplicated(keep=False).tolist()
    return {g: (f"{b}_{hashlib.sha256(g.encode('utf-8')).hexdigest()[:6]}" if clash else b)
            for (g, b), clash in zip(base.items(), clashes)}


def _cut(columns: list[np.ndarray], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                               np.ndarray]:
    member, review, possible, amount, rule = (c[rows] for c in columns)
    return member, review, possible, amount, rule


def announcements(result: AuditResult) -> dict[str, bytes]:
    pairs = announced(result)
    stems = file_names(sorted({g for g, _ in pairs}))
    ev = result.events
    by_pair = ev.groupby(["group", "month"], sort=False).indices if len(ev) else {}
    rank = {m: i for i, m in enumerate(names.pinyin_order(set(ev["member"].unique().tolist()) - {""}))}
    # one grouping for every 公示 of the run: pandas' groupby of a 公示's events cost ~5 ms, and a year of
    # 50 groups has 650 of them. A group's sums are the same either way (its rows, in the same order).
    counted: dict[tuple, dict[tuple, tuple[int, float]]] = {}
    rows = _line_rows(ev, result.settings.hold_uncertain)
    if len(rows):
        for (g, m, member, rule), got in _counted(rows, ["group", "month", "member", "rule"]).items():
            counted.setdefault((g, m), {})[(member, rule)] = got
    columns = [ev[c].to_numpy() for c in ("member", "needs_review", "possible", "amount", "rule")]
    nothing = np.zeros(0, dtype=np.intp)
    hold = result.settings.hold_uncertain
    return {f"announce_{stems[g]}_{m}.txt":
            announcement(result, g, m, rank=rank,
                         lines=_lines(*_cut(columns, by_pair.get((g, m), nothing)), hold,
                                      counted.get((g, m), {}))).encode("utf-8")
            for g, m in pairs}
