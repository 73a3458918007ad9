"""Who is who: the roster (YAML or CSV), and the name → member resolution used everywhere.

Without a roster, members come from display names by the naming rule of rules.md
(姓名-部门, 姓名_部门, 姓名（部门）, 部门-姓名, 姓名 部门).
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from wgm.errors import SettingsError, WgmError
from wgm.names import did_you_mean
from wgm.settings import check_side_file, read_side_text, read_yaml_with_lines

ROLE_NAMES = {
    "head": "head", "部门负责人": "head", "负责人": "head", "主管": "head",
    "admin": "admin", "群管理员": "admin", "管理员": "admin",
    "office": "office", "考核办公室": "office", "办公室": "office",
    "member": "member", "成员": "member", "员工": "member", "": "member",
}
# common surnames: in 部门-姓名 names (研发-李四) the part starting with one is the person
_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
                "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易"
                "乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
_DEPT_SUFFIX = re.compile(r"(部|中心|办|组|室|科|处|队|所|院|公司|事业部|委员会)$")
_NAME_SPLIT = re.compile(r"^(?P<a>[^-_－—（(\s]+)\s*[-_－—\s]\s*(?P<b>[^-_－—（(\s]+)$|"
                         r"^(?P<c>[^（(]+)[（(](?P<d>[^)）]+)[)）]$")


# the characters 留痕 replaces with `_` in a remark or nickname (formats.md §F4)
_MEMOTRACE_UNSAFE = re.compile(r'[\\/:*?"<>|\s.\x00-\x08\x0b\x0c\x0e-\x1f]')


def memotrace_sanitised(name: str) -> str:
    """The name as 留痕 writes it (王 五 → 王_五, Amy.周 (QA) → Amy_周_(QA))."""
    return _MEMOTRACE_UNSAFE.sub("_", name)


@dataclass(frozen=True)
class Person:
    name: str
    dept: str = ""
    role: str = "member"
    supervisor: str = ""          # the supervisor's key
    aliases: tuple[str, ...] = ()
    id: str = ""                  # 工号, where the roster gives one
    key: str = ""                 # the member as every output names it: the name, or, for a name two people
                                  # share, 王芳（财务部） (王芳（HX002） when they share the department too)

    @property
    def member(self) -> str:
        return self.key or self.name


@dataclass(frozen=True)
class Group:
    name: str
    ids: tuple[str, ...] = ()
    admins: tuple[str, ...] = ()
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Roster:
    company: str = ""
    people: dict[str, Person] = field(default_factory=dict)
    groups: tuple[Group, ...] = ()
    source: str = ""

    @property
    def empty(self) -> bool:
        return not self.people

    def alias_map(self) -> dict[str, str]:
        """Every name or id a member appears under → member key. A name two people share is no alias of
        either (name-department forms still tell them apart)."""
        out: dict[str, str] = {}
        shared = self.shared_names()
        for p in self.people.values():
            for alias in (p.member, p.id, *p.aliases, *(() if p.name in shared else (p.name,))):
                if alias:
                    out.setdefault(alias, p.member)
            if p.dept:
                for sep in ("-", "_", "－", "—", " ", ""):
                    out.setdefault(f"{p.name}{sep}{p.dept}", p.member)
                    out.setdefault(f"{p.dept}{sep}{p.name}", p.member)
                out.setdefault(f"{p.name}（{p.dept}）", p.member)
                out.setdefault(f"{p.name}({p.dept})", p.member)
            # an English name or nickname beside the name (Tim王昊天, 王昊天 Tim): how many set their display
            if p.name not in shared:
                for alias in p.aliases:
                    for sep in ("", " ", "-", "_"):
                        out.setdefault(f"{alias}{sep}{p.name}", p.member)
                        out.setdefault(f"{p.name}{sep}{alias}", p.member)
        # 留痕 writes a remark or nickname with its file-name characters made `_` (王 五 → 王_五): a name the
        # roster spells with them is matched in that form too, after every name as written
        for alias, member in list(out.items()):
            out.setdefault(memotrace_sanitised(alias), member)
        return out

    def shared_names(self) -> set[str]:
        """Names that more than one member of the roster has."""
        seen: dict[str, int] = {}
        for p in self.people.values():
            seen[p.name] = seen.get(p.name, 0) + 1
        return {n for n, count in seen.items() if count > 1}

    def ids(self) -> dict[str, str]:
        """member key → 工号, for the members that have one."""
        return {p.member: p.id for p in self.people.values() if p.id}

    def heads_of(self, dept: str) -> list[str]:
        return sorted(p.member for p in self.people.values() if p.dept == dept and p.role == "head")

    def departments(self) -> list[str]:
        return sorted({p.dept for p in self.people.values() if p.dept})

    def group(self, name: str) -> Group | None:
        for g in self.groups:
            if g.name == name:
                return g
        return None

    def group_by_id(self, chat_id: str) -> Group | None:
        for g in self.groups:
            if chat_id and chat_id in g.ids:
                return g
        return None

    def office(self) -> list[str]:
        return sorted(p.member for p in self.people.values() if p.role == "office")


# characters that show nothing: zero-width spaces and joiners, direction marks, a soft hyphen, a BOM.
# A name holding one looks like another and must be the same member (李\u200b四 is 李四)
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def plain_name(text: str) -> str:
    """A name as it reads: its invisible characters removed, its ends stripped."""
    return _INVISIBLE.sub("", text).strip() if _INVISIBLE.search(text) else text.strip()


def split_display_name(display: str, known_depts: set[str] | None = None) -> tuple[str, str]:
    """(name, dept) from a display name by the naming rule; (display, "") if it does not parse."""
    text = plain_name(display)
    m = _NAME_SPLIT.match(text)
    if not m:
        return text, ""
    if m.group("c"):
        return m.group("c").strip(), m.group("d").strip()
    a, b = m.group("a"), m.group("b")
    known = known_depts or set()
    a_dept = a in known or bool(_DEPT_SUFFIX.search(a))
    b_dept = b in known or bool(_DEPT_SUFFIX.search(b))
    if a_dept and not b_dept:
        return b, a
    if not a_dept and not b_dept and _looks_like_person(b) and not _looks_like_person(a):
        return b, a
    return a, b


def _looks_like_person(text: str) -> bool:
    return 2 <= len(text) <= 4 and text[0] in _SURNAMES and all("\u4e00" <= ch <= "\u9fff" for ch in text)


def _as_list(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in re.split(r"[;；,，]", value) if v.strip())
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return (str(value),)


def _person(row: dict, where) -> Person:
    for key in ("name", "dept", "role", "supervisor", "id"):
        if isinstance(row.get(key), (list, dict)):
            raise where(f"{key}: expected one value, got {row.get(key)!r}")
    name = plain_name(str(row.get("name") or ""))
    if not name:
        raise where("a member without a name")
    role_text = str(row.get("role") or "").strip()
    if role_text not in ROLE_NAMES:
        raise where(f"unknown role {role_text!r} (head, admin, office, member)")
    return Person(name=name, dept=plain_name(str(row.get("dept") or "")), role=ROLE_NAMES[role_text],
                  supervisor=plain_name(str(row.get("supervisor") or "")), aliases=_as_list(row.get("aliases")),
                  id=str(row.get("id") or "").strip())


def _keyed(people: list[tuple[Person, Callable[[str], WgmError]]], src: str) -> tuple[dict[str, Person], list[WgmError]]:
    """Members by key: the name, or for a name several people share, name（dept）, or name（工号） when
    they share the department too. Two entries nothing tells apart are an error."""
    problems: list[WgmError] = []
    by_name: dict[str, list[Person]] = {}
    for p, _ in people:
        by_name.setdefault(p.name, []).append(p)
    out: dict[str, Person] = {}
    ids: dict[str, str] = {}
    for p, where in people:
        same = by_name[p.name]
        if len(same) == 1:
            key = p.name
        elif sum(q.dept == p.dept for q in same) == 1 and p.dept:
            key = f"{p.name}（{p.dept}）"
        elif p.id and sum(q.id == p.id for q in same) == 1:
            key = f"{p.name}（{p.id}）"
        else:
            problems.append(where(f"member {p.name} listed twice: give each a different dept or id (工号)"))
            continue
        if p.id and p.id in ids:
            problems.append(where(f"id {p.id} given to {ids[p.id]} and to {key}"))
            continue
        if p.id:
            ids[p.id] = key
        out[key] = Person(p.name, p.dept, p.role, p.supervisor, p.aliases, p.id, key)
    return out, problems


def _resolve(ref: str, people: dict[str, Person]) -> tuple[str | None, str]:
    """A member named in the roster, a side file or a setting → (key, "") or (None, why not)."""
    if ref in people:
        return ref, ""
    by_id = [k for k, p in people.items() if p.id and p.id == ref]
    if by_id:
        return by_id[0], ""
    named = [k for k, p in people.items() if p.name == ref or ref in p.aliases]
    if len(named) == 1:
        return named[0], ""
    if named:
        return None, f"{ref} is more than one member ({', '.join(sorted(named))}): give the key or the id (工号)"
    return None, f"{ref} is not a member of the roster{did_you_mean(ref, [p.name for p in people.values()])}"


def resolve_member(roster: "Roster", ref: str) -> tuple[str | None, str]:
    """The member a name, key, id or alias refers to in the roster: (key, "") or (None, why not)."""
    key, why = _resolve(ref, roster.people)
    if key is None and ref in roster.alias_map():
        return roster.alias_map()[ref], ""
    return key, why


def load_roster(path: Path | None) -> Roster:
    if path is None:
        return Roster()
    path = Path(path)
    if path.suffix.lower() in (".csv", ".txt"):
        return _load_roster_csv(path)
    if path.suffix.lower() == ".xlsx":
        return _load_roster_xlsx(path)
    return _load_roster_yaml(path)


def _load_roster_yaml(path: Path) -> Roster:
    data, lines = read_yaml_with_lines(path)
    src = str(path)
    if not isinstance(data, dict):
        raise SettingsError("应是含 members（和 groups）的键值表（expected a mapping with `members` (and `groups`)）", source=src, line=1)
    problems: list[WgmError] = []
    for key in data:
        if key not in ("company", "members", "groups"):
            problems.append(WgmError("未知的键，可用 company, members, groups（unknown key）", source=src,
                                     line=lines.get((str(key),)), key=str(key)))
    entries: list[tuple[Person, Callable[[str], WgmError]]] = []
    members = data.get("members") or []
    if not isinstance(members, list):
        problems.append(WgmError("members 应是成员列表（expected a list of members）", source=src, line=lines.get(("members",)),
                                 key="members"))
        members = []
    for i, row in enumerate(members):
        kp = ("members", str(i))

        def where(msg: str, kp=kp) -> WgmError:
            return WgmError(msg, source=src, line=lines.get(kp), key=".".join(kp))
        if not isinstance(row, dict):
            problems.append(where("expected name, dept, role, aliases, supervisor"))
            continue
        for key in row:
            if key not in ("name", "dept", "role", "aliases", "supervisor", "id"):
                problems.append(WgmError("未知的键，可用 name, dept, role, aliases, supervisor, id（unknown key）", source=src,
                                         line=lines.get((*kp, str(key))), key=".".join((*kp, str(key)))))
        try:
            entries.append((_person(row, where), where))
        except WgmError as exc:
            problems.append(exc)
    people, keyed_problems = _keyed(entries, src)
    problems.extend(keyed_problems)
    people, ref_problems = _resolve_supervisors(people, src)
    problems.extend(ref_problems)
    groups = []
    group_rows = data.get("groups") or []
    if not isinstance(group_rows, list):
        problems.append(WgmError("groups 应是群的列表（expected a list of groups）", source=src, line=lines.get(("groups",)), key="groups"))
        group_rows = []
    for i, row in enumerate(group_rows):
        kp = ("groups", str(i))
        if not isinstance(row, dict) or not row.get("name"):
            problems.append(WgmError("群需要名字（a group needs a name）", source=src, line=lines.get(kp), key=".".join(kp)))
            continue

        def at(msg: str, field_name: str, j: int, kp=kp) -> WgmError:
            return WgmError(msg, source=src, line=lines.get((*kp, field_name, str(j))) or lines.get(kp),
                            key=".".join((*kp, field_name)))
        groups.append(_group(row, people, at, problems))
    if problems:
        raise SettingsError(problems)
    return Roster(company=str(data.get("company") or ""), people=people, groups=tuple(groups), source=src)


def _group(row: dict, people: dict[str, Person], at: Callable[[str, str, int], WgmError],
           problems: list[WgmError]) -> Group:
    """A group of the roster (any form: YAML, the groups sheet or file), its admins and members resolved to
    member keys; each one not found is a problem `at(why, field, index)`."""
    resolved: dict[str, list[str]] = {"admins": [], "members": []}
    for field_name in ("admins", "members"):
        for j, who in enumerate(_as_list(row.get(field_name))):
            key, why = _resolve(who, people)
            if key is None:
                problems.append(at(why, field_name, j))
            else:
                resolved[field_name].append(key)
    return Group(name=str(row["name"]).strip(), ids=_as_list(row.get("ids")), admins=tuple(resolved["admins"]),
                 members=tuple(resolved["members"]))


_CSV_HEADERS = {"姓名": "name", "部门": "dept", "角色": "role", "别名": "aliases", "上级": "supervisor", "工号": "id",
                "name": "name", "dept": "dept", "role": "role", "aliases": "aliases", "supervisor": "supervisor",
                "id": "id"}


def _resolve_supervisors(people: dict[str, Person], src: str) -> tuple[dict[str, Person], list[WgmError]]:
    out, problems = {}, []
    for key, p in people.items():
        sup = p.supervisor
        if sup:
            found, why = _resolve(sup, people)
            if found is None:
                problems.append(WgmError(f"上级（supervisor）：{why}", source=src, key=f"members.{key}.supervisor"))
            else:
                sup = found
        out[key] = Person(p.name, p.dept, p.role, sup, p.aliases, p.id, p.key)
    return out, problems


def _rows_to_roster(rows: list[list[str]], src: str, group_rows: list[list[str]] | None = None,
                    group_src: str = "") -> Roster:
    if not rows:
        raise SettingsError("花名册是空的（empty roster）", source=src, line=1)
    header = [h.strip() for h in rows[0]]
    unknown = [h for h in header if h and h not in _CSV_HEADERS]
    if unknown or "姓名" not in header and "name" not in header:
        raise SettingsError(f"花名册表头应为 姓名, 部门, 角色, 别名, 上级，现在是 {', '.join(header)}（roster header must be 姓名, 部门, 角色, 别名, 上级）",
                            source=src, line=1)
    keys = [_CSV_HEADERS.get(h, "") for h in header]
    entries: list[tuple[Person, Callable[[str], WgmError]]] = []
    problems: list[WgmError] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        record = {k: v for k, v in zip(keys, row) if k}
        where = (lambda msg, n=n: WgmError(msg, source=src, line=n))
        try:
            entries.append((_person(record, where), where))
        except WgmError as exc:
            problems.append(exc)
    people, keyed_problems = _keyed(entries, src)
    people, ref_problems = _resolve_supervisors(people, src)
    problems.extend(keyed_problems + ref_problems)
    groups = _group_table(group_rows, group_src or src, people, problems) if group_rows else ()
    if problems:
        raise SettingsError(problems)
    return Roster(people=people, groups=groups, source=src)


# the groups of a CSV/XLSX roster: a second sheet, or <roster>_groups.csv beside the CSV
_GROUP_HEADERS = {"群名": "name", "群": "name", "name": "name", "群ID": "ids", "群id": "ids", "ids": "ids",
                  "管理员": "admins", "群管理员": "admins", "admins": "admins", "成员": "members", "群成员": "members",
                  "members": "members"}


def _is_group_header(row: list[str]) -> bool:
    return bool(row) and {"群名", "name"} & {c.strip() for c in row} != set() and \
        all(not c.strip() or c.strip() in _GROUP_HEADERS for c in row)


def _group_table(rows: list[list[str]], src: str, people: dict[str, Person], problems: list[WgmError]) -> tuple[Group, ...]:
    """Groups from a table with the headers 群名, 群ID, 管理员, 成员 (lists separated by ;)."""
    if not _is_group_header(rows[0]):
        problems.append(WgmError(f"群表表头应为 群名, 群ID, 管理员, 成员，现在是 {', '.join(rows[0])}（groups header must be 群名, 群ID, 管理员, 成员）",
                                 source=src, line=1))
        return ()
    keys = [_GROUP_HEADERS.get(h.strip(), "") for h in rows[0]]
    groups = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        record = {k: v for k, v in zip(keys, row) if k}
        if not str(record.get("name") or "").strip():
            problems.append(WgmError("群需要名字：群名（a group needs a name）", source=src, line=n))
            continue
        groups.append(_group(record, people, functools.partial(_at_row, src, n), problems))
    return tuple(groups)


def _at_row(src: str, line: int, why: str, field_name: str, _index: int) -> WgmError:
    return WgmError(why, source=src, line=line, key={"admins": "管理员", "members": "成员"}[field_name])


def groups_file_of(path: Path) -> Path:
    """Where a CSV roster's groups are: <roster>_groups.csv beside it."""
    return path.with_name(f"{path.stem}_groups{path.suffix}")


