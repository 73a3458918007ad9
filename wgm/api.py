"""The pipeline as plain functions: the CLI and the tests call these; nothing here prints or exits.

parse → ingest → classify → ledger → rules → evaluate → AuditResult
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from wgm import __version__, cache, classify, ingest, ledger, names, parallel, parsers, schema
from wgm import coverage as coverage_mod
from wgm import settings as settings_mod
from wgm.errors import SettingsError, UsageError, WgmError
from wgm.evaluate import apply_task_overrides, assess, dept_lookup, settle
from wgm.records import load_incidents, load_overrides, load_snapshots
from wgm.result import AuditResult
from wgm.roster import Roster, load_roster, resolve_member
from wgm.rules import RuleContext, run_group_families, run_run_families
from wgm.schema import M

TAG_KINDS = {
    "chat": (), "task": ("t_task_verb",), "reply": ("t_ack",), "completion": ("t_done",),
    "verification": ("t_verify",), "reminder": ("t_reminder",), "escalation": ("t_escalation",),
    "off_topic": ("t_off_topic", "t_off_topic_exact"), "incivility": ("t_incivility",), "warning": ("t_warning",),
}


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
    cache: Path | None = None         # folder for the re-run cache (parsed + classified messages)
    date: date | None = None          # --date: the day of date-less exports (chatlog single-day text)
    jobs: int = 0                     # worker processes for parsing and classifying; 0 = every core

    def side_files(self) -> list[Path]:
        return [p for p in (self.rules, self.roster, self.incidents, self.overrides, self.members) if p]


@dataclass(frozen=True)
class Prepared:
    """Parsed and classified messages: what a what-if re-run can reuse."""

    messages: pd.DataFrame
    unparsed: pd.DataFrame
    inputs: tuple
    warnings: tuple[str, ...]
    roster: Roster
    cache_key: str = ""      # the --cache entry it came from or went to; "" without --cache
    classified: bool = True  # False: parsed only, classified group by group where the ledger is built


def load_settings(options: Options) -> settings_mod.Settings:
    rules = options.rules
    if rules is None and Path("rules.yaml").is_file():
        rules = Path("rules.yaml")
    return settings_mod.load(rules, list(options.set))


def apply_tag_overrides(df: pd.DataFrame, overrides) -> tuple[pd.DataFrame, list[dict], list[str]]:
    """`tag` overrides re-classify one message by msg_id before the ledger runs."""
    applied, used, warnings = _tag_overrides(df, overrides)
    for o, hit in applied:
        for col in classify.TAG_COLUMNS:
            df.loc[hit, col] = col in TAG_KINDS[o.value]
    return df, used, warnings


def _tag_overrides(df: pd.DataFrame, overrides) -> tuple[list[tuple[object, pd.Index]], list[dict], list[str]]:
    """The `tag` overrides that apply, each with the rows it hits, and what the report says of every one:
    needs only the message ids, so a run that classifies group by group reports them for the whole run."""
    applied, used, warnings = [], [], []
    tags = [o for o in overrides if o.action == "tag"]
    ids = df.loc[df[M.msg_id].isin({o.key for o in tags}), M.msg_id] if tags else df[M.msg_id].iloc[:0]
    for o in tags:
        hit = ids.index[ids == o.key]          # labels of the rows it names: one pass over the run, not one each
        if not len(hit) or o.value not in TAG_KINDS:
            why = "matches nothing" if not len(hit) else f"unknown tag {o.value!r} ({', '.join(TAG_KINDS)})"
            warnings.append(f"{o.source}:{o.line}: override {o.target}={o.key} (tag) {why}")
            continue
        applied.append((o, hit))
        used.append({"source": o.source, "line": o.line, "target": f"msg_id={o.key}", "action": "tag",
                     "value": o.value, "reason": o.reason, "matched": len(hit)})
    return applied, used, warnings


def prepare(inputs: Iterable[Path], options: Options, settings: settings_mod.Settings,
            on_progress: ingest.Progress | None = None) -> Prepared:
    ingested = _ingested(inputs, options, settings, on_progress)
    if on_progress:
        on_progress(f"classifying {len(ingested.messages):,} messages", 1, 1)
    classified = classify.classify_all(ingested.messages, settings, ingested.roster, parallel.workers(options.jobs))
    return dataclasses.replace(ingested, messages=classified, classified=True)


def _ingested(inputs: Iterable[Path], options: Options, settings: settings_mod.Settings,
              on_progress: ingest.Progress | None = None) -> Prepared:
    """Parsed and normalized messages, not yet classified."""
    roster = load_roster(options.roster)
    ing = ingest.ingest(inputs, roster, options.input_format, exclude=options.side_files(), on_progress=on_progress,
                        tz=settings.timezone, date_hint=options.date, jobs=parallel.workers(options.jobs))
    messages = ing.messages
    if options.groups:
        known = set(messages[M.group])
        missing = [g for g in options.groups if g not in known]
        if missing:
            raise UsageError(f"no such group in the inputs: {', '.join(missing)} (have: {', '.join(sorted(known))})")
        messages = messages[messages[M.group].isin(options.groups)].reset_index(drop=True)
    return Prepared(messages, ing.unparsed, ing.inputs, ing.warnings, roster, classified=False)


def _prepared_key(inputs: list[Path], options: Options, settings: settings_mod.Settings) -> str:
    excluded = {Path(p).resolve() for p in options.side_files()}
    files = [p for p, _ in ingest.walk(inputs) if p.resolve() not in excluded]
    return cache.key(files, options.input_format, options.groups, options.roster, _classification_inputs(settings),
                     options.date)


def _prepare_cached(inputs: list[Path], options: Options, settings: settings_mod.Settings,
                    on_progress: ingest.Progress | None, name: str = "") -> Prepared:
    if options.cache is None:
        return prepare(inputs, options, settings, on_progress)
    name = name or _prepared_key(inputs, options, settings)
    hit = cache.load(options.cache, name)
    if hit is not None and isinstance(hit["messages"], pd.DataFrame):
        return Prepared(hit["messages"], hit["unparsed"], hit["inputs"], hit["warnings"], load_roster(options.roster),
                        cache_key=name)
    prepared = prepare(inputs, options, settings, on_progress)
    cache.save(options.cache, name, {"messages": prepared.messages, "unparsed": prepared.unparsed,
                                     "inputs": prepared.inputs, "warnings": prepared.warnings})
    return dataclasses.replace(prepared, cache_key=name)


# Settings that only price or flag events the rules already found: a run that changes nothing else reuses
# the ledger and the events of the last run (an auditor trying other amounts).
_PRICING_ONLY = ("amounts", "review")


def _assessment_key(prepared_key: str, inputs: list[Path], options: Options,
                    settings: settings_mod.Settings) -> str:
    h = hashlib.sha256(prepared_key.encode())
    rest = {k: v for k, v in settings.data.items() if k not in _PRICING_ONLY}
    # the files' modification times may say when the exports were made (coverage): a touched file is
    # judged afresh
    stamps = [(str(p), p.stat().st_mtime_ns) for p, _ in ingest.walk(inputs)]
    h.update(json.dumps([rest, options.month, str(options.as_of), str(options.now), stamps], sort_keys=True,
                        ensure_ascii=False, default=str).encode())
    for path in (options.incidents, options.overrides, options.members):
        h.update(hashlib.sha256(Path(path).read_bytes()).hexdigest().encode() if path else b"-")
    return "a" + h.hexdigest()[:32]


def prepare_messages(parsed: pd.DataFrame, options: Options, settings: settings_mod.Settings) -> Prepared:
    """Like prepare(), from an already parsed message frame (tests, other front ends)."""
    roster = load_roster(options.roster)
    messages, warnings = ingest.normalize(parsed, roster)
    return Prepared(classify.classify(messages, settings, roster), schema.empty_frame(schema.UNPARSED_COLUMNS),
                    (), tuple(warnings), roster)


def _months(month: str | None) -> tuple[str, ...] | None:
    if month in (None, "", "all"):
        return None
    if len(month) != 7 or month[4] != "-" or not month[:4].isdigit() or not month[5:].isdigit() \
            or not 1 <= int(month[5:]) <= 12:
        raise UsageError(f"--month expects YYYY-MM, last or all, got {month!r}")
    return (month,)


def inputs_hash(settings_hash: str, infos, side_files: list[Path]) -> str:
    h = hashlib.sha256(settings_hash.encode())
    for info in sorted(infos, key=lambda i: i.sha256):
        h.update(info.sha256.encode())
    for path in side_files:
        h.update(hashlib.sha256(Path(path).read_bytes()).hexdigest().encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Assessment:
    """What a run found before pricing: the output messages (needs_review not yet marked), the task ledger
    and the events with their review reasons. A re-run that changes only amounts or review settings
    settles this again (wgm.evaluate.settle) without reading, classifying or assessing anything."""

    messages: pd.DataFrame
    tasks: pd.DataFrame
    events: pd.DataFrame           # wgm.evaluate.assess(): unpriced
    unparsed: pd.DataFrame
    inputs: tuple
    warnings: tuple[str, ...]
    overrides_used: tuple[dict, ...]
    coverage: dict                 # group → coverage.GroupCoverage: when its exports were made
    months_seen: tuple[str, ...]   # the months the messages cover


def audit(inputs: Iterable[Path], options: Options = Options(),
          on_progress: ingest.Progress | None = None, prepared: Prepared | None = None) -> AuditResult:
    inputs = list(inputs)
    settings = load_settings(options)
    overrides = load_overrides(options.overrides)
    roster = prepared.roster if prepared is not None else load_roster(options.roster)
    incidents = load_incidents(options.incidents, roster, settings)
    months = _months(options.month)
    assessed_key = prepared_key = ""
    if options.cache is not None and (prepared is None or prepared.cache_key):
        prepared_key = prepared.cache_key if prepared is not None else _prepared_key(inputs, options, settings)
        assessed_key = _assessment_key(prepared_key, inputs, options, settings)
    found = cache.load(options.cache, assessed_key, must_have="assessment") if assessed_key else None
    if found is not None and isinstance(found["assessment"], Assessment):
        assessment = found["assessment"]
    else:
        # without --cache nothing keeps the classified messages: they are classified where each group's
        # ledger is built (one round of workers, nothing sent back but the ledger and the events)
        prepared = prepared or (_ingested(inputs, options, settings, on_progress) if options.cache is None
                                else _prepare_cached(inputs, options, settings, on_progress, prepared_key))
        if on_progress:
            on_progress(("" if prepared.classified else f"classifying {len(prepared.messages):,} messages, ")
                        + "building the task ledger and assessing", 1, 1)
        assessment = _assess(prepared, options, settings, roster, incidents, overrides)
        if assessed_key:
            cache.save(options.cache, assessed_key, {"assessment": assessment})
    ev = settle(assessment.events, settings, incidents, overrides, months)
    review_ids = _review_ids(ev.events)
    messages = _mark_review(assessment.messages, review_ids)
    schema.check_frame(assessment.tasks, schema.TASK_COLUMNS, "ledger")
    schema.check_frame(ev.events, schema.EVENT_COLUMNS, "evaluate")
    schema.check_frame(messages, schema.MESSAGE_COLUMNS, "messages")
    covered = tuple(sorted(set(assessment.months_seen) | set(ev.events["month"])))
    reported = months or covered
    memo: tuple[tuple[str, str], ...] = ()
    if assessed_key:   # tasks.csv is the assessment's; messages.csv differs between settlements in needs_review
        review = hashlib.sha256("\n".join(sorted(review_ids)).encode()).hexdigest()[:16]
        memo = (("messages.csv", str(Path(options.cache) / f"{assessed_key}-{review}.messages.csv")),
                ("tasks.csv", str(Path(options.cache) / f"{assessed_key}.tasks.csv")))
    return AuditResult(
        messages=messages, unparsed=assessment.unparsed, tasks=assessment.tasks, events=ev.events,
        summary=ev.summary, settings=settings, inputs=assessment.inputs, months=reported,
        as_of=max((c.until for c in assessment.coverage.values()), default=datetime(1970, 1, 1)).isoformat(),
        coverage=tuple(assessment.coverage[g] for g in sorted(assessment.coverage)), version=__version__,
        overrides_used=assessment.overrides_used + tuple(ev.overrides_used),
        warnings=assessment.warnings + ev.warnings,
        inputs_hash=inputs_hash(settings.hash, assessment.inputs, options.side_files()), csv_memo=memo,
        incomplete=tuple(incomplete_reasons(assessment.inputs, assessment.unparsed, assessment.coverage, months)))


def incomplete_reasons(inputs, unparsed: pd.DataFrame, coverage: dict | None = None,
                       requested: tuple[str, ...] | None = None) -> list[str]:
    """Why the run's input is incomplete (contract.md, exit 3): each file refused, each file with lines
    that could not be read, each requested month a group's exports end before. Lines set aside on purpose
    (a WeCom one-to-one chat) leave nothing out."""
    out = [f"{i.path}: 未读取：{i.skipped_reason}" for i in sorted(inputs, key=lambda i: i.path) if i.refused]
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
    if len(unparsed):
        unread = unparsed[~unparsed[schema.U.reason].str.startswith(parsers.SET_ASIDE)]
        for source, n in unread.groupby(schema.U.source, sort=True).size().items():
            out.append(f"{source}: {n} 行未能读取（见 未解析 / unparsed.csv）")
    return out


def _assess(prepared: Prepared, options: Options, settings: settings_mod.Settings, roster: Roster,
            incidents, overrides) -> Assessment:
    """Per group (in workers: groups never share a task) the classification, where the messages are not
    classified yet, tag overrides, the ledger, escalation overrides, the rules and the events' review
    reasons; then the rules that read the side files."""
    snapshots = load_snapshots(options.members, roster)
    messages = prepared.messages
    _check_incident_groups(incidents, set(messages[M.group]) | {g.name for g in roster.groups})
    _check_named_people(settings, roster, incidents, messages)
    blind = what_cannot_fire(settings, roster, messages, snapshots)
    # tag overrides are applied where the ledger is built, group by group
    _, tag_used, tag_warnings = _tag_overrides(messages, overrides)
    people = None if prepared.classified else classify.People.build(messages, roster)   # every name of the run
    covered = coverage_mod.of_groups(messages, prepared.inputs, options.as_of, options.now or _now(settings))
    until = coverage_mod.until_by_group(covered)
    depts = dept_lookup(messages, roster)
    judge = functools.partial(_assess_groups, settings=settings, roster=roster, overrides=overrides, until=until,
                              depts=depts, people=people)
    done = parallel.by_groups(messages, M.group, judge, parallel.workers(options.jobs))
    parts = [result for _, result in done]
    tag_bits = np.zeros(len(messages), dtype=np.int64)
    for rows, (_, _, bits) in done:
        tag_bits[rows] = bits
    led = ledger.merge([part_ledger for part_ledger, _, _ in parts])
    # again over every group: which overrides matched anything, and the ledger the tasks file shows
    tasks, esc_used, esc_warnings = apply_task_overrides(led.tasks, overrides)
    tasks = coverage_mod.mark_not_judged(tasks, until, settings.verification_grace)
    led = ledger.Ledger(tasks, led.roles, led.warnings, led.off_topic, led.left)
    ctx = RuleContext(messages, led, settings, roster, tuple(incidents), tuple(snapshots), until)
    events = pd.concat([part_events for _, part_events, _ in parts] + [assess(ctx, run_run_families(ctx), depts)],
                       ignore_index=True)
    # in the order settle() gives them (pricing keeps it): a cached re-run then finds them sorted already
    events = schema.sort_rows(events, schema.SORT_KEYS["events"])
    months_seen = np.unique(messages[M.ts].dropna().to_numpy().astype("datetime64[M]"))   # not strftime ×1M
    return Assessment(messages=_with_roles(messages, led, tag_bits), tasks=tasks, events=events,
                      unparsed=prepared.unparsed,
                      inputs=prepared.inputs,
                      warnings=tuple(prepared.warnings) + tuple(blind) + tuple(tag_warnings + esc_warnings),
                      overrides_used=tuple(tag_used + esc_used), coverage=covered,
                      months_seen=tuple(str(m) for m in months_seen))


def _now(settings: settings_mod.Settings) -> datetime:
    """The run's time as local wall-clock time (the zone the exports' times are in)."""
    from zoneinfo import ZoneInfo
    return datetime.now(ZoneInfo(settings.timezone)).replace(tzinfo=None, microsecond=0)


def _known_people(roster: Roster, messages: pd.DataFrame) -> set[str]:
    """Every name a person of the run goes by: the roster's names and aliases, else what the exports show."""
    if not roster.empty:
        return set(roster.alias_map())
    return (set(messages[M.member]) | set(messages[M.sender]) | set(messages[M.sender_id])) - {""}


