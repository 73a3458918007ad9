"""--cache: a re-run skips the stages whose inputs did not change, gives what a fresh run gives, and
keeps data, never code."""

from __future__ import annotations

from pathlib import Path

import pytest

from wgm import api, cache, ingest, judge, report
from wgm.report import machine
from wgm.report.redact import redact as hide_text

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_exports"


def options(folder: Path | None, *sets: str) -> api.Options:
    return api.Options(roster=SAMPLES / "roster.yaml", incidents=SAMPLES / "incidents.yaml",
                       members=SAMPLES / "members.csv", cache=folder, set=sets)


def _forbid(monkeypatch, module, name: str) -> None:
    def not_again(*args, **kwargs):
        raise AssertionError(f"{name} ran again")
    monkeypatch.setattr(module, name, not_again)


def _counting(monkeypatch, module, name: str) -> list:
    calls: list = []
    real = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_a_rerun_with_other_amounts_neither_reads_nor_judges_and_prices_anew(tmp_path, monkeypatch):
    first = api.audit([SAMPLES], options(tmp_path))
    _forbid(monkeypatch, ingest, "ingest")
    _forbid(monkeypatch, judge, "judge_group")
    again = api.audit([SAMPLES], options(tmp_path, "amounts.reply_missed=30", "review.hold_uncertain=true"))
    missed = again.events[again.events["rule"] == "reply_missed"]
    assert len(missed) == len(first.events[first.events["rule"] == "reply_missed"])
    assert (missed[~missed["needs_review"]]["amount"] == 30.0).all()
    assert (again.events.loc[again.events["needs_review"], "amount"] == 0).all()
    assert again.tasks.equals(first.tasks) and again.messages.drop(columns="needs_review").equals(
        first.messages.drop(columns="needs_review"))


def test_a_rule_setting_judges_again_from_the_kept_messages(tmp_path, monkeypatch):
    api.audit([SAMPLES], options(tmp_path))
    _forbid(monkeypatch, ingest, "ingest")
    judged = _counting(monkeypatch, judge, "judge_group")
    again = api.audit([SAMPLES], options(tmp_path, "amounts.delay_days=35", "delay.cap_days=5"))
    li = again.events[(again.events["member"] == "李明") & (again.events["rule"] == "delay_days")].iloc[0]
    assert (li["count"], li["amount"]) == (5, 175.0) and judged
    judged.clear()
    api.audit([SAMPLES], options(tmp_path, "lexicon.ack=[收到]"))      # a word list: judged again, not read again
    assert judged


def test_a_changed_input_is_read_again(tmp_path, monkeypatch):
    copy = tmp_path / "in"
    target = copy / "g.txt"
    target.parent.mkdir()
    target.write_bytes(next(SAMPLES.rglob("*.txt")).read_bytes())
    api.audit([copy], options(tmp_path / "c"))
    read = _counting(monkeypatch, ingest, "ingest")
    target.write_bytes(target.read_bytes() + "\n\n2026-10-30 12:00:00 吴婷-销售部\n好的".encode())
    result = api.audit([copy], options(tmp_path / "c"))
    assert read == [1] and result.messages["text"].eq("好的").any()
    moved = tmp_path / "moved" / "g2.txt"           # the same bytes under another name: read again
    moved.parent.mkdir()
    moved.write_bytes(target.read_bytes())
    api.audit([moved.parent], options(tmp_path / "c"))
    assert read == [1, 1]


def test_a_damaged_or_foreign_entry_is_a_miss(tmp_path):
    api.audit([SAMPLES], options(tmp_path))
    frames = list(tmp_path.rglob("*.arrow"))
    assert frames                                   # the frames are Arrow IPC files (see the next test)
    for path in frames:
        path.write_bytes(b"not arrow")
    assert len(api.audit([SAMPLES], options(tmp_path)).events) > 0
    for path in tmp_path.rglob("meta.json"):
        path.write_text("{", encoding="utf-8")
    assert len(api.audit([SAMPLES], options(tmp_path)).events) > 0


def test_the_frames_are_kept_as_compressed_arrow_and_read_back_equal(tmp_path):
    # Arrow IPC with zstd: read back in a fraction of Parquet's time (a million messages: ~0.2 s against
    # ~2 s), a tenth of the uncompressed size
    import pandas as pd
    import pyarrow.ipc
    frame = pd.DataFrame({"text": pd.Series(["收到", "", "明天12:00前提交"] * 50, dtype="str"),
                          "ts": pd.to_datetime(["2026-05-11 09:00:00"] * 150), "n": range(150),
                          "ok": [True, False, True] * 50, "conf": [0.5, 1.0, 0.95] * 50})
    cache.store(tmp_path, "x", {"frame": frame}, {"a": 1})
    with pyarrow.ipc.open_file(tmp_path / "x" / "frame.arrow") as kept:
        assert kept.schema.field("text").type in (pyarrow.string(), pyarrow.large_string())
    frames, data = cache.fetch(tmp_path, "x")
    assert frames["frame"].equals(frame) and frames["frame"].dtypes.equals(frame.dtypes) and data == {"a": 1}


