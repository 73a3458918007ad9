"""How well wgm understands how people write: scored on the labelled corpus (tests/data/corpus).

    python bench/classifier.py                 # both splits: scores only
    python bench/classifier.py --split dev --show 40     # dev months, with what went wrong
    python bench/classifier.py --json bench/classifier.json

Each month is rendered as the 留痕 3.x TXT export its group would give (media as 留痕 writes them),
audited with its roster and export time, and compared with its truth:
- (member, rule) cells: the count wgm gives against the hand-derived count, over every cell either
  side has (money rules; naming and after_hours are flags); member totals at the default amounts;
- roles: what wgm made of each message against its label, precision and recall per role;
- tags: each lexical tag against the roles it stands for;
- review load: events and messages marked for review per 100 messages.
Held-out months are scored only: --show prints what went wrong for dev months alone, so that
nobody tunes on what they are scored on.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from tests.corpus import Month, months  # noqa: E402
from tests.layouts import render  # noqa: E402
from wgm import api, settings as settings_mod  # noqa: E402
from wgm.catalog import BY_ID  # noqa: E402

FLAGS = {"naming", "after_hours"}
# what the truth's roles are scored as
ROLE_OF_LABEL = {"progress": "reply"}
ROLES = ("task", "meeting", "repost", "reply", "promise", "rsvp", "completion", "verification", "reminder",
         "escalation", "warning", "off_topic", "incivility")
# the roles a lexical tag stands for
TAG_ROLES = {"ack": {"reply", "promise", "rsvp"}, "meeting_reply": {"rsvp"}, "done": {"completion"},
             "verify": {"verification"}, "reminder": {"reminder"}, "escalation": {"escalation"},
             "task_verb": {"task", "repost"}, "meeting": {"meeting"}, "warning": {"warning"},
             "off_topic": {"off_topic"}, "incivility": {"incivility"}}
# media as 留痕 3.x writes them
# (anywhere in the text: a v2 placeholder left inside a message made the export read as a v2 one, whose
# quote lines then stayed in the messages' words)
_MEDIA = [(re.compile(r"\[图片\]"), "【图片】"), (re.compile(r"\[动画表情\]|\[表情\]"), "【表情包】"),
          (re.compile(r"\[文件\]\s*"), "【文件】"), (re.compile(r"\[链接\]\s*"), "【分享链接】"),
          (re.compile(r"\[红包\]"), "【红包】"), (re.compile(r"\[语音\]"), "【语音】"), (re.compile(r"\[视频\]"), "【视频】")]


def as_export_text(text: str) -> str:
    for pattern, placeholder in _MEDIA:
        text = pattern.sub(placeholder, text)
    return text


def _ts(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def run(month: Month, folder: Path):
    """Render the month, audit it; (result, corpus id → wgm msg_id)."""
    by_id = {m["id"]: m for m in month.messages}
    rendered = []
    for m in month.messages:
        item = {"ts": _ts(m["ts"]), "sender": m["from"], "text": as_export_text(str(m["text"]))}
        if m["from"] == "系统":
            item.update(system=True, sender="")
        if m.get("quote"):
            q = by_id[m["quote"]]
            item["quote"] = {"sender": q["from"], "text": as_export_text(str(q["text"]))}
        rendered.append(item)
    relpath, data = render(rendered, month.group, "memotrace_v3_txt", group_id="10000000001@chatroom")
    export = folder / "exports" / relpath
    export.parent.mkdir(parents=True, exist_ok=True)
    export.write_bytes(data)
    roster = folder / "roster.yaml"
    roster.write_text(yaml.safe_dump(month.data["roster"], allow_unicode=True), encoding="utf-8")
    result = api.audit([folder / "exports"], api.Options(roster=roster, as_of=_ts(month.data["as_of"]), jobs=1))
    # corpus message → wgm message: by time, sender and words, the n-th of identical ones in order
    keyed: dict[tuple, list[str]] = defaultdict(list)
    msgs = result.messages.sort_values(["ts", "line"], kind="stable")
    for mid, ts, sender, content in zip(msgs["msg_id"], msgs["ts"], msgs["sender"], msgs["content"]):
        keyed[(ts.to_pydatetime(), sender, content.strip())].append(mid)
    ids = {}
    for m, r in zip(month.messages, rendered):
        found = keyed.get((r["ts"], r["sender"], r["text"].strip()))
        if found:
            ids[m["id"]] = found.pop(0)
    return result, ids


def predicted_roles(result) -> dict[str, str]:
    """wgm msg_id → the role wgm gave it, in the corpus's words."""
    tasks = result.tasks
    meetings = set(tasks.loc[tasks["kind"] == "meeting", "task_id"])
    promises = set(tasks.loc[tasks["promise_stated"], "reply_msg_id"]) if "promise_stated" in tasks else set()
    out = {}
    for mid, kind, task_id in zip(result.messages["msg_id"], result.messages["kind"], result.messages["task_id"]):
        role = {"recalled": "system", "media": "chat"}.get(kind, kind)
        if kind == "reply":
            role = "rsvp" if task_id in meetings else "promise" if mid in promises else "reply"
        out[mid] = role
    rude = result.events[(result.events["rule"] == "incivility") & ~result.events["possible"]]
    for ids in rude["msg_ids"]:
        for mid in ids.split(";"):
            out[mid] = "incivility"
    return out


