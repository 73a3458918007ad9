"""Who is who: the roster (YAML or CSV), and the name → member resolution used everywhere.

Without a roster, members come from display names by the naming rule of rules.md
(姓名-部门, 姓名_部门, 姓名（部门）, 部门-姓名, 姓名 部门).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from wgm.errors import SettingsError, WgmError
from wgm.settings import read_yaml_with_lines

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


@dataclass(frozen=True)
class Person:
    name: str
    dept: str = ""
    role: str = "member"
    supervisor: str = ""
    aliases: tuple[str, ...] = ()


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
        """Every name or id a member appears under → member name."""
        out: dict[str, str] = {}
        for p in self.people.values():
            for alias in (p.name, *p.aliases):
                out.setdefault(alias, p.name)
            if p.dept:
                for sep in ("-", "_", "－", "—", " ", ""):
                    out.setdefault(f"{p.name}{sep}{p.dept}", p.name)
                    out.setdefault(f"{p.dept}{sep}{p.name}", p.name)
                out.setdefault(f"{p.name}（{p.dept}）", p.name)
                out.setdefault(f"{p.name}({p.dept})", p.name)
        return out

    def heads_of(self, dept: str) -> list[str]:
        return sorted(p.name for p in self.people.values() if p.dept == dept and p.role == "head")

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
        return sorted(p.name for p in self.people.values() if p.role == "office")


def split_display_name(display: str, known_depts: set[str] | None = None) -> tuple[str, str]:
    """(name, dept) from a display name by the naming rule; (display, "") if it does not parse."""
    text = display.strip()
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
    name = str(row.get("name") or "").strip()
    if not name:
        raise where("a member without a name")
    role_text = str(row.get("role") or "").strip()
    if role_text not in ROLE_NAMES:
        raise where(f"unknown role {role_text!r} (head, admin, office, member)")
    return Person(name=name, dept=str(row.get("dept") or "").strip(), role=ROLE_NAMES[role_text],
                  supervisor=str(row.get("supervisor") or "").strip(), aliases=_as_list(row.get("aliases")))


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
        raise SettingsError("expected a mapping with `members` (and `groups`)", source=src, line=1)
    problems: list[WgmError] = []
    for key in data:
        if key not in ("company", "members", "groups"):
            problems.append(WgmError("unknown key (company, members, groups)", source=src,
                                     line=lines.get((str(key),)), key=str(key)))
    people: dict[str, Person] = {}
    for i, row in enumerate(data.get("members") or []):
        kp = ("members", str(i))

        def where(msg: str, kp=kp) -> WgmError:
            return WgmError(msg, source=src, line=lines.get(kp), key=".".join(kp))
        if not isinstance(row, dict):
            problems.append(where("expected name, dept, role, aliases, supervisor"))
            continue
        for key in row:
            if key not in ("name", "dept", "role", "aliases", "supervisor"):
                problems.append(WgmError("unknown key (name, dept, role, aliases, supervisor)", source=src,
                                         line=lines.get((*kp, str(key))), key=".".join((*kp, str(key)))))
        try:
            p = _person(row, where)
        except WgmError as exc:
            problems.append(exc)
            continue
        if p.name in people:
            problems.append(where(f"member {p.name} listed twice"))
        people[p.name] = p
    groups = []
    for i, row in enumerate(data.get("groups") or []):
        kp = ("groups", str(i))
        if not isinstance(row, dict) or not row.get("name"):
            problems.append(WgmError("a group needs a name", source=src, line=lines.get(kp), key=".".join(kp)))
            continue
        g = Group(name=str(row["name"]), ids=_as_list(row.get("ids")), admins=_as_list(row.get("admins")),
                  members=_as_list(row.get("members")))
        for field_name in ("admins", "members"):
            for j, who in enumerate(getattr(g, field_name)):
                if who not in people:
                    problems.append(WgmError(f"{who} is not a member of the roster", source=src,
                                             line=lines.get((*kp, field_name, str(j))) or lines.get(kp),
                                             key=".".join((*kp, field_name))))
        groups.append(g)
    for p in people.values():
        if p.supervisor and p.supervisor not in people:
            problems.append(WgmError(f"supervisor {p.supervisor} is not a member of the roster", source=src,
                                     key=f"members.{p.name}.supervisor"))
    if problems:
        raise SettingsError(problems)
    return Roster(company=str(data.get("company") or ""), people=people, groups=tuple(groups), source=src)


_CSV_HEADERS = {"姓名": "name", "部门": "dept", "角色": "role", "别名": "aliases", "上级": "supervisor",
                "name": "name", "dept": "dept", "role": "role", "aliases": "aliases", "supervisor": "supervisor"}


def _rows_to_roster(rows: list[list[str]], src: str) -> Roster:
    if not rows:
        raise SettingsError("empty roster", source=src, line=1)
    header = [h.strip() for h in rows[0]]
    unknown = [h for h in header if h and h not in _CSV_HEADERS]
    if unknown or "姓名" not in header and "name" not in header:
        raise SettingsError(f"roster header must be 姓名, 部门, 角色, 别名, 上级 (got {', '.join(header)})",
                            source=src, line=1)
    keys = [_CSV_HEADERS.get(h, "") for h in header]
    people: dict[str, Person] = {}
    problems: list[WgmError] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        record = {k: v for k, v in zip(keys, row) if k}
        try:
            p = _person(record, lambda msg, n=n: WgmError(msg, source=src, line=n))
        except WgmError as exc:
            problems.append(exc)
            continue
        people[p.name] = p
    if problems:
        raise SettingsError(problems)
    return Roster(people=people, source=src)


def _load_roster_csv(path: Path) -> Roster:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_bytes().decode("gb18030", errors="strict")
    except FileNotFoundError:
        raise SettingsError("file not found", source=str(path)) from None
    return _rows_to_roster(list(csv.reader(io.StringIO(text))), str(path))


def _load_roster_xlsx(path: Path) -> Roster:
    import openpyxl
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise SettingsError("file not found", source=str(path)) from None
    except Exception as exc:  # openpyxl raises many kinds for a non-workbook file
        raise SettingsError(f"not a readable workbook: {exc}", source=str(path)) from None
    ws = wb.worksheets[0]
    rows = [["" if c is None else str(c) for c in row] for row in ws.iter_rows(values_only=True)]
    return _rows_to_roster(rows, str(path))