def test_an_entry_of_the_parquet_layout_is_a_miss(tmp_path):
    import json
    cache.store(tmp_path, "x", {"frame": __import__("pandas").DataFrame({"n": [1]})}, {})
    meta = tmp_path / "x" / "meta.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text(encoding="utf-8")), "format": 1}), encoding="utf-8")
    assert cache.fetch(tmp_path, "x") is None


def test_an_entry_made_by_other_code_is_not_reused(tmp_path, monkeypatch):
    api.audit([SAMPLES], options(tmp_path))
    monkeypatch.setattr(cache, "code_digest", lambda: "another wgm")
    judged = _counting(monkeypatch, judge, "judge_group")
    api.audit([SAMPLES], options(tmp_path))
    assert judged


def test_the_cache_holds_data_that_cannot_run_code(tmp_path):
    api.audit([SAMPLES], options(tmp_path))
    kinds = {p.suffix for p in tmp_path.rglob("*") if p.is_file()}
    assert kinds <= {".arrow", ".json", ".csv", ".sha256"}
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert not path.read_bytes()[:2].startswith(b"\x80"), path      # no pickle protocol header


def _csv_run(out: Path, folder: Path | None, *sets: str, redact: bool = False) -> dict[str, bytes]:
    result = api.audit([SAMPLES], options(folder, *sets))
    memo = cache.FileMemo(folder) if folder is not None and not redact else None
    report.write(hide_text(result, b"test key") if redact else result, out, {"csv"}, memo=memo)
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}


