"""--jobs: the same report whether one process or several read and classify the exports."""

from __future__ import annotations

import random
import sys
from datetime import datetime
from pathlib import Path

from wgm import api, parallel, report

ROOT = Path(__file__).resolve().parents[1]


def _exports(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    rng = random.Random(3)
    for g in range(4):
        name = f"测试公司-业务群{g}"
        target = folder / "聊天记录" / f"{name}({40000000000 + g}@chatroom)" / f"{name}.txt"
        target.parent.mkdir(parents=True)
        target.write_text(generate.generate_group(rng, name, 300 + 150 * g, datetime(2026, 3, 1), 30),
                          encoding="utf-8")
    return folder


def test_two_workers_give_byte_identical_outputs(tmp_path, monkeypatch):
    exports = _exports(tmp_path / "in")
    one = report.render(api.audit([exports], api.Options(jobs=1)), {"csv", "json"})
    rounds = []
    real = parallel.ordered_map

    def counting(fn, items, jobs):
        items = list(items)
        rounds.append((len(items), jobs))
        return real(fn, items, jobs)
    monkeypatch.setattr(parallel, "MIN_BYTES_PER_WORKER", 1)      # small inputs, parallel anyway
    monkeypatch.setattr(parallel, "MIN_ROWS_PER_WORKER", 100)
    monkeypatch.setattr(parallel, "ordered_map", counting)
    two = report.render(api.audit([exports], api.Options(jobs=2)), {"csv", "json"})
    # the four files read by two workers, the messages hashed by group, the groups judged: in two parts each
    assert rounds == [(4, 2), (2, 2), (2, 2)]
    assert one.keys() == two.keys()
    for name in one:
        assert one[name] == two[name], name
    rounds.clear()
    cached = report.render(api.audit([exports], api.Options(jobs=2, cache=tmp_path / "cache")), {"csv", "json"})
    assert rounds == [(4, 2), (2, 2), (2, 2)]
    for name in one:
        assert one[name] == cached[name], name


def test_workers_balance_groups_by_size():
    assert parallel.balanced([5, 1, 1, 1, 1, 1], 2) == [[0], [1, 2, 3, 4, 5]]
    assert parallel.balanced([3, 3, 2, 2], 2) == [[0, 2], [1, 3]]
    assert parallel.workers(3) == 3 and parallel.workers(0) >= 1


def test_tag_overrides_apply_alike_in_one_process_in_workers_and_from_the_cache(tmp_path, monkeypatch):
    """A tag override re-classifies its message wherever its group is judged (in this process or a
    worker, fresh or for the cache), and is reported once."""
    exports = _exports(tmp_path / "in")
    first = api.audit([exports], api.Options(jobs=1))
    chat = first.messages[(first.messages["tags"] == "") & (first.messages["kind"] == "chat")].iloc[-1]
    path = tmp_path / "overrides.yaml"
    path.write_text(f"- {{msg_id: {chat['msg_id']}, action: tag, value: off_topic, reason: 闲聊}}\n"
                    "- {msg_id: nope, action: tag, value: off_topic, reason: 测试}\n", encoding="utf-8")
    monkeypatch.setattr(parallel, "MIN_BYTES_PER_WORKER", 1)
    monkeypatch.setattr(parallel, "MIN_ROWS_PER_WORKER", 100)
    runs = [api.audit([exports], api.Options(jobs=jobs, overrides=path, cache=cache))
            for jobs, cache in ((1, None), (2, None), (2, tmp_path / "cache"))]
    for r in runs:
        assert r.messages.set_index("msg_id").loc[chat["msg_id"], "tags"] == "off_topic;off_topic_exact"
        assert [u["matched"] for u in r.overrides_used] == [1]
        assert sum("nope" in w and "matches nothing" in w for w in r.warnings) == 1
    rendered = [report.render(r, {"csv", "json"}) for r in runs]
    assert rendered[0] == rendered[1] == rendered[2]


def _written(out: Path) -> dict:
    """The files of an output folder; the workbook (it carries the second it was saved) and its digest
    in the manifest left out."""
    import json
    files: dict = {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and p.name != "report.xlsx"}
    manifest = json.loads(files.pop(".wgm-manifest.json"))
    del manifest["files"]["report.xlsx"]
    return {**files, ".wgm-manifest.json": manifest}


def test_audit_json_written_beside_the_workbook_is_the_same_file(tmp_path, monkeypatch):
    # with two cores audit.json's tables are written by a forked worker while the workbook is made, and
    # its head put before them: the same bytes (and manifest) as one process writing it all
    import wgm.report as writing
    result = api.audit([_exports(tmp_path / "in")], api.Options(jobs=1))
    report.write(result, tmp_path / "one", set(report.FORMATS), jobs=1)
    started = []
    real = parallel.background
    monkeypatch.setattr(writing, "_JSON_IN_BACKGROUND", 1)
    monkeypatch.setattr(parallel, "background", lambda *a, **k: started.append(k["jobs"]) or real(*a, **k))
    report.write(result, tmp_path / "two", set(report.FORMATS), jobs=2)
    assert started == [2]
    assert _written(tmp_path / "one") == _written(tmp_path / "two")
    assert not any(p.name.endswith(".tail") for p in (tmp_path / "two").rglob("*"))


def test_a_background_worker_that_fails_leaves_the_work_to_this_process(tmp_path):
    import os

    from wgm.report import machine
    parent = os.getpid()

    def fails_in_the_worker(result, path):
        if os.getpid() != parent:
            raise MemoryError("the worker ran out")
        machine.audit_json_tail(result, path)
    later = parallel.background(fails_in_the_worker, api.audit([_exports(tmp_path / "in")], api.Options(jobs=1)),
                                tmp_path / "tail", jobs=2)
    later.wait()
    assert (tmp_path / "tail").read_bytes().endswith(b"}\n")
