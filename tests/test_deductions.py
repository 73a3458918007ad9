"""deductions.csv and the 扣款 sheet's rows: what finance deducts, one row per member and month, the 工号
from the roster, no total row that a machine would add again, and audit.json naming every file written."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

from tests import paths
from wgm import api, report

SAMPLES = paths.ROOT / "sample_exports"


def _audit(tmp_path: Path, with_ids: bool = False):
    roster = SAMPLES / "roster.yaml"
    if with_ids:      # the sample roster with a 工号 for everyone: H001, H002, … in roster order
        lines, n = [], 0
        for line in roster.read_text(encoding="utf-8").splitlines():
            if line.startswith("  - {name:"):
                n += 1
                line = line.replace("{name:", f"{{id: H{n:03d}, name:", 1)
            lines.append(line)
        roster = tmp_path / "roster.yaml"
        roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return api.audit([SAMPLES], api.Options(roster=roster, incidents=SAMPLES / "incidents.yaml",
                                            members=SAMPLES / "members.csv", as_of=datetime(2026, 11, 2, 18, 0)))


def test_one_row_per_member_and_month_with_the_roster_id(tmp_path):
    result = _audit(tmp_path, with_ids=True)
    out = tmp_path / "out"
    report.write(result, out, {"csv"})
    with open(out / "deductions.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["member_id", "member", "dept", "month", "amount", "events", "needs_review",
                             "disqualified"]
    assert len(rows) == len(result.summary) and all(r["member"] for r in rows)     # no total row
    zhao = {r["month"]: r for r in rows if r["member"] == "赵磊"}
    assert zhao["2026-10"]["member_id"] == "H006" and set(zhao) == {"2026-10", "2026-11"}
    ev = result.events
    for r in rows:
        mine = ev[(ev["member"] == r["member"]) & (ev["month"] == r["month"])]
        assert r["amount"] == f"{mine['amount'].sum():.2f}" and int(r["events"]) == len(mine)
        assert int(r["needs_review"]) == int(mine["needs_review"].sum())
    assert {r["member"]: r["disqualified"] for r in rows if r["month"] == "2026-10"}["郑凯"] == "true"
    october = [float(r["amount"]) for r in rows if r["month"] == "2026-10"]
    assert october == sorted(october, reverse=True)          # the largest deduction first in each month


def test_audit_json_lists_every_file_written_and_holds_the_deductions(tmp_path):
    result = _audit(tmp_path)
    out = tmp_path / "out"
    written = report.write(result, out, {"csv", "json", "xlsx", "txt"})
    doc = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert doc["files"] == [p.name for p in written.files] and "deductions.csv" in doc["files"]
    assert len(doc["deductions"]) == len(result.summary)
    assert doc["deductions"][0] == {"member_id": "", "member": "赵磊", "dept": "仓储部", "month": "2026-10",
                                    "amount": 2310.0, "events": 8, "needs_review": 0, "disqualified": False}
