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
    calls = []
    real = parallel.ordered_map

    def counting(fn, items, jobs):
        items = list(items)
        calls.append((fn.__name__, len(items), jobs))
        return real(fn, items, jobs)
    monkeypatch.setattr(parallel, "MIN_BYTES_PER_WORKER", 1)      # small inputs, parallel anyway
    monkeypatch.setattr(parallel, "MIN_ROWS_PER_WORKER", 100)
    monkeypatch.setattr(parallel, "ordered_map", counting)
    two = report.render(api.audit([exports], api.Options(jobs=2)), {"csv", "json"})
    assert ("_read_one", 4, 2) in calls and ("_classify_part", 2, 2) in calls
    assert ("_run_rows", 2, 2) in calls      # ledger + rules by group (ids are hashed by the readers)
    assert one.keys() == two.keys()
    for name in one:
        assert one[name] == two[name], name


def test_workers_balance_groups_by_size():
    assert parallel.balanced([5, 1, 1, 1, 1, 1], 2) == [[0], [1, 2, 3, 4, 5]]
    assert parallel.balanced([3, 3, 2, 2], 2) == [[0, 2], [1, 3]]
    assert parallel.workers(3) == 3 and parallel.workers(0) >= 1
