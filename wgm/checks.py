"""What the run can judge: names the user typed that match nobody, and rules that cannot fire.

A name in --set admins or the incidents file that matches nobody (孙俪 for 孙丽) would silently
fire nothing or fine nobody: it is an error with the closest names. A rule that needs what the
run does not have (an admin, a roster, a group's expected members) is named in a warning.
"""

from __future__ import annotations

import pandas as pd

from wgm import names
from wgm.errors import SettingsError, WgmError
from wgm.roster import Roster, resolve_member
from wgm.schema import M
from wgm.settings import Settings


def known_people(roster: Roster, messages: pd.DataFrame) -> set[str]:
    """Every name a person of the run goes by: the roster's names and aliases, else what the exports show."""
    if not roster.empty:
        return set(roster.alias_map())
    return (distinct(messages[M.member]) | distinct(messages[M.sender]) | distinct(messages[M.sender_id])) - {""}


def distinct(values: pd.Series) -> set[str]:
    """The distinct values of a column (unique() first: a set of a million arrow strings costs 0.1 s each)."""
    return set(values.unique().tolist())


def named_people(settings: Settings, roster: Roster, incidents, messages: pd.DataFrame) -> None:
    """Raise a SettingsError for each admin or incident member that matches nobody of the run."""
    if not settings.admins and not (roster.empty and incidents):
        return                    # no name to check
    known = known_people(roster, messages)
    members = set(roster.people) if not roster.empty else (distinct(messages[M.member]) - {""})
    problems = []
    for name in settings.admins:
        if not roster.empty and name not in known:
            key, why = resolve_member(roster, name)
            if key is None:
                problems.append(WgmError(why.replace("is not a member of the roster", "matches nobody in the roster"),
                                         source="settings", key="admins"))
        elif name not in known:
            problems.append(WgmError(f"{name} matches nobody in the exports{names.did_you_mean(name, members)}",
                                     source="settings", key="admins"))
    if roster.empty:      # with a roster, load_incidents() has checked the names already
        for i in incidents:
            if i.member not in known:
                problems.append(WgmError(f"{i.member} matches nobody in the exports"
                                         f"{names.did_you_mean(i.member, members)}", source=i.source, line=i.line,
                                         key="member"))
    if problems:
        raise SettingsError(problems)


def incident_groups(incidents, groups: set[str]) -> None:
    """An incident's `group` must name a group of the run (it decides whose 公示 shows it)."""
    problems = [WgmError(f"群 {i.group} 不在输入或花名册中（group {i.group} is not a group of the inputs or the roster）"
                         f"{names.did_you_mean(i.group, groups)}", source=i.source, line=i.line, key="group")
                for i in incidents if i.group and i.group not in groups]
    if problems:
        raise SettingsError(problems)


def what_cannot_fire(settings: Settings, roster: Roster, messages: pd.DataFrame, snapshots) -> list[str]:
    """Warnings naming the rules that cannot fire for want of something the run does not have."""
    out = []
    global_admins = {p.member for p in roster.people.values() if p.role == "admin"} | set(settings.admins)
    for group in sorted(distinct(messages[M.group]) - {""}):
        g = roster.group(group)
        if not (g and g.admins) and not global_admins:
            out.append(f"{group}: 没有已知的群管理员（名册 groups.admins 或 role: admin，或 --set admins=姓名），"
                       "off_topic_after_warning（制止后仍发无关信息）无法判定 / no admin known: "
                       "off_topic_after_warning cannot fire")
    for snap in snapshots:
        g = roster.group(snap.group)
        for name in sorted(snap.members - set(roster.people)) if not roster.empty else ():
            out.append(f"{snap.source}: {snap.as_of} {snap.group}: 成员快照中的 {name} 不在名册中"
                       f"{names.did_you_mean(name, roster.people)} / not in the roster")
        if not (g and g.members):
            out.append(f"{snap.group}: 名册未列出本群应在成员（groups.members），成员快照无法判定 quit_group "
                       "/ no expected members: quit_group from the snapshot cannot fire")
    if roster.empty:
        out.append("没有名册：以部门名指定的接收人无法对应到部门负责人，上报无法对应到上级和考核办公室 / no roster: "
                   "departments named as receivers have no head, escalations no supervisor or office")
    return out