def cells(events, amounts) -> tuple[Counter, dict[str, float]]:
    counts: Counter = Counter()
    totals: dict[str, float] = defaultdict(float)
    for member, rule, count in events:
        if rule in FLAGS or not count:
            continue             # a flag; or a near-miss (疑似) or a dismissed event, which counts nothing
        counts[(member, rule)] += count
        totals[member] += count * float(amounts.get(rule, 0.0))
    return counts, totals


def score(month: Month, show: int = 0) -> dict:
    amounts = settings_mod.defaults().amounts
    with tempfile.TemporaryDirectory() as tmp:
        result, ids = run(month, Path(tmp))
    got_counts, got_totals = cells(zip(result.events["member"], result.events["rule"], result.events["count"]), amounts)
    truth = [(e["member"], e["rule"], int(e["count"])) for e in month.data["events"] or []]
    want_counts, want_totals = cells(truth, amounts)
    keys = set(got_counts) | set(want_counts)
    wrong_cells = sorted((k, want_counts.get(k, 0), got_counts.get(k, 0)) for k in keys
                         if got_counts.get(k, 0) != want_counts.get(k, 0))
    members = set(got_totals) | set(want_totals)
    wrong_totals = sorted(m for m in members if round(got_totals.get(m, 0), 2) != round(want_totals.get(m, 0), 2))
    roles = predicted_roles(result)
    confusion: Counter = Counter()
    examples: list[tuple] = []
    tags = dict(zip(result.messages["msg_id"], result.messages["tags"]))
    tag_hits: Counter = Counter()
    for m in month.messages:
        want = ROLE_OF_LABEL.get(m["role"], m["role"])
        mid = ids.get(m["id"])
        got = roles.get(mid, "unmatched") if mid else "unmatched"
        confusion[(want, got)] += 1
        if want != got:
            examples.append((m["id"], want, got, str(m["text"])[:60].replace("\n", " ⏎ ")))
        for tag in (tags.get(mid, "") if mid else "").split(";"):
            if tag in TAG_ROLES:
                tag_hits[(tag, "tagged")] += 1
                tag_hits[(tag, "right")] += want in TAG_ROLES[tag]
        for tag, stands in TAG_ROLES.items():
            if want in stands:
                tag_hits[(tag, "relevant")] += 1
                tag_hits[(tag, "found")] += bool(mid) and tag in tags.get(mid, "").split(";")
    links, times = _links_and_times(month, result, ids, roles)
    causes = _reply_missed_causes(month, result, ids)
    false_tasks = _false_task_signs(month, result, ids, roles)
    review = int(result.events["needs_review"].sum())
    # near-misses (疑似): listed for review, counted 0; a hit where the truth has more events in its cell
    near = result.events[result.events["possible"]]
    near_keys = Counter(zip(near["member"], near["rule"]))
    near_hits = sum(min(n, max(want_counts.get(k, 0) - got_counts.get(k, 0), 0)) for k, n in near_keys.items())
    out = {"id": month.id, "split": month.split, "messages": len(month.messages), "cells": len(keys),
           "cells_right": len(keys) - len(wrong_cells), "members": len(members),
           "totals_right": len(members) - len(wrong_totals), "review_events": review,
           "possible": len(near), "possible_hits": near_hits,
           "unmatched": sum(1 for m in month.messages if m["id"] not in ids),
           "confusion": {f"{w}|{g}": n for (w, g), n in confusion.items()},
           "tags": {f"{t}|{k}": n for (t, k), n in tag_hits.items()},
           "wrong_rules": dict(Counter(f"{r}|{'over' if g > w else 'under'}" for (_, r), w, g in wrong_cells)),
           "links": links, "times": times, "reply_missed_causes": causes,
           "false_tasks": false_tasks}
    if show:
        out["wrong_cells"] = [f"{m} {r}: truth {w}, wgm {g}" for (m, r), w, g in wrong_cells]
        out["wrong_roles"] = [f"{i} {w} → {g}: {t}" for i, w, g, t in examples[:show]]
    return out


