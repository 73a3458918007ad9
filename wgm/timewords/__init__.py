"""Chinese deadline and time phrases → datetimes, under rules.md "Time words".

Owns: finding the time expressions in one message and resolving each against the post
time `base` (naive local time), then choosing the message's required completion time
(deadline D or a promised time), its reply-by time (RB) and its points (a meeting start).
Pure functions, no pandas, no I/O; every pattern is compiled once at import.

The modules, each importing (at run time) only those above it:
  lexicon      the words: numerals, day/weekday/period/holiday words, context filters, verb and
               reply words, the pre-filter (may_contain_time), the clock times of the words and the
               holiday schedule added in rules.yaml (TimeWords)
  holidays     the State Council's holiday schedule and working days (chinese-calendar + rules.yaml)
  resolution   date arithmetic and hour readings: an expression → a datetime (step 4)
  pieces       the piece patterns, the scanner and one reader per kind of piece (step 2)
  expressions  pieces joined into expressions (step 3)
  choice       each expression's role and the message's choice (step 4; find_times, TimeExpr,
               TimeFindings)

How a message is read
1. Numerals are folded by one precompiled `str.translate` that keeps every offset
   (一→1, 两→2, 〇/零→0, full-width digits and ：／．－ → ASCII): spans in the folded text are
   spans in the original. 十 is kept and read by `lexicon.number` (十五→15, 二十→20, 二十五→25).
2. One compiled alternation (`pieces.TOKEN`) finds the pieces: durations (2小时内, 3个工作日内),
   named spans (本周内, 本月内), dates (2026-05-20, 2026年5月20日, 5月20日, 3.15, 二十号,
   今天/明天/今晚/明早 …, 周五/下周五/本周五, 月底), periods (上午 下午 中午 晚上 下班 上班 …),
   clocks (15:30, 三点半, 17时30分, 3点一刻), relation suffixes (前 之前 内 截止 为止 …; 后 起 …)
   and before-markers (截止/截至/最晚/最迟/完成时间：…). Each piece's reader checks it against its
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
* N个工作日内 = end of the N-th working day after base's date: Monday–Friday less the public
  holidays, plus the weekend days made working days (调休), from the holiday schedule; in a year
  the schedule does not know, Monday–Friday. N周内 = end of day + 7·N days; N个月内 = end of day
  of the same date N months on.
* 本周五/这周五 = Friday of base's Monday-based week (a past day if already gone);
  上周X/昨天/前天 are past; 每天/每周一 … are recurring, never resolved.
* A week, month or year named as a whole (这周, 下周, 本月, 下个月, 3月份, 今年, 明年; 周末) is
  a deadline only: with 前/内/截止, or with a completion verb right after it (这周完成, 下周交,
  这个月要搞定; not 本周完成了5单), else it is no time at all (下周开会, 这周事情多: never a
  point). 月初, 上半月, 月中 are not resolved (too vague for a fine).
* A holiday + 前 = end of the day before the first day of that holiday's official run (the days
  off, weekends inside included; 2025's 中秋 fell inside 国庆, so 中秋前 = 09-30), the next run
  beginning after base's date. In a year whose schedule is unknown (chinese-calendar has
  2004–2026; rules.yaml `calendar:` adds later years) the phrase cannot be read.
* A range (周一到周三, 5月20日至25日, 下午3点到5点) is one span: as a deadline its end counts
  (周一到周三完成 = Wednesday), its start is a point (a meeting's start); the end takes the start's
  week (下周一到周三), month (5月20日到25日) and day and period (周四下午3点到5点); an end
  before its start is in the next week (周五到周一).
* A phrase that cannot be read whole gives no time (TimeFindings.unread lists it): a day named
  in a way wgm cannot place before the time (那天晚上8点前, 元宵节晚上8点前, 农历八月十五前), a
  festival with no official date + 前 (元宵节前, 除夕前, 放假前), a holiday of unknown schedule.
  A person's name before a time (老王晚上8点前交) is no part of it: the time is read.
* N天后/N小时后 = that point (relation "at"); 下班后/…起/…开始 have relation "after"
  (role "point"); both can still be a deadline when a completion verb follows (3天后提交).
"""

from wgm.timewords.choice import TimeExpr, TimeFindings, find_times, finder
from wgm.timewords.lexicon import TimeWords, may_contain_time

__all__ = ["TimeWords", "TimeExpr", "TimeFindings", "find_times", "finder", "may_contain_time"]
