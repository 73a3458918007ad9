"""Issue 15's probes of the export files themselves and the folders holding them: a date no chat can have, a
compact JSON export cut in half, links, hidden names, FIFOs, unreadable files, file names that are not
UTF-8. Each is read safely with every line accounted for, or listed as not read with why; never a
traceback, never exit 4. (The probes of options, settings and side files are in test_reliability.py.)"""

from __future__ import annotations

import builtins
import csv
import io
import json
import os
import shutil
import signal
import socket
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import layouts, paths
from wgm import parsers
from wgm.cli import app

SPEC_SAMPLES = paths.SPEC_SAMPLES
V3_TXT = SPEC_SAMPLES / "memotrace_v3_group.txt"
runner = CliRunner()


def audit(*inputs, out: Path, extra: tuple[str, ...] = ()):
    args = ["audit", *map(str, inputs), "--out", str(out), "--quiet", "--jobs", "1",
            "--set", "review.min_confidence=0", *extra]
    return runner.invoke(app, args)


def no_crash(result, code: int) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "内部错误" not in result.output, result.output


def accounted(result) -> bool:
    """Every input line is in a message, in unparsed with a reason, or counted as layout."""
    covered = int((result.messages["line_end"] - result.messages["line"] + 1).sum())
    return (result.structural_lines >= 0 and bool(result.unparsed["reason"].str.len().gt(0).all())
            and covered + len(result.unparsed) + result.structural_lines == result.lines)


def inputs_of(out: Path) -> dict[str, dict]:
    return {i["path"]: i for i in json.loads((out / "audit.json").read_text(encoding="utf-8"))["inputs"]}


