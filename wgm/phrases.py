"""How people say it: the phrase readers the classifier's tags come from, built from rules.yaml's words.

A word list alone knows the worked cases' words; people write 弄好了, 发您邮箱了, 现在能登录了,
试过了没问题, 收到王主任, 在查了. Each reader here combines word lists into the shapes such
messages take (a verb and how it ended, a delivery and where to, a check and its outcome, an
acknowledgement and a form of address) and says what stops a match: a promise or a negation
before it in the same clause (好的，明早搞定 is no completion), a question, a rejection.
The words all live in rules.yaml (`lexicon:`); users extend them there.

Every reader takes the messages' bare texts (wgm.classify: the words outside @mentions) and gives
one bool per message. Readers compile once per lexicon.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

import pandas as pd

from wgm.settings import Settings

_DONE_ASPECT = ("了", "啦", "过", "完", "毕", "咯", "喽")     # how a finished thing is said to have ended
_NOT_DONE_REACH = 6      # characters before a completion word a promise or negation may stand (明早就能搞定)
_CLAUSE = re.compile(r"[，,。；;！!？?\n～~、]+|\s{2,}")
_QUESTION = re.compile(r"(?:[?？]|吗|么|呢|没有?)\s*$")
_FIRST_PERSON = re.compile(r"我|咱|本人")
_OTHER_PERSON = re.compile(r"你|您|他|她|它们|人家|那帮|这帮|一群")


def alternation(words: Iterable[str]) -> str:
    """One regex alternative per word, longest first (so 收到了 wins over 收到)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)) if w)


def clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE.split(text) if c.strip()]


@dataclass(frozen=True)
class Readers:
    """The compiled phrase patterns of one lexicon."""

    ack: re.Pattern | None
    ack_end: re.Pattern | None
    done: re.Pattern | None
    not_done: re.Pattern | None
    not_done_near: re.Pattern | None
    not_done_times: re.Pattern | None
    partly_done: re.Pattern | None
    verify_word: re.Pattern | None
    verify_check: re.Pattern | None
    verify_outcome: re.Pattern | None
    verify_except: re.Pattern | None
    progress: re.Pattern | None
    warning_verb: re.Pattern | None
    warning_topic: re.Pattern | None
    warning_redirect: re.Pattern | None
    report_outcomes: frozenset[str] = frozenset()   # verify_outcomes a completion report states too
    ack_only: re.Pattern | None = None
    report_shape: re.Pattern | None = None          # …and the shapes of such states (能扫了)
    data_report: re.Pattern | None = None           # 前端面试官：郝帅、龙小婷 (a label and its data)
    done_maybe: str = ""      # a looser `done` without lookarounds, for the vectorised pre-filter (RE2)
    ahead: re.Pattern | None = None                 # 上午就能开出来: what a time will then make possible


def _compiled(pattern: str) -> re.Pattern | None:
    return re.compile(pattern) if pattern else None


