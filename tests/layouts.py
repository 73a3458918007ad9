"""Render a conversation into each supported export layout, byte for byte as the tool writes it.

Used by the worked-case tests (every case in every layout) and the round-trip property tests.
A message is a dict: {ts: datetime (local wall-clock time), sender: str, text: str, sender_id?: str,
quote?: {sender, text}, system?: bool}.

Families of layouts live in tests/layouts_<family>.py, each with
RENDERERS = {layout: fn(messages, group, group_id) -> (relative path, bytes) or {relative path: bytes}
(several files, the export first: PyWxDump's users.json)}, LOSSES = {layout: set of what the layout
cannot carry} (see LOSS_FLAGS) and optionally EXPECT = {layout: fn(message dict) -> the message dict the
parser must give back} for layouts that rewrite what they carry (strip, re-time); merged here.
"""

from __future__ import annotations

import csv
import io
import re
import zlib
from datetime import datetime, timedelta, timezone

# What a layout loses, as the round-trip property test must expect it:
LOSS_FLAGS = {
    "sender_sanitized": "sender names pass through sanitize() (留痕 v2)",
    "quote_text_lost": "a quoted reply's words are not exported (留痕 v2 CSV)",
    "system_by_text": "system lines carry the exporter's name; only recognisable texts become system",
    "quote_sender_remark": "the quoted sender is shown under another name than the sender column",
    "quote_unattributed": "a quote carries no sender (WechatExporter)",
    "sender_is_id": "messages carry ids only; names come from the roster (WeCom archive)",
    "minute_precision": "times have no seconds",
    "system_absent": "system lines are not in the export at all",
    "system_text_lost": "system lines are exported without their text (WechatBakTool)",
    "quote_dropped": "a quoted reply is exported as its own words only (no quote)",
    "untimed_records": "quotes and notices carry no sender or time: timed at the message before (WechatExporter)",
}
_SANITIZE = re.compile(r'[\\/:*?"<>|\s.]')
_CHINA = timezone(timedelta(hours=8))


def sanitize(name: str) -> str:
    """留痕 replaces these characters in remark/nickname based names (file-name safe)."""
    return _SANITIZE.sub("_", name)


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _v2_txt(messages: list[dict]) -> str:
    out = []
    for m in messages:
        if m.get("system"):
            out.append(f"{_ts(m['ts'])} {m['text']}\n\n")
            continue
        body = m["text"]
        if m.get("quote"):
            body += f"\n引用:{sanitize(m['quote']['sender'])}:{m['quote']['text']}"
        out.append(f"{_ts(m['ts'])} {sanitize(m['sender'])}\n{body}\n\n")
    return "".join(out)


def _v3_body(m: dict) -> str:
    body = m["text"]
    if m.get("quote"):
        body += f"\n引用：{m['quote']['sender']}: {m['quote']['text']}"
    return body


def _v3_txt(messages: list[dict]) -> str:
    records = []
    for m in messages:
        head = _ts(m["ts"]) if m.get("system") else f"{_ts(m['ts'])} {m['sender']}"
        records.append(f"{head}\n{_v3_body(m)}")
    return "\n\n".join(records)


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(rows)   # excel dialect: CRLF row ends, minimal quoting
    return "\ufeff" + buf.getvalue()


def _v2_csv(messages: list[dict]) -> str:
    rows = [["localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime", "Status", "StrContent", "StrTime",
             "Remark", "NickName", "Sender"]]
    for i, m in enumerate(messages):
        epoch = str(int(m["ts"].replace(tzinfo=_CHINA).timestamp()))
        if m.get("system"):
            rows.append([str(1001 + i), "217", "10000", "0", "0", epoch, "3", m["text"], _ts(m["ts"]), "", "", ""])
            continue
        sender_id = m.get("sender_id") or f"wxid_{zlib.crc32(m['sender'].encode()):08x}"
        if m.get("quote"):
            # v2 keeps a quote's XML in CompressContent, so its CSV cell is empty (formats.md §F2)
            kind, sub, content = "49", "57", ""
        else:
            kind, sub, content = "1", "0", m["text"]
        rows.append([str(1001 + i), "217", kind, sub, "0", epoch, "3", content, _ts(m["ts"]), sanitize(m["sender"]),
                     m["sender"], sender_id])
    return _csv(rows)


