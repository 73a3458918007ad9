"""Issue 15's probes of options, settings, side files, names and outputs: each a user's mistake (exit 2,
one line naming where) or read safely — never a traceback, never exit 4, never money from nonsense.
(The probes of export files themselves are in test_ingest_faults.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from wgm.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_exports"
SAMPLE = ROOT / "tests" / "data" / "spec" / "formats" / "samples" / "memotrace_v3_group.txt"
runner = CliRunner()


def audit(tmp_path, *extra: str, inputs: list[str] | None = None, out: str | None = None):
    args = ["audit", *(inputs or [str(SAMPLE)]), "--out", out or str(tmp_path / "out"), "--quiet", "--jobs", "1",
            *extra]
    return runner.invoke(app, args)


def _one_clear_line(result, code: int, *words: str) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "内部错误" not in result.output
    for w in words:
        assert w in result.output, result.output


@pytest.mark.parametrize("setting, words", [
    ("verification.grace=99999999d", ["verification.grace", "expected a duration"]),     # OutOfBoundsTimedelta
    ("verification.grace=999999999999d", ["verification.grace", "expected a duration"]),  # OverflowError
    ("warning.lookback=-5m", ["warning.lookback"]),
    ("=1", ["--set", "expected KEY=VALUE"]),                                               # AttributeError
    ("=", ["--set", "expected KEY=VALUE"]),
    ("amounts.verification_missing=.nan", ["amounts.verification_missing", "expected a number >= 0"]),  # priced 0
    ("amounts.verification_missing=.inf", ["amounts.verification_missing", "expected a number >= 0"]),  # inf yuan
])
def test_settings_from_the_command_line_are_range_checked(tmp_path, setting, words):
    _one_clear_line(audit(tmp_path, "--set", setting), 2, *words)


def test_a_nan_amount_in_rules_yaml_is_refused_by_rules_check(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("amounts:\n  incivility: .nan\n", encoding="utf-8")
    _one_clear_line(runner.invoke(app, ["rules", "check", str(rules)]), 2, f"{rules}:2: amounts.incivility")


@pytest.mark.parametrize("amount", [".nan", ".inf", "nan", "1e400"])
def test_an_incident_loss_that_is_no_number_is_refused(tmp_path, amount):
    text = (SAMPLES / "incidents.yaml").read_text(encoding="utf-8")
    assert "loss_amount: 20000" in text
    incidents = tmp_path / "incidents.yaml"
    incidents.write_text(text.replace("loss_amount: 20000", f"loss_amount: {amount}"), encoding="utf-8")
    result = audit(tmp_path, "--roster", str(SAMPLES / "roster.yaml"), "--incidents", str(incidents),
                   inputs=[str(SAMPLES)])
    _one_clear_line(result, 2, "incidents.yaml:", "loss_amount: expected a finite number")


@pytest.mark.parametrize("day", ["2300-10-20", "0001-10-20"])
def test_side_file_dates_outside_a_sane_span_are_refused(tmp_path, day):
    incidents = tmp_path / "incidents.csv"
    incidents.write_text(f"date,member,rule\n{day},刘洋,leak\n", encoding="utf-8")
    result = audit(tmp_path, "--roster", str(SAMPLES / "roster.yaml"), "--incidents", str(incidents),
                   inputs=[str(SAMPLES)])
    _one_clear_line(result, 2, "incidents.csv:2:", "outside the years")
    members = tmp_path / "members.csv"
    members.write_text(f"as_of,group,member\n{day},华信科技-运营管理群,刘洋\n", encoding="utf-8")
    result = audit(tmp_path, "--roster", str(SAMPLES / "roster.yaml"), "--members", str(members),
                   inputs=[str(SAMPLES)])
    _one_clear_line(result, 2, "members.csv:2:", "outside the years")


@pytest.mark.parametrize("make_out", [
    lambda tmp: tmp / "a-file",                  # a file where the folder should be
    lambda tmp: tmp / "a-file" / "sub",          # below a file
    lambda tmp: Path("/dev/null"),
    lambda tmp: Path("/proc/wgm-out"),           # a place no file can be made in (even by root)
])
def test_an_output_folder_that_cannot_be_written_is_refused_before_the_work(tmp_path, make_out):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    out = make_out(tmp_path)
    _one_clear_line(audit(tmp_path, out=str(out)), 2, str(out), "--out")
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "x"


def test_a_disk_failing_while_the_report_is_written_is_one_line_and_leaves_no_temp_file(tmp_path, monkeypatch):
    from wgm.report import atomic

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(atomic.os, "fsync", full)
    result = audit(tmp_path, "--format", "csv,json")
    _one_clear_line(result, 2, "No space left on device")
    assert not list((tmp_path / "out").glob(".*.tmp"))


def _sample_with(tmp_path, old: str, new: str, name: str = "g.txt") -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", ["研发-李\x0b四", "研发-李\x1b[2J四", "研发-李\x01四"])
def test_control_characters_in_a_name_are_escaped_in_the_workbook_and_on_the_terminal(tmp_path, name):
    from openpyxl import load_workbook
    folder = _sample_with(tmp_path, "研发-李四", name)
    result = runner.invoke(app, ["audit", str(folder), "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code in (0, 1, 3), result.output
    assert "内部错误" not in result.output and "\x1b" not in result.output
    cells = [c for ws in load_workbook(tmp_path / "out" / "report.xlsx", read_only=True)
             for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("李\\x" in c for c in cells)
    csv = (tmp_path / "out" / "messages.csv").read_text(encoding="utf-8-sig")
    assert name in csv                                     # machine files keep the text as it was


def test_a_control_character_in_a_group_file_name_is_no_crash(tmp_path):
    folder = _sample_with(tmp_path, "研发-李四", "研发-李四", name="项目\x01群.txt")
    result = runner.invoke(app, ["audit", str(folder), "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code in (0, 1, 3) and "内部错误" not in result.output, result.output


@pytest.mark.parametrize("name", ["[/bold]-运营部", "[/]-运营部", "[bold red]张三-运营部"])
def test_a_name_that_looks_like_terminal_markup_is_printed_as_it_is(tmp_path, name):
    folder = _sample_with(tmp_path, "研发-李四", name)
    result = runner.invoke(app, ["audit", str(folder), "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code in (0, 1, 3) and "内部错误" not in result.output, result.output
    assert name.split("-")[0] in result.output


def test_a_file_name_that_is_not_utf8_reaches_the_terminal_escaped(tmp_path):
    from wgm.cli import visible
    bad = (tmp_path / "x").as_posix().encode() + "群聊".encode("gbk")
    shown = visible(bad.decode("utf-8", "surrogateescape"))
    shown.encode("utf-8")                                   # printable: no lone surrogate left
    assert shown.endswith("\\udcc1\\udcc4")              # 聊's GBK bytes, escaped
    assert visible("a\x1bb\u202ec\nd") == "a\\x1bb\\u202ec\nd"


def test_a_crash_whose_command_line_is_not_utf8_is_still_logged_and_exits_4(tmp_path, monkeypatch):
    from wgm import api
    bad = (tmp_path / "群聊".encode("gbk").decode("utf-8", "surrogateescape")).as_posix() + ".txt"
    monkeypatch.setattr(api, "audit", lambda *a, **k: (_ for _ in ()).throw(ZeroDivisionError(bad)))
    monkeypatch.setenv("WGM_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr("sys.argv", ["wgm", "audit", bad])
    result = runner.invoke(app, ["audit", str(SAMPLE), "--out", str(tmp_path / "out")])
    assert result.exit_code == 4 and "Traceback" not in result.output
    assert len(list((tmp_path / "logs").glob("wgm-*.log"))) == 1


def test_every_csv_a_command_writes_is_formula_safe(tmp_path):
    folder = _sample_with(tmp_path, "张三-项目经理", '=HYPERLINK("http://x")-运营部')
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("amounts: {verification_missing: 20}\n", encoding="utf-8")
    b.write_text("amounts: {verification_missing: 50}\n", encoding="utf-8")
    diff_csv, tasks_csv = tmp_path / "diff.csv", tmp_path / "tasks.csv"
    result = runner.invoke(app, ["diff", str(folder), "--rules", str(a), "--rules", str(b), "--csv", str(diff_csv)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["tasks", str(folder), "--csv", str(tasks_csv)])
    assert result.exit_code == 0, result.output
    for path in (diff_csv, tasks_csv):
        text = path.read_text(encoding="utf-8-sig")
        assert "HYPERLINK" in text and not any(cell.startswith(("=", '"=')) for line in text.splitlines()
                                               for cell in line.split(","))
    result = runner.invoke(app, ["tasks", str(folder), "--csv", str(tmp_path)])
    _one_clear_line(result, 2, "--csv")


@pytest.mark.parametrize("mark", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u202e"])
def test_an_invisible_character_in_a_display_name_is_the_same_member(tmp_path, mark):
    text = SAMPLE.read_text(encoding="utf-8")
    line = "2025-03-03 17:28:40 研发-李四"
    assert line in text
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "g.txt").write_text(text.replace(line, line.replace("李四", f"李{mark}四")), encoding="utf-8")
    result = runner.invoke(app, ["audit", str(folder), "--out", str(tmp_path / "out"), "--format", "csv",
                                 "--jobs", "1", "--quiet"])
    assert result.exit_code in (0, 1, 3), result.output
    summary = (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8-sig")
    members = [row.split(",")[1] for row in summary.splitlines()[1:]]
    assert members.count("李四") == 1 and not any(mark in m for m in members), members


def test_a_roster_value_that_is_a_list_where_one_is_expected_is_refused(tmp_path):
    roster = tmp_path / "roster.yaml"
    roster.write_text("members:\n  - {name: [李四, 王五], dept: 研发部, role: member}\n", encoding="utf-8")
    _one_clear_line(audit(tmp_path, "--roster", str(roster)), 2, f"{roster}:2:", "name: expected one value")


@pytest.mark.parametrize("option", ["--roster", "--incidents", "--overrides", "--members", "--rules"])
def test_a_pipe_or_device_given_as_a_side_file_is_refused_unopened(tmp_path, option):
    import os
    fifo = tmp_path / "side.yaml"
    os.mkfifo(fifo)                 # opening it to read would wait for a writer forever
    _one_clear_line(audit(tmp_path, option, str(fifo)), 2, str(fifo), "not a regular file")
    _one_clear_line(audit(tmp_path, option, "/dev/zero"), 2, "/dev/zero", "not a regular file")


def test_redacted_texts_cannot_be_guessed_back_from_likely_words(tmp_path, monkeypatch):
    import csv
    import hashlib
    import stat
    monkeypatch.delenv("WGM_REDACT_KEY", raising=False)

    def texts(out: Path) -> list[str]:
        with open(out / "messages.csv", encoding="utf-8-sig", newline="") as fh:
            return [row["content"] for row in csv.DictReader(fh)]
    first = audit(tmp_path, "--redact", "--format", "csv")
    assert first.exit_code in (0, 1), first.output
    hidden = texts(tmp_path / "out")
    assert hidden and all(t == "" or t.startswith("#") for t in hidden)
    assert audit(tmp_path, "--format", "csv", out=str(tmp_path / "plain")).exit_code in (0, 1)
    words = [t for t in texts(tmp_path / "plain") if t]
    assert len(words) == len([t for t in hidden if t])
    # an unkeyed hash of each text (what anyone can compute from a guess) appears nowhere
    assert not {"#" + hashlib.sha256(w.encode("utf-8")).hexdigest()[:12] for w in words} & set(hidden)
    key = tmp_path / "out" / ".wgm-redact-key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert audit(tmp_path, "--redact", "--format", "csv").exit_code in (0, 1)
    assert texts(tmp_path / "out") == hidden                     # the kept key: re-runs hash alike
    monkeypatch.setenv("WGM_REDACT_KEY", "another secret")
    assert audit(tmp_path, "--redact", "--format", "csv").exit_code in (0, 1)
    assert texts(tmp_path / "out") != hidden
