"""Small chats written inline in tests (beancount load_doc style), audited without any export file.

    2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于明天12:00前完成A区库存盘点
    2026-05-11 10:05:31 罗刚-仓储部: 收到
    2026-05-11 10:06:00 罗刚-仓储部> 林涛-运营部: 请于明天 … :: 收到   (a quote: '>' quoted sender ':' quoted text ':' reply)
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pandas as pd

from wgm import api, schema
from wgm.schema import M

GROUP = "远航物流-运营管理群"
ROSTER = """company: 远航物流
members:
  - {name: 马骏, dept: 总经办, role: member}
  - {name: 何敏, dept: 行政部, role: office, supervisor: 马骏}
  - {name: 林涛, dept: 运营部, role: head, supervisor: 马骏}
  - {name: 徐丽, dept: 运营部, role: member, supervisor: 林涛}
  - {name: 高峰, dept: 财务部, role: head, supervisor: 马骏}
  - {name: 罗刚, dept: 仓储部, role: head, supervisor: 马骏}
  - {name: 谢婷, dept: 客服部, role: head, supervisor: 马骏}
  - {name: 韩冰, dept: IT部, role: head, supervisor: 马骏, aliases: [Bing]}
groups:
  - name: 远航物流-运营管理群
    admins: [何敏]
    members: [马骏, 何敏, 林涛, 徐丽, 高峰, 罗刚, 谢婷, 韩冰]
"""
_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) ([^:>]*?)(?:> ([^:]*): (.*?) :)?: (.*)$")


def chat_frame(text: str, group: str = GROUP) -> pd.DataFrame:
    rows = []
    for n, line in enumerate(l for l in text.strip().splitlines() if l.strip()):
        m = _LINE.match(line.strip())
        assert m, f"bad chat line: {line}"
        ts, sender, qsender, qtext, body = m.groups()
        system = sender == "系统"
        media = "system" if system else "redpacket" if body.startswith("[红包]") \
            else "image" if body.startswith("【图片】") else "text"   # as parsers read them (留痕 writes 【图片】)
        rows.append({M.group: group, M.ts: datetime.fromisoformat(ts), M.sender: "" if system else sender,
                     M.media: media, M.text: body, M.content: body,
                     M.quote_sender: qsender or "", M.quote_text: qtext or "", M.source: "chat", M.line: n + 1,
                     M.line_end: n + 1, M.fmt: "inline", M.precision: "s"})
    return schema.conform(pd.DataFrame(rows), schema.PARSED_COLUMNS)


def end_of_month(t: datetime) -> datetime:
    import calendar
    return t.replace(day=calendar.monthrange(t.year, t.month)[1], hour=23, minute=59, second=59, microsecond=0)


def audit_chat(text: str, tmp_path: Path, roster: str | None = ROSTER, sets: tuple[str, ...] = (), **options):
    """Audit an inline chat. Unless `as_of` is given, its export counts as made at the end of the month
    of its last message (the convention of the worked cases, examples.yaml)."""
    frame = chat_frame(text)
    if "as_of" not in options and len(frame):
        options["as_of"] = end_of_month(frame[M.ts].max().to_pydatetime())
    roster_path = None
    if roster is not None:
        roster_path = tmp_path / "roster.yaml"
        roster_path.write_text(roster, encoding="utf-8")
    opts = api.Options(roster=roster_path, set=sets, **options)
    return api.audit([], opts, ingested=api.ingested_from_frame(frame, opts))


def events_of(result) -> list[tuple]:
    ev = result.events
    return sorted((r.member, r.rule, int(r.count)) for r in ev.itertuples(index=False)
                  if r.rule not in ("naming", "after_hours"))