def _check_named_people(settings: settings_mod.Settings, roster: Roster, incidents, messages: pd.DataFrame) -> None:
    """A person named in --set admins or the incidents file must be someone of the run: a name that matches
    nobody (孙俪 for 孙丽) would silently fire nothing or fine nobody."""
    known = _known_people(roster, messages)
    members = set(roster.people) if not roster.empty else (set(messages[M.member]) - {""})
    problems = []
    for name in settings.admins:
        if not roster.empty and name not in known:
            key, why = resolve_member(roster, name)
            if key is None:
                problems.append(WgmError(why.replace("is not a member of the roster", "matches nobody in the roster"),
                                         source="settings", key="admins"))
        elif name not in known:
            problems.append(WgmError(f"{name} matches nobody in the exports{names.did_you_mean(name, members)}",
                                     source="settings", key="admins"))
    if roster.empty:      # with a roster, load_incidents() has checked the names already
        for i in incidents:
            if i.member not in known:
                problems.append(WgmError(f"{i.member} matches nobody in the exports"
                                         f"{names.did_you_mean(i.member, members)}", source=i.source, line=i.line,
                                         key="member"))
    if problems:
        raise SettingsError(problems)


# (rule ids, what they need, what to give): rules that cannot fire without it are named in a warning
def what_cannot_fire(settings: settings_mod.Settings, roster: Roster, messages: pd.DataFrame,
                     snapshots) -> list[str]:
    """Warnings naming the rules that cannot fire for want of something the run does not have."""
    out = []
    global_admins = {p.member for p in roster.people.values() if p.role == "admin"} | set(settings.admins)
    for group in sorted(set(messages[M.group]) - {""}):
        g = roster.group(group)
        if not (g and g.admins) and not global_admins:
            out.append(f"{group}: 没有已知的群管理员（名册 groups.admins 或 role: admin，或 --set admins=姓名），"
                       "off_topic_after_warning（制止后仍发无关信息）无法判定 / no admin known: "
                       "off_topic_after_warning cannot fire")
    for snap in snapshots:
        g = roster.group(snap.group)
        for name in sorted(snap.members - set(roster.people)) if not roster.empty else ():
            out.append(f"{snap.source}: {snap.as_of} {snap.group}: 成员快照中的 {name} 不在名册中"
                       f"{names.did_you_mean(name, roster.people)} / not in the roster")
        if not (g and g.members):
            out.append(f"{snap.group}: 名册未列出本群应在成员（groups.members），成员快照无法判定 quit_group "
                       "/ no expected members: quit_group from the snapshot cannot fire")
    if roster.empty:
        out.append("没有名册：以部门名指定的接收人无法对应到部门负责人，上报无法对应到上级和考核办公室 / no roster: "
                   "departments named as receivers have no head, escalations no supervisor or office")
    return out


