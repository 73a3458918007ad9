"""The one path: judging a group's messages, from their words to the events they give.

    classify → tag overrides → ledger → escalation overrides → coverage → group rules → events

`judge_group` is a pure function of one or more whole groups' messages and the run's context
(`Grounds`): groups never share a task, so a run's groups can be judged apart (in workers,
wgm.parallel) and their verdicts put together (`merge`). Everything that reads the whole run —
the side-file rules (snapshots, incidents), pricing and overrides of events, the months — comes
after, in wgm.api.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from wgm import classify, coverage, ledger, overrides as overrides_mod, schema
from wgm.evaluate import describe
from wgm.records import Override
from wgm.roster import Roster
from wgm.rules import RuleContext, run_group_families
from wgm.schema import M, R
from wgm.settings import Settings


@dataclass(frozen=True)
class Grounds:
    """What judging a group needs besides its messages: the same for every group of a run."""

    settings: Settings
    roster: Roster
    overrides: tuple[Override, ...]
    until: dict[str, datetime]          # per group: when its exports were made (wgm.coverage)
    depts: dict[str, str]               # member → department, over the whole run
    people: classify.People             # every name of the run: mentions read alike in every part


@dataclass(frozen=True)
class GroupVerdict:
    """What judging some groups found: their task ledger, their events (unpriced) and what each of
    their messages is (kind, task, confidence, lexical tags)."""

    tasks: pd.DataFrame      # schema.LEDGER_TASK_COLUMNS
    events: pd.DataFrame     # schema.EVENT_COLUMNS, before pricing (wgm.evaluate.describe)
    labels: pd.DataFrame     # schema.LABEL_COLUMNS, one row per message the ledger gave a role other than chat


def judge_group(messages: pd.DataFrame, grounds: Grounds) -> GroupVerdict:
    """One or more whole groups' messages → their verdict."""
    settings, roster = grounds.settings, grounds.roster
    classified = classify.classify(messages, settings, roster, grounds.people)
    classified = overrides_mod.apply_tags(classified, list(grounds.overrides))
    built = ledger.build(classified, settings, roster)
    tasks = overrides_mod.apply_escalations(built.tasks, list(grounds.overrides))
    tasks = coverage.mark_not_judged(tasks, grounds.until, settings.verification_grace)
    judged = ledger.Ledger(tasks, built.roles, built.warnings, built.off_topic, built.left)
    ctx = RuleContext(classified, judged, settings, roster, (), (), grounds.until)
    events = describe(ctx, run_group_families(ctx), grounds.depts)
    return GroupVerdict(tasks, events, labels(classified, built.roles))


def labels(classified: pd.DataFrame, roles: pd.DataFrame) -> pd.DataFrame:
    """What each message is, for the output messages frame: the ledger's role and the lexical tags
    (';'-joined). Plain chat with no tag is left out: it is what a message without a label is."""
    tags = tag_text(classified)
    at = pd.Index(classified[M.msg_id]).get_indexer(roles[R.msg_id])
    out = pd.DataFrame({M.msg_id: roles[R.msg_id].to_numpy(dtype=object), M.kind: roles[R.kind].to_numpy(dtype=object),
                        M.task_id: roles[R.task_id].to_numpy(dtype=object),
                        M.confidence: roles[R.confidence].to_numpy(dtype=float),
                        M.tags: np.asarray(tags, dtype=object)[at] if len(at) else np.array([], dtype=object)})
    out = out.drop_duplicates(M.msg_id)
    plain = (out[M.kind] == "chat") & (out[M.task_id] == "") & (out[M.confidence] == 1.0) & (out[M.tags] == "")
    return schema.conform(out[~plain].reset_index(drop=True), schema.LABEL_COLUMNS)


def tag_text(classified: pd.DataFrame) -> list[str]:
    """"ack;done" per message: each distinct set of tags spelled once (a few dozen sets, not a million)."""
    # each message's tags as the bits of one integer: np.unique over integers, not over rows (10× faster)
    code = np.zeros(len(classified), dtype=np.int64)
    for bit, column in enumerate(schema.TAG_COLUMNS):
        code |= classified[column].to_numpy(dtype=bool).astype(np.int64) << bit
    codes, sets = np.unique(code, return_inverse=True)
    spelled = [";".join(tag for bit, tag in enumerate(schema.TAGS) if c >> bit & 1) for c in codes.tolist()]
    return [spelled[i] for i in sets.tolist()]


def merge(parts: list[GroupVerdict]) -> GroupVerdict:
    """Verdicts of disjoint groups as one, in the order one verdict of them all would have."""
    if len(parts) == 1:
        return parts[0]
    tasks = pd.concat([p.tasks for p in parts], ignore_index=True)
    tasks = schema.sort_rows(tasks, schema.SORT_KEYS["tasks"]) if len(tasks) else tasks
    events = pd.concat([p.events for p in parts], ignore_index=True)
    return GroupVerdict(tasks, events, pd.concat([p.labels for p in parts], ignore_index=True))


