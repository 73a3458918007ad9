"""Renderers of the smaller layouts: WechatExporter TXT, WechatBakTool TXT, WeChat Mac copy."""

from __future__ import annotations

from datetime import datetime


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _wechatexporter(messages: list[dict], group: str, group_id: str):
    body = []
    for m in messages:
        if m.get("system"):
            body.append(f"{m['text']}\n")                       # notice.html: no name, no time
        elif m.get("quote"):
            q = m["quote"]
            body.append(f"「{q['sender']}：{q['text']}」\n- - - - - - - - - - - - - - -\n{m['text']}\n")
        else:
            body.append(f"{m['sender']} ({_ts(m['ts'])}):{m['text']}\n")
    return f"{group}/index.txt", f"{group} - 微信聊天记录\n\n{''.join(body)}\n".encode("utf-8")


def _wechatbaktool(messages: list[dict], group: str, group_id: str):
    from tests.layouts_weflow_json import exported_at
    out = [f"WechatBakTool\n与 {group} 的聊天记录\n导出时间：{exported_at(messages):%Y-%m-%d %H:%M:%S}\n{'=' * 65}\n\n\n"]
    for m in messages:
        if m.get("system"):
            out.append(f"{_ts(m['ts'])} | :\n")
        elif m.get("quote"):
            out.append(f"{_ts(m['ts'])} | {m['sender']}:,标题：{m['text']},链接：\n")
        else:
            out.append(f"{_ts(m['ts'])} | {m['sender']}:{m['text']}\n")
    return f"{group}.txt", "".join(out).encode("utf-8")


def _mac_copy(messages: list[dict], group: str, group_id: str):
    records = [f"{m['sender']} {m['ts'].year}/{m['ts'].month}/{m['ts'].day} {m['ts']:%H:%M}\n{m['text']}\n"
               for m in messages if not m.get("system")]
    return f"{group}.txt", "\n".join(records).encode("utf-8")


RENDERERS = {"wechatexporter_txt": _wechatexporter, "wechatbaktool_txt": _wechatbaktool,
             "wechat_mac_copy": _mac_copy}
LOSSES = {"wechatexporter_txt": {"untimed_records", "quote_unattributed"},
          "wechatbaktool_txt": {"system_text_lost", "quote_dropped"},
          "wechat_mac_copy": {"minute_precision", "system_absent", "quote_dropped"}}