def _same_time(a, b) -> bool:
    return a is not None and b is not None and not pd.isna(a) and pd.Timestamp(a) == pd.Timestamp(b)


def _links_and_times(month: Month, result, ids: dict[str, str], roles: dict[str, str]) -> tuple[dict, dict]:
    """Of the messages whose role wgm got right, how many it tied to the right task (links: right,
    of); of the truth's tasks that wgm found, how many have the truth's deadline, and of the promises
    the truth states, how many wgm read as the duty's promised time (times: kind → [right, of])."""
    tasks = result.tasks
    task_msg = dict(zip(tasks["task_id"], tasks["task_msg_id"]))
    wgm_task = dict(zip(result.messages["msg_id"], result.messages["task_id"]))
    rev = {v: k for k, v in ids.items()}
    links = {"right": 0, "of": 0}
    times = {"deadline": [0, 0], "promised": [0, 0]}
    for m in month.messages:
        mid = ids.get(m["id"])
        want = ROLE_OF_LABEL.get(m["role"], m["role"])
        if not mid or not m.get("task") or roles.get(mid) != want:
            continue
        links["of"] += 1
        links["right"] += rev.get(task_msg.get(wgm_task.get(mid, ""), ""), "") == m["task"]
    by_post = {k: g for k, g in tasks.groupby("task_msg_id")} if len(tasks) else {}
    member_of = dict(zip(result.messages["sender"], result.messages["member"]))
    for m in month.messages:
        mid = ids.get(m["id"])
        if m["role"] == "task" and m.get("deadline") and mid in by_post:
            times["deadline"][1] += 1
            times["deadline"][0] += _same_time(by_post[mid]["deadline"].iloc[0], m["deadline"])
        if m.get("promised") and m.get("task") and ids.get(m["task"]) in by_post:
            rows = by_post[ids[m["task"]]]
            mine = rows[rows["receiver"] == member_of.get(m["from"], "")]
            times["promised"][1] += 1
            times["promised"][0] += any(_same_time(p, m["promised"]) for p in mine["promised"])
    return links, times


def _false_task_signs(month: Month, result, ids: dict[str, str], roles: dict[str, str]) -> dict[str, int]:
    """What made wgm take a message for a task that the truth has as something else (counts only): how
    it named receivers (@, @所有人, no @: a name, a title or a department) and whether it stated a
    deadline and a task word — the signs to look at when precision drops on months nobody may read."""
    tasks = result.tasks.drop_duplicates("task_msg_id").set_index("task_msg_id")
    msgs = result.messages.set_index("msg_id")
    signs: Counter = Counter()
    for m in month.messages:
        mid = ids.get(m["id"])
        if not mid or roles.get(mid) not in ("task", "meeting") or m["role"] == roles[mid] \
                or m["role"] in ("task", "repost"):
            continue
        content = str(msgs.at[mid, "content"])
        named = "@所有人" if "@所有人" in content else "@" if "@" in content else "no @"
        has_deadline = mid in tasks.index and not pd.isna(tasks.at[mid, "deadline"])
        tags = str(msgs.at[mid, "tags"]).split(";")
        signs[f"{roles[mid]} for {m['role']}: {named}, {'deadline' if has_deadline else 'no deadline'}"
              f"{', task word' if 'task_verb' in tags else ''}{', meeting word' if 'meeting' in tags else ''}"] += 1
    return dict(signs)


