"""The command line: exit codes 0/1/2, one clear line on errors, files written."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import paths
from wgm.cli import app, resolve_month

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_exports"
SPEC_SAMPLES = paths.SPEC_SAMPLES
runner = CliRunner()


def sample_args(out: Path) -> list[str]:
    return ["audit", str(SAMPLES), "--roster", str(SAMPLES / "roster.yaml"), "--incidents",
            str(SAMPLES / "incidents.yaml"), "--members", str(SAMPLES / "members.csv"), "--out", str(out), "--quiet"]


def test_resolve_month_last_is_the_month_before():
    assert resolve_month("last", date(2026, 11, 24)) == "2026-10"
    assert resolve_month("last", date(2027, 1, 3)) == "2026-12"
    assert resolve_month("2026-05") == "2026-05"


def test_audit_on_the_shipped_samples_writes_every_file(tmp_path):
    result = runner.invoke(app, sample_args(tmp_path))
    assert result.exit_code in (0, 1), result.output
    names = {p.name for p in tmp_path.iterdir()}
    assert {"events.csv", "summary.csv", "tasks.csv", "messages.csv", "unparsed.csv", "audit.json",
            "report.xlsx"} <= names
    assert any(n.startswith("announce_") and n.endswith("_2026-10.txt") for n in names)
    doc = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    assert doc["settings_hash"] and all(i["sha256"] for i in doc["inputs"])


def test_audit_terminal_accounts_for_each_input_file(tmp_path):
    args = [a for a in sample_args(tmp_path) if a != "--quiet"]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code in (0, 1), result.output
    assert "memotrace_v3_txt" in result.output and "memotrace_v2_csv" in result.output
    assert "华信科技-运营管理群.txt" in result.output


def test_rerun_is_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(app, sample_args(a)).exit_code in (0, 1)
    assert runner.invoke(app, sample_args(b)).exit_code in (0, 1)
    for name in ("events.csv", "summary.csv", "tasks.csv", "messages.csv", "unparsed.csv", "audit.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_bad_settings_exit_2_with_file_line_key(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("amounts:\n  reply_late: 十\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(SPEC_SAMPLES / "memotrace_v3_group.txt"), "--rules", str(rules),
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{rules}:2: amounts.reply_late: expected a number >= 0" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_missing_input_and_bad_month_exit_2(tmp_path):
    assert runner.invoke(app, ["audit", str(tmp_path / "nope.txt")]).exit_code == 2
    result = runner.invoke(app, ["audit", str(SPEC_SAMPLES / "memotrace_v3_group.txt"), "--month", "2026-13",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--month expects YYYY-MM" in result.output


def test_unreadable_explicit_file_exit_2(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("this is not a chat export\njust notes\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(junk), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and str(junk) in result.output


def test_parse_reports_each_file(tmp_path):
    result = runner.invoke(app, ["parse", str(SPEC_SAMPLES / "memotrace_v2_group.txt"),
                                 str(SPEC_SAMPLES / "memotrace_v3_group.csv")])
    assert result.exit_code == 0, result.output
    assert "memotrace_v2_txt" in result.output and "memotrace_v3_csv" in result.output


def test_parse_on_a_folder_mixing_every_format_reports_each_file(tmp_path, monkeypatch):
    """Every golden sample of formats.md in one folder: per file the format found, lines, messages, unparsed."""
    import shutil
    folder = tmp_path / "mixed"
    shutil.copytree(SPEC_SAMPLES, folder)
    monkeypatch.chdir(tmp_path)
    folder = Path("mixed")
    result = runner.invoke(app, ["parse", str(folder), "--date", "2025-03-03", "--verbose", "--lang", "en"],
                           env={"COLUMNS": "250"})
    # the Windows copy (no times) is refused: the input is incomplete; the WeCom switch row set aside is not
    assert result.exit_code == 3, result.output
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:8]]
            for line in result.output.splitlines() if line.startswith("│ ")}
    expected = {"memotrace_v2_group.txt": "memotrace_v2_txt", "memotrace_v2_group_utf8.csv": "memotrace_v2_csv",
                "memotrace_v3_group.txt": "memotrace_v3_txt", "memotrace_v3_group.csv": "memotrace_v3_csv",
                "weflow_group.txt": "weflow_txt", "weflow_weclone_group.csv": "weflow_weclone_csv",
                "chatlog_group_sameday.txt": "chatlog_txt", "chatlog_group.csv": "chatlog_csv",
                "chatlog_group.json": "chatlog_json", "pywxdump_34567890123@chatroom_0_10.csv": "pywxdump_csv",
                "wechatexporter_index.txt": "wechatexporter_txt", "wechatbaktool.txt": "wechatbaktool_txt",
                "wecom_archive_decrypted.jsonl": "wecom_archive_jsonl",
                "UNVERIFIED_wechat_mac_multiselect_copy.txt": "wechat_mac_copy",
                "UNVERIFIED_wechat_win_multiselect_copy.txt": "skipped", "pywxdump_users.json": "skipped"}
    for name, fmt in expected.items():
        cells = rows[str(folder / name)]
        assert cells[0] == fmt, (name, cells)
        if fmt != "skipped":
            lines, messages, unparsed = map(int, cells[2:5])
            assert messages >= 4 and lines >= 1 and unparsed == (1 if fmt.startswith("wecom") else 0)
    assert "没有消息时间" in rows[str(folder / "UNVERIFIED_wechat_win_multiselect_copy.txt")][5]


def test_rules_init_then_check(tmp_path):
    path = tmp_path / "rules.yaml"
    assert runner.invoke(app, ["rules", "init", str(path)]).exit_code == 0
    result = runner.invoke(app, ["rules", "check", str(path)])
    assert result.exit_code == 0 and "ok" in result.output
    assert runner.invoke(app, ["rules", "init", str(path)]).exit_code == 2


def test_diff_compares_two_rule_sets(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("amounts: {delay_days: 20}\n", encoding="utf-8")
    b.write_text("amounts: {delay_days: 50}\ndelay: {cap_days: 5}\n", encoding="utf-8")
    out = tmp_path / "diff.csv"
    result = runner.invoke(app, ["diff", str(SAMPLES), "--roster", str(SAMPLES / "roster.yaml"), "--rules", str(a),
                                 "--rules", str(b), "--csv", str(out)])
    assert result.exit_code == 0, result.output
    import csv
    rows = {(r["member"], r["rule"]): r for r in csv.DictReader(out.open(encoding="utf-8"))}
    li_ming = rows[("李明", "delay_days")]   # 6 days late, capped at 3 under A and at 5 under B
    assert (li_ming["amount_a"], li_ming["amount_b"], li_ming["difference"]) == ("60.00", "250.00", "190.00")


def test_explain_prints_the_messages_behind_each_event():
    result = runner.invoke(app, ["explain", str(SAMPLES), "--roster", str(SAMPLES / "roster.yaml"),
                                 "--member", "Leo"])
    assert result.exit_code == 0, result.output
    assert "reply_after_requested" in result.output and "可以，下午5点前修好" in result.output


@pytest.mark.parametrize("command", ["audit", "parse", "tasks", "rules", "formats", "explain", "diff", "roster"])
def test_every_command_has_help_and_is_in_the_readme(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and result.output.strip()
    assert f"wgm {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_date_option_dates_a_date_less_export_and_its_absence_is_an_error(tmp_path):
    sample = SPEC_SAMPLES / "chatlog_group_sameday.txt"
    result = runner.invoke(app, ["audit", str(sample), "--out", str(tmp_path / "a"), "--quiet"])
    assert result.exit_code == 2 and str(sample) in result.output and "--date" in result.output
    result = runner.invoke(app, ["audit", str(sample), "--date", "2025-03-03", "--out", str(tmp_path / "b"),
                                 "--quiet", "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    import json
    audit = json.loads((tmp_path / "b" / "audit.json").read_text(encoding="utf-8"))
    assert audit["inputs"][0]["fmt"] == "chatlog_txt" and audit["inputs"][0]["messages"] == 9
    result = runner.invoke(app, ["audit", str(sample), "--date", "3月3日", "--out", str(tmp_path / "c")])
    assert result.exit_code == 2 and "--date 的格式是 YYYY-MM-DD" in result.output
    english = runner.invoke(app, ["audit", str(sample), "--date", "3月3日", "--lang", "en", "--out", str(tmp_path / "c")])
    assert english.exit_code == 2 and "--date takes YYYY-MM-DD" in english.output


def test_progress_reports_each_file_then_the_stages(tmp_path):
    from wgm import api
    calls = []
    api.audit([ROOT / "sample_exports"], api.Options(roster=ROOT / "sample_exports" / "roster.yaml"),
              on_progress=lambda step, done, total: calls.append((step, done, total)))
    reading = [c for c in calls if c[0].startswith("reading ")]
    assert reading and [c[1] for c in reading] == sorted(c[1] for c in reading)
    assert {c[2] for c in reading} == {len(reading)} and len(reading) >= 2     # every export, of all exports
    # then the groups are judged (classified, ledger, rules) in one round
    assert calls[-1][0].startswith("judging")

