"""Per-message features: lexical tags, @mentions, named receivers, and the times a message states.

Pure function of the message frame, the settings and the roster. What a message *means*
for a task (a reply, a completion, a verification …) depends on who sent it relative to
the task, so that is decided by the ledger; here every message gets the role-free facts
the ledger needs, vectorised with one compiled pattern per word list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wgm import schema, timewords
from wgm.roster import Roster, split_display_name
from wgm.schema import C, M
from wgm.settings import Settings

_TAG = {t: f"t_{t}" for t in schema.TAGS}     # tag → its column
_PUNCT_EMOJI = re.compile(r"[\s\W_～~\u2005\U0001F000-\U0001FFFF\u2600-\u27BF\uFE0F]+")
_MENTION_FALLBACK = re.compile(r"@([^\s\u2005@，,：:。]{1,24})")
_QUESTION = re.compile(r"(?:[?？]|吗|么|呢)\s*$")


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _contains(series: pd.Series, words) -> pd.Series:
    if not words:
        return pd.Series(False, index=series.index)
    return series.str.contains(_alternation(words), regex=True)


def _without(series: pd.Series, words) -> pd.Series:
    """The text with harmless phrases removed (垃圾桶 before matching 垃圾), so exceptions win."""
    return series.str.replace(_alternation(words), "", regex=True) if words else series


@dataclass(frozen=True)
class People:
    """Names the classifier resolves mentions and departments against."""

    alias_to_member: dict[str, str]
    dept_heads: dict[str, list[str]]
    member_dept: dict[str, str]

    @classmethod
    def build(cls, messages: pd.DataFrame, roster: Roster) -> "People":
        aliases = roster.alias_map()
        member_dept = {p.member: p.dept for p in roster.people.values()}
        _, first = schema.distinct_rows(messages, [M.sender, M.member, M.dept])   # in order: first one wins
        for sender, member, dept in zip(*(messages[c].iloc[first].tolist() for c in (M.sender, M.member, M.dept))):
            if sender and member:
                aliases.setdefault(sender, member)
                aliases.setdefault(member, member)
                if dept:
                    member_dept.setdefault(member, dept)
        heads: dict[str, list[str]] = {}
        if not roster.empty:
            for dept in roster.departments():
                heads[dept] = roster.heads_of(dept)
        else:
            # without a roster a department's head cannot be known: the department's members are asked
            for member, dept in sorted(member_dept.items()):
                heads.setdefault(dept, []).append(member)
        return cls(aliases, {d: h for d, h in heads.items() if d and h}, member_dept)


def _mention_lists(content: pd.Series, people: People, has_at: np.ndarray) -> tuple[pd.Series, pd.Series]:
    """(members @mentioned, @所有人) per message; only messages with an @ (`has_at`) are searched."""
    names = [n for n in people.alias_to_member if n]
    pattern = re.compile("@(所有人|" + _alternation(names) + ")" if names else "@(所有人)")
    mentions: list[tuple] = [()] * len(content)
    mention_all = np.zeros(len(content), dtype=bool)
    at = np.flatnonzero(has_at)
    texts = content.iloc[at].tolist()
    for i, text in zip(at.tolist(), texts):
        known, loose = pattern.findall(text), _MENTION_FALLBACK.findall(text)
        members: list[str] = []
        everyone = False
        for name in known:
            if name == "所有人":
                everyone = True
            elif people.alias_to_member.get(name) and people.alias_to_member[name] not in members:
                members.append(people.alias_to_member[name])
        if not known and loose:
            for name in loose:
                guess = people.alias_to_member.get(name) or people.alias_to_member.get(split_display_name(name)[0])
                if guess and guess not in members:
                    members.append(guess)
        mentions[i] = tuple(members)
        mention_all[i] = everyone
    return pd.Series(mentions, index=content.index, dtype=object), pd.Series(mention_all, index=content.index)


def _responsible(content: pd.Series, settings: Settings, people: People) -> pd.Series:
    """Members named in 责任人：X / 责任部门：Y lines (departments map to their heads)."""
    words = settings.words("responsible")
    if not words:
        return pd.Series([()] * len(content), index=content.index, dtype=object)
    pattern = r"(?:" + _alternation(words) + r")\s*[:：]\s*([^\n，,。；;！!]+)"
    found = content.str.findall(pattern)
    out = []
    for items in found:
        members: list[str] = []
        for chunk in items:
            for name in re.split(r"[、/／和及与\s]+", chunk):
                name = name.strip().lstrip("@")
                if not name:
                    continue
                for who in _name_or_dept(name, people):
                    if who not in members:
                        members.append(who)
        out.append(tuple(members))
    return pd.Series(out, index=content.index, dtype=object)


def _name_or_dept(name: str, people: People) -> list[str]:
    if name in people.alias_to_member:
        return [people.alias_to_member[name]]
    if name in people.dept_heads:
        return list(people.dept_heads[name])
    guess = split_display_name(name)[0]
    if guess in people.alias_to_member:
        return [people.alias_to_member[guess]]
    return []


def _dept_receivers(content: pd.Series, people: People) -> pd.Series:
    depts = sorted(people.dept_heads, key=len, reverse=True)
    if not depts:
        return pd.Series([()] * len(content), index=content.index, dtype=object)
    found = content.str.findall(_alternation(depts))
    return pd.Series([tuple(dict.fromkeys(h for d in items for h in people.dept_heads.get(d, ())))
                      for items in found], index=content.index, dtype=object)


def classify(messages: pd.DataFrame, settings: Settings, roster: Roster, people: People | None = None) -> pd.DataFrame:
    """Messages with tag columns, mentions, named receivers and stated times added. `people`: the names
    of every message of the run, when `messages` is only a part of them (a worker's groups)."""
    df = messages.copy(deep=False)     # copy-on-write: columns added here never reach the caller
    people = people or People.build(df, roster)
    content = df[M.content].fillna("")
    # every mention pattern starts with @: most messages have none and skip those searches
    has_at = content.str.contains("@", regex=False).to_numpy(dtype=bool)
    mentions, mention_all = _mention_lists(content, people, has_at)
    df[C.mentions] = mentions
    df[C.mention_all] = mention_all.astype(bool)
    # the words outside @mentions: a name like 王五-财务部 must not read as a department or a verb
    names = [n for n in people.alias_to_member if n]
    strip_pattern = re.compile("@(?:所有人|" + _alternation(names) + ")" if names else "@所有人")
    bare = content.tolist()
    for i in np.flatnonzero(has_at).tolist():
        bare[i] = _MENTION_FALLBACK.sub(" ", strip_pattern.sub(" ", bare[i]))
    bare = pd.Series(bare, index=content.index, dtype="str").str.replace("\u2005", " ").str.strip()
    df[C.bare] = bare
    df[C.responsible] = _responsible(content, settings, people)
    df[C.dept_receivers] = _dept_receivers(bare, people)

    ack = _alternation(settings.words("ack"))
    df[_TAG["ack"]] = bare.str.match(r"^[\s\W]*(?:" + ack + r")(?:$|[\s\W_]|(?=(?:" + ack + r")))") if ack else False
    df[_TAG["question"]] = bare.str.contains(_QUESTION.pattern, regex=True)
    df[_TAG["meeting_reply"]] = _contains(bare, settings.words("meeting_reply"))
    done = _contains(bare, settings.words("done"))
    df[_TAG["done"]] = done & ~_contains(bare, settings.words("not_done")) & ~df[_TAG["question"]]
    df[_TAG["verify"]] = _contains(_without(bare, settings.words("verify_except")), settings.words("verify")) \
        & ~df[_TAG["question"]]
    df[_TAG["reminder"]] = _contains(bare, settings.words("reminder"))
    df[_TAG["escalation"]] = _contains(bare, settings.words("escalation"))
    df[_TAG["task_verb"]] = _contains(bare, settings.words("task"))
    df[_TAG["meeting"]] = _contains(_without(bare, settings.words("meeting_except")), settings.words("meeting"))
    df[_TAG["warning"]] = _contains(bare, settings.words("warning_verbs")) & _contains(bare, settings.words("warning_topics"))
    squeezed = bare.str.replace(_PUNCT_EMOJI.pattern, "", regex=True)
    exact = set(settings.words("off_topic_exact"))
    df[_TAG["off_topic_exact"]] = squeezed.isin(exact) & (squeezed != "")
    df[_TAG["off_topic"]] = (_contains(bare, settings.words("off_topic")) | df[_TAG["off_topic_exact"]]
                         | (df[M.media] == "redpacket"))
    df[_TAG["incivility"]] = _contains(_without(bare, settings.words("incivility_except")), settings.words("incivility"))
    for col in schema.TAG_COLUMNS:
        df[col] = df[col].fillna(False).astype(bool)
    _add_times(df, settings)
    return df


def _add_times(df: pd.DataFrame, settings: Settings) -> None:
    """Resolve the times stated in messages that may carry one (pre-filtered: most carry none)."""
    words = settings.time_words()
    n = len(df)
    deadline = [pd.NaT] * n
    deadline_conf = [0.0] * n
    deadline_text = [""] * n
    reply_by = [pd.NaT] * n
    point = [pd.NaT] * n
    bare = df[C.bare].tolist()
    stamps, media = schema.lists(df, M.ts, M.media)    # to_pydatetime() is a Series: [i] costs ~8 µs
    for i, text in enumerate(bare):
        if media[i] == "system":
            continue
        found = timewords.find_times(text, stamps[i], words)     # returns at once when no time can be in it
        if found.deadline is not None:
            deadline[i] = found.deadline.when
            deadline_conf[i] = found.deadline.confidence
            deadline_text[i] = found.deadline.text
        if found.reply_by is not None:
            reply_by[i] = found.reply_by.when
        if found.points:
            point[i] = found.points[0].when
    df[C.time_deadline] = _times(deadline, df.index)
    df[C.time_deadline_conf] = pd.Series(deadline_conf, index=df.index, dtype=float)
    df[C.time_deadline_text] = pd.Series(deadline_text, index=df.index, dtype="str")
    df[C.time_reply_by] = _times(reply_by, df.index)
    df[C.time_point] = _times(point, df.index)


def _times(values: list, index: pd.Index) -> pd.Series:
    return pd.to_datetime(pd.Series(values, index=index, dtype=object)).astype(schema.TIME)