def _reply_missed_causes(month: Month, result, ids: dict[str, str]) -> dict[str, int]:
    """Why wgm fines reply_missed where the truth does not (counts only, so that held-out months can
    be diagnosed without reading them): the task is none of the truth's, the member is not among its
    receivers, or the truth has the member answer (the answer was not recognised)."""
    rev = {v: k for k, v in ids.items()}
    by_id = {m["id"]: m for m in month.messages}
    task_msg = dict(zip(result.tasks["task_id"], result.tasks["task_msg_id"]))
    truth_events = {(e["member"], e.get("task", "")) for e in month.data["events"] or []
                    if e["rule"] == "reply_missed"}
    causes: Counter = Counter()
    ev = result.events[result.events["rule"] == "reply_missed"]
    for member, task_id in zip(ev["member"], ev["task_id"]):
        cid = rev.get(task_msg.get(task_id, ""), "")
        if (member, cid) in truth_events:
            continue
        post = by_id.get(cid)
        if post is None or post["role"] not in ("task", "repost"):
            causes[f"not a task ({post['role'] if post else '?'})"] += 1
        elif member not in (post.get("receivers") or []):
            causes["not a receiver"] += 1
        else:
            answers = [m for m in month.messages if m.get("task") == cid and m["from"].startswith(member)]
            causes["answer not read" if answers else "other"] += 1
    return dict(causes)


def explain(month: Month) -> str:
    """Each wrong cell of a dev month with wgm's events (their detail) and the truth's (their why)."""
    with tempfile.TemporaryDirectory() as tmp:
        result, ids = run(month, Path(tmp))
    rev = {v: k for k, v in ids.items()}
    ev = result.events[~result.events["rule"].isin(FLAGS)]
    got = Counter()
    for member, rule, count in zip(ev["member"], ev["rule"], ev["count"]):
        got[(member, rule)] += int(count)
    want = Counter()
    for e in month.data["events"] or []:
        want[(e["member"], e["rule"])] += int(e["count"])
    lines = []
    for key in sorted(set(got) | set(want)):
        if got[key] == want[key]:
            continue
        lines.append(f"* {key[0]} {key[1]}: truth {want[key]}, wgm {got[key]}")
        for e in month.data["events"] or []:
            if (e["member"], e["rule"]) == key:
                lines.append(f"    truth [{e.get('task', '')}] {e.get('why', '')}")
        for e in ev[(ev["member"] == key[0]) & (ev["rule"] == key[1])].itertuples():
            task_msg = result.tasks.loc[result.tasks["task_id"] == e.task_id, "task_msg_id"]
            cid = rev.get(task_msg.iloc[0], "?") if len(task_msg) else ""
            lines.append(f"    wgm   [{cid}] ×{e.count} {e.detail}")
    return "\n".join(lines)


def _pr(confusion: Counter, role: str) -> tuple[int, int, int]:
    """(true positives, predicted, relevant) of one role."""
    tp = confusion.get((role, role), 0)
    predicted = sum(n for (w, g), n in confusion.items() if g == role)
    relevant = sum(n for (w, g), n in confusion.items() if w == role)
    return tp, predicted, relevant


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "—"


