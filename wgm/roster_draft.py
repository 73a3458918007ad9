"""A roster drafted from what the exports show (`wgm roster draft`), and a roster checked against them
(`wgm roster check`). Pure functions of the ingested messages: nothing here reads files or prints.

The draft is what an admin edits instead of writing: one member per person the naming rule finds
(姓名-部门 …), every display name and id the person appears under as aliases, the groups with their
chat ids and the members seen posting in each, and `# TODO 填写` where only the admin knows the answer
(roles, supervisors, 工号, group admins, real names behind bare ids). Loaded unchanged it gives the
audit what it finds without a roster: every person of a department is its head (a department named
as a receiver asks each of them, as without a roster) until the admin keeps only the real one, and a
person shown by a bare id is a member under that id (where the naming rule would cut wxid_ab12 into
a name and a department).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from wgm.names import closest, pinyin_key, pinyin_order
from wgm.roster import Roster
from wgm.schema import M


@dataclass
class DraftMember:
    name: str
    depts: Counter = field(default_factory=Counter)       # departments seen with the name, by messages
    aliases: set[str] = field(default_factory=set)
    named: bool = False                                   # seen under a display name at least once
    messages: int = 0

    @property
    def id_only(self) -> bool:
        """Shown only by a bare id (a WeCom userid, a wxid): the admin must give the real name."""
        return not self.named

    @property
    def dept(self) -> str:
        return self.depts.most_common(1)[0][0] if self.depts else ""


@dataclass
class DraftGroup:
    name: str
    ids: set[str] = field(default_factory=set)
    members: set[str] = field(default_factory=set)
    named_by_id: bool = False                             # the export gave no group name: the chat id stands in


@dataclass
class Draft:
    members: dict[str, DraftMember]
    groups: dict[str, DraftGroup]
    sources: int


def _bare_id(sender: str, sender_id: str) -> bool:
    """A sender shown by an id alone: the export has no name for them (WeCom archives, PyWxDump without
    users.json, chatlog for contacts without a remark)."""
    return bool(sender_id) and sender in ("", sender_id)


def _senders(messages: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct (group, chat id, sender, id, member, dept), with its number of messages."""
    cols = [M.group, M.group_id, M.sender, M.sender_id, M.member, M.dept]
    people = messages[(messages[M.sender] != "") | (messages[M.sender_id] != "")]
    return people.groupby(cols, sort=True, dropna=False).size().reset_index(name="n")


def draft(messages: pd.DataFrame, naming_pattern: str = "") -> Draft:
    """The roster the messages suggest (messages ingested without a roster: members by the naming rule).
    A department is taken only from display names that follow the naming setting (`naming.member`):
    王 五 is a name with a space, not 王 of department 五 (and the naming rule still fires on it)."""
    follows = re.compile(naming_pattern).match if naming_pattern else (lambda _text: True)
    members: dict[str, DraftMember] = {}
    groups: dict[str, DraftGroup] = {}
    for group, group_id, sender, sender_id, member, dept, n in _senders(messages).itertuples(index=False):
        bare = _bare_id(sender, sender_id)
        name = sender_id if bare else member
        if not name:
            continue
        entry = members.setdefault(name, DraftMember(name))
        entry.named = entry.named or not bare
        entry.messages += int(n)
        if dept and not bare and follows(sender):
            entry.depts[dept] += int(n)
        entry.aliases.update(a for a in (sender, sender_id) if a and a != name)
        g = groups.setdefault(group, DraftGroup(group))
        if group_id:
            g.ids.add(group_id)
            g.named_by_id = g.named_by_id or group == group_id
        g.members.add(name)
    return Draft(members, groups, messages[M.source].nunique())


def _q(value: str) -> str:
    """A YAML scalar that reads back as exactly this text (a JSON string is a YAML double-quoted one)."""
    return json.dumps(value, ensure_ascii=False)


def _list(values) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


_HEADER = """\
# 花名册草稿 / roster draft: `wgm roster draft` 从 {sources} 个导出文件生成（{groups} 个群，{members} 人）
# 姓名、部门按命名规则（姓名-部门 等）取自群昵称；aliases 是此人在导出中出现过的每个名字和 id。
# 逐条核对，并补上标 “TODO 填写” 的内容：角色（部门负责人 head、考核办公室 office）、上级、工号、群管理员，
# 以及只以 id 出现的人的真实姓名。改完用 `wgm roster check 导出 --roster 本文件` 复查。
# Names and departments come from display names by the naming rule; aliases are every name and id a
# person appears under. Fill in each "TODO 填写": roles (head, office), supervisors, ids (工号), group
# admins, and the real names of people the exports show by an id only.
company: ""          # TODO 填写 公司名称 / company name
"""

_ROLE_TODO = "# TODO 填写 角色：head（部门负责人）/ office（考核办公室）/ member"
_HEAD_TODO = "# TODO 核对：草稿把部门里每个人都当作负责人（和没有花名册时一样）；只给真正的负责人留 head，其余改为 member"


