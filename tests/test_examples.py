"""The worked cases (examples.yaml, copied from shared/spec): each gives exactly its events on the
normalized frame, and in every supported export layout (all cases as groups of one export)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from tests import paths
from tests.chat import audit_chat, end_of_month
from tests.layouts import LAYOUTS, LOSSES, render, write_export
from wgm import api
from wgm.catalog import BY_ID

SPEC = paths.EXAMPLES
EXAMPLES = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
GROUP = EXAMPLES["roster"]["groups"][0]["name"]
CASES = EXAMPLES["cases"]
CHAT_ID = "44556677889@chatroom"      # the chat id tests/layouts.py gives the group


def _ts(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


@pytest.fixture(scope="module")
def roster_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("roster") / "roster.yaml"
    roster = dict(EXAMPLES["roster"])
    # the admin's roster names the group's chat id: layouts without a group name (PyWxDump, chatlog) need it
    roster["groups"] = [{**roster["groups"][0], "ids": [CHAT_ID]}]
    path.write_text(yaml.safe_dump(roster, allow_unicode=True), encoding="utf-8")
    return path


def with_ids_as_aliases(roster: Path, senders: list[str], user_id, group_ids: dict[str, str], folder: Path) -> Path:
    """The roster an admin of a WeCom archive keeps: each person's userid among their aliases, each
    group's chat id among its ids (the archive has ids only)."""
    from wgm.roster import load_roster, split_display_name
    known = load_roster(roster).alias_map()      # "Bing" is 韩冰's alias, "林涛-运营部" is 林涛
    data = yaml.safe_load(roster.read_text(encoding="utf-8"))
    ids: dict[str, list[str]] = {}
    for sender in sorted(set(senders)):
        ids.setdefault(known.get(sender) or split_display_name(sender)[0], []).append(user_id(sender))
    for person in data["members"]:
        person["aliases"] = [*person.get("aliases", []), *ids.get(person["name"], [])]
    for group in data["groups"]:
        group["ids"] = [*group["ids"], group_ids[group["name"]]]
    out = folder.parent / f"{folder.name}-roster.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return out


def case_as_of(case: dict) -> datetime:
    """examples.yaml: a case's export was made at the end of the month of its last message, unless the
    case gives its own `as_of`."""
    if case.get("as_of"):
        return _ts(case["as_of"])
    return end_of_month(max(_ts(ts) for ts, _, _ in case["messages"]))


def _messages(case: dict) -> list[dict]:
    return [{"ts": _ts(ts), "sender": sender, "text": text} for ts, sender, text in case["messages"]]