def test_a_rerun_with_other_amounts_copies_the_kept_csv_and_writes_what_a_fresh_run_writes(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    _csv_run(tmp_path / "first", folder)
    real = machine.csv_chunks
    seen: list = []
    monkeypatch.setattr(machine, "csv_chunks", lambda df, columns, jobs=1: seen.append(columns) or real(df, columns))
    again = _csv_run(tmp_path / "again", folder, "amounts.reply_missed=33")
    assert machine.MESSAGE_COLUMNS not in seen and machine.TASK_COLUMNS not in seen
    assert machine.EVENT_COLUMNS in seen            # events carry the new amounts: always encoded
    monkeypatch.undo()
    assert again == _csv_run(tmp_path / "fresh", None, "amounts.reply_missed=33")
    assert b",33.00," in again["events.csv"]


def test_a_kept_csv_changed_since_is_not_used(tmp_path):
    folder = tmp_path / "cache"
    first = _csv_run(tmp_path / "first", folder)
    for path in (folder / "files").glob("*.messages.csv"):
        path.write_bytes(path.read_bytes().replace("收到".encode(), "改过".encode()))
    again = _csv_run(tmp_path / "again", folder, "amounts.reply_missed=33")
    assert again["messages.csv"] == first["messages.csv"]


def test_another_review_set_writes_its_own_messages_csv(tmp_path):
    folder = tmp_path / "cache"
    first = _csv_run(tmp_path / "first", folder)
    # a higher bar sends more events to review: more messages marked needs_review
    again = _csv_run(tmp_path / "again", folder, "review.min_confidence=0.99")
    assert again == _csv_run(tmp_path / "fresh", None, "review.min_confidence=0.99")
    assert again["messages.csv"] != first["messages.csv"]
    assert len(list((folder / "files").glob("*.messages.csv"))) == 1
    assert _csv_run(tmp_path / "back", folder) == first


def test_redacted_output_never_comes_from_the_kept_csv(tmp_path):
    folder = tmp_path / "cache"
    plain = _csv_run(tmp_path / "plain", folder)
    hidden = _csv_run(tmp_path / "hidden", folder, "amounts.reply_missed=33", redact=True)
    word = "收到".encode()
    assert word in plain["messages.csv"] and word not in hidden["messages.csv"]
    assert hidden == _csv_run(tmp_path / "fresh", None, "amounts.reply_missed=33", redact=True)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cached_run_equals_a_fresh_one(tmp_path, jobs):
    fresh = report.render(api.audit([SAMPLES], options(None)), {"csv", "json", "txt"})
    api.audit([SAMPLES], options(tmp_path))
    hit = report.render(api.audit([SAMPLES], api.Options(**{**options(tmp_path).__dict__, "jobs": jobs})),
                        {"csv", "json", "txt"})
    assert hit == fresh


PYWXDUMP = Path(__file__).resolve().parent / "data" / "spec" / "formats" / "samples"


@pytest.mark.parametrize("where", ["beside", "one folder up"])
def test_a_changed_users_json_is_read_again(tmp_path, where):
    """users.json names PyWxDump's senders: a run given the CSV alone, with the contact list beside it or one
    folder up, must not serve names from before the contact list changed."""
    chat = tmp_path / "export" / "34567890123@chatroom"
    chat.mkdir(parents=True)
    csv_file = chat / "pywxdump_34567890123@chatroom_0_10.csv"
    csv_file.write_bytes((PYWXDUMP / csv_file.name).read_bytes())
    users = (chat if where == "beside" else chat.parent) / "users.json"
    users.write_bytes((PYWXDUMP / "pywxdump_users.json").read_bytes())
    folder = tmp_path / "cache"
    first = api.audit([csv_file], api.Options(cache=folder))
    assert first.messages["sender"].eq("研发-李四").any()
    users.write_text(users.read_text(encoding="utf-8").replace("研发-李四", "研发-李思"), encoding="utf-8")
    again = api.audit([csv_file], api.Options(cache=folder))
    assert again.messages["sender"].eq("研发-李思").any() and not again.messages["sender"].eq("研发-李四").any()


def test_a_renamed_chat_folder_names_the_group_anew(tmp_path):
    """留痕 names a group by its folder (<群名>(<id>)): renaming the folder renames the group, cache or not."""
    source = next(SAMPLES.rglob("*.txt"))
    old = tmp_path / "in" / "旧群名(44556677889@chatroom)"
    old.mkdir(parents=True)
    (old / "export.txt").write_bytes(source.read_bytes())
    folder = tmp_path / "cache"
    first = api.audit([tmp_path / "in"], api.Options(cache=folder))
    new = old.rename(tmp_path / "in" / "新群名(44556677889@chatroom)")
    again = api.audit([tmp_path / "in"], api.Options(cache=folder))
    fresh = api.audit([tmp_path / "in"], api.Options())
    assert set(again.messages["group"]) == set(fresh.messages["group"]), (set(first.messages["group"]), new)


def test_the_code_digest_changes_with_any_source_file(tmp_path, monkeypatch):
    """An upgrade that keeps the version string still gets its own entries: the digest covers the code."""
    import shutil
    package = tmp_path / "wgm"
    shutil.copytree(Path(cache.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = cache.package_digest(package)
    (package / "ledger.py").write_text((package / "ledger.py").read_text(encoding="utf-8") + "\n# changed\n",
                                       encoding="utf-8")
    assert cache.package_digest(package) != before
    (package / "data" / "rules.yaml").write_text("# changed\n", encoding="utf-8")
    assert cache.package_digest(package) != before


def test_a_rerun_puts_names_in_pinyin_order_from_the_kept_keys(tmp_path, monkeypatch):
    # the first cached run keeps the pinyin keys of the names it sorts; a re-run takes them from
    # there and writes the same 扣款 and 公示 without asking pypinyin again
    import pypinyin

    from wgm import names
    from wgm.report import deductions, publish
    api.audit([SAMPLES], options(tmp_path))
    fresh = api.audit([SAMPLES], options(None, "amounts.reply_missed=30"))
    kept = (tmp_path / cache.PINYIN).read_text(encoding="utf-8")
    assert "孙丽" in kept or "李明" in kept
    monkeypatch.setattr(names, "_KNOWN", {})
    names.pinyin_key.cache_clear()
    monkeypatch.setattr(pypinyin, "lazy_pinyin", lambda *a, **k: (_ for _ in ()).throw(AssertionError("pypinyin")))
    again = api.audit([SAMPLES], options(tmp_path, "amounts.reply_missed=30"))
    assert deductions.deductions(again).equals(deductions.deductions(fresh))
    assert publish.announcements(again) == publish.announcements(fresh)
    names.pinyin_key.cache_clear()


def test_a_damaged_pinyin_file_is_made_again(tmp_path):
    (tmp_path / cache.PINYIN).write_text('{"stamp": 1, "keys": [', encoding="utf-8")
    cache.remember_pinyin(tmp_path, ["李明"])
    assert '"李明": ["li", "ming"]' in (tmp_path / cache.PINYIN).read_text(encoding="utf-8")


def test_a_copied_kept_csv_is_listed_in_the_manifest_by_its_own_digest(tmp_path):
    # the kept copy's digest, checked before it is used, stands for the copy: the manifest must hold
    # the sha256 of the bytes now in the output folder
    import hashlib
    import json
    folder = tmp_path / "cache"
    _csv_run(tmp_path / "first", folder)
    memo = cache.FileMemo(folder)
    result = api.audit([SAMPLES], options(folder, "amounts.reply_missed=33"))
    report.write(result, tmp_path / "again", {"csv"}, memo=memo)
    assert memo.verified            # messages.csv and tasks.csv came from the kept copies
    listed = json.loads((tmp_path / "again" / ".wgm-manifest.json").read_text(encoding="utf-8"))["files"]
    for name in ("messages.csv", "tasks.csv", "events.csv"):
        assert listed[name] == hashlib.sha256((tmp_path / "again" / name).read_bytes()).hexdigest(), name