def render(d: Draft) -> str:
    """The draft as a commented roster.yaml, members by department then pinyin, groups by name."""
    out = [_HEADER.format(sources=d.sources, groups=len(d.groups), members=len(d.members))]
    out.append("members:\n")
    by_dept: dict[str, list[DraftMember]] = {}
    for m in d.members.values():
        by_dept.setdefault(m.dept, []).append(m)
    for dept in pinyin_order(by_dept):
        people = sorted(by_dept[dept], key=lambda m: (pinyin_key(m.name), m.name))
        if dept:
            out.append(f"  # ---- {dept} ---- TODO 填写 部门负责人：只给负责人留 role: head\n")
        else:
            out.append("  # ---- 部门未知 / no department in the display name ---- TODO 填写 dept\n")
        for m in people:
            out.append(_member_entry(m))
    out.append("groups:\n")
    for name in pinyin_order(d.groups):
        g = d.groups[name]
        note = "   # TODO 填写 群名：导出只有群 id / the export names no group" if g.named_by_id else ""
        out.append(f"  - name: {_q(g.name)}{note}\n")
        out.append(f"    ids: {_list(sorted(g.ids))}\n")
        out.append("    admins: []       # TODO 填写 群管理员（姓名）/ group admins\n")
        out.append(f"    members: {_list(pinyin_order(g.members))}   # 导出中发过言的人；没发言的请补上\n")
    return "".join(out)


def _member_entry(m: DraftMember) -> str:
    lines = []
    if m.id_only:
        lines.append(f"  - name: {_q(m.name)}   # TODO 填写 真实姓名：导出里只有 id {m.name}（id 留在 aliases 里）\n")
    else:
        lines.append(f"  - name: {_q(m.name)}\n")
    dept_note = ""
    if len(m.depts) > 1:
        seen = "、".join(sorted(m.depts))
        dept_note = f"   # TODO 核对：此名字出现在 {seen} 下，若是不同的人请拆成几条"
    lines.append(f"    dept: {_q(m.dept)}{dept_note}\n")
    if m.dept:      # as wgm does without a roster: a department named as a receiver asks each of its people
        lines.append(f"    role: head         {_HEAD_TODO}\n")
    else:
        lines.append(f"    role: member       {_ROLE_TODO}\n")
    lines.append("    supervisor: \"\"     # TODO 填写 上级（姓名）/ supervisor\n")
    lines.append("    id: \"\"             # 工号（可选；两人同名同部门时必填）/ employee id\n")
    aliases = sorted(m.aliases | ({m.name} if m.id_only else set()))
    lines.append(f"    aliases: {_list(aliases)}\n")
    return "".join(lines)


# ---- the check ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Missing:
    """Someone the exports show whom the roster does not list: as shown, the messages, the groups, and
    the roster's closest names (same sound first: 孙俪 for 孙丽)."""

    shown: str
    messages: int
    groups: tuple[str, ...]
    closest: tuple[str, ...]


@dataclass(frozen=True)
class RawId:
    """An id the exports show with no name, which nothing in the roster maps to a member."""

    id: str
    messages: int
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Check:
    missing: tuple[Missing, ...]
    raw_ids: tuple[RawId, ...]
    unknown_groups: tuple[str, ...]       # groups in the exports the roster does not list

    @property
    def clean(self) -> bool:
        return not (self.missing or self.raw_ids or self.unknown_groups)


def check(messages: pd.DataFrame, roster: Roster) -> Check:
    """Members seen in the messages (ingested with this roster) and missing from it, ids shown raw, and
    groups the roster does not know."""
    known = set(roster.people)
    aliases = roster.alias_map()
    names = [p.name for p in roster.people.values()] + [a for p in roster.people.values() for a in p.aliases]
    missing: dict[str, list] = {}
    raw: dict[str, list] = {}
    for group, _gid, sender, sender_id, member, _dept, n in _senders(messages).itertuples(index=False):
        if member in known:
            continue
        if _bare_id(sender, sender_id) and sender_id not in aliases:
            entry = raw.setdefault(sender_id, [0, set()])
        else:
            entry = missing.setdefault(member or sender, [0, set()])
        entry[0] += int(n)
        entry[1].add(group)
    listed = {g.name for g in roster.groups}
    unknown_groups = tuple(g for g in pinyin_order(set(messages[M.group]) - {""}) if g not in listed)
    return Check(
        tuple(Missing(who, n, tuple(sorted(gs)), tuple(closest(who, names)))
              for who, (n, gs) in sorted(missing.items(), key=lambda kv: (-kv[1][0], kv[0]))),
        tuple(RawId(i, n, tuple(sorted(gs))) for i, (n, gs) in sorted(raw.items(), key=lambda kv: (-kv[1][0], kv[0]))),
        unknown_groups if roster.groups else ())
