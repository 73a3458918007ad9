"""Synthetic 留痕 (MemoTrace 3.x) TXT exports for benchmarks: N messages over G groups and a date span.

Tasks with replies, promised times, completions, verifications, reminders, meeting notices,
chatter, off-topic posts and admin warnings, in rough proportions seen in work groups,
with varied phrasings. Deterministic for a given --seed.

    python bench/generate.py --messages 100000 --groups 10 --out /tmp/bench-100k
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta
from pathlib import Path

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏辉婷雪琳斌峰冰骏"
DEPTS = ["运营部", "财务部", "仓储部", "客服部", "IT部", "采购部", "销售部", "人事部", "质检部", "行政部"]
THINGS = ["A区库存盘点", "本周周报", "客户退款明细", "运费对账结果", "异常件清单", "叉车维修报价", "水电费单据",
          "新账号开通", "月度销售数据", "供应商资质材料", "安全检查表", "投诉汇总", "采购申请单", "报销单据",
          "合同扫描件", "培训签到表", "设备巡检记录", "项目进度表", "质检报告", "排班表"]
DEADLINES = ["今天下班前", "明天12:00前", "明天上午11点前", "今天15点前", "周五下班前", "{m}月{d}日前", "明天下午4点前",
             "两小时内", "3天内", "本周内", "月底前", "{m}月{d}日18:00前", "后天之前"]
TASK_FORMS = ["@{to} 请{dl}提交{thing}", "@{to} 麻烦{dl}把{thing}发我", "@{to} 请于{dl}完成{thing}，责任人：{name}",
              "@{to} {thing}需要{dl}整理好发群里", "请{dept}{dl}报一下{thing}", "@{to} 尽快处理{thing}，{dl}给我结果"]
REPLIES = ["收到", "好的", "收到，{dl}完成", "好的，{dl}提交", "明白，马上处理", "收到，{dl}给您", "OK", "收到了"]
DONE = ["{thing}已提交", "{thing}已完成，请查收", "已发您邮箱", "{thing}已处理好了", "搞定了，{thing}已上传"]
VERIFY = ["确认完成", "核对无误，确认", "已确认，谢谢", "验收通过", "收到，已确认"]
REMIND = ["@{to} 提醒一下，{thing}今天要交哦", "@{to} {thing}进度如何？", "@{to} 别忘了{thing}"]
CHATTER = ["这个我下午看一下", "客户那边又来电话了", "系统有点卡，大家注意保存", "今天仓库到货比较多", "好的我知道了",
           "这批货明天发", "下午三楼有培训", "单号发我一下", "价格已经谈下来了，比上次低5%", "订单2026051100123已发货",
           "客户电话13812345678", "金额10000元已到账", "【图片】", "【文件】周报.docx 0.02 MB", "👍"]
OFF = ["早上好", "[红包]恭喜发财", "周末有人去看电影吗", "哈哈哈", "帮我砍一刀 https://x.example", "中午吃什么"]


def people(rng: random.Random, n: int) -> list[str]:
    out = set()
    while len(out) < n:
        out.add(rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.4 else ""))
    names = sorted(out)
    return [f"{name}-{DEPTS[i % len(DEPTS)]}" for i, name in enumerate(names)]


def deadline_phrase(rng: random.Random, now: datetime) -> str:
    later = now + timedelta(days=rng.randint(1, 6))
    return rng.choice(DEADLINES).format(m=later.month, d=later.day)


def _working_moment(rng: random.Random, start: datetime, days: int) -> datetime:
    day = start + timedelta(days=rng.randrange(days))
    minute = int(rng.triangular(8 * 60 + 30, 21 * 60 + 30, 10 * 60))      # most work in the morning
    return day.replace(hour=minute // 60, minute=minute % 60, second=rng.randrange(60))


def _task_thread(rng: random.Random, members: list[str], start: datetime, days: int) -> list[tuple]:
    """One task and what follows it in a real group: usually a reply with a promise, a completion report
    before the promise and the poster's verification; sometimes late, forgotten or reminded."""
    poster, to = rng.sample(members, 2)
    t = _working_moment(rng, start, days)
    thing = rng.choice(THINGS)
    dl = deadline_phrase(rng, t)
    form = rng.choice(TASK_FORMS[:-2]) if rng.random() < 0.9 else rng.choice(TASK_FORMS)
    out = [(t, poster, form.format(to=to, dl=dl, thing=thing, name=to.split("-")[0], dept=to.split("-")[1]))]
    if rng.random() < 0.93:                                          # most receivers answer within the hour
        replied = t + timedelta(minutes=rng.expovariate(1 / 25))
        out.append((replied, to, rng.choice(REPLIES).format(dl=dl)))
    if rng.random() < 0.08:
        out.append((t + timedelta(hours=rng.uniform(2, 30)), poster, rng.choice(REMIND).format(to=to, thing=thing)))
    if rng.random() < 0.9:
        done = t + timedelta(hours=rng.expovariate(1 / 4))           # mostly the same day
        out.append((done, to, rng.choice(DONE).format(thing=thing)))
        if rng.random() < 0.88:
            out.append((done + timedelta(minutes=rng.expovariate(1 / 90)), poster, rng.choice(VERIFY)))
    return out


def generate_group(rng: random.Random, name: str, n: int, start: datetime, days: int) -> str:
    """n messages: task threads (about a quarter of all messages), meeting notices with answers,
    off-topic posts and the admin's warnings, the rest everyday work chatter."""
    members = people(rng, rng.randint(10, 20))
    admin = members[0]
    items: list[tuple[datetime, str, str]] = []
    while len(items) < n * 0.25:
        items.extend(_task_thread(rng, members, start, days))
    for _ in range(max(1, n // 400)):
        t = _working_moment(rng, start, days)
        items.append((t, admin, "@所有人 会议通知：明天下午2点在三楼会议室召开周例会，请回复是否参加"))
        for who in rng.sample(members[1:], k=len(members) // 2):
            items.append((t + timedelta(minutes=rng.expovariate(1 / 30)), who, rng.choice(["参加", "收到，参加", "请假"])))
    for _ in range(n // 30):
        t = _working_moment(rng, start, days)
        items.append((t, rng.choice(members), rng.choice(OFF)))
        if rng.random() < 0.2:
            items.append((t + timedelta(minutes=rng.uniform(1, 20)), admin, "请大家不要在工作群里发与工作无关的信息"))
    while len(items) < n:
        items.append((_working_moment(rng, start, days), rng.choice(members), rng.choice(CHATTER)))
    items.sort(key=lambda item: item[0])
    records = []
    for t, who, text in items[:n]:
        if rng.random() < 0.03:
            text += "\n补充：具体见附件，有问题随时联系"
        records.append(f"{t:%Y-%m-%d %H:%M:%S} {who}\n{text}")
    return "\n\n".join(records)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=10000)
    ap.add_argument("--groups", type=int, default=5)
    ap.add_argument("--start", default="2026-01-01")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    start = datetime.fromisoformat(args.start)
    per_group = args.messages // args.groups
    for g in range(args.groups):
        name = f"华信科技-业务群{g + 1:02d}"
        folder = args.out / "聊天记录" / f"{name}({30000000000 + g}@chatroom)"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.txt").write_text(generate_group(rng, name, per_group, start, args.days), encoding="utf-8")
    print(f"wrote {per_group * args.groups} messages in {args.groups} groups to {args.out}")


if __name__ == "__main__":
    main()