def _check_incident_groups(incidents, groups: set[str]) -> None:
    """An incident's `group` must name a group of the run (it decides whose 公示 shows it)."""
    problems = [WgmError(f"group {i.group} is not a group of the inputs or the roster"
                         f"{names.did_you_mean(i.group, groups)}", source=i.source, line=i.line, key="group")
                for i in incidents if i.group and i.group not in groups]
    if problems:
        raise SettingsError(problems)


def _assess_groups(messages: pd.DataFrame, settings: settings_mod.Settings, roster: Roster, overrides,
                   until: dict[str, datetime], depts: dict[str, str],
                   people: classify.People | None) -> tuple[ledger.Ledger, pd.DataFrame, np.ndarray]:
    """Some groups' ledger (before escalation overrides), their events assessed, and each message's tags
    (_tag_bits). `people`: the run's names, when the messages still have to be classified."""
    if people is not None:
        messages = classify.classify(messages, settings, roster, people)
    messages, _, _ = apply_tag_overrides(messages.copy(deep=False), overrides)
    built = ledger.build(messages, settings, roster)
    tasks, _, _ = apply_task_overrides(built.tasks, overrides)
    ctx = RuleContext(messages, ledger.Ledger(tasks, built.roles, built.warnings, built.off_topic, built.left),
                      settings, roster, (), (), until)
    events = assess(ctx, run_group_families(ctx), depts)
    # what _with_roles gives a message without a role anyway is not sent back (most messages are chat)
    roles = built.roles
    plain = (roles[M.kind] == "chat") & (roles[M.task_id] == "") & (roles[M.confidence] == 1.0)
    return dataclasses.replace(built, roles=roles[~plain]), events, _tag_bits(messages)


