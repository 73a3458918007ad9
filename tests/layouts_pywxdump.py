"""Renderers of the PyWxDump family (formats.md §F6) and WeFlow's "WeClone" CSV (§F9); see tests/layouts.py.

PyWxDump names senders by wxid and writes their names into users.json beside the export; a renderer
makes each sender's wxid from the name (stable across calls) unless the message carries one.
"""

from __future__ import annotations

import csv
import io
import json
import zlib
from datetime import datetime, timedelta

_FIRST_SVRID = 7301111111111111101


def wxid_of(m: dict) -> str:
    return m.get("sender_id") or f"wxid_{zlib.crc32(m['sender'].encode()):08x}"


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _csv(rows: list[list], bom: bool = False) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, quoting=csv.QUOTE_MINIMAL).writerows(rows)   # excel dialect: CRLF, minimal quoting
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def _users_json(messages: list[dict]) -> bytes:
    users = {}
    for m in messages:
        if m.get("system"):
            continue
        wxid = wxid_of(m)
        users[wxid] = {"wxid": wxid, "nickname": m["sender"], "remark": "", "account": "", "describe": "",
                       "headImgUrl": "", "ExtraBuf": None, "LabelIDList": [], "extra": None}
    return json.dumps(users, ensure_ascii=False, indent=4).encode("utf-8")


def _fields(m: dict, i: int, group_id: str) -> dict:
    """One message as PyWxDump's get_msg_detail row (type_name, talker, msg …)."""
    if m.get("system"):
        type_name, talker, msg = "系统通知", "未知", m["text"]
    elif m.get("quote"):
        # the quoted message's time is not part of a rendered conversation: the reply's own stands in
        q = m["quote"]
        type_name, talker, msg = "引用回复", wxid_of(m), f"{m['text']}\n\n[引用]({_ts(m['ts'])}){q['sender']}:{q['text']}"
    else:
        type_name, talker, msg = "文本", wxid_of(m), m["text"]
    return {"id": i + 1, "MsgSvrID": str(_FIRST_SVRID + i), "type_name": type_name, "is_sender": 0,
            "talker": talker, "room_name": group_id, "msg": msg, "src": "", "CreateTime": _ts(m["ts"])}


def _export_name(group_id: str, messages: list[dict], suffix: str) -> str:
    # PyWxDump pages by 5000 rows, or count+1 when fewer: <chat>/<chat>_0_<n+1>.<suffix>
    return f"{group_id}/{group_id}_0_{len(messages) + 1}.{suffix}"


def pywxdump_csv(messages: list[dict], group: str, group_id: str) -> dict[str, bytes]:
    header = ["id", "MsgSvrID", "type_name", "is_sender", "talker", "room_name", "msg", "src", "CreateTime"]
    rows = [header] + [[f[k] for k in header] for f in (_fields(m, i, group_id) for i, m in enumerate(messages))]
    return {_export_name(group_id, messages, "csv"): _csv(rows), f"{group_id}/users.json": _users_json(messages)}


def pywxdump_csv_v24(messages: list[dict], group: str, group_id: str) -> dict[str, bytes]:
    """v2.4 wrote no users.json; the one here stands for a later export's (or the user's) put beside it."""
    header = ["id", "MsgSvrID", "type_name", "is_sender", "talker", "room_name", "content", "CreateTime"]
    rows = [header]
    for i, m in enumerate(messages):
        f = _fields(m, i, group_id)
        content = json.dumps({"src": f["src"], "msg": f["msg"]}, ensure_ascii=False)
        rows.append([f["id"], f["MsgSvrID"], f["type_name"], f["is_sender"], f["talker"], f["room_name"], content,
                     f["CreateTime"]])
    return {_export_name(group_id, messages, "csv"): _csv(rows), f"{group_id}/users.json": _users_json(messages)}


def pywxdump_json(messages: list[dict], group: str, group_id: str) -> dict[str, bytes]:
    items = []
    for i, m in enumerate(messages):
        f = _fields(m, i, group_id)
        created = f.pop("CreateTime")
        items.append({**f, "extra": {}, "CreateTime": created})
    data = json.dumps(items, ensure_ascii=False, indent=4).encode("utf-8")
    return {_export_name(group_id, messages, "json"): data, f"{group_id}/users.json": _users_json(messages)}


def _utc_iso(t: datetime) -> str:
    # WeFlow: new Date(s * 1000).toISOString(), from a local time taken in UTC+8
    return (t - timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def weflow_weclone_csv(messages: list[dict], group: str, group_id: str, exporter: str = "导出账号") -> tuple[str, bytes]:
    rows = [["id", "MsgSvrID", "type_name", "is_sender", "talker", "msg", "src", "CreateTime"]]
    for i, m in enumerate(messages):
        if m.get("system"):   # WeFlow gives system lines the exporting account
            talker, is_sender, msg = exporter, 1, m["text"]
        else:
            talker, is_sender = m["sender"], 0
            msg = m["text"] + (f"[引用 {m['quote']['sender']}：{m['quote']['text']}]" if m.get("quote") else "")
        rows.append([i + 1, str(_FIRST_SVRID + i), "text", is_sender, talker, msg, "", _utc_iso(m["ts"])])
    return f"{group}.csv", _csv(rows, bom=True)


RENDERERS = {
    "pywxdump_csv": pywxdump_csv,
    "pywxdump_csv_v24": pywxdump_csv_v24,
    "pywxdump_json": pywxdump_json,
    "weflow_weclone_csv": weflow_weclone_csv,
}
LOSSES = {
    "pywxdump_csv": set(),
    "pywxdump_csv_v24": set(),
    "pywxdump_json": set(),
    "weflow_weclone_csv": {"system_by_text"},
}
