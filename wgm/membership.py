"""Membership snapshots taken from exports (contract.md "Membership snapshots"): the 成员信息 sheet of a
留痕 XLSX export, and a WeCom `groupchat/get` JSON reply — the members of one group at one moment.

Neither says when it was taken. The date is the one given on the command line (--members-as-of), else
the end of what the group's exports cover (wgm.coverage: when the export was made, as the chat shows
it); each snapshot says which (Snapshot.basis), and the run warns with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from wgm.errors import SettingsError
from wgm.parsers.containers import MEMBER_SHEET, ZIP_MAGIC, sheet_rows, zip_kind
from wgm.parsers.reading import group_hint, special_file_reason
from wgm.roster import Roster, resolve_member

BASIS_GIVEN = "命令行 --members-as-of / given with --members-as-of"
BASIS_COVERAGE = "该群导出覆盖的最后时刻 / the end of what the group's exports cover"
MEMOTRACE_MEMBER_COLUMNS = ("wxid", "群昵称", "昵称")


@dataclass(frozen=True)
class ExportMembers:
    """The members one export lists, before the date is known."""

    group: str               # the group's name ("" if the file names only its id)
    group_id: str            # its chat id (…@chatroom, wr…) where the file gives one
    names: tuple[tuple[str, ...], ...]   # per member, the names and ids it goes by, the best first
    source: str


def read_export_members(path: Path) -> ExportMembers | None:
    """The members listed by a 留痕 XLSX or a WeCom groupchat/get reply; None for any other file (a CSV or
    YAML of wgm's own: records.load_snapshots reads it)."""
    raw = _bytes(path)
    if zip_kind(raw, str(path)) == "xlsx":
        return _memotrace_sheet(raw, path)
    text = raw.decode("utf-8-sig", errors="replace").lstrip()
    if not text.startswith("{"):
        return None
    try:
        reply = json.loads(text)
    except ValueError:
        return None
    return _wecom_reply(reply, path) if isinstance(reply, dict) else None


def is_chat_export(path: Path) -> bool:
    """Is this membership file an export of messages as well (a 留痕 XLSX)? Only a regular file is opened: a
    FIFO would wait for a writer forever (its loader refuses it, unopened)."""
    if not Path(path).is_file() or special_file_reason(path):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError:
        return False
    return head == ZIP_MAGIC


def _bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SettingsError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None


def _memotrace_sheet(raw: bytes, path: Path) -> ExportMembers:
    _, rows = sheet_rows(raw, str(path), MEMBER_SHEET)
    header = rows[0] if rows else []
    if not all(c in header for c in MEMOTRACE_MEMBER_COLUMNS):
        raise SettingsError(f"{MEMBER_SHEET} 工作表缺少列 / sheet {MEMBER_SHEET} lacks the columns "
                            f"{', '.join(MEMOTRACE_MEMBER_COLUMNS)}", source=str(path), line=1)
    at = {c: header.index(c) for c in MEMOTRACE_MEMBER_COLUMNS}
    names = []
    for row in rows[1:]:
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in at.items()}
        found = tuple(n for n in (cells["群昵称"], cells["昵称"], cells["wxid"]) if n)
        if found:
            names.append(found)
    group, group_id = group_hint(path)          # 留痕 names the file after the group: <群名>.xlsx
    return ExportMembers(group, group_id, tuple(names), str(path))


def _wecom_reply(reply: dict, path: Path) -> ExportMembers | None:
    """groupchat/get: the archive's {roomname, members[{memberid, jointime}]} or the customer-group API's
    {group_chat: {chat_id, name, member_list[{userid, name, group_nickname}]}}."""
    inner = reply.get("group_chat")
    chat: dict = inner if isinstance(inner, dict) else reply
    listed = chat.get("member_list", chat.get("members"))
    if not isinstance(listed, list):
        return None
    if reply.get("errcode") not in (None, 0):
        raise SettingsError(f"WeCom 接口返回错误 / the WeCom reply is an error: {reply.get('errcode')} "
                            f"{reply.get('errmsg', '')}", source=str(path))
    names = []
    for member in listed:
        if isinstance(member, dict):
            found = tuple(str(member.get(k) or "").strip() for k in ("group_nickname", "name", "userid", "memberid")
                          if str(member.get(k) or "").strip())
            if found:
                names.append(found)
    group = str(chat.get("name") or chat.get("roomname") or "").strip()
    group_id = str(chat.get("chat_id") or chat.get("roomid") or "").strip()
    return ExportMembers(group, group_id, tuple(names), str(path))


def member_of(roster: Roster, names: tuple[str, ...]) -> str:
    """The roster member one listed person is, by any of their names or ids; else the first name."""
    for name in names:
        key, _ = resolve_member(roster, name)
        if key is not None:
            return key
    return names[0]


def group_of(found: ExportMembers, roster: Roster) -> str:
    """The group's name as the messages call it: the roster group holding its chat id, else the file's."""
    group = roster.group_by_id(found.group_id) if found.group_id else None
    return group.name if group is not None else found.group or found.group_id


def snapshot_date(group: str, given: date | None, coverage_end: Callable[[str], date | None],
                  source: str) -> tuple[date, str]:
    """(date, basis): the date given, else the end of the group's coverage; an error when neither is known."""
    if given is not None:
        return given, BASIS_GIVEN
    end = coverage_end(group)
    if end is None:
        raise SettingsError(f"成员快照没有日期，且没有“{group}”的聊天导出可推断；请用 --members-as-of YYYY-MM-DD 给出 / the "
                            f"snapshot has no date and no export of group {group!r} to take it from: give "
                            "--members-as-of", source=source)
    return end, BASIS_COVERAGE
