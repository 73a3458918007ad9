"""The pieces of a time phrase: their patterns, the scanner that finds them, and one reader per kind.

The scanner (TOKEN) runs over the folded text of every message that may carry a time, so it
captures only the kind of a piece; the reader of that kind reads the piece's parts again with
the kind's own pattern and checks its context. A reader returns (kind, payload) for
expressions.py, or None when the piece is no time there:
    ("fixed", (when, relation, confidence))   dur, span: resolved at once
    ("every", None)                           every: recurring, never resolved
    ("date" | "date_ext", (date, confidence)) iso, ymd, mday, mend, mdd, day (date_ext: 3.15号)
    ("rel", (word, date))                     rel
    ("week", (prefix, weekday 0..6))          week
    ("named", date)                           named: a week, month or year as a whole (deadline only)
    ("unread", None)                          hol: a holiday of unknown date (the phrase gives no time)
    ("per", word) / ("clk", (hour, minute, minutes stated)) / ("mark", word) / ("sfx", word)
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from typing import Callable

# Patterns are called as module.PATTERN.method(): on Python 3.11 a method call on a from-imported
# name compiles to LOAD_ATTR, not LOAD_METHOD, and makes a bound method at every call (~15% slower).
from wgm.timewords import holidays, lexicon
from wgm.timewords.lexicon import ALNUM_BEFORE, REL_DAYS, WEEKDAY, YEAR_WORD, TimeWords, number
from wgm.timewords.resolution import add_months, eod, monday, month_end, yearless

_MAX_UNITS = 1000          # 99999小时内 is not a deadline (and would overflow datetime)

# ---------------------------------------------------------------------------------------------
# the pieces (on folded text): (kind, the characters it can start with, pattern)
_PIECES = (
    # duration + 内/后: 2小时内, 1个半小时内, 半小时内, 3天之内, 3个工作日内, 1周内, 2个月内, 3天后
    ("dur", r"\d十半",
     r"(?:(?P<du_n>\d+(?:\.\d+)?|\d?十\d?)\s*个?\s*(?P<du_h1>半)?|(?P<du_h2>半))\s*个?\s*"
     r"(?P<du_u>小时|钟头|分钟|工作日|天|日|周|星期|礼拜|月)\s*"
     r"(?P<du_r>之内|以内|内(?![容部外存控勤审训网务线销贸])|之后|以后|后(?![面续期来台端]))"),
    # named span + 内: 本周内, 这个星期内, 下周内, 本月内, 当月内, 今年内, 年内
    ("span", "本这下当今年",
     r"(?P<sp_p>本|这个?|下个?|当)\s*(?P<sp_u>周|星期|礼拜|月)\s*(?:之内|以内|内(?![容部外存控勤审训网务线销贸]))"
     r"|(?:今|本)?年\s*(?:之内|以内|内(?![容部外存控勤审训网务线销贸]))"),
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
     # (明 ending a word — 说明, 证明, 注明 — is no tomorrow: 整改说明晚上发您 is 晚上, tonight)
     r"|今晚|今夜|今早|今晨|(?<![说证声透简表发聪光文分标注写查阐申指载开英失黎])明(?:晚|早|晨)|昨晚"),
    # weekday: 周五, 下周五, 本周五, 这个星期五, 礼拜天, 上周五
    ("week", "下本这上周星礼",
     r"(?:(?P<wk_p>下下个?|下个?|本|这个?|上上个?|上个?)\s*)?(?:周|星期|礼拜)\s*(?P<wk_d>[1-7日天])"),
    # a week, month or year named as a whole (a deadline only, at its end: 这周, 下个月, 3月份, 今年),
    # and 周末 (that Sunday; 周末前: that Friday)
    ("named", r"本这下上当今明去周\d十",
     r"(?:(?P<nm_wp>本|这个?|下个?|上个?)\s*)?(?P<nm_we>周末)"
     r"|(?P<nm_w>本|这个?|下个?|上个?|当)\s*(?:周|星期|礼拜)(?!\s*[1-7日天末])"
     r"|(?P<nm_m>本|这个?|下个?|上个?|当)\s*月(?!\s*[底末初中旬份\d十])"
     r"|(?P<nm_n>\d{1,2}|十\d?)\s*月份(?!\s*[底末初中旬])"
     r"|(?P<nm_y>今|明|去)\s*年(?!\s*[底末内初中\d十])"),
    # the first day after a holiday: 节后第一天, 国庆节后上班第一天, 假期结束后第一天, 收假第一天 (not 国庆第一天,
    # which is the holiday's own first day)
    ("hfirst", "元春过清5劳端中国节假长放收",
     r"(?:(?:(?P<hf_n>元旦|春节|过年|清明节?|51(?:劳动)?节?|劳动节|端午节?|中秋节?|国庆节?)|节|假期|长假|放假)\s*(?:后|结束后)"
     r"|收假(?:后)?)\s*(?:上班|开工|复工)?(?:的)?\s*第\s*1\s*(?:个工作日|天)"),
    # a holiday + 前: 国庆前, 春节前, 五一前, 节前 (the next holiday), 年前 (春节), and festivals wgm
    # has no date for (元宵节前: the phrase cannot be read)
    ("hol", "元春过年清5劳端中国节" + lexicon.OTHER_FESTIVAL_FIRST,
     r"(?:(?P<hl_o>" + lexicon.OTHER_FESTIVALS_FOLDED + r")节?|元旦|春节|过年|清明节?|51(?:劳动)?节?|劳动节|端午节?"
     r"|中秋节?|国庆节?|节|年)(?=\s*(?:之前|以前|前(?![往来去面台后几十]|\s*\d+\s*(?:个|天|日|周|星期|礼拜|小时|工作日|月|季|名|位|批|项|次|件|轮|条|页|行|年))))"),
    # (国庆前3天 counts days before the holiday: not this; 五一前3号楼要浇完 is 五一前 and a building)
    # numeric month.day: 3.15, 3/15 (accepted only next to a marker: _MDD_MARK, _MDD_PRE)
    ("mdd", r"\d", r"(?P<mdd_m>\d{1,2})[./](?P<mdd_d>\d{1,2})(?![\d.%/])"),
    # day of month only: 二十号, 15日
    ("day", r"\d十", r"(?P<dy_d>\d{1,2}|\d?十\d?)(?![\d十])\s*(?P<dy_s>[日号])"),
    # a period of the day
    ("per", "上早清1中下傍晚夜凌", r"上午|早上|早晨|清晨|1早|中午|下午|傍晚|晚上|晚间|夜里|夜间|凌晨|下班|上班"
            r"|晚(?=\s*\d{1,2}\s*[:点时])|早(?=\s*\d{1,2}\s*[:点时])"),   # 晚21:00, 早8点 (not 晚点到)
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
     r"之前|以前|前(?![往来去面台后几十]|\s*\d+\s*(?:个|天|日|周|星期|礼拜|小时|工作日|月|季|名|位|批|项|次|件|轮|条|页|行|年))|为止|止|之内|以内|内(?![容部外存控勤审训网务线销贸])|以后|之后|后(?![面续期来台端])"
     r"|起(?![来草码诉])|开始|左右"),
)
# The reference pattern: each kind one named group, m.lastgroup names it (tests compare the scanner with it).
_TOKEN_BODY = "|".join(f"(?P<{kind}>{pattern})" for kind, _, pattern in _PIECES)
# The scanner: the same alternation with only the kinds captured (a match carrying 47 groups costs
# twice as much), each alternative behind a lookahead on its first characters, the whole behind a
# lookahead on all of them, so that the scan skips most positions on one charset test (~6x faster).
_FIRST = "".join(first for _, first, _ in _PIECES)
TOKEN = re.compile(f"(?=[{_FIRST}])(?:" + "|".join(
    f"(?=[{first}])(?P<{kind}>{re.sub(r'[(][?]P<(?!is_s>)[a-z_0-9]+>', '(?:', pattern)})"
    for kind, first, pattern in _PIECES) + ")")
# the parts of a piece, read again by its kind's own pattern from where the scanner found it (only
# kinds with named parts: the others' readers take the scanner's match)
_DETAIL = {kind: re.compile(pattern) for kind, _, pattern in _PIECES if "(?P<" in pattern}

Piece = tuple[str, object]
# a reader: (match of the piece, folded text, start, end, the original character before it, base, words)
Reader = Callable[[re.Match, str, int, int, str, datetime, TimeWords], "Piece | None"]


# ---------------------------------------------------------------------------------------------
# the readers, one per kind
def _dur(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A duration with 内 (before) or 后 (at), resolved from base: 2小时内, 1个半小时内, 半小时内,
    3天之内, 3个工作日内 (working days of the holiday schedule, 调休 included; confidence 0.8), 1周内,
    2个月内, 3天后. Not v2小时内 nor 2月内."""
    if prev in ALNUM_BEFORE and m["du_n"]:
        return None
    num = m["du_n"] or ""
    n = float(number(num)) if "十" in num else (float(num) if num else 0.0)
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
        when = eod(today + timedelta(days=int(n)), w) if n == int(n) else base + timedelta(days=n)
    elif unit == "工作日":
        d, left = today, int(n)
        while left > 0:
            d += timedelta(days=1)
            left -= holidays.is_workday(d, w.holidays, w.workdays)
        when, conf = eod(d, w), 0.8
    elif unit in ("周", "星期", "礼拜"):
        when = eod(today + timedelta(days=round(7 * n)), w)
    else:
        when = eod(add_months(today, int(n)), w)
    return "fixed", (when.replace(microsecond=0), "at" if after else "before", conf)


