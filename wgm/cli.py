"""The command line: flags → one api call → console output → exit code. No logic lives here.

Exit codes (contract.md; the highest that applies): 0 done, every input read, nothing to review;
1 done, some events need review; 3 done, but the input is incomplete (a file refused, lines
unread, a requested month not fully covered); 2 bad usage, settings or input, nothing written
(one line naming file, line, key); 4 internal error (one line and the path of a log).

Everything a person reads is Chinese unless `--lang en` (or WGM_LANG=en): help, warnings, progress,
table headers. Flags, file names and machine files stay as contract.md names them. The library
(wgm.api and all it loads, pandas among them) is imported only inside a command, so `wgm --help`,
`wgm --version` and `wgm formats` answer at once.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from datetime import date
from pathlib import Path
from typing import List, Optional

import typer

from wgm import __version__, cli_show, crash
from wgm.console import SafeConsole, add_row, say, visible  # noqa: F401  (visible: used by tests and others)
from wgm.errors import UsageError, WgmError


def _help_language(argv: list[str], env) -> str:
    """The language of --help, known before typer builds it: --lang on the command line, else WGM_LANG."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return env.get("WGM_LANG", "zh")


HELP_LANG = _help_language(sys.argv, os.environ)


def _h(zh: str, en: str) -> str:
    return say(HELP_LANG, zh, en)


def _chinese_help_panels() -> None:
    """typer's own panel titles in Chinese (its usage line and --help text stay as click writes them)."""
    try:
        from typer import rich_utils
    except ImportError:          # typer without rich: plain help, nothing to name
        return
    for name, zh in (("ARGUMENTS_PANEL_TITLE", "参数"), ("OPTIONS_PANEL_TITLE", "选项"),
                     ("COMMANDS_PANEL_TITLE", "命令"), ("ERRORS_PANEL_TITLE", "错误"), ("ABORTED_TEXT", "已中止。")):
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, zh)


if HELP_LANG != "en" and "--help" in sys.argv:
    _chinese_help_panels()


app = typer.Typer(no_args_is_help=True, pretty_exceptions_show_locals=False, add_completion=True,
                  help=_h("wgm：按群管理规定审核导出的微信 / 企业微信工作群聊天记录，算出每人每月的扣款。",
                          "wgm: audit exported WeChat / WeCom work-group chats against the group regulation."))
rules_app = typer.Typer(no_args_is_help=True, help=_h("写出、检查或显示设置（rules.yaml）。",
                                                      "Write, check or show the settings (rules.yaml)."))
app.add_typer(rules_app, name="rules")
roster_app = typer.Typer(no_args_is_help=True, help=_h("从导出起草花名册，或用导出检查花名册。",
                                                       "Draft a roster from the exports, or check one against them."))
app.add_typer(roster_app, name="roster")

out_console = SafeConsole(highlight=False)
err_console = SafeConsole(stderr=True, highlight=False, soft_wrap=True)
_run_lang = "zh"          # the language of this run's output: --lang of the command, of `wgm`, or WGM_LANG


def _consoles_for_this_run() -> None:
    """The consoles as the environment now says (COLUMNS, a terminal or not): a command may run in a
    process that imported wgm under another environment (tests, embedding)."""
    global out_console, err_console
    out_console = SafeConsole(highlight=False)
    err_console = SafeConsole(stderr=True, highlight=False, soft_wrap=True)


FORMATS = {"xlsx", "csv", "json", "txt", "md"}    # md: the old name of txt (the 公示)


def resolve_month(month: Optional[str], today: date | None = None) -> Optional[str]:
    """`last` → the month before today; the only place wgm reads the clock."""
    if month != "last":
        return month
    today = today or date.today()
    year, mon = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{mon:02d}"


EXIT_DONE, EXIT_REVIEW, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


def _t(zh: str, en: str) -> str:
    return say(_run_lang, zh, en)


def _write_file(path: Path, data: bytes, option: str = "--csv") -> None:
    """One output file (--csv), whole or not at all; a place it cannot go is the user's to fix (exit 2)."""
    from wgm.report.atomic import check_output_folder, write_atomic
    try:
        if path.is_dir():
            raise UsageError(_t("是文件夹，不是文件", "is a folder, not a file"), source=str(path), key=option)
        check_output_folder(path.parent, option)
        write_atomic(path, data)
    except WgmError as err:
        _fail(err)
    except OSError as exc:
        _fail(UsageError(_t(f"无法写入：{exc.strerror or exc}", f"cannot write: {exc.strerror or exc}"), source=str(path),
                         key=option))


