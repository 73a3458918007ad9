"""ingest.link_quotes: a quote names the latest earlier message whose words it shows."""

from datetime import datetime

import pandas as pd

from wgm import schema
from wgm.ingest import link_quotes
from wgm.schema import M


def frame(rows) -> pd.DataFrame:
    """rows: (group, minute, msg_id, sender, content, quote_sender, quote_text), in time order per group."""
    df = pd.DataFrame([{M.group: g, M.ts: datetime(2026, 5, 6, 9, minute), M.msg_id: mid, M.sender: who,
                        M.content: text, M.text: text, M.quote_sender: qs, M.quote_text: qt, M.media: "text"}
                       for g, minute, mid, who, text, qs, qt in rows])
    return schema.conform(df, schema.PARSED_COLUMNS)


def test_the_latest_earlier_copy_is_linked_never_a_later_one():
    df = frame([
        ("甲群", 0, "m1", "张三", "周报 今天 交", "", ""),
        ("甲群", 5, "m2", "张三", "周报 今天 交", "", ""),
        ("甲群", 9, "m3", "李四", "收到", "张三", "周报今天交"),
        ("甲群", 20, "m4", "张三", "周报 今天 交", "", ""),      # after the quote: never its target
        ("乙群", 1, "m5", "张三", "周报 今天 交", "", ""),       # another group: never its target
    ])
    assert link_quotes(df).tolist() == ["", "", "m2", "", ""]


def test_a_quote_shortened_by_the_exporter_and_a_named_sender_are_matched():
    df = frame([
        ("甲群", 0, "m1", "王五", "请把三月的对账单发我", "", ""),
        ("甲群", 1, "m2", "赵六", "请把三月的对账单发我", "", ""),
        ("甲群", 2, "m3", "李四", "好的", "王五", "请把三月的"),
        ("甲群", 3, "m4", "李四", "哪个", "", "没有这句话"),
    ])
    assert link_quotes(df).tolist() == ["", "", "m1", ""]


def test_quotes_at_the_same_second_as_their_target_are_linked():
    df = frame([("甲群", 0, "m1", "王五", "盘点表发群里", "", ""), ("甲群", 0, "m2", "李四", "收到", "王五", "盘点表发群里")])
    assert link_quotes(df).tolist() == ["", "m1"]
