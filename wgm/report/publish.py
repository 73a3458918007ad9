"""announce_<group>.md: the short 公示 text the admin pastes into the group, one per group and month."""

from __future__ import annotations

import re

import pandas as pd

from wgm.catalog import RULES
from wgm.result import AuditResult

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_filename(name: str, limit: int = 80) -> str:
    """A file name that stays inside the output folder on every OS (no ../, no CON, no slashes)."""
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    cleaned = cleaned.replace("..", "_")
    if not cleaned or cleaned.split(".")[0].upper() in _RESERVED:
        cleaned = f"_{cleaned}"
    return cleaned[:limit]


def _next_month(month: str) -> tuple[int, int]:
    year, mon = int(month[:4]), int(month[5:])
    return (year + 1, 1) if mon == 12 else (year, mon + 1)


def announcement(result: AuditResult, group: str) -> str:
    report = result.settings.data["report"]
    lines: list[str] = []
    events = result.events
    for month in result.months:
        year, mon = int(month[:4]), int(month[5:])
        ny, nm = _next_month(month)
        rows = events[(events["month"] == month) & ((events["group"] == group) | (events["group"] == ""))
                      & (events["member"] != "")]
        lines.append(f"# {group} {year}年{mon}月 群考核结果公示")
        lines.append("")
        lines.append(f"依据《企业微信群管理规定》第5条考核细则，{year}年{mon}月本群考核结果如下"
                     f"（群管理员于{ny}年{nm}月{report['admin_due_day']}日前公示，"
                     f"{nm}月{report['office_due_day']}日前报财务于当月工资中执行）：")
        lines.append("")
        if not len(rows):
            lines.append("本月无考核事项。")
        for member, mrows in rows.groupby("member", sort=True):
            parts = []
            for rule in RULES:
                n = int(mrows.loc[mrows["rule"] == rule.id, "count"].sum())
                if n and (rule.id in ("quit_group",) or not rule.flag_only or mrows.loc[mrows["rule"] == rule.id,
                                                                                           "amount"].sum()):
                    parts.append(f"{rule.zh}{n}{rule.unit}")
            if not parts:
                continue
            amount = float(mrows["amount"].sum())
            flag = "，取消本月嘉奖及评优资格" if (mrows["rule"] == "quit_group").any() else ""
            lines.append(f"- {member}：{'、'.join(parts)}，合计 {amount:,.2f} 元{flag}")
        lines.append("")
        lines.append(f"如有异议，请于{ny}年{nm}月{report['admin_due_day']}日前向群管理员提出。")
        lines.append("")
    return "\n".join(lines)


def announcements(result: AuditResult) -> dict[str, bytes]:
    groups = sorted(g for g in pd.unique(result.messages["group"]) if g) if len(result.messages) else []
    return {f"announce_{safe_filename(g)}.md": announcement(result, g).encode("utf-8") for g in groups}
