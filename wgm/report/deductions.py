"""The finance view (扣款, deductions.csv): one row per member and month, what is taken from the wage.

Built from the summary and the events only (a writer computes nothing new): the amount is the
summary's total, 事件数 the member's events of that month, 待复核数 those still awaiting review,
取消评优 the summary's flag. Months are never added together: a wage is paid per month, so the
workbook's totals are per month (xlsx._month_blocks) and the CSV has no total row at all (a machine
summing the column would count it twice).
"""

from __future__ import annotations

import pandas as pd

from wgm import names
from wgm.result import AuditResult
from wgm.schema import E, S

COLUMNS = ["member_id", "member", "dept", "month", "amount", "events", "needs_review", "disqualified"]
LABELS_ZH = {"member_id": "工号", "member": "姓名", "dept": "部门", "month": "月份", "amount": "扣款金额(元)",
             "events": "事件数", "needs_review": "待复核数", "disqualified": "取消评优"}


def deductions(result: AuditResult) -> pd.DataFrame:
    """COLUMNS, one row per member and month of the summary; months in order, and within a month the
    largest deduction first (then names in pinyin order), so a month's chart shows its top rows."""
    summary = result.summary
    if not len(summary):
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "amount" else "int64"
                                          if c in ("events", "needs_review") else "bool" if c == "disqualified"
                                          else "str") for c in COLUMNS})
    ev = result.events[result.events[E.member] != ""]
    # 事件数: the events that count; 待复核数: every one awaiting review, near-misses (疑似) included
    per = ev.assign(counts=~ev[E.possible]).groupby([E.month, E.member], sort=False).agg(
        events=("counts", "sum"), needs_review=(E.needs_review, "sum"))
    at = pd.MultiIndex.from_frame(summary[[S.month, S.member]])
    counts = per.reindex(at).fillna(0).astype("int64")
    out = pd.DataFrame({
        "member_id": summary[S.member_id].to_numpy(), "member": summary[S.member].to_numpy(),
        "dept": summary[S.dept].to_numpy(), "month": summary[S.month].to_numpy(),
        "amount": summary[S.total_amount].round(2).to_numpy(),
        "events": counts["events"].to_numpy(), "needs_review": counts["needs_review"].to_numpy(),
        "disqualified": summary[S.disqualified].astype(bool).to_numpy()})
    pinyin = out["member"].map({m: i for i, m in enumerate(names.pinyin_order(set(out["member"])))})
    order = out.assign(_neg=-out["amount"], _pinyin=pinyin).sort_values(
        ["month", "_neg", "_pinyin", "member"], kind="stable").index
    return out.loc[order].reset_index(drop=True)

