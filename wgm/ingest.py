"""From input paths to one message frame: walk, read each file, merge, id, link quotes, name members.

Every input line is accounted for: in a message, in `unparsed` with a reason, or a
structural line (CSV header). A folder may hold files that are not chat exports
(avatars, HTML, the roster): those are listed as skipped, never silently read as empty.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from wgm import ids, parallel, parsers, schema
from wgm.errors import InputError
from wgm.parsers.reading import shown_path, special_file_reason
from wgm.result import InputInfo
from wgm.roster import Roster, split_display_name
from wgm.schema import M, U

# side files of exports, read by their parser (PyWxDump's contact list) — not exports themselves
_SIDE_FILES = {"users.json"}
_SKIP_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp4", ".mp3", ".amr", ".silk", ".js", ".css", ".pdf",
                  ".xls", ".zip", ".yaml", ".yml"}
# Files of these kinds in a folder are mostly no exports (a roster sheet, notes, a saved page), but 留痕 and
# WeFlow write exports in each: read when the content is a layout wgm knows, else skipped (not refused)
_SNIFFED_SUFFIXES = {".html", ".htm", ".xlsx", ".md", ".docx"}


# on_progress(what is being done, files read so far, files in all): drives the terminal's progress bar
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Ingested:
    messages: pd.DataFrame
    unparsed: pd.DataFrame
    inputs: tuple[InputInfo, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """One thing found among the inputs: a file to read, or what is not read and why."""

    path: Path
    explicit: bool = False    # named on the command line (an error there is the user's to fix: exit 2)
    skipped: str = ""         # why it is not read ("" for a file to read)
    refused: bool = False     # it may be an export left unread: the input is incomplete (exit 3)


def walk(inputs: Iterable[Path]) -> list[tuple[Path, bool]]:
    """(file, named explicitly) for every file to read among the inputs (see entries())."""
    return [(e.path, e.explicit) for e in entries(inputs) if not e.skipped]


def entries(inputs: Iterable[Path]) -> list[Entry]:
    """Every input: files as given, folders walked in sorted order, following links to folders (each real
    folder once, so a link back to a parent ends). What a walk does not read is an entry too, with why:
    hidden names (.git, .DS_Store), FIFOs and devices (never opened), broken links, folders that cannot be
    opened. A FIFO or device named on the command line is an error (it would block the run)."""
    out: list[Entry] = []
    seen: set[str] = set()      # real paths of the folders walked
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            out.extend(sorted(_walk_folder(path, seen), key=lambda e: e.path))
        elif path.exists():
            special = special_file_reason(path)
            if special:
                raise InputError(special, source=shown_path(path))
            out.append(Entry(path, explicit=True))
        else:
            raise InputError("没有这个文件或文件夹（no such file or folder）", source=shown_path(path))
    return out


_HIDDEN = "隐藏的文件或文件夹（名字以 . 开头），未读取 / hidden (name starts with .), not read"


def _walk_folder(top: Path, seen: set[str]) -> list[Entry]:
    """What a folder holds, every level down (unsorted): its files, and what is not read with why."""
    found: list[Entry] = []
    folders = [top]
    while folders:
        folder = folders.pop()
        real = os.path.realpath(folder)
        if real in seen:        # a link to a folder walked already (to a parent: the walk would never end)
            found.append(Entry(folder, skipped=f"与已读过的文件夹 {shown_path(real)} 相同（链接或重复给出），"
                                              "未再读 / the same folder as one already walked (a link, or given "
                                              "twice)"))
            continue
        seen.add(real)
        try:
            with os.scandir(folder) as it:
                children = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            found.append(Entry(folder, skipped=f"无法打开文件夹：{exc.strerror or exc} / cannot open folder",
                               refused=True))
            continue
        for child in children:
            path = folder / child.name
            if child.name.startswith("."):
                found.append(Entry(path, skipped=_HIDDEN))
            elif _is(child.is_dir):
                folders.append(path)
            elif _is(child.is_file):
                found.append(Entry(path))
            elif child.is_symlink() and not os.path.exists(path):
                found.append(Entry(path, skipped="链接指向的文件不存在（或链接成环）/ broken link",
                                   refused=True))
            else:
                found.append(Entry(path, skipped=special_file_reason(path) or "不是普通文件 / not a regular file"))
    return found


def _is(test: Callable[[], bool]) -> bool:
    """os.DirEntry.is_dir / is_file (following links), False where the system cannot tell."""
    try:
        return test()
    except OSError:
        return False


# the header rows of wgm's own CSV side files (contract.md), by what they are given with
_SIDE_HEADERS = (("--members", {"as_of", "group", "member"}), ("--incidents", {"date", "member", "rule"}),
                 ("--overrides", {"action", "reason"}), ("--roster", {"姓名", "部门"}), ("--roster", {"name", "dept"}),
                 ("--roster", {"群名"}), ("--roster", {"name", "ids"}))     # the last two: its groups file


def side_file_kind(path: Path) -> str:
    """'--members' etc. when the file is a CSV side file of wgm's (read by its header row), else ''."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return ""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            first = head.decode(encoding).splitlines()[0] if head else ""
            break
        except (UnicodeDecodeError, IndexError):
            first = ""
    columns = {c.strip().strip('"') for c in first.split(",")}
    return next((flag for flag, needed in _SIDE_HEADERS if needed <= columns), "")