def unparsed_rows(out: Path) -> list[dict]:
    with open(out / "unparsed.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@contextmanager
def deadline(seconds: int):
    """Fail instead of hanging (a FIFO opened for reading blocks until a writer comes)."""
    def stop(*_):
        raise TimeoutError(f"still running after {seconds}s")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# ---- a message dated in a year no chat has (probe 03) -----------------------------------------------

def _chat(year: int) -> list[dict]:
    return [{"ts": datetime(2025, 3, 3, 9, 0), "sender": "张三-运营部", "text": "请今天18:00前提交周报"},
            {"ts": datetime(year, 3, 3, 9, 5, 10), "sender": "李四-研发部", "text": "收到"},
            {"ts": datetime(2025, 3, 3, 9, 6), "sender": "王五-研发部", "text": "好的"}]


# 9999 and 1677 are past what pandas holds (1678–2261); 2200 and 1969 it holds, but no chat is dated so
YEARS = (9999, 1677, 2200, 1969)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("layout", layouts.LAYOUTS)
def test_a_message_dated_outside_the_years_of_a_chat_is_unparsed_with_its_reason(layout, year, tmp_path):
    path = layouts.write_export(tmp_path, _chat(year), "项目群", layout)
    result = parsers.read(path, date_hint=date(2025, 3, 3))
    assert len(result.messages) == 2 and accounted(result)
    assert result.messages["ts"].dt.year.eq(2025).all()
    assert result.unparsed["reason"].str.contains("日期超出范围").any(), result.unparsed


@pytest.mark.parametrize("year", YEARS)
def test_every_layout_with_such_a_date_exits_3_not_4(year, tmp_path):
    folder = tmp_path / "in"
    for k, layout in enumerate(layouts.LAYOUTS):
        layouts.write_export(folder / layout, _chat(year), f"项目群{k}", layout, group_id=f"4455667788{k}@chatroom")
    result = audit(folder, out=tmp_path / "out", extra=("--format", "csv,json"))
    no_crash(result, 3)
    read = {p: i for p, i in inputs_of(tmp_path / "out").items() if i["fmt"]}
    assert len(read) == len(layouts.LAYOUTS) and not any(i["refused"] for i in inputs_of(tmp_path / "out").values())
    dated = {r["source"] for r in unparsed_rows(tmp_path / "out") if "日期超出范围" in r["reason"]}
    assert dated == set(read)
    for path in read:
        assert accounted(parsers.read(path, date_hint=date(2025, 3, 3))), path


# the spec samples with their second message's date (and epoch, where the layout has one) changed
_EPOCHS = {"9999-03-03 09:05:10": 253383000000, "9999-12-31 23:59:59": 253402300799,
           "1677-03-03 09:05:10": -9300000000, "0001-01-01 00:00:01": -62135596799}
_DATED = sorted(p.name for p in SPEC_SAMPLES.iterdir()
                if p.suffix in (".txt", ".csv", ".json", ".jsonl") and "users" not in p.name
                and "2025-03-03" in p.read_text(encoding="utf-8-sig") and not p.name.startswith("UNVERIFIED")
                and "sameday" not in p.name)


def _redate(text: str, moment: str) -> str:
    day, clock = moment.split()
    epoch = _EPOCHS[moment]
    out = (text.replace("2025-03-03 09:05:10", moment).replace("2025-03-03T09:05:10", f"{day}T{clock}")
           .replace("2025-03-03T01:05:10", f"{day}T{clock}"))
    return (out.replace("1740963910422", str(epoch * 1000 + 422)).replace("1740963910000", str(epoch * 1000))
            .replace(",1740963910,", f",{epoch},"))


@pytest.mark.parametrize("moment", sorted(_EPOCHS))
@pytest.mark.parametrize("name", _DATED)
def test_the_spec_samples_with_an_extreme_date_are_accounted(name, moment, tmp_path):
    folder = tmp_path / "date_2025-03-03"
    folder.mkdir()
    original = (SPEC_SAMPLES / name).read_text(encoding="utf-8-sig")
    text = _redate(original, moment)
    assert text != original
    (folder / name).write_text(text, encoding="utf-8")
    if name.startswith("pywxdump"):
        shutil.copy(SPEC_SAMPLES / "pywxdump_users.json", folder / "users.json")
    before = parsers.read(SPEC_SAMPLES / name, date_hint=date(2025, 3, 3))
    result = parsers.read(folder / name, date_hint=date(2025, 3, 3))
    assert len(result.messages) == len(before.messages) - 1 and accounted(result)
    assert len(result.unparsed) > len(before.unparsed)


def test_an_export_time_out_of_range_is_not_taken(tmp_path):
    messages = [{"ts": datetime(2025, 3, 3, 9, 0), "sender": "张三-运营部", "text": "早上好"}]
    path = layouts.write_export(tmp_path, messages, "项目群", "weflow_json")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["weflow"]["exportedAt"] = 253383000000      # seconds of the year 9999
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = parsers.read(path)
    assert result.exported is None and any("导出时间" in w for w in result.warnings)
    no_crash(audit(path, out=tmp_path / "out"), 0)


# ---- a compact JSON export cut in half (probe 13) ---------------------------------------------------

COMPACT = ("chatlog_json", "weflow_json", "echotrace_json", "chatlab_json")


def _compact_cut(layout: str, folder: Path) -> Path:
    messages = [{"ts": datetime(2025, 3, 3, 9, i), "sender": "张三-运营部", "text": f"第{i}条进度已更新"}
                for i in range(9)]
    path = layouts.write_export(folder, messages, "项目群", layout)
    whole = json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False)   # one line
    path.write_text(whole[:len(whole) // 2], encoding="utf-8")
    return path


@pytest.mark.parametrize("layout", COMPACT)
def test_a_compact_json_export_cut_in_half_keeps_the_loss_in_unparsed(layout, tmp_path):
    path = _compact_cut(layout, tmp_path / "in")
    result = parsers.read(path)
    assert result.lines == 1 and 0 < len(result.messages) < 9 and accounted(result)
    assert result.messages["line_end"].eq(0).all()       # the line is counted once: for what was lost
    row = result.unparsed.iloc[0]
    assert row["line"] == 1 and "第 1 行第" in row["reason"] and "列起无法读取" in row["reason"]
    assert row["text"] and row["text"] in path.read_text(encoding="utf-8")   # shows the broken record


@pytest.mark.parametrize("layout", ["chatlog_json", "weflow_json"])
def test_a_compact_json_export_cut_in_half_exits_3(layout, tmp_path):
    path = _compact_cut(layout, tmp_path / "in")
    result = audit(tmp_path / "in", out=tmp_path / "out", extra=("--format", "csv"))
    no_crash(result, 3)
    assert "未能读取" in result.output and path.name in result.output
    rows = unparsed_rows(tmp_path / "out")
    assert [r["line"] for r in rows] == ["1"] and "无法读取" in rows[0]["reason"]


def test_a_record_without_a_time_on_a_shared_line_is_not_lost(tmp_path):
    """A compact export whose middle record has no time: the line it shares is shown in unparsed."""
    path = layouts.write_export(tmp_path, _chat(2025), "项目群", "weflow_json")
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("createTime", "formattedTime"):
        data["messages"][1].pop(key, None)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = parsers.read(path)
    assert len(result.messages) == 2 and len(result.unparsed) == 1 and accounted(result)
    assert "createTime" in result.unparsed.iloc[0]["reason"]


# ---- links, hidden names (probe 14) -------------------------------------------------------------------

def test_a_linked_folder_is_walked_and_a_link_back_up_ends(tmp_path):
    (tmp_path / "real").mkdir()
    shutil.copy(V3_TXT, tmp_path / "real" / "项目群.txt")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "linked").symlink_to(tmp_path / "real")
    (folder / "sub" / "up").symlink_to(folder)            # a loop: in/sub/up/sub/up/…
    with deadline(60):
        result = audit(folder, out=tmp_path / "out", extra=("--format", "json"))
    no_crash(result, 0)
    inputs = inputs_of(tmp_path / "out")
    assert inputs[str(folder / "linked" / "项目群.txt")]["fmt"] == "memotrace_v3_txt"
    loop = inputs[str(folder / "sub" / "up")]
    assert not loop["fmt"] and "已读过的文件夹" in loop["skipped_reason"] and not loop["refused"]


def test_hidden_files_and_folders_are_listed_with_why(tmp_path):
    folder = tmp_path / "in"
    (folder / ".hidden").mkdir(parents=True)
    shutil.copy(V3_TXT, folder / ".hidden" / "B.txt")
    shutil.copy(V3_TXT, folder / ".C.txt")
    shutil.copy(V3_TXT, folder / "d.txt")
    result = audit(folder, out=tmp_path / "out", extra=("--format", "json"))
    no_crash(result, 0)             # a hidden name is not an export refused: the input is complete
    inputs = inputs_of(tmp_path / "out")
    for hidden in (folder / ".hidden", folder / ".C.txt"):
        assert "隐藏" in inputs[str(hidden)]["skipped_reason"] and not inputs[str(hidden)]["refused"]
    assert inputs[str(folder / "d.txt")]["fmt"] == "memotrace_v3_txt"
    shown = runner.invoke(app, ["parse", str(folder), "--verbose"], env={"COLUMNS": "250"})
    assert shown.exit_code == 0 and ".C.txt" in shown.output and ".hidden" in shown.output
    counted = runner.invoke(app, ["parse", str(folder)], env={"COLUMNS": "250"})     # one line without --verbose
    assert counted.exit_code == 0 and "跳过 2 个非聊天文件：隐藏 2" in counted.output and ".C.txt" not in counted.output


def test_a_broken_link_in_a_folder_is_listed_as_refused(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(V3_TXT, folder / "a.txt")
    (folder / "b.txt").symlink_to(tmp_path / "gone.txt")
    result = audit(folder, out=tmp_path / "out", extra=("--format", "json"))
    no_crash(result, 3)
    assert "b.txt" in result.output and inputs_of(tmp_path / "out")[str(folder / "b.txt")]["refused"]


# ---- FIFOs, sockets, devices (probe 20) ---------------------------------------------------------------

def test_a_fifo_named_as_input_is_refused_unopened(tmp_path):
    fifo = tmp_path / "chat.txt"
    os.mkfifo(fifo)
    with deadline(30):
        result = audit(fifo, out=tmp_path / "out")
    no_crash(result, 2)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and str(fifo) in lines[0] and "FIFO" in lines[0], result.output
    assert not (tmp_path / "out").exists()


def test_a_device_named_as_input_is_refused_unopened(tmp_path):
    with deadline(30):
        result = audit("/dev/null", out=tmp_path / "out")     # (/dev/zero, read whole, would fill the memory)
    no_crash(result, 2)
    assert "/dev/null" in result.output and "字符设备" in result.output


def test_a_fifo_and_a_socket_in_a_folder_are_listed_as_skipped(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(V3_TXT, folder / "a.txt")
    os.mkfifo(folder / "b.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "c.sock"))
    try:
        with deadline(60):
            result = audit(folder, out=tmp_path / "out", extra=("--format", "json"))
    finally:
        server.close()
    no_crash(result, 0)
    inputs = inputs_of(tmp_path / "out")
    assert "FIFO" in inputs[str(folder / "b.txt")]["skipped_reason"]
    assert "套接字" in inputs[str(folder / "c.sock")]["skipped_reason"]
    assert inputs[str(folder / "a.txt")]["fmt"] == "memotrace_v3_txt"


# ---- a file that cannot be read (probe 08) -----------------------------------------------------------

def _unreadable(monkeypatch, target: Path) -> None:
    """Opening `target` fails as without read permission (root reads whatever the mode says)."""
    real_open, real_io_open = builtins.open, io.open

    def guard(opener):
        def patched(file, *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and Path(file) == target:
                raise PermissionError(13, "Permission denied", str(file))
            return opener(file, *args, **kwargs)
        return patched
    monkeypatch.setattr(builtins, "open", guard(real_open))
    monkeypatch.setattr(io, "open", guard(real_io_open))


def test_an_unreadable_file_in_a_folder_is_listed_as_refused_and_exits_3(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(V3_TXT, folder / "a.txt")
    shutil.copy(V3_TXT, folder / "b.txt")
    _unreadable(monkeypatch, folder / "b.txt")
    result = audit(folder, out=tmp_path / "out", extra=("--format", "json"))
    no_crash(result, 3)
    assert "b.txt" in result.output and "Permission denied" in result.output
    unread = inputs_of(tmp_path / "out")[str(folder / "b.txt")]
    assert unread["refused"] and "Permission denied" in unread["skipped_reason"] and unread["sha256"] == ""
    monkeypatch.undo()
    assert accounted(parsers.read(folder / "a.txt"))


def test_an_unreadable_file_named_as_input_is_a_user_error(tmp_path, monkeypatch):
    path = tmp_path / "b.txt"
    shutil.copy(V3_TXT, path)
    _unreadable(monkeypatch, path)
    result = audit(path, out=tmp_path / "out")
    no_crash(result, 2)
    assert f"{path}: 无法读取（cannot read）：Permission denied" in result.output


# ---- a file name that is not UTF-8 (probe 09) ----------------------------------------------------------

def _gbk_named(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    raw = os.fsencode(folder) + b"/" + "群聊.txt".encode("gbk")
    with open(raw, "wb") as fh:
        fh.write(V3_TXT.read_bytes())
    return Path(os.fsdecode(raw))


def test_a_gbk_file_name_in_a_folder_is_read_and_shown_escaped(tmp_path):
    path = _gbk_named(tmp_path / "in")
    out = tmp_path / "out"
    result = runner.invoke(app, ["audit", str(tmp_path / "in"), "--out", str(out), "--jobs", "1",
                                 "--set", "review.min_confidence=0"], env={"COLUMNS": "250"})
    no_crash(result, 0)
    shown = str(tmp_path / "in") + "/Ⱥ\\xc1\\xc4.txt"       # C8 BA happen to be UTF-8 (Ⱥ); C1 C4 are not
    assert shown in result.output
    assert list(inputs_of(out)) == [shown]
    with open(out / "messages.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["source"] for r in rows} == {shown} and {r["group"] for r in rows} == {"群聊"}   # named as GB18030
    assert (out / "report.xlsx").is_file()
    assert accounted(parsers.read(path))


def test_a_gbk_file_name_named_as_input_is_read(tmp_path):
    path = _gbk_named(tmp_path / "in")
    result = audit(path, out=tmp_path / "out", extra=("--format", "csv,json"))
    no_crash(result, 0)
    assert list(inputs_of(tmp_path / "out")) == [str(tmp_path / "in") + "/Ⱥ\\xc1\\xc4.txt"]


# ---- NUL padding: a text export followed by NUL bytes, and a file of NULs only -----------------------------

@pytest.mark.parametrize("padding", [10, 3 * 4096 + 7])
def test_an_export_padded_with_nul_bytes_is_read_up_to_its_text_and_the_padding_noted(tmp_path, monkeypatch, padding):
    monkeypatch.setattr(parsers, "_PADDING_CHUNK", 4096)      # the backward scan crosses chunks
    path = tmp_path / "padded.txt"
    path.write_bytes(V3_TXT.read_bytes() + b"\x00" * padding)
    result = parsers.read(path)
    clean = parsers.read(V3_TXT)
    assert len(result.messages) == len(clean.messages) and accounted(result)
    assert result.unparsed["reason"].iloc[-1].startswith(f"文件末尾 {padding:,} 字节 NUL 填充")
    out = tmp_path / "out"
    no_crash(audit(path, out=out), 3)      # the export may be cut short there: incomplete


def test_a_file_of_nul_bytes_only_is_refused_naming_what_to_give(tmp_path):
    path = tmp_path / "zeros.txt"
    path.write_bytes(b"\x00" * (3 * 4096))
    with pytest.raises(parsers.InputError, match="NUL"):
        parsers.read(path)


def test_an_inputs_digest_is_of_the_bytes_its_messages_came_from(tmp_path, monkeypatch):
    import hashlib
    from wgm import ingest
    path = tmp_path / "group.txt"
    data = V3_TXT.read_bytes()
    path.write_bytes(data + b"\x00" * 5000)
    want = hashlib.sha256(data + b"\x00" * 5000).hexdigest()       # what sha256sum says of the file
    assert parsers.read(path).sha256 == want
    # the file replaced between the parse and the listing (a sync client, a second export): the listing
    # names what was read, not what is there now
    monkeypatch.setattr(ingest.ids, "file_digest", lambda p: "digest of the file as it is now")
    _, infos, _ = ingest.read_all([path])
    assert [i.sha256 for i in infos] == [want]
