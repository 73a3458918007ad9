"""The labelled corpus (tests/data/corpus/*.yaml): loading and shape checks.

    python -m tests.corpus check tests/data/corpus/*.yaml
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
RULES = ("reply_missed", "reply_late", "reply_after_requested", "meeting_reply_missed", "meeting_reply_late",
         "promise_missed", "delay_days", "format", "repost", "verification_missing", "off_topic_after_warning",
         "incivility", "leak", "false_info", "loss", "quit_group")
ROLES = {"task", "meeting", "repost", "reply", "promise", "rsvp", "progress", "completion", "verification",
         "reminder", "escalation", "warning", "off_topic", "incivility", "chat", "system"}
TASK_REF = {"repost", "reply", "promise", "rsvp", "progress", "completion", "verification", "reminder", "escalation"}
TIME_FIELDS = ("ts", "deadline", "reply_by", "promised")
MISSING = {"what", "deadline", "who"}


@dataclass(frozen=True)
class Month:
    path: Path
    data: dict

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def split(self) -> str:
        return self.data.get("split", "dev")

    @property
    def messages(self) -> list[dict]:
        return self.data["messages"]

    @property
    def group(self) -> str:
        return self.data["roster"]["groups"][0]["name"]


def load(path: Path) -> Month:
    return Month(Path(path), yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def months(split: str | None = None) -> list[Month]:
    found = [load(p) for p in sorted(CORPUS.glob("*.yaml"))]
    return [m for m in found if split is None or m.split == split]


def _time(value, where: str, problems: list[str]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where}: not a time {value!r}")
        return None


def check(month: Month) -> list[str]:
    """Every problem of one month's shape, as text (empty: fine)."""
    p: list[str] = []
    d = month.data
    for key in ("id", "workplace", "as_of", "roster", "messages", "events"):
        if key not in d:
            p.append(f"missing top-level key {key}")
    if p:
        return p
    if d["id"] != month.path.stem:
        p.append(f"id {d['id']!r} is not the file name {month.path.stem!r}")
    roster = d["roster"]
    people = {m["name"]: m for m in roster.get("members", [])}
    aliases = {a: m["name"] for m in roster.get("members", []) for a in m.get("aliases", []) or []}
    groups = roster.get("groups", [])
    if len(groups) != 1:
        p.append("the roster must have exactly one group (one group per file)")
    else:
        for name in list(groups[0].get("admins", [])) + list(groups[0].get("members", [])):
            if name not in people:
                p.append(f"group lists {name!r}, not a roster member")
    for m in people.values():
        if m.get("supervisor") and m["supervisor"] not in people:
            p.append(f"{m['name']}: supervisor {m['supervisor']!r} is not a roster member")
        if m.get("role", "member") not in ("head", "admin", "office", "member"):
            p.append(f"{m['name']}: role {m.get('role')!r}")
    as_of = _time(d["as_of"], "as_of", p)
    ids: dict[str, dict] = {}
    last = None
    for i, msg in enumerate(d["messages"]):
        where = f"message {msg.get('id', i)}"
        for key in ("id", "ts", "from", "text", "role"):
            if key not in msg:
                p.append(f"{where}: missing {key}")
        if any(k not in msg for k in ("id", "ts", "from", "text", "role")):
            continue
        if msg["id"] in ids:
            p.append(f"{where}: duplicate id")
        ids[msg["id"]] = msg
        for f in TIME_FIELDS:
            if msg.get(f) is not None:
                _time(msg[f], f"{where}.{f}", p)
        ts = _time(msg["ts"], where, p)
        if ts and last and ts < last:
            p.append(f"{where}: time {ts} before the previous message's {last}")
        last = ts or last
        if ts and as_of and ts > as_of:
            p.append(f"{where}: after as_of")
        sender = msg["from"]
        if sender != "系统" and sender not in aliases and not any(n in sender for n in people):
            p.append(f"{where}: sender {sender!r} names no roster member (add an alias)")
        role = msg["role"]
        if role not in ROLES:
            p.append(f"{where}: unknown role {role!r}")
        if msg.get("quote") and msg["quote"] not in ids:
            p.append(f"{where}: quotes {msg['quote']!r}, not an earlier message")
        if role in TASK_REF:
            refs = msg.get("tasks") or ([msg["task"]] if msg.get("task") else [])
            if not refs:
                p.append(f"{where}: role {role} needs task (or tasks)")
            for ref in refs:
                if ref not in ids or ids[ref]["role"] not in ("task", "meeting"):
                    p.append(f"{where}: task {ref!r} is not an earlier task or meeting")
        if role in ("task", "meeting"):
            for r in msg.get("receivers") or []:
                if r not in people:
                    p.append(f"{where}: receiver {r!r} is not a roster member")
            if not msg.get("receivers") and "who" not in (msg.get("missing") or []):
                p.append(f"{where}: a {role} needs receivers (or `missing: [who]`)")
            if set(msg.get("missing") or []) - MISSING:
                p.append(f"{where}: missing takes {sorted(MISSING)}")
        if role == "promise" and not msg.get("promised"):
            p.append(f"{where}: a promise needs promised")
        if role == "warning":
            for t in msg.get("targets") or []:
                if t not in people:
                    p.append(f"{where}: target {t!r} is not a roster member")
    for j, ev in enumerate(d["events"] or []):
        where = f"event {j + 1}"
        if ev.get("rule") not in RULES:
            p.append(f"{where}: unknown rule {ev.get('rule')!r}")
        if ev.get("member") not in people:
            p.append(f"{where}: member {ev.get('member')!r} is not a roster member")
        if not isinstance(ev.get("count"), int) or ev["count"] < 1:
            p.append(f"{where}: count must be a positive integer")
        if len(str(ev.get("month", ""))) != 7:
            p.append(f"{where}: month YYYY-MM")
        if ev.get("task") and ev["task"] not in ids:
            p.append(f"{where}: task {ev['task']!r} unknown")
    for t in d.get("not_judged") or []:
        if t not in ids:
            p.append(f"not_judged: {t!r} unknown")
    return p


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "check":
        print(__doc__)
        return 2
    bad = 0
    for name in argv[1:]:
        month = load(Path(name))
        problems = check(month)
        n = len(month.messages) if isinstance(month.data.get("messages"), list) else 0
        print(f"{name}: {n} messages, {len(month.data.get('events') or [])} events, "
              f"{'ok' if not problems else f'{len(problems)} problems'}")
        for problem in problems:
            print(f"  {problem}")
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
