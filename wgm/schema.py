"""The one place that names the columns and dtypes of every frame wgm passes around.

Parsers produce MESSAGES (parser columns only) and UNPARSED; ingest adds the member
columns; classify adds the classification columns; the ledger produces TASKS; the
evaluator produces EVENTS and SUMMARY. Other modules refer to columns through the
constants here (``M.ts``, ``T.receiver``), never through string literals of their own.

String columns never hold missing values: an absent string is "". Missing times are NaT.
Times are naive local wall-clock times (the exporter's local time, see settings.timezone).
"""

from __future__ import annotations

import hashlib
from collections import namedtuple

import numpy as np
import pandas as pd

STR = "str"
TIME = "datetime64[ns]"
INT = "int64"
FLOAT = "float64"
BOOL = "bool"
OBJ = "object"      # tuples of member names (mentions, receivers): working columns only, never written out


class M:
    """Message columns."""

    # written by parsers
    msg_id = "msg_id"            # exporter's own id where the format has one, else a hash (ingest fills it)
    group = "group"              # group (chat) name
    group_id = "group_id"        # chat id where the export carries one (…@chatroom, wr…)
    ts = "ts"                    # local time of the message
    sender = "sender"            # display name exactly as printed
    sender_id = "sender_id"      # wxid / userid where the export carries one
    media = "media"              # text|image|voice|video|sticker|file|link|system|other…
    text = "text"                # the body exactly as exported (quote rendering included)
    content = "content"          # the sender's own words: text without the quote rendering
    quote_sender = "quote_sender"  # name shown in a quote (引用), "" if none
    quote_text = "quote_text"    # quoted text shown in a quote, "" if none
    source = "source"            # input file path
    line = "line"                # first input line (1-based) of the message
    line_end = "line_end"        # last input line of the message (line - 1 when it shares its only line
                                 # with the next message: WechatExporter glues records after a transfer)
    fmt = "fmt"                  # parser name (format id)
    precision = "precision"      # "s" normally; "min" where the export has minute precision; "none" where
                                 # the export gives no time (timed at the message before: a lower bound)
    ref_id = "ref_id"            # the exporter's id of the message this one quotes (media "text") or
                                 # recalls (media "recall"), where the export names it; else ""
    # added by ingest
    quote_id = "quote_id"        # msg_id of the quoted message where found, else ""
    member = "member"            # the real person (roster or naming rule)
    dept = "dept"                # the member's department
    # added by classify / ledger
    kind = "kind"                # task|meeting|reply|completion|verification|reminder|repost|escalation|
                                 # warning|off_topic|incivility|system|media|chat|recalled
    tags = "tags"                # all lexical tags, ';'-joined
    task_id = "task_id"          # the task this message belongs to ('' if none)
    confidence = "confidence"    # 0..1 confidence of `kind`
    needs_review = "needs_review"


PARSED_COLUMNS: dict[str, str] = {
    M.msg_id: STR, M.group: STR, M.group_id: STR, M.ts: TIME, M.sender: STR, M.sender_id: STR,
    M.media: STR, M.text: STR, M.content: STR, M.quote_sender: STR, M.quote_text: STR,
    M.source: STR, M.line: INT, M.line_end: INT, M.fmt: STR, M.precision: STR, M.ref_id: STR,
}

MESSAGE_COLUMNS: dict[str, str] = {
    **PARSED_COLUMNS,
    M.quote_id: STR, M.member: STR, M.dept: STR,
    M.kind: STR, M.tags: STR, M.task_id: STR, M.confidence: FLOAT, M.needs_review: BOOL,
}


class U:
    """Unparsed-line columns: every input line not inside a message, with why."""

    source = "source"
    line = "line"
    reason = "reason"
    text = "text"


UNPARSED_COLUMNS: dict[str, str] = {U.source: STR, U.line: INT, U.reason: STR, U.text: STR}


class C:
    """The columns classify adds to the messages: role-free facts the ledger reads (wgm.classify)."""

    bare = "bare"                    # the content without @mentions: what the word lists and times read
    mentions = "mentions"            # members @-mentioned, in order (tuple)
    mention_all = "mention_all"      # @所有人
    responsible = "responsible"      # members named in 责任人：/责任部门： lines (tuple)
    dept_receivers = "dept_receivers"  # heads of the departments the words name (tuple)
    verify_checked = "verify_checked"  # a verification in so many words (确认, 验收通过) or a check and its
    #                                    outcome (试过了没问题), not an outcome alone (好了, 到了)
    result_stated = "result_stated"  # a clause saying something is now so (改回60s了, 报告出了): a report
    #                                  if its sender's work is open (wgm.phrases.states_a_result)
    time_deadline = "time_deadline"  # the completion time the message states (D, or a promise)
    time_deadline_conf = "time_deadline_conf"
    time_deadline_text = "time_deadline_text"
    time_reply_by = "time_reply_by"  # the reply-by time it states (RB)
    time_point = "time_point"        # the first other future time it names, with a clock if one has (a meeting's start)
    time_unread = "time_unread"      # time phrases it states that cannot be read (元宵节前): '；'-joined


