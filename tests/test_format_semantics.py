"""What a layout's losses mean for the fines: untimed quotes go to review, recalled messages are kept as
evidence but never assessed."""

from __future__ import annotations

from datetime import datetime

import yaml

from tests.layouts import write_export
from tests.test_examples import EXAMPLES, GROUP, money_events
from wgm import api

TASK = "@罗刚-仓储部 请于5月13日前完成B区货架的安全检查"


def roster(tmp_path, **extra_ids):
    data = dict(EXAMPLES["roster"])
    data["members"] = [dict(p, aliases=[*p.get("aliases", []), *extra_ids.get(p["name"], [])])
                       for p in data["members"]]
    path = tmp_path / "roster.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_quote_reply_without_sender_sends_reply_missed_to_review(tmp_path):
    messages = [
        {"ts": datetime(2026, 5, 11, 16, 0), "sender": "林涛-运营部", "text": TASK},
        {"ts": datetime(2026, 5, 11, 16, 5), "sender": "罗刚-仓储部", "text": "收到，明天下午完成",
         "quote": {"sender": "林涛-运营部", "text": TASK}},
    ]
    write_export(tmp_path / "in", messages, GROUP, "wechatexporter_txt")
    result = api.audit([tmp_path / "in"], api.Options(roster=roster(tmp_path)))
    missed = result.events[result.events["rule"] == "reply_missed"]
    assert list(missed["member"]) == ["罗刚"]          # nobody can be credited with an unsigned reply …
    assert bool(missed.iloc[0]["needs_review"]) and "无发送人的引用回复" in missed.iloc[0]["review_reason"]
    reply = result.messages[result.messages["text"].str.contains("收到，明天下午完成")].iloc[0]
    assert reply["sender"] == "" and reply["quote_id"] == result.tasks.iloc[0]["task_msg_id"]   # … but it is shown


def _wecom_line(msgid, sender, ms, text=None, recall_of=None):
    import json
    row = {"msgid": msgid, "action": "send", "from": sender, "tolist": ["x"], "roomid": "wr_ops", "msgtime": ms}
    if recall_of:
        row.update(action="recall", msgtype="revoke", revoke={"pre_msgid": recall_of})
    else:
        row.update(msgtype="text", text={"content": text})
    return json.dumps(row, ensure_ascii=False) + "\n"


def test_recalled_messages_are_evidence_not_assessed(tmp_path):
    base = int(datetime(2026, 5, 11, 16, 0).timestamp() * 1000) if False else 1778486400000  # 2026-05-11 16:00 +08
    lines = [
        _wecom_line("m1", "lintao", base, TASK),
        _wecom_line("m2", "lintao", base + 60_000, recall_of="m1"),      # the task was recalled at once
        _wecom_line("m3", "luogang", base + 120_000, "你就是个废物"),
        _wecom_line("m4", "luogang", base + 130_000, recall_of="m3"),    # so was the insult
    ]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "archive.jsonl").write_text("".join(lines), encoding="utf-8")
    data = dict(EXAMPLES["roster"])
    data["groups"] = [{**data["groups"][0], "ids": ["wr_ops"]}]
    data["members"] = [dict(p, aliases={"林涛": ["lintao"], "罗刚": ["luogang"]}.get(p["name"], []))
                       for p in data["members"]]
    path = tmp_path / "roster.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = api.audit([folder], api.Options(roster=path))
    assert money_events(result) == [] and len(result.tasks) == 0
    kinds = dict(zip(result.messages["msg_id"], result.messages["kind"]))
    assert kinds["m1"] == "recalled" and kinds["m3"] == "recalled"
    assert set(result.messages["group"]) == {GROUP}


def test_same_chat_in_two_formats_counts_once(tmp_path):
    """A WeFlow TXT and a ChatLab JSON of one chat side by side: every message once, the same fines."""
    case = next(c for c in EXAMPLES["cases"] if c["id"] == "late-with-delay")
    messages = [{"ts": datetime.fromisoformat(str(ts)), "sender": s, "text": t} for ts, s, t in case["messages"]]
    write_export(tmp_path / "in", messages, GROUP, "weflow_txt")
    write_export(tmp_path / "in", messages, GROUP, "memotrace_v3_csv")
    result = api.audit([tmp_path / "in"], api.Options(roster=roster(tmp_path)))
    assert len(result.messages) == len(messages)
    assert money_events(result) == sorted((e["member"], e["rule"], int(e["count"]), e["month"])
                                          for e in case["events"])