@functools.lru_cache(maxsize=8)
def _readers(lexicon_json: str, names: tuple[str, ...]) -> Readers:
    lex = json.loads(lexicon_json)
    ack = alternation(lex["ack"])
    titles = alternation(lex["address_titles"])
    people = alternation(names)
    # a form of address after an acknowledgement: 王主任, 李科, 顾总, 雨桐, 老板
    address = "|".join(p for p in (f"[\u4e00-\u9fa5]{{1,2}}(?:{titles})" if titles else "", f"(?:{titles})" if titles
                                   else "", f"(?:{people})" if people else "") if p)
    # (1 is an acknowledgement as a message of its own or before words, never the first digit of 11栋)
    ack_re = (rf"^[\s\W]*(?:{ack})(?![0-9])(?:{address})?(?:$|[\s\W_]|(?=(?:{ack})))") if ack else ""
    # …or closing the message after what happened (郑工，昨天没看到，收到 / 群消息刚看到，培训都收到)
    # …or the whole message (OK, 可以, 没问题👍): an acknowledgement confirms nothing (rules.md verification)
    ack_only = (rf"^[\s\W_]*(?:{ack})(?:{address})?[\s\W_]*$") if ack else ""
    ack_end = (rf"(?:[，,。；;！!\s](?:都|已|也)?|都|已|也)(?:{ack})(?:{address})?[\s\W_]*$") if ack else ""
    # …or after the team answering for itself, the whole message (运营收到, 二组明白): words of two characters
    # or more only (1 after 11栋 is no acknowledgement)
    long_acks = alternation(w for w in lex["ack"] if len(w) > 1 and not w.isdigit())
    if long_acks:
        ack_end += rf"|^[\s\W]*[\u4e00-\u9fa5]{{1,4}}(?:这边|那边)?(?:{long_acks})[\s\W_]*$"
    verbs, endings = alternation(lex["done_verbs"]), alternation(lex["done_endings"])
    delivery, targets = alternation(lex["delivery_verbs"]), alternation(lex["delivery_targets"])
    parts = [alternation(lex["done"]), alternation(lex["done_results"])]
    if verbs and endings:
        parts.append(f"(?:{verbs})(?:{endings})")
    # 四个督导点的桶都刷了, 已经贴了: all of it, or already, done (刷了 alone may be under way) — not a
    # check (都核了, 都测过了，没问题: the one who asked checking, a verification)
    doing = alternation(v for v in lex["done_verbs"] if v not in set(lex["verify_checks"]))
    if doing:
        parts.append(f"(?:都|全都|全部|已经)(?:{doing})(?:了|过了)(?![吗么])")
    if delivery:
        # 发了, 报了 / 发您邮箱了, 放共享盘了, 交给王工了: a delivery verb, perhaps a target, then 了
        near = f"[^，,。；;？?！!]{{0,10}}?(?:{targets})[^，,。；;？?！!]{{0,8}}?" if targets else ""
        parts.append(f"(?:已经?|都)?(?:{delivery})(?:{near})?(?:了|啦)(?![吗么])")
        if targets:
            # 已放会议室, 已发群里: already put where it was asked for, no 了 needed
            parts.append(f"已经?(?:{delivery})(?:给|到|在|进)?(?:{targets})")
    done = "|".join(f"(?:{p})" for p in parts if p)
    shapes = "|".join(f"(?:{p})" for p in lex.get("report_outcome_patterns", ()))
    # pandas hands a pattern with a lookaround to Python's re one string at a time (pyarrow's RE2 has
    # none): the pre-filter drops them (a superset), the clause check reads the exact pattern
    done_maybe = done.replace("(?![吗么])", "")
    return Readers(
        ack=_compiled(ack_re), ack_only=_compiled(ack_only), ack_end=_compiled(ack_end), done=_compiled(done), not_done=_compiled(alternation(lex["not_done"])),
        not_done_near=_compiled(_near_negation(lex["not_done"])),
        not_done_times=_compiled(alternation(lex["not_done_times"])), partly_done=_compiled(alternation(lex["partly_done"])),
        verify_word=_compiled(alternation(lex["verify"])), verify_check=_compiled(alternation(lex["verify_checks"])),
        verify_outcome=_compiled("|".join(p for p in (alternation(lex["verify_outcomes"]), shapes) if p)),
        report_shape=_compiled(shapes),
        data_report=_compiled("|".join(f"(?:{p})" for p in lex.get("report_data_patterns", ()))),
        verify_except=_compiled(alternation(lex["verify_except"])), progress=_compiled("|".join(p for p in (alternation(lex["progress"]), *(
            f"(?:{x})" for x in lex.get("progress_patterns", ()))) if p)),
        warning_verb=_compiled(alternation(lex["warning_verbs"])),
        warning_topic=_compiled(alternation(lex["warning_topics"])),
        warning_redirect=_compiled(alternation(lex["warning_redirects"])), done_maybe=done_maybe,
        report_outcomes=frozenset(lex.get("report_outcomes", ())),
        # 资料齐了，上午就能开出来: what is ready is a step; the work is then (就能) done, a promise
        # (…28号前能做完: by a time, can then be done — a promise too)
        ahead=_compiled("|".join(p for p in (
            rf"(?:{alternation(lex['not_done_times'])})[^，,。；;！!]{{0,3}}(?:就|才)(?:能|可以|会)" if lex["not_done_times"] else "",
            r"(?:号|日|点|天|周[一二三四五六日天]?)(?:前|之前|以前)就?(?:能|可以|会)") if p)))