# the lexical tags, each a bool column "t_<tag>"; messages.csv spells them ';'-joined in this order
TAGS: tuple[str, ...] = ("ack", "meeting_reply", "done", "verify", "reminder", "escalation", "task_verb", "meeting",
                         "warning", "off_topic", "off_topic_exact", "incivility", "question", "progress",
                         "incivility_near", "off_topic_near")
TAG_COLUMNS: tuple[str, ...] = tuple(f"t_{t}" for t in TAGS)

CLASSIFIED_COLUMNS: dict[str, str] = {
    C.bare: STR, C.mentions: OBJ, C.mention_all: BOOL, C.responsible: OBJ, C.dept_receivers: OBJ,
    C.verify_checked: BOOL, C.result_stated: BOOL,
    **{t: BOOL for t in TAG_COLUMNS},
    C.time_deadline: TIME, C.time_deadline_conf: FLOAT, C.time_deadline_text: STR, C.time_reply_by: TIME,
    C.time_point: TIME, C.time_unread: STR,
}


class T:
    """Task ledger columns: one row per task x receiver."""

    task_id = "task_id"
    group = "group"
    poster = "poster"
    receiver = "receiver"
    kind = "kind"                  # task | meeting
    posted = "posted"              # p
    reply_by = "reply_by"          # RB: reply-by time the poster set, NaT if none
    reply_deadline = "reply_deadline"  # RD
    replied = "replied"            # time of the receiver's first reply, NaT if none
    promised = "promised"          # PT
    deadline = "deadline"          # D
    completed = "completed"        # c (report, or from the verification)
    verified = "verified"          # v
    escalated = "escalated"        # time of the escalation, NaT if none
    status = "status"              # open | done_unverified | verified | answered | unanswered (meetings) |
                                   # not_judged (a duty decided after the exports were made)
    not_judged = "not_judged"      # which duties are not judged yet: 回复、完成、验证 ("" for none)
    task_msg_id = "task_msg_id"
    reply_msg_id = "reply_msg_id"
    completion_msg_id = "completion_msg_id"
    verify_msg_id = "verify_msg_id"
    escalation_msg_id = "escalation_msg_id"
    repost_msg_ids = "repost_msg_ids"
    text = "text"
    confidence = "confidence"
    needs_review = "needs_review"
    review_reason = "review_reason"


TASK_COLUMNS: dict[str, str] = {
    T.task_id: STR, T.group: STR, T.poster: STR, T.receiver: STR, T.kind: STR,
    T.posted: TIME, T.reply_deadline: TIME, T.replied: TIME, T.promised: TIME, T.deadline: TIME,
    T.completed: TIME, T.verified: TIME, T.escalated: TIME, T.status: STR,
    T.reply_by: TIME, T.task_msg_id: STR, T.reply_msg_id: STR, T.completion_msg_id: STR,
    T.verify_msg_id: STR, T.escalation_msg_id: STR, T.repost_msg_ids: STR, T.text: STR,
    T.confidence: FLOAT, T.needs_review: BOOL, T.review_reason: STR, T.not_judged: STR,
}
# what the ledger adds to each task row for the rules (not written to tasks.csv)
TASK_WORK_COLUMNS: dict[str, str] = {"format_missing": STR, "after_hours": BOOL, "completion_reported": BOOL,
                                     "promise_stated": BOOL}
LEDGER_TASK_COLUMNS: dict[str, str] = {**TASK_COLUMNS, **TASK_WORK_COLUMNS}


class R:
    """The ledger's reading of each message (one row per message it read)."""

    msg_id = "msg_id"
    kind = "kind"
    task_id = "task_id"
    confidence = "confidence"
    review_reason = "review_reason"


ROLE_COLUMNS: dict[str, str] = {R.msg_id: STR, R.kind: STR, R.task_id: STR, R.confidence: FLOAT,
                                R.review_reason: STR}
