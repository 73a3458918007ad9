"""What the commands print: the month's table, the input files, the ledger, a comparison, a roster check,
what a write did to the output folder. Chinese unless --lang en. Each function only lays out what the
api returned; user data goes through console.add_row / markup=False (never read as rich markup)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from wgm import skipped
from wgm.console import add_row, say


def summary(out: Console, result, lang: str) -> None:
    """Per month: each member's total and events, and the month's total (never two months added)."""
    zh = lang != "en"
    from wgm.catalog import RULES
    for month in result.months:
        rows = result.summary[result.summary["month"] == month]
        table = Table(title=f"{month} {say(lang, '考核汇总', 'assessment summary')}", title_justify="left")
        for label, right in ((say(lang, "成员", "member"), False), (say(lang, "部门", "dept"), False),
                             (say(lang, "合计(元)", "total (yuan)"), True), (say(lang, "事件", "events"), False)):
            table.add_column(label, justify="right" if right else "left")
        for r in rows.sort_values(["total_amount", "member"], ascending=[False, True]).itertuples(index=False):
            parts = [f"{rule.zh if zh else rule.id}×{n}" for rule in RULES if (n := getattr(r, f"count_{rule.id}"))]
            flag = say(lang, " 取消评优", " disqualified") if r.disqualified else ""
            add_row(table, r.member, r.dept, f"{r.total_amount:,.2f}", "，".join(parts) + flag)
        total = rows["total_amount"].sum() if len(rows) else 0.0
        add_row(table, say(lang, "合计", "total"), "", f"{total:,.2f}", "", style="bold")
        out.print(table)


def inputs(out: Console, infos, lang: str, verbose: bool, with_encoding: bool = False) -> None:
    """The input files: one row per file read or refused; the files that are not chat exports in one line
    by kind (every one with --verbose)."""
    infos = list(infos)
    hidden = {id(i) for i in skipped.not_chat_files(infos)} if not verbose else set()
    shown = [i for i in infos if id(i) not in hidden]
    table = Table(title=say(lang, "输入文件", "inputs"), title_justify="left")
    table.add_column(say(lang, "文件", "file"), overflow="fold", ratio=3)
    table.add_column(say(lang, "格式", "format"), no_wrap=True)
    if with_encoding:
        table.add_column(say(lang, "编码", "encoding"), overflow="fold", ratio=1)
    for col in (say(lang, "行数", "lines"), say(lang, "消息", "messages"), say(lang, "未解析", "unparsed")):
        table.add_column(col, no_wrap=True, justify="right")
    table.add_column(say(lang, "说明", "note"), overflow="fold", ratio=2)
    for i in shown:
        cells = [i.path, i.fmt or say(lang, "跳过", "skipped")] + ([i.encoding] if with_encoding else [])
        add_row(table, *cells, str(i.lines), str(i.messages), str(i.unparsed), i.skipped_reason)
    if shown:
        out.print(table)
    if not verbose:
        line = skipped.summary_line(skipped.count_by_kind(infos), lang)
        if line:
            out.print(line + say(lang, "（--verbose 逐个列出）", " (--verbose lists each)"), markup=False)


def counts(out: Console, result, lang: str) -> None:
    tasks = result.tasks["task_id"].nunique()
    out.print(say(lang, f"消息 {len(result.messages)}，任务 {tasks}，事件 {len(result.events)}，"
                        f"待复核 {result.review_count}，未解析行 {result.unparsed_count}",
                  f"messages {len(result.messages)}, tasks {tasks}, events {len(result.events)}, "
                  f"needs review {result.review_count}, unparsed lines {result.unparsed_count}"), markup=False)


def written(out: Console, err: Console, done, folder: Path, lang: str) -> None:
    """What the write did to the output folder: files written, earlier outputs removed or left stale."""
    from wgm.report.commit import STALE_REASONS
    if done.finished_interrupted:
        err.print(say(lang, "wgm: 上次运行在提交报告时中断，已先完成那次提交",
                      "wgm: the last run was interrupted while committing its report; that commit was finished "
                      "first"), style="yellow", markup=False)
    out.print(say(lang, f"已写入 {len(done)} 个文件到 {folder}", f"wrote {len(done)} files to {folder}"),
              markup=False)
    if done.removed:
        out.print(say(lang, "已删除上次运行留下、本次未重写的输出：", "removed earlier outputs this run did not "
                      "rewrite: ") + ", ".join(done.removed), markup=False)
    for name, why in done.stale:
        said = STALE_REASONS.get(why, (why, why))[0 if lang != "en" else 1]
        err.print(say(lang, f"旧文件（不属于本次报告）：{name}（{said}）",
                      f"stale (not part of this report): {name} ({said})"), style="yellow", markup=False)


TASK_COLUMNS = ("group", "poster", "receiver", "kind", "posted", "reply_deadline", "replied", "promised",
                "completed", "verified", "status")
_TASK_HEADERS_ZH = ("群", "发布人", "接收人", "类型", "发布", "回复截止", "回复", "承诺", "完成", "验证", "状态")


def ledger(out: Console, tasks, lang: str) -> None:
    table = Table(title=say(lang, "任务台账", "task ledger"), title_justify="left")
    for zh, en in zip(_TASK_HEADERS_ZH, TASK_COLUMNS):
        table.add_column(say(lang, zh, en))
    for r in tasks[list(TASK_COLUMNS)].itertuples(index=False):
        add_row(table, *[_when(v) for v in r])
    out.print(table)


def _when(value) -> str:
    import pandas as pd
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%m-%d %H:%M")
    return str(value)


def comparison(out: Console, table_df, rules_a: Path, rules_b: Path, lang: str) -> None:
    table = Table(title=f"A = {rules_a}   B = {rules_b}", title_justify="left")
    for zh, en in (("月份", "month"), ("成员", "member"), ("规则", "rule"), ("A", "A"), ("B", "B"),
                   ("B − A", "B − A")):
        table.add_column(say(lang, zh, en), justify="right" if en in ("A", "B", "B − A") else "left")
    for r in table_df.itertuples(index=False):
        add_row(table, r.month, r.member, r.rule, f"{r.amount_a:,.2f}", f"{r.amount_b:,.2f}", f"{r.difference:+,.2f}")
    out.print(table)


def roster_check(out: Console, found, roster: Path, lang: str) -> None:
    if found.missing:
        table = Table(title=say(lang, "导出中出现、花名册里没有的人", "in the exports, not in the roster"),
                      title_justify="left")
        for zh, en in (("显示为", "shown as"), ("消息", "messages"), ("群", "groups"),
                       ("花名册中最接近的名字", "closest in the roster")):
            table.add_column(say(lang, zh, en))
        for m in found.missing:
            add_row(table, m.shown, str(m.messages), "、".join(m.groups), "、".join(m.closest))
        out.print(table)
    if found.raw_ids:
        table = Table(title=say(lang, "没有名字、花名册也未对应的 id（在 aliases 里加上）",
                                "ids with no name that nothing in the roster maps (add them to aliases)"),
                      title_justify="left")
        for zh, en in (("id", "id"), ("消息", "messages"), ("群", "groups")):
            table.add_column(say(lang, zh, en))
        for r in found.raw_ids:
            add_row(table, r.id, str(r.messages), "、".join(r.groups))
        out.print(table)
    for g in found.unknown_groups:
        out.print(say(lang, f"花名册未列出的群：{g}", f"group not in the roster: {g}"), markup=False)
    if found.clean:
        out.print(say(lang, f"{roster}：与导出一致", f"{roster}: ok"), markup=False)