def readers(settings: Settings, names: Sequence[str] = ()) -> Readers:
    """The readers of these settings' lexicon; `names`: the people of the run (forms of address)."""
    lexicon = json.dumps(settings.data["lexicon"], ensure_ascii=False, sort_keys=True)
    return _readers(lexicon, tuple(sorted({n for n in names if 2 <= len(n) <= 8})))


def _each(texts: pd.Series, test) -> pd.Series:
    return pd.Series([bool(test(t)) for t in texts.tolist()], index=texts.index, dtype=bool)


def acknowledges(texts: pd.Series, r: Readers) -> pd.Series:
    """收到, 好的, 1, 👍, [强], ok的, 收到收到, 收到王主任, 好的老板 … at the start of the message, or
    closing it (昨天没看到，收到)."""
    if r.ack is None:
        return pd.Series(False, index=texts.index)
    start = texts.str.match(r.ack.pattern).fillna(False).astype(bool)
    if r.ack_end is None:
        return start
    return start | texts.str.contains(r.ack_end.pattern, regex=True).fillna(False).astype(bool)


def reports_progress(texts: pd.Series, r: Readers) -> pd.Series:
    """在查了, 在弄, 正在统计: a status that answers a task (and finishes nothing)."""
    if r.progress is None:
        return pd.Series(False, index=texts.index)
    return texts.str.contains(r.progress.pattern, regex=True) & ~texts.str.contains(_QUESTION.pattern, regex=True)


def _near_negation(words) -> str:
    """not_done as it stands before a completion word: a word of two characters or more anywhere in
    the reach (还没…弄好, 预计明天发了), one of one character only right before it (没弄好, 别发了, 待处理):
    识别的摄像头换好了, 快递发了 and 不锈钢盆换好了 hold 别, 快, 不 inside other words."""
    longer = alternation([w for w in words if len(w) > 1])
    single = "".join(re.escape(w) for w in words if len(w) == 1)
    return "|".join(p for p in (longer, f"[{single}]$" if single else "") if p)


def _done_clause(clause: str, r: Readers) -> bool:
    m = r.done.search(clause) if r.done else None
    if m is None:
        return False
    before = clause[max(0, m.start() - _NOT_DONE_REACH):m.start()]
    if r.not_done_near is not None and r.not_done_near.search(before):
        return False                 # 还没弄好, 马上发了, 尽快交: a negation or a promise, not done
    ended = m.group().endswith(_DONE_ASPECT) or m.group().startswith(("已", "都已"))   # 本周出库量已报: 已 says it is done
    if not ended and r.not_done_times is not None and r.not_done_times.search(before):
        return False                 # 周三前搞定, 明天交: a time ahead and no 了: a promise
    return not clause[m.end():m.end() + 2].startswith(("吗", "么", "没"))


def reports_done(texts: pd.Series, r: Readers) -> pd.Series:
    """已提交, 弄好了, 发您邮箱了, 放共享盘了, 现在能登录了 … in a clause no promise or negation opens,
    in a message that asks nothing."""
    if r.done is None:
        return pd.Series(False, index=texts.index)
    maybe = texts.str.contains(r.done_maybe or r.done.pattern, regex=True)

    def done(text: str) -> bool:
        if _QUESTION.search(text) or (r.partly_done is not None and r.partly_done.search(text)) \
                or (r.ahead is not None and r.ahead.search(text)):
            return False
        return any(_done_clause(c, r) for c in clauses(text))
    out = pd.Series(False, index=texts.index)
    if maybe.any():
        out[maybe] = _each(texts[maybe], done)
    return out


