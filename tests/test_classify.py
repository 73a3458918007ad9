"""classify: the role-free facts of each message (tags, mentions, named receivers, stated times)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from tests.chat import ROSTER, chat_frame
from wgm import api, classify, schema
from wgm.roster import load_roster


@pytest.fixture(scope="module")
def classified(tmp_path_factory):
    roster_path = tmp_path_factory.mktemp("r") / "roster.yaml"
    roster_path.write_text(ROSTER, encoding="utf-8")
    roster = load_roster(roster_path)
    frame = chat_frame("""
2026-05-11 10:00:00 林涛-运营部: @罗刚-仓储部 请于5月13日前完成A区库存盘点
2026-05-11 10:05:00 罗刚-仓储部: 收到，明天上午11点前完成
2026-05-11 10:06:00 马骏-总经办: 请财务部5月22日17点前报一下现金流预测
2026-05-11 10:07:00 林涛-运营部: 责任人：徐丽，今天下班前把异常件清单发群里
2026-05-11 10:08:00 何敏-行政部: @所有人 会议通知：明天下午2点开安全会，请回复是否参加
2026-05-11 10:09:00 徐丽-运营部: 盘点表已提交
2026-05-11 10:10:00 罗刚-仓储部: 这个报价今天能出吗？
2026-05-11 10:11:00 谢婷-客服部: 仓库里的旧纸箱别当垃圾扔了
""")
    messages, _ = api.ingest.normalize(frame, roster)
    return classify.classify(messages, api.load_settings(api.Options()), roster)


def test_every_classified_column_is_there_in_its_dtype(classified):
    schema.check_frame(classified, schema.CLASSIFIED_COLUMNS, "classify")


def test_mentions_and_at_everyone(classified):
    assert classified.loc[0, "mentions"] == ("罗刚",)
    assert bool(classified.loc[4, "mention_all"]) and classified.loc[4, "mentions"] == ()
    assert "@" not in classified.loc[0, "bare"]          # the words outside the mentions


def test_named_receivers_a_responsible_line_and_a_department_meaning_its_head(classified):
    assert classified.loc[3, "responsible"] == ("徐丽",)
    assert classified.loc[2, "dept_receivers"] == ("高峰",)


def test_tags(classified):
    tags = {i: {t for t in schema.TAGS if classified.loc[i, f"t_{t}"]} for i in classified.index}
    assert "ack" in tags[1] and "task_verb" in tags[0]
    assert "done" in tags[5] and "question" in tags[6] and "done" not in tags[6]
    assert "meeting" in tags[4]
    assert "incivility" not in tags[7]                   # 垃圾 said of waste paper


def test_stated_times(classified):
    assert classified.loc[0, "time_deadline"] == datetime(2026, 5, 13, 23, 59, 59)
    assert classified.loc[1, "time_deadline"] == datetime(2026, 5, 12, 11, 0)
    assert classified.loc[2, "time_deadline"] == datetime(2026, 5, 22, 17, 0)
    assert classified.loc[4, "time_point"] == datetime(2026, 5, 12, 14, 0)
    assert classified["time_reply_by"].isna().all()


@pytest.mark.parametrize("text, rude", [
    ("仓库后面那堆垃圾，清运公司说明天上午来拉", False),          # waste, said of no one
    ("今天脑子进水了，又把单号输错一位🤦", False),                 # of oneself, without a 我
    ("核赔服务内存涨不是泄漏，是GC（垃圾回收）参数没调，已经改了", False),
    ("你就是个垃圾，这点事都办不好", True),
    ("你一个排计划的懂啥设备，天天就知道催，有本事你来修", True),   # contempt for someone's competence
    ("自己先看清楚再提，连需求都看不懂还做什么测试", True),
    ("@柳燕 你是第一天坐柜台吗？客户名字都能录错，害我白跑一下午", True),   # a jab at someone's experience
    ("开个户能磨三天，你们运营部是专门给客户添堵的吧", True),
    ("你一个坐办公室的懂什么炒菜，天天就会拿个本子扣分", True),
    ("今天是我第一天坐柜台，有不懂的请多指教", False),                     # of oneself
    ("这批货专门给客户留的，别动", False),
])
def test_insults_are_said_to_or_of_someone(text, rude):
    settings = api.load_settings(api.Options())
    from wgm import phrases
    got = phrases.attacks(pd.Series([text]), settings.words("incivility"), settings.words("incivility_except"),
                          settings.words("incivility_patterns"), settings.words("incivility_aimed"))
    assert bool(got.iloc[0]) is rude
