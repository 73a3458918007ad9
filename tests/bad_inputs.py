"""The bad-input corpus of issue #15: every kind of hostile or unlucky input, option, setting and environment
wgm was probed with, one named probe each (PROBES, below). tests/test_bad_input_corpus.py runs them all;
docs/reliability.md maps the issue's findings to them and says which failed on the code the issue was filed
against.

A probe builds what it needs in a fresh folder (`Ctx.tmp`), may change the environment of the run
(`Ctx.patch`: a monkeypatch, undone afterwards) and returns the command line to run (`Run`). The runner then
holds the run to:
  (a) the exact exit code contract.md gives for it (`Probe.code`),
  (b) no traceback on stdout or stderr, and no exception escaping the command (an escaping exception is what
      a terminal would show as a traceback),
  (c) where an export is read (an audit writing audit.json): the line accounting of every file it read —
      lines in = lines of messages + unparsed lines + layout lines, the counts audit.json lists for the file
      are the parser's, and no distinct message of the file is missing from the report,
  (d) the probe's own check (`Probe.check`), where it has one: what the finding was about.

Only the command line is used (in-process through typer's CliRunner, or as a subprocess where a real exit,
a real stderr, a time limit or a memory limit is needed), so the same corpus runs against older code too:
`python -m tests.corpus_against REV`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import sys
import textwrap
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from tests import layouts, paths

ROOT = paths.ROOT
SAMPLES = ROOT / "sample_exports"
SPEC_SAMPLES = paths.SPEC_SAMPLES
V3_TXT = SPEC_SAMPLES / "memotrace_v3_group.txt"          # 9 messages, nothing to review: exit 0 alone
V3_CSV = SPEC_SAMPLES / "memotrace_v3_group.csv"
WEFLOW_JSON_GROUP = "项目群"


# ---- what a probe is ------------------------------------------------------------------------------------

@dataclass
class Run:
    """One command line (after `wgm`), with where and how it runs."""

    args: list[str]
    out: Path | None = None            # the output folder, when the command writes one
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    subprocess: bool = False           # a real process: real exit, real stderr, limits below
    timeout: int = 120                 # seconds (subprocess only)
    memory: int | None = None          # address-space limit in bytes (subprocess only)
    date_hint: str | None = None       # --date given to the audit (the accounting re-reads with it)


@dataclass
class Outcome:
    code: int
    output: str                        # stdout and stderr together
    stderr: str
    exception: BaseException | None = None
    peak_rss: int = 0                  # bytes (subprocess only)


@dataclass
class Ctx:
    tmp: Path
    patch: object                      # pytest's MonkeyPatch: undone after the probe
    cli: Callable[..., Outcome]        # cli(args, **Run fields): a run before the probed one
    notes: dict = field(default_factory=dict)     # what a build keeps for its check


@dataclass(frozen=True)
class Probe:
    kind: str                          # the probe's name (the test id)
    finding: str                       # what issue #15 saw, in its words
    build: Callable[[Ctx], Run]
    code: int                          # contract.md's exit code for it
    check: Callable[[Ctx, Run, Outcome], None] | None = None


# ---- shared builders ------------------------------------------------------------------------------------

def audit_args(*inputs, out: Path, formats: str = "csv,json", quiet: bool = True, extra: tuple = ()) -> list[str]:
    return ["audit", *map(str, inputs), "--out", str(out), "--format", formats, "--jobs", "1",
            *(["--quiet"] if quiet else []), *extra]


def v3_txt(folder: Path, old: str = "", new: str = "", name: str = "项目群.txt") -> Path:
    """The spec's 留痕 3.x TXT sample in `folder`, with `old` replaced by `new` (old must be in it)."""
    text = V3_TXT.read_text(encoding="utf-8")
    if old:
        assert old in text, old
        text = text.replace(old, new)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def v3_bytes(folder: Path, data: bytes, name: str = "项目群.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


def sample_audit(t: Ctx, *extra: str, formats: str = "csv,json", inputs: tuple = ()) -> Run:
    """The sample month with its roster (exit 1: it holds events to review)."""
    out = t.tmp / "out"
    return Run(audit_args(*(inputs or (SAMPLES,)), out=out, formats=formats,
                          extra=("--roster", str(SAMPLES / "roster.yaml"), *extra)), out=out)


def text_file(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def audit_doc(out: Path) -> dict:
    return json.loads((out / "audit.json").read_text(encoding="utf-8"))


def inputs_of(out: Path) -> dict[str, dict]:
    return {i["path"]: i for i in audit_doc(out)["inputs"]}


def unopenable(t: Ctx, target: Path, calls: tuple[str, ...] = ("open",)) -> None:
    """Opening `target` (or listing it, for a folder) fails as without permission: the tests run as root,
    who reads whatever the mode says."""
    import builtins
    import io

    def guard(real):
        def patched(file, *args, **kwargs):
            if isinstance(file, (str, bytes, os.PathLike)) and Path(os.fsdecode(file)) == target:
                raise PermissionError(13, "Permission denied", os.fsdecode(file))
            return real(file, *args, **kwargs)
        return patched
    if "open" in calls:
        t.patch.setattr(builtins, "open", guard(builtins.open))
        t.patch.setattr(io, "open", guard(io.open))
    for name in calls:
        if name != "open":
            t.patch.setattr(os, name, guard(getattr(os, name)))


def no_control_characters_shown(output: str) -> None:
    shown = [c for c in output if (ord(c) < 32 and c not in "\n\t") or c == "\x7f"]
    assert not shown, f"control characters reached the terminal: {shown!r}"


def workbook_strings(path: Path) -> list[str]:
    from openpyxl import load_workbook
    book = load_workbook(path, read_only=True)
    return [c for ws in book for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]


# ---- 1. control characters and markup in texts and names ---------------------------------------------------

def _ctrl_in_message(char: str):
    def build(t: Ctx) -> Run:
        v3_txt(t.tmp / "in", "周报已提交：", f"周报{char}已提交：")
        out = t.tmp / "out"
        return Run(audit_args(t.tmp / "in", out=out, formats="xlsx,csv,json,md"), out=out)

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        assert (run.out / "report.xlsx").is_file()
        assert any(f"周报{char}已提交" in r["text"] for r in read_csv(run.out / "messages.csv"))   # kept in CSV
        cells = workbook_strings(run.out / "report.xlsx")
        assert any("周报\\x" in c for c in cells) and not any(char in c for c in cells)      # escaped in xlsx
    return build, check


def _ctrl_in_name(char: str):
    def build(t: Ctx) -> Run:
        v3_txt(t.tmp / "in", "研发-李四", f"研发-李{char}四")
        out = t.tmp / "out"
        return Run(audit_args(t.tmp / "in", out=out, formats="xlsx,csv,json,md", quiet=False), out=out,
                   env={"COLUMNS": "200"})

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        no_control_characters_shown(got.output)
        assert "李\\x" in got.output                                 # the name is shown, escaped
        cells = workbook_strings(run.out / "report.xlsx")
        assert any("李\\x" in c for c in cells) and not any(char in c for c in cells)
        assert any(f"李{char}四" in r["sender"] for r in read_csv(run.out / "messages.csv"))
    return build, check


def _ctrl_in_group(t: Ctx) -> Run:
    v3_txt(t.tmp / "in", name="项目\x01群.txt")          # the group is named by its file
    out = t.tmp / "out"
    return Run(audit_args(t.tmp / "in", out=out, formats="xlsx,csv,json,md", quiet=False), out=out,
               env={"COLUMNS": "200"})


def _ctrl_in_group_check(t: Ctx, run: Run, got: Outcome) -> None:
    no_control_characters_shown(got.output)
    assert {r["group"] for r in read_csv(run.out / "messages.csv")} == {"项目\x01群"}
    assert any("项目\\x01群" in c for c in workbook_strings(run.out / "report.xlsx"))
    announcements = [p.name for p in run.out.iterdir() if p.name.startswith("announce_")]
    assert len(announcements) == 1 and "\x01" not in announcements[0], announcements


def _markup_name(name: str):
    def build(t: Ctx) -> Run:
        v3_txt(t.tmp / "in", "研发-李四", name)
        out = t.tmp / "out"
        return Run(audit_args(t.tmp / "in", out=out, quiet=False), out=out, env={"COLUMNS": "200"})

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        assert name.split("-")[0] in got.output                        # printed as it is, not read as markup
    return build, check


def _invisible_in_name(mark: str):
    def build(t: Ctx) -> Run:
        line = "2025-03-03 17:28:40 研发-李四"
        v3_txt(t.tmp / "in", line, line.replace("李四", f"李{mark}四"))
        out = t.tmp / "out"
        return Run(audit_args(t.tmp / "in", out=out), out=out)

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        members = [r["member"] for r in read_csv(run.out / "summary.csv")]
        senders = {r["member"] for r in read_csv(run.out / "messages.csv") if "李" in r["sender"]}
        assert senders == {"李四"}, senders                                # one member, not two that look alike
        assert members.count("李四") == 1 and not any(mark in m for m in members), members
    return build, check


# ---- 2. dates no chat can have ------------------------------------------------------------------------------

def _chat(year: int) -> list[dict]:
    return [{"ts": datetime(2025, 3, 3, 9, 0), "sender": "张三-运营部", "text": "请今天18:00前提交周报"},
            {"ts": datetime(year, 3, 3, 9, 5, 10), "sender": "李四-研发部", "text": "收到"},
            {"ts": datetime(2025, 3, 3, 9, 6), "sender": "王五-研发部", "text": "好的"}]


def _year_in_every_layout(year: int):
    def build(t: Ctx) -> Run:
        folder = t.tmp / "in"
        for k, layout in enumerate(layouts.LAYOUTS):
            layouts.write_export(folder / layout, _chat(year), f"项目群{k}", layout, group_id=f"4455667788{k}@chatroom")
        out = t.tmp / "out"
        return Run(audit_args(folder, out=out), out=out)

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        read = {p for p, i in inputs_of(run.out).items() if i["fmt"]}
        assert len(read) == len(layouts.LAYOUTS), sorted(inputs_of(run.out))
        dated = {r["source"] for r in read_csv(run.out / "unparsed.csv") if "日期超出范围" in r["reason"]}
        assert dated == read, sorted(read - dated)                     # every layout: the line in unparsed
        assert len(read_csv(run.out / "messages.csv")) == 2 * len(layouts.LAYOUTS)
    return build, check


# ---- 3. settings and side files -----------------------------------------------------------------------------

def _setting(value: str, *words: str):
    def build(t: Ctx) -> Run:
        out = t.tmp / "out"
        return Run(audit_args(V3_TXT, out=out, extra=("--set", value)), out=out)

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        for w in words:
            assert w in got.output, got.output
        assert not run.out.exists()                                      # exit 2: nothing written
    return build, check


def _side_file(option: str, name: str, text: str, *words: str, inputs: tuple = ()):
    def build(t: Ctx) -> Run:
        side = text_file(t.tmp / name, text)
        return sample_audit(t, option, str(side), inputs=inputs)

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        for w in words:
            assert w.replace("{tmp}", str(t.tmp)) in got.output, got.output
        assert not run.out.exists()
    return build, check


def _rules_file(text: str, *words: str):
    def build(t: Ctx) -> Run:
        rules = text_file(t.tmp / "rules.yaml", text)
        out = t.tmp / "out"
        return Run(audit_args(V3_TXT, out=out, extra=("--rules", str(rules))), out=out)

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        for w in words:
            assert w.replace("{tmp}", str(t.tmp)) in got.output, got.output
    return build, check


_INCIDENT_LOSS = (SAMPLES / "incidents.yaml").read_text(encoding="utf-8")


def _incident_loss(amount: str):
    assert "loss_amount: 20000" in _INCIDENT_LOSS
    return _side_file("--incidents", "incidents.yaml", _INCIDENT_LOSS.replace("loss_amount: 20000",
                                                                              f"loss_amount: {amount}"),
                      "incidents.yaml:", "loss_amount")


ALIAS_BOMB = """\
a: &a ["收到", "收到", "收到", "收到", "收到", "收到", "收到", "收到", "收到"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
lexicon: {ack: [*h, *h, *h, *h, *h, *h, *h, *h, *h]}
"""


def _alias_bomb(t: Ctx) -> Run:
    """Nine lines, 9**9 values once expanded, in ./rules.yaml (read without --rules). A real process under a
    memory limit: expanding it would take the machine's memory."""
    text_file(t.tmp / "work" / "rules.yaml", ALIAS_BOMB)
    out = t.tmp / "out"
    return Run(audit_args(V3_TXT, out=out), out=out, cwd=t.tmp / "work", subprocess=True, timeout=90,
               memory=3 << 30)


def _alias_bomb_check(t: Ctx, run: Run, got: Outcome) -> None:
    assert "rules.yaml" in got.stderr and not run.out.exists(), got.output


def _escalated_not_a_date(t: Ctx) -> Run:
    """On a task the audit finds (an override that matches nothing is only a warning)."""
    first = t.cli(audit_args(V3_TXT, out=t.tmp / "first"))
    assert first.code == 0, first.output
    task = read_csv(t.tmp / "first" / "tasks.csv")[0]["task_id"]
    side = text_file(t.tmp / "overrides.yaml", f"- {{task_id: {task}, action: escalated, value: 下周找时间, "
                                               "reason: 主管已处理}\n")
    out = t.tmp / "out"
    return Run(audit_args(V3_TXT, out=out, extra=("--overrides", str(side))), out=out)


def _escalated_check(t: Ctx, run: Run, got: Outcome) -> None:
    assert f"{t.tmp / 'overrides.yaml'}:1:" in got.output and not run.out.exists(), got.output


# ---- 4. the output folder -----------------------------------------------------------------------------------

def _out_at(where: Callable[[Path], Path]):
    def build(t: Ctx) -> Run:
        (t.tmp / "a-file").write_text("x", encoding="utf-8")
        out = where(t.tmp)
        return Run(audit_args(V3_TXT, out=out))

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        assert "--out" in got.output and (t.tmp / "a-file").read_text(encoding="utf-8") == "x", got.output
    return build, check


def _disk_full(t: Ctx) -> Run:
    from wgm.report import atomic

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    t.patch.setattr(atomic.os, "fsync", full)
    out = t.tmp / "out"
    return Run(audit_args(V3_TXT, out=out, formats="xlsx,csv,json,md"), out=out)


def _disk_full_check(t: Ctx, run: Run, got: Outcome) -> None:
    assert "No space left on device" in got.output
    left = [p.name for p in run.out.rglob("*") if p.is_file() and p.name != ".wgm.lock"] if run.out.exists() else []
    assert not left, left                                           # no temp file, no half report


# ---- 5. folders, file names, special files --------------------------------------------------------------------

def _unreadable_file_in_folder(t: Ctx) -> Run:
    v3_txt(t.tmp / "in", name="a.txt")
    unopenable(t, v3_txt(t.tmp / "in", name="b.txt"))
    out = t.tmp / "out"
    return Run(audit_args(t.tmp / "in", out=out), out=out)


def _unreadable_file_check(t: Ctx, run: Run, got: Outcome) -> None:
    t.patch.undo()
    unread = inputs_of(run.out)[str(t.tmp / "in" / "b.txt")]
    assert "b.txt" in got.output and unread.get("refused") and "Permission denied" in unread["skipped_reason"]


def _unreadable_folder(t: Ctx) -> Run:
    v3_txt(t.tmp / "in", name="a.txt")
    v3_txt(t.tmp / "in" / "locked", name="b.txt")
    unopenable(t, t.tmp / "in" / "locked", calls=("scandir", "listdir"))
    out = t.tmp / "out"
    return Run(audit_args(t.tmp / "in", out=out), out=out)


def _unreadable_folder_check(t: Ctx, run: Run, got: Outcome) -> None:
    listed = inputs_of(run.out).get(str(t.tmp / "in" / "locked"))
    assert listed and listed.get("refused") and listed["skipped_reason"], sorted(inputs_of(run.out))
    assert "locked" in got.output                                   # --quiet still says what made it incomplete


def _gbk_name(t: Ctx) -> Run:
    folder = t.tmp / "in"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/" + "群聊.txt".encode("gbk")          # unzipped from a Windows zip
    with open(raw, "wb") as fh:
        fh.write(V3_TXT.read_bytes())
    out = t.tmp / "out"
    return Run(audit_args(folder, out=out, formats="xlsx,csv,json,md", quiet=False), out=out,
               env={"COLUMNS": "250"})


def _gbk_name_check(t: Ctx, run: Run, got: Outcome) -> None:
    shown = str(t.tmp / "in") + "/Ⱥ\\xc1\\xc4.txt"                    # C8 BA is UTF-8 (Ⱥ); C1 C4 are not
    assert shown in got.output and list(inputs_of(run.out)) == [shown]
    assert {r["group"] for r in read_csv(run.out / "messages.csv")} == {"群聊"}
    assert (run.out / "report.xlsx").is_file()


def _long_group_name(t: Ctx) -> Run:
    v3_txt(t.tmp / "in", name="华" * 77 + ".txt")                       # 231 bytes: a file name fits 255
    out = t.tmp / "out"
    return Run(audit_args(t.tmp / "in", out=out, formats="xlsx,csv,json,md"), out=out)


def _long_group_name_check(t: Ctx, run: Run, got: Outcome) -> None:
    names = [p.name for p in run.out.iterdir() if p.name.startswith("announce_")]
    assert len(names) == 1 and all(len(n.encode()) <= 255 for n in names), names
    assert "华" * 77 in (run.out / names[0]).read_text(encoding="utf-8")


def _groups_alike(first: str, second: str):
    """Two groups whose names differ only in characters a file name cannot hold (named inside their
    WeFlow JSON files, so the names reach wgm as they are)."""
    def build(t: Ctx) -> Run:
        for k, group in enumerate((first, second)):
            layouts.write_export(t.tmp / "in" / f"g{k}", _chat(2025), group, "weflow_json",
                                 group_id=f"5566778899{k}@chatroom")
        out = t.tmp / "out"
        return Run(audit_args(t.tmp / "in", out=out, formats="csv,json,md"), out=out)

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        assert {r["group"] for r in read_csv(run.out / "messages.csv")} == {first, second}
        files = [p for p in run.out.iterdir() if p.name.startswith("announce_")]
        assert len(files) == 2, [p.name for p in files]                    # one each: neither overwritten
        texts = [p.read_text(encoding="utf-8") for p in files]
        assert any(first in x for x in texts) and any(second in x and first not in x for x in texts)
    return build, check


def _fifo_input(t: Ctx) -> Run:
    fifo = t.tmp / "chat.txt"
    os.mkfifo(fifo)                          # opening it to read waits for a writer forever
    out = t.tmp / "out"
    return Run(audit_args(fifo, out=out), out=out, subprocess=True, timeout=30)


def _device_input(device: str):
    def build(t: Ctx) -> Run:
        out = t.tmp / "out"       # /dev/zero read whole fills the memory: a real process, limited
        return Run(audit_args(device, out=out), out=out, subprocess=device != "/dev/null", timeout=30,
                   memory=3 << 30)

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        lines = [x for x in got.stderr.splitlines() if x.strip()]
        assert len(lines) == 1 and device in lines[0], got.stderr      # one line, naming it
        assert not run.out.exists()
    return build, check


def _fifo_check(t: Ctx, run: Run, got: Outcome) -> None:
    lines = [x for x in got.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and str(t.tmp / "chat.txt") in lines[0], got.stderr
    assert not run.out.exists()


def _special_in_folder(t: Ctx) -> Run:
    import socket
    folder = t.tmp / "in"
    v3_txt(folder, name="a.txt")
    os.mkfifo(folder / "b.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "c.sock"))
    server.close()                               # the socket file stays
    out = t.tmp / "out"
    return Run(audit_args(folder, out=out), out=out, subprocess=True, timeout=60)   # where opened, a FIFO hangs


def _special_in_folder_check(t: Ctx, run: Run, got: Outcome) -> None:
    listed = inputs_of(run.out)
    for name in ("b.txt", "c.sock"):
        assert listed[str(t.tmp / "in" / name)]["skipped_reason"], name


def _side_is_special(option: str, kind: str):
    def build(t: Ctx) -> Run:
        if kind == "folder":             # named as the file was meant to be: its suffix picks the reader
            side = t.tmp / ("rules.yaml" if option == "--rules" else "side.csv")
            side.mkdir()
            shutil.copy(SAMPLES / "roster.yaml", side / "roster.yaml")
        elif kind == "fifo":
            side = t.tmp / "side.yaml"
            os.mkfifo(side)
        else:
            side = Path(kind)
        out = t.tmp / "out"
        # a subprocess: reading a FIFO or /dev/zero would hang or fill the memory where the check is missing
        return Run(audit_args(V3_TXT, out=out, extra=(option, str(side))), out=out,
                   subprocess=kind != "folder", timeout=30, memory=3 << 30)

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        side = {"folder": t.tmp / ("rules.yaml" if option == "--rules" else "side.csv"),
                "fifo": t.tmp / "side.yaml"}.get(kind, Path(kind))
        assert str(side) in got.output and not run.out.exists(), got.output
    return build, check


def _symlinked_folder(t: Ctx) -> Run:
    v3_txt(t.tmp / "real", name="项目群.txt")
    folder = t.tmp / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "linked").symlink_to(t.tmp / "real")
    out = t.tmp / "out"
    return Run(audit_args(folder, out=out), out=out)


def _symlinked_folder_check(t: Ctx, run: Run, got: Outcome) -> None:
    assert inputs_of(run.out)[str(t.tmp / "in" / "linked" / "项目群.txt")]["fmt"] == "memotrace_v3_txt"


def _symlink_loop(t: Ctx) -> Run:
    folder = t.tmp / "in"
    v3_txt(folder, name="a.txt")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder)          # in/sub/up/sub/up/…
    out = t.tmp / "out"
    return Run(audit_args(folder, out=out), out=out, subprocess=True, timeout=60)


def _symlink_loop_check(t: Ctx, run: Run, got: Outcome) -> None:
    listed = inputs_of(run.out)
    assert [p for p, i in listed.items() if i["fmt"]] == [str(t.tmp / "in" / "a.txt")]
    assert listed[str(t.tmp / "in" / "sub" / "up")]["skipped_reason"]


def _hidden(t: Ctx) -> Run:
    folder = t.tmp / "in"
    v3_txt(folder / ".hidden", name="B.txt")
    v3_txt(folder, name=".C.txt")
    v3_txt(folder, name="d.txt")
    out = t.tmp / "out"
    return Run(audit_args(folder, out=out), out=out)


def _hidden_check(t: Ctx, run: Run, got: Outcome) -> None:
    listed = inputs_of(run.out)
    for hidden in (".hidden", ".C.txt"):
        assert listed[str(t.tmp / "in" / hidden)]["skipped_reason"], sorted(listed)   # listed with why


def _broken_link(t: Ctx) -> Run:
    folder = t.tmp / "in"
    v3_txt(folder, name="a.txt")
    (folder / "b.txt").symlink_to(t.tmp / "gone.txt")
    out = t.tmp / "out"
    return Run(audit_args(folder, out=out), out=out)


# ---- 6. messages lost ------------------------------------------------------------------------------------------

def _v3_csv_records() -> list[list[str]]:
    # records, not lines: the sample's quotes are fields over several lines, which a split by lines would
    # cut into rows of their own (and so into messages that say other things)
    with open(V3_CSV, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _same_exporter_id(t: Ctx) -> Run:
    rows = _v3_csv_records()
    rows[3][0] = rows[2][0]                      # two different messages, one 消息ID
    folder = t.tmp / "in"
    folder.mkdir()
    with open(folder / "项目群.csv", "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = t.tmp / "out"
    return Run(audit_args(folder, out=out), out=out)


def _same_exporter_id_check(t: Ctx, run: Run, got: Outcome) -> None:
    rows = read_csv(run.out / "messages.csv")
    assert len(rows) == len(_v3_csv_records()) - 1
    assert len({r["msg_id"] for r in rows}) == len(rows)


def _cut_compact_json(layout: str):
    def build(t: Ctx) -> Run:
        messages = [{"ts": datetime(2025, 3, 3, 9, i), "sender": "张三-运营部", "text": f"第{i}条进度已更新"}
                    for i in range(9)]
        path = layouts.write_export(t.tmp / "in", messages, "项目群", layout)
        whole = json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False)      # one line
        path.write_text(whole[:len(whole) // 2], encoding="utf-8")
        out = t.tmp / "out"
        return Run(audit_args(t.tmp / "in", out=out), out=out)

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        rows = read_csv(run.out / "unparsed.csv")
        assert len(rows) == 1 and rows[0]["line"] == "1" and rows[0]["reason"], rows
        assert "未能读取" in got.output                                      # --quiet says it too
    return build, check


def _two_layouts_claim(t: Ctx) -> Run:
    """留痕 v2 and 3.x TXT share their header line; a file with as much of each one's marks (a quote in each
    form) is claimed by both. Beside a plain export of another group, in one folder."""
    records = ["2025-03-03 09:01:23 张三-项目经理\n@李四 请今天18:00前提交本周周报",
               "2025-03-03 09:05:10 李四\n收到，18点前提交\n引用：张三-项目经理: @李四 请今天18:00前提交本周周报",
               "2025-03-03 09:07:45 王五\n收到\n引用:张三-项目经理:@李四 请今天18:00前提交本周周报"]
    text_file(t.tmp / "in" / "交付群.txt", "\n\n".join(records) + "\n\n")
    v3_txt(t.tmp / "in", name="项目群.txt")
    out = t.tmp / "out"
    return Run(audit_args(t.tmp / "in", out=out), out=out)


def _two_layouts_check(t: Ctx, run: Run, got: Outcome) -> None:
    rows = [r for r in read_csv(run.out / "messages.csv") if r["group"] == "交付群"]
    assert len(rows) == 3, rows
    assert [r["quote_sender"] for r in rows] == ["", "张三-项目经理", "张三-项目经理"]   # each quote in its form


# ---- 7. money from nonsense: covered by the settings probes above (3.) --------------------------------------

# ---- 8. the cache -----------------------------------------------------------------------------------------------

class _Crafted:
    """Unpickling this makes a folder: the marker that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def _crafted_pickle(t: Ctx) -> Run:
    import pickle
    cache = t.tmp / "cache"
    first = t.cli(audit_args(V3_TXT, out=t.tmp / "first", extra=("--cache", str(cache))))
    assert first.code == 0, first.output
    bomb = pickle.dumps({"messages": _Crafted(str(t.tmp / "code-ran")), "assessment": 1})
    planted = [p for p in cache.rglob("*") if p.is_file()]
    assert planted
    for p in planted:                              # every entry the first run left, and one beside each
        p.write_bytes(bomb)
        p.with_name(p.name + ".pkl").write_bytes(bomb)
    out = t.tmp / "out"
    return Run(audit_args(V3_TXT, out=out, extra=("--cache", str(cache))), out=out)


def _crafted_pickle_check(t: Ctx, run: Run, got: Outcome) -> None:
    assert not (t.tmp / "code-ran").exists(), "a pickle in the cache ran code"
    assert len(read_csv(run.out / "messages.csv")) == 9


def _edited_kept_csv(t: Ctx) -> Run:
    cache = t.tmp / "cache"
    extra = ("--cache", str(cache), "--roster", str(SAMPLES / "roster.yaml"))
    first = t.cli(audit_args(SAMPLES, out=t.tmp / "first", formats="csv", extra=extra))
    assert first.code == 1, first.output
    kept = [p for p in cache.rglob("*.csv") if "messages" in p.name]
    assert kept
    for p in kept:
        p.write_bytes(p.read_bytes().replace("收到".encode(), "改过".encode()))
    out = t.tmp / "out"
    return Run(audit_args(SAMPLES, out=out, extra=(*extra, "--set", "amounts.reply_missed=33")), out=out)


def _edited_kept_csv_check(t: Ctx, run: Run, got: Outcome) -> None:
    assert (run.out / "messages.csv").read_bytes() == (t.tmp / "first" / "messages.csv").read_bytes()


PYWXDUMP_CSV = SPEC_SAMPLES / "pywxdump_34567890123@chatroom_0_10.csv"


def _cache_users_json(t: Ctx) -> Run:
    chat = t.tmp / "export" / "34567890123@chatroom"
    chat.mkdir(parents=True)
    shutil.copy(PYWXDUMP_CSV, chat / PYWXDUMP_CSV.name)
    users = chat / "users.json"
    shutil.copy(SPEC_SAMPLES / "pywxdump_users.json", users)
    cache = t.tmp / "cache"
    first = t.cli(audit_args(chat / PYWXDUMP_CSV.name, out=t.tmp / "first", extra=("--cache", str(cache))))
    assert first.code in (0, 1) and any(r["sender"] == "研发-李四"
                                        for r in read_csv(t.tmp / "first" / "messages.csv")), first.output
    users.write_text(users.read_text(encoding="utf-8").replace("研发-李四", "研发-李思"), encoding="utf-8")
    out = t.tmp / "out"
    return Run(audit_args(chat / PYWXDUMP_CSV.name, out=out, extra=("--cache", str(cache))), out=out)


def _cache_users_json_check(t: Ctx, run: Run, got: Outcome) -> None:
    senders = {r["sender"] for r in read_csv(run.out / "messages.csv")}
    assert "研发-李思" in senders and "研发-李四" not in senders, senders


def _cache_renamed_folder(t: Ctx) -> Run:
    old = t.tmp / "in" / "旧群名(44556677889@chatroom)"
    v3_txt(old, name="export.txt")
    cache = t.tmp / "cache"
    first = t.cli(audit_args(t.tmp / "in", out=t.tmp / "first", extra=("--cache", str(cache))))
    assert first.code == 0, first.output
    old.rename(t.tmp / "in" / "新群名(44556677889@chatroom)")
    out = t.tmp / "out"
    return Run(audit_args(t.tmp / "in", out=out, extra=("--cache", str(cache))), out=out)


def _cache_renamed_folder_check(t: Ctx, run: Run, got: Outcome) -> None:
    fresh = t.cli(audit_args(t.tmp / "in", out=t.tmp / "fresh"))
    assert fresh.code == 0
    groups = {r["group"] for r in read_csv(run.out / "messages.csv")}
    assert groups == {r["group"] for r in read_csv(t.tmp / "fresh" / "messages.csv")}, groups


def _cache_moved_input(t: Ctx) -> Run:
    first_path = v3_txt(t.tmp / "a", name="项目群.txt")
    cache = t.tmp / "cache"
    first = t.cli(audit_args(first_path, out=t.tmp / "first", extra=("--cache", str(cache))))
    assert first.code == 0, first.output
    moved = t.tmp / "b" / "项目群.txt"
    moved.parent.mkdir()
    first_path.rename(moved)
    out = t.tmp / "out"
    return Run(audit_args(moved, out=out, extra=("--cache", str(cache))), out=out)


def _cache_moved_input_check(t: Ctx, run: Run, got: Outcome) -> None:
    sources = {r["source"] for r in read_csv(run.out / "messages.csv")}
    assert sources == {str(t.tmp / "b" / "项目群.txt")}, sources       # the evidence names where it is now


def _csv_option(command: str):
    def build(t: Ctx) -> Run:
        v3_txt(t.tmp / "in", "张三-项目经理", '=HYPERLINK("http://x")-运营部')
        target = t.tmp / f"{command}.csv"
        if command == "diff":
            a = text_file(t.tmp / "a.yaml", "amounts: {verification_missing: 20}\n")
            b = text_file(t.tmp / "b.yaml", "amounts: {verification_missing: 50}\n")
            return Run(["diff", str(t.tmp / "in"), "--rules", str(a), "--rules", str(b), "--csv", str(target)])
        return Run([command, str(t.tmp / "in"), "--csv", str(target)])

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        with open(t.tmp / f"{command}.csv", encoding="utf-8-sig", newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        assert any("HYPERLINK" in c for c in cells), cells[:20]
        assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells), \
            [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    return build, check


# ---- 9. faults: kills, locks, padding, files that change --------------------------------------------------------

def _kill_during_renames(t: Ctx) -> Run:
    """The second run dies after two of its files were renamed into place; the third is the probe."""
    folder = t.tmp / "in"
    v3_txt(folder, name="项目群.txt")
    out = t.tmp / "out"
    first = t.cli(audit_args(folder, out=out))
    assert first.code == 0, first.output
    old = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    other = ("--set", "amounts.reply_late=77", "--as-of", "2025-03-04T09:00")
    new_out = t.tmp / "new"
    assert t.cli(audit_args(folder, out=new_out, extra=other)).code in (0, 1)
    new = {p.name: p.read_bytes() for p in new_out.iterdir() if p.is_file() and not p.name.startswith(".")}
    real = os.replace
    moved: list[str] = []

    def dying_replace(src, dst, *args, **kwargs):
        if Path(dst).parent == out and not Path(dst).name.startswith("."):
            if len(moved) == 2:
                raise KeyboardInterrupt("killed")
            moved.append(Path(dst).name)
        return real(src, dst, *args, **kwargs)
    t.patch.setattr(os, "replace", dying_replace)
    t.cli(audit_args(folder, out=out, extra=other))
    t.patch.setattr(os, "replace", real)
    assert len(moved) == 2, moved
    now = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
    from_old = {n for n, b in now.items() if old.get(n) == b}
    from_new = {n for n, b in now.items() if new.get(n) == b and n not in from_old}
    staged = [p for p in out.iterdir() if p.is_dir() and p.name.startswith(".")]
    # the old report, the new one, or a commit under way that says so (the next run finishes it)
    assert not (from_old and from_new) or staged, (sorted(from_old), sorted(from_new))
    return Run(audit_args(folder, out=out, extra=other), out=out)


def _kill_during_renames_check(t: Ctx, run: Run, got: Outcome) -> None:
    new = {p.name: p.read_bytes() for p in (t.tmp / "new").iterdir() if p.is_file() and not p.name.startswith(".")}
    now = {p.name: p.read_bytes() for p in run.out.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert set(now) == set(new) and all(now[n] == new[n] for n in now if n != "audit.json"), sorted(now)


def _worker_parts(t: Ctx) -> Run:
    """Worker CSV parts hold message text: where a killed run leaves them (their clean-up never runs) must be
    the output folder, which the next run clears — never the shared temp folder."""
    import tempfile
    from wgm.report import machine

    class NeverCleaned(tempfile.TemporaryDirectory):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._finalizer.detach()                           # what a kill does to the clean-up

        def cleanup(self):
            pass
    t.patch.setattr(machine, "_MIN_ROWS_PER_WORKER", 10)
    t.patch.setattr(tempfile, "TemporaryDirectory", NeverCleaned)
    shared_tmp = t.tmp / "tmpdir"
    shared_tmp.mkdir()
    t.patch.setattr(tempfile, "tempdir", str(shared_tmp))
    out = t.tmp / "out"
    run = sample_audit(t, formats="csv,json")
    run.args[run.args.index("--jobs") + 1] = "2"
    return run


def _worker_parts_check(t: Ctx, run: Run, got: Outcome) -> None:
    assert not list((t.tmp / "tmpdir").rglob("*")), list((t.tmp / "tmpdir").rglob("*"))[:5]
    again = t.cli(run.args)                                   # the next run into the folder
    assert again.code == 1
    leftovers = [p for p in run.out.rglob("*") if p.is_file() and ".wgm-csv" in str(p)]
    assert not leftovers, leftovers[:5]


_CONTENDER = """
import json, os, sys, time
from pathlib import Path
# a loaded machine: a pause between creating the lock file and writing into it (none with an OS lock)
_fdopen = os.fdopen
class Slow:
    def __init__(self, f): self.f = f
    def write(self, text): time.sleep(0.2); return self.f.write(text)
    def __enter__(self): return self
    def __exit__(self, *exc): return self.f.__exit__(*exc)
    def __getattr__(self, name): return getattr(self.f, name)
os.fdopen = lambda *a, **k: Slow(_fdopen(*a, **k))
from wgm.report.atomic import OutputLock
from wgm.errors import WgmError
folder, start, log = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
while not start.exists():
    pass
try:
    with OutputLock(folder):
        with open(log, "a") as fh:
            fh.write(json.dumps(["in", os.getpid(), time.monotonic()]) + "\\n")
        time.sleep(0.2)
        with open(log, "a") as fh:
            fh.write(json.dumps(["out", os.getpid(), time.monotonic()]) + "\\n")
except WgmError:
    sys.exit(2)
"""


def _lock_race(t: Ctx) -> Run:
    """Five runs start at once at a folder whose lock a killed run left: at most one may hold it at a time.
    The probed run is an audit into the folder after them."""
    import subprocess
    import time
    out = t.tmp / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / ".wgm.lock").write_text(str(dead.pid), encoding="utf-8")     # left by a killed run
    start, log = t.tmp / "start", t.tmp / "held.log"
    import wgm
    env = {**os.environ, "PYTHONPATH": str(Path(wgm.__file__).resolve().parents[1])}   # the package under test
    procs = [subprocess.Popen([sys.executable, "-c", _CONTENDER, str(out), str(start), str(log)], env=env)
             for _ in range(5)]
    time.sleep(1.0)                                           # all of them waiting at the start line
    start.write_text("go", encoding="utf-8")
    codes = [p.wait(timeout=60) for p in procs]
    assert set(codes) <= {0, 2} and 0 in codes, codes
    events = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    holders, most = 0, 0
    for kind, _, _ in sorted(events, key=lambda e: e[2]):
        holders += 1 if kind == "in" else -1
        most = max(most, holders)
    assert most == 1, f"{most} runs held the output folder's lock at once"
    return Run(audit_args(V3_TXT, out=out), out=out)


def _nul_padded(t: Ctx) -> Run:
    v3_bytes(t.tmp / "in", V3_TXT.read_bytes() + b"\x00" * 5000)
    out = t.tmp / "out"
    return Run(audit_args(t.tmp / "in", out=out), out=out)


def _nul_padded_check(t: Ctx, run: Run, got: Outcome) -> None:
    rows = read_csv(run.out / "unparsed.csv")
    assert len(rows) == 1 and "NUL" in rows[0]["reason"], rows
    assert len(read_csv(run.out / "messages.csv")) == 9
    want = hashlib.sha256((t.tmp / "in" / "项目群.txt").read_bytes()).hexdigest()
    assert list(inputs_of(run.out).values())[0]["sha256"] == want


_PADDING = 96 << 20


def _nul_padded_large(t: Ctx) -> Run:
    path = t.tmp / "in" / "项目群.txt"
    path.parent.mkdir()
    with open(path, "wb") as fh:
        fh.write(V3_TXT.read_bytes())
        fh.truncate(V3_TXT.stat().st_size + _PADDING)             # 96 MB of NUL bytes after the text
    out = t.tmp / "out"
    return Run(audit_args(path, out=out, formats="csv"), out=out, subprocess=True, timeout=120, memory=3 << 30)


def _nul_padded_large_check(t: Ctx, run: Run, got: Outcome) -> None:
    assert len(read_csv(run.out / "messages.csv")) == 9
    assert got.peak_rss and got.peak_rss < 500 << 20, f"peak {got.peak_rss >> 20} MB for {_PADDING >> 20} MB of NULs"


def _growing_file(t: Ctx) -> Run:
    """A file a sync client appends to while wgm reads it: audit.json's digest is of the bytes parsed."""
    from wgm import parsers
    path = v3_txt(t.tmp / "in", name="项目群.txt")
    read_bytes = path.read_bytes()
    real = parsers.read

    def read_then_grow(p, *args, **kwargs):
        result = real(p, *args, **kwargs)
        if Path(p) == path:
            with open(path, "ab") as fh:
                fh.write("\n\n2025-03-03 18:00:00 赵六\n后来写进的消息".encode())
        return result
    t.patch.setattr(parsers, "read", read_then_grow)
    t.notes["read"] = read_bytes
    out = t.tmp / "out"
    return Run(audit_args(path, out=out), out=out)


def _growing_file_check(t: Ctx, run: Run, got: Outcome) -> None:
    t.patch.undo()
    info = inputs_of(run.out)[str(t.tmp / "in" / "项目群.txt")]
    want = hashlib.sha256(t.notes["read"]).hexdigest()
    assert info["sha256"] == want, "the digest is of bytes that were never parsed"
    (t.tmp / "in" / "项目群.txt").write_bytes(t.notes["read"])      # as parsed: the accounting re-reads it


def _redact(t: Ctx) -> Run:
    out = t.tmp / "out"
    plain = t.cli(audit_args(V3_TXT, out=t.tmp / "plain", formats="csv"))
    assert plain.code == 0
    return Run(audit_args(V3_TXT, out=out, extra=("--redact",)), out=out, env={"WGM_REDACT_KEY": ""})


def _redact_check(t: Ctx, run: Run, got: Outcome) -> None:
    words = [r["content"] for r in read_csv(t.tmp / "plain" / "messages.csv") if r["content"]]
    hidden = [r["content"] for r in read_csv(run.out / "messages.csv") if r["content"]]
    assert words and len(hidden) == len(words) and not set(words) & set(hidden)
    guessed = {"#" + hashlib.sha256(w.encode("utf-8")).hexdigest()[:12] for w in words}
    assert not guessed & set(hidden), "an unkeyed hash gives the words back"


# ---- 10. damaged and foreign exports (the damages of tests/test_bad_corpus.py, through the command line) ------------

def _damaged(damage: str):
    def build(t: Ctx) -> Run:
        from tests.test_bad_corpus import DAMAGE
        v3_bytes(t.tmp / "in", DAMAGE[damage](V3_TXT.read_bytes()))
        out = t.tmp / "out"
        return Run(audit_args(t.tmp / "in", out=out), out=out)
    return build


def _given(name: str, data: bytes):
    def build(t: Ctx) -> Run:
        path = t.tmp / name
        path.write_bytes(data)
        out = t.tmp / "out"
        return Run(audit_args(path, out=out), out=out)

    def check(t: Ctx, run: Run, got: Outcome) -> None:
        assert str(t.tmp / name) in got.output and not run.out.exists(), got.output
    return build, check


def _foreign(name: str):
    from tests.test_bad_corpus import FOREIGN
    return _given(name, FOREIGN[name].encode("utf-8"))


def _long_csv_cell(t: Ctx) -> Run:
    words = "长" * 200_000                                            # over Python csv's 128 KiB cell limit
    messages = [{"ts": datetime(2025, 3, 3, 9, 0), "sender": "张三-项目经理", "text": words},
                {"ts": datetime(2025, 3, 3, 9, 1), "sender": "李四", "text": "收到"}]
    layouts.write_export(t.tmp / "in", messages, "测试群", "memotrace_v3_csv")
    out = t.tmp / "out"
    return Run(audit_args(t.tmp / "in", out=out), out=out)


def _long_line(t: Ctx) -> Run:
    v3_bytes(t.tmp / "in", V3_TXT.read_bytes() + b"\n" + ("长" * (1 << 20)).encode("utf-8") + b"\n")
    out = t.tmp / "out"
    return Run(audit_args(t.tmp / "in", out=out), out=out)


def _mostly_unreadable(t: Ctx) -> Run:
    path = t.tmp / "g.csv"
    rows = ["消息ID,类型,发送人,时间,内容,备注,昵称,更多信息", "1,文本,陈志强-运营部,2026-10-12 09:10:00,收到,,,more"]
    rows += [f"{i},文本,陈志强-运营部,昨天,第{i}行" for i in range(30)]       # cut columns, no readable time
    path.write_text("\ufeff" + "\r\n".join(rows) + "\r\n", encoding="utf-8")
    out = t.tmp / "out"
    return Run(audit_args(path, out=out), out=out)


# ---- the table --------------------------------------------------------------------------------------------------

def _p(kind: str, finding: str, made, code: int, check=None) -> Probe:
    if isinstance(made, tuple):
        made, check = made
    return Probe(kind, finding, made, code, check)


_TRACEBACK = "Tracebacks (all exit 1)"
_LOST = "Messages lost with exit 0"
_MONEY = "Money accepted from nonsense"
_STALE = "Code runs or stale data comes back"
_FAULT = "Faults"
_DAMAGE = "Bad corpus (test_bad_corpus damages, through the command line)"

PROBES: list[Probe] = [
    # -- control characters, markup, invisible marks
    _p("message-vertical-tab", f"{_TRACEBACK}: a control character (\\x0b, Word's soft line break) in any message",
       _ctrl_in_message("\x0b"), 0),
    _p("message-x01", f"{_TRACEBACK}: a control character (\\x01) in any message", _ctrl_in_message("\x01"), 0),
    _p("message-escape", f"{_TRACEBACK}: a control character (ESC) in any message", _ctrl_in_message("\x1b[2J"), 0),
    _p("name-vertical-tab", f"{_TRACEBACK}: a control character (\\x0b) in a name", _ctrl_in_name("\x0b"), 0),
    _p("name-x01", f"{_TRACEBACK}: a control character (\\x01) in a name", _ctrl_in_name("\x01"), 0),
    _p("name-escape", f"{_TRACEBACK}: a control character (ESC) in a name", _ctrl_in_name("\x1b[2J"), 0),
    _p("group-name-x01", f"{_TRACEBACK}: a control character in a group name", _ctrl_in_group, 0,
       _ctrl_in_group_check),
    _p("name-rich-close-tag", f"{_TRACEBACK}: a display name with rich markup ([/bold]-运营部) in the terminal table",
       _markup_name("[/bold]-运营部"), 0),
    _p("name-rich-bare-close", f"{_TRACEBACK}: a display name with rich markup ([/]) in the terminal table",
       _markup_name("[/]-运营部"), 0),
    _p("name-zero-width-space", f"{_LOST}: a name with a zero-width space becomes a second member",
       _invisible_in_name("\u200b"), 0),
    _p("name-bidi-mark", f"{_LOST}: a name with an invisible mark (bidi override) becomes a second member",
       _invisible_in_name("\u202e"), 0),
    # -- dates no chat has
    _p("chat-year-9999-every-layout", f"{_TRACEBACK}: a chat line dated 9999 in 18 of 21 layouts",
       _year_in_every_layout(9999), 3),
    _p("chat-year-1677-every-layout", f"{_TRACEBACK}: a chat line dated 1677 in 18 of 21 layouts",
       _year_in_every_layout(1677), 3),
    _p("incident-date-2300", f"{_TRACEBACK}: incident dates in 2300",
       _side_file("--incidents", "incidents.csv", "date,member,rule\n2300-10-20,刘洋,leak\n", "incidents.csv:2:"), 2),
    _p("incident-date-0001", f"{_TRACEBACK}: incident dates in 0001",
       _side_file("--incidents", "incidents.csv", "date,member,rule\n0001-10-20,刘洋,leak\n", "incidents.csv:2:"), 2),
    _p("snapshot-date-2300", f"{_TRACEBACK}: snapshot dates in 2300",
       _side_file("--members", "members.csv", "as_of,group,member\n2300-10-20,华信科技-运营管理群,刘洋\n",
                  "members.csv:2:"), 2),
    _p("snapshot-date-0001", f"{_TRACEBACK}: snapshot dates in 0001",
       _side_file("--members", "members.csv", "as_of,group,member\n0001-10-20,华信科技-运营管理群,刘洋\n",
                  "members.csv:2:"), 2),
    _p("override-escalated-not-a-date", f"{_TRACEBACK}: an `escalated` override whose value is not a date",
       _escalated_not_a_date, 2, _escalated_check),
    # -- settings
    _p("grace-too-large", f"{_TRACEBACK}: `verification.grace` too large",
       _setting("verification.grace=99999999d", "verification.grace"), 2),
    _p("grace-overflow", f"{_TRACEBACK}: `verification.grace` too large (past any integer)",
       _setting("verification.grace=999999999999d", "verification.grace"), 2),
    _p("grace-negative", f"{_MONEY}: a negative `verification.grace` is accepted",
       _setting("verification.grace=-2", "verification.grace"), 2),
    _p("grace-negative-duration", f"{_MONEY}: a negative `verification.grace` (written as a duration)",
       _setting("verification.grace=-2d", "verification.grace"), 2),
    _p("set-without-key", f"{_TRACEBACK}: `--set =1`", _setting("=1", "--set"), 2),
    _p("set-bare-equals", f"{_TRACEBACK}: `--set =`", _setting("=", "--set"), 2),
    _p("amount-nan", f"{_MONEY}: `amounts.X=.nan` prices at 0",
       _setting("amounts.verification_missing=.nan", "amounts.verification_missing"), 2),
    _p("amount-inf", f"{_MONEY}: `.inf` writes `Infinity` into audit.json (invalid JSON)",
       _setting("amounts.verification_missing=.inf", "amounts.verification_missing"), 2),
    _p("amount-nan-in-rules-yaml", f"{_MONEY}: `amounts.X: .nan` in a rules file",
       _rules_file("amounts:\n  incivility: .nan\n", "{tmp}/rules.yaml:2:", "amounts.incivility"), 2),
    _p("duplicate-yaml-key", f"{_MONEY}: duplicate YAML keys pass silently",
       _rules_file("amounts:\n  reply_missed: 30\n  reply_missed: 0\n", "{tmp}/rules.yaml:3:", "reply_missed"), 2),
    _p("duplicate-yaml-key-roster", f"{_MONEY}: duplicate YAML keys pass silently (a side file)",
       _side_file("--roster", "roster2.yaml", "members:\n  - {name: 刘洋, dept: 运营部, dept: 仓储部}\n",
                  "roster2.yaml:2:"), 2),
    _p("alias-bomb-in-cwd-rules", f"{_MONEY}: a nine-line YAML alias bomb in ./rules.yaml (read without being asked "
       "for) stalls the run at gigabytes", _alias_bomb, 2, _alias_bomb_check),
    _p("incident-loss-nan", f"{_MONEY}: an incident `loss_amount: .nan` prices 0", _incident_loss(".nan"), 2),
    _p("incident-loss-inf", f"{_MONEY}: an incident `loss_amount` that is no finite number", _incident_loss(".inf"), 2),
    _p("roster-members-5", f"{_TRACEBACK}: roster `members: 5`",
       _side_file("--roster", "roster2.yaml", "members: 5\n", "roster2.yaml:1:", "members"), 2),
    _p("roster-name-a-list", f"{_TRACEBACK}: a roster value of the wrong shape (a list for a name)",
       _side_file("--roster", "roster2.yaml", "members:\n  - {name: [李四, 王五], dept: 研发部, role: member}\n",
                  "roster2.yaml:2:"), 2),
    _p("folder-as-roster", f"{_TRACEBACK}: a folder given as a side file (--roster)",
       _side_is_special("--roster", "folder"), 2),
    _p("folder-as-incidents", f"{_TRACEBACK}: a folder given as a side file (--incidents)",
       _side_is_special("--incidents", "folder"), 2),
    _p("folder-as-members", f"{_TRACEBACK}: a folder given as a side file (--members)",
       _side_is_special("--members", "folder"), 2),
    _p("folder-as-overrides", f"{_TRACEBACK}: a folder given as a side file (--overrides)",
       _side_is_special("--overrides", "folder"), 2),
    _p("folder-as-rules", f"{_TRACEBACK}: a folder given as a side file (--rules)",
       _side_is_special("--rules", "folder"), 2),
    _p("fifo-as-members", f"{_FAULT}: a FIFO as input hangs (a side file)", _side_is_special("--members", "fifo"), 2),
    _p("dev-zero-as-roster", f"{_FAULT}: /dev/zero as input hangs (a side file)",
       _side_is_special("--roster", "/dev/zero"), 2),
    # -- the output folder
    _p("out-is-a-file", f"{_TRACEBACK}: `--out` that is a file", _out_at(lambda tmp: tmp / "a-file"), 2),
    _p("out-below-a-file", f"{_TRACEBACK}: `--out` below a file", _out_at(lambda tmp: tmp / "a-file" / "sub"), 2),
    _p("out-dev-null", f"{_TRACEBACK}: `--out` /dev/null", _out_at(lambda tmp: Path("/dev/null")), 2),
    _p("out-read-only", f"{_TRACEBACK}: `--out` read-only (a place no file can be made, even by root)",
       _out_at(lambda tmp: Path("/proc/wgm-out")), 2),
    _p("out-disk-full", f"{_TRACEBACK}: `--out` on a full disk", _disk_full, 2, _disk_full_check),
    # -- folders and file names
    _p("unreadable-file-in-folder", f"{_TRACEBACK}: an unreadable file inside a walked folder",
       _unreadable_file_in_folder, 3, _unreadable_file_check),
    _p("gbk-file-name", f"{_TRACEBACK}: an input file name in GBK bytes (unzipped from a Windows zip)", _gbk_name, 0,
       _gbk_name_check),
    _p("group-name-77-cjk", f"{_TRACEBACK}: a group name of 77 CJK characters (file name too long in bytes)",
       _long_group_name, 0, _long_group_name_check),
    _p("symlinked-subfolder", f"{_LOST}: a symlinked sub-folder of exports not read and not listed",
       _symlinked_folder, 0, _symlinked_folder_check),
    _p("symlink-loop", f"{_LOST}: a symlinked sub-folder (a link back up: the walk must end)", _symlink_loop, 0,
       _symlink_loop_check),
    _p("hidden-subfolder", f"{_LOST}: a hidden sub-folder (and file) not read and not listed", _hidden, 0,
       _hidden_check),
    _p("unreadable-subfolder", f"{_LOST}: an unreadable sub-folder not read and not listed", _unreadable_folder, 3,
       _unreadable_folder_check),
    _p("broken-link-in-folder", f"{_LOST}: an entry of a folder that cannot be read (a broken link) is listed",
       _broken_link, 3),
    _p("fifo-and-socket-in-folder", f"{_FAULT}: a FIFO (and a socket) in a walked folder", _special_in_folder, 0,
       _special_in_folder_check),
    _p("fifo-as-input", f"{_FAULT}: a FIFO as input hangs", _fifo_input, 2, _fifo_check),
    _p("dev-zero-as-input", f"{_FAULT}: /dev/zero as input hangs", _device_input("/dev/zero"), 2),
    _p("dev-null-as-input", f"{_FAULT}: a device as input (/dev/null)", _device_input("/dev/null"), 2),
    _p("groups-differ-in-slash", f"{_LOST}: two groups whose names differ only in `/` write one announcement file",
       _groups_alike("财务/审计群", "财务_审计群"), 1),
    _p("groups-differ-in-colon", f"{_LOST}: two groups whose names differ only in `:` write one announcement file",
       _groups_alike("财务:审计群", "财务_审计群"), 1),
    _p("groups-differ-in-dots", f"{_LOST}: two groups whose names differ only in `..` write one announcement file",
       _groups_alike("财务..审计群", "财务_审计群"), 1),
    # -- messages lost
    _p("same-exporter-id-in-one-file", f"{_LOST}: two messages with the same exporter id in one file (the later "
       "dropped)", _same_exporter_id, 0, _same_exporter_id_check),
    _p("cut-one-line-json-weflow", f"{_LOST}: a truncated one-line JSON export (WeFlow)",
       _cut_compact_json("weflow_json"), 3),
    _p("cut-one-line-json-chatlog", f"{_LOST}: a truncated one-line JSON export (chatlog)",
       _cut_compact_json("chatlog_json"), 3),
    _p("two-layouts-claim-one-file", f"{_LOST}: a file two layouts both claim (留痕 v2 and 3.x TXT share a header) "
       "skipped whole", _two_layouts_claim, 0, _two_layouts_check),
    # -- the cache and CSVs
    _p("cache-crafted-pickle", f"{_STALE}: a crafted pickle in the `--cache` folder executes on the next run",
       _crafted_pickle, 0, _crafted_pickle_check),
    _p("cache-edited-kept-csv", f"{_STALE}: a kept CSV edited in the cache is copied into the output unchecked",
       _edited_kept_csv, 1, _edited_kept_csv_check),
    _p("cache-users-json-changed", f"{_STALE}: the cache key misses users.json beside the input", _cache_users_json,
       0, _cache_users_json_check),
    _p("cache-chat-id-folder-renamed", f"{_STALE}: the cache key misses the chat-id folder name",
       _cache_renamed_folder, 0, _cache_renamed_folder_check),
    _p("cache-input-moved", f"{_STALE}: the cache key misses the input paths (moved exports keep old names)",
       _cache_moved_input, 0, _cache_moved_input_check),
    _p("diff-csv-formula", f"{_STALE}: `wgm diff --csv` writes display names raw (formula cells)", _csv_option("diff"),
       0),
    _p("tasks-csv-formula", f"{_STALE}: every CSV any command writes neutralised (`wgm tasks --csv`)",
       _csv_option("tasks"), 0),
    # -- faults
    _p("kill-during-renames", f"{_FAULT}: a kill during the final renames leaves a report mixing two runs",
       _kill_during_renames, 0, _kill_during_renames_check),
    _p("worker-parts-after-kill", f"{_FAULT}: worker CSV parts with message text are left in $TMPDIR after a kill",
       _worker_parts, 1, _worker_parts_check),
    _p("stale-lock-race", f"{_FAULT}: two runs taking over a stale lock can both hold it", _lock_race, 0),
    _p("nul-padded-export", f"{_FAULT}: a valid export head followed by NUL bytes", _nul_padded, 3, _nul_padded_check),
    _p("nul-padded-export-memory", f"{_FAULT}: a valid export head followed by 2 GB of NUL bytes grows to 24 GB "
       "(here 96 MB, the peak memory bounded)", _nul_padded_large, 3, _nul_padded_large_check),
    _p("file-grows-while-read", f"{_FAULT}: the sha256 in audit.json is read separately from the parse",
       _growing_file, 0, _growing_file_check),
    _p("redact-guessable", f"{_FAULT}: `--redact`'s unsalted hashes give back texts from wgm's own word lists",
       _redact, 0, _redact_check),
    # -- damaged and foreign files
    _p("binary-file", "Deliver 5: a binary file (PNG bytes) given as input",
       _given("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4), 2),
    _p("file-of-nul-bytes", "Deliver 5: a file of NUL bytes only", _given("zeros.txt", b"\x00" * 12288), 2),
    _p("empty-file", "Deliver 6: an empty file given as input", _given("empty.txt", b""), 2),
    _p("mostly-unreadable-file", "Deliver 6: a file most of whose lines cannot be read", _mostly_unreadable, 2),
    _p("qq-export", "Deliver 6: an export of another app (QQ)", _foreign("qq_export.txt"), 2),
    _p("telegram-json", "Deliver 6: an export of another app (Telegram JSON)", _foreign("telegram.json"), 2),
    _p("csv-cell-over-128k", "Deliver 6: a message longer than Python csv's cell limit", _long_csv_cell, 0),
    _p("three-mb-line", "Deliver 6: one line of 3 MB after a real export", _long_line, 0),
    *[_p(f"damage-{name.replace(' ', '-').replace('%', 'pct').lower()}", f"{_DAMAGE}: {name}", _damaged(name), code)
      for name, code in (("cut at 37%", 0), ("cut at 50%", 0), ("cut at 83%", 0),
                         ("cut inside a UTF-8 character", 0), ("NUL bytes in the middle", 2),
                         ("every record twice", 0), ("lines reversed", 2), ("CRLF", 0),
                         ("UTF-16 as Windows Notepad saves it", 0), ("GB18030 as Excel saves it", 0),
                         ("some lines in GB18030", 0), ("a header-like line inside a body", 0))],
]