def _made_at(path: Path, when: datetime) -> None:
    """The export file's modification time: when the export was made (coverage), in the exports' zone."""
    stamp = when.replace(tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    os.utime(path, (stamp, stamp))


def run_case(case: dict, layout: str, folder: Path, roster: Path, **options):
    """One case alone, rendered into one layout and audited."""
    options.setdefault("as_of", case_as_of(case))
    messages = _messages(case)
    if layout.startswith("wecom_"):
        from tests.layouts_wecom import room_id, user_id
        roster = with_ids_as_aliases(roster, [m["sender"] for m in messages], user_id, {GROUP: room_id(GROUP)},
                                     folder)
    write_export(folder, messages, GROUP, layout)
    return api.audit([folder], api.Options(roster=roster, **options))


def money_events(result, group: str | None = None) -> list[tuple]:
    """Events as examples.yaml lists them: every rule but the report-only flags."""
    ev = result.events if group is None else result.events[result.events["group"] == group]
    keep = ev[~ev["rule"].map(lambda r: BY_ID[r].flag_only and r != "quit_group")]
    return sorted((r.member, r.rule, int(r.count), r.month) for r in keep.itertuples(index=False))


def _case_groups() -> dict[str, str]:
    """case id → the group it is exported as, when every case is one group of one export folder."""
    return {c["id"]: f"{GROUP}{i:02d}" for i, c in enumerate(CASES)}


@pytest.fixture(scope="module")
def every_case_roster(tmp_path_factory) -> Path:
    """The worked cases' roster with one group per case, each with its chat id."""
    path = tmp_path_factory.mktemp("roster") / "roster.yaml"
    roster = dict(EXAMPLES["roster"])
    template = roster["groups"][0]
    roster["groups"] = [{**template, "name": name, "ids": [f"{44556677000 + i}@chatroom"]}
                        for i, name in enumerate(_case_groups().values())]
    path.write_text(yaml.safe_dump(roster, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_gives_every_cases_events(layout, tmp_path, every_case_roster):
    """All the worked cases, each one group, rendered into one layout and audited at once: each group gives
    exactly its case's events (the cases' logic itself is tested once, on the normalized frame, below)."""
    groups = _case_groups()
    roster = every_case_roster
    if layout.startswith("wecom_"):
        from tests.layouts_wecom import room_id, user_id
        senders = [m["sender"] for c in CASES for m in _messages(c)]
        roster = with_ids_as_aliases(roster, senders, user_id, {g: room_id(g) for g in groups.values()},
                                     tmp_path / "in")
    for i, case in enumerate(CASES):
        export = write_export(tmp_path / "in" / case["id"], _messages(case), groups[case["id"]], layout,
                              group_id=f"{44556677000 + i}@chatroom")
        _made_at(export, case_as_of(case))
    result = api.audit([tmp_path / "in"], api.Options(roster=roster))
    assert len(result.unparsed) == 0
    assert sorted(set(result.messages["group"])) == sorted(groups.values())
    for case in CASES:
        group = groups[case["id"]]
        expected = sorted((e["member"], e["rule"], int(e["count"]), e["month"]) for e in case["events"])
        assert money_events(result, group) == expected, case["id"]
        for flag in case.get("flags", []):
            if flag["rule"] == "naming" and "sender_is_id" in LOSSES[layout]:
                continue      # the naming rule reads display names; an id-only archive has none
            ev = result.events
            flagged = ev[(ev["group"] == group) & (ev["member"] == flag["member"]) & (ev["rule"] == flag["rule"])]
            assert len(flagged) >= 1, f"{case['id']}: flag {flag} missing"
        tasks = result.tasks[result.tasks["group"] == group]
        for receiver in case.get("open", []):
            rows = tasks[tasks["receiver"] == receiver]
            assert (rows["status"] == "open").any(), f"{case['id']}: {receiver} should have an open task"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_on_the_normalized_frame(case, tmp_path, roster_file):
    """The same cases without any export layout: isolates the classifier, ledger and rules."""
    text = "\n".join(f"{_ts(ts):%Y-%m-%d %H:%M:%S} {sender}: {body}" for ts, sender, body in case["messages"])
    result = audit_chat(text, tmp_path, roster=roster_file.read_text(encoding="utf-8"), as_of=case_as_of(case))
    expected = sorted((e["member"], e["rule"], int(e["count"]), e["month"]) for e in case["events"])
    assert money_events(result) == expected


def test_every_event_carries_its_evidence(tmp_path, roster_file):
    case = next(c for c in CASES if c["id"] == "late-with-delay")
    result = run_case(case, LAYOUTS[0], tmp_path, roster_file)
    delay = result.events[result.events["rule"] == "delay_days"].iloc[0]
    ids = delay["msg_ids"].split(";")
    texts = set(result.messages.set_index("msg_id").loc[ids, "text"])
    assert "异常件清单已提交" in texts and "收到，逾期两天，已确认" in texts
    assert "延迟2天" in delay["detail"] and "5月20日18:00" in delay["detail"]
    assert delay["amount"] == pytest.approx(2 * 20.0)


def test_incidents_give_their_events(tmp_path, roster_file):
    case = next(c for c in CASES if c["id"] == "clean-path")
    incidents = tmp_path / "incidents.yaml"
    incidents.write_text(yaml.safe_dump(EXAMPLES["incidents"]["rows"], allow_unicode=True), encoding="utf-8")
    result = run_case(case, LAYOUTS[0], tmp_path / "in", roster_file, incidents=incidents)
    got = sorted((e.member, e.rule, int(e.count), e.month, round(e.amount, 2))
                 for e in result.events.itertuples() if e.rule in ("leak", "loss", "false_info"))
    expected_rows = EXAMPLES["incidents"]["events"]
    assert [g[:4] for g in got] == sorted((e["member"], e["rule"], e["count"], e["month"]) for e in expected_rows)
    loss = next(g for g in got if g[1] == "loss")
    assert loss[4] == 1500.00


def test_incident_rate_out_of_range_is_an_error(tmp_path, roster_file):
    from wgm.errors import SettingsError
    case = next(c for c in CASES if c["id"] == "clean-path")
    incidents = tmp_path / "incidents.yaml"
    incidents.write_text("- {date: 2026-05-20, member: 林涛, rule: loss, loss_amount: 10000, rate: 0.3}\n",
                         encoding="utf-8")
    with pytest.raises(SettingsError, match=r"incidents.yaml:1: rate 0.3 is outside"):
        run_case(case, LAYOUTS[0], tmp_path / "in", roster_file, incidents=incidents)


def test_membership_snapshot_gives_quit_group(tmp_path, roster_file):
    case = next(c for c in CASES if c["id"] == "clean-path")
    snap = EXAMPLES["membership"]["snapshot"][0]
    members = tmp_path / "members.csv"
    members.write_text("as_of,group,member\n" + "".join(f"{snap['as_of']},{snap['group']},{m}\n"
                                                         for m in snap["members"]), encoding="utf-8")
    result = run_case(case, LAYOUTS[0], tmp_path / "in", roster_file, members=members)
    quit_rows = result.events[result.events["rule"] == "quit_group"]
    assert [(r.member, r.month, r.amount) for r in quit_rows.itertuples()] == [("徐丽", "2026-05", 0.0)]
    row = result.summary[(result.summary["member"] == "徐丽")].iloc[0]
    assert bool(row["disqualified"]) is True


def test_v2_csv_quote_without_text_counts_as_reply_for_review(tmp_path, roster_file):
    """留痕 v2 CSV writes no text for a quoted reply: it must not become reply_missed silently."""
    messages = [
        {"ts": datetime(2026, 5, 11, 16, 0), "sender": "林涛-运营部", "text": "@罗刚-仓储部 请于5月13日前完成B区货架的安全检查"},
        {"ts": datetime(2026, 5, 11, 16, 5), "sender": "罗刚-仓储部", "text": "收到",
         "quote": {"sender": "林涛-运营部", "text": "@罗刚-仓储部 请于5月13日前完成B区货架的安全检查"}},
    ]
    relpath, data = render(messages, GROUP, "memotrace_v2_csv")
    (tmp_path / relpath).parent.mkdir(parents=True)
    (tmp_path / relpath).write_bytes(data)
    result = api.audit([tmp_path], api.Options(roster=roster_file))
    assert money_events(result) == []
    row = result.tasks.iloc[0]
    assert row["replied"] == datetime(2026, 5, 11, 16, 5) and "引用" in row["review_reason"]


@pytest.mark.parametrize("pair", [("memotrace_v2_txt", "memotrace_v2_csv"), ("memotrace_v3_txt", "memotrace_v3_csv")])
def test_txt_and_csv_of_the_same_chat_count_once(pair, tmp_path, roster_file):
    """留痕 writes <群名>.txt and <群名>_utf8.csv side by side: one conversation, not two."""
    case = next(c for c in CASES if c["id"] == "late-with-delay")
    messages = [{"ts": _ts(ts), "sender": sender, "text": text} for ts, sender, text in case["messages"]]
    for layout in pair:
        relpath, data = render(messages, GROUP, layout)
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_bytes(data)
    result = api.audit([tmp_path], api.Options(roster=roster_file))
    assert len(result.messages) == len(messages)
    assert money_events(result) == sorted((e["member"], e["rule"], int(e["count"]), e["month"]) for e in case["events"])
    assert any("more than one export" in w for w in result.warnings)


def test_identical_messages_within_one_file_are_all_kept(tmp_path, roster_file):
    messages = [{"ts": datetime(2026, 5, 11, 10, 0), "sender": "罗刚-仓储部", "text": "收到"},
                {"ts": datetime(2026, 5, 11, 10, 0), "sender": "罗刚-仓储部", "text": "收到"}]
    relpath, data = render(messages, GROUP, "memotrace_v3_txt")
    (tmp_path / relpath).parent.mkdir(parents=True)
    (tmp_path / relpath).write_bytes(data)
    assert len(api.audit([tmp_path], api.Options(roster=roster_file)).messages) == 2
