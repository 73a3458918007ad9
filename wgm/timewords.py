"""Chinese deadline and time phrases → datetimes, under rules.md "Time words".

Owns: finding the time expressions in one message and resolving each against the post
time `base` (naive local time), then choosing the message's required completion time
(deadline D or a promised time), its reply-by time (RB) and its points (a meeting start).
Pure functions, no pandas, no I/O; every pattern is compiled once at import.

How a message is read
1. Numerals are folded by one precompiled `str.translate` that keeps every offset
   (一→1, 两→2, 〇/零→0, full-width digits and ：／．－ → ASCII): spans in the folded text are
   spans in the original. 十 is kept and read by `_num` (十五→15, 二十→20, 二十五→25).
2. One compiled alternation (`_TOKEN`) finds the pieces: durations (2小时内, 3个工作日内),
   named spans (本周内, 本月内), dates (2026-05-20, 2026年5月20日, 5月20日, 3.15, 二十号,
   今天/明天/今晚/明早 …, 周五/下周五/本周五, 月底), periods (上午 下午 中午 晚上 下班 上班 …),
   clocks (15:30, 三点半, 17时30分, 3点一刻), relation suffixes (前 之前 内 截止 为止 …; 后 起 …)
   and before-markers (截止/截至/最晚/最迟/完成时间：…). Each piece is checked against its
   context (3号楼, v2.3, 1.5万, 快一点, 以下两点, 早上好 … are not times).
3. Adjacent pieces (only spaces or brackets between) form one expression in the order
   date, weekday, period, clock, suffix; `5月28日（周四）下午2点` is one expression, and
   the end of a range takes the start's day (周四下午3点到5点 → 17:00 on that Thursday).
4. Each expression is resolved, then given a role from the words around it: "reply_by" when
   a reply word follows in its clause (请16点前回复, 明早前给我答复) or precedes it (回复截止
   时间：…); else "deadline" for relation "before" (…前/内/截止/为止, 截止…/最迟…) and for an
   "at" phrase whose clause has a completion verb (明天完成, 周五提交, 上午处理); else "point"
   (明天下午3点开会, 5月28日下午2点在培训室召开…).

Choosing (TimeFindings), among expressions not before `base` (past times are never chosen):
reply_by = the first "reply_by"; deadline = the first "deadline" with relation "before",
else the first completion-tied "at"; points = every remaining "at"/"after". When the
message has exactly one expression, a future "at" with no verb at all (B区盘点表，明天),
and is no question, it is also the deadline at confidence 0.5 (below review.min_confidence,
so the event is marked for review); it stays in `points` for a meeting notice.
Confidence: 0.95 stated; ×0.95 for an hour read without 上午/下午; ×0.9 for a completion-tied
"at"; ×0.7 when rolled to tomorrow; ×0.6 for a clamped day or a weekday that contradicts
its date; 0.8 for 工作日.

Settled conventions (rules.md) are implemented as written. Where rules.md is silent:
* Clock hour without 上午/下午: 1–6 → afternoon (13–18 h); 12 → noon; 7–11 → the morning
  if that is still ahead, else the evening if that is (8点前 / 今天8点前 posted at 14:00 →
  20:00); on any other day (明天8点, 周五9点) 7–11 is the morning. 0 and 13–23 are read as
  written; 24点 and 晚上12点 = end_of_day of that day; 晚上1–3点 = that hour after midnight;
  凌晨 alone = 06:00.
* A phrase without a day word (下班前, 3点前, 凌晨2点) whose time today has passed means
  the next such time (tomorrow), at lower confidence. With a day word (今天15点前) a
  passed time stays in the past and is never a deadline.
* Year-less dates (3月10日, 3.15) take the year that puts them in [base − 121 days,
  base + 244 days): 1月10日 posted 12-20 is next January; 12月28日 posted 01-05 is last
  December (a past date). A day-only date (二十号) is this month if not yet past, else next
  month; a day the month lacks (31号 in April) is that month's last day, confidence 0.6.
* `前` after a date without a clock keeps the whole day: 5月13日前 = 5-13 23:59:59.
* N个工作日内 = end of the N-th Monday–Friday after base's date (no holiday calendar);
  N周内 = end of day + 7·N days; N个月内 = end of day of the same date N months on.
* 本周五/这周五 = Friday of base's Monday-based week (a past day if already gone);
  上周X/昨天/前天 are past; 每天/每周一 … are recurring, never resolved.
* 周末, 月初, 下周/本月/上半月 alone are not resolved (too vague for a fine).
* N天后/N小时后 = that point (relation "at"); 下班后/…起/…开始 have relation "after"
  (role "point"); both can still be a deadline when a completion verb follows (3天后提交).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

__all__ = ["TimeWords", "TimeExpr", "TimeFindings", "find_times", "may_contain_time"]


@dataclass(frozen=True)
class TimeWords:
    """The clock times of the time words: rules.yaml `times:` (these are its defaults)."""

    cutoff: time = time(21, 0)
    next_morning: time = time(9, 0)
    work_start: time = time(9, 0)       # 上班 / 早上 / 明早
    work_end: time = time(18, 0)        # 下班
    end_of_day: time = time(23, 59, 59)  # a date without a clock time
    morning_end: time = time(12, 0)     # 上午 (as a deadline without an hour)
    noon: time = time(12, 0)            # 中午
    afternoon_end: time = time(18, 0)   # 下午
    evening_end: time = time(23, 59, 59)  # 晚上 / 今晚


@dataclass(frozen=True)
class TimeExpr:
    start: int                  # span in the text
    end: int
    text: str                   # the matched phrase
    when: datetime              # resolved naive local time
    relation: str               # "before" (…前/内/截止/为止), "at" (a point), "after" (…后/起/开始)
    role: str                   # "reply_by" (tied to 回复/答复/反馈/回个话), "deadline" (before/within,
                                # or "at" tied to a completion verb: 明天完成), else "point"
    confidence: float           # 0..1
    has_clock: bool             # the phrase stated a clock time


@dataclass(frozen=True)
class TimeFindings:
    deadline: TimeExpr | None   # required completion time D (or a promised time in a reply)
    reply_by: TimeExpr | None   # RB
    points: tuple[TimeExpr, ...]  # future "at"/"after" expressions not tied to a completion verb
    all: tuple[TimeExpr, ...]   # every expression found, past ones included


_DEFAULT_WORDS = TimeWords()
_MAX_UNITS = 1000          # 99999小时内 is not a deadline (and would overflow datetime)
_NO_FINDINGS = TimeFindings(None, None, (), ())

# ---------------------------------------------------------------------------------------------
# 1. numerals: one offset-preserving translation
_FOLD = str.maketrans({**{c: str(i) for i, c in enumerate("零一二三四五六七八九")},
                       "〇": "0", "两": "2",
                       **{chr(0xFF10 + i): str(i) for i in range(10)},
                       "：": ":", "／": "/", "．": ".", "－": "-"})


def _num(s: str) -> int:
    """'15' → 15, '十' → 10, '十5' → 15, '2十' → 20, '2十5' → 25 (after _FOLD)."""
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (int(tens) if tens else 1) * 10 + (int(ones) if ones else 0)
    return int(s)


# ---------------------------------------------------------------------------------------------
# 2. the pieces (on folded text): (kind, the characters it can start with, pattern)
_PIECES = (
    # duration + 内/后: 2小时内, 1个半小时内, 半小时内, 3天之内, 3个工作日内, 1周内, 2个月内, 3天后
    ("dur", r"\d十半",
     r"(?:(?P<du_n>\d+(?:\.\d+)?|\d?十\d?)\s*个?\s*(?P<du_h1>半)?|(?P<du_h2>半))\s*个?\s*"
     r"(?P<du_u>小时|钟头|分钟|工作日|天|日|周|星期|礼拜|月)\s*"
     r"(?P<du_r>之内|以内|内(?![容部外存])|之后|以后|后(?![面续期来台端]))"),
    # named span + 内: 本周内, 这个星期内, 下周内, 本月内, 当月内, 今年内, 年内
    ("span", "本这下当今年",
     r"(?P<sp_p>本|这个?|下个?|当)\s*(?P<sp_u>周|星期|礼拜|月)\s*(?:之内|以内|内(?![容部外存]))"
     r"|(?:今|本)?年\s*(?:之内|以内|内(?![容部外存]))"),
    # every: recurring phrases are never resolved
    ("every", "每", r"每\s*(?:周|星期|礼拜)\s*[1-7日天]|每(?:天|日|晚|早|个?月|个?工作日|年|周|星期)?"),
    # ISO-like date 2026-05-20, 2026/5/20, 2026.5.20
    ("iso", "12", r"(?P<is_y>(?:19|20)\d\d)(?P<is_s>[-/.])(?P<is_m>\d{1,2})(?P=is_s)(?P<is_d>\d{1,2})(?![\d.])"
                  r"\s*[日号]?"),
    # Chinese date: [2026年|今年|明年|去年] 5月20日 / 5月20号 / 5月20(前)
    ("ymd", r"\d十今明去本",
     r"(?:(?P<ym_y>(?:19|20)\d\d|今|明|去|本)\s*年\s*)?(?P<ym_m>\d{1,2}|十\d?)\s*月\s*"
     r"(?P<ym_d>\d{1,2}|\d?十\d?)(?![\d十])\s*(?P<ym_s>[日号])?"),
    # month-relative day: 本月20号, 下个月5号
    ("mday", "本这下上当", r"(?P<md_r>本|这个?|下个?|上个?|当)\s*月\s*(?P<md_d>\d{1,2}|\d?十\d?)(?![\d十])\s*[日号]"),
    # month end: 月底, 本月底, 下个月底, 明年1月底, 月末; year end: 年底
    ("mend", r"\d十本这下上月今明去年",
     r"(?:(?P<me_r>本|这个?|下个?|上个?)\s*月|(?:(?P<me_yy>(?:19|20)\d\d|今|明|去|本)\s*年\s*)?"
     r"(?P<me_a>\d{1,2}|十\d?)\s*月(?:份)?|月)\s*[底末]"
     r"|(?P<me_y>今|本|明)?年\s*[底末]"),
    # relative day (some with a period): 大后天 后天 今天 明天 今晚 明早 …
    ("rel", "大后今当明次翌昨前",
     r"大后天|大后日|后天|后日|今天|今日|今儿|当天|当日|明天|明日|明儿|次日|翌日|昨天|昨日|前天"
     r"|今晚|今夜|今早|今晨|明晚|明早|明晨|昨晚"),
    # weekday: 周五, 下周五, 本周五, 这个星期五, 礼拜天, 上周五
    ("week", "下本这上周星礼",
     r"(?:(?P<wk_p>下下个?|下个?|本|这个?|上上个?|上个?)\s*)?(?:周|星期|礼拜)\s*(?P<wk_d>[1-7日天])"),
    # numeric month.day: 3.15, 3/15 (accepted only next to a marker: _MDD_MARK, _MDD_PRE)
    ("mdd", r"\d", r"(?P<mdd_m>\d{1,2})[./](?P<mdd_d>\d{1,2})(?![\d.%/])"),
    # day of month only: 二十号, 15日
    ("day", r"\d十", r"(?P<dy_d>\d{1,2}|\d?十\d?)(?![\d十])\s*(?P<dy_s>[日号])"),
    # a period of the day
    ("per", "上早清1中下傍晚夜凌", r"上午|早上|早晨|清晨|1早|中午|下午|傍晚|晚上|晚间|夜里|夜间|凌晨|下班|上班"),
    # a clock: 15:30, 15点, 3点半, 3点一刻, 17时30分, 10点零5分
    ("clk", r"\d十",
     r"(?P<ck_h>\d{1,2}|\d?十\d?)\s*(?:[:](?P<ck_m>\d{2})(?::\d{2})?(?!\d)"
     r"|[点时](?:\s*(?P<ck_half>半)|\s*(?P<ck_q>[123])\s*刻|\s*(?P<ck_m2>\d{1,2}|\d?十\d?)(?![\d十])\s*分?"
     r"|\s*钟|\s*整)?)"),
    # markers that make the next expression a "before": 截止到, 最迟, 完成时间： …
    ("mark", "截最不务dD要完提交上报",
     r"截止(?:到|至)?(?:时间|日期)?|截至(?:到)?|最晚|最迟|不晚于|不迟于|务必在|ddl|DDL|deadline|Deadline"
     r"|(?:要求)?(?:完成|提交|交付|上交|报送)(?:时间|日期|期限)"),
    # relation suffixes after an expression
    ("sfx", "之以前为止内后起开左",
     r"之前|以前|前(?![往来去面台后])|为止|止|之内|以内|内(?![容部外存])|以后|之后|后(?![面续期来台端])"
     r"|起(?![来草码诉])|开始|左右"),
)
# The reference pattern: each kind one named group, m.lastgroup names it (tests compare the scanner with it).
_TOKEN_BODY = "|".join(f"(?P<{kind}>{pattern})" for kind, _, pattern in _PIECES)
# The scanner: the same alternation with only the kinds captured (a match carrying 47 groups costs
# twice as much), each alternative behind a lookahead on its first characters, the whole behind a
# lookahead on all of them, so that the scan skips most positions on one charset test (~6x faster).
_FIRST = "".join(first for _, first, _ in _PIECES)
_TOKEN = re.compile(f"(?=[{_FIRST}])(?:" + "|".join(
    f"(?=[{first}])(?P<{kind}>{re.sub(r'[(][?]P<(?!is_s>)[a-z_0-9]+>', '(?:', pattern)})"
    for kind, first, pattern in _PIECES) + ")")
# the details of one piece, read again from where the scanner found it
_DETAIL = {kind: re.compile(pattern) for kind, _, pattern in _PIECES}

_WITH_DETAIL = frozenset({"dur", "span", "iso", "ymd", "mday", "mend", "week", "mdd", "day", "clk"})
_BEFORE_SFX = frozenset({"之前", "以前", "前", "为止", "止", "之内", "以内", "内", "截止", "截至"})
_AFTER_SFX = frozenset({"以后", "之后", "后", "起", "开始"})
_R_DATE, _R_WEEK, _R_PER, _R_CLK, _R_SFX = range(5)   # the order of the pieces of one expression
_RANK = {"date": _R_DATE, "date_ext": _R_DATE, "rel": _R_DATE, "week": _R_WEEK, "per": _R_PER, "clk": _R_CLK}
_GAP = " \t\u3000\u2005（）()"             # what may stand between the pieces of one expression
_RANGE_GAP = re.compile(r"\s*(?:到|至|-|~|～|—)\s*")
_MARK_GAP = " \t\u3000\u2005:为是在于到至"   # 截止时间：5月15日, 最迟在明天
_DELIMS = frozenset("，,。；;！!？?\n")
_ALNUM_BEFORE = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                          "０１２３４５６７８９-－_./．／#＃￥¥$")
# after N号 / N日: a place, a line, a thing, not a day
_NOT_DAY_AFTER = re.compile(r"(?:会议|办公|培训|接待|洽谈|休息|活动|阅览|监控|机)室|单元|选手|文件"
                            r"|[楼线仓库门柜位口房室厅院车机台桌架区栋窗包箱店站厂码床键字色"
                            r"球场馆泊地坑道路街巷弄村组队班品款型桶瓶袋罐盒件模槽炉井塔杆牌游]")
# after a bare N点 (no date/period): a list, not a clock
_NOT_CLOCK_AFTER = re.compile(r"[:：、儿都也没不]|点|会儿|要求|意见|建议|注意|内容|说明|问题|事项|原因|看法"
                              r"|想法|不足|改进|措施|原则|共识|理由|好处|体会|心得|感受|做法|经验|结论|疑问|规定|要点|补充|声明|方面|情况|变化|优势|目标")
_NOT_CLOCK_BEFORE = frozenset("第下几这那有些如哪")
_NOT_WORK_PERIOD = re.compile(r"[了啦咯喽吗没呢]|时|打卡|回家")
_SOFT_ONE = frozenset("快早慢多少好大小高低晚细稍差再更点给加减放用花留带")   # 快一点, 给一点 …
_MDD_MARK = re.compile(r"\s*(?:前|之前|以前|截止|为止|之内|以内|内|号|日|下班|上班|上午|下午|中午|晚上|早上"
                       r"|\d{1,2}[:点时]|[（(]?(?:周|星期|礼拜))")
_MDD_PRE = re.compile(r"(?:截止|截至|于|在|到|至|最晚|最迟|日期|时间)[:：\s]*$")
_YMD_NOSFX = re.compile(r"\s*(?:前|之前|以前|截止|为止|下班|上班|上午|下午|中午|晚上|早上"
                        r"|\d{1,2}[:点时]|[（(]|周|星期)")

# ties: what the words around a phrase make of it
_CLAUSE_END = re.compile(r"[，,。；;！!？?\n]")
_REPLY_WORD = re.compile(r"回复|答复|反馈|回个话|回话|回应|回覆|回我|回1下|回信")
_NOT_REPLY_FILLER = re.compile(r"把|将")   # 明天前把反馈表交上来: an object, not a reply
_REPLY_BEFORE = re.compile(r"(?:回复|答复|反馈)(?:时间|截止|期限|截止时间|日期)?\s*(?:为|是|:|于|在|请在|请于)?\s*$")
_VERB = re.compile(
    r"(?P<neutral>会议室|会议纪要|会议记录|培训室|培训资料|培训材料|会议材料|开会材料)"
    r"|(?P<event>开会|会议|例会|召开|举行|举办|培训|集合|参加|出席|见面|碰头|面试|出差|值班|上课|聚餐|活动|准时"
    r"|到场|到岗|报到|过来|来1趟|到我|来我|开始|出发|放假|休息|请假)"
    r"|(?P<comp>完成|提交|交|报|发|给|修|处理|搞定|上线|开通|整理|做|弄|办|签|回传|上传|送|落实|整改|汇总|核对|审核"
    r"|审批|解决|安排|准备|录入|更新|填|寄|付|支付|到位|结束|完毕|确认|检查|盘点|出库|入库|发货|改)")
_QUESTION_END = re.compile(r"(?:[?？]|吗|么|呢)\s*$")

# the cheap pre-filter, on raw text (a superset of what _TOKEN can resolve)
_MAYBE = re.compile(
    r"[0-9０-９〇零一二两三四五六七八九十半]\s*(?:个\s*)?(?:半\s*)?"
    r"(?:[点时:：.．/／\-－月号日天周刻分]|小时|钟头|星期|礼拜|工作日)"
    r"|[今明后昨当前]天|[今明昨][日晚早晨夜儿]|后日|当日|次日|翌日"
    r"|(?:周|星期|礼拜)\s*[一二三四五六七日天1-7１-７]"
    r"|上午|下午|中午|晚上|晚间|夜里|夜间|早上|早晨|清晨|傍晚|凌晨|一早|下班|上班"
    r"|月\s*[底末]|年\s*[底末内]|年之内|年以内|[本这下当]\s*个?\s*(?:周|星期|礼拜|月)\s*(?:之|以)?内")


def may_contain_time(text: str) -> bool:
    """Cheap pre-filter: False means find_times(text, …) finds nothing."""
    return bool(text) and _MAYBE.search(text) is not None


# ---------------------------------------------------------------------------------------------
# 3. date arithmetic
def _eod(d: date, w: TimeWords) -> datetime:
    return datetime.combine(d, w.end_of_day)


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _yearless(month: int, day: int, base: date) -> date | None:
    """The year that puts month-day in [base − 121 d, base + 244 d)."""
    for year in (base.year, base.year + 1, base.year - 1):
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if -121 <= (d - base).days < 244:
            return d
    return None


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


_PERIOD_OF_REL = {"今晚": "晚上", "今夜": "晚上", "明晚": "晚上", "昨晚": "晚上",
                  "今早": "早上", "今晨": "早上", "明早": "早上", "明晨": "早上"}
_REL_DAYS = {"大后天": 3, "大后日": 3, "后天": 2, "后日": 2, "今天": 0, "今日": 0, "今儿": 0, "当天": 0, "当日": 0,
             "明天": 1, "明日": 1, "明儿": 1, "次日": 1, "翌日": 1, "昨天": -1, "昨日": -1, "前天": -2,
             "今晚": 0, "今夜": 0, "今早": 0, "今晨": 0, "明晚": 1, "明早": 1, "明晨": 1, "昨晚": -1}
_YEAR_WORD = {"今": lambda y: y, "本": lambda y: y, "明": lambda y: y + 1, "去": lambda y: y - 1}
_WEEKDAY = {**{str(i): i - 1 for i in range(1, 8)}, "日": 6, "天": 6}
_MORNING = frozenset({"上午", "早上", "早晨", "清晨", "1早", "凌晨"})
_EVENING = frozenset({"晚上", "晚间", "夜里", "夜间"})


def _period_time(per: str, w: TimeWords) -> time:
    if per == "上午":
        return w.morning_end
    if per in ("早上", "早晨", "清晨", "1早", "上班"):
        return w.work_start
    if per == "中午":
        return w.noon
    if per in ("下午", "傍晚"):
        return w.afternoon_end
    if per == "下班":
        return w.work_end
    if per == "凌晨":
        return time(6, 0)
    return w.evening_end   # 晚上 晚间 夜里 夜间


# ---------------------------------------------------------------------------------------------
# 4. one expression under construction
class _Expr:
    __slots__ = ("start", "end", "last", "day", "day_conf", "explicit", "week", "per", "clk", "rel",
                 "mark", "every", "fixed", "fixed_rel", "conf")

    def __init__(self, start: int) -> None:
        self.start = self.end = start
        self.last = -1          # rank of the last piece joined
        self.day: date | None = None
        self.day_conf = 1.0
        self.explicit = False   # a day word or date was stated
        self.week: tuple[str, int] | None = None   # (prefix, weekday 0..6)
        self.per: str | None = None
        self.clk: tuple[int, int, bool] | None = None   # hour, minute, minutes stated
        self.rel: str | None = None
        self.mark = False
        self.every = False
        self.fixed: datetime | None = None    # durations and spans resolve at once
        self.fixed_rel = "before"
        self.conf = 0.95


def _clock_of(m: re.Match) -> tuple[int, int, bool] | None:
    h = _num(m["ck_h"])
    if m["ck_m"] is not None:
        mi, stated = int(m["ck_m"]), True
    elif m["ck_m2"] is not None:
        mi, stated = _num(m["ck_m2"]), True
    elif m["ck_half"]:
        mi, stated = 30, True
    elif m["ck_q"]:
        mi, stated = 15 * int(m["ck_q"]), True
    else:
        mi, stated = 0, False
    if h > 24 or mi > 59 or (h == 24 and mi):
        return None
    return h, mi, stated


def _hour_candidates(h: int, per: str | None, day_known: bool) -> tuple[list[int], bool]:
    """Hours of the day (24 = end of day, 25+ = after midnight) a stated hour can mean, best first,
    and whether the reading was inferred (no 上午/下午)."""
    if per is None:
        if h == 0 or h >= 12:
            return [h], False
        if h <= 6:
            return [h + 12], True
        return ([h] if day_known else [h, h + 12]), True
    if per in _MORNING:
        return [h], False
    if per == "中午":
        return [h + 12 if h <= 3 else h], False
    if per in ("下午", "傍晚"):
        return [h + 12 if h < 12 else h], False
    if per in _EVENING:
        if h == 12:
            return [24], False
        return [24 + h if h <= 3 else (h + 12 if h < 12 else h)], False
    return [h], False


def _resolve(e: _Expr, base: datetime, w: TimeWords) -> tuple[datetime, bool, float] | None:
    """(when, has_clock, confidence) or None when the pieces make no time."""
    if e.fixed is not None:
        return e.fixed, False, e.conf
    conf = e.conf * e.day_conf
    day, explicit = e.day, e.explicit
    clk = e.clk
    # the time of day, as (hour, minute, second) candidates; hour 24 = end of day
    if clk is not None:
        hours, inferred = _hour_candidates(clk[0], e.per, e.week is not None or (explicit and day != base.date()))
        if inferred:
            conf *= 0.95
        tods = [(h, clk[1]) for h in hours]
    elif e.per is not None:
        if e.per == "1早" and not explicit:
            return None
        t = _period_time(e.per, w)
        tods = [(t.hour, t.minute, t.second)]
    else:
        tods = [None]

    def at(d: date, tod) -> datetime:
        if tod is None:
            return _eod(d, w)
        if tod[0] >= 24:
            if tod[0] == 24:
                return _eod(d, w)
            return datetime.combine(d + timedelta(days=1), time(tod[0] - 24, tod[1]))
        return datetime.combine(d, time(tod[0], tod[1], tod[2] if len(tod) > 2 else 0))

    if e.week is not None and day is None:
        prefix, wd = e.week
        monday = _monday(base.date())
        if prefix.startswith("下下"):
            day = monday + timedelta(days=14 + wd)
        elif prefix.startswith("下"):
            day = monday + timedelta(days=7 + wd)
        elif prefix.startswith("上上"):
            day = monday + timedelta(days=-14 + wd)
        elif prefix.startswith("上"):
            day = monday + timedelta(days=-7 + wd)
        elif prefix:                       # 本 / 这: this week's, possibly past
            day = monday + timedelta(days=wd)
        else:                              # 周五: the coming one (today if still ahead)
            day = base.date() + timedelta(days=(wd - base.weekday()) % 7)
            if at(day, tods[0]) < base:
                day += timedelta(days=7)
    if day is not None:
        # 今天8点前 posted at 14:00: the evening reading when the morning has passed
        when = next((x for x in (at(day, tod) for tod in tods) if x >= base), None) or at(day, tods[0])
        return when, clk is not None, conf
    # no day word: today, the first reading still ahead; else the next such time tomorrow
    today = base.date()
    for tod in tods:
        when = at(today, tod)
        if when >= base:
            return when, clk is not None, conf
    return at(today + timedelta(days=1), tods[0]), clk is not None, conf * 0.7


# ---------------------------------------------------------------------------------------------
# 5. reading the pieces
def _piece(m: re.Match, t: str, raw: str, base: datetime, w: TimeWords):
    """(kind, payload) for one token, or None when its context says it is not a time.
    `t` is the folded text, `raw` the original (context checks look at the original
    character before a token: 周五17:00 folds to 周517:00, but 五 is no digit)."""
    kind = m.lastgroup
    s, e = m.span()
    prev = raw[s - 1] if s else ""
    if kind in _WITH_DETAIL:
        m = _DETAIL[kind].match(t, s)
        if m is None or m.end() != e:
            return None
    if kind == "dur":
        if prev in _ALNUM_BEFORE and m["du_n"]:
            return None
        num = m["du_n"] or ""
        n = float(_num(num)) if "十" in num else (float(num) if num else 0.0)
        if m["du_h1"] or m["du_h2"]:
            n += 0.5
        unit = m["du_u"]
        if not 0 < n <= _MAX_UNITS or (unit == "月" and "个" not in m.group()):
            return None
        after = m["du_r"] not in ("之内", "以内", "内")
        today = base.date()
        conf = 0.95
        if unit in ("小时", "钟头"):
            when = base + timedelta(hours=n)
        elif unit == "分钟":
            when = base + timedelta(minutes=n)
        elif unit in ("天", "日"):
            when = _eod(today + timedelta(days=int(n)), w) if n == int(n) else base + timedelta(days=n)
        elif unit == "工作日":
            d, left = today, int(n)
            while left > 0:
                d += timedelta(days=1)
                left -= d.weekday() < 5
            when, conf = _eod(d, w), 0.8
        elif unit in ("周", "星期", "礼拜"):
            when = _eod(today + timedelta(days=round(7 * n)), w)
        else:
            when = _eod(_add_months(today, int(n)), w)
        return "fixed", (when.replace(microsecond=0), "at" if after else "before", conf)
    if kind == "span":
        today = base.date()
        unit, p = m["sp_u"], m["sp_p"]
        if unit is None:                                   # 年内
            when = _eod(date(today.year, 12, 31), w)
        elif unit == "月":
            d = _add_months(today.replace(day=1), 1 if p and p.startswith("下") else 0)
            when = _eod(_month_end(d.year, d.month), w)
        else:
            when = _eod(_monday(today) + timedelta(days=13 if p.startswith("下") else 6), w)
        return "fixed", (when, "before", 0.95)
    if kind == "every":
        return "every", None
    if kind == "iso":
        if prev and prev in _ALNUM_BEFORE:
            return None
        try:
            return "date", (date(int(m["is_y"]), int(m["is_m"]), int(m["is_d"])), 1.0)
        except ValueError:
            return None
    if kind == "ymd":
        if prev in _ALNUM_BEFORE:
            return None
        if m["ym_s"] is None and not _YMD_NOSFX.match(t, e):
            return None
        month, day = _num(m["ym_m"]), _num(m["ym_d"])
        y = m["ym_y"]
        if y is None:
            d = _yearless(month, day, base.date()) if 1 <= month <= 12 else None
            return ("date", (d, 1.0)) if d else None
        year = _YEAR_WORD[y](base.year) if y in _YEAR_WORD else int(y)
        try:
            return "date", (date(year, month, day), 1.0)
        except ValueError:
            return None
    if kind == "mday":
        r = m["md_r"]
        offset = 1 if r.startswith("下") else (-1 if r.startswith("上") else 0)
        first = _add_months(base.date().replace(day=1), offset)
        day = _num(m["md_d"])
        last = calendar.monthrange(first.year, first.month)[1]
        if not 1 <= day <= 31:
            return None
        return "date", (first.replace(day=min(day, last)), 1.0 if day <= last else 0.6)
    if kind == "mend":
        today = base.date()
        if m["me_a"] is not None:
            if prev in _ALNUM_BEFORE:
                return None
            month = _num(m["me_a"])
            if not 1 <= month <= 12:
                return None
            yy = m["me_yy"]
            if yy is not None:
                year = _YEAR_WORD[yy](today.year) if yy in _YEAR_WORD else int(yy)
                return "date", (_month_end(year, month), 1.0)
            d = _yearless(month, calendar.monthrange(today.year, month)[1], today)
            if d is None:
                return None
            return "date", (_month_end(d.year, d.month), 1.0)
        if "年" in m.group():
            year = today.year + (1 if m["me_y"] == "明" else 0)
            return "date", (date(year, 12, 31), 1.0)
        r = m["me_r"] or ""
        offset = 1 if r.startswith("下") else (-1 if r.startswith("上") else 0)
        first = _add_months(today.replace(day=1), offset)
        return "date", (_month_end(first.year, first.month), 1.0)
    if kind == "rel":
        word = m.group()
        if word == "前天" and prev == "提":
            return None
        return "rel", (word, base.date() + timedelta(days=_REL_DAYS[word]))
    if kind == "week":
        return "week", ((m["wk_p"] or "").strip(), _WEEKDAY[m["wk_d"]])
    if kind == "mdd":
        if prev in _ALNUM_BEFORE or (prev and prev in "vV:："):
            return None
        if not (_MDD_MARK.match(t, e) or _MDD_PRE.search(t, max(0, s - 8), s)):
            return None
        month, day = int(m["mdd_m"]), int(m["mdd_d"])
        if not 1 <= month <= 12:
            return None
        d = _yearless(month, day, base.date())
        if d is None:
            return None
        if t[e:e + 1] in ("号", "日"):   # 3.15号: swallow the suffix with the date
            return "date_ext", (d, 1.0)
        return "date", (d, 1.0)
    if kind == "day":
        if prev and (prev in _ALNUM_BEFORE or prev in "月年第编账序型批期"):
            return None
        if _NOT_DAY_AFTER.match(t, e):
            return None
        day = _num(m["dy_d"])
        if not 1 <= day <= 31:
            return None
        today = base.date()
        first = today.replace(day=1)
        if day < today.day:
            first = _add_months(first, 1)
        last = calendar.monthrange(first.year, first.month)[1]
        return "date", (first.replace(day=min(day, last)), 1.0 if day <= last else 0.6)
    if kind == "per":
        nxt = t[e:e + 1]
        if nxt in ("好", "安", "茶"):      # 早上好, 下午茶
            return None
        if m.group() in ("上班", "下班") and _NOT_WORK_PERIOD.match(t, e):   # 下班了, 上班时间
            return None
        return "per", m.group()
    if kind == "clk":
        if prev in _ALNUM_BEFORE and prev not in "-－" or prev in (":", "："):
            return None
        c = _clock_of(m)
        if c is None:
            return None
        return "clk", c
    if kind == "mark":
        return "mark", m.group()
    return "sfx", m.group()


def _expressions(t: str, raw: str, base: datetime, w: TimeWords) -> list[_Expr]:
    exprs: list[_Expr] = []
    cur: _Expr | None = None
    pending_mark_end = -1

    def close() -> None:
        nonlocal cur
        if cur is not None and cur.last >= 0:
            exprs.append(cur)
        cur = None

    for m in _TOKEN.finditer(t):
        try:
            got = _piece(m, t, raw, base, w)
        except (OverflowError, ValueError):   # a date past year 9999 and the like: not a time
            continue
        if got is None:
            continue
        kind, val = got
        s, e = m.span()
        adjacent = cur is not None and s - cur.end <= 3 and not t[cur.end:s].strip(_GAP)
        if kind == "sfx" or (kind == "mark" and val in ("截止", "截至")):
            if adjacent and cur.last < _R_SFX and cur.fixed is None and not t[cur.end:s].strip(" \t\u3000）)"):
                cur.rel = "before" if val in _BEFORE_SFX else ("after" if val in _AFTER_SFX else "at")
                if val == "左右":
                    cur.conf *= 0.8
                cur.end, cur.last = e, _R_SFX
                close()
                continue
            if kind == "sfx":
                continue
        if kind == "mark":
            close()
            pending_mark_end = e
            continue
        if kind == "fixed":
            close()
            x = _Expr(s)
            x.end, x.last = e, _R_SFX
            x.fixed, x.fixed_rel, x.conf = val
            x.rel = x.fixed_rel
            exprs.append(x)
            continue
        if kind == "every":
            close()
            cur = _Expr(s)
            cur.every, cur.end, cur.last = True, e, 0
            continue
        rank = _RANK[kind]
        joins = adjacent and (rank > cur.last or (kind in ("date", "date_ext") and cur.last == _R_WEEK
                                                  and cur.day is None))
        if kind == "per" and val in ("上班", "下班") and adjacent and cur.per is not None:
            joins = False
        if not joins:
            close()
            cur = _Expr(s)
            if pending_mark_end >= 0 and s - pending_mark_end <= 4 and not t[pending_mark_end:s].strip(_MARK_GAP):
                cur.mark = True
            pending_mark_end = -1
            if kind == "clk" and exprs and exprs[-1].clk is not None and exprs[-1].end <= s \
                    and _RANGE_GAP.fullmatch(t, exprs[-1].end, s):
                # 周四下午3点到5点: the end of a range takes the start's day and period
                p = exprs[-1]
                cur.day, cur.week, cur.per, cur.explicit, cur.day_conf = p.day, p.week, p.per, p.explicit, p.day_conf
        if kind in ("date", "date_ext"):
            if cur.day is not None:
                cur.day_conf *= 0.6
            cur.day, c = val
            cur.day_conf *= c
            cur.explicit = True
            if kind == "date_ext":
                e += 1
        elif kind == "rel":
            word, cur.day = val
            cur.explicit = True
            if word in _PERIOD_OF_REL:
                cur.per = _PERIOD_OF_REL[word]
                rank = _R_PER
        elif kind == "week":
            if cur.day is not None:       # 5月28日（周四）: the date wins; a mismatch lowers confidence
                if cur.day.weekday() != val[1]:
                    cur.day_conf *= 0.6
            else:
                cur.week = val
        elif kind == "per":
            cur.per = val
        elif kind == "clk":
            cur.clk = val
        cur.end, cur.last = e, max(rank, cur.last)
        if kind == "per" and val in ("上班", "下班"):
            cur.last = _R_CLK    # 下班 takes no clock after it
    close()
    out = []
    for x in exprs:
        if x.every:
            continue
        if x.last == _R_CLK and x.day is None and x.week is None and x.per is None and x.rel is None \
                and not _bare_clock_ok(t, raw, x):
            continue
        if x.last == _R_SFX and x.day is None and x.week is None and x.per is None and x.clk is None \
                and x.fixed is None:
            continue
        out.append(x)
    return out


def _bare_clock_ok(t: str, raw: str, x: _Expr) -> bool:
    """A clock standing alone (no day, period or 前): reject list items and 快一点-like words."""
    prev = raw[x.start - 1] if x.start else ""
    if prev in _NOT_CLOCK_BEFORE or "比" in raw[max(0, x.start - 3):x.start]:   # 第3点, 以下两点, 比例1:10
        return False
    if raw[x.start:x.start + 2] == "一时":    # 一时半会
        return False
    if x.clk[0] == 1 and not x.clk[2] and prev in _SOFT_ONE:
        return False
    return not _NOT_CLOCK_AFTER.match(t, x.end)


def _clause_after(t: str, end: int, width: int) -> str:
    window = t[end:end + width]
    m = _CLAUSE_END.search(window)
    return window[:m.start()] if m else window


def _clause_before(t: str, start: int, width: int) -> str:
    lo = max(0, start - width)
    for i in range(start - 1, lo - 1, -1):
        if t[i] in _DELIMS:
            return t[i + 1:start]
    return t[lo:start]


def _tie(t: str, x: _Expr) -> str | None:
    """'comp' (a completion verb in the phrase's clause), 'event' (a meeting word in its clause,
    or anywhere in a message whose clause has no verb: 明天下午3点，会议室，请准时), or None."""
    for part in (_clause_after(t, x.end, 16), _clause_before(t, x.start, 8)):
        for m in _VERB.finditer(part):
            if m.lastgroup != "neutral":
                return m.lastgroup
    for m in _VERB.finditer(t):
        if m.lastgroup == "event":
            return "event"
    return None


def _reply_tied(t: str, x: _Expr) -> bool:
    """请16点前回复 / 明早前给我答复 / 回复时间：今天17点: the phrase sets a reply-by time."""
    after = _clause_after(t, x.end, 12)
    m = _REPLY_WORD.search(after)
    if m is not None:
        filler = after[:m.start()]
        filler = filler.replace("给", "")    # 给我答复
        if not _NOT_REPLY_FILLER.search(filler) and not any(v.lastgroup == "comp" for v in _VERB.finditer(filler)) \
                and after[m.end():m.end() + 1] not in ("表", "单"):
            return True
    return _REPLY_BEFORE.search(_clause_before(t, x.start, 10)) is not None


# ---------------------------------------------------------------------------------------------
# 6. the public entry point
def find_times(text: str, base: datetime, words: TimeWords = _DEFAULT_WORDS) -> TimeFindings:
    """Every time expression in `text` resolved against `base` (the post time), and the
    message's deadline, reply-by time and points chosen from them."""
    if not text or not may_contain_time(text):
        return _NO_FINDINGS
    if base.tzinfo is not None or base.microsecond:
        base = base.replace(tzinfo=None, microsecond=0)
    t = text.translate(_FOLD)
    found: list[TimeExpr] = []
    ties: list[str | None] = []
    for x in _expressions(t, text, base, words):
        try:
            got = _resolve(x, base, words)
        except (OverflowError, ValueError):
            continue
        if got is None:
            continue
        when, has_clock, conf = got
        rel = x.rel or ("before" if x.mark else "at")
        if x.mark and rel == "at":
            rel = "before"
        tie = None
        if _reply_tied(t, x):
            role = "reply_by"
        elif rel == "before":
            role = "deadline"
        else:
            tie = _tie(t, x)
            role = "deadline" if tie == "comp" else "point"
            if tie == "comp":
                conf *= 0.9
        ties.append(tie)
        found.append(TimeExpr(x.start, x.end, text[x.start:x.end], when, rel, role,
                              round(min(conf, 1.0), 3), has_clock))
    if not found:
        return _NO_FINDINGS
    # the first future reply-by time, the first future deadline ("before" ones first), every future point
    reply_by = deadline = first_deadline = None
    points_found: list[TimeExpr] = []
    for f in found:
        if f.when < base:
            continue
        if f.role == "point":
            points_found.append(f)
        elif f.role == "reply_by":
            reply_by = reply_by or f
        elif deadline is None:
            if f.relation == "before":
                deadline = f
            first_deadline = first_deadline or f
    deadline = deadline or first_deadline
    points = tuple(points_found)
    if deadline is None and len(found) == 1 and len(points) == 1 and ties[0] is None \
            and points[0].relation == "at" and not _QUESTION_END.search(text):
        # a lone future time with no verb at all: a low-confidence deadline (still a point too)
        p = points[0]     # dataclasses.replace costs ~8 µs; a third of messages with a time come here
        deadline = TimeExpr(p.start, p.end, p.text, p.when, p.relation, "deadline", 0.5, p.has_clock)
    return TimeFindings(deadline, reply_by, points, tuple(found))
