"""The words of time phrases and the contexts that make a piece no time.

Data only: the clock times of the time words (TimeWords), numerals, relative days, weekdays,
periods, relation suffixes, the context filters of the pieces (3号楼, v2.3, 快一点 … are not
times), the verb and reply words that give a phrase its role, and the cheap pre-filter on raw
text. Patterns on folded text (after FOLD) write digits as ASCII: 回1下 is 回一下.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time


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
    # rules.yaml `calendar:` the holiday schedule of years chinese-calendar does not know yet
    holidays: tuple[tuple[str, date, date], ...] = ()   # (name of HOLIDAY_NAMES, first day, last day)
    workdays: tuple[date, ...] = ()                     # weekend days made working days (调休上班)


# ---------------------------------------------------------------------------------------------
# numerals: one offset-preserving translation
FOLD = str.maketrans({**{c: str(i) for i, c in enumerate("零一二三四五六七八九")},
                      "〇": "0", "两": "2",
                      **{chr(0xFF10 + i): str(i) for i in range(10)},
                      "：": ":", "／": "/", "．": ".", "－": "-"})


def number(s: str) -> int:
    """'15' → 15, '十' → 10, '十5' → 15, '2十' → 20, '2十5' → 25 (after FOLD)."""
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (int(tens) if tens else 1) * 10 + (int(ones) if ones else 0)
    return int(s)


# ---------------------------------------------------------------------------------------------
# days, years, weekdays, periods, relations
REL_DAYS = {"大后天": 3, "大后日": 3, "后天": 2, "后日": 2, "今天": 0, "今日": 0, "今儿": 0, "当天": 0, "当日": 0,
            "明天": 1, "明日": 1, "明儿": 1, "次日": 1, "翌日": 1, "昨天": -1, "昨日": -1, "前天": -2,
            "今晚": 0, "今夜": 0, "今早": 0, "今晨": 0, "明晚": 1, "明早": 1, "明晨": 1, "昨晚": -1}
PERIOD_OF_REL = {"今晚": "晚上", "今夜": "晚上", "明晚": "晚上", "昨晚": "晚上",
                 "今早": "早上", "今晨": "早上", "明早": "早上", "明晨": "早上"}
YEAR_WORD = {"今": lambda y: y, "本": lambda y: y, "明": lambda y: y + 1, "去": lambda y: y - 1}
WEEKDAY = {**{str(i): i - 1 for i in range(1, 8)}, "日": 6, "天": 6}
MORNING = frozenset({"上午", "早上", "早晨", "清晨", "1早", "凌晨", "早"})
EVENING = frozenset({"晚上", "晚间", "夜里", "夜间", "晚"})
BEFORE_SFX = frozenset({"之前", "以前", "前", "为止", "止", "之内", "以内", "内", "截止", "截至"})
AFTER_SFX = frozenset({"以后", "之后", "后", "起", "开始"})

# the holidays by the words people say (holidays.HOLIDAY_NAMES); 年前 = before 春节
HOLIDAY_WORD = {"元旦": "元旦", "春节": "春节", "过年": "春节", "年": "春节", "清明": "清明", "清明节": "清明",
                "51": "劳动节", "51节": "劳动节", "51劳动节": "劳动节", "劳动节": "劳动节",
                "端午": "端午", "端午节": "端午", "中秋": "中秋", "中秋节": "中秋", "国庆": "国庆", "国庆节": "国庆"}
# before 年前, a count or a year word: 3年前, 几年前, 去年前 are years ago, not before 春节
NOT_NEW_YEAR_BEFORE = frozenset("0123456789十几多半去今明本新当早往近每周百千万两个")
# festivals wgm has no date for (not official holidays, or lunar): a phrase with one cannot be read
_OTHER_FESTIVALS = (r"元宵|妇女|三八|儿童|六一|重阳|七夕|情人|圣诞|平安夜|教师|母亲|父亲|青年|五四|建军|八一|建党|七一"
                    r"|腊八|小年|除夕|冬至|感恩|万圣|双十一|双11|双十二|双12|开学|放假|年会|生日")
OTHER_FESTIVALS_FOLDED = _OTHER_FESTIVALS.translate(FOLD)        # the pieces' pattern reads folded text
OTHER_FESTIVAL_FIRST = "".join(sorted({w[0] for w in OTHER_FESTIVALS_FOLDED.split("|")}))
# a day said in a way wgm cannot place, just before a time (那天晚上8点前, 元宵节晚上8点前, 农历八月十五前):
# the phrase gives no time at all, never its readable remainder (rules.md Time words)
UNREAD_BEFORE = re.compile(f"(?:[那这某哪改隔]天|[那这]日|农历|阴历|(?:{_OTHER_FESTIVALS})节?)\\s*(?:的)?\\s*$")
LUNAR_BEFORE = re.compile(r"(?:农历|阴历)\s*$")
BEFORE_WEEKEND = re.compile(r"\s*(?:之前|以前|前)")   # 周末前: before the weekend, that Friday
# a week, month or year named as a deadline (这周完成, 下个月交): only with 前/内 or a verb just after it
VAGUE_VERB_AFTER = re.compile(r"\s*(?:都|就|要|必须|务必|得|需要|需|请|全部|争取|尽量|抓紧|尽快|之内|以内|内|先|再)*\s*"
                              # (这周先把4月份的补上, 你这周把催缴函打出来: the thing, then the verb)
                              r"(?:把[^，,。；;！!？?]{1,14}?)?"
                              r"(?:完成|提交|交|报|发|给|搞定|上线|整理|做完|弄完|办完|办好|做好|弄好|落实|整改|汇总|结束"
                              r"|完毕|处理|解决|准备好|更新|出来|补上|补齐|打出来|做出来|弄出来|改完|改好)(?!了|过)")

# ---------------------------------------------------------------------------------------------
# context filters: the characters around a piece that say it is not a time
ALNUM_BEFORE = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "０１２３４５６７８９-－_./．／#＃￥¥$")
# after N号 / N日: a place, a line, a thing, not a day
NOT_DAY_AFTER = re.compile(r"(?:会议|办公|培训|接待|洽谈|休息|活动|阅览|监控|机)室|单元|选手|文件"
                           r"|立加|卧加|[楼线仓库门柜位口房室厅院车机台桌架区栋窗包箱店站厂码床键字色"
                           r"球场馆泊地坑道路街巷弄村组队班品款型桶瓶袋罐盒件模槽炉井塔杆牌游]")
# after a bare N点 (no date/period): a list, not a clock
NOT_CLOCK_AFTER = re.compile(r"[:：、儿都也没不]|点|会儿|要求|意见|建议|注意|内容|说明|问题|事项|原因|看法"
                             r"|想法|不足|改进|措施|原则|共识|理由|好处|体会|心得|感受|做法|经验|结论|疑问|规定|要点|补充|声明|方面|情况|变化|优势|目标")
NOT_CLOCK_BEFORE = frozenset("第下几这那有些如哪")
NOT_WORK_PERIOD = re.compile(r"[了啦咯喽吗没呢]|时|打卡|回家")
SOFT_ONE = frozenset("快早慢多少好大小高低晚细稍差再更点给加减放用花留带")   # 快一点, 给一点 …
# a numeric month.day (3.15) is a date only followed by one of these (MDD_MARK) or preceded (MDD_PRE)
MDD_MARK = re.compile(r"\s*(?:前|之前|以前|截止|为止|之内|以内|内|号|日|下班|上班|上午|下午|中午|晚上|早上"
                      r"|\d{1,2}[:点时]|[（(]?(?:周|星期|礼拜))")
MDD_PRE = re.compile(r"(?:截止|截至|于|在|到|至|最晚|最迟|日期|时间)[:：\s]*$")
# a Chinese date without 日/号 (5月20) is a date only before one of these
YMD_NOSFX = re.compile(r"\s*(?:前|之前|以前|截止|为止|下班|上班|上午|下午|中午|晚上|早上"
                       r"|\d{1,2}[:点时]|[（(]|周|星期)")

# ---------------------------------------------------------------------------------------------
# ties: what the words around a phrase make of it
CLAUSE_END = re.compile(r"[，,。；;！!？?\n]")
DELIMS = frozenset("，,。；;！!？?\n")
REPLY_WORD = re.compile(r"回复|答复|反馈|回个话|回话|回应|回覆|回我|回1下|回信")
NOT_REPLY_FILLER = re.compile(r"把|将")   # 明天前把反馈表交上来: an object, not a reply
REPLY_BEFORE = re.compile(r"(?:回复|答复|反馈)(?:时间|截止|期限|截止时间|日期)?\s*(?:为|是|:|于|在|请在|请于)?\s*$")
VERB = re.compile(
    r"(?P<neutral>会议室|会议纪要|会议记录|培训室|培训资料|培训材料|会议材料|开会材料)"
    r"|(?P<event>开会|开[\u4e00-\u9fa5]{1,4}会(?![计员])|会议|例会|召开|举行|举办|培训|集合|参加|出席|见面|碰头|面试|出差|值班|上课|聚餐|活动|准时"
    r"|到场|到岗|报到|过来|来1趟|到我|来我|开始|出发|放假|休息|请假)"
    # (nouns that start with a verb's character are no verb: 调度, 发票, 交通, 报表; nor 还算顺利)
    r"|(?P<comp>完成|提交|交(?!通)|报(?!表)|发(?!票)|给|修|处理|搞定|上线|开通|整理|做|弄|办|签|回传|上传|送|落实|整改|汇总|核对|审核"
    r"|审批|解决|安排|准备|录入|更新|填|寄|付|支付|到位|结束|完毕|确认|检查|盘点|出库|入库|发货|改|回访|走访|拜访"
    r"|调(?!休|度)|拿|搬|运|买|采购|借|找|换|装|补|拍|查|清点|统计|联系|通知|跟进|对接|核实|打印|签字|盖章|归档|申报|申请"
    r"|报销|退|领|配|清理|打扫|巡查|排查|测|试|调整|部署|发布|写|画|(?<![还也就总可倒不])算|催"
    # 今天能开出来吗, 开好发票; a need by the time (客户下午要用, 明早急用): work due before it
    r"|开(?!始|心|玩笑|车|了|着|个?[\u4e00-\u9fa5]{0,4}会|工|业|学|放|幕|张)|要用|急用|得用|要看|要拿)")
# a clause that tells what happened at its time (今天好几个医生投诉了): the date of a past event, no deadline
PAST_EVENT = re.compile(r"[了过]\s*$")
# the verb of handing the work over, right after a time (明天上午发群里, 周五交给我)
HANDED_AFTER = re.compile(r"\s*(?:再|就|统一|一起|之前)?(?:发|交|给|报|提交|上传|送)")
# what a clause ending in 了 says must be done (…一定要弄完了; 年前把账结了: 把…了 asks)
MUST = re.compile(r"要|必须|得|请|务必|一定|需|记得|别忘|把|将")
MEDIA_MARK = re.compile(r"[【\[](?:图片|照片|文件|视频|表情|动画表情)[】\]]")
# before a time: it is the one agreed earlier (说好三点半的, 原定周五), recalled, not set by the message
# 节前修剪的枝条 / 周五前提交的材料: a time inside what describes a thing (a verb, then 的 and the thing), not
# one the work is asked by (…发我的邮箱 is whose mailbox; …要交的，大家抓紧 says it is due)
# (…把本月的明细发我: 把 takes the thing; the time is the work's; 明早送货的时候 is still a time)
ATTRIBUTIVE_AFTER = re.compile(r"(?![把将给对让请跟和与向])[\u4e00-\u9fa5]{1,4}?的(?=[\u4e00-\u9fa5A-Za-z])"
                               r"(?<![我你您他她咱]的)(?!话|时候|时间|前|后)")
AGREED_BEFORE = re.compile(r"(?:说好|约好|讲好|说定|本来|原来|原定|原本|之前说)的?$")
# a period of the day said alone (上午, 晚上): once past, it tells when something happened, not a time ahead
BARE_PERIOD = re.compile(r"上午|下午|中午|早上|早晨|晚上|傍晚|凌晨|午后|晚间")
# a phrase that names its day (明天上午, 周五, 3号), not a bare period or clock rolled over to tomorrow
NAMES_A_DAY = re.compile(r"[今明后昨前天日号周月年末底]|星期|礼拜|节")
QUESTION_END = re.compile(r"(?:[?？]|吗|么|呢)\s*$")

# ---------------------------------------------------------------------------------------------
# the cheap pre-filter, on raw text (a superset of what the scanner can resolve)
_MAYBE = re.compile(
    r"[0-9０-９〇零一二两三四五六七八九十半]\s*(?:个\s*)?(?:半\s*)?"
    r"(?:[点时:：.．/／\-－月号日天周刻分]|小时|钟头|星期|礼拜|工作日)"
    r"|[今明后昨当前]天|[今明昨][日晚早晨夜儿]|后日|当日|次日|翌日"
    r"|(?:周|星期|礼拜)\s*[一二三四五六七日天1-7１-７]"
    r"|上午|下午|中午|晚上|晚间|夜里|夜间|早上|早晨|清晨|傍晚|凌晨|一早|下班|上班"
    r"|月\s*[底末]|年\s*[底末内]|年之内|年以内|[本这下当上]\s*个?\s*(?:周|星期|礼拜|月)|周末|月份|[今明去]年"
    r"|(?:节|年|旦|庆|秋|午|明|一|宵|夕|八|阳|诞|夜|学|假|会|日|至|女|童|师|亲|四)\s*(?:之|以)?前"
    r"|[那这某哪改隔]天|农历|阴历")


def may_contain_time(text: str) -> bool:
    """Cheap pre-filter: False means find_times(text, …) finds nothing."""
    return bool(text) and _MAYBE.search(text) is not None
