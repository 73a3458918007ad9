"""The command line: flags → one api call → console output → exit code. No logic lives here.

Exit codes (contract.md; the highest that applies): 0 done, every input read, nothing to review;
1 done, some events need review; 3 done, but the input is incomplete (a file refused, lines
unread, a requested month not fully covered); 2 bad usage, settings or input, nothing written
(one line naming file, line, key); 4 internal error (one line and the path of a log).
"""

from __future__ import annotations

import functools
import gc
import re
import sys
from datetime import date
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from wgm import api, crash, parallel
from wgm.errors import UsageError, WgmError

app = typer.Typer(no_args_is_help=True, pretty_exceptions_show_locals=False, add_completion=False,
                  help="wgm: audit exported WeChat / WeCom work-group chats against the group regulation.")
rules_app = typer.Typer(no_args_is_help=True, help="Write, check or show the settings (rules.yaml).")
app.add_typer(rules_app, name="rules")

# what a terminal would act on rather than show: control characters (ESC starts a command), and the
# marks that reorder text (bidi overrides) — shown as their escapes, so a name cannot move the cursor
_UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


_SURROGATE = re.compile("[\ud800-\udfff]")


def visible(text: str) -> str:
    """A text safe to print on a terminal: its control characters as escapes (\\x1b), and a file name
    that is not UTF-8 (GBK bytes from a Windows zip) with its undecodable bytes escaped too."""
    if _SURROGATE.search(text):
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _UNSHOWABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class _SafeConsole(Console):
    """A console whose plain strings are printed with their control characters escaped: names, texts and
    paths from an export reach the terminal in every message wgm prints."""

    def print(self, *objects, **kwargs) -> None:
        super().print(*(visible(o) if isinstance(o, str) else o for o in objects), **kwargs)


def _text(value) -> Text:
    """A table cell taken as it is: a display name like [/bold]-运营部 is text, never rich markup."""
    return Text(visible(str(value)))


def _add_row(table: Table, *cells, **kwargs) -> None:
    table.add_row(*(_text(c) for c in cells), **kwargs)


out_console = _SafeConsole(highlight=False)
err_console = _SafeConsole(stderr=True, highlight=False, soft_wrap=True)


def _consoles_for_this_run() -> None:
    """The consoles as the environment now says (COLUMNS, a terminal or not): a command may run in a
    process that imported wgm under another environment (tests, embedding)."""
    global out_console, err_console
    out_console = _SafeConsole(highlight=False)
    err_console = _SafeConsole(stderr=True, highlight=False, soft_wrap=True)

FORMATS = {"xlsx", "csv", "json", "txt", "md"}    # md: the old name of txt (the 公示)


def resolve_month(month: Optional[str], today: date | None = None) -> Optional[str]:
    """`last` → the month before today; the only place wgm reads the clock."""
    if month != "last":
        return month
    today = today or date.today()
    year, mon = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{mon:02d}"


EXIT_DONE, EXIT_REVIEW, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


def _write_file(path: Path, data: bytes) -> None:
    """One output file (--csv), whole or not at all; a place it cannot go is the user's to fix (exit 2)."""
    from wgm.report.atomic import check_output_folder, write_atomic
    try:
        if path.is_dir():
            raise UsageError("is a folder, not a file", source=str(path), key="--csv")
        check_output_folder(path.parent, "--csv")
        write_atomic(path, data)
    except WgmError as err:
        _fail(err)
    except OSError as exc:
        _fail(UsageError(f"cannot write: {exc.strerror or exc}", source=str(path), key="--csv"))


def _fail(err: WgmError) -> None:
    err_console.print(f"wgm: {err}", style="red", markup=False)
    raise typer.Exit(EXIT_USAGE)


