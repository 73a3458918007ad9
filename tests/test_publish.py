"""The 公示 (announce_<group>_<YYYY-MM>.txt): only the group's own events, plain text that pastes into
WeChat, members in pinyin order, review marked, and money that adds up to the company's total."""

from __future__ import annotations

import importlib.util
import random
import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from tests import paths
from tests.chat import audit_chat
from wgm import api, names
from wgm.errors import SettingsError
from wgm.report import publish

SAMPLES = paths.ROOT / "sample_exports"
_MEMBER_LINE = re.compile(r"^\d+\. (?P<member>[^：]+)：.*，合计(?P<amount>[\d,]+\.\d\d)元")


def _sample(tmp_path: Path, **options):
    return api.audit([SAMPLES], api.Options(roster=SAMPLES / "roster.yaml", incidents=SAMPLES / "incidents.yaml",
                                            members=SAMPLES / "members.csv",
                                            as_of=datetime(2026, 11, 2, 18, 0), **options))


def _announced_amounts(result) -> float:
    total = 0.0
    for text in publish.announcements(result).values():
        for line in text.decode("utf-8").splitlines():
            m = _MEMBER_LINE.match(line)
            if m:
                total += float(m["amount"].replace(",", ""))
    return round(total, 2)


def _company_total(result) -> float:
    return round(float(result.events["amount"].sum()), 2)


def _unannounced_incidents(result) -> float:
    ev = result.events
    return round(float(ev.loc[ev["rule"].isin(["leak", "false_info", "loss"]) & (ev["group"] == ""), "amount"].sum()), 2)


def test_the_sample_month_announcements_add_up_to_the_company_total(tmp_path):
    result = _sample(tmp_path)
    assert _unannounced_incidents(result) > 0          # the sample's incidents name no group
    assert _announced_amounts(result) + _unannounced_incidents(result) == _company_total(result)


def test_an_incident_naming_no_group_is_in_no_announcement(tmp_path):
    result = _sample(tmp_path)
    texts = "\n".join(t.decode("utf-8") for t in publish.announcements(result).values())
    assert "转发公务给无关人员" not in texts and "发布虚假信息" not in texts and "造成经济损失" not in texts


