"""Render the hand-written sample month (*.chat beside this file) into sample_exports/ as 留痕 writes it.

    python tests/data/sample_month/make_sample_exports.py        # rewrites sample_exports/聊天记录/
The test suite checks that the shipped files equal this rendering, so edit the .chat files, not the exports.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))
from tests.layouts import render  # noqa: E402

LAYOUT = {"华信科技-运营管理群": ("memotrace_v3_txt", "44556677889@chatroom"),
          "华信科技-项目交付群": ("memotrace_v2_csv", "55667788990@chatroom")}
_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) ([^:>]*?)(?:> ([^:]*): (.*?) :)?: (.*)$")


_MENTION_GAP = re.compile(r"(@[^\s@]+) ")


def read_chat(path: Path, mobile_mentions: bool = False) -> list[dict]:
    messages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        ts, sender, qsender, qtext, body = _LINE.match(line).groups()
        text = body.replace("\\n", "\n")
        if mobile_mentions:  # WeChat on a phone puts U+2005 after a mention, PC clients a space
            text = _MENTION_GAP.sub("\\1\u2005", text)
        m = {"ts": datetime.fromisoformat(ts), "sender": sender, "text": text}
        if sender == "系统":
            m = {**m, "sender": "", "system": True}
        if qsender:
            m["quote"] = {"sender": qsender, "text": qtext}
        messages.append(m)
    return messages


def rendered() -> dict[str, bytes]:
    out = {}
    for group, (layout, chat_id) in LAYOUT.items():
        messages = read_chat(HERE / f"{group}.chat", mobile_mentions=layout.endswith("txt"))
        relpath, data = render(messages, group, layout, chat_id)
        out[relpath] = data
    return out


if __name__ == "__main__":
    for relpath, data in rendered().items():
        target = ROOT / "sample_exports" / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        print(f"wrote {target.relative_to(ROOT)}")