# admin warnings, off-topic posts and members who left, as the conduct and quit rules read them
WARNING_COLUMNS: dict[str, str] = {"group": STR, "ts": TIME, "admin": STR, "targets": OBJ, "msg_id": STR,
                                   "confidence": FLOAT}
OFF_TOPIC_COLUMNS: dict[str, str] = {"group": STR, "ts": TIME, "member": STR, "msg_id": STR, "confidence": FLOAT}
LEFT_COLUMNS: dict[str, str] = {"group": STR, "ts": TIME, "name": STR, "msg_id": STR}

# what judging says of each message for the output frame (wgm.judge.labels)
LABEL_COLUMNS: dict[str, str] = {M.msg_id: STR, M.kind: STR, M.task_id: STR, M.confidence: FLOAT, M.tags: STR}

# contract.md: tasks.csv columns, in this order, first
TASK_CSV_COLUMNS = [
    T.task_id, T.group, T.poster, T.receiver, T.kind, T.posted, T.reply_deadline, T.replied,
    T.promised, T.deadline, T.completed, T.verified, T.escalated, T.status,
]


class E:
    """Event columns: one row per assessed event."""

    month = "month"
    group = "group"
    member = "member"
    dept = "dept"
    rule = "rule"
    clause = "clause"
    count = "count"
    amount = "amount"
    task_id = "task_id"
    msg_ids = "msg_ids"
    ts = "ts"
    confidence = "confidence"
    needs_review = "needs_review"
    detail = "detail"
    event_id = "event_id"
    review_reason = "review_reason"
    override = "override"          # the override applied (action: reason), "" if none
    member_id = "member_id"        # the member's 工号 (roster id), "" where the roster gives none
    possible = "possible"          # 疑似: a near-miss listed for review, counted 0 until an admin confirms it


EVENT_COLUMNS: dict[str, str] = {
    E.month: STR, E.group: STR, E.member: STR, E.dept: STR, E.rule: STR, E.clause: STR,
    E.count: INT, E.amount: FLOAT, E.task_id: STR, E.msg_ids: STR, E.ts: TIME,
    E.confidence: FLOAT, E.needs_review: BOOL, E.detail: STR, E.event_id: STR,
    E.review_reason: STR, E.override: STR, E.member_id: STR, E.possible: BOOL,
}
EVENT_CSV_COLUMNS = list(EVENT_COLUMNS)


class S:
    """Summary columns: one row per member x month; per-rule columns are added by rule id."""

    month = "month"
    member = "member"
    dept = "dept"
    total_amount = "total_amount"
    disqualified = "disqualified"
    member_id = "member_id"

    @staticmethod
    def count(rule: str) -> str:
        return f"count_{rule}"

    @staticmethod
    def amount(rule: str) -> str:
        return f"amount_{rule}"


MESSAGE_CSV_COLUMNS = [
    M.msg_id, M.group, M.ts, M.sender, M.member, M.dept, M.kind, M.text, M.tags, M.task_id,
    M.source, M.line,
]
UNPARSED_CSV_COLUMNS = [U.source, U.line, U.reason, U.text]

# One total order per output frame, so outputs are byte-identical whatever the input order.
SORT_KEYS: dict[str, list[str]] = {
    "messages": [M.group, M.ts, M.msg_id],
    "unparsed": [U.source, U.line],
    "tasks": [T.group, T.posted, T.task_id, T.receiver],
    "events": [E.month, E.group, E.member, E.rule, E.task_id, E.msg_ids, E.event_id],
    "summary": [S.month, S.member],
}

_DEFAULTS = {STR: "", INT: 0, FLOAT: 0.0, BOOL: False, OBJ: ()}