def _review_ids(events: pd.DataFrame) -> set[str]:
    return set(";".join(events.loc[events["needs_review"], "msg_ids"]).split(";")) - {""}


def _mark_review(messages: pd.DataFrame, review_ids: set[str]) -> pd.DataFrame:
    """The messages behind an event that needs review are marked too (the 明细 reviewer's filter)."""
    out = messages.copy(deep=False)
    out[M.needs_review] = messages[M.msg_id].isin(review_ids).to_numpy()
    return out


def _with_roles(messages: pd.DataFrame, led: ledger.Ledger, tag_bits: np.ndarray) -> pd.DataFrame:
    """The output message frame: the ledger's role for each message (plain chat where it gives none)
    and every lexical tag (`tag_bits`: _tag_bits of the classified messages, row by row)."""
    roles = led.roles.drop_duplicates(M.msg_id)
    at = pd.Index(roles[M.msg_id]).get_indexer(messages[M.msg_id])    # one lookup serves three columns
    found = at >= 0

    def role_column(col: str, default) -> np.ndarray:
        values = roles[col].to_numpy()
        out = np.full(len(at), default, dtype=values.dtype if values.dtype != object else object)
        out[found] = values[at[found]]
        return out

    out = messages[[c for c in schema.MESSAGE_COLUMNS if c in messages.columns]]
    out[M.kind] = pd.Series(role_column(M.kind, "chat"), index=out.index, dtype="str")
    out[M.task_id] = pd.Series(role_column(M.task_id, ""), index=out.index, dtype="str")
    out[M.confidence] = pd.Series(role_column(M.confidence, 1.0), index=out.index, dtype=float)
    out[M.needs_review] = False        # _mark_review() sets it once the events are settled
    out[M.tags] = pd.Series(_tag_text(tag_bits), index=out.index, dtype="str")
    out = schema.conform(out, {c: t for c, t in schema.MESSAGE_COLUMNS.items() if c not in out.columns})
    out = out[list(schema.MESSAGE_COLUMNS)]
    return schema.sort_rows(out, schema.SORT_KEYS["messages"])


