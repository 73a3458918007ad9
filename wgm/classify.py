"""Per-message features: lexical tags, @mentions, named receivers, and the times a message states.

Pure function of the message frame, the settings and the roster. What a message *means*
for a task (a reply, a completion, a verification …) depends on who sent it relative to
the task, so that is decided by the ledger; here every message gets the role-free facts
the ledger needs, vectorised with one compiled pattern per word list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wgm import phrases, schema, timewords
from wgm.roster import Roster, split_display_name
from wgm.schema import C, M
from wgm.settings import Settings

_TAG = {t: f"t_{t}" for t in schema.TAGS}     # tag → its column
_PUNCT_EMOJI = re.compile(r"[\s\W_～~\u2005\U0001F000-\U0001FFFF\u2600-\u27BF\uFE0F]+")
_MENTION_FALLBACK = re.compile(r"@([^\s\u2005@，,：:。]{1,24})")
# a question anywhere in the post (…今天能弄完吗？整改期限昨天就到了 asks, then says why); 吗/么/呢 ask at
# the end, or 吗 before a comma
_QUESTION = re.compile(r"[?？]|(?:吗|么|呢)\s*$|吗(?=\s*[，,])")


_SHOPPING = re.compile(r"[一每]\s*[斤箱盒份件个只袋瓶杯]|\d+\s*(?:元|块)|[¥￥]|\d\s*折|满\s*\d+\s*减|链接|https?://|www\.")


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _contains(series: pd.Series, words) -> pd.Series:
    if not words:
        return pd.Series(False, index=series.index)
    return series.str.contains(_alternation(words), regex=True)


def _matches(series: pd.Series, patterns) -> pd.Series:
    """Any of these regular expressions (rules.yaml *_patterns; written without lookarounds, so that
    pyarrow's RE2 reads a million messages at once)."""
    if not patterns:
        return pd.Series(False, index=series.index)
    return series.str.contains("|".join(f"(?:{p})" for p in patterns), regex=True)


def _without(series: pd.Series, words) -> pd.Series:
    """The text with harmless phrases removed (垃圾桶 before matching 垃圾), so exceptions win."""
    return series.str.replace(_alternation(words), "", regex=True) if words else series


@dataclass(frozen=True)
class People:
    """Names the classifier resolves mentions and departments against."""

    alias_to_member: dict[str, str]
    dept_heads: dict[str, list[str]]
    member_dept: dict[str, str]
    spoken_depts: dict[str, str] = field(default_factory=dict)    # 采购那边 → 采购部 (_spoken_departments)

    @classmethod
    def build(cls, messages: pd.DataFrame, roster: Roster) -> "People":
        aliases = roster.alias_map()
        member_dept = {p.member: p.dept for p in roster.people.values()}
        _, first = schema.distinct_rows(messages, [M.sender, M.member, M.dept])   # in order: first one wins
        for sender, member, dept in zip(*(messages[c].iloc[first].tolist() for c in (M.sender, M.member, M.dept))):
            if sender and member:
                aliases.setdefault(sender, member)
                aliases.setdefault(member, member)
                if dept:
                    member_dept.setdefault(member, dept)
        heads: dict[str, list[str]] = {}
        if not roster.empty:
            for dept in roster.departments():
                heads[dept] = roster.heads_of(dept)
        else:
            # without a roster a department's head cannot be known: the department's members are asked
            for member, dept in sorted(member_dept.items()):
                heads.setdefault(dept, []).append(member)
        heads = {d: h for d, h in heads.items() if d and h}
        if not roster.empty:
            heads.update(_shown_departments(messages, roster, heads))
        return cls(aliases, heads, member_dept, _spoken_departments(heads))

    def address_forms(self, titles: tuple[str, ...]) -> dict[str, str]:
        """Every way of addressing one member that names only them → the member: the names and nicknames
        the run knows, the given name of a three-character name, the surname with a title (张科, 王工),
        小/老 with the surname (小马, 老贺)."""
        counts: dict[str, set[str]] = {}
        for alias, member in self.alias_to_member.items():
            if not re.fullmatch(r"[\u4e00-\u9fa5]{2,4}", member):
                continue
            # a nickname in letters (Kevin, Tina) names a person too; an id (wxid_…, 13800001111) does not
            forms = {alias, member} if re.search(r"[\u4e00-\u9fa5]", alias) or _LATIN_NAME.fullmatch(alias) \
                else {member}
            if len(member) == 3:
                forms.add(member[1:])
            surname = member[0]
            forms |= {f"小{surname}", f"老{surname}"} | {surname + t for t in titles}
            for form in forms:
                counts.setdefault(form, set()).add(member)
        return {form: next(iter(who)) for form, who in counts.items() if len(who) == 1 and len(form) >= 2}

    def addresses(self) -> list[str]:
        """What people call each other after 收到/好的: names, given names, nicknames (not ids)."""
        out = set()
        for alias, member in self.alias_to_member.items():
            for name in (alias, member):
                if re.fullmatch(r"[\u4e00-\u9fa5]{2,4}", name):
                    out.add(name)
                    if len(name) == 3:
                        out.add(name[1:])      # 雨桐 for 李雨桐
        return sorted(out)


def _shown_departments(messages: pd.DataFrame, roster: Roster, heads: dict[str, list[str]]) -> dict[str, list[str]]:
    """Departments as display names show them (袁博-信息部) where the roster calls them otherwise (IT部):
    the shown name → the roster department's heads, when everyone showing it is of one department and
    it reads as a department's name (信息部; not 设备, which is also a word)."""
    shown_as: dict[str, set[str]] = {}
    _, first = schema.distinct_rows(messages, [M.sender, M.member])
    for sender, member in zip(*(messages[c].iloc[first].tolist() for c in (M.sender, M.member))):
        person = roster.people.get(member) if member else None
        shown = split_display_name(sender)[1] if sender else ""
        if person is not None and person.dept and shown and shown != person.dept and _DEPT_SUFFIX.search(shown):
            shown_as.setdefault(shown, set()).add(person.dept)
    return {shown: heads[next(iter(depts))] for shown, depts in shown_as.items()
            if len(depts) == 1 and shown not in heads and next(iter(depts)) in heads}


_LATIN_NAME = re.compile(r"(?!wxid)[A-Za-z][a-z]{2,11}")
_DEPT_SUFFIX = re.compile(r"(?:部门|部|科|处|室|中心|组|办公室|办|队|站|车间)$")
# how a department is named as a receiver in speech: 采购那边, 法务的同事, 行政这边
_SPOKEN = ("那边", "这边", "的同事", "同事", "那里", "这里", "的人")


def _spoken_departments(heads: dict[str, list[str]]) -> dict[str, str]:
    """A department's spoken names → the department: its short name with 那边/的同事 …
    (采购部 → 采购那边, 法务的同事). The short name alone says too little (质量 in 质量问题)."""
    out: dict[str, str] = {}
    for dept in heads:
        short = _DEPT_SUFFIX.sub("", dept)
        for stem in {dept, short} if len(short) >= 2 else {dept}:
            for tail in _SPOKEN:
                out.setdefault(stem + tail, dept)
    return out


def _mention_lists(content: pd.Series, people: People, has_at: np.ndarray) -> tuple[pd.Series, pd.Series]:
    """(members @mentioned, @所有人) per message; only messages with an @ (`has_at`) are searched."""
    names = [n for n in people.alias_to_member if n]
    pattern = re.compile("@(所有人|" + _alternation(names) + ")" if names else "@(所有人)")
    mentions: list[tuple] = [()] * len(content)
    mention_all = np.zeros(len(content), dtype=bool)
    at = np.flatnonzero(has_at)
    texts = content.iloc[at].tolist()
    for i, text in zip(at.tolist(), texts):
        known, loose = pattern.findall(text), _MENTION_FALLBACK.findall(text)
        members: list[str] = []
        everyone = False
        for name in known:
            if name == "所有人":
                everyone = True
            elif people.alias_to_member.get(name) and people.alias_to_member[name] not in members:
                members.append(people.alias_to_member[name])
        if not known and loose:
            for name in loose:
                guess = people.alias_to_member.get(name) or people.alias_to_member.get(split_display_name(name)[0])
                if guess and guess not in members:
                    members.append(guess)
        mentions[i] = tuple(members)
        mention_all[i] = everyone
    return pd.Series(mentions, index=content.index, dtype=object), pd.Series(mention_all, index=content.index)


def _responsible(content: pd.Series, settings: Settings, people: People) -> pd.Series:
    """Members named in 责任人：X / 责任部门：Y lines (departments map to their heads), and a name right
    before 负责/牵头 (白雪负责). Only messages holding one of those words are searched."""
    words = settings.words("responsible")
    out: list[tuple] = [()] * len(content)
    if not words:
        return pd.Series(out, index=content.index, dtype=object)
    # 责任人：徐丽 / 责任人郑丽娟 (a colon or not: what follows must be a name) …
    pattern = re.compile(r"(?:" + _alternation(words) + r")\s*[:：]?\s*([^\n，,。；;！!]+)")
    # … and 白雪负责 / 邓伟牵头 (由郑凯负责 says whose an area is, in a welcome or a notice: not this post's work)
    names = [n for n in people.alias_to_member if re.fullmatch(r"[\u4e00-\u9fa5]{2,4}", n)]
    leads = re.compile("(?:^|[^由])(" + _alternation(names) + r")(?:负责|牵头|主责)(?:[，,。；;！!\s]|$)") \
        if names else None
    maybe = content.str.contains(_alternation([*words, "负责", "牵头", "主责"]), regex=True).to_numpy(dtype=bool)
    texts = content.tolist()
    for i in np.flatnonzero(maybe).tolist():
        text = texts[i]
        items = pattern.findall(text) + (leads.findall(text) if leads is not None else [])
        members: list[str] = []
        for chunk in items:
            for name in re.split(r"[、/／和及与\s]+", chunk):
                name = name.strip().lstrip("@")
                if not name:
                    continue
                for who in _name_or_dept(name, people):
                    if who not in members:
                        members.append(who)
        out[i] = tuple(members)
    return pd.Series(out, index=content.index, dtype=object)


def _addressed(bare: pd.Series, people: People, titles: tuple[str, ...], asks: Sequence[str] = ()) -> pd.Series:
    """Whom a message opens by addressing: 郝帅，… / 张科，… / 小马，… / 老贺：… (a name, a given name, a
    surname with a title, 小/老 and a surname), when exactly one member answers to it; and whom a clause
    asks by name, the name right before the words asking (…客户提了3个问题，吴俊整理一下发群里)."""
    forms = people.address_forms(titles)
    if not forms:
        return pd.Series([()] * len(bare), index=bare.index, dtype=object)
    names = _alternation(forms)
    opening = re.compile(r"^\s*(" + names + r")\s*[，,：:、\s！!]")
    asked = re.compile(r"(?:^|[，,。；;！!\n])\s*(" + names + r")(?=" + _alternation(asks) + ")") if asks else None
    out = []
    for text in bare.tolist():
        m = opening.match(text) or (asked.search(text) if asked is not None else None)
        out.append((forms[m.group(1)],) if m else ())
    return pd.Series(out, index=bare.index, dtype=object)


def _name_or_dept(name: str, people: People) -> list[str]:
    if name in people.alias_to_member:
        return [people.alias_to_member[name]]
    if name in people.dept_heads:
        return list(people.dept_heads[name])
    guess = split_display_name(name)[0]
    if guess in people.alias_to_member:
        return [people.alias_to_member[guess]]
    return []




def _short_names(depts: dict[str, list[str]], synonyms: Sequence[str]) -> dict[str, str]:
    """How people name a department for short → the department, where only one answers to it: its name
    without 部/科/中心 (运输调度部 → 运输调度), a four-character one's halves and initials (调度, 安环 for
    安全环保部), and the everyday names of rules.yaml's department_names (仓库=仓储: 仓库 for 仓储部).
    Names of one department (运输调度部 in the roster, 调度部 in display names: the same heads) are one."""
    forms: dict[str, set[str]] = {}
    for dept in depts:
        stem = _DEPT_SUFFIX.sub("", dept)
        found = {stem} if len(stem) >= 2 else set()
        if re.fullmatch(r"[\u4e00-\u9fa5]{4}", stem):
            found |= {stem[:2], stem[2:], stem[0] + stem[2]}
        for form in found:
            forms.setdefault(form, set()).add(dept)
    for pair in synonyms:
        spoken, _, meant = pair.partition("=")
        hits = {d for d in depts if meant and meant in d}
        if spoken and len(hits) == 1:
            for form in (spoken, spoken + "部", spoken + "科"):      # 信息部的同事 for IT部 too
                forms.setdefault(form, set()).update(hits)
    return {form: min(ds) for form, ds in forms.items()
            if len({tuple(depts.get(d, ())) for d in ds}) == 1 and form not in depts}


_TARGET_BEFORE = re.compile(r"(?:报|交|交给|发给|发|提交|送|送到|上报|报送|给|到|找|问|联系|通知|和|跟|与|向|由|请示|汇报|从|在|去|来|回|等)\s*$")
# what may follow a short department name that opens a message as an address (仓库，… / 仓库注意：… / 二班的，…)
_AFTER_OPENING = r"(?:\s*[，,：:、！!\s]|的\s*[，,：:]|一起|今天|明天|本周|这周|下周|月底|必须|注意|务必|尽快|马上|抓紧" \
    r"|\d{1,2}月\d{1,2}[日号]|\d{1,2}[日号]前)"       # 仓库6月15日前整改完 (not 仓库2号扫码枪)


def _dept_receivers(content: pd.Series, people: People, synonyms: Sequence[str] = ()) -> pd.Series:
    """Heads of the departments a message names: by name (财务部), spoken (采购那边, 法务的同事, 仓库的同事), or
    for short where it can only mean who is asked — opening the message (仓库，明天…; 调度和车队今天…) or
    after 请/麻烦/让 (请财务和调度下周三前…)."""
    short = _short_names(people.dept_heads, synonyms)
    spoken = {stem + tail: dept for stem, dept in short.items() for tail in _SPOKEN}
    names = {**{d: d for d in people.dept_heads}, **spoken, **people.spoken_depts}
    if not names:
        return pd.Series([()] * len(content), index=content.index, dtype=object)
    found = content.str.findall(_alternation(names))
    pattern = re.compile(_alternation(names))
    listed = None
    called = {**{d: d for d in people.dept_heads}, **short}
    if short:
        one = "(?:" + _alternation(called) + ")"
        several = rf"({one}(?:\s*[和、与及/]\s*{one})*)"
        # opening the message or a sentence (…又送错了！调度和车队今天必须给我个说法)
        listed = re.compile(rf"(?:^|[：:。！!？?；;])\s*{several}{_AFTER_OPENING}|(?:请|麻烦|让|由){several}", re.M)
    split = re.compile(_alternation(called)) if short else None
    out = []
    for text, items in zip(content.tolist(), found.tolist()):
        # a department a report goes to (报院办, 交财务科, 跟采购确认) is where, not who
        depts = [names[m.group()] for m in pattern.finditer(text) if not _TARGET_BEFORE.search(text, 0, m.start())] \
            if items else []
        if listed is not None and split is not None:
            # (仓储部、调度：… names one in full and one for short: both are asked)
            m = listed.search(text)
            if m:
                depts = list(dict.fromkeys(depts + [called[w] for w in split.findall(m.group(1) or m.group(2))]))
        out.append(tuple(dict.fromkeys(h for d in depts for h in people.dept_heads.get(d, ()))))
    return pd.Series(out, index=content.index, dtype=object)


def classify(messages: pd.DataFrame, settings: Settings, roster: Roster, people: People | None = None) -> pd.DataFrame:
    """Messages with tag columns, mentions, named receivers and stated times added. `people`: the names
    of every message of the run, when `messages` is only a part of them (a worker's groups)."""
    df = messages.copy(deep=False)     # copy-on-write: columns added here never reach the caller
    people = people or People.build(df, roster)
    content = df[M.content].fillna("")
    # every mention pattern starts with @: most messages have none and skip those searches
    has_at = content.str.contains("@", regex=False).to_numpy(dtype=bool)
    mentions, mention_all = _mention_lists(content, people, has_at)
    df[C.mentions] = mentions
    df[C.mention_all] = mention_all.astype(bool)
    # the words outside @mentions: a name like 王五-财务部 must not read as a department or a verb
    names = [n for n in people.alias_to_member if n]
    strip_pattern = re.compile("@(?:所有人|" + _alternation(names) + ")" if names else "@所有人")
    bare = content.tolist()
    for i in np.flatnonzero(has_at).tolist():
        bare[i] = _MENTION_FALLBACK.sub(" ", strip_pattern.sub(" ", bare[i]))
    bare = pd.Series(bare, index=content.index, dtype="str").str.replace("\u2005", " ").str.strip()
    df[C.bare] = bare
    named = _responsible(content, settings, people)
    addressed = _addressed(bare, people, settings.words("address_titles"), settings.words("task"))
    df[C.responsible] = pd.Series([tuple(dict.fromkeys(a + b)) for a, b in zip(named.tolist(), addressed.tolist())],
                                  index=bare.index, dtype=object)
    depts = _dept_receivers(bare, people, settings.words("department_names"))
    # one's own department named (提醒：本周六信息科做交换机升级, by one of 信息科) is who does it, not whom it asks
    own = [people.member_dept.get(m, "") for m in df[M.member].tolist()]
    df[C.dept_receivers] = pd.Series(
        [tuple(h for h in heads if not dept or people.member_dept.get(h) != dept) if heads else heads
         for heads, dept in zip(depts.tolist(), own)], index=df.index, dtype=object)

    read = phrases.readers(settings, people.addresses())
    df[_TAG["ack"]] = phrases.acknowledges(bare, read)
    df[_TAG["question"]] = bare.str.contains(_QUESTION.pattern, regex=True)
    df[_TAG["meeting_reply"]] = _contains(bare, settings.words("meeting_reply"))
    df[_TAG["progress"]] = phrases.reports_progress(bare, read)
    df[_TAG["done"]] = phrases.reports_done(bare, read)
    df[_TAG["verify"]] = phrases.verifies(bare, read)
    df[C.result_stated] = phrases.states_a_result(bare, df[_TAG["done"]].fillna(False).astype(bool), read,
                                                  settings.words("result_except"))
    df[C.verify_checked] = phrases.checks_and_confirms(bare, df[_TAG["verify"]].fillna(False).astype(bool), read)
    df[_TAG["reminder"]] = _contains(bare, settings.words("reminder"))
    df[_TAG["escalation"]] = _contains(bare, settings.words("escalation"))
    asking = _without(bare, settings.words("task_except"))
    if settings.words("task_except_patterns"):
        asking = asking.str.replace("|".join(f"(?:{p})" for p in settings.words("task_except_patterns")), "", regex=True)
    df[_TAG["task_verb"]] = _contains(asking, settings.words("task")) | _matches(asking, settings.words("task_patterns"))
    df[_TAG["meeting"]] = phrases.convenes(bare, settings.words("meeting"), settings.words("meeting_except"),
                                               settings.words("meeting_notice_form"))
    df[_TAG["warning"]] = phrases.warns(bare, read)
    squeezed = bare.str.replace(_PUNCT_EMOJI.pattern, "", regex=True)
    exact = set(settings.words("off_topic_exact"))
    df[_TAG["off_topic_exact"]] = squeezed.isin(exact) & (squeezed != "")
    # a trade's own words (外卖, 直播间) are off-topic only with no sign of work: a figure, a mention, a tag
    # (a price, a discount or a link is shopping's figure, not work's: 满300减50, 一箱168, 打8折)
    shopping = bare.str.contains(_SHOPPING.pattern, regex=True)
    working = df[[_TAG[t] for t in ("task_verb", "done", "progress", "ack", "verify", "meeting")]].fillna(False).any(axis=1)
    at_work = (bare.str.contains(r"\d", regex=True) & ~shopping) | df[C.mentions].map(bool) | df[C.mention_all] | working
    df[_TAG["off_topic"]] = (_contains(bare, settings.words("off_topic")) | df[_TAG["off_topic_exact"]]
                             | (_contains(bare, settings.words("off_topic_weak")) & ~at_work)
                             | (df[M.media] == "redpacket"))
    df[_TAG["incivility"]] = phrases.attacks(bare, settings.words("incivility"), settings.words("incivility_except"),
                                             settings.words("incivility_patterns"), settings.words("incivility_aimed"))
    # near-misses (疑似, listed for review, never priced unconfirmed): a jab aimed at someone that no
    # incivility word makes one; a trade's off-topic words beside a sign of work, or laughter with no work
    df[_TAG["incivility_near"]] = phrases.attacks(bare, settings.words("incivility_near"),
                                                  settings.words("incivility_except"),
                                                  settings.words("incivility_near_patterns"),
                                                  aimed=settings.words("incivility_near"),
                                                  addressed=df[C.mentions].map(bool) | (df[M.quote_id] != "")
                                                  ) & ~df[_TAG["incivility"]] & ~df[_TAG["warning"]]
    df[_TAG["off_topic_near"]] = ~df[_TAG["off_topic"]] & (
        (_contains(bare, settings.words("off_topic_weak")) & at_work)
        | (_contains(bare, settings.words("off_topic_near")) & ~working))
    for col in schema.TAG_COLUMNS:
        df[col] = df[col].fillna(False).astype(bool)
    _add_times(df, settings)
    return df


def _add_times(df: pd.DataFrame, settings: Settings) -> None:
    """Resolve the times stated in messages that may carry one (pre-filtered: most carry none)."""
    words = settings.time_words()
    n = len(df)
    deadline = [pd.NaT] * n
    deadline_conf = [0.0] * n
    deadline_text = [""] * n
    reply_by = [pd.NaT] * n
    point = [pd.NaT] * n
    unread = [""] * n
    bare = df[C.bare].tolist()
    stamps, media = schema.lists(df, M.ts, M.media)    # to_pydatetime() is a Series: [i] costs ~8 µs
    find = timewords.finder(words)     # find_times that scans a text posted again the same day once
    for i, text in enumerate(bare):
        if media[i] == "system":
            continue
        found = find(text, stamps[i])     # returns at once when no time can be in it
        if found.deadline is not None:
            deadline[i] = found.deadline.when
            deadline_conf[i] = found.deadline.confidence
            deadline_text[i] = found.deadline.text
        if found.reply_by is not None:
            reply_by[i] = found.reply_by.when
        if found.points:
            # 今天早会9点: the day, then the clock: the point in time is the one with a clock
            point[i] = next((p.when for p in found.points if p.has_clock), found.points[0].when)
        if found.unread:
            unread[i] = "；".join(found.unread)
    df[C.time_deadline] = _times(deadline, df.index)
    df[C.time_deadline_conf] = pd.Series(deadline_conf, index=df.index, dtype=float)
    df[C.time_deadline_text] = pd.Series(deadline_text, index=df.index, dtype="str")
    df[C.time_reply_by] = _times(reply_by, df.index)
    df[C.time_point] = _times(point, df.index)
    df[C.time_unread] = pd.Series(unread, index=df.index, dtype="str")


def _times(values: list, index: pd.Index) -> pd.Series:
    return pd.to_datetime(pd.Series(values, index=index, dtype=object)).astype(schema.TIME)