def _generated(tmp_path: Path, seed: int = 3):
    spec = importlib.util.spec_from_file_location("generate", paths.ROOT / "bench" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    rng = random.Random(seed)
    groups = []
    for g in range(3):
        name = f"华信科技-业务群{g + 1:02d}"
        folder = tmp_path / "exports" / f"{name}({30000000000 + g}@chatroom)"
        folder.mkdir(parents=True)
        text = generate.generate_group(rng, name, 500, datetime(2026, 3, 1), 31)
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        groups.append((name, sorted({line.split(" ", 2)[2] for line in text.splitlines()
                                     if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", line)})))
    rows = []
    for i, (name, senders) in enumerate(groups):
        member = senders[0].split("-")[0]
        rows.append({"date": "2026-03-10", "member": member, "rule": "leak", "note": "外发", "group": name})
        rows.append({"date": "2026-03-12", "member": member, "rule": "false_info", "note": "不实"})
        rows.append({"date": "2026-03-20", "member": senders[1].split("-")[0], "rule": "loss", "loss_amount": 1000 * (i + 1),
                     "rate": 0.1, **({"group": name} if i else {})})
    incidents = tmp_path / "incidents.yaml"
    incidents.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    return api.audit([tmp_path / "exports"], api.Options(incidents=incidents, as_of=datetime(2026, 4, 1, 9, 0),
                                                         set=("admins=" + ",".join(g[1][0] for g in groups),))), groups


def test_a_generated_month_announcements_add_up_to_the_company_total(tmp_path):
    result, groups = _generated(tmp_path)
    assert _company_total(result) > 0
    assert _announced_amounts(result) + _unannounced_incidents(result) == _company_total(result)
    # an incident that names its group is in that group's 公示, and in no other
    files = publish.announcements(result)
    for name, _ in groups:
        own = files[f"announce_{name}_2026-03.txt"].decode("utf-8")
        assert "转发公务给无关人员1条" in "".join(own.split())
        assert "发布虚假信息" not in own


def test_an_incident_naming_an_unknown_group_is_an_error_with_the_closest_name(tmp_path):
    incidents = tmp_path / "incidents.yaml"
    incidents.write_text("- {date: 2026-10-20, member: 刘洋, rule: leak, group: 华信科技-运营群}\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="是否指 华信科技-运营管理群"):
        api.audit([SAMPLES], api.Options(roster=SAMPLES / "roster.yaml", incidents=incidents))


def test_one_plain_text_file_per_group_and_month(tmp_path):
    result = _sample(tmp_path)
    files = publish.announcements(result)
    assert set(files) == {f"announce_{g}_{m}.txt" for g in ("华信科技-运营管理群", "华信科技-项目交付群")
                          for m in ("2026-10", "2026-11")}
    for name, data in files.items():
        text = data.decode("utf-8")
        month = name[-11:-4]
        assert f"{int(month[:4])}年{int(month[5:])}月" in text.splitlines()[0]
        for line in text.splitlines():      # no Markdown: WeChat would show the marks as they are
            assert not line.startswith(("#", "- ", "* ", ">", "|")) and "**" not in line and "`" not in line


def test_members_in_pinyin_order_or_by_amount(tmp_path):
    result = _sample(tmp_path)
    text = publish.announcement(result, "华信科技-运营管理群", "2026-10")
    members = [m["member"] for m in map(_MEMBER_LINE.match, text.splitlines()) if m]
    assert members == ["陈志强", "黄敏", "李明", "刘洋", "孙丽", "王芳", "吴婷", "赵磊"]
    by_amount = _sample(tmp_path, set=("report.announce_order=amount",))
    text = publish.announcement(by_amount, "华信科技-运营管理群", "2026-10")
    amounts = [float(m["amount"].replace(",", "")) for m in map(_MEMBER_LINE.match, text.splitlines()) if m]
    assert amounts == sorted(amounts, reverse=True) and amounts[0] > amounts[-1]
    members = [m["member"] for m in map(_MEMBER_LINE.match, text.splitlines()) if m]
    runs: dict[float, list[str]] = {}
    for m, a in zip(members, amounts):
        runs.setdefault(a, []).append(m)
    tied = [ms for ms in runs.values() if len(ms) > 1]
    assert tied and all(ms == names.pinyin_order(ms) for ms in tied)    # equal amounts: in pinyin order


def test_the_objection_deadline_falls_after_publication_and_before_the_office(tmp_path):
    text = publish.announcement(_sample(tmp_path), "华信科技-运营管理群", "2026-10")
    assert "请于2026年11月8日前向群管理员提出" in text and "11月5日前公示" in text and "11月10日前报财务" in text
    with pytest.raises(SettingsError, match="objection_days"):
        api.load_settings(api.Options(set=("report.objection_days=6",)))


CHAT = """
2026-05-28 12:00:00 徐丽-运营部: [红包]恭喜发财，大吉大利
2026-05-28 12:05:00 何敏-行政部: @徐丽-运营部 工作群请勿发红包和闲聊，谢谢
2026-05-29 18:30:00 徐丽-运营部: 周末有人去看电影吗
2026-05-29 10:00:00 罗刚-仓储部: 你是猪吗？这么简单的单子都能填错
"""


def test_an_event_awaiting_review_is_marked_or_held(tmp_path):
    result = audit_chat(CHAT, tmp_path, sets=("review.min_confidence=0.99",))
    assert result.review_count >= 1
    text = publish.announcement(result, "远航物流-运营管理群", "2026-05")
    assert "待复核" in text and "复核后以最终结果为准" in text
    held = audit_chat(CHAT, tmp_path, sets=("review.min_confidence=0.99", "review.hold_uncertain=true"))
    text = publish.announcement(held, "远航物流-运营管理群", "2026-05")
    assert f"另有{held.review_count}项待复核，暂未计入" in text
    assert _MEMBER_LINE.search(text) is None        # every event awaits review: no member is listed


def test_groups_whose_names_differ_only_in_unsafe_characters_get_two_files():
    stems = publish.file_names(["财务/审计群", "财务:审计群", "运营群"])
    assert len(set(stems.values())) == 3 and stems["运营群"] == "运营群"


def test_a_long_group_name_fits_a_file_name():
    name = "华" * 77
    stem = publish.file_names([name])[name]
    assert len(f"announce_{stem}_2026-10.txt".encode("utf-8")) < 255


def test_the_md_format_name_still_writes_the_announcements(tmp_path):
    from typer.testing import CliRunner
    from wgm.cli import app
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["audit", str(SAMPLES), "--roster", str(SAMPLES / "roster.yaml"),
                                      "--format", "md", "--out", str(out), "--quiet", "--as-of", "2026-11-02"])
    assert result.exit_code in (0, 1), result.output
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names and all(n.startswith("announce_") and n.endswith(".txt") for n in names)


@pytest.mark.parametrize("hold", [False, True])
def test_the_run_s_announcements_are_each_announcement_made_alone(tmp_path, hold):
    # announcements() groups every 公示's events once for the run; each text must be the one
    # announcement() makes from that group's month alone, held events or not
    result = _sample(tmp_path, set=("review.hold_uncertain=true", "review.min_confidence=0.9") if hold else ())
    made = publish.announcements(result)
    stems = publish.file_names(sorted({g for g, _ in publish.announced(result)}))
    assert len(made) == len(publish.announced(result)) > 1
    for group, month in publish.announced(result):
        assert made[f"announce_{stems[group]}_{month}.txt"] == publish.announcement(result, group, month).encode("utf-8")