def _tag_bits(messages: pd.DataFrame) -> np.ndarray:
    """Each message's tags packed into the bits of one number (bit i: classify.TAG_COLUMNS[i])."""
    bits = np.zeros(len(messages), dtype=np.int64)
    for i, col in enumerate(classify.TAG_COLUMNS):
        bits |= messages[col].to_numpy(dtype=bool).astype(np.int64) << i
    return bits


def _tag_text(bits: np.ndarray) -> np.ndarray:
    """"ack;done" from _tag_bits: each distinct set of tags spelled once (a few dozen sets, not a million)."""
    codes, sets = pd.factorize(bits)
    spelled = np.array([";".join(col[2:] for i, col in enumerate(classify.TAG_COLUMNS) if s >> i & 1)
                        for s in sets.tolist()] or [""], dtype=object)
    return spelled[codes] if len(codes) else np.array([], dtype=object)


def parse(inputs: Iterable[Path], options: Options = Options()) -> ingest.Ingested:
    return ingest.ingest(list(inputs), load_roster(options.roster), options.input_format,
                         exclude=options.side_files(), tz=load_settings(options).timezone, date_hint=options.date)


def tasks(inputs: Iterable[Path], options: Options = Options()) -> pd.DataFrame:
    return audit(inputs, options).tasks