# exits and usage errors of the command-line library pass through (typer may vendor click or use it)
_CLICK_EXITS = (typer.Exit, typer.Abort,
                next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"))


def _guarded(command):
    """Every command: a user's mistake is one line and exit 2; anything else is wgm's own fault,
    logged with its traceback and reported in one line with exit 4 (never a traceback on the terminal)."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        _consoles_for_this_run()
        try:
            return command(*args, **kwargs)
        except _CLICK_EXITS:
            raise
        except WgmError as err:
            _fail(err)
        except Exception as exc:      # a bug: the log keeps what the terminal must not show
            log = crash.write_log(exc)
            err_console.print(crash.one_line(exc, log), style="red", markup=False)
            raise typer.Exit(crash.INTERNAL_ERROR) from None
    return run


def exit_code(result) -> int:
    """contract.md: the highest that applies of 0 (clean), 1 (review needed), 3 (input incomplete)."""
    if result.incomplete:
        return EXIT_INCOMPLETE
    return EXIT_REVIEW if result.review_count else EXIT_DONE


def _print_incomplete(reasons) -> None:
    """What made the run incomplete, on stderr: printed even with --quiet (cron mails it)."""
    for reason in reasons:
        err_console.print(f"wgm: 输入不完整 / incomplete: {reason}", style="yellow", markup=False)


def _options(rules, roster, incidents, overrides, members, month, set_, group, input_format,
             cache: Optional[Path] = None, day: Optional[str] = None, jobs: int = 0,
             as_of: Optional[str] = None, members_as_of: Optional[str] = None) -> api.Options:
    if jobs < 0:
        raise UsageError(f"--jobs takes a number of processes (0 = every core), got {jobs}")
    return api.Options(rules=rules, roster=roster, incidents=incidents, overrides=overrides, members=members,
                       month=resolve_month(month), set=tuple(set_ or ()), groups=tuple(group or ()),
                       input_format=input_format, cache=cache, date=parse_day(day), jobs=jobs,
                       as_of=parse_moment(as_of), members_as_of=parse_day(members_as_of, "--members-as-of"))


def parse_moment(value: Optional[str]):
    """--as-of: YYYY-MM-DD[ HH:MM[:SS]] local time; a date alone means the end of that day."""
    if value is None:
        return None
    from datetime import datetime, time
    from dateutil.parser import isoparse
    text = value.strip()
    try:
        moment = isoparse(text)
    except (ValueError, OverflowError):
        raise UsageError(f"--as-of takes YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS] (local time), got {value!r}") from None
    if moment.tzinfo is not None:
        raise UsageError(f"--as-of takes local time without a zone, got {value!r}")
    if len(text) in (8, 10):          # 2026-11-02 or 20261102: the whole day
        moment = datetime.combine(moment.date(), time(23, 59, 59))
    return moment


def parse_day(value: Optional[str], flag: str = "--date") -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{flag} takes YYYY-MM-DD, got {value!r}") from None


def _formats(value: str) -> set[str]:
    chosen = {f.strip() for f in value.split(",") if f.strip()}
    unknown = chosen - FORMATS
    if unknown or not chosen:
        raise UsageError(f"--format takes a comma list of xlsx, csv, json, txt, got {value!r}")
    return {"txt" if f == "md" else f for f in chosen}


InputsArg = typer.Argument(..., help="Export files or folders (folders are walked).", exists=False)
RulesOpt = typer.Option(None, "--rules", help="Settings file (default ./rules.yaml, else built-in).")
RosterOpt = typer.Option(None, "--roster", help="Roster: YAML, or CSV/XLSX with 姓名,部门,角色,别名,上级 (and 工号).")
IncidentsOpt = typer.Option(None, "--incidents", help="Incidents file: date, member, rule (leak, false_info, loss), "
                                                      "note, loss_amount, rate, group (optional: whose 公示 shows it).")
OverridesOpt = typer.Option(None, "--overrides", help=(
    "Review decisions: an earlier report.xlsx (its 复核结论 / 理由 columns), or a CSV/YAML file with the columns "
    "msg_id|task_id|event, action (confirm, dismiss, waive, tag, escalated), value, reason. Example CSV: "
    "'event,action,value,reason' then 'e3f1c2a9b7d0,dismiss,,电话里已回复'."))
MembersOpt = typer.Option(None, "--members", help="Membership snapshots: CSV (as_of, group, member), a 留痕 XLSX "
                                                  "export (its 成员信息 sheet) or a WeCom groupchat/get JSON reply.")
MembersAsOfOpt = typer.Option(None, "--members-as-of", help="YYYY-MM-DD: the day a --members snapshot taken from "
                                                            "an export shows (default: the end of what the "
                                                            "group's exports cover).")
MonthOpt = typer.Option(None, "--month", help="YYYY-MM, last (the month before today) or all (default).")
SetOpt = typer.Option(None, "--set", help="Override one setting: KEY=VALUE (repeatable).")
GroupOpt = typer.Option(None, "--group", help="Only this group (repeatable).")
FormatInOpt = typer.Option(None, "--input-format", help="Force the input format (see `wgm formats`).")
DateOpt = typer.Option(None, "--date", help="YYYY-MM-DD: the day of exports that print no date (chatlog "
                                            "single-day text); its year for exports without years.")
AsOfOpt = typer.Option(None, "--as-of", help="When the exports were made (YYYY-MM-DD[ HH:MM[:SS]], local time), "
                                             "where the files do not say; a date alone means its end. Duties "
                                             "decided after it are not judged.")
CacheOpt = typer.Option(None, "--cache", help="Folder for the re-run cache: parsed messages are reused while "
                                              "inputs, roster and word lists are unchanged.")


@app.command()
@_guarded
def audit(inputs: List[Path] = InputsArg, rules: Optional[Path] = RulesOpt, roster: Optional[Path] = RosterOpt,
          incidents: Optional[Path] = IncidentsOpt, overrides: Optional[Path] = OverridesOpt,
          members: Optional[Path] = MembersOpt, month: Optional[str] = MonthOpt,
          out: Path = typer.Option(Path("wgm-out"), "--out", help="Output folder."),
          format: str = typer.Option("xlsx,csv,json,txt", "--format",
                                     help="Comma list of xlsx,csv,json,txt (txt: the 公示 text; md is its old name)."),
          set_: Optional[List[str]] = SetOpt, group: Optional[List[str]] = GroupOpt,
          quiet: bool = typer.Option(False, "--quiet", help="Print nothing but errors (for cron)."),
          lang: str = typer.Option("zh", "--lang", help="Labels: zh or en."),
          input_format: Optional[str] = FormatInOpt, day: Optional[str] = DateOpt, cache: Optional[Path] = CacheOpt,
          as_of: Optional[str] = AsOfOpt, members_as_of: Optional[str] = MembersAsOfOpt,
          jobs: int = typer.Option(0, "--jobs", help="Worker processes for parsing and classifying "
                                                     "(0 = every core; small inputs use one)."),
          redact: bool = typer.Option(False, "--redact", help="Replace message text in every output with a hash "
                                                              "(times, rules, ids and arithmetic stay).")) -> None:
    """Audit exports and write the monthly tables, events and evidence."""
    from wgm import report
    try:
        if lang not in ("zh", "en"):
            raise UsageError(f"--lang takes zh or en, got {lang!r}")
        formats = _formats(format)
        options = _options(rules, roster, incidents, overrides, members, month, set_, group, input_format, cache, day,
                           jobs, as_of, members_as_of)
        from wgm.report.atomic import check_output_folder
        check_output_folder(out)          # before the work: a run that cannot write its report does none
        show = not quiet and sys.stderr.isatty()
        with _progress(show) as progress:
            result = api.audit(inputs, options, on_progress=progress)
        if redact:
            from wgm.report.redact import redact as hide_text, redaction_key
            result = hide_text(result, redaction_key(out))
        memo = None
        if options.cache is not None and not redact:
            from wgm.cache import FileMemo
            memo = FileMemo(options.cache)
        written = report.write(result, out, formats, lang=lang, jobs=parallel.workers(options.jobs), memo=memo)
    except WgmError as err:
        _fail(err)
    if not quiet:
        _print_summary(result, lang)
        for w in result.warnings:
            err_console.print(f"warning: {w}", style="yellow", markup=False)
        out_console.print(f"wrote {len(written)} files to {out}", markup=False)
    _print_incomplete(result.incomplete)
    raise typer.Exit(exit_code(result))


class _progress:
    """A transient progress bar over the input files, then the stage at work, on a terminal only;
    a no-op otherwise (cron, pipes)."""

    def __init__(self, show: bool) -> None:
        self.show = show
        self.bar = None

    def __enter__(self):
        if not self.show:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        bar = self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), console=err_console, transient=True)
        bar.start()
        task = bar.add_task("reading …", total=None)

        def update(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)
        return update

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_summary(result, lang: str) -> None:
    zh = lang == "zh"
    from wgm.catalog import RULES
    for month in result.months:
        rows = result.summary[result.summary["month"] == month]
        title = f"{month} {'考核汇总' if zh else 'assessment summary'}"
        table = Table(title=title, title_justify="left")
        for label in (("成员", "部门", "合计(元)", "事件") if zh else ("member", "dept", "total (yuan)", "events")):
            table.add_column(label, justify="right" if label in ("合计(元)", "total (yuan)") else "left")
        for r in rows.sort_values(["total_amount", "member"], ascending=[False, True]).itertuples(index=False):
            parts = []
            for rule in RULES:
                n = getattr(r, f"count_{rule.id}")
                if n:
                    parts.append(f"{rule.zh if zh else rule.id}×{n}")
            flag = (" 取消评优" if zh else " disqualified") if r.disqualified else ""
            _add_row(table, r.member, r.dept, f"{r.total_amount:,.2f}", "，".join(parts) + flag)
        total = rows["total_amount"].sum() if len(rows) else 0.0
        _add_row(table, "合计" if zh else "total", "", f"{total:,.2f}", "", style="bold")
        out_console.print(table)
    inputs = Table(title="输入文件" if zh else "inputs", title_justify="left")
    inputs.add_column("file", overflow="fold", ratio=3)
    inputs.add_column("format", no_wrap=True)
    for col in ("lines", "messages", "unparsed"):
        inputs.add_column(col, no_wrap=True, justify="right")
    inputs.add_column("note", overflow="fold", ratio=2)
    for i in sorted(result.inputs, key=lambda i: i.path):
        _add_row(inputs, i.path, i.fmt or "skipped", str(i.lines), str(i.messages), str(i.unparsed), i.skipped_reason)
    out_console.print(inputs)
    counts = (f"messages {len(result.messages)}, tasks {result.tasks['task_id'].nunique()}, "
              f"events {len(result.events)}, needs review {result.review_count}, unparsed lines {result.unparsed_count}")
    out_console.print(counts, markup=False)


@app.command()
@_guarded
def parse(inputs: List[Path] = InputsArg, roster: Optional[Path] = RosterOpt,
          input_format: Optional[str] = FormatInOpt, day: Optional[str] = DateOpt,
          out: Optional[Path] = typer.Option(None, "--out", help="Write messages.csv and unparsed.csv here."),
          quiet: bool = typer.Option(False, "--quiet")) -> None:
    """Read exports into normalized messages; report per file the format, lines, messages, unparsed."""
    from wgm import report
    try:
        if out is not None:
            from wgm.report.atomic import check_output_folder
            check_output_folder(out)
        ing = api.parse(inputs, api.Options(roster=roster, input_format=input_format, date=parse_day(day)))
    except WgmError as err:
        _fail(err)
    if not quiet:
        table = Table(title="inputs", title_justify="left")
        table.add_column("file", overflow="fold", ratio=3)
        table.add_column("format", no_wrap=True)
        table.add_column("encoding", overflow="fold", ratio=1)
        for col in ("lines", "messages", "unparsed"):
            table.add_column(col, no_wrap=True, justify="right")
        table.add_column("note", overflow="fold", ratio=2)
        for i in ing.inputs:
            _add_row(table, i.path, i.fmt or "skipped", i.encoding, str(i.lines), str(i.messages), str(i.unparsed),
                          i.skipped_reason)
        out_console.print(table)
        for w in ing.warnings:
            err_console.print(f"warning: {w}", style="yellow", markup=False)
    if out is not None:
        try:
            report.write_parsed(ing.messages, ing.unparsed, out)
        except WgmError as err:
            _fail(err)
    elif not quiet:
        cols = ["ts", "group", "sender", "sender_id", "media", "content"]
        for r in ing.messages[cols].itertuples(index=False):
            text = r.content.replace("\n", " ⏎ ")
            who = r.sender or r.sender_id or "[系统]"
            out_console.print(f"{r.ts:%Y-%m-%d %H:%M:%S}  {r.group}  {who}  {r.media}  {text}", markup=False)
        for u in ing.unparsed.itertuples(index=False):
            err_console.print(f"{u.source}:{u.line}: unparsed: {u.reason}", style="yellow", markup=False)
    incomplete = api.incomplete_reasons(ing.inputs, ing.unparsed)
    if quiet:
        _print_incomplete(incomplete)
    raise typer.Exit(EXIT_INCOMPLETE if incomplete else EXIT_DONE)


@app.command()
@_guarded
def tasks(inputs: List[Path] = InputsArg, rules: Optional[Path] = RulesOpt, roster: Optional[Path] = RosterOpt,
          set_: Optional[List[str]] = SetOpt, group: Optional[List[str]] = GroupOpt,
          input_format: Optional[str] = FormatInOpt, day: Optional[str] = DateOpt, as_of: Optional[str] = AsOfOpt,
          csv_out: Optional[Path] = typer.Option(None, "--csv", help="Write the ledger to this CSV file.")) -> None:
    """The task ledger: each task x receiver with RD, PT, c, v and status."""
    from wgm.report.machine import TASK_COLUMNS, to_csv
    try:
        result = api.audit(inputs, _options(rules, roster, None, None, None, None, set_, group, input_format, day=day,
                                            as_of=as_of))
    except WgmError as err:
        _fail(err)
    if csv_out is not None:
        _write_file(csv_out, to_csv(result.tasks, TASK_COLUMNS))
        raise typer.Exit(0)
    table = Table(title="任务台账 / task ledger", title_justify="left")
    cols = ["group", "poster", "receiver", "kind", "posted", "reply_deadline", "replied", "promised", "completed",
            "verified", "status"]
    for c in cols:
        table.add_column(c)
    for r in result.tasks[cols].itertuples(index=False):
        _add_row(table, *[_cell(v) for v in r])
    out_console.print(table)


def _cell(value) -> str:
    import pandas as pd
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%m-%d %H:%M")
    return str(value)


@app.command()
@_guarded
def explain(inputs: List[Path] = InputsArg, member: str = typer.Option(..., "--member", help="Name, display name or id."),
            month: Optional[str] = MonthOpt, rules: Optional[Path] = RulesOpt, roster: Optional[Path] = RosterOpt,
            incidents: Optional[Path] = IncidentsOpt, overrides: Optional[Path] = OverridesOpt,
            members: Optional[Path] = MembersOpt, set_: Optional[List[str]] = SetOpt,
            input_format: Optional[str] = FormatInOpt, day: Optional[str] = DateOpt,
            as_of: Optional[str] = AsOfOpt, members_as_of: Optional[str] = MembersAsOfOpt) -> None:
    """Every event of one member, with the messages behind it."""
    try:
        options = _options(rules, roster, incidents, overrides, members, month, set_, None, input_format, day=day,
                           as_of=as_of, members_as_of=members_as_of)
        result = api.audit(inputs, options)
        found = api.explain(result, member)
    except WgmError as err:
        _fail(err)
    if not found:
        out_console.print(f"{member}: no events", markup=False)
        raise typer.Exit(0)
    total = 0.0
    for ev, msgs in found:
        total += ev["amount"]
        review = "  [待复核: " + ev["review_reason"] + "]" if ev["needs_review"] else ""
        out_console.print(f"{ev['month']}  {ev['rule']} ({ev['clause']})  ×{ev['count']}  {ev['amount']:.2f} 元  "
                          f"{ev['group']}{review}", style="bold", markup=False)
        out_console.print(f"    {ev['detail']}", markup=False)
        for m in msgs.itertuples(index=False):
            text = m.text.replace("\n", " ⏎ ")
            out_console.print(f"    {m.ts:%Y-%m-%d %H:%M:%S}  {m.sender or '[系统]'}: {text}   ({m.source}:{m.line})",
                              markup=False)
    out_console.print(f"{member}: {len(found)} events, {total:,.2f} 元", markup=False)


@app.command()
@_guarded
def diff(inputs: List[Path] = InputsArg,
         rules: List[Path] = typer.Option(..., "--rules", help="Give twice: --rules A.yaml --rules B.yaml."),
         roster: Optional[Path] = RosterOpt, incidents: Optional[Path] = IncidentsOpt,
         overrides: Optional[Path] = OverridesOpt, members: Optional[Path] = MembersOpt,
         month: Optional[str] = MonthOpt, input_format: Optional[str] = FormatInOpt, day: Optional[str] = DateOpt,
         cache: Optional[Path] = CacheOpt, as_of: Optional[str] = AsOfOpt,
         members_as_of: Optional[str] = MembersAsOfOpt,
         csv_out: Optional[Path] = typer.Option(None, "--csv", help="Also write the comparison to this CSV.")) -> None:
    """What-if: per member and rule, amounts under rules A and B and the difference."""
    try:
        if len(rules) != 2:
            raise UsageError("give --rules exactly twice: --rules A.yaml --rules B.yaml")
        options = _options(None, roster, incidents, overrides, members, month, None, None, input_format, cache, day,
                           as_of=as_of, members_as_of=members_as_of)
        table_df = api.diff(inputs, rules[0], rules[1], options)
    except WgmError as err:
        _fail(err)
    table = Table(title=f"A = {rules[0]}   B = {rules[1]}", title_justify="left")
    for col in ("month", "member", "rule", "A", "B", "B − A"):
        table.add_column(col, justify="right" if col in ("A", "B", "B − A") else "left")
    for r in table_df.itertuples(index=False):
        _add_row(table, r.month, r.member, r.rule, f"{r.amount_a:,.2f}", f"{r.amount_b:,.2f}", f"{r.difference:+,.2f}")
    out_console.print(table)
    if csv_out is not None:
        from wgm.report.machine import to_csv      # formula-safe like every CSV wgm writes (=HYPERLINK names)
        _write_file(csv_out, to_csv(table_df.round({c: 2 for c in ("amount_a", "amount_b", "difference")}),
                                    list(table_df.columns)))


@rules_app.command("init")
@_guarded
def rules_init(path: Path = typer.Argument(Path("rules.yaml"), help="Where to write the commented defaults."),
               force: bool = typer.Option(False, "--force", help="Overwrite an existing file.")) -> None:
    """Write the default rules.yaml (commented in Chinese and English)."""
    from wgm.settings import DEFAULT_RULES_TEXT
    if path.exists() and not force:
        _fail(UsageError("exists; use --force to overwrite", source=str(path)))
    path.write_text(DEFAULT_RULES_TEXT, encoding="utf-8")
    out_console.print(f"wrote {path}", markup=False)


@rules_app.command("check")
@_guarded
def rules_check(path: Path = typer.Argument(..., help="The rules.yaml to validate.")) -> None:
    """Validate a rules.yaml: every problem as file:line: key: message."""
    from wgm import settings
    try:
        s = settings.load(path)
    except WgmError as err:
        _fail(err)
    out_console.print(f"{path}: ok (settings hash {s.hash[:12]})", markup=False)


@rules_app.command("show")
@_guarded
def rules_show(rules: Optional[Path] = RulesOpt, set_: Optional[List[str]] = SetOpt) -> None:
    """Print the effective settings (defaults merged with the file and --set)."""
    import yaml
    try:
        s = api.load_settings(api.Options(rules=rules, set=tuple(set_ or ())))
    except WgmError as err:
        _fail(err)
    out_console.print(yaml.safe_dump(dict(s.data), allow_unicode=True, sort_keys=False), markup=False)
    out_console.print(f"# settings hash: {s.hash}", markup=False)


@app.command()
@_guarded
def formats() -> None:
    """List the export formats wgm reads, with one example line each."""
    from wgm import parsers
    table = Table(title="formats", title_justify="left")
    for col in ("name", "description", "example"):
        table.add_column(col)
    for p in parsers.PARSERS:
        _add_row(table, p.name, p.description, p.example)
    out_console.print(table)


def main() -> None:
    # wgm runs once and exits. A large audit makes millions of small objects, freed by reference
    # counting as it goes; the cyclic collector's repeated passes over them cost ~10 % of a 1M-message
    # run and find almost nothing (about a thousand cyclic objects at 100k messages), so it is off.
    gc.disable()
    app()