def _modified(path: Path, tz: str) -> str:
    """The file's modification time as local wall-clock time (ISO, seconds), "" if the system gives none."""
    from wgm.parsers.reading import epoch_to_local
    try:
        when = epoch_to_local(int(path.stat().st_mtime), tz)
    except OSError:
        return ""
    return when.isoformat(timespec="seconds") if when else ""



def _read_one(job: tuple) -> tuple:
    """One file, in a worker or here: ("ok", ParseResult) or ("error", message, source, line) — our
    exceptions carry keyword fields that do not survive pickling, so they travel as a tuple."""
    path, input_format, tz, date_hint = job
    try:
        return ("ok", parsers.read(path, input_format, tz=tz, date_hint=date_hint))
    except InputError as exc:
        return ("error", exc.message, exc.source, exc.line)


def read_all(inputs: Iterable[Path], input_format: str | None = None, exclude: Iterable[Path] = (),
             on_progress: Progress | None = None, tz: str = "Asia/Shanghai",
             date_hint: date | None = None, jobs: int = 1) -> tuple[list, list[InputInfo], list[str]]:
    """Parse every chat export among the inputs (in `jobs` processes when the input is big enough).
    Returns (results, infos, warnings), in the order of the inputs."""
    excluded = {Path(p).resolve() for p in exclude if p}
    results, infos, warnings = [], [], []
    to_read: list[tuple[Path, bool]] = []
    for entry in entries(inputs):
        path, explicit = entry.path, entry.explicit
        if entry.skipped:          # not opened at all: no digest
            infos.append(_skipped(path, entry.skipped, "", refused=entry.refused))
            if entry.refused:
                warnings.append(f"{shown_path(path)}: skipped: {entry.skipped}")
            continue
        if path.resolve() in excluded:
            continue
        if not explicit and path.suffix.lower() in _SKIP_SUFFIXES:
            infos.append(_skipped(path, f"不是聊天导出（{path.suffix}）/ not a chat export ({path.suffix})"))
            continue
        if not explicit and _has_sidecar(path):
            infos.append(_skipped(path, f"留痕 HTML 页面，消息读自旁边的 {path.name}.json / 留痕 HTML page: its messages "
                                        f"are read from its sidecar {path.name}.json"))
            continue
        if not explicit and path.name.lower().endswith(tuple(_SIDE_FILES)):
            infos.append(_skipped(path, "PyWxDump 导出的联系人表（随其 CSV 读取）/ contact list of a PyWxDump export "
                                         "(read with its CSV)"))
            continue
        to_read.append((path, explicit))
    size = sum(_size(p) for p, _ in to_read)
    jobs = min(jobs, max(1, size // parallel.MIN_BYTES_PER_WORKER))
    read = parallel.ordered_map(_read_one, [(p, input_format, tz, date_hint) for p, _ in to_read], jobs)
    for done, ((path, explicit), outcome) in enumerate(zip(to_read, read)):
        if on_progress:
            on_progress(f"reading {path.name}", done, len(to_read))
        shown = shown_path(path)
        if outcome[0] == "error":
            _, message, source, line = outcome
            if explicit or input_format:
                raise InputError(message, source=source, line=line)
            if message == parsers.NOT_AN_EXPORT and path.suffix.lower() in _SNIFFED_SUFFIXES:
                infos.append(_skipped(path, f"不是聊天导出（{path.suffix}）/ not a chat export ({path.suffix})"))
                continue
            side = side_file_kind(path)
            if side:      # a roster or membership sheet kept beside the exports: not a chat export left out
                infos.append(_skipped(path, f"wgm 的附带文件（{side}），不是聊天导出 / wgm side file ({side}), not a "
                                             "chat export"))
                continue
            infos.append(_skipped(path, message, refused=True))
            warnings.append(f"{shown}: skipped: {message}")
            continue
        res = outcome[1]
        damaged = int((~res.unparsed[U.reason].str.startswith(parsers.SET_ASIDE)).sum()) if len(res.unparsed) else 0
        if res.lines >= 10 and damaged * 2 > res.lines:
            raise InputError(f"{res.lines} 行中有 {len(res.unparsed)} 行无法按 {res.fmt} 读取：文件或格式对吗？"
                             f"（{len(res.unparsed)} of {res.lines} lines could not be read as {res.fmt}; is this "
                             "the right file or format?）", source=shown)
        results.append(res)
        warnings.extend(f"{shown}: {w}" for w in res.warnings)
        infos.append(InputInfo(shown, res.sha256 or ids.file_digest(path), res.fmt, res.encoding, res.lines,
                               len(res.messages), len(res.unparsed), res.structural_lines,
                               exported=res.exported.isoformat(timespec="seconds") if res.exported else "",
                               modified=_modified(path, tz)))
    return results, infos, warnings


def read_beside(path: Path) -> list[Path]:
    """The files a parser reads beside this export (what a cache key of its messages must hold too): 留痕's
    <群名>.html.json of a page, PyWxDump's users.json of a CSV or JSON."""
    suffix = path.suffix.lower()
    found = ([path.with_name(path.name + ".json")] if suffix in (".html", ".htm")
             else [path.with_name("users.json")] if suffix in (".csv", ".json") and path.name != "users.json" else [])
    return [p for p in found if p.is_file()]


def _has_sidecar(path: Path) -> bool:
    """Is this a page with 留痕's <群名>.html.json beside it (read instead, so each message is read once)?"""
    return path.suffix.lower() in (".html", ".htm") and path.with_name(path.name + ".json").is_file()


def _skipped(path: Path, reason: str, digest: str | None = None, refused: bool = False) -> InputInfo:
    """A file that is not read, listed with why (its digest unless it is not to be opened: digest="")."""
    return InputInfo(shown_path(path), ids.file_digest(path) if digest is None else digest, "", "", 0, 0, 0,
                     skipped_reason=reason, refused=refused)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:           # gone or unreachable since the walk: reading it will say so
        return 0


def _fill_ids(df: pd.DataFrame, jobs: int) -> pd.DataFrame:
    """A hash msg_id (wgm.ids) where the exporter gave none. An id depends on its group's messages only,
    so groups are hashed in `jobs` processes."""
    missing = df[M.msg_id] == ""
    if missing.any():
        sub = df.loc[missing, [M.group, M.ts, M.sender, M.text]]     # what an id is made of, nothing more
        parts = parallel.by_groups(sub, M.group, _hash_ids, jobs)
        hashed = parallel.gather(parts, len(sub))
        if missing.all():
            df[M.msg_id] = pd.Series(hashed, index=df.index, dtype="str")   # one column, not a million cells
        else:
            df.loc[missing, M.msg_id] = hashed
    return df


def _hash_ids(sub: pd.DataFrame) -> list[str]:
    groups, senders, texts = schema.lists(sub, M.group, M.sender, M.text)
    return ids.message_ids(groups, sub[M.ts], senders, texts)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def link_quotes(df: pd.DataFrame) -> pd.Series:
    """msg_id of the message each quote refers to: the latest earlier message of the group whose
    own words start with the quoted text (exporters may shorten it); "" where none is found."""
    quote_id = pd.Series(np.full(len(df), "", dtype=object), index=df.index, dtype="str")
    # an export that names the quoted message's id (WeFlow, ChatLab, chatlog JSON) settles it
    has_ref = df[M.ref_id] != ""
    if has_ref.any():
        known = df[M.ref_id].isin(set(df[M.msg_id].tolist())) & has_ref & (df[M.media] != "recall")
        quote_id[known] = df.loc[known, M.ref_id]
    quoting = df.index[(df[M.quote_text] != "") & (quote_id == "")]
    if len(quoting) == 0:
        return quote_id
    # only groups with a quote are indexed; each group's messages are in time order (normalize sorted them)
    quoting_groups = set(df.loc[quoting, M.group])
    no_times_missing = not df[M.ts].isna().any()     # bisect needs every time comparable
    by_group: dict[str, list[list]] = {}
    times: dict[str, list] = {}
    for g, t, mid, content, sender in zip(*schema.lists(df, M.group, M.ts, M.msg_id, M.content, M.sender)):
        if g in quoting_groups:
            by_group.setdefault(g, []).append([t, mid, content, sender, False])   # words squeezed on first use
            times.setdefault(g, []).append(t)
    found = []
    for g, t, qtext, qsender in zip(*schema.lists(df.loc[quoting], M.group, M.ts, M.quote_text, M.quote_sender)):
        qtext = _norm(qtext)
        best = ""
        # start at the last message not after the quote: scanning from the group's end made this quadratic
        rows = by_group.get(g, [])
        start = bisect.bisect_right(times.get(g, []), t) if no_times_missing else len(rows)
        for k in range(start - 1, -1, -1):
            row = rows[k]
            if not row[4]:
                row[2], row[4] = _norm(row[2]), True
            ts, mid, content, sender, _ = row
            if ts > t or not content:
                continue
            if content == qtext or (len(qtext) >= 4 and (content.startswith(qtext) or qtext.startswith(content))):
                best = mid
                if not qsender or sender == qsender:
                    break
        found.append(best)
    quote_id[quoting] = found
    return quote_id


def attach_members(df: pd.DataFrame, roster: Roster) -> tuple[pd.Series, pd.Series]:
    """(member, dept) per message: roster alias (name or id) first, else the naming rule."""
    aliases = roster.alias_map()
    known_depts = set(roster.departments())
    codes, first = schema.distinct_rows(df, [M.sender, M.sender_id])     # a few hundred distinct senders
    members, depts = [], []
    for sender, sender_id in zip(*(df[c].iloc[first].tolist() for c in (M.sender, M.sender_id))):
        member: str | None
        if not sender and not sender_id:
            member, dept = "", ""
        else:
            member = aliases.get(sender) or aliases.get(sender_id)
            if member is None:
                guess, dept = split_display_name(sender or sender_id, known_depts)
                member = aliases.get(guess, guess)
                if member in roster.people:
                    dept = roster.people[member].dept
            else:
                dept = roster.people[member].dept
        members.append(member)
        depts.append(dept)
    return (pd.Series(np.array(members, dtype=object)[codes], index=df.index, dtype="str"),
            pd.Series(np.array(depts, dtype=object)[codes], index=df.index, dtype="str"))


def _groups_in_several_files(msgs: pd.DataFrame) -> np.ndarray:
    """Per row: is its group read from more than one file? (From the distinct (group, file) pairs, not
    a groupby over every row.)"""
    group_codes, _ = pd.factorize(msgs[M.group])
    source_codes, sources = pd.factorize(msgs[M.source])
    if len(sources) < 2:
        return np.zeros(len(msgs), dtype=bool)
    pairs = np.unique(group_codes.astype(np.int64) * len(sources) + source_codes)
    files_per_group = np.bincount(pairs // len(sources), minlength=group_codes.max() + 1)
    return files_per_group[group_codes] > 1


def _merge_copies_across_files(msgs: pd.DataFrame, several: np.ndarray) -> pd.DataFrame:
    """The same message in two files of one group (留痕 writes <群名>.txt beside <群名>_utf8.csv, or two
    monthly exports overlap) is kept once: same group, time and words, from another file. Repeats inside
    one file are real (收到, 收到) and stay: the n-th copy in a file only matches the n-th in another.
    `several`: _groups_in_several_files(msgs), row by row."""
    shared = pd.Series(several, index=msgs.index)
    if not shared.all():          # only groups read from more than one file can hold copies
        if not shared.any():
            return msgs
        keep = ~shared
        keep[_merge_copies_across_files(msgs[shared], np.ones(int(shared.sum()), dtype=bool)).index] = True
        return msgs[keep]
    # exporters render media and system lines each their own way ([图片], 【图片】, ![图片](url)…): those
    # are matched by kind, text by its words
    words = msgs[M.content].str.replace(r"\s+", "", regex=True).where(msgs[M.media] == "text",
                                                                      "\x1e" + msgs[M.media])
    key = msgs[M.group] + "\x1f" + msgs[M.ts].astype(str) + "\x1f" + words
    nth = msgs.assign(_key=key).groupby([M.source, "_key"], sort=False).cumcount()
    first_source = msgs.groupby(key, sort=False)[M.source].transform("first")
    copy = msgs.assign(_key=key, _nth=nth).duplicated(subset=["_key", "_nth"], keep="first")
    return msgs[~(copy & (msgs[M.source] != first_source))]


def _tell_apart(msgs: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Messages sharing a msg_id get `<id>~` + 6 hex digits of their group, time, sender and text (and
    an occurrence number where even those are equal): ids stay unique, no message is lost."""
    clash = msgs[M.msg_id].duplicated(keep=False)
    if not clash.any():
        return msgs, 0
    msgs = msgs.copy(deep=False)
    sub = msgs[clash]
    groups, senders, texts = schema.lists(sub, M.group, M.sender, M.text)
    tags = ids.message_ids(groups, sub[M.ts], senders, texts)
    msgs.loc[clash, M.msg_id] = [f"{mid}~{tag[1:7]}" for mid, tag in zip(sub[M.msg_id].tolist(), tags)]
    return msgs, int(clash.sum())


def _shared_values(column: pd.Series) -> pd.Series:
    """The column with one string object per distinct value (a parser makes a new one per message):
    a sender named on 50,000 messages is then held, copied and cached once."""
    codes, distinct = pd.factorize(column, use_na_sentinel=False)
    if len(distinct) * 2 > len(column):
        return column
    return pd.Series(np.asarray(distinct, dtype=object)[codes], index=column.index, dtype=column.dtype)


_SEVERAL = "_several_files"     # working column of normalize()


def normalize(msgs: pd.DataFrame, roster: Roster, jobs: int = 1) -> tuple[pd.DataFrame, list[str]]:
    """Parsed messages of any number of files → one frame: group names from the roster's chat ids,
    msg_ids, overlapping exports merged, time order, quotes linked, members attached."""
    warnings: list[str] = []
    msgs = schema.conform(msgs, schema.PARSED_COLUMNS)
    for col in (M.sender, M.sender_id, M.quote_sender):
        msgs[col] = _shared_values(msgs[col])
    # group names: a roster group whose ids list the chat id wins over a file-name guess
    if roster.groups and len(msgs):      # a roster of groups alone names them too (it has no people)
        for gid in msgs[M.group_id].unique():
            g = roster.group_by_id(gid)
            if g is not None:
                msgs.loc[msgs[M.group_id] == gid, M.group] = g.name
    several = _groups_in_several_files(msgs)
    msgs = _fill_ids(msgs, jobs)
    before = len(msgs)
    msgs[_SEVERAL] = several      # carried through the sort (a group in several files stays so after it)
    msgs = schema.sort_rows(msgs, [M.group, M.ts, M.source, M.line])    # exports are mostly in order already
    # the same message twice (overlapping exports with the exporter's ids) is one; an exporter id another
    # message also has (two databases' local ids, two chats) is told apart, never dropped
    msgs = msgs.drop_duplicates(subset=[M.group, M.msg_id, M.ts, M.sender, M.content], keep="first")
    msgs, clashes = _tell_apart(msgs)
    if clashes:
        warnings.append(f"{clashes} 条消息的导出 id 与别的消息相同，已以 <id>~<群、时间、发送人与内容的哈希> 区分"
                        f"（{clashes} messages have an exporter id another message also has; they are told apart "
                        "as <id>~<hash of group, time, sender and text>）")
    msgs = _merge_copies_across_files(msgs.drop(columns=_SEVERAL), msgs[_SEVERAL].to_numpy()).reset_index(drop=True)
    if len(msgs) < before:
        warnings.append(f"{before - len(msgs)} 条消息出现在不止一个导出里，每条只计一次（{before - len(msgs)} messages appear in "
                        "more than one export; each is counted once）")
    msgs[M.quote_id] = link_quotes(msgs)
    msgs[M.member], msgs[M.dept] = attach_members(msgs, roster)
    schema.check_frame(msgs, schema.PARSED_COLUMNS, "ingest")
    return msgs, warnings


def ingest(inputs: Iterable[Path], roster: Roster, input_format: str | None = None,
           exclude: Iterable[Path] = (), on_progress: Progress | None = None,
           tz: str = "Asia/Shanghai", date_hint: date | None = None, jobs: int = 1) -> Ingested:
    results, infos, warnings = read_all(inputs, input_format, exclude, on_progress, tz, date_hint, jobs)
    if not results:
        raise InputError("输入中没有找到聊天导出（no chat export found among the inputs）",
                         source=", ".join(i.path for i in infos) or None)
    frames = [r.messages for r in results if len(r.messages)]
    msgs = pd.concat(frames, ignore_index=True) if frames else schema.empty_frame(schema.PARSED_COLUMNS)
    unparsed = [r.unparsed for r in results if len(r.unparsed)]
    unparsed_df = (schema.conform(pd.concat(unparsed, ignore_index=True), schema.UNPARSED_COLUMNS)
                   if unparsed else schema.empty_frame(schema.UNPARSED_COLUMNS))
    msgs, merged = normalize(msgs, roster, jobs)
    warnings.extend(merged)
    unparsed_df = unparsed_df.sort_values([U.source, U.line], kind="stable").reset_index(drop=True)
    return Ingested(msgs, unparsed_df, tuple(infos), tuple(warnings))
