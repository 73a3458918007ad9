"""The pipeline as plain functions: the CLI and the tests call these; nothing here prints or exits.

    ingest (parse, normalize) → judge each group (wgm.judge) → side-file rules → settle → AuditResult

`audit` runs it. The two stages a re-run can skip (the ingested messages, the judged run) go
through wgm.cache when --cache is given; the groups are judged in worker processes through
wgm.parallel. Pricing (`settle`) always runs: it is where amounts, review settings, event
overrides and the months meet.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from wgm import __version__, cache, checks, classify, ingest, judge, ledger, membership, names, parallel, parsers
from wgm import schema
from wgm import coverage as coverage_mod
from wgm import overrides as overrides_mod
from wgm import settings as settings_mod
from wgm.errors import UsageError
from wgm.evaluate import dept_lookup, describe, settle
from wgm.records import load_incidents, load_overrides, load_snapshots
from wgm.result import AuditResult, InputInfo
from wgm.roster import Roster, groups_file_of, load_roster
from wgm.rules import RuleContext, run_run_families
from wgm.schema import M


@dataclass(frozen=True)
class Options:
    """Everything an audit run depends on besides the exports themselves."""

    rules: Path | None = None
    roster: Path | None = None
    incidents: Path | None = None
    overrides: Path | None = None
    members: Path | None = None
    month: str | None = None          # "YYYY-MM", "all" or None (every month covered)
    set: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    input_format: str | None = None
    as_of: datetime | None = None     # --as-of: when the exports were made, where the files do not say
    now: datetime | None = None       # the run's time (local); None: the clock. Coverage never reaches past it
    cache: Path | None = None         # --cache: folder of the re-run cache (wgm.cache)
    members_as_of: date | None = None  # --members-as-of: the day of a membership snapshot taken from an export
    date: date | None = None          # --date: the day of date-less exports (chatlog single-day text)
    jobs: int = 0                     # worker processes for parsing and judging; 0 = every core

    def side_files(self) -> list[Path]:
        return [p for p in (self.rules, *self.roster_files(), self.incidents, self.overrides, self.members) if p]

    def roster_files(self) -> list[Path]:
        """The roster and, for a CSV one, its groups file beside it (<roster>_groups.csv) when there is one."""
        if self.roster is None:
            return []
        beside = groups_file_of(Path(self.roster))
        return [self.roster, beside] if Path(self.roster).suffix.lower() in (".csv", ".txt") and beside.is_file() \
            else [self.roster]

    def not_chats(self) -> list[Path]:
        """The side files the inputs must not be read as chats: all but a --members that is a chat export too
        (a 留痕 XLSX holds the messages beside its 成员信息 sheet)."""
        return [p for p in self.side_files() if not (p == self.members and membership.is_chat_export(p))]


@dataclass(frozen=True)
class Verdict:
    """The run judged, before pricing: the output messages (needs_review not yet marked), the task
    ledger, the events with their review reasons, and where they came from. A re-run that changes
    only amounts or review settings prices this again without reading or judging anything."""

    messages: pd.DataFrame         # schema.MESSAGE_COLUMNS
    tasks: pd.DataFrame            # schema.LEDGER_TASK_COLUMNS
    events: pd.DataFrame           # schema.EVENT_COLUMNS, unpriced (wgm.evaluate.describe)
    unparsed: pd.DataFrame
    inputs: tuple[InputInfo, ...]
    warnings: tuple[str, ...]
    overrides_used: tuple[dict, ...]
    coverage: dict[str, coverage_mod.GroupCoverage]   # group → when its exports were made
    months_seen: tuple[str, ...]   # the months the messages cover


def load_settings(options: Options) -> settings_mod.Settings:
    """The effective settings: --rules, else ./rules.yaml if present, else the defaults; then --set."""
    rules = options.rules
    if rules is None and Path("rules.yaml").is_file():
        rules = Path("rules.yaml")
    return settings_mod.load(rules, list(options.set))


# ---- ingest --------------------------------------------------------------------------------------

def _ingest_files(inputs: list[Path], options: Options) -> list[Path]:
    excluded = {Path(p).resolve() for p in options.not_chats()}
    files = [p for p, _ in ingest.walk(inputs) if p.resolve() not in excluded]
    beside = [b for p in files for b in ingest.read_beside(p)]      # a page's sidecar, PyWxDump's users.json
    walked = set(files)
    return files + [b for b in dict.fromkeys(beside) if b not in walked]


def _ingest_key(inputs: list[Path], options: Options, settings: settings_mod.Settings) -> str:
    files = _ingest_files(inputs, options)
    # every file's path is in the key: folder and file names name groups (留痕's <群名>(<id>)/) and chat ids
    return cache.key("ingest", cache.files_part(files), cache.files_part(cache.files_read_beside(files)),
                     cache.files_part(options.roster_files()), options.input_format,
                     list(options.groups), options.date, settings.timezone)


def _ingested_entry(ing: ingest.Ingested) -> tuple[dict[str, pd.DataFrame], dict]:
    return ({"messages": ing.messages, "unparsed": ing.unparsed},
            {"inputs": [dataclasses.asdict(i) for i in ing.inputs], "warnings": list(ing.warnings)})


def _ingested_from_entry(frames: dict[str, pd.DataFrame], data: dict) -> ingest.Ingested:
    return ingest.Ingested(schema.conform(frames["messages"], schema.PARSED_COLUMNS),
                           schema.conform(frames["unparsed"], schema.UNPARSED_COLUMNS),
                           tuple(InputInfo(**i) for i in data["inputs"]), tuple(data["warnings"]))


def ingest_inputs(inputs: Iterable[Path], options: Options, settings: settings_mod.Settings, roster: Roster,
                  on_progress: ingest.Progress | None = None) -> ingest.Ingested:
    """Every export among the inputs read and normalized into one message frame (through the cache),
    cut to the --group filter."""
    inputs = list(inputs)

    def compute() -> ingest.Ingested:
        return ingest.ingest(inputs, roster, options.input_format, exclude=options.not_chats(),
                             on_progress=on_progress, tz=settings.timezone, date_hint=options.date,
                             jobs=parallel.workers(options.jobs))
    name = "i" + _ingest_key(inputs, options, settings) if options.cache is not None else ""
    ing = cache.cached(options.cache, name, compute, _ingested_entry, _ingested_from_entry)
    if not options.groups:
        return ing
    known = set(ing.messages[M.group])
    missing = [g for g in options.groups if g not in known]
    if missing:
        raise UsageError(f"输入中没有这个群（no such group in the inputs）：{', '.join(missing)}"
                         f"{names.did_you_mean(missing[0], known)}（现有 / have: {', '.join(sorted(known))}）")
    kept = ing.messages[ing.messages[M.group].isin(options.groups)].reset_index(drop=True)
    return dataclasses.replace(ing, messages=kept)


def ingested_from_frame(parsed: pd.DataFrame, options: Options = Options()) -> ingest.Ingested:
    """Like ingest_inputs(), from a frame of parsed messages (tests, other front ends)."""
    messages, warnings = ingest.normalize(parsed, load_roster(options.roster))
    return ingest.Ingested(messages, schema.empty_frame(schema.UNPARSED_COLUMNS), (), tuple(warnings))


# ---- judging -------------------------------------------------------------------------------------

# Settings that only price or flag events the rules already found: a run that changes nothing else reuses
# the judged run of the last one (an auditor trying other amounts).
_PRICING_ONLY = ("amounts", "review")


def _verdict_key(inputs: list[Path], options: Options, settings: settings_mod.Settings,
                 ingest_key: str | None = None) -> str:
    """`ingest_key`: _ingest_key's, when the caller has it (it reads every input to hash it)."""
    judged = {k: v for k, v in settings.data.items() if k not in _PRICING_ONLY}
    sides = [p for p in (options.incidents, options.overrides, options.members) if p]
    # the files' modification times may say when the exports were made (coverage)
    times = [(str(p), p.stat().st_mtime_ns) for p in _ingest_files(inputs, options)]
    read = ingest_key if ingest_key is not None else _ingest_key(inputs, options, settings)
    return cache.key("verdict", read, judged, cache.files_part(sides), times,
                     options.as_of, options.now, options.members_as_of)


