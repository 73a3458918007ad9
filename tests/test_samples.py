"""The shipped sample month: files as 留痕 writes them, and exactly the events derived by hand."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests import paths
from tests.data.sample_month.make_sample_exports import rendered
from wgm import api, parsers

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_exports"
SPEC_SAMPLES = paths.SPEC_SAMPLES


def test_shipped_exports_are_the_rendered_chat_sources():
    for relpath, data in rendered().items():
        assert (SAMPLES / relpath).read_bytes() == data, relpath


def test_sample_month_gives_exactly_the_hand_derived_events():
    result = api.audit([SAMPLES], api.Options(roster=SAMPLES / "roster.yaml", incidents=SAMPLES / "incidents.yaml",
                                              members=SAMPLES / "members.csv"))
    expected = yaml.safe_load((ROOT / "tests" / "data" / "sample_expected.yaml").read_text(encoding="utf-8"))
    want = sorted((e["group"], e["member"], e["rule"], e["count"], e["month"]) for e in expected["events"])
    got = sorted((r.group, r.member, r.rule, int(r.count), r.month) for r in result.events.itertuples())
    assert got == want
    assert len(result.unparsed) == 0
    loss = result.events[result.events["rule"] == "loss"].iloc[0]
    assert loss["amount"] == 2000.00
    skipped = {Path(i.path).name for i in result.inputs if i.skipped_reason}
    assert {"roster.yaml", "incidents.yaml", "members.csv"}.isdisjoint(
        {Path(i.path).name for i in result.inputs if not i.skipped_reason}) and skipped == set()


def test_every_memotrace_sample_of_the_spec_parses_with_nothing_unparsed():
    files = sorted(SPEC_SAMPLES.glob("memotrace_*"))
    assert len(files) == 4
    for path in files:
        result = parsers.read(path)
        assert len(result.unparsed) == 0, path.name
        covered = int((result.messages["line_end"] - result.messages["line"] + 1).sum())
        assert covered + result.structural_lines == result.lines, path.name
        assert len(result.messages) == 9, path.name


def test_company_view_one_line_per_member_with_the_per_group_breakdown():
    result = api.audit([SAMPLES], api.Options(roster=SAMPLES / "roster.yaml", incidents=SAMPLES / "incidents.yaml"))
    october = result.summary[result.summary["month"] == "2026-10"].set_index("member")
    assert october.index.is_unique
    wang = october.loc["王芳"]   # fined in both groups
    assert wang["by_group"] == "华信科技-运营管理群 30.00; 华信科技-项目交付群 10.00"
    assert wang["total_amount"] == 40.00   # reply_late 10 + reply_missed 20; reply_late 10
    assert "事件登记" in october.loc["赵磊", "by_group"]   # the loss incident belongs to no group
