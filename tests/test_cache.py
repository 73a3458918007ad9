"""Re-runs reuse the parsed and classified messages when only prices or deadlines change."""

from __future__ import annotations

from pathlib import Path


from wgm import api

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_exports"


def options(cache: Path, *sets: str) -> api.Options:
    return api.Options(roster=SAMPLES / "roster.yaml", incidents=SAMPLES / "incidents.yaml",
                       members=SAMPLES / "members.csv", cache=cache, set=sets)


def test_second_run_with_other_amounts_does_not_parse_again(tmp_path, monkeypatch):
    first = api.audit([SAMPLES], options(tmp_path))
    assert len(list(tmp_path.glob("*.pkl"))) == 2      # parsed messages, and the ledger with its events

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")
    monkeypatch.setattr(api, "prepare", no_parsing)
    again = api.audit([SAMPLES], options(tmp_path, "amounts.delay_days=35", "delay.cap_days=5"))
    li = again.events[(again.events["member"] == "李明") & (again.events["rule"] == "delay_days")].iloc[0]
    assert (li["count"], li["amount"]) == (5, 175.0)
    assert first.events["msg_ids"].tolist() != [] and len(again.messages) == len(first.messages)


def test_changing_a_word_list_or_an_input_parses_again(tmp_path, monkeypatch):
    api.audit([SAMPLES], options(tmp_path))
    calls = []
    real = api.prepare
    monkeypatch.setattr(api, "prepare", lambda *a, **k: calls.append(1) or real(*a, **k))
    api.audit([SAMPLES], options(tmp_path, "lexicon.ack=[收到]"))
    assert calls == [1]
    copy = tmp_path / "in"
    target = copy / "g.txt"
    target.parent.mkdir()
    target.write_bytes(next(SAMPLES.rglob("*.txt")).read_bytes())
    api.audit([copy], options(tmp_path))
    target.write_bytes(target.read_bytes() + "\n\n2026-10-30 12:00:00 吴婷-销售部\n好的".encode())
    result = api.audit([copy], options(tmp_path))
    assert calls == [1, 1, 1] and result.messages["text"].eq("好的").any()


def test_a_damaged_cache_file_is_ignored(tmp_path):
    api.audit([SAMPLES], options(tmp_path))
    for p in tmp_path.glob("*.pkl"):
        p.write_bytes(b"not a pickle")
    assert len(api.audit([SAMPLES], options(tmp_path)).events) > 0


def test_only_amounts_changed_reuses_the_ledger_and_events_and_prices_them_anew(tmp_path, monkeypatch):
    from wgm import ledger
    first = api.audit([SAMPLES], options(tmp_path))

    def not_again(*args, **kwargs):
        raise AssertionError("assessed again")
    monkeypatch.setattr(ledger, "build", not_again)
    monkeypatch.setattr(api, "run_group_families", not_again)
    monkeypatch.setattr(api, "run_run_families", not_again)
    again = api.audit([SAMPLES], options(tmp_path, "amounts.reply_missed=30", "review.hold_uncertain=true"))
    missed = again.events[again.events["rule"] == "reply_missed"]
    assert len(missed) == len(first.events[first.events["rule"] == "reply_missed"])
    assert (missed[~missed["needs_review"]]["amount"] == 30.0).all()
    assert (again.events.loc[again.events["needs_review"], "amount"] == 0).all()
    assert again.tasks.equals(first.tasks)
    monkeypatch.undo()
    calls = []
    real = ledger.build
    monkeypatch.setattr(ledger, "build", lambda *a, **k: calls.append(1) or real(*a, **k))
    api.audit([SAMPLES], options(tmp_path, "delay.cap_days=5"))         # a rule setting: assessed again
    assert calls == [1]


def _csv_run(out: Path, cache: Path | None, *sets: str, redact: bool = False) -> dict[str, bytes]:
    from wgm import report
    from wgm.report.redact import redact as hide_text
    opts = api.Options(roster=SAMPLES / "roster.yaml", incidents=SAMPLES / "incidents.yaml",
                       members=SAMPLES / "members.csv", cache=cache, set=sets)
    result = api.audit([SAMPLES], opts)
    report.write(hide_text(result) if redact else result, out, {"csv"})
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}


def test_a_rerun_with_other_amounts_copies_the_kept_csv_and_writes_what_a_fresh_run_writes(tmp_path, monkeypatch):
    from wgm.report import machine
    cache = tmp_path / "cache"
    _csv_run(tmp_path / "first", cache)
    kept = sorted(p.name.split(".", 1)[1] for p in cache.glob("*.csv"))
    assert kept == ["messages.csv", "tasks.csv"]
    encoded = []
    real = machine.csv_chunks
    monkeypatch.setattr(machine, "csv_chunks", lambda df, columns, jobs=1: encoded.append(columns) or real(df, columns,
                                                                                                            jobs))
    again = _csv_run(tmp_path / "again", cache, "amounts.reply_missed=33")
    assert machine.MESSAGE_COLUMNS not in encoded and machine.TASK_COLUMNS not in encoded
    assert machine.EVENT_COLUMNS in encoded         # events carry the new amounts: always encoded
    monkeypatch.undo()
    fresh = _csv_run(tmp_path / "fresh", None, "amounts.reply_missed=33")
    assert again == fresh
    assert b",33.00," in again["events.csv"]


def test_another_review_set_writes_its_own_messages_csv_and_keeps_one_per_assessment(tmp_path):
    cache = tmp_path / "cache"
    first = _csv_run(tmp_path / "first", cache)
    # a higher bar sends more events to review: more messages marked needs_review
    again = _csv_run(tmp_path / "again", cache, "review.min_confidence=0.99")
    fresh = _csv_run(tmp_path / "fresh", None, "review.min_confidence=0.99")
    assert again == fresh and again["messages.csv"] != first["messages.csv"]
    assert len(list(cache.glob("*.messages.csv"))) == 1
    back = _csv_run(tmp_path / "back", cache)
    assert back == first


def test_redacted_output_never_comes_from_the_kept_csv(tmp_path):
    cache = tmp_path / "cache"
    plain = _csv_run(tmp_path / "plain", cache)
    hidden = _csv_run(tmp_path / "hidden", cache, "amounts.reply_missed=33", redact=True)
    word = "收到".encode()
    assert word in plain["messages.csv"] and word not in hidden["messages.csv"]
    assert hidden == _csv_run(tmp_path / "fresh", None, "amounts.reply_missed=33", redact=True)