def _verdict_entry(v: Verdict) -> tuple[dict[str, pd.DataFrame], dict]:
    return ({"messages": v.messages, "tasks": v.tasks, "events": v.events, "unparsed": v.unparsed},
            {"inputs": [dataclasses.asdict(i) for i in v.inputs], "warnings": list(v.warnings),
             "overrides_used": list(v.overrides_used), "months_seen": list(v.months_seen),
             "coverage": {g: c.as_entry() for g, c in v.coverage.items()}})


def _verdict_from_entry(frames: dict[str, pd.DataFrame], data: dict) -> Verdict:
    return Verdict(schema.conform(frames["messages"], schema.MESSAGE_COLUMNS),
                   schema.conform(frames["tasks"], schema.LEDGER_TASK_COLUMNS),
                   schema.conform(frames["events"], schema.EVENT_COLUMNS),
                   schema.conform(frames["unparsed"], schema.UNPARSED_COLUMNS),
                   tuple(InputInfo(**i) for i in data["inputs"]), tuple(data["warnings"]),
                   tuple(data["overrides_used"]),
                   {g: coverage_mod.GroupCoverage.from_entry(c) for g, c in data["coverage"].items()},
                   tuple(data["months_seen"]))


def judge_run(ing: ingest.Ingested, options: Options, settings: settings_mod.Settings, roster: Roster,
              incidents, overrides, on_progress: ingest.Progress | None = None) -> Verdict:
    """Every group judged (wgm.judge.judge_group, in workers), then the rules that read the side files."""
    messages = ing.messages
    covered = coverage_mod.of_groups(messages, ing.inputs, options.as_of, options.now or _now(settings))
    until = coverage_mod.until_by_group(covered)
    # a snapshot an export lists has no date: --members-as-of, else the end of its group's coverage
    snapshots = load_snapshots(options.members, roster, options.members_as_of,
                               lambda group: until[group].date() if group in until else None)
    checks.incident_groups(incidents, checks.distinct(messages[M.group]) | {g.name for g in roster.groups})
    checks.named_people(settings, roster, incidents, messages)
    blind = checks.what_cannot_fire(settings, roster, messages, snapshots)
    blind += [f"{s.source}: 成员快照“{s.group}”日期 {s.as_of}，取自{s.basis} / membership snapshot dated {s.as_of}"
              for s in snapshots if s.basis]
    if on_progress:
        on_progress(f"judging {len(messages):,} messages", 1, 1)
    grounds = judge.Grounds(settings, roster, tuple(overrides), until, dept_lookup(messages, roster),
                            classify.People.build(messages, roster))
    parts = parallel.by_groups(messages, M.group, functools.partial(judge.judge_group, grounds=grounds),
                               parallel.workers(options.jobs))
    verdict = judge.merge([part for _, part in parts])
    used, override_warnings = overrides_mod.report_before_rules(list(overrides), messages, verdict.tasks)
    ctx = RuleContext(messages, _ledger_of(verdict.tasks), settings, roster, tuple(incidents), tuple(snapshots),
                      until)
    events = pd.concat([verdict.events, describe(ctx, run_run_families(ctx), grounds.depts)], ignore_index=True)
    # in the order settle() gives them (pricing keeps it): a cached re-run then finds them sorted already
    events = schema.sort_rows(events, schema.SORT_KEYS["events"])
    months_seen = np.unique(messages[M.ts].dropna().to_numpy().astype("datetime64[M]"))   # not strftime ×1M
    return Verdict(messages=output_messages(messages, verdict.labels), tasks=verdict.tasks, events=events,
                   unparsed=ing.unparsed, inputs=ing.inputs,
                   warnings=tuple(ing.warnings) + tuple(blind) + tuple(override_warnings),
                   overrides_used=tuple(used), coverage=covered, months_seen=tuple(str(m) for m in months_seen))