def _fail(err: WgmError) -> None:
    err_console.print(f"wgm: {err}", style="red", markup=False)
    raise typer.Exit(EXIT_USAGE)


# exits and usage errors of the command-line library pass through (typer may vendor click or use it)
_CLICK_EXITS = (typer.Exit, typer.Abort,
                next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"))


def _guarded(command):
    """Every command: its --lang taken; a user's mistake is one line and exit 2; anything else is wgm's own
    fault, logged with its traceback and reported in one line with exit 4 (never a traceback on the
    terminal)."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        global _run_lang
        _consoles_for_this_run()
        try:
            _run_lang = _language(kwargs.get("lang"))
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


_app_lang: Optional[str] = None      # `wgm --lang en COMMAND`


def _language(value: Optional[str]) -> str:
    lang = value or _app_lang or os.environ.get("WGM_LANG") or "zh"
    if lang not in ("zh", "en"):
        raise UsageError(f"--lang takes zh or en (--lang 只能是 zh 或 en), got {lang!r}")
    return lang


def _version(value: bool) -> None:
    if value:
        typer.echo(f"wgm {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help=_h("显示 wgm 的版本并退出。", "Show wgm's version and exit.")),
          lang: Optional[str] = typer.Option(None, "--lang", help=_h("显示语言：zh（默认）或 en。",
                                                                     "Language shown: zh (default) or en."))) -> None:
    global _app_lang
    _app_lang = lang


def exit_code(result) -> int:
    """contract.md: the highest that applies of 0 (clean), 1 (review needed), 3 (input incomplete)."""
    if result.incomplete:
        return EXIT_INCOMPLETE
    return EXIT_REVIEW if result.review_count else EXIT_DONE


def _print_incomplete(reasons) -> None:
    """What made the run incomplete, on stderr: printed even with --quiet (cron mails it)."""
    for reason in reasons:
        err_console.print(f"wgm: {_t('输入不完整', 'incomplete')}: {reason}", style="yellow", markup=False)


def _print_warnings(warnings) -> None:
    for w in warnings:
        err_console.print(f"{_t('警告', 'warning')}: {w}", style="yellow", markup=False)


def _options(rules, roster, incidents, overrides, members, month, set_, group, input_format,
             cache: Optional[Path] = None, day: Optional[str] = None, jobs: int = 0,
             as_of: Optional[str] = None, members_as_of: Optional[str] = None):
    from wgm import api
    if jobs < 0:
        raise UsageError(_t(f"--jobs 是进程数（0 = 每个核一个），不能是 {jobs}",
                            f"--jobs takes a number of processes (0 = every core), got {jobs}"))
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
        raise UsageError(_t(f"--as-of 的格式是 YYYY-MM-DD 或 YYYY-MM-DD HH:MM[:SS]（本地时间），不是 {value!r}",
                            f"--as-of takes YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS] (local time), got {value!r}")) from None
    if moment.tzinfo is not None:
        raise UsageError(_t(f"--as-of 用本地时间，不带时区：{value!r}", f"--as-of takes local time without a zone, got {value!r}"))
    if len(text) in (8, 10):          # 2026-11-02 or 20261102: the whole day
        moment = datetime.combine(moment.date(), time(23, 59, 59))
    return moment


def parse_day(value: Optional[str], flag: str = "--date") -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(_t(f"{flag} 的格式是 YYYY-MM-DD，不是 {value!r}", f"{flag} takes YYYY-MM-DD, got {value!r}")) from None


def _formats(value: str) -> set[str]:
    chosen = {f.strip() for f in value.split(",") if f.strip()}
    unknown = chosen - FORMATS
    if unknown or not chosen:
        raise UsageError(_t(f"--format 是逗号分隔的 xlsx, csv, json, txt，不是 {value!r}",
                            f"--format takes a comma list of xlsx, csv, json, txt, got {value!r}"))
    return {"txt" if f == "md" else f for f in chosen}


InputsArg = typer.Argument(..., help=_h("导出文件或文件夹（文件夹会逐层读取）。",
                                        "Export files or folders (folders are walked)."), exists=False)
RulesOpt = typer.Option(None, "--rules", help=_h("设置文件（默认 ./rules.yaml，否则用内置默认值）。",
                                                 "Settings file (default ./rules.yaml, else built-in)."))
RosterOpt = typer.Option(None, "--roster", help=_h(
    "花名册：YAML，或表头为 姓名,部门,角色,别名,上级（和 工号）的 CSV/XLSX（群：XLSX 的第二个工作表，或 CSV 旁的 "
    "<花名册>_groups.csv）。",
    "Roster: YAML, or CSV/XLSX with 姓名,部门,角色,别名,上级 (and 工号); groups on the XLSX's second sheet or in "
    "<roster>_groups.csv beside the CSV."))
IncidentsOpt = typer.Option(None, "--incidents", help=_h(
    "事件文件：date, member, rule（leak, false_info, loss）, note, loss_amount, rate, group（可选：在哪个群的公示里）。",
    "Incidents file: date, member, rule (leak, false_info, loss), note, loss_amount, rate, group (optional: whose "
    "公示 shows it)."))
OverridesOpt = typer.Option(None, "--overrides", help=_h(
    "复核结论：上次的 report.xlsx（复核结论 / 理由 两列），或 CSV/YAML 文件，列为 msg_id|task_id|event, action（confirm, "
    "dismiss, waive, tag, escalated）, value, reason。CSV 例：'event,action,value,reason' 然后 "
    "'e3f1c2a9b7d0,dismiss,,电话里已回复'。",
    "Review decisions: an earlier report.xlsx (its 复核结论 / 理由 columns), or a CSV/YAML file with the columns "
    "msg_id|task_id|event, action (confirm, dismiss, waive, tag, escalated), value, reason. Example CSV: "
    "'event,action,value,reason' then 'e3f1c2a9b7d0,dismiss,,电话里已回复'."))
MembersOpt = typer.Option(None, "--members", help=_h(
    "群成员快照：CSV（as_of, group, member）、留痕 XLSX 导出（其 成员信息 表）或企业微信 groupchat/get 的 JSON 回复。",
    "Membership snapshots: CSV (as_of, group, member), a 留痕 XLSX export (its 成员信息 sheet) or a WeCom "
    "groupchat/get JSON reply."))
MembersAsOfOpt = typer.Option(None, "--members-as-of", help=_h(
    "YYYY-MM-DD：从导出读的 --members 快照是哪一天的（默认：该群导出覆盖的最后一天）。",
    "YYYY-MM-DD: the day a --members snapshot taken from an export shows (default: the end of what the group's "
    "exports cover)."))
MonthOpt = typer.Option(None, "--month", help=_h("YYYY-MM、last（今天的上个月）或 all（默认）。",
                                                 "YYYY-MM, last (the month before today) or all (default)."))
SetOpt = typer.Option(None, "--set", help=_h("改一项设置：KEY=VALUE（可重复）。",
                                             "Override one setting: KEY=VALUE (repeatable)."))
GroupOpt = typer.Option(None, "--group", help=_h("只看这个群（可重复）。", "Only this group (repeatable)."))
FormatInOpt = typer.Option(None, "--input-format", help=_h("指定输入格式（见 `wgm formats`）。",
                                                           "Force the input format (see `wgm formats`)."))
DateOpt = typer.Option(None, "--date", help=_h(
    "YYYY-MM-DD：不打印日期的导出（chatlog 单日文本）是哪一天；没有年份的导出用它的年份。",
    "YYYY-MM-DD: the day of exports that print no date (chatlog single-day text); its year for exports without "
    "years."))
AsOfOpt = typer.Option(None, "--as-of", help=_h(
    "导出的时间（YYYY-MM-DD[ HH:MM[:SS]]，本地时间），文件本身没写时用；只写日期指当天结束。此后才到期的事项不判定。",
    "When the exports were made (YYYY-MM-DD[ HH:MM[:SS]], local time), where the files do not say; a date alone "
    "means its end. Duties decided after it are not judged."))
CacheOpt = typer.Option(None, "--cache", help=_h(
    "重跑缓存的文件夹：输入、花名册和词表不变时沿用已读的消息。",
    "Folder for the re-run cache: parsed messages are reused while inputs, roster and word lists are unchanged."))
LangOpt = typer.Option(None, "--lang", help=_h("显示语言：zh（默认）或 en（也可设 WGM_LANG）。",
                                               "Language shown: zh (default) or en (or set WGM_LANG)."))
VerboseOpt = typer.Option(False, "--verbose", help=_h("逐个列出跳过的非聊天文件，并为每个阶段打印一行。",
                                                      "List every skipped non-chat file and print a line per stage."))
QuietOpt = typer.Option(False, "--quiet", help=_h("只打印错误（给 cron 用）。", "Print nothing but errors (for cron)."))


@app.command(help=_h("审核导出，写出每月的汇总、事件和证据。", "Audit exports and write the monthly tables, events and "
                                                            "evidence."))
@_guarded
def audit(inputs: List[Path] = InputsArg, rules: Optional[Path] = RulesOpt, roster: Optional[Path] = RosterOpt,
          incidents: Optional[Path] = IncidentsOpt, overrides: Optional[Path] = OverridesOpt,
          members: Optional[Path] = MembersOpt, month: Optional[str] = MonthOpt,
          out: Path = typer.Option(Path("wgm-out"), "--out", help=_h("输出文件夹。", "Output folder.")),
          format: str = typer.Option("xlsx,csv,json,txt", "--format", help=_h(
              "逗号分隔的 xlsx,csv,json,txt（txt：公示文本；md 是它的旧名）。",
              "Comma list of xlsx,csv,json,txt (txt: the 公示 text; md is its old name).")),
          set_: Optional[List[str]] = SetOpt, group: Optional[List[str]] = GroupOpt,
          quiet: bool = QuietOpt, lang: Optional[str] = LangOpt,
          input_format: Optional[str] = FormatInOpt, day: Optional[str] = DateOpt, cache: Optional[Path] = CacheOpt,
          as_of: Optional[str] = AsOfOpt, members_as_of: Optional[str] = MembersAsOfOpt,
          jobs: int = typer.Option(0, "--jobs", help=_h("解析和判定用的进程数（0 = 每个核一个；小输入只用一个）。",
                                                        "Worker processes for parsing and classifying (0 = every "
                                                        "core; small inputs use one).")),
          redact: bool = typer.Option(False, "--redact", help=_h(
              "所有输出中的消息文字换成哈希（时间、规则、编号和算式保留）。",
              "Replace message text in every output with a hash (times, rules, ids and arithmetic stay).")),
          keep_old: bool = typer.Option(False, "--keep-old", help=_h(
              "保留 --out 里本次没有重写的旧 wgm 输出（列为旧文件），不删除。",
              "Keep earlier wgm outputs in --out that this run does not rewrite (listed as stale) instead of "
              "removing them.")),
          verbose: bool = VerboseOpt) -> None:
    from wgm import api, parallel, report
    from wgm.console import Progress
    language = _run_lang
    formats = _formats(format)
    options = _options(rules, roster, incidents, overrides, members, month, set_, group, input_format, cache, day,
                       jobs, as_of, members_as_of)
    from wgm.report.atomic import check_output_folder
    check_output_folder(out)          # before the work: a run that cannot write its report does none
    show_bar = not quiet and sys.stderr.isatty()
    with Progress(err_console, language, show_bar, verbose and not quiet) as progress:
        result = api.audit(inputs, options, on_progress=progress)
        if redact:
            from wgm.report.redact import redact as hide_text, redaction_key
            result = hide_text(result, redaction_key(out))
        memo = None
        if options.cache is not None and not redact:
            from wgm.cache import FileMemo
            memo = FileMemo(options.cache)
        written = report.write(result, out, formats, lang=language, jobs=parallel.workers(options.jobs), memo=memo,
                               keep_old=keep_old, protected=[*inputs, *options.side_files()], on_progress=progress)
    if not quiet:
        cli_show.summary(out_console, result, language)
        cli_show.inputs(out_console, sorted(result.inputs, key=lambda i: i.path), language, verbose)
        cli_show.counts(out_console, result, language)
        _print_warnings(result.warnings)
        cli_show.written(out_console, err_console, written, out, language)
    _print_incomplete(result.incomplete)
    raise typer.Exit(exit_code(result))


@app.command(help=_h("把导出读成统一的消息；逐个文件报告格式、行数、消息数、未解析行数。",
                     "Read exports into normalized messages; report per file the format, lines, messages, unparsed."))
@_guarded
def parse(inputs: List[Path] = InputsArg, roster: Optional[Path] = RosterOpt,
          input_format: Optional[str] = FormatInOpt, day: Optional[str] = DateOpt,
          out: Optional[Path] = typer.Option(None, "--out", help=_h("把 messages.csv 和 unparsed.csv 写到这里。",
                                                                    "Write messages.csv and unparsed.csv here.")),
          quiet: bool = QuietOpt, lang: Optional[str] = LangOpt, verbose: bool = VerboseOpt) -> None:
    from wgm import api, report
    if out is not None:
        from wgm.report.atomic import check_output_folder
        check_output_folder(out)
    ing = api.parse(inputs, api.Options(roster=roster, input_format=input_format, date=parse_day(day)))
    if not quiet:
        cli_show.inputs(out_console, ing.inputs, _run_lang, verbose, with_encoding=True)
        _print_warnings(ing.warnings)
    if out is not None:
        report.write_parsed(ing.messages, ing.unparsed, out)
    elif not quiet:
        cols = ["ts", "group", "sender", "sender_id", "media", "content"]
        for r in ing.messages[cols].itertuples(index=False):
            text = r.content.replace("\n", " ⏎ ")
            who = r.sender or r.sender_id or _t("[系统]", "[system]")
            out_console.print(f"{r.ts:%Y-%m-%d %H:%M:%S}  {r.group}  {who}  {r.media}  {text}", markup=False)
        for u in ing.unparsed.itertuples(index=False):
            err_console.print(f"{u.source}:{u.line}: {_t('未解析', 'unparsed')}: {u.reason}", style="yellow",
                              markup=False)
    incomplete = api.incomplete_reasons(ing.inputs, ing.unparsed)
    if quiet:
        _print_incomplete(incomplete)
    raise typer.Exit(EXIT_INCOMPLETE if incomplete else EXIT_DONE)


@app.command(help=_h("任务台账：每个任务 × 接收人的回复截止、承诺时间、完成、验证和状态。",
                     "The task ledger: each task x receiver with RD, PT, c, v and status."))
@_guarded
def tasks(inputs: List[Path] = InputsArg, rules: Optional[Path] = RulesOpt, roster: Optional[Path] = RosterOpt,
          set_: Optional[List[str]] = SetOpt, group: Optional[List[str]] = GroupOpt,
          input_format: Optional[str] = FormatInOpt, day: Optional[str] = DateOpt, as_of: Optional[str] = AsOfOpt,
          csv_out: Optional[Path] = typer.Option(None, "--csv", help=_h("把台账写到这个 CSV 文件。",
                                                                        "Write the ledger to this CSV file.")),
          lang: Optional[str] = LangOpt) -> None:
    from wgm import api
    from wgm.report.machine import TASK_COLUMNS, to_csv
    result = api.audit(inputs, _options(rules, roster, None, None, None, None, set_, group, input_format, day=day,
                                        as_of=as_of))
    if csv_out is not None:
        _write_file(csv_out, to_csv(result.tasks, TASK_COLUMNS))
        raise typer.Exit(0)
    cli_show.ledger(out_console, result.tasks, _run_lang)


@app.command(help=_h("一个成员的每个事件，以及背后的消息。", "Every event of one member, with the messages behind it."))
@_guarded
def explain(inputs: List[Path] = InputsArg,
            member: str = typer.Option(..., "--member", help=_h("姓名、群昵称或 id。", "Name, display name or id.")),
            month: Optional[str] = MonthOpt, rules: Optional[Path] = RulesOpt, roster: Optional[Path] = RosterOpt,
            incidents: Optional[Path] = IncidentsOpt, overrides: Optional[Path] = OverridesOpt,
            members: Optional[Path] = MembersOpt, set_: Optional[List[str]] = SetOpt,
            input_format: Optional[str] = FormatInOpt, day: Optional[str] = DateOpt,
            as_of: Optional[str] = AsOfOpt, members_as_of: Optional[str] = MembersAsOfOpt,
            lang: Optional[str] = LangOpt) -> None:
    from wgm import api
    options = _options(rules, roster, incidents, overrides, members, month, set_, None, input_format, day=day,
                       as_of=as_of, members_as_of=members_as_of)
    found = api.explain(api.audit(inputs, options), member)
    if not found:
        out_console.print(_t(f"{member}：没有事件", f"{member}: no events"), markup=False)
        raise typer.Exit(0)
    total = 0.0
    for ev, msgs in found:
        total += ev["amount"]
        review = f"  [{_t('待复核', 'needs review')}: " + ev["review_reason"] + "]" if ev["needs_review"] else ""
        out_console.print(f"{ev['month']}  {ev['rule']} ({ev['clause']})  ×{ev['count']}  {ev['amount']:.2f} 元  "
                          f"{ev['group']}{review}", style="bold", markup=False)
        out_console.print(f"    {ev['detail']}", markup=False)
        for m in msgs.itertuples(index=False):
            text = m.text.replace("\n", " ⏎ ")
            out_console.print(f"    {m.ts:%Y-%m-%d %H:%M:%S}  {m.sender or '[系统]'}: {text}   ({m.source}:{m.line})",
                              markup=False)
    out_console.print(_t(f"{member}：{len(found)} 个事件，{total:,.2f} 元", f"{member}: {len(found)} events, "
                                                                           f"{total:,.2f} 元"), markup=False)


@app.command(help=_h("假如换一套规则：每个成员、每条规则在 A 和 B 下的金额及差额。",
                     "What-if: per member and rule, amounts under rules A and B and the difference."))
@_guarded
def diff(inputs: List[Path] = InputsArg,
         rules: List[Path] = typer.Option(..., "--rules", help=_h("给两次：--rules A.yaml --rules B.yaml。",
                                                                  "Give twice: --rules A.yaml --rules B.yaml.")),
         roster: Optional[Path] = RosterOpt, incidents: Optional[Path] = IncidentsOpt,
         overrides: Optional[Path] = OverridesOpt, members: Optional[Path] = MembersOpt,
         month: Optional[str] = MonthOpt, input_format: Optional[str] = FormatInOpt, day: Optional[str] = DateOpt,
         cache: Optional[Path] = CacheOpt, as_of: Optional[str] = AsOfOpt,
         members_as_of: Optional[str] = MembersAsOfOpt,
         csv_out: Optional[Path] = typer.Option(None, "--csv", help=_h("同时把对比写到这个 CSV。",
                                                                       "Also write the comparison to this CSV.")),
         lang: Optional[str] = LangOpt) -> None:
    from wgm import api
    if len(rules) != 2:
        raise UsageError(_t("--rules 要给两次：--rules A.yaml --rules B.yaml", "give --rules exactly twice: --rules A.yaml --rules B.yaml"))
    options = _options(None, roster, incidents, overrides, members, month, None, None, input_format, cache, day,
                       as_of=as_of, members_as_of=members_as_of)
    table_df = api.diff(inputs, rules[0], rules[1], options)
    cli_show.comparison(out_console, table_df, rules[0], rules[1], _run_lang)
    if csv_out is not None:
        from wgm.report.machine import to_csv      # formula-safe like every CSV wgm writes (=HYPERLINK names)
        _write_file(csv_out, to_csv(table_df.round({c: 2 for c in ("amount_a", "amount_b", "difference")}),
                                    list(table_df.columns)))


@rules_app.command("init", help=_h("写出默认的 rules.yaml（中英文注释）。",
                                   "Write the default rules.yaml (commented in Chinese and English)."))
@_guarded
def rules_init(path: Path = typer.Argument(Path("rules.yaml"), help=_h("写到哪里。",
                                                                       "Where to write the commented defaults.")),
               force: bool = typer.Option(False, "--force", help=_h("覆盖已有的文件。", "Overwrite an existing file.")),
               lang: Optional[str] = LangOpt) -> None:
    from wgm.settings import DEFAULT_RULES_TEXT
    if path.exists() and not force:
        _fail(UsageError(_t("已存在；要覆盖请加 --force", "exists; use --force to overwrite"), source=str(path)))
    path.write_text(DEFAULT_RULES_TEXT, encoding="utf-8")
    out_console.print(_t(f"已写入 {path}", f"wrote {path}"), markup=False)


@rules_app.command("check", help=_h("检查 rules.yaml：每个问题一行，文件:行: 键: 说明。",
                                    "Validate a rules.yaml: every problem as file:line: key: message."))
@_guarded
def rules_check(path: Path = typer.Argument(..., help=_h("要检查的 rules.yaml。", "The rules.yaml to validate.")),
                lang: Optional[str] = LangOpt) -> None:
    from wgm import settings
    s = settings.load(path)
    out_console.print(_t(f"{path}: ok（设置哈希 {s.hash[:12]}）", f"{path}: ok (settings hash {s.hash[:12]})"),
                      markup=False)


@rules_app.command("show", help=_h("显示生效的设置（默认值合并文件和 --set）。",
                                   "Print the effective settings (defaults merged with the file and --set)."))
@_guarded
def rules_show(rules: Optional[Path] = RulesOpt, set_: Optional[List[str]] = SetOpt,
               lang: Optional[str] = LangOpt) -> None:
    import yaml
    from wgm import api
    s = api.load_settings(api.Options(rules=rules, set=tuple(set_ or ())))
    out_console.print(yaml.safe_dump(dict(s.data), allow_unicode=True, sort_keys=False), markup=False)
    out_console.print(f"# settings hash: {s.hash}", markup=False)


@roster_app.command("draft", help=_h(
    "从导出起草带注释的 roster.yaml：成员、别名、部门、群（标 TODO 的地方由管理员填写）。",
    "Draft a commented roster.yaml from the exports: members, aliases, departments, groups (TODOs to fill)."))
@_guarded
def roster_draft(inputs: List[Path] = InputsArg,
                 out: Optional[Path] = typer.Option(None, "--out", help=_h("草稿写到这里（默认打印出来）。",
                                                                           "Write the draft here (default: print "
                                                                           "it).")),
                 force: bool = typer.Option(False, "--force", help=_h("覆盖已有的 --out 文件。",
                                                                      "Overwrite an existing --out file.")),
                 input_format: Optional[str] = FormatInOpt, day: Optional[str] = DateOpt,
                 lang: Optional[str] = LangOpt) -> None:
    from wgm import api
    if out is not None and out.exists() and not force:
        _fail(UsageError(_t("已存在；要覆盖请加 --force", "exists; use --force to overwrite"), source=str(out), key="--out"))
    text = api.roster_draft(inputs, api.Options(input_format=input_format, date=parse_day(day)))
    if out is None:           # as it is: a console would wrap the long comment lines
        sys.stdout.write(text)
        return
    _write_file(out, text.encode("utf-8"), "--out")
    out_console.print(_t(f"已写入 {out}：请补上标 “TODO 填写” 的地方", f"wrote {out}: fill in each “TODO 填写”"),
                      markup=False)


@roster_app.command("check", help=_h(
    "导出中出现、花名册里没有的人（附最接近的名字），以及没有对应的 id。有要补的就退出码 1。",
    "Who the exports show that the roster misses (with the closest names), and ids nothing maps. Exit 1 when "
    "something is to fix."))
@_guarded
def roster_check(inputs: List[Path] = InputsArg,
                 roster: Path = typer.Option(..., "--roster", help=_h("要检查的花名册（YAML、CSV 或 XLSX）。",
                                                                      "The roster to check (YAML, CSV or XLSX).")),
                 input_format: Optional[str] = FormatInOpt, day: Optional[str] = DateOpt,
                 lang: Optional[str] = LangOpt) -> None:
    from wgm import api
    found = api.roster_check(inputs, api.Options(roster=roster, input_format=input_format, date=parse_day(day)))
    cli_show.roster_check(out_console, found, roster, _run_lang)
    raise typer.Exit(EXIT_DONE if found.clean else EXIT_REVIEW)


@app.command(help=_h("列出 wgm 能读的导出格式，每种附一行示例。",
                     "List the export formats wgm reads, with one example line each."))
@_guarded
def formats(lang: Optional[str] = LangOpt) -> None:
    from rich.table import Table
    from wgm.format_list import FORMATS as KNOWN      # not wgm.parsers: that loads pandas
    table = Table(title=_t("导出格式", "formats"), title_justify="left")
    for zh, en in (("格式", "name"), ("说明", "description"), ("示例", "example")):
        table.add_column(_t(zh, en))
    for name, description, example in KNOWN:
        add_row(table, name, description, example)
    out_console.print(table)


def main() -> None:
    # wgm runs once and exits. A large audit makes millions of small objects, freed by reference
    # counting as it goes; the cyclic collector's repeated passes over them cost ~10 % of a 1M-message
    # run and find almost nothing (about a thousand cyclic objects at 100k messages), so it is off.
    gc.disable()
    app()