def _span(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A named span with 内, to the end of its last day: 本周内 (Sunday), 下周内, 这个星期内, 本月内,
    下个月内 (that month's last day), 今年内 / 年内 (December 31)."""
    today = base.date()
    unit, p = m["sp_u"], m["sp_p"]
    if unit is None:                                   # 年内
        if prev and prev in "半上下去前全":
            return None                                # 上半年内控…, 半年内: a half year, not this year's end
        when = eod(date(today.year, 12, 31), w)
    elif unit == "月":
        d = add_months(today.replace(day=1), 1 if p and p.startswith("下") else 0)
        when = eod(month_end(d.year, d.month), w)
    else:
        when = eod(monday(today) + timedelta(days=13 if p.startswith("下") else 6), w)
    return "fixed", (when, "before", 0.95)


def _every(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A recurring phrase, never resolved, nor are the pieces joined to it: 每天, 每周一, 每个月,
    每个工作日, 每天下午3点."""
    return "every", None


def _iso(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """An ISO-like date: 2026-05-20, 2026/5/20, 2026.5.20, 2026-05-20日. Not after a letter or digit
    (SN2026-05-20)."""
    if prev and prev in ALNUM_BEFORE:
        return None
    try:
        return "date", (date(int(m["is_y"]), int(m["is_m"]), int(m["is_d"])), 1.0)
    except ValueError:
        return None


def _ymd(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A Chinese date: 2026年5月20日, 明年1月5号, 5月20日 (the year of the window, see yearless), and
    5月20 without 日/号 only before 前, 截止, a period, a clock, a bracket or a weekday (5月20前)."""
    if prev in ALNUM_BEFORE:
        return None
    if m["ym_s"] is None and not lexicon.YMD_NOSFX.match(t, e):
        return None
    month, day = number(m["ym_m"]), number(m["ym_d"])
    y = m["ym_y"]
    if y is None:
        d = yearless(month, day, base.date()) if 1 <= month <= 12 else None
        return ("date", (d, 1.0)) if d else None
    year = YEAR_WORD[y](base.year) if y in YEAR_WORD else int(y)
    try:
        return "date", (date(year, month, day), 1.0)
    except ValueError:
        return None


def _mday(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A day of a month named relative to base's: 本月20号, 下个月5号, 上月3日. A day the month lacks
    is its last day, confidence 0.6 (下个月31号 posted in March: April 30)."""
    r = m["md_r"]
    offset = 1 if r.startswith("下") else (-1 if r.startswith("上") else 0)
    first = add_months(base.date().replace(day=1), offset)
    day = number(m["md_d"])
    last = calendar.monthrange(first.year, first.month)[1]
    if not 1 <= day <= 31:
        return None
    return "date", (first.replace(day=min(day, last)), 1.0 if day <= last else 0.6)


def _mend(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """The last day of a month or year: 月底, 本月底, 下个月末, 3月底 (the year of the window),
    明年1月底, 年底, 明年底."""
    today = base.date()
    if m["me_a"] is not None:
        if prev in ALNUM_BEFORE:
            return None
        month = number(m["me_a"])
        if not 1 <= month <= 12:
            return None
        yy = m["me_yy"]
        if yy is not None:
            year = YEAR_WORD[yy](today.year) if yy in YEAR_WORD else int(yy)
            return "date", (month_end(year, month), 1.0)
        d = yearless(month, calendar.monthrange(today.year, month)[1], today)
        if d is None:
            return None
        return "date", (month_end(d.year, d.month), 1.0)
    if "年" in m.group():
        year = today.year + (1 if m["me_y"] == "明" else 0)
        return "date", (date(year, 12, 31), 1.0)
    r = m["me_r"] or ""
    offset = 1 if r.startswith("下") else (-1 if r.startswith("上") else 0)
    first = add_months(today.replace(day=1), offset)
    return "date", (month_end(first.year, first.month), 1.0)


def _rel(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A day relative to base, some with a period: 今天, 明天, 后天, 大后天, 昨天, 今晚, 明早.
    前天 after 提 is 提前 + 天 (提前天数), not the day before yesterday."""
    word = m.group()
    if word == "前天" and prev == "提":
        return None
    return "rel", (word, base.date() + timedelta(days=REL_DAYS[word]))



def _week(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A weekday and its week: 周五, 下周五, 下下周一, 本周五, 这个星期五, 上周五, 礼拜天."""
    return "week", ((m["wk_p"] or "").strip(), WEEKDAY[m["wk_d"]])


def _named(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A week, month or year named as a whole, as its last day (rules.md Time words): 这周/本周/这个星期
    (that Sunday), 下周, 这个月/本月/下个月, 3月份 (the year of the window), 今年/明年 (December 31);
    周末/这周末 (that Sunday), 周末前/下周末前 (that week's Friday: before the weekend). Past ones
    (上周, 上个月, 去年) resolve to the past and are never chosen."""
    today = base.date()
    if prev in ALNUM_BEFORE and m["nm_n"] is not None:
        return None

    def shift(p: str | None) -> int:
        return 1 if p and p.startswith("下") else (-1 if p and p.startswith("上") else 0)

    if m["nm_we"] is not None:
        week = monday(today) + timedelta(days=7 * shift(m["nm_wp"]))
        before = lexicon.BEFORE_WEEKEND.match(t, e) is not None
        return "named", week + timedelta(days=4 if before else 6)
    if m["nm_w"] is not None:
        return "named", monday(today) + timedelta(days=7 * shift(m["nm_w"]) + 6)
    if m["nm_m"] is not None:
        first = add_months(today.replace(day=1), shift(m["nm_m"]))
        return "named", month_end(first.year, first.month)
    if m["nm_n"] is not None:
        month = number(m["nm_n"])
        if not 1 <= month <= 12:
            return None
        d = yearless(month, calendar.monthrange(today.year, month)[1], today)
        return ("named", month_end(d.year, d.month)) if d else None
    return "named", date(today.year + {"今": 0, "明": 1, "去": -1}[m["nm_y"]], 12, 31)


def _hfirst(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """The first day after a holiday (节后第一天: the day after the holiday going on, or the next one, ends;
    国庆节后第一天: after 国庆's). ("unread", None) when the schedule of its year is not known."""
    names = (lexicon.HOLIDAY_WORD[m["hf_n"]],) if m["hf_n"] else None
    last = holidays.current_or_next_holiday_end(names, base.date(), w.holidays)
    if last is None or last == holidays.UNKNOWN:
        return "unread", None
    return "date", (last + timedelta(days=1), 1.0)


def _hol(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A holiday before 前, as the day before its official first day (国庆前 posted 2026-09-20:
    2026-09-30): 元旦, 春节/过年/年 (年前), 清明, 五一/劳动节, 端午, 中秋, 国庆, and 节 (节前: the next
    holiday of any name). ("unread", None) when the schedule of its year is not known or the
    festival has no official date (元宵节前, 除夕前). Not 3年前 (years ago), 章节前, 细节前."""
    word = m.group()
    if m["hl_o"] is not None:
        return "unread", None
    if word == "年" and (t[s - 1:s] in lexicon.NOT_NEW_YEAR_BEFORE or prev in ALNUM_BEFORE):
        return None
    if word == "节" and prev and "\u4e00" <= prev <= "\u9fff" and prev not in "过在于要请":
        return None          # 章节前, 细节前, 环节前 (a known festival matched as a whole earlier)
    if word.startswith("51") and prev in ALNUM_BEFORE:
        return None          # 151前 is no holiday
    names = None if word == "节" else (lexicon.HOLIDAY_WORD[word],)
    first = holidays.next_holiday_start(names, base.date(), w.holidays)
    if first is None or first == holidays.UNKNOWN:
        return "unread", None      # no such holiday in the schedule (端午 before 2008) or the year is unknown
    return "date", (first - timedelta(days=1), 1.0)


def _mdd(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A numeric month.day next to a marker: 3.15前, 5/20下午, 截止3.15, 3.15号 (date_ext: the 号 is
    part of it). Not 1.5万, v2.3 nor 3.15 alone."""
    marked_before = lexicon.MDD_PRE.search(t, max(0, s - 8), s) is not None
    # a colon before it is a clock's (10:3.5) unless a label's (截止：7/17, 处理时限：05/22前: words, then the colon)
    labelled = prev in ":：" and s >= 2 and "\u4e00" <= t[s - 2] <= "\u9fa5"
    if prev in ALNUM_BEFORE or (prev and prev in "vV:：" and not (prev in ":：" and (marked_before or labelled))):
        return None
    if not (lexicon.MDD_MARK.match(t, e) or marked_before):
        return None
    month, day = int(m["mdd_m"]), int(m["mdd_d"])
    if not 1 <= month <= 12:
        return None
    d = yearless(month, day, base.date())
    if d is None:
        return None
    if t[e:e + 1] in ("号", "日"):   # 3.15号: swallow the suffix with the date
        return "date_ext", (d, 1.0)
    return "date", (d, 1.0)


def _day(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A day of the month alone: 二十号, 15日 (this month if not yet past, else next month; a day the
    month lacks is its last day, confidence 0.6). Not 3号楼, 第5号."""
    if prev and (prev in ALNUM_BEFORE or prev in "月年第编账序型批期"):
        return None
    if lexicon.NOT_DAY_AFTER.match(t, e):
        return None
    day = number(m["dy_d"])
    if not 1 <= day <= 31:
        return None
    today = base.date()
    first = today.replace(day=1)
    if day < today.day:
        first = add_months(first, 1)
    last = calendar.monthrange(first.year, first.month)[1]
    return "date", (first.replace(day=min(day, last)), 1.0 if day <= last else 0.6)


def _per(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A period of the day: 上午, 中午, 下午, 晚上, 凌晨, 下班, 上班. Not 早上好, 下午茶, 下班了, 上班时间."""
    nxt = t[e:e + 1]
    if nxt in ("好", "安", "茶"):      # 早上好, 下午茶
        return None
    if prev == "一" and t[s - 2:s - 1] not in ("周", "期", "拜", "初", "十", "第", "礼") or t[max(0, s - 2):s] == "整个":
        return None                      # 白跑一下午, 忙了整个上午: how long, not when
    if m.group() in ("上班", "下班") and lexicon.NOT_WORK_PERIOD.match(t, e):   # 下班了, 上班时间
        return None
    return "per", m.group()


# what follows a number that is an amount: 万, 元, 个点 (a percentage point), % …
_AMOUNT_AFTER = re.compile(r"\s*(?:万|千|百|亿|元|块|个点|个百分点|%|％|倍|折|米|公里|斤|公斤|吨|平|方)")


def _clk(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A clock time as (hour, minute, minutes stated): 15:30, 15点, 3点半, 3点一刻, 17时30分, 10点零5分,
    8点整. Not 25点, 3:75, v1:30."""
    if prev in ALNUM_BEFORE and prev not in "-－" or prev in (":", "："):
        return None
    if m["ck_m2"] is not None and _AMOUNT_AFTER.match(t, e):
        return None         # 三点五万, 一点二个点: an amount with 点, not a clock
    h = number(m["ck_h"])
    if m["ck_m"] is not None:
        mi, stated = int(m["ck_m"]), True
    elif m["ck_m2"] is not None:
        mi, stated = number(m["ck_m2"]), True
    elif m["ck_half"]:
        mi, stated = 30, True
    elif m["ck_q"]:
        mi, stated = 15 * int(m["ck_q"]), True
    else:
        mi, stated = 0, False
    if h > 24 or mi > 59 or (h == 24 and mi):
        return None
    return "clk", (h, mi, stated)


def _mark(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A marker that makes the next expression a "before": 截止到, 截至, 最迟, 不晚于, 完成时间."""
    return "mark", m.group()


def _sfx(m: re.Match, t: str, s: int, e: int, prev: str, base: datetime, w: TimeWords) -> Piece | None:
    """A relation suffix after an expression: 前, 之前, 为止, 内 (before); 后, 起, 开始 (after); 左右."""
    return "sfx", m.group()


_READERS: dict[str, Reader] = {
    "dur": _dur, "span": _span, "every": _every, "iso": _iso, "ymd": _ymd, "mday": _mday, "mend": _mend,
    "rel": _rel, "week": _week, "named": _named, "hol": _hol, "hfirst": _hfirst, "mdd": _mdd, "day": _day, "per": _per, "clk": _clk, "mark": _mark, "sfx": _sfx,
}


# each kind's reader with the pattern that reads its parts again: one lookup per token
_READ = {kind: (reader, _DETAIL.get(kind)) for kind, reader in _READERS.items()}


def read_piece(m: re.Match, t: str, raw: str, base: datetime, w: TimeWords) -> Piece | None:
    """(kind, payload) for one token of TOKEN, or None when its context says it is not a time.
    `t` is the folded text, `raw` the original (context checks look at the original
    character before a token: 周五17:00 folds to 周517:00, but 五 is no digit)."""
    kind = m.lastgroup or ""
    s, e = m.span()
    prev = raw[s - 1] if s else ""
    read, detail = _READ[kind]
    if detail is not None:
        found = detail.match(t, s)
        if found is None or found.end() != e:
            return None
        m = found
    return read(m, t, s, e, prev, base, w)