def sort_rows(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """df.sort_values(keys, kind="stable").reset_index(drop=True), cheaper on what wgm sorts most: frames
    already in order, or in order but for runs of rows tied on the first keys (messages of one second).
    Sorting a million string ids costs seconds; checking neighbours costs a fraction of that."""
    n = len(df)
    if n < 2:
        return df.reset_index(drop=True)
    tied = np.ones(n - 1, dtype=bool)     # neighbours equal on every key so far
    for depth, key in enumerate(keys):
        values = df[key].to_numpy()
        if pd.isna(values).any() if values.dtype == object else (values != values).any():
            break                          # missing values sort last in pandas: leave them to it
        left, right = values[:-1], values[1:]
        if (tied & (left > right)).any():
            if depth == 0:
                break
            return _sort_tied_runs(df, keys, depth, tied)
        tied &= left == right
        if not tied.any():
            return df.reset_index(drop=True)
    else:
        return df.reset_index(drop=True)
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


def _sort_tied_runs(df: pd.DataFrame, keys: list[str], depth: int, tied: np.ndarray) -> pd.DataFrame:
    """df is in order by keys[:depth]; put each run of rows tied on those in order by the rest."""
    if tied.sum() * 5 > len(df):           # many ties: one general sort is quicker
        return df.sort_values(keys, kind="stable").reset_index(drop=True)
    rest = [df[k].to_numpy() for k in keys[depth:]]
    if any(pd.isna(col).any() for col in rest):
        return df.sort_values(keys, kind="stable").reset_index(drop=True)
    order = np.arange(len(df))
    starts = np.flatnonzero(tied & ~np.concatenate(([False], tied[:-1])))
    ends = np.flatnonzero(tied & ~np.concatenate((tied[1:], [False]))) + 2
    for start, end in zip(starts.tolist(), ends.tolist()):
        run = range(start, end)
        order[start:end] = sorted(run, key=lambda i: tuple(col[i] for col in rest))
    return df.iloc[order].reset_index(drop=True)


def distinct_rows(df: pd.DataFrame, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, first row of each code) for the distinct combinations of these columns, coded in the
    order they first appear: per-row work done once per distinct value (a million messages have a few
    hundred distinct senders)."""
    codes = np.zeros(len(df), dtype=np.int64)
    for name in names:
        column, distinct = pd.factorize(df[name], use_na_sentinel=False)
        codes, _ = pd.factorize(codes * len(distinct) + column)    # renumbered at once: never overflows
    _, first = np.unique(codes, return_index=True)
    return codes, first


def default_of(dtype: str):
    """The value a column of this dtype holds where nothing is known ("" for text, NaT for times)."""
    return _DEFAULTS.get(dtype, pd.NaT)


def empty_frame(columns: dict[str, str]) -> pd.DataFrame:
    """An empty frame with exactly these columns and dtypes."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def conform(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Return df with exactly `columns` (added where missing, with their empty value), cast to dtype.

    Extra columns are kept after the declared ones: stages may carry working columns.
    """
    out = df.copy(deep=False)   # pandas copies on write: a deep copy here only cost memory
    for name, dtype in columns.items():
        if name not in out.columns:
            out[name] = pd.Series([default_of(dtype)] * len(out), index=out.index)
        if dtype == STR:
            out[name] = out[name].fillna("").astype(str)
        elif dtype == TIME:
            out[name] = pd.to_datetime(out[name]).astype(TIME)
        elif dtype == OBJ:
            out[name] = pd.Series([v if isinstance(v, tuple) else () for v in out[name].tolist()], index=out.index,
                                  dtype=object)
        else:
            out[name] = out[name].fillna(_DEFAULTS[dtype]).astype(dtype)
    extra = [c for c in out.columns if c not in columns]
    return out[list(columns) + extra]


def check_frame(df: pd.DataFrame, columns: dict[str, str], stage: str) -> None:
    """Assert a stage boundary: every declared column present with its dtype (a bug otherwise)."""
    for name, dtype in columns.items():
        if name not in df.columns:
            raise AssertionError(f"{stage}: column {name!r} missing")
        actual = df[name].dtype
        if dtype == STR:
            ok = pd.api.types.is_string_dtype(actual) or actual == object
        elif dtype == OBJ:
            ok = actual == object
        else:
            ok = str(actual) == dtype
        if not ok:
            raise AssertionError(f"{stage}: column {name!r} has dtype {actual}, expected {dtype}")


def lists(df: pd.DataFrame, *names: str) -> list[list]:
    """Columns as Python lists in one conversion each: iterating a pyarrow-backed string column
    element by element costs ~1 µs a value, a whole-column tolist() a few ns. Times come back as
    datetime.datetime (NaT where missing): a pandas Timestamp per value costs three times as much."""
    return [_as_list(df[n]) for n in names]


def _as_list(col: pd.Series) -> list:
    if col.dtype.kind == "M" and getattr(col.dtype, "tz", None) is None:
        return col.dt.to_pydatetime().tolist()
    return col.tolist()


def records(df: pd.DataFrame, names: list[str]) -> list:
    """Rows as named tuples, like itertuples() but built from whole-column lists (see lists())."""
    row = namedtuple("Row", names, rename=True)  # type: ignore[misc]  # the fields are the columns asked for
    return [row(*values) for values in zip(*lists(df, *names))]


def short_hash(*parts: object, length: int = 16) -> str:
    """A stable short hex id from parts (used for msg_id fallbacks, task ids, event ids)."""
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return h[:length]
