"""The output folder (#17.5, #15): files follow the umask, audit.json lists what the run wrote, earlier
outputs the run did not rewrite are removed (or listed with --keep-old), user files are never touched, and
the report is committed as a set: a kill between renames is finished by the next run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wgm import api, report
from wgm.cli import app
from wgm.report import commit

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_exports"
runner = CliRunner()


@pytest.fixture(scope="module")
def sample_result():
    return api.audit([SAMPLES], api.Options(roster=SAMPLES / "roster.yaml"))


def _umask(mask: int):
    old = os.umask(mask)
    return old


def test_output_files_follow_the_umask(tmp_path, sample_result):
    old = _umask(0o022)
    try:
        report.write(sample_result, tmp_path / "shared", {"csv", "json", "txt", "xlsx"})
        modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "shared").iterdir() if p.is_file()}
        os.umask(0o077)
        report.write(sample_result, tmp_path / "private", {"csv"})
        private = {p.stat().st_mode & 0o777 for p in (tmp_path / "private").glob("*.csv")}
    finally:
        os.umask(old)
    assert {modes[n] for n in modes if commit.is_wgm_output(n)} == {0o644}, modes
    assert private == {0o600}


def test_audit_json_lists_every_file_the_run_wrote(tmp_path, sample_result):
    written = report.write(sample_result, tmp_path, {"csv", "json", "txt", "xlsx"})
    doc = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    on_disk = sorted(p.name for p in tmp_path.iterdir() if p.is_file() and not p.name.startswith("."))
    assert sorted(doc["files"]) == on_disk == sorted(p.name for p in written.files)
    assert doc["files"][-1] == "audit.json" and len(doc["run_id"]) == 16
    assert doc["run_id"] == json.loads((tmp_path / commit.MANIFEST).read_text(encoding="utf-8"))["run_id"]
    assert commit.report_state(tmp_path) == "complete"


def test_earlier_outputs_not_rewritten_are_removed_and_user_files_kept(tmp_path, sample_result):
    report.write(sample_result, tmp_path, {"csv", "json", "txt", "xlsx"})
    (tmp_path / "announce_另一个群_2026-09.txt").write_text("另一个群的公示", encoding="utf-8")   # pre-manifest run
    (tmp_path / "笔记.txt").write_text("the admin's own notes", encoding="utf-8")
    (tmp_path / "events_old.csv").write_text("mine", encoding="utf-8")
    written = report.write(sample_result, tmp_path, {"csv", "json"})
    names = {p.name for p in tmp_path.iterdir()}
    assert "report.xlsx" not in names and not any(n.startswith("announce_") for n in names)
    assert {"笔记.txt", "events_old.csv", "events.csv", "audit.json"} <= names
    doc = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    assert "report.xlsx" in doc["removed"] and "announce_另一个群_2026-09.txt" in doc["removed"]
    assert set(written.removed) == set(doc["removed"]) and not doc["stale"]


def test_keep_old_lists_them_as_stale_on_the_terminal_and_in_audit_json(tmp_path):
    out = tmp_path / "out"
    base = ["audit", str(SAMPLES), "--roster", str(SAMPLES / "roster.yaml"), "--out", str(out)]
    assert runner.invoke(app, base + ["--quiet"]).exit_code in (0, 1)
    result = runner.invoke(app, base + ["--format", "csv,json", "--keep-old"], env={"COLUMNS": "200"})
    assert result.exit_code in (0, 1), result.output
    assert "旧文件（不属于本次报告）：report.xlsx" in result.output
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert doc["stale"]["report.xlsx"] == "keep-old" and (out / "report.xlsx").exists()
    assert not doc["removed"]


def test_an_edited_or_read_earlier_output_is_never_removed(tmp_path, sample_result):
    report.write(sample_result, tmp_path, {"csv", "json", "xlsx"})
    edited = tmp_path / "summary.csv"
    edited.write_bytes(edited.read_bytes() + b"\n# checked by finance\n")
    written = report.write(sample_result, tmp_path, {"json", "txt"}, protected=[tmp_path / "report.xlsx"])
    assert edited.exists() and (tmp_path / "report.xlsx").exists()
    stale = dict(written.stale)
    assert stale["summary.csv"] == "changed-since-written" and stale["report.xlsx"] == "read-by-this-run"
    assert "events.csv" in written.removed


def test_a_kill_between_renames_is_finished_by_the_next_run(tmp_path, sample_result, monkeypatch):
    """The second run dies after moving some of its files: the folder says mid-commit (never 'complete'),
    and the next run finishes that commit before its own, so no mix of two runs remains."""
    first = report.write(sample_result, tmp_path, {"csv", "json", "txt"})
    other = api.audit([SAMPLES], api.Options(roster=SAMPLES / "roster.yaml", set=("amounts.reply_missed=33",)))
    real_replace = os.replace
    moved: list[str] = []

    def dying_replace(src, dst):
        if Path(src).parent.name == commit.STAGING and Path(dst).parent == tmp_path:
            if len(moved) == 2:
                raise KeyboardInterrupt("killed")
            moved.append(Path(dst).name)
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        report.write(other, tmp_path, {"csv", "json", "txt"})
    monkeypatch.setattr(os, "replace", real_replace)
    assert commit.report_state(tmp_path) == "mid-commit"
    old_doc = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    assert old_doc["run_id"] == first.run_id          # audit.json, renamed last, still names the first run
    assert commit.move_into_place(tmp_path)           # what the next run does first
    assert commit.report_state(tmp_path) == "complete"
    doc = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    assert doc["run_id"] != first.run_id and b",33.00," in (tmp_path / "events.csv").read_bytes()


def test_a_kill_while_staging_leaves_the_last_report_and_is_cleaned(tmp_path, sample_result, monkeypatch):
    report.write(sample_result, tmp_path, {"csv", "json"})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    from wgm.report import atomic
    real_stage = atomic.stage
    calls: list[int] = []

    def dying_stage(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt("killed")
        return real_stage(*args, **kwargs)
    monkeypatch.setattr(report, "stage", dying_stage)
    with pytest.raises(KeyboardInterrupt):
        report.write(sample_result, tmp_path, {"csv", "json"})
    monkeypatch.undo()
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert after == before and commit.report_state(tmp_path) == "complete"
    report.write(sample_result, tmp_path, {"csv", "json"})
    assert not (tmp_path / commit.STAGING).exists()


def test_a_manifest_cannot_make_wgm_remove_a_user_file(tmp_path):
    staging = tmp_path / commit.STAGING
    staging.mkdir()
    (tmp_path / "mine.docx").write_text("x", encoding="utf-8")
    commit.write_manifest(staging, commit.Plan(files={}, run_id="x", remove=["mine.docx", "../etc"]))
    assert commit.move_into_place(tmp_path)
    assert (tmp_path / "mine.docx").exists()


def test_csv_parts_made_by_workers_stay_inside_the_output_folder(tmp_path, sample_result, monkeypatch):
    """Worker parts hold message text: made in the staging folder, so a kill leaves none in $TMPDIR and the
    next run there removes them."""
    import tempfile
    from wgm.report import machine
    monkeypatch.setattr(machine, "_MIN_ROWS_PER_WORKER", 10)
    made: list = []
    real = tempfile.TemporaryDirectory

    def spying(*args, **kwargs):
        made.append(kwargs.get("dir"))
        return real(*args, **kwargs)
    monkeypatch.setattr(machine.tempfile, "TemporaryDirectory", spying)
    report.write(sample_result, tmp_path, {"csv"}, jobs=2)
    assert made and all(Path(d) == tmp_path / commit.STAGING for d in made)
    assert not (tmp_path / commit.STAGING).exists()
    single = report.render(sample_result, {"csv"})
    assert all((tmp_path / name).read_bytes() == data for name, data in single.items())


def test_the_next_audit_finishes_an_interrupted_commit_and_says_so(tmp_path, sample_result):
    report.write(sample_result, tmp_path, {"csv", "json"})
    staging = tmp_path / commit.STAGING           # as a kill between renames leaves it: manifest, some files
    staging.mkdir()
    (staging / "summary.csv").write_bytes((tmp_path / "summary.csv").read_bytes())
    commit.write_manifest(staging, commit.Plan(files={"summary.csv": "x"}, run_id="interrupted"))
    result = runner.invoke(app, ["audit", str(SAMPLES), "--roster", str(SAMPLES / "roster.yaml"), "--out",
                                 str(tmp_path), "--format", "csv,json"], env={"COLUMNS": "200"})
    assert result.exit_code in (0, 1), result.output
    assert "上次运行在提交报告时中断，已先完成那次提交" in result.output
    assert commit.report_state(tmp_path) == "complete" and not staging.exists()