def test_copies_merge_in_a_group_read_twice_while_another_group_is_left_alone(tmp_path):
    case = next(c for c in EXAMPLES["cases"] if c["id"] == "late-with-delay")
    messages = [{"ts": datetime.fromisoformat(str(ts)), "sender": s, "text": t} for ts, s, t in case["messages"]]
    write_export(tmp_path / "in", messages, GROUP, "memotrace_v3_txt")
    write_export(tmp_path / "in", messages, GROUP, "memotrace_v3_csv")
    write_export(tmp_path / "in", messages, "另一个群", "weflow_txt")
    from wgm import ingest
    from wgm.roster import Roster
    result = ingest.ingest([tmp_path / "in"], Roster())
    counts = result.messages.groupby("group").size().to_dict()
    assert counts == {GROUP: len(messages), "另一个群": len(messages)}
    assert result.messages.equals(result.messages.sort_values(["group", "ts"], kind="stable"))
    assert any("appear in more than one export" in w for w in result.warnings)


def test_hash_ids_are_made_under_the_group_name_the_run_gives_and_do_not_depend_on_workers(tmp_path, monkeypatch):
    """A message without an exporter id gets wgm.ids' hash of its group (as the roster names it),
    time, sender and text, numbered among identical ones; the same with one process or several."""
    from datetime import datetime as dt

    import pandas as pd

    from wgm import ids, ingest, parallel
    from wgm.roster import load_roster

    def txt(*rows: tuple[str, str, str]) -> str:
        return "".join(f"{ts} {who}\n{text}\n\n" for ts, who, text in rows)
    repeat = ("2026-03-02 09:00:00", "张三-运营部", "收到")
    files = {"甲群(111@chatroom)/甲群.txt": txt(repeat, repeat, ("2026-03-02 09:05:00", "李四-财务部", "好的")),
             "x/乙群.txt": txt(repeat, ("2026-03-02 09:01:00", "李四-财务部", "明天发")),
             "y/乙群.txt": txt(repeat, repeat, ("2026-03-02 10:00:00", "李四-财务部", "已完成")),
             "z/丙群.txt": txt(repeat, repeat)}
    for name, text in files.items():
        (tmp_path / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / name).write_text(text, encoding="utf-8")
    (tmp_path / "roster.yaml").write_text("members:\n  - {name: 张三, dept: 运营部}\n"
                                          "groups:\n  - {name: 华信-甲群, ids: ['111@chatroom']}\n", encoding="utf-8")
    roster = load_roster(tmp_path / "roster.yaml")
    one = ingest.ingest([tmp_path / "in"], roster).messages
    monkeypatch.setattr(parallel, "MIN_ROWS_PER_WORKER", 1)
    two = ingest.ingest([tmp_path / "in"], roster, jobs=2).messages
    assert set(one["group"]) == {"华信-甲群", "乙群", "丙群"}
    assert one.equals(two)
    renamed = one[one["group"] == "华信-甲群"]
    expected = ids.message_ids(["华信-甲群"] * 3, pd.Series([dt(2026, 3, 2, 9, 0)] * 2 + [dt(2026, 3, 2, 9, 5)]),
                               ["张三-运营部", "张三-运营部", "李四-财务部"], ["收到", "收到", "好的"])
    assert renamed["msg_id"].tolist() == expected and len(set(expected)) == 3

def test_an_exporter_id_two_messages_share_loses_neither(tmp_path):
    """Two chats (or two databases' local ids) can give different messages the same id: both are kept,
    told apart; the same message twice is still one."""
    from wgm import ingest
    from wgm.roster import Roster
    rows = [["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"],
            ["1001", "文本", "张三-运营部", "2026-03-02 09:00:00", "收到", "", "", ""],
            ["1001", "文本", "李四-财务部", "2026-03-02 09:05:00", "明天发", "", "", ""],
            ["1002", "文本", "李四-财务部", "2026-03-02 09:06:00", "好的", "", "", ""]]
    for name in ("甲群", "乙群"):
        path = tmp_path / "in" / f"{name}(1@chatroom)" / f"{name}.csv"
        path.parent.mkdir(parents=True)
        body = rows if name == "甲群" else rows[:2] + [rows[3]]
        path.write_text("\ufeff" + "\r\n".join(",".join(r) for r in body) + "\r\n", encoding="utf-8")
    again = tmp_path / "in" / "earlier" / "甲群(1@chatroom)" / "甲群.csv"      # an overlapping second export
    again.parent.mkdir(parents=True)
    again.write_text("\ufeff" + "\r\n".join(",".join(r) for r in rows[:2]) + "\r\n", encoding="utf-8")
    messages = ingest.ingest([tmp_path / "in"], Roster()).messages
    assert sorted(messages.groupby("group").size().items()) == [("乙群", 2), ("甲群", 3)]
    assert messages["msg_id"].is_unique
    assert sorted(messages.loc[messages["group"] == "甲群", "content"]) == sorted(["收到", "好的", "明天发"])
