"""rules.yaml: the built-in defaults, loading with line numbers, validation, --set, the hash.

The defaults live in ``wgm/data/rules.yaml`` (the same commented file ``wgm rules init``
writes). A user file may set any subset of keys; it is merged over the defaults, then
the whole tree is validated against the shape of the defaults. Every problem is
reported as ``file:line: key.path: message`` and all problems are collected first.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from wgm.catalog import RULE_IDS
from wgm.errors import SettingsError, WgmError

DEFAULT_RULES_TEXT = resources.files("wgm").joinpath("data/rules.yaml").read_text(encoding="utf-8")

_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(d|h|m|s|天|小时|分钟|分|秒)\s*$")
_DURATION_UNIT = {"d": "days", "天": "days", "h": "hours", "小时": "hours", "m": "minutes",
                  "分钟": "minutes", "分": "minutes", "s": "seconds", "秒": "seconds"}

DURATION_KEYS = {("verification", "grace"), ("warning", "valid_for"), ("warning", "lookback"), ("off_topic", "thread"),
                 ("thread", "follow_on")}


def parse_time(value: Any) -> time | None:
    if not isinstance(value, str):
        return None
    m = _TIME_RE.match(value.strip())
    if not m:
        return None
    return time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))


# the longest duration a setting may hold: longer ones are a typo (99999999d), and overflow the
# date arithmetic they take part in
MAX_DURATION = timedelta(days=3660)


def parse_duration(value: Any) -> timedelta | None:
    """2d, 12h, 30m (a number alone: days); None if it is not one, or not within 0..MAX_DURATION."""
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            got = timedelta(days=float(value))
        elif isinstance(value, str) and (m := _DURATION_RE.match(value)):
            got = timedelta(**{_DURATION_UNIT[m.group(2)]: float(m.group(1))})
        else:
            return None
    except (OverflowError, ValueError):       # 1e400d, nan
        return None
    return got if timedelta(0) <= got <= MAX_DURATION else None


def _as_date(value: Any) -> date:
    """A calendar date of rules.yaml: YAML reads 2027-02-06 as a date, "2027-02-06" as text."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def _parse_date(value: Any) -> date | None:
    try:
        return _as_date(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class Settings:
    """The effective settings, validated. `data` is the plain tree (for the hash and reports)."""

    data: Mapping[str, Any]
    sources: tuple[str, ...] = ()
    hash: str = ""
    _times: Mapping[str, time] = field(default_factory=dict)

    # plain accessors keep callers free of dict paths
    @property
    def company(self) -> str:
        return self.data["company"]

    @property
    def timezone(self) -> str:
        return self.data["timezone"]

    @property
    def admins(self) -> tuple[str, ...]:
        return tuple(self.data["admins"])

    def time(self, key: str) -> time:
        return self._times[key]

    def time_words(self):
        from wgm.timewords import TimeWords
        cal = self.data["calendar"]
        holidays = tuple((h["name"], _as_date(h["first"]), _as_date(h["last"])) for h in cal["holidays"])
        return TimeWords(**{k: t for k, t in self._times.items() if k in TimeWords.__dataclass_fields__},
                         holidays=holidays, workdays=tuple(_as_date(d) for d in cal["workdays"]))

    @property
    def amounts(self) -> Mapping[str, float]:
        return self.data["amounts"]

    @property
    def cap_days(self) -> int:
        return int(self.data["delay"]["cap_days"])

    def duration(self, section: str, key: str) -> timedelta:
        """A duration setting (validated on load, so it parses)."""
        value = parse_duration(self.data[section][key])
        assert value is not None, (section, key)
        return value

    @property
    def verification_grace(self) -> timedelta:
        return self.duration("verification", "grace")

    @property
    def warning_valid_for(self) -> timedelta:
        return self.duration("warning", "valid_for")

    @property
    def warning_lookback(self) -> timedelta:
        return self.duration("warning", "lookback")

    @property
    def off_topic_thread(self) -> tuple[timedelta, int]:
        """How soon after an off-topic post, and how short, a reply with no words of work joins it."""
        return self.duration("off_topic", "thread"), int(self.data["off_topic"]["thread_max_chars"])

    @property
    def thread_follow_on(self) -> timedelta:
        """How soon after a receiver's last words on a task their next words are taken to go on about it."""
        return self.duration("thread", "follow_on")

    @property
    def repost_similarity(self) -> float:
        return float(self.data["repost"]["similarity"])

    @property
    def loss_rates(self) -> tuple[float, float]:
        return float(self.data["loss"]["min_rate"]), float(self.data["loss"]["max_rate"])

    @property
    def hold_uncertain(self) -> bool:
        return bool(self.data["review"]["hold_uncertain"])

    @property
    def min_confidence(self) -> float:
        return float(self.data["review"]["min_confidence"])

    @property
    def naming(self) -> Mapping[str, str]:
        return self.data["naming"]

    def words(self, key: str) -> tuple[str, ...]:
        return tuple(self.data["lexicon"][key])


@functools.lru_cache(maxsize=1)
def _default_tree_text() -> str:
    return json.dumps(yaml.load(DEFAULT_RULES_TEXT, Loader=_Loader), ensure_ascii=False)


def default_tree() -> dict[str, Any]:
    """The built-in settings, a fresh copy each call (parsed once per process)."""
    return json.loads(_default_tree_text())


# libyaml's parser where PyYAML has it (ten times faster), the pure-Python one otherwise
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):
    """A safe loader that leaves dates as text: a date that does not exist (2026-02-30) is then reported
    by our own checks with its file and line instead of escaping from PyYAML as a bare ValueError."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_MAX_NODES = 200_000     # nodes a document may expand to: ten thousand times a large roster


def _plain_tree(node: yaml.Node, source: str) -> None:
    """Refuse what a hostile or mistaken file could do with YAML: expand to millions of values through
    aliases (a nine-line alias bomb reaches gigabytes; a roster that reuses a member list is fine),
    or give one key twice in a mapping (the later would silently win)."""
    expanded = 0
    todo = [node]
    while todo:
        n = todo.pop()
        expanded += 1
        if expanded > _MAX_NODES:
            raise SettingsError(f"YAML 通过别名（&name / *name）展开超过 {_MAX_NODES:,} 个值，请直接写出各值（the YAML expands to more "
                                f"than {_MAX_NODES:,} values through aliases (&name / *name): write the values out）", source=source, line=n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, value_node in n.value:
                key = str(key_node.value)
                if key in first:
                    raise SettingsError(f"键 {key!r} 写了两次，第一次在第 {first[key]} 行（key {key!r} given twice, first on line {first[key]}）", source=source,
                                        line=key_node.start_mark.line + 1, key=key)
                first[key] = key_node.start_mark.line + 1
                todo.extend((key_node, value_node))
        elif isinstance(n, yaml.SequenceNode):
            todo.extend(n.value)


def _key_lines(node: yaml.Node, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """Map each key path of a composed YAML document to its 1-based line."""
    lines: dict[tuple[str, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*path, str(key_node.value))
            lines[key] = key_node.start_mark.line + 1
            lines.update(_key_lines(value_node, key))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = (*path, str(i))
            lines[key] = item.start_mark.line + 1
            lines.update(_key_lines(item, key))
    return lines


# a side file is a few hundred rows: one this large is a mistake (a chat export or a disk image given)
MAX_SIDE_FILE = 256 << 20


def check_side_file(path: Path) -> None:
    """A side file must be a regular file of a sane size: a pipe or a device (/dev/zero) would be
    read forever, so it is refused without being opened."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SettingsError("找不到文件（file not found）", source=str(path)) from None
    except OSError as exc:
        raise SettingsError(f"无法读取（cannot read）：{exc.strerror or exc}", source=str(path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise SettingsError("是文件夹，不是文件（is a folder, not a file）", source=str(path))
    if not stat.S_ISREG(info.st_mode):
        raise SettingsError("不是普通文件：管道、设备或套接字（not a regular file: a pipe, a device or a socket）", source=str(path))
    if info.st_size > MAX_SIDE_FILE:
        raise SettingsError(f"作为附属文件太大（{info.st_size >> 20} MiB；too large for a side file）", source=str(path))


def read_side_text(path: Path) -> str:
    """A side file's text (settings, roster, incidents, overrides, members): UTF-8 with or without a BOM,
    UTF-16 with a BOM (Notepad), or GB18030 (what Excel on a Chinese Windows saves a CSV as)."""
    check_side_file(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise SettingsError("找不到文件（file not found）", source=str(path)) from None
    except IsADirectoryError:
        raise SettingsError("是文件夹，不是文件（is a folder, not a file）", source=str(path)) from None
    except OSError as exc:
        raise SettingsError(f"无法读取（cannot read）：{exc.strerror or exc}", source=str(path)) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise SettingsError("不是有效的 UTF-16 文本（not valid UTF-16 text）", source=str(path)) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SettingsError("既不是 UTF-8 也不是 GB18030 文本（neither UTF-8 nor GB18030 text）", source=str(path))


def read_yaml_with_lines(path: Path) -> tuple[Any, dict[tuple[str, ...], int]]:
    """Load a YAML file, returning the data and the line of each key path."""
    text = read_side_text(path)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _plain_tree(node, str(path))
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise SettingsError(f"不是有效的 YAML（not valid YAML）：{problem}", source=str(path), line=line) from None
    finally:
        loader.dispose()
    return data, (_key_lines(node) if node is not None else {})


def _merge(base: dict, over: Mapping, path: tuple[str, ...], problems: list, where) -> None:
    for key, value in over.items():
        key = str(key)
        kpath = (*path, key)
        if key not in base:
            problems.append(where(kpath, f"unknown key (valid: {', '.join(sorted(base))})"))
            continue
        if isinstance(base[key], dict):
            if not isinstance(value, Mapping):
                problems.append(where(kpath, f"expected a mapping, got {value!r}"))
                continue
            _merge(base[key], value, kpath, problems, where)
        else:
            base[key] = value


def _validate(tree: dict, where) -> list[WgmError]:
    problems: list[WgmError] = []

    def bad(path: tuple[str, ...], msg: str) -> None:
        problems.append(where(path, msg))

    if not isinstance(tree["company"], str):
        bad(("company",), f"expected text, got {tree['company']!r}")
    try:
        ZoneInfo(str(tree["timezone"]))
    except (ZoneInfoNotFoundError, ValueError):
        bad(("timezone",), f"unknown time zone {tree['timezone']!r}")
    admins = tree["admins"]
    if isinstance(admins, str):
        tree["admins"] = admins = [a.strip() for a in re.split(r"[,，;；]", admins) if a.strip()]
    if not isinstance(admins, list) or not all(isinstance(a, str) for a in admins):
        bad(("admins",), f"expected a list of names, got {admins!r}")
    for key, value in tree["times"].items():
        if isinstance(value, int) and not isinstance(value, bool):
            bad(("times", key), f"write the time in quotes, e.g. \"21:00\" (YAML read {value!r})")
        elif parse_time(value) is None:
            bad(("times", key), f"expected a time HH:MM or HH:MM:SS, got {value!r}")
    for key, value in tree["amounts"].items():
        if key not in RULE_IDS:
            bad(("amounts", key), "not a rule id")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            bad(("amounts", key), f"expected a number >= 0, got {value!r}")
    cap = tree["delay"]["cap_days"]
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
        bad(("delay", "cap_days"), f"expected a whole number >= 0, got {cap!r}")
    for section, key in sorted(DURATION_KEYS):
        value = tree[section][key]
        if parse_duration(value) is None:
            bad((section, key), f"expected a duration like 2d, 12h, 30m (at most {MAX_DURATION.days}d), got {value!r}")
    for path, lo, hi in ((("repost", "similarity"), 0.0, 1.0), (("loss", "min_rate"), 0.0, 1.0),
                         (("loss", "max_rate"), 0.0, 1.0), (("review", "min_confidence"), 0.0, 1.0)):
        value = tree[path[0]][path[1]]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            bad(path, f"expected a number between {lo} and {hi}, got {value!r}")
    chars = tree["off_topic"]["thread_max_chars"]
    if isinstance(chars, bool) or not isinstance(chars, int) or chars < 0:
        bad(("off_topic", "thread_max_chars"), f"expected a whole number >= 0, got {chars!r}")
    if not problems and tree["loss"]["min_rate"] > tree["loss"]["max_rate"]:
        bad(("loss", "min_rate"), "min_rate is above max_rate")
    if not isinstance(tree["review"]["hold_uncertain"], bool):
        bad(("review", "hold_uncertain"), f"expected true or false, got {tree['review']['hold_uncertain']!r}")
    for key in ("admin_due_day", "office_due_day"):
        value = tree["report"][key]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 28:
            bad(("report", key), f"expected a day of month 1..28, got {value!r}")
    report = tree["report"]
    days = report["objection_days"]
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        bad(("report", "objection_days"), f"expected a whole number of days >= 1, got {days!r}")
    elif not problems and report["admin_due_day"] + days >= report["office_due_day"]:
        bad(("report", "objection_days"), f"objections close on day {report['admin_due_day'] + days}, not before "
                                          f"the office reports on day {report['office_due_day']}")
    if report["announce_order"] not in ("pinyin", "amount"):
        bad(("report", "announce_order"), f"expected pinyin or amount, got {report['announce_order']!r}")
    for key, value in tree["naming"].items():
        try:
            re.compile(str(value).replace("{company}", "x"))
        except re.error as exc:
            bad(("naming", key), f"not a valid pattern: {exc}")
    _validate_calendar(tree["calendar"], bad)
    for key, words in tree["lexicon"].items():
        if not isinstance(words, list) or not all(isinstance(w, (str, int)) and str(w) for w in words):
            bad(("lexicon", key), f"expected a list of words, got {words!r}")
        else:
            tree["lexicon"][key] = [str(w) for w in words]
    for key in [k for k in tree["lexicon"] if k.endswith("_patterns")]:
        for i, shape in enumerate(tree["lexicon"].get(key) or []):
            try:
                re.compile(str(shape))
            except re.error as exc:
                bad(("lexicon", key, str(i)), f"not a valid pattern: {exc}")
    return problems


def _validate_calendar(cal: dict, bad) -> None:
    """calendar.holidays: a list of {name, first, last}; calendar.workdays: a list of dates."""
    from wgm.timewords.holidays import HOLIDAY_NAMES

    holidays = cal["holidays"]
    if not isinstance(holidays, list):
        bad(("calendar", "holidays"), f"expected a list of {{name, first, last}}, got {holidays!r}")
    else:
        for i, h in enumerate(holidays):
            where = ("calendar", "holidays", str(i))
            if not isinstance(h, Mapping) or set(h) != {"name", "first", "last"}:
                bad(where, f"expected {{name: 春节, first: 2027-02-06, last: 2027-02-13}}, got {h!r}")
                continue
            if h["name"] not in HOLIDAY_NAMES:
                bad((*where, "name"), f"expected one of {'、'.join(HOLIDAY_NAMES)}, got {h['name']!r}")
            first, last = _parse_date(h["first"]), _parse_date(h["last"])
            for key, value in (("first", first), ("last", last)):
                if value is None:
                    bad((*where, key), f"expected a date YYYY-MM-DD, got {h[key]!r}")
            if first and last and not first <= last <= first + timedelta(days=15):
                bad((*where, "last"), f"expected a day from {first} to at most 15 days later, got {last}")
    workdays = cal["workdays"]
    if not isinstance(workdays, list):
        bad(("calendar", "workdays"), f"expected a list of dates, got {workdays!r}")
    else:
        for i, d in enumerate(workdays):
            if _parse_date(d) is None:
                bad(("calendar", "workdays", str(i)), f"expected a date YYYY-MM-DD, got {d!r}")


def _coerce_setting(value: str) -> Any:
    """Read a --set value as YAML so numbers, lists and booleans come out typed."""
    try:
        return yaml.safe_load(value)
    except yaml.YAMLError:
        return value


def load(path: Path | None = None, overrides: list[str] | None = None) -> Settings:
    """Defaults, then the file at `path` (if any), then each `--set KEY=VALUE`, validated."""
    tree = default_tree()
    problems: list[WgmError] = []
    sources: list[str] = []
    lines: dict[tuple[str, ...], int] = {}
    source = None
    if path is not None:
        source = str(path)
        data, lines = read_yaml_with_lines(Path(path))
        sources.append(source)
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise SettingsError("顶层应是设置的键值表（expected a mapping of settings at the top level）", source=source, line=1)

        def where_file(kpath: tuple[str, ...], msg: str) -> WgmError:
            return WgmError(msg, source=source, line=lines.get(kpath), key=".".join(kpath))

        _merge(tree, data, (), problems, where_file)

    def where_any(kpath: tuple[str, ...], msg: str) -> WgmError:
        if kpath in lines:
            return WgmError(msg, source=source, line=lines[kpath], key=".".join(kpath))
        if kpath in set_paths:
            return WgmError(msg, source="--set", key=".".join(kpath))
        return WgmError(msg, source=source or "rules.yaml", key=".".join(kpath))

    set_paths: set[tuple[str, ...]] = set()
    for item in overrides or []:
        if "=" not in item:
            problems.append(WgmError(f"应写成 KEY=VALUE，不是 {item!r}（expected KEY=VALUE, got {item!r}）", source="--set"))
            continue
        key, value = item.split("=", 1)
        kpath = tuple(p for p in key.strip().split(".") if p)
        if not kpath:
            problems.append(WgmError(f"应写成 KEY=VALUE，不是 {item!r}（expected KEY=VALUE, got {item!r}）", source="--set"))
            continue
        set_paths.add(kpath)
        nested: Any = _coerce_setting(value)
        for part in reversed(kpath):
            nested = {part: nested}
        _merge(tree, nested, (), problems,
               lambda kp, msg: WgmError(msg, source="--set", key=".".join(kp)))
        sources.append(f"--set {item}")
    problems.extend(_validate(tree, where_any))
    if problems:
        raise SettingsError(problems)
    times = {k: t for k, v in tree["times"].items() if (t := parse_time(v)) is not None}   # validated above
    return Settings(data=tree, sources=tuple(sources), hash=settings_hash(tree), _times=times)


def settings_hash(tree: Mapping[str, Any]) -> str:
    canonical = json.dumps(tree, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def defaults() -> Settings:
    return load(None)
