"""The CLI as a person meets it (#17.4, #17.6): --version, completion, help and formats without pandas,
Chinese by default and English with --lang en on every command, skipped files in one line, progress
through the last file written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import paths
from wgm import __version__, api, report
from wgm.cli import app

SAMPLES = paths.ROOT / "sample_exports"
ONE = paths.SPEC_SAMPLES / "memotrace_v3_group.txt"
runner = CliRunner()


def _run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """wgm in a fresh interpreter, reporting whether pandas was imported."""
    code = ("import sys\nfrom wgm import cli\nsys.argv = ['wgm', *sys.argv[1:]]\n"
            "try:\n    cli.app()\nexcept SystemExit:\n    pass\n"
            "print('PANDAS' if 'pandas' in sys.modules else 'NO-PANDAS')\n")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, cwd=paths.ROOT)


@pytest.mark.parametrize("args", [["--help"], ["formats"], ["--version"], ["audit", "--help"]])
def test_help_version_and_formats_do_not_import_pandas(args):
    done = _run_cli(*args)
    assert done.stdout.strip().endswith("NO-PANDAS"), done.stdout + done.stderr


def test_the_format_table_is_the_parsers_own():
    from wgm import parsers
    from wgm.format_list import FORMATS
    assert list(FORMATS) == [(p.name, p.description, p.example) for p in parsers.PARSERS]


def test_version_and_completion():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"wgm {__version__}"
    assert "--install-completion" in runner.invoke(app, ["--help"]).output


def test_help_is_chinese_by_default_and_english_with_lang_en():
    zh = _run_cli("--help").stdout
    en = _run_cli("--lang", "en", "--help").stdout
    en_env = _run_cli("audit", "--help", env={"WGM_LANG": "en"}).stdout
    assert "审核导出" in zh and "audit exported" not in zh
    assert "audit exported WeChat" in en and "审核导出" not in en
    assert "Output folder." in en_env


@pytest.mark.parametrize("args", [
    ["formats"], ["rules", "show"], ["parse", str(ONE)], ["tasks", str(ONE)],
    ["explain", str(ONE), "--member", "张三"], ["roster", "draft", str(ONE)],
    ["roster", "check", str(ONE), "--roster", str(SAMPLES / "roster.yaml")],
])
def test_lang_en_is_accepted_by_every_command(args, tmp_path):
    result = runner.invoke(app, [*args, "--lang", "en"], env={"COLUMNS": "200"})
    assert result.exit_code in (0, 1, 3), result.output
    assert runner.invoke(app, [*args, "--lang", "fr"]).exit_code == 2


def test_lang_en_on_rules_init_check_diff_and_audit(tmp_path):
    path = tmp_path / "rules.yaml"
    assert runner.invoke(app, ["rules", "init", str(path), "--lang", "en"]).output.startswith("wrote")
    assert runner.invoke(app, ["rules", "check", str(path), "--lang", "en"]).exit_code == 0
    diff = runner.invoke(app, ["diff", str(ONE), "--rules", str(path), "--rules", str(path), "--lang", "en"],
                         env={"COLUMNS": "200"})
    assert diff.exit_code == 0 and "member" in diff.output
    audit = runner.invoke(app, ["audit", str(ONE), "--out", str(tmp_path / "o"), "--lang", "en"],
                          env={"COLUMNS": "200"})
    assert audit.exit_code in (0, 1) and "wrote" in audit.output and "inputs" in audit.output


def test_the_terminal_is_chinese_by_default(tmp_path):
    result = runner.invoke(app, ["audit", str(SAMPLES), "--roster", str(SAMPLES / "roster.yaml"), "--out",
                                 str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code in (0, 1), result.output
    for words in ("考核汇总", "输入文件", "格式", "消息", "已写入", "待复核"):
        assert words in result.output, words
    for words in ("inputs", "wrote", "needs review", "messages "):
        assert words not in result.output, words
    en = runner.invoke(app, ["--lang", "en", "audit", str(SAMPLES), "--roster", str(SAMPLES / "roster.yaml"),
                             "--out", str(tmp_path)], env={"COLUMNS": "200"})
    assert "assessment summary" in en.output and "wrote" in en.output


def _folder_with_images(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "留痕"
    (folder / "images").mkdir(parents=True)
    shutil.copy(ONE, folder / "群.txt")
    for i in range(n):
        (folder / "images" / f"{i:04d}.jpg").write_bytes(b"\xff\xd8\xff")
    (folder / "index.html").write_text("<html></html>", encoding="utf-8")
    return folder


def test_non_chat_files_are_one_line_unless_verbose(tmp_path):
    folder = _folder_with_images(tmp_path, 40)
    result = runner.invoke(app, ["audit", str(folder), "--out", str(tmp_path / "o")], env={"COLUMNS": "200"})
    assert result.exit_code in (0, 1), result.output
    assert "跳过 41 个非聊天文件：图片 40，网页 1" in result.output
    assert "0001.jpg" not in result.output and "群.txt" in result.output
    assert len(result.output.splitlines()) < 60
    verbose = runner.invoke(app, ["audit", str(folder), "--out", str(tmp_path / "o"), "--verbose"],
                            env={"COLUMNS": "200"})
    assert "0001.jpg" in verbose.output and "跳过 41 个" not in verbose.output
    doc = json.loads((tmp_path / "o" / "audit.json").read_text(encoding="utf-8"))
    assert sum(1 for i in doc["inputs"] if i["path"].endswith(".jpg")) == 40     # audit.json keeps every file


def test_verbose_prints_a_line_per_stage_through_the_writing(tmp_path):
    result = runner.invoke(app, ["audit", str(ONE), "--out", str(tmp_path), "--verbose"], env={"COLUMNS": "200"})
    assert result.exit_code in (0, 1), result.output
    stages = [line for line in result.output.splitlines() if line.startswith("阶段 ")]
    assert [s.split("：")[0] for s in stages] == ["阶段 读取", "阶段 判定", "阶段 写入"], stages
    assert "阶段 写入：完成，" in stages[-1] and "个文件" in stages[-1]


def test_progress_goes_on_to_the_last_file_written(tmp_path):
    calls: list[tuple] = []
    result = api.audit([ONE], api.Options(), on_progress=lambda *c: calls.append(c))
    written = report.write(result, tmp_path, {"csv", "json", "txt", "xlsx"}, on_progress=lambda *c: calls.append(c))
    writing = [c for c in calls if c[0].startswith("writing ")]
    assert writing[0][0] == "writing …"          # before the CSV files are encoded and the workbook made
    named = list(dict.fromkeys(c[0] for c in writing[1:]))
    assert named == [f"writing {p.name}" for p in written.files]
    assert writing[-1] == ("writing audit.json", len(written.files), len(written.files))