def states_a_result(texts: pd.Series, done: pd.Series, r: Readers, except_words: Sequence[str] = ()) -> pd.Series:
    """改回60s了, mock部署到dev了, 报告出了, 扩容完成: a clause saying something is now so — the way people
    report most work done, in words no list holds. Only the ledger can tell whether it reports a task
    (it must come from one whose work is open), so it is a weaker sign than `done`. Not a question, a
    promise, a negation, a thanks or a mishap (辛苦了, 晚了, 坏了, 用完了: rules.yaml result_except)."""
    out = pd.Series(False, index=texts.index)
    maybe = ~done & texts.str.contains(_RESULT_MAYBE, regex=True)
    if r.data_report is not None:
        maybe |= ~done & texts.str.contains(r.data_report.pattern, regex=True)
    if not maybe.any():
        return out
    unless = re.compile(alternation(except_words)) if except_words else None

    def result(text: str) -> bool:
        text = LINK.sub(" ", text)       # 版本上test了 https://… ，拖完自动保存: the link is not the clause's end
        if _QUESTION.search(text) or (r.partly_done is not None and r.partly_done.search(text)):
            return False
        if (r.not_done_times is not None and r.not_done_times.search(text)) or _AHEAD.search(text):
            return False             # 联系了，维保单位明天上午来修: what is still to come, a promise
        if r.data_report is not None and r.data_report.search(text) \
                and not (unless is not None and unless.search(text)):
            return True              # 后端面试官：我和汤磊 gives what was asked for
        for clause in clauses(text):
            words = _RESULT_TRIM.sub("", clause)
            if len(words) < 3 or words in _BARE_ENDINGS or not _RESULT_END.search(words):
                continue
            if (r.not_done is not None and r.not_done.search(words)) or (unless is not None and unless.search(words)) \
                    or _UNDER_WAY.search(words) or _FIRST_PERSON.search(words):
                continue             # 在发了 is under way; 我刚才话说重了 is about oneself
            return True
        return False
    out[maybe] = _each(texts[maybe], result)
    return out


_RESULT_MAYBE = r"了|啦|完成|完毕"
LINK = re.compile(r"(?:https?|ftp)://\S+|www\.\S+")     # a link in a message (roles._is_data too)
_RESULT_END = re.compile(r"(?:了|啦|完成|完毕)$")
# what may trail a clause's words: emoji, [图片], 👍, spaces, digits of a ticket after a space
_RESULT_TRIM = re.compile(r"\[[^\]]{1,8}\]|[^\w\u4e00-\u9fa5]+$|^\W+")
_AHEAD = re.compile(r"要|会|再|等|之后|以后|回头|待会|一会")
_UNDER_WAY = re.compile(r"在[\u4e00-\u9fa5]{1,3}(?:了|啦)$|中了$")
_BARE_ENDINGS = {"好了", "对了", "算了", "行了", "完了", "好啦", "到了", "来了", "走了", "完成"}


def verifies(texts: pd.Series, r: Readers) -> pd.Series:
    """确认完成, 验收通过, 试过了没问题, 对过了数没错, 看了，没问题 … (a check and its outcome, or a
    confirming word); never a question, a rejection (有问题, 还是不行) or a bare thanks."""
    def verify(text: str) -> bool:
        if _QUESTION.search(text) or (r.verify_except and r.verify_except.search(text)) \
                or (r.ack_only and r.ack_only.match(text)):
            return False
        if r.verify_word and r.verify_word.search(text):
            return True
        # an outcome is enough: whether there is a completion to confirm is the ledger's to say
        return r.verify_outcome is not None and r.verify_outcome.search(text) is not None
    out = pd.Series(False, index=texts.index)
    candidates = pd.Series(False, index=texts.index)
    for pattern in (r.verify_word, r.verify_outcome):
        if pattern is not None:
            candidates |= texts.str.contains(pattern.pattern, regex=True)
    if candidates.any():
        out[candidates] = _each(texts[candidates], verify)
    return out