def _load_roster_csv(path: Path) -> Roster:
    text = read_side_text(path)
    beside = groups_file_of(path)
    group_rows = list(csv.reader(io.StringIO(read_side_text(beside)))) if beside.is_file() else None
    return _rows_to_roster(list(csv.reader(io.StringIO(text))), str(path), group_rows, str(beside))


def _load_roster_xlsx(path: Path) -> Roster:
    import openpyxl
    check_side_file(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise SettingsError("找不到文件（file not found）", source=str(path)) from None
    except Exception as exc:  # openpyxl raises many kinds for a non-workbook file
        raise SettingsError(f"不是可读的 Excel 工作簿（not a readable workbook）：{exc}", source=str(path)) from None
    sheets = [[["" if c is None else str(c) for c in row] for row in ws.iter_rows(values_only=True)]
              for ws in wb.worksheets]
    names = [ws.title for ws in wb.worksheets]
    # the members on the first sheet; the groups on a later one whose header row is the groups header
    later = [(names[i], rows) for i, rows in enumerate(sheets[1:], start=1) if rows and _is_group_header(rows[0])]
    group_rows = later[0][1] if later else None
    group_src = f"{path}[{later[0][0]}]" if later else ""
    return _rows_to_roster(sheets[0] if sheets else [], str(path), group_rows, group_src)