def _classification_inputs(settings: settings_mod.Settings) -> tuple:
    """The settings the classifier reads: when two rule sets agree on these, one parse serves both."""
    d = settings.data
    return (d["lexicon"], d["times"], d["timezone"], d["admins"], d["naming"])


def diff(inputs: Iterable[Path], rules_a: Path, rules_b: Path, options: Options = Options()) -> pd.DataFrame:
    """What-if: per month, member and rule, the amount under rule set A and under B, and B − A."""
    inputs = list(inputs)
    opt_a = Options(**{**options.__dict__, "rules": rules_a})
    opt_b = Options(**{**options.__dict__, "rules": rules_b})
    settings_a, settings_b = load_settings(opt_a), load_settings(opt_b)
    prepared_a = _prepare_cached(inputs, opt_a, settings_a, None)
    prepared_b = prepared_a if _classification_inputs(settings_a) == _classification_inputs(settings_b) \
        else _prepare_cached(inputs, opt_b, settings_b, None)
    a = audit(inputs, opt_a, prepared=prepared_a).events
    b = audit(inputs, opt_b, prepared=prepared_b).events
    keys = ["month", "member", "dept", "rule"]
    sum_a = a.groupby(keys, sort=True).agg(count_a=("count", "sum"), amount_a=("amount", "sum"))
    sum_b = b.groupby(keys, sort=True).agg(count_b=("count", "sum"), amount_b=("amount", "sum"))
    out = sum_a.join(sum_b, how="outer").fillna(0).reset_index()
    out["count_a"] = out["count_a"].astype("int64")
    out["count_b"] = out["count_b"].astype("int64")
    out["difference"] = (out["amount_b"] - out["amount_a"]).round(2)
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def explain(result: AuditResult, member: str) -> list[tuple[pd.Series, pd.DataFrame]]:
    """Every event of one member (by name, display name or id) with the messages behind it."""
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