def _ledger_of(tasks: pd.DataFrame) -> ledger.Ledger:
    """A ledger holding only the run's tasks: what the side-file rules' events are described against."""
    return ledger.Ledger(tasks, schema.empty_frame(schema.ROLE_COLUMNS), schema.empty_frame(schema.WARNING_COLUMNS),
                         schema.empty_frame(schema.OFF_TOPIC_COLUMNS), schema.empty_frame(schema.LEFT_COLUMNS))


def output_messages(messages: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """The output message frame: each message with its label (plain chat where it has none)."""
    labels = labels.drop_duplicates(M.msg_id)
    at = pd.Index(labels[M.msg_id]).get_indexer(messages[M.msg_id])    # one lookup serves four columns
    found = at >= 0

    def labelled(col: str, default, dtype) -> pd.Series:
        values = labels[col].to_numpy()
        out = np.full(len(at), default, dtype=values.dtype if values.dtype != object else object)
        out[found] = values[at[found]]
        return pd.Series(out, index=messages.index, dtype=dtype)

    out = messages[[c for c in schema.MESSAGE_COLUMNS if c in messages.columns]]
    out[M.kind] = labelled(M.kind, "chat", "str")
    out[M.task_id] = labelled(M.task_id, "", "str")
    out[M.confidence] = labelled(M.confidence, 1.0, float)
    out[M.needs_review] = False        # settled once the events are priced (_mark_review)
    out[M.tags] = labelled(M.tags, "", "str")
    out = schema.conform(out, {c: t for c, t in schema.MESSAGE_COLUMNS.items() if c not in out.columns})
    out = out[list(schema.MESSAGE_COLUMNS)]
    return schema.sort_rows(out, schema.SORT_KEYS["messages"])


def _now(settings: settings_mod.Settings) -> datetime:
    """The run's time as local wall-clock time (the zone the exports' times are in)."""
    from zoneinfo import ZoneInfo
    return datetime.now(ZoneInfo(settings.timezone)).replace(tzinfo=None, microsecond=0)


# ---- the audit -----------------------------------------------------------------------------------

def _months(month: str | None) -> tuple[str, ...] | None:
    if month in (None, "", "all"):
        return None
    if len(month) != 7 or month[4] != "-" or not month[:4].isdigit() or not month[5:].isdigit() \
            or not 1 <= int(month[5:]) <= 12:
        raise UsageError(f"--month expects YYYY-MM, last or all, got {month!r}")
    return (month,)


def inputs_hash(settings_hash: str, infos, side_files: list[Path]) -> str:
    """sha256 over the settings hash, every input's sha256 and the side files: the run's provenance."""
    h = hashlib.sha256(settings_hash.encode())
    for info in sorted(infos, key=lambda i: i.sha256):
        h.update(info.sha256.encode())
    for path in side_files:
        h.update(hashlib.sha256(Path(path).read_bytes()).hexdigest().encode())
    return h.hexdigest()


def judgement_hash(settings: settings_mod.Settings, infos, side_files: list[Path], coverage: dict,
                   read: str = "") -> str:
    """sha256 over everything the events and the messages and tasks files depend on but amounts and review
    settings (inputs, side files, the other settings, when each group's exports were made, wgm's code, and
    `read`: the ingest key of how the inputs were read — their paths, which name groups and fill the source
    column, and the files read beside them, such as users.json): two runs with the same judgement hash
    found the same events and differ at most in their prices."""
    judged = {k: v for k, v in settings.data.items() if k not in _PRICING_ONLY}
    return cache.key("judgement", sorted((i.path, i.sha256) for i in infos),
                     [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in side_files],
                     judged, {g: c.until.isoformat() for g, c in coverage.items()}, read)


def audit(inputs: Iterable[Path], options: Options = Options(), on_progress: ingest.Progress | None = None,
          ingested: ingest.Ingested | None = None) -> AuditResult:
    """The whole audit of the inputs: every event, priced, with the messages, tasks and summary behind it.
    `ingested`: messages already read (ingested_from_frame, or shared by diff()); the inputs are then
    not read."""
    inputs = list(inputs)
    settings = load_settings(options)
    overrides = load_overrides(options.overrides)
    roster = load_roster(options.roster)
    incidents = load_incidents(options.incidents, roster, settings)
    months = _months(options.month)

    def judged() -> Verdict:
        ing = ingested if ingested is not None else ingest_inputs(inputs, options, settings, roster, on_progress)
        return judge_run(ing, options, settings, roster, incidents, overrides, on_progress)
    # how the inputs were read, for the files a cached re-run may copy from a kept one (wgm.cache.FileMemo)
    read_key = _ingest_key(inputs, options, settings) if ingested is None and options.cache is not None else ""
    if ingested is None and options.cache is not None:
        verdict = cache.cached(options.cache, "v" + _verdict_key(inputs, options, settings, read_key), judged,
                               _verdict_entry, _verdict_from_entry)
    else:
        verdict = judged()
    ev = settle(verdict.events, settings, incidents, overrides, months)
    if options.cache is not None:
        # the names the report puts in pinyin order (扣款, 公示), their keys kept from the last run
        # (unique() first: set() of a pyarrow-backed column walks it a value at a time, 0.2 s at 1M messages)
        cache.remember_pinyin(options.cache, set(ev.events["member"].unique().tolist())
                              | set(ev.summary["member"].unique().tolist()))
    messages = _mark_review(verdict.messages, _review_ids(ev.events))
    schema.check_frame(verdict.tasks, schema.TASK_COLUMNS, "ledger")
    schema.check_frame(ev.events, schema.EVENT_COLUMNS, "evaluate")
    schema.check_frame(messages, schema.MESSAGE_COLUMNS, "messages")
    covered = tuple(sorted(set(verdict.months_seen) | set(ev.events["month"])))
    return AuditResult(
        messages=messages, unparsed=verdict.unparsed, tasks=verdict.tasks, events=ev.events,
        summary=ev.summary, settings=settings, inputs=verdict.inputs, months=months or covered,
        as_of=max((c.until for c in verdict.coverage.values()), default=datetime(1970, 1, 1)).isoformat(),
        coverage=tuple(verdict.coverage[g] for g in sorted(verdict.coverage)), version=__version__,
        overrides_used=verdict.overrides_used + tuple(ev.overrides_used), warnings=verdict.warnings + ev.warnings,
        inputs_hash=inputs_hash(settings.hash, verdict.inputs, options.side_files()),
        judgement_hash=judgement_hash(settings, verdict.inputs, options.side_files(), verdict.coverage,
                                      read_key),
        incomplete=tuple(incomplete_reasons(verdict.inputs, verdict.unparsed, verdict.coverage, months)))


def incomplete_reasons(inputs, unparsed: pd.DataFrame, coverage: dict | None = None,
                       requested: tuple[str, ...] | None = None) -> list[str]:
    """Why the run's input is incomplete (contract.md, exit 3): each file refused, each file with lines
    that could not be read, each requested month a group's exports end before. Lines set aside on purpose
    (a WeCom one-to-one chat) leave nothing out."""
    out = [f"{i.path}: 未读取：{i.skipped_reason}" for i in sorted(inputs, key=lambda i: i.path) if i.refused]
    if len(unparsed):
        unread = unparsed[~unparsed[schema.U.reason].str.startswith(parsers.SET_ASIDE)]
        for source, n in unread.groupby(schema.U.source, sort=True).size().items():
            out.append(f"{source}: {n} 行未能读取（见 未解析 / unparsed.csv）")
    for month in requested or ():
        for group, cov in sorted((coverage or {}).items()):
            state = cov.month(month)
            if not state.incomplete:
                continue
            made = f"导出于 {cov.until:%Y-%m-%d %H:%M}（{coverage_mod.BASIS_ZH[cov.basis]}）"
            if state.status == "missing":
                out.append(f"{month}: {group}: 导出未覆盖该月（{made}），该月未考核，不是“无考核事项”")
            else:
                out.append(f"{month}: {group}: 导出只覆盖 {state.dates_zh()}（{made}），此后到期的事项未考核")
    return out


def _review_ids(events: pd.DataFrame) -> set[str]:
    return set(";".join(events.loc[events["needs_review"], "msg_ids"]).split(";")) - {""}


def _mark_review(messages: pd.DataFrame, review_ids: set[str]) -> pd.DataFrame:
    """The messages behind an event that needs review are marked too (the 明细 reviewer's filter)."""
    out = messages.copy(deep=False)
    out[M.needs_review] = messages[M.msg_id].isin(review_ids).to_numpy()
    return out


# ---- the other commands --------------------------------------------------------------------------

def parse(inputs: Iterable[Path], options: Options = Options()) -> ingest.Ingested:
    """The inputs read into normalized messages and the lines that could not be read (`wgm parse`)."""
    return ingest.ingest(list(inputs), load_roster(options.roster), options.input_format,
                         exclude=options.not_chats(), tz=load_settings(options).timezone, date_hint=options.date)


def tasks(inputs: Iterable[Path], options: Options = Options()) -> pd.DataFrame:
    """The task ledger of an audit (`wgm tasks`)."""
    return audit(inputs, options).tasks


def diff(inputs: Iterable[Path], rules_a: Path, rules_b: Path, options: Options = Options()) -> pd.DataFrame:
    """What-if: per month, member and rule, the amount under rule set A and under B, and B − A. The
    inputs are read once (or come from the cache)."""
    inputs = list(inputs)
    opt_a = dataclasses.replace(options, rules=rules_a)
    opt_b = dataclasses.replace(options, rules=rules_b)
    settings_a = load_settings(opt_a)
    load_settings(opt_b)          # a mistake in B is reported before A is audited
    shared = None
    if options.cache is None:
        shared = ingest_inputs(inputs, opt_a, settings_a, load_roster(options.roster))
    a = audit(inputs, opt_a, ingested=shared).events
    b = audit(inputs, opt_b, ingested=shared).events
    keys = ["month", "member", "dept", "rule"]
    sum_a = a.groupby(keys, sort=True).agg(count_a=("count", "sum"), amount_a=("amount", "sum"))
    sum_b = b.groupby(keys, sort=True).agg(count_b=("count", "sum"), amount_b=("amount", "sum"))
    out = sum_a.join(sum_b, how="outer").fillna(0).reset_index()
    out["count_a"] = out["count_a"].astype("int64")
    out["count_b"] = out["count_b"].astype("int64")
    out["difference"] = (out["amount_b"] - out["amount_a"]).round(2)
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def explain(result: AuditResult, member: str) -> list[tuple[pd.Series, pd.DataFrame]]:
    """Every event of one member (by name, display name or id) with the messages behind it (`wgm explain`)."""
    msgs = result.messages
    who = {member} | set(msgs.loc[(msgs[M.sender] == member) | (msgs[M.sender_id] == member), M.member])
    everyone = (set(msgs[M.member]) | set(result.events["member"])) - {""}
    if not who & everyone:
        raise UsageError(f"--member {member}: nobody of that name in the inputs{names.did_you_mean(member, everyone)}")
    events = result.events[result.events["member"].isin(who)]
    by_id = msgs.set_index(M.msg_id)
    out = []
    for _, ev in events.iterrows():
        ids = [i for i in ev["msg_ids"].split(";") if i and i in by_id.index]
        out.append((ev, by_id.loc[ids].reset_index()))
    return out




def roster_draft(inputs: Iterable[Path], options: Options = Options()) -> str:
    """`wgm roster draft`: a commented roster.yaml from what the exports show (wgm.roster_draft)."""
    from wgm import roster_draft as drafting
    ing = parse(inputs, dataclasses.replace(options, roster=None))
    return drafting.render(drafting.draft(ing.messages, load_settings(options).naming["member"]))


def roster_check(inputs: Iterable[Path], options: Options):
    """`wgm roster check`: who the exports show that the roster (options.roster) misses, ids nothing maps,
    groups it does not list (wgm.roster_draft.Check)."""
    from wgm import roster_draft as drafting
    if options.roster is None:
        raise UsageError("请给出要检查的花名册：--roster FILE（give the roster to check）")
    return drafting.check(parse(inputs, options).messages, load_roster(options.roster))