def _v3_csv(messages: list[dict]) -> str:
    rows = [["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"]]
    for i, m in enumerate(messages):
        msg_id = str(7301111111111111101 + i)
        if m.get("system"):
            rows.append([msg_id, "系统消息", "", _ts(m["ts"]), m["text"], "", "", "more"])
        else:
            kind = "引用消息" if m.get("quote") else "文本"
            rows.append([msg_id, kind, m["sender"], _ts(m["ts"]), _v3_body(m), m["sender"], m["sender"], "more"])
    return _csv(rows)


def _weflow_txt(messages: list[dict], exporter: str = "导出账号") -> str:
    out = []
    for m in messages:
        sender = exporter if m.get("system") else m["sender"]   # WeFlow gives system lines the exporting account
        body = m["text"] + (f"[引用 {m['quote']['sender']}：{m['quote']['text']}]" if m.get("quote") else "")
        out.append(f"{_ts(m['ts'])} '{sender}'\n{body}\n\n")
    return "".join(out)


def render_files(messages: list[dict], group: str, layout: str,
                 group_id: str = "44556677889@chatroom") -> dict[str, bytes]:
    """{relative path as the tool writes it: bytes}, the export itself first."""
    out = _render(messages, group, layout, group_id)
    return out if isinstance(out, dict) else {out[0]: out[1]}


def write_export(folder, messages: list[dict], group: str, layout: str, **kw):
    """Write the files of a rendered export under `folder`; returns the path of the export itself."""
    from pathlib import Path
    paths = []
    for relpath, data in render_files(messages, group, layout, **kw).items():
        target = Path(folder) / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        paths.append(target)
    return paths[0]


def render(messages: list[dict], group: str, layout: str, group_id: str = "44556677889@chatroom") -> tuple[str, bytes]:
    """(relative path, bytes) of the export itself (side files such as users.json left out)."""
    return next(iter(render_files(messages, group, layout, group_id).items()))


def _render(messages: list[dict], group: str, layout: str, group_id: str):
    if layout in _FAMILY_RENDERERS:
        return _FAMILY_RENDERERS[layout](messages, group, group_id)
    if layout == "memotrace_v2_txt":
        return f"聊天记录/{group}/{group}.txt", _v2_txt(messages).encode("utf-8")
    if layout == "memotrace_v3_txt":
        return f"聊天记录/{group}({group_id})/{group}.txt", _v3_txt(messages).encode("utf-8")
    if layout == "memotrace_v2_csv":
        return f"聊天记录/{group}/{group}_utf8.csv", _v2_csv(messages).encode("utf-8")
    if layout == "memotrace_v3_csv":
        return f"聊天记录/{group}({group_id})/{group}.csv", _v3_csv(messages).encode("utf-8")
    if layout == "weflow_txt":
        return f"{group}.txt", _weflow_txt(messages).encode("utf-8")
    raise ValueError(f"unknown layout {layout}")


def _families():
    from tests import layouts_chatlog, layouts_minor, layouts_pywxdump, layouts_wecom, layouts_weflow_json
    renderers, losses, expect = {}, {}, {}
    for module in (layouts_weflow_json, layouts_chatlog, layouts_pywxdump, layouts_wecom, layouts_minor):
        renderers.update(module.RENDERERS)
        losses.update(module.LOSSES)
        expect.update(getattr(module, "EXPECT", {}))
    return renderers, losses, expect


_FAMILY_RENDERERS, _FAMILY_LOSSES, EXPECT = _families()
LAYOUTS = ("memotrace_v2_txt", "memotrace_v2_csv", "memotrace_v3_txt", "memotrace_v3_csv", "weflow_txt",
           *_FAMILY_RENDERERS)
LOSSES: dict[str, set[str]] = {
    "memotrace_v2_txt": {"sender_sanitized"}, "memotrace_v2_csv": {"sender_sanitized", "quote_text_lost"},
    "memotrace_v3_txt": set(), "memotrace_v3_csv": set(), "weflow_txt": {"system_by_text"},
    **_FAMILY_LOSSES,
}
