"""A corpus of damaged and foreign inputs, applied to every golden sample of every format: each either
parses with every line accounted for, or is refused with a message naming the file — never a crash."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import paths
from wgm import parsers
from wgm.cli import app
from wgm.errors import InputError

SPEC_SAMPLES = paths.SPEC_SAMPLES
SAMPLES = sorted(p for p in SPEC_SAMPLES.iterdir()
                 if p.suffix in (".txt", ".csv", ".json", ".jsonl") and "users" not in p.name)


def _cut(fraction: float):
    return lambda raw: raw[: int(len(raw) * fraction)]


def _cut_inside_a_character(raw: bytes) -> bytes:
    for i in range(len(raw) // 2, len(raw)):
        if raw[i] >= 0xE0:                    # first byte of a 3-byte UTF-8 sequence
            return raw[: i + 1]
    return raw[:-1]


def _mixed_encodings(raw: bytes) -> bytes:
    """Every third line re-encoded in GB18030, the rest left in UTF-8."""
    lines = raw.decode("utf-8-sig").split("\n")
    return b"\n".join(line.encode("gb18030") if i % 3 == 1 else line.encode("utf-8")
                      for i, line in enumerate(lines))


DAMAGE = {
    "cut at 37%": _cut(0.37),
    "cut at 50%": _cut(0.5),
    "cut at 83%": _cut(0.83),
    "cut inside a UTF-8 character": _cut_inside_a_character,
    "NUL bytes in the middle": lambda raw: raw[: len(raw) // 2] + b"\x00\x00" + raw[len(raw) // 2:],
    "every record twice": lambda raw: raw + raw,
    "lines reversed": lambda raw: b"\n".join(reversed(raw.split(b"\n"))),
    "CRLF": lambda raw: raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
    "UTF-16 as Windows Notepad saves it": lambda raw: raw.decode("utf-8-sig").encode("utf-16"),
    "GB18030 as Excel saves it": lambda raw: raw.decode("utf-8-sig").encode("gb18030"),
    "some lines in GB18030": _mixed_encodings,
    "a header-like line inside a body": lambda raw: raw.replace(
        "周报已提交：".encode(), "周报已提交：\n2025-03-03 09:01:23 张三\n1. 时间行".encode(), 1),
}


# damages after which the sample must still be read (lines it cannot read go to unparsed); the others
# may be refused with a message naming the file. Samples no damage can make readable are refused anyway.
MAY_BE_REFUSED = {"NUL bytes in the middle", "lines reversed"}
ALWAYS_REFUSED = {"UNVERIFIED_wechat_win_multiselect_copy.txt"}     # no times at all: never an audit input


def accounted(result) -> bool:
    covered = int((result.messages["line_end"] - result.messages["line"] + 1).sum())
    return result.structural_lines >= 0 and covered + len(result.unparsed) + result.structural_lines == result.lines


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_damaged_sample_is_accounted_or_refused(sample, damage, tmp_path):
    target = tmp_path / "date_2025-03-03" / sample.name
    target.parent.mkdir()
    target.write_bytes(DAMAGE[damage](sample.read_bytes()))
    if "users" in sample.name or sample.name.startswith("pywxdump"):
        (target.parent / "users.json").write_bytes((SPEC_SAMPLES / "pywxdump_users.json").read_bytes())
    try:
        result = parsers.read(target, date_hint=date(2025, 3, 3))
    except InputError as exc:
        assert str(target) in str(exc)
        assert damage in MAY_BE_REFUSED or sample.name in ALWAYS_REFUSED, f"refused after {damage!r}: {exc}"
        return
    assert sample.name not in ALWAYS_REFUSED or damage == "a header-like line inside a body"   # it adds a time
    assert accounted(result), (result.lines, len(result.unparsed), result.structural_lines)
    assert result.messages["ts"].notna().all()


FOREIGN = {
    "qq_export.txt": "消息记录（此消息记录为文本格式，不支持重新导入）\n\n================================================================\n"
                     "消息分组:我的QQ群\n================================================================\n"
                     "消息对象:工作群\n================================================================\n\n"
                     "2025-03-03 9:01:23 张三(123456)\n请提交周报\n\n",
    "telegram.json": json.dumps({"name": "群", "type": "private_group", "id": 1,
                                 "messages": [{"id": 1, "type": "message", "date": "2025-03-03T09:01:23",
                                               "from": "张三", "text": "请提交周报"}]}, ensure_ascii=False),
    "page.html.txt": "<!DOCTYPE html><html><body><p>2025-03-03 09:01:23</p></body></html>\n",
    "sales.csv": "date,region,amount\n2025-03-03,华东,100\n2025-03-04,华南,200\n",
    "config.json": json.dumps({"version": 3, "items": [1, 2, 3]}),
    "notes.txt": "会议纪要\n一、本周工作\n二、下周计划\n",
}


@pytest.mark.parametrize("name", FOREIGN)
def test_files_of_other_apps_are_refused_by_name(name, tmp_path):
    path = tmp_path / name
    path.write_text(FOREIGN[name], encoding="utf-8")
    with pytest.raises(InputError) as err:
        parsers.read(path)
    assert str(path) in str(err.value)


def test_a_50_mb_single_line_is_accounted_without_a_crash(tmp_path):
    path = tmp_path / "项目群.txt"
    head = (SPEC_SAMPLES / "memotrace_v3_group.txt").read_bytes()
    path.write_bytes(head + b"\n" + ("长" * (50 * 1024 * 1024 // 3)).encode("utf-8") + b"\n")
    result = parsers.read(path)
    assert accounted(result) and len(result.messages) == 9
    assert len(result.messages.iloc[-1]["text"]) > 17_000_000   # the long line continues the last message


def test_cli_never_shows_a_traceback_on_the_corpus(tmp_path):
    runner = CliRunner()
    for i, (damage, fn) in enumerate(DAMAGE.items()):
        folder = tmp_path / f"in{i}"
        folder.mkdir()
        (folder / "项目交付群.txt").write_bytes(fn((SPEC_SAMPLES / "memotrace_v3_group.txt").read_bytes()))
        result = runner.invoke(app, ["audit", str(folder), "--out", str(tmp_path / f"out{i}"), "--quiet"])
        # 4 is wgm's own failure (logged): a damaged input must be read (0, 1, 3) or refused (2)
        assert result.exit_code in (0, 1, 2, 3), (damage, result.output)
        assert "Traceback" not in result.output and "内部错误" not in result.output, (damage, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (damage, result.exception)


def test_some_lines_in_gb18030_read_as_the_original_and_are_named(tmp_path):
    sample = SPEC_SAMPLES / "memotrace_v3_group.txt"
    path = tmp_path / "项目交付群.txt"
    path.write_bytes(_mixed_encodings(sample.read_bytes()))
    result, original = parsers.read(path), parsers.read(sample)
    assert result.encoding.startswith("utf-8 with") and "gb18030" in result.encoding
    assert list(result.messages["text"]) == list(original.messages["text"])


def test_a_file_cut_inside_its_last_character_keeps_the_rest_in_utf8(tmp_path):
    path = tmp_path / "项目交付群.txt"
    raw = (SPEC_SAMPLES / "memotrace_v3_group.txt").read_bytes().rstrip(b"\n")
    path.write_bytes(raw[:-1])                      # the last character is 3 bytes: now 2 are left
    result = parsers.read(path)
    assert result.encoding == "utf-8 (cut inside its last character)"
    assert result.messages.iloc[0]["content"].startswith("@李四")   # not GB18030 mojibake


# ---- fuzzing: every parser, forced, on random bytes after a real beginning of its own layout -------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.layouts import LAYOUTS, render_files  # noqa: E402

_CONVERSATION = [{"ts": datetime(2026, 5, 11, 9, 0, s), "sender": "张三-项目经理", "text": "请今天18:00前提交周报"}
                 for s in range(3)]
FUZZ_EXAMPLES = int(os.environ.get("WGM_FUZZ", 40))    # WGM_FUZZ=400 for a longer run
HEADS = {layout: next(iter(render_files(_CONVERSATION, "测试群", layout).values())) for layout in LAYOUTS}


@pytest.mark.parametrize("layout", LAYOUTS)
@settings(max_examples=FUZZ_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(0, 1), junk=st.binary(max_size=300), tail=st.booleans())
def test_any_bytes_after_a_real_beginning_are_accounted_or_refused(layout, cut, junk, tail, tmp_path_factory):
    head = HEADS[layout]
    data = head[: int(len(head) * cut)] + junk + (head if tail else b"")
    path = tmp_path_factory.mktemp("fz") / "x.txt"
    path.write_bytes(data)
    try:
        result = parsers.read(path, layout, date_hint=date(2026, 5, 11))
    except InputError as exc:
        assert str(path) in str(exc)
        return
    assert accounted(result), (result.lines, result.structural_lines, len(result.unparsed))
    assert result.messages["ts"].notna().all()


@pytest.mark.parametrize("layout", [name for name in LAYOUTS if "csv" in name])
def test_a_message_longer_than_csvs_default_cell_limit_is_read(layout, tmp_path):
    """Found here: Python's csv refuses cells over 128 KiB, which stopped the run with a traceback."""
    words = "长" * 200_000
    messages = [{"ts": datetime(2026, 5, 11, 9, 0, 0), "sender": "张三-项目经理", "text": words},
                {"ts": datetime(2026, 5, 11, 9, 1, 0), "sender": "李四", "text": "收到"}]
    files = render_files(messages, "测试群", layout)
    for relpath, data in files.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_bytes(data)
    result = parsers.read(tmp_path / next(iter(files)), layout)
    assert len(result.messages) == 2 and len(result.unparsed) == 0 and accounted(result)
    assert words in result.messages.iloc[0]["content"]