def report(scores: list[dict], title: str) -> str:
    if not scores:
        return ""
    confusion: Counter = Counter()
    tags: Counter = Counter()
    for s in scores:
        for k, n in s["confusion"].items():
            w, g = k.split("|")
            confusion[(w, g)] += n
        for k, n in s["tags"].items():
            t, kind = k.split("|")
            tags[(t, kind)] += n
    msgs = sum(s["messages"] for s in scores)
    lines = [f"### {title}: {len(scores)} months, {msgs:,} messages", "",
             "| month | messages | (member, rule) cells right | member totals right | review events / 100 msgs "
             "| of which 疑似 (right) |",
             "|---|---|---|---|---|---|"]
    for s in scores:
        lines.append(f"| {s['id']} | {s['messages']} | {s['cells_right']}/{s['cells']} "
                     f"({_pct(s['cells_right'], s['cells'])}) | {s['totals_right']}/{s['members']} "
                     f"({_pct(s['totals_right'], s['members'])}) | {100 * s['review_events'] / s['messages']:.1f} "
                     f"| {s['possible']} ({s['possible_hits']}) |")
    c, cr = sum(s["cells"] for s in scores), sum(s["cells_right"] for s in scores)
    t, tr = sum(s["members"] for s in scores), sum(s["totals_right"] for s in scores)
    rev = sum(s["review_events"] for s in scores)
    near, hits = sum(s["possible"] for s in scores), sum(s["possible_hits"] for s in scores)
    lines.append(f"| **all** | {msgs} | **{cr}/{c} ({_pct(cr, c)})** | **{tr}/{t} ({_pct(tr, t)})** | "
                 f"{100 * rev / msgs:.1f} | {near} ({hits}) |")
    links = [sum(s["links"][k] for s in scores) for k in ("right", "of")]
    deadline = [sum(s["times"]["deadline"][i] for s in scores) for i in (0, 1)]
    promised = [sum(s["times"]["promised"][i] for s in scores) for i in (0, 1)]
    lines += ["", f"Tied to the right task (messages whose role is right): {links[0]}/{links[1]} "
                  f"({_pct(*links)}); tasks found with the truth's deadline: {deadline[0]}/{deadline[1]} "
                  f"({_pct(*deadline)}); promises read as the duty's promised time: {promised[0]}/{promised[1]} "
                  f"({_pct(*promised)})."]
    wrong: Counter = Counter()
    for s in scores:
        wrong.update(s["wrong_rules"])
    causes: Counter = Counter()
    for s in scores:
        causes.update(s["reply_missed_causes"])
    false_tasks: Counter = Counter()
    for s in scores:
        false_tasks.update(s["false_tasks"])
    by_rule: Counter = Counter()
    for key, n in wrong.items():
        by_rule[key.split("|")[0]] += n
    lines += ["", "Wrong cells by rule (wgm over / under the truth): " + ", ".join(
        f"{r} {n} ({wrong[r + '|over']}/{wrong[r + '|under']})" for r, n in by_rule.most_common()) + ".",
              "", "reply_missed fined where the truth has none, why: " + (", ".join(
                  f"{c} {n}" for c, n in causes.most_common()) or "—") + ".",
              "", "Tasks wgm found that the truth has as something else, by their signs: " + ("; ".join(
                  f"{c} ×{n}" for c, n in false_tasks.most_common()) or "—") + "."]
    lines += ["", "| role | truth | wgm | precision | recall |", "|---|---|---|---|---|"]
    for role in ROLES:
        tp, predicted, relevant = _pr(confusion, role)
        lines.append(f"| {role} | {relevant} | {predicted} | {_pct(tp, predicted)} | {_pct(tp, relevant)} |")
    lines += ["", "| tag | tagged | precision | recall |", "|---|---|---|---|"]
    for tag in TAG_ROLES:
        lines.append(f"| {tag} | {tags[(tag, 'tagged')]} | {_pct(tags[(tag, 'right')], tags[(tag, 'tagged')])} | "
                     f"{_pct(tags[(tag, 'found')], tags[(tag, 'relevant')])} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    ap.add_argument("--month", help="one month by id")
    ap.add_argument("--show", type=int, default=0, help="print up to N wrong roles and every wrong cell (dev only)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--explain", help="a dev month: each wrong cell with wgm's and the truth's events")
    args = ap.parse_args()
    if args.explain:
        month = next(m for m in months("dev") if m.id == args.explain)
        print(explain(month))
        return 0
    chosen = [m for m in months(None if args.split == "all" else args.split) if not args.month or m.id == args.month]
    scores = [score(m, args.show if m.split == "dev" else 0) for m in chosen]
    for split in ("dev", "heldout"):
        print(report([s for s in scores if s["split"] == split], split))
    for s in scores:
        if s.get("wrong_cells") or s.get("wrong_roles"):
            print(f"#### {s['id']}\n")
            print("\n".join(f"- {x}" for x in s.get("wrong_cells", [])))
            print("\n".join(f"- {x}" for x in s.get("wrong_roles", [])) + "\n")
    if args.json:
        args.json.write_text(json.dumps(scores, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