def checks_and_confirms(texts: pd.Series, verified: pd.Series, r: Readers) -> pd.Series:
    """Of the verifications, those in so many words (确认, 验收通过, 对过了) or a check before its outcome
    (试了一下，能用了; 看过了没问题): an outcome alone (打印好了, 都到了) is as much a completion report."""
    out = pd.Series(False, index=texts.index)
    if not verified.any():
        return out

    def checked(text: str) -> bool:
        if r.verify_word is not None and r.verify_word.search(text):
            return True
        if r.verify_outcome is None:
            return False
        if any(m.group() not in r.report_outcomes and not (r.report_shape and r.report_shape.fullmatch(m.group()))
               for m in r.verify_outcome.finditer(text)):
            return True              # 没问题, 无误, 合格: a judgement, not a state
        if r.verify_check is None:
            return False
        for m in r.verify_check.finditer(text):
            # a one-character check only as a deed done (看了, 试过, 查了一下): 量 in 量具柜 checks nothing
            if len(m.group()) == 1 and not text.startswith(_DEED, m.end()):
                continue
            if r.verify_outcome.search(text, m.end(), m.end() + _CHECK_REACH) \
                    or r.verify_outcome.search(text, max(0, m.start() - _CHECK_REACH), m.start()):
                return True          # 试了一下，能用了; or what it found, then the check done (都齐了，核过)
        return False
    out[verified] = _each(texts[verified], checked)
    return out


# how far after a check (试, 看过) its outcome may come: 试了一下，能用了
_CHECK_REACH = 10
_DEED = ("了", "过", "一下", "下", "完")


def warns(texts: pd.Series, r: Readers) -> pd.Series:
    """请勿发红包, 工作群不拼单, 这种链接别往群里发, 吃饭的事私聊: a prohibition and what of, or sending it
    elsewhere (whether the sender is an admin is the ledger's to say)."""
    out = pd.Series(False, index=texts.index)
    if r.warning_verb is not None and r.warning_topic is not None:
        maybe = texts.str.contains(r.warning_verb.pattern, regex=True) & \
            texts.str.contains(r.warning_topic.pattern, regex=True)
        if maybe.any():
            out[maybe] = _each(texts[maybe], lambda t: _prohibits(t, r))
    if r.warning_redirect is not None:
        maybe = texts.str.contains(r.warning_redirect.pattern, regex=True)
        if maybe.any():
            out[maybe] |= _each(texts[maybe], lambda t: _redirects(t, r))
    return out


# 别 inside a word (特别是, 分别, 区别, 别人): no prohibition
_NOT_A_PROHIBITION = re.compile(r"(?<=[特分区级识个告差类鉴辨性派])别|别(?=[人的墅处扭致])")
# 地址我私发你 / 有异议的私聊我: the sender offering a private word, not sending chatter elsewhere
_OFFERED_PRIVATELY = re.compile(r"我[^，,。；;！!？?]{0,2}$")


def _prohibits(text: str, r: Readers) -> bool:
    """A prohibition and what of in one clause (请勿发红包; not 7点前把价格再核一遍，特别是…链接)."""
    assert r.warning_verb is not None and r.warning_topic is not None
    for clause in clauses(text):
        verbs = [m for m in r.warning_verb.finditer(clause)
                 if not (m.group() == "别" and _NOT_A_PROHIBITION.match(clause, m.start()))]
        if verbs and r.warning_topic.search(clause):
            return True
    return False


def _redirects(text: str, r: Readers) -> bool:
    assert r.warning_redirect is not None
    for m in r.warning_redirect.finditer(text):
        after = text[m.end():m.end() + 1]
        if after in ("你", "我", "您") or _OFFERED_PRIVATELY.search(text, 0, m.start()):
            continue
        return True
    return False


def _segments(text: str) -> list[str]:
    """jieba's words of a text, loaded on first use (only texts with an insult-like word get here)."""
    import jieba
    jieba.setLogLevel(60)
    return jieba.lcut(text)


