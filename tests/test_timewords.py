"""wgm.timewords: the table of expressions (one pytest id per row) and hypothesis properties.

Every base is fixed in the data or drawn by hypothesis: nothing depends on today's date.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wgm.timewords import TimeExpr, TimeFindings, TimeWords, find_times, finder, may_contain_time

TABLE = Path(__file__).parent / "data" / "time_expressions.yaml"
ROWS = yaml.safe_load(TABLE.read_text(encoding="utf-8"))["rows"]
EOD = time(23, 59, 59)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _iso(value):
    return datetime.fromisoformat(value) if value else None


def _slot(f: TimeFindings, slot: str) -> datetime | None:
    e = {"deadline": f.deadline, "reply_by": f.reply_by}.get(slot) if slot != "point" else \
        (f.points[0] if f.points else None)
    return e.when if e is not None else None


def _row_id(row) -> str:
    return f"{ROWS.index(row):03d}-{row.get('tag', '')}-{row['text'][:18]}"


# ---------------------------------------------------------------------------------------------
# the table
def test_table_is_well_formed():
    assert len(ROWS) >= 100
    for row in ROWS:
        assert set(row) <= {"text", "base", "expect", "role", "tag", "also"}, row
        assert row["role"] in {"deadline", "reply_by", "point", "none"}, row
        assert (row["expect"] is None) == (row["role"] == "none"), row
        datetime.fromisoformat(row["base"])


@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_table(row):
    base = datetime.fromisoformat(row["base"])
    f = find_times(row["text"], base)
    if row["role"] == "none":
        assert (_slot(f, "deadline"), _slot(f, "reply_by"), _slot(f, "point")) == (None, None, None), f
        if row.get("tag") == "negative":
            assert f.all == (), f
    else:
        assert _slot(f, row["role"]) == _iso(row["expect"]), f
        if row["role"] == "point" and "deadline" not in (row.get("also") or {}):
            assert f.deadline is None, f
    for slot, want in (row.get("also") or {}).items():
        assert _slot(f, slot) == _iso(want), (slot, f)
    _check_invariants(row["text"], base, f)


def _check_invariants(text: str, base: datetime, f: TimeFindings) -> None:
    for e in f.all:
        assert isinstance(e, TimeExpr)
        assert 0 <= e.start < e.end <= len(text) and text[e.start:e.end] == e.text
        assert e.relation in {"before", "at", "after"}
        assert e.role in {"deadline", "reply_by", "point"}
        assert 0.0 <= e.confidence <= 1.0
        assert e.when.tzinfo is None
    for e in (f.deadline, f.reply_by, *f.points):
        if e is not None:
            assert e.when >= base, "past times are never deadlines, reply-by times or points"
    if f.reply_by is not None:
        assert f.reply_by.role == "reply_by"
    if f.deadline is not None:
        assert f.deadline.role == "deadline"
    if f.all:
        assert may_contain_time(text), "the pre-filter must let through every text with a time"


# ---------------------------------------------------------------------------------------------
# settings: the clock times come from rules.yaml `times:`
def test_times_follow_settings():
    w = replace(TimeWords(), work_end=time(17, 30), afternoon_end=time(17, 0), morning_end=time(11, 30),
                end_of_day=time(23, 59), work_start=time(8, 30), evening_end=time(22, 0), noon=time(12, 30))
    base = datetime(2026, 5, 11, 8, 0)
    assert find_times("今天下班前交", base, w).deadline.when == datetime(2026, 5, 11, 17, 30)
    assert find_times("下午交", base, w).deadline.when == datetime(2026, 5, 11, 17, 0)
    assert find_times("上午交", base, w).deadline.when == datetime(2026, 5, 11, 11, 30)
    assert find_times("中午前给我", base, w).deadline.when == datetime(2026, 5, 11, 12, 30)
    assert find_times("明早前发我", base, w).deadline.when == datetime(2026, 5, 12, 8, 30)
    assert find_times("明天交", base, w).deadline.when == datetime(2026, 5, 12, 23, 59)
    assert find_times("今晚前发", base, w).deadline.when == datetime(2026, 5, 11, 22, 0)
    assert find_times("3天内完成", base, w).deadline.when == datetime(2026, 5, 14, 23, 59)


def test_default_settings_give_the_default_time_words():
    from wgm import settings as wgm_settings

    assert wgm_settings.defaults().time_words() == TimeWords()


def test_findings_shape():
    f = find_times("请16点前回复，明天下午3点前完成，后天上午10点开会", datetime(2026, 5, 11, 9, 0))
    assert f.reply_by.when == datetime(2026, 5, 11, 16, 0) and f.reply_by.has_clock
    assert f.deadline.when == datetime(2026, 5, 12, 15, 0) and f.deadline.relation == "before"
    assert [p.when for p in f.points] == [datetime(2026, 5, 13, 10, 0)]
    assert len(f.all) == 3
    assert find_times("", datetime(2026, 5, 11)) == TimeFindings(None, None, (), ())
    lone = find_times("B区盘点表，明天", datetime(2026, 5, 11, 9, 0))
    assert lone.deadline.confidence < 0.75 <= find_times("明天完成", datetime(2026, 5, 11, 9, 0)).deadline.confidence
    assert find_times("明天交", datetime(2026, 5, 11, 9, 0)).deadline.has_clock is False


def test_base_with_timezone_or_microseconds_is_read_as_local_wall_time():
    from zoneinfo import ZoneInfo

    aware = datetime(2026, 5, 11, 10, 0, 0, 123, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert find_times("2小时内", aware).deadline.when == datetime(2026, 5, 11, 12, 0)


# ---------------------------------------------------------------------------------------------
# hypothesis
BASES = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2098, 12, 1)).map(
    lambda d: d.replace(microsecond=0))
DIGITS = "零一二三四五六七八九"


def cn(n: int) -> str:
    """0..99 in Chinese numerals, as people write them (十五, 二十, 二十五)."""
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def _eod(d: date) -> datetime:
    return datetime.combine(d, EOD)


# (a) relative "before/within" phrases are never before the post time
ALWAYS_AHEAD = st.one_of(
    st.integers(1, 72).map(lambda n: (f"{n}小时内完成", ("hours", n))),
    st.integers(1, 72).map(lambda n: (f"{cn(n)}小时内完成", ("hours", n))),
    st.integers(1, 90).map(lambda n: (f"{n}分钟内回复", ("minutes", n))),
    st.just(("半小时内到现场", ("minutes", 30))),
    st.just(("两个半小时内", ("minutes", 150))),
    st.integers(1, 60).map(lambda n: (f"{n}天内完成", ("days", n))),
    st.integers(1, 30).map(lambda n: (f"{cn(n)}天之内提交", ("days", n))),
    st.integers(1, 10).map(lambda n: (f"{n}个工作日内", None)),
    st.sampled_from(["本周内完成", "这周之内交", "月底前完成", "本月内完成", "下个月底前完成", "下周内交",
                     "明天交", "明天上午交", "明天下午3点前", "明早前发我", "明晚前", "后天之前", "大后天交",
                     "下周一前", "下周五下班前", "周五前完成", "星期三之前", "礼拜天前", "周四下午5点前",
                     "下班前交", "3点前发我", "十点前", "中午前给我", "今晚前", "5点半前", "晚上8点前"]).map(
        lambda s: (s, None)),
)


@FAST
@given(ALWAYS_AHEAD, BASES)
def test_relative_deadlines_are_never_before_base(phrase, base):
    text, exact = phrase
    f = find_times(text, base)
    d = f.deadline or f.reply_by
    assert d is not None, (text, base, f)
    assert d.when >= base, (text, base, d)
    if exact is not None:
        kind, n = exact
        want = _eod(base.date() + timedelta(days=n)) if kind == "days" else base + timedelta(**{kind: n})
        assert d.when == want


TODAY_PHRASES = st.sampled_from(["今天下班前交", "今天15点前", "今天下午前", "今天上午11点前", "今天内完成",
                                 "今天12:00前", "今天下午四点半前", "今天中午前"])


@FAST
@given(TODAY_PHRASES, BASES)
def test_today_phrases_are_a_deadline_exactly_while_ahead(text, base):
    f = find_times(text, base)
    (e,) = f.all
    assert e.when.date() == base.date()
    assert (f.deadline is not None) == (e.when >= base)


# (b) the same time written with Chinese numerals, digits or a colon resolves the same
def _clock_forms(h: int, m: int) -> list[str]:
    forms = [f"{h}点{m}分" if m else f"{h}点", f"{cn(h)}点{cn(m)}分" if m else f"{cn(h)}点", f"{h}:{m:02d}"]
    if m == 30:
        forms += [f"{h}点半", f"{cn(h)}点半"]
    if m in (15, 45):
        forms += [f"{h}点{m // 15}刻", f"{cn(h)}点{cn(m // 15)}刻"]
    if m and m >= 10:
        forms += [f"{h}点{m}", f"{cn(h)}点{cn(m)}"]
    return forms


@FAST
@given(st.integers(1, 23), st.sampled_from([0, 5, 10, 15, 20, 30, 45, 59]),
       st.sampled_from(["", "明天", "今天", "后天", "周五", "下周二", "5月20日", "本周四"]),
       st.sampled_from(["", "上午", "下午", "晚上"]), st.sampled_from(["前", "之前", "前提交", "开会"]),
       BASES)
def test_numeral_forms_resolve_alike(h, m, day, period, tail, base):
    if period and h > 12:
        period = ""
    results = set()
    for clock in _clock_forms(h, m):
        f = find_times(f"请{day}{period}{clock}{tail}", base)
        results.add(tuple((e.when, e.relation, e.role) for e in f.all))
    assert len(results) == 1, results


@FAST
@given(st.integers(1, 31), st.integers(1, 12), st.sampled_from(["前", "之前", "交", "前完成"]), BASES)
def test_day_numerals_resolve_alike(d, mo, tail, base):
    days = {find_times(f"{form}{tail}", base).all for form in (f"{d}号", f"{cn(d)}号", f"{d}日", f"{cn(d)}日")}
    assert len({tuple(e.when for e in x) for x in days}) == 1
    if d <= 28:
        dates = {tuple(e.when for e in find_times(f"{form}{tail}", base).all)
                 for form in (f"{mo}月{d}日", f"{cn(mo)}月{cn(d)}日", f"{mo}月{d}号", f"{cn(mo)}月{d}号")}
        assert len(dates) == 1


# (c) amounts, phones, order numbers, percentages, counts, places, versions: never a time
# (no 号: 一 and 号 drawn side by side make 一号, a day of the month)
SAFE = "的了我们请您已经金额货物采购合同客户付款审核总共数量单价仓储财务部门一共大约需要库存代码系统" \
       "，。、 ：；！ABCDEFGHXYZabcxyz"
NUMBERS = st.one_of(
    st.integers(0, 10**7).map(lambda n: f"金额{n}元"),
    st.tuples(st.integers(0, 99999), st.integers(0, 99)).map(lambda t: f"￥{t[0]}.{t[1]:02d}"),
    st.integers(10**9, 10**10 - 1).map(lambda n: f"电话1{n}"),
    st.tuples(st.integers(100, 9999), st.integers(10**6, 10**8 - 1)).map(lambda t: f"座机0{t[0]}-{t[1]}"),
    st.integers(10**11, 10**14).map(lambda n: f"订单号{n}"),
    st.tuples(st.integers(10**7, 10**8 - 1), st.integers(0, 999)).map(lambda t: f"SO-{t[0]}-{t[1]:03d}"),
    st.integers(0, 1000).map(lambda n: f"增长{n}%"),
    st.integers(1, 99).map(lambda n: f"百分之{cn(n)}"),
    st.integers(1, 999).map(lambda n: f"{n}个"),
    st.integers(1, 99).map(lambda n: f"{cn(n)}个"),
    st.integers(1, 99).map(lambda n: f"第{n}批"),
    st.tuples(st.integers(1, 99), st.sampled_from(["号楼", "号线", "号仓", "楼", "号门", "号库", "号会议室", "号立加", "号卧加"])).map(
        lambda t: f"{t[0]}{t[1]}"),
    st.integers(1, 9).map(lambda n: f"{cn(n)}楼"),
    st.tuples(st.integers(0, 20), st.integers(0, 99)).map(lambda t: f"v{t[0]}.{t[1]}"),
    st.tuples(st.integers(1, 99), st.integers(1, 9)).map(lambda t: f"{t[0]}.{t[1]}万"),
    st.tuples(st.integers(1, 99), st.integers(1, 9)).map(lambda t: f"{t[0]}.{t[1]}吨"),
    st.integers(1, 99999).map(lambda n: f"工号{n}"),
)


@FAST
@given(st.lists(st.one_of(NUMBERS, st.text(SAFE, max_size=6)), min_size=1, max_size=6), BASES)
def test_numbers_that_are_not_times_never_give_a_time(parts, base):
    text = "".join(parts)
    f = find_times(text, base)
    assert f.all == (), (text, f)


# (d) never raises, on anything; the invariants hold on everything
TIMEY = "今明后天周星期礼拜一二两三四五六七八九十零〇日号月年点时分半刻上下午中晚早班前之内以后起截止至到为" \
        "0123456789０１２３４５６７８９:：./-（）() ，。回复完成交开会个小时钟工作每本这下上末底"


@settings(max_examples=400, deadline=None)
@given(st.text(TIMEY, max_size=40), BASES)
def test_never_raises_on_time_like_text(text, base):
    _check_invariants(text, base, find_times(text, base))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), BASES)
def test_never_raises_on_any_text(text, base):
    _check_invariants(text, base, find_times(text, base))


def test_extreme_numbers_do_not_overflow():
    base = datetime(9999, 12, 30, 12, 0)
    for text in ("999999999小时内", "99999天内", "1000个工作日内", "明天交", "下下周五前", "大后天", "月底前",
                 "12个月内", "99个月内", "下个月底", "本周内", "年底前"):
        find_times(text, base)
        find_times(text, datetime(2026, 5, 11))


# the optimised scanner finds exactly what the plain alternation finds
@settings(max_examples=300, deadline=None)
@given(st.text(TIMEY + "号楼线仓v%万元￥" , max_size=40))
def test_scanner_equals_reference_pattern(text):
    import re

    from wgm.timewords.lexicon import FOLD
    from wgm.timewords.pieces import _TOKEN_BODY, TOKEN

    folded = text.translate(FOLD)
    reference = re.compile(_TOKEN_BODY)
    assert [(m.lastgroup, m.span()) for m in TOKEN.finditer(folded)] == \
        [(m.lastgroup, m.span()) for m in reference.finditer(folded)]


# ---------------------------------------------------------------------------------------------
# named weeks, months and years; holidays; spans; phrases that cannot be read (rules.md Time words)
WEEK_WORDS = st.sampled_from(["这周", "本周", "这个星期", "下周", "下个星期", "周末", "这周末"])


@FAST
@given(WEEK_WORDS, st.sampled_from(["完成", "交", "前完成", "之前提交", "要搞定"]), BASES)
def test_a_week_named_as_a_deadline_ends_on_its_sunday(word, tail, base):
    f = find_times(word + tail, base)
    if "周末" in word and "前" in tail:
        want_weekday = 4                    # 周末前: before the weekend, that Friday
    else:
        want_weekday = 6
    this_monday = base.date() - timedelta(days=base.weekday())
    week = this_monday + timedelta(days=7 if word.startswith("下") else 0)
    want = _eod(week + timedelta(days=want_weekday))
    if want >= base:
        assert f.deadline is not None and f.deadline.when == want, (word + tail, base, f)
    else:
        assert f.deadline is None, (word + tail, base, f)


HOLIDAY_PHRASES = st.sampled_from(["国庆前完成", "春节前交", "五一前", "端午节前", "中秋前", "清明前交", "元旦前交",
                                   "年前把账结了", "节前完成", "过年前交"])


@FAST
@given(HOLIDAY_PHRASES, BASES)
def test_a_holiday_deadline_is_the_eve_of_a_day_off_or_no_time_at_all(text, base):
    from wgm.timewords import holidays

    f = find_times(text, base)
    if f.deadline is None:
        assert f.unread, (text, base, f)      # the schedule of that year is not known: said, never guessed
        # 清明, 端午, 中秋 are holidays since 2008; or the days off have begun (元旦前 on 2022-12-31, the
        # first day off of 元旦 2023: its eve is past)
        assert base.year >= 2026 or base.year < 2008 or not holidays.is_workday(base.date()), (text, base)
        return
    assert not f.unread and f.deadline.when >= base
    eve = f.deadline.when.date()
    assert f.deadline.when == _eod(eve)
    assert not holidays.is_workday(eve + timedelta(days=1)), (text, base, f)


def test_phrases_that_cannot_be_read_give_no_time_and_are_said():
    base = datetime(2026, 1, 20, 10, 0)
    for text, unread in (("元宵节晚上8点前交", "晚上8点前"), ("那天晚上8点前交", "晚上8点前"),
                         ("农历八月十五前", "八月十五前"), ("元宵节前交", "元宵节前"), ("放假前交上来", "放假前")):
        f = find_times(text, base)
        assert (f.deadline, f.reply_by, f.points) == (None, None, ()), text
        assert f.unread == (unread,), (text, f)
    both = find_times("元宵节晚上8点前交，最晚明天", base)
    assert both.deadline.when == datetime(2026, 1, 21, 23, 59, 59) and both.unread == ("晚上8点前",)
    assert find_times("老王晚上8点前交", base).unread == ()


def test_the_holiday_schedule_of_later_years_comes_from_settings():
    from wgm import settings as wgm_settings
    from wgm.timewords import holidays

    base = datetime(2026, 12, 20, 10, 0)
    assert find_times("春节前交", base).unread == ("春节前",)
    s = wgm_settings.load(None, ["calendar.holidays=[{name: 春节, first: 2027-02-06, last: 2027-02-13},"
                                 " {name: 元旦, first: 2027-01-01, last: 2027-01-03}]",
                                 "calendar.workdays=[2027-02-14]"])
    w = s.time_words()
    assert find_times("春节前交", base, w).deadline.when == datetime(2027, 2, 5, 23, 59, 59)
    assert find_times("元旦前交", base, w).deadline.when == datetime(2026, 12, 31, 23, 59, 59)
    assert find_times("节前完成", base, w).deadline.when == datetime(2026, 12, 31, 23, 59, 59)
    assert holidays.is_workday(date(2027, 2, 14), w.holidays, w.workdays)        # a Sunday made a working day
    assert not holidays.is_workday(date(2027, 2, 8), w.holidays, w.workdays)     # a Monday of 春节
    # 2 working days from Friday 2027-02-05: the Sunday 02-14 made a working day, then Monday 02-15
    assert find_times("2个工作日内完成", datetime(2027, 2, 5, 10), w).deadline.when == \
        datetime(2027, 2, 15, 23, 59, 59)


def test_calendar_settings_are_checked():
    from wgm import settings as wgm_settings
    from wgm.errors import SettingsError

    for bad, key in (("calendar.holidays=[{name: 七夕, first: 2027-08-08, last: 2027-08-08}]", "calendar.holidays.0.name"),
                     ("calendar.holidays=[{name: 春节, first: 2027-02-13, last: 2027-02-06}]", "calendar.holidays.0.last"),
                     ("calendar.holidays=[{name: 春节, first: 2月6日, last: 2027-02-13}]", "calendar.holidays.0.first"),
                     ("calendar.holidays=[春节]", "calendar.holidays.0"),
                     ("calendar.workdays=[明天]", "calendar.workdays.0")):
        with pytest.raises(SettingsError) as err:
            wgm_settings.load(None, [bad])
        assert key in str(err.value), (bad, str(err.value))


def test_the_2020_mid_autumn_festival_shared_the_national_day_holiday():
    # found by hypothesis: chinese-calendar names 2020-10-01..08 National Day only, the notice says 国庆节、中秋节
    f = find_times("中秋前", datetime(2019, 9, 13, 10, 0))
    assert f.deadline is not None and f.deadline.when == datetime(2020, 9, 30, 23, 59, 59)
    assert not f.unread


@pytest.mark.parametrize("text, want", [
    ("五一前3号楼7层顶板要浇完", datetime(2026, 4, 30, 23, 59, 59)),   # 前 then a building, not 前3天
    ("周五前3号楼要浇完", datetime(2026, 5, 1, 23, 59, 59)),
    ("国庆前3天交", None),                                              # days before a holiday: not read
    ("今年前三季度的数据", None),
])
def test_before_then_a_number_that_counts_no_time(text, want):
    f = find_times(text, datetime(2026, 4, 27, 9, 0))
    assert (f.deadline.when if f.deadline else None) == want


@pytest.mark.parametrize("text, want", [
    ("1号到5号调度、车队每天各留一个人值班", None),                    # 调度 is a department, not 调 (adjust)
    ("发票5号前交财务", datetime(2026, 5, 5, 23, 59, 59)),               # the 交 counts, not the 发 of 发票
    ("报表明天", None),                                                 # 报表 is no 报
    ("明天把报表交上来", datetime(2026, 5, 2, 23, 59, 59)),
])
def test_nouns_starting_with_a_verbs_character_tie_no_deadline(text, want):
    f = find_times(text, datetime(2026, 5, 1, 9, 0))
    got = f.deadline.when if f.deadline is not None and f.deadline.confidence >= 0.75 else None
    assert got == want


@pytest.mark.parametrize("text, want", [
    ("截止：7/17", datetime(2026, 7, 17, 23, 59, 59)),      # a label's colon before a slash date
    ("文档整理一下\n截止：7.17", datetime(2026, 7, 17, 23, 59, 59)),
    ("10:3.5", None),                                     # a clock's colon: no date
])
def test_a_slash_or_dot_date_after_a_labels_colon(text, want):
    f = find_times(text, datetime(2026, 7, 10, 10, 0))
    assert (f.deadline.when if f.deadline else None) == want


def test_a_lone_time_of_something_that_happened_is_no_deadline():
    base = datetime(2026, 6, 2, 10, 0)
    assert find_times("工作站经常卡住，今天好几个医生投诉了，麻烦查一下原因", base).deadline is None
    assert find_times("B区盘点表，明天", base).deadline.when == datetime(2026, 6, 3, 23, 59, 59)


def test_still_so_so_is_no_verb_that_ties_a_time():
    # 上午审厂还算顺利…: 还算 is an adverb, no 算 (to calculate) that makes 上午 a deadline
    f = find_times("上午审厂还算顺利，客户提了3个小问题", datetime(2026, 3, 18, 12, 30))
    assert f.deadline is None
    f = find_times("明天上午算一下成本", datetime(2026, 3, 18, 12, 30))
    assert f.deadline is not None and f.deadline.when == datetime(2026, 3, 19, 12, 0)


@pytest.mark.parametrize("text", ["行，确认。下次早点报，说好三点半的", "原定周五的评审，大家知道一下"])
def test_a_time_agreed_earlier_is_recalled_not_set(text):
    f = find_times(text, datetime(2026, 5, 12, 16, 12))
    assert f.deadline is None and f.points == ()


def test_a_bare_period_already_past_before_a_reply_word_is_when_it_happened():
    f = find_times("检查组上午反馈的问题：请今天下班前各报一份整改说明", datetime(2026, 6, 24, 15, 0))
    assert f.reply_by is None
    assert f.deadline is not None and f.deadline.when == datetime(2026, 6, 24, 18, 0)
    assert find_times("上午反馈给我", datetime(2026, 6, 24, 8, 0)).reply_by.when == datetime(2026, 6, 24, 12, 0)


def test_a_duration_before_a_reply_word_across_midnight_is_still_a_reply_by():
    # found by hypothesis: 1分钟内回复 at 23:59 ends tomorrow; only a bare period (上午) already past is dropped
    f = find_times("1分钟内回复", datetime(2001, 1, 1, 23, 59))
    assert f.reply_by is not None and f.reply_by.when == datetime(2001, 1, 2, 0, 0)


# ---------------------------------------------------------------------------------------------
# finder: find_times for a run's messages, a text posted again on one day scanned once
def test_finder_finds_what_find_times_finds_at_any_time_of_the_day():
    # each table text posted at times all over its day and the next (the same text again and again,
    # as a group's 收到/明天12:00前 are), through one finder: the same findings as find_times anew,
    # durations (counted from the minute) and day words (from the date) alike
    find = finder()
    clocks = [time(0, 5), time(8, 30), time(11, 59, 59), time(12, 0), time(13, 0), time(17, 45), time(23, 50)]
    texts = [row["text"] for row in ROWS] + ["2小时内回复", "请30分钟内处理完", "3天内完成，今天下午3点前回复"]
    days = sorted({datetime.fromisoformat(row["base"]).date() for row in ROWS})[:12]
    checked = 0
    for day in days:
        for extra in (0, 1):
            for clock in clocks:
                base = datetime.combine(day + timedelta(days=extra), clock)
                for text in texts:
                    assert find(text, base) == find_times(text, base), (text, base)
                    checked += 1
    assert checked > 10_000


def test_finder_keeps_the_words_it_was_made_with():
    words = TimeWords(end_of_day=time(18, 0))
    base = datetime(2026, 5, 11, 9, 0)
    assert finder(words)("今天前交", base) == find_times("今天前交", base, words)
    assert finder(words)("明天交报表", base) == find_times("明天交报表", base, words) \
        != find_times("明天交报表", base)