# words so short they are inside ordinary words (回滚, 垃圾清运, 有病历, 猪肉): whole words only
_SHORT = re.compile(r"^(?:滚|贱|蠢|笨|傻|猪|瞎|垃圾|有病|废物|丢人|丢脸)$")


def attacks(texts: pd.Series, words: Sequence[str], except_words: Sequence[str],
            shapes: Sequence[str] = (), aimed: Sequence[str] = (), addressed: pd.Series | None = None) -> pd.Series:
    """An insult or a personal attack: the incivility words or shapes (after the harmless uses are removed),
    a short word only as a whole word (jieba), never said of oneself (我今天脑子进水了). The `aimed` words
    name things too or are said of oneself without a 我 (那堆包装垃圾, 今天脑子进水了，又输错): they
    insult only said to or of someone — a 你/他 in the message, an @-mention, a quote (`addressed`: the
    texts that @-mention or quote someone, where the texts are the words without their mentions)."""
    return attack_words(texts, words, except_words, shapes, aimed, addressed) != ""


def attack_words(texts: pd.Series, words: Sequence[str], except_words: Sequence[str],
                 shapes: Sequence[str] = (), aimed: Sequence[str] = (),
                 addressed: pd.Series | None = None) -> pd.Series:
    """attacks(), as the words that make each text one ("" where none does): what an event shows."""
    aimed_words = frozenset(aimed)
    out = pd.Series("", index=texts.index, dtype="str")
    pattern = "|".join(p for p in (alternation(words), *(f"(?:{s})" for s in shapes)) if p)
    if not pattern:
        return out
    harmless = alternation(except_words)
    cleaned = texts.str.replace(harmless, "", regex=True) if harmless else texts
    maybe = cleaned.str.contains(pattern, regex=True)
    found = re.compile(pattern)

    def attack(text: str, to_someone: bool) -> str:
        for clause in clauses(text):
            for m in found.finditer(clause):
                word = m.group()
                if _SHORT.match(word) and word not in _segments(clause):
                    continue             # inside another word: 回滚, 垃圾清运, 有病历
                if word.isascii() and (clause[m.start() - 1:m.start()].isascii() and clause[m.start() - 1:m.start()].isalpha()
                                       or clause[m.end():m.end() + 1].isascii() and clause[m.end():m.end() + 1].isalpha()):
                    continue             # SB inside USB, a letter word inside a Latin one
                before = clause[:m.start()]
                if _FIRST_PERSON.search(before) and not _OTHER_PERSON.search(clause):
                    continue             # said of oneself
                if word in aimed_words and not (to_someone or _OTHER_PERSON.search(text) or "@" in text):
                    continue             # 垃圾都拉走了: said of no one
                return word
        return ""
    if maybe.any():
        to = addressed[maybe].tolist() if addressed is not None else [False] * int(maybe.sum())
        out[maybe] = [attack(t, a) for t, a in zip(cleaned[maybe].tolist(), to)]
    return out


# 开5月经营分析会, 开个短会, 开周会: a meeting named by how it is held (会计, 会员, 会议室 are not)
_CONVENE = re.compile(r"开[^，,。；;！!？?\s]{0,10}?会(?![计员议室所])|召开|举行[^，,。；;]{0,10}?会")


def convenes(texts: pd.Series, words: Sequence[str], except_words: Sequence[str],
             notice_form: Sequence[str] = ()) -> pd.Series:
    """A meeting: its words (会议通知, 例会, 评审会 … without 会议室-like ones) or 开…会 / 召开; or a room
    of meeting (会议室) with the form of a notice (9点半小会议室，…请准时): where people are called to be."""
    harmless = alternation(except_words)
    cleaned = texts.str.replace(harmless, "", regex=True) if harmless else texts
    named = alternation(words)
    out = cleaned.str.contains(_CONVENE.pattern, regex=True)
    if named:
        out |= cleaned.str.contains(named, regex=True)
    form = alternation(notice_form)
    if harmless and form:
        out |= texts.str.contains(harmless, regex=True) & texts.str.contains(form, regex=True)
    return out
